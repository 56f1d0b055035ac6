//! The certificates of one endpoint: a presented chain inspected into the report, the other
//! kinds a server holds (an RSA and an ECDSA one), the chain an old-version-only server shows in
//! clear text, and the revocation and stapling judgement of every distinct chain.

use super::*;

/// The key kinds to ask for beside the one the full handshake got: a server commonly holds an
/// RSA and an ECDSA certificate (one connection more); beside an Ed25519 or other key, both.
pub(super) fn other_kinds(c: &CertificateReport) -> Vec<CertKind> {
    match c.chain.first().map(|l| &l.key_type) {
        Some(KeyType::Rsa) => vec![CertKind::Ecdsa],
        Some(KeyType::Ec(_)) => vec![CertKind::Rsa],
        Some(_) => vec![CertKind::Ecdsa, CertKind::Rsa],
        None => Vec::new(),
    }
}

/// A chain another client preference gets, with its stapled OCSP response.
pub(super) struct OtherChain {
    kind: CertKind,
    chain: Vec<CertificateDer<'static>>,
    staple: Vec<u8>,
}

/// One handshake per kind in `kinds`, offering only its signatures: the chains whose leaf is of
/// that kind (a server that has none answers with an alert, or with its one certificate anyway).
pub(super) async fn other_certificates(
    cfg: &ScanConfig,
    prober: &Prober,
    name: &ServerName<'static>,
    kinds: &[CertKind],
) -> Vec<OtherChain> {
    let one = |kind: CertKind| async move {
        let (_, ready) = prober.open().await;
        let (stream, _permit) = ready.ok()?;
        let (_, h) = tls::handshake(stream, name.clone(), cfg.timeout, Offer::Only(kind), None)
            .await
            .ok()?;
        let leaf = inspect::cert_info(h.recorded.chain.first()?).ok()?;
        let of_kind = match kind {
            CertKind::Rsa => leaf.key_type == KeyType::Rsa,
            CertKind::Ecdsa => matches!(leaf.key_type, KeyType::Ec(_)),
        };
        of_kind.then_some(OtherChain {
            kind,
            chain: h.recorded.chain,
            staple: h.recorded.ocsp,
        })
    };
    futures::future::join_all(kinds.iter().map(|k| one(*k)))
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// Revocation and stapling of the certificate a default client gets, then every other distinct
/// chain the server holds, each with the certificate checks, its details naming it.
pub(super) async fn certificates_stage(
    cfg: &ScanConfig,
    name: &ServerName<'static>,
    revocation: Option<&Fetcher>,
    staple: Option<Vec<u8>>,
    others: Vec<OtherChain>,
    rep: &mut EndpointReport,
) {
    let now = cfg.now().as_secs() as i64;
    if rep.certificate.is_none() {
        return;
    }
    let main_chain = rep.chain_der.clone();
    let judged = revocation::judge(&main_chain, staple.as_deref(), revocation, now).await;
    rep.checks.extend(judged.checks);
    let Some(main) = rep.certificate.as_mut() else {
        return;
    };
    main.revocation = Some(judged.revocation);
    main.ocsp_staple = judged.staple;
    main.must_staple = judged.must_staple;
    let main_leaf = main.chain.first().map(|c| c.sha256.clone());
    let mut all = vec![CertificateReport {
        selected_by: vec![SelectedBy::Default],
        ..main.clone()
    }];
    for other in others {
        let Ok(leaf) = inspect::cert_info(&other.chain[0]) else {
            continue;
        };
        let (selected, who) = match other.kind {
            CertKind::Ecdsa => (SelectedBy::Ecdsa, "the ECDSA certificate: "),
            CertKind::Rsa => (SelectedBy::Rsa, "the RSA certificate: "),
        };
        if let Some(same) = all
            .iter_mut()
            .find(|c| c.chain.first().map(|l| &l.sha256) == Some(&leaf.sha256))
        {
            same.selected_by.push(selected);
            continue;
        }
        if main_leaf.as_deref() == Some(leaf.sha256.as_str()) {
            continue;
        }
        let Ok(mut i) = inspect::inspect(&other.chain, name, &cfg.trust, cfg.now(), cfg.warn_days)
        else {
            continue;
        };
        let der: Vec<Vec<u8>> = other.chain.iter().map(|c| c.to_vec()).collect();
        let judged = revocation::judge(&der, Some(&other.staple), revocation, now).await;
        i.checks.extend(judged.checks);
        for c in &mut i.checks {
            c.certificate = Some(selected);
            c.detail = format!("{who}{}", c.detail);
        }
        rep.checks.extend(i.checks);
        i.report.revocation = Some(judged.revocation);
        i.report.ocsp_staple = judged.staple;
        i.report.must_staple = judged.must_staple;
        i.report.selected_by = vec![selected];
        all.push(i.report);
        rep.other_chains_der.push(der);
    }
    rep.certificates = all;
}

/// When the full handshake failed but a version probe was accepted with its certificates in
/// clear text (TLS ≤ 1.2), the endpoint is graded from that ServerHello and those certificates:
/// the handshake failure is a finding, not the end. Returns whether it was.
pub(super) fn legacy_certificate(
    cfg: &ScanConfig,
    outcomes: &[VersionOutcome],
    name: &ServerName<'static>,
    graded: bool,
    rep: &mut EndpointReport,
) -> bool {
    let Some(best) = versions::legacy_evidence(outcomes) else {
        return false;
    };
    let chain: Vec<CertificateDer<'static>> = best
        .certificates
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    // The full handshake may have recorded the same chain before it failed.
    if rep.certificate.is_none() {
        add_certificate(cfg, &chain, name, rep);
    }
    if !graded {
        return false;
    }
    rep.negotiated = Some(Negotiated {
        version: best.probe.target_version(),
        cipher: best.cipher.unwrap_or(CipherSuite(0)),
        group: None,
    });
    rep.error = None;
    true
}

/// Inspects a presented chain into the report: its facts and the certificate checks.
pub(super) fn add_certificate(
    cfg: &ScanConfig,
    chain: &[CertificateDer<'static>],
    name: &ServerName<'static>,
    rep: &mut EndpointReport,
) {
    match inspect::inspect(chain, name, &cfg.trust, cfg.now(), cfg.warn_days) {
        Ok(i) => {
            rep.checks.extend(i.checks);
            rep.certificate = Some(i.report);
            rep.chain_der = chain.iter().map(|c| c.to_vec()).collect();
        }
        Err(e) => rep
            .checks
            .push(Check::new(CheckId::CertParse, Status::Fail, e)),
    }
}
