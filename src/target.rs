//! Target parsing: the first stage of the pipeline.
//!
//! Turns what a user typed (`example.com`, `mx.example.com:587`, `smtps://host`,
//! `[2001:db8::1]:25`, ...) or a line of a targets file into a [`Target`], or an
//! [`InvalidTarget`] that names the line and the reason. Nothing here touches the network.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// How the scanner talks to an endpoint before (or instead of) the TLS handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Transport {
    /// SMTP, then `STARTTLS` (RFC 3207).
    #[serde(rename = "smtp-starttls")]
    SmtpStartTls,
    /// TLS from the first byte (implicit TLS: smtps, imaps, pop3s, https, ...).
    #[serde(rename = "tls")]
    Tls,
    /// IMAP, then `STARTTLS` (RFC 9051 §6.2.1).
    #[serde(rename = "imap-starttls")]
    ImapStartTls,
    /// POP3, then `STLS` (RFC 2595 §4).
    #[serde(rename = "pop3-starttls")]
    Pop3StartTls,
}

impl Transport {
    /// The stable name used in the JSON report and the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::SmtpStartTls => "smtp-starttls",
            Transport::Tls => "tls",
            Transport::ImapStartTls => "imap-starttls",
            Transport::Pop3StartTls => "pop3-starttls",
        }
    }

    /// The transport a bare `host:port` implies (well-known mail ports; anything else is TLS).
    pub fn for_port(port: u16) -> Transport {
        match port {
            25 | 587 => Transport::SmtpStartTls,
            143 => Transport::ImapStartTls,
            110 => Transport::Pop3StartTls,
            _ => Transport::Tls,
        }
    }
}

/// A host as the user named it: a DNS name (lower-cased, no trailing dot) or an IP literal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    Name(String),
    Ip(IpAddr),
}

impl Host {
    /// The name used for SNI and certificate name checks; `None` for IP literals
    /// (SNI carries only DNS names, RFC 6066 §3).
    pub fn dns_name(&self) -> Option<&str> {
        match self {
            Host::Name(n) => Some(n),
            Host::Ip(_) => None,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::Ip(IpAddr::V6(a)) => write!(f, "[{a}]"),
            Host::Ip(IpAddr::V4(a)) => write!(f, "{a}"),
        }
    }
}

/// One thing to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// A mail domain: MX → every address of every MX host → SMTP STARTTLS on port 25.
    MailDomain(String),
    /// One service: every address of `host` on `port`, spoken to with `transport`.
    Endpoint {
        host: Host,
        port: u16,
        transport: Transport,
    },
}

/// A parsed target together with the text it came from (kept verbatim for the report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub input: String,
    pub kind: TargetKind,
}

/// A target that could not be parsed. `line` is 1-based when it came from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidTarget {
    pub input: String,
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for InvalidTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let input = crate::report::escape::for_terminal(&self.input);
        match self.line {
            Some(l) => write!(f, "line {l}: {input:?}: {}", self.reason),
            None => write!(f, "{input:?}: {}", self.reason),
        }
    }
}

/// Longest target we accept: a DNS name is at most 253 characters, plus scheme and port.
const MAX_TARGET_LEN: usize = 300;

