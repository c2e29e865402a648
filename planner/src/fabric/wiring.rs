//! Balanced wiring, proved from the graph: every leaf has the same number of links to every spine of its pod
//! and none elsewhere; every spine the same number to every core of its group and none elsewhere.

use super::graph::{Fabric, LinkRole, Role};
use crate::check::Check;

/// Links between each (lower, upper) switch pair of a link role, as sorted `(lower, upper, links)`.
fn pair_counts(f: &Fabric, role: LinkRole) -> Vec<(u32, u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = f
        .graph()
        .raw_edges()
        .iter()
        .filter(|e| e.weight.role == role)
        .map(|e| (e.weight.a.node.index() as u32, e.weight.b.node.index() as u32))
        .collect();
    pairs.sort_unstable();
    let mut out: Vec<(u32, u32, u32)> = Vec::new();
    for (a, b) in pairs {
        match out.last_mut() {
            Some(l) if l.0 == a && l.1 == b => l.2 += 1,
            _ => out.push((a, b, 1)),
        }
    }
    out
}

/// Checks the wiring of one tier: every lower switch must link to exactly the `expected(lower)` upper switches,
/// each with `m` links. Returns the first problem.
fn tier(f: &Fabric, role: LinkRole, lower: Role, m: u32, expected: &dyn Fn(u32) -> Vec<u32>) -> Result<(), String> {
    let pairs = pair_counts(f, role);
    let g = f.graph();
    let mut i = 0;
    let lowers: Vec<u32> = g
        .raw_nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.weight.role == lower)
        .map(|(i, _)| i as u32)
        .collect();
    for lo in lowers {
        let start = i;
        while i < pairs.len() && pairs[i].0 == lo {
            i += 1;
        }
        let got: Vec<u32> = pairs[start..i].iter().map(|p| p.1).collect();
        let name = &g[petgraph::graph::NodeIndex::new(lo as usize)].name;
        if got != expected(lo) {
            return Err(format!(
                "{name} links to {} switches above, not the {} of its group",
                got.len(),
                expected(lo).len()
            ));
        }
        if let Some(p) = pairs[start..i].iter().find(|p| p.2 != m) {
            let up = &g[petgraph::graph::NodeIndex::new(p.1 as usize)].name;
            return Err(format!("{name} has {} links to {up}, not {m}", p.2));
        }
    }
    Ok(())
}

/// `1 link`, `8 links`.
fn count(n: u32, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The `fabric.wiring` check.
pub(crate) fn wiring_check(f: &Fabric) -> Check {
    let d = f.design();
    let first_spine = d.leaves;
    let first_core = d.leaves + d.spines();
    let leaf_pod = |leaf: u32| {
        f.graph()[petgraph::graph::NodeIndex::new(leaf as usize)]
            .pod
            .unwrap_or(0)
    };
    let spines_of = |leaf: u32| -> Vec<u32> {
        let p = leaf_pod(leaf);
        (0..d.spines_per_pod)
            .map(|j| first_spine + p * d.spines_per_pod + j)
            .collect()
    };
    let cores_of = |spine: u32| -> Vec<u32> {
        let j = (spine - first_spine) % d.spines_per_pod;
        (0..d.cores_per_group)
            .map(|c| first_core + j * d.cores_per_group + c)
            .collect()
    };
    let mut result = tier(
        f,
        LinkRole::LeafSpine,
        Role::Leaf,
        d.leaf_spine_links_per_pair,
        &spines_of,
    );
    let mut msg = format!(
        "every leaf has {} to each of the {} of its {}",
        count(d.leaf_spine_links_per_pair, "link"),
        count(d.spines_per_pod, "spine"),
        if d.tiers == 3 { "pod" } else { "fabric" }
    );
    if d.tiers == 3 {
        result = result.and_then(|_| {
            tier(
                f,
                LinkRole::SpineCore,
                Role::Spine,
                d.spine_core_links_per_pair,
                &cores_of,
            )
        });
        msg.push_str(&format!(
            "; spine j of every pod has {} to each of the {} of group j",
            count(d.spine_core_links_per_pair, "link"),
            count(d.cores_per_group, "core")
        ));
    }
    match result {
        Ok(()) => Check::invariant("fabric.wiring", true, msg),
        Err(e) => Check::invariant("fabric.wiring", false, format!("unbalanced wiring: {e}")),
    }
}
