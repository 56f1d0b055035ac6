//! Cipher classes, key exchange and protocol flaws against real peers: openssl s_server
//! limited to CBC, AEAD, RSA key exchange, NULL/anonymous suites, a 1024-bit DH group or an ECDSA
//! certificate, cross-checked with sslyze's cipher scan of the same servers in the same run; and
//! the lab SMTP server with and without the CVE-2011-0411 STARTTLS-injection bug.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, Versions};
use tlsgrade::report::{EndpointReport, Grade, Status};

use crate::common::*;
use crate::peers::{need, s_server};
use crate::versions::{openssl_cert, python, rsa_cert, scan_port};

const NAME: &str = "mx.example.test";

fn smtp_script(vulnerable: bool) -> SmtpScript {
    let cfg = server_config(&leaf(&[NAME]), Versions::Tls12And13).unwrap();
    let mut s = SmtpScript::new(NAME, Some(cfg));
    s.keep_plaintext_across_starttls = vulnerable;
    s
}

async fn scan_smtp(s: SmtpScript) -> EndpointReport {
    let srv = spawn_smtp(&[ip("127.0.0.1")], s).await.unwrap();
    let rt = format!("{NAME}:25:127.0.0.1:{}", srv.port());
    let r = scan(&config(None, &[&rt]), &format!("{NAME}:25")).await;
    only_endpoint(&r).clone()
}

#[tokio::test]
async fn starttls_injection_is_caught_on_a_vulnerable_server_and_caps_c() {
    let e = scan_smtp(smtp_script(true)).await;
    let c = has(&e.checks, "smtp.starttls-injection", Status::Fail);
    assert_eq!(c.cap, Some(Grade::C));
    assert!(c.detail.contains("250"), "{}", c.detail);
    assert_eq!(e.grade, letter(Grade::C), "{:#?}", e.checks);
}

#[tokio::test]
async fn a_clear_text_answer_to_the_injected_command_is_a_warning_without_cap() {
    let mut s = smtp_script(false);
    s.answer_plaintext_before_tls = true;
    let e = scan_smtp(s).await;
    let c = has(&e.checks, "smtp.starttls-injection", Status::Warn);
    assert_eq!(c.cap, None);
    assert!(c.detail.contains("clear text"), "{}", c.detail);
}

#[tokio::test]
async fn a_server_that_refuses_starttls_with_a_pipelined_command_passes_the_injection_probe() {
    let mut s = smtp_script(false);
    s.refuse_pipelined_starttls = Some("554 5.5.1 Error: SMTP synchronization error".into());
    let e = scan_smtp(s).await;
    let c = has(&e.checks, "smtp.starttls-injection", Status::Pass);
    assert!(c.detail.contains("554"), "{}", c.detail);
    assert_eq!(e.grade, letter(Grade::A), "{:#?}", e.checks);
}

#[tokio::test]
async fn a_server_that_discards_plaintext_at_starttls_passes_the_injection_probe() {
    let e = scan_smtp(smtp_script(false)).await;
    has(&e.checks, "smtp.starttls-injection", Status::Pass);
    // The rustls lab server: modern only, secure renegotiation, EMS, no compression, no weak class.
    has(&e.checks, "tls.renegotiation", Status::Pass);
    has(&e.checks, "tls.extended-master-secret", Status::Pass);
    has(&e.checks, "kx.weak-curve", Status::Pass);
    has(&e.checks, "tls.ccs-injection", Status::Pass);
    has(&e.checks, "tls.compression", Status::Pass);
    for id in ["cipher.rc4", "cipher.3des", "cipher.null", "cipher.anon"] {
        has(&e.checks, id, Status::Pass);
    }
    assert_eq!(e.grade, letter(Grade::A), "{:#?}", e.checks);
    // Without --ciphers the groups are the one the full handshake negotiated: no connection.
    let kx = e.key_exchange.as_ref().unwrap();
    let accepted: Vec<&str> = kx
        .groups
        .iter()
        .filter(|g| g.accepted == Some(true))
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(accepted, ["x25519"], "{kx:?}");
}

