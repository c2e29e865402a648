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
    /// PDUs on each feed (A and B, or the one feed), each feed able to carry the whole rack alone.
    pub pdus_per_feed: u32,
    /// Continuous capacity of one feed's PDUs.
    pub feed_capacity_kw: Kilowatts,
}

/// Power of the whole plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
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
    /// Power feeds per rack (2 = A and B).
    pub feeds: u32,
}

impl FacilityPower {
    /// `A/B feeds` or `one feed`, for the summaries.
    pub fn feed_text(&self) -> &'static str {
        if self.feeds >= 2 { "A/B feeds" } else { "one feed" }
    }
}

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
    feeds: u32,
) -> FacilityPower {
    let feeds = feeds.max(1);
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
        // Each feed carries the whole rack alone, and the cords split between the feeds need outlets.
        let for_power = if pdu_kw.0 > 0.0 {
            (kw.0 / pdu_kw.0).ceil().max(1.0)
        } else {
            f64::INFINITY
        };
        let for_outlets = (inlets.div_ceil(u64::from(feeds)) as f64 / f64::from(pdu.outlets.value.max(1))).ceil();
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
            .map(|r| r.pdus_per_feed.saturating_mul(feeds))
            .fold(0u32, u32::saturating_add),
        racks,
        rows_kw,
        compute_kw: compute_w.into(),
        network_kw: network_w.into(),
        it_kw: it.into(),
        heat_btu_per_hour: it.btu_per_hour(),
        liquid_kw: liquid_w.into(),
        room_kw: (it - liquid_w).into(),
        feeds,
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
                "{} above {:.1} kW: {} (highest {kw:.1} kW)",
                crate::text::counted(over.len() as u64, "rack", "racks"),
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
    // The sizing rule made every feed carry its rack: re-testing it checks the planner, not the design.
    out.push(Check::invariant(
        "power.feed_sizing",
        short.is_empty(),
        if short.is_empty() {
            format!("every feed's PDUs carry their whole rack: {} PDUs in all", power.pdus)
        } else {
            format!("racks whose single feed cannot carry them: {}", short.join(", "))
        },
    ));
    // The verdict: what losing one feed does, which the spec's `facility.feeds` decides.
    out.push(if power.feeds >= 2 {
        Check::pass(
            "power.feeds",
            format!(
                "each rack has A and B feeds, each carrying its whole load: losing one feed drops no rack ({} PDUs in all)",
                power.pdus
            ),
        )
    } else {
        Check::warn(
            "power.feeds",
            format!(
                "each rack has one feed (facility.feeds = 1): losing it drops the rack ({} PDUs in all)",
                power.pdus
            ),
        )
    });
    let compute_racks = layout.racks.iter().filter(|r| r.kind == RackKind::Compute).count();
    let servers_in_network = layout
        .racks
        .iter()
        .filter(|r| r.kind == RackKind::Network)
        .flat_map(|r| &r.devices)
        .any(|d| d.kind == DeviceKind::Server);
    out.push(Check::invariant(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{DeviceKind, LayoutStats, PlacedDevice, RackKind, RackPlan, Routing};
    use approx::assert_relative_eq;
    use gigapod_catalog::Catalog;

    fn rack(id: &str, position: u32, kind: RackKind, devices: &[(&str, DeviceKind)]) -> RackPlan {
        RackPlan {
            id: id.into(),
            kind,
            row: 0,
            position,
            su: Some(0),
            devices: devices
                .iter()
                .enumerate()
                .map(|(i, (name, kind))| PlacedDevice {
                    name: name.to_string(),
                    kind: *kind,
                    part_id: "x".into(),
                    u: 1 + 2 * i as u32,
                    height_u: 2,
                })
                .collect(),
            u_used: 2 * devices.len() as u32,
        }
    }

    fn device(kw: f64, liquid_fraction: f64, kg: f64, inlets: u32, compute: bool) -> DevicePower {
        DevicePower {
            w: Watts(kw * 1000.0),
            liquid_fraction,
            kg: Kilograms(kg),
            compute,
            inlets,
            includes_pluggables: false,
        }
    }

    /// R01-01: three 10 kW liquid-cooled servers (80 % into liquid, 6 cords each). R01-02: a 1.5 kW switch with
    /// 0.3 kW of optics. R01-03: eight 1 kW devices of 12 cords each (the outlets bind).
    fn fixture() -> (Layout, HashMap<String, DevicePower>, CablePlan) {
        use DeviceKind::{Leaf, Server};
        let racks = vec![
            rack(
                "R01-01",
                0,
                RackKind::Compute,
                &[("s1", Server), ("s2", Server), ("s3", Server)],
            ),
            rack("R01-02", 1, RackKind::Network, &[("leaf", Leaf)]),
            rack(
                "R01-03",
                2,
                RackKind::Compute,
                &[
                    ("t1", Server),
                    ("t2", Server),
                    ("t3", Server),
                    ("t4", Server),
                    ("t5", Server),
                    ("t6", Server),
                    ("t7", Server),
                    ("t8", Server),
                ],
            ),
        ];
        let mut power = HashMap::new();
        for s in ["s1", "s2", "s3"] {
            power.insert(s.to_string(), device(10.0, 0.8, 100.0, 6, true));
        }
        power.insert("leaf".to_string(), device(1.5, 0.0, 20.0, 2, false));
        for i in 1..=8 {
            power.insert(format!("t{i}"), device(1.0, 0.0, 10.0, 12, true));
        }
        let layout = Layout {
            racks,
            rows: 1,
            placements: HashMap::new(),
            stats: LayoutStats::default(),
            routing: Routing::new(48, 0.6, 1.2),
            open_positions: Vec::new(),
            halls: None,
        };
        let cables = CablePlan {
            runs: Vec::new(),
            by_type: Default::default(),
            total: 0,
            cables_by_length: Default::default(),
            transceivers: Default::default(),
            transceivers_by_side: Default::default(),
            pluggable_w: HashMap::from([("leaf".to_string(), Watts(300.0))]),
        };
        (layout, power, cables)
    }

    fn pdu() -> Pdu {
        Catalog::builtin().pdu("pdu-3ph-415v-60a").unwrap().clone()
    }

    #[test]
    fn pdu_capacity_is_sqrt3_v_i_times_the_continuous_fraction() {
        // sqrt(3) x 415 V x 60 A x 0.8 = 34,502.45 W.
        assert_relative_eq!(pdu().continuous_capacity().0, 34.50245, epsilon = 1e-5);
    }

    #[test]
    fn power_heat_and_pdus_per_rack_by_hand() {
        let (layout, power, cables) = fixture();
        let f = compute(&layout, &power, &cables, &pdu(), 2);
        let r = &f.racks;
        // R01-01: 30 kW, 24 kW into liquid, 6 kW into the room, 300 kg; 18 cords, 9 per feed: 1 PDU per feed.
        assert_relative_eq!(r[0].kw.0, 30.0);
        assert_relative_eq!(r[0].liquid_kw.0, 24.0);
        assert_relative_eq!(r[0].room_kw.0, 6.0);
        assert_relative_eq!(r[0].kg.0, 300.0);
        assert_eq!(r[0].pdus_per_feed, 1);
        assert_relative_eq!(r[0].feed_capacity_kw.0, 34.50245, epsilon = 1e-5);
        // R01-02: 1.5 kW switch + 0.3 kW optics, all into the room.
        assert_relative_eq!(r[1].kw.0, 1.8);
        assert_relative_eq!(r[1].liquid_kw.0, 0.0);
        assert_relative_eq!(r[1].room_kw.0, 1.8);
        // R01-03: 8 kW needs one PDU, but 96 cords are 48 per feed: 2 PDUs of 42 outlets per feed.
        assert_eq!(r[2].pdus_per_feed, 2);
        // Cluster: compute 30 + 8, network 1.5 + 0.3 of optics; liquid 24 of 39.8.
        assert_relative_eq!(f.compute_kw.0, 38.0);
        assert_relative_eq!(f.network_kw.0, 1.8);
        assert_relative_eq!(f.it_kw.0, 39.8);
        assert_relative_eq!(f.liquid_kw.0, 24.0);
        assert_relative_eq!(f.room_kw.0, 15.8);
        assert_relative_eq!(f.heat_btu_per_hour, 39_800.0 * 3.412_141_633, epsilon = 1.0);
        // PDUs: (1 + 1 + 2) per feed, two feeds.
        assert_eq!((f.feeds, f.pdus), (2, 8));
    }

    #[test]
    fn one_feed_takes_every_cord() {
        let (layout, power, cables) = fixture();
        let f = compute(&layout, &power, &cables, &pdu(), 1);
        // R01-03's 96 cords on one feed: ceil(96 / 42) = 3 PDUs; the others 1 each.
        let per_feed: Vec<u32> = f.racks.iter().map(|r| r.pdus_per_feed).collect();
        assert_eq!(per_feed, [1, 1, 3]);
        assert_eq!((f.feeds, f.pdus), (1, 5));
    }

    #[test]
    fn power_bound_pdus_round_up() {
        let (mut layout, mut power, cables) = fixture();
        layout.racks.truncate(1);
        for s in ["s1", "s2", "s3"] {
            power.insert(s.to_string(), device(25.0, 0.0, 100.0, 2, true));
        }
        // 75 kW / 34.50 kW = 2.17: 3 PDUs per feed.
        let f = compute(&layout, &power, &cables, &pdu(), 2);
        assert_eq!(f.racks[0].pdus_per_feed, 3);
        let limits = Limits {
            rack_kw: Kilowatts(80.0),
            rack_units: 48,
            rack_kg: Kilograms(1000.0),
            room_kw: None,
            class_range_kw: (Kilowatts(0.0), Kilowatts(100.0)),
            cooling: CoolingKind::Air,
        };
        let checks = checks(&layout, &f, &limits);
        let get = |id: &str| checks.iter().find(|c| c.id == id).unwrap();
        assert_eq!(get("racks.power").status, crate::check::Status::Pass);
        assert!(get("power.feed_sizing").is_invariant());
        // 70 kW limit: the same rack now fails the verdict.
        let tight = Limits {
            rack_kw: Kilowatts(70.0),
            ..limits
        };
        let checks = super::checks(&layout, &f, &tight);
        assert_eq!(
            checks.iter().find(|c| c.id == "racks.power").unwrap().status,
            crate::check::Status::Fail
        );
    }
}
