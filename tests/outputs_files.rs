//! The deliverables of a plan, parsed the way their users' tools parse them: SVGs with an XML parser and rendered
//! by resvg, CSVs with a CSV reader (counts equal to the report and the graph), the Slurm and ibsim exports by
//! their grammar. At 1 scalable unit (the bundled example) and at 64.
//!
//! `GIGAPOD_PNG_DIR=/some/dir cargo test --test outputs_files` also writes each rendered drawing there as PNG,
//! for a look.

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::output::{self, OutputFile};
use gigapod_planner::spec::Spec;
use gigapod_planner::{Plan, Report, plan};
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

fn example_spec() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gigapod-h200-air.toml")).unwrap()
}

fn plan_of(text: &str) -> Plan {
    let spec = Spec::parse(SourceFile::new("spec.toml", text)).unwrap();
    plan(&spec, Catalog::builtin()).unwrap()
}

/// The bundled example: one SU of 32 x G593-H200 on QM9700.
fn one_su() -> &'static (Plan, Vec<OutputFile>) {
    static P: OnceLock<(Plan, Vec<OutputFile>)> = OnceLock::new();
    P.get_or_init(|| {
        let p = plan_of(&example_spec());
        let files = output::render(&p).unwrap();
        (p, files)
    })
}

/// 64 SUs: 2,048 servers, a three-tier fabric of ~1,280 switches and ~49,000 links, 600 racks.
fn su64() -> &'static (Plan, Vec<OutputFile>) {
    static P: OnceLock<(Plan, Vec<OutputFile>)> = OnceLock::new();
    P.get_or_init(|| {
        let text = example_spec()
            .replace("scalable_units = 1", "scalable_units = 64")
            .replace("name = \"gigapod-h200-air\"", "name = \"su64\"");
        let p = plan_of(&text);
        let files = output::render(&p).unwrap();
        (p, files)
    })
}

fn file<'a>(files: &'a [OutputFile], name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no {name} among the outputs"))
        .bytes
}

fn text<'a>(files: &'a [OutputFile], name: &str) -> &'a str {
    std::str::from_utf8(file(files, name)).unwrap()
}

mod common;

/// resvg's options with the system fonts, or `None` when DejaVu Sans (which the drawings ask for) is not installed.
fn options() -> Option<&'static usvg::Options<'static>> {
    static O: OnceLock<Option<usvg::Options<'static>>> = OnceLock::new();
    O.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        let dejavu = db
            .faces()
            .any(|f| f.families.iter().any(|(name, _)| name.starts_with("DejaVu Sans")));
        dejavu.then(|| usvg::Options {
            fontdb: Arc::new(db),
            ..usvg::Options::default()
        })
    })
    .as_ref()
}

/// Parses with roxmltree (well-formed XML, an `svg` root with a size) and renders with resvg at most
/// `max_pixels`; checks the picture has the drawing's proportions and ink on it, and its text was shaped. Without
/// the DejaVu fonts the XML checks run and the rendering is skipped, with a printed note (see tests/common).
fn check_svg(svg: &str, what: &str, max_pixels: f64) -> Option<Pixmap> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{what} is not well-formed XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{what}");
    let w: f64 = root.attribute("width").unwrap().parse().unwrap();
    let h: f64 = root.attribute("height").unwrap().parse().unwrap();
    assert!(w >= 600.0 && h >= 300.0, "{what} is {w} x {h}");
    let Some(options) = options() else {
        common::skip(
            &format!("rendering {what}"),
            "the DejaVu Sans font is not installed (`apt-get install -y fonts-dejavu-core`, as .ci/run does)",
        );
        return None;
    };
    let tree = usvg::Tree::from_str(svg, options).unwrap_or_else(|e| panic!("resvg cannot read {what}: {e}"));
    assert!(tree.has_text_nodes(), "{what}: no text survived (fonts?)");
    let scale = (max_pixels / (w * h)).sqrt().min(1.0);
    let (pw, ph) = ((w * scale).round() as u32, (h * scale).round() as u32);
    let mut pixmap = Pixmap::new(pw, ph).unwrap();
    resvg::render(
        &tree,
        Transform::from_scale(scale as f32, scale as f32),
        &mut pixmap.as_mut(),
    );
    assert_eq!((pixmap.width(), pixmap.height()), (pw, ph));
    let ink = pixmap
        .pixels()
        .iter()
        .filter(|p| p.alpha() > 0 && (p.red() < 200 || p.green() < 200 || p.blue() < 200))
        .count();
    let share = ink as f64 / f64::from(pw * ph);
    assert!(
        share > 0.02,
        "{what}: only {:.2} % of the picture has ink",
        share * 100.0
    );
    // The background covers the drawing (the last row and column may be cut by the scaling).
    let opaque = (0..ph - 1).all(|y| (0..pw - 1).all(|x| pixmap.pixel(x, y).is_some_and(|p| p.alpha() == 255)));
    assert!(opaque, "{what}: transparent pixels (no background?)");
    if let Some(dir) = std::env::var_os("GIGAPOD_PNG_DIR") {
        let path = Path::new(&dir).join(format!("{}.png", what.replace(['/', ' '], "-")));
        pixmap.save_png(path).unwrap();
        // And the top-left corner at full size, to read the small print.
        let mut corner = Pixmap::new(1400.min(w as u32), 1000.min(h as u32)).unwrap();
        resvg::render(&tree, Transform::identity(), &mut corner.as_mut());
        corner
            .save_png(Path::new(&dir).join(format!("{}-corner.png", what.replace(['/', ' '], "-"))))
            .unwrap();
    }
    Some(pixmap)
}

