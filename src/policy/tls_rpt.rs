//! SMTP TLS Reporting (RFC 8460) DNS record evaluation: the TXT record at
//! `_smtp._tls.<domain>` (§3), in particular its `rua=` list of report
//! destinations. Pure function over already-resolved TXT RRs; never panics
//! and reports problems as [`Check`]s. A broken record is at worst a warning:
//! reports are a feedback channel, and no mail is lost because of them.

use crate::grade::rubric::CheckId;
use crate::policy::quote::quote;
use crate::policy::txt::{self, Extension};
use crate::report::{Check, Status};

/// URIs beyond this in one `rua=` are ignored (with a finding).
pub const MAX_RUA: usize = 100;

/// The two URI schemes RFC 8460 §3 supports for `rua`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuaScheme {
    Mailto,
    Https,
}

/// A usable report destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportUri {
    pub scheme: RuaScheme,
    /// The URI as published (printable ASCII; validated).
    pub uri: String,
}

/// A syntactically valid TLS-RPT record with at least one usable `rua` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsRptRecord {
    pub text: String,
    /// Usable URIs only; rejected ones are reported as findings.
    pub rua: Vec<ReportUri>,
    /// Unknown fields, which RFC 8460 §3 says SHALL be ignored.
    pub extensions: Vec<Extension>,
}

/// Result of [`parse_txt`]: `record` is `Some` only if senders would use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsRptOutcome {
    pub record: Option<TlsRptRecord>,
    /// Every RR that began with `v=TLSRPTv1` (joined, escaped), valid or
    /// not, so a report can show what was published.
    pub candidates: Vec<String>,
    pub findings: Vec<Check>,
}

/// Evaluate all TXT RRs at `_smtp._tls.<domain>`, each given as its list of
/// character-strings.
///
/// RFC 8460 §3: strings of one RR are concatenated; records not beginning
/// with `v=TLSRPTv1;` are discarded; if the number left is not one, or the
/// record is invalid, senders "MUST assume the recipient domain does not
/// implement TLSRPT". As for MTA-STS, `v=TLSRPTv1 ;` is accepted with a
/// warning (the ABNF's `field-delim` allows the space; the discard rule does
/// not).
pub fn parse_txt(rrs: &[Vec<Vec<u8>>]) -> TlsRptOutcome {
    let mut findings = Vec::new();
    let (candidates, text) = txt::pick_record(rrs, &TLSRPT_RECORD, &mut findings);
    let Some(text) = text else {
        return TlsRptOutcome {
            record: None,
            candidates,
            findings,
        };
    };
    match parse_record(&text, &mut findings) {
        Ok(record) => {
            findings.push(Check::new(
                CheckId::TlsRptValid,
                Status::Pass,
                format!(
                    "valid TLS-RPT record with {} usable rua URI(s)",
                    record.rua.len()
                ),
            ));
            TlsRptOutcome {
                record: Some(record),
                candidates,
                findings,
            }
        }
        Err(why) => {
            findings.push(Check::new(
                CheckId::TlsRptInvalid,
                Status::Warn,
                format!("invalid TLS-RPT record {}: {why}", quote(&text)),
            ));
            TlsRptOutcome {
                record: None,
                candidates,
                findings,
            }
        }
    }
}

const TLSRPT_RECORD: txt::RecordKind = txt::RecordKind {
    tag: "v=TLSRPTv1",
    cite: "RFC 8460 §3",
    too_many_id: CheckId::TlsRptTooManyRrs,
    near_miss_id: CheckId::TlsRptNearMiss,
    missing_id: CheckId::TlsRptMissing,
    missing_detail:
        "no TXT record beginning with \"v=TLSRPTv1\"; the domain does not request TLS reports",
    multiple_id: CheckId::TlsRptMultiple,
    multiple_status: Status::Warn,
    multiple_consequence: "senders send no reports",
    space_id: CheckId::TlsRptSpaceBeforeSemicolon,
    space_cite: "RFC 8460 §3",
};

