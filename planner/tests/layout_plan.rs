//! The layout on real plans: limits per rack, devices placed once, the solver against first-fit, and the
//! reference designs' shapes (air spreads servers by kW, liquid packs them densely).

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::layout::{DeviceKind, LeafPlacement, RackKind};
use gigapod_planner::{Plan, plan, spec::Spec};
use proptest::prelude::*;
use std::collections::HashSet;

fn plan_err(text: &str) -> String {
    let spec = Spec::parse(SourceFile::new("t.toml", text.to_string())).unwrap();
    match plan(&spec, Catalog::builtin()) {
        Ok(_) => panic!("planned:\n{text}"),
        // The located diagnostic, as the CLI shows it.
        Err(e) => e.diagnostics().map_or_else(|| e.to_string(), |d| d.to_string()),
    }
}

fn example(name: &str) -> Plan {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    let spec = Spec::from_path(&path).unwrap();
    plan(&spec, Catalog::builtin()).unwrap()
}

/// Every rack within U, kW and kg; every device of the plan placed exactly once.
fn assert_layout_sound(p: &Plan) {
    let limit = p.resolved.rack_limit.0;
    let u_total = p.resolved.rack.rack_units.value.0;
    let kg_max = p.resolved.rack.max_weight_kg.value.0;
    for (rack, power) in p.layout.racks.iter().zip(&p.facility.racks) {
        assert!(
            power.kw.0 <= limit + 1e-6,
            "{} at {} kW over {limit}",
            rack.id,
            power.kw.0
        );
        assert!(rack.u_used <= u_total, "{} uses {} U", rack.id, rack.u_used);
        assert!(power.kg.0 <= kg_max + 1e-6, "{} weighs {}", rack.id, power.kg.0);
        // No two devices share a rack unit.
        let mut used = HashSet::new();
        for d in &rack.devices {
            assert!(
                d.u >= 1 && d.u + d.height_u - 1 <= u_total,
                "{} outside {}",
                d.name,
                rack.id
            );
            for u in d.u..d.u + d.height_u {
                assert!(used.insert(u), "U{u} of {} holds two devices", rack.id);
            }
        }
    }
    let mut names = HashSet::new();
    for d in p.layout.racks.iter().flat_map(|r| &r.devices) {
        assert!(names.insert(d.name.clone()), "{} placed twice", d.name);
    }
    let servers = p
        .layout
        .racks
        .iter()
        .flat_map(|r| &r.devices)
        .filter(|d| d.kind == DeviceKind::Server)
        .count();
    assert_eq!(servers as u32, p.compute.servers);
    let fabric_switches = p
        .layout
        .racks
        .iter()
        .flat_map(|r| &r.devices)
        .filter(|d| matches!(d.kind, DeviceKind::Leaf | DeviceKind::Spine | DeviceKind::Core))
        .count();
    assert_eq!(fabric_switches, p.fabric.switches().len());
    let management = p
        .layout
        .racks
        .iter()
        .flat_map(|r| &r.devices)
        .filter(|d| d.kind == DeviceKind::Management)
        .count();
    assert_eq!(management as u32, p.management_switches);
    // Every compute fabric link is cabled once, and every link's ends are placed (a PDU in its rack).
    let compute_runs = p
        .cables
        .runs
        .iter()
        .filter(|r| {
            matches!(
                r.role,
                gigapod_planner::CableRole::Endpoint
                    | gigapod_planner::CableRole::LeafSpine
                    | gigapod_planner::CableRole::SpineCore
            )
        })
        .count();
    assert_eq!(compute_runs, p.fabric.graph().edge_count());
    assert!(
        p.cables
            .runs
            .iter()
            .all(|r| !r.a_rack.is_empty() && !r.b_rack.is_empty())
    );
    // The BOM counts what the graph and the layout hold.
    let qty = |id: &str| p.bom.iter().filter(|l| l.part_id == id).map(|l| l.qty).sum::<u64>();
    assert_eq!(qty(p.resolved.server.id.as_str()), u64::from(p.compute.servers));
    // The compute switch's line also counts the storage fabric's switches when they are the same part.
    let storage = p
        .networks
        .storage
        .as_ref()
        .filter(|_| p.resolved.storage_switch.as_ref().map(|s| &s.id) == Some(&p.resolved.switch.id))
        .map_or(0, |s| u64::from(s.counts.switches.total));
    assert_eq!(
        qty(p.resolved.switch.id.as_str()),
        p.fabric.switches().len() as u64 + storage
    );
    assert_eq!(qty(p.resolved.rack.id.as_str()), p.layout.racks.len() as u64);
    let cables: u64 = p
        .bom
        .iter()
        .filter(|l| l.category == gigapod_planner::BomCategory::Cable)
        .map(|l| l.qty)
        .sum();
    assert_eq!(cables, p.cables.total);
}

