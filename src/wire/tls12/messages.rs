//! The TLS 1.2 handshake messages tlsgrade's own client sends (ClientHello with or without
//! RFC 5746 renegotiation_info, ECDHE ClientKeyExchange) and the server messages it needs
//! beyond [`crate::wire::server`]: an ECDHE ServerKeyExchange with its signature algorithm, and
//! the ServerHello's renegotiation_info.

use crate::wire::codec::{encode_len_prefixed, DecodeError, ListLength, Reader};
use crate::wire::enums::{
    CipherSuite, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::wire::flight::{handshake_message, EncodeError};
use crate::wire::server::ServerHello;

/// What a ClientHello offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOffer {
    /// Suites in preference order (signalling values are added by the fields below).
    pub suites: Vec<CipherSuite>,
    /// signature_algorithms in preference order.
    pub signature_schemes: Vec<SignatureScheme>,
    /// supported_groups (the curves this client can compute with).
    pub groups: Vec<NamedGroup>,
    /// RFC 5746: `None` sends neither renegotiation_info nor the SCSV; `Some(data)` sends the
    /// extension carrying `data` (empty in an initial handshake, the client's last verify_data
    /// in a renegotiation, RFC 5746 §3.5).
    pub renegotiation_info: Option<Vec<u8>>,
    /// SNI (a DNS name; `None` for none).
    pub server_name: Option<String>,
}

/// The groups the client can compute ECDHE with (ring's X25519 and P-256).
pub const CLIENT_GROUPS: &[NamedGroup] = &[NamedGroup::X25519, NamedGroup::SECP256R1];

impl ClientOffer {
    /// The ClientHello handshake message (not a record) with `random`.
    pub fn client_hello(&self, random: &[u8; 32]) -> Result<Vec<u8>, EncodeError> {
        // Bounds every length prefix below far under its limit.
        let lists = [
            ("cipher_suites", self.suites.len(), 1000),
            ("signature_algorithms", self.signature_schemes.len(), 100),
            ("supported_groups", self.groups.len(), 100),
            (
                "server_name",
                self.server_name.as_ref().map_or(0, String::len),
                253,
            ),
            (
                "renegotiation_info",
                self.renegotiation_info.as_ref().map_or(0, Vec::len),
                64,
            ),
        ];
        if let Some((what, len, max)) = lists.into_iter().find(|(_, len, max)| len > max) {
            return Err(EncodeError::TooLong { what, len, max });
        }
        let mut body = Vec::with_capacity(256);
        body.extend_from_slice(&ProtocolVersion::TLSv1_2.0.to_be_bytes());
        body.extend_from_slice(random);
        body.push(0); // empty session_id: never resumed
        encode_len_prefixed(&mut body, ListLength::U16, |o| {
            for s in &self.suites {
                o.extend_from_slice(&s.0.to_be_bytes());
            }
        });
        body.extend_from_slice(&[1, 0]); // null compression only
        encode_len_prefixed(&mut body, ListLength::U16, |e| {
            if let Some(name) = &self.server_name {
                ext(e, ExtensionType::SERVER_NAME, |o| {
                    encode_len_prefixed(o, ListLength::U16, |o| {
                        o.push(0); // host_name
                        encode_len_prefixed(o, ListLength::U16, |o| {
                            o.extend_from_slice(name.as_bytes())
                        });
                    })
                });
            }
            ext(e, ExtensionType::SUPPORTED_GROUPS, |o| {
                encode_len_prefixed(o, ListLength::U16, |o| {
                    for g in &self.groups {
                        o.extend_from_slice(&g.0.to_be_bytes());
                    }
                })
            });
            ext(e, ExtensionType::EC_POINT_FORMATS, |o| {
                o.extend_from_slice(&[1, 0])
            });
            ext(e, ExtensionType::SIGNATURE_ALGORITHMS, |o| {
                encode_len_prefixed(o, ListLength::U16, |o| {
                    for s in &self.signature_schemes {
                        o.extend_from_slice(&s.0.to_be_bytes());
                    }
                })
            });
            if let Some(ri) = &self.renegotiation_info {
                ext(e, ExtensionType::RENEGOTIATION_INFO, |o| {
                    encode_len_prefixed(o, ListLength::U8, |o| o.extend_from_slice(ri))
                });
            }
        });
        handshake_message(HandshakeType::CLIENT_HELLO, &body)
    }
}

fn ext(out: &mut Vec<u8>, typ: ExtensionType, body: impl FnOnce(&mut Vec<u8>)) {
    out.extend_from_slice(&typ.0.to_be_bytes());
    encode_len_prefixed(out, ListLength::U16, body);
}

/// The ServerHello's renegotiation_info: `None` when absent, else its renegotiated_connection
/// (RFC 5746 §3.2).
pub fn renegotiation_info(sh: &ServerHello) -> Result<Option<Vec<u8>>, DecodeError> {
    let Some(data) = sh.extension(ExtensionType::RENEGOTIATION_INFO) else {
        return Ok(None);
    };
    let mut r = Reader::new(data);
    let inner = r.sub(ListLength::U8, "renegotiation_info")?.rest().to_vec();
    r.expect_empty("renegotiation_info")?;
    Ok(Some(inner))
}

/// An ECDHE ServerKeyExchange (RFC 8422 §5.4) with a named curve and a TLS 1.2 signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerKeyExchange {
    pub group: NamedGroup,
    /// The server's public point (32 bytes for X25519, 65 uncompressed for P-256).
    pub point: Vec<u8>,
    /// The SignatureAndHashAlgorithm it is signed with (RFC 5246 §7.4.1.4.1).
    pub scheme: SignatureScheme,
}

