//! tlsgrade: a TLS endpoint scanner and grader for mail domains and TLS services.
//!
//! The pipeline, one stage per module, data flowing one way:
//!
//! ```text
//! cli ──► target ──► scan ──► dns (MX, A/AAAA)
//!                      │
//!                      ├─► net (connect, --connect-to, STARTTLS dialogues)
//!                      ├─► probe::tls (rustls handshake, recording verifier)
//!                      ├─► inspect (chain → facts, trust, names, expiry)
//!                      ├─► policy (mail domains: MTA-STS/TLS-RPT records, policy fetch,
//!                      │           what an MTA-STS sender does with each MX)
//!                      └─► grade (checks → letters) ──► report (JSON, table)
//! ```
//!
//! - [`cli`]: command-line options → validated [`scan::ScanConfig`] and targets.
//! - [`target`]: target strings and files → [`target::Target`] or a numbered error.
//! - [`dns`]: hickory look-ups (MX, A/AAAA, TXT) with NXDOMAIN / NODATA / SERVFAIL / timeout
//!   kept apart.
//! - [`net`]: TCP with deadlines, `--connect-to`, bounded line reading, SMTP/IMAP/POP3 STARTTLS.
//! - [`probe`]: one connection per probe; the full rustls handshake, hand-built hellos for
//!   versions, weak cipher classes, key exchange, renegotiation and compression (issue 8), and
//!   the SMTP STARTTLS-injection probe.
//! - [`inspect`]: certificate facts and checks (x509-parser, rustls-webpki).
//! - [`grade`]: the pure rubric of docs/grading.md.
//! - [`diff`]: `tlsgrade diff OLD NEW`, what changed between two saved reports (pure over JSON,
//!   outside the scan pipeline).
//! - [`consistency`]: after every target is done, compares the certificates of peers (addresses
//!   of a host, ports of a host, MX hosts of a domain): the renewal that reached one node only.
//! - [`report`]: the JSON model (docs/report.md), every output (JSON, NDJSON lines, the table),
//!   the one escaping policy for server-controlled text, and reading saved reports back.
//! - [`scan`]: the only place with concurrency; failures become data.
//! - [`lab`]: in-process servers (DNS, SMTP, TLS, HTTPS policy host) and a test PKI, shared by
//!   `--demo` and the tests; the servers only tests and the benchmark use need the `lab` feature.
//! - [`wire`]: the legacy-version TLS codec (hand-built ClientHellos, ServerHello/alert parsing),
//!   no I/O; the version prober (issue 3) drives it.
//! - [`policy`]: pure MTA-STS and TLS-RPT record/policy parsers and MX matching, the fetcher
//!   (TXT look-ups, the HTTPS policy fetch with reqwest) and the domain-level decision that adds
//!   `mta-sts.*`/`tls-rpt.*` checks and the MTA-STS A+ evidence; DANE (TLSA usability and
//!   matching in `dane`, DNSSEC-validated facts and the `dane.*` checks in `dane_check`).

pub mod batch;
pub mod cli;
pub mod config;
pub mod consistency;
pub mod diff;
pub mod dns;
pub mod expiry;
pub mod grade;
pub mod inspect;
pub mod lab;
pub mod net;
pub mod policy;
pub mod probe;
pub mod report;
pub mod scan;
pub mod target;
#[cfg(test)]
mod testkit;
pub mod wire;

/// [`report::escape`] under the path the network and probe code name it by.
pub use report::escape;

use std::io::Write;
use std::process::ExitCode;

use report::{GradeValue, Report};

