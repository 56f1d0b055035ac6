//! Grading: a pure pass over finished results (spec-digest §5.4, docs/grading.md).
//!
//! Every finding is a [`Check`] with a stable id, a status and an optional cap. The endpoint grade
//! is the SSL Labs-style score letter lowered to the worst triggered cap; the domain grade is the
//! worst endpoint grade lowered by the domain's own caps. "Could not test" (status `error`) is
//! never a failure: an endpoint with nothing but errors is "?".

pub mod rubric;

use crate::report::{Check, Grade, GradeValue, Status};

/// The three SSL Labs score categories (0–100 each), when known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    pub protocol: Option<u32>,
    pub key_exchange: Option<u32>,
    pub cipher: Option<u32>,
}

/// Protocol score of a version name (SSL Labs: SSL3 80, TLS1.0 90, TLS1.1 95, TLS1.2+ 100).
pub fn protocol_points(version: &str) -> Option<u32> {
    Some(match version {
        "SSLv2" => 0,
        "SSLv3" => 80,
        "TLSv1.0" => 90,
        "TLSv1.1" => 95,
        "TLSv1.2" | "TLSv1.3" => 100,
        _ => return None,
    })
}

/// Key-exchange score from an RSA-equivalent strength in bits (<512 20, <1024 40, <2048 80,
/// <4096 90, else 100). EC keys count as the RSA size of the same strength (NIST SP 800-57).
pub fn key_exchange_points(rsa_equivalent_bits: u32) -> u32 {
    match rsa_equivalent_bits {
        0..=511 => 20,
        512..=1023 => 40,
        1024..=2047 => 80,
        2048..=4095 => 90,
        _ => 100,
    }
}

/// RSA-equivalent bits of a key or group as the report names it.
pub fn rsa_equivalent(key_type: &str, bits: Option<u32>) -> Option<u32> {
    Some(match key_type {
        "RSA" | "DH" => bits?,
        "EC P-224" => 2048,
        "EC P-256" | "x25519" | "secp256r1" | "Ed25519" => 3072,
        "EC P-384" | "secp384r1" | "Ed448" | "x448" => 7680,
        "EC P-521" | "secp521r1" => 15360,
        _ => return None,
    })
}

/// Cipher score from the symmetric key length (0 → 0, <128 → 20, <256 → 80, ≥256 → 100).
pub fn cipher_points(bits: u32) -> u32 {
    match bits {
        0 => 0,
        1..=127 => 20,
        128..=255 => 80,
        _ => 100,
    }
}

/// Symmetric key bits of a suite from its IANA name.
pub fn cipher_bits(suite: &str) -> Option<u32> {
    if suite.contains("_NULL_") || suite.ends_with("_NULL") {
        Some(0)
    } else if suite.contains("AES_256")
        || suite.contains("CHACHA20")
        || suite.contains("CAMELLIA_256")
        || suite.contains("ARIA_256")
    {
        Some(256)
    } else if suite.contains("AES_128")
        || suite.contains("CAMELLIA_128")
        || suite.contains("ARIA_128")
        || suite.contains("SEED")
    {
        Some(128)
    } else if suite.contains("3DES") {
        Some(112)
    } else if suite.contains("RC4_128") {
        Some(128)
    } else if suite.contains("DES40") || suite.contains("RC4_40") || suite.contains("_DES_") {
        Some(56)
    } else {
        None
    }
}

/// SSL Labs score (0.3·protocol + 0.3·key exchange + 0.4·cipher) mapped to our letters
/// (≥80 A, ≥65 B, ≥50 C, ≥20 D, else F; E folds into D). `None` when a category is unknown.
pub fn score_letter(s: &Score) -> Option<Grade> {
    let (p, k, c) = (s.protocol?, s.key_exchange?, s.cipher?);
    if p == 0 || k == 0 || c == 0 {
        return Some(Grade::F);
    }
    let total = (3 * p + 3 * k + 4 * c) / 10;
    Some(match total {
        80.. => Grade::A,
        65..=79 => Grade::B,
        50..=64 => Grade::C,
        20..=49 => Grade::D,
        _ => Grade::F,
    })
}

