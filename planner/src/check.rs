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

/// What a verdict rests on, when it rests on catalog figures that are estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// At least one figure behind the verdict is an estimate (named in [`Check::estimated`]).
    Estimate,
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
    /// `estimate` when the verdict rests on estimated figures; absent when every figure behind it is sourced (or
    /// it is a computation on the plan alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// The estimated figures the verdict rests on, e.g. `g893-sd1-b200.max_power_w (derived from parts)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub estimated: Vec<String>,
}

impl Check {
    /// A check with the given verdict.
    pub fn new(id: impl Into<String>, status: Status, message: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            status,
            message: message.into(),
            basis: None,
            estimated: Vec::new(),
        }
    }

    /// Marks the verdict as resting on the `estimated` figures (if any), and names them in the message.
    pub fn resting_on(mut self, estimated: Vec<String>) -> Self {
        if !estimated.is_empty() {
            self.message
                .push_str(&format!(" [rests on estimated figures: {}]", estimated.join(", ")));
            self.basis = Some(Basis::Estimate);
            self.estimated = estimated;
        }
        self
    }

    /// True when the verdict rests on estimated figures.
    pub fn on_estimate(&self) -> bool {
        self.basis == Some(Basis::Estimate)
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
