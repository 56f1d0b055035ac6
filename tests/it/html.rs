//! The HTML report in a real browser. Headless Chromium opens, from a file and with no network,
//! the report of a scan of the demo lab and of a server whose banner, EHLO keywords and
//! certificate carry markup. The page must run its script, log nothing to the console (a
//! Content-Security-Policy violation is a console error), request nothing beyond the file, and
//! show the hostile text as text. A batch of 10,000 targets must make a file smaller than its
//! JSON report.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, Versions};
use tlsgrade::report::html::render;
use tlsgrade::report::{Report, TargetReport, Tool, SCHEMA_VERSION};

use crate::common::{config, ip, leaf, scan};

const SCRIPT_TAG: &str = "<script>alert(1)</script>";
const IMG_TAG: &str = "\"><img src=x onerror=alert(2)>";

/// Scans the demo lab's domains, and a server whose greeting, EHLO keywords and certificate
/// names carry markup and an escape sequence.
async fn lab_report() -> Report {
    let demo = tlsgrade::lab::demo::start().await.unwrap();
    let mut cfg = tlsgrade::scan::ScanConfig::new(
        tlsgrade::inspect::TrustStore::new(&[demo.pki.root_der()]).unwrap(),
    );
    cfg.resolver = Some(demo.resolver);
    cfg.trust_anchors = Some(Arc::new(demo.trust_anchors.clone()));
    cfg.connect_to = demo.connect_to.clone();
    cfg.allow_private = true;
    let mut targets = tlsgrade::scan::scan_all(demo.targets.clone(), &cfg)
        .await
        .unwrap();

    let tls = server_config(
        &leaf(&[&format!("mx{IMG_TAG}.test"), "mx.example.test"]),
        Versions::Tls12And13,
    )
    .unwrap();
    let mut s = SmtpScript::new("mx.example.test", Some(tls));
    s.greeting = Some(vec![format!(
        "220 mx.example.test {SCRIPT_TAG} {IMG_TAG} \u{1b}[2J ESMTP"
    )]);
    s.extensions.push(format!("X-{SCRIPT_TAG}"));
    let srv = spawn_smtp(&[ip("127.0.0.1")], s).await.unwrap();
    let rt = format!("mx.example.test:25:127.0.0.1:{}", srv.port());
    targets.push(scan(&config(None, &[&rt]), "mx.example.test:25").await);

    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        started_at: "2026-06-01T08:00:00Z".into(),
        finished_at: "2026-06-01T08:00:04Z".into(),
        targets,
        invalid_targets: vec![],
    }
}

/// What one Chromium run left: the DOM it dumped (when asked), its console lines, and the
/// requests the page made beyond itself.
struct Run {
    dom: String,
    console: Vec<String>,
    requests: Vec<String>,
    elapsed: Duration,
}

impl Run {
    /// The page raised no console message and made no request beyond the file.
    #[track_caller]
    fn assert_clean(&self) {
        assert!(
            self.console.is_empty(),
            "console messages:\n{}",
            self.console.join("\n")
        );
        assert!(
            self.requests.is_empty(),
            "requests beyond the file: {:?}",
            self.requests
        );
    }
}

fn chromium_binary() -> PathBuf {
    std::env::var_os("TLSGRADE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into())
}

/// Opens `page` in a fresh headless Chromium with `mode` (`--dump-dom`, `--screenshot=…`), a
/// fresh profile and a net log, killing the whole process group if it hangs.
fn chromium(page: &Path, mode: &[&str], limit: Duration) -> Run {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let net_log = dir.path().join("net.json");
    let binary = chromium_binary();
    let mut cmd = std::process::Command::new(&binary);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Containers often have a small /dev/shm, which crashes the renderer.
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        // Timers the page sets run before the dump, so a late request would be seen too.
        "--virtual-time-budget=2000",
    ])
    .arg(format!(
        "--user-data-dir={}",
        dir.path().join("profile").display()
    ))
    .arg(format!("--log-net-log={}", net_log.display()))
    .args(mode)
    .arg(format!("file://{}", page.display()))
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .process_group(0);
    let started = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let group = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            while started.elapsed() < limit {
                if done.load(Ordering::Relaxed) {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            kill_group(group);
            true
        })
    };
    let out = child.wait_with_output().unwrap();
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let hung = watchdog.join().unwrap();
    // Helpers Chromium left behind (none, normally) go with it.
    kill_group(group);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!hung, "chromium hung for {limit:?}; stderr:\n{stderr}");
    assert!(
        out.status.success(),
        "chromium failed: {}\n{stderr}",
        out.status
    );
    let log = std::fs::read_to_string(&net_log).unwrap();
    let log: Value = serde_json::from_str(&log).unwrap_or_else(|e| panic!("net log: {e}"));
    Run {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console: page_console(&stderr),
        requests: page_requests(&log),
        elapsed,
    }
}

