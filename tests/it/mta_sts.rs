//! MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) end to end: TXT records in the lab DNS, the policy
//! served by the lab HTTPS server (routed with --connect-to mta-sts.example.test:443:…), and
//! lab SMTP servers as MX hosts: every record, policy and fetch case docs/grading.md lists.

use tlsgrade::lab::dns::{DnsLab, Zone};
use tlsgrade::lab::https::{spawn_https, HttpReply, HttpsServer};
use tlsgrade::lab::pki::LeafSpec;
use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, Versions};
use tlsgrade::report::table::{render, TableOptions};
use tlsgrade::report::{
    Check, EndpointReport, Grade, Report, Status, TargetReport, Tool, SCHEMA_VERSION,
};

use crate::common::*;

const STS: &str = "v=STSv1; id=20240101T000000;";
const RPT: &str = "v=TLSRPTv1; rua=mailto:tlsrpt@example.test";
/// Names the MX certificate is valid for (the MX hosts used below).
const MX_NAMES: &[&str] = &[
    "mx1.example.test",
    "mx2.example.test",
    "example.test",
    "a.b.example.test",
];

fn enforce(mx: &[&str]) -> String {
    policy("enforce", mx)
}

fn policy(mode: &str, mx: &[&str]) -> String {
    let mut p = format!("version: STSv1\nmode: {mode}\n");
    for m in mx {
        p.push_str(&format!("mx: {m}\n"));
    }
    p.push_str("max_age: 604800\n");
    p
}

/// example.test with MX mx1 (10) and mx2 (20), plus the given TXT records
/// (each a list of strings of one RR).
fn zone(sts: &[&[&str]], rpt: &[&[&str]]) -> Zone {
    let mut z = Zone::new("example.test")
        .mx("example.test", 10, "mx1.example.test")
        .mx("example.test", 20, "mx2.example.test")
        .addr("mx1.example.test", ip("127.0.0.2"))
        .addr("mx2.example.test", ip("127.0.0.3"))
        .txt("_mta-sts.example.test", &["v=spf1 -all"]);
    for r in sts {
        z = z.txt("_mta-sts.example.test", r);
    }
    for r in rpt {
        z = z.txt("_smtp._tls.example.test", r);
    }
    z
}

/// The standard setup: STS record, TLS-RPT record, the two MX hosts.
fn good_zone() -> Zone {
    zone(&[&[STS]], &[&[RPT]])
}

/// The policy host's certificate and its replies.
struct PolicyHost {
    cert: LeafSpec,
    replies: Vec<HttpReply>,
}

fn serving(body: &str) -> Option<PolicyHost> {
    Some(PolicyHost {
        cert: LeafSpec::valid(&["mta-sts.example.test"]),
        replies: vec![HttpReply::policy(body)],
    })
}

fn replying(reply: HttpReply) -> Option<PolicyHost> {
    Some(PolicyHost {
        cert: LeafSpec::valid(&["mta-sts.example.test"]),
        replies: vec![reply],
    })
}

/// Scans example.test against `zone`, both MX on one SMTP server valid for [`MX_NAMES`], and
/// the policy host when given. Returns the report and the HTTPS server (to count requests).
async fn scan_with(zone: Zone, host: Option<PolicyHost>) -> (TargetReport, Option<HttpsServer>) {
    let dns = DnsLab::new()
        .zone(zone)
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let cfg = server_config(&leaf(MX_NAMES), Versions::Tls12And13).unwrap();
    let smtp = spawn_smtp(
        &[ip("127.0.0.2"), ip("127.0.0.3")],
        SmtpScript::new("mx1.example.test", Some(cfg)),
    )
    .await
    .unwrap();
    let mut routes = vec![format!("::25::{}", smtp.port())];
    let https = match host {
        Some(h) => {
            let cert = pki().leaf(&h.cert).unwrap();
            let tls = server_config(&cert, Versions::Tls12And13).unwrap();
            let s = spawn_https(ip("127.0.0.1"), tls, h.replies).await.unwrap();
            routes.push(format!("mta-sts.example.test:443:127.0.0.1:{}", s.port()));
            Some(s)
        }
        None => None,
    };
    let routes: Vec<&str> = routes.iter().map(|s| s.as_str()).collect();
    let r = scan(&config(Some(dns.addr()), &routes), "example.test").await;
    (r, https)
}

