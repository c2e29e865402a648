//! The built-in catalog against the planner (issue 11): every GIGAPOD GPU option plans a scalable unit with the
//! defaults, and every (server, switch) pair either plans with parts that can be bought and fit their cages, or
//! fails as bad input naming what is missing. Never a panic.

use gigapod_catalog::{CableMedia, Catalog, CoolingKind, HeatSink, MediaClass, PartKind, SourceFile};
use gigapod_planner::Side;
use gigapod_planner::{Error, Plan, plan, spec::Spec};

fn spec(server: &str, switch: &str, cooling: &str) -> String {
    format!(
        "name = \"p\"\n[compute]\nserver = \"{server}\"\nscalable_units = 1\n[fabric]\nswitch = \"{switch}\"\n\
         [facility]\ncooling = \"{cooling}\"\n"
    )
}

fn try_plan(text: &str) -> Result<Plan, Error> {
    let spec = Spec::parse(SourceFile::new("p.toml", text.to_string())).unwrap();
    plan(&spec, Catalog::builtin())
}

fn sink(s: &Option<gigapod_catalog::Sourced<HeatSink>>) -> Option<HeatSink> {
    s.as_ref().map(|h| h.value)
}

/// Every cable and module of the plan is a catalog part at an orderable length, plugged into a cage of its
/// form and heat sink, and no media rule forbids it.
fn assert_buyable(p: &Plan) {
    let cat = Catalog::builtin();
    let r = &p.resolved;
    let switch_sink = r.switch.cage_heat_sink_at(r.nic_speed);
    let server_sink = gigapod_planner::devices::server_cage_heat_sink(r);
    let forbidden: Vec<MediaClass> = cat
        .media_rules()
        .filter(|m| m.covers(r.nic_speed, &r.switch.protocol))
        .flat_map(|m| m.forbid.value.clone())
        .collect();
    for run in &p.cables.runs {
        let c = cat
            .cable(&run.part_id)
            .unwrap_or_else(|| panic!("{}: unknown cable {}", r.server.id, run.part_id));
        assert!(
            c.lengths_m.value.iter().any(|l| (l.0 - run.length_m.0).abs() < 1e-9),
            "{} is not orderable at {} m",
            c.id,
            run.length_m.0
        );
        // The compute fabric's media rules and cage heat sinks; the other networks' links run at their own speeds.
        if !matches!(run.role.as_str(), "endpoint" | "leaf_spine" | "spine_core") {
            continue;
        }
        let class = match (c.media, c.fiber) {
            (CableMedia::Dac, _) => MediaClass::Dac,
            (CableMedia::Acc, _) => MediaClass::Acc,
            (CableMedia::Aoc, _) => MediaClass::Aoc,
            (CableMedia::Cat6, _) => MediaClass::Dac,
            (CableMedia::Fiber, Some(gigapod_catalog::FiberMedia::Multimode)) => MediaClass::Multimode,
            (CableMedia::Fiber, _) => MediaClass::Singlemode,
        };
        assert!(
            !forbidden.contains(&class),
            "{} is {class}, which a media rule forbids",
            c.id
        );
        if c.media != CableMedia::Fiber {
            let far = if run.role.as_str() == "endpoint" {
                server_sink
            } else {
                switch_sink
            };
            assert!(
                HeatSink::fits(sink(&c.end_a_heat_sink), switch_sink),
                "{} plug at the switch",
                c.id
            );
            assert!(
                HeatSink::fits(sink(&c.end_b_heat_sink), far),
                "{} plug at the far end",
                c.id
            );
        }
    }
    for ((id, side), qty) in &p.cables.transceivers_by_side {
        let t = cat.transceiver(id).unwrap_or_else(|| panic!("unknown module {id}"));
        assert!(*qty > 0);
        // The compute fabric's cages; the storage fabric's modules sit in cages of other forms and speeds.
        let (server_form, _) = gigapod_planner::devices::server_cages(r);
        let switch_form = r
            .switch
            .port_group
            .iter()
            .find(|g| g.modes.iter().any(|m| m.speed_gbps == r.nic_speed))
            .map_or("", |g| g.form.as_str());
        if (t.form != server_form && t.form != switch_form) || t.speed_gbps.value != r.nic_speed {
            continue;
        }
        let cage = match side {
            Side::Switch => switch_sink,
            Side::System => server_sink,
        };
        assert!(
            HeatSink::fits(sink(&t.heat_sink), cage),
            "{id} in a {side:?} cage of {cage:?}"
        );
        let class = match t.media {
            gigapod_catalog::FiberMedia::Multimode => MediaClass::Multimode,
            gigapod_catalog::FiberMedia::Singlemode => MediaClass::Singlemode,
        };
        assert!(
            !forbidden.contains(&class),
            "{id} is {class}, which a media rule forbids"
        );
    }
}

