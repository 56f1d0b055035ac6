//! `tlsgrade diff OLD NEW` (the command is in [`crate::app::diff`]): what changed between two
//! saved reports — the before/after check of a certificate renewal. Outside the scan pipeline:
//! it reads the output of earlier runs (a JSON report or NDJSON, one target per line), so it
//! works on `serde_json::Value` and tolerates fields it does not know (newer reports) and fields
//! it misses (older ones).
//!
//! Targets are matched by `input`, endpoints by (host, address, port). Reported per target and
//! endpoint: certificate replaced (old and new SHA-1 thumbprint and expiry), grade changed with
//! the checks whose status or cap changed as the reason, protocols gained or lost, endpoints
//! added or removed, the error kind, and the state fields of `mta_sts`, `tls_rpt` and `dane`
//! when both reports have them. The JSON form is documented in docs/report.md.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::report::escape::for_terminal as esc;

/// Version of the diff JSON layout (independent of the report's `schema_version`).
pub const DIFF_VERSION: u32 = 1;

/// Largest input read. The whole file is held as JSON values; a 100,000-domain NDJSON run is
/// well below this, and a mistaken `diff /dev/zero x` ends with a message instead of OOM.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Report sections owned by the policy checks; only their state-like scalar fields are compared
/// (timestamps and bodies change on every run and are not news).
const POLICY_KEYS: [&str; 3] = ["mta_sts", "tls_rpt", "dane"];
const STATE_FIELDS: [&str; 15] = [
    "mx_dnssec",
    "protected",
    "mode",
    "record",
    "max_age",
    "state",
    "status",
    "result",
    "valid",
    "validated",
    "usable",
    "dnssec",
    "enforced",
    "id",
    "policy_id",
];

/// Reads a report file (or standard input for `-`) into its target objects.
pub fn load(path: &Path) -> Result<Vec<Value>, String> {
    let name = path.display().to_string();
    let mut data = Vec::new();
    let res = if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut data)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut data))
    };
    res.map_err(|e| format!("{name}: {e}"))?;
    if data.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{name}: larger than {} MiB",
            MAX_INPUT_BYTES / (1024 * 1024)
        ));
    }
    parse(&name, &data)
}

