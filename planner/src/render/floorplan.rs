//! `floorplan.svg`: the rows of racks seen from above, to scale, with the hot and cold aisles between them, each
//! rack coloured by its power against the rack limit, the front edge of every rack marked, and the scalable
//! units outlined.
//!
//! Rows alternate facing: row 1's fronts face row 2 across a cold aisle, rows 2 and 3 share a hot aisle, and so
//! on; the aisles before the first and after the last row follow the same rule.

use super::draw::{self, digits, n, rect, text, text_width, title};
use crate::layout::RackKind;
use crate::plan::Plan;
use crate::text::counted;
use svg::node::element::{Group, Line};

const LEFT: f64 = 110.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 150.0;

const CSS: &str = ".f-title{font-size:20px;font-weight:bold;fill:#0f172a}\
.f-sub{font-size:12px;fill:#475569}\
.f-cold{fill:#dbeafe}\
.f-hot{fill:#fee2e2}\
.f-aisle{font-size:10px;letter-spacing:2px;font-weight:bold}\
.f-rack{stroke:#334155;stroke-width:1}\
.f-net{stroke:#1d4ed8;stroke-width:2}\
.f-over{stroke:#7f1d1d;stroke-width:3}\
.f-front{stroke:#0f172a;stroke-width:3}\
.f-id{font-size:9px;font-weight:bold;fill:#0f172a;text-anchor:middle}\
.f-kw{font-size:8.5px;fill:#0f172a;text-anchor:middle}\
.f-idw{font-size:9px;font-weight:bold;fill:#ffffff;text-anchor:middle}\
.f-kww{font-size:8.5px;fill:#ffffff;text-anchor:middle}\
.f-su{fill:none;stroke:#0f172a;stroke-width:1.2;stroke-dasharray:5 3}\
.f-sul{font-size:10.5px;font-weight:bold;fill:#0f172a;text-anchor:middle}\
.f-row{font-size:12px;font-weight:bold;fill:#0f172a}\
.f-rowkw{font-size:11px;fill:#475569}\
.f-leg{font-size:11px;fill:#0f172a}\
.f-scale{stroke:#0f172a;stroke-width:2}\
.f-open{fill:#f8fafc;stroke:#94a3b8;stroke-width:1;stroke-dasharray:3 2}\
.f-opent{font-size:8px;fill:#64748b;text-anchor:middle}";

/// Whether the aisle before row `r` (0-based; `r == rows` is the aisle after the last row) is cold.
///
/// Row `r` even faces forward (+y), odd faces back: the aisle between rows `r - 1` and `r` is cold when `r - 1`
/// is even (their fronts meet), hot otherwise. The aisle before row 0 meets row 0's back: hot.
pub fn aisle_is_cold(r: u32) -> bool {
    r > 0 && (r - 1).is_multiple_of(2)
}

/// Renders `floorplan.svg`.
pub fn svg(plan: &Plan) -> String {
    draw_rows(plan, 0, plan.layout.rows, None)
}

/// A multi-hall plan's floor plans per hall: `(floorplan-H<n>.svg, that hall's rows drawn as floorplan.svg draws
/// the floor)`; empty on one hall.
pub fn hall_svgs(plan: &Plan) -> Vec<(String, String)> {
    let Some(h) = plan.layout.halls.as_ref().filter(|h| h.halls.len() > 1) else {
        return Vec::new();
    };
    h.halls
        .iter()
        .map(|hall| {
            (
                format!("floorplan-{}.svg", hall.id),
                draw_rows(plan, hall.first_row, hall.rows, Some(&hall.id)),
            )
        })
        .collect()
}

