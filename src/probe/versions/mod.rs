//! Protocol-version probes: which of SSL 3.0 … TLS 1.3 an endpoint accepts, learned with the
//! hand-built ClientHellos of [`crate::wire`] (rustls speaks only TLS 1.2 and 1.3).
//!
//! One fresh connection per probe (after the STARTTLS dialogue when the transport needs it). The
//! answer is read up to the ServerHello (and, before TLS 1.3, the clear-text Certificate message)
//! and interpreted the way RFC 5246 Appendix E and RFC 8446 Appendix D expect a client to read a
//! server's choice:
//!
//! | answer to a probe for V | verdict |
//! |---|---|
//! | ServerHello at V (TLS 1.3: supported_versions = 0x0304), or a HelloRetryRequest | accepted |
//! | ServerHello below V | refused (the server picked a lower version) |
//! | alert protocol_version, or any other fatal alert | refused |
//! | alert handshake_failure / insufficient_security | ambiguous: retried with other suites first (the old versions' hello offers them all at once) |
//! | close or reset without an alert | refused, and "version intolerance" if a lower version works |
//! | timeout, network error, not TLS at all | unknown — never "refused" |
//!
//! SSL 3.0, TLS 1.0 and TLS 1.1 share their probes ([`probe_legacy`]): a TLS 1.1 hello that
//! offers every suite of the three is a probe for each, since a server picks the highest
//! version it has up to the one offered. An alert to it refuses all three at once, a ServerHello
//! accepts the version it names and refuses those between; only the versions below an accepted
//! one, or below an answer that says nothing (a silent close, a timeout), get hellos of their own,
//! all at once, each offering every suite it may negotiate.

mod assess;

pub use assess::{assess, explain_failure, legacy_evidence, Assessment, MainHandshake};

use crate::grade::rubric::CheckId;
use crate::probe::conn::{NotTls, Prober, ServerAnswer};
use crate::probe::tls::Failure;
use crate::report::{Check, ProtocolDetail, Status, VersionMap};
use crate::wire::enums::{AlertDescription, CipherSuite, ProtocolVersion};
use crate::wire::hello::{self, ClientHelloBuilder, Probe};

pub use crate::report::Support;

/// The outcome of probing one version (with retries), for the report.
#[derive(Clone, Debug)]
pub struct VersionOutcome {
    pub probe: Probe,
    pub support: Support,
    /// The suite the server chose, when accepted.
    pub cipher: Option<CipherSuite>,
    /// What was seen, in words: "ServerHello TLSv1.2", "alert protocol_version", ...
    pub detail: String,
    /// Refused by a close/reset without any alert (evidence for version intolerance).
    pub died_silently: bool,
    /// A lower version the server answered with instead (it supports that one).
    pub answered_lower: Option<ProtocolVersion>,
    /// What came back was not a TLS record at all (an HTTP reply, a banner).
    pub not_tls: bool,
    /// The certificates of the first flight: of the version accepted, or of `answered_lower`.
    pub certificates: Vec<Vec<u8>>,
    /// The TLS ≤ 1.2 first flight ended (ServerHelloDone): the server signed its key
    /// exchange for a hello offering more signature schemes than the full handshake's.
    pub flight_complete: bool,
    /// The suite chosen with `answered_lower`.
    pub lower_cipher: Option<CipherSuite>,
    /// The alert that refused the probe.
    pub alert: Option<AlertDescription>,
    /// The TLS 1.2 probe's other answers, when it was accepted with a whole first flight.
    pub tls12: Option<std::sync::Arc<Tls12Findings>>,
}

/// What the TLS 1.2 version probe's connection also answers. Its hello offers DEFLATE beside
/// null compression, the renegotiation SCSV, extended_master_secret and the heartbeat extension,
/// so its ServerHello settles compression, secure renegotiation and the extended master secret
/// (`answer`, judged like the compression probe it replaces); after the first flight the same
/// connection carries the Heartbleed request when the server accepted the heartbeat extension,
/// else the CCS-injection test.
#[derive(Clone, Debug)]
pub struct Tls12Findings {
    pub answer: ServerAnswer,
    pub heartbleed: Check,
    pub ccs: Option<Check>,
}

