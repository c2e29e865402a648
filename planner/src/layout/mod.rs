//! Racks and floor: which device goes into which rack at which U, and where each rack stands.
//!
//! The objective is lexicographic: **fewest racks first** (floor positions are the scarce resource), then the
//! cost of the server-to-leaf links. Each stage fixes what can be fixed:
//!
//! 1. **Servers per rack** ([`block`]): the highest of the server's catalog densities (a DGX H100: 1, 2 or 4) that
//!    fits the rack's U, kW, weight and room-air limits, or `facility.servers_per_rack`. Every SU gets
//!    `ceil(servers / density)` server racks, filled evenly (32 at 4 per rack is 8 racks of 4), which is the
//!    fewest any layout can give an SU's servers.
//! 2. **Network devices** (leaf, spine, core and management switches) share racks: with
//!    [`LeafPlacement::NetworkRack`] they are packed first-fit decreasing into network racks (SU by SU, so an SU's
//!    leaves stay together); with [`LeafPlacement::InRack`] each SU's switches first take the spare room of its
//!    own server racks and only the rest get network racks; [`LeafPlacement::Auto`] lays out both and keeps the
//!    one with fewer racks, then the cheaper cabling.
//! 3. **The floor** ([`floor`]): an SU's server racks stand on both sides of its network rack ("4 + network + 4");
//!    racks of spines and cores stand beside the middle SU; rows hold at most `racks_per_row`; the open
//!    positions of a partial row are listed for blanking panels.
//!
//! A lower bound on racks ([`Bounds`]) is reported beside the solution, with the gap between them.
//!
//! The layout knows nothing of catalogs or drawings: it takes footprints and names and returns positions.

pub mod block;
mod checks;
pub mod floor;
pub mod halls;
pub mod route;

pub use block::Footprint;
pub use checks::checks;
pub use floor::{OpenPosition, PlacedDevice, RackKind, RackPlan};
pub use halls::{Hall, HallLimits, Halls};
pub use route::{RouteOptions, Routing};

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where an SU's leaf switches (and its management switches) stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeafPlacement {
    /// In network racks inside the SU's row, as the reference designs do.
    #[default]
    NetworkRack,
    /// In the spare room of the SU's own server racks; what does not fit goes to network racks.
    InRack,
    /// Whichever of the two uses fewer racks, then costs less in server-to-leaf links.
    Auto,
}

impl std::fmt::Display for LeafPlacement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LeafPlacement::NetworkRack => "network-rack",
            LeafPlacement::InRack => "in-rack",
            LeafPlacement::Auto => "auto",
        })
    }
}

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
    /// A storage fabric switch.
    Storage,
    /// An in-band management Ethernet switch.
    Inband,
    /// A UFM appliance or a management node.
    Appliance,
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
    /// The fabric plane of a spine or core of a multi-plane fabric: with SUs in racks of their own (halls,
    /// distributed management), each plane's spines and cores are packed into network racks of their own.
    #[serde(skip)]
    pub plane: Option<u32>,
}

/// The devices of one scalable unit.
#[derive(Debug, Clone, PartialEq)]
pub struct SuDevices {
    /// Scalable unit number (0-based).
    pub su: u32,
    /// Its servers, in order.
    pub servers: Vec<Device>,
    /// Its leaves and management switches: kept together where they fit.
    pub network: Vec<Device>,
}

/// Relative costs of the layout's second objective (the first is fewest racks). They are weights, not money:
/// one link of each medium. An optical link (two modules and a fibre) costs about eight passive copper ones;
/// length adds a little, so that of two layouts with equal media the one with shorter runs wins. `rack` prices a
/// floor position in the same units; it only ranks layouts of equal rack count, which never differ in it.
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

/// What one server-to-leaf link of a given length costs: in [`CostWeights`] units always, and in US dollars
/// when the catalog prices every part of the medium that length calls for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkCost {
    /// In weights.
    pub weight: f64,
    /// In US dollars, when priced.
    pub usd: Option<f64>,
}