/// The worst cap among the checks that triggered it (a passing check never caps).
pub fn worst_cap(checks: &[Check]) -> Option<Grade> {
    checks
        .iter()
        .filter(|c| c.status != Status::Pass && c.status != Status::Error)
        .filter_map(|c| c.cap)
        .max()
}

/// Endpoint grade. `reached_tls` says whether a TLS handshake gave results to score; without it
/// only failing checks can grade the endpoint (otherwise it is "?"). `a_plus_evidence` is true
/// when the rubric's A+ conditions that are not checks hold (TLS 1.3, only TLS ≥1.2, only
/// AEAD+FS suites, authenticated by DANE or MTA-STS enforce).
pub fn endpoint_grade(
    checks: &[Check],
    score: &Score,
    reached_tls: bool,
    a_plus_evidence: bool,
) -> GradeValue {
    let cap = worst_cap(checks);
    if !reached_tls {
        return match cap {
            Some(g) if checks.iter().any(|c| c.status == Status::Fail) => GradeValue::Letter(g),
            _ => GradeValue::Unknown,
        };
    }
    let base = score_letter(score).unwrap_or(Grade::A);
    let g = cap.map_or(base, |c| c.max(base));
    let warned = checks
        .iter()
        .any(|c| c.status == Status::Warn || c.status == Status::Fail);
    if g == Grade::A && a_plus_evidence && !warned {
        GradeValue::Letter(Grade::APlus)
    } else {
        GradeValue::Letter(g)
    }
}

/// Domain grade: the worst graded endpoint, lowered by the domain checks' caps. Endpoints that
/// could not be tested ("?") are left out but block A+; when every endpoint is "?", so is the
/// domain. `a_plus_evidence`: domain-level DANE or MTA-STS enforce covering every MX, and TLS-RPT.
pub fn domain_grade(
    endpoint_grades: &[GradeValue],
    domain_checks: &[Check],
    a_plus_evidence: bool,
) -> GradeValue {
    let letters: Vec<Grade> = endpoint_grades
        .iter()
        .filter_map(|g| match g {
            GradeValue::Letter(l) => Some(*l),
            GradeValue::Unknown => None,
        })
        .collect();
    let cap = worst_cap(domain_checks);
    let Some(worst) = letters.iter().max().copied() else {
        // Nothing graded: only a domain-level failure (e.g. every MX unroutable) can grade it.
        return match cap {
            Some(Grade::F) => GradeValue::Letter(Grade::F),
            _ => GradeValue::Unknown,
        };
    };
    let mut g = cap.map_or(worst, |c| c.max(worst));
    let any_unknown = letters.len() != endpoint_grades.len();
    if g == Grade::APlus && (any_unknown || !a_plus_evidence) {
        g = Grade::A;
    }
    GradeValue::Letter(g)
}