/// Cipher lists to offer for `probe`, first the era's usual list, then (after a
/// handshake_failure) every other suite we know for that version, so that "no common cipher" is
/// not mistaken for "version refused".
fn suite_lists(probe: Probe) -> Vec<Vec<CipherSuite>> {
    let first = probe.default_cipher_suites().to_vec();
    if probe == Probe::Tls13 {
        return vec![first];
    }
    let mut all: Vec<CipherSuite> = Vec::new();
    for list in [hello::TLS12_SUITES, hello::TLS10_SUITES, hello::SSL3_SUITES] {
        for s in list {
            // Only TLS 1.2 has AEAD suites; older hellos keep the rest (even SHA-256 CBC suites,
            // which a lenient server may still choose).
            let aead = s.info().is_some_and(|i| i.is_aead());
            let ok_for_version = probe == Probe::Tls12 || !aead;
            if ok_for_version && !first.contains(s) && !all.contains(s) {
                all.push(*s);
            }
        }
    }
    all.truncate(hello::MAX_CIPHER_SUITES - 1);
    if all
        .iter()
        .all(|s| *s == CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
    {
        return vec![first];
    }
    if !all.contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
        all.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    }
    vec![first, all]
}

fn builder(probe: Probe, suites: &[CipherSuite], p256: bool) -> ClientHelloBuilder {
    let mut b = ClientHelloBuilder::randomized(probe);
    if probe == Probe::Tls12 {
        // The questions the ServerHello answers besides the version (see [`Tls12Findings`]).
        let mut with_scsv = suites.to_vec();
        if !with_scsv.contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
            with_scsv.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
        }
        b = b
            .cipher_suites(&with_scsv)
            .compression_methods(&[1, 0])
            .heartbeat(true);
    } else {
        b = b.cipher_suites(suites);
    }
    if p256 {
        b = b.secp256r1_key_share(Some(hello::SECP256R1_GENERATOR));
    }
    b
}

/// Probes one version, retrying an ambiguous handshake_failure with other suites (TLS ≤ 1.2) or
/// with a P-256 key share as well (TLS 1.3).
pub async fn probe_version(prober: &Prober, probe: Probe) -> VersionOutcome {
    let want = probe.target_version();
    let mut lists = suite_lists(probe);
    // The hellos of [`probe_legacy`] stand for every version below them: one list of every
    // suite (usual ones first, so a server that follows the client still picks one of those), so
    // that a handshake_failure needs no second connection to mean "refused".
    if matches!(probe, Probe::Ssl3 | Probe::Tls10 | Probe::Tls11) {
        let all: Vec<CipherSuite> = lists.concat();
        if lists.len() > 1 && all.len() <= hello::MAX_CIPHER_SUITES {
            lists = vec![all];
        }
    }
    let mut tries: Vec<(Vec<CipherSuite>, bool)> = lists.into_iter().map(|l| (l, false)).collect();
    if probe == Probe::Tls13 {
        tries.push((probe.default_cipher_suites().to_vec(), true));
    }
    let mut last = None;
    for (suites, p256) in tries {
        // An ambiguous answer's connection closes before the next hello opens one: it is not
        // used again, and holding it would hold one of the address's permits.
        drop(last.take());
        let x = match prober.hello(builder(probe, &suites, p256)).await {
            Ok(x) => x,
            Err(e) => return outcome(probe, Support::Unknown, e.to_string()),
        };
        let ambiguous = matches!(x.answer, ServerAnswer::Alert(d) if d == AlertDescription::HANDSHAKE_FAILURE || d == AlertDescription::INSUFFICIENT_SECURITY);
        last = Some(x);
        if !ambiguous {
            break;
        }
    }
    let Some(mut x) = last else {
        return outcome(probe, Support::Unknown, "no probe was sent".into());
    };
    let mut o = interpret(probe, want, x.answer.clone());
    if let (Probe::Tls12, Support::Accepted, ServerAnswer::Hello(flight)) =
        (probe, o.support, &x.answer)
    {
        if flight.server_hello_done {
            let heartbleed =
                crate::probe::heartbleed::after_flight(&mut x.conn, flight, probe).await;
            let heartbeat = flight
                .server_hello
                .extension(crate::wire::enums::ExtensionType::HEARTBEAT)
                .is_some();
            // A heartbeat request leaves the connection in no state for the CCS test.
            let ccs = match heartbeat {
                true => None,
                false => Some(crate::probe::ccs::after_flight(&mut x.conn, x.rtt, probe).await),
            };
            o.tls12 = Some(std::sync::Arc::new(Tls12Findings {
                answer: x.answer.clone(),
                heartbleed,
                ccs,
            }));
        }
    }
    o
}

