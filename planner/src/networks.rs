//! The networks beside the compute fabric: the storage fabric (a graph of its own, built by the same fabric
//! builder), the in-band management Ethernet, the out-of-band 1 GbE network, and the UFM appliances and management
//! nodes. Rules and their sources are in docs/networks.md; the spec tables are `[storage]`, `[inband]`, `[oob]` and
//! `[management]` (docs/spec.md).
//!
//! # Rules
//! - **Storage** (pod-facts A.1.4): the nodes' storage ports go to storage leaves at about 4:3 (the spec's
//!   `storage.oversubscription`), rail-aligned per SU, through [`fabric::build`]. Storage appliance ports connect at
//!   1:1 on leaves of their own: `ceil(ports / (k/2))` leaves of `k/2` down and `k/2` up, whose uplinks add
//!   `ceil(uplinks / k)` spines. The bisection is measured on the node graph by max-flow ([`fabric::analyse`]).
//! - **UFM** (A.1.7): a server whose reference design is the DGX SuperPOD RA (an NVIDIA server) on a switch
//!   without a UFM port of its own gets a UFM high-availability pair (2 appliances) per InfiniBand fabric.
//! - **In-band** (A.1.5, A.1.10): leaves in bonded pairs, each leaf with 2 links to each of 2 cores and 2 ISLs per
//!   leaf pair; downlinks are the nodes' and management nodes' bonded ports, the user-storage ports and 2 uplinks
//!   per OOB switch; each core has 2 uplinks to the site core.
//! - **OOB** (A.1.6): one 1 GbE port per BMC, IB and in-band switch management port, PDU, UFM appliance and
//!   management node. Each SU gets `ceil((BMCs + its compute leaves + its compute racks' PDUs) / 48)` switches;
//!   the central devices fill the spare ports and add switches only when they overflow.

use crate::fabric::{self, AnalysisOptions, Fabric, FabricRequest, Tiers};
use gigapod_catalog::Switch;
use gigapod_catalog::units::Gbps;
use serde::{Deserialize, Serialize};

/// `storage.fabric`: how the nodes reach storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StorageFabric {
    /// An InfiniBand storage fabric (the DGX SuperPOD RAs).
    #[default]
    Infiniband,
    /// An Ethernet (RoCE) storage fabric.
    Ethernet,
    /// No storage fabric: storage is reached some other way.
    None,
}

impl StorageFabric {
    /// The catalog `protocol` its switch must have (`infiniband`, `ethernet`), or `None` without a fabric.
    pub fn protocol(self) -> Option<&'static str> {
        match self {
            StorageFabric::Infiniband => Some("infiniband"),
            StorageFabric::Ethernet => Some("ethernet"),
            StorageFabric::None => None,
        }
    }
}

/// The RA's storage performance levels (pod-facts A.1.4, Table 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StorageLevel {
    /// Good: 4 GB/s read per node, 15 GB/s per SU.
    #[default]
    Good,
    /// Better: 8 GB/s per node, 40 GB/s per SU.
    Better,
    /// Best: 40 GB/s per node, 125 GB/s per SU.
    Best,
}

impl StorageLevel {
    /// (single-node read, single-SU read) in GB/s, from the RA's Table 6.
    pub fn read_gb_per_s(self) -> (f64, f64) {
        match self {
            StorageLevel::Good => (4.0, 15.0),
            StorageLevel::Better => (8.0, 40.0),
            StorageLevel::Best => (40.0, 125.0),
        }
    }
}

/// `[storage]`: the storage fabric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct StorageSpec {
    /// `infiniband` (default), `ethernet` or `none`.
    pub fabric: StorageFabric,
    /// Catalog id of the storage switch; default `qm9700` (the RA's MQM9700-NS2F).
    pub switch: String,
    /// Storage ports per node; default the server's storage NIC count from the catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports_per_node: Option<i64>,
    /// Storage port speed in Gb/s; default 400.
    pub port_speed_gbps: i64,
    /// Storage appliance ports on the fabric (all appliances together); default 0: the RA leaves them to the
    /// storage vendor.
    pub appliance_ports: i64,
    /// The read-bandwidth target level; default `good`.
    pub target: StorageLevel,
    /// Node-leaf downlink:uplink ratio; default 4:3 (the RA's "near 4:3").
    pub oversubscription: f64,
    /// One storage fabric, or one plane per storage port; default `auto`.
    pub planes: StoragePlanes,
}

