//! Renegotiation and the ServerKeyExchange hash, through tlsgrade's own TLS 1.2 client
//! ([`crate::probe::tls12`]), since rustls never renegotiates:
//!
//! - `tls.kx-sha1` and `tls.client-renegotiation`: **one connection**. A full handshake offering
//!   RFC 5746 (an empty renegotiation_info) and signature_algorithms with SHA-256 and better
//!   first gives the ServerKeyExchange's SignatureAndHashAlgorithm; then up to
//!   [`RENEGOTIATIONS`] client-initiated secure renegotiations on the same connection, each a
//!   full handshake, stopping at the first refusal.
//! - `tls.renegotiation-insecure`: **one more connection**, only when the first showed that the
//!   server renegotiates at a client's request at all. A full handshake offering neither
//!   renegotiation_info nor the SCSV, then one ClientHello inside it, again without RFC 5746. A
//!   ServerHello in answer is the insecure renegotiation of CVE-2009-3555. A server that
//!   refuses even a secure client-initiated renegotiation passes without it: the attack needs
//!   the server to renegotiate at the request of the (attacker's) client.
//!
//! One connection for most servers (they refuse client-initiated renegotiation), two for the
//! others; only when the server accepts TLS 1.2.

use crate::grade::rubric::CheckId;
use crate::probe::conn::{Prober, ServerAnswer};
use crate::probe::tls12::{Handshake, Session, Tls12Error};
use crate::report::{Check, Status};
use crate::wire::enums::{CipherSuite as CS, SignatureScheme};
use crate::wire::hello::TLS12_SIGNATURE_SCHEMES;
use crate::wire::tls12::messages::CLIENT_GROUPS;
use crate::wire::tls12::ClientOffer;

/// How many client-initiated renegotiations one connection tries (testssl.sh's count for its
/// renegotiation-DoS test is in the same range): all accepted is a warning.
pub const RENEGOTIATIONS: u32 = 11;

/// The suites tlsgrade's client offers, forward-secret AEAD first.
pub const SUITES: &[CS] = &[
    CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CS::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CS::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CS::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    CS::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    CS::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_RSA_WITH_AES_128_GCM_SHA256,
    CS::TLS_RSA_WITH_AES_256_GCM_SHA384,
    CS::TLS_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_RSA_WITH_AES_256_CBC_SHA,
];

/// The offer of `suites`, with RFC 5746 (an empty renegotiation_info) or without it.
pub fn offer(suites: &[CS], rfc5746: bool) -> ClientOffer {
    ClientOffer {
        suites: suites.to_vec(),
        signature_schemes: TLS12_SIGNATURE_SCHEMES.to_vec(),
        groups: CLIENT_GROUPS.to_vec(),
        renegotiation_info: rfc5746.then(Vec::new),
        server_name: None,
    }
}

/// Whether a TLS 1.2 SignatureAndHashAlgorithm signs with MD5 or SHA-1: its hash octet
/// (RFC 5246 §7.4.1.4.1: md5(1), sha1(2)); the 0x08 code points (RSA-PSS, EdDSA) name
/// SHA-256 and better.
pub fn weak_hash(s: SignatureScheme) -> bool {
    matches!(s.0 >> 8, 1 | 2)
}

/// `tls.kx-sha1` from the handshake that offered SHA-256 and better first.
pub fn kx_verdict(h: &Handshake) -> Check {
    const ID: CheckId = CheckId::TlsKxSha1;
    match h.kx_signature {
        Some(s) if weak_hash(s) => Check::new(
            ID,
            Status::Warn,
            format!(
                "the TLS 1.2 ServerKeyExchange ({}) is signed with {} although the hello offered SHA-256 and better first",
                h.suite.name(),
                s.name()
            ),
        ),
        Some(s) => Check::new(
            ID,
            Status::Pass,
            format!("the TLS 1.2 ServerKeyExchange is signed with {}", s.name()),
        ),
        None => Check::new(
            ID,
            Status::Pass,
            format!(
                "RSA key exchange ({}): no signed ServerKeyExchange",
                h.suite.name()
            ),
        ),
    }
}

/// How a run of renegotiations on one connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renegotiations {
    /// Full renegotiations completed.
    pub accepted: u32,
    /// Why the next one did not complete (`None`: every one tried did), and whether it got as
    /// far as a ServerHello.
    pub end: Option<(Tls12Error, bool)>,
}

