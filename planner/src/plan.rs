//! From a resolved spec to a checked plan: the model every output is drawn from.

use crate::bom::{BomBuilder, BomCategory, BomLine};
use crate::cabling::{self, CablePlan, CableRole, CageForms};
use crate::check::{Check, Status};
use crate::error::Error;
use crate::fabric::{self, Fabric, FabricAnalysis, FabricRequest};
use crate::facility::{self, FacilityPower};
use crate::layout::{self, Layout, LayoutError};
use crate::media;
use crate::planner::{PlanOptions, Planner, SpecRef};
use crate::power::{self, PsuCheck, ServerPower};
use crate::spec::{Resolved, SpecFile};
use gigapod_catalog::diagnostic::KeyPath;
use gigapod_catalog::units::Meters;
use gigapod_catalog::units::Watts;
use gigapod_catalog::{Catalog, Diagnostics, Sourced};
use serde::Serialize;

/// The cluster's size.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ComputeSummary {
    /// Catalog id of the server.
    pub server_id: String,
    /// Catalog id of its GPU.
    pub gpu_id: String,
    /// Servers.
    pub servers: u32,
    /// GPUs.
    pub gpus: u64,
    /// GPUs per server.
    pub gpus_per_server: u32,
    /// Scalable units, the last one possibly partial.
    pub scalable_units: u32,
    /// Servers per full scalable unit.
    pub servers_per_su: u32,
    /// Servers in the last scalable unit (equal to `servers_per_su` when it is full).
    pub servers_in_last_su: u32,
    /// Fabric NIC ports per server (rails).
    pub rails: u32,
}

/// Power of the plan, as far as it is known.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PowerSummary {
    /// One server, with its breakdown.
    pub server: ServerPower,
    /// The PSU redundancy check of one server.
    pub psu: PsuCheck,
}

/// A checked plan.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Plan {
    /// The spec resolved against the catalog.
    pub resolved: Resolved,
    /// Size.
    pub compute: ComputeSummary,
    /// Power.
    pub power: PowerSummary,
    /// The compute fabric as built.
    pub fabric: Fabric,
    /// What the fabric measures.
    pub fabric_analysis: FabricAnalysis,
    /// Racks, devices at their U, and the floor.
    pub layout: Layout,
    /// Every link with its ends, length and medium.
    pub cables: CablePlan,
    /// Power per rack, row and cluster; heat; feeds.
    pub facility: FacilityPower,
    /// Out-of-band management switches.
    pub management_switches: u32,
    /// The storage, in-band and out-of-band networks, UFM and management nodes (networks.rs).
    pub networks: crate::networks::Networks,
    /// CapEx, OpEx and TCO, when the spec has a `[cost]` section.
    pub cost: Option<crate::cost::CostReport>,
    /// Bill of materials.
    pub bom: Vec<BomLine>,
    /// The design verdicts, in the order they ran (docs/checks.md).
    pub checks: Vec<Check>,
    /// The invariants of the planner's construction, in the order they ran: a failure is a planner bug.
    pub internal_checks: Vec<Check>,
}

impl Plan {
    /// The worst status among the verdicts and the invariants (a broken invariant makes the plan fail: it cannot
    /// be trusted).
    pub fn status(&self) -> Status {
        self.checks
            .iter()
            .chain(&self.internal_checks)
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Pass)
    }

    /// The plan's name (from the spec).
    pub fn name(&self) -> &str {
        &self.resolved.spec.name
    }
}

/// Plans a parsed spec against a catalog with the default options: a thin wrapper of
/// `Planner::new(catalog).plan(spec)` (see [`Planner`]), kept for existing callers.
///
/// ```
/// use gigapod_catalog::{Catalog, SourceFile};
/// use gigapod_planner::{plan, spec::Spec};
/// let spec = Spec::parse(SourceFile::new("su.toml", r#"
/// name = "one-su"
/// [compute]
/// server = "g593-h200"
/// scalable_units = 1
/// "#)).unwrap();
/// let p = plan(&spec, Catalog::builtin()).unwrap();
/// assert_eq!(p.compute.gpus, 256);
/// ```
pub fn plan(spec: &SpecFile, catalog: &Catalog) -> Result<Plan, Error> {
    Planner::new(catalog).plan(spec)
}

/// [`plan`], reporting each step to `progress` as it starts. A thin wrapper of [`Planner::progress`].
pub fn plan_with(spec: &SpecFile, catalog: &Catalog, progress: &dyn crate::progress::Progress) -> Result<Plan, Error> {
    Planner::new(catalog).progress(progress).plan(spec)
}

