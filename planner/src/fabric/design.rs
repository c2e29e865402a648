//! The numbers of a fabric, computed from the request before any graph is built: leaf split, pods, spines and
//! cores, and the feasibility rules with the largest size that works.

use super::error::{FabricError, thousands};
use super::{FabricRequest, Tiers};
use serde::Serialize;

/// The shape of a fabric: every count and port offset the builder uses. See the [module docs](super) for the
/// rules; [`Fabric::design`](super::Fabric::design) gives the one a fabric was built from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FabricDesign {
    /// 2 (leaf, spine) or 3 (leaf, spine, core).
    pub tiers: u8,
    /// Logical ports of the switch at the NIC speed (`k`).
    pub ports_per_switch: u32,
    /// Logical ports per cage at that speed (2 for twin-port OSFP at 400G); names ports as on the faceplate.
    pub ports_per_cage: u32,
    /// Servers on the fabric.
    pub servers: u32,
    /// Fabric NIC ports per server.
    pub rails: u32,
    /// Servers per full scalable unit.
    pub servers_per_su: u32,
    /// Scalable units, the partial last one included.
    pub scalable_units: u32,
    /// Server NIC ports on the fabric (`servers x rails`).
    pub endpoints: u32,
    /// Whether NIC `i` of every server in an SU goes to that SU's rail-`i` leaf.
    pub rail_optimized: bool,
    /// Leaf downlink:uplink ratio asked for.
    pub requested_oversubscription: f64,
    /// Leaf downlink:uplink ratio as built: `leaf_downlinks_max / leaf_uplinks`, never above the one asked.
    pub oversubscription: f64,
    /// Downlinks a leaf may take at the ratio asked: `floor(k r / (1 + r))`.
    pub leaf_downlink_capacity: u32,
    /// The most downlinks used on any leaf.
    pub leaf_downlinks_max: u32,
    /// Uplinks of every leaf: `ceil(leaf_downlinks_max / r)`.
    pub leaf_uplinks: u32,
    /// First uplink port of a leaf (0-based); downlinks use ports `0..leaf_downlinks_max`.
    pub leaf_uplink_first_port: u32,
    /// Leaves in all.
    pub leaves: u32,
    /// Leaves of a full scalable unit.
    pub leaves_per_su: u32,
    /// Pods (1 in a two-tier fabric: all leaves share the spines).
    pub pods: u32,
    /// Whole scalable units per pod, when pods are made of whole SUs (three tiers).
    pub sus_per_pod: Option<u32>,
    /// Leaves of a full pod (all leaves in a two-tier fabric).
    pub leaves_per_pod: u32,
    /// Spines per pod (all spines in a two-tier fabric).
    pub spines_per_pod: u32,
    /// Links from every leaf to every spine of its pod (`m`).
    pub leaf_spine_links_per_pair: u32,
    /// Uplinks of every spine (0 in a two-tier fabric).
    pub spine_uplinks: u32,
    /// First uplink port of a spine (0-based; 0 in a two-tier fabric).
    pub spine_uplink_first_port: u32,
    /// Core groups (spine `j` of every pod links to group `j`); 0 in a two-tier fabric.
    pub core_groups: u32,
    /// Cores per group.
    pub cores_per_group: u32,
    /// Links from a spine to every core of its group (`m'`).
    pub spine_core_links_per_pair: u32,
}

impl FabricDesign {
    /// Spines in all.
    pub fn spines(&self) -> u32 {
        self.pods * self.spines_per_pod
    }

    /// Cores in all.
    pub fn cores(&self) -> u32 {
        self.core_groups * self.cores_per_group
    }

    /// Servers in scalable unit `su` (the last one may be partial).
    pub fn servers_in_su(&self, su: u32) -> u32 {
        self.servers
            .saturating_sub(su * self.servers_per_su)
            .min(self.servers_per_su)
    }