fn endpoint<'a>(r: &'a TargetReport, host: &str) -> &'a EndpointReport {
    r.endpoints
        .iter()
        .find(|e| e.host == host)
        .unwrap_or_else(|| panic!("no endpoint {host} in {r:#?}"))
}

fn ids(checks: &[Check]) -> Vec<&str> {
    checks.iter().map(|c| c.id.as_str()).collect()
}

#[track_caller]
fn absent(checks: &[Check], id: &str) {
    assert!(check(checks, id).is_none(), "unexpected {id}: {checks:#?}");
}

// ---- the happy path and the enforce/testing consequences (§3.4) ----

#[tokio::test]
async fn enforce_policy_covering_every_mx_gives_no_violation_and_earns_a_plus() {
    let (r, https) = scan_with(good_zone(), serving(&enforce(&["*.example.test"]))).await;
    let sts = r.mta_sts.as_ref().unwrap();
    assert_eq!(sts.record.as_deref(), Some(STS));
    assert_eq!(sts.id.as_deref(), Some("20240101T000000"));
    let p = sts.policy.as_ref().unwrap();
    assert_eq!((p.mode.as_str(), p.max_age), ("enforce", 604800));
    assert_eq!(p.mx, ["*.example.test"]);
    assert!(sts.mx_coverage.iter().all(|c| c.pattern.is_some()));
    let fetch = sts.fetch.as_ref().unwrap();
    assert_eq!(fetch.status, Some(200));
    assert_eq!(fetch.attempts, 1);
    assert_eq!(https.unwrap().requests(), 1);
    has(&r.checks, "mta-sts.policy-valid", Status::Pass);
    has(&r.checks, "mta-sts.mx-coverage", Status::Pass);
    has(&r.checks, "domain.downgrade-protection", Status::Pass);
    has(&r.checks, "tls-rpt.valid", Status::Pass);
    for e in &r.endpoints {
        absent(&e.checks, "mta-sts.enforce-violation");
        assert_eq!(e.grade, letter(Grade::APlus), "{e:#?}");
    }
    assert_eq!(r.grade, letter(Grade::APlus), "{:#?}", r.checks);
    // The unrelated TXT record at the same name was simply ignored.
    assert_eq!(sts.candidates, [STS]);
    let table = table_of(&r);
    assert!(
        table.contains("MTA-STS: enforce, max_age 604800, mx: *.example.test (covers 2/2 MX)"),
        "{table}"
    );
    assert!(
        table.contains("TLS-RPT: mailto:tlsrpt@example.test"),
        "{table}"
    );
}

fn table_of(r: &TargetReport) -> String {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        started_at: String::new(),
        finished_at: String::new(),
        targets: vec![r.clone()],
        invalid_targets: vec![],
    };
    render(&report, TableOptions::default())
}

#[tokio::test]
async fn enforce_with_an_mx_outside_the_policy_fails_that_endpoint_and_the_domain() {
    let (r, _h) = scan_with(good_zone(), serving(&enforce(&["mx1.example.test"]))).await;
    let mx2 = endpoint(&r, "mx2.example.test");
    let c = has(&mx2.checks, "mta-sts.enforce-violation", Status::Fail);
    assert_eq!(c.cap, Some(Grade::F));
    assert!(
        c.detail
            .contains("mail from MTA-STS senders will not be delivered here"),
        "{c:?}"
    );
    assert_eq!(mx2.grade, letter(Grade::F));
    absent(
        &endpoint(&r, "mx1.example.test").checks,
        "mta-sts.enforce-violation",
    );
    has(&r.checks, "mta-sts.mx-coverage", Status::Info);
    has(&r.checks, "domain.downgrade-protection", Status::Info);
    assert_eq!(r.grade, letter(Grade::F));
    let cov = &r.mta_sts.as_ref().unwrap().mx_coverage;
    assert_eq!(cov[1].host, "mx2.example.test");
    assert_eq!(cov[1].pattern, None);
}

