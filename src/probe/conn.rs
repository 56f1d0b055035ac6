//! The probe connection layer: every connection a probe makes is opened here. It takes one
//! permit of the address's `--per-ip` limit and holds it as long as the connection lives, runs
//! the STARTTLS dialogue when the transport has one, adds SNI to hand-built hellos, and reads the
//! server's answer bounded in bytes and time into one typed [`ServerAnswer`]. Probes build hellos
//! and interpret answers; they never touch sockets, permits or deadlines themselves.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::net::starttls::{Dialogue, DialogueTimeouts};
use crate::report::ErrorInfo;
use crate::target::Transport;
use crate::wire::enums::{AlertDescription, ContentType};
use crate::wire::hello::ClientHelloBuilder;
use crate::wire::record::{Record, RecordReader};
use crate::wire::server::{FirstFlight, FirstFlightParser, ServerFlight};

/// Where and how to open a probe connection.
#[derive(Clone, Debug)]
pub struct ProbeTarget {
    pub dial: SocketAddr,
    pub transport: Transport,
    /// SNI (DNS names only).
    pub sni: Option<String>,
    pub ehlo_name: String,
    pub timeouts: DialogueTimeouts,
}

/// Most bytes read from a server in answer to one hello (the first-flight parser caps too).
const MAX_FIRST_FLIGHT: usize = 300 * 1024;

/// Most bytes read while waiting for the records that follow a probe's own messages.
const MAX_FOLLOW_UP: usize = 64 * 1024;

/// How much of an answer that is not TLS is kept to show: enough for a status line or banner.
pub const GARBAGE_SHOWN: usize = 48;

/// What the server did with what a probe sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerAnswer {
    /// A ServerHello (or HelloRetryRequest), with what followed it in clear text.
    Hello(Box<ServerFlight>),
    /// A TLS alert, with its description.
    Alert(AlertDescription),
    /// The server closed or reset the connection without an alert.
    Closed,
    /// Nothing complete came back within the deadline.
    Silent(Duration),
    /// The answer is not TLS, or not TLS a client can read.
    NotTls(NotTls),
}

/// Why an answer is not TLS a client can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotTls {
    /// Bytes that are not a TLS record at all (an HTTP or SMTP reply, a banner): the first
    /// [`GARBAGE_SHOWN`] of them, to name what the port speaks.
    Garbage(Vec<u8>),
    /// An SSL 2.0 record.
    SslV2,
    /// TLS records that do not decode.
    Malformed(String),
    /// More than tlsgrade reads without the answer completing.
    TooLong(usize),
    /// The connection failed while reading.
    ReadError(String),
}

impl fmt::Display for ServerAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerAnswer::Hello(fl) => {
                let sh = &fl.server_hello;
                if sh.is_hello_retry_request() {
                    write!(f, "HelloRetryRequest with {}", sh.cipher_suite.name())
                } else {
                    write!(
                        f,
                        "ServerHello {} with {}",
                        sh.negotiated_version().name(),
                        sh.cipher_suite.name()
                    )
                }
            }
            ServerAnswer::Alert(d) => write!(f, "alert {}", d.name()),
            ServerAnswer::Closed => f.write_str("connection closed without an alert"),
            ServerAnswer::Silent(d) => {
                write!(f, "no answer within {}", crate::net::seconds(*d))
            }
            ServerAnswer::NotTls(NotTls::Garbage(head)) => {
                f.write_str("the server answered with something that is not TLS")?;
                // Its first line names the protocol ("HTTP/1.1 400", "SSH-2.0-…"); quoted with
                // its control characters escaped.
                let line = head
                    .split(|b| *b == b'\r' || *b == b'\n')
                    .next()
                    .unwrap_or(&[]);
                if !line.is_empty() {
                    write!(f, ": {:?}", crate::report::escape::lossy(line))?;
                }
                Ok(())
            }
            ServerAnswer::NotTls(NotTls::SslV2) => {
                f.write_str("the server answered in SSL 2.0 format")
            }
            ServerAnswer::NotTls(NotTls::Malformed(e)) => write!(f, "malformed answer: {e}"),
            ServerAnswer::NotTls(NotTls::TooLong(n)) => {
                write!(f, "over {n} bytes without a complete answer")
            }
            ServerAnswer::NotTls(NotTls::ReadError(e)) => write!(f, "read error: {e}"),
        }
    }
}

impl ServerAnswer {
    /// The ServerHello, when the answer is one.
    pub fn flight(&self) -> Option<&ServerFlight> {
        match self {
            ServerAnswer::Hello(f) => Some(f),
            _ => None,
        }
    }