fn outcome(probe: Probe, support: Support, detail: String) -> VersionOutcome {
    VersionOutcome {
        probe,
        support,
        cipher: None,
        detail,
        died_silently: false,
        answered_lower: None,
        not_tls: false,
        certificates: Vec::new(),
        flight_complete: false,
        lower_cipher: None,
        alert: None,
        tls12: None,
    }
}

/// Turns one answer into a verdict for `want` (the table in the module comment).
pub fn interpret(probe: Probe, want: ProtocolVersion, answer: ServerAnswer) -> VersionOutcome {
    match answer {
        ServerAnswer::Hello(flight) => {
            let sh = &flight.server_hello;
            let (version, cipher) = (sh.negotiated_version(), sh.cipher_suite);
            if sh.is_hello_retry_request() && want == ProtocolVersion::TLSv1_3 {
                let mut o = outcome(
                    probe,
                    Support::Accepted,
                    "HelloRetryRequest: TLS 1.3 spoken, another key share wanted".into(),
                );
                o.cipher = Some(cipher);
                return o;
            }
            if version == want {
                let mut o = outcome(
                    probe,
                    Support::Accepted,
                    format!("ServerHello {} with {}", version.name(), cipher.name()),
                );
                o.cipher = Some(cipher);
                o.certificates = match &flight.certificates {
                    Some(Ok(c)) => c.clone(),
                    _ => Vec::new(),
                };
                o.flight_complete = flight.server_hello_done;
                return o;
            }
            if version < want {
                let mut o = outcome(
                    probe,
                    Support::Refused,
                    format!(
                        "the server answered {} to a {} hello",
                        version.name(),
                        want.name()
                    ),
                );
                o.answered_lower = Some(version);
                o.lower_cipher = Some(cipher);
                o.certificates = match &flight.certificates {
                    Some(Ok(c)) => c.clone(),
                    _ => Vec::new(),
                };
                o.flight_complete = flight.server_hello_done;
                return o;
            }
            outcome(
                probe,
                Support::Refused,
                format!(
                    "protocol violation: the server answered {} to a {} hello",
                    version.name(),
                    want.name()
                ),
            )
        }
        ServerAnswer::Alert(d) if d == AlertDescription::MISSING_EXTENSION => outcome(
            probe,
            Support::Unknown,
            "alert missing_extension: the server wants an extension this probe does not send"
                .into(),
        ),
        ServerAnswer::Alert(d) => {
            let mut o = outcome(probe, Support::Refused, format!("alert {}", d.name()));
            o.alert = Some(d);
            o
        }
        ServerAnswer::Closed => {
            let mut o = outcome(
                probe,
                Support::Refused,
                "connection closed without an alert".into(),
            );
            o.died_silently = true;
            o
        }
        other @ (ServerAnswer::Silent(_) | ServerAnswer::NotTls(_)) => {
            let mut o = outcome(probe, Support::Unknown, other.to_string());
            o.not_tls = matches!(other, ServerAnswer::NotTls(NotTls::Garbage(_)));
            o
        }
    }
}

/// What the server answered a hello for `below` (a supported version below the best) with
/// TLS_FALLBACK_SCSV (RFC 7507): the probe, before it is read against the version matrix.
#[derive(Clone, Debug)]
pub struct FallbackProbe {
    pub below: Probe,
    pub answer: Result<ServerAnswer, String>,
}

