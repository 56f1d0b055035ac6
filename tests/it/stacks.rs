//! Real servers of many TLS stacks, each in the configuration of a class of server whose
//! verdict is easy to get wrong: GnuTLS's gnutls-serv, NSS's selfserv, a Go crypto/tls and a
//! Java SunJSSE server (tests/peers/), botan's tls_server, openssl s_server, nginx, sshd,
//! python's http.server, exim (GnuTLS) and OpenSMTPD (OpenSSL) for SMTP STARTTLS.
//!
//! Each test asserts the verdict a mail admin needs, from the configured truth. What sslyze
//! 6.3.1 and testssl.sh 3.0.8 report for the same server is noted beside it (`sslyze:`,
//! `testssl:`), and asserted in `sslyze_on_the_class_servers`.
//!
//! The classes:
//! 1. valid servers a plain rustls handshake (no DHE; x25519, P-256, P-384) cannot complete:
//!    TLS 1.3 with P-521 only, TLS 1.3 with FFDHE2048 only, TLS 1.2 with DHE only;
//! 2. ServerHello and Certificate, then a fatal internal_error where ServerKeyExchange (TLS 1.2)
//!    or CertificateVerify (TLS 1.3) belongs: SunJSSE with an Ed448 key, which rustls does not
//!    offer to verify (Java picks the key anyway and then finds no signature scheme);
//! 3. a port that does not speak TLS: nginx without ssl, python's http.server, sshd's banner;
//! 4. a server limited to TLS <= 1.1 that answers a TLS 1.2/1.3 hello with handshake_failure,
//!    not protocol_version: GnuTLS (it picks TLS 1.1, then finds none of the client's AEAD-only
//!    suites usable there); every other stack sends protocol_version;
//! 5. TLS_FALLBACK_SCSV answered by a close without an alert: no stack here does that (all send
//!    inappropriate_fallback, and SunJSSE ignores the SCSV but sets the RFC 8446 sentinel);
//! 6. SMTP: OpenSMTPD refuses the pipelined `STARTTLS\r\nRSET\r\n` with `500 5.5.1 Invalid
//!    command: Pipelining not supported`; exim with TLS 1.0-1.1 only on STARTTLS;
//! 7. the deadlines messages name.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tlsgrade::report::{EndpointReport, ErrorKind, Grade, Status, VersionMap};
use tokio::sync::{Mutex, MutexGuard};

use crate::common::*;
use crate::peers::{free_port, need, s_server, wait_for_port, write, Peer};
use crate::versions::{python, scan_port};

type Matrix = VersionMap<Option<bool>>;

/// The matrix with only the versions named accepted (SSL 3.0 .. TLS 1.3 as 30, 10, 11, 12, 13).
fn only(accepted: &[u8]) -> Matrix {
    let a = |v| Some(accepted.contains(&v));
    VersionMap {
        sslv3: a(30),
        tls10: a(10),
        tls11: a(11),
        tls12: a(12),
        tls13: a(13),
    }
}

const NAME: &str = "peer.example.test";
const TARGET: &str = "tls://peer.example.test:443";

/// What ./scripts/test builds and unpacks under target/peers/.
fn built(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/peers")
        .join(rel);
    assert!(
        p.exists(),
        "{} missing: run ./scripts/test, which builds and unpacks the test peers",
        p.display()
    );
    p
}

