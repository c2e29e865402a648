//! The compute (east-west) fabric: a rail-optimised folded-Clos fat-tree built as a graph, and its properties
//! proved by computation on that graph.
//!
//! [`build`] turns a [`FabricRequest`] (a catalog switch, the servers and their NIC ports, the oversubscription
//! and the number of tiers) into a [`Fabric`]: a petgraph [`UnGraph`](petgraph::graph::UnGraph) whose nodes are
//! server NIC ports (endpoints), leaves, spines and cores, and whose edges are the physical links with their
//! capacity and both ends (device, port). [`analyse`] then measures it: the port budget of every switch, the
//! oversubscription of every tier as built, the bisection bandwidth by max-flow/min-cut over balanced cuts of the
//! endpoints, and the bisection after the worst single switch failure and after random link failures.
//! [`to_graphml`] and [`to_dot`] export the graph for networkx, Gephi, yEd and Graphviz.
//!
//! # Construction
//!
//! Endpoints are server NIC ports (`servers x rails`), numbered server-major: endpoint `e` is NIC `e % rails` of
//! server `e / rails`. Servers are grouped into scalable units (SUs) of `servers_per_su`; the last SU may be
//! partial.
//!
//! **Leaves.** With `k` ports per switch at the NIC speed and an oversubscription ratio `r >= 1`, a leaf offers
//! `d = floor(k r / (1 + r))` downlinks. Rail-optimised, NIC `i` of every server in SU `s` goes to that SU's rail-`i`
//! leaf; when an SU has more servers than `d`, rail `i` has `ceil(S / d)` leaves, filled in order. Not
//! rail-optimised, each SU's endpoints in server-major order are cut into chunks of `d` per leaf.
//!
//! **Uplinks and rounding.** Every leaf gets the same `U = ceil(dmax / r)` uplinks, where `dmax` is the largest
//! number of downlinks actually used on any leaf (a 32-server SU leaf at 2:1 uses 32 down and 16 up). The ratio as
//! built is `dmax / U`: never worse than asked, and at most one uplink more generous than it (at 3:1 with 32
//! servers, `U = ceil(32 / 3) = 11`, built 2.91:1). A partial SU's leaves are cabled like a full one's and so are
//! better than asked.
//!
//! **Two tiers.** `L` leaves, `U` uplinks each: `m` = the largest divisor of `U` with `L m <= k` links from every
//! leaf to every spine, `P = U / m` spines (the fewest spines that give every leaf the same number of links to
//! every spine). Feasible iff `L <= k`. One SU of 32 servers x 8 rails on a 64-port switch: `L = 8`, `U = 32`,
//! `m = 8`, `P = 4`.
//!
//! **Three tiers.** Spines are non-blocking (as many up as down, `k/2` each at most). A pod is a run of
//! consecutive leaves: whole SUs when an SU's `Ls` leaves fit (`floor((k/2) / Ls)` SUs per pod), else `k/2`
//! leaves. In a pod of `Lp` leaves, `m` = the largest divisor of `U` with `Lp m <= k/2`, `U / m` spines per pod,
//! each with `Lp m` downlinks and as many uplinks (`Usp`, provisioned alike for a partial last pod). Spine `j` of
//! every pod goes to core group `j`: `m'` = the largest divisor of `Usp` with `pods m' <= k`, `Usp / m'` cores
//! per group. Feasible iff `pods <= k`. 65,536 endpoints on a 64-port switch (256 SUs of 32 x 8): 2,048 leaves,
//! 2,048 spines and 1,024 cores, the `5 k^2 / 4` of the textbook k-ary fat-tree.
//!
//! [`Tiers::Auto`] takes two tiers while the leaves fit on one spine's ports (`L <= k`), three beyond.
//!
//! **Ports.** A leaf uses ports `0..` for its downlinks, then its uplinks; a spine its downlinks, then its
//! uplinks; uplinks start on a fresh cage when the ports allow it, so a twin-port cage does not mix a server
//! and a spine. A server's port is its NIC index (its rail). Faceplate labels are `cage/port`, 1-based
//! ([`Fabric::port_label`]).
//!
//! # Example
//!
//! ```
//! use gigapod_planner::fabric::{self, AnalysisOptions, FabricRequest, Tiers};
//! use gigapod_catalog::units::Gbps;
//! # let switch = fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
//! // `switch` is the catalog's qm9700: 64 ports at 400 Gb/s in 32 twin-port cages.
//! let req = FabricRequest {
//!     switch: &switch,
//!     servers: 32,
//!     rails: 8,
//!     servers_per_su: 32,
//!     speed: Gbps(400),
//!     oversubscription: 1.0,
//!     rail_optimized: true,
//!     tiers: Tiers::Auto,
//! };
//! let fabric = fabric::build(&req)?;
//! let s = fabric.summary();
//! assert_eq!((s.tiers, s.switches.leaf, s.switches.spine), (2, 8, 4));
//! let analysis = fabric::analyse(&fabric, &AnalysisOptions::default());
//! assert_eq!(analysis.bisection_gbps, Gbps(51_200));
//! assert!(analysis.non_blocking);
//! # Ok::<(), fabric::FabricError>(())
//! ```

