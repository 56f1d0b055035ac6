//! MTA-STS (RFC 8461) decisions, as pure functions over already-fetched
//! data. This file is the module's front: it re-exports the API of the four
//! files below, one job each, and holds the body cap two of them share.
//!
//! - `record.rs`: the `_mta-sts.<domain>` TXT record (§3.1), [`parse_txt`];
//! - `policy_file.rs`: the policy file served at
//!   `https://mta-sts.<domain>/.well-known/mta-sts.txt` (§3.2), [`parse_policy`];
//! - `http.rs`: whether an HTTP response carrying that file is usable
//!   (§3.3), [`evaluate_http`] and [`evaluate_response`];
//! - `mx.rs`: the policy's `mx` patterns and matching MX host names against
//!   them (§4.1), [`MxPattern`].
//!
//! Nothing here performs I/O; the caller resolves DNS and performs the
//! HTTPS GET (without following redirects, with a 64 KiB body cap) and
//! hands the results in. Every function accepts arbitrary bytes without
//! panicking and reports problems as [`Check`](crate::report::Check)s.

mod http;
mod mx;
mod policy_file;
mod record;

pub use http::{evaluate_http, evaluate_response, HttpOutcome};
pub use mx::MxPattern;
pub use policy_file::{
    parse_policy, Mode, Policy, PolicyOutcome, MAX_AGE_LIMIT, MAX_LINES, MAX_MX,
};
pub use record::{parse_txt, StsRecord, TxtOutcome};

/// Body size senders are expected to accept (RFC 8461 §3.3 suggests
/// a 64 KB maximum policy size). Also the most the policy parser reads.
pub const MAX_BODY: usize = 64 * 1024;

#[cfg(test)]
mod test_fixtures;
