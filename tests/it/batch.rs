//! Batch runs through the binary: NDJSON streaming, resume after a kill, SIGINT, shards, no
//! progress output off a terminal, and one scan for an MX host shared by many domains.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tlsgrade::lab::dns::{DnsLab, Zone};
use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, Versions};

use crate::common::*;

fn bin() -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_tlsgrade"));
    c.env("NO_COLOR", "1").stdin(Stdio::null());
    c
}

/// `input` of every line of an NDJSON file, with a count each.
fn lines(path: &std::path::Path) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for l in std::fs::read_to_string(path).unwrap().lines() {
        let v: serde_json::Value =
            serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}"));
        *m.entry(v["input"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    m
}

/// `n` distinct targets that fail fast (refused connections on loopback ports nobody listens
/// on; see [`free_port`] for why these ports stay refused).
fn refused_targets(n: u16) -> Vec<String> {
    (0..n)
        .map(|_| format!("tls://127.0.0.1:{}", free_port()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_a_kill_gives_exactly_one_line_per_target() {
    // Slow servers: a greeting after 300 ms, so the batch is still running when it is killed.
    let cfg = server_config(&leaf(&["mx.example.test"]), Versions::Tls12And13).unwrap();
    let mut s = SmtpScript::new("mx.example.test", Some(cfg));
    s.greeting_delay = Duration::from_millis(300);
    let srv = spawn_smtp(&[ip("127.0.0.1")], s).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("targets.txt");
    let targets: Vec<String> = (0..24)
        .map(|i| format!("smtp://mx{i}.example.test"))
        .collect();
    std::fs::write(&file, targets.join("\n")).unwrap();
    let out = dir.path().join("out.ndjson");
    let rt = format!(":25:127.0.0.1:{}", srv.port());
    let args = [
        "--connect-to",
        &rt,
        "--concurrency",
        "2",
        "--timeout",
        "5",
        "-f",
        file.to_str().unwrap(),
        "--ndjson",
        out.to_str().unwrap(),
    ];

    let mut child = bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it hard once a few lines are on disk.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&out)
        .map(|s| s.lines().count())
        .unwrap_or(0)
        < 3
    {
        assert!(std::time::Instant::now() < deadline, "no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    let _ = child.wait().await;
    let first = lines(&out);
    assert!(
        first.len() < targets.len(),
        "the kill came too late to test anything"
    );

    let st = bin()
        .args(args)
        .arg("--resume")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let all = lines(&out);
    assert_eq!(all.len(), targets.len(), "{all:?}");
    assert!(all.values().all(|&n| n == 1), "duplicates: {all:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_stops_writes_what_finished_and_exits_130() {
    let mut s = SmtpScript::new("mx.example.test", None);
    s.greeting = None; // never greets: every target hangs until its timeout
    let srv = spawn_smtp(&[ip("127.0.0.1")], s).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ndjson");
    let rt = format!(":25:127.0.0.1:{}", srv.port());
    let mut args: Vec<String> = vec![
        "--connect-to".into(),
        rt,
        "--timeout".into(),
        "30".into(),
        "--ndjson".into(),
        out.to_str().unwrap().into(),
    ];
    args.extend(refused_targets(3));
    args.push("smtp://slow.example.test".into());
    let child = bin()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(&out)
        .map(|s| s.lines().count())
        .unwrap_or(0)
        < 3
    {
        assert!(
            std::time::Instant::now() < deadline,
            "refused targets did not finish"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = std::time::Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "did not stop promptly"
    );
    assert_eq!(o.status.code(), Some(130));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("interrupted") && err.contains("3 targets"),
        "{err}"
    );
    assert_eq!(lines(&out).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_are_disjoint_and_cover_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.txt");
    let targets = refused_targets(30);
    std::fs::write(&file, targets.join("\n")).unwrap();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in 0..3 {
        let out = dir.path().join(format!("s{i}.ndjson"));
        let st = bin()
            .args([
                "-q",
                "--shard",
                &format!("{i}/3"),
                "-f",
                file.to_str().unwrap(),
                "--ndjson",
                out.to_str().unwrap(),
            ])
            .status()
            .await
            .unwrap();
        assert_eq!(st.code(), Some(0));
        let part = lines(&out);
        assert!(
            !part.is_empty() && part.len() < targets.len(),
            "shard {i}: {}",
            part.len()
        );
        for (k, n) in part {
            *seen.entry(k).or_default() += n;
        }
    }
    assert_eq!(seen.len(), targets.len());
    assert!(seen.values().all(|&n| n == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_progress_output_when_stderr_is_not_a_terminal() {
    let targets = refused_targets(5);
    let o = bin()
        .args(&targets)
        .args(["--ndjson", "-"])
        .output()
        .await
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains('\r') && !err.contains('\u{1b}'),
        "progress drawn: {err:?}"
    );
    assert!(err.contains("5 targets"), "summary expected: {err}");
    // NDJSON on stdout: one object per target, and no table.
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 5);
    assert!(out
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    // --quiet silences the summary too.
    let o = bin()
        .args(&targets)
        .args(["-q", "--ndjson", "-"])
        .output()
        .await
        .unwrap();
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mx_shared_by_many_domains_is_scanned_once() {
    // A counting front for one lab SMTP server; ten domains all use it as their MX.
    let backend = good_smtp(&["127.0.0.1"], "mx.shared.test").await;
    let front = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let front_port = front.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let (acc, back) = (accepted.clone(), backend.addr());
    tokio::spawn(async move {
        while let Ok((mut c, _)) = front.accept().await {
            acc.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut b) = tokio::net::TcpStream::connect(back).await {
                    let _ = tokio::io::copy_bidirectional(&mut c, &mut b).await;
                }
            });
        }
    });
    let mut zone = Zone::new("shared.test").addr("mx.shared.test", ip("127.0.0.1"));
    let domains: Vec<String> = (0..10).map(|i| format!("d{i}.shared.test")).collect();
    for d in &domains {
        zone = zone.mx(d, 10, "mx.shared.test");
    }
    let dns = DnsLab::new()
        .zone(zone)
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let rt = format!("mx.shared.test:25:127.0.0.1:{front_port}");
    let mut cfg = config(Some(dns.addr()), &[&rt]);
    cfg.concurrency = 16;
    // What one domain costs (handshake, version probes with their retries, fallback probe)...
    let one = tlsgrade::scan::scan_all(
        vec![tlsgrade::target::parse_target(&domains[0]).unwrap()],
        &cfg,
    )
    .await
    .unwrap();
    assert_eq!(one[0].endpoints.len(), 1);
    let per_endpoint = accepted.swap(0, Ordering::SeqCst);
    // ...is what ten domains sharing the MX cost in one run.
    let targets = domains
        .iter()
        .map(|d| tlsgrade::target::parse_target(d).unwrap())
        .collect();
    let reports = tlsgrade::scan::scan_all(targets, &cfg).await.unwrap();
    assert_eq!(reports.len(), 10);
    assert!(reports
        .iter()
        .all(|r| r.endpoints.len() == 1
            && r.endpoints[0].grade == letter(tlsgrade::report::Grade::A)));
    let n = accepted.load(Ordering::SeqCst);
    assert_eq!(
        n, per_endpoint,
        "{n} connections for ten domains sharing one MX, {per_endpoint} for one"
    );
}