    /// Leaves of scalable unit `su`.
    pub fn leaves_in_su(&self, su: u32) -> u32 {
        leaves_for(
            self.servers_in_su(su),
            self.rails,
            self.leaf_downlink_capacity,
            self.rail_optimized,
        ) as u32
    }

    /// Leaves each rail has in a rail-optimised SU of `servers` servers (`ceil(servers / d)`).
    pub(crate) fn leaves_per_rail(&self, servers: u32) -> u32 {
        servers.div_ceil(self.leaf_downlink_capacity)
    }
}

/// Leaves of one SU of `servers` servers (in u64: a request may ask for more than fits in u32).
fn leaves_for(servers: u32, rails: u32, d: u32, rail_optimized: bool) -> u64 {
    let (servers, rails, d) = (servers as u64, rails as u64, d as u64);
    if rail_optimized {
        rails * servers.div_ceil(d)
    } else {
        (servers * rails).div_ceil(d)
    }
}

/// The most endpoints the builder accepts (2^22), whatever the switch: beyond, the graph alone would take
/// gigabytes. The largest three-tier fabric of a 144-port switch has 746,496.
pub const MAX_ENDPOINTS: u64 = 1 << 22;

/// Leaf uplinks and links per leaf-spine pair for `u0` uplinks wanted, at most `per_pair` links to one spine and
/// `free` ports left on the leaf: the fewest spines, `ceil(u0 / per_pair)`, with `ceil(u0 / spines)` links to
/// each. When the rounded-up uplinks do not fit the leaf's free ports, the largest divisor of `u0` within
/// `per_pair` keeps the uplinks at `u0`.
fn balanced_uplinks(u0: u32, per_pair: u32, free: u32) -> (u32, u32) {
    let spines = u0.div_ceil(per_pair).max(1);
    let m = u0.div_ceil(spines);
    if m * spines <= free.max(u0) {
        (m * spines, m)
    } else {
        (u0, largest_divisor_at_most(u0, per_pair))
    }
}

/// Largest divisor of `n` that is at most `limit` (at least 1).
pub(crate) fn largest_divisor_at_most(n: u32, limit: u32) -> u32 {
    (1..=limit.min(n)).rev().find(|m| n.is_multiple_of(*m)).unwrap_or(1)
}

/// `x` rounded up to a cage boundary, if that still leaves room for `after` ports in `k`; else `x`.
fn cage_aligned(x: u32, ppc: u32, after: u32, k: u32) -> u32 {
    let aligned = x.div_ceil(ppc) * ppc;
    if aligned + after <= k { aligned } else { x }
}

/// Validated inputs shared by the feasibility search and the design.
struct Basis {
    k: u32,
    ppc: u32,
    r: f64,
    d: u32,
}

fn basis(req: &FabricRequest) -> Result<Basis, FabricError> {
    if req.servers == 0 {
        return Err(FabricError::NoServers);
    }
    if req.servers_per_su == 0 {
        return Err(FabricError::ZeroServersPerSu);
    }
    if req.rails == 0 {
        return Err(FabricError::NoRails);
    }
    let r = req.oversubscription;
    if !(r.is_finite() && r >= 1.0) {
        return Err(FabricError::Oversubscription { value: r });
    }
    let switch = req.switch.id.to_string();
    let k = req.switch.ports_at(req.speed);
    if k == 0 {
        return Err(FabricError::SpeedUnsupported {
            switch,
            speed: req.speed,
            speeds: req.switch.speeds(),
        });
    }
    if k < 2 {
        return Err(FabricError::TooFewPorts {
            switch,
            speed: req.speed,
            ports: k,
        });
    }
    let ppc = req.switch.ports_per_cage_at(req.speed).unwrap_or(1).max(1);
    Ok(Basis {
        k,
        ppc,
        r,
        d: leaf_downlink_capacity(k, r),
    })
}