#[tokio::test]
async fn testing_with_an_mx_outside_the_policy_warns_and_caps_the_domain_at_a() {
    let (r, _h) = scan_with(
        good_zone(),
        serving(&policy("testing", &["mx1.example.test"])),
    )
    .await;
    let c = has(&r.checks, "mta-sts.testing-violation", Status::Warn);
    assert_eq!(c.cap, Some(Grade::A));
    assert!(c.detail.contains("mx2.example.test"), "{c:?}");
    has(&r.checks, "mta-sts.mode-testing", Status::Warn);
    for e in &r.endpoints {
        absent(&e.checks, "mta-sts.enforce-violation");
        assert_eq!(e.grade, letter(Grade::A));
    }
    assert_eq!(r.grade, letter(Grade::A));
}

#[tokio::test]
async fn enforce_requires_a_pkix_valid_certificate_for_the_mx_name() {
    // mx2 gets a certificate that names only mx1: a name mismatch (B) becomes F under enforce.
    let dns = DnsLab::new()
        .zone(good_zone())
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let smtp = good_smtp(&["127.0.0.2", "127.0.0.3"], "mx1.example.test").await;
    let cert = pki()
        .leaf(&LeafSpec::valid(&["mta-sts.example.test"]))
        .unwrap();
    let https = spawn_https(
        ip("127.0.0.1"),
        server_config(&cert, Versions::Tls12And13).unwrap(),
        vec![HttpReply::policy(&enforce(&["*.example.test"]))],
    )
    .await
    .unwrap();
    let rt = [
        format!("::25::{}", smtp.port()),
        format!("mta-sts.example.test:443:127.0.0.1:{}", https.port()),
    ];
    let r = scan(&config(Some(dns.addr()), &[&rt[0], &rt[1]]), "example.test").await;
    let mx2 = endpoint(&r, "mx2.example.test");
    let c = has(&mx2.checks, "mta-sts.enforce-violation", Status::Fail);
    assert!(c
        .detail
        .contains("certificate not valid for mx2.example.test"));
    assert_eq!(mx2.grade, letter(Grade::F));
    assert_eq!(endpoint(&r, "mx1.example.test").grade, letter(Grade::APlus));
}

// ---- TXT record (§3.1) ----

#[tokio::test]
async fn two_sts_records_make_mta_sts_invalid_and_cap_b() {
    let z = zone(&[&[STS], &["v=STSv1; id=20250101;"]], &[&[RPT]]);
    let (r, https) = scan_with(z, serving(&enforce(&["*.example.test"]))).await;
    let c = has(&r.checks, "mta-sts.txt-multiple", Status::Fail);
    assert_eq!(c.cap, Some(Grade::B));
    let sts = r.mta_sts.as_ref().unwrap();
    assert_eq!(sts.record, None);
    assert_eq!(sts.candidates.len(), 2);
    assert!(sts.fetch.is_none(), "a sender would not fetch");
    assert_eq!(https.unwrap().requests(), 0);
    assert_eq!(r.grade, letter(Grade::B));
}

#[tokio::test]
async fn split_strings_are_joined_without_spaces() {
    let z = zone(&[&["v=STSv1; id=2024", "0101T000000;"]], &[&[RPT]]);
    let (r, _h) = scan_with(z, serving(&enforce(&["*.example.test"]))).await;
    let sts = r.mta_sts.as_ref().unwrap();
    assert_eq!(sts.record.as_deref(), Some(STS));
    assert_eq!(sts.id.as_deref(), Some("20240101T000000"));
    has(&r.checks, "mta-sts.txt-valid", Status::Pass);
}

#[tokio::test]
async fn an_id_of_33_characters_or_with_a_hyphen_is_invalid() {
    for id in ["a".repeat(33), "2024-01-01".to_string()] {
        let rec = format!("v=STSv1; id={id};");
        let z = zone(&[&[rec.as_str()]], &[&[RPT]]);
        let (r, _h) = scan_with(z, serving(&enforce(&["*.example.test"]))).await;
        let c = has(&r.checks, "mta-sts.txt-invalid", Status::Fail);
        assert_eq!(c.cap, Some(Grade::B));
        assert!(r.mta_sts.as_ref().unwrap().fetch.is_none());
        assert_eq!(r.grade, letter(Grade::B), "id {id}");
    }
}

