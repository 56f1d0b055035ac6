//! The HTTPS response carrying the MTA-STS policy (RFC 8461 §3.3): whether
//! its status, media type, charset and size let senders use the body, and
//! [`evaluate_response`], which hands a usable body on to [`parse_policy`].

use super::policy_file::{parse_policy, PolicyOutcome};
use super::MAX_BODY;
use crate::grade::rubric::CheckId;
use crate::policy::quote::quote;
use crate::report::{Check, Status};

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
    use crate::policy::mta_sts::test_fixtures::{has, GOOD};

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
