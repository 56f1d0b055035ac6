//! Parsing and classifying what a server sends back to a probe.
//!
//! [`classify_first_flight`] looks at the bytes received so far and says
//! whether the probe got a ServerHello, an alert, something that is not TLS
//! at all, an SSLv2 record, garbage — or whether more bytes are needed.
//! Only the ServerHello is needed to decide the version; for TLS ≤ 1.2 the
//! Certificate message that follows is still cleartext (RFC 5246 §7.3), so
//! its DER certificates are collected too when they are already present.
//! [`FirstFlightParser`] is the incremental form: feed it bytes as they
//! arrive and it reports the same verdicts without re-parsing.

use crate::wire::alert::parse_alert;
use crate::wire::codec::{Codec, DecodeError, ListLength, Reader};
use crate::wire::enums::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, ExtensionType, HandshakeType,
    NamedGroup, ProtocolVersion,
};
use crate::wire::record::{deframe, HandshakeJoiner, HandshakeMessage, RECORD_HEADER_LEN};

/// `ServerHello.random` of a HelloRetryRequest: SHA-256("HelloRetryRequest")
/// (RFC 8446 §4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Last 8 bytes of `ServerHello.random` set by a TLS 1.3-capable server that
/// negotiated TLS 1.2 ("DOWNGRD" ‖ 0x01, RFC 8446 §4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";

/// Last 8 bytes of `ServerHello.random` set by a TLS 1.2- or 1.3-capable
/// server that negotiated TLS 1.1 or below ("DOWNGRD" ‖ 0x00).
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// Most certificates collected from one Certificate message.
pub const MAX_CERTIFICATES: usize = 100;

/// Most total certificate bytes collected from one Certificate message.
pub const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;

/// One extension as sent: type and raw `extension_data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// Extension type.
    pub typ: ExtensionType,
    /// Raw `extension_data`.
    pub data: Vec<u8>,
}

/// A parsed ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3), which in TLS
/// 1.3 may be a HelloRetryRequest (see
/// [`is_hello_retry_request`](Self::is_hello_retry_request)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// `server_version` / `legacy_version`.
    pub legacy_version: ProtocolVersion,
    /// `random`.
    pub random: [u8; 32],
    /// `session_id` / `legacy_session_id_echo` (0–32 bytes).
    pub session_id: Vec<u8>,
    /// Selected cipher suite.
    pub cipher_suite: CipherSuite,
    /// Selected compression method (0 = null).
    pub compression: u8,
    /// All extensions in order; empty when the server sent no extensions
    /// block at all (allowed before TLS 1.3, RFC 5246 §7.4.1.3).
    pub extensions: Vec<Extension>,
    /// `supported_versions.selected_version`, if present (RFC 8446 §4.2.1).
    pub selected_version: Option<ProtocolVersion>,
    /// The key_share group: `server_share.group` in a ServerHello, or
    /// `selected_group` in a HelloRetryRequest (RFC 8446 §4.2.8).
    pub key_share_group: Option<NamedGroup>,
}

impl ServerHello {
    /// True when `random` is the HelloRetryRequest sentinel: the server
    /// speaks TLS 1.3 but wants a different key share or a cookie.
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }

    /// The version the server chose: supported_versions when present (TLS
    /// 1.3 freezes `legacy_version` at 0x0303, RFC 8446 §4.1.3), else
    /// `legacy_version`.
    pub fn negotiated_version(&self) -> ProtocolVersion {
        self.selected_version.unwrap_or(self.legacy_version)
    }

    /// The RFC 8446 §4.1.3 downgrade-protection sentinel, translated to the
    /// highest version it proves the server supports:
    /// `Some(TLSv1_3)` for `…DOWNGRD\x01` (server does 1.3 but picked 1.2),
    /// `Some(TLSv1_2)` for `…DOWNGRD\x00` (server does at least 1.2 but
    /// picked ≤ 1.1), `None` otherwise.
    pub fn downgrade_sentinel(&self) -> Option<ProtocolVersion> {
        let tail = self.random.get(24..)?;
        if tail == DOWNGRADE_TLS12 {
            Some(ProtocolVersion::TLSv1_3)
        } else if tail == DOWNGRADE_TLS11 {
            Some(ProtocolVersion::TLSv1_2)
        } else {
            None
        }
    }

    /// The raw data of the first extension of type `typ`.
    pub fn extension(&self, typ: ExtensionType) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|e| e.typ == typ)
            .map(|e| e.data.as_slice())
    }
}