/// The target objects of a JSON report (`{"targets": [...]}`) or of NDJSON (one target object
/// per line), told apart by content. Other objects (a header or summary line a future NDJSON
/// may carry) are skipped; anything else is an error naming the file and line.
pub fn parse(name: &str, data: &[u8]) -> Result<Vec<Value>, String> {
    let line_at = |offset: usize| {
        data[..offset.min(data.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    let mut targets = Vec::new();
    let mut values = 0usize;
    let mut saw_report = false;
    let mut stream = serde_json::Deserializer::from_slice(data).into_iter::<Value>();
    loop {
        let start = stream.byte_offset();
        let Some(item) = stream.next() else { break };
        let v = item.map_err(|e| format!("{name}: line {}: {e}", e.line()))?;
        values += 1;
        // The value starts after the whitespace that precedes it.
        let skip = data[start..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let line = line_at(start + skip);
        let Value::Object(obj) = &v else {
            return Err(format!(
                "{name}: line {line}: expected a tlsgrade report or target object, found {}",
                kind_of(&v)
            ));
        };
        if let Some(ts) = obj.get("targets") {
            let Value::Array(ts) = ts else {
                return Err(format!("{name}: line {line}: \"targets\" is not an array"));
            };
            saw_report = true;
            for (i, t) in ts.iter().enumerate() {
                if !t.get("input").is_some_and(Value::is_string) {
                    return Err(format!(
                        "{name}: target {} of the report (from line {line}) has no \"input\"",
                        i + 1
                    ));
                }
                targets.push(t.clone());
            }
        } else if obj.get("input").is_some_and(Value::is_string) {
            targets.push(v);
        }
    }
    if values == 0 {
        return Err(format!("{name}: empty: not a tlsgrade report"));
    }
    if targets.is_empty() && !saw_report {
        return Err(format!(
            "{name}: not a tlsgrade report (no \"targets\" array and no target objects with \"input\")"
        ));
    }
    Ok(targets)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The whole comparison (serialised as is by `--json`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Diff {
    pub diff_version: u32,
    pub old: String,
    pub new: String,
    /// Whether anything below changed.
    pub changed: bool,
    pub targets_compared: usize,
    pub targets_unchanged: usize,
    /// Changed, added and removed targets, in the new report's order (removed ones last).
    pub targets: Vec<TargetDiff>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TargetDiff {
    pub input: String,
    /// `changed`, `added` or `removed`.
    pub change: &'static str,
    pub grade: Option<Change<Value>>,
    pub error: Option<Change<Value>>,
    pub checks: Vec<CheckChange>,
    pub policies: Vec<FieldChange>,
    pub endpoints: Vec<EndpointDiff>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EndpointDiff {
    pub host: String,
    pub address: Value,
    pub port: Value,
    /// `changed`, `added` or `removed`.
    pub change: &'static str,
    pub grade: Option<Change<Value>>,
    pub error: Option<Change<Value>>,
    pub certificate: Option<Change<Option<CertSummary>>>,
    pub protocols_gained: Vec<String>,
    pub protocols_lost: Vec<String>,
    pub checks: Vec<CheckChange>,
    pub policies: Vec<FieldChange>,
}

/// The leaf certificate as an admin identifies it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CertSummary {
    pub sha1: Value,
    pub sha256: Value,
    pub serial: Value,
    pub subject: Value,
    pub issuer: Value,
    pub not_after: Value,
}

/// A check id whose triggered statuses or caps differ (pass and absent count as the same); the
/// lists hold every occurrence (an id may repeat, e.g. one `mx.dangling` per host); an empty
/// list means the check was absent.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CheckChange {
    pub id: String,
    pub old: Vec<CheckState>,
    pub new: Vec<CheckState>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct CheckState {
    pub status: String,
    pub cap: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FieldChange {
    /// Dotted path, e.g. `mta_sts.mode` or `mta_sts.policy.mode`.
    pub field: String,
    pub old: Value,
    pub new: Value,
}

fn str_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn field(v: &Value, k: &str) -> Value {
    v.get(k).cloned().unwrap_or(Value::Null)
}

fn changed_value(old: Value, new: Value) -> Option<Change<Value>> {
    (old != new).then_some(Change { old, new })
}

/// Keys with their occurrence number, so that duplicates pair up in order.
fn keyed<K: Ord + Clone>(
    items: &[Value],
    key: impl Fn(&Value) -> K,
) -> BTreeMap<(K, usize), &Value> {
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

/// Compares two loaded reports.
pub fn diff(old_name: &str, old: &[Value], new_name: &str, new: &[Value]) -> Diff {
    let input = |v: &Value| str_of(v.get("input"));
    let olds = keyed(old, input);
    let news = keyed(new, input);
    let mut targets = Vec::new();
    let mut compared = 0;
    let mut unchanged = 0;
    // New order first: the report the user just made is the one they read along.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for n in new {
        let k = input(n);
        let c = counts.entry(k.clone()).or_default();
        let key = (k, *c);
        *c += 1;
        match olds.get(&key) {
            Some(o) => {
                compared += 1;
                match target_diff(o, n) {
                    Some(d) => targets.push(d),
                    None => unchanged += 1,
                }
            }
            None => targets.push(TargetDiff {
                input: key.0.clone(),
                change: "added",
                grade: Some(Change {
                    old: Value::Null,
                    new: field(n, "grade"),
                }),
                error: None,
                checks: vec![],
                policies: vec![],
                endpoints: vec![],
            }),
        }
    }
    for (key, o) in &olds {
        if !news.contains_key(key) {
            targets.push(TargetDiff {
                input: key.0.clone(),
                change: "removed",
                grade: Some(Change {
                    old: field(o, "grade"),
                    new: Value::Null,
                }),
                error: None,
                checks: vec![],
                policies: vec![],
                endpoints: vec![],
            });
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

fn error_kind(v: &Value) -> Value {
    v.get("error")
        .and_then(|e| e.get("kind"))
        .cloned()
        .unwrap_or(Value::Null)
}

fn target_diff(old: &Value, new: &Value) -> Option<TargetDiff> {
    let empty = Vec::new();
    let eps = |v: &Value| {
        v.get("endpoints")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .clone()
    };
    let (old_eps, new_eps) = (eps(old), eps(new));
    let key = |e: &Value| {
        (
            str_of(e.get("host")).to_ascii_lowercase(),
            str_of(e.get("address")),
            str_of(e.get("port")),
        )
    };
    let olds = keyed(&old_eps, key);
    let news = keyed(&new_eps, key);
    let mut endpoints = Vec::new();
    for (k, n) in &news {
        match olds.get(k) {
            Some(o) => endpoints.extend(endpoint_diff(o, n, "changed")),
            None => endpoints.extend(endpoint_diff(&Value::Null, n, "added")),
        }
    }
    for (k, o) in &olds {
        if !news.contains_key(k) {
            endpoints.extend(endpoint_diff(o, &Value::Null, "removed"));
        }
    }
    let d = TargetDiff {
        input: str_of(new.get("input")),
        change: "changed",
        grade: changed_value(field(old, "grade"), field(new, "grade")),
        error: changed_value(error_kind(old), error_kind(new)),
        checks: check_changes(old, new),
        policies: policy_changes(old, new),
        endpoints,
    };
    let same = d.grade.is_none()
        && d.error.is_none()
        && d.checks.is_empty()
        && d.policies.is_empty()
        && d.endpoints.is_empty();
    (!same).then_some(d)
}

fn leaf(e: &Value) -> Option<CertSummary> {
    let l = e.get("certificate")?.get("chain")?.get(0)?;
    Some(CertSummary {
        sha1: field(l, "sha1"),
        sha256: field(l, "sha256"),
        serial: field(l, "serial"),
        subject: field(l, "subject"),
        issuer: field(l, "issuer"),
        not_after: field(l, "not_after"),
    })
}

fn endpoint_diff(old: &Value, new: &Value, change: &'static str) -> Option<EndpointDiff> {
    let shown = if new.is_null() { old } else { new };
    let (lo, ln) = (leaf(old), leaf(new));
    let replaced = match (&lo, &ln) {
        (Some(a), Some(b)) => (&a.sha256, &a.sha1) != (&b.sha256, &b.sha1),
        (None, None) => false,
        _ => true,
    };
    let (gained, lost) = protocol_changes(old, new);
    let d = EndpointDiff {
        host: str_of(shown.get("host")),
        address: field(shown, "address"),
        port: field(shown, "port"),
        change,
        grade: changed_value(field(old, "grade"), field(new, "grade")),
        error: changed_value(error_kind(old), error_kind(new)),
        certificate: replaced.then_some(Change { old: lo, new: ln }),
        protocols_gained: gained,
        protocols_lost: lost,
        checks: if change == "changed" {
            check_changes(old, new)
        } else {
            vec![]
        },
        policies: policy_changes(old, new),
    };
    let same = d.grade.is_none()
        && d.error.is_none()
        && d.certificate.is_none()
        && d.protocols_gained.is_empty()
        && d.protocols_lost.is_empty()
        && d.checks.is_empty()
        && d.policies.is_empty();
    (change != "changed" || !same).then_some(d)
}

/// Versions accepted now but not before (`gained`), and refused now but accepted before
/// (`lost`). "Could not tell" on either side is not a change anyone should act on.
fn protocol_changes(old: &Value, new: &Value) -> (Vec<String>, Vec<String>) {
    let (Some(o), Some(n)) = (
        old.get("protocols").and_then(Value::as_object),
        new.get("protocols").and_then(Value::as_object),
    ) else {
        return (vec![], vec![]);
    };
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    for (version, now) in n {
        let before = o.get(version);
        if now == &Value::Bool(true) && before == Some(&Value::Bool(false)) {
            gained.push(version.clone());
        }
        if now == &Value::Bool(false) && before == Some(&Value::Bool(true)) {
            lost.push(version.clone());
        }
    }
    (gained, lost)
}

fn check_states(v: &Value) -> BTreeMap<String, Vec<CheckState>> {
    let mut out: BTreeMap<String, Vec<CheckState>> = BTreeMap::new();
    for c in v
        .get("checks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let status = str_of(c.get("status"));
        // A cap only matters when the check triggered (the rubric ignores caps of passes).
        let cap = match c.get("cap") {
            Some(Value::String(s)) if status != "pass" && status != "error" => Some(s.clone()),
            _ => None,
        };
        out.entry(str_of(c.get("id")))
            .or_default()
            .push(CheckState { status, cap });
    }
    for states in out.values_mut() {
        states.sort();
    }
    out
}

fn check_changes(old: &Value, new: &Value) -> Vec<CheckChange> {
    let (o, n) = (check_states(old), check_states(new));
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

/// State-like scalar fields of a policy section, by dotted path (two levels deep at most).
fn state_fields(prefix: &str, v: &Value, depth: usize, out: &mut BTreeMap<String, Value>) {
    let Value::Object(obj) = v else { return };
    for (k, x) in obj {
        let path = format!("{prefix}.{k}");
        match x {
            Value::Object(_) if depth < 2 => state_fields(&path, x, depth + 1, out),
            Value::Array(_) | Value::Object(_) => {}
            scalar if STATE_FIELDS.contains(&k.as_str()) => {
                out.insert(path, scalar.clone());
            }
            _ => {}
        }
    }
}

/// Changes in `mta_sts` / `tls_rpt` / `dane`, only where both reports have the section (an
/// older tlsgrade did not check them: "absent" is not "removed").
fn policy_changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for key in POLICY_KEYS {
        let (Some(o), Some(n)) = (old.get(key), new.get(key)) else {
            continue;
        };
        let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
        state_fields(key, o, 0, &mut a);
        state_fields(key, n, 0, &mut b);
        if o.is_null() != n.is_null() {
            out.push(FieldChange {
                field: key.to_string(),
                old: if o.is_null() {
                    Value::Null
                } else {
                    "present".into()
                },
                new: if n.is_null() {
                    Value::Null
                } else {
                    "present".into()
                },
            });
        }
        let paths: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for p in paths {
            let (x, y) = (
                a.get(p).cloned().unwrap_or(Value::Null),
                b.get(p).cloned().unwrap_or(Value::Null),
            );
            if x != y {
                out.push(FieldChange {
                    field: p.clone(),
                    old: x,
                    new: y,
                });
            }
        }
    }
    out
}

/// A JSON value in a line of text: strings bare, null as "—", all escaped for the terminal.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => esc(s),
        other => esc(&other.to_string()),
    }
}

fn show_cert(c: &Option<CertSummary>) -> String {
    match c {
        None => "none".into(),
        Some(c) => format!("SHA-1 {} expires {}", show(&c.sha1), show(&c.not_after)),
    }
}

fn show_states(s: &[CheckState]) -> String {
    if s.is_empty() {
        return "absent".into();
    }
    s.iter()
        .map(|c| match &c.cap {
            Some(cap) => format!("{} (cap {})", esc(&c.status), esc(cap)),
            None => esc(&c.status),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_checks(out: &mut String, indent: &str, checks: &[CheckChange]) {
    for c in checks {
        out.push_str(&format!(
            "{indent}check {}: {} → {}\n",
            esc(&c.id),
            show_states(&c.old),
            show_states(&c.new)
        ));
    }
}

fn render_policies(out: &mut String, indent: &str, ps: &[FieldChange]) {
    for p in ps {
        out.push_str(&format!(
            "{indent}{}: {} → {}\n",
            esc(&p.field),
            show(&p.old),
            show(&p.new)
        ));
    }
}

/// The plain-text form: one block per changed target, every server-written string escaped.
pub fn render(d: &Diff) -> String {
    let mut out = format!(
        "{} → {}: {} target(s) compared, {} unchanged",
        esc(&d.old),
        esc(&d.new),
        d.targets_compared,
        d.targets_unchanged
    );
    if !d.changed {
        out.push_str("; no changes\n");
        return out;
    }
    out.push('\n');
    for t in &d.targets {
        out.push('\n');
        let grade = t
            .grade
            .as_ref()
            .map(|g| format!("  grade {} → {}", show(&g.old), show(&g.new)))
            .unwrap_or_default();
        match t.change {
            "added" => out.push_str(&format!("+ {}: new target{grade}\n", esc(&t.input))),
            "removed" => out.push_str(&format!("- {}: target gone{grade}\n", esc(&t.input))),
            _ => out.push_str(&format!("{}{grade}\n", esc(&t.input))),
        }
        if let Some(e) = &t.error {
            out.push_str(&format!("  error {} → {}\n", show(&e.old), show(&e.new)));
        }
        render_checks(&mut out, "  ", &t.checks);
        render_policies(&mut out, "  ", &t.policies);
        for e in &t.endpoints {
            let mark = match e.change {
                "added" => "+ ",
                "removed" => "- ",
                _ => "",
            };
            let what = match e.change {
                "added" => " new endpoint",
                "removed" => " endpoint gone",
                _ => "",
            };
            let grade = e
                .grade
                .as_ref()
                .map(|g| format!("  grade {} → {}", show(&g.old), show(&g.new)))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {mark}{} [{}]:{}{what}{grade}\n",
                esc(&e.host),
                show(&e.address),
                show(&e.port)
            ));
            if let Some(err) = &e.error {
                out.push_str(&format!(
                    "    error {} → {}\n",
                    show(&err.old),
                    show(&err.new)
                ));
            }
            if let Some(c) = &e.certificate {
                let verb = if e.change == "changed" {
                    "certificate replaced: "
                } else {
                    "certificate: "
                };
                out.push_str(&format!(
                    "    {verb}{} → {}\n",
                    show_cert(&c.old),
                    show_cert(&c.new)
                ));
            }
            if !e.protocols_gained.is_empty() {
                out.push_str(&format!(
                    "    protocols gained: {}\n",
                    esc(&e.protocols_gained.join(", "))
                ));
            }
            if !e.protocols_lost.is_empty() {
                out.push_str(&format!(
                    "    protocols lost: {}\n",
                    esc(&e.protocols_lost.join(", "))
                ));
            }
            render_checks(&mut out, "    ", &e.checks);
            render_policies(&mut out, "    ", &e.policies);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn endpoint(sha1: &str, not_after: &str, grade: &str, tls10: bool) -> Value {
        json!({
            "host": "mx.example.test", "address": "192.0.2.1", "port": 25,
            "transport": "smtp-starttls", "grade": grade, "error": null,
            "checks": [
                {"id": "cert.trusted", "status": "pass", "cap": null, "detail": "ok"},
                {"id": "tls.legacy-versions", "status": if tls10 { "warn" } else { "pass" },
                 "cap": "B", "detail": "x"}
            ],
            "protocols": {"SSLv3": false, "TLSv1.0": tls10, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true},
            "certificate": {"not_after": not_after, "chain": [
                {"sha1": sha1, "sha256": format!("{sha1}-256"), "serial": "01", "subject": "CN=mx",
                 "issuer": "CN=CA", "not_after": not_after}
            ]},
            "future_field": {"anything": [1, 2, 3]}
        })
    }

    fn target(eps: Vec<Value>, grade: &str) -> Value {
        json!({"input": "example.test", "kind": "mail-domain", "grade": grade, "error": null,
               "checks": [], "mx": [], "endpoints": eps})
    }

    #[test]
    fn reads_a_json_report_and_ndjson_alike() {
        let t = target(vec![], "A");
        let report =
            serde_json::to_vec_pretty(&json!({"schema_version": 1, "targets": [t.clone()]}))
                .unwrap();
        assert_eq!(parse("r.json", &report).unwrap(), vec![t.clone()]);
        let nd = format!("{}\n{}\n", t, json!({"input": "b.test", "grade": null}));
        assert_eq!(parse("r.ndjson", nd.as_bytes()).unwrap().len(), 2);
    }

    #[test]
    fn bad_input_names_the_file_and_line_and_never_panics() {
        let nd = format!("{}\n{{\"input\": \"x\",\n", target(vec![], "A"));
        let e = parse("scan.ndjson", nd.as_bytes()).unwrap_err();
        assert!(e.starts_with("scan.ndjson: line 3"), "{e}");
        let e = parse("a.json", b"{}\n[1]\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("an array"), "{e}");
        assert!(parse("e.json", b"  \n").unwrap_err().contains("empty"));
        assert!(parse("o.json", b"{\"a\": 1}")
            .unwrap_err()
            .contains("not a tlsgrade report"));
        assert!(parse("t.json", b"{\"targets\": 3}").is_err());
        // Every prefix of a valid report either parses or fails with a message.
        let r = serde_json::to_vec(
            &json!({"targets": [target(vec![endpoint("AA", "2030", "A", false)], "A")]}),
        )
        .unwrap();
        for n in 0..r.len() {
            let _ = parse("p.json", &r[..n]);
        }
        let _ = parse("nul.json", &[0, 0xff, b'{']);
    }

    #[test]
    fn certificate_grade_and_protocol_changes_are_reported_with_the_reason() {
        let old = vec![target(
            vec![endpoint("AAAA", "2026-01-01T00:00:00Z", "A", false)],
            "A",
        )];
        let new = vec![target(
            vec![endpoint("BBBB", "2027-01-01T00:00:00Z", "B", true)],
            "B",
        )];
        let d = diff("old.json", &old, "new.json", &new);
        assert!(d.changed);
        let t = &d.targets[0];
        assert_eq!(
            t.grade,
            Some(Change {
                old: json!("A"),
                new: json!("B")
            })
        );
        let e = &t.endpoints[0];
        let c = e.certificate.as_ref().unwrap();
        assert_eq!(c.old.as_ref().unwrap().sha1, json!("AAAA"));
        assert_eq!(
            c.new.as_ref().unwrap().not_after,
            json!("2027-01-01T00:00:00Z")
        );
        assert_eq!(e.protocols_gained, ["TLSv1.0"]);
        assert!(e.protocols_lost.is_empty());
        assert_eq!(e.checks.len(), 1);
        assert_eq!(e.checks[0].id, "tls.legacy-versions");
        assert_eq!(e.checks[0].new[0].cap.as_deref(), Some("B"));
        let text = render(&d);
        for want in [
            "grade A → B",
            "certificate replaced: SHA-1 AAAA expires 2026-01-01T00:00:00Z → SHA-1 BBBB expires 2027-01-01T00:00:00Z",
            "protocols gained: TLSv1.0",
            "check tls.legacy-versions: pass → warn (cap B)",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn identical_reports_have_no_changes_and_ids_are_matched_not_positions() {
        let a = target(vec![endpoint("AAAA", "2026", "A", false)], "A");
        let mut b = json!({"input": "other.test", "grade": "A", "endpoints": []});
        let d = diff("x", &[a.clone(), b.clone()], "y", &[b.clone(), a.clone()]);
        assert!(!d.changed, "{d:#?}");
        assert_eq!(d.targets_compared, 2);
        assert!(render(&d).contains("no changes"));
        b["input"] = json!("third.test");
        let both = [a.clone(), b];
        let d = diff("x", std::slice::from_ref(&a), "y", &both);
        assert_eq!(d.targets.len(), 1);
        assert_eq!(d.targets[0].change, "added");
    }

    #[test]
    fn endpoints_added_and_removed_and_policy_states_only_when_both_have_them() {
        let mut old = target(vec![endpoint("AAAA", "2026", "A", false)], "A");
        let mut other = endpoint("CCCC", "2026", "A", false);
        other["address"] = json!("192.0.2.9");
        let mut new = target(vec![other], "A");
        old["mta_sts"] = json!({"mode": "testing", "fetched_at": "t1", "policy": {"mode": "testing", "max_age": 1, "body": "x1"}});
        new["mta_sts"] = json!({"mode": "enforce", "fetched_at": "t2", "policy": {"mode": "enforce", "max_age": 2, "body": "x2"}});
        new["dane"] = json!({"state": "valid"}); // absent before: an older tlsgrade, not a change
        let d = diff("o", &[old], "n", &[new]);
        let t = &d.targets[0];
        let fields: Vec<&str> = t.policies.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "mta_sts.mode",
                "mta_sts.policy.max_age",
                "mta_sts.policy.mode"
            ]
        );
        let changes: Vec<&str> = t.endpoints.iter().map(|e| e.change).collect();
        assert_eq!(changes, ["added", "removed"]);
        let text = render(&d);
        assert!(
            text.contains("+ mx.example.test [192.0.2.9]:25 new endpoint"),
            "{text}"
        );
        assert!(
            text.contains("  mta_sts.mode: testing → enforce\n"),
            "{text}"
        );
    }

    #[test]
    fn a_pass_that_disappears_is_not_a_reason() {
        let old = target(vec![endpoint("AA", "2026", "A", false)], "A");
        let mut new = old.clone();
        new["endpoints"][0]["checks"] = json!([
            {"id": "tls.legacy-versions", "status": "pass", "cap": "B", "detail": "y"}
        ]);
        let d = diff("o", std::slice::from_ref(&old), "n", &[new]);
        assert!(!d.changed, "{d:#?}");
        let mut warned = old.clone();
        warned["endpoints"][0]["checks"] = json!([]);
        warned["checks"] = json!([{"id": "mx.dangling", "status": "warn", "cap": null}]);
        let d = diff("o", &[old], "n", &[warned]);
        assert_eq!(d.targets[0].checks[0].id, "mx.dangling");
        assert!(d.targets[0].endpoints.is_empty());
    }

    #[test]
    fn hostile_strings_are_escaped_in_text() {
        let mut e = endpoint("AA", "2026", "A", false);
        let old = target(vec![e.clone()], "A");
        e["certificate"]["chain"][0]["sha1"] = json!("\u{1b}[2J");
        let d = diff("o", &[old], "n", &[target(vec![e], "A")]);
        let text = render(&d);
        assert!(
            !text.contains('\u{1b}') && text.contains("\\x1b[2J"),
            "{text}"
        );
    }
}
