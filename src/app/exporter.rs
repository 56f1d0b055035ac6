//! The `exporter` command: an HTTP server in blackbox_exporter's manner. `/probe?target=T` scans
//! T and answers with its metrics ([`crate::report::metrics`]); `/metrics` answers with the
//! exporter's own ([`EXPORTER_METRICS`]).
//!
//! Polite by construction: every scan goes through one long-lived [`Scheduler`], so `--per-ip`
//! and `--concurrency` hold across all scrapes; at most `--max-scans` scans run at once; a target
//! is scanned at most once per `--min-interval`, scrapes in between get the cached answer and
//! concurrent scrapes of one target share one scan. A scan runs to its end even when the scrape
//! that started it gives up, so a slow target is answered from the cache at the next scrape.

use std::collections::HashMap;
use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::future::{BoxFuture, FutureExt, Shared};
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::cli::ExporterArgs;
use crate::report::escape::for_terminal as esc;
use crate::report::{metrics, GradeValue};
use crate::scan::Scheduler;
use crate::target::{parse_target, Target};

/// Targets remembered at most. Past it, finished entries older than `--min-interval` are
/// forgotten, and if that is not enough, scrapes of new targets get 503 until some expire.
const MAX_TARGETS: usize = 10_000;

/// HTTP connections served at once; more are closed on arrival.
const MAX_CONNECTIONS: usize = 256;

/// Time a client has to send its request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The exporter's own metrics (`/metrics`), as they are written: name, help. docs/exporter.md
/// lists the same.
pub const EXPORTER_METRICS: &[(&str, &str)] = &[
    (
        "tlsgrade_exporter_probe_requests_total",
        "Scrapes of /probe with a valid target",
    ),
    (
        "tlsgrade_exporter_bad_requests_total",
        "Requests refused: no or an invalid target, unknown path, too many targets",
    ),
    (
        "tlsgrade_exporter_cache_hits_total",
        "Scrapes answered without starting a scan (cached or joining one in flight)",
    ),
    ("tlsgrade_exporter_scans_total", "Scans started"),
    (
        "tlsgrade_exporter_scan_failures_total",
        "Scans that could not grade their target",
    ),
    ("tlsgrade_exporter_scans_in_flight", "Scans running now"),
    (
        "tlsgrade_exporter_scan_duration_seconds",
        "How long scans took",
    ),
];

/// A finished scan's answer.
struct Probed {
    body: Result<String, String>,
    finished: Instant,
}

/// A scan's answer, for every scrape that waits on it.
type Pending = Shared<BoxFuture<'static, Arc<Probed>>>;

struct Stats {
    registry: Registry,
    probe_requests: Counter,
    bad_requests: Counter,
    cache_hits: Counter,
    scans: Counter,
    scan_failures: Counter,
    in_flight: Gauge,
    duration: Histogram,
}

impl Stats {
    fn new() -> Stats {
        let mut s = Stats {
            registry: Registry::default(),
            probe_requests: Counter::default(),
            bad_requests: Counter::default(),
            cache_hits: Counter::default(),
            scans: Counter::default(),
            scan_failures: Counter::default(),
            in_flight: Gauge::default(),
            duration: Histogram::new(exponential_buckets(0.25, 2.0, 10)),
        };
        let help = |name: &str| metrics::help_of(EXPORTER_METRICS, name);
        // prometheus-client appends `_total` to counters itself.
        macro_rules! reg {
            ($name:literal, $metric:ident) => {
                s.registry.register($name, help($name), s.$metric.clone())
            };
        }
        reg!("tlsgrade_exporter_probe_requests", probe_requests);
        reg!("tlsgrade_exporter_bad_requests", bad_requests);
        reg!("tlsgrade_exporter_cache_hits", cache_hits);
        reg!("tlsgrade_exporter_scans", scans);
        reg!("tlsgrade_exporter_scan_failures", scan_failures);
        reg!("tlsgrade_exporter_scans_in_flight", in_flight);
        reg!("tlsgrade_exporter_scan_duration_seconds", duration);
        s
    }

    fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

struct Exporter {
    scheduler: Scheduler,
    min_interval: Duration,
    scans: Semaphore,
    cache: Mutex<HashMap<String, Pending>>,
    stats: Stats,
}

pub async fn run(args: ExporterArgs) -> ExitCode {
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tlsgrade exporter: {e}");
            ExitCode::from(2)
        }
    }
}

