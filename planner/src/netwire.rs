//! The networks beside the compute fabric as devices and links: every storage, in-band and out-of-band switch,
//! UFM appliance and management node gets a name and a kind for the layout, and every link of those networks its
//! two ends (device and port) for the cable plan.
//!
//! The wiring follows the counting rules of [`crate::networks`] port by port, so the switches it names are the
//! switches those rules count (docs/networks.md):
//! - **Storage**: the storage fabric graph's links; the appliance leaves' uplinks spread over the appliance spines.
//! - **In-band**: each bonded device's ports go to the two leaves of one pair at the same port; leaves fill pair by
//!   pair; each leaf has 2 links to each of the 2 cores from its top ports and each pair 2 ISLs.
//! - **OOB**: each SU's BMCs, compute leaves and compute-rack PDUs fill that SU's switches in order; the central
//!   devices (spines, cores, storage and in-band switches, UFM, management nodes, other racks' PDUs) fill the spare
//!   ports SU by SU, then central switches. Each OOB switch has 2 uplinks into the in-band leaves.
//! - **UFM** (pod-facts A.1.7, Table 8): appliances in HA pairs, pair 1 on the compute fabric and pair 2 on the
//!   storage fabric; each appliance takes one leaf port of its fabric (the first free one, in SU 1), its pair is
//!   joined back to back, and each has an OOB port.
//!
//! PDUs are not placed devices: the OOB ports they take are reserved here ([`Wiring::pdu_ports`]) and cabled once
//! the facility has counted the PDUs of each rack.

use crate::cabling::{CableRole, server_name};
use crate::fabric::{Fabric, PortRef, Role};
use crate::layout::DeviceKind;
use crate::networks::{ManagementSpec, Networks};
use gigapod_catalog::units::Gbps;
use std::collections::HashSet;

/// What a network device is, for its catalog part and power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NetPart {
    /// A storage fabric switch (`storage.switch`).
    StorageSwitch,
    /// An in-band switch (`inband.switch`).
    InbandSwitch,
    /// An out-of-band switch (`oob.switch`).
    OobSwitch,
    /// A UFM appliance.
    Ufm,
    /// A management node (head, login or Kubernetes).
    Management,
}

/// A device of the networks beside the compute fabric.
#[derive(Debug, Clone, PartialEq)]
pub struct NetDevice {
    /// Unique name (`stor-leaf-su1-r1`, `inb-leaf-1`, `oob-su1-1`, `ufm-1`, `mgmt-1`).
    pub name: String,
    /// Its kind for the layout and the drawings.
    pub kind: DeviceKind,
    /// Its part.
    pub part: NetPart,
    /// The SU whose racks it stands with (its OOB switches), or `None` for the management racks.
    pub su: Option<u32>,
}

impl NetPart {
    /// The layout's and the drawings' kind of a device of this part.
    pub fn kind(self) -> DeviceKind {
        match self {
            NetPart::StorageSwitch => DeviceKind::Storage,
            NetPart::InbandSwitch => DeviceKind::Inband,
            NetPart::OobSwitch => DeviceKind::Management,
            NetPart::Ufm | NetPart::Management => DeviceKind::Appliance,
        }
    }
}

impl NetDevice {
    /// A device of `part`, of that part's kind, standing with SU `su` (or in the central racks).
    pub fn new(name: impl Into<String>, part: NetPart, su: Option<u32>) -> Self {
        NetDevice {
            name: name.into(),
            kind: part.kind(),
            part,
            su,
        }
    }
}

/// One end of a link.
#[derive(Debug, Clone, PartialEq)]
pub struct NetEnd {
    /// Device name (a server, a compute switch, or a [`NetDevice`]).
    pub device: String,
    /// Port as on the faceplate.
    pub port: String,
    /// Connector form of the cage (`qsfp28`, `rj45`, `osfp-twin`).
    pub form: String,
    /// For a device the layout does not place (a PDU): the index of its rack in the layout.
    pub rack: Option<usize>,
}

/// One link of a network beside the compute fabric.
#[derive(Debug, Clone, PartialEq)]
pub struct NetLink {
    /// Lower end (the device, or the leaf of a leaf-spine link).
    pub a: NetEnd,
    /// Upper end (the switch).
    pub b: NetEnd,
    /// Which network.
    pub role: CableRole,
    /// Link speed.
    pub speed: Gbps,
    /// Protocol of the network (`infiniband`, `ethernet`).
    pub protocol: &'static str,
}

