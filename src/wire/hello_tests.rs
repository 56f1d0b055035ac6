//! Tests for the probe ClientHello builders: byte-exact encodings written
//! out by hand, and structural checks through a small test-only parser.

use super::*;
use crate::wire::codec::Reader;
use crate::wire::test_fixtures::hex;

const RANDOM_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// A ClientHello as seen by a server: just enough structure to check the
/// builder's output independently of the builder's code.
#[derive(Debug)]
struct ParsedHello {
    record_version: u16,
    handshake_len: usize,
    client_version: u16,
    random: [u8; 32],
    session_id: Vec<u8>,
    suites: Vec<u16>,
    compression: Vec<u8>,
    /// `None` when there is no extensions block at all.
    extensions: Option<Vec<(u16, Vec<u8>)>>,
}

impl ParsedHello {
    fn ext(&self, typ: ExtensionType) -> Option<&[u8]> {
        self.extensions
            .as_ref()?
            .iter()
            .find(|(t, _)| *t == typ.0)
            .map(|(_, d)| d.as_slice())
    }
    fn ext_types(&self) -> Vec<u16> {
        self.extensions.iter().flatten().map(|(t, _)| *t).collect()
    }
    fn sni(&self) -> Option<String> {
        let d = self.ext(ExtensionType::SERVER_NAME)?;
        let mut r = Reader::new(d);
        let mut list = r.sub(ListLength::U16, "list").expect("list");
        assert_eq!(list.u8("type").expect("type"), 0);
        let name = list.sub(ListLength::U16, "name").expect("name").rest();
        assert!(list.is_empty() && r.is_empty());
        Some(String::from_utf8(name.to_vec()).expect("ascii"))
    }
}

/// Parse a whole ClientHello record, asserting every length is consistent.
fn parse_client_hello(rec: &[u8]) -> ParsedHello {
    let mut r = Reader::new(rec);
    assert_eq!(r.u8("ct").expect("ct"), 22);
    let record_version = r.u16("rv").expect("rv");
    let mut frag = r
        .sub(ListLength::U16, "record")
        .expect("record length fits");
    assert!(r.is_empty(), "one record only");
    assert_eq!(frag.u8("hs type").expect("type"), 1);
    let mut hs = frag
        .sub(ListLength::U24, "handshake")
        .expect("handshake length fits");
    assert!(frag.is_empty(), "one handshake message only");
    let handshake_len = 4 + hs.remaining();
    let client_version = hs.u16("cv").expect("cv");
    let random = hs.array("random").expect("random");
    let session_id = hs.sub(ListLength::U8, "sid").expect("sid").rest().to_vec();
    let mut s = hs.sub(ListLength::U16, "suites").expect("suites");
    let mut suites = Vec::new();
    while !s.is_empty() {
        suites.push(s.u16("suite").expect("even suite list"));
    }
    let compression = hs
        .sub(ListLength::U8, "comp")
        .expect("comp")
        .rest()
        .to_vec();
    let extensions = if hs.is_empty() {
        None
    } else {
        let mut list = hs.sub(ListLength::U16, "exts").expect("exts");
        let mut v = Vec::new();
        while !list.is_empty() {
            let t = list.u16("ext type").expect("type");
            let d = list
                .sub(ListLength::U16, "ext data")
                .expect("data")
                .rest()
                .to_vec();
            assert!(
                !v.iter().any(|(x, _)| *x == t),
                "duplicate extension {t:#x}"
            );
            v.push((t, d));
        }
        assert!(hs.is_empty(), "trailing bytes after extensions");
        Some(v)
    };
    ParsedHello {
        record_version,
        handshake_len,
        client_version,
        random,
        session_id,
        suites,
        compression,
        extensions,
    }
}

fn u16_list(d: &[u8], prefix: ListLength) -> Vec<u16> {
    let mut r = Reader::new(d);
    let mut l = r.sub(prefix, "list").expect("list");
    assert!(r.is_empty());
    let mut v = Vec::new();
    while !l.is_empty() {
        v.push(l.u16("item").expect("item"));
    }
    v
}

