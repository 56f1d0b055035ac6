//! The CRL check of RFC 5280 §6.3 for one leaf: the list is the issuer's (its name and its
//! signature), it is current at the time judged, and it lists the leaf's serial number or not.
//! Pure: the fetcher hands in the bytes.

use x509_parser::prelude::*;

/// Clock skew allowed between the CRL issuer and us.
const SKEW_SECS: i64 = 300;

/// Most revoked entries read from one CRL (a large CA's CRL lists a few hundred thousand; a
/// hostile one could list more in its size cap).
const MAX_ENTRIES: usize = 2_000_000;

/// What the CRL says about the leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrlVerdict {
    NotListed {
        this_update: i64,
        next_update: Option<i64>,
    },
    Revoked {
        /// Unix seconds.
        at: i64,
        /// The CRLReason code (RFC 5280 §5.3.1), when the entry gives one.
        reason: Option<u8>,
    },
}

/// Why the CRL cannot be used for the leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrlError {
    /// Not a DER CertificateList.
    Malformed,
    /// The CRL's issuer is not the leaf's issuer.
    WrongIssuer,
    /// The signature does not verify with the issuer's key (or uses an algorithm ring lacks).
    BadSignature,
    /// nextUpdate has passed at the time judged.
    Stale { next_update: i64 },
    /// thisUpdate is still in the future at the time judged.
    NotYetValid { this_update: i64 },
    /// The leaf or issuer certificate does not parse.
    Certificate,
}

impl CrlError {
    /// A stable name for reports and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            CrlError::Malformed => "malformed",
            CrlError::WrongIssuer => "wrong-issuer",
            CrlError::BadSignature => "bad-signature",
            CrlError::Stale { .. } => "stale",
            CrlError::NotYetValid { .. } => "not-yet-valid",
            CrlError::Certificate => "certificate",
        }
    }
}

impl std::fmt::Display for CrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CrlError::Malformed => f.write_str("the CRL is not a DER certificate list"),
            CrlError::WrongIssuer => {
                f.write_str("the CRL is issued by another CA than the certificate")
            }
            CrlError::BadSignature => {
                f.write_str("the CRL's signature does not verify with the issuer's key")
            }
            CrlError::Stale { next_update } => {
                write!(
                    f,
                    "the CRL is out of date (nextUpdate {})",
                    super::rfc3339(*next_update)
                )
            }
            CrlError::NotYetValid { this_update } => {
                write!(
                    f,
                    "the CRL is not valid yet (thisUpdate {})",
                    super::rfc3339(*this_update)
                )
            }
            CrlError::Certificate => f.write_str("the certificate or its issuer does not parse"),
        }
    }
}

/// Checks `leaf` (DER) against `crl` (DER), issued by `issuer` (DER), at `now` (Unix seconds).
pub fn check(crl: &[u8], leaf: &[u8], issuer: &[u8], now: i64) -> Result<CrlVerdict, CrlError> {
    let (_, leaf) = X509Certificate::from_der(leaf).map_err(|_| CrlError::Certificate)?;
    let (_, issuer) = X509Certificate::from_der(issuer).map_err(|_| CrlError::Certificate)?;
    let (_, list) = CertificateRevocationList::from_der(crl).map_err(|_| CrlError::Malformed)?;
    if list.issuer().as_raw() != leaf.issuer().as_raw()
        || issuer.subject().as_raw() != leaf.issuer().as_raw()
    {
        return Err(CrlError::WrongIssuer);
    }
    list.verify_signature(issuer.public_key())
        .map_err(|_| CrlError::BadSignature)?;
    let this_update = list.last_update().timestamp();
    let next_update = list.next_update().map(|t| t.timestamp());
    if this_update > now + SKEW_SECS {
        return Err(CrlError::NotYetValid { this_update });
    }
    if let Some(next) = next_update {
        if now > next + SKEW_SECS {
            return Err(CrlError::Stale { next_update: next });
        }
    }
    let serial = strip_zeros(leaf.raw_serial());
    let entry = list
        .iter_revoked_certificates()
        .take(MAX_ENTRIES)
        .find(|r| strip_zeros(r.raw_serial()) == serial);
    Ok(match entry {
        Some(r) => CrlVerdict::Revoked {
            at: r.revocation_date.timestamp(),
            reason: r.reason_code().map(|(_, code)| code.0),
        },
        None => CrlVerdict::NotListed {
            this_update,
            next_update,
        },
    })
}

