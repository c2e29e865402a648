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

#[cfg(test)]
mod tests {
    use crate::spec::Spec;
    use gigapod_catalog::{Catalog, SourceFile};

    fn plan(extra: &str) -> crate::Plan {
        let text = format!("name = \"t\"\n[compute]\nserver = \"g593-h200\"\nscalable_units = 1\n{extra}");
        crate::plan(
            &Spec::parse(SourceFile::new("t.toml", text)).unwrap(),
            Catalog::builtin(),
        )
        .unwrap()
    }

    #[test]
    fn a_half_empty_leaf_is_a_warning_with_the_numbers() {
        // SN5600 at 400G has 128 ports; 32 servers per SU use 32 down + 32 up = 64 of them.
        let p = plan("servers_per_su = 32\n[fabric]\nswitch = \"sn5600\"\n");
        let w = p.checks.iter().find(|c| c.id == "fabric.leaf_fill").unwrap();
        assert!(w.message.contains("uses 64 of its 128 ports"), "{}", w.message);
        assert!(
            w.message.contains("takes 64 servers per scalable unit"),
            "{}",
            w.message
        );
        // "auto" fills it: 64 down + 64 up, no warning; nor on a QM9700 at 32.
        assert!(
            plan("[fabric]\nswitch = \"sn5600\"\n")
                .checks
                .iter()
                .all(|c| c.id != "fabric.leaf_fill")
        );
        assert!(
            plan("servers_per_su = 32\n")
                .checks
                .iter()
                .all(|c| c.id != "fabric.leaf_fill")
        );
        // 16 on a QM9700: 16 + 16 = 32 of 64, exactly half, warns.
        let w = plan("servers_per_su = 16\n");
        assert!(w.checks.iter().any(|c| c.id == "fabric.leaf_fill"));
    }

    #[test]
    fn an_alias_in_the_spec_is_a_warning_naming_the_real_model() {
        let text = "name = \"t\"\n[compute]\nserver = \"g593-b200\"\nservers = 4\n";
        let p = crate::plan(
            &Spec::parse(SourceFile::new("t.toml", text)).unwrap(),
            Catalog::builtin(),
        )
        .unwrap();
        let w = p.checks.iter().find(|c| c.id == "catalog.alias").unwrap();
        assert_eq!(w.status, crate::Status::Warn);
        assert!(
            w.message.contains("`g893-sd1-b200`") && w.message.contains("G893-SD1-AAX5"),
            "{}",
            w.message
        );
        assert_eq!(p.compute.server_id, "g893-sd1-b200");
    }
}
