//! The MTA-STS policy file (RFC 8461 §3.2): parsing the body served at
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt` into the [`Policy`]
//! senders would apply, with findings on its keys, `mode` and `max_age`.

use super::mx::MxPattern;
use super::MAX_BODY;
use crate::grade::rubric::CheckId;
use crate::policy::quote::{escape, quote};
use crate::policy::txt::{self, Extension};
use crate::report::{Check, Status};

/// Largest `max_age` most implementations accept: one year (31557600 s).
/// RFC 8461 §3.2 only says "Maximum value of 31557600" in prose; erratum
/// 7282 notes the ABNF (`1*10DIGIT`) allows more. Larger values are a
/// warning, not invalid, because the ABNF still accepts them.
pub const MAX_AGE_LIMIT: u64 = 31_557_600;
const ONE_DAY: u64 = 86_400;
const ONE_WEEK: u64 = 604_800;
/// Lines beyond this are ignored (with a finding); a sane policy has < 10.
pub const MAX_LINES: usize = 10_000;
/// `mx` patterns beyond this are ignored (with a finding).
pub const MAX_MX: usize = 1000;
/// Unknown policy keys kept for display.
const MAX_EXTENSIONS: usize = 100;
/// Per-kind cap on repetitive findings (ignored lines, duplicate keys).
const MAX_REPEAT_FINDINGS: usize = 5;

/// `sts-policy-mode-value = %s"testing" / %s"enforce" / %s"none"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Enforce,
    Testing,
    None,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        }
    }
}

/// A policy senders would apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub mode: Mode,
    /// Seconds; up to 10 digits, so it may exceed [`MAX_AGE_LIMIT`].
    pub max_age: u64,
    pub mx: Vec<MxPattern>,
    /// Unknown keys (first occurrence each), ignored by senders.
    pub extensions: Vec<Extension>,
}

impl Policy {
    /// The first `mx` pattern that permits delivery to `mx_host`
    /// (RFC 8461 §4.1), or `None` if the host is not covered.
    pub fn covers(&self, mx_host: &str) -> Option<&MxPattern> {
        self.mx.iter().find(|p| p.matches(mx_host))
    }
}

/// Result of [`parse_policy`]: `policy` is `Some` only if it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyOutcome {
    pub policy: Option<Policy>,
    pub findings: Vec<Check>,
}

