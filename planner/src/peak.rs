//! Peak and failure (beside power.rs and facility.rs): every rack with one feed lost while its servers draw
//! their maximum; the cooling air each rack needs against what the cooling class delivers per rack; the liquid
//! heat of each rack and row against the CDU capacity the spec gives.
//!
//! | id | fails when |
//! |---|---|
//! | `power.feed_loss_peak` | with one feed lost, a rack's peak (servers at their maximum, whatever the plan's basis) is above the surviving feed's PDUs |
//! | `cooling.air_volume` | a rack's devices move more air than the cooling class supplies per rack |
//! | `cooling.cdu` | a rack's (row's) liquid heat is above `facility.cdu_rack_kw` (`cdu_row_kw`) |

use crate::check::Check;
use crate::facility::{DevicePower, FacilityPower};
use crate::layout::{DeviceKind, Layout};
use crate::power::ServerPower;
use crate::spec::Resolved;
use gigapod_catalog::units::Watts;
use std::collections::HashMap;

/// Air that carries `w` of heat at a 15 K inlet-outlet rise, m3/h: `w x 3,600 / (1.2 kg/m3 x 1,005 J/(kg K) x
/// 15 K)` (sea-level air, the usual design rise of a hot/cold-aisle room).
pub fn air_for_heat_m3_per_h(w: Watts) -> f64 {
    w.0 * 3600.0 / (1.2 * 1005.0 * 15.0)
}

/// One feed lost at peak: each rack's load with its servers at their maximum, against one feed's PDUs.
pub fn feed_loss_at_peak(r: &Resolved, layout: &Layout, facility: &FacilityPower, server: &ServerPower) -> Check {
    let extra_kw = (server.max_w.0 - server.server_w.0).max(0.0) / 1000.0;
    let mut worst: Option<(&str, f64, f64)> = None;
    let mut over: Vec<String> = Vec::new();
    for (plan, power) in layout.racks.iter().zip(&facility.racks) {
        let servers = plan.devices.iter().filter(|d| d.kind == DeviceKind::Server).count() as f64;
        let peak = power.kw.0 + servers * extra_kw;
        let cap = power.feed_capacity_kw.0;
        if peak > cap + 1e-9 {
            over.push(format!("{} {peak:.1} kW > {cap:.1} kW", plan.id));
        }
        if worst.is_none_or(|(_, p, c)| peak / c.max(1e-9) > p / c.max(1e-9)) {
            worst = Some((plan.id.as_str(), peak, cap));
        }
    }
    let est = if server.estimate {
        vec![format!("{}.max_power_w", r.server.id)]
    } else {
        Vec::new()
    };
    let Some((id, peak, cap)) = worst else {
        return Check::pass("power.feed_loss_peak", "no racks");
    };
    let basis = if extra_kw > 0.0 {
        format!(
            " (the plan's {} basis plus {:.0} W per server to its {:.0} W maximum)",
            match server.basis {
                crate::spec::PowerBasis::Typical => "typical",
                crate::spec::PowerBasis::Max => "max",
            },
            extra_kw * 1000.0,
            server.max_w.0
        )
    } else {
        String::new()
    };
    if facility.feeds < 2 {
        return Check::warn(
            "power.feed_loss_peak",
            format!("each rack has one feed (facility.feeds = 1): losing it drops the rack; the heaviest, {id}, peaks at {peak:.1} kW{basis}; fix: facility.feeds = 2"),
        )
        .resting_on(est);
    }
    if over.is_empty() {
        Check::pass(
            "power.feed_loss_peak",
            format!("with one feed lost, every rack's peak fits the other feed: the closest is {id} at {peak:.1} kW of {cap:.1} kW{basis}"),
        )
        .resting_on(est)
    } else {
        let n = over.len();
        over.truncate(5);
        Check::fail(
            "power.feed_loss_peak",
            format!(
                "with one feed lost at peak{basis}, {} {} the surviving feed's PDUs: {}; fix: size the PDUs on facility.power_basis = \"max\", or a larger PDU",
                crate::text::counted(n as u64, "rack", "racks"),
                if n == 1 { "exceeds" } else { "exceed" },
                over.join(", ")
            ),
        )
        .resting_on(est)
    }
}

