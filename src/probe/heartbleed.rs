//! Heartbleed (CVE-2014-0160): one connection. A TLS ≤ 1.2 hello offering the heartbeat
//! extension; if the ServerHello accepts it, one clear-text heartbeat request that claims a
//! 16 KiB payload and carries none. A patched server drops it (RFC 6520 §4: a length that does
//! not fit is discarded silently) or sends an alert; a vulnerable one answers with a heartbeat
//! record full of its own memory.
//!
//! Only the answer's length is kept: the bytes are read into a scratch buffer and dropped, never
//! reported — server memory may hold other people's mail and keys.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::grade::rubric::CheckId;
use crate::probe::versions::{self, HelloError, ProbeTarget};
use crate::report::{Check, Status};
use crate::wire::enums::ExtensionType;
use crate::wire::hello::{ClientHelloBuilder, Probe};
use crate::wire::server::ServerFlight;

const ID: CheckId = CheckId::TlsHeartbleed;

/// The heartbeat request: record type heartbeat(24), then HeartbeatMessage
/// { type = request(1), payload_length = 0x4000 } with no payload and no padding.
pub fn malformed_request(record_version: u16) -> Vec<u8> {
    let v = record_version.to_be_bytes();
    vec![24, v[0], v[1], 0x00, 0x03, 0x01, 0x40, 0x00]
}

/// Runs the probe at `probe` (a TLS 1.0–1.2 version the server accepts).
pub async fn probe(t: &ProbeTarget, probe: Probe) -> Check {
    match run(t, probe).await {
        Ok(c) => c,
        Err(why) => Check::new(ID, Status::Error, format!("could not test: {why}")),
    }
}

/// [`versions::exchange_hello`] with `b`'s hello (and SNI), for the probes that go on talking
/// after the server's first flight: that flight must have come to its ServerHelloDone.
pub(crate) async fn through_server_hello_done(
    t: &ProbeTarget,
    mut b: ClientHelloBuilder,
) -> Result<(tokio::net::TcpStream, ServerFlight, Duration), String> {
    if let Some(n) = &t.sni {
        b = b.server_name(n);
    }
    let hello = b.build().map_err(|e| e.to_string())?;
    match versions::exchange_hello(t, &hello).await {
        Ok((s, f, rtt)) if f.server_hello_done => Ok((s, f, rtt)),
        Ok(_) => Err("the server's first flight did not end".into()),
        Err(HelloError::Setup(w)) => Err(w),
        Err(HelloError::Answer(a)) => Err(format!("no ServerHello: {a:?}")),
    }
}

async fn run(t: &ProbeTarget, probe: Probe) -> Result<Check, String> {
    let step = t.timeouts.command;
    let b = ClientHelloBuilder::randomized(probe).heartbeat(true);
    let (mut s, flight, _) = through_server_hello_done(t, b).await?;
    let mut buf = vec![0u8; 16 * 1024];
    if flight
        .server_hello
        .extension(ExtensionType(0x000f))
        .is_none()
    {
        return Ok(Check::new(
            ID,
            Status::Pass,
            "heartbeat extension not supported: not vulnerable to Heartbleed",
        ));
    }
    s.write_all(&malformed_request(probe.record_version().0))
        .await
        .map_err(|e| e.to_string())?;
    // Count the bytes of heartbeat records that come back; keep nothing else.
    let mut pending: Vec<u8> = Vec::new();
    let mut leaked = 0usize;
    let quiet = Duration::from_millis(1500).min(step);
    let deadline = tokio::time::Instant::now() + quiet;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => pending.extend_from_slice(&buf[..n]),
            _ => break,
        }
        while pending.len() >= 5 {
            let len = u16::from_be_bytes([pending[3], pending[4]]) as usize;
            if pending[0] == 24 {
                leaked += len;
            }
            if pending.len() < 5 + len {
                break;
            }
            pending.drain(..5 + len);
        }
        // Enough to decide; never buffer much of the server's memory.
        if leaked > 0 || pending.len() > 64 * 1024 {
            break;
        }
        pending.truncate(64 * 1024);
    }
    drop(pending);
    Ok(if leaked > 0 {
        Check::new(
            ID,
            Status::Fail,
            format!(
                "Heartbleed (CVE-2014-0160): a heartbeat request claiming 16384 bytes it did not carry was answered with {leaked} bytes of server memory (not recorded). Keys and mail in memory can be read by anyone"
            ),
        )
    } else {
        Check::new(
            ID,
            Status::Pass,
            "a malformed heartbeat request was not answered: not vulnerable to Heartbleed",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_claims_16k_and_carries_nothing() {
        assert_eq!(
            malformed_request(0x0301),
            [24, 3, 1, 0, 3, 1, 0x40, 0x00],
            "type heartbeat, TLS 1.0 record, 3 bytes: request, length 0x4000"
        );
    }
}
