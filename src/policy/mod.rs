//! Mail transport-security policies: MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460).
//!
//! Pure parsers, total functions over bytes that return report [`crate::report::Check`]s and
//! never panic: TXT records, policy files, HTTP responses and MX matching in [`mta_sts`],
//! TLS-RPT records in [`tls_rpt`]. [`fetch`] does the I/O of MTA-STS (the TXT look-ups and the
//! policy fetch), [`dane_check`] the DNSSEC look-ups of DANE; [`mta_sts_check`] and
//! [`dane_check`] turn what they gathered and the domain's endpoint reports into report
//! sections, checks and the facts the grade reads.
#![forbid(unsafe_code)]

pub mod dane;
pub mod dane_check;
pub mod fetch;
pub mod mta_sts;
pub mod mta_sts_check;
pub mod quote;
pub mod tls_rpt;
mod txt;

pub use txt::{Extension, MAX_RECORD_LEN, MAX_RRS};

#[cfg(test)]
mod fuzz_tests;
