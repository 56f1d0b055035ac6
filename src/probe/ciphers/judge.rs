//! Judging the cipher probes: what [`super::run`] found becomes the report's `ciphers` and
//! `key_exchange` sections and the `cipher.*`, `kx.*`, `tls.compression`, `tls.renegotiation`
//! and `tls.extended-master-secret` findings (their caps are the rubric's). Pure.

use super::{group_label, Findings, Reply};
use crate::grade::rubric::CheckId;
use crate::probe::conn::ServerAnswer;
use crate::probe::enumerate::Enumeration;
use crate::report::{
    Check, CipherReport, GroupResult, KeyExchangeReport, Status, SuiteName, VersionCiphers,
    WeakClassResult,
};
use crate::wire::enums::{AlertDescription, CipherSuite, ExtensionType, ProtocolVersion};
use crate::wire::hello::{self, Probe};
use crate::wire::server::{parse_server_key_exchange, KeyExchangeParams, KxKind};
use crate::wire::suites::{self, WeakClass};

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

/// Both names of a suite: IANA, and OpenSSL's when it has one.
pub fn suite_name(s: CipherSuite) -> SuiteName {
    match suites::info(s) {
        Some(i) => SuiteName {
            iana: i.iana.into(),
            openssl: i.openssl.map(str::to_string),
        },
        None => SuiteName {
            iana: s.name().into_owned(),
            openssl: None,
        },
    }
}

fn key_bits(s: CipherSuite) -> Option<u32> {
    s.info().and_then(|i| i.key_bits())
}

fn forward_secret(s: &CipherSuite) -> bool {
    s.info().is_some_and(|i| i.is_forward_secret())
}

fn aead(s: &CipherSuite) -> bool {
    s.info().is_some_and(|i| i.is_aead())
}

/// The status of a weak class that was accepted.
fn accepted_status(class: WeakClass) -> (CheckId, Status, &'static str) {
    match class {
        WeakClass::Rc4 => (
            CheckId::CipherRc4,
            Status::Fail,
            "RC4 suites accepted (broken stream cipher, prohibited by RFC 7465)",
        ),
        WeakClass::TripleDes => (
            CheckId::Cipher3des,
            Status::Fail,
            "64-bit block cipher suites (3DES/IDEA) accepted: vulnerable to Sweet32",
        ),
        WeakClass::Export => (
            CheckId::CipherExport,
            Status::Fail,
            "EXPORT or single-DES suites accepted: keys under 112 bits are breakable",
        ),
        WeakClass::Null => (
            CheckId::CipherNull,
            Status::Fail,
            "NULL-encryption suites accepted: mail can travel unencrypted inside TLS",
        ),
        WeakClass::Anon => (
            CheckId::CipherAnon,
            Status::Warn,
            "anonymous (aNULL) suites accepted: no server authentication; tolerated for opportunistic SMTP (RFC 7672 §8.2)",
        ),
    }
}

/// Judges the findings (docs/grading.md, "Cipher suites and key exchange").
pub fn assess(f: &Findings) -> Assessment {
    let mut a = Assessment::default();
    a.ciphers.connections = f.connections;
    let mut weakest: Option<u32> = None;
    let mut note_bits = |s: CipherSuite| {
        if let Some(b) = key_bits(s) {
            weakest = Some(weakest.map_or(b, |w| w.min(b)));
        }
    };
    for (_, s) in &f.chosen {
        note_bits(*s);
    }
    for (p, class, reply) in &f.classes {
        let Some(slot) = a.ciphers.versions.get_mut(p.target_version()) else {
            continue;
        };
        let v = slot.get_or_insert_with(VersionCiphers::default);
        if let Some(s) = reply.suite() {
            note_bits(s);
        }
        v.weak_classes.push(WeakClassResult {
            class: *class,
            accepted: reply.accepted(),
            suite: reply.suite().map(suite_name),
        });
    }
    a.ciphers.weakest_bits = weakest;

    // One check per class: fail (or warn) where accepted in any version.
    for class in WeakClass::ALL {
        let hits: Vec<&(Probe, WeakClass, Reply)> =
            f.classes.iter().filter(|(_, c, _)| *c == class).collect();
        if hits.is_empty() {
            continue;
        }
        let (id, status, why) = accepted_status(class);
        let accepted: Vec<String> = hits
            .iter()
            .filter_map(|(p, _, r)| {
                r.suite()
                    .map(|x| format!("{} in {}", suite_name(x).iana, version_name(*p)))
            })
            .collect();
        let unknown = hits.iter().any(|(_, _, r)| r.accepted().is_none());
        let name = class.as_str();
        a.checks.push(if !accepted.is_empty() {
            Check::new(id, status, format!("{why}: {}", accepted.join(", ")))
        } else if unknown {
            Check::new(
                id,
                Status::Error,
                format!("could not tell whether {name} suites are accepted"),
            )
        } else {
            let versions: Vec<String> = hits.iter().map(|(p, _, _)| version_name(*p)).collect();
            Check::new(
                id,
                Status::Pass,
                format!("no {name} suite accepted ({})", versions.join(", ")),
            )
        });
    }

    forward_secrecy_and_aead(f, &mut a);
    key_exchange(f, &mut a);
    compression_and_renegotiation(f, &mut a);
    a
}

