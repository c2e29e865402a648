//! Build + analyse of rail-optimised qm9700 fabrics (32 servers x 8 rails per SU, 400G, 1:1) at 1, 8, 64 and 256
//! scalable units. Run with `cargo bench -p gigapod-planner --bench fabric`.

use gigapod_catalog::units::Gbps;
use gigapod_planner::fabric::{self, AnalysisOptions, Fabric, FabricRequest, Tiers};

fn main() {
    divan::main();
}

const SUS: &[u32] = &[1, 8, 64, 256];

fn request(switch: &gigapod_catalog::Switch, sus: u32) -> FabricRequest<'_> {
    FabricRequest {
        switch,
        servers: sus * 32,
        rails: 8,
        servers_per_su: 32,
        speed: Gbps(400),
        oversubscription: 1.0,
        rail_optimized: true,
        tiers: Tiers::Auto,
    }
}

fn qm9700() -> gigapod_catalog::Switch {
    fabric::synthetic_switch("qm9700", 32, &[(400, 2), (200, 4)])
}

/// The graph alone.
#[divan::bench(args = SUS, sample_count = 10)]
fn build(bencher: divan::Bencher, sus: u32) {
    let sw = qm9700();
    bencher.bench(|| fabric::build(&request(&sw, sus)).unwrap());
}

/// Every check with the default options (2 + 4 cuts, switch and link failures), on all cores.
#[divan::bench(args = SUS, sample_count = 10)]
fn build_and_analyse(bencher: divan::Bencher, sus: u32) {
    let sw = qm9700();
    bencher.bench(|| {
        let f = fabric::build(&request(&sw, sus)).unwrap();
        fabric::analyse(&f, &AnalysisOptions::default())
    });
}

/// One max-flow (the su-halves cut) on a built fabric, one thread: the cost of a single bisection.
#[divan::bench(args = SUS, sample_count = 20)]
fn one_bisection(bencher: divan::Bencher, sus: u32) {
    let sw = qm9700();
    let f: Fabric = fabric::build(&request(&sw, sus)).unwrap();
    let half = f.design().endpoints / 2;
    let a: Vec<u32> = (0..half).collect();
    let b: Vec<u32> = (half..f.design().endpoints).collect();
    bencher.bench(|| fabric::max_flow_between(&f, &a, &b));
}
