//! OCSP (RFC 6960): what a DER OCSPResponse, stapled or fetched, says about one certificate,
//! once its signature and signer are checked; and the OCSPRequest that asks about it. No I/O
//! and no clock: the caller passes `now`.
//!
//! The response comes from a server, so it is read with the small strict DER reader below
//! (definite minimal lengths, no trailing bytes, every loop bounded by the input or a cap) and the
//! signature is checked over tbsResponseData exactly as received, never a re-encoding. The leaf
//! and issuer are read with x509-parser; a delegated responder's certificate is checked with
//! rustls-webpki; signatures with ring.

use std::fmt;
use std::time::Duration;

use ring::signature::{self as sig, VerificationAlgorithm};
use rustls_pki_types::{CertificateDer, UnixTime};
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate};

/// SingleResponses scanned for the leaf's CertID: a responder may answer for thousands of
/// certificates in one response; past this many the rest are not read.
const MAX_SINGLE_RESPONSES: usize = 10_000;

/// Certificates of a response's `certs` tried as the delegated responder. Responders send one
/// (the responder's own), sometimes with its chain.
const MAX_RESPONSE_CERTS: usize = 16;

/// Entries of a TLS Feature extension read (RFC 7633 lists a handful of TLS extensions).
const MAX_TLS_FEATURES: usize = 64;

/// Clock difference allowed between us and the responder when judging freshness.
pub const CLOCK_SKEW_SECS: i64 = 5 * 60;

/// How long a response without nextUpdate counts as fresh after its thisUpdate. RFC 6960
/// §4.2.2.1 says such a response means "newer revocation information is available all the
/// time", which bounds nothing; but a stapled response must age out, or a server could staple
/// the last good answer it ever got. Responders that pre-sign responses renew them about weekly
/// (the CA/Browser Forum Baseline Requirements §4.9.10 allow at most ten days of validity), so a
/// response older than seven days is stale by any responder's schedule.
pub const NO_NEXT_UPDATE_LIFETIME_SECS: i64 = 7 * 86_400;

/// What the responder says about the certificate (RFC 6960 §2.2, §4.2.1 CertStatus).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked (as far as the responder knows).
    Good,
    /// Revoked at `at` (unix seconds), with the CRLReason code (RFC 5280 §5.3.1: 1 keyCompromise,
    /// 4 superseded, …) when the responder gave one.
    Revoked { at: i64, reason: Option<u8> },
    /// The responder does not know the certificate.
    Unknown,
}

/// Who signed the response (RFC 6960 §4.2.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    /// The CA that issued the certificate, with its own key.
    Issuer,
    /// A responder certificate carried in the response, issued by that CA, valid at `now` and
    /// carrying the id-kp-OCSPSigning extended key usage.
    Delegated,
}

/// A verified response's answer for one certificate. Times are unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OcspFacts {
    pub status: CertStatus,
    pub this_update: i64,
    pub next_update: Option<i64>,
    pub produced_at: i64,
    pub signer: Signer,
}

/// Whether a response is current (RFC 6960 §4.2.2.1, §3.2 items 5 and 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// `now` is past nextUpdate (or thisUpdate plus [`NO_NEXT_UPDATE_LIFETIME_SECS`]) by more
    /// than the clock skew.
    Expired,
    /// thisUpdate is later than `now` by more than the clock skew.
    NotYetValid,
}

impl OcspFacts {
    /// Judges the response at `now`, allowing [`CLOCK_SKEW_SECS`] either way.
    pub fn freshness(&self, now: i64) -> Freshness {
        if self.this_update > now.saturating_add(CLOCK_SKEW_SECS) {
            return Freshness::NotYetValid;
        }
        let until = self.next_update.unwrap_or_else(|| {
            self.this_update
                .saturating_add(NO_NEXT_UPDATE_LIFETIME_SECS)
        });
        if now > until.saturating_add(CLOCK_SKEW_SECS) {
            Freshness::Expired
        } else {
            Freshness::Fresh
        }
    }
}

/// An OCSPResponseStatus other than successful (RFC 6960 §4.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseStatus {
    MalformedRequest,
    InternalError,
    TryLater,
    SigRequired,
    Unauthorized,
}

