//! Fabric construction: counts, ports, wiring, errors and exports.

use gigapod_catalog::units::Gbps;
use gigapod_catalog::{Catalog, Switch};
use gigapod_planner::fabric::{
    self, Fabric, FabricError, FabricRequest, LinkRole, PortRef, Role, SwitchCounts, Tiers, synthetic_switch,
};
use std::collections::{BTreeMap, HashSet};

fn req(switch: &Switch, servers: u32, rails: u32, spu: u32, speed: u64, r: f64, tiers: Tiers) -> FabricRequest<'_> {
    FabricRequest {
        switch,
        servers,
        rails,
        servers_per_su: spu,
        speed: Gbps(speed),
        oversubscription: r,
        rail_optimized: true,
        tiers,
    }
}

/// Links per (lower, upper) switch pair.
fn pairs(f: &Fabric, role: LinkRole) -> BTreeMap<(usize, usize), u32> {
    let mut m = BTreeMap::new();
    for e in f.graph().edge_weights().filter(|l| l.role == role) {
        *m.entry((e.a.node.index(), e.b.node.index())).or_insert(0) += 1;
    }
    m
}

#[test]
fn one_su_of_g593_h200_on_qm9700() {
    let cat = Catalog::builtin();
    let server = cat.server("g593-h200").expect("g593-h200 in the catalog");
    let nic = cat.nic(server.fabric_nic.as_str()).expect("its NIC");
    let qm9700 = cat.switch("qm9700").expect("qm9700 in the catalog");
    let rails = server.fabric_nic_count.value * nic.ports.value;
    let speed = nic.port_speed_gbps.value;
    assert_eq!((rails, speed), (8, Gbps(400)));
    let f = fabric::build(&req(qm9700, 32, rails, 32, speed.0, 1.0, Tiers::Auto)).unwrap();
    let s = f.summary();
    assert_eq!(s.tiers, 2);
    assert_eq!(s.switch_id.as_str(), "qm9700");
    assert_eq!(s.endpoints, 256);
    assert_eq!(
        s.switches,
        SwitchCounts {
            leaf: 8,
            spine: 4,
            core: 0,
            total: 12
        }
    );
    assert_eq!(
        (s.links.endpoint, s.links.leaf_spine, s.links.spine_core, s.links.total),
        (256, 256, 0, 512)
    );
    assert_eq!(s.full_bisection_gbps, Gbps(51_200));
    approx::assert_relative_eq!(s.oversubscription, 1.0);
    // Every leaf has 8 links to each of the 4 spines.
    let p = pairs(&f, LinkRole::LeafSpine);
    assert_eq!(p.len(), 32);
    assert!(p.values().all(|&n| n == 8));
    let a = fabric::analyse(&f, &Default::default());
    assert_eq!(a.bisection_gbps, Gbps(51_200));
    assert!(a.non_blocking);
}