/// An ECDSA P-256 certificate made by openssl.
fn ecdsa_cert(dir: &Path) -> (PathBuf, PathBuf) {
    openssl_cert(
        dir,
        "ec",
        &["ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "peer.example.test",
    )
}

fn dh1024(dir: &Path) -> PathBuf {
    let p = dir.join("dh1024.pem");
    let st = Command::new(need("openssl"))
        .args(["dhparam", "-out"])
        .arg(&p)
        .arg("1024")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    p
}

/// What sslyze's TLS 1.2 cipher scan says about a server, in the terms of our report.
#[derive(Debug, PartialEq, Eq)]
struct Classes {
    fs: bool,
    aead: bool,
    null: bool,
    anon: bool,
}

fn classes_of(names: &[String]) -> Classes {
    Classes {
        fs: names
            .iter()
            .any(|n| n.contains("DHE_") && !n.contains("anon")),
        aead: names
            .iter()
            .any(|n| n.contains("GCM") || n.contains("CHACHA20") || n.contains("CCM")),
        null: names.iter().any(|n| n.contains("_NULL_")),
        anon: names.iter().any(|n| n.contains("_anon_")),
    }
}

fn ours(e: &EndpointReport) -> Classes {
    let c = e.ciphers.as_ref().unwrap();
    let class = |k: &str| {
        c.versions.tls12.as_ref().is_some_and(|v| {
            v.weak_classes
                .iter()
                .any(|w| w.class.as_str() == k && w.accepted == Some(true))
        })
    };
    Classes {
        fs: c.forward_secrecy == Some(true),
        aead: c.aead == Some(true),
        null: class("null"),
        anon: class("anon"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cipher_classes_and_key_exchange_match_the_truth_and_sslyze_on_openssl_peers() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let (ec_cert, ec_key) = ecdsa_cert(dir.path());
    let dh = dh1024(dir.path());
    let dh = dh.to_str().unwrap().to_string();
    struct Case {
        what: &'static str,
        ecdsa: bool,
        args: Vec<String>,
    }
    let case = |what, ecdsa, args: &[&str]| Case {
        what,
        ecdsa,
        args: args.iter().map(|s| s.to_string()).collect(),
    };
    let cases = [
        case(
            "CBC only, no RC4",
            false,
            &["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:AES256-SHA"],
        ),
        case(
            "AEAD only",
            false,
            &[
                "-cipher",
                "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
            ],
        ),
        case(
            "RSA key exchange only",
            false,
            &["-tls1_2", "-cipher", "AES128-GCM-SHA256:AES128-SHA"],
        ),
        case(
            "DHE with a 1024-bit group",
            false,
            &[
                "-tls1_2",
                "-cipher",
                "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
                "-dhparam",
                &dh,
            ],
        ),
        case(
            "ECDSA certificate",
            true,
            &["-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
        ),
        case(
            "NULL and anonymous suites",
            false,
            &[
                "-tls1_2",
                "-cipher",
                "ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA:ADH-AES128-SHA:@SECLEVEL=0",
            ],
        ),
    ];
    let mut peers = Vec::new();
    let mut reports = Vec::new();
    for c in &cases {
        let (cert, key) = if c.ecdsa {
            (&ec_cert, &ec_key)
        } else {
            (&cert, &key)
        };
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let (p, port) = s_server(dir.path(), cert, key, &args);
        peers.push(p);
        let started = Instant::now();
        let e = scan_port("tls://peer.example.test:443", port).await;
        eprintln!(
            "{}: {} cipher-probe connections, {} ms",
            c.what,
            e.ciphers.as_ref().map_or(0, |c| c.connections),
            started.elapsed().as_millis()
        );
        reports.push((port, e));
    }
    let get = |i: usize| &reports[i].1;

    // The truth, as configured.
    let e = get(0);
    // (The grade is C whatever we find: rustls has no CBC suite, so the full handshake fails.)
    assert_eq!(
        has(&e.checks, "cipher.no-aead", Status::Warn).cap,
        Some(Grade::B)
    );
    has(&e.checks, "cipher.no-fs", Status::Pass);
    has(&e.checks, "cipher.rc4", Status::Pass);
    has(&e.checks, "tls.renegotiation", Status::Pass);
    has(&e.checks, "tls.compression", Status::Pass);

    let e = get(1);
    has(&e.checks, "cipher.no-aead", Status::Pass);
    has(&e.checks, "cipher.no-fs", Status::Pass);
    assert_eq!(e.key_exchange.as_ref().unwrap().dhe, Some(false));

    let e = get(2);
    assert_eq!(
        has(&e.checks, "cipher.no-fs", Status::Warn).cap,
        Some(Grade::B)
    );

    let e = get(3);
    let kx = e.key_exchange.as_ref().unwrap();
    assert_eq!(kx.dh_bits, Some(1024), "{kx:?}");
    assert_eq!(
        has(&e.checks, "kx.dh-small", Status::Warn).cap,
        Some(Grade::B)
    );

    let e = get(4);
    assert_eq!(
        e.certificate.as_ref().unwrap().chain[0].key_type.name(),
        "EC P-256"
    );
    has(&e.checks, "cipher.no-fs", Status::Pass);
    // Every group is tried with --ciphers only.
    let rt = format!("peer.example.test:443:127.0.0.1:{}", reports[4].0);
    let mut cfg = config(None, &[&rt]);
    cfg.full_ciphers = true;
    let full = scan(&cfg, "tls://peer.example.test:443").await;
    let e = only_endpoint(&full);
    let groups: Vec<&str> = e
        .key_exchange
        .as_ref()
        .unwrap()
        .groups
        .iter()
        .filter(|g| g.accepted == Some(true))
        .map(|g| g.name.as_str())
        .collect();
    assert!(
        groups.contains(&"secp256r1") && groups.contains(&"secp384r1"),
        "{groups:?}"
    );

    let e = get(5);
    let null = has(&e.checks, "cipher.null", Status::Fail);
    assert_eq!(null.cap, Some(Grade::F));
    assert!(
        null.detail.contains("TLS_RSA_WITH_NULL_SHA"),
        "{}",
        null.detail
    );
    assert_eq!(
        has(&e.checks, "cipher.anon", Status::Warn).cap,
        Some(Grade::A)
    );
    assert_eq!(e.grade, letter(Grade::F));

    // sslyze's TLS 1.2 cipher scan of the same servers, in the same run.
    let out_file = dir.path().join("sslyze.json");
    let mut cmd = Command::new(python());
    cmd.args([
        "-m",
        "sslyze",
        "--quiet",
        "--mozilla_config",
        "disable",
        "--tlsv1_2",
        "--json_out",
    ])
    .arg(&out_file);
    for (port, _) in &reports {
        cmd.arg(format!("127.0.0.1:{port}"));
    }
    let started = Instant::now();
    let st = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "sslyze failed");
    eprintln!(
        "sslyze TLS 1.2 cipher scan of {} servers: {} ms",
        reports.len(),
        started.elapsed().as_millis()
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    for r in v["server_scan_results"].as_array().unwrap() {
        let port = r["server_location"]["port"].as_u64().unwrap() as u16;
        let i = reports.iter().position(|(p, _)| *p == port).unwrap();
        let names: Vec<String> = r["scan_result"]["tls_1_2_cipher_suites"]["result"]
            ["accepted_cipher_suites"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["cipher_suite"]["name"].as_str().unwrap().to_string())
            .collect();
        let mut theirs = classes_of(&names);
        let mine = ours(&reports[i].1);
        // TLS 1.3 (AEAD-only peer) is outside sslyze's TLS 1.2 scan.
        if reports[i].1.protocols.as_ref().unwrap().tls13 == Some(true) {
            theirs.fs = true;
            theirs.aead = true;
        }
        assert_eq!(
            mine, theirs,
            "{} disagrees with sslyze ({names:?})",
            cases[i].what
        );
    }
    drop(peers);
}

/// Postfix with its own cipher defaults and with `medium` at OpenSSL security level 0: what the
/// default probes find agrees with sslyze's cipher scan, and the cost of both is printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postfix_default_and_medium_cipher_lists_agree_with_sslyze() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "mx.example.test");
    let _ = Command::new("chmod")
        .arg("-R")
        .arg("a+rX")
        .arg(dir.path())
        .status();
    let configs = [
        ("Postfix defaults", ""),
        (
            "Postfix medium",
            "smtpd_tls_ciphers = medium\ntls_medium_cipherlist = DEFAULT:@SECLEVEL=0\n",
        ),
    ];
    for (i, (what, ciphers)) in configs.iter().enumerate() {
        let port = crate::peers::free_port();
        let _pf = crate::peers::postfix_with(
            &dir.path().join(format!("pf{i}")),
            port,
            &cert,
            &key,
            ">=TLSv1",
            ciphers,
        );
        let started = Instant::now();
        let e = scan_port("mx.example.test:25", port).await;
        let ours_ms = started.elapsed().as_millis();
        let c = e.ciphers.as_ref().expect("cipher results");
        has(&e.checks, "smtp.starttls-injection", Status::Pass);
        has(&e.checks, "tls.renegotiation", Status::Pass);
        has(&e.checks, "tls.compression", Status::Pass);
        has(&e.checks, "tls.ccs-injection", Status::Pass);
        has(&e.checks, "tls.extended-master-secret", Status::Pass);
        has(&e.checks, "tls.robot", Status::Pass);
        // The same server with --ciphers, for the cost comparison.
        let rt = format!("mx.example.test:25:127.0.0.1:{port}");
        let mut cfg = config(None, &[&rt]);
        cfg.full_ciphers = true;
        let started = Instant::now();
        let full = scan(&cfg, "mx.example.test:25").await;
        let full_ms = started.elapsed().as_millis();
        let full = only_endpoint(&full);
        let full_conns = full.ciphers.as_ref().unwrap().connections;
        let t12 = full
            .ciphers
            .as_ref()
            .unwrap()
            .versions
            .tls12
            .as_ref()
            .unwrap();
        assert!(!t12.accepted_suites.as_ref().unwrap().is_empty());

        let out_file = dir.path().join(format!("sslyze{i}.json"));
        let started = Instant::now();
        let st = Command::new(python())
            .args(["-m", "sslyze", "--quiet", "--mozilla_config", "disable"])
            .args(["--starttls", "smtp", "--sslv3", "--tlsv1", "--tlsv1_1"])
            .args(["--tlsv1_2", "--tlsv1_3", "--json_out"])
            .arg(&out_file)
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        let sslyze_ms = started.elapsed().as_millis();
        assert!(st.success(), "sslyze failed");
        eprintln!(
            "{what}: tlsgrade {ours_ms} ms, {} cipher-probe connections (+ 5 version probes, 1 handshake, fallback); with --ciphers {full_ms} ms, {full_conns} connections; sslyze full cipher scan {sslyze_ms} ms",
            c.connections
        );
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
        let r = &v["server_scan_results"][0]["scan_result"];
        let names: Vec<String> = r["tls_1_2_cipher_suites"]["result"]["accepted_cipher_suites"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["cipher_suite"]["name"].as_str().unwrap().to_string())
            .collect();
        let mut theirs = classes_of(&names);
        if e.protocols.as_ref().unwrap().tls13 == Some(true) {
            theirs.fs = true;
            theirs.aead = true;
        }
        assert_eq!(ours(&e), theirs, "{what} disagrees with sslyze ({names:?})");
    }
}

/// A TLS 1.2 server (the lab's scripted responder: OpenSSL 3 serves no RC4 or 3DES) that prefers
/// RC4, then 3DES, then AES-CBC, enables DEFLATE and lacks secure renegotiation.
#[tokio::test]
async fn rc4_3des_compression_and_missing_secure_renegotiation_on_a_scripted_server() {
    use tlsgrade::lab::legacy::LegacyScript;
    let mut s = LegacyScript::range(0x0303, 0x0303);
    s.preference = Some(vec![0x0005, 0x000a, 0x002f]);
    s.compression = 1;
    let e = scan_scripted(s).await;
    let rc4 = has(&e.checks, "cipher.rc4", Status::Fail);
    assert_eq!(rc4.cap, Some(Grade::C));
    assert!(
        rc4.detail.contains("TLS_RSA_WITH_RC4_128_SHA in TLSv1.2"),
        "{}",
        rc4.detail
    );
    assert_eq!(
        has(&e.checks, "cipher.3des", Status::Fail).cap,
        Some(Grade::C)
    );
    has(&e.checks, "cipher.export", Status::Pass);
    has(&e.checks, "cipher.null", Status::Pass);
    assert_eq!(
        has(&e.checks, "tls.compression", Status::Fail).cap,
        Some(Grade::C)
    );
    assert_eq!(
        has(&e.checks, "tls.renegotiation", Status::Warn).cap,
        Some(Grade::A)
    );
    // Nor does it answer extended_master_secret: a warning, no cap (the rubric).
    assert_eq!(
        has(&e.checks, "tls.extended-master-secret", Status::Warn).cap,
        None
    );
    assert_eq!(
        has(&e.checks, "cipher.no-fs", Status::Warn).cap,
        Some(Grade::B)
    );
    let t12 = e.ciphers.as_ref().unwrap().versions.tls12.as_ref().unwrap();
    let rc4 = t12
        .weak_classes
        .iter()
        .find(|w| w.class.as_str() == "rc4")
        .unwrap();
    assert_eq!(
        rc4.suite.as_ref().unwrap().openssl.as_deref(),
        Some("RC4-SHA")
    );
    // Its own order: RC4 first whatever the client prefers.
    assert_eq!(t12.server_preference, Some(true));
    assert_eq!(e.ciphers.as_ref().unwrap().weakest_bits, Some(112));
}

/// `--ciphers` lists exactly what sslyze lists, in the server's order when it has one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_enumeration_lists_what_sslyze_lists_and_the_server_order() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let list =
        "AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";
    let (_p, port) = s_server(
        dir.path(),
        &cert,
        &key,
        &["-tls1_2", "-serverpref", "-cipher", list],
    );
    let rt = format!("peer.example.test:443:127.0.0.1:{port}");
    let mut cfg = config(None, &[&rt]);
    cfg.full_ciphers = true;
    let started = Instant::now();
    let r = scan(&cfg, "tls://peer.example.test:443").await;
    let e = only_endpoint(&r);
    let c = e.ciphers.as_ref().unwrap();
    let t12 = c.versions.tls12.as_ref().unwrap();
    let got: Vec<&str> = t12
        .accepted_suites
        .as_ref()
        .unwrap()
        .iter()
        .map(|s| s.openssl.as_deref().unwrap_or(&s.iana))
        .collect();
    eprintln!(
        "--ciphers: {} connections, {} ms",
        c.connections,
        started.elapsed().as_millis()
    );
    // -serverpref: the server's own order, as configured.
    assert_eq!(got, list.split(':').collect::<Vec<_>>());
    assert_eq!(t12.server_preference, Some(true));

    let out_file = dir.path().join("sslyze.json");
    let st = Command::new(python())
        .args([
            "-m",
            "sslyze",
            "--quiet",
            "--mozilla_config",
            "disable",
            "--tlsv1_2",
        ])
        .arg("--json_out")
        .arg(&out_file)
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    let mut theirs: Vec<String> = v["server_scan_results"][0]["scan_result"]
        ["tls_1_2_cipher_suites"]["result"]["accepted_cipher_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cipher_suite"]["name"].as_str().unwrap().to_string())
        .collect();
    let mut ours: Vec<String> = t12
        .accepted_suites
        .as_ref()
        .unwrap()
        .iter()
        .map(|s| s.iana.clone())
        .collect();
    theirs.sort();
    ours.sort();
    assert_eq!(ours, theirs);
}

/// Heartbleed: a responder that answers a heartbeat request with the length it claims fails and
/// caps F, with only the byte count in the report; a server without the extension passes.
#[tokio::test]
async fn heartbleed_is_detected_by_the_answer_length_only() {
    use tlsgrade::lab::legacy::LegacyScript;
    let mut s = LegacyScript::range(0x0301, 0x0303);
    s.preference = Some(vec![0x002f]);
    s.renegotiation_info = true;
    s.heartbleed = true;
    let e = scan_scripted(s).await;
    let c = has(&e.checks, "tls.heartbleed", Status::Fail);
    assert_eq!(c.cap, Some(Grade::F));
    assert!(c.detail.contains("16403 bytes"), "{}", c.detail);
    assert_eq!(e.grade, letter(Grade::F));

    let mut s = LegacyScript::range(0x0301, 0x0303);
    s.preference = Some(vec![0x002f]);
    let e = scan_scripted(s).await;
    has(&e.checks, "tls.heartbleed", Status::Pass);
}

/// Extended master secret (RFC 7627), read from the TLS 1.2 ServerHello: a real TLS 1.2 peer
/// (tlslite-ng) with it off warns without a cap and blocks A+-grade cleanliness; the same peer
/// with it on passes; so does the scripted responder once told to answer it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_master_secret_is_read_from_the_tls12_server_hello() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    for (ems, status) in [(false, Status::Warn), (true, Status::Pass)] {
        let mut args = vec!["--min", "tls1.2", "--max", "tls1.2"];
        if ems {
            args.push("--ems");
        }
        let (_p, port) = crate::versions::tlslite_with(&cert, &key, false, &args);
        let e = scan_port("tls://peer.example.test:443", port).await;
        let c = has(&e.checks, "tls.extended-master-secret", status);
        assert_eq!(c.cap, None, "tlslite-ng ems={ems}");
    }
    use tlsgrade::lab::legacy::LegacyScript;
    let mut s = LegacyScript::range(0x0303, 0x0303);
    s.preference = Some(vec![0xc02f, 0x009c]);
    s.renegotiation_info = true;
    s.extended_master_secret = true;
    let e = scan_scripted(s).await;
    has(&e.checks, "tls.extended-master-secret", Status::Pass);
}

