//! The table of targets: one row per target with its grade, endpoints, the fewest days any of
//! its certificates has left, MTA-STS and DANE at a glance, and the main reasons for its grade;
//! each row links to the target's card. Cells that sort by something other than their text
//! carry it in `data-v` (grades by rank, days as numbers), so the script never reads meaning
//! out of words.

use super::*;
use crate::policy::mta_sts::Mode;

/// At most this many reasons per row; the card lists every finding.
const MAX_REASONS: usize = 3;

pub(super) fn render(out: &mut String, report: &Report) {
    out.push_str(
        "<section id=\"targets\" aria-labelledby=\"targets-h\"><div class=\"sh\"><h2 id=\"targets-h\">Targets</h2>\
         <div class=\"controls js\"><label>Filter <input id=\"q\" type=\"search\" placeholder=\"name, check id, words\" autocomplete=\"off\"></label> \
         <label>Grade <select id=\"gf\"><option value=\"\">all</option>",
    );
    for (_, key, _, option) in GRADE_LOOKS {
        put!(out, "<option value=\"{key}\">{}</option>", esc(option));
    }
    out.push_str(
        "</select></label> <output id=\"shown\" aria-live=\"polite\"></output></div></div>\n\
         <table id=\"tt\" class=\"list\"><thead><tr><th>Target</th><th>Kind</th><th>Grade</th>\
         <th>Endpoints</th><th>Expiry</th><th>MTA-STS</th><th>DANE</th><th>Main reasons</th></tr></thead>\n<tbody>\n",
    );
    for (i, t) in report.targets.iter().enumerate() {
        row(out, i, t);
    }
    out.push_str("</tbody></table>\n");
    if report.targets.is_empty() {
        out.push_str("<p class=\"muted\">No target was scanned.</p>\n");
    }
    out.push_str("</section>\n");
}

fn row(out: &mut String, i: usize, t: &TargetReport) {
    let l = look(t.grade);
    put!(
        out,
        "<tr data-g=\"{}\"><td><a href=\"#t{i}\">{}</a></td><td>{}</td><td data-v=\"{}\">{}</td><td data-v=\"{n}\">{n}</td>",
        l.key,
        esc(&t.input),
        t.kind.as_str(),
        l.rank,
        badge(t.grade),
        n = t.endpoints.len()
    );
    match worst_days(t) {
        Some(d) => put!(
            out,
            "<td data-v=\"{d}\" class=\"{}\">{}</td>",
            EXPIRY[expiry_bucket(d)].1,
            days_text(d)
        ),
        None => out.push_str("<td data-v=\"\" class=\"na\">—</td>"),
    }
    put!(
        out,
        "<td>{}</td><td>{}</td><td>",
        mta_sts_cell(t),
        dane_cell(t)
    );
    reasons_list(out, t);
    out.push_str("</td></tr>\n");
}

/// The fewest days remaining on any leaf certificate of the target's endpoints.
pub(super) fn worst_days(t: &TargetReport) -> Option<i64> {
    t.endpoints
        .iter()
        .flat_map(leaves)
        .map(|c| c.days_remaining)
        .min()
}

/// MTA-STS in a word: the policy's mode senders apply (✓ when it protects every MX, ✗ when it
/// is enforced but some MX fails it), or why there is none.
fn mta_sts_cell(t: &TargetReport) -> String {
    let Some(m) = &t.mta_sts else {
        return not_applicable(t, "mta_sts");
    };
    match &m.policy {
        Some(p) if m.protected => format!("<span class=\"ok\">{} ✓</span>", p.mode.as_str()),
        // Enforced, but some MX host fails the policy: mail from MTA-STS senders stops there.
        Some(p) if p.mode == Mode::Enforce => {
            format!("<span class=\"bad\">{} ✗</span>", p.mode.as_str())
        }
        Some(p) => p.mode.as_str().to_string(),
        None if m.record.is_none() && m.candidates.is_empty() => {
            "<span class=\"na\">not published</span>".into()
        }
        None => "<span class=\"bad\">unusable</span>".into(),
    }
}

/// DANE in a word, as the terminal's DANE line judges it.
fn dane_cell(t: &TargetReport) -> String {
    let Some(d) = &t.dane else {
        return not_applicable(t, "dane");
    };
    if d.protected {
        "<span class=\"ok\">valid ✓</span>".into()
    } else if t.endpoints.iter().any(EndpointReport::has_tlsa) {
        "<span class=\"bad\">not protecting</span>".into()
    } else {
        "<span class=\"na\">not deployed</span>".into()
    }
}

/// A section a target has none of: not checked for this kind of target, or (in a report read
/// back) not written by the tlsgrade that made the report.
fn not_applicable(t: &TargetReport, section: &str) -> String {
    if t.read_back.unwritten.contains(&section) {
        "<span class=\"na\">not recorded</span>".into()
    } else {
        "<span class=\"na\">n/a</span>".into()
    }
}

/// The findings that explain a target's grade: the non-pass checks (the target's own and its
/// endpoints') whose cap is the grade itself; when none caps it, the worst failures, errors
/// and warnings (and, for a target that is not graded, what it was told). One per check id.
pub(super) fn main_reasons(t: &TargetReport) -> Vec<Check> {
    let non_pass = || {
        t.checks
            .iter()
            .chain(t.endpoints.iter().flat_map(|e| e.checks.iter()))
            .filter(|c| c.status != Status::Pass)
    };
    let mut reasons: Vec<Check> = match t.grade {
        Some(GradeValue::Letter(g)) => non_pass().filter(|c| c.cap == Some(g)).cloned().collect(),
        _ => Vec::new(),
    };
    if reasons.is_empty() {
        reasons = non_pass()
            .filter(|c| {
                matches!(c.status, Status::Fail | Status::Error | Status::Warn) || t.grade.is_none()
            })
            .cloned()
            .collect();
    }
    crate::grade::sort_checks(&mut reasons);
    let mut seen = std::collections::HashSet::new();
    reasons.retain(|c| seen.insert(c.id));
    reasons
}

fn reasons_list(out: &mut String, t: &TargetReport) {
    let reasons = main_reasons(t);
    if reasons.is_empty() {
        out.push_str("<span class=\"na\">nothing to report</span>");
        return;
    }
    out.push_str("<ul class=\"rs\">");
    for c in reasons.iter().take(MAX_REASONS) {
        put!(
            out,
            "<li class=\"s-{}\"><code>{}</code> {}</li>",
            c.status.as_str(),
            c.id,
            esc(&c.detail)
        );
    }
    if reasons.len() > MAX_REASONS {
        put!(
            out,
            "<li class=\"more\">+{} more in the card</li>",
            reasons.len() - MAX_REASONS
        );
    }
    out.push_str("</ul>");
}
