//! MTA-STS (RFC 8461) decisions, as pure functions over already-fetched
//! data: the `_mta-sts.<domain>` TXT record (§3.1), the policy file served
//! at `https://mta-sts.<domain>/.well-known/mta-sts.txt` (§3.2), whether an
//! HTTP response carrying that file is usable (§3.3), and matching MX host
//! names against the policy's `mx` patterns (§4.1).
//!
//! Nothing here performs I/O; the caller resolves DNS and performs the
//! HTTPS GET (without following redirects, with a 64 KiB body cap) and
//! hands the results in. Every function accepts arbitrary bytes without
//! panicking and reports problems as [`Check`]s.

use crate::grade::rubric::CheckId;
use crate::policy::quote::{escape, escape_full, quote};
use crate::policy::txt::{self, Extension};
use crate::report::{Check, Status};

/// Largest `max_age` most implementations accept: one year (31557600 s).
/// RFC 8461 §3.2 only says "Maximum value of 31557600" in prose; erratum
/// 7282 notes the ABNF (`1*10DIGIT`) allows more. Larger values are a
/// warning, not invalid, because the ABNF still accepts them.
pub const MAX_AGE_LIMIT: u64 = 31_557_600;
const ONE_DAY: u64 = 86_400;
const ONE_WEEK: u64 = 604_800;

/// Body size senders are expected to accept (RFC 8461 §3.3 suggests
/// a 64 KB maximum policy size). Also the most the policy parser reads.
pub const MAX_BODY: usize = 64 * 1024;
/// Lines beyond this are ignored (with a finding); a sane policy has < 10.
pub const MAX_LINES: usize = 10_000;
/// `mx` patterns beyond this are ignored (with a finding).
pub const MAX_MX: usize = 1000;
/// Unknown policy keys kept for display.
const MAX_EXTENSIONS: usize = 100;
/// Per-kind cap on repetitive findings (ignored lines, duplicate keys).
const MAX_REPEAT_FINDINGS: usize = 5;

// ---------------------------------------------------------------------------
// §3.1 TXT record
// ---------------------------------------------------------------------------

/// A syntactically valid `_mta-sts` TXT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsRecord {
    /// The joined record text (printable ASCII only; a valid record cannot
    /// contain anything else).
    pub text: String,
    /// The `id=` value (1–32 letters/digits); a change tells senders to
    /// refetch the policy.
    pub id: String,
    /// Other `name=value` fields, in order.
    pub extensions: Vec<Extension>,
}

/// Result of [`parse_txt`]: `record` is `Some` only if senders would use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxtOutcome {
    pub record: Option<StsRecord>,
    /// Every RR that began with `v=STSv1` (joined, escaped), valid or not,
    /// so a report can show what was published.
    pub candidates: Vec<String>,
    pub findings: Vec<Check>,
}

/// Evaluate all TXT RRs found at `_mta-sts.<domain>`; each RR is given as
/// its list of character-strings.
///
/// RFC 8461 §3.1: records not beginning with `v=STSv1;` are discarded; if
/// the number left is not one, or it is syntactically invalid, senders
/// "MUST assume the recipient domain does not have an available MTA-STS
/// Policy".
pub fn parse_txt(rrs: &[Vec<Vec<u8>>]) -> TxtOutcome {
    let mut findings = Vec::new();
    let (candidates, text) = txt::pick_record(rrs, &STS_RECORD, &mut findings);
    let Some(text) = text else {
        return TxtOutcome {
            record: None,
            candidates,
            findings,
        };
    };
    let record = match parse_sts_fields(&text, &mut findings) {
        Ok(r) => r,
        Err(reason) => {
            findings.push(Check::new(
                CheckId::MtaStsTxtInvalid,
                Status::Fail,
                format!("invalid MTA-STS record {}: {reason}", quote(&text)),
            ));
            return TxtOutcome {
                record: None,
                candidates,
                findings,
            };
        }
    };
    findings.push(Check::new(
        CheckId::MtaStsTxtValid,
        Status::Pass,
        format!("valid MTA-STS record, id={}", record.id),
    ));
    TxtOutcome {
        record: Some(record),
        candidates,
        findings,
    }
}

