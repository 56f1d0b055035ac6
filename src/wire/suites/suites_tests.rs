//! Tests of the cipher-suite registry: coverage of every list, names, properties checked
//! against the IANA names and the defining RFCs, the weak classes, and the version ranges.

use super::*;
use crate::wire::enums::CipherSuite as CS;
use ProtocolVersion as V;

/// Every list the crate offers suites from, by name.
fn lists() -> Vec<(&'static str, &'static [CipherSuite])> {
    let mut l: Vec<(&'static str, &'static [CipherSuite])> = vec![
        ("SSL3_SUITES", SSL3_SUITES),
        ("TLS10_SUITES", TLS10_SUITES),
        ("TLS12_SUITES", TLS12_SUITES),
        ("TLS13_SUITES", TLS13_SUITES),
        ("CipherSuite::KNOWN", CipherSuite::KNOWN),
        // The RSA key-exchange suites the ROBOT probe offers.
        (
            "RSA key exchange",
            &[
                CS::TLS_RSA_WITH_AES_128_GCM_SHA256,
                CS::TLS_RSA_WITH_AES_256_GCM_SHA384,
                CS::TLS_RSA_WITH_AES_128_CBC_SHA256,
                CS::TLS_RSA_WITH_AES_256_CBC_SHA256,
                CS::TLS_RSA_WITH_AES_128_CBC_SHA,
                CS::TLS_RSA_WITH_AES_256_CBC_SHA,
                CS::TLS_RSA_WITH_3DES_EDE_CBC_SHA,
            ],
        ),
    ];
    for c in WeakClass::ALL {
        l.push((c.as_str(), c.suites()));
    }
    l
}

#[test]
fn the_table_is_sorted_without_duplicates_and_found_by_binary_search() {
    for w in all().windows(2) {
        assert!(w[0].suite.0 < w[1].suite.0, "{} / {}", w[0].iana, w[1].iana);
    }
    for s in all() {
        assert_eq!(info(s.suite), Some(s));
        assert_eq!(s.suite.info(), Some(s));
    }
    assert_eq!(info(CipherSuite(0x0000)), None);
    assert_eq!(info(CipherSuite(0xfefe)), None);
    assert_eq!(info(CipherSuite(0xffff)), None);
}

#[test]
fn every_suite_in_every_list_has_an_entry() {
    for (name, list) in lists() {
        for s in list {
            assert!(info(*s).is_some(), "{name}: {s:?} has no registry entry");
        }
    }
}

#[test]
fn names_round_trip() {
    // Where enums.rs names a suite, the registry uses the same name.
    for s in CipherSuite::KNOWN {
        assert_eq!(s.iana_name(), info(*s).map(|i| i.iana), "{s:?}");
    }
    for s in all() {
        assert_eq!(by_name(s.iana), Some(s), "{}", s.iana);
        assert_eq!(by_name(&format!("0x{:04x}", s.suite.0)), Some(s));
        if let Some(o) = s.openssl {
            assert_eq!(by_openssl_name(o), Some(s), "{o}");
        }
        if let Some(n) = s.suite.iana_name() {
            assert_eq!(n, s.iana);
        } else {
            // What CipherSuite::name prints for a suite enums.rs has no name for still finds it.
            assert_eq!(by_name(&s.suite.name()), Some(s));
        }
    }
    assert_eq!(by_name("TLS_NOT_A_SUITE"), None);
    assert_eq!(by_name("0xfefe"), None);
    assert_eq!(by_name("0x2f"), None);
    assert_eq!(by_name("0xzzzz"), None);
    assert_eq!(by_name(""), None);
    assert_eq!(by_openssl_name("NOPE"), None);
}

