//! `topology.conf`: the compute fabric for Slurm's `topology/tree` plugin, in the form that schedules.
//!
//! Slurm's tree plugin wants each node under exactly one leaf switch, with the upper levels above
//! (slurm.conf(5) / topology.conf(5): "each node must be listed under exactly one leaf switch"; a node under
//! several leaves makes slurmctld warn "Multiple leaf switches contain nodes" and breaks job placement). A
//! rail-optimised fabric cables each server to every rail leaf of its scalable unit, so the real leaves overlap.
//! As NVIDIA's Topograph does, fabric switches are merged bottom up into [`TreeSwitch`]es:
//!
//! 1. Leaves that share a server are one switch (in a rail-optimised fabric, the rail leaves of one SU become
//!    one switch `su<n>` holding its servers).
//! 2. At each tier above, switches whose children (the merged switches of the tier below that they are cabled
//!    to) overlap are one switch (the spines of a pod become `pod<n>-spines`, or `spines`; the cores `cores`).
//!
//! Every server is then under exactly one leaf-level switch and every switch under at most one parent, so the
//! file is a tree and jobs of any size up to the whole cluster can be placed; `--switches=1` keeps a job inside
//! one SU. A merged switch of one member keeps the fabric switch's name; the comment above each line lists the
//! fabric switches it stands for. Lists use Slurm's hostlist expressions (`srv[1-32]`). Node names are the plan's
//! server names (`srv1` ...).
//!
//! A multi-plane fabric (`fabric.planes`) merges the same way: every server is cabled into every plane, so the
//! leaves of one SU in all the planes share its servers and become one switch `su<n>`, and the planes' spines
//! (and cores) above them share those children: the tree is the one of a single plane, as Topograph gives for a
//! multi-plane fabric, and jobs are placed exactly as on one plane.
//!
//! [`tree`] builds the merged tree of any [`Fabric`], so a renderer per plane or hall can reuse it.

use crate::fabric::{Fabric, LinkRole, Role};
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

/// One switch of the merged tree: one or more fabric switches of one tier that Slurm sees as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeSwitch {
    /// Its `SwitchName`.
    pub name: String,
    /// The fabric tier it merges (1 leaf, 2 spine, 3 core).
    pub tier: u8,
    /// The fabric switches it stands for, in index order.
    pub members: Vec<NodeIndex>,
    /// Leaf level: the servers (0-based) under it. Empty above.
    pub servers: BTreeSet<u32>,
    /// Upper levels: indices into the tree (of the tier below) of its children. Empty at the leaf level.
    pub children: BTreeSet<usize>,
}

