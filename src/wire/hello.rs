//! Hand-built ClientHellos, one per protocol-version probe.
//!
//! The scanner decides which versions a server accepts by sending one
//! ClientHello per version and looking at the first flight that comes back
//! (see [`crate::wire::server`]). Each probe follows testssl.sh's method: offer
//! *only* what that version can negotiate, so the answer cannot be a
//! different version in disguise, and offer broad cipher suite lists so
//! that "no shared cipher" is not mistaken for "version unsupported".
//!
//! | probe   | record | client_version | extensions |
//! |---------|--------|----------------|------------|
//! | SSLv3   | 0x0300 | 0x0300         | none (RFC 6101 has no extensions) |
//! | TLS 1.0 | 0x0301 | 0x0301         | SNI, groups, point formats, ticket |
//! | TLS 1.1 | 0x0301 | 0x0302         | as TLS 1.0 |
//! | TLS 1.2 | 0x0301 | 0x0303         | + signature_algorithms, EMS |
//! | TLS 1.3 | 0x0301 | 0x0303         | supported_versions `[0x0304]`, key_share, … |
//!
//! The record layer says 0x0301 for every TLS probe because some old
//! servers and middleboxes drop records whose version is above what they
//! know. RFC 5246 Appendix E.1 lets a client send any {03,XX} there
//! (typically {03,00} or its lowest supported version) and RFC 8446 §5.1
//! asks for 0x0301 in an initial ClientHello.

use crate::wire::codec::{encode_len_prefixed, put_u24, ListLength};
use crate::wire::enums::{
    CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
use std::fmt;
use std::net::IpAddr;

// The per-version suite lists are registry data; they are reachable here too, beside the
// probes that offer them.
pub use crate::wire::suites::{SSL3_SUITES, TLS10_SUITES, TLS12_SUITES, TLS13_SUITES};

/// Which protocol version a ClientHello probes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Probe {
    /// SSL 3.0 (RFC 6101).
    Ssl3,
    /// TLS 1.0 (RFC 2246).
    Tls10,
    /// TLS 1.1 (RFC 4346).
    Tls11,
    /// TLS 1.2 (RFC 5246).
    Tls12,
    /// TLS 1.3 (RFC 8446).
    Tls13,
}

impl Probe {
    /// Every probe, oldest first.
    pub const ALL: [Probe; 5] = [
        Probe::Ssl3,
        Probe::Tls10,
        Probe::Tls11,
        Probe::Tls12,
        Probe::Tls13,
    ];

    /// The version this probe tests for.
    pub fn target_version(self) -> ProtocolVersion {
        match self {
            Probe::Ssl3 => ProtocolVersion::SSLv3,
            Probe::Tls10 => ProtocolVersion::TLSv1_0,
            Probe::Tls11 => ProtocolVersion::TLSv1_1,
            Probe::Tls12 => ProtocolVersion::TLSv1_2,
            Probe::Tls13 => ProtocolVersion::TLSv1_3,
        }
    }

    /// `ClientHello.client_version` (`legacy_version` in TLS 1.3, which is
    /// frozen at 0x0303 and replaced by supported_versions, RFC 8446 §4.1.2).
    pub fn client_version(self) -> ProtocolVersion {
        match self {
            Probe::Tls13 => ProtocolVersion::TLSv1_2,
            p => p.target_version(),
        }
    }

    /// Version written in the record header.
    pub fn record_version(self) -> ProtocolVersion {
        match self {
            Probe::Ssl3 => ProtocolVersion::SSLv3,
            _ => ProtocolVersion::TLSv1_0,
        }
    }

    /// The suites offered when the caller supplies no list.
    pub fn default_cipher_suites(self) -> &'static [CipherSuite] {
        match self {
            Probe::Ssl3 => SSL3_SUITES,
            Probe::Tls10 | Probe::Tls11 => TLS10_SUITES,
            Probe::Tls12 => TLS12_SUITES,
            Probe::Tls13 => TLS13_SUITES,
        }
    }
}

/// Most cipher suites we put in one hello. Some old servers mis-handle very
/// long suite lists, so a prober that wants to test more suites should
/// split them over several hellos rather than send one huge list.
pub const MAX_CIPHER_SUITES: usize = 128;

