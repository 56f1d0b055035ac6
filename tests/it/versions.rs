//! The version matrix against real peers (openssl s_server per version, tlslite-ng for SSL 3.0,
//! Postfix limited to TLS 1.0) and the lab's scripted responder (intolerance, lower-version
//! answers, cipher mismatch), cross-checked with sslyze in the same run. The tool's matrix must
//! equal the configured truth in each case.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tlsgrade::lab::legacy::{spawn_legacy, LegacyScript, Reaction};
use tlsgrade::report::{EndpointReport, Grade, Status, VersionMap};

use crate::common::*;
use crate::peers::{free_port, need, postfix, s_server, wait_for_port, Peer};

type Matrix = VersionMap<Option<bool>>;

fn m(s3: bool, t10: bool, t11: bool, t12: bool, t13: bool) -> Matrix {
    VersionMap {
        sslv3: Some(s3),
        tls10: Some(t10),
        tls11: Some(t11),
        tls12: Some(t12),
        tls13: Some(t13),
    }
}

/// An RSA-2048 self-signed certificate for `name` (RSA works at every version, SSL 3.0 included).
pub(crate) fn rsa_cert(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    openssl_cert(dir, "rsa", &["rsa:2048"], name)
}

/// A self-signed leaf made by openssl (`-newkey` arguments `key`), files `<stem>.pem`/`.key`.
pub(crate) fn openssl_cert(dir: &Path, stem: &str, key: &[&str], name: &str) -> (PathBuf, PathBuf) {
    let (c, k) = (
        dir.join(format!("{stem}.pem")),
        dir.join(format!("{stem}.key")),
    );
    if !c.exists() {
        let st = Command::new(need("openssl"))
            .args(["req", "-x509", "-newkey"])
            .args(key)
            .args([
                "-nodes",
                "-days",
                "30",
                "-sha256",
                "-subj",
                &format!("/CN={name}"),
            ])
            .args(["-addext", &format!("subjectAltName=DNS:{name}")])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .arg("-keyout")
            .arg(&k)
            .arg("-out")
            .arg(&c)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success());
    }
    (c, k)
}

pub(crate) fn python() -> PathBuf {
    let p = std::env::var_os("TLSGRADE_PEER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peer-venv/bin/python")
        });
    assert!(
        p.exists(),
        "{} missing: run ./scripts/test, which installs tlslite-ng and sslyze",
        p.display()
    );
    p
}

fn tlslite(cert: &Path, key: &Path, smtp: bool) -> (Peer, u16) {
    tlslite_with(cert, key, smtp, &["--min", "ssl3", "--max", "ssl3"])
}

/// tests/peers/tlslite_server.py with `args` (`--min`, `--max`, `--ems`).
pub(crate) fn tlslite_with(cert: &Path, key: &Path, smtp: bool, args: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/tlslite_server.py");
    let mut cmd = Command::new(python());
    cmd.arg(script)
        .arg(port.to_string())
        .arg(cert)
        .arg(key)
        .args(args);
    if smtp {
        cmd.arg("--smtp");
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(port, &mut child, "tlslite-ng");
    (Peer(child, None), port)
}

pub(crate) async fn scan_port(target: &str, port: u16) -> EndpointReport {
    let host = target
        .split("://")
        .nth(1)
        .unwrap_or(target)
        .split(':')
        .next()
        .unwrap()
        .to_string();
    let service_port = tlsgrade::target::parse_target(target).map(|t| match t.kind {
        tlsgrade::target::TargetKind::Endpoint { port, .. } => port,
        _ => 25,
    });
    let rt = format!("{host}:{}:127.0.0.1:{port}", service_port.unwrap());
    let r = scan(&config(None, &[&rt]), target).await;
    only_endpoint(&r).clone()
}

const OPENSSL_CASES: &[(&str, &[&str])] = &[
    ("TLS 1.0 only", &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]),
    (
        "TLS 1.1 only",
        &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    ),
    ("TLS 1.2 only", &["-tls1_2"]),
    ("TLS 1.3 only", &["-tls1_3"]),
    (
        "TLS 1.0-1.3",
        &[
            "-min_protocol",
            "TLSv1",
            "-max_protocol",
            "TLSv1.3",
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
        ],
    ),
];

fn openssl_truth(i: usize) -> Matrix {
    [
        m(false, true, false, false, false),
        m(false, false, true, false, false),
        m(false, false, false, true, false),
        m(false, false, false, false, true),
        m(false, true, true, true, true),
    ][i]
        .clone()
}

