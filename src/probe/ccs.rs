//! CCS injection (CVE-2014-0224): one connection. After the server's first flight, a
//! ChangeCipherSpec is sent before any key exchange. A correct server refuses it at once (alert
//! unexpected_message, or a close). A vulnerable OpenSSL (before 0.9.8za / 1.0.0m / 1.0.1h)
//! accepts it and switches to keys derived from an empty master secret; it then cannot decrypt
//! the next record (a second ChangeCipherSpec, sent in clear) and answers bad_record_mac or
//! decryption_failed. The method testssl.sh and nmap's ssl-ccs-injection use.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::grade::rubric::CheckId;
use crate::probe::versions::ProbeTarget;
use crate::report::{Check, Status};
use crate::wire::enums::{AlertDescription, ContentType};
use crate::wire::hello::{ClientHelloBuilder, Probe};
use crate::wire::record::RecordReader;

const ID: CheckId = CheckId::TlsCcsInjection;

/// Shortest and longest wait for an answer to a ChangeCipherSpec: three of the hello's round
/// trips within these bounds, as the STARTTLS-injection probe waits.
const QUIET_MIN: Duration = Duration::from_millis(150);
const QUIET_MAX: Duration = Duration::from_millis(1500);
/// Most bytes read while waiting for an answer.
const MAX_READ: usize = 64 * 1024;

/// A ChangeCipherSpec record (RFC 5246 §7.1) with this record-layer version.
pub fn ccs_record(record_version: u16) -> Vec<u8> {
    let v = record_version.to_be_bytes();
    vec![20, v[0], v[1], 0x00, 0x01, 0x01]
}

/// What came back after a ChangeCipherSpec.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    Alert(AlertDescription),
    Closed,
    Silent,
    /// Bytes that are not TLS records.
    Garbage(String),
}

/// Reads records until an alert, the end of the stream, `quiet` without one, or too many bytes.
/// Non-alert records are skipped.
pub async fn listen<S: AsyncReadExt + Unpin>(s: &mut S, quiet: Duration) -> Heard {
    let mut reader = RecordReader::new();
    let mut buf = [0u8; 4096];
    let mut total = 0usize;
    let deadline = tokio::time::Instant::now() + quiet;
    loop {
        loop {
            match reader.next_record() {
                Ok(Some(r)) if r.header.content_type == ContentType::ALERT => {
                    return match crate::wire::alert::parse_alert(&r.payload) {
                        Ok(a) => Heard::Alert(a.description),
                        Err(e) => Heard::Garbage(format!("unreadable alert: {e}")),
                    };
                }
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e) => return Heard::Garbage(e.to_string()),
            }
        }
        if total > MAX_READ {
            return Heard::Garbage(format!("over {MAX_READ} bytes and no alert"));
        }
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return Heard::Silent,
            Ok(Ok(0)) | Ok(Err(_)) => return Heard::Closed,
            Ok(Ok(n)) => {
                total += n;
                if let Err(e) = reader.feed(&buf[..n]) {
                    return Heard::Garbage(e.to_string());
                }
            }
        }
    }
}

/// The verdict from what the first and (when the first was silence) the second
/// ChangeCipherSpec drew. `None` for the second = not sent.
pub fn verdict(version: &str, first: &Heard, second: Option<&Heard>) -> Check {
    let broke = |d: &AlertDescription| {
        *d == AlertDescription::BAD_RECORD_MAC || *d == AlertDescription::DECRYPTION_FAILED
    };
    let vulnerable = |d: &AlertDescription| {
        Check::new(
            ID,
            Status::Fail,
            format!(
                "CCS injection (CVE-2014-0224): the server took a ChangeCipherSpec before any key exchange in {version} and then could not decrypt (alert {}): a man in the middle can make both ends use keys derived from an empty master secret and read the session",
                d.name()
            ),
        )
    };
    let unknown = |w: String| Check::new(ID, Status::Error, format!("could not tell: {w}"));
    match (first, second) {
        (Heard::Alert(d), _) if broke(d) => vulnerable(d),
        (Heard::Alert(d), _) => Check::new(
            ID,
            Status::Pass,
            format!(
                "an early ChangeCipherSpec was refused with alert {}: not vulnerable to CCS injection",
                d.name()
            ),
        ),
        (Heard::Closed, _) => Check::new(
            ID,
            Status::Pass,
            "the server closed the connection at an early ChangeCipherSpec: not vulnerable to CCS injection",
        ),
        (Heard::Garbage(w), _) => unknown(w.clone()),
        (Heard::Silent, Some(Heard::Alert(d))) if broke(d) => vulnerable(d),
        (Heard::Silent, Some(Heard::Alert(d))) => Check::new(
            ID,
            Status::Pass,
            format!(
                "a second early ChangeCipherSpec was refused with alert {}: not vulnerable to CCS injection",
                d.name()
            ),
        ),
        (Heard::Silent, Some(Heard::Closed)) => {
            unknown("the server was silent after an early ChangeCipherSpec and closed after a second".into())
        }
        (Heard::Silent, Some(Heard::Garbage(w))) => unknown(w.clone()),
        (Heard::Silent, _) => {
            unknown("no answer to two early ChangeCipherSpec messages".into())
        }
    }
}

