//! `gigapod verify` end to end: the round trip on the plan's own files, exit codes and JSON keys, an edited
//! fabric, unreadable input, the nvidia-smi matrix, and real `ibnetdiscover` run against OpenSM's simulator
//! (`ibsim`) through libumad2sim.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn gigapod(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gigapod")).args(args).output().unwrap()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

/// Plans the one-SU H200 example into a temporary folder.
fn planned() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("plan");
    let o = gigapod(&[
        "plan",
        example("gigapod-h200-air.toml").to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (t, dir)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_plans_own_topology_verifies_clean_with_exit_0() {
    let (_t, dir) = planned();
    let topo = dir.join("ibnetdiscover.topo");
    let o = gigapod(&["verify", s(&dir), "--ibnetdiscover", s(&topo)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("verify  match: 512 planned links, 512 found, 512 on their ports"),
        "{text}"
    );
    let o = gigapod(&["verify", s(&dir), "--ibnetdiscover", s(&topo), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "match");
    assert_eq!(v["faults"].as_array().unwrap().len(), 0);
    assert_eq!(v["planned_links"], 512);
    assert_eq!(v["schema_version"], "1");
}

#[test]
fn a_moved_and_a_removed_cable_exit_1_with_their_fixes() {
    let (t, dir) = planned();
    let topo = std::fs::read_to_string(dir.join("ibnetdiscover.topo")).unwrap();
    // srv2's rail-1 cable is gone (both ends), and srv1's rail-1 cable sits in the port it left on leaf-su1-r1
    // (1/2) instead of its own (1/1).
    let leaf = "S-0002c90300000000";
    // HCA GUIDs are spaced for their port GUIDs (render::ibnet::hca_guid): srv2 HCA-1 is HCA 8, at 8 x 2.
    let (hca1, hca2) = ("H-0002c90400000000", "H-0002c90400000010");
    let mut lines: Vec<String> = Vec::new();
    for l in topo.lines() {
        if l.starts_with(&format!("[2]\t\"{hca2}\"[1]")) || l.starts_with(&format!("[1]\t\"{leaf}\"[2]")) {
            continue;
        }
        if let Some(rest) = l.strip_prefix(&format!("[1]\t\"{hca1}\"[1]")) {
            lines.push(format!("[2]\t\"{hca1}\"[1]{rest}"));
        } else if let Some(rest) = l.strip_prefix(&format!("[1]\t\"{leaf}\"[1]")) {
            lines.push(format!("[1]\t\"{leaf}\"[2]{rest}"));
        } else {
            lines.push(l.to_string());
        }
    }
    let edited = t.path().join("edited.topo");
    std::fs::write(&edited, lines.join("\n")).unwrap();
    let o = gigapod(&["verify", s(&dir), "--ibnetdiscover", s(&edited), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "differs");
    let faults = v["faults"].as_array().unwrap();
    let fixes: Vec<&str> = faults.iter().map(|f| f["fix"].as_str().unwrap()).collect();
    assert_eq!(faults.len(), 2, "{fixes:#?}");
    assert_eq!(faults[0]["kind"], "missing");
    assert_eq!(faults[0]["cable"], "C000002");
    assert_eq!(faults[0]["a"]["device"], "srv2");
    assert_eq!(faults[0]["a"]["port"], "nic1");
    assert_eq!(faults[0]["b"]["device"], "leaf-su1-r1");
    assert_eq!(faults[0]["b"]["port"], "1/2");
    assert!(faults[0]["b"]["rack"].as_str().unwrap().starts_with('R'));
    assert_eq!(faults[1]["kind"], "miswired");
    assert_eq!(faults[1]["cable"], "C000001");
    assert_eq!(faults[1]["found"]["device"], "leaf-su1-r1");
    assert_eq!(faults[1]["found"]["port"], "1/2");
    assert_eq!(
        fixes[1],
        "move cable C000001 (at srv1 nic1 (R01-01 U1)) from leaf-su1-r1 1/2 (R01-05 U48) to leaf-su1-r1 1/1 (R01-05 U48)"
    );
}

#[test]
fn unreadable_input_exits_2_naming_the_file_and_line() {
    let (t, dir) = planned();
    let bad = t.path().join("bad.topo");
    std::fs::write(&bad, b"Switch 4 \"x\"\n\0\0\n").unwrap();
    let o = gigapod(&["verify", s(&dir), "--ibnetdiscover", s(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.topo:2"), "{err}");
    let o = gigapod(&["verify", s(&dir), "--ibnetdiscover", s(&t.path().join("none.topo"))]);
    assert_eq!(o.status.code(), Some(2));
    let o = gigapod(&["verify", s(t.path()), "--ibnetdiscover", s(&bad)]);
    assert_eq!(o.status.code(), Some(2), "not a plan folder");
    assert!(String::from_utf8_lossy(&o.stderr).contains("ibnetdiscover.topo"));
}

#[test]
fn a_matrix_with_a_remote_nic_exits_1_and_a_good_one_0() {
    let (t, dir) = planned();
    let mut good = String::from(
        "\tGPU0\tGPU1\tGPU2\tGPU3\tGPU4\tGPU5\tGPU6\tGPU7\tNIC0\tNIC1\tNIC2\tNIC3\tNIC4\tNIC5\tNIC6\tNIC7\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\n",
    );
    for g in 0..8 {
        let mut row = format!("GPU{g}");
        for h in 0..8 {
            row.push_str(if g == h { "\t X " } else { "\tNV18" });
        }
        for n in 0..8 {
            row.push_str(if n / 2 == g / 2 {
                "\tPIX"
            } else if n / 4 == g / 4 {
                "\tNODE"
            } else {
                "\tSYS"
            });
        }
        row.push_str(&format!("\t0-55\t{}\t\tN/A\n", g / 4));
        good.push_str(&row);
    }
    let f = t.path().join("topo.txt");
    std::fs::write(&f, &good).unwrap();
    let o = gigapod(&["verify", s(&dir), "--nvidia-smi-topo", s(&f), "--server", "srv3"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let bad = good.replace(
        "GPU5\tNV18\tNV18\tNV18\tNV18\tNV18\t X \tNV18\tNV18\tSYS\tSYS\tSYS\tSYS\tPIX\tPIX",
        "GPU5\tNV18\tNV18\tNV18\tNV18\tNV18\t X \tNV18\tNV18\tSYS\tSYS\tSYS\tSYS\tSYS\tSYS",
    );
    assert_ne!(bad, good);
    std::fs::write(&f, &bad).unwrap();
    let o = gigapod(&[
        "verify",
        s(&dir),
        "--nvidia-smi-topo",
        s(&f),
        "--server",
        "srv3",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "differs");
    assert_eq!(v["faults"][0]["gpu"], "GPU5");
    assert_eq!(v["faults"][0]["kind"], "nic_affinity");
    let o = gigapod(&["verify", s(&dir), "--nvidia-smi-topo", s(&f), "--server", "srv99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("srv1 ... srv32"));
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

/// ibsim loads a plan's ibnetdiscover.topo, the real `ibnetdiscover` discovers the simulated fabric through
/// libumad2sim (LD_PRELOAD), and `verify` reads its output back as clean (`--ignore-speed`: ibsim brings every
/// link up at 4xSDR). CI installs ibsim-utils and infiniband-diags (`.ci/run`); without them this test prints
/// that it skipped, and fails under GIGAPOD_REQUIRE_TOOLS=1.
#[test]
fn real_ibnetdiscover_on_ibsim_verifies_clean() {
    let Some(ibsim) = common::tool_or_skip(
        "real_ibnetdiscover_on_ibsim_verifies_clean",
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
            "real_ibnetdiscover_on_ibsim_verifies_clean",
            "no ibnetdiscover (`apt-get install -y infiniband-diags`, as .ci/run does)",
        );
        return;
    };
    let Some(sim) = libumad2sim() else {
        common::skip(
            "real_ibnetdiscover_on_ibsim_verifies_clean",
            "no libumad2sim.so (`apt-get install -y ibsim-utils`, which brings libumad2sim0)",
        );
        return;
    };
    let (t, dir) = planned();
    let net = dir.join("ibnetdiscover.topo");
    let topo = std::fs::read_to_string(&net).unwrap();
    let header = topo.lines().nth(1).unwrap();
    let limits: Vec<&str> = header[header.find("ibsim ").unwrap() + 6..]
        .split_whitespace()
        .take_while(|w| *w != "-s")
        .collect();
    let sock = format!("gigapod-verify-{}", std::process::id());
    let mut child = Command::new(&ibsim)
        .args(&limits)
        .arg("-s")
        .arg(&net)
        .env("IBSIM_SOCKNAME", &sock)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the simulator says it is ready (its log goes to stdout).
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
    let found = t.path().join("found.topo");
    let disc = ready.then(|| {
        Command::new(&ibnetdiscover)
            .env("IBSIM_SOCKNAME", &sock)
            .env("LD_PRELOAD", &sim)
            .stdout(std::fs::File::create(&found).unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    });
    let _ = child.stdin.take().unwrap().write_all(b"quit\n");
    let _ = child.wait();
    assert!(ready, "ibsim did not get ready");
    let disc = disc.unwrap();
    assert!(
        disc.status.success(),
        "ibnetdiscover: {}",
        String::from_utf8_lossy(&disc.stderr)
    );
    let text = std::fs::read_to_string(&found).unwrap();
    assert!(
        text.contains("switchguid="),
        "not ibnetdiscover's own output: {}",
        &text[..text.len().min(500)]
    );
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
    assert_eq!(o.status.code(), Some(0), "{v:#}");
    assert_eq!(v["matched_links"], 512);
    assert_eq!(v["warnings_total"], 0);
    // Without --ignore-speed every link shows ibsim's 4xSDR against the plan's 4xNDR: each reported once.
    let o = gigapod(&["verify", s(&dir), "--ibnetdiscover", s(&found), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["counts"]["speed"], 512);
}
