//! Tests for ServerHello/alert parsing and first-flight classification,
//! driven by hand-assembled byte sequences from `test_fixtures`.

use super::*;
use crate::wire::test_fixtures::*;

fn expect_server_hello(bytes: &[u8]) -> ServerFlight {
    match classify_first_flight(bytes) {
        FirstFlight::ServerHello(f) => f,
        other => panic!("expected ServerHello, got {other:?}"),
    }
}

#[test]
fn a_tls12_server_hello_is_parsed_field_by_field() {
    let f = expect_server_hello(&tls12_server_hello_record());
    let sh = &f.server_hello;
    assert_eq!(sh.legacy_version, ProtocolVersion::TLSv1_2);
    assert_eq!(sh.random, [0xaa; 32]);
    assert!(sh.session_id.is_empty());
    assert_eq!(
        sh.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(sh.compression, 0);
    let types: Vec<_> = sh.extensions.iter().map(|e| e.typ).collect();
    assert_eq!(
        types,
        [
            ExtensionType::RENEGOTIATION_INFO,
            ExtensionType::EXTENDED_MASTER_SECRET
        ]
    );
    assert_eq!(
        sh.extension(ExtensionType::RENEGOTIATION_INFO),
        Some(&[0u8][..])
    );
    assert_eq!(sh.selected_version, None);
    assert_eq!(sh.negotiated_version(), ProtocolVersion::TLSv1_2);
    assert!(!sh.is_hello_retry_request());
    assert_eq!(sh.downgrade_sentinel(), None);
    assert_eq!(f.certificates, None);
    assert!(!f.server_hello_done);
}

#[test]
fn a_tls13_server_hello_reports_the_supported_versions_selection() {
    let f = expect_server_hello(&tls13_flight());
    let sh = &f.server_hello;
    assert_eq!(sh.legacy_version, ProtocolVersion::TLSv1_2);
    assert_eq!(sh.selected_version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(sh.negotiated_version(), ProtocolVersion::TLSv1_3);
    assert_eq!(sh.key_share_group, Some(NamedGroup::X25519));
    assert_eq!(sh.cipher_suite, CipherSuite::TLS13_AES_128_GCM_SHA256);
    assert_eq!(sh.session_id.len(), 32);
    assert!(!sh.is_hello_retry_request());
    // Everything after a TLS 1.3 ServerHello is encrypted: nothing collected.
    assert_eq!(f.certificates, None);
}

#[test]
fn a_hello_retry_request_is_recognised_by_its_random() {
    let f = expect_server_hello(&hrr_record());
    let sh = &f.server_hello;
    assert!(sh.is_hello_retry_request());
    assert_eq!(sh.negotiated_version(), ProtocolVersion::TLSv1_3);
    assert_eq!(sh.key_share_group, Some(NamedGroup::SECP256R1));
    // The same key_share bytes are not a valid ServerHello key_share: a
    // non-HRR ServerHello needs group + key_exchange.
    let mut body = hex(HRR_BODY);
    body[2] ^= 0xff;
    assert!(matches!(
        parse_server_hello(&body),
        Err(DecodeError::Truncated(_))
    ));
}

#[test]
fn the_downgrade_sentinel_reveals_higher_server_versions() {
    let r13 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 444f574e47524401";
    let sh = parse_server_hello(&tls12_server_hello_body(r13)).expect("valid");
    assert_eq!(sh.negotiated_version(), ProtocolVersion::TLSv1_2);
    assert_eq!(sh.downgrade_sentinel(), Some(ProtocolVersion::TLSv1_3));

    let r12 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 444f574e47524400";
    let sh = parse_server_hello(&tls12_server_hello_body(r12)).expect("valid");
    assert_eq!(sh.downgrade_sentinel(), Some(ProtocolVersion::TLSv1_2));

    let r_other = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 444f574e47524402";
    let sh = parse_server_hello(&tls12_server_hello_body(r_other)).expect("valid");
    assert_eq!(sh.downgrade_sentinel(), None);
}

#[test]
fn a_server_hello_split_across_two_records_is_reassembled() {
    let msg = tls12_server_hello_msg(); // 53 bytes
    let mut bytes = record(0x16, &msg[..20]);
    bytes.extend(record(0x16, &msg[20..]));
    assert_eq!(&bytes[..5], &[0x16, 3, 3, 0x00, 0x14]); // 20
    assert_eq!(&bytes[25..30], &[0x16, 3, 3, 0x00, 0x21]); // 33
    let whole = expect_server_hello(&tls12_server_hello_record());
    assert_eq!(expect_server_hello(&bytes), whole);
    // Until the second record is complete the answer is NeedMore.
    for n in 0..bytes.len() {
        assert_eq!(
            classify_first_flight(&bytes[..n]),
            FirstFlight::NeedMore,
            "prefix {n}"
        );
    }
    // Split into one record per byte also works.
    let per_byte: Vec<u8> = msg.iter().flat_map(|b| record(0x16, &[*b])).collect();
    assert_eq!(expect_server_hello(&per_byte), whole);
}

#[test]
fn server_hello_certificate_and_done_in_one_record_yield_the_certificates() {
    let f = expect_server_hello(&tls12_sh_cert_done_record());
    assert_eq!(f.server_hello.cipher_suite, CipherSuite(0xc02f));
    assert_eq!(
        f.certificates,
        Some(Ok(vec![vec![0xde, 0xad, 0xbe, 0xef], vec![0xca, 0xfe]]))
    );
    assert!(f.server_hello_done);
}

#[test]
fn certificates_in_a_later_record_are_collected_and_absent_ones_are_not_waited_for() {
    let mut bytes = tls12_server_hello_record();
    bytes.extend(record(0x16, &hex(CERTIFICATE_MSG)));
    let f = expect_server_hello(&bytes);
    assert_eq!(
        f.certificates.as_ref().map(|c| c.as_ref().map(Vec::len)),
        Some(Ok(2))
    );
    assert!(!f.server_hello_done);
    // A partial Certificate record still gives the ServerHello.
    let partial = &bytes[..bytes.len() - 3];
    assert_eq!(expect_server_hello(partial).certificates, None);
}

#[test]
fn a_certificate_with_a_lying_length_is_reported_without_losing_the_server_hello() {
    let mut bytes = tls12_server_hello_record();
    // certificate_list says 12 but the only cert claims 200 bytes.
    bytes.extend(record(
        0x16,
        &hex("0b 00000f 00000c 0000c8 deadbeef 000002 cafe"),
    ));
    let f = expect_server_hello(&bytes);
    assert!(matches!(
        f.certificates,
        Some(Err(DecodeError::Truncated(_)))
    ));
}

#[test]
fn certificate_lists_are_capped_by_count_and_size() {
    let mut body = Vec::new();
    for _ in 0..101 {
        body.extend_from_slice(&[0, 0, 1, 0x30]);
    }
    let mut msg = vec![0, 0x01, 0x94]; // 404 = 101 * 4
    msg.extend(&body);
    assert!(matches!(
        parse_certificate_list(&msg),
        Err(DecodeError::TooLarge {
            what: "certificate count",
            ..
        })
    ));
    msg = vec![0, 0x01, 0x90];
    msg.extend(&body[..400]);
    assert_eq!(parse_certificate_list(&msg).map(|c| c.len()), Ok(100));

    let big = vec![0x30u8; 40_000];
    let mut list = Vec::new();
    for _ in 0..2 {
        list.extend_from_slice(&(big.len() as u32).to_be_bytes()[1..]);
        list.extend(&big);
    }
    let mut msg = (list.len() as u32).to_be_bytes()[1..].to_vec();
    msg.extend(list);
    assert!(matches!(
        parse_certificate_list(&msg),
        Err(DecodeError::TooLarge {
            what: "certificate chain",
            ..
        })
    ));
}

#[test]
fn fatal_alerts_are_classified_with_their_description() {
    for (code, want) in [
        (70, AlertDescription::PROTOCOL_VERSION),
        (40, AlertDescription::HANDSHAKE_FAILURE),
        (86, AlertDescription::INAPPROPRIATE_FALLBACK),
    ] {
        assert_eq!(
            classify_first_flight(&alert_record(code)),
            FirstFlight::Alert {
                level: AlertLevel::FATAL,
                description: want
            }
        );
    }
    // An SSL 3.0 server answers with a 0x0300 record version.
    assert_eq!(
        classify_first_flight(&hex("15 0300 0002 02 28")),
        FirstFlight::Alert {
            level: AlertLevel::FATAL,
            description: AlertDescription::HANDSHAKE_FAILURE
        }
    );
}

#[test]
fn an_unknown_alert_description_is_kept_as_is() {
    match classify_first_flight(&alert_record(201)) {
        FirstFlight::Alert { level, description } => {
            assert_eq!(level, AlertLevel::FATAL);
            assert_eq!(description, AlertDescription(201));
            assert_eq!(description.name(), "0xc9");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn plaintext_banners_and_http_responses_are_not_tls() {
    for banner in [
        &b"421 Service not available\r\n"[..],
        b"220 mail.example.org ESMTP\r\n",
        b"HTTP/1.1 400 Bad Request\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"<",
        b"\x16\x02", // right content type, wrong major version
    ] {
        assert_eq!(
            classify_first_flight(banner),
            FirstFlight::NotTls,
            "{banner:?}"
        );
    }
}

#[test]
fn sslv2_records_are_reported_distinctly() {
    // SSLv2 SERVER-HELLO: 2-byte header with the high bit set, msg type 4.
    let v2 = hex("8322 04 00 01 0002 0000 0003 0010");
    assert_eq!(classify_first_flight(&v2), FirstFlight::SslV2Record);
    assert_eq!(classify_first_flight(&[0x80]), FirstFlight::SslV2Record);
}

#[test]
fn empty_input_needs_more_and_every_prefix_of_a_single_record_needs_more() {
    assert_eq!(classify_first_flight(&[]), FirstFlight::NeedMore);
    for bytes in [
        tls12_server_hello_record(),
        hrr_record(),
        tls12_sh_cert_done_record(),
        alert_record(70),
        tls13_flight()[..127].to_vec(),
    ] {
        assert!(!matches!(
            classify_first_flight(&bytes),
            FirstFlight::NeedMore
        ));
        for n in 0..bytes.len() {
            assert_eq!(
                classify_first_flight(&bytes[..n]),
                FirstFlight::NeedMore,
                "prefix {n}"
            );
        }
    }
}

#[test]
fn every_truncated_server_hello_body_is_rejected_except_the_legal_extensionless_form() {
    for body in [
        tls12_server_hello_body(PLAIN_RANDOM),
        hex(TLS13_SERVER_HELLO_BODY),
        hex(HRR_BODY),
    ] {
        let full = parse_server_hello(&body).expect("full body parses");
        // Where the extensions block would start: version, random, sid,
        // suite, compression.
        let no_ext_len = 2 + 32 + 1 + usize::from(body[34]) + 2 + 1;
        for n in 0..body.len() {
            match parse_server_hello(&body[..n]) {
                Err(_) => {}
                // RFC 5246 §7.4.1.3: a ServerHello may end without an
                // extensions block; that is the only valid truncation.
                Ok(sh) => {
                    assert_eq!(n, no_ext_len);
                    assert!(sh.extensions.is_empty());
                    assert_ne!(sh, full);
                }
            }
        }
    }
}

#[test]
fn every_truncated_alert_certificate_and_record_header_is_rejected() {
    let alert = [2u8, 70];
    for n in 0..alert.len() {
        assert!(parse_alert(&alert[..n]).is_err());
    }
    let cert = hex(CERTIFICATE_MSG);
    let cert_body = &cert[4..];
    for n in 0..cert_body.len() {
        assert!(
            parse_certificate_list(&cert_body[..n]).is_err(),
            "prefix {n}"
        );
    }
    let hdr = [0x16u8, 3, 3, 0, 10];
    for n in 0..hdr.len() {
        assert!(crate::wire::record::RecordHeader::parse(&hdr[..n]).is_err());
    }
}

#[test]
fn lying_lengths_are_errors() {
    // Record length above 2^14 + 2048.
    assert!(matches!(
        classify_first_flight(&hex("16 0303 4801 02")),
        FirstFlight::Malformed(DecodeError::TooLarge { what: "record", .. })
    ));
    // Handshake length longer than the record, then a different content
    // type: the message can never be completed (RFC 8446 §5.1 forbids
    // interleaving).
    let mut bytes = record(0x16, &hex("02 000100 0303"));
    bytes.extend(alert_record(40));
    assert!(matches!(
        classify_first_flight(&bytes),
        FirstFlight::Malformed(_)
    ));
    // Handshake length longer than the record, then an over-long next
    // handshake record: still an error, not unbounded buffering.
    assert!(matches!(
        classify_first_flight(&record(0x16, &hex("02 ffffff"))),
        FirstFlight::Malformed(DecodeError::TooLarge { .. })
    ));
    // Handshake length shorter than the ServerHello inside.
    let mut msg = tls12_server_hello_msg();
    msg[3] = 40;
    assert!(matches!(
        classify_first_flight(&record(0x16, &msg)),
        FirstFlight::Malformed(_)
    ));
    // Extensions block longer than the message.
    let mut body = tls12_server_hello_body(PLAIN_RANDOM);
    body[39] = 0x20;
    assert_eq!(
        parse_server_hello(&body),
        Err(DecodeError::Truncated("ServerHello.extensions"))
    );
    // Session id longer than 32.
    let mut body = hex(TLS13_SERVER_HELLO_BODY);
    body[34] = 33;
    assert!(parse_server_hello(&body).is_err());
    // One extension's length runs past the block.
    let mut body = tls12_server_hello_body(PLAIN_RANDOM);
    body[43] = 9;
    assert!(parse_server_hello(&body).is_err());
    // Alert record of three bytes.
    assert!(matches!(
        classify_first_flight(&record(0x15, &[2, 40, 0])),
        FirstFlight::Malformed(DecodeError::TrailingData(_))
    ));
}

#[test]
fn unexpected_first_messages_and_records_are_malformed() {
    // Certificate before ServerHello.
    assert!(matches!(
        classify_first_flight(&record(0x16, &hex(CERTIFICATE_MSG))),
        FirstFlight::Malformed(DecodeError::Invalid(_))
    ));
    // ChangeCipherSpec first.
    assert!(matches!(
        classify_first_flight(&hex("14 0303 0001 01")),
        FirstFlight::Malformed(_)
    ));
    // Zero-length handshake record.
    assert!(matches!(
        classify_first_flight(&hex("16 0303 0000")),
        FirstFlight::Malformed(_)
    ));
    // Duplicate extension.
    let mut body = tls12_server_hello_body(PLAIN_RANDOM);
    body.truncate(38);
    body.extend(hex("0008 0017 0000 0017 0000"));
    assert_eq!(
        parse_server_hello(&body),
        Err(DecodeError::Invalid("ServerHello duplicate extension"))
    );
    // Junk after a valid first record is malformed TLS, not "not TLS".
    let mut bytes = record(0x16, &tls12_server_hello_msg()[..10]);
    bytes.extend(b"HTTP/1.1");
    assert_eq!(
        classify_first_flight(&bytes),
        FirstFlight::Malformed(DecodeError::NotTlsRecord)
    );
}

#[test]
fn a_hello_request_before_the_server_hello_is_ignored() {
    let mut payload = hex("00 000000"); // hello_request
    payload.extend(tls12_server_hello_msg());
    let f = expect_server_hello(&record(0x16, &payload));
    assert_eq!(f.server_hello.cipher_suite, CipherSuite(0xc02f));
}

#[test]
fn feeding_byte_by_byte_gives_the_same_verdict_as_one_shot_classification() {
    let mut split = record(0x16, &tls12_server_hello_msg()[..20]);
    split.extend(record(0x16, &tls12_server_hello_msg()[20..]));
    for bytes in [
        tls12_server_hello_record(),
        tls13_flight(),
        hrr_record(),
        tls12_sh_cert_done_record(),
        split,
        alert_record(86),
        b"421 Too many connections".to_vec(),
        hex("8322 04 00 01"),
    ] {
        let mut p = FirstFlightParser::new();
        for b in &bytes {
            p.feed(&[*b]);
        }
        assert_eq!(p.result(), &classify_first_flight(&bytes));
        assert_ne!(p.result(), &FirstFlight::NeedMore);
    }
}

#[test]
fn the_parser_reports_when_certificates_may_still_arrive() {
    let mut p = FirstFlightParser::new();
    p.feed(&tls12_server_hello_record());
    assert!(matches!(p.result(), FirstFlight::ServerHello(_)));
    assert!(!p.is_finished(), "a TLS 1.2 flight continues");
    p.feed(&record(0x16, &hex(CERTIFICATE_MSG)));
    p.feed(&record(0x16, &hex("0e 000000")));
    assert!(p.is_finished());
    match p.result() {
        FirstFlight::ServerHello(f) => {
            assert!(f.server_hello_done);
            assert_eq!(f.certificates.as_ref().map(|c| c.is_ok()), Some(true));
        }
        other => panic!("{other:?}"),
    }
    let mut p = FirstFlightParser::new();
    p.feed(&tls13_flight()[..127]);
    assert!(
        p.is_finished(),
        "nothing to collect after a TLS 1.3 ServerHello"
    );
}

#[test]
fn an_endless_stream_without_a_server_hello_hits_the_total_cap() {
    // HelloRequests are ignored, so a server could send them forever.
    let chunk = record(0x16, &[0u8; 4 * 1000]);
    let mut p = FirstFlightParser::new();
    let mut verdict = FirstFlight::NeedMore;
    for _ in 0..(MAX_FIRST_FLIGHT_BYTES / chunk.len() + 2) {
        verdict = p.feed(&chunk).clone();
    }
    assert!(matches!(
        verdict,
        FirstFlight::Malformed(DecodeError::TooLarge {
            what: "first flight",
            ..
        })
    ));
    assert!(p.is_finished());
}
