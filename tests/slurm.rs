//! `topology.conf` loaded into a real `slurmctld` (Debian's slurm-wlm 22.05; no munge: `auth/none`,
//! `cred/none`), in a temporary folder on ports of its own, for plans of 1, 4 and 64 scalable units. Jobs are
//! placed with `sbatch --test-only`: 1 node, one SU, two SUs and the whole cluster; a one-SU job with
//! `--switches=1` lands inside one SU and a job one node larger than an SU cannot have one switch.
//!
//! The nodes are `State=CLOUD` (powered down, resumable by `/bin/true`), so no `slurmd` is needed: slurmctld
//! schedules onto them as onto idle nodes. Without slurmctld/sbatch the test prints that it skipped (and fails
//! under `GIGAPOD_REQUIRE_TOOLS=1`, as CI runs it). `GIGAPOD_SLURMCTLD` / `GIGAPOD_SBATCH` pick other binaries.

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::spec::Spec;
use gigapod_planner::{Plan, plan};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

fn plan_of_sus(sus: u32) -> Plan {
    plan_of(sus, false)
}

/// The bundled example at `sus` SUs, with one plane per rail when `per_rail`.
fn plan_of(sus: u32, per_rail: bool) -> Plan {
    let mut text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gigapod-h200-air.toml"))
            .unwrap()
            .replace("scalable_units = 1", &format!("scalable_units = {sus}"))
            .replace("name = \"gigapod-h200-air\"", &format!("name = \"su{sus}\""));
    if per_rail {
        text = text.replace("[fabric]\n", "[fabric]\nplanes = \"per-rail\"\n");
        assert!(text.contains("planes = \"per-rail\""));
    }
    if sus > 64 {
        // Beyond 64 SUs the storage fabric's longest run outgrows the catalog's 50 m optics on one floor: leave it
        // out, as it plays no part in the compute fabric's tree.
        text.push_str("\n[storage]\nfabric = \"none\"\n");
    }
    let spec = Spec::parse(SourceFile::new("spec.toml", text)).unwrap();
    plan(&spec, Catalog::builtin()).unwrap()
}

/// A TCP port free right now on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Expands a Slurm hostlist (`srv[1-3,5],srv9`).
fn expand(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    let mut parts = Vec::new();
    for (i, c) in list.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        match part.split_once('[') {
            Some((prefix, ranges)) => {
                for r in ranges.trim_end_matches(']').split(',') {
                    let (a, b) = r.split_once('-').unwrap_or((r, r));
                    for k in a.parse::<u64>().unwrap()..=b.parse::<u64>().unwrap() {
                        out.push(format!("{prefix}{k}"));
                    }
                }
            }
            None => out.push(part.to_string()),
        }
    }
    out
}

/// A slurmctld in the foreground, killed when dropped.
struct Ctl {
    child: Child,
    conf: PathBuf,
    log: PathBuf,
}

