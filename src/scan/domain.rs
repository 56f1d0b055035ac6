//! The target stage: a mail domain's MX hosts scanned beside its MTA-STS and TLS-RPT records,
//! the policy fetch and its DANE facts, so the policies add no round trips of their own; a
//! service target's endpoints beside its TLSA look-up. What each policy says about each
//! endpoint is added to the endpoint reports here, then the target is graded once.

use futures::stream::{self, StreamExt};
use hickory_proto::dnssec::Proof;

use super::plan::Planner;
use super::Ctx;
use crate::grade;
use crate::policy::dane_check::{self, DomainFacts};
use crate::policy::fetch;
use crate::policy::mta_sts_check::{self, DaneProtection};
use crate::report::{Kind, TargetReport};
use crate::target::{Host, Target, Transport};

/// DANE host look-ups of one domain in flight at once (each is two or three DNS queries).
const DANE_HOSTS_AT_ONCE: usize = 8;

impl Ctx<'_> {
    fn planner(&self) -> Planner<'_> {
        Planner {
            cfg: self.cfg,
            dns: &self.dns,
        }
    }

    /// A service target: its endpoints, and DANE at `_<port>._tcp.<host>` (RFC 7672 §2.2,
    /// RFC 6698 §3).
    pub(super) async fn scan_service(
        &self,
        t: &Target,
        host: &Host,
        port: u16,
        transport: Transport,
    ) -> TargetReport {
        let mut rep = TargetReport::new(&t.input, Kind::Endpoint);
        let plans = match self.planner().service(host, port, transport).await {
            Ok(p) => p,
            Err((check, info)) => {
                rep.checks.push(check);
                rep.error = Some(info);
                return rep;
            }
        };
        let facts = async {
            match host {
                Host::Name(n) => Some(dane_check::gather_host(&self.dnssec, n, port).await),
                Host::Ip(_) => None,
            }
        };
        let (endpoints, facts) = tokio::join!(self.scan_endpoints(plans), facts);
        rep.endpoints = endpoints;
        if let Some(f) = facts {
            let now = self.cfg.now();
            for ep in rep.endpoints.iter_mut() {
                let names = vec![ep.host.clone()];
                dane_check::evaluate_endpoint(ep, &f, port, &names, false, now);
            }
        }
        grade::grade_target(&mut rep);
        rep
    }

    /// A mail domain: MX and endpoints, and at the same time its MTA-STS and TLS-RPT records,
    /// its policy and its DANE facts.
    pub(super) async fn scan_domain(&self, t: &Target, domain: &str) -> TargetReport {
        let mx_stage = async {
            let plan = self.planner().domain(domain).await;
            let endpoints = match &plan.endpoints {
                Some(p) => Some(self.scan_endpoints(p.clone()).await),
                None => None,
            };
            (plan, endpoints)
        };
        let ((plan, endpoints), gathered, dane_facts) = tokio::join!(
            mx_stage,
            fetch::gather(domain, self.cfg, &self.dns),
            self.dane_facts(domain)
        );
        let mut rep = TargetReport::new(&t.input, Kind::MailDomain);
        rep.mx = plan.mx;
        rep.checks = plan.checks;
        rep.error = plan.error;
        // The domain ended before any mail host (DNS failure, null MX, no mail service): it
        // is not graded.
        let Some(endpoints) = endpoints else {
            return rep;
        };
        rep.endpoints = endpoints;

        let mx_hosts: Vec<String> = rep.mx.iter().map(|m| m.host.clone()).collect();
        let sts = mta_sts_check::evaluate(domain, &gathered, &mx_hosts, &rep.endpoints);
        for ((ep, checks), authenticated) in rep
            .endpoints
            .iter_mut()
            .zip(sts.endpoint_checks)
            .zip(sts.endpoint_authenticated)
        {
            ep.checks.extend(checks);
            ep.mta_sts_authenticated = authenticated;
        }
        rep.checks.extend(sts.domain_checks);
        rep.mta_sts = Some(sts.mta_sts);
        rep.tls_rpt = Some(sts.tls_rpt);

        // DANE per endpoint: the TLSA base domain is the MX host; with a secure MX RRset the
        // mail domain is a reference name for DANE-TA too (RFC 7672 §3.2.3).
        let mx_secure = matches!(dane_facts.mx, Some(Ok(Proof::Secure)));
        let now = self.cfg.now();
        for ep in rep.endpoints.iter_mut() {
            let mut names = vec![ep.host.clone()];
            if mx_secure {
                names.push(domain.to_string());
            }
            if let Some(f) = dane_facts.hosts.get(&ep.host) {
                dane_check::evaluate_endpoint(ep, f, 25, &names, mx_secure, now);
            }
        }
        let (dane_report, dane_checks) = dane_check::evaluate_domain(&dane_facts, &rep.endpoints);
        let dane = if dane_report.protected {
            DaneProtection::Protects
        } else if !mx_secure {
            DaneProtection::MxInsecure
        } else if !rep.endpoints.iter().any(|e| e.has_tlsa()) {
            DaneProtection::NoTlsa
        } else {
            DaneProtection::Partial
        };
        rep.checks.extend(dane_checks);
        rep.dane = Some(dane_report);
        rep.checks.push(mta_sts_check::downgrade_check(
            sts.unprotected.as_deref(),
            dane,
        ));
        grade::grade_target(&mut rep);
        rep
    }

    /// The domain's DNSSEC facts: the MX RRset through the validating resolver, then every
    /// MX host's addresses and TLSA, a few hosts at a time.
    async fn dane_facts(&self, domain: &str) -> DomainFacts {
        let (mx, hosts) = dane_check::mx_hosts(&self.dnssec, &self.dns, domain).await;
        let dnssec = &self.dnssec;
        let facts: Vec<_> = stream::iter(hosts)
            .map(|h| async move {
                let f = dane_check::gather_host(dnssec, &h, 25).await;
                (h, f)
            })
            .buffered(DANE_HOSTS_AT_ONCE)
            .collect()
            .await;
        DomainFacts {
            mx,
            hosts: facts.into_iter().collect(),
        }
    }
}
