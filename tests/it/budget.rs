//! What a default scan costs the server: connections counted by a TCP proxy in front of real
//! servers (the lab's rustls SMTP server, Postfix, openssl s_server), asserted exactly, so a
//! change that adds a connection fails here and says so. The same proxy can add a round-trip
//! time; `./scripts/bench` runs the ignored `rtt_table` through it for the figures in wall-clock
//! round trips (never asserted: times belong to the bench, not to tests).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{config, only_endpoint, scan};
use tlsgrade::report::EndpointReport;

/// When each connection through a [`proxy`] opened and closed.
pub(crate) type Timeline = Arc<std::sync::Mutex<Vec<(Instant, Option<Instant>)>>>;

/// A TCP proxy to `backend` on loopback that counts connections, notes when each opened and
/// closed, and delays every segment by `rtt / 2` each way after one `rtt` for the TCP handshake
/// (with `rtt` zero it only counts). Returns its port, the count and the timeline.
pub(crate) async fn proxy(backend: u16, rtt: Duration) -> (u16, Arc<AtomicU32>, Timeline) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicU32::new(0));
    let counter = count.clone();
    let timeline: Timeline = Default::default();
    let lines = timeline.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let lines = lines.clone();
            let i = {
                let mut l = lines.lock().unwrap();
                l.push((Instant::now(), None));
                l.len() - 1
            };
            tokio::spawn(async move {
                let _closed = Closed(lines, i);
                tokio::time::sleep(rtt).await;
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", backend)).await
                else {
                    return;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::join!(delayed(cr, sw, rtt / 2), delayed(sr, cw, rtt / 2));
            });
        }
    });
    (port, count, timeline)
}

/// Notes a connection's end in the timeline when dropped.
struct Closed(Timeline, usize);

impl Drop for Closed {
    fn drop(&mut self) {
        if let Ok(mut l) = self.0.lock() {
            l[self.1].1 = Some(Instant::now());
        }
    }
}