impl ResponseStatus {
    /// The RFC's name of the status.
    pub fn name(self) -> &'static str {
        match self {
            ResponseStatus::MalformedRequest => "malformedRequest",
            ResponseStatus::InternalError => "internalError",
            ResponseStatus::TryLater => "tryLater",
            ResponseStatus::SigRequired => "sigRequired",
            ResponseStatus::Unauthorized => "unauthorized",
        }
    }
}

/// Why a response tells nothing trustworthy about the certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OcspError {
    /// Not DER of an OCSPResponse; names the element that is wrong.
    Malformed(&'static str),
    /// The responder answered with an error status instead of a response.
    NotSuccessful(ResponseStatus),
    /// A successful response of a type other than id-pkix-ocsp-basic, the only one defined.
    NoBasicResponse,
    /// The signature verifies neither with the issuer's key nor with any certificate carried.
    BadSignature,
    /// Signed by a carried certificate that the issuer did not authorize: not issued by it,
    /// not valid at `now`, or without the id-kp-OCSPSigning extended key usage.
    SignerNotAuthorized,
    /// No SingleResponse has this leaf's CertID.
    NoMatchingResponse,
    /// A signature or key algorithm not supported here (dotted OID, or what it lacks).
    UnsupportedAlgorithm(String),
    /// The leaf or issuer certificate given does not parse ("leaf" or "issuer").
    BadCertificate(&'static str),
}

impl OcspError {
    /// A stable identifier for reports and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            OcspError::Malformed(_) => "malformed",
            OcspError::NotSuccessful(_) => "not-successful",
            OcspError::NoBasicResponse => "no-basic-response",
            OcspError::BadSignature => "bad-signature",
            OcspError::SignerNotAuthorized => "signer-not-authorized",
            OcspError::NoMatchingResponse => "no-matching-response",
            OcspError::UnsupportedAlgorithm(_) => "unsupported-algorithm",
            OcspError::BadCertificate(_) => "bad-certificate",
        }
    }
}

impl fmt::Display for OcspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OcspError::Malformed(what) => {
                write!(f, "the OCSP response is malformed ({what})")
            }
            OcspError::NotSuccessful(s) => write!(
                f,
                "the OCSP responder answered {} instead of a response",
                s.name()
            ),
            OcspError::NoBasicResponse => {
                write!(f, "the OCSP response is not a basic OCSP response")
            }
            OcspError::BadSignature => write!(
                f,
                "the OCSP response's signature verifies with neither the issuer's key nor a certificate it carries"
            ),
            OcspError::SignerNotAuthorized => write!(
                f,
                "the OCSP response is signed by a certificate the issuer did not authorize to sign OCSP responses"
            ),
            OcspError::NoMatchingResponse => {
                write!(f, "the OCSP response says nothing about this certificate")
            }
            OcspError::UnsupportedAlgorithm(what) => {
                write!(f, "the OCSP response uses an unsupported algorithm ({what})")
            }
            OcspError::BadCertificate(which) => {
                write!(f, "the {which} certificate given for the OCSP check does not parse")
            }
        }
    }
}

impl std::error::Error for OcspError {}

/// Verifies a DER OCSPResponse for `leaf` issued by `issuer` (both DER certificates; the caller
/// has already established that `issuer` issued `leaf`): parses it, checks the signature (by the
/// issuer's key, or by a delegated responder certificate carried in the response that the
/// issuer signed, that has the id-kp-OCSPSigning EKU and is valid at `now`, RFC 6960 §4.2.2.2),
/// and finds the SingleResponse whose CertID (SHA-1, SHA-256, SHA-384 or SHA-512) matches the
/// leaf. If several match, a revoked one wins, else the first. Freshness is not judged here: see
/// [`OcspFacts::freshness`].
pub fn verify(
    response: &[u8],
    leaf: &[u8],
    issuer: &[u8],
    now: i64,
) -> Result<OcspFacts, OcspError> {
    let basic = parse_response(response)?;
    let (_, leaf_cert) =
        X509Certificate::from_der(leaf).map_err(|_| OcspError::BadCertificate("leaf"))?;
    let (_, issuer_cert) =
        X509Certificate::from_der(issuer).map_err(|_| OcspError::BadCertificate("issuer"))?;
    let signer = authenticate(&basic, &issuer_cert, issuer, now)?;
    let id = LeafId::new(&leaf_cert, &issuer_cert);
    let single = find_single(basic.responses, &id)?;
    Ok(OcspFacts {
        status: single.status,
        this_update: single.this_update,
        next_update: single.next_update,
        produced_at: basic.produced_at,
        signer,
    })
}

