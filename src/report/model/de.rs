//! Reading reports back into the model, where the JSON's shape differs from the types: check
//! lists that may name ids this build does not know (kept as [`ForeignCheck`]s), sections a
//! report does not have at all (noted in [`ReadBack`]), and the DANE records, whose type has no
//! `Deserialize` of its own.

use serde::{Deserialize, Deserializer};

use super::*;
use crate::policy::dane::TlsaReport;

/// A check as written, its id still text.
#[derive(Deserialize)]
pub struct WireCheck {
    id: String,
    status: Status,
    cap: Option<Grade>,
    detail: String,
    #[serde(default)]
    certificate: Option<SelectedBy>,
}

impl TryFrom<WireCheck> for Check {
    type Error = String;

    fn try_from(w: WireCheck) -> Result<Check, String> {
        match split_one(w) {
            Ok(c) => Ok(c),
            Err(f) => Err(format!("check id {:?} is not known to this tlsgrade", f.id)),
        }
    }
}

fn split_one(w: WireCheck) -> Result<Check, ForeignCheck> {
    match CheckId::from_name(&w.id) {
        Some(id) => Ok(Check {
            id,
            status: w.status,
            cap: w.cap,
            detail: w.detail,
            certificate: w.certificate,
        }),
        None => Err(ForeignCheck {
            id: w.id,
            status: w.status,
            cap: w.cap,
            detail: w.detail,
        }),
    }
}

/// The checks this build knows, and the others.
fn split(checks: Vec<WireCheck>) -> (Vec<Check>, Vec<ForeignCheck>) {
    let mut known = Vec::with_capacity(checks.len());
    let mut foreign = Vec::new();
    for w in checks {
        match split_one(w) {
            Ok(c) => known.push(c),
            Err(f) => foreign.push(f),
        }
    }
    (known, foreign)
}

/// A policy section's checks, without the ids this build does not know: every one of them
/// is also in its target's or endpoint's `checks`, where foreign checks are kept.
pub fn known_checks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Check>, D::Error> {
    Ok(split(Vec::<WireCheck>::deserialize(d)?).0)
}

/// The fields of [`TlsaReport`], which the DANE code defines without `Deserialize`.
#[derive(Deserialize)]
struct WireTlsa {
    usage: u8,
    selector: u8,
    matching: u8,
    data: String,
    usable: bool,
    unusable_reason: Option<String>,
}

pub fn tlsa_records<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TlsaReport>, D::Error> {
    let wire = Vec::<WireTlsa>::deserialize(d)?;
    Ok(wire
        .into_iter()
        .map(|w| TlsaReport {
            usage: w.usage,
            selector: w.selector,
            matching: w.matching,
            data: w.data,
            usable: w.usable,
            unusable_reason: w.unusable_reason,
        })
        .collect())
}

/// [`TargetReport`] as written: its checks may name ids this build does not know.
#[derive(Deserialize)]
pub struct TargetWire {
    input: String,
    kind: Kind,
    grade: Option<GradeValue>,
    error: Option<ErrorInfo>,
    checks: Vec<WireCheck>,
    mx: Vec<MxReport>,
    endpoints: Vec<EndpointReport>,
    #[serde(default, deserialize_with = "present")]
    mta_sts: Option<Option<MtaStsReport>>,
    #[serde(default, deserialize_with = "present")]
    tls_rpt: Option<Option<TlsRptReport>>,
    #[serde(default, deserialize_with = "present")]
    dane: Option<Option<DomainDaneReport>>,
}

/// A field that may be null, told apart from one that is absent (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Names the sections that are absent.
fn unwritten<const N: usize>(sections: [(&'static str, bool); N]) -> Vec<&'static str> {
    sections
        .into_iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| name)
        .collect()
}

impl From<TargetWire> for TargetReport {
    fn from(w: TargetWire) -> TargetReport {
        let (checks, foreign_checks) = split(w.checks);
        let unwritten = unwritten([
            ("mta_sts", w.mta_sts.is_some()),
            ("tls_rpt", w.tls_rpt.is_some()),
            ("dane", w.dane.is_some()),
        ]);
        TargetReport {
            input: w.input,
            kind: w.kind,
            grade: w.grade,
            error: w.error,
            checks,
            mx: w.mx,
            endpoints: w.endpoints,
            mta_sts: w.mta_sts.flatten(),
            tls_rpt: w.tls_rpt.flatten(),
            dane: w.dane.flatten(),
            read_back: ReadBack {
                foreign_checks,
                unwritten,
            },
        }
    }
}

/// [`EndpointReport`] as written: its checks may name ids this build does not know.
#[derive(Deserialize)]
pub struct EndpointWire {
    host: String,
    address: Option<String>,
    port: u16,
    transport: crate::target::Transport,
    connected_to: Option<String>,
    grade: Option<GradeValue>,
    error: Option<ErrorInfo>,
    checks: Vec<WireCheck>,
    negotiated: Option<Negotiated>,
    protocols: Option<VersionMap<Option<bool>>>,
    protocol_details: Option<VersionMap<Option<ProtocolDetail>>>,
    certificate: Option<CertificateReport>,
    #[serde(default)]
    certificates: Vec<CertificateReport>,
    starttls: Option<StartTlsReport>,
    ocsp_stapled: Option<bool>,
    ciphers: Option<CipherReport>,
    key_exchange: Option<KeyExchangeReport>,
    elapsed_ms: u64,
    #[serde(default, deserialize_with = "present")]
    dane: Option<Option<DaneReport>>,
}

impl From<EndpointWire> for EndpointReport {
    fn from(w: EndpointWire) -> EndpointReport {
        let (checks, foreign_checks) = split(w.checks);
        let unwritten = unwritten([("dane", w.dane.is_some())]);
        EndpointReport {
            host: w.host,
            address: w.address,
            port: w.port,
            transport: w.transport,
            connected_to: w.connected_to,
            grade: w.grade,
            error: w.error,
            checks,
            negotiated: w.negotiated,
            protocols: w.protocols,
            protocol_details: w.protocol_details,
            certificate: w.certificate,
            starttls: w.starttls,
            ocsp_stapled: w.ocsp_stapled,
            ciphers: w.ciphers,
            key_exchange: w.key_exchange,
            elapsed_ms: w.elapsed_ms,
            dane: w.dane.flatten(),
            certificates: w.certificates,
            chain_der: Vec::new(),
            other_chains_der: Vec::new(),
            mta_sts_authenticated: false,
            read_back: ReadBack {
                foreign_checks,
                unwritten,
            },
        }
    }
}
