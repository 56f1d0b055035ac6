//! Hostile servers and DNS: every case is a small scripted peer on loopback
//! (`lab::hostile` byte scripts, the lab SMTP server, the lab DNS), scanned in one batch with a
//! conforming server. Each asserts a specific error kind or check, a wall time well inside a few
//! short timeouts, that the good neighbour still gets its normal grade, and that the report
//! renders as an escaped table and valid JSON whatever bytes arrived.

use std::time::{Duration, Instant};

use tlsgrade::lab::dns::{DnsLab, Zone};
use tlsgrade::lab::hostile::{
    records, server_hello, smtp_to_starttls, spawn_hostile, tls10_flight_with_chain, Step,
};
use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, Versions};
use tlsgrade::report::table::{render, TableOptions};
use tlsgrade::report::{
    EndpointReport, ErrorKind, Grade, GradeValue, Kind, Report, Status, TargetReport, Tool,
    SCHEMA_VERSION,
};
use tlsgrade::scan::{scan_all, ScanConfig};
use tlsgrade::target::parse_target;

use crate::common::*;

const BAD: &str = "bad.example.test";
const GOOD: &str = "good.example.test";
/// Every protocol step's timeout in these cases.
const STEP: Duration = Duration::from_secs(2);
/// A whole batch must finish within this: a few steps' worth, never a hang. Generous because the
/// suite shares two cores with other work.
const BOUND: Duration = Duration::from_secs(15);

fn short(mut cfg: ScanConfig) -> ScanConfig {
    cfg.timeout = STEP;
    cfg.greeting_timeout = STEP;
    // All probes of an endpoint at once, so the bound is a few steps, not a queue of them.
    cfg.per_ip = 8;
    cfg
}

/// Wraps reports as the CLI would print them.
fn report_of(targets: Vec<TargetReport>) -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "tlsgrade".into(),
            version: "test".into(),
        },
        started_at: String::new(),
        finished_at: String::new(),
        targets,
        invalid_targets: vec![],
    }
}

/// Terminal safety for any report: the table has no control character but newlines, no C1 or
/// bidi control, and the JSON parses back.
#[track_caller]
fn assert_safe_output(reports: &[TargetReport]) -> String {
    let report = report_of(reports.to_vec());
    for verbose in [false, true] {
        let table = render(
            &report,
            TableOptions {
                color: false,
                verbose,
            },
        );
        let bad = table.chars().find(|&c| {
            let u = c as u32;
            (u < 0x20 && c != '\n')
                || (0x7f..0xa0).contains(&u)
                || matches!(u, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF)
        });
        assert!(bad.is_none(), "control {bad:?} in table:\n{table}");
    }
    let json = serde_json::to_string(&report).unwrap();
    let back: serde_json::Value = serde_json::from_str(&json).expect("JSON must stay valid");
    assert!(back["targets"].is_array());
    render(
        &report,
        TableOptions {
            color: false,
            verbose: true,
        },
    )
}

/// The verbose table of one endpoint, as the CLI prints it.
fn table_of(e: &EndpointReport) -> String {
    let mut t = TargetReport::new(&format!("{BAD}:25"), Kind::Endpoint);
    t.endpoints.push(e.clone());
    assert_safe_output(&[t])
}

/// Scans `BAD:25`, served by `steps` on 127.0.0.4, and a conforming `GOOD:25` on 127.0.0.5 in
/// one batch; checks the bound, the neighbour and the output; returns the hostile endpoint.
async fn batch(steps: Vec<Step>) -> EndpointReport {
    let bad = spawn_hostile(ip("127.0.0.4"), steps).await.unwrap();
    batch_with(bad.port()).await
}

async fn batch_smtp(script: SmtpScript) -> EndpointReport {
    let bad = spawn_smtp(&[ip("127.0.0.4")], script).await.unwrap();
    batch_with(bad.port()).await
}

