//! The fabric as a graph: nodes (endpoints and switches), links (with capacity, both ends and a role), and the
//! summary counts the report carries.

use super::design::FabricDesign;
use gigapod_catalog::PartId;
use gigapod_catalog::units::Gbps;
use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;
use std::fmt;
use std::ops::Range;

/// What a node of the fabric is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A server NIC port.
    Endpoint,
    /// First-tier switch: servers below, spines above.
    Leaf,
    /// Second-tier switch: leaves below, cores above (three tiers) or nothing (two tiers).
    Spine,
    /// Third-tier switch: spines below.
    Core,
}

impl Role {
    /// `endpoint`, `leaf`, `spine` or `core`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Endpoint => "endpoint",
            Role::Leaf => "leaf",
            Role::Spine => "spine",
            Role::Core => "core",
        }
    }

    /// 0 for endpoints, 1 for leaves, 2 for spines, 3 for cores.
    pub fn tier(self) -> u8 {
        match self {
            Role::Endpoint => 0,
            Role::Leaf => 1,
            Role::Spine => 2,
            Role::Core => 3,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A node of the fabric graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Endpoint, leaf, spine or core.
    pub role: Role,
    /// Unique name: `srv12-nic3` (server 12, NIC 3, 1-based), `leaf-su2-r3` (SU 2's rail-3 leaf; `-2` etc. when
    /// a rail has several leaves per SU; `leaf-su2-5` when not rail-optimised), `spine-4` (two tiers) or
    /// `spine-p7-4` (pod 7), `core-3-2` (core 2 of group 3).
    pub name: String,
    /// Scalable unit (0-based), for endpoints and leaves.
    pub su: Option<u32>,
    /// Rail (NIC index, 0-based), for endpoints and rail-optimised leaves.
    pub rail: Option<u32>,
    /// Server (0-based, fabric-wide), for endpoints.
    pub server: Option<u32>,
    /// Pod (0-based), for leaves and spines of a three-tier fabric.
    pub pod: Option<u32>,
    /// Plane (0-based) of a multi-plane fabric (`fabric.planes`); `None` in a single-plane fabric.
    pub plane: Option<u32>,
    /// 0 for endpoints, 1 for leaves, 2 for spines, 3 for cores.
    pub tier: u8,
    /// Index among the nodes of the same role (0-based): the endpoint number `server x rails + rail`, the leaf
    /// number, ...
    pub index: u32,
}

/// Which tiers a link joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkRole {
    /// Server NIC port to leaf.
    Endpoint,
    /// Leaf to spine.
    LeafSpine,
    /// Spine to core.
    SpineCore,
}

impl LinkRole {
    /// `endpoint`, `leaf_spine` or `spine_core`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkRole::Endpoint => "endpoint",
            LinkRole::LeafSpine => "leaf_spine",
            LinkRole::SpineCore => "spine_core",
        }
    }
}

impl fmt::Display for LinkRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One end of a link: a node and its 0-based logical port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRef {
    /// The device.
    pub node: NodeIndex,
    /// 0-based logical port: the NIC index on a server, the switch port on a switch.
    pub port: u32,
}

/// One physical link (one cable lane at the link speed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Which tiers it joins.
    pub role: LinkRole,
    /// Capacity in each direction.
    pub capacity: Gbps,
    /// The lower-tier end (endpoint, leaf or spine).
    pub a: PortRef,
    /// The upper-tier end (leaf, spine or core).
    pub b: PortRef,
}

/// Switches per tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SwitchCounts {
    /// Leaves.
    pub leaf: u32,
    /// Spines.
    pub spine: u32,
    /// Cores (0 in a two-tier fabric).
    pub core: u32,
    /// All switches.
    pub total: u32,
}

/// Links per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LinkCounts {
    /// Server-to-leaf links.
    pub endpoint: u32,
    /// Leaf-to-spine links.
    pub leaf_spine: u32,
    /// Spine-to-core links.
    pub spine_core: u32,
    /// All links.
    pub total: u32,
}

