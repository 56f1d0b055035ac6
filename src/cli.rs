//! Command line: the clap definitions of `tlsgrade [scan] …` and `tlsgrade diff …`, and the
//! scan options validated into a [`ScanConfig`] and target list ([`ScanArgs::plan`]). Option
//! names are a contract (README, docs): keep them.
//!
//! `scan` is the default command: its options are also the top level's, so `tlsgrade
//! example.com` is `tlsgrade scan example.com`. A word is taken as a command only as the first
//! argument (clap's `args_conflicts_with_subcommands`: once an option or a target is seen, no
//! command follows), so a target literally named `diff` or `scan` is `tlsgrade scan diff` or
//! `tlsgrade -v diff`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::config::ScanConfig;
use crate::inspect::TrustStore;
use crate::net::ConnectTo;
use crate::report::Grade;
use crate::target::{self, InvalidTarget, Target};

const AFTER_HELP: &str = "\
TARGETS:
  example.com              mail domain: MX -> every A/AAAA of every MX host -> SMTP STARTTLS on 25
  mx.example.com:587       host:port: 25/587 SMTP STARTTLS, 143 IMAP STARTTLS, 110 POP3 STLS,
                           465/993/995/443 and any other port direct TLS
  smtp://host[:port]       SMTP STARTTLS (25)      submission://host  SMTP STARTTLS (587)
  smtps://host             direct TLS (465)        https://host       direct TLS (443)
  imap://host              IMAP STARTTLS (143)     imaps://host       direct TLS (993)
  pop3://host              POP3 STLS (110)         pop3s://host       direct TLS (995)
  tls://host:port          direct TLS on any port
  192.0.2.1:25, [2001:db8::1]:465   IP literals (IPv6 in brackets; a bare IP means its port 25)

EXIT STATUS:
  0  the scan ran (whatever the grades)
  1  --fail-under was given and a graded target is below it, or --fail-expiring was given and
     a certificate seen expires within that many days (or has expired)
  2  bad usage, or no target could be read
  130  interrupted (SIGINT/SIGTERM): finished targets are written; --resume continues

COMMANDS:
  scan is the default: tlsgrade example.com is tlsgrade scan example.com. A command is
  recognised only as the first argument; a target literally named 'diff', 'cert' or 'scan' is
  tlsgrade scan diff (or tlsgrade -v diff). tlsgrade diff --help tells about diff, tlsgrade
  cert --help about checking a certificate file before binding it.

EXAMPLES:
  tlsgrade --demo                       (a lab on loopback: no network needed)
  tlsgrade example.com
  tlsgrade --json report.json -f domains.txt
  tlsgrade --connect-to mx.example.com:25:127.0.0.1:2525 example.com
  tlsgrade --fail-under B smtp://mail.example.com
  tlsgrade --fail-expiring 14 -f mailservers.txt   (a cron job: exit 1 two weeks before expiry)
  tlsgrade --json after.json example.com && tlsgrade diff before.json after.json";

/// TLS scanner and grader for mail domains and TLS services.
#[derive(Parser, Debug)]
#[command(
    name = "tlsgrade",
    version,
    about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The options of `scan`, the default command.
    #[command(flatten)]
    pub scan: ScanArgs,
}

// One value per process, parsed once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan and grade targets (the default: `tlsgrade example.com` is `tlsgrade scan
    /// example.com`).
    #[command(after_help = AFTER_HELP)]
    Scan(ScanArgs),
    /// What changed between two reports (certificates, grades, protocols, policies).
    #[command(after_help = DIFF_AFTER_HELP)]
    Diff(DiffArgs),
    /// Check a certificate file before binding it: names, chain, key, lifetime, expiry,
    /// revocation and the TLSA records of the servers it is for.
    #[command(after_help = CERT_AFTER_HELP)]
    Cert(CertArgs),
}

const CERT_AFTER_HELP: &str = "\
FILES:
  A PKCS#12/PFX as Windows and Exchange export it (legacy 3DES/RC2 or AES), or PEM (certificate,
  chain and private key in any order, in one file or several), or one DER certificate.

EXIT STATUS:
  0  every check passed or only warned
  1  a check failed: binding this certificate there would break something (see the checks)
  2  bad usage, or the file cannot be read (wrong password, not a certificate, truncated)

