//! Certificate consistency across one run: a pure pass over *finished* target reports. The
//! scheduler runs it on each target as it finishes (the comparisons inside a target), and once
//! more over the whole run where the run is kept (the ports of a host across targets).
//!
//! Mail usually breaks on a renewal that reached only part of a fleet: one node of a cluster
//! still bound to the old certificate, the new one installed on port 443 but not enabled on 25,
//! a connector left on its self-signed default. Each endpoint's own checks cannot see that; this
//! pass compares the leaf certificates of peers and adds checks with stable ids:
//!
//! - addresses of one host and port (within a target): `cert.inconsistent-address`,
//!   `cert.older-certificate` (endpoint checks on the odd ones out);
//! - ports of one host address across the run (25, 587, 465, 443 …): `cert.inconsistent-port`;
//! - MX hosts of a mail domain: `cert.inconsistent-mx` (a domain check);
//! - a self-signed or single-label-CN leaf next to CA-issued ones in the same domain or host:
//!   `cert.default-looking`.
//!
//! None of them caps the grade (docs/grading.md says why): they are warnings that block A+ and
//! explain, while the certificate's own checks (`cert.expired`, `cert.self-signed`, …) cap.
//!
//! Every comparison but the ports one stays inside a target, so output that streams targets as
//! they finish (NDJSON) can call [`apply`] on each target alone and lose only the port checks.
//! MX hosts are compared by the issuer's organisation (`O=`), not its full name.

use std::collections::{BTreeMap, BTreeSet};

use crate::grade;
use crate::grade::rubric::CheckId;
use crate::report::{CertInfo, Check, Kind, Status, TargetReport};

/// Certificates issued a few hours apart (two nodes renewing independently on the same day)
/// are not "older" in any sense an admin cares about; a day is the smallest step that is.
const OLDER_MARGIN_SECS: i64 = 86_400;

/// The leaf one endpoint presented, with where it was seen.
struct Presented<'a> {
    target: usize,
    endpoint: usize,
    host: String,
    address: String,
    port: u16,
    leaf: &'a CertInfo,
    /// Expiry as Unix seconds (None if the report's date does not parse: never "older" then).
    expires: Option<i64>,
}

impl Presented<'_> {
    fn short(&self) -> String {
        format!("SHA-1 {} (expires {})", self.leaf.sha1, self.leaf.not_after)
    }
    fn is_older_than(&self, other: &Presented) -> bool {
        match (self.expires, other.expires) {
            (Some(a), Some(b)) => a + OLDER_MARGIN_SECS <= b,
            _ => false,
        }
    }
}

/// Why a leaf looks like a default certificate rather than one an admin ordered, if it does.
pub fn default_looking(leaf: &CertInfo) -> Option<String> {
    if leaf.self_issued {
        return Some("subject equals issuer".into());
    }
    let cn = common_name(&leaf.subject)?;
    (!cn.is_empty() && !cn.contains('.')).then(|| format!("single-label CN {cn:?}"))
}

/// The CN of a subject as x509-parser prints it (`C=US, O=x, CN=name`).
fn common_name(subject: &str) -> Option<&str> {
    attribute(subject, "CN=")
}

fn attribute<'a>(name: &'a str, key: &str) -> Option<&'a str> {
    name.rsplit(", ").find_map(|rdn| rdn.strip_prefix(key))
}

/// Who issued a certificate, at the level admins choose: the CA's organisation. A CA rotates
/// its issuing intermediates (Let's Encrypt's R10 and R11 are picked at random per order), so
/// two hosts renewed the same way often differ in the issuer CN; that is not news.
fn issuer_organisation(issuer: &str) -> &str {
    attribute(issuer, "O=").unwrap_or(issuer)
}

/// Whether two leaves are for (some of) the same names: a renewal keeps most names, and may
/// add or drop one.
fn same_names(a: &CertInfo, b: &CertInfo) -> bool {
    if a.sans.is_empty() || b.sans.is_empty() {
        return a.subject == b.subject;
    }
    a.sans
        .iter()
        .any(|n| b.sans.iter().any(|m| m.eq_ignore_ascii_case(n)))
}

