//! The binary as a user runs it: targets files with bad lines, exit statuses, `--json -`,
//! `--fail-under`, usage errors, and escaping of hostile server text in the table.

use std::process::Output;

use tlsgrade::lab::pki::LeafSpec;
use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, spawn_tls, Versions};

use crate::common::*;

async fn run(args: &[&str], stdin: Option<&str>) -> Output {
    use tokio::io::AsyncWriteExt;
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_tlsgrade"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        std::process::Stdio::piped()
    } else {
        std::process::Stdio::null()
    });
    let mut child = cmd.spawn().unwrap();
    if let Some(data) = stdin {
        let mut si = child.stdin.take().unwrap();
        si.write_all(data.as_bytes()).await.unwrap();
    }
    child.wait_with_output().await.unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A self-signed (grade B) TLS server for www.example.test, and the --connect-to that reaches it.
async fn b_server() -> (tlsgrade::lab::ServerHandle, String) {
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
    (srv, rt)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_target_and_bad_options_exit_2_with_a_message() {
    let o = run(&[], None).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no target"), "{}", text(&o.stderr));
    for args in [
        &["--resolver", "not-an-ip", "example.com"][..],
        &["--connect-to", "a:25:b", "example.com"],
        &["--fail-under", "Z", "example.com"],
        &["--timeout", "-1", "example.com"],
        &["--ehlo", "localhost", "example.com"],
        &["--ca-file", "/nonexistent.pem", "example.com"],
        &["-4", "-6", "example.com"],
    ] {
        let o = run(args, None).await;
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(!o.stderr.is_empty());
    }
    let o = run(&["ftp://x.example"], None).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("unknown scheme"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_in_a_targets_file_are_named_and_the_rest_is_scanned() {
    let (_srv, rt) = b_server().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("targets.txt");
    std::fs::write(
        &file,
        "# my targets\n\ntls://www.example.test:8443\nbad..name\nftp://nope.example\n",
    )
    .unwrap();
    let o = run(
        &[
            "--connect-to",
            &rt,
            "--json",
            "-",
            "-f",
            file.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("line 4") && err.contains("line 5"), "{err}");
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("only JSON on stdout with --json -");
    assert_eq!(v["targets"].as_array().unwrap().len(), 1);
    assert_eq!(v["invalid_targets"][0]["line"], 4);
    assert_eq!(v["invalid_targets"][1]["line"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_can_come_from_stdin() {
    let (_srv, rt) = b_server().await;
    let o = run(
        &["--connect-to", &rt, "--json", "-", "-f", "-"],
        Some("tls://www.example.test:8443\n"),
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["targets"][0]["input"], "tls://www.example.test:8443");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_under_sets_exit_status_1_only_when_a_grade_is_below() {
    let (_srv, rt) = b_server().await;
    let base = ["--connect-to", &rt, "tls://www.example.test:8443"];
    let o = run(&[&base[..], &["--fail-under", "A"]].concat(), None).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let o = run(&[&base[..], &["--fail-under", "B"]].concat(), None).await;
    assert_eq!(o.status.code(), Some(0));
    let o = run(&base, None).await;
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("cert") && text(&o.stdout).contains("self-signed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_report_has_the_documented_fields() {
    let (_srv, rt) = b_server().await;
    let o = run(
        &[
            "--connect-to",
            &rt,
            "--json",
            "-",
            "tls://www.example.test:8443",
        ],
        None,
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in [
        "schema_version",
        "tool",
        "started_at",
        "finished_at",
        "targets",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["tool"]["name"], "tlsgrade");
    let t = &v["targets"][0];
    for k in [
        "input",
        "kind",
        "grade",
        "error",
        "checks",
        "mx",
        "endpoints",
    ] {
        assert!(t.get(k).is_some(), "target missing {k}");
    }
    assert_eq!(t["kind"], "endpoint");
    let e = &t["endpoints"][0];
    for k in [
        "host",
        "address",
        "port",
        "transport",
        "grade",
        "error",
        "checks",
        "negotiated",
        "certificate",
    ] {
        assert!(e.get(k).is_some(), "endpoint missing {k}");
    }
    for k in ["version", "cipher", "group"] {
        assert!(e["negotiated"].get(k).is_some());
    }
    for k in [
        "trusted",
        "name_matches",
        "not_after",
        "days_remaining",
        "chain",
    ] {
        assert!(e["certificate"].get(k).is_some());
    }
    let leaf = &e["certificate"]["chain"][0];
    for k in [
        "subject",
        "issuer",
        "sans",
        "not_before",
        "not_after",
        "key_type",
        "key_bits",
        "signature_algorithm",
        "sha256",
        "spki_sha256",
    ] {
        assert!(leaf.get(k).is_some(), "chain entry missing {k}");
    }
    let c = &e["checks"][0];
    for k in ["id", "status", "detail"] {
        assert!(c.get(k).is_some());
    }
    assert_eq!(t["grade"], "B");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_banner_never_reaches_the_terminal_raw() {
    let cfg = server_config(&leaf(&["mx.example.test"]), Versions::Tls12And13).unwrap();
    let mut s = SmtpScript::new("mx.example.test", Some(cfg));
    s.greeting = Some(vec![
        "220 mx.example.test \u{1b}[2J\u{1b}]0;owned\u{7} ESMTP".into(),
    ]);
    let srv = spawn_smtp(&[ip("127.0.0.1")], s).await.unwrap();
    let rt = format!("mx.example.test:25:127.0.0.1:{}", srv.port());
    let o = run(&["-v", "--connect-to", &rt, "mx.example.test:25"], None).await;
    let out = text(&o.stdout);
    assert!(out.contains("greeting"), "{out}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}'),
        "raw control bytes printed"
    );
    assert!(out.contains("\\x1b[2J"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_only_skips_the_cipher_probes() {
    let (_srv, rt) = b_server().await;
    let base = [
        "--connect-to",
        &rt,
        "--json",
        "-",
        "tls://www.example.test:8443",
    ];
    let o = run(&base, None).await;
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["targets"][0]["endpoints"][0]["ciphers"].is_object(),
        "default probes cipher classes"
    );
    let o = run(&[&base[..], &["--versions-only"]].concat(), None).await;
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let e = &v["targets"][0]["endpoints"][0];
    assert!(e["ciphers"].is_null(), "{e}");
    assert_eq!(e["protocols"]["TLSv1.3"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_the_commands_and_each_command_has_its_own() {
    let o = run(&["--help"], None).await;
    assert_eq!(o.status.code(), Some(0));
    let top = text(&o.stdout);
    for want in [
        "scan",
        "diff",
        "--per-ip",
        "--ndjson",
        "[default: 256]",
        "tlsgrade scan diff",
    ] {
        assert!(top.contains(want), "missing {want:?} in:\n{top}");
    }
    let o = run(&["diff", "--help"], None).await;
    assert_eq!(o.status.code(), Some(0));
    assert!(
        text(&o.stdout).contains("<OLD> <NEW>"),
        "{}",
        text(&o.stdout)
    );
    let o = run(&["scan", "--help"], None).await;
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).contains("--fail-under"));
    let o = run(&["diff", "only-one.json"], None).await;
    assert_eq!(o.status.code(), Some(2));
}

/// A report from a newer tlsgrade may name checks this one does not know: `diff` still reads
/// the file and shows them by id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_reads_reports_that_name_unknown_check_ids() {
    let (_srv, rt) = b_server().await;
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.json");
    let o = run(
        &[
            "--connect-to",
            &rt,
            "--json",
            before.to_str().unwrap(),
            "tls://www.example.test:8443",
        ],
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let json = std::fs::read_to_string(&before).unwrap();
    assert!(json.contains("\"cert.self-signed\""));
    let newer = dir.path().join("newer.json");
    std::fs::write(
        &newer,
        json.replace("\"cert.self-signed\"", "\"cert.from-a-newer-tlsgrade\""),
    )
    .unwrap();
    let o = run(
        &["diff", before.to_str().unwrap(), newer.to_str().unwrap()],
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("check cert.from-a-newer-tlsgrade: absent → warn (cap B)"),
        "{out}"
    );
    assert!(
        out.contains("check cert.self-signed: warn (cap B) → absent"),
        "{out}"
    );
}