#[test]
fn air_su_spreads_servers_by_the_kw_limit() {
    let p = example("gigapod-h200-air.toml");
    assert_layout_sound(&p);
    let server_kw = p.power.server.server_w.0 / 1000.0;
    let per_rack = (50.0 / server_kw).floor() as usize;
    for r in &p.layout.racks {
        let n = r.devices.iter().filter(|d| d.kind == DeviceKind::Server).count();
        assert!(
            n <= per_rack,
            "{} holds {n} servers, the 50 kW limit allows {per_rack}",
            r.id
        );
    }
    let compute = p.layout.racks.iter().filter(|r| r.kind == RackKind::Compute).count();
    assert!(compute >= 32 / per_rack, "{compute} compute racks");
}

#[test]
fn liquid_su_needs_fewer_denser_racks() {
    let air = example("gigapod-h200-air.toml");
    let dlc = example("gigapod-b200-dlc.toml");
    assert_layout_sound(&dlc);
    let count = |p: &Plan| p.layout.racks.iter().filter(|r| r.kind == RackKind::Compute).count();
    let densest = |p: &Plan| {
        p.layout
            .racks
            .iter()
            .map(|r| r.devices.iter().filter(|d| d.kind == DeviceKind::Server).count())
            .max()
            .unwrap()
    };
    assert!(
        count(&dlc) < count(&air),
        "liquid {} racks, air {}",
        count(&dlc),
        count(&air)
    );
    assert!(densest(&dlc) > densest(&air));
    let max_kw = dlc.facility.racks.iter().map(|r| r.kw.0).fold(0.0, f64::max);
    assert!(max_kw > 50.0, "liquid racks run above the air limit: {max_kw} kW");
}

fn one(server: &str, cooling: &str, kw: f64, sus: u32, extra: &str) -> Plan {
    let text = format!(
        "name = \"r\"\n[compute]\nserver = \"{server}\"\nscalable_units = {sus}\n[facility]\ncooling = \"{cooling}\"\n\
         rack_power_limit_kw = {kw:.1}\n{extra}"
    );
    let spec = Spec::parse(SourceFile::new("r.toml", text)).unwrap();
    plan(&spec, Catalog::builtin()).unwrap()
}

fn servers_in(r: &gigapod_planner::layout::RackPlan) -> usize {
    r.devices.iter().filter(|d| d.kind == DeviceKind::Server).count()
}

