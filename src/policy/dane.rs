//! DANE for SMTP (RFC 7672, RFC 6698, RFC 7671): which TLSA records are usable, and whether the
//! chain a server presented matches one of them. Pure: the DNS facts (with their DNSSEC status)
//! are gathered in [`crate::scan`] through a validating resolver, the chain by the handshake.
//!
//! - DANE-EE (3): the leaf's certificate or public key must match; no name, expiry or issuer
//!   check (RFC 7672 §3.1.1): the DNSSEC signature is what vouches for the key.
//! - DANE-TA (2): a certificate the server actually sent (or, for `2 0 0`, the full certificate
//!   published in DNS) is the trust anchor; the path from it to the leaf must validate, dates
//!   included, and the leaf must carry one of the reference names (RFC 7672 §3.2).
//! - PKIX-TA (0) and PKIX-EE (1) are unusable for SMTP (RFC 7672 §3.1.3), as are records with
//!   unknown parameters or a digest of the wrong length.

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::Serialize;
use x509_parser::prelude::*;

/// One TLSA record as published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlsa {
    pub usage: u8,
    pub selector: u8,
    pub matching: u8,
    pub data: Vec<u8>,
}

/// A TLSA record in the report, with whether an SMTP client may use it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TlsaReport {
    pub usage: u8,
    pub selector: u8,
    pub matching: u8,
    /// The association data, lower-case hex.
    pub data: String,
    pub usable: bool,
    /// Why it is not usable, when it is not.
    pub unusable_reason: Option<String>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Tlsa {
    /// `Ok(())` when an SMTP client uses this record (RFC 7672 §3.1, RFC 6698 §2.1).
    pub fn usable(&self) -> Result<(), String> {
        match self.usage {
            2 | 3 => {}
            0 | 1 => {
                return Err(format!(
                    "usage {} (PKIX-{}) is not used for SMTP (RFC 7672 §3.1.3)",
                    self.usage,
                    if self.usage == 0 { "TA" } else { "EE" }
                ))
            }
            u => return Err(format!("unknown certificate usage {u}")),
        }
        if self.selector > 1 {
            return Err(format!("unknown selector {}", self.selector));
        }
        match self.matching {
            0 => {
                let ok = if self.selector == 0 {
                    X509Certificate::from_der(&self.data).is_ok()
                } else {
                    SubjectPublicKeyInfo::from_der(&self.data).is_ok()
                };
                if !ok {
                    return Err("full data (matching type 0) does not parse".into());
                }
            }
            1 if self.data.len() != 32 => {
                return Err(format!(
                    "SHA-256 digest of {} bytes, not 32",
                    self.data.len()
                ))
            }
            2 if self.data.len() != 64 => {
                return Err(format!(
                    "SHA-512 digest of {} bytes, not 64",
                    self.data.len()
                ))
            }
            1 | 2 => {}
            m => return Err(format!("unknown matching type {m}")),
        }
        Ok(())
    }

    pub fn report(&self) -> TlsaReport {
        let u = self.usable();
        TlsaReport {
            usage: self.usage,
            selector: self.selector,
            matching: self.matching,
            data: hex(&self.data),
            usable: u.is_ok(),
            unusable_reason: u.err(),
        }
    }

    /// "3 1 1 ab12…" for messages.
    pub fn short(&self) -> String {
        let h = hex(&self.data);
        let h = if h.len() > 16 {
            format!("{}…", &h[..16])
        } else {
            h
        };
        format!("{} {} {} {h}", self.usage, self.selector, self.matching)
    }

    /// Whether `cert_der` matches this record's selector and matching type.
    fn matches(&self, cert_der: &[u8]) -> bool {
        let selected: Vec<u8> = match self.selector {
            0 => cert_der.to_vec(),
            _ => match X509Certificate::from_der(cert_der) {
                Ok((_, c)) => c.public_key().raw.to_vec(),
                Err(_) => return false,
            },
        };
        let got: Vec<u8> = match self.matching {
            0 => selected,
            1 => ring::digest::digest(&ring::digest::SHA256, &selected)
                .as_ref()
                .to_vec(),
            2 => ring::digest::digest(&ring::digest::SHA512, &selected)
                .as_ref()
                .to_vec(),
            _ => return false,
        };
        got == self.data
    }
}

