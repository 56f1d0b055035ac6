//! `--connect-to HOST1:PORT1:HOST2:PORT2`, with curl's semantics.
//!
//! A connection for HOST1:PORT1 goes to HOST2:PORT2 instead. An empty HOST1 or PORT1 matches any;
//! an empty HOST2 or PORT2 keeps the original. SNI and every name check still use the original
//! name. IPv6 addresses are written in brackets: `::25:[::1]:2525`.

use crate::target::{parse_host, Host};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectTo {
    pub from_host: Option<String>,
    pub from_port: Option<u16>,
    pub to_host: Option<Host>,
    pub to_port: Option<u16>,
}

impl ConnectTo {
    /// Parses `HOST1:PORT1:HOST2:PORT2`.
    pub fn parse(s: &str) -> Result<ConnectTo, String> {
        let mut parts = split_fields(s)?;
        // `::25::2525` (as the project's docs first wrote it) has an extra leading ':'; read it
        // as the unambiguous `:25::2525` (any host, port 25 → same host, port 2525).
        if parts.len() == 5 && parts[0].is_empty() && parts[1].is_empty() {
            parts.remove(0);
        }
        if parts.len() != 4 {
            return Err(format!(
                "{s:?}: expected HOST1:PORT1:HOST2:PORT2 (4 fields, IPv6 in brackets), found {}",
                parts.len()
            ));
        }
        let port = |p: &str| -> Result<Option<u16>, String> {
            if p.is_empty() {
                return Ok(None);
            }
            match p.parse::<u16>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(format!("{s:?}: {p:?} is not a port")),
            }
        };
        let host = |h: &str| -> Result<Option<Host>, String> {
            if h.is_empty() {
                return Ok(None);
            }
            if let Some(inner) = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
                return inner
                    .parse()
                    .map(|ip| Some(Host::Ip(ip)))
                    .map_err(|_| format!("{s:?}: {h:?} is not an IPv6 address"));
            }
            parse_host(h).map(Some).map_err(|e| format!("{s:?}: {e}"))
        };
        let from_host = host(&parts[0])?.map(|h| host_key(&h));
        Ok(ConnectTo {
            from_host,
            from_port: port(&parts[1])?,
            to_host: host(&parts[2])?,
            to_port: port(&parts[3])?,
        })
    }

    fn matches(&self, host: &Host, port: u16) -> bool {
        self.from_port.is_none_or(|p| p == port)
            && self
                .from_host
                .as_deref()
                .is_none_or(|h| h == host_key(host))
    }
}

/// The form hosts are compared in: lower-case name, or the address without brackets.
fn host_key(h: &Host) -> String {
    match h {
        Host::Name(n) => n.clone(),
        Host::Ip(ip) => ip.to_string(),
    }
}

/// Splits on ':' outside brackets.
fn split_fields(s: &str) -> Result<Vec<String>, String> {
    let mut out = vec![String::new()];
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '[' => {
                depth += 1;
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
            ']' => {
                if depth == 0 {
                    return Err(format!("{s:?}: unbalanced ']'"));
                }
                depth -= 1;
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
            ':' if depth == 0 => out.push(String::new()),
            _ => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    if depth != 0 {
        return Err(format!("{s:?}: unbalanced '['"));
    }
    Ok(out)
}

/// Where a connection for `host:port` really goes: `(host to resolve or dial, port)`.
/// The first matching rule wins, as in curl.
pub fn route(rules: &[ConnectTo], host: &Host, port: u16) -> Option<(Host, u16)> {
    rules.iter().find(|r| r.matches(host, port)).map(|r| {
        (
            r.to_host.clone().unwrap_or_else(|| host.clone()),
            r.to_port.unwrap_or(port),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Host {
        Host::Name(s.into())
    }

    #[test]
    fn parses_all_four_fields_with_ipv6_brackets() {
        let r = ConnectTo::parse("mx.example.test:25:[::1]:2525").unwrap();
        assert_eq!(r.from_host.as_deref(), Some("mx.example.test"));
        assert_eq!(r.from_port, Some(25));
        assert_eq!(r.to_host, Some(Host::Ip("::1".parse().unwrap())));
        assert_eq!(r.to_port, Some(2525));
    }

    #[test]
    fn empty_fields_match_any_and_keep_original() {
        assert_eq!(
            ConnectTo::parse(":25::2525").unwrap(),
            ConnectTo::parse("::25::2525").unwrap()
        );
        let r = ConnectTo::parse(":25::2525").unwrap();
        assert_eq!(
            route(std::slice::from_ref(&r), &name("a.example"), 25),
            Some((name("a.example"), 2525))
        );
        assert_eq!(route(&[r], &name("a.example"), 465), None);
        let r = ConnectTo::parse("MX.example.test::127.0.0.2:").unwrap();
        assert_eq!(
            route(&[r], &name("mx.example.test"), 587),
            Some((Host::Ip("127.0.0.2".parse().unwrap()), 587))
        );
    }

    #[test]
    fn first_matching_rule_wins() {
        let rules = [
            ConnectTo::parse("a.example:25:127.0.0.1:1").unwrap(),
            ConnectTo::parse("::25:127.0.0.1:2").unwrap(),
        ];
        assert_eq!(route(&rules, &name("a.example"), 25).unwrap().1, 1);
        assert_eq!(route(&rules, &name("b.example"), 25).unwrap().1, 2);
    }

    #[test]
    fn rejects_malformed_rules() {
        for bad in ["a:25:b", "a:25:b:2:3", "a:x:b:2", "a:25:[::1:2", "a:0:b:1"] {
            assert!(ConnectTo::parse(bad).is_err(), "{bad}");
        }
    }
}