fn parse_time(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// A finding for one endpoint (`Some(index)`) or for the target itself (`None`).
type Finding = (usize, Option<usize>, Check);

/// Adds the consistency checks to `targets` and grades every target that gained one again.
///
/// Idempotent: a check already there is not added again (an endpoint carries each of these ids
/// at most once), so streamed output can apply it to each target as it finishes and the whole
/// run can apply it again afterwards for the comparisons across targets.
pub fn apply(targets: &mut [TargetReport]) {
    let findings = find(targets);
    let mut touched = BTreeSet::new();
    for (t, e, check) in findings {
        let target = &mut targets[t];
        let checks = match e {
            Some(e) => &mut target.endpoints[e].checks,
            None => &mut target.checks,
        };
        if checks.iter().any(|c| c.id == check.id) {
            continue;
        }
        checks.push(check);
        touched.insert(t);
    }
    for t in touched {
        // A target that was not graded (no mail service, a DNS failure) stays so.
        if targets[t].grade.is_some() {
            grade::grade_target(&mut targets[t]);
        }
    }
}

/// All findings of the run, without changing anything (the pure core, unit-tested).
fn find(targets: &[TargetReport]) -> Vec<Finding> {
    let mut seen = Vec::new();
    for (ti, t) in targets.iter().enumerate() {
        for (ei, e) in t.endpoints.iter().enumerate() {
            let Some(leaf) = e.certificate.as_ref().and_then(|c| c.chain.first()) else {
                continue;
            };
            seen.push(Presented {
                target: ti,
                endpoint: ei,
                host: e.host.to_ascii_lowercase(),
                address: e.address.clone().unwrap_or_else(|| "?".into()),
                port: e.port,
                leaf,
                expires: parse_time(&leaf.not_after),
            });
        }
    }
    let mut out = Vec::new();
    addresses(&seen, &mut out);
    ports(&seen, &mut out);
    for (ti, t) in targets.iter().enumerate() {
        if t.kind == Kind::MailDomain {
            mx_hosts(ti, &seen, &mut out);
        }
    }
    defaults(targets, &seen, &mut out);
    out
}

/// Groups `members` by certificate (SHA-256) and returns the groups with the reference first:
/// the certificate most members present, ties broken by the later expiry (the renewed one).
fn by_certificate<'a, 'b>(members: &[&'b Presented<'a>]) -> Vec<Vec<&'b Presented<'a>>> {
    let mut groups: BTreeMap<&str, Vec<&Presented>> = BTreeMap::new();
    for m in members {
        groups.entry(m.leaf.sha256.as_str()).or_default().push(m);
    }
    let mut groups: Vec<Vec<&Presented>> = groups.into_values().collect();
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(b[0].expires.cmp(&a[0].expires)));
    groups
}

/// The member whose certificate expires last: what every peer should present after a renewal.
fn newest<'a, 'b>(members: &[&'b Presented<'a>]) -> Option<&'b Presented<'a>> {
    members.iter().copied().max_by_key(|m| m.expires)
}

fn list_addresses(ms: &[&Presented]) -> String {
    let set: BTreeSet<&str> = ms.iter().map(|m| m.address.as_str()).collect();
    set.into_iter().collect::<Vec<_>>().join(", ")
}

