//! Deterministic pseudo-random robustness test: every public parser is fed
//! 20,000 inputs built from a xorshift generator mixing protocol tokens,
//! separators and raw bytes. The test asserts no panic and a few cheap
//! invariants (no control characters in details, valid results carry no
//! invalid-findings).

use crate::policy::{mta_sts, tls_rpt};
use crate::report::Check;

use crate::testkit::XorShift;

const TOKENS: &[&[u8]] = &[
    b"v=STSv1",
    b"v=TLSRPTv1",
    b"v=stsv1",
    b";",
    b"; ",
    b" ",
    b"\t",
    b"id=",
    b"20240101abc",
    b"rua=",
    b"mailto:tlsrpt@example.com",
    b"https://r.example/x",
    b"ftp://x",
    b",",
    b"!10m",
    b"=",
    b"%2",
    b"%21",
    b"version: STSv1\r\n",
    b"mode: enforce\n",
    b"mode: testing\n",
    b"mode: none\n",
    b"max_age: 86400\n",
    b"max_age: 99999999999\n",
    b"mx: *.example.com\n",
    b"mx: mail.example.com.\n",
    b"mx: ",
    b"mx: b\xc3\xbccher.example\n",
    b":",
    b"\r",
    b"\n",
    b"*.",
    b".",
    b"-",
    b"xn--",
    b"@",
    b"//",
    b"[",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\x00",
    b"\x1b[31m",
    b"example.com",
];

fn gen_bytes(rng: &mut XorShift) -> Vec<u8> {
    let mut out = Vec::new();
    let parts = rng.below(12);
    for _ in 0..parts {
        if rng.below(4) == 0 {
            for _ in 0..rng.below(6) {
                out.push(rng.next() as u8);
            }
        } else {
            out.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
        }
    }
    out
}

fn gen_rrs(rng: &mut XorShift) -> Vec<Vec<Vec<u8>>> {
    (0..rng.below(4))
        .map(|_| (0..1 + rng.below(3)).map(|_| gen_bytes(rng)).collect())
        .collect()
}

fn check(findings: &[Check]) {
    for f in findings {
        assert!(
            !f.detail.chars().any(char::is_control),
            "control character in {f:?}"
        );
        assert!(f.id.allows(f.status), "{f:?}");
    }
}

#[test]
fn twenty_thousand_pseudo_random_inputs_never_panic_any_parser() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let statuses = [200u16, 204, 206, 301, 302, 404, 500, 0, 999];
    let mut valid = [0usize; 3];
    for i in 0..20_000 {
        let mut rrs = gen_rrs(&mut rng);
        // Bias a third of the record sets towards a valid record each, so
        // the success paths are exercised as well as the error paths.
        let prefix: &[u8] = match i % 3 {
            0 => b"v=STSv1; id=abc1",
            1 => b"v=TLSRPTv1; rua=mailto:a@b.example",
            _ => b"",
        };
        if !prefix.is_empty() {
            let tail = if rng.below(2) == 0 {
                Vec::new()
            } else {
                gen_bytes(&mut rng)
            };
            rrs.push(vec![prefix.to_vec(), tail]);
        }
        let sts = mta_sts::parse_txt(&rrs);
        check(&sts.findings);
        if sts.record.is_some() {
            valid[0] += 1;
            assert!(!sts.findings.iter().any(|f| f.id == "mta-sts.txt-invalid"));
        }
        let rpt = tls_rpt::parse_txt(&rrs);
        check(&rpt.findings);
        if let Some(r) = &rpt.record {
            valid[1] += 1;
            assert!(!r.rua.is_empty());
        }

        let mut body = gen_bytes(&mut rng);
        // Bias half the bodies towards a (nearly) valid policy.
        let prefix: &[u8] = match i % 4 {
            0 => b"version: STSv1\nmode: enforce\nmax_age: 86400\nmx: ",
            1 => b"version: STSv1\r\nmode: testing\r\nmax_age: 86400\r\nmx: a.example\r\n",
            _ => b"",
        };
        if !prefix.is_empty() {
            let mut b = prefix.to_vec();
            b.extend_from_slice(&body);
            body = b;
        }
        if i % 5000 == 0 {
            body.resize(70_000, b'\n');
        }
        let ct_raw = gen_bytes(&mut rng);
        let ct = String::from_utf8_lossy(&ct_raw);
        let ct = if rng.below(3) == 0 {
            None
        } else {
            Some(ct.as_ref())
        };
        let status = statuses[rng.below(statuses.len())];
        let out = mta_sts::evaluate_response(status, ct, &body, rng.below(10) == 0);
        check(&out.findings);
        let parsed = mta_sts::parse_policy(&body);
        check(&parsed.findings);
        let host = String::from_utf8_lossy(&gen_bytes(&mut rng)).into_owned();
        if let Some(p) = &parsed.policy {
            valid[2] += 1;
            assert!(!parsed
                .findings
                .iter()
                .any(|f| f.id == "mta-sts.policy-invalid"));
            let _ = p.covers(&host);
            let _ = p.covers("mail.example.com.");
        }
        if let Ok((pat, _)) = mta_sts::MxPattern::parse(&host) {
            let _ = pat.matches(&host);
            let _ = pat.matches(&host.to_uppercase());
        }
    }
    eprintln!("valid counts {valid:?}");
    // The generator must actually reach the success paths.
    assert!(valid.iter().all(|&n| n > 0), "valid counts {valid:?}");
}
