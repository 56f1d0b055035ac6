//! Who signed a response: its signature checked with ring against the issuer's key or a delegated
//! responder certificate the issuer issued, valid now, with id-kp-OCSPSigning.

use super::*;

/// Signature algorithms of responses, as verified with ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SigAlg {
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
pub(super) fn signature_algorithm(content: &[u8]) -> Result<SigAlg, OcspError> {
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
pub(super) enum KeyAlg {
    Rsa,
    P256,
    P384,
    Ed25519,
}

/// The key's type, or the OID of what it is when unsupported.
pub(super) fn key_algorithm(spki: &SubjectPublicKeyInfo<'_>) -> Result<KeyAlg, String> {
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
pub(super) fn ring_algorithm(
    alg: SigAlg,
    key: KeyAlg,
) -> Option<&'static dyn VerificationAlgorithm> {
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
pub(super) enum KeyCheck {
    Valid,
    Invalid,
    Unsupported(String),
}

pub(super) fn check_signature(
    alg: SigAlg,
    spki: &SubjectPublicKeyInfo<'_>,
    basic: &Basic<'_>,
) -> KeyCheck {
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
pub(super) fn authenticate(
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
pub(super) fn delegated_by(responder: &[u8], issuer: &[u8], now: i64) -> bool {
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