/// Sorts checks for display: most severe cap first, then status severity, then id (stable
/// output for the same input).
pub fn sort_checks(checks: &mut [Check]) {
    fn rank(s: Status) -> u8 {
        match s {
            Status::Fail => 0,
            Status::Error => 1,
            Status::Warn => 2,
            Status::Info => 3,
            Status::Pass => 4,
        }
    }
    checks.sort_by(|a, b| {
        let ca = a.cap.filter(|_| a.status != Status::Pass);
        let cb = b.cap.filter(|_| b.status != Status::Pass);
        cb.cmp(&ca)
            .then(rank(a.status).cmp(&rank(b.status)))
            .then(a.id.cmp(&b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::rubric::CheckId;

    fn good_score() -> Score {
        Score {
            protocol: Some(100),
            key_exchange: Some(90),
            cipher: Some(80),
        }
    }

    #[test]
    fn score_formula_matches_ssl_labs_weights() {
        // 0.3*100 + 0.3*90 + 0.4*80 = 89 → A
        assert_eq!(score_letter(&good_score()), Some(Grade::A));
        // TLS 1.0 only (90), 1024-bit key (80), 3DES (80): 27+24+32 = 83 → A before caps
        let s = Score {
            protocol: Some(90),
            key_exchange: Some(80),
            cipher: Some(80),
        };
        assert_eq!(score_letter(&s), Some(Grade::A));
        let s = Score {
            protocol: Some(80),
            key_exchange: Some(40),
            cipher: Some(20),
        };
        // 24+12+8 = 44 → D (E folds into D)
        assert_eq!(score_letter(&s), Some(Grade::D));
        let s = Score {
            protocol: Some(100),
            key_exchange: Some(0),
            cipher: Some(100),
        };
        assert_eq!(score_letter(&s), Some(Grade::F));
        assert_eq!(score_letter(&Score::default()), None);
    }

    #[test]
    fn caps_lower_the_grade_and_passing_checks_do_not() {
        let checks = vec![
            Check::new(CheckId::StarttlsOffered, Status::Pass, ""),
            Check::new(CheckId::CertSelfSigned, Status::Warn, ""),
        ];
        assert_eq!(
            endpoint_grade(&checks, &good_score(), true, false),
            GradeValue::Letter(Grade::B)
        );
        let checks = vec![Check::new(CheckId::StarttlsOffered, Status::Fail, "")];
        assert_eq!(
            endpoint_grade(&checks, &Score::default(), false, false),
            GradeValue::Letter(Grade::F)
        );
    }

    #[test]
    fn errors_alone_give_unknown_not_fail() {
        let checks = vec![Check::new(CheckId::SmtpGreeting, Status::Error, "timeout")];
        assert_eq!(
            endpoint_grade(&checks, &Score::default(), false, false),
            GradeValue::Unknown
        );
    }

    #[test]
    fn a_plus_needs_evidence_and_no_warnings() {
        let clean = vec![Check::new(CheckId::CertTrusted, Status::Pass, "")];
        assert_eq!(
            endpoint_grade(&clean, &good_score(), true, true),
            GradeValue::Letter(Grade::APlus)
        );
        assert_eq!(
            endpoint_grade(&clean, &good_score(), true, false),
            GradeValue::Letter(Grade::A)
        );
        let warned = vec![Check::new(CheckId::CertExpiring, Status::Warn, "")];
        assert_eq!(
            endpoint_grade(&warned, &good_score(), true, true),
            GradeValue::Letter(Grade::A)
        );
    }

    #[test]
    fn domain_takes_the_worst_endpoint_ignoring_unknown_but_unknown_blocks_a_plus() {
        use GradeValue::*;
        let g = domain_grade(&[Letter(Grade::APlus), Letter(Grade::F)], &[], true);
        assert_eq!(g, Letter(Grade::F));
        let g = domain_grade(&[Letter(Grade::APlus), Unknown], &[], true);
        assert_eq!(g, Letter(Grade::A));
        let g = domain_grade(&[Letter(Grade::APlus)], &[], true);
        assert_eq!(g, Letter(Grade::APlus));
        assert_eq!(domain_grade(&[Unknown, Unknown], &[], true), Unknown);
        let caps = [Check::new(CheckId::MxImplicit, Status::Warn, "")];
        assert_eq!(
            domain_grade(&[Letter(Grade::APlus)], &caps, true),
            Letter(Grade::A)
        );
    }

    #[test]
    fn cipher_bits_from_iana_names() {
        assert_eq!(cipher_bits("TLS_AES_128_GCM_SHA256"), Some(128));
        assert_eq!(cipher_bits("TLS_CHACHA20_POLY1305_SHA256"), Some(256));
        assert_eq!(
            cipher_bits("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            Some(256)
        );
        assert_eq!(cipher_bits("TLS_RSA_WITH_3DES_EDE_CBC_SHA"), Some(112));
        assert_eq!(cipher_bits("TLS_RSA_WITH_NULL_SHA"), Some(0));
    }

    #[test]
    fn checks_sort_by_cap_then_status() {
        let mut c = vec![
            Check::new(CheckId::CertTrusted, Status::Pass, ""),
            Check::new(CheckId::CertSelfSigned, Status::Warn, ""),
            Check::new(CheckId::TlsSslv3, Status::Fail, ""),
            Check::new(CheckId::TlsCipher, Status::Info, ""),
        ];
        sort_checks(&mut c);
        let ids: Vec<_> = c.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "tls.sslv3",
                "cert.self-signed",
                "tls.cipher",
                "cert.trusted"
            ]
        );
    }
}