/// Parse a ServerHello handshake *body* (after the 4-byte handshake header).
///
/// Strict where it matters for classification: the session id is at most
/// 32 bytes, the extensions block must be consumed exactly, duplicate
/// extensions are rejected (RFC 5246 §7.4.1.4, RFC 8446 §4.2), and
/// supported_versions / key_share must have their ServerHello shapes.
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, DecodeError> {
    let mut r = Reader::new(body);
    let legacy_version = ProtocolVersion(r.u16("ServerHello.legacy_version")?);
    let random: [u8; 32] = r.array("ServerHello.random")?;
    let sid = r.sub(ListLength::U8, "ServerHello.session_id")?;
    if sid.remaining() > 32 {
        return Err(DecodeError::Invalid("ServerHello.session_id length"));
    }
    let session_id = sid.clone().rest().to_vec();
    let cipher_suite = CipherSuite(r.u16("ServerHello.cipher_suite")?);
    let compression = r.u8("ServerHello.compression_method")?;
    let is_hrr = random == HELLO_RETRY_REQUEST_RANDOM;

    let mut extensions = Vec::new();
    let mut selected_version = None;
    let mut key_share_group = None;
    // Before TLS 1.3 the extensions block is optional: its absence is
    // detected by the message simply ending here (RFC 5246 §7.4.1.3).
    if !r.is_empty() {
        let mut list = r.sub(ListLength::U16, "ServerHello.extensions")?;
        while !list.is_empty() {
            let typ = ExtensionType(list.u16("ServerHello extension type")?);
            let mut data = list.sub(ListLength::U16, "ServerHello extension data")?;
            if extensions.iter().any(|e: &Extension| e.typ == typ) {
                return Err(DecodeError::Invalid("ServerHello duplicate extension"));
            }
            let raw = data.clone().rest().to_vec();
            match typ {
                ExtensionType::SUPPORTED_VERSIONS => {
                    // ServerHello form: a single selected_version.
                    selected_version = Some(ProtocolVersion::read(&mut data)?);
                    data.expect_empty("ServerHello supported_versions")?;
                }
                ExtensionType::KEY_SHARE if is_hrr => {
                    key_share_group = Some(NamedGroup::read(&mut data)?);
                    data.expect_empty("HelloRetryRequest key_share")?;
                }
                ExtensionType::KEY_SHARE => {
                    key_share_group = Some(NamedGroup::read(&mut data)?);
                    let key = data.sub(ListLength::U16, "ServerHello key_share key_exchange")?;
                    if key.is_empty() {
                        return Err(DecodeError::Invalid("ServerHello key_share key_exchange"));
                    }
                    data.expect_empty("ServerHello key_share")?;
                }
                _ => {}
            }
            extensions.push(Extension { typ, data: raw });
        }
    }
    r.expect_empty("ServerHello")?;
    Ok(ServerHello {
        legacy_version,
        random,
        session_id,
        cipher_suite,
        compression,
        extensions,
        selected_version,
        key_share_group,
    })
}