async fn batch_with(bad_port: u16) -> EndpointReport {
    let good = good_smtp(&["127.0.0.5"], GOOD).await;
    let r1 = format!("{BAD}:25:127.0.0.4:{bad_port}");
    let r2 = format!("{GOOD}:25:127.0.0.5:{}", good.port());
    let cfg = short(config(None, &[&r1, &r2]));
    let targets = vec![
        parse_target(&format!("{BAD}:25")).unwrap(),
        parse_target(&format!("{GOOD}:25")).unwrap(),
    ];
    let started = Instant::now();
    let reports = scan_all(targets, &cfg).await.unwrap();
    let took = started.elapsed();
    assert!(took < BOUND, "batch took {took:?}");
    let e = only_endpoint(&reports[0]).clone();
    assert_eq!(
        only_endpoint(&reports[1]).grade,
        letter(Grade::A),
        "the good neighbour suffered: {:#?}",
        reports[1]
    );
    assert_safe_output(&reports);
    e
}

#[track_caller]
fn kind(e: &EndpointReport) -> ErrorKind {
    e.error
        .as_ref()
        .unwrap_or_else(|| panic!("no error in {e:#?}"))
        .kind
}

fn smtp_then(mut tail: Vec<Step>) -> Vec<Step> {
    let mut s = smtp_to_starttls();
    s.append(&mut tail);
    s
}

fn lab_script(name: &str) -> SmtpScript {
    let cfg = server_config(&leaf(&[name]), Versions::Tls12And13).unwrap();
    SmtpScript::new(name, Some(cfg))
}

// ---- the SMTP layer ----

#[tokio::test]
async fn greeting_never_sent_is_a_timeout() {
    let e = batch(vec![Step::Sleep(Duration::from_secs(25))]).await;
    assert_eq!(kind(&e), ErrorKind::Timeout);
    has(&e.checks, "smtp.greeting", Status::Error);
    assert_eq!(e.grade, Some(GradeValue::Unknown));
}

#[tokio::test]
async fn greeting_one_byte_per_second_is_a_timeout_not_a_wait_for_ever() {
    let e = batch(vec![Step::Trickle(
        b"220 a very slow server indeed ESMTP\r\n".to_vec(),
        Duration::from_secs(1),
    )])
    .await;
    assert_eq!(kind(&e), ErrorKind::Timeout);
    has(&e.checks, "smtp.greeting", Status::Error);
}

#[tokio::test]
async fn greeting_421_is_temporary() {
    let e = batch(vec![Step::Send(b"421 4.3.2 busy\r\n".to_vec())]).await;
    assert_eq!(kind(&e), ErrorKind::ServerRefused);
    has(&e.checks, "smtp.greeting", Status::Error);
    assert_eq!(e.grade, Some(GradeValue::Unknown));
}

#[tokio::test]
async fn greeting_554_is_a_refusal() {
    let e = batch(vec![
        Step::Send(b"554 5.7.1 go away\r\n".to_vec()),
        Step::ReadLine,
    ])
    .await;
    assert_eq!(kind(&e), ErrorKind::ServerRefused);
    has(&e.checks, "smtp.greeting", Status::Fail);
    assert_eq!(e.grade, letter(Grade::F));
}

#[tokio::test]
async fn ten_megabytes_without_a_newline_is_a_protocol_error_read_no_further() {
    let e = batch(vec![Step::Send(vec![b'A'; 10 * 1024 * 1024])]).await;
    assert_eq!(kind(&e), ErrorKind::ProtocolError);
    let c = has(&e.checks, "smtp.greeting", Status::Fail);
    assert!(c.detail.contains("longer than"), "{c:?}");
    // No sender can read such a greeting, so no mail is delivered here: F, not "could not test".
    assert_eq!(e.grade, letter(Grade::F));
}