/// The text of every `<text>` element, trimmed (the svg crate puts it on its own line).
fn texts<'a>(doc: &'a roxmltree::Document<'_>) -> BTreeSet<&'a str> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect()
}

const DRAWINGS: [&str; 3] = ["topology.svg", "racks.svg", "floorplan.svg"];

#[test]
fn drawings_of_one_su_are_valid_and_render() {
    let (_, files) = one_su();
    for name in DRAWINGS {
        check_svg(text(files, name), &format!("1su-{name}"), 4.0e6);
    }
}

#[test]
fn drawings_of_64_sus_stay_small_and_render() {
    let (_, files) = su64();
    for name in DRAWINGS {
        let bytes = file(files, name).len();
        assert!(bytes < 5_000_000, "{name} is {bytes} bytes at 64 SUs");
        check_svg(text(files, name), &format!("64su-{name}"), 6.0e6);
    }
}

/// racks.svg of 64 SUs (555 racks) at its full size: under librsvg's 32,767 px per side, no `<pattern>`
/// (one shared by every bay made librsvg ~100x slower), rendered whole by librsvg (`rsvg-convert`, Debian's
/// librsvg2-bin) and by resvg. Both times are printed (`-- --nocapture`; bench/render-times.sh runs it in release).
#[test]
fn racks_svg_of_64_sus_renders_whole_in_librsvg_and_resvg() {
    let (_, files) = su64();
    let svg = text(files, "racks.svg");
    assert!(!svg.contains("<pattern"), "racks.svg uses a <pattern>");
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let w: f64 = root.attribute("width").unwrap().parse().unwrap();
    let h: f64 = root.attribute("height").unwrap().parse().unwrap();
    assert!(w <= 32_767.0 && h <= 32_767.0, "racks.svg is {w} x {h} px");
    // Every rack of the plan is drawn.
    let racks = doc
        .descendants()
        .filter(|n| n.attribute("id").is_some_and(|id| id.starts_with("rack-")))
        .count();
    assert_eq!(racks, su64().0.layout.racks.len());

    if let Some((pw, ph, took)) = common::rsvg_png(
        "racks_svg_of_64_sus_renders_whole_in_librsvg_and_resvg",
        "racks.svg",
        svg,
    ) {
        assert_eq!((f64::from(pw), f64::from(ph)), (w.ceil(), h.ceil()));
        eprintln!(
            "librsvg: racks.svg of 64 SUs, {pw} x {ph} px, rendered in {:.2} s",
            took.as_secs_f64()
        );
    }
    if let Some(options) = options() {
        let t0 = std::time::Instant::now();
        let tree = usvg::Tree::from_str(svg, options).unwrap();
        let mut pixmap = Pixmap::new(w.ceil() as u32, h.ceil() as u32).unwrap();
        resvg::render(&tree, Transform::identity(), &mut pixmap.as_mut());
        let took = t0.elapsed();
        let ink = pixmap.pixels().iter().filter(|p| p.red() < 200).count();
        assert!(ink > pixmap.pixels().len() / 50, "resvg drew almost nothing");
        eprintln!(
            "resvg: racks.svg of 64 SUs, {} x {} px, parsed and rendered in {:.2} s",
            pixmap.width(),
            pixmap.height(),
            took.as_secs_f64()
        );
    } else {
        common::skip(
            "racks_svg_of_64_sus_renders_whole_in_librsvg_and_resvg (resvg)",
            "the DejaVu Sans font is not installed (`apt-get install -y fonts-dejavu-core`, as .ci/run does)",
        );
    }
}

#[test]
fn outputs_are_identical_for_the_same_input() {
    let (_, files) = one_su();
    let again = output::render(&plan_of(&example_spec())).unwrap();
    assert_eq!(files.len(), again.len());
    for (a, b) in files.iter().zip(&again) {
        assert_eq!(a.name, b.name);
        assert!(a.bytes == b.bytes, "{} differs between two runs", a.name);
    }
}