/// Parses one target as typed on the command line or found on a line of a targets file.
pub fn parse_target(input: &str) -> Result<Target, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("empty target".into());
    }
    if s.len() > MAX_TARGET_LEN {
        return Err(format!("target longer than {MAX_TARGET_LEN} characters"));
    }
    if let Some(c) = s.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("contains the character {:?}", c));
    }
    let kind = if let Some((scheme, rest)) = s.split_once("://") {
        let (transport, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => (Transport::SmtpStartTls, Some(25)),
            "submission" => (Transport::SmtpStartTls, Some(587)),
            "smtps" => (Transport::Tls, Some(465)),
            "imap" => (Transport::ImapStartTls, Some(143)),
            "imaps" => (Transport::Tls, Some(993)),
            "pop3" => (Transport::Pop3StartTls, Some(110)),
            "pop3s" => (Transport::Tls, Some(995)),
            "https" => (Transport::Tls, Some(443)),
            "tls" => (Transport::Tls, None),
            other => {
                return Err(format!(
                    "unknown scheme {other:?} (use smtp, submission, smtps, imap, imaps, pop3, pop3s, https or tls)"
                ))
            }
        };
        // Accept a trailing "/" (people paste URLs) but nothing after it.
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') || rest.contains('?') || rest.contains('@') {
            return Err("only scheme://host[:port] is accepted (no path, query or user)".into());
        }
        let (host, port) = split_host_port(rest)?;
        let port = match (port, default_port) {
            (Some(p), _) => p,
            (None, Some(p)) => p,
            (None, None) => return Err("tls:// needs a port, e.g. tls://host:8443".into()),
        };
        TargetKind::Endpoint {
            host,
            port,
            transport,
        }
    } else {
        let (host, port) = split_host_port(s)?;
        match (host, port) {
            (host, Some(port)) => TargetKind::Endpoint {
                host,
                port,
                transport: Transport::for_port(port),
            },
            (Host::Name(name), None) => TargetKind::MailDomain(name),
            (Host::Ip(ip), None) => {
                // An address alone has no MX; the only sensible reading is its SMTP service.
                TargetKind::Endpoint {
                    host: Host::Ip(ip),
                    port: 25,
                    transport: Transport::SmtpStartTls,
                }
            }
        }
    };
    Ok(Target {
        input: s.to_string(),
        kind,
    })
}

/// Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal.
fn split_host_port(s: &str) -> Result<(Host, Option<u16>), String> {
    if let Some(rest) = s.strip_prefix('[') {
        let (inside, after) = rest
            .split_once(']')
            .ok_or_else(|| "missing ']' after an IPv6 address".to_string())?;
        let ip: std::net::Ipv6Addr = inside
            .parse()
            .map_err(|_| format!("{inside:?} is not an IPv6 address"))?;
        let port = match after {
            "" => None,
            p => Some(parse_port(
                p.strip_prefix(':')
                    .ok_or_else(|| "expected ':port' after ']'".to_string())?,
            )?),
        };
        return Ok((Host::Ip(IpAddr::V6(ip)), port));
    }
    if s.matches(':').count() > 1 {
        // A bare IPv6 literal (no port possible without brackets).
        let ip: std::net::Ipv6Addr = s
            .parse()
            .map_err(|_| "an IPv6 address with a port must be written [addr]:port".to_string())?;
        return Ok((Host::Ip(IpAddr::V6(ip)), None));
    }
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(parse_port(p)?)),
        None => (s, None),
    };
    Ok((parse_host(host)?, port))
}

fn parse_port(p: &str) -> Result<u16, String> {
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("{p:?} is not a port (1-65535)")),
        Ok(n) => Ok(n),
    }
}

/// Parses a host that is not bracketed: an IPv4 literal or a DNS name (LDH labels, RFC 1123).
pub fn parse_host(h: &str) -> Result<Host, String> {
    if let Ok(ip) = h.parse::<std::net::Ipv4Addr>() {
        return Ok(Host::Ip(IpAddr::V4(ip)));
    }
    Ok(Host::Name(parse_dns_name(h)?))
}

/// Validates a host name and returns it lower-cased without a trailing dot.
/// Underscores are allowed (they occur in real names) but each label is 1–63 characters,
/// the whole at most 253, and a name made only of digits and dots is refused (RFC 1123 §2.1).
pub fn parse_dns_name(h: &str) -> Result<String, String> {
    let name = h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase();
    if name.is_empty() {
        return Err("empty host name".into());
    }
    if name.len() > 253 {
        return Err("host name longer than 253 characters".into());
    }
    if !name.is_ascii() {
        return Err(
            "host name is not ASCII (write internationalised names as xn-- A-labels)".into(),
        );
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("{label:?} is not a valid DNS label"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(format!(
                "{label:?} contains a character not allowed in a host name"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("{label:?} starts or ends with '-'"));
        }
    }
    if name.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!(
            "{name:?} is neither an IPv4 address nor a host name"
        ));
    }
    Ok(name)
}

/// Longest line of a targets file we look at; longer lines are reported, not buffered.
pub const MAX_LINE_LEN: usize = 4096;

