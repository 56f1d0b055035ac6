//! Helpers shared by the crate's unit tests.

/// xorshift64 (Marsaglia 2003): a tiny deterministic generator for the no-panic robustness
/// tests, so failures reproduce from the seed and no fuzzing crate is needed.
pub(crate) struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// A server's first flight that is only a ServerHello at `version` choosing `suite`, with
/// `extensions` and `compression`; TLS 1.3 is announced by supported_versions, as servers do.
pub(crate) fn server_hello(
    version: crate::wire::enums::ProtocolVersion,
    suite: crate::wire::enums::CipherSuite,
    compression: u8,
    extensions: Vec<crate::wire::server::Extension>,
) -> crate::wire::server::ServerFlight {
    use crate::wire::enums::ProtocolVersion;
    let tls13 = version == ProtocolVersion::TLSv1_3;
    crate::wire::server::ServerFlight {
        server_hello: crate::wire::server::ServerHello {
            legacy_version: if tls13 {
                ProtocolVersion::TLSv1_2
            } else {
                version
            },
            random: [7; 32],
            session_id: vec![],
            cipher_suite: suite,
            compression,
            extensions,
            selected_version: tls13.then_some(version),
            key_share_group: None,
        },
        certificates: None,
        server_hello_done: true,
        server_key_exchange: None,
    }
}

