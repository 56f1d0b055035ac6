//! Shared machinery for the two DNS TXT records of the form
//! `v=<VERSION>; name=value; ...` used by MTA-STS (RFC 8461 §3.1) and
//! TLS-RPT (RFC 8460 §3): joining the character-strings of one RR, deciding
//! whether an RR is a candidate at all, and splitting the `;`-delimited
//! fields. Both RFCs share the same delimiter and extension-name grammar:
//!
//! ```text
//! field-delim = *WSP ";" *WSP
//! ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//! ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)  ; VCHAR minus "=" and ";"
//! ```

use crate::grade::rubric::CheckId;
use crate::policy::quote::{escape, escape_full, quote};
use crate::report::{Check, Status};

/// Maximum number of RRs examined at one owner name. A DNS message cannot
/// carry many more than this anyway; the cap only bounds work on hostile
/// caller-supplied input.
pub const MAX_RRS: usize = 1000;

/// Maximum length of one joined TXT record. RDATA is limited to 65535 octets
/// (RFC 1035 §3.2.1), so anything longer cannot have come from DNS.
pub const MAX_RECORD_LEN: usize = 65535;

/// An unrecognised `name=value` field, kept for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: String,
    pub value: String,
}

/// Join the character-strings of one TXT RR *without* a separator: RFC 8461
/// §3.1 and RFC 8460 §3 both say strings of one RR are concatenated
/// directly (unlike SPF's historical behaviour nobody relies on, no space is
/// inserted). Stops one byte past [`MAX_RECORD_LEN`] so the caller can
/// detect over-long input without unbounded allocation.
pub(crate) fn join_strings(rr: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in rr {
        let room = (MAX_RECORD_LEN + 1).saturating_sub(out.len());
        if room == 0 {
            break;
        }
        out.extend_from_slice(&s[..s.len().min(room)]);
    }
    out
}

/// Whether a joined TXT record is a candidate for the given version tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Candidate {
    /// Does not begin with the version tag (or continues it, e.g.
    /// `v=STSv10`): discarded as an unrelated TXT record.
    Unrelated,
    /// Begins with the version tag. `space_before_semicolon` is set when
    /// WSP separates the tag from the first `;` — legal per the ABNF
    /// (`field-delim = *WSP ";" *WSP`) but dropped by the literal discard
    /// rule "records that do not begin with `v=STSv1;`" (RFC 8461 erratum
    /// 6285; RFC 8460 §3 has the same wording for `v=TLSRPTv1;`).
    Version { space_before_semicolon: bool },
}

pub(crate) fn classify(record: &[u8], version: &[u8]) -> Candidate {
    let Some(rest) = record.strip_prefix(version) else {
        return Candidate::Unrelated;
    };
    match rest.first() {
        // "v=STSv1" on its own: clearly meant as the record, but invalid
        // (no fields); let the field parser report that.
        None | Some(b';') => Candidate::Version {
            space_before_semicolon: false,
        },
        Some(b' ' | b'\t') => Candidate::Version {
            space_before_semicolon: skip_wsp(rest).first() == Some(&b';'),
        },
        // Any other continuation makes a different token (e.g. "v=STSv12").
        Some(_) => Candidate::Unrelated,
    }
}

/// Case-insensitive prefix test, used to point out near misses such as
/// `v=stsv1;` that senders silently ignore because the tag is `%s`
/// (case-sensitive, RFC 7405) in both RFCs' ABNF.
pub(crate) fn is_near_miss(record: &[u8], version: &[u8]) -> bool {
    let trimmed = skip_wsp(record);
    trimmed.len() >= version.len()
        && trimmed[..version.len()].eq_ignore_ascii_case(version)
        && classify(record, version) == Candidate::Unrelated
}

pub(crate) fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

pub(crate) fn skip_wsp(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_wsp(b)).unwrap_or(s.len());
    &s[start..]
}

pub(crate) fn trim_wsp(s: &[u8]) -> &[u8] {
    let s = skip_wsp(s);
    let end = s.iter().rposition(|&b| !is_wsp(b)).map_or(0, |i| i + 1);
    &s[..end]
}

/// A raw `name=value` field; the value has surrounding WSP removed but is
/// otherwise unvalidated (each record type has its own value grammar).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    pub name: &'a [u8],
    pub value: &'a [u8],
}

