//! ROBOT (Return Of Bleichenbacher's Oracle Threat, 2017; CVE-2017-13099 and the vendors' own):
//! a server whose answer to an RSA ClientKeyExchange depends on whether the decrypted
//! premaster secret is PKCS #1 v1.5 conformant lets an attacker decrypt recorded RSA
//! key-exchange sessions and sign with the server's key.
//!
//! The method of the ROBOT authors' robot-detect (and testssl.sh): five handshakes that offer
//! only RSA key exchange, each sending ClientKeyExchange + ChangeCipherSpec + a garbage Finished
//! with a premaster secret encrypted to the server's own key — one correctly padded, four broken
//! in the ways the paper lists (wrong first bytes, a zero separator in the wrong place, no zero
//! separator, a wrong version in the premaster). A correct server answers all five alike (it
//! cannot tell until the Finished fails). Different answers are an oracle; they are confirmed by
//! a second round before anything is reported, so a network hiccup is "could not tell", never
//! a fail.

use std::time::Duration;

use num_bigint::BigUint;

use crate::grade::rubric::CheckId;
use crate::probe::conn::{NoFlight, Prober, ServerAnswer};
use crate::report::{Check, Status};
use crate::wire::enums::{CipherSuite, ContentType};
use crate::wire::flight::{change_cipher_spec_record, encode_record, rsa_client_key_exchange};
use crate::wire::hello::{ClientHelloBuilder, Probe};

const ID: CheckId = CheckId::TlsRobot;

/// The RSA key-exchange suites offered (every one a ROBOT-affected server might choose).
pub const RSA_KX: &[CipherSuite] = &[
    CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
    CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
    CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
    CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
    CipherSuite::TLS_RSA_WITH_3DES_EDE_CBC_SHA,
];

/// The five premaster-secret messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// `00 02 <padding> 00 <version> <46 random bytes>`: conformant.
    Good,
    /// `41 17 …`: wrong first two bytes.
    WrongFirstBytes,
    /// `00 02 <padding> 11 <46 bytes> 00 11`: the zero separator too late (a 2-byte secret).
    ZeroLate,
    /// `00 02 <padding> 11 11 11 <46 bytes>`: no zero separator at all.
    NoZero,
    /// `00 02 <padding> 00 02 02 <46 bytes>`: conformant, but the premaster names SSL 2.
    WrongVersion,
}

impl Variant {
    pub const ALL: [Variant; 5] = [
        Variant::Good,
        Variant::WrongFirstBytes,
        Variant::ZeroLate,
        Variant::NoZero,
        Variant::WrongVersion,
    ];
    fn name(self) -> &'static str {
        match self {
            Variant::Good => "correct padding",
            Variant::WrongFirstBytes => "wrong first bytes",
            Variant::ZeroLate => "0x00 in a wrong place",
            Variant::NoZero => "no 0x00 separator",
            Variant::WrongVersion => "wrong premaster version",
        }
    }
}

/// The `k`-byte message of `variant` (k = the modulus length), `version` the ClientHello's, with
/// `padding` (non-zero bytes, at least k − 51 of them) and a 46-byte `secret` (non-zero bytes).
/// `None` when the key is too small for a premaster secret (k < 62) or a byte that must not be
/// zero is.
pub fn message(
    variant: Variant,
    k: usize,
    version: [u8; 2],
    padding: &[u8],
    secret: &[u8; 46],
) -> Option<Vec<u8>> {
    let pad = k.checked_sub(3 + 48).filter(|p| *p >= 8)?;
    let padding = padding.get(..pad)?;
    if padding.contains(&0) || secret.contains(&0) {
        return None;
    }
    let mut m = Vec::with_capacity(k);
    m.extend_from_slice(if variant == Variant::WrongFirstBytes {
        &[0x41, 0x17]
    } else {
        &[0x00, 0x02]
    });
    m.extend_from_slice(padding);
    match variant {
        Variant::Good | Variant::WrongFirstBytes => {
            m.push(0);
            m.extend_from_slice(&version);
            m.extend_from_slice(secret);
        }
        Variant::ZeroLate => {
            m.push(0x11);
            m.extend_from_slice(secret);
            m.extend_from_slice(&[0x00, 0x11]);
        }
        Variant::NoZero => {
            m.extend_from_slice(&[0x11, 0x11, 0x11]);
            m.extend_from_slice(secret);
        }
        Variant::WrongVersion => {
            m.extend_from_slice(&[0x00, 0x02, 0x02]);
            m.extend_from_slice(secret);
        }
    }
    debug_assert_eq!(m.len(), k);
    Some(m)
}