/// Addresses of one host and port within a target: a cluster or round-robin pool that should
/// present one certificate.
fn addresses(seen: &[Presented], out: &mut Vec<Finding>) {
    let mut pools: BTreeMap<(usize, &str, u16), Vec<&Presented>> = BTreeMap::new();
    for p in seen {
        pools
            .entry((p.target, p.host.as_str(), p.port))
            .or_default()
            .push(p);
    }
    for ((_, host, port), members) in pools {
        let groups = by_certificate(&members);
        if groups.len() < 2 {
            continue;
        }
        let reference = &groups[0];
        let Some(newest) = newest(&members) else {
            continue;
        };
        for group in &groups[1..] {
            for m in group {
                out.push((
                    m.target,
                    Some(m.endpoint),
                    Check::new(
                        CheckId::CertInconsistentAddress,
                        Status::Warn,
                        format!(
                            "{} presents a different certificate, {}, than {} of {host} port {port}, {}: \
                             a renewal or certificate binding that did not reach every address",
                            m.address,
                            m.short(),
                            list_addresses(reference),
                            reference[0].short()
                        ),
                    ),
                ));
            }
        }
        for m in &members {
            if m.is_older_than(newest) {
                let newer: Vec<&Presented> = members
                    .iter()
                    .copied()
                    .filter(|o| o.leaf.sha256 == newest.leaf.sha256)
                    .collect();
                out.push((
                    m.target,
                    Some(m.endpoint),
                    Check::new(
                        CheckId::CertOlderCertificate,
                        Status::Warn,
                        format!(
                            "{} still presents an older certificate, {}, while {} of {host} port {port} present {}: \
                             the renewal did not reach this address",
                            m.address,
                            m.short(),
                            list_addresses(&newer),
                            newest.short()
                        ),
                    ),
                ));
            }
        }
    }
}

/// Ports of one host address across the run (a host scanned on 25, 587, 465 and 443): usually
/// one certificate bound to every service, so a difference is worth knowing and an older one is
/// a service the renewal missed.
fn ports(seen: &[Presented], out: &mut Vec<Finding>) {
    let mut hosts: BTreeMap<(&str, &str), Vec<&Presented>> = BTreeMap::new();
    for p in seen {
        hosts
            .entry((p.host.as_str(), p.address.as_str()))
            .or_default()
            .push(p);
    }
    for ((host, address), members) in hosts {
        let port_set: BTreeSet<u16> = members.iter().map(|m| m.port).collect();
        if port_set.len() < 2 {
            continue;
        }
        let groups = by_certificate(&members);
        if groups.len() < 2 {
            continue;
        }
        let reference_sha = groups[0][0].leaf.sha256.as_str();
        let ports_of = |sha: &str| {
            let ps: BTreeSet<u16> = members
                .iter()
                .filter(|m| m.leaf.sha256 == sha)
                .map(|m| m.port)
                .collect();
            ps.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
        };
        // One finding per (endpoint), even when a host:port was scanned twice in the run.
        let mut flagged = BTreeSet::new();
        for m in &members {
            // A web certificate for other names expiring first is not a missed renewal; an
            // older certificate for the same names is.
            let related: Vec<&Presented> = members
                .iter()
                .copied()
                .filter(|o| same_names(m.leaf, o.leaf))
                .collect();
            let Some(newest) = newest(&related) else {
                continue;
            };
            let older = m.is_older_than(newest);
            if m.leaf.sha256 == reference_sha && !older {
                continue;
            }
            if !flagged.insert((m.target, m.endpoint)) {
                continue;
            }
            let (status, other, why) = if older {
                (
                    Status::Warn,
                    newest,
                    "the renewal did not reach this service",
                )
            } else {
                (
                    Status::Info,
                    groups[0][0],
                    "different services of one host present different certificates",
                )
            };
            out.push((
                m.target,
                Some(m.endpoint),
                Check::new(
                    CheckId::CertInconsistentPort,
                    status,
                    format!(
                        "port {} of {host} [{address}] presents {}, port(s) {} present {}: {why}",
                        m.port,
                        m.short(),
                        ports_of(&other.leaf.sha256),
                        other.short()
                    ),
                ),
            ));
        }
    }
}