/// Output of [`parse_fields`].
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    pub fields: Vec<Field<'a>>,
    /// WSP at the very end of the record with no `;` after it. The ABNF
    /// only allows WSP as part of a `field-delim`, but every parser we know
    /// of trims it, so callers report it as a warning, not an error.
    pub trailing_wsp: bool,
}

/// Parse `1*(field-delim field) [field-delim]` — everything after the
/// version tag. Returns a human-readable reason on failure (already safe:
/// quoted input goes through [`crate::policy::quote::quote`]).
pub(crate) fn parse_fields(rest: &[u8]) -> Result<Fields<'_>, String> {
    let mut pieces = rest.split(|&b| b == b';');
    // Between the version tag and the first ';' only WSP may appear.
    let head = pieces.next().unwrap_or(&[]);
    if !head.iter().all(|&b| is_wsp(b)) {
        return Err(format!(
            "expected \";\" after the version tag, found {}",
            quote(head)
        ));
    }
    let pieces: Vec<&[u8]> = pieces.collect();
    if pieces.is_empty() {
        return Err("no fields after the version tag".to_string());
    }
    let mut fields = Vec::new();
    let mut trailing_wsp = false;
    let last = pieces.len() - 1;
    for (i, piece) in pieces.iter().enumerate() {
        let field = trim_wsp(piece);
        if field.is_empty() {
            if i == last {
                // A single trailing delimiter is allowed by the ABNF.
                break;
            }
            return Err("empty field (two \";\" with nothing between them)".to_string());
        }
        if i == last && piece.last().is_some_and(|&b| is_wsp(b)) {
            trailing_wsp = true;
        }
        let Some(eq) = field.iter().position(|&b| b == b'=') else {
            return Err(format!(
                "field {} is not of the form name=value",
                quote(field)
            ));
        };
        let (name, value) = (&field[..eq], &field[eq + 1..]);
        if !is_ext_name(name) {
            return Err(format!(
                "invalid field name {} (must be a letter or digit followed by up to 31 of A-Z a-z 0-9 _ - .)",
                quote(name)
            ));
        }
        fields.push(Field { name, value });
    }
    if fields.is_empty() {
        return Err("no fields after the version tag".to_string());
    }
    Ok(Fields {
        fields,
        trailing_wsp,
    })
}

/// `ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`
/// (RFC 8461 §3.1 `sts-ext-name`, §3.2 `sts-policy-ext-name`,
/// RFC 8460 §3 `tlsrpt-ext-name`).
pub(crate) fn is_ext_name(name: &[u8]) -> bool {
    match name.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphanumeric()
                && rest.len() <= 31
                && rest
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        }
        None => false,
    }
}

/// `ext-value = 1*(%x21-3A / %x3C / %x3E-7E)`: visible ASCII except `;`
/// and `=`; no spaces.
pub(crate) fn is_ext_value(value: &[u8]) -> bool {
    !value.is_empty()
        && value
            .iter()
            .all(|&b| (0x21..=0x7e).contains(&b) && b != b';' && b != b'=')
}