/// Every single-version peer, the range peer and the SSL 3.0 peer, scanned by tlsgrade and by
/// sslyze in the same run: both must equal the configured truth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_matches_the_truth_and_sslyze_on_real_peers() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let mut peers = Vec::new();
    let mut cases: Vec<(String, u16, Matrix)> = Vec::new();
    for (i, (what, args)) in OPENSSL_CASES.iter().enumerate() {
        let (p, port) = s_server(dir.path(), &cert, &key, args);
        peers.push(p);
        cases.push((what.to_string(), port, openssl_truth(i)));
    }
    let (p, port) = tlslite(&cert, &key, false);
    peers.push(p);
    cases.push((
        "SSL 3.0 only (tlslite-ng)".into(),
        port,
        m(true, false, false, false, false),
    ));

    for (what, port, truth) in &cases {
        let e = scan_port("tls://peer.example.test:443", *port).await;
        assert_eq!(
            e.protocols.as_ref().unwrap(),
            truth,
            "{what}: {:#?}",
            e.protocol_details
        );
    }

    // sslyze on the same peers, in one run.
    let out_file = dir.path().join("sslyze.json");
    let mut cmd = Command::new(python());
    cmd.args(["-m", "sslyze", "--quiet", "--mozilla_config", "disable"])
        .args([
            "--sslv3",
            "--tlsv1",
            "--tlsv1_1",
            "--tlsv1_2",
            "--tlsv1_3",
            "--json_out",
        ])
        .arg(&out_file);
    for (_, port, _) in &cases {
        cmd.arg(format!("127.0.0.1:{port}"));
    }
    let st = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "sslyze failed");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    for r in v["server_scan_results"].as_array().unwrap() {
        let port = r["server_location"]["port"].as_u64().unwrap() as u16;
        let (what, _, truth) = cases.iter().find(|c| c.1 == port).unwrap();
        let acc = |k: &str| {
            Some(
                !r["scan_result"][k]["result"]["accepted_cipher_suites"]
                    .as_array()
                    .unwrap()
                    .is_empty(),
            )
        };
        let sslyze = VersionMap {
            sslv3: acc("ssl_3_0_cipher_suites"),
            tls10: acc("tls_1_0_cipher_suites"),
            tls11: acc("tls_1_1_cipher_suites"),
            tls12: acc("tls_1_2_cipher_suites"),
            tls13: acc("tls_1_3_cipher_suites"),
        };
        assert_eq!(&sslyze, truth, "sslyze disagrees with the truth for {what}");
    }
    drop(peers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_peer_honours_fallback_scsv_and_tls10_caps_at_b() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let (_p, port) = s_server(dir.path(), &cert, &key, OPENSSL_CASES[4].1);
    let e = scan_port("tls://peer.example.test:443", port).await;
    // TLS 1.3 is the best, so the fallback probe is the TLS 1.2 one run beside the version probes.
    let c = has(&e.checks, "tls.fallback-scsv", Status::Pass);
    assert!(c.detail.contains("TLSv1.2 hello"), "{}", c.detail);
    let c = has(&e.checks, "tls.legacy-versions", Status::Warn);
    assert_eq!(c.cap, Some(Grade::B));
    assert_eq!(e.grade, letter(Grade::B));
    let d = e.protocol_details.as_ref().unwrap();
    assert_eq!(d.tls10.as_ref().unwrap().result.as_str(), "accepted");
    assert!(d.tls10.as_ref().unwrap().cipher.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_tls13_the_fallback_probe_offers_the_version_below_the_best() {
    // Best TLS 1.2: the speculative TLS 1.2 fallback probe does not apply, and the one that
    // does (TLS 1.1 with the SCSV) runs after the version probes.
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let args = [
        "-min_protocol",
        "TLSv1.1",
        "-max_protocol",
        "TLSv1.2",
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
    ];
    let (_p, port) = s_server(dir.path(), &cert, &key, &args);
    let e = scan_port("tls://peer.example.test:443", port).await;
    let p = e.protocols.as_ref().unwrap();
    assert_eq!(
        (p.tls11, p.tls12, p.tls13),
        (Some(true), Some(true), Some(false))
    );
    let c = has(&e.checks, "tls.fallback-scsv", Status::Pass);
    assert!(c.detail.contains("TLSv1.1 hello"), "{}", c.detail);
}

#[tokio::test]
async fn a_server_that_closes_on_a_fallback_hello_it_accepts_without_the_scsv_is_protected() {
    // Scripted: SChannel-like servers and middleboxes that drop the SCSV hello without the
    // RFC 7507 alert are not among the peers the harness can start.
    let mut s = LegacyScript::range(0x0301, 0x0303);
    s.certificates = leaf(&["old.example.test"])
        .chain
        .iter()
        .map(|c| c.to_vec())
        .collect();
    s.fallback = Some(Reaction::Close);
    let srv = spawn_legacy(ip("127.0.0.1"), s).await.unwrap();
    let e = scan_port("tls://old.example.test:443", srv.port()).await;
    assert_eq!(e.protocols.as_ref().unwrap().tls11, Some(true));
    let c = has(&e.checks, "tls.fallback-scsv", Status::Pass);
    assert!(c.detail.contains("TLSv1.1 hello"), "{}", c.detail);
    assert!(
        c.detail.contains("without the RFC 7507 alert"),
        "{}",
        c.detail
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslv3_only_server_is_graded_f_from_its_cleartext_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let (_p, port) = tlslite(&cert, &key, false);
    let e = scan_port("tls://peer.example.test:443", port).await;
    has(&e.checks, "tls.sslv3", Status::Fail);
    has(&e.checks, "tls.modern-missing", Status::Fail);
    assert_eq!(e.grade, letter(Grade::F));
    assert_eq!(e.negotiated.as_ref().unwrap().version.name(), "SSLv3");
    assert_eq!(
        e.certificate.as_ref().unwrap().chain[0].key_bits,
        Some(2048)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslv3_over_smtp_starttls_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "mx.example.test");
    let (_p, port) = tlslite(&cert, &key, true);
    let e = scan_port("smtp://mx.example.test", port).await;
    assert_eq!(
        e.protocols.as_ref().unwrap(),
        &m(true, false, false, false, false),
        "{:#?}",
        e.protocol_details
    );
    assert_eq!(e.grade, letter(Grade::F));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postfix_limited_to_tls10_over_starttls() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "mx.example.test");
    let _ = Command::new("chmod")
        .arg("-R")
        .arg("a+rX")
        .arg(dir.path())
        .status();
    let port = free_port();
    let _pf = postfix(
        &dir.path().join("pf"),
        port,
        &cert,
        &key,
        ">=TLSv1, <=TLSv1",
    );
    let e = scan_port("mx.example.test:25", port).await;
    assert_eq!(
        e.protocols.as_ref().unwrap(),
        &m(false, true, false, false, false),
        "{:#?}",
        e.protocol_details
    );
    has(&e.checks, "tls.modern-missing", Status::Fail);
    assert_eq!(e.grade, letter(Grade::C));
    assert!(e.starttls.as_ref().unwrap().greeting[0].contains("Postfix"));
    // The STARTTLS-injection probe needs a TLS 1.2 or 1.3 handshake: not applicable here.
    let c = has(&e.checks, "smtp.starttls-injection", Status::Info);
    assert!(c.detail.starts_with("not applicable"), "{}", c.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cipher_mismatch_is_retried_not_called_a_refusal() {
    // Only TLS_RSA_WITH_CAMELLIA_128_CBC_SHA, which the first TLS 1.2 hello does not offer.
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let (_p, port) = s_server(
        dir.path(),
        &cert,
        &key,
        &["-tls1_2", "-cipher", "CAMELLIA128-SHA:@SECLEVEL=0"],
    );
    let e = scan_port("tls://peer.example.test:443", port).await;
    assert_eq!(
        e.protocols.as_ref().unwrap().tls12,
        Some(true),
        "{:#?}",
        e.protocol_details
    );
    let d = e.protocol_details.as_ref().unwrap().tls12.clone().unwrap();
    assert_eq!(
        d.cipher.map(|c| c.name()).as_deref(),
        Some("TLS_RSA_WITH_CAMELLIA_128_CBC_SHA")
    );
}

async fn scripted(script: LegacyScript) -> EndpointReport {
    let srv = spawn_legacy(ip("127.0.0.1"), script).await.unwrap();
    scan_port("tls://old.example.test:443", srv.port()).await
}

#[tokio::test]
async fn reset_on_a_tls12_hello_while_tls10_works_is_version_intolerance() {
    let mut s = LegacyScript::range(0x0301, 0x0301);
    s.rules.retain(|(v, _)| *v < 0x0302);
    s.otherwise = Reaction::Reset;
    let e = scripted(s).await;
    let p = e.protocols.as_ref().unwrap();
    assert_eq!(
        (p.tls10, p.tls12, p.tls13),
        (Some(true), Some(false), Some(false)),
        "{:#?}",
        e.protocol_details
    );
    let c = has(&e.checks, "tls.version-intolerance", Status::Warn);
    assert!(c.detail.contains("TLSv1.2"));
}

#[tokio::test]
async fn a_tls11_answer_to_a_tls12_hello_means_tls12_refused_and_tls11_accepted() {
    let e = scripted(LegacyScript::range(0x0302, 0x0302)).await;
    let p = e.protocols.as_ref().unwrap();
    assert_eq!(
        p,
        &m(false, false, true, false, false),
        "{:#?}",
        e.protocol_details
    );
    let d = e.protocol_details.as_ref().unwrap().tls12.clone().unwrap();
    assert!(d.detail.contains("answered TLSv1.1"), "{}", d.detail);
    assert!(check(&e.checks, "tls.version-intolerance").is_none());
}

#[tokio::test]
async fn handshake_failure_without_a_shared_suite_is_retried_with_the_other_list() {
    let mut s = LegacyScript::range(0x0301, 0x0303);
    s.require_suite = Some(0x0041); // TLS_RSA_WITH_CAMELLIA_128_CBC_SHA, only in the retry list
    let e = scripted(s).await;
    let p = e.protocols.as_ref().unwrap();
    assert_eq!(
        (p.tls10, p.tls11, p.tls12),
        (Some(true), Some(true), Some(true)),
        "{:#?}",
        e.protocol_details
    );
}

#[tokio::test]
async fn per_ip_limit_is_never_exceeded() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    // A TCP front that counts concurrent connections and forwards to a lab SMTP server.
    let backend = good_smtp(&["127.0.0.1"], "mx.example.test").await;
    let front = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let front_port = front.local_addr().unwrap().port();
    let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (n2, p2) = (now.clone(), peak.clone());
    let backend_addr = backend.addr();
    tokio::spawn(async move {
        while let Ok((c, _)) = front.accept().await {
            let (n, p) = (n2.clone(), p2.clone());
            tokio::spawn(async move {
                // Let end-of-stream of connections the client already closed be seen first, so
                // that a connection closed just before this one opened is not counted with it.
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                let cur = n.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(cur, Ordering::SeqCst);
                if let Ok(b) = tokio::net::TcpStream::connect(backend_addr).await {
                    let (mut cr, mut cw) = c.into_split();
                    let (mut br, mut bw) = b.into_split();
                    let back = tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut br, &mut cw).await;
                    });
                    // The client's connection is open until it stops sending.
                    let _ = tokio::io::copy(&mut cr, &mut bw).await;
                    n.fetch_sub(1, Ordering::SeqCst);
                    back.abort();
                } else {
                    n.fetch_sub(1, Ordering::SeqCst);
                }
            });
        }
    });
    let rt = format!("mx.example.test:25:127.0.0.1:{front_port}");
    let mut cfg = config(None, &[&rt]);
    cfg.per_ip = 2;
    let r = scan(&cfg, "mx.example.test:25").await;
    assert_eq!(
        only_endpoint(&r).protocols.as_ref().unwrap().tls13,
        Some(true)
    );
    let seen = peak.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&seen),
        "peak {seen} connections with --per-ip 2"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hello_retry_request_counts_as_tls13_accepted() {
    // Only P-256: the TLS 1.3 probe's x25519 share draws a HelloRetryRequest.
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let (_p, port) = s_server(dir.path(), &cert, &key, &["-tls1_3", "-groups", "P-256"]);
    let e = scan_port("tls://peer.example.test:443", port).await;
    assert_eq!(
        e.protocols.as_ref().unwrap().tls13,
        Some(true),
        "{:#?}",
        e.protocol_details
    );
    // The full handshake's TLS 1.3 answers for the matrix, so the TLS 1.3 probe (sent when the
    // handshake says something else) is asked here on its own.
    use tlsgrade::net::starttls::DialogueTimeouts;
    use tlsgrade::probe::conn::{ProbeTarget, Prober};
    let prober = Prober::new(
        ProbeTarget {
            dial: format!("127.0.0.1:{port}").parse().unwrap(),
            transport: tlsgrade::target::Transport::Tls,
            sni: Some("peer.example.test".into()),
            ehlo_name: "scanner.tlsgrade.test".into(),
            timeouts: DialogueTimeouts {
                greeting: std::time::Duration::from_secs(3),
                command: std::time::Duration::from_secs(3),
            },
        },
        std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
    );
    let o = tlsgrade::probe::versions::probe_version(&prober, tlsgrade::wire::hello::Probe::Tls13)
        .await;
    assert_eq!(o.support, tlsgrade::probe::versions::Support::Accepted);
    assert!(o.detail.contains("HelloRetryRequest"), "{}", o.detail);
}