/// ECDHE curves under 224 bits: openssl s_server told to offer secp192r1 takes it from a hello
/// that lists only weak curves (warn, cap B); with its default groups it refuses that hello.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_curve_under_224_bits_caps_at_b_and_the_default_openssl_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let weak = [
        "-tls1_2",
        "-groups",
        "secp192r1:prime256v1",
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
    ];
    let (_p, port) = s_server(dir.path(), &cert, &key, &weak);
    let e = scan_port("tls://peer.example.test:443", port).await;
    let c = has(&e.checks, "kx.weak-curve", Status::Warn);
    assert_eq!(c.cap, Some(Grade::B));
    assert!(c.detail.contains("secp192r1 (192 bits)"), "{}", c.detail);
    assert_eq!(e.grade, letter(Grade::B), "{:#?}", e.checks);

    let (_p, port) = s_server(dir.path(), &cert, &key, &["-tls1_2"]);
    let e = scan_port("tls://peer.example.test:443", port).await;
    let c = has(&e.checks, "kx.weak-curve", Status::Pass);
    assert!(c.detail.contains("refused"), "{}", c.detail);

    // An ECDSA P-256 certificate: P-256 must be offered too (after the weak curves), and a
    // server that has secp192r1 still takes it first; one that has not chooses P-256.
    let (cert, key) = ecdsa_cert(dir.path());
    let (_p, port) = s_server(dir.path(), &cert, &key, &weak);
    let e = scan_port("tls://peer.example.test:443", port).await;
    let c = has(&e.checks, "kx.weak-curve", Status::Warn);
    assert!(c.detail.contains("secp192r1 (192 bits)"), "{}", c.detail);
    let (_p, port) = s_server(dir.path(), &cert, &key, &["-tls1_2"]);
    let e = scan_port("tls://peer.example.test:443", port).await;
    let c = has(&e.checks, "kx.weak-curve", Status::Pass);
    assert!(c.detail.contains("chose secp256r1"), "{}", c.detail);
}