/// The deterministic `Random` used by [`ClientHelloBuilder::new`]: bytes
/// 0x00, 0x01, …, 0x1f. Only for tests and reproducible captures.
pub const FIXED_RANDOM: [u8; 32] = counting_bytes(0x00);

/// The deterministic 32-byte `legacy_session_id` used by the TLS 1.3 probe
/// of [`ClientHelloBuilder::new`]: bytes 0x20 … 0x3f.
pub const FIXED_SESSION_ID: [u8; 32] = counting_bytes(0x20);

/// Default x25519 key share: the curve's base point u = 9 (RFC 7748 §4.1).
/// Any 32 bytes are a valid X25519 public key (RFC 7748 §5), and the
/// scanner stops at ServerHello and never derives a secret, so no private
/// key is needed. Use [`ClientHelloBuilder::randomized`] or
/// [`ClientHelloBuilder::x25519_key_share`] to avoid a constant fingerprint.
pub const X25519_BASE_POINT: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 9;
    b
};

/// The secp256r1 generator G as an uncompressed point (SEC 1 §2.3.3:
/// 0x04 ‖ x ‖ y). Version detection stops at ServerHello, so the share is
/// never used — but servers such as OpenSSL decode and validate the peer's
/// point *before* sending ServerHello and answer an off-curve point with
/// illegal_parameter, which would look like "no TLS 1.3". G is on the
/// curve, so it passes that check without any EC code in this crate.
pub const SECP256R1_GENERATOR: [u8; 65] = [
    0x04, // uncompressed
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
];

const fn counting_bytes(start: u8) -> [u8; 32] {
    let mut b = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        b[i] = start + i as u8;
        i += 1;
    }
    b
}

/// Groups for the TLS 1.0/1.1 probe: the ECDHE curves (RFC 8422 §5.1.1).
pub const LEGACY_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
];

/// The named curves under 224 bits (RFC 8422 §5.1.1 lists them; RFC 8422 deprecates them),
/// with their sizes: a server that negotiates one caps at B (`kx.weak-curve` in docs/grading.md).
pub const WEAK_CURVES: &[(NamedGroup, u16)] = &[
    (NamedGroup::SECP192R1, 192),
    (NamedGroup::SECP192K1, 192),
    (NamedGroup::SECT193R1, 193),
    (NamedGroup::SECT193R2, 193),
    (NamedGroup::SECT163K1, 163),
    (NamedGroup::SECT163R1, 163),
    (NamedGroup::SECT163R2, 163),
    (NamedGroup::SECP160K1, 160),
    (NamedGroup::SECP160R1, 160),
    (NamedGroup::SECP160R2, 160),
];

/// Groups for the TLS 1.2 and 1.3 probes: ECDHE curves plus the RFC 7919
/// finite-field groups.
pub const MODERN_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
    NamedGroup::FFDHE2048,
    NamedGroup::FFDHE3072,
    NamedGroup::FFDHE4096,
];

/// signature_algorithms for TLS 1.2 (RFC 5246 §7.4.1.4.1). The legacy SHA-1
/// pairs are included so servers holding only SHA-1-capable keys or old
/// stacks still find a match — we are measuring, not negotiating safely.
/// Ed448 too, which the full handshake cannot verify: a server with an Ed448
/// key then still completes the probe's first flight, which tells "tlsgrade's
/// client cannot use its key" apart from "the server cannot sign at all".
pub const TLS12_SIGNATURE_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_SECP256R1_SHA256,
    SignatureScheme::ECDSA_SECP384R1_SHA384,
    SignatureScheme::ECDSA_SECP521R1_SHA512,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::ED448,
    SignatureScheme::RSA_PKCS1_SHA1,
    SignatureScheme::ECDSA_SHA1,
];

