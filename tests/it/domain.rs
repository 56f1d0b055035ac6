//! Mail-domain resolution against an in-process DNS zone: MX order, null MX, implicit MX,
//! NXDOMAIN / SERVFAIL / timeout, CNAMEs, dangling and IP-literal MX hosts.

use tlsgrade::lab::dns::{DnsLab, Zone};
use tlsgrade::report::{ErrorKind, Grade, GradeValue, Kind, Status};

use crate::common::*;

fn zone() -> Zone {
    Zone::new("example.test")
        // two MX at preference 10 (a tie) and one at 20; listed out of order on purpose
        .mx("example.test", 20, "backup.example.test")
        .mx("example.test", 10, "mx2.example.test")
        .mx("example.test", 10, "mx1.example.test")
        .addr("mx1.example.test", ip("127.0.0.2"))
        .addr("mx2.example.test", ip("127.0.0.3"))
        .addr("mx2.example.test", ip("::1"))
        .addr("backup.example.test", ip("127.0.0.4"))
        .mx("null.example.test", 0, ".")
        .mx("badnull.example.test", 10, ".")
        .mx("badnull.example.test", 20, "mx1.example.test")
        .addr("implicit.example.test", ip("127.0.0.2"))
        .txt("nomail.example.test", &["v=spf1 -all"])
        .mx("cnamemx.example.test", 10, "alias.example.test")
        .cname("alias.example.test", "mx1.example.test")
        .cname("cnamedomain.example.test", "example.test")
        .mx("dangling.example.test", 10, "mx1.example.test")
        .mx("dangling.example.test", 20, "gone.example.test")
        .mx("allgone.example.test", 10, "gone.example.test")
        .mx("iplit.example.test", 10, "192.0.2.1")
        .mx("dup.example.test", 10, "mx1.example.test")
        .mx("dup.example.test", 20, "MX1.example.test")
        .mx("sf.example.test", 10, "servfail.example.test")
}

async fn lab() -> (tlsgrade::lab::ServerHandle, tlsgrade::lab::ServerHandle) {
    let dns = DnsLab::new()
        .zone(zone())
        .servfail("broken.example.test")
        .servfail("servfail.example.test")
        .silent("slow.example.test")
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let smtp = good_smtp(
        &["127.0.0.2", "127.0.0.3", "127.0.0.4", "::1"],
        "mx1.example.test",
    )
    .await;
    (dns, smtp)
}

#[tokio::test]
async fn every_address_of_every_mx_is_an_endpoint_in_preference_then_name_order() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let cfg = config(Some(dns.addr()), &[&rt]);
    let r = scan(&cfg, "example.test").await;
    assert_eq!(r.kind, Kind::MailDomain);
    let order: Vec<_> =
        r.mx.iter()
            .map(|m| (m.preference, m.host.as_str()))
            .collect();
    assert_eq!(
        order,
        [
            (10, "mx1.example.test"),
            (10, "mx2.example.test"),
            (20, "backup.example.test")
        ]
    );
    assert_eq!(r.mx[1].addresses, ["127.0.0.3", "::1"]);
    let mut addrs: Vec<_> = r
        .endpoints
        .iter()
        .map(|e| e.address.clone().unwrap())
        .collect();
    addrs.sort();
    assert_eq!(addrs, ["127.0.0.2", "127.0.0.3", "127.0.0.4", "::1"]);
    for e in &r.endpoints {
        assert_eq!(e.port, 25);
        assert_eq!(e.transport.as_str(), "smtp-starttls");
        assert!(e.error.is_none(), "{e:#?}");
        assert_eq!(e.negotiated.as_ref().unwrap().version.name(), "TLSv1.3");
    }
    // The certificate names mx1 only: mx2 and backup are name mismatches (B), so the domain is B.
    let mx1 = r
        .endpoints
        .iter()
        .find(|e| e.host == "mx1.example.test")
        .unwrap();
    assert_eq!(mx1.grade, letter(Grade::A));
    let mx2 = r
        .endpoints
        .iter()
        .find(|e| e.host == "mx2.example.test")
        .unwrap();
    has(&mx2.checks, "cert.name-mismatch", Status::Warn);
    assert_eq!(r.grade, letter(Grade::B));
    has(&r.checks, "domain.downgrade-protection", Status::Info);
}

#[tokio::test]
async fn null_mx_is_not_graded_and_not_connected() {
    let (dns, _smtp) = lab().await;
    let r = scan(&config(Some(dns.addr()), &[]), "null.example.test").await;
    assert_eq!(r.grade, None);
    assert!(r.endpoints.is_empty());
    has(&r.checks, "mx.null", Status::Info);
}

#[tokio::test]
async fn null_mx_with_a_preference_or_next_to_real_mx_is_malformed_and_ignored() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let r = scan(&config(Some(dns.addr()), &[&rt]), "badnull.example.test").await;
    has(&r.checks, "mx.null-malformed", Status::Warn);
    assert_eq!(r.mx.len(), 1);
    assert_eq!(only_endpoint(&r).host, "mx1.example.test");
}

