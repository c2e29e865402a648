//! Server power from its parts and the PSU redundancy check.
//!
//! A server's maximum power is its nameplate figure when the catalog has one (DGX systems), otherwise the sum of
//! its parts at their maximum: GPUs at TDP, CPUs at TDP, every NIC, and the platform (fans, memory, drives,
//! baseboard, conversion losses). A derived figure is an estimate and is reported as one.
//!
//! Pluggables: a vendor's system maximum (DGX 10.2 / 14.3 / 14.5 kW) covers what plugs into the system, and the
//! catalog says so per server (`power_includes_pluggables`). The plan adds the modules in a server's fabric
//! cages to its power only where the figure does not include them, which is always the case for a power
//! derived from the parts. [`ServerPower::provenance`] says where each figure came from.

use crate::check::Check;
use crate::spec::{PowerBasis, Resolved};
use gigapod_catalog::units::Watts;
use serde::Serialize;

/// One line of a server's power breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerItem {
    /// What draws the power, e.g. `8 x h200-sxm`.
    pub item: String,
    /// Its maximum draw.
    pub w: Watts,
}

/// A server's power on both bases, with where the figures come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerPower {
    /// Maximum (nameplate or parts sum).
    pub max_w: Watts,
    /// Typical sustained draw; the maximum when the catalog has no typical figure.
    pub typical_w: Watts,
    /// The basis the plan uses.
    pub basis: PowerBasis,
    /// The figure on that basis.
    pub server_w: Watts,
    /// `catalog` when the nameplate maximum is in the catalog, `parts` when it is the sum of the parts.
    pub max_from: &'static str,
    /// True when any figure behind `server_w` is an estimate.
    pub estimate: bool,
    /// The parts sum, line by line (always computed, to check a nameplate figure against).
    pub breakdown: Vec<PowerItem>,
    /// Sum of `breakdown`.
    pub parts_sum_w: Watts,
    /// True when the server's figure already covers the modules in its fabric cages (the plan adds none).
    pub includes_pluggables: bool,
    /// Where each figure came from.
    pub provenance: PowerProvenance,
}

/// Where a server's power figures came from, in words with source ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerProvenance {
    /// The maximum: `catalog max_power_w [S9]` or `sum of the parts [EST]`.
    pub max: String,
    /// The typical figure.
    pub typical: String,
    /// Whether the modules are inside the figure or added by the plan, and on what authority.
    pub pluggables: String,
}

/// The PSU check: the load on the chosen basis must be carried by the N supplies of N+M.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PsuCheck {
    /// Catalog id of the supply.
    pub psu_id: String,
    /// Rating of one supply.
    pub rating_w: Watts,
    /// Supplies installed (N + M).
    pub installed: u32,
    /// Redundant supplies (M).
    pub redundant: u32,
    /// Capacity with the redundant supplies failed: N x rating.
    pub capacity_w: Watts,
    /// The load they must carry.
    pub load_w: Watts,
    /// Capacity minus load.
    pub headroom_w: Watts,
    /// Load within capacity.
    pub ok: bool,
}

