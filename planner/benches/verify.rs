//! `gigapod verify` at full size: a 65,536-endpoint fabric (256 SUs of 32 x g593-h200, three tiers, 196,608
//! links) with 1,000 faults injected (400 links removed, 300 cables swapped at their lower ends, 300 links at
//! the wrong speed), read from ibnetdiscover text and compared with the plan. The target: under a
//! second. Run with `cargo bench -p gigapod-planner --bench verify`.

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::spec::Spec;
use gigapod_planner::verify::{self, PlannedFabric, VerifyOptions, ibnet};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use std::fmt::Write;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

struct Setup {
    planned: PlannedFabric,
    plan_topo: String,
    observed: String,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let text = "name = \"bench\"\n[compute]\nserver = \"g593-h200\"\nscalable_units = 256\n\
                    [facility]\ncooling = \"air\"\nrack_power_limit_kw = 50.0\n";
        let spec = Spec::parse(SourceFile::new("bench.toml", text)).unwrap();
        let plan = gigapod_planner::plan(&spec, Catalog::builtin()).unwrap();
        assert_eq!(plan.fabric.summary().endpoints, 65_536);
        let plan_topo = gigapod_planner::render::ibnet::topology(&plan);
        let planned = PlannedFabric::from_plan(&plan);
        let observed = inject(&plan_topo, 1);
        Setup {
            planned,
            plan_topo,
            observed,
        }
    })
}

/// The plan's links with 1,000 faults, written back as ibnetdiscover text (both ends of each link).
fn inject(topo: &str, seed: u64) -> String {
    let t = ibnet::read(topo.as_bytes()).unwrap();
    let mut links: Vec<(u32, u32, u32, u32, &str)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in &t.ports {
        if seen.insert((p.peer, p.peer_port)) && seen.insert((p.node, p.port)) {
            links.push((p.node, p.port, p.peer, p.peer_port, "4xNDR"));
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    links.shuffle(&mut rng);
    let (removed, rest) = links.split_at_mut(400);
    let _ = removed;
    for pair in rest[..300].chunks_exact_mut(2) {
        let (a, b) = pair.split_at_mut(1);
        std::mem::swap(&mut a[0].2, &mut b[0].2);
        std::mem::swap(&mut a[0].3, &mut b[0].3);
    }
    for l in &mut rest[300..600] {
        l.4 = "4xHDR";
    }
    let mut by_node: Vec<Vec<(u32, u32, u32, &str)>> = vec![Vec::new(); t.nodes.len()];
    for &(a, ap, b, bp, r) in rest.iter() {
        by_node[a as usize].push((ap, b, bp, r));
        by_node[b as usize].push((bp, a, ap, r));
    }
    let mut out = String::with_capacity(topo.len());
    for (i, n) in t.nodes.iter().enumerate() {
        let kind = if n.kind == Some(ibnet::NodeKind::Switch) {
            "Switch"
        } else {
            "Ca"
        };
        let _ = writeln!(
            out,
            "\n{kind}\t{} \"{}\"\t\t# \"{}\"",
            n.ports.unwrap_or(1),
            n.id,
            n.desc.as_deref().unwrap_or("")
        );
        by_node[i].sort_unstable();
        for &(p, peer, pp, r) in &by_node[i] {
            let pn = &t.nodes[peer as usize];
            let _ = writeln!(
                out,
                "[{p}]\t\"{}\"[{pp}]\t\t# \"{}\" lid 0 {r}",
                pn.id,
                pn.desc.as_deref().unwrap_or("")
            );
        }
    }
    out
}

/// Read the observed ibnetdiscover text (about 27 MB) and compare it with the planned fabric.
#[divan::bench(sample_count = 5)]
fn verify_65536_endpoints_1000_faults(bencher: divan::Bencher) {
    let s = setup();
    bencher.bench(|| {
        let seen = ibnet::read(s.observed.as_bytes()).unwrap();
        let v = verify::verify_fabric(&s.planned, &seen, &VerifyOptions::default());
        // 400 missing + 300 swapped cables (each a miswire) + 300 at the wrong speed.
        assert_eq!(v.faults.len(), 1000, "{:?}", v.counts);
        v.faults.len()
    });
}

/// Read the plan side: the plan's own ibnetdiscover.topo (as `verify` reads it from the plan folder).
#[divan::bench(sample_count = 5)]
fn read_the_plans_topology(bencher: divan::Bencher) {
    let s = setup();
    bencher.bench(|| ibnet::read(s.plan_topo.as_bytes()).unwrap().ports.len());
}