/// An OOB switch port kept for a PDU.
#[derive(Debug, Clone, PartialEq)]
pub struct PduPort {
    /// The SU whose compute racks' PDUs it serves, or `None` for the other racks.
    pub su: Option<u32>,
    /// The rack (layout index) whose PDUs it serves, for the OOB switch of a network or management rack.
    pub rack: Option<usize>,
    /// OOB switch.
    pub switch: String,
    /// Its port.
    pub port: String,
}

/// The devices and links of the networks beside the compute fabric.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Wiring {
    /// Devices to place.
    pub devices: Vec<NetDevice>,
    /// Links to cable.
    pub links: Vec<NetLink>,
    /// OOB ports kept for PDUs.
    pub pdu_ports: Vec<PduPort>,
    /// In-band leaves wired.
    pub inband_leaves: u32,
    /// In-band switches above the leaves wired (aggregation tiers and the 2 cores).
    pub inband_uppers: u32,
    /// OOB switches wired.
    pub oob_switches: u32,
    /// Compute leaf ports the UFM appliances take where a server would go.
    pub ufm_compute_ports: u32,
    /// Rails of the compute fabric (a server slot's leaf ports).
    pub compute_rails: u32,
    /// With distributed management: the OOB switches that each stand in a network or management rack of their
    /// own and serve its devices and PDUs (wired by [`wire_rack_oob`] once the layout has placed them).
    pub rack_oob: Vec<String>,
    /// Whether the management networks were wired distributed (`management.placement`).
    pub distributed: bool,
}

/// What the wiring needs besides the network counts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WireInputs<'a> {
    /// Nodes.
    pub servers: u32,
    /// Servers per full SU.
    pub servers_per_su: u32,
    /// The compute fabric.
    pub compute: &'a Fabric,
    /// Compute switch cage form at the fabric speed.
    pub compute_form: &'a str,
    /// Compute leaf ports at the fabric speed.
    pub compute_ports: u32,
    /// The compute switch's own UFM port (Q3400-RA `fnm1`), if it has one: UFM takes it and no server slot.
    pub compute_ufm_port: Option<&'a str>,
    /// Storage switch cage form at the storage speed.
    pub storage_form: &'a str,
    /// The nodes' storage NIC form.
    pub storage_nic_form: &'a str,
    /// Storage switch ports at the storage speed.
    pub storage_ports: u32,
    /// Storage speed.
    pub storage_speed: Gbps,
    /// The storage fabric's protocol (`infiniband` or `ethernet`): its appliance links are of it, and UFM joins
    /// only an InfiniBand storage fabric.
    pub storage_protocol: &'static str,
    /// In-band switch ports at the in-band speed.
    pub inband_ports: u32,
    /// In-band speed.
    pub inband_speed: Gbps,
    /// Bonded ports per node and management node.
    pub bond: u32,
    /// User-storage ports on the in-band leaves (kept, not cabled: the storage is the vendor's).
    pub user_storage_ports: u32,
    /// OOB switch 1 GbE ports.
    pub oob_ports: u32,
    /// PDUs of each SU's compute racks.
    pub su_pdus: Vec<u32>,
    /// PDUs of the other racks.
    pub other_pdus: u32,
    /// Distributed management (`management.placement`): each SU's in-band leaves with its SU, an OOB switch in
    /// every network and management rack.
    pub distributed: bool,
    /// With distributed management: the network and management racks, each of which gets an OOB switch (the
    /// previous layout's count; the plan lays out again until it holds).
    pub central_racks: u32,
}

const RJ45: &str = "rj45";
const QSFP28: &str = "qsfp28";
/// The cage form the in-band ports of nodes, management nodes and OOB switch uplinks take: QSFP28 (a QSFP112
/// cage takes a QSFP28 plug).
const INBAND_FORM: &str = QSFP28;

fn end(device: impl Into<String>, port: impl Into<String>, form: &str) -> NetEnd {
    NetEnd {
        device: device.into(),
        port: port.into(),
        form: form.to_string(),
        rack: None,
    }
}

/// Names of the management nodes: `mgmt-N` (head / Base Command), `login-N`, `k8s-N`.
pub fn management_names(m: &ManagementSpec) -> Vec<String> {
    let n = |x: i64| u32::try_from(x.max(0)).unwrap_or(0);
    let mut v: Vec<String> = (1..=n(m.head_nodes)).map(|i| format!("mgmt-{i}")).collect();
    v.extend((1..=n(m.login_nodes)).map(|i| format!("login-{i}")));
    v.extend((1..=n(m.kubernetes_nodes)).map(|i| format!("k8s-{i}")));
    v
}

