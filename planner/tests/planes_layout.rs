//! Issue 19: a multi-plane fabric's spines and cores stand in network racks of their own, plane by plane, when
//! the floor splits into halls (each SU in racks of its own).

use gigapod_catalog::Catalog;
use gigapod_planner::fabric::Planes;
use gigapod_planner::spec::Spec;
use gigapod_planner::{Planner, Status};
use std::collections::BTreeSet;

#[test]
fn no_network_rack_holds_two_planes() {
    // 24 SUs of G593-H200 on QM9700, one plane per rail: three tiers per plane, so spines and cores per plane.
    let spec = Spec::builder("planes", "g593-h200")
        .scalable_units(24)
        .planes(Planes::PerRail)
        .hall_racks(120)
        .build();
    let p = Planner::new(Catalog::builtin()).plan(&spec).expect("plans");
    assert_ne!(p.status(), Status::Fail);
    let mut racks = 0;
    for r in p.layout.racks.iter().filter(|r| r.su.is_none()) {
        let planes: BTreeSet<&str> = r
            .devices
            .iter()
            .filter_map(|d| d.name.strip_prefix("pl").and_then(|s| s.split('-').next()))
            .collect();
        if !planes.is_empty() {
            racks += 1;
            assert_eq!(planes.len(), 1, "{} holds planes {planes:?}", r.id);
        }
    }
    assert!(racks >= 8, "each of the 8 planes has spine racks: {racks}");
}
