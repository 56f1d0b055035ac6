//! The grade: one pure pass over a finished target report (every stage's facts and findings)
//! that applies the rubric's cross-cutting rules and turns checks and the SSL Labs score into
//! letters. docs/grading.md explains the rules; [`rubric`] holds every check's caps.
//!
//! - An endpoint's letter is the score letter lowered to the worst cap its checks trigger.
//!   "Could not test" (status `error`) never caps: an endpoint with nothing but errors is "?".
//! - A DANE-EE match makes the PKIX certificate findings informational (RFC 7672 §3.1.1).
//! - A missing TLS-RPT record warns where MTA-STS or DANE is deployed.
//! - A+ needs grade A, no warning, TLS 1.3 and nothing older than TLS 1.2, and authentication
//!   that a downgrade cannot strip (an MTA-STS `enforce` MX with a valid certificate, or DANE).
//! - A target is the worst of its endpoints, lowered by its own checks' caps.
//!
//! The pass is idempotent, so a stage that adds findings later (certificate consistency across
//! the run) simply grades the target again.

pub mod rubric;
pub mod score;

use crate::report::{Check, EndpointReport, Grade, GradeValue, Kind, Status, TargetReport};
use crate::wire::enums::ProtocolVersion;
use rubric::{CheckId, PKIX};
use score::Score;

/// Grades a target and each of its endpoints (see the module comment).
pub fn grade_target(t: &mut TargetReport) {
    for ep in t.endpoints.iter_mut() {
        grade_endpoint(ep);
    }
    if t.kind == Kind::MailDomain {
        tls_rpt_where_policies_are_deployed(t);
    }
    sort_checks(&mut t.checks);
    let grades: Vec<GradeValue> = t.endpoints.iter().filter_map(|e| e.grade).collect();
    t.grade = Some(domain_grade(&grades, &t.checks, target_a_plus_evidence(t)));
}

/// Grades one endpoint from its report.
pub fn grade_endpoint(ep: &mut EndpointReport) {
    if ep.dane.as_ref().is_some_and(|d| d.dane_ee) {
        dane_ee_authenticates(&mut ep.checks);
    }
    sort_checks(&mut ep.checks);
    let reached = ep.negotiated.is_some();
    ep.grade = Some(endpoint_grade(
        &ep.checks,
        &score::of(ep),
        reached,
        endpoint_a_plus_evidence(ep),
    ));
}

/// RFC 7672 §3.1.1: under a DANE-EE match the key is authenticated by DNSSEC, not by the
/// certificate's issuer, names or dates, so the PKIX findings no longer count against it.
fn dane_ee_authenticates(checks: &mut [Check]) {
    // The match is of the chain a default client gets; the server's other certificates are not
    // what the records authenticate.
    for c in checks.iter_mut().filter(|c| {
        PKIX.contains(&c.id)
            && matches!(c.status, Status::Fail | Status::Warn)
            && c.certificate.is_none()
    }) {
        c.set_status(Status::Info);
        c.detail = format!(
            "{} (informational: DANE-EE authenticates the key instead, RFC 7672 §3.1.1)",
            c.detail
        );
    }
}

/// A missing TLS-RPT record is information alone, but a warning beside MTA-STS (RFC 8461 §6) or
/// DANE: senders that fail to deliver securely have nobody to tell.
fn tls_rpt_where_policies_are_deployed(t: &mut TargetReport) {
    let sts = t.mta_sts.as_ref().is_some_and(|s| !s.candidates.is_empty());
    let dane = t.endpoints.iter().any(EndpointReport::has_tlsa);
    let why = match (sts, dane) {
        (true, _) => {
            "although MTA-STS is deployed: failed secure deliveries go unreported (RFC 8461 §6)"
        }
        (false, true) => "although DANE is deployed: failed secure deliveries go unreported",
        (false, false) => return,
    };
    let warn = |c: &mut Check| {
        if c.id == CheckId::TlsRptMissing && c.status == Status::Info {
            c.set_status(Status::Warn);
            c.detail = format!("{}, {why}", c.detail);
        }
    };
    t.checks.iter_mut().for_each(warn);
    if let Some(rpt) = t.tls_rpt.as_mut() {
        rpt.checks.iter_mut().for_each(warn);
    }
}

