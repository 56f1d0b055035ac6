//! What a scan needs, validated: where DNS goes, what to trust, where connections go, timeouts,
//! limits and which probes run. Built by the command line ([`crate::cli`]), or by the lab and
//! tests directly; every stage reads it and none changes it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::inspect::TrustStore;
use crate::net::ConnectTo;

/// Everything a scan needs, validated (built by `cli`, or by the lab and tests directly).
#[derive(Clone)]
pub struct ScanConfig {
    /// DNS server (`--resolver`); `None` = system configuration.
    pub resolver: Option<SocketAddr>,
    pub connect_to: Vec<ConnectTo>,
    pub trust: TrustStore,
    /// Per connection step (connect, each command, handshake).
    pub timeout: Duration,
    /// Waiting for a greeting (tarpits delay banners).
    pub greeting_timeout: Duration,
    pub ehlo_name: String,
    pub ipv4: bool,
    pub ipv6: bool,
    /// Treat loopback/private MX addresses as routable (internal relays, labs, tests).
    pub allow_private: bool,
    /// Endpoints scanned at once.
    pub concurrency: usize,
    /// Connections to one IP address at a time (mail servers rate-limit and block noisy clients).
    pub per_ip: usize,
    /// Days before expiry at which `cert.expiring` warns.
    pub warn_days: i64,
    /// DNSSEC trust anchors for DANE (`--trust-anchor`); `None` = the IANA root keys.
    pub trust_anchors: Option<Arc<hickory_proto::dnssec::TrustAnchors>>,
    /// `--ciphers`: enumerate every accepted suite per version (tens of connections more).
    pub full_ciphers: bool,
    /// The default weak-class, key-exchange and flaw probes (off with `--versions-only`).
    pub cipher_probes: bool,
}

impl ScanConfig {
    /// Defaults for library users and tests: system resolver, webpki roots, 10 s steps.
    pub fn new(trust: TrustStore) -> ScanConfig {
        ScanConfig {
            resolver: None,
            connect_to: Vec::new(),
            trust,
            timeout: Duration::from_secs(10),
            greeting_timeout: Duration::from_secs(20),
            ehlo_name: default_ehlo_name(),
            ipv4: true,
            ipv6: true,
            allow_private: false,
            concurrency: 64,
            per_ip: 3,
            warn_days: 30,
            trust_anchors: None,
            full_ciphers: false,
            cipher_probes: true,
        }
    }
}

/// The EHLO name when `--ehlo` is not given: the machine's host name if it is a dotted FQDN,
/// otherwise a placeholder FQDN. Never `localhost`: RFC 5321 §4.1.4 wants the client's FQDN, and
/// MTAs that check it reject `localhost`.
pub fn default_ehlo_name() -> String {
    let h = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let h = h.trim().to_ascii_lowercase();
    if h.contains('.') && !h.starts_with("localhost") && crate::target::parse_dns_name(&h).is_ok() {
        h
    } else {
        "tlsgrade.invalid".into()
    }
}
