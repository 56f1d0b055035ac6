//! The TLS 1.2 pseudo-random function (RFC 5246 §5) and what the handshake derives with it: the
//! master secret (RFC 5246 §8.1, or RFC 7627 §4 with the extended master secret), the key block
//! (§6.3) and the Finished verify_data (§7.4.9).

use ring::hmac;

/// The hash a TLS 1.2 suite's PRF and transcript hash use: SHA-256 unless the suite names
/// SHA-384 (RFC 5246 §5, RFC 5289 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrfHash {
    Sha256,
    Sha384,
}

impl PrfHash {
    fn hmac(self) -> hmac::Algorithm {
        match self {
            PrfHash::Sha256 => hmac::HMAC_SHA256,
            PrfHash::Sha384 => hmac::HMAC_SHA384,
        }
    }

    /// The transcript digest algorithm.
    pub fn digest(self) -> &'static ring::digest::Algorithm {
        match self {
            PrfHash::Sha256 => &ring::digest::SHA256,
            PrfHash::Sha384 => &ring::digest::SHA384,
        }
    }

    /// The hash of `data` (the handshake transcript).
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        ring::digest::digest(self.digest(), data).as_ref().to_vec()
    }
}

/// `PRF(secret, label, seed)` = `P_hash(secret, label ‖ seed)`, filling `out` (RFC 5246 §5).
pub fn prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    let key = hmac::Key::new(hash.hmac(), secret);
    let label_seed = [label, seed].concat();
    // A(1) = HMAC(secret, label ‖ seed); A(i) = HMAC(secret, A(i−1)).
    let mut a = hmac::sign(&key, &label_seed);
    let mut filled = 0;
    while filled < out.len() {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a.as_ref());
        ctx.update(&label_seed);
        let block = ctx.sign();
        let n = block.as_ref().len().min(out.len() - filled);
        out[filled..filled + n].copy_from_slice(&block.as_ref()[..n]);
        filled += n;
        a = hmac::sign(&key, a.as_ref());
    }
}

/// The 48-byte master secret: from the randoms (RFC 5246 §8.1), or from the hash of the
/// transcript up to and including ClientKeyExchange when both ends agreed to the extended master
/// secret (RFC 7627 §4).
pub fn master_secret(
    hash: PrfHash,
    premaster: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    extended_session_hash: Option<&[u8]>,
) -> [u8; 48] {
    let mut out = [0u8; 48];
    match extended_session_hash {
        Some(h) => prf(hash, premaster, b"extended master secret", h, &mut out),
        None => {
            let seed = [&client_random[..], &server_random[..]].concat();
            prf(hash, premaster, b"master secret", &seed, &mut out);
        }
    }
    out
}

/// `len` bytes of key block (RFC 5246 §6.3): the seed is server_random ‖ client_random.
pub fn key_block(
    hash: PrfHash,
    master: &[u8; 48],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    len: usize,
) -> Vec<u8> {
    let seed = [&server_random[..], &client_random[..]].concat();
    let mut out = vec![0u8; len];
    prf(hash, master, b"key expansion", &seed, &mut out);
    out
}

/// Which side's Finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// The 12-byte verify_data of a Finished (RFC 5246 §7.4.9), over `transcript_hash`.
pub fn verify_data(
    hash: PrfHash,
    master: &[u8; 48],
    side: Side,
    transcript_hash: &[u8],
) -> [u8; 12] {
    let label: &[u8] = match side {
        Side::Client => b"client finished",
        Side::Server => b"server finished",
    };
    let mut out = [0u8; 12];
    prf(hash, master, label, transcript_hash, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // The TLS 1.2 PRF vectors circulated on the IETF TLS list; both outputs were checked against
    // OpenSSL 3.0's TLS1-PRF (`openssl kdf -keylen N -kdfopt digest:SHA256 … TLS1-PRF`).
    #[test]
    fn the_sha256_prf_matches_the_published_vector() {
        let mut out = [0u8; 100];
        prf(
            PrfHash::Sha256,
            &hex("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35"),
            b"test label",
            &hex("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c"),
            &mut out,
        );
        let want = hex(
            "e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53 c2 aa b2 1d 07 c3 d4 95 32 9b 52 d4
             e6 1e db 5a 6b 30 17 91 e9 0d 35 c9 c9 a4 6b 4e 14 ba f9 af 0f a0 22 f7 07 7d ef 17
             ab fd 37 97 c0 56 4b ab 4f bc 91 66 6e 9d ef 9b 97 fc e3 4f 79 67 89 ba a4 80 82 d1
             22 ee 42 c5 a7 2e 5a 51 10 ff f7 01 87 34 7b 66",
        );
        assert_eq!(out.to_vec(), want);
    }

    #[test]
    fn the_sha384_prf_matches_the_published_vector() {
        let mut out = [0u8; 148];
        prf(
            PrfHash::Sha384,
            &hex("b8 0b 73 3d 6c ee fc dc 71 56 6e a4 8e 55 67 df"),
            b"test label",
            &hex("cd 66 5c f6 a8 44 7d d6 ff 8b 27 55 5e db 74 65"),
            &mut out,
        );
        let want = hex(
            "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f
             82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416
             d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e526
             55c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f",
        );
        assert_eq!(out.to_vec(), want);
    }

    #[test]
    fn a_short_output_is_the_prefix_of_a_long_one() {
        let (mut short, mut long) = ([0u8; 12], [0u8; 80]);
        prf(PrfHash::Sha256, b"k", b"l", b"s", &mut short);
        prf(PrfHash::Sha256, b"k", b"l", b"s", &mut long);
        assert_eq!(short, long[..12]);
    }

    #[test]
    fn master_secret_key_block_and_finished_use_their_labels_and_seed_orders() {
        let (c, s) = ([1u8; 32], [2u8; 32]);
        let mut want = [0u8; 48];
        prf(
            PrfHash::Sha256,
            b"pms",
            b"master secret",
            &[[1u8; 32], [2u8; 32]].concat(),
            &mut want,
        );
        let m = master_secret(PrfHash::Sha256, b"pms", &c, &s, None);
        assert_eq!(m, want);
        prf(
            PrfHash::Sha256,
            b"pms",
            b"extended master secret",
            b"hash",
            &mut want,
        );
        assert_eq!(
            master_secret(PrfHash::Sha256, b"pms", &c, &s, Some(b"hash")),
            want
        );
        let mut kb = vec![0u8; 40];
        prf(
            PrfHash::Sha256,
            &m,
            b"key expansion",
            &[[2u8; 32], [1u8; 32]].concat(),
            &mut kb,
        );
        assert_eq!(key_block(PrfHash::Sha256, &m, &c, &s, 40), kb);
        let mut fin = [0u8; 12];
        prf(PrfHash::Sha384, &m, b"server finished", b"th", &mut fin);
        assert_eq!(verify_data(PrfHash::Sha384, &m, Side::Server, b"th"), fin);
        assert_ne!(verify_data(PrfHash::Sha384, &m, Side::Client, b"th"), fin);
    }
}