/// Each SU has `racks` server racks of exactly `per_rack` servers; every network rack stands inside an SU's row
/// with that SU's server racks on both sides; the plan uses no more racks than the hand layout or first-fit, and
/// no fewer than its bound.
fn assert_reference(p: &Plan, per_rack: usize, racks: usize) {
    assert_layout_sound(p);
    let st = &p.layout.stats;
    for su in 0..p.compute.scalable_units {
        let mine: Vec<_> = p
            .layout
            .racks
            .iter()
            .filter(|r| r.su == Some(su) && r.kind == RackKind::Compute)
            .collect();
        assert_eq!(mine.len(), racks, "SU {su}: {} server racks", mine.len());
        // A DGX SuperPOD SU is 31 nodes + UFM (the RA): one of its racks holds one server fewer.
        let short = mine.iter().filter(|r| servers_in(r) != per_rack).count();
        assert!(
            short as u32 <= p.networks.ufm_server_slots,
            "SU {su}: {short} racks not full"
        );
        for r in &mine {
            let n = servers_in(r);
            assert!(n == per_rack || n + 1 == per_rack, "{} holds {n}", r.id);
        }
    }
    let network: Vec<_> = p.layout.racks.iter().filter(|r| r.kind == RackKind::Network).collect();
    assert!(!network.is_empty());
    for n in &network {
        let su = n.su.expect("a network rack stands in an SU's row");
        let row: Vec<_> = p.layout.racks.iter().filter(|r| r.row == n.row).collect();
        let beside = |left: bool| {
            row.iter()
                .any(|r| r.su == Some(su) && r.kind == RackKind::Compute && (r.position < n.position) == left)
        };
        assert!(
            beside(true) && beside(false),
            "{} is not between SU {}'s server racks",
            n.id,
            su + 1
        );
    }
    // The first rack of the first row (the first view of racks.svg) holds servers.
    assert_eq!(p.layout.racks[0].kind, RackKind::Compute);
    assert_eq!(st.racks as usize, p.layout.racks.len());
    assert!(st.racks <= st.hand.total, "{} racks, hand {}", st.racks, st.hand.total);
    assert!(st.lower_bound <= st.racks);
    assert!(st.racks <= st.first_fit_racks);
    let vs_hand = p.checks.iter().find(|c| c.id == "layout.vs_hand").unwrap();
    assert_eq!(vs_hand.status, gigapod_planner::Status::Pass, "{}", vs_hand.message);
}

#[test]
fn gigapod_air_is_8_racks_of_4_per_su_with_the_network_rack_in_the_row() {
    for kw in [45.0, 50.0] {
        let p = one("g593-h200", "air", kw, 1, "");
        assert_reference(&p, 4, 8);
        // One SU: its 8 leaves, 4 spines and the management switches share one network rack, "4 + network + 4".
        let net: Vec<_> = p.layout.racks.iter().filter(|r| r.kind == RackKind::Network).collect();
        assert_eq!(net.len(), 1);
        assert_eq!(net[0].position, 4);
        let kinds = |k: DeviceKind| net[0].devices.iter().filter(|d| d.kind == k).count();
        assert_eq!((kinds(DeviceKind::Leaf), kinds(DeviceKind::Spine)), (8, 4));
        assert!(kinds(DeviceKind::Management) >= 1);
        // And the management rack (storage and in-band switches, management nodes) beside it: 10.
        assert_eq!(p.layout.racks.len(), 10);
        assert_eq!(p.layout.rows, 1);
    }
    // Two SUs: 16 server racks of 4, and their switches share the fewest network racks.
    let p = one("g593-h200", "air", 45.0, 2, "");
    assert_reference(&p, 4, 8);
    assert_eq!(p.layout.racks.len() as u32, p.layout.stats.hand.total);
}

#[test]
fn gigapod_liquid_is_4_racks_of_8_per_su() {
    let p = one("g4l3-sd1-b200", "liquid", 120.0, 1, "");
    assert_reference(&p, 8, 4);
    assert_eq!(
        p.layout.racks.len(),
        6,
        "4 server racks, the network rack and the management rack"
    );
}

