//! One target's report in the Prometheus text format: the answer of `tlsgrade exporter`'s
//! `/probe`. The metric names, labels and values are a public interface, listed in
//! docs/exporter.md (a test keeps the two in step).
//!
//! Values stay numbers a rule can compare: grades on one scale ([`grade_value`]), check
//! statuses by severity ([`status_value`]), times in Unix seconds. Label values are server- or
//! user-controlled text; the encoder escapes them (backslash, quote, newline) as the format asks.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::{EndpointReport, Grade, GradeValue, Status, TargetReport};

/// The `Content-Type` of [`probe`]'s text.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// A grade as a number: A+ = 6, A = 5, B = 4, C = 3, D = 2, F = 0 (1 is left out, so F stays 0
/// and "below B" is `< 4` whatever the scale gains).
pub fn grade_value(g: Grade) -> f64 {
    match g {
        Grade::APlus => 6.0,
        Grade::A => 5.0,
        Grade::B => 4.0,
        Grade::C => 3.0,
        Grade::D => 2.0,
        Grade::F => 0.0,
    }
}

/// A non-pass check's status by severity: info 1, warn 2, fail 3; error (could not be tested)
/// -1, so `>= 2` alerts on problems found and never on a probe that could not run. Pass is 0
/// (passing checks are not exported).
pub fn status_value(s: Status) -> f64 {
    match s {
        Status::Pass => 0.0,
        Status::Info => 1.0,
        Status::Warn => 2.0,
        Status::Fail => 3.0,
        Status::Error => -1.0,
    }
}

