//! The endpoint probe sequence: which probe runs when, and what waits for what.
//!
//! First wave, at once: the full handshake (dialogue, rustls handshake, certificate), the
//! version probes (TLS 1.2, one hello for SSL 3.0 to TLS 1.1, and TLS 1.3 only when the
//! handshake did not negotiate it), the TLS_FALLBACK_SCSV probe the commonest matrix needs, and
//! the probes that need no matrix ([`early::EarlyProbes`]: STARTTLS injection; renegotiation as soon
//! as the TLS 1.2 probe is accepted; the TLS 1.2 key-exchange prelude and ROBOT after it once
//! the handshake has completed too), whose waits then overlap everything else. The
//! handshake asks first for a connection of the address's `--per-ip` limit: it decides whether
//! the rest is worth waiting for (a refused connection, a tarpit or a dialogue without STARTTLS
//! ends the endpoint at once); its dialogue after TLS ([`Tail`]) runs beside the later stages,
//! and its permit then goes straight to the resumption probe, which needs only its session.
//! Then, from the version matrix (without waiting for the fallback probe, which only adds its
//! check): the exact fallback probe when the speculative one was the wrong version, the certificate of an old-version-only server from its clear-text handshake,
//! and the cipher, key-exchange and flaw probes. No probe holds a connection it is not using:
//! a server that serves one connection at a time (openssl s_server) would stall every other.
//! The report this returns is not graded: grades need what the target stage adds (DANE,
//! MTA-STS).

mod certificates;
mod cipher_stage;
mod early;

use cipher_stage::cipher_stage;
use early::early_probes;

use std::sync::Arc;
use std::time::Instant;

use rustls_pki_types::{CertificateDer, ServerName};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::plan::EndpointPlan;
use crate::config::ScanConfig;
use crate::grade::rubric::CheckId;
use crate::inspect;
use crate::net::starttls::{self, Dialogue, DialogueTimeouts};
use crate::probe::conn::{ProbeTarget, Prober};
use crate::probe::tls::{self, CertKind, Failure, Offer};
use crate::probe::versions::{self, MainHandshake, VersionOutcome};
use crate::probe::{injection, resumption};
use crate::report::{
    CertificateReport, Check, EndpointReport, ErrorKind, Negotiated, SelectedBy, Status,
};
use crate::revocation::{self, fetch::Fetcher};
use crate::target::{Host, Transport};
use crate::wire::enums::{CipherSuite, ProtocolVersion};
use crate::wire::hello::Probe;
use crate::wire::keys::KeyType;
use certificates::{
    add_certificate, certificates_stage, legacy_certificate, other_certificates, other_kinds,
};

