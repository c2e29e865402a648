//! NVIDIA's published DGX B300 / Quantum-X800 design (RA-11339-001, pod-facts.md A.4 Table 3) planned by the
//! binary with the defaults and the built-in catalog, and bundled examples' exit statuses (issue 11).

use std::path::Path;
use std::process::Command;

fn gigapod(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gigapod")).args(args).output().unwrap()
}

fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .map(str::to_string)
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn dgx_b300_on_q3400_gives_nvidias_published_counts_with_xdr_media() {
    let cat = gigapod_catalog::Catalog::builtin();
    // SUs -> (leaf, spine, node-leaf cables, leaf-spine cables), Table 3 of the RA.
    for (sus, leaf, spine, down, up) in [
        (1, 8, 4, 576, 576),
        (2, 16, 8, 1152, 1152),
        (4, 32, 18, 2304, 2304),
        (8, 64, 36, 4608, 4608),
    ] {
        let t = tempfile::tempdir().unwrap();
        let spec = t.path().join("b300.toml");
        std::fs::write(
            &spec,
            format!("name = \"b300\"\n[compute]\nserver = \"dgx-b300\"\nscalable_units = {sus}\n[fabric]\nswitch = \"q3400-ra\"\n"),
        )
        .unwrap();
        let out = t.path().join("plan");
        let o = gigapod(&["plan", spec.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{sus} SU: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        let f = &report["fabric"];
        assert_eq!(report["compute"]["servers"], 72 * sus, "{sus} SU");
        assert_eq!(
            (f["switches"]["leaf"].as_u64(), f["switches"]["spine"].as_u64()),
            (Some(leaf), Some(spine)),
            "{sus} SU"
        );
        assert_eq!(
            (f["links"]["endpoint"].as_u64(), f["links"]["leaf_spine"].as_u64()),
            (Some(down), Some(up)),
            "{sus} SU"
        );
        // Only single-mode optics and active copper in the XDR compute fabric (the NDR storage fabric and the
        // Ethernet networks take their own media).
        for row in csv_rows(&out.join("cables.csv")) {
            if !matches!(row["role"].as_str(), "endpoint" | "leaf_spine" | "spine_core") {
                continue;
            }
            let part = &row["part_id"];
            let c = cat.cable(part).unwrap_or_else(|| panic!("{part}"));
            let ok = match c.media {
                gigapod_catalog::CableMedia::Acc => row["media"] == "acc",
                gigapod_catalog::CableMedia::Fiber => {
                    row["media"] == "optic" && c.fiber == Some(gigapod_catalog::FiberMedia::Singlemode)
                }
                _ => false,
            };
            assert!(ok, "{sus} SU: {row:?}");
        }
        // Flat-top modules at the ConnectX-8 end, finned at the switch.
        let bom = csv_rows(&out.join("bom.csv"));
        let modules: Vec<_> = bom.iter().filter(|l| l["category"] == "transceiver").collect();
        assert!(!modules.is_empty());
        for l in modules {
            let t = cat.transceiver(&l["part_id"]).unwrap();
            // The XDR compute fabric's modules; the NDR storage fabric's are multimode, as the H100 RA's.
            if t.speed_gbps.value.0 != 800 {
                continue;
            }
            let want = if l["side"] == "system" {
                gigapod_catalog::HeatSink::Flat
            } else {
                assert_eq!(l["side"], "switch");
                gigapod_catalog::HeatSink::Finned
            };
            assert_eq!(t.heat_sink.as_ref().unwrap().value, want, "{l:?}");
            assert_eq!(t.media, gigapod_catalog::FiberMedia::Singlemode, "{l:?}");
        }
        let system: u64 = bom
            .iter()
            .filter(|l| l["side"] == "system")
            .filter(|l| {
                cat.transceiver(&l["part_id"])
                    .is_some_and(|t| t.speed_gbps.value.0 == 800)
            })
            .map(|l| l["qty"].parse::<u64>().unwrap())
            .sum();
        // Every optical server link has one ConnectX-8 module, and every UFM link into a leaf's fnm1 port one;
        // LACC splitters need none.
        let optic_endpoints = csv_rows(&out.join("cables.csv"))
            .iter()
            .filter(|r| (r["role"] == "endpoint" || r["role"] == "ufm") && r["media"] == "optic")
            .count() as u64;
        assert_eq!(system, optic_endpoints, "{sus} SU");
    }
}

#[test]
fn an_alias_plans_as_its_real_model_and_says_so() {
    let t = tempfile::tempdir().unwrap();
    let spec = t.path().join("a.toml");
    std::fs::write(
        &spec,
        "name = \"a\"\n[compute]\nserver = \"g593-b200-dlc\"\nscalable_units = 1\n[facility]\ncooling = \"liquid\"\n",
    )
    .unwrap();
    let o = gigapod(&["check", spec.to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["compute"]["server_id"], "g4l3-sd1-b200");
    let alias = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "catalog.alias")
        .unwrap();
    assert_eq!(alias["status"], "warn");
    assert!(alias["message"].as_str().unwrap().contains("G4L3-SD1-LAX5"), "{alias}");
    let o = gigapod(&["catalog", "show", "g593-b200"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("`g593-b200` is an alias"), "{text}");
    assert!(text.contains("g893-sd1-b200"), "{text}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning"));
}

#[test]
fn every_bundled_example_exits_0_or_as_its_readme_line_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        n += 1;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // A spec of workloads without a size is for `advise`, which must find a feasible strategy.
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("[[workload]]")
            && !["scalable_units", "servers =", "gpus ="]
                .iter()
                .any(|k| text.contains(k))
        {
            let o = gigapod(&["advise", path.to_str().unwrap()]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{name}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            continue;
        }
        let o = gigapod(&["check", path.to_str().unwrap()]);
        match o.status.code() {
            Some(0) => {}
            // An example that exits 1 fails on sourced figures only, and the README says which.
            Some(1) => {
                let o = gigapod(&["check", path.to_str().unwrap(), "--format", "json"]);
                let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                let failing: Vec<_> = report["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| c["status"] == "fail")
                    .collect();
                assert!(failing.iter().all(|c| c.get("basis").is_none()), "{name}: {failing:?}");
                assert!(
                    readme.contains(&format!("`examples/{name}` exits 1")),
                    "{name}: the README must say why"
                );
            }
            other => panic!("{name}: exit {other:?}\n{}", String::from_utf8_lossy(&o.stderr)),
        }
    }
    assert!(n >= 2);
}
