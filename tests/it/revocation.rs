//! Revocation as a relying party sees it, against real parts: an `openssl ca` hierarchy whose
//! leaves name a CRL (served over HTTP here) and an `openssl ocsp` responder, openssl s_server
//! stapling with `-status_file`, and the hostile cases: a 10 MB CRL, a CRL signed by another
//! CA, an OCSP responder that answers garbage or never answers.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use tlsgrade::inspect::TrustStore;
use tlsgrade::net::ConnectTo;
use tlsgrade::report::{EndpointReport, Grade, RevocationSource, RevocationStatus, Status};
use tlsgrade::scan::ScanConfig;
use tlsgrade::target::parse_target;

use crate::common::*;
use crate::openssl_ca::{Ca, Issued, Key};
use crate::peers::s_server;

/// What the in-test HTTP server answers on a path.
#[derive(Clone)]
enum Reply {
    Body(Vec<u8>),
    /// Headers, then silence.
    Hang,
}

/// A minimal HTTP/1.1 server on 127.0.0.1 counting the requests it gets.
pub(crate) struct Http {
    pub(crate) hits: Arc<AtomicU32>,
    _task: tokio::task::JoinHandle<()>,
}

/// [`http`] serving bytes on each path: a CRL distribution point for other tests.
pub(crate) async fn serve_http(port: u16, routes: HashMap<String, Vec<u8>>) -> Http {
    let routes = routes
        .into_iter()
        .map(|(k, v)| (k, Reply::Body(v)))
        .collect();
    http(port, routes).await
}

async fn http(port: u16, routes: HashMap<String, Reply>) -> Http {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let hits = Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let routes = Arc::new(routes);
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let routes = routes.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 << 10];
                let mut n = 0;
                while !buf[..n].windows(4).any(|w| w == b"\r\n\r\n") && n < buf.len() {
                    match s.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => n += k,
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                match routes.get(&path) {
                    Some(Reply::Body(b)) => {
                        let h = format!("HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", b.len());
                        let _ = s.write_all(h.as_bytes()).await;
                        let _ = s.write_all(b).await;
                    }
                    Some(Reply::Hang) => {
                        let _ = s
                            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
                            .await;
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                    None => {
                        let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
                    }
                }
            });
        }
    });
    Http { hits, _task: task }
}

/// A root, an intermediate issuing the leaves, and the port the leaves' CRL URL names.
struct Lab {
    _dir: tempfile::TempDir,
    root: Ca,
    int: Ca,
    crl_port: u16,
}

impl Lab {
    fn new() -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let root = Ca::root(dir.path(), "root");
        let int = root.intermediate("int");
        Lab {
            root,
            int,
            crl_port: free_port(),
            _dir: dir,
        }
    }

    fn dir(&self) -> &Path {
        &self.int.dir
    }

    /// The extension line naming the CRL at `path` on the lab's CRL host.
    fn crl_ext(&self, path: &str) -> String {
        format!(
            "crlDistributionPoints=URI:http://crl.revoke.test:{}{path}",
            self.crl_port
        )
    }

    fn config(&self) -> ScanConfig {
        let mut c = ScanConfig::new(TrustStore::new(&[self.root.der().into()]).unwrap());
        c.timeout = Duration::from_secs(2);
        c.greeting_timeout = Duration::from_secs(2);
        c.allow_private = true;
        c.cipher_probes = false;
        c.connect_to = vec![ConnectTo::parse("crl.revoke.test::127.0.0.1:").unwrap()];
        c
    }
}

/// openssl s_server for `leaf`, sending the intermediate too (`-cert` takes one certificate).
fn serve(lab: &Lab, leaf: &Issued, extra: &[&str]) -> (crate::peers::Peer, u16) {
    let chain = lab.int.cert.to_str().unwrap().to_string();
    let mut args = vec!["-cert_chain", chain.as_str()];
    args.extend_from_slice(extra);
    s_server(lab.dir(), &leaf.cert, &leaf.key, &args)
}

async fn scan_port(cfg: &ScanConfig, port: u16) -> EndpointReport {
    scan_ports(cfg, &[port]).await.remove(0)
}

/// Scans the servers on `ports` in one run (as `wwwN.revoke.test`), in that order.
async fn scan_ports(cfg: &ScanConfig, ports: &[u16]) -> Vec<EndpointReport> {
    let mut cfg = cfg.clone();
    let mut targets = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let rule = format!("www{i}.revoke.test:443:127.0.0.1:{port}");
        cfg.connect_to.push(ConnectTo::parse(&rule).unwrap());
        targets.push(parse_target(&format!("tls://www{i}.revoke.test:443")).unwrap());
    }
    let reports = tlsgrade::scan::scan_all(targets, &cfg).await.unwrap();
    reports.iter().map(|r| only_endpoint(r).clone()).collect()
}

