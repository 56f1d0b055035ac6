//! The cipher-suite registry: what every suite this crate can offer or name is made of.
//!
//! A scanner sorts suites by their parts — key exchange, authentication, bulk cipher, MAC, the
//! versions that can negotiate them — and must not guess those parts from a name. One static
//! table ([`all`]) holds a [`SuiteInfo`] per suite, sorted by code point; [`info`] finds one.
//! Suites not in the table stay representable as bare [`CipherSuite`] values, so a server's
//! unexpected choice is still shown, just without properties.
//!
//! The module also holds the suite lists that hellos offer: the weak classes ([`WeakClass`])
//! and the per-version probe lists ([`SSL3_SUITES`] … [`TLS13_SUITES`]). Their order is the
//! order offered on the wire.
//!
//! Names follow the IANA "TLS Cipher Suites" registry; OpenSSL names are the spellings of
//! OpenSSL's `ciphers` command.

use crate::wire::enums::{CipherSuite, ProtocolVersion};
use crate::wire::kx::KxKind;

/// How the premaster secret is agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchange {
    /// The client encrypts the premaster secret to the server's RSA key (RFC 5246 §7.4.7.1):
    /// no forward secrecy.
    Rsa,
    /// Ephemeral finite-field Diffie-Hellman, signed by the server (RFC 5246 §7.4.3).
    Dhe,
    /// Ephemeral elliptic-curve Diffie-Hellman, signed by the server (RFC 8422 §2).
    Ecdhe,
    /// Anonymous finite-field Diffie-Hellman: unsigned parameters (RFC 5246 §7.4.3, `DH_anon`).
    DhAnon,
    /// Anonymous elliptic-curve Diffie-Hellman (RFC 8422 §2, `ECDH_anon`).
    EcdhAnon,
    /// TLS 1.3: the suite does not fix the key exchange; extensions choose (EC)DHE or PSK
    /// (RFC 8446 §4.1.1).
    Tls13,
    /// Not a cipher suite but a signalling value (RFC 5746 §3.3, RFC 7507 §2): nothing is
    /// negotiated.
    Scsv,
}

/// How the server proves who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Authentication {
    /// An RSA certificate (a signature, or with RSA key exchange a decryption).
    Rsa,
    /// A DSA certificate (`DHE_DSS`, RFC 5246 §7.4.2).
    Dss,
    /// An ECDSA certificate (RFC 8422 §2).
    Ecdsa,
    /// None at all (`anon` suites, aNULL): open to a man in the middle.
    Anonymous,
    /// TLS 1.3: any certificate type, chosen by signature_algorithms (RFC 8446 §4.2.3).
    Tls13Any,
    /// A signalling value: nothing is authenticated.
    Scsv,
}

/// The record-protection cipher, named with its key size.
#[allow(non_camel_case_types)] // Rc4_40 reads better than Rc440.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BulkCipher {
    /// No encryption (`NULL`, RFC 5246 Appendix C).
    Null,
    /// RC4 with a 40-bit export key (RFC 2246 Appendix A.5).
    Rc4_40,
    /// RC4 with a 56-bit key (the EXPORT1024 drafts).
    Rc4_56,
    /// RC4 with a 128-bit key; prohibited by RFC 7465.
    Rc4_128,
    /// RC2 in CBC mode with a 40-bit export key.
    Rc2_40,
    /// DES in CBC mode cut to a 40-bit export key.
    Des40,
    /// Single DES in CBC mode, 56-bit key (RFC 5469).
    Des,
    /// Triple DES (EDE, CBC): 64-bit blocks, so Sweet32 applies.
    TripleDes,
    /// IDEA in CBC mode: 128-bit key, 64-bit blocks (RFC 5469).
    Idea,
    /// SEED in CBC mode (RFC 4162).
    Seed,
    /// AES-128 in CBC mode (RFC 5246).
    Aes128Cbc,
    /// AES-256 in CBC mode (RFC 5246).
    Aes256Cbc,
    /// AES-128-GCM (RFC 5288, RFC 8446).
    Aes128Gcm,
    /// AES-256-GCM (RFC 5288, RFC 8446).
    Aes256Gcm,
    /// AES-128-CCM with a 16-byte tag (RFC 8446 §B.4).
    Aes128Ccm,
    /// AES-128-CCM with an 8-byte tag (RFC 8446 §B.4).
    Aes128Ccm8,
    /// Camellia-128 in CBC mode (RFC 5932).
    Camellia128Cbc,
    /// Camellia-256 in CBC mode (RFC 5932).
    Camellia256Cbc,
    /// ARIA-256-GCM (RFC 6209).
    Aria256Gcm,
    /// ChaCha20-Poly1305 (RFC 7905, RFC 8446).
    ChaCha20Poly1305,
    /// A signalling value: nothing is encrypted because nothing is negotiated.
    Scsv,
}

