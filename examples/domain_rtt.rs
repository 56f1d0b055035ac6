//! How many round trips one whole mail domain costs: the lab's benchmark domain (2 MX hosts ×
//! 2 addresses, DANE in a signed zone, MTA-STS enforce, TLS-RPT) with every DNS answer, SMTP
//! exchange, TLS flight and HTTP exchange held for RTT, scanned in-process with the normal scan.
//! Used by scripts/bench; prints one line per configuration (the median of RUNS scans).
//!
//! usage: domain_rtt [RTT_MS] [RUNS]

use std::time::{Duration, Instant};

use tlsgrade::inspect::TrustStore;
use tlsgrade::lab::fleet::{spawn_domain, BENCH_DOMAIN};
use tlsgrade::scan::{scan_all, ScanConfig};
use tlsgrade::target::parse_target;

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    let rtt_ms: u64 = a.get(1).map_or(50, |s| s.parse().expect("RTT_MS"));
    let runs: usize = a.get(2).map_or(3, |s| s.parse().expect("RUNS"));
    let rtt = Duration::from_millis(rtt_ms);
    let lab = match spawn_domain(rtt).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("domain_rtt: {e}");
            std::process::exit(1);
        }
    };
    let trust = TrustStore::new(&[lab.pki.root_der()]).expect("lab root");
    println!(
        "one mail domain ({BENCH_DOMAIN}: 2 MX x 2 addresses, DANE 3 1 1, MTA-STS enforce, TLS-RPT) at {rtt_ms} ms RTT, median of {runs}:"
    );
    let mut ok = true;
    for (per_ip, probes, what) in [
        (3, false, "--versions-only (default --per-ip 3)"),
        (3, true, "default scan (default --per-ip 3)"),
        (8, false, "--versions-only --per-ip 8"),
        (8, true, "default scan --per-ip 8"),
        (16, true, "default scan --per-ip 16"),
    ] {
        let mut cfg = ScanConfig::new(trust.clone());
        cfg.resolver = Some(lab.resolver);
        cfg.connect_to = lab.connect_to.clone();
        cfg.trust_anchors = Some(std::sync::Arc::new(lab.trust_anchors.clone()));
        cfg.allow_private = true;
        cfg.per_ip = per_ip;
        cfg.cipher_probes = probes;
        let mut times = Vec::new();
        let mut verdict = String::new();
        for _ in 0..runs {
            let t = vec![parse_target(BENCH_DOMAIN).expect("target")];
            let started = Instant::now();
            let r = scan_all(t, &cfg).await.expect("scan");
            times.push(started.elapsed());
            let v = serde_json::to_value(&r[0]).expect("json");
            let conns: u64 = v["endpoints"]
                .as_array()
                .map(|es| {
                    es.iter()
                        .map(|e| e["ciphers"]["connections"].as_u64().unwrap_or(0))
                        .sum()
                })
                .unwrap_or(0);
            verdict = format!(
                "grade {}, {} endpoints, DANE {}, MTA-STS {}, {} cipher-probe connections",
                v["grade"].as_str().unwrap_or("?"),
                v["endpoints"].as_array().map_or(0, |e| e.len()),
                v["dane"]["protected"],
                v["mta_sts"]["policy"]["mode"].as_str().unwrap_or("?"),
                conns
            );
            ok &= v["grade"] == "A+";
        }
        times.sort();
        let med = times[times.len() / 2];
        println!(
            "  {what:<40} {:>6} ms = {:>5.1} RTT   ({verdict})",
            med.as_millis(),
            med.as_secs_f64() / rtt.as_secs_f64()
        );
    }
    if !ok {
        eprintln!(
            "domain_rtt: the benchmark domain did not grade A+: the lab or the scan is broken"
        );
        std::process::exit(1);
    }
}
