//! tlsgrade: a TLS endpoint scanner and grader for mail domains and TLS services.
//!
//! The pipeline, one stage per module, data flowing one way:
//!
//! ```text
//! cli ──► app ──► target ──► scan ──► dns (MX, A/AAAA)
//!          │                   │
//!          │                   ├─► net (connect, --connect-to, STARTTLS dialogues)
//!          │                   ├─► probe::tls (rustls handshake, recording verifier)
//!          │                   ├─► inspect (chain → facts, trust, names, expiry)
//!          │                   ├─► policy (mail domains: MTA-STS/TLS-RPT records, policy fetch,
//!          │                   │           what an MTA-STS sender does with each MX)
//!          │                   └─► grade (checks → letters) ──► report (JSON, NDJSON, table)
//!          └─► diff (two saved reports, read back by report::read)
//! ```
//!
//! - [`cli`]: the clap definitions (`scan`, the default, and `diff`) and the scan options
//!   validated into a [`scan::ScanConfig`] and targets.
//! - [`app`]: runs the command: the scan command (plan, demo set-up, batch, outputs, exit
//!   status) and the diff command.
//! - [`batch`]: where targets come from (arguments, a file, stdin; `--shard`, `--resume`) and
//!   where each finished target goes; SIGINT/SIGTERM stop it between targets.
//! - [`target`]: target strings and files → [`target::Target`] or a numbered error.
//! - [`dns`]: hickory look-ups (MX, A/AAAA, TXT) with NXDOMAIN / NODATA / SERVFAIL / timeout
//!   kept apart.
//! - [`net`]: TCP with deadlines, `--connect-to`, bounded line reading, SMTP/IMAP/POP3 STARTTLS.
//! - [`probe`]: one connection per probe; the full rustls handshake, hand-built hellos for
//!   versions, weak cipher classes, key exchange, renegotiation and compression, and the SMTP
//!   STARTTLS-injection probe.
//! - [`wire`]: the legacy-version TLS codec (hand-built ClientHellos, ServerHello/alert parsing),
//!   no I/O; the version prober drives it.
//! - [`inspect`]: certificate facts and checks (x509-parser, rustls-webpki).
//! - [`policy`]: pure MTA-STS and TLS-RPT record/policy parsers and MX matching, the fetcher
//!   (TXT look-ups, the HTTPS policy fetch with reqwest) and the domain-level decision that adds
//!   `mta-sts.*`/`tls-rpt.*` checks and the MTA-STS A+ evidence; DANE (TLSA usability and
//!   matching in `dane`, DNSSEC-validated facts and the `dane.*` checks in `dane_check`).
//! - [`grade`]: the pure rubric of docs/grading.md.
//! - [`consistency`]: after every target is done, compares the certificates of peers (addresses
//!   of a host, ports of a host, MX hosts of a domain): the renewal that reached one node only.
//! - [`expiry`]: `--fail-expiring`: the certificates of a target expiring within N days.
//! - [`report`]: the JSON model (docs/report.md), every output (JSON, NDJSON lines, the table),
//!   the one escaping policy for server-controlled text, and reading saved reports back.
//! - [`diff`]: `tlsgrade diff OLD NEW`, what changed between two saved reports (pure over the
//!   report model, outside the scan pipeline).
//! - [`scan`]: the only place with concurrency; failures become data.
//! - [`lab`]: in-process servers (DNS, SMTP, TLS, HTTPS policy host) and a test PKI, shared by
//!   `--demo` and the tests; the servers only tests and the benchmark use need the `lab` feature.

pub mod app;
pub mod batch;
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
pub mod probe;
pub mod report;
pub mod scan;
pub mod target;
#[cfg(test)]
mod testkit;
pub mod wire;

/// [`report::escape`] under the path the network and probe code name it by.
pub use report::escape;
