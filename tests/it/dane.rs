//! DANE against zones signed at test time and served in-process: every case of docs/grading.md's
//! DANE section, with the DNSSEC validation done by tlsgrade itself from a test trust anchor.

use std::sync::Arc;

use tlsgrade::lab::dns::{DnsLab, Zone, ZoneKey};
use tlsgrade::lab::pki::{Leaf, LeafSpec};
use tlsgrade::lab::smtp::{spawn_smtp, SmtpScript};
use tlsgrade::lab::tls::{server_config, Versions};
use tlsgrade::lab::ServerHandle;
use tlsgrade::report::{Grade, Status, TargetReport};
use x509_parser::prelude::*;

use crate::common::*;

fn spki(der: &[u8]) -> Vec<u8> {
    let (_, c) = X509Certificate::from_der(der).unwrap();
    ring::digest::digest(&ring::digest::SHA256, c.public_key().raw)
        .as_ref()
        .to_vec()
}

struct Lab {
    _dns: ServerHandle,
    _servers: Vec<ServerHandle>,
    cfg: tlsgrade::scan::ScanConfig,
}

/// One SMTP server per MX host, each with its own certificate, and the zones:
/// test. (signed, the anchor) → dane.test. (signed, secure delegation), plain.test. (unsigned),
/// bogus.test. (signed, but the DS in test. names another key), and
/// _tcp.badtlsa.dane.test. (signed with a key its DS does not name: a bogus TLSA answer).
async fn lab() -> Lab {
    let pki = pki();
    let leaf = |name: &str| pki.leaf(&LeafSpec::valid(&[name])).unwrap();
    let hosts: Vec<(&str, Leaf, Versions)> = vec![
        (
            "mx-ee.dane.test",
            leaf("mx-ee.dane.test"),
            Versions::Tls12And13,
        ),
        (
            "mx-ee12.dane.test",
            leaf("mx-ee12.dane.test"),
            Versions::Tls12Only,
        ),
        (
            "mx-ta.dane.test",
            leaf("mx-ta.dane.test"),
            Versions::Tls12And13,
        ),
        (
            "mx-stale.dane.test",
            leaf("mx-stale.dane.test"),
            Versions::Tls12And13,
        ),
        (
            "mx-root.dane.test",
            leaf("mx-root.dane.test"),
            Versions::Tls12And13,
        ),
        (
            "mx-pkix.dane.test",
            leaf("mx-pkix.dane.test"),
            Versions::Tls12And13,
        ),
        (
            "mx-len.dane.test",
            leaf("mx-len.dane.test"),
            Versions::Tls12And13,
        ),
        (
            "mx-self.dane.test",
            pki.leaf(&LeafSpec::valid(&["default.local"]).self_signed())
                .unwrap(),
            Versions::Tls12And13,
        ),
        (
            "badtlsa.dane.test",
            leaf("badtlsa.dane.test"),
            Versions::Tls12And13,
        ),
        (
            "mx-cn.dane.test",
            leaf("mx-cn.dane.test"),
            Versions::Tls12And13,
        ),
        ("mx.plain.test", leaf("mx.plain.test"), Versions::Tls12And13),
        ("mx.bogus.test", leaf("mx.bogus.test"), Versions::Tls12And13),
    ];
    let (root, good, plain_tlsa_key) = (
        ZoneKey::generate().unwrap(),
        ZoneKey::generate().unwrap(),
        ZoneKey::generate().unwrap(),
    );
    let (bogus_real, bogus_claimed) = (ZoneKey::generate().unwrap(), ZoneKey::generate().unwrap());
    let (badtlsa_real, badtlsa_claimed) =
        (ZoneKey::generate().unwrap(), ZoneKey::generate().unwrap());
    let _ = plain_tlsa_key;
    let stale_key = pki.leaf(&LeafSpec::valid(&["old.example"])).unwrap();

    let mut dane = Zone::new("dane.test");
    let mut servers = Vec::new();
    let mut connect_to = Vec::new();
    for (name, l, v) in &hosts {
        let srv = spawn_smtp(
            &[ip("127.0.0.1")],
            SmtpScript::new(name, Some(server_config(l, *v).unwrap())),
        )
        .await
        .unwrap();
        connect_to.push(format!("{name}:25:127.0.0.1:{}", srv.port()));
        servers.push(srv);
    }
    let by = |n: &str| hosts.iter().find(|h| h.0 == n).unwrap().1.chain.clone();
    // One mail domain per case, all in the signed zone (secure MX RRsets).
    for (domain, mx) in [
        ("ee.dane.test", "mx-ee.dane.test"),
        ("ee12.dane.test", "mx-ee12.dane.test"),
        ("ta.dane.test", "mx-ta.dane.test"),
        ("stale.dane.test", "mx-stale.dane.test"),
        ("root.dane.test", "mx-root.dane.test"),
        ("pkix.dane.test", "mx-pkix.dane.test"),
        ("len.dane.test", "mx-len.dane.test"),
        ("self.dane.test", "mx-self.dane.test"),
        ("badtlsa-domain.dane.test", "badtlsa.dane.test"),
        ("cn.dane.test", "mx-cn.dane.test"),
        ("plain-domain.dane.test", "mx.plain.test"),
        ("bogus-domain.dane.test", "mx.bogus.test"),
    ] {
        dane = dane.mx(domain, 10, mx).txt(
            &format!("_smtp._tls.{domain}"),
            &[&format!("v=TLSRPTv1; rua=mailto:tlsrpt@{domain}")],
        );
    }
    for h in [
        "mx-ee", "mx-ee12", "mx-ta", "mx-stale", "mx-root", "mx-pkix", "mx-len", "mx-self",
        "badtlsa",
    ] {
        dane = dane.addr(&format!("{h}.dane.test"), ip("127.0.0.1"));
    }
    dane = dane
        .tlsa(
            "_25._tcp.mx-ee.dane.test",
            3,
            1,
            1,
            &spki(&by("mx-ee.dane.test")[0]),
        )
        .tlsa(
            "_25._tcp.mx-ee12.dane.test",
            3,
            1,
            1,
            &spki(&by("mx-ee12.dane.test")[0]),
        )
        .tlsa(
            "_25._tcp.mx-ta.dane.test",
            2,
            1,
            1,
            &spki(&by("mx-ta.dane.test")[1]),
        )
        .tlsa(
            "_25._tcp.mx-stale.dane.test",
            3,
            1,
            1,
            &spki(&stale_key.chain[0]),
        )
        .tlsa(
            "_25._tcp.mx-root.dane.test",
            2,
            1,
            1,
            &spki(&pki.root_der()),
        )
        .tlsa(
            "_25._tcp.mx-pkix.dane.test",
            1,
            1,
            1,
            &spki(&by("mx-pkix.dane.test")[0]),
        )
        .tlsa(
            "_25._tcp.mx-len.dane.test",
            3,
            1,
            1,
            &spki(&by("mx-len.dane.test")[0])[..31],
        )
        .tlsa(
            "_25._tcp.mx-self.dane.test",
            3,
            1,
            1,
            &spki(&by("mx-self.dane.test")[0]),
        )
        .tlsa(
            "_25._tcp.mx-cn.dane.test",
            3,
            1,
            1,
            &spki(&by("mx-cn.dane.test")[0]),
        )
        .cname("mx-cn.dane.test", "mx.plain.test")
        .ds("_tcp.badtlsa.dane.test", &badtlsa_claimed)
        .signed(&good);
    let dns = DnsLab::new()
        .zone(
            Zone::new("test")
                .ds("dane.test", &good)
                .ds("bogus.test", &bogus_claimed)
                .signed(&root),
        )
        .zone(dane)
        .zone(
            Zone::new("_tcp.badtlsa.dane.test")
                .tlsa(
                    "_25._tcp.badtlsa.dane.test",
                    3,
                    1,
                    1,
                    &spki(&by("badtlsa.dane.test")[0]),
                )
                .signed(&badtlsa_real),
        )
        .zone(
            Zone::new("plain.test")
                .addr("mx.plain.test", ip("127.0.0.1"))
                .tlsa(
                    "_25._tcp.mx.plain.test",
                    3,
                    1,
                    1,
                    &spki(&by("mx.plain.test")[0]),
                ),
        )
        .zone(
            Zone::new("bogus.test")
                .addr("mx.bogus.test", ip("127.0.0.1"))
                .signed(&bogus_real),
        )
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let rts: Vec<&str> = connect_to.iter().map(String::as_str).collect();
    let mut cfg = config(Some(dns.addr()), &rts);
    let anchors: hickory_proto::dnssec::TrustAnchors =
        root.anchor("test").unwrap().parse().unwrap();
    cfg.trust_anchors = Some(Arc::new(anchors));
    Lab {
        _dns: dns,
        _servers: servers,
        cfg,
    }
}

