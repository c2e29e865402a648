//! Exports of the fabric graph: GraphML (networkx, Gephi, yEd) and Graphviz DOT.
//!
//! Nodes are `n<index>` (the fabric's node index) with attributes `name`, `role` (`endpoint`, `leaf`, `spine`,
//! `core`), `tier` (0 endpoint .. 3 core) and, where they apply, `su`, `rail`, `pod`, `server` and `plane` (of a
//! multi-plane fabric), 1-based as in the node names. Every physical link is one edge (parallel links are
//! parallel edges; networkx reads the GraphML as a `MultiGraph`) with `role` (`endpoint`, `leaf_spine`,
//! `spine_core`), `capacity_gbps`, the faceplate labels of both ports, `port_a` on the lower-tier end (the edge's
//! source) and `port_b` on the upper, and, in a multi-plane fabric, the `plane` (1-based) it belongs to.
//! The graph carries `switch_id`, `tiers` and `port_speed_gbps`.

use super::graph::{Fabric, Node, Role};
use std::io::{self, Write};

/// The fabric as GraphML.
///
/// ```
/// # use gigapod_planner::fabric::{self, FabricRequest, Tiers};
/// # use gigapod_catalog::units::Gbps;
/// # let sw = fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
/// # let req = FabricRequest { switch: &sw, servers: 4, rails: 2, servers_per_su: 4, speed: Gbps(400),
/// #     oversubscription: 1.0, rail_optimized: true, tiers: Tiers::Auto };
/// let xml = fabric::to_graphml(&fabric::build(&req)?);
/// assert!(xml.contains(r#"<key id="capacity_gbps" for="edge" attr.name="capacity_gbps" attr.type="long"/>"#));
/// assert!(xml.contains(r#"<data key="name">leaf-su1-r1</data>"#));
/// # Ok::<(), fabric::FabricError>(())
/// ```
pub fn to_graphml(f: &Fabric) -> String {
    let mut out = Vec::new();
    write_graphml(f, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("GraphML is UTF-8")
}

/// The fabric as Graphviz DOT (an undirected `graph`, tiers bottom to top).
///
/// ```
/// # use gigapod_planner::fabric::{self, FabricRequest, Tiers};
/// # use gigapod_catalog::units::Gbps;
/// # let sw = fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
/// # let req = FabricRequest { switch: &sw, servers: 4, rails: 2, servers_per_su: 4, speed: Gbps(400),
/// #     oversubscription: 1.0, rail_optimized: true, tiers: Tiers::Auto };
/// let dot = fabric::to_dot(&fabric::build(&req)?);
/// assert!(dot.starts_with("graph fabric {"));
/// assert!(dot.contains(r#"role="leaf_spine", capacity_gbps=400"#));
/// # Ok::<(), fabric::FabricError>(())
/// ```
pub fn to_dot(f: &Fabric) -> String {
    let mut out = Vec::new();
    write_dot(f, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("DOT is UTF-8")
}

/// Optional 1-based attributes of a node: (name, value).
fn extra_attrs(n: &Node) -> impl Iterator<Item = (&'static str, u32)> {
    [
        ("su", n.su),
        ("rail", n.rail),
        ("pod", n.pod),
        ("server", n.server),
        ("plane", n.plane),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v + 1)))
}

/// The 1-based plane of a link of a multi-plane fabric (its upper end's, a switch's); `None` with one plane.
fn plane_of(f: &Fabric, l: &super::graph::Link) -> Option<u32> {
    if f.plane_count() <= 1 {
        return None;
    }
    f.node(l.b.node).plane.map(|p| p + 1)
}