/// The A+ evidence of an endpoint beyond its checks: TLS 1.3 accepted and nothing older than
/// TLS 1.2 (from the version matrix), and authentication a downgrade cannot strip: DANE, or
/// MTA-STS `enforce` covering it over TLS 1.3.
fn endpoint_a_plus_evidence(ep: &EndpointReport) -> bool {
    let modern_only = ep.protocols.as_ref().is_some_and(|m| {
        m.tls13 == Some(true)
            && m.sslv3 == Some(false)
            && m.tls10 == Some(false)
            && m.tls11 == Some(false)
    });
    let tls13 = ep
        .negotiated
        .as_ref()
        .is_some_and(|n| n.version == ProtocolVersion::TLSv1_3);
    let dane = ep.dane.as_ref().is_some_and(|d| d.valid);
    modern_only && (dane || (ep.mta_sts_authenticated && tls13))
}

/// The A+ evidence of a target beyond its endpoints: for a mail domain, MTA-STS `enforce`
/// covering every MX host or DANE protecting the domain, and a valid TLS-RPT record. A service
/// target needs nothing more.
fn target_a_plus_evidence(t: &TargetReport) -> bool {
    if t.kind != Kind::MailDomain {
        return true;
    }
    let sts = t.mta_sts.as_ref().is_some_and(|s| s.protected);
    let dane = t.dane.as_ref().is_some_and(|d| d.protected);
    let rpt = t.tls_rpt.as_ref().is_some_and(|r| r.record.is_some());
    (sts || dane) && rpt
}

/// The worst cap the checks trigger.
fn worst_cap(checks: &[Check]) -> Option<Grade> {
    checks.iter().filter_map(|c| c.cap).max()
}

/// Endpoint grade. `reached_tls` says whether a TLS handshake gave results to score; without it
/// only failing checks can grade the endpoint (otherwise it is "?"). `a_plus_evidence`: the A+
/// conditions that are not checks hold.
fn endpoint_grade(
    checks: &[Check],
    score: &Score,
    reached_tls: bool,
    a_plus_evidence: bool,
) -> GradeValue {
    let cap = worst_cap(checks);
    if !reached_tls {
        return match cap {
            Some(g) if checks.iter().any(|c| c.status == Status::Fail) => GradeValue::Letter(g),
            _ => GradeValue::Unknown,
        };
    }
    let base = score::letter(score).unwrap_or(Grade::A);
    let g = cap.map_or(base, |c| c.max(base));
    let warned = checks
        .iter()
        .any(|c| c.status == Status::Warn || c.status == Status::Fail);
    if g == Grade::A && a_plus_evidence && !warned {
        GradeValue::Letter(Grade::APlus)
    } else {
        GradeValue::Letter(g)
    }
}

/// Domain grade: the worst graded endpoint, lowered by the domain checks' caps. Endpoints that
/// could not be tested ("?") are left out but block A+; when every endpoint is "?", so is the
/// domain.
fn domain_grade(
    endpoint_grades: &[GradeValue],
    domain_checks: &[Check],
    a_plus_evidence: bool,
) -> GradeValue {
    let letters: Vec<Grade> = endpoint_grades
        .iter()
        .filter_map(|g| match g {
            GradeValue::Letter(l) => Some(*l),
            GradeValue::Unknown => None,
        })
        .collect();
    let cap = worst_cap(domain_checks);
    let Some(worst) = letters.iter().max().copied() else {
        // Nothing graded: only a domain-level failure (e.g. every MX unroutable) can grade it.
        return match cap {
            Some(Grade::F) => GradeValue::Letter(Grade::F),
            _ => GradeValue::Unknown,
        };
    };
    let mut g = cap.map_or(worst, |c| c.max(worst));
    let any_unknown = letters.len() != endpoint_grades.len();
    if g == Grade::APlus && (any_unknown || !a_plus_evidence) {
        g = Grade::A;
    }
    GradeValue::Letter(g)
}

