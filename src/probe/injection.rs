//! STARTTLS command injection (CVE-2011-0411): does the server keep plaintext that arrived with
//! STARTTLS and answer it inside TLS? One connection, for SMTP, IMAP and POP3 alike.
//!
//! `STARTTLS\r\nRSET\r\n` goes out in a single write (one TCP segment with Nagle off); IMAP
//! sends `a1 STARTTLS\r\na2 NOOP\r\n`, POP3 `STLS\r\nNOOP\r\n`. A fixed
//! server discards the buffered `RSET` when TLS starts; a vulnerable one answers it inside TLS,
//! where an attacker who injected it would have had it executed as if the client sent it. A reply
//! in clear text after the `220` is not exploitable but breaks RFC 3207 §4 (the server must
//! send nothing more before the handshake): WARN. A server that refuses STARTTLS sent with
//! another command (a 5xx: "pipelining not allowed", Exim's synchronization error) never starts
//! TLS with anything injected in it: PASS.
//!
//! Nothing is waited out in silence. The hello goes out at once after the go-ahead: a reply in
//! clear text comes before the ServerHello, where the handshake reads it. Inside TLS the probe
//! says goodbye at once (`QUIT`, `a3 LOGOUT`): replies come in order, so whatever comes before
//! the goodbye's own answer answers the injected command ([`inside_tls`]).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::grade::rubric::CheckId;
use crate::net::lines::LineReader;
use crate::net::starttls::read_smtp_reply;
use crate::probe::conn::{ProbeTarget, Prober};
use crate::probe::tls::{self, Failure, Offer};
use crate::report::{Check, Status};
use crate::target::Transport;

/// The protocol's check id, the command injected and the RFC that forbids clear text after the
/// go-ahead.
fn protocol(transport: Transport) -> (CheckId, &'static str, &'static str) {
    match transport {
        Transport::ImapStartTls => (CheckId::ImapStarttlsInjection, "a2 NOOP", "RFC 9051 §6.2.1"),
        Transport::Pop3StartTls => (CheckId::Pop3StarttlsInjection, "NOOP", "RFC 2595 §4"),
        Transport::SmtpStartTls | Transport::Tls => {
            (CheckId::SmtpStarttlsInjection, "RSET", "RFC 3207 §4")
        }
    }
}

/// How long the answers inside TLS are read at most: three times the STARTTLS exchange's round
/// trip, within these bounds. A vulnerable server answers at once; POP3's one answer is told
/// from two (its answers carry no tag) by the close that follows `QUIT`, or by this.
const QUIET_MIN: Duration = Duration::from_millis(150);
const QUIET_MAX: Duration = Duration::from_millis(1500);

/// Most bytes read inside TLS for the answers to the injected command and the goodbye.
const MAX_ANSWERS: usize = 4096;

/// What the server did with plaintext sent in the same segment as STARTTLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Injection {
    /// Discarded when TLS started: nothing answered inside TLS.
    Discarded,
    /// Answered inside TLS (the reply's first bytes): injectable.
    AnsweredInsideTls(Vec<u8>),
    /// Answered in clear text between the `220` and the handshake (the first bytes).
    AnsweredInClear(Vec<u8>),
    /// STARTTLS was refused with this 5xx reply (`554 … synchronization error`, `503 …
    /// pipelining`): no TLS session starts with anything injected in it.
    PipelineRefused(String),
    /// The handshake after the `220` failed, so the probe did not get as far as TLS.
    HandshakeFailed(Failure, String),
    /// The dialogue before STARTTLS failed.
    NotTested(String),
}

/// Runs the probe: one SMTP connection, a second only when the handshake finds nothing in
/// common with the usual offer (a DHE-only server, as the full handshake does).
pub async fn probe(prober: &Prober) -> Injection {
    let first = run(prober, Offer::Usual).await;
    match first {
        Injection::HandshakeFailed(Failure::Incompatible, _) => run(prober, Offer::WithDhe).await,
        other => other,
    }
}