type F64Gauge = Gauge<f64, AtomicU64>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TargetLabels {
    target: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GradeLabels {
    target: String,
    grade: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    target: String,
    host: String,
    address: String,
    port: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CertificateLabels {
    target: String,
    host: String,
    address: String,
    port: String,
    sha1: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProtocolLabels {
    target: String,
    host: String,
    address: String,
    port: String,
    version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    target: String,
    host: String,
    address: String,
    port: String,
    id: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ModeLabels {
    target: String,
    mode: String,
}

/// The families of one probe, registered under their names.
#[derive(Default)]
struct Families {
    success: F64Gauge,
    duration: F64Gauge,
    grade_info: Family<GradeLabels, F64Gauge>,
    grade: Family<TargetLabels, F64Gauge>,
    endpoint_grade: Family<EndpointLabels, F64Gauge>,
    not_after: Family<CertificateLabels, F64Gauge>,
    protocol: Family<ProtocolLabels, F64Gauge>,
    check: Family<CheckLabels, F64Gauge>,
    mta_sts_mode: Family<ModeLabels, F64Gauge>,
    dane_valid: Family<TargetLabels, F64Gauge>,
}

/// Every metric `/probe` may answer: name, help. docs/exporter.md lists the same.
pub const PROBE_METRICS: &[(&str, &str)] = &[
    ("tlsgrade_probe_success", "1 when the target was graded, 0 when the scan could not grade it"),
    ("tlsgrade_probe_duration_seconds", "How long the scan of the target took"),
    ("tlsgrade_grade_info", "The target's grade as a label (value always 1)"),
    ("tlsgrade_grade", "The target's grade: A+ 6, A 5, B 4, C 3, D 2, F 0"),
    ("tlsgrade_endpoint_grade", "Each endpoint's grade, on the scale of tlsgrade_grade"),
    ("tlsgrade_certificate_not_after_seconds", "Expiry (Unix seconds) of the leaf of every certificate the endpoint presents"),
    ("tlsgrade_protocol_accepted", "1 when the endpoint accepts the protocol version, 0 when it refuses it"),
    ("tlsgrade_check_status", "Every non-pass check: info 1, warn 2, fail 3, error (not tested) -1"),
    ("tlsgrade_mta_sts_mode", "The domain's MTA-STS mode (enforce, testing, none; absent when no valid policy), value 1"),
    ("tlsgrade_dane_valid", "1 when every endpoint with TLSA records matches them (and, for a domain, its MX RRset is signed), else 0"),
];

impl Families {
    fn register(&self) -> Registry {
        let mut r = Registry::default();
        let help = |name: &str| help_of(PROBE_METRICS, name);
        macro_rules! reg {
            ($name:literal, $metric:expr) => {
                r.register($name, help($name), $metric.clone())
            };
        }
        reg!("tlsgrade_probe_success", self.success);
        reg!("tlsgrade_probe_duration_seconds", self.duration);
        reg!("tlsgrade_grade_info", self.grade_info);
        reg!("tlsgrade_grade", self.grade);
        reg!("tlsgrade_endpoint_grade", self.endpoint_grade);
        reg!("tlsgrade_certificate_not_after_seconds", self.not_after);
        reg!("tlsgrade_protocol_accepted", self.protocol);
        reg!("tlsgrade_check_status", self.check);
        reg!("tlsgrade_mta_sts_mode", self.mta_sts_mode);
        reg!("tlsgrade_dane_valid", self.dane_valid);
        r
    }
}

/// The help text `list` gives the metric registered as `name` (a counter is listed with the
/// `_total` the encoder appends to its name).
pub fn help_of(list: &[(&str, &'static str)], name: &str) -> &'static str {
    list.iter()
        .find(|(n, _)| n.strip_suffix("_total").unwrap_or(n) == name || *n == name)
        .map_or("", |(_, h)| *h)
}

/// The Prometheus text of one scanned target (`/probe`'s body).
pub fn probe(report: &TargetReport, duration: Duration) -> String {
    let f = Families::default();
    let target = report.input.clone();
    let graded = match report.grade {
        Some(GradeValue::Letter(g)) => Some(g),
        _ => None,
    };
    f.success.set(if graded.is_some() { 1.0 } else { 0.0 });
    f.duration.set(duration.as_secs_f64());
    if let Some(g) = graded {
        f.grade_info
            .get_or_create(&GradeLabels {
                target: target.clone(),
                grade: g.as_str().to_string(),
            })
            .set(1.0);
        f.grade
            .get_or_create(&TargetLabels {
                target: target.clone(),
            })
            .set(grade_value(g));
    }
    let domain_scope = EndpointLabels {
        target: target.clone(),
        host: String::new(),
        address: String::new(),
        port: String::new(),
    };
    export_checks(
        &f,
        &domain_scope,
        report.checks.iter().map(|c| (c.id.as_str(), c.status)),
    );
    for e in &report.endpoints {
        export_endpoint(&f, &target, e);
    }
    if let Some(sts) = &report.mta_sts {
        let mode = sts.policy.as_ref().map_or("absent", |p| p.mode.as_str());
        f.mta_sts_mode
            .get_or_create(&ModeLabels {
                target: target.clone(),
                mode: mode.to_string(),
            })
            .set(1.0);
    }
    let with_tlsa: Vec<&EndpointReport> =
        report.endpoints.iter().filter(|e| e.has_tlsa()).collect();
    if !with_tlsa.is_empty() {
        let endpoints_valid = with_tlsa
            .iter()
            .all(|e| e.dane.as_ref().is_some_and(|d| d.valid));
        let valid = match &report.dane {
            Some(d) => d.protected,
            None => endpoints_valid,
        };
        f.dane_valid
            .get_or_create(&TargetLabels { target })
            .set(if valid { 1.0 } else { 0.0 });
    }
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &f.register());
    out
}

fn export_endpoint(f: &Families, target: &str, e: &EndpointReport) {
    let scope = EndpointLabels {
        target: target.to_string(),
        host: e.host.clone(),
        address: e.address.clone().unwrap_or_default(),
        port: e.port.to_string(),
    };
    if let Some(GradeValue::Letter(g)) = e.grade {
        f.endpoint_grade.get_or_create(&scope).set(grade_value(g));
    }
    let certificates = if e.certificates.is_empty() {
        e.certificate.as_slice()
    } else {
        &e.certificates[..]
    };
    for leaf in certificates.iter().filter_map(|c| c.chain.first()) {
        let Some(not_after) = unix_seconds(&leaf.not_after) else {
            continue;
        };
        f.not_after
            .get_or_create(&CertificateLabels {
                target: scope.target.clone(),
                host: scope.host.clone(),
                address: scope.address.clone(),
                port: scope.port.clone(),
                sha1: leaf.sha1.clone(),
            })
            .set(not_after);
    }
    for (version, accepted) in e.protocols.iter().flat_map(|p| p.iter()) {
        let Some(accepted) = accepted else { continue };
        f.protocol
            .get_or_create(&ProtocolLabels {
                target: scope.target.clone(),
                host: scope.host.clone(),
                address: scope.address.clone(),
                port: scope.port.clone(),
                version: version.to_string(),
            })
            .set(if *accepted { 1.0 } else { 0.0 });
    }
    export_checks(
        f,
        &scope,
        e.checks.iter().map(|c| (c.id.as_str(), c.status)),
    );
}

fn export_checks<'a>(
    f: &Families,
    scope: &EndpointLabels,
    checks: impl Iterator<Item = (&'a str, Status)>,
) {
    for (id, status) in checks.filter(|(_, s)| *s != Status::Pass) {
        let series = f.check.get_or_create(&CheckLabels {
            target: scope.target.clone(),
            host: scope.host.clone(),
            address: scope.address.clone(),
            port: scope.port.clone(),
            id: id.to_string(),
        });
        // One series per id and scope: a check listed twice keeps its worst status.
        let v = status_value(status);
        if series.get() == 0.0 || v > series.get() {
            series.set(v);
        }
    }
}

/// An RFC 3339 time as Unix seconds.
fn unix_seconds(s: &str) -> Option<f64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The samples of a text exposition: `name{labels}` → value. Panics on a line that is not a
    /// comment or a well-formed sample, so a broken escape fails the test.
    fn samples(text: &str) -> HashMap<String, f64> {
        let mut out = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (series, value) = line.rsplit_once(' ').expect(line);
            assert!(
                series.matches('{').count() <= 1 && !series.contains('\n'),
                "{line}"
            );
            out.insert(series.to_string(), value.parse::<f64>().expect(line));
        }
        out
    }

    fn full() -> TargetReport {
        crate::testkit::full_report().targets.remove(0)
    }

    const EP: &str =
        "target=\"example.test\",host=\"mx.example.test\",address=\"192.0.2.1\",port=\"25\"";

    #[test]
    fn a_graded_domain_exports_each_fact_once_with_its_labels() {
        let s = samples(&probe(&full(), Duration::from_millis(1500)));
        let get = |k: &str| *s.get(k).unwrap_or_else(|| panic!("no {k} in {s:#?}"));
        assert_eq!(get("tlsgrade_probe_success"), 1.0);
        assert_eq!(get("tlsgrade_probe_duration_seconds"), 1.5);
        assert_eq!(
            get("tlsgrade_grade_info{target=\"example.test\",grade=\"B\"}"),
            1.0
        );
        assert_eq!(get("tlsgrade_grade{target=\"example.test\"}"), 4.0);
        assert_eq!(get(&format!("tlsgrade_endpoint_grade{{{EP}}}")), 4.0);
        // 2027-01-01T00:00:00Z, the fixture leaf's not_after.
        assert_eq!(
            get(&format!(
                "tlsgrade_certificate_not_after_seconds{{{EP},sha1=\"{}\"}}",
                "CD".repeat(20)
            )),
            1_798_761_600.0
        );
        let version = |v: &str| {
            s.get(&format!(
                "tlsgrade_protocol_accepted{{{EP},version=\"{v}\"}}"
            ))
        };
        assert_eq!(version("TLSv1.3"), Some(&1.0));
        assert_eq!(version("SSLv3"), Some(&0.0));
        assert_eq!(version("TLSv1.0"), None, "unknown versions are left out");
        let check = |scope: &str, id: &str| {
            s.get(&format!("tlsgrade_check_status{{{scope},id=\"{id}\"}}"))
                .copied()
        };
        assert_eq!(check(EP, "cert.self-signed"), Some(2.0));
        assert_eq!(check(EP, "cert.expired"), Some(1.0));
        let domain = "target=\"example.test\",host=\"\",address=\"\",port=\"\"";
        assert_eq!(check(domain, "mx.dangling"), Some(2.0));
        assert_eq!(
            get("tlsgrade_mta_sts_mode{target=\"example.test\",mode=\"testing\"}"),
            1.0
        );
        assert_eq!(get("tlsgrade_dane_valid{target=\"example.test\"}"), 1.0);
    }

    #[test]
    fn passing_checks_and_missing_facts_are_not_exported() {
        let mut t = full();
        for e in &mut t.endpoints {
            e.checks = vec![crate::report::Check::new(
                crate::report::CheckId::DaneValid,
                Status::Pass,
                "matched",
            )];
            e.dane = None;
        }
        t.grade = None;
        t.mta_sts = None;
        let text = probe(&t, Duration::ZERO);
        let s = samples(&text);
        assert_eq!(s["tlsgrade_probe_success"], 0.0);
        assert!(!text.contains("dane.valid"), "{text}");
        for absent in [
            "tlsgrade_grade{",
            "tlsgrade_grade_info{",
            "tlsgrade_mta_sts_mode{",
            "tlsgrade_dane_valid{",
        ] {
            assert!(
                !s.keys().any(|k| k.starts_with(absent)),
                "{absent} in {text}"
            );
        }
    }

    #[test]
    fn label_values_from_servers_are_escaped() {
        let mut t = full();
        t.endpoints[0].host = "mx\"} evil 1\nfake_metric{a=\"b\\".into();
        let text = probe(&t, Duration::ZERO);
        assert!(
            text.contains("host=\"mx\\\"} evil 1\\nfake_metric{a=\\\"b\\\\\""),
            "{text}"
        );
        assert!(
            !text.lines().any(|l| l.starts_with("fake_metric")),
            "{text}"
        );
    }

    #[test]
    fn grades_keep_their_order_on_the_scale() {
        let order = [
            Grade::F,
            Grade::D,
            Grade::C,
            Grade::B,
            Grade::A,
            Grade::APlus,
        ];
        assert!(order
            .windows(2)
            .all(|w| grade_value(w[0]) < grade_value(w[1])));
        assert_eq!(
            (grade_value(Grade::F), grade_value(Grade::APlus)),
            (0.0, 6.0)
        );
        assert!(status_value(Status::Error) < status_value(Status::Info));
        assert!(status_value(Status::Warn) < status_value(Status::Fail));
    }
}
