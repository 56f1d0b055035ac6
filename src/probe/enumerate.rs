//! `--ciphers`: every suite a version accepts, the way testssl.sh finds them — offer every suite
//! we know for the version (at most [`hello::MAX_CIPHER_SUITES`]), note the one chosen, remove
//! it, and repeat until the server refuses. One connection per accepted suite plus one, plus one
//! to learn the server's preference (the accepted list offered in reverse). Opt-in because it
//! costs tens of connections per version; the default weak-class probes
//! ([`super::ciphers`]) answer the grading questions in a handful.

use crate::probe::conn::{Prober, ServerAnswer};
use crate::wire::enums::CipherSuite;
use crate::wire::hello::{self, ClientHelloBuilder, Probe};
use crate::wire::suites::{self, WeakClass};

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

/// Every suite we can name that `probe` may negotiate, SCSVs excluded, strongest lists first
/// (an SSL 3.0 hello offers what TLS 1.0 can negotiate, as [`crate::probe::ciphers`] does).
pub fn pool(probe: Probe) -> Vec<CipherSuite> {
    if probe == Probe::Tls13 {
        return hello::TLS13_SUITES.to_vec();
    }
    let version = match probe {
        Probe::Ssl3 => Probe::Tls10.target_version(),
        p => p.target_version(),
    };
    let mut all: Vec<CipherSuite> = Vec::new();
    let lists = [hello::TLS12_SUITES, hello::TLS10_SUITES, hello::SSL3_SUITES];
    let weak = WeakClass::ALL.iter().flat_map(|c| c.suites().iter());
    for s in lists.iter().flat_map(|l| l.iter()).chain(weak) {
        if suites::info(*s).is_some_and(|i| i.negotiable_in(version)) && !all.contains(s) {
            all.push(*s);
        }
    }
    all.truncate(hello::MAX_CIPHER_SUITES - 1);
    all
}

fn builder(probe: Probe, suites: &[CipherSuite]) -> ClientHelloBuilder {
    let mut offered = suites.to_vec();
    if probe != Probe::Tls13 {
        offered.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    }
    let b = ClientHelloBuilder::randomized(probe).cipher_suites(&offered);
    if probe == Probe::Tls13 {
        b.secp256r1_key_share(Some(hello::SECP256R1_GENERATOR))
    } else {
        b
    }
}

/// Offers `suites` once; the suite chosen at `probe`'s version, `Err(true)` for a refusal,
/// `Err(false)` when the answer says nothing.
async fn choose(
    prober: &Prober,
    probe: Probe,
    suites: &[CipherSuite],
) -> Result<CipherSuite, bool> {
    match prober.hello(builder(probe, suites)).await.map(|x| x.answer) {
        Ok(ServerAnswer::Hello(f)) => {
            let sh = &f.server_hello;
            let ok =
                sh.is_hello_retry_request() || sh.negotiated_version() == probe.target_version();
            if ok && suites.contains(&sh.cipher_suite) {
                Ok(sh.cipher_suite)
            } else {
                Err(false)
            }
        }
        Ok(a) if a.is_refusal() => Err(true),
        _ => Err(false),
    }
}

/// Enumerates the suites `probe` accepts (see the module comment).
pub async fn enumerate(prober: &Prober, probe: Probe) -> Enumeration {
    let mut e = Enumeration::default();
    let mut left = pool(probe);
    while !left.is_empty() {
        e.connections += 1;
        match choose(prober, probe, &left).await {
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
        e.server_preference = match choose(prober, probe, &rev).await {
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
