//! The layout on real plans: limits per rack, devices placed once, the solver against first-fit, and the
//! reference designs' shapes (air spreads servers by kW, liquid packs them densely).

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::layout::{DeviceKind, RackKind};
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
    // Every link is cabled once, and its ends are placed.
    assert_eq!(p.cables.runs.len(), p.fabric.graph().edge_count());
    assert!(
        p.cables
            .runs
            .iter()
            .all(|r| !r.a_rack.is_empty() && !r.b_rack.is_empty())
    );
    // The BOM counts what the graph and the layout hold.
    let qty = |id: &str| p.bom.iter().filter(|l| l.part_id == id).map(|l| l.qty).sum::<u64>();
    assert_eq!(qty(p.resolved.server.id.as_str()), u64::from(p.compute.servers));
    assert_eq!(qty(p.resolved.switch.id.as_str()), p.fabric.switches().len() as u64);
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

#[test]
fn solver_beats_first_fit_on_the_bundled_examples() {
    for name in ["gigapod-h200-air.toml", "gigapod-b200-dlc.toml"] {
        let p = example(name);
        let s = &p.layout.stats;
        println!(
            "{name}: solver cost {:.2} ({} racks), first-fit decreasing {:.2} ({} racks), block programs optimal {}",
            s.solver_cost,
            p.layout.racks.iter().filter(|r| r.kind == RackKind::Compute).count(),
            s.first_fit_cost,
            s.first_fit_racks,
            s.block_programs_optimal
        );
        assert!(s.block_programs_optimal, "{name}: not proven optimal");
        assert!(
            s.solver_cost < s.first_fit_cost,
            "{name}: {} not below {}",
            s.solver_cost,
            s.first_fit_cost
        );
    }
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
        .prop_map(|((server, cooling), n, per_su, kw, ratio, row)| {
            format!(
                "name = \"p\"\n[compute]\nserver = \"{server}\"\nservers = {n}\nservers_per_su = {per_su}\n\
                 [fabric]\noversubscription = {ratio}\n[facility]\ncooling = \"{cooling}\"\n\
                 rack_power_limit_kw = {kw:.1}\nracks_per_row = {row}\n"
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_rack_within_limits_and_every_device_placed_once(text in spec_strategy()) {
        let spec = Spec::parse(SourceFile::new("p.toml", text.clone())).unwrap();
        match plan(&spec, Catalog::builtin()) {
            Ok(p) => assert_layout_sound(&p),
            // A limit below one server, or a row shorter than a scalable unit, is a clear input error, never a
            // panic or a broken layout.
            Err(e) => {
                let e = e.to_string();
                prop_assert!(e.contains("no rack can hold") || e.contains("racks per row allowed"), "{text}\n{e}");
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
        e.contains("one server with its NIC modules draws 10.20 kW, 2.20 kW more than the rack limit of 8.00 kW"),
        "{e}"
    );
    // A server whose power is derived from its parts gets its NIC modules added: the G593 H200's derived
    // 10,173.7 W plus 8 single-port modules at the most the catalog has for its cages.
    let g = "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n[facility]\nrack_power_limit_kw = 8.0\n";
    let e = plan_err(g);
    assert!(e.contains("one server with its NIC modules draws 10.25 kW"), "{e}");
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
    for s in 1..=p.compute.servers {
        let w = p.cables.pluggable_w[&format!("srv{s}")].0;
        assert!((w - 4.0 * module_w).abs() < 1e-9, "srv{s}: {w} W of modules");
    }
    // Every server link is one fibre; the twin-port module count covers 4 cages per server and the leaf cages.
    let server_links = u64::from(p.compute.servers) * 8;
    let modules: u64 = p.cables.transceivers.values().sum();
    assert!(
        modules >= u64::from(p.compute.servers) * 4 + server_links / 2,
        "{modules}"
    );
    assert!(!p.cables.transceivers.contains_key("mma4z00-ns400"));
}