impl BulkCipher {
    /// Is this an AEAD cipher (GCM, CCM, ChaCha20-Poly1305)?
    pub const fn is_aead(self) -> bool {
        use BulkCipher as B;
        matches!(
            self,
            B::Aes128Gcm
                | B::Aes256Gcm
                | B::Aes128Ccm
                | B::Aes128Ccm8
                | B::Aria256Gcm
                | B::ChaCha20Poly1305
        )
    }

    /// Symmetric key bits as the cipher score counts them: NULL 0; every cipher under 112 bits
    /// 56, the 40-bit export ciphers included (the score gives every size from 1 to 127 bits
    /// the same points, so they share single DES's figure); 3DES 112, its effective strength;
    /// RC4-128, IDEA, SEED and the 128-bit AES and Camellia ciphers 128; the 256-bit ones and
    /// ChaCha20 256. `None` for a signalling value.
    pub const fn key_bits(self) -> Option<u32> {
        use BulkCipher as B;
        Some(match self {
            B::Null => 0,
            B::Rc4_40 | B::Rc4_56 | B::Rc2_40 | B::Des40 | B::Des => 56,
            B::TripleDes => 112,
            B::Rc4_128
            | B::Idea
            | B::Seed
            | B::Aes128Cbc
            | B::Aes128Gcm
            | B::Aes128Ccm
            | B::Aes128Ccm8
            | B::Camellia128Cbc => 128,
            B::Aes256Cbc
            | B::Aes256Gcm
            | B::Camellia256Cbc
            | B::Aria256Gcm
            | B::ChaCha20Poly1305 => 256,
            B::Scsv => return None,
        })
    }
}

/// How records are authenticated. AEAD suites name a hash too, but it is the PRF's
/// (RFC 5288 §3), not a MAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mac {
    /// HMAC-MD5.
    Md5,
    /// HMAC-SHA1 (the `_SHA` suffix).
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA384.
    Sha384,
    /// The AEAD cipher authenticates the records itself.
    Aead,
    /// A signalling value.
    Scsv,
}

/// Everything the registry knows about one suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuiteInfo {
    /// The code point.
    pub suite: CipherSuite,
    /// The IANA name. 0x0062 and 0x0064 sit in a range IANA reserves for deployed drafts; they
    /// carry the drafts' names.
    pub iana: &'static str,
    /// OpenSSL's name, where OpenSSL has the suite.
    pub openssl: Option<&'static str>,
    /// Key exchange.
    pub kx: KeyExchange,
    /// Server authentication.
    pub auth: Authentication,
    /// Bulk cipher.
    pub bulk: BulkCipher,
    /// Record MAC.
    pub mac: Mac,
    /// Oldest version that can negotiate the suite; for a signalling value, the oldest whose
    /// ClientHello may carry it.
    pub min_version: ProtocolVersion,
    /// Newest version that can negotiate the suite (likewise for a signalling value).
    pub max_version: ProtocolVersion,
    /// An EXPORT suite: export-weakened key exchange or cipher.
    pub export: bool,
}

impl SuiteInfo {
    /// A signalling value rather than a cipher suite.
    pub fn is_scsv(&self) -> bool {
        self.kx == KeyExchange::Scsv
    }

    /// Ephemeral, authenticated key exchange: ECDHE, DHE, or any TLS 1.3 suite. Anonymous
    /// suites are ephemeral too but do not count: an active attacker needs no stolen key to
    /// read them, so they are judged as anonymous instead ([`is_anonymous`](Self::is_anonymous)).
    pub fn is_forward_secret(&self) -> bool {
        matches!(
            self.kx,
            KeyExchange::Dhe | KeyExchange::Ecdhe | KeyExchange::Tls13
        )
    }

    /// AEAD record protection (GCM, CCM, ChaCha20-Poly1305).
    pub fn is_aead(&self) -> bool {
        self.bulk.is_aead()
    }

    /// Symmetric key bits as the cipher score counts them (see [`BulkCipher::key_bits`]).
    pub fn key_bits(&self) -> Option<u32> {
        self.bulk.key_bits()
    }

    /// Could a server negotiate this suite at `version`? Always false for a signalling value.
    pub fn negotiable_in(&self, version: ProtocolVersion) -> bool {
        !self.is_scsv() && self.min_version <= version && version <= self.max_version
    }

    /// No server authentication (aNULL).
    pub fn is_anonymous(&self) -> bool {
        self.auth == Authentication::Anonymous
    }

    /// The parameters a ServerKeyExchange carries for this suite, which the message itself does
    /// not say (RFC 5246 §7.4.3, RFC 8422 §5.4): DH for (anonymous) DHE, EC for (anonymous)
    /// ECDHE. `None` for RSA key exchange (no ServerKeyExchange, or for an EXPORT suite a
    /// temporary RSA key, RFC 2246 §7.4.3, which [`KxKind`] does not cover), for TLS 1.3 and
    /// for a signalling value.
    pub fn server_key_exchange(&self) -> Option<KxKind> {
        match self.kx {
            KeyExchange::Dhe | KeyExchange::DhAnon => Some(KxKind::Dhe),
            KeyExchange::Ecdhe | KeyExchange::EcdhAnon => Some(KxKind::Ecdhe),
            KeyExchange::Rsa | KeyExchange::Tls13 | KeyExchange::Scsv => None,
        }
    }