// ---- HTTP (§3.2) ----

#[tokio::test]
async fn a_301_redirect_is_not_followed() {
    let reply = HttpReply::status(301)
        .location("https://mta-sts.example.test/.well-known/mta-sts.txt?moved");
    let (r, https) = scan_with(good_zone(), replying(reply)).await;
    let c = has(&r.checks, "mta-sts.http-status", Status::Fail);
    assert_eq!(c.cap, Some(Grade::B));
    let fetch = r.mta_sts.as_ref().unwrap().fetch.clone().unwrap();
    assert_eq!(fetch.status, Some(301));
    assert!(fetch.location.unwrap().ends_with("?moved"));
    assert_eq!(https.unwrap().requests(), 1, "the redirect was followed");
    assert!(r.mta_sts.as_ref().unwrap().policy.is_none());
    assert_eq!(r.grade, letter(Grade::B));
}

#[tokio::test]
async fn a_204_is_not_a_policy() {
    let (r, _h) = scan_with(good_zone(), replying(HttpReply::status(204))).await;
    has(&r.checks, "mta-sts.http-status", Status::Fail);
    assert_eq!(r.grade, letter(Grade::B));
}

#[tokio::test]
async fn a_404_means_txt_present_policy_missing() {
    let (r, _h) = scan_with(good_zone(), replying(HttpReply::status(404))).await;
    let c = has(&r.checks, "mta-sts.policy-missing", Status::Fail);
    assert!(c.detail.contains("TXT present, policy missing"));
    assert_eq!(r.grade, letter(Grade::B));
}

#[tokio::test]
async fn no_policy_host_in_dns_means_policy_missing() {
    let (r, _h) = scan_with(good_zone(), None).await;
    let c = has(&r.checks, "mta-sts.policy-missing", Status::Fail);
    assert!(c.detail.contains("NXDOMAIN"), "{c:?}");
    assert_eq!(r.grade, letter(Grade::B));
}

#[tokio::test]
async fn a_503_is_retried_once() {
    let host = Some(PolicyHost {
        cert: LeafSpec::valid(&["mta-sts.example.test"]),
        replies: vec![
            HttpReply::status(503),
            HttpReply::policy(&enforce(&["*.example.test"])),
        ],
    });
    let (r, https) = scan_with(good_zone(), host).await;
    assert_eq!(https.unwrap().requests(), 2);
    assert_eq!(
        r.mta_sts.as_ref().unwrap().fetch.as_ref().unwrap().attempts,
        2
    );
    has(&r.checks, "mta-sts.policy-valid", Status::Pass);
    let (r, _h) = scan_with(good_zone(), replying(HttpReply::status(503))).await;
    has(&r.checks, "mta-sts.http-status", Status::Fail);
}

#[tokio::test]
async fn text_html_warns_but_the_policy_is_still_used() {
    let reply = HttpReply::policy(&enforce(&["*.example.test"])).content_type("text/html");
    let (r, _h) = scan_with(good_zone(), replying(reply)).await;
    has(&r.checks, "mta-sts.content-type", Status::Warn);
    has(&r.checks, "mta-sts.policy-valid", Status::Pass);
    assert_eq!(
        r.mta_sts
            .as_ref()
            .unwrap()
            .policy
            .as_ref()
            .unwrap()
            .mode
            .as_str(),
        "enforce"
    );
}

#[tokio::test]
async fn a_70_kb_body_fails() {
    let mut body = enforce(&["*.example.test"]);
    body.push_str(&"x-padding: 0123456789abcdef\n".repeat(70 * 1024 / 27));
    assert!(body.len() > 70_000);
    let (r, _h) = scan_with(good_zone(), serving(&body)).await;
    let c = has(&r.checks, "mta-sts.body-too-large", Status::Fail);
    assert_eq!(c.cap, Some(Grade::B));
    let fetch = r.mta_sts.as_ref().unwrap().fetch.clone().unwrap();
    assert_eq!(fetch.body_bytes, Some(65536));
    assert!(r.mta_sts.as_ref().unwrap().policy.is_none());
}

