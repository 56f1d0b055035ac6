//! The probes that need no version matrix, started with the version probes: STARTTLS
//! injection, renegotiation, and the TLS 1.2 key-exchange prelude with ROBOT after it.

use crate::config::ScanConfig;
use crate::probe::ciphers;
use crate::probe::conn::Prober;
use crate::probe::versions;
use crate::probe::{injection, renegotiation};
use crate::report::Check;
use crate::target::Transport;
use crate::wire::hello::Probe;

use super::cipher_stage::robot_check;

/// A probe started with the version probes whose checks the cipher stage reads: whoever awaits
/// a clone first drives it, and every clone gets the same result.
pub(super) type EarlyChecks<'a> =
    futures::future::Shared<futures::future::BoxFuture<'a, Option<(Vec<Check>, u32)>>>;

/// The probes that need no version matrix, started with the version probes so that their
/// waits overlap the other connections rather than follow them.
pub(super) struct EarlyProbes<'a> {
    /// STARTTLS injection (SMTP, IMAP, POP3): the server's answer and the connections.
    pub(super) injection: futures::future::Shared<
        futures::future::BoxFuture<'a, Option<(injection::Injection, u32)>>,
    >,
    /// Renegotiation, once the TLS 1.2 probe is accepted.
    pub(super) renegotiation: EarlyChecks<'a>,
    /// The TLS 1.2 key-exchange prelude ([`ciphers::kx_prelude`]), once the TLS 1.2 probe is
    /// accepted and the full handshake completed: it needs no other version, and the ROBOT
    /// chain it starts is the longest of the flaw probes.
    pub(super) prelude:
        futures::future::Shared<futures::future::BoxFuture<'a, Option<ciphers::Reply>>>,
    /// ROBOT at TLS 1.2 after the prelude, as soon as it is answered; its connections count
    /// the prelude's too, since it always follows it.
    pub(super) robot: futures::future::Shared<futures::future::BoxFuture<'a, Option<(Check, u32)>>>,
}

/// Whether the TLS 1.2 probe was accepted, once it is known (`false` if it never will be).
async fn accepted(mut tls12: tokio::sync::watch::Receiver<Option<bool>>) -> bool {
    matches!(
        tls12.wait_for(|v| v.is_some()).await.as_deref(),
        Ok(Some(true))
    )
}

pub(super) fn early_probes<'a>(
    cfg: &'a ScanConfig,
    prober: &'a Prober,
    tls12_accepted: tokio::sync::watch::Receiver<Option<bool>>,
    negotiated: versions::MainVersion,
) -> EarlyProbes<'a> {
    use futures::FutureExt;
    // Its own count, read by ROBOT: whoever drives the prelude, ROBOT awaits it.
    let prelude_prober = prober.counted();
    let prelude = {
        let (prelude_prober, tls12_accepted) = (prelude_prober.clone(), tls12_accepted.clone());
        async move {
            if !cfg.cipher_probes {
                return None;
            }
            let mut main = negotiated;
            // A handshake that failed (one that aborts after its ServerHello, say) may leave
            // the cipher stage out: the prelude is then the cipher stage's to send, if it runs.
            let completed = matches!(
                main.wait_for(|v| v.is_some()).await.as_deref(),
                Ok(Some(Some(_)))
            );
            if !(accepted(tls12_accepted).await && completed) {
                return None;
            }
            Some(ciphers::kx_prelude_at(&prelude_prober, Probe::Tls12).await)
        }
        .boxed()
        .shared()
    };
    let robot = {
        let prelude = prelude.clone();
        async move {
            let reply = prelude.await?;
            let counted = prober.counted();
            let check = robot_check(&counted, Probe::Tls12, Some(&reply)).await;
            Some((check, counted.connections() + prelude_prober.connections()))
        }
        .boxed()
        .shared()
    };
    let injection = async move {
        if !cfg.cipher_probes || prober.target().transport == Transport::Tls {
            return None;
        }
        let counted = prober.counted();
        let answer = injection::probe(&counted).await;
        Some((answer, counted.connections()))
    };
    let renegotiation = async move {
        if !cfg.cipher_probes {
            return None;
        }
        if !accepted(tls12_accepted).await {
            return None;
        }
        let counted = prober.counted();
        let checks = renegotiation::probe(&counted).await;
        Some((checks, counted.connections()))
    };
    EarlyProbes {
        injection: injection.boxed().shared(),
        renegotiation: renegotiation.boxed().shared(),
        prelude,
        robot,
    }
}