    /// The weak class of the suite, from its parts. The classes are disjoint, so a suite that
    /// is weak in two ways goes to the first that applies: NULL (no encryption at all), then
    /// EXPORT and single DES (keys anyone can break), then anonymous (the cipher of an
    /// unauthenticated session is the lesser problem), then RC4, then 64-bit blocks.
    pub fn weak_class(&self) -> Option<WeakClass> {
        use BulkCipher as B;
        let short_key = matches!(
            self.bulk,
            B::Des | B::Des40 | B::Rc2_40 | B::Rc4_40 | B::Rc4_56
        );
        if self.is_scsv() {
            None
        } else if self.bulk == B::Null {
            Some(WeakClass::Null)
        } else if self.export || short_key {
            Some(WeakClass::Export)
        } else if self.is_anonymous() {
            Some(WeakClass::Anon)
        } else if self.bulk == B::Rc4_128 {
            Some(WeakClass::Rc4)
        } else if matches!(self.bulk, B::TripleDes | B::Idea) {
            Some(WeakClass::TripleDes)
        } else {
            None
        }
    }
}

/// The registry entry of `suite`, `None` for a code point the registry does not know.
pub fn info(suite: CipherSuite) -> Option<&'static SuiteInfo> {
    let i = TABLE.binary_search_by_key(&suite.0, |s| s.suite.0).ok()?;
    TABLE.get(i)
}

/// The entry whose IANA name is `name` or, for the `0x%04x` form that [`CipherSuite::name`]
/// prints for a value without a name there, the entry of that code point.
pub fn by_name(name: &str) -> Option<&'static SuiteInfo> {
    if let Some(s) = TABLE.iter().find(|s| s.iana == name) {
        return Some(s);
    }
    let hex = name.strip_prefix("0x").filter(|h| h.len() == 4)?;
    info(CipherSuite(u16::from_str_radix(hex, 16).ok()?))
}

/// The entry whose OpenSSL name is `name`.
pub fn by_openssl_name(name: &str) -> Option<&'static SuiteInfo> {
    TABLE.iter().find(|s| s.openssl == Some(name))
}

/// Every entry, sorted by code point.
pub fn all() -> &'static [SuiteInfo] {
    TABLE
}

/// The weak class of `suite` ([`SuiteInfo::weak_class`]); `None` for a suite that is in no
/// class or that the registry does not know.
pub fn class_of(suite: CipherSuite) -> Option<WeakClass> {
    info(suite)?.weak_class()
}

impl CipherSuite {
    /// This suite's registry entry (see [`info`]).
    pub fn info(self) -> Option<&'static SuiteInfo> {
        info(self)
    }
}

/// The versions a suite can be negotiated in, from its parts:
///
/// - SHA-256/384 MACs and AEAD ciphers need TLS 1.2 (RFC 5246 §1.2);
/// - the ECC suites need TLS 1.0: they are negotiated with the supported_groups and
///   ec_point_formats extensions (RFC 8422 §5.1), and SSL 3.0 has no extensions (RFC 6101);
/// - EXPORT suites end at TLS 1.0 (RFC 4346 §A.5 forbids them in TLS 1.1);
/// - everything else runs from SSL 3.0 to TLS 1.2. That includes single DES and IDEA in
///   TLS 1.2, which RFC 5246 §1.2 removed: stacks such as OpenSSL still negotiate them there,
///   and that is what a scan has to find.
const fn version_range(
    kx: KeyExchange,
    bulk: BulkCipher,
    mac: Mac,
    export: bool,
) -> (ProtocolVersion, ProtocolVersion) {
    let max = if export {
        ProtocolVersion::TLSv1_0
    } else {
        ProtocolVersion::TLSv1_2
    };
    let min = if bulk.is_aead() || matches!(mac, Mac::Sha256 | Mac::Sha384) {
        ProtocolVersion::TLSv1_2
    } else if matches!(kx, KeyExchange::Ecdhe | KeyExchange::EcdhAnon) {
        ProtocolVersion::TLSv1_0
    } else {
        ProtocolVersion::SSLv3
    };
    (min, max)
}

/// A TLS ≤ 1.2 suite; `export` as in [`SuiteInfo::export`].
#[allow(clippy::too_many_arguments)] // one argument per column of the table
const fn entry(
    code: u16,
    iana: &'static str,
    openssl: Option<&'static str>,
    kx: KeyExchange,
    auth: Authentication,
    bulk: BulkCipher,
    mac: Mac,
    export: bool,
) -> SuiteInfo {
    let (min_version, max_version) = version_range(kx, bulk, mac, export);
    SuiteInfo {
        suite: CipherSuite(code),
        iana,
        openssl,
        kx,
        auth,
        bulk,
        mac,
        min_version,
        max_version,
        export,
    }
}