/// Wires the networks: devices, links and the OOB ports kept for PDUs.
pub fn wire(inp: &WireInputs<'_>, n: &Networks, mgmt: &ManagementSpec) -> Wiring {
    let mut w = Wiring {
        compute_rails: inp.compute.summary().rails,
        ..Wiring::default()
    };
    let sus = inp.servers.div_ceil(inp.servers_per_su.max(1));

    // ---- storage fabric: the graph's links, then the appliance leaves and spines.
    let mut storage_leaves: Vec<String> = Vec::new();
    let mut storage_switches: Vec<String> = Vec::new();
    let mut storage_free: Vec<(String, String)> = Vec::new();
    let mut storage_su_leaves: Vec<Vec<String>> = vec![Vec::new(); sus as usize];
    if let Some(st) = &n.storage {
        let f = &st.fabric;
        let name = |x: petgraph::graph::NodeIndex| format!("stor-{}", f.node(x).name);
        for x in f.switches() {
            let node = f.node(x);
            // Distributed: an SU's storage leaves stand with its leaves (the storage fabric is rail-aligned per SU).
            let su = node
                .su
                .filter(|_| inp.distributed && node.role == Role::Leaf && node.su < Some(sus));
            if let Some(su) = su {
                storage_su_leaves[su as usize].push(name(x));
            }
            w.devices.push(NetDevice::new(name(x), NetPart::StorageSwitch, su));
            storage_switches.push(name(x));
            if node.role == Role::Leaf {
                storage_leaves.push(name(x));
            }
        }
        // The graph's own links are cabled from the graph (cabling::plan_storage), cage by cage.
        // The first free leaf port of each storage leaf, for UFM.
        let mut used: HashSet<(usize, u32)> = HashSet::new();
        for e in f.graph().edge_indices() {
            let l = f.graph()[e];
            used.insert((l.a.node.index(), l.a.port));
            used.insert((l.b.node.index(), l.b.port));
        }
        // Central: a leaf's free port first (the RA's UFM-to-leaf link); where the leaves are full, a spine's.
        // Distributed, the leaves stand with their SUs, far from the management racks where UFM stands, and the
        // storage spines and cores stand in those racks: their free ports come first, then the leaves from the
        // middle SU on (the management racks stand after its block).
        let order: Vec<petgraph::graph::NodeIndex> = if inp.distributed {
            let middle = sus.saturating_sub(1) / 2;
            let mut leaves: Vec<_> = f.leaves().collect();
            leaves.sort_by_key(|&x| f.node(x).su.is_none_or(|su| su < middle));
            f.cores().chain(f.spines()).chain(leaves).collect()
        } else {
            f.leaves().chain(f.spines()).collect()
        };
        for x in order {
            if let Some(p) = (0..inp.storage_ports).find(|p| !used.contains(&(x.index(), *p))) {
                storage_free.push((name(x), f.port_label(PortRef { node: x, port: p })));
            }
        }
        // Appliance leaves at 1:1: half their ports down (to the storage appliances, the vendor's), half up.
        let k = inp.storage_ports.max(2);
        let half = k / 2;
        let spines: Vec<String> = (1..=st.appliance_spines).map(|i| format!("stor-aspine-{i}")).collect();
        let mut spine_port = vec![0u32; spines.len()];
        for i in 1..=st.appliance_leaves {
            let leaf = format!("stor-aleaf-{i}");
            w.devices
                .push(NetDevice::new(leaf.clone(), NetPart::StorageSwitch, None));
            storage_switches.push(leaf.clone());
            for u in 0..half {
                if spines.is_empty() {
                    break;
                }
                let s = (u as usize + i as usize) % spines.len();
                spine_port[s] += 1;
                w.links.push(NetLink {
                    a: end(&leaf, format!("{}", half + u + 1), inp.storage_form),
                    b: end(&spines[s], format!("{}", spine_port[s]), inp.storage_form),
                    role: CableRole::Storage,
                    speed: inp.storage_speed,
                    protocol: inp.storage_protocol,
                });
            }
        }
        for s in &spines {
            w.devices.push(NetDevice::new(s.clone(), NetPart::StorageSwitch, None));
            storage_switches.push(s.clone());
        }
    }

    // ---- UFM and management nodes.
    let ufm: Vec<String> = (1..=n.ufm).map(|i| format!("ufm-{i}")).collect();
    let managers = management_names(mgmt);
    for u in &ufm {
        w.devices.push(NetDevice::new(u.clone(), NetPart::Ufm, None));
    }
    for m in &managers {
        w.devices.push(NetDevice::new(m.clone(), NetPart::Management, None));
    }
    // UFM into its fabric's leaves: pair p on the compute fabric (p even) or the storage fabric (p odd, when
    // there is one).
    // Distributed, the management racks stand after the middle SU's block: UFM takes a port of that SU's leaves.
    let first_su = inp.distributed.then(|| sus.saturating_sub(1) / 2);
    let compute_free = free_compute_ports(inp, ufm.len(), first_su);
    let (mut ci, mut si) = (0usize, 0usize);
    for (i, u) in ufm.iter().enumerate() {
        let on_storage = (i / 2) % 2 == 1 && !storage_free.is_empty() && inp.storage_protocol == "infiniband";
        let port = if on_storage {
            si += 1;
            storage_free
                .get(si - 1)
                .cloned()
                .map(|p| (p, inp.storage_form, inp.storage_speed))
        } else {
            ci += 1;
            compute_free
                .get(ci - 1)
                .cloned()
                .map(|p| (p, inp.compute_form, inp.compute.speed()))
        };
        if let Some(((leaf, lp), form, speed)) = port {
            if !on_storage && inp.compute_ufm_port.is_none() {
                w.ufm_compute_ports += 1;
            }
            w.links.push(NetLink {
                a: end(u, "ib1", "osfp"),
                b: end(leaf, lp, form),
                role: if on_storage { CableRole::Storage } else { CableRole::Ufm },
                speed,
                protocol: "infiniband",
            });
        }
        if i % 2 == 1 {
            w.links.push(NetLink {
                a: end(&ufm[i - 1], "ha", RJ45),
                b: end(u, "ha", RJ45),
                role: CableRole::Oob,
                speed: Gbps(1),
                protocol: "ethernet",
            });
        }
    }

    // ---- OOB: names from the rule, ports in order.
    let k = inp.oob_ports.max(1);
    let per_leaf = inp.inband_ports.saturating_sub(6).max(1);
    let bond = inp.bond.max(1);
    // Distributed: each SU's in-band leaves serve its nodes and its OOB switches' uplinks, and their mgmt0 ports
    // take that SU's OOB ports; the two counts depend on each other, so they are found together.
    let su_inband: Vec<u32> = if inp.distributed {
        (0..sus)
            .map(|su| {
                let servers = ((su + 1) * inp.servers_per_su).min(inp.servers) - su * inp.servers_per_su;
                let fixed = servers
                    + inp
                        .compute
                        .leaves()
                        .filter(|&x| inp.compute.node(x).su == Some(su))
                        .count() as u32
                    + storage_su_leaves[su as usize].len() as u32
                    + inp.su_pdus.get(su as usize).copied().unwrap_or(0);
                let mut leaves = 0;
                for _ in 0..8 {
                    let oob = (fixed + leaves).div_ceil(k);
                    let mut fill = PairFill::new(per_leaf);
                    for _ in 0..servers {
                        fill.add(bond);
                    }
                    for _ in 0..oob {
                        fill.add(2);
                    }
                    let next = fill.leaves() as u32;
                    if next == leaves {
                        break;
                    }
                    leaves = next;
                }
                leaves
            })
            .collect()
    } else {
        Vec::new()
    };
    let su_inband_first: Vec<u32> = su_inband
        .iter()
        .scan(0u32, |acc, &n| {
            let first = *acc;
            *acc += n;
            Some(first)
        })
        .collect();
    let compute_leaves: Vec<Vec<String>> = (0..sus)
        .map(|su| {
            inp.compute
                .leaves()
                .filter(|&x| inp.compute.node(x).su == Some(su))
                .map(|x| inp.compute.node(x).name.clone())
                .collect()
        })
        .collect();
    let mut oob_names: Vec<String> = Vec::new();
    let mut oob_su: Vec<Option<u32>> = Vec::new();
    let mut oob_links: Vec<(usize, NetEnd)> = Vec::new(); // (switch index, device end); switch port assigned below
    let mut pool_fill: Vec<u32> = Vec::new();
    enum Item {
        Dev(NetEnd),
        Pdu(Option<u32>),
    }
    let place = |items: Vec<Item>,
                 first_switch: usize,
                 names: &mut Vec<String>,
                 sus_of: &mut Vec<Option<u32>>,
                 fill: &mut Vec<u32>,
                 new_name: &dyn Fn(usize) -> String,
                 su: Option<u32>,
                 links: &mut Vec<(usize, NetEnd)>,
                 pdus: &mut Vec<PduPort>| {
        let mut s = first_switch;
        for it in items {
            while s < names.len() && fill[s] >= k {
                s += 1;
            }
            if s == names.len() {
                names.push(new_name(names.len()));
                sus_of.push(su);
                fill.push(0);
            }
            fill[s] += 1;
            match it {
                Item::Dev(e) => links.push((s, e)),
                Item::Pdu(su) => pdus.push(PduPort {
                    su,
                    rack: None,
                    switch: names[s].clone(),
                    port: format!("{}", fill[s]),
                }),
            }
        }
    };
    let mut pdu_ports = Vec::new();
    for su in 0..sus {
        let mut items: Vec<Item> = Vec::new();
        for s in (su * inp.servers_per_su)..((su + 1) * inp.servers_per_su).min(inp.servers) {
            items.push(Item::Dev(end(server_name(s), "bmc", RJ45)));
        }
        for l in &compute_leaves[su as usize] {
            items.push(Item::Dev(end(l, "mgmt0", RJ45)));
        }
        for _ in 0..inp.su_pdus.get(su as usize).copied().unwrap_or(0) {
            items.push(Item::Pdu(Some(su)));
        }
        for l in &storage_su_leaves[su as usize] {
            items.push(Item::Dev(end(l, "mgmt0", RJ45)));
        }
        if let (Some(first), Some(count)) = (su_inband_first.get(su as usize), su_inband.get(su as usize)) {
            for i in 0..*count {
                items.push(Item::Dev(end(format!("inb-leaf-{}", first + i + 1), "mgmt0", RJ45)));
            }
        }
        let first = oob_names.len();
        let tag = su + 1;
        let count_before = oob_names.len();
        place(
            items,
            first,
            &mut oob_names,
            &mut oob_su,
            &mut pool_fill,
            &|i| format!("oob-su{tag}-{}", i - count_before + 1),
            Some(su),
            &mut oob_links,
            &mut pdu_ports,
        );
    }
    let inband_leaves = n.inband.switches.leaf.max(2);
    let inband_names: Vec<String> = (1..=inband_leaves)
        .map(|i| format!("inb-leaf-{i}"))
        .chain(inband_upper_names(inband_leaves, inp.inband_ports))
        .collect();
    let mut central: Vec<Item> = Vec::new();
    // Distributed: the central devices and the other racks' PDUs take the OOB switch of their own rack, wired
    // once the layout has placed them (wire_rack_oob).
    for x in inp.compute.switches().filter(|_| !inp.distributed) {
        let node = inp.compute.node(x);
        if node.role != Role::Leaf || node.su.is_none() {
            central.push(Item::Dev(end(&node.name, "mgmt0", RJ45)));
        }
    }
    if !inp.distributed {
        for s in storage_switches.iter().chain(&inband_names) {
            central.push(Item::Dev(end(s, "mgmt0", RJ45)));
        }
        for d in ufm.iter().chain(&managers) {
            central.push(Item::Dev(end(d, "bmc", RJ45)));
        }
        for _ in 0..inp.other_pdus {
            central.push(Item::Pdu(None));
        }
    }
    let su_switches = oob_names.len();
    place(
        central,
        0,
        &mut oob_names,
        &mut oob_su,
        &mut pool_fill,
        &|i| format!("oob-mgmt-{}", i - su_switches + 1),
        None,
        &mut oob_links,
        &mut pdu_ports,
    );
    // Switch ports in the order they were taken.
    let mut port_no = vec![0u32; oob_names.len()];
    let mut taken: Vec<(usize, u32)> = Vec::new();
    // PDU ports were numbered by fill; device links take the ports left, in order.
    let pdu_taken: HashSet<(String, String)> = pdu_ports.iter().map(|p| (p.switch.clone(), p.port.clone())).collect();
    for (s, e) in oob_links {
        loop {
            port_no[s] += 1;
            if !pdu_taken.contains(&(oob_names[s].clone(), format!("{}", port_no[s]))) {
                break;
            }
        }
        taken.push((s, port_no[s]));
        w.links.push(NetLink {
            a: e,
            b: end(&oob_names[s], format!("{}", port_no[s]), RJ45),
            role: CableRole::Oob,
            speed: Gbps(1),
            protocol: "ethernet",
        });
    }
    w.pdu_ports = pdu_ports;
    for (name, su) in oob_names.iter().zip(&oob_su) {
        w.devices.push(NetDevice::new(name.clone(), NetPart::OobSwitch, *su));
    }
    if inp.distributed {
        w.distributed = true;
        w.rack_oob = (1..=inp.central_racks).map(|i| format!("oob-rack-{i}")).collect();
        for name in &w.rack_oob {
            w.devices.push(NetDevice::new(name.clone(), NetPart::OobSwitch, None));
        }
    }
    w.oob_switches = (oob_names.len() + w.rack_oob.len()) as u32;

    // ---- In-band: bonded devices over leaf pairs, then leaf-core links and ISLs.
    let mut fill = PairFill::new(per_leaf);
    if !inp.distributed {
        fill.reserve(inband_leaves as usize);
    }
    let mut down: Vec<(NetEnd, usize, u32)> = Vec::new(); // (device end, leaf, leaf port)
    let mut leaf_su: Vec<Option<u32>> = Vec::new();
    fn bonded(ports: Vec<NetEnd>, fill: &mut PairFill, down: &mut Vec<(NetEnd, usize, u32)>) {
        let at = fill.add(ports.len() as u32);
        down.extend(ports.into_iter().zip(at).map(|(e, (l, p))| (e, l, p)));
    }
    let server_ports = |s: u32| -> Vec<NetEnd> {
        (1..=bond)
            .map(|j| end(server_name(s), format!("inb{j}"), INBAND_FORM))
            .collect()
    };
    if inp.distributed {
        let per_su = inp.servers_per_su.max(1);
        for su in 0..sus {
            fill.new_pair();
            for s in (su * per_su)..((su + 1) * per_su).min(inp.servers) {
                bonded(server_ports(s), &mut fill, &mut down);
            }
            for (o, osu) in oob_names.iter().zip(&oob_su) {
                if *osu == Some(su) {
                    let ports = (1..=2).map(|j| end(o, format!("up{j}"), INBAND_FORM)).collect();
                    bonded(ports, &mut fill, &mut down);
                }
            }
            leaf_su.resize(fill.leaves(), Some(su));
        }
        fill.new_pair();
    } else {
        for s in 0..inp.servers {
            bonded(server_ports(s), &mut fill, &mut down);
        }
    }
    for m in &managers {
        let ports = (1..=bond).map(|j| end(m, format!("inb{j}"), INBAND_FORM)).collect();
        bonded(ports, &mut fill, &mut down);
    }
    // The OOB switches' uplinks: distributed, the SUs' went to their own leaves above.
    let uplinked = if inp.distributed { &w.rack_oob } else { &oob_names };
    for o in uplinked {
        let ports = (1..=2).map(|j| end(o, format!("up{j}"), INBAND_FORM)).collect();
        bonded(ports, &mut fill, &mut down);
    }
    // User storage ports: kept on the leaves, not cabled (the NFS storage is the vendor's).
    for _ in 0..inp.user_storage_ports.div_ceil(2) {
        let ports = vec![end("", "", INBAND_FORM), end("", "", INBAND_FORM)];
        bonded(ports, &mut fill, &mut down);
    }
    let leaves = fill.finish(inp.distributed);
    leaf_su.resize(leaves.len(), None);
    let inband_leaves = leaves.len() as u32;
    let leaf_name = |l: usize| format!("inb-leaf-{}", l + 1);
    for (e, l, p) in down {
        if e.device.is_empty() {
            continue;
        }
        w.links.push(NetLink {
            a: e,
            b: end(leaf_name(l), format!("{p}"), QSFP28),
            role: CableRole::Inband,
            speed: inp.inband_speed,
            protocol: "ethernet",
        });
    }
    // Up the tree (networks::inband_uppers): each switch's 4 uplinks, 2 to each switch of the pair above its
    // group, and an ISL pair between the two switches of every pair.
    let tiers = crate::networks::inband_uppers(inband_leaves, inp.inband_ports);
    let mut lower: Vec<String> = (0..inband_leaves as usize).map(leaf_name).collect();
    let mut uppers: Vec<String> = Vec::new();
    for (t, &count) in tiers.iter().enumerate() {
        let top = t + 1 == tiers.len();
        let names: Vec<String> = (1..=count)
            .map(|i| {
                if top {
                    format!("inb-core-{i}")
                } else {
                    format!("inb-agg{}-{i}", t + 1)
                }
            })
            .collect();
        let group = if top {
            lower.len().max(1)
        } else {
            (inp.inband_ports.saturating_sub(6) / 2).max(1) as usize
        };
        let mut port = vec![0u32; names.len()];
        for (l, name) in lower.iter().enumerate() {
            let pair = (l / group) * 2;
            let mut up = per_leaf;
            for c in [pair, pair + 1].into_iter().filter(|&c| c < names.len()) {
                for _ in 0..2 {
                    up += 1;
                    port[c] += 1;
                    w.links.push(NetLink {
                        a: end(name, format!("{up}"), QSFP28),
                        b: end(&names[c], format!("{}", port[c]), QSFP28),
                        role: CableRole::Inband,
                        speed: inp.inband_speed,
                        protocol: "ethernet",
                    });
                }
            }
            if l % 2 == 1 {
                for i in 1..=2u32 {
                    let p = per_leaf + 4 + i;
                    w.links.push(NetLink {
                        a: end(&lower[l - 1], format!("{p}"), QSFP28),
                        b: end(name, format!("{p}"), QSFP28),
                        role: CableRole::Inband,
                        speed: inp.inband_speed,
                        protocol: "ethernet",
                    });
                }
            }
        }
        uppers.extend(names.iter().cloned());
        lower = names;
    }
    w.inband_uppers = uppers.len() as u32;
    for (l, su) in leaf_su.iter().enumerate().take(inband_leaves as usize) {
        w.devices.push(NetDevice::new(leaf_name(l), NetPart::InbandSwitch, *su));
    }
    for name in uppers {
        w.devices.push(NetDevice::new(name, NetPart::InbandSwitch, None));
    }
    w.inband_leaves = inband_leaves;
    let _ = taken;
    w
}

