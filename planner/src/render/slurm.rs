//! `topology.conf`: the compute fabric for Slurm's `topology/tree` plugin.
//!
//! One `SwitchName=` line per fabric switch, bottom up: each leaf with the servers cabled to it (`Nodes=`), each
//! spine with its leaves and each core with its spines (`Switches=`), as the fabric graph has them. Lists use
//! Slurm's hostlist expressions (`srv[1-32]`, `leaf-su1-r[1-8]`). In a rail-optimised fabric a server is cabled
//! to every rail leaf of its SU, so it appears under each of them, as a discovery tool
//! (`slurmibtopology`) would list it. Node names are the plan's server names (`srv1` ...).

use crate::fabric::{LinkRole, Role};
use crate::plan::Plan;
use petgraph::graph::NodeIndex;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Compresses names into a Slurm hostlist expression: names that differ only in a trailing number become
/// `prefix[1-4,7]`; the groups keep the order of their first name.
///
/// ```
/// use gigapod_planner::render::slurm::hostlist;
/// assert_eq!(hostlist(&["srv1", "srv2", "srv3", "srv5"]), "srv[1-3,5]");
/// assert_eq!(hostlist(&["leaf-su1-r1", "leaf-su2-r1"]), "leaf-su1-r1,leaf-su2-r1");
/// assert_eq!(hostlist(&["spine-1"]), "spine-1");
/// ```
pub fn hostlist<S: AsRef<str>>(names: &[S]) -> String {
    let mut groups: Vec<(&str, Vec<u64>, Vec<&str>)> = Vec::new();
    for name in names {
        let name = name.as_ref();
        let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, number) = name.split_at(name.len() - digits);
        // A number with a leading zero would lose it in a range: keep such names whole.
        let plain = !number.is_empty() && (number == "0" || !number.starts_with('0')) && number.len() < 19;
        match groups.iter_mut().find(|g| g.0 == prefix) {
            Some(g) if plain => g.1.push(number.parse().unwrap_or(0)),
            _ if plain => groups.push((prefix, vec![number.parse().unwrap_or(0)], Vec::new())),
            Some(g) => g.2.push(name),
            None => groups.push((prefix, Vec::new(), vec![name])),
        }
    }
    let mut parts = Vec::new();
    for (prefix, mut numbers, whole) in groups {
        parts.extend(whole.iter().map(|s| s.to_string()));
        numbers.sort_unstable();
        numbers.dedup();
        let mut ranges: Vec<String> = Vec::new();
        let mut i = 0;
        while i < numbers.len() {
            let mut j = i;
            while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
                j += 1;
            }
            ranges.push(if i == j {
                numbers[i].to_string()
            } else {
                format!("{}-{}", numbers[i], numbers[j])
            });
            i = j + 1;
        }
        match (numbers.len(), ranges.len()) {
            (0, _) => {}
            (1, _) => parts.push(format!("{prefix}{}", numbers[0])),
            _ => parts.push(format!("{prefix}[{}]", ranges.join(","))),
        }
    }
    parts.join(",")
}

/// Renders `topology.conf`.
pub fn topology_conf(plan: &Plan) -> String {
    let f = &plan.fabric;
    let s = f.summary();
    // Children of every switch, by role of the child.
    let mut nodes: BTreeMap<NodeIndex, BTreeSet<u32>> = BTreeMap::new();
    let mut switches: BTreeMap<NodeIndex, BTreeSet<NodeIndex>> = BTreeMap::new();
    for e in f.graph().edge_references() {
        let l = e.weight();
        match l.role {
            LinkRole::Endpoint => {
                if let Some(server) = f.node(l.a.node).server {
                    nodes.entry(l.b.node).or_default().insert(server);
                }
            }
            LinkRole::LeafSpine | LinkRole::SpineCore => {
                switches.entry(l.b.node).or_default().insert(l.a.node);
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Slurm topology.conf for {}: the compute fabric, {}-tier fat-tree of {} {} switches ({} leaf, {} spine, {} core).",
        plan.name(),
        s.tiers,
        s.switches.total,
        s.switch_id,
        s.switches.leaf,
        s.switches.spine,
        s.switches.core
    );
    let _ = writeln!(
        out,
        "# Written by gigapod {}. For TopologyPlugin=topology/tree in slurm.conf.",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "# Nodes are the plan's server names (srv1 ... srv{}): use them as NodeName, or rename them to the hosts.",
        s.servers
    );
    if f.design().rail_optimized {
        let _ = writeln!(
            out,
            "# Rail-optimised: NIC i of every server in an SU goes to that SU's rail-i leaf, so each server is listed under each of its SU's {} rail leaves.",
            s.rails
        );
    }
    for (role, what) in [(Role::Leaf, "leaves"), (Role::Spine, "spines"), (Role::Core, "cores")] {
        let list: Vec<NodeIndex> = match role {
            Role::Leaf => f.leaves().collect(),
            Role::Spine => f.spines().collect(),
            _ => f.cores().collect(),
        };
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n# {} {what}", list.len());
        for sw in list {
            let name = &f.node(sw).name;
            if role == Role::Leaf {
                let servers: Vec<String> = nodes
                    .get(&sw)
                    .map(|set| set.iter().map(|&i| crate::cabling::server_name(i)).collect())
                    .unwrap_or_default();
                let _ = writeln!(out, "SwitchName={name} Nodes={}", hostlist(&servers));
            } else {
                let children: Vec<&str> = switches
                    .get(&sw)
                    .map(|set| set.iter().map(|&c| f.node(c).name.as_str()).collect())
                    .unwrap_or_default();
                let _ = writeln!(out, "SwitchName={name} Switches={}", hostlist(&children));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostlists_compress_runs_and_keep_odd_names() {
        assert_eq!(hostlist(&["a1", "a3", "a2", "b7", "c"]), "a[1-3],b7,c");
        assert_eq!(hostlist(&["n01", "n02"]), "n01,n02");
        assert_eq!(hostlist::<&str>(&[]), "");
        assert_eq!(
            hostlist(&["leaf-su1-r1-1", "leaf-su1-r1-2", "leaf-su1-r2-1"]),
            "leaf-su1-r1-[1-2],leaf-su1-r2-1"
        );
    }
}
