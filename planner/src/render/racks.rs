//! `racks.svg`: rack elevations, front view, row by row: every device at its U with its name, each rack with its
//! power, weight and rack units against their limits; racks over a limit are outlined and marked in red.
//!
//! A floor row of more than [`PER_LINE`] racks wraps onto further lines, so the drawing keeps a screen-like width;
//! when the whole plan would then be taller than [`MAX_PX`] (librsvg refuses a side over 32,767 px), the lines are
//! made longer, and only past that is the drawing's outer size scaled down (its `viewBox` unchanged). A rack is
//! ~20 elements; the U grid of every bay is one `<use>` of a single path (a `<pattern>` shared by hundreds of
//! bays makes librsvg about 100x slower).
//!
//! [`svg()`] draws every row; [`svg_of_rows`] draws a chosen set (report.html draws one drawing per row, and a
//! drawing per hall or plane can reuse it).

use super::draw::{self, digits, n, rect, text, text_width, title};
use crate::layout::{DeviceKind, PlacedDevice, RackKind, RackPlan};
use crate::plan::Plan;
use crate::text::counted;
use svg::node::element::{Definitions, Group, Path, Use};

/// Racks drawn side by side before a row wraps, while the drawing stays under [`MAX_PX`].
pub const PER_LINE: usize = 12;
/// The largest side of a drawing, in px: under librsvg's limit of 32,767 px (Cairo's image size).
pub const MAX_PX: f64 = 32_000.0;
const U_PX: f64 = 12.0;
const RACK_W: f64 = 150.0;
const FRAME: f64 = 6.0;
const PITCH: f64 = RACK_W + 30.0;
const LEFT: f64 = 56.0;
const HEAD: f64 = 40.0;
const FOOT: f64 = 80.0;
const ROW_TITLE: f64 = 30.0;

const CSS: &str = ".r-title{font-size:20px;font-weight:bold;fill:#0f172a}\
.r-sub{font-size:12px;fill:#475569}\
.r-row{font-size:14px;font-weight:bold;fill:#0f172a}\
.r-rowsub{font-size:11px;fill:#475569}\
.r-id{font-size:13px;font-weight:bold;fill:#0f172a;text-anchor:middle}\
.r-idx{font-size:10px;fill:#475569;text-anchor:middle}\
.r-frame{fill:#475569;stroke:#1e293b;stroke-width:1}\
.r-over{fill:#475569;stroke:#dc2626;stroke-width:4}\
.r-gridbg{fill:#f8fafc}\
.r-grid{stroke:#cbd5e1;stroke-width:1;fill:none}\
.r-u{font-size:8px;fill:#64748b;text-anchor:end}\
.r-server{fill:#dbe7f5;stroke:#334155;stroke-width:0.8}\
.r-leaf{fill:#bbf7d0;stroke:#15803d;stroke-width:0.8}\
.r-spine{fill:#bfdbfe;stroke:#1d4ed8;stroke-width:0.8}\
.r-core{fill:#e9d5ff;stroke:#7e22ce;stroke-width:0.8}\
.r-mgmt{fill:#fde68a;stroke:#b45309;stroke-width:0.8}\
.r-storage{fill:#99f6e4;stroke:#0f766e;stroke-width:0.8}\
.r-inband{fill:#fef08a;stroke:#a16207;stroke-width:0.8}\
.r-appliance{fill:#e2e8f0;stroke:#64748b;stroke-width:0.8}\
.r-dn{font-size:9px;fill:#0f172a}\
.r-dp{font-size:8px;fill:#475569;text-anchor:end}\
.r-m{font-size:10px;fill:#0f172a}\
.r-mbad{font-size:10px;fill:#b91c1c;font-weight:bold}\
.r-bar{fill:#e5e7eb}\
.r-flag{fill:#dc2626}\
.r-flagt{font-size:10px;font-weight:bold;fill:#ffffff;text-anchor:middle}\
.r-leg{font-size:11px;fill:#0f172a}\
.r-open{fill:#f8fafc;stroke:#94a3b8;stroke-width:1.5;stroke-dasharray:6 4}\
.r-opent{font-size:11px;fill:#64748b;text-anchor:middle}";

/// `1 rack`, `2 racks`.
pub(crate) fn plural(count: usize, what: &str) -> String {
    if count == 1 {
        format!("1 {what}")
    } else {
        format!("{count} {what}s")
    }
}

