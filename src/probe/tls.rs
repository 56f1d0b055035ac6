//! The full TLS handshake with rustls, recording what the server presents whatever its validity.
//!
//! The certificate verifier here *records* (chain, OCSP staple, handshake-signature result) and
//! accepts, so an expired, self-signed or 1024-bit-RSA server is still captured and graded; trust
//! is decided afterwards, separately, in [`crate::inspect`]. The scanner never sends anything
//! secret over these connections, so accepting is safe.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::client::TlsStream;

use crate::grade::rubric::CheckId;
use crate::report::{Check, ErrorInfo, ErrorKind, Negotiated, Status, VersionMap};
use crate::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion};

/// What the verifier saw during one handshake.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    pub chain: Vec<CertificateDer<'static>>,
    pub ocsp: Vec<u8>,
    /// Why the server's handshake signature did not verify (e.g. an RSA key under 2048 bits,
    /// which ring refuses), when it did not.
    pub signature_error: Option<String>,
}

#[derive(Debug)]
struct RecordingVerifier {
    provider: Arc<CryptoProvider>,
    seen: Mutex<Recorded>,
    /// The signature schemes offered (signature_algorithms).
    schemes: Vec<SignatureScheme>,
}

impl RecordingVerifier {
    fn note_signature(&self, r: Result<HandshakeSignatureValid, rustls::Error>) {
        if let Err(e) = r {
            if let Ok(mut s) = self.seen.lock() {
                s.signature_error = Some(e.to_string());
            }
        }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut s) = self.seen.lock() {
            s.chain = std::iter::once(end_entity)
                .chain(intermediates.iter())
                .take(100)
                .map(|c| c.clone().into_owned())
                .collect();
            s.ocsp = ocsp_response.to_vec();
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.note_signature(rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        ));
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.note_signature(rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        ));
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// Every scheme, including SHA-1 ones, so that old servers still pick something.
const ALL_SCHEMES: [SignatureScheme; 12] = [
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP521_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::RSA_PKCS1_SHA1,
    SignatureScheme::ECDSA_SHA1_Legacy,
];

/// The kind of certificate key a handshake asks for, by offering only its signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertKind {
    Ecdsa,
    Rsa,
}

impl CertKind {
    fn schemes(self) -> Vec<SignatureScheme> {
        ALL_SCHEMES
            .into_iter()
            .filter(|s| self.signs_with(*s))
            .collect()
    }

    fn signs_with(self, s: SignatureScheme) -> bool {
        use SignatureScheme as S;
        match self {
            CertKind::Ecdsa => matches!(
                s,
                S::ECDSA_NISTP256_SHA256
                    | S::ECDSA_NISTP384_SHA384
                    | S::ECDSA_NISTP521_SHA512
                    | S::ECDSA_SHA1_Legacy
            ),
            CertKind::Rsa => matches!(
                s,
                S::RSA_PSS_SHA256
                    | S::RSA_PSS_SHA384
                    | S::RSA_PSS_SHA512
                    | S::RSA_PKCS1_SHA256
                    | S::RSA_PKCS1_SHA384
                    | S::RSA_PKCS1_SHA512
                    | S::RSA_PKCS1_SHA1
            ),
        }
    }
}

/// Result of a completed handshake.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub negotiated: Negotiated,
    pub recorded: Recorded,
    /// The configuration the handshake ran with: rustls resumes a session only under the
    /// certificate verifier that made it, so the resumption probe goes on from this one.
    pub config: Arc<rustls::ClientConfig>,
}

/// Why a handshake failed, with what the verifier had recorded by then.
#[derive(Debug)]
pub struct HandshakeFailure {
    pub error: ErrorInfo,
    pub why: Failure,
    pub recorded: Recorded,
}

