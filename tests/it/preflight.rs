//! `tlsgrade cert` as an admin runs it before binding a renewed certificate: PFX files made by
//! `openssl pkcs12 -export` (legacy and modern encryption), a signed zone whose TLSA records
//! name the old key, an MTA-STS policy naming an extra host, a revoked certificate, a wrong
//! password and a truncated file.

use std::collections::HashMap;
use std::path::Path;

use tlsgrade::lab::dns::{DnsLab, Zone, ZoneKey};
use tlsgrade::lab::https::{spawn_https, HttpReply};
use tlsgrade::lab::tls::{server_config, Versions};
use x509_parser::prelude::*;

use crate::common::*;
use crate::openssl_ca::{openssl, pem_to_der, Ca, Issued, Key};

fn spki_hex(issued: &Issued) -> String {
    let der = pem_to_der(&issued.cert);
    let (_, c) = X509Certificate::from_der(&der).unwrap();
    ring::digest::digest(&ring::digest::SHA256, c.public_key().raw)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn spki_bytes(issued: &Issued) -> Vec<u8> {
    (0..32)
        .map(|i| u8::from_str_radix(&spki_hex(issued)[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// `openssl pkcs12 -export` of `leaf` with its key and the issuing CA, password `secret`.
fn pfx(ca: &Ca, leaf: &Issued, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = ca.dir.join(name);
    let mut args = vec![
        "pkcs12",
        "-export",
        "-in",
        leaf.cert.to_str().unwrap(),
        "-inkey",
        leaf.key.to_str().unwrap(),
        "-certfile",
        ca.cert.to_str().unwrap(),
        "-out",
        out.to_str().unwrap(),
        "-passout",
        "pass:secret",
    ];
    args.extend_from_slice(extra);
    openssl(&args, &ca.dir);
    out
}

/// Runs `tlsgrade cert ARGS --json -` with PW=secret in the environment.
async fn cert(args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_tlsgrade"))
        .arg("cert")
        .args(args)
        .args(["--json", "-"])
        .env("PW", "secret")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn status_of<'a>(checks: &'a serde_json::Value, id: &str) -> &'a str {
    checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("no {id} in {checks:#}"))
}

fn detail_of<'a>(checks: &'a serde_json::Value, id: &str) -> &'a str {
    checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["detail"].as_str())
        .unwrap()
}

/// A mail domain pre.test with MX mx1 and mx2, DANE `3 1 1` for `published`'s key at mx1, and an
/// MTA-STS policy listing mx1, mx2 and the literal `mx3.pre.test`.
struct Domain {
    _dns: tlsgrade::lab::ServerHandle,
    _https: tlsgrade::lab::https::HttpsServer,
    args: Vec<String>,
    _dir: tempfile::TempDir,
}