/// Draws rows `first .. first + count` (0-based, floor-wide numbers kept), titled for `hall` when given.
fn draw_rows(plan: &Plan, first: u32, count: u32, hall: Option<&str>) -> String {
    let layout = &plan.layout;
    let routing = &layout.routing;
    let limit = plan.resolved.rack_limit.0;
    let rows = count.max(1);
    let in_rows = |row: u32| row >= first && row < first + count;
    let placed: Vec<(&crate::layout::RackPlan, &crate::facility::RackPower)> = layout
        .racks
        .iter()
        .zip(&plan.facility.racks)
        .filter(|(r, _)| in_rows(r.row))
        .collect();
    let positions = placed.iter().map(|(r, _)| r.position + 1).max().unwrap_or(1);
    let floor_w = f64::from(positions) * routing.rack_pitch_m;
    let floor_d = f64::from(rows) * routing.rack_depth_m + f64::from(rows + 1) * routing.aisle_m;
    // Pixels per metre: large for a small floor, never so small that the labels do not fit.
    let s = (880.0 / floor_w).clamp(50.0, 100.0);
    let rack_w = routing.rack_pitch_m * s;
    let rack_d = routing.rack_depth_m * s;
    let aisle = routing.aisle_m * s;
    let width = LEFT + floor_w * s + RIGHT;
    let width = width.max(980.0);
    let height = TOP + floor_d * s + 56.0;
    let row_y = |r: u32| TOP + aisle + f64::from(r.saturating_sub(first)) * (rack_d + aisle);

    let name = match hall {
        None => plan.name().to_string(),
        Some(h) => format!("{}, hall {h}", plan.name()),
    };
    let mut doc = draw::document(width, height, &format!("{name}: floor plan"), CSS);
    let over = placed.iter().filter(|(_, p)| p.kw.0 > limit + 1e-9).count();
    let it_kw = if hall.is_none() {
        plan.facility.it_kw.0
    } else {
        placed.iter().map(|(_, p)| p.kw.0).sum()
    };
    doc = doc
        .add(text(24.0, 36.0, "f-title", format!("{name} · floor plan")))
        .add(text(
            24.0,
            58.0,
            "f-sub",
            format!(
                "{} in {} · floor {:.1} m × {:.1} m (rack pitch {:.2} m, depth {:.2} m, aisles {:.2} m) · IT load {} kW",
                counted(placed.len() as u64, "rack", "racks"),
                counted(u64::from(count), "row", "rows"),
                floor_w,
                floor_d,
                routing.rack_pitch_m,
                routing.rack_depth_m,
                routing.aisle_m,
                digits(it_kw.round() as u64)
            ),
        ))
        .add(text(
            24.0,
            76.0,
            "f-sub",
            format!(
                "racks coloured by power against the {:.1} kW rack limit · {}",
                limit,
                if over == 0 {
                    "every rack within the limit".to_string()
                } else {
                    format!("{} over the limit", counted(over as u64, "rack", "racks"))
                }
            ),
        ));

    // Legend: load bands, aisles, front edge, SU outline, scale bar.
    let mut lx = 24.0;
    let ly = 92.0;
    for (lo, colour, label) in draw::LOAD_BANDS {
        let label = if lo >= 1.0 {
            format!("> {:.0} kW", limit)
        } else {
            label.to_string()
        };
        doc = doc
            .add(rect(lx, ly, 18.0, 12.0, "f-rack").set("fill", colour))
            .add(text(lx + 23.0, ly + 10.5, "f-leg", label.clone()));
        lx += 30.0 + text_width(&label, 11.0, false) + 10.0;
    }
    let ly2 = ly + 22.0;
    let mut lx = 24.0;
    for (class, label) in [("f-cold", "cold aisle (fronts)"), ("f-hot", "hot aisle (backs)")] {
        doc = doc
            .add(rect(lx, ly2, 26.0, 12.0, class))
            .add(text(lx + 31.0, ly2 + 10.5, "f-leg", label));
        lx += 40.0 + text_width(label, 11.0, false) + 10.0;
    }
    doc = doc
        .add(line(lx, ly2 + 10.0, lx + 22.0, ly2 + 10.0, "f-front"))
        .add(text(lx + 28.0, ly2 + 10.5, "f-leg", "rack front"));
    lx += 40.0 + text_width("rack front", 11.0, false) + 10.0;
    doc = doc
        .add(rect(lx, ly2, 26.0, 12.0, "f-su"))
        .add(text(lx + 31.0, ly2 + 10.5, "f-leg", "scalable unit"));
    lx += 40.0 + text_width("scalable unit", 11.0, false) + 10.0;
    doc = doc
        .add(rect(lx, ly2, 18.0, 12.0, "f-net").set("fill", "#ffffff"))
        .add(text(lx + 23.0, ly2 + 10.5, "f-leg", "network rack"));
    lx += 30.0 + text_width("network rack", 11.0, false) + 10.0;
    doc = doc.add(rect(lx, ly2, 18.0, 12.0, "f-open")).add(text(
        lx + 23.0,
        ly2 + 10.5,
        "f-leg",
        "open position: blanking panel",
    ));
    // Scale bar under the floor.
    let bar_m = if floor_w >= 10.0 { 5.0 } else { 2.0 };
    // A narrow floor stands in the middle of the page, its row names just left of it.
    let x0 = ((width - floor_w * s) / 2.0).max(LEFT);
    let x1 = x0 + floor_w * s;
    let label_x = x0 - (LEFT - 24.0);
    let (sx, sy) = (x0, TOP + floor_d * s + 24.0);
    doc = doc
        .add(line(sx, sy + 6.0, sx + bar_m * s, sy + 6.0, "f-scale"))
        .add(line(sx, sy, sx, sy + 12.0, "f-scale"))
        .add(line(sx + bar_m * s, sy, sx + bar_m * s, sy + 12.0, "f-scale"))
        .add(text(sx + bar_m * s + 8.0, sy + 10.5, "f-leg", format!("{bar_m:.0} m")));

    // Aisles, before each row and after the last.
    for a in 0..=rows {
        let y = if a == 0 { TOP } else { row_y(first + a - 1) + rack_d };
        let cold = aisle_is_cold(first + a);
        doc = doc
            .add(rect(
                x0 - 8.0,
                y,
                x1 - x0 + 16.0,
                aisle,
                if cold { "f-cold" } else { "f-hot" },
            ))
            .add(
                text(
                    label_x,
                    y + aisle / 2.0 + 4.0,
                    "f-aisle",
                    if cold { "COLD" } else { "HOT" },
                )
                .set("fill", if cold { "#1d4ed8" } else { "#b91c1c" }),
            );
    }

    // Racks.
    let wide = rack_w >= 48.0;
    let mut racks = Group::new();
    for &(r, p) in &placed {
        let x = x0 + f64::from(r.position) * rack_w;
        let y = row_y(r.row);
        let frac = if limit > 0.0 { p.kw.0 / limit } else { 0.0 };
        let colour = draw::load_colour(frac);
        let class = if frac > 1.0 + 1e-9 {
            "f-rack f-over"
        } else if r.kind != RackKind::Compute {
            "f-rack f-net"
        } else {
            "f-rack"
        };
        let dark = frac > 0.95;
        let front_y = if r.row % 2 == 0 { y + rack_d - 1.5 } else { y + 1.5 };
        let mut g = Group::new()
            .add(title(format!(
                "{}{}: {:.1} kW of {:.1} kW ({:.0} %), {:.0} kg, {} of {} U",
                r.id,
                match (r.kind, r.su) {
                    (RackKind::Compute, Some(su)) => format!(" (SU {})", su + 1),
                    (RackKind::Network, Some(su)) => format!(" (SU {} network)", su + 1),
                    (RackKind::Network, None) => " (spine / core network)".into(),
                    (RackKind::Management, _) => " (management)".into(),
                    _ => String::new(),
                },
                p.kw.0,
                limit,
                frac * 100.0,
                p.kg.0,
                r.u_used,
                routing.rack_units
            )))
            .add(rect(x + 1.0, y, rack_w - 2.0, rack_d, class).set("fill", colour))
            .add(line(x + 3.0, front_y, x + rack_w - 3.0, front_y, "f-front"));
        let label = if wide {
            r.id.clone()
        } else {
            format!("{:02}", r.position + 1)
        };
        let kw = if wide && rack_w >= text_width(&format!("{:.1} kW", p.kw.0), 8.5, false) + 6.0 {
            format!("{:.1} kW", p.kw.0)
        } else {
            format!("{:.1}", p.kw.0)
        };
        let cy = y + rack_d / 2.0;
        g = g
            .add(text(
                x + rack_w / 2.0,
                cy - 2.0,
                if dark { "f-idw" } else { "f-id" },
                label,
            ))
            .add(text(
                x + rack_w / 2.0,
                cy + 10.0,
                if dark { "f-kww" } else { "f-kw" },
                kw,
            ));
        if r.kind == RackKind::Network && rack_d >= 70.0 {
            g = g.add(text(
                x + rack_w / 2.0,
                cy + 22.0,
                if dark { "f-kww" } else { "f-kw" },
                "net",
            ));
        }
        racks = racks.add(g);
    }
    doc = doc.add(racks);

    // Open positions of partial rows: blanking panels keep the hot and cold aisles apart.
    let mut open = Group::new();
    for o in layout.open_positions.iter().filter(|o| in_rows(o.row)) {
        let x = x0 + f64::from(o.position) * rack_w;
        let y = row_y(o.row);
        open = open
            .add(title(format!(
                "row {}, position {}: open, fit a blanking panel",
                o.row + 1,
                o.position + 1
            )))
            .add(rect(x + 1.0, y, rack_w - 2.0, rack_d, "f-open"))
            .add(text(x + rack_w / 2.0, y + rack_d / 2.0 + 3.0, "f-opent", "blank"));
    }
    doc = doc.add(open);

    // Scalable units (with the network racks of their leaves) and racks of spines and cores: one outline per run
    // of racks of the same SU in a row, labelled on the back side (in the hot aisle).
    let mut runs: Vec<(u32, Option<u32>, u32, u32)> = Vec::new();
    let mut sorted: Vec<&crate::layout::RackPlan> = placed.iter().map(|(r, _)| *r).collect();
    sorted.sort_by_key(|r| (r.row, r.position));
    for r in sorted {
        match runs.last_mut() {
            Some(last) if last.0 == r.row && last.1 == r.su && last.3 + 1 == r.position => {
                last.3 = r.position;
            }
            _ => runs.push((r.row, r.su, r.position, r.position)),
        }
    }
    let mut outlines = Group::new();
    for (row, su, p0, p1) in runs {
        let x = x0 + f64::from(p0) * rack_w + 1.5;
        let w = f64::from(p1 - p0 + 1) * rack_w - 3.0;
        let y = row_y(row) - 4.0;
        let label = match su {
            Some(su) => format!("SU {}", su + 1),
            None => "spine / core".into(),
        };
        // The back faces up for even rows, down for odd rows.
        let ly = if row % 2 == 0 { y - 5.0 } else { y + rack_d + 8.0 + 13.0 };
        outlines = outlines
            .add(rect(x, y, w, rack_d + 8.0, "f-su").set("rx", "4"))
            .add(text(x + w / 2.0, ly, "f-sul", label));
    }
    doc = doc.add(outlines);

    // Row names and kW on either side.
    for row in first..first + count {
        let y = row_y(row) + rack_d / 2.0;
        let kw = plan.facility.rows_kw.get(row as usize).map_or(0.0, |k| k.0);
        let count = layout.racks.iter().filter(|r| r.row == row).count();
        doc = doc
            .add(text(label_x, y + 4.0, "f-row", format!("Row {}", row + 1)))
            .add(text(x1 + 16.0, y - 2.0, "f-rowkw", format!("{kw:.1} kW")))
            .add(text(
                x1 + 16.0,
                y + 12.0,
                "f-rowkw",
                super::racks::plural(count, "rack"),
            ));
    }
    // Position numbers along the top.
    for p in 0..positions {
        if positions <= 30 || p % 5 == 0 {
            doc = doc.add(
                text(
                    x0 + (f64::from(p) + 0.5) * rack_w,
                    TOP - 6.0,
                    "f-kw",
                    format!("{}", p + 1),
                )
                .set("fill", "#64748b"),
            );
        }
    }
    draw::finish(doc)
}

fn line(x1: f64, y1: f64, x2: f64, y2: f64, class: &str) -> Line {
    Line::new()
        .set("x1", n(x1))
        .set("y1", n(y1))
        .set("x2", n(x2))
        .set("y2", n(y2))
        .set("class", class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aisles_alternate_from_a_hot_one() {
        // Row 0 faces row 1 (cold between), rows 1 and 2 share a hot aisle, the first aisle is hot.
        assert!(!aisle_is_cold(0));
        assert!(aisle_is_cold(1));
        assert!(!aisle_is_cold(2));
        assert!(aisle_is_cold(3));
    }
}