/// The stages in order (docs/architecture.md). Each returns its value and its checks; verdicts and invariants are
/// split at the end by [`Check::kind`](crate::check::Check::kind).
pub(crate) fn plan_steps(
    spec: SpecRef<'_>,
    catalog: &Catalog,
    options: &PlanOptions,
    progress: &dyn crate::progress::Progress,
) -> Result<Plan, Error> {
    const STEPS: usize = 5;
    check_options(options)?;
    let r = spec.resolve(catalog).map_err(Error::Spec)?;
    // With NIC ports split over planes, every link runs at the split speed, and a NIC cage carries its sub-ports.
    let split = r.spec.fabric.planes.split();
    let link_r = plane_links(&r, split);
    check_media_exist(spec, link_r.as_ref().unwrap_or(&r), catalog)?;
    let endpoints = u64::from(r.servers) * u64::from(r.rails);
    progress.step(1, STEPS, &format!("building the fabric ({endpoints} endpoints)"));
    let fabric = build_fabric(spec, &r, catalog)?;
    progress.step(
        2,
        STEPS,
        &format!("max-flow checks of the fabric ({} switches)", fabric.switches().len()),
    );
    let (fabric_analysis, fabric_checks) = stage_analysis(&fabric, options);
    let compute = compute_summary(&r, &fabric);
    let (power, mut checks) = stage_power(&r);
    checks.extend(fabric_checks);
    checks.extend(crate::advisories::leaf_fill(&r, &fabric));
    checks.extend(crate::advisories::aliases(&r, catalog));
    checks.extend(crate::server_checks::for_plan(&r, catalog));

    progress.step(
        3,
        STEPS,
        &format!("placing {} servers and {} switches", r.servers, fabric.switches().len()),
    );
    let mut forms = CageForms::of(link_r.as_ref().unwrap_or(&r));
    forms.nic_ports_per_cage *= split;
    // The networks' OOB switches count the racks' PDUs, which the layout decides: start with none, and lay out
    // again while the PDUs the layout needs (on the devices' worst-case power) change the wiring. Distributed
    // management adds an OOB switch per network and management rack, which the layout counts too. With
    // `management.placement = "auto"`, a central plan whose management runs do not reach is planned again
    // distributed (docs/networks.md).
    use crate::networks::ManagementPlacement;
    let placement = r.spec.management.placement;
    let mut distributed = match placement {
        ManagementPlacement::Distributed => true,
        ManagementPlacement::Central => false,
        _ => r.spec.facility.hall_limits().any(),
    };
    let mut placement_reason = match placement {
        ManagementPlacement::Auto if distributed => "the site has hall limits (facility.hall_*)".to_string(),
        ManagementPlacement::Auto => "every central management run reaches".to_string(),
        _ => "set by management.placement".to_string(),
    };
    let (networks, wiring, devices, layout, layout_checks, network_checks, network_cables, rack_oob_check) = loop {
        let mut pdus = (vec![0u32; r.scalable_units as usize], 0u32);
        let mut central_racks = 0u32;
        let mut round = 0;
        let (networks, mut wiring, devices, layout, layout_checks, network_checks) = loop {
            round += 1;
            let (networks, wiring, network_checks) =
                stage_networks(spec, &r, catalog, &fabric, &pdus, (distributed, central_racks))?;
            let (devices, layout, layout_checks) = stage_layout(
                spec,
                &r,
                catalog,
                options,
                &fabric,
                &power,
                &forms,
                &wiring,
                networks.storage.as_ref().map(|s| &s.fabric),
            )?;
            let needed = estimated_pdus(&r, &layout, &devices, distributed);
            let racks = if distributed {
                central_racks_of(&layout, &wiring)
            } else {
                0
            };
            if (needed == pdus && racks == central_racks) || round >= 6 {
                break (networks, wiring, devices, layout, layout_checks, network_checks);
            }
            pdus = needed;
            central_racks = racks;
        };
        let rack_pdus = estimated_rack_pdus(&r, &layout, &devices);
        let orphans = crate::netwire::wire_rack_oob(
            &mut wiring,
            &layout,
            r.oob_switch.ports_at(gigapod_catalog::units::Gbps(1)),
            &|i| rack_pdus.get(i).copied().unwrap_or(0),
        );
        let mut networks = networks;
        networks.reconcile(&wiring);
        networks.placement = (
            if distributed {
                ManagementPlacement::Distributed
            } else {
                ManagementPlacement::Central
            },
            placement_reason.clone(),
        );
        match stage_network_cabling(spec, &r, catalog, &networks, &wiring, &layout) {
            Ok(c) => {
                let check = wiring.distributed.then(|| {
                    let unused = central_racks_of(&layout, &wiring) as usize != wiring.rack_oob.len();
                    Check::invariant(
                        "networks.rack_oob",
                        orphans.is_empty() && !unused,
                        format!(
                            "{} OOB switches, one in each network and management rack{}{}",
                            wiring.rack_oob.len(),
                            if orphans.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    "; without an OOB port: {}",
                                    orphans.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                                )
                            },
                            if unused {
                                "; some stand in a rack of their own"
                            } else {
                                ""
                            }
                        ),
                    )
                });
                break (
                    networks,
                    wiring,
                    devices,
                    layout,
                    layout_checks,
                    network_checks,
                    c,
                    check,
                );
            }
            Err(Error::Media { source, .. }) if placement == ManagementPlacement::Auto && !distributed => {
                placement_reason = format!("a central management run does not reach: {source}");
                distributed = true;
            }
            Err(e) => return Err(e),
        }
    };
    progress.step(4, STEPS, &format!("routing {} links", fabric.graph().edge_count()));
    let mut cables = stage_cabling(spec, &r, &fabric, &layout, catalog, &forms)?;
    checks.extend(split_nic_modules(&r, &cables, catalog, split));
    cables.append(network_cables);
    progress.step(5, STEPS, "power, feeds and the bill of materials");
    let (facility, facility_checks) = stage_facility(spec, &r, catalog, &layout, &devices, &cables)?;
    let mut networks = networks;
    let pdu_checks = cable_pdus(&r, &layout, &facility, &wiring, &mut networks, &mut cables, catalog);
    // The networks keep their wiring (moved, not copied: millions of links at the largest sizes).
    networks.wiring = wiring;
    checks.extend(facility_checks);
    checks.extend(crate::peak::checks(
        &r,
        &layout,
        &facility,
        &devices.power,
        &power.server,
    ));
    checks.extend(layout_checks);
    checks.extend(network_checks);
    checks.extend(pdu_checks);
    checks.extend(rack_oob_check);
    let management_switches = devices.management_switches;
    let bom = build_bom(
        &r,
        &power,
        &fabric,
        &layout,
        &cables,
        &facility,
        management_switches,
        &networks,
        catalog,
    );
    let (cost, cost_checks) = stage_cost(&r, catalog, &bom, &facility, &compute);
    checks.extend(cost_checks);
    let checks = crate::basis::mark(checks, &r, &power.server, &cables, catalog);
    let (internal_checks, checks) = checks.into_iter().partition(Check::is_invariant);
    Ok(Plan {
        internal_checks,
        resolved: r,
        compute,
        power,
        fabric,
        fabric_analysis,
        layout,
        cables,
        facility,
        management_switches,
        networks,
        cost,
        bom,
        checks,
    })
}

/// `cables.split_nic`: with NIC ports split over planes, the module in a server's NIC cage must carry all of the
/// cage's sub-ports (an 800G port as 2 x 400G to two planes needs a two-link module). Fails, naming the module and
/// what it lacks, when the media chooser (which gives a NIC port's module one link) picked a smaller one.
fn split_nic_modules(r: &Resolved, cables: &CablePlan, catalog: &Catalog, split: u32) -> Vec<Check> {
    if split < 2 {
        return Vec::new();
    }
    let (form, per_cage) = crate::devices::server_cages(r);
    let need = per_cage * split;
    let short: Vec<String> = cables
        .transceivers_by_side
        .keys()
        .filter(|(_, side)| *side == cabling::Side::System)
        .filter_map(|(id, _)| {
            let links = catalog.transceiver(id).map_or(1, |t| t.links.value);
            (links < need).then(|| format!("`{id}` carries {links}"))
        })
        .collect();
    vec![Check::verdict(
        "cables.split_nic",
        short.is_empty(),
        if short.is_empty() {
            format!("every NIC-side module carries the {need} sub-ports of its `{form}` cage ({split} planes)")
        } else {
            format!(
                "each `{form}` NIC cage carries {need} sub-ports ({split} planes) but {}: the catalog needs a {} Gb/s module \
                 of {need} links for `{form}` (add one with --catalog), or use planes = 1 or \"per-rail\"",
                short.join(", "),
                r.nic_speed.0 / u64::from(split)
            )
        },
    )]
}

/// The spec as its links see it when every NIC port is split `split` ways over planes: the link speed is the
/// NIC's divided by `split` (`None` without a split, or when it does not divide: the fabric builder says so).
fn plane_links(r: &Resolved, split: u32) -> Option<Resolved> {
    let n = u64::from(split);
    (split > 1 && r.nic_speed.0.is_multiple_of(n)).then(|| {
        let mut l = r.clone();
        l.nic_speed = gigapod_catalog::units::Gbps(r.nic_speed.0 / n);
        l
    })
}