#[tokio::test]
async fn a_ten_thousand_line_ehlo_reply_is_cut_off() {
    let mut ehlo = b"250-hostile.lab\r\n".to_vec();
    for i in 0..10_000 {
        ehlo.extend_from_slice(format!("250-X-EXTENSION-{i}\r\n").as_bytes());
    }
    ehlo.extend_from_slice(b"250 STARTTLS\r\n");
    let e = batch(vec![
        Step::Send(b"220 hostile.lab ESMTP\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(ehlo),
    ])
    .await;
    assert_eq!(kind(&e), ErrorKind::ProtocolError);
    let c = has(&e.checks, "smtp.ehlo", Status::Fail);
    assert!(c.detail.contains("longer than 256 lines"), "{c:?}");
}

#[tokio::test]
async fn a_reply_whose_lines_change_code_is_a_protocol_error() {
    let e = batch(vec![Step::Send(
        b"220-hostile.lab\r\n250 ESMTP\r\n".to_vec(),
    )])
    .await;
    assert_eq!(kind(&e), ErrorKind::ProtocolError);
    has(&e.checks, "smtp.greeting", Status::Fail);
}

#[tokio::test]
async fn data_sent_before_the_greeting_is_a_protocol_error() {
    let e = batch(vec![Step::Send(
        b"\x00\xffGET / HTTP/1.0\r\n220 hostile.lab ESMTP\r\n".to_vec(),
    )])
    .await;
    assert_eq!(kind(&e), ErrorKind::ProtocolError);
    has(&e.checks, "smtp.greeting", Status::Fail);
}

#[tokio::test]
async fn an_http_server_on_the_smtp_port_is_not_smtp() {
    let e = batch(vec![
        Step::Send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec()),
        Step::Sleep(Duration::from_secs(25)),
    ])
    .await;
    assert_eq!(kind(&e), ErrorKind::ProtocolError);
    let c = has(&e.checks, "smtp.greeting", Status::Fail);
    assert!(c.detail.contains("not an SMTP reply"), "{c:?}");
    assert_eq!(e.grade, letter(Grade::F));
}

#[tokio::test]
async fn a_close_right_after_accept_is_connection_closed() {
    let e = batch(vec![]).await;
    assert_eq!(kind(&e), ErrorKind::ConnectionClosed);
    has(&e.checks, "smtp.greeting", Status::Error);
}

#[tokio::test]
async fn a_reset_right_after_accept_is_connection_closed() {
    let e = batch(vec![Step::Reset]).await;
    assert_eq!(kind(&e), ErrorKind::ConnectionClosed);
}