/// The air each rack's devices move (the server's catalog airflow; a switch's from its room heat) against the
/// cooling class's supply per rack.
pub fn air_volume(r: &Resolved, layout: &Layout, devices: &HashMap<String, DevicePower>) -> Option<Check> {
    let supply = r.cooling.air_m3_per_h_per_rack.as_ref()?;
    let mut est = Vec::new();
    if supply.estimate {
        est.push(format!("{}.air_m3_per_h_per_rack", r.cooling.id));
    }
    let server_air = r.server.airflow_m3_per_h.as_ref();
    match server_air {
        Some(a) if a.estimate => est.push(format!("{}.airflow_m3_per_h", r.server.id)),
        None => est.push(format!("{} airflow from its room heat", r.server.id)),
        _ => {}
    }
    let mut worst: Option<(&str, f64)> = None;
    let mut over = Vec::new();
    for rack in &layout.racks {
        let mut air = 0.0;
        for d in &rack.devices {
            let Some(p) = devices.get(&d.name) else { continue };
            air += match (d.kind, server_air) {
                (DeviceKind::Server, Some(a)) => a.value,
                _ => air_for_heat_m3_per_h(p.w * (1.0 - p.liquid_fraction)),
            };
        }
        if air > supply.value + 1e-9 {
            over.push(format!("{} {air:.0} m3/h", rack.id));
        }
        if worst.is_none_or(|(_, w)| air > w) {
            worst = Some((rack.id.as_str(), air));
        }
    }
    let (id, air) = worst?;
    est.push("switch airflow from room heat at a 15 K rise".into());
    Some(
        if over.is_empty() {
            Check::pass(
                "cooling.air_volume",
                format!(
                    "every rack's devices move at most the {:.0} m3/h of air the {} class supplies per rack: the most is {id} at {air:.0} m3/h",
                    supply.value, r.cooling.id
                ),
            )
        } else {
            let n = over.len();
            over.truncate(5);
            Check::fail(
                "cooling.air_volume",
                format!(
                    "{} {} more air than the {} class supplies ({:.0} m3/h per rack): {}; fix: fewer servers per rack (facility.servers_per_rack), a lower rack_power_limit_kw, or liquid cooling",
                    crate::text::counted(n as u64, "rack", "racks"),
                    if n == 1 { "needs" } else { "need" },
                    r.cooling.id,
                    supply.value,
                    over.join(", ")
                ),
            )
        }
        .resting_on(est),
    )
}

/// Liquid heat per rack and per row against the CDU capacities the spec gives.
pub fn cdu(r: &Resolved, layout: &Layout, facility: &FacilityPower) -> Option<Check> {
    let (rack_cap, row_cap) = (r.spec.facility.cdu_rack_kw, r.spec.facility.cdu_row_kw);
    if rack_cap.is_none() && row_cap.is_none() {
        return None;
    }
    let mut rows = vec![0.0f64; layout.rows.max(1) as usize];
    let mut over = Vec::new();
    let mut max_rack = (String::new(), 0.0f64);
    for (plan, power) in layout.racks.iter().zip(&facility.racks) {
        let l = power.liquid_kw.0;
        if let Some(row) = rows.get_mut(plan.row as usize) {
            *row += l;
        }
        if let Some(cap) = rack_cap
            && l > cap + 1e-9
        {
            over.push(format!("rack {} {l:.1} kW > {cap:.1} kW", plan.id));
        }
        if l > max_rack.1 {
            max_rack = (plan.id.clone(), l);
        }
    }
    for (i, l) in rows.iter().enumerate() {
        if let Some(cap) = row_cap
            && *l > cap + 1e-9
        {
            over.push(format!("row {} {l:.1} kW > {cap:.1} kW", i + 1));
        }
    }
    let max_row = rows.iter().copied().fold(0.0, f64::max);
    let mut est = Vec::new();
    if r.cooling.liquid_heat_fraction.as_ref().is_some_and(|f| f.estimate) {
        est.push(format!("{}.liquid_heat_fraction", r.cooling.id));
    }
    Some(
        if over.is_empty() {
            Check::pass(
                "cooling.cdu",
                format!(
                    "liquid heat within the CDUs: the most per rack is {} at {:.1} kW{}, per row {max_row:.1} kW{}",
                    max_rack.0,
                    max_rack.1,
                    rack_cap.map_or(String::new(), |c| format!(" of {c:.1}")),
                    row_cap.map_or(String::new(), |c| format!(" of {c:.1}"))
                ),
            )
        } else {
            Check::fail(
                "cooling.cdu",
                format!(
                    "liquid heat above the CDU capacity: {}; fix: a larger CDU, more CDUs per row (smaller rows: facility.racks_per_row), or fewer servers per rack",
                    over.join(", ")
                ),
            )
        }
        .resting_on(est),
    )
}

