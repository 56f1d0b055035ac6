//! The network half of the MTA-STS and TLS-RPT checks: the `_mta-sts` and `_smtp._tls` TXT
//! look-ups and the HTTPS fetch of `https://mta-sts.<domain>/.well-known/mta-sts.txt`
//! (RFC 8461 §3.3). It only gathers data; the decisions are in [`super::mta_sts_check`].
//!
//! The fetch uses reqwest on the scan's own rustls configuration (ring, webpki against
//! webpki-roots + `--ca-file`), follows no redirects (RFC 8461 §3.3 "MUST NOT"), ignores proxy
//! variables, caps the body at 64 KiB + 1 byte and has a deadline. The policy host is resolved
//! by the scan's DNS (or `--connect-to`), never by reqwest, so NXDOMAIN is told apart and the
//! lab's resolver is honoured; SNI and `Host:` stay `mta-sts.<domain>`.

use std::net::SocketAddr;
use std::time::Duration;

use super::mta_sts::MAX_BODY;
use crate::config::ScanConfig;
use crate::dns::{Dns, DnsError};
use crate::net::connect_to;
use crate::target::Host;

/// TXT records of one name as the DNS gave them (RRs of character-strings), or why not.
pub type TxtAnswer = Result<Vec<Vec<Vec<u8>>>, DnsError>;

/// Everything the MTA-STS / TLS-RPT decision needs from the network for one domain.
#[derive(Clone, Debug)]
pub struct Gathered {
    pub sts_txt: TxtAnswer,
    /// `None` when there was no usable `_mta-sts` record, so a sender would not fetch.
    pub fetch: Option<Fetched>,
    pub rpt_txt: TxtAnswer,
}

/// One policy fetch, after at most one retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub url: String,
    /// 1, or 2 when the first attempt timed out, failed to connect or got a 5xx.
    pub attempts: u32,
    pub outcome: FetchOutcome,
}

/// How the fetch ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchOutcome {
    /// An HTTP response (any status; redirects are not followed).
    Response {
        status: u16,
        content_type: Option<String>,
        /// At most [`MAX_BODY`] bytes.
        body: Vec<u8>,
        /// The server sent more than [`MAX_BODY`] bytes.
        cap_exceeded: bool,
        location: Option<String>,
    },
    /// `mta-sts.<domain>` does not exist or has no address: "TXT present, policy missing".
    NoHost(String),
    /// TLS failed or the certificate is not PKIX-valid for `mta-sts.<domain>`.
    Certificate(String),
    /// Could not test: timeout, refused connection, DNS failure (after the retry).
    Failed(String),
}

/// Looks up both TXT records and, when the `_mta-sts` record is usable, fetches the policy.
pub async fn gather(domain: &str, cfg: &ScanConfig, dns: &Dns) -> Gathered {
    let sts = async {
        let txt = txt(dns, &format!("_mta-sts.{domain}")).await;
        let usable = txt
            .as_ref()
            .is_ok_and(|rrs| super::mta_sts::parse_txt(rrs).record.is_some());
        let fetch = if usable {
            Some(fetch_policy(domain, cfg, dns).await)
        } else {
            None
        };
        (txt, fetch)
    };
    let rpt_name = format!("_smtp._tls.{domain}");
    let ((sts_txt, fetch), rpt_txt) = tokio::join!(sts, txt(dns, &rpt_name));
    Gathered {
        sts_txt,
        fetch,
        rpt_txt,
    }
}

/// A TXT look-up where NXDOMAIN is simply "no record": `_mta-sts` and `_smtp._tls` names
/// usually do not exist at all, and policy discovery never walks up the tree (RFC 8461 §3.4).
async fn txt(dns: &Dns, name: &str) -> TxtAnswer {
    match dns.txt(name).await {
        Err(DnsError::NxDomain) => Ok(Vec::new()),
        other => other,
    }
}

/// Fetches the policy of `domain`, retrying once after a timeout, a connection failure or a
/// 5xx (the one retry of docs/grading.md, "MTA-STS and TLS-RPT (domain checks)").
pub async fn fetch_policy(domain: &str, cfg: &ScanConfig, dns: &Dns) -> Fetched {
    let host = format!("mta-sts.{domain}");
    let url = format!("https://{host}/.well-known/mta-sts.txt");
    let addrs = match policy_addresses(&host, cfg, dns).await {
        Ok(a) => a,
        Err(outcome) => {
            return Fetched {
                url,
                attempts: 0,
                outcome,
            }
        }
    };
    let client = match client(&host, &addrs, cfg) {
        Ok(c) => c,
        Err(e) => {
            return Fetched {
                url,
                attempts: 0,
                outcome: FetchOutcome::Failed(e),
            }
        }
    };
    let mut attempts = 0;
    loop {
        attempts += 1;
        let outcome = fetch_once(&client, &url).await;
        let retry = match &outcome {
            FetchOutcome::Failed(_) => true,
            FetchOutcome::Response { status, .. } => (500..600).contains(status),
            _ => false,
        };
        if !retry || attempts >= 2 {
            return Fetched {
                url,
                attempts,
                outcome,
            };
        }
    }
}

