//! The `cert` command: read a certificate file (asking for its password when it needs one),
//! gather what binding it would meet (trust, revocation; per target its names, MTA-STS patterns
//! and TLSA records), judge it with [`crate::preflight`], and print the checks, the SHA-1
//! thumbprint and the TLSA records to publish. Exit status 0 (fine or warnings), 1 (a check
//! failed), 2 (usage, or the file cannot be read).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use hickory_proto::rr::RecordType;
use rustls_pki_types::CertificateDer;
use serde::Serialize;
use x509_parser::prelude::*;

use crate::certfile::{self, CertFile, CertFileError, Format, KeyMatch};
use crate::cli::CertArgs;
use crate::config::ScanConfig;
use crate::dns::Dns;
use crate::inspect::{self, TrustStore};
use crate::policy::dane_check;
use crate::policy::{fetch, mta_sts_check};
use crate::preflight::{self, ChainTrust, HostTlsa, TlsaRecord};
use crate::report::escape::for_terminal as esc;
use crate::report::{CertInfo, Check, RevocationReport, Status, Tool};
use crate::revocation::{self, fetch::Fetched, fetch::Fetcher};
use crate::target::{parse_target, Host, TargetKind};

/// The JSON `tlsgrade cert --json` writes (docs/report.md, "tlsgrade cert").
#[derive(Serialize)]
struct CertReport {
    schema_version: u32,
    tool: Tool,
    file: Vec<String>,
    certificate: FileReport,
    checks: Vec<Check>,
    targets: Vec<TargetReport>,
    tlsa_records: Vec<TlsaRecord>,
}

#[derive(Serialize)]
struct FileReport {
    format: &'static str,
    /// Leaf first, then each issuer, as the file's order was repaired; then any intermediate
    /// fetched from AIA.
    chain: Vec<CertInfo>,
    in_order: bool,
    /// `matches`, `does-not-match`, `absent`, `unverifiable`.
    key: &'static str,
    /// The leaf's SHA-1 thumbprint, as `Enable-ExchangeCertificate -Thumbprint` takes it.
    thumbprint: String,
    revocation: Option<RevocationReport>,
}

#[derive(Serialize)]
struct TargetReport {
    target: String,
    /// Every name the certificate must be valid for there.
    names: Vec<String>,
    tlsa: Vec<TlsaSet>,
    checks: Vec<Check>,
}

#[derive(Serialize)]
struct TlsaSet {
    /// `_25._tcp.mx.example.com`
    name: String,
    /// As published, `usage selector matching data`.
    records: Vec<String>,
    ttl: Option<u32>,
}

pub async fn run(args: &CertArgs) -> ExitCode {
    match cert(args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tlsgrade cert: {}", esc(&e));
            ExitCode::from(2)
        }
    }
}

