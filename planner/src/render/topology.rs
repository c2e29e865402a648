//! `topology.svg`: the compute fabric by tier (core, spine, leaf, servers), drawn as groups and bundles.
//!
//! Servers are one box per scalable unit (SU); the leaves of an SU are one box whose cells are the leaves,
//! coloured by rail; spines are one box per pod (one box in a two-tier fabric) and cores one box whose cells
//! are the core groups. Links are drawn as bundles, each labelled with the number of physical links in it:
//! per leaf (server-to-leaf, in the rail's colour), per SU (leaf-to-spine) and per pod (spine-to-core). A small
//! two-tier fabric (at most 64 leaf-spine pairs) shows every leaf-spine pair instead. So the drawing has a few
//! hundred elements at 64 SUs (49,000 links), not one per link. Every box carries a tooltip with its devices.

use super::draw::{self, digits, n, rect, text, text_width, title};
use crate::fabric::{Fabric, LinkRole};
use crate::plan::Plan;
use crate::text::counted;
use petgraph::graph::NodeIndex;
use std::collections::BTreeMap;
use svg::Document;
use svg::node::element::{Group, Line};

const GUTTER: f64 = 190.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 104.0;
const BOX_H: f64 = 52.0;
const SERVER_H: f64 = 60.0;
const GAP: f64 = 78.0;
const MIN_CONTENT: f64 = 860.0;
const CELL_TOP: f64 = 24.0;
const CELL_H: f64 = 20.0;
/// Width of one rail's key in the legend.
const RAIL_KEY: f64 = 105.0;

const CSS: &str = ".t-title{font-size:20px;font-weight:bold;fill:#0f172a}\
.t-sub{font-size:12px;fill:#475569}\
.t-tier{font-size:13px;font-weight:bold;letter-spacing:1px}\
.t-note{font-size:10.5px;fill:#475569}\
.t-gap{font-size:10.5px;fill:#64748b;font-style:italic}\
.t-core{fill:#f3e8ff;stroke:#7e22ce;stroke-width:1.2}\
.t-spine{fill:#e0ecff;stroke:#1d4ed8;stroke-width:1.2}\
.t-leaf{fill:#ecfdf3;stroke:#15803d;stroke-width:1.2}\
.t-srv{fill:#f8fafc;stroke:#334155;stroke-width:1.2}\
.t-cell{stroke:#ffffff;stroke-width:0.6}\
.t-cap{font-size:11px;fill:#0f172a;text-anchor:middle}\
.t-capb{font-size:12px;font-weight:bold;fill:#0f172a;text-anchor:middle}\
.t-small{font-size:10px;fill:#475569;text-anchor:middle}\
.t-cl{font-size:9px;fill:#ffffff;font-weight:bold;text-anchor:middle}\
.t-num{font-size:10px;fill:#0f172a;text-anchor:middle}\
.t-halo{fill:#ffffff;fill-opacity:0.92;stroke:#cbd5e1;stroke-width:0.6}\
.t-leg{font-size:11px;fill:#0f172a}\
.t-band{fill:#f8fafc;stroke:#e2e8f0;stroke-width:1}\
.t-stor{fill:#f0fdfa;stroke:#0f766e;stroke-width:1.2}\
.t-inb{fill:#fefce8;stroke:#a16207;stroke-width:1.2}\
.t-oob{fill:#fffbeb;stroke:#b45309;stroke-width:1.2}\
.t-app{fill:#f1f5f9;stroke:#64748b;stroke-width:1.2}";

/// Most SU columns drawn one per SU. A plane of more SUs is summarised: one column per pod (three tiers) or per
/// group of consecutive SUs (two tiers), its leaves one cell per rail labelled with their count, so that the
/// drawing stays at most 12,000 px of columns + 220 px wide (12,220 px, under librsvg's 32,767 px) whatever the
/// SU count. At 64 SUs the per-SU drawing is about 3,800 px wide (52 px per SU, 18 px between pods).
pub const MAX_SU_COLUMNS: u32 = 64;

/// Width budget of a summarised drawing's columns, px: with the 190 px gutter and 30 px margin, the summarised
/// `topology.svg` is at most 12,220 px wide (one column wider than the budget is the only exception, and a column
/// is a few hundred px).
const SUMMARY_CONTENT: f64 = 12_000.0;

/// Width of one rail's cell in a summarised column, px: room for "r8 ×128" in the cells' 9 px bold type.
const SUMMARY_CELL: f64 = 46.0;

/// One column: a scalable unit's, or (summarised) a pod's or a group of consecutive SUs'.
struct SuCol {
    /// First SU (0-based).
    su: u32,
    /// Last SU (0-based); `su` when the column is one SU.
    last_su: u32,
    /// First and last server (0-based).
    first_server: u32,
    last_server: u32,
    /// Servers attached to the column's leaves.
    servers: u32,
    leaves: Vec<NodeIndex>,
    /// First and last pod (0-based) of a summarised column of a three-tier fabric.
    pods: Option<(u32, u32)>,
    x: f64,
    w: f64,
}

impl SuCol {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }

    /// "SU 3", or "SUs 1-32" for a summarised column.
    fn label(&self) -> String {
        if self.last_su == self.su {
            format!("SU {}", self.su + 1)
        } else {
            format!(
                "SUs {}-{}",
                digits(u64::from(self.su) + 1),
                digits(u64::from(self.last_su) + 1)
            )
        }
    }
}

/// How a summarised drawing groups the fabric: what one column stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Grouping {
    /// One column per SU.
    PerSu,
    /// One column per `pods` consecutive pods (three tiers).
    Pods { pods: u32 },
    /// One column per `sus` consecutive SUs (two tiers).
    Sus { sus: u32 },
}

/// A box of switches drawn as cells: the spines of a pod, or the cores.
struct SwitchBox {
    label: String,
    nodes: Vec<NodeIndex>,
    x: f64,
    w: f64,
}

/// Link counts aggregated the way the drawing shows them.
#[derive(Default)]
struct Counts {
    /// Server-to-leaf links per leaf.
    per_leaf: BTreeMap<NodeIndex, u64>,
    /// Leaf-to-spine links per (leaf, spine).
    leaf_spine: BTreeMap<(NodeIndex, NodeIndex), u64>,
    /// Spine-to-core links per spine.
    spine_up: BTreeMap<NodeIndex, u64>,
}

fn counts(fabric: &Fabric) -> Counts {
    let mut c = Counts::default();
    for e in fabric.graph().edge_references() {
        let l = e.weight();
        match l.role {
            LinkRole::Endpoint => *c.per_leaf.entry(l.b.node).or_default() += 1,
            LinkRole::LeafSpine => *c.leaf_spine.entry((l.a.node, l.b.node)).or_default() += 1,
            LinkRole::SpineCore => *c.spine_up.entry(l.a.node).or_default() += 1,
        }
    }
    c
}

/// A number on a bundle, on a white rounded label so that it reads over the lines.
fn bundle_label(x: f64, y: f64, s: &str) -> Group {
    let w = text_width(s, 10.0, false) + 8.0;
    Group::new()
        .add(rect(x - w / 2.0, y - 8.0, w, 15.0, "t-halo").set("rx", "3"))
        .add(text(x, y + 3.5, "t-num", s))
}

fn line(x1: f64, y1: f64, x2: f64, y2: f64, colour: &str, width: f64) -> Line {
    Line::new()
        .set("x1", n(x1))
        .set("y1", n(y1))
        .set("x2", n(x2))
        .set("y2", n(y2))
        .set("stroke", colour)
        .set("stroke-width", n(width))
}

/// Stroke width of a bundle of `links`: thicker for more, but never so thick that it hides its neighbours.
/// `x` held inside the box from `x0` wide `w`, `margin` from its edges; a box narrower than two margins gives its
/// centre (`f64::clamp` panics when its bounds cross).
fn within(x: f64, x0: f64, w: f64, margin: f64) -> f64 {
    if w <= 2.0 * margin {
        x0 + w / 2.0
    } else {
        x.clamp(x0 + margin, x0 + w - margin)
    }
}

fn bundle_width(links: u64, max: f64) -> f64 {
    (0.9 + 0.8 * (links.max(1) as f64).log10()).clamp(1.0, max)
}

/// "`first` ... `last`" for a tooltip, or the only name.
fn span(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, .., last] => format!("{first} … {last}"),
    }
}

