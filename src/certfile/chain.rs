//! From the certificates and keys a file holds to the leaf's chain in issuer order, and whether
//! the file's private key belongs to the leaf.

use super::*;

pub(super) enum PrivateKey {
    /// PrivateKeyInfo, RFC 5958 (PEM `PRIVATE KEY`, and every PFX key).
    Pkcs8(Vec<u8>),
    /// RSAPrivateKey, RFC 8017 A.1.2 (PEM `RSA PRIVATE KEY`).
    Pkcs1(Vec<u8>),
    /// ECPrivateKey, RFC 5915 (PEM `EC PRIVATE KEY`).
    Sec1(Vec<u8>),
    /// Another PEM private key (`DSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, …), by label.
    Other(String),
}

pub(super) fn assemble(
    format: Format,
    certs: Vec<Vec<u8>>,
    keys: Vec<PrivateKey>,
) -> Result<CertFile, CertFileError> {
    if certs.is_empty() {
        return Err(CertFileError::NoCertificate {
            private_key: !keys.is_empty(),
        });
    }
    if certs.len() > MAX_CERTIFICATES {
        return Err(CertFileError::TooMany {
            what: Limited::Certificates,
            count: certs.len(),
            limit: MAX_CERTIFICATES,
        });
    }
    // The file order, each certificate once.
    let mut unique: Vec<&[u8]> = Vec::new();
    for c in &certs {
        if !unique.contains(&c.as_slice()) {
            unique.push(c);
        }
    }
    let duplicates = certs.len() - unique.len();
    let mut parsed = Vec::with_capacity(unique.len());
    for (i, der) in unique.iter().enumerate() {
        match X509Certificate::from_der(der) {
            Ok((_, c)) => parsed.push(c),
            Err(e) => {
                return Err(CertFileError::Malformed {
                    format,
                    what: format!("certificate {} does not parse: {e}", i + 1),
                })
            }
        }
    }
    let pubs: Vec<PublicOf> = keys
        .iter()
        .map(|k| public_of(k, format))
        .collect::<Result<_, _>>()?;

    let order = chain_order(&parsed, &pubs, format)?;
    let in_order = certs.len() >= order.len()
        && order
            .iter()
            .zip(&certs)
            .all(|(&i, file)| unique[i] == file.as_slice());
    let leaf = &parsed[order[0]];
    let key = if pubs.is_empty() {
        KeyMatch::Absent
    } else {
        let mut judged = Vec::with_capacity(pubs.len());
        for p in &pubs {
            judged.push(judge(p, leaf, format)?);
        }
        if judged.contains(&KeyMatch::Matches) {
            KeyMatch::Matches
        } else {
            judged.swap_remove(0)
        }
    };
    Ok(CertFile {
        format,
        chain: order
            .iter()
            .map(|&i| CertificateDer::from(unique[i].to_vec()))
            .collect(),
        in_order,
        unrelated: unique.len() - order.len(),
        duplicates,
        private_keys: keys.len(),
        key,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sig {
    Good,
    Bad,
    /// An algorithm or key size ring does not verify: the names alone decide.
    Unknown,
}

/// Whether `issuer`'s key made `child`'s signature, by ring.
pub(super) fn signed_by(child: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> Sig {
    use ring::signature as s;
    let spki = issuer.public_key();
    let key_alg = spki.algorithm.algorithm.as_bytes();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok());
    let curve = curve.as_ref().map(|o| o.as_bytes());
    let sig_alg = child.signature_algorithm.algorithm.to_id_string();
    let rsa_bits = || rsa_spki(issuer).map_or(0, |(n, _)| n.len() * 8);
    let alg: &dyn s::VerificationAlgorithm = match sig_alg.as_str() {
        "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.12"
        | "1.2.840.113549.1.1.13" => {
            if key_alg != oid::RSA {
                return Sig::Bad;
            }
            let bits = rsa_bits();
            if !(1024..=8192).contains(&bits) {
                return Sig::Unknown;
            }
            match sig_alg.as_str() {
                "1.2.840.113549.1.1.5" => &s::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                "1.2.840.113549.1.1.11" => &s::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                "1.2.840.113549.1.1.13" => &s::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                _ if bits >= 2048 => &s::RSA_PKCS1_2048_8192_SHA384,
                _ => return Sig::Unknown,
            }
        }
        "1.2.840.10045.4.3.2" | "1.2.840.10045.4.3.3" => {
            if key_alg != oid::EC {
                return Sig::Bad;
            }
            let sha256 = sig_alg == "1.2.840.10045.4.3.2";
            match (curve, sha256) {
                (Some(oid::P256), true) => &s::ECDSA_P256_SHA256_ASN1,
                (Some(oid::P256), false) => &s::ECDSA_P256_SHA384_ASN1,
                (Some(oid::P384), true) => &s::ECDSA_P384_SHA256_ASN1,
                (Some(oid::P384), false) => &s::ECDSA_P384_SHA384_ASN1,
                _ => return Sig::Unknown,
            }
        }
        "1.3.101.112" => {
            if key_alg != oid::ED25519 {
                return Sig::Bad;
            }
            &s::ED25519
        }
        _ => return Sig::Unknown,
    };
    let key = s::UnparsedPublicKey::new(alg, spki.subject_public_key.data.as_ref());
    match key.verify(child.tbs_certificate.as_ref(), &child.signature_value.data) {
        Ok(()) => Sig::Good,
        Err(_) => Sig::Bad,
    }
}

/// Indices into `certs`: the leaf, then each issuer in turn.
///
/// A certificate issued another when its subject is the other's issuer (raw DN bytes) and its
/// key verifies the other's signature (or ring cannot tell): two intermediates with one name
/// and different keys, a renewal's usual state, are told apart. The leaf issued no other
/// certificate in the file; among several such, the one the private key belongs to, then one
/// that is not a CA, then one that is not self-signed (a stray root or a test certificate
/// beside the real chain), then the first in the file.
pub(super) fn chain_order(
    certs: &[X509Certificate<'_>],
    keys: &[PublicOf],
    format: Format,
) -> Result<Vec<usize>, CertFileError> {
    let n = certs.len();
    // issued[child * n + issuer]
    let mut issued = vec![None; n * n];
    for child in 0..n {
        for issuer in 0..n {
            if certs[child].issuer().as_raw() == certs[issuer].subject().as_raw() {
                let sig = signed_by(&certs[child], &certs[issuer]);
                if sig != Sig::Bad {
                    issued[child * n + issuer] = Some(sig);
                }
            }
        }
    }
    let issued_other = |i: usize| (0..n).any(|c| c != i && issued[c * n + i].is_some());
    let mut candidates: Vec<usize> = (0..n).filter(|&i| !issued_other(i)).collect();
    if candidates.is_empty() {
        // Every certificate issued another (a cycle of cross-signatures): rank them all.
        candidates = (0..n).collect();
    }
    let mut ranked = Vec::with_capacity(candidates.len());
    for &i in &candidates {
        let mut key_matches = false;
        for k in keys {
            if judge(k, &certs[i], format)? == KeyMatch::Matches {
                key_matches = true;
            }
        }
        let self_signed = issued[i * n + i].is_some();
        ranked.push((!key_matches, certs[i].is_ca(), self_signed, i));
    }
    ranked.sort();
    let leaf = ranked.first().map(|r| r.3).unwrap_or(0);

    let mut chain = vec![leaf];
    loop {
        let cur = chain[chain.len() - 1];
        if issued[cur * n + cur].is_some() {
            break; // self-signed: a root, the end of any path
        }
        let next = (0..n)
            .filter(|j| !chain.contains(j))
            .filter_map(|j| issued[cur * n + j].map(|sig| (sig != Sig::Good, j)))
            .min();
        match next {
            Some((_, j)) => chain.push(j),
            None => break,
        }
    }
    Ok(chain)
}

/// The public half of a private key, as far as it can be had without the leaf.
pub(super) enum PublicOf {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        /// The named curve, when the key says (PKCS#8 parameters or SEC1 `[0]`).
        curve: Option<Vec<u8>>,
        scalar: Vec<u8>,
        /// SEC1 `[1] publicKey`, which OpenSSL writes unless told not to.
        point: Option<Vec<u8>>,
    },
    Ed25519 {
        public: Vec<u8>,
    },
    /// A key type this module does not read: its algorithm OID (dotted) or PEM label, and the
    /// OID's DER content when known (an RSA leaf certainly does not match a DSA key).
    Other {
        algorithm: String,
        oid: Option<Vec<u8>>,
    },
}

pub(super) fn key_malformed(format: Format, what: &str) -> CertFileError {
    CertFileError::Malformed {
        format,
        what: format!("the private key does not parse ({what})"),
    }
}

pub(super) fn public_of(key: &PrivateKey, format: Format) -> Result<PublicOf, CertFileError> {
    match key {
        PrivateKey::Pkcs1(der) => rsa_public(der, format),
        PrivateKey::Sec1(der) => ec_public(der, None, format),
        PrivateKey::Pkcs8(der) => pkcs8_public(der, format),
        PrivateKey::Other(label) => Ok(PublicOf::Other {
            algorithm: label.clone(),
            oid: None,
        }),
    }
}

/// RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, … }
pub(super) fn rsa_public(der: &[u8], format: Format) -> Result<PublicOf, CertFileError> {
    let bad = |_| key_malformed(format, "RSA");
    let (seq, _) = der::expect(der, der::SEQUENCE).map_err(bad)?;
    let (_version, rest) = der::expect(seq, der::INTEGER).map_err(bad)?;
    let (n, rest) = der::expect(rest, der::INTEGER).map_err(bad)?;
    let (e, _) = der::expect(rest, der::INTEGER).map_err(bad)?;
    Ok(PublicOf::Rsa {
        n: der::unsigned(n).to_vec(),
        e: der::unsigned(e).to_vec(),
    })
}

/// ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters OPTIONAL,
/// [1] publicKey BIT STRING OPTIONAL }; `curve` from the PKCS#8 AlgorithmIdentifier, if any.
pub(super) fn ec_public(
    der: &[u8],
    curve: Option<&[u8]>,
    format: Format,
) -> Result<PublicOf, CertFileError> {
    let bad = |_| key_malformed(format, "EC");
    let (seq, _) = der::expect(der, der::SEQUENCE).map_err(bad)?;
    let (_version, rest) = der::expect(seq, der::INTEGER).map_err(bad)?;
    let (scalar, rest) = der::expect(rest, der::OCTET_STRING).map_err(bad)?;
    let (params, rest) = der::optional(rest, der::CTX0).map_err(bad)?;
    let (public, _) = der::optional(rest, der::CTX1).map_err(bad)?;
    let own_curve = match params {
        Some(p) => Some(der::expect(p, der::OID).map_err(bad)?.0),
        None => None,
    };
    let point = match public {
        Some(p) => {
            let (bits, _) = der::expect(p, der::BIT_STRING).map_err(bad)?;
            // The first byte counts unused bits; a point is whole bytes.
            match bits.split_first() {
                Some((0, point)) => Some(point.to_vec()),
                _ => return Err(key_malformed(format, "EC public point")),
            }
        }
        None => None,
    };
    Ok(PublicOf::Ec {
        curve: own_curve.or(curve).map(<[u8]>::to_vec),
        scalar: scalar.to_vec(),
        point,
    })
}

/// PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING,
/// [0] attributes OPTIONAL, [1] publicKey OPTIONAL }
pub(super) fn pkcs8_public(der: &[u8], format: Format) -> Result<PublicOf, CertFileError> {
    let bad = |_| key_malformed(format, "PKCS#8");
    let (seq, _) = der::expect(der, der::SEQUENCE).map_err(bad)?;
    let (_version, rest) = der::expect(seq, der::INTEGER).map_err(bad)?;
    let (alg, rest) = der::expect(rest, der::SEQUENCE).map_err(bad)?;
    let (inner, _) = der::expect(rest, der::OCTET_STRING).map_err(bad)?;
    let (alg_oid, params) = der::expect(alg, der::OID).map_err(bad)?;
    match alg_oid {
        oid::RSA | oid::RSA_PSS => rsa_public(inner, format),
        oid::EC => {
            let curve = match der::expect(params, der::OID) {
                Ok((c, _)) => Some(c),
                Err(_) => None,
            };
            ec_public(inner, curve, format)
        }
        oid::ED25519 => {
            // CurvePrivateKey ::= OCTET STRING (the 32-byte seed), RFC 8410 §7.
            let (seed, _) = der::expect(inner, der::OCTET_STRING).map_err(bad)?;
            let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed)
                .map_err(|_| key_malformed(format, "Ed25519"))?;
            Ok(PublicOf::Ed25519 {
                public: ring::signature::KeyPair::public_key(&pair)
                    .as_ref()
                    .to_vec(),
            })
        }
        other => Ok(PublicOf::Other {
            algorithm: oid_dotted(other),
            oid: Some(other.to_vec()),
        }),
    }
}

pub(super) fn oid_dotted(content: &[u8]) -> String {
    x509_parser::der_parser::oid::Oid::new(content.into()).to_id_string()
}

pub(super) fn curve_name(curve: &[u8]) -> String {
    match curve {
        oid::P256 => "P-256".into(),
        oid::P384 => "P-384".into(),
        oid::P521 => "P-521".into(),
        other => oid_dotted(other),
    }
}

/// RSAPublicKey ::= SEQUENCE { modulus, publicExponent }, the SPKI key of rsaEncryption and
/// RSASSA-PSS alike; magnitudes.
pub(super) fn rsa_spki(cert: &X509Certificate<'_>) -> Option<(Vec<u8>, Vec<u8>)> {
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.as_bytes();
    if alg != oid::RSA && alg != oid::RSA_PSS {
        return None;
    }
    let (seq, _) = der::expect(&spki.subject_public_key.data, der::SEQUENCE).ok()?;
    let (n, rest) = der::expect(seq, der::INTEGER).ok()?;
    let (e, _) = der::expect(rest, der::INTEGER).ok()?;
    Some((der::unsigned(n).to_vec(), der::unsigned(e).to_vec()))
}

/// The private key against `cert`'s SubjectPublicKeyInfo.
pub(super) fn judge(
    key: &PublicOf,
    cert: &X509Certificate<'_>,
    format: Format,
) -> Result<KeyMatch, CertFileError> {
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.as_bytes();
    let point = &spki.subject_public_key.data;
    let verdict = |same: bool| {
        if same {
            KeyMatch::Matches
        } else {
            KeyMatch::DoesNotMatch
        }
    };
    Ok(match key {
        PublicOf::Rsa { n, e } => match rsa_spki(cert) {
            Some((cn, ce)) => verdict(&cn == n && &ce == e),
            None => KeyMatch::DoesNotMatch,
        },
        PublicOf::Ed25519 { public } => {
            verdict(alg == oid::ED25519 && point.as_ref() == public.as_slice())
        }
        PublicOf::Other { algorithm, oid } => match oid {
            Some(o) if o.as_slice() != alg => KeyMatch::DoesNotMatch,
            _ => KeyMatch::Unverifiable {
                algorithm: algorithm.clone(),
            },
        },
        PublicOf::Ec {
            curve,
            scalar,
            point: own,
        } => {
            if alg != oid::EC {
                return Ok(KeyMatch::DoesNotMatch);
            }
            let leaf_curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.as_bytes().to_vec());
            let curve = match (curve, &leaf_curve) {
                (Some(k), Some(l)) if k != l => return Ok(KeyMatch::DoesNotMatch),
                (Some(k), _) => k.clone(),
                (None, Some(l)) => l.clone(),
                (None, None) => {
                    return Ok(KeyMatch::Unverifiable {
                        algorithm: "EC with explicit curve parameters".into(),
                    })
                }
            };
            ec_judge(&curve, scalar, own.as_deref(), point, format)?
        }
    })
}

/// An EC private key against the leaf's point. For P-256 and P-384 ring derives the point from
/// the scalar, so a key whose stored public point was altered is still caught; for other curves
/// the stored point is compared, if there is one.
pub(super) fn ec_judge(
    curve: &[u8],
    scalar: &[u8],
    own_point: Option<&[u8]>,
    leaf_point: &[u8],
    format: Format,
) -> Result<KeyMatch, CertFileError> {
    use ring::signature as s;
    let (alg, len): (&'static s::EcdsaSigningAlgorithm, usize) = match curve {
        oid::P256 => (&s::ECDSA_P256_SHA256_ASN1_SIGNING, 32),
        oid::P384 => (&s::ECDSA_P384_SHA384_ASN1_SIGNING, 48),
        _ => (&s::ECDSA_P256_SHA256_ASN1_SIGNING, 0),
    };
    let uncompressed = leaf_point.first() == Some(&4) && leaf_point.len() == 1 + 2 * len;
    if len > 0 && uncompressed {
        // RFC 5915 asks for the fixed length; pad a writer that dropped leading zeros.
        let scalar = der::unsigned(scalar);
        if scalar.len() > len {
            return Err(key_malformed(format, "EC scalar longer than the curve"));
        }
        let mut fixed = vec![0u8; len - scalar.len()];
        fixed.extend_from_slice(scalar);
        let rng = ring::rand::SystemRandom::new();
        return match s::EcdsaKeyPair::from_private_key_and_public_key(alg, &fixed, leaf_point, &rng)
        {
            Ok(_) => Ok(KeyMatch::Matches),
            // ring derives the point and compares; this is its name for "not the same point".
            Err(e) if e.to_string() == "InconsistentComponents" => Ok(KeyMatch::DoesNotMatch),
            Err(_) => Err(key_malformed(format, "EC scalar out of range")),
        };
    }
    match own_point {
        Some(own) => Ok(if same_point(own, leaf_point) {
            KeyMatch::Matches
        } else {
            KeyMatch::DoesNotMatch
        }),
        None => Ok(KeyMatch::Unverifiable {
            algorithm: format!("EC {} without its public point", curve_name(curve)),
        }),
    }
}

/// Two SEC1 point encodings of the same point: equal, or one compressed (02/03 ‖ x) and one
/// uncompressed (04 ‖ x ‖ y) with the same x and the parity of y the prefix says.
pub(super) fn same_point(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    let half = short.len().saturating_sub(1);
    match (short.split_first(), long.split_first()) {
        (Some((&p, x)), Some((&4, xy))) if (p == 2 || p == 3) && xy.len() == 2 * half => {
            let (lx, ly) = xy.split_at(half);
            let odd = ly.last().is_some_and(|b| b & 1 == 1);
            lx == x && odd == (p == 3)
        }
        _ => false,
    }
}