/// A DER OCSPRequest (RFC 6960 §4.1) for `leaf`/`issuer` with a SHA-1 CertID (what every
/// responder answers), no nonce, unsigned: the body of a POST with Content-Type
/// application/ocsp-request.
pub fn request(leaf: &[u8], issuer: &[u8]) -> Result<Vec<u8>, OcspError> {
    let (_, leaf_cert) =
        X509Certificate::from_der(leaf).map_err(|_| OcspError::BadCertificate("leaf"))?;
    let (_, issuer_cert) =
        X509Certificate::from_der(issuer).map_err(|_| OcspError::BadCertificate("issuer"))?;
    let serial = leaf_cert.raw_serial();
    if serial.is_empty() {
        return Err(OcspError::BadCertificate("leaf"));
    }
    let id = LeafId::new(&leaf_cert, &issuer_cert);
    let (name_hash, key_hash) = id.hashes(CertIdHash::Sha1);
    // CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }
    let hash_alg = tlv(SEQUENCE, &[tlv(OID, OID_SHA1), vec![NULL, 0]].concat());
    let cert_id = tlv(
        SEQUENCE,
        &[
            hash_alg,
            tlv(OCTET_STRING, &name_hash),
            tlv(OCTET_STRING, &key_hash),
            tlv(INTEGER, serial),
        ]
        .concat(),
    );
    // OCSPRequest { TBSRequest { requestList SEQUENCE OF Request { reqCert } } }: version v1 is
    // the DEFAULT and so not encoded; no requestorName, no extensions, no signature.
    let request = tlv(SEQUENCE, &cert_id);
    let request_list = tlv(SEQUENCE, &request);
    let tbs_request = tlv(SEQUENCE, &request_list);
    Ok(tlv(SEQUENCE, &tbs_request))
}

/// Whether the certificate carries the TLS Feature extension (RFC 7633, OID
/// 1.3.6.1.5.5.7.1.24) listing status_request (5, RFC 6066 §8): "must-staple". False for a
/// certificate that does not parse.
pub fn must_staple(cert_der: &[u8]) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(cert_der) else {
        return false;
    };
    cert.extensions()
        .iter()
        .filter(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.24")
        .any(|e| features_include_status_request(e.value))
}

