//! Power per rack, row and cluster; heat into liquid and room air; A/B feeds and PDUs; the checks on them.
//!
//! Device power is the final figure: servers on the plan's basis, switches on the plan's basis plus the
//! pluggables in their cages as the cable plan chose them, and the NIC-side modules in the servers' racks.

use crate::cabling::CablePlan;
use crate::check::Check;
use crate::layout::{DeviceKind, Layout, RackKind};
use gigapod_catalog::units::{Kilograms, Kilowatts, Watts};
use gigapod_catalog::{CoolingKind, Pdu};
use serde::Serialize;
use std::collections::HashMap;

/// What one device draws and where its heat goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DevicePower {
    /// Power drawn, pluggables included.
    pub w: Watts,
    /// Share of the heat that goes into liquid (0 for air-cooled devices).
    pub liquid_fraction: f64,
    /// Mass.
    pub kg: Kilograms,
    /// Counts as compute (servers) rather than network.
    pub compute: bool,
    /// Power cords (one per power supply), each taking a PDU outlet.
    pub inlets: u32,
    /// True when `w` already covers the modules plugged into the device (a DGX's system maximum): the cable
    /// plan's pluggables are then not added on top.
    pub includes_pluggables: bool,
}

/// One rack's power, heat, weight and feeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RackPower {
    /// Rack id.
    pub id: String,
    /// IT power.
    pub kw: Kilowatts,
    /// Heat into the liquid loop.
    pub liquid_kw: Kilowatts,
    /// Heat into the room air.
    pub room_kw: Kilowatts,
    /// Equipment mass.
    pub kg: Kilograms,
    /// PDUs on each of the A and B feeds, each feed able to carry the whole rack alone.
    pub pdus_per_feed: u32,
    /// Continuous capacity of one feed's PDUs.
    pub feed_capacity_kw: Kilowatts,
}

/// Power of the whole plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityPower {
    /// Every rack, in layout order.
    pub racks: Vec<RackPower>,
    /// kW per row.
    pub rows_kw: Vec<Kilowatts>,
    /// Servers.
    pub compute_kw: Kilowatts,
    /// Switches and every pluggable (both ends of each link).
    pub network_kw: Kilowatts,
    /// Compute plus network.
    pub it_kw: Kilowatts,
    /// Heat of the IT load, BTU/h.
    pub heat_btu_per_hour: f64,
    /// Heat into liquid.
    pub liquid_kw: Kilowatts,
    /// Heat into room air.
    pub room_kw: Kilowatts,
    /// PDUs in all.
    pub pdus: u32,
}

/// Most PDUs one feed of a rack may need: a rack has room for a few vertical PDUs per side, not more.
pub const MAX_PDUS_PER_FEED: u32 = 4;

/// The rack limits the checks hold the plan to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// kW per rack.
    pub rack_kw: Kilowatts,
    /// Rack units per rack.
    pub rack_units: u32,
    /// Equipment kg per rack.
    pub rack_kg: Kilograms,
    /// For liquid cooling: room-air heat per rack.
    pub room_kw: Option<Kilowatts>,
    /// The cooling class's range.
    pub class_range_kw: (Kilowatts, Kilowatts),
    /// The cooling class.
    pub cooling: CoolingKind,
}

/// Sums device power per rack, sizes the feeds, and totals the cluster.
pub fn compute(
    layout: &Layout,
    devices: &HashMap<String, DevicePower>,
    cables: &CablePlan,
    pdu: &Pdu,
) -> FacilityPower {
    let pdu_kw = pdu.continuous_capacity();
    let mut racks = Vec::with_capacity(layout.racks.len());
    let mut rows_kw = vec![Kilowatts(0.0); layout.rows as usize];
    let (mut compute_w, mut network_w, mut liquid_w) = (Watts(0.0), Watts(0.0), Watts(0.0));
    for rack in &layout.racks {
        let (mut w, mut liquid, mut kg, mut inlets) = (Watts(0.0), Watts(0.0), Kilograms(0.0), 0u64);
        for d in &rack.devices {
            let Some(p) = devices.get(&d.name) else { continue };
            let plug = if p.includes_pluggables {
                Watts(0.0)
            } else {
                cables.pluggable_w.get(&d.name).copied().unwrap_or(Watts(0.0))
            };
            w += p.w + plug;
            liquid += p.w * p.liquid_fraction;
            kg += p.kg;
            inlets += u64::from(p.inlets);
            if p.compute {
                compute_w += p.w;
            } else {
                network_w += p.w;
            }
            // Pluggables are network power wherever they sit, and air-cooled.
            network_w += plug;
        }
        liquid_w += liquid;
        let kw = Kilowatts::from(w);
        if let Some(row) = rows_kw.get_mut(rack.row as usize) {
            *row += kw;
        }
        // Each feed carries the whole rack alone, and the cords split between the A and B feeds need outlets.
        let for_power = if pdu_kw.0 > 0.0 {
            (kw.0 / pdu_kw.0).ceil().max(1.0)
        } else {
            f64::INFINITY
        };
        let for_outlets = (inlets.div_ceil(2) as f64 / f64::from(pdu.outlets.value.max(1))).ceil();
        let pdus_per_feed = for_power.max(for_outlets).min(f64::from(u32::MAX)) as u32;
        racks.push(RackPower {
            id: rack.id.clone(),
            kw,
            liquid_kw: Kilowatts::from(liquid),
            room_kw: Kilowatts::from(w - liquid),
            kg,
            pdus_per_feed,
            feed_capacity_kw: pdu_kw * f64::from(pdus_per_feed),
        });
    }
    let it = compute_w + network_w;
    FacilityPower {
        pdus: racks
            .iter()
            .map(|r| r.pdus_per_feed.saturating_mul(2))
            .fold(0u32, u32::saturating_add),
        racks,
        rows_kw,
        compute_kw: compute_w.into(),
        network_kw: network_w.into(),
        it_kw: it.into(),
        heat_btu_per_hour: it.btu_per_hour(),
        liquid_kw: liquid_w.into(),
        room_kw: (it - liquid_w).into(),
    }
}