/// Sends the TLS_FALLBACK_SCSV probe: the version probe's first hello for `below`, plus 0x5600.
pub async fn fallback_scsv(prober: &Prober, below: Probe) -> FallbackProbe {
    let b = builder(below, below.default_cipher_suites(), false).fallback_scsv(true);
    FallbackProbe {
        below,
        answer: prober
            .hello(b)
            .await
            .map(|x| x.answer)
            .map_err(|e| e.to_string()),
    }
}

/// The `tls.fallback-scsv` check from the probe and the version probes' `outcomes`. The
/// protection is the refusal, whatever its form: the RFC 7507 alert, or (SChannel, some
/// middleboxes) a close or another alert to the very hello the server accepts without the SCSV,
/// when nothing else tells the two hellos apart. handshake_failure and insufficient_security are
/// not that evidence: the version probe may have needed other suites to be accepted.
pub fn fallback_check(probe: &FallbackProbe, outcomes: &[VersionOutcome]) -> Check {
    let offered = name_of(probe.below);
    let accepted_without = outcomes
        .iter()
        .any(|o| o.probe == probe.below && o.support == Support::Accepted);
    let (status, detail) = match &probe.answer {
        Err(e) => (Status::Error, format!("fallback probe: {e}")),
        Ok(ServerAnswer::Alert(d)) if *d == AlertDescription::INAPPROPRIATE_FALLBACK => (
            Status::Pass,
            format!(
                "a {offered} hello with TLS_FALLBACK_SCSV was refused with inappropriate_fallback"
            ),
        ),
        Ok(ServerAnswer::Hello(flight)) => {
            let version = flight.server_hello.negotiated_version();
            match flight.server_hello.downgrade_sentinel() {
                // A TLS 1.3 server that falls back marks its random (RFC 8446 §4.1.3): TLS 1.3
                // clients detect the downgrade even without TLS_FALLBACK_SCSV.
                Some(s) if s > version => (
                    Status::Pass,
                    format!(
                        "TLS_FALLBACK_SCSV is ignored, but the {} answer carries the RFC 8446 downgrade sentinel, so TLS 1.3 clients detect a forced downgrade",
                        version.name()
                    ),
                ),
                _ => (
                    Status::Warn,
                    format!("a {offered} hello with TLS_FALLBACK_SCSV was accepted ({}): no downgrade protection (RFC 7507)", version.name()),
                ),
            }
        }
        Ok(ServerAnswer::Closed) if accepted_without => (
            Status::Pass,
            format!("the server closes the connection, without the RFC 7507 alert, on a {offered} hello with TLS_FALLBACK_SCSV that it accepts without: the fallback is refused"),
        ),
        Ok(ServerAnswer::Alert(d))
            if accepted_without
                && *d != AlertDescription::HANDSHAKE_FAILURE
                && *d != AlertDescription::INSUFFICIENT_SECURITY =>
        {
            (
                Status::Pass,
                format!("a {offered} hello with TLS_FALLBACK_SCSV, accepted without it, was refused with {} instead of the RFC 7507 inappropriate_fallback: the fallback is refused", d.name()),
            )
        }
        Ok(ServerAnswer::Alert(d)) => (
            Status::Error,
            format!("fallback probe got alert {}", d.name()),
        ),
        Ok(other) => (Status::Error, format!("fallback probe: {other}")),
    };
    Check::new(CheckId::TlsFallbackScsv, status, detail)
}

