//! Fetching CRLs and OCSP answers over HTTP, once per URL (and OCSP request) per run.
//!
//! Each URL a certificate names is fetched at most once per run, whichever endpoint asks first;
//! the others wait for that answer. Host names go through the scan's own resolver (never the
//! system's) and `--connect-to`, as for the MTA-STS policy host. Every fetch is bounded in
//! bytes (a CRL can be megabytes: streamed and cut at [`MAX_CRL`]) and in time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;

use crate::config::ScanConfig;
use crate::dns::Dns;
use crate::net::connect_to;
use crate::target::Host;

/// Largest CRL read. Real CRLs of big CAs run to a few megabytes; past this the list is not
/// worth holding per run, and the answer is "unavailable", never a guess.
pub const MAX_CRL: usize = 8 << 20;
/// Largest OCSP response read (a response with its responder certificate is a few KiB).
pub const MAX_OCSP: usize = 64 << 10;
/// Longest URL taken from a certificate.
const MAX_URL: usize = 2048;
/// Most distinct fetches remembered in one run (a batch of thousands of domains sees a few
/// hundred CAs' URLs).
const MAX_CACHED: usize = 4096;

/// What one fetch gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    Body(Vec<u8>),
    /// The body exceeded the limit (in bytes) and was not read further.
    TooLarge(usize),
    /// An HTTP status other than 200.
    Status(u16),
    /// The URL cannot be fetched: not http(s), too long, no host.
    BadUrl,
    /// DNS, connection, TLS or timeout: in words.
    Failed(String),
}

impl std::fmt::Display for Fetched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fetched::Body(b) => write!(f, "{} bytes", b.len()),
            Fetched::TooLarge(limit) => write!(f, "the answer exceeds {} KiB", limit >> 10),
            Fetched::Status(s) => write!(f, "HTTP {s}"),
            Fetched::BadUrl => f.write_str("not an http(s) URL tlsgrade fetches"),
            Fetched::Failed(why) => f.write_str(why),
        }
    }
}

/// What is fetched: a CRL by GET, or an OCSP request by POST (RFC 6960 Appendix A.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Request {
    Crl(String),
    Ocsp(String, Vec<u8>),
}

/// The run's fetcher and its answers so far. Built by the scheduler, shared by every endpoint.
pub struct Fetcher {
    dns: Dns,
    connect_to: Vec<crate::net::ConnectTo>,
    timeout: Duration,
    ipv4: bool,
    ipv6: bool,
    tls: Option<rustls::ClientConfig>,
    answers: Mutex<HashMap<Request, Arc<OnceCell<Fetched>>>>,
}

impl Fetcher {
    pub fn new(cfg: &ScanConfig, dns: Dns) -> Fetcher {
        Fetcher {
            dns,
            connect_to: cfg.connect_to.clone(),
            timeout: cfg.timeout.max(Duration::from_secs(1)) * 2,
            ipv4: cfg.ipv4,
            ipv6: cfg.ipv6,
            tls: cfg.trust.client_config().ok(),
            answers: Mutex::new(HashMap::new()),
        }
    }

    /// What `url` serves (a CRL, or an issuer certificate from AIA), up to [`MAX_CRL`] bytes.
    pub async fn get(&self, url: &str) -> Fetched {
        self.once(Request::Crl(url.to_string())).await
    }

    /// The OCSP responder at `url`'s answer to `request` (DER).
    pub async fn ocsp(&self, url: &str, request: Vec<u8>) -> Fetched {
        self.once(Request::Ocsp(url.to_string(), request)).await
    }

    async fn once(&self, req: Request) -> Fetched {
        let cell = {
            let mut map = self.answers.lock().unwrap_or_else(|e| e.into_inner());
            if map.len() >= MAX_CACHED && !map.contains_key(&req) {
                map.clear();
            }
            map.entry(req.clone()).or_default().clone()
        };
        cell.get_or_init(|| self.fetch(&req)).await.clone()
    }

