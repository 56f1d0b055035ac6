//! The outputs beside JSON: CSV read back by Python's `csv` module row for row against the JSON
//! of the same run, `tlsgrade report` rendering a saved report as the scan did, and the shell
//! completions and man page generated from the command line.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use crate::common::run_tlsgrade;

/// Reads the CSV with Python's csv module and checks every row against the JSON report: one row
/// per endpoint, then per MX host without one, then per target with neither; the same host,
/// address, port, grades, versions, thumbprint and days, and formula-looking text neutralised.
const CSV_AGAINST_JSON: &str = r#"
import csv, json, sys
report = json.load(open(sys.argv[1]))
with open(sys.argv[2], newline='', encoding='utf-8') as f:
    data = f.read()
assert data.endswith('\r\n') and '\r\n' in data, 'CRLF records'
rows = list(csv.DictReader(data.splitlines(keepends=True)))
def sheet(s):
    return "'" + s if s[:1] in ('=', '+', '-', '@', '\t', '\r') else s
want = []
for t in report['targets']:
    g = t['grade'] or ''
    n = 0
    for e in t['endpoints']:
        leaf = (e.get('certificate') or {}).get('chain') or [{}]
        versions = ' '.join(v for v, ok in (e.get('protocols') or {}).items() if ok is True)
        days = (e.get('certificate') or {}).get('days_remaining')
        want.append((sheet(t['input']), g, sheet(e['host']), e.get('address') or '', str(e['port']),
                     e['grade'] or '', versions, leaf[0].get('sha1', ''),
                     '' if days is None else str(days)))
        n += 1
    for m in t['mx']:
        if not any(e['host'] == m['host'] for e in t['endpoints']):
            want.append((sheet(t['input']), g, sheet(m['host']), '', '', '', '', '', ''))
            n += 1
    if n == 0:
        want.append((sheet(t['input']), g, '', '', '', '', '', '', ''))
got = [(r['target'], r['target_grade'], r['host'], r['address'], r['port'], r['grade'],
        r['versions'], r['leaf_sha1'], r['days_remaining']) for r in rows]
assert got == want, (got, want)
print(len(rows))
"#;

async fn python(script: &str, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .await
        .unwrap()
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_has_the_rows_of_the_json_and_report_renders_a_saved_scan_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f).display().to_string();
    let (json, csv, html) = (p("demo.json"), p("demo.csv"), p("demo.html"));
    ok(&run_tlsgrade(&[
        "--demo", "-q", "--json", &json, "--csv", &csv, "--html", &html,
    ])
    .await);
    let rows: usize = ok(&python(CSV_AGAINST_JSON, &[&json, &csv]).await)
        .trim()
        .parse()
        .unwrap();
    // 14 demo domains; backup.demo.test has two MX hosts, null.demo.test none.
    assert!(rows >= 15, "{rows} rows");

    // The same report rendered later: the same CSV and HTML, byte for byte.
    let again = ok(&run_tlsgrade(&["report", &json, "--csv", "-"]).await);
    assert_eq!(again, std::fs::read_to_string(&csv).unwrap());
    let page = p("again.html");
    ok(&run_tlsgrade(&["report", &json, "--html", &page]).await);
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        std::fs::read_to_string(&html).unwrap()
    );
    // The table by default, from NDJSON as from JSON.
    let nd = p("demo.ndjson");
    ok(&run_tlsgrade(&["--demo", "-q", "--ndjson", &nd]).await);
    let table = ok(&run_tlsgrade(&["report", &nd]).await);
    assert!(
        table.contains("dane.demo.test") && table.contains("A+"),
        "{table}"
    );

    // What cannot be read or written is a usage error naming the file.
    let o = run_tlsgrade(&["report", &p("missing.json")]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.json"));
    let o = run_tlsgrade(&["report", &json, "--csv", &p("no/such/dir/x.csv")]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("x.csv"));
    let o = run_tlsgrade(&["--demo", "--json", "-", "--csv", "-"]).await;
    assert_eq!(o.status.code(), Some(2), "two outputs on standard output");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_the_man_page_come_from_the_command_line() {
    let bash = ok(&run_tlsgrade(&["completions", "bash"]).await);
    for word in [
        "exporter",
        "report",
        "--min-interval",
        "--fail-expiring",
        "--html",
    ] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    let mut check = tokio::process::Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(bash.as_bytes())
        .await
        .unwrap();
    let syntax = check.wait_with_output().await.unwrap();
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let script = ok(&run_tlsgrade(&["completions", shell]).await);
        assert!(script.contains("per-ip"), "{shell}");
    }
    assert_eq!(
        run_tlsgrade(&["completions", "tcsh"]).await.status.code(),
        Some(2)
    );
    let man = ok(&run_tlsgrade(&["man"]).await);
    assert!(man.contains(".TH tlsgrade 1"), "{man}");
    for word in ["exporter", "per\\-ip", "completions"] {
        assert!(man.contains(word), "man page lacks {word}");
    }
}