#[test]
fn every_server_switch_pair_plans_buyable_parts_or_names_what_is_missing() {
    let cat = Catalog::builtin();
    let (mut planned, mut refused) = (0, 0);
    for s in cat.iter(Some(PartKind::Server)) {
        let server = cat.server(s.part.id().as_str()).unwrap();
        let cooling = if server.cooling == CoolingKind::Liquid {
            "liquid"
        } else {
            "air"
        };
        for w in cat.iter(Some(PartKind::Switch)) {
            let text = spec(server.id.as_str(), w.part.id().as_str(), cooling);
            match try_plan(&text) {
                Ok(p) => {
                    assert_buyable(&p);
                    planned += 1;
                }
                Err(e) => {
                    // Bad input (exit 2) with a located message that names the part or figure at fault.
                    // Every input error carries its located diagnostics (the CLI prints them).
                    let m = match e.diagnostics() {
                        Some(d) => d.to_string(),
                        None => panic!("{text}\n{e:?}"),
                    };
                    assert!(!matches!(e, Error::Io { .. }), "{text}\n{e}");
                    // A missing medium names the modules or cable the catalog lacks; any other refusal (a speed
                    // the switch cannot run, a rack the network does not fit) is located at the key to change.
                    if m.contains("no cable or transceiver") {
                        assert!(m.contains("the catalog lacks a "), "{text}\n{m}");
                    }
                    assert!(
                        m.contains("p.toml:") && m.contains("= key: ") && m.contains("help:"),
                        "{text}\n{m}"
                    );
                    refused += 1;
                }
            }
        }
    }
    // The test covers both outcomes: most pairs plan, the speed-mismatched ones are refused.
    assert!(planned >= 14 && refused >= 10, "planned {planned}, refused {refused}");
}

#[test]
fn every_gigapod_gpu_option_plans_one_su_on_a_compatible_switch_with_the_defaults() {
    for (server, switch, cooling) in [
        ("g593-h200", "qm9700", "air"),
        ("g893-sd1-b200", "qm9700", "air"),
        ("g894-sd1-b200", "qm9700", "air"),
        ("g4l3-sd1-b200", "qm9700", "liquid"),
        ("g4l4-sd1-b300", "q3200-ra", "liquid"),
        ("g593-mi300x", "qm9700", "air"),
        ("g893-zx1-mi325x", "qm9700", "air"),
        ("g893-zx1-mi350x", "qm9700", "air"),
        ("g4l3-zx1-mi355x", "qm9700", "liquid"),
        ("hls-gaudi3", "sn5600", "air"),
    ] {
        let p = try_plan(&spec(server, switch, cooling)).unwrap_or_else(|e| panic!("{server} on {switch}: {e}"));
        assert_eq!(p.compute.scalable_units, 1);
        assert!(
            p.checks.iter().all(|c| c.status != gigapod_planner::Status::Fail),
            "{server}: {:?}",
            p.checks
                .iter()
                .filter(|c| c.status == gigapod_planner::Status::Fail)
                .collect::<Vec<_>>()
        );
        assert_buyable(&p);
    }
}

#[test]
fn gaudi3_rails_follow_its_six_osfp_ports_not_its_eight_cards() {
    let p = try_plan(&spec("hls-gaudi3", "sn5600", "air")).unwrap();
    // 6 x 800G per server; an SN5600 at 800G has 64 ports, so 32 servers per SU at 1:1 and 6 leaves.
    assert_eq!((p.compute.rails, p.compute.gpus_per_server), (6, 8));
    assert_eq!(p.compute.servers_per_su, 32);
    let f = p.fabric.summary();
    assert_eq!((f.switches.leaf, f.links.endpoint), (6, 32 * 6));
}

#[test]
fn four_dgx_h100_fit_a_41_kw_rack() {
    let p = try_plan(
        "name = \"p\"\n[compute]\nserver = \"dgx-h100\"\nscalable_units = 1\n[facility]\nrack_power_limit_kw = 41.0\n",
    )
    .unwrap();
    let compute: Vec<_> = p
        .layout
        .racks
        .iter()
        .filter(|r| r.kind == gigapod_planner::layout::RackKind::Compute)
        .collect();
    let full: Vec<&str> = compute
        .iter()
        .filter(|r| r.devices.iter().filter(|d| d.part_id == "dgx-h100").count() == 4)
        .map(|r| r.id.as_str())
        .collect();
    assert!(full.len() >= 7, "most of the 32 DGX H100 go 4 to a rack: {full:?}");
    for id in full {
        let kw = p.facility.racks.iter().find(|r| r.id == id).unwrap().kw.0;
        assert!(
            (kw - 40.8).abs() < 1e-9,
            "{id}: 4 x 10.2 kW, modules included, is {kw} kW"
        );
    }
    let racks = p.checks.iter().find(|c| c.id == "racks.power").unwrap();
    assert_eq!(racks.status, gigapod_planner::Status::Pass, "{racks:?}");
    // The modules are still ordered: 4 flat-top twin-port system modules per DGX (31 of them: UFM takes the
    // 32nd server's leaf ports, the RA's "31 nodes + UFM").
    assert_eq!(p.compute.servers, 31);
    assert_eq!(
        p.cables.transceivers_by_side[&("mma4z00-ns-flt".to_string(), Side::System)],
        31 * 4
    );
}
