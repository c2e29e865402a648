//! Property tests over random sizes, switches and ratios: port budgets, balanced wiring, and the bisection of
//! 1:1 and 2:1 designs. Cases are kept small so the suite runs in seconds unoptimised.

use gigapod_catalog::Switch;
use gigapod_catalog::units::Gbps;
use gigapod_planner::fabric::{self, AnalysisOptions, Fabric, FabricRequest, LinkRole, Role, Tiers, synthetic_switch};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};

/// A switch of `cages x ports_per_cage` ports at 400G.
fn switch(cages: u32, ppc: u32) -> Switch {
    synthetic_switch(&format!("sw{}x{ppc}", cages), cages, &[(400, ppc)])
}

#[derive(Debug, Clone)]
struct Case {
    cages: u32,
    ppc: u32,
    servers: u32,
    rails: u32,
    spu: u32,
    ratio: f64,
    rail_optimized: bool,
    tiers: Tiers,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec![4u32, 6, 8, 12, 16, 18, 24, 32]),
        1u32..=2,
        1u32..=400,
        prop::sample::select(vec![1u32, 2, 3, 4, 8]),
        1u32..=40,
        prop_oneof![Just(1.0), Just(2.0), Just(3.0), 1.0f64..4.0],
        any::<bool>(),
        prop::sample::select(vec![Tiers::Auto, Tiers::Two, Tiers::Three]),
    )
        .prop_map(|(cages, ppc, servers, rails, spu, ratio, rail_optimized, tiers)| Case {
            cages,
            ppc,
            servers,
            rails,
            spu,
            ratio,
            rail_optimized,
            tiers,
        })
}

fn build(c: &Case, sw: &Switch) -> Option<Fabric> {
    fabric::build(&FabricRequest {
        switch: sw,
        servers: c.servers,
        rails: c.rails,
        servers_per_su: c.spu,
        speed: Gbps(400),
        oversubscription: c.ratio,
        rail_optimized: c.rail_optimized,
        tiers: c.tiers,
    })
    .ok()
}

