//! The scan command: validate the options into a plan, set up the demo lab when asked, run the
//! batch, write the outputs (JSON report, table; NDJSON is written while the batch runs) and
//! turn the outcome into the exit status: 0 ran, 1 `--fail-under` or `--fail-expiring` not met,
//! 2 usage error or nothing readable, 130 interrupted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::batch::{self, BatchOptions, Outcome};
use crate::cli::{Plan, ScanArgs};
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
    json_to_stdout: bool,
    show_table: bool,
}

fn outputs(args: &ScanArgs) -> Result<Outputs, Usage> {
    let to_stdout = |p: &Option<PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let (json_to_stdout, ndjson_to_stdout) = (to_stdout(&args.json), to_stdout(&args.ndjson));
    if json_to_stdout && ndjson_to_stdout {
        return Err(usage(
            "--json - and --ndjson - cannot both use standard output",
        ));
    }
    Ok(Outputs {
        json_to_stdout,
        show_table: !json_to_stdout && args.ndjson.is_none(),
    })
}

async fn scan(args: &ScanArgs) -> Result<ExitCode, Usage> {
    let mut plan = args.plan().map_err(|e| usage(esc(&e)))?;
    for bad in &plan.invalid {
        eprintln!("tlsgrade: skipping target {bad}");
    }
    // Kept alive for the whole scan: its servers answer the scan's connections.
    let _demo = if args.demo {
        Some(start_demo(&mut plan).await?)
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
        keep_reports: args.json.is_some() || out.show_table,
        fail_expiring: args.fail_expiring.map(i64::from),
    };
    if !args.trust_anchor.is_empty() {
        let plain =
            dns::Dns::new(plan.config.resolver, plan.config.timeout).map_err(|e| usage(esc(&e)))?;
        let anchors = dns::load_trust_anchors(&args.trust_anchor, &plain)
            .await
            .map_err(|e| usage(esc(&e)))?;
        plan.config.trust_anchors = Some(Arc::new(anchors));
    }
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
        write_json(&report, path, out.json_to_stdout)?;
    }
    if out.show_table {
        let color = !args.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::IsTerminal::is_terminal(&std::io::stdout());
        let opts = report::table::TableOptions {
            color,
            verbose: args.verbose,
        };
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

/// Starts the demo lab and points the plan at it: only where DNS, trust and connections go
/// changes; the scan is the normal one.
async fn start_demo(plan: &mut Plan) -> Result<lab::demo::Demo, Usage> {
    let demo = lab::demo::start().await.map_err(usage)?;
    eprintln!(
        "tlsgrade demo: {} mail domains served by DNS and SMTP servers inside this process on 127.0.0.0/8 \
         (no network used; certificates made just now by a lab CA):",
        lab::demo::DOMAINS.len()
    );
    for (d, what) in lab::demo::DOMAINS {
        eprintln!("  {d:<22} {what}");
    }
    eprintln!();
    let c = &mut plan.config;
    c.resolver = Some(demo.resolver);
    c.trust_anchors = Some(Arc::new(demo.trust_anchors.clone()));
    c.connect_to.extend(demo.connect_to.iter().cloned());
    c.allow_private = true;
    c.trust = inspect::TrustStore::new(&[demo.pki.root_der()]).map_err(usage)?;
    plan.targets.extend(demo.targets.iter().cloned());
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

fn write_json(report: &Report, path: &Path, to_stdout: bool) -> Result<(), Usage> {
    let text = report::to_json(report);
    let res = if to_stdout {
        std::io::stdout().write_all(text.as_bytes())
    } else {
        std::fs::write(path, text)
    };
    res.map_err(|e| {
        usage(format!(
            "cannot write JSON report to {}: {e}",
            esc(&path.display().to_string())
        ))
    })
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