/// Textbook RSA: `m^e mod n`, left-padded to the modulus length.
pub fn rsa_encrypt(m: &[u8], modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let n = BigUint::from_bytes_be(modulus);
    let c = BigUint::from_bytes_be(m)
        .modpow(&BigUint::from_bytes_be(exponent), &n)
        .to_bytes_be();
    let k = modulus.iter().skip_while(|b| **b == 0).count();
    let mut out = vec![0u8; k.saturating_sub(c.len())];
    out.extend_from_slice(&c);
    out
}

/// ClientKeyExchange (RFC 5246 §7.4.7.1) + ChangeCipherSpec + a 48-byte garbage "Finished"
/// (raw bytes where the encrypted Finished belongs), as records of `version`.
pub fn key_exchange_flight(
    version: crate::wire::enums::ProtocolVersion,
    ciphertext: &[u8],
    garbage: &[u8; 48],
) -> Option<Vec<u8>> {
    let cke = rsa_client_key_exchange(version, ciphertext).ok()?;
    Some(
        [
            encode_record(ContentType::HANDSHAKE, version, &cke),
            change_cipher_spec_record(version),
            encode_record(ContentType::HANDSHAKE, version, garbage),
        ]
        .concat(),
    )
}

/// What one attempt learned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The server does not do RSA key exchange (or its certificate is not RSA).
    NoRsa(String),
    /// Its answer to the key-exchange flight.
    Answer(ServerAnswer),
    /// Could not get as far as sending it.
    Failed(String),
}

impl Attempt {
    /// Whether two attempts drew the same answer: the same alert, both a close, both silence
    /// (however long each waited), the same unreadable answer.
    fn same_as(&self, other: &Attempt) -> bool {
        match (self, other) {
            (
                Attempt::Answer(ServerAnswer::Silent(_)),
                Attempt::Answer(ServerAnswer::Silent(_)),
            ) => true,
            (a, b) => a == b,
        }
    }
}

impl std::fmt::Display for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Attempt::Answer(a) => a.fmt(f),
            Attempt::NoRsa(w) | Attempt::Failed(w) => f.write_str(w),
        }
    }
}

fn random<const N: usize>() -> Option<[u8; N]> {
    use ring::rand::SecureRandom;
    let mut b = [0u8; N];
    ring::rand::SystemRandom::new().fill(&mut b).ok()?;
    Some(b)
}

/// One handshake with `variant` at `probe` (TLS 1.0–1.2).
pub async fn attempt(prober: &Prober, probe: Probe, variant: Variant) -> Attempt {
    let b = ClientHelloBuilder::randomized(probe).cipher_suites(RSA_KX);
    let (mut conn, flight, rtt) = match prober.first_flight(b).await {
        Ok(x) => x,
        Err(NoFlight::Answer(_)) => {
            return Attempt::NoRsa("a hello offering only RSA key exchange was refused".into())
        }
        Err(e) => return Attempt::Failed(e.to_string()),
    };
    if !RSA_KX.contains(&flight.server_hello.cipher_suite) {
        return Attempt::NoRsa(format!(
            "the server chose {} when offered only RSA key exchange",
            flight.server_hello.cipher_suite.name()
        ));
    }
    let Some(Ok(chain)) = &flight.certificates else {
        return Attempt::Failed("no readable certificate in the first flight".into());
    };
    let Some((n, e)) = chain.first().and_then(|der| rsa_public_key(der)) else {
        return Attempt::NoRsa("the certificate's key is not RSA".into());
    };
    let version = probe.target_version();
    let k = n.iter().skip_while(|b| **b == 0).count();
    let (Some(pad), Some(secret), Some(garbage)) =
        (random::<1024>(), random::<46>(), random::<48>())
    else {
        return Attempt::Failed("no randomness".into());
    };
    // Padding must be non-zero, and so must the secret: a zero byte in it would be a separator,
    // making the "no separator" and "separator late" messages conformant after all (and their
    // answers differ by chance). Map 0 to 1: still unpredictable enough for a probe.
    let pad: Vec<u8> = pad.iter().map(|b| (*b).max(1)).collect();
    let secret = secret.map(|b| b.max(1));
    let Some(m) = message(variant, k, version.0.to_be_bytes(), &pad, &secret) else {
        return Attempt::NoRsa(format!("an RSA key of {} bits is too small to test", k * 8));
    };
    let c = rsa_encrypt(&m, &n, &e);
    let Some(flight) = key_exchange_flight(version, &c, &garbage) else {
        return Attempt::NoRsa(format!("an RSA key of {} bits is too large to test", k * 8));
    };
    if conn.send(&flight).await.is_err() {
        return Attempt::Answer(ServerAnswer::Closed);
    }
    // Decrypting takes the server a moment: a longer wait than for a bare alert.
    let quiet = (rtt * 4).clamp(Duration::from_millis(500), Duration::from_secs(3));
    Attempt::Answer(conn.alert(quiet).await)
}

