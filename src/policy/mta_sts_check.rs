//! The domain-level MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) decision: what a sender that
//! honours MTA-STS would do with this domain, given what [`super::fetch`] gathered and the
//! finished endpoint reports of the domain's MX hosts. Pure: it produces the report sections,
//! the target checks, the per-endpoint checks and which endpoints it authenticates; the target
//! stage applies them and the grade reads them.
//!
//! Every finding is a [`Check`], whose cap comes from the rubric ([`CheckId::cap`]); the caps
//! and why they apply are in docs/grading.md, "MTA-STS and TLS-RPT (domain checks)".

use super::fetch::{FetchOutcome, Fetched, Gathered};
use super::mta_sts::{self, Mode, MxPattern, Policy};
use super::tls_rpt;
use crate::grade::rubric::CheckId;
use crate::report::{
    Check, EndpointReport, MtaStsReport, MxCoverage, PolicyFetchReport, PolicyReport, Status,
    TlsRptReport,
};
use crate::wire::enums::ProtocolVersion;

/// What DANE found for a domain, the other half of `domain.downgrade-protection`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DaneProtection {
    /// Every MX host is DANE-valid.
    Protects,
    /// The MX RRset is not DNSSEC-secure, so DANE cannot apply.
    MxInsecure,
    /// Secure MX records, but no TLSA records for the MX hosts.
    NoTlsa,
    /// TLSA records, but not every MX host is DANE-valid.
    Partial,
}

/// `domain.downgrade-protection`: whether a sender that honours MTA-STS or DANE can be
/// downgraded to plaintext. `sts_unprotected` is [`Verdict::unprotected`].
pub fn downgrade_check(sts_unprotected: Option<&str>, dane: DaneProtection) -> Check {
    use crate::report::Status as F;
    let f = match (sts_unprotected, dane) {
        (None, _) => Check::new(
            CheckId::DomainDowngradeProtection,
            F::Pass,
            "MTA-STS enforce covers every MX host with a PKIX-valid certificate: senders that honour MTA-STS cannot be downgraded to plaintext",
        ),
        (Some(_), DaneProtection::Protects) => Check::new(
            CheckId::DomainDowngradeProtection,
            F::Pass,
            "DANE protects every MX host: senders that validate DNSSEC cannot be downgraded to plaintext",
        ),
        (Some(why), dane) => {
            let dane = match dane {
                DaneProtection::MxInsecure => {
                    "no DANE either: the MX records are not DNSSEC-secure"
                }
                DaneProtection::NoTlsa => "no DANE either: no TLSA records for the MX hosts",
                _ => "DANE does not protect every MX host either",
            };
            Check::new(
                CheckId::DomainDowngradeProtection,
                F::Info,
                format!(
                    "no downgrade protection: {why}; {dane}. An attacker on the path could strip STARTTLS unnoticed"
                ),
            )
        }
    };
    f
}

/// The consequence named in every `mta-sts.enforce-violation` detail.
pub const ENFORCE_CONSEQUENCE: &str = "mail from MTA-STS senders will not be delivered here";

/// Everything the scan applies to one mail domain.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub mta_sts: MtaStsReport,
    pub tls_rpt: TlsRptReport,
    /// Checks for the target: the two sections' checks.
    pub domain_checks: Vec<Check>,
    /// Why MTA-STS does not protect the domain against a STARTTLS downgrade (`None`: it does),
    /// for [`downgrade_check`] once DANE is known.
    pub unprotected: Option<String>,
    /// Checks to add to each endpoint, in the order the endpoints were given.
    pub endpoint_checks: Vec<Vec<Check>>,
    /// Per endpoint: the policy is `enforce` and the endpoint passes it.
    pub endpoint_authenticated: Vec<bool>,
}

/// How one MX endpoint fares with a sender applying the policy (RFC 8461 §4.1, §4.2, §7.2).
#[derive(Debug, PartialEq, Eq)]
enum MxVerdict {
    Valid,
    Violates(Vec<String>),
    /// Nothing failed but nothing was learnt either (timeout, refused): could not test.
    Untested,
}