/// Section 7 of hardware-facts.md: a k-ary fat-tree of radix-k switches and 1-rail servers has k^3/4 hosts,
/// k^2/2 edge and k^2/2 aggregation switches, (k/2)^2 cores and k^3/2 switch-switch links, in k pods.
#[test]
fn k_ary_fat_trees_match_the_published_counts() {
    for k in [4u32, 8, 16, 64] {
        let sw = synthetic_switch(&format!("radix-{k}"), k, &[(400, 1)]);
        // One SU per edge switch (k/2 servers), or one SU per pod ((k/2)^2 servers): same fabric.
        for spu in [k / 2, k * k / 4] {
            for tiers in [Tiers::Auto, Tiers::Three] {
                let f = fabric::build(&req(&sw, k * k * k / 4, 1, spu, 400, 1.0, tiers)).unwrap();
                let s = f.summary();
                assert_eq!(s.tiers, 3, "k = {k}");
                assert_eq!(s.endpoints, k * k * k / 4, "k = {k}");
                assert_eq!(s.switches.leaf, k * k / 2, "k = {k}");
                assert_eq!(s.switches.spine, k * k / 2, "k = {k}");
                assert_eq!(s.switches.core, k * k / 4, "k = {k}");
                assert_eq!(s.switches.total, 5 * k * k / 4, "k = {k}");
                assert_eq!(s.links.leaf_spine + s.links.spine_core, k * k * k / 2, "k = {k}");
                assert_eq!(s.pods, k, "k = {k}");
                // Every switch uses all k ports, one link per neighbour.
                let g = f.graph();
                for n in f.switches() {
                    assert_eq!(g.edges(n).count() as u32, k, "{}", g[n].name);
                }
                assert!(pairs(&f, LinkRole::LeafSpine).values().all(|&n| n == 1));
                assert!(pairs(&f, LinkRole::SpineCore).values().all(|&n| n == 1));
            }
        }
        // One host more than k^3/4 does not fit in three tiers.
        let e = fabric::build(&req(&sw, k * k * k / 4 + 1, 1, k / 2, 400, 1.0, Tiers::Auto)).unwrap_err();
        assert_eq!(e.key(), "fabric.switch");
        let max = match k {
            4 => "16",
            8 => "128",
            16 => "1,024",
            _ => "65,536",
        };
        assert!(
            e.to_string()
                .contains(&format!("at most {max} endpoints in three tiers")),
            "{e}"
        );
    }
}

#[test]
fn full_size_qm9700_three_tier() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    let f = fabric::build(&req(&sw, 256 * 32, 8, 32, 400, 1.0, Tiers::Auto)).unwrap();
    let s = f.summary();
    assert_eq!(s.tiers, 3);
    assert_eq!(
        s.switches,
        SwitchCounts {
            leaf: 2048,
            spine: 2048,
            core: 1024,
            total: 5120
        }
    );
    assert_eq!(
        (s.links.endpoint, s.links.leaf_spine, s.links.spine_core),
        (65_536, 65_536, 65_536)
    );
    assert_eq!(s.pods, 64);
    let d = f.design();
    assert_eq!(
        (d.sus_per_pod, d.leaves_per_pod, d.spines_per_pod, d.cores_per_group),
        (Some(4), 32, 32, 32)
    );
}

#[test]
fn tiers_auto_switches_at_the_two_tier_limit() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    let two = fabric::build(&req(&sw, 8 * 32, 8, 32, 400, 1.0, Tiers::Auto)).unwrap();
    assert_eq!(two.summary().tiers, 2);
    assert_eq!(
        two.summary().switches,
        SwitchCounts {
            leaf: 64,
            spine: 32,
            core: 0,
            total: 96
        }
    );
    let three = fabric::build(&req(&sw, 8 * 32 + 1, 8, 32, 400, 1.0, Tiers::Auto)).unwrap();
    assert_eq!(three.summary().tiers, 3);
    let forced = fabric::build(&req(&sw, 32, 8, 32, 400, 1.0, Tiers::Three)).unwrap();
    assert_eq!(forced.summary().tiers, 3);
    assert!(forced.summary().switches.core > 0);
}

#[test]
fn other_catalog_switches() {
    let cat = Catalog::builtin();
    // SN5600 at 400G: 128 ports (64 cages of 2); at 800G: 64.
    let sn = cat.switch("sn5600").unwrap();
    let f = fabric::build(&req(sn, 64, 8, 64, 400, 1.0, Tiers::Auto)).unwrap();
    assert_eq!(f.design().ports_per_switch, 128);
    assert_eq!(f.summary().switches.leaf, 8);
    assert_eq!(
        f.port_label(PortRef {
            node: f.leaves().next().unwrap(),
            port: 127
        }),
        "64/2"
    );
    let f = fabric::build(&req(sn, 64, 8, 32, 800, 1.0, Tiers::Auto)).unwrap();
    assert_eq!((f.design().ports_per_switch, f.summary().switches.leaf), (64, 16));
    // Q3400-RA at 800G: 144 ports; two tiers reach 144 x 72 = 10,368 endpoints.
    let q = cat.switch("q3400-ra").unwrap();
    let f = fabric::build(&req(q, 72 * 18, 8, 72, 800, 1.0, Tiers::Two)).unwrap();
    assert_eq!(
        (
            f.summary().switches.leaf,
            f.summary().switches.spine,
            f.summary().endpoints
        ),
        (144, 72, 10_368)
    );
    let e = fabric::build(&req(q, 72 * 19, 8, 72, 800, 1.0, Tiers::Two)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("q3400-ra builds at most 10,368 endpoints in two tiers (18 scalable units of 72 x 8)"),
        "{e}"
    );
    let e = fabric::build(&req(q, 32, 8, 32, 400, 1.0, Tiers::Auto)).unwrap_err();
    assert!(matches!(e, FabricError::SpeedUnsupported { .. }));
    assert_eq!(e.key(), "fabric.switch");
}

