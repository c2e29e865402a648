//! One scalable unit's racks, solved as a small mixed-integer program.
//!
//! # Formulation
//!
//! Identical servers are interchangeable, so the program works on counts, not devices. For a row of `P`
//! candidate rack positions (`P` = the racks first-fit needs, plus one for a separate network rack):
//!
//! - `n_p` (integer, `0..=cap`): servers in rack `p`; `a_p` (binary): rack `p` is used.
//! - the SU's network group (its leaves and management switches) stands in one rack `q`.
//! - `sum n_p = S`; for every rack, rack units, kW, weight and room heat of `n_p` servers plus the network group
//!   when `p = q` stay within the rack's limits, times `a_p`; `a_p >= a_(p+1)` (used racks are contiguous from
//!   position 0, which also breaks the mirror symmetry).
//! - minimise `rack_cost x sum a_p + sum_p cost(p, q) x rails x n_p`, where `cost(p, q)` is the cost of one
//!   server-to-leaf link between racks `p` and `q` with the medium its length calls for.
//!
//! The network rack position `q` is not a variable: making it one needs a product `n_p x z_q` and big-M
//! linearisation, which the measured notes show stalls the solver. Instead every `q` is tried (`P` tiny
//! programs of `2P` variables each), each solved by microlp (no time limit: it returns an optimum or an error),
//! and the best kept. The result is optimal for this program: for one block, with links priced at representative
//! lengths and at most `P` racks. It is not a claim about the floor, whose rows and spine racks are placed by rule.

use super::{LayoutError, RackLimits};
use good_lp::{Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, microlp, variable};

/// What a block must hold, in the units the program uses (all plain f64 inside this module only).
#[derive(Debug, Clone, PartialEq)]
pub struct BlockInput {
    /// Servers in the block.
    pub servers: u32,
    /// One server: rack units, kW, kg, kW into room air.
    pub server: Footprint,
    /// The SU's network group as a whole.
    pub network: Footprint,
    /// Links from each server to the network group.
    pub rails: u32,
}

/// The space, power, weight and room heat of a device or a group.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Footprint {
    /// Rack units.
    pub u: f64,
    /// Power in kW (on the layout basis).
    pub kw: f64,
    /// Mass in kg.
    pub kg: f64,
    /// Heat into the room air in kW (all of `kw` for air-cooled devices).
    pub room_kw: f64,
}

/// The solved block.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockLayout {
    /// Servers per rack position, for the used racks.
    pub servers_per_rack: Vec<u32>,
    /// Position of the rack holding the network group.
    pub network_rack: usize,
    /// Objective value (rack cost plus link cost).
    pub cost: f64,
    /// True when every sub-program was solved to proven optimality.
    pub optimal: bool,
}

/// The most servers one rack can hold, and which limit binds.
pub fn servers_per_rack(server: &Footprint, limits: &RackLimits) -> (u32, &'static str) {
    let mut caps = vec![
        ((limits.u / server.u).floor(), "rack units"),
        ((limits.kw / server.kw).floor(), "rack power limit"),
        ((limits.kg / server.kg).floor(), "rack weight limit"),
    ];
    if let Some(room) = limits.room_kw
        && server.room_kw > 0.0
    {
        caps.push(((room / server.room_kw).floor(), "room-air heat limit"));
    }
    caps.into_iter()
        .map(|(c, why)| (c.max(0.0).min(f64::from(u32::MAX)) as u32, why))
        .min_by_key(|(c, _)| *c)
        .unwrap_or((0, "rack units"))
}

fn fits(n: u32, with_network: bool, b: &BlockInput, l: &RackLimits) -> bool {
    let n = f64::from(n);
    let net = if with_network { b.network } else { Footprint::default() };
    let room_ok = l
        .room_kw
        .is_none_or(|room| n * b.server.room_kw + net.room_kw <= room + 1e-9);
    n * b.server.u + net.u <= l.u + 1e-9
        && n * b.server.kw + net.kw <= l.kw + 1e-9
        && n * b.server.kg + net.kg <= l.kg + 1e-9
        && room_ok
}