/// CCS injection (CVE-2014-0224): real servers (OpenSSL 3 behind s_server, tlslite-ng) refuse an
/// early ChangeCipherSpec; the scripted responder playing a vulnerable OpenSSL 1.0.1 (silent at
/// the first, bad_record_mac at the next record) fails and caps F.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_early_change_cipher_spec_is_refused_by_real_servers_and_caught_when_accepted() {
    use tlsgrade::lab::legacy::{EarlyCcs, LegacyScript};
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let (_p, port) = s_server(dir.path(), &cert, &key, &["-tls1_2"]);
    let e = scan_port("tls://peer.example.test:443", port).await;
    let c = has(&e.checks, "tls.ccs-injection", Status::Pass);
    assert!(c.detail.contains("unexpected_message"), "{}", c.detail);
    let (_p, port) =
        crate::versions::tlslite_with(&cert, &key, false, &["--min", "tls1.0", "--max", "tls1.2"]);
    let e = scan_port("tls://peer.example.test:443", port).await;
    has(&e.checks, "tls.ccs-injection", Status::Pass);

    for (how, status) in [
        (EarlyCcs::Vulnerable, Status::Fail),
        (EarlyCcs::Refuse, Status::Pass),
    ] {
        let mut s = LegacyScript::range(0x0301, 0x0303);
        s.preference = Some(vec![0x009c, 0x002f]);
        s.renegotiation_info = true;
        s.extended_master_secret = true;
        s.early_ccs = how;
        let e = scan_scripted(s).await;
        let c = has(&e.checks, "tls.ccs-injection", status);
        if how == EarlyCcs::Vulnerable {
            assert_eq!(c.cap, Some(Grade::F));
            assert!(c.detail.contains("bad_record_mac"), "{}", c.detail);
            assert_eq!(e.grade, letter(Grade::F));
        }
    }
}

