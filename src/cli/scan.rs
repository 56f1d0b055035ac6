//! The options of `tlsgrade [scan]`: the targets and outputs of one run ([`ScanArgs`]) and the
//! options that decide how endpoints are probed and judged ([`ScanOptions`], shared with
//! `tlsgrade exporter`), validated into a [`Plan`].

use std::path::PathBuf;

use clap::Args;

use super::{parse_at_option, parse_connect_to, parse_grade, parse_resolver, parse_timeout};
use crate::config::ScanConfig;
use crate::inspect::TrustStore;
use crate::report::Grade;
use crate::target::{self, InvalidTarget, Target};

/// The options and targets of a scan.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Mail domains, host:port or URL-like targets (see TARGETS below).
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Read targets from FILE, one per line ('#' comments, blank lines ignored; '-' = stdin).
    #[arg(short = 'f', long = "targets", value_name = "FILE")]
    pub targets_file: Option<PathBuf>,

    /// How each endpoint is probed and judged (also `tlsgrade exporter`'s options).
    #[command(flatten)]
    pub options: ScanOptions,

    /// Write the JSON report to FILE ('-' = standard output, and then no table is printed).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Stream results to FILE as NDJSON: one JSON object per finished target (the same object as
    /// in --json's "targets"), written and flushed as each finishes. Nothing is kept in memory, so
    /// this is the output for large batches ('-' = standard output, and then no table).
    #[arg(long, value_name = "FILE")]
    pub ndjson: Option<PathBuf>,

    /// Write the report as one self-contained HTML page to FILE: a summary, a sortable table of
    /// the targets and a card per target (docs/report.md, "HTML"). Opens offline in any browser.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Write one CSV row per endpoint to FILE (RFC 4180; '-' = standard output, and then no
    /// table): grade, versions, certificate, MTA-STS and DANE state, main reasons.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// With --ndjson: skip the targets already in FILE and append the rest, so an interrupted
    /// batch completes with exactly one line per target.
    #[arg(long, requires = "ndjson")]
    pub resume: bool,
    /// Scan only shard I of N (0 <= I < N): a split by a hash of each target, the same on every
    /// machine, so N machines given the same list scan disjoint parts that cover it.
    #[arg(long, value_name = "I/N", value_parser = crate::batch::Shard::parse)]
    pub shard: Option<crate::batch::Shard>,
    /// Exit with status 1 when any graded target is below GRADE (A+, A, B, C, D, F).
    #[arg(long = "fail-under", value_name = "GRADE", value_parser = parse_grade)]
    pub fail_under: Option<Grade>,
    /// Exit with status 1 when any certificate seen (the leaf of any endpoint) expires within N
    /// days, or has expired. Combines with --fail-under: either one sets status 1.
    #[arg(long = "fail-expiring", value_name = "N")]
    pub fail_expiring: Option<u32>,
    /// No colours in the table (also when the NO_COLOR environment variable is set).
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Per-endpoint detail in the table: every check, the certificate chain and the dialogue.
    #[arg(short, long)]
    pub verbose: bool,
    /// No progress bar and no closing summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Start a lab of mail domains on loopback (DNS and SMTP servers inside this process) and
    /// scan it: every verdict, no network needed.
    #[arg(long)]
    pub demo: bool,
}