async fn domain(l: &Lab, d: &str) -> TargetReport {
    scan(&l.cfg, d).await
}

#[tokio::test]
async fn valid_3_1_1_with_tls13_and_tls_rpt_earns_a_plus() {
    let l = lab().await;
    let r = domain(&l, "ee.dane.test").await;
    let e = only_endpoint(&r);
    has(&e.checks, "dane.valid", Status::Pass);
    let d = e.dane.as_ref().unwrap();
    assert_eq!(d.dnssec.address, "secure");
    assert_eq!(d.dnssec.tlsa.as_deref(), Some("secure"));
    assert!(d.matched.as_deref().unwrap().starts_with("3 1 1"));
    assert_eq!(e.grade, letter(Grade::APlus), "{:#?}", e.checks);
    has(&r.checks, "dane.domain", Status::Pass);
    has(&r.checks, "domain.downgrade-protection", Status::Pass);
    assert_eq!(r.dane.as_ref().unwrap().mx_dnssec, "secure");
    assert_eq!(r.grade, letter(Grade::APlus));
}

#[tokio::test]
async fn the_same_with_tls12_only_is_an_a_not_a_plus() {
    let l = lab().await;
    let r = domain(&l, "ee12.dane.test").await;
    has(&only_endpoint(&r).checks, "dane.valid", Status::Pass);
    assert_eq!(r.grade, letter(Grade::A));
}