/// Draws the cells of a box: `colours` per cell, optional labels when they fit.
fn cells(x: f64, y: f64, w: f64, colours: &[&str], labels: &[String], tips: &[String]) -> Group {
    let mut g = Group::new();
    if colours.is_empty() {
        return g;
    }
    let pad = 6.0_f64.min(w * 0.06);
    let inner = w - 2.0 * pad;
    let cw = inner / colours.len() as f64;
    let label_fits = labels.iter().all(|l| text_width(l, 9.0, true) + 3.0 <= cw);
    for (i, colour) in colours.iter().enumerate() {
        let cx = x + pad + i as f64 * cw;
        let mut cell = rect(cx, y + CELL_TOP, cw, CELL_H, "t-cell").set("fill", *colour);
        if cw < 3.0 {
            cell = cell.set("stroke-width", "0");
        }
        let mut cg = Group::new().add(cell);
        if let Some(t) = tips.get(i) {
            cg = cg.add(title(t.clone()));
        }
        if label_fits && let Some(l) = labels.get(i) {
            cg = cg.add(text(cx + cw / 2.0, y + CELL_TOP + 13.5, "t-cl", l.clone()));
        }
        g = g.add(cg);
    }
    g
}

/// Centre x of cell `i` of `count` in a box at `x` of width `w` (as [`cells`] draws them).
fn cell_cx(x: f64, w: f64, i: usize, count: usize) -> f64 {
    let pad = 6.0_f64.min(w * 0.06);
    let cw = (w - 2.0 * pad) / count.max(1) as f64;
    x + pad + (i as f64 + 0.5) * cw
}

/// A cell of a leaf box: one leaf, or (summarised) the leaves of one rail in a column.
struct Cell {
    leaves: Vec<NodeIndex>,
    colour: &'static str,
    /// "r3", or "r3 ×32" summarised.
    label: String,
    /// The leaf's name, or "rail 3: 32 leaves, first … last".
    tip: String,
}

/// The cells of a column's leaf box: one per leaf, or one per rail (in rail order) when `summarised`.
fn leaf_cells(fabric: &Fabric, col: &SuCol, summarised: bool) -> Vec<Cell> {
    let colour = |rail: Option<u32>| rail.map_or("#64748b", draw::rail_colour);
    if !summarised {
        return col
            .leaves
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let node = fabric.node(l);
                Cell {
                    leaves: vec![l],
                    colour: colour(node.rail),
                    label: node.rail.map_or(format!("{}", i + 1), |r| format!("r{}", r + 1)),
                    tip: node.name.clone(),
                }
            })
            .collect();
    }
    let mut by_rail: BTreeMap<Option<u32>, Vec<NodeIndex>> = BTreeMap::new();
    for &l in &col.leaves {
        by_rail.entry(fabric.node(l).rail).or_default().push(l);
    }
    by_rail
        .into_iter()
        .map(|(rail, leaves)| {
            let names: Vec<&str> = leaves.iter().map(|&l| fabric.node(l).name.as_str()).collect();
            let n = leaves.len() as u64;
            Cell {
                colour: colour(rail),
                label: match rail {
                    Some(r) => format!("r{} ×{}", r + 1, digits(n)),
                    None => format!("×{}", digits(n)),
                },
                tip: match rail {
                    Some(r) => format!("rail {}: {}, {}", r + 1, counted(n, "leaf", "leaves"), span(&names)),
                    None => format!("{}, {}", counted(n, "leaf", "leaves"), span(&names)),
                },
                leaves,
            }
        })
        .collect()
}

/// Pitch of one SU column: wide enough for names at a few SUs, compact at many.
fn column_pitch(sus: u32) -> f64 {
    match sus {
        0..=2 => 300.0,
        3..=4 => 220.0,
        5..=8 => 150.0,
        9..=16 => 96.0,
        17..=32 => 64.0,
        _ => 52.0,
    }
}

/// Where everything of `topology.svg` goes, computed apart from drawing it: the SU columns (grouped by pod), the
/// spine and core boxes, the rows of the tiers, and the picture's size.
struct Geometry {
    cols: Vec<SuCol>,
    /// What a column stands for.
    grouping: Grouping,
    /// Left and right edges of the columns.
    left: f64,
    right: f64,
    spine_boxes: Vec<SwitchBox>,
    core_box: Option<SwitchBox>,
    y_core: f64,
    y_spine: f64,
    y_leaf: f64,
    y_srv: f64,
    y_legend: f64,
    width: f64,
    height: f64,
}

fn geometry(fabric: &Fabric) -> Geometry {
    let d = fabric.design();
    let three = d.tiers == 3;

    if d.scalable_units > MAX_SU_COLUMNS {
        let (cols, grouping, spine_boxes) = summarised_columns(fabric);
        return rows_and_size(fabric, cols, grouping, spine_boxes);
    }

    // SU columns, grouped by pod with a gap between pods.
    let pitch = column_pitch(d.scalable_units);
    let gap = (pitch * 0.12).clamp(6.0, 24.0);
    let pod_gap = if three { 18.0 } else { 0.0 };
    let mut cols: Vec<SuCol> = (0..d.scalable_units)
        .map(|su| SuCol {
            su,
            last_su: su,
            first_server: su * d.servers_per_su,
            last_server: (su * d.servers_per_su + d.servers_in_su(su)).saturating_sub(1),
            servers: d.servers_in_su(su),
            leaves: Vec::new(),
            pods: None,
            x: 0.0,
            w: pitch - gap,
        })
        .collect();
    for leaf in fabric.leaves() {
        if let Some(col) = fabric.node(leaf).su.and_then(|su| cols.get_mut(su as usize)) {
            col.leaves.push(leaf);
        }
    }
    let pod_of = |col: &SuCol| col.leaves.first().and_then(|&l| fabric.node(l).pod).unwrap_or(0);
    let raw_w = cols
        .iter()
        .map(|col| col.su as f64 * pitch + f64::from(pod_of(col)) * pod_gap + col.w)
        .fold(0.0, f64::max);
    let content_w = raw_w.max(MIN_CONTENT);
    let offset = GUTTER + (content_w - raw_w) / 2.0;
    let pods: Vec<u32> = cols.iter().map(pod_of).collect();
    for (col, pod) in cols.iter_mut().zip(&pods) {
        col.x = offset + col.su as f64 * pitch + f64::from(*pod) * pod_gap;
    }
    let left = offset;
    let right = offset + raw_w;

    // Spine boxes: one per pod (three tiers) or one for all (two tiers).
    let mut spine_boxes: Vec<SwitchBox> = Vec::new();
    if three {
        let mut by_pod: BTreeMap<u32, Vec<NodeIndex>> = BTreeMap::new();
        for sp in fabric.spines() {
            by_pod.entry(fabric.node(sp).pod.unwrap_or(0)).or_default().push(sp);
        }
        for (pod, nodes) in by_pod {
            let mine: Vec<&SuCol> = cols
                .iter()
                .zip(&pods)
                .filter(|(_, p)| **p == pod)
                .map(|(c, _)| c)
                .collect();
            let (x0, x1) = match (mine.first(), mine.last()) {
                (Some(a), Some(b)) => (a.x, b.x + b.w),
                _ => (left, right),
            };
            spine_boxes.push(SwitchBox {
                label: format!("pod {}", pod + 1),
                nodes,
                x: x0,
                w: x1 - x0,
            });
        }
        // Pods that do not follow whole SUs overlap: spread them evenly instead.
        let overlap = spine_boxes.windows(2).any(|p| p[1].x < p[0].x + p[0].w);
        if overlap {
            let k = spine_boxes.len() as f64;
            let pitch_b = (right - left) / k;
            // Many small pods: the gap shrinks with the pitch so no box gets a width of zero or less.
            let gap_b = gap.min(pitch_b * 0.2);
            for (i, b) in spine_boxes.iter_mut().enumerate() {
                b.x = left + i as f64 * pitch_b;
                b.w = pitch_b - gap_b;
            }
        }
    } else {
        spine_boxes.push(SwitchBox {
            label: "spines".into(),
            nodes: fabric.spines().collect(),
            x: left,
            w: right - left,
        });
    }
    rows_and_size(fabric, cols, Grouping::PerSu, spine_boxes)
}

