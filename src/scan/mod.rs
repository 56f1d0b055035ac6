//! The scheduler: targets → endpoints → reports, the only place that knows about concurrency.
//! It holds the semaphores (endpoints in flight, connections per address), the endpoint cache
//! that scans an MX host shared by many domains once, and the streaming of finished targets.
//! What happens inside a target and an endpoint is in `domain` and `endpoint`; where to
//! connect is in [`plan`]. A failure anywhere is data in the report, never the end of a batch.
//!
//! A run ([`scan_all`], [`scan_stream`]) shares one endpoint cache and one set of CRL/OCSP
//! answers; a long-lived [`Scheduler`] (the exporter's) shares only its limits across the scans
//! it runs, so every scan's result is fresh.

mod domain;
mod endpoint;
pub mod plan;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use tokio::sync::Semaphore;

pub use crate::config::ScanConfig;
use crate::dns::Dns;
use crate::report::{EndpointReport, TargetReport};
use crate::target::{Host, Target, TargetKind, Transport};
use plan::EndpointPlan;

/// Scans every target, `concurrency` endpoints at a time; results come back in input order.
pub async fn scan_all(targets: Vec<Target>, cfg: &ScanConfig) -> Result<Vec<TargetReport>, String> {
    let mut out: Vec<(usize, TargetReport)> = Vec::with_capacity(targets.len());
    scan_stream(
        stream::iter(targets.into_iter().enumerate()),
        cfg,
        |i, r| out.push((i, r)),
    )
    .await?;
    out.sort_by_key(|(i, _)| *i);
    let mut reports: Vec<TargetReport> = out.into_iter().map(|(_, r)| r).collect();
    // The ports of one host given as separate targets can only be compared now.
    crate::consistency::apply(&mut reports);
    Ok(reports)
}

/// Scans targets as they come from `targets` (each with its index in the input) and hands every
/// report to `sink` as soon as its target finishes, in completion order. At most `concurrency`
/// targets and `concurrency` endpoints are in flight, so memory does not grow with the input.
pub async fn scan_stream<S, F>(targets: S, cfg: &ScanConfig, mut sink: F) -> Result<(), String>
where
    S: futures::Stream<Item = (usize, Target)>,
    F: FnMut(usize, TargetReport),
{
    let limits = Limits::new(cfg)?;
    let ctx = &limits.run(cfg);
    targets
        .map(|(i, t)| async move { (i, ctx.scan_target(t).await) })
        .buffer_unordered(cfg.concurrency.clamp(1, 4096))
        .for_each(|(i, mut r)| {
            // Peers within a target (addresses of a host, MX hosts) are compared before the
            // report leaves; comparisons across targets need the whole run (scan_all, batch).
            crate::consistency::apply(std::slice::from_mut(&mut r));
            sink(i, r);
            futures::future::ready(())
        })
        .await;
    Ok(())
}

/// Endpoints scanned in this run, so that an MX host shared by many domains is scanned once and
/// its result reused. Bounded: the oldest entries go first (real batches share a few big MX
/// hosts, which stay because every domain that uses them refreshes them).
#[derive(Default)]
struct EndpointCache {
    map: std::collections::HashMap<EndpointKey, (u64, Arc<tokio::sync::OnceCell<EndpointReport>>)>,
    order: std::collections::VecDeque<(u64, EndpointKey)>,
    tick: u64,
}

type EndpointKey = (Host, SocketAddr, u16, Transport);

/// Entries kept in the endpoint cache.
const ENDPOINT_CACHE: usize = 4096;

impl EndpointCache {
    fn cell(&mut self, key: EndpointKey) -> Arc<tokio::sync::OnceCell<EndpointReport>> {
        self.tick += 1;
        let tick = self.tick;
        let cell = match self.map.get_mut(&key) {
            Some((t, cell)) => {
                *t = tick;
                cell.clone()
            }
            None => {
                let cell = Arc::new(tokio::sync::OnceCell::new());
                self.map.insert(key.clone(), (tick, cell.clone()));
                cell
            }
        };
        self.order.push_back((tick, key));
        while self.map.len() > ENDPOINT_CACHE || self.order.len() > 4 * ENDPOINT_CACHE {
            let Some((t, k)) = self.order.pop_front() else {
                break;
            };
            // Only the newest mention of a key may evict it.
            if self.map.get(&k).is_some_and(|(latest, _)| *latest == t) {
                self.map.remove(&k);
            }
        }
        cell
    }
}

/// A scheduler that outlives one run: each [`scan`](Scheduler::scan) is a run of its own (its
/// own endpoint cache and CRL/OCSP answers), while the `--concurrency` and `--per-ip` limits hold
/// across all the scans in flight.
pub struct Scheduler {
    cfg: ScanConfig,
    limits: Limits,
}

impl Scheduler {
    pub fn new(cfg: ScanConfig) -> Result<Scheduler, String> {
        let limits = Limits::new(&cfg)?;
        Ok(Scheduler { cfg, limits })
    }