async fn serve(args: ExporterArgs) -> Result<(), String> {
    let mut config = args.options.config()?;
    let min_interval = args.min_interval()?;
    super::scan::load_trust_anchors(&mut config, &args.options.trust_anchor).await?;
    let demo = if args.demo {
        Some(super::scan::start_demo(&mut config).await?)
    } else {
        None
    };
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let exporter = Arc::new(Exporter {
        scheduler: Scheduler::new(config)?,
        min_interval,
        scans: Semaphore::new(args.max_scans as usize),
        cache: Mutex::new(HashMap::new()),
        stats: Stats::new(),
    });
    eprintln!(
        "tlsgrade exporter: listening on http://{addr}/ (GET /probe?target=TARGET, GET /metrics); \
         each target scanned at most once per {} s",
        min_interval.as_secs_f64()
    );
    if let Some(d) = &demo {
        let names: Vec<&str> = d.targets.iter().map(|t| t.input.as_str()).collect();
        eprintln!(
            "tlsgrade exporter: demo targets: {}\n  e.g. curl 'http://{addr}/probe?target={}'",
            names.join(", "),
            names.first().copied().unwrap_or("")
        );
    }
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let stop = crate::batch::stop_signal();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => return Ok(()),
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors or a connection reset before accept: not fatal.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            continue;
        };
        let exporter = exporter.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let exporter = exporter.clone();
                async move { Ok::<_, Infallible>(exporter.handle(req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

const PLAIN: &str = "text/plain; charset=utf-8";

const INDEX: &str = "tlsgrade exporter\n\n\
GET /probe?target=TARGET   scan TARGET (a mail domain, host:port or URL-like target) and answer\n\
                           in the Prometheus text format; cached per --min-interval\n\
GET /metrics               the exporter's own metrics\n";

impl Exporter {
    async fn handle(self: Arc<Self>, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            self.stats.bad_requests.inc();
            return text(StatusCode::METHOD_NOT_ALLOWED, PLAIN, "GET only\n".into());
        }
        match req.uri().path() {
            "/probe" => self.probe(req.uri().query().unwrap_or("")).await,
            "/metrics" => text(StatusCode::OK, metrics::CONTENT_TYPE, self.stats.render()),
            "/" => text(StatusCode::OK, PLAIN, INDEX.into()),
            _ => {
                self.stats.bad_requests.inc();
                text(StatusCode::NOT_FOUND, PLAIN, INDEX.into())
            }
        }
    }

    async fn probe(self: Arc<Self>, query: &str) -> Response<Full<Bytes>> {
        let bad = |why: String| {
            self.stats.bad_requests.inc();
            text(StatusCode::BAD_REQUEST, PLAIN, format!("{}\n", esc(&why)))
        };
        let Some(raw) = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "target")
            .map(|(_, v)| v.into_owned())
        else {
            return bad("missing ?target= (a mail domain, host:port or URL-like target)".into());
        };
        let target = match parse_target(&raw) {
            Ok(t) => t,
            Err(reason) => return bad(format!("target {raw:?}: {reason}")),
        };
        let Some(pending) = self.clone().pending(target) else {
            self.stats.bad_requests.inc();
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                PLAIN,
                format!("more than {MAX_TARGETS} targets in the cache; try again later\n"),
            );
        };
        self.stats.probe_requests.inc();
        match &pending.await.body {
            Ok(body) => text(StatusCode::OK, metrics::CONTENT_TYPE, body.clone()),
            Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, PLAIN, format!("{e}\n")),
        }
    }

    /// The scan that answers `target`: a recent or running one, else a new one. `None` when
    /// the cache is full of targets that are still fresh.
    fn pending(self: Arc<Self>, target: Target) -> Option<Pending> {
        let key = target.input.to_ascii_lowercase();
        let fresh = |p: &Pending| {
            p.peek()
                .is_none_or(|done| done.finished.elapsed() < self.min_interval)
        };
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = cache.get(&key).filter(|p| fresh(p)) {
            self.stats.cache_hits.inc();
            return Some(p.clone());
        }
        if cache.len() >= MAX_TARGETS {
            cache.retain(|_, p| fresh(p));
            if cache.len() >= MAX_TARGETS {
                return None;
            }
        }
        let scan = tokio::spawn(self.clone().scan(target));
        let pending = async move {
            scan.await.unwrap_or_else(|e| {
                Arc::new(Probed {
                    body: Err(format!("the scan failed: {e}")),
                    finished: Instant::now(),
                })
            })
        }
        .boxed()
        .shared();
        cache.insert(key, pending.clone());
        Some(pending)
    }

    async fn scan(self: Arc<Self>, target: Target) -> Arc<Probed> {
        // The semaphore is never closed, so the permit always comes.
        let _slot = self.scans.acquire().await;
        self.stats.scans.inc();
        self.stats.in_flight.inc();
        let started = Instant::now();
        let report = self.scheduler.scan(target).await;
        let took = started.elapsed();
        self.stats.in_flight.dec();
        self.stats.duration.observe(took.as_secs_f64());
        if !matches!(report.grade, Some(GradeValue::Letter(_))) {
            self.stats.scan_failures.inc();
        }
        Arc::new(Probed {
            body: Ok(metrics::probe(&report, took)),
            finished: Instant::now(),
        })
    }
}
