//! POODLE against TLS (CVE-2014-8730): does the server check every CBC padding byte?
//!
//! Cost: **one connection**, only when an earlier probe saw the server choose a CBC suite in
//! TLS 1.2 (the version tlsgrade's own client speaks, [`crate::probe::tls12`]). That client
//! completes a handshake offering only the AES-CBC suites it speaks, then sends one *empty*
//! application-data record whose MAC is right and whose padding bytes are wrong (empty, so no
//! application ever sees a byte of it). A server that checks the padding answers with a fatal
//! alert (bad_record_mac, RFC 5246 §6.2.3.2) or closes at once. A server that checks only the
//! padding length takes the record and waits for more; a close_notify sent after a quiet spell
//! (four times the handshake's duration, 1 s to one step) then shows it alive (it answers or
//! closes), which is the flaw.

use crate::grade::rubric::CheckId;
use crate::probe::ciphers::Findings;
use crate::probe::conn::{NotTls, Prober, ServerAnswer};
use crate::probe::enumerate::Enumeration;
use crate::probe::renegotiation::offer;
use crate::probe::tls12::{AppAnswer, Session, Tls12Error};
use crate::report::{Check, Status};
use crate::wire::enums::{AlertDescription, CipherSuite, ProtocolVersion};
use crate::wire::hello::Probe;
use crate::wire::suites;
use crate::wire::tls12::{Padding, SuiteSpec};

/// Whether `suite` protects records with a block cipher in CBC mode.
fn is_cbc(suite: CipherSuite) -> bool {
    suites::info(suite).is_some_and(|i| i.bulk.is_cbc())
}

/// The CBC suites tlsgrade's TLS 1.2 client speaks (AES-CBC with ECDHE or RSA key exchange),
/// ECDHE first.
pub fn cbc_suites() -> Vec<CipherSuite> {
    let mut s: Vec<(bool, CipherSuite)> = suites::all()
        .iter()
        .filter(|i| i.negotiable_in(ProtocolVersion::TLSv1_2))
        .filter_map(|i| SuiteSpec::of(i.suite).filter(|s| s.is_cbc()))
        .map(|s| (s.kx != crate::wire::tls12::Kx::Ecdhe, s.suite))
        .collect();
    s.sort_by_key(|(rsa, _)| *rsa);
    s.into_iter().map(|(_, c)| c).collect()
}

/// What the earlier probes say about CBC in TLS 1.2: `Some(true)` when one chose a CBC suite,
/// `Some(false)` when a complete enumeration of TLS 1.2 found none, `None` when nothing tells
/// (a server that prefers AEAD suites shows no CBC suite to the default probes).
pub fn cbc_seen(f: &Findings, enumerations: &[(Probe, Enumeration)]) -> Option<bool> {
    let chosen = f
        .chosen
        .iter()
        .filter(|(p, _)| *p == Probe::Tls12)
        .map(|(_, s)| *s);
    let classes = f
        .classes
        .iter()
        .filter(|(p, _, _)| *p == Probe::Tls12)
        .filter_map(|(_, _, r)| r.suite());
    let reversed = f.reversed.as_ref().and_then(|r| r.suite());
    if chosen.chain(classes).chain(reversed).any(is_cbc) {
        return Some(true);
    }
    let e = enumerations
        .iter()
        .find(|(p, e)| *p == Probe::Tls12 && !e.incomplete)?;
    Some(e.1.accepted.iter().copied().any(is_cbc))
}

/// What the probe found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poodle {
    /// The record with wrong padding drew this refusal: the padding is checked.
    Rejected(ServerAnswer),
    /// The server took it and was still serving the connection afterwards.
    Accepted,
    /// The handshake offering only AES-CBC was refused: nothing to probe with.
    NoCbc(ServerAnswer),
    /// Could not tell.
    Unknown(String),
}

/// The server's next refusal or silence, past any application data (a greeting, an answer).
async fn next_refusal(s: &mut Session, quiet: std::time::Duration) -> ServerAnswer {
    loop {
        match s.application_answer(quiet).await {
            AppAnswer::Data(_) => continue,
            AppAnswer::Refused(a) => return a,
            AppAnswer::Broken(w) => return ServerAnswer::NotTls(NotTls::Malformed(w)),
        }
    }
}

/// One connection: the CBC handshake, the record with wrong padding, and when the server stays
/// quiet, a close_notify.
pub async fn run(prober: &Prober) -> Poodle {
    let (mut s, _) = match Session::connect(prober, offer(&cbc_suites(), true)).await {
        Ok(x) => x,
        Err(Tls12Error::Refused(a)) => return Poodle::NoCbc(a),
        Err(e) => return Poodle::Unknown(format!("the AES-CBC handshake: {e}")),
    };
    // A server that checks padding answers at once; only a vulnerable one (or one that ignores
    // the record) makes the probe wait this long.
    let quiet = s.answer_wait();
    if let Err(e) = s.send_application_data(&[], Padding::Wrong).await {
        return Poodle::Unknown(format!("sending the record: {e}"));
    }
    match next_refusal(&mut s, quiet).await {
        ServerAnswer::Alert(AlertDescription::CLOSE_NOTIFY) => {
            Poodle::Unknown("the server ended the session on its own (close_notify)".into())
        }
        a @ (ServerAnswer::Alert(_) | ServerAnswer::Closed) => Poodle::Rejected(a),
        ServerAnswer::Silent(_) => {
            if let Err(e) = s.close_notify().await {
                return Poodle::Unknown(format!("sending close_notify: {e}"));
            }
            match next_refusal(&mut s, quiet).await {
                ServerAnswer::Alert(AlertDescription::CLOSE_NOTIFY) | ServerAnswer::Closed => {
                    Poodle::Accepted
                }
                a @ ServerAnswer::Alert(_) => Poodle::Rejected(a),
                ServerAnswer::Silent(_) => Poodle::Unknown(
                    "no answer to the record with wrong padding, nor to a close_notify after it"
                        .into(),
                ),
                other => Poodle::Unknown(format!("after close_notify: {other}")),
            }
        }
        other => Poodle::Unknown(other.to_string()),
    }
}