/// Where `mta-sts.<domain>:443` is: `--connect-to` first (an IP as is, a name through the
/// scan's DNS), otherwise the scan's DNS.
async fn policy_addresses(
    host: &str,
    cfg: &ScanConfig,
    dns: &Dns,
) -> Result<Vec<SocketAddr>, FetchOutcome> {
    let (dial, port) = connect_to::route(&cfg.connect_to, &Host::Name(host.to_string()), 443)
        .unwrap_or_else(|| (Host::Name(host.to_string()), 443));
    let name = match dial {
        Host::Ip(ip) => return Ok(vec![SocketAddr::new(ip, port)]),
        Host::Name(n) => n,
    };
    match dns.addresses(&name, cfg.ipv4, cfg.ipv6).await {
        Ok(a) if a.addrs.is_empty() => Err(FetchOutcome::NoHost(format!(
            "{name} has no address record"
        ))),
        Ok(a) => Ok(a
            .addrs
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect()),
        Err(DnsError::NxDomain) => Err(FetchOutcome::NoHost(format!(
            "{name} does not exist (NXDOMAIN)"
        ))),
        Err(e) => Err(FetchOutcome::Failed(
            e.to_error_info(&format!("address of {name}")).message,
        )),
    }
}

fn client(host: &str, addrs: &[SocketAddr], cfg: &ScanConfig) -> Result<reqwest::Client, String> {
    let tls = cfg.trust.client_config()?;
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
        .redirect(reqwest::redirect::Policy::none())
        // A proxy from the environment would change who we talk to and what we measure.
        .no_proxy()
        .resolve_to_addrs(host, addrs)
        .connect_timeout(cfg.timeout)
        .timeout(cfg.timeout.max(Duration::from_secs(1)) * 2)
        .user_agent(concat!("tlsgrade/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

async fn fetch_once(client: &reqwest::Client, url: &str) -> FetchOutcome {
    let mut resp = match client.get(url).send().await {
        Ok(r) => r,
        Err(e) => return classify(&e),
    };
    let status = resp.status().as_u16();
    let header = |name: reqwest::header::HeaderName| {
        resp.headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let location = header(reqwest::header::LOCATION);
    let mut body = Vec::new();
    let mut cap_exceeded = false;
    // Read in chunks and stop one byte past the cap: a hostile server cannot make us buffer more.
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_BODY + 1 - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() > MAX_BODY {
                    cap_exceeded = true;
                    body.truncate(MAX_BODY);
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => return classify(&e),
        }
    }
    FetchOutcome::Response {
        status,
        content_type,
        body,
        cap_exceeded,
        location,
    }
}

/// Sorts a reqwest error into "not PKIX-valid" (a TLS or certificate failure) and "could not
/// test". The rustls error sits somewhere in the source chain, often inside an `io::Error`
/// whose `source()` skips it, so both are looked into.
fn classify(e: &reqwest::Error) -> FetchOutcome {
    if let Some(tls) = find_rustls_error(e) {
        return FetchOutcome::Certificate(describe_tls(tls));
    }
    if e.is_timeout() {
        return FetchOutcome::Failed(format!("timed out: {}", chain_text(e)));
    }
    FetchOutcome::Failed(chain_text(e))
}

fn find_rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    // Bounded: hyper-util nests io::Errors (Other around InvalidData around rustls::Error).
    for _ in 0..16 {
        let err = cur?;
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

fn describe_tls(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::Expired | C::ExpiredContext { .. } => "certificate expired".into(),
            C::NotValidYet | C::NotValidYetContext { .. } => "certificate not yet valid".into(),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "certificate not valid for the policy host name (no matching SAN DNS-ID)".into()
            }
            C::UnknownIssuer => "certificate not issued by a trusted CA (unknown issuer)".into(),
            C::BadSignature => "certificate signature invalid".into(),
            C::Revoked => "certificate revoked".into(),
            other => format!("certificate rejected: {other:?}"),
        },
        other => format!("TLS failure: {other}"),
    }
}

pub(crate) fn chain_text(e: &reqwest::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = std::error::Error::source(e);
    while let Some(s) = cur {
        if parts.len() >= 4 {
            break;
        }
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}
