//! `gigapod advise`: the strategies for a workload mix, end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gigapod(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gigapod")).args(args).output().unwrap()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_h200_mix_side_by_side_as_the_contract_says() {
    let spec = example("advise-h200-mix.toml");
    let v = json(&gigapod(&["advise", spec.to_str().unwrap(), "--format", "json"]));
    let s = v["strategies"].as_array().unwrap();
    let names: Vec<&str> = s.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["passthrough", "mig", "vgpu", "hybrid"]);
    for x in s {
        for key in [
            "name",
            "feasible",
            "why",
            "gpus",
            "servers",
            "tco_usd",
            "usd_per_gpu_hour",
        ] {
            assert!(x.get(key).is_some(), "{key} missing in {x}");
        }
        assert_eq!(x["feasible"], true);
        assert!(x["gpus"].as_u64().unwrap() >= x["gpus_lower_bound"].as_u64().unwrap());
        // Each strategy's count is planned in full (fabric, racks, power) and costed.
        assert!(x["plan"]["racks"].as_u64().unwrap() >= 1);
        assert!(x["tco_usd"].as_f64().unwrap() > 0.0);
        assert!(x["usd_per_gpu_hour"].as_f64().unwrap() > 0.0);
        // The built-in catalog has no prices: the totals say they leave the hardware out.
        assert!(x["unpriced"].as_array().unwrap().iter().any(|p| p == "g593-h200"));
    }
    let gpus: Vec<u64> = s.iter().map(|x| x["gpus"].as_u64().unwrap()).collect();
    // Hand-computed in planner/src/advise/tests.rs: 485 passthrough, 200 MIG, 185 vGPU; the hybrid's shared
    // servers are MIG (no NVIDIA AI Enterprise) once costs are known: 160 + 40.
    assert_eq!(gpus, [485, 200, 185, 200]);
    assert_eq!(s[3]["shared_mode"], "mig");
    // vGPU pays NVIDIA AI Enterprise at the $4,500 default on its 192 GPUs.
    assert_eq!(s[2]["licences"]["nvaie_gpus"], 192);
    assert_eq!(v["cheapest"], "mig");
    assert!(
        v["decided_by"].as_str().unwrap().contains("incomplete"),
        "{}",
        v["decided_by"]
    );
}

#[test]
fn text_shows_the_packing_and_csv_and_chart_are_written() {
    let t = tempfile::tempdir().unwrap();
    let spec = example("advise-h200-mix.toml");
    let chart = t.path().join("advise.svg");
    let o = gigapod(&["advise", spec.to_str().unwrap(), "--chart", chart.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(text.contains("1g.35gb@6"), "{text}");
    assert!(text.contains("5 x H200X-28C"), "{text}");
    assert!(text.contains("cheapest per useful GPU-hour: mig"), "{text}");
    assert!(text.contains("decided by:"), "{text}");
    let svg = std::fs::read_to_string(&chart).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    // The chart is not replaced without --force.
    let again = gigapod(&["advise", spec.to_str().unwrap(), "--chart", chart.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    let o = gigapod(&["advise", spec.to_str().unwrap(), "--format", "csv"]);
    let mut r = csv::Reader::from_reader(&o.stdout[..]);
    assert_eq!(&r.headers().unwrap()[0], "name");
    assert_eq!(r.records().count(), 4);
}

#[test]
fn mi300x_has_no_vgpu_and_the_output_says_why() {
    let t = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("advise-h200-mix.toml"))
        .unwrap()
        .replace("server = \"g593-h200\"", "server = \"g593-mi300x\"");
    let spec = t.path().join("mi300x.toml");
    std::fs::write(&spec, text).unwrap();
    let v = json(&gigapod(&["advise", spec.to_str().unwrap(), "--format", "json"]));
    let vgpu = &v["strategies"][2];
    assert_eq!(
        (vgpu["name"].as_str(), vgpu["feasible"].as_bool()),
        (Some("vgpu"), Some(false))
    );
    assert!(
        vgpu["why"]
            .as_str()
            .unwrap()
            .contains("NVIDIA vGPU runs on NVIDIA GPUs only"),
        "{vgpu}"
    );
    assert!(vgpu["gpus"].is_null() && vgpu["tco_usd"].is_null());
    let o = gigapod(&["advise", spec.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("vgpu: `mi300x` has no vGPU"));
}

#[test]
fn a_bad_workload_is_exit_2_naming_the_key() {
    let t = tempfile::tempdir().unwrap();
    let spec = t.path().join("bad.toml");
    std::fs::write(
        &spec,
        "name = \"b\"\n[compute]\nserver = \"g593-h200\"\n[[workload]]\nname = \"x\"\nkind = \"inference\"\nreplicas = 0\ngpu_memory_gb = 20\n",
    )
    .unwrap();
    let o = gigapod(&["advise", spec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.toml:7") && err.contains("replicas"), "{err}");
}
