//! The pieces of the rack program: how many servers a rack takes, how an SU's servers fill its racks, and how
//! switches pack into racks.
//!
//! # Formulation
//!
//! The first objective is the number of racks. Identical servers are interchangeable, so an SU of `S` servers
//! at `d` servers per rack (the density, [`density`]) needs at least `ceil(S / d)` racks whatever else shares
//! them; [`even_fill`] gives it exactly that many, with counts differing by at most one. The switches are few
//! kinds of identical devices (one fabric switch part, one management switch part), so first-fit decreasing
//! ([`first_fit_decreasing`]) packs them into the fewest racks their U, kW, weight and room heat allow in every
//! case the bound can tell apart, and the layout reports the bound beside it.
//!
//! Placing each SU's racks and its leaves is then a question of the second objective alone (the link cost), which
//! depends only on the distance of each server rack from its leaves: with the network rack in the middle of the
//! SU's racks and the fuller racks nearest it, no arrangement of the same counts is cheaper (the distances are
//! the smallest possible multiset, and the larger counts take the smaller distances).

use super::{Device, LayoutError, RackLimits};

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

impl Footprint {
    /// The sum of two footprints (rack units rounded up to whole U per device).
    pub fn plus(&self, d: &Footprint) -> Footprint {
        Footprint {
            u: self.u + d.u.ceil(),
            kw: self.kw + d.kw,
            kg: self.kg + d.kg,
            room_kw: self.room_kw + d.room_kw,
        }
    }

    /// The sum of this footprint and a group's (whose rack units are already whole).
    fn plus_group(&self, g: &Footprint) -> Footprint {
        Footprint {
            u: self.u + g.u,
            kw: self.kw + g.kw,
            kg: self.kg + g.kg,
            room_kw: self.room_kw + g.room_kw,
        }
    }

    /// `n` of this footprint.
    pub fn times(&self, n: u32) -> Footprint {
        let n = f64::from(n);
        Footprint {
            u: self.u.ceil() * n,
            kw: self.kw * n,
            kg: self.kg * n,
            room_kw: self.room_kw * n,
        }
    }

    /// The largest share of one rack's limits this takes (how "big" it is, for first-fit decreasing).
    fn share(&self, l: &RackLimits) -> f64 {
        let mut s = (self.u.ceil() / l.u).max(self.kw / l.kw).max(self.kg / l.kg);
        if let Some(room) = l.room_kw {
            s = s.max(self.room_kw / room);
        }
        s
    }
}

/// Whether a footprint fits one rack.
pub fn fits(f: &Footprint, l: &RackLimits) -> bool {
    f.u <= l.u + 1e-9 && f.kw <= l.kw + 1e-9 && f.kg <= l.kg + 1e-9 && l.room_kw.is_none_or(|r| f.room_kw <= r + 1e-9)
}

