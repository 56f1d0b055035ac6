//! A target's grade card, collapsed in a `<details>`: its error, MTA-STS, TLS-RPT and DANE, the
//! MX hosts, every finding that is not a pass with the rubric's explanation, and per endpoint
//! its grade, version matrix, negotiated suite, certificates and plaintext dialogue.

use super::targets::{main_reasons, worst_days};
use super::*;
use crate::report::table::{
    dane_line, mta_sts_line, revocation_word, selected_word, source_word, tls_rpt_line,
};

pub(super) fn render(out: &mut String, i: usize, t: &TargetReport) {
    let reasons = main_reasons(t);
    put!(
        out,
        "<details class=\"card\" id=\"t{i}\"><summary>{}<b>{}</b><span class=\"meta\">{} · {} endpoint{}",
        badge(t.grade),
        esc(&t.input),
        t.kind.as_str(),
        t.endpoints.len(),
        plural(t.endpoints.len())
    );
    if let Some(d) = worst_days(t) {
        put!(out, " · certificate {}", expiry_text(d));
    }
    for c in reasons.iter().take(2) {
        put!(out, " · <code>{}</code>", c.id);
    }
    out.push_str("</span></summary><div class=\"cb\">\n");
    if let Some(e) = &t.error {
        error_line(out, e);
    }
    policies(out, t);
    mx_table(out, t);
    findings(
        out,
        if t.kind == Kind::MailDomain {
            "Domain findings"
        } else {
            "Target findings"
        },
        &t.checks,
        &t.read_back.foreign_checks,
    );
    for e in &t.endpoints {
        endpoint(out, e);
    }
    out.push_str("</div></details>\n");
}

fn error_line(out: &mut String, e: &ErrorInfo) {
    put!(
        out,
        "<p class=\"err\"><code>{}</code> {}</p>\n",
        e.kind.as_str(),
        esc(&e.message)
    );
}

/// MTA-STS, TLS-RPT and DANE of a mail domain, each in the terminal's one line plus the records.
fn policies(out: &mut String, t: &TargetReport) {
    if t.mta_sts.is_none()
        && t.tls_rpt.is_none()
        && t.dane.is_none()
        && t.read_back.unwritten.is_empty()
    {
        return;
    }
    out.push_str("<dl class=\"facts\">");
    let unrecorded = |s: &str| t.read_back.unwritten.contains(&s);
    out.push_str("<dt>MTA-STS</dt><dd>");
    match &t.mta_sts {
        Some(m) => {
            out.push_str(&mta_sts_line(m, esc));
            if let Some(r) = &m.record {
                put!(out, "<br><code>{}</code>", esc(r));
            }
            if let Some(f) = &m.fetch {
                put!(
                    out,
                    "<br>policy <code>{}</code>: {}",
                    esc(&f.url),
                    f.status
                        .map(|s| format!("HTTP {s}"))
                        .unwrap_or_else(|| "no response".into())
                );
            }
        }
        None if unrecorded("mta_sts") => out.push_str("not recorded in this report"),
        None => out.push_str("not checked"),
    }
    out.push_str("</dd><dt>TLS-RPT</dt><dd>");
    match &t.tls_rpt {
        Some(r) => {
            out.push_str(&tls_rpt_line(r, esc));
            if let Some(rec) = &r.record {
                put!(out, "<br><code>{}</code>", esc(rec));
            }
        }
        None if unrecorded("tls_rpt") => out.push_str("not recorded in this report"),
        None => out.push_str("not checked"),
    }
    out.push_str("</dd><dt>DANE</dt><dd>");
    match &t.dane {
        Some(d) => out.push_str(&dane_line(d, &t.endpoints, esc)),
        None if unrecorded("dane") => out.push_str("not recorded in this report"),
        None => out.push_str("not checked"),
    }
    out.push_str("</dd></dl>\n");
}

