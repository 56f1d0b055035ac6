//! DNS through hickory-resolver: MX, A, AAAA and TXT, with failures kept apart.
//!
//! NXDOMAIN, NODATA, SERVFAIL and timeouts are distinct outcomes: a SERVFAIL or a timeout never
//! falls back to the domain's own addresses (RFC 5321 §5.1 allows that only for NODATA). Names are queried fully qualified
//! (trailing dot) so that no search list of the system configuration is ever appended.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_proto::dnssec::{Proof, TrustAnchors};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, Record, RecordType};
use hickory_proto::ProtoErrorKind;
use hickory_resolver::config::{NameServerConfigGroup, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::{ResolveError, TokioResolver};
use std::sync::Arc;

use crate::report::{ErrorInfo, ErrorKind};

/// How a look-up ended when it did not give records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsError {
    /// The name does not exist.
    NxDomain,
    /// SERVFAIL, REFUSED or another error rcode.
    ServFail(String),
    Timeout,
    Other(String),
}

impl DnsError {
    pub fn to_error_info(&self, what: &str) -> ErrorInfo {
        match self {
            DnsError::NxDomain => ErrorInfo::new(
                ErrorKind::DnsNxdomain,
                format!("{what}: name does not exist (NXDOMAIN)"),
            ),
            DnsError::ServFail(rc) => ErrorInfo::new(
                ErrorKind::DnsServfail,
                format!("{what}: DNS server answered {rc}"),
            ),
            DnsError::Timeout => ErrorInfo::new(
                ErrorKind::DnsTimeout,
                format!("{what}: no DNS answer in time"),
            ),
            DnsError::Other(m) => ErrorInfo::new(ErrorKind::DnsError, format!("{what}: {m}")),
        }
    }
}

/// One MX record. `exchange` is lower-case without the trailing dot; "." stays ".".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mx {
    pub preference: u16,
    pub exchange: String,
}

/// Addresses of a host, plus the CNAME chain that led to them, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Addresses {
    pub addrs: Vec<IpAddr>,
    pub cnames: Vec<String>,
}

/// The resolver used for a whole scan.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
}

/// Longest CNAME chain followed by hand: real chains are two or three long; a longer one is a
/// loop or an attack on the resolver.
const MAX_CNAME_CHAIN: usize = 10;

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

fn name_of(n: &hickory_proto::rr::Name) -> String {
    let s = n.to_ascii().to_ascii_lowercase();
    if s == "." {
        s
    } else {
        s.trim_end_matches('.').to_string()
    }
}

/// Empty answers (NODATA) are `Ok(None)`; real failures are errors.
fn classify(e: ResolveError) -> Result<(), DnsError> {
    if let Some(p) = e.proto() {
        match p.kind() {
            ProtoErrorKind::NoRecordsFound { response_code, .. } => {
                return match *response_code {
                    ResponseCode::NXDomain => Err(DnsError::NxDomain),
                    ResponseCode::NoError => Ok(()),
                    rc => Err(DnsError::ServFail(rc.to_string())),
                }
            }
            ProtoErrorKind::Timeout => return Err(DnsError::Timeout),
            ProtoErrorKind::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                return Err(DnsError::Timeout)
            }
            _ => {}
        }
    }
    Err(DnsError::Other(e.to_string()))
}

impl Dns {
    /// A resolver on `server` (`--resolver`), or the system configuration when `None`.
    pub fn new(server: Option<SocketAddr>, timeout: Duration) -> Result<Dns, String> {
        Dns::build(server, timeout, None)
    }

    /// A resolver that validates DNSSEC itself (RFC 4035), from `anchors` down, and marks every
    /// answer secure, insecure, bogus or indeterminate: DANE must never trust a resolver's AD bit.
    pub fn validating(
        server: Option<SocketAddr>,
        timeout: Duration,
        anchors: Arc<TrustAnchors>,
    ) -> Result<Dns, String> {
        Dns::build(server, timeout, Some(anchors))
    }