/// The columns of a summarised drawing (more than [`MAX_SU_COLUMNS`] SUs) and their spine boxes: one column per
/// group of consecutive pods (three tiers) or SUs (two tiers), as many per group as keep the columns within
/// [`SUMMARY_CONTENT`] and at most [`MAX_SU_COLUMNS`] of them. Leaves, servers and spines are taken from the
/// graph (`Node::pod`, `Node::su`, the endpoints' links), not from the design's formulas.
fn summarised_columns(fabric: &Fabric) -> (Vec<SuCol>, Grouping, Vec<SwitchBox>) {
    let d = fabric.design();
    let three = d.tiers == 3;
    let leaves: Vec<NodeIndex> = fabric.leaves().collect();
    let rails: std::collections::BTreeSet<Option<u32>> = leaves.iter().map(|&l| fabric.node(l).rail).collect();
    let pitch = (rails.len().max(1) as f64 * SUMMARY_CELL + 12.0 + 24.0).max(150.0);
    let gap = 24.0;
    let pod_gap = if three { 18.0 } else { 0.0 };
    let max_cols = ((SUMMARY_CONTENT + pod_gap) / (pitch + pod_gap))
        .floor()
        .clamp(1.0, f64::from(MAX_SU_COLUMNS)) as u32;
    // What a leaf is grouped by: its pod (three tiers) or its SU (two tiers).
    let unit = |l: NodeIndex| {
        let n = fabric.node(l);
        if three { n.pod.unwrap_or(0) } else { n.su.unwrap_or(0) }
    };
    let units = leaves.iter().map(|&l| unit(l) + 1).max().unwrap_or(1);
    let per = units.div_ceil(max_cols).max(1);
    let count = units.div_ceil(per) as usize;
    let mut cols: Vec<SuCol> = (0..count)
        .map(|i| SuCol {
            su: u32::MAX,
            last_su: 0,
            first_server: u32::MAX,
            last_server: 0,
            servers: 0,
            leaves: Vec::new(),
            pods: three.then(|| (i as u32 * per, ((i as u32 + 1) * per).min(units) - 1)),
            x: 0.0,
            w: pitch - gap,
        })
        .collect();
    let col_of = |l: NodeIndex| (unit(l) / per) as usize;
    for &l in &leaves {
        let col = &mut cols[col_of(l)];
        let su = fabric.node(l).su.unwrap_or(0);
        col.su = col.su.min(su);
        col.last_su = col.last_su.max(su);
        col.leaves.push(l);
    }
    // Servers: those with a link to one of the column's leaves.
    let mut servers: Vec<Vec<u32>> = vec![Vec::new(); count];
    for e in fabric.graph().edge_references() {
        let l = e.weight();
        if l.role != LinkRole::Endpoint {
            continue;
        }
        let (ep, leaf) = if fabric.node(l.a.node).role == crate::fabric::Role::Endpoint {
            (l.a.node, l.b.node)
        } else {
            (l.b.node, l.a.node)
        };
        if let Some(server) = fabric.node(ep).server {
            servers[col_of(leaf)].push(server);
        }
    }
    for (col, mut s) in cols.iter_mut().zip(servers) {
        s.sort_unstable();
        s.dedup();
        col.servers = s.len() as u32;
        col.first_server = s.first().copied().unwrap_or(0);
        col.last_server = s.last().copied().unwrap_or(0);
        if col.su == u32::MAX {
            col.su = 0;
        }
    }
    cols.retain(|c| !c.leaves.is_empty());
    let content = (cols.len() as f64 * (pitch + pod_gap) - pod_gap - gap).max(0.0);
    let content_w = content.max(MIN_CONTENT);
    let offset = GUTTER + (content_w - content) / 2.0;
    for (i, col) in cols.iter_mut().enumerate() {
        col.x = offset + i as f64 * (pitch + pod_gap);
    }
    let spine_boxes = if three {
        cols.iter()
            .map(|col| {
                let (p0, p1) = col.pods.unwrap_or((0, 0));
                SwitchBox {
                    label: if p0 == p1 {
                        format!("pod {}", p0 + 1)
                    } else {
                        format!("pods {}-{}", p0 + 1, p1 + 1)
                    },
                    nodes: fabric
                        .spines()
                        .filter(|&sp| fabric.node(sp).pod.is_some_and(|p| (p0..=p1).contains(&p)))
                        .collect(),
                    x: col.x,
                    w: col.w,
                }
            })
            .collect()
    } else {
        vec![SwitchBox {
            label: "spines".into(),
            nodes: fabric.spines().collect(),
            x: offset,
            w: content,
        }]
    };
    let grouping = if three {
        Grouping::Pods { pods: per }
    } else {
        Grouping::Sus { sus: per }
    };
    (cols, grouping, spine_boxes)
}

/// The rows, the core box and the picture's size around the columns and spine boxes.
fn rows_and_size(fabric: &Fabric, cols: Vec<SuCol>, grouping: Grouping, spine_boxes: Vec<SwitchBox>) -> Geometry {
    let d = fabric.design();
    let s = fabric.summary();
    let three = d.tiers == 3;
    let left = cols.first().map_or(GUTTER, |c| c.x);
    let right = cols.last().map_or(GUTTER, |c| c.x + c.w);
    let content_w = (right - GUTTER).max(MIN_CONTENT);
    let core_box = three.then(|| SwitchBox {
        label: "cores".into(),
        nodes: fabric.cores().collect(),
        x: left,
        w: right - left,
    });

    // Rows.
    let y_core = TOP;
    let y_spine = if three { y_core + BOX_H + GAP } else { TOP };
    let y_leaf = y_spine + BOX_H + GAP;
    let y_srv = y_leaf + BOX_H + GAP;
    let y_legend = y_srv + SERVER_H + 44.0;
    let width = GUTTER + content_w + RIGHT;
    let keys_per_row = ((width - RIGHT - GUTTER) / RAIL_KEY).floor().max(1.0);
    let legend_rows = (f64::from(s.rails) / keys_per_row).ceil().max(1.0);
    let height = y_legend + 20.0 * legend_rows + 40.0;

    Geometry {
        cols,
        grouping,
        left,
        right,
        spine_boxes,
        core_box,
        y_core,
        y_spine,
        y_leaf,
        y_srv,
        y_legend,
        width,
        height,
    }
}

