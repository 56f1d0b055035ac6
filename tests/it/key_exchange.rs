//! Servers limited to a key exchange beyond x25519, P-256 and P-384 (openssl s_server): TLS 1.3
//! with P-521 only or an RFC 7919 group only, TLS 1.2 with DHE suites only. OpenSSL's own client
//! completes a handshake with each, so the scan must too: negotiated session, certificate judged,
//! no `tls.handshake` failure. A DHE server with a prime of its own (not RFC 7919) is one the
//! full handshake cannot finish; its certificate still comes from the clear-text TLS 1.2 probes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tlsgrade::report::{EndpointReport, Grade, Status};

use crate::common::*;
use crate::peers::{need, s_server, write};
use crate::versions::{rsa_cert, scan_port};

/// openssl s_server with the lab PKI's trusted ECDSA leaf for `name`.
fn lab_server(dir: &Path, name: &str, extra: &[&str]) -> (crate::peers::Peer, u16) {
    let l = leaf(&[name]);
    let cert = write(dir, "chain.pem", &l.chain_pem);
    let key = write(dir, "key.pem", &l.key_pem);
    let int = write(dir, "int.pem", &pki().intermediate_pem());
    let mut args = vec!["-cert_chain", int.to_str().unwrap()];
    args.extend_from_slice(extra);
    s_server(dir, &cert, &key, &args)
}

/// DH parameters openssl writes: an RFC 7919 group by name, or a prime of its own.
fn dh_params(dir: &Path, group: Option<&str>) -> PathBuf {
    let p = dir.join("dh.pem");
    let mut cmd = Command::new(need("openssl"));
    cmd.args(["genpkey", "-genparam", "-algorithm", "DH"]);
    match group {
        Some(g) => cmd.args(["-pkeyopt", &format!("group:{g}")]),
        // A 1024-bit safe prime takes well under a second; the size only has to be unknown.
        None => cmd.args(["-pkeyopt", "dh_paramgen_prime_len:1024"]),
    };
    let st = cmd
        .arg("-out")
        .arg(&p)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    p
}

fn assert_completed(e: &EndpointReport) {
    assert!(e.error.is_none(), "{:?}", e.error);
    assert!(
        check(&e.checks, "tls.handshake").is_none(),
        "{:#?}",
        e.checks
    );
    assert!(e.certificate.is_some());
}

#[tokio::test]
async fn a_tls13_server_limited_to_p521_is_talked_to_and_its_certificate_judged() {
    let dir = tempfile::tempdir().unwrap();
    let (_peer, port) = lab_server(
        dir.path(),
        "p521.example.test",
        &["-tls1_3", "-groups", "P-521"],
    );
    let e = scan_port("https://p521.example.test", port).await;
    assert_completed(&e);
    let n = e.negotiated.as_ref().expect("negotiated");
    assert_eq!(n.version.name(), "TLSv1.3");
    assert_eq!(n.group.map(|g| g.name()).as_deref(), Some("secp521r1"));
    assert!(e.certificate.as_ref().unwrap().trusted);
    has(&e.checks, "cert.name", Status::Pass);
    assert_eq!(e.grade, letter(Grade::A));
}

#[tokio::test]
async fn a_tls13_server_limited_to_an_rfc7919_group_is_talked_to() {
    let dir = tempfile::tempdir().unwrap();
    let (_peer, port) = lab_server(
        dir.path(),
        "ffdhe.example.test",
        &["-tls1_3", "-groups", "ffdhe3072"],
    );
    let e = scan_port("https://ffdhe.example.test", port).await;
    assert_completed(&e);
    let n = e.negotiated.as_ref().expect("negotiated");
    assert_eq!(n.group.map(|g| g.name()).as_deref(), Some("ffdhe3072"));
    assert_eq!(e.grade, letter(Grade::A), "{:#?}", e.checks);
    assert!(e.certificate.as_ref().unwrap().trusted);
}

#[tokio::test]
async fn a_tls12_server_with_only_dhe_suites_and_an_rfc7919_group_is_talked_to() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "dhe.example.test");
    let dh = dh_params(dir.path(), Some("ffdhe2048"));
    let (_peer, port) = s_server(
        dir.path(),
        &cert,
        &key,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
            "-dhparam",
            dh.to_str().unwrap(),
        ],
    );
    let e = scan_port("https://dhe.example.test", port).await;
    assert_completed(&e);
    let n = e.negotiated.as_ref().expect("negotiated");
    assert!(
        n.cipher.name().starts_with("TLS_DHE_RSA_WITH_AES_"),
        "{}",
        n.cipher.name()
    );
    assert_eq!(n.group.map(|g| g.name()).as_deref(), Some("ffdhe2048"));
    // Self-signed: judged, and found untrusted, which is the point of capturing it.
    let c = e.certificate.as_ref().unwrap();
    assert!(!c.trusted);
    has(&e.checks, "cert.name", Status::Pass);
}

#[tokio::test]
async fn a_dhe_server_with_its_own_prime_still_has_its_certificate_judged() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "dhe.example.test");
    let dh = dh_params(dir.path(), None);
    let (_peer, port) = s_server(
        dir.path(),
        &cert,
        &key,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-dhparam",
            dh.to_str().unwrap(),
        ],
    );
    let e = scan_port("https://dhe.example.test", port).await;
    // Our limit, not the server's fault: said, never graded as a broken handshake.
    let h = has(&e.checks, "tls.handshake", Status::Info);
    assert_eq!(h.cap, None);
    // What is shown as negotiated is the probe's ServerHello: the version and suite it chose.
    let n = e.negotiated.as_ref().unwrap();
    assert_eq!(n.version.name(), "TLSv1.2");
    assert_eq!(n.cipher.name(), "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
    has(&e.checks, "kx.dh-small", Status::Warn);
    let c = e
        .certificate
        .as_ref()
        .expect("certificate from the clear-text probes");
    assert!(!c.trusted);
    has(&e.checks, "cert.name", Status::Pass);
    assert_eq!(e.protocols.as_ref().unwrap().tls12, Some(true));
}
