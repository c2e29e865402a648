//! Issue 19's size cap: a multi-hall plan writes its cable plan per hall, and above `--max-file-mb` the whole
//! `cables.csv` (and each NetBox CSV over the cap) is replaced by its parts, `ibnetdiscover.topo` by its gzip;
//! nothing is partial, the parts hold exactly the whole's lines, and report.json's `outputs` says what happened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gigapod(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gigapod")).args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// 6 SUs of 32 x G593-H200 on QM9700, at most 24 racks per hall: 3 halls.
const HALLS: &str = r#"
name = "halls"

[compute]
server = "g593-h200"
scalable_units = 6
servers_per_su = 32

[fabric]
switch = "qm9700"

[facility]
cooling = "air"
rack = "rack-48u"
rack_power_limit_kw = 50.0
hall_racks = 24
"#;

/// The cap of the capped run: 0.3 MB, under the whole cables.csv (0.41 MB) and above each of its parts.
const CAP_MB: &str = "0.3";
const CAP: u64 = 300_000;

/// Plans [`HALLS`] into `<tmp>/<name>` with `args`.
fn planned(t: &Path, name: &str, args: &[&str]) -> (PathBuf, Output) {
    let spec = t.join("halls.toml");
    std::fs::write(&spec, HALLS).unwrap();
    let dir = t.join(name);
    let mut all = vec!["plan", s(&spec), "--out", s(&dir)];
    all.extend_from_slice(args);
    let o = gigapod(&all);
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (dir, o)
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .map(String::from)
        .collect()
}

/// A CSV's header and rows, parsed.
fn rows(p: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    (h, r.records().map(Result::unwrap).collect())
}

fn report(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap()
}

