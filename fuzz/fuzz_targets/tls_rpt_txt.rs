//! Fuzz target: `_smtp._tls` TLS-RPT TXT records (RRs split at 0x00, strings at 0x01).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsgrade::policy::tls_rpt::parse_txt;

fuzz_target!(|data: &[u8]| {
    let rrs: Vec<Vec<Vec<u8>>> = data
        .split(|&b| b == 0)
        .map(|rr| rr.split(|&b| b == 1).map(<[u8]>::to_vec).collect())
        .collect();
    let _ = parse_txt(&rrs);
});