#[test]
fn topology_draws_bundles_not_links() {
    let (p, files) = su64();
    let svg = text(files, "topology.svg");
    let doc = roxmltree::Document::parse(svg).unwrap();
    let lines = doc.descendants().filter(|n| n.has_tag_name("line")).count();
    let links = p.fabric.graph().edge_count();
    assert!(links > 40_000, "{links}");
    assert!(lines < 2_000, "{lines} lines for {links} links");
    // Every SU is there, and the bundle numbers add up to the links of each role.
    let texts = texts(&doc);
    for su in 1..=64 {
        assert!(texts.contains(format!("SU {su}").as_str()), "SU {su} missing");
    }
}

fn csv_rows(files: &[OutputFile], name: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(file(files, name));
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(rec.len(), header.len(), "{name}");
            header.iter().cloned().zip(rec.iter().map(str::to_string)).collect()
        })
        .collect()
}

fn json(p: &Plan) -> serde_json::Value {
    serde_json::from_str(&Report::new(p).to_json()).unwrap()
}

/// bom.csv, bom.md, cables.csv and the NetBox CSVs against the report and the graph, at both sizes.
#[test]
fn csvs_and_tables_count_what_the_report_and_the_graph_count() {
    for (p, files) in [one_su(), su64()] {
        let report = json(p);
        let links = p.fabric.graph().edge_count();
        assert_eq!(report["fabric"]["links"]["total"].as_u64().unwrap() as usize, links);

        // bom.csv: one line per report bom line, same quantities; bom.md shows each of them.
        let bom = csv_rows(files, "bom.csv");
        let rb = report["bom"].as_array().unwrap();
        assert_eq!(bom.len(), rb.len());
        let md = text(files, "bom.md");
        for (row, j) in bom.iter().zip(rb) {
            assert_eq!(row["part_id"], j["part_id"].as_str().unwrap());
            assert_eq!(row["qty"].parse::<u64>().unwrap(), j["qty"].as_u64().unwrap());
            assert!(
                md.contains(&format!("`{}`", row["part_id"])),
                "bom.md lacks {}",
                row["part_id"]
            );
        }
        let total = report["cables"]["total"].as_u64().unwrap();
        assert!(
            md.contains(&format!("**{}**", digits(total))),
            "bom.md's cable total is not {total}"
        );

        // cables.csv: a line per link of every network, a label per physical cable; the compute fabric's links
        // are the graph's, and the storage, in-band and out-of-band networks are all there.
        let links = p.cables.runs.len();
        let cables = csv_rows(files, "cables.csv");
        assert_eq!(cables.len(), links);
        let compute_rows = cables
            .iter()
            .filter(|r| matches!(r["role"].as_str(), "endpoint" | "leaf_spine" | "spine_core"))
            .count();
        assert_eq!(compute_rows, p.fabric.graph().edge_count());
        for role in ["storage", "inband", "oob"] {
            assert!(cables.iter().any(|r| r["role"] == role), "no {role} cable");
        }
        assert!(cables.iter().any(|r| r["media"] == "cat6"));
        let labels: BTreeSet<&str> = cables.iter().map(|r| r["label"].as_str()).collect();
        assert_eq!(labels.len() as u64, total);

        // NetBox: every object a file refers to exists in the file before it, and the counts are the plan's.
        let sites = csv_rows(files, "netbox-sites.csv");
        assert_eq!(sites.len(), 1);
        let manufacturers: BTreeSet<String> = csv_rows(files, "netbox-manufacturers.csv")
            .into_iter()
            .map(|r| r["name"].clone())
            .collect();
        let roles: BTreeSet<String> = csv_rows(files, "netbox-device-roles.csv")
            .into_iter()
            .map(|r| r["name"].clone())
            .collect();
        let types = csv_rows(files, "netbox-device-types.csv");
        for t in &types {
            assert!(manufacturers.contains(&t["manufacturer"]), "{t:?}");
        }
        let models: BTreeSet<(String, String)> = types
            .iter()
            .map(|t| (t["manufacturer"].clone(), t["model"].clone()))
            .collect();
        let racks = csv_rows(files, "netbox-racks.csv");
        assert_eq!(racks.len() as u64, report["racks"]["count"].as_u64().unwrap());
        let rack_names: BTreeSet<&str> = racks.iter().map(|r| r["name"].as_str()).collect();
        assert!(racks.iter().all(|r| r["site"] == sites[0]["name"]));
        assert!(
            racks.iter().any(|r| r["description"].starts_with("management rack")),
            "no management rack"
        );
        let devices = csv_rows(files, "netbox-devices.csv");
        let placed: usize = p.layout.racks.iter().map(|r| r.devices.len()).sum();
        // Every placed device, and every PDU (zero-U, in its rack, on its feed, cabled to its OOB port).
        let pdus = p.facility.pdus as usize;
        assert_eq!(devices.len(), placed + pdus);
        let switches = report["fabric"]["switches"]["total"].as_u64().unwrap() as usize;
        let n = &p.networks;
        assert_eq!(
            placed,
            p.compute.servers as usize
                + switches
                + p.management_switches as usize
                + n.storage.as_ref().map_or(0, |s| s.counts.switches.total as usize)
                + n.inband.switches.total as usize
                + (n.ufm + n.management_servers) as usize
        );
        let device_names: BTreeSet<&str> = devices.iter().map(|d| d["name"].as_str()).collect();
        assert_eq!(device_names.len(), devices.len(), "device names repeat");
        // Every name carries the plan's prefix, so that two plans can share one NetBox.
        assert!(devices.iter().all(|d| d["name"].starts_with(&format!("{}-", p.name()))));
        let units = u32::try_from(report["racks"]["list"][0]["u_total"].as_u64().unwrap()).unwrap();
        for d in &devices {
            assert!(rack_names.contains(d["rack"].as_str()), "{d:?}");
            assert!(roles.contains(&d["role"]), "{d:?}");
            assert!(
                models.contains(&(d["manufacturer"].clone(), d["device_type"].clone())),
                "{d:?}"
            );
            if d["role"] == "PDU" {
                assert_eq!(d["position"], "", "a zero-U PDU has no position: {d:?}");
                continue;
            }
            let u: u32 = d["position"].parse().unwrap();
            assert!((1..=units).contains(&u), "{d:?}");
        }
        // Power as NetBox adds it up: each rack's feeds carry its PDUs, whose outlets carry the supplies' allocated
        // draw; per rack that draw is the plan's rack power (each supply's share rounded up to a watt).
        let rack_of: BTreeMap<&str, &str> = devices
            .iter()
            .map(|d| (d["name"].as_str(), d["rack"].as_str()))
            .collect();
        let ports = csv_rows(files, "netbox-power-ports.csv");
        let draw: BTreeMap<(&str, &str), f64> = ports
            .iter()
            .filter(|r| !r["allocated_draw"].is_empty())
            .map(|r| {
                (
                    (r["device"].as_str(), r["name"].as_str()),
                    r["allocated_draw"].parse().unwrap(),
                )
            })
            .collect();
        let feeds = csv_rows(files, "netbox-power-feeds.csv");
        let feed_rack: BTreeMap<(&str, &str), &str> = feeds
            .iter()
            .map(|f| ((f["power_panel"].as_str(), f["name"].as_str()), f["rack"].as_str()))
            .collect();
        let mut fed: BTreeMap<&str, f64> = BTreeMap::new();
        let mut pdu_fed = BTreeSet::new();
        for c in &csv_rows(files, "netbox-power-cables.csv") {
            if c["side_b_type"] == "dcim.powerfeed" {
                let rack = feed_rack[&(c["side_b_power_panel"].as_str(), c["side_b_name"].as_str())];
                assert_eq!(rack_of[c["side_a_device"].as_str()], rack, "{c:?}");
                pdu_fed.insert(c["side_a_device"].clone());
            } else {
                assert_eq!(c["side_b_type"], "dcim.poweroutlet");
                let w = draw[&(c["side_a_device"].as_str(), c["side_a_name"].as_str())];
                let rack = rack_of[c["side_b_device"].as_str()];
                assert_eq!(
                    rack_of[c["side_a_device"].as_str()],
                    rack,
                    "a cord leaves its rack: {c:?}"
                );
                *fed.entry(rack).or_default() += w;
            }
        }
        assert_eq!(pdu_fed.len(), pdus, "every PDU hangs on a feed");
        for (rk, rp) in p.layout.racks.iter().zip(&p.facility.racks) {
            let w = fed.get(rk.id.as_str()).copied().unwrap_or(0.0);
            let supplies: usize = ports
                .iter()
                .filter(|r| r["name"].starts_with("PSU") && rack_of[r["device"].as_str()] == rk.id)
                .count();
            assert!(
                w >= rp.kw.0 * 1000.0 - 1e-6 && w <= rp.kw.0 * 1000.0 + supplies as f64,
                "{}: {w} W allocated in NetBox, {} kW planned",
                rk.id,
                rp.kw.0
            );
        }
        let interfaces = csv_rows(files, "netbox-interfaces.csv");
        assert_eq!(interfaces.len(), 2 * links, "one interface per cabled port");
        let ports: BTreeSet<(&str, &str)> = interfaces
            .iter()
            .map(|i| (i["device"].as_str(), i["name"].as_str()))
            .collect();
        assert_eq!(ports.len(), interfaces.len());
        assert!(interfaces.iter().all(|i| device_names.contains(i["device"].as_str())));
        let nb_cables = csv_rows(files, "netbox-cables.csv");
        assert_eq!(nb_cables.len(), links);
        let mut used = BTreeSet::new();
        for c in &nb_cables {
            for side in ["a", "b"] {
                let port = (
                    c[&format!("side_{side}_device")].as_str(),
                    c[&format!("side_{side}_name")].as_str(),
                );
                assert!(ports.contains(&port), "{c:?}");
                assert!(used.insert(port), "{port:?} cabled twice");
            }
        }
        let nb_labels: BTreeSet<&str> = nb_cables.iter().map(|c| c["label"].as_str()).collect();
        assert_eq!(nb_labels, labels);
    }
}

