//! PKCS#12/PFX: the outer PFX structure read by hand (so a truncated file, a wrong password and an
//! unsupported cipher are different errors), decryption and the MAC check by p12-keystore.

use super::*;

pub(super) enum Header {
    /// A PFX whose content is pkcs7-data: password integrity mode, what everyone writes.
    Pfx,
    /// A PFX in public-key integrity mode (signedData).
    PfxSigned,
    /// A PFX in BER with indefinite lengths (some Java and macOS exports), which p12-keystore's
    /// DER decoder refuses.
    Ber,
    /// Every byte there is agrees with a PFX header, but the file ends first.
    Partial,
    No,
}

/// Matches the start of a PFX: SEQUENCE { INTEGER 3, SEQUENCE { OID data|signedData, … } }.
pub(super) fn pfx_header(bytes: &[u8]) -> Header {
    fn seq_header(b: &[u8]) -> Result<usize, der::Error> {
        match der::header(b)? {
            (der::SEQUENCE, hdr, _) => Ok(hdr),
            _ => Err(der::Error::Invalid),
        }
    }
    /// `b` starts with `want`, or is a prefix of it (Incomplete).
    fn fixed(b: &[u8], want: &[u8]) -> Result<usize, der::Error> {
        let n = b.len().min(want.len());
        if b[..n] != want[..n] {
            Err(der::Error::Invalid)
        } else if n < want.len() {
            Err(der::Error::Incomplete)
        } else {
            Ok(want.len())
        }
    }
    let walk = || -> Result<Header, der::Error> {
        let mut at = seq_header(bytes)?;
        at += fixed(bytes.get(at..).unwrap_or(&[]), &[der::INTEGER, 1, 3])?;
        at += seq_header(bytes.get(at..).unwrap_or(&[]))?;
        let rest = bytes.get(at..).unwrap_or(&[]);
        let mut data = vec![der::OID, oid::DATA.len() as u8];
        data.extend_from_slice(oid::DATA);
        let mut signed = vec![der::OID, oid::SIGNED_DATA.len() as u8];
        signed.extend_from_slice(oid::SIGNED_DATA);
        match fixed(rest, &data) {
            Ok(_) => Ok(Header::Pfx),
            Err(der::Error::Incomplete) => Err(der::Error::Incomplete),
            Err(der::Error::Invalid) => fixed(rest, &signed).map(|_| Header::PfxSigned),
        }
    };
    if bytes.starts_with(&[der::SEQUENCE, 0x80, der::INTEGER, 1, 3]) {
        return Header::Ber;
    }
    match walk() {
        Ok(h) => h,
        Err(der::Error::Incomplete) => Header::Partial,
        Err(der::Error::Invalid) => Header::No,
    }
}

/// What the unencrypted outer layers of a PFX say before any password is tried.
pub(super) struct PfxShape {
    pub(super) has_mac: bool,
    /// Encrypted SafeContents plus shrouded key bags visible without the password.
    pub(super) encrypted_parts: usize,
}

