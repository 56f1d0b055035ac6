//! `tlsgrade exporter` as Prometheus sees it: the binary serving the demo lab, its answers
//! checked by `promtool check metrics`, compared with a JSON scan of the same domains, cached per
//! `--min-interval`; and a real Prometheus server scraping it with the README's configuration and
//! alert rules, its series and alerts read back through Prometheus's HTTP API.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::common::free_port;

/// A running `tlsgrade exporter`; killed when dropped.
struct Exporter {
    _child: tokio::process::Child,
    addr: String,
}

async fn start_exporter(extra: &[&str]) -> Exporter {
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_tlsgrade"))
        .args(["exporter", "--demo", "--listen", &addr])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    let ready = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(l)) = lines.next_line().await {
            seen.push_str(&l);
            seen.push('\n');
            if l.contains("listening on") {
                return true;
            }
        }
        false
    })
    .await;
    assert!(matches!(ready, Ok(true)), "exporter did not start:\n{seen}");
    // Keep draining stderr so the exporter never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Exporter {
        _child: child,
        addr,
    }
}

/// `GET path` over HTTP/1.0: (status, body).
async fn get(addr: &str, path: &str) -> (u16, String) {
    try_get(addr, path)
        .await
        .unwrap_or_else(|e| panic!("GET http://{addr}{path}: {e}"))
}

/// `GET path` over HTTP/1.0, or why it could not be made (a server not listening yet).
async fn try_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await?;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(120), s.read_to_end(&mut raw))
        .await
        .expect("response in time")?;
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Ok((status, body.to_string()))
}

/// The samples of a text exposition: `name{labels}` → value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

/// `promtool check metrics` on `text`: its verdict and what it said.
async fn promtool_check_metrics(text: &str) -> (bool, String) {
    let mut p = tokio::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus package; ./scripts/test installs it)");
    p.stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .await
        .unwrap();
    let out = p.wait_with_output().await.unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The grades a JSON scan of the demo gives, by domain (`None`: not graded).
