//! Racks and floor: which device goes into which rack at which U, and where each rack stands.
//!
//! The layout is decided in two stages, each with what can be fixed, fixed:
//!
//! 1. **One scalable unit** is a small mixed-integer program ([`block`]) on counts: how many servers per rack,
//!    and which rack takes the SU's leaves and management switch, under rack units, kW, weight and room heat,
//!    minimising racks and the cost of the server-to-leaf links. Full SUs are identical, so it is solved once
//!    and the block repeated; a partial last SU is solved on its own.
//! 2. **The floor** ([`floor`]): rows on a 600 mm rack pitch with alternating hot and cold aisles; SU blocks are
//!    never split; the spine and core racks stand in the middle row(s), as the reference designs do, so that the
//!    longest leaf-to-spine run is as short as the floor allows.
//!
//! The layout knows nothing of catalogs or drawings: it takes footprints and names and returns positions.

pub mod block;
pub mod floor;
pub mod route;

pub use block::{BlockInput, BlockLayout, Footprint};
pub use floor::{PlacedDevice, RackKind, RackPlan};
pub use route::{RouteOptions, Routing};

use serde::Serialize;
use std::collections::HashMap;

/// What a rack can take.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RackLimits {
    /// Usable rack units.
    pub u: f64,
    /// Power limit, kW.
    pub kw: f64,
    /// Equipment weight limit, kg.
    pub kg: f64,
    /// For liquid cooling: heat the room air can take per rack, kW.
    pub room_kw: Option<f64>,
}

/// What a device is, for placement and drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    /// A GPU server.
    Server,
    /// A leaf switch.
    Leaf,
    /// A spine switch.
    Spine,
    /// A core switch.
    Core,
    /// An out-of-band management switch.
    Management,
}

/// One device to place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Device {
    /// Unique name, shared with the fabric graph (`leaf-su1-r3`) or made by the planner (`srv-0012`).
    pub name: String,
    /// What it is.
    pub kind: DeviceKind,
    /// Catalog id.
    pub part_id: String,
    /// Its space, power, weight and room heat.
    #[serde(skip)]
    pub footprint: Footprint,
}

/// The devices of one scalable unit.
#[derive(Debug, Clone, PartialEq)]
pub struct SuDevices {
    /// Scalable unit number (0-based).
    pub su: u32,
    /// Its servers, in order.
    pub servers: Vec<Device>,
    /// Its leaves and management switches: kept together in one rack.
    pub network: Vec<Device>,
}

/// Relative costs the layout minimises. They are weights, not money: a rack position against a link of each
/// medium. The defaults say a rack costs as much as about 2.5 optical links and an optical link (two modules
/// and a fibre) costs about eight passive copper ones; length adds a little, so that of two equal layouts the
/// one with shorter runs wins.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostWeights {
    /// One rack.
    pub rack: f64,
    /// One passive copper link.
    pub dac: f64,
    /// One active copper link.
    pub acc: f64,
    /// One active optical cable.
    pub aoc: f64,
    /// One optical link (transceivers and fibre).
    pub optic: f64,
    /// Each metre of any link (tray fill, fibre and copper length): breaks ties towards shorter runs.
    pub per_metre: f64,
}

impl CostWeights {
    /// The first weight that is not a finite number at or above zero, by name.
    pub fn invalid(&self) -> Option<(&'static str, f64)> {
        [
            ("rack", self.rack),
            ("dac", self.dac),
            ("acc", self.acc),
            ("aoc", self.aoc),
            ("optic", self.optic),
            ("per_metre", self.per_metre),
        ]
        .into_iter()
        .find(|(_, v)| !(v.is_finite() && *v >= 0.0 && *v <= 1e6))
    }
}

impl Default for CostWeights {
    fn default() -> Self {
        Self {
            rack: 20.0,
            dac: 1.0,
            acc: 2.5,
            aoc: 5.0,
            optic: 8.0,
            per_metre: 0.05,
        }
    }
}