/// Downlinks a leaf of `k` ports (`k >= 2`) takes at downlink:uplink ratio `r >= 1`: `floor(k r / (1 + r))`,
/// kept so that `d + ceil(d / r) <= k`. 32 for a 64-port leaf at 1:1, 72 for 144 ports.
///
/// ```
/// assert_eq!(gigapod_planner::fabric::leaf_downlink_capacity(144, 1.0), 72);
/// assert_eq!(gigapod_planner::fabric::leaf_downlink_capacity(64, 3.0), 48);
/// ```
pub fn leaf_downlink_capacity(k: u32, r: f64) -> u32 {
    if k < 2 {
        return 1;
    }
    // The epsilon keeps 64 x 3 / 4 = 47.999.. from rounding down, the loop keeps d + ceil(d / r) <= k against
    // the other rounding.
    let mut d = ((k as f64 * (r / (1.0 + r))) + 1e-9).floor() as u32;
    d = d.clamp(1, k - 1);
    while d > 1 && d + uplinks_for(d, r) > k {
        d -= 1;
    }
    d
}

/// `ceil(down / r)`, at least 1.
fn uplinks_for(down: u32, r: f64) -> u32 {
    ((down as f64 / r) - 1e-9).ceil().max(1.0) as u32
}

/// Leaves, pods and the tier count for `servers` servers, without the link counts (u64 until feasibility is
/// known).
struct Shape {
    leaves: u64,
    leaves_per_su: u64,
    scalable_units: u64,
    pods: u64,
    sus_per_pod: Option<u64>,
    leaves_per_pod: u64,
}

fn shape(req: &FabricRequest, b: &Basis, servers: u32, three_tiers: bool) -> Shape {
    let spu = req.servers_per_su;
    let full = (servers / spu) as u64;
    let partial = servers % spu;
    let leaves_per_su = leaves_for(spu.min(servers), req.rails, b.d, req.rail_optimized);
    let leaves = full * leaves_for(spu, req.rails, b.d, req.rail_optimized)
        + leaves_for(partial, req.rails, b.d, req.rail_optimized);
    let scalable_units = servers.div_ceil(spu) as u64;
    if !three_tiers {
        return Shape {
            leaves,
            leaves_per_su,
            scalable_units,
            pods: 1,
            sus_per_pod: None,
            leaves_per_pod: leaves,
        };
    }
    let h = (b.k / 2) as u64;
    let full_su_leaves = leaves_for(spu, req.rails, b.d, req.rail_optimized);
    if full_su_leaves <= h {
        let sus_per_pod = (h / full_su_leaves).min(scalable_units);
        Shape {
            leaves,
            leaves_per_su,
            scalable_units,
            pods: scalable_units.div_ceil(sus_per_pod),
            sus_per_pod: Some(sus_per_pod),
            leaves_per_pod: (sus_per_pod * full_su_leaves).min(leaves),
        }
    } else {
        Shape {
            leaves,
            leaves_per_su,
            scalable_units,
            pods: leaves.div_ceil(h),
            sus_per_pod: None,
            leaves_per_pod: h.min(leaves),
        }
    }
}

fn fits(req: &FabricRequest, b: &Basis, servers: u32, three_tiers: bool) -> bool {
    let s = shape(req, b, servers, three_tiers);
    if three_tiers {
        s.pods <= b.k as u64
    } else {
        s.leaves <= b.k as u64
    }
}

/// The most servers (whole or partial SUs) the switch connects in the given tiers.
fn max_servers(req: &FabricRequest, b: &Basis, three_tiers: bool) -> u32 {
    // Every leaf serves at most d endpoints and a fabric has at most k (two tiers) or k * k/2 (three) leaves.
    let max_leaves = if three_tiers {
        b.k as u64 * (b.k / 2) as u64
    } else {
        b.k as u64
    };
    let (mut lo, mut hi) = (0u64, (max_leaves * b.d as u64 + 1).min(u32::MAX as u64));
    // Invariant: fits(lo) (or lo = 0), !fits(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(req, b, mid as u32, three_tiers) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo as u32
}

