//! Fabric analysis: bisection by max-flow against petgraph's Dinic on the full graph, failures and checks.

use gigapod_catalog::Switch;
use gigapod_catalog::units::Gbps;
use gigapod_planner::Status;
use gigapod_planner::fabric::{self, AnalysisOptions, Fabric, FabricAnalysis, FabricRequest, Tiers, synthetic_switch};
use petgraph::graph::{DiGraph, NodeIndex};
use rand::SeedableRng;
use rand::seq::SliceRandom;

fn qm9700() -> Switch {
    synthetic_switch("qm9700", 32, &[(400, 2)])
}

fn build(sw: &Switch, servers: u32, rails: u32, spu: u32, r: f64, rail_optimized: bool, tiers: Tiers) -> Fabric {
    fabric::build(&FabricRequest {
        switch: sw,
        servers,
        rails,
        servers_per_su: spu,
        speed: Gbps(400),
        oversubscription: r,
        rail_optimized,
        tiers,
    })
    .unwrap()
}

fn check<'a>(a: &'a FabricAnalysis, id: &str) -> &'a gigapod_planner::Check {
    a.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// petgraph's `dinics` on the full graph: every endpoint a node, every physical link two arcs of its capacity,
/// a super source feeding A's endpoints and B's endpoints feeding a super sink at the link speed. Nothing merged.
fn oracle(f: &Fabric, a: &[u32], b: &[u32]) -> u64 {
    let g = f.graph();
    let mut d: DiGraph<(), u64> = DiGraph::with_capacity(g.node_count() + 2, 2 * g.edge_count() + a.len() + b.len());
    for _ in 0..g.node_count() + 2 {
        d.add_node(());
    }
    for e in g.raw_edges() {
        let c = e.weight.capacity.0;
        d.add_edge(e.source(), e.target(), c);
        d.add_edge(e.target(), e.source(), c);
    }
    let (s, t) = (NodeIndex::new(g.node_count()), NodeIndex::new(g.node_count() + 1));
    let speed = f.speed().0;
    let base = f.endpoints().next().unwrap().index();
    for &e in a {
        d.add_edge(s, NodeIndex::new(base + e as usize), speed);
    }
    for &e in b {
        d.add_edge(NodeIndex::new(base + e as usize), t, speed);
    }
    petgraph::algo::dinics(&d, s, t).0
}

#[test]
fn dinic_matches_petgraph_on_the_full_graph() {
    let sw = qm9700();
    let cases = [
        build(&sw, 32, 8, 32, 1.0, true, Tiers::Auto),
        build(&sw, 80, 8, 32, 2.0, true, Tiers::Auto),
        build(&sw, 300, 4, 32, 1.0, true, Tiers::Three),
        build(&sw, 200, 2, 24, 3.0, false, Tiers::Three),
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    for f in &cases {
        let e = f.design().endpoints;
        let half = e / 2;
        // The analysis' su-halves and rail-halves cuts, rebuilt here.
        let a = fabric::analyse(f, &AnalysisOptions::default());
        let su_a: Vec<u32> = (0..half).collect();
        let su_b: Vec<u32> = (half..e).collect();
        assert_eq!(a.cuts[0].name, "su-halves");
        assert_eq!(a.cuts[0].bisection_gbps.0, oracle(f, &su_a, &su_b));
        let rails = f.design().rails;
        let order: Vec<u32> = (0..rails)
            .flat_map(|r| (0..f.design().servers).map(move |s| s * rails + r))
            .collect();
        assert_eq!(a.cuts[1].name, "rail-halves");
        assert_eq!(
            a.cuts[1].bisection_gbps.0,
            oracle(f, &order[..half as usize], &order[half as usize..])
        );
        // Random sets, balanced or not.
        for _ in 0..3 {
            let mut all: Vec<u32> = (0..e).collect();
            all.shuffle(&mut rng);
            let (x, y) = all.split_at(e as usize / 3);
            assert_eq!(fabric::max_flow_between(f, x, y).0, oracle(f, x, y));
        }
    }
}

#[test]
fn one_su_non_blocking_with_its_failures() {
    let f = build(&qm9700(), 32, 8, 32, 1.0, true, Tiers::Auto);
    let a = fabric::analyse(&f, &AnalysisOptions::default());
    assert_eq!(a.bisection_gbps, Gbps(51_200));
    assert_eq!(a.full_bisection_gbps, Gbps(51_200));
    assert!(a.non_blocking);
    assert_eq!(a.cuts.len(), 6);
    // One of 4 spines lost: the rail halves keep 3/4 of their uplinks.
    assert_eq!(a.bisection_after_worst_switch_failure_gbps, Gbps(38_400));
    assert_eq!(a.worst_failed_switch.as_deref(), Some("spine-1"));
    assert_eq!(a.switch_failures_tried, 1);
    // Each failed leaf-spine link costs at most one link's capacity.
    assert!(a.bisection_after_link_failures_gbps.0 >= 51_200 - 8 * 400);
    assert!(a.bisection_after_link_failures_gbps.0 < 51_200);
    assert_eq!(a.failed_links, 8);
    assert_eq!(a.endpoints_lost_per_leaf_failure, 32);
    assert_eq!(a.max_flows, 6 * 3);
    let ids: Vec<&str> = a.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "fabric.port_budget",
            "fabric.wiring",
            "fabric.oversubscription.leaf",
            "fabric.oversubscription.spine",
            "fabric.bisection",
            "fabric.switch_failure",
            "fabric.link_failures",
            "fabric.leaf_failure",
            "fabric.growth"
        ]
    );
    for c in &a.checks {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.id, c.message);
    }
    assert!(
        check(&a, "fabric.bisection").message.contains("51,200 Gb/s"),
        "{}",
        check(&a, "fabric.bisection").message
    );
}

