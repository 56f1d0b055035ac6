//! The SSL Labs score: 0.3 × protocol + 0.3 × key exchange + 0.4 × cipher, each 0–100, from an
//! endpoint's facts, and its letter. Caps (the rubric) lower that letter afterwards.

use crate::report::{EndpointReport, Grade};
use crate::wire::enums::{NamedGroup, ProtocolVersion};
use crate::wire::suites;

/// The three score categories (0–100 each), when known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    pub protocol: Option<u32>,
    pub key_exchange: Option<u32>,
    pub cipher: Option<u32>,
}

/// Protocol score of a version (SSL 3.0 80, TLS 1.0 90, TLS 1.1 95, TLS 1.2 and 1.3 100; SSL 2.0
/// would be 0, but it is never probed).
pub fn protocol_points(v: ProtocolVersion) -> Option<u32> {
    Some(match v {
        ProtocolVersion::SSLv3 => 80,
        ProtocolVersion::TLSv1_0 => 90,
        ProtocolVersion::TLSv1_1 => 95,
        ProtocolVersion::TLSv1_2 | ProtocolVersion::TLSv1_3 => 100,
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

/// Cipher score from the symmetric key length (0 → 0, <128 → 20, <256 → 80, ≥256 → 100).
pub fn cipher_points(bits: u32) -> u32 {
    match bits {
        0 => 0,
        1..=127 => 20,
        128..=255 => 80,
        _ => 100,
    }
}

/// The score (weights 0.3, 0.3, 0.4) mapped to letters: ≥80 A, ≥65 B, ≥50 C, ≥20 D, else F
/// (SSL Labs' E folds into D). `None` when a category is unknown; any category at 0 is an F.
pub fn letter(s: &Score) -> Option<Grade> {
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

/// The score of an endpoint that completed a handshake:
/// - protocol: the mean of the best and worst accepted versions (the negotiated one when the
///   version matrix is unknown);
/// - key exchange: the weakest of the certificate key, the negotiated group and the DHE group
///   the cipher probes saw;
/// - cipher: the negotiated suite, averaged with the weakest accepted suite the probes saw (a
///   NULL suite makes the category 0, hence the whole score).
///
/// Anonymous suites do not zero the key exchange as in SSL Labs: RFC 7672 §8.2 tolerates them
/// for SMTP, so they cap at A instead (`cipher.anon`).
pub fn of(rep: &EndpointReport) -> Score {
    let Some(neg) = &rep.negotiated else {
        return Score::default();
    };
    let key = rep
        .certificate
        .as_ref()
        .and_then(|c| c.chain.first())
        .and_then(|leaf| leaf.key_type.rsa_equivalent_bits(leaf.key_bits));
    let group = neg.group.and_then(NamedGroup::rsa_equivalent_bits);
    let dh = rep.key_exchange.as_ref().and_then(|k| k.dh_bits);
    let kx = [key, group, dh].into_iter().flatten().min();
    let accepted: Vec<u32> = rep
        .protocols
        .iter()
        .flat_map(|m| m.iter())
        .filter(|(_, v)| **v == Some(true))
        .filter_map(|(v, _)| protocol_points(v))
        .collect();
    let protocol = match (accepted.iter().max(), accepted.iter().min()) {
        (Some(best), Some(worst)) => Some((best + worst) / 2),
        _ => protocol_points(neg.version),
    };
    let negotiated = suites::info(neg.cipher)
        .and_then(|s| s.key_bits())
        .map(cipher_points);
    let weakest = rep
        .ciphers
        .as_ref()
        .and_then(|c| c.weakest_bits)
        .map(cipher_points);
    let cipher = match (negotiated, weakest) {
        (Some(_), Some(0)) => Some(0),
        (Some(best), Some(weak)) => Some((best.max(weak) + best.min(weak)) / 2),
        (best, _) => best,
    };
    Score {
        protocol,
        key_exchange: kx.map(key_exchange_points),
        cipher,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_formula_has_ssl_labs_weights() {
        let s = |protocol, key_exchange, cipher| Score {
            protocol: Some(protocol),
            key_exchange: Some(key_exchange),
            cipher: Some(cipher),
        };
        // 0.3*100 + 0.3*90 + 0.4*80 = 89 → A
        assert_eq!(letter(&s(100, 90, 80)), Some(Grade::A));
        // TLS 1.0 only (90), 1024-bit key (80), 3DES (80): 27+24+32 = 83 → A before caps
        assert_eq!(letter(&s(90, 80, 80)), Some(Grade::A));
        // 24+12+8 = 44 → D (E folds into D)
        assert_eq!(letter(&s(80, 40, 20)), Some(Grade::D));
        assert_eq!(letter(&s(100, 0, 100)), Some(Grade::F));
        assert_eq!(letter(&Score::default()), None);
    }

    #[test]
    fn versions_score_by_their_age() {
        assert_eq!(protocol_points(ProtocolVersion::SSLv3), Some(80));
        assert_eq!(protocol_points(ProtocolVersion::TLSv1_1), Some(95));
        assert_eq!(protocol_points(ProtocolVersion::TLSv1_3), Some(100));
        assert_eq!(protocol_points(ProtocolVersion(0x7f1c)), None);
    }
}