/// Distributed management, once the layout has placed the devices: every device with an OOB port (a switch's
/// `mgmt0`, an appliance's `bmc`) that stands in a rack holding one of [`Wiring::rack_oob`] and is not yet on an
/// OOB switch is wired to that rack's switch, and the switch's next `pdus(rack)` ports are kept for the rack's
/// PDUs. Returns the devices left without an OOB port (in a rack with no OOB switch, or past its ports): the
/// plan reports them as a broken invariant.
pub fn wire_rack_oob(
    w: &mut Wiring,
    layout: &crate::layout::Layout,
    oob_ports: u32,
    pdus: &dyn Fn(usize) -> u32,
) -> Vec<String> {
    if !w.distributed {
        return Vec::new();
    }
    let rack_oob: HashSet<&str> = w.rack_oob.iter().map(String::as_str).collect();
    let wired: HashSet<&str> = w
        .links
        .iter()
        .filter(|l| l.role == CableRole::Oob && (l.a.port == "mgmt0" || l.a.port == "bmc"))
        .map(|l| l.a.device.as_str())
        .collect();
    let mut links = Vec::new();
    let mut pdu_ports = Vec::new();
    let mut orphans = Vec::new();
    for (i, rack) in layout.racks.iter().enumerate() {
        let switch = rack.devices.iter().find(|d| rack_oob.contains(d.name.as_str()));
        let mut port = 0u32;
        for d in &rack.devices {
            let p = match d.kind {
                DeviceKind::Leaf | DeviceKind::Spine | DeviceKind::Core | DeviceKind::Storage | DeviceKind::Inband => {
                    "mgmt0"
                }
                DeviceKind::Appliance => "bmc",
                _ => continue,
            };
            if wired.contains(d.name.as_str()) {
                continue;
            }
            match switch {
                Some(s) if port < oob_ports => {
                    port += 1;
                    links.push(NetLink {
                        a: end(&d.name, p, RJ45),
                        b: end(&s.name, format!("{port}"), RJ45),
                        role: CableRole::Oob,
                        speed: Gbps(1),
                        protocol: "ethernet",
                    });
                }
                _ => orphans.push(d.name.clone()),
            }
        }
        if let Some(s) = switch {
            for _ in 0..pdus(i) {
                if port >= oob_ports {
                    orphans.push(format!("{}-pdu", rack.id));
                    break;
                }
                port += 1;
                pdu_ports.push(PduPort {
                    su: None,
                    rack: Some(i),
                    switch: s.name.clone(),
                    port: format!("{port}"),
                });
            }
        }
    }
    w.links.extend(links);
    w.pdu_ports.extend(pdu_ports);
    orphans
}

