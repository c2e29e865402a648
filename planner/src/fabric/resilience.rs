//! Which failures the analysis tries: single switches (one per class of interchangeable switches) and seeded
//! random links; and what one leaf failure cuts off.

use super::graph::{Fabric, LinkRole};
use petgraph::graph::NodeIndex;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The switches whose failure the analysis tries.
///
/// With `exhaustive`, every spine and every core. Otherwise one switch per class of switches that the
/// construction makes interchangeable, which gives the same worst case:
///
/// - **Cores.** Core `c` of group `j` links to spine `j` of every pod with `m'` links, and to nothing else. Two
///   cores of the same group therefore have the same neighbours with the same multiplicities: swapping them is
///   a graph automorphism. Across groups, the permutation that swaps spine index `j` with `j'` in *every* pod
///   together with core group `j` and `j'` maps every edge to an edge (each leaf has `m` links to every spine
///   of its pod, spine `j` goes only to group `j`), so it is an automorphism too.
/// - **Spines.** Within a pod every leaf has `m` links to every spine, so the same permutation (spine `j` <->
///   `j'` in every pod, with the core groups) maps spine `(p, j)` to `(p, j')`. In a two-tier fabric every leaf
///   has `m` links to every spine and swapping two spines is an automorphism. Spines of different pods are not
///   interchangeable: they serve different endpoints.
/// - These automorphisms fix every leaf and every endpoint, hence every cut of the endpoints, and map the
///   fabric without switch `v` onto the fabric without its image: the max-flow of every cut is the same.
///
/// So trying core 0 and spine 0 of every pod (spine 0 alone in two tiers) finds the worst single spine or core
/// failure. A partial last pod is no exception: its spines are wired alike to each other and to the cores. The
/// test `symmetry_classes_hold` tries every spine and core on every cut of small fabrics and checks this.
/// Leaves are not tried: a leaf failure cuts its endpoints off rather than narrowing the fabric, and is
/// reported on its own ([`leaf_failure`]).
pub(crate) fn switch_failure_candidates(f: &Fabric, exhaustive: bool) -> Vec<NodeIndex> {
    if exhaustive {
        return f.spines().chain(f.cores()).collect();
    }
    let d = f.design();
    let first_spine = d.leaves;
    let mut v: Vec<NodeIndex> = (0..d.pods)
        .map(|p| NodeIndex::new((first_spine + p * d.spines_per_pod) as usize))
        .collect();
    v.extend(f.cores().next());
    v
}

/// `k` distinct switch-to-switch links (leaf-spine or spine-core), chosen at random with ChaCha8 seeded by
/// `seed` (stream 1, independent of the cuts), as (lower node, upper node, capacity).
pub(crate) fn random_link_failures(f: &Fabric, k: usize, seed: u64) -> Vec<(u32, u32, u64)> {
    let g = f.graph();
    // Endpoint links come first in the edge list; switch links follow.
    let first = f.link_counts.endpoint as usize;
    let n = g.edge_count() - first;
    debug_assert!(
        g.raw_edges()[first..]
            .iter()
            .all(|e| e.weight.role != LinkRole::Endpoint)
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    let mut picked: Vec<usize> = rand::seq::index::sample(&mut rng, n, k.min(n)).into_vec();
    picked.sort_unstable();
    picked
        .into_iter()
        .map(|i| {
            let e = &g.raw_edges()[first + i];
            (
                e.weight.a.node.index() as u32,
                e.weight.b.node.index() as u32,
                e.weight.capacity.0,
            )
        })
        .collect()
}

/// What the failure of one leaf cuts off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LeafFailure {
    /// Most endpoints on one leaf.
    pub endpoints: u32,
    /// Servers with a NIC on that leaf.
    pub servers: u32,
    /// Most NICs one server loses with one leaf.
    pub nics_per_server: u32,
    /// Most servers one leaf failure leaves with no fabric port at all.
    pub servers_isolated: u32,
}