#[test]
fn capped_parts_hold_exactly_the_whole_and_nothing_is_partial() {
    let t = tempfile::tempdir().unwrap();
    let (whole, _) = planned(t.path(), "whole", &[]);
    let (capped, o) = planned(t.path(), "capped", &["--max-file-mb", CAP_MB]);
    let v = report(&whole);
    let halls: Vec<String> = v["halls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(halls, ["H1", "H2", "H3"]);
    let parts: Vec<String> = halls
        .iter()
        .map(|h| format!("cables-{h}.csv"))
        .chain(["cables-between-halls.csv".to_string()])
        .collect();

    // Uncapped: cables.csv whole and the parts beside it; nothing noted.
    assert!(whole.join("cables.csv").is_file());
    assert_eq!(v["outputs"]["max_file_bytes"], 100_000_000);
    assert_eq!(v["outputs"]["split"].as_array().unwrap().len(), 0);
    let whole_lines = lines(&whole.join("cables.csv"));
    assert!(
        std::fs::metadata(whole.join("cables.csv")).unwrap().len() > CAP,
        "the test's cap must split it"
    );

    // Capped: no cables.csv at all (not a partial one), the parts under the cap, and the split noted.
    assert!(
        !capped.join("cables.csv").exists(),
        "a cables.csv over the cap was written"
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("warning: cables.csv would be 0.4 MB, over the 0.3 MB cap: not written"),
        "{stderr}"
    );
    let c = report(&capped);
    assert_eq!(c["outputs"]["max_file_bytes"], CAP);
    let split = c["outputs"]["split"].as_array().unwrap();
    let cables = split
        .iter()
        .find(|x| x["file"] == "cables.csv")
        .expect("cables.csv noted as split");
    assert_eq!(cables["parts"], serde_json::json!(parts));
    assert_eq!(
        cables["bytes"],
        std::fs::metadata(whole.join("cables.csv")).unwrap().len()
    );

    // The parts, hall column aside, are the whole's lines: each once, in the whole's order within a part.
    let mut seen: Vec<String> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let path = capped.join(part);
        assert!(std::fs::metadata(&path).unwrap().len() <= CAP, "{part} over the cap");
        assert_eq!(
            lines(&path),
            lines(&whole.join(part)),
            "{part} differs between the runs"
        );
        let (h, recs) = rows(&path);
        assert_eq!(h.iter().next_back(), Some("hall"));
        assert_eq!(h.iter().take(h.len() - 1).collect::<Vec<_>>().join(","), whole_lines[0]);
        let label = if i < halls.len() { halls[i].as_str() } else { "between" };
        for r in &recs {
            assert_eq!(r.get(h.len() - 1), Some(label));
        }
        let text = lines(&path);
        for l in &text[1..] {
            let cut = l.rfind(',').unwrap();
            seen.push(l[..cut].to_string());
        }
    }
    let mut want: Vec<String> = whole_lines[1..].to_vec();
    assert_eq!(
        seen.len(),
        want.len(),
        "parts hold {} lines, the whole {}",
        seen.len(),
        want.len()
    );
    seen.sort();
    want.sort();
    assert_eq!(seen, want, "the parts' lines are not the whole's");
    // Between-halls cables join racks of two halls; a hall's cables stay in it.
    let hall_of: BTreeMap<String, String> = rows(&capped.join("racks.csv"))
        .1
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    for (i, part) in parts.iter().enumerate() {
        let (h, recs) = rows(&capped.join(part));
        let (a, b) = (
            h.iter().position(|x| x == "a_rack").unwrap(),
            h.iter().position(|x| x == "b_rack").unwrap(),
        );
        for r in &recs {
            let (ha, hb) = (&hall_of[&r[a]], &hall_of[&r[b]]);
            if i < halls.len() {
                assert!(ha == &halls[i] && hb == &halls[i], "{part}: {r:?}");
            } else {
                assert_ne!(ha, hb, "{part}: {r:?}");
            }
        }
    }

    // NetBox: each file over the cap is in parts whose rows are the whole's; every file is under the cap or noted.
    // (A hall's part over the cap is itself cut into chunks, `netbox-interfaces-H2-1.csv` ...: the whole file's
    // note lists the chunks.)
    let top = |x: &&serde_json::Value| {
        let f = x["file"].as_str().unwrap();
        f.starts_with("netbox-") && whole.join(f).exists()
    };
    for x in split.iter().filter(top) {
        let file = x["file"].as_str().unwrap();
        assert!(!capped.join(file).exists(), "{file} written whole and in parts");
        let (wh, mut want) = rows(&whole.join(file));
        let mut got = Vec::new();
        for p in x["parts"].as_array().unwrap() {
            let (h, recs) = rows(&capped.join(p.as_str().unwrap()));
            assert_eq!(h, wh, "{p}: another header");
            got.extend(recs);
        }
        let key = |r: &csv::StringRecord| r.iter().collect::<Vec<_>>().join("\u{1f}");
        let mut got: Vec<String> = got.iter().map(key).collect();
        let mut want: Vec<String> = want.drain(..).map(|r| key(&r)).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{file}: parts differ from the whole");
    }
    assert!(split.iter().any(|x| x["file"] == "netbox-cables.csv"));
    assert!(
        split.iter().any(|x| x["file"] == "netbox-interfaces-H2.csv"),
        "the largest hall's interfaces are not in chunks: {split:#?}"
    );
    assert_eq!(
        c["outputs"]["over_cap"].as_array().unwrap().len(),
        0,
        "{:#}",
        c["outputs"]
    );
    let mut files = 0;
    for e in std::fs::read_dir(&capped).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        files += 1;
        let len = e.metadata().unwrap().len();
        assert!(len <= CAP, "{name} is {len} bytes, over the cap");
    }
    assert!(files > 30, "{files} files");

    // ibnetdiscover.topo over the cap is its gzip, which verify reads as is; the plan folder verifies from the
    // cable plan's parts.
    assert!(!capped.join("ibnetdiscover.topo").exists());
    let gz = capped.join("ibnetdiscover.topo.gz");
    let compressed = &c["outputs"]["compressed"][0];
    assert_eq!(compressed["written"], "ibnetdiscover.topo.gz");
    assert_eq!(
        compressed["bytes"],
        std::fs::metadata(whole.join("ibnetdiscover.topo")).unwrap().len()
    );
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()),
        &mut plain,
    )
    .unwrap();
    assert_eq!(
        plain,
        std::fs::read(whole.join("ibnetdiscover.topo")).unwrap(),
        "the gzip is not the plain file"
    );
    let o = gigapod(&["verify", s(&capped), "--ibnetdiscover", s(&gz), "--format", "json"]);
    let vv: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(0), "{vv:#}");
    assert_eq!(vv["plan_file"], "ibnetdiscover.topo.gz");
    assert!(vv["matched_links"].as_u64().unwrap() > 3000);

    // The manifest lists exactly the files there, and the set is complete.
    let marker = std::fs::read_to_string(capped.join(".gigapod-plan")).unwrap();
    assert!(marker.contains("state = \"complete\""));
    assert!(!marker.contains("name = \"cables.csv\""));

    // The rack elevations per hall: each hall's racks, and no other hall's.
    for h in &halls {
        let svg = std::fs::read_to_string(whole.join(format!("racks-{h}.svg"))).unwrap();
        assert!(svg.contains(&format!("rack elevations, hall {h}")));
        for (rack, hall) in &hall_of {
            let drawn = svg.contains(&format!(">{rack}: "));
            assert_eq!(drawn, hall == h, "rack {rack} of {hall} in racks-{h}.svg: {drawn}");
        }
    }

    // The floor plan per hall: titled for its hall, each of its racks drawn, and no other hall's.
    for h in &halls {
        let svg = std::fs::read_to_string(whole.join(format!("floorplan-{h}.svg"))).unwrap();
        assert!(svg.contains(&format!("halls, hall {h} · floor plan")));
        for (rack, hall) in &hall_of {
            let drawn = svg.contains(&format!("<title>{rack} ")) || svg.contains(&format!("<title>{rack}:"));
            assert_eq!(drawn, hall == h, "rack {rack} of {hall} in floorplan-{h}.svg: {drawn}");
        }
    }

    // Re-planned uncapped into the same folder: cables.csv is back, and the gzip (not of this set) is gone.
    let spec = t.path().join("halls.toml");
    let o = gigapod(&["plan", s(&spec), "--out", s(&capped)]);
    assert!(o.status.code().is_some_and(|c| c <= 1));
    assert!(capped.join("cables.csv").is_file());
    assert!(capped.join("ibnetdiscover.topo").is_file());
    assert!(
        !capped.join("ibnetdiscover.topo.gz").exists(),
        "a stale file of the earlier set stayed"
    );
    assert!(
        !capped.join("netbox-cables-H1.csv").exists(),
        "a stale part of the earlier set stayed"
    );
}