/// The console lines Chromium logged (`:CONSOLE:12]` or `:CONSOLE(12)]`, by version), but for
/// those of its own internal pages, which it loads in the background (`source: chrome://…`).
fn page_console(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .filter(|l| !l.contains("source: chrome://") && !l.contains("source: chrome-untrusted://"))
        .map(str::to_string)
        .collect()
}

/// Kills Chromium's process group, through the shell's `kill` (present wherever `sh` is).
fn kill_group(group: u32) {
    let _ = std::process::Command::new("sh")
        .args(["-c", &format!("kill -KILL -{group} 2>/dev/null")])
        .status();
}

/// Everything the page asked the network for: each URL request it initiated (Chromium logs the
/// initiator; the browser's own background requests, such as the component updater's, carry
/// "not an origin") and each host resolution on its behalf (keyed by its `file://` site), for
/// anything but the file itself, `data:` and the browser's internal schemes.
fn page_requests(log: &Value) -> Vec<String> {
    let events = log["events"].as_array().expect("a net log with events");
    assert!(!events.is_empty(), "empty net log");
    let local = |u: &str| {
        [
            "file:",
            "data:",
            "about:",
            "chrome:",
            "chrome-untrusted:",
            "devtools:",
            "blob:",
        ]
        .iter()
        .any(|s| u.starts_with(s))
    };
    let mut out = Vec::new();
    for e in events {
        let p = &e["params"];
        let by_page = p["initiator"]
            .as_str()
            .is_some_and(|i| i != "not an origin")
            || ["network_isolation_key", "network_anonymization_key"]
                .iter()
                .any(|k| p[k].as_str().is_some_and(|v| v.contains("file://")));
        if !by_page {
            continue;
        }
        for key in ["url", "host"] {
            if let Some(u) = p[key].as_str().filter(|u| !local(u)) {
                out.push(u.to_string());
            }
        }
    }
    out
}

fn write_page(dir: &Path, name: &str, html: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, html).unwrap();
    path
}

/// `TLSGRADE_HTML_OUT=DIR` keeps the demo page and its screenshot there, to look at.
fn keep(name: &str, from: &Path) {
    if let Some(dir) = std::env::var_os("TLSGRADE_HTML_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(from, Path::new(&dir).join(name)).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_loads_in_chromium_with_no_error_and_no_request() {
    let report = lab_report().await;
    let n = report.targets.len();
    assert!(n >= 15, "the demo's domains and the hostile server");
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), "report.html", &render(&report));
    keep("demo.html", &page);

    let run = tokio::task::spawn_blocking({
        let page = page.clone();
        move || chromium(&page, &["--dump-dom"], Duration::from_secs(60))
    })
    .await
    .unwrap();
    run.assert_clean();
    let dom = &run.dom;
    // The script ran: it marks the page ready and shows the controls it drives.
    assert!(
        dom.contains(&format!("<html lang=\"en\" data-ready=\"{n}\">")),
        "{}",
        &dom[..dom.len().min(400)]
    );
    assert!(dom.contains("<th aria-sort=\"none\"><button type=\"button\">Grade</button></th>"));
    for (i, t) in report.targets.iter().enumerate() {
        let input = tlsgrade::report::escape::for_html(&t.input);
        assert!(
            dom.contains(&format!("<a href=\"#t{i}\">{input}</a>")),
            "row of {input}"
        );
        assert!(
            dom.contains(&format!("<details class=\"card\" id=\"t{i}\">")),
            "card of {input}"
        );
    }
    // The hostile server's text is text: escaped, with its escape sequence visible.
    let script = "&lt;script&gt;alert(1)&lt;/script&gt;";
    let img = "\"&gt;&lt;img src=x onerror=alert(2)&gt;";
    assert!(
        dom.contains(&format!(
            "<pre>mx.example.test {script} {img} \\x1b[2J ESMTP</pre>"
        )),
        "greeting"
    );
    assert!(dom.contains(&format!("X-{script}")), "EHLO keyword");
    assert!(
        dom.contains(&format!("CN=mx{img}.test")),
        "certificate subject"
    );
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(
        !dom.contains("<img"),
        "markup from a server became an element"
    );
    println!("demo report: {n} targets, loaded in {:?}", run.elapsed);

    let png = dir.path().join("report.png");
    let shot = tokio::task::spawn_blocking({
        let (page, png) = (page.clone(), png.clone());
        move || {
            chromium(
                &page,
                &[
                    &format!("--screenshot={}", png.display()),
                    "--window-size=1280,2400",
                ],
                Duration::from_secs(60),
            )
        }
    })
    .await
    .unwrap();
    shot.assert_clean();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, after the signature and the chunk header.
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 1280);
    keep("demo.png", &png);
}

