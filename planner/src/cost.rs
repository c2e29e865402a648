//! Cost: CapEx from the bill of materials and a price list, OpEx from energy, support and software, TCO over N
//! years and cost per GPU-hour.
//!
//! Prices come from the catalog's `[[price]]` entries, which users supply (the built-in catalog has none: the
//! reference set holds no public list prices). A part without a price is listed in `unpriced` and the totals say
//! they are incomplete rather than pretending it is free.
//!
//! OpEx per year: energy = IT power on the plan's basis x PUE x 8,760 h x price per kWh (use
//! `power_basis = "typical"` for a realistic bill, `max` for a bound); support = a share of the hardware CapEx;
//! software = per GPU per year (an NVIDIA vGPU subscription, say) + per server per year (a hypervisor
//! subscription), with per-server one-time licences (a perpetual hypervisor licence for passthrough) in CapEx.

use crate::bom::{BomCategory, BomLine};
use gigapod_catalog::Catalog;
use serde::{Deserialize, Serialize};

/// Hours in a year.
pub const HOURS_PER_YEAR: f64 = 8_760.0;

/// Largest sum of money a `[cost]` key takes (US dollars): far above any real licence or price, low enough
/// that every total of a plan the planner accepts stays a finite number (docs/limits.md).
pub const MAX_USD: f64 = 1e9;
/// Largest energy price accepted, US dollars per kWh (real tariffs are 0.03-0.50).
pub const MAX_USD_PER_KWH: f64 = 100.0;
/// Largest PUE accepted (the least efficient halls measured are near 3).
pub const MAX_PUE: f64 = 10.0;

/// `[cost]` in the spec: the economic inputs a price list does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSpec {
    /// Energy price, US dollars per kWh.
    pub energy_usd_per_kwh: f64,
    /// Power usage effectiveness of the hall (facility power / IT power), at least 1.
    pub pue: f64,
    /// Years the TCO covers.
    #[serde(default = "default_years")]
    pub years: f64,
    /// Share of GPU-hours doing useful work, in (0, 1].
    #[serde(default = "one")]
    pub utilisation: f64,
    /// Hardware support per year, as a share of the hardware CapEx.
    #[serde(default)]
    pub support_fraction_per_year: f64,
    /// Software licences per GPU per year (e.g. a vGPU subscription).
    #[serde(default)]
    pub software_usd_per_gpu_year: f64,
    /// Software subscriptions per server per year (e.g. a hypervisor subscription).
    #[serde(default)]
    pub software_usd_per_server_year: f64,
    /// One-time software licences per server (e.g. a perpetual hypervisor licence), in CapEx.
    #[serde(default)]
    pub software_usd_per_server_once: f64,
}

fn default_years() -> f64 {
    5.0
}

fn one() -> f64 {
    1.0
}

impl CostSpec {
    /// Problems with the inputs, as `(key, message)`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        let money = [
            ("energy_usd_per_kwh", self.energy_usd_per_kwh, MAX_USD_PER_KWH),
            ("support_fraction_per_year", self.support_fraction_per_year, 1.0),
            ("software_usd_per_gpu_year", self.software_usd_per_gpu_year, MAX_USD),
            (
                "software_usd_per_server_year",
                self.software_usd_per_server_year,
                MAX_USD,
            ),
            (
                "software_usd_per_server_once",
                self.software_usd_per_server_once,
                MAX_USD,
            ),
        ];
        for (k, x, max) in money {
            if !(x.is_finite() && x >= 0.0) {
                v.push((k, format!("`{k}` must be zero or more, found {x}")));
            } else if x > max {
                v.push((k, format!("`{k}` = {x:e} is more than the {max:e} accepted")));
            }
        }
        if self.pue > MAX_PUE {
            v.push((
                "pue",
                format!(
                    "a PUE of {:e} is beyond any real hall (at most {MAX_PUE} accepted)",
                    self.pue
                ),
            ));
        } else if self.pue.is_nan() || self.pue < 1.0 {
            v.push((
                "pue",
                format!(
                    "a PUE of {} is not 1 or more: facility power includes the IT power",
                    self.pue
                ),
            ));
        }
        if !(self.years.is_finite() && self.years > 0.0 && self.years <= 50.0) {
            v.push((
                "years",
                format!("{} years is not a service life between 0 and 50", self.years),
            ));
        }
        if !(self.utilisation.is_finite() && self.utilisation > 0.0 && self.utilisation <= 1.0) {
            v.push((
                "utilisation",
                format!("utilisation {} is not a share in (0, 1]", self.utilisation),
            ));
        }
        v
    }
}

