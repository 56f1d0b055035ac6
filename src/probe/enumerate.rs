//! `--ciphers`: every suite a version accepts, the way testssl.sh finds them — offer every suite
//! we know for the version (at most [`hello::MAX_CIPHER_SUITES`]), note the one chosen, remove
//! it, and repeat until the server refuses. One connection per accepted suite plus one, plus one
//! to learn the server's preference (the accepted list offered in reverse). Opt-in because it
//! costs tens of connections per version; the default weak-class probes
//! ([`super::ciphers`]) answer the grading questions in a handful.

use tokio::sync::Semaphore;

use crate::probe::ciphers::{class_suites, WEAK_CLASSES};
use crate::probe::versions::{self, ProbeTarget};
use crate::wire::enums::CipherSuite;
use crate::wire::hello::{self, ClientHelloBuilder, Probe};

/// What enumeration found for one version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Enumeration {
    /// Accepted suites in the order the server chose them (its preference when it has one).
    pub accepted: Vec<CipherSuite>,
    /// Does the server choose by its own order? `None` with fewer than two suites or no answer.
    pub server_preference: Option<bool>,
    pub connections: u32,
    /// Enumeration stopped on something other than a refusal (timeout, garbage).
    pub incomplete: bool,
}

/// Every suite we can name that `probe` may negotiate, SCSVs excluded, strongest lists first.
pub fn pool(probe: Probe) -> Vec<CipherSuite> {
    if probe == Probe::Tls13 {
        return hello::TLS13_SUITES.to_vec();
    }
    let mut all: Vec<CipherSuite> = Vec::new();
    let tls12_only = |s: &CipherSuite| {
        let n = s.name();
        n.contains("GCM")
            || n.contains("CHACHA")
            || n.contains("CCM")
            || n.ends_with("SHA256")
            || n.ends_with("SHA384")
    };
    for list in [hello::TLS12_SUITES, hello::TLS10_SUITES, hello::SSL3_SUITES] {
        for s in list {
            let fits = probe == Probe::Tls12 || !tls12_only(s);
            let export = s.name().contains("EXPORT");
            let export_ok = matches!(probe, Probe::Ssl3 | Probe::Tls10);
            if fits && (export_ok || !export) && !all.contains(s) {
                all.push(*s);
            }
        }
    }
    for c in WEAK_CLASSES {
        for s in class_suites(c, probe) {
            if !all.contains(&s) {
                all.push(s);
            }
        }
    }
    all.retain(|s| {
        *s != CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV && *s != CipherSuite::TLS_FALLBACK_SCSV
    });
    all.truncate(hello::MAX_CIPHER_SUITES - 1);
    all
}

fn hello_bytes(t: &ProbeTarget, probe: Probe, suites: &[CipherSuite]) -> Option<Vec<u8>> {
    let mut offered = suites.to_vec();
    if probe != Probe::Tls13 {
        offered.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    }
    let mut b = ClientHelloBuilder::randomized(probe).cipher_suites(&offered);
    if let Some(n) = &t.sni {
        b = b.server_name(n);
    }
    if probe == Probe::Tls13 {
        b = b.secp256r1_key_share(Some(hello::SECP256R1_GENERATOR));
    }
    b.build().ok()
}

/// Offers `suites` once; the suite chosen at `probe`'s version, `Err(true)` for a refusal,
/// `Err(false)` when the answer says nothing.
async fn choose(
    t: &ProbeTarget,
    limit: &Semaphore,
    probe: Probe,
    suites: &[CipherSuite],
) -> Result<CipherSuite, bool> {
    let Some(bytes) = hello_bytes(t, probe, suites) else {
        return Err(false);
    };
    let _permit = limit.acquire().await;
    match versions::attempt_flight(t, &bytes).await {
        Ok(f) => {
            let sh = &f.server_hello;
            let ok =
                sh.is_hello_retry_request() || sh.negotiated_version() == probe.target_version();
            if ok && suites.contains(&sh.cipher_suite) {
                Ok(sh.cipher_suite)
            } else {
                Err(false)
            }
        }
        Err(versions::Answer::Alert(_)) | Err(versions::Answer::Closed) => Err(true),
        Err(_) => Err(false),
    }
}

/// Enumerates the suites `probe` accepts (see the module comment).
pub async fn enumerate(t: &ProbeTarget, limit: &Semaphore, probe: Probe) -> Enumeration {
    let mut e = Enumeration::default();
    let mut left = pool(probe);
    while !left.is_empty() {
        e.connections += 1;
        match choose(t, limit, probe, &left).await {
            Ok(s) => {
                e.accepted.push(s);
                left.retain(|x| *x != s);
            }
            Err(refused) => {
                e.incomplete = !refused;
                break;
            }
        }
    }
    if e.accepted.len() >= 2 {
        let mut rev = e.accepted.clone();
        rev.reverse();
        e.connections += 1;
        e.server_preference = match choose(t, limit, probe, &rev).await {
            Ok(s) if s == e.accepted[0] => Some(true),
            Ok(_) => Some(false),
            Err(_) => None,
        };
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_fit_one_hello_and_respect_what_each_version_can_negotiate() {
        for p in Probe::ALL {
            let pool = pool(p);
            assert!(
                !pool.is_empty() && pool.len() < hello::MAX_CIPHER_SUITES,
                "{p:?}"
            );
            let mut dedup = pool.clone();
            dedup.sort_by_key(|s| s.0);
            dedup.dedup();
            assert_eq!(dedup.len(), pool.len(), "{p:?} has duplicates");
        }
        assert!(pool(Probe::Tls10).iter().all(|s| !s.name().contains("GCM")));
        assert!(
            pool(Probe::Tls10).contains(&CipherSuite(0x0003)),
            "EXPORT in TLS 1.0"
        );
        assert!(
            !pool(Probe::Tls12).contains(&CipherSuite(0x0003)),
            "no EXPORT in TLS 1.2"
        );
        assert!(
            pool(Probe::Tls12).contains(&CipherSuite(0x0005)),
            "RC4 in TLS 1.2"
        );
        assert_eq!(pool(Probe::Tls13), hello::TLS13_SUITES);
    }
}