    /// Whether the server refused outright (an alert or a close), as opposed to an answer that
    /// says nothing either way (silence, not TLS).
    pub fn is_refusal(&self) -> bool {
        matches!(self, ServerAnswer::Alert(_) | ServerAnswer::Closed)
    }
}

/// Why a probe could not ask the server at all: the connection, the dialogue before TLS, or
/// sending failed. Never a verdict about TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupError(pub String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a hello did not end in a complete first flight (up to ServerHelloDone), which the probes
/// that go on talking after it need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoFlight {
    /// The server could not be asked.
    NotAsked(SetupError),
    /// It answered with something other than a ServerHello.
    Answer(ServerAnswer),
    /// A ServerHello came, but the flight did not end.
    Unfinished,
}

impl fmt::Display for NoFlight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoFlight::NotAsked(e) => e.fmt(f),
            NoFlight::Answer(a) => write!(f, "no ServerHello: {a}"),
            NoFlight::Unfinished => f.write_str("the server's first flight did not end"),
        }
    }
}

/// One probe connection, holding its permit of the address's limit until dropped.
pub struct Conn {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    step: Duration,
    records: RecordReader,
    read: usize,
}

/// A hello sent and its answer read: the connection stays open for what the probe sends next.
pub struct Exchange {
    pub answer: ServerAnswer,
    pub conn: Conn,
    /// The hello's round trip (the time from sending it to the end of the answer).
    pub rtt: Duration,
}

/// How a probe reaches one endpoint: its target, and the address's connection limit (the
/// scheduler's semaphore). Cheap to clone; [`Prober::counted`] gives a clone that counts its
/// own connections.
#[derive(Clone)]
pub struct Prober {
    target: Arc<ProbeTarget>,
    limit: Arc<Semaphore>,
    opened: Arc<AtomicU32>,
}

impl Prober {
    pub fn new(target: ProbeTarget, limit: Arc<Semaphore>) -> Prober {
        Prober {
            target: Arc::new(target),
            limit,
            opened: Arc::default(),
        }
    }

    pub fn target(&self) -> &ProbeTarget {
        &self.target
    }

    /// A prober for the same endpoint and limit whose [`Prober::connections`] count only what
    /// it opens itself (a stage's cost figure).
    pub fn counted(&self) -> Prober {
        Prober {
            opened: Arc::default(),
            ..self.clone()
        }
    }

    /// Connections opened through this prober (and its clones that share its count).
    pub fn connections(&self) -> u32 {
        self.opened.load(Ordering::Relaxed)
    }

    /// A TCP connection under the address's limit, without any dialogue (for probes that speak
    /// the dialogue themselves).
    pub async fn connect(&self) -> Result<(TcpStream, OwnedSemaphorePermit), ErrorInfo> {
        self.connect_with(None).await
    }

