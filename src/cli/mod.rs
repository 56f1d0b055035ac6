//! Command line: the clap definitions of `tlsgrade [scan] …` (in [`scan`]: the scan options,
//! validated into a [`ScanConfig`] and target list by [`ScanArgs::plan`]) and of the other
//! commands (`diff`, `cert`, `report`, `exporter`, `completions`, `man`). Option names are a
//! contract (README, docs): keep them.
//!
//! `scan` is the default command: its options are also the top level's, so `tlsgrade
//! example.com` is `tlsgrade scan example.com`. A word is taken as a command only as the first
//! argument (clap's `args_conflicts_with_subcommands`: once an option or a target is seen, no
//! command follows), so a target literally named `diff` or `scan` is `tlsgrade scan diff` or
//! `tlsgrade -v diff`.

mod scan;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::config::ScanConfig;
use crate::inspect::TrustStore;
use crate::net::ConnectTo;
use crate::report::Grade;
pub use scan::{Plan, ScanArgs, ScanOptions};

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
  recognised only as the first argument; a target literally named like a command ('diff',
  'report', 'man', ...) is tlsgrade scan diff (or tlsgrade -v diff). Each command has its own
  --help: diff compares two reports, cert checks a certificate file before binding it, report
  turns a saved report into HTML, CSV or the table, exporter serves scans to Prometheus.

EXAMPLES:
  tlsgrade --demo                       (a lab on loopback: no network needed)
  tlsgrade example.com
  tlsgrade --json report.json -f domains.txt
  tlsgrade --connect-to mx.example.com:25:127.0.0.1:2525 example.com
  tlsgrade --fail-under B smtp://mail.example.com
  tlsgrade --fail-expiring 14 -f mailservers.txt   (a cron job: exit 1 two weeks before expiry)
  tlsgrade --json after.json example.com && tlsgrade diff before.json after.json
  tlsgrade --ndjson batch.ndjson -f domains.txt && tlsgrade report batch.ndjson --html batch.html
  tlsgrade --demo --html demo.html --csv demo.csv";

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
    /// Turn a saved report (--json or --ndjson) into an HTML page, CSV or the terminal table,
    /// without scanning again.
    #[command(after_help = REPORT_AFTER_HELP)]
    Report(ReportArgs),
    /// Serve scans to Prometheus: GET /probe?target=... scans the target (at most once per
    /// --min-interval) and answers in the Prometheus text format; GET /metrics is the
    /// exporter's own.
    #[command(after_help = EXPORTER_AFTER_HELP)]
    Exporter(ExporterArgs),
    /// Print a shell completion script for bash, zsh, fish, powershell or elvish.
    #[command(after_help = COMPLETIONS_AFTER_HELP)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) on standard output.
    #[command(after_help = "EXAMPLE:\n  tlsgrade man > tlsgrade.1 && man ./tlsgrade.1")]
    Man,
}

const REPORT_AFTER_HELP: &str = "\
Reads what tlsgrade --json or --ndjson wrote ('-' = standard input), detected by content, and
writes it in other forms; without --html or --csv it prints the table. '-' as OUT writes to
standard output.

EXIT STATUS:
  0  written
  2  bad usage, or the input cannot be read or is not a tlsgrade report

EXAMPLES:
  tlsgrade --ndjson batch.ndjson -f domains.txt
  tlsgrade report batch.ndjson --html batch.html --csv batch.csv
  tlsgrade report before.json -v";

/// `tlsgrade report FILE [--html OUT] [--csv OUT] [--table]`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The saved report: JSON (--json) or NDJSON (--ndjson).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write one self-contained HTML page to OUT.
    #[arg(long, value_name = "OUT")]
    pub html: Option<PathBuf>,
    /// Write one CSV row per endpoint to OUT (RFC 4180).
    #[arg(long, value_name = "OUT")]
    pub csv: Option<PathBuf>,
    /// Print the terminal table (the default when neither --html nor --csv is given).
    #[arg(long)]
    pub table: bool,
    /// Per-endpoint detail in the table.
    #[arg(short, long)]
    pub verbose: bool,
    /// No colours in the table (also when NO_COLOR is set).
    #[arg(long = "no-color")]
    pub no_color: bool,
}

