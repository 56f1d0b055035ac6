//! The text form of a [`Diff`]: one block per changed target, every string that came from a
//! report (and so from a server, or a file) escaped for the terminal.

use super::model::*;
use crate::report::escape::for_terminal as esc;
use crate::report::{ErrorKind, GradeValue};

const NONE: &str = "—";

fn grade(g: &Option<GradeValue>) -> String {
    g.map_or(NONE, |g| g.as_str()).to_string()
}

fn kind(k: &Option<ErrorKind>) -> String {
    k.map_or(NONE, |k| k.as_str()).to_string()
}

/// A state field's value in a line of text: strings bare, null as "—".
fn scalar(v: &Scalar) -> String {
    match v {
        Scalar::Null => NONE.into(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) => n.to_string(),
        Scalar::Text(s) => esc(s),
    }
}

fn cert(c: &Option<CertSummary>) -> String {
    match c {
        None => "none".into(),
        Some(c) => format!("SHA-1 {} expires {}", esc(&c.sha1), esc(&c.not_after)),
    }
}

fn states(s: &[CheckState]) -> String {
    if s.is_empty() {
        return "absent".into();
    }
    s.iter()
        .map(|c| match c.cap {
            Some(cap) => format!("{} (cap {cap})", c.status),
            None => c.status.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn grade_change(g: &Option<Change<Option<GradeValue>>>) -> String {
    g.as_ref()
        .map(|g| format!("  grade {} → {}", grade(&g.old), grade(&g.new)))
        .unwrap_or_default()
}

fn checks(out: &mut String, indent: &str, checks: &[CheckChange]) {
    for c in checks {
        out.push_str(&format!(
            "{indent}check {}: {} → {}\n",
            esc(&c.id),
            states(&c.old),
            states(&c.new)
        ));
    }
}

fn policies(out: &mut String, indent: &str, ps: &[FieldChange]) {
    for p in ps {
        out.push_str(&format!(
            "{indent}{}: {} → {}\n",
            esc(&p.field),
            scalar(&p.old),
            scalar(&p.new)
        ));
    }
}

fn endpoint(out: &mut String, e: &EndpointDiff) {
    let (mark, what) = match e.change {
        ChangeKind::Added => ("+ ", " new endpoint"),
        ChangeKind::Removed => ("- ", " endpoint gone"),
        ChangeKind::Changed => ("", ""),
    };
    out.push_str(&format!(
        "  {mark}{} [{}]:{}{what}{}\n",
        esc(&e.host),
        e.address.as_deref().map_or(NONE.into(), esc),
        e.port,
        grade_change(&e.grade)
    ));
    if let Some(err) = &e.error {
        out.push_str(&format!(
            "    error {} → {}\n",
            kind(&err.old),
            kind(&err.new)
        ));
    }
    if let Some(c) = &e.certificate {
        let verb = if e.change == ChangeKind::Changed {
            "certificate replaced: "
        } else {
            "certificate: "
        };
        out.push_str(&format!("    {verb}{} → {}\n", cert(&c.old), cert(&c.new)));
    }
    if !e.protocols_gained.is_empty() {
        out.push_str(&format!(
            "    protocols gained: {}\n",
            names(&e.protocols_gained)
        ));
    }
    if !e.protocols_lost.is_empty() {
        out.push_str(&format!(
            "    protocols lost: {}\n",
            names(&e.protocols_lost)
        ));
    }
    checks(out, "    ", &e.checks);
    policies(out, "    ", &e.policies);
}

/// The plain-text form.
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
        let g = grade_change(&t.grade);
        let input = esc(&t.input);
        out.push_str(&match t.change {
            ChangeKind::Added => format!("+ {input}: new target{g}\n"),
            ChangeKind::Removed => format!("- {input}: target gone{g}\n"),
            ChangeKind::Changed => format!("{input}{g}\n"),
        });
        if let Some(e) = &t.error {
            out.push_str(&format!("  error {} → {}\n", kind(&e.old), kind(&e.new)));
        }
        checks(&mut out, "  ", &t.checks);
        policies(&mut out, "  ", &t.policies);
        for e in &t.endpoints {
            endpoint(&mut out, e);
        }
    }
    out
}

/// Versions as the report names them, comma-separated.
fn names(versions: &[crate::wire::enums::ProtocolVersion]) -> String {
    versions
        .iter()
        .map(|v| v.name())
        .collect::<Vec<_>>()
        .join(", ")
}
