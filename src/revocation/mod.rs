//! Revocation: is the leaf revoked, and how was that told? The stapled OCSP response first
//! (verified, fresh), else the issuer's CRL (Let's Encrypt and others no longer run OCSP), else
//! the OCSP responder its AIA names; and must-staple (RFC 7633). [`judge`] returns the report
//! section and the certificate checks; [`ocsp`] and [`crl`] are the pure verifiers, [`fetch`]
//! the bounded, once-per-URL fetcher.

pub mod crl;
pub mod fetch;
pub mod ocsp;

use x509_parser::prelude::*;

use crate::grade::rubric::CheckId;
use crate::report::{
    Check, OcspStapleReport, RevocationReport, RevocationSource, RevocationStatus, Status,
};
use fetch::{Fetched, Fetcher};
use ocsp::{CertStatus, Freshness};

/// Most URLs of each kind tried for one certificate (a hostile certificate may list hundreds).
const MAX_URLS: usize = 2;

/// The revocation facts of one leaf, and the checks they give.
pub struct Judged {
    pub revocation: RevocationReport,
    pub staple: Option<OcspStapleReport>,
    pub must_staple: bool,
    pub checks: Vec<Check>,
}

/// Where to look, read from the leaf.
#[derive(Default)]
struct Pointers {
    crl: Vec<String>,
    ocsp: Vec<String>,
}

