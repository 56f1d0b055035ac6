//! Encoders for the records and handshake messages a probe sends after its ClientHello:
//! ChangeCipherSpec, alerts, heartbeat requests, an RSA ClientKeyExchange, Finished.
//!
//! Probes send these on purpose at the wrong time or with wrong contents (an early
//! ChangeCipherSpec, a heartbeat that claims more than it carries, a garbage Finished), so the
//! encoders take the contents as given and only make the framing right: every length field
//! says how many bytes follow. An input that a length field cannot express is an
//! [`EncodeError`], never a panic or a truncated length.

use std::fmt;

use crate::wire::alert::Alert;
use crate::wire::codec::{put_u24, Codec};
use crate::wire::enums::{ContentType, HandshakeType, ProtocolVersion};
use crate::wire::record::RecordHeader;

/// Largest record payload a sender may write: 2^14 bytes (RFC 5246 §6.2.1, RFC 8446 §5.1).
pub const MAX_FRAGMENT: usize = 1 << 14;

/// HeartbeatMessageType heartbeat_request (RFC 6520 §3).
pub const HEARTBEAT_REQUEST: u8 = 1;

/// Why a message could not be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// `what` is `len` bytes long; its length field holds at most `max`.
    TooLong {
        /// The field.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The most its length prefix can express.
        max: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::TooLong { what, len, max } => {
                write!(f, "{what} of {len} bytes is over the {max}-byte limit")
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// `payload` as records of `content_type` with record-layer `version`. A payload over
/// [`MAX_FRAGMENT`] bytes is split into as many records as it needs (RFC 5246 §6.2.1); an
/// empty one gives one empty record.
pub fn encode_record(
    content_type: ContentType,
    version: ProtocolVersion,
    payload: &[u8],
) -> Vec<u8> {
    let records = payload.len().div_ceil(MAX_FRAGMENT).max(1);
    let mut out = Vec::with_capacity(payload.len() + 5 * records);
    let mut put = |fragment: &[u8]| {
        RecordHeader {
            content_type,
            version,
            // At most MAX_FRAGMENT = 2^14, which fits.
            length: fragment.len() as u16,
        }
        .encode(&mut out);
        out.extend_from_slice(fragment);
    };
    if payload.is_empty() {
        put(&[]);
    }
    for fragment in payload.chunks(MAX_FRAGMENT) {
        put(fragment);
    }
    out
}

/// A ChangeCipherSpec record: the single byte change_cipher_spec(1) (RFC 5246 §7.1).
pub fn change_cipher_spec_record(version: ProtocolVersion) -> Vec<u8> {
    encode_record(ContentType::CHANGE_CIPHER_SPEC, version, &[1])
}

/// An alert record (RFC 5246 §7.2): level, then description.
pub fn alert_record(version: ProtocolVersion, alert: Alert) -> Vec<u8> {
    encode_record(ContentType::ALERT, version, &alert.get_encoding())
}

/// A heartbeat request record (RFC 6520 §3): type heartbeat_request(1), a `payload_length`
/// of `claimed_len`, then `payload` and `padding` as given. `claimed_len` is separate from
/// `payload.len()` so that a probe can claim more than it sends (a well-formed request has
/// them equal and at least 16 bytes of random padding). RFC 6520 §4 limits a message to
/// 2^14 bytes; a longer one is split over records like any payload, and a peer should drop it.
pub fn heartbeat_request(
    version: ProtocolVersion,
    claimed_len: u16,
    payload: &[u8],
    padding: &[u8],
) -> Vec<u8> {
    let mut msg = Vec::with_capacity(3 + payload.len() + padding.len());
    msg.push(HEARTBEAT_REQUEST);
    msg.extend_from_slice(&claimed_len.to_be_bytes());
    msg.extend_from_slice(payload);
    msg.extend_from_slice(padding);
    encode_record(ContentType::HEARTBEAT, version, &msg)
}

/// A handshake message (RFC 5246 §7.4, RFC 8446 §4): type, 24-bit length, body. Not a record:
/// wrap it with [`encode_record`] (several messages may share one record).
pub fn handshake_message(typ: HandshakeType, body: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let max = 0xff_ffff;
    if body.len() > max {
        return Err(EncodeError::TooLong {
            what: "handshake message body",
            len: body.len(),
            max,
        });
    }
    let mut m = Vec::with_capacity(4 + body.len());
    m.push(typ.0);
    // Bounded by the 2^24 − 1 check above.
    put_u24(&mut m, body.len() as u32);
    m.extend_from_slice(body);
    Ok(m)
}

/// An RSA ClientKeyExchange handshake message carrying `encrypted_premaster` (the RSA
/// ciphertext, as long as the server's modulus).
///
/// From TLS 1.0 on the ciphertext is an opaque vector with a 2-byte length (RFC 5246
/// §7.4.7.1, RFC 2246 §7.4.7.1); SSL 3.0 (and anything older) sends it bare, because SSL 3.0
/// implementations never wrote those bytes (the "Implementation Note" of RFC 5246 §7.4.7.1;
/// RFC 6101 §5.6.7.1).
pub fn rsa_client_key_exchange(
    version: ProtocolVersion,
    encrypted_premaster: &[u8],
) -> Result<Vec<u8>, EncodeError> {
    if version < ProtocolVersion::TLSv1_0 {
        return handshake_message(HandshakeType::CLIENT_KEY_EXCHANGE, encrypted_premaster);
    }
    let len = u16::try_from(encrypted_premaster.len()).map_err(|_| EncodeError::TooLong {
        what: "EncryptedPreMasterSecret",
        len: encrypted_premaster.len(),
        max: usize::from(u16::MAX),
    })?;
    let mut body = Vec::with_capacity(2 + encrypted_premaster.len());
    body.extend_from_slice(&len.to_be_bytes());
    body.extend_from_slice(encrypted_premaster);
    handshake_message(HandshakeType::CLIENT_KEY_EXCHANGE, &body)
}

/// A Finished handshake message carrying `verify_data` as given (12 bytes in TLS 1.0–1.2,
/// RFC 5246 §7.4.9; 36 in SSL 3.0; the hash length in TLS 1.3, RFC 8446 §4.4.4).
pub fn finished(verify_data: &[u8]) -> Result<Vec<u8>, EncodeError> {
    handshake_message(HandshakeType::FINISHED, verify_data)
}

#[cfg(test)]
#[path = "flight_tests.rs"]
mod tests;