/// signature_algorithms for TLS 1.3 (RFC 8446 §4.2.3). RSA PKCS#1 is listed
/// because it remains valid for certificate signatures (§4.2.3).
pub const TLS13_SIGNATURE_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_SECP256R1_SHA256,
    SignatureScheme::ECDSA_SECP384R1_SHA384,
    SignatureScheme::ECDSA_SECP521R1_SHA512,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PSS_PSS_SHA256,
    SignatureScheme::RSA_PSS_PSS_SHA384,
    SignatureScheme::RSA_PSS_PSS_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::ED448,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// Why a ClientHello could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The cipher suite list was empty.
    NoCipherSuites,
    /// More than [`MAX_CIPHER_SUITES`] suites (count includes the fallback
    /// SCSV when requested).
    TooManyCipherSuites(usize),
    /// A session id longer than 32 bytes (RFC 5246 §7.4.1.2).
    SessionIdTooLong(usize),
    /// The host name is not a usable DNS name (empty, over 253 bytes, or
    /// containing characters other than letters, digits, `-`, `_`, `.`;
    /// internationalised names must be given as A-labels).
    InvalidServerName,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoCipherSuites => f.write_str("no cipher suites to offer"),
            BuildError::TooManyCipherSuites(n) => {
                write!(
                    f,
                    "{n} cipher suites exceed the limit of {MAX_CIPHER_SUITES}"
                )
            }
            BuildError::SessionIdTooLong(n) => write!(f, "session id of {n} bytes exceeds 32"),
            BuildError::InvalidServerName => f.write_str("invalid server name"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds the ClientHello record for one [`Probe`].
///
/// ```
/// use tlsgrade::wire::hello::{ClientHelloBuilder, Probe};
/// let bytes = ClientHelloBuilder::randomized(Probe::Tls12)
///     .server_name("example.com")
///     .build()
///     .expect("valid inputs");
/// assert_eq!(&bytes[..3], &[0x16, 0x03, 0x01]);
/// ```
#[derive(Clone, Debug)]
pub struct ClientHelloBuilder {
    probe: Probe,
    server_name: Option<String>,
    random: [u8; 32],
    session_id: Option<Vec<u8>>,
    x25519_share: [u8; 32],
    secp256r1_share: Option<[u8; 65]>,
    fallback_scsv: bool,
    cipher_suites: Option<Vec<CipherSuite>>,
    compression_methods: Vec<u8>,
    groups: Option<Vec<NamedGroup>>,
    heartbeat: bool,
}

impl ClientHelloBuilder {
    /// A deterministic builder: [`FIXED_RANDOM`], an empty session id
    /// ([`FIXED_SESSION_ID`] for TLS 1.3), the x25519 base point as key
    /// share, default suites, no SNI, no fallback SCSV. Produces identical
    /// bytes every time — meant for tests; real scans should use
    /// [`randomized`](Self::randomized) or set [`random`](Self::random).
    pub fn new(probe: Probe) -> Self {
        ClientHelloBuilder {
            probe,
            server_name: None,
            random: FIXED_RANDOM,
            session_id: None,
            x25519_share: X25519_BASE_POINT,
            secp256r1_share: None,
            fallback_scsv: false,
            cipher_suites: None,
            compression_methods: vec![0],
            groups: None,
            heartbeat: false,
        }
    }

    /// Like [`new`](Self::new) but with random, TLS 1.3 session id and
    /// x25519 share drawn from [`weak_random_32`].
    pub fn randomized(probe: Probe) -> Self {
        let mut b = Self::new(probe).random(weak_random_32());
        if probe == Probe::Tls13 {
            b = b.session_id(&weak_random_32());
        }
        b.x25519_key_share(weak_random_32())
    }

    /// Send SNI for `host` (RFC 6066 §3). A trailing dot is removed; an IP
    /// literal (optionally in brackets) is silently skipped because §3
    /// forbids literal addresses in HostName.
    pub fn server_name(mut self, host: &str) -> Self {
        self.server_name = Some(host.to_owned());
        self
    }

    /// Use caller-supplied `ClientHello.random` bytes.
    pub fn random(mut self, random: [u8; 32]) -> Self {
        self.random = random;
        self
    }

    /// Use this session id (0–32 bytes). For TLS 1.3 it should be 32 bytes
    /// of random data (RFC 8446 §D.4 middlebox compatibility mode).
    pub fn session_id(mut self, session_id: &[u8]) -> Self {
        self.session_id = Some(session_id.to_vec());
        self
    }

    /// The x25519 public key for the TLS 1.3 key_share. Any 32 bytes work:
    /// the scanner never completes the handshake.
    pub fn x25519_key_share(mut self, share: [u8; 32]) -> Self {
        self.x25519_share = share;
        self
    }

    /// Also offer a secp256r1 key share (65-byte uncompressed point) after
    /// x25519. See [`SECP256R1_GENERATOR`] for why the point should be on
    /// the curve even though we never use it.
    pub fn secp256r1_key_share(mut self, point: Option<[u8; 65]>) -> Self {
        self.secp256r1_share = point;
        self
    }

    /// Append TLS_FALLBACK_SCSV (RFC 7507 §4) after the suites, to test
    /// whether the server rejects a downgraded retry with
    /// inappropriate_fallback.
    pub fn fallback_scsv(mut self, on: bool) -> Self {
        self.fallback_scsv = on;
        self
    }

    /// Replace the default suite list, e.g. when retrying after a
    /// handshake_failure. Used verbatim (no SCSV added except the fallback
    /// SCSV when requested).
    pub fn cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
        self.cipher_suites = Some(suites.to_vec());
        self
    }

    /// Offer these compression methods (default: null only). The TLS-compression check offers
    /// DEFLATE(1) before null (RFC 3749) to see whether the server picks it; null must stay in the
    /// list (RFC 5246 §7.4.1.2), so it is appended when missing.
    pub fn compression_methods(mut self, methods: &[u8]) -> Self {
        let mut m = methods.to_vec();
        if !m.contains(&0) {
            m.push(0);
        }
        self.compression_methods = m;
        self
    }

    /// Replace supported_groups (TLS ≥ 1.0 probes). In TLS 1.3, key shares are then sent only for
    /// groups in this list (RFC 8446 §4.2.8 forbids shares for groups not offered); a group
    /// without a share makes a server that supports it answer with a HelloRetryRequest naming
    /// it, which is how the key-exchange prober tests groups it has no valid point for.
    pub fn groups(mut self, groups: &[NamedGroup]) -> Self {
        self.groups = Some(groups.to_vec());
        self
    }

    /// Offer the heartbeat extension (RFC 6520 §2, mode peer_allowed_to_send) in TLS 1.0–1.2
    /// hellos, for the Heartbleed probe.
    pub fn heartbeat(mut self, on: bool) -> Self {
        self.heartbeat = on;
        self
    }

    /// The suites that [`build`](Self::build) will offer, in order.
    pub fn offered_suites(&self) -> Vec<CipherSuite> {
        let mut suites = match &self.cipher_suites {
            Some(s) => s.clone(),
            None => self.probe.default_cipher_suites().to_vec(),
        };
        // RFC 7507 §4: the SCSV goes after the suites we intend to use.
        if self.fallback_scsv && !suites.contains(&CipherSuite::TLS_FALLBACK_SCSV) {
            suites.push(CipherSuite::TLS_FALLBACK_SCSV);
        }
        suites
    }

    /// Encode the complete handshake record, ready to write to a socket.
    pub fn build(&self) -> Result<Vec<u8>, BuildError> {
        let suites = self.offered_suites();
        if suites.is_empty() {
            return Err(BuildError::NoCipherSuites);
        }
        if suites.len() > MAX_CIPHER_SUITES {
            return Err(BuildError::TooManyCipherSuites(suites.len()));
        }
        let session_id: &[u8] = match (&self.session_id, self.probe) {
            (Some(s), _) => s,
            (None, Probe::Tls13) => &FIXED_SESSION_ID,
            (None, _) => &[],
        };
        if session_id.len() > 32 {
            return Err(BuildError::SessionIdTooLong(session_id.len()));
        }
        let host = match &self.server_name {
            Some(h) => sni_host_name(h)?,
            None => None,
        };

        // ClientHello body up to (not including) the extensions block.
        let mut body = Vec::with_capacity(512);
        body.extend_from_slice(&self.probe.client_version().0.to_be_bytes());
        body.extend_from_slice(&self.random);
        encode_len_prefixed(&mut body, ListLength::U8, |o| {
            o.extend_from_slice(session_id)
        });
        encode_len_prefixed(&mut body, ListLength::U16, |o| {
            for s in &suites {
                o.extend_from_slice(&s.0.to_be_bytes());
            }
        });
        // Null only unless the caller asked (RFC 5246 §7.4.1.2 / RFC 8446 §4.1.2).
        encode_len_prefixed(&mut body, ListLength::U8, |o| {
            o.extend_from_slice(&self.compression_methods)
        });

        if self.probe != Probe::Ssl3 {
            let mut exts = self.extensions(host.as_deref());
            // RFC 7685 §1: some servers (notably F5 BIG-IP) hang on a
            // ClientHello whose handshake message is 256–511 bytes long;
            // pad such hellos to 512. Length here = 4-byte handshake
            // header + body + 2-byte extensions length + extensions.
            let hs_len = 4 + body.len() + 2 + exts.len();
            if (256..512).contains(&hs_len) {
                // At least one byte of padding so that the last extension
                // is never empty (some servers mis-parse an empty final
                // extension; BoringSSL works around the same bug).
                let pad = (512 - hs_len).saturating_sub(4).max(1);
                ext(&mut exts, ExtensionType::PADDING, |o| {
                    o.extend(std::iter::repeat_n(0u8, pad))
                });
            }
            encode_len_prefixed(&mut body, ListLength::U16, |o| o.extend_from_slice(&exts));
        }

        let mut out = Vec::with_capacity(body.len() + 9);
        out.push(ContentType::HANDSHAKE.0);
        out.extend_from_slice(&self.probe.record_version().0.to_be_bytes());
        encode_len_prefixed(&mut out, ListLength::U16, |o| {
            o.push(HandshakeType::CLIENT_HELLO.0);
            put_u24(o, body.len() as u32);
            o.extend_from_slice(&body);
        });
        Ok(out)
    }

    /// The probe's extensions in wire order, each non-empty extension
    /// placed last (the empty session_ticket / extended_master_secret go
    /// early).
    fn extensions(&self, host: Option<&str>) -> Vec<u8> {
        let mut e = Vec::with_capacity(256);
        if let Some(h) = host {
            sni(&mut e, h);
        }
        if self.heartbeat && matches!(self.probe, Probe::Tls10 | Probe::Tls11 | Probe::Tls12) {
            ext(&mut e, ExtensionType(0x000f), |o| o.push(1));
        }
        match self.probe {
            Probe::Ssl3 => {}
            Probe::Tls10 | Probe::Tls11 => {
                // No signature_algorithms: it is TLS 1.2-only (RFC 5246
                // §7.4.1.4.1) and some 1.0 servers abort on it.
                ext(&mut e, ExtensionType::SESSION_TICKET, |_| {});
                groups(&mut e, self.groups.as_deref().unwrap_or(LEGACY_GROUPS));
                point_formats(&mut e);
            }
            Probe::Tls12 => {
                ext(&mut e, ExtensionType::SESSION_TICKET, |_| {});
                // RFC 7627 §5.1: empty extension_data.
                ext(&mut e, ExtensionType::EXTENDED_MASTER_SECRET, |_| {});
                groups(&mut e, self.groups.as_deref().unwrap_or(MODERN_GROUPS));
                point_formats(&mut e);
                sig_algs(&mut e, TLS12_SIGNATURE_SCHEMES);
            }
            Probe::Tls13 => {
                let offered = self.groups.as_deref().unwrap_or(MODERN_GROUPS);
                groups(&mut e, offered);
                sig_algs(&mut e, TLS13_SIGNATURE_SCHEMES);
                // RFC 8446 §4.2.1: ClientHello form is a u8-prefixed list.
                ext(&mut e, ExtensionType::SUPPORTED_VERSIONS, |o| {
                    encode_len_prefixed(o, ListLength::U8, |o| {
                        o.extend_from_slice(&ProtocolVersion::TLSv1_3.0.to_be_bytes())
                    })
                });
                // RFC 8446 §4.2.9: psk_dhe_ke(1). Harmless without a PSK and
                // matches what browsers send.
                ext(&mut e, ExtensionType::PSK_KEY_EXCHANGE_MODES, |o| {
                    o.extend_from_slice(&[1, 1])
                });
                // RFC 8446 §4.2.8: client_shares<0..2^16-1> of
                // KeyShareEntry { group, key_exchange<1..2^16-1> }.
                ext(&mut e, ExtensionType::KEY_SHARE, |o| {
                    encode_len_prefixed(o, ListLength::U16, |o| {
                        if offered.contains(&NamedGroup::X25519) {
                            key_share_entry(o, NamedGroup::X25519, &self.x25519_share);
                        }
                        if let Some(p) = &self.secp256r1_share {
                            if offered.contains(&NamedGroup::SECP256R1) {
                                key_share_entry(o, NamedGroup::SECP256R1, p);
                            }
                        }
                    })
                });
            }
        }
        e
    }
}

