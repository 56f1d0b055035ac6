//! Target → endpoints: where to connect for a mail domain (its MX hosts, by RFC 5321 §5.1 and
//! RFC 7505) or a service (its host), after `--connect-to` and the address families. Every way
//! a domain can end before it has a mail host (NXDOMAIN, null MX, no mail service) is a check
//! and, where it is a failure, an error kind: data, never an abort.

use std::net::{IpAddr, SocketAddr};

use crate::config::ScanConfig;
use crate::dns::{Dns, DnsError};
use crate::grade::rubric::CheckId;
use crate::net::connect_to;
use crate::report::{Check, ErrorInfo, ErrorKind, MxReport, Status};
use crate::target::{Host, Transport};

/// One address to scan, with the name it stands for.
#[derive(Clone, Debug)]
pub struct EndpointPlan {
    pub host: Host,
    pub port: u16,
    pub transport: Transport,
    /// The address actually dialled (after `--connect-to`).
    pub dial: SocketAddr,
    /// `--connect-to` sent this endpoint elsewhere.
    pub rerouted: bool,
}

/// The addresses a name stands for: the plans, the DNS addresses (for the MX table: empty when
/// `--connect-to` rerouted the name) and the CNAME chain followed.
type Planned = (Vec<EndpointPlan>, Vec<IpAddr>, Vec<String>);

/// What the MX stage found for a mail domain.
#[derive(Debug, Default)]
pub struct MxPlan {
    pub mx: Vec<MxReport>,
    pub checks: Vec<Check>,
    pub error: Option<ErrorInfo>,
    /// The endpoints of every usable MX host; `None` when the domain ended before any mail host
    /// (a DNS failure, null MX, no mail service): nothing more to scan or grade.
    pub endpoints: Option<Vec<EndpointPlan>>,
}

/// Addresses no mail sender on the internet can reach.
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

/// Plans endpoints with the run's DNS and configuration.
pub struct Planner<'a> {
    pub cfg: &'a ScanConfig,
    pub dns: &'a Dns,
}

impl Planner<'_> {
    /// " (IPv4 only: -4)" and the like, for messages about missing addresses.
    fn family_note(&self) -> &'static str {
        match (self.cfg.ipv4, self.cfg.ipv6) {
            (true, false) => " (IPv4 only: -4)",
            (false, true) => " (IPv6 only: -6)",
            _ => "",
        }
    }

    fn family_ok(&self, ip: &IpAddr) -> bool {
        match ip {
            IpAddr::V4(_) => self.cfg.ipv4,
            IpAddr::V6(_) => self.cfg.ipv6,
        }
    }

    /// Where to connect for `host:port`: `--connect-to` first, then DNS.
    async fn addresses(
        &self,
        host: &Host,
        port: u16,
        transport: Transport,
    ) -> Result<Planned, DnsError> {
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

    /// The endpoints of a service target, or the check and error that say why it has none.
    pub async fn service(
        &self,
        host: &Host,
        port: u16,
        transport: Transport,
    ) -> Result<Vec<EndpointPlan>, (Check, ErrorInfo)> {
        let no_address = |info: ErrorInfo| {
            (
                Check::new(CheckId::DnsAddress, Status::Error, info.message.clone()),
                info,
            )
        };
        match self.addresses(host, port, transport).await {
            Err(e) => Err(no_address(e.to_error_info(&format!("address of {host}")))),
            Ok((plans, _, _)) if plans.is_empty() => Err(no_address(ErrorInfo::new(
                ErrorKind::NoAddress,
                format!("{host} has no address{}", self.family_note()),
            ))),
            Ok((plans, _, _)) => Ok(plans),
        }
    }

    /// MX resolution for a mail domain (RFC 5321 §5.1, RFC 7505 null MX) and the endpoints of
    /// every usable MX host, every preference tier alike.
    pub async fn domain(&self, domain: &str) -> MxPlan {
        let mut out = MxPlan::default();
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
                out.checks
                    .push(Check::new(CheckId::MxLookup, status, detail));
                out.error = Some(info);
                return out;
            }
        };

        // Null MX (RFC 7505): exactly one "MX 0 .".
        let nulls: Vec<_> = mx.iter().filter(|m| m.exchange == ".").collect();
        if mx.len() == 1 && nulls.len() == 1 && mx[0].preference == 0 {
            out.checks.push(Check::new(
                CheckId::MxNull,
                Status::Info,
                "null MX (RFC 7505): the domain accepts no mail",
            ));
            out.mx.push(MxReport {
                preference: 0,
                host: ".".into(),
                addresses: vec![],
                error: None,
            });
            return out;
        }
        if !nulls.is_empty() {
            out.checks.push(Check::new(
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
            self.implicit_mx(domain, &mut out).await;
            return out;
        }
        let planned = futures::future::join_all(
            hosts
                .iter()
                .map(|(pref, h)| async move { (*pref, h.clone(), self.mx_host(h).await) }),
        )
        .await;
        let mut endpoints = Vec::new();
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
                    out.checks.push(check);
                    mxr.error = Some(info);
                }
                Ok((plans, addrs, cnames)) => {
                    mxr.addresses = addrs.iter().map(|a| a.to_string()).collect();
                    if !cnames.is_empty() {
                        out.checks.push(Check::new(
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
                        out.checks.push(Check::new(
                            CheckId::MxUnroutable,
                            Status::Fail,
                            msg.clone(),
                        ));
                        mxr.error = Some(ErrorInfo::new(ErrorKind::NoAddress, msg));
                    } else {
                        endpoints.extend(plans);
                    }
                }
            }
            out.mx.push(mxr);
        }
        if bad_hosts > 0 {
            out.checks.push(if bad_hosts == out.mx.len() {
                Check::new(
                    CheckId::MxUsable,
                    Status::Fail,
                    "no MX host is usable: mail to this domain cannot be delivered",
                )
            } else {
                Check::new(
                    CheckId::MxUsable,
                    Status::Warn,
                    format!("{bad_hosts} of {} MX hosts are unusable", out.mx.len()),
                )
            });
        }
        out.endpoints = Some(endpoints);
        out
    }

    /// NODATA for MX: the implicit MX (RFC 5321 §5.1), the domain's own addresses.
    async fn implicit_mx(&self, domain: &str, out: &mut MxPlan) {
        let host = Host::Name(domain.into());
        let (plans, addrs, _) = match self.addresses(&host, 25, Transport::SmtpStartTls).await {
            Ok(p) => p,
            Err(e) => {
                let info = e.to_error_info(&format!("address of {domain}"));
                out.checks.push(Check::new(
                    CheckId::MxLookup,
                    Status::Error,
                    info.message.clone(),
                ));
                out.error = Some(info);
                return;
            }
        };
        if plans.is_empty() {
            out.checks.push(Check::new(
                CheckId::MxNoMailService,
                Status::Info,
                "no MX and no address records: the domain has no mail service",
            ));
            return;
        }
        out.checks.push(Check::new(
            CheckId::MxImplicit,
            Status::Warn,
            "no MX record: senders fall back to the domain's own address (implicit MX)",
        ));
        out.mx.push(MxReport {
            preference: 0,
            host: domain.into(),
            addresses: addrs.iter().map(|a| a.to_string()).collect(),
            error: None,
        });
        out.endpoints = Some(plans);
    }

    /// Plans one MX host, or gives the check and error that explain why it has no endpoint.
    async fn mx_host(&self, h: &str) -> Result<Planned, (Check, ErrorInfo)> {
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
        match self.addresses(&host, 25, Transport::SmtpStartTls).await {
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
}
