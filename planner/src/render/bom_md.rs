//! `bom.md`: the bill of materials as Markdown, for people: the parts to order, the parts inside the servers,
//! the cables and optics by medium and orderable length, and totals by category. The same lines as `bom.csv`.

use crate::bom::BomLine;
use crate::plan::Plan;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Cables of one medium, part and orderable length.
#[derive(Debug, Clone, PartialEq)]
pub struct CableBin {
    /// `dac`, `acc`, `aoc` or `optic`.
    pub media: crate::cabling::Medium,
    /// Cable or fibre part id.
    pub part_id: String,
    /// Orderable length, m.
    pub length_m: f64,
    /// Physical cables (a breakout carries two links).
    pub cables: u64,
    /// Fabric links they carry.
    pub links: u64,
}

/// The cable plan by medium, part and length, in that order: what a cabling contractor orders and lays out.
pub fn cable_bins(plan: &Plan) -> Vec<CableBin> {
    // Key: (media, part, length in mm) -> (labels seen, links).
    let mut bins: BTreeMap<(crate::cabling::Medium, &str, u64), (Vec<&str>, u64)> = BTreeMap::new();
    for r in &plan.cables.runs {
        let e = bins
            .entry((r.media, r.part_id.as_str(), (r.length_m.0 * 1000.0).round() as u64))
            .or_default();
        if e.0.last() != Some(&r.label.as_str()) {
            e.0.push(&r.label);
        }
        e.1 += 1;
    }
    bins.into_iter()
        .map(|((media, part, mm), (mut labels, links))| {
            labels.sort_unstable();
            labels.dedup();
            CableBin {
                media,
                part_id: part.to_string(),
                length_m: mm as f64 / 1000.0,
                cables: labels.len() as u64,
                links,
            }
        })
        .collect()
}

/// A length as the catalog writes it: `3`, `2.5`.
pub(crate) fn metres(m: f64) -> String {
    let s = format!("{m:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A Markdown table cell: see [`crate::text::md_cell`].
fn cell(s: &str) -> String {
    crate::text::md_cell(s)
}

/// Watts with a thousands separator, or empty.
pub(crate) fn watts(line: &BomLine) -> String {
    line.unit_w
        .map(|w| super::draw::digits(w.0.round() as u64))
        .unwrap_or_default()
}

/// Renders `bom.md`.
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let c = &plan.compute;
    let _ = writeln!(out, "# Bill of materials: {}\n", plan.name());
    let _ = writeln!(
        out,
        "{} × `{}` ({} GPUs) in {} racks, {} cables and fibres, {} transceivers. Every quantity is counted on \
         the plan's model; `EST` marks a figure that rests on an estimate (`gigapod catalog show ID` gives the \
         sources). The same lines are in `bom.csv`.\n",
        super::draw::digits(u64::from(c.servers)),
        c.server_id,
        super::draw::digits(c.gpus),
        plan.layout.racks.len(),
        super::draw::digits(plan.cables.total),
        super::draw::digits(plan.cables.transceivers.values().sum())
    );

    let _ = writeln!(out, "## Parts to order\n");
    let _ = writeln!(
        out,
        "| Part | Description | Category | Qty | Unit W | Total kW | Source |\n| --- | --- | --- | ---: | ---: | ---: | --- |"
    );
    for l in plan.bom.iter().filter(|l| l.included_in.is_none()) {
        let total = l
            .unit_w
            .map(|w| format!("{:.1}", w.0 * l.qty as f64 / 1000.0))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            cell(&l.part_id),
            cell(&l.description),
            l.category,
            super::draw::digits(l.qty),
            watts(l),
            total,
            cell(&l.source)
        );
    }

    let inside: Vec<&BomLine> = plan.bom.iter().filter(|l| l.included_in.is_some()).collect();
    if !inside.is_empty() {
        let _ = writeln!(out, "\n## Inside the servers (counted, not ordered apart)\n");
        let _ = writeln!(
            out,
            "| Part | Description | Category | In | Qty | Unit W | Source |\n| --- | --- | --- | --- | ---: | ---: | --- |"
        );
        for l in inside {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | `{}` | {} | {} | {} |",
                cell(&l.part_id),
                cell(&l.description),
                l.category,
                cell(l.included_in.as_deref().unwrap_or("")),
                super::draw::digits(l.qty),
                watts(l),
                cell(&l.source)
            );
        }
    }

    let _ = writeln!(out, "\n## Cables and optics by type and length\n");
    let _ = writeln!(
        out,
        "A breakout or twin-port cable carries two links, a fibre one. Lengths are the orderable lengths the \
         routed runs round up to; `cables.csv` lists every link with its label.\n"
    );
    let _ = writeln!(
        out,
        "| Medium | Part | Length (m) | Cables | Links |\n| --- | --- | ---: | ---: | ---: |"
    );
    let bins = cable_bins(plan);
    for b in &bins {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            b.media,
            cell(&b.part_id),
            metres(b.length_m),
            super::draw::digits(b.cables),
            super::draw::digits(b.links)
        );
    }
    let links: u64 = bins.iter().map(|b| b.links).sum();
    let _ = writeln!(
        out,
        "| **all** | | | **{}** | **{}** |",
        super::draw::digits(plan.cables.total),
        super::draw::digits(links)
    );
    if !plan.cables.transceivers_by_side.is_empty() {
        // Switch-side (finned) and system-side (flat-top) modules are different parts: listed apart.
        let _ = writeln!(out, "\n| Transceiver | Side | Qty |\n| --- | --- | ---: |");
        let mut rows: Vec<_> = plan.cables.transceivers_by_side.iter().collect();
        rows.sort_by_key(|((id, side), _)| (*side, id.clone()));
        for ((id, side), qty) in rows {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                cell(id),
                side.as_str(),
                super::draw::digits(*qty)
            );
        }
    }

    let _ = writeln!(out, "\n## Totals by category\n");
    let _ = writeln!(out, "| Category | Lines | Qty |\n| --- | ---: | ---: |");
    let mut by_cat: BTreeMap<&str, (u32, u64)> = BTreeMap::new();
    for l in &plan.bom {
        let e = by_cat.entry(l.category.as_str()).or_default();
        e.0 += 1;
        e.1 += l.qty;
    }
    for (cat, (lines, qty)) in by_cat {
        let _ = writeln!(out, "| {cat} | {lines} | {} |", super::draw::digits(qty));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_as_written() {
        assert_eq!(metres(3.0), "3");
        assert_eq!(metres(2.5), "2.5");
        assert_eq!(metres(0.75), "0.75");
    }

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