/// `storage.planes`: the storage fabric as one fat-tree, or as one plane per storage port of the nodes (port p of
/// every node into plane p, each plane the one-port fat-tree of all the nodes, as the compute fabric's per-rail
/// planes). A plane of QM9700s at 4:3 takes 73,728 DGX B300 (1,024 SUs of 72); one fabric of their two ports,
/// 36,864.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StoragePlanes {
    /// One fabric when it builds in three tiers, else one plane per storage port; the report says which.
    #[default]
    Auto,
    /// One fabric, or an error when it does not build.
    One,
    /// One plane per storage port.
    PerPort,
}

impl Default for StorageSpec {
    fn default() -> Self {
        StorageSpec {
            fabric: StorageFabric::Infiniband,
            switch: "qm9700".into(),
            ports_per_node: None,
            port_speed_gbps: 400,
            appliance_ports: 0,
            target: StorageLevel::Good,
            oversubscription: 4.0 / 3.0,
            planes: StoragePlanes::Auto,
        }
    }
}

/// `[inband]`: the in-band management Ethernet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct InbandSpec {
    /// Catalog id of the in-band switch; default `sn4600c`.
    pub switch: String,
    /// Port speed in Gb/s; default 100 (H100 RA: "operate at 100 Gbps and are bonded").
    pub port_speed_gbps: i64,
    /// Bonded ports per node and per management server; default 2.
    pub bond: i64,
    /// User (NFS) storage ports on the in-band network; default 8 (H100 RA Table 8).
    pub user_storage_ports: i64,
}

impl Default for InbandSpec {
    fn default() -> Self {
        InbandSpec {
            switch: "sn4600c".into(),
            port_speed_gbps: 100,
            bond: 2,
            user_storage_ports: 8,
        }
    }
}

/// `[oob]`: the out-of-band 1 GbE network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct OobSpec {
    /// Catalog id of the OOB switch; default `sn2201`.
    pub switch: String,
}

impl Default for OobSpec {
    fn default() -> Self {
        OobSpec {
            switch: "sn2201".into(),
        }
    }
}

/// `[management]`: UFM appliances and management nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ManagementSpec {
    /// UFM appliances; default by the server's reference design (2 per InfiniBand fabric for DGX on a switch
    /// without a UFM port, else 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ufm: Option<i64>,
    /// Head / Base Command Manager nodes; default 4 (H100 RA Table 7).
    pub head_nodes: i64,
    /// Slurm login nodes; default 0 (the H100 RA counts them among the 4).
    pub login_nodes: i64,
    /// Kubernetes control nodes; default 0.
    pub kubernetes_nodes: i64,
    /// Catalog id of the UFM appliance; default `ufm-3.1` (H100 RA Table 7).
    pub ufm_appliance: String,
    /// Catalog id of the management nodes; default `bcm-head-node` (H100 RA Table 7's management server).
    pub node: String,
    /// Where the in-band leaves and the OOB switches of the central devices stand (`management.placement`):
    /// `central` (the RA's management racks), `distributed` (in-band leaves with their SU, an OOB switch in
    /// every network and management rack) or `auto` (default: central unless a hall limit is set or a central
    /// run would be longer than the management media reach; docs/networks.md).
    pub placement: ManagementPlacement,
}