#[tokio::test]
async fn a_policy_host_certificate_for_another_name_or_expired_is_not_pkix_valid() {
    for (cert, why) in [
        (
            LeafSpec::valid(&["example.test"]),
            "not valid for the policy host",
        ),
        (
            LeafSpec::valid(&["mta-sts.example.test"]).days(-100, -10),
            "expired",
        ),
    ] {
        let host = Some(PolicyHost {
            cert,
            replies: vec![HttpReply::policy(&enforce(&["*.example.test"]))],
        });
        let (r, _h) = scan_with(good_zone(), host).await;
        let c = has(&r.checks, "mta-sts.policy-host", Status::Fail);
        assert!(c.detail.contains("policy host not PKIX-valid"), "{c:?}");
        assert!(c.detail.contains(why), "{c:?}");
        assert_eq!(c.cap, Some(Grade::B));
        assert!(r.mta_sts.as_ref().unwrap().policy.is_none());
        assert_eq!(r.grade, letter(Grade::B));
    }
}

#[tokio::test]
async fn a_wildcard_certificate_is_valid_for_the_policy_host() {
    let host = Some(PolicyHost {
        cert: LeafSpec::valid(&["*.example.test"]),
        replies: vec![HttpReply::policy(&enforce(&["*.example.test"]))],
    });
    let (r, _h) = scan_with(good_zone(), host).await;
    has(&r.checks, "mta-sts.policy-valid", Status::Pass);
    absent(&r.checks, "mta-sts.policy-host");
}

// ---- policy file (§3.3) ----

#[tokio::test]
async fn crlf_and_lf_line_ends_are_both_accepted() {
    let lf = enforce(&["*.example.test"]);
    let crlf = lf.replace('\n', "\r\n");
    for body in [lf, crlf] {
        let (r, _h) = scan_with(good_zone(), serving(&body)).await;
        has(&r.checks, "mta-sts.policy-valid", Status::Pass);
        assert_eq!(r.grade, letter(Grade::APlus), "{body:?}");
    }
}

#[tokio::test]
async fn a_duplicate_mode_keeps_the_first() {
    let body =
        "version: STSv1\nmode: testing\nmode: enforce\nmx: *.example.test\nmax_age: 604800\n";
    let (r, _h) = scan_with(good_zone(), serving(body)).await;
    has(&r.checks, "mta-sts.policy-duplicate-key", Status::Warn);
    assert_eq!(
        r.mta_sts
            .as_ref()
            .unwrap()
            .policy
            .as_ref()
            .unwrap()
            .mode
            .as_str(),
        "testing"
    );
}

#[tokio::test]
async fn max_age_above_one_year_warns() {
    let body = "version: STSv1\nmode: enforce\nmx: *.example.test\nmax_age: 31557601\n";
    let (r, _h) = scan_with(good_zone(), serving(body)).await;
    has(&r.checks, "mta-sts.max-age-too-large", Status::Warn);
    has(&r.checks, "mta-sts.policy-valid", Status::Pass);
}

#[tokio::test]
async fn mode_none_without_mx_is_valid_and_informational() {
    let body = "version: STSv1\nmode: none\nmax_age: 86400\n";
    let (r, _h) = scan_with(good_zone(), serving(body)).await;
    has(&r.checks, "mta-sts.policy-valid", Status::Pass);
    has(&r.checks, "mta-sts.mode-none", Status::Info);
    let c = has(&r.checks, "domain.downgrade-protection", Status::Info);
    assert!(c.detail.contains("none"), "{c:?}");
    for e in &r.endpoints {
        absent(&e.checks, "mta-sts.enforce-violation");
    }
    assert_eq!(r.grade, letter(Grade::A));
}

#[tokio::test]
async fn a_u_label_in_mx_makes_the_policy_invalid() {
    let body = "version: STSv1\nmode: enforce\nmx: mx.exämple.test\nmax_age: 604800\n";
    let (r, _h) = scan_with(good_zone(), serving(body)).await;
    let c = has(&r.checks, "mta-sts.policy-invalid", Status::Fail);
    assert_eq!(c.cap, Some(Grade::B));
    assert_eq!(r.grade, letter(Grade::B));
}