/// Probes every version at once. The connections are asked for newest version first (the
/// address's limit is first come, first served), so that under a low `--per-ip` the versions
/// most servers have, and the speculative fallback probe ([`SPECULATIVE_FALLBACK`]) queued after
/// these, are not the ones left waiting. The outcomes come back oldest first, as [`Probe::ALL`].
///
/// `main` receives what the full handshake negotiated once it is known (`Some(None)`: it did
/// not complete): a TLS 1.3 handshake is TLS 1.3's acceptance, so the TLS 1.3 probe waits for it
/// and is sent only when the handshake says something else.
pub async fn probe_all(
    prober: &Prober,
    main: MainVersion,
    tls12_accepted: &tokio::sync::watch::Sender<Option<bool>>,
) -> Vec<VersionOutcome> {
    let tls13 = async {
        let mut main = main;
        let negotiated = match main.wait_for(|v| v.is_some()).await {
            Ok(v) => v.flatten(),
            Err(_) => None,
        };
        match negotiated {
            Some((ProtocolVersion::TLSv1_3, cipher)) => {
                let mut o = outcome(
                    Probe::Tls13,
                    Support::Accepted,
                    format!(
                        "the full handshake negotiated TLSv1.3 with {}",
                        cipher.name()
                    ),
                );
                o.cipher = Some(cipher);
                o
            }
            _ => probe_version(prober, Probe::Tls13).await,
        }
    };
    let tls12 = async {
        let o = probe_version(prober, Probe::Tls12).await;
        tls12_accepted.send_replace(Some(o.support == Support::Accepted));
        o
    };
    let (tls13, tls12, legacy) = tokio::join!(tls13, tls12, probe_legacy(prober));
    let mut out = legacy;
    out.extend([tls12, tls13]);
    out
}

/// What the full handshake negotiated, once it is known: `None` until then, `Some(None)` when it
/// did not complete.
pub type MainNegotiated = Option<Option<(ProtocolVersion, CipherSuite)>>;

/// Where [`probe_all`] learns [`MainNegotiated`].
pub type MainVersion = tokio::sync::watch::Receiver<MainNegotiated>;

/// SSL 3.0, TLS 1.0 and TLS 1.1 (in that order), from as few hellos as the server's answers
/// allow: see the module comment.
pub async fn probe_legacy(prober: &Prober) -> Vec<VersionOutcome> {
    const LEGACY: [Probe; 3] = [Probe::Ssl3, Probe::Tls10, Probe::Tls11];
    let mut found: Vec<Option<VersionOutcome>> = vec![None, None, None];
    let slot = |p: Probe| LEGACY.iter().position(|x| *x == p);
    let mut top = Some(Probe::Tls11);
    // Below an accepted TLS 1.1 (or a silence), every older version is asked at once rather
    // than one after the other: most such servers accept them all, and a refusal that would have
    // spared the older hellos still decides their outcome, as below.
    let mut asked: Vec<Option<VersionOutcome>> = vec![None, None, None];
    while let Some(probe) = top {
        let Some(i) = slot(probe) else { break };
        let o = match asked[i].take() {
            Some(o) => o,
            None if i + 1 < LEGACY.len() => {
                // Newest first: the address's permits go first come, first served.
                let order: Vec<usize> = (0..=i).rev().collect();
                let all = futures::future::join_all(
                    order.iter().map(|k| probe_version(prober, LEGACY[*k])),
                )
                .await;
                for (k, o) in order.into_iter().zip(all) {
                    asked[k] = Some(o);
                }
                asked[i]
                    .take()
                    .unwrap_or_else(|| outcome(probe, Support::Unknown, String::new()))
            }
            None => probe_version(prober, probe).await,
        };
        let below = |i: usize| i.checked_sub(1).map(|j| LEGACY[j]);
        top = below(i);
        match (&o.support, o.answered_lower) {
            (Support::Refused, Some(lower)) => {
                if let Some(j) = LEGACY.iter().position(|x| x.target_version() == lower) {
                    // The lower version's ServerHello is its acceptance; between them, refusals.
                    for k in j + 1..i {
                        found[k] = Some(VersionOutcome {
                            probe: LEGACY[k],
                            ..o.clone()
                        });
                    }
                    found[j] = Some(accepted_lower(&o, LEGACY[j]));
                    top = below(j);
                }
            }
            (Support::Refused, None) if o.alert.is_some() => {
                // An alert to a hello that offered every older version and suite refuses
                // them all.
                for k in 0..i {
                    found[k] = Some(VersionOutcome {
                        probe: LEGACY[k],
                        detail: format!(
                            "{} (to a {} hello offering every version down to SSLv3)",
                            o.detail,
                            name_of(probe)
                        ),
                        ..o.clone()
                    });
                }
                top = None;
            }
            _ => {}
        }
        found[i] = Some(o);
    }
    LEGACY
        .iter()
        .zip(found)
        .map(|(p, o)| o.unwrap_or_else(|| outcome(*p, Support::Unknown, "not probed".into())))
        .collect()
}