/// Judges the revocation of `chain`'s leaf (DER, leaf first) at `now` (Unix seconds).
/// `staple` is the OCSP response the handshake carried (`None` when no handshake that could
/// carry one completed); `fetcher` is `None` under `--no-revocation`.
pub async fn judge(
    chain: &[Vec<u8>],
    staple: Option<&[u8]>,
    fetcher: Option<&Fetcher>,
    now: i64,
) -> Judged {
    let leaf = chain.first().map(Vec::as_slice).unwrap_or_default();
    let must_staple = ocsp::must_staple(leaf);
    let issuer = issuer_of(chain);
    let mut checks = Vec::new();
    let mut tried: Vec<String> = Vec::new();

    // The staple.
    let mut staple_report = staple.map(|_| OcspStapleReport {
        present: false,
        status: None,
        valid: false,
        next_update: None,
    });
    let mut decided: Option<(RevocationStatus, RevocationSource, String)> = None;
    if let Some(bytes) = staple.filter(|b| !b.is_empty()) {
        let verdict = match issuer {
            None => Err("the issuer's certificate is not in the chain the server sent".to_string()),
            Some(issuer) => ocsp::verify(bytes, leaf, issuer, now).map_err(|e| e.to_string()),
        };
        let report = OcspStapleReport {
            present: true,
            status: verdict.as_ref().ok().map(|f| status_of(&f.status)),
            valid: false,
            next_update: verdict
                .as_ref()
                .ok()
                .and_then(|f| f.next_update)
                .map(rfc3339),
        };
        staple_report = Some(report);
        let problem = match &verdict {
            Err(e) => Some(e.clone()),
            Ok(f) => match f.freshness(now) {
                Freshness::Fresh => None,
                Freshness::Expired => Some(format!(
                    "it is out of date (nextUpdate {})",
                    f.next_update
                        .map(rfc3339)
                        .unwrap_or_else(|| "absent".into())
                )),
                Freshness::NotYetValid => Some(format!(
                    "it is not valid yet (thisUpdate {})",
                    rfc3339(f.this_update)
                )),
            },
        };
        match (problem, verdict) {
            (None, Ok(f)) => {
                if let Some(r) = staple_report.as_mut() {
                    r.valid = true;
                }
                decided = Some((
                    status_of(&f.status),
                    RevocationSource::OcspStaple,
                    describe(&f.status, "the stapled OCSP response"),
                ));
            }
            (problem, _) => checks.push(Check::new(
                CheckId::CertOcspStapleInvalid,
                Status::Warn,
                format!(
                    "the stapled OCSP response is not usable: {}; clients that check it ignore it or refuse the connection",
                    problem.unwrap_or_default()
                ),
            )),
        }
    }
    let staple_valid = staple_report.as_ref().is_some_and(|s| s.valid);
    if must_staple {
        // Without a completed handshake there is no knowing what would have been stapled.
        if let Some(s) = &staple_report {
            checks.push(if staple_valid {
                Check::new(
                    CheckId::CertMustStaple,
                    Status::Pass,
                    "must-staple (RFC 7633), and a valid OCSP response is stapled",
                )
            } else {
                Check::new(
                    CheckId::CertMustStaple,
                    Status::Fail,
                    format!(
                        "the certificate is must-staple (RFC 7633) but the server {}: clients that honour it refuse the connection",
                        if s.present { "staples an unusable OCSP response" } else { "staples none" }
                    ),
                )
            });
        }
    }

    // Fetches: the CRL first, then OCSP.
    let pointers = pointers(leaf);
    // Nobody can revoke a self-signed certificate: there is nothing to look up or to miss.
    let self_signed = self_issued(leaf);
    if decided.is_none() {
        match (fetcher, issuer) {
            _ if self_signed => tried.push(
                "self-signed: no CA can revoke it (trust in it is the trust in its key)".into(),
            ),
            (None, _) => tried.push("not checked (--no-revocation)".into()),
            (Some(_), None) => tried.push(
                "the issuer's certificate is not in the chain the server sent, so no CRL or OCSP answer can be verified".into(),
            ),
            (Some(f), Some(issuer)) => {
                decided = fetch_and_check(f, &pointers, leaf, issuer, now, &mut tried).await;
            }
        }
    }
    // A certificate that names neither (a private CA's choice) leaves nothing to test: that is
    // information, not a test that failed.
    let nothing_named = pointers.crl.is_empty() && pointers.ocsp.is_empty();
    if decided.is_none() && fetcher.is_some() && issuer.is_some() && nothing_named {
        tried.push("the certificate names no CRL or OCSP responder".into());
    }

    let revocation = match decided {
        Some((status, source, detail)) => RevocationReport {
            status,
            source: Some(source),
            detail,
        },
        None => RevocationReport {
            status: RevocationStatus::Unavailable,
            source: None,
            detail: tried.join("; "),
        },
    };
    match revocation.status {
        RevocationStatus::Good => checks.push(Check::new(
            CheckId::CertRevocation,
            Status::Pass,
            revocation.detail.clone(),
        )),
        RevocationStatus::Revoked => checks.push(Check::new(
            CheckId::CertRevoked,
            Status::Fail,
            format!("{}: no client should trust it", revocation.detail),
        )),
        RevocationStatus::Unknown => checks.push(Check::new(
            CheckId::CertRevocationUnavailable,
            Status::Error,
            revocation.detail.clone(),
        )),
        RevocationStatus::Unavailable if fetcher.is_some() && !self_signed => {
            checks.push(Check::new(
                CheckId::CertRevocationUnavailable,
                if nothing_named && issuer.is_some() {
                    Status::Info
                } else {
                    Status::Error
                },
                format!("revocation could not be checked: {}", revocation.detail),
            ))
        }
        RevocationStatus::Unavailable => {}
    }
    Judged {
        revocation,
        staple: staple_report,
        must_staple,
        checks,
    }
}

/// The CRL URLs, then the OCSP URLs, until one gives an answer verified for the issuer.
async fn fetch_and_check(
    f: &Fetcher,
    p: &Pointers,
    leaf: &[u8],
    issuer: &[u8],
    now: i64,
    tried: &mut Vec<String>,
) -> Option<(RevocationStatus, RevocationSource, String)> {
    for url in p.crl.iter().take(MAX_URLS) {
        let shown = crate::policy::quote::quote(url.as_bytes());
        match f.get(url).await {
            Fetched::Body(der) => match crl::check(&der, leaf, issuer, now) {
                Ok(crl::CrlVerdict::NotListed { .. }) => {
                    return Some((
                        RevocationStatus::Good,
                        RevocationSource::Crl,
                        format!("not revoked: the issuer's CRL {shown} does not list it"),
                    ))
                }
                Ok(crl::CrlVerdict::Revoked { at, reason }) => {
                    return Some((
                        RevocationStatus::Revoked,
                        RevocationSource::Crl,
                        format!(
                            "revoked on {}{} (the issuer's CRL {shown})",
                            rfc3339(at),
                            reason_text(reason)
                        ),
                    ))
                }
                Err(e) => tried.push(format!("CRL {shown}: {e}")),
            },
            other => tried.push(format!("CRL {shown}: {other}")),
        }
    }
    let request = ocsp::request(leaf, issuer).ok();
    for url in p.ocsp.iter().take(MAX_URLS) {
        let shown = crate::policy::quote::quote(url.as_bytes());
        let Some(request) = request.clone() else {
            tried.push(format!(
                "OCSP {shown}: no request can be built for this certificate"
            ));
            break;
        };
        match f.ocsp(url, request).await {
            Fetched::Body(der) => match ocsp::verify(&der, leaf, issuer, now) {
                Ok(facts) if facts.freshness(now) == Freshness::Fresh => {
                    let source = format!("the OCSP responder {shown}");
                    return Some((
                        status_of(&facts.status),
                        RevocationSource::Ocsp,
                        describe(&facts.status, &source),
                    ));
                }
                Ok(_) => tried.push(format!("OCSP {shown}: the answer is out of date")),
                Err(e) => tried.push(format!("OCSP {shown}: {e}")),
            },
            other => tried.push(format!("OCSP {shown}: {other}")),
        }
    }
    None
}

