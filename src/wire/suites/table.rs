//! The cipher-suite registry's data: one [`SuiteInfo`] per suite, sorted by code point, and the
//! constructors that derive each entry's version range from its parts.

use super::{Authentication, BulkCipher, KeyExchange, Mac, SuiteInfo};
use crate::wire::enums::{CipherSuite, ProtocolVersion};

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

/// The registry, sorted by code point (a test checks the order, which [`info`](super::info)'s
/// binary search needs). Columns: code point, IANA name, OpenSSL name, key exchange,
/// authentication, bulk cipher, MAC; the version range follows from them ([`version_range`]).
#[rustfmt::skip]
pub(super) static TABLE: &[SuiteInfo] = {
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
