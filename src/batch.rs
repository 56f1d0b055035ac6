//! Batch driver: where targets come from and where results go, for one run of the tool.
//!
//! Targets stream from the command line, a file or standard input (never all in memory), through
//! `--shard` and `--resume` filters, into [`crate::scan::scan_stream`]; every finished target is
//! written at once as one NDJSON line (`--ndjson`, [`crate::report::ndjson`]), counted for the closing summary and shown in
//! the progress bar. SIGINT/SIGTERM stop the run between targets: what finished is already on
//! disk, and `--resume` picks up the rest.

use std::collections::{BTreeMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::report::ndjson::NdjsonWriter;
use crate::report::{GradeValue, TargetReport};
use crate::scan::{scan_stream, ScanConfig};
use crate::target::{InvalidTarget, LineSource, Target};

/// `--shard I/N`: this machine scans the targets whose hash is I modulo N (I counts from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("--shard {s:?}: expected I/N, e.g. 0/4"))?;
        let (index, count) = (i.trim().parse::<u64>(), n.trim().parse::<u64>());
        match (index, count) {
            (Ok(index), Ok(count)) if count > 0 && index < count => Ok(Shard { index, count }),
            _ => Err(format!("--shard {s:?}: expected I/N with 0 <= I < N")),
        }
    }

    /// Whether `t` belongs to this shard. The split depends only on the target text, so every
    /// machine agrees on it whatever the order or the other lines of its file.
    pub fn owns(&self, t: &Target) -> bool {
        shard_hash(&t.input) % self.count == self.index
    }
}

