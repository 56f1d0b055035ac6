//! Cipher-suite classes, key exchange, secure renegotiation and TLS compression, learned with
//! hand-built hellos within a small connection budget (issue 8, spec-digest §5.1/§5.4).
//!
//! rustls cannot offer RC4, EXPORT, NULL or anonymous suites, so every probe here is a
//! [`crate::wire`] hello sent through [`versions::attempt_flight`]. Mail servers rate-limit and
//! blocklist noisy clients, so the default plan is small and fixed:
//!
//! - per accepted version ≤ TLS 1.2, one hello per weak class (`rc4`, `3des`, `export`, `null`,
//!   `anon`), offering only that class; classes a version cannot negotiate are skipped (TLS 1.3
//!   has none, EXPORT suites end at TLS 1.0 — RFC 4346 §A.5);
//! - at most two hellos to learn whether any forward-secret / AEAD suite exists when the version
//!   probe's choice did not already show it, and one reversed-order TLS 1.2 hello for the
//!   server's preference;
//! - one hello per ECDHE group (TLS 1.3 when accepted: supported_groups = that group only, so a
//!   server that supports it answers ServerHello or a HelloRetryRequest naming it; otherwise a
//!   TLS ≤ 1.2 ECDHE-only hello whose ServerKeyExchange names the curve), minus the group the
//!   full handshake already negotiated;
//! - one DHE-only hello (the DH prime's size is in the clear-text ServerKeyExchange);
//! - one ECDHE hello listing the curves under 224 bits first;
//! - one hello offering DEFLATE, whose ServerHello also shows renegotiation_info (RFC 5746) and
//!   extended_master_secret (RFC 7627);
//! - beside them ([`apply`]): Heartbleed, CCS injection and ROBOT at the best TLS 1.0–1.2
//!   version.
//!
//! Every connection holds a permit of the per-IP limit. The pure [`assess`] turns the findings
//! into checks, so the grading rules are tested without sockets.

use tokio::sync::Semaphore;

use crate::grade::rubric::CheckId;
use crate::probe::versions::{self, Answer, ProbeTarget};
use crate::report::{
    Check, CipherReport, GroupResult, KeyExchangeReport, Status, SuiteName, VersionCiphers,
    WeakClassResult,
};
use crate::wire::enums::{AlertDescription, CipherSuite, ExtensionType, NamedGroup};
use crate::wire::hello::{self, ClientHelloBuilder, Probe};
use crate::wire::server::{parse_server_key_exchange, KeyExchangeParams, KxKind, ServerFlight};

/// A weak suite class: its report name, its suites (wire value, IANA name, OpenSSL name).
pub struct WeakClass {
    pub name: &'static str,
    pub suites: &'static [(u16, &'static str, &'static str)],
}

/// RC4 (RFC 7465 prohibits it).
const RC4: &[(u16, &str, &str)] = &[
    (
        0xc011,
        "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        "ECDHE-RSA-RC4-SHA",
    ),
    (
        0xc007,
        "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        "ECDHE-ECDSA-RC4-SHA",
    ),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA"),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5"),
];

