//! Cipher-suite classes, key exchange, secure renegotiation and TLS compression, learned with
//! hand-built hellos within a small connection budget. rustls cannot offer RC4, EXPORT, NULL or
//! anonymous suites, so every probe here is a [`crate::wire`] hello; mail servers rate-limit and
//! blocklist noisy clients, so the default plan is small and fixed:
//!
//! - per accepted version ≤ TLS 1.2, hellos offering every weak class (`rc4`, `3des`, `export`,
//!   `null`, `anon`) not yet settled (testssl.sh's method): a refusal settles them all, a
//!   ServerHello the class of the suite chosen; classes a version cannot negotiate are skipped
//!   (TLS 1.3 has none, EXPORT suites end at TLS 1.0: RFC 4346 §A.5). At the best version the
//!   first of them is the key-exchange prelude ([`kx_prelude`]), which also offers DHE and RSA
//!   key exchange: one refusal settles the weak classes, DHE and ROBOT's question together;
//! - at most two hellos to learn whether any forward-secret / AEAD suite exists when the version
//!   probe's choice did not already show it, and one reversed-order TLS 1.2 hello for the
//!   server's preference;
//! - one hello per ECDHE group (TLS 1.3 when accepted: supported_groups = that group only, so a
//!   server that supports it answers ServerHello or a HelloRetryRequest naming it; otherwise a
//!   TLS ≤ 1.2 ECDHE-only hello whose ServerKeyExchange names the curve), minus the group the
//!   full handshake already negotiated;
//! - one DHE-only hello (the DH prime's size is in the clear-text ServerKeyExchange), unless the
//!   prelude settled DHE;
//! - one ECDHE hello listing the curves under 224 bits first (with an ECDSA certificate, the
//!   reversed list lists the same curves, and its answer stands in when it chose ECDHE);
//! - one hello offering DEFLATE, whose ServerHello also shows renegotiation_info (RFC 5746) and
//!   extended_master_secret (RFC 7627).
//!
//! [`run`] sends them; the pure [`judge::assess`] turns what came back into report sections and
//! checks, so the grading rules are tested without sockets.

pub mod judge;

use crate::probe::conn::{Prober, ServerAnswer, SetupError};
use crate::report::VersionMap;
use crate::wire::enums::{CipherSuite, NamedGroup};
use crate::wire::hello::{self, ClientHelloBuilder, Probe};
use crate::wire::server::{parse_server_key_exchange, KeyExchangeParams, KxKind, ServerFlight};
use crate::wire::suites::{self, Authentication, KeyExchange, WeakClass};

/// What one cipher probe drew, at the version its hello offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub version: Probe,
    pub answer: Result<ServerAnswer, SetupError>,
}

impl Reply {
    /// The ServerHello's flight when the server accepted the offer: a ServerHello at the
    /// offered version, or a HelloRetryRequest (TLS 1.3 spoken with what was offered).
    pub fn accepted_flight(&self) -> Option<&ServerFlight> {
        let f = self.answer.as_ref().ok()?.flight()?;
        let sh = &f.server_hello;
        (sh.is_hello_retry_request() || sh.negotiated_version() == self.version.target_version())
            .then_some(f)
    }

    /// `true` accepted; `false` refused (an alert, a close, or a ServerHello at another
    /// version); `None` could not tell (silence, not TLS, not asked).
    pub fn accepted(&self) -> Option<bool> {
        match &self.answer {
            _ if self.accepted_flight().is_some() => Some(true),
            Ok(ServerAnswer::Hello(_) | ServerAnswer::Alert(_) | ServerAnswer::Closed) => {
                Some(false)
            }
            _ => None,
        }
    }

    /// The suite the server chose, when it accepted.
    pub fn suite(&self) -> Option<CipherSuite> {
        self.accepted_flight().map(|f| f.server_hello.cipher_suite)
    }

    /// The answer in words, for check details.
    pub fn describe(&self) -> String {
        match &self.answer {
            Ok(ServerAnswer::Hello(f)) if self.accepted_flight().is_none() => format!(
                "answered {} instead",
                f.server_hello.negotiated_version().name()
            ),
            Ok(a) => a.to_string(),
            Err(e) => e.to_string(),
        }
    }
}

async fn send(prober: &Prober, version: Probe, b: ClientHelloBuilder) -> Reply {
    Reply {
        version,
        answer: prober.hello(b).await.map(|x| x.answer),
    }
}