/// Copies `from` to `to`, each chunk written `delay` after it was read, in order.
async fn delayed(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    };
    let writer = async move {
        while let Some((at, data)) = rx.recv().await {
            tokio::time::sleep_until(at.into()).await;
            if to.write_all(&data).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

/// Scans `target` (whose host and port `connect_to` reroutes) through [`proxy`]: the
/// connections it took, the wall time, and the endpoint.
async fn measured(
    target: &str,
    host_port: &str,
    backend: u16,
    rtt: Duration,
) -> (u32, Duration, EndpointReport) {
    let (port, count, timeline) = proxy(backend, rtt).await;
    let mut cfg = config(None, &[&format!("{host_port}:127.0.0.1:{port}")]);
    // Generous steps: a round trip of the proxy must never look like a timeout.
    cfg.timeout = Duration::from_secs(10);
    cfg.greeting_timeout = Duration::from_secs(10);
    cfg.revocation = false;
    let started = Instant::now();
    let r = scan(&cfg, target).await;
    let took = started.elapsed();
    if std::env::var_os("TLSGRADE_BUDGET_TIMELINE").is_some() && !rtt.is_zero() {
        let in_rtt = |t: Instant| t.duration_since(started).as_secs_f64() / rtt.as_secs_f64();
        for (open, close) in timeline.lock().unwrap().iter() {
            println!(
                "    {:5.1} .. {:5.1} RTT",
                in_rtt(*open),
                close.map_or(f64::NAN, in_rtt)
            );
        }
    }
    (
        count.load(Ordering::SeqCst),
        took,
        only_endpoint(&r).clone(),
    )
}

/// The endpoints of the probe plan's figures, each started and scanned by `each`.
struct Peers {
    _dir: tempfile::TempDir,
    _lab: tlsgrade::lab::ServerHandle,
    _postfix: crate::peers::Peer,
    _s_server: crate::peers::Peer,
    lab: u16,
    postfix: u16,
    s_server: u16,
}

async fn peers() -> Peers {
    let dir = tempfile::tempdir().unwrap();
    let lab = crate::common::good_smtp(&["127.0.0.1"], "mx.budget.test").await;
    let (cert, key) = crate::versions::rsa_cert(dir.path(), "mx.budget.test");
    let _ = std::process::Command::new("chmod")
        .arg("-R")
        .arg("a+rX")
        .arg(dir.path())
        .status();
    let postfix = crate::peers::free_port();
    let pf = crate::peers::postfix_with(
        &dir.path().join("pf"),
        postfix,
        &cert,
        &key,
        ">=TLSv1",
        "smtpd_tls_ciphers = medium\ntls_medium_cipherlist = DEFAULT:@SECLEVEL=0\n",
    );
    let (s, s_port) =
        crate::peers::s_server(dir.path(), &cert, &key, &["-cipher", "DEFAULT:@SECLEVEL=0"]);
    Peers {
        lab: lab.port(),
        _lab: lab,
        _postfix: pf,
        _s_server: s,
        postfix,
        s_server: s_port,
        _dir: dir,
    }
}

/// (what, target, host:port to reroute, backend port, connections a default scan takes) for
/// each endpoint of the plan. The counts are docs/grading.md's probe plan:
/// - the lab's rustls SMTP server: the handshake (TLS 1.3's probe too), the TLS 1.2 probe
///   (with compression, renegotiation_info, Heartbleed and CCS injection on its connection),
///   the SSL 3.0–TLS 1.1 hello offering every suite of the three, the fallback probe, the other
///   kind of certificate, then weak classes, the reversed list, DHE, weak curves, ROBOT's RSA-only
///   hello, STARTTLS injection, resumption and renegotiation: 13;
/// - Postfix with TLS 1.0–1.3 and RSA key exchange, and openssl s_server on direct TLS: the
///   old versions walked down one hello each once TLS 1.1 is accepted, a weak-class hello per
///   accepted version, ROBOT's five RSA connections, POODLE (CBC seen), and for s_server a
///   second renegotiation connection (it renegotiates at a client's request) but no STARTTLS
///   injection: 23 and 22.
fn endpoints(p: &Peers) -> [(&'static str, &'static str, &'static str, u16, u32); 3] {
    [
        (
            "lab SMTP STARTTLS, TLS 1.2-1.3, ECDHE only",
            "mx.budget.test:25",
            "mx.budget.test:25",
            p.lab,
            13,
        ),
        (
            "Postfix SMTP STARTTLS, TLS 1.0-1.3, RSA key exchange",
            "mx.budget.test:25",
            "mx.budget.test:25",
            p.postfix,
            23,
        ),
        (
            "openssl s_server, direct TLS 1.0-1.3",
            "tls://mx.budget.test:443",
            "mx.budget.test:443",
            p.s_server,
            22,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_default_scan_costs_the_budgeted_connections() {
    let p = peers().await;
    let mut seen = Vec::new();
    let mut want = Vec::new();
    for (what, target, host_port, backend, budget) in endpoints(&p) {
        let (n, _, e) = measured(target, host_port, backend, Duration::ZERO).await;
        assert!(e.grade.is_some(), "{what}: {e:#?}");
        seen.push((what, n));
        want.push((what, budget));
    }
    assert_eq!(seen, want);
}

/// Prints connections and wall-clock round trips per endpoint at 50 ms RTT (`RTT_MS`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement for ./scripts/bench"]
async fn rtt_table() {
    let rtt_ms: u64 = std::env::var("RTT_MS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let rtt = Duration::from_millis(rtt_ms);
    let p = peers().await;
    println!("| endpoint | connections | wall |");
    println!("|---|---|---|");
    for (what, target, host_port, backend, _) in endpoints(&p) {
        let (n, took, _) = measured(target, host_port, backend, rtt).await;
        println!(
            "| {what} | {n} | {:.1} RTT ({:.2} s) |",
            took.as_secs_f64() / rtt.as_secs_f64(),
            took.as_secs_f64()
        );
    }
}
