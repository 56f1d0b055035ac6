//! Fuzz target: `_mta-sts` TXT records. The input is split into RRs at 0x00 and into strings at
//! 0x01, so multi-RR and multi-string answers are fuzzed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsgrade::policy::mta_sts::parse_txt;

fuzz_target!(|data: &[u8]| {
    let rrs: Vec<Vec<Vec<u8>>> = data
        .split(|&b| b == 0)
        .map(|rr| rr.split(|&b| b == 1).map(<[u8]>::to_vec).collect())
        .collect();
    let _ = parse_txt(&rrs);
});
