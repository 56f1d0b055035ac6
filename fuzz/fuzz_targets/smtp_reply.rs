//! Fuzz target: SMTP reply lines, one at a time and as a whole multi-line reply read through the
//! bounded line reader from an in-memory stream.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tlsgrade::net::lines::LineReader;
use tlsgrade::net::starttls::{parse_reply_line, read_smtp_reply};

fuzz_target!(|data: &[u8]| {
    for line in data.split(|&b| b == b'\n') {
        if let Ok((code, _, text)) = parse_reply_line(line) {
            assert!(code <= 999);
            assert!(text.len() <= line.len());
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut r = LineReader::new();
        let mut s: &[u8] = data;
        // A slice never blocks: the reader ends on a reply, an error or the end of the bytes.
        while let Ok(reply) = read_smtp_reply(&mut r, &mut s, Duration::from_secs(5), "fuzz").await
        {
            assert!(!reply.lines.is_empty());
            let _ = reply.summary();
        }
    });
});