/// What matching a presented chain against the usable records found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No usable record: TLS is mandatory for DANE senders, authentication is not.
    NoUsable,
    /// Record `index` matched (how, in words).
    Matched {
        index: usize,
        usage: u8,
        how: String,
    },
    /// Usable records exist and none matched: DANE senders will not deliver.
    NoMatch(String),
}

/// Matches `chain` (leaf first, as sent) against `records`. `names` are the reference
/// identifiers for DANE-TA (the TLSA base domain, and the next-hop domain when the MX RRset was
/// secure). Digest agility (RFC 7671 §9) is not needed to decide validity: any usable match is.
pub fn match_chain(
    records: &[Tlsa],
    chain: &[CertificateDer<'_>],
    names: &[String],
    now: UnixTime,
) -> Outcome {
    let usable: Vec<(usize, &Tlsa)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.usable().is_ok())
        .collect();
    if usable.is_empty() {
        return Outcome::NoUsable;
    }
    let Some(leaf) = chain.first() else {
        return Outcome::NoMatch("the server presented no certificate".into());
    };
    let mut why = Vec::new();
    // DANE-EE first: it needs nothing but the leaf.
    for (i, r) in usable.iter().filter(|(_, r)| r.usage == 3) {
        if r.matches(leaf) {
            return Outcome::Matched {
                index: *i,
                usage: 3,
                how: format!("DANE-EE {} matches the server certificate", r.short()),
            };
        }
    }
    if usable.iter().any(|(_, r)| r.usage == 3) {
        why.push(
            "no DANE-EE record matches the server certificate (stale after a key change?)"
                .to_string(),
        );
    }
    for (i, r) in usable.iter().filter(|(_, r)| r.usage == 2) {
        // The trust anchor must be a certificate the server sent, except `2 0 0` whose
        // certificate is in DNS itself (RFC 7672 §3.2.2).
        let anchor: Option<(CertificateDer<'_>, usize)> = if r.selector == 0 && r.matching == 0 {
            Some((CertificateDer::from(r.data.clone()), chain.len()))
        } else {
            chain
                .iter()
                .enumerate()
                .skip(1)
                .find(|(_, c)| r.matches(c))
                .map(|(k, c)| (c.clone(), k))
        };
        let Some((ta, at)) = anchor else {
            why.push(format!(
                "DANE-TA {} matches no certificate the server sent",
                r.short()
            ));
            continue;
        };
        match verify_from_anchor(leaf, &chain[1..at.min(chain.len())], &ta, names, now) {
            Ok(name) => {
                return Outcome::Matched {
                    index: *i,
                    usage: 2,
                    how: format!("DANE-TA {} anchors a valid chain for {name}", r.short()),
                }
            }
            Err(e) => why.push(format!("DANE-TA {}: {e}", r.short())),
        }
    }
    Outcome::NoMatch(why.join("; "))
}