/// `Features ::= SEQUENCE OF INTEGER` (RFC 7633 §6): whether 5 is among them.
fn features_include_status_request(extn_value: &[u8]) -> bool {
    let mut outer = Der::new(extn_value);
    let Ok(mut features) = outer.sequence("TLS Feature") else {
        return false;
    };
    if !outer.is_empty() {
        return false;
    }
    for _ in 0..MAX_TLS_FEATURES {
        if features.is_empty() {
            break;
        }
        match features.expect(INTEGER, "TLS Feature") {
            Ok(t) if t.value == [5] => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

// DER identifier octets of the elements OCSP uses.
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const ENUMERATED: u8 = 0x0a;
const GENERALIZED_TIME: u8 = 0x18;
const SEQUENCE: u8 = 0x30;

/// `[n]` constructed, context-specific (EXPLICIT tags and IMPLICIT SEQUENCEs).
const fn ctx(n: u8) -> u8 {
    0xa0 | n
}

/// `[n]` primitive, context-specific (IMPLICIT NULL).
const fn ctx_primitive(n: u8) -> u8 {
    0x80 | n
}

/// OID contents: id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1 (RFC 6960 §4.2.1).
const OID_OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
/// OID contents: id-sha1 1.3.14.3.2.26.
const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
/// OID contents: id-kp-OCSPSigning 1.3.6.1.5.5.7.3.9 (RFC 6960 §4.2.2.2), as webpki takes it.
const OID_KP_OCSP_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09];

/// One DER element: its identifier octet, its contents, and its whole encoding as received.
#[derive(Clone, Copy, Debug)]
struct Tlv<'a> {
    tag: u8,
    value: &'a [u8],
    raw: &'a [u8],
}

/// A strict DER reader over the elements of one level.
struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(bytes: &'a [u8]) -> Der<'a> {
        Der { rest: bytes }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element, whatever its tag. Rejects high tag numbers (nothing in OCSP uses
    /// them), indefinite lengths (BER, not DER), non-minimal lengths and lengths past 4 GiB.
    fn any(&mut self, what: &'static str) -> Result<Tlv<'a>, OcspError> {
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

    fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, OcspError> {
        let t = self.any(what)?;
        if t.tag == tag {
            Ok(t)
        } else {
            Err(OcspError::Malformed(what))
        }
    }

    fn optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, OcspError> {
        if self.peek() == Some(tag) {
            self.any(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A SEQUENCE, as a reader over its elements.
    fn sequence(&mut self, what: &'static str) -> Result<Der<'a>, OcspError> {
        self.expect(SEQUENCE, what).map(|t| Der::new(t.value))
    }

    fn finish(&self, what: &'static str) -> Result<(), OcspError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(OcspError::Malformed(what))
        }
    }
}

/// The one element inside an EXPLICIT tag.
fn explicit<'a>(t: Tlv<'a>, inner: u8, what: &'static str) -> Result<Tlv<'a>, OcspError> {
    let mut d = Der::new(t.value);
    let v = d.expect(inner, what)?;
    d.finish(what)?;
    Ok(v)
}

/// DER encoding of one element (definite, minimal length).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
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
fn oid_string(content: &[u8]) -> Option<String> {
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
fn generalized_time(t: Tlv<'_>, what: &'static str) -> Result<i64, OcspError> {
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

/// The parts of a successful basic response that verification needs.
struct Basic<'a> {
    /// tbsResponseData as received: what the signature covers.
    tbs_raw: &'a [u8],
    produced_at: i64,
    /// Contents of `responses SEQUENCE OF SingleResponse`.
    responses: &'a [u8],
    /// Contents of signatureAlgorithm (OID and parameters).
    signature_algorithm: &'a [u8],
    signature: &'a [u8],
    /// Each certificate of `certs`, as received (at most [`MAX_RESPONSE_CERTS`]).
    certs: Vec<&'a [u8]>,
}

/// OCSPResponse → the BasicOCSPResponse inside it (RFC 6960 §4.2.1).
fn parse_response(bytes: &[u8]) -> Result<Basic<'_>, OcspError> {
    let mut top = Der::new(bytes);
    let mut resp = top.sequence("OCSPResponse")?;
    top.finish("bytes after the OCSPResponse")?;
    let status = resp.expect(ENUMERATED, "responseStatus")?;
    let failed = match status.value {
        [0] => None,
        [1] => Some(ResponseStatus::MalformedRequest),
        [2] => Some(ResponseStatus::InternalError),
        [3] => Some(ResponseStatus::TryLater),
        [5] => Some(ResponseStatus::SigRequired),
        [6] => Some(ResponseStatus::Unauthorized),
        _ => return Err(OcspError::Malformed("responseStatus")),
    };
    if let Some(s) = failed {
        return Err(OcspError::NotSuccessful(s));
    }
    // A successful response must carry responseBytes.
    let wrapped = resp.expect(ctx(0), "responseBytes")?;
    resp.finish("OCSPResponse")?;
    let mut rb = Der::new(explicit(wrapped, SEQUENCE, "responseBytes")?.value);
    let response_type = rb.expect(OID, "responseType")?;
    let body = rb.expect(OCTET_STRING, "response")?;
    rb.finish("responseBytes")?;
    if response_type.value != OID_OCSP_BASIC {
        return Err(OcspError::NoBasicResponse);
    }
    parse_basic(body.value)
}

fn parse_basic(bytes: &[u8]) -> Result<Basic<'_>, OcspError> {
    let mut outer = Der::new(bytes);
    let mut basic = outer.sequence("BasicOCSPResponse")?;
    outer.finish("bytes after the BasicOCSPResponse")?;
    let tbs = basic.expect(SEQUENCE, "tbsResponseData")?;
    let alg = basic.expect(SEQUENCE, "signatureAlgorithm")?;
    let signature = basic.expect(BIT_STRING, "signature")?;
    let certs = basic.optional(ctx(0), "certs")?;
    basic.finish("BasicOCSPResponse")?;

    // A signature is whole octets: the BIT STRING's unused-bits octet is 0.
    let signature = match signature.value.split_first() {
        Some((0, bits)) => bits,
        _ => return Err(OcspError::Malformed("signature")),
    };

    let mut cert_list = Vec::new();
    if let Some(certs) = certs {
        let mut seq = Der::new(explicit(certs, SEQUENCE, "certs")?.value);
        while !seq.is_empty() {
            let cert = seq.expect(SEQUENCE, "certs")?;
            if cert_list.len() < MAX_RESPONSE_CERTS {
                cert_list.push(cert.raw);
            }
        }
    }

    // ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID, producedAt,
    //   responses, responseExtensions [1] EXPLICIT OPTIONAL }
    let mut data = Der::new(tbs.value);
    if let Some(version) = data.optional(ctx(0), "version")? {
        if explicit(version, INTEGER, "version")?.value != [0] {
            return Err(OcspError::Malformed("version"));
        }
    }
    // ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }: it only names the signer,
    // which is found by trying keys instead.
    let responder = data.any("responderID")?;
    if responder.tag != ctx(1) && responder.tag != ctx(2) {
        return Err(OcspError::Malformed("responderID"));
    }
    let produced_at = generalized_time(data.any("producedAt")?, "producedAt")?;
    let responses = data.expect(SEQUENCE, "responses")?;
    data.optional(ctx(1), "responseExtensions")?;
    data.finish("tbsResponseData")?;

    Ok(Basic {
        tbs_raw: tbs.raw,
        produced_at,
        responses: responses.value,
        signature_algorithm: alg.value,
        signature,
        certs: cert_list,
    })
}

/// One SingleResponse (RFC 6960 §4.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Single<'a> {
    hash: Option<CertIdHash>,
    name_hash: &'a [u8],
    key_hash: &'a [u8],
    serial: &'a [u8],
    status: CertStatus,
    this_update: i64,
    next_update: Option<i64>,
}

fn parse_single<'a>(t: Tlv<'a>) -> Result<Single<'a>, OcspError> {
    let mut s = Der::new(t.value);
    // CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }
    let mut id = s.sequence("certID")?;
    let mut alg = id.sequence("certID hashAlgorithm")?;
    let hash_oid = alg.expect(OID, "certID hashAlgorithm")?;
    // Parameters are NULL or absent for the SHA family (RFC 5754 §2).
    if let Some(params) = alg.optional(NULL, "certID hashAlgorithm")? {
        if !params.value.is_empty() {
            return Err(OcspError::Malformed("certID hashAlgorithm"));
        }
    }
    alg.finish("certID hashAlgorithm")?;
    let name_hash = id.expect(OCTET_STRING, "issuerNameHash")?.value;
    let key_hash = id.expect(OCTET_STRING, "issuerKeyHash")?.value;
    let serial = id.expect(INTEGER, "serialNumber")?.value;
    id.finish("certID")?;

    // CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
    //   unknown [2] IMPLICIT UnknownInfo (NULL) }
    let status = s.any("certStatus")?;
    let status = match status.tag {
        t if t == ctx_primitive(0) && status.value.is_empty() => CertStatus::Good,
        t if t == ctx_primitive(2) && status.value.is_empty() => CertStatus::Unknown,
        t if t == ctx(1) => {
            // RevokedInfo ::= SEQUENCE { revocationTime, revocationReason [0] EXPLICIT
            //   CRLReason OPTIONAL }
            let mut info = Der::new(status.value);
            let at = generalized_time(info.any("revocationTime")?, "revocationTime")?;
            let reason = match info.optional(ctx(0), "revocationReason")? {
                Some(r) => match explicit(r, ENUMERATED, "revocationReason")?.value {
                    [code] if *code < 0x80 => Some(*code),
                    _ => return Err(OcspError::Malformed("revocationReason")),
                },
                None => None,
            };
            info.finish("revokedInfo")?;
            CertStatus::Revoked { at, reason }
        }
        _ => return Err(OcspError::Malformed("certStatus")),
    };
    let this_update = generalized_time(s.any("thisUpdate")?, "thisUpdate")?;
    let next_update = match s.optional(ctx(0), "nextUpdate")? {
        Some(n) => Some(generalized_time(
            explicit(n, GENERALIZED_TIME, "nextUpdate")?,
            "nextUpdate",
        )?),
        None => None,
    };
    s.optional(ctx(1), "singleExtensions")?;
    s.finish("SingleResponse")?;
    Ok(Single {
        hash: oid_string(hash_oid.value).and_then(|o| CertIdHash::from_oid(&o)),
        name_hash,
        key_hash,
        serial,
        status,
        this_update,
        next_update,
    })
}

/// Hash algorithms accepted in a CertID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CertIdHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl CertIdHash {
    fn from_oid(oid: &str) -> Option<CertIdHash> {
        match oid {
            "1.3.14.3.2.26" => Some(CertIdHash::Sha1),
            "2.16.840.1.101.3.4.2.1" => Some(CertIdHash::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(CertIdHash::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(CertIdHash::Sha512),
            _ => None,
        }
    }

    fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            CertIdHash::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            CertIdHash::Sha256 => &ring::digest::SHA256,
            CertIdHash::Sha384 => &ring::digest::SHA384,
            CertIdHash::Sha512 => &ring::digest::SHA512,
        }
    }
}

/// What a CertID is computed from (RFC 6960 §4.1.1): the leaf's issuer field, the issuer's
/// public key, the leaf's serial number.
struct LeafId<'a> {
    issuer_name: &'a [u8],
    issuer_key: &'a [u8],
    serial: &'a [u8],
}

impl<'a> LeafId<'a> {
    fn new(leaf: &'a X509Certificate<'a>, issuer: &'a X509Certificate<'a>) -> LeafId<'a> {
        LeafId {
            // "the DER encoding of the issuer's name field in the certificate being checked"
            issuer_name: leaf.issuer().as_raw(),
            // "the value (excluding tag and length) of the subject public key field in the
            // issuer's certificate": the key bits, without the BIT STRING's unused-bits octet
            issuer_key: &issuer.public_key().subject_public_key.data,
            serial: leaf.raw_serial(),
        }
    }

    /// (issuerNameHash, issuerKeyHash) with `hash`.
    fn hashes(&self, hash: CertIdHash) -> (Vec<u8>, Vec<u8>) {
        let d = |b: &[u8]| ring::digest::digest(hash.ring(), b).as_ref().to_vec();
        (d(self.issuer_name), d(self.issuer_key))
    }
}

/// The SingleResponse for `id` among the first [`MAX_SINGLE_RESPONSES`]: a revoked one if any,
/// else the first that matches.
fn find_single<'a>(responses: &'a [u8], id: &LeafId<'_>) -> Result<Single<'a>, OcspError> {
    let mut digests: [Option<(Vec<u8>, Vec<u8>)>; 4] = [None, None, None, None];
    let mut list = Der::new(responses);
    let mut found: Option<Single<'a>> = None;
    for _ in 0..MAX_SINGLE_RESPONSES {
        if list.is_empty() {
            break;
        }
        let single = parse_single(list.expect(SEQUENCE, "SingleResponse")?)?;
        let Some(hash) = single.hash else { continue };
        if single.serial != id.serial {
            continue;
        }
        let slot = &mut digests[hash as usize];
        let (name_hash, key_hash) = slot.get_or_insert_with(|| id.hashes(hash));
        if single.name_hash != name_hash.as_slice() || single.key_hash != key_hash.as_slice() {
            continue;
        }
        let revoked = matches!(single.status, CertStatus::Revoked { .. });
        if found.is_none() || revoked {
            found = Some(single);
        }
        if revoked {
            break;
        }
    }
    found.ok_or(OcspError::NoMatchingResponse)
}

/// Signature algorithms of responses, as verified with ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SigAlg {
    RsaPkcs1Sha1,
    RsaPkcs1Sha256,
    RsaPkcs1Sha384,
    RsaPkcs1Sha512,
    RsaPssSha256,
    RsaPssSha384,
    RsaPssSha512,
    EcdsaSha256,
    EcdsaSha384,
    Ed25519,
}

