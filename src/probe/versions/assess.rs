//! The version matrix from the probes' outcomes and the full handshake: which versions are
//! accepted, refused or unknown, the `tls.*` version checks, what a failed full handshake means,
//! and which version the fallback probe must offer.

use super::*;

/// How the full handshake of the endpoint went, as far as the version matrix cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MainHandshake {
    /// The connection or the dialogue before TLS failed: no handshake was tried.
    NotTried,
    /// Completed at this version: evidence of acceptance on its own.
    Completed(ProtocolVersion),
    /// Tried and failed: why, and the failure in words.
    Failed(Failure, String),
}

/// What a failed full handshake means, in the version probes' view (`direct_tls`: the port
/// speaks TLS at once, no STARTTLS).
/// - A direct-TLS port whose every answer is something else does not speak TLS at all:
///   [`Failure::NotTls`], with what a probe saw (its first line) as the message; nothing to
///   grade — not a broken TLS server (after a STARTTLS go-ahead the same answer is a broken
///   STARTTLS, and stays a failure).
/// - internal_error from a server whose TLS 1.2/1.3 hellos the probes saw answered by
///   ServerHello is the server's own failure (typically a key it cannot sign with; never a
///   refusal of what the client offered): [`Failure::AbortedAfterHello`], no client completes a
///   handshake — unless a probe, which offers more signature schemes (Ed448), got a whole signed
///   first flight: then the key is one the full handshake cannot use, [`Failure::Incompatible`].
pub fn explain_failure(
    main: MainHandshake,
    outcomes: &[VersionOutcome],
    direct_tls: bool,
) -> MainHandshake {
    let accepted = || outcomes.iter().filter(|o| o.support == Support::Accepted);
    let modern_hello = accepted().any(|o| matches!(o.probe, Probe::Tls12 | Probe::Tls13));
    let signed_for_a_probe = accepted().any(|o| o.flight_complete);
    match main {
        MainHandshake::Failed(Failure::Alert(a @ rustls::AlertDescription::InternalError), m)
            if modern_hello =>
        {
            let why = if signed_for_a_probe {
                Failure::Incompatible
            } else {
                Failure::AbortedAfterHello(a)
            };
            MainHandshake::Failed(why, m)
        }
        MainHandshake::Failed(Failure::Malformed, _)
            if direct_tls && outcomes.iter().all(|o| o.not_tls) =>
        {
            // The probe's words name what came back; rustls's only say it did not decode.
            let seen = outcomes
                .iter()
                .map(|o| o.detail.as_str())
                .max_by_key(|d| d.len());
            MainHandshake::Failed(Failure::NotTls, seen.unwrap_or_default().to_string())
        }
        other => other,
    }
}

/// What the version matrix means for the report and the grade.
#[derive(Debug, Default)]
pub struct Assessment {
    pub protocols: VersionMap<Option<bool>>,
    pub details: VersionMap<Option<ProtocolDetail>>,
    pub checks: Vec<Check>,
    /// A supported version below the best, for the TLS_FALLBACK_SCSV probe (needs two versions).
    pub fallback_below: Option<Probe>,
}

/// The best accepted version that sent its certificates in clear text: what a server without
/// TLS 1.2/1.3 is graded from.
pub fn legacy_evidence(outcomes: &[VersionOutcome]) -> Option<&VersionOutcome> {
    outcomes
        .iter()
        .filter(|o| o.support == Support::Accepted && !o.certificates.is_empty())
        .max_by_key(|o| o.probe.target_version())
}

