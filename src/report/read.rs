//! Reading saved reports back into the model: a `--json` report or NDJSON (one target object per
//! line), told apart by content, for `tlsgrade diff`; and the input of one NDJSON line, for
//! `--resume`.
//!
//! Fields the model does not have (a newer tlsgrade) are ignored, optional fields an older one
//! did not write read as null, and what the model cannot hold goes to each target's and
//! endpoint's [`ReadBack`](super::ReadBack): checks under ids this build does not know, and the
//! sections a report does not have at all (not null: absent). Every error names the file and
//! the line.

use std::io::Read;
use std::path::Path;

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::{Report, TargetReport, SCHEMA_VERSION};

/// Largest input read. A 100,000-domain NDJSON run is well below this, and a mistaken
/// `diff /dev/zero x` ends with a message instead of running out of memory.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a report file (or standard input for `-`) into its targets.
pub fn load(path: &Path) -> Result<Vec<TargetReport>, String> {
    load_report(path).map(|r| r.targets)
}

/// Reads a report file (or standard input for `-`) into a report: a JSON report's own header
/// (tool, times, invalid targets), or for NDJSON its targets under an empty header.
pub fn load_report(path: &Path) -> Result<Report, String> {
    let name = path.display().to_string();
    let mut data = Vec::new();
    let res = if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut data)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut data))
    };
    res.map_err(|e| format!("{name}: {e}"))?;
    if data.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{name}: larger than {} MiB",
            MAX_INPUT_BYTES / (1024 * 1024)
        ));
    }
    parse_report(&name, &data)
}

/// The keys that tell a report from a target line, read without building anything.
#[derive(Deserialize)]
struct Shape {
    targets: Option<IgnoredAny>,
    input: Option<IgnoredAny>,
    schema_version: Option<u64>,
}

/// The targets of a JSON report (`{"targets": [...]}`) or of NDJSON (one target object per
/// line), told apart by content. Other objects (a header or summary line a future NDJSON may
/// carry) are skipped; anything else is an error naming the file and line.
pub fn parse(name: &str, data: &[u8]) -> Result<Vec<TargetReport>, String> {
    parse_report(name, data).map(|r| r.targets)
}