/// Every endpoint has one link, to one leaf: a leaf failure disconnects its endpoints.
pub(crate) fn leaf_failure(f: &Fabric) -> LeafFailure {
    let d = f.design();
    let rails = d.rails as usize;
    let leaves = f.leaf_endpoints.len();
    let mut servers_on = vec![0u32; leaves];
    let mut isolated_on = vec![0u32; leaves];
    let mut nics_per_server = 0;
    let mut ls: Vec<u32> = Vec::with_capacity(rails);
    for s in 0..d.servers as usize {
        ls.clear();
        ls.extend_from_slice(&f.endpoint_leaf[s * rails..(s + 1) * rails]);
        ls.sort_unstable();
        let mut i = 0;
        while i < ls.len() {
            let j = ls[i..].iter().take_while(|&&l| l == ls[i]).count();
            servers_on[ls[i] as usize] += 1;
            nics_per_server = nics_per_server.max(j as u32);
            if j == rails {
                isolated_on[ls[i] as usize] += 1;
            }
            i += j;
        }
    }
    let worst = (0..leaves)
        .max_by_key(|&l| (f.leaf_endpoints[l], servers_on[l]))
        .unwrap_or(0);
    LeafFailure {
        endpoints: f.leaf_endpoints.get(worst).copied().unwrap_or(0),
        servers: servers_on.get(worst).copied().unwrap_or(0),
        nics_per_server,
        servers_isolated: isolated_on.iter().copied().max().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fabric::bisection::balanced_cuts;
    use crate::fabric::flow::{FlowNetwork, Workspace};
    use crate::fabric::{FabricRequest, Tiers, build, synthetic_switch};
    use gigapod_catalog::units::Gbps;

    fn fabric(k: u32, servers: u32, rails: u32, spu: u32, r: f64, tiers: Tiers) -> Fabric {
        let sw = synthetic_switch("sw", k, &[(400, 1)]);
        build(&FabricRequest {
            switch: &sw,
            servers,
            rails,
            servers_per_su: spu,
            speed: Gbps(400),
            oversubscription: r,
            rail_optimized: true,
            tiers,
        })
        .unwrap()
    }

    /// Every spine and every core, on every cut: the max-flow after failing a switch equals the one after failing
    /// its class representative (spine 0 of its pod, core 0). Small three-tier fabrics with a partial last pod
    /// and a partial last SU, oversubscribed or not, and a two-tier one.
    #[test]
    fn symmetry_classes_hold() {
        let cases = [
            fabric(8, 37, 2, 4, 1.0, Tiers::Three),
            fabric(8, 44, 2, 6, 2.0, Tiers::Three),
            fabric(12, 45, 3, 4, 1.5, Tiers::Three),
            fabric(8, 13, 1, 2, 1.0, Tiers::Three),
            fabric(16, 24, 4, 8, 3.0, Tiers::Two),
        ];
        for f in &cases {
            let d = f.design();
            let net = FlowNetwork::new(f);
            let cuts = balanced_cuts(f, 6, 3);
            let mut ws = Workspace::default();
            let flow = |v: NodeIndex, cut: usize, ws: &mut Workspace| {
                let mut cap = net.base_cap.clone();
                net.set_cut(&mut cap, &cuts[cut].a, &cuts[cut].b, 400);
                net.fail_node(&mut cap, v.index() as u32);
                net.max_flow(&cap, ws)
            };
            let reps = switch_failure_candidates(f, false);
            assert_eq!(reps.len() as u32, d.pods + u32::from(d.tiers == 3));
            let mut tried = 0;
            for v in f.spines().chain(f.cores()) {
                let node = &f.graph()[v];
                let rep = match node.role {
                    super::super::Role::Spine => {
                        NodeIndex::new((d.leaves + node.pod.unwrap_or(0) * d.spines_per_pod) as usize)
                    }
                    _ => f.cores().next().unwrap(),
                };
                assert!(reps.contains(&rep));
                for (c, cut) in cuts.iter().enumerate() {
                    assert_eq!(
                        flow(v, c, &mut ws),
                        flow(rep, c, &mut ws),
                        "{} vs its representative, cut {}",
                        node.name,
                        cut.name
                    );
                    tried += 1;
                }
            }
            assert!(tried > 0);
        }
    }

    #[test]
    fn link_failures_are_seeded_and_distinct() {
        let f = fabric(8, 37, 2, 4, 1.0, Tiers::Three);
        let a = random_link_failures(&f, 10, 5);
        assert_eq!(a, random_link_failures(&f, 10, 5));
        assert_ne!(a, random_link_failures(&f, 10, 6));
        assert_eq!(a.len(), 10);
        let n = f.link_counts.leaf_spine + f.link_counts.spine_core;
        assert_eq!(random_link_failures(&f, 100_000, 5).len(), n as usize);
    }

    #[test]
    fn leaf_failure_counts() {
        let f = fabric(64, 32, 8, 32, 1.0, Tiers::Auto);
        let lf = leaf_failure(&f);
        assert_eq!(
            lf,
            LeafFailure {
                endpoints: 32,
                servers: 32,
                nics_per_server: 1,
                servers_isolated: 0
            }
        );
        let f = fabric(8, 8, 1, 4, 1.0, Tiers::Auto);
        assert_eq!(leaf_failure(&f).servers_isolated, 4);
    }
}
