//! Balanced cuts of the endpoints and the bisection bandwidth they measure.
//!
//! A balanced cut splits the `E` endpoints into A with `floor(E / 2)` and B with the rest; the bandwidth across
//! it is the max-flow from A to B (equal, by max-flow/min-cut, to the capacity of the smallest set of links whose
//! removal separates them). The bisection bandwidth is the minimum over all balanced cuts; the analysis tries:
//!
//! - `su-halves`: the first `floor(E / 2)` endpoints in server order, i.e. the first half of the scalable units
//!   against the rest (by endpoint count), or half of the servers of a single SU;
//! - `rail-halves`: the first `floor(E / 2)` endpoints in rail order (rails `0..R/2` against the rest when every
//!   server has all rails and `R` is even);
//! - `random-N`: seeded random balanced cuts (ChaCha8).
//!
//! and reports the worst. A non-blocking fabric carries `floor(E / 2) x speed` across every balanced cut.

use super::flow::{FlowNetwork, Workspace};
use super::graph::Fabric;
use gigapod_catalog::units::Gbps;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A cut of the endpoints, as counts per leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cut {
    /// `su-halves`, `rail-halves`, `random-1`, ...
    pub name: String,
    /// Endpoints of A on each leaf.
    pub a: Vec<u32>,
    /// Endpoints of B on each leaf.
    pub b: Vec<u32>,
}

impl Cut {
    /// The cut with A = the given endpoints (by endpoint number), B = every other endpoint.
    pub fn from_a(f: &Fabric, name: impl Into<String>, a_endpoints: impl IntoIterator<Item = u32>) -> Self {
        let mut a = vec![0u32; f.leaf_endpoints.len()];
        for e in a_endpoints {
            a[f.endpoint_leaf[e as usize] as usize] += 1;
        }
        let b = f.leaf_endpoints.iter().zip(&a).map(|(n, a)| n - a).collect();
        Cut {
            name: name.into(),
            a,
            b,
        }
    }
}

/// The cuts the analysis tries: `su-halves`, `rail-halves` and `random` seeded random balanced cuts.
pub(crate) fn balanced_cuts(f: &Fabric, random: usize, seed: u64) -> Vec<Cut> {
    let d = f.design();
    let e = d.endpoints;
    let half = e / 2;
    let rails = d.rails;
    let servers = d.servers;
    let mut cuts = vec![Cut::from_a(f, "su-halves", 0..half)];
    // Endpoints in rail order: rail 0 of every server, then rail 1, ...
    let rail_order = (0..rails).flat_map(|r| (0..servers).map(move |s| s * rails + r));
    cuts.push(Cut::from_a(f, "rail-halves", rail_order.take(half as usize)));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0);
    let mut all: Vec<u32> = (0..e).collect();
    for i in 0..random {
        let (chosen, _) = all.partial_shuffle(&mut rng, half as usize);
        let chosen = chosen.to_vec();
        cuts.push(Cut::from_a(f, format!("random-{}", i + 1), chosen));
    }
    cuts
}

