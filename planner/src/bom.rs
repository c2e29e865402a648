//! The bill of materials: one line per part id, counted from the plan's model (never typed in).

use gigapod_catalog::units::Watts;
use serde::Serialize;

/// What kind of part a BOM line is. In report.json, bom.csv and bom.md it is the lowercase name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum BomCategory {
    /// A GPU server.
    #[default]
    Server,
    /// A GPU (inside a server).
    Gpu,
    /// A NIC (inside a server).
    Nic,
    /// A power supply (inside a server).
    Psu,
    /// A fabric or management switch.
    Switch,
    /// A pluggable optical module.
    Transceiver,
    /// A cable or fibre of one length.
    Cable,
    /// A rack.
    Rack,
    /// A rack PDU.
    Pdu,
}

impl BomCategory {
    /// Every category, in BOM order.
    pub const ALL: [BomCategory; 9] = [
        BomCategory::Server,
        BomCategory::Gpu,
        BomCategory::Nic,
        BomCategory::Psu,
        BomCategory::Switch,
        BomCategory::Transceiver,
        BomCategory::Cable,
        BomCategory::Rack,
        BomCategory::Pdu,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            BomCategory::Server => "server",
            BomCategory::Gpu => "gpu",
            BomCategory::Nic => "nic",
            BomCategory::Psu => "psu",
            BomCategory::Switch => "switch",
            BomCategory::Transceiver => "transceiver",
            BomCategory::Cable => "cable",
            BomCategory::Rack => "rack",
            BomCategory::Pdu => "pdu",
        }
    }

    /// The category of a lowercase name.
    pub fn parse(name: &str) -> Option<BomCategory> {
        BomCategory::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for BomCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the bill of materials.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct BomLine {
    /// Catalog id.
    pub part_id: String,
    /// One-line description from the catalog.
    pub description: String,
    /// What kind of part.
    pub category: BomCategory,
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
            l.category.as_str(),
            &l.qty.to_string(),
            &l.unit_w.map(|w| format!("{:.1}", w.0)).unwrap_or_default(),
            &*csv_text(&l.source),
            &*csv_text(l.included_in.as_deref().unwrap_or("")),
            l.side.unwrap_or(""),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
