//! The plan's physical devices: servers, fabric switches and management switches, with their names, footprints
//! and power, grouped as the layout places them.
//!
//! Footprints for placement carry the worst case of the pluggables (every switch cage and every server NIC port
//! at the most power-hungry module or active-cable end the catalog has for its form, and every storage, in-band
//! and UFM port of a server or appliance the same way), because the media are chosen only once the layout gives
//! lengths: a rack that fits with that worst case fits with whatever the cable plan then picks.

use crate::cabling::server_name;
use crate::fabric::{Fabric, Role};
use crate::facility::DevicePower;
use crate::layout::{Device, DeviceKind, Footprint, LayoutInput, RackLimits, Routing, SuDevices};
use crate::netwire::{NetPart, Wiring};
use crate::spec::{PowerBasis, Resolved};
use gigapod_catalog::units::{Gbps, Kilowatts, Watts};
use gigapod_catalog::{Catalog, CoolingKind, HeatSink, PartKind, Switch};
use std::collections::HashMap;

/// An appliance's power on the plan's basis (its maximum when the catalog has no typical figure).
pub(crate) fn appliance_w(a: &gigapod_catalog::Appliance, basis: PowerBasis) -> Watts {
    match (basis, &a.typical_power_w) {
        (PowerBasis::Typical, Some(t)) => t.value,
        _ => a.max_power_w.value,
    }
}

/// A switch's own power (without pluggables) on the plan's basis.
pub(crate) fn switch_w(s: &Switch, basis: PowerBasis) -> Watts {
    match basis {
        PowerBasis::Max => s.max_power_w.value,
        PowerBasis::Typical => s.typical_power_w.value,
    }
}

/// The most a cage of this form can draw in pluggables, from the catalog's modules (and the cage's power class
/// when the catalog gives it).
fn worst_cage_w(catalog: &Catalog, s: &Switch, speed: Gbps) -> Watts {
    let mut total = Watts(0.0);
    let sink = s.cage_heat_sink_at(speed);
    for g in &s.port_group {
        let module = worst_module_w(catalog, &g.form, speed, sink);
        let cap = s.cage_power_limit_w.as_ref().map_or(module, |c| c.value);
        let per_cage = if module > cap { cap } else { module };
        total += per_cage * f64::from(g.cages.value);
    }
    total
}

/// The most one end of a link can draw in a cage of `form` at `speed` taking modules of heat sink `sink` (`None`:
/// any): the most power-hungry module of that form the catalog has, or the most power-hungry cable end (an AOC's
/// or active copper's, which may draw more than any module of its form), whichever is more. The media are chosen
/// only once the layout gives lengths, so the layout's footprints take this.
fn worst_module_w(catalog: &Catalog, form: &str, speed: Gbps, sink: Option<HeatSink>) -> Watts {
    let max = |a: Watts, b: Watts| if b > a { b } else { a };
    let module = catalog
        .iter(Some(PartKind::Transceiver))
        .filter_map(|e| catalog.transceiver(e.part.id().as_str()))
        .filter(|t| t.form == form && crate::media::speed_fits(catalog, t.speed_gbps.value, speed))
        .filter(|t| HeatSink::fits(t.heat_sink.as_ref().map(|h| h.value), sink))
        .map(|t| t.power_w.value)
        .fold(Watts(0.0), max);
    max(module, worst_cable_end_w(catalog, form, speed))
}

/// The most one end of a cable with a `form` plug at `speed` draws (an AOC's or active copper's; passive 0 W).
fn worst_cable_end_w(catalog: &Catalog, form: &str, speed: Gbps) -> Watts {
    catalog
        .iter(Some(PartKind::Cable))
        .filter_map(|e| catalog.cable(e.part.id().as_str()))
        .filter(|c| {
            (c.end_a == form || c.end_b == form) && crate::media::speed_fits(catalog, c.speed_gbps.value, speed)
        })
        .map(|c| c.power_per_end_w.value)
        .fold(Watts(0.0), |a, b| if b > a { b } else { a })
}

