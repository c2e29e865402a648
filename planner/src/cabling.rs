//! The cable plan: every fabric link with its two ends at their racks and U, its routed length, and the cable
//! or optics it gets.
//!
//! Cages that share links must share a medium: a twin-port cage holds one module or one cable for both its ports,
//! and a module at one end of a fibre needs a module of the same type at the other. So cages are grouped by the
//! links between them (union-find), and each group gets one medium, chosen by [`crate::media::choose`] for its
//! longest link. A group of one switch cage and one far cage can take a twin-to-twin copper cable; a switch cage
//! and two NIC ports a breakout; anything larger needs optics. `O(links x alpha(links))`.

use crate::fabric::{Fabric, LinkRole, Role};
use crate::layout::Layout;
use crate::media::{self, CageRun, MediaChoice, NoMedia};
use gigapod_catalog::units::{Gbps, Meters, Watts};
use gigapod_catalog::{Catalog, HeatSink};
use petgraph::visit::EdgeRef;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The medium of a cable run: the contract's `cables.by_type` keys. Declared in alphabetical order, so that
/// maps keyed by it list `acc, aoc, dac, optic` as the names sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Medium {
    /// Active copper cable.
    Acc,
    /// Active optical cable.
    Aoc,
    /// Twisted-pair copper patch cord (1 GbE out-of-band).
    Cat6,
    /// Passive copper (direct-attach) cable.
    Dac,
    /// Transceivers at both ends and a fibre.
    Optic,
}

impl Medium {
    /// The lowercase name: `dac`, `acc`, `aoc`, `cat6` or `optic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Acc => "acc",
            Medium::Aoc => "aoc",
            Medium::Cat6 => "cat6",
            Medium::Dac => "dac",
            Medium::Optic => "optic",
        }
    }

    /// The medium of a media choice.
    pub fn of(choice: &MediaChoice) -> Medium {
        match choice {
            MediaChoice::Cable {
                media: gigapod_catalog::CableMedia::Dac,
                ..
            } => Medium::Dac,
            MediaChoice::Cable {
                media: gigapod_catalog::CableMedia::Acc,
                ..
            } => Medium::Acc,
            MediaChoice::Cable {
                media: gigapod_catalog::CableMedia::Cat6,
                ..
            } => Medium::Cat6,
            MediaChoice::Cable { .. } => Medium::Aoc,
            MediaChoice::Optics { .. } => Medium::Optic,
        }
    }
}

impl std::fmt::Display for Medium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// One link as cabled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CableRun {
    /// Label printed on the cable: `C000123` (a breakout's links share one).
    pub label: String,
    /// Lower-tier device (server or switch) name.
    pub a_device: String,
    /// Its port as on the faceplate (`nic3`, `12/1`).
    pub a_port: String,
    /// Its rack id.
    pub a_rack: String,
    /// Its lowest U.
    pub a_u: u32,
    /// Upper-tier device name.
    pub b_device: String,
    /// Its port.
    pub b_port: String,
    /// Its rack id.
    pub b_rack: String,
    /// Its lowest U.
    pub b_u: u32,
    /// Its medium.
    pub media: Medium,
    /// The cable or fibre part.
    pub part_id: String,
    /// Orderable length.
    pub length_m: Meters,
    /// Routed length before rounding up to an orderable length.
    pub routed_m: Meters,
    /// Which tiers it joins (compute fabric), or which network.
    pub role: CableRole,
}

/// What a cable run belongs to: a tier of the compute fabric, or one of the other networks. cables.csv's `role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CableRole {
    /// Compute fabric: server NIC port to leaf.
    Endpoint,
    /// Compute fabric: leaf to spine.
    LeafSpine,
    /// Compute fabric: spine to core.
    SpineCore,
    /// A UFM appliance into a compute leaf.
    Ufm,
    /// The storage fabric (its node, leaf-spine and UFM links).
    Storage,
    /// The in-band management Ethernet.
    Inband,
    /// The out-of-band 1 GbE network.
    Oob,
}

impl CableRole {
    /// `endpoint`, `leaf_spine`, `spine_core`, `ufm`, `storage`, `inband` or `oob`.
    pub fn as_str(self) -> &'static str {
        match self {
            CableRole::Endpoint => "endpoint",
            CableRole::LeafSpine => "leaf_spine",
            CableRole::SpineCore => "spine_core",
            CableRole::Ufm => "ufm",
            CableRole::Storage => "storage",
            CableRole::Inband => "inband",
            CableRole::Oob => "oob",
        }
    }
}