/// `tls.client-renegotiation` from the renegotiations tried.
pub fn client_verdict(r: &Renegotiations) -> Check {
    const ID: CheckId = CheckId::TlsClientRenegotiation;
    let n = r.accepted;
    match &r.end {
        None => Check::new(
            ID,
            Status::Warn,
            format!(
                "all {n} client-initiated renegotiations on one connection were accepted: any client can make the server repeat full handshakes at will (a cheap denial of service)"
            ),
        ),
        Some((Tls12Error::Refused(a), false)) if n == 0 => Check::new(
            ID,
            Status::Pass,
            format!("client-initiated renegotiation refused ({})", refusal(a)),
        ),
        Some((e, true)) if n == 0 => Check::new(
            ID,
            Status::Info,
            format!("the server began a client-initiated renegotiation (a ServerHello) that did not complete: {e}"),
        ),
        Some((e, _)) if n == 0 => Check::new(ID, Status::Error, format!("could not tell: {e}")),
        Some((e, _)) => Check::new(
            ID,
            Status::Info,
            format!(
                "{n} client-initiated renegotiation(s) accepted on one connection, then: {e}"
            ),
        ),
    }
}

fn refusal(a: &ServerAnswer) -> String {
    match a {
        ServerAnswer::Silent(_) => "no answer to the ClientHello".into(),
        other => other.to_string(),
    }
}

/// What the connection without RFC 5746 showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Insecure {
    /// The handshake without RFC 5746 was refused.
    HandshakeRefused(ServerAnswer),
    /// After it, the renegotiation ClientHello drew a ServerHello (completed or not).
    Renegotiated,
    /// After it, the renegotiation was refused.
    Refused(ServerAnswer),
    /// Could not tell.
    Unknown(String),
}

/// `tls.renegotiation-insecure`.
pub fn insecure_verdict(i: &Insecure) -> Check {
    const ID: CheckId = CheckId::TlsRenegotiationInsecure;
    match i {
        Insecure::Renegotiated => Check::new(
            ID,
            Status::Fail,
            "after a TLS 1.2 handshake without RFC 5746, a new ClientHello drew a ServerHello: insecure renegotiation (CVE-2009-3555), a man in the middle can prefix a client's session with his own data",
        ),
        Insecure::HandshakeRefused(a) => Check::new(
            ID,
            Status::Pass,
            format!(
                "a TLS 1.2 handshake without RFC 5746 was refused ({}): no insecure renegotiation",
                refusal(a)
            ),
        ),
        Insecure::Refused(a) => Check::new(
            ID,
            Status::Pass,
            format!(
                "renegotiation without RFC 5746 was refused ({}): no insecure renegotiation",
                refusal(a)
            ),
        ),
        Insecure::Unknown(w) => Check::new(ID, Status::Error, format!("could not tell: {w}")),
    }
}

/// The RFC 5746 connection: the handshake facts and the renegotiation count. `Err` when even
/// the first handshake did not complete.
async fn secure_connection(prober: &Prober) -> Result<(Handshake, Renegotiations), Tls12Error> {
    let (mut s, h) = Session::connect_pipelined(prober, offer(SUITES, true), Some(true)).await?;
    let mut accepted = 0;
    while accepted < RENEGOTIATIONS {
        // Each renegotiation's ClientHello went with the previous handshake's Finished.
        if accepted + 1 == RENEGOTIATIONS {
            s.pipeline(None);
        }
        match s.renegotiate(true).await {
            Ok(_) => accepted += 1,
            Err(e) => {
                let seen = s.server_hello_seen();
                return Ok((
                    h,
                    Renegotiations {
                        accepted,
                        end: Some((e, seen)),
                    },
                ));
            }
        }
    }
    Ok((
        h,
        Renegotiations {
            accepted,
            end: None,
        },
    ))
}

async fn insecure_connection(prober: &Prober) -> Insecure {
    let mut s = match Session::connect_pipelined(prober, offer(SUITES, false), Some(false)).await {
        Ok((s, _)) => s,
        Err(Tls12Error::Refused(a)) => return Insecure::HandshakeRefused(a),
        Err(e) => return Insecure::Unknown(format!("the handshake without RFC 5746: {e}")),
    };
    // Only asked after the secure connection saw the server renegotiate.
    s.expect_renegotiation();
    s.pipeline(None);
    match s.renegotiate(false).await {
        Ok(_) => Insecure::Renegotiated,
        Err(_) if s.server_hello_seen() => Insecure::Renegotiated,
        Err(Tls12Error::Refused(a)) => Insecure::Refused(a),
        Err(e) => Insecure::Unknown(format!("the renegotiation: {e}")),
    }
}

/// Whether the secure renegotiations show that the server refuses every client-initiated
/// renegotiation: the first one refused before any ServerHello.
pub fn refuses_client_renegotiation(r: &Renegotiations) -> bool {
    r.accepted == 0 && matches!(r.end, Some((Tls12Error::Refused(_), false)))
}

