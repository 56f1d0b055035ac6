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

// ---------------------------------------------------------------------------------------------
// PKCS#12

enum Header {
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
fn pfx_header(bytes: &[u8]) -> Header {
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
struct PfxShape {
    has_mac: bool,
    /// Encrypted SafeContents plus shrouded key bags visible without the password.
    encrypted_parts: usize,
}

fn pfx_shape(bytes: &[u8]) -> Result<PfxShape, CertFileError> {
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
fn check_pbe(alg: &[u8], format: Format, part: &str) -> Result<(), CertFileError> {
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

fn malformed_pfx(what: &str) -> CertFileError {
    CertFileError::Malformed {
        format: Format::Pkcs12,
        what: what.into(),
    }
}

fn read_pkcs12(bytes: &[u8], password: Option<&str>) -> Result<CertFile, CertFileError> {
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
fn pkcs12_error(e: P12Error, format: Format, has_mac: bool, encrypted: usize) -> CertFileError {
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
fn decrypt_pkcs8(encrypted: &[u8], password: &str) -> Result<Vec<u8>, CertFileError> {
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

// ---------------------------------------------------------------------------------------------
// PEM

struct PemBlock {
    label: String,
    der: Vec<u8>,
    /// 1-based line of the BEGIN line, for messages.
    line: usize,
    /// A `Proc-Type: 4,ENCRYPTED` header: OpenSSL's pre-PKCS#8 key encryption.
    legacy_encrypted: bool,
}

fn pem_malformed(what: String) -> CertFileError {
    CertFileError::Malformed {
        format: Format::Pem,
        what,
    }
}

/// The PEM blocks of `text`, RFC 7468 with what OpenSSL adds: text outside blocks (the "Bag
/// Attributes" of `openssl pkcs12 -nodes`, comments) is ignored, header lines are read only to
/// recognise legacy encryption.
fn pem_blocks(text: &[u8]) -> Result<Vec<PemBlock>, CertFileError> {
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
fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
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

fn read_pem(text: &[u8], password: Option<&str>) -> Result<CertFile, CertFileError> {
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
fn is_pkcs7(bytes: &[u8]) -> bool {
    let Ok((_, content, _)) = der::read(bytes) else {
        return false;
    };
    matches!(der::expect(content, der::OID), Ok((o, _)) if o == oid::SIGNED_DATA)
}

// ---------------------------------------------------------------------------------------------
// Chain and key

enum PrivateKey {
    /// PrivateKeyInfo, RFC 5958 (PEM `PRIVATE KEY`, and every PFX key).
    Pkcs8(Vec<u8>),
    /// RSAPrivateKey, RFC 8017 A.1.2 (PEM `RSA PRIVATE KEY`).
    Pkcs1(Vec<u8>),
    /// ECPrivateKey, RFC 5915 (PEM `EC PRIVATE KEY`).
    Sec1(Vec<u8>),
    /// Another PEM private key (`DSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, …), by label.
    Other(String),
}

fn assemble(
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
enum Sig {
    Good,
    Bad,
    /// An algorithm or key size ring does not verify: the names alone decide.
    Unknown,
}

/// Whether `issuer`'s key made `child`'s signature, by ring.
fn signed_by(child: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> Sig {
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
fn chain_order(
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
enum PublicOf {
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

fn key_malformed(format: Format, what: &str) -> CertFileError {
    CertFileError::Malformed {
        format,
        what: format!("the private key does not parse ({what})"),
    }
}

fn public_of(key: &PrivateKey, format: Format) -> Result<PublicOf, CertFileError> {
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
fn rsa_public(der: &[u8], format: Format) -> Result<PublicOf, CertFileError> {
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
fn ec_public(der: &[u8], curve: Option<&[u8]>, format: Format) -> Result<PublicOf, CertFileError> {
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
fn pkcs8_public(der: &[u8], format: Format) -> Result<PublicOf, CertFileError> {
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

fn oid_dotted(content: &[u8]) -> String {
    x509_parser::der_parser::oid::Oid::new(content.into()).to_id_string()
}

fn curve_name(curve: &[u8]) -> String {
    match curve {
        oid::P256 => "P-256".into(),
        oid::P384 => "P-384".into(),
        oid::P521 => "P-521".into(),
        other => oid_dotted(other),
    }
}

/// RSAPublicKey ::= SEQUENCE { modulus, publicExponent }, the SPKI key of rsaEncryption and
/// RSASSA-PSS alike; magnitudes.
fn rsa_spki(cert: &X509Certificate<'_>) -> Option<(Vec<u8>, Vec<u8>)> {
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
fn judge(
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
fn ec_judge(
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
fn same_point(a: &[u8], b: &[u8]) -> bool {
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

#[cfg(test)]
#[path = "certfile_tests.rs"]
mod tests;