#[track_caller]
fn run(cmd: &mut Command) {
    let out = cmd.stdin(Stdio::null()).output().expect("run a helper");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server's certificate chain (leaf, then the lab intermediate), key and the intermediate
/// alone (openssl s_server sends only `-cert`'s first certificate plus `-cert_chain`), as files.
pub(crate) struct Cert {
    pub chain: PathBuf,
    pub key: PathBuf,
    pub int: PathBuf,
}

/// The lab PKI's leaf (ECDSA P-256) for `name` with the intermediate, in `dir`.
pub(crate) fn lab_cert(dir: &Path, name: &str) -> Cert {
    let l = leaf(&[name]);
    Cert {
        chain: write(dir, "chain.pem", &l.chain_pem),
        key: write(dir, "key.pem", &l.key_pem),
        int: write(dir, "int.pem", &pki().intermediate_pem()),
    }
}

/// A leaf for `name` whose key openssl makes (`-newkey` arguments: `rsa:2048`, `ed448`),
/// signed by the lab intermediate, so that it is trusted like [`lab_cert`]'s. Files
/// `<stem>-chain.pem` and `<stem>.key` (PKCS#8) in `dir`.
pub(crate) fn lab_cert_with(dir: &Path, stem: &str, newkey: &[&str], name: &str) -> Cert {
    let int = write(dir, "int.pem", &pki().intermediate_pem());
    let int_key = write(dir, "int.key", &pki().intermediate.key.serialize_pem());
    let ext = write(
        dir,
        &format!("{stem}.ext"),
        &format!(
            "subjectAltName=DNS:{name}\nbasicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        ),
    );
    let key = dir.join(format!("{stem}.key"));
    let csr = dir.join(format!("{stem}.csr"));
    let crt = dir.join(format!("{stem}.crt"));
    run(Command::new(need("openssl"))
        .args(["req", "-new", "-nodes", "-newkey"])
        .args(newkey)
        .args(["-subj", &format!("/CN={name}")])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&csr));
    let serial = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    run(Command::new(need("openssl"))
        .args(["x509", "-req", "-days", "30", "-sha256", "-in"])
        .arg(&csr)
        .arg("-CA")
        .arg(&int)
        .arg("-CAkey")
        .arg(&int_key)
        .args(["-set_serial", &format!("0x{serial:x}")])
        .arg("-extfile")
        .arg(&ext)
        .arg("-out")
        .arg(&crt));
    let chain = dir.join(format!("{stem}-chain.pem"));
    let pem = std::fs::read_to_string(&crt).unwrap() + &pki().intermediate_pem();
    std::fs::write(&chain, pem).unwrap();
    Cert { chain, key, int }
}

/// openssl s_server (peers.rs) with `c` and its intermediate.
pub(crate) fn openssl_server(dir: &Path, c: &Cert, args: &[&str]) -> (Peer, u16) {
    let mut all = vec!["-cert_chain", c.int.to_str().unwrap()];
    all.extend_from_slice(args);
    s_server(dir, &c.chain, &c.key, &all)
}

fn spawn(cmd: &mut Command, port: u16, what: &str) -> Peer {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    wait_for_port(port, &mut child, what);
    Peer(child, None)
}

/// GnuTLS's gnutls-serv with a priority string (`NORMAL:-VERS-ALL:+VERS-TLS1.3:...`), HTTP
/// mode, no client certificate requested.
pub(crate) fn gnutls_serv(c: &Cert, priority: &str) -> (Peer, u16) {
    let port = free_port();
    let mut cmd = Command::new(need("gnutls-serv"));
    cmd.args(["-q", "--http", "-a", "-p", &port.to_string()])
        .arg("--x509certfile")
        .arg(&c.chain)
        .arg("--x509keyfile")
        .arg(&c.key)
        .arg(format!("--priority={priority}"));
    (spawn(&mut cmd, port, "gnutls-serv"), port)
}

/// tests/peers/go_tls_server.go (`-min`, `-max`, `-groups`, `-suites`).
pub(crate) fn go_tls(c: &Cert, args: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let mut cmd = Command::new(built("go-tls-server"));
    cmd.args(["-port", &port.to_string()])
        .arg("-cert")
        .arg(&c.chain)
        .arg("-key")
        .arg(&c.key)
        .args(args);
    (spawn(&mut cmd, port, "go-tls-server"), port)
}

/// tests/peers/JavaTlsServer.java (`--protocols`, `--suites`, `--groups`, `--sigschemes`,
/// `--legacy`).
pub(crate) fn java_tls(c: &Cert, args: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let mut cmd = Command::new(need("java"));
    cmd.arg("-cp")
        .arg(built("java"))
        .arg("JavaTlsServer")
        .arg(port.to_string())
        .arg(&c.chain)
        .arg(&c.key)
        .args(args);
    (spawn(&mut cmd, port, "JavaTlsServer"), port)
}

/// NSS's selfserv, with the chain and key imported into a fresh NSS database in `dir`
/// (`-V min:max`, `-I groups`, `-c ciphers`, `-H 1` for DHE, `-J signature schemes`).
pub(crate) fn nss_selfserv(dir: &Path, c: &Cert, args: &[&str]) -> (Peer, u16) {
    let db = dir.join("nssdb");
    std::fs::create_dir_all(&db).unwrap();
    let sql = format!("sql:{}", db.display());
    run(Command::new(need("certutil")).args(["-N", "-d", &sql, "--empty-password"]));
    let p12 = dir.join("server.p12");
    run(Command::new(need("openssl"))
        .args(["pkcs12", "-export", "-name", "server", "-passout", "pass:"])
        .arg("-in")
        .arg(&c.chain)
        .arg("-inkey")
        .arg(&c.key)
        .arg("-out")
        .arg(&p12));
    run(Command::new(need("pk12util"))
        .arg("-i")
        .arg(&p12)
        .args(["-d", &sql, "-W", ""]));
    let port = free_port();
    let mut cmd = Command::new(need("selfserv"));
    cmd.args(["-d", &sql, "-n", "server", "-p", &port.to_string()])
        .args(args);
    (spawn(&mut cmd, port, "selfserv"), port)
}

/// botan's `tls_server` (Botan 2: TLS up to 1.2) with a policy file of `policy` lines.
pub(crate) fn botan_tls(dir: &Path, c: &Cert, policy: &str) -> (Peer, u16) {
    let pol = write(dir, "botan-policy.txt", policy);
    let port = free_port();
    let mut cmd = Command::new(need("botan"));
    cmd.arg("tls_server")
        .arg(&c.chain)
        .arg(&c.key)
        .arg(format!("--port={port}"))
        .arg(format!("--policy={}", pol.display()));
    (spawn(&mut cmd, port, "botan tls_server"), port)
}

const BOTAN_TLS12: &str = "allow_tls10 = false\nallow_tls11 = false\nallow_tls12 = true\n\
                           allow_dtls10 = false\nallow_dtls12 = false\n";

/// nginx serving plain HTTP (no `ssl` on the listener), one process in the foreground.
pub(crate) fn nginx_plain(dir: &Path) -> (Peer, u16) {
    let port = free_port();
    let tmp = dir.join("nginx-tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    write(&www, "index.html", "hello\n");
    let conf = write(
        dir,
        "nginx.conf",
        &format!(
            "daemon off;\nmaster_process off;\npid {dir}/nginx.pid;\nerror_log stderr;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {tmp};\n  proxy_temp_path {tmp};\n  \
             fastcgi_temp_path {tmp};\n  uwsgi_temp_path {tmp};\n  scgi_temp_path {tmp};\n  \
             server {{ listen 127.0.0.1:{port}; root {www}; }}\n}}\n",
            dir = dir.display(),
            tmp = tmp.display(),
            www = www.display(),
        ),
    );
    let mut cmd = Command::new(need("nginx"));
    cmd.args(["-e", "stderr", "-p"])
        .arg(dir)
        .arg("-c")
        .arg(&conf);
    (spawn(&mut cmd, port, "nginx"), port)
}

/// `python3 -m http.server` (Debian's python3).
pub(crate) fn python_http(dir: &Path) -> (Peer, u16) {
    let port = free_port();
    let mut cmd = Command::new(need("python3"));
    cmd.args([
        "-m",
        "http.server",
        "--bind",
        "127.0.0.1",
        &port.to_string(),
    ])
    .current_dir(dir);
    (spawn(&mut cmd, port, "python3 -m http.server"), port)
}

/// OpenSSH's sshd in the foreground with a fresh host key: it greets with `SSH-2.0-OpenSSH_…`.
pub(crate) fn sshd(dir: &Path) -> (Peer, u16) {
    let key = dir.join("ssh_host_ed25519_key");
    run(Command::new(need("ssh-keygen"))
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key));
    // The privilege-separation directory the package's service would create.
    std::fs::create_dir_all("/run/sshd").unwrap();
    let port = free_port();
    let mut cmd = Command::new(need("sshd"));
    cmd.args(["-D", "-e", "-f", "/dev/null"])
        .arg("-o")
        .arg(format!("ListenAddress=127.0.0.1:{port}"))
        .arg("-o")
        .arg(format!("HostKey={}", key.display()))
        .args(["-o", "PidFile=none"]);
    (spawn(&mut cmd, port, "sshd"), port)
}

/// Makes `dir` readable by the daemons' own users (exim reads the key after forking).
fn world_readable(dir: &Path) {
    let _ = Command::new("chmod")
        .arg("-R")
        .arg("a+rX")
        .arg(dir)
        .status();
}

/// A private exim 4.96 (Debian's GnuTLS build, unpacked into target/peers/exim by
/// ./scripts/test) in the foreground on 127.0.0.1, STARTTLS with `c`; `extra` is added to the
/// main section (e.g. `tls_require_ciphers = …`, `pipelining_advertise_hosts =`).
pub(crate) fn exim(dir: &Path, c: &Cert, extra: &str) -> (Peer, u16) {
    let bin = built("exim/usr/sbin/exim4");
    let spool = dir.join("exim-spool");
    let log = dir.join("exim-log");
    for d in [&spool, &log] {
        std::fs::create_dir_all(d).unwrap();
    }
    world_readable(dir);
    // exim creates its log and spool files as its own user.
    run(Command::new("chown")
        .arg("-R")
        .arg("Debian-exim")
        .arg(&spool)
        .arg(&log));
    let port = free_port();
    let conf = write(
        dir,
        "exim.conf",
        &format!(
            "primary_hostname = mx.example.test\n\
             spool_directory = {spool}\nlog_file_path = {log}/%slog\n\
             pid_file_path = {dir}/exim.pid\n\
             daemon_smtp_ports = {port}\nlocal_interfaces = 127.0.0.1\n\
             tls_advertise_hosts = *\ntls_certificate = {chain}\ntls_privatekey = {key}\n\
             host_lookup =\nrfc1413_hosts =\n\
             # The default (20) is reached by a full scan: failed TLS sessions linger 0.5 s.\n\
             smtp_accept_max = 200\n\
             {extra}\n\
             acl_smtp_rcpt = acl_check_rcpt\n\
             begin acl\nacl_check_rcpt:\n  deny\n",
            spool = spool.display(),
            log = log.display(),
            dir = dir.display(),
            chain = c.chain.display(),
            key = c.key.display(),
        ),
    );
    let mut cmd = Command::new(bin);
    cmd.arg("-C")
        .arg(&conf)
        .args(["-bdf", "-oX", &port.to_string()]);
    (spawn(&mut cmd, port, "exim"), port)
}

/// OpenSMTPD's spool (/var/spool/smtpd) and control socket (/var/run/smtpd.sock) are fixed at
/// build time: one instance at a time.
static OPENSMTPD: Mutex<()> = Mutex::const_new(());

/// A peer that holds a lock while it runs: the peer is stopped first, then the lock released.
pub(crate) struct Exclusive {
    _peer: Peer,
    _lock: MutexGuard<'static, ()>,
}

/// A private OpenSMTPD 6.8 (unpacked into target/peers/opensmtpd by ./scripts/test) in the
/// foreground on 127.0.0.1, STARTTLS with `c`. Holds [`OPENSMTPD`] while it runs.
pub(crate) async fn opensmtpd(dir: &Path, c: &Cert) -> (Exclusive, u16) {
    let lock = OPENSMTPD.lock().await;
    let bin = built("opensmtpd/usr/sbin/smtpd");
    // smtpd refuses a key others can read.
    let key = dir.join("smtpd.key");
    std::fs::copy(&c.key, &key).unwrap();
    run(Command::new("chmod").arg("600").arg(&key));
    let port = free_port();
    let conf = write(
        dir,
        "smtpd.conf",
        &format!(
            "pki mx.example.test cert \"{chain}\"\npki mx.example.test key \"{key}\"\n\
             listen on 127.0.0.1 port {port} tls pki mx.example.test hostname mx.example.test\n\
             action \"local\" mbox\nmatch from any for domain \"example.test\" action \"local\"\n",
            chain = c.chain.display(),
            key = key.display(),
        ),
    );
    let mut cmd = Command::new(bin);
    cmd.arg("-d").arg("-f").arg(&conf);
    let mut peer = spawn(&mut cmd, port, "OpenSMTPD");
    // SIGTERM first: the parent then stops its privilege-separated children.
    let pid = peer.0.id();
    peer.1 = Some(Box::new(move || {
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        std::thread::sleep(std::time::Duration::from_millis(300));
    }));
    (
        Exclusive {
            _peer: peer,
            _lock: lock,
        },
        port,
    )
}

fn detail(e: &EndpointReport, v: &str) -> String {
    let d = e.protocol_details.as_ref().expect("protocol details");
    let d = match v {
        "TLSv1.1" => &d.tls11,
        "TLSv1.2" => &d.tls12,
        "TLSv1.3" => &d.tls13,
        _ => unreachable!(),
    };
    d.as_ref()
        .map(|d| format!("{}: {}", d.result.as_str(), d.detail))
        .unwrap_or_default()
}

#[track_caller]
fn assert_matrix(e: &EndpointReport, m: Matrix) {
    assert_eq!(e.protocols.as_ref(), Some(&m), "{:#?}", e.protocol_details);
}

#[track_caller]
fn error_kind(e: &EndpointReport) -> Option<ErrorKind> {
    e.error.as_ref().map(|x| x.kind)
}

// ---------------------------------------------------------------------------------------------
// Class 1: valid servers tlsgrade's own handshake cannot complete.

/// A TLS 1.3 server whose only group is P-521 or FFDHE2048: the full handshake offers both
/// groups, so it completes on the group the server wants (which is TLS 1.3's acceptance: no
/// version probe is sent for it) and the server is graded on its merits: no error, no
/// `tls.handshake` finding, the certificate judged (trusted lab certificate), grade A.
#[track_caller]
fn assert_tls13_group_only(e: &EndpointReport, group: &str) {
    assert_matrix(e, only(&[13]));
    assert!(
        detail(e, "TLSv1.3").contains("the full handshake negotiated TLSv1.3"),
        "{}",
        detail(e, "TLSv1.3")
    );
    assert!(e.error.is_none(), "{:?}", e.error);
    assert!(
        check(&e.checks, "tls.handshake").is_none(),
        "{:#?}",
        e.checks
    );
    let n = e.negotiated.as_ref().expect("a negotiated session");
    assert_eq!(n.version.name(), "TLSv1.3");
    assert_eq!(n.group.map(|g| g.name()).as_deref(), Some(group));
    assert!(e.certificate.as_ref().expect("certificate").trusted);
    assert_eq!(e.grade, letter(Grade::A), "{:#?}", e.checks);
}

// sslyze: TLS 1.3 accepted (3 suites), supported curves [secp521r1]: right.
// testssl: "TLS 1.3 offered (OK): final", every other version "not offered": right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p521_only_tls13_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = openssl_server(dir.path(), &c, &["-tls1_3", "-groups", "P-521"]);
    let e = scan_port(TARGET, port).await;
    assert_tls13_group_only(&e, "secp521r1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p521_only_tls13_gnutls() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = gnutls_serv(
        &c,
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP521R1",
    );
    let e = scan_port(TARGET, port).await;
    assert_tls13_group_only(&e, "secp521r1");
    // GnuTLS refuses the TLS 1.2 probe with handshake_failure, not protocol_version.
    assert_eq!(detail(&e, "TLSv1.2"), "refused: alert handshake_failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p521_only_tls13_go() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = go_tls(&c, &["-min", "1.3", "-max", "1.3", "-groups", "P-521"]);
    let e = scan_port(TARGET, port).await;
    assert_tls13_group_only(&e, "secp521r1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p521_only_tls13_java() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = java_tls(&c, &["--protocols", "TLSv1.3", "--groups", "secp521r1"]);
    let e = scan_port(TARGET, port).await;
    // SunJSSE refuses the usual offer with unexpected_message ("No common named group"), but
    // the HelloRetryRequest path needs no refusal.
    assert_tls13_group_only(&e, "secp521r1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p521_only_tls13_nss() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = nss_selfserv(dir.path(), &c, &["-V", "tls1.3:tls1.3", "-I", "P521"]);
    let e = scan_port(TARGET, port).await;
    assert_tls13_group_only(&e, "secp521r1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffdhe2048_only_tls13_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = openssl_server(dir.path(), &c, &["-tls1_3", "-groups", "ffdhe2048"]);
    let e = scan_port(TARGET, port).await;
    assert_tls13_group_only(&e, "ffdhe2048");
}

// sslyze: ERROR_NO_CONNECTIVITY "TLS probing failed: could not find a TLS version and cipher
// suite supported by the server": wrong (it is a valid TLS 1.3 server).
// testssl: "TLS 1.3 offered (OK): final": right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffdhe2048_only_tls13_gnutls() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = gnutls_serv(
        &c,
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-FFDHE2048",
    );
    let e = scan_port(TARGET, port).await;
    assert_tls13_group_only(&e, "ffdhe2048");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffdhe2048_only_tls13_java() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = java_tls(&c, &["--protocols", "TLSv1.3", "--groups", "ffdhe2048"]);
    let e = scan_port(TARGET, port).await;
    assert_tls13_group_only(&e, "ffdhe2048");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffdhe2048_only_tls13_nss() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = nss_selfserv(dir.path(), &c, &["-V", "tls1.3:tls1.3", "-I", "FF2048"]);
    let e = scan_port(TARGET, port).await;
    assert_tls13_group_only(&e, "ffdhe2048");
}

/// Which DH group a DHE-only TLS 1.2 server uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prime {
    /// An RFC 7919 group, chosen from the client's supported_groups: the full handshake's DHE
    /// retry completes on it.
    Rfc7919(&'static str),
    /// A prime of the server's own (OpenSSL's built-in auto DH: RFC 3526): rustls takes only
    /// RFC 7919 primes, so the endpoint is judged from the TLS 1.2 probe's clear-text handshake.
    Own,
}

/// A TLS 1.2 server with DHE suites only (RSA certificate) is graded like any TLS 1.2-only
/// server: its certificate judged (trusted), no `tls.handshake` failure, grade A. Either the
/// full handshake completes on the DHE suites its second offer adds, or (a prime outside RFC
/// 7919) `tls.handshake` is info and the certificate comes from the version probe.
#[track_caller]
fn assert_dhe_only(e: &EndpointReport, suite_prefix: &str, prime: Prime) {
    assert_matrix(e, only(&[12]));
    let d = detail(e, "TLSv1.2");
    assert!(
        d.starts_with(&format!(
            "accepted: ServerHello TLSv1.2 with {suite_prefix}"
        )),
        "{d}"
    );
    assert!(e.error.is_none(), "{:?}", e.error);
    let n = e.negotiated.as_ref().expect("negotiated");
    assert!(
        n.cipher.name().starts_with(suite_prefix),
        "{}",
        n.cipher.name()
    );
    match prime {
        Prime::Rfc7919(group) => {
            assert!(
                check(&e.checks, "tls.handshake").is_none(),
                "{:#?}",
                e.checks
            );
            assert_eq!(n.group.map(|g| g.name()).as_deref(), Some(group));
        }
        Prime::Own => {
            let c = has(&e.checks, "tls.handshake", Status::Info);
            assert!(c.detail.contains("outside RFC 7919"), "{}", c.detail);
        }
    }
    has(&e.checks, "kx.dh-small", Status::Pass);
    has(&e.checks, "kx.groups", Status::Info);
    let kx = e.key_exchange.as_ref().expect("key exchange");
    assert!(kx.groups.iter().all(|g| g.accepted != Some(true)), "{kx:?}");
    let cert = e.certificate.as_ref().expect("certificate");
    assert!(cert.trusted, "{cert:?}");
    assert_eq!(cert.chain[0].key_type.name(), "RSA");
    assert_eq!(e.grade, letter(Grade::A), "{:#?}", e.checks);
}

// sslyze: TLS 1.2 accepted (2 suites): right. testssl: "TLS 1.2 offered (OK)", "TLS 1.3 not
// offered and downgraded to a weaker protocol": right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dhe_only_tls12_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    let (_p, port) = openssl_server(
        dir.path(),
        &c,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
        ],
    );
    let e = scan_port(TARGET, port).await;
    assert_dhe_only(&e, "TLS_DHE_RSA_WITH_AES_", Prime::Own);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dhe_only_tls12_gnutls() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    let (_p, port) = gnutls_serv(&c, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA");
    let e = scan_port(TARGET, port).await;
    assert_dhe_only(&e, "TLS_DHE_RSA_WITH_", Prime::Rfc7919("ffdhe2048"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dhe_only_tls12_java() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    let (_p, port) = java_tls(
        &c,
        &[
            "--protocols",
            "TLSv1.2",
            "--suites",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        ],
    );
    let e = scan_port(TARGET, port).await;
    assert_dhe_only(&e, "TLS_DHE_RSA_WITH_AES_", Prime::Rfc7919("ffdhe2048"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dhe_only_tls12_nss() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    // -H 1: DHE on; -c: TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 and _256_GCM_SHA384 only.
    let (_p, port) = nss_selfserv(
        dir.path(),
        &c,
        &["-V", "tls1.2:tls1.2", "-H", "1", "-c", ":009E:009F"],
    );
    let e = scan_port(TARGET, port).await;
    assert_dhe_only(&e, "TLS_DHE_RSA_WITH_AES_", Prime::Rfc7919("ffdhe2048"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dhe_only_tls12_botan() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    let policy = format!("{BOTAN_TLS12}key_exchange_methods = DH\n");
    let (_p, port) = botan_tls(dir.path(), &c, &policy);
    let e = scan_port(TARGET, port).await;
    assert_dhe_only(&e, "TLS_DHE_RSA_WITH_", Prime::Rfc7919("ffdhe2048"));
}

// ---------------------------------------------------------------------------------------------
// Class 2: ServerHello and Certificate, then internal_error.

/// SunJSSE with an Ed448 leaf (signed by the lab intermediate). rustls offers no ed448
/// signature scheme; SunJSSE chooses the key all the same and, when it has to sign, finds no
/// scheme: "No supported signature algorithm for EdDSA key", a fatal internal_error. On the
/// wire (openssl s_client -tls1_2 -sigalgs ECDSA+SHA256:ECDSA+SHA384:RSA-PSS+SHA256 -msg):
/// ServerHello, Certificate, Alert fatal internal_error, where ServerKeyExchange belongs.
///
/// The version probes offer ed448 among their signature schemes, and SunJSSE answers them
/// with a whole, signed first flight: the server can sign, just not for the full handshake
/// (rustls verifies no Ed448). So this is tlsgrade's limit, not a server that never completes
/// a handshake: `tls.handshake` info, no `tls.handshake-incomplete`, the Ed448 certificate
/// judged from the probe (trusted), and the probes that need the first flight work.
///
/// sslyze: TLS 1.2 "accepted_cipher_suites": [] (every version empty): wrong, the server
/// speaks TLS 1.2 (to a client with Ed448). testssl: "TLS 1.2 offered (OK)": right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_error_after_certificate_tls12_java_ed448() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "ed448", &["ed448"], NAME);
    let (_p, port) = java_tls(&c, &["--protocols", "TLSv1.2"]);
    let e = scan_port(TARGET, port).await;
    assert_matrix(&e, only(&[12]));
    assert!(e.error.is_none(), "{:?}", e.error);
    let c = has(&e.checks, "tls.handshake", Status::Info);
    assert_eq!(c.cap, None);
    assert!(check(&e.checks, "tls.handshake-incomplete").is_none());
    for id in ["kx.weak-curve", "tls.ccs-injection", "tls.heartbleed"] {
        let c = check(&e.checks, id).unwrap_or_else(|| panic!("{id}: {:#?}", e.checks));
        assert_ne!(c.status, Status::Error, "{id}: {}", c.detail);
    }
    let cert = e.certificate.as_ref().expect("certificate from the probe");
    assert!(cert.trusted, "{cert:?}");
    assert_eq!(cert.chain[0].key_type.name(), "Ed448");
    assert_eq!(e.grade, letter(Grade::A), "{:#?}", e.checks);
}

/// The same server with TLS 1.3: ServerHello, EncryptedExtensions, Certificate, then
/// internal_error where CertificateVerify belongs (openssl s_client -tls1_3 with the same
/// sigalgs shows exactly that).
///
/// In TLS 1.3 the certificate and the signature are encrypted, so no probe can tell this
/// server from one that cannot sign at all: `tls.handshake-incomplete` (F). That is right for
/// every client without Ed448 (browsers, Go, rustls, NSS), and a known limit for OpenSSL's,
/// which has it; no public CA issues Ed448 certificates.
///
/// sslyze: TLS 1.3 accepted (3 suites; its client offers ed448): right for its client.
/// testssl: "TLS 1.3 offered (OK): final": right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_error_after_certificate_tls13_java_ed448() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "ed448", &["ed448"], NAME);
    let (_p, port) = java_tls(&c, &["--protocols", "TLSv1.3"]);
    let e = scan_port(TARGET, port).await;
    assert_aborted_after_hello(&e, only(&[13]));
    assert!(e.certificate.is_none());
}

/// A server that no client completes a handshake with: `tls.handshake-incomplete` (cap F) and
/// not `tls.handshake` besides; the accepted versions of matrix `m` say "ServerHello only"; no
/// negotiated session; the cipher and flaw probes, moot, are not run (no error checks). F.
#[track_caller]
fn assert_aborted_after_hello(e: &EndpointReport, m: Matrix) {
    assert_matrix(e, m.clone());
    let c = has(&e.checks, "tls.handshake-incomplete", Status::Fail);
    assert_eq!(c.cap, Some(Grade::F));
    assert!(
        check(&e.checks, "tls.handshake").is_none(),
        "{:#?}",
        e.checks
    );
    for (v, accepted) in [("TLSv1.2", m.tls12), ("TLSv1.3", m.tls13)] {
        if accepted == Some(true) {
            assert!(
                detail(e, v).contains("ServerHello only"),
                "{}",
                detail(e, v)
            );
        }
    }
    assert!(e.negotiated.is_none(), "{:?}", e.negotiated);
    assert!(e.ciphers.is_none());
    for id in ["kx.weak-curve", "tls.ccs-injection", "tls.heartbleed"] {
        assert!(check(&e.checks, id).is_none(), "{id}: {:#?}", e.checks);
    }
    assert_eq!(e.grade, letter(Grade::F), "{:#?}", e.checks);
}

/// A second stack near class 2: GnuTLS with an RSA-512 key and TLS 1.3 (no RSA-PSS signature
/// fits a 512-bit key). It sends ServerHello, then internal_error, *before* EncryptedExtensions
/// and Certificate: not the ServerHello-Certificate-internal_error sequence, but the same
/// verdict: with TLS 1.3 only, no client completes a handshake. (Go and OpenSSL refuse the same configuration with handshake_failure before
/// ServerHello; SunJSSE sends internal_error as for Ed448.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_error_after_server_hello_tls13_gnutls_rsa512() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "rsa512", &["rsa:512"], NAME);
    let (_p, port) = gnutls_serv(&c, "NORMAL:-VERS-ALL:+VERS-TLS1.3:%VERIFY_ALLOW_BROKEN");
    let e = scan_port(TARGET, port).await;
    assert_aborted_after_hello(&e, only(&[13]));
}

// ---------------------------------------------------------------------------------------------
// Class 3: a port that does not speak TLS.

/// Every version probe says "the server answered with something that is not TLS" (the matrix
/// all null) and so does the full handshake: error kind `not-tls`, `tls.handshake` error (no
/// cap) quoting the answer's first line (which names the protocol), no certificate, grade
/// `?` — a port without TLS is not a TLS server to grade.
#[track_caller]
fn assert_not_tls(e: &EndpointReport, first_line: &str) {
    let unknown = VersionMap {
        sslv3: None,
        tls10: None,
        tls11: None,
        tls12: None,
        tls13: None,
    };
    assert_matrix(e, unknown);
    let seen = "the server answered with something that is not TLS: \"";
    for v in ["TLSv1.1", "TLSv1.2", "TLSv1.3"] {
        let d = detail(e, v);
        assert!(
            d.starts_with(&format!("unknown: {seen}{first_line}")),
            "{d}"
        );
    }
    assert_eq!(error_kind(e), Some(ErrorKind::NotTls), "{:?}", e.error);
    let msg = &e.error.as_ref().unwrap().message;
    assert!(
        msg.starts_with(&format!("this port does not speak TLS: {seen}{first_line}")),
        "{msg}"
    );
    let c = has(&e.checks, "tls.handshake", Status::Error);
    assert_eq!(c.cap, None);
    assert_eq!(&c.detail, msg);
    assert!(e.certificate.is_none());
    assert_eq!(e.grade, Some(tlsgrade::report::GradeValue::Unknown));
}

// sslyze: ERROR_NO_CONNECTIVITY "TLS probing failed: could not find a TLS version and cipher
// suite supported by the server". testssl: "doesn't seem to be a TLS/SSL enabled server", then
// every version "not offered". Both right enough (neither names HTTP).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_tls_nginx_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let (_p, port) = nginx_plain(dir.path());
    let e = scan_port(TARGET, port).await;
    assert_not_tls(&e, "HTTP/1.1 400 Bad Request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_tls_python_http_server() {
    let dir = tempfile::tempdir().unwrap();
    let (_p, port) = python_http(dir.path());
    let e = scan_port(TARGET, port).await;
    // A hello is no request line http.server knows: it answers as to HTTP/0.9, an error page
    // without a status line.
    assert_not_tls(&e, "<!DOCTYPE HTML>");
}

// sslyze: ERROR_NO_CONNECTIVITY "Server rejected the connection". testssl: "Fatal error: Can't
// connect". Neither says it is SSH.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_tls_sshd_banner() {
    let dir = tempfile::tempdir().unwrap();
    let (_p, port) = sshd(dir.path());
    let e = scan_port(TARGET, port).await;
    assert_not_tls(&e, "SSH-2.0-OpenSSH_");
}

// ---------------------------------------------------------------------------------------------
// Class 4: TLS <= 1.1 only, handshake_failure to a modern hello.

/// GnuTLS limited to TLS 1.1 (or 1.0-1.1) answers rustls's TLS 1.2/1.3 hello, and openssl
/// s_client -tls1_2 with GCM suites only, with Alert fatal handshake_failure: it negotiates
/// TLS 1.1 and then has no suite in common (the hello offers AEAD suites only). Every other
/// stack here limited the same way (SunJSSE TLSv1.1 with jdk.tls.disabledAlgorithms emptied,
/// Go MaxVersion 1.1, NSS -V tls1.0:tls1.1, openssl -tls1_1, botan 2 with CBC suites
/// allowed) sends protocol_version: see `tls11_only_protocol_version_stacks`.
///
/// The matrix is right (TLS 1.1, or 1.0 and 1.1), and handshake_failure from a server whose
/// probes show no TLS 1.2/1.3 is the missing modern version: `tls.modern-missing` (cap C)
/// alone, no `tls.handshake` finding. Grade C.
///
/// sslyze: TLS 1.1 accepted (6 suites), others none: right. testssl: "TLS 1.1 offered
/// (deprecated)", "TLS 1.2 not offered and downgraded to a weaker protocol": right.
#[track_caller]
fn assert_legacy_handshake_failure(e: &EndpointReport, m: Matrix, only_text: &str) {
    assert_matrix(e, m);
    assert_eq!(
        detail(e, "TLSv1.2"),
        "refused: the server answered TLSv1.1 to a TLSv1.2 hello"
    );
    assert!(e.error.is_none(), "{:?}", e.error);
    let c = has(&e.checks, "tls.modern-missing", Status::Fail);
    assert_eq!(c.cap, Some(Grade::C));
    assert_eq!(c.detail, format!("no TLS 1.2 or 1.3: {only_text}"));
    assert!(
        check(&e.checks, "tls.handshake").is_none(),
        "{:#?}",
        e.checks
    );
    assert_eq!(e.grade, letter(Grade::C));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls11_only_handshake_failure_gnutls() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    let (_p, port) = gnutls_serv(&c, "NORMAL:-VERS-ALL:+VERS-TLS1.1");
    let e = scan_port(TARGET, port).await;
    assert_legacy_handshake_failure(&e, only(&[11]), "only TLSv1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls10_11_only_handshake_failure_gnutls() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let (_p, port) = gnutls_serv(&c, "NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1");
    let e = scan_port(TARGET, port).await;
    assert_legacy_handshake_failure(&e, only(&[10, 11]), "only TLSv1.0, TLSv1.1");
}

/// The contrast for class 4: stacks limited to TLS 1.0-1.1 that send protocol_version get the
/// verdict class 4 should get: `tls.modern-missing` fail (cap C, "TLS handshake failed: server
/// sent alert ProtocolVersion") and no `tls.handshake` check. Grade C.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls11_only_protocol_version_stacks() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let peers = [
        ("go", go_tls(&c, &["-min", "1.0", "-max", "1.1"])),
        (
            "nss",
            nss_selfserv(dir.path(), &c, &["-V", "tls1.0:tls1.1"]),
        ),
        (
            "java",
            java_tls(&c, &["--protocols", "TLSv1,TLSv1.1", "--legacy"]),
        ),
    ];
    for (what, (_, port)) in &peers {
        let e = scan_port(TARGET, *port).await;
        assert_eq!(e.protocols.as_ref(), Some(&only(&[10, 11])), "{what}");
        let c = has(&e.checks, "tls.modern-missing", Status::Fail);
        assert_eq!(
            c.detail, "no TLS 1.2 or 1.3: TLS handshake failed: server sent alert ProtocolVersion",
            "{what}"
        );
        assert!(check(&e.checks, "tls.handshake").is_none(), "{what}");
        assert_eq!(e.grade, letter(Grade::C), "{what}");
    }
}

// ---------------------------------------------------------------------------------------------
// Class 5: TLS_FALLBACK_SCSV.

/// Not reproduced: no stack here closes without an alert on a lower-version hello with the
/// SCSV. With TLS 1.0-1.2 (a TLS 1.1 hello) and 1.1-1.3 (a TLS 1.2 hello), `openssl s_client
/// -tls1_1 -fallback_scsv` draws Alert fatal inappropriate_fallback from GnuTLS, Go, NSS,
/// botan and OpenSSL, and the same hello without the SCSV a ServerHello. SunJSSE ignores the
/// SCSV (ServerHello) but its answer carries the RFC 8446 downgrade sentinel, even with TLS 1.3
/// disabled. tlsgrade's verdicts are right for all of them (`tls.fallback-scsv` pass); this
/// test pins them, and the close-without-alert case is left to a scripted responder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fallback_scsv_on_every_stack() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), NAME);
    let botan_policy = "allow_tls10 = true\nallow_tls11 = true\nallow_tls12 = true\n\
                        allow_dtls10 = false\nallow_dtls12 = false\n\
                        ciphers = AES-256/GCM AES-128/GCM ChaCha20Poly1305 AES-256 AES-128\n\
                        macs = AEAD SHA-256 SHA-1\n";
    let peers = [
        (
            "gnutls",
            gnutls_serv(
                &c,
                "NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1:+VERS-TLS1.2",
            ),
        ),
        ("go", go_tls(&c, &["-min", "1.0", "-max", "1.2"])),
        (
            "nss",
            nss_selfserv(dir.path(), &c, &["-V", "tls1.0:tls1.2"]),
        ),
        ("botan", botan_tls(dir.path(), &c, botan_policy)),
        (
            "java",
            java_tls(&c, &["--protocols", "TLSv1,TLSv1.1,TLSv1.2", "--legacy"]),
        ),
    ];
    for (what, (_, port)) in &peers {
        let e = scan_port(TARGET, *port).await;
        assert_eq!(e.protocols.as_ref(), Some(&only(&[10, 11, 12])), "{what}");
        let c = has(&e.checks, "tls.fallback-scsv", Status::Pass);
        let want = if *what == "java" {
            "TLS_FALLBACK_SCSV is ignored, but the TLSv1.1 answer carries the RFC 8446 \
             downgrade sentinel, so TLS 1.3 clients detect a forced downgrade"
        } else {
            "a TLSv1.1 hello with TLS_FALLBACK_SCSV was refused with inappropriate_fallback"
        };
        assert_eq!(c.detail, want, "{what}");
    }
}

