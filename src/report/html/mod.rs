//! The HTML report: one self-contained HTML5 file for people who read rather than script. It
//! opens with a summary (key figures, grade and certificate-expiry charts as inline SVG), then a
//! table of the targets (sortable and filterable when scripts run), then a collapsed grade card
//! per target with everything the scan saw.
//!
//! Nothing is loaded from anywhere: style, script and charts are inline, and a
//! Content-Security-Policy allows exactly that style and that script (by their SHA-256) and
//! nothing else. Every text field of the report goes through [`for_html`](super::escape::for_html)
//! before it is written; only the tool's own vocabulary (check ids, statuses, grades, kinds,
//! transports) and numbers are written as they are. The policy stands behind the escaping, so
//! even a missed escape could not run a script or make a request.

/// Appends formatted text to a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = std::fmt::Write::write_fmt($out, format_args!($($arg)*));
    }};
}

mod card;
#[cfg(test)]
mod html_tests;
mod summary;
mod targets;

use std::borrow::Cow;

use super::escape::for_html as esc;
use super::model::*;
use crate::wire::enums::ProtocolVersion;

/// The page's only style sheet, inline.
const STYLE: &str = include_str!("style.css");
/// The page's only script, inline: sorting and filtering the table, opening linked cards.
const SCRIPT: &str = include_str!("script.js");

/// Renders the whole report as one HTML document.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(16 * 1024 + report.targets.len() * 6 * 1024);
    head(&mut out, report);
    out.push_str("<body>\n");
    header(&mut out, report);
    out.push_str("<main class=\"wrap\">\n");
    summary::render(&mut out, report);
    targets::render(&mut out, report);
    // The script needs only the table: placed here, it sorts and filters while a large report's
    // cards are still loading.
    put!(&mut out, "<script>{SCRIPT}</script>\n");
    out.push_str("<section id=\"cards\" aria-labelledby=\"cards-h\">\n");
    out.push_str("<div class=\"sh\"><h2 id=\"cards-h\">Targets in detail</h2>");
    if report.targets.len() <= EXPAND_ALL_UP_TO {
        out.push_str("<span class=\"tools js\"><button type=\"button\" id=\"open-all\">Expand all</button><button type=\"button\" id=\"close-all\">Collapse all</button></span>");
    }
    out.push_str("</div>\n");
    for (i, t) in report.targets.iter().enumerate() {
        card::render(&mut out, i, t);
    }
    out.push_str("</section>\n");
    invalid_targets(&mut out, &report.invalid_targets);
    out.push_str("</main>\n");
    put!(
        &mut out,
        "<footer class=\"wrap\">Written by {} {}. Grades follow the tlsgrade rubric (docs/grading.md); \
         the same facts are in the JSON report.</footer>\n",
        esc(&report.tool.name),
        esc(&report.tool.version)
    );
    out.push_str("</body>\n</html>\n");
    out
}

/// Reports with more targets offer no "Expand all": opening thousands of cards at once takes a
/// browser minutes.
const EXPAND_ALL_UP_TO: usize = 1000;

/// The style sheet with the estimated height of the cards, which browsers skip rendering until
/// they are scrolled to: a summary line is about 50 px.
fn style(report: &Report) -> String {
    format!(
        "{STYLE}#cards{{contain-intrinsic-size:auto {}px}}\n",
        report.targets.len() * 50 + 60
    )
}

/// The Content-Security-Policy: nothing but the inline style and script, by their hashes, and
/// `data:` images (the empty favicon, so browsers do not ask the file system for one).
fn content_security_policy(style: &str) -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(style),
        csp_hash(SCRIPT)
    )
}

/// A CSP hash source for an inline element's exact text: `'sha256-<base64>'`.
fn csp_hash(text: &str) -> String {
    use base64::Engine as _;
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    )
}

fn head(out: &mut String, report: &Report) {
    let style = style(report);
    put!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n\
         <title>TLS report: {} target{}, {}</title>\n\
         <link rel=\"icon\" href=\"data:,\">\n<style>{style}</style>\n</head>\n",
        content_security_policy(&style),
        esc(&report.tool.name),
        esc(&report.tool.version),
        report.targets.len(),
        plural(report.targets.len()),
        esc(&report.finished_at)
    );
}

fn header(out: &mut String, report: &Report) {
    let endpoints: usize = report.targets.iter().map(|t| t.endpoints.len()).sum();
    put!(
        out,
        "<header class=\"top\"><div class=\"wrap\"><h1>Mail and TLS security report</h1>\
         <p class=\"sub\">{} {} · started {} · finished {}{}</p>\
         <p class=\"sub\">{} target{} · {} endpoint{}",
        esc(&report.tool.name),
        esc(&report.tool.version),
        time_element(&report.started_at),
        time_element(&report.finished_at),
        duration(&report.started_at, &report.finished_at)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        num(report.targets.len()),
        plural(report.targets.len()),
        num(endpoints),
        plural(endpoints),
    );
    if !report.invalid_targets.is_empty() {
        put!(
            out,
            " · <a href=\"#invalid\">{} unreadable target{}</a>",
            num(report.invalid_targets.len()),
            plural(report.invalid_targets.len())
        );
    }
    out.push_str("</p></div></header>\n");
}

/// A report time as a `<time>` element, shown as `2026-06-01 08:00:00 UTC` when it parses as
/// RFC 3339 and as written otherwise.
fn time_element(t: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let shown = time::OffsetDateTime::parse(t, &Rfc3339).ok().and_then(|d| {
        d.to_offset(time::UtcOffset::UTC)
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
    });
    match shown {
        Some(shown) => format!("<time datetime=\"{}\">{shown}</time>", esc(t)),
        None => esc(t),
    }
}

