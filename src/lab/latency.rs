//! Simulated network latency for the lab, in user space (the kernel here has no netem).
//!
//! [`Delayed`] holds the first write after every read for one round-trip time, so each
//! request/response exchange over it costs about one RTT, whatever the number of write calls a
//! reply takes. Used by the benchmark fleet: 1,000 endpoints at 50 ms RTT behave, for a scanner,
//! like mail servers across a continent. Only the `lab` feature builds it: the demo's servers
//! answer at loopback speed.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// An accepted connection made slow: one `rtt` now for the TCP handshake (loopback connects at
/// once), then one per exchange. The lab servers' `_rtt` spawners wrap every connection in this.
pub async fn accept_delayed<S>(sock: S, rtt: Duration) -> Delayed<S> {
    tokio::time::sleep(rtt).await;
    Delayed::new(sock, rtt)
}

/// A stream whose replies are held for `rtt`.
pub struct Delayed<S> {
    inner: S,
    rtt: Duration,
    /// A read happened since the last delayed write: the next write starts a new reply.
    armed: bool,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> Delayed<S> {
    pub fn new(inner: S, rtt: Duration) -> Self {
        Delayed {
            inner,
            rtt,
            armed: false,
            sleep: None,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Delayed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.armed = true;
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Delayed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.armed && !self.rtt.is_zero() {
            let rtt = self.rtt;
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(rtt)));
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.sleep = None;
            self.armed = false;
        }
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(start_paused = true)]
    async fn each_reply_after_a_request_waits_one_rtt_once() {
        let (client, server) = tokio::io::duplex(1024);
        let mut server = Delayed::new(server, Duration::from_millis(50));
        let mut client = client;
        let start = tokio::time::Instant::now();
        let srv = tokio::spawn(async move {
            let mut b = [0u8; 4];
            server.read_exact(&mut b).await.unwrap();
            // A reply in three writes costs one RTT, not three.
            for part in [&b"a"[..], b"b", b"c"] {
                server.write_all(part).await.unwrap();
            }
        });
        client.write_all(b"ping").await.unwrap();
        let mut r = [0u8; 3];
        client.read_exact(&mut r).await.unwrap();
        srv.await.unwrap();
        assert_eq!(&r, b"abc");
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(50) && took < Duration::from_millis(100),
            "{took:?}"
        );
    }
}
