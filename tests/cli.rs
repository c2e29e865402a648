//! End-to-end tests of the `gigapod` binary on the bundled examples.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gigapod(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gigapod")).args(args).output().unwrap()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn plan_h200_example_prints_summary_and_writes_outputs() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("plan");
    let spec = example("gigapod-h200-air.toml");
    let o = gigapod(&["plan", spec.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    assert!(text.contains("32 x g593-h200 = 256 GPUs"), "{text}");
    assert!(text.contains("PSU"), "{text}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["schema_version"], "1");
    assert_eq!(report["name"], "gigapod-h200-air");
    assert_eq!(report["compute"]["servers"], 32);
    assert_eq!(report["compute"]["gpus"], 256);
    assert_eq!(report["compute"]["scalable_units"], 1);
    assert_eq!(report["compute"]["server_id"], "g593-h200");
    assert_eq!(report["compute"]["gpu_id"], "h200-sxm");
    assert!(report["power"]["server_w"].as_f64().unwrap() > 5600.0);
    assert!(report["power"]["psu_ok"].is_boolean());
    // The exit status follows the checks.
    let failed = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["status"] == "fail");
    assert_eq!(o.status.code(), Some(if failed { 1 } else { 0 }));

    let mut rdr = csv::Reader::from_path(out.join("bom.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let qty = |id: &str| rows.iter().find(|r| &r[0] == id).map(|r| r[3].parse::<u64>().unwrap());
    assert_eq!(qty("g593-h200"), Some(32));
    assert_eq!(qty("h200-sxm"), Some(256));
    assert_eq!(qty("psu-3000w"), Some(192));
}

#[test]
fn json_format_prints_exactly_the_report() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("plan");
    let spec = example("gigapod-b200-dlc.toml");
    let o = gigapod(&[
        "plan",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(stdout(&o).as_bytes(), std::fs::read(out.join("report.json")).unwrap());
    // `check` writes nothing, so its report is the plan's without `outputs` (what `plan` wrote).
    let c = gigapod(&["check", spec.to_str().unwrap(), "--format", "json"]);
    let mut planned: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(planned.as_object_mut().unwrap().remove("outputs").is_some());
    let checked: serde_json::Value = serde_json::from_str(&stdout(&c)).unwrap();
    assert_eq!(checked, planned);
}

#[test]
fn plan_refuses_a_folder_it_did_not_make() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("notes.txt"), "mine").unwrap();
    let spec = example("gigapod-h200-air.toml");
    let o = gigapod(&["plan", spec.to_str().unwrap(), "--out", t.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert!(!t.path().join("report.json").exists());
    let o = gigapod(&[
        "plan",
        spec.to_str().unwrap(),
        "--out",
        t.path().to_str().unwrap(),
        "--force",
    ]);
    assert_ne!(o.status.code(), Some(2));
    assert!(t.path().join("report.json").exists());
    assert_eq!(std::fs::read_to_string(t.path().join("notes.txt")).unwrap(), "mine");
}

#[test]
fn catalog_show_gives_every_figure_a_source_or_an_estimate_mark() {
    let o = gigapod(&["catalog", "show", "g593-h200"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let body = text.split("\nsources:").next().unwrap();
    let figures: Vec<&str> = body.lines().filter(|l| l.contains(": ") && l.contains("  [")).collect();
    assert!(figures.len() >= 8, "{text}");
    for l in &figures {
        assert!(
            l.contains("source S") || l.contains("ESTIMATE") || l.contains("source B") || l.contains("source P"),
            "no provenance: {l}"
        );
    }
    assert!(text.contains("sources:"), "{text}");

    let j = gigapod(&["catalog", "show", "g593-h200", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(v["kind"], "server");
    assert!(v["part"]["gpu_count"]["value"].as_u64() == Some(8));
}

#[test]
fn catalog_list_filters_by_kind() {
    let o = gigapod(&["catalog", "list", "--kind", "switch", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    for id in ["qm9700", "qm9790", "q3400-ra", "sn5600", "sn2201"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    assert!(v.as_array().unwrap().iter().all(|e| e["kind"] == "switch"));
}

#[test]
fn user_catalog_overrides_a_builtin_part() {
    let t = tempfile::tempdir().unwrap();
    let cat = t.path().join("extra.toml");
    std::fs::write(
        &cat,
        "[[psu]]\nid = \"psu-3000w\"\ndescription = \"weaker\"\nvendor = \"x\"\nrating_w = 2000\n",
    )
    .unwrap();
    let spec = example("gigapod-h200-air.toml");
    let o = gigapod(&[
        "check",
        spec.to_str().unwrap(),
        "--catalog",
        cat.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // 4 x 2000 W cannot carry a ~10 kW server: the check fails and so does the exit status.
    assert_eq!(v["power"]["psu_ok"], false);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn export_writes_graphml_and_dot_and_never_overwrites_silently() {
    let t = tempfile::tempdir().unwrap();
    let spec = example("gigapod-h200-air.toml");
    let g = t.path().join("f.graphml");
    let o = gigapod(&["export", spec.to_str().unwrap(), "--graphml", g.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&g).unwrap();
    assert!(text.contains("<graphml"));
    // 256 endpoints + 12 switches; 512 links.
    assert_eq!(text.matches("<node ").count(), 268);
    assert_eq!(text.matches("<edge ").count(), 512);
    let again = gigapod(&["export", spec.to_str().unwrap(), "--graphml", g.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let d = t.path().join("f.dot");
    let o = gigapod(&["export", spec.to_str().unwrap(), "--dot", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(&d).unwrap().starts_with("graph")
            || std::fs::read_to_string(&d).unwrap().contains("graph ")
    );
}

#[test]
fn report_has_the_fabric_contract_keys() {
    let spec = example("gigapod-h200-air.toml");
    let o = gigapod(&["check", spec.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["fabric"];
    assert_eq!(f["tiers"], 2);
    assert_eq!(f["switch_id"], "qm9700");
    assert_eq!(f["port_speed_gbps"], 400);
    assert_eq!(f["endpoints"], 256);
    assert_eq!(f["switches"]["leaf"], 8);
    assert_eq!(f["switches"]["spine"], 4);
    assert_eq!(f["switches"]["core"], 0);
    assert_eq!(f["switches"]["total"], 12);
    assert_eq!(f["links"]["endpoint"], 256);
    assert_eq!(f["links"]["leaf_spine"], 256);
    assert_eq!(f["links"]["spine_core"], 0);
    assert_eq!(f["links"]["total"], 512);
    assert_eq!(f["oversubscription"], 1.0);
    assert_eq!(f["bisection_gbps"], 51_200);
    assert_eq!(f["full_bisection_gbps"], 51_200);
    assert_eq!(f["non_blocking"], true);
    assert!(f["bisection_after_worst_switch_failure_gbps"].as_u64().unwrap() < 51_200);
}

#[test]
fn compare_sweeps_and_prices() {
    let t = tempfile::tempdir().unwrap();
    let spec = t.path().join("pod.toml");
    std::fs::write(
        &spec,
        "name = \"pod\"\n[compute]\nserver = \"dgx-h100\"\nservers = 8\n[cost]\nenergy_usd_per_kwh = 0.1\npue = 1.4\n",
    )
    .unwrap();
    let prices = t.path().join("prices.toml");
    std::fs::write(&prices, "[[price]]\npart = \"dgx-h100\"\nusd = 100\n").unwrap();
    let chart = t.path().join("chart.svg");
    let o = gigapod(&[
        "compare",
        spec.to_str().unwrap(),
        "--sweep",
        "servers=8,16",
        "--sweep",
        "oversubscription=1,2",
        "--catalog",
        prices.to_str().unwrap(),
        "--chart",
        chart.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[2]["design"].as_str().unwrap().rsplit(' ').nth(1),
        Some("servers=16")
    );
    assert_eq!(rows[2]["servers"], 16);
    // Only the servers are priced: CapEx is exactly 16 x 100 $.
    assert_eq!(rows[2]["capex_usd"].as_f64(), Some(1600.0));
    assert!(std::fs::read_to_string(&chart).unwrap().starts_with("<svg"));
    let csv = gigapod(&[
        "compare",
        spec.to_str().unwrap(),
        "--sweep",
        "servers=8,16",
        "--format",
        "csv",
    ]);
    let mut r = csv::Reader::from_reader(csv.stdout.as_slice());
    assert_eq!(r.records().count(), 2);
    let bad = gigapod(&["compare", spec.to_str().unwrap(), "--sweep", "colour=red"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn size_finds_the_largest_cluster_under_a_budget() {
    let o = gigapod(&[
        "size",
        "--power-mw",
        "0.5",
        "--cooling",
        "liquid",
        "--server",
        "dgx-b200",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["power"]["it_kw"].as_f64().unwrap() <= 500.0);
    assert!(v["compute"]["servers"].as_u64().unwrap() >= 20);
    let none = gigapod(&[
        "size",
        "--power-mw",
        "0.001",
        "--cooling",
        "liquid",
        "--server",
        "dgx-b200",
    ]);
    assert_eq!(none.status.code(), Some(2));
}

/// `size` builds its specs in code: a quote in an id is an argument error naming the flag, not a TOML error.
#[test]
fn size_with_a_quote_in_the_cooling_is_an_argument_error() {
    let o = gigapod(&[
        "size",
        "--power-mw",
        "0.5",
        "--cooling",
        "air\"",
        "--server",
        "dgx-b200",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--cooling \"air\\\"\" is not a cooling"), "{err}");
    assert!(err.contains("--> <command line>"), "{err}");
    assert!(!err.to_lowercase().contains("toml"), "{err}");
}