/// The worst case of the pluggables the networks beside the compute fabric put in the servers and appliances (not
/// the switches, whose every cage is already at its worst in their footprint), by device name: every wired end
/// (in-band, OOB, UFM) and every server's storage ports.
fn worst_network_ends_w(
    r: &Resolved,
    catalog: &Catalog,
    wiring: &Wiring,
    storage: Option<&Fabric>,
) -> HashMap<String, Watts> {
    let mut memo: HashMap<(String, Gbps), Watts> = HashMap::new();
    let mut worst = |form: &str, speed: Gbps| -> Watts {
        *memo
            .entry((form.to_string(), speed))
            .or_insert_with(|| worst_module_w(catalog, form, speed, None))
    };
    let switch = |d: &str| {
        wiring.devices.iter().any(|n| {
            n.name == d
                && matches!(
                    n.part,
                    NetPart::StorageSwitch | NetPart::InbandSwitch | NetPart::OobSwitch
                )
        })
    };
    let switches: std::collections::HashSet<&str> = wiring
        .devices
        .iter()
        .filter(|n| switch(&n.name))
        .map(|n| n.name.as_str())
        .collect();
    let mut out: HashMap<String, Watts> = HashMap::new();
    for l in &wiring.links {
        for e in [&l.a, &l.b] {
            // Switches (the networks' and the compute fabric's) are at their worst already; PDUs are not placed.
            if switches.contains(e.device.as_str()) || e.rack.is_some() {
                continue;
            }
            let w = worst(&e.form, l.speed);
            if w.0 > 0.0 {
                *out.entry(e.device.clone()).or_insert(Watts(0.0)) += w;
            }
        }
    }
    if let Some(st) = storage {
        let form = r.storage_nic.as_ref().map_or("qsfp112", |n| n.form.as_str());
        let per_port = worst(form, st.speed());
        let ports = st.summary().rails;
        if per_port.0 > 0.0 {
            for s in 0..r.servers {
                *out.entry(server_name(s)).or_insert(Watts(0.0)) += per_port * f64::from(ports);
            }
        }
    }
    out
}

/// A footprint with `kw` more of air-cooled load (pluggables heat the room air).
fn with_air_kw(fp: Footprint, kw: f64) -> Footprint {
    Footprint {
        kw: fp.kw + kw,
        room_kw: fp.room_kw + kw,
        ..fp
    }
}

/// The most the pluggables in a server's fabric NIC ports can draw: one module per port at the most
/// power-hungry module the catalog has for the NIC's form.
fn worst_nic_w(catalog: &Catalog, r: &Resolved) -> Watts {
    let (form, per_cage) = server_cages(r);
    let module = worst_module_w(catalog, form, r.nic_speed, server_cage_heat_sink(r));
    module * f64::from(r.rails.div_ceil(per_cage.max(1)))
}

/// The form of the server's fabric cages and the rails each carries: the chassis's cages when the catalog gives
/// them (a DGX's twin-port OSFP cages), else the NIC's own, one port each.
pub fn server_cages(r: &Resolved) -> (&str, u32) {
    match (&r.server.fabric_cage_form, &r.server.fabric_ports_per_cage) {
        (Some(form), Some(n)) => (form.as_str(), n.value.max(1)),
        _ => (r.fabric_nic.form.as_str(), 1),
    }
}

/// The heat-sink form the server's fabric cages take: the chassis's cages when the catalog says, else the NIC's.
pub fn server_cage_heat_sink(r: &Resolved) -> Option<gigapod_catalog::HeatSink> {
    r.server
        .fabric_cage_heat_sink
        .as_ref()
        .or(r.fabric_nic.heat_sink.as_ref())
        .map(|h| h.value)
}