/// Parse a TLS ≤ 1.2 Certificate body (RFC 5246 §7.4.2, RFC 6101 §5.6.2):
/// a u24-prefixed list of u24-prefixed DER certificates. Capped at
/// [`MAX_CERTIFICATES`] certificates and [`MAX_CERTIFICATE_BYTES`] bytes.
/// The DER itself is not inspected.
pub fn parse_certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, DecodeError> {
    let mut r = Reader::new(body);
    let mut list = r.sub(ListLength::U24, "Certificate.certificate_list")?;
    r.expect_empty("Certificate")?;
    let mut certs = Vec::new();
    let mut total = 0usize;
    while !list.is_empty() {
        let cert = list.sub(ListLength::U24, "Certificate.certificate")?.rest();
        if cert.is_empty() {
            return Err(DecodeError::Invalid("empty certificate"));
        }
        total = total.saturating_add(cert.len());
        if total > MAX_CERTIFICATE_BYTES {
            return Err(DecodeError::TooLarge {
                what: "certificate chain",
                len: total,
                max: MAX_CERTIFICATE_BYTES,
            });
        }
        if certs.len() == MAX_CERTIFICATES {
            return Err(DecodeError::TooLarge {
                what: "certificate count",
                len: certs.len() + 1,
                max: MAX_CERTIFICATES,
            });
        }
        certs.push(cert.to_vec());
    }
    Ok(certs)
}

/// A ServerHello plus whatever of the rest of a TLS ≤ 1.2 first flight was
/// already in the bytes classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerFlight {
    /// The ServerHello (or HelloRetryRequest).
    pub server_hello: ServerHello,
    /// DER certificates from a complete Certificate message that followed
    /// the ServerHello: `None` if none was seen (not yet arrived, TLS 1.3
    /// where it is encrypted, or the server sent none), `Some(Err)` if it
    /// was malformed or over the caps.
    pub certificates: Option<Result<Vec<Vec<u8>>, DecodeError>>,
    /// True when ServerHelloDone was seen, i.e. the TLS ≤ 1.2 flight is
    /// complete and there is nothing more to wait for.
    pub server_hello_done: bool,
    /// The raw ServerKeyExchange body, when one arrived before ServerHelloDone (decode it with
    /// [`parse_server_key_exchange`] once the suite says whether it is DHE or ECDHE).
    pub server_key_exchange: Option<Vec<u8>>,
}

pub use crate::wire::kx::{parse_server_key_exchange, KeyExchangeParams, KxKind};

/// What the bytes a server sent so far amount to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirstFlight {
    /// Not enough bytes yet to decide; read more and call again.
    NeedMore,
    /// The server answered with a ServerHello.
    ServerHello(ServerFlight),
    /// The server answered with an alert before any ServerHello.
    Alert {
        /// Alert level.
        level: AlertLevel,
        /// Alert description, unknown values kept.
        description: AlertDescription,
    },
    /// The bytes are not TLS at all (e.g. "421 …" SMTP/FTP banner or an
    /// HTTP response).
    NotTls,
    /// The server answered with an SSL 2.0-format record.
    SslV2Record,
    /// TLS-looking but broken: a lying length, a bad ServerHello, an
    /// unexpected message, etc.
    Malformed(DecodeError),
}

/// Most bytes a [`FirstFlightParser`] accepts. A ServerHello plus a
/// 64 KiB certificate chain fits comfortably; past this, a server still
/// without a ServerHello is treated as hostile, and certificate collection
/// after a ServerHello simply stops.
pub const MAX_FIRST_FLIGHT_BYTES: usize = 256 * 1024;

/// Classify the bytes a server sent in reply to a probe.
///
/// One-shot form of [`FirstFlightParser`]: equivalent to feeding `bytes` to
/// a fresh parser. Handles a ServerHello split across records and a record
/// holding ServerHello + Certificate + …; only the ServerHello must parse
/// for a `ServerHello` result — anything wrong after it merely stops
/// certificate collection.
pub fn classify_first_flight(bytes: &[u8]) -> FirstFlight {
    let mut p = FirstFlightParser::new();
    // Feed in record-sized chunks so an over-long input still yields the
    // ServerHello at its front instead of tripping the total cap at once.
    for chunk in bytes.chunks(16 * 1024) {
        if p.is_finished() {
            break;
        }
        p.feed(chunk);
    }
    p.result().clone()
}

