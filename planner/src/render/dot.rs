//! The compute fabric as Graphviz DOT at device level, for `dot`: one node per server and per switch (not per
//! NIC), one edge per bundle (the links between two devices), weighted by its link count, and one rank per tier
//! (servers, leaves, spines, cores). The servers and leaves of each scalable unit are a cluster, so `dot` draws
//! every SU as a box with its rails above it; an SU's servers stand in rows as wide as its leaves (32 servers on
//! 8 rails: 4 rows of 8), so 4 SUs make a picture about 3:1 rather than a strip; server-to-leaf edges take their
//! rail's colour. `concentrate=true` merges the parallel server-to-leaf edges where they run together (without it
//! each long edge takes its own slot on every rank it crosses, tripling the width), and a small `mclimit` keeps
//! the servers in name order.
//!
//! Edge attributes: `links` (physical links in the bundle), `capacity_gbps` (their sum), `role`
//! (`endpoint`, `leaf_spine`, `spine_core`), `weight` (= `links`, so `dot` keeps heavy bundles short and
//! straight) and `penwidth` (growing with the links); a bundle's tooltip gives its link count.
//! In a multi-plane fabric every switch and every bundle also carries its 1-based `plane`.
//! [`fabric`] takes any [`Fabric`], so a drawing per plane can reuse it. The NIC-level graph with every link is
//! [`crate::fabric::to_dot`].

