//! The terminal table (comfy-table). Every text field of the report (anything typed `String`:
//! server-controlled, or derived from what a server sent) passes through
//! [`super::escape::for_terminal`] before it is printed; only the tool's own vocabulary
//! (check ids, statuses, grades, kinds) and numbers are printed as they are.

use crate::wire::enums::ProtocolVersion;
use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};

use super::escape::for_terminal as esc;
use super::model::*;

/// Rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableOptions {
    pub color: bool,
    pub verbose: bool,
}

fn grade_cell(g: Option<GradeValue>, o: TableOptions) -> Cell {
    let text = g.map(|g| g.as_str()).unwrap_or("—");
    let mut c = Cell::new(text).add_attribute(Attribute::Bold);
    if o.color {
        c = c.fg(match g {
            Some(GradeValue::Letter(Grade::APlus)) | Some(GradeValue::Letter(Grade::A)) => {
                Color::Green
            }
            Some(GradeValue::Letter(Grade::B)) => Color::Yellow,
            Some(GradeValue::Letter(_)) => Color::Red,
            _ => Color::Grey,
        });
    }
    c
}

/// The most important findings of a check list, one per line (fail/error/warn first).
fn reasons(checks: &[Check], max: usize) -> String {
    let mut lines: Vec<String> = checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error | Status::Warn))
        .map(|c| {
            // Consistency findings name two certificates: in full under the target, not here.
            if c.id.rule().section == crate::grade::rubric::Section::Consistency {
                format!("{} {} (below)", c.status.as_str(), c.id)
            } else {
                format!("{} {}", c.status.as_str(), esc(&c.detail))
            }
        })
        .collect();
    if lines.len() > max {
        let more = lines.len() - max;
        lines.truncate(max);
        lines.push(format!("(+{more} more; -v shows all)"));
    }
    if lines.is_empty() {
        "ok".into()
    } else {
        lines.join("\n")
    }
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if t.width().is_none() {
        t.set_width(120);
    }
    t
}

/// The version matrix in a few characters: accepted versions, `?` after those that could not be
/// told, e.g. `1.2 1.3` or `SSL3 1.0 1.2?`. Falls back to the negotiated version.
fn version_of(e: &EndpointReport) -> String {
    let short = |v: ProtocolVersion| match v {
        ProtocolVersion::SSLv3 => "SSL3".to_string(),
        other => other.name().trim_start_matches("TLSv").to_string(),
    };
    if let Some(m) = &e.protocols {
        let parts: Vec<String> = m
            .iter()
            .filter_map(|(n, v)| match v {
                Some(true) => Some(short(n)),
                None => Some(format!("{}?", short(n))),
                Some(false) => None,
            })
            .collect();
        if parts.iter().any(|p| !p.ends_with('?')) {
            return parts.join(" ");
        }
    }
    e.negotiated
        .as_ref()
        .map(|n| esc(&n.version.name()))
        .unwrap_or_else(|| "—".into())
}

/// A revocation status in words.
pub(super) fn revocation_word(s: crate::report::RevocationStatus) -> &'static str {
    use crate::report::RevocationStatus as R;
    match s {
        R::Good => "not revoked",
        R::Revoked => "REVOKED",
        R::Unknown => "unknown to the responder",
        R::Unavailable => "not checked",
    }
}

/// Where a revocation status came from, in words.
pub(super) fn source_word(s: crate::report::RevocationSource) -> &'static str {
    use crate::report::RevocationSource as S;
    match s {
        S::OcspStaple => "stapled OCSP",
        S::Ocsp => "OCSP",
        S::Crl => "CRL",
    }
}

/// Which clients get a certificate, in words.
pub(super) fn selected_word(s: crate::report::SelectedBy) -> &'static str {
    use crate::report::SelectedBy as B;
    match s {
        B::Default => "default",
        B::Ecdsa => "ECDSA clients",
        B::Rsa => "RSA clients",
    }
}

