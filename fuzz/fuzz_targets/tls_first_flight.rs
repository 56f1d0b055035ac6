//! Fuzz target: a server's first TLS flight (records, ServerHello, Certificate, alerts). The
//! one-shot classifier and the incremental parser fed in chunks must agree, and neither may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsgrade::wire::server::{classify_first_flight, FirstFlightParser};

fuzz_target!(|data: &[u8]| {
    let whole = classify_first_flight(data);
    // The first byte picks a chunk size, so arrival patterns are fuzzed too.
    let step = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut p = FirstFlightParser::new();
    for chunk in data.chunks(step) {
        if p.is_finished() {
            break;
        }
        p.feed(chunk);
    }
    // The parser is incremental: how the bytes arrive must not change the answer.
    assert_eq!(&whole, p.result(), "chunks of {step}");
    let _ = tlsgrade::wire::parse_alert(data);
});
