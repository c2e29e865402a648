//! Which catalog figure caused a plan error (docs/hardening.md, "attribution"). An error whose cause is a part a
//! user catalog defined points at that part's figure in its file, where the fix is, rather than at a spec key
//! that merely chose the part. Each rule below names the figure only when that figure alone explains the error.

use crate::spec::Resolved;
use gigapod_catalog::Catalog;
use gigapod_catalog::units::Meters;

/// A part id and the key of its figure at fault.
pub(crate) type Culprit<'a> = (&'a str, &'static str);

fn from_user(catalog: &Catalog, id: &str) -> bool {
    catalog.get(id).is_some_and(|e| !e.origin.builtin)
}

/// One server draws more than the rack power limit: the user part whose own power alone exceeds the limit
/// (the GPUs, the server's stated maximum, the fabric NICs), if any.
pub(crate) fn server_power<'a>(r: &'a Resolved, catalog: &Catalog) -> Option<Culprit<'a>> {
    let limit_w = r.rack_limit.0 * 1000.0;
    let gpus_w = r.gpu.tdp_w.value.0 * f64::from(r.server.gpu_count.value);
    let nics_w = r.fabric_nic.power_w.value.0 * f64::from(r.server.fabric_nic_count.value);
    let server_w = r
        .server
        .max_power_w
        .as_ref()
        .or(r.server.typical_power_w.as_ref())
        .map_or(0.0, |p| p.value.0);
    if gpus_w > limit_w && from_user(catalog, r.gpu.id.as_str()) {
        Some((r.gpu.id.as_str(), "tdp_w"))
    } else if server_w > limit_w && from_user(catalog, r.server.id.as_str()) {
        Some((
            r.server.id.as_str(),
            if r.server.max_power_w.is_some() {
                "max_power_w"
            } else {
                "typical_power_w"
            },
        ))
    } else if nics_w > limit_w && from_user(catalog, r.fabric_nic.id.as_str()) {
        Some((r.fabric_nic.id.as_str(), "power_w"))
    } else {
        None
    }
}

/// The network rack breaks its power limit: a user switch whose own maximum exceeds the limit, or whose port
/// count (the modules in its cages draw the rest) is beyond any built-in switch's.
pub(crate) fn network_power(r: &Resolved, catalog: &Catalog) -> Option<&'static str> {
    if !from_user(catalog, r.switch.id.as_str()) {
        return None;
    }
    let limit_w = r.rack_limit.0 * 1000.0;
    if r.switch.max_power_w.value.0 > limit_w {
        return Some("max_power_w");
    }
    let largest_builtin = Catalog::builtin()
        .iter(Some(gigapod_catalog::PartKind::Switch))
        .filter_map(|e| Catalog::builtin().switch(e.part.id().as_str()))
        .map(|s| s.ports_at(r.nic_speed))
        .max()
        .unwrap_or(0);
    (r.switch.ports_at(r.nic_speed) > largest_builtin).then_some("port_group")
}

/// No medium reaches a run: a user rack so wide or deep that one rack alone is longer than the longest medium.
pub(crate) fn run_length(r: &Resolved, catalog: &Catalog, longest: Meters) -> Option<&'static str> {
    if !from_user(catalog, r.rack.id.as_str()) {
        return None;
    }
    let reach_mm = longest.0 * 1000.0;
    if r.rack.width_mm.value.0 > reach_mm {
        Some("width_mm")
    } else if r.rack.depth_mm.value.0 > reach_mm {
        Some("depth_mm")
    } else {
        None
    }
}
