//! OCSP (RFC 6960): what a DER OCSPResponse, stapled or fetched, says about one certificate,
//! once its signature and signer are checked; and the OCSPRequest that asks about it. No I/O
//! and no clock: the caller passes `now`.
//!
//! The response comes from a server, so it is read with the small strict DER reader in `der`
//! (definite minimal lengths, no trailing bytes, every loop bounded by the input or a cap) and the
//! signature is checked over tbsResponseData exactly as received, never a re-encoding. The leaf
//! and issuer are read with x509-parser; a delegated responder's certificate is checked with
//! rustls-webpki; signatures with ring.

use std::fmt;
use std::time::Duration;

use ring::signature::{self as sig, VerificationAlgorithm};
use rustls_pki_types::{CertificateDer, UnixTime};
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate};

mod der;
mod parse;
mod signature;

use der::*;
use parse::*;
use signature::*;

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

#[cfg(test)]
mod ocsp_tests;