const STS_RECORD: txt::RecordKind = txt::RecordKind {
    tag: "v=STSv1",
    cite: "RFC 8461 §3.1",
    too_many_id: CheckId::MtaStsTxtTooManyRrs,
    near_miss_id: CheckId::MtaStsTxtNearMiss,
    missing_id: CheckId::MtaStsTxtMissing,
    missing_detail: "no TXT record beginning with \"v=STSv1\"; the domain does not publish MTA-STS",
    multiple_id: CheckId::MtaStsTxtMultiple,
    multiple_status: Status::Fail,
    multiple_consequence: "senders ignore MTA-STS",
    space_id: CheckId::MtaStsTxtSpaceBeforeSemicolon,
    space_cite: "RFC 8461 §3.1 (erratum 6285)",
};

/// `sts-id = %s"id=" 1*32(ALPHA / DIGIT)`; everything else is an extension.
fn parse_sts_fields(text: &[u8], findings: &mut Vec<Check>) -> Result<StsRecord, String> {
    if text.len() > txt::MAX_RECORD_LEN {
        return Err("record is longer than 65535 bytes".to_string());
    }
    let rest = text.get(STS_RECORD.tag.len()..).unwrap_or(&[]);
    let parsed = txt::parse_fields(rest)?;
    let mut id: Option<&[u8]> = None;
    let mut extensions = Vec::new();
    for f in &parsed.fields {
        if f.name == b"id" {
            // The ABNF would also parse "id=a-b" as an extension named "id";
            // we treat any field named "id" as the id, since that is what
            // the publisher meant and senders key their cache on it.
            if id.is_some() {
                return Err("more than one id= field".to_string());
            }
            if f.value.is_empty()
                || f.value.len() > 32
                || !f.value.iter().all(u8::is_ascii_alphanumeric)
            {
                return Err(format!(
                    "id {} must be 1 to 32 letters or digits (RFC 8461 §3.1)",
                    quote(f.value)
                ));
            }
            id = Some(f.value);
        } else {
            if !txt::is_ext_value(f.value) {
                return Err(format!(
                    "extension {} has an invalid value {}",
                    quote(f.name),
                    quote(f.value)
                ));
            }
            extensions.push(Extension {
                name: txt::ascii_string(f.name),
                value: txt::ascii_string(f.value),
            });
        }
    }
    let Some(id) = id else {
        return Err("required id= field is missing".to_string());
    };
    if parsed.trailing_wsp {
        findings.push(Check::new(
            CheckId::MtaStsTxtTrailingWsp,
            Status::Warn,
            "record ends in whitespace not followed by \";\"; the ABNF does not allow this, though most senders trim it",
        ));
    }
    Ok(StsRecord {
        text: escape_full(text),
        id: txt::ascii_string(id),
        extensions,
    })
}

// ---------------------------------------------------------------------------
// §3.2 policy file
// ---------------------------------------------------------------------------

/// `sts-policy-mode-value = %s"testing" / %s"enforce" / %s"none"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

// ---------------------------------------------------------------------------
// §3.3 HTTP response
// ---------------------------------------------------------------------------

/// Result of [`evaluate_http`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpOutcome {
    /// `true` if the body should be handed to [`parse_policy`].
    pub body_usable: bool,
    pub findings: Vec<Check>,
}

/// Judge the HTTPS response for the policy file.
///
/// `body` is what the caller read (already capped); `cap_exceeded` says the
/// server sent more than [`MAX_BODY`] bytes.
///
/// * RFC 8461 §3.3: only 200 (OK) is valid and 3xx redirects MUST NOT be
///   followed, so 204/206/3xx/4xx/5xx are all failures.
/// * RFC 8461 §3.2: senders SHOULD check the media type is `text/plain`;
///   a mismatch is a warning. The policy is UTF-8/ASCII text, so other
///   declared charsets are suspicious too.
/// * RFC 8461 §3.3 suggests a 64 KB limit on the body; bigger fails.
pub fn evaluate_http(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    cap_exceeded: bool,
) -> HttpOutcome {
    let mut findings = Vec::new();
    let status_ok = status == 200;
    findings.push(match status {
        200 => Check::new(CheckId::MtaStsHttpStatus, Status::Pass, "HTTP 200 (OK)"),
        300..=399 => Check::new(
            CheckId::MtaStsHttpStatus,
            Status::Fail,
            format!("HTTP {status} redirect: RFC 8461 §3.3 forbids following redirects, so senders get no policy"),
        ),
        _ => Check::new(
            CheckId::MtaStsHttpStatus,
            Status::Fail,
            format!("HTTP {status}: only 200 (OK) is a valid policy response (RFC 8461 §3.3)"),
        ),
    });
    check_content_type(content_type, &mut findings);
    let too_large = cap_exceeded || body.len() > MAX_BODY;
    if too_large {
        findings.push(Check::new(
            CheckId::MtaStsBodyTooLarge,
            Status::Fail,
            format!("policy body exceeds {MAX_BODY} bytes, the limit senders are expected to apply (RFC 8461 §3.3)"),
        ));
    }
    HttpOutcome {
        body_usable: status_ok && !too_large,
        findings,
    }
}

