//! Byte-level encoding and bounds-checked decoding primitives.
//!
//! Modelled on rustls' `msgs::codec`: values are *encoded* by appending to a
//! `Vec<u8>` and *decoded* from a [`Reader`] that tracks a cursor over a
//! borrowed slice. Every read is bounds-checked and returns a
//! [`DecodeError`] that names the field that was short, so hostile or
//! truncated server responses can never cause a panic and the scanner can
//! report *what* was wrong.
//!
//! TLS encodes variable-length vectors with a 1-, 2- or 3-byte big-endian
//! length prefix (RFC 5246 §4.3, RFC 8446 §3.4). [`encode_len_prefixed`]
//! writes a placeholder prefix, lets the caller append the body, then fixes
//! the prefix up exactly once — so lengths can never disagree with content.

use std::fmt;

/// Why decoding failed. Every variant names the field or structure
/// concerned so a scan report can say precisely what the server got wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended before the named field was complete.
    Truncated(&'static str),
    /// The named field was present but its value is not allowed.
    Invalid(&'static str),
    /// Bytes were left over after the named structure was fully decoded.
    TrailingData(&'static str),
    /// A declared length exceeds a protocol limit or one of our memory caps.
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The declared or accumulated length.
        len: usize,
        /// The largest length we accept.
        max: usize,
    },
    /// The first byte has its high bit set: this is an SSL 2.0-format record
    /// (2- or 3-byte header, draft-hickman-netscape-ssl-00 §"Record Header"),
    /// not a TLS record. Reported separately because a server answering in
    /// SSLv2 format is itself a scan finding.
    SslV2Record,
    /// The bytes cannot be the start of a TLS record (unknown content type or
    /// a version whose major byte is not 3), e.g. a plaintext banner.
    NotTlsRecord,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated(what) => write!(f, "truncated {what}"),
            DecodeError::Invalid(what) => write!(f, "invalid {what}"),
            DecodeError::TrailingData(what) => write!(f, "trailing data after {what}"),
            DecodeError::TooLarge { what, len, max } => {
                write!(f, "{what} too large: {len} bytes (max {max})")
            }
            DecodeError::SslV2Record => f.write_str("SSLv2-format record"),
            DecodeError::NotTlsRecord => f.write_str("not a TLS record"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// A cursor over a borrowed byte slice. No method panics: every read checks
/// the remaining length first and reports [`DecodeError::Truncated`].
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Start reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Number of bytes not yet consumed.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// True when every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Number of bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Take exactly `n` bytes, or fail naming `what`.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(DecodeError::Truncated(what))?;
        let out = self
            .buf
            .get(self.pos..end)
            .ok_or(DecodeError::Truncated(what))?;
        self.pos = end;
        Ok(out)
    }

    /// Consume and return everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = self.buf.get(self.pos..).unwrap_or(&[]);
        self.pos = self.buf.len();
        out
    }

    /// Read one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }

    /// Read a big-endian `uint16`.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// Read a big-endian `uint24` (used for handshake and certificate
    /// lengths, RFC 5246 §7.4).
    pub fn u24(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(3, what)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// Read a fixed-size array, e.g. the 32-byte `Random`.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let b = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    /// Read a length prefix of the given size, then return a sub-reader over
    /// exactly that many following bytes. A prefix that claims more bytes
    /// than remain is reported as [`DecodeError::Truncated`] for `what`.
    pub fn sub(&mut self, len: ListLength, what: &'static str) -> Result<Reader<'a>, DecodeError> {
        let n = match len {
            ListLength::U8 => usize::from(self.u8(what)?),
            ListLength::U16 => usize::from(self.u16(what)?),
            ListLength::U24 => self.u24(what)? as usize,
        };
        Ok(Reader::new(self.take(n, what)?))
    }

    /// Fail with [`DecodeError::TrailingData`] unless everything was consumed.
    pub fn expect_empty(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingData(what))
        }
    }
}

/// Size of a vector's length prefix (RFC 8446 §3.4: "the length will be in
/// the form of a number consuming as many bytes as required to hold the
/// vector's specified maximum (ceiling) length").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListLength {
    /// 1-byte prefix, body up to 255 bytes.
    U8,
    /// 2-byte prefix, body up to 65 535 bytes.
    U16,
    /// 3-byte prefix, body up to 16 777 215 bytes.
    U24,
}

