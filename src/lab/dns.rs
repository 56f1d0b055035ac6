//! An in-process authoritative DNS server (hickory-server) for the lab: zones built in code, and
//! names that answer SERVFAIL or never answer, so the scanner's DNS failure handling can be tested
//! without the internet.

use std::collections::HashSet;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Header, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, SOA, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record};
use hickory_server::authority::{Catalog, MessageResponseBuilder, ZoneType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryAuthority;
use hickory_server::ServerFuture;

use super::ServerHandle;

/// A zone under construction: records are added with small helpers, names relative to nothing
/// (always fully written, e.g. "mx.example.test").
pub struct Zone {
    origin: Name,
    records: Vec<Record>,
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

    fn authority(self) -> InMemoryAuthority {
        let mut a = InMemoryAuthority::empty(self.origin, ZoneType::Primary, false);
        for r in self.records {
            a.upsert_mut(r, 1);
        }
        a
    }
}

/// The lab's DNS server: zones, plus names that SERVFAIL or time out.
pub struct DnsLab {
    zones: Vec<Zone>,
    servfail: HashSet<LowerName>,
    silent: HashSet<LowerName>,
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
        }
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
        let mut catalog = Catalog::new();
        for z in self.zones {
            let origin = LowerName::from(z.origin.clone());
            catalog.upsert(origin, vec![Arc::new(z.authority())]);
        }
        let handler = LabHandler {
            catalog,
            servfail: self.servfail,
            silent: self.silent,
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
    servfail: HashSet<LowerName>,
    silent: HashSet<LowerName>,
}

#[async_trait::async_trait]
impl RequestHandler for LabHandler {
    async fn handle_request<R: ResponseHandler>(
        &self,
        request: &Request,
        mut response: R,
    ) -> ResponseInfo {
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
        }
        self.catalog.handle_request(request, response).await
    }
}
