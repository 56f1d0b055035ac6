//! The scan: targets → endpoints → probes → reports → grades. The only module that knows about
//! concurrency. A failure anywhere is data in the report, never the end of the batch.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use rustls_pki_types::{ServerName, UnixTime};
use tokio::sync::Semaphore;

use crate::dns::{Dns, DnsError};
use crate::grade::rubric::CheckId;
use crate::grade::{self, Score};
use crate::inspect::{self, TrustStore};
use crate::net::starttls::{self, Dialogue, DialogueTimeouts};
use crate::net::{self, connect_to, ConnectTo};
use crate::policy::dane_check;
use crate::policy::{fetch, mta_sts_check};
use crate::probe::tls;
use crate::probe::versions::{self, ProbeTarget, VersionOutcome};
use crate::report::*;
use crate::target::{Host, Target, TargetKind, Transport};

/// Everything a scan needs, validated (built by `cli`, or by the lab and tests directly).
#[derive(Clone)]
pub struct ScanConfig {
    /// DNS server (`--resolver`); `None` = system configuration.
    pub resolver: Option<SocketAddr>,
    pub connect_to: Vec<ConnectTo>,
    pub trust: TrustStore,
    /// Per connection step (connect, each command, handshake).
    pub timeout: Duration,
    /// Waiting for a greeting (tarpits delay banners).
    pub greeting_timeout: Duration,
    pub ehlo_name: String,
    pub ipv4: bool,
    pub ipv6: bool,
    /// Treat loopback/private MX addresses as routable (internal relays, labs, tests).
    pub allow_private: bool,
    /// Endpoints scanned at once.
    pub concurrency: usize,
    /// Connections to one IP address at a time (mail servers rate-limit and block noisy clients).
    pub per_ip: usize,
    /// Days before expiry at which `cert.expiring` warns.
    pub warn_days: i64,
    /// DNSSEC trust anchors for DANE (`--trust-anchor`); `None` = the IANA root keys.
    pub trust_anchors: Option<Arc<hickory_proto::dnssec::TrustAnchors>>,
    /// `--ciphers`: enumerate every accepted suite per version (tens of connections more).
    pub full_ciphers: bool,
    /// The default weak-class, key-exchange and flaw probes (off with `--versions-only`).
    pub cipher_probes: bool,
}

impl ScanConfig {
    /// Defaults for library users and tests: system resolver, webpki roots, 10 s steps.
    pub fn new(trust: TrustStore) -> ScanConfig {
        ScanConfig {
            resolver: None,
            connect_to: Vec::new(),
            trust,
            timeout: Duration::from_secs(10),
            greeting_timeout: Duration::from_secs(20),
            ehlo_name: default_ehlo_name(),
            ipv4: true,
            ipv6: true,
            allow_private: false,
            concurrency: 64,
            per_ip: 3,
            warn_days: 30,
            trust_anchors: None,
            full_ciphers: false,
            cipher_probes: true,
        }
    }
}

/// The EHLO name when `--ehlo` is not given: the machine's host name if it is a dotted FQDN,
/// otherwise a placeholder FQDN. Never `localhost` (spec-digest §2.3).
pub fn default_ehlo_name() -> String {
    let h = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let h = h.trim().to_ascii_lowercase();
    if h.contains('.') && !h.starts_with("localhost") && crate::target::parse_dns_name(&h).is_ok() {
        h
    } else {
        "tlsgrade.invalid".into()
    }
}

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
    let dns = Dns::new(cfg.resolver, cfg.timeout)?;
    let anchors = cfg.trust_anchors.clone().unwrap_or_default();
    let dnssec = Dns::validating(cfg.resolver, cfg.timeout, anchors)?;
    let ctx = Ctx {
        cfg,
        dns,
        dnssec,
        sem: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
        per_ip: Default::default(),
        endpoints: Default::default(),
    };
    let ctx = &ctx;
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

struct Ctx<'a> {
    cfg: &'a ScanConfig,
    dns: Dns,
    sem: Arc<Semaphore>,
    /// One semaphore per IP address: every connection to that address holds a permit.
    per_ip: std::sync::Mutex<std::collections::HashMap<IpAddr, Arc<Semaphore>>>,
    endpoints: std::sync::Mutex<EndpointCache>,
    /// Validating resolver for DANE (DNSSEC checked here, never taken from an AD bit).
    dnssec: Dns,
}