#[test]
fn ports_follow_the_cages() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    let f = fabric::build(&req(&sw, 32, 8, 32, 400, 1.0, Tiers::Auto)).unwrap();
    let g = f.graph();
    let leaf = f.leaves().next().unwrap();
    assert_eq!(g[leaf].name, "leaf-su1-r1");
    let mut down = Vec::new();
    let mut up = Vec::new();
    for e in g.edges(leaf) {
        let l = e.weight();
        match l.role {
            LinkRole::Endpoint => down.push(l.b.port),
            LinkRole::LeafSpine => up.push(l.a.port),
            LinkRole::SpineCore => unreachable!(),
        }
    }
    down.sort_unstable();
    up.sort_unstable();
    assert_eq!(down, (0..32).collect::<Vec<_>>());
    assert_eq!(up, (32..64).collect::<Vec<_>>());
    // Server 1's NIC 1 is on port 1/1, server 2's on 1/2, server 32's on 16/2; the first uplink is 17/1.
    let label = |p: u32| f.port_label(PortRef { node: leaf, port: p });
    assert_eq!(
        (label(0), label(1), label(31), label(32), label(63)),
        ("1/1".into(), "1/2".into(), "16/2".into(), "17/1".into(), "32/2".into())
    );
    // An endpoint's port is its NIC index.
    let ep = f.endpoint(5, 3).unwrap();
    assert_eq!(g[ep].name, "srv6-nic4");
    let link = g.edges(ep).next().unwrap().weight();
    assert_eq!(link.a, PortRef { node: ep, port: 3 });
    assert_eq!(g[link.b.node].name, "leaf-su1-r4");
    assert_eq!(link.b.port, 5);
    assert_eq!(f.leaf_of(5 * 8 + 3), Some(link.b.node));
}

#[test]
fn uplinks_start_on_a_fresh_cage_when_they_fit() {
    // 2:1 on 64 ports: 31 servers down, 16 up: uplinks start at port 32 (cage 17), not 31.
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    let f = fabric::build(&req(&sw, 31, 8, 31, 400, 2.0, Tiers::Auto)).unwrap();
    assert_eq!(
        (
            f.design().leaf_downlinks_max,
            f.design().leaf_uplinks,
            f.design().leaf_uplink_first_port
        ),
        (31, 16, 32)
    );
    // 1:1 with 33 servers on a 66-port switch: 33 down, 33 up; an aligned start (34) would not leave 33 ports.
    let sw66 = synthetic_switch("radix-66", 33, &[(400, 2)]);
    let f = fabric::build(&req(&sw66, 33, 8, 33, 400, 1.0, Tiers::Auto)).unwrap();
    assert_eq!((f.design().leaf_uplinks, f.design().leaf_uplink_first_port), (33, 33));
}

