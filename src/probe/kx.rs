//! Key exchanges the full handshake offers beyond ring's x25519, P-256 and P-384: P-521
//! (RFC 8422; RustCrypto's `p521`) and the RFC 7919 finite-field groups (modular arithmetic with
//! `num-bigint`), so that a server limited to one of them is still talked to and its certificate
//! judged. The scanner's sessions carry nothing secret; the keys are random and used once.

use num_bigint::BigUint;
use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::FfdheGroup;
use rustls::{Error, NamedGroup, PeerMisbehaved};

fn random<const N: usize>() -> Result<[u8; N], Error> {
    use ring::rand::SecureRandom;
    let mut b = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::FailedToGetRandomBytes)?;
    Ok(b)
}

/// ECDHE on secp521r1.
#[derive(Debug)]
pub struct P521;

struct P521Exchange {
    secret: p521::SecretKey,
    public: Vec<u8>,
}

impl SupportedKxGroup for P521 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        use p521::elliptic_curve::sec1::ToEncodedPoint;
        // A scalar in [1, n): 66 random bytes with the top 7 bits cleared are below 2^521; the
        // rare value at or above the order is drawn again.
        let secret = loop {
            let mut b = random::<66>()?;
            b[0] &= 0x01;
            if let Ok(s) = p521::SecretKey::from_slice(&b) {
                break s;
            }
        };
        let public = secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        Ok(Box::new(P521Exchange { secret, public }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

impl ActiveKeyExchange for P521Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        let peer = p521::PublicKey::from_sec1_bytes(peer)
            .map_err(|_| Error::from(PeerMisbehaved::InvalidKeyShare))?;
        let shared = p521::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), peer.as_affine());
        let bytes: &[u8] = shared.raw_secret_bytes();
        Ok(SharedSecret::from(bytes))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

/// One of the RFC 7919 finite-field groups.
#[derive(Debug)]
pub struct Ffdhe {
    name: NamedGroup,
    params: FfdheGroup<'static>,
}

/// The RFC 7919 groups, smallest first.
pub static FFDHE: [Ffdhe; 5] = [
    Ffdhe {
        name: NamedGroup::FFDHE2048,
        params: rustls::ffdhe_groups::FFDHE2048,
    },
    Ffdhe {
        name: NamedGroup::FFDHE3072,
        params: rustls::ffdhe_groups::FFDHE3072,
    },
    Ffdhe {
        name: NamedGroup::FFDHE4096,
        params: rustls::ffdhe_groups::FFDHE4096,
    },
    Ffdhe {
        name: NamedGroup::FFDHE6144,
        params: rustls::ffdhe_groups::FFDHE6144,
    },
    Ffdhe {
        name: NamedGroup::FFDHE8192,
        params: rustls::ffdhe_groups::FFDHE8192,
    },
];

struct FfdheExchange {
    name: NamedGroup,
    params: FfdheGroup<'static>,
    x: BigUint,
    public: Vec<u8>,
}

/// `v` as big-endian bytes, left-padded to `len` (RFC 8446 §7.4.1: the length of p).
fn padded(v: &BigUint, len: usize) -> Vec<u8> {
    let b = v.to_bytes_be();
    let mut out = vec![0u8; len.saturating_sub(b.len())];
    out.extend_from_slice(&b);
    out
}

impl SupportedKxGroup for Ffdhe {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let p = BigUint::from_bytes_be(self.params.p);
        let g = BigUint::from_bytes_be(self.params.g);
        // A 512-bit exponent: more than twice the strength of the largest group (RFC 7919 §5.2).
        let x = BigUint::from_bytes_be(&random::<64>()?);
        let public = padded(&g.modpow(&x, &p), self.params.p.len());
        Ok(Box::new(FfdheExchange {
            name: self.name,
            params: self.params,
            x,
            public,
        }))
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        Some(self.params)
    }

    fn name(&self) -> NamedGroup {
        self.name
    }
}

impl ActiveKeyExchange for FfdheExchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        let p = BigUint::from_bytes_be(self.params.p);
        let y = BigUint::from_bytes_be(peer);
        // RFC 7919 §5.1: the peer's value must lie in (1, p-1).
        let one = BigUint::from(1u8);
        if y <= one || y >= &p - &one {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        let z = y.modpow(&self.x, &p);
        Ok(SharedSecret::from(padded(&z, self.params.p.len())))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        Some(self.params)
    }

    fn group(&self) -> NamedGroup {
        self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_p521_exchanges_agree_and_a_bad_point_is_refused() {
        let a = P521.start().unwrap();
        let b = P521.start().unwrap();
        assert_eq!(a.pub_key().len(), 133);
        let (pa, pb) = (a.pub_key().to_vec(), b.pub_key().to_vec());
        let sa = a.complete(&pb).unwrap();
        let sb = b.complete(&pa).unwrap();
        assert_eq!(sa.secret_bytes(), sb.secret_bytes());
        assert_eq!(sa.secret_bytes().len(), 66);
        assert!(P521.start().unwrap().complete(&[4; 133]).is_err());
    }

    #[test]
    fn two_ffdhe_exchanges_agree_and_degenerate_values_are_refused() {
        let g = &FFDHE[0];
        let a = g.start().unwrap();
        let b = g.start().unwrap();
        assert_eq!(a.pub_key().len(), 256);
        let (pa, pb) = (a.pub_key().to_vec(), b.pub_key().to_vec());
        let sa = a.complete(&pb).unwrap();
        let sb = b.complete(&pa).unwrap();
        assert_eq!(sa.secret_bytes(), sb.secret_bytes());
        assert_eq!(sa.secret_bytes().len(), 256);
        assert!(g.start().unwrap().complete(&[1]).is_err());
        let p_minus_1 = BigUint::from_bytes_be(g.params.p) - 1u8;
        assert!(g
            .start()
            .unwrap()
            .complete(&p_minus_1.to_bytes_be())
            .is_err());
    }
}
