//! A scriptable SMTP server with STARTTLS for the lab: real-MTA behaviour by default (the whole
//! multi-line reply in one write), and the odd behaviours scanners must survive on request
//! (one line per write, 421/554 greetings, a greeting that never comes, no STARTTLS, 454, ...).

use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::ServerHandle;
use crate::net::lines::LineReader;

/// What the server does. Start from [`SmtpScript::new`] and change what a case needs.
#[derive(Clone)]
pub struct SmtpScript {
    pub hostname: String,
    /// Greeting lines without CRLF; `None` = never greet (hold the connection open).
    pub greeting: Option<Vec<String>>,
    pub greeting_delay: Duration,
    /// EHLO keywords after the first line (STARTTLS is added when `tls` is set and `offer_starttls`).
    pub extensions: Vec<String>,
    pub offer_starttls: bool,
    /// The keyword advertised for STARTTLS, always as the last EHLO line (case varies in the wild).
    pub starttls_keyword: String,
    /// Reply to STARTTLS; the handshake starts only when it begins with "220".
    pub starttls_reply: String,
    pub tls: Option<Arc<ServerConfig>>,
    /// Write every line of a multi-line reply separately (stock aiosmtpd does this).
    pub one_line_per_write: bool,
    /// Offer STARTTLS again inside TLS (forbidden by RFC 3207 §4.2).
    pub readvertise_after_tls: bool,
    /// Keep commands that arrived with STARTTLS and answer them inside TLS: the CVE-2011-0411
    /// bug of old Postfix/qmail, for the injection probe's tests.
    pub keep_plaintext_across_starttls: bool,
    /// Answer commands that arrived with STARTTLS in clear text right after the 220, before
    /// the handshake: not injectable, but against RFC 3207 §4.
    pub answer_plaintext_before_tls: bool,
    /// The reply to a STARTTLS that arrived with more commands behind it, instead of starting
    /// TLS (`554 5.5.1 Error: SMTP synchronization error`): a server refusing the injection.
    pub refuse_pipelined_starttls: Option<String>,
}

impl SmtpScript {
    /// A conforming server: `220` greeting, EHLO with PIPELINING, SIZE, 8BITMIME and STARTTLS.
    pub fn new(hostname: &str, tls: Option<Arc<ServerConfig>>) -> SmtpScript {
        SmtpScript {
            hostname: hostname.to_string(),
            greeting: Some(vec![format!("220 {hostname} ESMTP tlsgrade-lab")]),
            greeting_delay: Duration::ZERO,
            extensions: vec![
                "PIPELINING".into(),
                "SIZE 10240000".into(),
                "8BITMIME".into(),
            ],
            offer_starttls: tls.is_some(),
            starttls_keyword: "STARTTLS".into(),
            starttls_reply: "220 2.0.0 Ready to start TLS".into(),
            tls,
            one_line_per_write: false,
            readvertise_after_tls: false,
            keep_plaintext_across_starttls: false,
            answer_plaintext_before_tls: false,
            refuse_pipelined_starttls: None,
        }
    }
}

/// Starts the server on every address of `ips`, all on one port.
pub async fn spawn_smtp(
    ips: &[std::net::IpAddr],
    script: SmtpScript,
) -> std::io::Result<ServerHandle> {
    let listeners = super::bind_all(ips).await?;
    Ok(serve_smtp(listeners, script))
}

/// Serves `script` on listeners bound by the caller: two servers with different certificates
/// on different addresses of one port (a cluster where the renewal reached one node) bind with
/// [`super::bind_all`] and hand one listener to each.
pub fn serve_smtp(listeners: Vec<tokio::net::TcpListener>, script: SmtpScript) -> ServerHandle {
    serve_wrapped(listeners, script, std::future::ready)
}

/// [`spawn_smtp`] with simulated latency (the benchmark fleet): accepting a connection and every
/// reply cost `rtt`.
#[cfg(feature = "lab")]
pub async fn spawn_smtp_rtt(
    ips: &[std::net::IpAddr],
    script: SmtpScript,
    rtt: Duration,
) -> std::io::Result<ServerHandle> {
    let listeners = super::bind_all(ips).await?;
    Ok(serve_wrapped(listeners, script, move |sock| {
        super::latency::accept_delayed(sock, rtt)
    }))
}

/// Serves `script`, each connection first passed through `wrap` (which can slow it down).
fn serve_wrapped<W, Fut, S>(
    listeners: Vec<tokio::net::TcpListener>,
    script: SmtpScript,
    wrap: W,
) -> ServerHandle
where
    W: Fn(tokio::net::TcpStream) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = S> + Send + 'static,
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let script = Arc::new(script);
    super::serve(listeners, Duration::from_secs(60), move |sock| {
        let (script, wrap) = (script.clone(), wrap.clone());
        async move { session(wrap(sock).await, &script).await }
    })
}