    /// [`connect`](Self::connect) under `permit` when given: one of the address's permits that
    /// a connection just closed hands on, so that this one need not queue for another.
    async fn connect_with(
        &self,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Result<(TcpStream, OwnedSemaphorePermit), ErrorInfo> {
        let permit = match permit {
            Some(p) => p,
            None => self.limit.clone().acquire_owned().await.map_err(|_| {
                ErrorInfo::new(crate::report::ErrorKind::Internal, "scan shut down")
            })?,
        };
        self.opened.fetch_add(1, Ordering::Relaxed);
        let stream = crate::net::connect(self.target.dial, self.target.timeouts.command).await?;
        Ok((stream, permit))
    }

    /// A connection ready for the TLS handshake: under the address's limit, after the STARTTLS
    /// dialogue when the transport has one. The dialogue comes back whether it succeeded or not.
    pub async fn open(
        &self,
    ) -> (
        Option<Dialogue>,
        Result<(TcpStream, OwnedSemaphorePermit), ErrorInfo>,
    ) {
        self.open_with(None).await
    }

    /// [`open`](Self::open) under `permit` when given (see [`connect_with`](Self::connect_with)).
    pub async fn open_with(
        &self,
        permit: Option<OwnedSemaphorePermit>,
    ) -> (
        Option<Dialogue>,
        Result<(TcpStream, OwnedSemaphorePermit), ErrorInfo>,
    ) {
        let (mut stream, permit) = match self.connect_with(permit).await {
            Ok(c) => c,
            Err(e) => return (None, Err(e)),
        };
        let t = &self.target;
        let (dialogue, ready) =
            crate::net::dialogue(&mut stream, t.transport, &t.ehlo_name, t.timeouts).await;
        (dialogue, ready.map(|()| (stream, permit)))
    }

    /// Opens a connection, sends the hello `b` builds (with the endpoint's SNI) and reads the
    /// server's first flight: up to ServerHelloDone, or what stands in for it.
    pub async fn hello(&self, mut b: ClientHelloBuilder) -> Result<Exchange, SetupError> {
        if let Some(n) = &self.target.sni {
            b = b.server_name(n);
        }
        let bytes = b
            .build()
            .map_err(|e| SetupError(format!("could not build the ClientHello: {e}")))?;
        let (_, ready) = self.open().await;
        let (stream, permit) =
            ready.map_err(|e| SetupError(format!("could not start the probe: {}", e.message)))?;
        let mut conn = Conn {
            stream,
            _permit: permit,
            step: self.target.timeouts.command,
            records: RecordReader::new(),
            read: 0,
        };
        let sent = std::time::Instant::now();
        conn.send(&bytes)
            .await
            .map_err(|e| SetupError(format!("could not send the ClientHello: {e}")))?;
        let answer = conn.first_flight().await;
        Ok(Exchange {
            answer,
            rtt: sent.elapsed(),
            conn,
        })
    }
}

impl Prober {
    /// [`Prober::hello`] for the probes that go on talking after the server's first flight: the
    /// connection, the flight (ended by ServerHelloDone) and the hello's round trip.
    pub async fn first_flight(
        &self,
        b: ClientHelloBuilder,
    ) -> Result<(Conn, ServerFlight, Duration), NoFlight> {
        let x = self.hello(b).await.map_err(NoFlight::NotAsked)?;
        match x.answer {
            ServerAnswer::Hello(f) if f.server_hello_done => Ok((x.conn, *f, x.rtt)),
            ServerAnswer::Hello(_) => Err(NoFlight::Unfinished),
            other => Err(NoFlight::Answer(other)),
        }
    }
}

impl Conn {
    /// Sends `bytes` within one step's deadline.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        match tokio::time::timeout(self.step, self.stream.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("timed out".into()),
        }
    }

    /// Reads the answer to a hello, at most [`MAX_FIRST_FLIGHT`] bytes within one step.
    async fn first_flight(&mut self) -> ServerAnswer {
        let mut parser = FirstFlightParser::new();
        let deadline = tokio::time::Instant::now() + self.step;
        let mut buf = vec![0u8; 16 * 1024];
        let mut total = 0usize;
        let mut head = Vec::new();
        let closed = loop {
            if parser.is_finished() {
                break false;
            }
            if total > MAX_FIRST_FLIGHT {
                return ServerAnswer::NotTls(NotTls::TooLong(MAX_FIRST_FLIGHT));
            }
            match tokio::time::timeout_at(deadline, self.stream.read(&mut buf)).await {
                Err(_) => break false,
                Ok(Ok(0)) => break true,
                Ok(Ok(n)) => {
                    total += n;
                    let room = GARBAGE_SHOWN.saturating_sub(head.len());
                    head.extend_from_slice(&buf[..n.min(room)]);
                    parser.feed(&buf[..n]);
                }
                Ok(Err(e)) if is_reset(&e) => break true,
                Ok(Err(e)) => return ServerAnswer::NotTls(NotTls::ReadError(e.to_string())),
            }
        };
        match parser.result() {
            FirstFlight::ServerHello(flight) => ServerAnswer::Hello(Box::new(flight.clone())),
            FirstFlight::Alert { description, .. } => ServerAnswer::Alert(*description),
            FirstFlight::NeedMore if closed => ServerAnswer::Closed,
            FirstFlight::NeedMore => ServerAnswer::Silent(self.step),
            FirstFlight::NotTls => ServerAnswer::NotTls(NotTls::Garbage(head)),
            FirstFlight::SslV2Record => ServerAnswer::NotTls(NotTls::SslV2),
            FirstFlight::Malformed(e) => ServerAnswer::NotTls(NotTls::Malformed(e.to_string())),
        }
    }

    /// The next record the server sends within `quiet`, or how the wait ended (`Silent`,
    /// `Closed`, `NotTls`). At most 64 KiB are read after the first flight.
    pub async fn next_record(&mut self, quiet: Duration) -> Result<Record, ServerAnswer> {
        let deadline = tokio::time::Instant::now() + quiet.min(self.step);
        let mut buf = [0u8; 4096];
        loop {
            match self.records.next_record() {
                Ok(Some(r)) => return Ok(r),
                Ok(None) => {}
                Err(e) => return Err(ServerAnswer::NotTls(NotTls::Malformed(e.to_string()))),
            }
            if self.read > MAX_FOLLOW_UP {
                return Err(ServerAnswer::NotTls(NotTls::TooLong(MAX_FOLLOW_UP)));
            }
            match tokio::time::timeout_at(deadline, self.stream.read(&mut buf)).await {
                Err(_) => return Err(ServerAnswer::Silent(quiet)),
                // Any read error after the first flight is the server going away.
                Ok(Ok(0)) | Ok(Err(_)) => return Err(ServerAnswer::Closed),
                Ok(Ok(n)) => {
                    self.read += n;
                    if let Err(e) = self.records.feed(&buf[..n]) {
                        return Err(ServerAnswer::NotTls(NotTls::Malformed(e.to_string())));
                    }
                }
            }
        }
    }

    /// Waits up to `quiet` for an alert, skipping other records: what the server says to a
    /// message it should refuse (`Alert`, `Closed`, `Silent`, or `NotTls`).
    pub async fn alert(&mut self, quiet: Duration) -> ServerAnswer {
        loop {
            match self.next_record(quiet).await {
                Ok(r) if r.header.content_type == ContentType::ALERT => {
                    return match crate::wire::alert::parse_alert(&r.payload) {
                        Ok(a) => ServerAnswer::Alert(a.description),
                        Err(e) => ServerAnswer::NotTls(NotTls::Malformed(format!(
                            "unreadable alert: {e}"
                        ))),
                    };
                }
                Ok(_) => continue,
                Err(end) => return end,
            }
        }
    }
}