fn status_of(s: &CertStatus) -> RevocationStatus {
    match s {
        CertStatus::Good => RevocationStatus::Good,
        CertStatus::Revoked { .. } => RevocationStatus::Revoked,
        CertStatus::Unknown => RevocationStatus::Unknown,
    }
}

fn describe(s: &CertStatus, source: &str) -> String {
    match s {
        CertStatus::Good => format!("not revoked, says {source}"),
        CertStatus::Revoked { at, reason } => {
            format!(
                "revoked on {}{}, says {source}",
                rfc3339(*at),
                reason_text(*reason)
            )
        }
        CertStatus::Unknown => format!("{source} does not know this certificate (status unknown)"),
    }
}

/// The CRLReason name (RFC 5280 §5.3.1).
fn reason_text(reason: Option<u8>) -> String {
    let name = match reason {
        None | Some(0) => return String::new(),
        Some(1) => "keyCompromise",
        Some(2) => "cACompromise",
        Some(3) => "affiliationChanged",
        Some(4) => "superseded",
        Some(5) => "cessationOfOperation",
        Some(6) => "certificateHold",
        Some(8) => "removeFromCRL",
        Some(9) => "privilegeWithdrawn",
        Some(10) => "aACompromise",
        Some(_) => "an unknown reason",
    };
    format!(" ({name})")
}

fn self_issued(leaf: &[u8]) -> bool {
    X509Certificate::from_der(leaf).is_ok_and(|(_, c)| c.subject().as_raw() == c.issuer().as_raw())
}

/// The certificate in `chain` that issued the leaf (by name), if the server sent it.
fn issuer_of(chain: &[Vec<u8>]) -> Option<&[u8]> {
    let (_, leaf) = X509Certificate::from_der(chain.first()?).ok()?;
    chain
        .iter()
        .skip(1)
        .take(16)
        .map(Vec::as_slice)
        .find(|der| {
            X509Certificate::from_der(der)
                .is_ok_and(|(_, c)| c.subject().as_raw() == leaf.issuer().as_raw())
        })
}

/// The http(s) CRL distribution points and OCSP responders the leaf names.
fn pointers(leaf: &[u8]) -> Pointers {
    let mut p = Pointers::default();
    let Ok((_, cert)) = X509Certificate::from_der(leaf) else {
        return p;
    };
    for ext in cert.extensions().iter().take(64) {
        match ext.parsed_extension() {
            ParsedExtension::CRLDistributionPoints(points) => {
                for point in points.points.iter().take(8) {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point
                    {
                        for n in names.iter().take(8) {
                            if let GeneralName::URI(u) = n {
                                if fetch::split_url(u).is_some() {
                                    p.crl.push(u.to_string());
                                }
                            }
                        }
                    }
                }
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for d in aia.accessdescs.iter().take(16) {
                    if d.access_method == x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_OCSP
                    {
                        if let GeneralName::URI(u) = &d.access_location {
                            if fetch::split_url(u).is_some() {
                                p.ocsp.push(u.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    p
}

/// Unix seconds as RFC 3339 (UTC).
pub(crate) fn rfc3339(secs: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&::time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}