/// Parses the lines of a targets file: one target per line, `#` starts a comment,
/// blank lines are ignored. Every bad line becomes an [`InvalidTarget`] with its number;
/// the good lines are still returned.
pub fn parse_lines<'a>(
    lines: impl IntoIterator<Item = (usize, std::borrow::Cow<'a, str>)>,
) -> (Vec<Target>, Vec<InvalidTarget>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in lines {
        let content = match line.find('#') {
            Some(i) => &line[..i],
            None => &line[..],
        };
        let content = content.trim();
        if content.is_empty() {
            continue;
        }
        match parse_target(content) {
            Ok(t) => good.push(t),
            Err(reason) => bad.push(InvalidTarget {
                input: content.chars().take(80).collect(),
                line: Some(n),
                reason,
            }),
        }
    }
    (good, bad)
}

/// Parses line `n` (1-based) of a targets file: `None` for a blank or comment line. Invalid
/// UTF-8 and overlong lines are errors for that line only.
pub fn parse_line_bytes(n: usize, raw: &[u8]) -> Option<Result<Target, InvalidTarget>> {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    if raw.len() > MAX_LINE_LEN {
        return Some(Err(InvalidTarget {
            input: String::from_utf8_lossy(&raw[..40]).into_owned(),
            line: Some(n),
            reason: format!("line longer than {MAX_LINE_LEN} bytes"),
        }));
    }
    let Ok(s) = std::str::from_utf8(raw) else {
        return Some(Err(InvalidTarget {
            input: String::from_utf8_lossy(raw).chars().take(80).collect(),
            line: Some(n),
            reason: "not valid UTF-8".into(),
        }));
    };
    let (mut good, mut bad) = parse_lines([(n, std::borrow::Cow::Borrowed(s))]);
    good.pop().map(Ok).or_else(|| bad.pop().map(Err))
}

/// Reads a targets file's bytes into lines, numbering from 1.
pub fn parse_file_bytes(data: &[u8]) -> (Vec<Target>, Vec<InvalidTarget>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for r in LineSource::new(data) {
        match r {
            Ok(t) => good.push(t),
            Err(e) => bad.push(e),
        }
    }
    (good, bad)
}

/// Targets read lazily from a file or standard input, one line at a time, so memory does not
/// grow with the file. A line longer than [`MAX_LINE_LEN`] is skipped to its end without being
/// buffered, and reported.
pub struct LineSource<R> {
    reader: R,
    line: usize,
    done: bool,
}

impl<R: std::io::BufRead> LineSource<R> {
    pub fn new(reader: R) -> Self {
        LineSource {
            reader,
            line: 0,
            done: false,
        }
    }

    /// The next raw line, at most `MAX_LINE_LEN + 1` bytes of it kept; `None` at the end or on
    /// a read error.
    fn next_raw(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut any = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return None,
            };
            if buf.is_empty() {
                return any.then_some(out);
            }
            any = true;
            let (take, end) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i, true),
                None => (buf.len(), false),
            };
            let room = (MAX_LINE_LEN + 1).saturating_sub(out.len());
            out.extend_from_slice(&buf[..take.min(room)]);
            self.reader.consume(if end { take + 1 } else { take });
            if end {
                return Some(out);
            }
        }
    }
}

impl<R: std::io::BufRead> Iterator for LineSource<R> {
    type Item = Result<Target, InvalidTarget>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let Some(raw) = self.next_raw() else {
                self.done = true;
                return None;
            };
            self.line += 1;
            if let Some(r) = parse_line_bytes(self.line, &raw) {
                return Some(r);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str) -> (Host, u16, Transport) {
        match parse_target(s).unwrap().kind {
            TargetKind::Endpoint {
                host,
                port,
                transport,
            } => (host, port, transport),
            k => panic!("{s}: expected endpoint, got {k:?}"),
        }
    }

    fn name(s: &str) -> Host {
        Host::Name(s.into())
    }

    #[test]
    fn bare_domain_is_a_mail_domain_lowercased_without_trailing_dot() {
        assert_eq!(
            parse_target("Example.COM.").unwrap().kind,
            TargetKind::MailDomain("example.com".into())
        );
    }

    #[test]
    fn host_port_picks_transport_from_well_known_ports() {
        assert_eq!(ep("mx.example.com:25").2, Transport::SmtpStartTls);
        assert_eq!(ep("mx.example.com:587").2, Transport::SmtpStartTls);
        assert_eq!(ep("mx.example.com:465").2, Transport::Tls);
        assert_eq!(ep("mx.example.com:993").2, Transport::Tls);
        assert_eq!(ep("mx.example.com:995").2, Transport::Tls);
        assert_eq!(ep("mx.example.com:443").2, Transport::Tls);
        assert_eq!(ep("mx.example.com:143").2, Transport::ImapStartTls);
        assert_eq!(ep("mx.example.com:110").2, Transport::Pop3StartTls);
        assert_eq!(ep("mx.example.com:8443").2, Transport::Tls);
    }

