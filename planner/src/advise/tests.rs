use super::*;
use crate::spec::Spec;
use gigapod_catalog::SourceFile;
use proptest::prelude::{ProptestConfig, prop, prop_assert, prop_assume, proptest};

fn mix(server: &str) -> Spec {
    Spec::builder("mix", server)
        .workload(WorkloadSpec::training("training", 20, 8))
        .workload(WorkloadSpec::inference("inference", 60, 20.0))
        .workload(WorkloadSpec::interactive("interactive", 200, 8.0, 1.0))
        .build()
}

fn advise_fast(spec: &Spec) -> Advice {
    Advisor::new(Catalog::builtin()).plans(false).advise(spec).unwrap()
}

#[test]
fn the_h200_mix_packs_as_hand_computed() {
    let a = advise_fast(&mix("g593-h200"));
    let get = |n| a.strategy(n).unwrap();
    // Passthrough: 160 training GPUs + 60 and 200 bursty units with a 25 % buffer (75 + 250): 485 GPUs, 61 servers.
    let p = get(StrategyName::Passthrough);
    assert_eq!((p.gpus, p.servers), (Some(485), Some(61)));
    assert_eq!(p.partitions[0].buffer_gpus, 15 + 50);
    // MIG: 160 x 7g.141gb; inference takes 2 memory slices (1g.35gb), a seat 1 (1g.18gb): 60 x 2 + 200 = 320
    // slices = 40 GPUs of 8, which the slice-exact layouts (1g.35gb@6 + 6 x 1g.18gb, ...) reach: 200 GPUs.
    let m = get(StrategyName::Mig);
    assert_eq!(
        (m.gpus, m.gpus_lower_bound, m.servers),
        (Some(200), Some(200), Some(25))
    );
    assert!(m.partitions[0].configs.iter().all(|c| c.layout != "[]"));
    let units = |s: &Strategy, w: &str| -> u64 {
        s.partitions
            .iter()
            .flat_map(|p| &p.placements)
            .filter(|p| p.workload == w)
            .map(|p| p.units)
            .sum()
    };
    assert_eq!(
        (units(m, "training"), units(m, "inference"), units(m, "interactive")),
        (160, 60, 200)
    );
    // vGPU, equal-size per GPU: 60 on H200X-28C (5 a GPU) = 12 GPUs, 200 on H200X-8C (16) = 13, + 160: 185.
    let v = get(StrategyName::Vgpu);
    assert_eq!((v.gpus, v.servers), (Some(185), Some(24)));
    let conf = |s: &Strategy, layout: &str| {
        s.partitions
            .iter()
            .flat_map(|p| &p.configs)
            .find(|c| c.layout == layout)
            .map(|c| c.gpus)
    };
    assert_eq!(conf(v, "5 x H200X-28C"), Some(12));
    // 200 seats: 12 GPUs of 16 x H200X-8C and the last 8 seats on one more GPU (of 8C, or of any type with 8 or
    // more vGPUs of at least 8 GB): 13 GPUs either way.
    assert!(conf(v, "16 x H200X-8C").unwrap() >= 12);
    assert_eq!(
        v.partitions[0]
            .configs
            .iter()
            .filter(|c| c.layout != "1 x H200X-141C")
            .map(|c| c.gpus)
            .sum::<u64>(),
        25
    );
    // Every vGPU GPU pays NVIDIA AI Enterprise: 24 servers x 8.
    assert_eq!(v.licences.as_ref().unwrap().nvaie_gpus, 192);
    // Hybrid: training on 20 passthrough servers; without costs the shared side is ranked by servers: vGPU needs
    // 25 GPUs = 4 servers, MIG 40 = 5.
    let h = get(StrategyName::Hybrid);
    assert_eq!(
        (h.shared_mode, h.gpus, h.servers),
        (Some(Mode::Vgpu), Some(185), Some(24))
    );
    assert_eq!(h.partitions[0].servers, 20);
    assert_eq!(h.licences.as_ref().unwrap().nvaie_gpus, 32);
    assert_eq!(h.licences.as_ref().unwrap().hypervisor_hosts, 24);
    assert!(
        h.checks
            .iter()
            .any(|c| c.id == "advise.live_migration" && c.status == Status::Warn)
    );
    // Without costs the decision is the fewest servers.
    assert!(a.decided_by.starts_with("fewest servers"), "{}", a.decided_by);
}