fn builder(probe: Probe, suites: &[CipherSuite]) -> ClientHelloBuilder {
    ClientHelloBuilder::randomized(probe).cipher_suites(suites)
}

/// With the renegotiation SCSV appended (RFC 5746 §3.3), so every answer can show
/// renegotiation_info.
fn with_scsv(mut suites: Vec<CipherSuite>) -> Vec<CipherSuite> {
    suites.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    suites
}

/// The suites of `class` a `probe` hello offers. An SSL 3.0 hello offers what TLS 1.0 can
/// negotiate: the same hello as TLS 1.0's (a server ignores suites it cannot use).
pub fn class_suites(class: WeakClass, probe: Probe) -> Vec<CipherSuite> {
    class.suites_for(offer_version(probe))
}

/// The version whose suites a `probe` hello offers.
fn offer_version(probe: Probe) -> crate::wire::enums::ProtocolVersion {
    match probe {
        Probe::Ssl3 => Probe::Tls10.target_version(),
        p => p.target_version(),
    }
}

/// What the version probes already know, the input of [`run`].
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Accepted versions, oldest first.
    pub accepted: Vec<Probe>,
    /// The suite each accepted version chose from its good-first list.
    pub chosen: Vec<(Probe, CipherSuite)>,
    /// The group the full handshake negotiated.
    pub negotiated_group: Option<NamedGroup>,
    /// What the TLS 1.2 version probe's connection answered besides the version.
    pub tls12: Option<std::sync::Arc<crate::probe::versions::Tls12Findings>>,
}

impl Known {
    /// What the version matrix and the version probes' answers say.
    pub fn from_versions(
        outcomes: &[crate::probe::versions::VersionOutcome],
        protocols: &VersionMap<Option<bool>>,
        negotiated_group: Option<NamedGroup>,
    ) -> Known {
        use crate::probe::versions::Support;
        Known {
            accepted: protocols
                .iter()
                .zip(Probe::ALL)
                .filter(|((_, v), _)| **v == Some(true))
                .map(|(_, p)| p)
                .collect(),
            chosen: outcomes
                .iter()
                .filter(|o| o.support == Support::Accepted && o.probe != Probe::Tls13)
                .filter_map(|o| o.cipher.map(|c| (o.probe, c)))
                .collect(),
            negotiated_group,
            tls12: outcomes
                .iter()
                .find(|o| o.probe == Probe::Tls12)
                .and_then(|o| o.tls12.clone()),
        }
    }

    /// The best accepted version up to TLS 1.2: where the TLS ≤ 1.2 probes go.
    pub fn best_legacy(&self) -> Option<Probe> {
        self.accepted
            .iter()
            .copied()
            .filter(|p| *p != Probe::Tls13)
            .max()
    }
}

/// Everything the probes found, before judging.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    /// The weak-class probes' verdict per version and class.
    pub classes: Vec<(Probe, WeakClass, Reply)>,
    /// Good-first choice per version (from the version probes).
    pub chosen: Vec<(Probe, CipherSuite)>,
    /// The FS-only and AEAD-only probes, when they were needed.
    pub fs_probe: Option<Reply>,
    pub aead_probe: Option<Reply>,
    /// TLS 1.3 accepted (all its suites are FS and AEAD).
    pub tls13: bool,
    /// TLS 1.2's reversed-order probe.
    pub reversed: Option<Reply>,
    pub groups: Vec<(NamedGroup, Option<bool>)>,
    /// Every ECDHE group was tried (`--ciphers`), not only the negotiated one looked at.
    pub every_group: bool,
    pub dhe: Option<Reply>,
    /// The DEFLATE-offering hello (also the renegotiation and EMS evidence).
    pub compression: Option<Reply>,
    /// The hello offering curves under 224 bits (first; with an ECDSA certificate, the NIST
    /// curves such a certificate may use follow them, as RFC 8422 §5.1.1 lets supported_groups
    /// limit the certificate too).
    pub weak_curves: Option<Reply>,
    /// Connections the probes opened.
    pub connections: u32,
}

/// The report name of a group (`x25519`, `secp256r1`, …).
pub fn group_label(g: NamedGroup) -> String {
    g.name().into_owned()
}

/// Every suite of the version's usual list that `keep` admits (no signalling values).
fn all_suites(p: Probe, keep: impl Fn(&suites::SuiteInfo) -> bool) -> Vec<CipherSuite> {
    let base = if p == Probe::Tls12 {
        hello::TLS12_SUITES
    } else {
        hello::TLS10_SUITES
    };
    base.iter()
        .copied()
        .filter(|s| s.info().is_some_and(|i| !i.is_scsv() && keep(i)))
        .collect()
}