pub(super) fn pfx_shape(bytes: &[u8]) -> Result<PfxShape, CertFileError> {
    let pfx = der::expect(bytes, der::SEQUENCE).map_err(|e| match e {
        der::Error::Incomplete => CertFileError::Truncated {
            format: Format::Pkcs12,
        },
        der::Error::Invalid => malformed_pfx("not DER (a BER-encoded file? export it again)"),
    })?;
    let (content, trailing) = pfx;
    if !trailing.is_empty() {
        return Err(malformed_pfx("bytes after the end of the PFX structure"));
    }
    // Inside a complete outer SEQUENCE, a length that runs past its parent is damage, not
    // truncation.
    let inner = |e: der::Error| {
        malformed_pfx(match e {
            der::Error::Incomplete => "an inner length runs past its container",
            der::Error::Invalid => "an unexpected DER element",
        })
    };
    let (_version, rest) = der::expect(content, der::INTEGER).map_err(inner)?;
    let (auth_safe, rest) = der::expect(rest, der::SEQUENCE).map_err(inner)?;
    let (mac, rest) = der::optional(rest, der::SEQUENCE).map_err(inner)?;
    if !rest.is_empty() {
        return Err(malformed_pfx("unexpected elements after the MAC"));
    }
    let (_data_oid, rest) = der::expect(auth_safe, der::OID).map_err(inner)?;
    let (explicit, _) = der::expect(rest, der::CTX0).map_err(inner)?;
    let (octets, _) = der::expect(explicit, der::OCTET_STRING).map_err(inner)?;
    let (mut infos, _) = der::expect(octets, der::SEQUENCE).map_err(inner)?;
    let mut encrypted_parts = 0usize;
    while !infos.is_empty() {
        let (info, rest) = der::expect(infos, der::SEQUENCE).map_err(inner)?;
        infos = rest;
        let (kind, rest) = der::expect(info, der::OID).map_err(inner)?;
        if kind == oid::ENCRYPTED_DATA {
            encrypted_parts += 1;
            // [0] EncryptedData { version, EncryptedContentInfo { contentType, algorithm, … } }
            let (explicit, _) = der::expect(rest, der::CTX0).map_err(inner)?;
            let (data, _) = der::expect(explicit, der::SEQUENCE).map_err(inner)?;
            let (_version, rest) = der::expect(data, der::INTEGER).map_err(inner)?;
            let (content_info, _) = der::expect(rest, der::SEQUENCE).map_err(inner)?;
            let (_type, rest) = der::expect(content_info, der::OID).map_err(inner)?;
            let (alg, _) = der::expect(rest, der::SEQUENCE).map_err(inner)?;
            check_pbe(alg, Format::Pkcs12, "certificates")?;
        } else if kind == oid::DATA {
            let (explicit, _) = der::expect(rest, der::CTX0).map_err(inner)?;
            let (octets, _) = der::expect(explicit, der::OCTET_STRING).map_err(inner)?;
            let (mut bags, _) = der::expect(octets, der::SEQUENCE).map_err(inner)?;
            while !bags.is_empty() {
                let (bag, rest) = der::expect(bags, der::SEQUENCE).map_err(inner)?;
                bags = rest;
                let (bag_id, rest) = der::expect(bag, der::OID).map_err(inner)?;
                if bag_id == oid::SHROUDED_KEY_BAG {
                    encrypted_parts += 1;
                    let (explicit, _) = der::expect(rest, der::CTX0).map_err(inner)?;
                    let (epki, _) = der::expect(explicit, der::SEQUENCE).map_err(inner)?;
                    let (alg, _) = der::expect(epki, der::SEQUENCE).map_err(inner)?;
                    check_pbe(alg, Format::Pkcs12, "private key")?;
                }
            }
        } else {
            return Err(CertFileError::Unsupported {
                what: "this PKCS#12 file protects its contents with a recipient's public key (envelopedData), which this reader does not handle; export it again with a password".into(),
            });
        }
        if encrypted_parts > MAX_ENCRYPTED_PARTS {
            return Err(CertFileError::TooMany {
                what: Limited::EncryptedParts,
                count: encrypted_parts,
                limit: MAX_ENCRYPTED_PARTS,
            });
        }
    }
    Ok(PfxShape {
        has_mac: mac.is_some(),
        encrypted_parts,
    })
}

