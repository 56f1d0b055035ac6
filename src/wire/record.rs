//! TLS record layer framing and handshake-message reassembly.
//!
//! A scanner reads whatever the server sends, in arbitrary TCP chunks. This
//! module turns those bytes into records ([`deframe`], [`RecordReader`]) and
//! records into handshake messages ([`HandshakeJoiner`]), with hard caps so a
//! hostile server cannot make us buffer unbounded data:
//!
//! * a record longer than 2^14 + 2048 bytes is rejected as soon as its
//!   header is seen — RFC 5246 §6.2.3 bounds `TLSCiphertext.length` by
//!   2^14 + 2048 (TLS 1.3 is tighter, 2^14 + 256, RFC 8446 §5.2, but we must
//!   accept the loosest bound of every version we probe);
//! * a handshake message longer than [`MAX_HANDSHAKE_MESSAGE`] is rejected as
//!   soon as its 4-byte header is seen.
//!
//! Handshake messages may be split across several records, and several
//! messages may share one record (RFC 5246 §6.2.1, RFC 8446 §5.1), so the
//! joiner buffers handshake payload bytes independently of record edges.

use crate::wire::codec::{DecodeError, Reader};
use crate::wire::enums::{ContentType, HandshakeType, ProtocolVersion};

/// Bytes in a TLS record header: type(1) + version(2) + length(2).
pub const RECORD_HEADER_LEN: usize = 5;

/// Largest record payload we accept: 2^14 + 2048, the `TLSCiphertext`
/// bound of RFC 5246 §6.2.3 (and RFC 6101 §5.2.3 for SSL 3.0).
pub const MAX_RECORD_PAYLOAD: usize = (1 << 14) + 2048;

/// Largest single handshake message we reassemble (64 KiB). A ServerHello
/// is under 1 KiB and real certificate chains are far below this; anything
/// larger from a server we are merely probing is treated as hostile.
pub const MAX_HANDSHAKE_MESSAGE: usize = 64 * 1024;

/// Most bytes a [`RecordReader`] will hold before the caller drains records.
pub const MAX_BUFFERED: usize = 4 * (MAX_RECORD_PAYLOAD + RECORD_HEADER_LEN);

/// The 5-byte record header (RFC 5246 §6.2.1 `TLSPlaintext`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// Record content type.
    pub content_type: ContentType,
    /// Record-layer version (not the negotiated version; servers usually
    /// echo the version they selected, but it carries no authority).
    pub version: ProtocolVersion,
    /// Payload length in bytes.
    pub length: u16,
}

impl RecordHeader {
    /// Parse and validate a header from the first 5 bytes of `buf`.
    ///
    /// Fails with [`DecodeError::SslV2Record`] when the first byte has its
    /// high bit set, [`DecodeError::NotTlsRecord`] when the content type is
    /// not 20..=24 or the version major byte is not 3, and
    /// [`DecodeError::TooLarge`] when `length` exceeds
    /// [`MAX_RECORD_PAYLOAD`]. These checks are made on as many bytes as are
    /// present, so garbage is recognised before a full header arrives.
    pub fn parse(buf: &[u8]) -> Result<RecordHeader, DecodeError> {
        check_prefix(buf)?;
        let mut r = Reader::new(buf);
        let content_type = ContentType(r.u8("record header.content_type")?);
        let version = ProtocolVersion(r.u16("record header.version")?);
        let length = r.u16("record header.length")?;
        if usize::from(length) > MAX_RECORD_PAYLOAD {
            return Err(DecodeError::TooLarge {
                what: "record",
                len: usize::from(length),
                max: MAX_RECORD_PAYLOAD,
            });
        }
        Ok(RecordHeader {
            content_type,
            version,
            length,
        })
    }

    /// Append the 5-byte wire form.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.content_type.0);
        out.extend_from_slice(&self.version.0.to_be_bytes());
        out.extend_from_slice(&self.length.to_be_bytes());
    }
}

/// Sanity checks that need only the first one or two bytes.
fn check_prefix(buf: &[u8]) -> Result<(), DecodeError> {
    if let Some(&b0) = buf.first() {
        // SSLv2 records start with a 2- or 3-byte length whose top bit
        // distinguishes the header form; a TLS content type never has it.
        if b0 & 0x80 != 0 {
            return Err(DecodeError::SslV2Record);
        }
        if !(20..=24).contains(&b0) {
            return Err(DecodeError::NotTlsRecord);
        }
    }
    if let Some(&major) = buf.get(1) {
        // Every SSL 3.0 – TLS 1.3 record uses major version 3.
        if major != 3 {
            return Err(DecodeError::NotTlsRecord);
        }
    }
    Ok(())
}