/// What a failed handshake says about the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the step.
    Timeout,
    /// The server refused TLS 1.2 and 1.3 (protocol_version, or it chose an older version).
    NoModernVersion,
    /// The server and this client share nothing to complete a handshake with: the server
    /// refused before its certificate (handshake_failure, insufficient_security), chose a key
    /// exchange this client cannot do, or holds a key it cannot verify (Ed448: a version probe
    /// offering it got a signed first flight). Says as much about the client as about the
    /// server.
    Incompatible,
    /// The server ended the handshake with this fatal alert, which is not a refusal to
    /// negotiate.
    Alert(rustls::AlertDescription),
    /// The server answers hellos with ServerHello (the version probes saw it) and then ends
    /// every handshake with this fatal alert where its key exchange or signature belongs: no
    /// client can complete a handshake with it.
    AbortedAfterHello(rustls::AlertDescription),
    /// What came back does not decode as TLS records: a broken TLS stack, or no TLS at all
    /// (which the version probes tell: [`Failure::NotTls`]).
    Malformed,
    /// The port does not speak TLS: what came back is not TLS, and no version probe got TLS
    /// either.
    NotTls,
    /// A close, a reset, or anything else.
    Other,
}

impl Failure {
    fn of(e: Option<&rustls::Error>, kind: ErrorKind, recorded: &Recorded) -> Failure {
        use rustls::AlertDescription as A;
        use rustls::Error as E;
        match e {
            Some(E::AlertReceived(A::ProtocolVersion)) | Some(E::PeerIncompatible(_)) => {
                Failure::NoModernVersion
            }
            Some(E::AlertReceived(A::HandshakeFailure | A::InsufficientSecurity))
            | Some(E::PeerMisbehaved(
                rustls::PeerMisbehaved::SelectedUnofferedKxGroup
                | rustls::PeerMisbehaved::SelectedUnofferedCipherSuite
                | rustls::PeerMisbehaved::IllegalHelloRetryRequestWithUnofferedNamedGroup,
            )) => Failure::Incompatible,
            Some(E::AlertReceived(a)) => Failure::Alert(*a),
            Some(E::InvalidMessage(_)) if recorded.chain.is_empty() => Failure::Malformed,
            _ if kind == ErrorKind::Timeout => Failure::Timeout,
            _ => Failure::Other,
        }
    }
}

/// The finding a failed handshake leaves, once the version matrix is known (`versions`) and
/// whether the endpoint is judged from a version probe's clear-text certificate instead
/// (`clear_text`). `None` where another finding already says it: a server that refuses TLS 1.2
/// and 1.3 gets `tls.modern-missing` from the matrix, not a broken handshake besides.
pub fn failure_finding(
    why: Failure,
    message: &str,
    versions: &VersionMap<Option<bool>>,
    clear_text: bool,
) -> Option<Check> {
    let modern = versions.tls12 == Some(true) || versions.tls13 == Some(true);
    let older_only = !modern
        && versions.tls12 == Some(false)
        && versions.tls13 == Some(false)
        && [versions.sslv3, versions.tls10, versions.tls11].contains(&Some(true));
    let check = |status, detail: String| Some(Check::new(CheckId::TlsHandshake, status, detail));
    match why {
        Failure::NoModernVersion => None,
        Failure::Timeout => check(Status::Error, message.to_string()),
        Failure::NotTls => check(
            Status::Error,
            format!("this port does not speak TLS: {message}"),
        ),
        Failure::Incompatible | Failure::Other if older_only => None,
        Failure::Incompatible if modern && clear_text => check(
            Status::Info,
            format!("{message}: the server speaks TLS 1.2, but not with anything tlsgrade's own client can complete; its certificate is judged from a version probe's clear-text handshake"),
        ),
        Failure::Incompatible if modern => check(
            Status::Error,
            format!("{message}: the server speaks TLS, but not with anything tlsgrade's own client can complete, and its certificate is encrypted (TLS 1.3): not judged"),
        ),
        Failure::AbortedAfterHello(alert) => Some(Check::new(
            CheckId::TlsHandshakeIncomplete,
            Status::Fail,
            format!("the server answers with ServerHello, then ends every handshake with alert {alert:?} where its key exchange belongs: no client can complete a handshake (cipher and flaw probes skipped)"),
        )),
        Failure::Incompatible | Failure::Alert(_) | Failure::Malformed | Failure::Other => {
            check(Status::Fail, message.to_string())
        }
    }
}

