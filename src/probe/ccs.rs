//! CCS injection (CVE-2014-0224): one connection, or none on the TLS 1.2 version probe's
//! ([`after_flight`]). After the server's first flight, a
//! ChangeCipherSpec is sent before any key exchange. A correct server refuses it at once (alert
//! unexpected_message, or a close). A vulnerable OpenSSL (before 0.9.8za / 1.0.0m / 1.0.1h)
//! accepts it and switches to keys derived from an empty master secret; it then cannot decrypt
//! the next record (a second ChangeCipherSpec, sent in clear) and answers bad_record_mac or
//! decryption_failed. The method testssl.sh and nmap's ssl-ccs-injection use.

use std::time::Duration;

use crate::grade::rubric::CheckId;
use crate::probe::conn::{Conn, Prober, ServerAnswer};
use crate::report::{Check, Status};
use crate::wire::enums::AlertDescription;
use crate::wire::flight::change_cipher_spec_record;
use crate::wire::hello::{ClientHelloBuilder, Probe};

const ID: CheckId = CheckId::TlsCcsInjection;

/// Shortest and longest wait for an answer to a ChangeCipherSpec: three of the hello's round
/// trips within these bounds, as the STARTTLS-injection probe waits.
const QUIET_MIN: Duration = Duration::from_millis(150);
const QUIET_MAX: Duration = Duration::from_millis(1500);

/// The verdict from what the first and (when the first was silence) the second
/// ChangeCipherSpec drew. `None` for the second = not sent.
pub fn verdict(version: &str, first: &ServerAnswer, second: Option<&ServerAnswer>) -> Check {
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
        (ServerAnswer::Alert(d), _) if broke(d) => vulnerable(d),
        (ServerAnswer::Alert(d), _) => Check::new(
            ID,
            Status::Pass,
            format!(
                "an early ChangeCipherSpec was refused with alert {}: not vulnerable to CCS injection",
                d.name()
            ),
        ),
        (ServerAnswer::Closed, _) => Check::new(
            ID,
            Status::Pass,
            "the server closed the connection at an early ChangeCipherSpec: not vulnerable to CCS injection",
        ),
        (other @ ServerAnswer::NotTls(_), _) | (other @ ServerAnswer::Hello(_), _) => unknown(other.to_string()),
        (ServerAnswer::Silent(_), Some(ServerAnswer::Alert(d))) if broke(d) => vulnerable(d),
        (ServerAnswer::Silent(_), Some(ServerAnswer::Alert(d))) => Check::new(
            ID,
            Status::Pass,
            format!(
                "a second early ChangeCipherSpec was refused with alert {}: not vulnerable to CCS injection",
                d.name()
            ),
        ),
        (ServerAnswer::Silent(_), Some(ServerAnswer::Closed)) => {
            unknown("the server was silent after an early ChangeCipherSpec and closed after a second".into())
        }
        (ServerAnswer::Silent(_), Some(other @ (ServerAnswer::NotTls(_) | ServerAnswer::Hello(_)))) => unknown(other.to_string()),
        (ServerAnswer::Silent(_), _) => {
            unknown("no answer to two early ChangeCipherSpec messages".into())
        }
    }
}

/// Runs the probe at `probe` (a TLS 1.0–1.2 version the server accepts).
pub async fn probe(prober: &Prober, probe: Probe) -> Check {
    match run(prober, probe).await {
        Ok(c) => c,
        Err(why) => Check::new(ID, Status::Error, format!("could not test: {why}")),
    }
}

async fn run(prober: &Prober, probe: Probe) -> Result<Check, String> {
    let b = ClientHelloBuilder::randomized(probe);
    let (mut conn, _, rtt) = prober.first_flight(b).await.map_err(|e| e.to_string())?;
    on_connection(&mut conn, rtt, probe).await
}

/// The test on a connection that has just read the server's first flight at `probe`, whose
/// hello took `rtt`.
pub async fn after_flight(conn: &mut Conn, rtt: Duration, probe: Probe) -> Check {
    match on_connection(conn, rtt, probe).await {
        Ok(c) => c,
        Err(why) => Check::new(ID, Status::Error, format!("could not test: {why}")),
    }
}

async fn on_connection(conn: &mut Conn, rtt: Duration, probe: Probe) -> Result<Check, String> {
    let quiet = (rtt * 3).clamp(QUIET_MIN, QUIET_MAX);
    // Records after the ServerHello carry the negotiated version; OpenSSL refuses others.
    let ccs = change_cipher_spec_record(probe.target_version());
    let version = probe.target_version().name();
    conn.send(&ccs).await?;
    let first = conn.alert(quiet).await;
    if !matches!(first, ServerAnswer::Silent(_)) {
        return Ok(verdict(&version, &first, None));
    }
    let second = match conn.send(&ccs).await {
        Ok(()) => conn.alert(quiet).await,
        Err(_) => ServerAnswer::Closed,
    };
    Ok(verdict(&version, &first, Some(&second)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Grade;

    #[test]
    fn the_record_is_a_one_byte_change_cipher_spec() {
        assert_eq!(
            change_cipher_spec_record(Probe::Tls12.target_version()),
            [20, 3, 3, 0, 1, 1]
        );
    }

    #[test]
    fn verdicts() {
        use AlertDescription as A;
        use ServerAnswer as S;
        let silent = || S::Silent(Duration::from_secs(1));
        let v = |f: S, s: Option<S>| verdict("TLSv1.2", &f, s.as_ref());
        let c = v(S::Alert(A::UNEXPECTED_MESSAGE), None);
        assert_eq!((c.status, c.cap), (Status::Pass, None));
        assert!(c.detail.contains("unexpected_message"));
        assert_eq!(v(S::Closed, None).status, Status::Pass);
        for d in [A::BAD_RECORD_MAC, A::DECRYPTION_FAILED] {
            let c = v(silent(), Some(S::Alert(d)));
            assert_eq!((c.status, c.cap), (Status::Fail, Some(Grade::F)));
            assert_eq!(v(S::Alert(d), None).status, Status::Fail);
        }
        assert_eq!(
            v(silent(), Some(S::Alert(A::UNEXPECTED_MESSAGE))).status,
            Status::Pass
        );
        assert_eq!(v(silent(), Some(silent())).status, Status::Error);
        assert_eq!(v(silent(), Some(S::Closed)).status, Status::Error);
        let garbage = S::NotTls(crate::probe::conn::NotTls::Garbage(Vec::new()));
        assert_eq!(v(garbage, None).status, Status::Error);
    }
}