/// A mail-domain report with every optional part filled in (one endpoint with a chain, the
/// dialogue, protocol details, cipher and key-exchange results, DANE; the domain's MTA-STS,
/// TLS-RPT and DANE; an invalid target), for tests that must reach every field of the model.
pub(crate) fn full_report() -> crate::report::Report {
    use crate::grade::rubric::{CheckId, Grade, Status};
    use crate::policy::dane::TlsaReport;
    use crate::report::*;
    use crate::target::Transport;

    let check = |id, status| Check::new(id, status, "a sentence about it");
    let cert = CertInfo {
        subject: "CN=mx.example.test".into(),
        issuer: "CN=Example CA".into(),
        sans: vec!["mx.example.test".into()],
        serial: "01AB".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: "2027-01-01T00:00:00Z".into(),
        key_type: crate::wire::keys::KeyType::from_name("EC P-256"),
        key_bits: Some(256),
        signature_algorithm: "ecdsa-with-SHA256".into(),
        sha256: "ab".repeat(32),
        sha1: "CD".repeat(20),
        spki_sha256: "ef".repeat(32),
        self_issued: false,
    };
    let detail = |result| {
        Some(ProtocolDetail {
            result,
            cipher: crate::wire::enums::CipherSuite::from_name("TLS_AES_128_GCM_SHA256"),
            detail: "ServerHello".into(),
        })
    };
    let suite = SuiteName {
        iana: "TLS_RSA_WITH_RC4_128_SHA".into(),
        openssl: Some("RC4-SHA".into()),
    };
    let mut e = EndpointReport::new(
        "mx.example.test".into(),
        Some("192.0.2.1".into()),
        25,
        Transport::SmtpStartTls,
    );
    e.connected_to = Some("127.0.0.1:2525".into());
    e.grade = Some(GradeValue::Letter(Grade::B));
    e.checks = vec![
        check(CheckId::CertSelfSigned, Status::Warn),
        check(CheckId::CertExpired, Status::Info),
    ];
    e.negotiated = Some(Negotiated {
        version: crate::wire::enums::ProtocolVersion::TLSv1_3,
        cipher: crate::wire::enums::CipherSuite::from_name("TLS_AES_128_GCM_SHA256").unwrap(),
        group: crate::wire::enums::NamedGroup::from_name("x25519"),
    });
    e.protocols = Some(VersionMap {
        sslv3: Some(false),
        tls10: None,
        tls11: Some(false),
        tls12: Some(true),
        tls13: Some(true),
    });
    e.protocol_details = Some(VersionMap {
        sslv3: detail(Support::Refused),
        tls10: detail(Support::Unknown),
        tls11: None,
        tls12: detail(Support::Accepted),
        tls13: detail(Support::Accepted),
    });
    e.certificate = Some(CertificateReport {
        trusted: false,
        name_matches: true,
        not_after: "2027-01-01T00:00:00Z".into(),
        days_remaining: 300,
        trust_error: Some("self-signed".into()),
        chain: vec![cert.clone(), cert],
        ..Default::default()
    });
    e.starttls = Some(StartTlsReport {
        greeting: vec!["220 mx.example.test ESMTP".into()],
        capabilities: vec!["STARTTLS".into(), "PIPELINING".into()],
        offered: true,
        reply: Some("220 go ahead".into()),
        capabilities_after_tls: Some(vec!["PIPELINING".into()]),
    });
    e.ocsp_stapled = Some(false);
    e.ciphers = Some(CipherReport {
        versions: VersionMap {
            tls12: Some(VersionCiphers {
                weak_classes: vec![WeakClassResult {
                    class: crate::wire::suites::WeakClass::from_name("rc4").unwrap(),
                    accepted: Some(true),
                    suite: Some(suite.clone()),
                }],
                accepted_suites: Some(vec![suite]),
                server_preference: Some(true),
            }),
            ..VersionMap::default()
        },
        forward_secrecy: Some(true),
        aead: Some(true),
        weakest_bits: Some(128),
        connections: 13,
    });
    e.key_exchange = Some(KeyExchangeReport {
        groups: vec![GroupResult {
            name: "x25519".into(),
            accepted: Some(true),
        }],
        dh_bits: Some(2048),
        dhe: Some(true),
    });
    e.elapsed_ms = 42;
    e.dane = Some(DaneReport {
        tlsa_name: "_25._tcp.mx.example.test".into(),
        dnssec: DnssecStatus {
            address: "secure".into(),
            tlsa: Some("secure".into()),
        },
        tlsa: vec![TlsaReport {
            usage: 3,
            selector: 1,
            matching: 1,
            data: "ef".repeat(32),
            usable: true,
            unusable_reason: None,
        }],
        matched: Some("3 1 1 efef".into()),
        valid: true,
        checks: vec![check(CheckId::DaneValid, Status::Pass)],
        dane_ee: true,
    });
    let mut t = TargetReport::new("example.test", crate::report::Kind::MailDomain);
    t.grade = Some(GradeValue::Letter(Grade::B));
    t.checks = vec![
        check(CheckId::MxDangling, Status::Warn),
        check(CheckId::MtaStsTxtMissing, Status::Info),
    ];
    t.mx = vec![
        MxReport {
            preference: 10,
            host: "mx.example.test".into(),
            addresses: vec!["192.0.2.1".into()],
            error: None,
        },
        MxReport {
            preference: 20,
            host: "gone.example.test".into(),
            addresses: vec![],
            error: Some(ErrorInfo::new(ErrorKind::DnsNxdomain, "no such name")),
        },
    ];
    t.endpoints = vec![e];
    t.mta_sts = Some(MtaStsReport {
        record: Some("v=STSv1; id=1".into()),
        id: Some("1".into()),
        candidates: vec!["v=STSv1; id=1".into()],
        fetch: Some(PolicyFetchReport {
            url: "https://mta-sts.example.test/.well-known/mta-sts.txt".into(),
            status: Some(200),
            content_type: Some("text/plain".into()),
            location: None,
            body_bytes: Some(80),
            attempts: 1,
            error: None,
        }),
        policy: Some(PolicyReport {
            mode: crate::policy::mta_sts::Mode::Testing,
            max_age: 86400,
            mx: vec!["mx.example.test".into()],
        }),
        mx_coverage: vec![MxCoverage {
            host: "mx.example.test".into(),
            pattern: Some("mx.example.test".into()),
        }],
        protected: false,
        checks: vec![check(CheckId::MtaStsTxtMissing, Status::Info)],
    });
    t.tls_rpt = Some(TlsRptReport {
        record: Some("v=TLSRPTv1; rua=mailto:tls@example.test".into()),
        rua: vec!["mailto:tls@example.test".into()],
        candidates: vec!["v=TLSRPTv1; rua=mailto:tls@example.test".into()],
        checks: vec![],
    });
    t.dane = Some(DomainDaneReport {
        mx_dnssec: "secure".into(),
        protected: true,
        checks: vec![],
    });
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        started_at: "2026-06-01T00:00:00Z".into(),
        finished_at: "2026-06-01T00:00:01Z".into(),
        targets: vec![t],
        invalid_targets: vec![InvalidTargetReport {
            input: "bad..name".into(),
            line: Some(4),
            reason: "empty label".into(),
        }],
    }
}

/// Puts `hostile` into every string of `report` that the model reads as free text (a string
/// whose replacement still reads as a report): vocabulary fields such as `kind` or `status`
/// keep their values, every `String` field gets the hostile text. For the tests that every
/// output escapes every text field.
pub(crate) fn poison(report: &crate::report::Report, hostile: &str) -> crate::report::Report {
    use serde_json::Value;
    fn strings(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::String(_) => out.push(path.clone()),
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(i.to_string());
                    strings(x, path, out);
                    path.pop();
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    path.push(k.clone());
                    strings(x, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    fn at<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
        path.iter().fold(v, |v, k| match v {
            Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
            other => &mut other[k.as_str()],
        })
    }
    let mut v = serde_json::to_value(report).unwrap();
    let mut paths = Vec::new();
    strings(&v, &mut vec![], &mut paths);
    let mut poisoned = 0;
    for p in paths {
        let old = std::mem::replace(at(&mut v, &p), Value::String(hostile.into()));
        if serde_json::from_value::<crate::report::Report>(v.clone()).is_err() {
            *at(&mut v, &p) = old;
        } else {
            poisoned += 1;
        }
    }
    assert!(poisoned > 50, "only {poisoned} text fields found");
    serde_json::from_value(v).unwrap()
}