/// ROBOT: OpenSSL 3 behind s_server answers all five RSA key exchanges alike (pass); the scripted
/// responder decrypting with the same openssl-made key and answering by padding is an oracle:
/// fail, cap F, with the pattern named. A server without RSA key exchange passes in one
/// connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robot_oracle_is_caught_and_real_openssl_is_not_one() {
    use tlsgrade::lab::legacy::{spawn_legacy, LegacyScript, RsaKey};
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = rsa_cert(dir.path(), "peer.example.test");
    let (_p, port) = s_server(dir.path(), &cert, &key, &["-tls1_2"]);
    let e = scan_port("tls://peer.example.test:443", port).await;
    let c = has(&e.checks, "tls.robot", Status::Pass);
    assert!(
        c.detail.contains("all drew the same answer"),
        "{}",
        c.detail
    );
    let (_p, port) = s_server(
        dir.path(),
        &cert,
        &key,
        &["-tls1_2", "-cipher", "ECDHE+AESGCM"],
    );
    let e = scan_port("tls://peer.example.test:443", port).await;
    let c = has(&e.checks, "tls.robot", Status::Pass);
    assert!(c.detail.contains("no RSA key exchange"), "{}", c.detail);

    let chain: Vec<Vec<u8>> = rustls_pemfile::certs(&mut &std::fs::read(&cert).unwrap()[..])
        .map(|c| c.unwrap().to_vec())
        .collect();
    let key_der = rustls_pemfile::private_key(&mut &std::fs::read(&key).unwrap()[..])
        .unwrap()
        .unwrap();
    let mut s = LegacyScript::range(0x0303, 0x0303);
    s.preference = Some(vec![0x002f]);
    s.renegotiation_info = true;
    s.certificates = chain;
    s.rsa_oracle = Some(RsaKey::from_der(key_der.secret_der()).expect("RSA key"));
    let srv = spawn_legacy(ip("127.0.0.1"), s).await.unwrap();
    let e = scan_port("tls://peer.example.test:443", srv.port()).await;
    let c = has(&e.checks, "tls.robot", Status::Fail);
    assert_eq!(c.cap, Some(Grade::F));
    assert!(
        c.detail.contains("correct padding: alert bad_record_mac")
            && c.detail
                .contains("wrong first bytes: alert handshake_failure"),
        "{}",
        c.detail
    );
    assert_eq!(e.grade, letter(Grade::F));
}

/// Scans the lab's scripted TLS responder playing `s`, as `tls://old.example.test:443`.
async fn scan_scripted(s: tlsgrade::lab::legacy::LegacyScript) -> EndpointReport {
    let srv = tlsgrade::lab::legacy::spawn_legacy(ip("127.0.0.1"), s)
        .await
        .unwrap();
    scan_port("tls://old.example.test:443", srv.port()).await
}
