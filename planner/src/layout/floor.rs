//! The floor: SU blocks and network racks in rows, devices at their rack units.
//!
//! Full SUs are identical, so their block program is solved once and repeated; every distinct SU shape (the
//! partial last SU) is solved once. Network racks take the spines, cores and their management switches, filled in
//! order, and stand in the middle row(s), centred on the SU rows; SU rows are split evenly before and after
//! them. Rows alternate their
//! facing so that aisles alternate cold (fronts) and hot (backs).

use super::block::{self, BlockInput, BlockLayout, Footprint};
use super::{Device, DeviceKind, Layout, LayoutError, LayoutInput, LayoutStats, Placement, RackLimits};
use serde::Serialize;
use std::collections::HashMap;

/// What a rack holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RackKind {
    /// Servers, and perhaps their SU's leaves.
    Compute,
    /// Switches only.
    Network,
}

/// A device at its place in a rack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacedDevice {
    /// Device name.
    pub name: String,
    /// What it is.
    pub kind: DeviceKind,
    /// Catalog id.
    pub part_id: String,
    /// Lowest rack unit (1-based).
    pub u: u32,
    /// Height in rack units.
    pub height_u: u32,
}

/// One rack of the floor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RackPlan {
    /// `R02-07`: row 2, position 7 (1-based).
    pub id: String,
    /// Compute or network.
    pub kind: RackKind,
    /// Row (0-based).
    pub row: u32,
    /// Position in the row (0-based), on the rack pitch.
    pub position: u32,
    /// The scalable unit it belongs to.
    pub su: Option<u32>,
    /// Devices, bottom to top.
    pub devices: Vec<PlacedDevice>,
    /// Rack units used.
    pub u_used: u32,
}

/// A rack's devices with their lowest U, before the rack has a place on the floor.
type Stacked<'a> = (Option<u32>, RackKind, Vec<(&'a Device, u32)>);

struct Stack<'a> {
    devices: Vec<(&'a Device, u32)>,
    bottom: u32,
    top: u32,
}

impl<'a> Stack<'a> {
    fn new(rack_units: u32) -> Self {
        Self {
            devices: Vec::new(),
            bottom: 1,
            top: rack_units,
        }
    }
    /// Servers stack from the bottom up (heavy low).
    fn push_bottom(&mut self, d: &'a Device) {
        let h = d.footprint.u.ceil() as u32;
        self.devices.push((d, self.bottom));
        self.bottom += h;
    }
    /// Switches hang from the top down, next to the overhead tray.
    fn push_top(&mut self, d: &'a Device) {
        let h = d.footprint.u.ceil() as u32;
        let u = (self.top + 1).saturating_sub(h).max(1);
        self.devices.push((d, u));
        self.top = u.saturating_sub(1);
    }
}

fn sum(devices: &[Device]) -> Footprint {
    devices.iter().fold(Footprint::default(), |a, d| Footprint {
        u: a.u + d.footprint.u.ceil(),
        kw: a.kw + d.footprint.kw,
        kg: a.kg + d.footprint.kg,
        room_kw: a.room_kw + d.footprint.room_kw,
    })
}

fn fits(f: &Footprint, l: &RackLimits) -> bool {
    f.u <= l.u + 1e-9 && f.kw <= l.kw + 1e-9 && f.kg <= l.kg + 1e-9 && l.room_kw.is_none_or(|r| f.room_kw <= r + 1e-9)
}