/// Parse a policy body (RFC 8461 §3.2).
///
/// Lines are `key: value` terminated by LF or CRLF (the RFC says CRLF;
/// erratum 6253 and real-world servers use LF, and senders accept both).
/// A final line without terminator is accepted. Unknown keys are ignored;
/// for a repeated key other than `mx` the first occurrence wins.
pub fn parse_policy(body: &[u8]) -> PolicyOutcome {
    let mut findings = Vec::new();
    let invalid = |findings: &mut Vec<Check>, why: String| {
        findings.push(Check::new(CheckId::MtaStsPolicyInvalid, Status::Fail, why));
    };

    let mut data = body;
    if data.len() > MAX_BODY {
        findings.push(Check::new(
            CheckId::MtaStsPolicyTruncated,
            Status::Warn,
            format!(
                "policy body is {} bytes; only the first {MAX_BODY} were parsed",
                data.len()
            ),
        ));
        data = &data[..MAX_BODY];
    }
    let text = match std::str::from_utf8(data) {
        Ok(t) => t,
        // If we cut the body, an incomplete final character is our doing.
        Err(e) if e.error_len().is_none() && data.len() < body.len() => {
            // valid_up_to is always on a char boundary.
            std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(e) => {
            invalid(
                &mut findings,
                format!(
                    "policy body is not valid UTF-8 (bad byte at offset {})",
                    e.valid_up_to()
                ),
            );
            return PolicyOutcome {
                policy: None,
                findings,
            };
        }
    };

    let mut version: Option<&str> = None;
    let mut mode: Option<&str> = None;
    let mut max_age: Option<&str> = None;
    let mut mx_raw: Vec<&str> = Vec::new();
    let mut extensions: Vec<Extension> = Vec::new();
    let mut ignored_lines = 0usize;
    let mut duplicates = 0usize;
    let mut mx_overflow = 0usize;

    // A final terminator would yield an empty extra piece; drop it so the
    // line cap counts real lines only.
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut line_no = 0usize;
    for line in text.split('\n') {
        if line_no == MAX_LINES {
            findings.push(Check::new(
                CheckId::MtaStsPolicyTooManyLines,
                Status::Warn,
                format!("policy has more than {MAX_LINES} lines; the rest was ignored"),
            ));
            break;
        }
        line_no += 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            ignored_lines += 1;
            if ignored_lines <= MAX_REPEAT_FINDINGS {
                findings.push(Check::new(
                    CheckId::MtaStsPolicyLineIgnored,
                    Status::Warn,
                    format!(
                        "line {line_no} {} is not of the form \"key: value\" and was ignored",
                        quote(line.as_bytes())
                    ),
                ));
            }
            continue;
        };
        // sts-policy-field-delim = ":" *WSP; trailing WSP tolerated.
        let value = value.trim_matches(|c| c == ' ' || c == '\t');
        let slot = match key {
            "version" => &mut version,
            "mode" => &mut mode,
            "max_age" => &mut max_age,
            "mx" => {
                if mx_raw.len() < MAX_MX {
                    mx_raw.push(value);
                } else {
                    mx_overflow += 1;
                }
                continue;
            }
            _ => {
                if !txt::is_ext_name(key.as_bytes()) {
                    ignored_lines += 1;
                    if ignored_lines <= MAX_REPEAT_FINDINGS {
                        findings.push(Check::new(
                            CheckId::MtaStsPolicyLineIgnored,
                            Status::Warn,
                            format!(
                                "line {line_no}: {} is not a valid key (keys are case-sensitive, no spaces before \":\"); line ignored",
                                quote(key.as_bytes())
                            ),
                        ));
                    }
                } else if extensions.len() < MAX_EXTENSIONS
                    && !extensions.iter().any(|e| e.name == key)
                {
                    extensions.push(Extension {
                        name: key.to_string(),
                        value: escape(value.as_bytes()),
                    });
                }
                continue;
            }
        };
        if slot.is_some() {
            duplicates += 1;
            if duplicates <= MAX_REPEAT_FINDINGS {
                findings.push(Check::new(
                    CheckId::MtaStsPolicyDuplicateKey,
                    Status::Warn,
                    format!(
                        "line {line_no}: \"{key}\" appears more than once; the first value is used, but senders may differ"
                    ),
                ));
            }
        } else {
            *slot = Some(value);
        }
    }
    if ignored_lines > MAX_REPEAT_FINDINGS {
        findings.push(Check::new(
            CheckId::MtaStsPolicyLineIgnored,
            Status::Warn,
            format!("{ignored_lines} lines ignored in total"),
        ));
    }
    if mx_overflow > 0 {
        findings.push(Check::new(
            CheckId::MtaStsMxTooMany,
            Status::Warn,
            format!("more than {MAX_MX} mx lines; {mx_overflow} were ignored"),
        ));
    }

    let mut ok = true;
    match version {
        Some("STSv1") => {}
        Some(v) => {
            ok = false;
            invalid(
                &mut findings,
                format!(
                    "version is {}, must be exactly \"STSv1\"",
                    quote(v.as_bytes())
                ),
            );
        }
        None => {
            ok = false;
            invalid(
                &mut findings,
                "required key \"version\" is missing".to_string(),
            );
        }
    }
    let mode = match mode {
        Some("enforce") => Some(Mode::Enforce),
        Some("testing") => Some(Mode::Testing),
        Some("none") => Some(Mode::None),
        Some(m) => {
            ok = false;
            invalid(
                &mut findings,
                format!(
                    "unknown mode {} (must be enforce, testing or none; case-sensitive)",
                    quote(m.as_bytes())
                ),
            );
            None
        }
        None => {
            ok = false;
            invalid(
                &mut findings,
                "required key \"mode\" is missing".to_string(),
            );
            None
        }
    };
    // sts-policy-max-age-value = 1*10(DIGIT)
    let max_age = match max_age {
        Some(a) if (1..=10).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_digit()) => {
            a.parse::<u64>().ok()
        }
        Some(a) => {
            ok = false;
            invalid(
                &mut findings,
                format!("max_age {} must be 1 to 10 digits", quote(a.as_bytes())),
            );
            None
        }
        None => {
            ok = false;
            invalid(
                &mut findings,
                "required key \"max_age\" is missing".to_string(),
            );
            None
        }
    };
    let mut mx = Vec::new();
    let mut trailing_dots = 0usize;
    for raw in &mx_raw {
        match MxPattern::parse(raw) {
            Ok((p, dot)) => {
                if dot {
                    trailing_dots += 1;
                    if trailing_dots <= MAX_REPEAT_FINDINGS {
                        findings.push(Check::new(
                            CheckId::MtaStsMxTrailingDot,
                            Status::Warn,
                            format!(
                                "mx pattern {} ends with \".\": not valid per the ABNF; lenient senders strip it, strict ones reject the policy",
                                quote(raw.as_bytes())
                            ),
                        ));
                    }
                }
                mx.push(p);
            }
            Err(why) => {
                ok = false;
                invalid(&mut findings, why);
            }
        }
    }
    if mx_raw.is_empty() && mode.is_some_and(|m| m != Mode::None) {
        ok = false;
        invalid(
            &mut findings,
            "no mx key: at least one is required unless mode is none".to_string(),
        );
    }

    if let Some(m) = mode {
        match m {
            Mode::Testing => findings.push(Check::new(
                CheckId::MtaStsModeTesting,
                Status::Warn,
                "mode is testing: senders report failures but still deliver without TLS protection",
            )),
            Mode::None => findings.push(Check::new(
                CheckId::MtaStsModeNone,
                Status::Info,
                "mode is none: the domain is withdrawing its MTA-STS policy",
            )),
            Mode::Enforce => {}
        }
    }
    if let Some(age) = max_age {
        push_max_age_findings(age, mode, &mut findings);
    }

    let policy = match (ok, mode, max_age) {
        (true, Some(mode), Some(max_age)) => {
            findings.push(Check::new(
                CheckId::MtaStsPolicyValid,
                Status::Pass,
                format!(
                    "valid policy: mode {}, max_age {max_age}, {} mx pattern(s)",
                    mode.as_str(),
                    mx.len()
                ),
            ));
            Some(Policy {
                mode,
                max_age,
                mx,
                extensions,
            })
        }
        _ => None,
    };
    PolicyOutcome { policy, findings }
}