/// Stage: the storage fabric, in-band and out-of-band networks, sized by the rules of networks.rs from the compute
/// fabric and the racks' PDUs (each SU's compute racks, then the others), and wired by netwire.rs; the storage
/// bandwidth is checked against `storage.target`.
fn stage_networks(
    spec: SpecRef<'_>,
    r: &Resolved,
    catalog: &Catalog,
    compute: &Fabric,
    pdus: &(Vec<u32>, u32),
    management: (bool, u32),
) -> Result<(crate::networks::Networks, crate::netwire::Wiring, Vec<Check>), Error> {
    use crate::networks::{self, NetworkInputs};
    let (su_pdus, other_pdus) = (pdus.0.clone(), pdus.1);
    let leaves = compute.summary().switches.leaf;
    let inp = NetworkInputs {
        servers: r.servers,
        servers_per_su: r.servers_per_su,
        // One port of each storage card; its other port is the node's in-band port (pod-facts A.1.2: "each pair
        // of in-band management and storage ports"; Table 8: 254 storage transceivers for 127 DGX).
        catalog_storage_ports: r.server.storage_nic_count.as_ref().map_or(0, |n| n.value),
        dgx_reference: networks::reference_ufm(&r.server),
        compute,
        compute_leaves_per_su: leaves.div_ceil(r.scalable_units.max(1)),
        su_pdus: su_pdus.clone(),
        other_pdus,
        storage_switch: r.storage_switch.as_ref(),
        compute_switch_has_ufm_port: networks::switch_has_ufm_port(&r.switch),
        inband_ports: r.inband_switch.ports_at(gigapod_catalog::units::Gbps(
            u64::try_from(r.spec.inband.port_speed_gbps).unwrap_or(100),
        )),
        oob_ports: r.oob_switch.ports_at(gigapod_catalog::units::Gbps(1)),
    };
    let s = &r.spec;
    let mut n = networks::build(&inp, &s.storage, &s.inband, &s.oob, &s.management).map_err(|e| {
        let key = match &e {
            networks::NetworkError::Storage(_) => "storage.switch",
            networks::NetworkError::TooFewPorts { network, .. } => match *network {
                "inband" => "inband.switch",
                "storage" => "storage.switch",
                _ => "oob.switch",
            },
        };
        Error::Spec(catalog_or_spec_error(
            spec,
            catalog,
            "",
            "",
            key,
            e.to_string(),
            "choose a switch with more ports at that speed, or change the network's key",
        ))
    })?;
    let mut checks = Vec::new();
    if let Some(st) = &n.storage {
        let (node_t, su_t) = s.storage.target.read_gb_per_s();
        let ok = st.per_node_gb_per_s >= node_t && st.per_su_gb_per_s >= su_t;
        checks.push(Check::verdict(
            "storage.bandwidth",
            ok,
            format!(
                "storage read {:.1} GB/s per node (target {node_t} GB/s) and {:.1} GB/s per SU (target {su_t} GB/s), \
                 `{:?}` level of the RA's Table 6; storage fabric {} switches, bisection {} Gb/s by max-flow",
                st.per_node_gb_per_s,
                st.per_su_gb_per_s,
                s.storage.target,
                st.counts.switches.total,
                st.counts.bisection_gbps.map_or(0, |g| g.0),
            ),
        ));
    }
    let mut inputs = wire_inputs(r, compute, &su_pdus, other_pdus);
    (inputs.distributed, inputs.central_racks) = management;
    let wiring = crate::netwire::wire(&inputs, &n, &s.management);
    n.reconcile(&wiring);
    if n.ufm > 0 && wiring.ufm_compute_ports == 0 && !networks::switch_has_ufm_port(&r.switch) {
        checks.push(Check::warn(
            "networks.ufm_port",
            format!(
                "{} UFM appliance(s) need a compute leaf port, and every leaf port of SU 1 is taken by the {} servers: \
                 leave one server slot in SU 1 (the RA's 31 nodes + UFM), e.g. `compute.servers = {}`",
                n.ufm,
                r.servers.min(r.servers_per_su),
                r.servers.saturating_sub(1)
            ),
        ));
    }
    Ok((n, wiring, checks))
}

/// What the wiring needs from the resolved spec.
fn wire_inputs<'a>(
    r: &'a Resolved,
    compute: &'a Fabric,
    su_pdus: &[u32],
    other_pdus: u32,
) -> crate::netwire::WireInputs<'a> {
    use gigapod_catalog::units::Gbps;
    let speed = |g: i64, d: u64| Gbps(u64::try_from(g).unwrap_or(d));
    let storage_speed = speed(r.spec.storage.port_speed_gbps, 400);
    let inband_speed = speed(r.spec.inband.port_speed_gbps, 100);
    let form_at = |s: &'a gigapod_catalog::Switch, speed: Gbps| {
        s.port_group
            .iter()
            .find(|g| g.modes.iter().any(|m| m.speed_gbps == speed))
            .map_or("osfp-twin", |g| g.form.as_str())
    };
    let st = r.storage_switch.as_ref().unwrap_or(&r.switch);
    crate::netwire::WireInputs {
        servers: r.servers,
        servers_per_su: r.servers_per_su,
        compute,
        compute_form: form_at(&r.switch, r.nic_speed),
        compute_ports: r.switch.ports_at(r.nic_speed),
        compute_ufm_port: r.switch.ufm_port.as_ref().map(|p| p.value.as_str()),
        storage_form: form_at(st, storage_speed),
        storage_nic_form: r.storage_nic.as_ref().map_or("qsfp112", |n| n.form.as_str()),
        storage_ports: st.ports_at(storage_speed),
        storage_speed,
        // The spec check holds the storage switch to this protocol.
        storage_protocol: r.spec.storage.fabric.protocol().unwrap_or("infiniband"),
        inband_ports: r.inband_switch.ports_at(inband_speed),
        inband_speed,
        bond: u32::try_from(r.spec.inband.bond.max(1)).unwrap_or(2),
        user_storage_ports: u32::try_from(r.spec.inband.user_storage_ports.max(0)).unwrap_or(0),
        oob_ports: r.oob_switch.ports_at(gigapod_catalog::units::Gbps(1)),
        su_pdus: su_pdus.to_vec(),
        other_pdus,
        distributed: false,
        central_racks: 0,
    }
}

/// The PDUs each SU's compute racks and the other racks need, on the devices' worst-case power (the layout's
/// footprints, every cage at its most power-hungry module): the cable plan's pluggables can only lower it.
fn estimated_pdus(
    r: &Resolved,
    layout: &Layout,
    devices: &crate::devices::Devices,
    distributed: bool,
) -> (Vec<u32>, u32) {
    pdus_by_su(r, layout, &estimated_rack_pdus(r, layout, devices), distributed)
}

/// The PDUs of every rack (layout order) on the devices' worst-case power. A rack past the PDUs a feed may take
/// is the facility stage's input error; here it counts at that limit, which bounds the wiring.
fn estimated_rack_pdus(r: &Resolved, layout: &Layout, devices: &crate::devices::Devices) -> Vec<u32> {
    let li = &devices.layout_input;
    let mut worst = devices.power.clone();
    for d in li
        .sus
        .iter()
        .flat_map(|s| s.servers.iter().chain(&s.network))
        .chain(&li.global_network)
        .chain(&li.management)
        .chain(&li.rack_switches)
    {
        if let Some(p) = worst.get_mut(&d.name) {
            p.w = Watts(d.footprint.kw * 1000.0);
            p.includes_pluggables = true;
        }
    }
    let f = facility::compute(layout, &worst, &CablePlan::empty(), &r.pdu, r.feeds);
    f.racks
        .iter()
        .map(|p| p.pdus_per_feed.min(r.max_pdus_per_feed).saturating_mul(f.feeds))
        .collect()
}