/// Hardware CapEx by category.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Capex {
    /// Servers (with their GPUs, NICs and PSUs).
    pub servers_usd: f64,
    /// Fabric and management switches.
    pub switches_usd: f64,
    /// Transceivers.
    pub optics_usd: f64,
    /// Cables and fibres.
    pub cables_usd: f64,
    /// Racks.
    pub racks_usd: f64,
    /// PDUs.
    pub pdus_usd: f64,
    /// One-time software licences.
    pub software_usd: f64,
    /// Everything.
    pub total_usd: f64,
}

/// Yearly running cost.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Opex {
    /// Energy drawn by the IT load and the facility overhead (PUE).
    pub energy_kwh: f64,
    /// Its price.
    pub energy_usd: f64,
    /// Hardware support.
    pub support_usd: f64,
    /// Software subscriptions.
    pub software_usd: f64,
    /// Everything.
    pub total_usd: f64,
}

/// The cost of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    /// CapEx.
    pub capex: Capex,
    /// OpEx per year.
    pub opex_per_year: Opex,
    /// Years covered.
    pub years: f64,
    /// CapEx plus OpEx over the years.
    pub tco_usd: f64,
    /// Useful GPU-hours over the years (GPUs x hours x utilisation).
    pub gpu_hours: f64,
    /// TCO per useful GPU-hour.
    pub usd_per_gpu_hour: f64,
    /// Part ids of the BOM without a price: the totals leave them out.
    pub unpriced: Vec<String>,
    /// True when every ordered part has a price.
    pub complete: bool,
}

/// Prices a plan.
pub fn compute(bom: &[BomLine], catalog: &Catalog, spec: &CostSpec, it_kw: f64, gpus: u64, servers: u64) -> CostReport {
    let mut capex = Capex::default();
    let mut unpriced = Vec::new();
    for line in bom.iter().filter(|l| l.included_in.is_none()) {
        let id = line.catalog_id.as_deref().unwrap_or(&line.part_id);
        let Some(price) = catalog.price(id) else {
            unpriced.push(line.part_id.clone());
            continue;
        };
        let usd = price.of(line.length_m) * line.qty as f64;
        match line.category {
            BomCategory::Server => capex.servers_usd += usd,
            BomCategory::Switch => capex.switches_usd += usd,
            BomCategory::Transceiver => capex.optics_usd += usd,
            BomCategory::Cable => capex.cables_usd += usd,
            BomCategory::Rack => capex.racks_usd += usd,
            _ => capex.pdus_usd += usd,
        }
    }
    let hardware =
        capex.servers_usd + capex.switches_usd + capex.optics_usd + capex.cables_usd + capex.racks_usd + capex.pdus_usd;
    capex.software_usd = spec.software_usd_per_server_once * servers as f64;
    capex.total_usd = hardware + capex.software_usd;
    let energy_kwh = it_kw * spec.pue * HOURS_PER_YEAR;
    let mut opex = Opex {
        energy_kwh,
        energy_usd: energy_kwh * spec.energy_usd_per_kwh,
        support_usd: hardware * spec.support_fraction_per_year,
        software_usd: spec.software_usd_per_gpu_year * gpus as f64 + spec.software_usd_per_server_year * servers as f64,
        total_usd: 0.0,
    };
    opex.total_usd = opex.energy_usd + opex.support_usd + opex.software_usd;
    let tco_usd = capex.total_usd + opex.total_usd * spec.years;
    let gpu_hours = gpus as f64 * HOURS_PER_YEAR * spec.years * spec.utilisation;
    // Inputs are bounded (MAX_USD, MAX_PUE, prices in the catalog, power figures), so the totals are finite; a
    // test below checks the bounds together.
    debug_assert!(tco_usd.is_finite() && gpu_hours.is_finite(), "cost overflow");
    CostReport {
        complete: unpriced.is_empty(),
        capex,
        opex_per_year: opex,
        years: spec.years,
        tco_usd,
        gpu_hours,
        usd_per_gpu_hour: if gpu_hours > 0.0 { tco_usd / gpu_hours } else { 0.0 },
        unpriced,
    }
}