/// A serial number without the leading zero DER adds to keep it positive.
fn strip_zeros(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| b != 0).unwrap_or(s.len());
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::{Duration, OffsetDateTime};
    use rcgen::{
        BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa,
        KeyIdMethod, KeyPair, RevocationReason, RevokedCertParams, SerialNumber,
    };

    struct Ca {
        cert: rcgen::Certificate,
        key: KeyPair,
    }

    fn ca(name: &str) -> Ca {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().unwrap();
        let cert = p.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    fn leaf(ca: &Ca, serial: u64) -> Vec<u8> {
        let mut p = CertificateParams::new(vec!["mx.example.test".to_string()]).unwrap();
        p.serial_number = Some(SerialNumber::from(serial));
        let key = KeyPair::generate().unwrap();
        p.signed_by(&key, &ca.cert, &ca.key).unwrap().der().to_vec()
    }

    fn crl(ca: &Ca, revoked: &[u64], this: OffsetDateTime, next: OffsetDateTime) -> Vec<u8> {
        CertificateRevocationListParams {
            this_update: this,
            next_update: next,
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|s| RevokedCertParams {
                    serial_number: SerialNumber::from(*s),
                    revocation_time: this,
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&ca.cert, &ca.key)
        .unwrap()
        .der()
        .to_vec()
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    #[test]
    fn a_listed_serial_is_revoked_with_its_reason_and_others_are_not() {
        let ca = ca("Test CA");
        let list = crl(
            &ca,
            &[7, 9],
            now() - Duration::hours(1),
            now() + Duration::days(7),
        );
        let t = now().unix_timestamp();
        let v = check(&list, &leaf(&ca, 9), ca.cert.der(), t).unwrap();
        assert!(
            matches!(
                v,
                CrlVerdict::Revoked {
                    reason: Some(1),
                    ..
                }
            ),
            "{v:?}"
        );
        let v = check(&list, &leaf(&ca, 8), ca.cert.der(), t).unwrap();
        assert!(
            matches!(
                v,
                CrlVerdict::NotListed {
                    next_update: Some(_),
                    ..
                }
            ),
            "{v:?}"
        );
    }

    #[test]
    fn another_ca_a_forged_signature_and_dates_are_refused() {
        let ca1 = ca("Test CA");
        let other = ca("Other CA");
        let impostor = ca("Test CA");
        let t = now().unix_timestamp();
        let leaf = leaf(&ca1, 9);
        let fresh = |c: &Ca| {
            crl(
                c,
                &[9],
                now() - Duration::hours(1),
                now() + Duration::days(7),
            )
        };
        assert_eq!(
            check(&fresh(&other), &leaf, ca1.cert.der(), t),
            Err(CrlError::WrongIssuer)
        );
        assert_eq!(
            check(&fresh(&impostor), &leaf, ca1.cert.der(), t),
            Err(CrlError::BadSignature)
        );
        let stale = crl(
            &ca1,
            &[],
            now() - Duration::days(10),
            now() - Duration::days(3),
        );
        assert!(matches!(
            check(&stale, &leaf, ca1.cert.der(), t),
            Err(CrlError::Stale { .. })
        ));
        let early = crl(
            &ca1,
            &[],
            now() + Duration::days(1),
            now() + Duration::days(8),
        );
        assert!(matches!(
            check(&early, &leaf, ca1.cert.der(), t),
            Err(CrlError::NotYetValid { .. })
        ));
        // The same stale CRL judged back when it was current (`--at`) is fine.
        let then = (now() - Duration::days(5)).unix_timestamp();
        assert!(check(&stale, &leaf, ca1.cert.der(), then).is_ok());
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_never_a_panic() {
        let ca = ca("Test CA");
        let list = crl(
            &ca,
            &[1, 2, 3],
            now() - Duration::hours(1),
            now() + Duration::days(7),
        );
        let leaf = leaf(&ca, 2);
        let t = now().unix_timestamp();
        for n in 0..list.len() {
            assert!(
                check(&list[..n], &leaf, ca.cert.der(), t).is_err(),
                "prefix {n}"
            );
        }
        for i in 0..list.len() {
            let mut bad = list.clone();
            bad[i] ^= 0x5a;
            // A flip may leave a list that still parses; it must then fail the signature, or
            // (in the unsigned outer framing) change nothing that matters.
            if let Ok(v) = check(&bad, &leaf, ca.cert.der(), t) {
                assert_eq!(
                    v,
                    check(&list, &leaf, ca.cert.der(), t).unwrap(),
                    "byte {i}"
                );
            }
        }
        assert_eq!(
            check(b"", &leaf, ca.cert.der(), t),
            Err(CrlError::Malformed)
        );
        assert_eq!(
            check(&list, b"junk", ca.cert.der(), t),
            Err(CrlError::Certificate)
        );
    }
}
