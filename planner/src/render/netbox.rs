//! NetBox bulk-import CSVs: the plan as NetBox objects, one file per object type, in the order NetBox needs them
//! (Organization > Sites, DCIM > Manufacturers, Device roles, Device types, Racks, Devices, Interfaces, Cables;
//! each through *Import* with the CSV format). Column names are those of NetBox's import forms (NetBox 4).
//!
//! - The site is named after the plan; racks carry their row and position as `facility_id` (`row 2, position 7`).
//! - Device types are the catalog parts (`model` = catalog id), with their height and weight; they carry no
//!   interface templates, so `netbox-interfaces.csv` creates exactly the ports the cable plan uses, named as on
//!   the faceplate (`12/1` on a switch, `nic3` on a server) like `cables.csv`.
//! - Every fabric link is one NetBox cable between two interfaces, labelled with its physical cable's label: a
//!   breakout's two links share a label (NetBox's CSV import takes one termination per side).
//! - Interface types follow the NetBox device-type library (a 400G OSFP port is `400gbase-x-osfp`, also on
//!   InfiniBand switches); cable types map DAC to `dac-passive`, ACC to `dac-active`, AOC to `aoc`; optical links
//!   are left without a type (the plan does not carry the fibre's kind), their part id is in the description.
//! - Everything is `planned`.

use crate::cabling::CableRole;
use crate::layout::DeviceKind;
use crate::plan::Plan;
use gigapod_catalog::units::Gbps;
use std::collections::{BTreeMap, BTreeSet};

/// The files, in import order.
pub const FILES: [&str; 8] = [
    "netbox-sites.csv",
    "netbox-manufacturers.csv",
    "netbox-device-roles.csv",
    "netbox-device-types.csv",
    "netbox-racks.csv",
    "netbox-devices.csv",
    "netbox-interfaces.csv",
    "netbox-cables.csv",
];

/// NetBox's slug of a name: lowercase ASCII letters, digits and dashes.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn role(kind: DeviceKind) -> (&'static str, &'static str) {
    match kind {
        DeviceKind::Server => ("GPU server", "4e79a7"),
        DeviceKind::Leaf => ("Leaf switch", "15803d"),
        DeviceKind::Spine => ("Spine switch", "1d4ed8"),
        DeviceKind::Core => ("Core switch", "7e22ce"),
        DeviceKind::Management => ("Management switch", "b45309"),
        DeviceKind::Storage => ("Storage switch", "0f766e"),
        DeviceKind::Inband => ("In-band switch", "a16207"),
        DeviceKind::Appliance => ("Management node", "64748b"),
    }
}

/// The NetBox interface type of a port of `form` at `speed`, as the device-type library writes them.
pub fn interface_type(form: &str, speed: Gbps) -> &'static str {
    let osfp = form.starts_with("osfp");
    match (speed.0, osfp, form) {
        (800, true, _) => "800gbase-x-osfp",
        (800, false, _) => "800gbase-x-qsfpdd",
        (400, true, _) => "400gbase-x-osfp",
        (400, false, f) if f.starts_with("qsfp112") => "400gbase-x-qsfp112",
        (400, false, _) => "400gbase-x-qsfpdd",
        (200, _, _) => "200gbase-x-qsfp56",
        (100, _, _) => "100gbase-x-qsfp28",
        _ => "other",
    }
}

fn cable_type(media: crate::cabling::Medium) -> &'static str {
    use crate::cabling::Medium;
    match media {
        Medium::Dac => "dac-passive",
        Medium::Acc => "dac-active",
        Medium::Aoc => "aoc",
        Medium::Cat6 => "cat6",
        _ => "",
    }
}

struct Csv(csv::Writer<Vec<u8>>);