/// `tls.poodle-tls` from the probe.
pub fn verdict(p: &Poodle) -> Check {
    const ID: CheckId = CheckId::TlsPoodleTls;
    match p {
        Poodle::Rejected(a) => Check::new(
            ID,
            Status::Pass,
            format!("a TLS 1.2 CBC record with wrong padding bytes was refused ({a})"),
        ),
        Poodle::Accepted => Check::new(
            ID,
            Status::Fail,
            "a TLS 1.2 CBC record with wrong padding bytes (and a right MAC) was taken as a good one: the server checks only the padding length, so an attacker can decrypt a session byte by byte (POODLE against TLS, CVE-2014-8730)",
        ),
        Poodle::NoCbc(a) => Check::new(
            ID,
            Status::Info,
            format!("not probed: a TLS 1.2 hello offering only AES-CBC suites was refused ({a}); the server's CBC suites are ones tlsgrade's own client does not speak"),
        ),
        Poodle::Unknown(w) => Check::new(ID, Status::Error, format!("could not tell: {w}")),
    }
}

/// `tls.poodle-tls` for an endpoint with TLS 1.2 whose CBC suites are as `seen` says, probing
/// when a CBC suite was seen.
pub async fn check(prober: &Prober, seen: Option<bool>) -> Check {
    const ID: CheckId = CheckId::TlsPoodleTls;
    match seen {
        Some(true) => verdict(&run(prober).await),
        Some(false) => Check::new(
            ID,
            Status::Pass,
            "no CBC suite accepted in TLS 1.2 (the enumeration found none)",
        ),
        None => Check::new(
            ID,
            Status::Info,
            "not probed: no probe saw the server choose a CBC suite in TLS 1.2 (a server that prefers AEAD suites may still accept CBC ones: --ciphers lists them and then probes)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Grade;
    use crate::wire::enums::CipherSuite as CS;

    #[test]
    fn cbc_suites_are_the_aes_cbc_ones_the_client_speaks_ecdhe_first() {
        let s = cbc_suites();
        assert!(s.contains(&CS::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA));
        assert!(s.contains(&CS::TLS_RSA_WITH_AES_256_CBC_SHA));
        assert!(!s.contains(&CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
        assert!(s.iter().all(|c| is_cbc(*c)));
        let first_rsa = s
            .iter()
            .position(|c| SuiteSpec::of(*c).unwrap().kx != crate::wire::tls12::Kx::Ecdhe)
            .unwrap();
        assert!(s[first_rsa..]
            .iter()
            .all(|c| SuiteSpec::of(*c).unwrap().kx != crate::wire::tls12::Kx::Ecdhe));
    }

    #[test]
    fn cbc_is_seen_in_tls12_choices_only() {
        let mut f = Findings::default();
        assert_eq!(cbc_seen(&f, &[]), None);
        f.chosen = vec![(Probe::Tls10, CS::TLS_RSA_WITH_AES_128_CBC_SHA)];
        assert_eq!(
            cbc_seen(&f, &[]),
            None,
            "TLS 1.0 is not what the client speaks"
        );
        f.chosen = vec![(Probe::Tls12, CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)];
        assert_eq!(cbc_seen(&f, &[]), None);
        let e = |accepted: Vec<CS>, incomplete| Enumeration {
            accepted,
            server_preference: None,
            connections: 1,
            incomplete,
        };
        let gcm_only = e(vec![CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256], false);
        assert_eq!(cbc_seen(&f, &[(Probe::Tls12, gcm_only)]), Some(false));
        let broken = e(vec![], true);
        assert_eq!(cbc_seen(&f, &[(Probe::Tls12, broken)]), None);
        let with_cbc = e(vec![CS::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA], false);
        assert_eq!(cbc_seen(&f, &[(Probe::Tls12, with_cbc)]), Some(true));
        f.chosen = vec![(Probe::Tls12, CS::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256)];
        assert_eq!(cbc_seen(&f, &[]), Some(true));
    }

    #[test]
    fn verdicts() {
        let c = verdict(&Poodle::Accepted);
        assert_eq!(
            (c.id, c.status, c.cap),
            (CheckId::TlsPoodleTls, Status::Fail, Some(Grade::F))
        );
        let alert = ServerAnswer::Alert(AlertDescription::BAD_RECORD_MAC);
        assert_eq!(
            verdict(&Poodle::Rejected(alert.clone())).status,
            Status::Pass
        );
        assert_eq!(verdict(&Poodle::NoCbc(alert)).status, Status::Info);
        assert_eq!(verdict(&Poodle::Unknown("x".into())).status, Status::Error);
    }
}
