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
pub(crate) type Timeline = Arc<std::sync::Mutex<Vec<Line>>>;

/// One connection through a [`proxy`]: when it opened and closed, and what the client sent
/// (the first [`SENT_KEPT`] bytes and how many segments), to tell the probes apart.
#[derive(Default)]
pub(crate) struct Line {
    opened: Option<Instant>,
    closed: Option<Instant>,
    sent: Vec<u8>,
    segments: u32,
}

const SENT_KEPT: usize = 4096;

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
                l.push(Line {
                    opened: Some(Instant::now()),
                    ..Line::default()
                });
                l.len() - 1
            };
            tokio::spawn(async move {
                let _closed = Closed(lines.clone(), i);
                tokio::time::sleep(rtt).await;
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", backend)).await
                else {
                    return;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::join!(
                    delayed(cr, sw, rtt / 2, Some((lines.clone(), i))),
                    delayed(sr, cw, rtt / 2, None)
                );
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
            l[self.1].closed = Some(Instant::now());
        }
    }
}

/// Copies `from` to `to`, each chunk written `delay` after it was read, in order.
async fn delayed(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    noted: Option<(Timeline, usize)>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Some((lines, i)) = &noted {
                        if let Ok(mut l) = lines.lock() {
                            let line = &mut l[*i];
                            line.segments += 1;
                            let room = SENT_KEPT.saturating_sub(line.sent.len()).min(n);
                            line.sent.extend_from_slice(&buf[..room]);
                        }
                    }
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
        for l in timeline.lock().unwrap().iter() {
            println!(
                "    {:5.1} .. {:5.1} RTT  {:3} segments  {}",
                l.opened.map_or(f64::NAN, in_rtt),
                l.closed.map_or(f64::NAN, in_rtt),
                l.segments,
                hello_summary(&l.sent)
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
    _smtps: crate::peers::Peer,
    _s_server: crate::peers::Peer,
    lab: u16,
    postfix: u16,
    smtps: u16,
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
    // TLS 1.0-1.3 with RSA key exchange; `extra` lines of main.cf on top.
    let postfix_in = |name: &str, extra: &str| {
        let port = crate::peers::free_port();
        let peer = crate::peers::postfix_with(
            &dir.path().join(name),
            port,
            &cert,
            &key,
            ">=TLSv1",
            &format!(
                "smtpd_tls_ciphers = medium\ntls_medium_cipherlist = DEFAULT:@SECLEVEL=0\n{extra}"
            ),
        );
        (peer, port)
    };
    let (pf, postfix) = postfix_in("pf", "");
    // The same Postfix on direct TLS (wrapper mode): a server of many processes, unlike s_server.
    let (smtps_pf, smtps) = postfix_in("smtps", "smtpd_tls_wrappermode = yes\n");
    let (s, s_port) =
        crate::peers::s_server(dir.path(), &cert, &key, &["-cipher", "DEFAULT:@SECLEVEL=0"]);
    Peers {
        lab: lab.port(),
        _lab: lab,
        _postfix: pf,
        _smtps: smtps_pf,
        smtps,
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
///   kind of certificate, then the TLS 1.2 weak classes' hello, which is also the key-exchange
///   prelude (its refusal settles DHE and ROBOT), the reversed list (whose ECDHE answer, with the
///   weak-curve list, settles the curves of its ECDSA certificate), STARTTLS injection,
///   resumption and renegotiation: 10;
/// - Postfix with TLS 1.0–1.3 and RSA key exchange, and openssl s_server on direct TLS: the
///   older versions asked at once, one hello each offering every suite, once TLS 1.1 is accepted, a weak-class hello per
///   accepted version and the TLS 1.2 one again after the prelude chose a DHE or RSA suite, the
///   DHE-only hello, the weak curves, ROBOT's five RSA connections, POODLE (CBC seen), and for s_server a
///   second renegotiation connection (it renegotiates at a client's request) but no STARTTLS
///   injection: 22 and 21;
/// - the same Postfix on direct TLS (SMTPS): no STARTTLS injection, 21.
fn endpoints(p: &Peers) -> [(&'static str, &'static str, &'static str, u16, u32); 4] {
    [
        (
            "lab SMTP STARTTLS, TLS 1.2-1.3, ECDHE only",
            "mx.budget.test:25",
            "mx.budget.test:25",
            p.lab,
            10,
        ),
        (
            "Postfix SMTP STARTTLS, TLS 1.0-1.3, RSA key exchange",
            "mx.budget.test:25",
            "mx.budget.test:25",
            p.postfix,
            22,
        ),
        (
            "openssl s_server, direct TLS 1.0-1.3",
            "tls://mx.budget.test:443",
            "mx.budget.test:443",
            p.s_server,
            21,
        ),
        (
            "Postfix SMTPS, direct TLS 1.0-1.3, RSA key exchange",
            "smtps://mx.budget.test:465",
            "mx.budget.test:465",
            p.smtps,
            21,
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
    // One scan of each first, unmeasured: the first scan of a run pays for start-up (the peers
    // still settling, the first configurations built), up to 5 RTT that are not the plan's.
    for (_, target, host_port, backend, _) in endpoints(&p) {
        measured(target, host_port, backend, Duration::ZERO).await;
    }
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

/// The first ClientHello in what a client sent, in a few words: the hello's version, how many
/// suites, the first suites' code points, and whether TLS 1.3 is offered (supported_versions).
fn hello_summary(sent: &[u8]) -> String {
    let Some(at) = (0..sent.len().saturating_sub(9))
        .find(|&i| sent[i] == 0x16 && sent[i + 1] == 3 && sent[i + 5] == 1)
    else {
        return format!("no hello in {} bytes", sent.len());
    };
    let h = &sent[at + 9..];
    let Some(&sid) = h.get(34) else {
        return "short hello".into();
    };
    let s = 35 + sid as usize;
    let Some(n) = h
        .get(s..s + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize / 2)
    else {
        return "short hello".into();
    };
    let first: Vec<String> = (0..n.min(3))
        .filter_map(|k| h.get(s + 2 + 2 * k..s + 4 + 2 * k))
        .map(|b| format!("{:02x}{:02x}", b[0], b[1]))
        .collect();
    let tls13 = h.windows(2).any(|w| w == [0x00, 0x2b]);
    format!(
        "hello {:02x}{:02x}, {n} suites {} {}",
        h[0],
        h[1],
        first.join(","),
        if tls13 { "(+supported_versions?)" } else { "" }
    )
}