/// Expands a Slurm hostlist expression (`srv[1-3,5],leaf-1`) as Slurm's parser does for these names.
fn expand(list: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
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
    let mut out = Vec::new();
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

/// topology.conf is a tree over the fabric graph, as Slurm's tree plugin needs: every server under exactly one
/// leaf-level switch, every switch under at most one parent, one root; each Slurm switch stands for the fabric
/// switches its comment names (`# su1 = leaf-su1-r[1-8]`), the servers cabled to its leaves are its nodes, and
/// its children are exactly the Slurm switches whose members are cabled to its members.
#[test]
fn slurm_topology_is_a_tree_over_the_fabric_graph() {
    for (p, files) in [one_su(), su64()] {
        let f = &p.fabric;
        let conf = text(files, "topology.conf");
        let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut children: BTreeMap<String, (bool, BTreeSet<String>)> = BTreeMap::new();
        for line in conf.lines() {
            if let Some((name, rest)) = line.strip_prefix("# ").and_then(|l| l.split_once(" = ")) {
                let list = rest.split(' ').next().unwrap();
                members.insert(name.to_string(), expand(list).into_iter().collect());
            }
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let name = words.next().unwrap().strip_prefix("SwitchName=").unwrap().to_string();
            let (key, list) = words.next().unwrap().split_once('=').unwrap();
            assert!(words.next().is_none(), "{line}");
            let set: BTreeSet<String> = expand(list).into_iter().collect();
            assert!(children.insert(name, (key == "Nodes", set)).is_none(), "{line}");
        }
        let fabric_names: BTreeSet<String> = f.switches().map(|n| f.node(n).name.clone()).collect();
        for name in children.keys() {
            let m = members
                .entry(name.clone())
                .or_insert_with(|| BTreeSet::from([name.clone()]));
            assert!(m.is_subset(&fabric_names), "{name}: {m:?}");
        }
        // Every fabric switch is in exactly one Slurm switch.
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, m) in &members {
            for sw in m {
                assert!(
                    owner.insert(sw.as_str(), name.as_str()).is_none(),
                    "{sw} in two switches"
                );
            }
        }
        assert_eq!(owner.len(), f.switches().len());
        // The graph: servers of each fabric leaf, and the Slurm switches cabled below each Slurm switch.
        let mut want: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for e in f.graph().edge_indices() {
            let l = f.graph()[e];
            let upper = owner[f.node(l.b.node).name.as_str()].to_string();
            let lower = gigapod_planner::device_name(f, l.a.node);
            let lower = owner.get(lower.as_str()).map_or(lower.clone(), |o| o.to_string());
            want.entry(upper).or_default().insert(lower);
        }
        let mut parents: BTreeMap<&str, usize> = BTreeMap::new();
        for (name, (nodes, set)) in &children {
            assert_eq!(Some(set), want.get(name), "{name}");
            if !*nodes {
                for c in set {
                    *parents.entry(c.as_str()).or_default() += 1;
                }
            }
        }
        assert!(
            parents.values().all(|&k| k == 1),
            "a switch with two parents: {parents:?}"
        );
        let roots: Vec<&String> = children.keys().filter(|n| !parents.contains_key(n.as_str())).collect();
        assert_eq!(roots.len(), 1, "{roots:?}");
        let mut servers: Vec<&String> = children.values().filter(|c| c.0).flat_map(|c| &c.1).collect();
        let listed = servers.len();
        servers.sort();
        servers.dedup();
        assert_eq!(listed, servers.len(), "a server under two leaf switches");
        assert_eq!(servers.len(), p.compute.servers as usize);
        // Rail-optimised: one leaf-level switch per SU.
        let leaf_level = children.values().filter(|c| c.0).count();
        assert_eq!(leaf_level as u32, p.compute.scalable_units);
    }
}