fn revocation(e: &EndpointReport) -> &tlsgrade::report::RevocationReport {
    e.certificate
        .as_ref()
        .and_then(|c| c.revocation.as_ref())
        .unwrap_or_else(|| panic!("no revocation: {e:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_crl_tells_a_good_certificate_from_a_revoked_one() {
    let lab = Lab::new();
    let good = lab.int.issue(
        "good",
        &["*.revoke.test"],
        Key::P256,
        &lab.crl_ext("/int.crl"),
        -1,
        60,
    );
    let bad = lab.int.issue(
        "bad",
        &["*.revoke.test"],
        Key::P256,
        &lab.crl_ext("/int.crl"),
        -1,
        60,
    );
    lab.int.revoke(&bad.cert, "keyCompromise");
    let crl = http(
        lab.crl_port,
        HashMap::from([("/int.crl".to_string(), Reply::Body(lab.int.crl_der()))]),
    )
    .await;
    let (_g, gport) = serve(&lab, &good, &[]);
    let (_b, bport) = serve(&lab, &bad, &[]);
    let cfg = lab.config();

    let mut both = scan_ports(&cfg, &[gport, bport]).await;
    let (g, b) = (both.remove(0), both.remove(0));
    let rg = revocation(&g);
    assert_eq!(
        (rg.status, rg.source),
        (RevocationStatus::Good, Some(RevocationSource::Crl)),
        "{rg:?}"
    );
    has(&g.checks, "cert.revocation", Status::Pass);
    assert!(check(&g.checks, "cert.revoked").is_none());

    let rb = revocation(&b);
    assert_eq!(
        (rb.status, rb.source),
        (RevocationStatus::Revoked, Some(RevocationSource::Crl)),
        "{rb:?}"
    );
    let c = has(&b.checks, "cert.revoked", Status::Fail);
    assert_eq!(c.cap, Some(Grade::F));
    assert!(c.detail.contains("keyCompromise"), "{}", c.detail);
    assert_eq!(b.grade, letter(Grade::F));
    // Both endpoints name the same CRL: it was fetched once for the run.
    assert_eq!(crl.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_crl_the_ocsp_responder_is_asked() {
    let lab = Lab::new();
    let ocsp_port = free_port();
    let aia = format!("authorityInfoAccess=OCSP;URI:http://127.0.0.1:{ocsp_port}/");
    let good = lab
        .int
        .issue("good", &["*.revoke.test"], Key::Rsa, &aia, -1, 60);
    let bad = lab
        .int
        .issue("bad", &["*.revoke.test"], Key::Rsa, &aia, -1, 60);
    lab.int.revoke(&bad.cert, "superseded");
    let _responder = lab.int.ocsp_responder(ocsp_port);
    let (_g, gport) = serve(&lab, &good, &[]);
    let (_b, bport) = serve(&lab, &bad, &[]);
    let cfg = lab.config();

    let g = scan_port(&cfg, gport).await;
    let rg = revocation(&g);
    assert_eq!(
        (rg.status, rg.source),
        (RevocationStatus::Good, Some(RevocationSource::Ocsp)),
        "{rg:?}"
    );
    let b = scan_port(&cfg, bport).await;
    let rb = revocation(&b);
    assert_eq!(
        (rb.status, rb.source),
        (RevocationStatus::Revoked, Some(RevocationSource::Ocsp)),
        "{rb:?}"
    );
    has(&b.checks, "cert.revoked", Status::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stapled_response_is_verified_and_used_without_any_fetch() {
    let lab = Lab::new();
    let leaf = lab.int.issue(
        "leaf",
        &["*.revoke.test"],
        Key::P256,
        &lab.crl_ext("/int.crl"),
        -1,
        60,
    );
    let other = lab
        .int
        .issue("other", &["*.revoke.test"], Key::P256, "", -1, 60);
    let crl = http(
        lab.crl_port,
        HashMap::from([("/int.crl".to_string(), Reply::Body(lab.int.crl_der()))]),
    )
    .await;
    let staple = lab.int.ocsp_response(&leaf.cert);
    let wrong = lab.int.ocsp_response(&other.cert);
    let (_s, port) = serve(&lab, &leaf, &["-status_file", staple.to_str().unwrap()]);
    let cfg = lab.config();

    let e = scan_port(&cfg, port).await;
    let s = e
        .certificate
        .as_ref()
        .unwrap()
        .ocsp_staple
        .as_ref()
        .unwrap();
    assert!(s.present && s.valid, "{s:?}");
    assert_eq!(s.status, Some(RevocationStatus::Good));
    assert!(s.next_update.is_some());
    let r = revocation(&e);
    assert_eq!(
        (r.status, r.source),
        (RevocationStatus::Good, Some(RevocationSource::OcspStaple))
    );
    assert_eq!(
        crl.hits.load(Ordering::SeqCst),
        0,
        "a valid staple needs no fetch"
    );

    // A staple for another certificate is a warning, and the CRL decides instead.
    let (_w, wport) = serve(&lab, &leaf, &["-status_file", wrong.to_str().unwrap()]);
    let w = scan_port(&cfg, wport).await;
    has(&w.checks, "cert.ocsp-staple-invalid", Status::Warn);
    let s = w
        .certificate
        .as_ref()
        .unwrap()
        .ocsp_staple
        .as_ref()
        .unwrap();
    assert!(s.present && !s.valid, "{s:?}");
    assert_eq!(revocation(&w).source, Some(RevocationSource::Crl));

    // Judged a week later (`--at +7d`), the day-long staple is out of date.
    let mut later = lab.config();
    later.at = Some(tlsgrade::config::unix_time(
        time::OffsetDateTime::now_utc().unix_timestamp() + 7 * 86_400,
    ));
    let l = scan_port(&later, port).await;
    has(&l.checks, "cert.ocsp-staple-invalid", Status::Warn);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_staple_without_a_staple_fails_and_with_one_passes() {
    let lab = Lab::new();
    let ext = format!("{}\ntlsfeature=status_request", lab.crl_ext("/int.crl"));
    let leaf = lab
        .int
        .issue("ms", &["*.revoke.test"], Key::P256, &ext, -1, 60);
    let _crl = http(
        lab.crl_port,
        HashMap::from([("/int.crl".to_string(), Reply::Body(lab.int.crl_der()))]),
    )
    .await;
    let cfg = lab.config();

    let (_n, nport) = serve(&lab, &leaf, &[]);
    let n = scan_port(&cfg, nport).await;
    assert!(n.certificate.as_ref().unwrap().must_staple);
    let c = has(&n.checks, "cert.must-staple", Status::Fail);
    assert_eq!(c.cap, Some(Grade::B));

    let staple = lab.int.ocsp_response(&leaf.cert);
    let (_s, sport) = serve(&lab, &leaf, &["-status_file", staple.to_str().unwrap()]);
    let s = scan_port(&cfg, sport).await;
    has(&s.checks, "cert.must-staple", Status::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_used_is_unavailable_never_a_failure() {
    let lab = Lab::new();
    // Same name as the issuing CA, another key: its CRL looks right and is not.
    let elsewhere = tempfile::tempdir().unwrap();
    let impostor = Ca::root(elsewhere.path(), "int");
    let ocsp_port = free_port();
    let ocsp = |p: &str| format!("authorityInfoAccess=OCSP;URI:http://127.0.0.1:{ocsp_port}{p}");
    let big = lab.int.issue(
        "big",
        &["*.revoke.test"],
        Key::P256,
        &lab.crl_ext("/big.crl"),
        -1,
        60,
    );
    let forged = lab.int.issue(
        "forged",
        &["*.revoke.test"],
        Key::P256,
        &lab.crl_ext("/forged.crl"),
        -1,
        60,
    );
    let garbage = lab.int.issue(
        "garbage",
        &["*.revoke.test"],
        Key::P256,
        &ocsp("/garbage"),
        -1,
        60,
    );
    let hang = lab.int.issue(
        "hang",
        &["*.revoke.test"],
        Key::P256,
        &ocsp("/hang"),
        -1,
        60,
    );
    let routes = HashMap::from([
        ("/big.crl".to_string(), Reply::Body(vec![0x30; 10 << 20])),
        ("/forged.crl".to_string(), Reply::Body(impostor.crl_der())),
    ]);
    let _crl = http(lab.crl_port, routes).await;
    let _ocsp = http(
        ocsp_port,
        HashMap::from([
            (
                "/garbage".to_string(),
                Reply::Body(b"<html>not OCSP</html>".to_vec()),
            ),
            ("/hang".to_string(), Reply::Hang),
        ]),
    )
    .await;
    let cfg = lab.config();
    let mut servers = Vec::new();
    let mut ports = Vec::new();
    for l in [&big, &forged, &garbage, &hang] {
        let (s, p) = serve(&lab, l, &[]);
        servers.push(s);
        ports.push(p);
    }
    let started = std::time::Instant::now();
    let reports = scan_ports(&cfg, &ports).await;
    for (e, why) in reports.iter().zip(["exceeds", "signature", "OCSP", "OCSP"]) {
        let r = revocation(e);
        assert_eq!(
            (r.status, r.source),
            (RevocationStatus::Unavailable, None),
            "{r:?}"
        );
        let c = has(&e.checks, "cert.revocation-unavailable", Status::Error);
        assert!(c.detail.contains(why), "{why}: {}", c.detail);
        assert!(check(&e.checks, "cert.revoked").is_none());
        assert_ne!(e.grade, letter(Grade::F), "{:?}", e.checks);
    }
    // The silent responder costs one bounded wait (2 × the 2 s step), not the test's patience.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_revocation_fetches_nothing() {
    let lab = Lab::new();
    let leaf = lab.int.issue(
        "leaf",
        &["*.revoke.test"],
        Key::P256,
        &lab.crl_ext("/int.crl"),
        -1,
        60,
    );
    let crl = http(
        lab.crl_port,
        HashMap::from([("/int.crl".to_string(), Reply::Body(lab.int.crl_der()))]),
    )
    .await;
    let (_s, port) = serve(&lab, &leaf, &[]);
    let mut cfg = lab.config();
    cfg.revocation = false;
    let e = scan_port(&cfg, port).await;
    assert_eq!(revocation(&e).status, RevocationStatus::Unavailable);
    assert!(check(&e.checks, "cert.revocation-unavailable").is_none());
    assert!(check(&e.checks, "cert.revocation").is_none());
    assert_eq!(crl.hits.load(Ordering::SeqCst), 0);
}