/// How endpoints are probed and judged: where names resolve and connections go, what is trusted,
/// which probes run, how gently.
#[derive(Args, Debug)]
pub struct ScanOptions {
    /// DNS server to use instead of the system configuration, IP[:PORT] (default port 53).
    #[arg(long, value_name = "IP[:PORT]")]
    pub resolver: Option<String>,
    /// Connect to HOST2:PORT2 whenever HOST1:PORT1 is wanted (curl's semantics; empty fields
    /// match any / keep the original; SNI and name checks keep the original name). Repeatable.
    #[arg(long = "connect-to", value_name = "HOST1:PORT1:HOST2:PORT2")]
    pub connect_to: Vec<String>,
    /// DNSSEC trust anchors for DANE instead of the IANA root keys: a file of DNSKEY or DS
    /// records in presentation format (private zones, test labs). Repeatable.
    #[arg(long = "trust-anchor", value_name = "FILE")]
    pub trust_anchor: Vec<PathBuf>,
    /// Extra trust anchors (PEM), on top of the built-in web PKI roots. Repeatable.
    #[arg(long = "ca-file", value_name = "PEM")]
    pub ca_file: Vec<PathBuf>,
    /// Seconds allowed for each connection step (connect, each command, the TLS handshake),
    /// from 0.01 to 3600. The SMTP/IMAP/POP3 greeting may take twice as long (tarpits delay
    /// banners on purpose).
    #[arg(long, value_name = "SECS", default_value_t = 15.0)]
    pub timeout: f64,
    /// Name sent in EHLO (default: this machine's FQDN, or tlsgrade.invalid; never localhost).
    #[arg(long, value_name = "NAME")]
    pub ehlo: Option<String>,
    /// Use IPv4 addresses only.
    #[arg(short = '4', conflicts_with = "ipv6_only")]
    pub ipv4_only: bool,
    /// Use IPv6 addresses only.
    #[arg(short = '6')]
    pub ipv6_only: bool,
    /// Accept MX hosts on loopback or private addresses (internal relays, test labs) instead of
    /// failing them as unroutable.
    #[arg(long = "allow-private")]
    pub allow_private: bool,
    /// Warn when a certificate expires within N days.
    #[arg(long = "warn-days", value_name = "N", default_value_t = 30)]
    pub warn_days: u32,
    /// Judge certificates as of another time: +Nd (N days from now), a date (2027-03-15) or an
    /// RFC 3339 time. Expiry, --warn-days, OCSP freshness and DANE matching all use it:
    /// `--at +30d` answers "will this still pass next month?".
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Do not fetch CRLs or OCSP answers (a stapled OCSP response is still checked): for
    /// offline or very large runs. Each CRL or OCSP URL is otherwise fetched once per run.
    #[arg(long = "no-revocation")]
    pub no_revocation: bool,
    /// Connections to one IP address at a time. An endpoint needs 5 to 7 for its versions and
    /// certificates (the handshake, which is also TLS 1.3's probe, a TLS 1.2 probe, one hello for
    /// SSL 3.0 to TLS 1.1, a fallback probe, a handshake asking for the other kind of
    /// certificate) and 13 or more with the default cipher and flaw probes (docs/grading.md).
    /// Mail servers rate-limit aggressive clients.
    #[arg(long = "per-ip", value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub per_ip: u32,
    /// Enumerate every cipher suite each accepted version takes, and the server's order (one
    /// connection per accepted suite and version). Without it, one probe per weak class tells
    /// which weak suites are accepted.
    #[arg(long, conflicts_with = "versions_only")]
    pub ciphers: bool,
    /// Probe protocol versions and the certificates only: no weak-class, key-exchange, flaw or
    /// STARTTLS-injection probes (5 to 7 connections per endpoint instead of 13 or more). For very
    /// large batches where the version matrix is what matters.
    #[arg(long = "versions-only")]
    pub versions_only: bool,
    /// Endpoints (and targets) scanned at the same time.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: u32,
}

impl ScanOptions {
    /// The scan configuration these options give. `Err` is a usage error (exit status 2).
    pub fn config(&self) -> Result<ScanConfig, String> {
        let resolver = self.resolver.as_deref().map(parse_resolver).transpose()?;
        let connect_to = parse_connect_to(&self.connect_to)?;
        let timeout = parse_timeout(self.timeout)?;
        let ehlo_name = match &self.ehlo {
            Some(n) => {
                let ok =
                    target::parse_dns_name(n).is_ok() || (n.starts_with('[') && n.ends_with(']'));
                if !ok || n.eq_ignore_ascii_case("localhost") {
                    return Err(format!("--ehlo {n:?}: expected a fully qualified host name or an address literal like [192.0.2.1]"));
                }
                n.clone()
            }
            None => crate::config::default_ehlo_name(),
        };
        let trust = TrustStore::from_pem_files(&self.ca_file)?;
        let at = parse_at_option(self.at.as_deref())?;
        Ok(ScanConfig {
            resolver,
            connect_to,
            trust,
            timeout,
            greeting_timeout: timeout * 2,
            ehlo_name,
            ipv4: !self.ipv6_only,
            ipv6: !self.ipv4_only,
            allow_private: self.allow_private,
            concurrency: self.concurrency as usize,
            per_ip: self.per_ip as usize,
            trust_anchors: None,
            warn_days: self.warn_days as i64,
            full_ciphers: self.ciphers,
            cipher_probes: !self.versions_only,
            revocation: !self.no_revocation,
            at,
        })
    }
}

/// Everything needed to run, after validation.
pub struct Plan {
    pub config: ScanConfig,
    pub targets: Vec<Target>,
    /// The targets file, read lazily while scanning.
    pub file: Option<crate::batch::TargetFile>,
    pub invalid: Vec<InvalidTarget>,
}

impl ScanArgs {
    /// Validates options and reads the targets. `Err` is a usage error (exit status 2).
    pub fn plan(&self) -> Result<Plan, String> {
        let config = self.options.config()?;
        let mut targets = Vec::new();
        let mut invalid = Vec::new();
        for t in &self.targets {
            match target::parse_target(t) {
                Ok(t) => targets.push(t),
                Err(reason) => invalid.push(InvalidTarget {
                    input: t.chars().take(80).collect(),
                    line: None,
                    reason,
                }),
            }
        }
        let file = match &self.targets_file {
            Some(p) if p.as_os_str() == "-" => Some(crate::batch::TargetFile::Stdin),
            Some(p) => {
                std::fs::metadata(p).map_err(|e| format!("--targets {}: {e}", p.display()))?;
                Some(crate::batch::TargetFile::Path(p.clone()))
            }
            None => None,
        };
        if file.is_none() && self.targets.is_empty() && !self.demo {
            return Err(
                "no target given: name at least one TARGET or use --targets FILE (see --help)"
                    .into(),
            );
        }

        Ok(Plan {
            config,
            targets,
            file,
            invalid,
        })
    }
}