impl Csv {
    fn new(header: &[&str]) -> Self {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = w.write_record(header);
        Self(w)
    }
    /// A row; every field is text from the plan or the catalog, made safe for spreadsheets
    /// ([`crate::text::csv_text`]: no field of these files is a negative number).
    fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let fields: Vec<String> = fields
            .into_iter()
            .map(|f| crate::text::csv_text(f.as_ref()).into_owned())
            .collect();
        let _ = self.0.write_record(&fields);
    }
    fn finish(self) -> Vec<u8> {
        self.0.into_inner().unwrap_or_default()
    }
}

/// Catalog facts of a device part the plan uses: (vendor, description, U, kg, full depth).
fn parts(plan: &Plan) -> BTreeMap<String, (String, String, u32, f64, bool)> {
    let r = &plan.resolved;
    let mut m = BTreeMap::new();
    m.insert(
        r.server.id.to_string(),
        (
            r.server.vendor.clone(),
            r.server.description.clone(),
            r.server.rack_units.value.0,
            r.server.weight_kg.value.0,
            true,
        ),
    );
    for a in [&r.ufm_appliance, &r.management_node] {
        m.insert(
            a.id.to_string(),
            (
                a.vendor.clone(),
                a.description.clone(),
                a.rack_units.value.0,
                a.weight_kg.value.0,
                true,
            ),
        );
    }
    // PDUs are zero-U devices of their rack.
    m.insert(
        r.pdu.id.to_string(),
        (r.pdu.vendor.clone(), r.pdu.description.clone(), 0, 0.0, false),
    );
    let networks = [Some(&r.oob_switch), Some(&r.inband_switch), r.storage_switch.as_ref()];
    for sw in [&r.switch, &r.management_switch]
        .into_iter()
        .chain(networks.into_iter().flatten())
    {
        m.insert(
            sw.id.to_string(),
            (
                sw.vendor.clone(),
                sw.description.clone(),
                sw.rack_units.value.0,
                sw.weight_kg.value.0,
                // A half-depth management switch (as the SN2201 is) leaves the rear free.
                !sw.description.contains("half depth"),
            ),
        );
    }
    m
}