impl ListLength {
    /// Number of prefix bytes.
    pub fn size(self) -> usize {
        match self {
            ListLength::U8 => 1,
            ListLength::U16 => 2,
            ListLength::U24 => 3,
        }
    }

    /// Largest body length the prefix can express.
    pub fn max(self) -> usize {
        match self {
            ListLength::U8 => 0xff,
            ListLength::U16 => 0xffff,
            ListLength::U24 => 0xff_ffff,
        }
    }
}

/// Append a length-prefixed vector: write a zero placeholder, let `body`
/// append the contents, then patch the prefix once with the real length.
///
/// # Panics
/// Panics if the body exceeds what the prefix can express. Encoding only
/// ever sees data built by this crate; the ClientHello builder validates
/// every caller-supplied input (host name, suite count) beforehand so the
/// bound cannot be reached, and silently truncating a length would emit a
/// corrupt message — a loud failure is the safer choice.
pub fn encode_len_prefixed(out: &mut Vec<u8>, len: ListLength, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend(std::iter::repeat_n(0u8, len.size()));
    body(out);
    let n = out.len() - at - len.size();
    assert!(
        n <= len.max(),
        "length-prefixed body of {n} bytes overflows {len:?}"
    );
    let be = (n as u32).to_be_bytes();
    out[at..at + len.size()].copy_from_slice(&be[4 - len.size()..]);
}

/// Types that have a TLS wire encoding.
pub trait Codec<'a>: Sized {
    /// Append the wire form of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Decode one value from `r`, advancing it.
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError>;

    /// Convenience: the wire form as a fresh vector.
    fn get_encoding(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }

    /// Decode a value that must occupy all of `bytes`.
    fn read_bytes(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.expect_empty(std::any::type_name::<Self>())?;
        Ok(v)
    }
}

impl Codec<'_> for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u8("u8")
    }
}

impl Codec<'_> for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u16("u16")
    }
}

/// Append a big-endian `uint24`. Only the low 24 bits are written; callers
/// pass lengths already bounded by a 2^24 cap.
pub fn put_u24(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_reports_the_named_field_when_input_is_short() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16("first"), Ok(0x0102));
        assert_eq!(r.u16("second"), Err(DecodeError::Truncated("second")));
        // A failed read does not consume anything.
        assert_eq!(r.u8("third"), Ok(3));
        assert!(r.is_empty());
        assert_eq!(r.u24("fourth"), Err(DecodeError::Truncated("fourth")));
    }

    #[test]
    fn a_length_prefix_longer_than_the_input_is_truncation() {
        let mut r = Reader::new(&[0x00, 0x05, 1, 2]);
        assert_eq!(
            r.sub(ListLength::U16, "vec").err(),
            Some(DecodeError::Truncated("vec"))
        );
        let mut r = Reader::new(&[0xff, 0xff, 0xff]);
        assert!(r.sub(ListLength::U24, "big").is_err());
    }

    #[test]
    fn huge_take_does_not_overflow() {
        let mut r = Reader::new(&[1]);
        assert!(r.take(usize::MAX, "x").is_err());
        assert_eq!(r.u8("y"), Ok(1));
    }

    #[test]
    fn length_prefixes_are_fixed_up_once_for_each_width() {
        let mut out = Vec::new();
        encode_len_prefixed(&mut out, ListLength::U8, |o| o.extend_from_slice(&[9, 9]));
        encode_len_prefixed(&mut out, ListLength::U16, |o| o.push(7));
        encode_len_prefixed(&mut out, ListLength::U24, |o| {
            encode_len_prefixed(o, ListLength::U8, |o| o.push(1));
        });
        assert_eq!(out, [2, 9, 9, 0, 1, 7, 0, 0, 2, 1, 1]);
    }

    #[test]
    fn read_bytes_rejects_trailing_data() {
        assert_eq!(u16::read_bytes(&[0, 1]), Ok(1));
        assert!(matches!(
            u16::read_bytes(&[0, 1, 2]),
            Err(DecodeError::TrailingData(_))
        ));
    }
}