/// Writes the fabric as GraphML to `w` (buffer it: there is one small write per attribute).
///
/// # Errors
/// Any error of the writer.
pub fn write_graphml<W: Write>(f: &Fabric, w: &mut W) -> io::Result<()> {
    let g = f.graph();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    let keys: &[(&str, &str, &str)] = &[
        ("graph", "switch_id", "string"),
        ("graph", "tiers", "int"),
        ("graph", "port_speed_gbps", "long"),
        ("node", "name", "string"),
        ("node", "role", "string"),
        ("node", "tier", "int"),
        ("node", "su", "int"),
        ("node", "rail", "int"),
        ("node", "pod", "int"),
        ("node", "server", "int"),
        ("node", "plane", "int"),
        ("edge", "role", "string"),
        ("edge", "capacity_gbps", "long"),
        ("edge", "port_a", "string"),
        ("edge", "port_b", "string"),
        ("edge", "edge_plane", "int"),
    ];
    for (on, name, ty) in keys {
        // Node and edge "role" and "plane" share a name but not an id.
        let (id, name) = match *name {
            "role" => (format!("{on}_role"), "role"),
            "edge_plane" => ("edge_plane".to_string(), "plane"),
            n => (n.to_string(), n),
        };
        writeln!(
            w,
            r#"  <key id="{id}" for="{on}" attr.name="{name}" attr.type="{ty}"/>"#
        )?;
    }
    writeln!(w, r#"  <graph id="fabric" edgedefault="undirected">"#)?;
    writeln!(
        w,
        r#"    <data key="switch_id">{}</data>"#,
        xml_escape(f.switch_id().as_str())
    )?;
    writeln!(w, r#"    <data key="tiers">{}</data>"#, f.design().tiers)?;
    writeln!(w, r#"    <data key="port_speed_gbps">{}</data>"#, f.speed().0)?;
    for (i, n) in g.raw_nodes().iter().enumerate() {
        let n = &n.weight;
        write!(
            w,
            r#"    <node id="n{i}"><data key="name">{}</data><data key="node_role">{}</data><data key="tier">{}</data>"#,
            xml_escape(&n.name),
            n.role,
            n.tier
        )?;
        for (k, v) in extra_attrs(n) {
            write!(w, r#"<data key="{k}">{v}</data>"#)?;
        }
        writeln!(w, "</node>")?;
    }
    for (i, e) in g.raw_edges().iter().enumerate() {
        let l = &e.weight;
        writeln!(
            w,
            r#"    <edge id="e{i}" source="n{}" target="n{}"><data key="edge_role">{}</data><data key="capacity_gbps">{}</data><data key="port_a">{}</data><data key="port_b">{}</data>{}</edge>"#,
            l.a.node.index(),
            l.b.node.index(),
            l.role,
            l.capacity.0,
            f.port_label(l.a),
            f.port_label(l.b),
            plane_of(f, l).map_or_else(String::new, |p| format!(r#"<data key="edge_plane">{p}</data>"#))
        )?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")?;
    Ok(())
}

/// Writes the fabric as Graphviz DOT to `w`.
///
/// # Errors
/// Any error of the writer.
pub fn write_dot<W: Write>(f: &Fabric, w: &mut W) -> io::Result<()> {
    let g = f.graph();
    writeln!(w, "graph fabric {{")?;
    writeln!(
        w,
        r#"  graph [rankdir=BT, switch_id="{}", tiers={}, port_speed_gbps={}];"#,
        dot_escape(f.switch_id().as_str()),
        f.design().tiers,
        f.speed().0
    )?;
    writeln!(w, r#"  node [shape=box, style=filled, fontsize=10];"#)?;
    for (i, n) in g.raw_nodes().iter().enumerate() {
        let n = &n.weight;
        write!(
            w,
            r#"  n{i} [label="{}", role="{}", tier={}"#,
            dot_escape(&n.name),
            n.role,
            n.tier
        )?;
        for (k, v) in extra_attrs(n) {
            write!(w, ", {k}={v}")?;
        }
        let colour = match n.role {
            Role::Endpoint => "#f0f0f0",
            Role::Leaf => "#c6dbef",
            Role::Spine => "#9ecae1",
            Role::Core => "#6baed6",
        };
        writeln!(w, r#", fillcolor="{colour}"];"#)?;
    }
    // One rank per tier, so Graphviz draws the tree in layers.
    for role in [Role::Endpoint, Role::Leaf, Role::Spine, Role::Core] {
        let ids: Vec<String> = g
            .raw_nodes()
            .iter()
            .enumerate()
            .filter(|(_, n)| n.weight.role == role)
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if !ids.is_empty() {
            writeln!(w, "  {{ rank=same; {}; }}", ids.join("; "))?;
        }
    }
    for e in g.raw_edges() {
        let l = &e.weight;
        writeln!(
            w,
            r#"  n{} -- n{} [role="{}", capacity_gbps={}, port_a="{}", port_b="{}"{}];"#,
            l.a.node.index(),
            l.b.node.index(),
            l.role,
            l.capacity.0,
            f.port_label(l.a),
            f.port_label(l.b),
            plane_of(f, l).map_or_else(String::new, |p| format!(", plane={p}"))
        )?;
    }
    writeln!(w, "}}")?;
    Ok(())
}

use crate::text::xml_escape;

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(xml_escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(dot_escape(r#"a"b\c"#), r#"a\"b\\c"#);
    }
}