impl From<LinkRole> for CableRole {
    fn from(r: LinkRole) -> Self {
        match r {
            LinkRole::Endpoint => CableRole::Endpoint,
            LinkRole::LeafSpine => CableRole::LeafSpine,
            LinkRole::SpineCore => CableRole::SpineCore,
        }
    }
}

impl std::fmt::Display for CableRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The whole cable plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CablePlan {
    /// Every link.
    pub runs: Vec<CableRun>,
    /// Physical cables (a breakout or twin-to-twin cable carries two links; a fibre one), by media kind.
    pub by_type: BTreeMap<Medium, u64>,
    /// Physical cables in all.
    pub total: u64,
    /// Cables and fibres by part id and orderable length (m, as text for stable keys).
    pub cables_by_length: BTreeMap<(String, String), u64>,
    /// Transceivers by part id.
    pub transceivers: BTreeMap<String, u64>,
    /// Transceivers by part id and the side they sit on: switch cages or the servers' (system) cages.
    pub transceivers_by_side: BTreeMap<(String, Side), u64>,
    /// Power of the pluggables (modules and active cable ends) in each device, by device name.
    #[serde(skip)]
    pub pluggable_w: HashMap<String, Watts>,
}

/// Where a pluggable module sits: the bill of materials lists switch-side and system-side parts apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// In a switch cage.
    Switch,
    /// In a server's fabric cage (its NICs' or the chassis's own).
    System,
}

impl Side {
    /// `switch` or `system`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Switch => "switch",
            Side::System => "system",
        }
    }
}

struct Dsu {
    parent: Vec<u32>,
}

impl Dsu {
    fn find(&mut self, x: u32) -> u32 {
        let mut r = x;
        while self.parent[r as usize] != r {
            r = self.parent[r as usize];
        }
        let mut x = x;
        while self.parent[x as usize] != r {
            let next = self.parent[x as usize];
            self.parent[x as usize] = r;
            x = next;
        }
        r
    }
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra as usize] = rb;
        }
    }
}

/// The device name of a fabric node in the layout: `srv12` for server 12's NIC ports, the node name for switches.
pub fn device_name(fabric: &Fabric, node: petgraph::graph::NodeIndex) -> String {
    let n = fabric.node(node);
    match (n.role, n.server) {
        (Role::Endpoint, Some(s)) => server_name(s),
        _ => n.name.clone(),
    }
}

/// The name of server `index` (0-based): `srv1`, `srv2`, ...
pub fn server_name(index: u32) -> String {
    format!("srv{}", index + 1)
}

/// What the plan needs to know of the cage forms and pluggable power.
#[derive(Debug, Clone)]
pub struct CageForms<'a> {
    /// The switch's cage form at the link speed (`osfp-twin`).
    pub switch_form: &'a str,
    /// Logical ports per switch cage at the link speed.
    pub ports_per_cage: u32,
    /// The form of the server's fabric cages: the NIC's own (`osfp`), or the chassis's (`osfp-twin` on a DGX).
    pub nic_form: &'a str,
    /// Fabric ports per server cage (1 for single-port NICs, 2 behind a DGX's twin-port cages).
    pub nic_ports_per_cage: u32,
    /// The fabric's protocol (`infiniband`, `ethernet`).
    pub protocol: &'a str,
    /// The heat-sink form the switch's cages take at the link speed.
    pub switch_sink: Option<HeatSink>,
    /// The heat-sink form the server's fabric cages take.
    pub nic_sink: Option<HeatSink>,
}

impl<'a> CageForms<'a> {
    /// The cage forms of a resolved spec: the switch's at the NIC speed, the server's fabric cages.
    pub fn of(r: &'a crate::spec::Resolved) -> Self {
        let (nic_form, nic_ports_per_cage) = crate::devices::server_cages(r);
        CageForms {
            switch_form: r
                .switch
                .port_group
                .iter()
                .find(|g| g.modes.iter().any(|m| m.speed_gbps == r.nic_speed))
                .map_or("osfp-twin", |g| g.form.as_str()),
            ports_per_cage: r.switch.ports_per_cage_at(r.nic_speed).unwrap_or(1),
            nic_form,
            nic_ports_per_cage,
            protocol: r.switch.protocol.as_str(),
            switch_sink: r.switch.cage_heat_sink_at(r.nic_speed),
            nic_sink: crate::devices::server_cage_heat_sink(r),
        }
    }

