//! Unit tests of the HTML report: its structure, its escaping, its Content-Security-Policy, the
//! findings it lists and the counts its summary shows.

use super::*;
use crate::grade::rubric::CheckId;
use crate::report::escape::for_html;
use crate::testkit::{full_report, poison};

const SCRIPT_TAG: &str = "<script>alert(1)</script>";
const IMG_TAG: &str = "\"><img src=x onerror=alert(1)>";

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The text between the first `open` and the next `close`.
fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let start = s.find(open).unwrap_or_else(|| panic!("no {open}")) + open.len();
    let len = s[start..]
        .find(close)
        .unwrap_or_else(|| panic!("no {close}"));
    &s[start..start + len]
}

/// The report's targets `n` times over, each a copy of the full report's target.
fn report_of(grades: &[Option<GradeValue>]) -> Report {
    let mut r = full_report();
    let t = r.targets.remove(0);
    r.targets = grades
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut t = t.clone();
            t.input = format!("t{i}.example.test");
            t.grade = *g;
            t
        })
        .collect();
    r
}

#[test]
fn one_document_with_summary_then_table_then_cards() {
    let html = render(&full_report());
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(html.trim_end().ends_with("</html>"));
    let summary = html.find("id=\"summary\"").unwrap();
    let table = html.find("id=\"tt\"").unwrap();
    let cards = html.find("<details class=\"card\" id=\"t0\">").unwrap();
    assert!(
        summary < table && table < cards,
        "summary, table, cards in that order"
    );
    assert_eq!(count(&html, "<svg "), 2, "two charts");
    assert_eq!(
        count(
            &html,
            "<tr data-g=\"b\"><td><a href=\"#t0\">example.test</a>"
        ),
        1
    );
    assert_eq!(count(&html, "<details class=\"card\""), 1);
    // Cards start collapsed; the controls only appear when the script runs.
    assert!(!html.contains("<details class=\"card\" id=\"t0\" open"));
    assert!(html.contains("<div class=\"controls js\">"));
    assert!(html.contains("html:not([data-ready]) .js{display:none}"));
    // Header: tool, times, counts; the unreadable target has its own section.
    assert!(html.contains(&format!("tlsgrade {}", env!("CARGO_PKG_VERSION"))));
    assert!(html.contains(
        "started <time datetime=\"2026-06-01T00:00:00Z\">2026-06-01 00:00:00 UTC</time>"
    ));
    assert!(html.contains(
        "finished <time datetime=\"2026-06-01T00:00:01Z\">2026-06-01 00:00:01 UTC</time> (1 s)"
    ));
    assert!(html.contains("1 target · 1 endpoint"));
    assert!(html.contains("<td>4</td><td>bad..name</td><td>empty label</td>"));
}

#[test]
fn the_page_refers_to_nothing_outside_itself() {
    let html = render(&full_report());
    for (i, _) in html.match_indices("href=\"") {
        let target = &html[i + 6..];
        assert!(
            target.starts_with('#') || target.starts_with("data:"),
            "external link: {}",
            &target[..target.len().min(60)]
        );
    }
    for banned in [
        " src=",
        "url(",
        "@import",
        "<link rel=\"stylesheet\"",
        "<iframe",
        "<img",
    ] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
}

