//! Helpers shared by the MTA-STS unit tests.

use super::{parse_policy, PolicyOutcome};
use crate::report::{Check, Status};

pub(super) fn has(findings: &[Check], id: &str, status: Status) -> bool {
    findings.iter().any(|f| f.id == id && f.status == status)
}

pub(super) fn policy(body: &str) -> PolicyOutcome {
    parse_policy(body.as_bytes())
}

pub(super) const GOOD: &str =
    "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n";