/// Computes a server's power from the catalog.
pub fn server_power(r: &Resolved) -> ServerPower {
    let s = &r.server;
    let mut breakdown = vec![
        PowerItem {
            item: format!("{} x {} GPU", s.gpu_count.value, r.gpu.id),
            w: r.gpu.tdp_w.value * f64::from(s.gpu_count.value),
        },
        PowerItem {
            item: format!("{} x {} CPU", s.cpu_count.value, s.cpu),
            w: s.cpu_tdp_w.value * f64::from(s.cpu_count.value),
        },
        PowerItem {
            item: format!("{} x {} fabric NIC", s.fabric_nic_count.value, r.fabric_nic.id),
            w: r.fabric_nic.power_w.value * f64::from(s.fabric_nic_count.value),
        },
    ];
    let mut estimate = r.gpu.tdp_w.estimate || s.cpu_tdp_w.estimate || r.fabric_nic.power_w.estimate;
    if let (Some(nic), Some(n)) = (&r.storage_nic, &s.storage_nic_count) {
        breakdown.push(PowerItem {
            item: format!("{} x {} storage NIC", n.value, nic.id),
            w: nic.power_w.value * f64::from(n.value),
        });
        estimate |= nic.power_w.estimate;
    }
    if let Some(p) = &s.platform_power_w {
        breakdown.push(PowerItem {
            item: "platform (fans, memory, drives, baseboard, losses)".into(),
            w: p.value,
        });
        estimate |= p.estimate;
    }
    let parts_sum_w: Watts = breakdown.iter().map(|i| i.w).sum();
    let (max_w, max_from, max_estimate) = match &s.max_power_w {
        Some(m) => (m.value, "catalog", m.estimate),
        None => (parts_sum_w, "parts", true),
    };
    let (typical_w, typical_estimate) = match &s.typical_power_w {
        Some(t) => (t.value, t.estimate),
        None => (max_w, max_estimate),
    };
    let includes_pluggables = s.power_includes_pluggables();
    let provenance = PowerProvenance {
        max: match &s.max_power_w {
            Some(m) => format!("catalog max_power_w {}", m.provenance()),
            None => "sum of the parts (GPU, CPU, NIC and platform figures) [EST]".into(),
        },
        typical: match &s.typical_power_w {
            Some(t) => format!("catalog typical_power_w {}", t.provenance()),
            None => "none in the catalog: the maximum is used".into(),
        },
        pluggables: match (&s.power_includes_pluggables, includes_pluggables) {
            (Some(f), true) => format!(
                "included in the server's figure {}: the plan adds no module power to the server",
                f.provenance()
            ),
            _ if s.max_power_w.is_none() => {
                "not in a power derived from the parts: the plan adds the modules the cable plan puts in the server's cages".into()
            }
            _ => "not included (the catalog does not say the figure covers them): the plan adds the modules the cable plan puts in the server's cages".into(),
        },
    };
    let basis = r.spec.facility.power_basis;
    let (server_w, basis_estimate) = match basis {
        PowerBasis::Max => (max_w, max_estimate),
        PowerBasis::Typical => (typical_w, typical_estimate),
    };
    ServerPower {
        max_w,
        typical_w,
        basis,
        server_w,
        max_from,
        estimate: basis_estimate || (max_from == "parts" && estimate),
        breakdown,
        parts_sum_w,
        includes_pluggables,
        provenance,
    }
}

/// Checks that the N supplies of N+M carry `load`.
pub fn psu_check(r: &Resolved, load: Watts) -> PsuCheck {
    let installed = r.server.psu_count.value;
    let redundant = r.server.psu_redundant.value;
    let rating_w = r.psu.rating_w.value;
    let capacity_w = rating_w * f64::from(installed.saturating_sub(redundant));
    PsuCheck {
        psu_id: r.psu.id.to_string(),
        rating_w,
        installed,
        redundant,
        capacity_w,
        load_w: load,
        headroom_w: capacity_w - load,
        ok: load <= capacity_w,
    }
}