/// `management.placement`: where the management networks' switches stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ManagementPlacement {
    /// Central unless the site has halls or a central run would not reach; the report says which was used.
    #[default]
    Auto,
    /// The reference architecture's form: every in-band leaf and the central OOB switches in the management
    /// racks, the central devices' OOB ports first on the SUs' spare OOB ports.
    Central,
    /// Each SU's in-band leaves stand with its leaves and serve its nodes and OOB switches; every network and
    /// management rack has an OOB switch of its own for its devices and PDUs. The in-band cores, the management
    /// nodes' in-band leaves and the UFM stay in the management racks. No management run leaves its SU's hall
    /// but the in-band leaf-to-core uplinks (single-mode CWDM4 where they are long).
    Distributed,
}

impl ManagementPlacement {
    /// The key's value as written in a spec.
    pub fn as_str(self) -> &'static str {
        match self {
            ManagementPlacement::Auto => "auto",
            ManagementPlacement::Central => "central",
            ManagementPlacement::Distributed => "distributed",
        }
    }
}

impl Default for ManagementSpec {
    fn default() -> Self {
        ManagementSpec {
            ufm: None,
            head_nodes: 4,
            login_nodes: 0,
            kubernetes_nodes: 0,
            ufm_appliance: "ufm-3.1".into(),
            node: "bcm-head-node".into(),
            placement: ManagementPlacement::Auto,
        }
    }
}

impl ManagementSpec {
    /// Management servers (head + login + Kubernetes).
    pub fn servers(&self) -> u32 {
        let n = self.head_nodes.max(0) + self.login_nodes.max(0) + self.kubernetes_nodes.max(0);
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// Whether the compute switch has a port of its own for UFM (catalog `ufm_port`: the Q3400-RA's `fnm1`,
/// "In-band fabric node management (UFM)", pod-facts A.7).
pub fn switch_has_ufm_port(s: &Switch) -> bool {
    s.ufm_port.is_some()
}

/// Whether the server's reference design puts UFM on its InfiniBand fabrics (catalog `reference_design`).
pub fn reference_ufm(server: &gigapod_catalog::Server) -> bool {
    server.reference_design.as_ref().is_some_and(|d| d.value.ufm())
}

/// UFM appliances on the compute fabric: `management.ufm` when given (its first pair), else a high-availability
/// pair when the server's reference design has UFM (pod-facts A.1.7).
pub fn ufm_on_compute(server: &gigapod_catalog::Server, mgmt: &ManagementSpec) -> u32 {
    match mgmt.ufm {
        Some(n) => u32::try_from(n.clamp(0, 2)).unwrap_or(0),
        None if reference_ufm(server) => 2,
        None => 0,
    }
}

/// Server slots of SU 1 the UFM appliances take: one where UFM is on the compute fabric and the switch has no UFM
/// port of its own (the RA's "31 nodes + UFM", pod-facts A.1.7), else none (the Q3400-RA's fnm1, A.7).
pub fn ufm_displaced_slots(server: &gigapod_catalog::Server, switch: &Switch, mgmt: &ManagementSpec) -> u32 {
    u32::from(ufm_on_compute(server, mgmt) > 0 && !switch_has_ufm_port(switch))
}

/// Counts of one network for report.json `networks.<name>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NetworkCounts {
    /// Catalog id of its switch (empty when the network is absent).
    pub switch_id: String,
    /// Switches.
    pub switches: SwitchTotal,
    /// Links.
    pub links: LinkTotals,
    /// Bisection measured by max-flow, where it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bisection_gbps: Option<Gbps>,
}

/// `networks.<name>.switches`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[non_exhaustive]
pub struct SwitchTotal {
    /// Leaves (in-band, storage) or access switches (OOB).
    pub leaf: u32,
    /// Spines or cores.
    pub spine: u32,
    /// All switches.
    pub total: u32,
}

/// `networks.<name>.links`, by kind; `total` sums them.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[non_exhaustive]
pub struct LinkTotals {
    /// Every link of the network.
    pub total: u32,
    /// Links by kind (`bmc`, `ib_switch`, `node`, `leaf_spine`, ...), in a stable order.
    pub by_kind: Vec<(String, u32)>,
}

impl LinkTotals {
    fn of(by_kind: Vec<(&str, u32)>) -> Self {
        LinkTotals {
            total: by_kind.iter().map(|(_, n)| n).sum(),
            by_kind: by_kind.into_iter().map(|(k, n)| (k.to_string(), n)).collect(),
        }
    }