/// One extension: type, then u16-prefixed extension_data
/// (RFC 5246 §7.4.1.4).
fn ext(out: &mut Vec<u8>, typ: ExtensionType, body: impl FnOnce(&mut Vec<u8>)) {
    out.extend_from_slice(&typ.0.to_be_bytes());
    encode_len_prefixed(out, ListLength::U16, body);
}

/// server_name (RFC 6066 §3): ServerNameList of one host_name(0) entry.
fn sni(out: &mut Vec<u8>, host: &str) {
    ext(out, ExtensionType::SERVER_NAME, |o| {
        encode_len_prefixed(o, ListLength::U16, |o| {
            o.push(0); // NameType host_name
            encode_len_prefixed(o, ListLength::U16, |o| o.extend_from_slice(host.as_bytes()));
        })
    });
}

/// supported_groups (RFC 8422 §5.1.1, RFC 8446 §4.2.7).
fn groups(out: &mut Vec<u8>, list: &[NamedGroup]) {
    ext(out, ExtensionType::SUPPORTED_GROUPS, |o| {
        encode_len_prefixed(o, ListLength::U16, |o| {
            for g in list {
                o.extend_from_slice(&g.0.to_be_bytes());
            }
        })
    });
}

/// ec_point_formats (RFC 8422 §5.1.2): only uncompressed(0).
fn point_formats(out: &mut Vec<u8>) {
    ext(out, ExtensionType::EC_POINT_FORMATS, |o| {
        o.extend_from_slice(&[1, 0])
    });
}

