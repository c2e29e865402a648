//! Outputs in parts, one per data hall, for plans whose whole files would be too large to handle (issue 19).
//!
//! - **Cable plan.** A plan on several halls (`plan.layout.halls`) writes `cables-H1.csv` ... (the cables with
//!   both ends in that hall) and `cables-between-halls.csv` (the cables from one hall to another, and any with an
//!   end outside the halls' racks) besides `cables.csv`: the columns of `cables.csv` in its order, then `hall`
//!   (`H1`..., or `between` for the cables between halls). Every cable of `cables.csv` is in exactly one part, in
//!   `cables.csv`'s order ([`write_cables_part`]).
//! - **NetBox.** A NetBox CSV above the size cap is cut the same way ([`split_netbox`]): a row goes to the hall of
//!   the rack it names (`rack`, or `name` in `netbox-racks.csv`) or of the device it names (`device`,
//!   `side_a_device` and `side_b_device`: a device's hall is its rack's, from `netbox-devices.csv`); a row naming
//!   two halls goes to the `-between-halls` part. Rows naming no rack or device (sites, types) are not split.
//! - **Racks.** `racks.csv` ([`racks_csv`]): one line per rack with its hall, row, kind, SU, power and the
//!   limits' use, the table that `report.html` links instead of inlining for a large plan.

use crate::plan::Plan;
use foldhash::{HashMap, HashMapExt};

/// The hall (0-based) of every rack id, and the halls' ids; `None` when the floor is one hall.
#[derive(Debug, Clone)]
pub struct HallIndex {
    /// `H1`, `H2`, ... by hall.
    pub ids: Vec<String>,
    /// Rack id -> hall.
    pub rack_hall: HashMap<String, u32>,
}

impl HallIndex {
    /// The plan's halls; `None` with one hall (no `facility.hall_*` limit, or a split into one).
    pub fn of(plan: &Plan) -> Option<Self> {
        let h = plan.layout.halls.as_ref()?;
        if h.halls.len() < 2 {
            return None;
        }
        let rack_hall = plan
            .layout
            .racks
            .iter()
            .enumerate()
            .filter_map(|(i, r)| h.rack_hall.get(i).map(|&x| (r.id.clone(), x)))
            .collect();
        Some(HallIndex {
            ids: h.halls.iter().map(|x| x.id.clone()).collect(),
            rack_hall,
        })
    }

    /// The hall of a cable between racks `a` and `b`: `Some(hall)` with both ends in it, `None` between halls
    /// (or with an end in no hall's rack).
    pub fn of_link(&self, a: &str, b: &str) -> Option<u32> {
        match (self.rack_hall.get(a), self.rack_hall.get(b)) {
            (Some(x), Some(y)) if x == y => Some(*x),
            _ => None,
        }
    }
}

/// One part of a split output: a hall's (0-based), or the one between halls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Rows within one hall.
    Hall(u32),
    /// Rows between halls.
    Between,
}

impl Part {
    /// The part's file name for a file `stem.csv`: `stem-H1.csv`, `stem-between-halls.csv`.
    pub fn file(self, halls: &HallIndex, stem: &str) -> String {
        match self {
            Part::Hall(h) => format!("{stem}-{}.csv", halls.ids[h as usize]),
            Part::Between => format!("{stem}-between-halls.csv"),
        }
    }

    /// The value of the `hall` column: the hall's id, or `between`.
    pub fn label(self, halls: &HallIndex) -> &str {
        match self {
            Part::Hall(h) => &halls.ids[h as usize],
            Part::Between => "between",
        }
    }

    /// Every part of a plan on `halls`: each hall's, then the one between.
    pub fn all(halls: &HallIndex) -> Vec<Part> {
        (0..halls.ids.len() as u32)
            .map(Part::Hall)
            .chain(std::iter::once(Part::Between))
            .collect()
    }
}

/// The columns of `cables.csv`, then `hall`.
pub const CABLE_PART_COLUMNS: [&str; 15] = [
    "a_rack", "a_u", "a_device", "a_port", "b_rack", "b_u", "b_device", "b_port", "media", "length_m", "label",
    "part_id", "routed_m", "role", "hall",
];

/// The part of every cable run of the plan (its hall, or between halls), in the cable plan's order: computed
/// once for all the parts (two rack lookups per run), not once per part.
pub fn run_parts(plan: &Plan, halls: &HallIndex) -> Vec<Part> {
    plan.cables
        .runs
        .iter()
        .map(|r| halls.of_link(&r.a_rack, &r.b_rack).map_or(Part::Between, Part::Hall))
        .collect()
}

/// The bytes of a part's header line (the columns of `cables.csv`, then `hall`).
pub fn cables_part_header_len() -> u64 {
    let mut buf = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        let _ = w.write_record(CABLE_PART_COLUMNS);
        let _ = w.flush();
    }
    buf.len() as u64
}

/// Writes the cables of `part` (`parts`: every run's, from [`run_parts`]) as `cables.csv` does (the same fields,
/// quoted the same way), each line with the part's `hall` after them. Returns the lines written.
///
/// # Errors
/// The CSV writer's.
pub fn write_cables_part(
    plan: &Plan,
    halls: &HallIndex,
    part: Part,
    parts: &[Part],
    out: &mut dyn std::io::Write,
) -> Result<u64, csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CABLE_PART_COLUMNS)?;
    let label = part.label(halls);
    let mut lines = 0u64;
    for (r, p) in plan.cables.runs.iter().zip(parts) {
        if *p != part {
            continue;
        }
        lines += 1;
        let fields = r.csv_fields();
        w.write_record(fields.iter().map(|f| f.as_bytes()).chain([label.as_bytes()]))?;
    }
    w.flush()?;
    Ok(lines)
}