/// The weak classes of one version, testssl.sh's way: one hello offers every class not yet
/// settled; a refusal settles them all, a ServerHello the class of the suite chosen, and the
/// rest are offered again. A server that refuses everything weak (the common case) costs one
/// connection per version, not one per class. `prelude`: the [`kx_prelude`]'s answer, which is
/// the first hello's at the best version.
async fn weak_classes(
    prober: &Prober,
    p: Probe,
    mut prelude: Option<Reply>,
) -> Vec<(Probe, WeakClass, Reply)> {
    let mut open: Vec<(WeakClass, Vec<CipherSuite>)> = WeakClass::ALL
        .iter()
        .map(|c| (*c, class_suites(*c, p)))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    let mut settled = Vec::new();
    while !open.is_empty() {
        let (reply, from_prelude) = match prelude.take() {
            Some(r) => (r, true),
            None => {
                let offer: Vec<CipherSuite> =
                    open.iter().flat_map(|(_, s)| s.iter().copied()).collect();
                (send(prober, p, builder(p, &with_scsv(offer))).await, false)
            }
        };
        let picked = reply
            .suite()
            .and_then(|chosen| open.iter().position(|(_, s)| s.contains(&chosen)));
        match picked {
            Some(i) => {
                let (class, _) = open.remove(i);
                settled.push((p, class, reply));
            }
            // The prelude's DHE or RSA suite: nothing weak settled, so ask again.
            None if from_prelude && reply.accepted_flight().is_some() => {}
            None => {
                // Refused or unknown settles every class still open; a suite that was never
                // offered says nothing either way.
                let reply = if reply.accepted_flight().is_some() {
                    Reply {
                        version: p,
                        answer: Err(SetupError(
                            "the server chose a suite that was not offered".into(),
                        )),
                    }
                } else {
                    reply
                };
                for (class, _) in open.drain(..) {
                    settled.push((p, class, reply.clone()));
                }
            }
        }
    }
    settled
}

/// Whether an ECDHE group is accepted: by TLS 1.3 when spoken (covers the hybrid group), else
/// by a TLS ≤ 1.2 ECDHE-only hello whose ServerKeyExchange names the curve. `None` from a probe
/// that was not sent (the full handshake already showed the group) counts no connection.
async fn group(prober: &Prober, known: &Known, g: NamedGroup, tls13: bool) -> Option<bool> {
    if tls13 {
        let mut b = builder(Probe::Tls13, hello::TLS13_SUITES).groups(&[g]);
        if g == NamedGroup::SECP256R1 {
            b = b.secp256r1_key_share(Some(hello::SECP256R1_GENERATOR));
        }
        let reply = send(prober, Probe::Tls13, b).await;
        return match reply.accepted_flight() {
            Some(fl) => Some(fl.server_hello.key_share_group.is_none_or(|k| k == g)),
            None => reply.accepted(),
        };
    }
    let p = known.best_legacy()?;
    let offer = all_suites(p, |i| i.kx == KeyExchange::Ecdhe);
    let reply = send(prober, p, builder(p, &with_scsv(offer)).groups(&[g])).await;
    match reply.accepted_flight() {
        Some(fl) => match fl
            .server_key_exchange
            .as_deref()
            .map(|b| parse_server_key_exchange(b, KxKind::Ecdhe))
        {
            Some(Ok(KeyExchangeParams::Ecdhe { group })) => Some(group == g),
            _ => None,
        },
        // Before TLS 1.3, supported_groups also limits the curve of an ECDSA certificate
        // (RFC 8422 §5.1.1): a refusal may be about the certificate, not the key exchange.
        None if has_ecdsa(known) && reply.accepted() == Some(false) => None,
        None => reply.accepted(),
    }
}

/// An ECDSA certificate, as far as the suites the version probes were answered with tell.
fn has_ecdsa(known: &Known) -> bool {
    known
        .chosen
        .iter()
        .any(|(_, s)| s.info().is_some_and(|i| i.auth == Authentication::Ecdsa))
}

/// The curves the weak-curve hello lists: those under 224 bits, and with an ECDSA certificate
/// the NIST curves it may be on last (RFC 8422 §5.1.1 lets supported_groups limit it too).
fn weak_curve_list(known: &Known) -> Vec<NamedGroup> {
    let mut curves: Vec<NamedGroup> = hello::WEAK_CURVES.iter().map(|(g, _)| *g).collect();
    if has_ecdsa(known) {
        curves.extend([
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
            NamedGroup::SECP521R1,
        ]);
    }
    curves
}

