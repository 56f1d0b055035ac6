//! Session resumption and TLS 1.3 early data (0-RTT). The endpoint's full handshake keeps its
//! session in [`Sessions`] (its dialogue after TLS reads the server's TLS 1.3 tickets); one more
//! connection offers it back, with a harmless command as early data when the ticket allows it.
//! Whether the server resumed, and whether it accepted the early data, are the facts; early data
//! is replayable by anyone who records it (RFC 8446 §8), so accepting it is a warning.
//!
//! Cost: one connection; none when the full handshake read after TLS and got no session (a
//! TLS 1.3 server that sends no tickets resumes nothing). The full handshake waits briefly for
//! tickets on direct TLS ([`read_tickets`]); when it could not (it failed before, or the
//! connection ended), this probe makes a full handshake of its own first: two connections.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::grade::rubric::CheckId;
use crate::probe::conn::Prober;
use crate::probe::tls;
use crate::report::{Check, Status};
use crate::target::Transport;
use crate::wire::enums::ProtocolVersion;

/// What the second connection showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resumption {
    /// The version of the second handshake.
    pub version: ProtocolVersion,
    /// The server took the session back (TLS 1.3 PSK, or a TLS 1.2 session ID or ticket).
    pub resumed: bool,
    /// The server gave a session to offer back at all (a ticket or a session ID).
    pub had_session: bool,
    /// Early data was sent (the server's ticket allowed it) and the server accepted it.
    pub early_data_offered: bool,
    pub early_data_accepted: bool,
}

/// The session cache the full handshake and this probe share, noting whether a session was
/// stored at all.
#[derive(Debug)]
pub struct Sessions {
    inner: rustls::client::ClientSessionMemoryCache,
    stored: std::sync::atomic::AtomicBool,
    /// The full handshake read from the server after TLS (its dialogue, or [`read_tickets`]),
    /// so any ticket the server sends would be here.
    looked: std::sync::atomic::AtomicBool,
}

impl Sessions {
    pub fn new() -> Arc<Sessions> {
        Arc::new(Sessions {
            inner: rustls::client::ClientSessionMemoryCache::new(8),
            stored: std::sync::atomic::AtomicBool::new(false),
            looked: std::sync::atomic::AtomicBool::new(false),
        })
    }