/// Every peak and failure check of a plan.
pub(crate) fn checks(
    r: &Resolved,
    layout: &Layout,
    facility: &FacilityPower,
    devices: &HashMap<String, DevicePower>,
    server: &ServerPower,
) -> Vec<Check> {
    let mut out = vec![feed_loss_at_peak(r, layout, facility, server)];
    out.extend(air_volume(r, layout, devices));
    out.extend(cdu(r, layout, facility));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use gigapod_catalog::{Catalog, SourceFile};

    fn plan(extra: &str) -> crate::Plan {
        let text = format!(
            "name = \"peak\"\n[compute]\nserver = \"g593-h200\"\nservers = 8\n[facility]\ncooling = \"air\"\n{extra}\n"
        );
        let spec = crate::spec::Spec::parse(SourceFile::new("p.toml", text)).unwrap();
        crate::plan(&spec, Catalog::builtin()).unwrap()
    }

    fn check<'a>(p: &'a crate::Plan, id: &str) -> &'a Check {
        p.checks
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    }

    #[test]
    fn air_for_heat_by_hand() {
        // 10 kW at 15 K: 10,000 x 3,600 / (1.2 x 1,005 x 15) = 1,990.05 m3/h.
        approx::assert_relative_eq!(air_for_heat_m3_per_h(Watts(10_000.0)), 1990.05, epsilon = 0.01);
    }

    #[test]
    fn feed_loss_passes_on_max_and_fails_when_pdus_are_sized_on_typical() {
        let p = plan("rack_power_limit_kw = 50.0");
        assert_eq!(
            check(&p, "power.feed_loss_peak").status,
            Status::Pass,
            "{}",
            check(&p, "power.feed_loss_peak").message
        );
        // On the typical basis (8.1 kW of a 10.2 kW maximum) 4 servers size to 2 x 18.4 kW PDUs per feed with a
        // 415 V / 32 A PDU; at peak the rack draws 4 x 2.1 kW more.
        let p = plan("rack_power_limit_kw = 50.0\npower_basis = \"typical\"\npdu = \"pdu-3ph-415v-32a\"");
        let c = check(&p, "power.feed_loss_peak");
        assert_eq!(c.status, Status::Fail, "{}", c.message);
        assert!(c.message.contains("exceed the surviving feed's PDUs"), "{}", c.message);
        let p = plan("rack_power_limit_kw = 50.0\nfeeds = 1");
        assert_eq!(check(&p, "power.feed_loss_peak").status, Status::Warn);
    }

    #[test]
    fn air_volume_fails_when_the_rack_is_dense() {
        let p = plan("rack_power_limit_kw = 50.0");
        let c = check(&p, "cooling.air_volume");
        assert_eq!(c.status, Status::Pass, "{}", c.message);
        // 4 x 2,020 m3/h of G593s fit 20,000 m3/h; a room that supplies 6,000 m3/h per rack does not.
        let mut r = p.resolved.clone();
        r.cooling.air_m3_per_h_per_rack.as_mut().unwrap().value = 6000.0;
        let d = crate::devices::build(
            &r,
            &p.fabric,
            Catalog::builtin(),
            p.power.server.server_w,
            &p.networks.wiring,
            p.networks.storage.as_ref().map(|s| &s.fabric),
        );
        let c = air_volume(&r, &p.layout, &d.power).unwrap();
        assert_eq!(c.status, Status::Fail, "{}", c.message);
        assert!(
            c.message.starts_with("2 racks need more air than the air class supplies (6000 m3/h per rack): R01-01 8080 m3/h, R01-03 8080 m3/h;"),
            "{}",
            c.message
        );
    }

    #[test]
    fn cdu_capacity_per_rack_and_row() {
        let liquid = |extra: &str| {
            let text = format!(
                "name = \"cdu\"\n[compute]\nserver = \"g4l3-sd1-b200\"\nservers = 16\n[facility]\ncooling = \"liquid\"\n{extra}\n"
            );
            let spec = crate::spec::Spec::parse(SourceFile::new("c.toml", text)).unwrap();
            crate::plan(&spec, Catalog::builtin()).unwrap()
        };
        let p = liquid("");
        assert!(
            p.checks.iter().all(|c| c.id != "cooling.cdu"),
            "not checked without a capacity"
        );
        let p = liquid("cdu_rack_kw = 200.0\ncdu_row_kw = 2000.0");
        assert_eq!(
            check(&p, "cooling.cdu").status,
            Status::Pass,
            "{}",
            check(&p, "cooling.cdu").message
        );
        let p = liquid("cdu_rack_kw = 20.0\ncdu_row_kw = 50.0");
        let c = check(&p, "cooling.cdu");
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.message.contains("> 20.0 kW") && c.message.contains("row 1"),
            "{}",
            c.message
        );
    }
}