/// The most servers one rack can hold by its limits alone, and which limit binds.
pub fn servers_per_rack(server: &Footprint, limits: &RackLimits) -> (u32, &'static str) {
    let mut caps = vec![
        ((limits.u / server.u.ceil()).floor(), "rack units"),
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

/// Servers per rack the layout uses, and why: the override when given (an error when the limits do not allow
/// it), else the highest catalog density the limits allow, else (no density fits, or the catalog gives none)
/// what the limits allow.
pub fn density(
    server: &Footprint,
    limits: &RackLimits,
    densities: Option<&[u32]>,
    requested: Option<u32>,
) -> Result<(u32, String), LayoutError> {
    let (cap, binding) = servers_per_rack(server, limits);
    if cap == 0 {
        return Err(LayoutError::ServerDoesNotFit {
            limit: binding,
            detail: over_by(server, limits, binding),
        });
    }
    if let Some(n) = requested {
        if n > cap {
            return Err(LayoutError::ServersPerRackTooMany {
                requested: n,
                allowed: cap,
                binding,
            });
        }
        return Ok((n.max(1), format!("facility.servers_per_rack ({binding} allows {cap})")));
    }
    match densities {
        Some(list) if !list.is_empty() => match list.iter().copied().filter(|&d| d >= 1 && d <= cap).max() {
            Some(d) => Ok((d, format!("catalog density {d} of {list:?} ({binding} allows {cap})"))),
            None => Ok((
                cap,
                format!("the {binding} allows {cap}, fewer than every catalog density {list:?}"),
            )),
        },
        _ => Ok((cap, format!("the {binding} allows {cap} (no catalog density)"))),
    }
}

/// `servers` over the fewest racks of at most `cap`, evenly: counts differ by at most one, largest first.
pub fn even_fill(servers: u32, cap: u32) -> Vec<u32> {
    if servers == 0 {
        return Vec::new();
    }
    let racks = servers.div_ceil(cap.max(1));
    let (q, rem) = (servers / racks, servers % racks);
    (0..racks).map(|i| q + u32::from(i < rem)).collect()
}

/// Positions `0..n` ordered from the middle outward (the middle one, then its neighbours alternately), where
/// `middle` is the gap at which the network racks stand: position `middle - 1` and `middle` are nearest.
pub fn middle_out(n: usize, middle: usize) -> Vec<usize> {
    let mut order = Vec::with_capacity(n);
    let (mut left, mut right) = (middle as isize - 1, middle);
    while order.len() < n {
        if right < n && (left < 0 || (right - middle) as isize <= (middle as isize - 1 - left)) {
            order.push(right);
            right += 1;
        } else if left >= 0 {
            order.push(left as usize);
            left -= 1;
        } else {
            break;
        }
    }
    order
}

/// First-fit decreasing: devices by their largest share of a rack's limits, largest first (ties keep their
/// order, so an SU's leaves stay together), each into the first rack with room, else a new rack. Returns the
/// devices' indices per rack.
pub fn first_fit_decreasing(devices: &[&Device], limits: &RackLimits) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..devices.len()).collect();
    order.sort_by(|&a, &b| {
        let (sa, sb) = (devices[a].footprint.share(limits), devices[b].footprint.share(limits));
        sb.partial_cmp(&sa).unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut racks: Vec<(Footprint, Vec<usize>)> = Vec::new();
    // Racks before this one are too full for a device like the last one: the first rack worth trying.
    let mut first_open = 0usize;
    let mut last: Option<Footprint> = None;
    for i in order {
        let fp = &devices[i].footprint;
        if last.as_ref() != Some(fp) {
            // A different device may fit where the last did not.
            first_open = 0;
            last = Some(*fp);
        }
        let mut placed = false;
        for (k, (load, members)) in racks.iter_mut().enumerate().skip(first_open) {
            let with = load.plus(fp);
            if fits(&with, limits) {
                *load = with;
                members.push(i);
                placed = true;
                break;
            } else if k == first_open {
                first_open += 1;
            }
        }
        if !placed {
            racks.push((Footprint::default().plus(fp), vec![i]));
        }
    }
    racks.into_iter().map(|(_, m)| m).collect()
}

/// Packs `devices` into exactly `racks` racks in their order, keeping each group (an SU's switches, given as
/// index ranges in order) in one rack where it fits, and spreading the load evenly: a rack closes once it holds
/// `1 / racks` of the total in some limit, or the next group does not fit it. When that needs more racks, plain
/// next-fit of the devices in the same order (groups split where a rack fills) is tried; `None` when that too needs more (the caller then keeps first-fit
/// decreasing). This is the second objective at work: the same rack count with each SU's leaves together and
/// the racks' switches spread over the SUs' rows.
pub fn pack_in_order(
    devices: &[&Device],
    groups: &[std::ops::Range<usize>],
    limits: &RackLimits,
    racks: usize,
) -> Option<Vec<Vec<usize>>> {
    if racks == 0 {
        return devices.is_empty().then(Vec::new);
    }
    let total = devices.iter().fold(Footprint::default(), |a, d| a.plus(&d.footprint));
    let n = racks as f64;
    let reached =
        |f: &Footprint| f.u >= total.u / n - 1e-9 || f.kw >= total.kw / n - 1e-9 || f.kg >= total.kg / n - 1e-9;
    let singles: Vec<std::ops::Range<usize>> = (0..devices.len()).map(|i| i..i + 1).collect();
    fill_in_order(devices, groups, limits, racks, &reached)
        .or_else(|| fill_in_order(devices, &singles, limits, racks, &|_| false))
}

fn fill_in_order(
    devices: &[&Device],
    groups: &[std::ops::Range<usize>],
    limits: &RackLimits,
    racks: usize,
    reached: &dyn Fn(&Footprint) -> bool,
) -> Option<Vec<Vec<usize>>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    let mut load = Footprint::default();
    for g in groups {
        let group = g
            .clone()
            .fold(Footprint::default(), |a, i| a.plus(&devices[i].footprint));
        let with = load.plus_group(&group);
        let last = out.len() == racks;
        if !out.last().is_some_and(Vec::is_empty) && !last && (reached(&load) || !fits(&with, limits)) {
            out.push(Vec::new());
            load = Footprint::default();
        }
        for i in g.clone() {
            let with = load.plus(&devices[i].footprint);
            if !fits(&with, limits) {
                if out.len() == racks {
                    return None;
                }
                out.push(Vec::new());
                load = Footprint::default().plus(&devices[i].footprint);
            } else {
                load = with;
            }
            out.last_mut()?.push(i);
        }
    }
    Some(out)
}

/// `ceil(total / per_rack)`, tolerant of rounding.
pub fn bound(total: f64, per_rack: f64) -> u32 {
    if per_rack <= 0.0 || total <= 0.0 {
        return 0;
    }
    (total / per_rack - 1e-9).ceil().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// Why one server does not fit, with the numbers.
pub fn over_by(s: &Footprint, l: &RackLimits, binding: &str) -> String {
    match binding {
        "rack power limit" => format!(
            "one server with its network modules draws {:.2} kW, {:.2} kW more than the rack limit of {:.2} kW",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::DeviceKind;

    fn limits(kw: f64) -> RackLimits {
        RackLimits {
            u: 48.0,
            kw,
            kg: 1360.0,
            room_kw: None,
        }
    }

    fn dgx_h100() -> Footprint {
        Footprint {
            u: 8.0,
            kw: 10.2,
            kg: 130.45,
            room_kw: 10.2,
        }
    }

    #[test]
    fn the_highest_catalog_density_that_fits() {
        let d = Some(&[1, 2, 4][..]);
        // 4 x 10.2 = 40.8 kW fits 41 kW; 5 would too at 70 kW, but NVIDIA's designs stop at 4.
        assert_eq!(density(&dgx_h100(), &limits(41.0), d, None).unwrap().0, 4);
        assert_eq!(density(&dgx_h100(), &limits(70.0), d, None).unwrap().0, 4);
        // 3 fit 35 kW by power, but the densities are 1, 2 or 4: 2.
        assert_eq!(density(&dgx_h100(), &limits(35.0), d, None).unwrap().0, 2);
        // Without densities, the limits decide: 6 x 8 U = 48 U, 6 x 10.2 = 61.2 kW at 70 kW.
        assert_eq!(density(&dgx_h100(), &limits(70.0), None, None).unwrap().0, 6);
        // The override wins, and too many is an error that says what the limits allow.
        assert_eq!(density(&dgx_h100(), &limits(70.0), d, Some(3)).unwrap().0, 3);
        let e = density(&dgx_h100(), &limits(41.0), d, Some(5)).unwrap_err().to_string();
        assert_eq!(e, "5 servers per rack do not fit: the rack power limit allows 4");
    }

    #[test]
    fn even_fill_spreads_the_remainder() {
        assert_eq!(even_fill(32, 4), vec![4; 8]);
        assert_eq!(even_fill(31, 4), vec![4, 4, 4, 4, 4, 4, 4, 3]);
        assert_eq!(even_fill(30, 4), vec![4, 4, 4, 4, 4, 4, 3, 3]);
        assert_eq!(even_fill(9, 4), vec![3, 3, 3]);
        assert_eq!(even_fill(0, 4), Vec::<u32>::new());
    }

    #[test]
    fn middle_out_starts_next_to_the_network_rack() {
        // 8 racks with the network rack between positions 3 and 4.
        assert_eq!(middle_out(8, 4), vec![4, 3, 5, 2, 6, 1, 7, 0]);
        assert_eq!(middle_out(3, 1), vec![1, 0, 2]);
        assert_eq!(middle_out(1, 0), vec![0]);
    }

    /// Link cost of a block: racks at positions `0..n`, the network rack in the gap before position `gap`, each
    /// server paying `cost(distance)`.
    fn block_cost(per_position: &[u32], gap: usize, cost: &dyn Fn(usize) -> f64) -> f64 {
        per_position
            .iter()
            .enumerate()
            .map(|(p, &n)| {
                let d = if p < gap { gap - p } else { p - gap + 1 };
                f64::from(n) * cost(d)
            })
            .sum()
    }

    fn permutations(v: &mut Vec<u32>, k: usize, out: &mut Vec<Vec<u32>>) {
        if k == v.len() {
            out.push(v.clone());
            return;
        }
        for i in k..v.len() {
            v.swap(k, i);
            permutations(v, k + 1, out);
            v.swap(k, i);
        }
    }

    #[test]
    fn the_middle_arrangement_is_never_beaten_by_brute_force() {
        // Any cost that does not fall with distance: copper next door, optics further, a little per rack.
        let costs: [&dyn Fn(usize) -> f64; 3] = [
            &|d| if d <= 1 { 1.0 } else { 8.0 + 0.05 * d as f64 },
            &|d| d as f64,
            &|d| (d * d) as f64,
        ];
        for servers in 1..=22u32 {
            for cap in 1..=4u32 {
                let counts = even_fill(servers, cap);
                if counts.len() > 6 {
                    continue;
                }
                let n = counts.len();
                let mut ours = vec![0u32; n];
                for (&p, &c) in middle_out(n, n / 2).iter().zip(&counts) {
                    ours[p] = c;
                }
                let mut all = Vec::new();
                permutations(&mut counts.clone(), 0, &mut all);
                for cost in costs {
                    let mine = block_cost(&ours, n / 2, cost);
                    for perm in &all {
                        for gap in 0..=n {
                            let other = block_cost(perm, gap, cost);
                            assert!(
                                mine <= other + 1e-9,
                                "{servers} at {cap}: {ours:?} costs {mine}, {perm:?} with the gap at {gap} {other}"
                            );
                        }
                    }
                }
            }
        }
    }

    fn switch(name: &str, kw: f64) -> Device {
        Device {
            name: name.into(),
            kind: DeviceKind::Leaf,
            part_id: "qm9700".into(),
            plane: None,
            footprint: Footprint {
                u: 1.0,
                kw,
                kg: 14.5,
                room_kw: kw,
            },
        }
    }

    #[test]
    fn first_fit_decreasing_packs_by_the_binding_limit() {
        // 30 switches of 2 kW and 10 of 0.1 kW into 20 kW racks: 10 big ones per rack by kW, 3 racks; the small
        // ones fill no rack beyond 20 kW, so the fourth rack takes what is left.
        let mut devs: Vec<Device> = (0..30).map(|i| switch(&format!("b{i}"), 2.0)).collect();
        devs.extend((0..10).map(|i| switch(&format!("s{i}"), 0.1)));
        let refs: Vec<&Device> = devs.iter().collect();
        let racks = first_fit_decreasing(&refs, &limits(20.0));
        assert_eq!(racks.len(), 4);
        for r in &racks {
            let kw: f64 = r.iter().map(|&i| devs[i].footprint.kw).sum();
            assert!(kw <= 20.0 + 1e-9, "{kw}");
        }
        // The large ones stay in their order: the first rack holds b0..b9.
        assert_eq!(racks[0], (0..10).collect::<Vec<_>>());
        assert_eq!(bound(30.0 * 2.0 + 1.0, 20.0), 4);
        // Three SUs of 4 switches (8 kW each) and 6 spines into 2 racks of 20 kW: in order, the load spread, each
        // SU's switches together: SU 1 and 2 in the first rack (16 kW of the 18 kW share), SU 3 and the spines in
        // the second.
        let devs: Vec<Device> = (0..18).map(|i| switch(&format!("d{i}"), 2.0)).collect();
        let refs: Vec<&Device> = devs.iter().collect();
        let mut groups = vec![0..4, 4..8, 8..12];
        groups.extend((12..18).map(|i| i..i + 1));
        let packed = pack_in_order(&refs, &groups, &limits(20.0), 2).unwrap();
        assert_eq!(packed, vec![(0..8).collect::<Vec<_>>(), (8..18).collect()]);
        // One rack cannot hold 36 kW.
        assert!(pack_in_order(&refs, &groups, &limits(20.0), 1).is_none());
        assert_eq!(bound(60.0, 20.0), 3);
    }
}
