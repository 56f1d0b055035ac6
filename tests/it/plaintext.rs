//! Credentials in clear text, against real servers: Dovecot (IMAP and POP3) with plaintext
//! authentication disabled and allowed, and Postfix offering SASL (through Dovecot's auth
//! service) with and without `smtpd_tls_auth_only`, on port 25 and as submission. Also the
//! STARTTLS-injection probe against Dovecot's IMAP and POP3.
//!
//! Dovecot counts a client from its own address as secure and then offers plaintext logins
//! whatever its settings, so it listens on 127.0.0.5 while the scanner connects from 127.0.0.1.

use std::path::Path;
use std::process::{Command, Stdio};

use tlsgrade::report::{EndpointReport, Status};

use crate::common::*;
use crate::peers::{need, postfix_chains, write, Peer};

const DOVECOT_IP: &str = "127.0.0.5";

struct Dovecot {
    _peer: Peer,
    imap: u16,
    pop3: u16,
    auth: u16,
}

/// A private Dovecot on 127.0.0.5 (IMAP, POP3 with STARTTLS/STLS) and an auth service for
/// Postfix on 127.0.0.1. `plaintext`: allow plaintext authentication before TLS.
fn dovecot(dir: &Path, plaintext: bool) -> Dovecot {
    std::fs::create_dir_all(dir).unwrap();
    let l = leaf(&["mail.lab.test"]);
    let cert = write(dir, "cert.pem", &l.chain_pem);
    let key = write(dir, "key.pem", &l.key_pem);
    let (imap, pop3, auth) = (free_port(), free_port(), free_port());
    let d = dir.display();
    for sub in ["run", "state", "mail"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    // Dovecot's login processes run as dovenull and read nothing here, but the master checks
    // the base directory's permissions.
    let _ = Command::new("chmod").args(["755"]).arg(dir).status();
    let conf = format!(
        "protocols = imap pop3
listen = {DOVECOT_IP}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = {disable}
auth_mechanisms = plain login
passdb {{
  driver = static
  args = password=test
}}
userdb {{
  driver = static
  args = uid=dovenull gid=dovenull home=/nonexistent
}}
mail_location = maildir:{d}/mail
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service auth {{
  inet_listener {{
    address = 127.0.0.1
    port = {auth}
  }}
}}
",
        cert = cert.display(),
        key = key.display(),
        disable = if plaintext { "no" } else { "yes" },
    );
    let conf_path = write(dir, "dovecot.conf", &conf);
    let child = Command::new(need("dovecot"))
        .arg("-F")
        .arg("-c")
        .arg(&conf_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dovecot");
    let mut peer = Peer(child, None);
    // Ready once the IMAP greeting names itself ready (before that it says it is waiting for
    // its auth process), so the scan reads the real greeting.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Ok(Some(st)) = peer.0.try_wait() {
            panic!(
                "dovecot exited: {st}: {}",
                std::fs::read_to_string(dir.join("log")).unwrap_or_default()
            );
        }
        if greeting_ready(imap) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "dovecot did not become ready"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Dovecot {
        _peer: peer,
        imap,
        pop3,
        auth,
    }
}

fn greeting_ready(port: u16) -> bool {
    use std::io::{BufRead, BufReader};
    let Ok(s) = std::net::TcpStream::connect((DOVECOT_IP, port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(2)));
    let mut r = BufReader::new(s);
    for _ in 0..3 {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return false;
        }
        if line.contains("ready") {
            return true;
        }
    }
    false
}

async fn scan_at(target: &str, rule: &str) -> EndpointReport {
    let r = scan(&config(None, &[rule]), target).await;
    only_endpoint(&r).clone()
}

fn status(e: &EndpointReport, id: &str) -> Status {
    check(&e.checks, id)
        .unwrap_or_else(|| panic!("no {id}: {:#?}", e.checks))
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_with_and_without_plaintext_logins_before_tls() {
    for (plaintext, want) in [(false, Status::Pass), (true, Status::Warn)] {
        let dir = tempfile::tempdir().unwrap();
        let d = dovecot(dir.path(), plaintext);
        let imap = scan_at(
            "imap://mail.lab.test",
            &format!("mail.lab.test:143:{DOVECOT_IP}:{}", d.imap),
        )
        .await;
        assert_eq!(
            status(&imap, "imap.login-plaintext"),
            want,
            "plaintext {plaintext}"
        );
        assert_eq!(
            status(&imap, "imap.starttls-injection"),
            Status::Pass,
            "{:#?}",
            imap.checks
        );
        assert!(imap.negotiated.is_some());
        let pop3 = scan_at(
            "pop3://mail.lab.test",
            &format!("mail.lab.test:110:{DOVECOT_IP}:{}", d.pop3),
        )
        .await;
        assert_eq!(
            status(&pop3, "pop3.login-plaintext"),
            want,
            "plaintext {plaintext}"
        );
        assert_eq!(
            status(&pop3, "pop3.starttls-injection"),
            Status::Pass,
            "{:#?}",
            pop3.checks
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postfix_auth_before_starttls_warns_on_25_and_fails_on_submission() {
    let dir = tempfile::tempdir().unwrap();
    let d = dovecot(&dir.path().join("dovecot"), false);
    for (auth_only, on_25, on_587) in [
        (true, Status::Pass, Status::Pass),
        (false, Status::Warn, Status::Fail),
    ] {
        let pf_dir = dir.path().join(format!("postfix-{auth_only}"));
        std::fs::create_dir_all(&pf_dir).unwrap();
        let l = leaf(&["mx.example.test"]);
        let chain = write(&pf_dir, "chain.pem", &l.chain_pem);
        let key = write(&pf_dir, "key.pem", &l.key_pem);
        let port = free_port();
        let sasl = format!(
            "smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = inet:127.0.0.1:{}\nsmtpd_tls_auth_only = {}\n",
            d.auth,
            if auth_only { "yes" } else { "no" }
        );
        let _pf = postfix_chains(&pf_dir, port, &[&key, &chain], ">=TLSv1.2", &sasl);
        let e25 = scan_at(
            "smtp://mx.example.test",
            &format!("mx.example.test:25:127.0.0.1:{port}"),
        )
        .await;
        assert_eq!(
            status(&e25, "smtp.auth-plaintext"),
            on_25,
            "auth_only {auth_only}: {:#?}",
            e25.checks
        );
        let e587 = scan_at(
            "submission://mx.example.test",
            &format!("mx.example.test:587:127.0.0.1:{port}"),
        )
        .await;
        assert_eq!(
            status(&e587, "smtp.auth-plaintext"),
            on_587,
            "auth_only {auth_only}"
        );
        // Postfix keeps AUTH for inside TLS either way: the post-TLS EHLO lists it.
        let after = e587
            .starttls
            .as_ref()
            .unwrap()
            .capabilities_after_tls
            .clone()
            .unwrap_or_default();
        assert!(after.iter().any(|k| k.starts_with("AUTH")), "{after:?}");
    }
}
