//! `tlsgrade cert`'s judgement, pure: the facts gathered about a certificate file and its targets
//! (the file's chain and key, trust, revocation, the names and TLSA records each target needs)
//! → the `preflight.*` checks and the TLSA records to publish. What could go wrong the moment the
//! certificate is bound, said before it is.

use rustls_pki_types::{CertificateDer, ServerName};
use serde::Serialize;
use x509_parser::prelude::*;

use crate::certfile::{CertFile, KeyMatch};
use crate::grade::rubric::CheckId;
use crate::policy::dane::{self, Outcome, Tlsa};
use crate::report::{Check, RevocationReport, RevocationStatus, Status};
use crate::wire::keys::{Curve, KeyType};

/// How the file's chain reaches a trusted root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainTrust {
    /// With the certificates in the file alone; `public`: to a root of the web PKI (not only a
    /// `--ca-file` one).
    InFile { public: bool },
    /// Only with intermediates fetched from the AIA caIssuers URLs named.
    WithAia { public: bool, urls: Vec<String> },
    /// No path: why.
    Untrusted(String),
}

impl ChainTrust {
    fn public(&self) -> bool {
        matches!(
            self,
            ChainTrust::InFile { public: true } | ChainTrust::WithAia { public: true, .. }
        )
    }
}

/// The CA/Browser Forum Baseline Requirements' maximum validity, in days, of a server
/// certificate issued at `issued` (Unix seconds): SC-081 shortens it in steps.
pub fn max_lifetime_days(issued: i64) -> i64 {
    const MAR_15_2026: i64 = 1_773_532_800;
    const MAR_15_2027: i64 = 1_805_068_800;
    const MAR_15_2029: i64 = 1_868_227_200;
    match issued {
        t if t >= MAR_15_2029 => 47,
        t if t >= MAR_15_2027 => 100,
        t if t >= MAR_15_2026 => 200,
        _ => 398,
    }
}

/// A TLSA record in presentation form.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TlsaRecord {
    pub usage: u8,
    pub selector: u8,
    pub matching: u8,
    /// Lower-case hex.
    pub data: String,
}