async fn write_reply<S: AsyncWrite + Unpin>(
    s: &mut S,
    lines: &[String],
    one_per_write: bool,
) -> std::io::Result<()> {
    if one_per_write {
        for l in lines {
            s.write_all(format!("{l}\r\n").as_bytes()).await?;
            s.flush().await?;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    } else {
        let all: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
        s.write_all(all.as_bytes()).await?;
        s.flush().await
    }
}

/// Builds a multi-line reply: `code-` on every line but the last.
fn multiline(code: u16, lines: &[String]) -> Vec<String> {
    let n = lines.len();
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{code}{}{l}", if i + 1 == n { ' ' } else { '-' }))
        .collect()
}

enum Next {
    Done,
    /// Start TLS; the bytes that arrived after the STARTTLS line.
    StartTls(Vec<u8>),
}

async fn session<S: AsyncRead + AsyncWrite + Unpin>(mut sock: S, script: &SmtpScript) {
    tokio::time::sleep(script.greeting_delay).await;
    let Some(greeting) = &script.greeting else {
        // Never greet: hold the connection until the client gives up.
        let _ = tokio::time::sleep(Duration::from_secs(3600)).await;
        return;
    };
    if write_reply(&mut sock, greeting, script.one_line_per_write)
        .await
        .is_err()
    {
        return;
    }
    if greeting.first().is_some_and(|g| g.starts_with("421")) {
        return;
    }
    let refusing = greeting.first().is_some_and(|g| g.starts_with('5'));
    if let Next::StartTls(leftover) = commands(&mut sock, script, false, refusing, vec![]).await {
        if let Some(cfg) = &script.tls {
            let acceptor = tokio_rustls::TlsAcceptor::from(cfg.clone());
            if let Ok(mut tls) = acceptor.accept(sock).await {
                // A correct server forgets plaintext received before TLS (RFC 3207 §4.2).
                let carried = if script.keep_plaintext_across_starttls {
                    leftover
                } else {
                    vec![]
                };
                let _ = commands(&mut tls, script, true, false, carried).await;
                let _ = tls.shutdown().await;
            }
        }
    }
}

async fn commands<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    script: &SmtpScript,
    in_tls: bool,
    refusing: bool,
    carried: Vec<u8>,
) -> Next {
    let mut r = LineReader::with_pending(carried);
    loop {
        let Ok(line) = r.read_line(s, Duration::from_secs(30), "command").await else {
            return Next::Done;
        };
        let line = String::from_utf8_lossy(&line).to_string();
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: Vec<String> = match verb.as_str() {
            "QUIT" => {
                let _ = write_reply(s, &["221 2.0.0 Bye".into()], false).await;
                return Next::Done;
            }
            _ if refusing => vec!["503 5.5.1 No service".into()],
            "EHLO" => {
                let mut lines = vec![script.hostname.clone()];
                lines.extend(script.extensions.iter().cloned());
                if script.offer_starttls && (!in_tls || script.readvertise_after_tls) {
                    lines.push(script.starttls_keyword.clone());
                }
                multiline(250, &lines)
            }
            "HELO" => vec![format!("250 {}", script.hostname)],
            "STARTTLS" if !in_tls && script.offer_starttls => {
                if let Some(refusal) = script
                    .refuse_pipelined_starttls
                    .as_ref()
                    .filter(|_| !r.pending().is_empty())
                {
                    if write_reply(s, std::slice::from_ref(refusal), false)
                        .await
                        .is_err()
                    {
                        return Next::Done;
                    }
                    continue;
                }
                let go = script.starttls_reply.starts_with("220");
                let _ = write_reply(s, std::slice::from_ref(&script.starttls_reply), false).await;
                if go {
                    let pending = r.pending().to_vec();
                    if script.answer_plaintext_before_tls && !pending.is_empty() {
                        let n = pending.iter().filter(|b| **b == b'\n').count();
                        let replies = vec!["250 2.0.0 OK".to_string(); n];
                        let _ = write_reply(s, &replies, false).await;
                        return Next::StartTls(vec![]);
                    }
                    return Next::StartTls(pending);
                }
                continue;
            }
            "STARTTLS" => vec!["502 5.5.1 Command not implemented".into()],
            "RSET" | "NOOP" | "MAIL" | "RCPT" => vec!["250 2.0.0 OK".into()],
            _ => vec!["502 5.5.2 Command not recognised".into()],
        };
        if write_reply(s, &reply, script.one_line_per_write)
            .await
            .is_err()
        {
            return Next::Done;
        }
    }
}
