//! Which verdicts rest on estimated catalog figures: each such check says which figure, and report.json marks it
//! `basis: "estimate"`, so that a pass or a fail on an estimate is never read as one on sourced data.
//!
//! A check rests on the figures that enter what it measures:
//! - `power.psu_redundancy`: the server's power on the plan's basis, the PSU rating and the supply counts;
//! - `racks.power`, `cooling.liquid`, `cooling.room_air`: the power of every device kind in the racks (server,
//!   fabric and management switches) and of the pluggables the cable plan chose, where the server's figure does
//!   not include them (`power.feeds` judges the spec's feed count alone; the PDU sizing it mentions is the
//!   invariant `power.feed_sizing`);
//! - `racks.weight`: the devices' masses; `racks.units`: their heights.

use crate::cabling::CablePlan;
use crate::check::Check;
use crate::power::ServerPower;
use crate::spec::{PowerBasis, Resolved};
use gigapod_catalog::{Catalog, Sourced, Switch};

fn est<T>(out: &mut Vec<String>, name: String, s: &Sourced<T>) {
    if s.estimate && !out.contains(&name) {
        out.push(name);
    }
}

fn switch_power(out: &mut Vec<String>, s: &Switch, basis: PowerBasis) {
    match basis {
        PowerBasis::Max => est(out, format!("{}.max_power_w", s.id), &s.max_power_w),
        PowerBasis::Typical => est(out, format!("{}.typical_power_w", s.id), &s.typical_power_w),
    }
}

fn server_power(out: &mut Vec<String>, r: &Resolved, p: &ServerPower) {
    if p.estimate {
        let what = if p.max_from == "parts" {
            "max_power_w (derived from parts)"
        } else if p.basis == PowerBasis::Typical {
            "typical_power_w"
        } else {
            "max_power_w"
        };
        out.push(format!("{}.{what}", r.server.id));
    }
}

/// The estimated figures behind the plan's power per rack.
fn rack_power(r: &Resolved, p: &ServerPower, cables: &CablePlan, catalog: &Catalog) -> Vec<String> {
    let basis = r.spec.facility.power_basis;
    let mut out = Vec::new();
    server_power(&mut out, r, p);
    switch_power(&mut out, &r.switch, basis);
    switch_power(&mut out, &r.management_switch, basis);
    for id in cables.transceivers.keys() {
        if let Some(t) = catalog.transceiver(id) {
            est(&mut out, format!("{id}.power_w"), &t.power_w);
        }
    }
    for (id, _) in cables.cables_by_length.keys() {
        if let Some(c) = catalog.cable(id)
            && c.power_per_end_w.value.0 > 0.0
        {
            est(&mut out, format!("{id}.power_per_end_w"), &c.power_per_end_w);
        }
    }
    out
}

/// Marks the checks that rest on estimated figures.
pub fn mark(checks: Vec<Check>, r: &Resolved, p: &ServerPower, cables: &CablePlan, catalog: &Catalog) -> Vec<Check> {
    let s = &r.server;
    let psu = {
        let mut v = Vec::new();
        server_power(&mut v, r, p);
        est(&mut v, format!("{}.rating_w", r.psu.id), &r.psu.rating_w);
        est(&mut v, format!("{}.psu_count", s.id), &s.psu_count);
        est(&mut v, format!("{}.psu_redundant", s.id), &s.psu_redundant);
        v
    };
    let power = rack_power(r, p, cables, catalog);
    let mut weight = Vec::new();
    est(&mut weight, format!("{}.weight_kg", s.id), &s.weight_kg);
    est(&mut weight, format!("{}.weight_kg", r.switch.id), &r.switch.weight_kg);
    est(
        &mut weight,
        format!("{}.weight_kg", r.management_switch.id),
        &r.management_switch.weight_kg,
    );
    let mut units = Vec::new();
    est(&mut units, format!("{}.rack_units", s.id), &s.rack_units);
    est(&mut units, format!("{}.rack_units", r.switch.id), &r.switch.rack_units);
    checks
        .into_iter()
        .map(|c| {
            let on = match c.id.as_str() {
                "power.psu_redundancy" => psu.clone(),
                "racks.power" | "cooling.liquid" | "cooling.room_air" => power.clone(),
                "racks.weight" => weight.clone(),
                "racks.units" => units.clone(),
                _ => Vec::new(),
            };
            c.resting_on(on)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::spec::Spec;
    use gigapod_catalog::{Catalog, SourceFile};

    fn plan(text: &str) -> crate::Plan {
        let spec = Spec::parse(SourceFile::new("t.toml", text)).unwrap();
        crate::plan(&spec, Catalog::builtin()).unwrap()
    }

    #[test]
    fn a_psu_verdict_on_derived_power_says_so_and_one_on_the_dgx_nameplate_does_not() {
        let g = plan("name = \"t\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n");
        let psu = g.checks.iter().find(|c| c.id == "power.psu_redundancy").unwrap();
        assert!(psu.on_estimate());
        assert!(
            psu.message.contains("g593-h200.max_power_w (derived from parts)"),
            "{}",
            psu.message
        );
        let d = plan("name = \"t\"\n[compute]\nserver = \"dgx-h100\"\nservers = 4\n");
        let psu = d.checks.iter().find(|c| c.id == "power.psu_redundancy").unwrap();
        assert!(!psu.on_estimate(), "{psu:?}");
        // Rack power rests on the QM9700's estimated power even for DGX racks, and says so.
        let racks = d.checks.iter().find(|c| c.id == "racks.power").unwrap();
        assert!(racks.estimated.iter().any(|e| e == "qm9700.max_power_w"), "{racks:?}");
        let json = serde_json::to_value(racks).unwrap();
        assert_eq!(json["basis"], "estimate");
        let json = serde_json::to_value(psu).unwrap();
        assert!(json.get("basis").is_none());
    }
}