#[tokio::test]
async fn starttls_advertised_then_454_is_unavailable() {
    let e = batch(vec![
        Step::Send(b"220 hostile.lab ESMTP\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(b"250-hostile.lab\r\n250 STARTTLS\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(b"454 4.7.0 TLS not available\r\n".to_vec()),
        Step::ReadLine,
    ])
    .await;
    assert_eq!(kind(&e), ErrorKind::StarttlsUnavailable);
    has(&e.checks, "starttls.command", Status::Fail);
    assert_eq!(e.grade, letter(Grade::F));
}

#[tokio::test]
async fn plaintext_glued_to_the_220_go_ahead_is_refused_before_tls() {
    let e = batch(vec![
        Step::Send(b"220 hostile.lab ESMTP\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(b"250-hostile.lab\r\n250 STARTTLS\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(b"220 go ahead\r\n250 injected plaintext\r\n".to_vec()),
    ])
    .await;
    assert_eq!(kind(&e), ErrorKind::ProtocolError);
    let c = has(&e.checks, "starttls.command", Status::Fail);
    assert!(c.detail.contains("clear text"), "{c:?}");
}

#[tokio::test]
async fn plaintext_instead_of_a_server_hello_fails_the_handshake() {
    let e = batch(smtp_then(vec![
        Step::ReadRecord,
        Step::Send(b"500 5.5.1 what is this binary?\r\n".to_vec()),
    ]))
    .await;
    assert_eq!(kind(&e), ErrorKind::TlsHandshake);
    has(&e.checks, "tls.handshake", Status::Fail);
}

#[tokio::test]
async fn starttls_readvertised_after_tls_warns() {
    let mut s = lab_script(BAD);
    s.readvertise_after_tls = true;
    let e = batch_smtp(s).await;
    has(&e.checks, "starttls.readvertised", Status::Warn);
    assert!(e.error.is_none(), "{e:#?}");
}

#[tokio::test]
async fn escape_sequences_and_control_bytes_in_banner_and_ehlo_are_escaped() {
    let mut s = lab_script(BAD);
    s.greeting = Some(vec![format!(
        "220 {BAD} \u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\u{202e}gnp.exe\u{8}\u{7f}"
    )]);
    s.extensions.push("X-\u{1b}[5mBLINK".into());
    let e = batch_smtp(s).await;
    let st = e.starttls.as_ref().unwrap();
    // The report keeps what the server said; only the presentation escapes it.
    assert!(st.greeting[0].contains('\u{1b}'));
    assert!(st.capabilities.iter().any(|c| c.contains('\u{1b}')));
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains("\\u001b") && !json.contains('\u{1b}'));
    let table = table_of(&e);
    assert!(table.contains("\\x1b[2J\\x1b]0;owned\\x07"), "{table}");
}

#[tokio::test]
async fn invalid_utf8_in_the_banner_stays_valid_json() {
    let e = batch(vec![
        Step::Send(b"220 hostile.lab \xff\xfe\xc3\x28 ESMTP\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(b"250 hostile.lab\r\n".to_vec()),
        Step::ReadLine,
    ])
    .await;
    assert_eq!(kind(&e), ErrorKind::StarttlsUnavailable);
    assert!(e.starttls.as_ref().unwrap().greeting[0].contains('\u{fffd}'));
}

// ---- the TLS layer ----

#[tokio::test]
async fn a_reset_in_the_middle_of_the_server_hello_fails_without_a_hang() {
    let flight = records(0x16, 0x0303, &server_hello(0x0303, 0xc02f));
    let e = batch(smtp_then(vec![
        Step::ReadRecord,
        Step::Send(flight[..flight.len() / 2].to_vec()),
        Step::Sleep(Duration::from_millis(50)),
        Step::Reset,
    ]))
    .await;
    assert_eq!(kind(&e), ErrorKind::ConnectionClosed);
    has(&e.checks, "tls.handshake", Status::Fail);
}

#[tokio::test]
async fn a_record_length_that_promises_more_than_is_sent_times_out() {
    // Header says 16,000 bytes; 40 arrive, then silence.
    let mut lie = vec![0x16, 0x03, 0x03, 0x3e, 0x80];
    lie.extend_from_slice(&server_hello(0x0303, 0xc02f)[..40]);
    let e = batch(smtp_then(vec![
        Step::ReadRecord,
        Step::Send(lie),
        Step::Sleep(Duration::from_secs(25)),
    ]))
    .await;
    assert_eq!(kind(&e), ErrorKind::Timeout);
    has(&e.checks, "tls.handshake", Status::Error);
    assert_eq!(e.grade, Some(GradeValue::Unknown));
}

#[tokio::test]
async fn a_record_length_beyond_the_protocol_maximum_is_rejected_at_once() {
    let mut lie = vec![0x16, 0x03, 0x03, 0xff, 0xff];
    lie.extend_from_slice(&[0u8; 64]);
    let e = batch(smtp_then(vec![
        Step::ReadRecord,
        Step::Send(lie),
        Step::Sleep(Duration::from_secs(25)),
    ]))
    .await;
    assert_eq!(kind(&e), ErrorKind::TlsHandshake);
    has(&e.checks, "tls.handshake", Status::Fail);
}

#[tokio::test]
async fn a_handshake_length_that_overruns_its_record_ends_as_connection_closed() {
    // A ServerHello claiming 60,000 bytes inside a 44-byte record, then close.
    let mut sh = server_hello(0x0303, 0xc02f);
    sh[1..4].copy_from_slice(&[0x00, 0xea, 0x60]);
    let e = batch(smtp_then(vec![
        Step::ReadRecord,
        Step::Send(records(0x16, 0x0303, &sh)),
    ]))
    .await;
    assert_eq!(kind(&e), ErrorKind::ConnectionClosed);
    has(&e.checks, "tls.handshake", Status::Fail);
}

#[tokio::test]
async fn a_server_hello_for_a_version_never_offered_is_refused() {
    // 0x0305 does not exist; no probe offered it.
    let e = batch(smtp_then(vec![
        Step::ReadRecord,
        Step::Send(records(0x16, 0x0303, &server_hello(0x0305, 0xc02f))),
        Step::Sleep(Duration::from_secs(1)),
    ]))
    .await;
    // rustls refuses the unknown version; no version probe counts it as accepted.
    assert_eq!(kind(&e), ErrorKind::TlsHandshake);
    has(&e.checks, "tls.modern-missing", Status::Fail);
    let p = e.protocols.as_ref().unwrap();
    assert!([p.sslv3, p.tls10, p.tls11, p.tls12, p.tls13]
        .iter()
        .all(|v| *v != Some(true)));
    assert_ne!(e.grade, letter(Grade::A));
}

#[tokio::test]
async fn an_alert_of_unknown_type_and_level_is_a_handshake_failure() {
    let e = batch(smtp_then(vec![
        Step::ReadRecord,
        Step::Send(vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x07, 0xee]),
    ]))
    .await;
    assert_eq!(kind(&e), ErrorKind::TlsHandshake);
    has(&e.checks, "tls.handshake", Status::Fail);
}

#[tokio::test]
async fn a_record_of_unknown_content_type_is_a_handshake_failure() {
    let e = batch(smtp_then(vec![
        Step::ReadRecord,
        Step::Send(records(0x42, 0x0303, b"not a content type")),
    ]))
    .await;
    assert_eq!(kind(&e), ErrorKind::TlsHandshake);
}

#[tokio::test]
async fn a_flood_of_empty_records_ends_within_the_bound() {
    let mut flood = Vec::new();
    for _ in 0..200_000 {
        flood.extend_from_slice(&[0x16, 0x03, 0x03, 0x00, 0x00]);
    }
    let e = batch(smtp_then(vec![Step::ReadRecord, Step::Send(flood)])).await;
    // rustls refuses an empty handshake record at once (RFC 8446 §5.1), whatever follows.
    assert_eq!(kind(&e), ErrorKind::TlsHandshake);
    assert!(e.error.as_ref().unwrap().message.contains("EmptyPayload"));
    has(&e.checks, "tls.handshake", Status::Fail);
}

// ---- certificates carried in clear text by a TLS 1.0 flight ----

fn chain_steps(chain: Vec<Vec<u8>>) -> Vec<Step> {
    smtp_then(vec![
        Step::ReadRecord,
        Step::Send(tls10_flight_with_chain(&chain)),
        Step::Sleep(Duration::from_millis(500)),
    ])
}

fn leaf_der(names: &[&str]) -> Vec<u8> {
    leaf(names).chain[0].to_vec()
}

#[tokio::test]
async fn a_hundred_certificate_chain_is_inspected_in_bounded_time() {
    let int = pki().intermediate.cert.der().to_vec();
    let mut chain = vec![leaf_der(&[BAD])];
    chain.extend(std::iter::repeat_n(int, 99));
    let e = batch(chain_steps(chain)).await;
    let cert = e.certificate.as_ref().unwrap_or_else(|| panic!("{e:#?}"));
    assert_eq!(cert.chain.len(), 100);
    has(&e.checks, "tls.modern-missing", Status::Fail);
}

#[tokio::test]
async fn a_certificate_that_is_not_der_is_a_parse_failure() {
    let junk = vec![0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00];
    let e = batch(chain_steps(vec![junk])).await;
    has(&e.checks, "cert.parse", Status::Fail);
    assert_eq!(e.grade, letter(Grade::F));
}

#[tokio::test]
async fn a_certificate_with_ten_thousand_names_is_inspected_in_bounded_time() {
    // Three-character names keep 10,000 of them under the 64 KiB handshake message limit.
    const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut names: Vec<String> = (0..10_000)
        .map(|i| {
            let c = |k: usize| ALPHA[(i / k) % 36] as char;
            format!("{}{}{}", c(1296), c(36), c(1))
        })
        .collect();
    names.push(BAD.into());
    let spec = tlsgrade::lab::pki::LeafSpec {
        names,
        ..tlsgrade::lab::pki::LeafSpec::valid(&[])
    };
    let cert = pki().leaf(&spec).unwrap();
    let chain = cert.chain.iter().map(|c| c.to_vec()).collect();
    let e = batch(chain_steps(chain)).await;
    let c = e.certificate.as_ref().unwrap_or_else(|| panic!("{e:#?}"));
    // The report keeps a bounded sample of the names; matching uses them all.
    assert!(c.chain[0].sans.len() <= 500, "{}", c.chain[0].sans.len());
    assert!(c.name_matches);
}

#[tokio::test]
async fn escape_sequences_in_the_certificate_subject_are_escaped_in_the_table() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut p = rcgen::CertificateParams::new(vec![BAD.to_string()]).unwrap();
    p.distinguished_name.push(
        rcgen::DnType::CommonName,
        rcgen::DnValue::Utf8String("\u{1b}[31mEVIL\u{1b}[0m\u{7}\u{9b}2J\u{202e}".into()),
    );
    p.distinguished_name.push(
        rcgen::DnType::OrganizationName,
        rcgen::DnValue::Utf8String("\r\n\u{0}org".into()),
    );
    let cert = p
        .signed_by(&key, &pki().intermediate.cert, &pki().intermediate.key)
        .unwrap();
    let e = batch(chain_steps(vec![cert.der().to_vec()])).await;
    let subject = &e.certificate.as_ref().unwrap().chain[0].subject;
    assert!(subject.contains('\u{1b}'), "{subject:?}");
    let table = table_of(&e);
    assert!(table.contains("\\x1b[31mEVIL"), "{table}");
}

