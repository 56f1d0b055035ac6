//! Every certificate a server holds: openssl s_server and Postfix configured with an RSA and an
//! ECDSA chain (as `smtpd_tls_chain_files` and `-dcert` take them), one of them expired, and a
//! signed zone whose TLSA record matches only one key.

use std::sync::Arc;

use tlsgrade::inspect::TrustStore;
use tlsgrade::lab::dns::{DnsLab, Zone, ZoneKey};
use tlsgrade::net::ConnectTo;
use tlsgrade::report::{CertificateReport, EndpointReport, Grade, GradeValue, SelectedBy, Status};
use tlsgrade::scan::ScanConfig;
use tlsgrade::wire::keys::KeyType;
use x509_parser::prelude::*;

use crate::common::*;
use crate::openssl_ca::{pem_to_der, Ca, Issued, Key};
use crate::peers::{postfix_chains, s_server};

fn base_config(root: &Ca) -> ScanConfig {
    let mut c = ScanConfig::new(TrustStore::new(&[root.der().into()]).unwrap());
    c.timeout = std::time::Duration::from_secs(3);
    c.greeting_timeout = std::time::Duration::from_secs(3);
    c.allow_private = true;
    c.cipher_probes = false;
    c.revocation = false;
    c.ehlo_name = "scanner.tlsgrade.test".into();
    c
}

fn by_key(e: &EndpointReport, rsa: bool) -> &CertificateReport {
    e.certificates
        .iter()
        .find(|c| (c.chain[0].key_type == KeyType::Rsa) == rsa)
        .unwrap_or_else(|| {
            panic!(
                "no {} certificate: {:#?}",
                if rsa { "RSA" } else { "ECDSA" },
                e.certificates
            )
        })
}

