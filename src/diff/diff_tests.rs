//! Unit tests of the comparison and its text form, on reports built from the model (and, for
//! what only a file can say, read from JSON).

use super::*;
use crate::grade::rubric::{CheckId, Grade};
use crate::report::read::parse;
use crate::report::{CertInfo, CertificateReport, GradeValue, PolicyReport, VersionMap};
use crate::target::Transport;

fn letter(g: Grade) -> Option<GradeValue> {
    Some(GradeValue::Letter(g))
}

fn endpoint(sha1: &str, not_after: &str, grade: Grade, tls10: bool) -> EndpointReport {
    let mut e = EndpointReport::new(
        "mx.example.test".into(),
        Some("192.0.2.1".into()),
        25,
        Transport::SmtpStartTls,
    );
    e.grade = letter(grade);
    e.checks = vec![Check::new(CheckId::CertTrusted, Status::Pass, "ok")];
    if tls10 {
        e.checks
            .push(Check::new(CheckId::TlsLegacyVersions, Status::Warn, "x"));
    }
    e.protocols = Some(VersionMap {
        sslv3: Some(false),
        tls10: Some(tls10),
        tls11: Some(false),
        tls12: Some(true),
        tls13: Some(true),
    });
    let leaf = CertInfo {
        subject: "CN=mx".into(),
        issuer: "CN=CA".into(),
        sans: vec![],
        serial: "01".into(),
        not_before: "2025-01-01T00:00:00Z".into(),
        not_after: not_after.into(),
        key_type: crate::wire::keys::KeyType::from_name("EC P-256"),
        key_bits: Some(256),
        signature_algorithm: "ecdsa-with-SHA256".into(),
        sha256: format!("{sha1}-256"),
        sha1: sha1.into(),
        spki_sha256: String::new(),
        self_issued: false,
    };
    e.certificate = Some(CertificateReport {
        trusted: true,
        name_matches: true,
        not_after: not_after.into(),
        days_remaining: 100,
        trust_error: None,
        chain: vec![leaf],
        ..Default::default()
    });
    e
}

fn target(input: &str, eps: Vec<EndpointReport>, grade: Grade) -> TargetReport {
    let mut t = TargetReport::new(input, crate::report::Kind::MailDomain);
    t.grade = letter(grade);
    t.endpoints = eps;
    t
}

fn domain(eps: Vec<EndpointReport>, grade: Grade) -> TargetReport {
    target("example.test", eps, grade)
}

/// `t` as an NDJSON line, and read back.
fn round_trip(t: &TargetReport) -> TargetReport {
    let line = serde_json::to_string(t).unwrap();
    parse("t.ndjson", line.as_bytes()).unwrap().remove(0)
}

