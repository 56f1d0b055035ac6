//! The cipher, key-exchange and flaw probes, once the version matrix is known.

use crate::config::ScanConfig;
use crate::grade::rubric::CheckId;
use crate::probe::ciphers::{self, judge, Known};
use crate::probe::conn::Prober;
use crate::probe::versions::VersionOutcome;
use crate::probe::{ccs, enumerate, heartbleed, poodle, renegotiation, robot};
use crate::report::{Check, EndpointReport, Status};
use crate::wire::hello::Probe;

use super::early::EarlyProbes;

/// The cipher, key-exchange and flaw probes, once the version matrix is known: the default plan
/// ([`ciphers::run`]), `--ciphers` enumeration, and Heartbleed, CCS injection and ROBOT at the
/// best TLS 1.0–1.2 version (heartbeat needs extensions, so not SSL 3.0). `early` are the
/// STARTTLS-injection check and the renegotiation probe, started with the version probes; their
/// checks and connections are counted here with the others.
pub(super) async fn cipher_stage(
    cfg: &ScanConfig,
    prober: &Prober,
    outcomes: &[VersionOutcome],
    early: (
        impl std::future::Future<Output = Option<(Check, u32)>>,
        &EarlyProbes<'_>,
    ),
    rep: &mut EndpointReport,
) {
    let (injection, early) = early;
    let early_renegotiation = early.renegotiation.clone();
    let Some(protocols) = &rep.protocols else {
        return;
    };
    let group = rep.negotiated.as_ref().and_then(|n| n.group);
    let known = Known::from_versions(outcomes, protocols, group);
    if known.accepted.is_empty() {
        return;
    }
    let flaws = prober.counted();
    let flaws = &flaws;
    let enumerations = async {
        if !cfg.full_ciphers {
            return Vec::new();
        }
        futures::future::join_all(
            known
                .accepted
                .iter()
                .map(|p| async move { (*p, enumerate::enumerate(prober, *p).await) }),
        )
        .await
    };
    let flaw_version = known
        .accepted
        .iter()
        .copied()
        .filter(|p| matches!(p, Probe::Tls10 | Probe::Tls11 | Probe::Tls12))
        .max();
    // At TLS 1.2 the version probe's connection has run them already, unless the server's
    // heartbeat left no room for the CCS test.
    let on_tls12 = known
        .tls12
        .as_ref()
        .filter(|_| flaw_version == Some(Probe::Tls12));
    let heartbleed = async {
        match on_tls12 {
            Some(t) => Some(t.heartbleed.clone()),
            None => Some(heartbleed::probe(flaws, flaw_version?).await),
        }
    };
    let ccs = async {
        match on_tls12.and_then(|t| t.ccs.clone()) {
            Some(c) => Some(c),
            None => Some(ccs::probe(flaws, flaw_version?).await),
        }
    };
    // Its refusal spares the DHE and ROBOT hellos. Sent already when TLS 1.2 was accepted (and
    // the handshake completed); otherwise here, at the best version.
    let prelude = {
        use futures::FutureExt;
        let early = early.prelude.clone();
        let known = &known;
        Box::pin(async move {
            match early.await {
                Some(reply) => Some(reply),
                None => ciphers::kx_prelude(flaws, known).await,
            }
        })
        .shared()
    };
    let robot = async {
        let v = flaw_version?;
        if v == Probe::Tls12 {
            if let Some(done) = early.robot.clone().await {
                return Some(done);
            }
        }
        let reply = prelude.clone().await;
        Some((robot_check(flaws, v, reply.as_ref()).await, 0))
    };
    let tls12 = known.accepted.contains(&Probe::Tls12);
    // Started as soon as the TLS 1.2 probe was accepted; asked here only when the matrix has
    // TLS 1.2 from other evidence (the full handshake).
    let renegotiation = async {
        if !tls12 {
            return (Vec::new(), 0);
        }
        match early_renegotiation.await {
            Some(done) => done,
            None => (renegotiation::probe(flaws).await, 0),
        }
    };
    // POODLE needs only whether a CBC suite was seen: it goes as soon as the cipher probes say.
    let ciphers_then_poodle = async {
        let (findings, enumerations) = tokio::join!(
            ciphers::run(prober, &known, prelude.clone(), cfg.full_ciphers),
            enumerations
        );
        let poodle = match tls12 {
            true => Some(poodle::check(flaws, poodle::cbc_seen(&findings, &enumerations)).await),
            false => None,
        };
        (findings, enumerations, poodle)
    };
    let (
        (renegotiation, early_connections),
        (findings, enumerations, poodle),
        heartbleed,
        ccs,
        robot,
        injection,
    ) = tokio::join!(
        renegotiation,
        ciphers_then_poodle,
        heartbleed,
        ccs,
        robot,
        injection
    );
    let mut a = judge::assess(&findings);
    judge::add_enumerations(&mut a, &enumerations);
    let tls13_only = known.accepted == [Probe::Tls13];
    a.checks.extend(heartbleed);
    a.checks.extend(ccs.or_else(|| {
        tls13_only.then(|| {
            Check::new(
                CheckId::TlsCcsInjection,
                Status::Pass,
                "TLS 1.3 only: CVE-2014-0224 is a flaw of the TLS ≤ 1.2 handshake",
            )
        })
    }));
    let (robot, robot_connections) = match robot {
        Some((c, n)) => (Some(c), n),
        None => (None, 0),
    };
    a.checks.extend(robot.or_else(|| {
        tls13_only.then(|| {
            Check::new(
                CheckId::TlsRobot,
                Status::Pass,
                "TLS 1.3 only: it has no RSA key exchange, which ROBOT needs",
            )
        })
    }));
    a.checks.extend(renegotiation);
    a.checks.extend(poodle);
    a.ciphers.connections += flaws.connections() + early_connections + robot_connections;
    if let Some((c, connections)) = injection {
        a.ciphers.connections += connections;
        a.checks.push(c);
    }
    rep.checks.extend(a.checks);
    rep.ciphers = Some(a.ciphers);
    rep.key_exchange = Some(a.key_exchange);
}

/// `tls.robot` at `version`, unless the prelude at that version was refused: then there is
/// no RSA key exchange to test, and no connection is made.
pub(super) async fn robot_check(
    prober: &Prober,
    version: Probe,
    prelude: Option<&ciphers::Reply>,
) -> Check {
    let refused =
        prelude.filter(|r| r.version == version && ciphers::prelude_settled(Some(r)) == Some(None));
    match refused {
        Some(r) => robot::verdict(
            &version.target_version().name(),
            &[robot::Attempt::NoRsa(format!(
                "a hello offering RSA key exchange (with the weak classes and DHE) was refused ({})",
                r.describe()
            ))],
            None,
        ),
        None => robot::probe(prober, version).await,
    }
}