/// The checks of this module: PSU redundancy, the nameplate against the parts, and a missing typical figure.
pub fn checks(r: &Resolved, p: &ServerPower, psu: &PsuCheck) -> Vec<Check> {
    let n = psu.installed - psu.redundant;
    let mut out = vec![Check::verdict(
        "power.psu_redundancy",
        psu.ok,
        format!(
            "{} load {:.0} W on the {n} of {n}+{} x {:.0} W supplies ({:.0} W with {} failed): {}",
            p.basis,
            psu.load_w.0,
            psu.redundant,
            psu.rating_w.0,
            psu.capacity_w.0,
            psu.redundant,
            if psu.ok {
                format!("{:.0} W headroom", psu.headroom_w.0)
            } else {
                format!(
                    "{:.0} W short; the server cannot lose {} supplies at this load",
                    -psu.headroom_w.0, psu.redundant
                )
            }
        ),
    )];
    if p.max_from == "catalog" && p.parts_sum_w > p.max_w && r.server.platform_power_w.is_none() {
        // Without a platform figure the parts sum is a lower bound; exceeding the nameplate means the data is wrong.
        out.push(Check::warn(
            "power.nameplate",
            format!(
                "the GPUs, CPUs and NICs alone draw {:.0} W, more than the nameplate maximum {:.0} W: check the catalog",
                p.parts_sum_w.0, p.max_w.0
            ),
        ));
    }
    if r.spec.facility.power_basis == PowerBasis::Typical && r.server.typical_power_w.is_none() {
        out.push(Check::warn(
            "power.typical_figure",
            format!(
                "`{}` has no typical power in the catalog: the maximum {:.0} W was used",
                r.server.id, p.max_w.0
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;
    use approx::assert_relative_eq;
    use gigapod_catalog::{Catalog, SourceFile};

    fn resolved(server: &str, basis: &str) -> Resolved {
        let text = format!(
            "name = \"t\"\n[compute]\nserver = \"{server}\"\nservers = 1\n[facility]\ncooling = \"liquid\"\npower_basis = \"{basis}\"\n"
        );
        Spec::parse(SourceFile::new("t.toml", text))
            .unwrap()
            .resolve(Catalog::builtin())
            .unwrap()
    }

    #[test]
    fn dgx_h100_uses_its_nameplate_and_passes_4_plus_2() {
        let r = resolved("dgx-h100", "max");
        let p = server_power(&r);
        assert_eq!(p.max_from, "catalog");
        assert_relative_eq!(p.server_w.0, 10_200.0);
        let psu = psu_check(&r, p.server_w);
        assert_relative_eq!(psu.capacity_w.0, 4.0 * 3300.0);
        assert!(psu.ok);
    }

    #[test]
    fn g593_power_is_the_sum_of_its_parts() {
        let r = resolved("g593-h200", "max");
        let p = server_power(&r);
        assert_eq!(p.max_from, "parts");
        assert!(p.estimate);
        let sum: f64 = p.breakdown.iter().map(|i| i.w.0).sum();
        assert_relative_eq!(p.max_w.0, sum);
        // 8 GPUs at 700 W are part of it.
        assert_relative_eq!(p.breakdown[0].w.0, 5600.0);
        let psu = psu_check(&r, p.server_w);
        assert_relative_eq!(psu.capacity_w.0, 12_000.0);
    }

    #[test]
    fn psu_check_fails_when_load_exceeds_n_supplies() {
        let r = resolved("g593-h200", "max");
        let psu = psu_check(&r, Watts(12_001.0));
        assert!(!psu.ok);
        let p = server_power(&r);
        let c = checks(&r, &p, &psu);
        assert_eq!(c[0].status, crate::check::Status::Fail);
        assert!(c[0].message.contains("short"), "{}", c[0].message);
    }

    #[test]
    fn dgx_maxima_include_their_modules_and_derived_powers_do_not() {
        let p = server_power(&resolved("dgx-h100", "max"));
        assert!(p.includes_pluggables);
        assert!(p.provenance.max.contains("[S9]"), "{}", p.provenance.max);
        assert!(
            p.provenance.pluggables.starts_with("included"),
            "{}",
            p.provenance.pluggables
        );
        let g = server_power(&resolved("g593-h200", "max"));
        assert!(!g.includes_pluggables);
        assert!(
            g.provenance.pluggables.contains("adds the modules"),
            "{}",
            g.provenance.pluggables
        );
    }

    #[test]
    fn typical_basis_is_at_most_max() {
        let r = resolved("g593-h200", "typical");
        let p = server_power(&r);
        assert!(p.server_w <= p.max_w);
        assert_eq!(p.server_w, p.typical_w);
    }
}
