//! Builds the fabric graph from a design: nodes in role order, then endpoint, leaf-spine and spine-core links
//! with their ports.

use super::FabricRequest;
use super::design::{FabricDesign, design};
use super::error::FabricError;
use super::graph::{Fabric, Link, LinkCounts, LinkRole, Node, PortRef, Role, SwitchCounts};
use gigapod_catalog::PartId;
use gigapod_catalog::units::Gbps;
use petgraph::graph::{NodeIndex, UnGraph};

/// Builds the fabric a request describes, or says why it cannot and what would work.
///
/// The rules are in the [module docs](super). Time and memory are linear in the number of links: 65,536
/// endpoints in three tiers (196,608 links) take a few tens of milliseconds.
///
/// # Errors
/// A [`FabricError`] when there are no servers or rails, the oversubscription is below 1, the switch has no
/// ports at the NIC speed, or the fabric is larger than the switch builds in the tiers asked; its `Display`
/// names the largest design that works and [`FabricError::key`] the spec key to change.
pub fn build(req: &FabricRequest) -> Result<Fabric, FabricError> {
    let d = design(req)?;
    Ok(build_graph(req, d))
}

/// Builds the graph of a design already computed for `req` (one plane of a multi-plane fabric, too).
pub(crate) fn build_graph(req: &FabricRequest, d: FabricDesign) -> Fabric {
    Builder::new(req, d).run()
}

struct Builder {
    d: FabricDesign,
    speed: Gbps,
    switch_id: PartId,
    graph: UnGraph<Node, Link>,
    /// Per leaf: (first endpoint, count, stride): the endpoints it serves are `first + i * stride`.
    leaf_runs: Vec<(u32, u32, u32)>,
    /// Per leaf: its pod (three tiers) and its index in the pod.
    leaf_pod: Vec<(u32, u32)>,
}

impl Builder {
    fn new(req: &FabricRequest, d: FabricDesign) -> Self {
        let switches = (d.leaves + d.spines() + d.cores()) as usize;
        let links = d.endpoints as usize + (d.leaves * d.leaf_uplinks + d.spines() * d.spine_uplinks) as usize;
        let graph = UnGraph::with_capacity(switches + d.endpoints as usize, links);
        Builder {
            speed: req.speed,
            switch_id: req.switch.id.clone(),
            d,
            graph,
            leaf_runs: Vec::new(),
            leaf_pod: Vec::new(),
        }
    }

    fn run(mut self) -> Fabric {
        self.add_leaves();
        self.add_spines_and_cores();
        let endpoint_leaf = self.add_endpoints();
        self.add_leaf_spine_links();
        self.add_spine_core_links();
        let mut leaf_endpoints = vec![0u32; self.d.leaves as usize];
        for &l in &endpoint_leaf {
            leaf_endpoints[l as usize] += 1;
        }
        let mut sc = SwitchCounts::default();
        for n in self.graph.raw_nodes() {
            match n.weight.role {
                Role::Leaf => sc.leaf += 1,
                Role::Spine => sc.spine += 1,
                Role::Core => sc.core += 1,
                Role::Endpoint => {}
            }
        }
        sc.total = sc.leaf + sc.spine + sc.core;
        let mut lc = LinkCounts::default();
        for e in self.graph.raw_edges() {
            match e.weight.role {
                LinkRole::Endpoint => lc.endpoint += 1,
                LinkRole::LeafSpine => lc.leaf_spine += 1,
                LinkRole::SpineCore => lc.spine_core += 1,
            }
        }
        lc.total = lc.endpoint + lc.leaf_spine + lc.spine_core;
        Fabric {
            graph: self.graph,
            switch_id: self.switch_id,
            speed: self.speed,
            design: self.d,
            endpoint_leaf,
            leaf_endpoints,
            switch_counts: sc,
            link_counts: lc,
            planes: None,
        }
    }

    /// Leaves in SU order; within an SU rail by rail (rail-optimised) or in chunks of `d` endpoints.
    fn add_leaves(&mut self) {
        let d = &self.d;
        let cap = d.leaf_downlink_capacity;
        let rails = d.rails;
        let full_per_rail = d.leaves_per_rail(d.servers_per_su.min(d.servers));
        let h = d.ports_per_switch / 2;
        let mut leaf_no = 0u32;
        let mut leaves = Vec::with_capacity(d.leaves as usize);
        for su in 0..d.scalable_units {
            let servers = d.servers_in_su(su);
            let first_server = su * d.servers_per_su;
            let first_ep = first_server * rails;
            let mut push = |rail: Option<u32>, name: String, run: (u32, u32, u32)| {
                leaves.push((su, rail, name, run));
            };
            if d.rail_optimized {
                for rail in 0..rails {
                    let chunks = servers.div_ceil(cap);
                    for c in 0..chunks {
                        let s0 = c * cap;
                        let n = cap.min(servers - s0);
                        let name = if full_per_rail == 1 {
                            format!("leaf-su{}-r{}", su + 1, rail + 1)
                        } else {
                            format!("leaf-su{}-r{}-{}", su + 1, rail + 1, c + 1)
                        };
                        push(Some(rail), name, (first_ep + s0 * rails + rail, n, rails));
                    }
                }
            } else {
                let eps = servers * rails;
                for c in 0..eps.div_ceil(cap) {
                    let e0 = c * cap;
                    let n = cap.min(eps - e0);
                    push(None, format!("leaf-su{}-{}", su + 1, c + 1), (first_ep + e0, n, 1));
                }
            }
        }
        let pod_of_su_leaf = |su: u32, global: u32| -> (u32, u32) {
            if d.tiers == 2 {
                return (0, global);
            }
            match d.sus_per_pod {
                Some(sp) => {
                    let pod = su / sp;
                    // Leaves before this pod: all SUs of earlier pods are full.
                    let first = pod * sp * d.leaves_per_su;
                    (pod, global - first)
                }
                None => (global / h, global % h),
            }
        };
        for (su, rail, name, run) in leaves {
            let (pod, in_pod) = pod_of_su_leaf(su, leaf_no);
            self.graph.add_node(Node {
                role: Role::Leaf,
                name,
                su: Some(su),
                rail,
                server: None,
                pod: (d.tiers == 3).then_some(pod),
                plane: None,
                tier: 1,
                index: leaf_no,
            });
            self.leaf_runs.push(run);
            self.leaf_pod.push((pod, in_pod));
            leaf_no += 1;
        }
    }