/// Scans one endpoint, every connection under `limit` (the address's `--per-ip` semaphore).
/// `revocation` fetches CRLs and OCSP answers (`None` under `--no-revocation`).
pub(super) async fn scan(
    cfg: &ScanConfig,
    limit: Arc<Semaphore>,
    revocation: Option<&Fetcher>,
    p: EndpointPlan,
) -> EndpointReport {
    let started = Instant::now();
    let mut rep = EndpointReport::new(
        p.host.to_string(),
        Some(p.dial.ip().to_string()),
        p.port,
        p.transport,
    );
    rep.connected_to = p.rerouted.then(|| p.dial.to_string());
    let target = ProbeTarget {
        dial: p.dial,
        transport: p.transport,
        sni: p.host.dns_name().map(str::to_string),
        ehlo_name: cfg.ehlo_name.clone(),
        timeouts: DialogueTimeouts {
            greeting: cfg.greeting_timeout,
            command: cfg.timeout,
        },
    };
    let name = server_name(&p);
    let prober = Prober::new(target, limit);
    let mut staple = None;
    // The full handshake's session, and the configuration it ran with, for the resumption probe.
    let sessions = resumption::Sessions::new();
    let mut full_config = None;
    // What the full handshake negotiated, for the version probes, as soon as it is known.
    let (negotiated_tx, negotiated_rx) = tokio::sync::watch::channel(None);
    // Whether the TLS 1.2 probe was accepted, for the renegotiation probe, as soon as it is known.
    let (tls12_tx, tls12_rx) = tokio::sync::watch::channel(None);
    let early = early_probes(cfg, &prober, tls12_rx, negotiated_rx.clone());
    // The fallback probe the commonest matrix needs (TLS 1.3 best), beside the version probes;
    // whoever awaits a clone first drives it.
    let speculative = {
        use futures::FutureExt;
        Box::pin(versions::fallback_scsv(
            &prober,
            versions::SPECULATIVE_FALLBACK,
        ))
        .shared()
    };
    let (main_done, tail, outcomes, probes) = {
        // Boxed so that it can be dropped once done, ending its hold on the report.
        let mut main = Box::pin(async {
            let (m, tail) = handshake(
                cfg,
                &prober,
                &name,
                MainOutputs {
                    staple: &mut staple,
                    sessions: &sessions,
                    full_config: &mut full_config,
                    negotiated: &negotiated_tx,
                },
                &mut rep,
            )
            .await;
            // A handshake that did not complete says so, so that no probe waits for it.
            negotiated_tx.send_if_modified(|v| {
                let unset = v.is_none();
                if unset {
                    *v = Some(None);
                }
                unset
            });
            (m, tail)
        });
        // Boxed, as is the cipher stage below: these futures hold read buffers across awaits,
        // and the batch keeps one scan future per in-flight target, so inline they would be
        // paid for by every target, even one whose connection is refused.
        let mut probes = Box::pin(async {
            // Owned here, so that dropping the probes (nothing to probe) ends the wait of the
            // renegotiation probe too.
            let tls12_tx = tls12_tx;
            versions::probe_all(&prober, negotiated_rx, &tls12_tx).await
        });
        let (mut injection_drive, mut renegotiation_drive, mut speculative_drive) = (
            early.injection.clone(),
            early.renegotiation.clone(),
            speculative.clone(),
        );
        let (mut injection_run, mut renegotiation_run, mut speculative_run) = (false, false, false);
        let mut outcomes = None;
        let (main_done, tail) = loop {
            tokio::select! {
                // The handshake first: the permits go first come, first served, and it decides
                // whether the probes are waited for at all.
                biased;
                m = &mut main => break m,
                o = &mut probes, if outcomes.is_none() => outcomes = Some(o),
                _ = &mut speculative_drive, if !speculative_run => speculative_run = true,
                _ = &mut injection_drive, if !injection_run => injection_run = true,
                _ = &mut renegotiation_drive, if !renegotiation_run => renegotiation_run = true,
            }
        };
        drop(main);
        (main_done, tail, outcomes, probes)
    };
    // The handshake's connection finishes its dialogue after TLS (and reads TLS 1.3 tickets)
    // while everything else goes on; then the resumption probe offers its session back, under
    // the permit it hands on (the probe needs nothing else, so it need not queue behind them).
    let negotiated = rep.negotiated.as_ref().map(|n| n.version);
    let tail = async {
        let (dialogue, permit) = match tail {
            Some(t) => t.await,
            None => (None, None),
        };
        let resumed = match (cfg.cipher_probes, full_config.as_deref(), negotiated) {
            (true, Some(config), Some(version)) => {
                let counted = prober.counted();
                let r = resumption::probe(
                    &counted,
                    name.clone(),
                    p.port,
                    (config, version),
                    sessions.clone(),
                    permit,
                )
                .await;
                Some((resumption::checks(&r), counted.connections()))
            }
            _ => None,
        };
        (dialogue, resumed)
    };
    let nothing_to_probe = matches!(main_done, MainHandshake::NotTried);
    let rest = async {
        // The other kind of certificate depends on the handshake's leaf only: asked for beside
        // the version probes still running and the cipher stage, and awaited only by the
        // certificate stage.
        let asked = match (&main_done, rep.certificate.as_ref()) {
            (MainHandshake::Completed(_), Some(c)) => other_kinds(c),
            _ => Vec::new(),
        };
        let mut others = Box::pin(futures::future::maybe_done(other_certificates(
            cfg, &prober, &name, &asked,
        )));
        // Nothing listens (refused, unreachable, timed out), or the dialogue before TLS failed
        // (no greeting: a tarpit; a refusal; no STARTTLS): every probe would only repeat that,
        // each waiting out the same timeout, so they are dropped, and the report has no
        // version matrix.
        let outcomes = match (&main_done, outcomes) {
            (MainHandshake::NotTried, _) => None,
            (_, Some(o)) => Some(o),
            (_, None) => {
                // The speculative fallback probe is driven too: under `--per-ip 1` the version
                // probes may be waiting for the permit it holds.
                let matrix = Box::pin(async { tokio::join!(probes, speculative.clone()).0 });
                let o = match futures::future::select(matrix, others.as_mut()).await {
                    futures::future::Either::Left((o, _)) => o,
                    futures::future::Either::Right(((), matrix)) => matrix.await,
                };
                Some(o)
            }
        };
        if let Some(outcomes) = outcomes {
            let main =
                versions::explain_failure(main_done, &outcomes, p.transport == Transport::Tls);
            if let (MainHandshake::Failed(Failure::NotTls, seen), Some(e)) =
                (&main, rep.error.as_mut())
            {
                e.kind = ErrorKind::NotTls;
                e.message = format!("this port does not speak TLS: {seen}");
            }
            let fallback_below = versions_stage(&outcomes, &main, &mut rep);
            // The fallback probe goes on beside the rest, which needs only the matrix.
            let fallback = async {
                let below = fallback_below?;
                let speculative = speculative.clone().await;
                let probe = match below == speculative.below {
                    true => speculative,
                    false => versions::fallback_scsv(&prober, below).await,
                };
                Some(versions::fallback_check(&probe, &outcomes))
            };
            let (fallback, ()) = tokio::join!(fallback, async {
                if let MainHandshake::Failed(why, message) = &main {
                    // A server that never finishes a handshake is not graded from what its first
                    // flight showed (no client gets further), but its certificate is still shown.
                    let graded = !matches!(why, Failure::AbortedAfterHello(_));
                    let clear_text = legacy_certificate(cfg, &outcomes, &name, graded, &mut rep);
                    if let Some(c) = rep
                        .protocols
                        .as_ref()
                        .and_then(|m| tls::failure_finding(*why, message, m, clear_text))
                    {
                        rep.checks.push(c);
                    }
                }
                // No client completes a handshake with a server that aborts after its ServerHello:
                // what its ciphers and flaws would be is moot, and each probe would only fail.
                let usable = !matches!(
                    main,
                    MainHandshake::Failed(Failure::AbortedAfterHello(_), _)
                );
                // The injection probe's handshake is TLS 1.2 or 1.3: without them it cannot apply.
                let modern = rep
                    .protocols
                    .as_ref()
                    .is_some_and(|m| m.tls12 == Some(true) || m.tls13 == Some(true));
                let others = async {
                    others.as_mut().await;
                    others.as_mut().take_output().unwrap_or_default()
                };
                if cfg.cipher_probes && usable {
                    let injection = async {
                        early
                            .injection
                            .clone()
                            .await
                            .map(|(a, n)| (injection::check(&a, modern, p.transport), n))
                    };
                    let (others, ()) = tokio::join!(
                        others,
                        Box::pin(cipher_stage(
                            cfg,
                            &prober,
                            &outcomes,
                            (injection, &early),
                            &mut rep
                        ))
                    );
                    certificates_stage(cfg, &name, revocation, staple, others, &mut rep).await;
                } else {
                    if let Some((answer, _)) = early.injection.clone().await {
                        // A refusal before TLS still says something; a failed handshake is said already.
                        if !matches!(answer, injection::Injection::HandshakeFailed(..)) {
                            rep.checks
                                .push(injection::check(&answer, modern, p.transport));
                        }
                    }
                    let others = others.await;
                    certificates_stage(cfg, &name, revocation, staple, others, &mut rep).await;
                }
            });
            rep.checks.extend(fallback);
        }
    };
    // The early probes go on beside everything else until they are done, unless there is
    // nothing to probe: then, like the version probes, they are dropped.
    let drive_early = async {
        if !nothing_to_probe {
            let _ = tokio::join!(
                early.injection.clone(),
                early.renegotiation.clone(),
                early.robot.clone()
            );
        }
    };
    let ((dialogue, resumed), (), ()) = tokio::join!(tail, rest, drive_early);
    if let Some(d) = dialogue {
        add_dialogue(d, &mut rep);
    }
    // Resumption and 0-RTT are cipher-stage checks: without that stage (a handshake that
    // completed, but versions without a matrix) they are left out, as the stage is.
    if let (Some((checks, connections)), Some(c)) = (resumed, rep.ciphers.as_mut()) {
        rep.checks.extend(checks);
        c.connections += connections;
    }
    rep.elapsed_ms = started.elapsed().as_millis() as u64;
    rep
}