/// First-fit decreasing: fill racks with servers in order, then put the network group into the first rack with
/// room, else a new rack at the end. The baseline the solver must beat or equal.
pub fn first_fit(
    b: &BlockInput,
    l: &RackLimits,
    link_cost: &dyn Fn(usize, usize) -> f64,
    rack_cost: f64,
) -> BlockLayout {
    let (cap, _) = servers_per_rack(&b.server, l);
    let cap = cap.max(1);
    let mut racks = Vec::new();
    let mut left = b.servers;
    while left > 0 {
        let n = left.min(cap);
        racks.push(n);
        left -= n;
    }
    let network_rack = racks.iter().position(|&n| fits(n, true, b, l)).unwrap_or_else(|| {
        racks.push(0);
        racks.len() - 1
    });
    let cost = block_cost(&racks, network_rack, b.rails, link_cost, rack_cost);
    BlockLayout {
        servers_per_rack: racks,
        network_rack,
        cost,
        optimal: false,
    }
}

fn block_cost(racks: &[u32], q: usize, rails: u32, link_cost: &dyn Fn(usize, usize) -> f64, rack_cost: f64) -> f64 {
    rack_cost * racks.len() as f64
        + racks
            .iter()
            .enumerate()
            .map(|(p, &n)| link_cost(p, q) * f64::from(rails) * f64::from(n))
            .sum::<f64>()
}

/// Solves the block. `link_cost(p, q)` is the cost of one server link from rack `p` to the network rack `q`.
pub fn solve(
    b: &BlockInput,
    l: &RackLimits,
    link_cost: &dyn Fn(usize, usize) -> f64,
    rack_cost: f64,
) -> Result<BlockLayout, LayoutError> {
    let (cap, binding) = servers_per_rack(&b.server, l);
    if cap == 0 {
        return Err(LayoutError::ServerDoesNotFit {
            limit: binding,
            detail: over_by(&b.server, l, binding),
        });
    }
    if !fits(0, true, b, l) {
        let n = &b.network;
        let mut over = Vec::new();
        if n.u > l.u {
            over.push(("rack units", format!("{:.0} U of the rack's {:.0} U", n.u, l.u)));
        }
        if n.kw > l.kw {
            over.push((
                "rack power limit",
                format!("{:.1} kW of the rack limit's {:.1} kW", n.kw, l.kw),
            ));
        }
        if n.kg > l.kg {
            over.push((
                "rack weight limit",
                format!("{:.0} kg of the rack's {:.0} kg", n.kg, l.kg),
            ));
        }
        if let Some(room) = l.room_kw
            && n.room_kw > room
        {
            over.push((
                "room-air heat limit",
                format!(
                    "{:.1} kW of heat into the room air, where the room takes {room:.1} kW per rack",
                    n.room_kw
                ),
            ));
        }
        let binding = over.first().map_or("rack units", |(b, _)| *b);
        let over: Vec<String> = over.into_iter().map(|(_, text)| text).collect();
        return Err(LayoutError::NetworkDoesNotFit {
            binding,
            detail: format!(
                "the scalable unit's leaves and management switches must share one rack, and they need {}",
                over.join(", ")
            ),
        });
    }
    let baseline = first_fit(b, l, link_cost, rack_cost);
    let positions = baseline.servers_per_rack.len() + 1;
    let mut best: Option<BlockLayout> = None;
    let mut all_optimal = true;
    for q in 0..positions {
        match solve_with_network_at(b, l, q, positions, cap, link_cost, rack_cost) {
            Ok((layout, optimal)) => {
                all_optimal &= optimal;
                if best.as_ref().is_none_or(|x| layout.cost < x.cost - 1e-9) {
                    best = Some(layout);
                }
            }
            Err(ResolutionError::Infeasible) => {}
            Err(e) => return Err(LayoutError::Solver(e.to_string())),
        }
    }
    let mut best = best.unwrap_or(baseline);
    best.optimal = all_optimal;
    Ok(best)
}

