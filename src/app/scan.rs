//! The scan command: validate the options into a plan, set up the demo lab when asked, run the
//! batch, write the outputs (JSON report, HTML, CSV, table; NDJSON is written while the batch
//! runs) and
//! turn the outcome into the exit status: 0 ran, 1 `--fail-under` or `--fail-expiring` not met,
//! 2 usage error or nothing readable, 130 interrupted.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::write_output;
use crate::batch::{self, BatchOptions, Outcome};
use crate::cli::ScanArgs;
use crate::config::ScanConfig;
use crate::report::escape::for_terminal as esc;
use crate::report::{self, InvalidTargetReport, Report};
use crate::{dns, inspect, lab};

/// A usage error: the message for stderr, and status 2.
struct Usage(String);

fn usage(e: impl std::fmt::Display) -> Usage {
    Usage(e.to_string())
}

pub async fn run(args: ScanArgs) -> ExitCode {
    match scan(&args).await {
        Ok(code) => code,
        Err(Usage(e)) => {
            eprintln!("tlsgrade: {e}");
            ExitCode::from(2)
        }
    }
}

/// Where the outputs go, decided before anything runs.
struct Outputs {
    show_table: bool,
}

fn outputs(args: &ScanArgs) -> Result<Outputs, Usage> {
    let to_stdout = |p: &Option<PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let on_stdout: Vec<&str> = [
        ("--json -", &args.json),
        ("--ndjson -", &args.ndjson),
        ("--csv -", &args.csv),
    ]
    .into_iter()
    .filter(|(_, p)| to_stdout(p))
    .map(|(name, _)| name)
    .collect();
    if on_stdout.len() > 1 {
        return Err(usage(format!(
            "{} cannot both use standard output",
            on_stdout.join(" and ")
        )));
    }
    if to_stdout(&args.html) {
        return Err(usage(
            "--html needs a file name (the page is opened from a file)",
        ));
    }
    Ok(Outputs {
        show_table: on_stdout.is_empty() && args.ndjson.is_none(),
    })
}

async fn scan(args: &ScanArgs) -> Result<ExitCode, Usage> {
    let mut plan = args.plan().map_err(|e| usage(esc(&e)))?;
    for bad in &plan.invalid {
        eprintln!("tlsgrade: skipping target {bad}");
    }
    // Kept alive for the whole scan: its servers answer the scan's connections.
    let _demo = if args.demo {
        let demo = start_demo(&mut plan.config).await.map_err(usage)?;
        plan.targets.extend(demo.targets.iter().cloned());
        Some(demo)
    } else {
        None
    };
    if plan.targets.is_empty() && plan.file.is_none() {
        return Err(usage("no valid target to scan"));
    }
    let out = outputs(args)?;
    let opts = BatchOptions {
        ndjson: args.ndjson.clone(),
        resume: args.resume,
        shard: args.shard,
        progress: !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        keep_reports: args.json.is_some()
            || args.html.is_some()
            || args.csv.is_some()
            || out.show_table,
        fail_expiring: args.fail_expiring.map(i64::from),
    };
    load_trust_anchors(&mut plan.config, &args.options.trust_anchor)
        .await
        .map_err(usage)?;
    let started_at = now_rfc3339();
    let invalid = std::mem::take(&mut plan.invalid);
    let outcome = batch::run(plan.targets, plan.file, &plan.config, &opts)
        .await
        .map_err(|e| usage(esc(&e)))?;
    let n_invalid = invalid.len() as u64 + outcome.summary.invalid;
    closing_messages(args, &outcome, n_invalid);
    let Outcome {
        reports,
        invalid: more_invalid,
        summary: s,
        interrupted,
    } = outcome;
    let report = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: report::Tool::default(),
        started_at,
        finished_at: now_rfc3339(),
        targets: reports,
        invalid_targets: invalid
            .iter()
            .chain(more_invalid.iter())
            .map(|i| InvalidTargetReport {
                input: i.input.clone(),
                line: i.line,
                reason: i.reason.clone(),
            })
            .collect(),
    };
    if let Some(path) = &args.json {
        write_output(path, "JSON report", &report::to_json(&report)).map_err(Usage)?;
    }
    if let Some(path) = &args.html {
        write_output(path, "HTML report", &report::html::render(&report)).map_err(Usage)?;
    }
    if let Some(path) = &args.csv {
        write_output(path, "CSV", &report::csv::render(&report)).map_err(Usage)?;
    }
    if out.show_table {
        let opts = super::table_options(args.no_color, args.verbose);
        let _ = std::io::stdout().write_all(report::table::render(&report, opts).as_bytes());
    }
    if interrupted {
        return Ok(ExitCode::from(130));
    }
    if s.targets == 0 && s.resumed == 0 && s.other_shards == 0 {
        return Err(usage("no valid target to scan"));
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
    let under = matches!((args.fail_under, s.worst), (Some(min), Some(worst)) if worst > min);
    Ok(if under || s.expiring_count > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--trust-anchor` files into the configuration (read through its resolver, for DS records).
pub(super) async fn load_trust_anchors(
    config: &mut ScanConfig,
    files: &[PathBuf],
) -> Result<(), String> {
    if files.is_empty() {
        return Ok(());
    }
    let plain = dns::Dns::new(config.resolver, config.timeout).map_err(|e| esc(&e))?;
    let anchors = dns::load_trust_anchors(files, &plain)
        .await
        .map_err(|e| esc(&e))?;
    config.trust_anchors = Some(Arc::new(anchors));
    Ok(())
}

/// Starts the demo lab and points the configuration at it: only where DNS, trust and
/// connections go changes; the scan is the normal one. Its targets are the demo's `targets`.
pub(super) async fn start_demo(c: &mut ScanConfig) -> Result<lab::demo::Demo, String> {
    let demo = lab::demo::start().await?;
    eprintln!(
        "tlsgrade demo: {} mail domains served by DNS and SMTP servers inside this process on 127.0.0.0/8 \
         (no network used; certificates made just now by a lab CA):",
        lab::demo::DOMAINS.len()
    );
    for (d, what) in lab::demo::DOMAINS {
        eprintln!("  {d:<22} {what}");
    }
    eprintln!();
    c.resolver = Some(demo.resolver);
    c.trust_anchors = Some(Arc::new(demo.trust_anchors.clone()));
    c.connect_to.extend(demo.connect_to.iter().cloned());
    c.allow_private = true;
    c.trust = inspect::TrustStore::new(&[demo.pki.root_der()])?;
    Ok(demo)
}

/// The summary on stderr (unless `--quiet`), and what an interruption leaves.
fn closing_messages(args: &ScanArgs, outcome: &Outcome, n_invalid: u64) {
    let s = &outcome.summary;
    let batchlike = s.targets > 1 || outcome.interrupted || args.ndjson.is_some() || n_invalid > 0;
    if !args.quiet && batchlike {
        eprintln!("{}", s.render());
    }
    if outcome.interrupted {
        eprintln!(
            "tlsgrade: interrupted; finished targets are written{}",
            if args.ndjson.is_some() {
                " (continue with --resume)"
            } else {
                ""
            }
        );
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