// ---------------------------------------------------------------------
// Byte-exact encodings. Lengths are worked out in the comments.
// ---------------------------------------------------------------------

#[test]
fn the_sslv3_hello_is_byte_exact() {
    let got = ClientHelloBuilder::new(Probe::Ssl3).build().expect("build");
    // body = version 2 + random 32 + sid 1 + suites (2 + 40) + comp 2 = 79
    let expected = hex(concat!(
        "16 0300 0053", // record: handshake, SSL 3.0, length 83 = 4 + 79
        "01 00004f",    // client_hello, length 79
        "0300",         // client_version SSL 3.0
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", // random
        "00",           // empty session id
        "0028",         // 20 suites = 40 bytes
        "0039 0038 0035 0033 0032 002f", // DHE/RSA AES-CBC-SHA
        "0016 0013 000a", // 3DES
        "0005 0004",    // RC4
        "0015 0012 0009", // DES
        "0014 0011 0008 0006 0003", // EXPORT
        "00ff",         // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
        "01 00",        // compression: null only
                        // no extensions block at all
    ));
    assert_eq!(got, expected);
    assert_eq!(got.len(), 5 + 83);
}

#[test]
fn the_tls10_hello_with_sni_is_byte_exact() {
    let got = ClientHelloBuilder::new(Probe::Tls10)
        .server_name("example.com")
        .session_id(&[])
        .build()
        .expect("build");
    // extensions = SNI 20 + ticket 4 + groups 14 + point formats 6 = 44
    // body = 2 + 32 + 1 + (2 + 54) + 2 + (2 + 44) = 139
    let expected = hex(concat!(
        "16 0301 008f", // record: handshake, TLS 1.0, length 143 = 4 + 139
        "01 00008b",    // client_hello, 139
        "0301",         // client_version TLS 1.0
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "00",   // session id
        "0036", // 27 suites = 54 bytes
        "c014 c00a 0039 0038 0088 0087 0035 0084",
        "c013 c009 0033 0032 009a 0045 0044 002f 0096 0041",
        "c012 c008 0016 000a",
        "c011 c007 0005 0004",
        "00ff",
        "01 00",                                         // compression
        "002c",                                          // extensions: 44 bytes
        "0000 0010 000e 00 000b 6578616d706c652e636f6d", // SNI "example.com": 4 + 16
        "0023 0000",                                     // session_ticket, empty: 4
        "000a 000a 0008 001d 0017 0018 0019",            // groups: 4 + 10
        "000b 0002 01 00",                               // ec_point_formats: 4 + 2
    ));
    assert_eq!(got, expected);
}

#[test]
fn the_tls11_hello_for_an_ip_target_with_fallback_scsv_is_byte_exact() {
    let got = ClientHelloBuilder::new(Probe::Tls11)
        .server_name("192.0.2.1") // IP literal: no SNI (RFC 6066 §3)
        .fallback_scsv(true)
        .build()
        .expect("build");
    // extensions = ticket 4 + groups 14 + point formats 6 = 24
    // body = 2 + 32 + 1 + (2 + 56) + 2 + (2 + 24) = 121
    let expected = hex(concat!(
        "16 0301 007d", // record: handshake, TLS 1.0 record version, 125
        "01 000079",    // client_hello, 121
        "0302",         // client_version TLS 1.1
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "00",
        "0038", // 28 suites = 56 bytes
        "c014 c00a 0039 0038 0088 0087 0035 0084",
        "c013 c009 0033 0032 009a 0045 0044 002f 0096 0041",
        "c012 c008 0016 000a",
        "c011 c007 0005 0004",
        "00ff",
        "5600", // TLS_FALLBACK_SCSV last (RFC 7507 §4)
        "01 00",
        "0018", // extensions: 24
        "0023 0000",
        "000a 000a 0008 001d 0017 0018 0019",
        "000b 0002 01 00",
    ));
    assert_eq!(got, expected);
}