/// signature_algorithms (RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3).
fn sig_algs(out: &mut Vec<u8>, list: &[SignatureScheme]) {
    ext(out, ExtensionType::SIGNATURE_ALGORITHMS, |o| {
        encode_len_prefixed(o, ListLength::U16, |o| {
            for s in list {
                o.extend_from_slice(&s.0.to_be_bytes());
            }
        })
    });
}

fn key_share_entry(out: &mut Vec<u8>, group: NamedGroup, key: &[u8]) {
    out.extend_from_slice(&group.0.to_be_bytes());
    encode_len_prefixed(out, ListLength::U16, |o| o.extend_from_slice(key));
}

/// Normalise a host name for SNI, `Ok(None)` for IP literals.
fn sni_host_name(host: &str) -> Result<Option<String>, BuildError> {
    // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in
    // "HostName"", and the name is sent without a trailing dot.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if bare.parse::<IpAddr>().is_ok() {
        return Ok(None);
    }
    let h = host.strip_suffix('.').unwrap_or(host);
    let ok_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.');
    if h.is_empty() || h.len() > 253 || !h.bytes().all(ok_char) || h.contains("..") {
        return Err(BuildError::InvalidServerName);
    }
    Ok(Some(h.to_owned()))
}

/// 32 bytes that differ per call and per process, built from std's
/// OS-seeded `RandomState` SipHash keys and the clock.
///
/// Not a CSPRNG. It is good enough here because probe hellos only need to
/// look like ordinary traffic: the scanner never completes a handshake, so
/// nothing secret depends on these bytes. Callers with a real RNG should
/// pass its output to [`ClientHelloBuilder::random`] instead.
pub fn weak_random_32() -> [u8; 32] {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::time::{SystemTime, UNIX_EPOCH};
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(now);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}

#[cfg(test)]
#[path = "hello_tests.rs"]
mod tests;
