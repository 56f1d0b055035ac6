//! tlsgrade: a TLS endpoint scanner and grader for mail domains and TLS services.
//!
//! The pipeline, data flowing one way: stages observe and return typed facts and their own
//! findings; one pure pass grades them; the report writes them out.
//!
//! ```text
//! main ─► cli ─► app ─┬─► scan (the scheduler: semaphores, endpoint cache, streaming)
//!                     │     ├─ plan      target → endpoints: MX rules, --connect-to ─► dns
//!                     │     ├─ endpoint  the probe sequence of one endpoint ─► probe ─► net, wire
//!                     │     │            (certificate facts ─► inspect)
//!                     │     └─ domain    MTA-STS, TLS-RPT, DANE beside the MX scan ─► policy
//!                     │   ─► grade (rubric table + one pure pass) ─► consistency ─► report
//!                     └─► diff (two saved reports, read back by report::read)
//! ```
//!
//! - [`cli`]: the clap definitions (`scan`, the default, and `diff`) and the scan options
//!   validated into a [`config::ScanConfig`] and targets.
//! - [`app`]: runs a command: the scan (plan, demo set-up, batch, outputs, exit status) or the
//!   diff.
//! - [`config`]: everything a scan needs, validated; read by every stage, changed by none.
//! - [`batch`]: where targets come from (arguments, a file, stdin; `--shard`, `--resume`) and
//!   where each finished target goes; SIGINT/SIGTERM stop it between targets.
//! - [`target`]: target strings and files → [`target::Target`] or a numbered error.
//! - [`scan`]: the scheduler, the only place that decides what runs at once: endpoints in
//!   flight, connections per address, the endpoint cache; its modules plan endpoints, run an
//!   endpoint's probe sequence and the target stage.
//! - [`dns`]: hickory look-ups (MX, A/AAAA, TXT, DNSSEC-validated) with NXDOMAIN / NODATA /
//!   SERVFAIL / timeout kept apart.
//! - [`net`]: TCP with deadlines, `--connect-to`, bounded line reading, the SMTP/IMAP/POP3
//!   dialogues before TLS and their findings.
//! - [`probe`]: the probes; each builds what it sends and interprets one typed answer, reaching
//!   the server only through [`probe::conn`] (the per-address permit, the dialogue, SNI,
//!   bounded reads).
//! - [`wire`]: the TLS codec (hello builders, ServerHello/alert parsing, record encoders), the
//!   typed suite registry and key types; no I/O.
//! - [`inspect`]: certificate facts and findings (x509-parser, rustls-webpki).
//! - [`revocation`]: OCSP responses (stapled or fetched), CRLs, and the fetcher that gets them.
//! - [`certfile`]: a certificate file to install (PEM, PFX, DER) → its ordered chain, key match.
//! - [`policy`]: MTA-STS and TLS-RPT parsers and their fetcher, what an MTA-STS sender does
//!   with each MX, and DANE (TLSA matching, DNSSEC facts).
//! - [`grade`]: the rubric table (every check id, its statuses, caps and reason, from which
//!   docs/grading.md's tables are generated) and the one pure pass that applies the
//!   cross-cutting rules and gives letters.
//! - [`consistency`]: after targets are done, compares the certificates of peers (addresses and
//!   ports of a host, MX hosts of a domain): the renewal that reached one node only.
//! - [`expiry`]: `--fail-expiring`: the certificates of a target expiring within N days.
//! - [`report`]: the report model (docs/report.md; it reads back too), every output (JSON,
//!   NDJSON lines, the table), and the one escaping policy for server-controlled text.
//! - [`diff`]: `tlsgrade diff OLD NEW`, what changed between two saved reports.
//! - [`lab`]: in-process servers (DNS, SMTP, TLS, HTTPS policy host) and a test PKI, shared by
//!   `--demo` and the tests; the servers only tests and the benchmark use need the `lab` feature.

pub mod app;
pub mod batch;
pub mod certfile;
pub mod cli;
pub mod config;
pub mod consistency;
pub mod diff;
pub mod dns;
pub mod expiry;
pub mod grade;
pub mod inspect;
pub mod lab;
pub mod net;
pub mod policy;
pub mod preflight;
pub mod probe;
pub mod report;
pub mod revocation;
pub mod scan;
pub mod target;
#[cfg(test)]
mod testkit;
pub mod wire;
