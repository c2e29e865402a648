//! `report.json`: the plan in the contract's machine-readable shape (see `docs/contract.md`).
//!
//! Keys carry their units (`_w`, `_kw`, `_gbps`, `_m`). Sections arrive with the features that compute them and
//! are absent, never placeholders, until then.

use crate::bom::BomLine;
use crate::check::{Check, Status};
use crate::fabric::{CutResult, FabricSummary};
use crate::layout::{LayoutStats, PlacedDevice};
use crate::plan::{ComputeSummary, Plan};
use crate::power::{PowerItem, PsuCheck};
use crate::spec::PowerBasis;
use gigapod_catalog::units::{Gbps, Kilograms};
use gigapod_catalog::units::{Kilowatts, Watts};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Racks and the floor.
    pub racks: RacksReport<'a>,
    /// Cables by medium.
    pub cables: CablesReport<'a>,
    /// How the layout was solved.
    pub layout: &'a LayoutStats,
    /// Data halls (`facility.hall_*`): racks, kW and links per hall; absent when the floor is one hall.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub halls: Option<Vec<crate::report_halls::HallReport>>,
    /// `networks.<compute|storage|inband|oob>`: switches and links of every network.
    pub networks: NetworksReport,
    /// CapEx, OpEx, TCO (when the spec has `[cost]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<&'a crate::cost::CostReport>,
    /// Bill of materials.
    pub bom: &'a [BomLine],
    /// Design verdicts (docs/checks.md): what the summary counts.
    pub checks: &'a [Check],
    /// Invariants of the planner's own construction (docs/checks.md): a failure here is a planner bug. Not
    /// counted as passes.
    pub internal_checks: &'a [Check],
}

/// `networks.*`: every network's switches and links (`storage` is absent with `storage.fabric = "none"`), and
/// the UFM appliances and management servers.
#[derive(Debug, Serialize)]
pub struct NetworksReport {
    /// The compute fabric.
    pub compute: crate::networks::NetworkCounts,
    /// The storage fabric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<crate::networks::NetworkCounts>,
    /// Storage read bandwidth per node, GB/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_read_gb_per_s_per_node: Option<f64>,
    /// Storage read bandwidth per SU, GB/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_read_gb_per_s_per_su: Option<f64>,
    /// Planes of the storage fabric: 1, or one per storage port (`storage.planes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_planes: Option<u32>,
    /// In-band Ethernet.
    pub inband: crate::networks::NetworkCounts,
    /// Out-of-band 1 GbE.
    pub oob: crate::networks::NetworkCounts,
    /// UFM appliances.
    pub ufm_appliances: u32,
    /// Management servers.
    pub management_servers: u32,
    /// Server slots of the compute fabric the UFM appliances take (the RA's "31 nodes + UFM": 1).
    pub ufm_server_slots: u32,
    /// `central` or `distributed` (`management.placement`, `auto` resolved).
    pub management_placement: &'static str,
    /// Why that placement.
    pub management_placement_reason: String,
    /// Physical cables of each network by medium (`compute`, `storage`, `inband`, `oob`; UFM-to-compute-leaf
    /// links count with `compute`), from the cable plan.
    pub media: std::collections::BTreeMap<&'static str, std::collections::BTreeMap<&'static str, u64>>,
}