const EXPORTER_AFTER_HELP: &str = "\
Every scan option (--resolver, --connect-to, --ca-file, --versions-only, --per-ip, ...) applies
to every scan. A target is scanned at most once per --min-interval: scrapes in between get the
cached answer, and concurrent scrapes of one target share one scan. A scan that outlasts the
scrape's timeout still finishes and is cached for the next scrape. Metric names:
docs/exporter.md.

PROMETHEUS (prometheus.yml):
  scrape_configs:
    - job_name: tlsgrade
      metrics_path: /probe
      scrape_interval: 5m
      scrape_timeout: 2m
      static_configs:
        - targets: [example.com, 'smtp://mx.example.net', 'https://www.example.org']
      relabel_configs:
        - source_labels: [__address__]
          target_label: __param_target
        - source_labels: [__param_target]
          target_label: instance
        - target_label: __address__
          replacement: 127.0.0.1:9219

EXIT STATUS:
  0  stopped by SIGINT/SIGTERM
  2  bad usage, or the address cannot be listened on

EXAMPLES:
  tlsgrade exporter
  curl 'http://127.0.0.1:9219/probe?target=example.com'
  tlsgrade exporter --demo        (the demo lab: /probe?target=good.demo.test and the others it lists)";

/// `tlsgrade exporter [--listen ADDR] [scan options]`.
#[derive(Args, Debug)]
pub struct ExporterArgs {
    /// Address to serve HTTP on. Anyone who can reach it can make this host scan any target:
    /// keep it on loopback or behind a firewall.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9219")]
    pub listen: SocketAddr,
    /// Seconds a target's result is served from the cache before a scrape scans it again
    /// (0 to 86400).
    #[arg(long = "min-interval", value_name = "SECS", default_value_t = 300.0)]
    pub min_interval: f64,
    /// Scans running at the same time; further scrapes wait for a slot.
    #[arg(long = "max-scans", value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_scans: u32,
    /// Serve the demo lab (DNS and SMTP servers inside this process on 127.0.0.0/8).
    #[arg(long)]
    pub demo: bool,
    /// How each endpoint is probed and judged.
    #[command(flatten)]
    pub options: ScanOptions,
}

impl ExporterArgs {
    /// `--min-interval`, validated.
    pub fn min_interval(&self) -> Result<Duration, String> {
        let s = self.min_interval;
        if !(s.is_finite() && (0.0..=86400.0).contains(&s)) {
            return Err(format!(
                "--min-interval {s}: expected seconds from 0 to 86400"
            ));
        }
        Ok(Duration::from_secs_f64(s))
    }
}

const COMPLETIONS_AFTER_HELP: &str = "\
INSTALLING (the script goes where your shell looks for completions):
  bash        tlsgrade completions bash > ~/.local/share/bash-completion/completions/tlsgrade
  zsh         tlsgrade completions zsh > ~/.zfunc/_tlsgrade   (with fpath+=(~/.zfunc) in .zshrc)
  fish        tlsgrade completions fish > ~/.config/fish/completions/tlsgrade.fish
  powershell  tlsgrade completions powershell >> $PROFILE";

/// `tlsgrade completions SHELL`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
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
        c.connect_to = parse_connect_to(&self.connect_to)?;
        c.timeout = parse_timeout(self.timeout)?;
        c.warn_days = self.warn_days as i64;
        c.revocation = !self.no_revocation;
        c.at = parse_at_option(self.at.as_deref())?;
        Ok(c)
    }
}

/// Every `--connect-to`, validated.
fn parse_connect_to(rules: &[String]) -> Result<Vec<ConnectTo>, String> {
    rules
        .iter()
        .map(|s| ConnectTo::parse(s).map_err(|e| format!("--connect-to {e}")))
        .collect()
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
        for command in ["report", "exporter", "completions", "man"] {
            assert_eq!(scan_targets(&["scan", command]), [command]);
        }
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