fn mx_table(out: &mut String, t: &TargetReport) {
    if t.mx.is_empty() {
        return;
    }
    out.push_str(
        "<h4>MX hosts</h4><table class=\"sub\"><thead><tr><th>Pref</th><th>Host</th><th>Addresses</th><th>Grade</th><th>Error</th></tr></thead><tbody>",
    );
    for mx in &t.mx {
        let addresses: Vec<String> = mx.addresses.iter().map(|a| esc(a)).collect();
        let grades: String = t
            .endpoints
            .iter()
            .filter(|e| e.host == mx.host)
            .map(|e| badge(e.grade))
            .collect();
        put!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
            mx.preference,
            esc(&mx.host),
            if addresses.is_empty() {
                "—".to_string()
            } else {
                addresses.join(", ")
            },
            grades
        );
        if let Some(e) = &mx.error {
            put!(out, "<code>{}</code> {}", e.kind.as_str(), esc(&e.message));
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// Every check that is not a pass, most severe first (the order the grader left them in), with
/// the rubric's explanation of its id; checks under ids this build does not know come last.
fn findings(out: &mut String, heading: &str, checks: &[Check], foreign: &[ForeignCheck]) {
    let shown: Vec<&Check> = checks.iter().filter(|c| c.status != Status::Pass).collect();
    let foreign: Vec<&ForeignCheck> = foreign
        .iter()
        .filter(|c| c.status != Status::Pass)
        .collect();
    if shown.is_empty() && foreign.is_empty() {
        return;
    }
    put!(
        out,
        "<h4>{heading}</h4><table class=\"sub ck\"><thead><tr><th>Status</th><th>Check</th><th>Cap</th><th>Finding</th></tr></thead><tbody>"
    );
    for c in shown {
        let about = match c.certificate {
            None => String::new(),
            Some(SelectedBy::Default) => {
                " <span class=\"muted\">(the default certificate)</span>".into()
            }
            Some(s) => format!(
                " <span class=\"muted\">(the certificate {} get)</span>",
                selected_word(s)
            ),
        };
        put!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}{about}<p class=\"why\">{}</p></td></tr>",
            status_chip(c.status),
            c.id,
            cap_text(c.cap),
            esc(&c.detail),
            rubric_text(c.id.rule().why)
        );
    }
    for c in foreign {
        put!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}<p class=\"why\">a check this version of tlsgrade does not know</p></td></tr>",
            status_chip(c.status),
            esc(&c.id),
            cap_text(c.cap),
            esc(&c.detail)
        );
    }
    out.push_str("</tbody></table>\n");
}

fn cap_text(cap: Option<Grade>) -> &'static str {
    cap.map(|g| g.as_str()).unwrap_or("—")
}

fn endpoint(out: &mut String, e: &EndpointReport) {
    put!(
        out,
        "<section class=\"ep\"><h3>{}{} <span class=\"meta\">{} · port {} · {} · {} ms",
        badge(e.grade),
        esc(&e.host),
        e.address
            .as_deref()
            .map(esc)
            .unwrap_or_else(|| "address unknown".into()),
        e.port,
        e.transport.as_str(),
        e.elapsed_ms
    );
    if let Some(c) = &e.connected_to {
        put!(out, " · via {}", esc(c));
    }
    out.push_str("</span></h3>\n");
    if let Some(err) = &e.error {
        error_line(out, err);
    }
    versions(out, e);
    findings(out, "Findings", &e.checks, &e.read_back.foreign_checks);
    certificates(out, e);
    dane(out, e);
    dialogue(out, e);
    out.push_str("</section>\n");
}

