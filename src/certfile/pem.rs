//! PEM (RFC 7468): the blocks of a text file, their labels and DER, encrypted PKCS#8 keys
//! decrypted with the password.

use super::*;

pub(super) struct PemBlock {
    pub(super) label: String,
    pub(super) der: Vec<u8>,
    /// 1-based line of the BEGIN line, for messages.
    pub(super) line: usize,
    /// A `Proc-Type: 4,ENCRYPTED` header: OpenSSL's pre-PKCS#8 key encryption.
    pub(super) legacy_encrypted: bool,
}

pub(super) fn pem_malformed(what: String) -> CertFileError {
    CertFileError::Malformed {
        format: Format::Pem,
        what,
    }
}

/// The PEM blocks of `text`, RFC 7468 with what OpenSSL adds: text outside blocks (the "Bag
/// Attributes" of `openssl pkcs12 -nodes`, comments) is ignored, header lines are read only to
/// recognise legacy encryption.
pub(super) fn pem_blocks(text: &[u8]) -> Result<Vec<PemBlock>, CertFileError> {
    struct Open {
        label: String,
        line: usize,
        b64: Vec<u8>,
        legacy_encrypted: bool,
    }
    let truncated = CertFileError::Truncated {
        format: Format::Pem,
    };
    let mut blocks = Vec::new();
    let mut open: Option<Open> = None;
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n' || b == b'\r').collect();
    let count = lines.len();
    for (i, raw) in lines.into_iter().enumerate() {
        // The last piece has no newline after it: a marker cut short there is truncation.
        let last = i + 1 == count;
        let line = raw.trim_ascii();
        let n = i + 1;
        match open.take() {
            None => {
                if !line.starts_with(b"-----") {
                    continue;
                }
                let label = line
                    .strip_prefix(b"-----BEGIN ")
                    .and_then(|l| l.strip_suffix(b"-----"));
                match label {
                    Some(label) if !label.contains(&b'-') => {
                        open = Some(Open {
                            label: String::from_utf8_lossy(label).into_owned(),
                            line: n,
                            b64: Vec::new(),
                            legacy_encrypted: false,
                        })
                    }
                    _ if last => return Err(truncated),
                    _ => {
                        return Err(pem_malformed(format!(
                            "line {n} is a PEM marker outside a block or without its closing dashes"
                        )))
                    }
                }
            }
            Some(mut block) => {
                if line.starts_with(b"-----") {
                    let end = format!("-----END {}-----", block.label);
                    if line == end.as_bytes() {
                        let der = base64_decode(&block.b64).ok_or_else(|| {
                            pem_malformed(format!(
                                "the base64 of the {} block at line {} is damaged",
                                block.label, block.line
                            ))
                        })?;
                        blocks.push(PemBlock {
                            label: block.label,
                            der,
                            line: block.line,
                            legacy_encrypted: block.legacy_encrypted,
                        });
                        continue;
                    }
                    if last && end.as_bytes().starts_with(line) {
                        return Err(truncated);
                    }
                    return Err(pem_malformed(format!(
                        "the {} block at line {} has no END line before line {n}",
                        block.label, block.line
                    )));
                }
                if line.contains(&b':') {
                    // RFC 1421 headers; base64 has no colon.
                    if line.starts_with(b"Proc-Type:") && contains(line, b"ENCRYPTED") {
                        block.legacy_encrypted = true;
                    }
                } else {
                    block
                        .b64
                        .extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
                }
                open = Some(block);
            }
        }
    }
    if open.is_some() {
        return Err(truncated);
    }
    Ok(blocks)
}

/// Standard base64 with optional padding; `None` on any other byte or a misplaced `=`.
pub(super) fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 3);
    let (mut acc, mut bits, mut chars, mut padding) = (0u32, 0u32, 0usize, 0usize);
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            _ => return None,
        };
        if padding > 0 {
            return None;
        }
        chars += 1;
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    let complete = (chars + padding) % 4 == 0 || padding == 0;
    if chars % 4 == 1 || padding > 2 || !complete {
        return None;
    }
    Some(out)
}

pub(super) fn read_pem(text: &[u8], password: Option<&str>) -> Result<CertFile, CertFileError> {
    // Notepad saves UTF-8 with a byte-order mark, which would hide the first BEGIN line.
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let blocks = pem_blocks(text)?;
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    let mut pkcs7 = false;
    for b in blocks {
        let unsupported_legacy = || {
            CertFileError::Unsupported {
            what: format!(
                "the private key at line {} is encrypted the pre-PKCS#8 OpenSSL way (Proc-Type: 4,ENCRYPTED), which this reader does not decrypt; convert it with `openssl pkey -in KEY -aes256 -out KEY.new` (or leave it unencrypted) and try again",
                b.line
            ),
        }
        };
        if b.label.ends_with("PRIVATE KEY") && keys.len() >= MAX_PRIVATE_KEYS {
            return Err(CertFileError::TooMany {
                what: Limited::PrivateKeys,
                count: keys.len() + 1,
                limit: MAX_PRIVATE_KEYS,
            });
        }
        match b.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                // OpenSSL's TRUSTED CERTIFICATE is the certificate followed by trust settings.
                let len = match X509Certificate::from_der(&b.der) {
                    Ok((rest, _)) => b.der.len() - rest.len(),
                    Err(e) => {
                        return Err(pem_malformed(format!(
                            "the certificate at line {} does not parse: {e}",
                            b.line
                        )))
                    }
                };
                let mut der = b.der;
                der.truncate(len);
                certs.push(der);
                if certs.len() > MAX_CERTIFICATES {
                    return Err(CertFileError::TooMany {
                        what: Limited::Certificates,
                        count: certs.len(),
                        limit: MAX_CERTIFICATES,
                    });
                }
                continue;
            }
            "PKCS7" => {
                pkcs7 = true;
                continue;
            }
            "PRIVATE KEY" => keys.push(PrivateKey::Pkcs8(b.der)),
            "RSA PRIVATE KEY" if b.legacy_encrypted => return Err(unsupported_legacy()),
            "RSA PRIVATE KEY" => keys.push(PrivateKey::Pkcs1(b.der)),
            "EC PRIVATE KEY" if b.legacy_encrypted => return Err(unsupported_legacy()),
            "EC PRIVATE KEY" => keys.push(PrivateKey::Sec1(b.der)),
            "ENCRYPTED PRIVATE KEY" => match password {
                None => {
                    return Err(CertFileError::PasswordNeeded {
                        format: Format::Pem,
                    })
                }
                Some(p) => keys.push(PrivateKey::Pkcs8(decrypt_pkcs8(&b.der, p)?)),
            },
            l if l.ends_with("PRIVATE KEY") => keys.push(PrivateKey::Other(
                l.trim_end_matches("PRIVATE KEY").trim().to_string(),
            )),
            // Parameters, CSRs, CRLs, public keys: not what a server presents.
            _ => continue,
        }
    }
    if certs.is_empty() && pkcs7 {
        return Err(pkcs7_unsupported());
    }
    assemble(Format::Pem, certs, keys)
}

/// A DER PKCS#7 ContentInfo carrying signedData: how Windows exports a .p7b chain.
pub(super) fn is_pkcs7(bytes: &[u8]) -> bool {
    let Ok((_, content, _)) = der::read(bytes) else {
        return false;
    };
    matches!(der::expect(content, der::OID), Ok((o, _)) if o == oid::SIGNED_DATA)
}