    fn build(
        server: Option<SocketAddr>,
        timeout: Duration,
        anchors: Option<Arc<TrustAnchors>>,
    ) -> Result<Dns, String> {
        let mut opts = ResolverOpts::default();
        opts.validate = anchors.is_some();
        opts.timeout = timeout.min(Duration::from_secs(5));
        opts.attempts = 2;
        opts.edns0 = true;
        opts.preserve_intermediates = true;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.ndots = 0;
        // Batches look up many names; the default cache of 32 would thrash.
        opts.cache_size = 4096;
        let builder = match server {
            Some(addr) => {
                let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
                TokioResolver::builder_with_config(
                    ResolverConfig::from_parts(None, vec![], group),
                    TokioConnectionProvider::default(),
                )
            }
            None => TokioResolver::builder_tokio().map_err(|e| {
                format!("cannot read the system DNS configuration ({e}); use --resolver IP[:PORT]")
            })?,
        };
        let mut builder = builder.with_options(opts);
        if let Some(a) = anchors {
            builder = builder.with_trust_anchor(a);
        }
        Ok(Dns {
            resolver: builder.build(),
        })
    }

    /// Records of `rtype` at `name` with their DNSSEC status: the weakest proof among the
    /// answer's records of that type (`Ok(([], proof))` for a validated NODATA/NXDOMAIN).
    pub async fn lookup_proof(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> Result<(Vec<Record>, Proof), DnsError> {
        match self.resolver.lookup(fqdn(name), rtype).await {
            Ok(l) => {
                let recs: Vec<Record> = l.records().to_vec();
                let proof = recs
                    .iter()
                    .filter(|r| r.record_type() == rtype)
                    .map(|r| r.proof())
                    .min()
                    .unwrap_or(Proof::Indeterminate);
                Ok((recs, proof))
            }
            Err(e) => {
                // A negative answer that did not validate comes back as an NSEC error with its
                // proof; one that did comes back as "no records".
                if let Some(ProtoErrorKind::Nsec { proof, .. }) = e.proto().map(|p| p.kind()) {
                    return Ok((Vec::new(), *proof));
                }
                match classify(e) {
                    Ok(()) => Ok((Vec::new(), Proof::Secure)),
                    Err(DnsError::NxDomain) => Ok((Vec::new(), Proof::Secure)),
                    Err(err) => Err(err),
                }
            }
        }
    }

    /// MX records of `domain`, sorted by preference then name, duplicates removed.
    /// `Ok(empty)` means NODATA (no MX: implicit MX applies).
    pub async fn mx(&self, domain: &str) -> Result<Vec<Mx>, DnsError> {
        match self.resolver.lookup(fqdn(domain), RecordType::MX).await {
            Ok(l) => {
                let mut out: Vec<Mx> = l
                    .record_iter()
                    .filter_map(|r| match r.data() {
                        RData::MX(mx) => Some(Mx {
                            preference: mx.preference(),
                            exchange: name_of(mx.exchange()),
                        }),
                        _ => None,
                    })
                    .collect();
                out.sort_by(|a, b| (a.preference, &a.exchange).cmp(&(b.preference, &b.exchange)));
                out.dedup();
                if out.is_empty() {
                    self.cname_chain_ends(domain).await?;
                }
                Ok(out)
            }
            Err(e) => {
                classify(e)?;
                self.cname_chain_ends(domain).await?;
                Ok(Vec::new())
            }
        }
    }

    /// An MX query that ends in "no records" may be a CNAME loop or an endless chain, which the
    /// resolver reports as an empty answer; taken for NODATA, a looping domain would be graded
    /// as having no mail service (implicit MX), where it is a DNS error. So the
    /// chain is walked by hand, one CNAME query per step, at most [`MAX_CNAME_CHAIN`] steps.
    async fn cname_chain_ends(&self, name: &str) -> Result<(), DnsError> {
        let mut seen = vec![name.trim_end_matches('.').to_ascii_lowercase()];
        loop {
            let current = seen.last().cloned().unwrap_or_default();
            let next = match self
                .resolver
                .lookup(fqdn(&current), RecordType::CNAME)
                .await
            {
                Ok(l) => l.record_iter().find_map(|r| match r.data() {
                    RData::CNAME(c) if name_of(r.name()) == current => Some(name_of(&c.0)),
                    _ => None,
                }),
                // Whatever stops the walk (NODATA, NXDOMAIN, SERVFAIL) was already judged by the
                // MX answer; only a loop or an overlong chain is news here.
                Err(_) => None,
            };
            let Some(next) = next else {
                return Ok(());
            };
            if seen.contains(&next) {
                seen.push(next);
                return Err(DnsError::Other(format!("CNAME loop: {}", seen.join(" → "))));
            }
            if seen.len() > MAX_CNAME_CHAIN {
                return Err(DnsError::Other(format!(
                    "CNAME chain longer than {MAX_CNAME_CHAIN} at {}",
                    seen[0]
                )));
            }
            seen.push(next);
        }
    }

    /// TXT records at `name`, each RR as its list of character-strings (RFC 1035 §3.3.14), kept
    /// apart because MTA-STS and TLS-RPT join one RR's strings without spaces (RFC 8461 §3.1,
    /// RFC 8460 §3) but never join two RRs. `Ok(empty)` means NODATA; a CNAME is followed by the
    /// resolver (the delegation RFC 8461 §8.2 describes), and records of other types that come
    /// along in the answer (the CNAME itself) are skipped.
    pub async fn txt(&self, name: &str) -> Result<Vec<Vec<Vec<u8>>>, DnsError> {
        match self.resolver.lookup(fqdn(name), RecordType::TXT).await {
            Ok(l) => Ok(l
                .record_iter()
                .filter_map(|r| match r.data() {
                    RData::TXT(t) => Some(t.txt_data().iter().map(|s| s.to_vec()).collect()),
                    _ => None,
                })
                .collect()),
            Err(e) => classify(e).map(|()| Vec::new()),
        }
    }

    async fn family(
        &self,
        host: &str,
        rt: RecordType,
        out: &mut Addresses,
    ) -> Result<(), DnsError> {
        match self.resolver.lookup(fqdn(host), rt).await {
            Ok(l) => {
                for r in l.record_iter() {
                    match r.data() {
                        RData::A(a) => out.addrs.push(IpAddr::V4(a.0)),
                        RData::AAAA(a) => out.addrs.push(IpAddr::V6(a.0)),
                        RData::CNAME(c) => {
                            let n = name_of(&c.0);
                            if !out.cnames.contains(&n) {
                                out.cnames.push(n);
                            }
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
            Err(e) => classify(e),
        }
    }

    /// A and AAAA of `host`, queried separately (one may fail while the other works).
    /// An empty result with `Ok` means the host has no address of the requested families.
    pub async fn addresses(&self, host: &str, v4: bool, v6: bool) -> Result<Addresses, DnsError> {
        let (mut a, mut aaaa) = (Addresses::default(), Addresses::default());
        let (ra, raaaa) = tokio::join!(
            async {
                match v4 {
                    true => self.family(host, RecordType::A, &mut a).await,
                    false => Ok(()),
                }
            },
            async {
                match v6 {
                    true => self.family(host, RecordType::AAAA, &mut aaaa).await,
                    false => Ok(()),
                }
            }
        );
        let mut out = a;
        out.addrs.extend(aaaa.addrs);
        for c in aaaa.cnames {
            if !out.cnames.contains(&c) {
                out.cnames.push(c);
            }
        }
        match (ra, raaaa) {
            (Err(e), _) | (_, Err(e)) if out.addrs.is_empty() => Err(e),
            _ => Ok(out),
        }
    }
}

/// Loads `--trust-anchor` files: DNSKEY records are anchors as they are; a DS record names the
/// zone's DNSKEY by digest, so the zone's DNSKEY RRset is fetched (with `plain`, not validated:
/// the DS is what vouches for it) and the keys whose digest matches become anchors.
pub async fn load_trust_anchors(
    files: &[std::path::PathBuf],
    plain: &Dns,
) -> Result<TrustAnchors, String> {
    use hickory_proto::dnssec::rdata::DNSSECRData;
    use hickory_proto::dnssec::{DigestType, Verifier};
    let mut dnskey_text = String::new();
    let mut ds: Vec<(String, u16, u8, Vec<u8>, std::path::PathBuf, usize)> = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--trust-anchor {}: {e}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            let body = line.split(';').next().unwrap_or("").trim();
            if body.is_empty() {
                continue;
            }
            let f: Vec<&str> = body.split_whitespace().collect();
            match f
                .iter()
                .position(|w| w.eq_ignore_ascii_case("DS") || w.eq_ignore_ascii_case("DNSKEY"))
            {
                Some(i) if f[i].eq_ignore_ascii_case("DNSKEY") => {
                    dnskey_text.push_str(body);
                    dnskey_text.push('\n');
                }
                Some(i) if f.len() >= i + 5 => {
                    let bad = || {
                        format!(
                            "--trust-anchor {} line {}: malformed DS record",
                            path.display(),
                            n + 1
                        )
                    };
                    let tag: u16 = f[i + 1].parse().map_err(|_| bad())?;
                    let digest_type: u8 = f[i + 3].parse().map_err(|_| bad())?;
                    let hexd: String = f[i + 4..].concat();
                    let digest = (0..hexd.len())
                        .step_by(2)
                        .map(|k| {
                            hexd.get(k..k + 2)
                                .and_then(|h| u8::from_str_radix(h, 16).ok())
                        })
                        .collect::<Option<Vec<u8>>>()
                        .ok_or_else(bad)?;
                    ds.push((
                        f[0].to_string(),
                        tag,
                        digest_type,
                        digest,
                        path.clone(),
                        n + 1,
                    ));
                }
                _ => {
                    return Err(format!(
                        "--trust-anchor {} line {}: expected a DNSKEY or DS record",
                        path.display(),
                        n + 1
                    ))
                }
            }
        }
    }
    let mut anchors = if dnskey_text.is_empty() {
        TrustAnchors::empty()
    } else {
        dnskey_text
            .parse::<TrustAnchors>()
            .map_err(|e| format!("--trust-anchor: DNSKEY records do not parse: {e}"))?
    };
    for (owner, tag, digest_type, digest, path, line) in ds {
        let name = hickory_proto::rr::Name::from_ascii(&owner)
            .map_err(|e| format!("--trust-anchor {} line {line}: {e}", path.display()))?;
        let (recs, _) = plain
            .lookup_proof(&owner, RecordType::DNSKEY)
            .await
            .map_err(|e| {
                format!(
                    "--trust-anchor {} line {line}: {}",
                    path.display(),
                    e.to_error_info(&format!("DNSKEY of {owner}")).message
                )
            })?;
        let mut found = false;
        for r in &recs {
            if let RData::DNSSEC(DNSSECRData::DNSKEY(k)) = r.data() {
                let dt = DigestType::from(digest_type);
                let matches = k.calculate_key_tag().ok() == Some(tag)
                    && k.to_digest(&name, dt)
                        .map(|d| d.as_ref() == digest.as_slice())
                        .unwrap_or(false);
                if matches {
                    if let Ok(pk) = k.key() {
                        anchors.insert(&*pk);
                        found = true;
                    }
                }
            }
        }
        if !found {
            return Err(format!(
                "--trust-anchor {} line {line}: no DNSKEY of {owner} matches the DS (key tag {tag})",
                path.display()
            ));
        }
    }
    Ok(anchors)
}
