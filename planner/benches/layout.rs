//! The layout (block programs, floor, placements) and the whole plan, for one GIGAPOD scalable unit repeated:
//! 1, 8, 64 and 256 SUs of 32 x g593-h200 on qm9700, air at 50 kW per rack, with the leaves in network racks
//! (the default) and with `auto` (both placements laid out, the better kept).
//! Run with `cargo bench -p gigapod-planner --bench layout`.

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::spec::{Spec, SpecFile};
use gigapod_planner::{devices, layout, plan};

fn main() {
    divan::main();
}

const SUS: &[u32] = &[1, 8, 64, 256];

fn spec(sus: u32) -> SpecFile {
    let text = format!(
        "name = \"bench\"\n[compute]\nserver = \"g593-h200\"\nscalable_units = {sus}\n\
         [facility]\ncooling = \"air\"\nrack_power_limit_kw = 50.0\n"
    );
    Spec::parse(SourceFile::new("bench.toml", text)).unwrap()
}

/// The layout alone: block programs (solved once per SU shape), network racks, rows, placements.
#[divan::bench(args = SUS, sample_count = 10)]
fn layout_only(bencher: divan::Bencher, sus: u32) {
    let s = spec(sus);
    let cat = Catalog::builtin();
    let p = plan(&s, cat).unwrap();
    let d = devices::build(
        &p.resolved,
        &p.fabric,
        cat,
        p.power.server.server_w,
        &p.networks.wiring,
        p.networks.storage.as_ref().map(|s| &s.fabric),
    );
    // A flat per-link cost: the bench measures the solver and the floor, not the media lookup.
    let cost = |m: f64| layout::LinkCost {
        weight: 8.0 + 0.05 * m,
        usd: None,
    };
    bencher.bench(|| layout::solve(&d.layout_input, &cost).unwrap());
}

/// The layout with `leaf_placement = "auto"`: both placements, the one with fewer racks kept.
#[divan::bench(args = SUS, sample_count = 10)]
fn layout_auto(bencher: divan::Bencher, sus: u32) {
    let s = spec(sus);
    let cat = Catalog::builtin();
    let p = plan(&s, cat).unwrap();
    let mut d = devices::build(
        &p.resolved,
        &p.fabric,
        cat,
        p.power.server.server_w,
        &p.networks.wiring,
        p.networks.storage.as_ref().map(|s| &s.fabric),
    );
    d.layout_input.leaf_placement = layout::LeafPlacement::Auto;
    let cost = |m: f64| layout::LinkCost {
        weight: 8.0 + 0.05 * m,
        usd: None,
    };
    bencher.bench(|| layout::solve(&d.layout_input, &cost).unwrap());
}

/// The whole plan: spec resolution, fabric and its checks, layout, cable plan, power, BOM.
#[divan::bench(args = [1, 8, 64], sample_count = 5)]
fn whole_plan(bencher: divan::Bencher, sus: u32) {
    let s = spec(sus);
    bencher.bench(|| plan(&s, Catalog::builtin()).unwrap());
}