#[test]
fn mi300x_has_no_vgpu_and_says_why() {
    let a = advise_fast(&mix("g593-mi300x"));
    let v = a.strategy(StrategyName::Vgpu).unwrap();
    assert!(!v.feasible && v.gpus.is_none());
    assert!(v.why.contains("NVIDIA vGPU runs on NVIDIA GPUs only"), "{}", v.why);
    assert!(
        v.checks
            .iter()
            .any(|c| c.id == "advise.vgpu_capable" && c.status == Status::Fail)
    );
    let m = a.strategy(StrategyName::Mig).unwrap();
    assert!(!m.feasible && m.why.contains("no MIG"), "{}", m.why);
    assert!(!a.strategy(StrategyName::Hybrid).unwrap().feasible);
    assert_eq!(a.cheapest, Some(StrategyName::Passthrough));
    assert_eq!(a.decided_by, "it is the only feasible strategy");
}

#[test]
fn b200_vgpu_table_not_found_makes_it_infeasible() {
    let a = advise_fast(&mix("g893-sd1-b200"));
    let v = a.strategy(StrategyName::Vgpu).unwrap();
    assert!(!v.feasible && v.why.contains("NOT FOUND"), "{}", v.why);
    assert!(a.strategy(StrategyName::Mig).unwrap().feasible);
}

#[test]
fn sharing_preferences_rule_out_strategies() {
    let spec = Spec::builder("p", "g593-h200")
        .workload(WorkloadSpec::inference("serve", 10, 20.0).sharing(Sharing::Vgpu))
        .build();
    let a = advise_fast(&spec);
    for n in [StrategyName::Passthrough, StrategyName::Mig] {
        let s = a.strategy(n).unwrap();
        assert!(!s.feasible && s.why.contains("sharing = \"vgpu\""), "{}", s.why);
    }
    // 10 x 20 GB on H200X-28C, 5 a GPU.
    assert_eq!(a.strategy(StrategyName::Vgpu).unwrap().gpus, Some(2));
    // A compute share limits the vGPUs a GPU carries: 0.3 of the compute allows 3 time-sliced vGPUs.
    let spec = Spec::builder("p", "g593-h200")
        .workload(WorkloadSpec::inference("serve", 9, 20.0).gpu_share(0.3))
        .build();
    let a = advise_fast(&spec);
    assert_eq!(a.strategy(StrategyName::Vgpu).unwrap().gpus, Some(3));
    // On MIG a 0.3 share needs 3 of 7 slices: 3g.71gb, 2 a GPU -> 5 GPUs.
    assert_eq!(a.strategy(StrategyName::Mig).unwrap().gpus, Some(5));
}

#[test]
fn a_replica_larger_than_a_gpu_takes_whole_gpus() {
    let spec = Spec::builder("p", "g593-h200")
        .workload(WorkloadSpec::inference("big", 3, 200.0))
        .build();
    let a = advise_fast(&spec);
    // 200 GB on 141 GB GPUs: 2 whole GPUs a replica.
    assert_eq!(a.strategy(StrategyName::Mig).unwrap().gpus, Some(6));
    assert_eq!(a.strategy(StrategyName::Vgpu).unwrap().gpus, Some(6));
}

#[test]
fn integer_program_matches_brute_force_on_the_h200_mig_table() {
    let gpu = Catalog::builtin().gpu("h200-sxm").unwrap();
    let t = modes::table(gpu, Mode::Mig, &[]).unwrap();
    let n = t.types.len();
    let demand = |mem: f64, count: u64| {
        let d = Demand {
            name: "w".into(),
            kind: WorkloadKind::Inference,
            sharing: Sharing::Any,
            units: count,
            need: Need::Slice {
                memory_gb: mem,
                share: None,
            },
            hours_per_year: 8760.0,
        };
        modes::class_of(&d, &t, 141.0).unwrap()
    };
    let mut seed = 11u64;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed >> 33
    };
    for _ in 0..12 {
        let classes = vec![
            demand(10.0, next() % 9),
            demand(30.0, next() % 5),
            demand(60.0, next() % 3),
        ];
        let p = pack::pack(n, &t.configs, &classes).unwrap();
        // Brute force: the fewest GPUs over every multiset of configurations.
        let best = (0..=4u64)
            .find(|&g| {
                fn rec(t: &modes::ModeTable, classes: &[pack::Class], v: &mut Vec<u64>, i: usize, left: u64) -> bool {
                    if i == t.configs.len() {
                        return pack::feasible(t.types.len(), &t.configs, classes, v);
                    }
                    (0..=left).any(|k| {
                        v[i] = k;
                        let ok = rec(t, classes, v, i + 1, left - k);
                        v[i] = 0;
                        ok
                    })
                }
                rec(&t, &classes, &mut vec![0; t.configs.len()], 0, g)
            })
            .unwrap_or(u64::MAX);
        if best <= 4 {
            assert_eq!(p.gpus, best, "{classes:?}");
        } else {
            assert!(p.gpus > 4);
        }
    }
}

