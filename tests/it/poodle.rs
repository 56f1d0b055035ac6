//! POODLE against TLS (`tls.poodle-tls`) through tlsgrade's own TLS 1.2 client: tlslite-ng and
//! openssl s_server check CBC padding and pass; the scripted responder (tlslite-ng with its
//! padding check patched to look at the length byte only, tests/peers/tlslite_server.py
//! `--poodle`) fails with cap F. No maintained server is still built that way, and neither
//! testssl.sh nor sslyze tests it, so there is no cross-check to run.

use tlsgrade::report::{Grade, Status};

use crate::common::*;
use crate::stacks::{lab_cert, openssl_server};
use crate::versions::{rsa_cert, scan_port, tlslite_with};

const TARGET: &str = "tls://peer.example.test:443";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tlslite_checking_padding_passes_and_ignoring_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    for (mode, status) in [("--hold", Status::Pass), ("--poodle", Status::Fail)] {
        let args = ["--min", "tls1.2", "--max", "tls1.2", "--ems", mode];
        let (_p, port) = tlslite_with(&cert, &key, false, &args);
        let e = scan_port(TARGET, port).await;
        let c = check(&e.checks, "tls.poodle-tls")
            .unwrap_or_else(|| panic!("{mode}: no tls.poodle-tls: {:#?}", e.checks));
        assert_eq!(c.status, status, "{mode}: {}", c.detail);
        if status == Status::Fail {
            assert_eq!(c.cap, Some(Grade::F));
            assert_eq!(
                e.grade,
                Some(tlsgrade::report::GradeValue::Letter(Grade::F))
            );
        }
    }
}

/// OpenSSL checks padding; whether tlsgrade gets to probe depends on what the earlier probes saw:
/// a server choosing by the client's order shows a CBC suite to the reversed-order hello; one
/// with its own AEAD-first order shows none, and the check says it did not probe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_checks_padding_and_a_server_preferring_aead_is_not_probed() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), "peer.example.test");
    let suites = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:AES256-SHA";
    for (pref, status) in [(false, Status::Pass), (true, Status::Info)] {
        let mut args = vec!["-tls1_2", "-cipher", suites];
        if pref {
            args.push("-serverpref");
        }
        let (_p, port) = openssl_server(dir.path(), &c, &args);
        let e = scan_port(TARGET, port).await;
        let got = check(&e.checks, "tls.poodle-tls").expect("checked");
        assert_eq!(got.status, status, "serverpref={pref}: {}", got.detail);
        if status == Status::Pass {
            assert!(got.detail.contains("bad_record_mac"), "{}", got.detail);
        }
    }
}