const fn suite(
    code: u16,
    iana: &'static str,
    openssl: Option<&'static str>,
    kx: KeyExchange,
    auth: Authentication,
    bulk: BulkCipher,
    mac: Mac,
) -> SuiteInfo {
    entry(code, iana, openssl, kx, auth, bulk, mac, false)
}

const fn export(
    code: u16,
    iana: &'static str,
    openssl: Option<&'static str>,
    kx: KeyExchange,
    auth: Authentication,
    bulk: BulkCipher,
    mac: Mac,
) -> SuiteInfo {
    entry(code, iana, openssl, kx, auth, bulk, mac, true)
}

/// A TLS 1.3 suite: it fixes only the AEAD and the hash (RFC 8446 §B.4).
const fn tls13(
    code: u16,
    iana: &'static str,
    openssl: Option<&'static str>,
    bulk: BulkCipher,
) -> SuiteInfo {
    SuiteInfo {
        suite: CipherSuite(code),
        iana,
        openssl,
        kx: KeyExchange::Tls13,
        auth: Authentication::Tls13Any,
        bulk,
        mac: Mac::Aead,
        min_version: ProtocolVersion::TLSv1_3,
        max_version: ProtocolVersion::TLSv1_3,
        export: false,
    }
}

/// A signalling value, carried by SSL 3.0 – TLS 1.2 ClientHellos (RFC 5746 §3.3,
/// RFC 7507 §4).
const fn scsv(code: u16, iana: &'static str) -> SuiteInfo {
    SuiteInfo {
        suite: CipherSuite(code),
        iana,
        openssl: None,
        kx: KeyExchange::Scsv,
        auth: Authentication::Scsv,
        bulk: BulkCipher::Scsv,
        mac: Mac::Scsv,
        min_version: ProtocolVersion::SSLv3,
        max_version: ProtocolVersion::TLSv1_2,
        export: false,
    }
}