/// `cipher.no-fs`, `cipher.no-aead`, `cipher.order` and TLS 1.2's server preference.
fn forward_secrecy_and_aead(f: &Findings, a: &mut Assessment) {
    let any_chosen = |pred: fn(&CipherSuite) -> bool| f.chosen.iter().any(|(_, s)| pred(s));
    let fs = if f.tls13 || any_chosen(forward_secret) {
        Some(true)
    } else {
        f.fs_probe.as_ref().and_then(Reply::accepted)
    };
    let aead_seen = if f.tls13 || any_chosen(aead) {
        Some(true)
    } else if f.chosen.is_empty() {
        None
    } else {
        // No TLS 1.2 means no AEAD suite at all.
        f.aead_probe.as_ref().map_or(Some(false), Reply::accepted)
    };
    a.ciphers.forward_secrecy = fs;
    a.ciphers.aead = aead_seen;
    match fs {
        Some(false) => a.checks.push(Check::new(
            CheckId::CipherNoFs,
            Status::Warn,
            "no forward-secret (ECDHE/DHE) suite accepted: a stolen server key decrypts recorded mail",
        )),
        Some(true) => a.checks.push(Check::new(
            CheckId::CipherNoFs,
            Status::Pass,
            "forward-secret suites accepted",
        )),
        None => {}
    }
    match aead_seen {
        Some(false) => a.checks.push(Check::new(
            CheckId::CipherNoAead,
            Status::Warn,
            "no AEAD (GCM/ChaCha20) suite accepted: only CBC or stream ciphers",
        )),
        Some(true) => a.checks.push(Check::new(
            CheckId::CipherNoAead,
            Status::Pass,
            "AEAD suites accepted",
        )),
        None => {}
    }
    // Preference: from a good-first list, did the server pick a worse suite it need not have?
    // Only the FS-only / AEAD-only probes, sent at the same (best ≤ 1.2) version, prove a better
    // suite was there: TLS 1.3 suites are no help to a TLS 1.2 client.
    let best = f.chosen.iter().max_by_key(|(p, _)| *p);
    let fs_there = f.fs_probe.as_ref().and_then(Reply::accepted) == Some(true);
    let aead_there = f.aead_probe.as_ref().and_then(Reply::accepted) == Some(true);
    let worse: Vec<String> = best
        .into_iter()
        .filter(|(p, s)| {
            (fs_there && !forward_secret(s)) || (aead_there && *p == Probe::Tls12 && !aead(s))
        })
        .map(|(p, s)| format!("{} in {}", s.name(), version_name(*p)))
        .collect();
    if !worse.is_empty() {
        a.checks.push(Check::new(
            CheckId::CipherOrder,
            Status::Warn,
            format!("the server picks a non-forward-secret or non-AEAD suite although it has better ones: {}", worse.join(", ")),
        ));
    }
    // Server preference in TLS 1.2: the same choice from the list and its reverse means the
    // server chooses by its own order.
    if let Some(rev) = &f.reversed {
        let fwd = f.chosen.iter().find(|(p, _)| *p == Probe::Tls12);
        let pref = match (fwd, rev.suite()) {
            (Some((_, a)), Some(b)) => Some(*a == b),
            _ => None,
        };
        if let Some(slot) = a.ciphers.versions.get_mut(ProtocolVersion::TLSv1_2) {
            slot.get_or_insert_with(VersionCiphers::default)
                .server_preference = pref;
        }
    }
}

