//! The verdicts a plan carries: each check has an id, a status and a message a person can act on.

use serde::Serialize;
use std::fmt;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Meets the requirement.
    Pass,
    /// Works, but deserves attention.
    Warn,
    /// Does not meet the requirement: `gigapod plan` exits 1.
    Fail,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        })
    }
}

/// One check of a plan, as it appears in `checks[]` of report.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable id, e.g. `power.psu_redundancy` or `fabric.bisection`.
    pub id: String,
    /// Verdict.
    pub status: Status,
    /// What was measured against what.
    pub message: String,
}

impl Check {
    /// A check with the given verdict.
    pub fn new(id: impl Into<String>, status: Status, message: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            status,
            message: message.into(),
        }
    }

    /// A passing check.
    pub fn pass(id: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(id, Status::Pass, message)
    }

    /// A warning.
    pub fn warn(id: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(id, Status::Warn, message)
    }

    /// A failing check.
    pub fn fail(id: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(id, Status::Fail, message)
    }

    /// `pass` when `ok`, else `fail`.
    pub fn verdict(id: impl Into<String>, ok: bool, message: impl Into<String>) -> Self {
        Self::new(id, if ok { Status::Pass } else { Status::Fail }, message)
    }
}