fn push_max_age_findings(age: u64, mode: Option<Mode>, findings: &mut Vec<Check>) {
    if age > MAX_AGE_LIMIT {
        findings.push(Check::new(
            CheckId::MtaStsMaxAgeTooLarge,
            Status::Warn,
            format!(
                "max_age {age} exceeds {MAX_AGE_LIMIT} (one year), the maximum in RFC 8461 §3.2; rejected by some MTAs"
            ),
        ));
    } else if age == 0 {
        findings.push(Check::new(
            CheckId::MtaStsMaxAgeZero,
            Status::Warn,
            "max_age is 0: senders cache nothing, so the policy gives no protection against downgrade",
        ));
    } else if age < ONE_DAY {
        findings.push(Check::new(
            CheckId::MtaStsMaxAgeShort,
            Status::Warn,
            format!("max_age {age} is under one day; the policy expires before it protects much"),
        ));
    } else if age < ONE_WEEK && mode == Some(Mode::Enforce) {
        findings.push(Check::new(
            CheckId::MtaStsMaxAgeWeeks,
            Status::Info,
            format!(
                "max_age {age} is under one week; RFC 8461 §3.2 recommends weeks or more for enforce"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::mta_sts::test_fixtures::{has, policy, GOOD};

    #[test]
    fn a_typical_lf_policy_is_valid() {
        let out = policy(GOOD);
        let p = out.policy.unwrap();
        assert_eq!(p.mode, Mode::Enforce);
        assert_eq!(p.max_age, 604_800);
        assert_eq!(p.mx.len(), 2);
        assert!(has(&out.findings, "mta-sts.policy-valid", Status::Pass));
    }

    #[test]
    fn crlf_and_lf_policy_bodies_parse_identically() {
        let crlf = GOOD.replace('\n', "\r\n");
        assert_eq!(policy(&crlf).policy, policy(GOOD).policy);
        assert!(policy(&crlf).policy.is_some());
    }

    #[test]
    fn a_policy_without_final_newline_and_with_extra_whitespace_is_valid() {
        let out = policy("version:STSv1 \nmode:\tenforce\t\nmx:  mail.example.com\nmax_age: 86400");
        assert!(out.policy.is_some(), "{:?}", out.findings);
    }

    #[test]
    fn a_duplicate_mode_keeps_the_first_value() {
        let out =
            policy("version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmax_age: 86400\n");
        assert_eq!(out.policy.unwrap().mode, Mode::Testing);
        assert!(has(
            &out.findings,
            "mta-sts.policy-duplicate-key",
            Status::Warn
        ));
        assert!(has(&out.findings, "mta-sts.mode-testing", Status::Warn));
    }

    #[test]
    fn max_age_of_exactly_one_year_is_accepted_without_warning() {
        let out = policy(&GOOD.replace("604800", "31557600"));
        assert_eq!(out.policy.unwrap().max_age, 31_557_600);
        assert!(!out
            .findings
            .iter()
            .any(|f| f.id.as_str().starts_with("mta-sts.max-age")));
    }

    #[test]
    fn max_age_one_second_over_one_year_is_valid_but_warned() {
        let out = policy(&GOOD.replace("604800", "31557601"));
        assert!(out.policy.is_some());
        assert!(has(
            &out.findings,
            "mta-sts.max-age-too-large",
            Status::Warn
        ));
    }

    #[test]
    fn non_numeric_or_eleven_digit_max_age_is_invalid() {
        for bad in ["1d", "-5", "+5", "", "99999999999", "0x10", "١٢"] {
            let out = policy(&GOOD.replace("604800", bad));
            assert!(out.policy.is_none(), "max_age {bad:?} accepted");
            assert!(has(&out.findings, "mta-sts.policy-invalid", Status::Fail));
        }
        assert_eq!(
            policy(&GOOD.replace("604800", "9999999999"))
                .policy
                .unwrap()
                .max_age,
            9_999_999_999
        );
    }

    #[test]
    fn max_age_zero_short_and_under_a_week_are_graded() {
        let zero = policy(&GOOD.replace("604800", "0"));
        assert!(has(&zero.findings, "mta-sts.max-age-zero", Status::Warn));
        assert!(!zero
            .findings
            .iter()
            .any(|f| f.id == "mta-sts.max-age-short"));
        let short = policy(&GOOD.replace("604800", "3600"));
        assert!(has(&short.findings, "mta-sts.max-age-short", Status::Warn));
        let days = policy(&GOOD.replace("604800", "86400"));
        assert!(has(&days.findings, "mta-sts.max-age-weeks", Status::Info));
        let testing = policy(
            &GOOD
                .replace("604800", "86400")
                .replace("enforce", "testing"),
        );
        assert!(!testing
            .findings
            .iter()
            .any(|f| f.id == "mta-sts.max-age-weeks"));
    }

    #[test]
    fn mode_none_without_mx_is_valid_but_enforce_without_mx_is_invalid() {
        let none = policy("version: STSv1\nmode: none\nmax_age: 86400\n");
        assert_eq!(none.policy.unwrap().mode, Mode::None);
        assert!(has(&none.findings, "mta-sts.mode-none", Status::Info));
        let enforce = policy("version: STSv1\nmode: enforce\nmax_age: 86400\n");
        assert!(enforce.policy.is_none());
        assert!(has(
            &enforce.findings,
            "mta-sts.policy-invalid",
            Status::Fail
        ));
    }

    #[test]
    fn unknown_or_wrong_case_mode_and_missing_keys_are_invalid() {
        assert!(policy(&GOOD.replace("enforce", "Enforce")).policy.is_none());
        assert!(policy(&GOOD.replace("enforce", "reject")).policy.is_none());
        assert!(policy(&GOOD.replace("version: STSv1\n", ""))
            .policy
            .is_none());
        assert!(policy(&GOOD.replace("STSv1", "STSv2")).policy.is_none());
        assert!(policy(&GOOD.replace("max_age: 604800\n", ""))
            .policy
            .is_none());
        assert!(policy("").policy.is_none());
    }

    #[test]
    fn unknown_keys_are_ignored_and_a_spaced_key_is_reported() {
        let out = policy(&format!("{GOOD}comment: hi there\n"));
        assert_eq!(out.policy.unwrap().extensions[0].name, "comment");
        let spaced = policy(&GOOD.replace("mode: enforce", "mode : enforce"));
        assert!(spaced.policy.is_none());
        assert!(has(
            &spaced.findings,
            "mta-sts.policy-line-ignored",
            Status::Warn
        ));
    }

    #[test]
    fn a_u_label_in_an_mx_pattern_is_invalid() {
        let out = policy(&GOOD.replace("mail.example.com", "mail.bücher.example"));
        assert!(out.policy.is_none());
        let f = out
            .findings
            .iter()
            .find(|f| f.id == "mta-sts.policy-invalid")
            .unwrap();
        assert!(f.detail.contains("A-label"));
        assert!(f.detail.contains("b\\xC3\\xBCcher"));
        assert!(
            policy(&GOOD.replace("mail.example.com", "mail.xn--bcher-kva.example"))
                .policy
                .is_some()
        );
    }

    #[test]
    fn a_trailing_dot_pattern_warns_and_matches_without_the_dot() {
        let out = policy(&GOOD.replace("mail.example.com", "mail.example.com."));
        assert!(has(&out.findings, "mta-sts.mx-trailing-dot", Status::Warn));
        let p = out.policy.unwrap();
        assert_eq!(p.mx[0].to_string(), "mail.example.com");
        assert!(p.covers("mail.example.com").is_some());
    }

    #[test]
    fn a_body_that_is_not_utf8_is_invalid() {
        let mut body = GOOD.as_bytes().to_vec();
        body.extend_from_slice(b"x: \xff\n");
        let out = parse_policy(&body);
        assert!(out.policy.is_none());
        assert!(has(&out.findings, "mta-sts.policy-invalid", Status::Fail));
    }

    #[test]
    fn lines_past_the_cap_are_ignored_with_a_finding() {
        let mut body = GOOD.to_string();
        body.push_str(&"x: y\n".repeat(MAX_LINES));
        let out = policy(&body);
        assert!(out.policy.is_some());
        assert!(has(
            &out.findings,
            "mta-sts.policy-too-many-lines",
            Status::Warn
        ));
        let exact = format!("{GOOD}{}", "x: y\n".repeat(MAX_LINES - 5));
        assert!(!policy(&exact)
            .findings
            .iter()
            .any(|f| f.id == "mta-sts.policy-too-many-lines"));
    }

    #[test]
    fn mx_patterns_past_the_cap_are_ignored_with_a_finding() {
        let body = format!("{GOOD}{}", "mx: a.example\n".repeat(MAX_MX));
        let out = policy(&body);
        assert_eq!(out.policy.unwrap().mx.len(), MAX_MX);
        assert!(has(&out.findings, "mta-sts.mx-too-many", Status::Warn));
    }

    #[test]
    fn an_oversized_body_is_truncated_and_a_split_utf8_character_is_tolerated() {
        let mut body = GOOD.as_bytes().to_vec();
        body.resize(MAX_BODY - 1, b'\n');
        body.extend_from_slice("é and more".as_bytes());
        let out = parse_policy(&body);
        assert!(out.policy.is_some(), "{:?}", out.findings);
        assert!(has(&out.findings, "mta-sts.policy-truncated", Status::Warn));
    }
}