#[test]
fn the_tls12_hello_with_sni_is_byte_exact() {
    let got = ClientHelloBuilder::new(Probe::Tls12)
        .server_name("example.com.") // trailing dot is dropped
        .build()
        .expect("build");
    // extensions = SNI 20 + ticket 4 + EMS 4 + groups 20 + ecpf 6 + sigalgs 32 = 86
    // body = 2 + 32 + 1 + (2 + 82) + 2 + (2 + 86) = 209
    let expected = hex(concat!(
        "16 0301 00d5", // record, 213 = 4 + 209
        "01 0000d1",    // client_hello, 209
        "0303",         // client_version TLS 1.2
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "00",
        "0052",                          // 41 suites = 82 bytes
        "c02c c030 cca9 cca8 c02b c02f", // ECDHE AEAD
        "009f ccaa 009e",                // DHE AEAD
        "c024 c028 006b c023 c027 0067", // CBC SHA-384/256
        "c00a c014 0039 c009 c013 0033", // CBC SHA-1
        "009d 009c 003d 003c 0035 002f", // RSA key exchange
        "c073 c077 00c4 0088 00c0 0084", // CAMELLIA
        "c05d c061 c053 c051",           // ARIA
        "c012 0016 000a",                // 3DES
        "00ff",
        "01 00",
        "0056", // extensions: 86
        "0000 0010 000e 00 000b 6578616d706c652e636f6d",
        "0023 0000",                                         // session_ticket
        "0017 0000",                                         // extended_master_secret
        "000a 0010 000e 001d 0017 0018 0019 0100 0101 0102", // groups: 4 + 16
        "000b 0002 01 00",
        "000d 001c 001a", // signature_algorithms: 4 + 2 + 26
        "0403 0503 0603 0804 0805 0806 0401 0501 0601 0807 0808 0201 0203",
    ));
    assert_eq!(got, expected);
}

const TLS13_SESSION_ID_HEX: &str =
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
const TLS13_X25519_HEX: &str = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";

fn tls13_builder() -> ClientHelloBuilder {
    let mut share = [0u8; 32];
    for (i, b) in share.iter_mut().enumerate() {
        *b = 0x40 + i as u8;
    }
    ClientHelloBuilder::new(Probe::Tls13)
        .server_name("example.com")
        .session_id(&FIXED_SESSION_ID)
        .x25519_key_share(share)
}

#[test]
fn the_tls13_hello_is_byte_exact() {
    let got = tls13_builder().build().expect("build");
    // extensions = SNI 20 + groups 20 + sigalgs 34 + versions 7 + psk modes 6
    //            + key_share 42 = 129
    // body = 2 + 32 + (1 + 32) + (2 + 10) + 2 + (2 + 129) = 212
    let expected = hex(&[
        "16 0301 00d8", // record: TLS 1.0 record version (RFC 8446 §5.1), 216
        "01 0000d4",    // client_hello, 212
        "0303",         // legacy_version TLS 1.2
        RANDOM_HEX,
        "20",
        TLS13_SESSION_ID_HEX, // 32-byte legacy_session_id
        "000a 1301 1302 1303 1304 1305",
        "01 00",
        "0081", // extensions: 129
        "0000 0010 000e 00 000b 6578616d706c652e636f6d",
        "000a 0010 000e 001d 0017 0018 0019 0100 0101 0102",
        "000d 001e 001c", // signature_algorithms: 4 + 2 + 28
        "0403 0503 0603 0804 0805 0806 0809 080a 080b 0807 0808 0401 0501 0601",
        "002b 0003 02 0304",        // supported_versions [TLS 1.3]
        "002d 0002 01 01",          // psk_key_exchange_modes [psk_dhe_ke]
        "0033 0026 0024 001d 0020", // key_share: list 36, x25519, 32-byte key
        TLS13_X25519_HEX,
    ]
    .concat());
    assert_eq!(got, expected);
}

