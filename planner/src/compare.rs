//! What-if: several designs side by side, from several specs and sweeps of spec keys.
//!
//! A sweep `KEY=VALUES` replaces one key of every spec with each value in turn (`scalable_units=1..8`,
//! `cooling=air,liquid`, `oversubscription=1,2`); several sweeps multiply. Every design is planned in memory; one
//! that cannot be planned, or fails a check, keeps its row and says why.

use crate::check::Status;
use crate::plan::Plan;
use crate::planner::Planner;
use crate::spec::{Spec, SpecFile};
use gigapod_catalog::Catalog;
use gigapod_catalog::diagnostic::{Diagnostic, Diagnostics};
use serde::Serialize;

/// Short names a sweep may use for spec keys.
const SHORT_KEYS: &[(&str, &str)] = &[
    ("server", "compute.server"),
    ("scalable_units", "compute.scalable_units"),
    ("servers", "compute.servers"),
    ("gpus", "compute.gpus"),
    ("servers_per_su", "compute.servers_per_su"),
    ("switch", "fabric.switch"),
    ("oversubscription", "fabric.oversubscription"),
    ("rail_optimized", "fabric.rail_optimized"),
    ("tiers", "fabric.tiers"),
    ("cooling", "facility.cooling"),
    ("rack", "facility.rack"),
    ("rack_power_limit_kw", "facility.rack_power_limit_kw"),
    ("power_basis", "facility.power_basis"),
    ("pdu", "facility.pdu"),
    ("racks_per_row", "facility.racks_per_row"),
    ("management_switch", "facility.management_switch"),
    ("feeds", "facility.feeds"),
    ("max_pdus_per_feed", "facility.max_pdus_per_feed"),
    ("energy_usd_per_kwh", "cost.energy_usd_per_kwh"),
    ("pue", "cost.pue"),
    ("years", "cost.years"),
    ("utilisation", "cost.utilisation"),
];

/// Largest number of designs one comparison plans.
pub const MAX_DESIGNS: usize = 256;

/// One sweep: a spec key and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// Dotted spec key, e.g. `facility.cooling`.
    pub key: String,
    /// The values, as TOML values.
    pub values: Vec<toml::Value>,
}

fn argument_error(message: String, help: &str) -> Diagnostics {
    Diagnostic::file("<command line>", message).with_help(help).into()
}

impl Sweep {
    /// Parses `KEY=VALUES`: `a,b,c` or an integer range `1..8` (inclusive).
    ///
    /// ```
    /// use gigapod_planner::compare::Sweep;
    /// let s = Sweep::parse("scalable_units=1..4").unwrap();
    /// assert_eq!((s.key.as_str(), s.values.len()), ("compute.scalable_units", 4));
    /// let c = Sweep::parse("cooling=air,liquid").unwrap();
    /// assert_eq!(c.values[1].as_str(), Some("liquid"));
    /// ```
    pub fn parse(text: &str) -> Result<Sweep, Diagnostics> {
        let help = "write KEY=VALUES, e.g. scalable_units=1..8, cooling=air,liquid or oversubscription=1,2";
        let (key, values) = text
            .split_once('=')
            .ok_or_else(|| argument_error(format!("`{text}` is not a sweep"), help))?;
        let key = key.trim();
        let full = if key.contains('.') {
            if !SHORT_KEYS.iter().any(|(_, full)| *full == key) {
                let names: Vec<&str> = SHORT_KEYS.iter().map(|(_, f)| *f).collect();
                return Err(argument_error(
                    format!("`{key}` is not a spec key a sweep can set"),
                    &format!("use one of: {}", names.join(", ")),
                ));
            }
            key.to_string()
        } else {
            SHORT_KEYS
                .iter()
                .find(|(short, _)| *short == key)
                .map(|(_, full)| full.to_string())
                .ok_or_else(|| {
                    let names: Vec<&str> = SHORT_KEYS.iter().map(|(s, _)| *s).collect();
                    argument_error(
                        format!("unknown sweep key `{key}`"),
                        &format!(
                            "use a dotted spec key (compute.servers) or one of: {}",
                            names.join(", ")
                        ),
                    )
                })?
        };
        let mut out = Vec::new();
        if let Some((a, b)) = values.split_once("..") {
            let (a, b): (i64, i64) = match (a.trim().parse(), b.trim().parse()) {
                (Ok(a), Ok(b)) if a <= b => (a, b),
                _ => {
                    return Err(argument_error(
                        format!("`{values}` is not a range of whole numbers"),
                        help,
                    ));
                }
            };
            if (b - a) as usize >= MAX_DESIGNS {
                return Err(argument_error(
                    format!("the range {values} has more than {MAX_DESIGNS} values"),
                    help,
                ));
            }
            out.extend((a..=b).map(toml::Value::Integer));
        } else {
            for v in values.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                out.push(parse_value(v));
            }
        }
        if out.is_empty() {
            return Err(argument_error(format!("the sweep `{text}` has no values"), help));
        }
        Ok(Sweep { key: full, values: out })
    }
}