type IbNode = (String, u32, BTreeMap<u32, (String, u32)>);

#[test]
fn ibsim_topology_is_consistent_both_ways() {
    for (p, files) in [one_su(), su64()] {
        let topo = text(files, "ibnetdiscover.topo");
        let mut nodes: BTreeMap<String, IbNode> = BTreeMap::new();
        let mut current: Option<String> = None;
        for line in topo.lines() {
            assert!(line.len() < 256, "ibsim reads lines of at most 255 bytes: {line}");
            if line.starts_with("switchguid=0x") || line.starts_with("caguid=0x") {
                continue;
            }
            if line.starts_with('#') || line.is_empty() {
                current = None;
                continue;
            }
            if line.starts_with("Switch") || line.starts_with("Ca") {
                let kind = if line.starts_with("Switch") { "Switch" } else { "Ca" };
                let rest = &line[kind.len()..];
                let ports: u32 = rest.split_whitespace().next().unwrap().parse().unwrap();
                let id = rest.split('"').nth(1).unwrap().to_string();
                let prefix = if kind == "Switch" { "S-" } else { "H-" };
                assert!(id.starts_with(prefix) && id.len() == 18, "{id}");
                assert!(
                    nodes
                        .insert(id.clone(), (kind.into(), ports, BTreeMap::new()))
                        .is_none()
                );
                current = Some(id);
                continue;
            }
            let id = current
                .clone()
                .unwrap_or_else(|| panic!("port line outside a block: {line}"));
            let port: u32 = line[1..line.find(']').unwrap()].parse().unwrap();
            let peer = line.split('"').nth(1).unwrap().to_string();
            let after = &line[line.find('"').unwrap() + peer.len() + 2..];
            let peer_port: u32 = after[1..after.find(']').unwrap()].parse().unwrap();
            assert!(!line.split('#').next().unwrap().contains('='), "{line}");
            let node = nodes.get_mut(&id).unwrap();
            assert!(port >= 1 && port <= node.1, "{line}");
            assert!(node.2.insert(port, (peer, peer_port)).is_none(), "{line}");
        }
        let switches = nodes.values().filter(|n| n.0 == "Switch").count();
        let cas = nodes.values().filter(|n| n.0 == "Ca").count();
        assert_eq!(switches, p.fabric.switches().len());
        let nic_ports = p.resolved.fabric_nic.ports.value as usize;
        assert_eq!(cas * nic_ports, p.fabric.endpoints().len());
        let mut port_lines = 0;
        for (id, (_, _, ports)) in &nodes {
            for (port, (peer, peer_port)) in ports {
                port_lines += 1;
                let back = nodes.get(peer).and_then(|n| n.2.get(peer_port));
                assert_eq!(
                    back,
                    Some(&(id.clone(), *port)),
                    "{id}[{port}] -> {peer}[{peer_port}] is one-way"
                );
            }
        }
        assert_eq!(port_lines, 2 * p.fabric.graph().edge_count());
    }
}

