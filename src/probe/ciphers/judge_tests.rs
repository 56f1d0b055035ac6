//! Unit tests of the cipher prober's pure parts: class lists per version and the judging rules.

use super::judge::{assess, suite_name, Assessment};
use super::*;
use crate::probe::conn::ServerAnswer;
use crate::report::{Check, Grade, Status};
use crate::wire::enums::{AlertDescription, ExtensionType, ProtocolVersion};
use crate::wire::server::Extension;

/// A TLS 1.2 ServerHello choosing `suite`.
fn hello(suite: u16, compression: u8, reneg: bool, ske: Option<Vec<u8>>) -> Reply {
    let extensions = if reneg {
        vec![Extension {
            typ: ExtensionType::RENEGOTIATION_INFO,
            data: vec![0],
        }]
    } else {
        vec![]
    };
    let mut flight = crate::testkit::server_hello(
        ProtocolVersion::TLSv1_2,
        CipherSuite(suite),
        compression,
        extensions,
    );
    flight.server_key_exchange = ske;
    Reply {
        version: Probe::Tls12,
        answer: Ok(ServerAnswer::Hello(Box::new(flight))),
    }
}

fn refused() -> Reply {
    Reply {
        version: Probe::Tls12,
        answer: Ok(ServerAnswer::Alert(AlertDescription::HANDSHAKE_FAILURE)),
    }
}

fn check<'a>(a: &'a Assessment, id: &str) -> &'a Check {
    a.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", a.checks))
}

#[test]
fn tls13_has_no_weak_classes_and_export_ends_at_tls10() {
    for c in WeakClass::ALL {
        assert!(class_suites(c, Probe::Tls13).is_empty());
    }
    let export = WeakClass::Export;
    assert!(class_suites(export, Probe::Tls10).contains(&CipherSuite(0x0003)));
    let t12 = class_suites(export, Probe::Tls12);
    assert!(!t12.contains(&CipherSuite(0x0003)));
    assert!(
        t12.contains(&CipherSuite(0x0009)),
        "single DES is still probed in 1.2"
    );
    // SHA-256 anon suites only in TLS 1.2.
    assert!(!class_suites(WeakClass::Anon, Probe::Tls10).contains(&CipherSuite(0x006c)));
}