async fn cert(args: &CertArgs) -> Result<ExitCode, String> {
    let mut cfg = args.config()?;
    let targets = args
        .targets
        .iter()
        .map(|t| parse_target(t).map_err(|e| format!("--for {t:?}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let file = read_files(&args.files, args.password_env.as_deref())?;
    let dns = Dns::new(cfg.resolver, cfg.timeout)?;
    if !args.trust_anchor.is_empty() {
        let anchors = crate::dns::load_trust_anchors(&args.trust_anchor, &dns).await?;
        cfg.trust_anchors = Some(Arc::new(anchors));
    }
    let dnssec = Dns::validating(
        cfg.resolver,
        cfg.timeout,
        cfg.trust_anchors.clone().unwrap_or_default(),
    )?;
    let fetcher = Fetcher::new(&cfg, dns.clone());
    let now = cfg.now();
    let now_secs = now.as_secs() as i64;

    let (trust, chain) = chain_trust(&file.chain, &cfg, &fetcher).await;
    let der: Vec<Vec<u8>> = chain.iter().map(|c| c.to_vec()).collect();
    let revocation = if cfg.revocation {
        Some(
            revocation::judge(&der, None, Some(&fetcher), now_secs)
                .await
                .revocation,
        )
    } else {
        None
    };
    let checks =
        preflight::file_checks(&file, &trust, revocation.as_ref(), now_secs, cfg.warn_days);

    let mut target_reports = Vec::new();
    for t in &targets {
        target_reports.push(judge_target(t, &chain, &cfg, &dns, &dnssec, now).await);
    }
    let report = CertReport {
        schema_version: crate::report::SCHEMA_VERSION,
        tool: Tool::default(),
        file: args.files.iter().map(|p| p.display().to_string()).collect(),
        certificate: FileReport {
            format: match file.format {
                Format::Pem => "pem",
                Format::Pkcs12 => "pkcs12",
                Format::Der => "der",
            },
            chain: chain
                .iter()
                .filter_map(|c| inspect::cert_info(c).ok())
                .collect(),
            in_order: file.in_order,
            key: match file.key {
                KeyMatch::Matches => "matches",
                KeyMatch::DoesNotMatch => "does-not-match",
                KeyMatch::Absent => "absent",
                KeyMatch::Unverifiable { .. } => "unverifiable",
            },
            thumbprint: inspect::cert_info(&chain[0])
                .map(|i| i.sha1)
                .unwrap_or_default(),
            revocation,
        },
        checks,
        targets: target_reports,
        tlsa_records: preflight::tlsa_records(&chain),
    };
    let failed = report.checks.iter().any(|c| c.status == Status::Fail)
        || report
            .targets
            .iter()
            .any(|t| t.checks.iter().any(|c| c.status == Status::Fail));
    match args.json.as_deref() {
        Some(p) => {
            let mut s = serde_json::to_string_pretty(&report)
                .map_err(|e| format!("could not serialise the report: {e}"))?;
            s.push('\n');
            if p.as_os_str() == "-" {
                let _ = std::io::stdout().write_all(s.as_bytes());
            } else {
                std::fs::write(p, s).map_err(|e| format!("--json {}: {e}", p.display()))?;
                print!("{}", render(&report));
            }
        }
        None => print!("{}", render(&report)),
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads the file(s): one PFX alone, or PEM/DER files taken together as one bundle. A PFX that
/// needs a password gets `--password-env`, else a prompt on a terminal.
fn read_files(files: &[PathBuf], password_env: Option<&str>) -> Result<CertFile, String> {
    let password =
        match password_env {
            Some(var) => Some(std::env::var(var).map_err(|_| {
                format!("--password-env {var}: the environment variable is not set")
            })?),
            None => None,
        };
    let named = |p: &Path, e: CertFileError| format!("{}: {e}", p.display());
    let mut bundle = Vec::new();
    for p in files {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.len() > certfile::MAX_FILE_BYTES {
            return Err(named(
                p,
                CertFileError::TooLarge {
                    size: meta.len(),
                    limit: certfile::MAX_FILE_BYTES,
                },
            ));
        }
        let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if certfile::looks_like_pkcs12(&bytes) {
            if files.len() > 1 {
                return Err(format!(
                    "{}: a PFX is read alone (it carries its own chain and key); give it as the only FILE",
                    p.display()
                ));
            }
            return read_pfx(p, &bytes, password);
        }
        // A DER certificate joins a PEM bundle as PEM.
        match certfile::read(&bytes, None) {
            Ok(f) if f.format == Format::Der => {
                bundle.extend_from_slice(pem("CERTIFICATE", &bytes).as_bytes());
            }
            _ => {
                bundle.extend_from_slice(&bytes);
                bundle.push(b'\n');
            }
        }
    }
    let first = files
        .first()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("-"));
    match certfile::read(&bundle, password.as_deref()) {
        Err(CertFileError::PasswordNeeded { .. }) if password.is_none() => {
            let pw = prompt_password(first)?;
            certfile::read(&bundle, Some(&pw)).map_err(|e| named(first, e))
        }
        other => other.map_err(|e| named(first, e)),
    }
}

fn read_pfx(p: &Path, bytes: &[u8], password: Option<String>) -> Result<CertFile, String> {
    let named = |e: CertFileError| format!("{}: {e}", p.display());
    match certfile::read(bytes, password.as_deref()) {
        Err(CertFileError::PasswordNeeded { .. }) if password.is_none() => {
            let pw = prompt_password(p)?;
            certfile::read(bytes, Some(&pw)).map_err(named)
        }
        other => other.map_err(named),
    }
}

/// Asks for the password on the terminal, without echo. Without a terminal (a script, CI) it
/// says how to pass one instead of waiting.
fn prompt_password(p: &Path) -> Result<String, String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{}: the file needs a password: set it in an environment variable and pass --password-env VAR",
            p.display()
        ));
    }
    eprint!("Password for {}: ", esc(&p.display().to_string()));
    let _ = std::io::stderr().flush();
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
    };
    let _ = stty("-echo");
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    let _ = stty("echo");
    eprintln!();
    read.map_err(|e| format!("reading the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn pem(label: &str, der: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| n << 8 | b as u32) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// How the chain reaches a trusted root: with the file's certificates, else with the issuers
/// the AIA caIssuers URLs give (at most three fetched). Returns the chain used.
async fn chain_trust(
    chain: &[CertificateDer<'static>],
    cfg: &ScanConfig,
    fetcher: &Fetcher,
) -> (ChainTrust, Vec<CertificateDer<'static>>) {
    let now = cfg.now();
    let web = TrustStore::new(&[]).ok();
    let public = |c: &[CertificateDer<'_>]| {
        web.as_ref()
            .is_some_and(|w| inspect::verify_chain(c, w, now).is_ok())
    };
    let first = inspect::verify_chain(chain, &cfg.trust, now);
    if first.is_ok() {
        return (
            ChainTrust::InFile {
                public: public(chain),
            },
            chain.to_vec(),
        );
    }
    let mut grown = chain.to_vec();
    let mut urls = Vec::new();
    for _ in 0..3 {
        let Some(url) = grown.last().and_then(|c| ca_issuers(c)) else {
            break;
        };
        let Fetched::Body(body) = fetcher.get(&url).await else {
            break;
        };
        let Some(issuer) = certificate_from(&body) else {
            break;
        };
        urls.push(url);
        grown.push(issuer);
        if inspect::verify_chain(&grown, &cfg.trust, now).is_ok() {
            let public = public(&grown);
            return (ChainTrust::WithAia { public, urls }, grown);
        }
    }
    let why = match first {
        Err(webpki::Error::UnknownIssuer) => {
            "unknown issuer: the file does not hold the intermediate, and none could be fetched"
                .to_string()
        }
        Err(webpki::Error::CertExpired { .. }) => {
            "a certificate of the chain is expired at the time judged".to_string()
        }
        Err(e) => format!("{e:?}"),
        Ok(()) => String::new(),
    };
    (ChainTrust::Untrusted(why), chain.to_vec())
}

/// The certificate's AIA caIssuers http(s) URL, when it names one and is not self-issued.
fn ca_issuers(der: &[u8]) -> Option<String> {
    let (_, c) = X509Certificate::from_der(der).ok()?;
    if c.subject().as_raw() == c.issuer().as_raw() {
        return None;
    }
    c.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => {
                aia.accessdescs
                    .iter()
                    .find_map(|d| match (&d.access_method, &d.access_location) {
                        (m, GeneralName::URI(u))
                            if *m
                                == x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS
                                && revocation::fetch::split_url(u).is_some() =>
                        {
                            Some(u.to_string())
                        }
                        _ => None,
                    })
            }
            _ => None,
        })
}

/// A certificate served at a caIssuers URL: DER, or PEM.
fn certificate_from(body: &[u8]) -> Option<CertificateDer<'static>> {
    if X509Certificate::from_der(body).is_ok() {
        return Some(CertificateDer::from(body.to_vec()));
    }
    let mut rd = body;
    let first = rustls_pemfile::certs(&mut rd).next();
    first?.ok()
}

