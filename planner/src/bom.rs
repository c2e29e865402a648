//! The bill of materials: one line per part id, counted from the plan's model (never typed in).

use gigapod_catalog::units::Watts;
use serde::Serialize;

/// One line of the bill of materials.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct BomLine {
    /// Catalog id.
    pub part_id: String,
    /// One-line description from the catalog.
    pub description: String,
    /// `server`, `gpu`, `nic`, `psu`, `switch`, `transceiver`, `cable`, `rack`, `pdu`.
    pub category: String,
    /// How many.
    pub qty: u64,
    /// Power of one unit on the plan's basis, where it draws power of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_w: Option<Watts>,
    /// Where the part's figures come from (source ids), or `EST`.
    pub source: String,
    /// True for parts inside another line's part (a server's GPUs, NICs and PSUs): counted, not ordered apart.
    pub included_in: Option<String>,
    /// The catalog id when `part_id` names a length bin of it (`mcp7y00-2.5m` is `mcp7y00`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_id: Option<String>,
    /// For cables and fibres: the length of each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_m: Option<gigapod_catalog::units::Meters>,
    /// For transceivers: `switch` (in switch cages) or `system` (in the servers' fabric cages); the two sides
    /// take different parts (finned and flat-top) and are listed apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<&'static str>,
}

/// Builds the lines, merging repeated part ids.
#[derive(Debug, Default)]
pub struct BomBuilder {
    lines: Vec<BomLine>,
}

impl BomBuilder {
    /// Adds `qty` of a part, merging with an existing line of the same id and parent.
    pub fn add(&mut self, line: BomLine) {
        if line.qty == 0 {
            return;
        }
        match self
            .lines
            .iter_mut()
            .find(|l| l.part_id == line.part_id && l.included_in == line.included_in && l.side == line.side)
        {
            Some(l) => l.qty += line.qty,
            None => self.lines.push(line),
        }
    }

    /// The lines in insertion order.
    pub fn finish(self) -> Vec<BomLine> {
        self.lines
    }
}

/// Writes the BOM as CSV: `part_id,description,category,qty,unit_w,source,included_in,side`.
pub fn to_csv(lines: &[BomLine]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "part_id",
        "description",
        "category",
        "qty",
        "unit_w",
        "source",
        "included_in",
        "side",
    ])?;
    for l in lines {
        use crate::text::csv_text;
        w.write_record([
            &*csv_text(&l.part_id),
            &*csv_text(&l.description),
            &*csv_text(&l.category),
            &l.qty.to_string(),
            &l.unit_w.map(|w| format!("{:.1}", w.0)).unwrap_or_default(),
            &*csv_text(&l.source),
            &*csv_text(l.included_in.as_deref().unwrap_or("")),
            l.side.unwrap_or(""),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