/// Try to split one complete record off the front of `buf`.
///
/// Returns `Ok(None)` when more bytes are needed, or the header and a
/// borrowed payload; the record occupies `RECORD_HEADER_LEN + payload.len()`
/// bytes of `buf`.
pub fn deframe(buf: &[u8]) -> Result<Option<(RecordHeader, &[u8])>, DecodeError> {
    if buf.len() < RECORD_HEADER_LEN {
        check_prefix(buf)?;
        return Ok(None);
    }
    let header = RecordHeader::parse(buf)?;
    let end = RECORD_HEADER_LEN + usize::from(header.length);
    match buf.get(RECORD_HEADER_LEN..end) {
        Some(payload) => Ok(Some((header, payload))),
        None => Ok(None),
    }
}

/// One complete record with an owned payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The record header.
    pub header: RecordHeader,
    /// The `header.length` payload bytes.
    pub payload: Vec<u8>,
}

/// Streaming deframer: [`feed`](RecordReader::feed) it bytes as they arrive,
/// then call [`next_record`](RecordReader::next_record) until it returns
/// `Ok(None)` ("need more").
#[derive(Clone, Debug, Default)]
pub struct RecordReader {
    buf: Vec<u8>,
}

impl RecordReader {
    /// An empty reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes. Fails if more than [`MAX_BUFFERED`] bytes
    /// would be held, which only happens if the caller stops draining.
    pub fn feed(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        let len = self.buf.len().saturating_add(data.len());
        if len > MAX_BUFFERED {
            return Err(DecodeError::TooLarge {
                what: "buffered record data",
                len,
                max: MAX_BUFFERED,
            });
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// Pop the next complete record, `Ok(None)` if more bytes are needed.
    /// Errors are sticky in the sense that the offending bytes stay
    /// buffered; callers should abandon the connection.
    pub fn next_record(&mut self) -> Result<Option<Record>, DecodeError> {
        let (header, payload) = match deframe(&self.buf)? {
            Some(x) => x,
            None => return Ok(None),
        };
        let rec = Record {
            header,
            payload: payload.to_vec(),
        };
        let used = RECORD_HEADER_LEN + rec.payload.len();
        self.buf.drain(..used);
        Ok(Some(rec))
    }

    /// Bytes buffered but not yet returned as a record.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}

/// A complete handshake message (RFC 5246 §7.4 `Handshake`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeMessage {
    /// `msg_type`.
    pub typ: HandshakeType,
    /// The body, without the 4-byte type/length header.
    pub body: Vec<u8>,
}

/// Reassembles handshake messages from the payloads of consecutive
/// handshake records.
#[derive(Clone, Debug, Default)]
pub struct HandshakeJoiner {
    buf: Vec<u8>,
}

impl HandshakeJoiner {
    /// An empty joiner.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when no partial message is buffered.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Add the payload of one handshake record. Fails when a buffered
    /// message header already declares more than [`MAX_HANDSHAKE_MESSAGE`]
    /// or the buffer would exceed that cap plus one record.
    pub fn push(&mut self, payload: &[u8]) -> Result<(), DecodeError> {
        let max = MAX_HANDSHAKE_MESSAGE + 4 + MAX_RECORD_PAYLOAD;
        let len = self.buf.len().saturating_add(payload.len());
        if len > max {
            return Err(DecodeError::TooLarge {
                what: "buffered handshake data",
                len,
                max,
            });
        }
        self.buf.extend_from_slice(payload);
        self.check_declared_len()
    }

    fn check_declared_len(&self) -> Result<(), DecodeError> {
        let mut r = Reader::new(&self.buf);
        if r.u8("handshake.msg_type").is_ok() {
            if let Ok(len) = r.u24("handshake.length") {
                let len = len as usize;
                if len > MAX_HANDSHAKE_MESSAGE {
                    return Err(DecodeError::TooLarge {
                        what: "handshake message",
                        len,
                        max: MAX_HANDSHAKE_MESSAGE,
                    });
                }
            }
        }
        Ok(())
    }

    /// Pop the next complete message, `Ok(None)` if it is still partial.
    pub fn next_message(&mut self) -> Result<Option<HandshakeMessage>, DecodeError> {
        self.check_declared_len()?;
        let mut r = Reader::new(&self.buf);
        let (typ, len) = match (r.u8("handshake.msg_type"), r.u24("handshake.length")) {
            (Ok(t), Ok(l)) => (HandshakeType(t), l as usize),
            _ => return Ok(None),
        };
        let body = match r.take(len, "handshake body") {
            Ok(b) => b.to_vec(),
            Err(_) => return Ok(None),
        };
        self.buf.drain(..4 + len);
        Ok(Some(HandshakeMessage { typ, body }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ct: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![ct, 3, 3];
        v.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn a_record_header_parses_and_encodes_symmetrically() {
        let h = RecordHeader::parse(&[22, 3, 1, 0, 5]).expect("valid header");
        assert_eq!(h.content_type, ContentType::HANDSHAKE);
        assert_eq!(h.version, ProtocolVersion::TLSv1_0);
        assert_eq!(h.length, 5);
        let mut out = Vec::new();
        h.encode(&mut out);
        assert_eq!(out, [22, 3, 1, 0, 5]);
    }

    #[test]
    fn records_longer_than_the_ciphertext_bound_are_rejected_from_the_header() {
        // 2^14 + 2048 = 18432 = 0x4800 is the largest legal length.
        assert!(RecordHeader::parse(&[23, 3, 3, 0x48, 0x00]).is_ok());
        assert_eq!(
            deframe(&[23, 3, 3, 0x48, 0x01]),
            Err(DecodeError::TooLarge {
                what: "record",
                len: 0x4801,
                max: MAX_RECORD_PAYLOAD
            })
        );
        assert!(deframe(&[22, 3, 3, 0xff, 0xff]).is_err());
    }

    #[test]
    fn sslv2_and_non_tls_bytes_are_recognised_from_the_first_bytes() {
        assert_eq!(deframe(&[0x80]), Err(DecodeError::SslV2Record));
        assert_eq!(deframe(&[0x80, 0x2e, 0x04]), Err(DecodeError::SslV2Record));
        assert_eq!(deframe(b"4"), Err(DecodeError::NotTlsRecord));
        assert_eq!(deframe(b"HTTP/1.1 400"), Err(DecodeError::NotTlsRecord));
        assert_eq!(deframe(&[22, 2]), Err(DecodeError::NotTlsRecord));
        assert_eq!(deframe(&[22, 3]), Ok(None));
    }

    #[test]
    fn the_record_reader_yields_records_only_when_complete() {
        let mut bytes = record(22, &[1, 2, 3]);
        bytes.extend(record(21, &[2, 40]));
        let mut rr = RecordReader::new();
        let mut got = Vec::new();
        for b in &bytes {
            rr.feed(&[*b]).expect("small feed");
            while let Some(rec) = rr.next_record().expect("valid") {
                got.push(rec);
            }
        }
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].payload, [1, 2, 3]);
        assert_eq!(got[1].header.content_type, ContentType::ALERT);
        assert_eq!(rr.buffered(), 0);
    }

    #[test]
    fn every_prefix_of_a_record_means_need_more() {
        let bytes = record(22, &[2, 0, 0, 1, 9]);
        for n in 0..bytes.len() {
            assert_eq!(deframe(&bytes[..n]), Ok(None), "prefix {n}");
        }
        assert!(deframe(&bytes).expect("ok").is_some());
    }

    #[test]
    fn the_record_reader_refuses_unbounded_buffering() {
        let mut rr = RecordReader::new();
        assert!(rr.feed(&vec![0u8; MAX_BUFFERED + 1]).is_err());
    }

    #[test]
    fn handshake_messages_are_joined_across_records_and_split_within_one() {
        let mut j = HandshakeJoiner::new();
        // Message 1 (type 2, len 3) split 2+5 bytes; message 2 (type 14,
        // len 0) shares the second record.
        j.push(&[2, 0]).expect("push");
        assert_eq!(j.next_message(), Ok(None));
        j.push(&[0, 3, 7, 8, 9, 14, 0, 0, 0]).expect("push");
        let m1 = j.next_message().expect("ok").expect("complete");
        assert_eq!(
            (m1.typ, m1.body.as_slice()),
            (HandshakeType::SERVER_HELLO, &[7, 8, 9][..])
        );
        let m2 = j.next_message().expect("ok").expect("complete");
        assert_eq!(m2.typ, HandshakeType::SERVER_HELLO_DONE);
        assert!(m2.body.is_empty());
        assert!(j.is_empty());
    }

    #[test]
    fn a_handshake_message_declaring_more_than_the_cap_is_rejected_early() {
        let mut j = HandshakeJoiner::new();
        assert!(matches!(
            j.push(&[11, 0x01, 0x00, 0x01]),
            Err(DecodeError::TooLarge { .. })
        ));
        let mut j = HandshakeJoiner::new();
        assert!(j.push(&[11, 0x01, 0x00, 0x00]).is_ok()); // exactly 64 KiB is fine
    }
}
