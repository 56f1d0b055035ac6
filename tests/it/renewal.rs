//! Certificate renewal as mail admins live it: a cluster where the renewal reached one address
//! only, `--fail-expiring` for cron jobs, `tlsgrade diff` of a before/after pair of reports, and
//! the SHA-1 thumbprint in the form Windows and Exchange show (checked against openssl).

use tlsgrade::grade::rubric::Section;
use tlsgrade::lab::dns::{DnsLab, Zone};
use tlsgrade::lab::pki::LeafSpec;
use tlsgrade::lab::smtp::{serve_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, spawn_tls, Versions};
use tlsgrade::lab::{bind_all, ServerHandle};
use tlsgrade::report::{Grade, Status, TargetReport};

use crate::common::*;

const MX: &str = "mx.renew.test";

/// A domain whose one MX host has two addresses, 127.0.0.2 and 127.0.0.3, on one port, each
/// served by its own SMTP server with its own leaf: the two nodes of a cluster.
async fn cluster(
    first: LeafSpec,
    second: Option<LeafSpec>,
) -> (ServerHandle, ServerHandle, Option<ServerHandle>) {
    let dns = DnsLab::new()
        .zone(
            Zone::new("renew.test")
                .mx("renew.test", 10, MX)
                .addr(MX, ip("127.0.0.2"))
                .addr(MX, ip("127.0.0.3")),
        )
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let mut listeners = bind_all(&[ip("127.0.0.2"), ip("127.0.0.3")]).await.unwrap();
    let script = |spec: &LeafSpec| {
        let leaf = pki().leaf(spec).unwrap();
        SmtpScript::new(
            MX,
            Some(server_config(&leaf, Versions::Tls12And13).unwrap()),
        )
    };
    match second {
        Some(second) => {
            let l3 = listeners.pop().unwrap();
            let a = serve_smtp(listeners, script(&first));
            let b = serve_smtp(vec![l3], script(&second));
            (dns, a, Some(b))
        }
        // One server, one leaf on both addresses: the consistent cluster.
        None => (dns, serve_smtp(listeners, script(&first)), None),
    }
}

async fn scan_cluster(dns: &ServerHandle, smtp: &ServerHandle) -> TargetReport {
    let rt = format!("::25::{}", smtp.port());
    scan(&config(Some(dns.addr()), &[&rt]), "renew.test").await
}

fn endpoint_at<'a>(r: &'a TargetReport, addr: &str) -> &'a tlsgrade::report::EndpointReport {
    r.endpoints
        .iter()
        .find(|e| e.address.as_deref() == Some(addr))
        .unwrap_or_else(|| panic!("no endpoint {addr}: {r:#?}"))
}

#[tokio::test]
async fn renewal_that_reached_one_address_only_is_flagged_on_the_other() {
    let (dns, smtp, _old) = cluster(
        LeafSpec::valid(&[MX]).days(-1, 90),
        Some(LeafSpec::valid(&[MX]).days(-80, 10)),
    )
    .await;
    let r = scan_cluster(&dns, &smtp).await;
    assert_eq!(r.endpoints.len(), 2, "{r:#?}");
    let renewed = endpoint_at(&r, "127.0.0.2");
    let stale = endpoint_at(&r, "127.0.0.3");
    let new_sha1 = &renewed.certificate.as_ref().unwrap().chain[0].sha1;
    let old_sha1 = &stale.certificate.as_ref().unwrap().chain[0].sha1;
    assert_ne!(new_sha1, old_sha1);

    assert!(
        renewed
            .checks
            .iter()
            .all(|c| c.id.rule().section != Section::Consistency),
        "{:#?}",
        renewed.checks
    );
    has(&stale.checks, "cert.inconsistent-address", Status::Warn);
    let older = has(&stale.checks, "cert.older-certificate", Status::Warn);
    assert!(
        older.detail.contains(old_sha1.as_str()) && older.detail.contains(new_sha1.as_str()),
        "both thumbprints named: {}",
        older.detail
    );
    assert!(older.detail.contains("127.0.0.2") && older.detail.contains("127.0.0.3"));
    assert_eq!(older.cap, None);
    // The stale node's own expiry check still speaks, and caps nothing: the grade stays A.
    has(&stale.checks, "cert.expiring", Status::Warn);
    assert_eq!(stale.grade, letter(Grade::A));
    assert_eq!(r.grade, letter(Grade::A));

    // The table lists the finding under the domain, not only in a cut-off reasons cell.
    let report = tlsgrade::report::Report {
        schema_version: 1,
        tool: Default::default(),
        started_at: String::new(),
        finished_at: String::new(),
        targets: vec![r],
        invalid_targets: vec![],
    };
    let table = tlsgrade::report::table::render(&report, Default::default());
    assert!(table.contains("cert.older-certificate"), "{table}");
}