/// The check from the probe's answer, read with what the version probes found: whether the
/// server accepts TLS 1.2 or 1.3 (`modern`), which the probe's handshake needs.
pub fn check(answer: &Injection, modern: bool, transport: Transport) -> Check {
    let (id, command, rfc) = protocol(transport);
    let (status, detail) = match answer {
        Injection::Discarded => (
            Status::Pass,
            "plaintext sent with STARTTLS was discarded when TLS started (CVE-2011-0411 not present)".to_string(),
        ),
        Injection::AnsweredInsideTls(got) => (
            Status::Fail,
            format!(
                "STARTTLS command injection (CVE-2011-0411): a command sent in clear text with STARTTLS was answered inside TLS ({:?}); an attacker could inject commands into the encrypted session",
                lossy(got).trim_end()
            ),
        ),
        Injection::AnsweredInClear(got) => (
            Status::Warn,
            format!(
                "the server answered the {command} sent with STARTTLS in clear text before TLS ({:?}): not injectable, but {rfc} wants nothing between the go-ahead and the handshake",
                lossy(got)
            ),
        ),
        Injection::PipelineRefused(reply) => (
            Status::Pass,
            format!("the server refuses STARTTLS sent together with another command ({reply}): nothing injected reaches TLS (CVE-2011-0411 not present)"),
        ),
        Injection::HandshakeFailed(..) if !modern => (
            Status::Info,
            "not applicable: the probe needs a TLS 1.2 or 1.3 handshake, which the server does not accept".to_string(),
        ),
        Injection::HandshakeFailed(Failure::Timeout, why) => {
            (Status::Error, format!("could not test: {why}"))
        }
        // The full handshake works, so what failed is this one: the server fed the queued
        // command to TLS as if it were the hello (Dovecot does), and no session started with
        // anything injected in it.
        Injection::HandshakeFailed(_, why) => (
            Status::Pass,
            format!("the server read the command queued behind STARTTLS as TLS and the handshake failed ({why}): nothing injected reaches a TLS session (CVE-2011-0411 not present)"),
        ),
        Injection::NotTested(why) => (Status::Error, format!("could not test: {why}")),
    };
    Check::new(id, status, detail)
}

/// The first bytes of what the server sent, for a detail.
fn lossy(got: &[u8]) -> String {
    crate::report::escape::lossy(&got[..got.len().min(40)]).to_string()
}

