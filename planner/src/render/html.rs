//! `report.html`: one self-contained page (inline CSS and SVG, no script, nothing fetched) with the summary, the
//! checks, the drawings, the power table and the bill of materials.
//!
//! The rack elevations are one drawing per row ([`super::racks::row_svg`]) after an overview table of the rows
//! (racks, SUs, kW, each linking to its drawing), so the first view of the rack box is row 1's racks, and no
//! single drawing is taller than a page. The print stylesheet sets A4 landscape pages (`@page`), starts every
//! section on a new page, scales each drawing to fit one page (`max-width: 100%`, `max-height` of the page body,
//! proportions kept) and never splits a drawing or a table row across pages; table headers repeat on every page.

use super::bom_md::{cable_bins, metres, watts};
use super::draw::digits;
use crate::check::Status;
use crate::layout::RackKind;
use crate::plan::Plan;
use crate::text::counted;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub use crate::text::xml_escape as escape;

const CSS: &str = "\
:root{--ink:#0f172a;--muted:#475569;--line:#e2e8f0;--pass:#15803d;--warn:#b45309;--fail:#b91c1c}
*{box-sizing:border-box}
body{margin:0;font-family:'DejaVu Sans',Verdana,Arial,Helvetica,sans-serif;color:var(--ink);background:#f8fafc;font-size:14px;line-height:1.45}
header{background:#0f172a;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:24px}
header p{margin:0;color:#cbd5e1}
nav{background:#1e293b;padding:8px 32px}
nav a{color:#e2e8f0;margin-right:18px;text-decoration:none;font-size:13px}
main{padding:8px 32px 40px;max-width:1600px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:18px 0}
h2{margin:0 0 12px;font-size:19px}
h3{margin:18px 0 8px;font-size:15px}
table{border-collapse:collapse;font-size:13px;margin:4px 0 8px}
th,td{border-bottom:1px solid var(--line);padding:5px 10px;text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:bold}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.over td{background:#fef2f2;color:var(--fail);font-weight:bold}
.kv th{width:260px;background:none;color:var(--muted);font-weight:normal}
.badge{display:inline-block;min-width:44px;text-align:center;border-radius:4px;padding:1px 6px;color:#fff;font-size:12px;font-weight:bold}
.pass{background:var(--pass)}.warn{background:var(--warn)}.fail{background:var(--fail)}
.status{display:inline-block;margin-top:8px;padding:3px 10px;border-radius:4px;font-weight:bold}
.drawing{overflow:auto;max-height:900px;border:1px solid var(--line);border-radius:6px;background:#fff;margin:0 0 12px}
.drawing svg{display:block}
.rows a{text-decoration:none}
pre{background:#f1f5f9;padding:12px;border-radius:6px;overflow:auto;font-size:12px}
.muted{color:var(--muted)}
footer{color:var(--muted);font-size:12px;padding:0 32px 24px}
@page{size:A4 landscape;margin:10mm}
@media print{
body{background:#fff;font-size:10pt;line-height:1.3}
header{background:none;color:var(--ink);padding:0 0 6px;border-bottom:2px solid var(--ink)}
header p{color:var(--muted)}
nav{display:none}
main{padding:0;max-width:none}
section{border:none;border-radius:0;padding:0;margin:0;break-before:page}
section#summary{break-before:auto;margin-top:8px}
h2,h3{break-after:avoid}
table{font-size:8pt}
th,td{padding:2px 6px}
thead{display:table-header-group}
tr{break-inside:avoid}
pre{white-space:pre-wrap;overflow:visible;font-size:7.5pt}
.drawing{overflow:visible;max-height:none;border:none;border-radius:0;break-inside:avoid;margin:0 0 4mm}
.drawing svg{width:auto;height:auto;max-width:100%;max-height:170mm}
.drawing+.drawing{break-before:page}
}
";

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
    }
}

fn kv(out: &mut String, k: &str, v: &str) {
    let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
}

/// A section holding one drawing (`note` is HTML).
fn drawing(out: &mut String, id: &str, title: &str, svg: &str, note: &str) {
    let _ = writeln!(
        out,
        "<section id=\"{id}\"><h2>{title}</h2><p class=\"muted\">{note}</p>\
         <div class=\"drawing\">\n{}</div></section>",
        svg.trim()
    );
}

/// The rack elevations: an overview of the rows, then one drawing per row ([`super::racks::row_svg`]); for a
/// large plan (`inline` false) the overview only, the drawings being in `racks.svg`.
fn racks_section(out: &mut String, plan: &Plan, inline: bool) {
    let layout = &plan.layout;
    let note = if inline {
        "Front view of every rack, one drawing per row; bars show power, weight and rack units against the limits. \
         All rows in one drawing: <code>racks.svg</code>."
    } else {
        "Too many racks to draw here: the front view of every rack, row by row, is <a href=\"racks.svg\"><code>racks.svg</code></a>, \
         and every rack's power, weight and units are in <a href=\"racks.csv\"><code>racks.csv</code></a>."
    };
    let _ = writeln!(
        out,
        "<section id=\"racks\"><h2>Rack elevations</h2><p class=\"muted\">{note}</p>\
         <table class=\"rows\"><thead><tr><th>Row</th><th class=\"n\">Racks</th><th class=\"n\">Compute</th>\
         <th class=\"n\">Network</th><th>SUs</th><th class=\"n\">kW</th></tr></thead>"
    );
    for row in 0..layout.rows {
        let racks: Vec<&crate::layout::RackPlan> = layout.racks.iter().filter(|r| r.row == row).collect();
        let compute = racks.iter().filter(|r| r.kind == RackKind::Compute).count();
        let sus: std::collections::BTreeSet<u32> = racks.iter().filter_map(|r| r.su).collect();
        let su_text = match (sus.first(), sus.last()) {
            (Some(a), Some(b)) if a == b => (a + 1).to_string(),
            (Some(a), Some(b)) => format!("{}-{}", a + 1, b + 1),
            _ => String::new(),
        };
        let kw = plan.facility.rows_kw.get(row as usize).map_or(0.0, |k| k.0);
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#racks-row-{n}\">Row {n}</a></td><td class=\"n\">{}</td><td class=\"n\">{compute}</td>\
             <td class=\"n\">{}</td><td>{su_text}</td><td class=\"n\">{kw:.1}</td></tr>",
            racks.len(),
            racks.len() - compute,
            n = row + 1
        );
    }
    let _ = writeln!(out, "</table>");
    for row in (0..layout.rows).filter(|_| inline) {
        let _ = writeln!(
            out,
            "<div class=\"drawing\" id=\"racks-row-{}\">\n{}</div>",
            row + 1,
            super::racks::row_svg(plan, row).trim()
        );
    }
    let _ = writeln!(out, "</section>");
}

/// A large plan's floor: one line per hall (racks, rows, kW, area, links within and between halls) or per row on
/// one hall, linking the drawing.
fn floor_summary(out: &mut String, plan: &Plan, svg_bytes: usize) {
    let _ = writeln!(
        out,
        "<section id=\"floorplan\"><h2>Floor plan</h2><p class=\"muted\">The drawing of every row from above ({:.1} MB) is \
         <a href=\"floorplan.svg\"><code>floorplan.svg</code></a>.</p>",
        svg_bytes as f64 / 1e6
    );
    if let Some(halls) = crate::report_halls::halls(plan) {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Each hall's floor plan is <code>floorplan-H&lt;n&gt;.svg</code> and its rack elevations \
             <code>racks-H&lt;n&gt;.svg</code> (linked from the hall's name).</p>"
        );
        let _ = writeln!(
            out,
            "<table><thead><tr><th>Hall</th><th class=\"n\">Racks</th><th class=\"n\">Rows</th><th class=\"n\">kW</th>\
             <th class=\"n\">Area (m²)</th><th class=\"n\">Links inside</th><th class=\"n\">Links to other halls</th>\
             <th class=\"n\">Size (m)</th></tr></thead>"
        );
        for h in &halls {
            let _ = writeln!(
                out,
                "<tr><td><a href=\"racks-{0}.svg\">{0}</a></td><td class=\"n\">{1}</td><td class=\"n\">{2}</td><td class=\"n\">{3:.1}</td><td class=\"n\">{4:.0}</td>\
                 <td class=\"n\">{5}</td><td class=\"n\">{6}</td><td class=\"n\">{7:.1} × {8:.1}</td></tr>",
                escape(&h.id),
                digits(u64::from(h.racks)),
                h.rows,
                h.kw.0,
                h.area_m2,
                digits(h.links),
                digits(h.inter_hall_links),
                h.size_m.0,
                h.size_m.1
            );
        }
        let _ = writeln!(out, "</table>");
    } else {
        let _ = writeln!(
            out,
            "<p>One hall of {} racks in {} rows (the rows are listed under Rack elevations).</p>",
            digits(plan.layout.racks.len() as u64),
            plan.layout.rows
        );
    }
    let _ = writeln!(out, "</section>");
}

/// The cable plan: its size, and links to its files.
fn cables_section(out: &mut String, plan: &Plan, files: &[String]) {
    let list: Vec<String> = files
        .iter()
        .map(|f| format!("<a href=\"{0}\"><code>{0}</code></a>", escape(f)))
        .collect();
    let _ = writeln!(
        out,
        "<section id=\"cables\"><h2>Cable plan</h2><p class=\"muted\">{} cables, one line each with both ends at rack, U, \
         device and port: {}. By type and length under Bill of materials; <code>report.json</code>'s <code>outputs</code> \
         says which were written whole and which in parts.</p></section>",
        digits(plan.cables.runs.len() as u64),
        list.join(", ")
    );
}

/// What `report.html` links to instead of inlining, for a large plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// Above this many racks, the per-rack table and the rack and floor drawings are linked (`racks.csv`,
    /// `racks.svg`, `floorplan.svg`) rather than inline, and the floor is summarised by hall.
    pub inline_racks: usize,
    /// The cable plan files the page links to (`cables.csv`, and a multi-hall plan's parts).
    pub cables: Vec<String>,
}

impl Default for Linked {
    fn default() -> Self {
        Linked {
            inline_racks: crate::output::HTML_INLINE_RACKS,
            cables: vec!["cables.csv".to_string()],
        }
    }
}

/// Largest drawing inlined in a large plan's page, bytes: a larger `topology.svg` is linked.
const INLINE_SVG_BYTES: usize = 1 << 20;

/// Renders `report.html` around the drawings (as rendered by [`super::topology::svg`] and
/// [`super::floorplan::svg`]; the rack elevations are drawn per row here), with [`Linked::default`].
pub fn report(plan: &Plan, topology_svg: &str, floorplan_svg: &str) -> String {
    report_linked(plan, topology_svg, floorplan_svg, &Linked::default())
}

/// Renders `report.html`; a plan of more than `links.inline_racks` racks links its big tables and drawings (the
/// page stays a few MB at any size): the rows overview stays, the drawings per row and the per-rack power table
/// are `racks.svg` and `racks.csv`, the floor plan is a table per hall linking `floorplan.svg`, and a
/// `topology.svg` over 1 MB is linked too.
pub fn report_linked(plan: &Plan, topology_svg: &str, floorplan_svg: &str, links: &Linked) -> String {
    let inline = plan.layout.racks.len() <= links.inline_racks;
    let mut out = String::new();
    let name = escape(plan.name());
    let status = plan.status();
    let c = &plan.compute;
    let s = plan.fabric.summary();
    let a = &plan.fabric_analysis;
    let fp = &plan.facility;
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"gigapod {}\">\n<title>{name} · gigapod plan</title>\n<style>\n{CSS}</style>\n</head>\n<body>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "<header><h1>{name}</h1><p>{} × {} · {} GPUs · {} · planned by gigapod {}</p>\
         <span class=\"status {}\">plan status: {}</span></header>",
        digits(u64::from(c.servers)),
        escape(&c.server_id),
        digits(c.gpus),
        counted(u64::from(c.scalable_units), "scalable unit", "scalable units"),
        env!("CARGO_PKG_VERSION"),
        status_class(status),
        status.to_string().to_uppercase()
    );
    let _ = writeln!(
        out,
        "<nav><a href=\"#summary\">Summary</a><a href=\"#checks\">Checks</a><a href=\"#topology\">Topology</a>\
         <a href=\"#racks\">Racks</a><a href=\"#floorplan\">Floor plan</a><a href=\"#cables\">Cables</a>\
         <a href=\"#power\">Power</a><a href=\"#bom\">Bill of materials</a></nav>\n<main>"
    );

    // Summary.
    let _ = writeln!(out, "<section id=\"summary\"><h2>Summary</h2><table class=\"kv\">");
    kv(
        &mut out,
        "Compute",
        &format!(
            "{} × {} ({} × {} = {} GPUs), {} of {} servers",
            digits(u64::from(c.servers)),
            c.server_id,
            c.gpus_per_server,
            c.gpu_id,
            digits(c.gpus),
            counted(u64::from(c.scalable_units), "SU", "SUs"),
            c.servers_per_su
        ),
    );
    kv(
        &mut out,
        "Fabric",
        &format!(
            "{}-tier fat-tree of {} at {} Gb/s: {} leaf, {} spine, {} core switches; {} links",
            s.tiers,
            s.switch_id,
            s.port_speed_gbps.0,
            s.switches.leaf,
            s.switches.spine,
            s.switches.core,
            digits(u64::from(s.links.total))
        ),
    );
    kv(
        &mut out,
        "Bisection (max-flow)",
        &format!(
            "{} Gb/s of {} Gb/s full ({}); {} Gb/s after the worst switch failure",
            digits(a.bisection_gbps.0),
            digits(a.full_bisection_gbps.0),
            if a.non_blocking {
                "non-blocking"
            } else {
                "oversubscribed"
            },
            digits(a.bisection_after_worst_switch_failure_gbps.0)
        ),
    );
    kv(
        &mut out,
        "Server power",
        &format!(
            "{:.0} W on the {} basis{}; PSU {}",
            plan.power.server.server_w.0,
            plan.power.server.basis,
            if plan.power.server.estimate { " (estimate)" } else { "" },
            if plan.power.psu.ok {
                "redundancy OK"
            } else {
                "redundancy FAILS"
            }
        ),
    );
    kv(
        &mut out,
        "IT power",
        &format!(
            "{:.1} kW ({:.1} compute + {:.1} network incl. optics); {} BTU/h",
            fp.it_kw.0,
            fp.compute_kw.0,
            fp.network_kw.0,
            digits(fp.heat_btu_per_hour.round() as u64)
        ),
    );
    let max_kw = fp.racks.iter().map(|r| r.kw.0).fold(0.0, f64::max);
    kv(
        &mut out,
        "Racks",
        &format!(
            "{} in {}; highest {:.1} kW of {:.1} kW; {} PDUs on {}",
            plan.layout.racks.len(),
            counted(u64::from(plan.layout.rows), "row", "rows"),
            max_kw,
            plan.resolved.rack_limit.0,
            fp.pdus,
            fp.feed_text()
        ),
    );
    let by_type: Vec<String> = plan
        .cables
        .by_type
        .iter()
        .map(|(k, v)| format!("{} {k}", digits(*v)))
        .collect();
    kv(
        &mut out,
        "Cables",
        &format!(
            "{} ({}), {} transceivers",
            digits(plan.cables.total),
            by_type.join(", "),
            digits(plan.cables.transceivers.values().sum())
        ),
    );
    let _ = writeln!(
        out,
        "</table>\n<h3>As printed by <code>gigapod plan</code></h3>\n<pre>{}</pre></section>",
        escape(&crate::summary::text(plan))
    );

    // Checks.
    let _ = writeln!(
        out,
        "<section id=\"checks\"><h2>Checks</h2><table><thead><tr><th>Status</th><th>Check</th><th>Basis</th><th>Finding</th></tr></thead>"
    );
    // Verdicts on sourced figures first, then those resting on estimates, kept apart.
    for ch in plan
        .checks
        .iter()
        .filter(|c| !c.on_estimate())
        .chain(plan.checks.iter().filter(|c| c.on_estimate()))
    {
        let _ = writeln!(
            out,
            "<tr><td><span class=\"badge {}\">{}</span></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            status_class(ch.status),
            ch.status,
            escape(&ch.id),
            if ch.on_estimate() { "estimate" } else { "" },
            escape(&ch.message)
        );
    }
    let _ = writeln!(out, "</table></section>");

    // Drawings.
    if inline || topology_svg.len() <= INLINE_SVG_BYTES {
        drawing(
            &mut out,
            "topology",
            "Fabric topology",
            topology_svg,
            "Switches by tier, servers by scalable unit; numbers on bundles count physical links. The same drawing is <code>topology.svg</code>.",
        );
    } else {
        let _ = writeln!(
            out,
            "<section id=\"topology\"><h2>Fabric topology</h2><p class=\"muted\">The drawing ({:.1} MB) is \
             <a href=\"topology.svg\"><code>topology.svg</code></a>.</p></section>",
            topology_svg.len() as f64 / 1e6
        );
    }
    racks_section(&mut out, plan, inline);
    if inline {
        drawing(
            &mut out,
            "floorplan",
            "Floor plan",
            floorplan_svg,
            "Rows seen from above, to scale, with hot and cold aisles; racks coloured by power against the limit. The same drawing is <code>floorplan.svg</code>.",
        );
    } else {
        floor_summary(&mut out, plan, floorplan_svg.len());
    }
    cables_section(&mut out, plan, &links.cables);

    // Power.
    let limit = plan.resolved.rack_limit.0;
    let kg_limit = plan.resolved.rack.max_weight_kg.value.0;
    let _ = writeln!(out, "<section id=\"power\"><h2>Power</h2><table class=\"kv\">");
    kv(&mut out, "Compute (servers)", &format!("{:.1} kW", fp.compute_kw.0));
    kv(
        &mut out,
        "Network (switches and optics)",
        &format!("{:.1} kW", fp.network_kw.0),
    );
    kv(&mut out, "IT load", &format!("{:.1} kW", fp.it_kw.0));
    kv(
        &mut out,
        "Heat into liquid / room air",
        &format!("{:.1} kW / {:.1} kW", fp.liquid_kw.0, fp.room_kw.0),
    );
    kv(&mut out, &format!("PDUs ({})", fp.feed_text()), &fp.pdus.to_string());
    let _ = writeln!(
        out,
        "</table>\n<h3>By row</h3><table><tr><th>Row</th><th class=\"n\">Racks</th><th class=\"n\">kW</th></tr>"
    );
    for (i, kw) in fp.rows_kw.iter().enumerate() {
        let racks = plan.layout.racks.iter().filter(|r| r.row as usize == i).count();
        let _ = writeln!(
            out,
            "<tr><td>Row {}</td><td class=\"n\">{racks}</td><td class=\"n\">{:.1}</td></tr>",
            i + 1,
            kw.0
        );
    }
    if !inline {
        let over = plan
            .layout
            .racks
            .iter()
            .zip(&fp.racks)
            .filter(|(r, p)| {
                p.kw.0 > limit + 1e-9 || p.kg.0 > kg_limit + 1e-9 || r.u_used > plan.layout.routing.rack_units
            })
            .count();
        let _ = writeln!(
            out,
            "</table>\n<h3>By rack</h3><p class=\"muted\">{} racks: every rack's kW, % of the {limit:.1} kW limit, liquid and air kW, \
             kg, U used and PDUs per feed are in <a href=\"racks.csv\"><code>racks.csv</code></a>. Racks over a limit: {}.</p></section>",
            digits(plan.layout.racks.len() as u64),
            digits(over as u64)
        );
    }
    if inline {
        let _ = writeln!(
            out,
            "</table>\n<h3>By rack</h3><p class=\"muted\">Limits: {limit:.1} kW, {} kg and {} U per rack; rows over a limit are red.</p>\
             <table><thead><tr><th>Rack</th><th>Kind</th><th>SU</th><th class=\"n\">kW</th><th class=\"n\">% of limit</th>\
             <th class=\"n\">Liquid kW</th><th class=\"n\">Air kW</th><th class=\"n\">kg</th><th class=\"n\">U used</th>\
             <th class=\"n\">PDUs per feed</th></tr></thead>",
            digits(kg_limit.round() as u64),
            plan.layout.routing.rack_units
        );
        for (r, p) in plan.layout.racks.iter().zip(&fp.racks) {
            let over = p.kw.0 > limit + 1e-9 || p.kg.0 > kg_limit + 1e-9 || r.u_used > plan.layout.routing.rack_units;
            let _ = writeln!(
                out,
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.0}</td>\
                 <td class=\"n\">{:.1}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.0}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td></tr>",
                if over { " class=\"over\"" } else { "" },
                escape(&r.id),
                if r.kind == RackKind::Compute {
                    "compute"
                } else {
                    "network"
                },
                r.su.map(|s| (s + 1).to_string()).unwrap_or_default(),
                p.kw.0,
                if limit > 0.0 { p.kw.0 / limit * 100.0 } else { 0.0 },
                p.liquid_kw.0,
                p.room_kw.0,
                p.kg.0,
                r.u_used,
                p.pdus_per_feed
            );
        }
        let _ = writeln!(out, "</table></section>");
    }

    // Bill of materials.
    let _ = writeln!(
        out,
        "<section id=\"bom\"><h2>Bill of materials</h2><p class=\"muted\">The same lines as <code>bom.csv</code> \
         and <code>bom.md</code>; parts inside the servers are counted, not ordered apart.</p>\
         <table><thead><tr><th>Part</th><th>Description</th><th>Category</th><th class=\"n\">Qty</th><th class=\"n\">Unit W</th>\
         <th>In</th><th>Source</th></tr></thead>"
    );
    for l in &plan.bom {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&l.part_id),
            escape(&l.description),
            escape(l.category.as_str()),
            digits(l.qty),
            watts(l),
            escape(l.included_in.as_deref().unwrap_or("")),
            escape(&l.source)
        );
    }
    let _ = writeln!(
        out,
        "</table>\n<h3>Cables and optics by type and length</h3><table><thead><tr><th>Medium</th><th>Part</th>\
         <th class=\"n\">Length (m)</th><th class=\"n\">Cables</th><th class=\"n\">Links</th></tr></thead>"
    );
    for b in cable_bins(plan) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            b.media,
            escape(&b.part_id),
            metres(b.length_m),
            digits(b.cables),
            digits(b.links)
        );
    }
    let _ = writeln!(out, "</table></section>\n</main>");
    let _ = writeln!(
        out,
        "<footer>Every figure comes from the catalog (each with its source, or marked as an estimate) or from a \
         computation on them. Machine-readable: <code>report.json</code>, <code>bom.csv</code>, \
         <code>cables.csv</code>.</footer>\n</body>\n</html>"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
