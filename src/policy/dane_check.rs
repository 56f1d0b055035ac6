//! DANE for mail domains and endpoints (RFC 7672 §2–3): gathers the DNS facts through the
//! validating resolver — MX RRset, host addresses and TLSA, each with its DNSSEC status — and
//! turns them, with the chain every endpoint presented, into the `dane` report sections and
//! checks. Decisions are pure ([`evaluate_endpoint`], [`evaluate_domain`]); only [`gather_host`]
//! and [`mx_hosts`] do I/O.

use std::collections::BTreeMap;

use hickory_proto::dnssec::Proof;
use hickory_proto::rr::{RData, RecordType};
use rustls_pki_types::{CertificateDer, UnixTime};

use super::dane::{match_chain, Outcome, Tlsa};
use crate::dns::{Dns, DnsError};
use crate::grade::rubric::CheckId;
use crate::report::{Check, DaneReport, DnssecStatus, DomainDaneReport, EndpointReport, Status};

fn status(p: Proof) -> &'static str {
    match p {
        Proof::Secure => "secure",
        Proof::Insecure => "insecure",
        Proof::Bogus => "bogus",
        Proof::Indeterminate => "indeterminate",
    }
}

/// What DNS said about one host, for one port.
#[derive(Clone, Debug)]
pub struct HostFacts {
    /// DNSSEC status of the host's A/AAAA answers (the weakest of the two).
    pub address: Proof,
    /// `_<port>._tcp.<host>` TLSA records and their status; `None` when not asked because the
    /// address was not secure (RFC 7672 §2.2.2: do not query TLSA then).
    pub tlsa: Option<Result<(Vec<Tlsa>, Proof), DnsError>>,
}

/// The facts of a host: addresses first, TLSA only behind secure addresses.
pub async fn gather_host(dnssec: &Dns, host: &str, port: u16) -> HostFacts {
    let (a, aaaa) = tokio::join!(
        dnssec.lookup_proof(host, RecordType::A),
        dnssec.lookup_proof(host, RecordType::AAAA)
    );
    let proofs: Vec<Proof> = [a, aaaa]
        .into_iter()
        .filter_map(|r| r.ok())
        .filter(|(recs, _)| {
            recs.iter()
                .any(|r| matches!(r.data(), RData::A(_) | RData::AAAA(_)))
        })
        .map(|(_, p)| p)
        .collect();
    let address = proofs.iter().copied().min().unwrap_or(Proof::Indeterminate);
    if address != Proof::Secure {
        return HostFacts {
            address,
            tlsa: None,
        };
    }
    let name = format!("_{port}._tcp.{host}");
    let tlsa = dnssec
        .lookup_proof(&name, RecordType::TLSA)
        .await
        .map(|(recs, proof)| {
            let records = recs
                .iter()
                .filter_map(|r| match r.data() {
                    RData::TLSA(t) => Some(Tlsa {
                        usage: u8::from(t.cert_usage()),
                        selector: u8::from(t.selector()),
                        matching: u8::from(t.matching()),
                        data: t.cert_data().to_vec(),
                    }),
                    _ => None,
                })
                .collect();
            (records, proof)
        });
    HostFacts {
        address,
        tlsa: Some(tlsa),
    }
}

/// DNS facts of a mail domain: its MX RRset's status and every MX host's facts.
#[derive(Clone, Debug, Default)]
pub struct DomainFacts {
    pub mx: Option<Result<Proof, DnsError>>,
    pub hosts: BTreeMap<String, HostFacts>,
}