/// The class of a device's box.
fn class(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Server => "r-server",
        DeviceKind::Leaf => "r-leaf",
        DeviceKind::Spine => "r-spine",
        DeviceKind::Core => "r-core",
        DeviceKind::Management => "r-mgmt",
        DeviceKind::Storage => "r-storage",
        DeviceKind::Inband => "r-inband",
        DeviceKind::Appliance => "r-appliance",
    }
}

/// What a rack is measured against.
struct Limits {
    kw: f64,
    kg: f64,
    u: u32,
}

/// One metric line of a rack's footer: text and a bar against the limit.
fn metric(x: f64, y: f64, value: f64, limit: f64, label: String) -> Group {
    let frac = if limit > 0.0 { value / limit } else { 0.0 };
    let over = frac > 1.0 + 1e-9;
    let w = RACK_W;
    Group::new()
        .add(text(x, y, if over { "r-mbad" } else { "r-m" }, label))
        .add(rect(x, y + 3.0, w, 4.0, "r-bar"))
        .add(rect(x, y + 3.0, w * frac.min(1.0), 4.0, "r-barv").set("fill", draw::load_colour(frac)))
}

fn device(x: f64, top: f64, units: u32, d: &PlacedDevice) -> Group {
    let h = f64::from(d.height_u) * U_PX;
    let y = top + f64::from(units.saturating_sub(d.u + d.height_u - 1)) * U_PX;
    let w = RACK_W - 2.0 * FRAME;
    let mut g = Group::new().add(rect(x + FRAME, y + 0.5, w, h - 1.0, class(d.kind)).set("rx", "1.5"));
    let size = if d.height_u >= 2 { 9.0 } else { 8.5 };
    let base = y + h / 2.0 + size * 0.36;
    let name_w = text_width(&d.name, size, false);
    let part_w = text_width(&d.part_id, 8.0, false);
    g = g.add(
        text(
            x + FRAME + 4.0,
            if d.height_u >= 3 { y + 13.0 } else { base },
            "r-dn",
            d.name.clone(),
        )
        .set("font-size", n(size)),
    );
    if d.height_u >= 3 {
        g = g.add(text(x + RACK_W - FRAME - 4.0, y + h - 6.0, "r-dp", d.part_id.clone()));
    } else if name_w + part_w + 14.0 <= w {
        g = g.add(text(x + RACK_W - FRAME - 4.0, base, "r-dp", d.part_id.clone()));
    }
    g
}

fn rack(plan: &Plan, r: &RackPlan, index: usize, (x, y): (f64, f64), lim: &Limits, grid: &str) -> Group {
    let p = &plan.facility.racks[index];
    let units = lim.u;
    let over_kw = p.kw.0 > lim.kw + 1e-9;
    let over_kg = p.kg.0 > lim.kg + 1e-9;
    let over_u = r.u_used > units;
    let over = over_kw || over_kg || over_u;
    let cx = x + RACK_W / 2.0;
    let what = match (r.kind, r.su) {
        (RackKind::Compute, Some(su)) => format!("SU {} · compute", su + 1),
        (RackKind::Compute, None) => "compute".into(),
        (RackKind::Network, Some(su)) => format!("SU {} · network", su + 1),
        (RackKind::Network, None) => "spine / core".into(),
        (RackKind::Management, _) => "management".into(),
    };
    let mut g = Group::new()
        .set("id", format!("rack-{}", r.id))
        .add(title(format!(
            "{}: {what}; {:.1} kW of {:.1} kW (liquid {:.1}, air {:.1}); {:.0} kg of {:.0} kg; {} of {} U; {} + {} PDUs on the A and B feeds",
            r.id,
            p.kw.0,
            lim.kw,
            p.liquid_kw.0,
            p.room_kw.0,
            p.kg.0,
            lim.kg,
            r.u_used,
            units,
            p.pdus_per_feed,
            p.pdus_per_feed
        )))
        .add(text(cx, y + 16.0, "r-id", r.id.clone()))
        .add(text(cx, y + 30.0, "r-idx", what));
    let top = y + HEAD + FRAME;
    let body_h = f64::from(units) * U_PX;
    g = g
        .add(
            rect(
                x,
                y + HEAD,
                RACK_W,
                body_h + 2.0 * FRAME,
                if over { "r-over" } else { "r-frame" },
            )
            .set("rx", "3"),
        )
        .add(rect(x + FRAME, top, RACK_W - 2.0 * FRAME, body_h, "r-gridbg"))
        .add(
            Use::new()
                .set("href", format!("#{grid}"))
                .set("x", n(x + FRAME))
                .set("y", n(top)),
        );
    for d in &r.devices {
        g = g.add(device(x, top, units, d));
    }
    let fy = y + HEAD + body_h + 2.0 * FRAME + 14.0;
    g = g
        .add(metric(
            x,
            fy,
            p.kw.0,
            lim.kw,
            format!("{:.1} / {:.1} kW{}", p.kw.0, lim.kw, if over_kw { " OVER" } else { "" }),
        ))
        .add(metric(
            x,
            fy + 17.0,
            p.kg.0,
            lim.kg,
            format!(
                "{} / {} kg{}",
                digits(p.kg.0.round() as u64),
                digits(lim.kg.round() as u64),
                if over_kg { " OVER" } else { "" }
            ),
        ))
        .add(metric(
            x,
            fy + 34.0,
            f64::from(r.u_used),
            f64::from(units),
            format!("{} / {} U{}", r.u_used, units, if over_u { " OVER" } else { "" }),
        ));
    if p.liquid_kw.0 > 0.0 {
        g = g.add(text(
            x,
            fy + 51.0,
            "r-m",
            format!("liquid {:.1} · air {:.1} kW", p.liquid_kw.0, p.room_kw.0),
        ));
    }
    if over {
        let what: Vec<&str> = [(over_kw, "kW"), (over_kg, "kg"), (over_u, "U")]
            .iter()
            .filter(|(o, _)| *o)
            .map(|(_, w)| *w)
            .collect();
        let label = format!("OVER {} LIMIT", what.join(" + "));
        let w = text_width(&label, 10.0, true) + 12.0;
        g = g
            .add(rect(cx - w / 2.0, y + HEAD + 10.0, w, 16.0, "r-flag").set("rx", "3"))
            .add(text(cx, y + HEAD + 22.0, "r-flagt", label));
    }
    g
}

