//! A scripted TLS responder for versions and behaviours rustls cannot serve: it reads a
//! ClientHello and answers with a canned ServerHello (+ Certificate + ServerHelloDone) at a chosen
//! version, an alert, a close or a reset — never a real handshake. It can choose suites by its
//! own preference list, pick a compression method and echo renegotiation_info, so the cipher
//! prober's RC4/3DES/compression/renegotiation verdicts can be tested (OpenSSL 3 has no RC4 or
//! 3DES left to serve). Used for "version intolerant"
//! and "answers a lower version" servers in tests, and for the TLS 1.0 domain of `--demo` (the
//! demo says so). The test suite's real legacy peers are openssl s_server and tlslite-ng.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::ServerHandle;
use crate::wire::enums::{ContentType, HandshakeType, ProtocolVersion};
use crate::wire::flight::{encode_record, handshake_message};

/// What the responder does with a hello whose highest offered version is the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// ServerHello choosing this version (e.g. 0x0301), then Certificate and ServerHelloDone.
    Hello(u16),
    /// A fatal alert with this description.
    Alert(u8),
    /// Close the connection without a word.
    Close,
    /// Reset the connection (RST).
    Reset,
}

#[derive(Clone, Debug)]
pub struct LegacyScript {
    /// (highest offered version, reaction); the first match wins.
    pub rules: Vec<(u16, Reaction)>,
    pub otherwise: Reaction,
    /// The chain sent after a ServerHello (DER, leaf first); empty = no Certificate message.
    pub certificates: Vec<Vec<u8>>,
    /// Speak SMTP first and start the responder at STARTTLS.
    pub smtp: bool,
    /// Answer handshake_failure to any hello that does not offer this suite ("no shared cipher").
    pub require_suite: Option<u16>,
    /// The server's suites in its order of preference: the first one offered is chosen, and a
    /// hello offering none of them gets handshake_failure. `None` = take the client's first.
    pub preference: Option<Vec<u16>>,
    /// Answer with an empty renegotiation_info extension (RFC 5746 §3.6) below TLS 1.3.
    pub renegotiation_info: bool,
    /// Answer with an empty extended_master_secret extension (RFC 7627 §5.1) when offered.
    pub extended_master_secret: bool,
    /// The compression method chosen when the client offers it (0 = null, 1 = DEFLATE).
    pub compression: u8,
    /// Accept the heartbeat extension and answer a heartbeat request with the length it claims
    /// (CVE-2014-0160, with zeros standing in for memory).
    pub heartbleed: bool,
    /// What a ChangeCipherSpec sent right after the first flight gets.
    pub early_ccs: EarlyCcs,
    /// Decrypt an RSA ClientKeyExchange with this key and answer by its padding: alert
    /// bad_record_mac when PKCS #1 conformant, handshake_failure when not — the Bleichenbacher
    /// oracle of a ROBOT-vulnerable server. The certificate must carry the matching public key.
    pub rsa_oracle: Option<RsaKey>,
    /// End every handshake after the ServerHello (and Certificate) with this fatal alert where
    /// the ServerKeyExchange or ServerHelloDone belongs: a server that cannot sign, which no
    /// client can complete a handshake with.
    pub abort_after_hello: Option<u8>,
    /// What a hello with TLS_FALLBACK_SCSV gets when it offers less than the best version the
    /// rules accept (RFC 7507 §3); `None` ignores the SCSV.
    pub fallback: Option<Reaction>,
}

/// An RSA private key: what the ROBOT oracle needs of it.
#[derive(Clone, Debug)]
pub struct RsaKey {
    pub n: Vec<u8>,
    pub d: Vec<u8>,
}

impl RsaKey {
    /// From PKCS #8 or PKCS #1 DER (what openssl writes).
    pub fn from_der(der: &[u8]) -> Option<RsaKey> {
        let (_, obj) = x509_parser::der_parser::parse_der(der).ok()?;
        let seq = obj.as_sequence().ok()?;
        // PKCS #8: version, algorithm, OCTET STRING holding the PKCS #1 key.
        if seq.len() >= 3 && seq[1].as_sequence().is_ok() {
            if let Ok(inner) = seq[2].as_slice() {
                return RsaKey::from_der(inner);
            }
        }
        // PKCS #1: version, n, e, d, …
        let int = |i: usize| -> Option<Vec<u8>> {
            let b = seq.get(i)?.as_slice().ok()?;
            Some(b.iter().skip_while(|x| **x == 0).copied().collect())
        };
        Some(RsaKey {
            n: int(1)?,
            d: int(3)?,
        })
    }