/// The domain's MX RRset through the validating resolver: its DNSSEC status and the MX hosts
/// whose facts [`gather_host`] then gathers (the scheduler runs those a few at a time). With a
/// bogus or unvalidated MX RRset, host DANE may still apply (RFC 7672 §2.2.1), so the hosts then
/// come from the plain resolver.
pub async fn mx_hosts(
    dnssec: &Dns,
    plain: &Dns,
    domain: &str,
) -> (Option<Result<Proof, DnsError>>, Vec<String>) {
    let validated = dnssec.lookup_proof(domain, RecordType::MX).await;
    let mut hosts: Vec<String> = match &validated {
        Ok((recs, _)) => recs
            .iter()
            .filter_map(|r| match r.data() {
                RData::MX(m) => Some(
                    m.exchange()
                        .to_ascii()
                        .trim_end_matches('.')
                        .to_ascii_lowercase(),
                ),
                _ => None,
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    if hosts.is_empty() {
        hosts = plain
            .mx(domain)
            .await
            .map(|m| m.into_iter().map(|m| m.exchange).collect())
            .unwrap_or_default();
    }
    hosts.retain(|h| h != ".");
    hosts.sort();
    hosts.dedup();
    (Some(validated.map(|(_, p)| p)), hosts)
}

/// DANE for one endpoint. `names` are the DANE-TA reference identifiers (the TLSA base domain,
/// and the mail domain when its MX RRset is secure). Adds the `dane` section and its check to
/// the endpoint.
///
/// A bogus address counts against the host only when the MX RRset validated as secure: then
/// validation demonstrably works along this domain's chain. Otherwise "bogus" may only mean that
/// our own resolver path strips DNSSEC, and it is reported as could-not-validate, not a failure.
pub fn evaluate_endpoint(
    ep: &mut EndpointReport,
    facts: &HostFacts,
    port: u16,
    names: &[String],
    mx_secure: bool,
    now: UnixTime,
) {
    let base = ep.host.clone();
    let mut rep = DaneReport {
        tlsa_name: format!("_{port}._tcp.{base}"),
        dnssec: DnssecStatus {
            address: status(facts.address).into(),
            tlsa: None,
        },
        tlsa: vec![],
        matched: None,
        valid: false,
        checks: vec![],
        dane_ee: false,
    };
    let check = match (&facts.tlsa, facts.address) {
        (None, Proof::Bogus) if mx_secure => Check::new(
            CheckId::DaneLookupFailed,
            Status::Fail,
            format!("the address of {base} fails DNSSEC validation (bogus): validating senders cannot reach this host"),
        ),
        (None, Proof::Bogus) | (None, Proof::Indeterminate) => Check::new(
            CheckId::DaneNone,
            Status::Info,
            format!(
                "DANE not evaluated: the address of {base} could not be DNSSEC-validated ({}); check that the resolver passes DNSSEC records",
                status(facts.address)
            ),
        ),
        (None, p) => Check::new(
            CheckId::DaneNone,
            Status::Info,
            format!("no DANE: the address of {base} is DNSSEC-{} (TLSA is only looked up behind secure addresses)", status(p)),
        ),
        (Some(Err(e)), _) => Check::new(
            CheckId::DaneLookupFailed,
            Status::Fail,
            format!("TLSA look-up failed ({}): DANE senders treat this host as unreachable (RFC 7672 §2.1.2)", e.to_error_info(&rep.tlsa_name).message),
        ),
        (Some(Ok((records, proof))), _) => {
            rep.dnssec.tlsa = Some(status(*proof).into());
            rep.tlsa = records.iter().map(|r| r.report()).collect();
            match (*proof, records.is_empty()) {
                (Proof::Bogus, _) => Check::new(
                    CheckId::DaneLookupFailed,
                    Status::Fail,
                    format!("TLSA at {} fails DNSSEC validation (bogus): DANE senders treat this host as unreachable", rep.tlsa_name),
                ),
                (_, true) => Check::new(CheckId::DaneNone, Status::Info, format!("no TLSA record at {}: no DANE", rep.tlsa_name)),
                (Proof::Secure, false) => {
                    let chain: Vec<CertificateDer<'_>> = ep.chain_der.iter().map(|c| CertificateDer::from(c.as_slice())).collect();
                    match match_chain(records, &chain, names, now) {
                        Outcome::Matched { usage, how, index } => {
                            rep.valid = true;
                            rep.matched = records.get(index).map(|r| r.short());
                            rep.dane_ee = usage == 3;
                            Check::new(CheckId::DaneValid, Status::Pass, format!("{how}: DANE senders authenticate this server"))
                        }
                        Outcome::NoUsable => Check::new(
                            CheckId::DaneUnusable,
                            Status::Warn,
                            "TLSA records exist but none is usable for SMTP: TLS is mandatory for DANE senders, authentication is not (RFC 7672 §2.2)",
                        ),
                        Outcome::NoMatch(why) => Check::new(
                            CheckId::DaneTlsaMismatch,
                            Status::Fail,
                            format!("no usable TLSA record matches what the server presents ({why}): mail from DANE senders will not be delivered here"),
                        ),
                    }
                }
                (p, false) => Check::new(
                    CheckId::DaneNone,
                    Status::Info,
                    format!("TLSA at {} is DNSSEC-{}: not DANE", rep.tlsa_name, status(p)),
                ),
            }
        }
    };
    // The server's other certificates (RSA beside ECDSA): a sender whose handshake selects one
    // the records do not match fails, whatever the default client got.
    if let Some(Ok((records, Proof::Secure))) = &facts.tlsa {
        if !records.is_empty() && !ep.other_chains_der.is_empty() {
            let matches = |chain: &[Vec<u8>]| {
                let chain: Vec<CertificateDer<'_>> = chain
                    .iter()
                    .map(|c| CertificateDer::from(c.as_slice()))
                    .collect();
                matches!(
                    match_chain(records, &chain, names, now),
                    Outcome::Matched { .. }
                )
            };
            let main = matches(&ep.chain_der);
            let kinds: Vec<&str> = ep
                .certificates
                .iter()
                .skip(1)
                .zip(&ep.other_chains_der)
                .map(|(c, der)| (c, matches(der)))
                .filter(|(_, m)| *m != main)
                .map(|(c, _)| match c.selected_by.first() {
                    Some(crate::report::SelectedBy::Rsa) => "RSA",
                    Some(crate::report::SelectedBy::Ecdsa) => "ECDSA",
                    _ => "other",
                })
                .collect();
            if !kinds.is_empty() {
                let detail = if main {
                    format!("the TLSA records match the certificate a default client gets, but not the server's {} certificate: a DANE sender whose handshake selects it fails to deliver; publish a record for each key", kinds.join(" and "))
                } else {
                    format!("the TLSA records match only the server's {} certificate, not the one a default client gets; publish a record for each key", kinds.join(" and "))
                };
                let c = Check::new(CheckId::DaneUnmatchedCertificate, Status::Warn, detail);
                rep.checks.push(c.clone());
                ep.checks.push(c);
            }
        }
    }
    rep.checks.push(check.clone());
    ep.checks.push(check);
    ep.dane = Some(rep);
}

/// The domain-level DANE verdict (RFC 7672 §2.2.1): protected when the MX RRset is secure and
/// every endpoint of every MX host is DANE-valid.
pub fn evaluate_domain(
    facts: &DomainFacts,
    endpoints: &[EndpointReport],
) -> (DomainDaneReport, Vec<Check>) {
    let mx = match &facts.mx {
        Some(Ok(p)) => status(*p).to_string(),
        Some(Err(e)) => format!("error: {}", e.to_error_info("MX").message),
        None => "not looked up".into(),
    };
    let mx_secure = matches!(facts.mx, Some(Ok(Proof::Secure)));
    let with_tlsa: Vec<&EndpointReport> = endpoints
        .iter()
        .filter(|e| e.dane.as_ref().is_some_and(|d| !d.tlsa.is_empty()))
        .collect();
    let all_valid = !endpoints.is_empty()
        && endpoints
            .iter()
            .all(|e| e.dane.as_ref().is_some_and(|d| d.valid));
    let protected = mx_secure && all_valid;
    let mut checks = Vec::new();
    if matches!(facts.mx, Some(Ok(Proof::Bogus)))
        && endpoints.iter().any(|e| {
            e.dane
                .as_ref()
                .is_some_and(|d| d.dnssec.address == "secure")
        })
    {
        checks.push(Check::new(
            CheckId::DaneMxBogus,
            Status::Error,
            "the MX RRset fails DNSSEC validation while host records validate: validating senders cannot look up where to deliver",
        ));
    }
    if protected {
        checks.push(Check::new(
            CheckId::DaneDomain,
            Status::Pass,
            "secure MX RRset and every MX host DANE-valid: DANE senders cannot be downgraded",
        ));
    } else if !with_tlsa.is_empty() {
        if !mx_secure {
            checks.push(
                Check::new(
                    CheckId::DaneMxInsecure,
                    Status::Warn,
                    format!("TLSA records exist but the MX RRset is DNSSEC-{mx}: host DANE only, the domain is not protected (RFC 7672 §2.2.1)"),
                ),
            );
        }
        if with_tlsa.len() < endpoints.len() {
            checks.push(Check::new(
                CheckId::DanePartial,
                Status::Warn,
                format!(
                    "TLSA on only {} of {} MX endpoints: an attacker can steer mail to the others",
                    with_tlsa.len(),
                    endpoints.len()
                ),
            ));
        }
    }
    // Rollover readiness (informational, as internet.nl): a second DANE-EE or a DANE-TA.
    let ready = with_tlsa.iter().all(|e| {
        let recs = &e.dane.as_ref().map(|d| d.tlsa.clone()).unwrap_or_default();
        let ee = recs.iter().filter(|r| r.usable && r.usage == 3).count();
        let ta = recs.iter().filter(|r| r.usable && r.usage == 2).count();
        ee >= 2 || (ee >= 1 && ta >= 1)
    });
    if !with_tlsa.is_empty() && !ready {
        checks.push(Check::new(
            CheckId::DaneRollover,
            Status::Info,
            "publish the next key's TLSA record beside the current one (two 3 x x, or 3 x x plus 2 x x) so a key change does not break delivery (RFC 7671 §8.1)",
        ));
    }
    let report = DomainDaneReport {
        mx_dnssec: mx,
        protected,
        checks: checks.clone(),
    };
    (report, checks)
}