/// Validates leaf → intermediates → `ta` at `now` and the leaf's names; returns the name matched.
fn verify_from_anchor(
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    ta: &CertificateDer<'_>,
    names: &[String],
    now: UnixTime,
) -> Result<String, String> {
    let anchor = webpki::anchor_from_trusted_cert(ta)
        .map_err(|e| format!("trust anchor unusable: {e:?}"))?;
    let ee = webpki::EndEntityCert::try_from(leaf)
        .map_err(|e| format!("server certificate rejected: {e:?}"))?;
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        intermediates,
        now,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map_err(|e| format!("the chain from the anchor does not validate: {e:?}"))?;
    for n in names {
        if let Ok(sn) = ServerName::try_from(n.as_str()) {
            if ee.verify_is_valid_for_subject_name(&sn).is_ok() {
                return Ok(n.clone());
            }
        }
    }
    Err(format!(
        "the certificate is valid for none of {}",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::pki::{LeafSpec, Pki};

    fn spki_sha256(der: &[u8]) -> Vec<u8> {
        let (_, c) = X509Certificate::from_der(der).unwrap();
        ring::digest::digest(&ring::digest::SHA256, c.public_key().raw)
            .as_ref()
            .to_vec()
    }

    fn now() -> UnixTime {
        UnixTime::now()
    }

    #[test]
    fn usability_rules() {
        let t = |u, s, m, d: Vec<u8>| Tlsa {
            usage: u,
            selector: s,
            matching: m,
            data: d,
        };
        assert!(t(3, 1, 1, vec![0; 32]).usable().is_ok());
        assert!(t(2, 0, 2, vec![0; 64]).usable().is_ok());
        assert!(t(3, 1, 1, vec![0; 31])
            .usable()
            .unwrap_err()
            .contains("31 bytes"));
        assert!(t(1, 1, 1, vec![0; 32])
            .usable()
            .unwrap_err()
            .contains("PKIX-EE"));
        assert!(t(0, 1, 1, vec![0; 32])
            .usable()
            .unwrap_err()
            .contains("PKIX-TA"));
        assert!(t(3, 2, 1, vec![0; 32]).usable().is_err());
        assert!(t(3, 1, 3, vec![0; 32]).usable().is_err());
        assert!(t(3, 0, 0, vec![1, 2, 3])
            .usable()
            .unwrap_err()
            .contains("does not parse"));
        assert_eq!(
            match_chain(&[t(1, 1, 1, vec![0; 32])], &[], &[], now()),
            Outcome::NoUsable
        );
    }

    #[test]
    fn dane_ee_matches_the_leaf_key_whatever_its_name_or_issuer() {
        let pki = Pki::new("dane").unwrap();
        let leaf = pki
            .leaf(&LeafSpec::valid(&["other.example"]).self_signed())
            .unwrap();
        let rec = Tlsa {
            usage: 3,
            selector: 1,
            matching: 1,
            data: spki_sha256(&leaf.chain[0]),
        };
        match match_chain(&[rec], &leaf.chain, &["mx.example.test".into()], now()) {
            Outcome::Matched { usage: 3, .. } => {}
            o => panic!("{o:?}"),
        }
        let stale = Tlsa {
            usage: 3,
            selector: 1,
            matching: 1,
            data: vec![9; 32],
        };
        assert!(
            matches!(match_chain(&[stale], &leaf.chain, &[], now()), Outcome::NoMatch(w) if w.contains("stale"))
        );
    }

    #[test]
    fn dane_ta_needs_the_anchor_sent_a_valid_path_and_the_name() {
        let pki = Pki::new("dane").unwrap();
        let leaf = pki.leaf(&LeafSpec::valid(&["mx.example.test"])).unwrap();
        let int = &leaf.chain[1];
        let on_int = Tlsa {
            usage: 2,
            selector: 1,
            matching: 1,
            data: spki_sha256(int),
        };
        let names = vec!["mx.example.test".to_string()];
        assert!(matches!(
            match_chain(std::slice::from_ref(&on_int), &leaf.chain, &names, now()),
            Outcome::Matched { usage: 2, .. }
        ));
        // The right anchor but the wrong reference name.
        let wrong = vec!["mx.other.test".to_string()];
        assert!(
            matches!(match_chain(&[on_int], &leaf.chain, &wrong, now()), Outcome::NoMatch(w) if w.contains("valid for none"))
        );
        // A record on the root, which the server does not send.
        let on_root = Tlsa {
            usage: 2,
            selector: 1,
            matching: 1,
            data: spki_sha256(&pki.root_der()),
        };
        assert!(
            matches!(match_chain(&[on_root], &leaf.chain, &names, now()), Outcome::NoMatch(w) if w.contains("matches no certificate the server sent"))
        );
        // 2 0 0: the full anchor certificate in DNS works even when not sent.
        let full = Tlsa {
            usage: 2,
            selector: 0,
            matching: 0,
            data: pki.root_der().to_vec(),
        };
        assert!(matches!(
            match_chain(&[full], &leaf.chain, &names, now()),
            Outcome::Matched { usage: 2, .. }
        ));
    }

    #[test]
    fn dane_ta_checks_dates() {
        let pki = Pki::new("dane").unwrap();
        let leaf = pki
            .leaf(&LeafSpec::valid(&["mx.example.test"]).days(-100, -10))
            .unwrap();
        let rec = Tlsa {
            usage: 2,
            selector: 1,
            matching: 1,
            data: spki_sha256(&leaf.chain[1]),
        };
        assert!(
            matches!(match_chain(&[rec], &leaf.chain, &["mx.example.test".into()], now()), Outcome::NoMatch(w) if w.contains("does not validate"))
        );
    }
}
