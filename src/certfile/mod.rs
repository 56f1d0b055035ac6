//! Reads a certificate file an admin is about to install on a server — PEM, PKCS#12/PFX or one
//! DER certificate — into the leaf's chain in issuer order and whether the private key in the
//! file belongs to the leaf.
//!
//! The format is decided by content, never by file extension: a PFX is a DER `PFX` structure
//! (RFC 7292 §4), PEM is text with `-----BEGIN` lines (RFC 7468). Everything in the file is
//! untrusted: the size is bounded before anything is parsed, so are the number of certificates,
//! keys and password-encrypted parts, and no input makes this module panic.
//!
//! PKCS#12 decryption (PBES1 3DES and RC2-40, PBES2 PBKDF2 + AES) and the MAC check are
//! p12-keystore's; PEM, the outer PFX structure and the private keys are read here with a small
//! DER reader, so a truncated file, a wrong password and an unsupported cipher come out as
//! different errors. Encrypted PKCS#8 PEM keys (`ENCRYPTED PRIVATE KEY`) are decrypted with the
//! password, through the same p12-keystore code; the pre-PKCS#8 OpenSSL encryption
//! (`Proc-Type: 4,ENCRYPTED`) is refused as unsupported.

use std::fmt;
use std::io::Read;
use std::path::Path;

use p12_keystore::error::Error as P12Error;
use p12_keystore::Pkcs12Archive;
use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};

mod chain;
mod pem;
mod pkcs12;

use chain::*;
use pem::*;
use pkcs12::*;

/// Largest file read. A server certificate with its chain and key is a few KiB; 1 MiB leaves
/// room for long chains and keeps a wrong file (an archive, a log) from being parsed at all.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Most certificates in one file; more is a CA bundle, not what a server presents.
pub const MAX_CERTIFICATES: usize = 100;
/// Most private keys in one file.
pub const MAX_PRIVATE_KEYS: usize = 8;
/// Most password-protected parts of a PFX (each costs a key derivation of up to a million
/// iterations); OpenSSL and Windows write two.
pub const MAX_ENCRYPTED_PARTS: usize = 16;

/// How the file was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// PEM text: any number of `CERTIFICATE` blocks and private keys.
    Pem,
    /// PKCS#12 / PFX, as Windows, Exchange, Java and `openssl pkcs12 -export` write it.
    Pkcs12,
    /// A single DER certificate (Windows' "DER encoded binary X.509 (.CER)").
    Der,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Pem => "PEM",
            Format::Pkcs12 => "PKCS#12/PFX",
            Format::Der => "DER",
        }
    }
}

/// The private key of the file against the leaf certificate's public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyMatch {
    /// The public key derived from the private key is the leaf's.
    Matches,
    /// The private key belongs to another certificate: the server would fail to start or fail
    /// every handshake.
    DoesNotMatch,
    /// The file holds no private key.
    Absent,
    /// A private key of a type this reader cannot derive a public key from (DSA, Ed448, a curve
    /// other than P-256/P-384 without its public point, …), named by `algorithm`.
    Unverifiable { algorithm: String },
}

/// What is in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFile {
    pub format: Format,
    /// The leaf first, then each issuer in turn as far as the file goes (a self-signed root,
    /// when present, last), re-ordered when the file was not in that order.
    pub chain: Vec<CertificateDer<'static>>,
    /// The file began with exactly `chain`, in that order: the leaf, then each certificate
    /// followed by its issuer. Unrelated certificates after the chain do not make it false.
    pub in_order: bool,
    /// Distinct certificates in the file that are not on the leaf's chain (not in `chain`).
    pub unrelated: usize,
    /// Certificates that appear in the file more than once, counted beyond the first.
    pub duplicates: usize,
    /// Private keys in the file; `key` judges the one that matches the leaf, or else the first.
    pub private_keys: usize,
    pub key: KeyMatch,
}

/// Which limit a file exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limited {
    Certificates,
    PrivateKeys,
    EncryptedParts,
}

/// Why a file could not be read. [`CertFileError::kind`] is stable, for scripts and reports;
/// `Display` is one sentence for the admin, saying what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertFileError {
    /// The file could not be opened or read (only [`read_path`]).
    Unreadable { reason: String },
    /// The file is larger than [`MAX_FILE_BYTES`]; nothing was parsed.
    TooLarge { size: u64, limit: u64 },
    /// More certificates, keys or encrypted parts than the limits above.
    TooMany {
        what: Limited,
        count: usize,
        limit: usize,
    },
    /// Empty, or readable but without any certificate (`private_key`: it holds a key only).
    NoCertificate { private_key: bool },
    /// Neither PEM, nor PKCS#12, nor a DER certificate.
    NotACertificate,
    /// The file ends before its own structure does: cut off in a copy or a download.
    Truncated { format: Format },
    /// The structure is recognised but broken inside (a bad base64 line, a certificate that
    /// does not parse, inconsistent lengths); `what` says where.
    Malformed { format: Format, what: String },
    /// The file is password-protected and no password was given (`Some("")` is a password).
    PasswordNeeded { format: Format },
    /// The password does not open the file: the PFX integrity check (MAC) or the key
    /// decryption failed.
    WrongPassword { format: Format },
    /// A valid file this reader does not handle; `what` names it and how to convert it.
    Unsupported { what: String },
}