/// Checks every rack against its limits, the room air, the cooling class and the feeds.
pub fn checks(layout: &Layout, power: &FacilityPower, limits: &Limits) -> Vec<Check> {
    let mut out = Vec::new();
    let worst = |f: &dyn Fn(&RackPower) -> f64| {
        power
            .racks
            .iter()
            .map(|r| (f(r), r.id.as_str()))
            .fold((f64::MIN, ""), |a, b| if b.0 > a.0 { b } else { a })
    };
    let (kw, kw_id) = worst(&|r| r.kw.0);
    let over: Vec<&str> = power
        .racks
        .iter()
        .filter(|r| r.kw.0 > limits.rack_kw.0 + 1e-9)
        .map(|r| r.id.as_str())
        .collect();
    out.push(Check::verdict(
        "racks.power",
        over.is_empty(),
        if over.is_empty() {
            format!(
                "every rack within {:.1} kW; the highest is {kw_id} at {kw:.1} kW",
                limits.rack_kw.0
            )
        } else {
            format!(
                "{} rack(s) above {:.1} kW: {} (highest {kw:.1} kW)",
                over.len(),
                limits.rack_kw.0,
                over.join(", ")
            )
        },
    ));
    let (u, u_id) = layout
        .racks
        .iter()
        .map(|r| (f64::from(r.u_used), r.id.as_str()))
        .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a });
    out.push(Check::verdict(
        "racks.units",
        u <= f64::from(limits.rack_units),
        format!("the fullest rack is {u_id} with {u:.0} of {} U", limits.rack_units),
    ));
    let (kg, kg_id) = worst(&|r| r.kg.0);
    out.push(Check::verdict(
        "racks.weight",
        kg <= limits.rack_kg.0 + 1e-9,
        format!(
            "the heaviest rack is {kg_id} with {kg:.0} kg of {:.0} kg",
            limits.rack_kg.0
        ),
    ));
    if limits.cooling == CoolingKind::Liquid {
        let (l, l_id) = worst(&|r| r.liquid_kw.0);
        out.push(Check::verdict(
            "cooling.liquid",
            l <= limits.rack_kw.0 + 1e-9,
            format!(
                "the most heat a rack puts into the liquid loop is {l:.1} kW ({l_id}); the loop takes {:.1} kW per rack",
                limits.rack_kw.0
            ),
        ));
    }
    if let Some(room) = limits.room_kw {
        let (r, r_id) = worst(&|r| r.room_kw.0);
        out.push(Check::verdict(
            "cooling.room_air",
            r <= room.0 + 1e-9,
            format!(
                "liquid takes {:.1} kW of the cluster's heat; the most a rack puts into room air is {r:.1} kW ({r_id}), limit {:.1} kW",
                power.liquid_kw.0, room.0
            ),
        ));
    }
    let (lo, hi) = limits.class_range_kw;
    if limits.rack_kw.0 < lo.0 - 1e-9 || limits.rack_kw.0 > hi.0 + 1e-9 {
        out.push(Check::warn(
            "cooling.class_range",
            format!(
                "the rack limit {:.1} kW lies outside the {} cooling class's {:.0}-{:.0} kW per rack",
                limits.rack_kw.0, limits.cooling, lo.0, hi.0
            ),
        ));
    }
    let short: Vec<&str> = power
        .racks
        .iter()
        .filter(|r| r.feed_capacity_kw.0 + 1e-9 < r.kw.0)
        .map(|r| r.id.as_str())
        .collect();
    out.push(Check::verdict(
        "power.feeds",
        short.is_empty(),
        if short.is_empty() {
            format!(
                "each rack has A and B feeds that each carry its whole load: {} PDUs in all",
                power.pdus
            )
        } else {
            format!("racks whose single feed cannot carry them: {}", short.join(", "))
        },
    ));
    let compute_racks = layout.racks.iter().filter(|r| r.kind == RackKind::Compute).count();
    let servers_in_network = layout
        .racks
        .iter()
        .filter(|r| r.kind == RackKind::Network)
        .flat_map(|r| &r.devices)
        .any(|d| d.kind == DeviceKind::Server);
    out.push(Check::verdict(
        "racks.placement",
        !servers_in_network,
        format!(
            "{} compute and {} network racks; every device placed once",
            compute_racks,
            layout.racks.len() - compute_racks
        ),
    ));
    out
}