    /// Scans one target, its peers compared as in a run.
    pub async fn scan(&self, target: Target) -> TargetReport {
        let mut r = self.limits.run(&self.cfg).scan_target(target).await;
        crate::consistency::apply(std::slice::from_mut(&mut r));
        r
    }
}

/// What every scan of a scheduler shares: the resolvers and the connection limits.
struct Limits {
    dns: Dns,
    /// Validating resolver for DANE (DNSSEC checked here, never taken from an AD bit).
    dnssec: Dns,
    sem: Arc<Semaphore>,
    /// One semaphore per IP address: every connection to that address holds a permit.
    per_ip: Arc<std::sync::Mutex<std::collections::HashMap<IpAddr, Arc<Semaphore>>>>,
}

impl Limits {
    fn new(cfg: &ScanConfig) -> Result<Limits, String> {
        let anchors = cfg.trust_anchors.clone().unwrap_or_default();
        Ok(Limits {
            dns: Dns::new(cfg.resolver, cfg.timeout)?,
            dnssec: Dns::validating(cfg.resolver, cfg.timeout, anchors)?,
            sem: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
            per_ip: Default::default(),
        })
    }

    /// The state of one run under these limits.
    fn run<'a>(&self, cfg: &'a ScanConfig) -> Ctx<'a> {
        Ctx {
            cfg,
            revocation: crate::revocation::fetch::Fetcher::new(cfg, self.dns.clone()),
            dns: self.dns.clone(),
            dnssec: self.dnssec.clone(),
            sem: self.sem.clone(),
            per_ip: self.per_ip.clone(),
            endpoints: Default::default(),
        }
    }
}

/// One run's state.
struct Ctx<'a> {
    cfg: &'a ScanConfig,
    dns: Dns,
    sem: Arc<Semaphore>,
    per_ip: Arc<std::sync::Mutex<std::collections::HashMap<IpAddr, Arc<Semaphore>>>>,
    endpoints: std::sync::Mutex<EndpointCache>,
    dnssec: Dns,
    /// CRL and OCSP answers, each fetched once per run.
    revocation: crate::revocation::fetch::Fetcher,
}

impl Ctx<'_> {
    async fn scan_target(&self, t: Target) -> TargetReport {
        match &t.kind {
            TargetKind::MailDomain(d) => self.scan_domain(&t, d).await,
            TargetKind::Endpoint {
                host,
                port,
                transport,
            } => self.scan_service(&t, host, *port, *transport).await,
        }
    }

    /// The connection limiter of one IP address (`--per-ip`).
    fn ip_limit(&self, ip: IpAddr) -> Arc<Semaphore> {
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(ip)
            .or_insert_with(|| Arc::new(Semaphore::new(self.cfg.per_ip.max(1))))
            .clone()
    }

    async fn scan_endpoints(&self, plans: Vec<EndpointPlan>) -> Vec<EndpointReport> {
        futures::future::join_all(plans.into_iter().map(|p| async move {
            let key = (p.host.clone(), p.dial, p.port, p.transport);
            let cell = self
                .endpoints
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .cell(key);
            // The first target to need this endpoint scans it; others wait for that result.
            cell.get_or_init(|| async {
                let _permit = self.sem.clone().acquire_owned().await;
                let ip = p.dial.ip();
                let fetcher = self.cfg.revocation.then_some(&self.revocation);
                let r = endpoint::scan(self.cfg, self.ip_limit(ip), fetcher, p).await;
                self.release_ip(ip);
                r
            })
            .await
            .clone()
        }))
        .await
    }

    /// Forgets an address's limiter once nobody uses it, so the map does not grow with the run.
    fn release_ip(&self, ip: IpAddr) {
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        if map.get(&ip).is_some_and(|s| Arc::strong_count(s) == 1) {
            map.remove(&ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ScanConfig {
        let mut c = ScanConfig::new(crate::inspect::TrustStore::new(&[]).unwrap());
        c.resolver = Some("127.0.0.1:53".parse().unwrap());
        c.per_ip = 2;
        c
    }

    /// The exporter's promise: scans of one scheduler share each address's connection limit
    /// and the endpoint limit.
    #[tokio::test]
    async fn a_schedulers_scans_share_the_per_ip_and_endpoint_limits() {
        let cfg = config();
        let limits = Limits::new(&cfg).unwrap();
        let (one, two) = (limits.run(&cfg), limits.run(&cfg));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let held = one.ip_limit(ip);
        assert!(Arc::ptr_eq(&held, &two.ip_limit(ip)));
        let _permits = held.clone().acquire_many_owned(2).await.unwrap();
        assert_eq!(
            two.ip_limit(ip).available_permits(),
            0,
            "the other scan waits"
        );
        assert!(Arc::ptr_eq(&one.sem, &two.sem));

        // Another run (a batch, or another scheduler) has limits of its own.
        let other = Limits::new(&cfg).unwrap();
        assert_eq!(other.run(&cfg).ip_limit(ip).available_permits(), 2);
    }
}