    /// Links of one kind (0 when absent).
    pub fn kind(&self, k: &str) -> u32 {
        self.by_kind.iter().find(|(n, _)| n == k).map_or(0, |(_, n)| *n)
    }
}

/// The storage fabric as built and measured.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StorageNetwork {
    /// The node side as a graph (nodes' storage ports, leaves, spines), by [`fabric::build`].
    pub fabric: Fabric,
    /// Leaves for the storage appliances at 1:1.
    pub appliance_leaves: u32,
    /// Spines added for those leaves' uplinks.
    pub appliance_spines: u32,
    /// The counts.
    pub counts: NetworkCounts,
    /// Read bandwidth one node can draw, GB/s: its storage ports at line rate, bounded by its leaf's uplink share.
    pub per_node_gb_per_s: f64,
    /// Read bandwidth one full SU can draw, GB/s: its leaves' uplinks by max-flow share, bounded by the appliances
    /// when given.
    pub per_su_gb_per_s: f64,
}

/// Everything beside the compute fabric.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Networks {
    /// The storage fabric, unless `storage.fabric = "none"`.
    pub storage: Option<StorageNetwork>,
    /// In-band Ethernet.
    pub inband: NetworkCounts,
    /// Out-of-band 1 GbE.
    pub oob: NetworkCounts,
    /// UFM appliances.
    pub ufm: u32,
    /// Management servers.
    pub management_servers: u32,
    /// Server slots of the compute fabric the UFM appliances take (a leaf port where a server would go): 1 for
    /// the RA's "31 nodes + UFM", 0 where the switch has a UFM port of its own (Q3400-RA fnm1) or there is no UFM.
    pub ufm_server_slots: u32,
    /// Every device and link of these networks, as wired port by port (netwire.rs).
    pub wiring: crate::netwire::Wiring,
    /// `central` or `distributed`: how the management networks were placed (`management.placement`, `auto`
    /// resolved), and why.
    pub placement: (ManagementPlacement, String),
}

impl Networks {
    /// Takes the wiring's switch counts where they differ from the rule's (the wiring places what it cables).
    pub fn reconcile(&mut self, w: &crate::netwire::Wiring) {
        // The compute UFM links take the leaf ports of missing servers, one port per rail of a server slot.
        self.ufm_server_slots = w.ufm_compute_ports.div_ceil(w.compute_rails.max(1));
        let leaf = w.inband_leaves;
        if leaf != self.inband.switches.leaf || w.inband_uppers != self.inband.switches.spine {
            self.inband.switches.leaf = leaf;
            self.inband.switches.spine = w.inband_uppers;
            self.inband.switches.total = leaf + w.inband_uppers;
        }
        if w.oob_switches != self.oob.switches.total {
            self.oob.switches.leaf = w.oob_switches;
            self.oob.switches.total = w.oob_switches;
        }
    }

    /// Sets the OOB PDU links to the PDUs cabled (the facility's count, once it is known).
    pub fn set_oob_pdus(&mut self, pdus: u32) {
        let l = &mut self.oob.links;
        if let Some(e) = l.by_kind.iter_mut().find(|(k, _)| k == "pdu") {
            e.1 = pdus;
        }
        l.total = l.by_kind.iter().map(|(_, n)| n).sum();
    }
}