#[test]
fn dgx_h100_at_41_kw_is_8_racks_of_4_per_su() {
    let p = one("dgx-h100", "air", 41.0, 1, "");
    assert_reference(&p, 4, 8);
    // 31 x 10.2 kW plus the switches need 9 racks by kW alone; the management rack, which the design keeps apart
    // from the fabric's racks (no bound knows that rule), is the one rack above the bound.
    assert_eq!(p.layout.stats.racks, p.layout.stats.lower_bound + 1);
    let p = one("dgx-h100", "air", 41.0, 2, "");
    assert_reference(&p, 4, 8);
}

#[test]
fn dgx_b200_at_30_kw_is_16_racks_of_2_per_su() {
    let p = one("dgx-b200", "air", 30.0, 1, "");
    assert_reference(&p, 2, 16);
    // At 70 kW the limits allow 4 (57.2 kW), never the 3 or 5 NVIDIA's designs do not use.
    let p = one("dgx-b200", "air", 70.0, 1, "");
    assert_reference(&p, 4, 8);
    let p = one("dgx-h100", "air", 35.0, 1, "");
    assert_reference(&p, 2, 16);
}

#[test]
fn servers_per_rack_overrides_the_catalog_density() {
    let p = one("dgx-h100", "air", 41.0, 1, "servers_per_rack = 2\n");
    assert_layout_sound(&p);
    assert_eq!(p.layout.stats.servers_per_rack, 2);
    // 31 DGX (31 nodes + UFM): 15 racks of 2 and one of 1.
    let compute: Vec<usize> = p
        .layout
        .racks
        .iter()
        .filter(|r| r.kind == RackKind::Compute)
        .map(servers_in)
        .collect();
    assert_eq!(p.compute.servers, 31);
    assert!(
        compute.iter().filter(|&&n| n == 2).count() == 15 && compute.contains(&1),
        "{compute:?}"
    );
    // A hand layout at NVIDIA's 4 per rack needs 10 racks (with the management rack): the plan says so, with the
    // numbers.
    let vs_hand = p.checks.iter().find(|c| c.id == "layout.vs_hand").unwrap();
    assert_eq!(vs_hand.status, gigapod_planner::Status::Warn);
    assert!(
        vs_hand.message.contains("the plan uses 18 racks, a hand layout 10")
            && vs_hand.message.contains("SU 1 uses 16 server racks where 8 would do"),
        "{}",
        vs_hand.message
    );
    let text = "name = \"r\"\n[compute]\nserver = \"dgx-h100\"\nscalable_units = 1\n[facility]\nrack_power_limit_kw = 41.0\nservers_per_rack = 5\n";
    let e = plan_err(text);
    assert!(
        e.contains("5 servers per rack do not fit: the rack power limit allows 4"),
        "{e}"
    );
    assert!(e.contains("t.toml:7:"), "{e}");
}

#[test]
fn auto_takes_the_placement_with_fewer_racks() {
    let net = one("g593-h200", "air", 50.0, 1, "");
    let inr = one("g593-h200", "air", 50.0, 1, "leaf_placement = \"in-rack\"\n");
    let auto = one("g593-h200", "air", 50.0, 1, "leaf_placement = \"auto\"\n");
    assert_layout_sound(&inr);
    assert_layout_sound(&auto);
    // In the server racks' spare room (9 kW and 28 U each) the 12 switches and the management group need no rack
    // of their own: 8 racks, the bound, where network racks need 9 and the management group its rack.
    assert_eq!(inr.layout.racks.len(), 8);
    assert!(inr.layout.stats.optimal);
    assert_eq!(net.layout.racks.len(), 10);
    assert_eq!(auto.layout.racks.len(), 8);
    assert_eq!(auto.layout.stats.leaf_placement, LeafPlacement::InRack);
    let (rejected, racks, _) = auto.layout.stats.rejected.unwrap();
    assert_eq!((rejected, racks), (LeafPlacement::NetworkRack, 10));
}