/// Runs the probe at `probe` (a TLS 1.0–1.2 version the server accepts).
pub async fn probe(t: &ProbeTarget, probe: Probe) -> Check {
    match run(t, probe).await {
        Ok(c) => c,
        Err(why) => Check::new(ID, Status::Error, format!("could not test: {why}")),
    }
}

async fn run(t: &ProbeTarget, probe: Probe) -> Result<Check, String> {
    let b = ClientHelloBuilder::randomized(probe);
    let (mut s, _, rtt) = crate::probe::heartbleed::through_server_hello_done(t, b).await?;
    let quiet = (rtt * 3)
        .clamp(QUIET_MIN, QUIET_MAX)
        .min(t.timeouts.command);
    // Records after the ServerHello carry the negotiated version; OpenSSL refuses others.
    let ccs = ccs_record(probe.target_version().0);
    let version = probe.target_version().name();
    s.write_all(&ccs).await.map_err(|e| e.to_string())?;
    let first = listen(&mut s, quiet).await;
    if first != Heard::Silent {
        return Ok(verdict(&version, &first, None));
    }
    let second = match s.write_all(&ccs).await {
        Ok(()) => listen(&mut s, quiet).await,
        Err(_) => Heard::Closed,
    };
    Ok(verdict(&version, &first, Some(&second)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Grade;

    #[test]
    fn the_record_is_a_one_byte_change_cipher_spec() {
        assert_eq!(ccs_record(0x0303), [20, 3, 3, 0, 1, 1]);
    }

    #[test]
    fn verdicts() {
        use AlertDescription as A;
        let v = |f: Heard, s: Option<Heard>| verdict("TLSv1.2", &f, s.as_ref());
        let c = v(Heard::Alert(A::UNEXPECTED_MESSAGE), None);
        assert_eq!((c.status, c.cap), (Status::Pass, None));
        assert!(c.detail.contains("unexpected_message"));
        assert_eq!(v(Heard::Closed, None).status, Status::Pass);
        for d in [A::BAD_RECORD_MAC, A::DECRYPTION_FAILED] {
            let c = v(Heard::Silent, Some(Heard::Alert(d)));
            assert_eq!((c.status, c.cap), (Status::Fail, Some(Grade::F)));
            assert_eq!(v(Heard::Alert(d), None).status, Status::Fail);
        }
        assert_eq!(
            v(Heard::Silent, Some(Heard::Alert(A::UNEXPECTED_MESSAGE))).status,
            Status::Pass
        );
        assert_eq!(v(Heard::Silent, Some(Heard::Silent)).status, Status::Error);
        assert_eq!(v(Heard::Silent, Some(Heard::Closed)).status, Status::Error);
        assert_eq!(v(Heard::Garbage("x".into()), None).status, Status::Error);
    }

    #[tokio::test]
    async fn listen_reads_an_alert_skips_other_records_and_bounds_garbage() {
        // A handshake record, then a fatal bad_record_mac alert split across writes.
        let bytes: Vec<u8> = [&[22, 3, 3, 0, 2, 14, 0][..], &[21, 3, 3, 0, 2, 2, 20][..]].concat();
        for cut in 0..bytes.len() {
            let (mut a, mut b) = tokio::io::duplex(64);
            let (x, y) = (bytes[..cut].to_vec(), bytes[cut..].to_vec());
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                a.write_all(&x).await.unwrap();
                tokio::time::sleep(Duration::from_millis(5)).await;
                a.write_all(&y).await.unwrap();
                tokio::time::sleep(Duration::from_millis(200)).await;
            });
            assert_eq!(
                listen(&mut b, Duration::from_secs(2)).await,
                Heard::Alert(AlertDescription::BAD_RECORD_MAC),
                "cut at {cut}"
            );
        }
        let (mut a, mut b) = tokio::io::duplex(64);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let _ = a.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        });
        assert!(matches!(
            listen(&mut b, Duration::from_secs(2)).await,
            Heard::Garbage(_)
        ));
        let (a, mut b) = tokio::io::duplex(64);
        drop(a);
        assert_eq!(listen(&mut b, Duration::from_secs(2)).await, Heard::Closed);
        let (_a, mut b) = tokio::io::duplex(64);
        assert_eq!(
            listen(&mut b, Duration::from_millis(50)).await,
            Heard::Silent
        );
    }
}