/// The hall of every NetBox device, by its NetBox name, from `netbox-devices.csv` (`name`, `rack`).
pub fn netbox_device_halls(halls: &HallIndex, devices_csv: &[u8]) -> HashMap<String, u32> {
    let mut r = csv::Reader::from_reader(devices_csv);
    let Ok(headers) = r.headers().cloned() else {
        return HashMap::new();
    };
    let (Some(name), Some(rack)) = (
        headers.iter().position(|h| h == "name"),
        headers.iter().position(|h| h == "rack"),
    ) else {
        return HashMap::new();
    };
    r.records()
        .map_while(Result::ok)
        .filter_map(|rec| {
            let hall = *halls.rack_hall.get(rec.get(rack)?)?;
            Some((rec.get(name)?.to_string(), hall))
        })
        .collect()
}

/// A part's file name and bytes.
pub type PartFile = (String, Vec<u8>);

/// Splits the NetBox CSV `name` (its bytes) by hall: `(part file, bytes)` per part that has rows, each with the
/// header; `None` when the file names no rack or device, so it cannot be split.
///
/// # Errors
/// The CSV reader's or writer's.
pub fn split_netbox(
    halls: &HallIndex,
    device_halls: &HashMap<String, u32>,
    name: &str,
    bytes: &[u8],
) -> Result<Option<Vec<PartFile>>, csv::Error> {
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = r.byte_headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n.as_bytes());
    let rack_col = if name == "netbox-racks.csv" {
        col("name")
    } else {
        col("rack")
    };
    let device_cols: Vec<usize> = ["device", "side_a_device", "side_b_device"]
        .iter()
        .filter_map(|c| col(c))
        .collect();
    if rack_col.is_none() && device_cols.is_empty() {
        return Ok(None);
    }
    let stem = name.strip_suffix(".csv").unwrap_or(name);
    let parts = Part::all(halls);
    let mut writers: Vec<Option<csv::Writer<Vec<u8>>>> = parts.iter().map(|_| None).collect();
    let between = parts.len() - 1;
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec)? {
        let mut seen: Option<u32> = None;
        let mut two = false;
        let mut note = |h: Option<u32>| match (seen, h) {
            (_, None) => {}
            (None, Some(h)) => seen = Some(h),
            (Some(s), Some(h)) if s != h => two = true,
            _ => {}
        };
        if let Some(c) = rack_col {
            let rack = std::str::from_utf8(rec.get(c).unwrap_or_default()).unwrap_or_default();
            note(halls.rack_hall.get(rack).copied());
        }
        for &c in &device_cols {
            let device = std::str::from_utf8(rec.get(c).unwrap_or_default()).unwrap_or_default();
            note(device_halls.get(device).copied());
        }
        let i = match (seen, two) {
            (Some(h), false) => h as usize,
            _ => between,
        };
        let w = writers[i].get_or_insert_with(|| {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_byte_record(&headers);
            w
        });
        w.write_byte_record(&rec)?;
    }
    let mut out = Vec::new();
    for (part, w) in parts.iter().zip(writers) {
        if let Some(w) = w {
            let bytes = w.into_inner().map_err(|e| e.into_error())?;
            out.push((part.file(halls, stem), bytes));
        }
    }
    Ok(Some(out))
}

/// `racks.csv`: one line per rack, in layout order: `rack`, `hall` (empty on one hall), `row` (1-based), `kind`
/// (`compute`, `network`, `management`...), `su` (1-based, empty for shared racks), `kw`, `pct_of_limit`,
/// `liquid_kw`, `air_kw`, `kg`, `u_used`, `pdus_per_feed`.
///
/// # Errors
/// The CSV writer's.
pub fn racks_csv(plan: &Plan) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rack",
        "hall",
        "row",
        "kind",
        "su",
        "kw",
        "pct_of_limit",
        "liquid_kw",
        "air_kw",
        "kg",
        "u_used",
        "pdus_per_feed",
    ])?;
    let limit = plan.resolved.rack_limit.0;
    let halls = plan.layout.halls.as_ref();
    for (i, (r, p)) in plan.layout.racks.iter().zip(&plan.facility.racks).enumerate() {
        let hall = halls
            .and_then(|h| h.rack_hall.get(i).and_then(|&x| h.halls.get(x as usize)))
            .map_or(String::new(), |x| x.id.clone());
        w.write_record([
            crate::text::csv_text(&r.id).as_ref(),
            &hall,
            &(r.row + 1).to_string(),
            match r.kind {
                crate::layout::RackKind::Compute => "compute",
                crate::layout::RackKind::Network => "network",
                crate::layout::RackKind::Management => "management",
            },
            &r.su.map(|s| (s + 1).to_string()).unwrap_or_default(),
            &format!("{:.2}", p.kw.0),
            &format!("{:.1}", if limit > 0.0 { p.kw.0 / limit * 100.0 } else { 0.0 }),
            &format!("{:.2}", p.liquid_kw.0),
            &format!("{:.2}", p.room_kw.0),
            &format!("{:.0}", p.kg.0),
            &r.u_used.to_string(),
            &p.pdus_per_feed.to_string(),
        ])?;
    }
    w.flush()?;
    w.into_inner().map_err(|e| e.into_error().into())
}