/// [`evaluate_http`] followed, if the body is usable, by [`parse_policy`];
/// findings of both are concatenated.
pub fn evaluate_response(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    cap_exceeded: bool,
) -> PolicyOutcome {
    let http = evaluate_http(status, content_type, body, cap_exceeded);
    let mut findings = http.findings;
    if !http.body_usable {
        return PolicyOutcome {
            policy: None,
            findings,
        };
    }
    let parsed = parse_policy(body);
    findings.extend(parsed.findings);
    PolicyOutcome {
        policy: parsed.policy,
        findings,
    }
}

fn check_content_type(content_type: Option<&str>, findings: &mut Vec<Check>) {
    let Some(ct) = content_type else {
        findings.push(Check::new(
            CheckId::MtaStsContentType,
            Status::Warn,
            "no Content-Type header; the policy should be served as text/plain (RFC 8461 §3.2)",
        ));
        return;
    };
    // RFC 9110 §8.3.1: media-type = type "/" subtype parameters, all
    // case-insensitive except parameter values; OWS around ";".
    let ows = |c: char| c == ' ' || c == '\t';
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or("").trim_matches(ows);
    if media.eq_ignore_ascii_case("text/plain") {
        findings.push(Check::new(
            CheckId::MtaStsContentType,
            Status::Pass,
            "Content-Type is text/plain",
        ));
    } else {
        findings.push(Check::new(
            CheckId::MtaStsContentType,
            Status::Warn,
            format!(
                "Content-Type {} is not text/plain; RFC 8461 §3.2 says senders SHOULD check it, so some will reject the policy",
                quote(ct.as_bytes())
            ),
        ));
    }
    for param in parts.take(32) {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if !name.trim_matches(ows).eq_ignore_ascii_case("charset") {
            continue;
        }
        let value = value.trim_matches(ows);
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        if !(value.eq_ignore_ascii_case("utf-8") || value.eq_ignore_ascii_case("us-ascii")) {
            findings.push(Check::new(
                CheckId::MtaStsCharset,
                Status::Warn,
                format!(
                    "charset {} declared; the policy is UTF-8 text, so use utf-8 or us-ascii (or none)",
                    quote(value.as_bytes())
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rr(strings: &[&str]) -> Vec<Vec<u8>> {
        strings.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn has(findings: &[Check], id: &str, status: Status) -> bool {
        findings.iter().any(|f| f.id == id && f.status == status)
    }

    fn txt(records: &[&[&str]]) -> TxtOutcome {
        let rrs: Vec<Vec<Vec<u8>>> = records.iter().map(|r| rr(r)).collect();
        parse_txt(&rrs)
    }

    fn policy(body: &str) -> PolicyOutcome {
        parse_policy(body.as_bytes())
    }

    const GOOD: &str =
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n";

    // ---- TXT record ----

    #[test]
    fn two_sts_records_make_the_domain_have_no_usable_record() {
        let out = txt(&[&["v=STSv1; id=1"], &["v=STSv1; id=2"]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "mta-sts.txt-multiple", Status::Fail));
        assert_eq!(out.candidates, ["v=STSv1; id=1", "v=STSv1; id=2"]);
    }

    #[test]
    fn a_long_valid_record_text_is_returned_untruncated() {
        let long = format!("v=STSv1; id=1; ext={}", "x".repeat(400));
        let out = txt(&[&[long.as_str()]]);
        assert_eq!(out.record.unwrap().text, long);
    }

    #[test]
    fn an_unrelated_txt_record_next_to_a_valid_one_is_ignored() {
        let out = txt(&[&["v=spf1 -all"], &["v=STSv1; id=20240101"], &["hello"]]);
        assert_eq!(out.record.unwrap().id, "20240101");
        assert!(has(&out.findings, "mta-sts.txt-valid", Status::Pass));
    }

    #[test]
    fn split_strings_of_one_record_are_joined_without_spaces() {
        let out = txt(&[&["v=STSv1; id=2019", "0101"]]);
        let rec = out.record.unwrap();
        assert_eq!(rec.id, "20190101");
        assert_eq!(rec.text, "v=STSv1; id=20190101");
    }

    #[test]
    fn an_id_of_32_characters_is_valid_but_33_is_invalid() {
        let ok = format!("v=STSv1; id={}", "a".repeat(32));
        assert!(txt(&[&[ok.as_str()]]).record.is_some());
        let long = format!("v=STSv1; id={}", "a".repeat(33));
        let out = txt(&[&[long.as_str()]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "mta-sts.txt-invalid", Status::Fail));
    }

    #[test]
    fn an_id_containing_a_hyphen_is_invalid() {
        let out = txt(&[&["v=STSv1; id=2024-01-01"]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "mta-sts.txt-invalid", Status::Fail));
    }

    #[test]
    fn a_space_before_the_first_semicolon_is_accepted_with_a_distinct_warning() {
        let out = txt(&[&["v=STSv1 ; id=abc"]]);
        assert_eq!(out.record.unwrap().id, "abc");
        assert!(has(
            &out.findings,
            "mta-sts.txt-space-before-semicolon",
            Status::Warn
        ));
        let strict = txt(&[&["v=STSv1; id=abc"]]);
        assert!(!strict
            .findings
            .iter()
            .any(|f| f.id == "mta-sts.txt-space-before-semicolon"));
    }

    #[test]
    fn extensions_are_returned_in_order() {
        let out = txt(&[&["v=STSv1; id=1; foo=bar;x.y-z_=a:b"]]);
        let rec = out.record.unwrap();
        assert_eq!(rec.extensions.len(), 2);
        assert_eq!(rec.extensions[0].name, "foo");
        assert_eq!(rec.extensions[1].name, "x.y-z_");
        assert_eq!(rec.extensions[1].value, "a:b");
    }

    #[test]
    fn an_extension_value_with_a_space_is_invalid() {
        assert!(txt(&[&["v=STSv1; id=1; foo=a b"]]).record.is_none());
    }

    #[test]
    fn a_trailing_semicolon_with_optional_whitespace_is_accepted() {
        assert!(txt(&[&["v=STSv1; id=1;"]]).record.is_some());
        assert!(txt(&[&["v=STSv1;id=1 ; "]]).record.is_some());
    }

    #[test]
    fn trailing_whitespace_without_semicolon_is_a_warning() {
        let out = txt(&[&["v=STSv1; id=1 "]]);
        assert!(out.record.is_some());
        assert!(has(&out.findings, "mta-sts.txt-trailing-wsp", Status::Warn));
    }

    #[test]
    fn a_missing_id_is_invalid() {
        let out = txt(&[&["v=STSv1; foo=bar"]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "mta-sts.txt-invalid", Status::Fail));
        assert!(txt(&[&["v=STSv1"]]).record.is_none());
        assert!(txt(&[&["v=STSv1;"]]).record.is_none());
    }

    #[test]
    fn no_sts_record_is_reported_as_missing() {
        let out = txt(&[&["v=spf1 -all"]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "mta-sts.txt-missing", Status::Info));
        assert!(has(
            &parse_txt(&[]).findings,
            "mta-sts.txt-missing",
            Status::Info
        ));
    }

    #[test]
    fn a_lowercase_version_tag_is_ignored_with_a_near_miss_warning() {
        let out = txt(&[&["v=stsv1; id=1"]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "mta-sts.txt-near-miss", Status::Warn));
        assert!(has(&out.findings, "mta-sts.txt-missing", Status::Info));
    }

    #[test]
    fn control_characters_in_a_record_are_escaped_in_details() {
        let out = txt(&[&["v=STSv1; id=1\r\n\x1b[31m"]]);
        assert!(out.record.is_none());
        let f = out
            .findings
            .iter()
            .find(|f| f.id == "mta-sts.txt-invalid")
            .unwrap();
        assert!(f.detail.contains("\\x0D\\x0A\\x1B"));
        assert!(!f.detail.chars().any(char::is_control));
    }

    // ---- policy file ----

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

    // ---- MX matching ----

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

    // ---- HTTP ----

    fn worst(findings: &[Check]) -> bool {
        findings
            .iter()
            .any(|f| matches!(f.status, Status::Warn | Status::Fail))
    }

    #[test]
    fn http_200_text_plain_is_usable_without_warnings() {
        let out = evaluate_http(200, Some("text/plain"), GOOD.as_bytes(), false);
        assert!(out.body_usable);
        assert!(!worst(&out.findings));
        for ct in [
            "text/plain; charset=utf-8",
            "Text/Plain;CHARSET=\"US-ASCII\"",
            " text/plain ; format=flowed",
        ] {
            let o = evaluate_http(200, Some(ct), GOOD.as_bytes(), false);
            assert!(!worst(&o.findings), "{ct}: {:?}", o.findings);
        }
    }

    #[test]
    fn http_204_is_not_a_valid_policy_response() {
        let out = evaluate_http(204, Some("text/plain"), b"", false);
        assert!(!out.body_usable);
        assert!(has(&out.findings, "mta-sts.http-status", Status::Fail));
        assert!(!evaluate_http(206, Some("text/plain"), GOOD.as_bytes(), false).body_usable);
    }

    #[test]
    fn http_301_is_a_redirect_that_must_not_be_followed() {
        let out = evaluate_http(301, Some("text/html"), b"", false);
        assert!(!out.body_usable);
        let f = out
            .findings
            .iter()
            .find(|f| f.id == "mta-sts.http-status")
            .unwrap();
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("redirect"));
    }

    #[test]
    fn text_html_is_a_content_type_warning_but_still_usable() {
        let out = evaluate_http(
            200,
            Some("text/html; charset=utf-8"),
            GOOD.as_bytes(),
            false,
        );
        assert!(out.body_usable);
        assert!(has(&out.findings, "mta-sts.content-type", Status::Warn));
        let none = evaluate_http(200, None, GOOD.as_bytes(), false);
        assert!(has(&none.findings, "mta-sts.content-type", Status::Warn));
    }

    #[test]
    fn an_iso_8859_1_charset_is_a_warning() {
        let out = evaluate_http(
            200,
            Some("text/plain; charset=iso-8859-1"),
            GOOD.as_bytes(),
            false,
        );
        assert!(has(&out.findings, "mta-sts.charset", Status::Warn));
        assert!(has(&out.findings, "mta-sts.content-type", Status::Pass));
    }

    #[test]
    fn a_body_over_64_kib_fails() {
        let out = evaluate_http(200, Some("text/plain"), &vec![b'a'; MAX_BODY], true);
        assert!(!out.body_usable);
        assert!(has(&out.findings, "mta-sts.body-too-large", Status::Fail));
        let big = evaluate_http(200, Some("text/plain"), &vec![b'a'; MAX_BODY + 1], false);
        assert!(has(&big.findings, "mta-sts.body-too-large", Status::Fail));
        let exact = evaluate_http(200, Some("text/plain"), &vec![b'a'; MAX_BODY], false);
        assert!(exact.body_usable);
    }

    #[test]
    fn evaluate_response_parses_only_usable_bodies() {
        let ok = evaluate_response(200, Some("text/plain"), GOOD.as_bytes(), false);
        assert!(ok.policy.is_some());
        assert!(has(&ok.findings, "mta-sts.http-status", Status::Pass));
        assert!(has(&ok.findings, "mta-sts.policy-valid", Status::Pass));
        let redirected = evaluate_response(302, Some("text/plain"), GOOD.as_bytes(), false);
        assert!(redirected.policy.is_none());
        assert!(!redirected
            .findings
            .iter()
            .any(|f| f.id == "mta-sts.policy-valid"));
    }

    #[test]
    fn a_hostile_content_type_is_escaped() {
        let out = evaluate_http(200, Some("text/html\u{1b}[2J\u{7}"), b"", false);
        assert!(out
            .findings
            .iter()
            .all(|f| !f.detail.chars().any(char::is_control)));
    }
}
