//! Session resumption and TLS 1.3 early data against openssl s_server: resumption is reported,
//! early data accepted with `-early_data` is a warning, and refused without it.

use tlsgrade::report::{EndpointReport, Status};

use std::process::{Command, Stdio};

use crate::common::*;
use crate::peers::{need, s_server, wait_for_port, write, Peer};

/// s_server in its echo mode (`-early_data` cannot go with `-www`); its standard input stays
/// open, so it does not stop serving.
fn s_server_echo(
    dir: &std::path::Path,
    cert: &std::path::Path,
    key: &std::path::Path,
    extra: &[&str],
) -> (Peer, u16) {
    let port = free_port();
    let mut child = Command::new(need("openssl"))
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-quiet",
        ])
        .arg("-cert")
        .arg(cert)
        .arg("-key")
        .arg(key)
        .args(extra)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openssl s_server");
    wait_for_port(port, &mut child, "openssl s_server");
    (Peer(child, None), port)
}

async fn scan_s_server(extra: &[&str]) -> EndpointReport {
    let dir = tempfile::tempdir().unwrap();
    let l = leaf(&["www.resume.test"]);
    let cert = write(dir.path(), "chain.pem", &l.chain_pem);
    let key = write(dir.path(), "key.pem", &l.key_pem);
    let (_s, port) = if extra.contains(&"-early_data") {
        s_server_echo(dir.path(), &cert, &key, extra)
    } else {
        s_server(dir.path(), &cert, &key, extra)
    };
    let rule = format!("www.resume.test:443:127.0.0.1:{port}");
    let r = scan(&config(None, &[&rule]), "tls://www.resume.test:443").await;
    only_endpoint(&r).clone()
}

fn check_of<'a>(e: &'a EndpointReport, id: &str) -> &'a tlsgrade::report::Check {
    check(&e.checks, id).unwrap_or_else(|| panic!("no {id}: {:#?}", e.checks))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_data_accepted_by_openssl_is_a_warning_and_refused_passes() {
    let e = scan_s_server(&["-early_data"]).await;
    let r = check_of(&e, "tls.resumption");
    assert_eq!(r.status, Status::Info);
    assert!(r.detail.contains("TLS 1.3 ticket"), "{}", r.detail);
    let z = check_of(&e, "tls.0rtt");
    assert_eq!((z.status, z.cap), (Status::Warn, None), "{}", z.detail);

    let e = scan_s_server(&[]).await;
    assert_eq!(check_of(&e, "tls.0rtt").status, Status::Pass);
    assert!(check_of(&e, "tls.resumption").detail.contains("resume"));

    // A TLS 1.2-only server: resumption by session, and no 0-RTT check.
    let e = scan_s_server(&["-tls1_2"]).await;
    let r = check_of(&e, "tls.resumption");
    assert!(r.detail.contains("TLSv1.2"), "{}", r.detail);
    assert!(check(&e.checks, "tls.0rtt").is_none());

    // No session cache, no tickets: a full handshake each time.
    let e = scan_s_server(&["-no_cache", "-no_ticket"]).await;
    assert!(check_of(&e, "tls.resumption")
        .detail
        .starts_with("no session resumption"));
}
