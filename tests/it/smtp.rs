//! SMTP STARTTLS dialogues against the lab's scriptable server: greetings that never come, 421
//! and 554, STARTTLS missing, masked, refused or re-advertised, replies split over writes, and
//! hostile bytes in banners.

use std::time::{Duration, Instant};

use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, Versions};
use tlsgrade::report::{ErrorKind, Grade, GradeValue, Status};
use tlsgrade::scan::scan_all;
use tlsgrade::target::parse_target;

use crate::common::*;

const NAME: &str = "mx.example.test";

fn script() -> SmtpScript {
    let cfg = server_config(&leaf(&[NAME]), Versions::Tls12And13).unwrap();
    SmtpScript::new(NAME, Some(cfg))
}

async fn scan_script(s: SmtpScript) -> tlsgrade::report::EndpointReport {
    let srv = spawn_smtp(&[ip("127.0.0.1")], s).await.unwrap();
    let rt = format!("{NAME}:25:127.0.0.1:{}", srv.port());
    let r = scan(&config(None, &[&rt]), &format!("{NAME}:25")).await;
    only_endpoint(&r).clone()
}

#[tokio::test]
async fn conforming_server_gets_tls13_and_an_a() {
    let e = scan_script(script()).await;
    assert_eq!(e.grade, letter(Grade::A), "{e:#?}");
    let st = e.starttls.as_ref().unwrap();
    assert!(st.offered);
    assert_eq!(st.greeting, ["mx.example.test ESMTP tlsgrade-lab"]);
    assert!(st.capabilities.iter().any(|c| c == "STARTTLS"));
    assert!(st
        .capabilities_after_tls
        .as_ref()
        .unwrap()
        .iter()
        .all(|c| c != "STARTTLS"));
    has(&e.checks, "starttls.command", Status::Pass);
    assert_eq!(
        e.connected_to
            .as_deref()
            .map(|s| s.starts_with("127.0.0.1:")),
        Some(true)
    );
}

#[tokio::test]
async fn multi_line_replies_sent_one_line_per_write_are_read_whole() {
    let mut s = script();
    s.one_line_per_write = true;
    s.greeting = Some(vec![
        "220-mx.example.test first line".into(),
        "220-second".into(),
        "220 third".into(),
    ]);
    let e = scan_script(s).await;
    assert_eq!(e.starttls.as_ref().unwrap().greeting.len(), 3);
    assert_eq!(e.grade, letter(Grade::A), "{e:#?}");
}

#[tokio::test]
async fn lowercase_starttls_on_the_final_line_is_offered() {
    let mut s = script();
    s.starttls_keyword = "starttls".into();
    let e = scan_script(s).await;
    assert!(e.starttls.as_ref().unwrap().offered);
    assert_eq!(
        e.starttls
            .as_ref()
            .unwrap()
            .capabilities
            .last()
            .map(String::as_str),
        Some("starttls")
    );
    assert_eq!(e.grade, letter(Grade::A));
}

#[tokio::test]
async fn greeting_that_never_comes_is_an_error_within_the_timeout_and_others_are_unaffected() {
    let mut s = script();
    s.greeting = None;
    let silent = spawn_smtp(&[ip("127.0.0.1")], s).await.unwrap();
    let good = spawn_smtp(&[ip("127.0.0.1")], script()).await.unwrap();
    let r1 = format!("silent.example.test:25:127.0.0.1:{}", silent.port());
    let r2 = format!("{NAME}:25:127.0.0.1:{}", good.port());
    let cfg = config(None, &[&r1, &r2]);
    let targets = vec![
        parse_target("silent.example.test:25").unwrap(),
        parse_target(&format!("{NAME}:25")).unwrap(),
    ];
    let started = Instant::now();
    let reports = scan_all(targets, &cfg).await.unwrap();
    assert!(started.elapsed() < cfg.greeting_timeout + Duration::from_secs(5));
    let e = only_endpoint(&reports[0]);
    assert_eq!(e.error.as_ref().unwrap().kind, ErrorKind::Timeout);
    has(&e.checks, "smtp.greeting", Status::Error);
    assert_eq!(e.grade, Some(GradeValue::Unknown));
    assert_eq!(only_endpoint(&reports[1]).grade, letter(Grade::A));
}

