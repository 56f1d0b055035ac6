//! An in-process authoritative DNS server (hickory-server) for the lab: zones built in code,
//! optionally DNSSEC-signed at start-up (ECDSA P-256, NSEC), and names that answer SERVFAIL or
//! never answer, so the scanner's DNS and DANE handling can be tested without the internet.

use std::collections::HashSet;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::dnssec::crypto::EcdsaSigningKey;
use hickory_proto::dnssec::rdata::{DNSSECRData, DNSKEY, DS};
use hickory_proto::dnssec::{Algorithm, DigestType, SigSigner, SigningKey};
use hickory_proto::op::{Header, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, SOA, TLSA, TXT};
use hickory_proto::rr::RecordType;
use hickory_proto::rr::{LowerName, Name, RData, Record};
use hickory_server::authority::AuthorityObject;
use hickory_server::authority::{Catalog, MessageResponseBuilder, ZoneType};
use hickory_server::dnssec::NxProofKind;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryAuthority;
use hickory_server::ServerFuture;
use rustls_pki_types::PrivatePkcs8KeyDer;

use super::ServerHandle;

/// A zone under construction: records are added with small helpers, names relative to nothing
/// (always fully written, e.g. "mx.example.test").
pub struct Zone {
    origin: Name,
    records: Vec<Record>,
    key: Option<ZoneKey>,
}

/// A zone-signing key (ECDSA P-256, algorithm 13) made at run time.
#[derive(Clone)]
pub struct ZoneKey {
    pkcs8: Vec<u8>,
}

impl ZoneKey {
    pub fn generate() -> Result<ZoneKey, String> {
        let der = EcdsaSigningKey::generate_pkcs8(Algorithm::ECDSAP256SHA256)
            .map_err(|e| e.to_string())?;
        Ok(ZoneKey {
            pkcs8: der.secret_pkcs8_der().to_vec(),
        })
    }

    fn signing_key(&self) -> Result<EcdsaSigningKey, String> {
        EcdsaSigningKey::from_pkcs8(
            &PrivatePkcs8KeyDer::from(self.pkcs8.clone()),
            Algorithm::ECDSAP256SHA256,
        )
        .map_err(|e| e.to_string())
    }

    /// The DNSKEY (flags 257: zone key and secure entry point).
    pub fn dnskey(&self) -> Result<DNSKEY, String> {
        let public = self
            .signing_key()?
            .to_public_key()
            .map_err(|e| e.to_string())?;
        Ok(DNSKEY::new(true, true, false, public))
    }

    /// The DS (SHA-256) a parent publishes for the zone `zone` signed with this key.
    pub fn ds(&self, zone: &str) -> Result<DS, String> {
        let key = self.dnskey()?;
        let digest = key
            .to_digest(&name(zone), DigestType::SHA256)
            .map_err(|e| e.to_string())?;
        let tag = key.calculate_key_tag().map_err(|e| e.to_string())?;
        Ok(DS::new(
            tag,
            Algorithm::ECDSAP256SHA256,
            DigestType::SHA256,
            digest.as_ref().to_vec(),
        ))
    }

    /// A trust-anchor line for `zone` in presentation format (`--trust-anchor` files).
    pub fn anchor(&self, zone: &str) -> Result<String, String> {
        Ok(format!("{} 3600 IN DNSKEY {}", name(zone), self.dnskey()?))
    }
}

fn name(s: &str) -> Name {
    let fq = if s.ends_with('.') {
        s.to_string()
    } else {
        format!("{s}.")
    };
    Name::from_str(&fq).unwrap_or_else(|_| Name::root())
}

impl Zone {
    pub fn new(origin: &str) -> Zone {
        let o = name(origin);
        let soa = Record::from_rdata(
            o.clone(),
            300,
            RData::SOA(SOA::new(
                name(&format!("ns.{origin}")),
                name(&format!("hostmaster.{origin}")),
                1,
                3600,
                600,
                86400,
                60,
            )),
        );
        Zone {
            origin: o,
            records: vec![soa],
            key: None,
        }
    }
    pub fn record(mut self, owner: &str, rdata: RData) -> Zone {
        self.records
            .push(Record::from_rdata(name(owner), 300, rdata));
        self
    }
    pub fn mx(self, owner: &str, pref: u16, exchange: &str) -> Zone {
        self.record(owner, RData::MX(MX::new(pref, name(exchange))))
    }
    pub fn addr(self, owner: &str, ip: IpAddr) -> Zone {
        match ip {
            IpAddr::V4(a) => self.record(owner, RData::A(A(a))),
            IpAddr::V6(a) => self.record(owner, RData::AAAA(AAAA(a))),
        }
    }
    pub fn cname(self, owner: &str, target: &str) -> Zone {
        self.record(owner, RData::CNAME(CNAME(name(target))))
    }
    pub fn txt(self, owner: &str, strings: &[&str]) -> Zone {
        self.record(
            owner,
            RData::TXT(TXT::new(strings.iter().map(|s| s.to_string()).collect())),
        )
    }

    /// Signs the zone with `key` when it is served (DNSKEY, RRSIGs and NSEC made then).
    pub fn signed(mut self, key: &ZoneKey) -> Zone {
        self.key = Some(key.clone());
        self
    }

    /// A DS record at `child` (a delegation to a signed child zone).
    pub fn ds(self, child: &str, key: &ZoneKey) -> Zone {
        match key.ds(child) {
            Ok(ds) => self.record(child, RData::DNSSEC(DNSSECRData::DS(ds))),
            Err(_) => self,
        }
    }

    /// A TLSA record (RFC 6698) at `owner`, e.g. `_25._tcp.mx.example.test`.
    pub fn tlsa(self, owner: &str, usage: u8, selector: u8, matching: u8, data: &[u8]) -> Zone {
        let t = TLSA::new(
            usage.into(),
            selector.into(),
            matching.into(),
            data.to_vec(),
        );
        self.record(owner, RData::TLSA(t))
    }