/// Renders the whole report.
pub fn render(report: &Report, o: TableOptions) -> String {
    let mut out = String::new();
    for t in &report.targets {
        out.push_str(&render_target(t, o));
        out.push('\n');
    }
    if !report.invalid_targets.is_empty() {
        out.push_str("Targets that could not be read:\n");
        for i in &report.invalid_targets {
            match i.line {
                Some(l) => out.push_str(&format!(
                    "  line {l}: {}: {}\n",
                    esc(&i.input),
                    esc(&i.reason)
                )),
                None => out.push_str(&format!("  {}: {}\n", esc(&i.input), esc(&i.reason))),
            }
        }
    }
    out
}

fn render_target(t: &TargetReport, o: TableOptions) -> String {
    let mut out = String::new();
    let grade = t.grade.map(|g| g.as_str()).unwrap_or("not graded");
    out.push_str(&format!(
        "{} ({})  grade: {}\n",
        esc(&t.input),
        t.kind.as_str(),
        grade
    ));
    if let Some(e) = &t.error {
        out.push_str(&format!(
            "  error [{}]: {}\n",
            e.kind.as_str(),
            esc(&e.message)
        ));
    }
    if t.kind == Kind::MailDomain && !t.mx.is_empty() {
        let mut table = new_table();
        table.set_header(vec![
            "Pref",
            "MX host",
            "Address",
            "Versions",
            "Grade",
            "Main reasons",
        ]);
        for mx in &t.mx {
            let eps: Vec<&EndpointReport> =
                t.endpoints.iter().filter(|e| e.host == mx.host).collect();
            if eps.is_empty() {
                let why = mx
                    .error
                    .as_ref()
                    .map(|e| esc(&e.message))
                    .unwrap_or_else(|| "no endpoint".into());
                table.add_row(vec![
                    Cell::new(mx.preference),
                    Cell::new(esc(&mx.host)),
                    Cell::new("—"),
                    Cell::new("—"),
                    grade_cell(None, o),
                    Cell::new(why),
                ]);
            }
            for e in eps {
                table.add_row(vec![
                    Cell::new(mx.preference),
                    Cell::new(esc(&mx.host)),
                    Cell::new(address_of(e)),
                    Cell::new(version_of(e)),
                    grade_cell(e.grade, o),
                    Cell::new(reasons(&e.checks, 3)),
                ]);
            }
        }
        out.push_str(&table.to_string());
        out.push('\n');
    } else if !t.endpoints.is_empty() {
        let mut table = new_table();
        table.set_header(vec![
            "Host",
            "Address",
            "Port",
            "Transport",
            "Versions",
            "Grade",
            "Main reasons",
        ]);
        for e in &t.endpoints {
            table.add_row(vec![
                Cell::new(esc(&e.host)),
                Cell::new(address_of(e)),
                Cell::new(e.port),
                Cell::new(e.transport.as_str()),
                Cell::new(version_of(e)),
                grade_cell(e.grade, o),
                Cell::new(reasons(&e.checks, 3)),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    if let Some(m) = &t.mta_sts {
        out.push_str(&format!("  MTA-STS: {}\n", mta_sts_line(m, esc)));
    }
    if let Some(r) = &t.tls_rpt {
        out.push_str(&format!("  TLS-RPT: {}\n", tls_rpt_line(r, esc)));
    }
    if let Some(d) = &t.dane {
        out.push_str(&format!("  DANE: {}\n", dane_line(d, &t.endpoints, esc)));
    }
    for c in t.checks.iter().filter(|c| c.status != Status::Pass) {
        out.push_str(&format!(
            "  {:<5} {:<28} {}\n",
            c.status.as_str(),
            c.id,
            esc(&c.detail)
        ));
    }
    // Certificate consistency findings sit on the odd endpoint, where the "Main reasons"
    // column may cut them off; they are what an admin checks after a renewal, so list them here.
    for c in t.endpoints.iter().flat_map(|e| &e.checks).filter(|c| {
        c.id.rule().section == crate::grade::rubric::Section::Consistency
            && c.status != Status::Pass
    }) {
        out.push_str(&format!(
            "  {:<5} {:<28} {}\n",
            c.status.as_str(),
            c.id,
            esc(&c.detail)
        ));
    }
    if o.verbose {
        for e in &t.endpoints {
            out.push_str(&render_endpoint_detail(e));
        }
    }
    out
}

/// One line saying what an MTA-STS sender applies, or why it applies nothing, with the report's
/// text escaped by `esc` for where the line goes (the terminal, the HTML report).
pub(super) fn mta_sts_line(m: &MtaStsReport, esc: fn(&str) -> String) -> String {
    if let Some(p) = &m.policy {
        let covered = m.mx_coverage.iter().filter(|c| c.pattern.is_some()).count();
        let mx = if p.mx.is_empty() {
            "none".to_string()
        } else {
            esc(&p.mx.join(", "))
        };
        return format!(
            "{}, max_age {}, mx: {mx} (covers {covered}/{} MX)",
            p.mode.as_str(),
            p.max_age,
            m.mx_coverage.len()
        );
    }
    if m.record.is_none() {
        return match m.candidates.len() {
            0 => "not published".into(),
            1 => "record not usable (invalid)".into(),
            n => format!("record not usable ({n} records, exactly one allowed)"),
        };
    }
    let why = match &m.fetch {
        Some(f) => match (f.status, &f.error) {
            (_, Some(e)) => esc(e),
            (Some(200), None) => "invalid policy".into(),
            (Some(s), None) => format!("HTTP {s}"),
            (None, None) => "no response".into(),
        },
        None => "not fetched".into(),
    };
    format!("record published, but no usable policy: {why}")
}

/// One line with the report destinations, or why there are none (text escaped by `esc`).
pub(super) fn tls_rpt_line(r: &TlsRptReport, esc: fn(&str) -> String) -> String {
    if r.record.is_some() {
        return esc(&r.rua.join(", "));
    }
    match r.candidates.len() {
        0 => "not published".into(),
        1 => "record not usable (invalid)".into(),
        n => format!("record not usable ({n} records, exactly one allowed)"),
    }
}

fn address_of(e: &EndpointReport) -> String {
    let a = e.address.as_deref().map(esc).unwrap_or_else(|| "—".into());
    match &e.connected_to {
        Some(c) => format!("{a}\n(via {})", esc(c)),
        None => a,
    }
}

fn render_endpoint_detail(e: &EndpointReport) -> String {
    let mut out = format!(
        "\n  {} [{}]:{} {}  grade {}  ({} ms)\n",
        esc(&e.host),
        e.address.as_deref().map(esc).unwrap_or_else(|| "?".into()),
        e.port,
        e.transport.as_str(),
        e.grade.map(|g| g.as_str()).unwrap_or("—"),
        e.elapsed_ms
    );
    if let Some(s) = &e.starttls {
        for g in &s.greeting {
            out.push_str(&format!("    greeting: {}\n", esc(g)));
        }
        if !s.capabilities.is_empty() {
            out.push_str(&format!(
                "    capabilities: {}\n",
                esc(&s.capabilities.join(", "))
            ));
        }
        if let Some(r) = &s.reply {
            out.push_str(&format!("    starttls reply: {}\n", esc(r)));
        }
    }
    if let Some(d) = &e.protocol_details {
        for (version, detail) in d.iter() {
            if let Some(detail) = detail {
                out.push_str(&format!(
                    "    {:<8} {:<8} {}\n",
                    version.name(),
                    detail.result.as_str(),
                    esc(&detail.detail)
                ));
            }
        }
    }
    if let Some(n) = &e.negotiated {
        out.push_str(&format!(
            "    negotiated: {} {} {}  OCSP stapled: {}\n",
            esc(&n.version.name()),
            esc(&n.cipher.name()),
            n.group.map_or_else(|| "-".into(), |g| esc(&g.name())),
            e.ocsp_stapled.map_or("?", |b| if b { "yes" } else { "no" })
        ));
    }
    if let Some(c) = &e.certificate {
        for (i, ci) in c.chain.iter().enumerate() {
            out.push_str(&format!(
                "    cert #{i}: {}\n      issuer {}\n      {} {} bits, {}, {} → {}\n      SHA-1 {}  serial {}\n      SHA-256 {}  SPKI {}\n",
                esc(&ci.subject),
                esc(&ci.issuer),
                esc(&ci.key_type.name()),
                ci.key_bits.map(|b| b.to_string()).unwrap_or_else(|| "?".into()),
                esc(&ci.signature_algorithm),
                esc(&ci.not_before),
                esc(&ci.not_after),
                esc(&ci.sha1),
                esc(&ci.serial),
                esc(&ci.sha256),
                esc(&ci.spki_sha256)
            ));
            if i == 0 && !ci.sans.is_empty() {
                let shown: Vec<String> = ci.sans.iter().take(10).map(|s| esc(s)).collect();
                out.push_str(&format!(
                    "      names: {}{}\n",
                    shown.join(", "),
                    if ci.sans.len() > 10 { ", …" } else { "" }
                ));
            }
        }
        if let Some(r) = &c.revocation {
            out.push_str(&format!(
                "    revocation: {}{}{}\n",
                revocation_word(r.status),
                r.source
                    .map(|s| format!(" ({})", source_word(s)))
                    .unwrap_or_default(),
                if c.must_staple { ", must-staple" } else { "" }
            ));
        }
    }
    // The server's other certificates, one line each (their findings are in the checks).
    for other in e.certificates.iter().skip(1) {
        if let Some(leaf) = other.chain.first() {
            let by: Vec<&str> = other
                .selected_by
                .iter()
                .map(|s| selected_word(*s))
                .collect();
            out.push_str(&format!(
                "    also ({}): {}  {}  until {}  SHA-1 {}\n",
                by.join(", "),
                esc(&leaf.subject),
                esc(&leaf.key_type.name()),
                esc(&leaf.not_after),
                esc(&leaf.sha1)
            ));
        }
    }
    for c in &e.checks {
        out.push_str(&format!(
            "    {:<5} {:<26} {}{}\n",
            c.status.as_str(),
            c.id,
            esc(&c.detail),
            c.cap
                .filter(|_| c.status != Status::Pass)
                .map(|g| format!(" [cap {}]", g.as_str()))
                .unwrap_or_default()
        ));
    }
    out
}

/// One line on a domain's DANE: protected or not, and why (text escaped by `esc`).
pub(super) fn dane_line(
    d: &DomainDaneReport,
    endpoints: &[EndpointReport],
    esc: fn(&str) -> String,
) -> String {
    let with_tlsa = endpoints
        .iter()
        .filter(|e| e.dane.as_ref().is_some_and(|x| !x.tlsa.is_empty()))
        .count();
    let valid = endpoints
        .iter()
        .filter(|e| e.dane.as_ref().is_some_and(|x| x.valid))
        .count();
    if d.protected {
        format!(
            "protects every MX (MX RRset {}, {valid}/{} endpoints DANE-valid)",
            esc(&d.mx_dnssec),
            endpoints.len()
        )
    } else if with_tlsa == 0 {
        format!("not deployed (MX RRset DNSSEC-{})", esc(&d.mx_dnssec))
    } else {
        format!(
            "not protecting the domain: {valid}/{} endpoints DANE-valid, TLSA on {with_tlsa}, MX RRset DNSSEC-{}",
            endpoints.len(),
            esc(&d.mx_dnssec)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "\u{1b}[2J\u{202e}\u{7}\r\n";

    #[test]
    fn no_text_field_reaches_the_terminal_unescaped() {
        let report = crate::testkit::poison(&crate::testkit::full_report(), HOSTILE);
        for verbose in [false, true] {
            let out = render(
                &report,
                TableOptions {
                    color: false,
                    verbose,
                },
            );
            for c in ['\u{1b}', '\u{202e}', '\u{7}', '\r'] {
                assert!(
                    !out.contains(c),
                    "{c:?} printed raw (verbose {verbose}):\n{out}"
                );
            }
            assert!(out.contains("\\x1b[2J"), "{out}");
        }
    }
}
