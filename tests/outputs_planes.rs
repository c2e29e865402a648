//! Issue 19's outputs of a multi-plane fabric: one `ibnetdiscover` subnet per plane, each loaded in OpenSM's
//! simulator `ibsim`, discovered again by the real `ibnetdiscover` (through libumad2sim) and verified against the
//! plan; GraphML and DOT carry the plane.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn gigapod(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gigapod")).args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Two SUs of 32 x G593-H200 (8 single-port ConnectX-7 rails) on QM9700, one plane per rail: each plane is the
/// one-rail fat-tree of the 64 servers (2 leaves, 1 spine at 1:1).
const PER_RAIL: &str = r#"
name = "per-rail"

[compute]
server = "g593-h200"
scalable_units = 2
servers_per_su = 32

[fabric]
switch = "qm9700"
planes = "per-rail"

[facility]
cooling = "air"
rack = "rack-48u"
rack_power_limit_kw = 50.0
"#;

/// Plans [`PER_RAIL`] into a temporary folder.
fn planned() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let spec = t.path().join("per-rail.toml");
    std::fs::write(&spec, PER_RAIL).unwrap();
    let dir = t.path().join("plan");
    let o = gigapod(&["plan", s(&spec), "--out", s(&dir)]);
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (t, dir)
}

/// `(switches, HCAs, links)` of a topology file: blocks, and port lines counted once per link (both ends are
/// written).
fn counts(text: &str) -> (usize, usize, usize) {
    let switches = text.lines().filter(|l| l.starts_with("Switch")).count();
    let hcas = text.lines().filter(|l| l.starts_with("Ca")).count();
    let ports = text.lines().filter(|l| l.starts_with('[')).count();
    (switches, hcas, ports / 2)
}

/// The `(node GUID, port)` ends of every port line, for checking that GUIDs do not repeat across planes.
fn guids(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("switchguid=") || l.starts_with("caguid="))
        .map(|l| l.split(['=', '(']).nth(1).unwrap().to_string())
        .collect()
}