#[test]
fn two_to_one_measures_half() {
    for (servers, tiers) in [(32, Tiers::Auto), (256, Tiers::Auto), (512, Tiers::Three)] {
        let f = build(&qm9700(), servers, 8, 32, 2.0, true, tiers);
        let a = fabric::analyse(&f, &AnalysisOptions::default());
        assert_eq!(a.bisection_gbps.0 * 2, a.full_bisection_gbps.0, "{servers} servers");
        assert!(!a.non_blocking);
        assert_eq!(check(&a, "fabric.bisection").status, Status::Pass);
        assert_eq!(check(&a, "fabric.oversubscription.leaf").status, Status::Pass);
    }
}

#[test]
fn three_tier_checks() {
    let f = build(&qm9700(), 12 * 32 + 5, 8, 32, 1.0, true, Tiers::Auto);
    assert_eq!(f.summary().tiers, 3);
    let a = fabric::analyse(&f, &AnalysisOptions::default());
    assert!(a.non_blocking);
    assert!(a.checks.iter().any(|c| c.id == "fabric.oversubscription.core"));
    for c in &a.checks {
        // The partial last SU (5 servers) keeps a full SU's uplinks, and says so.
        let want = if c.id == "fabric.growth" {
            Status::Warn
        } else {
            Status::Pass
        };
        assert_eq!(c.status, want, "{}: {}", c.id, c.message);
    }
    // One spine per pod and one core stand for all.
    assert_eq!(a.switch_failures_tried, f.summary().pods + 1);
    assert!(a.bisection_after_worst_switch_failure_gbps < a.bisection_gbps);
}

/// The representatives give the same worst switch failure as trying every spine and core.
#[test]
fn representative_switch_failures_equal_exhaustive() {
    let sw = synthetic_switch("radix-12", 12, &[(400, 1)]);
    for (servers, rails, spu, r) in [(40, 2, 4, 1.0), (35, 3, 3, 2.0), (60, 1, 6, 1.0), (17, 4, 5, 1.5)] {
        let f = build(&sw, servers, rails, spu, r, true, Tiers::Three);
        let reps = fabric::analyse(&f, &AnalysisOptions::default());
        let all = fabric::analyse(
            &f,
            &AnalysisOptions {
                exhaustive_switch_failures: true,
                ..Default::default()
            },
        );
        assert_eq!(
            all.switch_failures_tried,
            f.summary().switches.spine + f.summary().switches.core
        );
        assert!(reps.switch_failures_tried < all.switch_failures_tried);
        assert_eq!(
            reps.bisection_after_worst_switch_failure_gbps, all.bisection_after_worst_switch_failure_gbps,
            "{servers} servers x {rails}"
        );
    }
}

