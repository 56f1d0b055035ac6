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

use crate::report::{ErrorInfo, ErrorKind, Negotiated};
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
        // Offer every scheme, including SHA-1 ones, so that old servers still pick something.
        vec![
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
        ]
    }
}

/// Result of a completed handshake.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub negotiated: Negotiated,
    pub recorded: Recorded,
}

/// Why a handshake failed, with what the verifier had recorded by then.
#[derive(Debug)]
pub struct HandshakeFailure {
    pub error: ErrorInfo,
    /// The server refused TLS 1.2 and 1.3 (protocol_version alert).
    pub no_modern_version: bool,
    pub recorded: Recorded,
}

/// Runs a TLS 1.2/1.3 handshake over `stream` with SNI `name` (no SNI for IP addresses).
pub async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    name: ServerName<'static>,
    timeout: Duration,
) -> Result<(TlsStream<S>, Handshake), HandshakeFailure> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(RecordingVerifier {
        provider: provider.clone(),
        seen: Mutex::new(Recorded::default()),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| HandshakeFailure {
            error: ErrorInfo::new(ErrorKind::Internal, e.to_string()),
            no_modern_version: false,
            recorded: Recorded::default(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
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
            no_modern_version: false,
            recorded,
        }),
        Ok(Err(e)) => {
            let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
            let no_modern = matches!(
                inner,
                Some(rustls::Error::AlertReceived(
                    rustls::AlertDescription::ProtocolVersion
                )) | Some(rustls::Error::PeerIncompatible(_))
            );
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
                Some(other) => format!("TLS handshake failed: {other}"),
                None if kind == ErrorKind::ConnectionClosed => {
                    "TLS handshake failed: server closed the connection".to_string()
                }
                None => format!("TLS handshake failed: {e}"),
            };
            Err(HandshakeFailure {
                error: ErrorInfo::new(kind, msg),
                no_modern_version: no_modern,
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
                },
            ))
        }
    }
}