/// The policy names exactly the inline style and script; anything else is refused.
#[test]
fn the_content_security_policy_hashes_the_inline_style_and_script() {
    use base64::Engine as _;
    let html = render(&full_report());
    let csp = between(
        &html,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    );
    let hash = |text: &str| {
        let d = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(d.as_ref())
    };
    let style = between(&html, "<style>", "</style>");
    let script = between(&html, "<script>", "</script>");
    assert!(csp.starts_with("default-src 'none'; "), "{csp}");
    assert!(
        csp.contains(&format!("style-src 'sha256-{}';", hash(style))),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("script-src 'sha256-{}';", hash(script))),
        "{csp}"
    );
    assert!(csp.contains("img-src data:"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(count(&html, "<style>"), 1);
    assert_eq!(count(&html, "<script>"), 1);
    // The policy comes before anything it governs.
    assert!(html.find("Content-Security-Policy").unwrap() < html.find("<style>").unwrap());
}

#[test]
fn hostile_text_in_banner_subject_detail_and_mx_host_is_shown_as_text() {
    let mut r = full_report();
    let t = &mut r.targets[0];
    t.input = format!("{IMG_TAG}.test");
    t.mx[0].host = format!("mx{SCRIPT_TAG}.test");
    t.checks[0].detail = format!("dangling {IMG_TAG}");
    let e = &mut t.endpoints[0];
    e.starttls.as_mut().unwrap().greeting = vec![format!("220 {SCRIPT_TAG} \u{1b}[2J ESMTP")];
    e.starttls
        .as_mut()
        .unwrap()
        .capabilities
        .push(IMG_TAG.into());
    e.certificate.as_mut().unwrap().chain[0].subject = format!("CN={IMG_TAG}");
    e.checks[0].detail = format!("self-signed {SCRIPT_TAG}");
    let html = render(&r);

    let script = "&lt;script&gt;alert(1)&lt;/script&gt;";
    let img = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;";
    assert!(
        html.contains(&format!("<pre>220 {script} \\x1b[2J ESMTP</pre>")),
        "greeting"
    );
    assert!(
        html.contains(&format!("<dt>Subject</dt><dd>CN={img}</dd>")),
        "subject"
    );
    assert!(
        html.contains(&format!("<td>mx{script}.test</td>")),
        "MX host"
    );
    assert!(
        html.contains(&format!("self-signed {script}")),
        "endpoint check detail"
    );
    assert!(
        html.contains(&format!("dangling {img}")),
        "domain check detail"
    );
    assert!(
        html.contains(&format!("<a href=\"#t0\">{img}.test</a>")),
        "target input"
    );
    assert!(html.contains(&format!(" · {img}")), "EHLO keyword");
    assert_eq!(count(&html, "<script"), 1, "only the page's own script");
    assert!(!html.contains("<img"));
    assert!(!html.contains('\u{1b}'));
}

/// Every text field of the model, not just the ones a test thought of, reaches the page
/// escaped.
#[test]
fn no_text_field_reaches_the_page_unescaped() {
    let hostile = format!("{IMG_TAG}{SCRIPT_TAG}'\u{1b}[2J\u{202e}");
    let html = render(&poison(&full_report(), &hostile));
    assert_eq!(count(&html, "<script"), 1, "only the page's own script");
    assert!(!html.contains("<img"));
    for c in ['\u{1b}', '\u{202e}'] {
        assert!(!html.contains(c), "{c:?} written raw");
    }
    let escaped = for_html(&hostile);
    assert!(
        count(&html, &escaped) > 40,
        "the hostile text shows, escaped, wherever a field is shown"
    );
}

#[test]
fn every_finding_that_is_not_a_pass_is_listed_with_its_explanation() {
    let mut r = full_report();
    r.targets[0].endpoints[0].checks.push(Check::new(
        CheckId::CertName,
        Status::Pass,
        "names match",
    ));
    let html = render(&r);
    let card = between(&html, "<details class=\"card\" id=\"t0\">", "</details>");
    let t = &r.targets[0];
    let checks = t.checks.iter().chain(&t.endpoints[0].checks);
    for c in checks.clone().filter(|c| c.status != Status::Pass) {
        let row = format!(
            "<tr><td><span class=\"st s-{0}\">{0}</span></td><td><code>{1}</code></td><td>{2}</td><td>{3}",
            c.status.as_str(),
            c.id,
            c.cap.map(|g| g.as_str()).unwrap_or("—"),
            for_html(&c.detail)
        );
        assert!(card.contains(&row), "{} missing: {row}", c.id);
        assert!(
            card.contains(&rubric_text(c.id.rule().why)),
            "{} unexplained",
            c.id
        );
    }
    assert!(checks.clone().any(|c| c.status == Status::Pass));
    for c in checks.filter(|c| c.status == Status::Pass) {
        assert!(
            !card.contains(&format!("<code>{}</code>", c.id)),
            "{} listed",
            c.id
        );
    }
    // The rubric's `code` spans are marked up, not shown with backticks.
    assert_eq!(
        rubric_text("`mode: testing`: <b>"),
        "<code>mode: testing</code>: &lt;b&gt;"
    );
}

#[test]
fn the_card_shows_versions_cipher_chain_and_dialogue() {
    let html = render(&full_report());
    let card = between(&html, "<details class=\"card\" id=\"t0\">", "</details>");
    for want in [
        "<li class=\"v-off\"><b>SSL 3.0</b>refused</li>",
        "<li class=\"v-unk\"><b>TLS 1.0</b>unknown</li>",
        // No detail for TLS 1.1: the version map says refused.
        "<li class=\"v-off\"><b>TLS 1.1</b>refused</li>",
        "<li class=\"v-ok\"><b>TLS 1.3</b>accepted</li>",
        "negotiated <b>TLS 1.3</b> <code>TLS_AES_128_GCM_SHA256</code> with x25519",
        "<dt>Issuer</dt><dd>CN=Example CA</dd><dt>Names</dt><dd>mx.example.test</dd>",
        "(300 days)",
        &format!("<dt>SHA-1</dt><dd><code>{}</code></dd>", "CD".repeat(20)),
        &format!("<dt>SHA-256</dt><dd><code>{}</code></dd>", "ab".repeat(32)),
        "<pre>220 mx.example.test ESMTP</pre>",
        "<dt>Before TLS</dt><dd>STARTTLS · PIPELINING</dd>",
        "offered; reply <code>220 go ahead</code>",
        "<dt>After TLS</dt><dd>PIPELINING</dd>",
        "<td>20</td><td>gone.example.test</td><td>—</td><td></td><td><code>dns-nxdomain</code> no such name</td>",
        "<dt>MTA-STS</dt><dd>testing, max_age 86400",
        "<dt>DANE</dt><dd>protects every MX",
        "via 127.0.0.1:2525",
    ] {
        assert!(card.contains(want), "missing {want:?}");
    }
    let mut r = full_report();
    let mut rsa = Check::new(CheckId::CertExpired, Status::Fail, "the RSA one expired");
    rsa.certificate = Some(SelectedBy::Rsa);
    r.targets[0].endpoints[0].checks.push(rsa);
    r.targets[0].endpoints[0].error = Some(ErrorInfo::new(ErrorKind::TlsHandshake, "alert 40"));
    let html = render(&r);
    assert!(html.contains("<p class=\"err\"><code>tls-handshake</code> alert 40</p>"));
    assert!(html.contains(
        "the RSA one expired <span class=\"muted\">(the certificate RSA clients get)</span>"
    ));
}

#[test]
fn the_grade_chart_counts_every_target_once() {
    let l = |g| Some(GradeValue::Letter(g));
    let r = report_of(&[
        l(Grade::APlus),
        l(Grade::A),
        l(Grade::A),
        l(Grade::B),
        l(Grade::F),
        l(Grade::F),
        l(Grade::F),
        Some(GradeValue::Unknown),
        None,
    ]);
    let html = render(&r);
    let chart = between(&html, "<svg ", "</svg>");
    for want in [
        "A+: 1 target<",
        "A: 2 targets<",
        "B: 1 target<",
        "C: 0 targets<",
        "D: 0 targets<",
        "F: 3 targets<",
        "error: 1 target<",
        "not graded: 1 target<",
    ] {
        assert_eq!(count(chart, want), 1, "{want} in {chart}");
    }
    assert!(html.contains("<b>3</b><span>graded A or A+</span><small>33 % of targets</small>"));
    assert!(html.contains("<b>3</b><span>graded F</span>"));
    // The table's grade cells sort by rank, A+ first.
    assert!(html.contains("<td data-v=\"0\"><span class=\"g g-ap\">A+</span></td>"));
    assert!(html.contains("<tr data-g=\"q\">"));
    assert!(html.contains("<tr data-g=\"n\">"));
}

#[test]
fn the_expiry_chart_buckets_each_leaf_by_days_remaining() {
    let days = [-3, 0, 6, 7, 13, 29, 30, 59, 89, 90, 400];
    let mut r = report_of(&vec![None; days.len()]);
    for (t, d) in r.targets.iter_mut().zip(days) {
        t.endpoints[0].certificate.as_mut().unwrap().days_remaining = d;
    }
    // A second certificate on one endpoint counts too, a chain that could not be read does not.
    let e = &mut r.targets[0].endpoints[0];
    let mut other = e.certificate.clone().unwrap();
    other.days_remaining = 500;
    e.certificates = vec![
        e.certificate.clone().unwrap(),
        other,
        CertificateReport::default(),
    ];
    let html = render(&r);
    let chart = between(&html, "id=\"c-expiry-t\"", "</svg>");
    for want in [
        "expired: 1 certificate<",
        "&lt; 7: 2 certificates<",
        "&lt; 14: 2 certificates<",
        "&lt; 30: 1 certificate<",
        "&lt; 60: 2 certificates<",
        "&lt; 90: 1 certificate<",
        "≥ 90: 3 certificates<",
    ] {
        assert_eq!(count(chart, want), 1, "{want} in {chart}");
    }
    assert!(html.contains("<td data-v=\"-3\" class=\"e-x\">expired 3 days ago</td>"));
    assert!(html.contains("<b>6</b><span>certificates expired or expiring within 30 days</span><small>of 12 leaf certificates</small>"));
}

#[test]
fn main_reasons_are_the_checks_that_cap_the_grade() {
    let mut r = report_of(&[Some(GradeValue::Letter(Grade::B))]);
    let t = &mut r.targets[0];
    t.checks.clear();
    t.endpoints[0].checks = vec![
        Check::new(CheckId::TlsVersion, Status::Warn, "no TLS 1.3"),
        Check::new(CheckId::CertSelfSigned, Status::Warn, "self-signed"),
        Check::new(CheckId::CertExpiring, Status::Warn, "expires soon"),
    ];
    let ids = |t: &TargetReport| -> Vec<&'static str> {
        targets::main_reasons(t)
            .iter()
            .map(|c| c.id.as_str())
            .collect()
    };
    assert_eq!(ids(t), ["cert.self-signed"]);
    // Graded by the score alone: the worst warnings explain it.
    t.grade = Some(GradeValue::Letter(Grade::C));
    assert_eq!(ids(t), ["cert.self-signed", "tls.version", "cert.expiring"]);
    // Nothing to report: no reasons.
    t.endpoints[0].checks = vec![Check::new(CheckId::TlsCipher, Status::Info, "AES")];
    t.grade = Some(GradeValue::Letter(Grade::APlus));
    assert!(ids(t).is_empty());
    let html = render(&r);
    assert!(html.contains("<span class=\"na\">nothing to report</span>"));
}