/// The version matrix, SSL 3.0 to TLS 1.3: what the probe of each version saw, and the
/// negotiated suite.
fn versions(out: &mut String, e: &EndpointReport) {
    if e.protocols.is_none() && e.protocol_details.is_none() && e.negotiated.is_none() {
        return;
    }
    out.push_str("<div class=\"tls\">");
    if e.protocols.is_some() || e.protocol_details.is_some() {
        out.push_str("<ul class=\"vm\" aria-label=\"protocol versions\">");
        for v in VERSIONS {
            let detail = e
                .protocol_details
                .as_ref()
                .and_then(|d| d.get(v))
                .and_then(|d| d.as_ref());
            let support = match detail {
                Some(d) => d.result,
                None => match e
                    .protocols
                    .as_ref()
                    .and_then(|p| p.get(v).copied().flatten())
                {
                    Some(true) => Support::Accepted,
                    Some(false) => Support::Refused,
                    None => Support::Unknown,
                },
            };
            let class = match support {
                Support::Accepted if v < ProtocolVersion::TLSv1_2 => "v-bad",
                Support::Accepted => "v-ok",
                Support::Refused => "v-off",
                Support::Unknown => "v-unk",
            };
            put!(
                out,
                "<li class=\"{class}\"><b>{}</b>{}</li>",
                esc(&version_label(v)),
                support.as_str()
            );
        }
        out.push_str("</ul>");
    }
    if let Some(n) = &e.negotiated {
        put!(
            out,
            "<p>negotiated <b>{}</b> <code>{}</code>{}{}</p>",
            esc(&version_label(n.version)),
            esc(&n.cipher.name()),
            n.group
                .map(|g| format!(" with {}", esc(&g.name())))
                .unwrap_or_default(),
            match e.ocsp_stapled {
                Some(true) => " · OCSP stapled",
                Some(false) => " · no OCSP staple",
                None => "",
            }
        );
    }
    out.push_str("</div>\n");
}

/// Each distinct certificate chain the endpoint presented, with its verdicts and every
/// certificate's names, dates and thumbprints.
fn certificates(out: &mut String, e: &EndpointReport) {
    let all: &[CertificateReport] = if e.certificates.is_empty() {
        e.certificate.as_slice()
    } else {
        &e.certificates
    };
    for c in all {
        let by: Vec<&str> = c.selected_by.iter().map(|s| selected_word(*s)).collect();
        put!(
            out,
            "<div class=\"cert\"><p class=\"ct\"><b>Certificate</b>{} · {}",
            if by.is_empty() || all.len() == 1 {
                String::new()
            } else {
                format!(" ({})", by.join(", "))
            },
            if c.trusted {
                "<span class=\"ok\">trusted</span>".to_string()
            } else {
                format!(
                    "<span class=\"bad\">not trusted</span>{}",
                    c.trust_error
                        .as_deref()
                        .map(|w| format!(": {}", esc(w)))
                        .unwrap_or_default()
                )
            },
        );
        out.push_str(if c.name_matches {
            " · valid for the name"
        } else {
            " · <span class=\"bad\">not valid for the host name</span>"
        });
        if let Some(r) = &c.revocation {
            put!(
                out,
                " · revocation: {}{}",
                revocation_word(r.status),
                r.source
                    .map(|s| format!(" ({})", source_word(s)))
                    .unwrap_or_default()
            );
        }
        if c.must_staple {
            out.push_str(" · must-staple");
        }
        if c.chain.is_empty() {
            out.push_str("</p><p class=\"muted\">No certificate could be read.</p></div>\n");
            continue;
        }
        put!(
            out,
            " · <span class=\"{}\">{}</span></p><ol class=\"chain\">",
            EXPIRY[expiry_bucket(c.days_remaining)].1,
            expiry_text(c.days_remaining)
        );
        for (i, ci) in c.chain.iter().enumerate() {
            let sans: Vec<String> = ci.sans.iter().map(|s| esc(s)).collect();
            put!(
                out,
                "<li><dl><dt>Subject</dt><dd>{}</dd><dt>Issuer</dt><dd>{}</dd>",
                esc(&ci.subject),
                esc(&ci.issuer)
            );
            if !sans.is_empty() {
                put!(out, "<dt>Names</dt><dd>{}</dd>", sans.join(", "));
            }
            put!(
                out,
                "<dt>Valid</dt><dd>{} to {}{}</dd><dt>Key</dt><dd>{}{} · {}</dd>\
                 <dt>SHA-1</dt><dd><code>{}</code></dd><dt>SHA-256</dt><dd><code>{}</code></dd></dl></li>",
                esc(&ci.not_before),
                esc(&ci.not_after),
                if i == 0 {
                    format!(" ({})", days_text(c.days_remaining))
                } else {
                    String::new()
                },
                esc(&ci.key_type.name()),
                ci.key_bits.map(|b| format!(" {b} bits")).unwrap_or_default(),
                esc(&ci.signature_algorithm),
                esc(&ci.sha1),
                esc(&ci.sha256)
            );
        }
        out.push_str("</ol></div>\n");
    }
}