fn size_phrase(req: &FabricRequest, servers: u32) -> String {
    let spu = req.servers_per_su;
    let (full, rest) = (servers / spu, servers % spu);
    let su = |n: u32| if n == 1 { "scalable unit" } else { "scalable units" };
    match (full, rest) {
        (0, r) => format!("{r} servers x {}, less than one scalable unit of {spu}", req.rails),
        (f, 0) => format!("{f} {} of {spu} x {}", su(f), req.rails),
        (f, r) => format!(
            "{f} {} of {spu} x {} and a partial one of {r} servers",
            su(f),
            req.rails
        ),
    }
}

fn too_large(req: &FabricRequest, b: &Basis, three_tiers: bool) -> FabricError {
    let switch = &req.switch.id;
    let asked = req.servers as u64 * req.rails as u64;
    let max = max_servers(req, b, three_tiers);
    let tiers = if three_tiers { "three" } else { "two" };
    let head = if max == 0 {
        format!(
            "{switch} cannot connect even one server's {} rails in {tiers} tiers ({} ports at {})",
            req.rails, b.k, req.speed
        )
    } else {
        format!(
            "{switch} builds at most {} endpoints in {tiers} tiers ({})",
            thousands(max as u64 * req.rails as u64),
            size_phrase(req, max)
        )
    };
    let asked_phrase = format!(
        "{} endpoints asked ({} servers x {} {})",
        thousands(asked),
        thousands(req.servers as u64),
        req.rails,
        if req.rails == 1 { "rail" } else { "rails" }
    );
    let (key, advice) = if !three_tiers && fits(req, b, req.servers, true) {
        ("fabric.tiers", "use tiers = 3 or a larger switch".to_string())
    } else {
        let mut advice = format!("use a switch with more ports at {}", req.speed);
        // A higher oversubscription is advised only when one builds it: more downlinks per leaf do not help when
        // every SU already needs its own leaves per rail (72 servers on 48 or 42 downlinks take 2 either way).
        let helps = [2.0, 3.0, 4.0]
            .into_iter()
            .filter(|&r| r > req.oversubscription)
            .find(|&r| {
                let higher = FabricRequest {
                    oversubscription: r,
                    ..req.clone()
                };
                basis(&higher).is_ok_and(|hb| fits(&higher, &hb, req.servers, three_tiers))
            });
        if let Some(r) = helps {
            advice.push_str(&format!(", fabric.oversubscription = {r} (it builds at {r}:1)"));
        }
        advice.push_str(" or fewer servers");
        ("fabric.switch", advice)
    };
    FabricError::TooLarge {
        key,
        reason: format!("{head}; {asked_phrase}: {advice}"),
        endpoints: asked,
        max_endpoints: max as u64 * req.rails as u64,
    }
}

/// [`Shape`] once known to be feasible.
struct Shape32 {
    leaves: u32,
    leaves_per_su: u32,
    scalable_units: u32,
    pods: u32,
    sus_per_pod: Option<u32>,
    leaves_per_pod: u32,
}

