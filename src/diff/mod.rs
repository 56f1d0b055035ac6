//! `tlsgrade diff OLD NEW`: what changed between two saved reports — the before/after check of
//! a certificate renewal. Pure over the report model: [`crate::report::read`] loads the files
//! (a JSON report or NDJSON), this module compares, [`render`] writes the text form and
//! [`model`] is the `--json` form.
//!
//! Targets are matched by `input`, endpoints by (host, address, port). Reported per target and
//! endpoint: certificate replaced (old and new SHA-1 thumbprint and expiry), grade changed with
//! the checks whose status or cap changed as the reason, protocols gained or lost, endpoints
//! added or removed, the error kind, and the state fields of `mta_sts`, `tls_rpt` and `dane`
//! when both reports have the section. Checks under ids this build does not know (a report from
//! a newer tlsgrade, or an id since retired) are compared like the others, by their id as text.

pub mod model;
pub mod render;

use crate::wire::enums::ProtocolVersion;
use std::collections::{BTreeMap, BTreeSet};

pub use model::*;
pub use render::render;

use crate::report::{
    Check, DaneReport, DomainDaneReport, EndpointReport, ErrorInfo, ForeignCheck, MtaStsReport,
    ReadBack, Status, TargetReport, TlsRptReport,
};

/// Keys with their occurrence number, so that duplicates pair up in order.
fn keyed<T, K: Ord + Clone>(items: &[T], key: impl Fn(&T) -> K) -> BTreeMap<(K, usize), &T> {
    let mut seen: BTreeMap<K, usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for v in items {
        let k = key(v);
        let n = seen.entry(k.clone()).or_default();
        out.insert((k, *n), v);
        *n += 1;
    }
    out
}

fn changed<T: PartialEq>(old: T, new: T) -> Option<Change<T>> {
    (old != new).then_some(Change { old, new })
}

fn error_kind(e: &Option<ErrorInfo>) -> Option<crate::report::ErrorKind> {
    e.as_ref().map(|e| e.kind)
}

/// Compares two loaded reports.
pub fn diff(old_name: &str, old: &[TargetReport], new_name: &str, new: &[TargetReport]) -> Diff {
    let input = |t: &TargetReport| t.input.clone();
    let olds = keyed(old, input);
    let news = keyed(new, input);
    let mut targets = Vec::new();
    let mut compared = 0;
    let mut unchanged = 0;
    // New order first: the report the user just made is the one they read along.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for n in new {
        let c = counts.entry(&n.input).or_default();
        let key = (n.input.clone(), *c);
        *c += 1;
        match olds.get(&key) {
            Some(o) => {
                compared += 1;
                match target_diff(o, n) {
                    Some(d) => targets.push(d),
                    None => unchanged += 1,
                }
            }
            None => targets.push(one_sided(n, ChangeKind::Added)),
        }
    }
    for (key, o) in &olds {
        if !news.contains_key(key) {
            targets.push(one_sided(o, ChangeKind::Removed));
        }
    }
    Diff {
        diff_version: DIFF_VERSION,
        old: old_name.to_string(),
        new: new_name.to_string(),
        changed: !targets.is_empty(),
        targets_compared: compared,
        targets_unchanged: unchanged,
        targets,
    }
}

/// A target in one report only: its grade, nothing else.
fn one_sided(t: &TargetReport, change: ChangeKind) -> TargetDiff {
    let grade = if change == ChangeKind::Added {
        Change {
            old: None,
            new: t.grade,
        }
    } else {
        Change {
            old: t.grade,
            new: None,
        }
    };
    TargetDiff {
        input: t.input.clone(),
        change,
        grade: Some(grade),
        error: None,
        checks: vec![],
        policies: vec![],
        endpoints: vec![],
    }
}

fn target_diff(old: &TargetReport, new: &TargetReport) -> Option<TargetDiff> {
    let key = |e: &EndpointReport| {
        (
            e.host.to_ascii_lowercase(),
            e.address.clone().unwrap_or_default(),
            e.port,
        )
    };
    let olds = keyed(&old.endpoints, key);
    let news = keyed(&new.endpoints, key);
    let mut endpoints = Vec::new();
    for (k, n) in &news {
        match olds.get(k) {
            Some(o) => endpoints.extend(endpoint_diff(Some(o), Some(n))),
            None => endpoints.extend(endpoint_diff(None, Some(n))),
        }
    }
    for (k, o) in &olds {
        if !news.contains_key(k) {
            endpoints.extend(endpoint_diff(Some(o), None));
        }
    }
    let d = TargetDiff {
        input: new.input.clone(),
        change: ChangeKind::Changed,
        grade: changed(old.grade, new.grade),
        error: changed(error_kind(&old.error), error_kind(&new.error)),
        checks: check_changes((&old.checks, &old.read_back), (&new.checks, &new.read_back)),
        policies: target_policy_changes(old, new),
        endpoints,
    };
    let same = d.grade.is_none()
        && d.error.is_none()
        && d.checks.is_empty()
        && d.policies.is_empty()
        && d.endpoints.is_empty();
    (!same).then_some(d)
}