/// One address to scan, with the name it stands for.
#[derive(Clone, Debug)]
struct EndpointPlan {
    host: Host,
    port: u16,
    transport: Transport,
    dial: SocketAddr,
    rerouted: bool,
}

/// Addresses no mail sender on the internet can reach (spec-digest §1.6).
fn unroutable(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            a.is_loopback()
                || a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
        }
        IpAddr::V6(a) => {
            a.is_loopback()
                || a.is_unspecified()
                || (a.segments()[0] & 0xfe00) == 0xfc00
                || (a.segments()[0] & 0xffc0) == 0xfe80
        }
    }
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

    fn family_ok(&self, ip: &IpAddr) -> bool {
        match ip {
            IpAddr::V4(_) => self.cfg.ipv4,
            IpAddr::V6(_) => self.cfg.ipv6,
        }
    }

    /// Where to connect for `host:port`: `--connect-to` first, then DNS. Returns the plans and
    /// the DNS addresses (for the MX table), or the DNS failure.
    async fn plan(
        &self,
        host: &Host,
        port: u16,
        transport: Transport,
    ) -> Result<(Vec<EndpointPlan>, Vec<IpAddr>, Vec<String>), DnsError> {
        let routed = connect_to::route(&self.cfg.connect_to, host, port);
        let (dial_host, dial_port, rerouted) = match &routed {
            Some((h, p)) => (h.clone(), *p, true),
            None => (host.clone(), port, false),
        };
        let (addrs, cnames, dns_addrs) = match &dial_host {
            Host::Ip(ip) => (vec![*ip], vec![], vec![]),
            Host::Name(n) => {
                let a = self.dns.addresses(n, self.cfg.ipv4, self.cfg.ipv6).await?;
                let shown = if dial_host == *host {
                    a.addrs.clone()
                } else {
                    vec![]
                };
                (a.addrs, a.cnames, shown)
            }
        };
        let plans = addrs
            .into_iter()
            .filter(|ip| self.family_ok(ip))
            .map(|ip| EndpointPlan {
                host: host.clone(),
                port,
                transport,
                dial: SocketAddr::new(ip, dial_port),
                rerouted,
            })
            .collect();
        Ok((plans, dns_addrs, cnames))
    }

    async fn scan_service(
        &self,
        t: &Target,
        host: &Host,
        port: u16,
        transport: Transport,
    ) -> TargetReport {
        let mut rep = TargetReport::new(&t.input, "endpoint");
        match self.plan(host, port, transport).await {
            Err(e) => {
                let info = e.to_error_info(&format!("address of {host}"));
                rep.checks.push(Check::new(
                    CheckId::DnsAddress,
                    Status::Error,
                    info.message.clone(),
                ));
                rep.error = Some(info);
            }
            Ok((plans, _, _)) if plans.is_empty() => {
                let info = ErrorInfo::new(
                    ErrorKind::NoAddress,
                    format!("{host} has no address{}", self.family_note()),
                );
                rep.checks.push(Check::new(
                    CheckId::DnsAddress,
                    Status::Error,
                    info.message.clone(),
                ));
                rep.error = Some(info);
            }
            Ok((plans, _, _)) => {
                // DANE for a service: TLSA at _<port>._tcp.<host> (RFC 7672 §2.2, RFC 6698 §3).
                let facts = async {
                    match host {
                        Host::Name(n) => Some(dane_check::gather_host(&self.dnssec, n, port).await),
                        Host::Ip(_) => None,
                    }
                };
                let (endpoints, facts) = tokio::join!(self.scan_endpoints(plans), facts);
                rep.endpoints = endpoints;
                if let Some(f) = facts {
                    let now = UnixTime::now();
                    for ep in rep.endpoints.iter_mut() {
                        let names = vec![ep.host.clone()];
                        let valid = dane_check::evaluate_endpoint(ep, &f, port, &names, false, now);
                        ep.grade = Some(endpoint_grade(ep, valid));
                        grade::sort_checks(&mut ep.checks);
                    }
                }
            }
        }
        let grades: Vec<GradeValue> = rep.endpoints.iter().filter_map(|e| e.grade).collect();
        rep.grade = if rep.error.is_some() {
            None
        } else {
            Some(grade::domain_grade(&grades, &rep.checks, true))
        };
        rep
    }

    fn family_note(&self) -> &'static str {
        match (self.cfg.ipv4, self.cfg.ipv6) {
            (true, false) => " (IPv4 only: -4)",
            (false, true) => " (IPv6 only: -6)",
            _ => "",
        }
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
                let r = self.scan_endpoint(p).await;
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

    /// A mail domain: MX and endpoints, and at the same time its MTA-STS and TLS-RPT records
    /// and policy, so the policy fetch adds no round trips of its own.
    async fn scan_domain(&self, t: &Target, domain: &str) -> TargetReport {
        let ((mut rep, complete), gathered, dane_facts) = tokio::join!(
            self.scan_mx(t, domain),
            fetch::gather(domain, self.cfg, &self.dns),
            dane_check::gather_domain(&self.dnssec, &self.dns, domain)
        );
        if !complete {
            return rep;
        }
        let (sts_a_plus, sts_unprotected) = self.mail_policies(domain, &gathered, &mut rep);
        // DANE per endpoint: the TLSA base domain is the MX host; with a secure MX RRset the
        // mail domain is a reference name for DANE-TA too (RFC 7672 §3.2.3).
        let mx_secure = matches!(
            dane_facts.mx,
            Some(Ok(hickory_proto::dnssec::Proof::Secure))
        );
        let now = UnixTime::now();
        let mut dane_valid = Vec::with_capacity(rep.endpoints.len());
        for ep in rep.endpoints.iter_mut() {
            let mut names = vec![ep.host.clone()];
            if mx_secure {
                names.push(domain.to_string());
            }
            let valid = match dane_facts.hosts.get(&ep.host) {
                Some(f) => dane_check::evaluate_endpoint(ep, f, 25, &names, mx_secure, now),
                None => false,
            };
            dane_valid.push(valid);
        }
        let (dane_report, dane_checks, dane_protected) =
            dane_check::evaluate_domain(&dane_facts, &rep.endpoints);
        let dane_deployed = rep
            .endpoints
            .iter()
            .any(|e| e.dane.as_ref().is_some_and(|d| !d.tlsa.is_empty()));
        rep.checks.extend(dane_checks);
        rep.dane = Some(dane_report);
        // Either mechanism authenticates an endpoint (spec-digest §5.4, A+).
        for ((ep, sts), dane) in rep.endpoints.iter_mut().zip(sts_a_plus).zip(dane_valid) {
            ep.grade = Some(endpoint_grade(ep, sts || dane));
            grade::sort_checks(&mut ep.checks);
        }
        let sts_protects = sts_unprotected.is_none();
        let dane = if dane_protected {
            mta_sts_check::DaneProtection::Protects
        } else if !mx_secure {
            mta_sts_check::DaneProtection::MxInsecure
        } else if !dane_deployed {
            mta_sts_check::DaneProtection::NoTlsa
        } else {
            mta_sts_check::DaneProtection::Partial
        };
        rep.checks.push(mta_sts_check::downgrade_check(
            sts_unprotected.as_deref(),
            dane,
        ));
        for c in rep.checks.iter_mut() {
            if dane_deployed && c.id == CheckId::TlsRptMissing && c.status == Status::Info {
                c.status = Status::Warn;
                c.detail = format!(
                    "{}, although DANE is deployed: failed secure deliveries go unreported",
                    c.detail
                );
            }
        }
        let rpt_valid = rep.tls_rpt.as_ref().is_some_and(|r| r.record.is_some());
        let domain_a_plus = (sts_protects || dane_protected) && rpt_valid;
        let grades: Vec<GradeValue> = rep.endpoints.iter().filter_map(|e| e.grade).collect();
        rep.grade = Some(grade::domain_grade(&grades, &rep.checks, domain_a_plus));
        grade::sort_checks(&mut rep.checks);
        rep
    }

    /// MX resolution and the endpoints of every MX host. `false` when the domain ended before
    /// any mail host (DNS failure, null MX, no mail service): nothing more to grade.
    async fn scan_mx(&self, t: &Target, domain: &str) -> (TargetReport, bool) {
        let mut rep = TargetReport::new(&t.input, "mail-domain");
        let mx = match self.dns.mx(domain).await {
            Ok(mx) => mx,
            Err(e) => {
                let info = e.to_error_info(&format!("MX of {domain}"));
                let (status, detail) = match e {
                    DnsError::NxDomain => (
                        Status::Fail,
                        format!("domain {domain} does not exist (NXDOMAIN)"),
                    ),
                    _ => (
                        Status::Error,
                        format!("{} (no fallback to the domain's addresses)", info.message),
                    ),
                };
                rep.checks
                    .push(Check::new(CheckId::MxLookup, status, detail));
                rep.error = Some(info);
                return (rep, false);
            }
        };

        // Null MX (RFC 7505): exactly one "MX 0 .".
        let nulls: Vec<_> = mx.iter().filter(|m| m.exchange == ".").collect();
        if mx.len() == 1 && nulls.len() == 1 && mx[0].preference == 0 {
            rep.checks.push(Check::new(
                CheckId::MxNull,
                Status::Info,
                "null MX (RFC 7505): the domain accepts no mail",
            ));
            rep.mx.push(MxReport {
                preference: 0,
                host: ".".into(),
                addresses: vec![],
                error: None,
            });
            return (rep, false);
        }
        if !nulls.is_empty() {
            rep.checks.push(Check::new(
                CheckId::MxNullMalformed,
                Status::Warn,
                "malformed null MX: '.' with a non-zero preference or next to other MX records (RFC 7505 §3); ignored",
            ));
        }
        let mut hosts: Vec<(u16, String)> = mx
            .iter()
            .filter(|m| m.exchange != ".")
            .map(|m| (m.preference, m.exchange.clone()))
            .collect();
        // The same host at two preferences is tested once, at its best preference.
        let mut seen = std::collections::HashSet::new();
        hosts.retain(|(_, h)| seen.insert(h.clone()));

        if hosts.is_empty() && nulls.is_empty() {
            // NODATA: implicit MX (RFC 5321 §5.1) — the domain's own addresses.
            let (plans, addrs, _) = match self
                .plan(&Host::Name(domain.into()), 25, Transport::SmtpStartTls)
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    let info = e.to_error_info(&format!("address of {domain}"));
                    rep.checks.push(Check::new(
                        CheckId::MxLookup,
                        Status::Error,
                        info.message.clone(),
                    ));
                    rep.error = Some(info);
                    return (rep, false);
                }
            };
            if plans.is_empty() {
                rep.checks.push(Check::new(
                    CheckId::MxNoMailService,
                    Status::Info,
                    "no MX and no address records: the domain has no mail service",
                ));
                return (rep, false);
            }
            rep.checks.push(Check::new(
                CheckId::MxImplicit,
                Status::Warn,
                "no MX record: senders fall back to the domain's own address (implicit MX)",
            ));
            rep.mx.push(MxReport {
                preference: 0,
                host: domain.into(),
                addresses: addrs.iter().map(|a| a.to_string()).collect(),
                error: None,
            });
            rep.endpoints = self.scan_endpoints(plans).await;
        } else {
            let planned = futures::future::join_all(hosts.iter().map(|(pref, h)| async move {
                let r = self.plan_mx_host(h).await;
                (*pref, h.clone(), r)
            }))
            .await;
            let mut all_plans = Vec::new();
            let mut bad_hosts = 0;
            for (pref, h, r) in planned {
                let mut mxr = MxReport {
                    preference: pref,
                    host: h.clone(),
                    addresses: vec![],
                    error: None,
                };
                match r {
                    Err((check, info)) => {
                        bad_hosts += 1;
                        rep.checks.push(check);
                        mxr.error = Some(info);
                    }
                    Ok((plans, addrs, cnames)) => {
                        mxr.addresses = addrs.iter().map(|a| a.to_string()).collect();
                        if !cnames.is_empty() {
                            rep.checks.push(Check::new(
                                CheckId::MxCname,
                                Status::Warn,
                                format!(
                                    "MX host {h} is a CNAME (to {}), which RFC 2181 §10.3 forbids",
                                    cnames.join(" → ")
                                ),
                            ));
                        }
                        let bad: Vec<_> = addrs.iter().filter(|a| unroutable(a)).collect();
                        if !bad.is_empty() && !self.cfg.allow_private {
                            bad_hosts += 1;
                            let msg = format!(
                                "MX host {h} resolves to an address no sender can reach ({}); use --allow-private for internal relays",
                                bad.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
                            );
                            rep.checks.push(Check::new(
                                CheckId::MxUnroutable,
                                Status::Fail,
                                msg.clone(),
                            ));
                            mxr.error = Some(ErrorInfo::new(ErrorKind::NoAddress, msg));
                        } else {
                            all_plans.extend(plans);
                        }
                    }
                }
                rep.mx.push(mxr);
            }
            if bad_hosts > 0 {
                if bad_hosts == rep.mx.len() {
                    rep.checks.push(Check::new(
                        CheckId::MxUsable,
                        Status::Fail,
                        "no MX host is usable: mail to this domain cannot be delivered",
                    ));
                } else {
                    rep.checks.push(Check::new(
                        CheckId::MxUsable,
                        Status::Warn,
                        format!("{bad_hosts} of {} MX hosts are unusable", rep.mx.len()),
                    ));
                }
            }
            rep.endpoints = self.scan_endpoints(all_plans).await;
        }
        (rep, true)
    }

    /// MTA-STS and TLS-RPT (issue 4): applies the decision to the target and its endpoints, and
    /// returns each endpoint's A+ evidence and why MTA-STS leaves the domain open to a
    /// downgrade (`None`: it does not).
    fn mail_policies(
        &self,
        domain: &str,
        gathered: &fetch::Gathered,
        rep: &mut TargetReport,
    ) -> (Vec<bool>, Option<String>) {
        let mx_hosts: Vec<String> = rep.mx.iter().map(|m| m.host.clone()).collect();
        let v = mta_sts_check::evaluate(domain, gathered, &mx_hosts, &rep.endpoints);
        for (ep, checks) in rep.endpoints.iter_mut().zip(v.endpoint_checks) {
            ep.checks.extend(checks);
        }
        rep.checks.extend(v.domain_checks);
        rep.mta_sts = Some(v.mta_sts);
        rep.tls_rpt = Some(v.tls_rpt);
        (v.endpoint_a_plus, v.unprotected)
    }

    /// Plans one MX host, or gives the check and error that explain why it has no endpoint.
    async fn plan_mx_host(
        &self,
        h: &str,
    ) -> Result<(Vec<EndpointPlan>, Vec<IpAddr>, Vec<String>), (Check, ErrorInfo)> {
        let looks_ip = h.starts_with('[')
            || h.parse::<IpAddr>().is_ok()
            || h.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if looks_ip {
            let msg = format!("MX target {h} is an IP address, not a host name (RFC 1035 §3.3.9): senders may refuse it");
            return Err((
                Check::new(CheckId::MxIpLiteral, Status::Fail, msg.clone()),
                ErrorInfo::new(ErrorKind::NoAddress, msg),
            ));
        }
        if h == "localhost" || h.ends_with(".localhost") {
            let msg = format!("MX target {h} is localhost");
            return Err((
                Check::new(CheckId::MxUnroutable, Status::Fail, msg.clone()),
                ErrorInfo::new(ErrorKind::NoAddress, msg),
            ));
        }
        let host = Host::Name(h.into());
        match self.plan(&host, 25, Transport::SmtpStartTls).await {
            Ok((plans, _, _)) if plans.is_empty() => {
                let msg = format!("MX host {h} has no address{}", self.family_note());
                Err((
                    Check::new(CheckId::MxDangling, Status::Warn, msg.clone()),
                    ErrorInfo::new(ErrorKind::NoAddress, msg),
                ))
            }
            Ok(p) => Ok(p),
            Err(e) => {
                let info = e.to_error_info(&format!("address of MX {h}"));
                let check = match e {
                    DnsError::NxDomain => Check::new(
                        CheckId::MxDangling,
                        Status::Warn,
                        format!("MX host {h} does not exist (NXDOMAIN)"),
                    ),
                    _ => Check::new(
                        CheckId::MxAddressLookup,
                        Status::Error,
                        info.message.clone(),
                    ),
                };
                Err((check, info))
            }
        }
    }

    async fn scan_endpoint(&self, p: EndpointPlan) -> EndpointReport {
        let started = Instant::now();
        let mut rep = EndpointReport::new(
            p.host.to_string(),
            Some(p.dial.ip().to_string()),
            p.port,
            p.transport,
        );
        rep.connected_to = p.rerouted.then(|| p.dial.to_string());
        // The full handshake and the five version probes run at once, each on its own
        // connection, all under the address's connection limit.
        let limit = self.ip_limit(p.dial.ip());
        let target = ProbeTarget {
            dial: p.dial,
            transport: p.transport,
            sni: p.host.dns_name().map(str::to_string),
            ehlo_name: self.cfg.ehlo_name.clone(),
            timeouts: DialogueTimeouts {
                greeting: self.cfg.greeting_timeout,
                command: self.cfg.timeout,
            },
        };
        let (reached, outcomes) = {
            let mut main = std::pin::pin!(async {
                let _permit = limit.acquire().await;
                self.probe_endpoint(&p, &mut rep).await
            });
            // The version probes, and beside them the fallback probe the commonest outcome
            // will need (see `versions::SPECULATIVE_FALLBACK`), queued after them.
            // Boxed, as is the cipher stage below: these futures are large (read buffers held
            // across awaits), and the batch keeps one scan future per in-flight target, so
            // inline they would be paid for by every target, even one whose connection is
            // refused (100,000 refused targets: 42–44 MiB peak inline, 33–35 MiB boxed).
            let mut probes = Box::pin(async {
                let speculative = async {
                    let _permit = limit.acquire().await;
                    versions::fallback_scsv(&target, versions::SPECULATIVE_FALLBACK).await
                };
                // The STARTTLS-injection probe needs no version either: it goes in this wave.
                let injection = async {
                    if !self.cfg.cipher_probes || target.transport != Transport::SmtpStartTls {
                        return None;
                    }
                    let _permit = limit.acquire().await;
                    Some(crate::probe::injection::probe(&target).await)
                };
                let (outcomes, speculative, injection) =
                    tokio::join!(versions::probe_all(&target, &limit), speculative, injection);
                (outcomes, speculative, injection)
            });
            let mut outcomes = None;
            let (reached, tls_tried) = loop {
                tokio::select! {
                    // Main first: the permits go first come, first served, and the handshake
                    // must have one of the first (it decides whether the probes are waited for).
                    biased;
                    r = &mut main => break r,
                    o = &mut probes, if outcomes.is_none() => outcomes = Some(o),
                }
            };
            // Nothing listens (refused, unreachable, timed out), or the dialogue before TLS
            // failed (no greeting: a tarpit; a refusal; no STARTTLS): every probe would only
            // repeat that, each waiting out the same timeout, so they are dropped rather than
            // waited for, and the report has no version matrix.
            match (tls_tried, outcomes) {
                (false, _) => (reached, None),
                (true, Some(o)) => (reached, Some(o)),
                (true, None) => (reached, Some(probes.await)),
            }
        };
        if let Some((o, speculative, injection)) = outcomes {
            self.apply_versions(&p, &target, &limit, &o, speculative, reached, &mut rep)
                .await;
            if self.cfg.cipher_probes {
                Box::pin(crate::probe::ciphers::apply(
                    &target,
                    &limit,
                    &o,
                    self.cfg.full_ciphers,
                    injection,
                    &mut rep,
                ))
                .await;
            }
        }
        rep.grade = Some(endpoint_grade(&rep, false));
        grade::sort_checks(&mut rep.checks);
        rep.elapsed_ms = started.elapsed().as_millis() as u64;
        rep
    }

    /// Adds the version matrix, its checks and the fallback probe to the report (`speculative`:
    /// the fallback probe already run at [`versions::SPECULATIVE_FALLBACK`]). When no TLS
    /// 1.2/1.3 handshake was possible but an older version was accepted, the certificates that
    /// version sent in clear text are inspected instead. Returns whether TLS results exist.
    #[allow(clippy::too_many_arguments)]
    async fn apply_versions(
        &self,
        p: &EndpointPlan,
        target: &ProbeTarget,
        limit: &Semaphore,
        outcomes: &[VersionOutcome],
        speculative: (Option<bool>, String),
        reached: bool,
        rep: &mut EndpointReport,
    ) -> bool {
        let negotiated = rep.negotiated.as_ref().map(|n| n.version.clone());
        let a = versions::assess(outcomes, negotiated.as_deref());
        // The full handshake may already have said "no TLS 1.2 or 1.3"; keep one such check.
        let have_modern_missing = rep.checks.iter().any(|c| c.id == CheckId::TlsModernMissing);
        // When the dialogue already failed, "could not tell any version" adds nothing.
        let dialogue_failed = rep.error.is_some() && !reached;
        let redundant = |c: &Check| {
            (have_modern_missing && c.id == CheckId::TlsModernMissing)
                || (dialogue_failed && c.id == CheckId::TlsVersions && c.status == Status::Error)
        };
        rep.checks
            .extend(a.checks.into_iter().filter(|c| !redundant(c)));
        rep.protocols = Some(a.protocols);
        rep.protocol_details = Some(a.details);
        if let Some(below) = a.fallback_below {
            let (result, detail) = if below == versions::SPECULATIVE_FALLBACK {
                speculative
            } else {
                let _permit = limit.acquire().await;
                versions::fallback_scsv(target, below).await
            };
            rep.checks.push(match result {
                Some(true) => Check::new(CheckId::TlsFallbackScsv, Status::Pass, detail),
                Some(false) => Check::new(CheckId::TlsFallbackScsv, Status::Warn, detail),
                None => Check::new(CheckId::TlsFallbackScsv, Status::Error, detail),
            });
        }
        if reached {
            return true;
        }
        let Some(best) = a.legacy_evidence.and_then(|i| outcomes.get(i)) else {
            return false;
        };
        rep.negotiated = Some(Negotiated {
            version: best.probe.target_version().name().into_owned(),
            cipher: best.cipher.clone().unwrap_or_default(),
            group: None,
        });
        let chain: Vec<rustls_pki_types::CertificateDer<'static>> = best
            .certificates
            .iter()
            .map(|c| rustls_pki_types::CertificateDer::from(c.clone()))
            .collect();
        self.add_certificate(&chain, &server_name(p), rep);
        // The endpoint was graded after all: the handshake failure is a check, not the end.
        rep.error = None;
        true
    }

    /// Runs the dialogue and the handshake; returns whether TLS results were obtained and
    /// whether a TLS handshake was tried at all (false when the TCP connection or the dialogue
    /// before TLS failed: no greeting, a refusal, no STARTTLS).
    async fn probe_endpoint(&self, p: &EndpointPlan, rep: &mut EndpointReport) -> (bool, bool) {
        let cfg = self.cfg;
        let t = DialogueTimeouts {
            greeting: cfg.greeting_timeout,
            command: cfg.timeout,
        };
        let (mut dialogue, ready) = net::open_session(p.dial, p.transport, &cfg.ehlo_name, t).await;
        let stream = match ready {
            Ok(s) => s,
            Err(e) => {
                match dialogue.take() {
                    None => rep.checks.push(Check::new(
                        CheckId::TcpConnect,
                        Status::Error,
                        e.message.clone(),
                    )),
                    Some(d) => {
                        rep.checks.extend(d.checks);
                        rep.starttls = Some(d.report);
                        if !rep
                            .checks
                            .iter()
                            .any(|c| c.status == Status::Fail || c.status == Status::Error)
                        {
                            rep.checks.push(Check::new(
                                CheckId::StarttlsDialogue,
                                Status::Error,
                                e.message.clone(),
                            ));
                        }
                    }
                }
                rep.error = Some(e);
                return (false, false);
            }
        };

        let name = server_name(p);
        let result = tls::handshake(stream, name.clone(), cfg.timeout).await;
        let (handshake, tls_stream) = match result {
            Ok((s, h)) => (h, Some(s)),
            Err(f) => {
                if f.no_modern_version {
                    rep.checks.push(Check::new(
                        CheckId::TlsModernMissing,
                        Status::Fail,
                        format!("no TLS 1.2 or 1.3: {}", f.error.message),
                    ));
                } else {
                    let status = if matches!(f.error.kind, ErrorKind::Timeout) {
                        Status::Error
                    } else {
                        Status::Fail
                    };
                    rep.checks.push(Check::new(
                        CheckId::TlsHandshake,
                        status,
                        f.error.message.clone(),
                    ));
                }
                if let Some(d) = dialogue.take() {
                    rep.checks.extend(d.checks);
                    rep.starttls = Some(d.report);
                }
                // A chain seen before the failure is still worth reporting.
                if !f.recorded.chain.is_empty() {
                    self.add_certificate(&f.recorded.chain, &name, rep);
                }
                rep.error = Some(f.error);
                return (false, true);
            }
        };
        let neg = handshake.negotiated.clone();
        rep.ocsp_stapled = Some(!handshake.recorded.ocsp.is_empty());
        match neg.version.as_str() {
            "TLSv1.3" => rep.checks.push(Check::new(
                CheckId::TlsVersion,
                Status::Pass,
                "TLS 1.3 negotiated",
            )),
            v => rep.checks.push(Check::new(
                CheckId::TlsVersion,
                Status::Warn,
                format!("{v} negotiated although TLS 1.3 was offered: the server has no TLS 1.3"),
            )),
        }
        rep.checks.push(Check::new(
            CheckId::TlsCipher,
            Status::Info,
            format!(
                "{} with {}",
                neg.cipher,
                neg.group.clone().unwrap_or_else(|| "no group".into())
            ),
        ));
        if let Some(e) = &handshake.recorded.signature_error {
            rep.checks.push(Check::new(
                CheckId::TlsHandshakeSignature,
                Status::Warn,
                format!("the server's handshake signature does not verify: {e}"),
            ));
        }
        rep.negotiated = Some(neg);
        self.add_certificate(&handshake.recorded.chain, &name, rep);

        if let (Some(mut s), Some(d)) = (tls_stream, dialogue.as_mut()) {
            match p.transport {
                Transport::SmtpStartTls => {
                    starttls::smtp_after_tls(&mut s, &cfg.ehlo_name, t, d).await
                }
                Transport::ImapStartTls => starttls::imap_after_tls(&mut s, t, d).await,
                Transport::Pop3StartTls => starttls::pop3_after_tls(&mut s, t, d).await,
                Transport::Tls => {}
            }
        }
        if let Some(d) = dialogue {
            let Dialogue { report, checks } = d;
            rep.checks.extend(checks);
            rep.starttls = Some(report);
        }
        (true, true)
    }

    fn add_certificate(
        &self,
        chain: &[rustls_pki_types::CertificateDer<'static>],
        name: &ServerName<'static>,
        rep: &mut EndpointReport,
    ) {
        match inspect::inspect(
            chain,
            name,
            &self.cfg.trust,
            UnixTime::now(),
            self.cfg.warn_days,
        ) {
            Ok(i) => {
                rep.checks.extend(i.checks);
                rep.certificate = Some(i.report);
                rep.chain_der = chain.iter().map(|c| c.to_vec()).collect();
            }
            Err(e) => rep
                .checks
                .push(Check::new(CheckId::CertParse, Status::Fail, e)),
        }
    }
}