/// The price in US dollars of one of the `links` links a media choice carries, when the catalog prices every part
/// it needs (cables, or modules at both ends and fibres, at the choice's orderable length).
pub fn link_usd(catalog: &Catalog, choice: &crate::media::MediaChoice, links: u32) -> Option<f64> {
    use crate::media::MediaChoice;
    let total = match choice {
        MediaChoice::Cable {
            cable_id,
            length_m,
            cables,
            ..
        } => catalog.price(cable_id)?.of(Some(*length_m)) * f64::from(*cables),
        MediaChoice::Optics {
            a_transceiver,
            b_transceiver,
            b_transceivers,
            fiber_id,
            length_m,
            fibers,
            ..
        } => {
            catalog.price(a_transceiver)?.of(None)
                + catalog.price(b_transceiver)?.of(None) * f64::from(*b_transceivers)
                + catalog.price(fiber_id)?.of(Some(*length_m)) * f64::from(*fibers)
        }
    };
    Some(total / f64::from(links.max(1)))
}

/// Devices, their power, and the layout's input.
#[derive(Debug, Clone)]
pub struct Devices {
    /// What the layout places.
    pub layout_input: LayoutInput,
    /// Final power of each device before pluggables (the cable plan adds those), by name.
    pub power: HashMap<String, DevicePower>,
    /// Out-of-band switches in all.
    pub management_switches: u32,
}