    /// The run of a switch cage's links to a server (`to_server`) or to another switch.
    pub fn run(&self, to_server: bool, links: u32, one_far_cage: bool, speed: Gbps, length: Meters) -> CageRun<'a> {
        CageRun {
            a_form: self.switch_form,
            b_form: if to_server { self.nic_form } else { self.switch_form },
            links,
            one_far_cage,
            speed,
            length,
            protocol: self.protocol,
            a_sink: self.switch_sink,
            b_sink: if to_server { self.nic_sink } else { self.switch_sink },
        }
    }
}

/// Builds the cable plan of a fabric on a layout, in three steps: [`group_links`] (cages that must share a
/// medium), [`choose_media`] (one medium per group, for its longest link) and [`label_and_count`] (labels, BOM
/// counts, pluggable power).
pub fn plan(fabric: &Fabric, layout: &Layout, catalog: &Catalog, forms: &CageForms<'_>) -> Result<CablePlan, NoMedia> {
    let groups = group_links(fabric, layout, forms);
    let choices = choose_media(&groups, catalog, forms, fabric.speed())?;
    Ok(label_and_count(fabric, layout, catalog, &groups, &choices))
}

/// Links whose cages are joined (through shared cages) and must take one medium.
#[derive(Debug, Clone, PartialEq)]
pub struct CageGroup {
    /// The links (graph edges) with their routed lengths, m.
    pub links: Vec<(petgraph::graph::EdgeIndex, f64)>,
    /// The cages they use ([`CageGroups::is_switch_cage`] tells switch cages from server cages).
    pub cages: Vec<u32>,
    /// Whether a server's NIC cage is in the group.
    pub to_nic: bool,
}

/// Every link of a fabric grouped by the cages it shares, with the cage numbering.
#[derive(Debug, Clone, PartialEq)]
pub struct CageGroups {
    /// The groups, in a stable order (by their union-find root).
    pub groups: Vec<CageGroup>,
    switches: u32,
    cages_per_switch: u32,
    nic_ports_per_cage: u32,
}

impl CageGroups {
    /// Switch cages are numbered first, server cages after.
    pub fn is_switch_cage(&self, cage: u32) -> bool {
        cage < self.switches * self.cages_per_switch
    }

    /// The graph node a cage belongs to.
    fn node_of(&self, cage: u32) -> petgraph::graph::NodeIndex {
        let limit = self.switches * self.cages_per_switch;
        if cage < limit {
            petgraph::graph::NodeIndex::new((cage / self.cages_per_switch) as usize)
        } else {
            petgraph::graph::NodeIndex::new(((cage - limit) * self.nic_ports_per_cage + self.switches) as usize)
        }
    }
}