    fn authority(self) -> Result<InMemoryAuthority, String> {
        let nx = self.key.as_ref().map(|_| NxProofKind::Nsec);
        let origin = self.origin.clone();
        let mut a = InMemoryAuthority::empty(self.origin, ZoneType::Primary, false, nx);
        for r in self.records {
            a.upsert_mut(r, 1);
        }
        if let Some(key) = &self.key {
            let signer = SigSigner::dnssec(
                key.dnskey()?,
                Box::new(key.signing_key()?),
                origin,
                std::time::Duration::from_secs(30 * 86_400),
            );
            a.add_zone_signing_key_mut(signer)
                .map_err(|e| e.to_string())?;
            a.secure_zone_mut().map_err(|e| e.to_string())?;
        }
        Ok(a)
    }
}

/// The lab's DNS server: zones, plus names that SERVFAIL or time out.
pub struct DnsLab {
    zones: Vec<Zone>,
    servfail: HashSet<LowerName>,
    silent: HashSet<LowerName>,
    rtt: Duration,
}

impl Default for DnsLab {
    fn default() -> Self {
        Self::new()
    }
}

impl DnsLab {
    pub fn new() -> DnsLab {
        DnsLab {
            zones: vec![],
            servfail: HashSet::new(),
            silent: HashSet::new(),
            rtt: Duration::ZERO,
        }
    }
    /// Every answer is held for `rtt` (simulated latency, for benchmarks).
    pub fn rtt(mut self, rtt: Duration) -> DnsLab {
        self.rtt = rtt;
        self
    }
    pub fn zone(mut self, z: Zone) -> DnsLab {
        self.zones.push(z);
        self
    }
    /// Queries for `n` (any type) get SERVFAIL.
    pub fn servfail(mut self, n: &str) -> DnsLab {
        self.servfail.insert(LowerName::from(name(n)));
        self
    }
    /// Queries for `n` are never answered.
    pub fn silent(mut self, n: &str) -> DnsLab {
        self.silent.insert(LowerName::from(name(n)));
        self
    }

    /// Serves UDP and TCP on `ip` (port chosen by the kernel, the same for both).
    pub async fn spawn(self, ip: IpAddr) -> std::io::Result<ServerHandle> {
        // DS records live in the parent: a query for the DS of a child apex must be answered from
        // the parent zone, but one Catalog would answer it from the child (most specific zone).
        // So DS queries for a child apex go to a catalog holding only its closest parent.
        let mut catalog = Catalog::new();
        let mut auths: Vec<(Name, Arc<dyn AuthorityObject>)> = Vec::new();
        for z in self.zones {
            let origin = z.origin.clone();
            let auth: Arc<dyn AuthorityObject> =
                Arc::new(z.authority().map_err(std::io::Error::other)?);
            catalog.upsert(LowerName::from(origin.clone()), vec![auth.clone()]);
            auths.push((origin, auth));
        }
        let mut parents = std::collections::HashMap::new();
        for (child, _) in &auths {
            let parent = auths
                .iter()
                .filter(|(p, _)| p != child && p.zone_of(child))
                .max_by_key(|(p, _)| p.num_labels());
            if let Some((p, auth)) = parent {
                let mut c = Catalog::new();
                c.upsert(LowerName::from(p.clone()), vec![auth.clone()]);
                parents.insert(LowerName::from(child.clone()), c);
            }
        }
        let handler = LabHandler {
            catalog,
            parents,
            servfail: self.servfail,
            silent: self.silent,
            rtt: self.rtt,
        };
        let mut last = None;
        for _ in 0..20 {
            let udp = tokio::net::UdpSocket::bind((ip, 0)).await?;
            let addr = udp.local_addr()?;
            match tokio::net::TcpListener::bind(addr).await {
                Ok(tcp) => {
                    let mut server = ServerFuture::new(handler);
                    server.register_socket(udp);
                    server.register_listener(tcp, Duration::from_secs(5));
                    let task = tokio::spawn(async move {
                        let _ = server.block_until_done().await;
                    });
                    return Ok(ServerHandle::new(vec![addr], vec![task]));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("could not bind DNS")))
    }
}

struct LabHandler {
    catalog: Catalog,
    /// For each child zone apex, a catalog with its parent zone only (for DS queries).
    parents: std::collections::HashMap<LowerName, Catalog>,
    servfail: HashSet<LowerName>,
    silent: HashSet<LowerName>,
    rtt: Duration,
}

#[async_trait::async_trait]
impl RequestHandler for LabHandler {
    async fn handle_request<R: ResponseHandler>(
        &self,
        request: &Request,
        mut response: R,
    ) -> ResponseInfo {
        if !self.rtt.is_zero() {
            tokio::time::sleep(self.rtt).await;
        }
        if let Ok(info) = request.request_info() {
            let qname = info.query.name();
            if self.silent.contains(qname) {
                tokio::time::sleep(Duration::from_secs(120)).await;
            }
            if self.servfail.contains(qname) {
                let builder = MessageResponseBuilder::from_message_request(request);
                let msg = builder.error_msg(request.header(), ResponseCode::ServFail);
                return match response.send_response(msg).await {
                    Ok(i) => i,
                    Err(_) => {
                        let mut h = Header::new();
                        h.set_response_code(ResponseCode::ServFail);
                        ResponseInfo::from(h)
                    }
                };
            }
            if info.query.query_type() == RecordType::DS {
                if let Some(parent) = self.parents.get(qname) {
                    return parent.handle_request(request, response).await;
                }
            }
        }
        self.catalog.handle_request(request, response).await
    }
}