fn judge(policy: &Policy, ep: &EndpointReport) -> MxVerdict {
    let mut why = Vec::new();
    if policy.covers(&ep.host).is_none() {
        why.push(format!(
            "MX {} matches no mx pattern of the policy",
            ep.host
        ));
    }
    match &ep.negotiated {
        None => {
            // Only a failure we observed counts; a timeout says nothing about the server.
            if ep.checks.iter().any(|c| c.status == Status::Fail) {
                why.push("no working STARTTLS".to_string());
            } else if why.is_empty() {
                return MxVerdict::Untested;
            }
        }
        Some(n) => {
            if !matches!(
                n.version,
                ProtocolVersion::TLSv1_2 | ProtocolVersion::TLSv1_3
            ) {
                why.push(format!(
                    "{} negotiated; MTA-STS senders require TLS 1.2 or later (RFC 8461 §7.2)",
                    n.version
                ));
            }
            match &ep.certificate {
                Some(c) if c.trusted && c.name_matches => {}
                Some(c) => {
                    if !c.trusted {
                        why.push(format!(
                            "certificate not PKIX-valid ({})",
                            c.trust_error.as_deref().unwrap_or("untrusted")
                        ));
                    }
                    if !c.name_matches {
                        why.push(format!("certificate not valid for {}", ep.host));
                    }
                }
                None => why.push("no certificate could be checked".to_string()),
            }
        }
    }
    if why.is_empty() {
        MxVerdict::Valid
    } else {
        MxVerdict::Violates(why)
    }
}

fn pattern_text(p: &MxPattern) -> String {
    if p.wildcard {
        format!("*.{}", p.domain)
    } else {
        p.domain.clone()
    }
}

fn fetch_report(f: &Fetched) -> PolicyFetchReport {
    let mut r = PolicyFetchReport {
        url: f.url.clone(),
        status: None,
        content_type: None,
        location: None,
        body_bytes: None,
        attempts: f.attempts,
        error: None,
    };
    match &f.outcome {
        FetchOutcome::Response {
            status,
            content_type,
            body,
            location,
            ..
        } => {
            r.status = Some(*status);
            r.content_type = content_type.clone();
            r.location = location.clone();
            r.body_bytes = Some(body.len() as u64);
        }
        FetchOutcome::NoHost(e) | FetchOutcome::Certificate(e) | FetchOutcome::Failed(e) => {
            r.error = Some(e.clone())
        }
    }
    r
}

/// Findings about the fetch itself, and the policy when one was served and is valid.
fn judge_fetch(domain: &str, f: &Fetched, findings: &mut Vec<Check>) -> Option<Policy> {
    use crate::report::Status as F;
    let missing = |why: &str| {
        Check::new(
            CheckId::MtaStsPolicyMissing,
            F::Fail,
            format!(
                "TXT present, policy missing: {why}; senders behave as if the domain had no MTA-STS (RFC 8461 §3.3)"
            ),
        )
    };
    match &f.outcome {
        FetchOutcome::Response { status: 404, .. } => {
            findings.push(missing(&format!("HTTP 404 for {}", f.url)));
            None
        }
        FetchOutcome::Response {
            status,
            content_type,
            body,
            cap_exceeded,
            ..
        } => {
            let out =
                mta_sts::evaluate_response(*status, content_type.as_deref(), body, *cap_exceeded);
            findings.extend(out.findings);
            out.policy
        }
        FetchOutcome::NoHost(why) => {
            findings.push(missing(why));
            None
        }
        FetchOutcome::Certificate(why) => {
            findings.push(Check::new(
                CheckId::MtaStsPolicyHost,
                F::Fail,
                format!(
                    "policy host not PKIX-valid: mta-sts.{domain}: {why}; senders cannot fetch the policy (RFC 8461 §3.3)"
                ),
            ));
            None
        }
        FetchOutcome::Failed(why) => {
            findings.push(Check::new(
                CheckId::MtaStsPolicyFetch,
                F::Error,
                format!(
                    "could not fetch {} ({} attempt(s)): {why}",
                    f.url, f.attempts
                ),
            ));
            None
        }
    }
}

