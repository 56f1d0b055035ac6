//! Decoding of real server replies captured from openssl s_server and tlslite-ng
//! (tests/data/README.md says how each was made), and every truncated prefix of them.

use tlsgrade::probe::conn::ServerAnswer;
use tlsgrade::probe::versions::{interpret, Support};
use tlsgrade::wire::enums::{AlertDescription, ProtocolVersion};
use tlsgrade::wire::hello::Probe;
use tlsgrade::wire::server::{classify_first_flight, FirstFlight, ServerFlight};

fn load(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

fn hello(name: &str) -> ServerFlight {
    match classify_first_flight(&load(name)) {
        FirstFlight::ServerHello(f) => f,
        other => panic!("{name}: {other:?}"),
    }
}

fn alert(name: &str) -> AlertDescription {
    match classify_first_flight(&load(name)) {
        FirstFlight::Alert { description, .. } => description,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn openssl_tls12_server_hello_with_its_certificate() {
    let f = hello("openssl-tls12only-tls12-hello.bin");
    assert_eq!(
        f.server_hello.negotiated_version(),
        ProtocolVersion::TLSv1_2
    );
    assert_eq!(
        f.server_hello.cipher_suite.name(),
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
    );
    assert!(f.server_hello_done);
    let certs = f.certificates.unwrap().unwrap();
    assert_eq!(certs.len(), 1);
    let info = tlsgrade::inspect::cert_info(&certs[0]).unwrap();
    assert_eq!(info.sans, ["capture.example.test"]);
    assert_eq!(info.key_bits, Some(2048));
}

#[test]
fn openssl_tls13_server_hello_uses_supported_versions() {
    let f = hello("openssl-tls13only-tls13-hello.bin");
    assert_eq!(f.server_hello.legacy_version, ProtocolVersion::TLSv1_2);
    assert_eq!(
        f.server_hello.negotiated_version(),
        ProtocolVersion::TLSv1_3
    );
    assert_eq!(f.server_hello.cipher_suite.name(), "TLS_AES_128_GCM_SHA256");
    assert!(!f.server_hello.is_hello_retry_request());
    assert!(
        f.certificates.is_none(),
        "TLS 1.3 certificates are encrypted"
    );
}

#[test]
fn refusals_and_fallback_alerts() {
    assert_eq!(
        alert("openssl-tls12only-tls10-hello.bin"),
        AlertDescription::PROTOCOL_VERSION
    );
    assert_eq!(
        alert("openssl-tls10to13-tls11-scsv-hello.bin"),
        AlertDescription::INAPPROPRIATE_FALLBACK
    );
}

#[test]
fn lower_version_answers_mean_the_offered_version_is_refused() {
    for (file, want, got) in [
        (
            "openssl-tls10only-tls12-hello.bin",
            Probe::Tls12,
            ProtocolVersion::TLSv1_0,
        ),
        (
            "tlslite-ssl3only-tls12-hello.bin",
            Probe::Tls12,
            ProtocolVersion::SSLv3,
        ),
    ] {
        let f = hello(file);
        assert_eq!(f.server_hello.negotiated_version(), got, "{file}");
        let o = interpret(
            want,
            want.target_version(),
            ServerAnswer::Hello(Box::new(f)),
        );
        assert_eq!(o.support, Support::Refused);
        assert_eq!(o.answered_lower, Some(got));
    }
}

#[test]
fn a_tls13_server_answering_tls12_sets_the_downgrade_sentinel() {
    let f = hello("openssl-tls10to13-tls12-hello.bin");
    assert_eq!(
        f.server_hello.negotiated_version(),
        ProtocolVersion::TLSv1_2
    );
    assert_eq!(
        f.server_hello.downgrade_sentinel(),
        Some(ProtocolVersion::TLSv1_3)
    );
}

#[test]
fn tlslite_ssl3_server_hello() {
    let f = hello("tlslite-ssl3only-ssl3-hello.bin");
    assert_eq!(f.server_hello.negotiated_version(), ProtocolVersion::SSLv3);
    assert!(f.server_hello_done);
    assert_eq!(f.certificates.unwrap().unwrap().len(), 1);
}

#[test]
fn every_truncated_prefix_of_every_capture_is_incomplete_never_a_wrong_answer() {
    for name in [
        "openssl-tls12only-tls12-hello.bin",
        "openssl-tls13only-tls13-hello.bin",
        "openssl-tls12only-tls10-hello.bin",
        "openssl-tls10only-tls12-hello.bin",
        "openssl-tls10to13-tls11-scsv-hello.bin",
        "openssl-tls10to13-tls12-hello.bin",
        "tlslite-ssl3only-ssl3-hello.bin",
        "tlslite-ssl3only-tls12-hello.bin",
    ] {
        let full = load(name);
        let whole = classify_first_flight(&full);
        for n in 0..full.len() {
            match classify_first_flight(&full[..n]) {
                FirstFlight::NeedMore => {}
                // Once the ServerHello is complete, a prefix may already give the same version;
                // what it must never give is a different verdict.
                FirstFlight::ServerHello(f) => match &whole {
                    FirstFlight::ServerHello(w) => {
                        assert_eq!(f.server_hello, w.server_hello, "{name}[..{n}]")
                    }
                    other => panic!("{name}[..{n}] gave a ServerHello, whole gives {other:?}"),
                },
                other => panic!("{name}[..{n}]: {other:?}"),
            }
        }
    }
}