#[test]
fn a_single_spine_is_a_single_point_of_failure() {
    // Two leaves (2 rails) of 32 servers: 32 uplinks each, all to one spine.
    let f = build(&qm9700(), 32, 2, 32, 1.0, true, Tiers::Auto);
    assert_eq!(f.summary().switches.spine, 1);
    let a = fabric::analyse(&f, &AnalysisOptions::default());
    assert_eq!(a.bisection_after_worst_switch_failure_gbps, Gbps(0));
    let c = check(&a, "fabric.switch_failure");
    assert_eq!(c.status, Status::Warn, "{}", c.message);
}

#[test]
fn single_homed_servers_warn_on_leaf_failure() {
    let f = build(&qm9700(), 64, 1, 32, 1.0, true, Tiers::Auto);
    let a = fabric::analyse(&f, &AnalysisOptions::default());
    let c = check(&a, "fabric.leaf_failure");
    assert_eq!(c.status, Status::Warn);
    assert!(c.message.contains("32 servers lose every fabric port"), "{}", c.message);
    // Not rail-optimised, 4 servers x 8 NICs share a leaf.
    let f = build(&qm9700(), 32, 8, 32, 1.0, false, Tiers::Auto);
    let a = fabric::analyse(&f, &AnalysisOptions::default());
    assert_eq!(check(&a, "fabric.leaf_failure").status, Status::Warn);
}

#[test]
fn analysis_is_deterministic_and_seeded() {
    let f = build(&qm9700(), 200, 8, 32, 1.5, true, Tiers::Three);
    let one = AnalysisOptions {
        threads: 1,
        ..Default::default()
    };
    let a = fabric::analyse(&f, &one);
    assert_eq!(a, fabric::analyse(&f, &AnalysisOptions::default()));
    assert_eq!(a, fabric::analyse(&f, &one));
    let other = fabric::analyse(
        &f,
        &AnalysisOptions {
            seed: 2,
            ..Default::default()
        },
    );
    assert_eq!(other.cuts[0], a.cuts[0]);
    let none = fabric::analyse(
        &f,
        &AnalysisOptions {
            random_cuts: 0,
            link_failures: 0,
            ..Default::default()
        },
    );
    assert_eq!(none.cuts.len(), 2);
    assert_eq!(none.failed_links, 0);
    assert_eq!(check(&none, "fabric.link_failures").status, Status::Pass);
}

#[test]
fn link_failures_cost_at_most_their_capacity() {
    let f = build(&qm9700(), 100, 8, 32, 1.0, true, Tiers::Three);
    for k in [1, 8, 64] {
        let a = fabric::analyse(
            &f,
            &AnalysisOptions {
                link_failures: k,
                ..Default::default()
            },
        );
        assert_eq!(a.failed_links as usize, k);
        assert!(a.bisection_after_link_failures_gbps <= a.bisection_gbps);
        assert!(
            a.bisection_after_link_failures_gbps.0 + k as u64 * 400 >= a.bisection_gbps.0,
            "k = {k}"
        );
    }
}

/// The full 65,536-endpoint three-tier qm9700 fabric: built and every check run (a few seconds even unoptimised).
#[test]
fn full_size_three_tier_fabric_is_non_blocking() {
    let f = build(&qm9700(), 256 * 32, 8, 32, 1.0, true, Tiers::Auto);
    let a = fabric::analyse(&f, &AnalysisOptions::default());
    assert_eq!(a.full_bisection_gbps, Gbps(32_768 * 400));
    assert_eq!(a.bisection_gbps, a.full_bisection_gbps);
    assert!(a.non_blocking);
    assert_eq!(a.switch_failures_tried, 65);
    for c in &a.checks {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.id, c.message);
    }
    // One spine of 32 in a pod, or one core of 1,024: at most 1/32 of the bisection.
    assert!(a.bisection_after_worst_switch_failure_gbps.0 * 32 >= a.bisection_gbps.0 * 31);
}