fn parse_value(v: &str) -> toml::Value {
    if let Ok(i) = v.parse::<i64>() {
        toml::Value::Integer(i)
    } else if let Ok(f) = v.parse::<f64>() {
        toml::Value::Float(f)
    } else if let Ok(b) = v.parse::<bool>() {
        toml::Value::Boolean(b)
    } else {
        toml::Value::String(v.to_string())
    }
}

/// One design to plan.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `spec.toml` or `spec.toml cooling=liquid scalable_units=2`.
    pub label: String,
    /// Its spec (or why it could not be made: a sweep value of the wrong type for its key).
    pub spec: Result<Spec, Diagnostics>,
}

/// Every combination of the sweeps applied to every spec. The sweeps set the typed spec's fields directly: no
/// TOML is written or re-read.
pub fn variants(specs: &[SpecFile], sweeps: &[Sweep]) -> Result<Vec<Variant>, Diagnostics> {
    let combos: usize = sweeps.iter().map(|s| s.values.len()).product::<usize>() * specs.len();
    if combos > MAX_DESIGNS {
        return Err(argument_error(
            format!("{combos} designs to plan; the comparison takes at most {MAX_DESIGNS}"),
            "sweep fewer values",
        ));
    }
    let mut out = Vec::new();
    for base in specs {
        let mut partial: Vec<(String, Result<Spec, Diagnostics>)> =
            vec![(base.source.name.clone(), Ok(base.spec.clone()))];
        for sweep in sweeps {
            let mut next = Vec::new();
            for (label, spec) in &partial {
                for v in &sweep.values {
                    let short = sweep.key.rsplit('.').next().unwrap_or(&sweep.key);
                    let shown = match v {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let label = format!("{label} {short}={shown}");
                    let spec = spec.clone().and_then(|mut s| {
                        set_key(&mut s, &sweep.key, v).map_err(|e| {
                            argument_error(
                                format!("{}: {e}", sweep.key),
                                "give a value of the key's type (docs/spec.md)",
                            )
                        })?;
                        Ok(s)
                    });
                    next.push((label, spec));
                }
            }
            partial = next;
        }
        out.extend(partial.into_iter().map(|(label, spec)| Variant { label, spec }));
    }
    Ok(out)
}

/// Sets one key of a typed spec from a sweep value; the value is converted by the key's own type.
fn set_key(spec: &mut Spec, key: &str, v: &toml::Value) -> Result<(), String> {
    fn get<T: serde::de::DeserializeOwned>(v: &toml::Value) -> Result<T, String> {
        v.clone()
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())
    }
    fn cost(spec: &mut Spec) -> Result<&mut crate::cost::CostSpec, String> {
        spec.cost
            .as_mut()
            .ok_or_else(|| "the spec has no [cost] section to sweep: add one (docs/spec.md)".to_string())
    }
    let (c, fab, fac) = (&mut spec.compute, &mut spec.fabric, &mut spec.facility);
    match key {
        "compute.server" => c.server = get(v)?,
        // The size is exactly one of three keys: sweeping one replaces the others.
        "compute.scalable_units" | "compute.servers" | "compute.gpus" => {
            let n: i64 = get(v)?;
            c.scalable_units = None;
            c.servers = None;
            c.gpus = None;
            *match key {
                "compute.scalable_units" => &mut c.scalable_units,
                "compute.servers" => &mut c.servers,
                _ => &mut c.gpus,
            } = Some(n);
        }
        "compute.servers_per_su" => c.servers_per_su = get(v)?,
        "fabric.switch" => fab.switch = get(v)?,
        "fabric.oversubscription" => fab.oversubscription = get(v)?,
        "fabric.rail_optimized" => fab.rail_optimized = get(v)?,
        "fabric.tiers" => fab.tiers = get(v)?,
        "facility.cooling" => fac.cooling = get(v)?,
        "facility.rack" => fac.rack = get(v)?,
        "facility.rack_power_limit_kw" => fac.rack_power_limit_kw = Some(get(v)?),
        "facility.power_basis" => fac.power_basis = get(v)?,
        "facility.pdu" => fac.pdu = get(v)?,
        "facility.management_switch" => fac.management_switch = get(v)?,
        "facility.racks_per_row" => fac.racks_per_row = Some(get(v)?),
        "facility.feeds" => fac.feeds = get(v)?,
        "facility.max_pdus_per_feed" => fac.max_pdus_per_feed = get(v)?,
        "cost.energy_usd_per_kwh" => cost(spec)?.energy_usd_per_kwh = get(v)?,
        "cost.pue" => cost(spec)?.pue = get(v)?,
        "cost.years" => cost(spec)?.years = get(v)?,
        "cost.utilisation" => cost(spec)?.utilisation = get(v)?,
        other => return Err(format!("`{other}` is not a key a sweep can set")),
    }
    Ok(())
}

