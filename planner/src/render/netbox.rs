//! NetBox bulk-import CSVs: the plan as NetBox objects, one file per object type, in the order NetBox needs them
//! ([`FILES`]; each through *Import* with the CSV format, or all at once with `scripts/netbox-push.py`, which
//! loads them through the REST API in batches and updates in place on a re-import). Column names and choices are
//! those of NetBox 4's import forms (`netbox/dcim/forms/bulk_import.py`, `netbox/dcim/choices.py`).
//!
//! - **Names.** The site is named after the plan. Every device name starts with the `[netbox] prefix` (the plan's
//!   name by default): `gigapod-h200-air-srv1`, so that several plans live in one NetBox (NetBox's interface,
//!   power-port and outlet imports find a device by name across sites). Racks, power panels and feeds are named
//!   within their site, and every file that names one gives its site (cables give `side_a_site`).
//! - **Rows** are NetBox locations (`<site> row 1`, ...), each rack in its row's location with a rack role
//!   (`GPU compute rack`, `Network rack`), front-to-rear airflow and its row and position as `facility_id`.
//! - **Manufacturers, roles and device types** are keyed by slug: manufacturers by the vendor's slug (`nvidia`,
//!   `gigabyte`, as the community device-type library names them), device types by `<vendor>-<part>`. The loader
//!   reuses an existing record with that slug instead of creating a second one.
//! - **Power.** Per row and feed a power panel (`row 1 A`, `row 1 B`); per rack and feed as many power feeds as the
//!   rack has PDUs on that feed (`R01-01 A1`, primary on A, redundant on B), each with the catalog PDU's phases,
//!   voltage, amperage and continuous share as `max_utilization`; one PDU device per feed (zero-U, role `PDU`)
//!   with an `input` power port cabled to its feed (no draw of its own, so that NetBox sums its outlets) and an
//!   outlet for each cord plugged into it (its catalog outlet count, which bounds them, is in the description); on every server and switch
//!   one power port per supply (`PSU1` ...), with the device's planned power shared across them as
//!   `allocated_draw` (W) and the PSU rating as `maximum_draw` for servers, each cabled to the next free outlet on
//!   the A and B PDUs in turn. NetBox then shows each rack's planned draw against its feeds.
//! - **Modules**: the servers' fabric NICs and the transceivers are inventory items (`netbox-inventory-items.csv`),
//!   on their device, with the catalog part as `part_id`.
//! - **Interfaces** are the ports the cable plan uses, named as on the faceplate (`12/1` on a switch, `nic3` on a
//!   server) like `cables.csv`; InfiniBand ports are typed by generation (`infiniband-ndr` at 400 Gb/s,
//!   `infiniband-xdr` at 800), Ethernet ones as the device-type library writes them (`400gbase-x-osfp`). Device
//!   types carry no interface templates, so that these rows create exactly the cabled ports.
//! - **Cables**: every fabric link is one NetBox cable between two interfaces, labelled with its physical cable's
//!   label (a breakout's links share a label: NetBox's CSV import takes one termination per side), typed
//!   `dac-passive`, `dac-active`, `aoc`, or by fibre (`mmf-om4` for OM4 multimode parts, `smf` for single-mode);
//!   power cords are cables of type `power`.
//! - Everything is `planned`.

use crate::cabling::CableRole;
use crate::layout::{DeviceKind, RackKind};
use crate::plan::Plan;
use gigapod_catalog::units::Gbps;
use std::collections::{BTreeMap, BTreeSet};

