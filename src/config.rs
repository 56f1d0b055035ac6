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
    /// Fetch CRLs and OCSP answers for certificates without a usable staple (off with
    /// `--no-revocation`).
    pub revocation: bool,
    /// `--at`: judge validity (expiry, lifetimes, OCSP freshness) as of this time instead of now.
    pub at: Option<rustls_pki_types::UnixTime>,
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
            revocation: true,
            at: None,
        }
    }

    /// The time certificates are judged at: `--at`, else now.
    pub fn now(&self) -> rustls_pki_types::UnixTime {
        self.at.unwrap_or_else(rustls_pki_types::UnixTime::now)
    }
}

/// Seconds since the epoch as a [`rustls_pki_types::UnixTime`] (before 1970: the epoch).
pub fn unix_time(secs: i64) -> rustls_pki_types::UnixTime {
    rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs.max(0) as u64))
}

/// Parses `--at`: `+Nd` / `-Nd` (days from now), a date `YYYY-MM-DD` (midnight UTC) or an
/// RFC 3339 time. Returns seconds since the Unix epoch.
pub fn parse_at(s: &str, now_secs: i64) -> Result<i64, String> {
    let bad = || {
        format!(
            "--at {s:?}: expected +Nd or -Nd (days from now), a date like 2027-03-15, or a time like 2027-03-15T12:00:00Z"
        )
    };
    if let Some(days) = s.strip_suffix('d').or_else(|| s.strip_suffix('D')) {
        let (sign, n) = match days.as_bytes().first() {
            Some(b'+') => (1, &days[1..]),
            Some(b'-') => (-1, &days[1..]),
            _ => return Err(bad()),
        };
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: i64 = n.parse().map_err(|_| bad())?;
        if n > 36_500 {
            return Err(bad());
        }
        return Ok(now_secs + sign * n * 86_400);
    }
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let date = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, date)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| bad())
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

#[cfg(test)]
mod tests {
    use super::parse_at;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn at_takes_days_from_now_dates_and_times() {
        assert_eq!(parse_at("+30d", NOW), Ok(NOW + 30 * 86_400));
        assert_eq!(parse_at("-2d", NOW), Ok(NOW - 2 * 86_400));
        assert_eq!(parse_at("2027-03-15", NOW), Ok(1_805_068_800));
        assert_eq!(parse_at("2027-03-15T12:00:00Z", NOW), Ok(1_805_112_000));
        assert_eq!(
            parse_at("2027-03-15T12:00:00+02:00", NOW),
            Ok(1_805_104_800)
        );
    }

    #[test]
    fn at_refuses_what_it_cannot_read() {
        for bad in [
            "30d",
            "+d",
            "+30",
            "tomorrow",
            "2027-13-01",
            "",
            "+99999999d",
            "+-3d",
        ] {
            assert!(parse_at(bad, NOW).is_err(), "{bad:?}");
        }
    }
}