#[test]
fn the_tls13_hello_with_a_p256_share_is_padded_to_exactly_512_bytes_byte_exact() {
    let got = tls13_builder()
        .secp256r1_key_share(Some(SECP256R1_GENERATOR))
        .build()
        .expect("build");
    // Without padding: extensions 129 + 69 (P-256 entry 2 + 2 + 65) = 198,
    // body 281, handshake 285 — inside 256..=511, so RFC 7685 padding of
    // 512 - 285 - 4 = 223 bytes is added: extensions 425, body 508.
    let p256 = concat!(
        "04",
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    );
    let expected = hex(&[
        "16 0301 0200", // record, 512
        "01 0001fc",    // client_hello, 508
        "0303",
        RANDOM_HEX,
        "20",
        TLS13_SESSION_ID_HEX,
        "000a 1301 1302 1303 1304 1305",
        "01 00",
        "01a9", // extensions: 425
        "0000 0010 000e 00 000b 6578616d706c652e636f6d",
        "000a 0010 000e 001d 0017 0018 0019 0100 0101 0102",
        "000d 001e 001c",
        "0403 0503 0603 0804 0805 0806 0809 080a 080b 0807 0808 0401 0501 0601",
        "002b 0003 02 0304",
        "002d 0002 01 01",
        "0033 006b 0069", // key_share: data 107 = 2 + 105; list 105 = 36 + 69
        "001d 0020",
        TLS13_X25519_HEX,
        "0017 0041",
        p256,        // secp256r1, 65-byte uncompressed point
        "0015 00df", // padding, 223 bytes
        "00".repeat(223).as_str(),
    ]
    .concat());
    assert_eq!(got, expected);
    assert_eq!(got.len(), 5 + 512);
}

// ---------------------------------------------------------------------
// Structural checks via the test-only parser.
// ---------------------------------------------------------------------

#[test]
fn every_probe_parses_back_with_the_right_versions_suites_and_extensions() {
    for probe in Probe::ALL {
        let b = ClientHelloBuilder::new(probe).server_name("scan.example.org");
        let h = parse_client_hello(&b.build().expect("build"));
        let want_record = if probe == Probe::Ssl3 { 0x0300 } else { 0x0301 };
        assert_eq!(h.record_version, want_record, "{probe:?}");
        assert_eq!(h.client_version, probe.client_version().0, "{probe:?}");
        assert_eq!(h.random, FIXED_RANDOM);
        assert_eq!(h.compression, [0]);
        let offered: Vec<u16> = b.offered_suites().iter().map(|s| s.0).collect();
        assert_eq!(h.suites, offered);
        assert!(h.suites.len() <= MAX_CIPHER_SUITES);

        let has = |t: ExtensionType| h.ext(t).is_some();
        match probe {
            Probe::Ssl3 => {
                assert!(
                    h.extensions.is_none(),
                    "SSLv3 hello must have no extensions block"
                );
                assert!(h.session_id.is_empty());
            }
            Probe::Tls10 | Probe::Tls11 => {
                assert_eq!(h.sni().as_deref(), Some("scan.example.org"));
                assert!(!has(ExtensionType::SIGNATURE_ALGORITHMS));
                assert!(!has(ExtensionType::SUPPORTED_VERSIONS));
                assert!(has(ExtensionType::SUPPORTED_GROUPS));
                assert_eq!(h.ext(ExtensionType::EC_POINT_FORMATS), Some(&[1u8, 0][..]));
                assert_eq!(h.ext(ExtensionType::SESSION_TICKET), Some(&[][..]));
                // No AEAD or SHA-2 suites: they would need TLS 1.2.
                for s in &h.suites {
                    let name = CipherSuite(*s).iana_name().expect("named");
                    assert!(!name.contains("GCM") && !name.contains("SHA256"), "{name}");
                }
            }
            Probe::Tls12 => {
                assert_eq!(h.sni().as_deref(), Some("scan.example.org"));
                assert!(!has(ExtensionType::SUPPORTED_VERSIONS));
                assert!(!has(ExtensionType::KEY_SHARE));
                let sigs = u16_list(
                    h.ext(ExtensionType::SIGNATURE_ALGORITHMS).expect("sigalgs"),
                    ListLength::U16,
                );
                assert!(sigs.contains(&0x0201) && sigs.contains(&0x0203));
                assert_eq!(h.ext(ExtensionType::EXTENDED_MASTER_SECRET), Some(&[][..]));
                let groups = u16_list(
                    h.ext(ExtensionType::SUPPORTED_GROUPS).expect("groups"),
                    ListLength::U16,
                );
                assert!(groups.contains(&0x0100) && groups.contains(&0x0102));
                // AEAD forward-secret suites come first.
                assert_eq!(h.suites[0], 0xc02c);
            }
            Probe::Tls13 => {
                assert_eq!(h.sni().as_deref(), Some("scan.example.org"));
                assert_eq!(h.session_id.len(), 32);
                assert!(h.suites.iter().all(|s| (0x1301..=0x1305).contains(s)));
                let versions = u16_list(
                    h.ext(ExtensionType::SUPPORTED_VERSIONS).expect("versions"),
                    ListLength::U8,
                );
                assert_eq!(versions, [0x0304]);
                assert_eq!(
                    h.ext(ExtensionType::PSK_KEY_EXCHANGE_MODES),
                    Some(&[1u8, 1][..])
                );
                let ks = h.ext(ExtensionType::KEY_SHARE).expect("key_share");
                assert_eq!(&ks[..6], &[0, 36, 0, 0x1d, 0, 32]);
                assert!(has(ExtensionType::SIGNATURE_ALGORITHMS));
                assert!(has(ExtensionType::SUPPORTED_GROUPS));
            }
        }
    }
}

