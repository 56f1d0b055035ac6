//! TLS 1.2 record protection for the suites tlsgrade's own client speaks: AES-128/256-GCM with
//! the 8-byte explicit nonce (RFC 5288 §3), and AES-128/256-CBC with HMAC, MAC-then-encrypt with
//! an explicit IV per record (RFC 5246 §6.2.3.2). CBC sealing can also write padding that is
//! wrong on purpose, which the POODLE-TLS probe sends.

use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use ring::aead;
use ring::hmac;

use crate::wire::enums::{CipherSuite, ContentType, ProtocolVersion};
use crate::wire::flight::MAX_FRAGMENT;
use crate::wire::suites::{self, BulkCipher, KeyExchange, Mac};
use crate::wire::tls12::prf::PrfHash;

/// The bulk cipher of a supported suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bulk {
    Aes128Gcm,
    Aes256Gcm,
    Aes128Cbc,
    Aes256Cbc,
}

/// The HMAC of a CBC suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacHash {
    Sha1,
    Sha256,
    Sha384,
}

impl MacHash {
    fn algorithm(self) -> hmac::Algorithm {
        match self {
            MacHash::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            MacHash::Sha256 => hmac::HMAC_SHA256,
            MacHash::Sha384 => hmac::HMAC_SHA384,
        }
    }

    /// MAC length and MAC key length (the same for HMAC in TLS, RFC 5246 §6.2.3.1).
    pub fn output_len(self) -> usize {
        match self {
            MacHash::Sha1 => 20,
            MacHash::Sha256 => 32,
            MacHash::Sha384 => 48,
        }
    }
}

/// Key exchange of a supported suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kx {
    Ecdhe,
    Rsa,
}

/// Everything the client needs to know about a negotiated suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuiteSpec {
    pub suite: CipherSuite,
    pub kx: Kx,
    pub bulk: Bulk,
    /// The HMAC for CBC suites; `None` for GCM.
    pub mac: Option<MacHash>,
    pub prf: PrfHash,
}

impl SuiteSpec {
    /// The spec of `suite`, `None` when this client cannot speak it (not ECDHE/RSA key exchange
    /// with AES-GCM or AES-CBC).
    pub fn of(suite: CipherSuite) -> Option<SuiteSpec> {
        let info = suites::info(suite)?;
        let kx = match info.kx {
            KeyExchange::Ecdhe => Kx::Ecdhe,
            KeyExchange::Rsa => Kx::Rsa,
            _ => return None,
        };
        let (bulk, mac) = match (info.bulk, info.mac) {
            (BulkCipher::Aes128Gcm, Mac::Aead) => (Bulk::Aes128Gcm, None),
            (BulkCipher::Aes256Gcm, Mac::Aead) => (Bulk::Aes256Gcm, None),
            (BulkCipher::Aes128Cbc, m) => (Bulk::Aes128Cbc, Some(mac_hash(m)?)),
            (BulkCipher::Aes256Cbc, m) => (Bulk::Aes256Cbc, Some(mac_hash(m)?)),
            _ => return None,
        };
        // Every AES-256-GCM suite of TLS 1.2 is a _SHA384 one (RFC 5288, RFC 5289), as is every
        // HMAC-SHA384 suite; all others use the SHA-256 PRF (RFC 5246 §5).
        let prf = if bulk == Bulk::Aes256Gcm || mac == Some(MacHash::Sha384) {
            PrfHash::Sha384
        } else {
            PrfHash::Sha256
        };
        Some(SuiteSpec {
            suite,
            kx,
            bulk,
            mac,
            prf,
        })
    }

    /// Whether records are CBC-protected.
    pub fn is_cbc(&self) -> bool {
        matches!(self.bulk, Bulk::Aes128Cbc | Bulk::Aes256Cbc)
    }

    fn key_len(&self) -> usize {
        match self.bulk {
            Bulk::Aes128Gcm | Bulk::Aes128Cbc => 16,
            Bulk::Aes256Gcm | Bulk::Aes256Cbc => 32,
        }
    }

    /// The implicit IV: the 4-byte GCM salt (RFC 5288 §3); CBC in TLS 1.2 has none.
    fn fixed_iv_len(&self) -> usize {
        if self.is_cbc() {
            0
        } else {
            4
        }
    }

