//! The benchmark fleet: many lab SMTP STARTTLS servers on many loopback addresses
//! (127.0.1.1, 127.0.1.2, …), with simulated latency, all sharing one certificate; and one
//! complete mail domain with every server slowed down alike, for the one-domain round-trip count.
//! Only `examples/fleet.rs` and `examples/domain_rtt.rs` (and so `scripts/bench`) start it, so
//! only the `lab` feature builds it.

use std::net::IpAddr;
use std::time::Duration;

use super::dns::{DnsLab, Zone, ZoneKey};
use super::https::{spawn_https_rtt, HttpReply};
use super::pki::{LeafSpec, Pki};
use super::smtp::{spawn_smtp_rtt, SmtpScript};
use super::tls::{server_config, Versions};
use super::ServerHandle;

/// The address of fleet endpoint `i`: 250 per /24, starting at 127.0.1.1.
pub fn fleet_ip(i: usize) -> IpAddr {
    IpAddr::from([127, 0, 1 + (i / 250) as u8, 1 + (i % 250) as u8])
}

/// Most endpoints a fleet can have (addresses 127.0.1.1 … 127.0.250.250).
pub const MAX_FLEET: usize = 250 * 250;

pub struct Fleet {
    pub servers: Vec<ServerHandle>,
    /// `smtp://ip:port` of every endpoint.
    pub targets: Vec<String>,
    pub pki: Pki,
}

/// Starts `n` endpoints answering after `rtt` per exchange.
pub async fn spawn_fleet(n: usize, rtt: Duration) -> Result<Fleet, String> {
    if n == 0 || n > MAX_FLEET {
        return Err(format!("fleet size must be 1..={MAX_FLEET}"));
    }
    let pki = Pki::new("tlsgrade fleet").map_err(|e| e.to_string())?;
    let leaf = pki
        .leaf(&LeafSpec::valid(&["mx.fleet.test"]))
        .map_err(|e| e.to_string())?;
    let cfg = server_config(&leaf, Versions::Tls12And13).map_err(|e| e.to_string())?;
    let mut servers = Vec::with_capacity(n);
    let mut targets = Vec::with_capacity(n);
    for i in 0..n {
        let script = SmtpScript::new("mx.fleet.test", Some(cfg.clone()));
        let srv = spawn_smtp_rtt(&[fleet_ip(i)], script, rtt)
            .await
            .map_err(|e| format!("fleet endpoint {i} ({}): {e}", fleet_ip(i)))?;
        targets.push(format!("smtp://{}", srv.addr()));
        servers.push(srv);
    }
    Ok(Fleet {
        servers,
        targets,
        pki,
    })
}

/// The benchmark mail domain: what an excellent real domain publishes.
pub const BENCH_DOMAIN: &str = "bench.test";

/// A running [`spawn_domain`] lab, and what a scan needs to be pointed at it.
pub struct DomainLab {
    pub servers: Vec<ServerHandle>,
    pub pki: Pki,
    pub resolver: std::net::SocketAddr,
    pub connect_to: Vec<crate::net::ConnectTo>,
    pub trust_anchors: hickory_proto::dnssec::TrustAnchors,
}

/// [`BENCH_DOMAIN`]: 2 MX hosts with 2 addresses each (127.0.9.1–4), TLS 1.2 and 1.3, DANE
/// `3 1 1` in a DNSSEC-signed zone, MTA-STS `enforce` and TLS-RPT. The DNS server, the MX
/// servers and the policy server all answer each exchange after `rtt`, and the MX and policy
/// servers add one `rtt` at accept for the TCP handshake (loopback connects at once).
pub async fn spawn_domain(rtt: Duration) -> Result<DomainLab, String> {
    let err = |e: &dyn std::fmt::Display| format!("bench domain: {e}");
    let d = BENCH_DOMAIN;
    let pki = Pki::new("tlsgrade bench").map_err(|e| err(&e))?;
    let mut servers = Vec::new();
    let mut connect_to = Vec::new();
    let policy_host = format!("mta-sts.{d}");
    let mut zone = Zone::new(d)
        .txt(&format!("_mta-sts.{d}"), &["v=STSv1; id=20260101T000000;"])
        .txt(
            &format!("_smtp._tls.{d}"),
            &[&format!("v=TLSRPTv1; rua=mailto:tlsrpt@{d}")],
        )
        .addr(&policy_host, IpAddr::from([127, 0, 9, 10]));
    let leaf = pki
        .leaf(&LeafSpec::valid(&[&policy_host]))
        .map_err(|e| err(&e))?;
    let cfg = server_config(&leaf, Versions::Tls12And13).map_err(|e| err(&e))?;
    let policy = format!("version: STSv1\nmode: enforce\nmx: *.{d}\nmax_age: 604800\n");
    let https = spawn_https_rtt(
        IpAddr::from([127, 0, 9, 10]),
        cfg,
        vec![HttpReply::policy(&policy)],
        rtt,
    )
    .await
    .map_err(|e| err(&e))?;
    connect_to.push(crate::net::ConnectTo::parse(&format!(
        "{policy_host}:443::{}",
        https.port()
    ))?);
    servers.push(https.handle);
    for (i, mx) in ["mx1", "mx2"].iter().enumerate() {
        let name = format!("{mx}.{d}");
        let ips = [
            IpAddr::from([127, 0, 9, 1 + 2 * i as u8]),
            IpAddr::from([127, 0, 9, 2 + 2 * i as u8]),
        ];
        let leaf = pki.leaf(&LeafSpec::valid(&[&name])).map_err(|e| err(&e))?;
        let cfg = server_config(&leaf, Versions::Tls12And13).map_err(|e| err(&e))?;
        let script = SmtpScript::new(&name, Some(cfg));
        let srv = spawn_smtp_rtt(&ips, script, rtt)
            .await
            .map_err(|e| err(&e))?;
        connect_to.push(crate::net::ConnectTo::parse(&format!(
            "{name}:25::{}",
            srv.port()
        ))?);
        servers.push(srv);
        zone = zone
            .mx(d, 10 * (i as u16 + 1), &name)
            .addr(&name, ips[0])
            .addr(&name, ips[1])
            .tlsa(
                &format!("_25._tcp.{name}"),
                3,
                1,
                1,
                &super::demo::spki_sha256(&leaf.chain[0]),
            );
    }
    let key = ZoneKey::generate().map_err(|e| err(&e))?;
    let trust_anchors = key
        .anchor(d)
        .and_then(|a| {
            a.parse::<hickory_proto::dnssec::TrustAnchors>()
                .map_err(|e| e.to_string())
        })
        .map_err(|e| err(&e))?;
    let dns = DnsLab::new()
        .zone(zone.signed(&key))
        .rtt(rtt)
        .spawn(IpAddr::from([127, 0, 9, 53]))
        .await
        .map_err(|e| err(&e))?;
    let resolver = dns.addr();
    servers.push(dns);
    Ok(DomainLab {
        servers,
        pki,
        resolver,
        connect_to,
        trust_anchors,
    })
}
