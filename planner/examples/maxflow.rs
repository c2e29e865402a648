//! Times one bisection max-flow on a spec's fabric, on the su-halves cut (the first half of the servers, hence
//! of the scalable units, against the rest), the cut `bench/networkx_compare.py` gives networkx.
//!
//! `cargo run --release -p gigapod-planner --example maxflow -- SPEC.toml [REPEATS]` prints one JSON line:
//! `{"endpoints": .., "flow_gbps": .., "median_ms": .., "build_ms": ..}`. The time covers building the flow
//! network from the graph (merging parallel links) and the max-flow, as `fabric::max_flow_between` does.

use gigapod_catalog::Catalog;
use gigapod_planner::{build_fabric, fabric, spec::Spec};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: maxflow SPEC.toml [REPEATS]")?;
    let repeats: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(7).max(1);
    let spec = Spec::from_path(std::path::Path::new(&path))?;
    let resolved = spec.resolve(Catalog::builtin())?;
    let t = Instant::now();
    let f = build_fabric(&spec, &resolved, Catalog::builtin())?;
    let build_ms = t.elapsed().as_secs_f64() * 1e3;
    let s = f.summary();
    // Endpoints are numbered server-major, so the first half of the servers is the first half of the endpoints.
    let half_servers = s.servers / 2;
    let a: Vec<u32> = (0..half_servers * s.rails).collect();
    let b: Vec<u32> = (half_servers * s.rails..s.endpoints).collect();
    let mut times = Vec::with_capacity(repeats);
    let mut flow = 0;
    for _ in 0..repeats {
        let t = Instant::now();
        flow = fabric::max_flow_between(&f, &a, &b).0;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"endpoints\": {}, \"flow_gbps\": {flow}, \"median_ms\": {:.3}, \"build_ms\": {build_ms:.3}}}",
        s.endpoints,
        times[times.len() / 2]
    );
    Ok(())
}