    /// Textbook RSA decryption, left-padded to the modulus length.
    pub fn decrypt(&self, c: &[u8]) -> Vec<u8> {
        let m = num_bigint::BigUint::from_bytes_be(c)
            .modpow(
                &num_bigint::BigUint::from_bytes_be(&self.d),
                &num_bigint::BigUint::from_bytes_be(&self.n),
            )
            .to_bytes_be();
        let mut out = vec![0u8; self.n.len().saturating_sub(m.len())];
        out.extend_from_slice(&m);
        out
    }
}

/// A server's reaction to a ChangeCipherSpec before the key exchange (CVE-2014-0224).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarlyCcs {
    /// Close the connection (the responder's default: it reads once and ends).
    Close,
    /// Alert unexpected_message, as a correct server does.
    Refuse,
    /// Take it silently, then fail to decrypt the next record: alert bad_record_mac.
    Vulnerable,
}

impl LegacyScript {
    /// A server whose best version is `max` and which answers any higher offer with `max`
    /// (as RFC 5246 §7.4.1.3 asks), and lower offers down to `min` with themselves.
    pub fn range(min: u16, max: u16) -> LegacyScript {
        let mut rules = Vec::new();
        for v in 0x0300..=0x0304u16 {
            let r = if v > max {
                Reaction::Hello(max)
            } else if v >= min {
                Reaction::Hello(v)
            } else {
                Reaction::Alert(70)
            };
            rules.push((v, r));
        }
        LegacyScript {
            rules,
            otherwise: Reaction::Alert(70),
            certificates: Vec::new(),
            smtp: false,
            require_suite: None,
            preference: None,
            renegotiation_info: false,
            extended_master_secret: false,
            compression: 0,
            heartbleed: false,
            early_ccs: EarlyCcs::Close,
            rsa_oracle: None,
            abort_after_hello: None,
            fallback: None,
        }
    }

