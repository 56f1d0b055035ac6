//! Tests of the flight encoders: exact bytes for the inputs probes use, and length fields that
//! agree with what follows them for every size, read back with the crate's own decoders.

use super::*;
use crate::wire::enums::{AlertDescription, AlertLevel};
use crate::wire::record::{HandshakeJoiner, RecordReader};
use ProtocolVersion as V;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Every record in `bytes`, which must be nothing but complete records.
fn records(bytes: &[u8]) -> Vec<crate::wire::record::Record> {
    let mut r = RecordReader::new();
    let mut out = Vec::new();
    for chunk in bytes.chunks(1 << 16) {
        r.feed(chunk).expect("bounded");
        while let Some(rec) = r.next_record().expect("well-formed records") {
            out.push(rec);
        }
    }
    assert_eq!(r.buffered(), 0, "trailing bytes");
    out
}

/// The one handshake message in `bytes`, which must be exactly one.
fn one_message(bytes: &[u8]) -> crate::wire::record::HandshakeMessage {
    let mut j = HandshakeJoiner::new();
    j.push(bytes).expect("bounded");
    let m = j.next_message().expect("ok").expect("complete");
    assert!(j.is_empty(), "trailing bytes");
    m
}

/// Lengths around the record and vector limits.
const SIZES: [usize; 9] = [0, 1, 2, 255, 256, 16383, 16384, 16385, 3 * 16384 + 5];

#[test]
fn a_record_is_its_header_and_its_payload() {
    assert_eq!(
        encode_record(ContentType::HANDSHAKE, V::TLSv1_2, &[1, 2, 3]),
        hex("16 0303 0003 010203")
    );
    assert_eq!(
        encode_record(ContentType::APPLICATION_DATA, V::TLSv1_0, &[]),
        hex("17 0301 0000")
    );
    assert_eq!(
        encode_record(ContentType(0x99), ProtocolVersion(0x7f1c), &[0xff]),
        hex("99 7f1c 0001 ff")
    );
}

#[test]
fn record_lengths_agree_and_long_payloads_are_fragmented() {
    for n in SIZES {
        let payload: Vec<u8> = (0..n).map(|i| i as u8).collect();
        let bytes = encode_record(ContentType::HANDSHAKE, V::TLSv1_2, &payload);
        let recs = records(&bytes);
        assert_eq!(recs.len(), n.div_ceil(MAX_FRAGMENT).max(1), "{n}");
        let mut joined = Vec::new();
        for r in &recs {
            assert_eq!(usize::from(r.header.length), r.payload.len());
            assert!(r.payload.len() <= MAX_FRAGMENT);
            assert_eq!(r.header.content_type, ContentType::HANDSHAKE);
            assert_eq!(r.header.version, V::TLSv1_2);
            joined.extend_from_slice(&r.payload);
        }
        assert_eq!(joined, payload, "{n}");
        assert_eq!(bytes.len(), n + 5 * recs.len());
    }
    // The first fragment of 2^14 + 1 bytes is full, the second has one byte.
    let bytes = encode_record(ContentType::HANDSHAKE, V::TLSv1_2, &[0u8; 16385]);
    assert_eq!(&bytes[..5], &hex("16 0303 4000")[..]);
    assert_eq!(&bytes[5 + 16384..], &hex("16 0303 0001 00")[..]);
}

#[test]
fn change_cipher_spec_is_one_byte() {
    // The early ChangeCipherSpec of the CCS-injection probe (RFC 5246 §7.1).
    assert_eq!(
        change_cipher_spec_record(V::TLSv1_2),
        hex("14 0303 0001 01")
    );
    assert_eq!(
        change_cipher_spec_record(V::TLSv1_0),
        hex("14 0301 0001 01")
    );
    let r = records(&change_cipher_spec_record(V::SSLv3));
    assert_eq!(
        (r.len(), r[0].header.length, &r[0].payload[..]),
        (1, 1, &[1u8][..])
    );
}

#[test]
fn an_alert_record_is_level_then_description() {
    let a = Alert {
        level: AlertLevel::FATAL,
        description: AlertDescription::HANDSHAKE_FAILURE,
    };
    assert_eq!(alert_record(V::TLSv1_2, a), hex("15 0303 0002 02 28"));
    let close = Alert {
        level: AlertLevel::WARNING,
        description: AlertDescription::CLOSE_NOTIFY,
    };
    let r = records(&alert_record(V::TLSv1_1, close));
    assert_eq!(r[0].header.length, 2);
    assert_eq!(crate::wire::alert::parse_alert(&r[0].payload), Ok(close));
}