#[test]
fn certificate_grade_and_protocol_changes_are_reported_with_the_reason() {
    let old = vec![domain(
        vec![endpoint("AAAA", "2026-01-01T00:00:00Z", Grade::A, false)],
        Grade::A,
    )];
    let new = vec![domain(
        vec![endpoint("BBBB", "2027-01-01T00:00:00Z", Grade::B, true)],
        Grade::B,
    )];
    let d = diff("old.json", &old, "new.json", &new);
    assert!(d.changed);
    let t = &d.targets[0];
    assert_eq!(
        t.grade,
        Some(Change {
            old: letter(Grade::A),
            new: letter(Grade::B)
        })
    );
    let e = &t.endpoints[0];
    let c = e.certificate.as_ref().unwrap();
    assert_eq!(c.old.as_ref().unwrap().sha1, "AAAA");
    assert_eq!(c.new.as_ref().unwrap().not_after, "2027-01-01T00:00:00Z");
    assert_eq!(
        e.protocols_gained,
        [crate::wire::enums::ProtocolVersion::TLSv1_0]
    );
    assert!(e.protocols_lost.is_empty());
    assert_eq!(e.checks.len(), 1);
    assert_eq!(e.checks[0].id, "tls.legacy-versions");
    assert_eq!(e.checks[0].new[0].cap, Some("B"));
    let text = render(&d);
    for want in [
        "grade A → B",
        "certificate replaced: SHA-1 AAAA expires 2026-01-01T00:00:00Z → SHA-1 BBBB expires 2027-01-01T00:00:00Z",
        "protocols gained: TLSv1.0",
        "check tls.legacy-versions: absent → warn (cap B)",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn identical_reports_have_no_changes_and_ids_are_matched_not_positions() {
    let a = domain(vec![endpoint("AAAA", "2026", Grade::A, false)], Grade::A);
    let mut b = target("other.test", vec![], Grade::A);
    let d = diff("x", &[a.clone(), b.clone()], "y", &[b.clone(), a.clone()]);
    assert!(!d.changed, "{d:#?}");
    assert_eq!(d.targets_compared, 2);
    assert!(render(&d).contains("no changes"));
    b.input = "third.test".into();
    let both = [a.clone(), b];
    let d = diff("x", std::slice::from_ref(&a), "y", &both);
    assert_eq!(d.targets.len(), 1);
    assert_eq!(d.targets[0].change, ChangeKind::Added);
}

#[test]
fn endpoints_added_and_removed_and_policy_states_only_when_both_have_them() {
    let mut old = domain(vec![endpoint("AAAA", "2026", Grade::A, false)], Grade::A);
    let mut other = endpoint("CCCC", "2026", Grade::A, false);
    other.address = Some("192.0.2.9".into());
    let mut new = domain(vec![other], Grade::A);
    let policy = |mode, max_age| MtaStsReport {
        record: Some("v=STSv1; id=1".into()),
        id: Some("1".into()),
        candidates: vec![],
        fetch: None,
        policy: Some(PolicyReport {
            mode,
            max_age,
            mx: vec![],
        }),
        mx_coverage: vec![],
        protected: false,
        checks: vec![],
    };
    old.mta_sts = Some(policy(crate::policy::mta_sts::Mode::Testing, 1));
    new.mta_sts = Some(policy(crate::policy::mta_sts::Mode::Enforce, 2));
    new.dane = Some(DomainDaneReport {
        mx_dnssec: "secure".into(),
        protected: true,
        checks: vec![],
    });
    // The old report comes from a tlsgrade that did not check DANE: no `dane` key at all.
    let mut old_json = serde_json::to_value(&old).unwrap();
    old_json.as_object_mut().unwrap().remove("dane");
    let old = parse("o.ndjson", old_json.to_string().as_bytes())
        .unwrap()
        .remove(0);
    let d = diff("o", &[old], "n", &[round_trip(&new)]);
    let t = &d.targets[0];
    let fields: Vec<&str> = t.policies.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["mta_sts.policy.max_age", "mta_sts.policy.mode"]);
    let changes: Vec<ChangeKind> = t.endpoints.iter().map(|e| e.change).collect();
    assert_eq!(changes, [ChangeKind::Added, ChangeKind::Removed]);
    let text = render(&d);
    assert!(
        text.contains("+ mx.example.test [192.0.2.9]:25 new endpoint"),
        "{text}"
    );
    assert!(
        text.contains("  mta_sts.policy.mode: testing → enforce\n"),
        "{text}"
    );
    // A section that goes from null to present is a change, with its fields.
    let mut before = domain(vec![], Grade::A);
    let after = new.clone();
    before.endpoints = after.endpoints.clone();
    let d = diff("o", &[before], "n", &[after]);
    let p = &d.targets[0].policies;
    assert_eq!(p[0].field, "mta_sts");
    assert_eq!(
        (&p[0].old, &p[0].new),
        (&Scalar::Null, &Scalar::from("present"))
    );
    assert!(p.iter().any(|f| f.field == "dane.protected"), "{p:#?}");
}

#[test]
fn a_pass_that_disappears_is_not_a_reason() {
    let old = domain(vec![endpoint("AA", "2026", Grade::A, false)], Grade::A);
    let mut new = old.clone();
    new.endpoints[0].checks = vec![];
    let d = diff("o", std::slice::from_ref(&old), "n", &[new]);
    assert!(!d.changed, "{d:#?}");
    let mut warned = old.clone();
    warned.endpoints[0].checks = vec![];
    warned.checks = vec![Check::new(CheckId::MxDangling, Status::Warn, "gone")];
    let d = diff("o", &[old], "n", &[warned]);
    assert_eq!(d.targets[0].checks[0].id, "mx.dangling");
    assert!(d.targets[0].endpoints.is_empty());
}

/// A report from a newer tlsgrade may name checks this build does not know: they are compared
/// by their id as text, and the rest of the file still counts.
#[test]
fn unknown_check_ids_are_compared_as_text() {
    let old = domain(vec![endpoint("AA", "2026", Grade::A, false)], Grade::A);
    let mut newer = old.clone();
    newer.grade = letter(Grade::B);
    newer.checks = vec![Check::new(CheckId::MxDangling, Status::Warn, "placeholder")];
    newer.endpoints[0]
        .checks
        .push(Check::new(CheckId::TlsLegacyVersions, Status::Warn, "x"));
    let line = serde_json::to_string(&newer)
        .unwrap()
        .replace("mx.dangling", "mx.from-the-future")
        .replace("tls.legacy-versions", "tls.from-the-future");
    let newer = parse("newer.ndjson", line.as_bytes()).unwrap().remove(0);
    let d = diff("o", &[old], "n", &[newer]);
    let t = &d.targets[0];
    assert_eq!(t.checks[0].id, "mx.from-the-future");
    assert_eq!(t.checks[0].new[0].status, "warn");
    assert_eq!(t.endpoints[0].checks[0].id, "tls.from-the-future");
    let text = render(&d);
    assert!(text.contains("grade A → B"), "{text}");
    assert!(
        text.contains("  check mx.from-the-future: absent → warn\n"),
        "{text}"
    );
    assert!(
        text.contains("    check tls.from-the-future: absent → warn (cap B)\n"),
        "{text}"
    );
}

#[test]
fn hostile_strings_are_escaped_in_text() {
    let mut e = endpoint("AA", "2026", Grade::A, false);
    let old = domain(vec![e.clone()], Grade::A);
    e.certificate.as_mut().unwrap().chain[0].sha1 = "\u{1b}[2J".into();
    let d = diff("o", &[old], "n", &[domain(vec![e], Grade::A)]);
    let text = render(&d);
    assert!(
        !text.contains('\u{1b}') && text.contains("\\x1b[2J"),
        "{text}"
    );
}

/// The JSON form keeps the shape docs/report.md gives it.
#[test]
fn json_form_has_the_documented_shape() {
    let old = domain(vec![endpoint("AAAA", "2026", Grade::A, false)], Grade::A);
    let new = domain(vec![endpoint("BBBB", "2027", Grade::B, true)], Grade::B);
    let v = serde_json::to_value(diff("o", &[old], "n", &[new])).unwrap();
    let t = &v["targets"][0];
    assert_eq!(t["change"], "changed");
    assert_eq!(t["grade"], serde_json::json!({"old": "A", "new": "B"}));
    assert_eq!(t["error"], serde_json::Value::Null);
    let e = &t["endpoints"][0];
    assert_eq!(e["address"], "192.0.2.1");
    assert_eq!(e["port"], 25);
    assert_eq!(e["certificate"]["old"]["sha1"], "AAAA");
    assert_eq!(
        e["checks"][0],
        serde_json::json!({"id": "tls.legacy-versions", "old": [],
                           "new": [{"status": "warn", "cap": "B"}]})
    );
}