/// The outcome for `lower` from a higher version's probe that the server answered at `lower`.
fn accepted_lower(higher: &VersionOutcome, lower: Probe) -> VersionOutcome {
    VersionOutcome {
        probe: lower,
        support: Support::Accepted,
        cipher: higher.lower_cipher,
        detail: format!(
            "ServerHello {} to a {} hello",
            name_of(lower),
            name_of(higher.probe)
        ),
        died_silently: false,
        answered_lower: None,
        not_tls: false,
        certificates: higher.certificates.clone(),
        flight_complete: higher.flight_complete,
        lower_cipher: None,
        alert: None,
        tls12: None,
    }
}

/// The TLS_FALLBACK_SCSV probe needs the best version and the one below it, which only the
/// version probes tell. Waiting for them costs a whole connection's worth of round trips (4–5 RTT
/// over SMTP STARTTLS) at the end of every endpoint; so the scan runs the probe the commonest
/// case needs (TLS 1.3 best, hence a TLS 1.2 hello with the SCSV) beside the version probes, and
/// uses it when [`Assessment::fallback_below`] turns out to be this version. Otherwise it runs
/// the right one afterwards: one wasted connection on servers without TLS 1.3.
pub const SPECULATIVE_FALLBACK: Probe = Probe::Tls12;