/// Everything the layout needs.
#[derive(Debug, Clone)]
pub struct LayoutInput {
    /// Limits of every rack.
    pub limits: RackLimits,
    /// The scalable units.
    pub sus: Vec<SuDevices>,
    /// Spines, cores and their management switches: they share network racks, in the middle of the floor.
    pub global_network: Vec<Device>,
    /// Storage and in-band switches, central OOB switches, UFM appliances and management nodes: packed into
    /// management racks standing beside the network racks of the spines.
    pub management: Vec<Device>,
    /// Links from each server to its SU's network group.
    pub rails: u32,
    /// Geometry of racks, rows and cable routes.
    pub routing: Routing,
    /// Racks per row at most (a block wider than this gets a row of its own).
    pub row_racks: u32,
    /// Cost weights.
    pub weights: CostWeights,
    /// Where the leaves stand.
    pub leaf_placement: LeafPlacement,
    /// The server's catalog densities (servers per rack its vendor's designs use); `None`: any count.
    pub densities: Option<Vec<u32>>,
    /// `facility.servers_per_rack`: overrides the densities.
    pub servers_per_rack: Option<u32>,
    /// Price of one rack (a floor position), when the catalog has one.
    pub rack_usd: Option<f64>,
    /// OOB switches that stand one in each network rack of the spines and cores and each management rack
    /// (distributed management, netwire.rs), in floor order: those racks are packed with room for one, and a
    /// rack past the last has none. Empty: none.
    pub rack_switches: Vec<Device>,
}

/// Lower bounds on the racks of any layout of these devices under these limits: no layout can go below any of
/// them, so their largest, [`LayoutStats::lower_bound`], is a bound on the solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Bounds {
    /// `ceil(total kW / rack kW limit)`.
    pub kw: u32,
    /// `ceil(total rack units / rack units per rack)`.
    pub u: u32,
    /// `ceil(total kg / rack weight limit)`.
    pub kg: u32,
    /// `ceil(total room-air heat / room-air limit)` (liquid cooling; 0 otherwise).
    pub room_kw: u32,
    /// `sum over SUs of ceil(servers / servers per rack)`: no rack holds more servers than the density.
    pub servers: u32,
    /// `ceil(network devices' rack units / rack units per rack)`.
    pub network_u: u32,
}

impl Bounds {
    /// The largest bound.
    pub fn max(&self) -> u32 {
        [self.kw, self.u, self.kg, self.room_kw, self.servers, self.network_u]
            .into_iter()
            .max()
            .unwrap_or(0)
    }
}

/// What a person would build by hand: per SU, `ceil(servers / highest density that fits)` server racks, and for
/// all the switches the fewest racks their rack units, kW, weight and room heat allow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct HandLayout {
    /// Server racks per SU, in SU order.
    pub server_racks: Vec<u32>,
    /// Network racks.
    pub network_racks: u32,
    /// Racks in all.
    pub total: u32,
}