/// Merges the members of one tier whose child sets overlap (union-find); returns groups in order of their
/// first member, each with the union of its children.
fn merge_overlapping<T: Ord + Copy>(items: &[(NodeIndex, BTreeSet<T>)]) -> Vec<(Vec<NodeIndex>, BTreeSet<T>)> {
    let mut parent: Vec<usize> = (0..items.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: BTreeMap<T, usize> = BTreeMap::new();
    for (i, (_, children)) in items.iter().enumerate() {
        for &c in children {
            match owner.get(&c) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    owner.insert(c, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, (Vec<NodeIndex>, BTreeSet<T>)> = BTreeMap::new();
    for (i, (node, children)) in items.iter().enumerate() {
        let root = find(&mut parent, i);
        let g = groups.entry(root).or_default();
        g.0.push(*node);
        g.1.extend(children.iter().copied());
    }
    groups.into_values().collect()
}

/// Names the merged switches of one tier: a lone member keeps its name; members sharing one SU (leaves) or one
/// pod (spines), when that SU or pod has only this group, become `su<n>` / `pod<n>-spines`; otherwise
/// `<word><k>`, or `<word>` for the only group of the tier.
fn name_groups(f: &Fabric, tier: u8, groups: &[Vec<NodeIndex>]) -> Vec<String> {
    let word = match tier {
        1 => "leaves",
        2 => "spines",
        _ => "cores",
    };
    let shared = |g: &[NodeIndex]| -> Option<u32> {
        let key = |n: NodeIndex| if tier == 1 { f.node(n).su } else { f.node(n).pod };
        let first = key(*g.first()?)?;
        g.iter().all(|&n| key(n) == Some(first)).then_some(first)
    };
    let keys: Vec<Option<u32>> = groups.iter().map(|g| shared(g)).collect();
    groups
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let unique = keys[k].filter(|key| keys.iter().filter(|o| **o == Some(*key)).count() == 1);
            match (g.len(), unique, tier) {
                (1, _, _) => f.node(g[0]).name.clone(),
                (_, Some(su), 1) => format!("su{}", su + 1),
                (_, Some(pod), _) => format!("pod{}-{word}", pod + 1),
                _ if groups.len() == 1 => word.to_string(),
                _ => format!("{word}{}", k + 1),
            }
        })
        .collect()
}

/// The merged tree of a fabric, bottom up (leaf level first; each tier's children index the tier below, counted
/// from the start of the returned list). Leaves without servers and switches without children are left out.
pub fn tree(f: &Fabric) -> Vec<TreeSwitch> {
    // The servers of every leaf and the lower neighbours of every spine and core.
    let mut servers: BTreeMap<NodeIndex, BTreeSet<u32>> = BTreeMap::new();
    let mut lower: BTreeMap<NodeIndex, BTreeSet<NodeIndex>> = BTreeMap::new();
    for e in f.graph().edge_references() {
        let l = e.weight();
        match l.role {
            LinkRole::Endpoint => {
                if let Some(server) = f.node(l.a.node).server {
                    servers.entry(l.b.node).or_default().insert(server);
                }
            }
            LinkRole::LeafSpine | LinkRole::SpineCore => {
                lower.entry(l.b.node).or_default().insert(l.a.node);
            }
        }
    }
    let mut out: Vec<TreeSwitch> = Vec::new();
    let leaves: Vec<(NodeIndex, BTreeSet<u32>)> = f
        .leaves()
        .filter_map(|n| servers.get(&n).map(|s| (n, s.clone())))
        .collect();
    let groups = merge_overlapping(&leaves);
    let names = name_groups(f, 1, &groups.iter().map(|g| g.0.clone()).collect::<Vec<_>>());
    // Which tree switch each fabric switch went into.
    let mut into: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    for ((members, set), name) in groups.into_iter().zip(names) {
        for &m in &members {
            into.insert(m, out.len());
        }
        out.push(TreeSwitch {
            name,
            tier: 1,
            members,
            servers: set,
            children: BTreeSet::new(),
        });
    }
    for (tier, role) in [(2u8, Role::Spine), (3, Role::Core)] {
        let level: Vec<(NodeIndex, BTreeSet<usize>)> = f
            .switches()
            .filter(|&n| f.node(n).role == role)
            .filter_map(|n| {
                let children: BTreeSet<usize> = lower.get(&n)?.iter().filter_map(|c| into.get(c).copied()).collect();
                (!children.is_empty()).then_some((n, children))
            })
            .collect();
        let groups = merge_overlapping(&level);
        let names = name_groups(f, tier, &groups.iter().map(|g| g.0.clone()).collect::<Vec<_>>());
        for ((members, children), name) in groups.into_iter().zip(names) {
            for &m in &members {
                into.insert(m, out.len());
            }
            out.push(TreeSwitch {
                name,
                tier,
                members,
                servers: BTreeSet::new(),
                children,
            });
        }
    }
    out
}

/// Renders `topology.conf`.
pub fn topology_conf(plan: &Plan) -> String {
    let f = &plan.fabric;
    let s = f.summary();
    let tree = tree(f);
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
    let _ = writeln!(
        out,
        "# Switches that share servers (leaves) or children (spines, cores) are merged into one, as NVIDIA's Topograph does,\n\
         # so that every node is under exactly one leaf switch: {} Slurm switches for the {} fabric switches.",
        tree.len(),
        s.switches.total
    );
    if f.design().rail_optimized {
        let _ = writeln!(
            out,
            "# Rail-optimised: NIC i of every server in an SU goes to that SU's rail-i leaf, so the {} rail leaves of an SU are one switch.",
            s.rails
        );
    }
    if let Some(set) = f.plane_set() {
        let _ = writeln!(
            out,
            "# {} {} planes: every server is on every plane, so one SU's leaves of all the planes are one switch (and a pod's spines,
             # the cores, of all the planes): the tree is the one a single plane gives, and jobs are placed as on one plane.",
            set.count,
            set.mode.mode()
        );
    }
    for tier in 1..=3u8 {
        let level: Vec<&TreeSwitch> = tree.iter().filter(|t| t.tier == tier).collect();
        if level.is_empty() {
            continue;
        }
        let what = ["leaf", "spine", "core"][usize::from(tier - 1)];
        let _ = writeln!(out, "\n# {} {what} level", level.len());
        for t in level {
            let members: Vec<&str> = t.members.iter().map(|&m| f.node(m).name.as_str()).collect();
            if members.len() > 1 {
                let _ = writeln!(
                    out,
                    "# {} = {} ({} switches)",
                    t.name,
                    hostlist(&members),
                    members.len()
                );
            }
            if tier == 1 {
                let names: Vec<String> = t.servers.iter().map(|&i| crate::cabling::server_name(i)).collect();
                let _ = writeln!(out, "SwitchName={} Nodes={}", t.name, hostlist(&names));
            } else {
                let children: Vec<&str> = t.children.iter().map(|&c| tree[c].name.as_str()).collect();
                let _ = writeln!(out, "SwitchName={} Switches={}", t.name, hostlist(&children));
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

    #[test]
    fn overlapping_sets_merge_transitively_and_disjoint_ones_stay_apart() {
        let n = NodeIndex::new;
        let items = vec![
            (n(0), BTreeSet::from([1, 2])),
            (n(1), BTreeSet::from([5])),
            (n(2), BTreeSet::from([2, 3])),
            (n(3), BTreeSet::from([3, 4])),
        ];
        let groups = merge_overlapping(&items);
        assert_eq!(
            groups,
            vec![
                (vec![n(0), n(2), n(3)], BTreeSet::from([1, 2, 3, 4])),
                (vec![n(1)], BTreeSet::from([5]))
            ]
        );
    }

    fn fabric(servers: u32, rails: u32, per_su: u32, rail_optimized: bool) -> Fabric {
        use crate::fabric::{self, FabricRequest, Tiers};
        use gigapod_catalog::units::Gbps;
        let sw = fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
        let req = FabricRequest {
            switch: &sw,
            servers,
            rails,
            servers_per_su: per_su,
            speed: Gbps(400),
            oversubscription: 1.0,
            rail_optimized,
            tiers: Tiers::Auto,
        };
        fabric::build(&req).unwrap()
    }

    #[test]
    fn rail_leaves_of_an_su_become_one_switch_under_one_spine_level() {
        // 2 SUs of 4 servers with 2 rails: 4 leaves, each SU's two rail leaves merge.
        let f = fabric(8, 2, 4, true);
        let t = tree(&f);
        let leaves: Vec<&TreeSwitch> = t.iter().filter(|s| s.tier == 1).collect();
        assert_eq!(leaves.len(), 2);
        assert_eq!(leaves[0].name, "su1");
        assert_eq!(leaves[0].servers, BTreeSet::from([0, 1, 2, 3]));
        assert_eq!(leaves[0].members.len(), 2);
        assert_eq!(leaves[1].servers, BTreeSet::from([4, 5, 6, 7]));
        // Every server in exactly one leaf-level switch.
        let all: Vec<u32> = leaves.iter().flat_map(|s| s.servers.iter().copied()).collect();
        assert_eq!(all.len(), 8);
        // One root holding both SUs.
        let top = t.last().unwrap();
        assert_eq!(top.tier, 2);
        assert_eq!(top.children, BTreeSet::from([0, 1]));
        assert_eq!(t.len(), 3);
    }
}
