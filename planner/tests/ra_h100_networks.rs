//! 4 SUs of DGX H100 with the network defaults against the DGX SuperPOD H100 RA's Tables 7 and 8
//! (pod-facts A.1.9, A.1.10), row by row. The counts come from the rules of `networks.rs`, not from a table.
//! Rows the rules do not reproduce are asserted at the figure the rules give (hand-derived below), and
//! docs/networks.md shows both; the test also checks that the doc's table states the measured figures.

use gigapod_catalog::Catalog;
use gigapod_planner::spec::{Spec, StorageFabric, StorageLevel, StorageSpec};
use gigapod_planner::{Planner, Status};

fn h100_4su() -> Spec {
    // 4 SUs: the UFM rule (catalog `reference_design = "dgx-superpod"`, a QM9700 without a UFM port) takes one
    // server slot of SU 1, so 127 nodes as in the RA. 4 servers per rack as in the RA's BOM.
    // Storage appliance ports: Table 8's 48 "NDR 2x200G, storage" switch ports, as configured storage.
    let mut storage = StorageSpec::default();
    storage.appliance_ports = 48;
    Spec::builder("h100-4su", "dgx-h100")
        .scalable_units(4)
        .servers_per_su(32)
        .servers_per_rack(4)
        .storage(storage)
        .build()
}