/// Step 1: groups the links by the cages they share (union-find over cages), with each link's routed length.
pub fn group_links(fabric: &Fabric, layout: &Layout, forms: &CageForms<'_>) -> CageGroups {
    let g = fabric.graph();
    let ppc = forms.ports_per_cage.max(1);
    // Cage ids: switch cages first (node, port / ppc), then the servers' cages (endpoints are numbered
    // server-major, so consecutive rails of a server share a cage).
    let nppc = forms.nic_ports_per_cage.max(1);
    let switches = fabric.switches().len() as u32;
    let max_port = g
        .edge_references()
        .map(|e| e.weight().b.port.max(e.weight().a.port))
        .max()
        .unwrap_or(0);
    let cages_per_switch = max_port / ppc + 1;
    let cage_of = |node: petgraph::graph::NodeIndex, port: u32| -> u32 {
        let i = node.index() as u32;
        if i < switches {
            i * cages_per_switch + port / ppc
        } else {
            switches * cages_per_switch + (i - switches) / nppc
        }
    };
    let total_cages = switches * cages_per_switch + (fabric.endpoints().len() as u32).div_ceil(nppc);
    let mut dsu = Dsu {
        parent: (0..total_cages).collect(),
    };
    for e in g.edge_references() {
        let l = e.weight();
        dsu.union(cage_of(l.a.node, l.a.port), cage_of(l.b.node, l.b.port));
    }
    let mut groups: HashMap<u32, CageGroup> = HashMap::new();
    let sites = Sites::of(fabric, layout);
    for e in g.edge_references() {
        let l = e.weight();
        let length = match (sites.place[l.a.node.index()], sites.place[l.b.node.index()]) {
            (Some(pa), Some(pb)) => layout.length_between(pa, pb),
            _ => 0.0,
        };
        let root = dsu.find(cage_of(l.a.node, l.a.port));
        let grp = groups.entry(root).or_insert_with(|| CageGroup {
            links: Vec::new(),
            cages: Vec::new(),
            to_nic: false,
        });
        grp.links.push((e.id(), length));
        for c in [cage_of(l.a.node, l.a.port), cage_of(l.b.node, l.b.port)] {
            if !grp.cages.contains(&c) {
                grp.cages.push(c);
            }
        }
        grp.to_nic |= l.role == LinkRole::Endpoint;
    }
    let mut roots: Vec<u32> = groups.keys().copied().collect();
    roots.sort_unstable();
    CageGroups {
        groups: roots.into_iter().filter_map(|r| groups.remove(&r)).collect(),
        switches,
        cages_per_switch,
        nic_ports_per_cage: nppc,
    }
}

/// Step 2: one medium per group, chosen for its longest link by [`media::choose`]. Groups of the same shape and
/// length get the same choice (memoised).
pub fn choose_media(
    groups: &CageGroups,
    catalog: &Catalog,
    forms: &CageForms<'_>,
    speed: Gbps,
) -> Result<Vec<MediaChoice>, NoMedia> {
    let ppc = forms.ports_per_cage.max(1);
    let mut memo: HashMap<(bool, u32, bool, u64), MediaChoice> = HashMap::new();
    let mut out = Vec::with_capacity(groups.groups.len());
    for grp in &groups.groups {
        let longest = grp.links.iter().map(|(_, l)| *l).fold(0.0, f64::max);
        let one_far_cage = grp.cages.len() == 2;
        let key = (
            grp.to_nic,
            grp.links.len() as u32,
            one_far_cage,
            (longest * 1000.0).round() as u64,
        );
        let choice = match memo.get(&key) {
            Some(c) => c.clone(),
            None => {
                // Links through one cage: a group of many cages (a chain of twin-port cages) has at most
                // `ports_per_cage` in each.
                let run: CageRun<'_> = forms.run(
                    grp.to_nic,
                    (grp.links.len() as u32).min(ppc),
                    one_far_cage,
                    speed,
                    Meters(longest),
                );
                let c = media::choose(catalog, &run)?;
                memo.insert(key, c.clone());
                c
            }
        };
        out.push(choice);
    }
    Ok(out)
}

/// The label of the `n`-th physical cable (1-based): `C000001`.
pub fn cable_label(n: u64) -> String {
    format!("C{n:06}")
}