    /// Bytes of key block the suite needs (RFC 5246 §6.3).
    pub fn key_block_len(&self) -> usize {
        2 * (self.mac.map_or(0, MacHash::output_len) + self.key_len() + self.fixed_iv_len())
    }

    /// The client's and the server's write protectors from a key block of
    /// [`key_block_len`](Self::key_block_len) bytes (RFC 5246 §6.3 order: MAC keys, keys, IVs).
    pub fn protectors(&self, key_block: &[u8]) -> Option<(Protector, Protector)> {
        let (m, k, iv) = (
            self.mac.map_or(0, MacHash::output_len),
            self.key_len(),
            self.fixed_iv_len(),
        );
        let mut r = crate::wire::codec::Reader::new(key_block);
        let mut take = |n| r.take(n, "key block").ok();
        let (cm, sm, ck, sk, civ, siv) =
            (take(m)?, take(m)?, take(k)?, take(k)?, take(iv)?, take(iv)?);
        Some((
            Protector::new(*self, cm, ck, civ)?,
            Protector::new(*self, sm, sk, siv)?,
        ))
    }
}

fn mac_hash(m: Mac) -> Option<MacHash> {
    match m {
        Mac::Sha1 => Some(MacHash::Sha1),
        Mac::Sha256 => Some(MacHash::Sha256),
        Mac::Sha384 => Some(MacHash::Sha384),
        _ => None,
    }
}

enum Aes {
    A128(Box<aes::Aes128>),
    A256(Box<aes::Aes256>),
}

impl Aes {
    fn encrypt(&self, block: &mut [u8; 16]) {
        let mut b = Array::from(*block);
        match self {
            Aes::A128(c) => c.encrypt_block(&mut b),
            Aes::A256(c) => c.encrypt_block(&mut b),
        }
        block.copy_from_slice(&b);
    }

    fn decrypt(&self, block: &mut [u8; 16]) {
        let mut b = Array::from(*block);
        match self {
            Aes::A128(c) => c.decrypt_block(&mut b),
            Aes::A256(c) => c.decrypt_block(&mut b),
        }
        block.copy_from_slice(&b);
    }
}

enum Keys {
    Gcm {
        key: Box<aead::LessSafeKey>,
        salt: [u8; 4],
    },
    Cbc {
        aes: Aes,
        mac: hmac::Key,
        mac_len: usize,
    },
}

/// How a sealed CBC record is padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// Every padding byte equals the padding length (RFC 5246 §6.2.3.2).
    Correct,
    /// At least two padding bytes, the first of which differs from the padding length: what
    /// a server that checks only the last byte (POODLE-TLS) accepts.
    Wrong,
}

/// Why a record could not be sealed or opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtectError {
    /// The record does not decrypt or its MAC or padding is wrong (bad_record_mac).
    BadRecord,
    /// A plaintext over 2^14 bytes.
    TooLong(usize),
    /// No randomness for an explicit IV.
    NoRandom,
    /// The sequence number would wrap (RFC 5246 §6.1).
    SequenceExhausted,
}

impl std::fmt::Display for ProtectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtectError::BadRecord => f.write_str("a record that does not decrypt or verify"),
            ProtectError::TooLong(n) => write!(f, "a {n}-byte plaintext is over 2^14 bytes"),
            ProtectError::NoRandom => f.write_str("no randomness for an IV"),
            ProtectError::SequenceExhausted => f.write_str("the sequence number ran out"),
        }
    }
}

/// One direction's record protection: its keys and sequence number.
pub struct Protector {
    keys: Keys,
    seq: u64,
}

impl std::fmt::Debug for Protector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protector").field("seq", &self.seq).finish()
    }
}

const GCM_EXPLICIT: usize = 8;
const GCM_TAG: usize = 16;
const BLOCK: usize = 16;

/// seq_num ‖ type ‖ version ‖ length: the AEAD additional data (RFC 5246 §6.2.3.3) and the
/// head of the MAC input (§6.2.3.1).
fn pseudo_header(seq: u64, ct: ContentType, version: ProtocolVersion, len: usize) -> [u8; 13] {
    let mut h = [0u8; 13];
    h[..8].copy_from_slice(&seq.to_be_bytes());
    h[8] = ct.0;
    h[9..11].copy_from_slice(&version.0.to_be_bytes());
    // Callers bound len by 2^14 first.
    h[11..].copy_from_slice(&(len as u16).to_be_bytes());
    h
}

