//! A scriptable HTTPS server for the lab: serves MTA-STS policy files (RFC 8461 §3.3) with
//! whatever status, media type, body, redirect and certificate a test needs, so the scanner's
//! policy fetch can be tested on loopback. A minimal HTTP/1.1 responder (one request per
//! connection, `Connection: close`) with a bounded request read; the ban on hand-written HTTP is
//! for the scanner's client, not for this test server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::ServerHandle;

/// The path every MTA-STS sender fetches (RFC 8461 §3.3).
pub const POLICY_PATH: &str = "/.well-known/mta-sts.txt";

/// One scripted response.
#[derive(Clone, Debug)]
pub struct HttpReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// `Location` header (for redirects).
    pub location: Option<String>,
    /// Wait this long before answering (for timeout tests).
    pub delay: Duration,
}

impl HttpReply {
    /// `200 OK`, `text/plain`, with `body` as the policy.
    pub fn policy(body: &str) -> HttpReply {
        HttpReply {
            status: 200,
            content_type: Some("text/plain".into()),
            body: body.as_bytes().to_vec(),
            location: None,
            delay: Duration::ZERO,
        }
    }
    /// A reply with `status` and no body.
    pub fn status(status: u16) -> HttpReply {
        HttpReply {
            status,
            content_type: None,
            body: vec![],
            location: None,
            delay: Duration::ZERO,
        }
    }
    pub fn content_type(mut self, ct: &str) -> HttpReply {
        self.content_type = Some(ct.into());
        self
    }
    pub fn location(mut self, url: &str) -> HttpReply {
        self.location = Some(url.into());
        self
    }
}

/// The server: the replies in order (the last one repeats), and a request counter.
pub struct HttpsServer {
    pub handle: ServerHandle,
    requests: Arc<AtomicUsize>,
}

impl HttpsServer {
    pub fn port(&self) -> u16 {
        self.handle.port()
    }
    /// Requests for the policy path (or, for [`spawn_http`], its path) served so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Longest request head read before the connection is dropped.
const MAX_REQUEST: usize = 16 * 1024;

/// Serves `replies` over TLS (`config`) on `ip`, port chosen by the kernel. Requests for paths
/// other than [`POLICY_PATH`] get 404.
pub async fn spawn_https(
    ip: std::net::IpAddr,
    config: Arc<ServerConfig>,
    replies: Vec<HttpReply>,
) -> std::io::Result<HttpsServer> {
    spawn_wrapped(ip, config, replies, std::future::ready).await
}

/// [`spawn_https`] with simulated latency, as the lab SMTP server has it: the TCP handshake's
/// round trip, then one per exchange (TLS flights, the request).
#[cfg(feature = "lab")]
pub async fn spawn_https_rtt(
    ip: std::net::IpAddr,
    config: Arc<ServerConfig>,
    replies: Vec<HttpReply>,
    rtt: Duration,
) -> std::io::Result<HttpsServer> {
    spawn_wrapped(ip, config, replies, move |sock| {
        super::latency::accept_delayed(sock, rtt)
    })
    .await
}

/// Serves `replies`, each connection first passed through `wrap` (which can slow it down).
async fn spawn_wrapped<W, Fut, S>(
    ip: std::net::IpAddr,
    config: Arc<ServerConfig>,
    replies: Vec<HttpReply>,
    wrap: W,
) -> std::io::Result<HttpsServer>
where
    W: Fn(tokio::net::TcpStream) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = S> + Send + 'static,
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind((ip, 0)).await?;
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let requests = Arc::new(AtomicUsize::new(0));
    let replies = Arc::new(replies);
    let counter = requests.clone();
    let handle = super::serve(vec![listener], Duration::from_secs(30), move |sock| {
        let (acceptor, replies, counter) = (acceptor.clone(), replies.clone(), counter.clone());
        let wrap = wrap.clone();
        async move {
            let _ = async {
                let sock = wrap(sock).await;
                let mut tls = acceptor.accept(sock).await.ok()?;
                let head = read_head(&mut tls).await?;
                let path = head.split(' ').nth(1).unwrap_or("").to_string();
                let reply = if path == POLICY_PATH {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    replies
                        .get(n.min(replies.len().saturating_sub(1)))
                        .cloned()
                        .unwrap_or_else(|| HttpReply::status(404))
                } else {
                    HttpReply::status(404)
                };
                tokio::time::sleep(reply.delay).await;
                tls.write_all(&render(&reply)).await.ok()?;
                tls.shutdown().await.ok()
            }
            .await;
        }
    });
    Ok(HttpsServer { handle, requests })
}

/// Serves `body` in plain HTTP at `path` on `ip` (a CRL distribution point: RFC 5280 §4.2.1.13
/// names http URLs, so CRLs are not fetched over TLS); other paths get 404.
pub async fn spawn_http(
    ip: std::net::IpAddr,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> std::io::Result<HttpsServer> {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await?;
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let reply = Arc::new(HttpReply {
        status: 200,
        content_type: Some(content_type.to_string()),
        body,
        location: None,
        delay: Duration::ZERO,
    });
    let path = Arc::new(path.to_string());
    let handle = super::serve(vec![listener], Duration::from_secs(30), move |mut sock| {
        let (reply, path, counter) = (reply.clone(), path.clone(), counter.clone());
        async move {
            let Some(head) = read_head(&mut sock).await else {
                return;
            };
            let asked = head.split(' ').nth(1).unwrap_or("");
            let r = if asked == path.as_str() {
                counter.fetch_add(1, Ordering::SeqCst);
                (*reply).clone()
            } else {
                HttpReply::status(404)
            };
            let _ = sock.write_all(&render(&r)).await;
            let _ = sock.shutdown().await;
        }
    });
    Ok(HttpsServer { handle, requests })
}

/// Reads up to the blank line ending the request head, at most [`MAX_REQUEST`] bytes.
async fn read_head<S: AsyncReadExt + Unpin>(s: &mut S) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_REQUEST {
            return None;
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn render(r: &HttpReply) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nConnection: close\r\n",
        r.status,
        reason(r.status)
    );
    if let Some(ct) = &r.content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if let Some(l) = &r.location {
        head.push_str(&format!("Location: {l}\r\n"));
    }
    // RFC 9110 §8.6: no Content-Length in a 204.
    if r.status != 204 {
        head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if r.status != 204 {
        out.extend_from_slice(&r.body);
    }
    out
}