/// The version matrix and its checks; the version the fallback probe is for, if any.
fn versions_stage(
    outcomes: &[VersionOutcome],
    main: &MainHandshake,
    rep: &mut EndpointReport,
) -> Option<Probe> {
    let a = versions::assess(outcomes, main);
    rep.checks.extend(a.checks);
    rep.protocols = Some(a.protocols);
    rep.protocol_details = Some(a.details);
    a.fallback_below
}

/// What the full handshake hands the other stages besides the report.
struct MainOutputs<'m> {
    /// The stapled OCSP response.
    staple: &'m mut Option<Vec<u8>>,
    /// Where the session for the resumption probe is kept.
    sessions: &'m Arc<resumption::Sessions>,
    /// The configuration of the handshake that completed.
    full_config: &'m mut Option<Arc<rustls::ClientConfig>>,
    /// The version and suite, the moment the handshake completes.
    negotiated: &'m tokio::sync::watch::Sender<versions::MainNegotiated>,
}

/// The dialogue and the full handshake on one connection: the negotiated parameters, the
/// certificate, and the dialogue's findings before TLS; the rest of the connection (the
/// dialogue after TLS) is the [`Tail`] it returns.
async fn handshake<'a>(
    cfg: &'a ScanConfig,
    prober: &Prober,
    name: &ServerName<'static>,
    out: MainOutputs<'_>,
    rep: &mut EndpointReport,
) -> (MainHandshake, Option<Tail<'a>>) {
    let MainOutputs {
        staple,
        sessions,
        full_config,
        negotiated,
    } = out;
    let store = || Some(sessions.clone() as Arc<dyn rustls::client::ClientSessionStore>);
    let target: &ProbeTarget = prober.target();
    let t = target.timeouts;
    let (mut dialogue, ready) = prober.open().await;
    // The permit is held until the dialogue after TLS is done.
    let (stream, mut permit) = match ready {
        Ok((s, p)) => (s, Some(p)),
        Err(e) => {
            match dialogue.take() {
                None => rep.checks.push(Check::new(
                    CheckId::TcpConnect,
                    Status::Error,
                    e.message.clone(),
                )),
                Some(d) => {
                    let explained = d
                        .checks
                        .iter()
                        .any(|c| c.status == Status::Fail || c.status == Status::Error);
                    add_dialogue(d, rep);
                    if !explained {
                        rep.checks.push(Check::new(
                            CheckId::StarttlsDialogue,
                            Status::Error,
                            e.message.clone(),
                        ));
                    }
                }
            }
            rep.error = Some(e);
            return (MainHandshake::NotTried, None);
        }
    };

    let mut started = tokio::time::Instant::now();
    let mut result = tls::handshake(stream, name.clone(), cfg.timeout, Offer::Usual, store()).await;
    if matches!(&result, Err(f) if f.why == Failure::Incompatible) {
        // Nothing in common: once more, on a new connection, with the DHE suites too. The
        // first connection's permit goes first, so that a limit of one cannot deadlock.
        drop(permit.take());
        let (_, again) = prober.open().await;
        if let Ok((stream, second)) = again {
            permit = Some(second);
            // The second answer says more: it is to everything this client can offer.
            started = tokio::time::Instant::now();
            result =
                tls::handshake(stream, name.clone(), cfg.timeout, Offer::WithDhe, store()).await;
        }
    }
    let handshake_took = started.elapsed();
    let (handshake, tls_stream) = match result {
        Ok((s, h)) => (h, s),
        Err(f) => {
            if let Some(d) = dialogue.take() {
                add_dialogue(d, rep);
            }
            // A chain seen before the failure is still worth reporting.
            if !f.recorded.chain.is_empty() {
                add_certificate(cfg, &f.recorded.chain, name, rep);
            }
            let outcome = MainHandshake::Failed(f.why, f.error.message.clone());
            rep.error = Some(f.error);
            return (outcome, None);
        }
    };
    let neg = handshake.negotiated.clone();
    negotiated.send_replace(Some(Some((neg.version, neg.cipher))));
    *full_config = Some(handshake.config.clone());
    rep.ocsp_stapled = Some(!handshake.recorded.ocsp.is_empty());
    *staple = Some(handshake.recorded.ocsp.clone());
    rep.checks.push(if neg.version == ProtocolVersion::TLSv1_3 {
        Check::new(CheckId::TlsVersion, Status::Pass, "TLS 1.3 negotiated")
    } else {
        Check::new(
            CheckId::TlsVersion,
            Status::Warn,
            format!(
                "{} negotiated although TLS 1.3 was offered: the server has no TLS 1.3",
                neg.version
            ),
        )
    });
    rep.checks.push(Check::new(
        CheckId::TlsCipher,
        Status::Info,
        format!(
            "{} with {}",
            neg.cipher,
            neg.group.map_or("no group".into(), |g| g.name())
        ),
    ));
    if let Some(e) = &handshake.recorded.signature_error {
        rep.checks.push(Check::new(
            CheckId::TlsHandshakeSignature,
            Status::Warn,
            format!("the server's handshake signature does not verify: {e}"),
        ));
    }
    rep.negotiated = Some(neg.clone());
    add_certificate(cfg, &handshake.recorded.chain, name, rep);

    let mut s = tls_stream;
    let transport = target.transport;
    let sessions = sessions.clone();
    let version = neg.version;
    let tail = async move {
        if let Some(d) = dialogue.as_mut() {
            match transport {
                Transport::SmtpStartTls => {
                    starttls::smtp_after_tls(&mut s, &cfg.ehlo_name, t, d).await
                }
                Transport::ImapStartTls => starttls::imap_after_tls(&mut s, t, d).await,
                Transport::Pop3StartTls => starttls::pop3_after_tls(&mut s, t, d).await,
                Transport::Tls => {}
            }
        }
        // The session for the resumption probe: a TLS 1.2 one is stored with the handshake;
        // TLS 1.3 tickets come after it, read by the dialogue after TLS, or here on direct TLS.
        if version != ProtocolVersion::TLSv1_3 {
            sessions.mark_looked();
        } else if transport == Transport::Tls {
            resumption::read_tickets(&mut s, &sessions, handshake_took, t.command).await;
        }
        // close_notify: a session torn down without it is one OpenSSL forgets, and the
        // resumption probe offers it back.
        let _ = tokio::time::timeout(t.command, tokio::io::AsyncWriteExt::shutdown(&mut s)).await;
        (dialogue, permit)
    };
    (MainHandshake::Completed(neg.version), Some(Box::pin(tail)))
}