impl Protector {
    fn new(spec: SuiteSpec, mac_key: &[u8], key: &[u8], iv: &[u8]) -> Option<Protector> {
        let keys = match spec.bulk {
            Bulk::Aes128Gcm | Bulk::Aes256Gcm => {
                let alg = if spec.bulk == Bulk::Aes128Gcm {
                    &aead::AES_128_GCM
                } else {
                    &aead::AES_256_GCM
                };
                Keys::Gcm {
                    key: Box::new(aead::LessSafeKey::new(
                        aead::UnboundKey::new(alg, key).ok()?,
                    )),
                    salt: iv.try_into().ok()?,
                }
            }
            Bulk::Aes128Cbc | Bulk::Aes256Cbc => {
                let mac = spec.mac?;
                let aes = if spec.bulk == Bulk::Aes128Cbc {
                    Aes::A128(Box::new(aes::Aes128::new_from_slice(key).ok()?))
                } else {
                    Aes::A256(Box::new(aes::Aes256::new_from_slice(key).ok()?))
                };
                Keys::Cbc {
                    aes,
                    mac: hmac::Key::new(mac.algorithm(), mac_key),
                    mac_len: mac.output_len(),
                }
            }
        };
        Some(Protector { keys, seq: 0 })
    }

    fn next_seq(&mut self) -> Result<u64, ProtectError> {
        let s = self.seq;
        self.seq = s.checked_add(1).ok_or(ProtectError::SequenceExhausted)?;
        Ok(s)
    }

