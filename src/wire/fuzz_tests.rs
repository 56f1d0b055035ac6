//! Deterministic pseudo-random robustness test: hostile bytes must never
//! make any decoder panic. No fuzzing crate — a xorshift64 generator keeps
//! the test dependency-free and reproducible.

use crate::wire::enums::{CipherSuite, ContentType, ProtocolVersion};
use crate::wire::hello::{ClientHelloBuilder, Probe};
use crate::wire::record::{HandshakeJoiner, RecordReader};
use crate::wire::server::{
    classify_first_flight, parse_certificate_list, parse_server_hello, FirstFlight,
};
use crate::wire::test_fixtures::*;
use crate::wire::tls12::messages::{parse_ecdhe_server_key_exchange, renegotiation_info};
use crate::wire::tls12::SuiteSpec;
use crate::wire::{parse_alert, FirstFlightParser, RecordHeader};

use crate::testkit::XorShift;

fn seeds() -> Vec<Vec<u8>> {
    let mut v = vec![
        tls12_server_hello_record(),
        tls13_flight(),
        hrr_record(),
        tls12_sh_cert_done_record(),
        alert_record(70),
    ];
    let mut split = record(0x16, &tls12_server_hello_msg()[..20]);
    split.extend(record(0x16, &tls12_server_hello_msg()[20..]));
    v.push(split);
    v.push(
        ClientHelloBuilder::new(Probe::Tls13)
            .build()
            .expect("build"),
    );
    v
}

/// One input: pure noise, noise behind a plausible record header, or a
/// mutated valid flight (byte flips, truncation, splicing).
fn generate(rng: &mut XorShift, seeds: &[Vec<u8>]) -> Vec<u8> {
    match rng.below(3) {
        0 => (0..rng.below(300)).map(|_| rng.byte()).collect(),
        1 => {
            let len = rng.below(400);
            let mut v = vec![0x14 + rng.below(5) as u8, 3, rng.below(5) as u8];
            v.extend_from_slice(&(len as u16).to_be_bytes());
            // Usually a handshake-looking payload with a random length.
            v.extend([2, 0, rng.byte(), rng.byte(), 3, 3]);
            v.extend((0..len).map(|_| rng.byte()));
            v
        }
        _ => {
            let mut v = seeds[rng.below(seeds.len())].clone();
            for _ in 0..1 + rng.below(4) {
                if v.is_empty() {
                    break;
                }
                let i = rng.below(v.len());
                match rng.below(4) {
                    0 => v[i] = rng.byte(),
                    1 => v[i] ^= 1 << rng.below(8),
                    2 => v.truncate(i),
                    _ => {
                        let extra: Vec<u8> = (0..rng.below(8)).map(|_| rng.byte()).collect();
                        v.splice(i..i, extra);
                    }
                }
            }
            v
        }
    }
}

#[test]
fn twenty_thousand_random_inputs_never_panic_any_decoder() {
    let seeds = seeds();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut outcomes = [0usize; 6];
    // The TLS 1.2 client's record protection, opening hostile payloads (GCM and CBC).
    let mut openers: Vec<_> = [
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    ]
    .into_iter()
    .map(|s| {
        let spec = SuiteSpec::of(s).expect("spoken");
        spec.protectors(&vec![7u8; spec.key_block_len()])
            .expect("keys")
            .1
    })
    .collect();
    for _ in 0..20_000 {
        let input = generate(&mut rng, &seeds);

        let verdict = classify_first_flight(&input);
        // Differential check: random chunking must not change the verdict.
        let mut parser = FirstFlightParser::new();
        let mut left = &input[..];
        while !left.is_empty() {
            let n = 1 + rng.below(left.len());
            parser.feed(&left[..n]);
            left = &left[n..];
        }
        assert_eq!(parser.result(), &verdict, "input {input:02x?}");

        let idx = match verdict {
            FirstFlight::NeedMore => 0,
            FirstFlight::ServerHello(_) => 1,
            FirstFlight::Alert { .. } => 2,
            FirstFlight::NotTls => 3,
            FirstFlight::SslV2Record => 4,
            FirstFlight::Malformed(_) => 5,
        };
        outcomes[idx] += 1;

        if let Ok(sh) = parse_server_hello(&input) {
            let _ = renegotiation_info(&sh);
        }
        let _ = parse_ecdhe_server_key_exchange(&input);
        for o in &mut openers {
            let _ = o.open(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLSv1_2,
                &input,
            );
        }
        let _ = parse_certificate_list(&input);
        let _ = parse_alert(&input);
        let _ = RecordHeader::parse(&input);

        // Streaming path, fed in random-sized chunks.
        let mut rr = RecordReader::new();
        let mut joiner = HandshakeJoiner::new();
        let mut rest = &input[..];
        'feed: while !rest.is_empty() {
            let n = 1 + rng.below(rest.len());
            if rr.feed(&rest[..n]).is_err() {
                break;
            }
            rest = &rest[n..];
            loop {
                match rr.next_record() {
                    Ok(Some(rec)) => {
                        if joiner.push(&rec.payload).is_err() {
                            break 'feed;
                        }
                        while let Ok(Some(_)) = joiner.next_message() {}
                    }
                    Ok(None) => break,
                    Err(_) => break 'feed,
                }
            }
        }
    }
    eprintln!(
        "fuzz outcomes [need_more, server_hello, alert, not_tls, sslv2, malformed]: {outcomes:?}"
    );
    // The generator must reach every interesting branch, not only errors.
    assert!(outcomes.iter().all(|n| *n > 0), "outcomes: {outcomes:?}");
}
