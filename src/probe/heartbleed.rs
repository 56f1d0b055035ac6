//! Heartbleed (CVE-2014-0160): one connection, or none when the TLS 1.2 version probe already
//! offered the extension ([`after_flight`] on its connection). A TLS ≤ 1.2 hello offering the
//! heartbeat extension; if the ServerHello accepts it, one clear-text heartbeat request that claims a
//! 16 KiB payload and carries none. A patched server drops it (RFC 6520 §4: a length that does
//! not fit is discarded silently) or sends an alert; a vulnerable one answers with a heartbeat
//! record full of its own memory.
//!
//! Only the answer's length is kept: the bytes are read into a scratch buffer and dropped, never
//! reported — server memory may hold other people's mail and keys.

use std::time::Duration;

use crate::grade::rubric::CheckId;
use crate::probe::conn::{Conn, Prober};
use crate::report::{Check, Status};
use crate::wire::enums::{ContentType, ExtensionType};
use crate::wire::flight::heartbeat_request;
use crate::wire::hello::{ClientHelloBuilder, Probe};
use crate::wire::server::ServerFlight;

const ID: CheckId = CheckId::TlsHeartbleed;

/// The payload length the request claims and does not carry.
const CLAIMED: u16 = 0x4000;

/// Runs the probe at `probe` (a TLS 1.0–1.2 version the server accepts).
pub async fn probe(prober: &Prober, probe: Probe) -> Check {
    match run(prober, probe).await {
        Ok(c) => c,
        Err(why) => Check::new(ID, Status::Error, format!("could not test: {why}")),
    }
}

async fn run(prober: &Prober, probe: Probe) -> Result<Check, String> {
    let b = ClientHelloBuilder::randomized(probe).heartbeat(true);
    let (mut conn, flight, _) = prober.first_flight(b).await.map_err(|e| e.to_string())?;
    Ok(after_flight(&mut conn, &flight, probe).await)
}

/// The test on a connection whose hello offered the heartbeat extension, after the server's
/// first flight (`flight`) at `probe`.
pub async fn after_flight(conn: &mut Conn, flight: &ServerFlight, probe: Probe) -> Check {
    match on_connection(conn, flight, probe).await {
        Ok(c) => c,
        Err(why) => Check::new(ID, Status::Error, format!("could not test: {why}")),
    }
}

async fn on_connection(
    conn: &mut Conn,
    flight: &ServerFlight,
    probe: Probe,
) -> Result<Check, String> {
    if flight
        .server_hello
        .extension(ExtensionType::HEARTBEAT)
        .is_none()
    {
        return Ok(Check::new(
            ID,
            Status::Pass,
            "heartbeat extension not supported: not vulnerable to Heartbleed",
        ));
    }
    conn.send(&heartbeat_request(
        probe.record_version(),
        CLAIMED,
        &[],
        &[],
    ))
    .await?;
    // Count the bytes of the heartbeat records that come back (a 16 KiB answer spans two
    // records: RFC 5246 §6.2.1 caps a fragment at 2^14 bytes); keep nothing else.
    let mut quiet = Duration::from_millis(1500);
    let mut leaked = 0;
    while let Ok(r) = conn.next_record(quiet).await {
        if r.header.content_type == ContentType::HEARTBEAT {
            leaked += r.payload.len();
            // The rest of an answer follows at once; nothing more is worth waiting for.
            quiet = Duration::from_millis(200);
        }
    }
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
            heartbeat_request(Probe::Tls10.record_version(), CLAIMED, &[], &[]),
            [24, 3, 1, 0, 3, 1, 0x40, 0x00],
            "type heartbeat, TLS 1.0 record, 3 bytes: request, length 0x4000"
        );
    }
}