/// The bandwidth the fabric carries from the endpoints in `a` to the endpoints in `b` (endpoint numbers, see
/// [`Fabric::endpoint`]; an endpoint in both counts in neither), by max-flow/min-cut on the graph. Every
/// endpoint link, and every switch link, carries its capacity in each direction.
///
/// ```
/// # use gigapod_planner::fabric::{self, FabricRequest, Tiers};
/// # use gigapod_catalog::units::Gbps;
/// # let sw = fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
/// # let req = FabricRequest { switch: &sw, servers: 32, rails: 8, servers_per_su: 32, speed: Gbps(400),
/// #     oversubscription: 2.0, rail_optimized: true, tiers: Tiers::Auto };
/// let f = fabric::build(&req)?; // one SU of 32 x 8 at 2:1
/// // Rail 0 of every server against rail 1 of every server: through 16 uplinks per leaf.
/// let a: Vec<u32> = (0..32).map(|s| s * 8).collect();
/// let b: Vec<u32> = (0..32).map(|s| s * 8 + 1).collect();
/// assert_eq!(fabric::max_flow_between(&f, &a, &b), Gbps(16 * 400));
/// # Ok::<(), fabric::FabricError>(())
/// ```
pub fn max_flow_between(f: &Fabric, a: &[u32], b: &[u32]) -> Gbps {
    let leaves = f.leaf_endpoints.len();
    let mut in_a = vec![false; f.design().endpoints as usize];
    for &e in a {
        if let Some(x) = in_a.get_mut(e as usize) {
            *x = true;
        }
    }
    let (mut ca, mut cb) = (vec![0u32; leaves], vec![0u32; leaves]);
    let mut in_b = vec![false; in_a.len()];
    for &e in b {
        if (e as usize) < in_b.len() {
            in_b[e as usize] = true;
        }
    }
    for e in 0..in_a.len() {
        let l = f.endpoint_leaf[e] as usize;
        match (in_a[e], in_b[e]) {
            (true, false) => ca[l] += 1,
            (false, true) => cb[l] += 1,
            _ => {}
        }
    }
    let net = FlowNetwork::new(f);
    let mut cap = net.base_cap.clone();
    net.set_cut(&mut cap, &ca, &cb, f.speed().0);
    Gbps(net.max_flow(&cap, &mut Workspace::default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fabric::{FabricRequest, Tiers, build, synthetic_switch};

    fn fabric(servers: u32, rails: u32, spu: u32, r: f64) -> Fabric {
        let sw = synthetic_switch("qm9700", 32, &[(400, 2)]);
        build(&FabricRequest {
            switch: &sw,
            servers,
            rails,
            servers_per_su: spu,
            speed: Gbps(400),
            oversubscription: r,
            rail_optimized: true,
            tiers: Tiers::Auto,
        })
        .unwrap()
    }

    #[test]
    fn cuts_are_balanced_and_seeded() {
        let f = fabric(70, 8, 32, 1.0);
        let cuts = balanced_cuts(&f, 3, 7);
        assert_eq!(cuts.len(), 5);
        for c in &cuts {
            assert_eq!(c.a.iter().sum::<u32>(), 280, "{}", c.name);
            assert_eq!(c.b.iter().sum::<u32>(), 280, "{}", c.name);
        }
        assert_eq!(cuts, balanced_cuts(&f, 3, 7));
        assert_ne!(cuts[2], balanced_cuts(&f, 3, 8)[2]);
        // Rail halves: leaves of rails 0..3 hold only A.
        let rh = &cuts[1];
        for l in 0..f.leaf_endpoints.len() {
            let rail = f.graph()[petgraph::graph::NodeIndex::new(l)].rail.unwrap();
            assert_eq!(rh.a[l] > 0, rail < 4);
            assert_eq!(rh.b[l] > 0, rail >= 4);
        }
    }

    #[test]
    fn odd_endpoint_count() {
        let f = fabric(3, 1, 32, 1.0);
        let cuts = balanced_cuts(&f, 2, 1);
        for c in &cuts {
            assert_eq!(c.a.iter().sum::<u32>(), 1);
            assert_eq!(c.b.iter().sum::<u32>(), 2);
        }
    }

    #[test]
    fn between_sets() {
        let f = fabric(32, 8, 32, 1.0);
        // Two NICs of the same server on different rails: 400 Gb/s.
        assert_eq!(max_flow_between(&f, &[0], &[1]), Gbps(400));
        // An endpoint in both sets counts in neither.
        assert_eq!(max_flow_between(&f, &[0, 1], &[1]), Gbps(0));
        // All of rail 0 to all of rail 1, non-blocking: 32 x 400.
        let a: Vec<u32> = (0..32).map(|s| s * 8).collect();
        let b: Vec<u32> = (0..32).map(|s| s * 8 + 1).collect();
        assert_eq!(max_flow_between(&f, &a, &b), Gbps(32 * 400));
    }
}
