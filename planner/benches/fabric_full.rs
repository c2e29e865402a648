//! One run of the full-size case: 65,536 endpoints (256 SUs of 32 servers x 8 rails at 400G) on qm9700 in three
//! tiers, built and analysed with the default options, with the time of each phase. For peak memory run the
//! binary under `/usr/bin/time -v`:
//!
//! ```text
//! cargo bench -p gigapod-planner --bench fabric_full --no-run
//! /usr/bin/time -v target/release/deps/fabric_full-* --bench
//! FABRIC_SWITCH=q3400-ra FABRIC_SUS=1296 /usr/bin/time -v target/release/deps/fabric_full-* --bench  # 746,496
//! ```

use gigapod_catalog::units::Gbps;
use gigapod_planner::fabric::{self, AnalysisOptions, FabricRequest, Tiers};
use std::time::Instant;

fn main() {
    let sus: u32 = std::env::var("FABRIC_SUS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    // FABRIC_SWITCH=q3400-ra: the 144-port XDR switch at 800G, SUs of 72 servers (the DGX B300 XDR SU), whose
    // 3-tier maximum is 144 SUs = 746,496 endpoints.
    let xdr = std::env::var("FABRIC_SWITCH").is_ok_and(|s| s == "q3400-ra");
    let (switch, speed, per_su) = if xdr {
        (fabric::synthetic_switch("q3400-ra", 72, &[(800, 2)]), Gbps(800), 72)
    } else {
        (
            fabric::synthetic_switch("qm9700", 32, &[(400, 2), (200, 4)]),
            Gbps(400),
            32,
        )
    };
    let req = FabricRequest {
        switch: &switch,
        servers: sus * per_su,
        rails: 8,
        servers_per_su: per_su,
        speed,
        oversubscription: 1.0,
        rail_optimized: true,
        tiers: Tiers::Auto,
    };
    let t0 = Instant::now();
    let f = fabric::build(&req).expect("buildable");
    let t_build = t0.elapsed();
    let t1 = Instant::now();
    let half = f.design().endpoints / 2;
    let a: Vec<u32> = (0..half).collect();
    let b: Vec<u32> = (half..f.design().endpoints).collect();
    let one = fabric::max_flow_between(&f, &a, &b);
    let t_one = t1.elapsed();
    let t2 = Instant::now();
    let analysis = fabric::analyse(&f, &AnalysisOptions::default());
    let t_analyse = t2.elapsed();
    let t3 = Instant::now();
    let single = fabric::analyse(
        &f,
        &AnalysisOptions {
            threads: 1,
            ..Default::default()
        },
    );
    let t_single = t3.elapsed();
    assert_eq!(analysis, single);
    let s = f.summary();
    println!(
        "{sus} SUs: {} endpoints, {} switches, {} links, {} tiers",
        s.endpoints, s.switches.total, s.links.total, s.tiers
    );
    println!(
        "build:                          {:>9.1} ms",
        t_build.as_secs_f64() * 1e3
    );
    println!(
        "one max-flow (su-halves):       {:>9.1} ms  ({one}, network construction included)",
        t_one.as_secs_f64() * 1e3
    );
    println!(
        "analyse, all threads:           {:>9.1} ms  ({} max-flows)",
        t_analyse.as_secs_f64() * 1e3,
        analysis.max_flows
    );
    println!(
        "analyse, one thread:            {:>9.1} ms",
        t_single.as_secs_f64() * 1e3
    );
    println!(
        "bisection {} of {}; after worst switch failure {} ({:?}); after {} link failures {}",
        analysis.bisection_gbps,
        analysis.full_bisection_gbps,
        analysis.bisection_after_worst_switch_failure_gbps,
        analysis.worst_failed_switch,
        analysis.failed_links,
        analysis.bisection_after_link_failures_gbps
    );
    for c in &analysis.checks {
        println!("  {} {}: {}", c.status, c.id, c.message);
    }
}
