//! The checks a plan carries: each has an id, a status and a message a person can act on.
//!
//! There are two kinds ([`CheckKind`]). A **verdict** judges the design against a limit or a requirement the user
//! set or the hardware imposes (PSU redundancy, rack power, bisection against the asked oversubscription, failure
//! tolerance, ...): it can fail for a valid spec, and the summary counts it. An **invariant** re-tests what the
//! planner's own construction guarantees (port budget, balanced wiring, every device placed once, feed sizing): it
//! fails only if the planner is wrong, so it is reported apart (`internal_checks[]` in report.json) and never
//! counted as a pass. docs/checks.md lists every check.

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

/// Whether a check judges the design or the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CheckKind {
    /// Judges the design: can fail for a valid spec; counted in the summary.
    #[default]
    Verdict,
    /// Re-tests the planner's own construction: fails only on a planner bug; not counted as a pass.
    Invariant,
}

/// What a verdict rests on, when it rests on catalog figures that are estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// At least one figure behind the verdict is an estimate (named in [`Check::estimated`]).
    Estimate,
}

/// One check of a plan, as it appears in `checks[]` (verdicts) or `internal_checks[]` (invariants) of
/// report.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable id, e.g. `power.psu_redundancy` or `fabric.bisection`.
    pub id: String,
    /// Verdict.
    pub status: Status,
    /// What was measured against what.
    pub message: String,
    /// Verdict or invariant (not in report.json: the list a check is in says it).
    #[serde(skip)]
    pub kind: CheckKind,
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
            kind: CheckKind::Verdict,
            basis: None,
            estimated: Vec::new(),
        }
    }

    /// An invariant of the planner's construction: `pass` when `ok`, else `fail` (a planner bug).
    pub fn invariant(id: impl Into<String>, ok: bool, message: impl Into<String>) -> Self {
        Self {
            kind: CheckKind::Invariant,
            ..Self::verdict(id, ok, message)
        }
    }

    /// Whether this is an invariant of the planner rather than a verdict on the design.
    pub fn is_invariant(&self) -> bool {
        self.kind == CheckKind::Invariant
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
