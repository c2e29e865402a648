//! Distributed management (`management.placement`, netwire.rs): on a floor split into halls, no OOB or in-band
//! run leaves its hall except the in-band uplinks into the aggregation and core switches; every network and
//! management rack has one OOB switch of its own, which takes every device of the rack that has an OOB port;
//! and no management switch port is numbered past the switch's ports.

use gigapod_catalog::Catalog;
use gigapod_planner::networks::{ManagementPlacement, ManagementSpec};
use gigapod_planner::spec::Spec;
use gigapod_planner::{CableRole, Plan, Planner, Status};
use std::collections::{HashMap, HashSet};

fn plan(placement: ManagementPlacement, hall_racks: Option<u32>) -> Plan {
    let mut m = ManagementSpec::default();
    m.placement = placement;
    let mut b = Spec::builder("halls", "g593-h200").scalable_units(8).management(m);
    if let Some(n) = hall_racks {
        b = b.hall_racks(n);
    }
    Planner::new(Catalog::builtin()).plan(&b.build()).expect("plans")
}

fn hall_of(p: &Plan) -> HashMap<&str, u32> {
    let mut h = HashMap::new();
    for (i, r) in p.layout.racks.iter().enumerate() {
        h.insert(r.id.as_str(), p.layout.hall_of_rack(i));
    }
    h
}

#[test]
fn auto_is_distributed_with_halls_and_keeps_management_runs_in_their_hall() {
    let p = plan(ManagementPlacement::Auto, Some(30));
    assert!(
        p.layout.halls.as_ref().is_some_and(|h| h.halls.len() >= 3),
        "the floor splits into halls"
    );
    assert_eq!(
        p.networks.placement.0,
        ManagementPlacement::Distributed,
        "{}",
        p.networks.placement.1
    );
    assert_ne!(
        p.status(),
        Status::Fail,
        "{:#?}",
        p.checks
            .iter()
            .chain(&p.internal_checks)
            .filter(|c| c.status == Status::Fail)
            .collect::<Vec<_>>()
    );
    let hall = hall_of(&p);
    let mut between = 0;
    for c in p
        .cables
        .runs
        .iter()
        .filter(|c| matches!(c.role, CableRole::Oob | CableRole::Inband))
    {
        let (ha, hb) = (hall[c.a_rack.as_str()], hall[c.b_rack.as_str()]);
        if ha != hb {
            between += 1;
            assert!(
                c.role == CableRole::Inband
                    && (c.b_device.starts_with("inb-core-") || c.b_device.starts_with("inb-agg")),
                "{} {}:{} ({}) -> {}:{} ({}) leaves its hall",
                c.role.as_str(),
                c.a_device,
                c.a_port,
                c.a_rack,
                c.b_device,
                c.b_port,
                c.b_rack
            );
        }
    }
    assert!(
        between > 0,
        "the in-band leaves of the far halls' SUs uplink across halls"
    );
}

#[test]
fn every_central_rack_has_its_own_oob_switch_for_all_its_devices() {
    let p = plan(ManagementPlacement::Distributed, None);
    let oob_of: HashMap<&str, (&str, &str)> = p
        .cables
        .runs
        .iter()
        .filter(|c| c.role == CableRole::Oob && (c.a_port == "mgmt0" || c.a_port == "bmc"))
        .map(|c| (c.a_device.as_str(), (c.b_device.as_str(), c.b_rack.as_str())))
        .collect();
    let mut central = 0;
    for r in &p.layout.racks {
        let own: Vec<&str> = r
            .devices
            .iter()
            .map(|d| d.name.as_str())
            .filter(|n| n.starts_with("oob-rack-"))
            .collect();
        let is_central = r.su.is_none() || r.kind == gigapod_planner::layout::RackKind::Management;
        if !is_central {
            assert!(own.is_empty(), "{} is an SU's rack but has {own:?}", r.id);
            continue;
        }
        central += 1;
        assert_eq!(own.len(), 1, "{}: {own:?}", r.id);
        for d in r
            .devices
            .iter()
            .filter(|d| !d.name.starts_with("oob-") && !d.name.contains("-pdu"))
        {
            let (switch, rack) = oob_of
                .get(d.name.as_str())
                .unwrap_or_else(|| panic!("{} has no OOB link", d.name));
            assert_eq!(
                (*switch, *rack),
                (own[0], r.id.as_str()),
                "{} is on another rack's OOB switch",
                d.name
            );
        }
    }
    assert!(central >= 2, "spine and management racks");
}

#[test]
fn central_placement_without_halls_is_the_reference_form() {
    let p = plan(ManagementPlacement::Auto, None);
    assert_eq!(
        p.networks.placement.0,
        ManagementPlacement::Central,
        "{}",
        p.networks.placement.1
    );
    assert!(p.networks.wiring.rack_oob.is_empty());
    assert!(
        p.layout
            .racks
            .iter()
            .flat_map(|r| &r.devices)
            .all(|d| !d.name.starts_with("oob-rack-"))
    );
}