/// Bytes known to be ASCII (validated by the caller) to `String`.
pub(crate) fn ascii_string(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Near-miss findings reported per owner name at most.
const MAX_NEAR_MISS_FINDINGS: usize = 5;

/// How one kind of versioned TXT record (MTA-STS, TLS-RPT) is named in findings.
pub(crate) struct RecordKind {
    /// The version tag the record must begin with, e.g. `v=STSv1`.
    pub tag: &'static str,
    /// Where "exactly one record" is required, e.g. "RFC 8461 §3.1".
    pub cite: &'static str,
    pub too_many_id: CheckId,
    pub near_miss_id: CheckId,
    pub missing_id: CheckId,
    pub missing_detail: &'static str,
    pub multiple_id: CheckId,
    /// How several records count: a failure for MTA-STS (no policy at all), a warning for
    /// TLS-RPT (only the feedback channel is lost).
    pub multiple_status: Status,
    /// What senders do when there are several, e.g. "senders ignore MTA-STS".
    pub multiple_consequence: &'static str,
    pub space_id: CheckId,
    pub space_cite: &'static str,
}

/// Join each RR, keep those that begin with the version tag, and report
/// near misses. Returns (joined text, space-before-semicolon) pairs.
fn select_candidates(
    rrs: &[Vec<Vec<u8>>],
    kind: &RecordKind,
    findings: &mut Vec<Check>,
) -> Vec<(Vec<u8>, bool)> {
    let tag = kind.tag.as_bytes();
    if rrs.len() > MAX_RRS {
        findings.push(Check::new(
            kind.too_many_id,
            Status::Warn,
            format!(
                "{} TXT records at this name; only the first {} were examined",
                rrs.len(),
                MAX_RRS
            ),
        ));
    }
    let mut candidates = Vec::new();
    let mut near_misses = 0usize;
    for rr in rrs.iter().take(MAX_RRS) {
        let joined = join_strings(rr);
        match classify(&joined, tag) {
            Candidate::Version {
                space_before_semicolon,
            } => candidates.push((joined, space_before_semicolon)),
            Candidate::Unrelated => {
                if is_near_miss(&joined, tag) && near_misses < MAX_NEAR_MISS_FINDINGS {
                    near_misses += 1;
                    findings.push(Check::new(
                        kind.near_miss_id,
                        Status::Warn,
                        format!(
                            "TXT record {} resembles but does not begin with the case-sensitive \"{}\" tag; senders ignore it",
                            quote(&joined),
                            escape(tag)
                        ),
                    ));
                }
            }
        }
    }
    candidates
}

fn list_records(records: &[(Vec<u8>, bool)]) -> String {
    let mut parts: Vec<String> = records.iter().take(5).map(|(t, _)| quote(t)).collect();
    if records.len() > 5 {
        parts.push(format!("and {} more", records.len() - 5));
    }
    parts.join(", ")
}

/// The record senders would use, per the discard rule shared by RFC 8461 §3.1 and RFC 8460 §3:
/// keep the RRs that begin with the tag; exactly one must remain. Returns every candidate
/// (escaped, for the report) and the chosen record's text when there is exactly one. Reports a
/// missing record, several records, and whitespace before the first ";".
pub(crate) fn pick_record(
    rrs: &[Vec<Vec<u8>>],
    kind: &RecordKind,
    findings: &mut Vec<Check>,
) -> (Vec<String>, Option<Vec<u8>>) {
    let mut candidates = select_candidates(rrs, kind, findings);
    let shown: Vec<String> = candidates.iter().map(|(t, _)| escape_full(t)).collect();
    let tag = kind.tag;
    match candidates.len() {
        0 => {
            findings.push(Check::new(
                kind.missing_id,
                Status::Info,
                kind.missing_detail,
            ));
            (shown, None)
        }
        1 => {
            let (text, space_before_semicolon) = candidates.remove(0);
            if space_before_semicolon {
                findings.push(Check::new(
                    kind.space_id,
                    Status::Warn,
                    format!(
                        "record {} has whitespace between \"{tag}\" and \";\": the ABNF allows it, but the discard rule (\"records that do not begin with {tag};\", {}) makes strict senders ignore the record; write \"{tag};\"",
                        quote(&text),
                        kind.space_cite
                    ),
                ));
            }
            (shown, Some(text))
        }
        n => {
            findings.push(Check::new(
                kind.multiple_id,
                kind.multiple_status,
                format!(
                    "{n} TXT records begin with \"{tag}\"; {} requires exactly one, so {}: {}",
                    kind.cite,
                    kind.multiple_consequence,
                    list_records(&candidates)
                ),
            ));
            (shown, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joining_stops_just_past_the_rdata_limit() {
        let rr = vec![vec![b'a'; 40000], vec![b'b'; 40000]];
        assert_eq!(join_strings(&rr).len(), MAX_RECORD_LEN + 1);
    }

    #[test]
    fn a_longer_version_token_is_unrelated() {
        assert_eq!(
            classify(b"v=STSv10; id=1", b"v=STSv1"),
            Candidate::Unrelated
        );
    }

    #[test]
    fn a_lowercase_tag_is_a_near_miss() {
        assert!(is_near_miss(b"v=stsv1; id=1", b"v=STSv1"));
        assert!(!is_near_miss(b"v=STSv1; id=1", b"v=STSv1"));
    }

    #[test]
    fn double_semicolon_is_rejected() {
        assert!(parse_fields(b"; id=1;; x=y").is_err());
    }

    #[test]
    fn ext_name_allows_32_characters_but_not_33() {
        assert!(is_ext_name(&[b'a'; 32]));
        assert!(!is_ext_name(&[b'a'; 33]));
        assert!(!is_ext_name(b"_a"));
    }
}