/// Renders `topology.svg`.
///
/// A multi-plane fabric is drawn as its plane 1 (every plane is the same fat-tree), and says so; the title lines
/// count the whole fabric, the tier notes one plane. A plane of more than [`MAX_SU_COLUMNS`] SUs is summarised
/// (one column per pod or group of SUs, cells per rail), and says so.
pub fn svg(plan: &Plan) -> String {
    let whole = &plan.fabric;
    let planes = whole.plane_count();
    let fabric = whole.plane();
    let d = fabric.design();
    let s = whole.summary();
    // What is drawn: one plane's counts (the whole fabric's with one plane).
    let ps = fabric.summary();
    let per_plane = if planes > 1 { " per plane" } else { "" };
    let c = counts(fabric);
    let three = d.tiers == 3;

    let Geometry {
        cols,
        grouping,
        left,
        right,
        spine_boxes,
        core_box,
        y_core,
        y_spine,
        y_leaf,
        y_srv,
        y_legend,
        width,
        height,
        ..
    } = geometry(fabric);
    let switch = s.switch_id.to_string();
    let server = plan.compute.server_id.clone();
    let (networks, networks_h) = networks_panel(plan, height, width);
    let mut doc: Document = draw::document(
        width,
        height + networks_h,
        &format!(
            "{}: compute fabric topology, with the storage, in-band and out-of-band networks",
            plan.name()
        ),
        CSS,
    );
    doc = doc.add(networks);

    // Title.
    let ratio = if plan.fabric_analysis.non_blocking {
        "non-blocking".to_string()
    } else {
        format!("{:.2}:1 oversubscribed", s.oversubscription)
    };
    doc = doc
        .add(text(24.0, 36.0, "t-title", format!("{} · compute fabric", plan.name())))
        .add(text(
            24.0,
            58.0,
            "t-sub",
            format!(
                "{}-tier {}fat-tree of {} at {} Gb/s · {} endpoints on {} servers in {} · {}",
                s.tiers,
                if d.rail_optimized { "rail-optimised " } else { "" },
                switch,
                s.port_speed_gbps.0,
                digits(u64::from(s.endpoints)),
                digits(u64::from(s.servers)),
                counted(u64::from(s.scalable_units), "SU", "SUs"),
                ratio
            ),
        ))
        .add(text(
            24.0,
            76.0,
            "t-sub",
            format!(
                "bisection {} Gb/s measured by max-flow (full {} Gb/s) · {} switches · {} links",
                digits(plan.fabric_analysis.bisection_gbps.0),
                digits(s.full_bisection_gbps.0),
                digits(u64::from(s.switches.total)),
                digits(u64::from(s.links.total))
            ),
        ));
    // Say what the drawing leaves out: the other planes, and (summarised) the SUs one by one.
    let mut shown: Vec<String> = Vec::new();
    let sus_in = |col: Option<&SuCol>| col.map_or(0, |c| u64::from(c.last_su - c.su) + 1);
    match grouping {
        Grouping::PerSu => {}
        Grouping::Pods { pods } => shown.push(format!(
            "summarised: one column per {}; cells are rails, labelled with their leaf count",
            if pods == 1 {
                format!("pod of {}", counted(sus_in(cols.first()), "SU", "SUs"))
            } else {
                format!("{pods} pods ({})", counted(sus_in(cols.first()), "SU", "SUs"))
            }
        )),
        Grouping::Sus { sus } => shown.push(format!(
            "summarised: one column per {} consecutive SUs; cells are rails, labelled with their leaf count",
            sus
        )),
    }
    if let Some(set) = whole.plane_set() {
        shown.push(format!(
            "plane 1 of {} shown ({}); every plane is the same",
            set.count,
            match set.mode {
                crate::fabric::Planes::PerRail => "plane r carries NIC r of every server".to_string(),
                _ => format!(
                    "plane p carries sub-port p of every NIC, at {} Gb/s",
                    ps.port_speed_gbps.0
                ),
            }
        ));
    }
    if !shown.is_empty() {
        doc = doc.add(text(24.0, 94.0, "t-sub", shown.join(" · ")).set("font-weight", "bold"));
    }

    // Tier names and counts in the gutter, link totals between them.
    let tier = |y: f64, h: f64, name: &str, colour: &str, lines: Vec<String>| {
        let mut g = Group::new().add(text(24.0, y + h / 2.0 - 6.0, "t-tier", name).set("fill", colour));
        for (i, l) in lines.into_iter().enumerate() {
            g = g.add(text(24.0, y + h / 2.0 + 9.0 + 13.0 * i as f64, "t-note", l));
        }
        g
    };
    let gap_note = |y_lower_top: f64, what: String| text(24.0, y_lower_top - GAP / 2.0 + 4.0, "t-gap", what);
    if three {
        doc = doc
            .add(tier(
                y_core,
                BOX_H,
                "CORE",
                "#7e22ce",
                vec![
                    format!("{} × {}{per_plane}", digits(u64::from(ps.switches.core)), switch),
                    format!("{} groups of {}", d.core_groups, d.cores_per_group),
                ],
            ))
            .add(gap_note(
                y_spine,
                format!("{} spine-core links{per_plane}", digits(u64::from(ps.links.spine_core))),
            ));
    }
    doc = doc
        .add(tier(
            y_spine,
            BOX_H,
            "SPINE",
            "#1d4ed8",
            vec![
                format!("{} × {}{per_plane}", digits(u64::from(ps.switches.spine)), switch),
                if three {
                    format!("{} pods of {}", d.pods, d.spines_per_pod)
                } else {
                    format!("{} links per leaf-spine pair", d.leaf_spine_links_per_pair)
                },
            ],
        ))
        .add(gap_note(
            y_leaf,
            format!("{} leaf-spine links{per_plane}", digits(u64::from(ps.links.leaf_spine))),
        ))
        .add(tier(
            y_leaf,
            BOX_H,
            "LEAF",
            "#15803d",
            vec![
                format!("{} × {}{per_plane}", digits(u64::from(ps.switches.leaf)), switch),
                format!("{} per SU", d.leaves_per_su),
            ],
        ))
        .add(gap_note(
            y_srv,
            format!("{} server-leaf links{per_plane}", digits(u64::from(ps.links.endpoint))),
        ))
        .add(tier(
            y_srv,
            SERVER_H,
            "SERVERS",
            "#334155",
            vec![
                format!("{} × {}", digits(u64::from(s.servers)), server),
                format!(
                    "{} of {}",
                    counted(u64::from(s.scalable_units), "SU", "SUs"),
                    d.servers_per_su
                ),
            ],
        ));

    let names = |nodes: &[NodeIndex]| -> Vec<&str> { nodes.iter().map(|&i| fabric.node(i).name.as_str()).collect() };

    // Bundles first, so that boxes and labels sit on top of them.
    let mut bundles = Group::new();
    let mut labels = Group::new();
    let mid = |a: f64, b: f64| (a + b) / 2.0;

    // Server-to-leaf: one line per leaf (summarised: per rail) in its rail's colour.
    let summarised = grouping != Grouping::PerSu;
    let col_cells: Vec<Vec<Cell>> = cols.iter().map(|col| leaf_cells(fabric, col, summarised)).collect();
    for (col, cells_of) in cols.iter().zip(&col_cells) {
        let count = cells_of.len();
        let per_cell = (col.w - 12.0) / count.max(1) as f64;
        for (i, cell) in cells_of.iter().enumerate() {
            let links: u64 = cell.leaves.iter().filter_map(|l| c.per_leaf.get(l)).sum();
            let x = cell_cx(col.x, col.w, i, count);
            let tip = match cell.leaves.as_slice() {
                [leaf] if !summarised => format!("{}: {links} links from SU {}", fabric.node(*leaf).name, col.su + 1),
                _ => format!(
                    "{} of {}: {} links from their servers",
                    cell.tip,
                    col.label(),
                    digits(links)
                ),
            };
            bundles = bundles.add(
                line(
                    x,
                    y_leaf + BOX_H,
                    x,
                    y_srv,
                    cell.colour,
                    bundle_width(links, (per_cell * 0.7).max(1.0)),
                )
                .add(title(tip)),
            );
            let t = if summarised { digits(links) } else { links.to_string() };
            if per_cell >= text_width(&t, 10.0, false) + 10.0 {
                let y = mid(y_leaf + BOX_H, y_srv) + if i % 2 == 0 { -9.0 } else { 9.0 };
                labels = labels.add(bundle_label(x, y, &t));
            }
        }
        let total: u64 = col.leaves.iter().filter_map(|l| c.per_leaf.get(l)).sum();
        if per_cell < text_width("00", 10.0, false) + 10.0 {
            labels = labels.add(bundle_label(col.cx(), mid(y_leaf + BOX_H, y_srv), &digits(total)));
        }
    }

    // Leaf-to-spine: every pair when few, else one bundle per (SU, spine box).
    let spine_pos: BTreeMap<NodeIndex, (usize, usize)> = spine_boxes
        .iter()
        .enumerate()
        .flat_map(|(b, bx)| bx.nodes.iter().enumerate().map(move |(i, &sp)| (sp, (b, i))))
        .collect();
    let mesh = !three && !summarised && c.leaf_spine.len() <= 64;
    if mesh {
        let max_pair = c.leaf_spine.values().copied().max().unwrap_or(1);
        for col in &cols {
            for (i, &leaf) in col.leaves.iter().enumerate() {
                let x1 = cell_cx(col.x, col.w, i, col.leaves.len());
                for ((_, sp), links) in c.leaf_spine.range((leaf, NodeIndex::new(0))..=(leaf, NodeIndex::end())) {
                    let Some(&(b, j)) = spine_pos.get(sp) else { continue };
                    let bx = &spine_boxes[b];
                    let x2 = cell_cx(bx.x, bx.w, j, bx.nodes.len());
                    bundles = bundles.add(
                        line(x1, y_leaf, x2, y_spine + BOX_H, "#64748b", bundle_width(*links, 2.5))
                            .set("stroke-opacity", "0.6")
                            .add(title(format!(
                                "{} – {}: {links} links",
                                fabric.node(leaf).name,
                                fabric.node(*sp).name
                            ))),
                    );
                }
            }
        }
        let pairs = c.leaf_spine.len();
        let uniform = c.leaf_spine.values().all(|&v| v == max_pair);
        let what = if uniform {
            format!(
                "{} links: {max_pair} on each of {pairs} leaf-spine pairs",
                digits(u64::from(ps.links.leaf_spine))
            )
        } else {
            format!(
                "{} links on {pairs} leaf-spine pairs",
                digits(u64::from(ps.links.leaf_spine))
            )
        };
        labels = labels.add(bundle_label(mid(left, right), mid(y_spine + BOX_H, y_leaf), &what));
    } else {
        for col in &cols {
            let mut per_box: BTreeMap<usize, u64> = BTreeMap::new();
            for &leaf in &col.leaves {
                for ((_, sp), links) in c.leaf_spine.range((leaf, NodeIndex::new(0))..=(leaf, NodeIndex::end())) {
                    if let Some(&(b, _)) = spine_pos.get(sp) {
                        *per_box.entry(b).or_default() += links;
                    }
                }
            }
            for (b, links) in per_box {
                let bx = &spine_boxes[b];
                let x2 = within(col.cx(), bx.x, bx.w, 6.0);
                bundles = bundles.add(
                    line(
                        col.cx(),
                        y_leaf,
                        x2,
                        y_spine + BOX_H,
                        "#64748b",
                        bundle_width(links, 5.0),
                    )
                    .add(title(format!("{} leaves to {}: {links} links", col.label(), bx.label))),
                );
                let t = if col.w >= text_width(&format!("{} links", digits(links)), 10.0, false) + 12.0 {
                    format!("{} links", digits(links))
                } else {
                    digits(links)
                };
                labels = labels.add(bundle_label(mid(col.cx(), x2), mid(y_leaf, y_spine + BOX_H), &t));
            }
        }
    }

    // Spine-to-core: one bundle per pod.
    if core_box.is_some() {
        for bx in &spine_boxes {
            let links: u64 = bx.nodes.iter().filter_map(|sp| c.spine_up.get(sp)).sum();
            if links == 0 {
                continue;
            }
            let x = bx.x + bx.w / 2.0;
            bundles = bundles.add(
                line(x, y_spine, x, y_core + BOX_H, "#6b21a8", bundle_width(links, 6.0))
                    .set("stroke-opacity", "0.75")
                    .add(title(format!(
                        "{} spines to the cores: {links} links (spine j of every pod to core group j)",
                        bx.label
                    ))),
            );
            let t = if bx.w >= text_width(&format!("{} links", digits(links)), 10.0, false) + 12.0 {
                format!("{} links", digits(links))
            } else {
                digits(links)
            };
            labels = labels.add(bundle_label(x, mid(y_spine, y_core + BOX_H), &t));
        }
    }
    doc = doc.add(bundles);

    // Boxes.
    let mut boxes = Group::new();
    if let Some(core) = &core_box {
        let per = d.cores_per_group.max(1) as usize;
        let groups: Vec<&[NodeIndex]> = core.nodes.chunks(per).collect();
        let colours = vec!["#a855f7"; groups.len()];
        let labels_c: Vec<String> = (1..=groups.len()).map(|g| format!("g{g}")).collect();
        let tips: Vec<String> = groups
            .iter()
            .enumerate()
            .map(|(g, nodes)| format!("core group {}: {}", g + 1, span(&names(nodes))))
            .collect();
        boxes = boxes
            .add(
                Group::new()
                    .add(rect(core.x, y_core, core.w, BOX_H, "t-core").set("rx", "6"))
                    .add(title(format!(
                        "{} cores in {} groups: {}",
                        core.nodes.len(),
                        groups.len(),
                        span(&names(&core.nodes))
                    ))),
            )
            .add(text(
                core.x + core.w / 2.0,
                y_core + 16.0,
                "t-cap",
                format!(
                    "{} × {} in {} core groups of {} (spine j of every pod → group j)",
                    core.nodes.len(),
                    switch,
                    groups.len(),
                    per
                ),
            ))
            .add(cells(core.x, y_core, core.w, &colours, &labels_c, &tips));
    }
    for bx in &spine_boxes {
        let caption = if three {
            let long = format!("{}: {}", bx.label, counted(bx.nodes.len() as u64, "spine", "spines"));
            if text_width(&long, 11.0, false) + 8.0 <= bx.w {
                long
            } else {
                format!("{} sp.", bx.nodes.len())
            }
        } else {
            format!(
                "{} × {} {}",
                bx.nodes.len(),
                switch,
                if bx.nodes.len() == 1 { "spine" } else { "spines" }
            )
        };
        let colours = vec!["#3b82f6"; bx.nodes.len()];
        let labels_s: Vec<String> = names(&bx.nodes).iter().map(|s| (*s).to_string()).collect();
        let tips: Vec<String> = labels_s.clone();
        boxes = boxes
            .add(
                Group::new()
                    .add(rect(bx.x, y_spine, bx.w, BOX_H, "t-spine").set("rx", "6"))
                    .add(title(format!("{}: {}", bx.label, span(&names(&bx.nodes))))),
            )
            .add(text(bx.x + bx.w / 2.0, y_spine + 16.0, "t-cap", caption))
            .add(cells(bx.x, y_spine, bx.w, &colours, &labels_s, &tips));
    }
    for (col, cells_of) in cols.iter().zip(&col_cells) {
        let leaf_names = names(&col.leaves);
        let colours: Vec<&str> = cells_of.iter().map(|c| c.colour).collect();
        let labels_l: Vec<String> = cells_of.iter().map(|c| c.label.clone()).collect();
        let tips: Vec<String> = cells_of.iter().map(|c| c.tip.clone()).collect();
        let caption = {
            let long = format!(
                "{} · {}",
                col.label(),
                counted(col.leaves.len() as u64, "leaf", "leaves")
            );
            if text_width(&long, 11.0, false) + 8.0 <= col.w {
                long
            } else {
                col.label()
            }
        };
        let pods = match col.pods {
            Some((p0, p1)) if p0 == p1 => format!(" (pod {})", p0 + 1),
            Some((p0, p1)) => format!(" (pods {}-{})", p0 + 1, p1 + 1),
            None => String::new(),
        };
        boxes = boxes
            .add(
                Group::new()
                    .add(rect(col.x, y_leaf, col.w, BOX_H, "t-leaf").set("rx", "6"))
                    .add(title(format!("{}{pods} leaves: {}", col.label(), span(&leaf_names)))),
            )
            .add(text(col.cx(), y_leaf + 16.0, "t-cap", caption))
            .add(cells(col.x, y_leaf, col.w, &colours, &labels_l, &tips));

        let first = crate::cabling::server_name(col.first_server);
        let last = crate::cabling::server_name(col.last_server);
        let partial = col.servers < d.servers_per_su * (col.last_su - col.su + 1);
        let mut lines: Vec<(String, &str)> = vec![(col.label(), "t-capb")];
        let count_long = if summarised {
            format!("{} × {server}", digits(u64::from(col.servers)))
        } else {
            format!("{} × {server}", col.servers)
        };
        if text_width(&count_long, 11.0, false) + 8.0 <= col.w {
            lines.push((count_long, "t-cap"));
            let range = format!("{first} – {last}");
            if text_width(&range, 10.0, false) + 8.0 <= col.w {
                lines.push((range, "t-small"));
            }
        } else {
            lines.push((format!("{} srv", digits(u64::from(col.servers))), "t-cap"));
            if partial {
                lines.push(("part".into(), "t-small"));
            }
        }
        let mut g = Group::new()
            .add(rect(col.x, y_srv, col.w, SERVER_H, "t-srv").set("rx", "6"))
            .add(title(format!(
                "{}{}: {} × {server}, {first} – {last}, {} fabric ports each",
                col.label(),
                if partial { " (partial)" } else { "" },
                col.servers,
                s.rails
            )));
        for (i, (t, class)) in lines.into_iter().enumerate() {
            g = g.add(text(col.cx(), y_srv + 18.0 + 15.0 * i as f64, class, t));
        }
        boxes = boxes.add(g);
    }
    doc = doc.add(boxes).add(labels);

    // Legend.
    let mut legend = Group::new().add(text(24.0, y_legend, "t-tier", "LEGEND").set("fill", "#334155"));
    let mut x = GUTTER;
    let mut y = y_legend - 10.0;
    if d.rail_optimized {
        for r in 0..ps.rails {
            if x + RAIL_KEY > width - RIGHT {
                x = GUTTER;
                y += 20.0;
            }
            legend = legend
                .add(rect(x, y, 14.0, 12.0, "t-cell").set("fill", draw::rail_colour(r)))
                .add(text(
                    x + 19.0,
                    y + 10.5,
                    "t-leg",
                    format!("rail {} (NIC {})", r + 1, r + 1),
                ));
            x += RAIL_KEY;
        }
    } else {
        legend = legend
            .add(rect(x, y, 14.0, 12.0, "t-cell").set("fill", "#64748b"))
            .add(text(x + 19.0, y + 10.5, "t-leg", "leaf (not rail-optimised)"));
    }
    let y2 = y + 30.0;
    legend = legend
        .add(line(GUTTER, y2 - 4.0, GUTTER + 30.0, y2 - 4.0, "#64748b", 3.0))
        .add(text(
            GUTTER + 38.0,
            y2,
            "t-leg",
            format!(
                "a bundle of links; its number counts physical links of {} Gb/s. Server-leaf bundles take their rail's colour.",
                s.port_speed_gbps.0
            ),
        ))
        .add(text(
            GUTTER,
            y2 + 20.0,
            "t-note",
            "Cells inside a box are switches (cores: groups). Hover a box, cell or bundle for device names.",
        ));
    doc = doc.add(legend);
    draw::finish(doc)
}