// ---- DNS ----

/// Scans `example.test` against `dns` plus a good endpoint in the same batch.
async fn dns_batch(dns: DnsLab, good_mx: bool) -> TargetReport {
    dns_batch_for("example.test", dns, good_mx).await
}

async fn dns_batch_for(domain: &str, dns: DnsLab, good_mx: bool) -> TargetReport {
    let dns = dns.spawn(ip("127.0.0.1")).await.unwrap();
    let good = good_smtp(&["127.0.0.5"], GOOD).await;
    let r = format!("{GOOD}:25:127.0.0.5:{}", good.port());
    let mut cfg = short(config(Some(dns.addr()), &[&r]));
    cfg.concurrency = 64;
    let targets = vec![
        parse_target(domain).unwrap(),
        parse_target(&format!("{GOOD}:25")).unwrap(),
    ];
    let started = Instant::now();
    let reports = scan_all(targets, &cfg).await.unwrap();
    let took = started.elapsed();
    assert!(took < BOUND, "batch took {took:?}");
    if good_mx {
        assert_eq!(only_endpoint(&reports[1]).grade, letter(Grade::A));
    }
    assert_safe_output(&reports);
    reports[0].clone()
}

#[tokio::test]
async fn a_cname_loop_at_the_domain_is_a_dns_error() {
    // (Below the apex: a CNAME cannot share a name with the zone's SOA.)
    let z = Zone::new("example.test")
        .cname("mail.example.test", "loop.example.test")
        .cname("loop.example.test", "mail.example.test");
    let r = dns_batch_for("mail.example.test", DnsLab::new().zone(z), true).await;
    let c = has(&r.checks, "mx.lookup", Status::Error);
    assert!(c.detail.contains("CNAME loop"), "{c:?}");
    assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::DnsError);
}