// ---------------------------------------------------------------------------------------------
// Class 6: SMTP STARTTLS.

/// OpenSMTPD 6.8.0p2 (Debian 12, OpenSSL 3) cannot sign a handshake at all: with an ECDSA or
/// an RSA key, in TLS 1.2 and 1.3, to any client (openssl s_client -starttls smtp -msg too),
/// it sends ServerHello, (EncryptedExtensions,) Certificate, then Alert fatal internal_error
/// where ServerKeyExchange / CertificateVerify belongs; its log says "io-error:
/// error:0A080006:SSL routines::EVP lib" (the signature is made by its privilege-separated
/// key process). Class 2 in the wild, over STARTTLS.
///
/// No client completes a handshake, so STARTTLS is broken: `tls.handshake-incomplete` (F), the
/// matrix says "ServerHello only", the certificate (read from the TLS 1.2 probe) is still
/// shown, and the cipher and flaw probes are not run.
///
/// sslyze --starttls smtp: ERROR_NO_CONNECTIVITY "could not find a TLS version and cipher suite
/// supported by the server" (right that nothing completes, silent on why). testssl -t smtp:
/// "TLS 1.2 not offered", "TLS 1.3 offered (OK): final": inconsistent, as both versions fail
/// alike after their ServerHello.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_error_after_certificate_opensmtpd() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), "mx.example.test");
    let (_p, port) = opensmtpd(dir.path(), &c).await;
    let e = scan_port("mx.example.test:25", port).await;
    assert!(e.starttls.as_ref().unwrap().greeting[0].contains("OpenSMTPD"));
    assert_aborted_after_hello(&e, only(&[12, 13]));
    assert!(e.certificate.as_ref().unwrap().trusted);
}