/// Step 3: labels every physical cable (links sharing a cable share its label), counts cables by medium and
/// length and transceivers by part, and sums the pluggables' power per device.
pub fn label_and_count(
    fabric: &Fabric,
    layout: &Layout,
    catalog: &Catalog,
    groups: &CageGroups,
    choices: &[MediaChoice],
) -> CablePlan {
    let g = fabric.graph();
    let sites = Sites::of(fabric, layout);
    let name = |n: petgraph::graph::NodeIndex| sites.name[n.index()].clone();
    let mut by_length: HashMap<(&str, u64), u64> = HashMap::new();
    let mut out = CablePlan {
        runs: Vec::with_capacity(g.edge_count()),
        by_type: BTreeMap::new(),
        total: 0,
        cables_by_length: BTreeMap::new(),
        transceivers: BTreeMap::new(),
        transceivers_by_side: BTreeMap::new(),
        pluggable_w: HashMap::new(),
    };
    let mut label_no = 0u64;
    for (grp, choice) in groups.groups.iter().zip(choices) {
        let switch_cages = grp.cages.iter().filter(|&&c| groups.is_switch_cage(c)).count() as u32;
        let nic_cages = grp.cages.len() as u32 - switch_cages;
        let kind = Medium::of(choice);
        // One label per physical cable.
        let (part_id, length_m, per_cable) = match choice {
            MediaChoice::Cable {
                cable_id,
                length_m,
                cables,
                ..
            } => (
                cable_id.as_str(),
                *length_m,
                grp.links.len().div_ceil((*cables).max(1) as usize),
            ),
            MediaChoice::Optics { fiber_id, length_m, .. } => (fiber_id.as_str(), *length_m, 1),
        };
        let mut label = String::new();
        for (i, (edge, routed)) in grp.links.iter().enumerate() {
            if i % per_cable.max(1) == 0 {
                label_no += 1;
                label = cable_label(label_no);
                *out.by_type.entry(kind).or_default() += 1;
                out.total += 1;
                *by_length.entry((part_id, length_m.0.to_bits())).or_default() += 1;
            }
            let l = g[*edge];
            let (da, db) = (name(l.a.node), name(l.b.node));
            let (pa, pb) = (sites.place[l.a.node.index()], sites.place[l.b.node.index()]);
            let rack =
                |p: Option<crate::layout::Placement>| p.map(|p| layout.racks[p.rack].id.clone()).unwrap_or_default();
            out.runs.push(CableRun {
                label: label.clone(),
                a_port: fabric.port_label(l.a),
                a_rack: rack(pa),
                a_u: pa.map_or(0, |p| p.u),
                a_device: da,
                b_port: fabric.port_label(l.b),
                b_rack: rack(pb),
                b_u: pb.map_or(0, |p| p.u),
                b_device: db,
                media: kind,
                part_id: part_id.to_string(),
                length_m,
                routed_m: Meters((routed * 100.0).round() / 100.0),
                role: l.role.into(),
            });
        }
        // Pluggables: modules in every cage of an optical group, active ends of copper.
        let mut add_w = |cage: u32, w: Watts| {
            let n = groups.node_of(cage);
            match out.pluggable_w.get_mut(sites.name[n.index()].as_str()) {
                Some(x) => *x += w,
                None => {
                    out.pluggable_w.insert(name(n), w);
                }
            }
        };
        match choice {
            MediaChoice::Optics {
                a_transceiver,
                b_transceiver,
                ..
            } => {
                let a = catalog
                    .transceiver(a_transceiver)
                    .map_or(Watts(0.0), |t| t.power_w.value);
                let b = catalog
                    .transceiver(b_transceiver)
                    .map_or(Watts(0.0), |t| t.power_w.value);
                *out.transceivers.entry(a_transceiver.clone()).or_default() += u64::from(switch_cages);
                *out.transceivers_by_side
                    .entry((a_transceiver.clone(), Side::Switch))
                    .or_default() += u64::from(switch_cages);
                if nic_cages > 0 {
                    *out.transceivers.entry(b_transceiver.clone()).or_default() += u64::from(nic_cages);
                    *out.transceivers_by_side
                        .entry((b_transceiver.clone(), Side::System))
                        .or_default() += u64::from(nic_cages);
                }
                for &c in &grp.cages {
                    add_w(c, if groups.is_switch_cage(c) { a } else { b });
                }
            }
            MediaChoice::Cable { cable_id, .. } => {
                // Passive copper draws ~0 W per end, active copper and AOC a few watts: all from the catalog.
                let per_end = catalog.cable(cable_id).map_or(Watts(0.0), |c| c.power_per_end_w.value);
                for &c in &grp.cages {
                    add_w(c, per_end);
                }
            }
        }
    }
    for ((part, bits), n) in by_length {
        *out.cables_by_length
            .entry((part.to_string(), format!("{}", f64::from_bits(bits))))
            .or_default() += n;
    }
    out
}

/// Per graph node, computed once: its device name in the layout and where it stands.
struct Sites {
    name: Vec<String>,
    place: Vec<Option<crate::layout::Placement>>,
}

impl Sites {
    fn of(fabric: &Fabric, layout: &Layout) -> Self {
        let n = fabric.graph().node_count();
        let name: Vec<String> = (0..n)
            .map(|i| device_name(fabric, petgraph::graph::NodeIndex::new(i)))
            .collect();
        let place = name.iter().map(|d| layout.placement(d)).collect();
        Sites { name, place }
    }
}