#[test]
fn plan_writes_every_deliverable() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("plan");
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gigapod-h200-air.toml");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_gigapod"))
        .args(["plan", spec.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (_, files) = one_su();
    for f in files {
        let on_disk = std::fs::read(out.join(&f.name)).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert!(
            on_disk == f.bytes,
            "{} on disk differs from the library's rendering",
            f.name
        );
    }
    for name in [
        "report.json",
        "bom.csv",
        "bom.md",
        "cables.csv",
        "topology.svg",
        "racks.svg",
        "floorplan.svg",
        "report.html",
        "topology.conf",
        "ibnetdiscover.topo",
    ]
    .into_iter()
    .chain(gigapod_planner::render::netbox::FILES)
    {
        assert!(out.join(name).is_file(), "{name} not written");
    }
}

/// A rack over its power limit is outlined and flagged in racks.svg and drawn as over the limit in
/// floorplan.svg; the others are not.
#[test]
fn racks_over_a_limit_are_marked() {
    let p = plan_of(&example_spec());
    let max = p.facility.racks.iter().map(|r| r.kw.0).fold(0.0, f64::max);
    // The same plan held to a lower limit: the racks above it are the ones to mark.
    let mut low = p.clone();
    low.resolved.rack_limit = gigapod_catalog::units::Kilowatts(max - 1.0);
    let over = low.facility.racks.iter().filter(|r| r.kw.0 > max - 1.0).count();
    assert!(over > 0);
    for (plan, marked) in [(&p, 0), (&low, over)] {
        let racks = gigapod_planner::render::racks::svg(plan);
        let floor = gigapod_planner::render::floorplan::svg(plan);
        let doc = roxmltree::Document::parse(&racks).unwrap();
        let flags = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.text().is_some_and(|t| t.trim().starts_with("OVER ")))
            .count();
        assert_eq!(flags, marked);
        assert_eq!(racks.matches("class=\"r-over\"").count(), marked);
        assert_eq!(floor.matches("f-rack f-over").count(), marked);
    }
}

fn digits(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// docs/img holds the drawings of the bundled example as the tool writes them (docs/outputs.md shows them).
/// Regenerate with `UPDATE_DOCS=1 cargo test --test outputs_files`.
#[test]
fn docs_images_are_the_tools_drawings_of_the_example() {
    let (_, files) = one_su();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img");
    for name in DRAWINGS {
        let path = dir.join(name);
        let want = file(files, name);
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, want).unwrap();
        }
        let have = std::fs::read(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/img/{name} is stale: run `UPDATE_DOCS=1 cargo test --test outputs_files`"
        );
    }
}

