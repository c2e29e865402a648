//! Max-flow on the fabric: a compact flow network over the switches and a plain Dinic.
//!
//! **The network.** Endpoint nodes are dropped: every endpoint has exactly one link, to its leaf, so for a cut
//! (A, B) of the endpoints an arc source -> leaf of capacity `|A on that leaf| x speed` and an arc leaf -> sink of
//! `|B on that leaf| x speed` carry exactly what the endpoint links would. Parallel leaf-spine and spine-core
//! links are merged into one undirected edge of summed capacity, and an undirected edge of capacity `c` is one
//! pair of arcs, each of capacity `c` and each the other's residual. The arcs live in CSR arrays (`start`,
//! `head`, `rev`, `cap`), sorted by tail then head, so the arc between two switches is found by binary search.
//!
//! **The algorithm.** Dinic: a BFS from the source labels levels on the residual graph; an iterative DFS with a
//! current-arc pointer per node pushes augmenting paths along strictly increasing levels until the level graph
//! is blocked (a dead end is pruned by clearing its level); repeat until the sink is unreachable. O(V^2 E) in
//! general, and far less here: a fat-tree's augmenting paths have at most 7 arcs (source, leaf, spine, core,
//! spine, leaf, sink), so there are only a few phases, each O(E + paths x 7). Capacities are `u64` Gb/s. On a
//! 65,536-endpoint three-tier fabric (5,122 nodes, ~270,000 arcs) one max-flow takes a few milliseconds.

use super::graph::{Fabric, LinkRole};

/// The flow network of a fabric's switches with a source and a sink; the capacities of the source and sink arcs
/// are set per cut.
#[derive(Debug, Clone)]
pub(crate) struct FlowNetwork {
    /// Nodes: the switches (same numbering as the fabric's node indices), then the source, then the sink.
    pub n: usize,
    pub source: u32,
    pub sink: u32,
    start: Vec<u32>,
    head: Vec<u32>,
    rev: Vec<u32>,
    /// Capacities with every source and sink arc at 0.
    pub base_cap: Vec<u64>,
    /// Per leaf: the source -> leaf arc.
    pub src_arc: Vec<u32>,
    /// Per leaf: the leaf -> sink arc.
    pub sink_arc: Vec<u32>,
}

/// Reusable work arrays for [`FlowNetwork::max_flow`], one per thread.
#[derive(Debug, Clone, Default)]
pub(crate) struct Workspace {
    pub cap: Vec<u64>,
    level: Vec<u32>,
    it: Vec<u32>,
    queue: Vec<u32>,
    stack: Vec<u32>,
}

const UNSEEN: u32 = u32::MAX;