async fn run(prober: &Prober, offer: Offer) -> Injection {
    let t = prober.target();
    let step = t.timeouts.command;
    let (mut s, _permit) = match prober.connect().await {
        Ok(c) => c,
        Err(e) => return Injection::NotTested(e.message),
    };
    let mut r = LineReader::new();
    let sent = match t.transport {
        Transport::ImapStartTls => imap_dialogue(&mut r, &mut s, t, step).await,
        Transport::Pop3StartTls => pop3_dialogue(&mut r, &mut s, t, step).await,
        Transport::SmtpStartTls | Transport::Tls => dialogue(&mut r, &mut s, t, step).await,
    };
    let sent = match sent {
        Ok(sent) => sent,
        Err(e) => return e,
    };
    let quiet = (sent.elapsed() * 3).clamp(QUIET_MIN, QUIET_MAX).min(step);
    // A reply in clear text that came with the go-ahead.
    if !r.pending().is_empty() {
        return Injection::AnsweredInClear(r.pending().to_vec());
    }
    let name = t
        .sni
        .as_deref()
        .and_then(|n| ServerName::try_from(n.to_string()).ok())
        .unwrap_or_else(|| ServerName::IpAddress(t.dial.ip().into()));
    let (s, first) = FirstBytes::new(s);
    let mut tls = match tls::handshake(s, name, step, offer, None).await {
        Ok((tls, _)) => tls,
        Err(f) => {
            let first = first.lock().map(|b| b.clone()).unwrap_or_default();
            return match is_clear_text(&first) {
                true => Injection::AnsweredInClear(first),
                false => Injection::HandshakeFailed(f.why, f.error.message),
            };
        }
    };
    let goodbye: &[u8] = match t.transport {
        Transport::ImapStartTls => b"a3 LOGOUT\r\n",
        _ => b"QUIT\r\n",
    };
    let said = tokio::time::timeout(step, async {
        tls.write_all(goodbye).await?;
        tls.flush().await
    })
    .await;
    if !matches!(said, Ok(Ok(()))) {
        return Injection::NotTested("the goodbye inside TLS could not be sent".into());
    }
    // A vulnerable server answers the injected command at once (it is already in its buffer);
    // the goodbye's answer, one round trip away, usually ends the wait long before this.
    let deadline = Instant::now() + quiet;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match inside_tls(t.transport, &got) {
            Decided::Discarded => return Injection::Discarded,
            Decided::Answered(n) => return Injection::AnsweredInsideTls(got[..n].to_vec()),
            Decided::Open => {}
        }
        match tokio::time::timeout_at(deadline, tls.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 && got.len() < MAX_ANSWERS => got.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    match inside_tls_at_end(t.transport, &got) {
        Some(n) => Injection::AnsweredInsideTls(got[..n].to_vec()),
        None => Injection::Discarded,
    }
}

/// What the answers read inside TLS so far say.
#[derive(Debug, PartialEq, Eq)]
enum Decided {
    /// The goodbye's answer came first: the injected command was discarded.
    Discarded,
    /// The first `n` bytes answer the injected command.
    Answered(usize),
    /// Not yet known.
    Open,
}

/// Whether `got`, the server's bytes inside TLS after the goodbye, settle the probe. SMTP: the
/// first complete reply is `221` (the `QUIT`'s) or answers the `RSET`. IMAP: the `a2` tag
/// answers the injected `NOOP`, the `a3` tag the `LOGOUT`. POP3 answers carry no tag, but
/// `NOOP` is not allowed before login (RFC 1939 §6: `-ERR`) and `QUIT` always is (`+OK`); two
/// answers mean the `NOOP` was answered, which only the close after one answer rules out
/// ([`inside_tls_at_end`]).
fn inside_tls(transport: Transport, got: &[u8]) -> Decided {
    let mut at = 0;
    let mut lines = Vec::new();
    while let Some(end) = got[at..].iter().position(|b| *b == b'\n') {
        lines.push((at, at + end + 1));
        at += end + 1;
    }
    let line = |(a, b): (usize, usize)| &got[a..b];
    match transport {
        Transport::ImapStartTls => {
            for l in &lines {
                let up = line(*l).to_ascii_uppercase();
                if up.starts_with(b"A2 ") {
                    return Decided::Answered(l.1);
                }
                if up.starts_with(b"A3 ") {
                    return Decided::Discarded;
                }
            }
            Decided::Open
        }
        Transport::Pop3StartTls => match lines.as_slice() {
            [] => Decided::Open,
            [first, ..] if line(*first).starts_with(b"-") => Decided::Answered(first.1),
            [first, _, ..] => Decided::Answered(first.1),
            [_] => Decided::Open,
        },
        Transport::SmtpStartTls | Transport::Tls => {
            // A reply's last line has a space (or nothing) after its code.
            let last = lines.iter().find(|l| {
                let l = line(**l);
                l.get(3).is_none_or(|b| *b != b'-')
            });
            match last {
                Some(_) if got.starts_with(b"221") => Decided::Discarded,
                Some(l) => Decided::Answered(l.1),
                None => Decided::Open,
            }
        }
    }
}

/// The verdict once the server closed, went quiet or sent too much without settling it: the
/// bytes that answer the injected command, if any. An unfinished answer that is not the
/// goodbye's (SMTP: not a `221`) is one; a lone POP3 `+OK` followed by the close is `QUIT`'s.
fn inside_tls_at_end(transport: Transport, got: &[u8]) -> Option<usize> {
    match inside_tls(transport, got) {
        Decided::Answered(n) => Some(n),
        Decided::Discarded => None,
        Decided::Open => match transport {
            Transport::SmtpStartTls | Transport::Tls => {
                (!got.is_empty() && !got.starts_with(b"221")).then_some(got.len())
            }
            Transport::ImapStartTls | Transport::Pop3StartTls => None,
        },
    }
}

/// A stream that keeps the first [`FIRST_KEPT`] bytes read from it, for what a failed handshake
/// read.
struct FirstBytes {
    inner: TcpStream,
    first: Arc<Mutex<Vec<u8>>>,
}

const FIRST_KEPT: usize = 512;

impl FirstBytes {
    fn new(inner: TcpStream) -> (FirstBytes, Arc<Mutex<Vec<u8>>>) {
        let first = Arc::new(Mutex::new(Vec::new()));
        (
            FirstBytes {
                inner,
                first: first.clone(),
            },
            first,
        )
    }
}

impl AsyncRead for FirstBytes {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Ok(mut first) = self.first.lock() {
            let room = FIRST_KEPT.saturating_sub(first.len());
            let new = &buf.filled()[before..];
            first.extend_from_slice(&new[..new.len().min(room)]);
        }
        polled
    }
}

