//! The endpoint probe sequence: which probe runs when, and what waits for what.
//!
//! First wave, at once: the full handshake (dialogue, rustls handshake, certificate), the five
//! version probes, the TLS_FALLBACK_SCSV probe the commonest matrix needs, and the
//! STARTTLS-injection probe. The handshake asks first for a connection of the address's
//! `--per-ip` limit: it decides whether the rest is worth waiting for (a refused connection, a
//! tarpit or a dialogue without STARTTLS ends the endpoint at once). Then, from the version
//! matrix: the exact fallback probe when the speculative one was the wrong version, the
//! certificate of an old-version-only server from its clear-text handshake, and the cipher,
//! key-exchange and flaw probes. The report this returns is not graded: grades need what the
//! target stage adds (DANE, MTA-STS).

use std::time::Instant;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio::sync::Semaphore;

use super::plan::EndpointPlan;
use crate::config::ScanConfig;
use crate::grade::rubric::CheckId;
use crate::inspect;
use crate::net::starttls::{self, Dialogue, DialogueTimeouts};
use crate::probe::tls;
use crate::probe::versions::{self, MainHandshake, ProbeTarget, VersionOutcome};
use crate::report::{Check, EndpointReport, ErrorKind, Negotiated, Status};
use crate::target::{Host, Transport};

/// Scans one endpoint, every connection under `limit` (the address's `--per-ip` semaphore).
pub(super) async fn scan(cfg: &ScanConfig, limit: &Semaphore, p: EndpointPlan) -> EndpointReport {
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
    let (main, outcomes) = {
        let mut main = std::pin::pin!(async {
            let _permit = limit.acquire().await;
            handshake(cfg, &target, &name, &mut rep).await
        });
        // Boxed, as is the cipher stage below: these futures hold read buffers across awaits,
        // and the batch keeps one scan future per in-flight target, so inline they would be
        // paid for by every target, even one whose connection is refused.
        let mut probes = Box::pin(async {
            let speculative = async {
                let _permit = limit.acquire().await;
                versions::fallback_scsv(&target, versions::SPECULATIVE_FALLBACK).await
            };
            let injection = async {
                if !cfg.cipher_probes || target.transport != Transport::SmtpStartTls {
                    return None;
                }
                let _permit = limit.acquire().await;
                Some(crate::probe::injection::probe(&target).await)
            };
            tokio::join!(versions::probe_all(&target, limit), speculative, injection)
        });
        let mut outcomes = None;
        let main = loop {
            tokio::select! {
                // The handshake first: the permits go first come, first served, and it decides
                // whether the probes are waited for at all.
                biased;
                m = &mut main => break m,
                o = &mut probes, if outcomes.is_none() => outcomes = Some(o),
            }
        };
        // Nothing listens (refused, unreachable, timed out), or the dialogue before TLS failed
        // (no greeting: a tarpit; a refusal; no STARTTLS): every probe would only repeat that,
        // each waiting out the same timeout, so they are dropped, and the report has no
        // version matrix.
        match (&main, outcomes) {
            (MainHandshake::NotTried, _) => (main, None),
            (_, Some(o)) => (main, Some(o)),
            (_, None) => (main, Some(probes.await)),
        }
    };
    if let Some((outcomes, speculative, injection)) = outcomes {
        versions_stage(&target, limit, &outcomes, speculative, &main, &mut rep).await;
        if !matches!(main, MainHandshake::Completed(_)) {
            legacy_certificate(cfg, &outcomes, &name, &mut rep);
        }
        if cfg.cipher_probes {
            Box::pin(crate::probe::ciphers::apply(
                &target,
                limit,
                &outcomes,
                cfg.full_ciphers,
                injection,
                &mut rep,
            ))
            .await;
        }
    }
    rep.elapsed_ms = started.elapsed().as_millis() as u64;
    rep
}

/// The version matrix, its checks and the fallback probe (`speculative`: the fallback probe
/// already run at [`versions::SPECULATIVE_FALLBACK`]).
async fn versions_stage(
    target: &ProbeTarget,
    limit: &Semaphore,
    outcomes: &[VersionOutcome],
    speculative: (Option<bool>, String),
    main: &MainHandshake,
    rep: &mut EndpointReport,
) {
    let a = versions::assess(outcomes, main);
    rep.checks.extend(a.checks);
    rep.protocols = Some(a.protocols);
    rep.protocol_details = Some(a.details);
    if let Some(below) = a.fallback_below {
        let (result, detail) = if below == versions::SPECULATIVE_FALLBACK {
            speculative
        } else {
            let _permit = limit.acquire().await;
            versions::fallback_scsv(target, below).await
        };
        let status = match result {
            Some(true) => Status::Pass,
            Some(false) => Status::Warn,
            None => Status::Error,
        };
        rep.checks
            .push(Check::new(CheckId::TlsFallbackScsv, status, detail));
    }
}