/// AlgorithmIdentifier contents → the algorithm, or unsupported-algorithm.
fn signature_algorithm(content: &[u8]) -> Result<SigAlg, OcspError> {
    let mut d = Der::new(content);
    let oid = d.expect(OID, "signatureAlgorithm")?;
    let params = if d.is_empty() {
        None
    } else {
        Some(d.any("signatureAlgorithm")?)
    };
    d.finish("signatureAlgorithm")?;
    let name = oid_string(oid.value).ok_or(OcspError::Malformed("signatureAlgorithm"))?;
    let null_or_absent = params.is_none_or(|p| p.tag == NULL && p.value.is_empty());
    let absent = params.is_none();
    let alg = match name.as_str() {
        // RFC 4055 §5: NULL parameters; some signers omit them.
        "1.2.840.113549.1.1.5" if null_or_absent => SigAlg::RsaPkcs1Sha1,
        "1.2.840.113549.1.1.11" if null_or_absent => SigAlg::RsaPkcs1Sha256,
        "1.2.840.113549.1.1.12" if null_or_absent => SigAlg::RsaPkcs1Sha384,
        "1.2.840.113549.1.1.13" if null_or_absent => SigAlg::RsaPkcs1Sha512,
        // RSASSA-PSS: only the three parameter sets in use (hash and MGF1 hash the same, salt
        // the hash's length), compared byte for byte as webpki does.
        "1.2.840.113549.1.1.10" => {
            use rustls_pki_types::alg_id;
            if content == alg_id::RSA_PSS_SHA256.as_ref() {
                SigAlg::RsaPssSha256
            } else if content == alg_id::RSA_PSS_SHA384.as_ref() {
                SigAlg::RsaPssSha384
            } else if content == alg_id::RSA_PSS_SHA512.as_ref() {
                SigAlg::RsaPssSha512
            } else {
                return Err(OcspError::UnsupportedAlgorithm(
                    "RSASSA-PSS with other parameters".into(),
                ));
            }
        }
        // RFC 5758 §3.2 and RFC 8410 §3: parameters absent.
        "1.2.840.10045.4.3.2" if absent => SigAlg::EcdsaSha256,
        "1.2.840.10045.4.3.3" if absent => SigAlg::EcdsaSha384,
        "1.3.101.112" if absent => SigAlg::Ed25519,
        _ => return Err(OcspError::UnsupportedAlgorithm(name)),
    };
    Ok(alg)
}

