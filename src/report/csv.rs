//! The report as CSV for spreadsheets: one row per endpoint (a target without endpoints gets
//! one row of its own), RFC 4180 quoting, CRLF line ends. The columns are a public interface,
//! listed in docs/report.md ("CSV").

use super::escape::for_spreadsheet;
use super::{Check, EndpointReport, GradeValue, Report, Status, TargetReport};

/// The header row, in column order.
pub const COLUMNS: [&str; 20] = [
    "target",
    "target_grade",
    "mx_preference",
    "host",
    "address",
    "port",
    "transport",
    "grade",
    "versions",
    "cipher",
    "leaf_subject",
    "leaf_sha1",
    "not_after",
    "days_remaining",
    "mta_sts_mode",
    "dane",
    "reasons",
    "domain_reasons",
    "error",
    "elapsed_ms",
];

/// The whole report as CSV text, header first.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    push_row(&mut out, COLUMNS.iter().map(|c| Cell::Ours(c.to_string())));
    for t in &report.targets {
        push_target(&mut out, t);
    }
    out
}

/// One cell: our own words and numbers are written as they are; text that came from a server,
/// DNS or the input is neutralised for spreadsheets first ([`for_spreadsheet`]).
#[derive(Clone)]
enum Cell {
    Ours(String),
    Foreign(String),
}

impl Cell {
    fn empty() -> Cell {
        Cell::Ours(String::new())
    }
}

/// Appends the rows of one target.
pub fn push_target(out: &mut String, t: &TargetReport) {
    let grade = |g: Option<GradeValue>| Cell::Ours(g.map(|g| g.as_str()).unwrap_or("").into());
    let mta_sts = Cell::Ours(
        t.mta_sts
            .as_ref()
            .map(|m| m.policy.as_ref().map_or("absent", |p| p.mode.as_str()))
            .unwrap_or("")
            .to_string(),
    );
    let domain_reasons = Cell::Foreign(reasons(&t.checks));
    // An MX host without endpoints (no address, a DNS error) gets a row of its own, and so does
    // a target with nothing to connect to: every target and MX host shows in the sheet.
    let lone = |host: &str, preference: String, error: Option<&super::ErrorInfo>| {
        let mut row = vec![
            Cell::Foreign(t.input.clone()),
            grade(t.grade),
            Cell::Ours(preference),
            Cell::Foreign(host.to_string()),
        ];
        row.extend((4..14).map(|_| Cell::empty()));
        row.extend([
            mta_sts.clone(),
            Cell::empty(),
            Cell::empty(),
            domain_reasons.clone(),
        ]);
        row.push(Cell::Foreign(
            error.map(|e| e.to_string()).unwrap_or_default(),
        ));
        row.push(Cell::empty());
        row
    };
    let mut rows = 0;
    for e in &t.endpoints {
        let preference =
            t.mx.iter()
                .find(|m| m.host == e.host)
                .map(|m| m.preference.to_string())
                .unwrap_or_default();
        let leaf = e.certificate.as_ref().and_then(|c| c.chain.first());
        let row = vec![
            Cell::Foreign(t.input.clone()),
            grade(t.grade),
            Cell::Ours(preference),
            Cell::Foreign(e.host.clone()),
            Cell::Ours(e.address.clone().unwrap_or_default()),
            Cell::Ours(e.port.to_string()),
            Cell::Ours(e.transport.as_str().to_string()),
            grade(e.grade),
            Cell::Ours(versions(e)),
            Cell::Ours(
                e.negotiated
                    .as_ref()
                    .map(|n| n.cipher.to_string())
                    .unwrap_or_default(),
            ),
            Cell::Foreign(leaf.map(|l| l.subject.clone()).unwrap_or_default()),
            Cell::Ours(leaf.map(|l| l.sha1.clone()).unwrap_or_default()),
            Cell::Ours(
                e.certificate
                    .as_ref()
                    .map(|c| c.not_after.clone())
                    .unwrap_or_default(),
            ),
            Cell::Ours(
                e.certificate
                    .as_ref()
                    .map(|c| c.days_remaining.to_string())
                    .unwrap_or_default(),
            ),
            mta_sts.clone(),
            Cell::Ours(dane(e).into()),
            Cell::Foreign(reasons(&e.checks)),
            domain_reasons.clone(),
            Cell::Foreign(e.error.as_ref().map(|x| x.to_string()).unwrap_or_default()),
            Cell::Ours(e.elapsed_ms.to_string()),
        ];
        push_row(out, row.into_iter());
        rows += 1;
    }
    for m in
        t.mx.iter()
            .filter(|m| !t.endpoints.iter().any(|e| e.host == m.host))
    {
        push_row(
            out,
            lone(&m.host, m.preference.to_string(), m.error.as_ref()).into_iter(),
        );
        rows += 1;
    }
    if rows == 0 {
        push_row(out, lone("", String::new(), t.error.as_ref()).into_iter());
    }
}