#[tokio::test]
async fn identical_certificates_on_both_addresses_raise_nothing() {
    let (dns, smtp, _) = cluster(LeafSpec::valid(&[MX]), None).await;
    let r = scan_cluster(&dns, &smtp).await;
    assert_eq!(r.endpoints.len(), 2);
    for e in &r.endpoints {
        let consistency: Vec<_> = e
            .checks
            .iter()
            .filter(|c| c.id.rule().section == Section::Consistency)
            .collect();
        assert!(consistency.is_empty(), "{consistency:?} on {e:#?}");
    }
    assert!(r
        .checks
        .iter()
        .all(|c| c.id.rule().section != Section::Consistency));
    assert_eq!(r.grade, letter(Grade::A));
}

#[tokio::test]
async fn a_self_signed_default_next_to_a_ca_issued_certificate_looks_default() {
    let (dns, smtp, _default) = cluster(
        LeafSpec::valid(&[MX]),
        Some(LeafSpec::valid(&[MX]).self_signed()),
    )
    .await;
    let r = scan_cluster(&dns, &smtp).await;
    let d = has(
        &endpoint_at(&r, "127.0.0.3").checks,
        "cert.default-looking",
        Status::Warn,
    );
    assert!(d.detail.contains("subject equals issuer"), "{}", d.detail);
    // The certificate's own check caps: B, not lower.
    has(
        &endpoint_at(&r, "127.0.0.3").checks,
        "cert.self-signed",
        Status::Warn,
    );
    assert_eq!(r.grade, letter(Grade::B));
    assert!(check(&endpoint_at(&r, "127.0.0.2").checks, "cert.default-looking").is_none());
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const WWW: &str = "www.renew.test";

/// A direct-TLS server for www.renew.test:8443 and the --connect-to that reaches it.
async fn tls_server(spec: LeafSpec, versions: Versions) -> (ServerHandle, String, String) {
    let leaf = pki().leaf(&spec).unwrap();
    let srv = spawn_tls(&[ip("127.0.0.1")], server_config(&leaf, versions).unwrap())
        .await
        .unwrap();
    let rt = format!("{WWW}:8443:127.0.0.1:{}", srv.port());
    (srv, rt, leaf.chain_pem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_expiring_sets_status_1_only_within_the_given_days() {
    let (_srv, rt, _) =
        tls_server(LeafSpec::valid(&[WWW]).days(-80, 10), Versions::Tls12And13).await;
    let target = format!("tls://{WWW}:8443");
    let o = run_tlsgrade(&["--connect-to", &rt, "--fail-expiring", "14", &target]).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("--fail-expiring") && err.contains(WWW) && err.contains("SHA-1"),
        "{err}"
    );
    let o = run_tlsgrade(&["--connect-to", &rt, "--fail-expiring", "7", &target]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Without the option an expiring certificate is a warning, never a status.
    let o = run_tlsgrade(&["--connect-to", &rt, &target]).await;
    assert_eq!(o.status.code(), Some(0));
    let o = run_tlsgrade(&["--connect-to", &rt, "--fail-expiring", "-3", &target]).await;
    assert_eq!(
        o.status.code(),
        Some(2),
        "a negative day count is a usage error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_of_a_renewal_names_certificate_grade_and_protocol_changes() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("root.pem");
    std::fs::write(&ca, pki().root_pem()).unwrap();
    let ca = ca.to_str().unwrap().to_string();
    let target = format!("tls://{WWW}:8443");
    let before = dir.path().join("before.json");
    let after = dir.path().join("after.json");

    // Before: a CA-issued certificate with TLS 1.2 and 1.3 (grade A).
    {
        let (_srv, rt, _) = tls_server(LeafSpec::valid(&[WWW]), Versions::Tls12And13).await;
        let o = run_tlsgrade(&[
            "--ca-file",
            &ca,
            "--connect-to",
            &rt,
            "--json",
            before.to_str().unwrap(),
            &target,
        ])
        .await;
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }
    // After: someone installed a self-signed certificate and lost TLS 1.3 (grade B).
    {
        let (_srv, rt, _) =
            tls_server(LeafSpec::valid(&[WWW]).self_signed(), Versions::Tls12Only).await;
        let o = run_tlsgrade(&[
            "--ca-file",
            &ca,
            "--connect-to",
            &rt,
            "--json",
            after.to_str().unwrap(),
            &target,
        ])
        .await;
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }
    let report = |p: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let (b, a) = (report(&before), report(&after));
    let leaf = |r: &serde_json::Value, k: &str| {
        r["targets"][0]["endpoints"][0]["certificate"]["chain"][0][k]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(b["targets"][0]["grade"], "A");
    assert_eq!(a["targets"][0]["grade"], "B");

    let o = run_tlsgrade(&["diff", before.to_str().unwrap(), after.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for want in [
        format!("{target}  grade A → B"),
        format!(
            "certificate replaced: SHA-1 {} expires {} → SHA-1 {} expires {}",
            leaf(&b, "sha1"),
            leaf(&b, "not_after"),
            leaf(&a, "sha1"),
            leaf(&a, "not_after")
        ),
        "protocols lost: TLSv1.3".to_string(),
        "check cert.self-signed: absent → warn (cap B)".to_string(),
    ] {
        assert!(out.contains(&want), "missing {want:?} in:\n{out}");
    }

    // The same after-report as NDJSON (one target per line) gives the same answer, as JSON.
    let nd = dir.path().join("after.ndjson");
    let lines: Vec<String> = a["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect();
    std::fs::write(&nd, lines.join("\n") + "\n").unwrap();
    let o = run_tlsgrade(&[
        "diff",
        "--json",
        before.to_str().unwrap(),
        nd.to_str().unwrap(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["diff_version"], 1);
    assert_eq!(d["changed"], true);
    let t = &d["targets"][0];
    assert_eq!(t["input"], target.as_str());
    assert_eq!(t["grade"]["old"], "A");
    assert_eq!(t["grade"]["new"], "B");
    let e = &t["endpoints"][0];
    assert_eq!(e["host"], WWW);
    assert_eq!(e["port"], 8443);
    assert_eq!(e["certificate"]["old"]["sha1"], leaf(&b, "sha1").as_str());
    assert_eq!(e["certificate"]["new"]["sha1"], leaf(&a, "sha1").as_str());
    assert_eq!(e["protocols_lost"], serde_json::json!(["TLSv1.3"]));

    // A report against itself: status 0 and "no changes".
    let o = run_tlsgrade(&["diff", before.to_str().unwrap(), before.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(0));
    assert!(
        text(&o.stdout).contains("no changes"),
        "{}",
        text(&o.stdout)
    );
    // Unreadable input: status 2 and the file named.
    let bad = dir.path().join("bad.ndjson");
    std::fs::write(&bad, "{\"input\": \"a\"}\n{oops\n").unwrap();
    let o = run_tlsgrade(&["diff", before.to_str().unwrap(), bad.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("bad.ndjson: line 2"), "{err}");
}

#[tokio::test]
async fn sha1_thumbprint_is_what_openssl_and_windows_show() {
    let (srv, rt, chain_pem) = tls_server(LeafSpec::valid(&[WWW]), Versions::Tls12And13).await;
    let r = scan(&config(None, &[&rt]), &format!("tls://{WWW}:8443")).await;
    drop(srv);
    let leaf = &only_endpoint(&r).certificate.as_ref().unwrap().chain[0];

    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("leaf.pem");
    std::fs::write(&pem, chain_pem).unwrap();
    let openssl = |digest: &str| {
        let o = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", digest, "-in"])
            .arg(&pem)
            .output()
            .expect("openssl is installed");
        assert!(o.status.success(), "{}", text(&o.stderr));
        // "SHA1 Fingerprint=AB:CD:…" (the label's case varies between OpenSSL versions).
        let out = text(&o.stdout);
        let (_, hex) = out.trim().split_once('=').unwrap();
        hex.replace(':', "")
    };
    let sha1 = openssl("-sha1");
    assert_eq!(leaf.sha1, sha1, "upper-case hex, no separators");
    assert_eq!(leaf.sha1.len(), 40);
    assert_eq!(leaf.sha256, openssl("-sha256").to_ascii_lowercase());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_ndjson_carries_the_cluster_findings_and_fail_expiring_counts() {
    let (dns, smtp, _old) = cluster(
        LeafSpec::valid(&[MX]).days(-1, 90),
        Some(LeafSpec::valid(&[MX]).days(-80, 10)),
    )
    .await;
    let resolver = dns.addr().to_string();
    let rt = format!("::25::{}", smtp.port());
    let args = [
        "--resolver",
        &resolver,
        "--allow-private",
        "--connect-to",
        &rt,
        "--ndjson",
        "-",
        "-q",
    ];
    let o = run_tlsgrade(&[&args[..], &["--fail-expiring", "14", "renew.test"]].concat()).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("127.0.0.3"), "{}", text(&o.stderr));
    let line: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let stale = line["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["address"] == "127.0.0.3")
        .unwrap();
    let ids: Vec<&str> = stale["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"cert.older-certificate") && ids.contains(&"cert.inconsistent-address"),
        "{ids:?}"
    );
    let o = run_tlsgrade(&[&args[..], &["--fail-expiring", "7", "renew.test"]].concat()).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}
