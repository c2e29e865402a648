//! The floor: each SU's server racks around its network rack, racks of spines and cores beside the middle SU,
//! rows of at most `racks_per_row`, devices at their rack units.
//!
//! Steps (see [`super::block`] for why each is optimal for what it decides):
//!
//! 1. every SU's servers fill `ceil(servers / density)` racks evenly, the fuller racks nearest the middle;
//! 2. with `in-rack` leaves, each SU's switches first-fit into the spare room of its own server racks from the
//!    middle outward, and the spines and cores into the SUs' racks from the middle SU outward;
//! 3. every switch left packs first-fit decreasing into network racks; a network rack stands in the middle of
//!    the SU most of its switches belong to ("4 + network + 4"), a rack of spines and cores only beside the
//!    middle SU;
//! 4. SU blocks (never split) and those racks fill rows in order; rows alternate facing, so aisles alternate
//!    cold (fronts) and hot (backs); the open positions of partial rows are listed for blanking panels.

use super::block::{self, Footprint};
use super::{
    Bounds, Device, DeviceKind, HandLayout, Layout, LayoutError, LayoutInput, LayoutStats, LeafPlacement, LinkCost,
    Placement, RackLimits,
};
use serde::Serialize;
use std::collections::HashMap;

/// What a rack holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RackKind {
    /// Servers, and perhaps switches in their spare room.
    Compute,
    /// Switches only.
    Network,
    /// The management racks: storage and in-band switches, central OOB switches, UFM and management nodes.
    Management,
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
    /// The scalable unit whose block it stands in: its server racks, and the network racks of its leaves.
    /// `None` for a rack of spines and cores only.
    pub su: Option<u32>,
    /// Devices, bottom to top.
    pub devices: Vec<PlacedDevice>,
    /// Rack units used.
    pub u_used: u32,
}

/// A floor position of a partial row with no rack: it takes a blanking panel (or an empty rack) so that the
/// hot and cold aisles stay apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpenPosition {
    /// Row (0-based).
    pub row: u32,
    /// Position in the row (0-based).
    pub position: u32,
}

/// A rack before it has a place on the floor.
struct Rack<'a> {
    su: Option<u32>,
    kind: RackKind,
    servers: Vec<&'a Device>,
    switches: Vec<&'a Device>,
    load: Footprint,
}

/// One SU's racks in floor order, with the position its network racks stand at.
struct Block<'a> {
    servers: Vec<Rack<'a>>,
    network: Vec<Rack<'a>>,
}

/// Solves the whole floor (see the module documentation).
pub fn solve(input: &LayoutInput, link_cost: &dyn Fn(f64) -> LinkCost) -> Result<Layout, LayoutError> {
    solve_with(input, link_cost, false)
}