/// Two distinct leaves, each reported once, the default client's first.
fn assert_two_certificates(e: &EndpointReport) {
    assert_eq!(e.certificates.len(), 2, "{:#?}", e.certificates);
    assert_eq!(e.certificates[0].selected_by, [SelectedBy::Default]);
    assert_eq!(
        e.certificates[0].chain[0].sha256,
        e.certificate.as_ref().unwrap().chain[0].sha256
    );
    assert_ne!(
        e.certificates[0].chain[0].sha256,
        e.certificates[1].chain[0].sha256
    );
    let other = e.certificates[1].selected_by.clone();
    let expected = if e.certificates[1].chain[0].key_type == KeyType::Rsa {
        SelectedBy::Rsa
    } else {
        SelectedBy::Ecdsa
    };
    assert_eq!(other, [expected]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_with_an_rsa_and_an_ecdsa_certificate_shows_both() {
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let int = root.intermediate("int");
    let rsa = int.issue("rsa", &["www.dual.test"], Key::Rsa, "", -1, 90);
    let ec = int.issue("ec", &["www.dual.test"], Key::P256, "", -1, 90);
    let (_s, port) = s_server(
        &int.dir,
        &rsa.chain,
        &rsa.key,
        &[
            "-dcert",
            ec.chain.to_str().unwrap(),
            "-dkey",
            ec.key.to_str().unwrap(),
            // s_server reads one certificate from -cert and -dcert; the issuer comes apart.
            "-cert_chain",
            int.cert.to_str().unwrap(),
            "-dcert_chain",
            int.cert.to_str().unwrap(),
        ],
    );
    let mut cfg = base_config(&root);
    cfg.connect_to =
        vec![ConnectTo::parse(&format!("www.dual.test:443:127.0.0.1:{port}")).unwrap()];
    let r = scan(&cfg, "tls://www.dual.test:443").await;
    let e = only_endpoint(&r);
    assert_two_certificates(e);
    assert!(by_key(e, true).trusted && by_key(e, false).trusted);
    // Both good: no finding names either one.
    assert!(
        e.checks.iter().all(|c| c.status != Status::Fail),
        "{:#?}",
        e.checks
    );
}

/// Postfix holding a valid ECDSA chain and an RSA chain that expired 3 days ago, with DANE
/// 3 1 1 published for the ECDSA key only.
struct Dual {
    _dir: tempfile::TempDir,
    _postfix: crate::peers::Peer,
    _dns: tlsgrade::lab::ServerHandle,
    cfg: ScanConfig,
}

fn spki_sha256(issued: &Issued) -> Vec<u8> {
    let der = pem_to_der(&issued.cert);
    let (_, c) = X509Certificate::from_der(&der).unwrap();
    ring::digest::digest(&ring::digest::SHA256, c.public_key().raw)
        .as_ref()
        .to_vec()
}

async fn dual_postfix() -> Dual {
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let int = root.intermediate("int");
    let rsa = int.issue("rsa", &["mx.dual.test"], Key::Rsa, "", -400, -3);
    let ec = int.issue("ec", &["mx.dual.test"], Key::P256, "", -1, 90);
    let port = free_port();
    let pf = postfix_chains(
        &dir.path().join("postfix"),
        port,
        &[&rsa.key, &rsa.chain, &ec.key, &ec.chain],
        ">=TLSv1.2",
        "",
    );
    let key = ZoneKey::generate().unwrap();
    let dns = DnsLab::new()
        .zone(
            Zone::new("test")
                .mx("dual.test", 10, "mx.dual.test")
                .addr("mx.dual.test", ip("127.0.0.1"))
                .tlsa("_25._tcp.mx.dual.test", 3, 1, 1, &spki_sha256(&ec))
                .signed(&key),
        )
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let mut cfg = base_config(&root);
    cfg.resolver = Some(dns.addr());
    cfg.connect_to = vec![ConnectTo::parse(&format!("::25::{port}")).unwrap()];
    cfg.trust_anchors = Some(Arc::new(key.anchor("test").unwrap().parse().unwrap()));
    Dual {
        _dir: dir,
        _postfix: pf,
        _dns: dns,
        cfg,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postfix_renewed_ecdsa_but_not_rsa_is_caught_with_the_certificate_named() {
    let lab = dual_postfix().await;
    let r = scan(&lab.cfg, "dual.test").await;
    let e = only_endpoint(&r);
    assert_two_certificates(e);
    let rsa = by_key(e, true);
    assert!(rsa.days_remaining < 0, "{rsa:#?}");
    assert!(by_key(e, false).days_remaining > 80);

    // The expired RSA certificate is a finding about that certificate, whichever one the
    // default handshake got, and it caps the endpoint.
    let expired: Vec<_> = e.checks.iter().filter(|c| c.id == "cert.expired").collect();
    assert_eq!(expired.len(), 1, "{:#?}", e.checks);
    assert_eq!(expired[0].status, Status::Fail);
    if e.certificates[0].chain[0].key_type != KeyType::Rsa {
        assert_eq!(expired[0].certificate, Some(SelectedBy::Rsa));
        assert!(
            expired[0].detail.starts_with("the RSA certificate"),
            "{}",
            expired[0].detail
        );
    }
    assert!(
        matches!(e.grade, Some(GradeValue::Letter(g)) if g >= Grade::B),
        "{:?}",
        e.grade
    );

    // TLSA matches the ECDSA key only: DANE senders that pick RSA fail.
    has(&e.checks, "dane.unmatched-certificate", Status::Warn);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_one_certificate_reports_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let int = root.intermediate("int");
    let ec = int.issue("ec", &["www.single.test"], Key::P256, "", -1, 90);
    let (_s, port) = s_server(&int.dir, &ec.chain, &ec.key, &[]);
    let mut cfg = base_config(&root);
    cfg.connect_to =
        vec![ConnectTo::parse(&format!("www.single.test:443:127.0.0.1:{port}")).unwrap()];
    let r = scan(&cfg, "tls://www.single.test:443").await;
    let e = only_endpoint(&r);
    assert_eq!(e.certificates.len(), 1, "{:#?}", e.certificates);
    assert_eq!(e.certificates[0].selected_by, [SelectedBy::Default]);
    assert!(!e.checks.iter().any(|c| c.certificate.is_some()));
}

/// Scans `backend` as `tls://www.count.test:443` through the counting [`crate::budget::proxy`]: the connections
/// it took, and the endpoint's report.
async fn counted_scan(cfg: &ScanConfig, backend: u16) -> (u32, EndpointReport) {
    let (port, count, _) = crate::budget::proxy(backend, std::time::Duration::ZERO).await;
    let mut cfg = cfg.clone();
    cfg.connect_to =
        vec![ConnectTo::parse(&format!("www.count.test:443:127.0.0.1:{port}")).unwrap()];
    let r = scan(&cfg, "tls://www.count.test:443").await;
    let e = only_endpoint(&r).clone();
    (count.load(std::sync::atomic::Ordering::SeqCst), e)
}

async fn versions_only_connections(cfg: &ScanConfig, backend: u16) -> (u32, usize) {
    let (n, e) = counted_scan(cfg, backend).await;
    (n, e.certificates.len())
}

/// The lab's rustls server for www.count.test: TLS 1.2 and 1.3, AEAD suites, ECDSA.
async fn lab_count_server() -> tlsgrade::lab::ServerHandle {
    use tlsgrade::lab::tls::{server_config, spawn_tls, Versions};
    let lab_leaf = leaf(&["www.count.test"]);
    spawn_tls(
        &[ip("127.0.0.1")],
        server_config(&lab_leaf, Versions::Tls12And13).unwrap(),
    )
    .await
    .unwrap()
}

/// The probe plan's figures (docs/grading.md): with `--versions-only`, a TLS 1.2 + 1.3 endpoint
/// costs the handshake (which is also TLS 1.3's probe), the TLS 1.2 probe, one hello for SSL 3.0
/// to TLS 1.1 offering every suite of the three (so that rustls's handshake_failure to it is a
/// refusal, not "no suite in common"), the fallback probe and one handshake asking for the other
/// kind of certificate: 5. A second certificate costs nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_only_costs_eight_connections_with_one_certificate_or_two() {
    let srv = lab_count_server().await;
    let lab_cfg = {
        let mut c = config(None, &[]);
        c.cipher_probes = false;
        c.revocation = false;
        c
    };
    assert_eq!(
        versions_only_connections(&lab_cfg, srv.port()).await,
        (5, 1)
    );

    // openssl with one certificate and with two: the same count (its refusals of old versions
    // cost retries of their own, the same in both).
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let int = root.intermediate("int");
    let rsa = int.issue("rsa", &["www.count.test"], Key::Rsa, "", -1, 90);
    let ec = int.issue("ec", &["www.count.test"], Key::P256, "", -1, 90);
    let chain = int.cert.to_str().unwrap();
    let (_one, one) = s_server(&int.dir, &ec.cert, &ec.key, &["-cert_chain", chain]);
    let dual = [
        "-cert_chain",
        chain,
        "-dcert",
        ec.cert.to_str().unwrap(),
        "-dkey",
        ec.key.to_str().unwrap(),
        "-dcert_chain",
        chain,
    ];
    let (_two, two) = s_server(&int.dir, &rsa.cert, &rsa.key, &dual);
    let cfg = base_config(&root);
    let (single, n1) = versions_only_connections(&cfg, one).await;
    let (double, n2) = versions_only_connections(&cfg, two).await;
    assert_eq!((n1, n2), (1, 2));
    assert_eq!(single, double);
}

/// The default plan's figure for a modern server (docs/grading.md's probe plan): the lab's
/// rustls server, TLS 1.2 and 1.3, AEAD suites only, no RSA key exchange, an ECDSA certificate:
/// the versions-only five, two cipher and key-exchange probes (the weak classes' hello, which is
/// also the key-exchange prelude, whose refusal settles DHE and ROBOT; the reversed list, whose
/// ECDHE answer also settles the weak curves; compression, Heartbleed and CCS injection rode on
/// the TLS 1.2 version probe, and the groups are the negotiated one), one resumption connection
/// (the full handshake read the tickets), one renegotiation connection (refused, so no second
/// one) and no POODLE probe (no CBC suite seen): 9.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_default_scan_of_a_modern_server_costs_what_the_probe_plan_says() {
    let srv = lab_count_server().await;
    let mut cfg = config(None, &[]);
    cfg.revocation = false;
    let (total, e) = counted_scan(&cfg, srv.port()).await;
    let probes = e.ciphers.as_ref().map(|c| c.connections);
    assert_eq!((total, probes), (5 + 4, Some(4)), "{:#?}", e.checks);
    let status = |id: &str| check(&e.checks, id).map(|c| c.status);
    assert_eq!(status("tls.resumption"), Some(Status::Info));
    assert!(check(&e.checks, "tls.resumption")
        .unwrap()
        .detail
        .starts_with("sessions resume"));
    assert_eq!(status("tls.client-renegotiation"), Some(Status::Pass));
    assert_eq!(status("tls.renegotiation-insecure"), Some(Status::Pass));
    assert_eq!(status("tls.kx-sha1"), Some(Status::Pass));
    assert_eq!(status("tls.poodle-tls"), Some(Status::Info));
}