/// The decision for one mail domain. `mx_hosts` are the MX names from DNS (the domain itself
/// for an implicit MX); `endpoints` the finished endpoint reports of those hosts.
pub fn evaluate(
    domain: &str,
    g: &Gathered,
    mx_hosts: &[String],
    endpoints: &[EndpointReport],
) -> Verdict {
    use crate::report::Status as F;
    let mut sts = MtaStsReport {
        record: None,
        id: None,
        candidates: vec![],
        fetch: None,
        policy: None,
        mx_coverage: vec![],
        protected: false,
        checks: vec![],
    };
    let mut findings = Vec::new();
    // "Deployed": the domain publishes a `v=STSv1` record, usable or not (for TLS-RPT's WARN).
    let mut deployed = false;
    match &g.sts_txt {
        Err(e) => findings.push(Check::new(
            CheckId::MtaStsTxtLookup,
            F::Error,
            e.to_error_info(&format!("TXT of _mta-sts.{domain}"))
                .message,
        )),
        Ok(rrs) => {
            let out = mta_sts::parse_txt(rrs);
            deployed = !out.candidates.is_empty();
            if let Some(r) = &out.record {
                sts.record = Some(r.text.clone());
                sts.id = Some(r.id.clone());
            }
            sts.candidates = out.candidates;
            findings.extend(out.findings);
        }
    }
    let policy = g.fetch.as_ref().and_then(|f| {
        sts.fetch = Some(fetch_report(f));
        judge_fetch(domain, f, &mut findings)
    });

    let mut endpoint_checks = vec![Vec::new(); endpoints.len()];
    let mut endpoint_authenticated = vec![false; endpoints.len()];
    let mut enforce_covers_all = false;
    // Why the domain is not protected against a STARTTLS downgrade, when it is not.
    let mut unprotected: Option<String> = None;
    match &policy {
        None => {
            unprotected = Some(if !deployed {
                "no MTA-STS record".to_string()
            } else {
                "MTA-STS is published but senders get no usable policy".to_string()
            });
        }
        Some(p) => {
            sts.policy = Some(PolicyReport {
                mode: p.mode,
                max_age: p.max_age,
                mx: p.mx.iter().map(pattern_text).collect(),
            });
            sts.mx_coverage = mx_hosts
                .iter()
                .map(|h| MxCoverage {
                    host: h.clone(),
                    pattern: p.covers(h).map(pattern_text),
                })
                .collect();
            let covered = sts
                .mx_coverage
                .iter()
                .filter(|c| c.pattern.is_some())
                .count();
            if p.mode != Mode::None && !mx_hosts.is_empty() {
                findings.push(if covered == mx_hosts.len() {
                    Check::new(
                        CheckId::MtaStsMxCoverage,
                        F::Pass,
                        format!(
                            "the policy's mx patterns cover every MX host ({covered}/{})",
                            mx_hosts.len()
                        ),
                    )
                } else {
                    let missing: Vec<&str> = sts
                        .mx_coverage
                        .iter()
                        .filter(|c| c.pattern.is_none())
                        .map(|c| c.host.as_str())
                        .collect();
                    Check::new(
                        CheckId::MtaStsMxCoverage,
                        F::Info,
                        format!(
                            "the policy's mx patterns cover {covered}/{} MX hosts; not covered: {}",
                            mx_hosts.len(),
                            missing.join(", ")
                        ),
                    )
                });
            }
            let mut violations = Vec::new();
            for (i, ep) in endpoints.iter().enumerate() {
                let v = if p.mode == Mode::None {
                    MxVerdict::Untested
                } else {
                    judge(p, ep)
                };
                match (p.mode, v) {
                    (Mode::Enforce, MxVerdict::Violates(why)) => {
                        let detail = format!(
                            "MTA-STS enforce: {}: {ENFORCE_CONSEQUENCE} (RFC 8461 §4.2, §5)",
                            why.join("; ")
                        );
                        endpoint_checks[i].push(Check::new(
                            CheckId::MtaStsEnforceViolation,
                            F::Fail,
                            detail,
                        ));
                        violations.push(format!("{} [{}]", ep.host, why.join("; ")));
                    }
                    (Mode::Testing, MxVerdict::Violates(why)) => {
                        violations.push(format!("{} [{}]", ep.host, why.join("; ")));
                    }
                    (Mode::Enforce, MxVerdict::Valid) => endpoint_authenticated[i] = true,
                    _ => {}
                }
            }
            violations.dedup();
            if p.mode == Mode::Testing && !violations.is_empty() {
                findings.push(Check::new(
                    CheckId::MtaStsTestingViolation,
                    F::Warn,
                    format!(
                        "MTA-STS testing: {}; under enforce MTA-STS senders would not deliver there; today they deliver anyway and only report",
                        violations.join(", ")
                    ),
                ));
            }
            enforce_covers_all = p.mode == Mode::Enforce
                && !mx_hosts.is_empty()
                && covered == mx_hosts.len()
                && violations.is_empty();
            if !enforce_covers_all {
                unprotected = Some(match p.mode {
                    Mode::Testing => "MTA-STS is in testing mode (senders report but still deliver without protection)".to_string(),
                    Mode::None => "MTA-STS mode is none (being withdrawn)".to_string(),
                    Mode::Enforce => format!(
                        "MTA-STS enforce does not cover every MX host with a valid certificate ({})",
                        if violations.is_empty() { "no MX host".to_string() } else { violations.join(", ") }
                    ),
                });
            }
        }
    }

    // TLS-RPT (RFC 8460 §3).
    let mut rpt = TlsRptReport {
        record: None,
        rua: vec![],
        candidates: vec![],
        checks: vec![],
    };
    let mut rpt_findings = Vec::new();
    match &g.rpt_txt {
        Err(e) => rpt_findings.push(Check::new(
            CheckId::TlsRptTxtLookup,
            F::Error,
            e.to_error_info(&format!("TXT of _smtp._tls.{domain}"))
                .message,
        )),
        Ok(rrs) => {
            let out = tls_rpt::parse_txt(rrs);
            if let Some(r) = &out.record {
                rpt.record = Some(r.text.clone());
                rpt.rua = r.rua.iter().map(|u| u.uri.clone()).collect();
            }
            rpt.candidates = out.candidates;
            rpt_findings.extend(out.findings);
        }
    }
    sts.checks = findings;
    rpt.checks = rpt_findings;
    let mut domain_checks = sts.checks.clone();
    domain_checks.extend(rpt.checks.iter().cloned());
    sts.protected = enforce_covers_all;
    Verdict {
        unprotected,
        mta_sts: sts,
        tls_rpt: rpt,
        domain_checks,
        endpoint_checks,
        endpoint_authenticated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::fetch::TxtAnswer;
    use crate::report::{CertificateReport, Grade, Negotiated};

    fn txt(s: &str) -> TxtAnswer {
        Ok(vec![vec![s.as_bytes().to_vec()]])
    }

    fn served(body: &str) -> Option<Fetched> {
        Some(Fetched {
            url: "https://mta-sts.example.test/.well-known/mta-sts.txt".into(),
            attempts: 1,
            outcome: FetchOutcome::Response {
                status: 200,
                content_type: Some("text/plain".into()),
                body: body.as_bytes().to_vec(),
                cap_exceeded: false,
                location: None,
            },
        })
    }

    fn endpoint(host: &str, version: &str, trusted: bool) -> EndpointReport {
        let mut e = EndpointReport::new(
            host.into(),
            Some("127.0.0.2".into()),
            25,
            crate::target::Transport::SmtpStartTls,
        );
        e.negotiated = Some(Negotiated {
            version: ProtocolVersion::from_name(version).unwrap(),
            cipher: crate::wire::enums::CipherSuite::from_name("TLS_AES_128_GCM_SHA256").unwrap(),
            group: None,
        });
        e.certificate = Some(CertificateReport {
            trusted,
            name_matches: true,
            not_after: String::new(),
            days_remaining: 90,
            trust_error: (!trusted).then(|| "unknown issuer".into()),
            chain: vec![],
            ..Default::default()
        });
        e
    }

    const ENFORCE: &str = "version: STSv1\nmode: enforce\nmx: *.example.test\nmax_age: 604800\n";

    #[test]
    fn policy_caps_come_from_the_rubric_and_tls_rpt_never_fails() {
        let f = |id, s| Check::new(id, s, "");
        assert_eq!(
            f(CheckId::MtaStsTxtMultiple, Status::Fail).cap,
            Some(Grade::B)
        );
        assert_eq!(
            f(CheckId::MtaStsEnforceViolation, Status::Fail).cap,
            Some(Grade::F)
        );
        assert_eq!(
            f(CheckId::MtaStsTestingViolation, Status::Warn).cap,
            Some(Grade::A)
        );
        assert_eq!(f(CheckId::MtaStsPolicyValid, Status::Pass).cap, None);
        // TLS-RPT problems warn and never cap: reports are only a feedback channel.
        let g = Gathered {
            sts_txt: txt("v=STSv1; id=1;"),
            fetch: served(ENFORCE),
            rpt_txt: txt("v=TLSRPTv1; rua=ftp://example.test"),
        };
        let v = evaluate("example.test", &g, &[], &[]);
        let c = v
            .tls_rpt
            .checks
            .iter()
            .find(|c| c.id == "tls-rpt.invalid")
            .unwrap();
        assert_eq!((c.status, c.cap), (Status::Warn, None));
    }

    #[test]
    fn enforce_authenticates_a_trusted_tls13_mx_and_fails_an_untrusted_one() {
        let g = Gathered {
            sts_txt: txt("v=STSv1; id=1;"),
            fetch: served(ENFORCE),
            rpt_txt: txt("v=TLSRPTv1; rua=mailto:r@example.test"),
        };
        let eps = [
            endpoint("mx1.example.test", "TLSv1.3", true),
            endpoint("mx2.example.test", "TLSv1.3", false),
        ];
        let hosts = [
            "mx1.example.test".to_string(),
            "mx2.example.test".to_string(),
        ];
        let v = evaluate("example.test", &g, &hosts, &eps);
        assert_eq!(v.endpoint_authenticated, [true, false]);
        assert!(v.endpoint_checks[0].is_empty());
        let c = &v.endpoint_checks[1][0];
        assert_eq!(
            (c.id.as_str(), c.status),
            ("mta-sts.enforce-violation", Status::Fail)
        );
        assert!(c.detail.contains(ENFORCE_CONSEQUENCE));
        assert!(!v.mta_sts.protected);
        let dp = downgrade_check(v.unprotected.as_deref(), DaneProtection::NoTlsa);
        assert_eq!((dp.status, dp.cap), (Status::Info, Some(Grade::A)));
    }

    #[test]
    fn a_timeout_says_nothing_about_the_mx() {
        let g = Gathered {
            sts_txt: txt("v=STSv1; id=1;"),
            fetch: served(ENFORCE),
            rpt_txt: Ok(vec![]),
        };
        let mut ep = endpoint("mx1.example.test", "TLSv1.3", true);
        ep.negotiated = None;
        ep.certificate = None;
        ep.checks = vec![Check::new(CheckId::TcpConnect, Status::Error, "timed out")];
        let v = evaluate("example.test", &g, &["mx1.example.test".into()], &[ep]);
        assert!(v.endpoint_checks[0].is_empty());
        // TLS-RPT missing while MTA-STS is published: the grade makes it a warning.
        let mut t =
            crate::report::TargetReport::new("example.test", crate::report::Kind::MailDomain);
        t.checks = v.domain_checks;
        t.mta_sts = Some(v.mta_sts);
        t.tls_rpt = Some(v.tls_rpt);
        crate::grade::grade_target(&mut t);
        for checks in [&t.checks, &t.tls_rpt.as_ref().unwrap().checks] {
            let c = checks.iter().find(|c| c.id == "tls-rpt.missing").unwrap();
            assert_eq!(c.status, Status::Warn, "{c:?}");
            assert!(c.detail.contains("MTA-STS is deployed"), "{c:?}");
        }
    }
}