/// Distributed management: the racks that need an OOB switch of their own (network racks of the spines and
/// cores, management racks), not counting a rack that holds nothing but such switches.
fn central_racks_of(layout: &Layout, w: &crate::netwire::Wiring) -> u32 {
    let own: std::collections::HashSet<&str> = w.rack_oob.iter().map(String::as_str).collect();
    layout
        .racks
        .iter()
        .filter(|x| {
            matches!(
                (x.kind, x.su),
                (layout::RackKind::Network, None) | (layout::RackKind::Management, _)
            ) && x.devices.iter().any(|d| !own.contains(d.name.as_str()))
        })
        .count() as u32
}

/// The SU whose OOB switches take a rack's PDUs: its compute racks', and distributed also its network racks'
/// (they stand in its block); `None`: the central OOB switches (distributed: the rack's own).
fn pdu_su(rack: &layout::RackPlan, distributed: bool) -> Option<u32> {
    match rack.kind {
        layout::RackKind::Compute => rack.su,
        layout::RackKind::Network if distributed => rack.su,
        _ => None,
    }
}

/// PDUs of each SU's compute racks, and of the other racks, from every rack's count.
fn pdus_by_su(r: &Resolved, layout: &Layout, rack_pdus: &[u32], distributed: bool) -> (Vec<u32>, u32) {
    let mut su_pdus = vec![0u32; r.scalable_units as usize];
    let mut other = 0;
    for (rack, &n) in layout.racks.iter().zip(rack_pdus) {
        match (pdu_su(rack, distributed), rack.su) {
            (Some(_), Some(su)) if (su as usize) < su_pdus.len() => {
                su_pdus[su as usize] = su_pdus[su as usize].saturating_add(n)
            }
            _ => other = u32::saturating_add(other, n),
        }
    }
    (su_pdus, other)
}

/// Stage: the cables of the storage fabric (from its graph, cage by cage), and of the UFM, in-band and OOB links.
fn stage_network_cabling(
    spec: SpecRef<'_>,
    r: &Resolved,
    catalog: &Catalog,
    n: &crate::networks::Networks,
    w: &crate::netwire::Wiring,
    layout: &Layout,
) -> Result<CablePlan, Error> {
    let err = |e: media::NoMedia, key: &str| Error::Media {
        diagnostics: match oversized_rack(spec, r, catalog, &e) {
            Some(d) => d,
            None => spec
                .source
                .at_key(
                    &KeyPath::dotted(if spec.source.has_key(&KeyPath::dotted(key)) {
                        key
                    } else {
                        "compute.server"
                    }),
                    format!("{key}: {e}"),
                )
                .with_help(if w.distributed {
                    "add the cables or transceivers the message names with --catalog FILE.toml (docs/catalog.md)"
                } else {
                    "set `management.placement = \"distributed\"` so that each SU's management and storage leaves \
                     stand with it (docs/networks.md), or add the cables or transceivers the message names with \
                     --catalog FILE.toml (docs/catalog.md)"
                })
                .into(),
        },
        source: Box::new(e),
    };
    let mut out = CablePlan::empty();
    if let (Some(st), Some(sw)) = (&n.storage, &r.storage_switch) {
        let speed = st.fabric.speed();
        let forms = CageForms {
            switch_form: sw
                .port_group
                .iter()
                .find(|g| g.modes.iter().any(|m| m.speed_gbps == speed))
                .map_or("osfp-twin", |g| g.form.as_str()),
            ports_per_cage: sw.ports_per_cage_at(speed).unwrap_or(1),
            nic_form: r.storage_nic.as_ref().map_or("qsfp112", |x| x.form.as_str()),
            nic_ports_per_cage: 1,
            protocol: sw.protocol.as_str(),
            switch_sink: sw.cage_heat_sink_at(speed),
            nic_sink: r
                .storage_nic
                .as_ref()
                .and_then(|x| x.heat_sink.as_ref())
                .map(|h| h.value),
        };
        out.append(
            cabling::plan_storage(&st.fabric, layout, catalog, &forms, "stor-")
                .map_err(|e| err(e, "storage.switch"))?,
        );
    }
    out.append(cabling::plan_links(&w.links, layout, catalog).map_err(|b| {
        let (e, role) = *b;
        let key = match role {
            CableRole::Ufm => "management.ufm_appliance",
            CableRole::Storage => "storage.switch",
            CableRole::Oob => "oob.switch",
            _ => "inband.switch",
        };
        err(e, key)
    })?);
    Ok(out)
}

/// Cables every PDU the facility counts to the OOB port kept for it (its SU's switches for a compute rack's PDUs,
/// the central ones for the others), and counts them in `networks.oob`. A PDU left without a port is a planner
/// invariant broken (the ports are kept on the worst-case power, which the cable plan can only lower).
fn cable_pdus(
    r: &Resolved,
    layout: &Layout,
    facility: &FacilityPower,
    w: &crate::netwire::Wiring,
    n: &mut crate::networks::Networks,
    cables: &mut CablePlan,
    catalog: &Catalog,
) -> Vec<Check> {
    use crate::netwire::{NetEnd, NetLink};
    // A rack's PDU takes the first free port kept for that rack, else for its SU, else the first free one: queues
    // in port order per rack and per SU, so that this is linear in the ports (it was quadratic: 4.5 s of 23 s at
    // 65,536 servers).
    use std::collections::{HashMap, VecDeque};
    let ports = &w.pdu_ports;
    let mut taken = vec![false; ports.len()];
    let mut by_rack: HashMap<usize, VecDeque<usize>> = HashMap::new();
    let mut by_su: HashMap<Option<u32>, VecDeque<usize>> = HashMap::new();
    for (k, p) in ports.iter().enumerate() {
        match p.rack {
            Some(rack) => by_rack.entry(rack).or_default().push_back(k),
            None => by_su.entry(p.su).or_default().push_back(k),
        }
    }
    let pop = |q: Option<&mut VecDeque<usize>>, taken: &[bool]| -> Option<usize> {
        let q = q?;
        while let Some(k) = q.pop_front() {
            if !taken[k] {
                return Some(k);
            }
        }
        None
    };
    let mut any = 0usize;
    let mut links = Vec::new();
    let mut missing = 0u32;
    for (i, (rack, p)) in layout.racks.iter().zip(&facility.racks).enumerate() {
        let su = pdu_su(rack, w.distributed);
        for k in 0..p.pdus_per_feed.saturating_mul(facility.feeds) {
            let pos = pop(by_rack.get_mut(&i), &taken)
                .or_else(|| pop(by_su.get_mut(&su), &taken))
                .or_else(|| {
                    while any < taken.len() && taken[any] {
                        any += 1;
                    }
                    (any < taken.len()).then_some(any)
                });
            let Some(pos) = pos else {
                missing += 1;
                continue;
            };
            taken[pos] = true;
            let port = &ports[pos];
            links.push(NetLink {
                a: NetEnd {
                    device: format!("{}-pdu{}", rack.id, k + 1),
                    port: "net".into(),
                    form: "rj45".into(),
                    rack: Some(i),
                },
                b: NetEnd {
                    device: port.switch.clone(),
                    port: port.port.clone(),
                    form: "rj45".into(),
                    rack: None,
                },
                role: cabling::CableRole::Oob,
                speed: gigapod_catalog::units::Gbps(1),
                protocol: "ethernet",
            });
        }
    }
    let cabled = links.len() as u32;
    if let Ok(p) = cabling::plan_links(&links, layout, catalog) {
        cables.append(p);
    }
    n.set_oob_pdus(cabled);
    let _ = r;
    vec![Check::invariant(
        "networks.oob_pdus",
        missing == 0,
        format!(
            "{cabled} of {} PDUs cabled to an OOB port{}",
            facility.pdus,
            if missing > 0 {
                format!("; {missing} without a port")
            } else {
                String::new()
            }
        ),
    )]
}