fn leaf(e: Option<&EndpointReport>) -> Option<CertSummary> {
    let l = e?.certificate.as_ref()?.chain.first()?;
    Some(CertSummary {
        sha1: l.sha1.clone(),
        sha256: l.sha256.clone(),
        serial: l.serial.clone(),
        subject: l.subject.clone(),
        issuer: l.issuer.clone(),
        not_after: l.not_after.clone(),
    })
}

/// One endpoint in both reports (`changed`, `None` when nothing did) or in one only.
fn endpoint_diff(
    old: Option<&EndpointReport>,
    new: Option<&EndpointReport>,
) -> Option<EndpointDiff> {
    let (change, shown) = match (old, new) {
        (Some(_), Some(n)) => (ChangeKind::Changed, n),
        (None, Some(n)) => (ChangeKind::Added, n),
        (Some(o), None) => (ChangeKind::Removed, o),
        (None, None) => return None,
    };
    let (lo, ln) = (leaf(old), leaf(new));
    let replaced = match (&lo, &ln) {
        (Some(a), Some(b)) => (&a.sha256, &a.sha1) != (&b.sha256, &b.sha1),
        (None, None) => false,
        _ => true,
    };
    let (gained, lost) = protocol_changes(old, new);
    let (checks, policies) = match (old, new) {
        (Some(o), Some(n)) => (
            check_changes((&o.checks, &o.read_back), (&n.checks, &n.read_back)),
            endpoint_policy_changes(o, n),
        ),
        _ => (vec![], vec![]),
    };
    let d = EndpointDiff {
        host: shown.host.clone(),
        address: shown.address.clone(),
        port: shown.port,
        change,
        grade: changed(old.and_then(|e| e.grade), new.and_then(|e| e.grade)),
        error: changed(
            old.and_then(|e| error_kind(&e.error)),
            new.and_then(|e| error_kind(&e.error)),
        ),
        certificate: replaced.then_some(Change { old: lo, new: ln }),
        protocols_gained: gained,
        protocols_lost: lost,
        checks,
        policies,
    };
    let same = d.grade.is_none()
        && d.error.is_none()
        && d.certificate.is_none()
        && d.protocols_gained.is_empty()
        && d.protocols_lost.is_empty()
        && d.checks.is_empty()
        && d.policies.is_empty();
    (change != ChangeKind::Changed || !same).then_some(d)
}

/// Versions accepted now but not before (`gained`), and refused now but accepted before
/// (`lost`). "Could not tell" on either side is not a change anyone should act on.
fn protocol_changes(
    old: Option<&EndpointReport>,
    new: Option<&EndpointReport>,
) -> (Vec<ProtocolVersion>, Vec<ProtocolVersion>) {
    let (Some(o), Some(n)) = (
        old.and_then(|e| e.protocols.as_ref()),
        new.and_then(|e| e.protocols.as_ref()),
    ) else {
        return (vec![], vec![]);
    };
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    for ((version, before), (_, now)) in o.iter().zip(n.iter()) {
        match (before, now) {
            (Some(false), Some(true)) => gained.push(version),
            (Some(true), Some(false)) => lost.push(version),
            _ => {}
        }
    }
    (gained, lost)
}

/// Every occurrence of every check id, known or not, with its status and (when it triggered)
/// its cap.
fn check_states(checks: &[Check], read_back: &ReadBack) -> BTreeMap<String, Vec<CheckState>> {
    let state = |status: Status, cap: Option<crate::report::Grade>| CheckState {
        status: status.as_str(),
        // A cap only matters when the check triggered (the rubric ignores caps of passes).
        cap: cap
            .filter(|_| !matches!(status, Status::Pass | Status::Error))
            .map(|g| g.as_str()),
    };
    let mut out: BTreeMap<String, Vec<CheckState>> = BTreeMap::new();
    for c in checks {
        out.entry(c.id.as_str().to_string())
            .or_default()
            .push(state(c.status, c.cap));
    }
    for ForeignCheck {
        id, status, cap, ..
    } in &read_back.foreign_checks
    {
        out.entry(id.clone())
            .or_default()
            .push(state(*status, *cap));
    }
    for states in out.values_mut() {
        states.sort();
    }
    out
}