/// OpenSM's simulator loads `ibnetdiscover.topo` (with the limits its header names) and connects every port.
/// CI installs `ibsim-utils` (`.ci/run`); without `ibsim` this test prints that it skipped (a failure under
/// `GIGAPOD_REQUIRE_TOOLS=1`, as CI runs it).
#[test]
fn ibsim_loads_the_fabric() {
    let Some(ibsim) = common::tool_or_skip(
        "ibsim_loads_the_fabric",
        None,
        &["ibsim"],
        "this test loads ibnetdiscover.topo into OpenSM's simulator: `apt-get install -y ibsim-utils`, as .ci/run does",
    ) else {
        return;
    };
    for (p, files) in [one_su(), su64()] {
        let topo = text(files, "ibnetdiscover.topo");
        let t = tempfile::tempdir().unwrap();
        let net = t.path().join("ibnetdiscover.topo");
        std::fs::write(&net, topo).unwrap();
        let header = topo.lines().nth(1).unwrap();
        let limits: Vec<&str> = header[header.find("ibsim ").unwrap() + 6..]
            .split_whitespace()
            .take_while(|w| *w != "-s")
            .collect();
        let mut child = std::process::Command::new(&ibsim)
            .args(&limits)
            .args(["-v", "-s"])
            .arg(&net)
            .env(
                "IBSIM_SOCKNAME",
                format!("gigapod-test-{}-{}", std::process::id(), p.name()),
            )
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(b"quit\n").unwrap();
        let out = child.wait_with_output().unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = topo.lines().count();
        assert!(
            log.contains(&format!("parsed {lines} lines")),
            "{}",
            &log[..log.len().min(3000)]
        );
        assert!(
            log.contains("Network simulator ready"),
            "{}",
            &log[..log.len().min(3000)]
        );
        let ports = 2 * p.fabric.graph().edge_count();
        assert!(
            log.contains(&format!("connect_ports: {ports} ports connected")),
            "not every port connected: {}",
            &log[..log.len().min(3000)]
        );
        for bad in [
            "fatal",
            "can't find remote",
            "is not connected",
            "bad port",
            "parsing failed",
        ] {
            assert!(!log.contains(bad), "ibsim: {bad}: {}", &log[..log.len().min(3000)]);
        }
    }
}

/// `gigapod export --dot`'s device-level DOT laid out by Graphviz `dot` (`-Tplain`) for 1 and 4 SUs: one node per
/// server and switch, servers below their leaves below the spines, the servers of an SU in rows in name order,
/// and a picture that stays readable: at most 60 x 20 inches, no wider than 6:1 (the NIC-level DOT gave a
/// 29,000-px strip).
#[test]
fn device_dot_lays_out_readably_in_graphviz() {
    let Some(dot) = common::tool_or_skip(
        "device_dot_lays_out_readably_in_graphviz",
        Some("GIGAPOD_DOT"),
        &["dot"],
        "`apt-get install -y graphviz`, as .ci/run does",
    ) else {
        return;
    };
    for sus in [1u32, 4] {
        let p = plan_of(
            &example_spec()
                .replace("scalable_units = 1", &format!("scalable_units = {sus}"))
                .replace("name = \"gigapod-h200-air\"", &format!("name = \"su{sus}\"")),
        );
        let text = gigapod_planner::render::dot::fabric(&p.fabric, p.name());
        let mut child = std::process::Command::new(&dot)
            .arg("-Tplain")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let plain = String::from_utf8(out.stdout).unwrap();
        let mut size = (0.0, 0.0);
        let mut nodes: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for line in plain.lines() {
            let w: Vec<&str> = line.split_whitespace().collect();
            match w.first() {
                Some(&"graph") => size = (w[2].parse::<f64>().unwrap(), w[3].parse::<f64>().unwrap()),
                Some(&"node") => {
                    nodes.insert(w[1].to_string(), (w[2].parse().unwrap(), w[3].parse().unwrap()));
                }
                _ => {}
            }
        }
        let f = &p.fabric;
        assert_eq!(
            nodes.len(),
            p.compute.servers as usize + f.switches().len(),
            "{sus} SU(s)"
        );
        let (w, h) = size;
        assert!(w <= 60.0 && h <= 20.0 && w / h <= 6.0, "{sus} SU(s): {w} x {h} in");
        let y = |id: &str| nodes[id].1;
        let top_server = (1..=p.compute.servers).map(|s| y(&format!("s{s}"))).fold(0.0, f64::max);
        let leaf_y: Vec<f64> = f.leaves().map(|n| y(&format!("w{}", n.index()))).collect();
        let spine_y: Vec<f64> = f.spines().map(|n| y(&format!("w{}", n.index()))).collect();
        let low_leaf = leaf_y.iter().copied().fold(f64::MAX, f64::min);
        let low_spine = spine_y.iter().copied().fold(f64::MAX, f64::min);
        assert!(
            top_server < low_leaf && leaf_y.iter().all(|&l| l < low_spine),
            "{sus} SU(s): tiers out of order"
        );
        // Servers of one row in name order, left to right.
        let row: Vec<f64> = (1..=8).map(|s| nodes[&format!("s{s}")].0).collect();
        assert!(
            row.windows(2).all(|x| x[0] < x[1]),
            "{sus} SU(s): srv1..srv8 at {row:?}"
        );
        eprintln!("dot: {sus} SU(s) laid out at {w:.1} x {h:.1} in");
    }
}

