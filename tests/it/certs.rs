//! Certificate failure classes over direct TLS with the lab's rustls server: each is captured
//! (never a handshake abort) and reported with its own check id.

use tlsgrade::lab::pki::{LeafSpec, Pki};
use tlsgrade::lab::tls::{server_config, spawn_tls, Versions};
use tlsgrade::report::{Grade, Status};

use crate::common::*;

const NAME: &str = "www.example.test";

async fn scan_leaf(spec: LeafSpec, pki: &Pki) -> tlsgrade::report::EndpointReport {
    let leaf = pki.leaf(&spec).unwrap();
    let srv = spawn_tls(
        &[ip("127.0.0.1")],
        server_config(&leaf, Versions::Tls12And13).unwrap(),
    )
    .await
    .unwrap();
    let rt = format!("{NAME}:8443:127.0.0.1:{}", srv.port());
    let r = scan(&config(None, &[&rt]), &format!("tls://{NAME}:8443")).await;
    let e = only_endpoint(&r).clone();
    assert_eq!(e.transport.as_str(), "tls");
    assert!(e.certificate.is_some(), "chain must be captured: {e:#?}");
    e
}

#[tokio::test]
async fn valid_chain_is_trusted_and_facts_are_recorded() {
    let e = scan_leaf(LeafSpec::valid(&[NAME]), pki()).await;
    let c = e.certificate.as_ref().unwrap();
    assert!(c.trusted && c.name_matches, "{c:#?}");
    assert_eq!(c.chain.len(), 2);
    let leaf = &c.chain[0];
    assert_eq!(leaf.sans, [NAME]);
    assert_eq!(leaf.key_type.name(), "EC P-256");
    assert_eq!(leaf.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(leaf.sha256.len(), 64);
    assert_eq!(leaf.sha1.len(), 40);
    assert!(leaf
        .sha1
        .chars()
        .all(|ch| ch.is_ascii_digit() || ch.is_ascii_uppercase()));
    assert!(
        (88..=90).contains(&c.days_remaining),
        "{}",
        c.days_remaining
    );
    has(&e.checks, "cert.trusted", Status::Pass);
    assert_eq!(e.grade, letter(Grade::A));
    let n = e.negotiated.as_ref().unwrap();
    assert_eq!(n.version.name(), "TLSv1.3");
    assert!(
        n.cipher.name().starts_with("TLS_AES_") || n.cipher.name().starts_with("TLS_CHACHA20"),
        "{}",
        n.cipher.name()
    );
    assert!(n.group.is_some());
}

#[tokio::test]
async fn expired_certificate_fails_expiry_but_chain_is_otherwise_trusted() {
    let e = scan_leaf(LeafSpec::valid(&[NAME]).days(-100, -10), pki()).await;
    let c = has(&e.checks, "cert.expired", Status::Fail);
    assert_eq!(c.cap, Some(Grade::B));
    assert!(
        check(&e.checks, "cert.untrusted").is_none(),
        "{:#?}",
        e.checks
    );
    let cert = e.certificate.as_ref().unwrap();
    assert!(!cert.trusted);
    assert!(cert.days_remaining < 0);
    assert_eq!(e.grade, letter(Grade::B));
}

#[tokio::test]
async fn not_yet_valid_certificate_is_reported() {
    let e = scan_leaf(LeafSpec::valid(&[NAME]).days(5, 100), pki()).await;
    has(&e.checks, "cert.not-yet-valid", Status::Fail);
    assert_eq!(e.grade, letter(Grade::B));
}

#[tokio::test]
async fn certificate_expiring_soon_warns() {
    let e = scan_leaf(LeafSpec::valid(&[NAME]).days(-80, 10), pki()).await;
    let c = has(&e.checks, "cert.expiring", Status::Warn);
    assert!(
        c.detail.contains("9 days") || c.detail.contains("10 days"),
        "{}",
        c.detail
    );
}

#[tokio::test]
async fn self_signed_certificate_is_named_as_such() {
    let e = scan_leaf(LeafSpec::valid(&[NAME]).self_signed(), pki()).await;
    has(&e.checks, "cert.self-signed", Status::Warn);
    assert_eq!(e.grade, letter(Grade::B));
}

#[tokio::test]
async fn missing_intermediate_is_an_incomplete_chain() {
    let e = scan_leaf(LeafSpec::valid(&[NAME]).without_intermediate(), pki()).await;
    has(&e.checks, "cert.chain-incomplete", Status::Warn);
    assert_eq!(e.certificate.as_ref().unwrap().chain.len(), 1);
}

#[tokio::test]
async fn chain_to_an_unknown_root_is_untrusted() {
    let stranger = Pki::new("stranger").unwrap();
    let e = scan_leaf(LeafSpec::valid(&[NAME]), &stranger).await;
    has(&e.checks, "cert.untrusted", Status::Warn);
}

#[tokio::test]
async fn name_mismatch_is_reported_with_the_names_found() {
    let e = scan_leaf(LeafSpec::valid(&["other.example.net"]), pki()).await;
    let c = has(&e.checks, "cert.name-mismatch", Status::Warn);
    assert!(c.detail.contains("other.example.net"));
    assert!(!e.certificate.as_ref().unwrap().name_matches);
    assert_eq!(e.grade, letter(Grade::B));
}
