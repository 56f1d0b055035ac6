//! STARTTLS command injection (CVE-2011-0411): does the server keep plaintext that arrived with
//! STARTTLS and answer it inside TLS? One SMTP connection.
//!
//! `STARTTLS\r\nRSET\r\n` goes out in a single write (one TCP segment with Nagle off). A fixed
//! server discards the buffered `RSET` when TLS starts; a vulnerable one answers it inside TLS,
//! where an attacker who injected it would have had it executed as if the client sent it. A reply
//! in clear text after the `220` is not exploitable but breaks RFC 3207 §4 (the server must
//! send nothing more before the handshake): WARN.

use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::grade::rubric::CheckId;
use crate::net::lines::LineReader;
use crate::net::starttls::read_smtp_reply;
use crate::probe::conn::Prober;
use crate::report::{Check, Status};

const ID: CheckId = CheckId::SmtpStarttlsInjection;

/// How long to wait for a reply that should never come. A vulnerable server answers at once (the
/// command is already in its buffer), so a few round trips suffice: three times the STARTTLS
/// exchange's round trip, within these bounds (a fixed wait cost every SMTP endpoint 1.5 s).
const QUIET_MIN: Duration = Duration::from_millis(150);
const QUIET_MAX: Duration = Duration::from_millis(1500);

/// Runs the probe; the result is always a check (ERROR when the dialogue itself failed).
pub async fn probe(prober: &Prober) -> Check {
    match run(prober).await {
        Ok(c) => c,
        Err(why) => Check::new(ID, Status::Error, format!("could not test: {why}")),
    }
}

async fn run(prober: &Prober) -> Result<Check, String> {
    let t = prober.target();
    let step = t.timeouts.command;
    let (mut s, _permit) = prober.connect().await.map_err(|e| e.message)?;
    let mut r = LineReader::new();
    let g = read_smtp_reply(&mut r, &mut s, t.timeouts.greeting, "SMTP greeting")
        .await
        .map_err(|e| e.message)?;
    if g.code != 220 {
        return Err(format!("greeting {}", g.summary()));
    }
    write(&mut s, format!("EHLO {}\r\n", t.ehlo_name).as_bytes(), step).await?;
    let e = read_smtp_reply(&mut r, &mut s, step, "EHLO")
        .await
        .map_err(|e| e.message)?;
    if e.code != 250 {
        return Err(format!("EHLO answered {}", e.summary()));
    }
    // The injection: both commands in one segment.
    let sent = tokio::time::Instant::now();
    write(&mut s, b"STARTTLS\r\nRSET\r\n", step).await?;
    let st = read_smtp_reply(&mut r, &mut s, step, "STARTTLS")
        .await
        .map_err(|e| e.message)?;
    let quiet = (sent.elapsed() * 3).clamp(QUIET_MIN, QUIET_MAX).min(step);
    if st.code != 220 {
        return Err(format!("STARTTLS answered {}", st.summary()));
    }
    // Anything more in clear text? Only the server can send it now (we wait with our hello).
    let mut clear = r.pending().to_vec();
    if clear.is_empty() {
        let mut buf = [0u8; 512];
        if let Ok(Ok(n)) = tokio::time::timeout(quiet, s.read(&mut buf)).await {
            clear.extend_from_slice(&buf[..n]);
        }
    }
    if !clear.is_empty() {
        return Ok(Check::new(
            ID,
            Status::Warn,
            format!(
                "the server answered the RSET sent with STARTTLS in clear text before TLS ({:?}): not injectable, but RFC 3207 §4 wants nothing between 220 and the handshake",
                crate::report::escape::lossy(&clear[..clear.len().min(40)])
            ),
        ));
    }
    let name = t
        .sni
        .as_deref()
        .and_then(|n| ServerName::try_from(n.to_string()).ok())
        .unwrap_or_else(|| ServerName::IpAddress(t.dial.ip().into()));
    let (mut tls, _) = crate::probe::tls::handshake(s, name, step, crate::probe::tls::Offer::Usual)
        .await
        .map_err(|f| f.error.message)?;
    // Send nothing: any reply now is to the injected RSET.
    let mut buf = [0u8; 512];
    let got = match tokio::time::timeout(quiet, tls.read(&mut buf)).await {
        Ok(Ok(n)) => buf[..n].to_vec(),
        _ => Vec::new(),
    };
    let _ = tokio::time::timeout(step, async {
        tls.write_all(b"QUIT\r\n").await?;
        tls.flush().await
    })
    .await;
    if got.is_empty() {
        return Ok(Check::new(
            ID,
            Status::Pass,
            "plaintext sent with STARTTLS was discarded when TLS started (CVE-2011-0411 not present)",
        ));
    }
    let first = String::from_utf8_lossy(&got[..got.len().min(40)]).to_string();
    Ok(Check::new(
        ID,
        Status::Fail,
        format!(
            "STARTTLS command injection (CVE-2011-0411): a command sent in clear text with STARTTLS was answered inside TLS ({:?}); an attacker could inject commands into the encrypted session",
            first.trim_end()
        ),
    ))
}

async fn write(s: &mut tokio::net::TcpStream, data: &[u8], step: Duration) -> Result<(), String> {
    match tokio::time::timeout(step, s.write_all(data)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("write failed: {e}")),
        Err(_) => Err("write timed out".into()),
    }
}