/// Parses an ECDHE ServerKeyExchange body (after the 4-byte handshake header). The signature
/// itself is not verified: the probes measure the server, they do not trust it.
pub fn parse_ecdhe_server_key_exchange(body: &[u8]) -> Result<ServerKeyExchange, DecodeError> {
    let mut r = Reader::new(body);
    if r.u8("ServerECDHParams.curve_type")? != 3 {
        return Err(DecodeError::Invalid("ServerECDHParams.curve_type"));
    }
    let group = NamedGroup(r.u16("ServerECDHParams.namedcurve")?);
    let point = r
        .sub(ListLength::U8, "ServerECDHParams.point")?
        .rest()
        .to_vec();
    if point.is_empty() {
        return Err(DecodeError::Invalid("empty ECDH point"));
    }
    let scheme = SignatureScheme(r.u16("DigitallySigned.algorithm")?);
    let sig = r.sub(ListLength::U16, "DigitallySigned.signature")?;
    if sig.is_empty() {
        return Err(DecodeError::Invalid("empty signature"));
    }
    r.expect_empty("ServerKeyExchange")?;
    Ok(ServerKeyExchange {
        group,
        point,
        scheme,
    })
}

/// An ECDHE ClientKeyExchange carrying the client's public point (RFC 8422 §5.7).
pub fn ecdhe_client_key_exchange(point: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let len = u8::try_from(point.len()).map_err(|_| EncodeError::TooLong {
        what: "ECPoint",
        len: point.len(),
        max: 255,
    })?;
    let mut body = vec![len];
    body.extend_from_slice(point);
    handshake_message(HandshakeType::CLIENT_KEY_EXCHANGE, &body)
}

/// A handshake message's wire form (type, 24-bit length, body) as the transcript hashes it.
pub fn framed(typ: HandshakeType, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(4 + body.len());
    m.push(typ.0);
    crate::wire::codec::put_u24(&mut m, body.len() as u32);
    m.extend_from_slice(body);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::server::parse_server_hello;

    fn offer(ri: Option<Vec<u8>>) -> ClientOffer {
        ClientOffer {
            suites: vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
            signature_schemes: vec![SignatureScheme::RSA_PKCS1_SHA256],
            groups: CLIENT_GROUPS.to_vec(),
            renegotiation_info: ri,
            server_name: Some("mx.example".into()),
        }
    }

    #[test]
    fn the_hello_carries_renegotiation_info_only_when_asked() {
        let ri_ext = [0xff, 0x01, 0, 13, 12];
        let with = offer(Some(vec![7; 12])).client_hello(&[1; 32]).unwrap();
        assert_eq!(with[0], 1);
        assert_eq!(
            with.len(),
            4 + ((with[1] as usize) << 16 | (with[2] as usize) << 8 | with[3] as usize)
        );
        assert!(with.windows(5).any(|w| w == ri_ext));
        assert!(with.ends_with(&[7; 12]));
        let initial = offer(Some(Vec::new())).client_hello(&[1; 32]).unwrap();
        assert!(initial.ends_with(&[0xff, 0x01, 0, 1, 0]));
        let without = offer(None).client_hello(&[1; 32]).unwrap();
        assert!(!without.windows(2).any(|w| w == [0xff, 0x01]));
        // client_version 1.2, the random, an empty session id, one suite.
        assert_eq!(&without[4..6], &[3, 3]);
        assert_eq!(&without[6..38], &[1; 32]);
        assert_eq!(&without[38..43], &[0, 0, 2, 0xc0, 0x2f]);
    }

    fn ske() -> Vec<u8> {
        let mut b = vec![3, 0x00, 0x1d, 32];
        b.extend_from_slice(&[9; 32]);
        b.extend_from_slice(&[0x02, 0x01, 0, 4, 1, 2, 3, 4]);
        b
    }

    #[test]
    fn a_server_key_exchange_gives_its_curve_point_and_signature_scheme() {
        let s = parse_ecdhe_server_key_exchange(&ske()).unwrap();
        assert_eq!(s.group, NamedGroup::X25519);
        assert_eq!(s.point, vec![9; 32]);
        assert_eq!(s.scheme, SignatureScheme::RSA_PKCS1_SHA1);
    }

    #[test]
    fn every_prefix_of_a_server_key_exchange_is_an_error() {
        let b = ske();
        for n in 0..b.len() {
            assert!(
                parse_ecdhe_server_key_exchange(&b[..n]).is_err(),
                "prefix {n}"
            );
        }
        let mut long = b.clone();
        long.push(0);
        assert!(parse_ecdhe_server_key_exchange(&long).is_err());
    }

    #[test]
    fn renegotiation_info_is_read_from_the_server_hello() {
        let mut sh = vec![3, 3];
        sh.extend_from_slice(&[5; 32]);
        sh.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
        sh.extend_from_slice(&[0, 5, 0xff, 0x01, 0, 1, 0]);
        let parsed = parse_server_hello(&sh).unwrap();
        assert_eq!(renegotiation_info(&parsed), Ok(Some(Vec::new())));
        let bare = parse_server_hello(&sh[..38]).unwrap();
        assert_eq!(renegotiation_info(&bare), Ok(None));
    }

    #[test]
    fn the_ecdhe_client_key_exchange_is_a_u8_prefixed_point() {
        assert_eq!(
            ecdhe_client_key_exchange(&[4; 3]).unwrap(),
            [16, 0, 0, 4, 3, 4, 4, 4]
        );
        assert!(ecdhe_client_key_exchange(&[0; 256]).is_err());
    }
}