/// Solves the whole floor (see the module documentation).
pub fn solve(input: &LayoutInput, link_cost: &dyn Fn(f64) -> f64) -> Result<Layout, LayoutError> {
    let routing = input.routing;
    let limits = input.limits;
    let cost = |p: usize, q: usize| link_cost(routing.representative_m(p, q));
    // Solve each distinct SU shape once.
    // An SU's shape: its server count and its network group's footprint (all servers of a plan are alike).
    let mut solved: Vec<((usize, [u64; 4]), BlockLayout, BlockLayout)> = Vec::new();
    let mut blocks = Vec::with_capacity(input.sus.len());
    let mut stats = LayoutStats {
        solver: "microlp",
        block_programs_optimal: true,
        saving_over_first_fit: 0.0,
        solver_cost: 0.0,
        first_fit_cost: 0.0,
        first_fit_racks: 0,
        blocks_solved: 0,
    };
    for su in &input.sus {
        let Some(server) = su.servers.first() else {
            continue;
        };
        let network = sum(&su.network);
        let key = (
            su.servers.len(),
            [network.u, network.kw, network.kg, network.room_kw].map(f64::to_bits),
        );
        let entry = match solved.iter().position(|(k, _, _)| *k == key) {
            Some(i) => i,
            None => {
                let b = BlockInput {
                    servers: su.servers.len() as u32,
                    server: server.footprint,
                    network,
                    rails: input.rails,
                };
                let layout = block::solve(&b, &limits, &cost, input.weights.rack)?;
                let ffd = block::first_fit(&b, &limits, &cost, input.weights.rack);
                stats.blocks_solved += 1;
                stats.block_programs_optimal &= layout.optimal;
                solved.push((key, layout, ffd));
                solved.len() - 1
            }
        };
        let (_, layout, ffd) = &solved[entry];
        stats.solver_cost += layout.cost;
        stats.first_fit_cost += ffd.cost;
        stats.first_fit_racks += ffd.servers_per_rack.len() as u32;
        blocks.push((su, layout.clone()));
    }
    stats.saving_over_first_fit =
        ((stats.first_fit_cost - stats.solver_cost) / stats.first_fit_cost.max(1e-9)).max(0.0);

    // Racks of each SU, devices at their U.
    let mut su_racks: Vec<Vec<Stacked<'_>>> = Vec::new();
    for (su, layout) in &blocks {
        let mut servers = su.servers.iter();
        let mut racks = Vec::new();
        for (p, &n) in layout.servers_per_rack.iter().enumerate() {
            let mut stack = Stack::new(routing.rack_units);
            for d in servers.by_ref().take(n as usize) {
                stack.push_bottom(d);
            }
            if p == layout.network_rack {
                for d in &su.network {
                    stack.push_top(d);
                }
            }
            racks.push((Some(su.su), RackKind::Compute, stack.devices));
        }
        su_racks.push(racks);
    }

    // Network racks, filled in order.
    let mut net_racks: Vec<Vec<(&Device, u32)>> = Vec::new();
    let mut current: Vec<&Device> = Vec::new();
    fn flush<'a>(rack_units: u32, current: &mut Vec<&'a Device>, out: &mut Vec<Vec<(&'a Device, u32)>>) {
        if current.is_empty() {
            return;
        }
        let mut stack = Stack::new(rack_units);
        for d in current.drain(..) {
            stack.push_top(d);
        }
        out.push(stack.devices);
    }
    for d in &input.global_network {
        if !fits(&d.footprint, &limits) {
            return Err(LayoutError::SwitchDoesNotFit {
                part: d.part_id.clone(),
                detail: format!(
                    "it needs {:.0} U, {:.2} kW and {:.0} kg; a rack takes {:.0} U, {:.2} kW and {:.0} kg",
                    d.footprint.u, d.footprint.kw, d.footprint.kg, limits.u, limits.kw, limits.kg
                ),
            });
        }
        let mut with: Vec<Device> = current.iter().map(|d| (*d).clone()).collect();
        with.push(d.clone());
        if !fits(&sum(&with), &limits) {
            flush(routing.rack_units, &mut current, &mut net_racks);
        }
        current.push(d);
    }
    flush(routing.rack_units, &mut current, &mut net_racks);

    // Rows: SU blocks never split; network racks in the middle row(s).
    let widest = su_racks.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let row_racks = input.row_racks.max(widest).max(1);
    let blocks_per_row = (row_racks / widest).max(1) as usize;
    let su_rows: Vec<Vec<usize>> = (0..su_racks.len())
        .collect::<Vec<_>>()
        .chunks(blocks_per_row)
        .map(<[usize]>::to_vec)
        .collect();
    let net_rows: Vec<Vec<usize>> = (0..net_racks.len())
        .collect::<Vec<_>>()
        .chunks(row_racks as usize)
        .map(<[usize]>::to_vec)
        .collect();
    enum Row {
        Sus(Vec<usize>),
        Net(Vec<usize>),
    }
    let su_row_width = su_rows
        .iter()
        .map(|row| row.iter().map(|&s| su_racks[s].len() as u32).sum::<u32>())
        .max()
        .unwrap_or(0);
    let half = su_rows.len() / 2;
    let mut rows: Vec<Row> = Vec::new();
    let mut su_iter = su_rows.into_iter();
    rows.extend(su_iter.by_ref().take(half).map(Row::Sus));
    rows.extend(net_rows.into_iter().map(Row::Net));
    rows.extend(su_iter.map(Row::Sus));

    let mut racks = Vec::new();
    let mut placements = HashMap::new();
    let mut place = |row: u32, position: u32, su: Option<u32>, kind: RackKind, devs: &[(&Device, u32)]| {
        let index = racks.len();
        let mut devices: Vec<PlacedDevice> = devs
            .iter()
            .map(|(d, u)| {
                let height = d.footprint.u.ceil() as u32;
                placements.insert(
                    d.name.clone(),
                    Placement {
                        rack: index,
                        u: *u,
                        height,
                    },
                );
                PlacedDevice {
                    name: d.name.clone(),
                    kind: d.kind,
                    part_id: d.part_id.clone(),
                    u: *u,
                    height_u: height,
                }
            })
            .collect();
        devices.sort_by_key(|d| d.u);
        let u_used = devices.iter().map(|d| d.height_u).sum();
        racks.push(RackPlan {
            id: format!("R{:02}-{:02}", row + 1, position + 1),
            kind,
            row,
            position,
            su,
            devices,
            u_used,
        });
    };
    for (r, row) in rows.iter().enumerate() {
        let mut position = 0u32;
        match row {
            Row::Sus(sus) => {
                for &s in sus {
                    for (su, kind, devs) in &su_racks[s] {
                        place(r as u32, position, *su, *kind, devs);
                        position += 1;
                    }
                }
            }
            Row::Net(ids) => {
                // Centre the network racks on the SU rows, so the spines face the middle of the leaves.
                position = (su_row_width.saturating_sub(ids.len() as u32)) / 2;
                for &i in ids {
                    place(r as u32, position, None, RackKind::Network, &net_racks[i]);
                    position += 1;
                }
            }
        }
    }
    Ok(Layout {
        rows: rows.len() as u32,
        racks,
        placements,
        stats,
        routing,
    })
}