/// Incremental first-flight classifier: feed it the bytes as they arrive.
///
/// Work is linear in the input (no re-parsing) and memory is bounded by one
/// partial record plus one partial handshake message (see
/// [`crate::wire::record`]) and by [`MAX_FIRST_FLIGHT_BYTES`] overall.
///
/// ```
/// use tlsgrade::wire::server::{FirstFlight, FirstFlightParser};
/// let mut p = FirstFlightParser::new();
/// assert_eq!(p.feed(&[0x15, 0x03, 0x03]), &FirstFlight::NeedMore);
/// match p.feed(&[0x00, 0x02, 0x02, 70]) {
///     FirstFlight::Alert { description, .. } => assert_eq!(description.name(), "protocol_version"),
///     other => panic!("{other:?}"),
/// }
/// assert!(p.is_finished());
/// ```
#[derive(Clone, Debug)]
pub struct FirstFlightParser {
    /// Bytes of a record not yet complete.
    pending: Vec<u8>,
    joiner: HandshakeJoiner,
    seen_record: bool,
    total: usize,
    result: FirstFlight,
    finished: bool,
}

impl Default for FirstFlightParser {
    fn default() -> Self {
        Self::new()
    }
}

impl FirstFlightParser {
    /// A parser that has seen nothing yet.
    pub fn new() -> Self {
        FirstFlightParser {
            pending: Vec::new(),
            joiner: HandshakeJoiner::new(),
            seen_record: false,
            total: 0,
            result: FirstFlight::NeedMore,
            finished: false,
        }
    }

    /// The classification so far.
    pub fn result(&self) -> &FirstFlight {
        &self.result
    }