/// Stage: max-flow analysis of the compute fabric.
fn stage_analysis(fabric: &Fabric, options: &PlanOptions) -> (FabricAnalysis, Vec<Check>) {
    let a = fabric::analyse(fabric, &options.analysis);
    let checks = a.checks.clone();
    (a, checks)
}

/// The cluster's size as built.
fn compute_summary(r: &Resolved, fabric: &Fabric) -> ComputeSummary {
    ComputeSummary {
        server_id: r.server.id.to_string(),
        gpu_id: r.gpu.id.to_string(),
        servers: r.servers,
        gpus: u64::from(r.servers) * u64::from(r.server.gpu_count.value),
        gpus_per_server: r.server.gpu_count.value,
        scalable_units: r.scalable_units,
        servers_per_su: r.servers_per_su,
        servers_in_last_su: r.servers - (r.scalable_units - 1) * r.servers_per_su,
        rails: fabric.summary().rails,
    }
}

/// Stage: one server's power and its PSU redundancy.
fn stage_power(r: &Resolved) -> (PowerSummary, Vec<Check>) {
    let server = power::server_power(r);
    let psu = power::psu_check(r, server.server_w);
    let mut checks = power::checks(r, &server, &psu);
    if server.estimate {
        checks.push(Check::warn(
            "power.estimate",
            format!(
                "the {} power of `{}` ({:.0} W) rests on estimated figures: check it against the vendor's data sheet",
                server.basis, r.server.id, server.server_w.0
            ),
        ));
    }
    (PowerSummary { server, psu }, checks)
}

/// Stage: device footprints, then the rack layout under the limits (with the solver's invariant).
#[allow(clippy::too_many_arguments)]
fn stage_layout(
    spec: SpecRef<'_>,
    r: &Resolved,
    catalog: &Catalog,
    options: &PlanOptions,
    fabric: &Fabric,
    power: &PowerSummary,
    forms: &CageForms<'_>,
    wiring: &crate::netwire::Wiring,
    storage: Option<&Fabric>,
) -> Result<(crate::devices::Devices, Layout, Vec<Check>), Error> {
    let mut devices = crate::devices::build(r, fabric, catalog, power.server.server_w, wiring, storage);
    devices.layout_input.weights = options.layout_weights;
    devices.layout_input.routing.apply(&options.routing);
    let weights = devices.layout_input.weights;
    // What one server-to-leaf link of a given length costs, by the medium the catalog gives that length.
    let link_cost = |length: f64| {
        let run = forms.run(true, forms.ports_per_cage, false, r.nic_speed, Meters(length));
        let choice = media::choose(catalog, &run);
        let medium = match choice.as_ref().map(|c| c.kind()) {
            Ok("dac") => weights.dac,
            Ok("acc") => weights.acc,
            Ok("aoc") => weights.aoc,
            Ok(_) => weights.optic,
            Err(_) => weights.optic * 100.0,
        };
        layout::LinkCost {
            weight: medium + weights.per_metre * length,
            usd: choice
                .ok()
                .and_then(|c| crate::devices::link_usd(catalog, &c, forms.ports_per_cage)),
        }
    };
    let solve = if r.spec.facility.hall_limits().any() {
        layout::solve_for_halls
    } else {
        layout::solve
    };
    let mut layout = solve(&devices.layout_input, &link_cost).map_err(|e| layout_error(spec, catalog, r, e))?;
    split_halls(r, fabric, &devices, &mut layout).map_err(|e| layout_error(spec, catalog, r, e))?;
    // A row limit the user set that no scalable unit fits contradicts "an SU is never split across rows".
    let row_key = KeyPath::dotted("facility.racks_per_row");
    let widest_su = (0..r.scalable_units)
        .map(|su| layout.racks.iter().filter(|x| x.su == Some(su)).count())
        .max()
        .unwrap_or(0);
    if r.racks_per_row_given && widest_su > r.racks_per_row as usize {
        let source = LayoutError::RowTooShort {
            su_racks: widest_su,
            racks_per_row: r.racks_per_row as usize,
        };
        return Err(Error::Layout {
            diagnostics: spec
                .source
                .at_key(&row_key, source.to_string())
                .with_help(format!(
                    "allow at least {widest_su} racks per row, or leave the key out"
                ))
                .into(),
            source,
        });
    }
    // The rack count against its bound and first-fit (an invariant), against a hand layout (a verdict), the
    // density in force and the open positions.
    let checks = layout::checks(&layout);
    Ok((devices, layout, checks))
}