/// A target's names and TLSA records, and its checks.
async fn judge_target(
    t: &crate::target::Target,
    chain: &[CertificateDer<'static>],
    cfg: &ScanConfig,
    dns: &Dns,
    dnssec: &Dns,
    now: rustls_pki_types::UnixTime,
) -> TargetReport {
    let mut names = Vec::new();
    let mut hosts: Vec<(String, u16)> = Vec::new();
    let mut checks = Vec::new();
    match &t.kind {
        TargetKind::MailDomain(domain) => {
            let (_, mx) = dane_check::mx_hosts(dnssec, dns, domain).await;
            // No MX: the domain itself is the implicit MX (RFC 5321 §5.1).
            let mx = if mx.is_empty() {
                vec![domain.clone()]
            } else {
                mx
            };
            names.extend(mx.iter().cloned());
            hosts.extend(mx.iter().map(|h| (h.clone(), 25)));
            let gathered = fetch::gather(domain, cfg, dns).await;
            let verdict = mta_sts_check::evaluate(domain, &gathered, &mx, &[]);
            if let Some(p) = verdict.mta_sts.policy {
                names.extend(p.mx.into_iter().filter(|m| !m.starts_with("*.")));
            }
        }
        TargetKind::Endpoint { host, port, .. } => {
            if let Host::Name(n) = host {
                names.push(n.clone());
                hosts.push((n.clone(), *port));
            }
        }
    }
    names.sort();
    names.dedup();
    if !names.is_empty() {
        checks.push(preflight::names_check(&chain[0], &names));
    }
    let mut sets = Vec::new();
    let mut facts = Vec::new();
    for (host, port) in &hosts {
        let owner = format!("_{port}._tcp.{host}");
        let f = dane_check::gather_host(dnssec, host, *port).await;
        let tlsa = match f.tlsa {
            // Not even the address could be validated (a failed look-up, a resolver that strips
            // DNSSEC): whether DANE applies is unknown, which is not "it does not".
            None if f.address == hickory_proto::dnssec::Proof::Indeterminate => HostTlsa::Failed(
                format!("the address of {host} could not be DNSSEC-validated, so TLSA was not looked up"),
            ),
            None => HostTlsa::None,
            Some(Err(e)) => HostTlsa::Failed(e.to_error_info(&owner).message),
            Some(Ok((records, proof))) => {
                if records.is_empty() || proof != hickory_proto::dnssec::Proof::Secure {
                    HostTlsa::None
                } else {
                    let ttl = dnssec
                        .lookup_proof(&owner, RecordType::TLSA)
                        .await
                        .ok()
                        .and_then(|(recs, _)| recs.iter().map(|r| r.ttl()).min())
                        .unwrap_or(0);
                    sets.push(TlsaSet {
                        name: owner.clone(),
                        records: records
                            .iter()
                            .map(|r| {
                                format!(
                                    "{} {} {} {}",
                                    r.usage,
                                    r.selector,
                                    r.matching,
                                    r.report().data
                                )
                            })
                            .collect(),
                        ttl: Some(ttl),
                    });
                    HostTlsa::Records(records, ttl)
                }
            }
        };
        facts.push((host.clone(), owner, tlsa));
    }
    checks.extend(preflight::tlsa_check(chain, &facts, now));
    TargetReport {
        target: t.input.clone(),
        names,
        tlsa: sets,
        checks,
    }
}

/// The text output: the certificate, the checks, per target its checks, the records to publish.
fn render(r: &CertReport) -> String {
    let mut out = String::new();
    let c = &r.certificate;
    if let Some(leaf) = c.chain.first() {
        out.push_str(&format!(
            "certificate  {}\n  issuer      {}\n  names       {}\n  valid       {} → {}\n  key         {}{}\n  file        {}, chain of {}{}, private key {}\n",
            esc(&leaf.subject),
            esc(&leaf.issuer),
            esc(&leaf.sans.join(", ")),
            leaf.not_before,
            leaf.not_after,
            leaf.key_type.name(),
            match (&leaf.key_type, leaf.key_bits) {
                (crate::wire::keys::KeyType::Rsa, Some(b)) => format!(" {b}"),
                _ => String::new(),
            },
            c.format,
            c.chain.len(),
            if c.in_order { "" } else { " (re-ordered)" },
            c.key,
        ));
        out.push_str(&format!(
            "  SHA-1       {}   (Enable-ExchangeCertificate -Thumbprint {} -Services SMTP)\n",
            c.thumbprint, c.thumbprint
        ));
    }
    out.push('\n');
    for check in &r.checks {
        out.push_str(&line(check));
    }
    for t in &r.targets {
        out.push_str(&format!("\nfor {}\n", esc(&t.target)));
        for check in &t.checks {
            out.push_str(&line(check));
        }
    }
    if !r.tlsa_records.is_empty() {
        out.push_str("\nTLSA records for this certificate (publish them before binding, then wait out the TTL):\n");
        for rec in &r.tlsa_records {
            out.push_str(&format!("  {}\n", rec.presentation()));
        }
    }
    out
}

fn line(c: &Check) -> String {
    format!(
        "  {:<5} {:<22} {}\n",
        c.status.as_str(),
        c.id.as_str(),
        esc(&c.detail)
    )
}