async fn demo_grades() -> HashMap<String, Option<String>> {
    let out = crate::common::run_tlsgrade(&["--demo", "-q", "--json", "-"]).await;
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["input"].as_str().unwrap().to_string(),
                t["grade"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn grade_number(letter: &str) -> f64 {
    match letter {
        "A+" => 6.0,
        "A" => 5.0,
        "B" => 4.0,
        "C" => 3.0,
        "D" => 2.0,
        "F" => 0.0,
        other => panic!("grade {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_agree_with_a_scan_pass_promtool_and_are_cached() {
    let ex = start_exporter(&["--min-interval", "300"]).await;
    let a = ex.addr.as_str();

    // Three scrapes of one target at once share one scan.
    let probe = |t: &'static str| async move { get(a, &format!("/probe?target={t}")).await };
    let (r1, r2, r3) = tokio::join!(
        probe("sts.demo.test"),
        probe("sts.demo.test"),
        probe("sts.demo.test")
    );
    assert_eq!((r1.0, r2.0, r3.0), (200, 200, 200));
    assert!(r1.1 == r2.1 && r2.1 == r3.1, "one scan, one answer");
    let own = samples(&get(a, "/metrics").await.1);
    assert_eq!(own["tlsgrade_exporter_scans_total"], 1.0, "{own:#?}");
    assert_eq!(own["tlsgrade_exporter_cache_hits_total"], 2.0);

    // Every demo domain, as the exporter and as a JSON scan grade it.
    let want = demo_grades().await;
    let answers = futures::future::join_all(
        want.keys()
            .map(|d| async move { (d.clone(), get(a, &format!("/probe?target={d}")).await) }),
    )
    .await;
    for (domain, (status, body)) in &answers {
        assert_eq!(*status, 200, "{domain}: {body}");
        let (ok, said) = promtool_check_metrics(body).await;
        assert!(ok, "promtool on /probe?target={domain}: {said}\n{body}");
        let s = samples(body);
        let grade = s.get(&format!("tlsgrade_grade{{target=\"{domain}\"}}"));
        match &want[domain] {
            Some(letter) => {
                assert_eq!(grade, Some(&grade_number(letter)), "{domain}:\n{body}");
                assert_eq!(s["tlsgrade_probe_success"], 1.0, "{domain}");
                let info = format!("tlsgrade_grade_info{{target=\"{domain}\",grade=\"{letter}\"}}");
                assert_eq!(s.get(&info), Some(&1.0), "{domain}:\n{body}");
            }
            None => {
                assert_eq!(grade, None, "{domain} is not graded:\n{body}");
                assert_eq!(s["tlsgrade_probe_success"], 0.0, "{domain}");
            }
        }
    }
    let body = |d: &str| &answers.iter().find(|(x, _)| x == d).unwrap().1 .1;
    let dane = samples(body("dane.demo.test"));
    assert_eq!(dane["tlsgrade_dane_valid{target=\"dane.demo.test\"}"], 1.0);
    assert_eq!(
        dane["tlsgrade_mta_sts_mode{target=\"dane.demo.test\",mode=\"enforce\"}"],
        1.0
    );
    assert_eq!(
        samples(body("danestale.demo.test"))["tlsgrade_dane_valid{target=\"danestale.demo.test\"}"],
        0.0
    );
    let expired = samples(body("expired.demo.test"));
    let (not_after, _) = expired
        .iter()
        .find(|(k, _)| k.starts_with("tlsgrade_certificate_not_after_seconds{"))
        .map(|(k, v)| (*v, k.clone()))
        .expect("the expired leaf is exported");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(not_after < now, "expired.demo.test's leaf ends in the past");
    assert!(
        expired
            .iter()
            .any(|(k, v)| k.starts_with("tlsgrade_check_status{")
                && k.contains("id=\"cert.expired\"")
                && *v == 3.0),
        "{expired:#?}"
    );

    // Within --min-interval every answer comes from the cache: the same bytes, no new scan.
    let scans = samples(&get(a, "/metrics").await.1)["tlsgrade_exporter_scans_total"];
    assert_eq!(scans, want.len() as f64, "sts.demo.test was scanned once");
    assert_eq!(
        &get(a, "/probe?target=dane.demo.test").await.1,
        body("dane.demo.test")
    );
    assert_eq!(
        &get(a, "/probe?target=DANE.demo.test").await.1,
        body("dane.demo.test")
    );
    let (status, own) = get(a, "/metrics").await;
    assert_eq!(status, 200);
    let (ok, said) = promtool_check_metrics(&own).await;
    assert!(ok, "promtool on /metrics: {said}\n{own}");
    let own = samples(&own);
    assert_eq!(own["tlsgrade_exporter_scans_total"], scans);
    assert_eq!(own["tlsgrade_exporter_scans_in_flight"], 0.0);
    assert_eq!(own["tlsgrade_exporter_scan_duration_seconds_count"], scans);

    // Refusals: no target, a target that is not one, a path that is not served.
    assert_eq!(get(a, "/probe").await.0, 400);
    let (status, why) = get(a, "/probe?target=a%20b").await;
    assert_eq!(status, 400);
    assert!(why.contains("a b"), "{why}");
    assert_eq!(get(a, "/nowhere").await.0, 404);
    let own = samples(&get(a, "/metrics").await.1);
    assert_eq!(own["tlsgrade_exporter_bad_requests_total"], 3.0);
    assert_eq!(own["tlsgrade_exporter_scans_total"], scans);
}

/// The fenced `yaml` blocks of the README's "Prometheus" section, in order.
fn readme_prometheus_yaml() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("\n### Prometheus\n")
        .nth(1)
        .expect("README has a Prometheus section");
    let section = section.split("\n### ").next().unwrap();
    section
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_string())
        .collect()
}

/// Replaces `from` with `to` in `text`, which must contain it: a README that changes shape fails
/// here rather than testing something else.
fn swap(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in:\n{text}");
    text.replace(from, to)
}

/// Polls a Prometheus API query until `done` accepts its `data`, for at most a minute.
async fn until(
    addr: &str,
    path: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = match try_get(addr, path).await {
            Ok(answer) => answer,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await;
                continue;
            }
            Err(e) => panic!("{path}: {e}"),
        };
        if status == 200 {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            if done(&v["data"]) {
                return v["data"].clone();
            }
            if Instant::now() > deadline {
                panic!("{path}: still {body}");
            }
        } else if Instant::now() > deadline {
            panic!("{path}: HTTP {status}: {body}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The `instance` → value pairs of an instant query's result.
fn by_instance(data: &serde_json::Value) -> BTreeMap<String, f64> {
    data["result"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["metric"]["instance"].as_str().unwrap_or("").to_string(),
                r["value"][1].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_it_with_the_readme_configuration_and_the_alerts_fire() {
    let ex = start_exporter(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let blocks = readme_prometheus_yaml();
    assert_eq!(blocks.len(), 2, "prometheus.yml and the rules: {blocks:#?}");
    let rules = dir.path().join("tlsgrade-rules.yml");
    std::fs::write(&rules, &blocks[1]).unwrap();
    let targets = [
        "dane.demo.test",
        "expired.demo.test",
        "nostarttls.demo.test",
        "null.demo.test",
    ];
    let mut config = swap(
        &blocks[0],
        "- targets: [example.com, 'smtp://mx.example.net', 'https://www.example.org']",
        &format!("- targets: [{}]", targets.join(", ")),
    );
    config = swap(
        &config,
        "replacement: 127.0.0.1:9219",
        &format!("replacement: {}", ex.addr),
    );
    // A lab answers in under a second: scrape every second instead of every five minutes.
    config = swap(&config, "scrape_interval: 5m", "scrape_interval: 1s");
    config = swap(&config, "scrape_timeout: 2m", "scrape_timeout: 1s");
    config = swap(
        &config,
        "rule_files: [tlsgrade-rules.yml]",
        &format!("rule_files: [{}]", rules.display()),
    );
    config = format!("global:\n  evaluation_interval: 1s\n{config}");
    let config_file = dir.path().join("prometheus.yml");
    std::fs::write(&config_file, &config).unwrap();
    for (what, file) in [("config", &config_file), ("rules", &rules)] {
        let out = tokio::process::Command::new("promtool")
            .args(["check", what])
            .arg(file)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "promtool check {what}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let web = format!("127.0.0.1:{}", free_port());
    let _prometheus = tokio::process::Command::new("prometheus")
        .arg(format!("--config.file={}", config_file.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address={web}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("prometheus (Debian's prometheus package; ./scripts/test installs it)");

    // Every target scraped and up, the grades as the demo intends them, the null MX not graded.
    let up = until(&web, "/api/v1/query?query=up", |d| {
        by_instance(d).values().filter(|v| **v == 1.0).count() == targets.len()
    })
    .await;
    assert_eq!(by_instance(&up).len(), targets.len());
    let grades = by_instance(
        &until(&web, "/api/v1/query?query=tlsgrade_grade", |d| {
            by_instance(d).len() == 3
        })
        .await,
    );
    assert_eq!(
        grades,
        BTreeMap::from([
            ("dane.demo.test".into(), 6.0),
            ("expired.demo.test".into(), 4.0),
            ("nostarttls.demo.test".into(), 0.0),
        ])
    );
    let success = by_instance(
        &until(&web, "/api/v1/query?query=tlsgrade_probe_success", |d| {
            by_instance(d).len() == targets.len()
        })
        .await,
    );
    assert_eq!(success["null.demo.test"], 0.0);
    assert_eq!(success["dane.demo.test"], 1.0);

    // The README's rules: an expired certificate is "expiring within 14 days", F is below B.
    let alerts = until(&web, "/api/v1/alerts", |d| {
        d["alerts"].as_array().is_some_and(|a| a.len() >= 2)
    })
    .await;
    let fired: BTreeSet<(String, String)> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["labels"]["alertname"].as_str().unwrap().to_string(),
                a["labels"]["instance"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        fired,
        BTreeSet::from([
            ("CertificateExpiringSoon".into(), "expired.demo.test".into()),
            ("GradeBelowB".into(), "nostarttls.demo.test".into()),
        ])
    );
}