mod analysis;
mod bisection;
mod build;
mod design;
mod error;
mod export;
mod flow;
mod graph;
mod ports;
mod resilience;
mod wiring;

pub use analysis::{AnalysisOptions, CutResult, FabricAnalysis, analyse};
pub use bisection::max_flow_between;
pub use build::build;
pub use design::{FabricDesign, MAX_ENDPOINTS, leaf_downlink_capacity};
pub use error::FabricError;
pub use export::{to_dot, to_graphml, write_dot, write_graphml};
pub use graph::{Fabric, FabricSummary, Link, LinkCounts, LinkRole, Node, PortRef, Role, SwitchCounts};

use gigapod_catalog::Switch;
use gigapod_catalog::units::Gbps;

/// How many switch tiers the fabric has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tiers {
    /// Two tiers while the leaves fit on a spine's ports, three beyond.
    #[default]
    Auto,
    /// Leaf and spine.
    Two,
    /// Leaf, spine and core.
    Three,
}

/// What the fabric must connect, and with what.
#[derive(Debug, Clone)]
pub struct FabricRequest<'a> {
    /// The switch used at every tier.
    pub switch: &'a Switch,
    /// Servers on the fabric.
    pub servers: u32,
    /// Fabric NIC ports per server (one per rail).
    pub rails: u32,
    /// Servers per scalable unit; the last SU may hold fewer.
    pub servers_per_su: u32,
    /// NIC port speed; every link of the fabric runs at it.
    pub speed: Gbps,
    /// Leaf downlink:uplink bandwidth ratio, `>= 1.0` (1.0 = non-blocking).
    pub oversubscription: f64,
    /// NIC `i` of every server in an SU goes to that SU's rail-`i` leaf.
    pub rail_optimized: bool,
    /// Two tiers, three, or the fewest that fit.
    pub tiers: Tiers,
}

#[cfg(any(test, feature = "test-helpers"))]
/// A test helper (feature `test-helpers`, off by default): a synthetic switch for tests, benches and examples: `cages` cages, each offering the given
/// `(speed in Gb/s, logical ports per cage)` modes. Its figures other than ports are placeholders marked as
/// estimates.
///
/// ```
/// use gigapod_catalog::units::Gbps;
/// // A radix-8 switch, one port per cage at 400 Gb/s.
/// let sw = gigapod_planner::fabric::synthetic_switch("radix-8", 8, &[(400, 1)]);
/// assert_eq!(sw.ports_at(Gbps(400)), 8);
/// // A qm9700-like switch: 32 twin-port cages, 64 ports at 400 Gb/s.
/// let qm = gigapod_planner::fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
/// assert_eq!((qm.ports_at(Gbps(400)), qm.ports_per_cage_at(Gbps(400))), (64, Some(2)));
/// ```
pub fn synthetic_switch(id: &str, cages: u32, modes: &[(u64, u32)]) -> Switch {
    use gigapod_catalog::units::{Kilograms, RackUnits, Watts};
    use gigapod_catalog::{PartId, PortGroup, PortMode, Sourced};
    Switch {
        id: PartId::from(id),
        description: format!("synthetic switch {id}"),
        vendor: "synthetic".into(),
        protocol: "infiniband".into(),
        port_group: vec![PortGroup {
            cages: Sourced::estimate(cages, "synthetic"),
            form: "osfp-twin".into(),
            modes: modes
                .iter()
                .map(|&(speed, ports_per_cage)| PortMode {
                    speed_gbps: Gbps(speed),
                    ports_per_cage,
                })
                .collect(),
            heat_sink: None,
        }],
        rack_units: Sourced::estimate(RackUnits(1), "synthetic"),
        weight_kg: Sourced::estimate(Kilograms(10.0), "synthetic"),
        typical_power_w: Sourced::estimate(Watts(500.0), "synthetic"),
        max_power_w: Sourced::estimate(Watts(1000.0), "synthetic"),
        cage_power_limit_w: None,
        airflow: None,
        psu_count: None,
        cooling: None,
        ufm_port: None,
    }
}