    async fn fetch(&self, req: &Request) -> Fetched {
        let (url, limit) = match req {
            Request::Crl(u) => (u, MAX_CRL),
            Request::Ocsp(u, _) => (u, MAX_OCSP),
        };
        let Some((_, host, port)) = split_url(url) else {
            return Fetched::BadUrl;
        };
        let addrs = match self.addresses(&host, port).await {
            Ok(a) => a,
            Err(e) => return Fetched::Failed(e),
        };
        let mut builder = reqwest::Client::builder()
            // A redirect's host would be resolved by reqwest, outside the scan's resolver.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(self.timeout / 2)
            .timeout(self.timeout)
            .user_agent(concat!("tlsgrade/", env!("CARGO_PKG_VERSION")));
        // `resolve_to_addrs` takes the host as it appears in the URL.
        builder = builder.resolve_to_addrs(&host, &addrs);
        // Always our own rustls configuration: reqwest builds one even for http:// URLs, and
        // its own would need a process-wide crypto provider.
        match &self.tls {
            Some(tls) => builder = builder.use_preconfigured_tls(tls.clone()),
            None => return Fetched::Failed("no TLS client configuration".into()),
        }
        let client = match builder.build() {
            Ok(c) => c,
            Err(e) => return Fetched::Failed(format!("HTTP client: {e}")),
        };
        let sent = match req {
            Request::Crl(u) => client.get(u).send().await,
            Request::Ocsp(u, body) => {
                client
                    .post(u)
                    .header(reqwest::header::CONTENT_TYPE, "application/ocsp-request")
                    .body(body.clone())
                    .send()
                    .await
            }
        };
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => return Fetched::Failed(crate::policy::fetch::chain_text(&e)),
        };
        if resp.status().as_u16() != 200 {
            return Fetched::Status(resp.status().as_u16());
        }
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Fetched::TooLarge(limit);
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        return Fetched::TooLarge(limit);
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Fetched::Body(body),
                Err(e) => return Fetched::Failed(crate::policy::fetch::chain_text(&e)),
            }
        }
    }

    /// Where `host:port` is dialled: `--connect-to`, else the scan's resolver.
    async fn addresses(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        let named = match host.parse::<std::net::IpAddr>() {
            Ok(ip) => Host::Ip(ip),
            Err(_) => Host::Name(host.to_ascii_lowercase()),
        };
        let (dial, port) =
            connect_to::route(&self.connect_to, &named, port).unwrap_or((named, port));
        let name = match dial {
            Host::Ip(ip) => return Ok(vec![SocketAddr::new(ip, port)]),
            Host::Name(n) => n,
        };
        match self.dns.addresses(&name, self.ipv4, self.ipv6).await {
            Ok(a) if a.addrs.is_empty() => Err(format!("{name} has no address record")),
            Ok(a) => Ok(a
                .addrs
                .into_iter()
                .map(|ip| SocketAddr::new(ip, port))
                .collect()),
            Err(e) => Err(e.to_error_info(&format!("address of {name}")).message),
        }
    }
}

/// `(https, host, port)` of an http(s) URL, or `None` for anything else (ldap://, a URL with
/// credentials, an over-long one).
pub fn split_url(url: &str) -> Option<(bool, String, u16)> {
    if url.len() > MAX_URL || url.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    let (https, rest) = if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else {
        return None;
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let default = if https { 443 } else { 80 };
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (h, after) = v6.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None if after.is_empty() => default,
                None => return None,
            };
            (h.to_string(), port)
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (authority.to_string(), default),
        },
    };
    (!host.is_empty()).then_some((https, host, port))
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn urls_are_split_into_scheme_host_and_port() {
        assert_eq!(
            split_url("http://crl.example.test/ca.crl"),
            Some((false, "crl.example.test".into(), 80))
        );
        assert_eq!(
            split_url("https://ocsp.example.test:8443"),
            Some((true, "ocsp.example.test".into(), 8443))
        );
        assert_eq!(
            split_url("http://[::1]:8080/x.crl"),
            Some((false, "::1".into(), 8080))
        );
        assert_eq!(
            split_url("http://127.0.0.1/"),
            Some((false, "127.0.0.1".into(), 80))
        );
        for bad in [
            "ldap://ldap.example.test/cn=CA?certificateRevocationList",
            "http://user:pw@crl.example.test/x",
            "http:///x.crl",
            "http://crl.example.test:99999/x",
            "http://crl.example.test/a b",
            "file:///etc/passwd",
            "",
        ] {
            assert_eq!(split_url(bad), None, "{bad}");
        }
        assert_eq!(split_url(&format!("http://h/{}", "a".repeat(3000))), None);
    }
}