#[tokio::test]
async fn five_hundred_mx_records_are_all_reported() {
    // 500 MX records do not fit a UDP answer: the server truncates (TC) and the resolver must
    // retry over TCP. None of the hosts has an address, so no connection is tried.
    let mut z = Zone::new("example.test");
    for i in 0..500 {
        z = z.mx("example.test", 10, &format!("mx{i}.example.test"));
    }
    let r = dns_batch(DnsLab::new().zone(z), true).await;
    assert_eq!(r.mx.len(), 500, "{:#?}", r.checks);
    assert!(r.mx.iter().all(|m| m.error.is_some()));
    has(&r.checks, "mx.usable", Status::Fail);
    assert_eq!(r.grade, letter(Grade::F));
}

#[tokio::test]
async fn a_huge_mta_sts_txt_record_is_judged_not_trusted() {
    let big = format!("v=STSv1; id={};", "a".repeat(8000));
    let chunks: Vec<&str> = big
        .as_bytes()
        .chunks(255)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let z = Zone::new("example.test")
        .mx("example.test", 10, GOOD)
        .addr(GOOD, ip("127.0.0.5"))
        .txt("_mta-sts.example.test", &chunks);
    let r = dns_batch(DnsLab::new().zone(z), true).await;
    has(&r.checks, "mta-sts.txt-invalid", Status::Fail);
}

