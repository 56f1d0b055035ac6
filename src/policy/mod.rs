//! Mail transport-security policies: MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460).
//!
//! Pure parsers, total functions over bytes that return report [`crate::report::Check`]s and never panic: TXT
//! records, policy files, HTTP responses and MX matching in [`mta_sts`], TLS-RPT records in
//! [`tls_rpt`]. [`fetch`] is the only part doing I/O (the TXT look-ups and the policy fetch);
//! [`mta_sts_check`] turns what it gathered and the domain's endpoint reports into report
//! sections, checks and grade inputs.
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