/// Platform licences of one strategy (`advise`): NVIDIA AI Enterprise per GPU per year, and a hypervisor per
/// host per year and once.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Licences {
    /// GPUs that need NVIDIA AI Enterprise (every GPU of a vGPU host: P32, P33).
    pub nvaie_gpus: u64,
    /// Its price per GPU per year.
    pub nvaie_usd_per_gpu_year: f64,
    /// Hosts that run a hypervisor (passthrough and vGPU hosts).
    pub hypervisor_hosts: u64,
    /// One-time licences, in CapEx.
    pub capex_usd: f64,
    /// Subscriptions per year.
    pub opex_usd_per_year: f64,
}

impl Licences {
    /// The licences of `nvaie_gpus` GPUs at `nvaie_usd` a year and `hosts` hypervisor hosts at `per_host_year` a
    /// year plus `per_host_once` once.
    pub fn new(nvaie_gpus: u64, nvaie_usd: f64, hosts: u64, per_host_year: f64, per_host_once: f64) -> Self {
        Licences {
            nvaie_gpus,
            nvaie_usd_per_gpu_year: nvaie_usd,
            hypervisor_hosts: hosts,
            capex_usd: per_host_once * hosts as f64,
            opex_usd_per_year: nvaie_usd * nvaie_gpus as f64 + per_host_year * hosts as f64,
        }
    }