/// How long the scan took, from the report's RFC 3339 times; `None` when they do not parse.
fn duration(started: &str, finished: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let a = time::OffsetDateTime::parse(started, &Rfc3339).ok()?;
    let b = time::OffsetDateTime::parse(finished, &Rfc3339).ok()?;
    let s = (b - a).whole_seconds();
    Some(match s {
        s if s < 0 => return None,
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, s % 3600 / 60),
    })
}

fn invalid_targets(out: &mut String, invalid: &[InvalidTargetReport]) {
    if invalid.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"invalid\"><h2>Targets that could not be read</h2>\
         <table class=\"list\"><thead><tr><th>Line</th><th>Input</th><th>Why</th></tr></thead><tbody>\n",
    );
    for i in invalid {
        put!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            i.line.map(|l| l.to_string()).unwrap_or_else(|| "—".into()),
            esc(&i.input),
            esc(&i.reason)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// A count with thousands separators: `10,000`.
fn num(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// How a grade is shown: the badge text, the CSS class (colour; also the value of the table's
/// grade filter), and the rank the table sorts by (A+ first, not graded last).
#[derive(Clone, Copy)]
struct GradeLook {
    text: &'static str,
    key: &'static str,
    rank: usize,
}

/// Every grade the page shows, in rank order: badge text, CSS key (also the grade filter's
/// value), the chart's label and the filter's. The letters, "?" (nothing could be tested) and
/// not graded (no mail service to grade).
const GRADE_LOOKS: [(&str, &str, &str, &str); 8] = [
    ("A+", "ap", "A+", "A+"),
    ("A", "a", "A", "A"),
    ("B", "b", "B", "B"),
    ("C", "c", "C", "C"),
    ("D", "d", "D", "D"),
    ("F", "f", "F", "F"),
    ("?", "q", "error", "? (could not test)"),
    ("—", "n", "not graded", "not graded"),
];

fn look(g: Option<GradeValue>) -> GradeLook {
    let rank = match g {
        Some(GradeValue::Letter(Grade::APlus)) => 0,
        Some(GradeValue::Letter(Grade::A)) => 1,
        Some(GradeValue::Letter(Grade::B)) => 2,
        Some(GradeValue::Letter(Grade::C)) => 3,
        Some(GradeValue::Letter(Grade::D)) => 4,
        Some(GradeValue::Letter(Grade::F)) => 5,
        Some(GradeValue::Unknown) => 6,
        None => 7,
    };
    let (text, key, _, _) = GRADE_LOOKS[rank];
    GradeLook { text, key, rank }
}

/// A grade badge.
fn badge(g: Option<GradeValue>) -> String {
    let l = look(g);
    let title = match g {
        Some(GradeValue::Unknown) => " title=\"could not be tested\"",
        None => " title=\"not graded\"",
        Some(_) => "",
    };
    format!("<span class=\"g g-{}\"{title}>{}</span>", l.key, l.text)
}

/// A status chip (`fail`, `warn`, …).
fn status_chip(s: Status) -> String {
    format!("<span class=\"st s-{0}\">{0}</span>", s.as_str())
}

/// The certificate-expiry buckets, by days remaining: the label, the CSS class, and the bound
/// below which a certificate falls in the bucket.
const EXPIRY: [(&str, &str, i64); 7] = [
    ("expired", "e-x", 0),
    ("< 7", "e-7", 7),
    ("< 14", "e-14", 14),
    ("< 30", "e-30", 30),
    ("< 60", "e-60", 60),
    ("< 90", "e-90", 90),
    ("≥ 90", "e-ok", i64::MAX),
];

/// The index in [`EXPIRY`] of a certificate with `days` remaining.
fn expiry_bucket(days: i64) -> usize {
    EXPIRY
        .iter()
        .position(|(_, _, below)| days < *below)
        .unwrap_or(EXPIRY.len() - 1)
}

/// The leaf certificates of an endpoint: each distinct chain it presented, or the default one in
/// a report that lists no others; chains that could not be read have no leaf.
fn leaves(e: &EndpointReport) -> impl Iterator<Item = &CertificateReport> {
    let all: &[CertificateReport] = if e.certificates.is_empty() {
        e.certificate.as_slice()
    } else {
        &e.certificates
    };
    all.iter().filter(|c| !c.chain.is_empty())
}

/// Days remaining in words: `12 days`, `expired 3 days ago`.
fn days_text(days: i64) -> String {
    match days {
        d if d < 0 => format!("expired {} day{} ago", -d, if d == -1 { "" } else { "s" }),
        1 => "1 day".into(),
        d => format!("{d} days"),
    }
}

/// When a certificate expires, in words: `expires in 12 days`, `expired 3 days ago`.
fn expiry_text(days: i64) -> String {
    if days < 0 {
        days_text(days)
    } else {
        format!("expires in {}", days_text(days))
    }
}

/// A protocol version as people write it: `SSL 3.0`, `TLS 1.2` (unknown values in hex).
fn version_label(v: ProtocolVersion) -> Cow<'static, str> {
    Cow::Borrowed(match v {
        ProtocolVersion::SSLv3 => "SSL 3.0",
        ProtocolVersion::TLSv1_0 => "TLS 1.0",
        ProtocolVersion::TLSv1_1 => "TLS 1.1",
        ProtocolVersion::TLSv1_2 => "TLS 1.2",
        ProtocolVersion::TLSv1_3 => "TLS 1.3",
        other => return other.name(),
    })
}

/// A rubric explanation as HTML: escaped, with its `code` spans marked up.
fn rubric_text(why: &str) -> String {
    let mut out = String::with_capacity(why.len() + 16);
    for (i, part) in why.split('`').enumerate() {
        if i % 2 == 1 {
            put!(&mut out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}