/// What the networks are sized from, besides the spec tables.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NetworkInputs<'a> {
    /// Nodes.
    pub servers: u32,
    /// Servers per full SU.
    pub servers_per_su: u32,
    /// Storage ports per node from the catalog.
    pub catalog_storage_ports: u32,
    /// The server's reference design puts UFM on its InfiniBand fabrics (catalog `reference_design`).
    pub dgx_reference: bool,
    /// The compute fabric.
    pub compute: &'a Fabric,
    /// Compute leaves per full SU.
    pub compute_leaves_per_su: u32,
    /// PDUs of each SU's compute racks, SU by SU (from the layout and the facility).
    pub su_pdus: Vec<u32>,
    /// PDUs of the racks that are not compute racks.
    pub other_pdus: u32,
    /// Storage switch, when the storage fabric is present.
    pub storage_switch: Option<&'a Switch>,
    /// The compute switch has a UFM port of its own (Q3400-RA fnm1).
    pub compute_switch_has_ufm_port: bool,
    /// In-band switch ports at the in-band speed.
    pub inband_ports: u32,
    /// OOB switch 1 GbE ports.
    pub oob_ports: u32,
}

/// The compute fabric's counts in the shape of the other networks.
pub fn compute_counts(f: &Fabric, bisection: Gbps) -> NetworkCounts {
    let s = f.summary();
    NetworkCounts {
        switch_id: s.switch_id.to_string(),
        switches: SwitchTotal {
            leaf: s.switches.leaf,
            spine: s.switches.spine + s.switches.core,
            total: s.switches.total,
        },
        links: LinkTotals::of(vec![
            ("endpoint", s.links.endpoint),
            ("leaf_spine", s.links.leaf_spine),
            ("spine_core", s.links.spine_core),
        ]),
        bisection_gbps: Some(bisection),
    }
}

/// An error building a network.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// The storage fabric cannot be built.
    #[error("storage fabric: {0}")]
    Storage(#[from] fabric::FabricError),
    /// A switch has too few ports for the rule.
    #[error("{network}: switch {switch} has {ports} ports, too few for {need}")]
    TooFewPorts {
        /// Network.
        network: &'static str,
        /// Switch.
        switch: String,
        /// Ports it has.
        ports: u32,
        /// What the rule needs.
        need: &'static str,
    },
}

/// Builds the storage, in-band and OOB networks.
pub fn build(
    inp: &NetworkInputs<'_>,
    storage: &StorageSpec,
    inband: &InbandSpec,
    oob: &OobSpec,
    mgmt: &ManagementSpec,
) -> Result<Networks, NetworkError> {
    let sus = inp.servers.div_ceil(inp.servers_per_su.max(1));
    let ib_fabrics = 1 + u32::from(storage.fabric == StorageFabric::Infiniband);
    let ufm = match mgmt.ufm {
        Some(n) => u32::try_from(n.max(0)).unwrap_or(u32::MAX),
        None if inp.dgx_reference => 2 * ib_fabrics,
        None => 0,
    };
    let management_servers = mgmt.servers();
    let storage_net = match (storage.fabric, inp.storage_switch) {
        (StorageFabric::None, _) | (_, None) => None,
        (_, Some(sw)) => Some(build_storage(inp, storage, sw, sus)?),
    };
    let storage_switches = storage_net.as_ref().map_or(0, |s| s.counts.switches.total);
    let compute_switches = inp.compute.summary().switches.total;

    // In-band and OOB depend on each other (OOB uplinks into in-band, in-band management ports into OOB):
    // iterate to the fixed point (both only grow, so it ends).
    let oob_of = |inband_switches| {
        oob_counts(
            inp,
            oob,
            sus,
            compute_switches + storage_switches,
            inband_switches,
            ufm,
            management_servers,
        )
    };
    let mut oob_switches = 0;
    let mut ib = inband_counts(inp, inband, management_servers, oob_switches)?;
    let mut o = oob_of(ib.switches.total);
    for _ in 0..8 {
        if o.switches.total == oob_switches {
            break;
        }
        oob_switches = o.switches.total;
        ib = inband_counts(inp, inband, management_servers, oob_switches)?;
        o = oob_of(ib.switches.total);
    }
    Ok(Networks {
        storage: storage_net,
        inband: ib,
        oob: o,
        ufm,
        management_servers,
        ufm_server_slots: 0,
        wiring: crate::netwire::Wiring::default(),
        placement: (ManagementPlacement::Central, String::new()),
    })
}