    /// The protected record (header and payload) carrying `plaintext`.
    pub fn seal(
        &mut self,
        ct: ContentType,
        version: ProtocolVersion,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, ProtectError> {
        self.seal_padded(ct, version, plaintext, Padding::Correct)
    }

    /// [`seal`](Self::seal) with the CBC padding chosen; GCM records have no padding and ignore
    /// it.
    pub fn seal_padded(
        &mut self,
        ct: ContentType,
        version: ProtocolVersion,
        plaintext: &[u8],
        padding: Padding,
    ) -> Result<Vec<u8>, ProtectError> {
        if plaintext.len() > MAX_FRAGMENT {
            return Err(ProtectError::TooLong(plaintext.len()));
        }
        let seq = self.next_seq()?;
        let header = pseudo_header(seq, ct, version, plaintext.len());
        let payload = match &self.keys {
            Keys::Gcm { key, salt } => {
                let explicit = seq.to_be_bytes();
                let mut nonce = [0u8; 12];
                nonce[..4].copy_from_slice(salt);
                nonce[4..].copy_from_slice(&explicit);
                let mut body = plaintext.to_vec();
                key.seal_in_place_append_tag(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::from(header),
                    &mut body,
                )
                .map_err(|_| ProtectError::BadRecord)?;
                [&explicit[..], &body].concat()
            }
            Keys::Cbc { aes, mac, .. } => {
                let mut ctx = hmac::Context::with_key(mac);
                ctx.update(&header);
                ctx.update(plaintext);
                let tag = ctx.sign();
                let mut body = [plaintext, tag.as_ref()].concat();
                let mut pad = BLOCK - 1 - body.len() % BLOCK;
                if padding == Padding::Wrong && pad == 0 {
                    // A wrong padding needs a byte besides the length byte.
                    pad = BLOCK;
                }
                body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                if padding == Padding::Wrong {
                    let first = body.len() - pad - 1;
                    body[first] ^= 0x5a;
                }
                let mut iv = [0u8; BLOCK];
                ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut iv)
                    .map_err(|_| ProtectError::NoRandom)?;
                let mut out = iv.to_vec();
                let mut prev = iv;
                for chunk in body.chunks(BLOCK) {
                    let mut b = [0u8; BLOCK];
                    for (i, x) in chunk.iter().enumerate() {
                        b[i] = x ^ prev[i];
                    }
                    aes.encrypt(&mut b);
                    out.extend_from_slice(&b);
                    prev = b;
                }
                out
            }
        };
        // One record whatever the expansion: a protected fragment may exceed 2^14 bytes by
        // up to 2048 (RFC 5246 §6.2.3), which the header's length still expresses.
        let mut out = Vec::with_capacity(5 + payload.len());
        crate::wire::record::RecordHeader {
            content_type: ct,
            version,
            length: payload.len() as u16,
        }
        .encode(&mut out);
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// The plaintext of a record's `payload` (after its header says `ct` and `version`).
    pub fn open(
        &mut self,
        ct: ContentType,
        version: ProtocolVersion,
        payload: &[u8],
    ) -> Result<Vec<u8>, ProtectError> {
        let seq = self.next_seq()?;
        let plain = match &self.keys {
            Keys::Gcm { key, salt } => {
                let (explicit, rest) = payload
                    .split_at_checked(GCM_EXPLICIT)
                    .ok_or(ProtectError::BadRecord)?;
                let len = rest
                    .len()
                    .checked_sub(GCM_TAG)
                    .ok_or(ProtectError::BadRecord)?;
                if len > MAX_FRAGMENT {
                    return Err(ProtectError::TooLong(len));
                }
                let mut nonce = [0u8; 12];
                nonce[..4].copy_from_slice(salt);
                nonce[4..].copy_from_slice(explicit);
                let mut body = rest.to_vec();
                let plain = key
                    .open_in_place(
                        aead::Nonce::assume_unique_for_key(nonce),
                        aead::Aad::from(pseudo_header(seq, ct, version, len)),
                        &mut body,
                    )
                    .map_err(|_| ProtectError::BadRecord)?;
                plain.to_vec()
            }
            Keys::Cbc { aes, mac, mac_len } => {
                // IV, then at least one block holding the MAC and the padding-length byte.
                if payload.len() % BLOCK != 0 || payload.len() < BLOCK + mac_len + 1 {
                    return Err(ProtectError::BadRecord);
                }
                let mut prev: [u8; BLOCK] = payload[..BLOCK]
                    .try_into()
                    .map_err(|_| ProtectError::BadRecord)?;
                let mut body = Vec::with_capacity(payload.len() - BLOCK);
                for chunk in payload[BLOCK..].chunks(BLOCK) {
                    let c: [u8; BLOCK] = chunk.try_into().map_err(|_| ProtectError::BadRecord)?;
                    let mut b = c;
                    aes.decrypt(&mut b);
                    body.extend(b.iter().zip(prev).map(|(x, p)| x ^ p));
                    prev = c;
                }
                let pad = usize::from(*body.last().ok_or(ProtectError::BadRecord)?);
                let data_len = body
                    .len()
                    .checked_sub(pad + 1 + mac_len)
                    .ok_or(ProtectError::BadRecord)?;
                if body[data_len + mac_len..]
                    .iter()
                    .any(|b| usize::from(*b) != pad)
                {
                    return Err(ProtectError::BadRecord);
                }
                if data_len > MAX_FRAGMENT {
                    return Err(ProtectError::TooLong(data_len));
                }
                let (data, tag) = body[..data_len + mac_len].split_at(data_len);
                let mut input = pseudo_header(seq, ct, version, data_len).to_vec();
                input.extend_from_slice(data);
                hmac::verify(mac, &input, tag).map_err(|_| ProtectError::BadRecord)?;
                data.to_vec()
            }
        };
        Ok(plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::record::deframe;

    const V: ProtocolVersion = ProtocolVersion::TLSv1_2;
    const AD: ContentType = ContentType::APPLICATION_DATA;

    fn pair(suite: CipherSuite) -> (Protector, Protector) {
        let spec = SuiteSpec::of(suite).expect("supported");
        let kb: Vec<u8> = (0..spec.key_block_len()).map(|i| i as u8).collect();
        // The client's writer and a reader made from the same keys (what the server holds).
        let (c, _) = spec.protectors(&kb).expect("keys");
        let (c2, _) = spec.protectors(&kb).expect("keys");
        (c, c2)
    }

    fn payload(record: &[u8]) -> Vec<u8> {
        let (h, p) = deframe(record).expect("ok").expect("complete");
        assert_eq!(usize::from(h.length), record.len() - 5);
        p.to_vec()
    }

    const SUITES: [CipherSuite; 6] = [
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
    ];

    #[test]
    fn suites_have_their_key_block_layouts() {
        let s = |c| SuiteSpec::of(c).expect("supported");
        let gcm = s(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
        assert_eq!(
            (gcm.key_block_len(), gcm.prf, gcm.kx),
            (40, PrfHash::Sha256, Kx::Ecdhe)
        );
        let gcm256 = s(CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
        assert_eq!((gcm256.key_block_len(), gcm256.prf), (72, PrfHash::Sha384));
        let cbc = s(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA);
        assert_eq!(
            (cbc.key_block_len(), cbc.mac, cbc.prf),
            (72, Some(MacHash::Sha1), PrfHash::Sha256)
        );
        assert!(cbc.is_cbc() && !gcm.is_cbc());
        assert_eq!(s(CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA).kx, Kx::Rsa);
        assert!(SuiteSpec::of(CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256).is_none());
        assert!(SuiteSpec::of(CipherSuite::TLS_RSA_WITH_3DES_EDE_CBC_SHA).is_none());
    }

    #[test]
    fn records_round_trip_in_every_suite_and_length() {
        for suite in SUITES {
            let (mut w, mut r) = pair(suite);
            for len in [0usize, 1, 15, 16, 17, 31, 32, 300, MAX_FRAGMENT] {
                let plain: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
                let rec = w.seal(AD, V, &plain).expect("seal");
                assert_eq!(&rec[..3], &[23, 3, 3]);
                assert_eq!(
                    r.open(AD, V, &payload(&rec)).expect("open"),
                    plain,
                    "{suite:?} {len}"
                );
            }
        }
    }

    #[test]
    fn gcm_records_carry_the_sequence_number_as_explicit_nonce() {
        let (mut w, _) = pair(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
        w.seal(AD, V, b"a").unwrap();
        let p = payload(&w.seal(AD, V, b"hello").unwrap());
        assert_eq!(&p[..8], &1u64.to_be_bytes());
        assert_eq!(p.len(), 8 + 5 + 16);
    }

    #[test]
    fn a_changed_byte_type_or_sequence_is_a_bad_record() {
        for suite in SUITES {
            let (mut w, _) = pair(suite);
            let rec = payload(&w.seal(AD, V, b"EHLO example.com\r\n").unwrap());
            for i in 0..rec.len() {
                let (_, mut r) = pair(suite);
                let mut bad = rec.clone();
                bad[i] ^= 1;
                assert_eq!(
                    r.open(AD, V, &bad),
                    Err(ProtectError::BadRecord),
                    "{suite:?} byte {i}"
                );
            }
            let (_, mut r) = pair(suite);
            assert!(r.open(ContentType::HANDSHAKE, V, &rec).is_err());
            let (_, mut r) = pair(suite);
            r.seq = 1;
            assert!(r.open(AD, V, &rec).is_err());
            // Every truncation too.
            for n in 0..rec.len() {
                let (_, mut r) = pair(suite);
                assert!(r.open(AD, V, &rec[..n]).is_err(), "{suite:?} prefix {n}");
            }
        }
    }

    /// Decrypts a CBC record without checks: the raw MAC-and-padding block layout.
    fn raw_cbc(p: &Protector, payload: &[u8]) -> Vec<u8> {
        let Keys::Cbc { aes, .. } = &p.keys else {
            panic!("not CBC")
        };
        let mut prev: [u8; 16] = payload[..16].try_into().unwrap();
        let mut out = Vec::new();
        for c in payload[16..].chunks(16) {
            let c: [u8; 16] = c.try_into().unwrap();
            let mut b = c;
            aes.decrypt(&mut b);
            out.extend(b.iter().zip(prev).map(|(x, p)| x ^ p));
            prev = c;
        }
        out
    }

    #[test]
    fn wrong_cbc_padding_keeps_the_mac_and_breaks_only_the_first_padding_byte() {
        for len in [0usize, 5, 11, 12, 27, 100] {
            let (mut w, mut r) = pair(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA);
            let plain = vec![b'x'; len];
            let rec = payload(&w.seal_padded(AD, V, &plain, Padding::Wrong).unwrap());
            let body = raw_cbc(&r, &rec);
            let pad = usize::from(*body.last().unwrap());
            assert!(pad >= 1, "a wrong padding has a byte besides the length");
            let padding = &body[body.len() - pad - 1..];
            assert_ne!(usize::from(padding[0]), pad);
            assert!(padding[1..].iter().all(|b| usize::from(*b) == pad));
            assert_eq!(&body[..len], &plain[..]);
            // A checking reader refuses it; one that read only the last byte would find the MAC.
            assert_eq!(r.open(AD, V, &rec), Err(ProtectError::BadRecord));
        }
    }
}