fn light() -> AnalysisOptions {
    AnalysisOptions {
        random_cuts: 2,
        link_failures: 2,
        threads: 1,
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_global_rejects: 8192, ..ProptestConfig::default() })]

    /// No switch uses more ports than it has, no port carries two links, and every endpoint has one link on its
    /// NIC index.
    #[test]
    fn port_budgets_hold(c in cases()) {
        let sw = switch(c.cages, c.ppc);
        let f = build(&c, &sw);
        prop_assume!(f.is_some());
        let f = f.unwrap();
        let k = c.cages * c.ppc;
        let mut used = HashSet::new();
        let mut per_switch = vec![0u32; f.graph().node_count()];
        for l in f.graph().edge_weights() {
            prop_assert_eq!(l.capacity, Gbps(400));
            for end in [l.a, l.b] {
                let n = f.node(end.node);
                if n.role == Role::Endpoint {
                    prop_assert_eq!(Some(end.port), n.rail);
                } else {
                    prop_assert!(end.port < k, "{} port {} of {}", n.name, end.port, k);
                    per_switch[end.node.index()] += 1;
                }
                prop_assert!(used.insert((end.node, end.port)), "{} port {} twice", n.name, end.port);
            }
        }
        prop_assert!(per_switch.iter().all(|&n| n <= k));
        for e in f.endpoints() {
            prop_assert_eq!(f.graph().edges(e).count(), 1);
        }
        // Leaf down:up as built is never worse than asked.
        prop_assert!(f.summary().oversubscription <= c.ratio + 1e-9);
        let a = fabric::analyse(&f, &light());
        let budget = a.checks.iter().find(|x| x.id == "fabric.port_budget").unwrap();
        prop_assert_eq!(budget.status, gigapod_planner::Status::Pass);
    }

    /// Every leaf has the same number of links to every spine of its pod and none to other spines; every spine
    /// the same number to every core of its group.
    #[test]
    fn every_leaf_has_equal_links_to_every_spine(c in cases()) {
        let sw = switch(c.cages, c.ppc);
        let f = build(&c, &sw);
        prop_assume!(f.is_some());
        let f = f.unwrap();
        let d = f.design().clone();
        let mut pairs: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        for l in f.graph().edge_weights().filter(|l| l.role != LinkRole::Endpoint) {
            *pairs.entry((l.a.node.index(), l.b.node.index())).or_insert(0) += 1;
        }
        let spines: Vec<_> = f.spines().collect();
        for leaf in f.leaves() {
            let pod = f.node(leaf).pod;
            for &s in &spines {
                let n = pairs.get(&(leaf.index(), s.index())).copied().unwrap_or(0);
                let same_pod = d.tiers == 2 || f.node(s).pod == pod;
                prop_assert_eq!(n, if same_pod { d.leaf_spine_links_per_pair } else { 0 });
            }
        }
        let cores: Vec<_> = f.cores().collect();
        for &s in &spines {
            let j = f.node(s).index % d.spines_per_pod;
            for &core in &cores {
                let n = pairs.get(&(s.index(), core.index())).copied().unwrap_or(0);
                let group = f.node(core).index / d.cores_per_group;
                prop_assert_eq!(n, if group == j { d.spine_core_links_per_pair } else { 0 });
            }
        }
        // Fewest spines: one link more per pair would not fit.
        let a = fabric::analyse(&f, &light());
        let w = a.checks.iter().find(|x| x.id == "fabric.wiring").unwrap();
        prop_assert_eq!(w.status, gigapod_planner::Status::Pass, "{}", &w.message);
    }

    /// A 1:1 design carries endpoints / 2 x speed across every balanced cut tried.
    #[test]
    fn one_to_one_is_non_blocking(mut c in cases()) {
        c.ratio = 1.0;
        let sw = switch(c.cages, c.ppc);
        let f = build(&c, &sw);
        prop_assume!(f.is_some());
        let f = f.unwrap();
        let a = fabric::analyse(&f, &light());
        prop_assert_eq!(a.full_bisection_gbps, Gbps(u64::from(f.design().endpoints / 2) * 400));
        prop_assert_eq!(a.bisection_gbps, a.full_bisection_gbps);
        prop_assert!(a.non_blocking);
        prop_assert!(a.cuts.iter().all(|x| x.bisection_gbps == a.full_bisection_gbps));
    }

    /// A 2:1 design measures about half: never below half (every leaf has at least half its downlinks as
    /// uplinks), and, when every SU is full and a rail's servers fit one leaf, exactly uplinks / downlinks of a
    /// leaf when the SU is even (the rail-halves cut has leaves with only one side).
    #[test]
    fn two_to_one_measures_about_half(mut c in cases()) {
        c.ratio = 2.0;
        let sw = switch(c.cages, c.ppc);
        let f = build(&c, &sw);
        prop_assume!(f.is_some());
        let f = f.unwrap();
        let d = f.design().clone();
        let a = fabric::analyse(&f, &light());
        let full = a.full_bisection_gbps.0 as f64;
        let measured = a.bisection_gbps.0 as f64;
        prop_assert!(measured >= full / 2.0, "{measured} < {full} / 2");
        prop_assert!(measured <= full);
        let uniform = c.rail_optimized && c.rails % 2 == 0 && c.servers % c.spu == 0 && c.spu <= d.leaf_downlink_capacity;
        if uniform {
            let bound = d.leaf_uplinks as f64 / d.leaf_downlinks_max as f64;
            prop_assert!(measured <= full * bound + 1e-6, "{measured} > {full} x {bound}");
            // With an even SU the rail-halves cut meets the bound: half when the uplinks are exactly half the
            // downlinks, a little more when they are rounded up to balance over the fewest spines.
            if c.spu % 2 == 0 {
                approx::assert_relative_eq!(measured / full, bound);
                if d.leaf_uplinks * 2 == d.leaf_downlinks_max {
                    approx::assert_relative_eq!(measured / full, 0.5);
                }
            }
        }
    }
}