/// Everything the layout needs.
#[derive(Debug, Clone)]
pub struct LayoutInput {
    /// Limits of every rack.
    pub limits: RackLimits,
    /// The scalable units.
    pub sus: Vec<SuDevices>,
    /// Spines, cores and their management switches: they go into network racks in the middle of the floor.
    pub global_network: Vec<Device>,
    /// Links from each server to its SU's network group.
    pub rails: u32,
    /// Geometry of racks, rows and cable routes.
    pub routing: Routing,
    /// Racks per row at most (a block wider than this gets a row of its own).
    pub row_racks: u32,
    /// Cost weights.
    pub weights: CostWeights,
}

/// How the solver did, beside the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LayoutStats {
    /// `microlp` (pure Rust, the default backend).
    pub solver: &'static str,
    /// The solver reported every block program (one SU's servers per rack and its network rack, on
    /// representative link lengths) solved to optimality. microlp runs without a time limit, so this holds
    /// whenever a layout is returned; it says nothing of the floor (rows, spine racks), which is placed by rule.
    pub block_programs_optimal: bool,
    /// How much lower the solver's objective is than first-fit decreasing's, as a fraction of the latter
    /// (0.2 = 20 % lower). Not an optimality gap.
    pub saving_over_first_fit: f64,
    /// Objective (rack and server-link cost, in [`CostWeights`] units) of the solver's layout, all SUs.
    pub solver_cost: f64,
    /// The same objective for first-fit decreasing.
    pub first_fit_cost: f64,
    /// Racks first-fit decreasing would use for the SUs.
    pub first_fit_racks: u32,
    /// Distinct block programs solved (one per SU shape).
    pub blocks_solved: u32,
}

/// Where a device stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placement {
    /// Index into [`Layout::racks`].
    pub rack: usize,
    /// Lowest rack unit it occupies (1-based).
    pub u: u32,
    /// Its height in rack units.
    pub height: u32,
}

/// The solved layout.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Layout {
    /// Every rack, row by row, left to right.
    pub racks: Vec<RackPlan>,
    /// Rows on the floor.
    pub rows: u32,
    /// Device name to its place.
    #[serde(skip)]
    pub placements: HashMap<String, Placement>,
    /// Solver figures.
    pub stats: LayoutStats,
    /// Geometry used.
    pub routing: Routing,
}

impl Layout {
    /// Where a device stands, if it was placed.
    pub fn placement(&self, name: &str) -> Option<Placement> {
        self.placements.get(name).copied()
    }

    /// Routed length of a cable between two placed devices, with slack.
    pub fn cable_length(&self, a: &str, b: &str) -> Option<f64> {
        let (pa, pb) = (self.placement(a)?, self.placement(b)?);
        Some(self.routing.length(&self.racks[pa.rack], pa, &self.racks[pb.rack], pb))
    }
}

/// Why no layout exists.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayoutError {
    /// A single server breaks a rack limit.
    #[error("no rack can hold even one server: {detail} ({limit})")]
    ServerDoesNotFit {
        /// Which limit.
        limit: &'static str,
        /// By how much.
        detail: String,
    },
    /// A switch breaks a rack limit.
    #[error("no rack can hold a `{part}` switch: {detail}")]
    SwitchDoesNotFit {
        /// Catalog id.
        part: String,
        /// By how much.
        detail: String,
    },
    /// The SU's leaves and management switches do not fit in one rack.
    #[error("{detail}")]
    NetworkDoesNotFit {
        /// The first limit it breaks: `rack units`, `rack power limit`, `rack weight limit` or
        /// `room-air heat limit`.
        binding: &'static str,
        /// By how much.
        detail: String,
    },
    /// A scalable unit takes more racks than a row may hold (an SU is never split across rows).
    #[error(
        "a scalable unit takes {su_racks} racks, more than the {racks_per_row} racks per row allowed, and a scalable unit is never split across rows"
    )]
    RowTooShort {
        /// Racks of the widest scalable unit.
        su_racks: usize,
        /// Racks per row allowed.
        racks_per_row: usize,
    },
    /// The solver failed.
    #[error("the layout solver failed: {0}")]
    Solver(String),
}

/// Solves the layout.
pub fn solve(input: &LayoutInput, link_cost: &dyn Fn(f64) -> f64) -> Result<Layout, LayoutError> {
    floor::solve(input, link_cost)
}