/// OpenSMTPD answers the injection probe's pipelined `STARTTLS\r\nRSET\r\n` with `500 5.5.1
/// Invalid command: Pipelining not supported` and ends the session (its EHLO offers no
/// PIPELINING before TLS): plaintext after STARTTLS is refused outright, so the injection (CVE-2011-0411 class) cannot happen.
///
/// `smtp.starttls-injection` passes: the refusal is the protection. The check stays although
/// the server's handshakes never complete (the cipher and flaw probes are skipped).
///
/// sslyze and testssl.sh have no STARTTLS injection test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opensmtpd_refuses_pipelined_starttls() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), "mx.example.test");
    let (_p, port) = opensmtpd(dir.path(), &c).await;
    let e = scan_port("mx.example.test:25", port).await;
    let st = e.starttls.as_ref().unwrap();
    // It does not advertise PIPELINING before TLS: refusing pipelined commands is its right.
    assert!(!st.capabilities.iter().any(|c| c == "PIPELINING"), "{st:?}");
    let c = has(&e.checks, "smtp.starttls-injection", Status::Pass);
    assert!(
        c.detail
            .contains("500 5.5.1 Invalid command: Pipelining not supported"),
        "{}",
        c.detail
    );
}

/// exim with `pipelining_advertise_hosts =` (no PIPELINING in EHLO) takes the pipelined
/// STARTTLS and discards the RSET when TLS starts: tlsgrade's `smtp.starttls-injection` pass is
/// right, as is the rest (TLS 1.0-1.3 with Debian's GnuTLS defaults: grade B for TLS 1.0/1.1).
/// Without `smtp_accept_max` raised, the scan itself reaches exim's default of 20 concurrent
/// sessions (failed TLS sessions linger 0.5 s) and some probes get `421 Too many concurrent
/// SMTP connections`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exim_without_pipelining_discards_injected_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), "mx.example.test");
    let (_p, port) = exim(dir.path(), &c, "pipelining_advertise_hosts =");
    let e = scan_port("mx.example.test:25", port).await;
    let st = e.starttls.as_ref().unwrap();
    assert!(st.greeting[0].contains("Exim 4.96"), "{st:?}");
    assert!(!st.capabilities.iter().any(|c| c == "PIPELINING"), "{st:?}");
    has(&e.checks, "smtp.starttls-injection", Status::Pass);
    assert_matrix(&e, only(&[10, 11, 12, 13]));
    assert_eq!(e.grade, letter(Grade::B));
}