    /// Over `years`: CapEx plus the subscriptions.
    pub fn total_usd(&self, years: f64) -> f64 {
        self.capex_usd + self.opex_usd_per_year * years
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use gigapod_catalog::SourceFile;
    use gigapod_catalog::units::Meters;

    fn line(part: &str, category: &str, qty: u64) -> BomLine {
        BomLine {
            part_id: part.into(),
            category: BomCategory::parse(category).unwrap(),
            qty,
            ..Default::default()
        }
    }

    fn spec() -> CostSpec {
        CostSpec {
            energy_usd_per_kwh: 0.10,
            pue: 1.5,
            years: 4.0,
            utilisation: 0.5,
            support_fraction_per_year: 0.1,
            software_usd_per_gpu_year: 100.0,
            software_usd_per_server_year: 1000.0,
            software_usd_per_server_once: 500.0,
        }
    }

    #[test]
    fn hand_computed_case() {
        let prices = SourceFile::new(
            "prices.toml",
            "[[price]]\npart = \"dgx-h100\"\nusd = 200000\n\
             [[price]]\npart = \"qm9700\"\nusd = 30000\n\
             [[price]]\npart = \"fiber-mpo12-om4\"\nusd = 20\nusd_per_m = 2\n",
        );
        let cat = Catalog::with_user_files(vec![prices]).unwrap();
        let mut fiber = line("fiber-mpo12-om4-10m", "cable", 10);
        fiber.catalog_id = Some("fiber-mpo12-om4".into());
        fiber.length_m = Some(Meters(10.0));
        let mut gpu = line("h100-sxm", "gpu", 16);
        gpu.included_in = Some("dgx-h100".into());
        let bom = vec![
            line("dgx-h100", "server", 2),
            gpu,
            line("qm9700", "switch", 1),
            fiber,
            line("rack-42u", "rack", 1),
        ];
        let c = compute(&bom, &cat, &spec(), 20.0, 16, 2);
        // 2 x 200,000 + 30,000 + 10 x (20 + 2 x 10) = 430,400 hardware; + 2 x 500 software.
        assert_relative_eq!(c.capex.servers_usd, 400_000.0);
        assert_relative_eq!(c.capex.cables_usd, 400.0);
        assert_relative_eq!(c.capex.total_usd, 431_400.0);
        assert_eq!(c.unpriced, vec!["rack-42u".to_string()]);
        assert!(!c.complete);
        // 20 kW x 1.5 x 8,760 h = 262,800 kWh; x 0.10 = 26,280 $.
        assert_relative_eq!(c.opex_per_year.energy_kwh, 262_800.0);
        assert_relative_eq!(c.opex_per_year.energy_usd, 26_280.0, epsilon = 1e-6);
        // Support 10 % of 430,400; software 16 x 100 + 2 x 1,000.
        assert_relative_eq!(c.opex_per_year.support_usd, 43_040.0, epsilon = 1e-6);
        assert_relative_eq!(c.opex_per_year.software_usd, 3_600.0);
        let opex = 26_280.0 + 43_040.0 + 3_600.0;
        assert_relative_eq!(c.tco_usd, 431_400.0 + 4.0 * opex, epsilon = 1e-6);
        // 16 GPUs x 8,760 h x 4 years x 0.5.
        assert_relative_eq!(c.gpu_hours, 280_320.0);
        assert_relative_eq!(c.usd_per_gpu_hour, c.tco_usd / 280_320.0);
    }

    #[test]
    fn licences_hand_computed() {
        // 24 vGPU GPUs at $4,500 and 3 hosts at $1,000 a year + $5,000 once, over 5 years:
        // 108,000 + 3,000 a year, 15,000 once -> 15,000 + 5 x 111,000 = 570,000.
        let l = Licences::new(24, 4_500.0, 3, 1_000.0, 5_000.0);
        assert_relative_eq!(l.opex_usd_per_year, 111_000.0);
        assert_relative_eq!(l.capex_usd, 15_000.0);
        assert_relative_eq!(l.total_usd(5.0), 570_000.0);
    }

    #[test]
    fn the_largest_accepted_inputs_give_finite_totals() {
        // Every bound at once: a price of MAX_USD_PER_PART for a million of each part, 1e9 kW of IT power.
        let prices = SourceFile::new(
            "prices.toml",
            format!(
                "[[price]]\npart = \"dgx-h100\"\nusd = {m:e}\n[[price]]\npart = \"fiber-mpo12-om4\"\nusd = {m:e}\nusd_per_m = {m:e}\n",
                m = gigapod_catalog::MAX_PRICE_USD
            ),
        );
        let cat = Catalog::with_user_files(vec![prices]).unwrap();
        let mut fiber = line("fiber-mpo12-om4-1000m", "cable", 10_000_000);
        fiber.catalog_id = Some("fiber-mpo12-om4".into());
        fiber.length_m = Some(Meters(1e9));
        let bom = vec![line("dgx-h100", "server", 1_000_000), fiber];
        let s = CostSpec {
            energy_usd_per_kwh: MAX_USD_PER_KWH,
            pue: MAX_PUE,
            years: 50.0,
            utilisation: 1.0,
            support_fraction_per_year: 1.0,
            software_usd_per_gpu_year: MAX_USD,
            software_usd_per_server_year: MAX_USD,
            software_usd_per_server_once: MAX_USD,
        };
        assert!(s.problems().is_empty());
        let c = compute(&bom, &cat, &s, 1e15, 1 << 30, 1 << 20);
        assert!(c.tco_usd.is_finite() && c.usd_per_gpu_hour.is_finite(), "{c:?}");
    }

    #[test]
    fn overflowing_inputs_are_refused() {
        let mut s = spec();
        s.pue = 1e308;
        s.software_usd_per_gpu_year = 1e308;
        let p = s.problems();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[1].1.contains("beyond any real hall"), "{p:?}");
    }

    #[test]
    fn bad_inputs_are_named() {
        let mut s = spec();
        s.pue = 0.9;
        s.utilisation = 1.5;
        let keys: Vec<&str> = s.problems().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["pue", "utilisation"]);
    }
}