/// The first hello of the best TLS ≤ 1.2 version's weak classes, which asks two more
/// key-exchange questions with them: every weak class, then the DHE suites, then the RSA
/// key-exchange suites ROBOT needs ([`crate::probe::robot::RSA_KX`]). Most servers today refuse
/// it, and that one refusal settles every weak class of the version, DHE and RSA key exchange.
/// An acceptance answers the question of the suite it chose (its class, or its key exchange)
/// and no other: the weak classes are then offered again on their own ([`weak_classes`]) and
/// the DHE hello goes out, as without it. One connection, `None` without TLS ≤ 1.2.
pub async fn kx_prelude(prober: &Prober, known: &Known) -> Option<Reply> {
    Some(kx_prelude_at(prober, known.best_legacy()?).await)
}

/// The [`kx_prelude`] at `p`, which must be a version the server accepts.
pub async fn kx_prelude_at(prober: &Prober, p: Probe) -> Reply {
    let mut offer: Vec<CipherSuite> = WeakClass::ALL
        .iter()
        .flat_map(|c| class_suites(*c, p))
        .collect();
    let dhe = all_suites(p, |i| i.kx == KeyExchange::Dhe);
    let rsa = crate::probe::robot::RSA_KX.iter().copied();
    for s in dhe.into_iter().chain(rsa) {
        if !offer.contains(&s) && s.info().is_some_and(|i| i.negotiable_in(offer_version(p))) {
            offer.push(s);
        }
    }
    send(prober, p, builder(p, &with_scsv(offer))).await
}

/// What the [`kx_prelude`] settled of DHE and RSA key exchange: `Some(None)` both (refused),
/// `Some(Some(kx))` the key exchange of the suite it chose, `None` nothing.
pub fn prelude_settled(prelude: Option<&Reply>) -> Option<Option<KeyExchange>> {
    let r = prelude?;
    match r.accepted()? {
        false => Some(None),
        true => Some(Some(r.suite()?.info()?.kx)),
    }
}

/// The prelude's answer when it settled whether the server takes `kx`.
fn settles(prelude: Option<Reply>, kx: KeyExchange) -> Option<Reply> {
    match prelude_settled(prelude.as_ref())? {
        Some(k) if k != kx => None,
        _ => prelude,
    }
}

