//! The IMAP STARTTLS dialogue (RFC 9051 §6.2.1) against a scripted IMAP server on loopback:
//! what the capabilities before TLS say about plaintext logins.

use tlsgrade::lab::hostile::{spawn_hostile, Step};
use tlsgrade::report::Status;

use crate::common::*;

/// An IMAP server that advertises `caps` before TLS, accepts STARTTLS, then closes instead of a
/// handshake (the dialogue's findings are what this test reads).
fn imap_script(caps: &str) -> Vec<Step> {
    vec![
        Step::Send(b"* OK [CAPABILITY IMAP4rev1] scripted IMAP ready\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(format!("* CAPABILITY {caps}\r\na1 OK CAPABILITY completed\r\n").into_bytes()),
        Step::ReadLine,
        Step::Send(b"a2 OK Begin TLS negotiation now\r\n".to_vec()),
        Step::ReadRecord,
    ]
}

async fn scan_imap(caps: &str) -> tlsgrade::report::EndpointReport {
    let server = spawn_hostile(ip("127.0.0.6"), imap_script(caps))
        .await
        .unwrap();
    let route = format!("imap.lab.test:143:127.0.0.6:{}", server.port());
    let r = scan(&config(None, &[&route]), "imap://imap.lab.test").await;
    only_endpoint(&r).clone()
}

#[tokio::test]
async fn plaintext_login_before_starttls_warns() {
    let e = scan_imap("IMAP4rev1 STARTTLS AUTH=PLAIN").await;
    has(&e.checks, "starttls.offered", Status::Pass);
    let c = has(&e.checks, "imap.login-plaintext", Status::Warn);
    assert!(c.detail.contains("AUTH=PLAIN"), "{c:?}");
    assert_eq!(c.cap, None);
}

#[tokio::test]
async fn logindisabled_without_plaintext_sasl_passes() {
    let e = scan_imap("IMAP4rev1 STARTTLS LOGINDISABLED AUTH=SCRAM-SHA-256").await;
    has(&e.checks, "imap.login-plaintext", Status::Pass);
}