/// Names of the in-band switches above `leaves` leaves: `inb-agg<tier>-<i>`, then `inb-core-1`, `inb-core-2`.
fn inband_upper_names(leaves: u32, ports: u32) -> Vec<String> {
    let tiers = crate::networks::inband_uppers(leaves, ports);
    let last = tiers.len();
    tiers
        .iter()
        .enumerate()
        .flat_map(|(t, &n)| {
            (1..=n).map(move |i| {
                if t + 1 == last {
                    format!("inb-core-{i}")
                } else {
                    format!("inb-agg{}-{i}", t + 1)
                }
            })
        })
        .collect()
}

/// Bonded devices over in-band leaf pairs: a device takes one port on each leaf of a pair (odd bond members on
/// the first leaf, even on the second); a pair that cannot take it all is full and the next pair starts.
struct PairFill {
    leaves: Vec<u32>,
    pair: usize,
    per_leaf: u32,
}

impl PairFill {
    fn new(per_leaf: u32) -> Self {
        PairFill {
            leaves: Vec::new(),
            pair: 0,
            per_leaf,
        }
    }

    /// Starts with `n` leaves (rounded up to pairs), as the counting rule gives.
    fn reserve(&mut self, n: usize) {
        self.leaves.resize(n.div_ceil(2) * 2, 0);
    }

