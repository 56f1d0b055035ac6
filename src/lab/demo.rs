//! `tlsgrade --demo`: a lab of mail domains on loopback, scanned with the normal code path.
//!
//! Only the resolver (the lab's DNS), the trust anchors (the lab's root) and `--connect-to`
//! mappings (MX host:25 → its lab port) differ from a real scan. Everything runs inside the
//! process on 127.0.0.0/8 and stops when the scan ends.

use std::net::IpAddr;

use super::dns::{DnsLab, Zone, ZoneKey};
use super::https::{spawn_http, spawn_https, HttpReply};
use super::legacy::{spawn_legacy, LegacyScript};
use super::pki::{LeafSpec, Pki};
use super::smtp::{spawn_smtp, SmtpScript};
use super::tls::{server_config, Versions};
use super::ServerHandle;
use crate::net::ConnectTo;
use crate::target::{parse_target, Target};

/// What the demo's domains are meant to show (the demo test checks the grades).
pub const DOMAINS: &[(&str, &str)] = &[
    (
        "good.demo.test",
        "TLS 1.3, valid chain, no MTA-STS: A (A+ needs MTA-STS enforce or DANE)",
    ),
    ("tls12.demo.test", "TLS 1.2 only: A with a warning"),
    ("expired.demo.test", "expired certificate: B"),
    ("selfsigned.demo.test", "self-signed certificate: B"),
    ("nostarttls.demo.test", "MX does not offer STARTTLS: F"),
    (
        "backup.demo.test",
        "good primary, backup MX without STARTTLS: F",
    ),
    (
        "legacy.demo.test",
        "TLS 1.0 only: C (a scripted responder, as rustls cannot serve TLS 1.0)",
    ),
    ("null.demo.test", "null MX: accepts no mail, not graded"),
    (
        "sts.demo.test",
        "MTA-STS enforce covering its MX, TLS-RPT: A+",
    ),
    (
        "stsbroken.demo.test",
        "MTA-STS enforce, MX with a self-signed certificate: F",
    ),
    (
        "stsuncovered.demo.test",
        "MTA-STS enforce whose mx patterns miss its MX: F",
    ),
    (
        "dane.demo.test",
        "TLS 1.3, valid chain, MTA-STS enforce, DANE 3 1 1, TLS-RPT: A+",
    ),
    (
        "danestale.demo.test",
        "DANE 3 1 1 left over from the previous key: F",
    ),
    (
        "revoked.demo.test",
        "certificate revoked by its CA (the CRL every demo certificate names): F",
    ),
];

/// The CRL every demo leaf names, served by the lab over HTTP on 127.0.0.19.
const DEMO_CRL: &str = "http://crl.demo.test/demo.crl";

/// The policy every MTA-STS demo domain serves (RFC 8461 §3.2).
const DEMO_POLICY: &str =
    "version: STSv1\nmode: enforce\nmx: mx.good.demo.test\nmx: mx.selfsigned.demo.test\nmx: mx.dane.demo.test\nmax_age: 604800\n";

/// The running lab: keep it alive while scanning.
pub struct Demo {
    pub servers: Vec<ServerHandle>,
    pub pki: Pki,
    pub resolver: std::net::SocketAddr,
    pub connect_to: Vec<ConnectTo>,
    pub targets: Vec<Target>,
    /// The DNSSEC trust anchor of the signed demo zone (for DANE).
    pub trust_anchors: hickory_proto::dnssec::TrustAnchors,
}

fn ip(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, n])
}