impl CablePlan {
    /// A plan with no runs.
    pub fn empty() -> Self {
        CablePlan {
            runs: Vec::new(),
            by_type: BTreeMap::new(),
            total: 0,
            cables_by_length: BTreeMap::new(),
            transceivers: BTreeMap::new(),
            transceivers_by_side: BTreeMap::new(),
            pluggable_w: HashMap::new(),
        }
    }

    /// Appends another plan's runs and counts; its labels follow this plan's (`C{total + n}`).
    pub fn append(&mut self, other: CablePlan) {
        let offset = self.total;
        for mut r in other.runs {
            let n: u64 = r.label.trim_start_matches('C').parse().unwrap_or(0);
            r.label = cable_label(n + offset);
            self.runs.push(r);
        }
        for (k, v) in other.by_type {
            *self.by_type.entry(k).or_default() += v;
        }
        self.total += other.total;
        for (k, v) in other.cables_by_length {
            *self.cables_by_length.entry(k).or_default() += v;
        }
        for (k, v) in other.transceivers {
            *self.transceivers.entry(k).or_default() += v;
        }
        for (k, v) in other.transceivers_by_side {
            *self.transceivers_by_side.entry(k).or_default() += v;
        }
        for (k, v) in other.pluggable_w {
            *self.pluggable_w.entry(k).or_insert(Watts(0.0)) += v;
        }
    }
}

/// Cables the storage fabric graph, cage by cage as the compute fabric ([`plan`]): its switches are placed under
/// `prefix` + their graph name (`stor-leaf-su1-r1`), its endpoints are the servers' storage ports (`stor1`).
pub fn plan_storage(
    fabric: &Fabric,
    layout: &Layout,
    catalog: &Catalog,
    forms: &CageForms<'_>,
    prefix: &str,
) -> Result<CablePlan, NoMedia> {
    // A view of the layout where the graph's switch names stand where their prefixed devices are placed.
    let mut view = layout.clone();
    for n in fabric.switches() {
        let name = &fabric.node(n).name;
        if let Some(p) = layout.placement(&format!("{prefix}{name}")) {
            view.placements.insert(name.clone(), p);
        }
    }
    let mut p = plan(fabric, &view, catalog, forms)?;
    let is_switch: std::collections::HashSet<String> = fabric.switches().map(|n| fabric.node(n).name.clone()).collect();
    let rename = |d: &mut String| {
        if is_switch.contains(d.as_str()) {
            *d = format!("{prefix}{d}");
        }
    };
    for r in &mut p.runs {
        rename(&mut r.a_device);
        rename(&mut r.b_device);
        if let Some(n) = r.a_port.strip_prefix("nic") {
            r.a_port = format!("stor{n}");
        }
        r.role = CableRole::Storage;
    }
    p.pluggable_w = p
        .pluggable_w
        .into_iter()
        .map(|(mut k, v)| {
            rename(&mut k);
            (k, v)
        })
        .collect();
    Ok(p)
}