#[tokio::test]
async fn a_wildcard_covers_one_label_only_not_the_apex_or_two_labels() {
    let z = Zone::new("example.test")
        .mx("example.test", 10, "mx1.example.test")
        .mx("example.test", 20, "example.test")
        .mx("example.test", 30, "a.b.example.test")
        .addr("mx1.example.test", ip("127.0.0.2"))
        .addr("example.test", ip("127.0.0.3"))
        .addr("a.b.example.test", ip("127.0.0.3"))
        .txt("_mta-sts.example.test", &[STS])
        .txt("_smtp._tls.example.test", &[RPT]);
    let (r, _h) = scan_with(z, serving(&enforce(&["*.example.test"]))).await;
    let cov: Vec<_> = r
        .mta_sts
        .as_ref()
        .unwrap()
        .mx_coverage
        .iter()
        .map(|c| (c.host.as_str(), c.pattern.is_some()))
        .collect();
    assert_eq!(
        cov,
        [
            ("mx1.example.test", true),
            ("example.test", false),
            ("a.b.example.test", false)
        ]
    );
    for host in ["example.test", "a.b.example.test"] {
        let e = endpoint(&r, host);
        let c = has(&e.checks, "mta-sts.enforce-violation", Status::Fail);
        assert!(c.detail.contains("matches no mx pattern"), "{c:?}");
        assert_eq!(e.grade, letter(Grade::F));
    }
    absent(
        &endpoint(&r, "mx1.example.test").checks,
        "mta-sts.enforce-violation",
    );
}

// ---- TLS-RPT (§3.5) ----

#[tokio::test]
async fn tls_rpt_valid_record_is_reported_with_its_rua() {
    let z = zone(
        &[&[STS]],
        &[&["v=TLSRPTv1; rua=mailto:tlsrpt@example.test,https://rep.example.test/v1"]],
    );
    let (r, _h) = scan_with(z, serving(&enforce(&["*.example.test"]))).await;
    let rpt = r.tls_rpt.as_ref().unwrap();
    assert_eq!(
        rpt.rua,
        ["mailto:tlsrpt@example.test", "https://rep.example.test/v1"]
    );
    assert!(rpt.record.is_some());
    has(&rpt.checks, "tls-rpt.valid", Status::Pass);
}

#[tokio::test]
async fn tls_rpt_invalid_warns_without_cap_and_blocks_a_plus() {
    let z = zone(&[&[STS]], &[&["v=TLSRPTv1; rua=ftp://example.test/x"]]);
    let (r, _h) = scan_with(z, serving(&enforce(&["*.example.test"]))).await;
    let c = has(&r.checks, "tls-rpt.invalid", Status::Warn);
    assert_eq!(c.cap, None);
    assert!(r.tls_rpt.as_ref().unwrap().record.is_none());
    // Every endpoint is A+, but a domain A+ needs TLS-RPT.
    assert_eq!(r.grade, letter(Grade::A));
}

#[tokio::test]
async fn tls_rpt_missing_warns_when_mta_sts_is_deployed_and_informs_otherwise() {
    let (r, _h) = scan_with(zone(&[&[STS]], &[]), serving(&enforce(&["*.example.test"]))).await;
    let c = has(&r.checks, "tls-rpt.missing", Status::Warn);
    assert!(c.detail.contains("MTA-STS is deployed"), "{c:?}");
    assert_eq!(r.grade, letter(Grade::A));

    let (r, _h) = scan_with(zone(&[], &[]), None).await;
    has(&r.checks, "tls-rpt.missing", Status::Info);
    has(&r.checks, "mta-sts.txt-missing", Status::Info);
    let c = has(&r.checks, "domain.downgrade-protection", Status::Info);
    assert_eq!(c.cap, Some(Grade::A));
    assert!(
        c.detail
            .contains("no DANE either: the MX records are not DNSSEC-secure"),
        "{c:?}"
    );
    assert!(r.mta_sts.as_ref().unwrap().fetch.is_none());
    assert_eq!(r.grade, letter(Grade::A));
    let table = table_of(&r);
    assert!(table.contains("MTA-STS: not published"), "{table}");
    assert!(table.contains("TLS-RPT: not published"), "{table}");
    assert!(
        !ids(&r.checks)
            .iter()
            .any(|i| i.starts_with("mta-sts.policy")),
        "{:#?}",
        r.checks
    );
}
