//! Certificate inspection: the presented chain → [`CertificateReport`] and the certificate checks.
//!
//! Facts come from x509-parser (subject, SANs, key, signature algorithm, digests); trust and name
//! checks from rustls-webpki against webpki-roots plus `--ca-file` anchors. The chain was recorded
//! whatever its validity, so every failure class (expired, not yet valid, self-signed, unknown
//! issuer, missing intermediate, name mismatch, weak key, weak signature) is reported distinctly
//! instead of aborting the handshake.

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use x509_parser::prelude::*;

use crate::grade::rubric::CheckId;
use crate::report::{CertInfo, CertificateReport, Check, Status};
use crate::wire::keys::{Curve, KeyType};

/// Trust anchors: the public web PKI plus whatever `--ca-file` added.
#[derive(Clone, Debug)]
pub struct TrustStore {
    anchors: Arc<Vec<TrustAnchor<'static>>>,
}

impl TrustStore {
    /// webpki-roots plus the certificates in `extra` (DER).
    pub fn new(extra: &[CertificateDer<'static>]) -> Result<TrustStore, String> {
        let mut anchors: Vec<TrustAnchor<'static>> = webpki_roots::TLS_SERVER_ROOTS.to_vec();
        for (i, der) in extra.iter().enumerate() {
            let ta = webpki::anchor_from_trusted_cert(der).map_err(|e| {
                format!(
                    "certificate {} is not usable as a trust anchor: {e:?}",
                    i + 1
                )
            })?;
            anchors.push(ta.to_owned());
        }
        Ok(TrustStore {
            anchors: Arc::new(anchors),
        })
    }

    /// A rustls client configuration (ring provider, TLS 1.2 and 1.3) that verifies servers
    /// against these anchors with webpki: chain, validity and a SAN DNS-ID for the server name,
    /// no CN fallback — what RFC 8461 §3.3 requires of the MTA-STS policy host.
    pub fn client_config(&self) -> Result<rustls::ClientConfig, String> {
        let roots = rustls::RootCertStore {
            roots: self.anchors.to_vec(),
        };
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS client configuration: {e}"))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
    }

    /// Loads PEM files (`--ca-file`), each holding one or more certificates.
    pub fn from_pem_files(paths: &[std::path::PathBuf]) -> Result<TrustStore, String> {
        let mut extra = Vec::new();
        for p in paths {
            let data = std::fs::read(p).map_err(|e| format!("--ca-file {}: {e}", p.display()))?;
            let mut rd = &data[..];
            let mut n = 0;
            for item in rustls_pemfile::certs(&mut rd) {
                extra.push(item.map_err(|e| format!("--ca-file {}: {e}", p.display()))?);
                n += 1;
            }
            if n == 0 {
                return Err(format!(
                    "--ca-file {}: no PEM certificate found",
                    p.display()
                ));
            }
        }
        TrustStore::new(&extra)
    }
}

/// Whether `chain` (leaf first) leads from a server certificate to one of `store`'s anchors at
/// `now`, the intermediates taken from the chain.
pub fn verify_chain(
    chain: &[CertificateDer<'_>],
    store: &TrustStore,
    now: UnixTime,
) -> Result<(), webpki::Error> {
    let leaf = chain.first().ok_or(webpki::Error::BadDer)?;
    let ee = webpki::EndEntityCert::try_from(leaf)?;
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &store.anchors,
        &chain[1..],
        now,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map(|_| ())
}

fn hex(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(
        ring::digest::digest(&ring::digest::SHA256, data).as_ref(),
        false,
    )
}

fn rfc3339(t: &ASN1Time) -> String {
    t.to_datetime()
        .format(&::time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Names for the signature algorithms seen in practice.
fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ed25519",
        "1.3.101.113" => "ed448",
        "1.2.840.10040.4.3" => "dsa-with-sha1",
        other => return other.to_string(),
    }
    .to_string()
}

/// Key type and size in bits. RSA size is the modulus length without leading zeros.
fn key_facts(spki: &SubjectPublicKeyInfo) -> (KeyType, Option<u32>) {
    let alg = spki.algorithm.algorithm.to_id_string();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    let key = KeyType::from_spki_oid(&alg, curve.as_deref());
    let bits = match key {
        KeyType::Rsa => match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => {
                let m = rsa.modulus;
                let start = m.iter().position(|&b| b != 0).unwrap_or(m.len());
                let m = &m[start..];
                m.first().map(|b| (m.len() as u32) * 8 - b.leading_zeros())
            }
            _ => None,
        },
        ref k => k.fixed_bits(),
    };
    (key, bits)
}

/// Signature algorithms whose hash collides: MD5 (forgeable in practice) and SHA-1 (chosen
/// prefix collisions, SHAttered 2017).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WeakHash {
    Md5,
    Sha1,
}

