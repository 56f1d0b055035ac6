//! The lab: in-process servers on loopback and a test PKI made at start-up.
//!
//! One set of servers serves `tlsgrade --demo`, the integration tests and the benchmark, so no
//! user keeps a second copy of them. Everything binds to 127.0.0.0/8 or ::1 only, and
//! certificates are made relative to "now", so expiry cases never rot.
//!
//! The default build holds what `--demo` starts: [`dns`], [`smtp`], [`https`] (the MTA-STS
//! policy host), [`legacy`] (its TLS 1.0 MX), [`tls`] (server configurations), [`pki`] and
//! [`demo`] itself. The rest is only for tests, examples and the benchmark, and compiles only
//! with the `lab` feature, so the released binary does not carry servers built to misbehave or
//! to be slow: `hostile` (byte-scripted broken peers), `latency` (simulated round-trip time),
//! `fleet` (the benchmark's thousand endpoints), the `_rtt` spawners that slow a server down and
//! the direct-TLS server `tls::spawn_tls`. The package's dev-dependency on itself turns `lab`
//! on for every test, example and benchmark build, so plain `cargo test` has all of it.

pub mod demo;
pub mod dns;
#[cfg(feature = "lab")]
pub mod fleet;
#[cfg(feature = "lab")]
pub mod hostile;
pub mod https;
#[cfg(feature = "lab")]
pub mod latency;
pub mod legacy;
pub mod pki;
pub mod smtp;
pub mod tls;

/// A spawned server task that stops when this handle is dropped.
pub struct ServerHandle {
    pub addrs: Vec<std::net::SocketAddr>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl ServerHandle {
    pub fn new(addrs: Vec<std::net::SocketAddr>, tasks: Vec<tokio::task::JoinHandle<()>>) -> Self {
        ServerHandle { addrs, tasks }
    }
    /// The first address (the one most tests need).
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addrs[0]
    }
    pub fn port(&self) -> u16 {
        self.addrs[0].port()
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Serves every listener: each accepted connection (Nagle off, as real servers do: otherwise small
/// replies wait for delayed ACKs) runs `session` in a task of its own, ended after `limit`
/// whatever the client does. Every lab server accepts through here.
pub fn serve<F, Fut>(
    listeners: Vec<tokio::net::TcpListener>,
    limit: std::time::Duration,
    session: F,
) -> ServerHandle
where
    F: Fn(tokio::net::TcpStream) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let addrs = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    let tasks = listeners
        .into_iter()
        .map(|l| {
            let session = session.clone();
            tokio::spawn(async move {
                while let Ok((sock, _)) = l.accept().await {
                    let _ = sock.set_nodelay(true);
                    let run = session(sock);
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(limit, run).await;
                    });
                }
            })
        })
        .collect();
    ServerHandle::new(addrs, tasks)
}

/// Binds TCP listeners on every IP of `ips` with one shared port (chosen by the kernel for the
/// first; retried a few times if a later address has it taken).
pub async fn bind_all(ips: &[std::net::IpAddr]) -> std::io::Result<Vec<tokio::net::TcpListener>> {
    let mut last_err = None;
    for _ in 0..20 {
        let first = tokio::net::TcpListener::bind((ips[0], 0)).await?;
        let port = first.local_addr()?.port();
        let mut all = vec![first];
        let mut ok = true;
        for ip in &ips[1..] {
            match tokio::net::TcpListener::bind((*ip, port)).await {
                Ok(l) => all.push(l),
                Err(e) => {
                    last_err = Some(e);
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Ok(all);
        }
    }
    Err(last_err.unwrap_or_else(|| std::io::Error::other("could not bind")))
}
