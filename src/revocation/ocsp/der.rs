//! The small strict DER reader OCSP responses are read with: definite minimal lengths, no
//! trailing bytes, every element's bytes kept as received.

use super::*;

// DER identifier octets of the elements OCSP uses.
pub(super) const INTEGER: u8 = 0x02;
pub(super) const BIT_STRING: u8 = 0x03;
pub(super) const OCTET_STRING: u8 = 0x04;
pub(super) const NULL: u8 = 0x05;
pub(super) const OID: u8 = 0x06;
pub(super) const ENUMERATED: u8 = 0x0a;
pub(super) const GENERALIZED_TIME: u8 = 0x18;
pub(super) const SEQUENCE: u8 = 0x30;

/// `[n]` constructed, context-specific (EXPLICIT tags and IMPLICIT SEQUENCEs).
pub(super) const fn ctx(n: u8) -> u8 {
    0xa0 | n
}

/// `[n]` primitive, context-specific (IMPLICIT NULL).
pub(super) const fn ctx_primitive(n: u8) -> u8 {
    0x80 | n
}

/// OID contents: id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1 (RFC 6960 §4.2.1).
pub(super) const OID_OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
/// OID contents: id-sha1 1.3.14.3.2.26.
pub(super) const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
/// OID contents: id-kp-OCSPSigning 1.3.6.1.5.5.7.3.9 (RFC 6960 §4.2.2.2), as webpki takes it.
pub(super) const OID_KP_OCSP_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09];

/// One DER element: its identifier octet, its contents, and its whole encoding as received.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tlv<'a> {
    pub(super) tag: u8,
    pub(super) value: &'a [u8],
    pub(super) raw: &'a [u8],
}

/// A strict DER reader over the elements of one level.
pub(super) struct Der<'a> {
    pub(super) rest: &'a [u8],
}

impl<'a> Der<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Der<'a> {
        Der { rest: bytes }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element, whatever its tag. Rejects high tag numbers (nothing in OCSP uses
    /// them), indefinite lengths (BER, not DER), non-minimal lengths and lengths past 4 GiB.
    pub(super) fn any(&mut self, what: &'static str) -> Result<Tlv<'a>, OcspError> {
        let bad = || OcspError::Malformed(what);
        let (&tag, after_tag) = self.rest.split_first().ok_or_else(bad)?;
        if tag & 0x1f == 0x1f {
            return Err(bad());
        }
        let (&first, mut after) = after_tag.split_first().ok_or_else(bad)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || after.len() < n {
                return Err(bad());
            }
            let (octets, tail) = after.split_at(n);
            if octets.first() == Some(&0) {
                return Err(bad());
            }
            let len = octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(bad());
            }
            after = tail;
            len
        };
        if after.len() < len {
            return Err(bad());
        }
        let (value, tail) = after.split_at(len);
        let whole = self.rest.len() - tail.len();
        let (raw, _) = self.rest.split_at(whole);
        self.rest = tail;
        Ok(Tlv { tag, value, raw })
    }

    pub(super) fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, OcspError> {
        let t = self.any(what)?;
        if t.tag == tag {
            Ok(t)
        } else {
            Err(OcspError::Malformed(what))
        }
    }

    pub(super) fn optional(
        &mut self,
        tag: u8,
        what: &'static str,
    ) -> Result<Option<Tlv<'a>>, OcspError> {
        if self.peek() == Some(tag) {
            self.any(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A SEQUENCE, as a reader over its elements.
    pub(super) fn sequence(&mut self, what: &'static str) -> Result<Der<'a>, OcspError> {
        self.expect(SEQUENCE, what).map(|t| Der::new(t.value))
    }

    pub(super) fn finish(&self, what: &'static str) -> Result<(), OcspError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(OcspError::Malformed(what))
        }
    }
}

/// The one element inside an EXPLICIT tag.
pub(super) fn explicit<'a>(
    t: Tlv<'a>,
    inner: u8,
    what: &'static str,
) -> Result<Tlv<'a>, OcspError> {
    let mut d = Der::new(t.value);
    let v = d.expect(inner, what)?;
    d.finish(what)?;
    Ok(v)
}

/// DER encoding of one element (definite, minimal length).
pub(super) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let octets = len.to_be_bytes();
        let skip = octets.iter().take_while(|&&b| b == 0).count();
        let significant = octets.get(skip..).unwrap_or(&[]);
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// Dotted form of OID contents, or None when they are not a valid encoding.
pub(super) fn oid_string(content: &[u8]) -> Option<String> {
    if content.is_empty() || content.last().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for &b in content {
        if v > (u64::MAX >> 7) {
            return None;
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            arcs.push(v);
            v = 0;
        }
    }
    let first = *arcs.first()?;
    let (a, b) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut s = format!("{a}.{b}");
    for arc in arcs.iter().skip(1) {
        s.push('.');
        s.push_str(&arc.to_string());
    }
    Some(s)
}

/// GeneralizedTime `YYYYMMDDHHMMSS[.f+]Z` (RFC 6960 uses it for every time) → unix seconds;
/// fractions of a second are dropped.
pub(super) fn generalized_time(t: Tlv<'_>, what: &'static str) -> Result<i64, OcspError> {
    let bad = || OcspError::Malformed(what);
    if t.tag != GENERALIZED_TIME {
        return Err(bad());
    }
    let s = t.value;
    let (z, body) = s.split_last().ok_or_else(bad)?;
    if *z != b'Z' || body.len() < 14 {
        return Err(bad());
    }
    let num = |from: usize, to: usize| -> Result<u32, OcspError> {
        let digits = body.get(from..to).ok_or_else(bad)?;
        digits.iter().try_fold(0u32, |acc, &d| {
            if d.is_ascii_digit() {
                Ok(acc * 10 + u32::from(d - b'0'))
            } else {
                Err(bad())
            }
        })
    };
    let fraction = body.get(14..).unwrap_or(&[]);
    if let Some((dot, digits)) = fraction.split_first() {
        if *dot != b'.' || digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
    }
    let month = time::Month::try_from(num(4, 6)? as u8).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(num(0, 4)? as i32, month, num(6, 8)? as u8)
        .map_err(|_| bad())?;
    let at = date
        .with_hms(num(8, 10)? as u8, num(10, 12)? as u8, num(12, 14)? as u8)
        .map_err(|_| bad())?;
    Ok(at.assume_utc().unix_timestamp())
}