/// FNV-1a (64-bit) of the lower-cased target: stable across runs, machines and Rust versions
/// (std's hasher promises none of that).
pub fn shard_hash(input: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in input.trim().bytes().map(|b| b.to_ascii_lowercase()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Where targets come from besides the command line.
#[derive(Clone, Debug)]
pub enum TargetFile {
    Path(PathBuf),
    Stdin,
}

#[derive(Clone, Debug, Default)]
pub struct BatchOptions {
    pub ndjson: Option<PathBuf>,
    pub resume: bool,
    pub shard: Option<Shard>,
    /// Show an indicatif progress bar on stderr.
    pub progress: bool,
    /// Keep every report in memory (for `--json` and the table).
    pub keep_reports: bool,
    /// `--fail-expiring N`: count the certificates with fewer than N days left.
    pub fail_expiring: Option<i64>,
}

/// Counts for the closing summary.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub targets: u64,
    pub endpoints: u64,
    pub grades: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    pub invalid: u64,
    pub resumed: u64,
    pub other_shards: u64,
    pub elapsed: Duration,
    /// The worst letter grade of any target (for `--fail-under`).
    pub worst: Option<crate::report::Grade>,
    /// With `--fail-expiring N`: the certificates expiring within N days (the first 100 named,
    /// all counted).
    pub expiring: Vec<String>,
    pub expiring_count: u64,
    fail_expiring: Option<i64>,
}

impl Summary {
    fn add(&mut self, r: &TargetReport) {
        if let Some(days) = self.fail_expiring {
            for line in crate::expiry::expiring(r, days) {
                self.expiring_count += 1;
                if self.expiring.len() < 100 {
                    self.expiring.push(line);
                }
            }
        }
        self.targets += 1;
        self.endpoints += r.endpoints.len() as u64;
        let g = match r.grade {
            Some(GradeValue::Letter(g)) => {
                self.worst = Some(self.worst.map_or(g, |w| w.max(g)));
                g.as_str().to_string()
            }
            Some(GradeValue::Unknown) => "?".into(),
            None => "not graded".into(),
        };
        *self.grades.entry(g).or_default() += 1;
        let kinds = r
            .error
            .iter()
            .chain(r.endpoints.iter().filter_map(|e| e.error.as_ref()));
        for e in kinds {
            *self.errors.entry(e.kind.as_str().to_string()).or_default() += 1;
        }
    }

    /// A few lines for stderr.
    pub fn render(&self) -> String {
        let secs = self.elapsed.as_secs_f64().max(1e-3);
        let mut s = format!(
            "tlsgrade: {} targets, {} endpoints in {:.1}s ({:.1} endpoints/s)",
            self.targets,
            self.endpoints,
            secs,
            self.endpoints as f64 / secs
        );
        if self.resumed > 0 {
            s.push_str(&format!("; {} already done (--resume)", self.resumed));
        }
        if self.other_shards > 0 {
            s.push_str(&format!("; {} in other shards", self.other_shards));
        }
        if self.invalid > 0 {
            s.push_str(&format!("; {} invalid lines", self.invalid));
        }
        let order = ["A+", "A", "B", "C", "D", "F", "?", "not graded"];
        let grades: Vec<String> = order
            .iter()
            .filter_map(|g| self.grades.get(*g).map(|n| format!("{g}: {n}")))
            .collect();
        if !grades.is_empty() {
            s.push_str(&format!("\n  grades: {}", grades.join(", ")));
        }
        if !self.errors.is_empty() {
            let e: Vec<String> = self
                .errors
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect();
            s.push_str(&format!("\n  errors: {}", e.join(", ")));
        }
        s
    }
}

/// What a run produced.
pub struct Outcome {
    /// Reports in input order (only with `keep_reports`).
    pub reports: Vec<TargetReport>,
    /// Invalid lines (the first 10,000; all are counted in the summary).
    pub invalid: Vec<InvalidTarget>,
    pub summary: Summary,
    pub interrupted: bool,
}

/// Inputs already in an NDJSON file, for `--resume`. A last line cut short by a kill is removed
/// from the file so that appending continues on a line boundary.
pub fn load_done(path: &Path) -> Result<HashSet<String>, String> {
    let mut done = HashSet::new();
    let mut f = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(done),
        Err(e) => return Err(format!("--resume: {}: {e}", path.display())),
    };
    let mut good_len = 0u64;
    {
        let mut rd = std::io::BufReader::new(&mut f);
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = rd
                .read_until(b'\n', &mut line)
                .map_err(|e| format!("--resume: {}: {e}", path.display()))?;
            if n == 0 || line.last() != Some(&b'\n') {
                break;
            }
            if let Some(input) = crate::report::read::input_of(&line) {
                done.insert(input);
            }
            good_len += n as u64;
        }
    }
    f.set_len(good_len)
        .map_err(|e| format!("--resume: {}: {e}", path.display()))?;
    Ok(done)
}

enum Item {
    Target(usize, Target),
    Invalid(InvalidTarget),
}

/// Feeds targets from the command line and the file through the filters, on a blocking thread,
/// into a bounded channel: memory stays flat however long the file is.
fn produce(
    args: Vec<Target>,
    file: Option<TargetFile>,
    shard: Option<Shard>,
    done: Arc<HashSet<String>>,
    skipped: Arc<Mutex<(u64, u64)>>,
    tx: tokio::sync::mpsc::Sender<Item>,
) -> Result<(), String> {
    let from_file: Box<dyn Iterator<Item = Result<Target, InvalidTarget>>> = match file {
        None => Box::new(std::iter::empty()),
        Some(TargetFile::Stdin) => Box::new(LineSource::new(std::io::stdin().lock())),
        Some(TargetFile::Path(p)) => {
            let f =
                std::fs::File::open(&p).map_err(|e| format!("--targets {}: {e}", p.display()))?;
            Box::new(LineSource::new(std::io::BufReader::new(f)))
        }
    };
    for (i, item) in args.into_iter().map(Ok).chain(from_file).enumerate() {
        let item = match item {
            Err(bad) => Item::Invalid(bad),
            Ok(t) if shard.is_some_and(|s| !s.owns(&t)) => {
                skipped.lock().unwrap_or_else(|e| e.into_inner()).1 += 1;
                continue;
            }
            Ok(t) if done.contains(&t.input) => {
                skipped.lock().unwrap_or_else(|e| e.into_inner()).0 += 1;
                continue;
            }
            Ok(t) => Item::Target(i, t),
        };
        if tx.blocking_send(item).is_err() {
            break; // the run stopped (interrupted)
        }
    }
    Ok(())
}