    fn stored(&self) -> bool {
        self.stored.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Notes that the full handshake read from the server after TLS.
    pub fn mark_looked(&self) {
        self.looked.store(true, std::sync::atomic::Ordering::SeqCst)
    }

    fn looked(&self) -> bool {
        self.looked.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl rustls::client::ClientSessionStore for Sessions {
    fn set_kx_hint(&self, name: ServerName<'static>, group: rustls::NamedGroup) {
        self.inner.set_kx_hint(name, group)
    }
    fn kx_hint(&self, name: &ServerName<'_>) -> Option<rustls::NamedGroup> {
        self.inner.kx_hint(name)
    }
    fn set_tls12_session(
        &self,
        name: ServerName<'static>,
        v: rustls::client::Tls12ClientSessionValue,
    ) {
        self.stored.store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.set_tls12_session(name, v)
    }
    fn tls12_session(
        &self,
        name: &ServerName<'_>,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.inner.tls12_session(name)
    }
    fn remove_tls12_session(&self, name: &ServerName<'static>) {
        self.inner.remove_tls12_session(name)
    }
    fn insert_tls13_ticket(
        &self,
        name: ServerName<'static>,
        v: rustls::client::Tls13ClientSessionValue,
    ) {
        self.stored.store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.insert_tls13_ticket(name, v)
    }
    fn take_tls13_ticket(
        &self,
        name: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.inner.take_tls13_ticket(name)
    }
}

/// How long the first connection waits for tickets after its handshake (TLS 1.3 servers send
/// them at once, in the same flight as their Finished or right after).
const TICKET_WAIT: Duration = Duration::from_millis(300);

/// The early-data payload: a no-op in the endpoint's protocol (a server that accepts it answers
/// it, which harms nothing).
fn harmless(transport: Transport, port: u16) -> &'static [u8] {
    match (transport, port) {
        (Transport::ImapStartTls, _) | (Transport::Tls, 993) => b"t1 NOOP\r\n",
        (Transport::SmtpStartTls | Transport::Pop3StartTls, _) | (Transport::Tls, 465 | 995) => {
            b"NOOP\r\n"
        }
        (Transport::Tls, _) => b"HEAD / HTTP/1.0\r\n\r\n",
    }
}

/// Reads from `s` after a TLS 1.3 handshake until a ticket is stored in `sessions`, waiting as
/// long as the handshake took (a slow path or a loaded server), within bounds: TLS 1.3 servers
/// send their tickets right after the client's Finished, which is after the handshake as the
/// client sees it. Whatever else arrives (a greeting) is dropped.
pub async fn read_tickets<S: tokio::io::AsyncRead + Unpin>(
    s: &mut S,
    sessions: &Sessions,
    handshake_took: Duration,
    step: Duration,
) {
    let wait = (handshake_took * 2)
        .clamp(TICKET_WAIT, TICKET_WAIT * 4)
        .min(step);
    let deadline = tokio::time::Instant::now() + wait;
    let mut buf = [0u8; 1024];
    while !sessions.stored() {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => continue,
            _ => break,
        }
    }
    sessions.mark_looked();
}

/// Offers the session of `sessions` back (after a full handshake of its own when there is
/// none). `full_handshake` is the configuration the full handshake ran with, storing into
/// `sessions`, and `negotiated` the version it negotiated; `permit` the one its connection
/// handed on, if it did. `Err` says why nothing could be told.
pub async fn probe(
    prober: &Prober,
    name: ServerName<'static>,
    port: u16,
    (full_handshake, negotiated): (&rustls::ClientConfig, ProtocolVersion),
    sessions: Arc<Sessions>,
    mut permit: Option<tokio::sync::OwnedSemaphorePermit>,
) -> Result<Resumption, String> {
    let t = prober.target();
    let step = t.timeouts.command;
    let config = Arc::new(tls::resuming_config(full_handshake));
    let mut buf = [0u8; 1024];
    if !sessions.stored() && sessions.looked() {
        return Ok(Resumption {
            version: negotiated,
            resumed: false,
            had_session: false,
            early_data_offered: false,
            early_data_accepted: false,
        });
    }
    if !sessions.stored() {
        let connector = tokio_rustls::TlsConnector::from(config.clone());
        let (_, ready) = prober.open_with(permit.take()).await;
        let (stream, permit) = ready.map_err(|e| e.message)?;
        let started = tokio::time::Instant::now();
        let mut first = tokio::time::timeout(step, connector.connect(name.clone(), stream))
            .await
            .map_err(|_| "the first handshake timed out".to_string())?
            .map_err(|e| format!("the first handshake failed: {e}"))?;
        read_tickets(&mut first, &sessions, started.elapsed(), step).await;
        // close_notify: OpenSSL forgets a session whose connection ended without it.
        let _ = tokio::time::timeout(step, first.shutdown()).await;
        drop(first);
        drop(permit);
    }

    // Second: the session offered back, with early data when the ticket allows it.
    let (_, ready) = prober.open_with(permit.take()).await;
    let (stream, _permit) = ready.map_err(|e| e.message)?;
    let connector = tokio_rustls::TlsConnector::from(config).early_data(true);
    let mut second = tokio::time::timeout(step, connector.connect(name, stream))
        .await
        .map_err(|_| "the second handshake timed out".to_string())?
        .map_err(|e| format!("the second handshake failed: {e}"))?;
    let early_data_offered = second.get_mut().1.early_data().is_some();
    if early_data_offered {
        let _ = tokio::time::timeout(step, second.write_all(harmless(t.transport, port))).await;
        // The handshake completes with the first flush or read after the early data; without
        // early data it is complete already.
        let _ = tokio::time::timeout(step, second.flush()).await;
        let _ = tokio::time::timeout(TICKET_WAIT.min(step), second.read(&mut buf)).await;
    }
    let (_, conn) = second.get_ref();
    let version = ProtocolVersion(conn.protocol_version().map_or(0, u16::from));
    let resumed = matches!(conn.handshake_kind(), Some(rustls::HandshakeKind::Resumed));
    Ok(Resumption {
        version,
        resumed,
        had_session: sessions.stored(),
        early_data_offered,
        early_data_accepted: early_data_offered && conn.is_early_data_accepted(),
    })
}

/// `tls.resumption` (info) and `tls.0rtt` from the probe.
pub fn checks(r: &Result<Resumption, String>) -> Vec<Check> {
    let r = match r {
        Ok(r) => r,
        Err(why) => {
            return vec![Check::new(
                CheckId::TlsResumption,
                Status::Error,
                format!("could not test: {why}"),
            )]
        }
    };
    let mut out = vec![Check::new(
        CheckId::TlsResumption,
        Status::Info,
        match (r.resumed, r.version == ProtocolVersion::TLSv1_3) {
            (true, true) => "sessions resume: a TLS 1.3 ticket (PSK) was honoured".to_string(),
            (true, false) => format!("sessions resume: a {} session was honoured", r.version),
            (false, _) if !r.had_session => {
                "no session resumption: the server gave no session ID or ticket to resume with"
                    .to_string()
            }
            (false, _) => {
                "no session resumption: the session offered back got a full handshake".to_string()
            }
        },
    )];
    if r.version == ProtocolVersion::TLSv1_3 {
        out.push(if r.early_data_accepted {
            Check::new(
                CheckId::Tls0Rtt,
                Status::Warn,
                "TLS 1.3 early data (0-RTT) accepted on resumption: a command sent in it can be replayed by anyone who recorded it (RFC 8446 §8)",
            )
        } else if r.early_data_offered {
            Check::new(
                CheckId::Tls0Rtt,
                Status::Pass,
                "early data offered on resumption was refused: nothing sent in 0-RTT is processed",
            )
        } else {
            Check::new(
                CheckId::Tls0Rtt,
                Status::Pass,
                "the server's tickets allow no early data (0-RTT off)",
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(
        version: ProtocolVersion,
        resumed: bool,
        offered: bool,
        accepted: bool,
    ) -> Result<Resumption, String> {
        Ok(Resumption {
            version,
            resumed,
            had_session: true,
            early_data_offered: offered,
            early_data_accepted: accepted,
        })
    }

    #[test]
    fn early_data_accepted_warns_and_resumption_is_information() {
        let st = |c: &[Check], id: CheckId| c.iter().find(|c| c.id == id).map(|c| c.status);
        let c = checks(&r(ProtocolVersion::TLSv1_3, true, true, true));
        assert_eq!(st(&c, CheckId::TlsResumption), Some(Status::Info));
        assert_eq!(st(&c, CheckId::Tls0Rtt), Some(Status::Warn));
        let c = checks(&r(ProtocolVersion::TLSv1_3, true, true, false));
        assert_eq!(st(&c, CheckId::Tls0Rtt), Some(Status::Pass));
        // TLS 1.2 has no early data: no 0-RTT check at all.
        let c = checks(&r(ProtocolVersion::TLSv1_2, true, false, false));
        assert_eq!(st(&c, CheckId::Tls0Rtt), None);
        let c = checks(&Err("refused".into()));
        assert_eq!(st(&c, CheckId::TlsResumption), Some(Status::Error));
    }
}