#[test]
fn supported_versions_appears_only_in_the_tls13_probe() {
    for probe in Probe::ALL {
        let h = parse_client_hello(&ClientHelloBuilder::new(probe).build().expect("build"));
        assert_eq!(
            h.ext(ExtensionType::SUPPORTED_VERSIONS).is_some(),
            probe == Probe::Tls13,
            "{probe:?}"
        );
    }
}

/// A DNS-valid host name of exactly `n` bytes (labels under 64 bytes).
fn host_of_len(n: usize) -> String {
    (0..n)
        .map(|i| if i % 60 == 59 && i != n - 1 { '.' } else { 'a' })
        .collect()
}

#[test]
fn hellos_that_would_be_256_to_511_bytes_are_padded_and_end_with_a_non_empty_extension() {
    let mut padded = 0;
    for probe in Probe::ALL {
        for host_len in 1..=253usize {
            for p256 in [None, Some(SECP256R1_GENERATOR)] {
                let h = parse_client_hello(
                    &ClientHelloBuilder::new(probe)
                        .server_name(&host_of_len(host_len))
                        .secp256r1_key_share(p256)
                        .build()
                        .expect("build"),
                );
                assert_eq!(
                    h.sni().map(|s| s.len()),
                    (probe != Probe::Ssl3).then_some(host_len)
                );
                if probe == Probe::Ssl3 {
                    assert!(h.extensions.is_none());
                    continue;
                }
                assert!(
                    !(256..512).contains(&h.handshake_len),
                    "{probe:?} host {host_len}: {} bytes",
                    h.handshake_len
                );
                let exts = h.extensions.as_ref().expect("extensions");
                let (last_type, last_data) = exts.last().expect("some extension");
                assert!(!last_data.is_empty(), "{probe:?}: last extension empty");
                if h.ext(ExtensionType::PADDING).is_some() {
                    padded += 1;
                    assert_eq!(*last_type, ExtensionType::PADDING.0);
                    assert!(last_data.iter().all(|b| *b == 0));
                    // 512 exactly, or up to 516 when a 1-byte pad follows a 508–511 byte hello.
                    assert!((512..=516).contains(&h.handshake_len));
                }
            }
        }
    }
    assert!(padded > 100, "padding path exercised {padded} times");
}