#[test]
fn no_management_switch_port_is_past_its_ports() {
    // 256 SUs: 8,192 servers, more in-band leaves than the two cores can take, so aggregation tiers.
    let spec = Spec::builder("big", "g593-h200").scalable_units(64).build();
    let p = Planner::new(Catalog::builtin()).plan(&spec).expect("plans");
    assert!(
        p.networks.inband.switches.spine > 2,
        "aggregation tiers: {:?}",
        p.networks.inband.switches
    );
    let mut highest: HashMap<&str, u32> = HashMap::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for c in p
        .cables
        .runs
        .iter()
        .filter(|c| matches!(c.role, CableRole::Oob | CableRole::Inband))
    {
        for (d, port) in [(&c.a_device, &c.a_port), (&c.b_device, &c.b_port)] {
            if let Ok(n) = port.parse::<u32>() {
                let e = highest.entry(d.as_str()).or_default();
                *e = (*e).max(n);
                assert!(seen.insert((d.as_str(), port.as_str())), "{d} port {port} cabled twice");
            }
        }
    }
    for (d, n) in highest {
        let limit = if d.starts_with("inb-") {
            64
        } else if d.starts_with("oob-") {
            48
        } else {
            continue;
        };
        assert!(n <= limit, "{d} port {n} of {limit}");
    }
}

#[test]
fn storage_leaves_stand_with_their_su_when_distributed() {
    let p = plan(ManagementPlacement::Auto, Some(30));
    let hall = hall_of(&p);
    let mut node_links = 0;
    for c in p
        .cables
        .runs
        .iter()
        .filter(|c| c.role == CableRole::Storage && c.a_device.starts_with("srv"))
    {
        node_links += 1;
        assert_eq!(
            hall[c.a_rack.as_str()],
            hall[c.b_rack.as_str()],
            "{} -> {} ({} -> {})",
            c.a_device,
            c.b_device,
            c.a_rack,
            c.b_rack
        );
    }
    assert!(node_links >= 256, "every node's storage port: {node_links}");
}

/// 128 SUs in one hall: the RA's central form puts the storage and in-band leaves in the management racks, and a
/// node's 400G storage link to them is longer than the 50 m a multimode module reaches; `auto` plans it again
/// distributed, and says why.
#[test]
fn a_floor_too_wide_for_central_runs_is_planned_distributed() {
    let spec = Spec::builder("wide", "g593-h200").scalable_units(128).build();
    let p = Planner::new(Catalog::builtin()).plan(&spec).expect("plans");
    assert_eq!(p.networks.placement.0, ManagementPlacement::Distributed);
    assert!(
        p.networks.placement.1.contains("does not reach"),
        "{}",
        p.networks.placement.1
    );
    assert_ne!(p.status(), Status::Fail);
    // Central, the same spec is refused for that run.
    let mut m = ManagementSpec::default();
    m.placement = ManagementPlacement::Central;
    let central = Spec::builder("wide", "g593-h200")
        .scalable_units(128)
        .management(m)
        .build();
    let e = Planner::new(Catalog::builtin())
        .plan(&central)
        .expect_err("a run does not reach");
    assert!(e.to_string().contains("reach"), "{e}");
}

/// A hall layout keeps each SU's leaves in racks of its own and leaves room for an OOB switch in every central
/// rack; the hand layout it is measured against follows the same rules, so it does not warn for obeying them.
/// Before, the hand count pooled every switch of the floor and `layout.vs_hand` warned on every multi-hall plan.
#[test]
fn the_hand_layout_of_a_hall_plan_keeps_the_same_rules() {
    for placement in [ManagementPlacement::Distributed, ManagementPlacement::Central] {
        let p = plan(placement, Some(30));
        let c = p.checks.iter().find(|c| c.id == "layout.vs_hand").unwrap();
        assert_eq!(c.status, Status::Pass, "{placement:?}: {}", c.message);
        let h = &p.layout.stats.hand;
        // The hand count is a count, not the plan's: every SU's leaves take at least a rack of their own.
        assert!(
            h.network_racks >= 8,
            "{placement:?}: {} hand network racks",
            h.network_racks
        );
        assert!(p.layout.stats.racks <= h.total, "{placement:?}");
    }
}

/// Distributed, the storage leaves stand with their SUs and UFM in the management racks: UFM's storage link takes
/// a free port of a storage spine or core (which stand in the central racks), else of the middle SU's leaves
/// (beside which the management racks stand), not SU 1's leaf across the floor.
/// Before, a 499,968-GPU DGX B300 plan failed on a 120 m UFM-to-leaf run, beyond the 100 m of a single-port
/// 400G OSFP (MMS4X00-NS400, S36).
#[test]
fn ufm_takes_a_central_storage_port_when_distributed() {
    let mut m = ManagementSpec::default();
    m.placement = ManagementPlacement::Distributed;
    m.ufm = Some(4);
    let p = Planner::new(Catalog::builtin())
        .plan(
            &Spec::builder("ufm", "g593-h200")
                .scalable_units(8)
                .management(m)
                .hall_racks(30)
                .build(),
        )
        .expect("plans");
    let ufm_storage: Vec<_> = p
        .cables
        .runs
        .iter()
        .filter(|c| c.role == CableRole::Storage && (c.a_device.starts_with("ufm-") || c.b_device.starts_with("ufm-")))
        .collect();
    assert_eq!(ufm_storage.len(), 2, "UFM pairs 2 and 4 go on the storage fabric");
    for c in ufm_storage {
        let far = if c.a_device.starts_with("ufm-") {
            &c.b_device
        } else {
            &c.a_device
        };
        // A full two-tier storage fabric (8 SUs) has no free spine port: the middle SU's leaf, then the next.
        assert!(
            far.contains("spine") || far.contains("core") || far.contains("-su4-") || far.contains("-su5-"),
            "{far}"
        );
        // Next to the management racks: within the multimode reach, where SU 1's leaf is rows away.
        assert!(c.routed_m.0 <= 50.0, "{c:?}");
    }
}