/// Runs the default probe plan (see the module comment) for an endpoint. `prelude` gives the
/// [`kx_prelude`]'s answer, the first weak-class hello of the best version, which spares the
/// DHE hello when it settled DHE; the other hellos go out without waiting for it. `every_group`: `--ciphers`, which also pays
/// for the informational hello per ECDHE group.
pub async fn run(
    prober: &Prober,
    known: &Known,
    prelude: impl std::future::Future<Output = Option<Reply>> + Clone,
    every_group: bool,
) -> Findings {
    let prober = prober.counted();
    let prober = &prober;
    let tls13 = known.accepted.contains(&Probe::Tls13);
    let legacy: Vec<Probe> = known
        .accepted
        .iter()
        .copied()
        .filter(|p| *p != Probe::Tls13)
        .collect();
    let best_legacy = known.best_legacy();
    let classes = futures::future::join_all(legacy.iter().map(|p| {
        let prelude = prelude.clone();
        async move {
            let first = match Some(*p) == best_legacy {
                true => prelude.await,
                false => None,
            };
            weak_classes(prober, *p, first).await
        }
    }));

    // Forward secrecy / AEAD: only when neither TLS 1.3 nor the good-first choice showed them.
    let chosen_best = known
        .chosen
        .iter()
        .find(|(p, _)| Some(*p) == best_legacy)
        .and_then(|(_, s)| s.info());
    let need_fs =
        !tls13 && best_legacy.is_some() && !chosen_best.is_some_and(|i| i.is_forward_secret());
    let tls12 = known.accepted.contains(&Probe::Tls12);
    let need_aead = !tls13 && !chosen_best.is_some_and(|i| i.is_aead()) && tls12;
    let fs_job = async {
        let p = best_legacy.filter(|_| need_fs)?;
        let offer = all_suites(p, |i| i.is_forward_secret());
        Some(send(prober, p, builder(p, &with_scsv(offer))).await)
    };
    let aead_job = async {
        if !need_aead {
            return None;
        }
        let offer = all_suites(Probe::Tls12, |i| i.is_aead());
        Some(
            send(
                prober,
                Probe::Tls12,
                builder(Probe::Tls12, &with_scsv(offer)),
            )
            .await,
        )
    };
    // Server preference: the TLS 1.2 list reversed (weakest first). Besides the server's order,
    // it is what shows a server that follows the client's order choosing CBC, which the POODLE
    // probe needs to have seen. With an ECDSA certificate it lists the weak-curve hello's curves
    // (and x25519 last), so that its ECDHE answer is also that hello's: the curve a server takes
    // does not depend on the order of the suites.
    let ecdsa = has_ecdsa(known);
    let reversed_job = {
        use futures::FutureExt;
        Box::pin(async move {
            if !tls12 {
                return None;
            }
            let mut offer = all_suites(Probe::Tls12, |_| true);
            offer.reverse();
            let mut b = builder(Probe::Tls12, &with_scsv(offer));
            if ecdsa {
                let mut curves = weak_curve_list(known);
                curves.push(NamedGroup::X25519);
                b = b.groups(&curves);
            }
            Some(send(prober, Probe::Tls12, b).await)
        })
        .shared()
    };
    // One hello per ECDHE group is informational (`kx.groups`): only `--ciphers` pays for it;
    // otherwise the group the full handshake negotiated is what is known.
    let group_plan: Vec<NamedGroup> = if !every_group {
        known
            .negotiated_group
            .filter(|g| g.is_ecdhe())
            .into_iter()
            .collect()
    } else if tls13 {
        vec![
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
            NamedGroup::SECP521R1,
            NamedGroup::X25519MLKEM768,
        ]
    } else if best_legacy.is_some() {
        hello::LEGACY_GROUPS.to_vec()
    } else {
        vec![]
    };
    let groups_job = futures::future::join_all(group_plan.iter().map(|g| async move {
        // The full handshake already showed this one: no connection needed.
        if known.negotiated_group == Some(*g) {
            return (*g, Some(true));
        }
        (*g, group(prober, known, *g, tls13).await)
    }));
    let dhe_job = async {
        let p = best_legacy?;
        if let Some(r) = settles(prelude.clone().await, KeyExchange::Dhe) {
            return Some(r);
        }
        let offer = all_suites(p, |i| i.kx == KeyExchange::Dhe);
        Some(send(prober, p, builder(p, &with_scsv(offer))).await)
    };
    let compression_job = async {
        let p = best_legacy?;
        // The TLS 1.2 version probe's hello asked the same question.
        if let Some(t) = known.tls12.as_ref().filter(|_| p == Probe::Tls12) {
            return Some(Reply {
                version: p,
                answer: Ok(t.answer.clone()),
            });
        }
        let b = builder(p, &with_scsv(all_suites(p, |_| true))).compression_methods(&[1, 0]);
        Some(send(prober, p, b).await)
    };
    // Curves under 224 bits (TLS ≤ 1.2 only; TLS 1.3 has none): one ECDHE-only hello listing
    // only them, or with an ECDSA certificate them first and its possible curves last. Old
    // OpenSSL servers take the first named curve the client lists that they know.
    let weak_curves_job = async {
        let p = best_legacy?;
        let ecdhe = |r: &Reply| r.suite().and_then(|s| s.info()).map(|i| i.kx);
        if ecdsa && p == Probe::Tls12 {
            let reversed = reversed_job.clone().await;
            if let Some(r) = reversed.filter(|r| ecdhe(r) == Some(KeyExchange::Ecdhe)) {
                return Some(r);
            }
        }
        let offer = all_suites(p, |i| i.kx == KeyExchange::Ecdhe);
        let b = builder(p, &with_scsv(offer)).groups(&weak_curve_list(known));
        Some(send(prober, p, b).await)
    };
    let (classes, fs, aead, reversed, groups, dhe, compression, weak_curves) = tokio::join!(
        classes,
        fs_job,
        aead_job,
        reversed_job.clone(),
        groups_job,
        dhe_job,
        compression_job,
        weak_curves_job
    );
    Findings {
        classes: classes.into_iter().flatten().collect(),
        chosen: known.chosen.clone(),
        fs_probe: fs,
        aead_probe: aead,
        tls13,
        reversed,
        groups,
        every_group,
        dhe,
        compression,
        weak_curves,
        connections: prober.connections(),
    }
}

#[cfg(test)]
mod judge_tests;