    fn add_spines_and_cores(&mut self) {
        let d = &self.d;
        for pod in 0..d.pods {
            for j in 0..d.spines_per_pod {
                let name = if d.tiers == 2 {
                    format!("spine-{}", j + 1)
                } else {
                    format!("spine-p{}-{}", pod + 1, j + 1)
                };
                self.graph.add_node(Node {
                    role: Role::Spine,
                    name,
                    su: None,
                    rail: None,
                    server: None,
                    pod: (d.tiers == 3).then_some(pod),
                    plane: None,
                    tier: 2,
                    index: pod * d.spines_per_pod + j,
                });
            }
        }
        for g in 0..d.core_groups {
            for c in 0..d.cores_per_group {
                self.graph.add_node(Node {
                    role: Role::Core,
                    name: format!("core-{}-{}", g + 1, c + 1),
                    su: None,
                    rail: None,
                    server: None,
                    pod: None,
                    plane: None,
                    tier: 3,
                    index: g * d.cores_per_group + c,
                });
            }
        }
    }

    /// Adds the endpoint nodes and their links; returns the leaf of every endpoint.
    fn add_endpoints(&mut self) -> Vec<u32> {
        let d = &self.d;
        let n_sw = (d.leaves + d.spines() + d.cores()) as usize;
        for e in 0..d.endpoints {
            let (server, rail) = (e / d.rails, e % d.rails);
            self.graph.add_node(Node {
                role: Role::Endpoint,
                name: format!("srv{}-nic{}", server + 1, rail + 1),
                su: Some(server / d.servers_per_su),
                rail: Some(rail),
                server: Some(server),
                pod: None,
                plane: None,
                tier: 0,
                index: e,
            });
        }
        let mut endpoint_leaf = vec![u32::MAX; d.endpoints as usize];
        for (leaf, &(first, n, stride)) in self.leaf_runs.iter().enumerate() {
            for i in 0..n {
                let e = first + i * stride;
                endpoint_leaf[e as usize] = leaf as u32;
                let ep = NodeIndex::new(n_sw + e as usize);
                let l = NodeIndex::new(leaf);
                self.graph.add_edge(
                    ep,
                    l,
                    Link {
                        role: LinkRole::Endpoint,
                        capacity: self.speed,
                        a: PortRef {
                            node: ep,
                            port: e % d.rails,
                        },
                        b: PortRef { node: l, port: i },
                    },
                );
            }
        }
        debug_assert!(endpoint_leaf.iter().all(|&l| l != u32::MAX));
        endpoint_leaf
    }

    fn add_leaf_spine_links(&mut self) {
        let d = &self.d;
        let m = d.leaf_spine_links_per_pair;
        for leaf in 0..d.leaves {
            let (pod, in_pod) = self.leaf_pod[leaf as usize];
            let l = NodeIndex::new(leaf as usize);
            for j in 0..d.spines_per_pod {
                let s = NodeIndex::new((d.leaves + pod * d.spines_per_pod + j) as usize);
                for t in 0..m {
                    self.graph.add_edge(
                        l,
                        s,
                        Link {
                            role: LinkRole::LeafSpine,
                            capacity: self.speed,
                            a: PortRef {
                                node: l,
                                port: d.leaf_uplink_first_port + j * m + t,
                            },
                            b: PortRef {
                                node: s,
                                port: in_pod * m + t,
                            },
                        },
                    );
                }
            }
        }
    }

    fn add_spine_core_links(&mut self) {
        let d = &self.d;
        let m = d.spine_core_links_per_pair;
        let first_core = d.leaves + d.spines();
        for pod in 0..d.pods {
            for j in 0..d.spines_per_pod {
                let s = NodeIndex::new((d.leaves + pod * d.spines_per_pod + j) as usize);
                for c in 0..d.cores_per_group {
                    let core = NodeIndex::new((first_core + j * d.cores_per_group + c) as usize);
                    for t in 0..m {
                        self.graph.add_edge(
                            s,
                            core,
                            Link {
                                role: LinkRole::SpineCore,
                                capacity: self.speed,
                                a: PortRef {
                                    node: s,
                                    port: d.spine_uplink_first_port + c * m + t,
                                },
                                b: PortRef {
                                    node: core,
                                    port: pod * m + t,
                                },
                            },
                        );
                    }
                }
            }
        }
    }
}