    /// Leaves opened so far (every opened pair counts both).
    fn leaves(&self) -> usize {
        self.leaves.len()
    }

    /// The next device goes to a new pair (an SU's own leaves).
    fn new_pair(&mut self) {
        self.pair = self.leaves.len().div_ceil(2);
    }

    /// A device of `ports` bonded ports: (leaf, 1-based leaf port) of each.
    fn add(&mut self, ports: u32) -> Vec<(usize, u32)> {
        let need = |j: u32| (0..ports).filter(|i| i % 2 == j).count() as u32;
        loop {
            if 2 * self.pair + 1 >= self.leaves.len() {
                self.leaves.resize(2 * self.pair + 2, 0);
            }
            let (a, b) = (2 * self.pair, 2 * self.pair + 1);
            if self.leaves[a] + need(0) <= self.per_leaf && self.leaves[b] + need(1) <= self.per_leaf {
                break;
            }
            self.pair += 1;
        }
        (0..ports)
            .map(|j| {
                let l = 2 * self.pair + (j % 2) as usize;
                self.leaves[l] += 1;
                (l, self.leaves[l])
            })
            .collect()
    }

    /// The ports taken on every leaf, trailing unused pairs dropped (at least one pair).
    fn finish(mut self, trim: bool) -> Vec<u32> {
        while trim && self.leaves.len() > 2 && self.leaves[self.leaves.len() - 2..].iter().all(|&n| n == 0) {
            self.leaves.truncate(self.leaves.len() - 2);
        }
        if self.leaves.len() < 2 {
            self.leaves.resize(2, 0);
        }
        self.leaves
    }
}