fn weak_hash(signature_oid: &str) -> Option<WeakHash> {
    match signature_oid {
        // md5WithRSAEncryption (RFC 3279 §2.2.1)
        "1.2.840.113549.1.1.4" => Some(WeakHash::Md5),
        // sha1WithRSAEncryption, ecdsa-with-SHA1, dsa-with-sha1 (RFC 3279 §2.2)
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.10040.4.3" => Some(WeakHash::Sha1),
        _ => None,
    }
}

/// A certificate's report facts, and the typed ones its checks judge.
struct Parsed {
    info: CertInfo,
    key: KeyType,
    weak_hash: Option<WeakHash>,
}

/// Most SANs kept per certificate in the report (a hostile certificate may carry 10,000).
const MAX_SANS: usize = 500;

/// Facts of one certificate, or an error message when the DER does not parse.
pub fn cert_info(der: &[u8]) -> Result<CertInfo, String> {
    parse(der).map(|p| p.info)
}

fn parse(der: &[u8]) -> Result<Parsed, String> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("unparseable certificate: {e}"))?;
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for n in &ext.value.general_names {
            if sans.len() >= MAX_SANS {
                break;
            }
            match n {
                GeneralName::DNSName(d) => sans.push(d.to_string()),
                GeneralName::IPAddress(ip) => sans.push(match ip.len() {
                    4 => std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string(),
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(ip);
                        std::net::Ipv6Addr::from(a).to_string()
                    }
                    _ => format!("IP:{}", hex(ip, false)),
                }),
                _ => {}
            }
        }
    }
    let (key, key_bits) = key_facts(cert.public_key());
    let signature_oid = cert.signature_algorithm.algorithm.to_id_string();
    let info = CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans,
        serial: hex(cert.raw_serial(), true),
        not_before: rfc3339(&cert.validity().not_before),
        not_after: rfc3339(&cert.validity().not_after),
        key_type: key.clone(),
        key_bits,
        signature_algorithm: signature_name(&signature_oid),
        sha256: sha256_hex(der),
        sha1: hex(
            ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref(),
            true,
        ),
        spki_sha256: sha256_hex(cert.public_key().raw),
        self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
    };
    Ok(Parsed {
        info,
        key,
        weak_hash: weak_hash(&signature_oid),
    })
}

/// Result of inspecting a chain: the report section and the checks it triggers.
pub struct Inspection {
    pub report: CertificateReport,
    pub checks: Vec<Check>,
}