/// MX hosts of one mail domain. Different hosts legitimately carry different certificates
/// (their own names, even their own CAs): different issuers are INFO. One certificate (the same
/// names) deployed to several MX hosts where one host has an older copy is the renewal that
/// missed a host: WARN.
fn mx_hosts(target: usize, seen: &[Presented], out: &mut Vec<Finding>) {
    let members: Vec<&Presented> = seen.iter().filter(|p| p.target == target).collect();
    let hosts: BTreeSet<&str> = members.iter().map(|m| m.host.as_str()).collect();
    if hosts.len() < 2 {
        return;
    }
    let mut issuers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in &members {
        issuers
            .entry(issuer_organisation(&m.leaf.issuer))
            .or_default()
            .insert(m.host.as_str());
    }
    if issuers.len() >= 2 {
        let parts: Vec<String> = issuers
            .iter()
            .map(|(issuer, hs)| {
                format!(
                    "{} by {issuer:?}",
                    hs.iter().copied().collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        out.push((
            target,
            None,
            Check::new(
                CheckId::CertInconsistentMx,
                Status::Info,
                format!(
                    "the MX hosts' certificates come from different issuers: {}",
                    parts.join("; ")
                ),
            ),
        ));
    }
    // The same certificate identity (its sorted names) on several hosts.
    let mut identities: BTreeMap<Vec<String>, Vec<&Presented>> = BTreeMap::new();
    for m in &members {
        let mut names: Vec<String> = m.leaf.sans.iter().map(|s| s.to_ascii_lowercase()).collect();
        if names.is_empty() {
            names.push(m.leaf.subject.clone());
        }
        names.sort();
        names.dedup();
        identities.entry(names).or_default().push(m);
    }
    for (names, ms) in identities {
        let hs: BTreeSet<&str> = ms.iter().map(|m| m.host.as_str()).collect();
        if hs.len() < 2 {
            continue;
        }
        let Some(newest) = newest(&ms) else { continue };
        // Older copies on hosts that do not also present the newest one (a host with an odd
        // address is the address check's business).
        let current: BTreeSet<&str> = ms
            .iter()
            .filter(|m| !m.is_older_than(newest))
            .map(|m| m.host.as_str())
            .collect();
        let stale: BTreeMap<&str, &Presented> = ms
            .iter()
            .filter(|m| !current.contains(m.host.as_str()))
            .map(|m| (m.host.as_str(), *m))
            .collect();
        for (host, m) in stale {
            out.push((
                target,
                None,
                Check::new(
                    CheckId::CertInconsistentMx,
                    Status::Warn,
                    format!(
                        "MX host {host} presents an older copy of the certificate for {}, {}, than {}, {}: \
                         the renewal did not reach every MX host",
                        names.join(", "),
                        m.short(),
                        newest.host,
                        newest.short()
                    ),
                ),
            ));
        }
    }
}

/// A default-looking leaf is only news next to CA-issued ones: a lab of self-signed servers is
/// graded by `cert.self-signed` already, but one connector left on its default certificate in a
/// domain (or on a host) that otherwise has real ones is a forgotten binding.
fn defaults(targets: &[TargetReport], seen: &[Presented], out: &mut Vec<Finding>) {
    let mut flagged = BTreeSet::new();
    let mut scopes: Vec<(String, Vec<&Presented>)> = Vec::new();
    for (ti, t) in targets.iter().enumerate() {
        let what = if t.kind == Kind::MailDomain {
            format!("mail domain {}", t.input)
        } else {
            format!("target {}", t.input)
        };
        scopes.push((what, seen.iter().filter(|p| p.target == ti).collect()));
    }
    let mut hosts: BTreeMap<&str, Vec<&Presented>> = BTreeMap::new();
    for p in seen {
        hosts.entry(p.host.as_str()).or_default().push(p);
    }
    for (h, ms) in hosts {
        scopes.push((format!("host {h}"), ms));
    }
    for (what, ms) in scopes {
        let issued: Vec<&Presented> = ms
            .iter()
            .copied()
            .filter(|m| default_looking(m.leaf).is_none())
            .collect();
        let Some(example) = issued.first() else {
            continue;
        };
        for m in &ms {
            let Some(reason) = default_looking(m.leaf) else {
                continue;
            };
            if !flagged.insert((m.target, m.endpoint)) {
                continue;
            }
            out.push((
                m.target,
                Some(m.endpoint),
                Check::new(
                    CheckId::CertDefaultLooking,
                    Status::Warn,
                    format!(
                        "{} [{}]:{} presents a default-looking certificate ({reason}; subject {:?}, {}) while {} \
                         other endpoint(s) of {what} present CA-issued ones (e.g. {} [{}]:{}, issuer {:?}): \
                         a connector still bound to its self-signed or default certificate",
                        m.host,
                        m.address,
                        m.port,
                        m.leaf.subject,
                        m.short(),
                        issued.len(),
                        example.host,
                        example.address,
                        example.port,
                        example.leaf.issuer
                    ),
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{
        CertificateReport, EndpointReport, Grade, GradeValue, MtaStsReport, Negotiated,
        TlsRptReport, VersionMap,
    };
    use crate::target::Transport;

    fn cert(tag: &str, issuer: &str, days: i64) -> CertInfo {
        let not_after = (time::OffsetDateTime::now_utc() + time::Duration::days(days))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        CertInfo {
            subject: "CN=mx.example.test".into(),
            issuer: issuer.into(),
            sans: vec!["mx.example.test".into()],
            serial: "01".into(),
            not_before: "2020-01-01T00:00:00Z".into(),
            not_after,
            key_type: crate::wire::keys::KeyType::from_name("EC P-256"),
            key_bits: None,
            signature_algorithm: "ecdsa-with-SHA256".into(),
            sha256: format!("{tag}-sha256"),
            sha1: format!("{tag}-SHA1"),
            spki_sha256: String::new(),
            self_issued: false,
        }
    }

    fn ep(host: &str, addr: &str, port: u16, leaf: CertInfo) -> EndpointReport {
        let mut e = EndpointReport::new(
            host.into(),
            Some(addr.into()),
            port,
            Transport::for_port(port),
        );
        // An A+ endpoint: TLS 1.3 only, a strong suite, MTA-STS enforce passed.
        e.negotiated = Some(Negotiated {
            version: crate::wire::enums::ProtocolVersion::TLSv1_3,
            cipher: crate::wire::enums::CipherSuite::from_name("TLS_AES_256_GCM_SHA384").unwrap(),
            group: crate::wire::enums::NamedGroup::from_name("x25519"),
        });
        e.protocols = Some(VersionMap {
            sslv3: Some(false),
            tls10: Some(false),
            tls11: Some(false),
            tls12: Some(true),
            tls13: Some(true),
        });
        e.mta_sts_authenticated = true;
        e.certificate = Some(CertificateReport {
            trusted: true,
            name_matches: true,
            not_after: leaf.not_after.clone(),
            days_remaining: 0,
            trust_error: None,
            chain: vec![leaf],
            ..Default::default()
        });
        e
    }

    /// A domain of A+ endpoints, protected by MTA-STS enforce, with TLS-RPT: A+ until a
    /// consistency check says otherwise.
    fn domain(eps: Vec<EndpointReport>) -> TargetReport {
        let mut t = TargetReport::new("example.test", crate::report::Kind::MailDomain);
        t.endpoints = eps;
        t.mta_sts = Some(MtaStsReport {
            record: Some("v=STSv1; id=1".into()),
            id: Some("1".into()),
            candidates: vec!["v=STSv1; id=1".into()],
            fetch: None,
            policy: None,
            mx_coverage: vec![],
            protected: true,
            checks: vec![],
        });
        t.tls_rpt = Some(TlsRptReport {
            record: Some("v=TLSRPTv1; rua=mailto:r@example.test".into()),
            rua: vec!["mailto:r@example.test".into()],
            candidates: vec![],
            checks: vec![],
        });
        crate::grade::grade_target(&mut t);
        assert_eq!(t.grade, Some(GradeValue::Letter(Grade::APlus)), "{t:#?}");
        t
    }

    fn ids(checks: &[Check]) -> Vec<CheckId> {
        checks.iter().map(|c| c.id).collect()
    }

    const CA: &str = "CN=Lab Intermediate CA";

    #[test]
    fn identical_certificates_on_every_address_add_nothing() {
        let c = cert("new", CA, 90);
        let mut ts = vec![domain(vec![
            ep("mx.example.test", "192.0.2.1", 25, c.clone()),
            ep("mx.example.test", "192.0.2.2", 25, c),
        ])];
        apply(&mut ts);
        assert!(ts[0].checks.is_empty());
        assert!(ts[0].endpoints.iter().all(|e| e.checks.is_empty()));
        assert_eq!(ts[0].grade, Some(GradeValue::Letter(Grade::APlus)));
    }

    #[test]
    fn an_address_left_on_the_old_certificate_is_inconsistent_and_older() {
        let mut ts = vec![domain(vec![
            ep("mx.example.test", "192.0.2.1", 25, cert("new", CA, 90)),
            ep("mx.example.test", "192.0.2.2", 25, cert("old", CA, 10)),
        ])];
        apply(&mut ts);
        let (good, bad) = (&ts[0].endpoints[0], &ts[0].endpoints[1]);
        assert!(good.checks.is_empty(), "{:#?}", good.checks);
        let mut got = ids(&bad.checks);
        got.sort();
        assert_eq!(
            got,
            [
                CheckId::CertInconsistentAddress,
                CheckId::CertOlderCertificate
            ]
        );
        let older = bad
            .checks
            .iter()
            .find(|c| c.id == CheckId::CertOlderCertificate)
            .unwrap();
        assert_eq!(older.status, Status::Warn);
        assert_eq!(older.cap, None);
        assert!(older.detail.contains("old-SHA1") && older.detail.contains("new-SHA1"));
        // A warning blocks A+ on the endpoint and so on the domain; nothing lower.
        assert_eq!(bad.grade, Some(GradeValue::Letter(Grade::A)));
        assert_eq!(ts[0].grade, Some(GradeValue::Letter(Grade::A)));
    }

    #[test]
    fn when_the_renewal_reached_one_node_of_three_the_old_majority_is_older() {
        let old = cert("old", CA, 10);
        let mut ts = vec![domain(vec![
            ep("mx.example.test", "192.0.2.1", 25, old.clone()),
            ep("mx.example.test", "192.0.2.2", 25, old),
            ep("mx.example.test", "192.0.2.3", 25, cert("new", CA, 90)),
        ])];
        apply(&mut ts);
        let e = &ts[0].endpoints;
        assert_eq!(ids(&e[2].checks), [CheckId::CertInconsistentAddress]);
        assert_eq!(ids(&e[0].checks), [CheckId::CertOlderCertificate]);
        assert_eq!(ids(&e[1].checks), [CheckId::CertOlderCertificate]);
    }

    #[test]
    fn certificates_a_few_hours_apart_are_different_but_not_older() {
        let mut a = cert("a", CA, 90);
        a.not_after = "2030-01-01T00:00:00Z".into();
        let mut b = cert("b", CA, 90);
        b.not_after = "2030-01-01T05:00:00Z".into();
        let mut ts = vec![domain(vec![
            ep("mx.example.test", "192.0.2.1", 25, a),
            ep("mx.example.test", "192.0.2.2", 25, b),
        ])];
        apply(&mut ts);
        let all: Vec<_> = ts[0]
            .endpoints
            .iter()
            .flat_map(|e| ids(&e.checks))
            .collect();
        assert_eq!(all, [CheckId::CertInconsistentAddress]);
    }

    #[test]
    fn ports_of_one_host_across_targets_are_info_unless_one_is_older() {
        let mk = |input: &str, port: u16, c: CertInfo| {
            let mut t = TargetReport::new(input, crate::report::Kind::Endpoint);
            t.endpoints = vec![ep("mail.example.test", "192.0.2.1", port, c)];
            crate::grade::grade_target(&mut t);
            t
        };
        let mut ts = vec![
            mk("mail.example.test:25", 25, cert("new", CA, 90)),
            mk("https://mail.example.test", 443, {
                let mut web = cert("web", "CN=Other CA", 85);
                web.sans = vec!["www.example.test".into()];
                web
            }),
            mk("smtps://mail.example.test", 465, cert("old", CA, 5)),
        ];
        apply(&mut ts);
        assert!(ts[0].endpoints[0].checks.is_empty());
        let web = &ts[1].endpoints[0].checks;
        assert_eq!(ids(web), [CheckId::CertInconsistentPort]);
        assert_eq!(web[0].status, Status::Info);
        let old = &ts[2].endpoints[0].checks;
        assert_eq!(ids(old), [CheckId::CertInconsistentPort]);
        assert_eq!(old[0].status, Status::Warn);
        assert!(old[0].detail.contains("port 465") && old[0].detail.contains("new-SHA1"));
    }

    #[test]
    fn mx_hosts_with_other_issuers_are_info_and_a_stale_shared_certificate_warns() {
        let mut shared_new = cert("new", CA, 90);
        shared_new.sans = vec!["mx1.example.test".into(), "mx2.example.test".into()];
        let mut shared_old = cert("old", CA, 10);
        shared_old.sans = shared_new.sans.clone();
        let mut ts = vec![domain(vec![
            ep("mx1.example.test", "192.0.2.1", 25, shared_new),
            ep("mx2.example.test", "192.0.2.2", 25, shared_old),
        ])];
        apply(&mut ts);
        let c = ts[0]
            .checks
            .iter()
            .find(|c| c.id == CheckId::CertInconsistentMx)
            .unwrap();
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.contains("mx2.example.test") && c.detail.contains("old-SHA1"));

        let mut b = cert("b", "CN=Other CA", 30);
        b.sans = vec!["mx2.example.test".into()];
        let mut ts = vec![domain(vec![
            ep("mx1.example.test", "192.0.2.1", 25, cert("a", CA, 90)),
            ep("mx2.example.test", "192.0.2.2", 25, b),
        ])];
        apply(&mut ts);
        assert_eq!(ids(&ts[0].checks), [CheckId::CertInconsistentMx]);
        assert_eq!(ts[0].checks[0].status, Status::Info);
        // Different hosts with their own certificates are normal: no endpoint is the odd one.
        assert!(ts[0].endpoints.iter().all(|e| e.checks.is_empty()));
        assert_eq!(ts[0].grade, Some(GradeValue::Letter(Grade::APlus)));
    }

    #[test]
    fn a_self_signed_or_single_label_leaf_next_to_ca_issued_ones_looks_default() {
        let mut snakeoil = cert("snake", "CN=mx2", 3650);
        snakeoil.subject = "CN=mx2".into();
        snakeoil.self_issued = true;
        let mut exch = cert("exch", CA, 300);
        exch.subject = "CN=EXCH01".into();
        let mut ts = vec![domain(vec![
            ep("mx1.example.test", "192.0.2.1", 25, cert("a", CA, 90)),
            ep("mx2.example.test", "192.0.2.2", 25, snakeoil),
            ep("mx3.example.test", "192.0.2.3", 25, exch),
        ])];
        apply(&mut ts);
        let e = &ts[0].endpoints;
        assert!(!ids(&e[0].checks).contains(&CheckId::CertDefaultLooking));
        let d = e[1]
            .checks
            .iter()
            .find(|c| c.id == CheckId::CertDefaultLooking)
            .unwrap();
        assert!(d.detail.contains("subject equals issuer"), "{}", d.detail);
        let d = e[2]
            .checks
            .iter()
            .find(|c| c.id == CheckId::CertDefaultLooking)
            .unwrap();
        assert!(
            d.detail.contains("single-label CN \"EXCH01\""),
            "{}",
            d.detail
        );
        assert_eq!(d.cap, None);
    }

    #[test]
    fn only_self_signed_certificates_are_not_default_looking_news() {
        let mut a = cert("a", "CN=mx.example.test", 90);
        a.self_issued = true;
        let mut ts = vec![domain(vec![ep("mx.example.test", "192.0.2.1", 25, a)])];
        apply(&mut ts);
        assert!(ts[0].endpoints[0].checks.is_empty());
    }

    #[test]
    fn a_target_that_was_not_graded_stays_so() {
        let mut t = domain(vec![
            ep("mx.example.test", "192.0.2.1", 25, cert("new", CA, 90)),
            ep("mx.example.test", "192.0.2.2", 25, cert("old", CA, 10)),
        ]);
        t.grade = None;
        let mut ts = vec![t];
        apply(&mut ts);
        assert_eq!(ts[0].grade, None);
        assert!(!ts[0].endpoints[1].checks.is_empty());
    }

    #[test]
    fn common_name_is_read_from_the_printed_subject() {
        assert_eq!(common_name("C=US, O=x, CN=EXCH01"), Some("EXCH01"));
        assert_eq!(common_name("O=x"), None);
    }

    #[test]
    fn intermediates_of_one_ca_are_one_issuer() {
        let mut a = cert("a", "C=US, O=Let's Encrypt, CN=R10", 90);
        a.sans = vec!["mx1.example.test".into()];
        let mut b = cert("b", "C=US, O=Let's Encrypt, CN=R11", 90);
        b.sans = vec!["mx2.example.test".into()];
        let mut ts = vec![domain(vec![
            ep("mx1.example.test", "192.0.2.1", 25, a),
            ep("mx2.example.test", "192.0.2.2", 25, b),
        ])];
        apply(&mut ts);
        assert!(ts[0].checks.is_empty(), "{:#?}", ts[0].checks);
        assert_eq!(issuer_organisation("CN=Lab CA"), "CN=Lab CA");
    }

    #[test]
    fn one_target_alone_gets_its_own_checks_for_streamed_output() {
        let mut t = domain(vec![
            ep("mx.example.test", "192.0.2.1", 25, cert("new", CA, 90)),
            ep("mx.example.test", "192.0.2.2", 25, cert("old", CA, 10)),
        ]);
        apply(std::slice::from_mut(&mut t));
        let all: Vec<_> = t.endpoints.iter().flat_map(|e| ids(&e.checks)).collect();
        assert!(all.contains(&CheckId::CertOlderCertificate), "{all:?}");
    }

    #[test]
    fn applying_twice_adds_nothing_the_second_time() {
        let mut ports_new = cert("new", CA, 90);
        ports_new.sans = vec!["mx1.example.test".into(), "mx2.example.test".into()];
        let mut old = ports_new.clone();
        old.sha256 = "old".into();
        old.not_after = cert("x", CA, 10).not_after;
        let mut ts = vec![
            domain(vec![
                ep("mx1.example.test", "192.0.2.1", 25, ports_new.clone()),
                ep("mx1.example.test", "192.0.2.2", 25, old.clone()),
                ep("mx2.example.test", "192.0.2.3", 25, old.clone()),
            ]),
            {
                let mut t =
                    TargetReport::new("smtps://mx1.example.test", crate::report::Kind::Endpoint);
                t.endpoints = vec![ep("mx1.example.test", "192.0.2.1", 465, old)];
                t
            },
        ];
        for t in ts.iter_mut() {
            apply(std::slice::from_mut(t));
        }
        apply(&mut ts);
        let once: Vec<Vec<CheckId>> = ts
            .iter()
            .map(|t| {
                let mut v = ids(&t.checks);
                v.extend(t.endpoints.iter().flat_map(|e| ids(&e.checks)));
                v
            })
            .collect();
        assert!(once[1].contains(&CheckId::CertInconsistentPort), "{once:?}");
        let before = ts.clone();
        apply(&mut ts);
        for (a, b) in before.iter().zip(&ts) {
            assert_eq!(a.checks, b.checks);
            for (x, y) in a.endpoints.iter().zip(&b.endpoints) {
                assert_eq!(x.checks, y.checks);
            }
        }
    }
}