#[test]
fn an_empty_report_still_renders() {
    let mut r = full_report();
    r.targets.clear();
    r.invalid_targets.clear();
    r.started_at = "not a time".into();
    let html = render(&r);
    assert!(html.contains("No target was scanned."));
    assert!(html.contains("0 targets · 0 endpoints"));
    assert!(html.contains("<small>no targets</small>"));
    assert!(html.contains("started not a time · finished <time"));
    assert!(!html.contains("id=\"invalid\""));
}

/// `tlsgrade report` renders saved reports: checks under ids this build does not know are
/// listed too, and a section the writing tlsgrade did not have is not mistaken for one it
/// checked and found empty.
#[test]
fn a_report_read_back_shows_foreign_checks_and_unrecorded_sections() {
    let mut v = serde_json::to_value(full_report()).unwrap();
    let t = v["targets"][0].as_object_mut().unwrap();
    t.remove("dane");
    t["checks"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "tls.from-the-future", "status": "warn", "cap": "A", "detail": "a newer <finding>"
    }));
    let r: Report = serde_json::from_value(v).unwrap();
    assert_eq!(r.targets[0].read_back.foreign_checks.len(), 1);
    let html = render(&r);
    assert!(html.contains(
        "<td><code>tls.from-the-future</code></td><td>A</td><td>a newer &lt;finding&gt;<p class=\"why\">a check this version of tlsgrade does not know</p>"
    ));
    assert!(html.contains("<dt>DANE</dt><dd>not recorded in this report</dd>"));
    assert!(html.contains("<td><span class=\"na\">not recorded</span></td><td>"));
}