/// Runs the connections (the second after the first, so they never compete for the address's
/// permits with each other): `tls.kx-sha1`, `tls.client-renegotiation`,
/// `tls.renegotiation-insecure`. Call only when the server accepts TLS 1.2.
pub async fn probe(prober: &Prober) -> Vec<Check> {
    match secure_connection(prober).await {
        Ok((h, r)) => {
            let insecure = if refuses_client_renegotiation(&r) {
                Check::new(
                    CheckId::TlsRenegotiationInsecure,
                    Status::Pass,
                    "the server refuses client-initiated renegotiation even with RFC 5746, so none without it either",
                )
            } else {
                insecure_verdict(&insecure_connection(prober).await)
            };
            vec![kx_verdict(&h), client_verdict(&r), insecure]
        }
        Err(e) => {
            let why = format!(
                "could not test: tlsgrade's TLS 1.2 client did not complete a handshake: {e}"
            );
            [
                CheckId::TlsKxSha1,
                CheckId::TlsClientRenegotiation,
                CheckId::TlsRenegotiationInsecure,
            ]
            .into_iter()
            .map(|id| Check::new(id, Status::Error, why.clone()))
            .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Grade;
    use crate::wire::enums::AlertDescription;

    #[test]
    fn md5_and_sha1_signature_schemes_are_weak_and_the_others_not() {
        for s in [
            SignatureScheme::RSA_PKCS1_SHA1,
            SignatureScheme::ECDSA_SHA1,
            SignatureScheme(0x0101),
        ] {
            assert!(weak_hash(s), "{s:?}");
        }
        for s in [
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::ECDSA_SECP384R1_SHA384,
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            SignatureScheme::ED25519,
        ] {
            assert!(!weak_hash(s), "{s:?}");
        }
        assert!(TLS12_SIGNATURE_SCHEMES
            .iter()
            .take(8)
            .all(|s| !weak_hash(*s)));
    }

    fn hs(sig: Option<SignatureScheme>) -> Handshake {
        Handshake {
            suite: CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            kx_signature: sig,
            renegotiation_info: Some(Vec::new()),
        }
    }

    #[test]
    fn kx_verdicts() {
        let c = kx_verdict(&hs(Some(SignatureScheme::RSA_PKCS1_SHA1)));
        assert_eq!(
            (c.id, c.status, c.cap),
            (CheckId::TlsKxSha1, Status::Warn, Some(Grade::A))
        );
        assert_eq!(
            kx_verdict(&hs(Some(SignatureScheme::RSA_PSS_RSAE_SHA256))).status,
            Status::Pass
        );
        assert_eq!(kx_verdict(&hs(None)).status, Status::Pass);
    }

    #[test]
    fn client_renegotiation_verdicts() {
        let refused = |a| Some((Tls12Error::Refused(a), false));
        let r = |accepted, end| client_verdict(&Renegotiations { accepted, end });
        let c = r(RENEGOTIATIONS, None);
        assert_eq!((c.status, c.cap), (Status::Warn, None));
        assert!(c.detail.contains("11"));
        assert_eq!(r(3, refused(ServerAnswer::Closed)).status, Status::Info);
        let no_reneg = refused(ServerAnswer::Alert(AlertDescription::NO_RENEGOTIATION));
        assert_eq!(r(0, no_reneg).status, Status::Pass);
        assert_eq!(r(0, refused(ServerAnswer::Closed)).status, Status::Pass);
        let broken = Some((Tls12Error::Protocol("x".into()), false));
        assert_eq!(r(0, broken).status, Status::Error);
        let begun = Some((Tls12Error::Protocol("x".into()), true));
        assert_eq!(r(0, begun).status, Status::Info);
    }

    #[test]
    fn insecure_renegotiation_verdicts() {
        let c = insecure_verdict(&Insecure::Renegotiated);
        assert_eq!(
            (c.id, c.status, c.cap),
            (
                CheckId::TlsRenegotiationInsecure,
                Status::Fail,
                Some(Grade::F)
            )
        );
        let alert = ServerAnswer::Alert(AlertDescription::HANDSHAKE_FAILURE);
        assert_eq!(
            insecure_verdict(&Insecure::Refused(alert.clone())).status,
            Status::Pass
        );
        assert_eq!(
            insecure_verdict(&Insecure::HandshakeRefused(alert)).status,
            Status::Pass
        );
        assert_eq!(
            insecure_verdict(&Insecure::Unknown("x".into())).status,
            Status::Error
        );
    }

    #[test]
    fn every_offered_suite_can_be_spoken() {
        for s in SUITES {
            assert!(crate::wire::tls12::SuiteSpec::of(*s).is_some(), "{s:?}");
        }
        let o = offer(SUITES, false);
        assert!(o.renegotiation_info.is_none());
        assert!(!o.suites.contains(&CS::TLS_EMPTY_RENEGOTIATION_INFO_SCSV));
        assert_eq!(offer(SUITES, true).renegotiation_info, Some(Vec::new()));
    }
}