EXAMPLES (the renewal workflow):
  tlsgrade cert new.pfx --for example.com          (before: will it work for the domain's MX?)
  ... Enable-ExchangeCertificate -Thumbprint <the SHA-1 printed> -Services SMTP,IIS ...
  tlsgrade --json after.json example.com           (after: what the servers present now)
  tlsgrade diff before.json after.json
  tlsgrade cert new.pem key.pem chain.pem --for smtp://mx.example.com --at +30d";

/// `tlsgrade cert FILE… --for TARGET…`.
#[derive(Args, Debug)]
pub struct CertArgs {
    /// The certificate file(s): several PEM/DER files are read as one bundle; a PFX alone.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Where the certificate will be bound: a mail domain (its MX hosts, their TLSA records and
    /// the domain's MTA-STS policy), a host:port or a URL-like target (that name). Repeatable;
    /// without it only the file itself is checked.
    #[arg(long = "for", value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Read the PFX password from environment variable VAR. Otherwise it is asked for on a
    /// terminal when the file needs one.
    #[arg(long = "password-env", value_name = "VAR")]
    pub password_env: Option<String>,

    /// DNS server to use instead of the system configuration, IP[:PORT] (default port 53).
    #[arg(long, value_name = "IP[:PORT]")]
    pub resolver: Option<String>,

    /// Connect to HOST2:PORT2 whenever HOST1:PORT1 is wanted (for the MTA-STS policy host and
    /// CRL/OCSP/AIA fetches). Repeatable.
    #[arg(long = "connect-to", value_name = "HOST1:PORT1:HOST2:PORT2")]
    pub connect_to: Vec<String>,

    /// DNSSEC trust anchors for the TLSA look-ups instead of the IANA root keys (DNSKEY or DS
    /// records in presentation format). Repeatable.
    #[arg(long = "trust-anchor", value_name = "FILE")]
    pub trust_anchor: Vec<PathBuf>,

    /// Extra trust anchors (PEM), on top of the built-in web PKI roots. Repeatable.
    #[arg(long = "ca-file", value_name = "PEM")]
    pub ca_file: Vec<PathBuf>,

    /// Seconds allowed for each network step (DNS, each fetch), from 0.01 to 3600.
    #[arg(long, value_name = "SECS", default_value_t = 15.0)]
    pub timeout: f64,

    /// Judge as of another time: +Nd, a date (2027-03-15) or an RFC 3339 time, e.g. the day
    /// you plan to bind it, or `+30d` for "will it still pass next month?".
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub at: Option<String>,

    /// Do not fetch the CRL or ask the OCSP responder.
    #[arg(long = "no-revocation")]
    pub no_revocation: bool,

    /// Warn when the certificate expires within N days.
    #[arg(long = "warn-days", value_name = "N", default_value_t = 30)]
    pub warn_days: u32,

    /// Print the result as JSON (docs/report.md, "tlsgrade cert") to FILE ('-' = standard
    /// output, and then no text).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

impl CertArgs {
    /// The scan configuration its look-ups and fetches use. `Err` is a usage error.
    pub fn config(&self) -> Result<ScanConfig, String> {
        let mut c = ScanConfig::new(TrustStore::from_pem_files(&self.ca_file)?);
        c.resolver = self.resolver.as_deref().map(parse_resolver).transpose()?;
        c.connect_to = self
            .connect_to
            .iter()
            .map(|s| ConnectTo::parse(s).map_err(|e| format!("--connect-to {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        c.timeout = parse_timeout(self.timeout)?;
        c.warn_days = self.warn_days as i64;
        c.revocation = !self.no_revocation;
        c.at = parse_at_option(self.at.as_deref())?;
        Ok(c)
    }
}

/// `--timeout` in seconds, validated.
fn parse_timeout(secs: f64) -> Result<Duration, String> {
    // Under 10 ms no network step can finish, and the timer's 1 ms tick would make the result
    // depend on luck.
    if !(secs.is_finite() && (0.01..=3600.0).contains(&secs)) {
        return Err(format!(
            "--timeout {secs}: expected seconds from 0.01 to 3600"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `--at`, validated.
fn parse_at_option(at: Option<&str>) -> Result<Option<rustls_pki_types::UnixTime>, String> {
    at.map(|s| crate::config::parse_at(s, rustls_pki_types::UnixTime::now().as_secs() as i64))
        .transpose()
        .map(|t| t.map(crate::config::unix_time))
}

impl Cli {
    /// The command to run: the one named, else a scan with the top-level options.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Scan(self.scan))
    }
}

const DIFF_AFTER_HELP: &str = "\
Inputs are tlsgrade JSON reports (--json) or NDJSON (--ndjson, one target per line), detected by
content; '-' reads one of them from standard input.

EXIT STATUS:
  0  the comparison ran (whether or not anything changed)
  2  bad usage, or an input could not be read or is not a tlsgrade report

EXAMPLE (the before/after check of a renewal):
  tlsgrade --json before.json example.com
  ... renew and install the certificate ...
  tlsgrade --json after.json example.com
  tlsgrade diff before.json after.json";

/// `tlsgrade diff OLD NEW`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The earlier report (JSON or NDJSON).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later report (JSON or NDJSON).
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Print the differences as JSON (docs/report.md) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The options and targets of a scan.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Mail domains, host:port or URL-like targets (see TARGETS below).
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Read targets from FILE, one per line ('#' comments, blank lines ignored; '-' = stdin).
    #[arg(short = 'f', long = "targets", value_name = "FILE")]
    pub targets_file: Option<PathBuf>,

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

    /// Write the JSON report to FILE ('-' = standard output, and then no table is printed).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Exit with status 1 when any graded target is below GRADE (A+, A, B, C, D, F).
    #[arg(long = "fail-under", value_name = "GRADE", value_parser = parse_grade)]
    pub fail_under: Option<Grade>,

    /// No colours in the table (also when the NO_COLOR environment variable is set).
    #[arg(long = "no-color")]
    pub no_color: bool,

    /// Per-endpoint detail in the table: every check, the certificate chain and the dialogue.
    #[arg(short, long)]
    pub verbose: bool,

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

    /// Exit with status 1 when any certificate seen (the leaf of any endpoint) expires within N
    /// days, or has expired. Combines with --fail-under: either one sets status 1.
    #[arg(long = "fail-expiring", value_name = "N")]
    pub fail_expiring: Option<u32>,

    /// Connections to one IP address at a time. An endpoint needs 8 for its versions and
    /// certificates (the handshake, five version probes, a fallback probe, a handshake asking
    /// for the other kind of certificate) and 23 or more with the default cipher and flaw probes
    /// (docs/grading.md). Mail servers rate-limit aggressive clients.
    #[arg(long = "per-ip", value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub per_ip: u32,

    /// Enumerate every cipher suite each accepted version takes, and the server's order (one
    /// connection per accepted suite and version). Without it, one probe per weak class tells
    /// which weak suites are accepted.
    #[arg(long, conflicts_with = "versions_only")]
    pub ciphers: bool,

    /// Probe protocol versions and the certificates only: no weak-class, key-exchange, flaw or
    /// STARTTLS-injection probes (8 connections per endpoint, 9 without TLS 1.3, instead of 23 or
    /// more). For very large batches where the version matrix is what matters.
    #[arg(long = "versions-only")]
    pub versions_only: bool,

    /// Start a lab of mail domains on loopback (DNS and SMTP servers inside this process) and
    /// scan it: every verdict, no network needed.
    #[arg(long)]
    pub demo: bool,

    /// Endpoints (and targets) scanned at the same time.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: u32,

    /// Stream results to FILE as NDJSON: one JSON object per finished target (the same object as
    /// in --json's "targets"), written and flushed as each finishes. Nothing is kept in memory, so
    /// this is the output for large batches ('-' = standard output, and then no table).
    #[arg(long, value_name = "FILE")]
    pub ndjson: Option<PathBuf>,

    /// With --ndjson: skip the targets already in FILE and append the rest, so an interrupted
    /// batch completes with exactly one line per target.
    #[arg(long, requires = "ndjson")]
    pub resume: bool,

    /// Scan only shard I of N (0 <= I < N): a split by a hash of each target, the same on every
    /// machine, so N machines given the same list scan disjoint parts that cover it.
    #[arg(long, value_name = "I/N", value_parser = crate::batch::Shard::parse)]
    pub shard: Option<crate::batch::Shard>,

    /// No progress bar and no closing summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

fn parse_grade(s: &str) -> Result<Grade, String> {
    Grade::parse(s).ok_or_else(|| format!("{s:?} is not a grade (A+, A, B, C, D or F)"))
}

/// Parses `--resolver IP[:PORT]` (IPv6 with a port in brackets).
pub fn parse_resolver(s: &str) -> Result<SocketAddr, String> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    let bare = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(s);
    bare.parse::<std::net::IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("--resolver {s:?}: expected IP or IP:PORT (IPv6 as [addr]:port)"))
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
        let resolver = self.resolver.as_deref().map(parse_resolver).transpose()?;
        let connect_to = self
            .connect_to
            .iter()
            .map(|s| ConnectTo::parse(s).map_err(|e| format!("--connect-to {e}")))
            .collect::<Result<Vec<_>, _>>()?;
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

        let config = ScanConfig {
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
        };
        Ok(Plan {
            config,
            targets,
            file,
            invalid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::path::Path;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("tlsgrade").chain(args.iter().copied()))
            .map(Cli::into_command)
    }

    fn scan_targets(args: &[&str]) -> Vec<String> {
        match parse(args) {
            Ok(Command::Scan(s)) => s.targets,
            other => panic!("{args:?}: not a scan: {other:?}"),
        }
    }

    #[test]
    fn scan_is_the_default_command_with_the_same_options() {
        assert_eq!(scan_targets(&["example.com"]), ["example.com"]);
        assert_eq!(
            scan_targets(&["scan", "example.com", "smtp://b"]),
            ["example.com", "smtp://b"]
        );
        for args in [
            &["-f", "list.txt", "--json", "out.json"][..],
            &["scan", "-f", "list.txt", "--json", "out.json"],
        ] {
            let Ok(Command::Scan(s)) = parse(args) else {
                panic!("{args:?}")
            };
            assert_eq!(s.targets_file.as_deref(), Some(Path::new("list.txt")));
            assert_eq!(s.json.as_deref(), Some(Path::new("out.json")));
        }
        let Ok(Command::Scan(s)) = parse(&["--demo"]) else {
            panic!()
        };
        assert!(s.demo && s.targets.is_empty());
    }

    #[test]
    fn diff_takes_two_reports() {
        let Ok(Command::Diff(d)) = parse(&["diff", "a.json", "b.ndjson", "--json"]) else {
            panic!()
        };
        assert_eq!(
            (d.old.as_path(), d.new.as_path()),
            (Path::new("a.json"), Path::new("b.ndjson"))
        );
        assert!(d.json);
        let e = parse(&["diff", "a.json"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    /// A command is a command only as the first argument: domains named like one stay scannable.
    #[test]
    fn targets_named_like_commands_are_scannable() {
        assert_eq!(scan_targets(&["scan", "diff"]), ["diff"]);
        assert_eq!(scan_targets(&["scan", "scan"]), ["scan"]);
        assert_eq!(scan_targets(&["-v", "diff"]), ["diff"]);
        assert_eq!(
            scan_targets(&["example.com", "diff"]),
            ["example.com", "diff"]
        );
        assert_eq!(scan_targets(&["help"]), ["help"]);
    }

    #[test]
    fn usage_errors_exit_2_and_help_exits_0() {
        for args in [
            &["--bogus"][..],
            &["--per-ip", "0", "x"],
            &["-4", "-6", "x"],
        ] {
            assert_eq!(parse(args).unwrap_err().exit_code(), 2, "{args:?}");
        }
        for args in [&["--help"][..], &["diff", "--help"], &["scan", "--help"]] {
            let e = parse(args).unwrap_err();
            assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp, "{args:?}");
            assert_eq!(e.exit_code(), 0);
        }
    }

    #[test]
    fn top_level_help_lists_the_commands_and_every_scan_option() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("scan ") && help.contains("diff "), "{help}");
        let scan = Cli::command();
        let scan = scan.find_subcommand("scan").unwrap();
        for arg in scan.get_arguments() {
            if let Some(long) = arg.get_long() {
                assert!(help.contains(&format!("--{long}")), "--{long} missing");
            }
        }
    }
}