/// Starts the lab's DNS and mail servers.
pub async fn start() -> Result<Demo, String> {
    let err = |e: &dyn std::fmt::Display| format!("demo lab: {e}");
    let pki = Pki::new("tlsgrade demo").map_err(|e| err(&e))?;
    let valid = |names: &[&str]| LeafSpec::valid(names).crl(DEMO_CRL);
    // (MX host, address, certificate, versions, STARTTLS offered)
    let hosts: Vec<(&str, u8, LeafSpec, Versions, bool)> = vec![
        (
            "mx.good.demo.test",
            10,
            valid(&["mx.good.demo.test"]),
            Versions::Tls12And13,
            true,
        ),
        (
            "mx.tls12.demo.test",
            11,
            valid(&["mx.tls12.demo.test"]),
            Versions::Tls12Only,
            true,
        ),
        (
            "mx.expired.demo.test",
            12,
            valid(&["mx.expired.demo.test"]).days(-400, -5),
            Versions::Tls12And13,
            true,
        ),
        (
            "mx.selfsigned.demo.test",
            13,
            LeafSpec::valid(&["mx.selfsigned.demo.test"]).self_signed(),
            Versions::Tls12And13,
            true,
        ),
        (
            "mx.nostarttls.demo.test",
            14,
            valid(&["mx.nostarttls.demo.test"]),
            Versions::Tls12And13,
            false,
        ),
    ];
    let mut servers = Vec::new();
    let mut connect_to = Vec::new();
    let mut zone = Zone::new("demo.test")
        .mx("good.demo.test", 10, "mx.good.demo.test")
        .mx("tls12.demo.test", 10, "mx.tls12.demo.test")
        .mx("expired.demo.test", 10, "mx.expired.demo.test")
        .mx("selfsigned.demo.test", 10, "mx.selfsigned.demo.test")
        .mx("nostarttls.demo.test", 10, "mx.nostarttls.demo.test")
        .mx("backup.demo.test", 10, "mx.good.demo.test")
        .mx("backup.demo.test", 20, "mx.nostarttls.demo.test")
        .mx("legacy.demo.test", 10, "mx.legacy.demo.test")
        .mx("null.demo.test", 0, ".")
        .mx("sts.demo.test", 10, "mx.good.demo.test")
        .mx("stsbroken.demo.test", 10, "mx.selfsigned.demo.test")
        .mx("stsuncovered.demo.test", 10, "mx.tls12.demo.test");
    // MTA-STS: every policy host is one lab HTTPS server on 127.0.0.16.
    let policy_names = [
        "mta-sts.sts.demo.test",
        "mta-sts.stsbroken.demo.test",
        "mta-sts.stsuncovered.demo.test",
        "mta-sts.dane.demo.test",
    ];
    let leaf = pki.leaf(&valid(&policy_names)).map_err(|e| err(&e))?;
    let cfg = server_config(&leaf, Versions::Tls12And13).map_err(|e| err(&e))?;
    let https = spawn_https(ip(16), cfg, vec![HttpReply::policy(DEMO_POLICY)])
        .await
        .map_err(|e| err(&e))?;
    for (name, domain) in policy_names.iter().zip([
        "sts.demo.test",
        "stsbroken.demo.test",
        "stsuncovered.demo.test",
        "dane.demo.test",
    ]) {
        connect_to.push(ConnectTo::parse(&format!("{name}:443::{}", https.port()))?);
        zone = zone
            .addr(name, ip(16))
            .txt(
                &format!("_mta-sts.{domain}"),
                &["v=STSv1; id=20250101T000000;"],
            )
            .txt(
                &format!("_smtp._tls.{domain}"),
                &[&format!("v=TLSRPTv1; rua=mailto:tlsrpt@{domain}")],
            );
    }
    servers.push(https.handle);
    for (name, n, spec, versions, starttls) in hosts {
        let leaf = pki.leaf(&spec).map_err(|e| err(&e))?;
        let cfg = server_config(&leaf, versions).map_err(|e| err(&e))?;
        let mut script = SmtpScript::new(name, Some(cfg));
        script.offer_starttls = starttls;
        let srv = spawn_smtp(&[ip(n)], script).await.map_err(|e| err(&e))?;
        // Port-only mapping: the MX host's address still comes from the lab's DNS.
        connect_to.push(ConnectTo::parse(&format!("{name}:25::{}", srv.port()))?);
        servers.push(srv);
        zone = zone.addr(name, ip(n));
    }
    // TLS 1.0 only: rustls cannot serve it, so a scripted responder answers the probes with a
    // canned TLS 1.0 ServerHello and certificate (it never completes a handshake).
    let legacy_name = "mx.legacy.demo.test";
    let leaf = pki.leaf(&valid(&[legacy_name])).map_err(|e| err(&e))?;
    let mut script = LegacyScript::range(0x0301, 0x0301);
    script.smtp = true;
    // A real TLS 1.0 server's choice (AES-CBC with RSA key exchange, secure renegotiation), so
    // the cipher probes find what such a server has rather than whatever they offer.
    script.preference = Some(vec![0x0035, 0x002f]);
    script.renegotiation_info = true;
    script.certificates = leaf.chain.iter().map(|c| c.to_vec()).collect();
    let srv = spawn_legacy(ip(15), script).await.map_err(|e| err(&e))?;
    connect_to.push(ConnectTo::parse(&format!(
        "{legacy_name}:25::{}",
        srv.port()
    ))?);
    servers.push(srv);
    zone = zone.addr(legacy_name, ip(15));

    // DANE: two more MX hosts, one whose TLSA matches its key and one whose TLSA is left from
    // the key before. The whole demo zone is DNSSEC-signed with a key made now; the demo's own
    // trust anchor is that key.
    for (name, n, current) in [
        ("mx.dane.demo.test", 17u8, true),
        ("mx.danestale.demo.test", 18, false),
    ] {
        let leaf = pki.leaf(&valid(&[name])).map_err(|e| err(&e))?;
        let cfg = server_config(&leaf, Versions::Tls12And13).map_err(|e| err(&e))?;
        let srv = spawn_smtp(&[ip(n)], SmtpScript::new(name, Some(cfg)))
            .await
            .map_err(|e| err(&e))?;
        connect_to.push(ConnectTo::parse(&format!("{name}:25::{}", srv.port()))?);
        servers.push(srv);
        let key_der = if current {
            leaf.chain[0].to_vec()
        } else {
            pki.leaf(&valid(&[name])).map_err(|e| err(&e))?.chain[0].to_vec()
        };
        let domain = name.trim_start_matches("mx.");
        zone = zone.addr(name, ip(n)).mx(domain, 10, name).tlsa(
            &format!("_25._tcp.{name}"),
            3,
            1,
            1,
            &spki_sha256(&key_der),
        );
        if !current {
            // (dane.demo.test gets its TLS-RPT record with its MTA-STS records above.)
            zone = zone.txt(
                &format!("_smtp._tls.{domain}"),
                &[&format!("v=TLSRPTv1; rua=mailto:tlsrpt@{domain}")],
            );
        }
    }
    // Revocation: one MX whose certificate its CA has revoked, listed in the CRL every demo
    // certificate names.
    let revoked_name = "mx.revoked.demo.test";
    let revoked = pki.leaf(&valid(&[revoked_name])).map_err(|e| err(&e))?;
    let cfg = server_config(&revoked, Versions::Tls12And13).map_err(|e| err(&e))?;
    let srv = spawn_smtp(&[ip(20)], SmtpScript::new(revoked_name, Some(cfg)))
        .await
        .map_err(|e| err(&e))?;
    connect_to.push(ConnectTo::parse(&format!(
        "{revoked_name}:25::{}",
        srv.port()
    ))?);
    servers.push(srv);
    zone = zone
        .addr(revoked_name, ip(20))
        .mx("revoked.demo.test", 10, revoked_name);
    let crl = pki.crl(&[&revoked]).map_err(|e| err(&e))?;
    let crl_host = spawn_http(ip(19), "/demo.crl", "application/pkix-crl", crl)
        .await
        .map_err(|e| err(&e))?;
    connect_to.push(ConnectTo::parse(&format!(
        "crl.demo.test:80::{}",
        crl_host.port()
    ))?);
    servers.push(crl_host.handle);
    zone = zone.addr("crl.demo.test", ip(19));

    let key = ZoneKey::generate().map_err(|e| err(&e))?;
    let trust_anchors = key
        .anchor("demo.test")
        .and_then(|a| {
            a.parse::<hickory_proto::dnssec::TrustAnchors>()
                .map_err(|e| e.to_string())
        })
        .map_err(|e| err(&e))?;
    zone = zone.signed(&key);

    let dns = DnsLab::new()
        .zone(zone)
        .spawn(ip(1))
        .await
        .map_err(|e| err(&e))?;
    let resolver = dns.addr();
    servers.push(dns);
    let targets = DOMAINS
        .iter()
        .map(|(d, _)| parse_target(d))
        .collect::<Result<_, _>>()?;
    Ok(Demo {
        trust_anchors,
        servers,
        pki,
        resolver,
        connect_to,
        targets,
    })
}

/// SHA-256 of a certificate's SubjectPublicKeyInfo (a `3 1 1` TLSA record's data).
pub(crate) fn spki_sha256(der: &[u8]) -> Vec<u8> {
    use x509_parser::prelude::*;
    match X509Certificate::from_der(der) {
        Ok((_, c)) => ring::digest::digest(&ring::digest::SHA256, c.public_key().raw)
            .as_ref()
            .to_vec(),
        Err(_) => Vec::new(),
    }
}