    #[test]
    fn schemes_give_transport_and_default_port() {
        let cases = [
            ("smtp://a.example", 25, Transport::SmtpStartTls),
            ("submission://a.example", 587, Transport::SmtpStartTls),
            ("smtps://a.example", 465, Transport::Tls),
            ("imap://a.example", 143, Transport::ImapStartTls),
            ("imaps://a.example", 993, Transport::Tls),
            ("pop3://a.example", 110, Transport::Pop3StartTls),
            ("pop3s://a.example", 995, Transport::Tls),
            ("https://a.example/", 443, Transport::Tls),
            ("tls://a.example:8443", 8443, Transport::Tls),
            ("SMTP://a.example:2525", 2525, Transport::SmtpStartTls),
        ];
        for (s, port, t) in cases {
            assert_eq!(ep(s), (name("a.example"), port, t), "{s}");
        }
    }

    #[test]
    fn ip_literals_v4_and_bracketed_v6() {
        assert_eq!(
            ep("192.0.2.1:465"),
            (Host::Ip("192.0.2.1".parse().unwrap()), 465, Transport::Tls)
        );
        assert_eq!(
            ep("[2001:db8::1]:25"),
            (
                Host::Ip("2001:db8::1".parse().unwrap()),
                25,
                Transport::SmtpStartTls
            )
        );
        assert_eq!(
            ep("tls://[::1]:8443"),
            (Host::Ip("::1".parse().unwrap()), 8443, Transport::Tls)
        );
        // A bare address means its SMTP service: it has no MX to look up.
        assert_eq!(ep("192.0.2.1").1, 25);
        assert_eq!(ep("2001:db8::1").1, 25);
    }

    #[test]
    fn rejects_bad_targets_with_a_reason() {
        for (s, why) in [
            ("tls://a.example", "needs a port"),
            ("ftp://a.example", "unknown scheme"),
            ("a.example:0", "not a port"),
            ("a.example:70000", "not a port"),
            ("a..example", "not a valid DNS label"),
            ("-a.example", "starts or ends"),
            ("a b", "character"),
            ("https://a.example/path", "no path"),
            ("[::1", "missing ']'"),
            ("2001:db8::1:25x", "must be written [addr]:port"),
            ("1.2.3.4.5", "neither an IPv4"),
            ("ex\u{e4}mple.com", "not ASCII"),
            ("a\u{1b}[31m.example", "character"),
        ] {
            let e = parse_target(s).unwrap_err();
            assert!(e.contains(why), "{s}: {e}");
        }
    }

    #[test]
    fn file_lines_skip_comments_and_blanks_and_number_bad_lines() {
        let data = b"# comment\n\nexample.com  # trailing comment\nbad..name\r\nsmtp://mx.example.com\n\xff\xfe\n";
        let (good, bad) = parse_file_bytes(data);
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].input, "example.com");
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].line, Some(4));
        assert_eq!(bad[1].line, Some(6));
        assert!(bad[1].reason.contains("UTF-8"));
    }

    #[test]
    fn line_source_reads_lazily_through_a_small_buffer() {
        let data = b"a.example\n\n# c\nbad..x\nb.example";
        let r = std::io::BufReader::with_capacity(3, &data[..]);
        let got: Vec<_> = LineSource::new(r).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].as_ref().unwrap().input, "a.example");
        assert_eq!(got[1].as_ref().unwrap_err().line, Some(4));
        assert_eq!(got[2].as_ref().unwrap().input, "b.example");
    }

    #[test]
    fn overlong_line_is_reported_not_kept() {
        let mut data = vec![b'a'; MAX_LINE_LEN + 10];
        data.extend_from_slice(b"\nexample.org\n");
        let (good, bad) = parse_file_bytes(&data);
        assert_eq!(good.len(), 1);
        assert_eq!(bad[0].line, Some(1));
        assert!(bad[0].input.len() <= 40);
    }
}