/// Builds the devices of a plan.
///
/// `storage` is the storage fabric's graph, whose endpoints are the servers' storage ports: their modules count in
/// the servers' footprints as the wired ends of the other networks do.
pub fn build(
    r: &Resolved,
    fabric: &Fabric,
    catalog: &Catalog,
    server_w: Watts,
    wiring: &Wiring,
    storage: Option<&Fabric>,
) -> Devices {
    let network_ends = worst_network_ends_w(r, catalog, wiring, storage);
    let ends_kw = |name: &str| network_ends.get(name).map_or(0.0, |w| Kilowatts::from(*w).0);
    let basis = r.spec.facility.power_basis;
    let server_liquid = if r.server.cooling == CoolingKind::Liquid && r.cooling.kind == CoolingKind::Liquid {
        r.cooling.liquid_heat_fraction.as_ref().map_or(0.0, |f| f.value)
    } else {
        0.0
    };
    let server_kw = Kilowatts::from(server_w).0;
    // The NIC-side modules sit in the server's rack and are air-cooled.
    // A server whose figure covers its own modules (a DGX's system maximum) gets nothing added.
    let includes_pluggables = r.server.power_includes_pluggables();
    let nic_plug_kw = if includes_pluggables {
        0.0
    } else {
        Kilowatts::from(worst_nic_w(catalog, r)).0
    };
    let server_fp = Footprint {
        u: f64::from(r.server.rack_units.value.0),
        kw: server_kw + nic_plug_kw,
        kg: r.server.weight_kg.value.0,
        room_kw: server_kw * (1.0 - server_liquid) + nic_plug_kw,
    };
    let switch_base = switch_w(&r.switch, basis);
    let switch_layout_kw = Kilowatts::from(switch_base + worst_cage_w(catalog, &r.switch, r.nic_speed)).0;
    let switch_fp = Footprint {
        u: f64::from(r.switch.rack_units.value.0),
        kw: switch_layout_kw,
        kg: r.switch.weight_kg.value.0,
        room_kw: switch_layout_kw,
    };
    let mut power = HashMap::new();
    let device = |name: String, kind: DeviceKind, part: &str, fp: Footprint| Device {
        name,
        kind,
        part_id: part.to_string(),
        footprint: fp,
        plane: None,
    };
    let servers_per_su = r.servers_per_su;
    let mut sus: Vec<SuDevices> = (0..r.scalable_units)
        .map(|su| SuDevices {
            su,
            servers: Vec::new(),
            network: Vec::new(),
        })
        .collect();
    for s in 0..r.servers {
        let name = server_name(s);
        power.insert(
            name.clone(),
            DevicePower {
                w: server_w,
                liquid_fraction: server_liquid,
                kg: r.server.weight_kg.value,
                compute: true,
                inlets: r.server.psu_count.value,
                includes_pluggables,
            },
        );
        // A figure that covers its own modules (a DGX's system maximum) gets nothing added.
        let fp = if includes_pluggables {
            server_fp
        } else {
            with_air_kw(server_fp, ends_kw(&name))
        };
        sus[(s / servers_per_su) as usize]
            .servers
            .push(device(name, DeviceKind::Server, r.server.id.as_str(), fp));
    }
    let switch_power = DevicePower {
        w: switch_base,
        liquid_fraction: 0.0,
        kg: r.switch.weight_kg.value,
        compute: false,
        // A switch whose supplies the catalog does not give is taken as dual-fed, like every switch it holds.
        inlets: r.switch.psu_count.as_ref().map_or(2, |p| p.value),
        includes_pluggables: false,
    };
    let mut global = Vec::new();
    for n in fabric.switches() {
        let node = fabric.node(n);
        let kind = match node.role {
            Role::Leaf => DeviceKind::Leaf,
            Role::Spine => DeviceKind::Spine,
            _ => DeviceKind::Core,
        };
        power.insert(node.name.clone(), switch_power);
        let mut d = device(node.name.clone(), kind, r.switch.id.as_str(), switch_fp);
        d.plane = node.plane.filter(|_| fabric.plane_count() > 1);
        match (node.role, node.su) {
            (Role::Leaf, Some(su)) if (su as usize) < sus.len() => sus[su as usize].network.push(d),
            _ => global.push(d),
        }
    }
    // The networks beside the compute fabric (netwire.rs): each SU's OOB switches stand with its leaves, the
    // rest in the management racks.
    let mut management = Vec::new();
    let mut management_switches = 0;
    let net_fp = |part: NetPart| -> (Footprint, DevicePower, &str) {
        let sw = |s: &Switch, speed: Gbps| {
            let base = switch_w(s, basis);
            let kw = Kilowatts::from(base + worst_cage_w(catalog, s, speed)).0;
            (
                Footprint {
                    u: f64::from(s.rack_units.value.0),
                    kw,
                    kg: s.weight_kg.value.0,
                    room_kw: kw,
                },
                DevicePower {
                    w: base,
                    liquid_fraction: 0.0,
                    kg: s.weight_kg.value,
                    compute: false,
                    inlets: s.psu_count.as_ref().map_or(2, |p| p.value),
                    includes_pluggables: false,
                },
            )
        };
        let app = |a: &gigapod_catalog::Appliance| {
            let w = appliance_w(a, basis);
            let kw = Kilowatts::from(w).0;
            (
                Footprint {
                    u: f64::from(a.rack_units.value.0),
                    kw,
                    kg: a.weight_kg.value.0,
                    room_kw: kw,
                },
                DevicePower {
                    w,
                    liquid_fraction: 0.0,
                    kg: a.weight_kg.value,
                    compute: false,
                    inlets: a.psu_count.value,
                    includes_pluggables: false,
                },
            )
        };
        let speed = |g: i64, d: u64| Gbps(u64::try_from(g).unwrap_or(d));
        match part {
            NetPart::StorageSwitch => {
                let s = r.storage_switch.as_ref().unwrap_or(&r.switch);
                let (f, p) = sw(s, speed(r.spec.storage.port_speed_gbps, 400));
                (f, p, s.id.as_str())
            }
            NetPart::InbandSwitch => {
                let (f, p) = sw(&r.inband_switch, speed(r.spec.inband.port_speed_gbps, 100));
                (f, p, r.inband_switch.id.as_str())
            }
            NetPart::OobSwitch => {
                let (f, p) = sw(&r.oob_switch, Gbps(1));
                (f, p, r.oob_switch.id.as_str())
            }
            NetPart::Ufm => {
                let (f, p) = app(&r.ufm_appliance);
                (f, p, r.ufm_appliance.id.as_str())
            }
            _ => {
                let (f, p) = app(&r.management_node);
                (f, p, r.management_node.id.as_str())
            }
        }
    };
    let rack_oob: std::collections::HashSet<&str> = wiring.rack_oob.iter().map(String::as_str).collect();
    let mut rack_switches = Vec::new();
    for d in &wiring.devices {
        let (fp, pw, part) = net_fp(d.part);
        power.insert(d.name.clone(), pw);
        if d.part == NetPart::OobSwitch {
            management_switches += 1;
        }
        let fp = match d.part {
            NetPart::StorageSwitch | NetPart::InbandSwitch | NetPart::OobSwitch => fp,
            _ => with_air_kw(fp, ends_kw(&d.name)),
        };
        let dev = device(d.name.clone(), d.kind, part, fp);
        if rack_oob.contains(d.name.as_str()) {
            rack_switches.push(dev);
            continue;
        }
        match d.su {
            Some(su) if (su as usize) < sus.len() => sus[su as usize].network.push(dev),
            _ => management.push(dev),
        }
    }

    let room_kw = (r.cooling.kind == CoolingKind::Liquid)
        .then(|| r.cooling.room_air_limit_kw.as_ref().map(|l| l.value.0))
        .flatten();
    let layout_input = LayoutInput {
        limits: RackLimits {
            u: f64::from(r.rack.rack_units.value.0),
            kw: r.rack_limit.0,
            kg: r.rack.max_weight_kg.value.0,
            room_kw,
        },
        sus,
        global_network: global,
        management,
        rails: fabric.summary().rails,
        routing: Routing::new(
            r.rack.rack_units.value.0,
            r.rack.width_mm.value.0 / 1000.0,
            r.rack.depth_mm.value.0 / 1000.0,
        ),
        row_racks: r.racks_per_row.max(1),
        weights: Default::default(),
        leaf_placement: r.spec.facility.leaf_placement,
        densities: r.server.rack_densities.as_ref().map(|d| d.value.clone()),
        servers_per_rack: r
            .spec
            .facility
            .servers_per_rack
            .map(|n| n.clamp(1, i64::from(u32::MAX)) as u32),
        rack_usd: catalog.price(r.rack.id.as_str()).map(|p| p.of(None)),
        rack_switches,
    };
    Devices {
        layout_input,
        power,
        management_switches,
    }
}