/// The floor into halls under `facility.hall_*` (layout/halls.rs): rack loads from the layout's footprints,
/// pods from the fabric's design (one plane's, when there are several: every plane has the same pods).
fn split_halls(
    r: &Resolved,
    fabric: &Fabric,
    devices: &crate::devices::Devices,
    layout: &mut Layout,
) -> Result<(), LayoutError> {
    let limits = r.spec.facility.hall_limits();
    if !limits.any() {
        return Ok(());
    }
    let li = &devices.layout_input;
    let kw: std::collections::HashMap<&str, f64> = li
        .sus
        .iter()
        .flat_map(|s| s.servers.iter().chain(&s.network))
        .chain(&li.global_network)
        .map(|d| (d.name.as_str(), d.footprint.kw))
        .collect();
    let rack_kw: Vec<f64> = layout
        .racks
        .iter()
        .map(|rack| {
            rack.devices
                .iter()
                .map(|d| kw.get(d.name.as_str()).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let d = fabric.plane().design();
    let sus_per_pod = match (d.tiers, d.sus_per_pod) {
        (3, Some(n)) => n.max(1),
        (3, None) => 1,
        _ => u32::MAX,
    };
    // A hall may end after row i unless some SU has servers or network devices on both sides.
    let rows = layout.rows as usize;
    let mut cut_after = vec![true; rows];
    for su in &li.sus {
        let rows_of = su
            .servers
            .iter()
            .chain(&su.network)
            .filter_map(|d| layout.placement(&d.name))
            .map(|p| layout.racks[p.rack].row as usize);
        let (lo, hi) = rows_of.fold((usize::MAX, 0), |(lo, hi), r| (lo.min(r), hi.max(r)));
        for c in cut_after.iter_mut().take(hi).skip(lo) {
            *c = false;
        }
    }
    layout::halls::split(layout, &limits, &rack_kw, &|su| su / sus_per_pod, &cut_after)
}

/// A user rack so large that one rack alone is longer than any medium: its catalog figure is at fault.
fn oversized_rack(
    spec: SpecRef<'_>,
    r: &Resolved,
    catalog: &Catalog,
    e: &media::NoMedia,
) -> Option<gigapod_catalog::Diagnostics> {
    crate::blame::run_length(r, catalog, e.longest).map(|figure| {
        catalog_or_spec_error(
            spec,
            catalog,
            r.rack.id.as_str(),
            figure,
            "facility.rack",
            e.to_string(),
            "one rack of this size is longer than any cable or fibre reaches: check this figure of your catalog",
        )
    })
}

/// Stage: every link's route, length, medium and label.
fn stage_cabling(
    spec: SpecRef<'_>,
    r: &Resolved,
    fabric: &Fabric,
    layout: &Layout,
    catalog: &Catalog,
    forms: &CageForms<'_>,
) -> Result<CablePlan, Error> {
    cabling::plan(fabric, layout, catalog, forms).map_err(|e| {
        let diagnostics = match oversized_rack(spec, r, catalog, &e) {
            Some(d) => d,
            None => spec
                .source
                .at_key(&KeyPath::dotted("facility.racks_per_row"), e.to_string())
                .with_help("shorten the runs: fewer racks per row, or a smaller cluster per hall")
                .into(),
        };
        Error::Media {
            diagnostics,
            source: Box::new(e),
        }
    })
}

/// Stage: power per rack and feed, heat, and the checks against the rack and cooling limits.
fn stage_facility(
    spec: SpecRef<'_>,
    r: &Resolved,
    catalog: &Catalog,
    layout: &Layout,
    devices: &crate::devices::Devices,
    cables: &CablePlan,
) -> Result<(FacilityPower, Vec<Check>), Error> {
    let facility = facility::compute(layout, &devices.power, cables, &r.pdu, r.feeds);
    if let Some(worst) = facility.racks.iter().max_by_key(|x| x.pdus_per_feed)
        && worst.pdus_per_feed > r.max_pdus_per_feed
    {
        let source = crate::error::FacilityError::PduTooSmall {
            pdu: r.pdu.id.to_string(),
            pdu_kw: r.pdu.continuous_capacity().0,
            outlets: r.pdu.outlets.value,
            rack: worst.id.to_string(),
            rack_kw: worst.kw.0,
            needed: worst.pdus_per_feed,
            max: r.max_pdus_per_feed,
        };
        // Which figure is short: the current (power) or the outlets (cords).
        let for_power = (worst.kw.0 / r.pdu.continuous_capacity().0).ceil();
        let figure = if f64::from(worst.pdus_per_feed) > for_power {
            "outlets"
        } else {
            "current_a"
        };
        return Err(Error::Facility {
            diagnostics: catalog_or_spec_error(
                spec,
                catalog,
                r.pdu.id.as_str(),
                figure,
                "facility.pdu",
                source.to_string(),
                "choose a larger PDU (`gigapod catalog list --kind pdu`), or lower the rack power limit",
            ),
            source,
        });
    }
    let limits = facility::Limits {
        rack_kw: r.rack_limit,
        rack_units: r.rack.rack_units.value.0,
        rack_kg: r.rack.max_weight_kg.value,
        room_kw: devices
            .layout_input
            .limits
            .room_kw
            .map(gigapod_catalog::units::Kilowatts),
        class_range_kw: (r.cooling.rack_kw_min.value, r.cooling.rack_kw_max.value),
        cooling: r.cooling.kind,
    };
    let checks = facility::checks(layout, &facility, &limits);
    Ok((facility, checks))
}

/// Stage: CapEx, OpEx and TCO, when the spec has `[cost]`.
fn stage_cost(
    r: &Resolved,
    catalog: &Catalog,
    bom: &[BomLine],
    facility: &FacilityPower,
    compute: &ComputeSummary,
) -> (Option<crate::cost::CostReport>, Vec<Check>) {
    let cost = r.spec.cost.as_ref().map(|c| {
        crate::cost::compute(
            bom,
            catalog,
            c,
            facility.it_kw.0,
            compute.gpus,
            u64::from(compute.servers),
        )
    });
    let mut checks = Vec::new();
    if let Some(c) = &cost
        && !c.complete
    {
        checks.push(Check::warn(
            "cost.prices",
            format!(
                "{} no price and {} left out of the totals: {}",
                crate::text::counted(c.unpriced.len() as u64, "ordered part has", "ordered parts have"),
                if c.unpriced.len() == 1 { "is" } else { "are" },
                c.unpriced.join(", ")
            ),
        ));
    }
    (cost, checks)
}

/// Planner options a library caller set out of range are argument errors, named by field.
fn check_options(o: &PlanOptions) -> Result<(), Error> {
    let bad = o
        .routing
        .invalid()
        .map(|(k, v)| {
            (
                format!("routing.{k}"),
                v,
                "a length in metres from 0 to 100 (the aisle above 0)",
            )
        })
        .or_else(|| {
            o.layout_weights
                .invalid()
                .map(|(k, v)| (format!("layout_weights.{k}"), v, "a finite weight from 0 to 1,000,000"))
        })
        .or_else(|| {
            let f = o.analysis.min_retained_fraction;
            (!(0.0..=1.0).contains(&f)).then(|| {
                (
                    "analysis.min_retained_fraction".to_string(),
                    f,
                    "a fraction from 0 to 1",
                )
            })
        });
    match bad {
        None => Ok(()),
        Some((key, v, want)) => {
            let mut d = gigapod_catalog::Diagnostic::file("<planner options>", format!("{key} = {v} is not valid"))
                .with_help(format!("give {want}"));
            d.key = Some(key);
            Err(Error::Argument(d.into()))
        }
    }
}

/// Fails early, before any fabric work, when the catalog has no medium at all for the fabric's links.
fn check_media_exist(spec: SpecRef<'_>, r: &Resolved, catalog: &Catalog) -> Result<(), Error> {
    let Some(group) = r
        .switch
        .port_group
        .iter()
        .find(|g| g.modes.iter().any(|m| m.speed_gbps == r.nic_speed))
    else {
        return Ok(()); // the fabric builder reports the unsupported speed, with the speeds that work
    };
    let links = r.switch.ports_per_cage_at(r.nic_speed).unwrap_or(1);
    let forms = CageForms::of(r);
    for (to_server, one_far_cage, what) in [(true, false, "server-to-leaf"), (false, true, "switch-to-switch")] {
        let run = forms.run(to_server, links, one_far_cage, r.nic_speed, Meters(0.5));
        let b_form = run.b_form;
        if let Err(e) = media::choose(catalog, &run) {
            let key = KeyPath::dotted(if spec.source.has_key(&KeyPath::dotted("fabric.switch")) {
                "fabric.switch"
            } else {
                "compute.server"
            });
            let diagnostics = spec
                .source
                .at_key(
                    &key,
                    format!(
                        "the catalog has no cable or transceiver for {what} links at {} between `{}` and `{b_form}` ({e})",
                        r.nic_speed, group.form
                    ),
                )
                .with_help(format!(
                    "add cables and transceivers for {} links with --catalog FILE.toml (docs/catalog.md shows the keys), or choose a server and switch whose links the catalog can cable",
                    r.nic_speed
                ))
                .into();
            return Err(Error::Media {
                source: Box::new(e),
                diagnostics,
            });
        }
    }
    Ok(())
}

/// An error caused by a part's figure: pointed at the part in its catalog file when a user catalog defined it
/// (that is where the fix is), else at the spec key that chose the part.
#[allow(clippy::too_many_arguments)]
fn catalog_or_spec_error(
    spec: SpecRef<'_>,
    catalog: &Catalog,
    part: &str,
    figure: &str,
    spec_key: &str,
    message: String,
    help: &str,
) -> Diagnostics {
    if let Some(entry) = catalog.get(part)
        && !entry.origin.builtin
    {
        let d = entry
            .origin
            .file
            .at_key(&entry.origin.path.key(figure), message)
            .with_help(help);
        return d.into();
    }
    let mut path = KeyPath::dotted(spec_key);
    if !spec.source.has_key(&path) {
        path = KeyPath::dotted(spec_key.split('.').next().unwrap_or(spec_key));
    }
    spec.source.at_key(&path, message).with_help(help).into()
}

fn layout_error(spec: SpecRef<'_>, catalog: &Catalog, r: &Resolved, e: LayoutError) -> Error {
    Error::Layout {
        diagnostics: layout_diagnostics(spec, catalog, r, &e),
        source: e,
    }
}

fn layout_diagnostics(spec: SpecRef<'_>, catalog: &Catalog, r: &Resolved, e: &LayoutError) -> Diagnostics {
    if let LayoutError::SwitchDoesNotFit { part, binding, .. } = e
        && let Some(figure) = match *binding {
            "rack units" => Some("rack_units"),
            "rack weight limit" => Some("weight_kg"),
            _ => None,
        }
        && catalog.get(part).is_some_and(|x| !x.origin.builtin)
    {
        let key = if *part == r.management_switch.id.as_str() {
            "facility.management_switch"
        } else {
            "fabric.switch"
        };
        return catalog_or_spec_error(
            spec,
            catalog,
            part,
            figure,
            key,
            e.to_string(),
            "no rack can hold this switch: check its figure, or choose a larger rack",
        );
    }
    // A user part whose own figure explains the error: point there (planner/src/blame.rs).
    let culprit = match e {
        LayoutError::ServerDoesNotFit { limit, .. } if *limit == "rack power limit" => {
            crate::blame::server_power(r, catalog)
        }
        LayoutError::SwitchDoesNotFit { part, binding, .. }
            if *binding == "rack power limit" && *part == r.switch.id.as_str() =>
        {
            crate::blame::network_power(r, catalog).map(|f| (r.switch.id.as_str(), f))
        }
        _ => None,
    };
    if let Some((part, figure)) = culprit {
        return catalog_or_spec_error(
            spec,
            catalog,
            part,
            figure,
            "facility.rack_power_limit_kw",
            e.to_string(),
            "this figure of your catalog is what breaks the rack power limit: check it against the data sheet",
        );
    }
    if let LayoutError::ServerDoesNotFit { limit, .. } = e {
        let figure = match *limit {
            "rack units" => Some("rack_units"),
            "rack weight limit" => Some("max_weight_kg"),
            _ => None,
        };
        if let Some(figure) = figure
            && catalog.get(r.rack.id.as_str()).is_some_and(|x| !x.origin.builtin)
        {
            return catalog_or_spec_error(
                spec,
                catalog,
                r.rack.id.as_str(),
                figure,
                "facility.rack",
                e.to_string(),
                "a rack must hold at least one server: raise this figure or choose another rack",
            );
        }
    }
    let (key, help) = match e {
        LayoutError::ServerDoesNotFit { limit, .. } if *limit == "rack units" => (
            "facility.rack",
            "choose a taller rack (`gigapod catalog list --kind rack`)",
        ),
        LayoutError::ServerDoesNotFit { limit, .. } if *limit == "rack weight limit" => {
            ("facility.rack", "choose a rack with a higher load rating")
        }
        LayoutError::ServerDoesNotFit { .. } => (
            "facility.rack_power_limit_kw",
            "raise the rack power limit, or choose liquid cooling or a lower-power server",
        ),
        LayoutError::SwitchDoesNotFit { .. } => (
            "facility.rack_power_limit_kw",
            "raise the rack power limit or choose a larger rack",
        ),
        LayoutError::ServersPerRackTooMany { allowed, .. } => (
            "facility.servers_per_rack",
            if *allowed == 1 {
                "use 1, or leave the key out"
            } else {
                "use fewer servers per rack, or leave the key out to take the catalog's density"
            },
        ),
        LayoutError::RowTooShort { .. } => (
            "facility.racks_per_row",
            "allow more racks per row, or leave the key out",
        ),
        LayoutError::HallTooSmall { .. } => (
            match (r.spec.facility.hall_racks, r.spec.facility.hall_area_m2) {
                (Some(_), _) => "facility.hall_racks",
                (None, Some(_)) => "facility.hall_area_m2",
                _ => "facility.hall_mw",
            },
            "allow a hall at least one row (or shorten the rows with facility.racks_per_row)",
        ),
    };
    let mut path = KeyPath::dotted(key);
    if !spec.source.has_key(&path) {
        path = KeyPath::dotted("facility");
    }
    spec.source.at_key(&path, e.to_string()).with_help(help).into()
}

/// Builds the spec's compute fabric; an impossible fabric is an input error at the spec key at fault.
///
/// When a user catalog's part caused it (a NIC speed no switch port runs at, a switch with too few ports), the
/// error points at that part's figure in its catalog file, where the fix is.
pub fn build_fabric<'s>(spec: impl Into<SpecRef<'s>>, r: &Resolved, catalog: &Catalog) -> Result<Fabric, Error> {
    let spec = spec.into();
    let req = FabricRequest {
        switch: &r.switch,
        servers: r.servers,
        rails: r.rails,
        servers_per_su: r.servers_per_su,
        speed: r.nic_speed,
        oversubscription: r.spec.fabric.oversubscription,
        rail_optimized: r.spec.fabric.rail_optimized,
        tiers: r.spec.fabric.tiers,
    };
    fabric::build_planes(&req, r.spec.fabric.planes).map_err(|e| Error::Fabric {
        diagnostics: fabric_diagnostics(spec, r, catalog, &e),
        source: e,
    })
}

fn fabric_diagnostics(spec: SpecRef<'_>, r: &Resolved, catalog: &Catalog, e: &fabric::FabricError) -> Diagnostics {
    let from_user = |id: &str| catalog.get(id).is_some_and(|x| !x.origin.builtin);
    let (nic, switch) = (r.fabric_nic.id.as_str(), r.switch.id.as_str());
    let culprit = match e {
        fabric::FabricError::SpeedUnsupported { .. } if from_user(nic) => Some((nic, "port_speed_gbps")),
        fabric::FabricError::SpeedUnsupported { .. } | fabric::FabricError::TooFewPorts { .. } if from_user(switch) => {
            Some((switch, "port_group"))
        }
        fabric::FabricError::TooLarge { .. } if e.key() == "fabric.switch" && from_user(switch) => {
            Some((switch, "port_group"))
        }
        _ => None,
    };
    if let Some((part, figure)) = culprit {
        return catalog_or_spec_error(
            spec,
            catalog,
            part,
            figure,
            e.key(),
            e.to_string(),
            "the figure above, from your catalog, is what the fabric cannot be built with",
        );
    }
    // A defaulted key (the switch, say) is not in the file: point at what the user wrote instead, the server
    // for a NIC speed the default switch cannot take, else the size.
    let mut key = KeyPath::dotted(e.key());
    if !spec.source.has_key(&key) && matches!(e, fabric::FabricError::SpeedUnsupported { .. }) {
        key = KeyPath::dotted("compute.server");
    } else if !spec.source.has_key(&key) {
        let c = &r.spec.compute;
        let size = [
            ("compute.scalable_units", c.scalable_units),
            ("compute.servers", c.servers),
            ("compute.gpus", c.gpus),
        ];
        if let Some((k, _)) = size.iter().find(|(_, v)| v.is_some()) {
            key = KeyPath::dotted(k);
        }
    }
    spec.source
        .at_key(&key, e.to_string())
        .with_help("change the key above as the message says; docs/spec.md describes every key")
        .into()
}

fn provenance<T>(s: &Sourced<T>) -> String {
    match (&s.source, s.estimate) {
        (Some(src), false) => src.clone(),
        (Some(src), true) => format!("{src}; EST"),
        (None, true) => "EST".into(),
        (None, false) => "user".into(),
    }
}

/// The bill of materials, from one table: every part the plan orders or counts, with its quantity from the model
/// (the graph, the layout, the cable plan, the feeds), never typed in.
#[allow(clippy::too_many_arguments)]
fn build_bom(
    r: &Resolved,
    power: &PowerSummary,
    fabric: &Fabric,
    layout: &Layout,
    cables: &CablePlan,
    facility: &FacilityPower,
    management_switches: u32,
    networks: &crate::networks::Networks,
    catalog: &Catalog,
) -> Vec<BomLine> {
    use BomCategory as C;
    let servers = u64::from(r.servers);
    let s = &r.server;
    let basis = r.spec.facility.power_basis;
    let server_source = s
        .max_power_w
        .as_ref()
        .map_or_else(|| "EST (power from parts)".to_string(), provenance);
    let inside = Some(s.id.to_string());
    // (category, id, description, qty, unit power, source, inside the server); cables in length bins follow.
    type Row<'a> = (BomCategory, &'a str, &'a str, u64, Option<Watts>, String, bool);
    let line = |(category, id, description, qty, unit_w, source, in_server): Row<'_>| BomLine {
        part_id: id.to_string(),
        description: description.to_string(),
        category,
        qty,
        unit_w,
        source,
        included_in: if in_server { inside.clone() } else { None },
        ..Default::default()
    };
    let mut table: Vec<Row<'_>> = vec![
        (
            C::Server,
            s.id.as_str(),
            &s.description,
            servers,
            Some(power.server.server_w),
            server_source,
            false,
        ),
        (
            C::Gpu,
            r.gpu.id.as_str(),
            &r.gpu.description,
            servers * u64::from(s.gpu_count.value),
            Some(r.gpu.tdp_w.value),
            provenance(&r.gpu.tdp_w),
            true,
        ),
        (
            C::Nic,
            r.fabric_nic.id.as_str(),
            &r.fabric_nic.description,
            servers * u64::from(s.fabric_nic_count.value),
            Some(r.fabric_nic.power_w.value),
            provenance(&r.fabric_nic.power_w),
            true,
        ),
    ];
    if let (Some(nic), Some(n)) = (&r.storage_nic, &s.storage_nic_count) {
        table.push((
            C::Nic,
            nic.id.as_str(),
            &nic.description,
            servers * u64::from(n.value),
            Some(nic.power_w.value),
            provenance(&nic.power_w),
            true,
        ));
    }
    let mgmt = &r.oob_switch;
    table.extend([
        (
            C::Psu,
            r.psu.id.as_str(),
            r.psu.description.as_str(),
            servers * u64::from(s.psu_count.value),
            None,
            provenance(&r.psu.rating_w),
            true,
        ),
        // Every fabric switch is the same part: one line, counted on the graph.
        (
            C::Switch,
            r.switch.id.as_str(),
            &r.switch.description,
            fabric.switches().len() as u64,
            Some(crate::devices::switch_w(&r.switch, basis)),
            provenance(&r.switch.max_power_w),
            false,
        ),
        (
            C::Switch,
            mgmt.id.as_str(),
            &mgmt.description,
            u64::from(management_switches),
            Some(crate::devices::switch_w(mgmt, basis)),
            provenance(&mgmt.max_power_w),
            false,
        ),
    ]);
    // The storage fabric's and the in-band network's switches, the UFM appliances and management nodes, as placed
    // (their cables and optics are in the cable plan with the compute fabric's).
    if let (Some(sw), Some(st)) = (&r.storage_switch, &networks.storage) {
        table.push((
            C::Switch,
            sw.id.as_str(),
            &sw.description,
            u64::from(st.counts.switches.total),
            Some(crate::devices::switch_w(sw, basis)),
            provenance(&sw.max_power_w),
            false,
        ));
    }
    table.push((
        C::Switch,
        r.inband_switch.id.as_str(),
        &r.inband_switch.description,
        u64::from(networks.inband.switches.total),
        Some(crate::devices::switch_w(&r.inband_switch, basis)),
        provenance(&r.inband_switch.max_power_w),
        false,
    ));
    for (a, qty) in [
        (&r.ufm_appliance, networks.ufm),
        (&r.management_node, networks.management_servers),
    ] {
        if qty > 0 {
            table.push((
                C::Server,
                a.id.as_str(),
                &a.description,
                u64::from(qty),
                Some(crate::devices::appliance_w(a, basis)),
                provenance(&a.max_power_w),
                false,
            ));
        }
    }
    let mut lines: Vec<BomLine> = table.into_iter().map(line).collect();
    // Switch-side modules first, then the system side (the servers' cages), each part on its own line.
    let mut by_side: Vec<_> = cables.transceivers_by_side.iter().collect();
    by_side.sort_by_key(|((id, side), _)| (*side, id.clone()));
    for ((id, side), qty) in by_side {
        if let Some(t) = catalog.transceiver(id) {
            lines.push(BomLine {
                side: Some(side.as_str()),
                ..line((
                    C::Transceiver,
                    id,
                    &t.description,
                    *qty,
                    Some(t.power_w.value),
                    provenance(&t.power_w),
                    false,
                ))
            });
        }
    }
    // Cables come in length bins: one line per (cable, length).
    for ((id, length), qty) in &cables.cables_by_length {
        if let Some(c) = catalog.cable(id) {
            lines.push(BomLine {
                part_id: format!("{id}-{length}m"),
                description: format!("{}, {length} m", c.description),
                category: C::Cable,
                qty: *qty,
                unit_w: None,
                source: provenance(&c.lengths_m),
                included_in: None,
                catalog_id: Some(id.clone()),
                length_m: length.parse().ok().map(Meters),
                side: None,
            });
        }
    }
    let racks: [Row<'_>; 2] = [
        (
            C::Rack,
            r.rack.id.as_str(),
            r.rack.description.as_str(),
            layout.racks.len() as u64,
            None,
            provenance(&r.rack.rack_units),
            false,
        ),
        (
            C::Pdu,
            r.pdu.id.as_str(),
            &r.pdu.description,
            u64::from(facility.pdus),
            None,
            provenance(&r.pdu.current_a),
            false,
        ),
    ];
    lines.extend(racks.into_iter().map(line));
    let mut b = BomBuilder::default();
    lines.into_iter().for_each(|l| b.add(l));
    b.finish()
}
