//! Fuzz target: the MTA-STS policy file, alone and behind the HTTP checks (status, content type
//! taken from the first bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsgrade::policy::mta_sts::{evaluate_response, parse_policy};

fuzz_target!(|data: &[u8]| {
    let _ = parse_policy(data);
    if data.len() >= 3 {
        let status = u16::from_be_bytes([data[0], data[1]]) % 600;
        let ct_len = usize::from(data[2]).min(data.len() - 3);
        let ct = String::from_utf8_lossy(&data[3..3 + ct_len]);
        let body = &data[3 + ct_len..];
        let _ = evaluate_response(status, Some(&ct), body, false);
    }
});
