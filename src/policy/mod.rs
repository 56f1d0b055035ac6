//! Pure, dependency-free parsing and decision logic for tlsgrade's mail
//! transport-security policy checks: MTA-STS (RFC 8461) TXT records, policy
//! files, HTTP responses and MX matching in [`mta_sts`], and SMTP TLS
//! Reporting (RFC 8460) TXT records in [`tls_rpt`]. Network I/O happens
//! elsewhere; everything here is a total function over bytes that returns
//! [`Finding`]s and never panics.
#![forbid(unsafe_code)]

pub mod finding;
pub mod mta_sts;
pub mod tls_rpt;
mod txt;

pub use finding::{Finding, Status};
pub use txt::{Extension, MAX_RECORD_LEN, MAX_RRS};

#[cfg(test)]
mod fuzz_tests;