/// Cuts a row (rack indices in position order) into lines of at most `per_line` racks, keeping the racks of
/// one scalable unit (or the network racks) together on a line when they fit on one.
fn lines_of<'a>(layout: &crate::layout::Layout, row: &'a [usize], per_line: usize) -> Vec<&'a [usize]> {
    let key = |i: usize| (layout.racks[i].su, layout.racks[i].kind == RackKind::Network);
    let mut lines: Vec<&[usize]> = Vec::new();
    let (mut start, mut group) = (0, 0);
    for i in 1..=row.len() {
        if i < row.len() && key(row[i]) == key(row[i - 1]) {
            continue;
        }
        // row[group..i] is one group: close the line before it if it would overflow.
        if i - start > per_line && group > start {
            lines.push(&row[start..group]);
            start = group;
        }
        while i - start > per_line {
            lines.push(&row[start..start + per_line]);
            start += per_line;
        }
        group = i;
    }
    if start < row.len() || lines.is_empty() {
        lines.push(&row[start..]);
    }
    lines
}

/// Renders `racks.svg`: every row of the plan.
pub fn svg(plan: &Plan) -> String {
    let rows: Vec<u32> = (0..plan.layout.rows).collect();
    svg_of_rows(plan, &rows, &format!("{} · rack elevations", plan.name()))
}

/// A multi-hall plan's rack elevations per hall: `(racks-H<n>.svg, drawing of that hall's rows)`; empty on one
/// hall.
pub fn hall_svgs(plan: &Plan) -> Vec<(String, String)> {
    let Some(h) = plan.layout.halls.as_ref().filter(|h| h.halls.len() > 1) else {
        return Vec::new();
    };
    h.halls
        .iter()
        .map(|hall| {
            let rows: Vec<u32> = (hall.first_row..hall.first_row + hall.rows).collect();
            let svg = svg_of_rows(
                plan,
                &rows,
                &format!("{} · rack elevations, hall {}", plan.name(), hall.id),
            );
            (format!("racks-{}.svg", hall.id), svg)
        })
        .collect()
}

/// One row's racks (`row` 0-based), as report.html shows them: lines of [`PER_LINE`].
pub fn row_svg(plan: &Plan, row: u32) -> String {
    svg_of_rows(
        plan,
        &[row],
        &format!("{} · rack elevations, row {}", plan.name(), row + 1),
    )
}

/// The size of a drawing of `lines` lines of at most `per_line` racks: (width, height) in px.
fn size(per_line: usize, lines: usize, line_h: f64) -> (f64, f64) {
    let width = (LEFT + per_line as f64 * PITCH + 20.0).max(900.0);
    (width, TOP0 + lines as f64 * line_h + 10.0)
}