/// The name a connection to `p` presents (SNI) and is checked against.
fn server_name(p: &EndpointPlan) -> ServerName<'static> {
    match &p.host {
        Host::Name(n) => ServerName::try_from(n.clone())
            .unwrap_or_else(|_| ServerName::IpAddress(p.dial.ip().into())),
        Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
    }
}

/// The endpoint's grade from its checks and handshake. TLS results exist exactly when a
/// handshake (modern, or legacy from the version probes) completed. `a_plus_evidence` is the
/// downgrade-resistant authentication (MTA-STS enforce, DANE); the protocol side of A+ — TLS 1.3
/// accepted and nothing older than TLS 1.2 — is checked here from the version matrix.
fn endpoint_grade(rep: &EndpointReport, a_plus_evidence: bool) -> GradeValue {
    let reached = rep.negotiated.is_some();
    let modern_only = rep.protocols.as_ref().is_some_and(|m| {
        m.tls13 == Some(true)
            && m.sslv3 == Some(false)
            && m.tls10 == Some(false)
            && m.tls11 == Some(false)
    });
    grade::endpoint_grade(
        &rep.checks,
        &score_of(rep),
        reached,
        a_plus_evidence && modern_only,
    )
}

/// The SSL Labs score inputs: protocol from the best and worst accepted versions (the negotiated
/// one when the matrix is unknown), key exchange from the certificate key and group, cipher from
/// the negotiated suite.
fn score_of(rep: &EndpointReport) -> Score {
    let Some(neg) = &rep.negotiated else {
        return Score::default();
    };
    let key = rep
        .certificate
        .as_ref()
        .and_then(|c| c.chain.first())
        .and_then(|leaf| grade::rsa_equivalent(&leaf.key_type, leaf.key_bits));
    let group = neg
        .group
        .as_deref()
        .and_then(|g| grade::rsa_equivalent(g, None));
    let kx = match (key, group) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let accepted: Vec<u32> = rep
        .protocols
        .iter()
        .flat_map(|m| m.iter())
        .filter(|(_, v)| **v == Some(true))
        .filter_map(|(n, _)| grade::protocol_points(n))
        .collect();
    let protocol = match (accepted.iter().max(), accepted.iter().min()) {
        (Some(best), Some(worst)) => Some((best + worst) / 2),
        _ => grade::protocol_points(&neg.version),
    };
    let score = Score {
        protocol,
        key_exchange: kx.map(grade::key_exchange_points),
        cipher: grade::cipher_bits(&neg.cipher).map(grade::cipher_points),
    };
    crate::probe::ciphers::adjust_score(score, rep)
}