/// The rest of the full handshake's connection, once TLS is up: the dialogue after TLS, TLS 1.3
/// tickets on direct TLS, close_notify; the dialogue it returns goes into the report, and the
/// permit it held goes on to the resumption probe.
type Tail<'a> = futures::future::BoxFuture<'a, (Option<Dialogue>, Option<OwnedSemaphorePermit>)>;

fn add_dialogue(d: Dialogue, rep: &mut EndpointReport) {
    let Dialogue { report, checks } = d;
    rep.checks.extend(checks);
    // Judged with the port (submission or not), which the dialogue does not know.
    let ehlo_answered = checks_have(&rep.checks, CheckId::SmtpEhlo, Status::Pass);
    if rep.transport == Transport::SmtpStartTls && ehlo_answered {
        rep.checks.push(starttls::smtp_auth_plaintext(
            &report.capabilities,
            rep.port == 587,
        ));
    }
    rep.starttls = Some(report);
}

fn checks_have(checks: &[Check], id: CheckId, status: Status) -> bool {
    checks.iter().any(|c| c.id == id && c.status == status)
}

/// The name a connection to `p` presents (SNI) and is checked against.
fn server_name(p: &EndpointPlan) -> ServerName<'static> {
    match &p.host {
        Host::Name(n) => ServerName::try_from(n.clone())
            .unwrap_or_else(|_| ServerName::IpAddress(p.dial.ip().into())),
        Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
    }
}