fn build_storage(
    inp: &NetworkInputs<'_>,
    spec: &StorageSpec,
    sw: &Switch,
    sus: u32,
) -> Result<StorageNetwork, NetworkError> {
    let ports = spec
        .ports_per_node
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(inp.catalog_storage_ports)
        .max(1);
    let speed = Gbps(u64::try_from(spec.port_speed_gbps.max(1)).unwrap_or(400));
    let req = FabricRequest {
        switch: sw,
        servers: inp.servers,
        rails: ports,
        servers_per_su: inp.servers_per_su,
        speed,
        oversubscription: spec.oversubscription,
        rail_optimized: true,
        tiers: Tiers::Auto,
    };
    let f = match spec.planes {
        StoragePlanes::One => fabric::build(&req).map_err(|e| storage_error(e, ports))?,
        StoragePlanes::PerPort => {
            fabric::build_planes(&req, fabric::Planes::PerRail).map_err(|e| storage_error(e, 1))?
        }
        // One fabric where it builds; too large for three tiers, a plane per port where that builds.
        StoragePlanes::Auto => match fabric::build(&req) {
            Err(fabric::FabricError::TooLarge { .. }) if ports > 1 => {
                // Neither builds: the planes' error, which gives the per-plane size.
                fabric::build_planes(&req, fabric::Planes::PerRail).map_err(|pe| storage_error(pe, 1))?
            }
            r => r.map_err(|e| storage_error(e, ports))?,
        },
    };
    let analysis = fabric::analyse(
        &f,
        &AnalysisOptions {
            random_cuts: 2,
            link_failures: 0,
            exhaustive_switch_failures: false,
            ..AnalysisOptions::default()
        },
    );
    let s = f.summary();
    let k = sw.ports_at(speed);
    let half = k / 2;
    if half == 0 {
        return Err(NetworkError::TooFewPorts {
            network: "storage",
            switch: sw.id.to_string(),
            ports: k,
            need: "appliance leaves at 1:1",
        });
    }
    let appliance_ports = u32::try_from(spec.appliance_ports.max(0)).unwrap_or(0);
    let appliance_leaves = appliance_ports.div_ceil(half);
    let appliance_spines = (appliance_leaves * half).div_ceil(k);
    let leaf = s.switches.leaf + appliance_leaves;
    let spine = s.switches.spine + s.switches.core + appliance_spines;
    let counts = NetworkCounts {
        switch_id: sw.id.to_string(),
        switches: SwitchTotal {
            leaf,
            spine,
            total: leaf + spine,
        },
        links: LinkTotals::of(vec![
            ("node", s.links.endpoint),
            ("leaf_spine", s.links.leaf_spine + s.links.spine_core),
            ("appliance", appliance_ports),
            ("appliance_leaf_spine", appliance_leaves * half),
        ]),
        bisection_gbps: Some(analysis.bisection_gbps),
    };
    // Per node: line rate of its ports, times the leaf's uplink:downlink share when oversubscribed.
    let line = f64::from(ports) * speed.0 as f64 / 8.0;
    let share = (1.0 / s.oversubscription.max(1.0)).min(1.0);
    let per_node = line;
    // Per SU: the SU's share of the measured bisection (both halves of a balanced cut move data across it),
    // bounded by the SU's node ports at the leaf's share and by the appliances when given.
    let su_nodes = inp.servers_per_su.min(inp.servers);
    let su_ports = line * f64::from(su_nodes) * share;
    let su_share_of_bisection = analysis.bisection_gbps.0 as f64 / 8.0 * 2.0 / f64::from(sus.max(1));
    let mut per_su = su_ports.min(su_share_of_bisection);
    if appliance_ports > 0 {
        per_su = per_su.min(f64::from(appliance_ports) * speed.0 as f64 / 8.0 / f64::from(sus.max(1)));
    }
    Ok(StorageNetwork {
        fabric: f,
        appliance_leaves,
        appliance_spines,
        counts,
        per_node_gb_per_s: per_node,
        per_su_gb_per_s: per_su,
    })
}

