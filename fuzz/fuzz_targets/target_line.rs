//! Fuzz target: target strings and targets files, through the one-shot parser and the streaming
//! `LineSource` with a tiny buffer; both must agree line for line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsgrade::target::{parse_file_bytes, parse_target, LineSource};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = parse_target(s);
    }
    let (good, bad) = parse_file_bytes(data);
    let streamed: Vec<_> = LineSource::new(std::io::BufReader::with_capacity(7, data)).collect();
    assert_eq!(streamed.len(), good.len() + bad.len());
    for i in &bad {
        assert!(i.input.len() <= 4096);
    }
});