/// The files, in import order.
pub const FILES: [&str; 16] = [
    "netbox-sites.csv",
    "netbox-locations.csv",
    "netbox-manufacturers.csv",
    "netbox-device-roles.csv",
    "netbox-rack-roles.csv",
    "netbox-device-types.csv",
    "netbox-racks.csv",
    "netbox-power-panels.csv",
    "netbox-power-feeds.csv",
    "netbox-devices.csv",
    "netbox-power-ports.csv",
    "netbox-power-outlets.csv",
    "netbox-interfaces.csv",
    "netbox-inventory-items.csv",
    "netbox-cables.csv",
    "netbox-power-cables.csv",
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

/// The device role of a kind: (name, colour).
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

const PDU_ROLE: (&str, &str) = ("PDU", "64748b");

/// The NetBox interface type of a port of `form` at `speed` on a fabric of `protocol` (`infiniband` or
/// `ethernet`): InfiniBand ports by generation, Ethernet ports as the device-type library writes them.
pub fn interface_type(protocol: &str, form: &str, speed: Gbps) -> &'static str {
    if protocol.eq_ignore_ascii_case("infiniband") {
        return match speed.0 {
            800.. => "infiniband-xdr",
            400.. => "infiniband-ndr",
            200.. => "infiniband-hdr",
            100.. => "infiniband-edr",
            56.. => "infiniband-fdr",
            _ => "infiniband-qdr",
        };
    }
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

/// The NetBox cable type of a run: copper and AOC by medium; fibre by the catalog part's fibre (`-om4` OM4
/// multimode, `-om3` OM3, `-sm` single-mode); blank when the part does not say.
pub fn cable_type(media: crate::cabling::Medium, part_id: &str) -> &'static str {
    use crate::cabling::Medium;
    match media {
        Medium::Dac => "dac-passive",
        Medium::Acc => "dac-active",
        Medium::Aoc => "aoc",
        Medium::Cat6 => "cat6",
        Medium::Optic if part_id.contains("-om4") => "mmf-om4",
        Medium::Optic if part_id.contains("-om3") => "mmf-om3",
        Medium::Optic if part_id.contains("-sm") => "smf",
        Medium::Optic => "",
    }
}

/// The prefix of every device name: `[netbox] prefix`, or the plan's name.
pub fn prefix(plan: &Plan) -> &str {
    plan.resolved
        .spec
        .netbox
        .as_ref()
        .and_then(|n| n.prefix.as_deref())
        .unwrap_or(plan.name())
}

/// A device's NetBox name: `<prefix>-<plan name>`.
pub fn device_name(plan: &Plan, name: &str) -> String {
    format!("{}-{name}", prefix(plan))
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
        // Borrowed where a field needs no neutralising (nearly all): no allocation per field.
        let items: Vec<S> = fields.into_iter().collect();
        let cooked: Vec<std::borrow::Cow<'_, str>> = items.iter().map(|f| crate::text::csv_text(f.as_ref())).collect();
        let _ = self.0.write_record(cooked.iter().map(|c| c.as_bytes()));
    }
    fn finish(self) -> Vec<u8> {
        self.0.into_inner().unwrap_or_default()
    }
}

/// Catalog facts of a device part the plan uses.
struct PartFacts {
    vendor: String,
    description: String,
    u: u32,
    kg: f64,
    full_depth: bool,
    /// The device's own power on the plan's basis, before pluggables, W.
    w: f64,
    /// Power inlets (supplies).
    inlets: u32,
    /// A supply's rating, W, where the catalog gives it.
    psu_w: Option<f64>,
}

fn parts(plan: &Plan) -> BTreeMap<String, PartFacts> {
    let r = &plan.resolved;
    let basis = r.spec.facility.power_basis;
    let mut m = BTreeMap::new();
    m.insert(
        r.server.id.to_string(),
        PartFacts {
            vendor: r.server.vendor.clone(),
            description: r.server.description.clone(),
            u: r.server.rack_units.value.0,
            kg: r.server.weight_kg.value.0,
            full_depth: true,
            w: plan.power.server.server_w.0,
            inlets: r.server.psu_count.value.max(1),
            psu_w: Some(r.psu.rating_w.value.0),
        },
    );
    for a in [&r.ufm_appliance, &r.management_node] {
        m.insert(
            a.id.to_string(),
            PartFacts {
                vendor: a.vendor.clone(),
                description: a.description.clone(),
                u: a.rack_units.value.0,
                kg: a.weight_kg.value.0,
                full_depth: true,
                w: crate::devices::appliance_w(a, basis).0,
                inlets: a.psu_count.value.max(1),
                psu_w: None,
            },
        );
    }
    let networks = [Some(&r.oob_switch), Some(&r.inband_switch), r.storage_switch.as_ref()];
    for sw in [&r.switch, &r.management_switch]
        .into_iter()
        .chain(networks.into_iter().flatten())
    {
        m.insert(
            sw.id.to_string(),
            PartFacts {
                vendor: sw.vendor.clone(),
                description: sw.description.clone(),
                u: sw.rack_units.value.0,
                kg: sw.weight_kg.value.0,
                // A half-depth management switch (as the SN2201 is) leaves the rear free.
                full_depth: !sw.description.contains("half depth"),
                w: crate::devices::switch_w(sw, basis).0,
                // A switch whose supplies the catalog does not give is taken as dual-fed (as facility.rs does).
                inlets: sw.psu_count.as_ref().map_or(2, |p| p.value).max(1),
                psu_w: None,
            },
        );
    }
    m
}

