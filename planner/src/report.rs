//! `report.json`: the plan in the contract's machine-readable shape (see `docs/contract.md`).
//!
//! Keys carry their units (`_w`, `_kw`, `_gbps`, `_m`). Sections arrive with the features that compute them and
//! are absent, never placeholders, until then.

use crate::bom::BomLine;
use crate::check::{Check, Status};
use crate::fabric::{CutResult, FabricSummary};
use crate::plan::{ComputeSummary, Plan};
use crate::power::{PowerItem, PsuCheck};
use crate::spec::PowerBasis;
use gigapod_catalog::units::Gbps;
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
    /// The compute fabric.
    pub fabric: FabricReport<'a>,
    /// Power.
    pub power: PowerReport<'a>,
    /// Bill of materials.
    pub bom: &'a [BomLine],
    /// Checks.
    pub checks: &'a [Check],
}

/// `fabric.*`: the counts of the graph and what max-flow measured on it.
#[derive(Debug, Serialize)]
pub struct FabricReport<'a> {
    /// Counts: tiers, switch, speed, endpoints, switches and links per tier, oversubscription as built.
    #[serde(flatten)]
    pub summary: FabricSummary,
    /// Bisection over the worst balanced cut tried, by max-flow.
    pub bisection_gbps: Gbps,
    /// The cut that gave it.
    pub worst_cut: &'a str,
    /// Every cut tried.
    pub cuts: &'a [CutResult],
    /// Bisection equals the full bisection.
    pub non_blocking: bool,
    /// Bisection after the worst single spine or core failure.
    pub bisection_after_worst_switch_failure_gbps: Gbps,
    /// That switch.
    pub worst_failed_switch: Option<&'a str>,
    /// Switch failures tried (one per symmetry class).
    pub switch_failures_tried: u32,
    /// Bisection after random link failures.
    pub bisection_after_link_failures_gbps: Gbps,
    /// Links failed for that.
    pub failed_links: u32,
    /// Endpoints one leaf failure disconnects.
    pub endpoints_lost_per_leaf_failure: u32,
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
            fabric: {
                let a = &plan.fabric_analysis;
                FabricReport {
                    summary: plan.fabric.summary(),
                    bisection_gbps: a.bisection_gbps,
                    worst_cut: &a.worst_cut,
                    cuts: &a.cuts,
                    non_blocking: a.non_blocking,
                    bisection_after_worst_switch_failure_gbps: a.bisection_after_worst_switch_failure_gbps,
                    worst_failed_switch: a.worst_failed_switch.as_deref(),
                    switch_failures_tried: a.switch_failures_tried,
                    bisection_after_link_failures_gbps: a.bisection_after_link_failures_gbps,
                    failed_links: a.failed_links,
                    endpoints_lost_per_leaf_failure: a.endpoints_lost_per_leaf_failure,
                }
            },
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