/// A box of the networks panel: a caption, the devices it stands for as cells (up to 64, else one bar), and a
/// tooltip naming them.
struct NetBox<'a> {
    x: f64,
    y: f64,
    w: f64,
    class: &'a str,
    colour: &'a str,
    caption: String,
    names: Vec<String>,
}

const NET_BOX_H: f64 = 46.0;

/// Widest span of the networks panel's boxes, px (a drawing up to 2,620 px wide uses its whole width).
const NET_SPAN_MAX: f64 = 2_400.0;

fn net_box(b: &NetBox<'_>) -> Group {
    let mut g = Group::new()
        .add(title(if b.names.is_empty() {
            b.caption.clone()
        } else {
            format!(
                "{}: {}",
                b.caption,
                span(&b.names.iter().map(String::as_str).collect::<Vec<_>>())
            )
        }))
        .add(rect(b.x, b.y, b.w, NET_BOX_H, b.class).set("rx", "4"))
        .add(text(b.x + b.w / 2.0, b.y + 15.0, "t-cap", b.caption.clone()));
    let count = b.names.len();
    if count > 0 {
        let shown = count.min(64);
        let colours = vec![b.colour; shown];
        let tips: Vec<String> = if count <= 64 {
            b.names.clone()
        } else {
            vec![format!("{} devices", count); shown]
        };
        let labels: Vec<String> = if count <= 16 {
            (1..=count).map(|i| i.to_string()).collect()
        } else {
            Vec::new()
        };
        g = g.add(cells(b.x, b.y, b.w, &colours, &labels, &tips));
    }
    g
}