/// One PDU of a rack: its name, the feed it hangs on (0 A, 1 B) and its outlets taken so far.
struct Pdu {
    name: String,
    feed_name: String,
    used: u32,
}

/// `W` as NetBox wants it: whole watts.
fn watts(w: f64) -> String {
    format!("{:.0}", w.max(0.0).ceil())
}

/// Renders every NetBox CSV, in import order ([`FILES`]). The interfaces and cables (one line per port and per
/// cable run: most of the bytes at the largest sizes) are rendered on a thread of their own beside the rest.
pub fn files(plan: &Plan) -> Vec<(&'static str, Vec<u8>)> {
    let (mut rest, links) = std::thread::scope(|s| {
        let links = s.spawn(|| link_files(plan));
        let rest = device_files(plan);
        (rest, links.join())
    });
    let [interfaces, cables] = match links {
        Ok(l) => l,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    // FILES order: ... outlets, interfaces, inventory items, cables, power cables.
    rest.insert(12, (FILES[12], interfaces));
    rest.insert(14, (FILES[14], cables));
    rest
}

/// Every NetBox CSV but the interfaces and cables, in import order.
fn device_files(plan: &Plan) -> Vec<(&'static str, Vec<u8>)> {
    let r = &plan.resolved;
    let site = plan.name().to_string();
    let parts = parts(plan);
    let layout = &plan.layout;
    let row_location = |row: u32| format!("row {}", row + 1);

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

    let mut locations = Csv::new(&["site", "name", "slug", "status", "description"]);
    for row in 0..layout.rows {
        let racks = layout.racks.iter().filter(|rk| rk.row == row).count();
        locations.row([
            site.as_str(),
            &row_location(row),
            &slug(&format!("{site}-row-{}", row + 1)),
            "planned",
            &format!("floor row {} of {site}: {racks} racks", row + 1),
        ]);
    }

    let used_parts: BTreeSet<&str> = layout
        .racks
        .iter()
        .flat_map(|rk| rk.devices.iter().map(|d| d.part_id.as_str()))
        .collect();
    let mut vendors: BTreeSet<&str> = used_parts
        .iter()
        .filter_map(|p| parts.get(*p).map(|v| v.vendor.as_str()))
        .collect();
    vendors.insert(r.pdu.vendor.as_str());
    vendors.insert(r.fabric_nic.vendor.as_str());
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
    for (name, colour) in kinds.into_iter().map(role).chain([PDU_ROLE]) {
        roles.row([name, &slug(name), colour]);
    }
    let rack_role = |kind: RackKind| match kind {
        RackKind::Compute => "GPU compute rack",
        RackKind::Network => "Network rack",
        RackKind::Management => "Management rack",
    };
    let mut rack_roles = Csv::new(&["name", "slug", "color"]);
    for (kind, colour) in [
        (RackKind::Compute, "4e79a7"),
        (RackKind::Network, "15803d"),
        (RackKind::Management, "b45309"),
    ] {
        if layout.racks.iter().any(|rk| rk.kind == kind) {
            rack_roles.row([rack_role(kind), &slug(rack_role(kind)), colour]);
        }
    }

    let mut types = Csv::new(&[
        "manufacturer",
        "model",
        "slug",
        "part_number",
        "u_height",
        "is_full_depth",
        "airflow",
        "weight",
        "weight_unit",
        "description",
    ]);
    let type_slug = |vendor: &str, part: &str| slug(&format!("{vendor}-{part}"));
    for p in &used_parts {
        if let Some(f) = parts.get(*p) {
            types.row([
                f.vendor.as_str(),
                p,
                &type_slug(&f.vendor, p),
                p,
                &f.u.to_string(),
                if f.full_depth { "true" } else { "false" },
                "front-to-rear",
                &format!("{:.1}", f.kg),
                "kg",
                &f.description,
            ]);
        }
    }
    let pdu = &r.pdu;
    types.row([
        pdu.vendor.as_str(),
        pdu.id.as_str(),
        &type_slug(&pdu.vendor, pdu.id.as_str()),
        pdu.id.as_str(),
        &pdu.rack_units.value.0.to_string(),
        "false",
        "",
        "",
        "",
        &pdu.description,
    ]);

    let mut racks = Csv::new(&[
        "site",
        "location",
        "name",
        "status",
        "role",
        "facility_id",
        "form_factor",
        "width",
        "u_height",
        "airflow",
        "outer_width",
        "outer_depth",
        "outer_unit",
        "max_weight",
        "weight_unit",
        "description",
    ]);
    for (rk, p) in layout.racks.iter().zip(&plan.facility.racks) {
        let what = match (rk.kind, rk.su) {
            (RackKind::Compute, Some(su)) => format!("SU {} compute rack", su + 1),
            (RackKind::Compute, None) => "compute rack".into(),
            (RackKind::Network, _) => "network rack".into(),
            (RackKind::Management, _) => "management rack".into(),
        };
        racks.row([
            site.as_str(),
            &row_location(rk.row),
            &rk.id,
            "planned",
            rack_role(rk.kind),
            &format!("row {}, position {}", rk.row + 1, rk.position + 1),
            "4-post-cabinet",
            "19",
            &layout.routing.rack_units.to_string(),
            "front-to-rear",
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

    // Power: panels per row and feed, a feed and a PDU per PDU position, supplies on outlets.
    let feeds = plan.facility.feeds.max(1);
    let feed_letter = |f: u32| char::from(b'A' + (f % 26) as u8);
    let mut panels = Csv::new(&["site", "location", "name", "description"]);
    for row in 0..layout.rows {
        for f in 0..feeds {
            panels.row([
                site.as_str(),
                &row_location(row),
                &format!("row {} {}", row + 1, feed_letter(f)),
                &format!("feed {} of floor row {}", feed_letter(f), row + 1),
            ]);
        }
    }
    let mut power_feeds = Csv::new(&[
        "site",
        "power_panel",
        "location",
        "rack",
        "name",
        "status",
        "type",
        "supply",
        "phase",
        "voltage",
        "amperage",
        "max_utilization",
        "description",
    ]);
    let phase = if pdu.phases.value >= 3 {
        "three-phase"
    } else {
        "single-phase"
    };
    let mut devices = Csv::new(&[
        "name",
        "role",
        "manufacturer",
        "device_type",
        "status",
        "site",
        "location",
        "rack",
        "position",
        "face",
        "airflow",
    ]);
    let mut power_ports = Csv::new(&["device", "name", "maximum_draw", "allocated_draw", "description"]);
    let mut outlets = Csv::new(&["device", "name", "power_port", "description"]);
    let mut power_cables = Csv::new(&[
        "side_a_site",
        "side_a_device",
        "side_a_type",
        "side_a_name",
        "side_b_site",
        "side_b_device",
        "side_b_power_panel",
        "side_b_type",
        "side_b_name",
        "type",
        "status",
        "label",
        "description",
    ]);
    let mut inventory = Csv::new(&["device", "name", "status", "manufacturer", "part_id", "description"]);
    let nics_per_server = (plan.fabric.summary().rails / r.fabric_nic.ports.value.max(1)).max(1);
    for (rk, p) in layout.racks.iter().zip(&plan.facility.racks) {
        let location = row_location(rk.row);
        // The rack's PDUs, feed by feed.
        let mut pdus: Vec<Vec<Pdu>> = Vec::new();
        for f in 0..feeds {
            let panel = format!("row {} {}", rk.row + 1, feed_letter(f));
            let mut on_feed = Vec::new();
            for k in 0..p.pdus_per_feed {
                let feed_name = format!("{} {}{}", rk.id, feed_letter(f), k + 1);
                power_feeds.row([
                    site.as_str(),
                    &panel,
                    &location,
                    &rk.id,
                    &feed_name,
                    "planned",
                    if f == 0 { "primary" } else { "redundant" },
                    "ac",
                    phase,
                    &format!("{:.0}", pdu.voltage_v.value),
                    &format!("{:.0}", pdu.current_a.value),
                    &format!("{:.0}", pdu.continuous_fraction.value * 100.0),
                    &format!(
                        "{} circuit for PDU {}{} of rack {}",
                        pdu.id,
                        feed_letter(f),
                        k + 1,
                        rk.id
                    ),
                ]);
                // Named as the cable plan names a rack's PDUs (their OOB ports): `<rack>-pdu<n>`, A's first.
                let name = device_name(plan, &format!("{}-pdu{}", rk.id, f * p.pdus_per_feed + k + 1));
                devices.row([
                    name.as_str(),
                    PDU_ROLE.0,
                    &pdu.vendor,
                    pdu.id.as_str(),
                    "planned",
                    &site,
                    &location,
                    &rk.id,
                    "",
                    "",
                    "",
                ]);
                // No draw of its own: NetBox then sums the supplies on its outlets (a figure here would stand
                // in for them and the rack would show no power).
                power_ports.row([
                    name.as_str(),
                    "input",
                    "",
                    "",
                    &format!(
                        "PDU input from feed {feed_name}; {:.1} kW continuous, {} outlets",
                        pdu.continuous_capacity().0,
                        pdu.outlets.value
                    ),
                ]);
                power_cables.row([
                    site.as_str(),
                    &name,
                    "dcim.powerport",
                    "input",
                    &site,
                    "",
                    &panel,
                    "dcim.powerfeed",
                    &feed_name,
                    "power",
                    "planned",
                    &format!("PWR-{}-{}{}", rk.id, feed_letter(f), k + 1),
                    "PDU input cord",
                ]);
                on_feed.push(Pdu {
                    name,
                    feed_name,
                    used: 0,
                });
            }
            pdus.push(on_feed);
        }
        let mut next_pdu = vec![0usize; pdus.len()];
        // The outlets written are those cabled (the catalog's count bounds them; a PDU's description gives it).
        for d in &rk.devices {
            let name = device_name(plan, &d.name);
            let facts = parts.get(&d.part_id);
            let vendor = facts.map_or("", |f| f.vendor.as_str());
            devices.row([
                name.as_str(),
                role(d.kind).0,
                vendor,
                &d.part_id,
                "planned",
                &site,
                &location,
                &rk.id,
                &d.u.to_string(),
                "front",
                "front-to-rear",
            ]);
            if d.kind == DeviceKind::Server {
                for nic in 1..=nics_per_server {
                    inventory.row([
                        name.as_str(),
                        &format!("NIC{nic}"),
                        "planned",
                        &r.fabric_nic.vendor,
                        r.fabric_nic.id.as_str(),
                        &format!("compute fabric NIC {nic}: {}", r.fabric_nic.description),
                    ]);
                }
            }
            let Some(facts) = facts else { continue };
            // The device's planned draw, pluggables included, shared across its supplies.
            let plug = plan.cables.pluggable_w.get(&d.name).map_or(0.0, |w| w.0);
            let total = facts.w
                + if d.kind == DeviceKind::Server && r.server.power_includes_pluggables() {
                    0.0
                } else {
                    plug
                };
            let share = total / f64::from(facts.inlets);
            for k in 0..facts.inlets {
                let psu = format!("PSU{}", k + 1);
                power_ports.row([
                    name.as_str(),
                    &psu,
                    &facts.psu_w.map(watts).unwrap_or_default(),
                    &watts(share),
                    &format!("supply {} of {}", k + 1, facts.inlets),
                ]);
                // Supplies alternate between the feeds; on a feed, between its PDUs.
                let f = (k % feeds) as usize;
                let on_feed = &mut pdus[f];
                let start = next_pdu[f];
                let Some(i) = (0..on_feed.len())
                    .map(|j| (start + j) % on_feed.len())
                    .find(|&i| on_feed[i].used < pdu.outlets.value)
                else {
                    continue;
                };
                next_pdu[f] = (i + 1) % on_feed.len();
                let target = &mut on_feed[i];
                target.used += 1;
                power_cables.row([
                    site.as_str(),
                    &name,
                    "dcim.powerport",
                    &psu,
                    &site,
                    &target.name,
                    "",
                    "dcim.poweroutlet",
                    &format!("outlet{}", target.used),
                    "power",
                    "planned",
                    &format!("PWR-{}-{psu}", d.name),
                    &format!("power cord from {} (feed {})", psu, target.feed_name),
                ]);
            }
        }
        for unit in pdus.iter().flatten() {
            for o in 1..=unit.used {
                outlets.row([unit.name.as_str(), &format!("outlet{o}"), "input", ""]);
            }
        }
    }

    vec![
        (FILES[0], sites.finish()),
        (FILES[1], locations.finish()),
        (FILES[2], manufacturers.finish()),
        (FILES[3], roles.finish()),
        (FILES[4], rack_roles.finish()),
        (FILES[5], types.finish()),
        (FILES[6], racks.finish()),
        (FILES[7], panels.finish()),
        (FILES[8], power_feeds.finish()),
        (FILES[9], devices.finish()),
        (FILES[10], power_ports.finish()),
        (FILES[11], outlets.finish()),
        (FILES[13], inventory.finish()),
        (FILES[15], power_cables.finish()),
    ]
}

/// `netbox-interfaces.csv` and `netbox-cables.csv`: the ports the cable plan uses, in cable-plan order, each
/// once, and every cable run.
fn link_files(plan: &Plan) -> [Vec<u8>; 2] {
    let r = &plan.resolved;
    let site = plan.name().to_string();
    let layout = &plan.layout;
    let speed = r.nic_speed;
    let switch_form = r
        .switch
        .port_group
        .iter()
        .find(|g| g.modes.iter().any(|m| m.speed_gbps == speed))
        .map_or("osfp", |g| g.form.as_str());
    let protocol = r.switch.protocol.as_str();
    let server_type = interface_type(protocol, &r.fabric_nic.form, speed);
    let switch_type = interface_type(protocol, switch_form, speed);
    let speed_kbps = (speed.0 * 1_000_000).to_string();
    let net_kbps = |g: i64| (g.max(0) * 1_000_000).to_string();
    let storage_speed = Gbps(u64::try_from(r.spec.storage.port_speed_gbps).unwrap_or(400));
    let storage_protocol = r.storage_switch.as_ref().map_or("ethernet", |s| s.protocol.as_str());
    let storage_nic_type = interface_type(
        storage_protocol,
        r.storage_nic.as_ref().map_or("qsfp112", |n| n.form.as_str()),
        storage_speed,
    );
    let storage_switch_type = interface_type(
        storage_protocol,
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
    // Hash sets: millions of ports at the largest sizes (a B-tree of string pairs took seconds).
    let server_names: foldhash::HashSet<&str> = layout
        .racks
        .iter()
        .flat_map(|rk| rk.devices.iter())
        .filter(|d| d.kind == DeviceKind::Server)
        .map(|d| d.name.as_str())
        .collect();
    let mut interfaces = Csv::new(&["device", "name", "type", "speed", "description"]);
    let mut seen: foldhash::HashSet<(&str, &str)> = foldhash::HashSet::default();
    seen.reserve(2 * plan.cables.runs.len());
    let mut cables = Csv::new(&[
        "side_a_site",
        "side_a_device",
        "side_a_type",
        "side_a_name",
        "side_b_site",
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
                interfaces.row([
                    device_name(plan, dev).as_str(),
                    port,
                    kind,
                    &kbps,
                    &format!("{what}, to {}", device_name(plan, other)),
                ]);
            }
        }
        cables.row([
            site.as_str(),
            &device_name(plan, &run.a_device),
            "dcim.interface",
            &run.a_port,
            &site,
            &device_name(plan, &run.b_device),
            "dcim.interface",
            &run.b_port,
            cable_type(run.media, &run.part_id),
            "planned",
            &run.label,
            &super::bom_md::metres(run.length_m.0),
            "m",
            &format!("{} {} ({})", run.media, run.part_id, run.role),
        ]);
    }

    [interfaces.finish(), cables.finish()]
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
    fn interface_types_follow_netbox_choices() {
        assert_eq!(interface_type("infiniband", "osfp-twin", Gbps(400)), "infiniband-ndr");
        assert_eq!(interface_type("infiniband", "osfp", Gbps(800)), "infiniband-xdr");
        assert_eq!(interface_type("ethernet", "osfp", Gbps(800)), "800gbase-x-osfp");
        assert_eq!(interface_type("ethernet", "qsfp112", Gbps(400)), "400gbase-x-qsfp112");
        assert_eq!(interface_type("ethernet", "rj45", Gbps(1)), "other");
    }

    #[test]
    fn cable_types_follow_the_fibre() {
        use crate::cabling::Medium;
        assert_eq!(cable_type(Medium::Optic, "fiber-mpo12-om4"), "mmf-om4");
        assert_eq!(cable_type(Medium::Optic, "fiber-mpo12-sm"), "smf");
        assert_eq!(cable_type(Medium::Dac, "x"), "dac-passive");
        assert_eq!(cable_type(Medium::Optic, "fiber-x"), "");
    }
}