fn check_changes(
    (old, old_rb): (&[Check], &ReadBack),
    (new, new_rb): (&[Check], &ReadBack),
) -> Vec<CheckChange> {
    let (o, n) = (check_states(old, old_rb), check_states(new, new_rb));
    let ids: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let (a, b) = (
                o.get(id).cloned().unwrap_or_default(),
                n.get(id).cloned().unwrap_or_default(),
            );
            // A pass and no check at all say the same (nothing wrong): only a change in what
            // triggered is a reason, e.g. cert.trusted pass → absent is not.
            let triggered = |s: &[CheckState]| {
                s.iter()
                    .filter(|c| c.status != "pass")
                    .cloned()
                    .collect::<Vec<_>>()
            };
            (triggered(&a) != triggered(&b)).then(|| CheckChange {
                id: id.clone(),
                old: a,
                new: b,
            })
        })
        .collect()
}

/// The state fields of each policy section, by their path inside it: what an admin acts on,
/// where timestamps, bodies and record lists change on every run and are not news.
fn mta_sts_fields(m: &MtaStsReport) -> Vec<(&'static str, Scalar)> {
    let mut out = vec![
        ("id", m.id.as_deref().into()),
        ("protected", m.protected.into()),
        ("record", m.record.as_deref().into()),
    ];
    if let Some(f) = &m.fetch {
        out.push(("fetch.status", f.status.map(u64::from).into()));
    }
    if let Some(p) = &m.policy {
        out.push(("policy.max_age", Some(p.max_age).into()));
        out.push(("policy.mode", Some(p.mode.as_str()).into()));
    }
    out
}

fn tls_rpt_fields(r: &TlsRptReport) -> Vec<(&'static str, Scalar)> {
    vec![("record", r.record.as_deref().into())]
}

fn domain_dane_fields(d: &DomainDaneReport) -> Vec<(&'static str, Scalar)> {
    vec![
        ("mx_dnssec", d.mx_dnssec.as_str().into()),
        ("protected", d.protected.into()),
    ]
}

fn endpoint_dane_fields(d: &DaneReport) -> Vec<(&'static str, Scalar)> {
    vec![("valid", d.valid.into())]
}

/// Changes in one section, only where both reports have it (a tlsgrade that predates the check
/// did not write the section: "absent" is not "removed"). Appearing or going null is named
/// first, then each state field that differs, by its dotted path from the report's root
/// (`key.field`).
fn section_changes<T>(
    key: &'static str,
    (old, old_rb): (&Option<T>, &ReadBack),
    (new, new_rb): (&Option<T>, &ReadBack),
    fields: impl Fn(&T) -> Vec<(&'static str, Scalar)>,
    out: &mut Vec<FieldChange>,
) {
    if old_rb.unwritten.contains(&key) || new_rb.unwritten.contains(&key) {
        return;
    }
    let presence = |s: &Option<T>| match s {
        Some(_) => Scalar::from("present"),
        None => Scalar::Null,
    };
    if old.is_some() != new.is_some() {
        out.push(FieldChange {
            field: key.to_string(),
            old: presence(old),
            new: presence(new),
        });
    }
    let a: BTreeMap<_, _> = old.iter().flat_map(&fields).collect();
    let b: BTreeMap<_, _> = new.iter().flat_map(&fields).collect();
    let paths: BTreeSet<&str> = a.keys().chain(b.keys()).copied().collect();
    for p in paths {
        let (x, y) = (
            a.get(p).cloned().unwrap_or(Scalar::Null),
            b.get(p).cloned().unwrap_or(Scalar::Null),
        );
        if x != y {
            out.push(FieldChange {
                field: format!("{key}.{p}"),
                old: x,
                new: y,
            });
        }
    }
}

fn target_policy_changes(old: &TargetReport, new: &TargetReport) -> Vec<FieldChange> {
    let (o, n) = (&old.read_back, &new.read_back);
    let mut out = Vec::new();
    section_changes(
        "mta_sts",
        (&old.mta_sts, o),
        (&new.mta_sts, n),
        mta_sts_fields,
        &mut out,
    );
    section_changes(
        "tls_rpt",
        (&old.tls_rpt, o),
        (&new.tls_rpt, n),
        tls_rpt_fields,
        &mut out,
    );
    section_changes(
        "dane",
        (&old.dane, o),
        (&new.dane, n),
        domain_dane_fields,
        &mut out,
    );
    out
}

fn endpoint_policy_changes(old: &EndpointReport, new: &EndpointReport) -> Vec<FieldChange> {
    let mut out = Vec::new();
    section_changes(
        "dane",
        (&old.dane, &old.read_back),
        (&new.dane, &new.read_back),
        endpoint_dane_fields,
        &mut out,
    );
    out
}

#[cfg(test)]
mod diff_tests;