impl TlsaRecord {
    /// `3 1 1 ab12…`
    pub fn presentation(&self) -> String {
        format!(
            "{} {} {} {}",
            self.usage, self.selector, self.matching, self.data
        )
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The records that match this chain: DANE-EE `3 1 1` (the leaf's key, which survives renewals
/// that keep it) and DANE-TA `2 1 1` (the issuing CA's key), when the issuer is in the chain.
pub fn tlsa_records(chain: &[CertificateDer<'_>]) -> Vec<TlsaRecord> {
    let spki = |der: &[u8]| {
        X509Certificate::from_der(der).ok().map(|(_, c)| {
            hex(ring::digest::digest(&ring::digest::SHA256, c.public_key().raw).as_ref())
        })
    };
    let mut out = Vec::new();
    if let Some(data) = chain.first().and_then(|l| spki(l)) {
        out.push(TlsaRecord {
            usage: 3,
            selector: 1,
            matching: 1,
            data,
        });
    }
    if let Some(data) = chain.get(1).and_then(|i| spki(i)) {
        out.push(TlsaRecord {
            usage: 2,
            selector: 1,
            matching: 1,
            data,
        });
    }
    out
}

/// The file's own checks: chain, key, lifetime, expiry, revocation (`None` under
/// `--no-revocation`). `now` is the time judged (`--at`), Unix seconds.
pub fn file_checks(
    file: &CertFile,
    trust: &ChainTrust,
    revocation: Option<&RevocationReport>,
    now: i64,
    warn_days: i64,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let Some(leaf_der) = file.chain.first() else {
        return checks;
    };
    let Ok((_, leaf)) = X509Certificate::from_der(leaf_der) else {
        return checks;
    };

    checks.push(match trust {
        ChainTrust::Untrusted(why) => Check::new(
            CheckId::PreflightChain,
            Status::Fail,
            format!("no path to a trusted root: {why}"),
        ),
        ChainTrust::WithAia { urls, .. } => Check::new(
            CheckId::PreflightChain,
            Status::Warn,
            format!(
                "the file lacks the intermediate (found at {}): bind the complete chain, or servers that send only what they were given present an incomplete one",
                urls.join(", ")
            ),
        ),
        ChainTrust::InFile { .. } if !file.in_order => Check::new(
            CheckId::PreflightChain,
            Status::Warn,
            "the chain is complete but out of order in the file (leaf first, then each issuer): servers that send it as given present it out of order",
        ),
        ChainTrust::InFile { .. } => Check::new(
            CheckId::PreflightChain,
            Status::Pass,
            format!("complete chain of {} to a trusted root, in order", file.chain.len()),
        ),
    });

    let (key, bits) = key_facts(&leaf);
    let weak = match (&key, bits) {
        (KeyType::Rsa, Some(b)) if b < 2048 => Some(format!("RSA key of {b} bits (2048 needed)")),
        (KeyType::Ec(Curve::P224), _) => Some("P-224 key".to_string()),
        _ => None,
    };
    checks.push(match (&file.key, weak) {
        (_, Some(w)) => Check::new(CheckId::PreflightKey, Status::Fail, format!("weak key: {w}")),
        (KeyMatch::DoesNotMatch, None) => Check::new(
            CheckId::PreflightKey,
            Status::Fail,
            "the private key in the file is not this certificate's: the server would fail to load it or fail every handshake",
        ),
        (KeyMatch::Absent, None) => Check::new(
            CheckId::PreflightKey,
            Status::Warn,
            "no private key in the file: it can be checked, not bound (Exchange and IIS need the PFX with its key)",
        ),
        (KeyMatch::Unverifiable { algorithm }, None) => Check::new(
            CheckId::PreflightKey,
            Status::Warn,
            format!("a {algorithm} private key, which tlsgrade cannot match against the certificate"),
        ),
        (KeyMatch::Matches, None) => Check::new(
            CheckId::PreflightKey,
            Status::Pass,
            format!("the private key matches the certificate ({})", key_words(&key, bits)),
        ),
    });

    let not_before = leaf.validity().not_before.timestamp();
    let not_after = leaf.validity().not_after.timestamp();
    let lifetime = (not_after - not_before + 1).div_euclid(86_400);
    let max = max_lifetime_days(not_before);
    checks.push(if lifetime <= max {
        Check::new(
            CheckId::PreflightLifetime,
            Status::Pass,
            format!("valid for {lifetime} days, within the {max} days allowed for its issue date"),
        )
    } else if trust.public() {
        Check::new(
            CheckId::PreflightLifetime,
            Status::Fail,
            format!("valid for {lifetime} days, more than the {max} days the CA/Browser Forum allows for its issue date: clients that enforce it refuse it"),
        )
    } else {
        Check::new(
            CheckId::PreflightLifetime,
            Status::Info,
            format!("valid for {lifetime} days, more than the {max} days public CAs may issue for its issue date (a private CA is not bound by that)"),
        )
    });

    let days = (not_after - now).div_euclid(86_400);
    let date = |t: i64| crate::revocation::rfc3339(t);
    checks.push(if now > not_after {
        Check::new(
            CheckId::PreflightExpiry,
            Status::Fail,
            format!("expired on {} ({} days ago)", date(not_after), -days),
        )
    } else if now < not_before {
        Check::new(
            CheckId::PreflightExpiry,
            Status::Fail,
            format!(
                "not valid before {}: binding it now breaks every connection until then",
                date(not_before)
            ),
        )
    } else if days < warn_days {
        Check::new(
            CheckId::PreflightExpiry,
            Status::Warn,
            format!("expires in {days} days ({})", date(not_after)),
        )
    } else {
        Check::new(
            CheckId::PreflightExpiry,
            Status::Pass,
            format!("valid until {} ({days} days)", date(not_after)),
        )
    });

    if let Some(r) = revocation {
        let status = match r.status {
            RevocationStatus::Good => Status::Pass,
            RevocationStatus::Revoked => Status::Fail,
            RevocationStatus::Unknown => Status::Error,
            RevocationStatus::Unavailable => Status::Error,
        };
        checks.push(Check::new(
            CheckId::PreflightRevocation,
            status,
            r.detail.clone(),
        ));
    }
    checks
}

/// `preflight.names`: is the certificate valid for every name in `required`?
pub fn names_check(leaf: &CertificateDer<'_>, required: &[String]) -> Check {
    let Ok(ee) = webpki::EndEntityCert::try_from(leaf) else {
        return Check::new(
            CheckId::PreflightNames,
            Status::Fail,
            "the certificate does not parse",
        );
    };
    let missing: Vec<&String> = required
        .iter()
        .filter(|n| {
            ServerName::try_from(n.as_str())
                .map(|sn| ee.verify_is_valid_for_subject_name(&sn).is_err())
                .unwrap_or(true)
        })
        .collect();
    if missing.is_empty() {
        Check::new(
            CheckId::PreflightNames,
            Status::Pass,
            format!(
                "valid for every name it must serve: {}",
                required.join(", ")
            ),
        )
    } else {
        let missing: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        Check::new(
            CheckId::PreflightNames,
            Status::Fail,
            format!(
                "not valid for {}: clients connecting by that name reject it",
                missing.join(", ")
            ),
        )
    }
}

/// What DNS says about one MX host's TLSA records.
#[derive(Clone, Debug)]
pub enum HostTlsa {
    /// No TLSA, or not behind DNSSEC: DANE does not apply to the host.
    None,
    /// Signed records, and the TTL of the RRset (seconds).
    Records(Vec<Tlsa>, u32),
    /// The look-up failed.
    Failed(String),
}

/// `preflight.tlsa`: for every host with signed TLSA records at its owner name
/// (`_25._tcp.<host>`), does one match the new chain? `None` when no host has any (DANE does
/// not apply).
pub fn tlsa_check(
    chain: &[CertificateDer<'_>],
    hosts: &[(String, String, HostTlsa)],
    now: rustls_pki_types::UnixTime,
) -> Option<Check> {
    let publish = tlsa_records(chain);
    let mut failures = Vec::new();
    let mut errors = Vec::new();
    let mut matched = Vec::new();
    for (host, owner, tlsa) in hosts {
        match tlsa {
            HostTlsa::None => {}
            HostTlsa::Failed(e) => errors.push(format!("{host}: {e}")),
            HostTlsa::Records(records, ttl) => {
                match dane::match_chain(records, chain, std::slice::from_ref(host), now) {
                    Outcome::Matched { .. } => matched.push(host.clone()),
                    Outcome::NoUsable => {}
                    Outcome::NoMatch(_) => {
                        let lines: Vec<String> = publish
                            .iter()
                            .map(|r| format!("{owner}. IN TLSA {}", r.presentation()))
                            .collect();
                        failures.push(format!(
                            "{host}: no published record matches the new certificate; publish {} and wait {ttl} s (the TTL) before binding",
                            lines.join(" and ")
                        ));
                    }
                }
            }
        }
    }
    if !failures.is_empty() {
        return Some(Check::new(
            CheckId::PreflightTlsa,
            Status::Fail,
            format!(
                "DANE senders would stop delivering: {}",
                failures.join("; ")
            ),
        ));
    }
    if !errors.is_empty() {
        return Some(Check::new(
            CheckId::PreflightTlsa,
            Status::Error,
            format!("TLSA look-up failed: {}", errors.join("; ")),
        ));
    }
    (!matched.is_empty()).then(|| {
        Check::new(
            CheckId::PreflightTlsa,
            Status::Pass,
            format!(
                "a published TLSA record matches the new certificate at {}",
                matched.join(", ")
            ),
        )
    })
}

fn key_facts(cert: &X509Certificate<'_>) -> (KeyType, Option<u32>) {
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    let key = KeyType::from_spki_oid(&alg, curve.as_deref());
    let bits = match (&key, spki.parsed()) {
        (KeyType::Rsa, Ok(x509_parser::public_key::PublicKey::RSA(rsa))) => {
            let m = rsa.modulus;
            let start = m.iter().position(|&b| b != 0).unwrap_or(m.len());
            let m = &m[start..];
            m.first().map(|b| (m.len() as u32) * 8 - b.leading_zeros())
        }
        (k, _) => k.fixed_bits(),
    };
    (key, bits)
}

fn key_words(key: &KeyType, bits: Option<u32>) -> String {
    match (key, bits) {
        (KeyType::Rsa, Some(b)) => format!("RSA {b}"),
        (k, _) => k.name().into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certfile::Format;

    /// A self-signed P-256 leaf valid from `from` for `days` days (Unix seconds).
    fn file(from: i64, days: i64, key: KeyMatch) -> CertFile {
        let mut p = rcgen::CertificateParams::new(vec!["mx.example.test".into()]).unwrap();
        p.not_before = ::time::OffsetDateTime::from_unix_timestamp(from).unwrap();
        p.not_after = ::time::OffsetDateTime::from_unix_timestamp(from + days * 86_400).unwrap();
        let k = rcgen::KeyPair::generate().unwrap();
        let c = p.self_signed(&k).unwrap();
        CertFile {
            format: Format::Pem,
            chain: vec![c.der().clone()],
            in_order: true,
            unrelated: 0,
            duplicates: 0,
            private_keys: 1,
            key,
        }
    }

    fn status(checks: &[Check], id: CheckId) -> Status {
        checks
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.status)
            .unwrap()
    }

    const NOW: i64 = 1_800_000_000; // 2027-01-15

    #[test]
    fn a_public_certificate_over_its_lifetime_limit_fails_a_private_one_is_info() {
        let f = file(NOW - 86_400, 250, KeyMatch::Matches);
        let public = file_checks(&f, &ChainTrust::InFile { public: true }, None, NOW, 30);
        assert_eq!(status(&public, CheckId::PreflightLifetime), Status::Fail);
        let private = file_checks(&f, &ChainTrust::InFile { public: false }, None, NOW, 30);
        assert_eq!(status(&private, CheckId::PreflightLifetime), Status::Info);
        let short = file(NOW - 86_400, 90, KeyMatch::Matches);
        let ok = file_checks(&short, &ChainTrust::InFile { public: true }, None, NOW, 30);
        assert_eq!(status(&ok, CheckId::PreflightLifetime), Status::Pass);
    }

    #[test]
    fn key_expiry_and_chain_statuses() {
        let trust = ChainTrust::InFile { public: false };
        let other = file(NOW - 86_400, 90, KeyMatch::DoesNotMatch);
        assert_eq!(
            status(
                &file_checks(&other, &trust, None, NOW, 30),
                CheckId::PreflightKey
            ),
            Status::Fail
        );
        let soon = file(NOW - 80 * 86_400, 90, KeyMatch::Matches);
        let c = file_checks(&soon, &trust, None, NOW, 30);
        assert_eq!(status(&c, CheckId::PreflightExpiry), Status::Warn);
        assert_eq!(status(&c, CheckId::PreflightKey), Status::Pass);
        let future = file(NOW + 2 * 86_400, 90, KeyMatch::Matches);
        assert_eq!(
            status(
                &file_checks(&future, &trust, None, NOW, 30),
                CheckId::PreflightExpiry
            ),
            Status::Fail
        );
        let untrusted = ChainTrust::Untrusted("unknown issuer".into());
        assert_eq!(
            status(
                &file_checks(&soon, &untrusted, None, NOW, 30),
                CheckId::PreflightChain
            ),
            Status::Fail
        );
        let aia = ChainTrust::WithAia {
            public: true,
            urls: vec!["http://ca.example.test/int.der".into()],
        };
        assert_eq!(
            status(
                &file_checks(&soon, &aia, None, NOW, 30),
                CheckId::PreflightChain
            ),
            Status::Warn
        );
        // No revocation report (--no-revocation): no revocation check.
        assert!(!c.iter().any(|c| c.id == CheckId::PreflightRevocation));
    }

    #[test]
    fn tlsa_records_are_the_leaf_and_issuer_spki_digests() {
        let f = file(NOW, 90, KeyMatch::Matches);
        let r = tlsa_records(&f.chain);
        assert_eq!(r.len(), 1, "a lone leaf has no issuer record");
        let (_, c) = X509Certificate::from_der(&f.chain[0]).unwrap();
        let want = hex(ring::digest::digest(&ring::digest::SHA256, c.public_key().raw).as_ref());
        assert_eq!(r[0].presentation(), format!("3 1 1 {want}"));
    }

    #[test]
    fn the_lifetime_limit_steps_down_on_the_ballot_dates() {
        let day = 86_400;
        assert_eq!(max_lifetime_days(1_773_532_800 - 1), 398);
        assert_eq!(max_lifetime_days(1_773_532_800), 200);
        assert_eq!(max_lifetime_days(1_805_068_800 - day), 200);
        assert_eq!(max_lifetime_days(1_805_068_800), 100);
        assert_eq!(max_lifetime_days(1_868_227_200 - 1), 100);
        assert_eq!(max_lifetime_days(1_868_227_200), 47);
    }
}
