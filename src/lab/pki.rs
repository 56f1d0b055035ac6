//! A test PKI made at run time with rcgen: root CA → intermediate CA → leaves, with dates
//! relative to now (valid, expired, not yet valid, expiring soon), wrong names and self-signed
//! certificates. ECDSA P-256 keys (rcgen with ring cannot make RSA keys; tests that need RSA or
//! weak keys use openssl as a real peer).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

pub struct Ca {
    pub cert: rcgen::Certificate,
    pub key: KeyPair,
}

/// A server's certificate chain and key, ready for rustls.
#[derive(Debug)]
pub struct Leaf {
    /// Leaf first, then whatever the server should send.
    pub chain: Vec<CertificateDer<'static>>,
    pub key_der: Vec<u8>,
    pub key_pem: String,
    pub chain_pem: String,
}

impl Leaf {
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

/// How a leaf should be made.
#[derive(Clone, Debug)]
pub struct LeafSpec {
    pub names: Vec<String>,
    /// Validity relative to now, in days (negative = in the past).
    pub from_days: i64,
    pub to_days: i64,
    /// Send the intermediate after the leaf.
    pub send_intermediate: bool,
    /// Self-signed instead of issued by the intermediate.
    pub self_signed: bool,
    /// A CRL distribution point (http URL) to name in the certificate.
    pub crl: Option<String>,
}

impl LeafSpec {
    pub fn valid(names: &[&str]) -> LeafSpec {
        LeafSpec {
            names: names.iter().map(|s| s.to_string()).collect(),
            from_days: -1,
            to_days: 90,
            send_intermediate: true,
            self_signed: false,
            crl: None,
        }
    }
    pub fn crl(mut self, url: &str) -> LeafSpec {
        self.crl = Some(url.to_string());
        self
    }
    pub fn days(mut self, from: i64, to: i64) -> LeafSpec {
        self.from_days = from;
        self.to_days = to;
        self
    }
    pub fn without_intermediate(mut self) -> LeafSpec {
        self.send_intermediate = false;
        self
    }
    pub fn self_signed(mut self) -> LeafSpec {
        self.self_signed = true;
        self.send_intermediate = false;
        self
    }
}

/// Root and intermediate of the lab.
pub struct Pki {
    pub root: Ca,
    pub intermediate: Ca,
}

fn ca_params(cn: &str, path_len: Option<u8>) -> Result<CertificateParams, rcgen::Error> {
    let mut p = CertificateParams::new(Vec::<String>::new())?;
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "tlsgrade lab");
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(3650);
    p.not_after = now + Duration::days(3650);
    Ok(p)
}

impl Pki {
    pub fn new(name: &str) -> Result<Pki, rcgen::Error> {
        let root_key = KeyPair::generate()?;
        let root = ca_params(&format!("{name} Root CA"), None)?.self_signed(&root_key)?;
        let int_key = KeyPair::generate()?;
        let int = ca_params(&format!("{name} Intermediate CA"), Some(0))?
            .signed_by(&int_key, &root, &root_key)?;
        Ok(Pki {
            root: Ca {
                cert: root,
                key: root_key,
            },
            intermediate: Ca {
                cert: int,
                key: int_key,
            },
        })
    }

    pub fn root_der(&self) -> CertificateDer<'static> {
        self.root.cert.der().clone()
    }

    pub fn intermediate_pem(&self) -> String {
        self.intermediate.cert.pem()
    }

    pub fn root_pem(&self) -> String {
        self.root.cert.pem()
    }

    /// A CRL of the intermediate, valid a week, revoking `revoked` (leaves it issued) for key
    /// compromise.
    pub fn crl(&self, revoked: &[&Leaf]) -> Result<Vec<u8>, rcgen::Error> {
        use x509_parser::prelude::*;
        let now = OffsetDateTime::now_utc();
        let revoked_certs = revoked
            .iter()
            .filter_map(|l| {
                let (_, c) = X509Certificate::from_der(l.chain.first()?).ok()?;
                Some(rcgen::RevokedCertParams {
                    serial_number: rcgen::SerialNumber::from_slice(c.raw_serial()),
                    revocation_time: now - Duration::hours(1),
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
            })
            .collect();
        let crl = rcgen::CertificateRevocationListParams {
            this_update: now - Duration::hours(1),
            next_update: now + Duration::days(7),
            crl_number: rcgen::SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        }
        .signed_by(&self.intermediate.cert, &self.intermediate.key)?;
        Ok(crl.der().to_vec())
    }

    pub fn leaf(&self, spec: &LeafSpec) -> Result<Leaf, rcgen::Error> {
        let key = KeyPair::generate()?;
        let mut p = CertificateParams::new(spec.names.clone())?;
        p.distinguished_name.push(
            DnType::CommonName,
            spec.names.first().cloned().unwrap_or_default(),
        );
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let now = OffsetDateTime::now_utc();
        p.not_before = now + Duration::days(spec.from_days);
        p.not_after = now + Duration::days(spec.to_days);
        if let Some(url) = &spec.crl {
            p.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
                uris: vec![url.clone()],
            }];
        }
        let cert = if spec.self_signed {
            p.self_signed(&key)?
        } else {
            p.signed_by(&key, &self.intermediate.cert, &self.intermediate.key)?
        };
        let mut chain = vec![cert.der().clone()];
        let mut chain_pem = cert.pem();
        if spec.send_intermediate {
            chain.push(self.intermediate.cert.der().clone());
            chain_pem.push_str(&self.intermediate.cert.pem());
        }
        Ok(Leaf {
            chain,
            key_der: key.serialize_der(),
            key_pem: key.serialize_pem(),
            chain_pem,
        })
    }
}