#[test]
fn every_port_is_used_once_and_within_the_switch() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    for (servers, spu, r, rail_opt, tiers) in [
        (32, 32, 1.0, true, Tiers::Auto),
        (100, 32, 2.0, true, Tiers::Auto),
        (300, 40, 1.0, true, Tiers::Three),
        (70, 16, 3.0, false, Tiers::Auto),
        (1000, 32, 1.5, false, Tiers::Three),
    ] {
        let mut rq = req(&sw, servers, 8, spu, 400, r, tiers);
        rq.rail_optimized = rail_opt;
        let f = fabric::build(&rq).unwrap();
        let mut seen = HashSet::new();
        for l in f.graph().edge_weights() {
            for end in [l.a, l.b] {
                let limit = if f.node(end.node).role == Role::Endpoint { 8 } else { 64 };
                assert!(end.port < limit, "{} port {}", f.node(end.node).name, end.port);
                assert!(
                    seen.insert((end.node, end.port)),
                    "{} port {} twice",
                    f.node(end.node).name,
                    end.port
                );
            }
        }
        let a = fabric::analyse(&f, &Default::default());
        let budget = a.checks.iter().find(|c| c.id == "fabric.port_budget").unwrap();
        assert_eq!(budget.status, gigapod_planner::Status::Pass, "{}", budget.message);
    }
}

#[test]
fn rail_optimised_leaves_hold_one_rail_of_one_su() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    // 3.5 SUs of 40 servers: a rail has two leaves per SU (32 + 8 servers), the partial SU has 20 servers.
    let f = fabric::build(&req(&sw, 140, 8, 40, 400, 1.0, Tiers::Auto)).unwrap();
    assert_eq!(f.design().leaves_per_su, 16);
    assert_eq!(f.summary().switches.leaf, 3 * 16 + 8);
    for e in f.endpoints() {
        let n = f.node(e);
        let leaf = f.leaf_of(n.index).unwrap();
        assert_eq!(f.node(leaf).su, n.su, "{}", n.name);
        assert_eq!(f.node(leaf).rail, n.rail, "{}", n.name);
    }
    assert_eq!(f.node(f.leaves().nth(1).unwrap()).name, "leaf-su1-r1-2");
    // Not rail-optimised: server-major chunks of 32 endpoints (4 servers x 8 NICs) per leaf, no rail.
    let mut rq = req(&sw, 140, 8, 40, 400, 1.0, Tiers::Auto);
    rq.rail_optimized = false;
    let f = fabric::build(&rq).unwrap();
    assert_eq!(f.summary().switches.leaf, 3 * 10 + 5);
    assert!(f.leaves().all(|l| f.node(l).rail.is_none()));
    assert_eq!(f.leaf_of(31), f.leaf_of(0));
    assert_ne!(f.leaf_of(32), f.leaf_of(0));
}

#[test]
fn oversubscription_rounding_is_never_worse_than_asked() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    // (ratio, downlinks, fewest uplinks, uplinks built, spines): 16 leaves allow 4 links per leaf-spine pair; the
    // uplinks are rounded up to a multiple of the fewest spines that carry them (3:1 wants 11: 3 spines x 4).
    for (r, down, fewest, up, spines) in [
        (1.0, 32, 32, 32, 8),
        (2.0, 32, 16, 16, 4),
        (3.0, 32, 11, 12, 3),
        (1.5, 32, 22, 24, 6),
        (4.0, 32, 8, 8, 2),
    ] {
        let f = fabric::build(&req(&sw, 64, 8, 32, 400, r, Tiers::Auto)).unwrap();
        let d = f.design();
        assert_eq!(
            (d.leaf_downlinks_max, d.leaf_uplinks, d.spines_per_pod),
            (down, up, spines),
            "r = {r}"
        );
        assert!(d.oversubscription <= r + 1e-12);
        assert!(
            d.leaf_downlinks_max as f64 / (fewest - 1) as f64 > r,
            "one uplink fewer than the fewest would be worse"
        );
        assert!(
            up >= fewest && up - fewest < d.spines_per_pod,
            "rounded up by less than one link per spine"
        );
    }
    // A leaf at 3:1 takes up to 48 servers: 48 down, 16 up.
    let f = fabric::build(&req(&sw, 48, 8, 48, 400, 3.0, Tiers::Auto)).unwrap();
    assert_eq!((f.design().leaf_downlinks_max, f.design().leaf_uplinks), (48, 16));
}