/// How the layout came out, beside its bound, the first-fit baseline and a hand layout.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct LayoutStats {
    /// How it was solved: servers evenly at the density (the fewest server racks), switches packed first-fit
    /// decreasing into network racks (or into the server racks' spare room first, for `in-rack`).
    pub solver: &'static str,
    /// Where the leaves stand in this layout (`auto` resolved).
    pub leaf_placement: LeafPlacement,
    /// Servers per rack at most.
    pub servers_per_rack: u32,
    /// Why that many: the catalog density, the override, or the rack limit that binds.
    pub servers_per_rack_basis: String,
    /// Racks in all.
    pub racks: u32,
    /// The largest of [`LayoutStats::bounds`]: no layout uses fewer racks.
    pub lower_bound: u32,
    /// Each bound.
    pub bounds: Bounds,
    /// `racks == lower_bound`: the rack count is proven optimal.
    pub optimal: bool,
    /// Optimality gap in racks, `(racks - lower_bound) / racks` (0 when `optimal`).
    pub gap: f64,
    /// The second objective: server-to-leaf link cost of this layout, in [`CostWeights`] units.
    pub solver_cost: f64,
    /// The layout in US dollars (racks plus server-to-leaf links), when the catalog prices the rack and every
    /// link's parts; then it, not the weights, ranks layouts of equal rack count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Racks first-fit decreasing with network racks uses (servers at the density, switches packed into
    /// network racks): the baseline no layout may exceed.
    pub first_fit_racks: u32,
    /// The hand layout.
    pub hand: HandLayout,
    /// With `auto`: the placement not chosen, its racks and link cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<(LeafPlacement, u32, f64)>,
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
    /// Positions of partial rows left open: they take blanking panels, so that the hot and cold aisles stay
    /// apart.
    pub open_positions: Vec<OpenPosition>,
    /// The halls, when the site limits them (`facility.hall_*`); `None`: one hall.
    pub halls: Option<Halls>,
}

impl Layout {
    /// Where a device stands, if it was placed.
    pub fn placement(&self, name: &str) -> Option<Placement> {
        self.placements.get(name).copied()
    }

    /// Routed length of a cable between two placed devices, with slack.
    pub fn cable_length(&self, a: &str, b: &str) -> Option<f64> {
        let (pa, pb) = (self.placement(a)?, self.placement(b)?);
        Some(self.length_between(pa, pb))
    }

    /// Routed length of a cable between two placements, with slack: the row route inside a hall, the route
    /// between halls otherwise ([`halls`]).
    pub fn length_between(&self, pa: Placement, pb: Placement) -> f64 {
        match &self.halls {
            Some(h) => h.length(self, pa, pb),
            None => self.routing.length(&self.racks[pa.rack], pa, &self.racks[pb.rack], pb),
        }
    }

    /// The hall (0-based) a rack stands in: 0 without halls.
    pub fn hall_of_rack(&self, rack: usize) -> u32 {
        self.halls
            .as_ref()
            .and_then(|h| h.rack_hall.get(rack).copied())
            .unwrap_or(0)
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
        /// The first limit it breaks: `rack units`, `rack power limit`, `rack weight limit` or
        /// `room-air heat limit`.
        binding: &'static str,
        /// By how much.
        detail: String,
    },
    /// `facility.servers_per_rack` asks for more servers than a rack can hold.
    #[error("{requested} servers per rack do not fit: the {binding} allows {allowed}")]
    ServersPerRackTooMany {
        /// Asked for.
        requested: u32,
        /// What the limits allow.
        allowed: u32,
        /// The limit that binds.
        binding: &'static str,
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
    /// One row (or rows that must stay together) alone breaks a hall limit.
    #[error(
        "{} alone ({racks} racks, {area_m2:.1} m², {kw:.1} kW) is more than a hall takes ({limits}); a row is never split across halls, nor an SU's servers from their leaves",
        if *rows > 1 { format!("rows {row} to {}", row + rows - 1) } else { format!("row {row}") }
    )]
    HallTooSmall {
        /// The first row (1-based).
        row: u32,
        /// Rows that must stay together.
        rows: u32,
        /// Its racks.
        racks: u32,
        /// Its floor area, m².
        area_m2: f64,
        /// Its load, kW.
        kw: f64,
        /// The limits, in words.
        limits: String,
    },
}

/// Solves the layout.
pub fn solve(input: &LayoutInput, link_cost: &dyn Fn(f64) -> LinkCost) -> Result<Layout, LayoutError> {
    floor::solve(input, link_cost)
}

/// Solves the layout for a floor that splits into halls: [`floor::solve_with`], every SU's leaves in network
/// racks of their own.
pub fn solve_for_halls(input: &LayoutInput, link_cost: &dyn Fn(f64) -> LinkCost) -> Result<Layout, LayoutError> {
    floor::solve_with(input, link_cost, true)
}
