//! The diff's own output model: what `tlsgrade diff --json` writes (docs/report.md, "Diff") and
//! the text form renders. Versioned on its own by [`DIFF_VERSION`].

use crate::wire::enums::ProtocolVersion;
use serde::Serialize;

use crate::report::{ErrorKind, GradeValue};

/// Version of the diff JSON layout (independent of the report's `schema_version`).
pub const DIFF_VERSION: u32 = 1;

/// The whole comparison (serialised as is by `--json`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Diff {
    pub diff_version: u32,
    pub old: String,
    pub new: String,
    /// Whether anything below changed.
    pub changed: bool,
    pub targets_compared: usize,
    pub targets_unchanged: usize,
    /// Changed, added and removed targets, in the new report's order (removed ones last).
    pub targets: Vec<TargetDiff>,
}

/// Whether a target or endpoint is in both reports, or in one only.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Changed,
    Added,
    Removed,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TargetDiff {
    pub input: String,
    pub change: ChangeKind,
    pub grade: Option<Change<Option<GradeValue>>>,
    /// The error kinds.
    pub error: Option<Change<Option<ErrorKind>>>,
    pub checks: Vec<CheckChange>,
    pub policies: Vec<FieldChange>,
    pub endpoints: Vec<EndpointDiff>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EndpointDiff {
    pub host: String,
    pub address: Option<String>,
    pub port: u16,
    pub change: ChangeKind,
    pub grade: Option<Change<Option<GradeValue>>>,
    pub error: Option<Change<Option<ErrorKind>>>,
    pub certificate: Option<Change<Option<CertSummary>>>,
    pub protocols_gained: Vec<ProtocolVersion>,
    pub protocols_lost: Vec<ProtocolVersion>,
    pub checks: Vec<CheckChange>,
    pub policies: Vec<FieldChange>,
}

/// The leaf certificate as an admin identifies it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CertSummary {
    pub sha1: String,
    pub sha256: String,
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    pub not_after: String,
}

/// A check id whose triggered statuses or caps differ (pass and absent count as the same); the
/// lists hold every occurrence (an id may repeat, e.g. one `mx.dangling` per host); an empty
/// list means the check was absent. The id is text: a report may name ids this build does not
/// know.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CheckChange {
    pub id: String,
    pub old: Vec<CheckState>,
    pub new: Vec<CheckState>,
}

/// Ordered by the names, so that the lists read the same whatever order the checks had.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct CheckState {
    pub status: &'static str,
    pub cap: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FieldChange {
    /// Dotted path, e.g. `mta_sts.protected` or `mta_sts.policy.mode`.
    pub field: String,
    pub old: Scalar,
    pub new: Scalar,
}

/// The value of a state field, as the JSON has it.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Scalar {
    Null,
    Bool(bool),
    Number(u64),
    Text(String),
}

impl From<Option<&str>> for Scalar {
    fn from(s: Option<&str>) -> Scalar {
        s.map_or(Scalar::Null, |s| Scalar::Text(s.to_string()))
    }
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Scalar {
        Scalar::Text(s.to_string())
    }
}

impl From<bool> for Scalar {
    fn from(b: bool) -> Scalar {
        Scalar::Bool(b)
    }
}

impl From<Option<u64>> for Scalar {
    fn from(n: Option<u64>) -> Scalar {
        n.map_or(Scalar::Null, Scalar::Number)
    }
}