#[test]
fn bad_input_names_the_key_and_the_nearest_design() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2), (200, 4)]);
    let e = fabric::build(&req(&sw, 10 * 32, 8, 32, 400, 1.0, Tiers::Two)).unwrap_err();
    assert_eq!(e.key(), "fabric.tiers");
    assert_eq!(
        e.to_string(),
        "qm9700 builds at most 2,048 endpoints in two tiers (8 scalable units of 32 x 8); 2,560 endpoints asked \
         (320 servers x 8 rails): use tiers = 3 or a larger switch"
    );
    let e = fabric::build(&req(&sw, 300 * 32, 8, 32, 400, 1.0, Tiers::Auto)).unwrap_err();
    assert_eq!(e.key(), "fabric.switch");
    assert!(
        e.to_string()
            .starts_with("qm9700 builds at most 65,536 endpoints in three tiers (256 scalable units of 32 x 8)")
    );
    // More downlinks per leaf do not help 32-server SUs (one leaf per rail at 1:1 already): no such advice.
    assert!(!e.to_string().contains("oversubscription"), "{e}");
    // 40-server SUs take 2 leaves per rail at 1:1 (32 downlinks), 1 at 2:1 (42): 200 SUs need 3,200 leaves of the
    // 2,048 a three-tier k = 64 fabric has at 1:1, and 1,600 at 2:1, so the advice names 2:1.
    let e = fabric::build(&req(&sw, 200 * 40, 8, 40, 400, 1.0, Tiers::Auto)).unwrap_err();
    assert!(
        e.to_string().contains("fabric.oversubscription = 2 (it builds at 2:1)"),
        "{e}"
    );
    assert!(fabric::build(&req(&sw, 200 * 40, 8, 40, 400, 2.0, Tiers::Auto)).is_ok());
    // A partial SU can be the largest size: 3 leaves per SU of 32 x 3 (not rail-optimised), 21 SUs use 63 leaves
    // and one more leaf takes 10 servers.
    let mut rq = req(&sw, 1000, 3, 32, 400, 1.0, Tiers::Two);
    rq.rail_optimized = false;
    let e = fabric::build(&rq).unwrap_err();
    assert!(e.to_string().starts_with("qm9700 builds at most 2,046 endpoints in two tiers (21 scalable units of 32 x 3 and a partial one of 10 servers)"), "{e}");
    let e = fabric::build(&req(&sw, 32, 8, 32, 400, 0.8, Tiers::Auto)).unwrap_err();
    assert_eq!(e.key(), "fabric.oversubscription");
    assert!(e.to_string().contains("use 1.0 for a non-blocking fabric"));
    let e = fabric::build(&req(&sw, 32, 8, 32, 800, 1.0, Tiers::Auto)).unwrap_err();
    assert_eq!(e.key(), "fabric.switch");
    assert!(e.to_string().contains("its ports run at 400, 200 Gb/s"), "{e}");
    assert_eq!(
        fabric::build(&req(&sw, 0, 8, 32, 400, 1.0, Tiers::Auto))
            .unwrap_err()
            .key(),
        "compute.servers"
    );
    assert_eq!(
        fabric::build(&req(&sw, 32, 0, 32, 400, 1.0, Tiers::Auto))
            .unwrap_err()
            .key(),
        "compute.server"
    );
    assert_eq!(
        fabric::build(&req(&sw, 32, 8, 0, 400, 1.0, Tiers::Auto))
            .unwrap_err()
            .key(),
        "compute.servers_per_su"
    );
    // A switch with one port cannot split into downlinks and uplinks.
    let tiny = synthetic_switch("tiny", 1, &[(400, 1)]);
    assert!(matches!(
        fabric::build(&req(&tiny, 1, 1, 1, 400, 1.0, Tiers::Auto)),
        Err(FabricError::TooFewPorts { .. })
    ));
}