#[cfg(test)]
mod tests {
    use crate::layout::DeviceKind;
    use crate::{Planner, Spec};
    use approx::assert_relative_eq;
    use gigapod_catalog::Catalog;

    /// One SU of 32 G593-H200 (5U) on qm9700 (1U): 8 leaves with the SU, 4 spines in the global group. With the
    /// networks' wiring: the SU's OOB switches with its leaves (32 BMCs + 8 leaves + 8 compute racks x 4 PDUs =
    /// 72 ports: 2 x 48), the storage and in-band switches and the 4 management nodes in the management group.
    #[test]
    fn footprints_and_network_devices_of_one_su() {
        let p = Planner::new(Catalog::builtin())
            .plan(&Spec::builder("t", "g593-h200").scalable_units(1).build())
            .unwrap();
        let r = &p.resolved;
        let bare = super::build(
            r,
            &p.fabric,
            Catalog::builtin(),
            p.power.server.server_w,
            &crate::netwire::Wiring::default(),
            None,
        );
        let su = &bare.layout_input.sus[0];
        assert_eq!(su.servers.len(), 32);
        let server = su.servers[0].footprint;
        assert_relative_eq!(server.u, 5.0);
        assert_relative_eq!(server.kg, r.server.weight_kg.value.0);
        // Air-cooled: all of its power (with its NIC-side modules) goes into the room.
        assert_relative_eq!(server.room_kw, server.kw);
        assert!(server.kw >= p.power.server.server_w.0 / 1000.0);
        let leaves: Vec<_> = su.network.iter().filter(|x| x.kind == DeviceKind::Leaf).collect();
        assert_eq!(leaves.len(), 8);
        assert_relative_eq!(leaves[0].footprint.u, 1.0);
        let spines = bare
            .layout_input
            .global_network
            .iter()
            .filter(|x| x.kind == DeviceKind::Spine)
            .count();
        assert_eq!(spines, 4);
        assert_eq!(bare.management_switches, 0);
        assert_eq!(bare.power.len(), 32 + 12);
        assert_eq!(bare.power["srv1"].inlets, 6, "4+2 supplies, one cord each");
        // The plan's own devices: every network device placed once, the SU's OOB switches in its network rack.
        let placed = |k: DeviceKind| {
            p.layout
                .racks
                .iter()
                .flat_map(|x| &x.devices)
                .filter(|d| d.kind == k)
                .count() as u32
        };
        let n = &p.networks;
        assert_eq!(placed(DeviceKind::Management), n.oob.switches.total);
        assert_eq!(n.oob.switches.total, 2);
        assert_eq!(
            placed(DeviceKind::Storage),
            n.storage.as_ref().unwrap().counts.switches.total
        );
        assert_eq!(placed(DeviceKind::Inband), n.inband.switches.total);
        assert_eq!(placed(DeviceKind::Appliance), n.ufm + n.management_servers);
        assert_eq!((n.ufm, n.management_servers), (0, 4), "GIGAPOD: no UFM unless asked");
        let mgmt_rack = p
            .layout
            .racks
            .iter()
            .find(|x| x.kind == crate::layout::RackKind::Management)
            .expect("a management rack");
        assert!(mgmt_rack.devices.iter().any(|d| d.name == "mgmt-1"));
        assert!(mgmt_rack.devices.iter().any(|d| d.name.starts_with("stor-")));
        assert!(mgmt_rack.devices.iter().any(|d| d.name.starts_with("inb-")));
    }