/// The page's script does what its controls promise, in the browser: a driver script (added to
/// a copy of the page, with its hash added to the policy) clicks the headers and sets the
/// filters, and writes what it saw into attributes the dumped DOM shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting_and_filtering_work_in_chromium() {
    use base64::Engine as _;
    let report = lab_report().await;
    let html = render(&report);
    let driver = r##"
(function () {
  var d = document, root = d.documentElement;
  var heads = d.querySelectorAll('#tt th button');
  var seen = function (attr) {
    return Array.prototype.map.call(d.querySelectorAll('#tt tbody tr'), function (r) {
      return r.hidden ? '' : attr(r);
    }).filter(function (x) { return x !== ''; }).join(' ');
  };
  heads[2].click();
  root.setAttribute('data-by-grade', seen(function (r) { return r.getAttribute('data-g'); }));
  heads[2].click();
  root.setAttribute('data-by-grade-down', seen(function (r) { return r.getAttribute('data-g'); }));
  heads[4].click();
  root.setAttribute('data-by-days', seen(function (r) { return r.cells[4].getAttribute('data-v') || 'none'; }));
  var g = d.getElementById('gf');
  g.value = 'f';
  g.dispatchEvent(new Event('change'));
  root.setAttribute('data-only-f', seen(function (r) { return r.cells[0].textContent; }));
  g.value = '';
  var q = d.getElementById('q');
  q.value = 'REVOKED';
  q.dispatchEvent(new Event('input'));
  setTimeout(function () {
    root.setAttribute('data-text', seen(function (r) { return r.cells[0].textContent; }));
    root.setAttribute('data-shown', d.getElementById('shown').textContent);
    var card = d.getElementById('t3');
    root.setAttribute('data-closed', String(card.open));
    d.querySelector('#tt a[href="#t3"]').click();
    root.setAttribute('data-opened', String(card.open));
  }, 500);
})();
"##;
    let hash = |s: &str| {
        let digest = ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    };
    let page = html
        .replacen(
            "script-src ",
            &format!("script-src 'sha256-{}' ", hash(driver)),
            1,
        )
        .replacen("</body>", &format!("<script>{driver}</script>\n</body>"), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = write_page(dir.path(), "driven.html", &page);
    let run = tokio::task::spawn_blocking(move || {
        chromium(&path, &["--dump-dom"], Duration::from_secs(60))
    })
    .await
    .unwrap();
    assert!(
        run.console.is_empty(),
        "console messages:\n{}",
        run.console.join("\n")
    );
    let attr = |name: &str| -> String {
        let start = run
            .dom
            .find(&format!(" {name}=\""))
            .unwrap_or_else(|| panic!("{name} not set: the driver did not run"))
            + name.len()
            + 3;
        run.dom[start..start + run.dom[start..].find('"').unwrap()].to_string()
    };
    const RANK: [&str; 8] = ["ap", "a", "b", "c", "d", "f", "q", "n"];
    let ranks = |s: String| -> Vec<usize> {
        s.split(' ')
            .map(|k| RANK.iter().position(|r| *r == k).unwrap())
            .collect()
    };
    let up = ranks(attr("data-by-grade"));
    assert_eq!(up.len(), report.targets.len());
    assert!(
        up.windows(2).all(|w| w[0] <= w[1]),
        "A+ to F, then the rest: {up:?}"
    );
    assert!(up.first() < up.last(), "more than one grade: {up:?}");
    let down = ranks(attr("data-by-grade-down"));
    assert!(down.windows(2).all(|w| w[0] >= w[1]), "reversed: {down:?}");
    // Days sort as numbers (9 before 10), unknown last.
    let days = attr("data-by-days");
    let known: Vec<i64> = days
        .split(' ')
        .filter(|d| *d != "none")
        .map(|d| d.parse().unwrap())
        .collect();
    assert!(known.windows(2).all(|w| w[0] <= w[1]), "{days}");
    assert!(
        known.iter().any(|d| *d < 0),
        "the expired certificate sorts first: {days}"
    );
    assert!(
        !days.trim_end_matches(" none").contains("none"),
        "unknown last: {days}"
    );
    let failing: Vec<&TargetReport> = report
        .targets
        .iter()
        .filter(|t| t.grade.map(|g| g.as_str()) == Some("F"))
        .collect();
    assert!(!failing.is_empty());
    assert_eq!(attr("data-only-f").split(' ').count(), failing.len());
    for t in &failing {
        assert!(
            attr("data-only-f").contains(t.input.as_str()),
            "{}",
            t.input
        );
    }
    let text = attr("data-text");
    assert!(text.split(' ').any(|t| t == "revoked.demo.test"), "{text}");
    assert!(!text.split(' ').any(|t| t == "good.demo.test"), "{text}");
    assert!(attr("data-shown").ends_with(&format!(" of {} targets", report.targets.len())));
    assert_eq!(
        (attr("data-closed"), attr("data-opened")),
        ("false".into(), "true".into()),
        "a row's link opens its card"
    );
}