/// [`parse`], keeping the header of the first JSON report in the input.
pub fn parse_report(name: &str, data: &[u8]) -> Result<Report, String> {
    // Syntax first, over the whole input: a file cut short or mangled is named where it breaks,
    // before any value is read into the model.
    let mut spans = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(data).into_iter::<IgnoredAny>();
    loop {
        let start = stream.byte_offset();
        let Some(item) = stream.next() else { break };
        item.map_err(|e| format!("{name}: line {}: {e}", e.line()))?;
        // The value starts after the whitespace that precedes it.
        let start = start
            + data[start..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        spans.push(start..stream.byte_offset());
    }
    let values = spans.len();
    let mut targets = Vec::new();
    let mut header: Option<Report> = None;
    let mut invalid_targets = Vec::new();
    // Line numbers counted as the values go by: one pass over the input, however many lines.
    let (mut counted_to, mut line) = (0, 1);
    for range in spans {
        line += data[counted_to..range.start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = range.start;
        let span = &data[range];
        let typed_err = |e: serde_json::Error| relined(name, line, &e);
        if span.first() != Some(&b'{') {
            return Err(format!(
                "{name}: line {line}: expected a tlsgrade report or target object, found {}",
                kind_of(span)
            ));
        }
        let shape: Shape = serde_json::from_slice(span).map_err(typed_err)?;
        if shape.targets.is_some() {
            if let Some(v) = shape.schema_version.filter(|v| *v > SCHEMA_VERSION as u64) {
                return Err(format!(
                    "{name}: line {line}: schema_version {v}: this tlsgrade reads reports of \
                     schema version {SCHEMA_VERSION}"
                ));
            }
            let mut report: Report = serde_json::from_slice(span).map_err(typed_err)?;
            targets.append(&mut report.targets);
            invalid_targets.append(&mut report.invalid_targets);
            header.get_or_insert(report);
        } else if shape.input.is_some() {
            targets.push(serde_json::from_slice(span).map_err(typed_err)?);
        }
    }
    if values == 0 {
        return Err(format!("{name}: empty: not a tlsgrade report"));
    }
    if targets.is_empty() && header.is_none() {
        return Err(format!(
            "{name}: not a tlsgrade report (no \"targets\" array and no target objects with \"input\")"
        ));
    }
    let mut report = header.unwrap_or_else(|| Report {
        schema_version: SCHEMA_VERSION,
        tool: super::Tool::default(),
        started_at: String::new(),
        finished_at: String::new(),
        targets: vec![],
        invalid_targets: vec![],
    });
    report.targets = targets;
    report.invalid_targets = invalid_targets;
    Ok(report)
}

/// A typed error inside the value that starts on `line`, with the file's line number instead of
/// the value's.
fn relined(name: &str, line: usize, e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(w, _)| w);
    format!("{name}: line {}: {what}", line + e.line().max(1) - 1)
}

/// What a JSON value that is not an object is, by its first byte.
fn kind_of(span: &[u8]) -> &'static str {
    match span.first() {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// The `input` of one NDJSON line, for `--resume`: all it needs to skip a finished target, so a
/// line written by another tlsgrade version counts as done whatever else it holds.
pub fn input_of(line: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Input {
        input: String,
    }
    if line.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    serde_json::from_slice::<Input>(line).ok().map(|i| i.input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Check, CheckId, EndpointReport, Status, Tool};
    use crate::target::Transport;

    fn target(input: &str) -> TargetReport {
        let mut t = TargetReport::new(input, crate::report::Kind::MailDomain);
        let mut e = EndpointReport::new(
            "mx.example.test".into(),
            Some("192.0.2.1".into()),
            25,
            Transport::SmtpStartTls,
        );
        e.checks
            .push(Check::new(CheckId::CertExpired, Status::Fail, "x"));
        t.endpoints.push(e);
        t
    }

    fn report(targets: Vec<TargetReport>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:00:01Z".into(),
            targets,
            invalid_targets: vec![],
        }
    }

    #[test]
    fn reads_a_json_report_and_ndjson_alike() {
        let json = crate::report::to_json(&report(vec![target("a.test")]));
        let from_json = parse("r.json", json.as_bytes()).unwrap();
        assert_eq!(from_json.len(), 1);
        assert_eq!(from_json[0].endpoints[0].checks[0].id, CheckId::CertExpired);
        let nd = format!(
            "{}\n{}\n",
            serde_json::to_string(&target("a.test")).unwrap(),
            serde_json::to_string(&target("b.test")).unwrap()
        );
        let from_nd = parse("r.ndjson", nd.as_bytes()).unwrap();
        assert_eq!(from_nd.len(), 2);
        assert_eq!(from_nd[1].input, "b.test");
        // The same target, byte for byte, whichever way it was stored.
        assert_eq!(
            serde_json::to_string(&from_nd[0]).unwrap(),
            serde_json::to_string(&from_json[0]).unwrap()
        );
    }

    #[test]
    fn bad_input_names_the_file_and_line_and_never_panics() {
        let good = serde_json::to_string(&target("a.test")).unwrap();
        let nd = format!("{good}\n{{\"input\": \"x\",\n");
        let e = parse("scan.ndjson", nd.as_bytes()).unwrap_err();
        assert!(e.starts_with("scan.ndjson: line 3"), "{e}");
        // A broken line is named even after a line that is JSON but no target.
        let e = parse("bad.ndjson", b"{\"input\": \"a\"}\n{oops\n").unwrap_err();
        assert!(e.starts_with("bad.ndjson: line 2"), "{e}");
        let e = parse("bad.ndjson", b"{\"input\": \"a\"}\n").unwrap_err();
        assert!(e.starts_with("bad.ndjson: line 1: missing field"), "{e}");
        let e = parse("a.json", b"{}\n[1]\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("an array"), "{e}");
        assert!(parse("e.json", b"  \n").unwrap_err().contains("empty"));
        assert!(parse("o.json", b"{\"a\": 1}")
            .unwrap_err()
            .contains("not a tlsgrade report"));
        assert!(parse("t.json", b"{\"targets\": 3}").is_err());
        // A value of the wrong type inside a target: the line it is on.
        let wrong = format!(
            "{good}\n{}\n",
            good.replace("\"port\":25", "\"port\":\"x\"")
        );
        let e = parse("w.ndjson", wrong.as_bytes()).unwrap_err();
        assert!(e.starts_with("w.ndjson: line 2: invalid type"), "{e}");
        let pretty = crate::report::to_json(&report(vec![target("a.test")]));
        let broken = pretty.replace("\"smtp-starttls\"", "\"carrier-pigeon\"");
        let e = parse("b.json", broken.as_bytes()).unwrap_err();
        let want = pretty
            .lines()
            .position(|l| l.contains("smtp-starttls"))
            .unwrap()
            + 1;
        assert!(e.starts_with(&format!("b.json: line {want}: ")), "{e}");
        // Every prefix of a valid report either parses or fails with a message.
        for n in 0..pretty.len() {
            let _ = parse("p.json", &pretty.as_bytes()[..n]);
        }
        let _ = parse("nul.json", &[0, 0xff, b'{']);
    }

    #[test]
    fn a_newer_schema_version_is_named() {
        let mut r = report(vec![]);
        r.schema_version = SCHEMA_VERSION + 1;
        let e = parse("n.json", crate::report::to_json(&r).as_bytes()).unwrap_err();
        assert!(e.contains("schema_version 2"), "{e}");
    }

    #[test]
    fn unknown_check_ids_are_kept_as_foreign_checks() {
        let line = serde_json::to_string(&target("a.test"))
            .unwrap()
            .replace("cert.expired", "cert.from-the-future");
        let t = &parse("f.ndjson", line.as_bytes()).unwrap()[0];
        let e = &t.endpoints[0];
        assert!(e.checks.is_empty());
        assert_eq!(e.read_back.foreign_checks[0].id, "cert.from-the-future");
        assert_eq!(e.read_back.foreign_checks[0].status, Status::Fail);
        // Alone, a check with an unknown id is an error that says so.
        let one = r#"{"id": "cert.from-the-future", "status": "warn", "cap": null, "detail": ""}"#;
        let err = serde_json::from_str::<Check>(one).unwrap_err().to_string();
        assert!(err.contains("not known"), "{err}");
    }

    #[test]
    fn input_of_reads_only_the_input() {
        assert_eq!(
            input_of(b"{\"input\":\"a.example\",\"kind\":\"from-the-future\"}\n").as_deref(),
            Some("a.example")
        );
        assert_eq!(input_of(b"{\"input\":\"c.ex"), None);
        assert_eq!(input_of(b"[\"a\"]"), None);
    }
}