/// ECDHE groups, `kx.weak-curve`, and the DHE group size (`kx.dh-small`).
fn key_exchange(f: &Findings, a: &mut Assessment) {
    a.key_exchange.groups = f
        .groups
        .iter()
        .map(|(g, ok)| GroupResult {
            name: group_label(*g),
            accepted: *ok,
        })
        .collect();
    let ok: Vec<String> = f
        .groups
        .iter()
        .filter(|(_, v)| *v == Some(true))
        .map(|(g, _)| group_label(*g))
        .collect();
    if f.every_group && !f.groups.is_empty() {
        a.checks.push(Check::new(
            CheckId::KxGroups,
            Status::Info,
            if ok.is_empty() {
                "no ECDHE group accepted".to_string()
            } else {
                format!("ECDHE groups accepted: {}", ok.join(", "))
            },
        ));
    } else if !f.every_group {
        a.checks.push(Check::new(
            CheckId::KxGroups,
            Status::Info,
            match ok.is_empty() {
                true => "no ECDHE group negotiated (--ciphers tries every group)".to_string(),
                false => format!(
                    "ECDHE group negotiated: {} (--ciphers tries every group)",
                    ok.join(", ")
                ),
            },
        ));
    }
    match &f.weak_curves {
        Some(r) => a.checks.push(weak_curve_check(r)),
        None if f.tls13 => a.checks.push(Check::new(
            CheckId::KxWeakCurve,
            Status::Pass,
            "TLS 1.3 only: it has no curve under 224 bits",
        )),
        None => {}
    }
    let Some(reply) = &f.dhe else {
        return;
    };
    a.key_exchange.dhe = reply.accepted();
    let Some(fl) = reply.accepted_flight() else {
        return;
    };
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

/// Compression, renegotiation and the extended master secret, from the DEFLATE-offering hello.
fn compression_and_renegotiation(f: &Findings, a: &mut Assessment) {
    let Some(reply) = &f.compression else {
        if f.tls13 {
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
        return;
    };
    let p = reply.version;
    if let Some(fl) = reply.accepted_flight() {
        let sh = &fl.server_hello;
        a.checks.push(if sh.compression != 0 {
            Check::new(
                CheckId::TlsCompression,
                Status::Fail,
                format!(
                    "the server enabled TLS compression (method {}) in {}: CRIME",
                    sh.compression,
                    version_name(p)
                ),
            )
        } else {
            Check::new(
                CheckId::TlsCompression,
                Status::Pass,
                "TLS compression refused",
            )
        });
        a.checks.push(
            if sh.extension(ExtensionType::RENEGOTIATION_INFO).is_some() {
                Check::new(
                    CheckId::TlsRenegotiation,
                    Status::Pass,
                    "secure renegotiation (RFC 5746) supported",
                )
            } else {
                Check::new(
                    CheckId::TlsRenegotiation,
                    Status::Warn,
                    format!(
                        "no renegotiation_info in the {} ServerHello: no RFC 5746 secure renegotiation",
                        version_name(p)
                    ),
                )
            },
        );
        // The TLS 1.2 hello offers extended_master_secret; older ones do not (the requirement,
        // and this check, are for TLS 1.2).
        if p == Probe::Tls12 {
            a.checks.push(if sh.extension(ExtensionType::EXTENDED_MASTER_SECRET).is_some() {
                Check::new(CheckId::TlsExtendedMasterSecret, Status::Pass, "TLS 1.2 with the extended master secret (RFC 7627)")
            } else {
                Check::new(CheckId::TlsExtendedMasterSecret, Status::Warn, "no extended_master_secret in the TLS 1.2 ServerHello although offered: TLS 1.2 sessions are open to the triple-handshake attack (RFC 7627)")
            });
        }
        return;
    }
    if reply.answer == Ok(ServerAnswer::Alert(AlertDescription::DECOMPRESSION_FAILURE)) {
        a.checks.push(Check::new(
            CheckId::TlsCompression,
            Status::Pass,
            "TLS compression refused",
        ));
        return;
    }
    let w = reply.describe();
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
    if p == Probe::Tls12 {
        a.checks.push(Check::new(
            CheckId::TlsExtendedMasterSecret,
            Status::Error,
            format!("extended master secret probe: {w}"),
        ));
    }
}

/// `kx.weak-curve` from the hello that offered the curves under 224 bits first.
fn weak_curve_check(reply: &Reply) -> Check {
    let v = version_name(reply.version);
    if let Some(fl) = reply.accepted_flight() {
        return match fl
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
        };
    }
    match reply.accepted() {
        Some(false) => Check::new(
            CheckId::KxWeakCurve,
            Status::Pass,
            format!(
                "a {v} hello offering ECDHE with curves under 224 bits first was refused ({})",
                reply.describe()
            ),
        ),
        _ => Check::new(
            CheckId::KxWeakCurve,
            Status::Error,
            format!("weak-curve probe: {}", reply.describe()),
        ),
    }
}

/// Puts `--ciphers` results into the report: the accepted suites per version, the server's
/// order, and the weakest suite among them.
pub fn add_enumerations(a: &mut Assessment, list: &[(Probe, Enumeration)]) {
    for (p, e) in list {
        a.ciphers.connections += e.connections;
        let Some(slot) = a.ciphers.versions.get_mut(p.target_version()) else {
            continue;
        };
        let v = slot.get_or_insert_with(VersionCiphers::default);
        v.accepted_suites = Some(e.accepted.iter().map(|s| suite_name(*s)).collect());
        if e.server_preference.is_some() {
            v.server_preference = e.server_preference;
        }
        for s in &e.accepted {
            if let Some(b) = key_bits(*s) {
                a.ciphers.weakest_bits = Some(a.ciphers.weakest_bits.map_or(b, |w| w.min(b)));
            }
        }
    }
}