/// When no TLS 1.2/1.3 handshake was possible but an older version was accepted, the
/// certificates that version sent in clear text are judged instead: the endpoint is graded
/// after all, and the handshake failure is a check, not the end.
fn legacy_certificate(
    cfg: &ScanConfig,
    outcomes: &[VersionOutcome],
    name: &ServerName<'static>,
    rep: &mut EndpointReport,
) {
    let Some(best) = versions::legacy_evidence(outcomes) else {
        return;
    };
    rep.negotiated = Some(Negotiated {
        version: best.probe.target_version().name().into_owned(),
        cipher: best.cipher.clone().unwrap_or_default(),
        group: None,
    });
    let chain: Vec<CertificateDer<'static>> = best
        .certificates
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    add_certificate(cfg, &chain, name, rep);
    rep.error = None;
}

/// The dialogue and the full handshake on one connection: the negotiated parameters, the
/// certificate, and the dialogue's findings before and after TLS.
async fn handshake(
    cfg: &ScanConfig,
    target: &ProbeTarget,
    name: &ServerName<'static>,
    rep: &mut EndpointReport,
) -> MainHandshake {
    let t = target.timeouts;
    let (mut dialogue, ready) =
        crate::net::open_session(target.dial, target.transport, &cfg.ehlo_name, t).await;
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
            return MainHandshake::NotTried;
        }
    };

    let (handshake, tls_stream) = match tls::handshake(stream, name.clone(), cfg.timeout).await {
        Ok((s, h)) => (h, s),
        Err(f) => {
            let outcome = if f.no_modern_version {
                MainHandshake::NoModernVersion(f.error.message.clone())
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
                MainHandshake::Failed
            };
            if let Some(d) = dialogue.take() {
                add_dialogue(d, rep);
            }
            // A chain seen before the failure is still worth reporting.
            if !f.recorded.chain.is_empty() {
                add_certificate(cfg, &f.recorded.chain, name, rep);
            }
            rep.error = Some(f.error);
            return outcome;
        }
    };
    let neg = handshake.negotiated.clone();
    rep.ocsp_stapled = Some(!handshake.recorded.ocsp.is_empty());
    rep.checks.push(if neg.version == "TLSv1.3" {
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
    rep.negotiated = Some(neg.clone());
    add_certificate(cfg, &handshake.recorded.chain, name, rep);

    if let Some(d) = dialogue.as_mut() {
        let mut s = tls_stream;
        match target.transport {
            Transport::SmtpStartTls => starttls::smtp_after_tls(&mut s, &cfg.ehlo_name, t, d).await,
            Transport::ImapStartTls => starttls::imap_after_tls(&mut s, t, d).await,
            Transport::Pop3StartTls => starttls::pop3_after_tls(&mut s, t, d).await,
            Transport::Tls => {}
        }
    }
    if let Some(d) = dialogue {
        add_dialogue(d, rep);
    }
    MainHandshake::Completed(neg.version)
}

fn add_dialogue(d: Dialogue, rep: &mut EndpointReport) {
    let Dialogue { report, checks } = d;
    rep.checks.extend(checks);
    rep.starttls = Some(report);
}

/// Inspects a presented chain into the report: its facts and the certificate checks.
fn add_certificate(
    cfg: &ScanConfig,
    chain: &[CertificateDer<'static>],
    name: &ServerName<'static>,
    rep: &mut EndpointReport,
) {
    match inspect::inspect(chain, name, &cfg.trust, UnixTime::now(), cfg.warn_days) {
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

/// The name a connection to `p` presents (SNI) and is checked against.
fn server_name(p: &EndpointPlan) -> ServerName<'static> {
    match &p.host {
        Host::Name(n) => ServerName::try_from(n.clone())
            .unwrap_or_else(|_| ServerName::IpAddress(p.dial.ip().into())),
        Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
    }
}