#[tokio::test]
async fn valid_2_1_1_on_the_intermediate_the_server_sends() {
    let l = lab().await;
    let r = domain(&l, "ta.dane.test").await;
    let c = has(&only_endpoint(&r).checks, "dane.valid", Status::Pass);
    assert!(c.detail.contains("DANE-TA"), "{}", c.detail);
}

#[tokio::test]
async fn stale_3_1_1_after_a_key_change_fails() {
    let l = lab().await;
    let r = domain(&l, "stale.dane.test").await;
    let e = only_endpoint(&r);
    let c = has(&e.checks, "dane.tlsa-mismatch", Status::Fail);
    assert!(c.detail.contains("will not be delivered"));
    assert_eq!(e.grade, letter(Grade::F));
    assert_eq!(r.grade, letter(Grade::F));
}

#[tokio::test]
async fn dane_ta_on_a_root_the_server_does_not_send_fails() {
    let l = lab().await;
    let r = domain(&l, "root.dane.test").await;
    let c = has(
        &only_endpoint(&r).checks,
        "dane.tlsa-mismatch",
        Status::Fail,
    );
    assert!(
        c.detail.contains("matches no certificate the server sent"),
        "{}",
        c.detail
    );
}

#[tokio::test]
async fn bogus_signatures_fail_validation_and_the_host() {
    let l = lab().await;
    // A TLSA answer whose signature chain is broken, behind a secure address.
    let r = domain(&l, "badtlsa-domain.dane.test").await;
    let e = only_endpoint(&r);
    has(&e.checks, "dane.lookup-failed", Status::Fail);
    assert_eq!(
        e.dane.as_ref().unwrap().dnssec.tlsa.as_deref(),
        Some("bogus")
    );
    assert_eq!(e.grade, letter(Grade::F));
    // An MX host whose zone is bogus while the MX RRset itself validates.
    let r = domain(&l, "bogus-domain.dane.test").await;
    let e = only_endpoint(&r);
    assert_eq!(e.dane.as_ref().unwrap().dnssec.address, "bogus");
    has(&e.checks, "dane.lookup-failed", Status::Fail);
}