impl Drop for Ctl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn user() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn start(slurmctld: &Path, sbatch: &Path, dir: &Path, p: &Plan) -> Ctl {
    let servers = p.compute.servers;
    std::fs::write(
        dir.join("topology.conf"),
        gigapod_planner::render::slurm::topology_conf(p),
    )
    .unwrap();
    for d in ["state", "spool"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    let d = dir.display();
    let conf = format!(
        "ClusterName=gigapodtest\nSlurmctldHost=localhost\nSlurmctldPort={}\nSlurmdPort={}\n\
         AuthType=auth/none\nCredType=cred/none\nSlurmUser={}\nMpiDefault=none\n\
         StateSaveLocation={d}/state\nSlurmdSpoolDir={d}/spool\nSlurmctldPidFile={d}/slurmctld.pid\n\
         SlurmctldLogFile={d}/slurmctld.log\nSlurmctldDebug=info\nProctrackType=proctrack/linuxproc\n\
         TaskPlugin=task/none\nSchedulerType=sched/backfill\nSelectType=select/cons_tres\n\
         SelectTypeParameters=CR_Core\nTopologyPlugin=topology/tree\nJobCompType=jobcomp/none\n\
         AccountingStorageType=accounting_storage/none\nSuspendProgram=/bin/true\nResumeProgram=/bin/true\n\
         SuspendTime=3600\nResumeTimeout=3600\nNodeName=srv[1-{servers}] CPUs=1 State=CLOUD\n\
         PartitionName=all Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
        free_port(),
        free_port(),
        user()
    );
    let conf_path = dir.join("slurm.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let child = Command::new(slurmctld)
        .args(["-D", "-i", "-f"])
        .arg(&conf_path)
        .env("SLURM_CONF", &conf_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let ctl = Ctl {
        child,
        conf: conf_path,
        log: dir.join("slurmctld.log"),
    };
    // Ready once it answers a job test.
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(60) {
        if test_only(sbatch, &ctl, &["-N", "1"]).is_ok() {
            return ctl;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!(
        "slurmctld did not answer within 60 s; its log:\n{}",
        std::fs::read_to_string(&ctl.log).unwrap_or_default()
    );
}

/// `sbatch --test-only ARGS --wrap true`: the nodes it would use, or its message.
fn test_only(sbatch: &Path, ctl: &Ctl, args: &[&str]) -> Result<Vec<String>, String> {
    let out = Command::new(sbatch)
        .arg("--test-only")
        .args(args)
        .args(["--wrap", "true"])
        .env("SLURM_CONF", &ctl.conf)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // "sbatch: Job 3 to start at ... using 64 processors on nodes srv[1-64] in partition all"
    match text.split_once(" on nodes ") {
        Some((_, rest)) if out.status.success() => Ok(expand(rest.split_whitespace().next().unwrap_or(""))),
        _ => Err(text.trim().to_string()),
    }
}

#[test]
fn slurmctld_places_jobs_of_every_size_on_the_topology() {
    let test = "slurmctld_places_jobs_of_every_size_on_the_topology";
    let install = "`apt-get install -y slurm-wlm`, as .ci/run does";
    let Some(slurmctld) = common::tool_or_skip(test, Some("GIGAPOD_SLURMCTLD"), &["slurmctld"], install) else {
        return;
    };
    let Some(sbatch) = common::tool_or_skip(test, Some("GIGAPOD_SBATCH"), &["sbatch"], install) else {
        return;
    };
    for sus in [1u32, 4, 64] {
        places_jobs(&slurmctld, &sbatch, &plan_of_sus(sus), &format!("{sus} SU(s)"));
    }
}

/// A per-rail plan (8 planes, one per rail): the tree is the one a single plane gives (at 4 SUs the one-plane
/// plan's, line for line; at 66 SUs, where each plane has three tiers, the shape of one plane's own tree), and
/// slurmctld places the same jobs on it.
#[test]
fn slurmctld_places_jobs_on_a_per_rail_plan_as_on_one_plane() {
    let test = "slurmctld_places_jobs_on_a_per_rail_plan_as_on_one_plane";
    let install = "`apt-get install -y slurm-wlm`, as .ci/run does";
    let tree_lines = |p: &Plan| -> Vec<String> {
        gigapod_planner::render::slurm::topology_conf(p)
            .lines()
            .filter(|l| l.starts_with("SwitchName="))
            .map(String::from)
            .collect()
    };
    // The tree's shape, names aside: per switch its tier, servers and children.
    let shape = |f: &gigapod_planner::fabric::Fabric| -> Vec<(u8, Vec<u32>, Vec<usize>)> {
        gigapod_planner::render::slurm::tree(f)
            .into_iter()
            .map(|t| {
                (
                    t.tier,
                    t.servers.into_iter().collect(),
                    t.children.into_iter().collect(),
                )
            })
            .collect()
    };
    // 4 SUs: one plane and per-rail are both two tiers, and give the same file's tree line for line.
    let (one, planes) = (plan_of(4, false), plan_of(4, true));
    assert_eq!(planes.fabric.plane_count(), 8);
    let lines = tree_lines(&planes);
    assert_eq!(lines, tree_lines(&one), "per-rail tree differs from one plane's");
    assert_eq!(lines.last().unwrap(), "SwitchName=spines Switches=su[1-4]");
    // 66 SUs: each plane is a three-tier one-rail fat-tree (2,112 endpoints > 64 x 32); the merged tree of all 8
    // planes has the shape of one plane's own tree (SUs, pods of spines, cores).
    let big = plan_of(66, true);
    assert_eq!(big.fabric.summary().tiers, 3);
    assert_eq!(shape(&big.fabric), shape(big.fabric.plane()));
    let lines = tree_lines(&big);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("SwitchName=pod1-spines Switches=su[")),
        "{lines:?}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("SwitchName=cores Switches=pod1-spines,"),
        "{lines:?}"
    );
    let Some(slurmctld) = common::tool_or_skip(test, Some("GIGAPOD_SLURMCTLD"), &["slurmctld"], install) else {
        return;
    };
    let Some(sbatch) = common::tool_or_skip(test, Some("GIGAPOD_SBATCH"), &["sbatch"], install) else {
        return;
    };
    places_jobs(&slurmctld, &sbatch, &planes, "4 SUs per-rail");
    places_jobs(&slurmctld, &sbatch, &big, "66 SUs per-rail (three-tier planes)");
}

/// Starts slurmctld on the plan's topology.conf and places jobs of 1 node, one SU, two SUs and the whole cluster;
/// `--switches=1` keeps a job in one SU, `--switches=2` a two-SU job in two, and one node more than an SU gets no
/// single switch. `what` names the plan in failures.
fn places_jobs(slurmctld: &Path, sbatch: &Path, p: &Plan, what: &str) {
    let sus = p.compute.servers.div_ceil(p.compute.servers_per_su);
    {
        let per_su = p.compute.servers_per_su;
        let servers = p.compute.servers;
        let su_of = |name: &str| -> u32 { (name.trim_start_matches("srv").parse::<u32>().unwrap() - 1) / per_su };
        let dir = tempfile::tempdir().unwrap();
        let ctl = start(slurmctld, sbatch, dir.path(), p);
        let place = |args: &[&str]| -> Vec<String> {
            test_only(sbatch, &ctl, args).unwrap_or_else(|e| panic!("{what}: sbatch {args:?} refused: {e}"))
        };
        let mut sizes = vec![1, per_su, servers];
        if sus >= 2 {
            sizes.push(2 * per_su);
        }
        for n in sizes {
            let nodes = place(&["-N", &n.to_string()]);
            assert_eq!(nodes.len(), n as usize, "{what}, -N {n}: {nodes:?}");
        }
        // One switch: the job stays in one SU.
        let nodes = place(&["-N", &per_su.to_string(), "--switches=1"]);
        assert_eq!(nodes.len(), per_su as usize);
        let sets: BTreeSet<u32> = nodes.iter().map(|n| su_of(n)).collect();
        assert_eq!(sets.len(), 1, "{what}: a --switches=1 job spans SUs {sets:?}");
        if sus >= 2 {
            // Two SUs with two leaf switches at most: exactly two SUs.
            let nodes = place(&["-N", &(2 * per_su).to_string(), "--switches=2"]);
            let sets: BTreeSet<u32> = nodes.iter().map(|n| su_of(n)).collect();
            assert_eq!(sets.len(), 2, "{what}: {sets:?}");
            // One node more than an SU cannot have one leaf switch.
            assert!(
                test_only(sbatch, &ctl, &["-N", &(per_su + 1).to_string(), "--switches=1"]).is_err(),
                "{what}: a job larger than an SU was given one switch"
            );
        }
        let log = std::fs::read_to_string(&ctl.log).unwrap_or_default();
        for bad in ["Multiple leaf switches", "topology/tree: ", "fatal"] {
            let hits: Vec<&str> = log
                .lines()
                .filter(|l| l.contains(bad) && (l.contains("error") || l.contains("WARNING") || l.contains("fatal")))
                .collect();
            assert!(hits.is_empty(), "{what}: slurmctld logged {hits:?}");
        }
        drop(ctl);
    }
}