impl FlowNetwork {
    /// Builds the network of a fabric: merged switch links plus source and sink arcs to every leaf.
    pub fn new(f: &Fabric) -> Self {
        let g = f.graph();
        let switches = f.switch_counts.total as usize;
        let leaves = f.switch_counts.leaf as usize;
        let (source, sink) = (switches as u32, switches as u32 + 1);
        // Undirected switch-switch edges, merged: (low, high, capacity).
        let mut edges: Vec<(u32, u32, u64)> = g
            .raw_edges()
            .iter()
            .filter(|e| e.weight.role != LinkRole::Endpoint)
            .map(|e| {
                let (a, b) = (e.source().index() as u32, e.target().index() as u32);
                (a.min(b), a.max(b), e.weight.capacity.0)
            })
            .collect();
        edges.sort_unstable_by_key(|&(a, b, _)| (a, b));
        let mut merged: Vec<(u32, u32, u64)> = Vec::with_capacity(edges.len());
        for (a, b, c) in edges {
            match merged.last_mut() {
                Some(last) if last.0 == a && last.1 == b => last.2 += c,
                _ => merged.push((a, b, c)),
            }
        }
        // Source and sink arcs are edges too, (leaf, source) and (leaf, sink), both directions at 0 until a cut
        // sets source -> leaf and leaf -> sink.
        let mut und = merged;
        und.extend((0..leaves as u32).flat_map(|l| [(l, source, 0), (l, sink, 0)]));
        und.sort_unstable_by_key(|&(a, b, _)| (a, b));
        // CSR by counting: each node's arcs to lower nodes (placed in a first pass, ascending since `und` is
        // sorted by (low, high)) come before its arcs to higher nodes (second pass, ascending too): every
        // adjacency list ends sorted by head.
        let n = switches + 2;
        let mut start = vec![0u32; n + 1];
        for &(a, b, _) in &und {
            start[a as usize + 1] += 1;
            start[b as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let arcs = 2 * und.len();
        let (mut head, mut rev, mut base_cap) = (vec![0u32; arcs], vec![0u32; arcs], vec![0u64; arcs]);
        let mut cursor = start[..n].to_vec();
        let mut down = vec![0u32; und.len()];
        for (i, &(a, b, c)) in und.iter().enumerate() {
            let p = cursor[b as usize];
            cursor[b as usize] += 1;
            (head[p as usize], base_cap[p as usize], down[i]) = (a, c, p);
        }
        for (i, &(a, b, c)) in und.iter().enumerate() {
            let p = cursor[a as usize];
            cursor[a as usize] += 1;
            (head[p as usize], base_cap[p as usize]) = (b, c);
            (rev[p as usize], rev[down[i] as usize]) = (down[i], p);
        }
        let mut net = FlowNetwork {
            n,
            source,
            sink,
            start,
            head,
            rev,
            base_cap,
            src_arc: Vec::new(),
            sink_arc: Vec::new(),
        };
        net.src_arc = (0..leaves as u32)
            .map(|l| net.arc(source, l).expect("source arc"))
            .collect();
        net.sink_arc = (0..leaves as u32)
            .map(|l| net.arc(l, sink).expect("sink arc"))
            .collect();
        net
    }

    /// Number of arcs.
    pub fn arcs(&self) -> usize {
        self.head.len()
    }

    /// The arc from `u` to `v`, if any.
    pub fn arc(&self, u: u32, v: u32) -> Option<u32> {
        let (lo, hi) = (self.start[u as usize] as usize, self.start[u as usize + 1] as usize);
        self.head[lo..hi].binary_search(&v).ok().map(|i| (lo + i) as u32)
    }

    /// Sets the source and sink arcs of a cut: `a[l]` endpoints of A and `b[l]` of B on leaf `l`.
    pub fn set_cut(&self, cap: &mut [u64], a: &[u32], b: &[u32], speed: u64) {
        for l in 0..self.src_arc.len() {
            cap[self.src_arc[l] as usize] = a[l] as u64 * speed;
            cap[self.sink_arc[l] as usize] = b[l] as u64 * speed;
        }
    }

    /// Removes switch `v`: every arc into or out of it gets capacity 0.
    /// Total capacity of the arcs leaving `v` (each undirected link counted once).
    pub fn node_capacity(&self, v: u32) -> u64 {
        (self.start[v as usize]..self.start[v as usize + 1])
            .map(|a| self.base_cap[a as usize])
            .sum()
    }

    pub fn fail_node(&self, cap: &mut [u64], v: u32) {
        for a in self.start[v as usize]..self.start[v as usize + 1] {
            cap[a as usize] = 0;
            cap[self.rev[a as usize] as usize] = 0;
        }
    }

    /// Removes one physical link of capacity `c` between switches `u` and `v`.
    pub fn fail_link(&self, cap: &mut [u64], u: u32, v: u32, c: u64) {
        if let Some(a) = self.arc(u, v) {
            cap[a as usize] = cap[a as usize].saturating_sub(c);
            let r = self.rev[a as usize] as usize;
            cap[r] = cap[r].saturating_sub(c);
        }
    }

    /// Max-flow from the source to the sink with the given capacities (left untouched; the residual graph lives
    /// in the workspace).
    pub fn max_flow(&self, cap: &[u64], ws: &mut Workspace) -> u64 {
        ws.cap.clear();
        ws.cap.extend_from_slice(cap);
        self.max_flow_in_place(ws)
    }

    /// Max-flow on the capacities already in `ws.cap`, which end as the residual capacities.
    pub fn max_flow_in_place(&self, ws: &mut Workspace) -> u64 {
        ws.level.resize(self.n, UNSEEN);
        ws.it.resize(self.n, 0);
        let mut flow = 0;
        while self.levels(ws) {
            ws.it.copy_from_slice(&self.start[..self.n]);
            flow += self.blocking_flow(ws);
        }
        flow
    }

    /// BFS levels from the source over arcs with residual capacity; true if the sink is reached.
    fn levels(&self, ws: &mut Workspace) -> bool {
        ws.level.fill(UNSEEN);
        ws.queue.clear();
        ws.level[self.source as usize] = 0;
        ws.queue.push(self.source);
        let mut qi = 0;
        while qi < ws.queue.len() {
            let v = ws.queue[qi] as usize;
            qi += 1;
            let lv = ws.level[v];
            if ws.level[self.sink as usize] != UNSEEN && lv >= ws.level[self.sink as usize] {
                break;
            }
            for a in self.start[v]..self.start[v + 1] {
                let w = self.head[a as usize] as usize;
                if ws.cap[a as usize] > 0 && ws.level[w] == UNSEEN {
                    ws.level[w] = lv + 1;
                    ws.queue.push(w as u32);
                }
            }
        }
        ws.level[self.sink as usize] != UNSEEN
    }

    /// Pushes augmenting paths along the level graph until it is blocked; returns the flow pushed.
    fn blocking_flow(&self, ws: &mut Workspace) -> u64 {
        let (s, t) = (self.source, self.sink);
        let Workspace {
            cap, level, it, stack, ..
        } = ws;
        stack.clear();
        let mut total = 0u64;
        let mut v = s;
        loop {
            if v == t {
                let f = stack.iter().map(|&a| cap[a as usize]).min().unwrap_or(0);
                let mut first_saturated = stack.len();
                for (i, &a) in stack.iter().enumerate() {
                    cap[a as usize] -= f;
                    cap[self.rev[a as usize] as usize] += f;
                    if cap[a as usize] == 0 && first_saturated == stack.len() {
                        first_saturated = i;
                    }
                }
                total += f;
                // Back to the tail of the first saturated arc; its current arc moves on there.
                stack.truncate(first_saturated);
                v = stack.last().map_or(s, |&a| self.head[a as usize]);
                continue;
            }
            let vi = v as usize;
            let end = self.start[vi + 1];
            let next_level = level[vi] + 1;
            let mut advanced = false;
            while it[vi] < end {
                let a = it[vi] as usize;
                let w = self.head[a];
                if cap[a] > 0 && level[w as usize] == next_level {
                    stack.push(a as u32);
                    v = w;
                    advanced = true;
                    break;
                }
                it[vi] += 1;
            }
            if !advanced {
                if v == s {
                    break;
                }
                // Dead end: prune it and retreat along the arc that led here.
                level[vi] = UNSEEN;
                let a = stack
                    .pop()
                    .expect("a node other than the source has an arc on the stack");
                v = self.head[self.rev[a as usize] as usize];
                it[v as usize] += 1;
            }
        }
        total
    }

    /// The same network as a petgraph directed graph (one edge per arc with positive capacity), for
    /// `petgraph::algo::dinics` as an oracle.
    #[cfg(test)]
    pub fn to_petgraph(&self, cap: &[u64]) -> petgraph::graph::DiGraph<(), u64> {
        let mut g = petgraph::graph::DiGraph::with_capacity(self.n, self.arcs());
        for _ in 0..self.n {
            g.add_node(());
        }
        for u in 0..self.n {
            for a in self.start[u]..self.start[u + 1] {
                if cap[a as usize] > 0 {
                    g.add_edge(
                        petgraph::graph::NodeIndex::new(u),
                        petgraph::graph::NodeIndex::new(self.head[a as usize] as usize),
                        cap[a as usize],
                    );
                }
            }
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made network: CLRS's example on 6 nodes, with node 0 as the source and 5 as the sink, laid out
    /// as a FlowNetwork with no leaves.
    fn clrs() -> (FlowNetwork, Vec<u64>) {
        let arcs: &[(u32, u32, u64)] = &[
            (0, 1, 16),
            (0, 2, 13),
            (1, 2, 10),
            (1, 3, 12),
            (2, 1, 4),
            (2, 4, 14),
            (3, 2, 9),
            (3, 5, 20),
            (4, 3, 7),
            (4, 5, 4),
        ];
        // Directed arcs each with a 0-capacity reverse; parallel antiparallel pairs are fine in CSR.
        let mut list: Vec<(u32, u32, u64, u32)> = Vec::new();
        for &(u, v, c) in arcs {
            let i = list.len() as u32;
            list.push((u, v, c, i + 1));
            list.push((v, u, 0, i));
        }
        let mut order: Vec<u32> = (0..list.len() as u32).collect();
        order.sort_by_key(|&i| (list[i as usize].0, list[i as usize].1));
        let mut pos = vec![0; list.len()];
        for (n, &o) in order.iter().enumerate() {
            pos[o as usize] = n as u32;
        }
        let mut start = vec![0u32; 7];
        let (mut head, mut rev, mut cap) = (vec![], vec![], vec![]);
        for &o in &order {
            let (u, v, c, p) = list[o as usize];
            start[u as usize + 1] += 1;
            head.push(v);
            rev.push(pos[p as usize]);
            cap.push(c);
        }
        for i in 0..6 {
            start[i + 1] += start[i];
        }
        let net = FlowNetwork {
            n: 6,
            source: 0,
            sink: 5,
            start,
            head,
            rev,
            base_cap: cap.clone(),
            src_arc: vec![],
            sink_arc: vec![],
        };
        (net, cap)
    }

    #[test]
    fn clrs_example() {
        let (net, cap) = clrs();
        let mut ws = Workspace::default();
        assert_eq!(net.max_flow(&cap, &mut ws), 23);
        // Re-running on the same workspace gives the same answer.
        assert_eq!(net.max_flow(&cap, &mut ws), 23);
        let (oracle, _) = petgraph::algo::dinics(
            &net.to_petgraph(&cap),
            petgraph::graph::NodeIndex::new(0),
            petgraph::graph::NodeIndex::new(5),
        );
        assert_eq!(oracle, 23);
    }
}

#[cfg(test)]
mod oracle {
    //! The Dinic against petgraph's `dinics` on the same networks, with failures.
    use super::*;
    use crate::fabric::bisection::balanced_cuts;
    use crate::fabric::{FabricRequest, Tiers, build, synthetic_switch};
    use gigapod_catalog::units::Gbps;
    use petgraph::graph::NodeIndex;
    use proptest::prelude::*;

    /// Compares on every cut, intact, without a spine and without random links; false if the size is infeasible.
    #[allow(clippy::too_many_arguments)]
    fn check(
        k: u32,
        servers: u32,
        rails: u32,
        spu: u32,
        r: f64,
        rail_optimized: bool,
        tiers: Tiers,
        seed: u64,
    ) -> bool {
        let sw = synthetic_switch("sw", k, &[(400, 1)]);
        let Ok(f) = build(&FabricRequest {
            switch: &sw,
            servers,
            rails,
            servers_per_su: spu,
            speed: Gbps(400),
            oversubscription: r,
            rail_optimized,
            tiers,
        }) else {
            return false;
        };
        let net = FlowNetwork::new(&f);
        let mut ws = Workspace::default();
        let links = crate::fabric::resilience::random_link_failures(&f, 5, seed);
        for cut in balanced_cuts(&f, 3, seed) {
            for failure in 0..3 {
                let mut cap = net.base_cap.clone();
                net.set_cut(&mut cap, &cut.a, &cut.b, 400);
                match failure {
                    1 => net.fail_node(&mut cap, f.spines().next().unwrap().index() as u32),
                    2 => links.iter().for_each(|&(u, v, c)| net.fail_link(&mut cap, u, v, c)),
                    _ => {}
                }
                let ours = net.max_flow(&cap, &mut ws);
                let g = net.to_petgraph(&cap);
                let (theirs, _) = petgraph::algo::dinics(
                    &g,
                    NodeIndex::new(net.source as usize),
                    NodeIndex::new(net.sink as usize),
                );
                assert_eq!(ours, theirs, "cut {} failure {failure}", cut.name);
            }
        }
        true
    }

    #[test]
    fn csr_is_consistent() {
        let sw = synthetic_switch("sw", 16, &[(400, 1)]);
        let f = build(&FabricRequest {
            switch: &sw,
            servers: 70,
            rails: 4,
            servers_per_su: 8,
            speed: Gbps(400),
            oversubscription: 1.5,
            rail_optimized: true,
            tiers: Tiers::Three,
        })
        .unwrap();
        let net = FlowNetwork::new(&f);
        for u in 0..net.n {
            let (lo, hi) = (net.start[u] as usize, net.start[u + 1] as usize);
            assert!(
                net.head[lo..hi].windows(2).all(|w| w[0] < w[1]),
                "node {u}: heads sorted, no duplicates"
            );
            for a in lo..hi {
                let r = net.rev[a] as usize;
                assert_eq!(net.rev[r] as usize, a);
                assert_eq!(net.head[r] as usize, u);
                assert_eq!(net.arc(u as u32, net.head[a]), Some(a as u32));
            }
        }
        // Switch links merged: one arc pair per linked switch pair, the sum of the links' capacity.
        let links = f
            .graph()
            .raw_edges()
            .iter()
            .filter(|e| e.weight.role != LinkRole::Endpoint);
        let total: u64 = links.map(|e| e.weight.capacity.0).sum();
        let switch_arcs: u64 = (0..f.switch_counts.total as usize)
            .flat_map(|u| (net.start[u]..net.start[u + 1]).map(move |a| (u, a)))
            .filter(|&(u, a)| {
                (net.head[a as usize] as usize) < f.switch_counts.total as usize && net.head[a as usize] as usize > u
            })
            .map(|(_, a)| net.base_cap[a as usize])
            .sum();
        assert_eq!(switch_arcs, total);
        assert_eq!(net.src_arc.len(), f.switch_counts.leaf as usize);
    }

    #[test]
    fn matches_petgraph_on_fixed_fabrics() {
        assert!(check(64, 32, 8, 32, 1.0, true, Tiers::Auto, 1));
        assert!(check(64, 64, 8, 32, 3.0, true, Tiers::Auto, 2));
        assert!(check(16, 70, 4, 8, 1.0, true, Tiers::Three, 3));
        assert!(check(16, 70, 4, 8, 2.0, false, Tiers::Three, 4));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn matches_petgraph(
            k in prop::sample::select(vec![6u32, 8, 12, 16]),
            servers in 1u32..60,
            rails in 1u32..4,
            spu in 1u32..12,
            r in prop::sample::select(vec![1.0, 1.5, 2.0, 3.0]),
            rail_optimized in any::<bool>(),
            seed in 0u64..1000,
        ) {
            prop_assume!(check(k, servers, rails, spu, r, rail_optimized, Tiers::Three, seed));
        }
    }
}