/// The name a check detail gives a version (`TLSv1.2`).
fn name_of(p: Probe) -> String {
    p.target_version().name().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Grade;

    fn hello(v: ProtocolVersion) -> ServerAnswer {
        ServerAnswer::Hello(Box::new(crate::testkit::server_hello(
            v,
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            0,
            vec![],
        )))
    }

    #[test]
    fn same_version_is_accepted_lower_is_refused_and_remembered() {
        let o = interpret(
            Probe::Tls12,
            ProtocolVersion::TLSv1_2,
            hello(ProtocolVersion::TLSv1_2),
        );
        assert_eq!(o.support, Support::Accepted);
        assert_eq!(o.cipher, Some(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA));
        let o = interpret(
            Probe::Tls12,
            ProtocolVersion::TLSv1_2,
            hello(ProtocolVersion::TLSv1_1),
        );
        assert_eq!(o.support, Support::Refused);
        assert_eq!(o.answered_lower, Some(ProtocolVersion::TLSv1_1));
    }

    #[test]
    fn higher_version_is_a_violation_not_acceptance() {
        let o = interpret(
            Probe::Tls10,
            ProtocolVersion::TLSv1_0,
            hello(ProtocolVersion::TLSv1_2),
        );
        assert_eq!(o.support, Support::Refused);
        assert!(o.detail.contains("violation"));
    }

    #[test]
    fn silence_is_refusal_but_timeouts_are_unknown() {
        let o = interpret(Probe::Tls12, ProtocolVersion::TLSv1_2, ServerAnswer::Closed);
        assert_eq!(o.support, Support::Refused);
        assert!(o.died_silently);
        let o = interpret(
            Probe::Tls12,
            ProtocolVersion::TLSv1_2,
            ServerAnswer::Silent(std::time::Duration::from_secs(1)),
        );
        assert_eq!(o.support, Support::Unknown);
        let o = interpret(
            Probe::Tls13,
            ProtocolVersion::TLSv1_3,
            ServerAnswer::Alert(AlertDescription::MISSING_EXTENSION),
        );
        assert_eq!(o.support, Support::Unknown);
    }

    fn out(p: Probe, support: Support) -> VersionOutcome {
        let mut o = outcome(p, support, String::new());
        o.cipher = Some(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA);
        o
    }

    #[test]
    fn matrix_of_a_tls10_to_tls12_server_warns_and_plans_the_fallback_probe() {
        use Support::*;
        let o = [
            out(Probe::Ssl3, Refused),
            out(Probe::Tls10, Accepted),
            out(Probe::Tls11, Accepted),
            out(Probe::Tls12, Accepted),
            out(Probe::Tls13, Refused),
        ];
        let a = assess(&o, &MainHandshake::Completed(ProtocolVersion::TLSv1_2));
        assert_eq!(
            a.protocols,
            VersionMap {
                sslv3: Some(false),
                tls10: Some(true),
                tls11: Some(true),
                tls12: Some(true),
                tls13: Some(false)
            }
        );
        assert!(a
            .checks
            .iter()
            .any(|c| c.id == "tls.legacy-versions" && c.cap == Some(Grade::B)));
        assert!(!a
            .checks
            .iter()
            .any(|c| c.id == "tls.modern-missing" || c.id == "tls.sslv3"));
        assert_eq!(a.fallback_below, Some(Probe::Tls11));
    }

    #[test]
    fn sslv3_only_fails_and_has_no_modern_version() {
        use Support::*;
        let o = [
            out(Probe::Ssl3, Accepted),
            out(Probe::Tls10, Refused),
            out(Probe::Tls11, Refused),
            out(Probe::Tls12, Refused),
            out(Probe::Tls13, Refused),
        ];
        let a = assess(&o, &MainHandshake::NotTried);
        assert!(a
            .checks
            .iter()
            .any(|c| c.id == "tls.sslv3" && c.cap == Some(Grade::F)));
        assert!(a
            .checks
            .iter()
            .any(|c| c.id == "tls.modern-missing" && c.cap == Some(Grade::C)));
        assert_eq!(a.fallback_below, None);
    }

    #[test]
    fn a_silent_drop_above_an_accepted_version_is_intolerance() {
        use Support::*;
        let mut t12 = out(Probe::Tls12, Refused);
        t12.died_silently = true;
        let o = [
            out(Probe::Ssl3, Refused),
            out(Probe::Tls10, Accepted),
            out(Probe::Tls11, Refused),
            t12,
            out(Probe::Tls13, Refused),
        ];
        let a = assess(&o, &MainHandshake::NotTried);
        let c = a
            .checks
            .iter()
            .find(|c| c.id == "tls.version-intolerance")
            .unwrap();
        assert!(c.detail.contains("TLSv1.2"));
        // A silent drop of SSLv3 below the accepted versions is not intolerance.
        let mut s3 = out(Probe::Ssl3, Refused);
        s3.died_silently = true;
        let o = [
            s3,
            out(Probe::Tls10, Refused),
            out(Probe::Tls11, Refused),
            out(Probe::Tls12, Accepted),
            out(Probe::Tls13, Accepted),
        ];
        assert!(!assess(&o, &MainHandshake::NotTried)
            .checks
            .iter()
            .any(|c| c.id == "tls.version-intolerance"));
    }

    #[test]
    fn unknown_probes_stay_null_unless_other_evidence_exists() {
        use Support::*;
        let mut t12 = out(Probe::Tls12, Refused);
        t12.answered_lower = Some(ProtocolVersion::TLSv1_1);
        let o = [
            out(Probe::Ssl3, Unknown),
            out(Probe::Tls10, Unknown),
            out(Probe::Tls11, Unknown),
            t12,
            out(Probe::Tls13, Unknown),
        ];
        let a = assess(&o, &MainHandshake::NotTried);
        assert_eq!(a.protocols.tls11, Some(true));
        assert_eq!(a.protocols.tls10, None);
        assert_eq!(a.protocols.sslv3, None);
    }

    #[test]
    fn retry_lists_add_suites_without_aead_before_tls12() {
        let l = suite_lists(Probe::Tls10);
        assert_eq!(l.len(), 2);
        assert!(l[1].iter().all(|s| !s.name().contains("GCM")));
        assert!(l[1].len() <= hello::MAX_CIPHER_SUITES);
        assert!(suite_lists(Probe::Tls12)[1]
            .iter()
            .all(|s| !hello::TLS12_SUITES.contains(s)
                || *s == CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV));
    }

    fn fallback(answer: ServerAnswer, accepted_without: bool) -> Status {
        let outcomes = [
            outcome(Probe::Tls12, Support::Accepted, String::new()),
            outcome(
                Probe::Tls11,
                if accepted_without {
                    Support::Accepted
                } else {
                    Support::Unknown
                },
                String::new(),
            ),
        ];
        let probe = FallbackProbe {
            below: Probe::Tls11,
            answer: Ok(answer),
        };
        let c = fallback_check(&probe, &outcomes);
        assert_eq!(c.id, CheckId::TlsFallbackScsv);
        c.status
    }

    #[test]
    fn a_refused_fallback_passes_whatever_its_form_when_the_same_hello_is_accepted_without_scsv() {
        let alert = ServerAnswer::Alert;
        assert_eq!(
            fallback(alert(AlertDescription::INAPPROPRIATE_FALLBACK), false),
            Status::Pass
        );
        assert_eq!(
            fallback(hello(ProtocolVersion::TLSv1_1), true),
            Status::Warn
        );
        // A close or an unexpected alert is the refusal only where the version is accepted.
        assert_eq!(fallback(ServerAnswer::Closed, true), Status::Pass);
        assert_eq!(fallback(ServerAnswer::Closed, false), Status::Error);
        assert_eq!(
            fallback(alert(AlertDescription::PROTOCOL_VERSION), true),
            Status::Pass
        );
        // The version probe may have needed other suites: no evidence.
        assert_eq!(
            fallback(alert(AlertDescription::HANDSHAKE_FAILURE), true),
            Status::Error
        );
        assert_eq!(
            fallback(
                ServerAnswer::Silent(std::time::Duration::from_secs(2)),
                true
            ),
            Status::Error
        );
    }

    #[test]
    fn a_failed_handshake_is_explained_by_what_the_probes_saw() {
        use rustls::AlertDescription::{HandshakeFailure, InternalError};
        let failed = |why| MainHandshake::Failed(why, "m".into());
        let why = |main: MainHandshake| match main {
            MainHandshake::Failed(w, _) => w,
            other => panic!("{other:?}"),
        };
        let tls12 = [out(Probe::Tls12, Support::Accepted)];
        // internal_error after a ServerHello the probes saw, and no probe got a signed flight.
        assert_eq!(
            why(explain_failure(
                failed(Failure::Alert(InternalError)),
                &tls12,
                false
            )),
            Failure::AbortedAfterHello(InternalError)
        );
        // A probe offering Ed448 got the whole flight: the key is one our handshake cannot use.
        let mut signed = tls12.clone();
        signed[0].flight_complete = true;
        assert_eq!(
            why(explain_failure(
                failed(Failure::Alert(InternalError)),
                &signed,
                false
            )),
            Failure::Incompatible
        );
        // Only TLS 1.0 accepted: internal_error says nothing about a modern hello.
        let tls10 = [out(Probe::Tls10, Support::Accepted)];
        assert_eq!(
            why(explain_failure(
                failed(Failure::Alert(InternalError)),
                &tls10,
                false
            )),
            Failure::Alert(InternalError)
        );
        assert_eq!(
            why(explain_failure(
                failed(Failure::Alert(HandshakeFailure)),
                &tls12,
                false
            )),
            Failure::Alert(HandshakeFailure)
        );
        // Nothing but non-TLS answers: not TLS on a direct port, a broken STARTTLS otherwise.
        let mut garbage = vec![
            out(Probe::Tls12, Support::Unknown),
            out(Probe::Tls13, Support::Unknown),
        ];
        for o in &mut garbage {
            o.not_tls = true;
        }
        assert_eq!(
            why(explain_failure(failed(Failure::Malformed), &garbage, true)),
            Failure::NotTls
        );
        assert_eq!(
            why(explain_failure(failed(Failure::Malformed), &garbage, false)),
            Failure::Malformed
        );
    }
}