/// The RSA modulus and public exponent of a DER certificate.
pub fn rsa_public_key(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    match cert.public_key().parsed().ok()? {
        x509_parser::public_key::PublicKey::RSA(k) => {
            Some((k.modulus.to_vec(), k.exponent.to_vec()))
        }
        _ => None,
    }
}

/// The verdict from one or two rounds of the five attempts (in [`Variant::ALL`] order).
pub fn verdict(version: &str, first: &[Attempt], second: Option<&[Attempt]>) -> Check {
    // Only the first (correctly padded) attempt may show that RSA key exchange is absent; a
    // later one that fails, after the first got through, means the test was cut short.
    if let Some(Attempt::NoRsa(w)) = first.first() {
        return Check::new(
            ID,
            Status::Pass,
            format!("no RSA key exchange, which ROBOT needs: {w}"),
        );
    }
    for (v, a) in Variant::ALL.iter().zip(first) {
        if let Attempt::Failed(w) | Attempt::NoRsa(w) = a {
            return Check::new(
                ID,
                Status::Error,
                format!("could not tell: the attempt with {}: {w}", v.name()),
            );
        }
    }
    let same = |a: &[Attempt], b: &[Attempt]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
    };
    if first.iter().all(|a| a.same_as(&first[0])) {
        return Check::new(
            ID,
            Status::Pass,
            format!(
                "five RSA key exchanges in {version}, one correctly padded and four not, all drew the same answer ({}): no padding oracle",
                first[0]
            ),
        );
    }
    let pattern = Variant::ALL
        .iter()
        .zip(first)
        .map(|(v, a)| format!("{}: {a}", v.name()))
        .collect::<Vec<_>>()
        .join("; ");
    match second {
        Some(r2) if same(r2, first) => Check::new(
            ID,
            Status::Fail,
            format!(
                "ROBOT: the server answers RSA key exchanges differently by padding, the same way twice ({pattern}): a Bleichenbacher oracle that lets an attacker decrypt recorded RSA key-exchange sessions and sign with the server's key"
            ),
        ),
        Some(r2) => Check::new(
            ID,
            Status::Error,
            format!(
                "could not tell: the answers differed by padding ({pattern}) but not the same way twice ({})",
                r2.iter().map(Attempt::to_string).collect::<Vec<_>>().join("; ")
            ),
        ),
        None => Check::new(
            ID,
            Status::Error,
            format!("could not tell: the answers differed by padding once ({pattern})"),
        ),
    }
}

