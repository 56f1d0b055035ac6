//! Real third-party peers started by the harness: openssl s_server and a private Postfix
//! instance with STARTTLS. They must be installed (./scripts/test does it); a missing peer fails
//! the test with a message saying so, it is never skipped silently.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tlsgrade::lab::dns::{DnsLab, Zone};
use tlsgrade::report::{Grade, Status};

use crate::common::*;

pub(crate) fn need(bin: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"] {
        let p = Path::new(dir).join(bin);
        if p.exists() {
            return p;
        }
    }
    panic!("{bin} is not installed: run ./scripts/test, which installs the real test peers");
}

pub(crate) use crate::common::free_port;

pub(crate) fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("{what} exited early: {st}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within 20 s");
}

/// A child process killed on drop.
pub(crate) struct Peer(pub Child, pub Option<Box<dyn FnMut() + Send>>);

impl Drop for Peer {
    fn drop(&mut self) {
        if let Some(stop) = self.1.as_mut() {
            stop();
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn write(dir: &Path, name: &str, data: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(data.as_bytes())
        .unwrap();
    p
}

pub(crate) fn s_server(dir: &Path, cert: &Path, key: &Path, extra: &[&str]) -> (Peer, u16) {
    s_server_in(dir, cert, key, extra, true)
}

/// s_server answering HTTP (`-www`), or else in its echo mode (which `-early_data` needs) with
/// its standard input kept open, so that it does not stop serving.
pub(crate) fn s_server_in(
    dir: &Path,
    cert: &Path,
    key: &Path,
    extra: &[&str],
    www: bool,
) -> (Peer, u16) {
    let port = free_port();
    let mut cmd = Command::new(need("openssl"));
    cmd.args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
        .args(www.then_some("-www"))
        .arg("-quiet")
        .arg("-cert")
        .arg(cert)
        .arg("-key")
        .arg(key)
        .args(extra)
        .current_dir(dir)
        .stdin(if www { Stdio::null() } else { Stdio::piped() })
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start openssl s_server");
    wait_for_port(port, &mut child, "openssl s_server");
    (Peer(child, None), port)
}

#[tokio::test]
async fn openssl_tls12_only_server_negotiates_tls12() {
    let dir = tempfile::tempdir().unwrap();
    let l = leaf(&["tls12.example.test"]);
    let cert = write(dir.path(), "chain.pem", &l.chain_pem);
    let key = write(dir.path(), "key.pem", &l.key_pem);
    let int = write(dir.path(), "int.pem", &pki().intermediate_pem());
    let (_peer, port) = s_server(
        dir.path(),
        &cert,
        &key,
        &["-tls1_2", "-cert_chain", int.to_str().unwrap()],
    );
    let rt = format!("tls12.example.test:443:127.0.0.1:{port}");
    let r = scan(&config(None, &[&rt]), "https://tls12.example.test").await;
    let e = only_endpoint(&r);
    let n = e.negotiated.as_ref().unwrap();
    assert_eq!(n.version.name(), "TLSv1.2");
    assert!(
        n.cipher.name().starts_with("TLS_ECDHE_ECDSA_WITH_"),
        "{}",
        n.cipher.name()
    );
    assert!(e.certificate.as_ref().unwrap().trusted);
    has(&e.checks, "tls.version", Status::Warn);
    assert_eq!(e.grade, letter(Grade::A));
}

#[tokio::test]
async fn rsa_1024_server_is_captured_and_graded_not_aborted() {
    let dir = tempfile::tempdir().unwrap();
    let st = Command::new(need("openssl"))
        .args([
            "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
        ])
        .args([
            "-subj",
            "/CN=weak.example.test",
            "-addext",
            "subjectAltName=DNS:weak.example.test",
            "-days",
            "30",
        ])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let (_peer, port) = s_server(
        dir.path(),
        &dir.path().join("c.pem"),
        &dir.path().join("k.pem"),
        &["-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let rt = format!("weak.example.test:443:127.0.0.1:{port}");
    let r = scan(&config(None, &[&rt]), "https://weak.example.test").await;
    let e = only_endpoint(&r);
    let cert = e.certificate.as_ref().expect("weak chain captured");
    assert_eq!(cert.chain[0].key_type.name(), "RSA");
    assert_eq!(cert.chain[0].key_bits, Some(1024));
    let c = has(&e.checks, "cert.weak-key", Status::Warn);
    assert_eq!(c.cap, Some(Grade::B));
    has(&e.checks, "cert.self-signed", Status::Warn);
    assert!(e.negotiated.is_some(), "{e:#?}");
    assert_eq!(e.grade, letter(Grade::B));
}

/// A private Postfix instance (foreground, no systemd, no change to /etc/postfix).
pub(crate) fn postfix(dir: &Path, port: u16, chain: &Path, key: &Path, protocols: &str) -> Peer {
    postfix_with(
        dir,
        port,
        chain,
        key,
        protocols,
        "smtpd_tls_ciphers = medium\ntls_medium_cipherlist = DEFAULT:@SECLEVEL=0\n",
    )
}

/// [`postfix`] with more lines of main.cf given: the cipher settings (empty = Postfix's own
/// defaults), `smtpd_tls_wrappermode = yes` for SMTPS.
pub(crate) fn postfix_with(
    dir: &Path,
    port: u16,
    chain: &Path,
    key: &Path,
    protocols: &str,
    extra_main_cf: &str,
) -> Peer {
    postfix_chains(dir, port, &[key, chain], protocols, extra_main_cf)
}

/// [`postfix_with`] with `smtpd_tls_chain_files` given whole: each key followed by its chain,
/// for a server holding several certificates (RSA and ECDSA).
pub(crate) fn postfix_chains(
    dir: &Path,
    port: u16,
    chain_files: &[&Path],
    protocols: &str,
    extra_main_cf: &str,
) -> Peer {
    let chain_files: Vec<String> = chain_files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let pf = need("postfix");
    let etc = dir.join("etc");
    let spool = dir.join("spool");
    let data = dir.join("data");
    for d in [&etc, &spool, &data] {
        std::fs::create_dir_all(d).unwrap();
    }
    let main_cf = format!(
        "compatibility_level = 3.6
queue_directory = {spool}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.test
mydomain = example.test
myorigin = example.test
mydestination =
relay_domains =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = /dev/stdout
smtpd_banner = $myhostname ESMTP Postfix
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_tls_security_level = may
smtpd_tls_chain_files = {chain_files}
smtpd_tls_loglevel = 0
smtpd_tls_protocols = {protocols}
smtpd_tls_mandatory_protocols = {protocols}
{extra_main_cf}default_transport = discard:test instance
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
",
        spool = spool.display(),
        data = data.display(),
        chain_files = chain_files.join(", "),
        protocols = protocols,
        extra_main_cf = extra_main_cf
    );
    std::fs::write(etc.join("main.cf"), main_cf).unwrap();
    // Debian's master.cf with the public smtp listener moved to 127.0.0.1:PORT and no chroot.
    let stock = std::fs::read_to_string("/etc/postfix/master.cf")
        .expect("/etc/postfix/master.cf (install postfix)");
    let mut master = String::new();
    for line in stock.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("smtp ") && fields.get(1) == Some(&"inet") {
            master.push_str(&format!("127.0.0.1:{port} inet n - n - - smtpd\n"));
        } else if !line.starts_with('#')
            && !line.starts_with(' ')
            && fields.len() >= 8
            && ["inet", "unix", "fifo", "pass", "unix-dgram"].contains(&fields[1])
        {
            let mut f: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
            f[4] = "n".into();
            master.push_str(&f.join(" "));
            master.push('\n');
        } else {
            master.push_str(line);
            master.push('\n');
        }
    }
    std::fs::write(etc.join("master.cf"), master).unwrap();
    let _ = Command::new("chown")
        .args(["-R", "postfix"])
        .arg(&spool)
        .arg(&data)
        .status();
    let _ = Command::new(&pf)
        .arg("-c")
        .arg(&etc)
        .arg("set-permissions")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let mut child = Command::new(&pf)
        .arg("-c")
        .arg(&etc)
        .arg("start-fg")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start postfix");
    wait_for_port(port, &mut child, "postfix");
    let etc2 = etc.clone();
    Peer(
        child,
        Some(Box::new(move || {
            let _ = Command::new(&pf)
                .arg("-c")
                .arg(&etc2)
                .arg("stop")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        })),
    )
}

/// The "done when": a domain scan against the local zone and Postfix prints the MX table
/// and writes the JSON report, through the binary as a user runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_scan_against_postfix_prints_the_mx_table_and_writes_json() {
    let dir = tempfile::tempdir().unwrap();
    let l = leaf(&["mx.example.test"]);
    let chain = write(dir.path(), "chain.pem", &l.chain_pem);
    let key = write(dir.path(), "key.pem", &l.key_pem);
    let ca = write(dir.path(), "ca.pem", &pki().root_pem());
    // Postfix reads its key as the postfix user after dropping privileges in some daemons.
    let _ = Command::new("chmod")
        .arg("-R")
        .arg("a+rX")
        .arg(dir.path())
        .status();
    let port = free_port();
    let _postfix = postfix(&dir.path().join("pf"), port, &chain, &key, ">=TLSv1.2");
    let dns = DnsLab::new()
        .zone(
            Zone::new("example.test")
                .mx("example.test", 10, "mx.example.test")
                .addr("mx.example.test", ip("127.0.0.1")),
        )
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let json = dir.path().join("report.json");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_tlsgrade"))
        .arg("--resolver")
        .arg(dns.addr().to_string())
        .args([
            "--connect-to",
            &format!("::25::{port}"),
            "--allow-private",
            "--timeout",
            "5",
            "--no-color",
        ])
        .arg("--ca-file")
        .arg(&ca)
        .arg("--json")
        .arg(&json)
        .arg("example.test")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("MX host")
            && stdout.contains("mx.example.test")
            && stdout.contains("127.0.0.1"),
        "{stdout}"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 1);
    let t = &v["targets"][0];
    assert_eq!(t["kind"], "mail-domain");
    assert_eq!(t["mx"][0]["host"], "mx.example.test");
    assert_eq!(t["mx"][0]["preference"], 10);
    let e = &t["endpoints"][0];
    assert_eq!(e["transport"], "smtp-starttls");
    assert_eq!(e["port"], 25);
    assert!(
        e["starttls"]["greeting"][0]
            .as_str()
            .unwrap()
            .contains("ESMTP Postfix"),
        "{e}"
    );
    assert_eq!(e["negotiated"]["version"], "TLSv1.3");
    assert_eq!(e["protocols"]["TLSv1.1"], false);
    assert_eq!(e["protocols"]["TLSv1.2"], true);
    assert_eq!(e["protocols"]["TLSv1.3"], true);
    assert_eq!(e["certificate"]["trusted"], true);
    assert_eq!(e["certificate"]["name_matches"], true);
    assert_eq!(e["grade"], "A");
    assert_eq!(t["grade"], "A");
}

/// sslyze 6.3.1 (TLSGRADE_PEER_PYTHON) with `args` on each of `ports` on 127.0.0.1, in one run:
/// every port's `scan_result`, in the order given.
pub(crate) fn sslyze_scan(dir: &Path, args: &[&str], ports: &[u16]) -> Vec<serde_json::Value> {
    let out = dir.join(format!(
        "sslyze-{}.json",
        ports.first().copied().unwrap_or(0)
    ));
    let st = Command::new(crate::versions::python())
        .args(["-m", "sslyze", "--quiet", "--mozilla_config", "disable"])
        .args(args)
        .arg("--json_out")
        .arg(&out)
        .args(ports.iter().map(|p| format!("127.0.0.1:{p}")))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "sslyze failed");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    ports
        .iter()
        .map(|port| {
            v["server_scan_results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["server_location"]["port"] == *port)
                .unwrap_or_else(|| panic!("sslyze has no result for port {port}: {v}"))
                ["scan_result"]
                .clone()
        })
        .collect()
}