/// [`solve`], with `own_su_racks`: every SU's leaves and management switches get network racks of their own
/// (never shared with another SU's), so that an SU's block holds every end of its server-to-leaf links and a
/// boundary between rows (a hall boundary) never separates them. Used when the floor splits into halls.
pub fn solve_with(
    input: &LayoutInput,
    link_cost: &dyn Fn(f64) -> LinkCost,
    own_su_racks: bool,
) -> Result<Layout, LayoutError> {
    let limits = input.limits;
    let server = input.sus.iter().find_map(|s| s.servers.first()).map(|d| d.footprint);
    let (cap, basis) = match server {
        Some(fp) => block::density(&fp, &limits, input.densities.as_deref(), input.servers_per_rack)?,
        None => (1, "no servers".to_string()),
    };
    let switches = || {
        input
            .sus
            .iter()
            .flat_map(|s| &s.network)
            .chain(&input.global_network)
            .chain(&input.management)
    };
    for d in switches() {
        if !block::fits(&Footprint::default().plus(&d.footprint), &limits) {
            let f = Footprint::default().plus(&d.footprint);
            let binding = if f.u > limits.u + 1e-9 {
                "rack units"
            } else if f.kw > limits.kw + 1e-9 {
                "rack power limit"
            } else if f.kg > limits.kg + 1e-9 {
                "rack weight limit"
            } else {
                "room-air heat limit"
            };
            return Err(LayoutError::SwitchDoesNotFit {
                part: d.part_id.clone(),
                binding,
                detail: format!(
                    "it needs {:.0} U, {:.2} kW and {:.0} kg; a rack takes {:.0} U, {:.2} kW and {:.0} kg",
                    d.footprint.u, d.footprint.kw, d.footprint.kg, limits.u, limits.kw, limits.kg
                ),
            });
        }
    }
    // SU network racks of their own (halls), or an OOB switch in each central rack (distributed management): the
    // layout, its first-fit baseline and the hand count keep the same rules.
    let apart = own_su_racks || !input.rack_switches.is_empty();
    let modes = match input.leaf_placement {
        LeafPlacement::Auto => vec![LeafPlacement::NetworkRack, LeafPlacement::InRack],
        m => vec![m],
    };
    let mut laid: Vec<Layout> = modes
        .iter()
        .map(|&m| arrange(input, m, cap, link_cost, apart))
        .collect();
    // Fewest racks, then the link cost: in dollars when both are priced, else in weights.
    laid.sort_by(|a, b| {
        let cost = |x: &Layout, y: &Layout| match (x.stats.cost_usd, y.stats.cost_usd) {
            (Some(u), Some(_)) => u,
            _ => x.stats.solver_cost,
        };
        (a.stats.racks, cost(a, b))
            .partial_cmp(&(b.stats.racks, cost(b, a)))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let rejected = laid
        .get(1)
        .map(|x| (x.stats.leaf_placement, x.stats.racks, x.stats.solver_cost));
    let mut layout = laid.swap_remove(0);

    // The bound, the hand layout and the first-fit baseline.
    let all: Vec<&Device> = input.sus.iter().flat_map(|s| &s.servers).chain(switches()).collect();
    let total = all.iter().fold(Footprint::default(), |a, d| a.plus(&d.footprint));
    let net: Vec<&Device> = switches().collect();
    let net_total = net.iter().fold(Footprint::default(), |a, d| a.plus(&d.footprint));
    let room = |f: &Footprint| limits.room_kw.map_or(0, |r| block::bound(f.room_kw, r));
    let per_su = |c: u32| -> Vec<u32> {
        input
            .sus
            .iter()
            .map(|s| (s.servers.len() as u32).div_ceil(c.max(1)))
            .collect()
    };
    let bounds = Bounds {
        kw: block::bound(total.kw, limits.kw),
        u: block::bound(total.u, limits.u),
        kg: block::bound(total.kg, limits.kg),
        room_kw: room(&total),
        servers: per_su(cap).iter().sum(),
        network_u: block::bound(net_total.u, limits.u),
    };
    let hand_density = match server {
        Some(fp) => block::density(&fp, &limits, input.densities.as_deref(), None)?.0,
        None => 1,
    };
    // By hand too, the management devices get racks of their own (docs/networks.md).
    let hand_racks = |devs: &mut dyn Iterator<Item = &Device>, limits: &RackLimits| {
        let t = devs.fold(Footprint::default(), |a, d| a.plus(&d.footprint));
        [
            block::bound(t.u, limits.u),
            block::bound(t.kw, limits.kw),
            block::bound(t.kg, limits.kg),
            limits.room_kw.map_or(0, |r| block::bound(t.room_kw, r)),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    };
    // With SU network racks of their own (halls, distributed management), a person keeps each SU's leaves with
    // the SU and each plane's spines and cores together, and leaves room in every central rack for its OOB switch,
    // as the layout must: the hand count follows the same rules, so `layout.vs_hand` compares like with like.
    let central = room_for(limits, input.rack_switches.first());
    let hand_network = if apart {
        input
            .sus
            .iter()
            .map(|s| hand_racks(&mut s.network.iter(), &limits))
            .sum::<u32>()
            + planes_of(&input.global_network)
                .iter()
                .map(|p| hand_racks(&mut input.global_network.iter().filter(|d| d.plane == *p), &central))
                .sum::<u32>()
            + hand_racks(&mut input.management.iter(), &central)
    } else {
        hand_racks(
            &mut input.sus.iter().flat_map(|s| &s.network).chain(&input.global_network),
            &limits,
        ) + hand_racks(&mut input.management.iter().chain(&input.rack_switches), &limits)
    };
    let hand_servers = per_su(hand_density);
    let hand = HandLayout {
        total: hand_servers.iter().sum::<u32>() + hand_network,
        server_racks: hand_servers,
        network_racks: hand_network,
    };
    // Management racks are packed apart from the network racks, in the baseline as in the layout; the fabric
    // switches all together, or (halls) each SU's apart, as the layout may.
    let fabric_net: Vec<&Device> = input
        .sus
        .iter()
        .flat_map(|s| &s.network)
        .chain(&input.global_network)
        .collect();
    // With an OOB switch in each central rack, those racks are packed with room for it, as in the layout.
    let network_ffd = if apart {
        let global: Vec<&Device> = input.global_network.iter().collect();
        input
            .sus
            .iter()
            .map(|s| block::first_fit_decreasing(&s.network.iter().collect::<Vec<_>>(), &limits).len())
            .sum::<usize>()
            + per_plane_ffd(&global, &central).len()
    } else {
        block::first_fit_decreasing(&fabric_net, &limits).len()
    };
    let mgmt_net: Vec<&Device> = input.management.iter().collect();
    let first_fit_racks =
        bounds.servers + network_ffd as u32 + block::first_fit_decreasing(&mgmt_net, &central).len() as u32;
    let lower_bound = bounds.max();
    let st = &mut layout.stats;
    st.servers_per_rack = cap;
    st.servers_per_rack_basis = basis;
    st.bounds = bounds;
    st.lower_bound = lower_bound;
    st.optimal = st.racks <= lower_bound;
    st.gap = if st.racks > 0 {
        f64::from(st.racks.saturating_sub(lower_bound)) / f64::from(st.racks)
    } else {
        0.0
    };
    st.first_fit_racks = first_fit_racks;
    st.hand = hand;
    st.rejected = rejected;
    Ok(layout)
}

/// A management rack of these devices.
fn management_rack(switches: Vec<&Device>) -> Rack<'_> {
    Rack {
        su: None,
        kind: RackKind::Management,
        load: switches.iter().fold(Footprint::default(), |a, d| a.plus(&d.footprint)),
        servers: Vec::new(),
        switches,
    }
}

/// Rack limits with room kept for one `device` (the OOB switch of a network or management rack).
fn room_for(limits: RackLimits, device: Option<&Device>) -> RackLimits {
    match device {
        Some(d) => RackLimits {
            u: limits.u - d.footprint.u,
            kw: limits.kw - d.footprint.kw,
            kg: limits.kg - d.footprint.kg,
            room_kw: limits.room_kw.map(|r| r - d.footprint.room_kw),
        },
        None => limits,
    }
}

/// The fabric planes the devices stand in, in order (`None` for devices of no plane), each once.
fn planes_of<'d>(devices: impl IntoIterator<Item = &'d Device>) -> Vec<Option<u32>> {
    let mut planes: Vec<Option<u32>> = devices.into_iter().map(|d| d.plane).collect();
    planes.sort_unstable();
    planes.dedup();
    planes
}

/// First-fit decreasing of each fabric plane's devices on its own (one group without planes): racks as lists of
/// indices into `devices`.
fn per_plane_ffd(devices: &[&Device], limits: &RackLimits) -> Vec<Vec<usize>> {
    let mut racks = Vec::new();
    for plane in planes_of(devices.iter().copied()) {
        let members: Vec<usize> = (0..devices.len()).filter(|&i| devices[i].plane == plane).collect();
        let part: Vec<&Device> = members.iter().map(|&i| devices[i]).collect();
        racks.extend(
            block::first_fit_decreasing(&part, limits)
                .into_iter()
                .map(|r| r.into_iter().map(|i| members[i]).collect::<Vec<_>>()),
        );
    }
    racks
}

/// The layout for one leaf placement (its stats hold the racks and the link cost; [`solve`] fills the rest).
fn arrange(
    input: &LayoutInput,
    mode: LeafPlacement,
    cap: u32,
    link_cost: &dyn Fn(f64) -> LinkCost,
    own_su_racks: bool,
) -> Layout {
    let limits = input.limits;
    // 1. Server racks, evenly filled, fuller ones in the middle.
    let mut blocks: Vec<Block<'_>> = input
        .sus
        .iter()
        .map(|su| {
            let counts = block::even_fill(su.servers.len() as u32, cap);
            let n = counts.len();
            let mut per_position = vec![0u32; n];
            for (&p, &c) in block::middle_out(n, n / 2).iter().zip(&counts) {
                per_position[p] = c;
            }
            let mut servers = su.servers.iter();
            let racks = per_position
                .iter()
                .map(|&c| {
                    let devs: Vec<&Device> = servers.by_ref().take(c as usize).collect();
                    Rack {
                        su: Some(su.su),
                        kind: RackKind::Compute,
                        load: devs.iter().fold(Footprint::default(), |a, d| a.plus(&d.footprint)),
                        servers: devs,
                        switches: Vec::new(),
                    }
                })
                .collect();
            Block {
                servers: racks,
                network: Vec::new(),
            }
        })
        .collect();

    // 2. With in-rack leaves, switches into the spare room of server racks.
    let mut left: Vec<(&Device, Option<usize>)> = Vec::new();
    let try_into = |racks: &mut Vec<Rack<'_>>, d: &Device, limits: &RackLimits| -> Option<usize> {
        let n = racks.len();
        block::middle_out(n, n / 2).into_iter().find(|&p| {
            let with = racks[p].load.plus(&d.footprint);
            block::fits(&with, limits)
        })
    };
    // The management group: into management racks, or with in-rack placement first into the spare room too.
    let mut mgmt_rooms_left: Vec<&Device> = Vec::new();
    if mode == LeafPlacement::InRack {
        let su_order = block::middle_out(blocks.len(), blocks.len() / 2);
        'mgmt: for d in &input.management {
            for &b in &su_order {
                if let Some(p) = try_into(&mut blocks[b].servers, d, &limits) {
                    let r = &mut blocks[b].servers[p];
                    r.load = r.load.plus(&d.footprint);
                    r.switches.push(d);
                    continue 'mgmt;
                }
            }
            mgmt_rooms_left.push(d);
        }
        for (b, su) in input.sus.iter().enumerate() {
            for d in &su.network {
                match try_into(&mut blocks[b].servers, d, &limits) {
                    Some(p) => {
                        let r = &mut blocks[b].servers[p];
                        r.load = r.load.plus(&d.footprint);
                        r.switches.push(d);
                    }
                    None => left.push((d, Some(b))),
                }
            }
        }
        let su_order = block::middle_out(blocks.len(), blocks.len() / 2);
        'global: for d in &input.global_network {
            for &b in &su_order {
                if let Some(p) = try_into(&mut blocks[b].servers, d, &limits) {
                    let r = &mut blocks[b].servers[p];
                    r.load = r.load.plus(&d.footprint);
                    r.switches.push(d);
                    continue 'global;
                }
            }
            left.push((d, None));
        }
    } else {
        mgmt_rooms_left.extend(input.management.iter());
        for (b, su) in input.sus.iter().enumerate() {
            left.extend(su.network.iter().map(|d| (d, Some(b))));
        }
        left.extend(input.global_network.iter().map(|d| (d, None)));
    }

    // Racks that get an OOB switch of their own (distributed management) are packed with room for it.
    let central_limits = room_for(limits, input.rack_switches.first());
    let mut rack_switches = input.rack_switches.iter();
    // 3. Network racks: first-fit decreasing; each stands with the SU most of its switches belong to.
    //    Of the packings with first-fit's rack count, the one in SU order with the load spread keeps each SU's
    //    switches together and gives more SUs a network rack of their own.
    let refs: Vec<&Device> = left.iter().map(|(d, _)| *d).collect();
    let ffd = block::first_fit_decreasing(&refs, &limits);
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, (_, su)) in left.iter().enumerate() {
        match (groups.last_mut(), su) {
            (Some(g), Some(b)) if g.end == i && left[g.start].1 == Some(*b) => g.end = i + 1,
            _ => groups.push(i..i + 1),
        }
    }
    let packed = if own_su_racks {
        // Each SU's switches first-fit decreasing on their own; the spines and cores together.
        let mut packed = Vec::new();
        let mut global = Vec::new();
        for g in &groups {
            if left[g.start].1.is_some() {
                let part: Vec<&Device> = refs[g.clone()].to_vec();
                packed.extend(
                    block::first_fit_decreasing(&part, &limits)
                        .into_iter()
                        .map(|r| r.into_iter().map(|i| i + g.start).collect::<Vec<_>>()),
                );
            } else {
                global.extend(g.clone());
            }
        }
        // The spines and cores together; of a multi-plane fabric, each plane's in racks of their own.
        let part: Vec<&Device> = global.iter().map(|&i| refs[i]).collect();
        packed.extend(
            per_plane_ffd(&part, &central_limits)
                .into_iter()
                .map(|r| r.into_iter().map(|i| global[i]).collect::<Vec<_>>()),
        );
        packed
    } else {
        block::pack_in_order(&refs, &groups, &limits, ffd.len()).unwrap_or(ffd)
    };
    let mut global_racks: Vec<Rack<'_>> = Vec::new();
    for members in packed {
        let mut votes: HashMap<usize, usize> = HashMap::new();
        for &i in &members {
            if let Some(b) = left[i].1 {
                *votes.entry(b).or_default() += 1;
            }
        }
        let anchor = votes
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(b, _)| b);
        let mut switches: Vec<&Device> = members.iter().map(|&i| left[i].0).collect();
        if anchor.is_none() {
            switches.extend(rack_switches.next());
        }
        let rack = Rack {
            su: anchor.map(|b| input.sus[b].su),
            kind: RackKind::Network,
            load: switches.iter().fold(Footprint::default(), |a, d| a.plus(&d.footprint)),
            servers: Vec::new(),
            switches,
        };
        match anchor {
            Some(b) => blocks[b].network.push(rack),
            None => global_racks.push(rack),
        }
    }

    // 3b. Management racks: their devices first-fit decreasing, standing with the spine and core racks.
    let mgmt_refs = mgmt_rooms_left;
    for members in block::first_fit_decreasing(&mgmt_refs, &central_limits) {
        let mut switches: Vec<&Device> = members.iter().map(|&i| mgmt_refs[i]).collect();
        switches.extend(rack_switches.next());
        global_racks.push(management_rack(switches));
    }

    // Rack switches past the racks that take one (the previous layout had more racks): a rack of their own, so
    // that every device stands somewhere; the plan lays out again with the right count.
    let spare: Vec<&Device> = rack_switches.collect();
    for members in block::first_fit_decreasing(&spare, &limits) {
        global_racks.push(management_rack(members.iter().map(|&i| spare[i]).collect()));
    }

    // 4. Segments in floor order: SU blocks ("left half + network + right half"), the spine, core and management
    //    racks after the middle SU's block; rows filled in order, a segment never split.
    let mut segments: Vec<Vec<Rack<'_>>> = Vec::new();
    let middle_su = blocks.len().saturating_sub(1) / 2;
    let mut global_racks = Some(global_racks);
    for (b, blk) in blocks.into_iter().enumerate() {
        let half = blk.servers.len() / 2;
        let mut servers = blk.servers.into_iter();
        let mut seg: Vec<Rack<'_>> = servers.by_ref().take(half).collect();
        seg.extend(blk.network);
        seg.extend(servers);
        if !seg.is_empty() {
            segments.push(seg);
        }
        if b == middle_su {
            segments.extend(global_racks.take().unwrap_or_default().into_iter().map(|r| vec![r]));
        }
    }
    segments.extend(global_racks.take().unwrap_or_default().into_iter().map(|r| vec![r]));
    let widest = segments.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let row_racks = (input.row_racks as usize).max(widest).max(1);
    let mut rows: Vec<Vec<Rack<'_>>> = Vec::new();
    for seg in segments {
        match rows.last_mut() {
            Some(row) if row.len() + seg.len() <= row_racks => row.extend(seg),
            _ => rows.push(seg),
        }
    }
    let row_len = rows.iter().map(Vec::len).max().unwrap_or(0);
    let open_positions = rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            (row.len()..row_len).map(move |p| OpenPosition {
                row: r as u32,
                position: p as u32,
            })
        })
        .collect();

    // 5. Devices at their U: servers from the bottom up (heavy low), switches from the top down (next to the
    //    overhead tray).
    let mut racks = Vec::new();
    let mut placements = HashMap::new();
    for (r, row) in rows.iter().enumerate() {
        for (p, rack) in row.iter().enumerate() {
            let index = racks.len();
            let mut devices = Vec::with_capacity(rack.servers.len() + rack.switches.len());
            let mut put = |d: &Device, u: u32, height: u32| {
                placements.insert(d.name.clone(), Placement { rack: index, u, height });
                devices.push(PlacedDevice {
                    name: d.name.clone(),
                    kind: d.kind,
                    part_id: d.part_id.clone(),
                    u,
                    height_u: height,
                });
            };
            let mut bottom = 1u32;
            for d in &rack.servers {
                let h = d.footprint.u.ceil() as u32;
                put(d, bottom, h);
                bottom += h;
            }
            let mut top = input.routing.rack_units;
            for d in &rack.switches {
                let h = d.footprint.u.ceil() as u32;
                let u = (top + 1).saturating_sub(h).max(1);
                put(d, u, h);
                top = u.saturating_sub(1);
            }
            devices.sort_by_key(|d| d.u);
            let u_used = devices.iter().map(|d| d.height_u).sum();
            racks.push(super::RackPlan {
                id: format!("R{:02}-{:02}", r + 1, p + 1),
                kind: rack.kind,
                row: r as u32,
                position: p as u32,
                su: rack.su,
                devices,
                u_used,
            });
        }
    }

    // 6. The second objective: every server-to-leaf link at its routed length, priced by its medium.
    let mut memo: HashMap<u64, LinkCost> = HashMap::new();
    let mut cost = 0.0;
    let mut usd = Some(0.0);
    for su in &input.sus {
        let leaves: Vec<Placement> = su
            .network
            .iter()
            .filter(|d| d.kind == DeviceKind::Leaf)
            .filter_map(|d| placements.get(&d.name).copied())
            .collect();
        if leaves.is_empty() {
            continue;
        }
        for s in &su.servers {
            let Some(a) = placements.get(&s.name).copied() else {
                continue;
            };
            for j in 0..input.rails as usize {
                let b = leaves[j % leaves.len()];
                let m = input.routing.length(&racks[a.rack], a, &racks[b.rack], b);
                let key = (m * 1000.0).round().max(0.0) as u64;
                let c = *memo.entry(key).or_insert_with(|| link_cost(m));
                cost += c.weight;
                usd = usd.zip(c.usd).map(|(a, b)| a + b);
            }
        }
    }
    Layout {
        rows: rows.len() as u32,
        stats: LayoutStats {
            solver: "density even fill + first-fit decreasing network racks",
            leaf_placement: mode,
            servers_per_rack: cap,
            servers_per_rack_basis: String::new(),
            racks: racks.len() as u32,
            lower_bound: 0,
            bounds: Bounds {
                kw: 0,
                u: 0,
                kg: 0,
                room_kw: 0,
                servers: 0,
                network_u: 0,
            },
            optimal: false,
            gap: 0.0,
            solver_cost: cost,
            cost_usd: usd
                .zip(input.rack_usd)
                .map(|(links, rack)| links + rack * racks.len() as f64),
            first_fit_racks: 0,
            hand: HandLayout {
                server_racks: Vec::new(),
                network_racks: 0,
                total: 0,
            },
            rejected: None,
        },
        racks,
        placements,
        routing: input.routing,
        open_positions,
        halls: None,
    }
}