/// Runs the probe at `probe` (the best TLS 1.0–1.2 version the server accepts). One
/// connection when the server has no RSA key exchange; five when it does; ten when the first
/// five answers differ (the second round confirms an oracle or shows a hiccup).
pub async fn probe(prober: &Prober, probe: Probe) -> Check {
    let round = |variants: &'static [Variant]| {
        futures::future::join_all(variants.iter().map(|v| attempt(prober, probe, *v)))
    };
    let first = attempt(prober, probe, Variant::Good).await;
    let version = probe.target_version().name();
    if !matches!(first, Attempt::Answer(_)) {
        return verdict(&version, &[first], None);
    }
    let mut r1 = vec![first];
    r1.extend(round(&Variant::ALL[1..]).await);
    let every_answered = r1.iter().all(|a| matches!(a, Attempt::Answer(_)));
    let differ = !r1.iter().all(|a| a.same_as(&r1[0]));
    if !(every_answered && differ) {
        return verdict(&version, &r1, None);
    }
    let r2 = round(&Variant::ALL).await;
    verdict(&version, &r1, Some(&r2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Grade;

    #[test]
    fn the_five_messages_have_the_modulus_length_and_the_paper_layouts() {
        let pad = [0x5au8; 256];
        let secret = [0x33u8; 46];
        let k = 256;
        let m = |v| message(v, k, [3, 3], &pad, &secret).unwrap();
        let good = m(Variant::Good);
        assert_eq!(good.len(), k);
        assert_eq!(&good[..2], &[0, 2]);
        assert_eq!(good[k - 49], 0, "separator before the 48-byte premaster");
        assert_eq!(&good[k - 48..k - 46], &[3, 3]);
        assert!(good[2..k - 49].iter().all(|b| *b != 0));
        assert_eq!(&m(Variant::WrongFirstBytes)[..2], &[0x41, 0x17]);
        let late = m(Variant::ZeroLate);
        assert_eq!(&late[k - 2..], &[0x00, 0x11]);
        assert!(!late[2..k - 2].contains(&0));
        assert!(!m(Variant::NoZero)[2..].contains(&0));
        let wv = m(Variant::WrongVersion);
        assert_eq!(&wv[k - 49..k - 46], &[0, 2, 2]);
        for v in Variant::ALL {
            assert_eq!(m(v).len(), k);
        }
        // Too small a key, or zero bytes in the padding, are refused.
        assert!(message(Variant::Good, 58, [3, 3], &pad, &secret).is_none());
        assert!(message(Variant::Good, k, [3, 3], &[0u8; 256], &secret).is_none());
        let mut zero = secret;
        zero[7] = 0;
        assert!(message(Variant::NoZero, k, [3, 3], &pad, &zero).is_none());
    }

    #[test]
    fn textbook_rsa_round_trips_with_a_toy_key() {
        // n = 3233 = 61 * 53, e = 17, d = 2753.
        let (n, e) = (3233u32.to_be_bytes(), 17u32.to_be_bytes());
        let c = rsa_encrypt(&[0x00, 0x41], &n, &e);
        assert_eq!(c.len(), 2);
        let back =
            BigUint::from_bytes_be(&c).modpow(&BigUint::from(2753u32), &BigUint::from(3233u32));
        assert_eq!(back, BigUint::from(0x41u32));
    }

    #[test]
    fn the_flight_is_three_records() {
        let f = key_exchange_flight(
            crate::wire::enums::ProtocolVersion::TLSv1_2,
            &[7u8; 256],
            &[9u8; 48],
        )
        .unwrap();
        assert_eq!(&f[..5], &[22, 3, 3, 0x01, 0x06]); // 4 + 2 + 256
        assert_eq!(&f[5..11], &[16, 0, 1, 2, 1, 0]);
        let ccs = 5 + 262;
        assert_eq!(&f[ccs..ccs + 6], &[20, 3, 3, 0, 1, 1]);
        assert_eq!(&f[ccs + 6..ccs + 11], &[22, 3, 3, 0, 48]);
        assert_eq!(f.len(), ccs + 6 + 5 + 48);
    }

    #[test]
    fn verdicts() {
        use crate::wire::enums::AlertDescription as A;
        let ans = |d: A| Attempt::Answer(ServerAnswer::Alert(d));
        let same = vec![ans(A::BAD_RECORD_MAC); 5];
        let c = verdict("TLSv1.2", &same, None);
        assert_eq!(c.status, Status::Pass);
        let oracle = vec![
            ans(A::BAD_RECORD_MAC),
            ans(A::HANDSHAKE_FAILURE),
            ans(A::HANDSHAKE_FAILURE),
            ans(A::HANDSHAKE_FAILURE),
            ans(A::BAD_RECORD_MAC),
        ];
        assert_eq!(verdict("TLSv1.2", &oracle, None).status, Status::Error);
        let c = verdict("TLSv1.2", &oracle, Some(&oracle));
        assert_eq!((c.status, c.cap), (Status::Fail, Some(Grade::F)));
        assert!(c
            .detail
            .contains("wrong first bytes: alert handshake_failure"));
        assert_eq!(
            verdict("TLSv1.2", &oracle, Some(&same)).status,
            Status::Error
        );
        assert_eq!(
            verdict("TLSv1.2", &[Attempt::NoRsa("x".into())], None).status,
            Status::Pass
        );
        assert_eq!(
            verdict("TLSv1.2", &[Attempt::Failed("x".into())], None).status,
            Status::Error
        );
        // Silence is silence, however long each attempt waited.
        let silent = |ms| Attempt::Answer(ServerAnswer::Silent(Duration::from_millis(ms)));
        let quiet = vec![
            silent(500),
            silent(700),
            silent(500),
            silent(900),
            silent(500),
        ];
        assert_eq!(verdict("TLSv1.2", &quiet, None).status, Status::Pass);
        // A later attempt that finds no RSA after the first did is a cut-short test.
        let mut cut = same.clone();
        cut[3] = Attempt::NoRsa("alert handshake_failure".into());
        assert_eq!(verdict("TLSv1.2", &cut, None).status, Status::Error);
    }
}
