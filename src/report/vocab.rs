//! The closed vocabularies of the report's text fields that scans fill with `&'static str`
//! (target kind, MTA-STS mode, probe result, weak cipher class), and reading them back into
//! those same static strings.
//!
//! The writers of these fields (the scan, the probes, the MTA-STS check) build them from string
//! literals, so the model keeps `&'static str` and reading a report maps each value onto the
//! one this build writes. A value outside the list is not one docs/report.schema.json allows,
//! and reading fails with the list in the message.

use serde::{Deserialize, Deserializer};

/// A word of one of these vocabularies. Spelled as an alias because serde's derive takes a field
/// written `&str` as borrowed from the input, which a `'static` one cannot be.
pub type Word = &'static str;

/// `TargetReport.kind`.
pub const TARGET_KINDS: &[&str] = &["mail-domain", "endpoint"];
/// `PolicyReport.mode` (RFC 8461 §3.2).
pub const POLICY_MODES: &[&str] = &["enforce", "testing", "none"];
/// `ProtocolDetail.result`.
pub const PROBE_RESULTS: &[&str] = &["accepted", "refused", "unknown"];
/// `WeakClassResult.class`, in report order.
pub const WEAK_CLASSES: &[&str] = &["rc4", "3des", "export", "null", "anon"];

fn one_of<'de, D: Deserializer<'de>>(
    d: D,
    vocab: &'static [&'static str],
) -> Result<Word, D::Error> {
    let s = String::deserialize(d)?;
    vocab
        .iter()
        .copied()
        .find(|v| *v == s)
        .ok_or_else(|| serde::de::Error::unknown_variant(&s, vocab))
}

pub fn target_kind<'de, D: Deserializer<'de>>(d: D) -> Result<Word, D::Error> {
    one_of(d, TARGET_KINDS)
}

pub fn policy_mode<'de, D: Deserializer<'de>>(d: D) -> Result<Word, D::Error> {
    one_of(d, POLICY_MODES)
}

pub fn probe_result<'de, D: Deserializer<'de>>(d: D) -> Result<Word, D::Error> {
    one_of(d, PROBE_RESULTS)
}

pub fn weak_class<'de, D: Deserializer<'de>>(d: D) -> Result<Word, D::Error> {
    one_of(d, WEAK_CLASSES)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists name exactly what the writers write, where the writers keep a list of their own.
    #[test]
    fn vocabularies_match_their_writers() {
        let classes: Vec<&str> = crate::wire::suites::WeakClass::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(classes, WEAK_CLASSES);
        use crate::policy::mta_sts::Mode;
        let modes: Vec<&str> = [Mode::Enforce, Mode::Testing, Mode::None]
            .iter()
            .map(|m| m.as_str())
            .collect();
        assert_eq!(modes, POLICY_MODES);
    }

    #[test]
    fn a_value_outside_the_list_is_an_error_naming_the_list() {
        #[derive(Deserialize, Debug)]
        struct K {
            #[serde(deserialize_with = "target_kind")]
            kind: Word,
        }
        let k: K = serde_json::from_str(r#"{"kind": "endpoint"}"#).unwrap();
        assert_eq!(k.kind, "endpoint");
        let e = serde_json::from_str::<K>(r#"{"kind": "planet"}"#).unwrap_err();
        assert!(e.to_string().contains("mail-domain"), "{e}");
    }
}