fn over_by(s: &Footprint, l: &RackLimits, binding: &str) -> String {
    match binding {
        "rack power limit" => format!(
            "one server with its NIC modules draws {:.2} kW, {:.2} kW more than the rack limit of {:.2} kW",
            s.kw,
            s.kw - l.kw,
            l.kw
        ),
        "rack weight limit" => format!(
            "one server weighs {:.0} kg, {:.0} kg more than the rack's {:.0} kg",
            s.kg,
            s.kg - l.kg,
            l.kg
        ),
        "room-air heat limit" => format!(
            "one server puts {:.2} kW into the room air, more than the {:.2} kW per rack the room takes",
            s.room_kw,
            l.room_kw.unwrap_or(0.0)
        ),
        _ => format!(
            "one server is {:.0} U, {:.0} U more than the rack's {:.0} U",
            s.u,
            s.u - l.u,
            l.u
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn solve_with_network_at(
    b: &BlockInput,
    l: &RackLimits,
    q: usize,
    positions: usize,
    cap: u32,
    link_cost: &dyn Fn(usize, usize) -> f64,
    rack_cost: f64,
) -> Result<(BlockLayout, bool), ResolutionError> {
    let mut vars = ProblemVariables::new();
    let n: Vec<Variable> = (0..positions)
        .map(|_| vars.add(variable().integer().min(0).max(cap)))
        .collect();
    let a: Vec<Variable> = (0..positions).map(|_| vars.add(variable().binary())).collect();
    let mut objective = Expression::from(0.0);
    for p in 0..positions {
        objective += rack_cost * a[p] + link_cost(p, q) * f64::from(b.rails) * n[p];
    }
    let mut model = vars.minimise(objective).using(microlp);
    let total: Expression = n.iter().copied().sum();
    model = model.with(total.eq(f64::from(b.servers)));
    for p in 0..positions {
        let net = if p == q { b.network } else { Footprint::default() };
        model = model.with((b.server.u * n[p] + net.u).leq(l.u * a[p]));
        model = model.with((b.server.kw * n[p] + net.kw).leq(l.kw * a[p]));
        model = model.with((b.server.kg * n[p] + net.kg).leq(l.kg * a[p]));
        if let Some(room) = l.room_kw {
            model = model.with((b.server.room_kw * n[p] + net.room_kw).leq(room * a[p]));
        }
        if p + 1 < positions {
            model = model.with((a[p] - a[p + 1]).geq(0.0));
        }
    }
    let solution = model.solve()?;
    let optimal = matches!(solution.status(), good_lp::solvers::SolutionStatus::Optimal);
    let used = a.iter().filter(|&&v| solution.value(v) > 0.5).count();
    let servers_per_rack: Vec<u32> = n[..used].iter().map(|&v| solution.value(v).round() as u32).collect();
    let cost = block_cost(&servers_per_rack, q, b.rails, link_cost, rack_cost);
    Ok((
        BlockLayout {
            servers_per_rack,
            network_rack: q,
            cost,
            optimal,
        },
        optimal,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(kw: f64) -> RackLimits {
        RackLimits {
            u: 48.0,
            kw,
            kg: 1360.0,
            room_kw: None,
        }
    }

    fn input() -> BlockInput {
        BlockInput {
            servers: 32,
            server: Footprint {
                u: 5.0,
                kw: 10.2,
                kg: 80.0,
                room_kw: 10.2,
            },
            network: Footprint {
                u: 9.0,
                kw: 13.0,
                kg: 130.0,
                room_kw: 13.0,
            },
            rails: 8,
        }
    }

    // Cheap within a rack, dearer next door, dearest further away.
    fn cost(p: usize, q: usize) -> f64 {
        match p.abs_diff(q) {
            0 => 1.0,
            1 => 4.0,
            _ => 8.0,
        }
    }

    #[test]
    fn kw_limit_spreads_servers() {
        let b = input();
        let l = limits(50.0);
        assert_eq!(servers_per_rack(&b.server, &l), (4, "rack power limit"));
        let s = solve(&b, &l, &cost, 20.0).unwrap();
        assert_eq!(s.servers_per_rack.iter().sum::<u32>(), 32);
        assert!(s.servers_per_rack.iter().all(|&n| n <= 4));
        assert!(s.optimal);
        let base = first_fit(&b, &l, &cost, 20.0);
        assert!(s.cost <= base.cost + 1e-9, "{} > {}", s.cost, base.cost);
    }

    #[test]
    fn solver_never_loses_to_first_fit() {
        for kw in [41.0, 50.0, 70.0, 100.0, 120.0] {
            let b = input();
            let l = limits(kw);
            let s = solve(&b, &l, &cost, 20.0).unwrap();
            let base = first_fit(&b, &l, &cost, 20.0);
            assert!(s.cost <= base.cost + 1e-9, "{kw} kW: {} > {}", s.cost, base.cost);
            for (p, &n) in s.servers_per_rack.iter().enumerate() {
                assert!(
                    fits(n, p == s.network_rack, &b, &l),
                    "rack {p} over its limits at {kw} kW"
                );
            }
        }
    }

    #[test]
    fn a_server_above_the_limit_is_an_error_that_says_by_how_much() {
        let e = solve(&input(), &limits(8.0), &cost, 20.0).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("2.20 kW more than the rack limit of 8.00 kW"), "{s}");
    }
}

/// The block program checked against brute force: every way to put the servers in `P` contiguous racks with the
/// network group in one of them, on small cases.
#[cfg(test)]
mod brute_force {
    use super::*;

    /// The cheapest layout by enumeration over the same positions, capacity and constraints as the program.
    fn brute(
        b: &BlockInput,
        l: &RackLimits,
        positions: usize,
        link_cost: &dyn Fn(usize, usize) -> f64,
        rack_cost: f64,
    ) -> Option<f64> {
        let (cap, _) = servers_per_rack(&b.server, l);
        let mut best: Option<f64> = None;
        // Racks used: 0..k (contiguous from position 0); the network rack q is one of them (it has a footprint).
        for k in 1..=positions {
            for q in 0..k {
                let mut n = vec![0u32; k];
                loop {
                    if n.iter().sum::<u32>() == b.servers && n.iter().enumerate().all(|(p, &x)| fits(x, p == q, b, l)) {
                        let c = block_cost(&n, q, b.rails, link_cost, rack_cost);
                        if best.is_none_or(|x| c < x) {
                            best = Some(c);
                        }
                    }
                    // Next vector of counts in 0..=cap (odometer).
                    let mut i = 0;
                    while i < k && n[i] == cap.min(b.servers) {
                        n[i] = 0;
                        i += 1;
                    }
                    if i == k {
                        break;
                    }
                    n[i] += 1;
                }
            }
        }
        best
    }

    #[test]
    fn the_solver_matches_brute_force_on_small_blocks() {
        let mut cases = 0;
        for servers in 1..=6u32 {
            for server_kw in [8.0, 13.0, 21.0] {
                for net_kw in [1.0, 9.0] {
                    for rack_cost in [3.0, 40.0] {
                        let b = BlockInput {
                            servers,
                            server: Footprint {
                                u: 4.0,
                                kw: server_kw,
                                kg: 60.0,
                                room_kw: server_kw,
                            },
                            network: Footprint {
                                u: 2.0,
                                kw: net_kw,
                                kg: 20.0,
                                room_kw: net_kw,
                            },
                            rails: 2,
                        };
                        let l = RackLimits {
                            u: 16.0,
                            kw: 40.0,
                            kg: 1000.0,
                            room_kw: None,
                        };
                        // Links cost more the further the rack from the network rack, and a little by position.
                        let cost = |p: usize, q: usize| 1.0 + 2.5 * p.abs_diff(q) as f64 + 0.1 * p as f64;
                        let got = solve(&b, &l, &cost, rack_cost).unwrap();
                        let positions = first_fit(&b, &l, &cost, rack_cost).servers_per_rack.len() + 1;
                        let want = brute(&b, &l, positions, &cost, rack_cost).unwrap();
                        assert!(
                            (got.cost - want).abs() < 1e-6,
                            "{servers} x {server_kw} kW, network {net_kw} kW, rack {rack_cost}: solver {} ({:?} q={}), brute force {want}",
                            got.cost,
                            got.servers_per_rack,
                            got.network_rack
                        );
                        assert_eq!(got.servers_per_rack.iter().sum::<u32>(), servers);
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 72);
    }
}
