//! The policy's `mx` patterns: their syntax (`sts-policy-mx-value`, RFC 8461
//! §3.2) and matching MX host names against them (RFC 8461 §4.1).

use crate::policy::quote::quote;

/// One `mx:` pattern, normalised for matching (lower case, no trailing dot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxPattern {
    /// `true` for `*.example.com`.
    pub wildcard: bool,
    /// The domain part (after `*.` if any), lower case, no trailing dot.
    pub domain: String,
}

impl MxPattern {
    /// Parse `sts-policy-mx-value = ["*."] Domain` (RFC 5321 `Domain`, so
    /// LDH labels; IDNs must be written as A-labels). Returns the pattern
    /// and whether a trailing dot had to be stripped.
    pub fn parse(raw: &str) -> Result<(MxPattern, bool), String> {
        let bytes = raw.as_bytes();
        if !raw.is_ascii() {
            return Err(format!(
                "mx pattern {} contains non-ASCII characters; internationalised names must be written as A-labels (xn--...)",
                quote(bytes)
            ));
        }
        let (body, trailing_dot) = match raw.strip_suffix('.') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        let (domain, wildcard) = match body.strip_prefix("*.") {
            Some(d) => (d, true),
            None => (body, false),
        };
        if domain.is_empty() {
            return Err(format!("mx pattern {} has no domain", quote(bytes)));
        }
        if domain.len() > 253 {
            return Err(format!(
                "mx pattern {} is longer than 253 characters",
                quote(bytes)
            ));
        }
        for label in domain.split('.') {
            if let Err(why) = check_ldh_label(label.as_bytes()) {
                return Err(format!("mx pattern {}: {why}", quote(bytes)));
            }
        }
        Ok((
            MxPattern {
                wildcard,
                domain: domain.to_ascii_lowercase(),
            },
            trailing_dot,
        ))
    }

    /// RFC 8461 §4.1: a literal pattern matches only the identical name; a
    /// pattern `*.example.com` matches exactly one additional left-most
    /// label (so not `example.com` and not `a.b.example.com`). Comparison is
    /// ASCII case-insensitive, and one trailing dot on the MX host name (as
    /// DNS libraries often return it) is ignored.
    pub fn matches(&self, mx_host: &str) -> bool {
        let host = mx_host.strip_suffix('.').unwrap_or(mx_host);
        if !self.wildcard {
            return host.eq_ignore_ascii_case(&self.domain);
        }
        let Some(split) = host.len().checked_sub(self.domain.len() + 1) else {
            return false;
        };
        // Byte-compare so non-ASCII hosts cannot cause a slicing panic on a
        // char boundary.
        let hb = host.as_bytes();
        let (label, rest) = hb.split_at(split);
        !label.is_empty()
            && !label.contains(&b'.')
            && rest.first() == Some(&b'.')
            && rest[1..].eq_ignore_ascii_case(self.domain.as_bytes())
    }
}

impl std::fmt::Display for MxPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.wildcard {
            write!(f, "*.{}", self.domain)
        } else {
            f.write_str(&self.domain)
        }
    }
}

/// RFC 5321 `sub-domain = Let-dig [Ldh-str]`, limited to 63 octets
/// (RFC 1035 §2.3.4).
fn check_ldh_label(label: &[u8]) -> Result<(), String> {
    if label.is_empty() {
        return Err("empty label (\"..\" or leading dot)".to_string());
    }
    if label.len() > 63 {
        return Err(format!(
            "label {} is longer than 63 characters",
            quote(label)
        ));
    }
    if label == b"*" {
        return Err(
            "\"*\" is only allowed as the whole left-most label, followed by \".\"".to_string(),
        );
    }
    if !label
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(format!(
            "label {} may only contain letters, digits and \"-\"",
            quote(label)
        ));
    }
    if label.first() == Some(&b'-') || label.last() == Some(&b'-') {
        return Err(format!(
            "label {} must not begin or end with \"-\"",
            quote(label)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::mta_sts::test_fixtures::{policy, GOOD};
    use crate::policy::mta_sts::Policy;

    #[test]
    fn malformed_mx_patterns_are_invalid() {
        for bad in [
            "-a.example",
            "a-.example",
            "a..example",
            "*",
            "*.",
            "a.*.example",
            "**.example",
            "a_b.example",
            "*example.com",
            "a.example..",
            ".a.example",
            "a b.example",
        ] {
            assert!(MxPattern::parse(bad).is_err(), "{bad:?} accepted");
        }
        let long_label = format!("{}.example", "a".repeat(64));
        assert!(MxPattern::parse(&long_label).is_err());
        assert!(MxPattern::parse(&format!("{}.example", "a".repeat(63))).is_ok());
    }

    fn star_policy() -> Policy {
        policy("version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 86400\n")
            .policy
            .unwrap()
    }

    #[test]
    fn a_wildcard_does_not_match_the_apex() {
        assert!(star_policy().covers("example.com").is_none());
    }

    #[test]
    fn a_wildcard_matches_a_one_label_child() {
        let p = star_policy();
        assert_eq!(
            p.covers("a.example.com").unwrap().to_string(),
            "*.example.com"
        );
    }

    #[test]
    fn a_wildcard_does_not_match_a_two_label_child() {
        assert!(star_policy().covers("a.b.example.com").is_none());
        assert!(star_policy().covers(".example.com").is_none());
        assert!(star_policy().covers("aexample.com").is_none());
    }

    #[test]
    fn matching_ignores_case_and_a_trailing_dot_on_the_mx_name() {
        let p = policy(GOOD).policy.unwrap();
        assert!(p.covers("MAIL.Example.COM.").is_some());
        assert!(p.covers("Mx1.EXAMPLE.net.").is_some());
        assert!(p.covers("mail.example.com..").is_none());
        assert!(p.covers("mail.example.org").is_none());
        assert!(p.covers("").is_none());
        // Non-ASCII input must not panic on char boundaries.
        let _ = p.covers("é.example.net");
        let _ = p.covers("éxample.net");
    }

    #[test]
    fn a_literal_pattern_matches_only_itself() {
        let p = policy(GOOD).policy.unwrap();
        assert!(p.covers("x.mail.example.com").is_none());
        assert!(p.covers("example.com").is_none());
    }
}
