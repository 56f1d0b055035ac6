//! Renegotiation and the ServerKeyExchange hash, through tlsgrade's own TLS 1.2 client, against
//! real servers: openssl s_server (OpenSSL 3.0) and GnuTLS's gnutls-serv. Each test scans the
//! server as a mail admin would and asserts the check ids and statuses from the configured
//! truth, and a second scanner on the same peers in the same run must agree on client-initiated
//! renegotiation: testssl.sh (`-R`) on s_server, which serves one connection at a time and so
//! makes sslyze's two concurrent renegotiation connections time out; sslyze 6.3.1 (`--reneg`) on
//! gnutls-serv. Neither tries a renegotiation without RFC 5746, so `tls.renegotiation-insecure`
//! has the configured truth alone.

use std::process::{Command, Stdio};

use tlsgrade::report::{EndpointReport, Status};

use crate::common::*;
use crate::stacks::{gnutls_serv, lab_cert, lab_cert_with, openssl_server};
use crate::versions::scan_port;

/// testssl.sh's `secure_client_renego` for each port (all at once): anything but OK is a server
/// that honours client-initiated renegotiation.
fn testssl_client_renegotiation(dir: &std::path::Path, ports: &[u16]) -> Vec<bool> {
    let runs: Vec<_> = ports
        .iter()
        .map(|port| {
            let json = dir.join(format!("testssl-reneg-{port}.json"));
            let child = Command::new(crate::peers::need("testssl"))
                .args(["-R", "--quiet", "--color", "0", "--warnings", "off"])
                .arg("--jsonfile-pretty")
                .arg(&json)
                .arg(format!("127.0.0.1:{port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            (child, json)
        })
        .collect();
    runs.into_iter()
        .map(|(mut child, json)| {
            child.wait().unwrap();
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
            let found = v["scanResult"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["vulnerabilities"].as_array())
                .flatten()
                .find(|f| f["id"] == "secure_client_renego")
                .unwrap_or_else(|| panic!("no secure_client_renego: {v}"))
                .clone();
            found["severity"] != "OK"
        })
        .collect()
}

/// sslyze's `is_vulnerable_to_client_renegotiation_dos` for each port, in one run.
fn sslyze_client_renegotiation(dir: &std::path::Path, ports: &[u16]) -> Vec<bool> {
    crate::peers::sslyze_scan(dir, &["--reneg"], ports)
        .iter()
        .map(|r| {
            r["session_renegotiation"]["result"]["is_vulnerable_to_client_renegotiation_dos"]
                .as_bool()
                .unwrap_or_else(|| panic!("no renegotiation result: {r}"))
        })
        .collect()
}

const TARGET: &str = "tls://peer.example.test:443";
const NAME: &str = "peer.example.test";

#[track_caller]
fn status(e: &EndpointReport, id: &str) -> Status {
    check(&e.checks, id)
        .unwrap_or_else(|| panic!("no {id}: {:#?}", e.checks))
        .status
}

/// OpenSSL 3.0 refuses client-initiated renegotiation unless `-client_renegotiation`
/// (SSL_OP_ALLOW_CLIENT_RENEGOTIATION, off by default since 3.0), and then honours it without a
/// limit; without RFC 5746 only with `-legacy_renegotiation` as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_client_renegotiation_as_configured() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (mut peers, mut ports, mut ours) = (Vec::new(), Vec::new(), Vec::new());
    for (args, client, insecure) in [
        (&[][..], Status::Pass, Status::Pass),
        (&["-no_renegotiation"][..], Status::Pass, Status::Pass),
        (&["-client_renegotiation"][..], Status::Warn, Status::Pass),
        (
            &["-client_renegotiation", "-legacy_renegotiation"][..],
            Status::Warn,
            Status::Fail,
        ),
    ] {
        let mut all = vec!["-tls1_2"];
        all.extend_from_slice(args);
        let (_peer, port) = openssl_server(dir.path(), &c, &all);
        let e = scan_port(TARGET, port).await;
        let got = check(&e.checks, "tls.client-renegotiation").expect("checked");
        assert_eq!(got.status, client, "{args:?}: {got:?}");
        if client == Status::Warn {
            assert!(got.detail.contains("11"), "{}", got.detail);
        }
        let got = check(&e.checks, "tls.renegotiation-insecure").expect("checked");
        assert_eq!(got.status, insecure, "{args:?}: {got:?}");
        assert_eq!(status(&e, "tls.kx-sha1"), Status::Pass, "{args:?}");
        peers.push(_peer);
        ports.push(port);
        ours.push(client == Status::Warn);
    }
    assert_eq!(testssl_client_renegotiation(dir.path(), &ports), ours);
    drop(peers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_signing_its_key_exchange_with_sha1_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    let (_peer, port) = openssl_server(
        dir.path(),
        &c,
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-sigalgs",
            "RSA+SHA1",
        ],
    );
    let e = scan_port(TARGET, port).await;
    let k = has(&e.checks, "tls.kx-sha1", Status::Warn);
    assert_eq!(k.cap, Some(tlsgrade::report::Grade::A));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gnutls_renegotiation_with_and_without_rfc_5746() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (mut peers, mut ports) = (Vec::new(), Vec::new());
    for (priority, insecure) in [
        ("NORMAL", Status::Pass),
        ("NORMAL:%UNSAFE_RENEGOTIATION", Status::Fail),
        ("NORMAL:%DISABLE_SAFE_RENEGOTIATION", Status::Fail),
    ] {
        let (_peer, port) = gnutls_serv(&c, priority);
        let e = scan_port(TARGET, port).await;
        assert_eq!(
            status(&e, "tls.renegotiation-insecure"),
            insecure,
            "{priority}: {:#?}",
            check(&e.checks, "tls.renegotiation-insecure")
        );
        // gnutls-serv honours every renegotiation a client asks for.
        assert_eq!(
            status(&e, "tls.client-renegotiation"),
            Status::Warn,
            "{priority}"
        );
        peers.push(_peer);
        ports.push(port);
    }
    assert_eq!(
        sslyze_client_renegotiation(dir.path(), &ports),
        [true, true, true]
    );
    drop(peers);
}