/// Inspects a presented chain (leaf first) for `name` (None for IP-literal targets: then the
/// name check uses the IP address) at time `now`.
pub fn inspect(
    chain: &[CertificateDer<'static>],
    name: &ServerName<'_>,
    store: &TrustStore,
    now: UnixTime,
    warn_days: i64,
) -> Result<Inspection, String> {
    let leaf_der = chain.first().ok_or("the server sent no certificate")?;
    let mut infos = Vec::new();
    let mut judged = Vec::new();
    for (i, der) in chain.iter().enumerate().take(100) {
        match parse(der) {
            Ok(p) => {
                judged.push((p.key, p.weak_hash));
                infos.push(p.info);
            }
            Err(e) if i == 0 => return Err(e),
            Err(_) => {} // a broken extra certificate: the trust result will say so
        }
    }
    let (_, leaf) =
        X509Certificate::from_der(leaf_der).map_err(|e| format!("unparseable certificate: {e}"))?;
    let mut checks = Vec::new();
    let now_secs = now.as_secs() as i64;
    let not_after = leaf.validity().not_after.timestamp();
    let not_before = leaf.validity().not_before.timestamp();
    let days_remaining = (not_after - now_secs).div_euclid(86_400);

    // Expiry, from the leaf's own dates (independent of trust).
    if now_secs > not_after {
        checks.push(Check::new(
            CheckId::CertExpired,
            Status::Fail,
            format!(
                "certificate expired on {} ({} days ago)",
                infos[0].not_after, -days_remaining
            ),
        ));
    } else if now_secs < not_before {
        checks.push(Check::new(
            CheckId::CertNotYetValid,
            Status::Fail,
            format!("certificate is not valid before {}", infos[0].not_before),
        ));
    } else if days_remaining < warn_days {
        checks.push(Check::new(
            CheckId::CertExpiring,
            Status::Warn,
            format!(
                "certificate expires in {days_remaining} days ({})",
                infos[0].not_after
            ),
        ));
    } else {
        checks.push(Check::new(
            CheckId::CertValidity,
            Status::Pass,
            format!("valid until {} ({days_remaining} days)", infos[0].not_after),
        ));
    }

    // Trust. Verify at `now`; if only the dates are wrong, verify again inside the leaf's
    // validity so that an expired-but-otherwise-fine chain is not also called untrusted.
    let ee = webpki::EndEntityCert::try_from(leaf_der)
        .map_err(|e| format!("certificate rejected by webpki: {e:?}"))?;
    let intermediates: Vec<CertificateDer<'_>> = chain.iter().skip(1).cloned().collect();
    let verify = |at: UnixTime| {
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &store.anchors,
            &intermediates,
            at,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .map(|_| ())
    };
    let at_now = verify(now);
    let trusted = at_now.is_ok();
    let trust_result = match at_now {
        Err(webpki::Error::CertExpired { .. }) | Err(webpki::Error::CertNotValidYet { .. }) => {
            let mid = not_before + (not_after - not_before) / 2;
            verify(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                mid.max(0) as u64,
            )))
        }
        other => other,
    };
    let leaf_self_issued = infos[0].self_issued;
    let trust_error = match trust_result {
        Ok(()) => {
            checks.push(Check::new(
                CheckId::CertTrusted,
                Status::Pass,
                "chain leads to a trusted root",
            ));
            None
        }
        Err(e) => {
            let (id, msg) = match e {
                webpki::Error::UnknownIssuer | webpki::Error::CaUsedAsEndEntity if leaf_self_issued => (
                    CheckId::CertSelfSigned,
                    "certificate is self-signed: no sender can authenticate it without DANE".to_string(),
                ),
                webpki::Error::UnknownIssuer if chain.len() == 1 => (
                    CheckId::CertChainIncomplete,
                    format!(
                        "incomplete chain: the server sent only its own certificate, issued by \"{}\", which is not a trusted root (missing intermediate?)",
                        infos[0].issuer
                    ),
                ),
                webpki::Error::UnknownIssuer => {
                    let last = infos.last().map(|c| c.issuer.clone()).unwrap_or_default();
                    (CheckId::CertUntrusted, format!("unknown issuer: no path to a trusted root (last issuer \"{last}\")"))
                }
                webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => (
                    CheckId::CertUntrusted,
                    "a certificate of the chain is outside its validity period".to_string(),
                ),
                other => (CheckId::CertUntrusted, format!("chain does not verify: {other:?}")),
            };
            checks.push(Check::new(id, Status::Warn, msg.clone()));
            Some(msg)
        }
    };
    // A chain that verifies only off-time still gets `trusted: false`; the expiry check says why.
    let trust_error = match (trusted, trust_error) {
        (false, None) => Some("certificate is outside its validity period".to_string()),
        (_, e) => e,
    };

    // Names.
    let name_matches = ee.verify_is_valid_for_subject_name(name).is_ok();
    let shown = match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => format!("{:?}", std::net::IpAddr::from(*ip)),
        _ => "?".into(),
    };
    if name_matches {
        checks.push(Check::new(
            CheckId::CertName,
            Status::Pass,
            format!("certificate is valid for {shown}"),
        ));
    } else {
        let mut names: Vec<_> = infos[0].sans.iter().take(5).cloned().collect();
        if infos[0].sans.len() > 5 {
            names.push(format!("… {} more", infos[0].sans.len() - 5));
        }
        checks.push(Check::new(
            CheckId::CertNameMismatch,
            Status::Warn,
            format!(
                "certificate is not valid for {shown} (names: {})",
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ),
        ));
    }

    // Keys and signatures of every certificate the server sent, except a self-signed root
    // (its signature is never checked by anyone).
    for (i, (ci, (key, hash))) in infos.iter().zip(&judged).enumerate() {
        let who = if i == 0 {
            "server certificate".to_string()
        } else {
            format!("chain certificate {}", i + 1)
        };
        if *key == KeyType::Rsa {
            match ci.key_bits {
                Some(b) if b < 1024 => checks.push(Check::new(
                    CheckId::CertWeakKey,
                    Status::Fail,
                    format!("{who}: RSA key of {b} bits"),
                )),
                Some(b) if b < 2048 => checks.push(Check::new(
                    CheckId::CertWeakKey,
                    Status::Warn,
                    format!("{who}: RSA key of {b} bits (2048 needed)"),
                )),
                _ => {}
            }
        }
        if *key == KeyType::Ec(Curve::P224) {
            checks.push(Check::new(
                CheckId::CertWeakKey,
                Status::Warn,
                format!("{who}: P-224 key"),
            ));
        }
        let root = i > 0 && ci.self_issued;
        if !root {
            match hash {
                Some(WeakHash::Md5) => checks.push(Check::new(
                    CheckId::CertWeakSignature,
                    Status::Fail,
                    format!("{who}: signed with MD5"),
                )),
                Some(WeakHash::Sha1) => checks.push(Check::new(
                    CheckId::CertWeakSignature,
                    Status::Warn,
                    format!("{who}: signed with SHA-1"),
                )),
                None => {}
            }
        }
    }

    // Chain order (RFC 5246 §7.4.2: each certificate certifies the one before it).
    if let Some(i) = (1..infos.len()).find(|&i| infos[i - 1].issuer != infos[i].subject) {
        checks.push(Check::new(
            CheckId::CertChainOrder,
            Status::Info,
            format!("chain certificate {} did not issue certificate {i} (wrong order or extra certificates)", i + 1),
        ));
    }

    Ok(Inspection {
        report: CertificateReport {
            trusted,
            name_matches,
            not_after: infos[0].not_after.clone(),
            days_remaining,
            trust_error,
            chain: infos,
            ..Default::default()
        },
        checks,
    })
}