    /// The other networks' pluggables count in the placed footprints, at their worst, so that a rack the layout
    /// fills to its limit stays within it whatever the cable plan picks. A G593-H200 (its figure without its
    /// modules) has one 400G QSFP112 storage port (worst module: 9 W, mma1z00-ns400) and two bonded 100G in-band
    /// QSFP28 ports (worst module: the 100G CWDM4's 3.5 W, an estimate, above the 100G AOC's 2.5 W end); its
    /// BMC's Cat6 draws nothing: 9 + 2 x 3.5 = 16 W more than the bare footprint. A management node's two in-band
    /// ports: 7 W.
    #[test]
    fn footprints_carry_the_other_networks_worst_pluggables() {
        let p = Planner::new(Catalog::builtin())
            .plan(&Spec::builder("t", "g593-h200").scalable_units(1).build())
            .unwrap();
        let build = |wired: bool| {
            let none = crate::netwire::Wiring::default();
            super::build(
                &p.resolved,
                &p.fabric,
                Catalog::builtin(),
                p.power.server.server_w,
                if wired { &p.networks.wiring } else { &none },
                if wired {
                    p.networks.storage.as_ref().map(|s| &s.fabric)
                } else {
                    None
                },
            )
        };
        let (bare, wired) = (build(false), build(true));
        let srv = |d: &super::Devices| d.layout_input.sus[0].servers[0].footprint;
        assert_relative_eq!(
            wired_kw(&wired, "mgmt-1") * 1000.0,
            appliance_w(&p) + 7.0,
            epsilon = 1e-9
        );
        assert_relative_eq!((srv(&wired).kw - srv(&bare).kw) * 1000.0, 16.0, epsilon = 1e-9);
        assert_relative_eq!(
            (srv(&wired).room_kw - srv(&bare).room_kw) * 1000.0,
            16.0,
            epsilon = 1e-9
        );
        // Every rack of the plan stays within its limit with the cable plan's actual pluggables.
        let limit = p.resolved.rack_limit.0;
        assert!(p.facility.racks.iter().all(|r| r.kw.0 <= limit + 1e-9));
    }

    fn wired_kw(d: &super::Devices, name: &str) -> f64 {
        d.layout_input
            .management
            .iter()
            .find(|x| x.name == name)
            .map(|x| x.footprint.kw)
            .expect("placed in the management group")
    }

    fn appliance_w(p: &crate::Plan) -> f64 {
        super::appliance_w(&p.resolved.management_node, p.resolved.spec.facility.power_basis).0
    }
}