#[test]
fn a_partial_row_lists_its_open_positions() {
    // 3 SUs at 4 per rack in rows of at most 17: SU 1 and 2 share row 1 with the network rack, SU 3 stands in
    // row 2, whose other positions are open.
    let p = one("g593-h200", "air", 50.0, 3, "racks_per_row = 17\n");
    assert_layout_sound(&p);
    assert_eq!(p.layout.rows, 2);
    let row_len = |r: u32| p.layout.racks.iter().filter(|x| x.row == r).count() as u32;
    assert!(row_len(1) < row_len(0));
    assert_eq!(p.layout.open_positions.len() as u32, row_len(0) - row_len(1));
    assert!(
        p.layout
            .open_positions
            .iter()
            .all(|o| o.row == 1 && o.position >= row_len(1))
    );
    assert!(p.checks.iter().any(|c| c.id == "layout.blanking"));
}

fn spec_strategy() -> impl Strategy<Value = String> {
    let servers = prop_oneof![
        Just(("g593-h200", "air")),
        Just(("g593-mi300x", "air")),
        Just(("dgx-h100", "air")),
        Just(("g593-b200-dlc", "liquid")),
        Just(("dgx-b200", "liquid")),
    ];
    (
        servers,
        1u32..150,
        4u32..40,
        30.0f64..130.0,
        prop_oneof![Just(1.0), Just(2.0), Just(1.5)],
        4u32..24,
    )
        .prop_flat_map(|t| {
            (
                Just(t),
                prop_oneof![Just("network-rack"), Just("in-rack"), Just("auto")],
                prop_oneof![Just(0u32), 1u32..6],
            )
        })
        .prop_map(|(((server, cooling), n, per_su, kw, ratio, row), leaves, per_rack)| {
            let per_rack = if per_rack == 0 {
                String::new()
            } else {
                format!("servers_per_rack = {per_rack}\n")
            };
            format!(
                "name = \"p\"\n[compute]\nserver = \"{server}\"\nservers = {n}\nservers_per_su = {per_su}\n\
                 [fabric]\noversubscription = {ratio}\n[facility]\ncooling = \"{cooling}\"\n\
                 rack_power_limit_kw = {kw:.1}\nracks_per_row = {row}\nleaf_placement = \"{leaves}\"\n{per_rack}"
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_rack_within_limits_and_every_device_placed_once(text in spec_strategy()) {
        let spec = Spec::parse(SourceFile::new("p.toml", text.clone())).unwrap();
        match plan(&spec, Catalog::builtin()) {
            Ok(p) => {
                assert_layout_sound(&p);
                let st = &p.layout.stats;
                prop_assert!(st.lower_bound <= st.racks, "bound {} above {} racks\n{text}", st.lower_bound, st.racks);
                prop_assert_eq!(st.racks as usize, p.layout.racks.len());
                // Network racks and auto never use more racks than first-fit decreasing with network racks;
                // in-rack placement is the user's choice and may.
                if !text.contains("\"in-rack\"") {
                    prop_assert!(st.racks <= st.first_fit_racks, "{} racks, first-fit {}\n{text}", st.racks, st.first_fit_racks);
                }
                // No rack holds more servers than the density in force.
                for r in &p.layout.racks {
                    let n = r.devices.iter().filter(|d| d.kind == DeviceKind::Server).count() as u32;
                    prop_assert!(n <= st.servers_per_rack, "{} holds {n}\n{text}", r.id);
                }
            }
            // A limit below one server, a density above what a rack holds, or a row shorter than a scalable unit,
            // is a clear input error, never a panic or a broken layout.
            Err(e) => {
                let e = e.to_string();
                prop_assert!(
                    e.contains("no rack can hold") || e.contains("racks per row allowed") || e.contains("servers per rack do not fit"),
                    "{text}\n{e}"
                );
            }
        }
    }
}

#[test]
fn infeasible_limits_say_which_constraint_fails_and_by_how_much() {
    let base = "name = \"x\"\n[compute]\nserver = \"dgx-h100\"\nservers = 4\n[facility]\n";
    // The DGX H100's 10.2 kW system maximum already covers its modules (issue 11): nothing is added.
    let e = plan_err(&format!("{base}rack_power_limit_kw = 8.0\n"));
    assert!(
        e.contains("one server with its network modules draws 10.20 kW, 2.20 kW more than the rack limit of 8.00 kW"),
        "{e}"
    );
    // A server whose power is derived from its parts gets its modules added: the G593 H200's derived 10,173.7 W
    // plus 8 single-port fabric modules at the most the catalog has for its cages, and its storage (9 W) and two
    // in-band (2 x 2.5 W) ends at their worst: 14 W more than the fabric modules alone (10.25 kW).
    let g = "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n[facility]\nrack_power_limit_kw = 8.0\n";
    let e = plan_err(g);
    assert!(e.contains("one server with its network modules draws 10.26 kW"), "{e}");
    assert!(e.contains("t.toml:6:"), "{e}");
    let e = plan_err(&format!("{base}rack = \"tiny\"\n"));
    assert!(e.contains("unknown rack"), "{e}");
}

#[test]
fn a_dgx_takes_one_twin_port_module_per_cage_of_two_rails() {
    // DGX B200: 8 ConnectX-7 behind 4 twin-port OSFP cages (hardware-facts.md 5a).
    let spec = Spec::parse(SourceFile::new(
        "dgx.toml",
        "name = \"d\"\n[compute]\nserver = \"dgx-b200\"\nscalable_units = 1\n[facility]\ncooling = \"liquid\"\n",
    ))
    .unwrap();
    let p = plan(&spec, Catalog::builtin()).unwrap();
    // The DGX takes the flat-top system module in its cages (pod-facts C), the switch the finned one.
    assert!(p.cables.transceivers.contains_key("mma4z00-ns-flt"));
    assert!(p.cables.transceivers.contains_key("mma4z00-ns"));
    let module_w = Catalog::builtin()
        .transceiver("mma4z00-ns-flt")
        .unwrap()
        .power_w
        .value
        .0;
    // Beside them, each server's storage and in-band ports carry their own module or active cable end.
    let cat = Catalog::builtin();
    for s in 1..=p.compute.servers {
        let name = format!("srv{s}");
        let others: f64 = p
            .cables
            .runs
            .iter()
            .filter(|r| r.a_device == name && r.role != gigapod_planner::CableRole::Endpoint)
            .map(|r| match r.media {
                gigapod_planner::Medium::Optic => cat.transceiver("mma1z00-ns400").unwrap().power_w.value.0,
                _ => cat.cable(&r.part_id).unwrap().power_per_end_w.value.0,
            })
            .sum();
        let w = p.cables.pluggable_w[&name].0;
        assert!((w - 4.0 * module_w - others).abs() < 1e-9, "{name}: {w} W of modules");
    }
    // Every server link is one fibre; the twin-port module count covers 4 cages per server and the leaf cages.
    let server_links = u64::from(p.compute.servers) * 8;
    let modules: u64 = p.cables.transceivers.values().sum();
    assert!(
        modules >= u64::from(p.compute.servers) * 4 + server_links / 2,
        "{modules}"
    );
    // The only single-port OSFP modules are the UFM appliances' (Table 8's "UFM system transceivers"), one per
    // UFM link into a compute leaf.
    let ufm_links = p
        .cables
        .runs
        .iter()
        .filter(|r| r.role == gigapod_planner::CableRole::Ufm)
        .count() as u64;
    assert_eq!(
        p.cables.transceivers.get("mma4z00-ns400").copied().unwrap_or(0),
        ufm_links
    );
}

#[test]
fn many_sus_share_network_racks_that_stand_in_their_rows() {
    // 8 GIGAPOD SUs: 64 server racks, and the 64 leaves, 32 spines and the management switches in the fewest
    // network racks first-fit decreasing needs; each rack with leaves stands between its SU's server racks, and a
    // rack of spines only stands in a row beside SUs, never in a row of its own.
    let p = one("g593-h200", "air", 50.0, 8, "");
    assert_layout_sound(&p);
    let st = &p.layout.stats;
    assert_eq!(st.racks, st.first_fit_racks);
    assert!(st.racks <= st.hand.total);
    for n in p.layout.racks.iter().filter(|r| r.kind == RackKind::Network) {
        let row: Vec<_> = p.layout.racks.iter().filter(|r| r.row == n.row).collect();
        assert!(
            row.iter().any(|r| r.kind == RackKind::Compute),
            "{} stands in a row of its own",
            n.id
        );
        let leaves = n.devices.iter().any(|d| d.kind == DeviceKind::Leaf);
        if leaves {
            let su = n.su.expect("a rack with leaves belongs to an SU's block");
            let side = |left: bool| {
                row.iter()
                    .any(|r| r.su == Some(su) && r.kind == RackKind::Compute && (r.position < n.position) == left)
            };
            assert!(
                side(true) && side(false),
                "{} is not inside SU {}'s block",
                n.id,
                su + 1
            );
        }
    }
    // More than one network rack, spread over more than one row.
    let rows: HashSet<u32> = p
        .layout
        .racks
        .iter()
        .filter(|r| r.kind == RackKind::Network)
        .map(|r| r.row)
        .collect();
    assert!(rows.len() > 1, "{rows:?}");
}

#[test]
fn with_prices_the_layout_is_costed_in_dollars() {
    let prices = SourceFile::new(
        "prices.toml",
        "[[price]]\npart = \"rack-48u\"\nusd = 2000\n\
         [[price]]\npart = \"mma4z00-ns\"\nusd = 1000\n\
         [[price]]\npart = \"mma4z00-ns400\"\nusd = 500\n\
         [[price]]\npart = \"fiber-mpo12-om4\"\nusd = 50\n"
            .to_string(),
    );
    let cat = Catalog::with_user_files(vec![prices]).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/gigapod-h200-air.toml");
    let p = plan(&Spec::from_path(&path).unwrap(), &cat).unwrap();
    // Every server link leaves its rack for the network rack: a twin-port switch module serves two servers,
    // each with its own module and fibre: (1,000 + 2 x 500 + 2 x 50) / 2 = 1,050 dollars a link, 256 links, and
    // 10 racks at 2,000 (8 compute, the SU's network rack, the management rack).
    let usd = p.layout.stats.cost_usd.expect("priced");
    assert!((usd - (256.0 * 1050.0 + 10.0 * 2000.0)).abs() < 1e-6, "{usd}");
    // Without prices the layout has weights only.
    assert!(example("gigapod-h200-air.toml").layout.stats.cost_usd.is_none());
}

/// A management node in the spare room of a server rack filled to its limit: its in-band ports' pluggables (and
/// the servers' storage and in-band modules) count when the layout places it, so the rack stays within its limit
/// once the cable plan picks the media. Found by the property test above (4 x G593-H200, in-rack, 41.8 kW).
#[test]
fn management_devices_in_server_racks_stay_within_the_limit() {
    let text = "name = \"p\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n[facility]\ncooling = \"air\"\n\
                rack_power_limit_kw = 41.8\nleaf_placement = \"in-rack\"\n";
    let spec = Spec::parse(SourceFile::new("p.toml", text)).unwrap();
    let p = plan(&spec, Catalog::builtin()).unwrap();
    assert_layout_sound(&p);
    for r in &p.facility.racks {
        assert!(r.kw.0 <= 41.8 + 1e-9, "{} draws {:.4} kW", r.id, r.kw.0);
    }
    let power = p.checks.iter().find(|c| c.id == "racks.power").expect("racks.power");
    assert_eq!(power.status, gigapod_planner::Status::Pass, "{}", power.message);
}