/// 64-bit block ciphers (Sweet32): 3DES and IDEA.
const DES3: &[(u16, &str, &str)] = &[
    (
        0xc012,
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "ECDHE-RSA-DES-CBC3-SHA",
    ),
    (
        0xc008,
        "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        "ECDHE-ECDSA-DES-CBC3-SHA",
    ),
    (
        0x0016,
        "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "DHE-RSA-DES-CBC3-SHA",
    ),
    (
        0x0013,
        "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
        "DHE-DSS-DES-CBC3-SHA",
    ),
    (0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"),
    (0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA"),
];

/// EXPORT suites and single DES: under 112 bits of key (cap F).
const EXPORT: &[(u16, &str, &str)] = &[
    (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5"),
    (
        0x0006,
        "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
        "EXP-RC2-CBC-MD5",
    ),
    (
        0x0008,
        "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
        "EXP-DES-CBC-SHA",
    ),
    (
        0x0011,
        "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
        "EXP-DHE-DSS-DES-CBC-SHA",
    ),
    (
        0x0014,
        "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
        "EXP-DHE-RSA-DES-CBC-SHA",
    ),
    (
        0x0062,
        "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA",
        "EXP1024-DES-CBC-SHA",
    ),
    (
        0x0064,
        "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA",
        "EXP1024-RC4-SHA",
    ),
    (0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA"),
    (
        0x0012,
        "TLS_DHE_DSS_WITH_DES_CBC_SHA",
        "DHE-DSS-DES-CBC-SHA",
    ),
    (
        0x0015,
        "TLS_DHE_RSA_WITH_DES_CBC_SHA",
        "DHE-RSA-DES-CBC-SHA",
    ),
];

/// NULL encryption: no confidentiality at all.
const NULL: &[(u16, &str, &str)] = &[
    (0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA"),
    (
        0xc006,
        "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
        "ECDHE-ECDSA-NULL-SHA",
    ),
    (0x003b, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256"),
    (0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA"),
    (0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5"),
    (0xc015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA"),
];

/// Anonymous (unauthenticated) key exchange: aNULL, tolerated for opportunistic SMTP (R7672 §8.2).
const ANON: &[(u16, &str, &str)] = &[
    (
        0x00a7,
        "TLS_DH_anon_WITH_AES_256_GCM_SHA384",
        "ADH-AES256-GCM-SHA384",
    ),
    (
        0x00a6,
        "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
        "ADH-AES128-GCM-SHA256",
    ),
    (
        0x006d,
        "TLS_DH_anon_WITH_AES_256_CBC_SHA256",
        "ADH-AES256-SHA256",
    ),
    (
        0x006c,
        "TLS_DH_anon_WITH_AES_128_CBC_SHA256",
        "ADH-AES128-SHA256",
    ),
    (
        0xc019,
        "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
        "AECDH-AES256-SHA",
    ),
    (
        0xc018,
        "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
        "AECDH-AES128-SHA",
    ),
    (0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA"),
    (0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA"),
    (
        0xc017,
        "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",
        "AECDH-DES-CBC3-SHA",
    ),
    (
        0x001b,
        "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",
        "ADH-DES-CBC3-SHA",
    ),
    (0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA"),
    (0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5"),
];

/// The weak classes, in report order.
pub const WEAK_CLASSES: &[WeakClass] = &[
    WeakClass {
        name: "rc4",
        suites: RC4,
    },
    WeakClass {
        name: "3des",
        suites: DES3,
    },
    WeakClass {
        name: "export",
        suites: EXPORT,
    },
    WeakClass {
        name: "null",
        suites: NULL,
    },
    WeakClass {
        name: "anon",
        suites: ANON,
    },
];

/// OpenSSL names of the common strong suites (the weak ones are in the class tables).
const OPENSSL_NAMES: &[(u16, &str)] = &[
    (0x1301, "TLS_AES_128_GCM_SHA256"),
    (0x1302, "TLS_AES_256_GCM_SHA384"),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
    (0x1304, "TLS_AES_128_CCM_SHA256"),
    (0x1305, "TLS_AES_128_CCM_8_SHA256"),
    (0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256"),
    (0xc02c, "ECDHE-ECDSA-AES256-GCM-SHA384"),
    (0xc02f, "ECDHE-RSA-AES128-GCM-SHA256"),
    (0xc030, "ECDHE-RSA-AES256-GCM-SHA384"),
    (0xcca8, "ECDHE-RSA-CHACHA20-POLY1305"),
    (0xcca9, "ECDHE-ECDSA-CHACHA20-POLY1305"),
    (0xccaa, "DHE-RSA-CHACHA20-POLY1305"),
    (0x009e, "DHE-RSA-AES128-GCM-SHA256"),
    (0x009f, "DHE-RSA-AES256-GCM-SHA384"),
    (0x009c, "AES128-GCM-SHA256"),
    (0x009d, "AES256-GCM-SHA384"),
    (0xc009, "ECDHE-ECDSA-AES128-SHA"),
    (0xc00a, "ECDHE-ECDSA-AES256-SHA"),
    (0xc013, "ECDHE-RSA-AES128-SHA"),
    (0xc014, "ECDHE-RSA-AES256-SHA"),
    (0xc023, "ECDHE-ECDSA-AES128-SHA256"),
    (0xc024, "ECDHE-ECDSA-AES256-SHA384"),
    (0xc027, "ECDHE-RSA-AES128-SHA256"),
    (0xc028, "ECDHE-RSA-AES256-SHA384"),
    (0x0033, "DHE-RSA-AES128-SHA"),
    (0x0039, "DHE-RSA-AES256-SHA"),
    (0x0067, "DHE-RSA-AES128-SHA256"),
    (0x006b, "DHE-RSA-AES256-SHA256"),
    (0x002f, "AES128-SHA"),
    (0x0035, "AES256-SHA"),
    (0x003c, "AES128-SHA256"),
    (0x003d, "AES256-SHA256"),
    (0x0041, "CAMELLIA128-SHA"),
    (0x0084, "CAMELLIA256-SHA"),
    (0x0096, "SEED-SHA"),
];

/// Both names of a suite.
pub fn suite_name(s: CipherSuite) -> SuiteName {
    let weak = WEAK_CLASSES
        .iter()
        .flat_map(|c| c.suites.iter())
        .find(|(v, _, _)| *v == s.0);
    match weak {
        Some((_, iana, ossl)) => SuiteName {
            iana: (*iana).into(),
            openssl: Some((*ossl).into()),
        },
        None => SuiteName {
            iana: s.name().into_owned(),
            openssl: OPENSSL_NAMES
                .iter()
                .find(|(v, _)| *v == s.0)
                .map(|(_, n)| (*n).into()),
        },
    }
}

/// Is the suite forward secret (ECDHE/DHE key exchange, or any TLS 1.3 suite)?
pub fn is_forward_secret(iana: &str) -> bool {
    iana.contains("ECDHE_") || iana.contains("DHE_") || !iana.contains("_WITH_")
}

/// Is the suite an AEAD (GCM, CCM, ChaCha20-Poly1305)?
pub fn is_aead(iana: &str) -> bool {
    iana.contains("GCM") || iana.contains("CCM") || iana.contains("CHACHA20")
}

/// Suites of `class` a `probe` hello may offer: EXPORT suites end at TLS 1.0 (RFC 4346 §A.5),
/// SHA-256/384 and AEAD suites start at TLS 1.2 (RFC 5246 §1.2). Empty = class skipped.
pub fn class_suites(class: &WeakClass, probe: Probe) -> Vec<CipherSuite> {
    class
        .suites
        .iter()
        .filter(|(_, iana, _)| {
            let tls12_only = iana.ends_with("SHA256") || iana.ends_with("SHA384");
            let export = iana.contains("EXPORT");
            match probe {
                Probe::Tls13 => false,
                Probe::Tls12 => !export,
                Probe::Tls11 => !export && !tls12_only,
                Probe::Ssl3 | Probe::Tls10 => !tls12_only,
            }
        })
        .map(|(v, _, _)| CipherSuite(*v))
        .collect()
}

/// How one probe went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// A ServerHello at the offered version (the flight kept for its details).
    Hello(Box<ServerFlight>),
    /// Refused: an alert, a close, or a ServerHello at another version.
    Refused(String),
    /// Could not tell (timeout, network error, garbage).
    Unknown(String),
}

impl Seen {
    fn accepted(&self) -> Option<bool> {
        match self {
            Seen::Hello(_) => Some(true),
            Seen::Refused(_) => Some(false),
            Seen::Unknown(_) => None,
        }
    }
    fn suite(&self) -> Option<CipherSuite> {
        match self {
            Seen::Hello(f) => Some(f.server_hello.cipher_suite),
            _ => None,
        }
    }
}

/// Sends one hello under the per-IP limit and sorts the answer.
async fn send(t: &ProbeTarget, limit: &Semaphore, probe: Probe, b: ClientHelloBuilder) -> Seen {
    let bytes = match b.build() {
        Ok(b) => b,
        Err(e) => return Seen::Unknown(format!("could not build the ClientHello: {e}")),
    };
    let _permit = limit.acquire().await;
    match versions::attempt_flight(t, &bytes).await {
        Ok(f) if f.server_hello.is_hello_retry_request() => Seen::Hello(Box::new(f)),
        Ok(f) if f.server_hello.negotiated_version() == probe.target_version() => {
            Seen::Hello(Box::new(f))
        }
        Ok(f) => Seen::Refused(format!(
            "answered {} instead",
            f.server_hello.negotiated_version().name()
        )),
        Err(Answer::Alert(d)) => Seen::Refused(format!("alert {}", d.name())),
        Err(Answer::Closed) => Seen::Refused("closed without an alert".into()),
        Err(Answer::Unknown(w)) => Seen::Unknown(w),
        Err(Answer::Hello { .. }) => Seen::Unknown("unexpected answer".into()),
    }
}

fn builder(t: &ProbeTarget, probe: Probe, suites: &[CipherSuite]) -> ClientHelloBuilder {
    let mut b = ClientHelloBuilder::randomized(probe).cipher_suites(suites);
    if let Some(n) = &t.sni {
        b = b.server_name(n);
    }
    b
}

/// With the renegotiation SCSV appended (RFC 5746 §3.3), so every answer can show
/// renegotiation_info.
fn with_scsv(mut suites: Vec<CipherSuite>) -> Vec<CipherSuite> {
    suites.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    suites
}

/// What the version probes already know, the input of [`run`].
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Accepted versions, oldest first.
    pub accepted: Vec<Probe>,
    /// The suite each accepted version chose from its good-first list (IANA name).
    pub chosen: Vec<(Probe, String)>,
    /// The group the full handshake negotiated (rustls name: `x25519`, `secp256r1`, ...).
    pub negotiated_group: Option<String>,
}

/// Everything the probes found, before judging.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    /// (version, class, outcome) for each weak-class probe sent.
    pub classes: Vec<(Probe, &'static str, Seen)>,
    /// Good-first choice per version (from the version probes).
    pub chosen: Vec<(Probe, String)>,
    /// Outcome of the FS-only and AEAD-only probes, when they were needed.
    pub fs_probe: Option<Seen>,
    pub aead_probe: Option<Seen>,
    /// TLS 1.3 accepted (all its suites are FS and AEAD).
    pub tls13: bool,
    /// TLS 1.2's reversed-order probe.
    pub reversed: Option<Seen>,
    pub groups: Vec<(NamedGroup, Option<bool>)>,
    pub dhe: Option<Seen>,
    /// The DEFLATE-offering hello (also the renegotiation evidence).
    pub compression: Option<(Probe, Seen)>,
    /// The hello offering curves under 224 bits (first; with an ECDSA certificate, the NIST
    /// curves such a certificate may use follow them, as RFC 8422 §5.1.1 lets supported_groups
    /// limit the certificate too).
    pub weak_curves: Option<(Probe, Seen)>,
    pub connections: u32,
}

fn group_label(g: NamedGroup) -> String {
    match g {
        NamedGroup::X25519 => "x25519".into(),
        NamedGroup::SECP256R1 => "secp256r1".into(),
        NamedGroup::SECP384R1 => "secp384r1".into(),
        NamedGroup::SECP521R1 => "secp521r1".into(),
        other => other.name().into_owned(),
    }
}

/// Runs the default probe plan (see the module comment) for an endpoint.
pub async fn run(t: &ProbeTarget, limit: &Semaphore, known: &Known) -> Findings {
    let mut f = Findings {
        chosen: known.chosen.clone(),
        tls13: known.accepted.contains(&Probe::Tls13),
        ..Findings::default()
    };
    let legacy: Vec<Probe> = known
        .accepted
        .iter()
        .copied()
        .filter(|p| *p != Probe::Tls13)
        .collect();
    let best_legacy = legacy.iter().copied().max();

    // Weak classes per version, testssl.sh-style: one hello offers every weak class not yet
    // settled; a refusal settles them all, a ServerHello settles the class of the suite chosen,
    // and the rest are offered again. A server that refuses everything weak (the common case)
    // costs one connection per version, not one per class; the semaphore keeps the per-IP limit.
    let classes = futures::future::join_all(legacy.iter().map(|p| {
        let p = *p;
        async move {
            let mut open: Vec<(&'static str, Vec<CipherSuite>)> = WEAK_CLASSES
                .iter()
                .map(|c| (c.name, class_suites(c, p)))
                .filter(|(_, s)| !s.is_empty())
                .collect();
            let mut settled: Vec<(Probe, &'static str, Seen)> = Vec::new();
            let mut sent = 0u32;
            while !open.is_empty() {
                let offer: Vec<CipherSuite> =
                    open.iter().flat_map(|(_, s)| s.iter().copied()).collect();
                let seen = send(t, limit, p, builder(t, p, &with_scsv(offer))).await;
                sent += 1;
                let picked = seen
                    .suite()
                    .and_then(|chosen| open.iter().position(|(_, s)| s.contains(&chosen)));
                match picked {
                    Some(i) => {
                        let (name, _) = open.remove(i);
                        settled.push((p, name, seen));
                    }
                    None => {
                        // Refused or unknown settles every class still open; a suite that was
                        // never offered says nothing either way.
                        let seen = match seen {
                            Seen::Hello(_) => Seen::Unknown(
                                "the server chose a suite that was not offered".into(),
                            ),
                            other => other,
                        };
                        for (name, _) in open.drain(..) {
                            settled.push((p, name, seen.clone()));
                        }
                    }
                }
            }
            (settled, sent)
        }
    }));

    // Forward secrecy / AEAD: only when neither TLS 1.3 nor the good-first choice showed them.
    let chosen12 = known
        .chosen
        .iter()
        .find(|(p, _)| Some(*p) == best_legacy)
        .map(|(_, s)| s.clone());
    let need_fs =
        !f.tls13 && best_legacy.is_some() && !chosen12.as_deref().is_some_and(is_forward_secret);
    let tls12 = known.accepted.contains(&Probe::Tls12);
    let need_aead = !f.tls13 && !chosen12.as_deref().is_some_and(is_aead) && tls12;
    let all_suites = |p: Probe| -> Vec<CipherSuite> {
        let base = if p == Probe::Tls12 {
            hello::TLS12_SUITES
        } else {
            hello::TLS10_SUITES
        };
        base.iter()
            .copied()
            .filter(|s| *s != CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
            .collect()
    };
    let fs_job = async {
        match (need_fs, best_legacy) {
            (true, Some(p)) => {
                let s: Vec<_> = all_suites(p)
                    .into_iter()
                    .filter(|s| is_forward_secret(&s.name()))
                    .collect();
                Some(send(t, limit, p, builder(t, p, &with_scsv(s))).await)
            }
            _ => None,
        }
    };
    let aead_job = async {
        if need_aead {
            let s: Vec<_> = all_suites(Probe::Tls12)
                .into_iter()
                .filter(|s| is_aead(&s.name()))
                .collect();
            Some(
                send(
                    t,
                    limit,
                    Probe::Tls12,
                    builder(t, Probe::Tls12, &with_scsv(s)),
                )
                .await,
            )
        } else {
            None
        }
    };
    // Server preference: the TLS 1.2 list reversed (weakest first).
    let reversed_job = async {
        if tls12 {
            let mut s = all_suites(Probe::Tls12);
            s.reverse();
            Some(
                send(
                    t,
                    limit,
                    Probe::Tls12,
                    builder(t, Probe::Tls12, &with_scsv(s)),
                )
                .await,
            )
        } else {
            None
        }
    };
    // Groups: TLS 1.3 when spoken (covers the hybrid group), else ECDHE-only TLS ≤ 1.2 hellos.
    let negotiated = known.negotiated_group.clone();
    let ecdsa = known.chosen.iter().any(|(_, s)| s.contains("ECDSA"));
    let group_plan: Vec<NamedGroup> = if f.tls13 {
        vec![
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
            NamedGroup::SECP521R1,
            NamedGroup::X25519MLKEM768,
        ]
    } else if best_legacy.is_some() {
        hello::LEGACY_GROUPS.to_vec()
    } else {
        vec![]
    };
    let groups_job = futures::future::join_all(group_plan.iter().map(|g| {
        let g = *g;
        let negotiated = negotiated.clone();
        let tls13 = f.tls13;
        async move {
            // The full handshake already showed this one: no connection needed.
            if negotiated.as_deref() == Some(group_label(g).as_str()) {
                return (g, Some(true), false);
            }
            if tls13 {
                let mut b = builder(t, Probe::Tls13, hello::TLS13_SUITES).groups(&[g]);
                if g == NamedGroup::SECP256R1 {
                    b = b.secp256r1_key_share(Some(hello::SECP256R1_GENERATOR));
                }
                let seen = send(t, limit, Probe::Tls13, b).await;
                let ok = match &seen {
                    Seen::Hello(fl) => Some(fl.server_hello.key_share_group.is_none_or(|k| k == g)),
                    other => other.accepted(),
                };
                (g, ok, true)
            } else {
                let Some(p) = best_legacy else {
                    return (g, None, false);
                };
                let s: Vec<_> = all_suites(p)
                    .into_iter()
                    .filter(|s| s.name().contains("ECDHE_"))
                    .collect();
                let seen = send(t, limit, p, builder(t, p, &with_scsv(s)).groups(&[g])).await;
                let ok = match &seen {
                    Seen::Hello(fl) => match fl
                        .server_key_exchange
                        .as_deref()
                        .map(|b| parse_server_key_exchange(b, KxKind::Ecdhe))
                    {
                        Some(Ok(KeyExchangeParams::Ecdhe { group })) => Some(group == g),
                        _ => None,
                    },
                    // Before TLS 1.3, supported_groups also limits the curve of an ECDSA
                    // certificate (RFC 8422 §5.1.1): a refusal may be about the certificate,
                    // not the key exchange.
                    Seen::Refused(_) if ecdsa => None,
                    other => other.accepted(),
                };
                (g, ok, true)
            }
        }
    }));
    let dhe_job = async {
        let p = best_legacy?;
        let s: Vec<_> = all_suites(p)
            .into_iter()
            .filter(|s| {
                let n = s.name();
                n.contains("DHE_") && !n.contains("ECDHE_")
            })
            .collect();
        Some(send(t, limit, p, builder(t, p, &with_scsv(s))).await)
    };
    let compression_job = async {
        let p = best_legacy?;
        let b = builder(t, p, &with_scsv(all_suites(p))).compression_methods(&[1, 0]);
        Some((p, send(t, limit, p, b).await))
    };
    // Curves under 224 bits (TLS ≤ 1.2 only; TLS 1.3 has none): one ECDHE-only hello listing
    // only them, or with an ECDSA certificate them first and its possible curves last. Old
    // OpenSSL servers take the first named curve the client lists that they know.
    let weak_curves_job = async {
        let p = best_legacy?;
        let s: Vec<_> = all_suites(p)
            .into_iter()
            .filter(|s| s.name().contains("ECDHE_"))
            .collect();
        let mut offer: Vec<NamedGroup> = hello::WEAK_CURVES.iter().map(|(g, _)| *g).collect();
        if ecdsa {
            offer.extend([
                NamedGroup::SECP256R1,
                NamedGroup::SECP384R1,
                NamedGroup::SECP521R1,
            ]);
        }
        let b = builder(t, p, &with_scsv(s)).groups(&offer);
        Some((p, send(t, limit, p, b).await))
    };
    let (classes, fs, aead, reversed, groups, dhe, compression, weak_curves) = tokio::join!(
        classes,
        fs_job,
        aead_job,
        reversed_job,
        groups_job,
        dhe_job,
        compression_job,
        weak_curves_job
    );
    f.connections = classes.iter().map(|(_, n)| n).sum::<u32>()
        + u32::from(fs.is_some())
        + u32::from(aead.is_some())
        + u32::from(reversed.is_some())
        + groups.iter().filter(|(_, _, sent)| *sent).count() as u32
        + u32::from(dhe.is_some())
        + u32::from(compression.is_some())
        + u32::from(weak_curves.is_some());
    f.classes = classes
        .into_iter()
        .flat_map(|(settled, _)| settled)
        .collect();
    f.fs_probe = fs;
    f.aead_probe = aead;
    f.reversed = reversed;
    f.groups = groups.into_iter().map(|(g, ok, _)| (g, ok)).collect();
    f.dhe = dhe;
    f.compression = compression;
    f.weak_curves = weak_curves;
    f
}

/// What [`assess`] returns: report sections and checks.
#[derive(Debug, Default)]
pub struct Assessment {
    pub ciphers: CipherReport,
    pub key_exchange: KeyExchangeReport,
    pub checks: Vec<Check>,
}

fn version_name(p: Probe) -> String {
    p.target_version().name().into_owned()
}

/// Judges the findings (docs/grading.md, "Cipher suites and key exchange").
pub fn assess(f: &Findings) -> Assessment {
    let mut a = Assessment::default();
    a.ciphers.connections = f.connections;
    let mut weakest: Option<u32> = None;
    let mut note_bits = |iana: &str| {
        if let Some(b) = crate::wire::suites::by_name(iana).and_then(|s| s.key_bits()) {
            weakest = Some(weakest.map_or(b, |w| w.min(b)));
        }
    };
    for (_, s) in &f.chosen {
        note_bits(s);
    }
    for (p, class, seen) in &f.classes {
        let slot = a
            .ciphers
            .versions
            .get_mut(&version_name(*p))
            .expect("probe versions are report versions");
        let v = slot.get_or_insert_with(VersionCiphers::default);
        let suite = seen.suite().map(suite_name);
        if let Some(s) = &suite {
            note_bits(&s.iana);
        }
        v.weak_classes.push(WeakClassResult {
            class,
            accepted: seen.accepted(),
            suite,
        });
    }
    a.ciphers.weakest_bits = weakest;

    // One check per class: FAIL/WARN where accepted in any version.
    let rules: [(&str, CheckId, Status, &str); 5] = [
        ("rc4", CheckId::CipherRc4, Status::Fail, "RC4 suites accepted (broken stream cipher, prohibited by RFC 7465)"),
        ("3des", CheckId::Cipher3des, Status::Fail, "64-bit block cipher suites (3DES/IDEA) accepted: vulnerable to Sweet32"),
        ("export", CheckId::CipherExport, Status::Fail, "EXPORT or single-DES suites accepted: keys under 112 bits are breakable"),
        ("null", CheckId::CipherNull, Status::Fail, "NULL-encryption suites accepted: mail can travel unencrypted inside TLS"),
        ("anon", CheckId::CipherAnon, Status::Warn, "anonymous (aNULL) suites accepted: no server authentication; tolerated for opportunistic SMTP (RFC 7672 §8.2)"),
    ];
    for (class, id, status, why) in rules {
        let hits: Vec<&(Probe, &str, Seen)> =
            f.classes.iter().filter(|(_, c, _)| *c == class).collect();
        if hits.is_empty() {
            continue;
        }
        let accepted: Vec<String> = hits
            .iter()
            .filter_map(|(p, _, s)| {
                s.suite()
                    .map(|x| format!("{} in {}", suite_name(x).iana, version_name(*p)))
            })
            .collect();
        let unknown = hits.iter().any(|(_, _, s)| s.accepted().is_none());
        a.checks.push(if !accepted.is_empty() {
            Check::new(id, status, format!("{why}: {}", accepted.join(", ")))
        } else if unknown {
            Check::new(
                id,
                Status::Error,
                format!("could not tell whether {class} suites are accepted"),
            )
        } else {
            let versions: Vec<String> = hits.iter().map(|(p, _, _)| version_name(*p)).collect();
            Check::new(
                id,
                Status::Pass,
                format!("no {class} suite accepted ({})", versions.join(", ")),
            )
        });
    }

    // Forward secrecy and AEAD: is any such suite available?
    let any_chosen = |pred: fn(&str) -> bool| f.chosen.iter().any(|(_, s)| pred(s));
    let fs = if f.tls13 || any_chosen(is_forward_secret) {
        Some(true)
    } else {
        f.fs_probe.as_ref().and_then(Seen::accepted)
    };
    let aead = if f.tls13 || any_chosen(is_aead) {
        Some(true)
    } else if f.chosen.is_empty() {
        None
    } else {
        // No TLS 1.2 means no AEAD suite at all.
        f.aead_probe.as_ref().map_or(Some(false), Seen::accepted)
    };
    a.ciphers.forward_secrecy = fs;
    a.ciphers.aead = aead;
    if let Some(false) = fs {
        a.checks.push(
            Check::new(CheckId::CipherNoFs, Status::Warn, "no forward-secret (ECDHE/DHE) suite accepted: a stolen server key decrypts recorded mail"),
        );
    } else if fs == Some(true) {
        a.checks.push(Check::new(
            CheckId::CipherNoFs,
            Status::Pass,
            "forward-secret suites accepted",
        ));
    }
    if let Some(false) = aead {
        a.checks.push(Check::new(
            CheckId::CipherNoAead,
            Status::Warn,
            "no AEAD (GCM/ChaCha20) suite accepted: only CBC or stream ciphers",
        ));
    } else if aead == Some(true) {
        a.checks.push(Check::new(
            CheckId::CipherNoAead,
            Status::Pass,
            "AEAD suites accepted",
        ));
    }
    // Preference: from a good-first list, did the server pick a worse suite it need not have?
    // Only the FS-only / AEAD-only probes, sent at the same (best ≤ 1.2) version, prove a better
    // suite was there: TLS 1.3 suites are no help to a TLS 1.2 client.
    let best = f.chosen.iter().max_by_key(|(p, _)| *p);
    let fs_there = f.fs_probe.as_ref().and_then(Seen::accepted) == Some(true);
    let aead_there = f.aead_probe.as_ref().and_then(Seen::accepted) == Some(true);
    let worse: Vec<String> = best
        .into_iter()
        .filter(|(p, s)| {
            (fs_there && !is_forward_secret(s)) || (aead_there && *p == Probe::Tls12 && !is_aead(s))
        })
        .map(|(p, s)| format!("{s} in {}", version_name(*p)))
        .collect();
    if !worse.is_empty() {
        a.checks.push(
            Check::new(
                CheckId::CipherOrder,
                Status::Warn,
                format!("the server picks a non-forward-secret or non-AEAD suite although it has better ones: {}", worse.join(", ")),
            ),
        );
    }
    // Server preference in TLS 1.2: same choice from the list and its reverse = server's order.
    if let Some(rev) = &f.reversed {
        let fwd = f.chosen.iter().find(|(p, _)| *p == Probe::Tls12);
        let pref = match (fwd, rev.suite()) {
            (Some((_, a)), Some(b)) if a == &b.name() => Some(true),
            (Some(_), Some(_)) => Some(false),
            _ => None,
        };
        if let Some(Some(v)) = a.ciphers.versions.get_mut("TLSv1.2") {
            v.server_preference = pref;
        } else if let Some(slot) = a.ciphers.versions.get_mut("TLSv1.2") {
            *slot = Some(VersionCiphers {
                server_preference: pref,
                ..VersionCiphers::default()
            });
        }
    }

    // Key exchange.
    a.key_exchange.groups = f
        .groups
        .iter()
        .map(|(g, ok)| GroupResult {
            name: group_label(*g),
            accepted: *ok,
        })
        .collect();
    if !f.groups.is_empty() {
        let ok: Vec<String> = f
            .groups
            .iter()
            .filter(|(_, v)| *v == Some(true))
            .map(|(g, _)| group_label(*g))
            .collect();
        a.checks.push(Check::new(
            CheckId::KxGroups,
            Status::Info,
            if ok.is_empty() {
                "no ECDHE group accepted".to_string()
            } else {
                format!("ECDHE groups accepted: {}", ok.join(", "))
            },
        ));
    }
    match &f.weak_curves {
        Some((p, seen)) => a.checks.push(weak_curve_check(*p, seen)),
        None if f.tls13 => a.checks.push(Check::new(
            CheckId::KxWeakCurve,
            Status::Pass,
            "TLS 1.3 only: it has no curve under 224 bits",
        )),
        None => {}
    }
    if let Some(seen) = &f.dhe {
        a.key_exchange.dhe = seen.accepted();
        if let Seen::Hello(fl) = seen {
            let bits = fl
                .server_key_exchange
                .as_deref()
                .and_then(|b| parse_server_key_exchange(b, KxKind::Dhe).ok())
                .and_then(|p| match p {
                    KeyExchangeParams::Dh { p_bits } => Some(p_bits),
                    _ => None,
                });
            a.key_exchange.dh_bits = bits;
            a.checks.push(match bits {
                Some(b) if b < 1024 => Check::new(
                    CheckId::KxDhSmall,
                    Status::Fail,
                    format!("DHE with a {b}-bit group: breakable (Logjam)"),
                ),
                Some(b) if b < 2048 => Check::new(
                    CheckId::KxDhSmall,
                    Status::Warn,
                    format!("DHE with a {b}-bit group: below 2048 bits"),
                ),
                Some(b) => Check::new(
                    CheckId::KxDhSmall,
                    Status::Pass,
                    format!("DHE with a {b}-bit group"),
                ),
                None => Check::new(
                    CheckId::KxDhSmall,
                    Status::Error,
                    "DHE accepted but the ServerKeyExchange could not be read",
                ),
            });
        }
    }

    // Compression and renegotiation from the DEFLATE-offering hello.
    if let Some((p, seen)) = &f.compression {
        match seen {
            Seen::Hello(fl) => {
                let sh = &fl.server_hello;
                a.checks.push(if sh.compression != 0 {
                    Check::new(
                        CheckId::TlsCompression,
                        Status::Fail,
                        format!(
                            "the server enabled TLS compression (method {}) in {}: CRIME",
                            sh.compression,
                            version_name(*p)
                        ),
                    )
                } else {
                    Check::new(
                        CheckId::TlsCompression,
                        Status::Pass,
                        "TLS compression refused",
                    )
                });
                a.checks.push(if sh.extension(ExtensionType::RENEGOTIATION_INFO).is_some() {
                    Check::new(CheckId::TlsRenegotiation, Status::Pass, "secure renegotiation (RFC 5746) supported")
                } else {
                    Check::new(CheckId::TlsRenegotiation, Status::Warn, format!("no renegotiation_info in the {} ServerHello: no RFC 5746 secure renegotiation", version_name(*p)))
                });
                // The TLS 1.2 hello offers extended_master_secret; older ones do not (the
                // requirement, and this check, are for TLS 1.2).
                if *p == Probe::Tls12 {
                    a.checks.push(if sh.extension(ExtensionType::EXTENDED_MASTER_SECRET).is_some() {
                        Check::new(CheckId::TlsExtendedMasterSecret, Status::Pass, "TLS 1.2 with the extended master secret (RFC 7627)")
                    } else {
                        Check::new(CheckId::TlsExtendedMasterSecret, Status::Warn, "no extended_master_secret in the TLS 1.2 ServerHello although offered: TLS 1.2 sessions are open to the triple-handshake attack (RFC 7627)")
                    });
                }
            }
            Seen::Refused(w)
                if w.contains(AlertDescription::DECOMPRESSION_FAILURE.name().as_ref()) =>
            {
                a.checks.push(Check::new(
                    CheckId::TlsCompression,
                    Status::Pass,
                    "TLS compression refused",
                ));
            }
            Seen::Refused(w) | Seen::Unknown(w) => {
                a.checks.push(Check::new(
                    CheckId::TlsCompression,
                    Status::Error,
                    format!("compression probe: {w}"),
                ));
                a.checks.push(Check::new(
                    CheckId::TlsRenegotiation,
                    Status::Error,
                    format!("renegotiation probe: {w}"),
                ));
                if *p == Probe::Tls12 {
                    a.checks.push(Check::new(
                        CheckId::TlsExtendedMasterSecret,
                        Status::Error,
                        format!("extended master secret probe: {w}"),
                    ));
                }
            }
        }
    } else if f.tls13 {
        a.checks.push(Check::new(
            CheckId::TlsRenegotiation,
            Status::Pass,
            "TLS 1.3 only: no renegotiation and no compression exist",
        ));
        a.checks.push(Check::new(
            CheckId::TlsExtendedMasterSecret,
            Status::Pass,
            "TLS 1.3 only: its key schedule binds every session to its handshake (RFC 8446 §7.1)",
        ));
    }
    a
}

/// `kx.weak-curve` from the hello that offered only curves under 224 bits.
fn weak_curve_check(p: Probe, seen: &Seen) -> Check {
    let v = version_name(p);
    match seen {
        Seen::Hello(fl) => match fl
            .server_key_exchange
            .as_deref()
            .map(|b| parse_server_key_exchange(b, KxKind::Ecdhe))
        {
            Some(Ok(KeyExchangeParams::Ecdhe { group })) => {
                match hello::WEAK_CURVES.iter().find(|(g, _)| *g == group) {
                    Some((g, bits)) => Check::new(
                        CheckId::KxWeakCurve,
                        Status::Warn,
                        format!(
                            "ECDHE on {} ({bits} bits) accepted in {v}: under 224 bits, the \
                             session key is within reach of a well-funded attacker",
                            group_label(*g)
                        ),
                    ),
                    None => Check::new(
                        CheckId::KxWeakCurve,
                        Status::Pass,
                        format!(
                            "offered curves under 224 bits first, the server chose {}",
                            group_label(group)
                        ),
                    ),
                }
            }
            _ => Check::new(
                CheckId::KxWeakCurve,
                Status::Error,
                format!("weak-curve probe: the {v} ServerKeyExchange could not be read"),
            ),
        },
        Seen::Refused(w) => Check::new(
            CheckId::KxWeakCurve,
            Status::Pass,
            format!("a {v} ECDHE hello offering curves under 224 bits was refused ({w})"),
        ),
        Seen::Unknown(w) => Check::new(
            CheckId::KxWeakCurve,
            Status::Error,
            format!("weak-curve probe: {w}"),
        ),
    }
}

/// The report's version map keyed like [`VersionMap`], for callers that build [`Known`].
pub fn probe_of(name: &str) -> Option<Probe> {
    crate::report::VERSION_NAMES
        .iter()
        .position(|n| *n == name)
        .map(|i| Probe::ALL[i])
}

#[cfg(test)]
#[path = "ciphers_tests.rs"]
mod tests;

/// What the version matrix already says, for [`run`]: accepted versions (any evidence) and the
/// suite each version probe was answered with.
pub fn known_from(
    outcomes: &[versions::VersionOutcome],
    protocols: &crate::report::VersionMap<Option<bool>>,
    negotiated_group: Option<&str>,
) -> Known {
    Known {
        accepted: protocols
            .iter()
            .filter(|(_, v)| **v == Some(true))
            .filter_map(|(n, _)| probe_of(n))
            .collect(),
        chosen: outcomes
            .iter()
            .filter(|o| o.support == versions::Support::Accepted && o.probe != Probe::Tls13)
            .filter_map(|o| o.cipher.clone().map(|c| (o.probe, c)))
            .collect(),
        negotiated_group: negotiated_group.map(str::to_string),
    }
}

/// Runs the cipher probes (and, on SMTP, the STARTTLS-injection probe) for an endpoint whose
/// version matrix is known, and adds their sections and checks to the report.
/// `injection`: the STARTTLS-injection check, probed beside the version probes (it needs no
/// version), counted here with the other probe connections.
pub async fn apply(
    t: &ProbeTarget,
    limit: &Semaphore,
    outcomes: &[versions::VersionOutcome],
    full: bool,
    injection: Option<Check>,
    rep: &mut crate::report::EndpointReport,
) {
    let Some(protocols) = &rep.protocols else {
        return;
    };
    let group = rep.negotiated.as_ref().and_then(|n| n.group.clone());
    let known = known_from(outcomes, protocols, group.as_deref());
    if known.accepted.is_empty() {
        return;
    }
    let enumerations =
        async {
            if !full {
                return Vec::new();
            }
            futures::future::join_all(known.accepted.iter().map(|p| async move {
                (*p, crate::probe::enumerate::enumerate(t, limit, *p).await)
            }))
            .await
        };
    // Heartbeat needs extensions, so TLS 1.0–1.2 only.
    let heartbeat_version = known
        .accepted
        .iter()
        .copied()
        .filter(|p| matches!(p, Probe::Tls10 | Probe::Tls11 | Probe::Tls12))
        .max();
    let heartbleed = async {
        let p = heartbeat_version?;
        let _permit = limit.acquire().await;
        Some(crate::probe::heartbleed::probe(t, p).await)
    };
    // CCS injection: the same TLS 1.0–1.2 version.
    let ccs = async {
        let p = heartbeat_version?;
        let _permit = limit.acquire().await;
        Some(crate::probe::ccs::probe(t, p).await)
    };
    // ROBOT: RSA key exchange at the same version (it holds its own permits).
    let robot = async {
        let p = heartbeat_version?;
        Some(crate::probe::robot::probe(t, limit, p).await)
    };
    let (findings, enumerations, heartbleed, ccs, robot) =
        tokio::join!(run(t, limit, &known), enumerations, heartbleed, ccs, robot);
    let mut a = assess(&findings);
    add_enumerations(&mut a, &enumerations);
    if let Some(c) = heartbleed {
        a.ciphers.connections += 1;
        a.checks.push(c);
    }
    match ccs {
        Some(c) => {
            a.ciphers.connections += 1;
            a.checks.push(c);
        }
        None if known.accepted == [Probe::Tls13] => a.checks.push(Check::new(
            CheckId::TlsCcsInjection,
            Status::Pass,
            "TLS 1.3 only: CVE-2014-0224 is a flaw of the TLS ≤ 1.2 handshake",
        )),
        None => {}
    }
    match robot {
        Some((c, n)) => {
            a.ciphers.connections += n;
            a.checks.push(c);
        }
        None if known.accepted == [Probe::Tls13] => a.checks.push(Check::new(
            CheckId::TlsRobot,
            Status::Pass,
            "TLS 1.3 only: it has no RSA key exchange, which ROBOT needs",
        )),
        None => {}
    }
    if let Some(c) = injection {
        a.ciphers.connections += 1;
        a.checks.push(c);
    }
    rep.checks.extend(a.checks);
    rep.ciphers = Some(a.ciphers);
    rep.key_exchange = Some(a.key_exchange);
}

/// Puts `--ciphers` results into the report: the accepted suites per version, the server's order,
/// and the weakest suite among them.
pub fn add_enumerations(
    a: &mut Assessment,
    list: &[(Probe, crate::probe::enumerate::Enumeration)],
) {
    for (p, e) in list {
        a.ciphers.connections += e.connections;
        let Some(slot) = a.ciphers.versions.get_mut(&version_name(*p)) else {
            continue;
        };
        let v = slot.get_or_insert_with(VersionCiphers::default);
        v.accepted_suites = Some(e.accepted.iter().map(|s| suite_name(*s)).collect());
        if e.server_preference.is_some() {
            v.server_preference = e.server_preference;
        }
        for s in &e.accepted {
            if let Some(b) = s.info().and_then(|i| i.key_bits()) {
                a.ciphers.weakest_bits = Some(a.ciphers.weakest_bits.map_or(b, |w| w.min(b)));
            }
        }
    }
}