/// Cables a list of links one by one (the networks beside the fabrics: one cage per link): each gets the medium
/// [`media::choose`] gives its ends' forms, its speed and its routed length, a label, and its pluggables' power.
/// On a link that no medium reaches: the error, naming the link's two ends, and the link's role.
pub fn plan_links(
    links: &[crate::netwire::NetLink],
    layout: &Layout,
    catalog: &Catalog,
) -> Result<CablePlan, Box<(NoMedia, CableRole)>> {
    let mut out = CablePlan::empty();
    let mut memo: HashMap<(String, String, u64, u64, &'static str), MediaChoice> = HashMap::new();
    let place = |e: &crate::netwire::NetEnd| -> Option<crate::layout::Placement> {
        layout.placement(&e.device).or_else(|| {
            e.rack.map(|rack| crate::layout::Placement {
                rack,
                u: layout.routing.rack_units,
                height: 1,
            })
        })
    };
    for l in links {
        let (pa, pb) = (place(&l.a), place(&l.b));
        let routed = match (pa, pb) {
            (Some(a), Some(b)) => layout.length_between(a, b),
            _ => 0.0,
        };
        let key = (
            l.b.form.clone(),
            l.a.form.clone(),
            l.speed.0,
            (routed * 1000.0).round() as u64,
            l.protocol,
        );
        let choice = match memo.get(&key) {
            Some(c) => c.clone(),
            None => {
                let run = CageRun {
                    a_form: &l.b.form,
                    b_form: &l.a.form,
                    links: 1,
                    one_far_cage: true,
                    speed: l.speed,
                    length: Meters(routed),
                    protocol: l.protocol,
                    a_sink: None,
                    b_sink: None,
                };
                let c = media::choose(catalog, &run).map_err(|e| {
                    let rack = |p: Option<crate::layout::Placement>| {
                        p.map_or_else(|| "unplaced".to_string(), |p| layout.racks[p.rack].id.clone())
                    };
                    Box::new((
                        NoMedia {
                            link: Some(
                                format!(
                                    "{} {} in {} to {} {} in {}, {}",
                                    l.a.device,
                                    l.a.port,
                                    rack(pa),
                                    l.b.device,
                                    l.b.port,
                                    rack(pb),
                                    l.role.as_str()
                                )
                                .into_boxed_str(),
                            ),
                            ..e
                        },
                        l.role,
                    ))
                })?;
                memo.insert(key, c.clone());
                c
            }
        };
        let kind = Medium::of(&choice);
        let (part_id, length_m) = match &choice {
            MediaChoice::Cable { cable_id, length_m, .. } => (cable_id.clone(), *length_m),
            MediaChoice::Optics { fiber_id, length_m, .. } => (fiber_id.clone(), *length_m),
        };
        out.total += 1;
        *out.by_type.entry(kind).or_default() += 1;
        *out.cables_by_length
            .entry((part_id.clone(), format!("{}", length_m.0)))
            .or_default() += 1;
        let rack = |p: Option<crate::layout::Placement>| p.map(|p| layout.racks[p.rack].id.clone()).unwrap_or_default();
        out.runs.push(CableRun {
            label: cable_label(out.total),
            a_device: l.a.device.clone(),
            a_port: l.a.port.clone(),
            a_rack: rack(pa),
            a_u: pa.map_or(0, |p| p.u),
            b_device: l.b.device.clone(),
            b_port: l.b.port.clone(),
            b_rack: rack(pb),
            b_u: pb.map_or(0, |p| p.u),
            media: kind,
            part_id,
            length_m,
            routed_m: Meters((routed * 100.0).round() / 100.0),
            role: l.role,
        });
        let mut add_w = |d: &str, w: Watts| {
            if w.0 > 0.0 {
                *out.pluggable_w.entry(d.to_string()).or_insert(Watts(0.0)) += w;
            }
        };
        match &choice {
            MediaChoice::Optics {
                a_transceiver,
                b_transceiver,
                ..
            } => {
                for (t, side, dev) in [
                    (a_transceiver, Side::Switch, &l.b.device),
                    (b_transceiver, Side::System, &l.a.device),
                ] {
                    *out.transceivers.entry(t.clone()).or_default() += 1;
                    *out.transceivers_by_side.entry((t.clone(), side)).or_default() += 1;
                    add_w(dev, catalog.transceiver(t).map_or(Watts(0.0), |x| x.power_w.value));
                }
            }
            MediaChoice::Cable { cable_id, .. } => {
                let per_end = catalog.cable(cable_id).map_or(Watts(0.0), |c| c.power_per_end_w.value);
                add_w(&l.a.device, per_end);
                add_w(&l.b.device, per_end);
            }
        }
    }
    Ok(out)
}

/// Writes the cable plan as CSV, a line per link:
/// `a_rack,a_u,a_device,a_port,b_rack,b_u,b_device,b_port,media,length_m,label,part_id,routed_m,role`.
///
/// Streamed into `out` a line at a time (through the csv crate's buffer), so that a plan of millions of links
/// never holds its cable list as one string.
pub fn write_csv(plan: &CablePlan, out: &mut dyn std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    for r in &plan.runs {
        w.write_record(r.csv_fields().iter().map(|f| f.as_bytes()))?;
    }
    w.flush()?;
    Ok(())
}

/// The columns of cables.csv.
pub const CSV_COLUMNS: [&str; 14] = [
    "a_rack", "a_u", "a_device", "a_port", "b_rack", "b_u", "b_device", "b_port", "media", "length_m", "label",
    "part_id", "routed_m", "role",
];

impl CableRun {
    /// The run's fields in cables.csv's columns, its text made safe for spreadsheets (a cell starting with `=`,
    /// `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, as in every export).
    pub fn csv_fields(&self) -> [std::borrow::Cow<'_, str>; 14] {
        use crate::text::csv_text;
        use std::borrow::Cow::Owned;
        [
            csv_text(&self.a_rack),
            Owned(self.a_u.to_string()),
            csv_text(&self.a_device),
            csv_text(&self.a_port),
            csv_text(&self.b_rack),
            Owned(self.b_u.to_string()),
            csv_text(&self.b_device),
            csv_text(&self.b_port),
            self.media.as_str().into(),
            Owned(format!("{}", self.length_m.0)),
            csv_text(&self.label),
            csv_text(&self.part_id),
            Owned(format!("{:.2}", self.routed_m.0)),
            self.role.as_str().into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Planner, Spec};

    /// 4 x DGX H100 (8 rails behind 4 twin-port OSFP cages) on qm9700 (twin-port cages at 400 Gb/s): 8 leaves
    /// of 4 downlinks and 4 uplinks, one spine.
    fn dgx4() -> (crate::Plan, CageGroups) {
        let p = Planner::new(Catalog::builtin())
            .plan(&Spec::builder("t", "dgx-h100").servers(4).build())
            .unwrap();
        let forms = CageForms::of(&p.resolved);
        assert_eq!((forms.ports_per_cage, forms.nic_ports_per_cage), (2, 2));
        let groups = group_links(&p.fabric, &p.layout, &forms);
        (p, groups)
    }

    #[test]
    fn cage_groups_of_four_dgx_servers() {
        let (p, groups) = dgx4();
        assert_eq!(p.fabric.summary().switches.spine, 1);
        let links: usize = groups.groups.iter().map(|g| g.links.len()).sum();
        assert_eq!(links, 4 * 8 + 8 * 4, "32 endpoint links and 32 leaf-spine links");
        // Server cage c holds rails 2c and 2c+1; leaf cage k holds servers 2k and 2k+1 of its rail. So servers 2k
        // and 2k+1, cage c, and the cage k of leaves 2c and 2c+1 form one group: 4 links, 2 NIC and 2 switch
        // cages. 2 server pairs x 4 cages = 8 such groups.
        let endpoint: Vec<&CageGroup> = groups.groups.iter().filter(|g| g.to_nic).collect();
        assert_eq!(endpoint.len(), 8);
        for g in &endpoint {
            assert_eq!(g.links.len(), 4);
            let switch_cages = g.cages.iter().filter(|&&c| groups.is_switch_cage(c)).count();
            assert_eq!((switch_cages, g.cages.len() - switch_cages), (2, 2));
        }
        // Leaf-spine groups join only switch cages, each through both ports of its cages.
        for g in groups.groups.iter().filter(|g| !g.to_nic) {
            assert!(g.cages.iter().all(|&c| groups.is_switch_cage(c)));
            assert_eq!(g.links.len(), g.cages.len(), "{g:?}");
        }
    }

    #[test]
    fn labels_count_physical_cables() {
        let (p, _) = dgx4();
        assert_eq!(cable_label(1), "C000001");
        assert_eq!(cable_label(123_456), "C123456");
        let c = &p.cables;
        // Every link has a label; the labels are exactly C000001..C<total>, in order of first use.
        let compute = c
            .runs
            .iter()
            .filter(|r| {
                matches!(
                    r.role,
                    CableRole::Endpoint | CableRole::LeafSpine | CableRole::SpineCore
                )
            })
            .count();
        assert_eq!(compute, 64, "the compute fabric's links; the other networks' follow");
        let mut labels: Vec<&str> = c.runs.iter().map(|r| r.label.as_str()).collect();
        labels.dedup();
        assert_eq!(labels.len() as u64, c.total);
        let want: Vec<String> = (1..=c.total).map(cable_label).collect();
        assert_eq!(labels, want.iter().map(String::as_str).collect::<Vec<_>>());
        // By medium, the cables add up to the total; a cable carrying two links shows both under one label.
        assert_eq!(c.by_type.values().sum::<u64>(), c.total);
        for label in &want {
            let runs: Vec<&CableRun> = c.runs.iter().filter(|r| &r.label == label).collect();
            assert!(runs.len() <= 2, "{label}: {} links", runs.len());
            if runs.len() == 2 {
                assert!(
                    runs.iter().all(|r| r.media != Medium::Optic),
                    "a fibre carries one link"
                );
            }
        }
    }
}
