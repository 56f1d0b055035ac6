//! The cipher-suite registry's types and look-ups: what every suite this crate can offer or name
//! is made of, and how to find a suite's entry.
//!
//! A scanner sorts suites by their parts — key exchange, authentication, bulk cipher, MAC, the
//! versions that can negotiate them — and must not guess those parts from a name. One static
//! table ([`all`], its entries in `table.rs`) holds a [`SuiteInfo`] per suite, sorted by code
//! point; [`info`] finds one. Suites not in the table stay representable as bare
//! [`CipherSuite`] values, so a server's unexpected choice is still shown, just without
//! properties.
//!
//! The suite lists that hellos offer are in `lists.rs`: the members of each weak class
//! ([`WeakClass::suites`]) and the per-version probe lists ([`SSL3_SUITES`] …
//! [`TLS13_SUITES`]). Their order is the order offered on the wire.
//!
//! Names follow the IANA "TLS Cipher Suites" registry; OpenSSL names are the spellings of
//! OpenSSL's `ciphers` command.

mod lists;
mod table;

pub use lists::{SSL3_SUITES, TLS10_SUITES, TLS12_SUITES, TLS13_SUITES};

use crate::wire::enums::{CipherSuite, ProtocolVersion};
use crate::wire::kx::KxKind;
use table::TABLE;

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
    /// Is this a block cipher in CBC mode (padded records, RFC 5246 §6.2.3.2)?
    pub const fn is_cbc(self) -> bool {
        use BulkCipher as B;
        matches!(
            self,
            B::Rc2_40
                | B::Des40
                | B::Des
                | B::TripleDes
                | B::Idea
                | B::Seed
                | B::Aes128Cbc
                | B::Aes256Cbc
                | B::Camellia128Cbc
                | B::Camellia256Cbc
        )
    }

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
            WeakClass::Rc4 => lists::RC4,
            WeakClass::TripleDes => lists::TRIPLE_DES,
            WeakClass::Export => lists::EXPORT,
            WeakClass::Null => lists::NULL,
            WeakClass::Anon => lists::ANON,
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

#[cfg(test)]
#[path = "suites_tests.rs"]
mod tests;

/// Written as its report name (`rc4`, `3des`, …).
impl serde::Serialize for WeakClass {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for WeakClass {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        WeakClass::from_name(&s).ok_or_else(|| {
            let names: Vec<&'static str> = WeakClass::ALL.iter().map(|c| c.as_str()).collect();
            serde::de::Error::custom(format!(
                "unknown weak class {s:?}, expected one of {names:?}"
            ))
        })
    }
}