/// The counts of a built fabric, as the report shows them under `fabric.*`. Counted on the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FabricSummary {
    /// 2 or 3.
    pub tiers: u8,
    /// Catalog id of the switch.
    pub switch_id: PartId,
    /// Speed of every link (the NIC port speed).
    pub port_speed_gbps: Gbps,
    /// Logical switch ports at that speed.
    pub ports_per_switch: u32,
    /// Server NIC ports on the fabric.
    pub endpoints: u32,
    /// Servers on the fabric.
    pub servers: u32,
    /// Fabric NIC ports per server.
    pub rails: u32,
    /// Scalable units, the partial last one included.
    pub scalable_units: u32,
    /// Pods (1 in a two-tier fabric).
    pub pods: u32,
    /// Switches per tier.
    pub switches: SwitchCounts,
    /// Links per role.
    pub links: LinkCounts,
    /// Leaf downlink:uplink ratio as built (the most loaded leaf), e.g. 1.0.
    pub oversubscription: f64,
    /// Leaf downlink:uplink ratio asked for.
    pub requested_oversubscription: f64,
    /// `floor(endpoints / 2) x port speed`: what a non-blocking fabric carries across any balanced cut (the sum
    /// over the planes of a multi-plane fabric).
    pub full_bisection_gbps: Gbps,
    /// Independent fabric planes (`fabric.planes`): 1 for one fat-tree.
    pub planes: u32,
    /// `single`, `per-rail` or `split`.
    pub plane_mode: &'static str,
}

/// A built fabric: the graph, the design it was built from, and compact indexes for analysis.
///
/// Node indices are laid out by role: leaves `0..L`, then spines, then cores, then endpoints in endpoint order
/// (see [`Fabric::leaves`] and friends). Links are stored lower end first ([`Link::a`]).
#[derive(Debug, Clone)]
pub struct Fabric {
    pub(crate) graph: UnGraph<Node, Link>,
    pub(crate) design: FabricDesign,
    pub(crate) switch_id: PartId,
    pub(crate) speed: Gbps,
    /// Leaf number of every endpoint.
    pub(crate) endpoint_leaf: Vec<u32>,
    /// Endpoints attached to every leaf.
    pub(crate) leaf_endpoints: Vec<u32>,
    pub(crate) switch_counts: SwitchCounts,
    pub(crate) link_counts: LinkCounts,
    /// The planes, when the fabric has more than one (`fabric.planes`).
    pub(crate) planes: Option<super::planes::PlaneSet>,
}

impl Fabric {
    /// The graph: nodes are endpoints and switches, edges are physical links (parallel links are separate edges).
    pub fn graph(&self) -> &UnGraph<Node, Link> {
        &self.graph
    }

    /// The design the fabric was built from.
    pub fn design(&self) -> &FabricDesign {
        &self.design
    }

    /// Catalog id of the switch.
    pub fn switch_id(&self) -> &PartId {
        &self.switch_id
    }

    /// Speed of every link.
    pub fn speed(&self) -> Gbps {
        self.speed
    }

    /// A node by index.
    ///
    /// # Panics
    /// If `n` is not a node of this fabric.
    pub fn node(&self, n: NodeIndex) -> &Node {
        &self.graph[n]
    }

    /// Node indices of the leaves.
    pub fn leaves(&self) -> impl ExactSizeIterator<Item = NodeIndex> + use<> {
        Self::range(0..self.switch_counts.leaf)
    }

    /// Node indices of the spines.
    pub fn spines(&self) -> impl ExactSizeIterator<Item = NodeIndex> + use<> {
        let l = self.switch_counts.leaf;
        Self::range(l..l + self.switch_counts.spine)
    }

    /// Node indices of the cores.
    pub fn cores(&self) -> impl ExactSizeIterator<Item = NodeIndex> + use<> {
        let s = self.switch_counts.leaf + self.switch_counts.spine;
        Self::range(s..s + self.switch_counts.core)
    }

    /// Node indices of all switches (leaves, spines, cores).
    pub fn switches(&self) -> impl ExactSizeIterator<Item = NodeIndex> + use<> {
        Self::range(0..self.switch_counts.total)
    }

    /// Node indices of the endpoints, in endpoint order.
    pub fn endpoints(&self) -> impl ExactSizeIterator<Item = NodeIndex> + use<> {
        let t = self.switch_counts.total;
        Self::range(t..t + self.design.endpoints)
    }