/// exim (GnuTLS) with TLS 1.0-1.1 only on STARTTLS (`tls_require_ciphers =
/// NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1`): class 4 over SMTP, GnuTLS's handshake_failure.
///
/// The matrix TLS 1.0 and 1.1, `tls.modern-missing` alone (cap C), and
/// `smtp.starttls-injection` info "not applicable": the probe needs a TLS 1.2 or 1.3
/// handshake. Grade C.
///
/// sslyze --starttls smtp: TLS 1.1 accepted (6 suites) but TLS 1.0 none: wrong for TLS 1.0.
/// testssl -t smtp: "TLS 1 offered (deprecated)", "TLS 1.1 offered (deprecated)", "TLS 1.2 not
/// offered and downgraded to a weaker protocol": right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exim_tls10_11_only_over_starttls() {
    let dir = tempfile::tempdir().unwrap();
    let c = lab_cert(dir.path(), "mx.example.test");
    let (_p, port) = exim(
        dir.path(),
        &c,
        "tls_require_ciphers = NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1",
    );
    let e = scan_port("mx.example.test:25", port).await;
    assert_legacy_handshake_failure(&e, only(&[10, 11]), "only TLSv1.0, TLSv1.1");
    let c = has(&e.checks, "smtp.starttls-injection", Status::Info);
    assert!(c.detail.starts_with("not applicable"), "{}", c.detail);
}