#[test]
fn a_bad_cap_exits_2() {
    let t = tempfile::tempdir().unwrap();
    let spec = t.path().join("halls.toml");
    std::fs::write(&spec, HALLS).unwrap();
    for bad in ["0", "-1", "nan"] {
        let arg = format!("--max-file-mb={bad}");
        let o = gigapod(&["plan", s(&spec), "--out", s(&t.path().join("x")), &arg]);
        assert_eq!(o.status.code(), Some(2), "--max-file-mb {bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--max-file-mb"));
        assert!(!t.path().join("x").exists());
    }
}

/// One hall: nothing to split by hall, so a CSV over the cap is cut into numbered chunks at line boundaries,
/// each with the header; in order they are the whole file. The topology over the cap is its gzip, and the folder
/// still verifies against it.
#[test]
fn one_hall_csvs_over_the_cap_are_cut_into_chunks_that_are_the_whole() {
    let t = tempfile::tempdir().unwrap();
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gigapod-h200-air.toml");
    let (whole, capped) = (t.path().join("whole"), t.path().join("capped"));
    for (dir, cap) in [(&whole, None), (&capped, Some("--max-file-mb=0.05"))] {
        let mut args = vec!["plan", s(&spec), "--out", s(dir)];
        args.extend(cap);
        let o = gigapod(&args);
        assert!(
            o.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let c = report(&capped);
    for file in ["cables.csv", "netbox-interfaces.csv"] {
        assert!(!capped.join(file).exists(), "{file} over the cap was written");
        let note = c["outputs"]["split"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["file"] == file)
            .unwrap_or_else(|| panic!("{file} not noted: {:#}", c["outputs"]));
        let stem = file.strip_suffix(".csv").unwrap();
        let parts: Vec<String> = note["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert!(parts.len() >= 2);
        let whole_lines = lines(&whole.join(file));
        let mut joined = vec![whole_lines[0].clone()];
        for (i, p) in parts.iter().enumerate() {
            assert_eq!(p, &format!("{stem}-{}.csv", i + 1));
            assert!(
                std::fs::metadata(capped.join(p)).unwrap().len() <= 50_000,
                "{p} over the cap"
            );
            let l = lines(&capped.join(p));
            assert_eq!(l[0], whole_lines[0], "{p}: no header");
            joined.extend(l[1..].iter().cloned());
        }
        assert_eq!(joined, whole_lines, "{file}: the chunks are not the whole");
    }
    let gz = capped.join("ibnetdiscover.topo.gz");
    let o = gigapod(&["verify", s(&capped), "--ibnetdiscover", s(&gz)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("verify  match: 512 planned links"));
}