#[test]
fn graphml_and_dot_exports() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    let f = fabric::build(&req(&sw, 6, 2, 4, 400, 1.0, Tiers::Three)).unwrap();
    let s = f.summary();
    let xml = fabric::to_graphml(&f);
    assert!(xml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#));
    assert!(xml.trim_end().ends_with("</graphml>"));
    assert_eq!(xml.matches("<node id=").count() as u32, s.endpoints + s.switches.total);
    assert_eq!(xml.matches("<edge id=").count() as u32, s.links.total);
    assert!(xml.contains(r#"<data key="node_role">core</data>"#));
    assert!(xml.contains(r#"<data key="edge_role">spine_core</data>"#));
    assert!(xml.contains(r#"<data key="su">2</data>"#));
    assert!(xml.contains(r#"<data key="capacity_gbps">400</data>"#));
    // Balanced tags: every opened element closes.
    assert_eq!(xml.matches("<node ").count(), xml.matches("</node>").count());
    assert_eq!(xml.matches("<edge ").count(), xml.matches("</edge>").count());
    let mut buf = Vec::new();
    fabric::write_graphml(&f, &mut buf).unwrap();
    assert_eq!(String::from_utf8(buf).unwrap(), xml);

    let dot = fabric::to_dot(&f);
    assert!(dot.starts_with("graph fabric {"));
    assert!(dot.trim_end().ends_with('}'));
    assert_eq!(dot.matches(" -- ").count() as u32, s.links.total);
    assert!(dot.contains(r#"label="srv1-nic1", role="endpoint", tier=0, su=1, rail=1, server=1"#));
    assert!(dot.contains("rank=same"));
    let mut buf = Vec::new();
    fabric::write_dot(&f, &mut buf).unwrap();
    assert_eq!(String::from_utf8(buf).unwrap(), dot);
}

#[test]
fn summary_serialises_with_contract_keys() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    let f = fabric::build(&req(&sw, 32, 8, 32, 400, 1.0, Tiers::Auto)).unwrap();
    let v = serde_json::to_value(f.summary()).unwrap();
    for key in [
        "tiers",
        "switch_id",
        "port_speed_gbps",
        "endpoints",
        "oversubscription",
        "full_bisection_gbps",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert_eq!(v["switch_id"], "qm9700");
    assert_eq!(v["port_speed_gbps"], 400);
    assert_eq!(v["switches"]["leaf"], 8);
    assert_eq!(v["links"]["leaf_spine"], 256);
    assert_eq!(v["links"]["total"], 512);
    let a = serde_json::to_value(fabric::analyse(&f, &Default::default())).unwrap();
    for key in [
        "bisection_gbps",
        "full_bisection_gbps",
        "non_blocking",
        "bisection_after_worst_switch_failure_gbps",
    ] {
        assert!(a.get(key).is_some(), "{key}");
    }
    assert_eq!(a["bisection_gbps"], 51_200);
    assert_eq!(a["checks"][0]["id"], "fabric.port_budget");
}

#[test]
fn counts_are_those_of_the_graph() {
    let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
    let f = fabric::build(&req(&sw, 1000, 8, 32, 400, 2.0, Tiers::Auto)).unwrap();
    let s = f.summary();
    let g = f.graph();
    let count = |r: Role| g.node_weights().filter(|n| n.role == r).count() as u32;
    assert_eq!(
        (count(Role::Leaf), count(Role::Spine), count(Role::Core)),
        (s.switches.leaf, s.switches.spine, s.switches.core)
    );
    assert_eq!(count(Role::Endpoint), s.endpoints);
    assert_eq!(g.edge_count() as u32, s.links.total);
    assert_eq!(f.leaves().len() as u32, s.switches.leaf);
    assert_eq!(f.spines().len() as u32, s.switches.spine);
    assert_eq!(f.cores().len() as u32, s.switches.core);
    assert_eq!(f.endpoints().len() as u32, s.endpoints);
    assert!(f.leaves().all(|n| f.node(n).role == Role::Leaf));
    assert!(f.spines().all(|n| f.node(n).role == Role::Spine));
    assert!(f.cores().all(|n| f.node(n).role == Role::Core));
    assert!(f.endpoints().all(|n| f.node(n).role == Role::Endpoint));
    let names: HashSet<&str> = g.node_weights().map(|n| n.name.as_str()).collect();
    assert_eq!(names.len(), g.node_count(), "names are unique");
}