/// DANE of one endpoint: where TLSA was looked up, the DNSSEC statuses, the records and the
/// verdict.
fn dane(out: &mut String, e: &EndpointReport) {
    let Some(d) = &e.dane else {
        return;
    };
    put!(
        out,
        "<p class=\"dane\"><b>DANE</b> <code>{}</code> · DNSSEC: address {}, TLSA {}",
        esc(&d.tlsa_name),
        esc(&d.dnssec.address),
        d.dnssec
            .tlsa
            .as_deref()
            .map(esc)
            .unwrap_or_else(|| "not looked up".into())
    );
    if d.tlsa.is_empty() {
        out.push_str(" · no TLSA records");
    }
    for r in &d.tlsa {
        put!(
            out,
            "<br><code>{} {} {} {}</code> {}",
            r.usage,
            r.selector,
            r.matching,
            esc(&r.data),
            if r.usable {
                "usable".to_string()
            } else {
                format!(
                    "<span class=\"bad\">not usable</span>{}",
                    r.unusable_reason
                        .as_deref()
                        .map(|w| format!(": {}", esc(w)))
                        .unwrap_or_default()
                )
            }
        );
    }
    if !d.tlsa.is_empty() {
        put!(
            out,
            "<br>{}{}",
            if d.valid {
                "<span class=\"ok\">DANE-valid</span>"
            } else {
                "<span class=\"bad\">not DANE-valid</span>"
            },
            d.matched
                .as_deref()
                .map(|m| format!(" · matched <code>{}</code>", esc(m)))
                .unwrap_or_default()
        );
    }
    out.push_str("</p>\n");
}

/// The plaintext dialogue before TLS: the greeting, the capabilities before and after TLS, and
/// the reply to STARTTLS.
fn dialogue(out: &mut String, e: &EndpointReport) {
    let Some(s) = &e.starttls else {
        return;
    };
    let list = |items: &[String]| -> String {
        if items.is_empty() {
            "none".into()
        } else {
            items.iter().map(|i| esc(i)).collect::<Vec<_>>().join(" · ")
        }
    };
    let greeting: Vec<String> = s.greeting.iter().map(|g| esc(g)).collect();
    put!(
        out,
        "<dl class=\"dlg\"><dt>Greeting</dt><dd><pre>{}</pre></dd><dt>Before TLS</dt><dd>{}</dd><dt>STARTTLS</dt><dd>{}",
        if greeting.is_empty() {
            "none".to_string()
        } else {
            greeting.join("\n")
        },
        list(&s.capabilities),
        if s.offered { "offered" } else { "<span class=\"bad\">not offered</span>" }
    );
    if let Some(r) = &s.reply {
        put!(out, "; reply <code>{}</code>", esc(r));
    }
    out.push_str("</dd>");
    if let Some(after) = &s.capabilities_after_tls {
        put!(out, "<dt>After TLS</dt><dd>{}</dd>", list(after));
    }
    out.push_str("</dl>\n");
}