/// Public key types ring verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyAlg {
    Rsa,
    P256,
    P384,
    Ed25519,
}

/// The key's type, or the OID of what it is when unsupported.
fn key_algorithm(spki: &SubjectPublicKeyInfo<'_>) -> Result<KeyAlg, String> {
    let alg = spki.algorithm.algorithm.to_id_string();
    match alg.as_str() {
        "1.2.840.113549.1.1.1" => Ok(KeyAlg::Rsa),
        "1.3.101.112" => Ok(KeyAlg::Ed25519),
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => Ok(KeyAlg::P256),
                Some("1.3.132.0.34") => Ok(KeyAlg::P384),
                Some(other) => Err(other.to_string()),
                None => Err("EC key without a named curve".into()),
            }
        }
        _ => Err(alg),
    }
}

/// ring's verifier for a signature algorithm and key type, None when this key cannot have made
/// such a signature. RSA keys under 2048 bits fail verification: ring's floor, as webpki's.
fn ring_algorithm(alg: SigAlg, key: KeyAlg) -> Option<&'static dyn VerificationAlgorithm> {
    let verifier: &'static dyn VerificationAlgorithm = match (alg, key) {
        // SHA-1 responses are still signed by some responders; a collision in a response the
        // responder itself signs gains an attacker nothing it could not sign.
        (SigAlg::RsaPkcs1Sha1, KeyAlg::Rsa) => &sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        (SigAlg::RsaPkcs1Sha256, KeyAlg::Rsa) => &sig::RSA_PKCS1_2048_8192_SHA256,
        (SigAlg::RsaPkcs1Sha384, KeyAlg::Rsa) => &sig::RSA_PKCS1_2048_8192_SHA384,
        (SigAlg::RsaPkcs1Sha512, KeyAlg::Rsa) => &sig::RSA_PKCS1_2048_8192_SHA512,
        (SigAlg::RsaPssSha256, KeyAlg::Rsa) => &sig::RSA_PSS_2048_8192_SHA256,
        (SigAlg::RsaPssSha384, KeyAlg::Rsa) => &sig::RSA_PSS_2048_8192_SHA384,
        (SigAlg::RsaPssSha512, KeyAlg::Rsa) => &sig::RSA_PSS_2048_8192_SHA512,
        (SigAlg::EcdsaSha256, KeyAlg::P256) => &sig::ECDSA_P256_SHA256_ASN1,
        (SigAlg::EcdsaSha256, KeyAlg::P384) => &sig::ECDSA_P384_SHA256_ASN1,
        (SigAlg::EcdsaSha384, KeyAlg::P256) => &sig::ECDSA_P256_SHA384_ASN1,
        (SigAlg::EcdsaSha384, KeyAlg::P384) => &sig::ECDSA_P384_SHA384_ASN1,
        (SigAlg::Ed25519, KeyAlg::Ed25519) => &sig::ED25519,
        _ => return None,
    };
    Some(verifier)
}