const TOP0: f64 = 132.0;

/// Draws the given rows (0-based, in that order) under `heading`: rack elevations with the legend, each row cut
/// into lines. Lines hold [`PER_LINE`] racks, or more when the drawing would be taller than [`MAX_PX`]; a drawing
/// still over [`MAX_PX`] on a side gets a smaller outer size (same `viewBox`).
pub fn svg_of_rows(plan: &Plan, row_numbers: &[u32], heading: &str) -> String {
    let layout = &plan.layout;
    let lim = Limits {
        kw: plan.resolved.rack_limit.0,
        kg: plan.resolved.rack.max_weight_kg.value.0,
        u: layout.routing.rack_units,
    };
    // Racks by row, in position order.
    let mut by_row: Vec<Vec<usize>> = vec![Vec::new(); layout.rows as usize];
    for (i, r) in layout.racks.iter().enumerate() {
        if let Some(row) = by_row.get_mut(r.row as usize) {
            row.push(i);
        }
    }
    for row in &mut by_row {
        row.sort_by_key(|&i| layout.racks[i].position);
    }
    let rows: Vec<(usize, &Vec<usize>)> = row_numbers
        .iter()
        .filter_map(|&r| by_row.get(r as usize).map(|v| (r as usize, v)))
        .collect();
    let rack_h = HEAD + f64::from(lim.u) * U_PX + 2.0 * FRAME + FOOT;
    let line_h = ((ROW_TITLE + rack_h + 26.0) / U_PX).ceil() * U_PX;
    let longest = rows.iter().map(|r| r.1.len()).max().unwrap_or(1).max(1);
    let count_lines = |per_line: usize| -> usize { rows.iter().map(|r| lines_of(layout, r.1, per_line).len()).sum() };
    // Longer lines until the drawing is under MAX_PX tall, as long as it stays under MAX_PX wide.
    let mut per_line = PER_LINE.min(longest).max(1);
    while size(per_line, count_lines(per_line), line_h).1 > MAX_PX
        && per_line < longest
        && size(per_line + 1, 1, line_h).0 <= MAX_PX
    {
        per_line += 1;
    }
    let lines = count_lines(per_line);
    let (width, height) = size(per_line, lines, line_h);
    let top0 = TOP0;

    let mut doc = draw::document(width, height, heading, CSS);
    let scale = (MAX_PX / width.max(height)).min(1.0);
    if scale < 1.0 {
        doc = doc.set("width", n(width * scale)).set("height", n(height * scale));
    }
    // The U grid of a bay: one path, drawn in every bay by reference.
    let w = RACK_W - 2.0 * FRAME;
    let mut d = String::new();
    for u in 1..lim.u {
        d.push_str(&format!("M0 {}h{}", n(f64::from(u) * U_PX), n(w)));
    }
    // Its id is unique among the drawings of one HTML page (report.html holds one per row).
    let grid_id = if rows.len() == layout.rows as usize {
        "r-ugrid".to_string()
    } else {
        let names: Vec<String> = rows.iter().map(|r| (r.0 + 1).to_string()).collect();
        format!("r-ugrid-row{}", names.join("-"))
    };
    let grid = Path::new()
        .set("id", grid_id.clone())
        .set("class", "r-grid")
        .set("d", d);
    let over: usize = rows
        .iter()
        .flat_map(|r| r.1.iter())
        .filter(|&&i| {
            let (r, p) = (&layout.racks[i], &plan.facility.racks[i]);
            p.kw.0 > lim.kw + 1e-9 || p.kg.0 > lim.kg + 1e-9 || r.u_used > lim.u
        })
        .count();
    let shown = if rows.len() == layout.rows as usize {
        counted(u64::from(layout.rows), "row", "rows")
    } else {
        let names: Vec<String> = rows.iter().map(|r| (r.0 + 1).to_string()).collect();
        format!("row {} of {}", names.join(", "), layout.rows)
    };
    doc = doc
        .add(Definitions::new().add(grid))
        .add(text(24.0, 36.0, "r-title", heading.to_string()))
        .add(text(
            24.0,
            58.0,
            "r-sub",
            format!(
                "{} racks in {shown}, front view, U numbered from the bottom · limits per rack: {:.1} kW, {} kg, {} U · {}",
                rows.iter().map(|r| r.1.len()).sum::<usize>(),
                lim.kw,
                digits(lim.kg.round() as u64),
                lim.u,
                if over == 0 {
                    "every rack within its limits".to_string()
                } else {
                    format!("{} over a limit, outlined in red", counted(over as u64, "rack", "racks"))
                }
            ),
        ));
    // Legend.
    let mut lx = 24.0;
    let ly = 78.0;
    for (kind, label) in [
        (DeviceKind::Server, "GPU server"),
        (DeviceKind::Leaf, "leaf switch"),
        (DeviceKind::Spine, "spine switch"),
        (DeviceKind::Core, "core switch"),
        (DeviceKind::Management, "out-of-band switch"),
        (DeviceKind::Storage, "storage switch"),
        (DeviceKind::Inband, "in-band switch"),
        (DeviceKind::Appliance, "UFM / management node"),
    ] {
        doc = doc
            .add(rect(lx, ly, 22.0, 12.0, class(kind)))
            .add(text(lx + 28.0, ly + 10.0, "r-leg", label));
        lx += 34.0 + text_width(label, 11.0, false) + 14.0;
    }
    let mut bx = 24.0;
    let by = ly + 24.0;
    doc = doc.add(text(bx, by + 10.0, "r-leg", "bars: share of the limit"));
    bx += text_width("bars: share of the limit", 11.0, false) + 12.0;
    for (_, colour, label) in draw::LOAD_BANDS {
        doc = doc
            .add(rect(bx, by + 2.0, 22.0, 8.0, "r-barv").set("fill", colour))
            .add(text(bx + 27.0, by + 10.0, "r-leg", label));
        bx += 34.0 + text_width(label, 11.0, false) + 10.0;
    }

    let mut y = top0;
    for &(row_no, row) in &rows {
        let kw = plan.facility.rows_kw.get(row_no).map_or(0.0, |k| k.0);
        let facing = if layout.rows < 2 {
            String::new()
        } else if row_no % 2 == 0 {
            if row_no + 1 < layout.rows as usize {
                format!(" · fronts face row {} across a cold aisle", row_no + 2)
            } else {
                " · fronts face a cold aisle".into()
            }
        } else {
            format!(" · fronts face row {} across a cold aisle", row_no)
        };
        let open = layout
            .open_positions
            .iter()
            .filter(|o| o.row as usize == row_no)
            .count();
        let open_note = if open == 0 {
            String::new()
        } else {
            format!(" · {} open (blanking panels)", plural(open, "position"))
        };
        let chunks = lines_of(layout, row, per_line);
        for (part, chunk) in chunks.iter().enumerate() {
            let head = if part == 0 {
                format!("Row {}", row_no + 1)
            } else {
                format!("Row {} (continued)", row_no + 1)
            };
            doc = doc.add(text(24.0, y + 18.0, "r-row", head.clone())).add(text(
                24.0 + text_width(&head, 14.0, true) + 12.0,
                y + 18.0,
                "r-rowsub",
                format!("{} · {:.1} kW{facing}{open_note}", plural(row.len(), "rack"), kw),
            ));
            let ry = y + ROW_TITLE;
            // U ruler on the left of the line.
            let top = ry + HEAD + FRAME;
            let mut ruler = Group::new();
            for u in 1..=lim.u {
                if u == 1 || u % 5 == 0 || u == lim.u {
                    let uy = top + f64::from(lim.u - u) * U_PX + U_PX * 0.75;
                    ruler = ruler.add(text(LEFT - 8.0, uy, "r-u", format!("U{u}")));
                }
            }
            doc = doc.add(ruler);
            for (k, &i) in chunk.iter().enumerate() {
                let x = LEFT + k as f64 * PITCH;
                doc = doc.add(rack(plan, &layout.racks[i], i, (x, ry), &lim, &grid_id));
            }
            if part + 1 == chunks.len() {
                // The row's open positions after its last rack, as far as the line has room.
                for k in chunk.len()..(chunk.len() + open).min(per_line) {
                    let x = LEFT + k as f64 * PITCH;
                    let h = f64::from(lim.u) * U_PX + 2.0 * FRAME;
                    doc = doc
                        .add(rect(x, ry + HEAD, RACK_W, h, "r-open").set("rx", "3"))
                        .add(text(x + RACK_W / 2.0, ry + 16.0, "r-id", "open"))
                        .add(text(x + RACK_W / 2.0, ry + HEAD + h / 2.0, "r-opent", "blanking panel"));
                }
            }
            y += line_h;
        }
    }
    draw::finish(doc)
}
