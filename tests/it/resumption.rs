//! Session resumption and TLS 1.3 early data against openssl s_server: resumption is reported,
//! early data accepted with `-early_data` is a warning, and refused without it. sslyze 6.3.1
//! (`--early_data --resum`, the same peers in the same run) agrees on TLS 1.2 resumption (by
//! ticket) and on the server without early data; on the `-early_data` one it is wrong, and the
//! test says so.

use tlsgrade::report::{EndpointReport, Status};

use crate::common::*;
use crate::peers::{s_server_in, write, Peer};

/// The report of s_server started with `extra`, and the server, still running, with its port.
async fn scan_s_server(dir: &std::path::Path, extra: &[&str]) -> (EndpointReport, Peer, u16) {
    let l = leaf(&["www.resume.test"]);
    let cert = write(dir, "chain.pem", &l.chain_pem);
    let key = write(dir, "key.pem", &l.key_pem);
    let www = !extra.contains(&"-early_data");
    let (s, port) = s_server_in(dir, &cert, &key, extra, www);
    let rule = format!("www.resume.test:443:127.0.0.1:{port}");
    let r = scan(&config(None, &[&rule]), "tls://www.resume.test:443").await;
    (only_endpoint(&r).clone(), s, port)
}

/// sslyze's early-data and TLS 1.2 resumption results for each port, in one run.
fn sslyze(dir: &std::path::Path, ports: &[u16]) -> Vec<serde_json::Value> {
    let args = ["--early_data", "--resum", "--slow_connection"];
    crate::peers::sslyze_scan(dir, &args, ports)
}

fn check_of<'a>(e: &'a EndpointReport, id: &str) -> &'a tlsgrade::report::Check {
    check(&e.checks, id).unwrap_or_else(|| panic!("no {id}: {:#?}", e.checks))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_data_accepted_by_openssl_is_a_warning_and_refused_passes() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (e, early, early_port) = scan_s_server(dir, &["-early_data"]).await;
    let r = check_of(&e, "tls.resumption");
    assert_eq!(r.status, Status::Info);
    assert!(r.detail.contains("TLS 1.3 ticket"), "{}", r.detail);
    let z = check_of(&e, "tls.0rtt");
    assert_eq!((z.status, z.cap), (Status::Warn, None), "{}", z.detail);

    let (e, plain, plain_port) = scan_s_server(dir, &[]).await;
    assert_eq!(check_of(&e, "tls.0rtt").status, Status::Pass);
    assert!(check_of(&e, "tls.resumption").detail.contains("resume"));

    // A TLS 1.2-only server: resumption by session, and no 0-RTT check.
    let (e, tls12, tls12_port) = scan_s_server(dir, &["-tls1_2"]).await;
    let r = check_of(&e, "tls.resumption");
    assert!(r.detail.contains("TLSv1.2"), "{}", r.detail);
    assert!(check(&e.checks, "tls.0rtt").is_none());

    let s = sslyze(dir, &[early_port, plain_port, tls12_port]);
    let early_data =
        |r: &serde_json::Value| r["tls_1_3_early_data"]["result"]["supports_early_data"].clone();
    // Wrong: sslyze's first connection ends without close_notify, and OpenSSL's anti-replay
    // cache (on with -early_data) then forgets the session, so its ticket is never honoured
    // (`openssl s_client -sess_out`, ended with `Q`, then `-sess_in -early_data` shows "Early
    // data was accepted").
    assert_eq!(early_data(&s[0]), false, "{}", s[0]["tls_1_3_early_data"]);
    assert_eq!(early_data(&s[1]), false, "{}", s[1]["tls_1_3_early_data"]);
    let resum = &s[2]["session_resumption"]["result"];
    assert_eq!(
        resum["tls_ticket_resumption_result"], "FULLY_SUPPORTED",
        "{resum}"
    );
    drop((early, plain, tls12));

    // No session cache, no tickets: a full handshake each time.
    let (e, _s, _) = scan_s_server(dir, &["-no_cache", "-no_ticket"]).await;
    assert!(check_of(&e, "tls.resumption")
        .detail
        .starts_with("no session resumption"));
}