/// How a design of the comparison came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DesignStatus {
    /// Planned; every check passes.
    Pass,
    /// Planned; a check warns.
    Warn,
    /// Planned; a check fails.
    Fail,
    /// Could not be planned (bad input or infeasible constraints).
    Error,
}

impl From<Status> for DesignStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Pass => DesignStatus::Pass,
            Status::Warn => DesignStatus::Warn,
            Status::Fail => DesignStatus::Fail,
        }
    }
}

impl std::fmt::Display for DesignStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            DesignStatus::Pass => "pass",
            DesignStatus::Warn => "warn",
            DesignStatus::Fail => "fail",
            DesignStatus::Error => "error",
        })
    }
}

/// One row of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignRow {
    /// Which design.
    pub design: String,
    /// `pass`, `warn`, `fail`, or `error` when it could not be planned.
    pub status: DesignStatus,
    /// Why not: the failing checks, or the error.
    pub why_not: String,
    /// Servers (`None`, like every figure below, when the design could not be planned).
    pub servers: Option<u32>,
    /// GPUs.
    pub gpus: Option<u64>,
    /// Fabric and management switches.
    pub switches: Option<u64>,
    /// Transceivers.
    pub optics: Option<u64>,
    /// Cables and fibres.
    pub cables: Option<u64>,
    /// Racks.
    pub racks: Option<u32>,
    /// IT power.
    pub it_kw: Option<f64>,
    /// Hardware and one-time software CapEx (when priced).
    pub capex_usd: Option<f64>,
    /// TCO (when the spec has `[cost]`).
    pub tco_usd: Option<f64>,
    /// TCO per useful GPU-hour.
    pub usd_per_gpu_hour: Option<f64>,
}

impl DesignRow {
    fn from_plan(design: String, p: &Plan) -> Self {
        let failing: Vec<&str> = p
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| c.id.as_str())
            .collect();
        DesignRow {
            design,
            status: p.status().into(),
            why_not: failing.join(" "),
            servers: Some(p.compute.servers),
            gpus: Some(p.compute.gpus),
            switches: Some(p.fabric.switches().len() as u64 + u64::from(p.management_switches)),
            optics: Some(p.cables.transceivers.values().sum()),
            cables: Some(p.cables.total),
            racks: Some(p.layout.racks.len() as u32),
            it_kw: Some(p.facility.it_kw.0),
            capex_usd: p.cost.as_ref().map(|c| c.capex.total_usd),
            tco_usd: p.cost.as_ref().map(|c| c.tco_usd),
            usd_per_gpu_hour: p.cost.as_ref().map(|c| c.usd_per_gpu_hour),
        }
    }

    fn error(design: String, e: &dyn std::fmt::Display) -> Self {
        let msg = e.to_string();
        let first = msg
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ")
            .to_string();
        DesignRow {
            design,
            status: DesignStatus::Error,
            why_not: first,
            servers: None,
            gpus: None,
            switches: None,
            optics: None,
            cables: None,
            racks: None,
            it_kw: None,
            capex_usd: None,
            tco_usd: None,
            usd_per_gpu_hour: None,
        }
    }
}