/// A bundle from the bottom of box `a` to the top of box `b` (or the other way when `b` is above), labelled.
fn net_bundle(a: &NetBox<'_>, b: &NetBox<'_>, links: u64, label: String, colour: &str) -> Group {
    let (ax, bx) = (a.x + a.w / 2.0, b.x + b.w / 2.0);
    let (ay, by) = if a.y > b.y {
        (a.y, b.y + NET_BOX_H)
    } else {
        (a.y + NET_BOX_H, b.y)
    };
    Group::new()
        .add(title(label.clone()))
        .add(line(ax, ay, bx, by, colour, bundle_width(links, 7.0)))
        .add(bundle_label((ax + bx) / 2.0, (ay + by) / 2.0, &label))
}

/// The storage, in-band and out-of-band networks, the UFM appliances and the management nodes, below the compute
/// fabric: one band per network, its switches as boxes of cells, its links as labelled bundles (the counts of
/// `networks.*`, which are the links cables.csv carries). Returns the group and its height.
fn networks_panel(plan: &Plan, y0: f64, width: f64) -> (Group, f64) {
    use crate::layout::DeviceKind;
    let n = &plan.networks;
    let names = |kind: DeviceKind, pred: &dyn Fn(&str) -> bool| -> Vec<String> {
        let mut v: Vec<String> = plan
            .layout
            .racks
            .iter()
            .flat_map(|r| r.devices.iter())
            .filter(|d| d.kind == kind && pred(&d.name))
            .map(|d| d.name.clone())
            .collect();
        v.sort_by_key(|x| (x.len(), x.clone()));
        v
    };
    let left = GUTTER;
    // The bands' boxes span the drawing up to NET_SPAN_MAX, so that on a wide drawing their captions and bundles
    // stay near the band's name instead of thousands of px to the right.
    let span_w = (width - GUTTER - RIGHT).clamp(300.0, NET_SPAN_MAX);
    let band_h = 3.0 * NET_BOX_H + 2.0 * 48.0 + 56.0;
    let mut g = Group::new();
    let mut y = y0 + 10.0;
    let col = |i: usize, of: usize| {
        let w = span_w / of as f64;
        (left + w * i as f64 + 8.0, w - 16.0)
    };
    let header = |g: Group, y: f64, name: &str, colour: &str, sub: String| {
        g.add(rect(12.0, y, width - 24.0, band_h - 8.0, "t-band").set("rx", "6"))
            .add(text(24.0, y + 22.0, "t-tier", name).set("fill", colour))
            .add(text(GUTTER, y + 22.0, "t-note", sub))
    };
    let kind = |net: &crate::networks::NetworkCounts, k: &str| u64::from(net.links.kind(k));
    let rows = |y: f64| {
        (
            y + 34.0,
            y + 34.0 + NET_BOX_H + 48.0,
            y + 34.0 + 2.0 * (NET_BOX_H + 48.0),
        )
    };
    let servers = format!(
        "{} × {}",
        digits(u64::from(plan.compute.servers)),
        plan.compute.server_id
    );

    // Storage.
    if let Some(st) = &n.storage {
        let c = &st.counts;
        g = header(
            g,
            y,
            "STORAGE",
            "#0f766e",
            format!(
                "{} × {}{} · bisection {} Gb/s by max-flow · read {:.1} GB/s per node, {:.1} GB/s per SU (target `{:?}`)",
                digits(u64::from(c.switches.total)),
                c.switch_id,
                if st.fabric.plane_count() > 1 {
                    format!(" in {} planes (one per storage port)", st.fabric.plane_count())
                } else {
                    String::new()
                },
                digits(c.bisection_gbps.map_or(0, |b| b.0)),
                st.per_node_gb_per_s,
                st.per_su_gb_per_s,
                plan.resolved.spec.storage.target
            ),
        );
        let (r1, r2, r3) = rows(y);
        let spines = NetBox {
            x: col(0, 1).0,
            y: r1,
            w: col(0, 1).1,
            class: "t-stor",
            colour: "#0f766e",
            caption: counted(u64::from(c.switches.spine), "spine", "spines"),
            names: names(DeviceKind::Storage, &|x| x.contains("spine")),
        };
        let (x, w) = col(0, 3);
        let leaves = NetBox {
            x,
            y: r2,
            w,
            class: "t-stor",
            colour: "#14b8a6",
            caption: format!(
                "{} (rail-aligned per SU)",
                counted(
                    u64::from(c.switches.leaf - st.appliance_leaves),
                    "node leaf",
                    "node leaves"
                )
            ),
            names: names(DeviceKind::Storage, &|x| {
                x.contains("leaf") && !x.starts_with("stor-aleaf")
            }),
        };
        let (x, w) = col(1, 3);
        let aleaves = NetBox {
            x,
            y: r2,
            w,
            class: "t-stor",
            colour: "#5eead4",
            caption: format!(
                "{} at 1:1",
                counted(u64::from(st.appliance_leaves), "appliance leaf", "appliance leaves")
            ),
            names: names(DeviceKind::Storage, &|x| x.starts_with("stor-aleaf")),
        };
        let (x, w) = col(2, 3);
        let ufm = NetBox {
            x,
            y: r3,
            w,
            class: "t-app",
            colour: "#64748b",
            caption: "UFM (storage fabric)".into(),
            names: plan
                .cables
                .runs
                .iter()
                .filter(|r| r.a_device.starts_with("ufm-") && r.role == crate::cabling::CableRole::Storage)
                .map(|r| r.a_device.clone())
                .collect(),
        };
        let (x, w) = col(0, 3);
        let srv = NetBox {
            x,
            y: r3,
            w,
            class: "t-srv",
            colour: "#334155",
            caption: format!("{servers} · storage ports"),
            names: Vec::new(),
        };
        let (x, w) = col(1, 3);
        let app = NetBox {
            x,
            y: r3,
            w,
            class: "t-srv",
            colour: "#334155",
            caption: format!("storage appliances: {} ports (vendor's)", kind(c, "appliance")),
            names: Vec::new(),
        };
        let ls = kind(c, "leaf_spine");
        let als = kind(c, "appliance_leaf_spine");
        g = g
            .add(net_bundle(
                &leaves,
                &spines,
                ls,
                format!("{} leaf-spine", digits(ls)),
                "#0f766e",
            ))
            .add(net_bundle(
                &srv,
                &leaves,
                kind(c, "node"),
                format!("{} node links", digits(kind(c, "node"))),
                "#0f766e",
            ));
        if st.appliance_leaves > 0 {
            g = g
                .add(net_bundle(
                    &aleaves,
                    &spines,
                    als,
                    format!("{} leaf-spine", digits(als)),
                    "#0f766e",
                ))
                .add(net_bundle(
                    &app,
                    &aleaves,
                    kind(c, "appliance"),
                    format!("{} ports", kind(c, "appliance")),
                    "#94a3b8",
                ))
                .add(net_box(&aleaves))
                .add(net_box(&app));
        }
        if !ufm.names.is_empty() {
            g = g
                .add(net_bundle(
                    &ufm,
                    &leaves,
                    ufm.names.len() as u64,
                    format!("{} to a leaf", ufm.names.len()),
                    "#64748b",
                ))
                .add(net_box(&ufm));
        }
        g = g.add(net_box(&spines)).add(net_box(&leaves)).add(net_box(&srv));
        y += band_h;
    }

    // In-band.
    let ib = &n.inband;
    g = header(
        g,
        y,
        "IN-BAND",
        "#a16207",
        format!(
            "{} × {} at {} Gb/s, bonded ×{} · {} links to the site core (outside the plan) · {} ISLs inside the leaf pairs",
            digits(u64::from(ib.switches.total)),
            ib.switch_id,
            plan.resolved.spec.inband.port_speed_gbps,
            plan.resolved.spec.inband.bond,
            digits(kind(ib, "site_uplink")),
            digits(kind(ib, "isl"))
        ),
    );
    let (r1, r2, r3) = rows(y);
    // Above the leaves: the 2 cores, and on large plans the aggregation pairs between (networks::inband_uppers).
    // `switches.spine` counts both; the caption names each.
    let core_names = names(DeviceKind::Inband, &|x| x.contains("core"));
    let agg_names = names(DeviceKind::Inband, &|x| x.starts_with("inb-agg"));
    let caption = if agg_names.is_empty() {
        counted(core_names.len() as u64, "core", "cores")
    } else {
        format!(
            "{} + {}",
            counted(core_names.len() as u64, "core", "cores"),
            counted(agg_names.len() as u64, "aggregation switch", "aggregation switches")
        )
    };
    let cores = NetBox {
        x: col(1, 3).0,
        y: r1,
        w: col(1, 3).1,
        class: "t-inb",
        colour: "#a16207",
        caption,
        names: core_names.into_iter().chain(agg_names).collect(),
    };
    let leaves = NetBox {
        x: col(0, 1).0,
        y: r2,
        w: col(0, 1).1,
        class: "t-inb",
        colour: "#eab308",
        caption: format!(
            "{} in bonded pairs",
            counted(u64::from(ib.switches.leaf), "leaf", "leaves")
        ),
        names: names(DeviceKind::Inband, &|x| x.contains("leaf")),
    };
    let down = [
        (format!("{servers} · in-band ports"), "node", "t-srv"),
        ("management nodes".to_string(), "management", "t-app"),
        ("OOB switches' uplinks".to_string(), "oob_uplink", "t-oob"),
        ("NFS user storage (ports kept)".to_string(), "user_storage", "t-srv"),
    ];
    g = g.add(net_bundle(
        &leaves,
        &cores,
        kind(ib, "leaf_core"),
        format!("{} uplinks", digits(kind(ib, "leaf_core"))),
        "#a16207",
    ));
    for (i, (caption, k, class)) in down.iter().enumerate() {
        let (x, w) = col(i, down.len());
        let b = NetBox {
            x,
            y: r3,
            w,
            class,
            colour: "#334155",
            caption: caption.clone(),
            names: Vec::new(),
        };
        g = g
            .add(net_bundle(
                &b,
                &leaves,
                kind(ib, k),
                format!("{} links", digits(kind(ib, k))),
                "#a16207",
            ))
            .add(net_box(&b));
    }
    g = g.add(net_box(&cores)).add(net_box(&leaves));
    y += band_h;

    // Out-of-band.
    let oob = &n.oob;
    g = header(
        g,
        y,
        "OUT-OF-BAND",
        "#b45309",
        format!(
            "{} × {} · 1 GbE Cat6 to every BMC, switch management port, PDU, UFM and management node · 2 uplinks each into in-band",
            digits(u64::from(oob.switches.total)),
            oob.switch_id
        ),
    );
    let (r1, r2, _) = rows(y);
    let sw = NetBox {
        x: col(0, 1).0,
        y: r1,
        w: col(0, 1).1,
        class: "t-oob",
        colour: "#d97706",
        caption: format!(
            "{} ({})",
            counted(u64::from(oob.switches.total), "OOB switch", "OOB switches"),
            match n.placement.0 {
                crate::networks::ManagementPlacement::Distributed => "each SU's, then one per network rack",
                _ => "each SU's, then central",
            }
        ),
        names: names(DeviceKind::Management, &|_| true),
    };
    let drops = [
        ("server BMCs", "bmc"),
        ("InfiniBand switches", "ib_switch"),
        ("in-band switches", "inband_switch"),
        ("UFM and management nodes", "management"),
        ("PDUs", "pdu"),
    ];
    for (i, (caption, k)) in drops.iter().enumerate() {
        let (x, w) = col(i, drops.len());
        let b = NetBox {
            x,
            y: r2 + 20.0,
            w,
            class: "t-srv",
            colour: "#334155",
            caption: caption.to_string(),
            names: Vec::new(),
        };
        g = g
            .add(net_bundle(
                &b,
                &sw,
                kind(oob, k),
                format!("{} Cat6", digits(kind(oob, k))),
                "#b45309",
            ))
            .add(net_box(&b));
    }
    g = g.add(net_box(&sw));
    let mgmt_racks: Vec<&str> = plan
        .layout
        .racks
        .iter()
        .filter(|r| r.kind == crate::layout::RackKind::Management)
        .map(|r| r.id.as_str())
        .collect();
    let ufm_names = names(DeviceKind::Appliance, &|x| x.starts_with("ufm-"));
    let mgmt_names = names(DeviceKind::Appliance, &|x| !x.starts_with("ufm-"));
    g = g.add(text(
        GUTTER,
        y + band_h - 22.0,
        "t-note",
        format!(
            "UFM: {} · management nodes: {} ({}) · management racks: {}",
            if ufm_names.is_empty() {
                "none".to_string()
            } else {
                format!(
                    "{} ({}), taking {} of the compute fabric",
                    counted(ufm_names.len() as u64, "appliance", "appliances"),
                    span(&ufm_names.iter().map(String::as_str).collect::<Vec<_>>()),
                    counted(u64::from(n.ufm_server_slots), "server slot", "server slots")
                )
            },
            mgmt_names.len(),
            span(&mgmt_names.iter().map(String::as_str).collect::<Vec<_>>()),
            // Named while few; a large distributed plan has dozens, given as a count and its first and last.
            match mgmt_racks.len() {
                0 => "none".to_string(),
                1..=6 => mgmt_racks.join(", "),
                n => format!("{} ({})", digits(n as u64), span(&mgmt_racks)),
            }
        ),
    ));
    y += band_h;
    (g, y - y0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_name_the_ends() {
        assert_eq!(span(&[]), "");
        assert_eq!(span(&["a"]), "a");
        assert_eq!(span(&["a", "b", "c"]), "a … c");
    }

    #[test]
    fn bundles_thicken_slowly() {
        assert!(bundle_width(1, 5.0) >= 1.0);
        // A box narrower than its margins takes the centre instead of panicking (the fuzzer found 488 > 469.25).
        assert_eq!(within(100.0, 476.0, 5.25, 6.0), 478.625);
        assert_eq!(within(100.0, 0.0, 40.0, 6.0), 34.0);
        assert_eq!(within(-5.0, 0.0, 40.0, 6.0), 6.0);
        assert_eq!(within(30.0, 0.0, 40.0, 6.0), 30.0);
        assert!(bundle_width(256, 5.0) > bundle_width(8, 5.0));
        assert!(bundle_width(1_000_000, 5.0) <= 5.0);
    }
}

#[cfg(test)]
mod geometry_tests {
    use super::*;
    use crate::{Planner, Spec};
    use gigapod_catalog::Catalog;

    fn fabric(servers: u32) -> Fabric {
        Planner::new(Catalog::builtin())
            .plan(&Spec::builder("t", "g593-h200").servers(servers).build())
            .unwrap()
            .fabric
    }

    /// One SU: one column of the 300 px pitch less its gap (12 % of the pitch, at most 24 px), centred in the 860 px minimum content width
    /// after the 190 px gutter; two tiers, so the spine row is at the top and the leaf row one box and gap lower.
    #[test]
    fn geometry_of_one_su_by_hand() {
        let g = geometry(&fabric(32));
        assert_eq!(g.cols.len(), 1);
        let col = &g.cols[0];
        assert!((col.w - 276.0).abs() < 1e-9, "{}", col.w);
        assert!((col.x - (190.0 + (860.0 - 276.0) / 2.0)).abs() < 1e-9, "{}", col.x);
        assert!((g.width - (190.0 + 860.0 + 30.0)).abs() < 1e-9);
        assert_eq!((g.y_core, g.y_spine, g.y_leaf, g.y_srv), (104.0, 104.0, 234.0, 364.0));
        assert!(g.core_box.is_none());
        assert_eq!(g.spine_boxes.len(), 1);
        assert_eq!(g.spine_boxes[0].nodes.len(), 4);
    }

    /// At any size the columns are in order, do not overlap, and fit the picture.
    #[test]
    fn columns_never_overlap_and_fit() {
        for servers in [32, 100, 320, 1024] {
            let g = geometry(&fabric(servers));
            for w in g.cols.windows(2) {
                assert!(w[1].x >= w[0].x + w[0].w, "{servers}: columns overlap");
            }
            let last = g.cols.last().unwrap();
            assert!(last.x + last.w <= g.width - RIGHT + 1e-9, "{servers}");
            for b in g.spine_boxes.iter().chain(&g.core_box) {
                assert!(
                    b.x >= g.left - 1e-9 && b.x + b.w <= g.right + 1e-9,
                    "{servers}: {}",
                    b.label
                );
            }
            assert!(g.height > g.y_legend);
        }
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;
    use crate::fabric::{FabricRequest, Planes, Tiers, build_planes, synthetic_switch};
    use gigapod_catalog::units::Gbps;

    /// G593-H200-like servers (8 rails of 400G, 32 per SU) on a 64-port 400G switch (QM9700's radix).
    fn fabric(sus: u32, planes: Planes) -> Fabric {
        let sw = synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
        build_planes(
            &FabricRequest {
                switch: &sw,
                servers: sus * 32,
                rails: 8,
                servers_per_su: 32,
                speed: Gbps(400),
                oversubscription: 1.0,
                rail_optimized: true,
                tiers: Tiers::Auto,
            },
            planes,
        )
        .unwrap()
    }

    /// The count a summarised leaf cell is labelled with: "r3 ×32" gives 32.
    fn label_count(label: &str) -> u64 {
        label.rsplit('×').next().unwrap().replace(',', "").parse().unwrap()
    }

    /// Above 64 SUs the plane is drawn one column per pod (or group of pods): the width stays bounded (and under
    /// librsvg's 32,767 px), every leaf and server of the plane is in exactly one column, the cells' labels add up
    /// to the leaves, the labels fit their cells, and every spine is in one spine box.
    #[test]
    fn summarised_columns_are_bounded_and_count_every_leaf() {
        for (sus, planes) in [
            (65, Planes::PerRail),
            (512, Planes::PerRail),
            (2048, Planes::PerRail),
            (128, Planes::One),
            (256, Planes::One),
        ] {
            let whole = fabric(sus, planes);
            let plane = whole.plane();
            let g = geometry(plane);
            let what = format!("{sus} SUs, {planes:?}");
            assert!(matches!(g.grouping, Grouping::Pods { .. }), "{what}: {:?}", g.grouping);
            assert!(g.width <= SUMMARY_CONTENT + GUTTER + RIGHT, "{what}: {} px", g.width);
            assert!(g.width < 32_767.0);
            assert!(g.cols.len() as u32 <= MAX_SU_COLUMNS, "{what}");
            let mut seen: Vec<NodeIndex> = g.cols.iter().flat_map(|c| c.leaves.iter().copied()).collect();
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), plane.leaves().len(), "{what}: leaves drawn once each");
            assert_eq!(
                g.cols.iter().map(|c| c.leaves.len()).sum::<usize>(),
                plane.summary().switches.leaf as usize,
                "{what}"
            );
            assert_eq!(
                g.cols.iter().map(|c| c.servers).sum::<u32>(),
                sus * 32,
                "{what}: servers"
            );
            let mut spines: Vec<NodeIndex> = g.spine_boxes.iter().flat_map(|b| b.nodes.iter().copied()).collect();
            spines.sort();
            spines.dedup();
            assert_eq!(spines.len(), plane.spines().len(), "{what}: spines");
            assert_eq!(
                g.spine_boxes.iter().map(|b| b.nodes.len()).sum::<usize>(),
                plane.spines().len()
            );
            let mut labelled = 0;
            for w in g.cols.windows(2) {
                assert!(w[1].x >= w[0].x + w[0].w, "{what}: columns overlap");
                assert_eq!(w[1].su, w[0].last_su + 1, "{what}: SU ranges follow each other");
            }
            for col in &g.cols {
                let cells = leaf_cells(plane, col, true);
                let rails = if planes == Planes::PerRail { 1 } else { 8 };
                assert_eq!(cells.len(), rails, "{what}: one cell per rail");
                let cw = (col.w - 2.0 * 6.0) / cells.len() as f64;
                for cell in &cells {
                    assert_eq!(label_count(&cell.label), cell.leaves.len() as u64, "{}", cell.label);
                    assert!(
                        text_width(&cell.label, 9.0, true) + 3.0 <= cw,
                        "{what}: {} does not fit",
                        cell.label
                    );
                    labelled += label_count(&cell.label);
                }
            }
            assert_eq!(labelled, plane.leaves().len() as u64, "{what}: labels count every leaf");
            let last = g.cols.last().unwrap();
            assert_eq!(last.last_su + 1, sus, "{what}: the last column ends at the last SU");
        }
    }

    /// 2,048 SUs in 8 planes: 64 pods of 32 SUs per plane, one column each.
    #[test]
    fn h200_2048_is_a_column_per_pod_of_32_sus() {
        let whole = fabric(2048, Planes::PerRail);
        let g = geometry(whole.plane());
        assert_eq!(g.grouping, Grouping::Pods { pods: 1 });
        assert_eq!(g.cols.len(), 64);
        assert_eq!((g.cols[0].su, g.cols[0].last_su), (0, 31));
        assert_eq!(g.cols[0].label(), "SUs 1-32");
        assert_eq!(g.cols[63].label(), "SUs 2,017-2,048");
        assert_eq!(g.cols[0].servers, 1024);
        assert_eq!(g.spine_boxes[0].label, "pod 1");
    }

    /// Up to 64 SUs the drawing stays one column per SU.
    #[test]
    fn sixty_four_sus_stay_per_su() {
        let whole = fabric(64, Planes::PerRail);
        let g = geometry(whole.plane());
        assert_eq!(g.grouping, Grouping::PerSu);
        assert_eq!(g.cols.len(), 64);
        assert!(
            g.cols
                .iter()
                .enumerate()
                .all(|(i, c)| c.su == i as u32 && c.last_su == c.su)
        );
        assert_eq!(g.cols[5].label(), "SU 6");
    }
}