impl CertFileError {
    /// A stable name per variant.
    pub fn kind(&self) -> &'static str {
        match self {
            CertFileError::Unreadable { .. } => "unreadable",
            CertFileError::TooLarge { .. } => "too-large",
            CertFileError::TooMany { .. } => "too-many",
            CertFileError::NoCertificate { .. } => "no-certificate",
            CertFileError::NotACertificate => "not-a-certificate",
            CertFileError::Truncated { .. } => "truncated",
            CertFileError::Malformed { .. } => "malformed",
            CertFileError::PasswordNeeded { .. } => "password-needed",
            CertFileError::WrongPassword { .. } => "wrong-password",
            CertFileError::Unsupported { .. } => "unsupported",
        }
    }
}

impl fmt::Display for CertFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertFileError::Unreadable { reason } => write!(
                f,
                "the file cannot be read ({reason}); check the path and its permissions"
            ),
            CertFileError::TooLarge { size, limit } => write!(
                f,
                "the file is {size} bytes, more than the {limit} a certificate file needs; give the certificate file itself, not an archive or a bundle"
            ),
            CertFileError::TooMany { what, count, limit } => {
                let what = match what {
                    Limited::Certificates => "certificates (a CA bundle?)",
                    Limited::PrivateKeys => "private keys",
                    Limited::EncryptedParts => "password-protected parts",
                };
                write!(
                    f,
                    "the file holds {count} {what}, more than the {limit} a server certificate file has; give the file with just the server certificate, its chain and its key"
                )
            }
            CertFileError::NoCertificate { private_key: true } => write!(
                f,
                "the file holds a private key but no certificate; give the file with the server certificate (or one with both)"
            ),
            CertFileError::NoCertificate { private_key: false } => write!(
                f,
                "the file holds no certificate; give the file with the server certificate (PEM or PFX)"
            ),
            CertFileError::NotACertificate => write!(
                f,
                "the file is not a certificate file (neither PEM, PKCS#12/PFX nor DER); export the certificate as PEM or PFX and give that file"
            ),
            CertFileError::Truncated { format } => write!(
                f,
                "the {} file ends early, as if cut off in a copy or a download; copy or export it again",
                format.name()
            ),
            CertFileError::Malformed { format, what } => write!(
                f,
                "the {} file is damaged ({what}); export it again",
                format.name()
            ),
            CertFileError::PasswordNeeded { format } => write!(
                f,
                "the {} file is protected by a password; give the password it was exported with (an empty one counts)",
                format.name()
            ),
            CertFileError::WrongPassword { format } => write!(
                f,
                "the password does not open this {} file; check it and try again (an empty password is not the same as none)",
                format.name()
            ),
            CertFileError::Unsupported { what } => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for CertFileError {}

/// Reads the file at `path` (at most [`MAX_FILE_BYTES`] of it) and then [`read`]s it.
pub fn read_path(path: &Path, password: Option<&str>) -> Result<CertFile, CertFileError> {
    let unreadable = |e: std::io::Error| CertFileError::Unreadable {
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let declared = file.metadata().map(|m| m.len()).unwrap_or(0);
    if declared > MAX_FILE_BYTES {
        return Err(CertFileError::TooLarge {
            size: declared,
            limit: MAX_FILE_BYTES,
        });
    }
    let mut bytes = Vec::new();
    // One byte past the limit tells a too-large stream (a pipe has no length) from a full one.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    read(&bytes, password)
}

/// Reads a certificate file's bytes. `password` opens a PFX or an encrypted PEM key; `None`
/// when the admin gave none, and then a file that needs one answers
/// [`CertFileError::PasswordNeeded`].
pub fn read(bytes: &[u8], password: Option<&str>) -> Result<CertFile, CertFileError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CertFileError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CertFileError::NoCertificate { private_key: false });
    }
    match pfx_header(bytes) {
        Header::Pfx => return read_pkcs12(bytes, password),
        Header::Partial => {
            return Err(CertFileError::Truncated {
                format: Format::Pkcs12,
            })
        }
        Header::PfxSigned => {
            return Err(CertFileError::Unsupported {
                what: "this PKCS#12 file is protected by a public-key signature rather than a password, which this reader does not handle; export it again with a password".into(),
            })
        }
        Header::Ber => {
            return Err(CertFileError::Unsupported {
                what: "this PKCS#12 file is BER-encoded (indefinite lengths), which this reader does not handle; re-encode it with `openssl pkcs12 -in FILE -nodes -out FILE.pem` and give the PEM (or export it again from Windows or OpenSSL)".into(),
            })
        }
        Header::No => {}
    }
    if contains(bytes, b"-----BEGIN") {
        return read_pem(bytes, password);
    }
    if b"-----BEGIN".starts_with(bytes.trim_ascii_start()) {
        return Err(CertFileError::Truncated {
            format: Format::Pem,
        });
    }
    if is_pkcs7(bytes) {
        return Err(pkcs7_unsupported());
    }
    if let Ok((rest, _)) = X509Certificate::from_der(bytes) {
        if rest.is_empty() {
            let chain = vec![CertificateDer::from(bytes.to_vec())];
            return Ok(CertFile {
                format: Format::Der,
                chain,
                in_order: true,
                unrelated: 0,
                duplicates: 0,
                private_keys: 0,
                key: KeyMatch::Absent,
            });
        }
    }
    Err(CertFileError::NotACertificate)
}