/// (row, published, measured, reproduced).
fn rows() -> Vec<(&'static str, u32, u32, bool)> {
    let p = Planner::new(Catalog::builtin()).plan(&h100_4su()).expect("plans");
    let r = serde_json::to_value(gigapod_planner::Report::new(&p)).expect("report");
    let n = &r["networks"];
    let get = |path: &[&str]| -> u32 {
        let mut v = n;
        for k in path {
            v = &v[*k];
        }
        v.as_u64().unwrap_or_else(|| panic!("{path:?} missing")) as u32
    };
    let kind = |net: &str, k: &str| -> u32 {
        n[net]["links"]["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e[0] == k)
            .map_or(0, |e| e[1].as_u64().unwrap() as u32)
    };
    let m = |row, published, measured| (row, published, measured, published == measured);
    let runs = |f: &dyn Fn(&gigapod_planner::CableRun) -> bool| p.cables.runs.iter().filter(|r| f(r)).count() as u32;
    use gigapod_planner::CableRole;
    vec![
        m("DGX H100 nodes", 127, p.compute.servers),
        m("Racks", 38, p.layout.racks.len() as u32),
        m("PDUs", 108, p.facility.pdus),
        m("Compute QM9700", 48, get(&["compute", "switches", "total"])),
        m("Storage QM9700", 16, get(&["storage", "switches", "total"])),
        m("In-band SN4600C", 8, get(&["inband", "switches", "total"])),
        m("OOB SN2201", 8, get(&["oob", "switches", "total"])),
        m("UFM appliances", 4, get(&["ufm_appliances"])),
        m("Management servers", 4, get(&["management_servers"])),
        m("In-band: DGX", 254, kind("inband", "node")),
        m("In-band: management nodes", 8, kind("inband", "management")),
        m("In-band: uplink to core", 4, kind("inband", "site_uplink")),
        m("In-band: ISL", 6, kind("inband", "isl")),
        m("In-band: NFS storage", 8, kind("inband", "user_storage")),
        m("In-band: leaf-core", 24, kind("inband", "leaf_core")),
        m("OOB: DGX BMC", 127, kind("oob", "bmc")),
        m("OOB: IB switches", 64, kind("oob", "ib_switch")),
        m("OOB: management and UFM nodes", 8, kind("oob", "management")),
        m("OOB: in-band switches", 8, kind("oob", "inband_switch")),
        m("OOB: PDUs", 108, kind("oob", "pdu")),
        m("OOB: uplinks to in-band", 16, kind("inband", "oob_uplink")),
        m(
            "Compute IB: DGX-leaf + leaf-spine",
            2040,
            get(&["compute", "links", "total"]),
        ),
        m("Storage IB: DGX ports", 254, kind("storage", "node")),
        m("Compute IB: UFM-leaf", 2, runs(&|r| r.role == CableRole::Ufm)),
        m(
            "Storage IB: UFM-leaf",
            2,
            runs(&|r| r.role == CableRole::Storage && r.a_device.starts_with("ufm-")),
        ),
        m(
            "OOB: UFM back-to-back",
            2,
            runs(&|r| r.role == CableRole::Oob && r.a_port == "ha"),
        ),
        m(
            "OOB: Cat6 cabled (BMC, switches, nodes, PDUs, UFM pairs)",
            127 + 64 + 8 + 8 + 2 + 108,
            runs(&|r| r.role == CableRole::Oob && r.media.as_str() == "cat6"),
        ),
    ]
}

#[test]
fn h100_4su_rows_against_tables_7_and_8() {
    let rows = rows();
    for (row, published, measured, ok) in &rows {
        println!(
            "{row:<36} published {published:>5} measured {measured:>5} {}",
            if *ok { "match" } else { "DIFFERS" }
        );
    }
    // The rows the rules do not reproduce, at the figures the rules give by hand:
    // - storage: 127 x 2 ports at 4:3 rail-aligned = 8 leaves of 32 down / 24 up, 192 uplinks; the largest
    //   divisor m of 24 with 8 m <= 64 is 8, so 3 spines; 48 appliance ports at 1:1 = 2 leaves of 32 + 32,
    //   64 uplinks = 1 spine: 8 + 3 + 2 + 1 = 14 (RA 16). OOB IB switches follow: 48 + 14 = 62 (RA 64).
    // - racks: 32 compute racks of 4 (one of 3: 31 nodes + UFM), 2 network racks (SU leaves and OOB, spines) and
    //   1 management rack: 35 (RA 38, whose 6 other racks' contents are a figure only).
    // - PDUs: the facility model gives 2 per feed on A/B feeds for a 40.8 kW rack (4) and 1 per feed for the 3
    //   other racks: 32 x 4 + 3 x 2 = 134 (RA 108 = 32 x 3 + 6 x 2); the OOB PDU drops and the Cat6 total follow:
    //   127 + 62 + 8 + 8 + 2 + 134 = 341 (RA 317).
    let differs: Vec<(&str, u32)> = rows.iter().filter(|r| !r.3).map(|r| (r.0, r.2)).collect();
    assert_eq!(
        differs,
        vec![
            ("Racks", 35),
            ("PDUs", 134),
            ("Storage QM9700", 14),
            ("OOB: IB switches", 62),
            ("OOB: PDUs", 134),
            ("OOB: Cat6 cabled (BMC, switches, nodes, PDUs, UFM pairs)", 341)
        ],
        "rows that differ from the RA"
    );
    // Every network device is placed, and the management rack holds the central ones.
    let p = Planner::new(Catalog::builtin()).plan(&h100_4su()).expect("plans");
    let mgmt: Vec<_> = p
        .layout
        .racks
        .iter()
        .filter(|r| r.kind == gigapod_planner::layout::RackKind::Management)
        .collect();
    assert!(!mgmt.is_empty());
    for name in ["ufm-1", "ufm-4", "mgmt-1", "inb-core-1", "stor-spine-1", "stor-aleaf-1"] {
        assert!(mgmt.iter().any(|r| r.devices.iter().any(|d| d.name == name)), "{name}");
    }
    assert_eq!(p.networks.ufm_server_slots, 1);
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/networks.md")).unwrap();
    for (row, published, measured, ok) in &rows {
        let line = format!(
            "| {row} | {published} | {measured} | {} |",
            if *ok { "match" } else { "differs" }
        );
        assert!(doc.contains(&line), "docs/networks.md lacks the row `{line}`");
    }
}

#[test]
fn storage_short_of_its_target_fails_with_the_numbers() {
    // 2 appliance ports at 400 Gb/s for one SU: 2 x 50 GB/s = 100 GB/s, short of the RA's best 125 GB/s per SU;
    // a node's 2 ports give 100 GB/s, above its 40 GB/s.
    let mut storage = StorageSpec::default();
    storage.appliance_ports = 2;
    storage.target = StorageLevel::Best;
    let spec = Spec::builder("short", "dgx-h100")
        .scalable_units(1)
        .storage(storage)
        .build();
    let p = Planner::new(Catalog::builtin()).plan(&spec).expect("plans");
    let c = p.checks.iter().find(|c| c.id == "storage.bandwidth").expect("check");
    assert_eq!(c.status, Status::Fail, "{}", c.message);
    assert!(
        c.message
            .contains("100.0 GB/s per node (target 40 GB/s) and 100.0 GB/s per SU (target 125 GB/s)"),
        "{}",
        c.message
    );
}

#[test]
fn storage_none_opts_out_and_gigapod_gets_no_ufm() {
    let spec = Spec::builder("g", "g593-h200")
        .scalable_units(1)
        .storage_fabric(StorageFabric::None)
        .build();
    let p = Planner::new(Catalog::builtin()).plan(&spec).expect("plans");
    assert!(p.networks.storage.is_none());
    assert_eq!(p.networks.ufm, 0);
    assert_eq!(p.compute.servers, 32);
    assert!(p.checks.iter().all(|c| c.id != "storage.bandwidth"));
}