#[tokio::test]
async fn an_unsigned_zone_means_no_dane() {
    let l = lab().await;
    let r = domain(&l, "plain-domain.dane.test").await;
    let e = only_endpoint(&r);
    has(&e.checks, "dane.none", Status::Info);
    assert_eq!(e.dane.as_ref().unwrap().dnssec.address, "insecure");
    assert!(
        e.dane.as_ref().unwrap().tlsa.is_empty(),
        "TLSA must not even be looked up"
    );
    assert!(!r.dane.as_ref().unwrap().protected);
    assert_ne!(r.grade, letter(Grade::APlus));
}

#[tokio::test]
async fn tlsa_secure_but_the_host_address_insecure_is_not_dane() {
    let l = lab().await;
    let r = domain(&l, "cn.dane.test").await;
    let e = only_endpoint(&r);
    has(&e.checks, "dane.none", Status::Info);
    assert_eq!(e.dane.as_ref().unwrap().dnssec.address, "insecure");
}

#[tokio::test]
async fn only_pkix_usages_and_a_short_digest_are_unusable() {
    let l = lab().await;
    for d in ["pkix.dane.test", "len.dane.test"] {
        let r = domain(&l, d).await;
        let e = only_endpoint(&r);
        has(&e.checks, "dane.unusable", Status::Warn);
        let rec = &e.dane.as_ref().unwrap().tlsa[0];
        assert!(!rec.usable && rec.unusable_reason.is_some(), "{d}: {rec:?}");
        assert_eq!(e.grade, letter(Grade::A), "{d}");
    }
}

#[tokio::test]
async fn a_self_signed_certificate_with_a_matching_3_1_1_is_not_marked_down_for_trust() {
    let l = lab().await;
    let r = domain(&l, "self.dane.test").await;
    let e = only_endpoint(&r);
    has(&e.checks, "dane.valid", Status::Pass);
    // The PKIX findings are still reported, as information.
    has(&e.checks, "cert.self-signed", Status::Info);
    has(&e.checks, "cert.name-mismatch", Status::Info);
    assert_eq!(e.grade, letter(Grade::APlus));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_anchor_files_take_dnskey_or_ds_records() {
    use tlsgrade::dns::{load_trust_anchors, Dns};
    let root = ZoneKey::generate().unwrap();
    let dns = DnsLab::new()
        .zone(
            Zone::new("test")
                .addr("a.test", ip("127.0.0.1"))
                .signed(&root),
        )
        .spawn(ip("127.0.0.1"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plain = Dns::new(Some(dns.addr()), std::time::Duration::from_secs(3)).unwrap();
    let key = dir.path().join("key.txt");
    std::fs::write(
        &key,
        format!("; comment\n{}\n", root.anchor("test").unwrap()),
    )
    .unwrap();
    assert_eq!(load_trust_anchors(&[key], &plain).await.unwrap().len(), 1);
    let ds = root.ds("test").unwrap();
    let hexd: String = ds.digest().iter().map(|b| format!("{b:02x}")).collect();
    let dsf = dir.path().join("ds.txt");
    std::fs::write(
        &dsf,
        format!("test. 3600 IN DS {} 13 2 {hexd}\n", ds.key_tag()),
    )
    .unwrap();
    assert_eq!(
        load_trust_anchors(std::slice::from_ref(&dsf), &plain)
            .await
            .unwrap()
            .len(),
        1
    );
    std::fs::write(
        &dsf,
        format!(
            "test. 3600 IN DS {} 13 2 {}\n",
            ds.key_tag(),
            "00".repeat(32)
        ),
    )
    .unwrap();
    let err = load_trust_anchors(&[dsf], &plain)
        .await
        .err()
        .expect("a DS matching no key is refused");
    assert!(err.contains("no DNSKEY"), "{err}");
}