#[test]
fn both_suite_names_are_known_for_weak_and_common_suites() {
    let n = suite_name(CipherSuite(0x000a));
    assert_eq!(n.iana, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    assert_eq!(n.openssl.as_deref(), Some("DES-CBC3-SHA"));
    let n = suite_name(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    assert_eq!(n.openssl.as_deref(), Some("ECDHE-RSA-AES128-GCM-SHA256"));
}

#[test]
fn rc4_and_3des_cap_c_export_and_null_cap_f_anon_warns() {
    let f = Findings {
        classes: vec![
            (Probe::Tls12, WeakClass::Rc4, hello(0x0005, 0, true, None)),
            (
                Probe::Tls12,
                WeakClass::TripleDes,
                hello(0x000a, 0, true, None),
            ),
            (
                Probe::Tls12,
                WeakClass::Export,
                hello(0x0009, 0, true, None),
            ),
            (Probe::Tls12, WeakClass::Null, hello(0x0002, 0, true, None)),
            (Probe::Tls12, WeakClass::Anon, hello(0x0034, 0, true, None)),
        ],
        chosen: vec![(
            Probe::Tls12,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        )],
        ..Findings::default()
    };
    let a = assess(&f);
    assert_eq!(check(&a, "cipher.rc4").cap, Some(Grade::C));
    assert_eq!(check(&a, "cipher.3des").cap, Some(Grade::C));
    assert_eq!(check(&a, "cipher.export").cap, Some(Grade::F));
    assert_eq!(check(&a, "cipher.null").cap, Some(Grade::F));
    assert_eq!(check(&a, "cipher.anon").status, Status::Warn);
    assert_eq!(check(&a, "cipher.anon").cap, Some(Grade::A));
    assert_eq!(a.ciphers.weakest_bits, Some(0));
    let t12 = a.ciphers.versions.tls12.as_ref().unwrap();
    assert_eq!(t12.weak_classes.len(), 5);
    assert_eq!(
        t12.weak_classes[0]
            .suite
            .as_ref()
            .unwrap()
            .openssl
            .as_deref(),
        Some("RC4-SHA")
    );
}

#[test]
fn refused_classes_pass_and_unknown_ones_are_errors() {
    let f = Findings {
        classes: vec![
            (Probe::Tls12, WeakClass::Rc4, refused()),
            (Probe::Tls10, WeakClass::Rc4, refused()),
            (
                Probe::Tls12,
                WeakClass::TripleDes,
                Reply {
                    version: Probe::Tls12,
                    answer: Ok(ServerAnswer::Silent(std::time::Duration::from_secs(1))),
                },
            ),
        ],
        ..Findings::default()
    };
    let a = assess(&f);
    assert_eq!(check(&a, "cipher.rc4").status, Status::Pass);
    assert_eq!(check(&a, "cipher.3des").status, Status::Error);
}

#[test]
fn no_forward_secrecy_and_no_aead_cap_b() {
    let f = Findings {
        chosen: vec![(Probe::Tls12, CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA)],
        fs_probe: Some(refused()),
        aead_probe: Some(refused()),
        ..Findings::default()
    };
    let a = assess(&f);
    assert_eq!(check(&a, "cipher.no-fs").cap, Some(Grade::B));
    assert_eq!(check(&a, "cipher.no-aead").cap, Some(Grade::B));
    assert!(!a.checks.iter().any(|c| c.id == "cipher.order"));
}

#[test]
fn picking_cbc_while_aead_is_available_is_an_order_warning() {
    let f = Findings {
        chosen: vec![(
            Probe::Tls12,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        )],
        aead_probe: Some(hello(0xc02f, 0, true, None)),
        ..Findings::default()
    };
    let a = assess(&f);
    assert_eq!(check(&a, "cipher.no-aead").status, Status::Pass);
    assert_eq!(check(&a, "cipher.order").cap, Some(Grade::A));
}

#[test]
fn dh_group_size_grades_and_compression_and_renegotiation_come_from_one_hello() {
    let mut ske = vec![0x00, 0x80];
    ske.extend([0xff; 128]);
    ske.extend([0x00, 0x01, 0x02, 0x00, 0x01, 0x05]);
    let f = Findings {
        dhe: Some(hello(0x0033, 0, true, Some(ske))),
        compression: Some(hello(0xc02f, 1, false, None)),
        ..Findings::default()
    };
    let a = assess(&f);
    assert_eq!(a.key_exchange.dh_bits, Some(1024));
    assert_eq!(check(&a, "kx.dh-small").cap, Some(Grade::B));
    assert_eq!(check(&a, "tls.compression").cap, Some(Grade::C));
    assert_eq!(check(&a, "tls.renegotiation").cap, Some(Grade::A));
    let f = Findings {
        compression: Some(hello(0xc02f, 0, true, None)),
        ..Findings::default()
    };
    let a = assess(&f);
    assert_eq!(check(&a, "tls.compression").status, Status::Pass);
    assert_eq!(check(&a, "tls.renegotiation").status, Status::Pass);
}

#[test]
fn server_preference_is_the_same_choice_from_a_reversed_list() {
    let f = Findings {
        chosen: vec![(
            Probe::Tls12,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        )],
        reversed: Some(hello(0xc030, 0, true, None)),
        ..Findings::default()
    };
    let a = assess(&f);
    assert_eq!(
        a.ciphers.versions.tls12.as_ref().unwrap().server_preference,
        Some(true)
    );
    let f = Findings {
        reversed: Some(hello(0x000a, 0, true, None)),
        ..f
    };
    assert_eq!(
        assess(&f).ciphers.versions.tls12.unwrap().server_preference,
        Some(false)
    );
}

#[test]
fn tls13_suites_do_not_make_a_tls12_cbc_choice_an_order_warning() {
    let f = Findings {
        tls13: true,
        chosen: vec![(
            Probe::Tls12,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        )],
        ..Findings::default()
    };
    let a = assess(&f);
    assert!(
        !a.checks.iter().any(|c| c.id == "cipher.order"),
        "{:?}",
        a.checks
    );
    assert_eq!(check(&a, "cipher.no-aead").status, Status::Pass);
}

#[test]
fn the_prelude_settles_what_its_answer_names_and_a_refusal_settles_dhe_and_rsa() {
    use crate::wire::suites::KeyExchange;
    let dhe = hello(0x009e, 0, true, None); // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
    let rsa = hello(0x009c, 0, true, None); // TLS_RSA_WITH_AES_128_GCM_SHA256
    let rc4 = hello(0x0005, 0, true, None); // TLS_RSA_WITH_RC4_128_SHA
    let silent = Reply {
        version: Probe::Tls12,
        answer: Ok(ServerAnswer::Silent(std::time::Duration::from_secs(1))),
    };
    assert_eq!(prelude_settled(Some(&refused())), Some(None));
    assert_eq!(prelude_settled(Some(&dhe)), Some(Some(KeyExchange::Dhe)));
    assert_eq!(prelude_settled(Some(&rc4)), Some(Some(KeyExchange::Rsa)));
    assert_eq!(prelude_settled(Some(&silent)), None);
    assert_eq!(prelude_settled(None), None);
    // A refusal answers both questions; an acceptance only its own; silence neither.
    assert_eq!(settles(Some(refused()), KeyExchange::Dhe), Some(refused()));
    assert_eq!(
        settles(Some(dhe.clone()), KeyExchange::Dhe),
        Some(dhe.clone())
    );
    assert_eq!(settles(Some(rsa.clone()), KeyExchange::Dhe), None);
    assert_eq!(settles(Some(silent), KeyExchange::Dhe), None);
    assert_eq!(settles(None, KeyExchange::Dhe), None);
}
