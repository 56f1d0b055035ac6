//! The `_mta-sts.<domain>` TXT record (RFC 8461 §3.1): which of the TXT RRs
//! senders would use, and its `id=` and extension fields.

use crate::grade::rubric::CheckId;
use crate::policy::quote::{escape_full, quote};
use crate::policy::txt::{self, Extension};
use crate::report::{Check, Status};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::mta_sts::test_fixtures::has;

    fn rr(strings: &[&str]) -> Vec<Vec<u8>> {
        strings.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn txt(records: &[&[&str]]) -> TxtOutcome {
        let rrs: Vec<Vec<Vec<u8>>> = records.iter().map(|r| rr(r)).collect();
        parse_txt(&rrs)
    }

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
}
