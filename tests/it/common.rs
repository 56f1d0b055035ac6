//! Shared helpers: a lab PKI, scan configs pointed at lab servers, and look-ups in reports.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use tlsgrade::inspect::TrustStore;
use tlsgrade::lab::pki::{Leaf, LeafSpec, Pki};
use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, Versions};
use tlsgrade::lab::ServerHandle;
use tlsgrade::net::ConnectTo;
use tlsgrade::report::{Check, EndpointReport, Grade, GradeValue, Status, TargetReport};
use tlsgrade::scan::{scan_all, ScanConfig};
use tlsgrade::target::parse_target;

pub fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| Pki::new("tlsgrade test").expect("test PKI"))
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub fn leaf(names: &[&str]) -> Leaf {
    pki().leaf(&LeafSpec::valid(names)).unwrap()
}

/// A config trusting the lab root, with short timeouts, private addresses allowed.
pub fn config(resolver: Option<std::net::SocketAddr>, connect_to: &[&str]) -> ScanConfig {
    let mut c = ScanConfig::new(TrustStore::new(&[pki().root_der()]).unwrap());
    c.resolver = resolver;
    c.connect_to = connect_to
        .iter()
        .map(|s| ConnectTo::parse(s).unwrap())
        .collect();
    c.timeout = Duration::from_secs(3);
    c.greeting_timeout = Duration::from_secs(3);
    c.allow_private = true;
    c.ehlo_name = "scanner.tlsgrade.test".into();
    c
}

pub async fn scan(cfg: &ScanConfig, target: &str) -> TargetReport {
    let t = parse_target(target).unwrap();
    scan_all(vec![t], cfg).await.unwrap().remove(0)
}

/// A conforming SMTP STARTTLS server for `name` on `ips`.
pub async fn good_smtp(ips: &[&str], name: &str) -> ServerHandle {
    let ips: Vec<IpAddr> = ips.iter().map(|s| ip(s)).collect();
    let cfg = server_config(&leaf(&[name]), Versions::Tls12And13).unwrap();
    spawn_smtp(&ips, SmtpScript::new(name, Some(cfg)))
        .await
        .unwrap()
}

pub fn check<'a>(checks: &'a [Check], id: &str) -> Option<&'a Check> {
    checks.iter().find(|c| c.id == id)
}

/// Asserts that check `id` is present with `status`, and returns it.
#[track_caller]
pub fn has<'a>(checks: &'a [Check], id: &str, status: Status) -> &'a Check {
    let c = check(checks, id).unwrap_or_else(|| panic!("no check {id} in {checks:#?}"));
    assert_eq!(c.status, status, "check {id}: {c:?}");
    c
}

pub fn letter(g: Grade) -> Option<GradeValue> {
    Some(GradeValue::Letter(g))
}

pub fn only_endpoint(r: &TargetReport) -> &EndpointReport {
    assert_eq!(r.endpoints.len(), 1, "{r:#?}");
    &r.endpoints[0]
}

/// A loopback port nobody uses, for a server a test starts itself (openssl, Postfix, nsd) or for
/// a target that must refuse connections.
///
/// The port is taken *below* the kernel's ephemeral range, which `bind(port 0)` (every lab
/// server) and the source ports of `connect()` draw from. A port picked by binding port 0 and
/// closing it again is racy twice over: the next `bind(0)` (another test's lab server) may get
/// it, and a `connect()` to it while nobody listens may pick it as its own source port and
/// connect to itself (TCP simultaneous open), which is neither refused nor a server. Ports are
/// handed out once per process (so a list of them has no duplicates), each checked free for TCP
/// and UDP.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768);
    let (lo, hi) = (10_000u32, ephemeral_low.min(32768));
    assert!(
        hi > lo + 1000,
        "ephemeral port range starts at {ephemeral_low}: too low"
    );
    let span = hi - lo;
    let start = std::process::id().wrapping_mul(7919) % span;
    for _ in 0..span {
        let port = (lo + (start + NEXT.fetch_add(1, Ordering::Relaxed)) % span) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
            && std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok()
        {
            return port;
        }
    }
    panic!("no free loopback port in {lo}..{hi}");
}

/// Runs the tlsgrade binary with `args`, no standard input and no colours, and waits for it.
pub async fn run_tlsgrade(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_tlsgrade"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap()
}