/// ibnetdiscover.topo loaded into ibsim and discovered again by the real `ibnetdiscover` (infiniband-diags,
/// through libumad2sim, Debian's libumad2sim0): the same switches and HCAs come back under the same GUIDs and
/// node descriptions, with the same links port for port. Debian 12's ibsim 0.10 cannot read NDR and reports the
/// links at its default `4xSDR` (docs/outputs.md).
#[test]
fn ibnetdiscover_finds_the_same_guids_in_ibsim() {
    let test = "ibnetdiscover_finds_the_same_guids_in_ibsim";
    let install = "`apt-get install -y ibsim-utils infiniband-diags`, as .ci/run does";
    let Some(ibsim) = common::tool_or_skip(test, None, &["ibsim"], install) else {
        return;
    };
    let Some(discover) = common::tool_or_skip(test, None, &["ibnetdiscover"], install) else {
        return;
    };
    let lib = [
        "/usr/lib/x86_64-linux-gnu/umad2sim/libumad2sim.so",
        "/usr/lib/aarch64-linux-gnu/umad2sim/libumad2sim.so",
        "/usr/lib/umad2sim/libumad2sim.so",
    ]
    .into_iter()
    .map(std::path::PathBuf::from)
    .find(|p| p.is_file());
    let Some(lib) = lib else {
        common::skip(test, "no libumad2sim.so (`apt-get install -y libumad2sim0`)");
        return;
    };
    let (_, files) = one_su();
    let topo = text(files, "ibnetdiscover.topo");
    let t = tempfile::tempdir().unwrap();
    let net = t.path().join("ibnetdiscover.topo");
    std::fs::write(&net, topo).unwrap();
    let sock = format!("gigapod-rt-{}", std::process::id());
    let mut sim = std::process::Command::new(&ibsim)
        .args(["-n", "-s"])
        .arg(&net)
        .env("IBSIM_SOCKNAME", &sock)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    let found = loop {
        let out = std::process::Command::new(&discover)
            .env("LD_PRELOAD", &lib)
            .env("IBSIM_SOCKNAME", &sock)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if out.status.success() && text.contains("Switch") {
            break text;
        }
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(30),
            "ibnetdiscover found nothing in 30 s: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    let _ = sim.kill();
    let _ = sim.wait();
    // Nodes (id -> description) and links ((id, port) -> (peer id, peer port)) of an ibnetdiscover file.
    type Links = BTreeMap<(String, u32), (String, u32)>;
    fn parse(text: &str) -> (BTreeMap<String, String>, Links) {
        let (mut nodes, mut links) = (BTreeMap::new(), BTreeMap::new());
        let mut current = String::new();
        for line in text.lines() {
            if line.starts_with("Switch") || line.starts_with("Ca") {
                let id = line.split('"').nth(1).unwrap().to_string();
                let desc = line.split('"').nth(3).unwrap().to_string();
                nodes.insert(id.clone(), desc);
                current = id;
            } else if line.starts_with('[') {
                let port: u32 = line[1..line.find(']').unwrap()].parse().unwrap();
                let peer = line.split('"').nth(1).unwrap().to_string();
                let after = &line[line.find(&peer).unwrap() + peer.len() + 1..];
                let peer_port: u32 = after[1..after.find(']').unwrap()].parse().unwrap();
                links.insert((current.clone(), port), (peer, peer_port));
            }
        }
        (nodes, links)
    }
    let (want_nodes, want_links) = parse(topo);
    let (got_nodes, got_links) = parse(&found);
    assert_eq!(got_nodes.len(), want_nodes.len());
    assert_eq!(got_nodes, want_nodes, "GUIDs or descriptions changed in the round trip");
    assert_eq!(got_links, want_links, "links changed in the round trip");
    // The GUID lines say the same as the ids.
    for line in found
        .lines()
        .filter(|l| l.starts_with("switchguid=") || l.starts_with("caguid="))
    {
        let hex = line.split('=').nth(1).unwrap().trim_start_matches("0x");
        let hex = hex.split('(').next().unwrap();
        let guid = u64::from_str_radix(hex, 16).unwrap();
        assert!(
            want_nodes.contains_key(&format!("S-{guid:016x}")) || want_nodes.contains_key(&format!("H-{guid:016x}")),
            "{line}"
        );
    }
}
