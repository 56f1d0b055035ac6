//! docs/report.schema.json describes what the binary writes: the JSON of real scans (the demo's
//! domains, error targets, bad target lines, `--ciphers`) and NDJSON lines validate against it,
//! with formats checked and, on the test side, no property the schema does not list.

use std::process::Output;

use serde_json::{json, Value};
use tlsgrade::lab::dns::{DnsLab, Zone};
use tlsgrade::lab::pki::LeafSpec;
use tlsgrade::lab::tls::{server_config, spawn_tls, Versions};

use crate::common::*;

fn schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `schema` with `additionalProperties: false` on every object that lists its properties and
/// does not say otherwise: a field the binary writes but the schema does not describe fails.
/// (The published schema stays open to fields a later version adds.)
fn closed(mut schema: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                if o.contains_key("properties") && !o.contains_key("additionalProperties") {
                    o.insert("additionalProperties".into(), Value::Bool(false));
                }
                o.values_mut().for_each(walk);
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut schema);
    schema
}

/// The schema of one target object (an NDJSON line): the report schema's `$defs`, rooted at
/// `#/$defs/target`.
fn target_schema(schema: &Value) -> Value {
    json!({
        "$schema": schema["$schema"],
        "$ref": "#/$defs/target",
        "$defs": schema["$defs"],
    })
}

/// Every way `instance` breaks `schema`, one line each.
fn violations(schema: &Value, instance: &Value) -> Vec<String> {
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles");
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[track_caller]
fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let errors = violations(schema, instance);
    assert!(
        errors.is_empty(),
        "{what} does not match docs/report.schema.json:\n{}",
        errors.join("\n")
    );
}

fn json_out(o: &Output) -> Value {
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

#[test]
fn the_schema_is_itself_valid_and_strict_where_it_matters() {
    let s = schema();
    jsonschema::meta::validate(&s).expect("a valid 2020-12 schema");
    // The validator does reject what the schema forbids (formats included).
    let mut bad = json!({"schema_version": 1, "tool": {"name": "tlsgrade", "version": "0"},
        "started_at": "yesterday", "finished_at": "2026-01-01T00:00:00Z",
        "targets": [], "invalid_targets": []});
    assert!(!violations(&s, &bad).is_empty(), "date-time not checked");
    bad["started_at"] = json!("2026-01-01T00:00:00Z");
    assert_valid(&s, &bad, "an empty report");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_report_matches_the_schema() {
    let s = closed(schema());
    let v = json_out(&run_tlsgrade(&["--demo", "--json", "-"]).await);
    assert!(v["targets"].as_array().unwrap().len() >= 10);
    // Every optional section of the model is present somewhere in the demo.
    let targets = v["targets"].as_array().unwrap();
    let endpoints: Vec<&Value> = targets
        .iter()
        .flat_map(|t| t["endpoints"].as_array().unwrap())
        .collect();
    for k in ["mta_sts", "tls_rpt", "dane"] {
        assert!(
            targets.iter().any(|t| t[k].is_object()),
            "no target has {k}"
        );
    }
    for k in ["ciphers", "key_exchange", "dane", "starttls", "certificate"] {
        assert!(
            endpoints.iter().any(|e| e[k].is_object()),
            "no endpoint has {k}"
        );
    }
    assert!(
        targets
            .iter()
            .any(|t| t["mta_sts"]["protected"] == Value::Bool(true)),
        "no demo domain is MTA-STS protected"
    );
    assert_valid(&s, &v, "the demo report");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_targets_bad_lines_and_full_cipher_lists_match_the_schema() {
    let s = closed(schema());
    // A TLS endpoint with every suite listed (--ciphers), a refused port, a domain that does
    // not exist, a bad target line and a bad argument.
    let l = pki()
        .leaf(&LeafSpec::valid(&["www.example.test"]).self_signed())
        .unwrap();
    let srv = spawn_tls(
        &[ip("127.0.0.1")],
        server_config(&l, Versions::Tls12And13).unwrap(),
    )
    .await
    .unwrap();
    let dns = DnsLab::new()
        .zone(Zone::new("example.test"))
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("targets.txt");
    let refused = format!("tls://127.0.0.1:{}", free_port());
    std::fs::write(
        &file,
        format!("{refused}\nbad..name\nnxdomain.example.test\n"),
    )
    .unwrap();
    let rt = format!("www.example.test:8443:127.0.0.1:{}", srv.port());
    let resolver = dns.addr().to_string();
    let common = [
        "--connect-to",
        &rt,
        "--resolver",
        &resolver,
        "--allow-private",
        "--timeout",
        "3",
        "--ciphers",
        "-f",
        file.to_str().unwrap(),
        "tls://www.example.test:8443",
        "ftp://not-a-scheme.example",
    ];
    let v = json_out(&run_tlsgrade(&[&common[..], &["--json", "-"]].concat()).await);
    let errors: Vec<&str> = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["error"]["kind"].as_str().into_iter().chain(
                t["endpoints"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|e| e["error"]["kind"].as_str()),
            )
        })
        .collect();
    assert!(errors.contains(&"connect-refused"), "{errors:?}");
    assert!(errors.contains(&"dns-nxdomain"), "{errors:?}");
    let invalid = v["invalid_targets"].as_array().unwrap();
    assert!(invalid.iter().any(|i| i["line"].is_null()), "{invalid:?}");
    assert!(invalid.iter().any(|i| i["line"] == 2), "{invalid:?}");
    let tls = &v["targets"][0]["endpoints"][0];
    assert!(
        tls["ciphers"]["versions"]["TLSv1.2"]["accepted_suites"].is_array(),
        "{tls}"
    );
    assert_valid(&s, &v, "a report with error targets");

    // The same scan as NDJSON: every line is a target object of the schema.
    let o = run_tlsgrade(&[&common[..], &["--ndjson", "-", "-q"]].concat()).await;
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let target = target_schema(&s);
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    for line in text.lines() {
        let t: Value = serde_json::from_str(line).unwrap();
        assert_valid(&target, &t, &format!("the NDJSON line of {}", t["input"]));
    }
}