impl AsyncWrite for FirstBytes {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Whether the first bytes the server sent after the go-ahead are a protocol reply in clear
/// text rather than TLS: a TLS record starts with a content type 20–24, an SSL 2.0 one with its
/// length's high bit.
fn is_clear_text(first: &[u8]) -> bool {
    first
        .first()
        .is_some_and(|b| !(20..=24).contains(b) && *b & 0x80 == 0)
}

/// Greeting, EHLO, then `STARTTLS` and `RSET` in one segment, up to the `220`: when it was
/// sent, or why the probe ends here.
async fn dialogue(
    r: &mut LineReader,
    s: &mut TcpStream,
    t: &ProbeTarget,
    step: Duration,
) -> Result<Instant, Injection> {
    let not_tested = |e: crate::report::ErrorInfo| Injection::NotTested(e.message);
    let g = read_smtp_reply(r, s, t.timeouts.greeting, "SMTP greeting")
        .await
        .map_err(not_tested)?;
    if g.code != 220 {
        return Err(Injection::NotTested(format!("greeting {}", g.summary())));
    }
    write(s, format!("EHLO {}\r\n", t.ehlo_name).as_bytes(), step).await?;
    let e = read_smtp_reply(r, s, step, "EHLO")
        .await
        .map_err(not_tested)?;
    if e.code != 250 {
        return Err(Injection::NotTested(format!(
            "EHLO answered {}",
            e.summary()
        )));
    }
    // The injection: both commands in one segment.
    let sent = Instant::now();
    write(s, b"STARTTLS\r\nRSET\r\n", step).await?;
    let st = read_smtp_reply(r, s, step, "STARTTLS")
        .await
        .map_err(not_tested)?;
    match st.code {
        220 => Ok(sent),
        500..=599 => Err(Injection::PipelineRefused(st.summary())),
        _ => Err(Injection::NotTested(format!(
            "STARTTLS answered {}",
            st.summary()
        ))),
    }
}

/// Reads the greeting, which must begin with `ok` (in any case): `* OK`, `+OK`.
async fn greeting(
    r: &mut LineReader,
    s: &mut TcpStream,
    t: &ProbeTarget,
    (what, ok): (&str, &[u8]),
) -> Result<(), Injection> {
    let g = r
        .read_line(s, t.timeouts.greeting, what)
        .await
        .map_err(|e| Injection::NotTested(e.message))?;
    if !g.to_ascii_uppercase().starts_with(ok) {
        return Err(Injection::NotTested(format!("greeting {}", lossy(&g))));
    }
    Ok(())
}

/// IMAP: greeting, then `a1 STARTTLS` and `a2 NOOP` in one segment, up to `a1`'s answer.
async fn imap_dialogue(
    r: &mut LineReader,
    s: &mut TcpStream,
    t: &ProbeTarget,
    step: Duration,
) -> Result<Instant, Injection> {
    let not_tested = |e: crate::report::ErrorInfo| Injection::NotTested(e.message);
    greeting(r, s, t, ("IMAP greeting", b"* OK")).await?;
    let sent = Instant::now();
    write(s, b"a1 STARTTLS\r\na2 NOOP\r\n", step).await?;
    // Untagged lines may come first; the tagged answer to a1 decides.
    for _ in 0..32 {
        let line = r.read_line(s, step, "STARTTLS").await.map_err(not_tested)?;
        let up = line.to_ascii_uppercase();
        if up.starts_with(b"A1 OK") {
            return Ok(sent);
        }
        if up.starts_with(b"A1 ") {
            return Err(Injection::PipelineRefused(lossy(&line)));
        }
    }
    Err(Injection::NotTested("no answer to STARTTLS".into()))
}

/// POP3: greeting, then `STLS` and `NOOP` in one segment, up to STLS's answer.
async fn pop3_dialogue(
    r: &mut LineReader,
    s: &mut TcpStream,
    t: &ProbeTarget,
    step: Duration,
) -> Result<Instant, Injection> {
    let not_tested = |e: crate::report::ErrorInfo| Injection::NotTested(e.message);
    greeting(r, s, t, ("POP3 greeting", b"+OK")).await?;
    let sent = Instant::now();
    write(s, b"STLS\r\nNOOP\r\n", step).await?;
    let line = r.read_line(s, step, "STLS").await.map_err(not_tested)?;
    if line.starts_with(b"+OK") {
        Ok(sent)
    } else {
        Err(Injection::PipelineRefused(lossy(&line)))
    }
}

async fn write(s: &mut TcpStream, data: &[u8], step: Duration) -> Result<(), Injection> {
    match tokio::time::timeout(step, s.write_all(data)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Injection::NotTested(format!("write failed: {e}"))),
        Err(_) => Err(Injection::NotTested(format!(
            "write not done within {}",
            crate::net::seconds(step)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_has_its_verdict_and_a_failed_handshake_depends_on_the_versions() {
        let status = |a: Injection, modern| check(&a, modern, Transport::SmtpStartTls).status;
        assert_eq!(status(Injection::Discarded, true), Status::Pass);
        assert_eq!(
            status(Injection::AnsweredInsideTls(b"250 OK".to_vec()), true),
            Status::Fail
        );
        assert_eq!(
            status(Injection::AnsweredInClear(b"250 OK".to_vec()), true),
            Status::Warn
        );
        assert_eq!(
            status(Injection::PipelineRefused("554 sync".into()), true),
            Status::Pass
        );
        let failed = || {
            Injection::HandshakeFailed(
                Failure::Alert(rustls::AlertDescription::ProtocolVersion),
                "x".into(),
            )
        };
        assert_eq!(status(failed(), false), Status::Info);
        assert_eq!(status(failed(), true), Status::Pass);
        assert_eq!(
            status(
                Injection::HandshakeFailed(Failure::Timeout, "x".into()),
                true
            ),
            Status::Error
        );
        assert_eq!(
            status(Injection::NotTested("closed".into()), false),
            Status::Error
        );
        // Hostile bytes stay bounded and escaped in the detail.
        let d = check(
            &Injection::AnsweredInClear(vec![0x1b; 4000]),
            true,
            Transport::SmtpStartTls,
        )
        .detail;
        // Each protocol has its own id.
        assert_eq!(
            check(&Injection::Discarded, true, Transport::ImapStartTls).id,
            CheckId::ImapStarttlsInjection
        );
        assert_eq!(
            check(&Injection::Discarded, true, Transport::Pop3StartTls).id,
            CheckId::Pop3StarttlsInjection
        );
        assert!(d.len() < 500 && !d.contains('\u{1b}'), "{d}");
    }

    #[test]
    fn the_answers_before_the_goodbyes_are_the_injected_commands() {
        use Decided::*;
        let smtp = |b: &[u8]| inside_tls(Transport::SmtpStartTls, b);
        assert_eq!(smtp(b"221 2.0.0 Bye\r\n"), Discarded);
        assert_eq!(smtp(b"221-bye\r\n221 now\r\n"), Discarded);
        assert_eq!(smtp(b"250 2.0.0 Ok\r\n221 Bye\r\n"), Answered(14));
        assert_eq!(smtp(b"250 2.0.0 Ok\r\n"), Answered(14));
        // Every truncation of a settled answer is still open, never misread.
        for n in 0..14 {
            assert_eq!(smtp(&b"250 2.0.0 Ok\r\n"[..n]), Open, "{n}");
            assert_eq!(smtp(&b"221 2.0.0 Bye\r\n"[..n]), Open, "{n}");
        }
        assert_eq!(smtp(b"250-a\r\n"), Open);
        let imap = |b: &[u8]| inside_tls(Transport::ImapStartTls, b);
        assert_eq!(imap(b"* BYE logging out\r\na3 OK Logout\r\n"), Discarded);
        assert_eq!(imap(b"a2 OK NOOP done\r\n* BYE\r\n"), Answered(17));
        assert_eq!(imap(b"* 3 EXISTS\r\nA2 ok\r\n"), Answered(19));
        assert_eq!(imap(b"* BYE logging out\r\na3 O"), Open);
        let pop3 = |b: &[u8]| inside_tls(Transport::Pop3StartTls, b);
        assert_eq!(pop3(b"-ERR not yet\r\n"), Answered(14));
        assert_eq!(pop3(b"+OK\r\n+OK bye\r\n"), Answered(5));
        assert_eq!(pop3(b"+OK bye\r\n"), Open);
        assert_eq!(pop3(b"+OK b"), Open);
    }

    #[test]
    fn what_an_unsettled_end_means() {
        let end = inside_tls_at_end;
        assert_eq!(end(Transport::SmtpStartTls, b""), None);
        assert_eq!(end(Transport::SmtpStartTls, b"221 By"), None);
        assert_eq!(end(Transport::SmtpStartTls, b"250 O"), Some(5));
        assert_eq!(end(Transport::Pop3StartTls, b"+OK bye\r\n"), None);
        assert_eq!(end(Transport::Pop3StartTls, b"+OK\r\n+OK bye\r\n"), Some(5));
        assert_eq!(end(Transport::ImapStartTls, b"* BYE\r\n"), None);
    }

    #[test]
    fn a_reply_in_clear_text_is_told_from_tls_and_ssl2() {
        assert!(is_clear_text(b"250 2.0.0 Ok\r\n"));
        assert!(is_clear_text(b"+OK"));
        for tls in [&[0x15u8, 3, 3][..], &[0x16, 3, 1], &[0x80, 0x2e], &[]] {
            assert!(!is_clear_text(tls), "{tls:?}");
        }
    }

    /// Hostile bytes: whatever a server sends inside TLS, in whatever pieces the reads cut it,
    /// the parser never panics, never points past what it read, and once it has decided, more
    /// bytes never change its mind (the probe may stop reading at any read).
    #[test]
    fn any_reply_bytes_decide_once_and_point_inside_what_was_read() {
        let tokens: [&[u8]; 10] = [
            b"221 ", b"250-", b"250 ", b"A2 ", b"a3 ", b"+OK", b"-ERR", b"\r\n", b"\n", b" ",
        ];
        let mut rng = crate::testkit::XorShift(0x9e37_79b9_7f4a_7c15);
        for transport in [
            Transport::SmtpStartTls,
            Transport::ImapStartTls,
            Transport::Pop3StartTls,
            Transport::Tls,
        ] {
            let (mut answered, mut discarded) = (0, 0);
            for _ in 0..2000 {
                let mut got = Vec::new();
                for _ in 0..rng.below(24) {
                    match rng.below(3) {
                        0 => got.push(rng.byte()),
                        _ => got.extend_from_slice(tokens[rng.below(tokens.len())]),
                    }
                }
                let mut decided = None;
                for end in 0..=got.len() {
                    let seen = &got[..end];
                    let d = inside_tls(transport, seen);
                    if let Decided::Answered(n) = d {
                        assert!(n <= end, "{transport:?} {seen:?}");
                    }
                    if let Some(n) = inside_tls_at_end(transport, seen) {
                        assert!(n <= end, "{transport:?} {seen:?}");
                    }
                    match (&decided, d) {
                        (None, Decided::Open) => {}
                        (None, d) => {
                            match d {
                                Decided::Answered(_) => answered += 1,
                                _ => discarded += 1,
                            }
                            decided = Some(d);
                        }
                        (Some(before), now) => assert_eq!(*before, now, "{transport:?} {seen:?}"),
                    }
                }
            }
            // The inputs reach both verdicts (POP3 has no goodbye of its own to see).
            assert!(answered > 50, "{transport:?}: {answered} answered");
            if transport != Transport::Pop3StartTls {
                assert!(discarded > 50, "{transport:?}: {discarded} discarded");
            }
        }
    }
}