/// Sorts checks for display: most severe cap first, then status severity, then id (stable
/// output for the same input).
pub fn sort_checks(checks: &mut [Check]) {
    fn rank(s: Status) -> u8 {
        match s {
            Status::Fail => 0,
            Status::Error => 1,
            Status::Warn => 2,
            Status::Info => 3,
            Status::Pass => 4,
        }
    }
    checks.sort_by(|a, b| {
        b.cap
            .cmp(&a.cap)
            .then(rank(a.status).cmp(&rank(b.status)))
            .then(a.id.cmp(&b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DANE-EE authenticates the key of the chain it matched: that chain's PKIX and revocation
    /// findings become information, another certificate's do not.
    #[test]
    fn dane_ee_softens_the_matched_chain_only() {
        let mut ep = crate::testkit::full_report()
            .targets
            .remove(0)
            .endpoints
            .remove(0);
        assert!(ep.dane.as_ref().unwrap().dane_ee);
        let mut rsa_expired = Check::new(
            CheckId::CertExpired,
            Status::Fail,
            "the RSA certificate: expired",
        );
        rsa_expired.certificate = Some(crate::report::SelectedBy::Rsa);
        ep.checks = vec![
            Check::new(CheckId::CertRevoked, Status::Fail, "revoked"),
            Check::new(CheckId::CertMustStaple, Status::Fail, "no staple"),
            rsa_expired,
        ];
        grade_endpoint(&mut ep);
        let status = |id: CheckId| ep.checks.iter().find(|c| c.id == id).unwrap().status;
        assert_eq!(status(CheckId::CertRevoked), Status::Info);
        assert_eq!(status(CheckId::CertMustStaple), Status::Info);
        assert_eq!(status(CheckId::CertExpired), Status::Fail);
        assert_eq!(ep.grade, Some(GradeValue::Letter(Grade::B)));
    }

    fn good_score() -> Score {
        Score {
            protocol: Some(100),
            key_exchange: Some(90),
            cipher: Some(80),
        }
    }

    #[test]
    fn caps_lower_the_grade_and_passing_checks_do_not() {
        let checks = vec![
            Check::new(CheckId::StarttlsOffered, Status::Pass, ""),
            Check::new(CheckId::CertSelfSigned, Status::Warn, ""),
        ];
        assert_eq!(
            endpoint_grade(&checks, &good_score(), true, false),
            GradeValue::Letter(Grade::B)
        );
        let checks = vec![Check::new(CheckId::StarttlsOffered, Status::Fail, "")];
        assert_eq!(
            endpoint_grade(&checks, &Score::default(), false, false),
            GradeValue::Letter(Grade::F)
        );
    }

    #[test]
    fn errors_alone_give_unknown_not_fail() {
        let checks = vec![Check::new(CheckId::SmtpGreeting, Status::Error, "timeout")];
        assert_eq!(
            endpoint_grade(&checks, &Score::default(), false, false),
            GradeValue::Unknown
        );
    }

    #[test]
    fn a_plus_needs_evidence_and_no_warnings() {
        let clean = vec![Check::new(CheckId::CertTrusted, Status::Pass, "")];
        assert_eq!(
            endpoint_grade(&clean, &good_score(), true, true),
            GradeValue::Letter(Grade::APlus)
        );
        assert_eq!(
            endpoint_grade(&clean, &good_score(), true, false),
            GradeValue::Letter(Grade::A)
        );
        let warned = vec![Check::new(CheckId::CertExpiring, Status::Warn, "")];
        assert_eq!(
            endpoint_grade(&warned, &good_score(), true, true),
            GradeValue::Letter(Grade::A)
        );
    }

    #[test]
    fn domain_takes_the_worst_endpoint_ignoring_unknown_but_unknown_blocks_a_plus() {
        use GradeValue::*;
        let g = domain_grade(&[Letter(Grade::APlus), Letter(Grade::F)], &[], true);
        assert_eq!(g, Letter(Grade::F));
        let g = domain_grade(&[Letter(Grade::APlus), Unknown], &[], true);
        assert_eq!(g, Letter(Grade::A));
        let g = domain_grade(&[Letter(Grade::APlus)], &[], true);
        assert_eq!(g, Letter(Grade::APlus));
        assert_eq!(domain_grade(&[Unknown, Unknown], &[], true), Unknown);
        let caps = [Check::new(CheckId::MxImplicit, Status::Warn, "")];
        assert_eq!(
            domain_grade(&[Letter(Grade::APlus)], &caps, true),
            Letter(Grade::A)
        );
    }

    #[test]
    fn checks_sort_by_cap_then_status() {
        let mut c = vec![
            Check::new(CheckId::CertTrusted, Status::Pass, ""),
            Check::new(CheckId::CertSelfSigned, Status::Warn, ""),
            Check::new(CheckId::TlsSslv3, Status::Fail, ""),
            Check::new(CheckId::TlsCipher, Status::Info, ""),
        ];
        sort_checks(&mut c);
        let ids: Vec<_> = c.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "tls.sslv3",
                "cert.self-signed",
                "tls.cipher",
                "cert.trusted"
            ]
        );
    }
}