/// Outcome of checking the signature with one candidate key.
enum KeyCheck {
    Valid,
    Invalid,
    Unsupported(String),
}

fn check_signature(alg: SigAlg, spki: &SubjectPublicKeyInfo<'_>, basic: &Basic<'_>) -> KeyCheck {
    let key = match key_algorithm(spki) {
        Ok(k) => k,
        Err(what) => return KeyCheck::Unsupported(what),
    };
    let Some(verifier) = ring_algorithm(alg, key) else {
        return KeyCheck::Invalid;
    };
    // ring takes the subjectPublicKey bits: RSAPublicKey DER, the EC point, the Ed25519 key.
    let public_key = sig::UnparsedPublicKey::new(verifier, &spki.subject_public_key.data);
    match public_key.verify(basic.tbs_raw, basic.signature) {
        Ok(()) => KeyCheck::Valid,
        Err(_) => KeyCheck::Invalid,
    }
}

/// Who signed the response, if anyone allowed to (RFC 6960 §4.2.2.2): the issuer itself, else
/// a carried certificate that verifies the signature and that the issuer authorized.
fn authenticate(
    basic: &Basic<'_>,
    issuer: &X509Certificate<'_>,
    issuer_der: &[u8],
    now: i64,
) -> Result<Signer, OcspError> {
    let alg = signature_algorithm(basic.signature_algorithm)?;
    let mut unsupported = None;
    match check_signature(alg, issuer.public_key(), basic) {
        KeyCheck::Valid => return Ok(Signer::Issuer),
        KeyCheck::Unsupported(what) => unsupported = Some(what),
        KeyCheck::Invalid => {}
    }
    let mut signed_by_unauthorized = false;
    for &cert_der in &basic.certs {
        let Ok((_, cert)) = X509Certificate::from_der(cert_der) else {
            continue;
        };
        match check_signature(alg, cert.public_key(), basic) {
            KeyCheck::Valid if delegated_by(cert_der, issuer_der, now) => {
                return Ok(Signer::Delegated)
            }
            KeyCheck::Valid => signed_by_unauthorized = true,
            KeyCheck::Unsupported(what) => {
                unsupported.get_or_insert(what);
            }
            KeyCheck::Invalid => {}
        }
    }
    if signed_by_unauthorized {
        Err(OcspError::SignerNotAuthorized)
    } else if let Some(what) = unsupported {
        Err(OcspError::UnsupportedAlgorithm(what))
    } else {
        Err(OcspError::BadSignature)
    }
}

/// Whether `responder` is a CA Designated Responder of `issuer` at `now` (RFC 6960 §4.2.2.2):
/// issued directly by it (signature and name, checked by webpki with the issuer as the only
/// anchor and no intermediates), valid at `now`, with id-kp-OCSPSigning in its EKU.
fn delegated_by(responder: &[u8], issuer: &[u8], now: i64) -> bool {
    let issuer = CertificateDer::from(issuer);
    let Ok(anchor) = webpki::anchor_from_trusted_cert(&issuer) else {
        return false;
    };
    let responder = CertificateDer::from(responder);
    let Ok(ee) = webpki::EndEntityCert::try_from(&responder) else {
        return false;
    };
    let at = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(now).unwrap_or(0)));
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &[],
        at,
        webpki::KeyUsage::required(OID_KP_OCSP_SIGNING),
        None,
        None,
    )
    .is_ok()
}

#[cfg(test)]
#[path = "ocsp_tests.rs"]
mod tests;