    /// True when more bytes cannot change the result: a verdict other than
    /// a ServerHello, or a ServerHello whose cleartext flight is complete
    /// (ServerHelloDone seen, TLS 1.3 / HRR, or something that ends
    /// certificate collection). A `ServerHello` result with `is_finished()
    /// == false` means certificates may still arrive.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Add received bytes and return the updated classification.
    pub fn feed(&mut self, data: &[u8]) -> &FirstFlight {
        if self.finished {
            return &self.result;
        }
        self.total = self.total.saturating_add(data.len());
        if self.total > MAX_FIRST_FLIGHT_BYTES {
            if self.result == FirstFlight::NeedMore {
                self.result = FirstFlight::Malformed(DecodeError::TooLarge {
                    what: "first flight",
                    len: self.total,
                    max: MAX_FIRST_FLIGHT_BYTES,
                });
            }
            return self.finish();
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(data);
        let mut used = 0;
        while !self.finished {
            match deframe(pending.get(used..).unwrap_or(&[])) {
                Ok(Some((header, payload))) => {
                    used += RECORD_HEADER_LEN + payload.len();
                    self.seen_record = true;
                    self.on_record(header.content_type, payload);
                }
                Ok(None) => break,
                Err(e) => self.on_deframe_error(e),
            }
        }
        if !self.finished {
            pending.drain(..used);
            self.pending = pending;
        }
        &self.result
    }

    fn finish(&mut self) -> &FirstFlight {
        self.finished = true;
        self.pending = Vec::new();
        self.joiner = HandshakeJoiner::new();
        &self.result
    }

    fn fail(&mut self, e: DecodeError) {
        self.result = FirstFlight::Malformed(e);
        self.finish();
    }

    fn on_deframe_error(&mut self, e: DecodeError) {
        if self.result == FirstFlight::NeedMore {
            // Only the very first bytes decide "not TLS" / "SSLv2": junk
            // after valid records is a malformed TLS stream.
            self.result = match e {
                DecodeError::NotTlsRecord if !self.seen_record => FirstFlight::NotTls,
                DecodeError::SslV2Record if !self.seen_record => FirstFlight::SslV2Record,
                e => FirstFlight::Malformed(e),
            };
        }
        // After a ServerHello, later garbage just ends collection.
        self.finish();
    }

    fn on_record(&mut self, content_type: ContentType, payload: &[u8]) {
        if matches!(self.result, FirstFlight::ServerHello(_)) {
            // Collecting the rest of a TLS ≤ 1.2 flight: anything but more
            // handshake data ends it.
            if content_type != ContentType::HANDSHAKE
                || payload.is_empty()
                || self.joiner.push(payload).is_err()
            {
                self.finish();
            } else {
                self.after_hello();
            }
            return;
        }
        match content_type {
            ContentType::ALERT => {
                // RFC 8446 §5.1 / RFC 5246 §6.2.1: a fragmented handshake
                // message must not be interleaved with other record types.
                if !self.joiner.is_empty() {
                    return self.fail(DecodeError::Invalid(
                        "alert inside a fragmented handshake message",
                    ));
                }
                match parse_alert(payload) {
                    Ok(a) => {
                        self.result = FirstFlight::Alert {
                            level: a.level,
                            description: a.description,
                        };
                        self.finish();
                    }
                    Err(e) => self.fail(e),
                }
            }
            ContentType::HANDSHAKE => {
                // RFC 5246 §6.2.1: zero-length handshake fragments are
                // forbidden.
                if payload.is_empty() {
                    return self.fail(DecodeError::Invalid("empty handshake record"));
                }
                if let Err(e) = self.joiner.push(payload) {
                    return self.fail(e);
                }
                loop {
                    match self.joiner.next_message() {
                        Err(e) => return self.fail(e),
                        Ok(None) => return,
                        // RFC 5246 §7.4.1.1: clients may ignore HelloRequest.
                        Ok(Some(m)) if m.typ == HandshakeType::HELLO_REQUEST => continue,
                        Ok(Some(m)) if m.typ == HandshakeType::SERVER_HELLO => {
                            return match parse_server_hello(&m.body) {
                                Ok(sh) => self.on_server_hello(sh),
                                Err(e) => self.fail(e),
                            };
                        }
                        Ok(Some(_)) => {
                            return self.fail(DecodeError::Invalid(
                                "first handshake message is not ServerHello",
                            ))
                        }
                    }
                }
            }
            _ => self.fail(DecodeError::Invalid(
                "record content type before ServerHello",
            )),
        }
    }

    fn on_server_hello(&mut self, server_hello: ServerHello) {
        // Everything after a TLS 1.3 ServerHello or an HRR is encrypted or
        // a new exchange, so there is nothing more to collect.
        let done = server_hello.is_hello_retry_request()
            || server_hello.negotiated_version() >= ProtocolVersion::TLSv1_3;
        self.result = FirstFlight::ServerHello(ServerFlight {
            server_hello,
            certificates: None,
            server_hello_done: false,
            server_key_exchange: None,
        });
        if done {
            self.finish();
        } else {
            self.after_hello();
        }
    }

    /// Process complete messages following the ServerHello.
    fn after_hello(&mut self) {
        loop {
            let m = match self.joiner.next_message() {
                Ok(Some(m)) => m,
                Ok(None) => return,
                Err(_) => {
                    self.finish();
                    return;
                }
            };
            let keep_going = match &mut self.result {
                FirstFlight::ServerHello(flight) => note_message(flight, m),
                _ => false,
            };
            if !keep_going {
                self.finish();
                return;
            }
        }
    }
}

/// Record one post-ServerHello message; false means "stop looking".
fn note_message(flight: &mut ServerFlight, m: HandshakeMessage) -> bool {
    match m.typ {
        HandshakeType::CERTIFICATE if flight.certificates.is_none() => {
            let certs = parse_certificate_list(&m.body);
            let ok = certs.is_ok();
            flight.certificates = Some(certs);
            ok
        }
        HandshakeType::SERVER_HELLO_DONE => {
            flight.server_hello_done = true;
            false
        }
        // Kept raw: the key-exchange prober reads the DH prime or curve from it.
        HandshakeType::SERVER_KEY_EXCHANGE if flight.server_key_exchange.is_none() => {
            flight.server_key_exchange = Some(m.body);
            true
        }
        // CertificateRequest, CertificateStatus… are skipped; nothing in them affects version
        // detection.
        HandshakeType::SERVER_KEY_EXCHANGE
        | HandshakeType::CERTIFICATE_REQUEST
        | HandshakeType::CERTIFICATE_STATUS => true,
        _ => false,
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