fn parse_record(text: &[u8], findings: &mut Vec<Check>) -> Result<TlsRptRecord, String> {
    if text.len() > txt::MAX_RECORD_LEN {
        return Err("record is longer than 65535 bytes".to_string());
    }
    let rest = text.get(TLSRPT_RECORD.tag.len()..).unwrap_or(&[]);
    let parsed = txt::parse_fields(rest)?;
    let mut rua: Option<&[u8]> = None;
    let mut extensions = Vec::new();
    for f in &parsed.fields {
        if f.name == b"rua" {
            if rua.is_some() {
                return Err("more than one rua= field".to_string());
            }
            rua = Some(f.value);
        } else {
            // tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
            if !txt::is_ext_value(f.value) {
                return Err(format!(
                    "field {} has an invalid value {}",
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
    let Some(rua) = rua else {
        return Err("required rua= field is missing".to_string());
    };
    if parsed.trailing_wsp {
        findings.push(Check::new(
            CheckId::TlsRptTrailingWsp,
            Status::Warn,
            "record ends in whitespace not followed by \";\"; the ABNF does not allow this, though most senders trim it",
        ));
    }
    let uris = parse_rua(rua, findings)?;
    Ok(TlsRptRecord {
        text: crate::policy::quote::escape_full(text),
        rua: uris,
        extensions,
    })
}

/// `tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)`.
/// Syntax errors in the list make the record invalid; a well-formed URI
/// with an unsupported scheme is only dropped (finding), but at least one
/// usable URI must remain.
fn parse_rua(value: &[u8], findings: &mut Vec<Check>) -> Result<Vec<ReportUri>, String> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for raw in value.split(|&b| b == b',') {
        let uri = txt::trim_wsp(raw);
        if uri.is_empty() {
            return Err("empty URI in the rua list".to_string());
        }
        total += 1;
        if total > MAX_RUA {
            continue;
        }
        if let Some(u) = check_uri(uri, findings) {
            out.push(u);
        }
    }
    if total > MAX_RUA {
        findings.push(Check::new(
            CheckId::TlsRptRuaTooMany,
            Status::Warn,
            format!("{total} rua URIs; only the first {MAX_RUA} were checked"),
        ));
    }
    if out.is_empty() {
        return Err("no usable rua URI (mailto: or https:)".to_string());
    }
    Ok(out)
}

/// Characters allowed anywhere in an RFC 3986 URI (unreserved, gen-delims,
/// sub-delims, and "%" which must start a pct-encoding).
fn is_uri_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

fn check_uri(uri: &[u8], findings: &mut Vec<Check>) -> Option<ReportUri> {
    let bad = |findings: &mut Vec<Check>, why: &str| {
        findings.push(Check::new(
            CheckId::TlsRptRuaInvalid,
            Status::Warn,
            format!("rua URI {} {why}; it is ignored", quote(uri)),
        ));
    };
    if let Some(pos) = uri.iter().position(|&b| !is_uri_char(b)) {
        bad(
            findings,
            &format!(
                "contains a character not allowed in a URI ({})",
                quote(&uri[pos..=pos])
            ),
        );
        return None;
    }
    // pct-encoded = "%" HEXDIG HEXDIG
    for (i, &b) in uri.iter().enumerate() {
        if b == b'%'
            && !(uri.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && uri.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            bad(findings, "has a \"%\" not followed by two hex digits");
            return None;
        }
    }
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1)
    let colon = uri.iter().position(|&b| b == b':');
    let scheme = colon.map(|c| &uri[..c]);
    let valid_scheme = scheme.is_some_and(|s| {
        s.first().is_some_and(u8::is_ascii_alphabetic)
            && s.iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    let (Some(c), true) = (colon, valid_scheme) else {
        bad(findings, "has no URI scheme");
        return None;
    };
    let scheme = &uri[..c];
    let rest = &uri[c + 1..];
    let kind = if scheme.eq_ignore_ascii_case(b"mailto") {
        RuaScheme::Mailto
    } else if scheme.eq_ignore_ascii_case(b"https") {
        RuaScheme::Https
    } else {
        findings.push(Check::new(
            CheckId::TlsRptRuaScheme,
            Status::Warn,
            format!(
                "rua URI {} uses scheme {}; RFC 8460 §3 supports only mailto: and https:, so it is ignored",
                quote(uri),
                quote(scheme)
            ),
        ));
        return None;
    };
    let target_ok = match kind {
        RuaScheme::Mailto => {
            // mailto:local@domain[?hfields] (RFC 6068)
            let addr = rest.split(|&b| b == b'?').next().unwrap_or(&[]);
            match addr.iter().rposition(|&b| b == b'@') {
                Some(at) => at > 0 && at + 1 < addr.len(),
                None => false,
            }
        }
        RuaScheme::Https => {
            // "//" authority, authority = [userinfo "@"] host [":" port]
            match rest.strip_prefix(b"//") {
                Some(after) => {
                    let end = after
                        .iter()
                        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
                        .unwrap_or(after.len());
                    let authority = &after[..end];
                    let host_port = match authority.iter().rposition(|&b| b == b'@') {
                        Some(at) => &authority[at + 1..],
                        None => authority,
                    };
                    let host = if host_port.first() == Some(&b'[') {
                        host_port
                    } else {
                        host_port.split(|&b| b == b':').next().unwrap_or(&[])
                    };
                    !host.is_empty()
                }
                None => false,
            }
        }
    };
    if !target_ok {
        bad(
            findings,
            match kind {
                RuaScheme::Mailto => "has no address of the form local@domain",
                RuaScheme::Https => "has no host (expected https://host/...)",
            },
        );
        return None;
    }
    // RFC 8460 §3: commas, exclamation points and semicolons within a
    // tlsrpt-uri MUST be percent-encoded. ";" and "," already split fields
    // and URIs, so only "!" can still be present here — typically a
    // DMARC-style size limit such as "!10m", which TLS-RPT does not have.
    if uri.contains(&b'!') {
        findings.push(Check::new(
            CheckId::TlsRptRuaUnencoded,
            Status::Warn,
            format!(
                "rua URI {} contains an unencoded \"!\" (RFC 8460 §3 requires %21); a DMARC-style size suffix like !10m is not part of TLS-RPT and becomes part of the address",
                quote(uri)
            ),
        ));
    }
    Some(ReportUri {
        scheme: kind,
        uri: txt::ascii_string(uri),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn txt(records: &[&[&str]]) -> TlsRptOutcome {
        let rrs: Vec<Vec<Vec<u8>>> = records
            .iter()
            .map(|r| r.iter().map(|s| s.as_bytes().to_vec()).collect())
            .collect();
        parse_txt(&rrs)
    }

    fn has(findings: &[Check], id: &str, status: Status) -> bool {
        findings.iter().any(|f| f.id == id && f.status == status)
    }

    #[test]
    fn a_record_with_a_mailto_and_an_https_uri_is_valid() {
        let out = txt(&[&[
            "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/v1/tlsrpt",
        ]]);
        let rec = out.record.unwrap();
        assert_eq!(rec.rua.len(), 2);
        assert_eq!(rec.rua[0].scheme, RuaScheme::Mailto);
        assert_eq!(rec.rua[0].uri, "mailto:tlsrpt@example.com");
        assert_eq!(rec.rua[1].scheme, RuaScheme::Https);
        assert!(has(&out.findings, "tls-rpt.valid", Status::Pass));
        assert!(!out.findings.iter().any(|f| f.status == Status::Warn));
    }

    #[test]
    fn two_rua_uris_with_spaces_around_the_comma_are_both_used() {
        let out = txt(&[&["v=TLSRPTv1;rua=mailto:a@example.com \t, mailto:b@example.org"]]);
        let rec = out.record.unwrap();
        assert_eq!(rec.rua[1].uri, "mailto:b@example.org");
    }

    #[test]
    fn split_strings_are_joined_without_spaces() {
        let out = txt(&[&["v=TLSRPTv1; rua=mailto:tls", "rpt@example.com"]]);
        assert_eq!(out.record.unwrap().rua[0].uri, "mailto:tlsrpt@example.com");
    }

    #[test]
    fn a_dmarc_style_size_suffix_is_an_unencoded_character_warning() {
        let out = txt(&[&["v=TLSRPTv1; rua=mailto:tlsrpt@example.com!10m"]]);
        assert!(out.record.is_some());
        assert!(has(&out.findings, "tls-rpt.rua-unencoded", Status::Warn));
        let encoded = txt(&[&["v=TLSRPTv1; rua=mailto:tlsrpt@example.com%2110m"]]);
        assert!(!encoded
            .findings
            .iter()
            .any(|f| f.id == "tls-rpt.rua-unencoded"));
    }

    #[test]
    fn an_ftp_uri_is_rejected_and_alone_leaves_the_record_invalid() {
        let out = txt(&[&["v=TLSRPTv1; rua=ftp://example.com/reports"]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "tls-rpt.rua-scheme", Status::Warn));
        assert!(has(&out.findings, "tls-rpt.invalid", Status::Warn));
        let mixed = txt(&[&["v=TLSRPTv1; rua=ftp://example.com/r,mailto:a@example.com"]]);
        assert_eq!(mixed.record.unwrap().rua.len(), 1);
        assert!(has(&mixed.findings, "tls-rpt.rua-scheme", Status::Warn));
    }

    #[test]
    fn a_missing_rua_is_invalid() {
        let out = txt(&[&["v=TLSRPTv1; ruf=mailto:a@example.com"]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "tls-rpt.invalid", Status::Warn));
        assert!(txt(&[&["v=TLSRPTv1;"]]).record.is_none());
        assert!(txt(&[&["v=TLSRPTv1; rua="]]).record.is_none());
    }

    #[test]
    fn two_tlsrpt_records_mean_no_reporting() {
        let out = txt(&[
            &["v=TLSRPTv1; rua=mailto:a@example.com"],
            &["v=TLSRPTv1; rua=mailto:b@example.com"],
        ]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "tls-rpt.multiple", Status::Warn));
    }

    #[test]
    fn a_missing_record_is_reported() {
        let out = txt(&[&["v=spf1 -all"]]);
        assert!(out.record.is_none());
        assert!(has(&out.findings, "tls-rpt.missing", Status::Info));
        assert!(has(
            &parse_txt(&[]).findings,
            "tls-rpt.missing",
            Status::Info
        ));
    }

    #[test]
    fn an_unrelated_record_alongside_is_ignored() {
        let out = txt(&[
            &["google-site-verification=x"],
            &["v=TLSRPTv1; rua=mailto:a@example.com"],
        ]);
        assert!(out.record.is_some());
    }

    #[test]
    fn a_space_before_the_first_semicolon_is_accepted_with_a_warning() {
        let out = txt(&[&["v=TLSRPTv1 ;rua=mailto:a@example.com"]]);
        assert!(out.record.is_some());
        assert!(has(
            &out.findings,
            "tls-rpt.space-before-semicolon",
            Status::Warn
        ));
        assert!(txt(&[&["v=TLSRPTv10; rua=mailto:a@example.com"]])
            .record
            .is_none());
    }

    #[test]
    fn malformed_uris_are_rejected() {
        for bad in [
            "mailto:",
            "mailto:example.com",
            "mailto:@example.com",
            "mailto:a@",
            "https:",
            "https://",
            "https:///path",
            "https:example.com",
            "https://user@:443/",
            "mailto:a b@example.com",
            "mailto:a@example.com%2",
            "mailto:a@exa%zzmple.com",
            "reports@example.com",
            ":x",
            "mailto:a@\u{e9}.example",
        ] {
            let rec = format!("v=TLSRPTv1; rua={bad}");
            let out = txt(&[&[rec.as_str()]]);
            assert!(out.record.is_none(), "{bad:?} accepted");
        }
        for good in [
            "HTTPS://r.example:8443/x?y=1",
            "https://[2001:db8::1]/r",
            "MailTo:a@b.example?subject=x",
        ] {
            let rec = format!("v=TLSRPTv1; rua={good}");
            assert!(
                txt(&[&[rec.as_str()]]).record.is_some(),
                "{good:?} rejected"
            );
        }
    }

    #[test]
    fn a_trailing_comma_in_rua_is_invalid_but_a_trailing_semicolon_is_fine() {
        assert!(txt(&[&["v=TLSRPTv1; rua=mailto:a@example.com,"]])
            .record
            .is_none());
        assert!(txt(&[&["v=TLSRPTv1; rua=mailto:a@example.com; "]])
            .record
            .is_some());
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let out = txt(&[&["v=TLSRPTv1; rua=mailto:a@example.com; future=1"]]);
        assert_eq!(out.record.unwrap().extensions[0].name, "future");
    }

    #[test]
    fn a_duplicate_rua_field_is_invalid() {
        let out = txt(&[&["v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com"]]);
        assert!(out.record.is_none());
    }

    #[test]
    fn a_lowercase_tag_is_a_near_miss_and_trailing_whitespace_is_a_warning() {
        let out = txt(&[&["v=tlsrptv1; rua=mailto:a@example.com"]]);
        assert!(has(&out.findings, "tls-rpt.near-miss", Status::Warn));
        assert!(has(&out.findings, "tls-rpt.missing", Status::Info));
        let ws = txt(&[&["v=TLSRPTv1; rua=mailto:a@example.com\t"]]);
        assert!(ws.record.is_some());
        assert!(has(&ws.findings, "tls-rpt.trailing-wsp", Status::Warn));
    }

    #[test]
    fn too_many_rrs_and_rua_uris_are_capped_with_findings() {
        let rrs: Vec<Vec<Vec<u8>>> = (0..txt::MAX_RRS + 1).map(|_| vec![b"x".to_vec()]).collect();
        assert!(has(
            &parse_txt(&rrs).findings,
            "tls-rpt.too-many-rrs",
            Status::Warn
        ));
        let list = vec!["mailto:a@example.com"; MAX_RUA + 1].join(",");
        let rec = format!("v=TLSRPTv1; rua={list}");
        let out = txt(&[&[rec.as_str()]]);
        assert_eq!(out.record.unwrap().rua.len(), MAX_RUA);
        assert!(has(&out.findings, "tls-rpt.rua-too-many", Status::Warn));
    }

    #[test]
    fn a_malformed_uri_is_dropped_but_the_others_are_kept() {
        let out = txt(&[&["v=TLSRPTv1; rua=mailto:x,https://r.example/"]]);
        assert_eq!(out.record.unwrap().rua.len(), 1);
        assert!(has(&out.findings, "tls-rpt.rua-invalid", Status::Warn));
    }
}