#[test]
fn every_plane_is_a_subnet_of_its_own_and_verifies_clean() {
    let (_t, dir) = planned();
    assert!(
        !dir.join("ibnetdiscover.topo").exists(),
        "one file per plane, not one for all"
    );
    let mut all_guids = std::collections::HashSet::new();
    for p in 1..=8 {
        let file = dir.join(format!("ibnetdiscover-pl{p}.topo"));
        let text = std::fs::read_to_string(&file).unwrap();
        // Plane p: its 2 leaves and 1 spine, the 64 servers' rail-p HCAs, 64 server links + 2 x 32 uplinks.
        assert_eq!(counts(&text), (3, 64, 128), "plane {p}");
        assert!(
            text.contains(&format!("\"pl{p}-leaf-su1-r{p}\"")),
            "plane {p} names its leaves"
        );
        assert!(
            !text.contains(&format!("\"pl{}-", p % 8 + 1)),
            "plane {p} holds another plane's switch"
        );
        assert!(
            text.contains(&format!("\"srv64 HCA-{p}\"")),
            "plane {p} holds srv64's rail-{p} HCA"
        );
        for g in guids(&text) {
            assert!(all_guids.insert(g.clone()), "GUID {g} repeats in plane {p}");
        }
        let o = gigapod(&["verify", s(&dir), "--ibnetdiscover", s(&file), "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(o.status.code(), Some(0), "{v:#}");
        assert_eq!(v["planned_links"], 128);
        assert_eq!(v["matched_links"], 128);
        assert_eq!(v["plan_file"], format!("ibnetdiscover-pl{p}.topo"));
    }
    assert_eq!(all_guids.len(), 8 * (3 + 64));
}

#[test]
fn a_plane_missing_a_cable_differs_against_that_plane_only() {
    let (t, dir) = planned();
    let text = std::fs::read_to_string(dir.join("ibnetdiscover-pl3.topo")).unwrap();
    // Drop srv1's rail-3 cable (both ends: the HCA's port line and the leaf's line back to it).
    let hca = text
        .lines()
        .find(|l| l.starts_with("Ca") && l.contains("\"srv1 HCA-3\""))
        .and_then(|l| l.split('"').nth(1))
        .unwrap()
        .to_string();
    // The leaf's port line to the HCA, and the HCA's own port line (inside its block).
    let mut out = Vec::new();
    let mut in_hca = false;
    for l in text.lines() {
        if l.starts_with("Ca") || l.starts_with("Switch") {
            in_hca = l.contains(&format!("\"{hca}\""));
        }
        if l.starts_with('[') && (in_hca || l.contains(&format!("\"{hca}\""))) {
            continue;
        }
        out.push(l);
    }
    let edited = t.path().join("pl3-edited.topo");
    std::fs::write(&edited, out.join("\n")).unwrap();
    let o = gigapod(&["verify", s(&dir), "--ibnetdiscover", s(&edited), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(1), "{v:#}");
    assert_eq!(v["plan_file"], "ibnetdiscover-pl3.topo");
    assert_eq!(v["planned_links"], 128);
    assert_eq!(v["matched_links"], 127);
    assert_eq!(v["counts"]["missing"], 1, "{v:#}");
    assert_eq!(v["faults"][0]["a"]["device"], "srv1");
    assert_eq!(v["faults"][0]["a"]["port"], "nic3");
}

#[test]
fn graphml_and_dot_carry_the_plane() {
    let (t, _dir) = planned();
    let spec = t.path().join("per-rail.toml");
    let xml = t.path().join("f.graphml");
    let o = gigapod(&["export", s(&spec), "--graphml", s(&xml)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let xml = std::fs::read_to_string(&xml).unwrap();
    assert!(xml.contains(r#"<key id="plane" for="node" attr.name="plane" attr.type="int"/>"#));
    assert!(xml.contains(r#"<key id="edge_plane" for="edge" attr.name="plane" attr.type="int"/>"#));
    assert!(xml.contains(r#"<data key="name">pl8-spine-1</data><data key="node_role">spine</data><data key="tier">2</data><data key="plane">8</data>"#));
    // Every edge names its plane; 8 planes x 128 links.
    assert_eq!(xml.matches(r#"<data key="edge_plane">"#).count(), 8 * 128);
    assert_eq!(xml.matches(r#"<data key="edge_plane">5</data>"#).count(), 128);
    let dot = t.path().join("f.dot");
    let o = gigapod(&["export", s(&spec), "--dot", s(&dot)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let dot = std::fs::read_to_string(&dot).unwrap();
    assert!(
        dot.contains("label=\"pl2-spine-1\", role=\"spine\", tier=2, plane=2"),
        "{}",
        &dot[..2000]
    );
    assert!(dot.contains("role=\"leaf_spine\""));
    assert!(
        dot.lines()
            .filter(|l| l.contains(" -- w"))
            .all(|l| l.contains(", plane=") || l.contains("invis"))
    );
}

/// libumad2sim, from the package's file list (it lives under Debian's multiarch folder).
fn libumad2sim() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GIGAPOD_LIBUMAD2SIM") {
        return Some(PathBuf::from(p));
    }
    let o = Command::new("dpkg").args(["-L", "libumad2sim0"]).output().ok()?;
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find(|l| l.ends_with("/libumad2sim.so"))
        .map(PathBuf::from)
        .filter(|p| p.is_file())
}

/// Loads `net` in ibsim and runs the real ibnetdiscover on the simulated subnet; its output, or why not.
fn discover(ibsim: &Path, ibnetdiscover: &Path, sim: &Path, net: &Path, found: &Path) -> Result<(), String> {
    let topo = std::fs::read_to_string(net).unwrap();
    let header = topo.lines().nth(1).unwrap();
    let limits: Vec<&str> = header[header.find("ibsim ").unwrap() + 6..]
        .split_whitespace()
        .take_while(|w| *w != "-s")
        .collect();
    let sock = format!(
        "gigapod-planes-{}-{}",
        std::process::id(),
        net.file_name().unwrap().to_string_lossy()
    );
    let mut child = Command::new(ibsim)
        .args(&limits)
        .arg("-s")
        .arg(net)
        .env("IBSIM_SOCKNAME", &sock)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if line.contains("simulator ready") {
                let _ = tx.send(());
            }
        }
    });
    let ready = rx.recv_timeout(std::time::Duration::from_secs(60)).is_ok();
    let disc = ready.then(|| {
        Command::new(ibnetdiscover)
            .env("IBSIM_SOCKNAME", &sock)
            .env("LD_PRELOAD", sim)
            .stdout(std::fs::File::create(found).unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    });
    let _ = child.stdin.take().unwrap().write_all(b"quit\n");
    let _ = child.wait();
    if !ready {
        return Err("ibsim did not get ready".into());
    }
    let disc = disc.unwrap();
    if !disc.status.success() {
        return Err(format!("ibnetdiscover: {}", String::from_utf8_lossy(&disc.stderr)));
    }
    Ok(())
}

/// Every plane's file loads in ibsim as a subnet of its own; the real ibnetdiscover finds that plane's 3
/// switches, 64 HCAs and 128 links, and `verify` matches every link to the plan's plane. CI installs
/// ibsim-utils and infiniband-diags (`.ci/run`); without them this test prints that it skipped, and fails under
/// GIGAPOD_REQUIRE_TOOLS=1.
#[test]
fn real_ibnetdiscover_finds_every_plane_on_ibsim() {
    const TEST: &str = "real_ibnetdiscover_finds_every_plane_on_ibsim";
    let Some(ibsim) = common::tool_or_skip(
        TEST,
        None,
        &["ibsim"],
        "`apt-get install -y ibsim-utils`, as .ci/run does",
    ) else {
        return;
    };
    let Some(ibnetdiscover) = common::find_tool(None, &["ibnetdiscover"]).or_else(|| {
        ["/usr/sbin/ibnetdiscover", "/sbin/ibnetdiscover"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    }) else {
        common::skip(
            TEST,
            "no ibnetdiscover (`apt-get install -y infiniband-diags`, as .ci/run does)",
        );
        return;
    };
    let Some(sim) = libumad2sim() else {
        common::skip(
            TEST,
            "no libumad2sim.so (`apt-get install -y ibsim-utils`, which brings libumad2sim0)",
        );
        return;
    };
    let (t, dir) = planned();
    for p in 1..=8 {
        let net = dir.join(format!("ibnetdiscover-pl{p}.topo"));
        let found = t.path().join(format!("found-pl{p}.topo"));
        discover(&ibsim, &ibnetdiscover, &sim, &net, &found).unwrap_or_else(|e| panic!("plane {p}: {e}"));
        let text = std::fs::read_to_string(&found).unwrap();
        assert!(
            text.contains("switchguid="),
            "plane {p}: not ibnetdiscover's own output"
        );
        assert_eq!(counts(&text), (3, 64, 128), "plane {p} as discovered");
        let o = gigapod(&[
            "verify",
            s(&dir),
            "--ibnetdiscover",
            s(&found),
            "--ignore-speed",
            "--format",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(o.status.code(), Some(0), "plane {p}: {v:#}");
        assert_eq!(v["matched_links"], 128, "plane {p}");
        assert_eq!(v["plan_file"], format!("ibnetdiscover-pl{p}.topo"));
    }
}
