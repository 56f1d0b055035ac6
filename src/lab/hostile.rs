//! A raw, step-scripted TCP server for the hostile-server tests: every connection plays the same
//! list of [`Step`]s — send these bytes, trickle those one at a time, wait for a line or a TLS
//! record, reset — so a test can reproduce a broken or malicious peer byte for byte. The
//! well-behaved servers ([`super::smtp`], [`super::legacy`]) refuse to misbehave this way on
//! purpose; this one exists only to misbehave. Plus builders for the TLS bytes such peers send
//! (fragmented records, a ServerHello flight carrying any certificate list). Only the `lab`
//! feature builds it: the demo never needs a peer that attacks its client.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::ServerHandle;

/// One thing the server does, in order.
#[derive(Clone, Debug)]
pub enum Step {
    /// Write these bytes at once.
    Send(Vec<u8>),
    /// Write these bytes one at a time with a pause before each (a tarpit, or a peer that drips).
    Trickle(Vec<u8>, Duration),
    /// Do nothing for this long.
    Sleep(Duration),
    /// Wait for one client line (up to LF); the session ends if none comes.
    ReadLine,
    /// Wait for one complete TLS record (the ClientHello); the session ends if none comes.
    ReadRecord,
    /// Reset the connection (RST) and end the session.
    Reset,
}

/// The SMTP steps up to and including the `220` go-ahead for STARTTLS: greeting, EHLO with
/// STARTTLS, STARTTLS. Hostile TLS behaviour goes after these.
pub fn smtp_to_starttls() -> Vec<Step> {
    vec![
        Step::Send(b"220 hostile.lab ESMTP\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(b"250-hostile.lab\r\n250-PIPELINING\r\n250 STARTTLS\r\n".to_vec()),
        Step::ReadLine,
        Step::Send(b"220 2.0.0 Ready to start TLS\r\n".to_vec()),
    ]
}

/// Starts the server on `ip` (port chosen by the kernel). Each session ends after 30 s whatever
/// the client does, and when the steps run out the connection is closed (FIN).
pub async fn spawn_hostile(
    ip: std::net::IpAddr,
    steps: Vec<Step>,
) -> std::io::Result<ServerHandle> {
    let listeners = super::bind_all(&[ip]).await?;
    let steps = Arc::new(steps);
    Ok(super::serve(
        listeners,
        Duration::from_secs(30),
        move |sock| {
            let steps = steps.clone();
            async move { play(sock, &steps).await }
        },
    ))
}

async fn play(mut sock: TcpStream, steps: &[Step]) {
    // Bytes read past the line or record a step waited for stay for the next step.
    let mut buf: Vec<u8> = Vec::new();
    for step in steps {
        let ok = match step {
            Step::Send(b) => sock.write_all(b).await.is_ok(),
            Step::Trickle(b, every) => {
                let mut ok = true;
                for byte in b {
                    tokio::time::sleep(*every).await;
                    if sock.write_all(&[*byte]).await.is_err() {
                        ok = false;
                        break;
                    }
                }
                ok
            }
            Step::Sleep(d) => {
                tokio::time::sleep(*d).await;
                true
            }
            Step::ReadLine => {
                read_until(&mut sock, &mut buf, |b| {
                    b.iter().position(|&c| c == b'\n').map(|i| i + 1)
                })
                .await
            }
            Step::ReadRecord => {
                read_until(&mut sock, &mut buf, |b| {
                    let need = 5 + u16::from_be_bytes([*b.get(3)?, *b.get(4)?]) as usize;
                    (b.len() >= need).then_some(need)
                })
                .await
            }
            Step::Reset => {
                let _ = sock.set_zero_linger();
                return;
            }
        };
        if !ok {
            return;
        }
    }
    let _ = sock.shutdown().await;
}

/// Reads until `complete` finds the end of what is awaited, then drops that much from `buf`.
async fn read_until(
    sock: &mut TcpStream,
    buf: &mut Vec<u8>,
    complete: impl Fn(&[u8]) -> Option<usize>,
) -> bool {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(n) = complete(buf) {
            buf.drain(..n);
            return true;
        }
        // The scanner never sends this much before waiting; more is a runaway client.
        if buf.len() > 64 * 1024 {
            return false;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// `payload` as TLS records of content type `typ`, fragmented at 2^14 bytes as RFC 5246 §6.2.1
/// requires, so large flights (100 certificates) stay well-formed at the record layer.
/// Any type and version, on purpose: a hostile peer sends what no real server would.
pub fn records(typ: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    crate::wire::flight::encode_record(typ.into(), version.into(), payload)
}

/// One handshake message of any type: type, 24-bit length, body.
pub fn handshake_msg(typ: u8, body: &[u8]) -> Vec<u8> {
    crate::wire::flight::handshake_message(typ.into(), body).unwrap_or_default()
}

/// A ServerHello body choosing `version` (written as is, even one never offered) and `suite`.
pub fn server_hello(version: u16, suite: u16) -> Vec<u8> {
    let mut sh = version.to_be_bytes().to_vec();
    sh.extend((0..32u8).map(|i| i.wrapping_mul(13)));
    sh.push(0); // empty session id
    sh.extend_from_slice(&suite.to_be_bytes());
    sh.push(0); // no compression
    handshake_msg(2, &sh)
}

/// ServerHello (TLS 1.0, TLS_RSA_WITH_AES_128_CBC_SHA) + Certificate carrying `certificates`
/// exactly as given (any DER, or not DER at all) + ServerHelloDone, in fragmented records: the
/// clear-text chain the version probes read when no TLS 1.2/1.3 handshake works.
pub fn tls10_flight_with_chain(certificates: &[Vec<u8>]) -> Vec<u8> {
    let mut hs = server_hello(0x0301, 0x002f);
    let mut list = Vec::new();
    for der in certificates {
        list.extend_from_slice(&(der.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(der);
    }
    let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
    body.extend_from_slice(&list);
    hs.extend(handshake_msg(11, &body));
    hs.extend(handshake_msg(14, &[]));
    records(0x16, 0x0301, &hs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::server::{classify_first_flight, FirstFlight};

    #[test]
    fn a_large_chain_is_fragmented_into_records_the_parser_accepts() {
        let certs = vec![vec![0x30; 1000]; 40];
        let f = tls10_flight_with_chain(&certs);
        match classify_first_flight(&f) {
            FirstFlight::ServerHello(s) => {
                assert_eq!(s.certificates.unwrap().unwrap().len(), 40);
                assert!(s.server_hello_done);
            }
            other => panic!("{other:?}"),
        }
    }
}