    /// The endpoint of NIC `rail` on server `server` (both 0-based).
    pub fn endpoint(&self, server: u32, rail: u32) -> Option<NodeIndex> {
        (server < self.design.servers && rail < self.design.rails)
            .then(|| NodeIndex::new((self.switch_counts.total + server * self.design.rails + rail) as usize))
    }

    /// The leaf an endpoint (by endpoint number) is cabled to.
    pub fn leaf_of(&self, endpoint: u32) -> Option<NodeIndex> {
        self.endpoint_leaf
            .get(endpoint as usize)
            .map(|&l| NodeIndex::new(l as usize))
    }

    /// Faceplate name of a port: `cage/port`, 1-based, following the switch's cages at the link speed ("3/2" is
    /// the second port of the third cage); for an endpoint, `nic` and the 1-based NIC index.
    ///
    /// ```
    /// # use gigapod_planner::fabric::{self, FabricRequest, PortRef, Tiers};
    /// # use gigapod_catalog::units::Gbps;
    /// # let sw = fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
    /// # let req = FabricRequest { switch: &sw, servers: 32, rails: 8, servers_per_su: 32, speed: Gbps(400),
    /// #     oversubscription: 1.0, rail_optimized: true, tiers: Tiers::Auto };
    /// let f = fabric::build(&req)?;
    /// let leaf = f.leaves().next().unwrap();
    /// assert_eq!(f.port_label(PortRef { node: leaf, port: 5 }), "3/2");
    /// let ep = f.endpoint(0, 2).unwrap();
    /// assert_eq!(f.port_label(PortRef { node: ep, port: 2 }), "nic3");
    /// # Ok::<(), fabric::FabricError>(())
    /// ```
    pub fn port_label(&self, port: PortRef) -> String {
        if self.graph[port.node].role == Role::Endpoint {
            match self.plane_mode().split() {
                1 => format!("nic{}", port.port + 1),
                n => format!("nic{}/{}", port.port / n + 1, port.port % n + 1),
            }
        } else {
            super::ports::cage_label(port.port, self.design.ports_per_cage)
        }
    }

    /// Number of planes (1 for a single fat-tree).
    pub fn plane_count(&self) -> u32 {
        self.planes.as_ref().map_or(1, |p| p.count)
    }

    /// How the NIC ports are spread over planes.
    pub fn plane_mode(&self) -> super::Planes {
        self.planes.as_ref().map_or(super::Planes::One, |p| p.mode)
    }

    /// One plane as a fabric of its own: every plane of a multi-plane fabric is this fat-tree; a single-plane
    /// fabric is its own plane.
    pub fn plane(&self) -> &Fabric {
        self.planes.as_ref().map_or(self, |p| &p.plane)
    }

    /// The planes, when there are several.
    pub fn plane_set(&self) -> Option<&super::planes::PlaneSet> {
        self.planes.as_ref()
    }

    /// The counts the report shows.
    pub fn summary(&self) -> FabricSummary {
        FabricSummary {
            tiers: self.design.tiers,
            switch_id: self.switch_id.clone(),
            port_speed_gbps: self.speed,
            ports_per_switch: self.design.ports_per_switch,
            endpoints: self.design.endpoints,
            servers: self.design.servers,
            rails: self.design.rails,
            scalable_units: self.design.scalable_units,
            pods: self.design.pods,
            switches: self.switch_counts,
            links: self.link_counts,
            oversubscription: self.design.oversubscription,
            requested_oversubscription: self.design.requested_oversubscription,
            full_bisection_gbps: self.full_bisection(),
            planes: self.plane_count(),
            plane_mode: self.plane_mode().mode(),
        }
    }

    /// `floor(endpoints / 2) x speed`.
    pub(crate) fn full_bisection(&self) -> Gbps {
        if let Some(p) = &self.planes {
            return Gbps(u64::from(p.count) * p.plane.full_bisection().0);
        }
        Gbps(self.design.endpoints as u64 / 2 * self.speed.0)
    }

    fn range(r: Range<u32>) -> impl ExactSizeIterator<Item = NodeIndex> {
        r.map(|i| NodeIndex::new(i as usize))
    }
}