#[tokio::test]
async fn no_mx_falls_back_to_the_domain_address_with_a_warning() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let r = scan(&config(Some(dns.addr()), &[&rt]), "implicit.example.test").await;
    has(&r.checks, "mx.implicit", Status::Warn);
    assert_eq!(r.mx[0].host, "implicit.example.test");
    assert_eq!(only_endpoint(&r).address.as_deref(), Some("127.0.0.2"));
    assert!(matches!(r.grade, Some(GradeValue::Letter(g)) if g >= Grade::A));
}

#[tokio::test]
async fn no_mx_and_no_address_means_no_mail_service() {
    let (dns, _smtp) = lab().await;
    let r = scan(&config(Some(dns.addr()), &[]), "nomail.example.test").await;
    has(&r.checks, "mx.no-mail-service", Status::Info);
    assert_eq!(r.grade, None);
}

#[tokio::test]
async fn nxdomain_servfail_and_timeout_are_distinct_and_never_fall_back() {
    let (dns, _smtp) = lab().await;
    let cfg = config(Some(dns.addr()), &[]);
    let r = scan(&cfg, "nosuch.example.test").await;
    assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::DnsNxdomain);
    has(&r.checks, "mx.lookup", Status::Fail);
    let r = scan(&cfg, "broken.example.test").await;
    assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::DnsServfail);
    has(&r.checks, "mx.lookup", Status::Error);
    assert!(r.endpoints.is_empty());
    let started = std::time::Instant::now();
    let r = scan(&cfg, "slow.example.test").await;
    assert_eq!(
        r.error.as_ref().unwrap().kind,
        ErrorKind::DnsTimeout,
        "{r:#?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(r.grade, None);
}

#[tokio::test]
async fn mx_pointing_at_a_cname_is_followed_with_a_warning() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let r = scan(&config(Some(dns.addr()), &[&rt]), "cnamemx.example.test").await;
    let c = has(&r.checks, "mx.cname", Status::Warn);
    assert!(c.detail.contains("mx1.example.test"));
    assert_eq!(only_endpoint(&r).address.as_deref(), Some("127.0.0.2"));
}

#[tokio::test]
async fn a_cname_at_the_domain_is_followed_to_its_mx() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let r = scan(
        &config(Some(dns.addr()), &[&rt]),
        "cnamedomain.example.test",
    )
    .await;
    assert_eq!(r.mx.len(), 3, "{:#?}", r.mx);
}

#[tokio::test]
async fn dangling_mx_warns_and_caps_while_all_dangling_fails() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let cfg = config(Some(dns.addr()), &[&rt]);
    let r = scan(&cfg, "dangling.example.test").await;
    has(&r.checks, "mx.dangling", Status::Warn);
    let usable = has(&r.checks, "mx.usable", Status::Warn);
    assert_eq!(usable.cap, Some(Grade::A));
    assert_eq!(r.endpoints.len(), 1);
    let r = scan(&cfg, "allgone.example.test").await;
    has(&r.checks, "mx.usable", Status::Fail);
    assert_eq!(r.grade, letter(Grade::F));
}

#[tokio::test]
async fn ip_literal_mx_fails_and_servfail_on_a_host_is_an_error_for_that_host() {
    let (dns, _smtp) = lab().await;
    let cfg = config(Some(dns.addr()), &[]);
    let r = scan(&cfg, "iplit.example.test").await;
    has(&r.checks, "mx.ip-literal", Status::Fail);
    assert_eq!(r.grade, letter(Grade::F));
    let r = scan(&cfg, "sf.example.test").await;
    has(&r.checks, "mx.address-lookup", Status::Error);
}

#[tokio::test]
async fn duplicate_mx_hosts_are_scanned_once() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let r = scan(&config(Some(dns.addr()), &[&rt]), "dup.example.test").await;
    assert_eq!(r.mx.len(), 1);
    assert_eq!(r.mx[0].preference, 10);
    assert_eq!(r.endpoints.len(), 1);
}

#[tokio::test]
async fn unroutable_mx_addresses_fail_unless_allowed() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let mut cfg = config(Some(dns.addr()), &[&rt]);
    cfg.allow_private = false;
    let r = scan(&cfg, "example.test").await;
    has(&r.checks, "mx.unroutable", Status::Fail);
    assert_eq!(r.grade, letter(Grade::F));
    assert!(r.endpoints.is_empty());
}

#[tokio::test]
async fn ipv4_only_and_ipv6_only_filter_endpoints() {
    let (dns, smtp) = lab().await;
    let rt = format!("::25::{}", smtp.port());
    let mut cfg = config(Some(dns.addr()), &[&rt]);
    cfg.ipv6 = false;
    let r = scan(&cfg, "example.test").await;
    assert!(r
        .endpoints
        .iter()
        .all(|e| e.address.as_deref() != Some("::1")));
    assert_eq!(r.endpoints.len(), 3);
    cfg.ipv6 = true;
    cfg.ipv4 = false;
    let r = scan(&cfg, "example.test").await;
    assert_eq!(r.endpoints.len(), 1);
    assert_eq!(r.endpoints[0].address.as_deref(), Some("::1"));
}