/// Turns the five outcomes into the matrix and its checks; `main` is how the full handshake
/// went (the version it negotiated is evidence of acceptance on its own, and its refusal of
/// TLS 1.2 and 1.3 is the one `tls.modern-missing` the endpoint gets).
pub fn assess(outcomes: &[VersionOutcome], main: &MainHandshake) -> Assessment {
    let mut a = Assessment::default();
    for o in outcomes {
        let v = o.probe.target_version();
        if let Some(slot) = a.protocols.get_mut(v) {
            *slot = match o.support {
                Support::Accepted => Some(true),
                Support::Refused => Some(false),
                Support::Unknown => None,
            };
        }
        if let Some(slot) = a.details.get_mut(v) {
            *slot = Some(ProtocolDetail {
                result: o.support,
                cipher: o.cipher,
                detail: o.detail.clone(),
            });
        }
    }
    // A server that answers with ServerHello and its certificate but never finishes: its
    // versions are accepted only as far as the ServerHello goes.
    if let MainHandshake::Failed(Failure::AbortedAfterHello(alert), _) = main {
        for (_, d) in a.details.iter_mut() {
            if let Some(d) = d.as_mut().filter(|d| d.result == Support::Accepted) {
                d.detail = format!(
                    "{}; ServerHello only, the handshake never completes (the full handshake ends with alert {alert:?})",
                    d.detail
                );
            }
        }
    }
    // Other evidence: the full handshake's version, and a lower version a server answered with.
    let negotiated = match main {
        MainHandshake::Completed(v) => Some(*v),
        _ => None,
    };
    let lower = outcomes.iter().filter_map(|o| o.answered_lower);
    for v in negotiated.into_iter().chain(lower) {
        if let Some(slot @ None) = a.protocols.get_mut(v) {
            *slot = Some(true);
        }
    }

    let list = |want: Option<bool>| -> Vec<Probe> {
        a.protocols
            .iter()
            .zip(Probe::ALL)
            .filter(|((_, v), _)| **v == want)
            .map(|(_, p)| p)
            .collect()
    };
    let (accepted, refused, unknown) = (list(Some(true)), list(Some(false)), list(None));
    let names = |ps: &[Probe]| ps.iter().map(|p| name_of(*p)).collect::<Vec<_>>();
    let mut summary = format!(
        "accepted: {}",
        if accepted.is_empty() {
            "none".into()
        } else {
            names(&accepted).join(", ")
        }
    );
    if !refused.is_empty() {
        summary.push_str(&format!("; refused: {}", names(&refused).join(", ")));
    }
    if !unknown.is_empty() {
        summary.push_str(&format!("; could not tell: {}", names(&unknown).join(", ")));
    }
    let nothing_told = accepted.is_empty() && !unknown.is_empty();
    let handshake_failed = matches!(main, MainHandshake::Failed(..));
    // After a failed handshake, "could not tell any version" adds nothing to that failure.
    if !(nothing_told && handshake_failed) {
        let status = if nothing_told {
            Status::Error
        } else {
            Status::Info
        };
        a.checks
            .push(Check::new(CheckId::TlsVersions, status, summary));
    }

    if a.protocols.sslv3 == Some(true) {
        a.checks.push(Check::new(
            CheckId::TlsSslv3,
            Status::Fail,
            "SSL 3.0 accepted: broken by POODLE and prohibited by RFC 7568",
        ));
    }
    let legacy: Vec<Probe> = accepted
        .iter()
        .copied()
        .filter(|p| matches!(p, Probe::Tls10 | Probe::Tls11))
        .collect();
    if !legacy.is_empty() {
        a.checks.push(Check::new(
            CheckId::TlsLegacyVersions,
            Status::Warn,
            format!(
                "{} accepted: deprecated since 2021 (RFC 8996)",
                names(&legacy).join(" and ")
            ),
        ));
    }
    let modern = a.protocols.tls12 == Some(true) || a.protocols.tls13 == Some(true);
    if let MainHandshake::Failed(Failure::NoModernVersion, why) = main {
        a.checks.push(Check::new(
            CheckId::TlsModernMissing,
            Status::Fail,
            format!("no TLS 1.2 or 1.3: {why}"),
        ));
    } else if !accepted.is_empty()
        && !modern
        && a.protocols.tls12 == Some(false)
        && a.protocols.tls13 == Some(false)
    {
        a.checks.push(Check::new(
            CheckId::TlsModernMissing,
            Status::Fail,
            format!("no TLS 1.2 or 1.3: only {}", names(&accepted).join(", ")),
        ));
    }
    // Version intolerance: an offer of V died without an alert while a lower version works.
    let lowest_accepted = accepted.iter().min().copied();
    let intolerant: Vec<Probe> = outcomes
        .iter()
        .filter(|o| o.died_silently && lowest_accepted.is_some_and(|low| o.probe > low))
        .map(|o| o.probe)
        .collect();
    if !intolerant.is_empty() {
        a.checks.push(Check::new(
            CheckId::TlsVersionIntolerance,
            Status::Warn,
            format!(
                "the server drops the connection on a {} hello instead of answering with a version it supports (RFC 5246 App. E.1, RFC 8446 App. D)",
                names(&intolerant).join(" / ")
            ),
        ));
    }
    // TLS_FALLBACK_SCSV needs two accepted versions: offer the second best.
    if accepted.len() >= 2 {
        a.fallback_below = accepted.get(accepted.len() - 2).copied();
    }
    a
}
