//! The benchmark fleet: many lab SMTP STARTTLS servers on many loopback addresses
//! (127.0.1.1, 127.0.1.2, …), with simulated latency, all sharing one certificate.

use std::net::IpAddr;
use std::time::Duration;

use super::pki::{LeafSpec, Pki};
use super::smtp::{spawn_smtp, SmtpScript};
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
        let mut script = SmtpScript::new("mx.fleet.test", Some(cfg.clone()));
        script.rtt = rtt;
        let srv = spawn_smtp(&[fleet_ip(i)], script)
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