#[test]
fn workload_keys_are_checked_with_their_line() {
    let text = "name = \"w\"\n[compute]\nserver = \"g593-h200\"\n\n[[workload]]\nname = \"t\"\nkind = \"training\"\njobs = 2\ngpus_per_job = 8\ngpu_memory_gb = 10\n\n[[workload]]\nname = \"i\"\nkind = \"interactive\"\nseats = 10\ngpu_memory_gb = 8\n";
    let f = Spec::parse(SourceFile::new("w.toml", text)).unwrap();
    let e = Advisor::new(Catalog::builtin()).plans(false).advise(&f).unwrap_err();
    let d = e.diagnostics().unwrap();
    let keys: Vec<(&str, usize)> = d.0.iter().map(|d| (d.key.as_deref().unwrap_or(""), d.line)).collect();
    assert_eq!(
        keys,
        [("workload[0].gpu_memory_gb", 10), ("workload[1].concurrency", 12)],
        "{d}"
    );
    assert!(d.0[1].message.contains("needs `concurrency`"), "{d}");
    // Planning the same spec says it has no size and points at advise.
    let e = crate::plan(&f, Catalog::builtin()).unwrap_err();
    assert!(e.to_string().contains("[[workload]]"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// No strategy reports fewer GPUs than its lower bound, nor fewer than the GPU memory its slices hold.
    #[test]
    fn no_strategy_below_its_bounds(
        jobs in 0u32..4,
        inf in prop::collection::vec((1u32..40, 1.0f64..150.0), 0..3),
        seats in prop::collection::vec((1u32..60, 1.0f64..40.0), 0..3),
        server in prop::sample::select(vec!["g593-h200", "dgx-h100", "g893-sd1-b200"]),
    ) {
        let mut b = Spec::builder("p", server);
        if jobs > 0 {
            b = b.workload(WorkloadSpec::training("t", jobs, 8));
        }
        for (i, (n, m)) in inf.iter().enumerate() {
            b = b.workload(WorkloadSpec::inference(format!("i{i}"), *n, *m));
        }
        for (i, (n, m)) in seats.iter().enumerate() {
            b = b.workload(WorkloadSpec::interactive(format!("s{i}"), *n, *m, 0.5));
        }
        let spec = b.build();
        prop_assume!(!spec.workloads.is_empty());
        let a = advise_fast(&spec);
        let gpu_mem = Catalog::builtin().gpu(&a.gpu_id).unwrap().memory_gb.value.0;
        // GPUs of memory the units hold at least: a replica larger than a GPU holds whole GPUs.
        let per = |m: f64| if m > gpu_mem { (m / gpu_mem).ceil() } else { m / gpu_mem };
        let mem: f64 = inf.iter().map(|(n, m)| f64::from(*n) * per(*m))
            .chain(seats.iter().map(|(n, m)| ((f64::from(*n) * 0.5).ceil()) * (m / gpu_mem)))
            .sum::<f64>() + f64::from(jobs * 8);
        for s in a.strategies.iter().filter(|s| s.feasible) {
            let g = s.gpus.unwrap();
            prop_assert!(g >= s.gpus_lower_bound.unwrap(), "{}: {g} < bound", s.name);
            prop_assert!(g as f64 >= (mem - 1e-6).ceil(), "{}: {g} GPUs hold less than {mem} GPUs of memory", s.name);
            prop_assert!(s.servers.unwrap() * 8 >= g);
            for p in &s.partitions {
                let placed: u64 = p.placements.iter().map(|x| x.units).sum();
                let used: u64 = p.configs.iter().map(|c| c.gpus).sum();
                prop_assert!(used + p.buffer_gpus == p.gpus);
                prop_assert!(placed > 0 || p.gpus == 0);
            }
        }
    }
}