/// Plans every design.
pub fn compare(variants: &[Variant], catalog: &Catalog) -> Vec<DesignRow> {
    let planner = Planner::new(catalog);
    variants
        .iter()
        .map(|v| match &v.spec {
            Err(e) => DesignRow::error(v.label.clone(), e),
            Ok(spec) => match planner.plan(spec) {
                Ok(p) => DesignRow::from_plan(v.label.clone(), &p),
                Err(e) => match e.diagnostics() {
                    Some(d) => DesignRow::error(v.label.clone(), d),
                    None => DesignRow::error(v.label.clone(), &e),
                },
            },
        })
        .collect()
}

fn money(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{:.2}", v / 1e6))
}

fn count(x: Option<impl std::fmt::Display>) -> String {
    x.map_or("-".into(), |v| v.to_string())
}

/// The rows as an aligned text table (`-` where a design could not be planned).
pub fn to_text(rows: &[DesignRow]) -> String {
    let width = rows.iter().map(|r| r.design.len()).max().unwrap_or(6).max(6);
    let mut out = format!(
        "{:<width$}  {:>6}  {:>7}  {:>7}  {:>8}  {:>6}  {:>6}  {:>6}  {:>9}  {:>8}  {:>8}  {:>9}  why not\n",
        "design",
        "status",
        "servers",
        "GPUs",
        "switches",
        "optics",
        "cables",
        "racks",
        "IT kW",
        "CapEx M$",
        "TCO M$",
        "$/GPU-h"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<width$}  {:>6}  {:>7}  {:>7}  {:>8}  {:>6}  {:>6}  {:>6}  {:>9}  {:>8}  {:>8}  {:>9}  {}\n",
            r.design,
            r.status,
            count(r.servers),
            count(r.gpus),
            count(r.switches),
            count(r.optics),
            count(r.cables),
            count(r.racks),
            r.it_kw.map_or("-".into(), |v| format!("{v:.1}")),
            money(r.capex_usd),
            money(r.tco_usd),
            r.usd_per_gpu_hour.map_or("-".into(), |v| format!("{v:.3}")),
            r.why_not
        ));
    }
    out
}