fn is_reset(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection to a loopback peer that writes `chunks` (pausing between them), then holds
    /// the connection open (`hold`) or closes it.
    async fn conn_to(chunks: Vec<Vec<u8>>, hold: bool) -> Conn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            for c in chunks {
                s.write_all(&c).await.unwrap();
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            if hold {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        });
        let limit = Arc::new(Semaphore::new(1));
        Conn {
            stream: TcpStream::connect(addr).await.unwrap(),
            _permit: limit.acquire_owned().await.unwrap(),
            step: Duration::from_secs(2),
            records: RecordReader::new(),
            read: 0,
        }
    }

    #[tokio::test]
    async fn an_alert_is_read_across_writes_after_other_records() {
        // A handshake record, then a fatal bad_record_mac alert, split at every byte.
        let bytes: Vec<u8> = [&[22, 3, 3, 0, 2, 14, 0][..], &[21, 3, 3, 0, 2, 2, 20][..]].concat();
        for cut in 0..bytes.len() {
            let chunks = vec![bytes[..cut].to_vec(), bytes[cut..].to_vec()];
            let mut c = conn_to(chunks, true).await;
            assert_eq!(
                c.alert(Duration::from_secs(2)).await,
                ServerAnswer::Alert(AlertDescription::BAD_RECORD_MAC),
                "cut at {cut}"
            );
        }
    }

    #[tokio::test]
    async fn garbage_a_close_and_silence_are_told_apart() {
        let mut c = conn_to(vec![b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()], true).await;
        assert!(matches!(
            c.alert(Duration::from_secs(2)).await,
            ServerAnswer::NotTls(NotTls::Malformed(_))
        ));
        let mut c = conn_to(vec![], false).await;
        assert_eq!(c.alert(Duration::from_secs(2)).await, ServerAnswer::Closed);
        let mut c = conn_to(vec![], true).await;
        assert!(matches!(
            c.alert(Duration::from_millis(50)).await,
            ServerAnswer::Silent(_)
        ));
    }

    #[tokio::test]
    async fn follow_up_reads_stop_at_their_byte_bound() {
        // Valid handshake records for ever: never an alert, so the bound must end the wait.
        let record = [&[22u8, 3, 3, 0x10, 0][..], &[0u8; 0x1000][..]].concat();
        let mut c = conn_to(vec![record; 40], true).await;
        assert_eq!(
            c.alert(Duration::from_secs(2)).await,
            ServerAnswer::NotTls(NotTls::TooLong(MAX_FOLLOW_UP))
        );
    }

    #[test]
    fn an_answer_that_is_not_tls_is_named_by_its_first_line_escaped() {
        let shown = |head: &[u8]| ServerAnswer::NotTls(NotTls::Garbage(head.to_vec())).to_string();
        assert_eq!(
            shown(b"SSH-2.0-OpenSSH_9.2\r\n"),
            "the server answered with something that is not TLS: \"SSH-2.0-OpenSSH_9.2\""
        );
        assert_eq!(
            shown(b""),
            "the server answered with something that is not TLS"
        );
        let hostile = shown(b"\x1b[2Jx\x07\xff");
        assert!(
            !hostile.contains('\u{1b}') && !hostile.contains('\u{7}'),
            "{hostile}"
        );
    }
}