/// Runs the command line: scans, prints, and returns the exit status (0 ran, 1 --fail-under or
/// --fail-expiring not met, 2 usage error or nothing readable).
pub async fn run(cli: cli::Cli) -> ExitCode {
    let mut plan = match cli.plan() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("tlsgrade: {}", escape::for_terminal(&e));
            return ExitCode::from(2);
        }
    };
    for bad in &plan.invalid {
        eprintln!("tlsgrade: skipping target {bad}");
    }
    // The demo changes only where DNS, trust and connections point; the scan is the normal one.
    let _demo = if cli.demo {
        let demo = match lab::demo::start().await {
            Ok(d) => d,
            Err(e) => {
                eprintln!("tlsgrade: {e}");
                return ExitCode::from(2);
            }
        };
        eprintln!(
            "tlsgrade demo: {} mail domains served by DNS and SMTP servers inside this process on 127.0.0.0/8 \
             (no network used; certificates made just now by a lab CA):",
            lab::demo::DOMAINS.len()
        );
        for (d, what) in lab::demo::DOMAINS {
            eprintln!("  {d:<22} {what}");
        }
        eprintln!();
        plan.config.resolver = Some(demo.resolver);
        plan.config.trust_anchors = Some(std::sync::Arc::new(demo.trust_anchors.clone()));
        plan.config
            .connect_to
            .extend(demo.connect_to.iter().cloned());
        plan.config.allow_private = true;
        match inspect::TrustStore::new(&[demo.pki.root_der()]) {
            Ok(t) => plan.config.trust = t,
            Err(e) => {
                eprintln!("tlsgrade: {e}");
                return ExitCode::from(2);
            }
        }
        plan.targets.extend(demo.targets.iter().cloned());
        Some(demo)
    } else {
        None
    };
    if plan.targets.is_empty() && plan.file.is_none() {
        eprintln!("tlsgrade: no valid target to scan");
        return ExitCode::from(2);
    }
    let to_stdout =
        |p: &Option<std::path::PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let (json_to_stdout, ndjson_to_stdout) = (to_stdout(&cli.json), to_stdout(&cli.ndjson));
    if json_to_stdout && ndjson_to_stdout {
        eprintln!("tlsgrade: --json - and --ndjson - cannot both use standard output");
        return ExitCode::from(2);
    }
    let show_table = !json_to_stdout && cli.ndjson.is_none();
    let opts = batch::BatchOptions {
        ndjson: cli.ndjson.clone(),
        resume: cli.resume,
        shard: cli.shard,
        progress: !cli.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        keep_reports: cli.json.is_some() || show_table,
        fail_expiring: cli.fail_expiring.map(i64::from),
    };
    if !cli.trust_anchor.is_empty() {
        let loaded = match dns::Dns::new(plan.config.resolver, plan.config.timeout) {
            Ok(plain) => dns::load_trust_anchors(&cli.trust_anchor, &plain).await,
            Err(e) => Err(e),
        };
        match loaded {
            Ok(a) => plan.config.trust_anchors = Some(std::sync::Arc::new(a)),
            Err(e) => {
                eprintln!("tlsgrade: {}", escape::for_terminal(&e));
                return ExitCode::from(2);
            }
        }
    }
    let started_at = now_rfc3339();
    let outcome = match batch::run(plan.targets, plan.file, &plan.config, &opts).await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("tlsgrade: {}", escape::for_terminal(&e));
            return ExitCode::from(2);
        }
    };
    let s = &outcome.summary;
    let n_invalid = plan.invalid.len() as u64 + s.invalid;
    if !cli.quiet && (s.targets > 1 || outcome.interrupted || cli.ndjson.is_some() || n_invalid > 0)
    {
        eprintln!("{}", s.render());
    }
    if outcome.interrupted {
        eprintln!(
            "tlsgrade: interrupted; finished targets are written{}",
            if cli.ndjson.is_some() {
                " (continue with --resume)"
            } else {
                ""
            }
        );
    }
    let report = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: report::Tool::default(),
        started_at,
        finished_at: now_rfc3339(),
        targets: outcome.reports,
        invalid_targets: plan
            .invalid
            .iter()
            .chain(outcome.invalid.iter())
            .map(|i| report::InvalidTargetReport {
                input: i.input.clone(),
                line: i.line,
                reason: i.reason.clone(),
            })
            .collect(),
    };
    if let Some(path) = &cli.json {
        let text = report::to_json(&report);
        let res = if json_to_stdout {
            std::io::stdout().write_all(text.as_bytes())
        } else {
            std::fs::write(path, text)
        };
        if let Err(e) = res {
            eprintln!(
                "tlsgrade: cannot write JSON report to {}: {e}",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    if show_table {
        let color = !cli.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::IsTerminal::is_terminal(&std::io::stdout());
        let text = report::table::render(
            &report,
            report::table::TableOptions {
                color,
                verbose: cli.verbose,
            },
        );
        let _ = std::io::stdout().write_all(text.as_bytes());
    }
    if outcome.interrupted {
        return ExitCode::from(130);
    }
    if s.targets == 0 && s.resumed == 0 && s.other_shards == 0 {
        eprintln!("tlsgrade: no valid target to scan");
        return ExitCode::from(2);
    }
    for line in &s.expiring {
        eprintln!("tlsgrade: --fail-expiring: {line}");
    }
    if s.expiring_count > s.expiring.len() as u64 {
        eprintln!(
            "tlsgrade: --fail-expiring: and {} more",
            s.expiring_count - s.expiring.len() as u64
        );
    }
    let under = matches!((cli.fail_under, s.worst), (Some(min), Some(worst)) if worst > min);
    if under || s.expiring_count > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Whether any graded target is worse than `min` ("?" and ungraded targets do not count).
pub fn below(report: &Report, min: report::Grade) -> bool {
    report
        .targets
        .iter()
        .any(|t| matches!(t.grade, Some(GradeValue::Letter(g)) if g > min))
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