/// Computes the design for a request, or why there is none.
pub(crate) fn design(req: &FabricRequest) -> Result<FabricDesign, FabricError> {
    let b = basis(req)?;
    let (k, d, r) = (b.k, b.d, b.r);
    let three_tiers = match req.tiers {
        Tiers::Two => false,
        Tiers::Three => true,
        Tiers::Auto => !fits(req, &b, req.servers, false),
    };
    if !fits(req, &b, req.servers, three_tiers) {
        return Err(too_large(req, &b, three_tiers));
    }
    let endpoints = req.servers as u64 * req.rails as u64;
    if endpoints > MAX_ENDPOINTS {
        return Err(FabricError::TooLarge {
            key: "compute.servers",
            reason: format!(
                "{} endpoints asked: the planner builds at most {} ({} servers x {} rails)",
                thousands(endpoints),
                thousands(MAX_ENDPOINTS),
                thousands(MAX_ENDPOINTS / req.rails as u64),
                req.rails
            ),
            endpoints,
            max_endpoints: MAX_ENDPOINTS,
        });
    }
    // Feasible: every count below is bounded by k^2 leaves of at most k endpoints, and fits in u32.
    let s = shape(req, &b, req.servers, three_tiers);
    let s = Shape32 {
        leaves: s.leaves as u32,
        leaves_per_su: s.leaves_per_su as u32,
        scalable_units: s.scalable_units as u32,
        pods: s.pods as u32,
        sus_per_pod: s.sus_per_pod.map(|x| x as u32),
        leaves_per_pod: s.leaves_per_pod as u32,
    };
    let first_su = req.servers.min(req.servers_per_su) as u64;
    let dmax = if req.rail_optimized {
        first_su.min(d as u64)
    } else {
        (first_su * req.rails as u64).min(d as u64)
    } as u32;
    let u0 = uplinks_for(dmax, r);
    // Balanced wiring needs the same links from a leaf to each spine, at most `per_pair` of them (what a spine's
    // ports allow). The fewest spines that carry `u0` uplinks is ceil(u0 / per_pair); the uplinks are then rounded
    // up to a multiple of it (never worse than asked). Rounding the spines instead (a divisor of `u0`) would make
    // a prime `u0` take `u0` spines of one link each, and the switch count and IT power fall as servers are added.
    let per_pair = if three_tiers {
        (k / 2) / s.leaves_per_pod.max(1)
    } else {
        k / s.leaves.max(1)
    }
    .max(1);
    let (u, per_pair_links) = balanced_uplinks(u0, per_pair, k.saturating_sub(dmax));
    let leaf_up0 = cage_aligned(dmax, b.ppc, u, k);
    let mut design = FabricDesign {
        tiers: if three_tiers { 3 } else { 2 },
        ports_per_switch: k,
        ports_per_cage: b.ppc,
        servers: req.servers,
        rails: req.rails,
        servers_per_su: req.servers_per_su,
        scalable_units: s.scalable_units,
        endpoints: endpoints as u32,
        rail_optimized: req.rail_optimized,
        requested_oversubscription: r,
        oversubscription: dmax as f64 / u as f64,
        leaf_downlink_capacity: d,
        leaf_downlinks_max: dmax,
        leaf_uplinks: u,
        leaf_uplink_first_port: leaf_up0,
        leaves: s.leaves,
        leaves_per_su: s.leaves_per_su,
        pods: s.pods,
        sus_per_pod: s.sus_per_pod,
        leaves_per_pod: s.leaves_per_pod,
        spines_per_pod: 0,
        leaf_spine_links_per_pair: 0,
        spine_uplinks: 0,
        spine_uplink_first_port: 0,
        core_groups: 0,
        cores_per_group: 0,
        spine_core_links_per_pair: 0,
    };
    if three_tiers {
        let m = per_pair_links;
        let usp = s.leaves_per_pod * m;
        let m2 = largest_divisor_at_most(usp, k / s.pods);
        design.leaf_spine_links_per_pair = m;
        design.spines_per_pod = u / m;
        design.spine_uplinks = usp;
        design.spine_uplink_first_port = cage_aligned(usp, b.ppc, usp, k);
        design.spine_core_links_per_pair = m2;
        design.core_groups = u / m;
        design.cores_per_group = usp / m2;
    } else {
        let m = per_pair_links;
        design.leaf_spine_links_per_pair = m;
        design.spines_per_pod = u / m;
    }
    Ok(design)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fabric::synthetic_switch;
    use gigapod_catalog::units::Gbps;

    fn req(sw: &gigapod_catalog::Switch, servers: u32, r: f64, tiers: Tiers) -> FabricRequest<'_> {
        FabricRequest {
            switch: sw,
            servers,
            rails: 8,
            servers_per_su: 32,
            speed: Gbps(400),
            oversubscription: r,
            rail_optimized: true,
            tiers,
        }
    }

    #[test]
    fn divisors() {
        assert_eq!(largest_divisor_at_most(32, 8), 8);
        assert_eq!(largest_divisor_at_most(32, 7), 4);
        assert_eq!(largest_divisor_at_most(12, 5), 4);
        assert_eq!(largest_divisor_at_most(7, 3), 1);
        assert_eq!(largest_divisor_at_most(5, 0), 1);
    }

    #[test]
    fn one_su_qm9700() {
        let sw = synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
        let d = design(&req(&sw, 32, 1.0, Tiers::Auto)).unwrap();
        assert_eq!(
            (
                d.tiers,
                d.leaves,
                d.leaf_uplinks,
                d.leaf_spine_links_per_pair,
                d.spines()
            ),
            (2, 8, 32, 8, 4)
        );
        assert_eq!(d.leaf_uplink_first_port, 32);
    }

    #[test]
    fn dgx_b300_xdr_reference_counts() {
        // RA-11339-001 Table 3 (pod-facts.md A.4): SUs of 72 DGX B300 x 8 rails on 144-port Q3400-RA leaves.
        // Each leaf has 72 uplinks. A spine takes at most floor(144 / leaves) links from each leaf, and the
        // builder uses the largest divisor of 72 within that: 18 (1 SU), 9 (2), 4 (4: 144 / 32 = 4.5), 2 (8), 1
        // (18), so spines = 72 / m = 4, 8, 18, 36, 72. The RA's 18 spines at 4 SU is this arithmetic (each spine
        // uses 128 of its 144 ports), not a special case.
        let sw = synthetic_switch("q3400-ra", 72, &[(800, 2)]);
        for (sus, leaves, spines, m) in [
            (1, 8, 4, 18),
            (2, 16, 8, 9),
            (4, 32, 18, 4),
            (8, 64, 36, 2),
            (18, 144, 72, 1),
        ] {
            let r = FabricRequest {
                servers_per_su: 72,
                speed: Gbps(800),
                ..req(&sw, 72 * sus, 1.0, Tiers::Auto)
            };
            let d = design(&r).unwrap();
            assert_eq!(
                (
                    d.tiers,
                    d.leaves,
                    d.spines(),
                    d.leaf_spine_links_per_pair,
                    d.leaf_uplinks
                ),
                (2, leaves, spines, m, 72),
                "{sus} SU"
            );
        }
    }

    #[test]
    fn oversubscribed_split() {
        let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
        let d = design(&req(&sw, 32, 2.0, Tiers::Auto)).unwrap();
        assert_eq!(
            (d.leaf_downlink_capacity, d.leaf_downlinks_max, d.leaf_uplinks),
            (42, 32, 16)
        );
        assert_eq!(d.oversubscription, 2.0);
        let d = design(&req(&sw, 32, 3.0, Tiers::Auto)).unwrap();
        // 32 / 3 wants 11 uplinks: 11 spines of one link each would balance them; 2 spines of 6 links (12
        // uplinks, 2.67:1, better than asked) need 9 fewer switches.
        assert_eq!((d.leaf_downlink_capacity, d.leaf_uplinks), (48, 12));
        assert_eq!((d.spines_per_pod, d.leaf_spine_links_per_pair), (2, 6));
        assert!(d.oversubscription <= 3.0 && d.oversubscription > 2.6);
    }

    #[test]
    fn balanced_uplinks_take_the_fewest_spines() {
        // (uplinks wanted, most links per pair, free leaf ports) -> (uplinks, links per pair)
        assert_eq!(balanced_uplinks(32, 8, 32), (32, 8)); // a full qm9700 SU: 4 spines x 8
        assert_eq!(balanced_uplinks(11, 8, 53), (12, 6)); // 2 spines x 6, not 11 x 1
        assert_eq!(balanced_uplinks(9, 8, 55), (10, 5)); // 2 spines x 5, not 3 x 3
        assert_eq!(balanced_uplinks(17, 8, 47), (18, 6)); // 3 spines x 6
        assert_eq!(balanced_uplinks(5, 8, 59), (5, 5)); // 1 spine
        // No room to round up: the divisor rule keeps the uplinks.
        assert_eq!(balanced_uplinks(11, 8, 11), (11, 1));
    }

    #[test]
    fn full_three_tier_qm9700() {
        let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
        let d = design(&req(&sw, 256 * 32, 1.0, Tiers::Auto)).unwrap();
        assert_eq!(d.tiers, 3);
        assert_eq!((d.leaves, d.spines(), d.cores()), (2048, 2048, 1024));
        assert_eq!((d.pods, d.sus_per_pod), (64, Some(4)));
        let e = design(&req(&sw, 257 * 32, 1.0, Tiers::Auto)).unwrap_err();
        assert_eq!(e.key(), "fabric.switch");
        assert!(e.to_string().starts_with(
            "qm9700 builds at most 65,536 endpoints in three tiers (256 scalable units of 32 x 8); 65,792 endpoints asked"
        ));
    }

    #[test]
    fn two_tier_limit() {
        let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
        let e = design(&req(&sw, 9 * 32, 1.0, Tiers::Two)).unwrap_err();
        assert_eq!(e.key(), "fabric.tiers");
        assert_eq!(
            e.to_string(),
            "qm9700 builds at most 2,048 endpoints in two tiers (8 scalable units of 32 x 8); 2,304 endpoints asked \
             (288 servers x 8 rails): use tiers = 3 or a larger switch"
        );
        assert_eq!(design(&req(&sw, 9 * 32, 1.0, Tiers::Auto)).unwrap().tiers, 3);
        assert_eq!(design(&req(&sw, 8 * 32, 1.0, Tiers::Auto)).unwrap().tiers, 2);
    }

    #[test]
    fn huge_requests_do_not_overflow() {
        let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
        let mut r = req(&sw, u32::MAX, 1.0, Tiers::Auto);
        r.rails = u32::MAX;
        r.rail_optimized = false;
        assert_eq!(design(&r).unwrap_err().key(), "fabric.switch");
        r.servers_per_su = u32::MAX;
        assert_eq!(design(&r).unwrap_err().key(), "fabric.switch");
        let r = FabricRequest {
            oversubscription: f64::MAX,
            ..req(&sw, 32, 1.0, Tiers::Auto)
        };
        let d = design(&r).unwrap();
        assert_eq!((d.leaf_downlink_capacity, d.leaf_uplinks), (63, 1));
        // A huge switch could build more endpoints than the planner holds.
        let big = synthetic_switch("big", 4096, &[(400, 1)]);
        let e = design(&req(&big, 600_000, 1.0, Tiers::Auto)).unwrap_err();
        assert_eq!(e.key(), "compute.servers");
        assert!(e.to_string().contains("at most 4,194,304"), "{e}");
    }

    #[test]
    fn bad_inputs() {
        let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
        assert_eq!(
            design(&req(&sw, 32, 0.5, Tiers::Auto)).unwrap_err().key(),
            "fabric.oversubscription"
        );
        assert_eq!(
            design(&req(&sw, 32, f64::NAN, Tiers::Auto)).unwrap_err().key(),
            "fabric.oversubscription"
        );
        assert_eq!(
            design(&req(&sw, 0, 1.0, Tiers::Auto)).unwrap_err().key(),
            "compute.servers"
        );
        let mut r = req(&sw, 32, 1.0, Tiers::Auto);
        r.speed = Gbps(800);
        let e = design(&r).unwrap_err();
        assert_eq!(e.key(), "fabric.switch");
        assert!(e.to_string().contains("cannot take 800 Gb/s"), "{e}");
    }
}