/// Renders every NetBox CSV, in import order ([`FILES`]).
pub fn files(plan: &Plan) -> Vec<(&'static str, Vec<u8>)> {
    let r = &plan.resolved;
    let site = plan.name().to_string();
    let parts = parts(plan);
    let layout = &plan.layout;

    let mut sites = Csv::new(&["name", "slug", "status", "description"]);
    sites.row([
        site.as_str(),
        &slug(&site),
        "planned",
        &format!(
            "GPU cluster planned by gigapod: {} x {}",
            plan.compute.servers, plan.compute.server_id
        ),
    ]);

    // Devices the cable plan names that the layout does not place: the racks' PDUs (zero-U), by rack.
    let placed: BTreeSet<&str> = layout
        .racks
        .iter()
        .flat_map(|rk| rk.devices.iter().map(|d| d.name.as_str()))
        .collect();
    let unplaced: BTreeMap<&str, &str> = plan
        .cables
        .runs
        .iter()
        .flat_map(|c| [(&c.a_device, &c.a_rack), (&c.b_device, &c.b_rack)])
        .filter(|(d, rk)| !placed.contains(d.as_str()) && !rk.is_empty())
        .map(|(d, rk)| (d.as_str(), rk.as_str()))
        .collect();
    let mut used_parts: BTreeSet<&str> = layout
        .racks
        .iter()
        .flat_map(|rk| rk.devices.iter().map(|d| d.part_id.as_str()))
        .collect();
    if !unplaced.is_empty() {
        used_parts.insert(r.pdu.id.as_str());
    }
    let vendors: BTreeSet<&str> = used_parts
        .iter()
        .filter_map(|p| parts.get(*p).map(|v| v.0.as_str()))
        .collect();
    let mut manufacturers = Csv::new(&["name", "slug"]);
    for v in &vendors {
        manufacturers.row([*v, &slug(v)]);
    }

    let kinds: BTreeSet<DeviceKind> = layout
        .racks
        .iter()
        .flat_map(|rk| rk.devices.iter().map(|d| d.kind))
        .collect();
    let mut roles = Csv::new(&["name", "slug", "color"]);
    for k in kinds {
        let (name, colour) = role(k);
        roles.row([name, &slug(name), colour]);
    }
    if !unplaced.is_empty() {
        roles.row(["PDU", "pdu", "475569"]);
    }

    let mut types = Csv::new(&[
        "manufacturer",
        "model",
        "slug",
        "part_number",
        "u_height",
        "is_full_depth",
        "weight",
        "weight_unit",
        "description",
    ]);
    for p in &used_parts {
        if let Some((vendor, description, u, kg, full)) = parts.get(*p) {
            types.row([
                vendor.as_str(),
                p,
                &slug(&format!("{vendor}-{p}")),
                p,
                &u.to_string(),
                if *full { "true" } else { "false" },
                &format!("{kg:.1}"),
                "kg",
                description,
            ]);
        }
    }

    let mut racks = Csv::new(&[
        "site",
        "name",
        "status",
        "facility_id",
        "form_factor",
        "width",
        "u_height",
        "outer_width",
        "outer_depth",
        "outer_unit",
        "max_weight",
        "weight_unit",
        "description",
    ]);
    for (rk, p) in layout.racks.iter().zip(&plan.facility.racks) {
        let what = match (rk.kind, rk.su) {
            (crate::layout::RackKind::Compute, Some(su)) => format!("SU {} compute rack", su + 1),
            (crate::layout::RackKind::Compute, None) => "compute rack".into(),
            (crate::layout::RackKind::Network, _) => "network rack".into(),
            (crate::layout::RackKind::Management, _) => "management rack".into(),
        };
        racks.row([
            site.as_str(),
            &rk.id,
            "planned",
            &format!("row {}, position {}", rk.row + 1, rk.position + 1),
            "4-post-cabinet",
            "19",
            &layout.routing.rack_units.to_string(),
            &format!("{:.0}", r.rack.width_mm.value.0),
            &format!("{:.0}", r.rack.depth_mm.value.0),
            "mm",
            &format!("{:.0}", r.rack.max_weight_kg.value.0),
            "kg",
            &format!(
                "{what}: {:.1} kW of {:.1} kW, {:.0} kg, {} PDUs per feed ({})",
                p.kw.0,
                r.rack_limit.0,
                p.kg.0,
                p.pdus_per_feed,
                if r.feeds >= 2 { "A/B" } else { "one feed" }
            ),
        ]);
    }

    let mut devices = Csv::new(&[
        "name",
        "role",
        "manufacturer",
        "device_type",
        "status",
        "site",
        "rack",
        "position",
        "face",
    ]);
    for rk in &layout.racks {
        for d in &rk.devices {
            let vendor = parts.get(&d.part_id).map_or("", |v| v.0.as_str());
            devices.row([
                d.name.as_str(),
                role(d.kind).0,
                vendor,
                &d.part_id,
                "planned",
                &site,
                &rk.id,
                &d.u.to_string(),
                "front",
            ]);
        }
    }

    for (d, rk) in &unplaced {
        let vendor = parts.get(r.pdu.id.as_str()).map_or("", |v| v.0.as_str());
        devices.row([*d, "PDU", vendor, r.pdu.id.as_str(), "planned", &site, rk, "", ""]);
    }

    // Interfaces: the ports the cable plan uses, in cable-plan order, each once.
    let speed = r.nic_speed;
    let switch_form = r
        .switch
        .port_group
        .iter()
        .find(|g| g.modes.iter().any(|m| m.speed_gbps == speed))
        .map_or("osfp", |g| g.form.as_str());
    let server_type = interface_type(&r.fabric_nic.form, speed);
    let switch_type = interface_type(switch_form, speed);
    let speed_kbps = (speed.0 * 1_000_000).to_string();
    let net_kbps = |g: i64| (g.max(0) * 1_000_000).to_string();
    let storage_speed = Gbps(u64::try_from(r.spec.storage.port_speed_gbps).unwrap_or(400));
    let storage_nic_type = interface_type(
        r.storage_nic.as_ref().map_or("qsfp112", |n| n.form.as_str()),
        storage_speed,
    );
    let storage_switch_type = interface_type(
        r.storage_switch
            .as_ref()
            .and_then(|s| {
                s.port_group
                    .iter()
                    .find(|g| g.modes.iter().any(|m| m.speed_gbps == storage_speed))
            })
            .map_or("osfp", |g| g.form.as_str()),
        storage_speed,
    );
    let server_names: BTreeSet<&str> = layout
        .racks
        .iter()
        .flat_map(|rk| rk.devices.iter())
        .filter(|d| d.kind == DeviceKind::Server)
        .map(|d| d.name.as_str())
        .collect();
    let mut interfaces = Csv::new(&["device", "name", "type", "speed", "description"]);
    let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut cables = Csv::new(&[
        "side_a_device",
        "side_a_type",
        "side_a_name",
        "side_b_device",
        "side_b_type",
        "side_b_name",
        "type",
        "status",
        "label",
        "length",
        "length_unit",
        "description",
    ]);
    for run in &plan.cables.runs {
        for (dev, port, other) in [
            (&run.a_device, &run.a_port, &run.b_device),
            (&run.b_device, &run.b_port, &run.a_device),
        ] {
            if seen.insert((dev.as_str(), port.as_str())) {
                let server = server_names.contains(dev.as_str());
                let (kind, kbps, what) = match run.role {
                    CableRole::Oob => ("1000base-t", "1000000".to_string(), "out-of-band"),
                    CableRole::Inband => ("100gbase-x-qsfp28", net_kbps(r.spec.inband.port_speed_gbps), "in-band"),
                    CableRole::Storage => (
                        if server { storage_nic_type } else { storage_switch_type },
                        net_kbps(r.spec.storage.port_speed_gbps),
                        "storage fabric",
                    ),
                    _ if server => (server_type, speed_kbps.clone(), "compute fabric"),
                    _ => (switch_type, speed_kbps.clone(), "compute fabric"),
                };
                interfaces.row([dev.as_str(), port, kind, &kbps, &format!("{what}, to {other}")]);
            }
        }
        cables.row([
            run.a_device.as_str(),
            "dcim.interface",
            &run.a_port,
            &run.b_device,
            "dcim.interface",
            &run.b_port,
            cable_type(run.media),
            "planned",
            &run.label,
            &super::bom_md::metres(run.length_m.0),
            "m",
            &format!("{} {} ({})", run.media, run.part_id, run.role),
        ]);
    }

    vec![
        (FILES[0], sites.finish()),
        (FILES[1], manufacturers.finish()),
        (FILES[2], roles.finish()),
        (FILES[3], types.finish()),
        (FILES[4], racks.finish()),
        (FILES[5], devices.finish()),
        (FILES[6], interfaces.finish()),
        (FILES[7], cables.finish()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_netbox_slugs() {
        assert_eq!(slug("NVIDIA"), "nvidia");
        assert_eq!(slug("GIGABYTE-g593-h200"), "gigabyte-g593-h200");
        assert_eq!(slug("GPU server"), "gpu-server");
        assert_eq!(slug("a  b--c."), "a-b-c");
    }

    #[test]
    fn interface_types_follow_the_device_type_library() {
        assert_eq!(interface_type("osfp-twin", Gbps(400)), "400gbase-x-osfp");
        assert_eq!(interface_type("osfp", Gbps(800)), "800gbase-x-osfp");
        assert_eq!(interface_type("qsfp112", Gbps(400)), "400gbase-x-qsfp112");
        assert_eq!(interface_type("rj45", Gbps(1)), "other");
    }
}