// ---------------------------------------------------------------------------------------------
// Class 7: deadlines printed as 0 s.

/// `--timeout` under 10 ms is refused as bad usage (exit 2): no network step finishes that
/// fast, and `Duration::from_secs_f64(1e-10)` would be zero, every deadline "0 s" and every
/// result a matter of luck. At the minimum, the messages name the deadline that was set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_under_10ms_is_bad_usage_and_the_minimum_is_named_in_messages() {
    let out = run_tlsgrade(&["--allow-private", "--timeout", "1e-10", TARGET]).await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--timeout 0.0000000001: expected seconds from 0.01 to 3600"),
        "{err}"
    );

    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let out = run_tlsgrade(&[
        "--allow-private",
        "--timeout",
        "0.01",
        "--connect-to",
        &format!("{NAME}:443:127.0.0.1:{port}"),
        "--json",
        "-",
        TARGET,
    ])
    .await;
    drop(l);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &v["targets"][0]["endpoints"][0];
    assert_eq!(e["grade"], "?", "{e}");
    assert_eq!(e["error"]["kind"], "timeout", "{e}");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(!msg.contains("0s") && !msg.contains("0 s"), "{msg}");
    assert!(msg.contains("0.01 s"), "{msg}");
}

/// The greeting deadline is for the whole reply, and the message names it: a greeting whose
/// first line comes at once and whose next line never comes, with `--timeout 0.5` (greeting
/// 1 s), ends with "SMTP greeting: no complete line within 1 s" — never the time that was left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_multiline_greeting_names_the_deadline_that_was_set() {
    use std::io::Write;
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut s in l.incoming().flatten().take(4) {
            let _ = s.write_all(b"220-mx.example.test ESMTP tarpit\r\n");
            held.push(s);
        }
        std::thread::sleep(std::time::Duration::from_secs(5));
    });
    let out = run_tlsgrade(&[
        "--allow-private",
        "--timeout",
        "0.5",
        "--connect-to",
        &format!("mx.example.test:25:127.0.0.1:{port}"),
        "--json",
        "-",
        "mx.example.test:25",
    ])
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &v["targets"][0]["endpoints"][0];
    assert_eq!(e["error"]["kind"], "timeout", "{e}");
    assert_eq!(
        e["error"]["message"], "SMTP greeting: no complete line within 1 s",
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// sslyze on the class servers, in one run.

/// sslyze 6.3.1 (TLSGRADE_PEER_PYTHON) on one server of each reproduced class: asserted where
/// it is right, and what it says where it is wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslyze_on_the_class_servers() {
    let dir = tempfile::tempdir().unwrap();
    let ec = lab_cert(dir.path(), NAME);
    let rsa = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    let ed448 = lab_cert_with(dir.path(), "ed448", &["ed448"], NAME);
    let (p1, p521) = openssl_server(dir.path(), &ec, &["-tls1_3", "-groups", "P-521"]);
    let (p2, ffdhe) = gnutls_serv(
        &ec,
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-FFDHE2048",
    );
    let (p3, dhe) = openssl_server(
        dir.path(),
        &rsa,
        &["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"],
    );
    let (p4, java) = java_tls(&ed448, &["--protocols", "TLSv1.2"]);
    let (p5, http) = nginx_plain(dir.path());
    let (p6, tls11) = gnutls_serv(&rsa, "NORMAL:-VERS-ALL:+VERS-TLS1.1");
    let out_file = dir.path().join("sslyze.json");
    let st = Command::new(python())
        .args(["-m", "sslyze", "--quiet", "--mozilla_config", "disable"])
        .args(["--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3"])
        .args(["--elliptic_curves", "--json_out"])
        .arg(&out_file)
        .args(
            [p521, ffdhe, dhe, java, http, tls11]
                .iter()
                .map(|p| format!("127.0.0.1:{p}")),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "sslyze failed");
    drop((p1, p2, p3, p4, p5, p6));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    let by_port = |port: u16| {
        v["server_scan_results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["server_location"]["port"] == port)
            .unwrap()
            .clone()
    };
    let accepted = |r: &serde_json::Value| -> Vec<&'static str> {
        [
            ("tls_1_0_cipher_suites", "TLSv1.0"),
            ("tls_1_1_cipher_suites", "TLSv1.1"),
            ("tls_1_2_cipher_suites", "TLSv1.2"),
            ("tls_1_3_cipher_suites", "TLSv1.3"),
        ]
        .into_iter()
        .filter(|(k, _)| {
            r["scan_result"][k]["result"]["accepted_cipher_suites"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        })
        .map(|(_, v)| v)
        .collect()
    };
    // Right: P-521-only TLS 1.3, DHE-only TLS 1.2, GnuTLS TLS 1.1-only.
    let r = by_port(p521);
    assert_eq!(accepted(&r), ["TLSv1.3"], "{r}");
    assert_eq!(
        r["scan_result"]["elliptic_curves"]["result"]["supported_curves"][0]["name"],
        "secp521r1"
    );
    assert_eq!(accepted(&by_port(dhe)), ["TLSv1.2"]);
    assert_eq!(accepted(&by_port(tls11)), ["TLSv1.1"]);
    // Not TLS: no connectivity (right, without naming HTTP).
    assert_eq!(by_port(http)["scan_status"], "ERROR_NO_CONNECTIVITY");
    // Wrong: the FFDHE2048-only TLS 1.3 server is "not supported" (no connectivity), and
    // SunJSSE with Ed448 on TLS 1.2 has no accepted suite at all.
    assert_eq!(by_port(ffdhe)["scan_status"], "ERROR_NO_CONNECTIVITY");
    assert!(accepted(&by_port(java)).is_empty());
}

/// testssl.sh's protocol scan (`-p`) of a server: which of SSL 3.0 .. TLS 1.3 it says are
/// offered, in the matrix's terms.
fn testssl_protocols(dir: &Path, port: u16) -> Matrix {
    let json = dir.join(format!("testssl-{port}.json"));
    let st = Command::new(need("testssl"))
        .args(["-p", "--quiet", "--color", "0", "--warnings", "off"])
        .arg("--jsonfile-pretty")
        .arg(&json)
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(
        st.success() || json.exists(),
        "testssl failed on port {port}"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    // Warnings ("Your OpenSSL cannot connect") come as scanResult entries of their own.
    let protocols = v["scanResult"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|r| r["protocols"].as_array())
        .cloned()
        .unwrap_or_default();
    let offered = |id: &str| {
        protocols
            .iter()
            .find(|p| p["id"] == id)
            .and_then(|p| p["finding"].as_str())
            .map(|f| f.starts_with("offered"))
    };
    VersionMap {
        sslv3: offered("SSLv3"),
        tls10: offered("TLS1"),
        tls11: offered("TLS1_1"),
        tls12: offered("TLS1_2"),
        tls13: offered("TLS1_3"),
    }
}

/// testssl.sh 3.0.8 on the class servers it gets right, in the same run as tlsgrade: both
/// matrices equal the configured truth. (Its 7-10 s per server keeps this to four, run at once.
/// Where it is wrong, the tests above say so: OpenSMTPD's "TLS 1.2 not offered, 1.3 offered".)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testssl_agrees_on_the_class_servers() {
    let dir = tempfile::tempdir().unwrap();
    let ec = lab_cert(dir.path(), NAME);
    let rsa = lab_cert_with(dir.path(), "rsa", &["rsa:2048"], NAME);
    let servers = [
        (
            "P-521-only TLS 1.3, OpenSSL",
            openssl_server(dir.path(), &ec, &["-tls1_3", "-groups", "P-521"]),
            only(&[13]),
        ),
        (
            "FFDHE2048-only TLS 1.3, GnuTLS",
            gnutls_serv(
                &ec,
                "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-FFDHE2048",
            ),
            only(&[13]),
        ),
        (
            "DHE-only TLS 1.2, OpenSSL",
            openssl_server(
                dir.path(),
                &rsa,
                &["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"],
            ),
            only(&[12]),
        ),
        (
            "TLS 1.1-only with handshake_failure, GnuTLS",
            gnutls_serv(&rsa, "NORMAL:-VERS-ALL:+VERS-TLS1.1"),
            only(&[11]),
        ),
    ];
    // tlsgrade first, then testssl.sh on all four at once (7-10 s each, mostly waiting), so
    // that the two scanners never share a server.
    for (what, (_, port), truth) in &servers {
        let ours = scan_port(TARGET, *port).await;
        assert_eq!(ours.protocols.as_ref(), Some(truth), "tlsgrade on {what}");
    }
    let runs: Vec<_> = servers
        .iter()
        .map(|(_, (_, port), _)| {
            let (dir, port) = (dir.path().to_path_buf(), *port);
            std::thread::spawn(move || testssl_protocols(&dir, port))
        })
        .collect();
    for ((what, _, truth), testssl) in servers.iter().zip(runs) {
        assert_eq!(&testssl.join().unwrap(), truth, "testssl.sh on {what}");
    }
}