/// The checks above would pass vacuously if the detection saw nothing: a copy of the page with a
/// tampered script (which the policy must refuse) and an image from a loopback server (allowed
/// by a loosened policy) must show as a console error and a request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_page_shows_as_console_errors_and_requests() {
    let report = lab_report().await;
    let html = render(&report);
    let port = crate::common::free_port();
    let leak = format!("http://127.0.0.1:{port}/leak.png");
    let broken = html
        .replacen("img-src data:", "img-src data: http:", 1)
        .replacen("<script>", "<script>/* tampered */", 1)
        .replacen(
            "</main>",
            &format!("<img src=\"{leak}\" alt=\"\"></main>"),
            1,
        );
    assert_ne!(broken, html);
    let dir = tempfile::tempdir().unwrap();
    let path = write_page(dir.path(), "broken.html", &broken);
    let run = tokio::task::spawn_blocking(move || {
        chromium(&path, &["--dump-dom"], Duration::from_secs(60))
    })
    .await
    .unwrap();
    assert!(
        run.console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "no CSP violation seen: {:?}",
        run.console
    );
    assert!(
        !run.dom.contains("<html lang=\"en\" data-ready"),
        "the tampered script ran"
    );
    assert!(
        run.requests.iter().any(|r| r == &leak),
        "request not seen: {:?}",
        run.requests
    );
}

/// A batch of 10,000 targets (the lab's targets over and over, each its own input) makes an
/// HTML file smaller than its JSON report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_targets_make_a_page_smaller_than_their_json() {
    let report = big_report(lab_report().await, 10_000);
    let started = Instant::now();
    let html = render(&report);
    let rendered_in = started.elapsed();
    let json = tlsgrade::report::to_json(&report);
    println!(
        "10,000 targets: HTML {} bytes, JSON {} bytes ({:.0} %), rendered in {rendered_in:?}",
        html.len(),
        json.len(),
        html.len() as f64 * 100.0 / json.len() as f64
    );
    assert!(
        html.len() < json.len(),
        "HTML {} vs JSON {}",
        html.len(),
        json.len()
    );
    assert_eq!(html.matches("<details class=\"card\"").count(), 10_000);
    assert!(!html.contains("<details class=\"card\" id=\"t9999\" open"));
}

/// Loads the 10,000-target page in Chromium and says how long it took (a measurement, not run by
/// default: `cargo test --test it -- --ignored ten_thousand_targets_load`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn ten_thousand_targets_load_in_chromium() {
    let report = big_report(lab_report().await, 10_000);
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), "big.html", &render(&report));
    keep("big.html", &page);
    let run = tokio::task::spawn_blocking(move || {
        chromium(&page, &["--dump-dom"], Duration::from_secs(300))
    })
    .await
    .unwrap();
    assert!(run.console.is_empty(), "{:?}", run.console);
    assert!(run.dom.contains("data-ready=\"10000\""));
    println!("10,000 targets: loaded and dumped in {:?}", run.elapsed);
}

/// `n` targets: those of `report` over and over, each under its own input.
fn big_report(mut report: Report, n: usize) -> Report {
    let base = std::mem::take(&mut report.targets);
    report.targets = (0..n)
        .map(|i| {
            let mut t = base[i % base.len()].clone();
            t.input = format!("n{i}.{}", t.input);
            t
        })
        .collect();
    report
}