/// The accepted versions, oldest first, by their report names ("TLSv1.2 TLSv1.3").
fn versions(e: &EndpointReport) -> String {
    let Some(p) = &e.protocols else {
        return String::new();
    };
    p.iter()
        .filter(|(_, accepted)| **accepted == Some(true))
        .map(|(v, _)| v.name())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `valid` (TLSA records and a match), `invalid` (TLSA records, no match), `none`.
fn dane(e: &EndpointReport) -> &'static str {
    match &e.dane {
        Some(d) if !d.tlsa.is_empty() && d.valid => "valid",
        Some(d) if !d.tlsa.is_empty() => "invalid",
        _ => "none",
    }
}

/// The fail, error and warn checks, worst first, one per line: `fail cert.expired: detail`.
fn reasons(checks: &[Check]) -> String {
    let mut found: Vec<&Check> = checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error | Status::Warn))
        .collect();
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        _ => 2,
    };
    found.sort_by_key(|c| rank(c.status));
    found
        .iter()
        .map(|c| format!("{} {}: {}", c.status.as_str(), c.id, c.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes one record: a field with a comma, quote, CR or LF is quoted, quotes doubled.
fn push_row(out: &mut String, cells: impl Iterator<Item = Cell>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let text = match cell {
            Cell::Ours(s) => s,
            Cell::Foreign(s) => for_spreadsheet(&s),
        };
        if text.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&text.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&text);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: Vec<Cell>) -> String {
        let mut s = String::new();
        push_row(&mut s, cells.into_iter());
        s
    }

    #[test]
    fn quotes_only_what_rfc_4180_needs() {
        assert_eq!(
            row(vec![
                Cell::Ours("plain".into()),
                Cell::Ours("a,b".into()),
                Cell::Ours("say \"hi\"".into()),
                Cell::Ours("two\nlines".into()),
                Cell::empty(),
            ]),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
    }

    #[test]
    fn server_text_cannot_become_a_formula() {
        assert_eq!(
            row(vec![
                Cell::Foreign("=HYPERLINK(\"http://x\")".into()),
                Cell::Foreign("+1".into()),
                Cell::Ours("-5".into()),
                Cell::Foreign("CN=mx.example.com".into()),
            ]),
            "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,-5,CN=mx.example.com\r\n"
        );
    }

    #[test]
    fn one_row_per_endpoint_and_per_mx_host_without_one() {
        let text = render(&crate::testkit::full_report());
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{text:?}"); // header, endpoint, MX host, and the final ""
        assert_eq!(lines[3], "");
        let ep: Vec<&str> = lines[1].split(',').collect();
        let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
        assert_eq!(ep[col("host")], "mx.example.test");
        assert_eq!(ep[col("mx_preference")], "10");
        assert_eq!(ep[col("grade")], "B");
        assert_eq!(ep[col("versions")], "TLSv1.2 TLSv1.3");
        assert_eq!(ep[col("leaf_sha1")], "CD".repeat(20));
        assert_eq!(ep[col("days_remaining")], "300");
        assert_eq!(ep[col("mta_sts_mode")], "testing");
        assert_eq!(ep[col("dane")], "valid");
        assert!(
            lines[2].contains("gone.example.test") && lines[2].contains("dns-nxdomain"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn header_names_every_column_once() {
        let r = Report {
            schema_version: crate::report::SCHEMA_VERSION,
            tool: Default::default(),
            started_at: String::new(),
            finished_at: String::new(),
            targets: vec![],
            invalid_targets: vec![],
        };
        let text = render(&r);
        assert_eq!(text, format!("{}\r\n", COLUMNS.join(",")));
        let mut seen = std::collections::HashSet::new();
        assert!(COLUMNS.iter().all(|c| seen.insert(*c)));
    }
}