/// The rows as CSV.
pub fn to_csv(rows: &[DesignRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        // Text cells made safe for spreadsheets: a design label or a reason can start with `-` or `=`.
        let mut r = r.clone();
        for t in [&mut r.design, &mut r.why_not] {
            *t = crate::text::csv_text(t).into_owned();
        }
        w.serialize(&r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A bar chart of the designs: one panel per measure (switches, optics, racks, IT kW, TCO), one bar per design.
pub fn chart_svg(rows: &[DesignRow]) -> String {
    use std::fmt::Write;
    type Measure = (&'static str, fn(&DesignRow) -> f64);
    let measures: [Measure; 5] = [
        ("switches", |r| r.switches.unwrap_or(0) as f64),
        ("optics", |r| r.optics.unwrap_or(0) as f64),
        ("racks", |r| f64::from(r.racks.unwrap_or(0))),
        ("IT kW", |r| r.it_kw.unwrap_or(0.0)),
        ("TCO M$", |r| r.tco_usd.unwrap_or(0.0) / 1e6),
    ];
    let colours = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    ];
    let (panel_w, panel_h, top, left) = (220.0, 180.0, 60.0, 20.0);
    let legend_h = 18.0 * rows.len() as f64 + 20.0;
    let width = left * 2.0 + panel_w * measures.len() as f64;
    let height = top + panel_h + 40.0 + legend_h;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="{}" y="24" text-anchor="middle" font-size="15">Designs compared</text>"##,
        width / 2.0
    );
    for (m, (name, f)) in measures.iter().enumerate() {
        let x0 = left + panel_w * m as f64;
        let max = rows.iter().map(f).fold(0.0, f64::max).max(1e-9);
        let bar_w = (panel_w - 40.0) / rows.len().max(1) as f64;
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" text-anchor="middle" font-size="13">{name}</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#444"/>"##,
            x0 + panel_w / 2.0,
            top - 8.0,
            x0 + 20.0,
            top + panel_h,
            x0 + panel_w - 20.0,
            top + panel_h
        );
        for (i, r) in rows.iter().enumerate() {
            let v = f(r);
            let h = v / max * (panel_h - 16.0);
            let x = x0 + 20.0 + bar_w * i as f64 + 2.0;
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="9">{}</text>"##,
                top + panel_h - h,
                (bar_w - 4.0).max(1.0),
                colours[i % colours.len()],
                x + (bar_w - 4.0) / 2.0,
                top + panel_h - h - 3.0,
                if v >= 100.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            );
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + panel_h + 36.0 + 18.0 * i as f64;
        let _ = write!(
            s,
            r##"<rect x="{left}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{} ({})</text>"##,
            y - 10.0,
            colours[i % colours.len()],
            left + 18.0,
            y,
            crate::text::xml_escape(&r.design),
            r.status
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use gigapod_catalog::SourceFile;

    fn base() -> SpecFile {
        Spec::parse(SourceFile::new(
            "pod.toml",
            "name = \"pod\"\n[compute]\nserver = \"g593-h200\"\nservers = 16\n",
        ))
        .unwrap()
    }

    #[test]
    fn sweeps_multiply_and_replace_the_size_key() {
        let v = variants(
            &[base()],
            &[
                Sweep::parse("scalable_units=1..2").unwrap(),
                Sweep::parse("cooling=air,liquid").unwrap(),
            ],
        )
        .unwrap();
        assert_eq!(v.len(), 4);
        assert_eq!(v[3].label, "pod.toml scalable_units=2 cooling=liquid");
        let s = v[3].spec.as_ref().unwrap();
        assert_eq!((s.compute.scalable_units, s.compute.servers), (Some(2), None));
        assert_eq!(s.facility.cooling, crate::spec::CoolingClass::Liquid);
    }

    #[test]
    fn every_design_passes_or_says_why_not() {
        let v = variants(
            &[base()],
            &[
                Sweep::parse("oversubscription=1,2").unwrap(),
                Sweep::parse("rack_power_limit_kw=50,5").unwrap(),
            ],
        )
        .unwrap();
        let rows = compare(&v, Catalog::builtin());
        assert_eq!(rows.len(), 4);
        for r in &rows {
            match r.status {
                DesignStatus::Pass | DesignStatus::Warn => assert!(r.why_not.is_empty()),
                _ => assert!(!r.why_not.is_empty(), "{r:?}"),
            }
        }
        // 5 kW racks cannot hold a 10 kW server: an error row that says so.
        assert!(rows[1].why_not.contains("no rack can hold"), "{:?}", rows[1]);
        // 2:1 needs fewer fabric switches than 1:1 for the same servers... or as many: never more.
        assert!(rows[2].switches <= rows[0].switches);
    }

    #[test]
    fn bad_sweeps_are_argument_errors() {
        assert!(Sweep::parse("colour=red").is_err());
        assert!(Sweep::parse("servers=8..1").is_err());
        assert!(Sweep::parse("servers").is_err());
        assert!(Sweep::parse("servers=1..100000").is_err());
        assert!(Sweep::parse("compute.colour=1,2").is_err());
    }

    #[test]
    fn a_value_of_the_wrong_type_is_that_designs_error() {
        let v = variants(&[base()], &[Sweep::parse("servers=abc,8").unwrap()]).unwrap();
        let e = v[0].spec.as_ref().unwrap_err();
        assert!(
            e.0[0].message.starts_with("compute.servers: invalid type: string"),
            "{e}"
        );
        assert_eq!(v[1].spec.as_ref().unwrap().compute.servers, Some(8));
        // A cost key needs a [cost] section to sweep.
        let v = variants(&[base()], &[Sweep::parse("pue=1.2").unwrap()]).unwrap();
        assert!(
            v[0].spec.as_ref().unwrap_err().0[0]
                .message
                .contains("no [cost] section")
        );
    }

    #[test]
    fn chart_is_well_formed_enough() {
        let v = variants(&[base()], &[Sweep::parse("servers=8,16").unwrap()]).unwrap();
        let svg = chart_svg(&compare(&v, Catalog::builtin()));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<rect").count(), 1 + 5 * 2 + 2);
    }
}