/// How many targets a file holds for this run (for the progress bar's ETA): one quick pass.
fn count(
    args: &[Target],
    file: &Option<TargetFile>,
    shard: Option<Shard>,
    done: &HashSet<String>,
) -> Option<u64> {
    let keep = |t: &Target| shard.is_none_or(|s| s.owns(t)) && !done.contains(&t.input);
    let mut n = args.iter().filter(|t| keep(t)).count() as u64;
    match file {
        None => {}
        Some(TargetFile::Stdin) => return None,
        Some(TargetFile::Path(p)) => {
            let f = std::fs::File::open(p).ok()?;
            n += LineSource::new(std::io::BufReader::new(f))
                .filter_map(Result::ok)
                .filter(|t| keep(t))
                .count() as u64;
        }
    }
    Some(n)
}

fn progress_bar(total: Option<u64>) -> indicatif::ProgressBar {
    let pb = match total {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    pb.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(4));
    let tpl = match total {
        Some(_) => "{spinner} {pos}/{len} targets  {msg}  [{elapsed_precise}, ETA {eta}]",
        None => "{spinner} {pos} targets  {msg}  [{elapsed_precise}]",
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(tpl) {
        pb.set_style(style);
    }
    pb.enable_steady_tick(Duration::from_millis(250));
    pb
}

/// Resolves on SIGINT or SIGTERM.
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the batch. Errors are usage errors (unreadable files), reported before anything runs.
pub async fn run(
    args: Vec<Target>,
    file: Option<TargetFile>,
    cfg: &ScanConfig,
    opts: &BatchOptions,
) -> Result<Outcome, String> {
    let started = Instant::now();
    if let Some(TargetFile::Path(p)) = &file {
        std::fs::metadata(p).map_err(|e| format!("--targets {}: {e}", p.display()))?;
    }
    let done = match (&opts.ndjson, opts.resume) {
        (Some(p), true) => load_done(p)?,
        _ => HashSet::new(),
    };
    let mut out = match &opts.ndjson {
        None => None,
        Some(p) => Some(NdjsonWriter::open(p, opts.resume)?),
    };
    let pb = opts
        .progress
        .then(|| progress_bar(count(&args, &file, opts.shard, &done)));

    let done = Arc::new(done);
    let skipped = Arc::new(Mutex::new((0u64, 0u64)));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Item>(256);
    let producer = {
        let (done, skipped, shard) = (done.clone(), skipped.clone(), opts.shard);
        tokio::task::spawn_blocking(move || produce(args, file, shard, done, skipped, tx))
    };

    let invalid = Arc::new(Mutex::new((Vec::new(), 0u64)));
    let targets = {
        let (invalid, pb) = (invalid.clone(), pb.clone());
        futures::stream::poll_fn(move |cx| loop {
            match rx.poll_recv(cx) {
                std::task::Poll::Ready(Some(Item::Target(i, t))) => {
                    return std::task::Poll::Ready(Some((i, t)))
                }
                std::task::Poll::Ready(Some(Item::Invalid(bad))) => {
                    let msg = format!("tlsgrade: skipping target {bad}");
                    match &pb {
                        Some(pb) => pb.suspend(|| eprintln!("{msg}")),
                        None => eprintln!("{msg}"),
                    }
                    let mut inv = invalid.lock().unwrap_or_else(|e| e.into_inner());
                    inv.1 += 1;
                    if inv.0.len() < 10_000 {
                        inv.0.push(bad);
                    }
                }
                std::task::Poll::Ready(None) => return std::task::Poll::Ready(None),
                std::task::Poll::Pending => return std::task::Poll::Pending,
            }
        })
    };

    let mut summary = Summary {
        fail_expiring: opts.fail_expiring,
        ..Summary::default()
    };
    let mut reports: Vec<(usize, TargetReport)> = Vec::new();
    let mut write_error: Option<String> = None;
    let interrupted = {
        let sink = |i: usize, r: TargetReport| {
            summary.add(&r);
            if let (Some(o), None) = (out.as_mut(), &write_error) {
                if let Err(e) = o.write(&r) {
                    write_error = Some(format!("--ndjson: {e}"));
                }
            }
            if let Some(pb) = &pb {
                pb.inc(1);
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                pb.set_message(format!(
                    "{} endpoints, {:.1}/s",
                    summary.endpoints,
                    summary.endpoints as f64 / secs
                ));
            }
            if opts.keep_reports {
                reports.push((i, r));
            }
        };
        let scan = scan_stream(targets, cfg, sink);
        tokio::select! {
            r = scan => { r?; false }
            _ = stop_signal() => true,
        }
    };
    if let Some(pb) = &pb {
        pb.finish_and_clear();
    }
    if let Some(e) = write_error {
        return Err(e);
    }
    if !interrupted {
        producer
            .await
            .map_err(|e| format!("reading targets: {e}"))??;
    }
    let (resumed, other_shards) = *skipped.lock().unwrap_or_else(|e| e.into_inner());
    let (invalid, n_invalid) =
        std::mem::take(&mut *invalid.lock().unwrap_or_else(|e| e.into_inner()));
    summary.resumed = resumed;
    summary.other_shards = other_shards;
    summary.invalid = n_invalid;
    summary.elapsed = started.elapsed();
    reports.sort_by_key(|(i, _)| *i);
    let mut reports: Vec<TargetReport> = reports.into_iter().map(|(_, r)| r).collect();
    // Certificates of one host on several ports given as separate targets can only be
    // compared with the whole run (streamed NDJSON lines already went out without this).
    crate::consistency::apply(&mut reports);
    Ok(Outcome {
        reports,
        invalid,
        summary,
        interrupted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::parse_target;

    #[test]
    fn shards_are_disjoint_and_cover_the_list() {
        let targets: Vec<Target> = (0..1000)
            .map(|i| parse_target(&format!("d{i}.example")).unwrap())
            .collect();
        let n = 4;
        let mut seen = vec![0u32; targets.len()];
        for index in 0..n {
            let s = Shard { index, count: n };
            for (i, t) in targets.iter().enumerate() {
                if s.owns(t) {
                    seen[i] += 1;
                }
            }
        }
        assert!(seen.iter().all(|&c| c == 1));
        // Roughly even: no shard gets less than a fifth.
        for index in 0..n {
            let k = targets
                .iter()
                .filter(|t| Shard { index, count: n }.owns(t))
                .count();
            assert!(k > 200, "shard {index} has {k}");
        }
    }

    #[test]
    fn shard_hash_is_stable() {
        // Pinned so that a change of hash (which would reshuffle every user's shards) is noticed.
        assert_eq!(shard_hash("example.com"), shard_hash(" EXAMPLE.com "));
        assert_eq!(shard_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(shard_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn shard_option_is_validated() {
        assert_eq!(Shard::parse("1/4").unwrap(), Shard { index: 1, count: 4 });
        for bad in ["4/4", "1", "a/b", "0/0", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resume_drops_a_cut_last_line_and_reads_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.ndjson");
        std::fs::write(
            &p,
            "{\"input\":\"a.example\"}\n{\"input\":\"b.example\"}\n{\"input\":\"c.ex",
        )
        .unwrap();
        let done = load_done(&p).unwrap();
        assert_eq!(done.len(), 2);
        assert!(done.contains("a.example") && done.contains("b.example"));
        assert!(std::fs::read_to_string(&p)
            .unwrap()
            .ends_with("b.example\"}\n"));
    }
}