/// What the full handshake offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// ring's suites, and the groups x25519, P-256, P-384, P-521 and FFDHE 2048–8192 (a TLS 1.3
    /// server limited to the last ones asks for them by HelloRetryRequest).
    Usual,
    /// Also the TLS 1.2 DHE-RSA suites: for a server that refused everything else. Not offered
    /// at first, because a server that prefers DHE with a prime outside RFC 7919 (this client
    /// takes only those) would then fail a handshake that ECDHE completes.
    WithDhe,
    /// Only the signature algorithms (and TLS 1.2 suites) of one key kind: a server holding an
    /// RSA and an ECDSA certificate shows the one this client can verify (TLS 1.3 chooses by
    /// signature_algorithms, TLS 1.2 by the suite).
    Only(CertKind),
}

/// The TLS 1.2 DHE suites: ring's ECDHE-RSA suites with the key exchange swapped, since TLS 1.2
/// names the key exchange in the suite but computes everything else the same way.
fn dhe_suites() -> &'static [rustls::SupportedCipherSuite; 3] {
    use rustls::crypto::ring::cipher_suite as ring_suites;
    use rustls::{CipherSuite as S, SupportedCipherSuite, Tls12CipherSuite};
    static SUITES: std::sync::OnceLock<[SupportedCipherSuite; 3]> = std::sync::OnceLock::new();
    fn dhe(of: SupportedCipherSuite, suite: S) -> SupportedCipherSuite {
        let SupportedCipherSuite::Tls12(s) = of else {
            return of;
        };
        SupportedCipherSuite::Tls12(Box::leak(Box::new(Tls12CipherSuite {
            common: rustls::CipherSuiteCommon { suite, ..s.common },
            kx: rustls::crypto::KeyExchangeAlgorithm::DHE,
            ..*s
        })))
    }
    SUITES.get_or_init(|| {
        [
            dhe(
                ring_suites::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                S::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
            ),
            dhe(
                ring_suites::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                S::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
            ),
            dhe(
                ring_suites::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                S::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ),
        ]
    })
}

/// ring's provider with the key exchanges of [`super::kx`] added (and, for [`Offer::WithDhe`],
/// the DHE suites).
fn provider(offer: Offer) -> CryptoProvider {
    let mut p = rustls::crypto::ring::default_provider();
    p.kx_groups.push(&super::kx::P521);
    p.kx_groups.extend(
        super::kx::FFDHE
            .iter()
            .map(|g| g as &dyn rustls::crypto::SupportedKxGroup),
    );
    match offer {
        Offer::Usual => {}
        Offer::WithDhe => p.cipher_suites.extend(dhe_suites().iter().copied()),
        Offer::Only(kind) => p.cipher_suites.retain(|s| match s {
            rustls::SupportedCipherSuite::Tls12(s) => s.sign.iter().any(|&x| kind.signs_with(x)),
            rustls::SupportedCipherSuite::Tls13(_) => true,
        }),
    }
    p
}