#[test]
fn padding_is_never_empty_even_when_the_hello_is_just_under_512() {
    // TLS 1.3 + P-256 share without SNI is 265 bytes; SNI adds 9 + host.
    // Hosts of 234..=237 bytes make the unpadded hello 508..=511 bytes,
    // where "pad to exactly 512" would need an empty padding extension.
    for (host_len, unpadded) in [(233, 507), (234, 508), (235, 509), (236, 510), (237, 511)] {
        let h = parse_client_hello(
            &ClientHelloBuilder::new(Probe::Tls13)
                .server_name(&host_of_len(host_len))
                .secp256r1_key_share(Some(SECP256R1_GENERATOR))
                .build()
                .expect("build"),
        );
        let pad = h.ext(ExtensionType::PADDING).expect("padded");
        let want_pad = if unpadded + 4 >= 512 {
            1
        } else {
            512 - unpadded - 4
        };
        assert_eq!(pad.len(), want_pad, "host {host_len}");
        assert_eq!(h.handshake_len, unpadded + 4 + want_pad);
    }
}

#[test]
fn a_caller_supplied_cipher_list_is_used_verbatim_plus_fallback_scsv() {
    let list = [CipherSuite(0x002f), CipherSuite(0xfefe)];
    let h = parse_client_hello(
        &ClientHelloBuilder::new(Probe::Tls12)
            .cipher_suites(&list)
            .fallback_scsv(true)
            .build()
            .expect("build"),
    );
    assert_eq!(h.suites, [0x002f, 0xfefe, 0x5600]);
}

#[test]
fn suite_lists_are_limited_to_128_and_must_not_be_empty() {
    let many: Vec<CipherSuite> = (0..128u16).map(CipherSuite).collect();
    assert!(ClientHelloBuilder::new(Probe::Tls12)
        .cipher_suites(&many)
        .build()
        .is_ok());
    assert_eq!(
        ClientHelloBuilder::new(Probe::Tls12)
            .cipher_suites(&many)
            .fallback_scsv(true)
            .build(),
        Err(BuildError::TooManyCipherSuites(129))
    );
    assert_eq!(
        ClientHelloBuilder::new(Probe::Tls10)
            .cipher_suites(&[])
            .build(),
        Err(BuildError::NoCipherSuites)
    );
}

#[test]
fn ip_literals_get_no_sni_and_bad_names_are_refused() {
    for ip in ["192.0.2.1", "2001:db8::1", "[2001:db8::1]"] {
        let h = parse_client_hello(
            &ClientHelloBuilder::new(Probe::Tls12)
                .server_name(ip)
                .build()
                .expect("build"),
        );
        assert!(h.sni().is_none(), "{ip}");
        assert!(!h.ext_types().contains(&0));
    }
    for bad in [
        "",
        ".",
        "exa mple.com",
        "a..b",
        "bücher.de",
        &"a".repeat(254),
    ] {
        assert_eq!(
            ClientHelloBuilder::new(Probe::Tls12)
                .server_name(bad)
                .build(),
            Err(BuildError::InvalidServerName),
            "{bad:?}"
        );
    }
    assert_eq!(
        ClientHelloBuilder::new(Probe::Tls12)
            .session_id(&[0; 33])
            .build(),
        Err(BuildError::SessionIdTooLong(33))
    );
}

#[test]
fn randomized_builders_differ_between_calls() {
    let a = ClientHelloBuilder::randomized(Probe::Tls13)
        .build()
        .expect("build");
    let b = ClientHelloBuilder::randomized(Probe::Tls13)
        .build()
        .expect("build");
    let (ha, hb) = (parse_client_hello(&a), parse_client_hello(&b));
    assert_ne!(ha.random, hb.random);
    assert_ne!(ha.session_id, hb.session_id);
    assert_eq!(ha.session_id.len(), 32);
}