/// A storage fabric that does not build, its advice in the storage keys: the fabric builder names
/// `fabric.oversubscription`, which here is `storage.oversubscription`; a fabric of nodes with `ports` storage
/// ports (more than 1) that was built as one can be built as planes; and any can be left out of the plan.
fn storage_error(e: fabric::FabricError, ports: u32) -> fabric::FabricError {
    match e {
        fabric::FabricError::TooLarge {
            key,
            reason,
            endpoints,
            max_endpoints,
        } => fabric::FabricError::TooLarge {
            key,
            reason: format!(
                "{}{}; or storage.fabric = \"none\" to plan without it (gigapod plans the storage fabric for the \
                 whole site, not one per hall or pod)",
                reason.replace("fabric.oversubscription", "storage.oversubscription"),
                if ports > 1 {
                    format!("; or storage.planes = \"per-port\" ({ports} planes of one port per node)")
                } else {
                    String::new()
                }
            ),
            endpoints,
            max_endpoints,
        },
        e => e,
    }
}

/// In-band: bonded leaf pairs with 2 links to each of 2 cores, 2 ISLs per leaf pair, 2 site uplinks per core.
fn inband_counts(
    inp: &NetworkInputs<'_>,
    spec: &InbandSpec,
    management_servers: u32,
    oob_switches: u32,
) -> Result<NetworkCounts, NetworkError> {
    const UP_PER_LEAF: u32 = 4;
    const ISL_PER_PAIR: u32 = 2;
    const CORES: u32 = 2;
    const SITE_UPLINKS_PER_CORE: u32 = 2;
    let k = inp.inband_ports;
    let bond = u32::try_from(spec.bond.max(1)).unwrap_or(2);
    let node = inp.servers * bond;
    let mgmt = management_servers * bond;
    let user = u32::try_from(spec.user_storage_ports.max(0)).unwrap_or(0);
    let oob_up = 2 * oob_switches;
    let down = node + mgmt + user + oob_up;
    let per_leaf = k.saturating_sub(UP_PER_LEAF + ISL_PER_PAIR);
    if per_leaf == 0 {
        return Err(NetworkError::TooFewPorts {
            network: "inband",
            switch: spec.switch.clone(),
            ports: k,
            need: "4 uplinks and 2 ISLs per leaf",
        });
    }
    let leaves = down.div_ceil(per_leaf).div_ceil(2) * 2;
    let uppers = inband_uppers(leaves, k);
    let aggregation: u32 = uppers.iter().rev().skip(1).sum();
    let leaf_core = (leaves + aggregation) * UP_PER_LEAF;
    let isl = (leaves + aggregation) / 2 * ISL_PER_PAIR;
    let site = CORES * SITE_UPLINKS_PER_CORE;
    let spine: u32 = uppers.iter().sum();
    Ok(NetworkCounts {
        switch_id: spec.switch.clone(),
        switches: SwitchTotal {
            leaf: leaves,
            spine,
            total: leaves + spine,
        },
        links: LinkTotals::of(vec![
            ("node", node),
            ("management", mgmt),
            ("user_storage", user),
            ("oob_uplink", oob_up),
            ("leaf_core", leaf_core),
            ("isl", isl),
            ("site_uplink", site),
        ]),
        bisection_gbps: None,
    })
}