/// Whether `bytes` begin like a PKCS#12 PFX (a DER SEQUENCE holding version 3 and a PKCS#7
/// ContentInfo), whatever the file is called.
pub fn looks_like_pkcs12(bytes: &[u8]) -> bool {
    matches!(
        pfx_header(bytes),
        Header::Pfx | Header::PfxSigned | Header::Ber
    )
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn pkcs7_unsupported() -> CertFileError {
    CertFileError::Unsupported {
        what: "this is a PKCS#7 (.p7b) bundle, which this reader does not handle; convert it with `openssl pkcs7 -print_certs -in FILE -out FILE.pem` and give the PEM".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// DER: the few TLVs this module reads and writes itself.

/// OIDs as their DER content bytes.
mod oid {
    /// pkcs7-data, 1.2.840.113549.1.7.1
    pub const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    /// pkcs7-signedData, 1.2.840.113549.1.7.2
    pub const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    /// pkcs7-encryptedData, 1.2.840.113549.1.7.6
    pub const ENCRYPTED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
    /// pkcs8ShroudedKeyBag, 1.2.840.113549.1.12.10.1.2
    pub const SHROUDED_KEY_BAG: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
    ];
    /// rsaEncryption, 1.2.840.113549.1.1.1
    pub const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// id-RSASSA-PSS, 1.2.840.113549.1.1.10 (its keys are RSA keys)
    pub const RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// id-ecPublicKey, 1.2.840.10045.2.1
    pub const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// prime256v1 / P-256, 1.2.840.10045.3.1.7
    pub const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// secp384r1 / P-384, 1.3.132.0.34
    pub const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// secp521r1 / P-521, 1.3.132.0.35
    pub const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// id-Ed25519, 1.3.101.112
    pub const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
}

mod der {
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const SEQUENCE: u8 = 0x30;
    /// [0] and [1], constructed (EXPLICIT tagging, or IMPLICIT of a constructed type).
    pub const CTX0: u8 = 0xa0;
    pub const CTX1: u8 = 0xa1;

    #[derive(Debug, PartialEq, Eq)]
    pub enum Error {
        /// The input ends inside the TLV.
        Incomplete,
        /// Not DER this module reads (high tag numbers, indefinite or over-long lengths).
        Invalid,
    }

    /// The tag and content length of the TLV at the start of `input`, and the header length.
    pub fn header(input: &[u8]) -> Result<(u8, usize, usize), Error> {
        let tag = *input.first().ok_or(Error::Incomplete)?;
        if tag & 0x1f == 0x1f {
            return Err(Error::Invalid);
        }
        let first = *input.get(1).ok_or(Error::Incomplete)?;
        if first < 0x80 {
            return Ok((tag, 2, first as usize));
        }
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return Err(Error::Invalid);
        }
        let mut len = 0usize;
        for i in 0..n {
            let b = *input.get(2 + i).ok_or(Error::Incomplete)?;
            len = (len << 8) | b as usize;
        }
        Ok((tag, 2 + n, len))
    }

    /// The TLV at the start of `input`: (tag, content, the input after it).
    pub fn read(input: &[u8]) -> Result<(u8, &[u8], &[u8]), Error> {
        let (tag, hdr, len) = header(input)?;
        let end = hdr.checked_add(len).ok_or(Error::Invalid)?;
        let content = input.get(hdr..end).ok_or(Error::Incomplete)?;
        Ok((tag, content, &input[end..]))
    }

    /// The TLV at the start of `input`, which must have tag `tag`: (content, rest).
    pub fn expect(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), Error> {
        match read(input)? {
            (t, content, rest) if t == tag => Ok((content, rest)),
            _ => Err(Error::Invalid),
        }
    }

    /// An optional TLV with tag `tag` at the start of `input`.
    pub fn optional(input: &[u8], tag: u8) -> Result<(Option<&[u8]>, &[u8]), Error> {
        if input.first() == Some(&tag) {
            expect(input, tag).map(|(c, r)| (Some(c), r))
        } else {
            Ok((None, input))
        }
    }

    /// One TLV, DER-encoded.
    pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let len = content.len();
        let mut out = vec![tag];
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    /// An INTEGER's magnitude without the leading zero bytes DER adds for the sign.
    pub fn unsigned(int: &[u8]) -> &[u8] {
        let start = int.iter().position(|&b| b != 0).unwrap_or(int.len());
        &int[start..]
    }
}

#[cfg(test)]
mod certfile_tests;