/// (code point, OpenSSL name, key bits) of every entry, in table order: the names reports
/// show and the figures the cipher score uses.
#[rustfmt::skip]
const EXPECTED: &[(u16, Option<&str>, Option<u32>)] = &[
        (0x0001, Some("NULL-MD5"), Some(0)),
        (0x0002, Some("NULL-SHA"), Some(0)),
        (0x0003, Some("EXP-RC4-MD5"), Some(56)),
        (0x0004, Some("RC4-MD5"), Some(128)),
        (0x0005, Some("RC4-SHA"), Some(128)),
        (0x0006, Some("EXP-RC2-CBC-MD5"), Some(56)), // RC2, 40-bit key: scored like the other export ciphers
        (0x0007, Some("IDEA-CBC-SHA"), Some(128)), // IDEA: 128-bit key
        (0x0008, Some("EXP-DES-CBC-SHA"), Some(56)),
        (0x0009, Some("DES-CBC-SHA"), Some(56)),
        (0x000a, Some("DES-CBC3-SHA"), Some(112)),
        (0x0011, Some("EXP-DHE-DSS-DES-CBC-SHA"), Some(56)),
        (0x0012, Some("DHE-DSS-DES-CBC-SHA"), Some(56)),
        (0x0013, Some("DHE-DSS-DES-CBC3-SHA"), Some(112)),
        (0x0014, Some("EXP-DHE-RSA-DES-CBC-SHA"), Some(56)),
        (0x0015, Some("DHE-RSA-DES-CBC-SHA"), Some(56)),
        (0x0016, Some("DHE-RSA-DES-CBC3-SHA"), Some(112)),
        (0x0018, Some("ADH-RC4-MD5"), Some(128)),
        (0x001b, Some("ADH-DES-CBC3-SHA"), Some(112)),
        (0x002f, Some("AES128-SHA"), Some(128)),
        (0x0032, Some("DHE-DSS-AES128-SHA"), Some(128)),
        (0x0033, Some("DHE-RSA-AES128-SHA"), Some(128)),
        (0x0034, Some("ADH-AES128-SHA"), Some(128)),
        (0x0035, Some("AES256-SHA"), Some(256)),
        (0x0038, Some("DHE-DSS-AES256-SHA"), Some(256)),
        (0x0039, Some("DHE-RSA-AES256-SHA"), Some(256)),
        (0x003a, Some("ADH-AES256-SHA"), Some(256)),
        (0x003b, Some("NULL-SHA256"), Some(0)),
        (0x003c, Some("AES128-SHA256"), Some(128)),
        (0x003d, Some("AES256-SHA256"), Some(256)),
        (0x0041, Some("CAMELLIA128-SHA"), Some(128)),
        (0x0044, Some("DHE-DSS-CAMELLIA128-SHA"), Some(128)),
        (0x0045, Some("DHE-RSA-CAMELLIA128-SHA"), Some(128)),
        (0x0062, Some("EXP1024-DES-CBC-SHA"), Some(56)),
        (0x0064, Some("EXP1024-RC4-SHA"), Some(56)), // RC4, 56-bit key
        (0x0067, Some("DHE-RSA-AES128-SHA256"), Some(128)),
        (0x006b, Some("DHE-RSA-AES256-SHA256"), Some(256)),
        (0x006c, Some("ADH-AES128-SHA256"), Some(128)),
        (0x006d, Some("ADH-AES256-SHA256"), Some(256)),
        (0x0084, Some("CAMELLIA256-SHA"), Some(256)),
        (0x0087, Some("DHE-DSS-CAMELLIA256-SHA"), Some(256)),
        (0x0088, Some("DHE-RSA-CAMELLIA256-SHA"), Some(256)),
        (0x0096, Some("SEED-SHA"), Some(128)),
        (0x009a, Some("DHE-RSA-SEED-SHA"), Some(128)),
        (0x009c, Some("AES128-GCM-SHA256"), Some(128)),
        (0x009d, Some("AES256-GCM-SHA384"), Some(256)),
        (0x009e, Some("DHE-RSA-AES128-GCM-SHA256"), Some(128)),
        (0x009f, Some("DHE-RSA-AES256-GCM-SHA384"), Some(256)),
        (0x00a6, Some("ADH-AES128-GCM-SHA256"), Some(128)),
        (0x00a7, Some("ADH-AES256-GCM-SHA384"), Some(256)),
        (0x00c0, Some("CAMELLIA256-SHA256"), Some(256)),
        (0x00c4, Some("DHE-RSA-CAMELLIA256-SHA256"), Some(256)),
        (0x00ff, None, None),
        (0x1301, Some("TLS_AES_128_GCM_SHA256"), Some(128)),
        (0x1302, Some("TLS_AES_256_GCM_SHA384"), Some(256)),
        (0x1303, Some("TLS_CHACHA20_POLY1305_SHA256"), Some(256)),
        (0x1304, Some("TLS_AES_128_CCM_SHA256"), Some(128)),
        (0x1305, Some("TLS_AES_128_CCM_8_SHA256"), Some(128)),
        (0x5600, None, None),
        (0xc006, Some("ECDHE-ECDSA-NULL-SHA"), Some(0)),
        (0xc007, Some("ECDHE-ECDSA-RC4-SHA"), Some(128)),
        (0xc008, Some("ECDHE-ECDSA-DES-CBC3-SHA"), Some(112)),
        (0xc009, Some("ECDHE-ECDSA-AES128-SHA"), Some(128)),
        (0xc00a, Some("ECDHE-ECDSA-AES256-SHA"), Some(256)),
        (0xc010, Some("ECDHE-RSA-NULL-SHA"), Some(0)),
        (0xc011, Some("ECDHE-RSA-RC4-SHA"), Some(128)),
        (0xc012, Some("ECDHE-RSA-DES-CBC3-SHA"), Some(112)),
        (0xc013, Some("ECDHE-RSA-AES128-SHA"), Some(128)),
        (0xc014, Some("ECDHE-RSA-AES256-SHA"), Some(256)),
        (0xc015, Some("AECDH-NULL-SHA"), Some(0)),
        (0xc016, Some("AECDH-RC4-SHA"), Some(128)),
        (0xc017, Some("AECDH-DES-CBC3-SHA"), Some(112)),
        (0xc018, Some("AECDH-AES128-SHA"), Some(128)),
        (0xc019, Some("AECDH-AES256-SHA"), Some(256)),
        (0xc023, Some("ECDHE-ECDSA-AES128-SHA256"), Some(128)),
        (0xc024, Some("ECDHE-ECDSA-AES256-SHA384"), Some(256)),
        (0xc027, Some("ECDHE-RSA-AES128-SHA256"), Some(128)),
        (0xc028, Some("ECDHE-RSA-AES256-SHA384"), Some(256)),
        (0xc02b, Some("ECDHE-ECDSA-AES128-GCM-SHA256"), Some(128)),
        (0xc02c, Some("ECDHE-ECDSA-AES256-GCM-SHA384"), Some(256)),
        (0xc02f, Some("ECDHE-RSA-AES128-GCM-SHA256"), Some(128)),
        (0xc030, Some("ECDHE-RSA-AES256-GCM-SHA384"), Some(256)),
        (0xc051, Some("ARIA256-GCM-SHA384"), Some(256)),
        (0xc053, Some("DHE-RSA-ARIA256-GCM-SHA384"), Some(256)),
        (0xc05d, Some("ECDHE-ECDSA-ARIA256-GCM-SHA384"), Some(256)),
        (0xc061, Some("ECDHE-ARIA256-GCM-SHA384"), Some(256)),
        (0xc073, Some("ECDHE-ECDSA-CAMELLIA256-SHA384"), Some(256)),
        (0xc077, Some("ECDHE-RSA-CAMELLIA256-SHA384"), Some(256)),
        (0xcca8, Some("ECDHE-RSA-CHACHA20-POLY1305"), Some(256)),
        (0xcca9, Some("ECDHE-ECDSA-CHACHA20-POLY1305"), Some(256)),
        (0xccaa, Some("DHE-RSA-CHACHA20-POLY1305"), Some(256)),
];