impl NetworksReport {
    /// The networks of a plan.
    pub fn of(plan: &Plan) -> Self {
        let n = &plan.networks;
        NetworksReport {
            compute: crate::networks::compute_counts(&plan.fabric, plan.fabric_analysis.bisection_gbps),
            storage: n.storage.as_ref().map(|s| s.counts.clone()),
            storage_read_gb_per_s_per_node: n.storage.as_ref().map(|s| s.per_node_gb_per_s),
            storage_read_gb_per_s_per_su: n.storage.as_ref().map(|s| s.per_su_gb_per_s),
            storage_planes: n.storage.as_ref().map(|s| s.fabric.plane_count()),
            inband: n.inband.clone(),
            oob: n.oob.clone(),
            ufm_appliances: n.ufm,
            management_servers: n.management_servers,
            ufm_server_slots: n.ufm_server_slots,
            management_placement: n.placement.0.as_str(),
            management_placement_reason: n.placement.1.clone(),
            media: {
                use crate::cabling::CableRole;
                let mut m: std::collections::BTreeMap<&'static str, std::collections::BTreeMap<&'static str, u64>> =
                    Default::default();
                let mut last = "";
                for r in &plan.cables.runs {
                    if r.label == last {
                        continue; // a cable carrying two links counts once
                    }
                    last = &r.label;
                    let net = match r.role {
                        CableRole::Storage => "storage",
                        CableRole::Inband => "inband",
                        CableRole::Oob => "oob",
                        _ => "compute",
                    };
                    *m.entry(net).or_default().entry(r.media.as_str()).or_default() += 1;
                }
                m
            },
        }
    }
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
    /// Non-blocking by structure and confirmed by max-flow on every cut tried.
    pub non_blocking: bool,
    /// What `non_blocking` rests on: the structure, and which cuts confirmed it.
    pub non_blocking_basis: &'a str,
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
    /// One plane of a multi-plane fabric (`fabric.planes`): its counts and max-flow figures; absent with one plane.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_plane: Option<crate::fabric::PlaneSummary>,
}

/// `racks.*`.
#[derive(Debug, Serialize)]
pub struct RacksReport<'a> {
    /// Racks in all.
    pub count: u32,
    /// Racks holding servers.
    pub compute: u32,
    /// Racks holding no servers (network racks and management racks).
    pub network: u32,
    /// Of those, the management racks (storage and in-band switches, central OOB switches, UFM, management nodes).
    pub management: u32,
    /// Racks no layout of these devices can go below: the largest of the kW, U, weight, room-air, server-density
    /// and network-U bounds (`layout.bounds`).
    pub lower_bound: u32,
    /// Floor positions of partial rows left open, for blanking panels.
    pub open_positions: &'a [crate::layout::OpenPosition],
    /// Rows on the floor.
    pub rows: u32,
    /// The highest rack power.
    pub max_kw: Kilowatts,
    /// The rack power limit in force.
    pub limit_kw: Kilowatts,
    /// kW per row.
    pub rows_kw: &'a [Kilowatts],
    /// Every rack.
    pub list: Vec<RackEntry<'a>>,
}

/// One entry of `racks.list[]`.
#[derive(Debug, Serialize)]
pub struct RackEntry<'a> {
    /// `R02-07`.
    pub id: &'a str,
    /// `compute` or `network`.
    pub kind: crate::layout::RackKind,
    /// Row (0-based).
    pub row: u32,
    /// Position in the row (0-based).
    pub position: u32,
    /// The scalable unit whose block the rack stands in (its server racks and its leaves' network racks).
    pub su: Option<u32>,
    /// IT power.
    pub kw: Kilowatts,
    /// Heat into liquid.
    pub liquid_kw: Kilowatts,
    /// Heat into room air.
    pub room_kw: Kilowatts,
    /// Equipment mass.
    pub kg: Kilograms,
    /// PDUs per feed (A and B each carry the rack alone).
    pub pdus_per_feed: u32,
    /// Rack units used.
    pub u_used: u32,
    /// Rack units in the rack.
    pub u_total: u32,
    /// Devices at their U.
    pub devices: &'a [PlacedDevice],
}

