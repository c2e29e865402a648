//! `report.json`: the plan in the contract's machine-readable shape (see `docs/contract.md`).
//!
//! Keys carry their units (`_w`, `_kw`, `_gbps`, `_m`). Sections arrive with the features that compute them and
//! are absent, never placeholders, until then.

use crate::bom::BomLine;
use crate::check::{Check, Status};
use crate::plan::{ComputeSummary, Plan};
use crate::power::{PowerItem, PsuCheck};
use crate::spec::PowerBasis;
use gigapod_catalog::units::{Kilowatts, Watts};
use serde::Serialize;

/// Version of the report's shape; bumped when a key is renamed or removed.
pub const SCHEMA_VERSION: &str = "1";

/// The report, borrowing from the plan.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: &'static str,
    /// Plan name.
    pub name: &'a str,
    /// `gigapod <version>`.
    pub generator: String,
    /// Worst check status: `pass`, `warn` or `fail`.
    pub status: Status,
    /// Size.
    pub compute: &'a ComputeSummary,
    /// Power.
    pub power: PowerReport<'a>,
    /// Bill of materials.
    pub bom: &'a [BomLine],
    /// Checks.
    pub checks: &'a [Check],
}

/// `power.*`.
#[derive(Debug, Serialize)]
pub struct PowerReport<'a> {
    /// `max` or `typical`.
    pub basis: PowerBasis,
    /// One server on the basis.
    pub server_w: Watts,
    /// One server at maximum.
    pub server_max_w: Watts,
    /// One server, typical.
    pub server_typical_w: Watts,
    /// `catalog` (nameplate) or `parts` (sum of the parts).
    pub server_max_from: &'static str,
    /// True when `server_w` rests on estimates.
    pub server_estimate: bool,
    /// The parts sum line by line.
    pub server_breakdown: &'a [PowerItem],
    /// The PSU redundancy check.
    pub psu: &'a PsuCheck,
    /// `psu.ok`, at the contract's key.
    pub psu_ok: bool,
    /// All servers.
    pub compute_kw: Kilowatts,
}

impl<'a> Report<'a> {
    /// The report of a plan.
    pub fn new(plan: &'a Plan) -> Self {
        let p = &plan.power;
        Report {
            schema_version: SCHEMA_VERSION,
            name: plan.name(),
            generator: format!("gigapod {}", env!("CARGO_PKG_VERSION")),
            status: plan.status(),
            compute: &plan.compute,
            power: PowerReport {
                basis: p.server.basis,
                server_w: p.server.server_w,
                server_max_w: p.server.max_w,
                server_typical_w: p.server.typical_w,
                server_max_from: p.server.max_from,
                server_estimate: p.server.estimate,
                server_breakdown: &p.server.breakdown,
                psu: &p.psu,
                psu_ok: p.psu.ok,
                compute_kw: p.compute,
            },
            bom: &plan.bom,
            checks: &plan.checks,
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }
}