/// Refuses, before any password is tried, an encryption p12-keystore would not decrypt, so that
/// its failure is not taken for a wrong password. `alg` is an AlgorithmIdentifier's content.
///
/// PBES1 with SHA-1 and 3DES or RC2-40 (legacy Windows and `openssl -legacy`) and PBES2 with
/// PBKDF2-HMAC-SHA-2 or scrypt and AES (OpenSSL 3, Windows' AES256-SHA256, Java) pass. PBKDF2
/// with its default HMAC-SHA-1 does not: p12-keystore builds pkcs5 without SHA-1.
pub(super) fn check_pbe(alg: &[u8], format: Format, part: &str) -> Result<(), CertFileError> {
    let malformed = |_| CertFileError::Malformed {
        format,
        what: format!("the encryption parameters of the {part} do not parse"),
    };
    let unsupported = |name: String| {
        CertFileError::Unsupported {
        what: format!(
            "the {part} in this {} file is encrypted with {name}, which this reader does not decrypt; export it again with AES-256 (OpenSSL 3's default, Windows' AES256-SHA256) or 3DES (TripleDES-SHA1)",
            format.name()
        ),
    }
    };
    let (scheme, params) = der::expect(alg, der::OID).map_err(malformed)?;
    match oid_dotted(scheme).as_str() {
        // pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd40BitRC2-CBC (RFC 7292 appendix C)
        "1.2.840.113549.1.12.1.3" | "1.2.840.113549.1.12.1.6" => Ok(()),
        // PBES2 (RFC 8018 §6.2): { keyDerivationFunc, encryptionScheme }
        "1.2.840.113549.1.5.13" => {
            let (p, _) = der::expect(params, der::SEQUENCE).map_err(malformed)?;
            let (kdf, rest) = der::expect(p, der::SEQUENCE).map_err(malformed)?;
            let (cipher, _) = der::expect(rest, der::SEQUENCE).map_err(malformed)?;
            let (kdf_oid, kdf_params) = der::expect(kdf, der::OID).map_err(malformed)?;
            match oid_dotted(kdf_oid).as_str() {
                // PBKDF2-params { salt, iterationCount, keyLength OPTIONAL, prf DEFAULT SHA-1 }
                "1.2.840.113549.1.5.12" => {
                    let (p, _) = der::expect(kdf_params, der::SEQUENCE).map_err(malformed)?;
                    // The salt is an OCTET STRING or an AlgorithmIdentifier: any one TLV.
                    let (_, _salt, rest) = der::read(p).map_err(malformed)?;
                    let (_iterations, rest) = der::expect(rest, der::INTEGER).map_err(malformed)?;
                    let (_key_len, rest) = der::optional(rest, der::INTEGER).map_err(malformed)?;
                    let prf = match der::optional(rest, der::SEQUENCE).map_err(malformed)?.0 {
                        Some(prf) => oid_dotted(der::expect(prf, der::OID).map_err(malformed)?.0),
                        None => "1.2.840.113549.2.7".into(),
                    };
                    match prf.as_str() {
                        // hmacWithSHA224, -256, -384, -512
                        "1.2.840.113549.2.8"
                        | "1.2.840.113549.2.9"
                        | "1.2.840.113549.2.10"
                        | "1.2.840.113549.2.11" => {}
                        "1.2.840.113549.2.7" => {
                            return Err(unsupported("PBES2 with PBKDF2-HMAC-SHA1".into()))
                        }
                        other => return Err(unsupported(format!("PBES2 with PBKDF2 PRF {other}"))),
                    }
                }
                "1.3.6.1.4.1.11591.4.11" => {} // scrypt
                other => return Err(unsupported(format!("PBES2 with key derivation {other}"))),
            }
            let (cipher_oid, _) = der::expect(cipher, der::OID).map_err(malformed)?;
            match oid_dotted(cipher_oid).as_str() {
                // AES-128/192/256-CBC, AES-128/256-GCM
                "2.16.840.1.101.3.4.1.2"
                | "2.16.840.1.101.3.4.1.22"
                | "2.16.840.1.101.3.4.1.42"
                | "2.16.840.1.101.3.4.1.6"
                | "2.16.840.1.101.3.4.1.46" => Ok(()),
                "1.2.840.113549.3.7" => Err(unsupported("PBES2 with DES-EDE3-CBC".into())),
                "1.3.14.3.2.7" => Err(unsupported("PBES2 with DES-CBC".into())),
                other => Err(unsupported(format!("PBES2 with cipher {other}"))),
            }
        }
        "1.2.840.113549.1.12.1.1" => Err(unsupported("pbeWithSHAAnd128BitRC4".into())),
        "1.2.840.113549.1.12.1.2" => Err(unsupported("pbeWithSHAAnd40BitRC4".into())),
        "1.2.840.113549.1.12.1.4" => Err(unsupported("pbeWithSHAAnd2-KeyTripleDES-CBC".into())),
        "1.2.840.113549.1.12.1.5" => Err(unsupported("pbeWithSHAAnd128BitRC2-CBC".into())),
        other => Err(unsupported(format!("the scheme {other}"))),
    }
}

pub(super) fn malformed_pfx(what: &str) -> CertFileError {
    CertFileError::Malformed {
        format: Format::Pkcs12,
        what: what.into(),
    }
}

pub(super) fn read_pkcs12(bytes: &[u8], password: Option<&str>) -> Result<CertFile, CertFileError> {
    let shape = pfx_shape(bytes)?;
    let needs_password = shape.has_mac || shape.encrypted_parts > 0;
    let password = match password {
        Some(p) => p,
        // Nothing is keyed by a password: any one opens it.
        None if !needs_password => "",
        None => {
            return Err(CertFileError::PasswordNeeded {
                format: Format::Pkcs12,
            })
        }
    };
    let archive = Pkcs12Archive::from_pkcs12(bytes, password)
        .map_err(|e| pkcs12_error(e, Format::Pkcs12, shape.has_mac, shape.encrypted_parts))?;
    if archive.keys.len() > MAX_PRIVATE_KEYS {
        return Err(CertFileError::TooMany {
            what: Limited::PrivateKeys,
            count: archive.keys.len(),
            limit: MAX_PRIVATE_KEYS,
        });
    }
    let certs: Vec<Vec<u8>> = archive
        .certs
        .iter()
        .map(|c| c.cert.as_der().to_vec())
        .collect();
    let keys: Vec<PrivateKey> = archive
        .keys
        .iter()
        .map(|k| PrivateKey::Pkcs8(k.key.as_der().to_vec()))
        .collect();
    assemble(Format::Pkcs12, certs, keys)
}