/// Compute leaf ports for `need` UFM appliances, leaf by leaf in SU order (`first_su`'s leaves first): the
/// switch's own UFM port where it has one, else the first port no link uses (the slot a missing server leaves).
/// Each leaf's ports are read off its own links, so this costs the links of the leaves it looks at.
fn free_compute_ports(inp: &WireInputs<'_>, need: usize, first_su: Option<u32>) -> Vec<(String, String)> {
    let f = inp.compute;
    let first = f.leaves().filter(|&x| first_su.is_some() && f.node(x).su == first_su);
    let rest = f.leaves().filter(|&x| first_su.is_none() || f.node(x).su != first_su);
    let mut out = Vec::new();
    for x in first.chain(rest) {
        if out.len() >= need {
            break;
        }
        if let Some(port) = inp.compute_ufm_port {
            out.push((f.node(x).name.clone(), port.to_string()));
            continue;
        }
        let used: HashSet<u32> = f
            .graph()
            .edges(x)
            .map(|e| {
                let l = e.weight();
                if l.a.node == x { l.a.port } else { l.b.port }
            })
            .collect();
        if let Some(p) = (0..inp.compute_ports).find(|p| !used.contains(p)) {
            out.push((f.node(x).name.clone(), f.port_label(PortRef { node: x, port: p })));
        }
    }
    out
}
