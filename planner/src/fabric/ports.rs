//! Port names and the port budget: proved from the graph that no switch uses more ports than it has and that
//! every port carries at most one link.

use super::graph::{Fabric, Role};
use crate::check::Check;

/// Faceplate label of a 0-based logical port: `cage/port`, both 1-based.
///
/// With two ports per cage (twin-port OSFP at 400G), port 0 is `1/1`, port 1 is `1/2`, port 5 is `3/2`.
pub(crate) fn cage_label(port: u32, ports_per_cage: u32) -> String {
    let ppc = ports_per_cage.max(1);
    format!("{}/{}", port / ppc + 1, port % ppc + 1)
}

/// What the port budget found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PortBudget {
    /// Most ports used on one switch of each role: leaf, spine, core.
    pub most_used: [u32; 3],
    /// Problems found, at most a few spelled out.
    pub problems: Vec<String>,
    /// Number of problems in all.
    pub problem_count: usize,
}

/// Walks every link end and marks its port on a bitset per node: a port beyond the switch's ports (or the
/// server's NICs), or a port marked twice, is a problem. O(nodes x ports / 64 + links).
pub(crate) fn port_budget(f: &Fabric) -> PortBudget {
    let d = f.design();
    let k = d.ports_per_switch;
    let words = k.max(d.rails).div_ceil(64) as usize;
    let g = f.graph();
    let mut used = vec![0u64; g.node_count() * words];
    let mut count = vec![0u32; g.node_count()];
    let mut problems = Vec::new();
    let mut problem_count = 0usize;
    for e in g.raw_edges() {
        for end in [e.weight.a, e.weight.b] {
            let n = end.node.index();
            let node = &g[end.node];
            let limit = if node.role == Role::Endpoint { d.rails } else { k };
            let p = end.port;
            let problem = if p >= limit {
                Some(format!(
                    "{} uses port {} beyond its {limit}",
                    node.name,
                    f.port_label(end)
                ))
            } else {
                let (w, bit) = (n * words + (p / 64) as usize, 1u64 << (p % 64));
                if used[w] & bit != 0 {
                    Some(format!("{} port {} carries two links", node.name, f.port_label(end)))
                } else {
                    used[w] |= bit;
                    count[n] += 1;
                    None
                }
            };
            if let Some(msg) = problem {
                problem_count += 1;
                if problems.len() < 3 {
                    problems.push(msg);
                }
            }
        }
    }
    let mut most_used = [0u32; 3];
    for (i, n) in g.raw_nodes().iter().enumerate() {
        let slot = match n.weight.role {
            Role::Leaf => 0,
            Role::Spine => 1,
            Role::Core => 2,
            Role::Endpoint => continue,
        };
        most_used[slot] = most_used[slot].max(count[i]);
    }
    PortBudget {
        most_used,
        problems,
        problem_count,
    }
}

/// The `fabric.port_budget` check.
pub(crate) fn port_budget_check(f: &Fabric) -> Check {
    let b = port_budget(f);
    let k = f.design().ports_per_switch;
    let mut used = format!("leaf {}, spine {}", b.most_used[0], b.most_used[1]);
    if f.design().tiers == 3 {
        used.push_str(&format!(", core {}", b.most_used[2]));
    }
    if b.problem_count == 0 {
        Check::invariant(
            "fabric.port_budget",
            true,
            format!(
                "every switch port and NIC port carries at most one link; most ports used on one switch: {used} \
                 of {k} at {}",
                f.speed()
            ),
        )
    } else {
        Check::invariant(
            "fabric.port_budget",
            false,
            format!("{} port problem(s), e.g. {}", b.problem_count, b.problems.join("; ")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(cage_label(0, 2), "1/1");
        assert_eq!(cage_label(1, 2), "1/2");
        assert_eq!(cage_label(5, 2), "3/2");
        assert_eq!(cage_label(63, 2), "32/2");
        assert_eq!(cage_label(7, 1), "8/1");
        assert_eq!(cage_label(7, 0), "8/1");
    }
}