/// p12-keystore's errors as this module's. The MAC is checked before anything is decrypted,
/// so with a MAC a decryption failure means the file was encrypted under a second password
/// (`openssl pkcs12 -twopass`); without one, a wrong password shows only as a decryption that
/// fails or yields garbage.
pub(super) fn pkcs12_error(
    e: P12Error,
    format: Format,
    has_mac: bool,
    encrypted: usize,
) -> CertFileError {
    let wrong = CertFileError::WrongPassword { format };
    let damaged = |what: String| CertFileError::Malformed { format, what };
    match e {
        P12Error::MacError(_) | P12Error::UnpadError => wrong,
        // pkcs5's errors arrive as text only. "decryption failed" is bad padding, the wrong
        // password; check_pbe let only schemes pkcs5 implements through, so anything else is
        // a parameter it refused.
        P12Error::Pkcs5Error(s) if s.contains("decryption failed") => wrong,
        P12Error::Pkcs5Error(s) => CertFileError::Unsupported {
            what: format!(
                "the file's encryption parameters are refused ({s}); export it again with AES-256 (OpenSSL 3's default) or 3DES"
            ),
        },
        P12Error::DerError(_)
        | P12Error::X509Error(_)
        | P12Error::InvalidData
        | P12Error::InvalidLength
        | P12Error::InvalidPrivateKey
            if !has_mac && encrypted > 0 =>
        {
            wrong
        }
        P12Error::X509Error(e) => damaged(format!("a certificate in it does not parse: {e}")),
        P12Error::InvalidPrivateKey => damaged("its private key does not parse".into()),
        P12Error::DerError(e) => damaged(format!("{e}")),
        P12Error::InvalidData | P12Error::InvalidLength => damaged(format!("{e}")),
        P12Error::UnsupportedEncryptionScheme | P12Error::UnsupportedMacAlgorithm => {
            CertFileError::Unsupported {
                what: "the file uses an encryption or integrity algorithm this reader does not handle; export it again with AES-256 (OpenSSL 3's default) or 3DES and a SHA-1 or SHA-256 MAC".into(),
            }
        }
        P12Error::InvalidParameters => CertFileError::Unsupported {
            what: "the file's encryption parameters are refused (more than 1,000,000 key-derivation iterations, or none given); export it again with the defaults".into(),
        },
        P12Error::InvalidVersion
        | P12Error::UnsupportedContentType
        | P12Error::UnsupportedCertificateType => CertFileError::Unsupported {
            what: format!("the PKCS#12 file uses a feature this reader does not handle ({e}); export it again with OpenSSL or Windows' defaults"),
        },
        P12Error::IoError(e) => damaged(e.to_string()),
    }
}

/// Decrypts a PKCS#8 EncryptedPrivateKeyInfo (PEM `ENCRYPTED PRIVATE KEY`) by wrapping it, as
/// the shrouded key bag it is in every PFX, into a MAC-less PFX for p12-keystore: one
/// implementation of PBES1 and PBES2 for both formats.
pub(super) fn decrypt_pkcs8(encrypted: &[u8], password: &str) -> Result<Vec<u8>, CertFileError> {
    let bad = || CertFileError::Malformed {
        format: Format::Pem,
        what: "the encrypted private key does not parse".into(),
    };
    // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }
    let (epki, _) = der::expect(encrypted, der::SEQUENCE).map_err(|_| bad())?;
    let (alg, rest) = der::expect(epki, der::SEQUENCE).map_err(|_| bad())?;
    der::expect(rest, der::OCTET_STRING).map_err(|_| bad())?;
    check_pbe(alg, Format::Pem, "private key")?;
    let oid_tlv = |o: &[u8]| der::tlv(der::OID, o);
    let bag = der::tlv(
        der::SEQUENCE,
        &[
            oid_tlv(oid::SHROUDED_KEY_BAG),
            der::tlv(der::CTX0, encrypted),
        ]
        .concat(),
    );
    let data = |content: &[u8]| {
        der::tlv(
            der::SEQUENCE,
            &[
                oid_tlv(oid::DATA),
                der::tlv(der::CTX0, &der::tlv(der::OCTET_STRING, content)),
            ]
            .concat(),
        )
    };
    let safe_contents = der::tlv(der::SEQUENCE, &bag);
    let auth_safe = der::tlv(der::SEQUENCE, &data(&safe_contents));
    let pfx = der::tlv(
        der::SEQUENCE,
        &[der::tlv(der::INTEGER, &[3]), data(&auth_safe)].concat(),
    );
    // No MAC here: a wrong password shows as a failed decryption or as garbage.
    let archive = Pkcs12Archive::from_pkcs12(&pfx, password)
        .map_err(|e| pkcs12_error(e, Format::Pem, false, 1))?;
    match archive.keys.into_iter().next() {
        Some(k) => Ok(k.key.as_der().to_vec()),
        None => Err(bad()),
    }
}
