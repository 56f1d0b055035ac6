//! A bounded CRLF line reader for plaintext dialogues.
//!
//! Limits every reply in bytes and lines so that a server sending 10 MB without a newline or a
//! 10,000-line EHLO reply costs us a bounded amount of memory and a clear error.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::report::{ErrorInfo, ErrorKind};

/// Longest line we accept (RFC 5321 §4.5.3.1.5 allows 512 octets for a reply line; real servers
/// stay well below; we allow more to be lenient).
pub const MAX_LINE: usize = 4096;
/// Most lines in one multi-line reply.
pub const MAX_REPLY_LINES: usize = 256;

/// Reads lines from a stream, keeping unread bytes for the next call.
pub struct LineReader {
    buf: Vec<u8>,
}

impl Default for LineReader {
    fn default() -> Self {
        Self::new()
    }
}

impl LineReader {
    pub fn new() -> Self {
        LineReader { buf: Vec::new() }
    }

    /// A reader that starts with `buf` already received (the lab's CVE-2011-0411 server carries
    /// plaintext across STARTTLS this way).
    pub fn with_pending(buf: Vec<u8>) -> Self {
        LineReader { buf }
    }

    /// Bytes received but not consumed as lines (e.g. data a server sent after `220` to
    /// STARTTLS, which must not exist).
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }

    /// Reads one line (without CRLF or LF) within `timeout`.
    pub async fn read_line<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        timeout: Duration,
        what: &str,
    ) -> Result<Vec<u8>, ErrorInfo> {
        let deadline = tokio::time::Instant::now() + timeout;
        self.read_line_by(stream, deadline, timeout, what).await
    }

    /// Reads one line by `deadline`, one line of a reply that must be complete within `step`
    /// (a multi-line reply): a timeout names the step, not what was left of it.
    pub async fn read_line_by<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        deadline: tokio::time::Instant,
        step: Duration,
        what: &str,
    ) -> Result<Vec<u8>, ErrorInfo> {
        let fut = async {
            loop {
                if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                    let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                    line.pop();
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    return Ok(line);
                }
                if self.buf.len() > MAX_LINE {
                    return Err(ErrorInfo::new(
                        ErrorKind::ProtocolError,
                        format!("{what}: line longer than {MAX_LINE} bytes"),
                    ));
                }
                let mut chunk = [0u8; 4096];
                let n = stream
                    .read(&mut chunk)
                    .await
                    .map_err(|e| super::io_error(&e, what))?;
                if n == 0 {
                    return Err(ErrorInfo::new(
                        ErrorKind::ConnectionClosed,
                        format!("{what}: server closed the connection"),
                    ));
                }
                self.buf.extend_from_slice(&chunk[..n]);
            }
        };
        match tokio::time::timeout_at(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(ErrorInfo::new(
                ErrorKind::Timeout,
                format!("{what}: no complete line within {}", super::seconds(step)),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn splits_lines_across_reads_and_keeps_the_rest() {
        let (mut a, mut b) = tokio::io::duplex(64);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            a.write_all(b"220 hel").await.unwrap();
            a.write_all(b"lo\r\n250 x\nrest").await.unwrap();
        });
        let mut r = LineReader::new();
        let t = Duration::from_secs(5);
        assert_eq!(r.read_line(&mut b, t, "x").await.unwrap(), b"220 hello");
        assert_eq!(r.read_line(&mut b, t, "x").await.unwrap(), b"250 x");
        assert_eq!(r.pending(), b"rest");
    }

    #[tokio::test]
    async fn refuses_a_line_without_end() {
        let (mut a, mut b) = tokio::io::duplex(1 << 16);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let _ = a.write_all(&vec![b'x'; 3 * MAX_LINE]).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let e = LineReader::new()
            .read_line(&mut b, Duration::from_secs(5), "greeting")
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ProtocolError);
    }

    #[tokio::test(start_paused = true)]
    async fn times_out_when_no_line_comes() {
        let (_a, mut b) = tokio::io::duplex(64);
        let e = LineReader::new()
            .read_line(&mut b, Duration::from_secs(3), "greeting")
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout);
    }
}