#[tokio::test]
async fn servfail_is_a_dns_servfail_error() {
    let r = dns_batch(DnsLab::new().servfail("example.test"), true).await;
    assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::DnsServfail);
    has(&r.checks, "mx.lookup", Status::Error);
}

#[tokio::test]
async fn a_silent_dns_server_is_a_dns_timeout_within_the_bound() {
    let r = dns_batch(DnsLab::new().silent("example.test"), true).await;
    assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::DnsTimeout);
    has(&r.checks, "mx.lookup", Status::Error);
}

#[tokio::test]
async fn escape_sequences_in_mta_sts_and_tls_rpt_records_are_escaped() {
    let z = Zone::new("example.test")
        .mx("example.test", 10, GOOD)
        .txt("_mta-sts.example.test", &["v=STSv1; id=\u{1b}[2J\u{7};"])
        .addr(GOOD, ip("127.0.0.5"))
        .txt(
            "_smtp._tls.example.test",
            &["v=TLSRPTv1; rua=mailto:\u{1b}]0;x\u{7}@x"],
        );
    let r = dns_batch(DnsLab::new().zone(z), true).await;
    has(&r.checks, "mta-sts.txt-invalid", Status::Fail);
}

#[tokio::test]
async fn escape_sequences_in_the_mta_sts_policy_are_escaped() {
    use tlsgrade::lab::https::{spawn_https, HttpReply};
    use tlsgrade::lab::pki::LeafSpec;
    let z = Zone::new("example.test")
        .mx("example.test", 10, GOOD)
        .addr(GOOD, ip("127.0.0.5"))
        .txt("_mta-sts.example.test", &["v=STSv1; id=1;"]);
    let dns = DnsLab::new().zone(z).spawn(ip("127.0.0.1")).await.unwrap();
    let policy =
        "version: STSv1\nmode: \u{1b}[2Jenforce\u{7}\nmx: \u{1b}]0;pwn\u{7}.example.test\n\
                  x-\u{9b}: \u{202e}\nmax_age: 604800\n";
    let cert = pki()
        .leaf(&LeafSpec::valid(&["mta-sts.example.test"]))
        .unwrap();
    let tls = server_config(&cert, Versions::Tls12And13).unwrap();
    let https = spawn_https(ip("127.0.0.1"), tls, vec![HttpReply::policy(policy)])
        .await
        .unwrap();
    let good = good_smtp(&["127.0.0.5"], GOOD).await;
    let r1 = format!("{GOOD}:25:127.0.0.5:{}", good.port());
    let r2 = format!("mta-sts.example.test:443:127.0.0.1:{}", https.port());
    let cfg = short(config(Some(dns.addr()), &[&r1, &r2]));
    let started = Instant::now();
    let reports = scan_all(vec![parse_target("example.test").unwrap()], &cfg)
        .await
        .unwrap();
    assert!(started.elapsed() < BOUND);
    has(&reports[0].checks, "mta-sts.policy-invalid", Status::Fail);
    assert_safe_output(&reports);
}
