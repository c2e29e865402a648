//! The short human summary printed by `gigapod plan` and `gigapod check`.

use crate::check::Status;
use crate::plan::Plan;
use crate::text::{counted, thousands};
use std::fmt::Write;

/// A count with thousands separators, whatever its integer type (`65536` -> `65,536`).
fn th(n: impl TryInto<u64>) -> String {
    thousands(n.try_into().unwrap_or(u64::MAX))
}

/// A figure with one decimal and thousands separators (`749007.24` -> `749,007.2`).
fn one_decimal(x: f64) -> String {
    let tenths = (x.abs() * 10.0).round();
    let sign = if x < 0.0 && tenths > 0.0 { "-" } else { "" };
    format!(
        "{sign}{}.{}",
        th(((tenths / 10.0).floor()) as u64),
        (tenths % 10.0) as u64
    )
}

/// The summary as text.
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    let c = &plan.compute;
    let p = &plan.power;
    let _ = writeln!(out, "plan {}", plan.name());
    let last = if c.servers_in_last_su < c.servers_per_su {
        format!(", the last with {} servers", th(c.servers_in_last_su))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  compute   {} x {} = {} GPUs ({}), {} of {} servers{last}",
        th(c.servers),
        c.server_id,
        th(c.gpus),
        c.gpu_id,
        counted(u64::from(c.scalable_units), "scalable unit", "scalable units"),
        c.servers_per_su
    );
    let f = plan.fabric.summary();
    let a = &plan.fabric_analysis;
    let _ = writeln!(
        out,
        "  fabric    {}-tier {} at {} Gb/s: {} leaf, {} spine, {} core; {} endpoint + {} leaf-spine + {} spine-core links",
        f.tiers,
        f.switch_id,
        f.port_speed_gbps.0,
        th(f.switches.leaf),
        th(f.switches.spine),
        th(f.switches.core),
        th(f.links.endpoint),
        th(f.links.leaf_spine),
        th(f.links.spine_core)
    );
    if let Some(pp) = crate::fabric::PlaneSummary::of(&plan.fabric, a) {
        let _ = writeln!(
            out,
            "  planes    {} {} planes, each {}-tier at {} Gb/s: {} leaf, {} spine, {} core; bisection {} Gb/s per plane (full {} Gb/s)",
            pp.planes,
            pp.mode,
            pp.tiers,
            pp.port_speed_gbps.0,
            th(pp.switches.leaf),
            th(pp.switches.spine),
            th(pp.switches.core),
            th(pp.bisection_gbps.0),
            th(pp.full_bisection_gbps.0)
        );
    }
    let _ = writeln!(
        out,
        "  bisection {} Gb/s measured by max-flow (full {} Gb/s, {}); {} Gb/s after the worst switch failure",
        th(a.bisection_gbps.0),
        th(a.full_bisection_gbps.0),
        if a.non_blocking {
            "non-blocking".to_string()
        } else {
            format!("{:.2}:1 as built", f.oversubscription)
        },
        th(a.bisection_after_worst_switch_failure_gbps.0)
    );
    let est = if p.server.estimate { " (estimate)" } else { "" };
    let modules = if p.server.includes_pluggables {
        "its fabric modules included in the vendor figure"
    } else {
        "its fabric modules added"
    };
    let _ = writeln!(
        out,
        "  power     {:.0} W per server on the {} basis{est}, {modules}; {} kW for all servers",
        p.server.server_w.0,
        p.server.basis,
        one_decimal(plan.facility.compute_kw.0)
    );
    let _ = writeln!(out, "            maximum from {}", p.server.provenance.max);
    let n = p.psu.installed - p.psu.redundant;
    let _ = writeln!(
        out,
        "  PSU       {n}+{} x {:.0} W {}: {:.0} W carried by {n} supplies, {}",
        p.psu.redundant,
        p.psu.rating_w.0,
        p.psu.psu_id,
        p.psu.load_w.0,
        if p.psu.ok {
            format!("OK, {:.0} W headroom", p.psu.headroom_w.0)
        } else {
            format!("FAIL, {:.0} W short", -p.psu.headroom_w.0)
        }
    );
    let fp = &plan.facility;
    let max_kw = fp.racks.iter().map(|r| r.kw.0).fold(0.0, f64::max);
    let compute_racks = plan
        .layout
        .racks
        .iter()
        .filter(|r| r.kind == crate::layout::RackKind::Compute)
        .count();
    let management_racks = plan
        .layout
        .racks
        .iter()
        .filter(|r| r.kind == crate::layout::RackKind::Management)
        .count();
    let _ = writeln!(
        out,
        "  racks     {} ({} compute, {} network, {} management; lower bound {}, hand layout {}) in {}; highest {:.1} kW of {:.1} kW; {} PDUs on {}",
        th(plan.layout.racks.len()),
        th(compute_racks),
        th(plan.layout.racks.len() - compute_racks - management_racks),
        th(management_racks),
        th(plan.layout.stats.lower_bound),
        th(plan.layout.stats.hand.total),
        counted(u64::from(plan.layout.rows), "row", "rows"),
        max_kw,
        plan.resolved.rack_limit.0,
        th(fp.pdus),
        fp.feed_text()
    );
    if let Some(halls) = crate::report_halls::halls(plan) {
        let inter: u64 = halls.iter().map(|h| h.inter_hall_links).sum::<u64>() / 2;
        let most = halls.iter().map(|h| h.racks).max().unwrap_or(0);
        let kw = halls.iter().map(|h| h.kw.0).fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "  halls     {} halls (up to {} racks and {:.1} MW each); {} links between halls",
            halls.len(),
            th(most),
            kw / 1000.0,
            th(inter)
        );
    }
    let _ = writeln!(
        out,
        "  IT power  {} kW ({} compute + {} network incl. optics), {} BTU/h",
        one_decimal(fp.it_kw.0),
        one_decimal(fp.compute_kw.0),
        one_decimal(fp.network_kw.0),
        th(fp.heat_btu_per_hour.round() as u64)
    );
    let by_type: Vec<String> = plan
        .cables
        .by_type
        .iter()
        .map(|(k, v)| format!("{} {k}", th(*v)))
        .collect();
    let modules: u64 = plan.cables.transceivers.values().sum();
    let _ = writeln!(
        out,
        "  cables    {} ({}), {} transceivers",
        th(plan.cables.total),
        by_type.join(", "),
        th(modules)
    );
    let n = &plan.networks;
    let storage = n.storage.as_ref().map_or_else(
        || "none".to_string(),
        |s| {
            format!(
                "{} x {}{} ({} links, {:.0} GB/s read per node)",
                th(s.counts.switches.total),
                s.counts.switch_id,
                if s.fabric.plane_count() > 1 {
                    format!(" in {} planes, one per storage port", s.fabric.plane_count())
                } else {
                    String::new()
                },
                th(s.counts.links.total),
                s.per_node_gb_per_s
            )
        },
    );
    let _ = writeln!(
        out,
        "  networks  storage {storage}; in-band {} x {} ({} links); OOB {} x {} ({} links); {} UFM, {} management servers",
        th(n.inband.switches.total),
        n.inband.switch_id,
        th(n.inband.links.total),
        th(n.oob.switches.total),
        n.oob.switch_id,
        th(n.oob.links.total),
        n.ufm,
        n.management_servers
    );
    let _ = writeln!(
        out,
        "            every switch, appliance and link placed and cabled (cables.csv roles storage, inband, oob, ufm); UFM takes {} of the compute fabric",
        counted(u64::from(n.ufm_server_slots), "server slot", "server slots")
    );
    let _ = writeln!(
        out,
        "            management {}: {}",
        n.placement.0.as_str(),
        n.placement.1
    );
    if let Some(c) = &plan.cost {
        let _ = writeln!(
            out,
            "  cost      CapEx {:.2} M$, OpEx {:.2} M$/year, TCO {:.2} M$ over {} years, {:.2} $ per GPU-hour{}",
            c.capex.total_usd / 1e6,
            c.opex_per_year.total_usd / 1e6,
            c.tco_usd / 1e6,
            c.years,
            c.usd_per_gpu_hour,
            if c.complete {
                ""
            } else {
                " (incomplete: unpriced parts)"
            }
        );
    }
    // Verdicts on estimated figures are counted and listed apart from those on sourced figures.
    let count = |on_estimate: bool| {
        plan.checks
            .iter()
            .filter(|c| c.on_estimate() == on_estimate)
            .fold((0, 0, 0), |(p, w, f), c| match c.status {
                Status::Pass => (p + 1, w, f),
                Status::Warn => (p, w + 1, f),
                Status::Fail => (p, w, f + 1),
            })
    };
    let (pass, warn, fail) = count(false);
    let _ = writeln!(out, "  checks    {pass} pass, {warn} warn, {fail} fail");
    for c in plan
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass && !c.on_estimate())
    {
        let _ = writeln!(out, "    {:<4} {}: {}", c.status, c.id, c.message);
    }
    let (pass, warn, fail) = count(true);
    if pass + warn + fail > 0 {
        let _ = writeln!(
            out,
            "  on estimated figures (verify against the vendor's data): {pass} pass, {warn} warn, {fail} fail"
        );
        for c in plan.checks.iter().filter(|c| c.on_estimate()) {
            let _ = writeln!(out, "    {:<4} {}: {}", c.status, c.id, c.message);
        }
    }
    // Invariants are not verdicts: say they held (not counted as passes), or name the one that did not.
    let broken: Vec<&crate::check::Check> = plan
        .internal_checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .collect();
    if broken.is_empty() {
        let _ = writeln!(
            out,
            "  internal  {} planner invariants hold (not counted above)",
            plan.internal_checks.len()
        );
    } else {
        for c in broken {
            let _ = writeln!(
                out,
                "    {:<4} {} (planner invariant: a bug, please report it): {}",
                c.status, c.id, c.message
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_carry_separators() {
        assert_eq!(th(65_536u32), "65,536");
        assert_eq!(th(19_348usize), "19,348");
        assert_eq!(one_decimal(749_007.24), "749,007.2");
        assert_eq!(one_decimal(26.66), "26.7");
        assert_eq!(one_decimal(0.04), "0.0");
        assert_eq!(one_decimal(999.96), "1,000.0");
        assert_eq!(one_decimal(-2.5), "-2.5");
    }
}
