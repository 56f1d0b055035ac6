//! Bad input from the user: a targets file with invalid lines, invalid UTF-8 and a
//! 10 MB line, and bad option values. Every bad line or option is named; valid lines are still
//! scanned.

use tlsgrade::lab::pki::LeafSpec;
use tlsgrade::lab::tls::{server_config, spawn_tls, Versions};

use crate::common::*;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_targets_file_with_invalid_utf8_and_a_10_mb_line_still_scans_the_valid_lines() {
    let l = pki()
        .leaf(&LeafSpec::valid(&["www.example.test"]).self_signed())
        .unwrap();
    let srv = spawn_tls(
        &[ip("127.0.0.1")],
        server_config(&l, Versions::Tls12And13).unwrap(),
    )
    .await
    .unwrap();
    let rt = format!("www.example.test:8443:127.0.0.1:{}", srv.port());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("targets.txt");
    let mut data = b"# hostile file\n".to_vec();
    data.extend_from_slice(b"bad\xff\xfe.example\n"); // line 2: not UTF-8
    data.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024)); // line 3: 10 MB, no end soon
    data.extend_from_slice(b"\ntls://www.example.test:8443\n"); // line 4: valid
    data.extend_from_slice(b"\x1b[2J.example\n"); // line 5: an escape sequence
    data.extend_from_slice(b"host:99999\n"); // line 6: port out of range
    std::fs::write(&file, &data).unwrap();
    let o = run_tlsgrade(&[
        "--connect-to",
        &rt,
        "--timeout",
        "3",
        "--json",
        "-",
        "-f",
        file.to_str().unwrap(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    for n in [2, 3, 5, 6] {
        assert!(
            err.contains(&format!("line {n}")),
            "line {n} not named: {err}"
        );
    }
    assert!(
        err.len() < 4096,
        "the 10 MB line was echoed: {} bytes",
        err.len()
    );
    assert!(!err.contains('\u{1b}'), "raw escape on stderr: {err:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0]["input"], "tls://www.example.test:8443");
    assert_eq!(targets[0]["endpoints"][0]["grade"], "B");
    let lines: Vec<u64> = v["invalid_targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 5, 6]);
    assert!(
        o.stdout.len() < 64 * 1024,
        "the 10 MB line reached the report"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_option_values_exit_2_naming_the_option() {
    // The target is a closed loopback port, so an option wrongly accepted scans nothing outside.
    for (args, named) in [
        (&["--concurrency", "0", "127.0.0.1:1"][..], "--concurrency"),
        (&["--per-ip", "0", "127.0.0.1:1"], "--per-ip"),
        (&["--timeout", "0", "127.0.0.1:1"], "--timeout"),
        (&["--timeout", "abc", "127.0.0.1:1"], "--timeout"),
        (&["--warn-days", "lots", "127.0.0.1:1"], "--warn-days"),
        (&["--fail-expiring=-3", "127.0.0.1:1"], "--fail-expiring"),
        (&["--shard", "3/2", "127.0.0.1:1"], "--shard"),
        (&["--shard", "1/0", "127.0.0.1:1"], "--shard"),
        (
            &["--resolver", "127.0.0.1:99999", "127.0.0.1:1"],
            "--resolver",
        ),
        (&["--connect-to", "a:x:c:d", "127.0.0.1:1"], "--connect-to"),
        (&["--resume", "127.0.0.1:1"], "--resume"),
        (
            &["-f", "/nonexistent/targets.txt"],
            "/nonexistent/targets.txt",
        ),
    ] {
        let o = run_tlsgrade(args).await;
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(named), "{args:?} does not name {named}: {err}");
    }
}