/// `cables.*`.
#[derive(Debug, Serialize)]
pub struct CablesReport<'a> {
    /// Physical cables and fibres.
    pub total: u64,
    /// By medium: `dac`, `acc`, `aoc`, `optic` (fibres; the transceivers are in the BOM).
    pub by_type: &'a BTreeMap<crate::cabling::Medium, u64>,
    /// Transceivers by part id.
    pub transceivers: &'a BTreeMap<String, u64>,
    /// Longest routed link, m.
    pub longest_m: f64,
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
    /// True when the server's figure covers the modules in its fabric cages (none added to it).
    pub server_includes_pluggables: bool,
    /// Where the server's figures came from: `max`, `typical`, `pluggables`.
    pub server_provenance: &'a crate::power::PowerProvenance,
    /// The PSU redundancy check.
    pub psu: &'a PsuCheck,
    /// `psu.ok`, at the contract's key.
    pub psu_ok: bool,
    /// All servers.
    pub compute_kw: Kilowatts,
    /// Switches and every pluggable module or active cable end.
    pub network_kw: Kilowatts,
    /// Compute plus network.
    pub it_kw: Kilowatts,
    /// The IT load as heat, BTU/h.
    pub heat_btu_per_hour: f64,
    /// Heat into the liquid loop (liquid cooling).
    pub liquid_kw: Kilowatts,
    /// Heat into the room air.
    pub room_kw: Kilowatts,
    /// PDUs in all (A and B feeds).
    pub pdus: u32,
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
            networks: NetworksReport::of(plan),
            halls: crate::report_halls::halls(plan),
            fabric: {
                let a = &plan.fabric_analysis;
                FabricReport {
                    summary: plan.fabric.summary(),
                    bisection_gbps: a.bisection_gbps,
                    worst_cut: &a.worst_cut,
                    cuts: &a.cuts,
                    non_blocking: a.non_blocking,
                    non_blocking_basis: &a.non_blocking_basis,
                    bisection_after_worst_switch_failure_gbps: a.bisection_after_worst_switch_failure_gbps,
                    worst_failed_switch: a.worst_failed_switch.as_deref(),
                    switch_failures_tried: a.switch_failures_tried,
                    bisection_after_link_failures_gbps: a.bisection_after_link_failures_gbps,
                    failed_links: a.failed_links,
                    endpoints_lost_per_leaf_failure: a.endpoints_lost_per_leaf_failure,
                    per_plane: crate::fabric::PlaneSummary::of(&plan.fabric, a),
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
                server_includes_pluggables: p.server.includes_pluggables,
                server_provenance: &p.server.provenance,
                psu: &p.psu,
                psu_ok: p.psu.ok,
                compute_kw: plan.facility.compute_kw,
                network_kw: plan.facility.network_kw,
                it_kw: plan.facility.it_kw,
                heat_btu_per_hour: plan.facility.heat_btu_per_hour,
                liquid_kw: plan.facility.liquid_kw,
                room_kw: plan.facility.room_kw,
                pdus: plan.facility.pdus,
            },
            racks: {
                let racks = &plan.layout.racks;
                let compute = racks
                    .iter()
                    .filter(|r| r.kind == crate::layout::RackKind::Compute)
                    .count() as u32;
                RacksReport {
                    count: racks.len() as u32,
                    compute,
                    network: racks.len() as u32 - compute,
                    management: racks
                        .iter()
                        .filter(|r| r.kind == crate::layout::RackKind::Management)
                        .count() as u32,
                    lower_bound: plan.layout.stats.lower_bound,
                    open_positions: &plan.layout.open_positions,
                    rows: plan.layout.rows,
                    max_kw: plan
                        .facility
                        .racks
                        .iter()
                        .map(|r| r.kw)
                        .fold(Kilowatts(0.0), |a, b| if b > a { b } else { a }),
                    limit_kw: plan.resolved.rack_limit,
                    rows_kw: &plan.facility.rows_kw,
                    list: racks
                        .iter()
                        .zip(&plan.facility.racks)
                        .map(|(r, p)| RackEntry {
                            id: &r.id,
                            kind: r.kind,
                            row: r.row,
                            position: r.position,
                            su: r.su,
                            kw: p.kw,
                            liquid_kw: p.liquid_kw,
                            room_kw: p.room_kw,
                            kg: p.kg,
                            pdus_per_feed: p.pdus_per_feed,
                            u_used: r.u_used,
                            u_total: plan.resolved.rack.rack_units.value.0,
                            devices: &r.devices,
                        })
                        .collect(),
                }
            },
            cables: CablesReport {
                total: plan.cables.total,
                by_type: &plan.cables.by_type,
                transceivers: &plan.cables.transceivers,
                longest_m: plan.cables.runs.iter().map(|r| r.routed_m.0).fold(0.0, f64::max),
            },
            layout: &plan.layout.stats,
            cost: plan.cost.as_ref(),
            bom: &plan.bom,
            checks: &plan.checks,
            internal_checks: &plan.internal_checks,
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }
}