    /// The best version some rule answers with a ServerHello.
    fn best(&self) -> u16 {
        self.rules
            .iter()
            .filter_map(|(_, r)| match r {
                Reaction::Hello(v) => Some(*v),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    fn reaction(&self, offered: u16) -> Reaction {
        self.rules
            .iter()
            .find(|(v, _)| *v == offered)
            .map(|(_, r)| *r)
            .unwrap_or(self.otherwise)
    }
}

/// What a ClientHello offers, as much as the responder needs to script its answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The highest version offered (client_version or supported_versions).
    pub best: u16,
    pub suites: Vec<u16>,
    pub compression: Vec<u8>,
    /// Extension types, in order.
    pub extensions: Vec<u16>,
}

/// Reads a ClientHello record. `None` when the bytes are not one we can read.
pub fn read_client_hello(rec: &[u8]) -> Option<Offer> {
    let body = rec.get(5..)?;
    if rec.first() != Some(&0x16) || body.first() != Some(&1) {
        return None;
    }
    let mut p = 4; // handshake header
    let client_version = u16::from_be_bytes([*body.get(p)?, *body.get(p + 1)?]);
    p += 2 + 32;
    p += 1 + *body.get(p)? as usize;
    let n = u16::from_be_bytes([*body.get(p)?, *body.get(p + 1)?]) as usize;
    let suites: Vec<u16> = body
        .get(p + 2..p + 2 + n)?
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    p += 2 + n;
    let m = *body.get(p)? as usize;
    let compression = body.get(p + 1..p + 1 + m)?.to_vec();
    p += 1 + m;
    let mut best = client_version;
    let mut extensions = Vec::new();
    if let (Some(a), Some(b)) = (body.get(p), body.get(p + 1)) {
        let end = (p + 2 + u16::from_be_bytes([*a, *b]) as usize).min(body.len());
        p += 2;
        while p + 4 <= end {
            let typ = u16::from_be_bytes([body[p], body[p + 1]]);
            let len = u16::from_be_bytes([body[p + 2], body[p + 3]]) as usize;
            let data = body.get(p + 4..p + 4 + len)?;
            if typ == 0x002b {
                // supported_versions (RFC 8446 §4.2.1): a u8 length, then versions
                for c in data.get(1..)?.chunks(2).filter(|c| c.len() == 2) {
                    best = best.max(u16::from_be_bytes([c[0], c[1]]));
                }
            }
            extensions.push(typ);
            p += 4 + len;
        }
    }
    Some(Offer {
        best,
        suites,
        compression,
        extensions,
    })
}

/// A handshake message; the lab's own messages always fit their length fields.
fn handshake_msg(typ: HandshakeType, body: &[u8]) -> Vec<u8> {
    handshake_message(typ, body).unwrap_or_default()
}

/// A fatal alert record.
fn alert_record(version: ProtocolVersion, description: u8) -> Vec<u8> {
    encode_record(ContentType::ALERT, version, &[2, description])
}

/// ServerHello (+ Certificate + ServerHelloDone below TLS 1.3) choosing `version` and `suite`.
pub fn server_flight(version: u16, suite: u16, certificates: &[Vec<u8>]) -> Vec<u8> {
    server_flight_with(version, suite, certificates, 0, &[])
}

/// Encoded empty renegotiation_info (RFC 5746 §3.6), for [`server_flight_with`].
pub const RENEGOTIATION_INFO_EXT: [u8; 5] = [0xff, 0x01, 0x00, 0x01, 0x00];
/// Encoded heartbeat extension, mode peer_allowed_to_send (RFC 6520 §2).
pub const HEARTBEAT_EXT: [u8; 5] = [0x00, 0x0f, 0x00, 0x01, 0x01];

/// [`server_flight`] with a compression method and, below TLS 1.3, these encoded extensions.
pub fn server_flight_with(
    version: u16,
    suite: u16,
    certificates: &[Vec<u8>],
    compression: u8,
    extensions: &[u8],
) -> Vec<u8> {
    flight(version, suite, certificates, compression, extensions, true)
}

/// ServerHello and, below TLS 1.3, the Certificate message: the flight of a server that stops
/// where its ServerKeyExchange or ServerHelloDone belongs.
fn server_hello_and_certificate(version: u16, suite: u16, certificates: &[Vec<u8>]) -> Vec<u8> {
    flight(version, suite, certificates, 0, &[], false)
}

fn flight(
    version: u16,
    suite: u16,
    certificates: &[Vec<u8>],
    compression: u8,
    extensions: &[u8],
    done: bool,
) -> Vec<u8> {
    let wire_version = version.min(0x0303);
    let mut sh = wire_version.to_be_bytes().to_vec();
    sh.extend((0..32u8).map(|i| i.wrapping_mul(7)));
    sh.push(0); // empty session id
    sh.extend_from_slice(&suite.to_be_bytes());
    sh.push(if version >= 0x0304 { 0 } else { compression });
    if version >= 0x0304 {
        // supported_versions = TLS 1.3 (RFC 8446 §4.2.1)
        sh.extend_from_slice(&[0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
    } else if !extensions.is_empty() {
        sh.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
        sh.extend_from_slice(extensions);
    }
    let mut hs = handshake_msg(HandshakeType::SERVER_HELLO, &sh);
    if version < 0x0304 {
        if !certificates.is_empty() {
            let mut list = Vec::new();
            for der in certificates {
                list.extend_from_slice(&(der.len() as u32).to_be_bytes()[1..]);
                list.extend_from_slice(der);
            }
            let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
            body.extend_from_slice(&list);
            hs.extend(handshake_msg(HandshakeType::CERTIFICATE, &body));
        }
        if done {
            hs.extend(handshake_msg(HandshakeType::SERVER_HELLO_DONE, &[]));
        }
    }
    encode_record(
        ContentType::HANDSHAKE,
        ProtocolVersion(wire_version.clamp(0x0300, 0x0301)),
        &hs,
    )
}

/// Starts the responder on 127.0.0.1 (port chosen by the kernel).
pub async fn spawn_legacy(
    ip: std::net::IpAddr,
    script: LegacyScript,
) -> std::io::Result<ServerHandle> {
    let listeners = super::bind_all(&[ip]).await?;
    let script = Arc::new(script);
    Ok(super::serve(
        listeners,
        Duration::from_secs(30),
        move |sock| {
            let script = script.clone();
            async move { session(sock, &script).await }
        },
    ))
}

async fn smtp_until_starttls<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S) -> Option<()> {
    let mut r = crate::net::lines::LineReader::new();
    s.write_all(b"220 legacy.lab ESMTP scripted responder\r\n")
        .await
        .ok()?;
    loop {
        let line = r
            .read_line(s, Duration::from_secs(20), "command")
            .await
            .ok()?;
        let verb = String::from_utf8_lossy(&line).to_ascii_uppercase();
        let reply: &[u8] = if verb.starts_with("EHLO") {
            b"250-legacy.lab\r\n250-PIPELINING\r\n250 STARTTLS\r\n"
        } else if verb.starts_with("STARTTLS") {
            s.write_all(b"220 2.0.0 Ready to start TLS\r\n")
                .await
                .ok()?;
            return Some(());
        } else if verb.starts_with("QUIT") {
            let _ = s.write_all(b"221 bye\r\n").await;
            return None;
        } else {
            b"250 OK\r\n"
        };
        s.write_all(reply).await.ok()?;
    }
}

async fn session(mut sock: TcpStream, script: &LegacyScript) {
    if script.smtp && smtp_until_starttls(&mut sock).await.is_none() {
        return;
    }
    // Read one complete record (the ClientHello), bounded.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if buf.len() >= 5 {
            let need = 5 + u16::from_be_bytes([buf[3], buf[4]]) as usize;
            if buf.len() >= need {
                break;
            }
        }
        if buf.len() > 20_000 {
            return;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let Some(Offer {
        best: offered,
        suites,
        compression: offered_compression,
        extensions,
    }) = read_client_hello(&buf)
    else {
        return;
    };
    if script.require_suite.is_some_and(|r| !suites.contains(&r)) {
        let _ = sock
            .write_all(&alert_record(ProtocolVersion::TLSv1_0, 40))
            .await;
        return;
    }
    let reaction = match script.fallback {
        Some(r) if suites.contains(&0x5600) && offered < script.best() => r,
        _ => script.reaction(offered),
    };
    match reaction {
        Reaction::Hello(v) => {
            let tls13 = |s: u16| (0x1301..=0x1305).contains(&s);
            let usable = |s: &u16| *s != 0x00ff && *s != 0x5600 && tls13(*s) == (v >= 0x0304);
            let suite = match &script.preference {
                Some(pref) => match pref
                    .iter()
                    .copied()
                    .find(|p| suites.contains(p) && usable(p))
                {
                    Some(s) => s,
                    None => {
                        let _ = sock
                            .write_all(&alert_record(ProtocolVersion::TLSv1_0, 40))
                            .await;
                        return;
                    }
                },
                None => suites.iter().copied().find(usable).unwrap_or(0x002f),
            };
            let compression = if offered_compression.contains(&script.compression) {
                script.compression
            } else {
                0
            };
            let mut exts = Vec::new();
            if script.renegotiation_info {
                exts.extend_from_slice(&RENEGOTIATION_INFO_EXT);
            }
            if script.extended_master_secret && extensions.contains(&0x0017) {
                exts.extend_from_slice(&[0x00, 0x17, 0x00, 0x00]);
            }
            if script.heartbleed {
                exts.extend_from_slice(&HEARTBEAT_EXT);
            }
            let flight = match script.abort_after_hello {
                Some(alert) => [
                    server_hello_and_certificate(v, suite, &script.certificates),
                    alert_record(ProtocolVersion(v.min(0x0303)), alert),
                ]
                .concat(),
                None => server_flight_with(v, suite, &script.certificates, compression, &exts),
            };
            let _ = sock.write_all(&flight).await;
            if script.abort_after_hello.is_some() {
                return;
            }
            if script.heartbleed {
                // A heartbeat request gets the length it claims, whatever it carried.
                let mut head = [0u8; 8];
                if sock.read_exact(&mut head).await.is_ok() && head[0] == 24 {
                    let claimed = u16::from_be_bytes([head[6], head[7]]) as usize;
                    let mut body = vec![2u8]; // heartbeat_response
                    body.extend_from_slice(&head[6..8]);
                    body.resize(3 + claimed + 16, 0);
                    let _ = sock
                        .write_all(&encode_record(
                            ContentType::HEARTBEAT,
                            ProtocolVersion::TLSv1_0,
                            &body,
                        ))
                        .await;
                }
            }
            if script.early_ccs != EarlyCcs::Close {
                let mut head = [0u8; 6];
                if sock.read_exact(&mut head).await.is_ok() && head[0] == 20 {
                    if script.early_ccs == EarlyCcs::Vulnerable {
                        // "Accepted": the next record cannot be decrypted.
                        let _ = sock.read_exact(&mut head[..5]).await;
                        let _ = sock
                            .write_all(&alert_record(ProtocolVersion::TLSv1_2, 20))
                            .await;
                    } else {
                        let _ = sock
                            .write_all(&alert_record(ProtocolVersion::TLSv1_2, 10))
                            .await;
                    }
                }
            }
            if let Some(key) = &script.rsa_oracle {
                let mut head = [0u8; 5];
                if sock.read_exact(&mut head).await.is_ok() && head[0] == 22 {
                    let mut body = vec![0u8; u16::from_be_bytes([head[3], head[4]]) as usize];
                    if sock.read_exact(&mut body).await.is_ok() && body.len() > 6 && body[0] == 16 {
                        let m = key.decrypt(&body[6..]);
                        let conformant = m.len() > 11 && m[..2] == [0, 2] && m[2..].contains(&0);
                        let alert = if conformant { 20 } else { 40 };
                        let _ = sock
                            .write_all(&alert_record(ProtocolVersion::TLSv1_2, alert))
                            .await;
                    }
                }
            }
            // Hold the connection briefly as a real server would while waiting for the client.
            let _ = tokio::time::timeout(Duration::from_secs(2), sock.read(&mut chunk)).await;
        }
        Reaction::Alert(d) => {
            let _ = sock
                .write_all(&alert_record(ProtocolVersion::TLSv1_0, d))
                .await;
        }
        Reaction::Close => {}
        Reaction::Reset => {
            let _ = sock.set_zero_linger();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::hello::{ClientHelloBuilder, Probe};
    use crate::wire::server::{classify_first_flight, FirstFlight};

    #[test]
    fn reads_the_offered_version_of_every_probe() {
        for (p, v) in [
            (Probe::Ssl3, 0x0300),
            (Probe::Tls10, 0x0301),
            (Probe::Tls12, 0x0303),
            (Probe::Tls13, 0x0304),
        ] {
            let hello = ClientHelloBuilder::new(p).build().unwrap();
            assert_eq!(read_client_hello(&hello).unwrap().best, v, "{p:?}");
        }
    }

    #[test]
    fn finds_offered_extensions_and_survives_truncation() {
        let hello = crate::wire::hello::ClientHelloBuilder::new(crate::wire::hello::Probe::Tls12)
            .server_name("mx.example.test")
            .build()
            .unwrap();
        let offers =
            |h: &[u8], typ: u16| read_client_hello(h).is_some_and(|o| o.extensions.contains(&typ));
        assert!(offers(&hello, 0x0017));
        assert!(offers(&hello, 0x0000));
        assert!(!offers(&hello, 0x000f));
        for n in 0..hello.len() {
            let _ = offers(&hello[..n], 0x0017);
        }
        let tls10 = crate::wire::hello::ClientHelloBuilder::new(crate::wire::hello::Probe::Tls10)
            .build()
            .unwrap();
        assert!(!offers(&tls10, 0x0017));
    }

    #[test]
    fn reads_offered_compression_and_answers_with_it_and_renegotiation_info() {
        let hello = ClientHelloBuilder::new(Probe::Tls12)
            .compression_methods(&[1, 0])
            .build()
            .unwrap();
        assert_eq!(read_client_hello(&hello).unwrap().compression, [1, 0]);
        let f = server_flight_with(0x0303, 0x0005, &[], 1, &RENEGOTIATION_INFO_EXT);
        match classify_first_flight(&f) {
            FirstFlight::ServerHello(s) => {
                assert_eq!(s.server_hello.compression, 1);
                assert!(s
                    .server_hello
                    .extension(crate::wire::enums::ExtensionType::RENEGOTIATION_INFO)
                    .is_some());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn canned_flight_parses_as_the_chosen_version() {
        let f = server_flight(0x0302, 0x002f, &[b"not really DER".to_vec()]);
        match classify_first_flight(&f) {
            FirstFlight::ServerHello(s) => {
                assert_eq!(s.server_hello.negotiated_version().0, 0x0302);
                assert!(s.server_hello_done);
            }
            other => panic!("{other:?}"),
        }
    }
}