#[tokio::test]
async fn greeting_421_is_temporary_not_a_failure() {
    let mut s = script();
    s.greeting = Some(vec!["421 4.3.2 mx.example.test busy, try later".into()]);
    let e = scan_script(s).await;
    assert_eq!(e.error.as_ref().unwrap().kind, ErrorKind::ServerRefused);
    let c = has(&e.checks, "smtp.greeting", Status::Error);
    assert!(c.detail.contains("temporarily"));
    assert_eq!(e.grade, Some(GradeValue::Unknown));
}

#[tokio::test]
async fn greeting_554_is_a_refusal_and_fails() {
    let mut s = script();
    s.greeting = Some(vec!["554 5.7.1 no SMTP service here".into()]);
    let e = scan_script(s).await;
    let c = has(&e.checks, "smtp.greeting", Status::Fail);
    assert!(c.detail.contains("refuses SMTP"));
    assert_eq!(e.grade, letter(Grade::F));
}

#[tokio::test]
async fn starttls_not_offered_fails_with_grade_f() {
    let mut s = script();
    s.offer_starttls = false;
    let e = scan_script(s).await;
    has(&e.checks, "starttls.offered", Status::Fail);
    assert_eq!(
        e.error.as_ref().unwrap().kind,
        ErrorKind::StarttlsUnavailable
    );
    assert_eq!(e.grade, letter(Grade::F));
    assert!(e.negotiated.is_none());
}

#[tokio::test]
async fn starttls_masked_by_a_middlebox_is_noted() {
    let mut s = script();
    s.offer_starttls = false;
    s.extensions.push("XXXXXXXA".into());
    let e = scan_script(s).await;
    has(&e.checks, "starttls.masked", Status::Info);
    has(&e.checks, "starttls.offered", Status::Fail);
}

#[tokio::test]
async fn starttls_454_fails_as_unavailable() {
    let mut s = script();
    s.starttls_reply = "454 4.7.0 TLS not available due to local problem".into();
    let e = scan_script(s).await;
    let c = has(&e.checks, "starttls.command", Status::Fail);
    assert!(c.detail.contains("454"));
    assert_eq!(e.grade, letter(Grade::F));
}

#[tokio::test]
async fn starttls_offered_again_inside_tls_warns() {
    let mut s = script();
    s.readvertise_after_tls = true;
    let e = scan_script(s).await;
    has(&e.checks, "starttls.readvertised", Status::Warn);
}

#[tokio::test]
async fn tls12_only_server_warns_no_tls13() {
    let mut s = script();
    s.tls = Some(server_config(&leaf(&[NAME]), Versions::Tls12Only).unwrap());
    let e = scan_script(s).await;
    assert_eq!(e.negotiated.as_ref().unwrap().version.name(), "TLSv1.2");
    let c = has(&e.checks, "tls.version", Status::Warn);
    assert_eq!(c.cap, Some(Grade::A));
}

#[tokio::test]
async fn control_bytes_in_the_banner_are_kept_in_json_and_escaped_in_the_table() {
    let mut s = script();
    s.greeting = Some(vec![
        "220 mx.example.test \u{1b}[2J\u{1b}]0;pwned\u{7} hi".into()
    ]);
    let e = scan_script(s).await;
    let g = &e.starttls.as_ref().unwrap().greeting[0];
    assert!(g.contains('\u{1b}'));
    let json = serde_json::to_string(&e).unwrap();
    assert!(
        !json.contains('\u{1b}'),
        "JSON must escape control characters"
    );
    assert!(json.contains("\\u001b"));
}
