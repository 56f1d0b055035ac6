//! Network stage: where to connect (`--connect-to` mapping), TCP connects with deadlines, a
//! bounded line reader, and the plaintext dialogues that precede TLS (SMTP, IMAP, POP3).
//!
//! Everything a server sends is hostile: every read here is bounded in bytes and in time.

pub mod connect_to;
pub mod lines;
pub mod starttls;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

use crate::report::{ErrorInfo, ErrorKind};

pub use connect_to::ConnectTo;

/// Opens a TCP connection within `timeout`.
pub async fn connect(addr: SocketAddr, timeout: Duration) -> Result<TcpStream, ErrorInfo> {
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Err(_) => Err(ErrorInfo::new(
            ErrorKind::Timeout,
            format!("TCP connect to {addr} timed out after {}", seconds(timeout)),
        )),
        Ok(Err(e)) => Err(io_error(&e, &format!("TCP connect to {addr}"))),
        Ok(Ok(s)) => {
            let _ = s.set_nodelay(true);
            Ok(s)
        }
    }
}

/// A deadline as messages name it: `2 s`, `0.5 s`.
pub fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f32())
}

/// Classifies an I/O error into a stable error kind.
pub fn io_error(e: &io::Error, what: &str) -> ErrorInfo {
    use io::ErrorKind as K;
    let kind = match e.kind() {
        K::ConnectionRefused => ErrorKind::ConnectRefused,
        K::TimedOut => ErrorKind::Timeout,
        K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe => {
            ErrorKind::ConnectionClosed
        }
        K::NetworkUnreachable | K::HostUnreachable | K::AddrNotAvailable => ErrorKind::Unreachable,
        _ => match e.raw_os_error() {
            // ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL on Linux (older std maps them to Other).
            Some(101) | Some(113) | Some(99) => ErrorKind::Unreachable,
            _ => ErrorKind::Internal,
        },
    };
    ErrorInfo::new(kind, format!("{what}: {e}"))
}

/// Runs the plaintext dialogue of `transport` on a fresh connection, up to the point where the
/// TLS handshake starts (nothing for direct TLS). The dialogue's findings come back whether it
/// succeeded or not.
pub async fn dialogue(
    stream: &mut TcpStream,
    transport: crate::target::Transport,
    ehlo_name: &str,
    t: starttls::DialogueTimeouts,
) -> (Option<starttls::Dialogue>, Result<(), ErrorInfo>) {
    use crate::target::Transport;
    let (dialogue, ready) = match transport {
        Transport::Tls => return (None, Ok(())),
        Transport::SmtpStartTls => starttls::smtp(stream, ehlo_name, t).await,
        Transport::ImapStartTls => starttls::imap(stream, t).await,
        Transport::Pop3StartTls => starttls::pop3(stream, t).await,
    };
    (Some(dialogue), ready)
}