#[test]
fn every_entry_has_the_expected_openssl_name_and_key_bits() {
    assert_eq!(all().len(), EXPECTED.len());
    for (s, (code, openssl, bits)) in all().iter().zip(EXPECTED) {
        assert_eq!(s.suite.0, *code, "{}", s.iana);
        assert_eq!(s.openssl, *openssl, "{}", s.iana);
        assert_eq!(s.key_bits(), *bits, "{}", s.iana);
    }
}

/// The parts an IANA name spells out, read the way RFC 5246 Appendix A.5 builds the names
/// (`TLS_<kx>_<auth>_WITH_<cipher>_<mac>`); TLS 1.3 and signalling names have no `_WITH_`.
fn parts_from_name(name: &str) -> Option<(KeyExchange, Authentication, BulkCipher, Mac, bool)> {
    let (kx_au, rest) = name.strip_prefix("TLS_")?.split_once("_WITH_")?;
    let export = kx_au.contains("_EXPORT");
    let (kx, au) = match kx_au
        .replace("_EXPORT1024", "")
        .replace("_EXPORT", "")
        .as_str()
    {
        "RSA" => (KeyExchange::Rsa, Authentication::Rsa),
        "DHE_RSA" => (KeyExchange::Dhe, Authentication::Rsa),
        "DHE_DSS" => (KeyExchange::Dhe, Authentication::Dss),
        "ECDHE_RSA" => (KeyExchange::Ecdhe, Authentication::Rsa),
        "ECDHE_ECDSA" => (KeyExchange::Ecdhe, Authentication::Ecdsa),
        "DH_anon" => (KeyExchange::DhAnon, Authentication::Anonymous),
        "ECDH_anon" => (KeyExchange::EcdhAnon, Authentication::Anonymous),
        _ => return None,
    };
    let (cipher, mac) = rest.rsplit_once('_')?;
    let bulk = match cipher {
        "NULL" => BulkCipher::Null,
        "RC4_40" => BulkCipher::Rc4_40,
        "RC4_56" => BulkCipher::Rc4_56,
        "RC4_128" => BulkCipher::Rc4_128,
        "RC2_CBC_40" => BulkCipher::Rc2_40,
        "DES40_CBC" => BulkCipher::Des40,
        "DES_CBC" => BulkCipher::Des,
        "3DES_EDE_CBC" => BulkCipher::TripleDes,
        "IDEA_CBC" => BulkCipher::Idea,
        "SEED_CBC" => BulkCipher::Seed,
        "AES_128_CBC" => BulkCipher::Aes128Cbc,
        "AES_256_CBC" => BulkCipher::Aes256Cbc,
        "AES_128_GCM" => BulkCipher::Aes128Gcm,
        "AES_256_GCM" => BulkCipher::Aes256Gcm,
        "CAMELLIA_128_CBC" => BulkCipher::Camellia128Cbc,
        "CAMELLIA_256_CBC" => BulkCipher::Camellia256Cbc,
        "ARIA_256_GCM" => BulkCipher::Aria256Gcm,
        "CHACHA20_POLY1305" => BulkCipher::ChaCha20Poly1305,
        _ => return None,
    };
    let mac = match mac {
        _ if bulk.is_aead() => Mac::Aead,
        "MD5" => Mac::Md5,
        "SHA" => Mac::Sha1,
        "SHA256" => Mac::Sha256,
        "SHA384" => Mac::Sha384,
        _ => return None,
    };
    Some((kx, au, bulk, mac, export))
}

