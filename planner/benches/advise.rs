//! `advise` without the per-strategy plans: 10,000 workloads (training, inference and interactive of varied
//! sizes) packed under passthrough, MIG, vGPU and the hybrid on G593-H200.
//! Run with `cargo bench -p gigapod-planner --bench advise`; docs/performance.md records the figure.

use gigapod_catalog::Catalog;
use gigapod_planner::advise::{Advisor, WorkloadSpec};
use gigapod_planner::spec::Spec;

fn main() {
    divan::main();
}

/// A mix of `n` workloads: a third each of training (1 to 8 GPUs a job), inference (5 to 150 GB, some with a
/// compute share) and interactive (4 to 40 GB, half active), sizes cycling deterministically.
fn mix(n: u32) -> Spec {
    let mut b = Spec::builder("bench", "g593-h200");
    for i in 0..n {
        b = b.workload(match i % 3 {
            0 => WorkloadSpec::training(format!("t{i}"), 1 + i % 4, 1 << (i % 4)),
            1 => {
                let w = WorkloadSpec::inference(format!("i{i}"), 1 + i % 7, f64::from(5 + (i * 37) % 146));
                if i % 5 == 0 { w.gpu_share(0.25) } else { w }
            }
            _ => WorkloadSpec::interactive(format!("s{i}"), 1 + i % 30, f64::from(4 + (i * 13) % 37), 0.5),
        });
    }
    b.build()
}

#[divan::bench(args = [100, 1_000, 10_000], sample_count = 5)]
fn advise_without_plans(bencher: divan::Bencher, n: u32) {
    let spec = mix(n);
    let advisor = Advisor::new(Catalog::builtin()).plans(false);
    bencher.bench(|| advisor.advise(&spec).unwrap());
}
