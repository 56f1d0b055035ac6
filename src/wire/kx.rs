//! ServerKeyExchange parameters (TLS ≤ 1.2, sent in clear text): the finite-field DH prime's size
//! or the ECDHE curve, which is all the cipher prober needs to grade key exchange. The signature
//! that follows the parameters is not parsed: the scanner never completes the handshake, and the
//! parameters come first (RFC 5246 §7.4.3, RFC 8422 §5.4).

use crate::wire::codec::{DecodeError, ListLength, Reader};
use crate::wire::enums::NamedGroup;

/// What a ServerKeyExchange says about the key exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyExchangeParams {
    /// ServerDHParams: the bit length of `dh_p` (leading zero bytes and bits ignored).
    Dh { p_bits: u32 },
    /// ServerECDHParams with curve_type named_curve(3).
    Ecdhe { group: NamedGroup },
    /// ServerECDHParams with explicit curve parameters (curve_type 1 or 2, deprecated by RFC
    /// 8422 §5.4): reported, not decoded.
    ExplicitCurve,
}

/// Which parameters to expect: the cipher suite decides the layout, the message does not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KxKind {
    Dhe,
    Ecdhe,
}

/// Parses the parameters at the front of a ServerKeyExchange body (after the 4-byte handshake
/// header).
///
/// ```text
/// struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>; opaque dh_Ys<1..2^16-1>; } ServerDHParams;
/// struct { ECCurveType curve_type; NamedCurve namedcurve; opaque point<1..2^8-1>; } ServerECDHParams;
/// ```
pub fn parse_server_key_exchange(
    body: &[u8],
    kind: KxKind,
) -> Result<KeyExchangeParams, DecodeError> {
    let mut r = Reader::new(body);
    match kind {
        KxKind::Dhe => {
            let p = r.sub(ListLength::U16, "ServerDHParams.dh_p")?.rest();
            let g = r.sub(ListLength::U16, "ServerDHParams.dh_g")?;
            let ys = r.sub(ListLength::U16, "ServerDHParams.dh_Ys")?;
            if p.is_empty() || g.is_empty() || ys.is_empty() {
                return Err(DecodeError::Invalid("empty DH parameter"));
            }
            Ok(KeyExchangeParams::Dh {
                p_bits: bit_length(p),
            })
        }
        KxKind::Ecdhe => match r.u8("ServerECDHParams.curve_type")? {
            3 => {
                let group = NamedGroup(r.u16("ServerECDHParams.namedcurve")?);
                let point = r.sub(ListLength::U8, "ServerECDHParams.point")?;
                if point.is_empty() {
                    return Err(DecodeError::Invalid("empty ECDH point"));
                }
                Ok(KeyExchangeParams::Ecdhe { group })
            }
            1 | 2 => Ok(KeyExchangeParams::ExplicitCurve),
            _ => Err(DecodeError::Invalid("ServerECDHParams.curve_type")),
        },
    }
}

/// Bits of a big-endian unsigned integer, ignoring leading zeros (a 1024-bit prime may be
/// encoded with a leading 0x00 byte).
fn bit_length(n: &[u8]) -> u32 {
    let Some(i) = n.iter().position(|&b| b != 0) else {
        return 0;
    };
    (n.len() - i - 1) as u32 * 8 + (8 - n[i].leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dh_body(p: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        for v in [p, &[2u8][..], &[0x55u8; 4][..]] {
            b.extend_from_slice(&(v.len() as u16).to_be_bytes());
            b.extend_from_slice(v);
        }
        // A signature follows in real messages; it must not disturb the parse.
        b.extend_from_slice(&[0x04, 0x01, 0x00, 0x02, 0xaa, 0xbb]);
        b
    }

    #[test]
    fn dh_prime_size_is_its_bit_length() {
        let mut p = vec![0xffu8; 128];
        assert_eq!(
            parse_server_key_exchange(&dh_body(&p), KxKind::Dhe),
            Ok(KeyExchangeParams::Dh { p_bits: 1024 })
        );
        // A leading zero byte (sign padding) does not make the group bigger.
        p.insert(0, 0);
        assert_eq!(
            parse_server_key_exchange(&dh_body(&p), KxKind::Dhe),
            Ok(KeyExchangeParams::Dh { p_bits: 1024 })
        );
        assert_eq!(bit_length(&[0x01, 0x00]), 9);
        assert_eq!(bit_length(&[0, 0]), 0);
    }

    #[test]
    fn ecdhe_named_curve_is_read_byte_exactly() {
        // curve_type 3, secp384r1 (0x0018), a 3-byte point, then signature bytes.
        let body = [3, 0x00, 0x18, 3, 4, 1, 2, 0x04, 0x03, 0x00, 0x01, 0x00];
        assert_eq!(
            parse_server_key_exchange(&body, KxKind::Ecdhe),
            Ok(KeyExchangeParams::Ecdhe {
                group: NamedGroup::SECP384R1
            })
        );
        assert_eq!(
            parse_server_key_exchange(&[1, 0, 0], KxKind::Ecdhe),
            Ok(KeyExchangeParams::ExplicitCurve)
        );
        assert!(parse_server_key_exchange(&[9, 0, 0x17, 1, 4], KxKind::Ecdhe).is_err());
    }

    #[test]
    fn every_truncation_fails_to_decode() {
        let dh = dh_body(&[0xc5; 64]);
        // The parameters end 6 bytes before the end (the signature is not read).
        for n in 0..dh.len() - 6 {
            assert!(
                parse_server_key_exchange(&dh[..n], KxKind::Dhe).is_err(),
                "DH prefix of {n} bytes decoded"
            );
        }
        let ec = [3, 0x00, 0x1d, 2, 9, 9];
        for n in 0..ec.len() {
            assert!(
                parse_server_key_exchange(&ec[..n], KxKind::Ecdhe).is_err(),
                "ECDHE prefix of {n} bytes decoded"
            );
        }
    }
}