#[test]
fn every_tls12_entry_has_the_parts_its_name_spells() {
    for s in all() {
        match parts_from_name(s.iana) {
            Some(parts) => assert_eq!(parts, (s.kx, s.auth, s.bulk, s.mac, s.export), "{}", s.iana),
            None => assert!(
                s.kx == KeyExchange::Tls13 || s.is_scsv(),
                "{} has a name the test cannot read",
                s.iana
            ),
        }
    }
}

/// Code point bytes, IANA name, key exchange, authentication, bulk cipher, MAC, minimum and
/// maximum version, export.
type Expected = (
    [u8; 2],
    &'static str,
    KeyExchange,
    Authentication,
    BulkCipher,
    Mac,
    V,
    V,
    bool,
);

#[test]
fn hand_picked_suites_match_the_rfc_registry() {
    use Authentication as A;
    use BulkCipher as B;
    use KeyExchange as K;
    // (code point bytes, IANA name, kx, auth, bulk, mac, min, max, export), each from the RFC
    // that defines the suite.
    #[rustfmt::skip]
    let cases: [Expected; 16] = [
        // RFC 5246 Appendix A.5.
        ([0x00, 0x04], "TLS_RSA_WITH_RC4_128_MD5", K::Rsa, A::Rsa, B::Rc4_128, Mac::Md5, V::SSLv3, V::TLSv1_2, false),
        ([0x00, 0x0A], "TLS_RSA_WITH_3DES_EDE_CBC_SHA", K::Rsa, A::Rsa, B::TripleDes, Mac::Sha1, V::SSLv3, V::TLSv1_2, false),
        ([0x00, 0x13], "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", K::Dhe, A::Dss, B::TripleDes, Mac::Sha1, V::SSLv3, V::TLSv1_2, false),
        ([0x00, 0x18], "TLS_DH_anon_WITH_RC4_128_MD5", K::DhAnon, A::Anonymous, B::Rc4_128, Mac::Md5, V::SSLv3, V::TLSv1_2, false),
        ([0x00, 0x2F], "TLS_RSA_WITH_AES_128_CBC_SHA", K::Rsa, A::Rsa, B::Aes128Cbc, Mac::Sha1, V::SSLv3, V::TLSv1_2, false),
        ([0x00, 0x3B], "TLS_RSA_WITH_NULL_SHA256", K::Rsa, A::Rsa, B::Null, Mac::Sha256, V::TLSv1_2, V::TLSv1_2, false),
        // RFC 4346 Appendix A.5: EXPORT suites, which TLS 1.1 must not negotiate.
        ([0x00, 0x03], "TLS_RSA_EXPORT_WITH_RC4_40_MD5", K::Rsa, A::Rsa, B::Rc4_40, Mac::Md5, V::SSLv3, V::TLSv1_0, true),
        ([0x00, 0x14], "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", K::Dhe, A::Rsa, B::Des40, Mac::Sha1, V::SSLv3, V::TLSv1_0, true),
        // RFC 5469: IDEA (128-bit key, 64-bit block) and single DES.
        ([0x00, 0x07], "TLS_RSA_WITH_IDEA_CBC_SHA", K::Rsa, A::Rsa, B::Idea, Mac::Sha1, V::SSLv3, V::TLSv1_2, false),
        // RFC 4162: SEED.
        ([0x00, 0x96], "TLS_RSA_WITH_SEED_CBC_SHA", K::Rsa, A::Rsa, B::Seed, Mac::Sha1, V::SSLv3, V::TLSv1_2, false),
        // RFC 5288: AES-GCM.
        ([0x00, 0x9F], "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", K::Dhe, A::Rsa, B::Aes256Gcm, Mac::Aead, V::TLSv1_2, V::TLSv1_2, false),
        // RFC 8422 §6: anonymous ECDH with NULL encryption.
        ([0xC0, 0x15], "TLS_ECDH_anon_WITH_NULL_SHA", K::EcdhAnon, A::Anonymous, B::Null, Mac::Sha1, V::TLSv1_0, V::TLSv1_2, false),
        // RFC 5289: ECDHE with AES-GCM.
        ([0xC0, 0x2B], "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", K::Ecdhe, A::Ecdsa, B::Aes128Gcm, Mac::Aead, V::TLSv1_2, V::TLSv1_2, false),
        // RFC 6209: ARIA-GCM.
        ([0xC0, 0x61], "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", K::Ecdhe, A::Rsa, B::Aria256Gcm, Mac::Aead, V::TLSv1_2, V::TLSv1_2, false),
        // RFC 7905: ChaCha20-Poly1305.
        ([0xCC, 0xA9], "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", K::Ecdhe, A::Ecdsa, B::ChaCha20Poly1305, Mac::Aead, V::TLSv1_2, V::TLSv1_2, false),
        // RFC 8446 §B.4.
        ([0x13, 0x05], "TLS_AES_128_CCM_8_SHA256", K::Tls13, A::Tls13Any, B::Aes128Ccm8, Mac::Aead, V::TLSv1_3, V::TLSv1_3, false),
    ];
    for (bytes, name, kx, auth, bulk, mac, min, max, export) in cases {
        let s = info(CipherSuite(u16::from_be_bytes(bytes))).expect(name);
        assert_eq!(s.suite.0.to_be_bytes(), bytes, "{name}");
        assert_eq!(s.iana, name);
        assert_eq!(
            (s.kx, s.auth, s.bulk, s.mac),
            (kx, auth, bulk, mac),
            "{name}"
        );
        assert_eq!(
            (s.min_version, s.max_version, s.export),
            (min, max, export),
            "{name}"
        );
    }
    // The two signalling values (RFC 5746 §3.3, RFC 7507 §2) negotiate nothing.
    for (bytes, name) in [
        ([0x00, 0xFF], "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
        ([0x56, 0x00], "TLS_FALLBACK_SCSV"),
    ] {
        let s = info(CipherSuite(u16::from_be_bytes(bytes))).expect(name);
        assert_eq!(s.iana, name);
        assert!(s.is_scsv() && !s.is_forward_secret() && !s.is_aead() && !s.is_anonymous());
        assert_eq!((s.key_bits(), s.weak_class()), (None, None));
        assert!(ALL_VERSIONS.iter().all(|v| !s.negotiable_in(*v)), "{name}");
    }
}

const ALL_VERSIONS: [ProtocolVersion; 5] =
    [V::SSLv3, V::TLSv1_0, V::TLSv1_1, V::TLSv1_2, V::TLSv1_3];

#[test]
fn forward_secrecy_aead_and_anonymity_follow_the_parts() {
    for s in all().iter().filter(|s| !s.is_scsv()) {
        let n = s.iana;
        // The reading of the names that callers used: ephemeral DH in the name, or a TLS 1.3
        // name (no `_WITH_`); GCM, CCM or ChaCha20 for AEAD; `_anon_` for anonymous.
        let fs = n.contains("ECDHE_") || n.contains("DHE_") || !n.contains("_WITH_");
        let aead = n.contains("GCM") || n.contains("CCM") || n.contains("CHACHA20");
        assert_eq!(s.is_forward_secret(), fs, "{n}");
        assert_eq!(s.is_aead(), aead, "{n}");
        assert_eq!(s.is_anonymous(), n.contains("_anon_"), "{n}");
    }
}

#[test]
fn version_ranges_follow_the_rfcs() {
    for s in all() {
        assert!(s.min_version <= s.max_version, "{}", s.iana);
        let negotiable: Vec<V> = ALL_VERSIONS
            .into_iter()
            .filter(|v| s.negotiable_in(*v))
            .collect();
        if s.is_scsv() {
            assert!(negotiable.is_empty());
            continue;
        }
        // TLS 1.3 suites exist only there, and nothing else does (RFC 8446 §B.4).
        assert_eq!(
            s.kx == KeyExchange::Tls13,
            negotiable == [V::TLSv1_3],
            "{}",
            s.iana
        );
        if s.export {
            assert!(!s.negotiable_in(V::TLSv1_1), "{}: RFC 4346 §A.5", s.iana);
        }
        let tls12_only = s.is_aead() || matches!(s.mac, Mac::Sha256 | Mac::Sha384);
        if tls12_only && s.kx != KeyExchange::Tls13 {
            assert_eq!(s.min_version, V::TLSv1_2, "{}: RFC 5246 §1.2", s.iana);
        }
        if matches!(s.kx, KeyExchange::Ecdhe | KeyExchange::EcdhAnon) {
            assert!(
                !s.negotiable_in(V::SSLv3),
                "{}: no ECC without extensions",
                s.iana
            );
        }
    }
    assert!(!info(CS::TLS_RSA_WITH_AES_128_CBC_SHA)
        .unwrap()
        .negotiable_in(ProtocolVersion(0x0200)));
    assert!(!info(CS::TLS_RSA_WITH_AES_128_CBC_SHA)
        .unwrap()
        .negotiable_in(ProtocolVersion(0x7f1c)));
}

#[test]
fn the_version_lists_offer_only_what_their_versions_negotiate() {
    let check = |list: &[CipherSuite], versions: &[V]| {
        for s in list {
            let i = info(*s).expect("in the registry");
            for v in versions {
                assert!(i.is_scsv() || i.negotiable_in(*v), "{} in {v:?}", i.iana);
            }
        }
    };
    check(SSL3_SUITES, &[V::SSLv3]);
    check(TLS10_SUITES, &[V::TLSv1_0, V::TLSv1_1]);
    check(TLS12_SUITES, &[V::TLSv1_2]);
    check(TLS13_SUITES, &[V::TLSv1_3]);
    assert!(TLS13_SUITES
        .iter()
        .all(|s| !info(*s).unwrap().negotiable_in(V::TLSv1_2)));
}

#[test]
fn weak_classes_have_the_report_names_in_report_order() {
    let names: Vec<&str> = WeakClass::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names, ["rc4", "3des", "export", "null", "anon"]);
    for c in WeakClass::ALL {
        assert_eq!(WeakClass::from_name(c.as_str()), Some(c));
    }
    assert_eq!(WeakClass::from_name("RC4"), None);
}