/// The in-band switches above `leaves` leaves of `ports` ports, tier by tier from the bottom; the last tier is the
/// 2 cores. Every switch has 4 uplinks (2 to each switch of the pair above it) and 2 ISLs to its pair partner;
/// the cores keep 2 site uplinks each. The cores take up to `(ports - 2) / 2` switches below them (31 of 64
/// ports: the RA's leaves always fit); above that, aggregation pairs of `(ports - 6) / 2` switches each (29) go
/// between, as many tiers as it takes.
///
/// ```
/// use gigapod_planner::networks::inband_uppers;
/// assert_eq!(inband_uppers(6, 64), vec![2]); // the 4-SU RA: 6 leaves, 2 cores
/// assert_eq!(inband_uppers(32, 64), vec![4, 2]); // 32 leaves: 2 aggregation pairs, then the cores
/// assert_eq!(inband_uppers(2260, 64), vec![156, 12, 2]); // 65,536 servers
/// ```
pub fn inband_uppers(leaves: u32, ports: u32) -> Vec<u32> {
    let top = ports.saturating_sub(2) / 2;
    let per_pair = (ports.saturating_sub(6) / 2).max(1);
    let mut tiers = Vec::new();
    let mut below = leaves;
    while below > top.max(1) && tiers.len() < 16 {
        below = below.div_ceil(per_pair) * 2;
        tiers.push(below);
    }
    tiers.push(2);
    tiers
}

/// OOB: per-SU access switches sized by ports, the central devices in their spare ports.
fn oob_counts(
    inp: &NetworkInputs<'_>,
    spec: &OobSpec,
    sus: u32,
    ib_switches: u32,
    inband_switches: u32,
    ufm: u32,
    management_servers: u32,
) -> NetworkCounts {
    let k = inp.oob_ports.max(1);
    let mut switches = 0;
    let mut used = 0;
    let mut pdus = 0;
    for su in 0..sus {
        let nodes = (inp.servers - su * inp.servers_per_su).min(inp.servers_per_su);
        let su_pdus = inp.su_pdus.get(su as usize).copied().unwrap_or(0);
        let ports = nodes.saturating_add(inp.compute_leaves_per_su).saturating_add(su_pdus);
        switches += ports.div_ceil(k);
        used = u32::saturating_add(used, ports);
        pdus = u32::saturating_add(pdus, su_pdus);
    }
    let compute_leaves = inp.compute_leaves_per_su * sus;
    let central = [inband_switches, ufm, management_servers, inp.other_pdus]
        .into_iter()
        .fold(ib_switches.saturating_sub(compute_leaves), u32::saturating_add);
    let spare = switches.saturating_mul(k).saturating_sub(used);
    switches = switches.saturating_add(central.saturating_sub(spare).div_ceil(k));
    pdus = pdus.saturating_add(inp.other_pdus);
    NetworkCounts {
        switch_id: spec.switch.clone(),
        switches: SwitchTotal {
            leaf: switches,
            spine: 0,
            total: switches,
        },
        links: LinkTotals::of(vec![
            ("bmc", inp.servers),
            ("ib_switch", ib_switches),
            ("management", ufm + management_servers),
            ("inband_switch", inband_switches),
            ("pdu", pdus),
        ]),
        bisection_gbps: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_fabric_too_large_names_the_storage_keys() {
        let e = storage_error(
            fabric::FabricError::TooLarge {
                key: "fabric.switch",
                reason:
                    "qm9700 builds at most 73,728 endpoints in three tiers: use a switch with more ports at 400 Gb/s, \
                     fabric.oversubscription = 2 (it builds at 2:1) or fewer servers"
                        .into(),
                endpoints: 186_624,
                max_endpoints: 73_728,
            },
            2,
        );
        let text = e.to_string();
        assert!(
            text.contains("or storage.planes = \"per-port\" (2 planes of one port per node)"),
            "{text}"
        );
        assert!(!text.contains("fabric.oversubscription"), "{text}");
        assert!(
            text.contains("storage.oversubscription = 2 (it builds at 2:1)"),
            "{text}"
        );
        assert!(
            text.contains("or storage.fabric = \"none\" to plan without it"),
            "{text}"
        );
        // Errors other than a size keep their text.
        let e = storage_error(fabric::FabricError::NoRails, 2);
        assert_eq!(e.to_string(), fabric::FabricError::NoRails.to_string());
    }
}
