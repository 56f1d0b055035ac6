//! What a failed full handshake means, read with the version probes: a port that does not
//! speak TLS, a server that never completes a handshake, a server without TLS 1.2 or 1.3 that
//! refuses newer hellos with handshake_failure. Scripted peers (the lab's legacy responder and
//! the hostile byte-script server), where no real server still behaves this way on demand; the
//! real stacks are in `stacks`.

use tlsgrade::lab::hostile::{spawn_hostile, Step};
use tlsgrade::lab::legacy::{spawn_legacy, LegacyScript, Reaction};
use tlsgrade::report::{ErrorKind, Grade, GradeValue, Status};

use crate::common::*;
use crate::versions::scan_port;

/// A certificate the scripted responder sends after its ServerHello.
fn chain(name: &str) -> Vec<Vec<u8>> {
    leaf(&[name]).chain.iter().map(|c| c.to_vec()).collect()
}

#[tokio::test]
async fn a_server_that_ends_every_handshake_after_its_server_hello_is_an_f() {
    // ServerHello and Certificate, then internal_error where ServerKeyExchange belongs: a server
    // that cannot sign. Scripted: real servers with a key they cannot use refuse to start.
    let mut s = LegacyScript::range(0x0301, 0x0303);
    s.certificates = chain("old.example.test");
    s.abort_after_hello = Some(80);
    let srv = spawn_legacy(ip("127.0.0.1"), s).await.unwrap();
    let e = scan_port("tls://old.example.test:443", srv.port()).await;
    let c = has(&e.checks, "tls.handshake-incomplete", Status::Fail);
    assert_eq!(c.cap, Some(Grade::F));
    assert!(
        check(&e.checks, "tls.handshake").is_none(),
        "{:#?}",
        e.checks
    );
    assert_eq!(e.grade, letter(Grade::F));
    // The versions are accepted only as far as the ServerHello goes, and say so.
    let d = e.protocol_details.as_ref().unwrap().tls12.clone().unwrap();
    assert!(d.detail.contains("ServerHello only"), "{}", d.detail);
    // The certificate is still shown, but nothing claims a negotiated session.
    assert!(e.certificate.is_some());
    assert!(e.negotiated.is_none());
}

#[tokio::test]
async fn plain_http_on_a_tls_port_is_not_tls_and_not_graded() {
    let srv = spawn_hostile(
        ip("127.0.0.1"),
        vec![
            Step::ReadRecord,
            Step::Send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec()),
        ],
    )
    .await
    .unwrap();
    let e = scan_port("tls://web.example.test:443", srv.port()).await;
    assert_eq!(e.error.as_ref().map(|e| e.kind), Some(ErrorKind::NotTls));
    // The answer's first line names what the port speaks.
    let msg = &e.error.as_ref().unwrap().message;
    assert!(msg.contains("\"HTTP/1.1 400 Bad Request\""), "{msg}");
    assert_eq!(e.grade, Some(GradeValue::Unknown));
    let p = e.protocols.as_ref().unwrap();
    assert!(
        [p.sslv3, p.tls10, p.tls11, p.tls12, p.tls13]
            .iter()
            .all(Option::is_none),
        "{p:?}"
    );
    has(&e.checks, "tls.handshake", Status::Error);
    assert!(check(&e.checks, "tls.versions").is_none());
}

#[tokio::test]
async fn a_server_without_tls12_that_refuses_newer_hellos_with_handshake_failure_gets_one_finding()
{
    // TLS 1.0 and 1.1 only; TLS 1.2 and 1.3 hellos get handshake_failure, not protocol_version.
    let mut s = LegacyScript::range(0x0301, 0x0302);
    s.certificates = chain("old.example.test");
    s.preference = Some(vec![0x002f]);
    s.renegotiation_info = true;
    for (v, r) in s.rules.iter_mut() {
        if *v >= 0x0303 {
            *r = Reaction::Alert(40);
        }
    }
    let srv = spawn_legacy(ip("127.0.0.1"), s).await.unwrap();
    let e = scan_port("tls://old.example.test:443", srv.port()).await;
    has(&e.checks, "tls.modern-missing", Status::Fail);
    assert!(
        check(&e.checks, "tls.handshake").is_none(),
        "the handshake is not broken, the server is old: {:#?}",
        e.checks
    );
    assert_eq!(e.grade, letter(Grade::C));
}