use crate::fabric::{Fabric, LinkRole, Role};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A device of the drawing: a server (0-based) or a fabric switch (its node index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Device {
    Server(u32),
    Switch(usize),
}

impl Device {
    fn id(self) -> String {
        match self {
            Device::Server(s) => format!("s{}", s + 1),
            Device::Switch(i) => format!("w{i}"),
        }
    }
}

/// One bundle: links, summed capacity in Gb/s, role, rail of the server-side end (endpoint links).
struct Bundle {
    links: u32,
    capacity_gbps: u64,
    role: LinkRole,
    rail: Option<u32>,
}

/// Puts `ids` on one rank, kept in this order left to right by an invisible chain.
fn rank(out: &mut String, indent: &str, ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}{{ rank=same; {}; }}", ids.join("; "));
    if ids.len() > 1 {
        let _ = writeln!(out, "{indent}{} [style=invis];", ids.join(" -- "));
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The fabric as device-level DOT, titled `name`.
pub fn fabric(f: &Fabric, name: &str) -> String {
    let device = |n: petgraph::graph::NodeIndex| {
        let node = f.node(n);
        match (node.role, node.server) {
            (Role::Endpoint, Some(s)) => Device::Server(s),
            _ => Device::Switch(n.index()),
        }
    };
    let mut bundles: BTreeMap<(Device, Device), Bundle> = BTreeMap::new();
    let mut server_su: BTreeMap<u32, Option<u32>> = BTreeMap::new();
    for e in f.graph().edge_references() {
        let l = e.weight();
        let (a, b) = (device(l.a.node), device(l.b.node));
        if let Device::Server(s) = a {
            server_su.entry(s).or_insert(f.node(l.a.node).su);
        }
        let bundle = bundles.entry((a, b)).or_insert(Bundle {
            links: 0,
            capacity_gbps: 0,
            role: l.role,
            rail: None,
        });
        bundle.links += 1;
        bundle.capacity_gbps += l.capacity.0;
        if l.role == LinkRole::Endpoint {
            bundle.rail = f.node(l.a.node).rail;
        }
    }
    let s = f.summary();
    let mut out = String::new();
    let _ = writeln!(out, "graph fabric {{");
    let _ = writeln!(
        out,
        "  graph [label=\"{}: compute fabric, {}-tier fat-tree of {} ({} servers, {} leaf, {} spine, {} core switches; {} links)\", \
         labelloc=t, fontsize=20, rankdir=BT, concentrate=true, mclimit=0.01, ranksep=1.4, nodesep=0.08, splines=line, outputorder=edgesfirst, \
         fontname=\"DejaVu Sans\"];",
        dot_escape(name),
        s.tiers,
        s.switch_id,
        s.servers,
        s.switches.leaf,
        s.switches.spine,
        s.switches.core,
        s.links.total
    );
    let _ = writeln!(
        out,
        "  node [shape=box, style=\"filled,rounded\", fontsize=9, height=0.3, margin=\"0.04,0.02\", fontname=\"DejaVu Sans\"];"
    );
    let _ = writeln!(out, "  edge [color=\"#94a3b8\", fontsize=8, fontname=\"DejaVu Sans\"];");
    // Servers and leaves, clustered by SU.
    let mut by_su: BTreeMap<Option<u32>, (Vec<u32>, Vec<usize>)> = BTreeMap::new();
    for (&server, &su) in &server_su {
        by_su.entry(su).or_default().0.push(server);
    }
    for n in f.leaves() {
        by_su.entry(f.node(n).su).or_default().1.push(n.index());
    }
    let switch_node = |out: &mut String, i: usize| {
        let node = f.node(petgraph::graph::NodeIndex::new(i));
        let colour = match node.role {
            Role::Leaf => "#bbf7d0",
            Role::Spine => "#bfdbfe",
            _ => "#e9d5ff",
        };
        let plane = match node.plane {
            Some(p) if f.plane_count() > 1 => format!(", plane={}", p + 1),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    w{i} [label=\"{}\", role=\"{}\", tier={}{plane}, fillcolor=\"{colour}\"];",
            dot_escape(&node.name),
            node.role,
            node.tier
        );
    };
    for (su, (servers, leaves)) in &by_su {
        let label = su.map_or_else(|| "servers".to_string(), |s| format!("SU {}", s + 1));
        let _ = writeln!(
            out,
            "  subgraph cluster_{} {{\n    label=\"{label}\"; style=rounded; color=\"#64748b\";",
            su.map_or(0, |s| s + 1)
        );
        for &server in servers {
            let _ = writeln!(
                out,
                "    s{n} [label=\"srv{n}\", role=\"server\", tier=0, fillcolor=\"#dbe7f5\"];",
                n = server + 1
            );
        }
        for &leaf in leaves {
            switch_node(&mut out, leaf);
        }
        let servers: Vec<String> = servers.iter().map(|&s| Device::Server(s).id()).collect();
        let leaves: Vec<String> = leaves.iter().map(|&i| Device::Switch(i).id()).collect();
        // Servers in rows as wide as the SU's leaves (at least 4), stacked by invisible edges, so an SU is a
        // block rather than a strip: 32 servers on 8 rails are 4 rows of 8.
        let cols = leaves.len().max(4);
        for row in servers.chunks(cols) {
            rank(&mut out, "    ", row);
        }
        for (lower, upper) in servers.iter().zip(servers.iter().skip(cols)) {
            let _ = writeln!(out, "    {lower} -- {upper} [style=invis, weight=20];");
        }
        rank(&mut out, "    ", &leaves);
        let _ = writeln!(out, "  }}");
    }
    for n in f.spines().chain(f.cores()) {
        switch_node(&mut out, n.index());
    }
    // Spines and cores: one rank each (servers and leaves have theirs in their SU's cluster).
    let spines: Vec<String> = f.spines().map(|n| Device::Switch(n.index()).id()).collect();
    let cores: Vec<String> = f.cores().map(|n| Device::Switch(n.index()).id()).collect();
    rank(&mut out, "  ", &spines);
    rank(&mut out, "  ", &cores);
    for ((a, b), bundle) in &bundles {
        let role = match bundle.role {
            LinkRole::Endpoint => "endpoint",
            LinkRole::LeafSpine => "leaf_spine",
            LinkRole::SpineCore => "spine_core",
        };
        let mut attrs = format!(
            "links={}, capacity_gbps={}, role=\"{role}\", weight={}, penwidth={:.1}",
            bundle.links,
            bundle.capacity_gbps,
            bundle.links,
            0.6 + f64::from(bundle.links).log2()
        );
        if bundle.links > 1 {
            let _ = write!(attrs, ", tooltip=\"{} links\"", bundle.links);
        }
        if let (Device::Switch(i), true) = (b, f.plane_count() > 1)
            && let Some(p) = f.node(petgraph::graph::NodeIndex::new(*i)).plane
        {
            let _ = write!(attrs, ", plane={}", p + 1);
        }
        if let Some(rail) = bundle.rail {
            let _ = write!(attrs, ", color=\"{}\"", super::draw::rail_colour(rail));
        }
        let _ = writeln!(out, "  {} -- {} [{attrs}];", a.id(), b.id());
    }
    let _ = writeln!(out, "}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_count_links_between_devices() {
        use crate::fabric::{self as fab, FabricRequest, Tiers};
        use gigapod_catalog::units::Gbps;
        let sw = fab::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
        let req = FabricRequest {
            switch: &sw,
            servers: 8,
            rails: 2,
            servers_per_su: 4,
            speed: Gbps(400),
            oversubscription: 1.0,
            rail_optimized: true,
            tiers: Tiers::Auto,
        };
        let f = fab::build(&req).unwrap();
        let dot = fabric(&f, "t");
        // 8 servers and every switch are nodes; no NIC endpoint is.
        assert_eq!(dot.matches("role=\"server\"").count(), 8);
        assert_eq!(dot.matches(", tier=").count(), 8 + f.switches().len());
        // Edges: each server has one edge per rail leaf; the bundles' links add up to the graph's links.
        let links: u32 = dot
            .lines()
            .filter(|l| l.contains(" -- ") && l.contains("links="))
            .map(|l| {
                l.split("links=")
                    .nth(1)
                    .unwrap()
                    .split(',')
                    .next()
                    .unwrap()
                    .parse::<u32>()
                    .unwrap()
            })
            .sum();
        assert_eq!(links as usize, f.graph().edge_count());
        assert_eq!(dot.matches("role=\"endpoint\"").count(), 16);
        // 4 servers per SU on 2 rails: rows of 4, so one row per SU, kept in order.
        assert!(dot.contains("s1 -- s2 -- s3 -- s4 [style=invis]"), "servers in order");
        assert_eq!(dot.matches("subgraph cluster_").count(), 2);
    }
}
