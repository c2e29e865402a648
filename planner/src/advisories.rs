//! Warnings about choices a plan still builds with: a servers-per-SU figure that leaves every leaf half empty,
//! and an old catalog id that stands for a real part.

use crate::check::Check;
use crate::fabric::{Fabric, leaf_downlink_capacity};
use crate::spec::{Resolved, ServersPerSu};
use gigapod_catalog::Catalog;

/// `fabric.leaf_fill`: a warning, with the numbers, when a full scalable unit's leaf uses half its ports or
/// less at the NIC speed (downlinks to the SU's servers plus the uplinks they need).
pub fn leaf_fill(r: &Resolved, fabric: &Fabric) -> Option<Check> {
    let d = fabric.design();
    let k = d.ports_per_switch;
    let per_su = r.servers_per_su;
    // Downlinks of one leaf in a full SU: one rail's servers (rail-optimised) or the SU's share.
    let (down, leaves) = if d.rail_optimized {
        let per_rail = per_su.div_ceil(d.leaf_downlink_capacity).max(1);
        (per_su.div_ceil(per_rail), per_rail * d.rails)
    } else {
        let ports = u64::from(per_su) * u64::from(d.rails);
        let leaves = ports.div_ceil(u64::from(d.leaf_downlink_capacity)).max(1);
        (ports.div_ceil(leaves) as u32, leaves as u32)
    };
    let ratio = d.requested_oversubscription;
    let up = ((f64::from(down) / ratio) - 1e-9).ceil().max(1.0) as u32;
    let used = down + up;
    if u64::from(used) * 2 > u64::from(k) {
        return None;
    }
    let auto = leaf_downlink_capacity(k, ratio);
    let given = match r.spec.compute.servers_per_su {
        ServersPerSu::Auto => "\"auto\"".to_string(),
        ServersPerSu::Count(n) => n.to_string(),
    };
    Some(Check::warn(
        "fabric.leaf_fill",
        format!(
            "each of the {leaves} leaves of a full scalable unit uses {used} of its {k} ports at {} ({down} down to \
             servers, {up} up) with servers_per_su = {given}: half the leaf or less. One leaf per rail filled at \
             {ratio}:1 takes {auto} servers per scalable unit (servers_per_su = \"auto\")",
            r.nic_speed
        ),
    ))
}

/// `catalog.alias`: the spec names a server (or switch, rack...) by an old id that stands for a real part.
pub fn aliases(r: &Resolved, catalog: &Catalog) -> Vec<Check> {
    let f = &r.spec.facility;
    let asked = [
        ("compute.server", r.spec.compute.server.as_str()),
        ("fabric.switch", r.spec.fabric.switch.as_str()),
        ("facility.rack", f.rack.as_str()),
        ("facility.pdu", f.pdu.as_str()),
        ("facility.management_switch", f.management_switch.as_str()),
    ];
    asked
        .iter()
        .filter_map(|(key, id)| {
            catalog.alias(id).map(|a| {
                let real = catalog
                    .get(a.of.as_str())
                    .map(|e| e.part.description())
                    .unwrap_or_default();
                Check::warn(
                    "catalog.alias",
                    format!(
                        "{key} = \"{id}\" is an old id kept for one release: it stands for `{}` ({real}). {}",
                        a.of, a.note
                    ),
                )
            })
        })
        .collect()
}