/// The registry, sorted by code point (a test checks the order, which [`info`]'s binary search
/// needs). Columns: code point, IANA name, OpenSSL name, key exchange, authentication, bulk
/// cipher, MAC; the version range follows from them ([`version_range`]).
#[rustfmt::skip]
static TABLE: &[SuiteInfo] = {
    use Authentication as A;
    use BulkCipher as B;
    use KeyExchange as K;
    use Mac as M;
    &[
        suite(0x0001, "TLS_RSA_WITH_NULL_MD5", Some("NULL-MD5"), K::Rsa, A::Rsa, B::Null, M::Md5),
        suite(0x0002, "TLS_RSA_WITH_NULL_SHA", Some("NULL-SHA"), K::Rsa, A::Rsa, B::Null, M::Sha1),
        export(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", Some("EXP-RC4-MD5"), K::Rsa, A::Rsa, B::Rc4_40, M::Md5),
        suite(0x0004, "TLS_RSA_WITH_RC4_128_MD5", Some("RC4-MD5"), K::Rsa, A::Rsa, B::Rc4_128, M::Md5),
        suite(0x0005, "TLS_RSA_WITH_RC4_128_SHA", Some("RC4-SHA"), K::Rsa, A::Rsa, B::Rc4_128, M::Sha1),
        export(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", Some("EXP-RC2-CBC-MD5"), K::Rsa, A::Rsa, B::Rc2_40, M::Md5),
        suite(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", Some("IDEA-CBC-SHA"), K::Rsa, A::Rsa, B::Idea, M::Sha1),
        export(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-DES-CBC-SHA"), K::Rsa, A::Rsa, B::Des40, M::Sha1),
        suite(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", Some("DES-CBC-SHA"), K::Rsa, A::Rsa, B::Des, M::Sha1),
        suite(0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", Some("DES-CBC3-SHA"), K::Rsa, A::Rsa, B::TripleDes, M::Sha1),
        export(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-DHE-DSS-DES-CBC-SHA"), K::Dhe, A::Dss, B::Des40, M::Sha1),
        suite(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", Some("DHE-DSS-DES-CBC-SHA"), K::Dhe, A::Dss, B::Des, M::Sha1),
        suite(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", Some("DHE-DSS-DES-CBC3-SHA"), K::Dhe, A::Dss, B::TripleDes, M::Sha1),
        export(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", Some("EXP-DHE-RSA-DES-CBC-SHA"), K::Dhe, A::Rsa, B::Des40, M::Sha1),
        suite(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", Some("DHE-RSA-DES-CBC-SHA"), K::Dhe, A::Rsa, B::Des, M::Sha1),
        suite(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", Some("DHE-RSA-DES-CBC3-SHA"), K::Dhe, A::Rsa, B::TripleDes, M::Sha1),
        suite(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", Some("ADH-RC4-MD5"), K::DhAnon, A::Anonymous, B::Rc4_128, M::Md5),
        suite(0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", Some("ADH-DES-CBC3-SHA"), K::DhAnon, A::Anonymous, B::TripleDes, M::Sha1),
        suite(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", Some("AES128-SHA"), K::Rsa, A::Rsa, B::Aes128Cbc, M::Sha1),
        suite(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", Some("DHE-DSS-AES128-SHA"), K::Dhe, A::Dss, B::Aes128Cbc, M::Sha1),
        suite(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", Some("DHE-RSA-AES128-SHA"), K::Dhe, A::Rsa, B::Aes128Cbc, M::Sha1),
        suite(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", Some("ADH-AES128-SHA"), K::DhAnon, A::Anonymous, B::Aes128Cbc, M::Sha1),
        suite(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", Some("AES256-SHA"), K::Rsa, A::Rsa, B::Aes256Cbc, M::Sha1),
        suite(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", Some("DHE-DSS-AES256-SHA"), K::Dhe, A::Dss, B::Aes256Cbc, M::Sha1),
        suite(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", Some("DHE-RSA-AES256-SHA"), K::Dhe, A::Rsa, B::Aes256Cbc, M::Sha1),
        suite(0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA", Some("ADH-AES256-SHA"), K::DhAnon, A::Anonymous, B::Aes256Cbc, M::Sha1),
        suite(0x003b, "TLS_RSA_WITH_NULL_SHA256", Some("NULL-SHA256"), K::Rsa, A::Rsa, B::Null, M::Sha256),
        suite(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", Some("AES128-SHA256"), K::Rsa, A::Rsa, B::Aes128Cbc, M::Sha256),
        suite(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", Some("AES256-SHA256"), K::Rsa, A::Rsa, B::Aes256Cbc, M::Sha256),
        suite(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", Some("CAMELLIA128-SHA"), K::Rsa, A::Rsa, B::Camellia128Cbc, M::Sha1),
        suite(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", Some("DHE-DSS-CAMELLIA128-SHA"), K::Dhe, A::Dss, B::Camellia128Cbc, M::Sha1),
        suite(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", Some("DHE-RSA-CAMELLIA128-SHA"), K::Dhe, A::Rsa, B::Camellia128Cbc, M::Sha1),
        export(0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", Some("EXP1024-DES-CBC-SHA"), K::Rsa, A::Rsa, B::Des, M::Sha1),
        export(0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", Some("EXP1024-RC4-SHA"), K::Rsa, A::Rsa, B::Rc4_56, M::Sha1),
        suite(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", Some("DHE-RSA-AES128-SHA256"), K::Dhe, A::Rsa, B::Aes128Cbc, M::Sha256),
        suite(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", Some("DHE-RSA-AES256-SHA256"), K::Dhe, A::Rsa, B::Aes256Cbc, M::Sha256),
        suite(0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", Some("ADH-AES128-SHA256"), K::DhAnon, A::Anonymous, B::Aes128Cbc, M::Sha256),
        suite(0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", Some("ADH-AES256-SHA256"), K::DhAnon, A::Anonymous, B::Aes256Cbc, M::Sha256),
        suite(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", Some("CAMELLIA256-SHA"), K::Rsa, A::Rsa, B::Camellia256Cbc, M::Sha1),
        suite(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", Some("DHE-DSS-CAMELLIA256-SHA"), K::Dhe, A::Dss, B::Camellia256Cbc, M::Sha1),
        suite(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", Some("DHE-RSA-CAMELLIA256-SHA"), K::Dhe, A::Rsa, B::Camellia256Cbc, M::Sha1),
        suite(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", Some("SEED-SHA"), K::Rsa, A::Rsa, B::Seed, M::Sha1),
        suite(0x009a, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", Some("DHE-RSA-SEED-SHA"), K::Dhe, A::Rsa, B::Seed, M::Sha1),
        suite(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", Some("AES128-GCM-SHA256"), K::Rsa, A::Rsa, B::Aes128Gcm, M::Aead),
        suite(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", Some("AES256-GCM-SHA384"), K::Rsa, A::Rsa, B::Aes256Gcm, M::Aead),
        suite(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", Some("DHE-RSA-AES128-GCM-SHA256"), K::Dhe, A::Rsa, B::Aes128Gcm, M::Aead),
        suite(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", Some("DHE-RSA-AES256-GCM-SHA384"), K::Dhe, A::Rsa, B::Aes256Gcm, M::Aead),
        suite(0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", Some("ADH-AES128-GCM-SHA256"), K::DhAnon, A::Anonymous, B::Aes128Gcm, M::Aead),
        suite(0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", Some("ADH-AES256-GCM-SHA384"), K::DhAnon, A::Anonymous, B::Aes256Gcm, M::Aead),
        suite(0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", Some("CAMELLIA256-SHA256"), K::Rsa, A::Rsa, B::Camellia256Cbc, M::Sha256),
        suite(0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", Some("DHE-RSA-CAMELLIA256-SHA256"), K::Dhe, A::Rsa, B::Camellia256Cbc, M::Sha256),
        scsv(0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
        tls13(0x1301, "TLS_AES_128_GCM_SHA256", Some("TLS_AES_128_GCM_SHA256"), B::Aes128Gcm),
        tls13(0x1302, "TLS_AES_256_GCM_SHA384", Some("TLS_AES_256_GCM_SHA384"), B::Aes256Gcm),
        tls13(0x1303, "TLS_CHACHA20_POLY1305_SHA256", Some("TLS_CHACHA20_POLY1305_SHA256"), B::ChaCha20Poly1305),
        tls13(0x1304, "TLS_AES_128_CCM_SHA256", Some("TLS_AES_128_CCM_SHA256"), B::Aes128Ccm),
        tls13(0x1305, "TLS_AES_128_CCM_8_SHA256", Some("TLS_AES_128_CCM_8_SHA256"), B::Aes128Ccm8),
        scsv(0x5600, "TLS_FALLBACK_SCSV"),
        suite(0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", Some("ECDHE-ECDSA-NULL-SHA"), K::Ecdhe, A::Ecdsa, B::Null, M::Sha1),
        suite(0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", Some("ECDHE-ECDSA-RC4-SHA"), K::Ecdhe, A::Ecdsa, B::Rc4_128, M::Sha1),
        suite(0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", Some("ECDHE-ECDSA-DES-CBC3-SHA"), K::Ecdhe, A::Ecdsa, B::TripleDes, M::Sha1),
        suite(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", Some("ECDHE-ECDSA-AES128-SHA"), K::Ecdhe, A::Ecdsa, B::Aes128Cbc, M::Sha1),
        suite(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", Some("ECDHE-ECDSA-AES256-SHA"), K::Ecdhe, A::Ecdsa, B::Aes256Cbc, M::Sha1),
        suite(0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA", Some("ECDHE-RSA-NULL-SHA"), K::Ecdhe, A::Rsa, B::Null, M::Sha1),
        suite(0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", Some("ECDHE-RSA-RC4-SHA"), K::Ecdhe, A::Rsa, B::Rc4_128, M::Sha1),
        suite(0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", Some("ECDHE-RSA-DES-CBC3-SHA"), K::Ecdhe, A::Rsa, B::TripleDes, M::Sha1),
        suite(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", Some("ECDHE-RSA-AES128-SHA"), K::Ecdhe, A::Rsa, B::Aes128Cbc, M::Sha1),
        suite(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", Some("ECDHE-RSA-AES256-SHA"), K::Ecdhe, A::Rsa, B::Aes256Cbc, M::Sha1),
        suite(0xc015, "TLS_ECDH_anon_WITH_NULL_SHA", Some("AECDH-NULL-SHA"), K::EcdhAnon, A::Anonymous, B::Null, M::Sha1),
        suite(0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA", Some("AECDH-RC4-SHA"), K::EcdhAnon, A::Anonymous, B::Rc4_128, M::Sha1),
        suite(0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", Some("AECDH-DES-CBC3-SHA"), K::EcdhAnon, A::Anonymous, B::TripleDes, M::Sha1),
        suite(0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", Some("AECDH-AES128-SHA"), K::EcdhAnon, A::Anonymous, B::Aes128Cbc, M::Sha1),
        suite(0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", Some("AECDH-AES256-SHA"), K::EcdhAnon, A::Anonymous, B::Aes256Cbc, M::Sha1),
        suite(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", Some("ECDHE-ECDSA-AES128-SHA256"), K::Ecdhe, A::Ecdsa, B::Aes128Cbc, M::Sha256),
        suite(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", Some("ECDHE-ECDSA-AES256-SHA384"), K::Ecdhe, A::Ecdsa, B::Aes256Cbc, M::Sha384),
        suite(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Some("ECDHE-RSA-AES128-SHA256"), K::Ecdhe, A::Rsa, B::Aes128Cbc, M::Sha256),
        suite(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Some("ECDHE-RSA-AES256-SHA384"), K::Ecdhe, A::Rsa, B::Aes256Cbc, M::Sha384),
        suite(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Some("ECDHE-ECDSA-AES128-GCM-SHA256"), K::Ecdhe, A::Ecdsa, B::Aes128Gcm, M::Aead),
        suite(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", Some("ECDHE-ECDSA-AES256-GCM-SHA384"), K::Ecdhe, A::Ecdsa, B::Aes256Gcm, M::Aead),
        suite(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Some("ECDHE-RSA-AES128-GCM-SHA256"), K::Ecdhe, A::Rsa, B::Aes128Gcm, M::Aead),
        suite(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Some("ECDHE-RSA-AES256-GCM-SHA384"), K::Ecdhe, A::Rsa, B::Aes256Gcm, M::Aead),
        suite(0xc051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", Some("ARIA256-GCM-SHA384"), K::Rsa, A::Rsa, B::Aria256Gcm, M::Aead),
        suite(0xc053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", Some("DHE-RSA-ARIA256-GCM-SHA384"), K::Dhe, A::Rsa, B::Aria256Gcm, M::Aead),
        suite(0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", Some("ECDHE-ECDSA-ARIA256-GCM-SHA384"), K::Ecdhe, A::Ecdsa, B::Aria256Gcm, M::Aead),
        suite(0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", Some("ECDHE-ARIA256-GCM-SHA384"), K::Ecdhe, A::Rsa, B::Aria256Gcm, M::Aead),
        suite(0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", Some("ECDHE-ECDSA-CAMELLIA256-SHA384"), K::Ecdhe, A::Ecdsa, B::Camellia256Cbc, M::Sha384),
        suite(0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", Some("ECDHE-RSA-CAMELLIA256-SHA384"), K::Ecdhe, A::Rsa, B::Camellia256Cbc, M::Sha384),
        suite(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Some("ECDHE-RSA-CHACHA20-POLY1305"), K::Ecdhe, A::Rsa, B::ChaCha20Poly1305, M::Aead),
        suite(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", Some("ECDHE-ECDSA-CHACHA20-POLY1305"), K::Ecdhe, A::Ecdsa, B::ChaCha20Poly1305, M::Aead),
        suite(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Some("DHE-RSA-CHACHA20-POLY1305"), K::Dhe, A::Rsa, B::ChaCha20Poly1305, M::Aead),
    ]
};

/// A class of weak suites: the default scan probes for each, and the report gives each its own
/// verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WeakClass {
    /// RC4 (prohibited by RFC 7465).
    Rc4,
    /// 64-bit block ciphers (Sweet32): 3DES and IDEA.
    TripleDes,
    /// EXPORT suites and single DES: under 112 bits of key.
    Export,
    /// NULL encryption: no confidentiality at all.
    Null,
    /// Anonymous key exchange (aNULL): no server authentication.
    Anon,
}

impl WeakClass {
    /// Every class, in report order.
    pub const ALL: [WeakClass; 5] = [
        WeakClass::Rc4,
        WeakClass::TripleDes,
        WeakClass::Export,
        WeakClass::Null,
        WeakClass::Anon,
    ];

    /// The class's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            WeakClass::Rc4 => "rc4",
            WeakClass::TripleDes => "3des",
            WeakClass::Export => "export",
            WeakClass::Null => "null",
            WeakClass::Anon => "anon",
        }
    }

    /// The class named `name` in reports ([`as_str`](Self::as_str)).
    pub fn from_name(name: &str) -> Option<WeakClass> {
        WeakClass::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The class's suites in the order a hello offers them. Every member is in the registry
    /// and [`class_of`] puts it in this class.
    pub fn suites(self) -> &'static [CipherSuite] {
        match self {
            WeakClass::Rc4 => RC4,
            WeakClass::TripleDes => TRIPLE_DES,
            WeakClass::Export => EXPORT,
            WeakClass::Null => NULL,
            WeakClass::Anon => ANON,
        }
    }

    /// The suites of [`suites`](Self::suites) a hello for `version` may offer (those the
    /// version can negotiate), in the same order. Empty when the version can negotiate none,
    /// e.g. every class in TLS 1.3 and EXPORT after TLS 1.0.
    pub fn suites_for(self, version: ProtocolVersion) -> Vec<CipherSuite> {
        self.suites()
            .iter()
            .copied()
            .filter(|s| info(*s).is_some_and(|i| i.negotiable_in(version)))
            .collect()
    }
}

use CipherSuite as CS;

/// RC4: the ECDHE suites first, then static RSA.
const RC4: &[CipherSuite] = &[
    CS::TLS_ECDHE_RSA_WITH_RC4_128_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_RC4_128_SHA,
    CS::TLS_RSA_WITH_RC4_128_SHA,
    CS::TLS_RSA_WITH_RC4_128_MD5,
];

/// 3DES and IDEA.
const TRIPLE_DES: &[CipherSuite] = &[
    CS::TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_RSA_WITH_3DES_EDE_CBC_SHA,
    CS(0x0007), // TLS_RSA_WITH_IDEA_CBC_SHA
];

/// EXPORT suites, then single DES.
const EXPORT: &[CipherSuite] = &[
    CS::TLS_RSA_EXPORT_WITH_RC4_40_MD5,
    CS::TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5,
    CS::TLS_RSA_EXPORT_WITH_DES40_CBC_SHA,
    CS::TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA,
    CS::TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA,
    CS(0x0062), // TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA
    CS(0x0064), // TLS_RSA_EXPORT1024_WITH_RC4_56_SHA
    CS::TLS_RSA_WITH_DES_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_DES_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_DES_CBC_SHA,
];

/// NULL encryption, the anonymous NULL suite included.
const NULL: &[CipherSuite] = &[
    CS(0xc010), // TLS_ECDHE_RSA_WITH_NULL_SHA
    CS(0xc006), // TLS_ECDHE_ECDSA_WITH_NULL_SHA
    CS(0x003b), // TLS_RSA_WITH_NULL_SHA256
    CS(0x0002), // TLS_RSA_WITH_NULL_SHA
    CS(0x0001), // TLS_RSA_WITH_NULL_MD5
    CS(0xc015), // TLS_ECDH_anon_WITH_NULL_SHA
];

/// Anonymous suites with a real cipher, strongest first; RFC 7672 §8.2 tolerates them for
/// opportunistic SMTP, so a server that takes only these still encrypts.
const ANON: &[CipherSuite] = &[
    CS(0x00a7), // TLS_DH_anon_WITH_AES_256_GCM_SHA384
    CS(0x00a6), // TLS_DH_anon_WITH_AES_128_GCM_SHA256
    CS(0x006d), // TLS_DH_anon_WITH_AES_256_CBC_SHA256
    CS(0x006c), // TLS_DH_anon_WITH_AES_128_CBC_SHA256
    CS(0xc019), // TLS_ECDH_anon_WITH_AES_256_CBC_SHA
    CS(0xc018), // TLS_ECDH_anon_WITH_AES_128_CBC_SHA
    CS(0x003a), // TLS_DH_anon_WITH_AES_256_CBC_SHA
    CS(0x0034), // TLS_DH_anon_WITH_AES_128_CBC_SHA
    CS(0xc017), // TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA
    CS(0x001b), // TLS_DH_anon_WITH_3DES_EDE_CBC_SHA
    CS(0xc016), // TLS_ECDH_anon_WITH_RC4_128_SHA
    CS(0x0018), // TLS_DH_anon_WITH_RC4_128_MD5
];

// The per-version probe lists (see [`crate::wire::hello::Probe::default_cipher_suites`]).

/// SSLv3 probe: RSA/DHE CBC, 3DES, RC4, DES and EXPORT suites — everything
/// an SSL 3.0 server could pick — plus the renegotiation SCSV (RFC 5746
/// §3.3), the only way to signal it without extensions.
pub const SSL3_SUITES: &[CipherSuite] = &[
    CS::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_AES_256_CBC_SHA,
    CS::TLS_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_AES_128_CBC_SHA,
    CS::TLS_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_RSA_WITH_RC4_128_SHA,
    CS::TLS_RSA_WITH_RC4_128_MD5,
    CS::TLS_DHE_RSA_WITH_DES_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_DES_CBC_SHA,
    CS::TLS_RSA_WITH_DES_CBC_SHA,
    CS::TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA,
    CS::TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA,
    CS::TLS_RSA_EXPORT_WITH_DES40_CBC_SHA,
    CS::TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5,
    CS::TLS_RSA_EXPORT_WITH_RC4_40_MD5,
    CS::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
];

/// TLS 1.0 / 1.1 probe: no AEAD or SHA-2 suites (they need TLS 1.2,
/// RFC 5246 §1.2), so a server can only accept by speaking 1.0/1.1.
pub const TLS10_SUITES: &[CipherSuite] = &[
    CS::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_AES_256_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA,
    CS::TLS_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_RSA_WITH_CAMELLIA_256_CBC_SHA,
    CS::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_AES_128_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_SEED_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA,
    CS::TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA,
    CS::TLS_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_RSA_WITH_SEED_CBC_SHA,
    CS::TLS_RSA_WITH_CAMELLIA_128_CBC_SHA,
    CS::TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_ECDHE_RSA_WITH_RC4_128_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_RC4_128_SHA,
    CS::TLS_RSA_WITH_RC4_128_SHA,
    CS::TLS_RSA_WITH_RC4_128_MD5,
    CS::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
];

/// TLS 1.2 probe: forward-secret AEAD first, then CBC with SHA-2 and SHA-1,
/// static RSA, CAMELLIA/ARIA and 3DES as a last resort.
pub const TLS12_SUITES: &[CipherSuite] = &[
    CS::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CS::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CS::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CS::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    CS::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CS::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CS::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
    CS::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    CS::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
    CS::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
    CS::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
    CS::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
    CS::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    CS::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    CS::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_RSA_WITH_AES_256_GCM_SHA384,
    CS::TLS_RSA_WITH_AES_128_GCM_SHA256,
    CS::TLS_RSA_WITH_AES_256_CBC_SHA256,
    CS::TLS_RSA_WITH_AES_128_CBC_SHA256,
    CS::TLS_RSA_WITH_AES_256_CBC_SHA,
    CS::TLS_RSA_WITH_AES_128_CBC_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384,
    CS::TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384,
    CS::TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256,
    CS::TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA,
    CS::TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256,
    CS::TLS_RSA_WITH_CAMELLIA_256_CBC_SHA,
    CS::TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384,
    CS::TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384,
    CS::TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384,
    CS::TLS_RSA_WITH_ARIA_256_GCM_SHA384,
    CS::TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_RSA_WITH_3DES_EDE_CBC_SHA,
    CS::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
];

/// TLS 1.3 probe: the five RFC 8446 §B.4 suites and nothing else, so a
/// TLS 1.2-only server has no suite to pick and must refuse.
pub const TLS13_SUITES: &[CipherSuite] = &[
    CS::TLS13_AES_128_GCM_SHA256,
    CS::TLS13_AES_256_GCM_SHA384,
    CS::TLS13_CHACHA20_POLY1305_SHA256,
    CS::TLS13_AES_128_CCM_SHA256,
    CS::TLS13_AES_128_CCM_8_SHA256,
];

#[cfg(test)]
#[path = "suites_tests.rs"]
mod tests;
