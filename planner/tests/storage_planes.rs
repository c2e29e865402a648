//! `storage.planes` (networks.rs): a storage fabric too large for three tiers of its switch is built as one plane
//! per storage port, each plane the one-port fat-tree of all the nodes; `one` refuses with the per-port advice.
//!
//! The switch is a 16-port NDR switch from a test catalog, so that the limits fall at a small size. Hand-computed:
//! at the storage default 4:3 a leaf has 9 downlinks and 7 uplinks (9 + ceil(9 / (4/3)) = 16); an SU of 32
//! G593-H200 takes ceil(32 / 9) = 4 leaves per storage port; three tiers of k = 16 have at most 16 pods of 8
//! leaves. One fabric of both ports (8 leaves per SU, one SU per pod) stops at 16 SUs; one plane per port (4
//! leaves per SU, two SUs per pod) at 32.

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::networks::{StoragePlanes, StorageSpec};
use gigapod_planner::spec::Spec;
use gigapod_planner::{CableRole, Error, Planner};

const TINY: &str = r#"
[[switch]]
id = "ndr16"
description = "test: a 16-port NDR switch (8 twin-port OSFP cages), 1U"
vendor = "test"
protocol = "infiniband"
rack_units = 1
weight_kg = 10
typical_power_w = { value = 300, estimate = true, note = "test part" }
max_power_w = { value = 400, estimate = true, note = "test part" }
cage_power_limit_w = 17
[[switch.port_group]]
cages = 8
form = "osfp-twin"
modes = [{ speed_gbps = 400, ports_per_cage = 2 }, { speed_gbps = 200, ports_per_cage = 4 }]
"#;

fn catalog() -> Catalog {
    Catalog::with_user_files(vec![SourceFile::new("tiny.toml", TINY.to_string())]).expect("test catalog loads")
}

fn spec(sus: u32, planes: StoragePlanes) -> Spec {
    let mut st = StorageSpec::default();
    st.switch = "ndr16".into();
    st.planes = planes;
    // Two storage ports per node (the catalog's G593-H200 has one dual-port storage NIC, planned as one port).
    st.ports_per_node = Some(2);
    Spec::builder("storage-planes", "g593-h200")
        .scalable_units(sus)
        .storage(st)
        .build()
}

#[test]
fn auto_builds_one_fabric_while_it_fits_and_a_plane_per_port_beyond() {
    let cat = catalog();
    let small = Planner::new(&cat)
        .plan(&spec(16, StoragePlanes::Auto))
        .expect("16 SUs plan");
    let st = small.networks.storage.as_ref().unwrap();
    assert_eq!(st.fabric.plane_count(), 1);
    assert_eq!(st.fabric.leaves().count(), 16 * 8);

    let big = Planner::new(&cat)
        .plan(&spec(20, StoragePlanes::Auto))
        .expect("20 SUs plan as planes");
    let st = big.networks.storage.as_ref().unwrap();
    assert_eq!(st.fabric.plane_count(), 2);
    // 4 leaves per SU in each plane; every node has one storage port in each.
    assert_eq!(st.fabric.leaves().count(), 2 * 20 * 4);
    let node = st
        .counts
        .links
        .by_kind
        .iter()
        .find(|(k, _)| k == "node")
        .map(|(_, n)| *n);
    assert_eq!(node, Some(2 * 20 * 32));
    // The names carry the plane, and every node's two storage ports go to two planes.
    let storage_runs: Vec<_> = big
        .cables
        .runs
        .iter()
        .filter(|r| r.role == CableRole::Storage && r.a_device == "srv1")
        .collect();
    assert_eq!(storage_runs.len(), 2, "{storage_runs:#?}");
    assert!(storage_runs.iter().any(|r| r.b_device.starts_with("stor-pl1-")));
    assert!(storage_runs.iter().any(|r| r.b_device.starts_with("stor-pl2-")));
    // The whole is the planes: the bisection of two equal planes is even.
    assert_eq!(st.counts.bisection_gbps.unwrap().0 % 2, 0);
    // report.json says so.
    let report = serde_json::to_value(gigapod_planner::Report::new(&big)).unwrap();
    assert_eq!(report["networks"]["storage_planes"], 2);
}

/// The error's text (a plan that builds fails the test without printing the whole plan).
fn error_text(r: Result<gigapod_planner::Plan, Error>) -> String {
    match r {
        Ok(_) => panic!("planned, where an error was expected"),
        Err(Error::Spec(d)) => d.to_string(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn one_refuses_beyond_three_tiers_and_names_the_storage_keys() {
    let cat = catalog();
    let text = error_text(Planner::new(&cat).plan(&spec(20, StoragePlanes::One)));
    assert!(text.contains("ndr16 builds at most"), "{text}");
    assert!(
        text.contains("storage.planes = \"per-port\" (2 planes of one port per node)"),
        "{text}"
    );
    assert!(!text.contains("fabric.oversubscription"), "{text}");
    // Beyond what the planes build too: the per-plane size, and no per-port advice.
    let text = error_text(Planner::new(&cat).plan(&spec(40, StoragePlanes::Auto)));
    assert!(text.contains("each of the 2 planes"), "{text}");
    assert!(!text.contains("storage.planes"), "{text}");
}