#[test]
fn the_weak_class_lists_keep_their_order() {
    let codes = |c: WeakClass| c.suites().iter().map(|s| s.0).collect::<Vec<_>>();
    assert_eq!(codes(WeakClass::Rc4), [0xc011, 0xc007, 0x0005, 0x0004]);
    assert_eq!(
        codes(WeakClass::TripleDes),
        [0xc012, 0xc008, 0x0016, 0x0013, 0x000a, 0x0007]
    );
    assert_eq!(
        codes(WeakClass::Export),
        [0x0003, 0x0006, 0x0008, 0x0011, 0x0014, 0x0062, 0x0064, 0x0009, 0x0012, 0x0015]
    );
    assert_eq!(
        codes(WeakClass::Null),
        [0xc010, 0xc006, 0x003b, 0x0002, 0x0001, 0xc015]
    );
    assert_eq!(
        codes(WeakClass::Anon),
        [
            0x00a7, 0x00a6, 0x006d, 0x006c, 0xc019, 0xc018, 0x003a, 0x0034, 0xc017, 0x001b, 0xc016,
            0x0018
        ]
    );
}

#[test]
fn weak_class_lists_agree_with_the_registry() {
    let mut seen = Vec::new();
    for class in WeakClass::ALL {
        for s in class.suites() {
            let i = info(*s).expect("in the registry");
            assert!(!seen.contains(s), "{} is in two classes", i.iana);
            seen.push(*s);
            assert_eq!(class_of(*s), Some(class), "{}", i.iana);
            let short_key = matches!(
                i.bulk,
                BulkCipher::Des
                    | BulkCipher::Des40
                    | BulkCipher::Rc2_40
                    | BulkCipher::Rc4_40
                    | BulkCipher::Rc4_56
            );
            let fits = match class {
                WeakClass::Rc4 => i.bulk == BulkCipher::Rc4_128 && !i.is_anonymous(),
                WeakClass::TripleDes => {
                    matches!(i.bulk, BulkCipher::TripleDes | BulkCipher::Idea) && !i.is_anonymous()
                }
                WeakClass::Export => (i.export || short_key) && i.bulk != BulkCipher::Null,
                WeakClass::Null => i.bulk == BulkCipher::Null,
                WeakClass::Anon => i.is_anonymous() && i.bulk != BulkCipher::Null && !i.export,
            };
            assert!(fits, "{} does not belong in {}", i.iana, class.as_str());
            // Every weak suite is weak by its key size too, except RC4-128 (a broken stream
            // cipher), IDEA (64-bit blocks) and the anonymous ones (no authentication).
            if matches!(class, WeakClass::Export | WeakClass::Null) {
                assert!(i.key_bits().is_some_and(|b| b < 112), "{}", i.iana);
            }
        }
    }
    // Every other suite the registry knows is in no class.
    for s in all() {
        if !seen.contains(&s.suite) {
            assert_eq!(s.weak_class(), None, "{} is weak but in no list", s.iana);
        }
    }
    assert_eq!(class_of(CipherSuite(0xfefe)), None);
}