/// A client configuration (TLS 1.3 and 1.2, the offer's suites and groups) whose verifier records
/// what the server presents and accepts it. Built anew for each handshake, so its session cache
/// is empty and no handshake resumes (a resumed one would show no certificate).
fn recording_config(
    offer: Offer,
) -> Result<(rustls::ClientConfig, Arc<RecordingVerifier>), rustls::Error> {
    let provider = Arc::new(provider(offer));
    let verifier = Arc::new(RecordingVerifier {
        provider: provider.clone(),
        seen: Mutex::new(Recorded::default()),
        schemes: match offer {
            Offer::Only(kind) => kind.schemes(),
            Offer::Usual | Offer::WithDhe => ALL_SCHEMES.to_vec(),
        },
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    Ok((config, verifier))
}

/// The full handshake's configuration (its session store and verifier, which rustls requires
/// for resuming) offering early data: for the resumption probe.
pub fn resuming_config(full_handshake: &rustls::ClientConfig) -> rustls::ClientConfig {
    let mut config = full_handshake.clone();
    config.enable_early_data = true;
    config
}

/// Runs a TLS 1.2/1.3 handshake over `stream` with SNI `name` (no SNI for IP addresses),
/// keeping the session in `sessions` when given (for the resumption probe).
pub async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    name: ServerName<'static>,
    timeout: Duration,
    offer: Offer,
    sessions: Option<Arc<dyn rustls::client::ClientSessionStore>>,
) -> Result<(TlsStream<S>, Handshake), HandshakeFailure> {
    let (mut config, verifier) = recording_config(offer).map_err(|e| HandshakeFailure {
        error: ErrorInfo::new(ErrorKind::Internal, e.to_string()),
        why: Failure::Other,
        recorded: Recorded::default(),
    })?;
    if let Some(store) = sessions {
        config.resumption = rustls::client::Resumption::store(store);
    }
    let config = Arc::new(config);
    let connector = tokio_rustls::TlsConnector::from(config.clone());
    let result = tokio::time::timeout(timeout, connector.connect(name, stream)).await;
    let recorded = verifier.seen.lock().map(|s| s.clone()).unwrap_or_default();
    match result {
        Err(_) => Err(HandshakeFailure {
            error: ErrorInfo::new(
                ErrorKind::Timeout,
                format!(
                    "TLS handshake did not finish within {}",
                    crate::net::seconds(timeout)
                ),
            ),
            why: Failure::Timeout,
            recorded,
        }),
        Ok(Err(e)) => {
            let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
            let kind = match (inner, e.kind()) {
                (Some(_), _) => ErrorKind::TlsHandshake,
                (None, std::io::ErrorKind::UnexpectedEof)
                | (None, std::io::ErrorKind::ConnectionReset) => ErrorKind::ConnectionClosed,
                (None, std::io::ErrorKind::TimedOut) => ErrorKind::Timeout,
                _ => ErrorKind::TlsHandshake,
            };
            let msg = match inner {
                Some(rustls::Error::AlertReceived(a)) => {
                    format!("TLS handshake failed: server sent alert {a:?}")
                }
                Some(rustls::Error::PeerMisbehaved(
                    rustls::PeerMisbehaved::SelectedUnofferedKxGroup,
                )) => "TLS handshake failed: the server's key-exchange group is none tlsgrade's client implements (a DHE prime outside RFC 7919)".to_string(),
                Some(other) => format!("TLS handshake failed: {other}"),
                None if kind == ErrorKind::ConnectionClosed => {
                    "TLS handshake failed: server closed the connection".to_string()
                }
                None => format!("TLS handshake failed: {e}"),
            };
            let why = Failure::of(inner, kind, &recorded);
            Err(HandshakeFailure {
                error: ErrorInfo::new(kind, msg),
                why,
                recorded,
            })
        }
        Ok(Ok(tls)) => {
            let (_, conn) = tls.get_ref();
            // rustls speaks the registry's numbers; the wire enums name them.
            let negotiated = Negotiated {
                version: ProtocolVersion(conn.protocol_version().map_or(0, u16::from)),
                cipher: CipherSuite(
                    conn.negotiated_cipher_suite()
                        .map_or(0, |s| u16::from(s.suite())),
                ),
                group: conn
                    .negotiated_key_exchange_group()
                    .map(|g| NamedGroup(u16::from(g.name()))),
            };
            let mut recorded = recorded;
            if recorded.chain.is_empty() {
                if let Some(c) = conn.peer_certificates() {
                    recorded.chain = c.iter().take(100).cloned().collect();
                }
            }
            Ok((
                tls,
                Handshake {
                    negotiated,
                    recorded,
                    config,
                },
            ))
        }
    }
}