#[test]
fn heartbeat_requests_claim_what_they_are_told() {
    // Heartbleed's request: claims 0x4000 bytes, carries none, no padding.
    assert_eq!(
        heartbeat_request(V::TLSv1_0, 0x4000, &[], &[]),
        hex("18 0301 0003 01 4000")
    );
    // A well-formed request: claimed = actual, 16 bytes of padding (RFC 6520 §4).
    assert_eq!(
        heartbeat_request(V::TLSv1_2, 4, b"ping", &[0xee; 16]),
        hex("18 0303 0017 01 0004 70696e67 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")
    );
    for n in SIZES {
        let payload = vec![0x41u8; n];
        let claimed = u16::try_from(n).unwrap_or(u16::MAX);
        let bytes = heartbeat_request(V::TLSv1_2, claimed, &payload, &[0; 16]);
        let recs = records(&bytes);
        let msg: Vec<u8> = recs.iter().flat_map(|r| r.payload.clone()).collect();
        assert!(recs
            .iter()
            .all(|r| usize::from(r.header.length) == r.payload.len()));
        assert_eq!(msg.len(), 3 + n + 16, "{n}");
        assert_eq!(msg[0], HEARTBEAT_REQUEST);
        assert_eq!(u16::from_be_bytes([msg[1], msg[2]]), claimed);
    }
}

#[test]
fn handshake_messages_carry_a_24_bit_length() {
    assert_eq!(
        finished(&[0x11; 12]),
        Ok(hex("14 00000c 111111111111111111111111"))
    );
    assert_eq!(
        handshake_message(HandshakeType::SERVER_HELLO_DONE, &[]),
        Ok(hex("0e 000000"))
    );
    for n in SIZES {
        let body = vec![7u8; n];
        let m = handshake_message(HandshakeType::FINISHED, &body).expect("fits");
        assert_eq!(m.len(), 4 + n);
        let back = one_message(&m);
        assert_eq!((back.typ, back.body), (HandshakeType::FINISHED, body));
    }
    let max = vec![0u8; 0xff_ffff];
    let m = handshake_message(HandshakeType::CERTIFICATE, &max).expect("the largest that fits");
    assert_eq!(&m[..4], &hex("0b ffffff")[..]);
    let over = vec![0u8; 0x100_0000];
    assert_eq!(
        handshake_message(HandshakeType::CERTIFICATE, &over),
        Err(EncodeError::TooLong {
            what: "handshake message body",
            len: 0x100_0000,
            max: 0xff_ffff
        })
    );
    assert!(finished(&over).is_err());
}

#[test]
fn rsa_client_key_exchange_has_a_length_prefix_from_tls_1_0_on() {
    let ct = [0xaau8; 8];
    assert_eq!(
        rsa_client_key_exchange(V::TLSv1_2, &ct),
        Ok(hex("10 00000a 0008 aaaaaaaaaaaaaaaa"))
    );
    assert_eq!(
        rsa_client_key_exchange(V::TLSv1_0, &ct),
        Ok(hex("10 00000a 0008 aaaaaaaaaaaaaaaa"))
    );
    // SSL 3.0: the ciphertext alone.
    assert_eq!(
        rsa_client_key_exchange(V::SSLv3, &ct),
        Ok(hex("10 000008 aaaaaaaaaaaaaaaa"))
    );
    for n in SIZES {
        let ct = vec![0x5au8; n];
        let m = one_message(&rsa_client_key_exchange(V::TLSv1_2, &ct).expect("fits"));
        assert_eq!(m.typ, HandshakeType::CLIENT_KEY_EXCHANGE);
        assert_eq!(usize::from(u16::from_be_bytes([m.body[0], m.body[1]])), n);
        assert_eq!(&m.body[2..], &ct[..]);
        let m = one_message(&rsa_client_key_exchange(V::SSLv3, &ct).expect("fits"));
        assert_eq!(m.body, ct);
    }
    let over = vec![0u8; 0x1_0000];
    assert_eq!(
        rsa_client_key_exchange(V::TLSv1_2, &over),
        Err(EncodeError::TooLong {
            what: "EncryptedPreMasterSecret",
            len: 0x1_0000,
            max: 0xffff
        })
    );
    assert!(rsa_client_key_exchange(V::SSLv3, &over).is_ok());
    assert_eq!(
        EncodeError::TooLong {
            what: "x",
            len: 9,
            max: 8
        }
        .to_string(),
        "x of 9 bytes is over the 8-byte limit"
    );
}

#[test]
fn the_robot_flight_is_three_records() {
    // ClientKeyExchange, ChangeCipherSpec, then 48 bytes of garbage as the (encrypted)
    // Finished record, as the ROBOT probe sends them.
    let garbage: Vec<u8> = (0..48).collect();
    let v = V::TLSv1_2;
    let cke = rsa_client_key_exchange(v, &[0xaa; 8]).expect("fits");
    let flight = [
        encode_record(ContentType::HANDSHAKE, v, &cke),
        change_cipher_spec_record(v),
        encode_record(ContentType::HANDSHAKE, v, &garbage),
    ]
    .concat();
    assert_eq!(
        flight,
        hex("16 0303 000e 10 00000a 0008 aaaaaaaaaaaaaaaa
             14 0303 0001 01
             16 0303 0030 000102030405060708090a0b0c0d0e0f
                          101112131415161718191a1b1c1d1e1f
                          202122232425262728292a2b2c2d2e2f")
    );
}