#[test]
fn weak_class_hellos_offer_what_each_version_negotiates() {
    let codes = |c: WeakClass, v: V| c.suites_for(v).iter().map(|s| s.0).collect::<Vec<_>>();
    for c in WeakClass::ALL {
        assert!(c.suites_for(V::TLSv1_3).is_empty(), "{c:?}");
        // TLS 1.0 loses only the TLS 1.2-only suites, TLS 1.2 only the EXPORT ones.
        for v in [V::TLSv1_0, V::TLSv1_2] {
            let want: Vec<u16> = c
                .suites()
                .iter()
                .map(|s| s.0)
                .filter(|s| info(CipherSuite(*s)).unwrap().negotiable_in(v))
                .collect();
            assert_eq!(codes(c, v), want);
        }
    }
    assert_eq!(codes(WeakClass::Rc4, V::SSLv3), [0x0005, 0x0004]);
    assert_eq!(
        codes(WeakClass::Rc4, V::TLSv1_0),
        [0xc011, 0xc007, 0x0005, 0x0004]
    );
    assert_eq!(codes(WeakClass::Export, V::TLSv1_0).len(), 10);
    assert_eq!(
        codes(WeakClass::Export, V::TLSv1_1),
        [0x0009, 0x0012, 0x0015]
    );
    assert_eq!(
        codes(WeakClass::Null, V::TLSv1_1),
        [0xc010, 0xc006, 0x0002, 0x0001, 0xc015]
    );
    assert_eq!(codes(WeakClass::Null, V::TLSv1_2).len(), 6);
    assert_eq!(
        codes(WeakClass::Anon, V::SSLv3),
        [0x003a, 0x0034, 0x001b, 0x0018]
    );
    assert_eq!(codes(WeakClass::Anon, V::TLSv1_2).len(), 12);
    assert!(codes(WeakClass::TripleDes, ProtocolVersion(0x7f1c)).is_empty());
}

#[test]
fn the_key_exchange_says_which_server_key_exchange_to_expect() {
    let kind = |c: u16| info(CipherSuite(c)).and_then(SuiteInfo::server_key_exchange);
    assert_eq!(kind(0x0033), Some(KxKind::Dhe)); // DHE_RSA
    assert_eq!(kind(0x0034), Some(KxKind::Dhe)); // DH_anon
    assert_eq!(kind(0xc02f), Some(KxKind::Ecdhe)); // ECDHE_RSA
    assert_eq!(kind(0xc018), Some(KxKind::Ecdhe)); // ECDH_anon
    assert_eq!(kind(0x002f), None); // RSA
    assert_eq!(kind(0x1301), None); // TLS 1.3
    assert_eq!(kind(0x00ff), None); // SCSV
}
