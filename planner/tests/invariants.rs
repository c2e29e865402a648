//! Laws the planner relies on, tested on real and tiny designs:
//! - every planner invariant (`internal_checks`) holds, and no invariant is counted among the verdicts;
//! - IT power and the switch count never fall as servers are added (`size`'s binary search needs this);
//! - on tiny fabrics, the bisection over *every* balanced cut (exhaustive) agrees with what the analysis reports:
//!   the sampled cuts' minimum is never below it, and a fabric called non-blocking is non-blocking on every cut.

use gigapod_catalog::Catalog;
use gigapod_catalog::units::Gbps;
use gigapod_planner::fabric::{self, AnalysisOptions, FabricRequest, Tiers, synthetic_switch};
use gigapod_planner::{Planner, Spec, Status};

fn planner() -> Planner<'static> {
    Planner::new(Catalog::builtin())
}

#[test]
fn invariants_hold_and_are_not_counted_as_verdicts() {
    let specs = [
        Spec::builder("a", "g593-h200").scalable_units(1).build(),
        Spec::builder("b", "g593-h200").servers(40).build(),
        Spec::builder("c", "dgx-h100").servers(20).oversubscription(2.0).build(),
        Spec::builder("d", "dgx-b200").servers(8).tiers(Tiers::Three).build(),
        Spec::builder("e", "dgx-h100").servers(4).feeds(1).build(),
    ];
    for s in &specs {
        let p = planner().plan(s).unwrap_or_else(|e| panic!("{}: {e}", s.name));
        assert!(p.internal_checks.len() >= 6, "{}", s.name);
        for c in &p.internal_checks {
            assert!(c.is_invariant());
            assert_eq!(c.status, Status::Pass, "{}: {} {}", s.name, c.id, c.message);
        }
        assert!(p.checks.iter().all(|c| !c.is_invariant()), "{}", s.name);
        for id in [
            "fabric.port_budget",
            "fabric.wiring",
            "racks.placement",
            "layout.solver",
            "power.feed_sizing",
        ] {
            assert!(p.internal_checks.iter().any(|c| c.id == id), "{}: {id} missing", s.name);
            assert!(
                !p.checks.iter().any(|c| c.id == id),
                "{}: {id} counted as a verdict",
                s.name
            );
        }
    }
}

#[test]
fn one_feed_warns_and_halves_the_pdus() {
    let two = planner()
        .plan(&Spec::builder("t", "dgx-h100").servers(4).build())
        .unwrap();
    let one = planner()
        .plan(&Spec::builder("t", "dgx-h100").servers(4).feeds(1).build())
        .unwrap();
    let feeds = |p: &gigapod_planner::Plan| p.checks.iter().find(|c| c.id == "power.feeds").unwrap().status;
    assert_eq!((feeds(&two), feeds(&one)), (Status::Pass, Status::Warn));
    // Same racks, same PDUs per feed (one feed carries the rack alone either way), half the PDUs.
    assert_eq!(two.facility.pdus, 2 * one.facility.pdus);
}

/// IT power and switches per server count, for `servers` in order.
fn sweep(server: &str, servers: impl IntoIterator<Item = u32>) -> Vec<(u32, f64, usize)> {
    servers
        .into_iter()
        .map(|n| {
            let p = planner()
                .plan(&Spec::builder("m", server).servers(n).build())
                .unwrap_or_else(|e| panic!("{n} x {server}: {e}"));
            (
                n,
                p.facility.it_kw.0,
                p.fabric.switches().len() + p.management_switches as usize,
            )
        })
        .collect()
}

fn assert_monotone(rows: &[(u32, f64, usize)]) {
    for w in rows.windows(2) {
        let ((n0, kw0, sw0), (n1, kw1, sw1)) = (w[0], w[1]);
        assert!(
            kw1 > kw0,
            "IT power fell or stayed from {n0} ({kw0:.2} kW) to {n1} ({kw1:.2} kW) servers"
        );
        assert!(sw1 >= sw0, "switches fell from {n0} ({sw0}) to {n1} ({sw1}) servers");
    }
}

/// Every server count across the first SU boundary (32 -> 33) of a DGX H100 cluster.
#[test]
fn it_power_and_switches_grow_with_servers_within_and_across_an_su() {
    assert_monotone(&sweep("dgx-h100", 1..=40));
}

/// Across the two- to three-tier boundary of qm9700 (2,048 endpoints = 256 eight-rail servers).
#[test]
fn it_power_and_switches_grow_with_servers_across_the_tier_boundary() {
    let rows = sweep("dgx-h100", [224, 240, 255, 256, 257, 258, 288]);
    assert_monotone(&rows);
}

/// Every balanced cut of the endpoints of a tiny fabric (`2n` endpoints: C(2n, n) / 2 cuts), by max-flow.
fn exhaustive_bisection(f: &fabric::Fabric) -> Gbps {
    let e = f.design().endpoints;
    assert!(e <= 16, "exhaustive cuts are for tiny fabrics");
    let mut best = u64::MAX;
    // Endpoint 0 on side A breaks the A/B mirror symmetry.
    for mask in 0u32..(1 << e) {
        if mask & 1 == 0 || mask.count_ones() != e / 2 {
            continue;
        }
        let a: Vec<u32> = (0..e).filter(|i| mask & (1 << i) != 0).collect();
        let b: Vec<u32> = (0..e).filter(|i| mask & (1 << i) == 0).collect();
        best = best.min(fabric::max_flow_between(f, &a, &b).0);
    }
    Gbps(best)
}

#[test]
fn sampled_bisection_agrees_with_every_cut_on_tiny_fabrics() {
    // A radix-4 switch at 400 Gb/s: 2 down, 2 up per leaf at 1:1.
    let sw = synthetic_switch("radix-4", 4, &[(400, 1)]);
    let mut tried = 0;
    for (servers, rails, per_su, ratio, rail_optimized) in [
        (4u32, 1u32, 2u32, 1.0, true),
        (4, 2, 2, 1.0, true),
        (6, 2, 2, 1.0, true),
        (8, 1, 2, 1.0, true),
        (4, 2, 2, 1.0, false),
        (8, 2, 4, 3.0, true),
        (6, 1, 3, 2.0, true),
    ] {
        let req = FabricRequest {
            switch: &sw,
            servers,
            rails,
            servers_per_su: per_su,
            speed: Gbps(400),
            oversubscription: ratio,
            rail_optimized,
            tiers: Tiers::Auto,
        };
        let Ok(f) = fabric::build(&req) else { continue };
        if f.design().endpoints > 16 {
            continue;
        }
        tried += 1;
        let a = fabric::analyse(&f, &AnalysisOptions::default());
        let exact = exhaustive_bisection(&f);
        let what = format!("{servers} x {rails} rails, {per_su}/SU, {ratio}:1");
        // The cuts tried are a subset of all cuts: their minimum bounds the true bisection from above.
        assert!(
            a.bisection_gbps >= exact,
            "{what}: sampled {} below exhaustive {}",
            a.bisection_gbps,
            exact
        );
        // A fabric called non-blocking (structure + the cuts tried) is non-blocking on every cut.
        if a.non_blocking {
            assert!(a.non_blocking_by_structure, "{what}");
            assert_eq!(
                exact, a.full_bisection_gbps,
                "{what}: called non-blocking, but a cut carries less"
            );
        }
        // And an oversubscribed structure is never called non-blocking.
        if ratio > 1.0 {
            assert!(!a.non_blocking, "{what}");
        }
    }
    assert!(tried >= 4, "only {tried} tiny fabrics could be built");
}
