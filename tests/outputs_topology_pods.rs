//! `topology.svg` of a plane of more than 64 SUs is summarised: one column per pod, its leaves one cell per rail
//! labelled with their count, so that its width is bounded whatever the SU count (a 2,048-SU plan drew 107,843 px,
//! which librsvg refuses over 32,767 px). Here at 96 SUs of G593-H200 in 8 per-rail planes (3 pods of 32 SUs per
//! plane), parsed as XML and, when installed, rendered by librsvg (`rsvg-convert`).

mod common;

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::render::topology::{self, MAX_SU_COLUMNS};
use gigapod_planner::spec::Spec;
use gigapod_planner::{Plan, plan};
use std::sync::OnceLock;

const SPEC: &str = r#"
name = "pods96"
[compute]
server = "g593-h200"
scalable_units = 96
[fabric]
switch = "qm9700"
planes = "per-rail"
[storage]
fabric = "none"
"#;

fn pods96() -> &'static (Plan, String) {
    static P: OnceLock<(Plan, String)> = OnceLock::new();
    P.get_or_init(|| {
        let spec = Spec::parse(SourceFile::new("pods96.toml", SPEC)).unwrap();
        let p = plan(&spec, Catalog::builtin()).unwrap();
        let svg = topology::svg(&p);
        (p, svg)
    })
}

fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

/// A summarised leaf cell's label, "r3 ×32": the rail and the count.
fn rail_cell(label: &str) -> Option<(u32, u64)> {
    let (rail, count) = label.strip_prefix('r')?.split_once(" ×")?;
    Some((rail.parse().ok()?, count.replace(',', "").parse().ok()?))
}

#[test]
fn a_plane_of_96_sus_is_drawn_one_column_per_pod_with_every_leaf_counted() {
    let (p, svg) = pods96();
    let plane = p.fabric.plane();
    assert!(plane.design().scalable_units > MAX_SU_COLUMNS);
    assert_eq!(p.fabric.plane_count(), 8);
    let doc = roxmltree::Document::parse(svg).unwrap();
    let w: f64 = doc.root_element().attribute("width").unwrap().parse().unwrap();
    // At most 12,220 px (the summarised bound), so under librsvg's 32,767.
    assert!(w <= 12_220.0, "topology.svg is {w} px wide");

    let texts = texts(svg);
    let heading = texts
        .iter()
        .find(|t| t.starts_with("summarised:"))
        .unwrap_or_else(|| panic!("no summarised heading in {texts:?}"));
    assert!(
        heading.contains("one column per pod of 32 SUs; cells are rails"),
        "{heading}"
    );
    assert!(heading.contains("plane 1 of 8 shown"), "{heading}");
    assert!(heading.contains("every plane is the same"), "{heading}");

    // One column per pod: the SU ranges, in order, cover every SU once.
    for range in ["SUs 1-32", "SUs 33-64", "SUs 65-96"] {
        assert!(texts.iter().any(|t| t == range), "{range} missing");
    }
    assert!(!texts.iter().any(|t| t == "SU 1"), "per-SU columns drawn");

    // The cells' counts add up to the plane's leaves (one rail per plane here), and each cell's tooltip names its
    // first and last leaf.
    let cells: Vec<(u32, u64)> = texts.iter().filter_map(|t| rail_cell(t)).collect();
    assert_eq!(cells.len(), 3, "{cells:?}");
    assert_eq!(
        cells.iter().map(|c| c.1).sum::<u64>(),
        plane.leaves().len() as u64,
        "{cells:?}"
    );
    assert_eq!(
        plane.leaves().len() as u64 * 8,
        u64::from(p.fabric.summary().switches.leaf)
    );
    assert!(cells.iter().all(|&(rail, _)| rail == 1));
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    let first = plane.node(plane.leaves().next().unwrap()).name.clone();
    let last = plane.node(plane.leaves().last().unwrap()).name.clone();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("rail 1: 32 leaves") && t.contains(&format!("{first} …"))),
        "no tooltip naming {first}"
    );
    assert!(
        titles.iter().any(|t| t.ends_with(&format!("… {last}"))),
        "no tooltip naming {last}"
    );

    // Servers: every server of the plan, 1,024 per pod.
    assert_eq!(
        texts.iter().filter(|t| *t == "1,024 × g593-h200").count(),
        3,
        "server counts per column"
    );

    common::rsvg_png(
        "a_plane_of_96_sus_is_drawn_one_column_per_pod_with_every_leaf_counted",
        "topology.svg",
        svg,
    );
}