async fn domain(root: &Ca, published: &Issued) -> Domain {
    let key = ZoneKey::generate().unwrap();
    let dns = DnsLab::new()
        .zone(
            Zone::new("test")
                .mx("pre.test", 10, "mx1.pre.test")
                .mx("pre.test", 20, "mx2.pre.test")
                .addr("mx1.pre.test", ip("127.0.0.1"))
                .addr("mx2.pre.test", ip("127.0.0.1"))
                .addr("mta-sts.pre.test", ip("127.0.0.1"))
                .txt("_mta-sts.pre.test", &["v=STSv1; id=1"])
                .tlsa("_25._tcp.mx1.pre.test", 3, 1, 1, &spki_bytes(published))
                .signed(&key),
        )
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let policy_cert = pki()
        .leaf(&tlsgrade::lab::pki::LeafSpec::valid(&["mta-sts.pre.test"]))
        .unwrap();
    let https = spawn_https(
        ip("127.0.0.1"),
        server_config(&policy_cert, Versions::Tls12And13).unwrap(),
        vec![HttpReply::policy(
            "version: STSv1\nmode: enforce\nmx: mx1.pre.test\nmx: mx2.pre.test\nmx: mx3.pre.test\nmax_age: 86400\n",
        )],
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let anchor = dir.path().join("anchor");
    std::fs::write(&anchor, key.anchor("test").unwrap()).unwrap();
    let lab_root = dir.path().join("lab-root.pem");
    std::fs::write(&lab_root, pki().root_pem()).unwrap();
    let args = vec![
        "--resolver".into(),
        dns.addr().to_string(),
        "--trust-anchor".into(),
        anchor.display().to_string(),
        "--ca-file".into(),
        root.cert.display().to_string(),
        "--ca-file".into(),
        lab_root.display().to_string(),
        "--connect-to".into(),
        format!("mta-sts.pre.test:443:127.0.0.1:{}", https.port()),
        "--no-revocation".into(),
        "--timeout".into(),
        "3".into(),
    ];
    Domain {
        _dns: dns,
        _https: https,
        args,
        _dir: dir,
    }
}

fn sha1_thumbprint(p: &Path, dir: &Path) -> String {
    let out = std::process::Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-fingerprint",
            "-sha1",
            "-in",
            p.to_str().unwrap(),
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_with_a_new_key_is_caught_before_binding() {
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let int = root.intermediate("int");
    let old = int.issue(
        "old",
        &["mx1.pre.test", "mx2.pre.test"],
        Key::P256,
        "",
        -60,
        30,
    );
    // The renewal: a new key, and a name forgotten.
    let new = int.issue(
        "new",
        &["mx1.pre.test", "mx2.pre.test"],
        Key::Rsa,
        "",
        -1,
        90,
    );
    let d = domain(&root, &old).await;
    for (name, extra) in [
        ("modern.pfx", &[][..]),
        ("legacy.pfx", &["-legacy"][..]),
        (
            "exchange.pfx",
            &[
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ][..],
        ),
    ] {
        let file = pfx(&int, &new, name, extra);
        let mut args: Vec<&str> = vec![
            file.to_str().unwrap(),
            "--password-env",
            "PW",
            "--for",
            "pre.test",
        ];
        args.extend(d.args.iter().map(String::as_str));
        let (code, v, err) = cert(&args).await;
        assert_eq!(code, Some(1), "{name}: {err}\n{v:#}");
        assert_eq!(v["certificate"]["format"], "pkcs12");
        assert_eq!(v["certificate"]["key"], "matches");
        assert_eq!(
            v["certificate"]["thumbprint"].as_str().unwrap(),
            sha1_thumbprint(&new.cert, &int.dir)
        );
        for id in [
            "preflight.chain",
            "preflight.key",
            "preflight.lifetime",
            "preflight.expiry",
        ] {
            assert_eq!(status_of(&v["checks"], id), "pass", "{name} {id}: {v:#}");
        }
        let t = &v["targets"][0]["checks"];
        // MTA-STS names mx3.pre.test; the certificate does not.
        assert_eq!(status_of(t, "preflight.names"), "fail");
        assert!(detail_of(t, "preflight.names").contains("mx3.pre.test"));
        assert!(!detail_of(t, "preflight.names").contains("mx1.pre.test"));
        // TLSA at mx1 names the old key: the exact record to publish, and the TTL.
        assert_eq!(status_of(t, "preflight.tlsa"), "fail");
        let want = format!("_25._tcp.mx1.pre.test. IN TLSA 3 1 1 {}", spki_hex(&new));
        assert!(
            detail_of(t, "preflight.tlsa").contains(&want),
            "{}",
            detail_of(t, "preflight.tlsa")
        );
        assert_eq!(v["tlsa_records"][0]["data"], spki_hex(&new));
        assert_eq!(v["tlsa_records"][0]["usage"], 3);
        assert_eq!(v["tlsa_records"][1]["usage"], 2);
    }

    // The same key renewed (TLSA 3 1 1 still matches), covering every name: nothing fails.
    let names = ["mx1.pre.test", "mx2.pre.test", "mx3.pre.test"];
    let same_key = int.issue_with_key("same-key", &names, &old.key, "", -1, 90);
    let bundle = [
        same_key.cert.to_str().unwrap(),
        same_key.key.to_str().unwrap(),
        int.cert.to_str().unwrap(),
    ];
    let mut args: Vec<&str> = bundle.to_vec();
    args.extend(["--for", "pre.test"]);
    args.extend(d.args.iter().map(String::as_str));
    let (code, v, err) = cert(&args).await;
    assert_eq!(code, Some(0), "{err}\n{v:#}");
    assert_eq!(v["certificate"]["format"], "pem");
    let t = &v["targets"][0]["checks"];
    assert_eq!(status_of(t, "preflight.names"), "pass");
    assert_eq!(status_of(t, "preflight.tlsa"), "pass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_exit_2_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let leaf = root.issue("leaf", &["www.pre.test"], Key::P256, "", -1, 90);
    let file = pfx(&root, &leaf, "leaf.pfx", &[]);
    let f = file.to_str().unwrap();

    let wrong = tokio::process::Command::new(env!("CARGO_BIN_EXE_tlsgrade"))
        .args(["cert", f, "--password-env", "PW"])
        .env("PW", "not the password")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("password"));

    // No password and no terminal to ask on: said, not waited for.
    let (code, _, err) = cert(&[f]).await;
    assert_eq!(code, Some(2));
    assert!(err.contains("--password-env"), "{err}");

    let bytes = std::fs::read(&file).unwrap();
    let cut = dir.path().join("cut.pfx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, _, err) = cert(&[cut.to_str().unwrap(), "--password-env", "PW"]).await;
    assert_eq!(code, Some(2), "{err}");

    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let (code, _, err) = cert(&[junk.to_str().unwrap()]).await;
    assert_eq!(code, Some(2), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_lifetime_revocation_and_at_are_judged_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let int = root.intermediate("int");
    let crl_port = free_port();
    let ext = format!("crlDistributionPoints=URI:http://127.0.0.1:{crl_port}/int.crl");
    let revoked = int.issue("revoked", &["www.pre.test"], Key::P256, &ext, -1, 90);
    int.revoke(&revoked.cert, "keyCompromise");
    let long = int.issue("long", &["www.pre.test"], Key::P256, "", -1, 500);
    let routes = HashMap::from([("/int.crl".to_string(), int.crl_der())]);
    let _crl = crate::revocation::serve_http(crl_port, routes).await;
    let ca = root.cert.to_str().unwrap();
    let chain = int.cert.to_str().unwrap();

    let (code, v, err) = cert(&[revoked.cert.to_str().unwrap(), chain, "--ca-file", ca]).await;
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(status_of(&v["checks"], "preflight.revocation"), "fail");
    assert_eq!(v["certificate"]["key"], "absent");
    assert_eq!(status_of(&v["checks"], "preflight.key"), "warn");

    // 500 days from a private CA: over the public limit, which binds only public CAs.
    let (code, v, _) = cert(&[
        long.cert.to_str().unwrap(),
        chain,
        "--ca-file",
        ca,
        "--no-revocation",
    ])
    .await;
    assert_eq!(code, Some(0));
    assert_eq!(status_of(&v["checks"], "preflight.lifetime"), "info");

    // "Will it still pass in 100 days?" No: it expires in 90.
    let (code, v, _) = cert(&[
        revoked.cert.to_str().unwrap(),
        chain,
        "--ca-file",
        ca,
        "--no-revocation",
        "--at",
        "+100d",
    ])
    .await;
    assert_eq!(code, Some(1));
    assert_eq!(status_of(&v["checks"], "preflight.expiry"), "fail");
    // Out of order (chain first) is still the same chain, re-ordered and said.
    let (_, v, _) = cert(&[
        chain,
        long.cert.to_str().unwrap(),
        "--ca-file",
        ca,
        "--no-revocation",
    ])
    .await;
    assert_eq!(v["certificate"]["in_order"], false);
    assert_eq!(status_of(&v["checks"], "preflight.chain"), "warn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_intermediate_is_fetched_from_aia_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let int = root.intermediate("int");
    let port = free_port();
    let ext = format!("authorityInfoAccess=caIssuers;URI:http://127.0.0.1:{port}/int.der");
    let leaf = int.issue("leaf", &["www.pre.test"], Key::P256, &ext, -1, 90);
    let routes = HashMap::from([("/int.der".to_string(), pem_to_der(&int.cert))]);
    let aia = crate::revocation::serve_http(port, routes).await;
    let ca = root.cert.to_str().unwrap();
    let (code, v, err) = cert(&[
        leaf.cert.to_str().unwrap(),
        "--ca-file",
        ca,
        "--no-revocation",
    ])
    .await;
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(status_of(&v["checks"], "preflight.chain"), "warn");
    assert!(detail_of(&v["checks"], "preflight.chain").contains("/int.der"));
    assert_eq!(v["certificate"]["chain"].as_array().unwrap().len(), 2);
    assert_eq!(aia.hits.load(std::sync::atomic::Ordering::SeqCst), 1);

    // Without the AIA pointer (or the intermediate), no path: fail.
    let bare = int.issue("bare", &["www.pre.test"], Key::P256, "", -1, 90);
    let (code, v, _) = cert(&[
        bare.cert.to_str().unwrap(),
        "--ca-file",
        ca,
        "--no-revocation",
    ])
    .await;
    assert_eq!(code, Some(1));
    assert_eq!(status_of(&v["checks"], "preflight.chain"), "fail");
}

/// On a terminal (a pty from util-linux's `script`), the password is asked for and not echoed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_is_asked_on_a_terminal_without_echo() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let root = Ca::root(dir.path(), "root");
    let leaf = root.issue("leaf", &["www.pre.test"], Key::P256, "", -1, 90);
    let file = pfx(&root, &leaf, "leaf.pfx", &[]);
    let command = format!(
        "{} cert {} --no-revocation --ca-file {}",
        env!("CARGO_BIN_EXE_tlsgrade"),
        file.display(),
        root.cert.display()
    );
    let mut child = tokio::process::Command::new(crate::peers::need("script"))
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // Typed only once asked, as a person would.
    while !String::from_utf8_lossy(&seen).contains("Password for") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(20), stdout.read(&mut buf))
            .await
            .expect("no password prompt")
            .unwrap();
        assert!(
            n > 0,
            "ended before asking: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"secret\n").await.unwrap();
    stdout.read_to_end(&mut seen).await.unwrap();
    drop(stdin);
    let status = child.wait().await.unwrap();
    let text = String::from_utf8_lossy(&seen);
    assert!(status.success(), "{text}");
    assert!(text.contains("private key matches"), "{text}");
    assert!(!text.contains("secret"), "the password was echoed: {text}");
}
