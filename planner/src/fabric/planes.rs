//! Multi-plane fabrics: the servers' NIC ports split over independent fat-trees ("planes").
//!
//! - [`Planes::One`]: one fat-tree (the default).
//! - [`Planes::PerRail`]: rail `r` of every server joins plane `r`; each plane is the one-rail fat-tree of all the
//!   servers (`rails` planes). Eight planes of a three-tier k = 64 fat-tree reach 8 x 65,536 endpoints.
//! - [`Planes::Split`]`(n)`: every NIC port is split `n` ways at `1/n` of its speed (an 800G port as 2 x 400G,
//!   NVIDIA's Spectrum-X "twin-planar" DGX B300 design, pod-facts A.3) and sub-port `p` of every NIC joins plane `p`;
//!   each plane is the `rails`-rail fat-tree at the split speed.
//!
//! Every plane is the same fat-tree (the same request to [`build`](super::build)), so one plane is designed and
//! built once and replicated with its node indices shifted: plane `p`'s leaves, spines and cores get the prefix
//! `pl<p+1>-`, and only the endpoint ends differ. The analysis (max-flow bisection, failures) runs on that one
//! plane, and the whole follows exactly: the planes are disjoint graphs and a balanced cut of the servers cuts
//! every plane the same way, so every max-flow of the whole is `planes x` the plane's (after one failure, the
//! failed plane's figure plus `planes - 1` intact ones).

use super::FabricRequest;
use super::build::build_graph;
use super::design::design;
use super::error::FabricError;
use super::graph::{Fabric, Link, LinkCounts, Node, PortRef, Role, SwitchCounts};
use gigapod_catalog::units::Gbps;
use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

/// How the servers' fabric NIC ports are spread over planes (`fabric.planes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Planes {
    /// One fat-tree: `planes = 1`.
    #[default]
    One,
    /// Rail `r` of every server joins plane `r`: `planes = "per-rail"`.
    PerRail,
    /// Every NIC port split `n` ways (`n >= 2`) at `1/n` of its speed, sub-port `p` into plane `p`: `planes = n`.
    Split(u32),
}

impl Planes {
    /// `single`, `per-rail` or `split`.
    pub fn mode(self) -> &'static str {
        match self {
            Planes::One => "single",
            Planes::PerRail => "per-rail",
            Planes::Split(_) => "split",
        }
    }

    /// The number of planes for servers with `rails` fabric NIC ports.
    pub fn count(self, rails: u32) -> u32 {
        match self {
            Planes::One => 1,
            Planes::PerRail => rails,
            Planes::Split(n) => n.max(1),
        }
    }

    /// Sub-ports every NIC port is split into (1 unless [`Planes::Split`]).
    pub fn split(self) -> u32 {
        match self {
            Planes::Split(n) => n.max(1),
            _ => 1,
        }
    }
}

/// The planes of a multi-plane fabric: how they were made, and the one plane every other is a copy of.
#[derive(Debug, Clone)]
pub struct PlaneSet {
    /// How the NIC ports were spread.
    pub mode: Planes,
    /// Number of planes.
    pub count: u32,
    /// Plane 1 as a fabric of its own (node names without the plane prefix): every plane is this fat-tree.
    pub plane: Box<Fabric>,
}

/// `fabric.per_plane` in report.json: one plane's counts and what max-flow measured on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaneSummary {
    /// Number of identical planes.
    pub planes: u32,
    /// `per-rail` or `split`.
    pub mode: &'static str,
    /// Tiers of each plane.
    pub tiers: u8,
    /// Link speed in a plane (the NIC speed, or its `1/n` when split).
    pub port_speed_gbps: Gbps,
    /// Endpoints (server NIC ports or sub-ports) of one plane.
    pub endpoints: u32,
    /// Fabric NIC ports (or sub-ports) per server in one plane.
    pub rails: u32,
    /// Pods of one plane.
    pub pods: u32,
    /// Switches of one plane per tier.
    pub switches: SwitchCounts,
    /// Links of one plane per role.
    pub links: LinkCounts,
    /// Bisection of one plane over its worst balanced cut, by max-flow.
    pub bisection_gbps: Gbps,
    /// `floor(endpoints / 2) x speed` of one plane.
    pub full_bisection_gbps: Gbps,
    /// Non-blocking by structure and confirmed by max-flow, per plane.
    pub non_blocking: bool,
    /// One plane's bisection after its worst single spine or core failure.
    pub bisection_after_worst_switch_failure_gbps: Gbps,
    /// One plane's bisection after its random link failures.
    pub bisection_after_link_failures_gbps: Gbps,
}

impl PlaneSummary {
    /// One plane's figures, for a multi-plane fabric and its analysis; `None` with one plane.
    pub fn of(f: &Fabric, a: &super::FabricAnalysis) -> Option<Self> {
        let (set, pa) = (f.plane_set()?, a.per_plane.as_deref()?);
        let s = set.plane.summary();
        Some(PlaneSummary {
            planes: set.count,
            mode: set.mode.mode(),
            tiers: s.tiers,
            port_speed_gbps: s.port_speed_gbps,
            endpoints: s.endpoints,
            rails: s.rails,
            pods: s.pods,
            switches: s.switches,
            links: s.links,
            bisection_gbps: pa.bisection_gbps,
            full_bisection_gbps: pa.full_bisection_gbps,
            non_blocking: pa.non_blocking,
            bisection_after_worst_switch_failure_gbps: pa.bisection_after_worst_switch_failure_gbps,
            bisection_after_link_failures_gbps: pa.bisection_after_link_failures_gbps,
        })
    }
}

/// Builds the fabric of `req` spread over `planes`: one plane designed and built by the single-plane builder,
/// replicated `count` times. [`Planes::One`] is [`build`](super::build).
///
/// # Errors
/// What [`build`](super::build) gives for one plane (its message says it is per plane), or
/// [`FabricError::PlaneSplit`] when the NIC speed does not split evenly.
pub fn build_planes(req: &FabricRequest, planes: Planes) -> Result<Fabric, FabricError> {
    let plane_req = match planes {
        Planes::One | Planes::Split(1) => return super::build(req),
        Planes::PerRail if req.rails == 1 => return super::build(req),
        Planes::PerRail => FabricRequest {
            rails: 1,
            ..req.clone()
        },
        Planes::Split(n) => {
            if n == 0 || !req.speed.0.is_multiple_of(u64::from(n)) {
                return Err(FabricError::PlaneSplit {
                    planes: n,
                    speed: req.speed,
                });
            }
            FabricRequest {
                speed: Gbps(req.speed.0 / u64::from(n)),
                ..req.clone()
            }
        }
    };
    let count = planes.count(req.rails);
    let d = design(&plane_req).map_err(|e| per_plane_error(e, count))?;
    let plane = build_graph(&plane_req, d);
    Ok(replicate(plane, planes, count))
}

/// A plane's error, saying so.
fn per_plane_error(e: FabricError, count: u32) -> FabricError {
    match e {
        FabricError::TooLarge {
            key,
            reason,
            endpoints,
            max_endpoints,
        } => FabricError::TooLarge {
            key,
            reason: format!("each of the {count} planes: {reason}"),
            endpoints,
            max_endpoints,
        },
        other => other,
    }
}

/// The whole fabric: `count` copies of `plane`, switches plane by plane within each role, then the endpoints in
/// server-major order (server, rail, sub-port).
fn replicate(plane: Fabric, mode: Planes, count: u32) -> Fabric {
    let pd = plane.design.clone();
    let pc = plane.switch_counts;
    let (l, s, c) = (pc.leaf, pc.spine, pc.core);
    let split = mode.split();
    // Physical ports per server on the whole fabric: every rail (per-rail), or every rail's sub-ports (split).
    let rails = match mode {
        Planes::PerRail => count,
        _ => pd.rails * split,
    };
    let servers = pd.servers;
    let endpoints = servers * rails;
    let n_sw = count * pc.total;
    let sw_index = |p: u32, i: u32| -> u32 {
        if i < l {
            p * l + i
        } else if i < l + s {
            count * l + p * s + (i - l)
        } else {
            count * (l + s) + p * c + (i - l - s)
        }
    };
    // The whole-fabric endpoint of plane `p`'s endpoint `e`, and its port on the server.
    let ep_of = |p: u32, e: u32| -> (u32, u32) {
        match mode {
            Planes::PerRail => (e * count + p, p),
            _ => (e * split + p, (e % pd.rails) * split + p),
        }
    };
    let pg = &plane.graph;
    let mut g: UnGraph<Node, Link> =
        UnGraph::with_capacity((n_sw + endpoints) as usize, pg.edge_count() * count as usize);
    let prefix = |p: u32, name: &str| format!("pl{}-{name}", p + 1);
    for role in [Role::Leaf, Role::Spine, Role::Core] {
        for p in 0..count {
            for node in pg.raw_nodes().iter().map(|n| &n.weight).filter(|n| n.role == role) {
                let mut n = node.clone();
                let i = match role {
                    Role::Leaf => node.index,
                    Role::Spine => l + node.index,
                    _ => l + s + node.index,
                };
                n.index = sw_index(p, i)
                    - match role {
                        Role::Leaf => 0,
                        Role::Spine => count * l,
                        _ => count * (l + s),
                    };
                n.name = match mode {
                    // A one-rail plane's leaf is named for rail 1: name it for the plane's rail.
                    Planes::PerRail if role == Role::Leaf => {
                        prefix(p, &node.name.replacen("-r1", &format!("-r{}", p + 1), 1))
                    }
                    _ => prefix(p, &node.name),
                };
                if mode == Planes::PerRail && role == Role::Leaf {
                    n.rail = Some(p);
                }
                n.plane = Some(p);
                g.add_node(n);
            }
        }
    }
    for u in 0..endpoints {
        let (server, port) = (u / rails, u % rails);
        let (rail, sub) = (port / split, port % split);
        let plane_no = match mode {
            Planes::PerRail => port,
            _ => sub,
        };
        g.add_node(Node {
            role: Role::Endpoint,
            name: if split > 1 {
                format!("srv{}-nic{}-{}", server + 1, rail + 1, sub + 1)
            } else {
                format!("srv{}-nic{}", server + 1, rail + 1)
            },
            su: Some(server / pd.servers_per_su),
            rail: Some(rail),
            server: Some(server),
            pod: None,
            plane: Some(plane_no),
            tier: 0,
            index: u,
        });
    }
    let mut endpoint_leaf = vec![0u32; endpoints as usize];
    let map = |p: u32, r: PortRef| -> PortRef {
        let i = r.node.index() as u32;
        if i < pc.total {
            PortRef {
                node: NodeIndex::new(sw_index(p, i) as usize),
                port: r.port,
            }
        } else {
            let (u, port) = ep_of(p, i - pc.total);
            PortRef {
                node: NodeIndex::new((n_sw + u) as usize),
                port,
            }
        }
    };
    for p in 0..count {
        for e in pg.raw_edges() {
            let w = e.weight;
            let (a, b) = (map(p, w.a), map(p, w.b));
            if a.node.index() as u32 >= n_sw {
                endpoint_leaf[a.node.index() - n_sw as usize] = b.node.index() as u32;
            }
            g.add_edge(a.node, b.node, Link { a, b, ..w });
        }
    }
    let mut leaf_endpoints = Vec::with_capacity((count * l) as usize);
    for _ in 0..count {
        leaf_endpoints.extend_from_slice(&plane.leaf_endpoints);
    }
    let times = |x: u32| x * count;
    let switch_counts = SwitchCounts {
        leaf: times(pc.leaf),
        spine: times(pc.spine),
        core: times(pc.core),
        total: times(pc.total),
    };
    let lc = plane.link_counts;
    let link_counts = LinkCounts {
        endpoint: times(lc.endpoint),
        leaf_spine: times(lc.leaf_spine),
        spine_core: times(lc.spine_core),
        total: times(lc.total),
    };
    let mut design = pd;
    design.rails = rails;
    design.endpoints = endpoints;
    design.leaves = times(design.leaves);
    Fabric {
        graph: g,
        switch_id: plane.switch_id.clone(),
        speed: plane.speed,
        design,
        endpoint_leaf,
        leaf_endpoints,
        switch_counts,
        link_counts,
        planes: Some(PlaneSet {
            mode,
            count,
            plane: Box::new(plane),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fabric::{self, AnalysisOptions, Tiers, synthetic_switch};

    fn req(sw: &gigapod_catalog::Switch, servers: u32, rails: u32, speed: u64) -> FabricRequest<'_> {
        FabricRequest {
            switch: sw,
            servers,
            rails,
            servers_per_su: 32,
            speed: Gbps(speed),
            oversubscription: 1.0,
            rail_optimized: true,
            tiers: Tiers::Auto,
        }
    }

    #[test]
    fn per_rail_planes_are_the_one_rail_design() {
        let sw = synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
        // 8 SUs of 32 x 8 rails: each of the 8 planes is the one-rail fabric of 256 servers: 8 leaves (one per
        // SU), 4 spines, two tiers.
        let f = build_planes(&req(&sw, 256, 8, 400), Planes::PerRail).unwrap();
        let one = fabric::build(&req(&sw, 256, 1, 400)).unwrap();
        let (ws, ps) = (f.summary(), one.summary());
        assert_eq!((ps.switches.leaf, ps.switches.spine, ps.switches.core), (8, 4, 0));
        assert_eq!(f.plane_count(), 8);
        assert_eq!(ws.switches.leaf, 8 * ps.switches.leaf);
        assert_eq!(ws.switches.spine, 8 * ps.switches.spine);
        assert_eq!(ws.links.total, 8 * ps.links.total);
        assert_eq!(ws.endpoints, 256 * 8);
        assert_eq!(f.plane().summary().switches, ps.switches);
        // Rail 3 of server 5 is cabled into plane 3, to a leaf named for that rail.
        let ep = f.endpoint(4, 2).unwrap();
        let leaf = f.leaf_of(ep.index() as u32 - ws.switches.total).unwrap();
        let n = f.node(leaf);
        assert_eq!(
            (n.plane, n.rail, n.name.as_str()),
            (Some(2), Some(2), "pl3-leaf-su1-r3")
        );
        assert_eq!(f.node(ep).plane, Some(2));
        // Every edge joins nodes of one plane, and every endpoint has one link, at its rail's port.
        for e in f.graph().raw_edges() {
            let (a, b) = (f.node(e.weight.a.node), f.node(e.weight.b.node));
            assert_eq!(a.plane, b.plane);
            if a.role == Role::Endpoint {
                assert_eq!(Some(e.weight.a.port), a.rail);
            }
        }
        let names: std::collections::HashSet<&str> =
            f.graph().raw_nodes().iter().map(|n| n.weight.name.as_str()).collect();
        assert_eq!(names.len(), f.graph().node_count(), "names are unique");
    }

    #[test]
    fn per_rail_qm9700_reaches_half_a_million_endpoints() {
        // 65,536 servers x 8 rails: one plane is the textbook k = 64 three-tier fat-tree of 65,536 endpoints.
        let sw = synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
        let r = req(&sw, 65_536, 8, 400);
        assert_eq!(fabric::build(&r).unwrap_err().key(), "fabric.switch");
        let f = build_planes(&r, Planes::PerRail).unwrap();
        let p = f.plane().summary();
        assert_eq!(
            (p.tiers, p.switches.leaf, p.switches.spine, p.switches.core),
            (3, 2048, 2048, 1024)
        );
        assert_eq!(f.summary().switches.total, 8 * 5120);
        assert_eq!(f.summary().endpoints, 524_288);
    }

    #[test]
    fn bisection_per_plane_is_full_at_one_to_one() {
        let sw = synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
        let f = build_planes(&req(&sw, 9 * 32, 8, 400), Planes::PerRail).unwrap();
        let a = fabric::analyse(&f, &AnalysisOptions::default());
        let p = a.per_plane.as_ref().expect("per-plane analysis");
        assert_eq!(p.bisection_gbps, Gbps(144 * 400));
        assert!(p.non_blocking);
        assert_eq!(a.bisection_gbps, Gbps(8 * 144 * 400));
        assert_eq!(a.full_bisection_gbps, a.bisection_gbps);
        assert!(a.non_blocking);
        // One switch fails in one plane: the other seven carry their full share.
        assert_eq!(
            a.bisection_after_worst_switch_failure_gbps.0,
            7 * p.bisection_gbps.0 + p.bisection_after_worst_switch_failure_gbps.0
        );
        // The whole's bisection is the max-flow of the whole graph on the same cut: checked on the union.
        let e = f.summary().endpoints;
        let cut_a: Vec<u32> = (0..e / 2).collect();
        let cut_b: Vec<u32> = (e / 2..e).collect();
        let whole = fabric::max_flow_between(&f, &cut_a, &cut_b);
        assert_eq!(whole, a.bisection_gbps);
    }

    #[test]
    fn split_planes_halve_the_speed() {
        // A 800G NIC as 2 x 400G into two planes, each the 8-rail fabric at 400G.
        let sw = synthetic_switch("sn5600", 32, &[(800, 1), (400, 2)]);
        let f = build_planes(&req(&sw, 64, 8, 800), Planes::Split(2)).unwrap();
        let one = fabric::build(&req(&sw, 64, 8, 400)).unwrap();
        assert_eq!(f.plane_count(), 2);
        assert_eq!(f.speed(), Gbps(400));
        assert_eq!(f.summary().switches.total, 2 * one.summary().switches.total);
        assert_eq!(f.summary().endpoints, 64 * 16);
        let ep = f.endpoint(0, 5).unwrap(); // rail 3, sub-port 2
        assert_eq!(f.node(ep).name, "srv1-nic3-2");
        assert_eq!(f.port_label(PortRef { node: ep, port: 5 }), "nic3/2");
        let e = build_planes(&req(&sw, 64, 8, 800), Planes::Split(3)).unwrap_err();
        assert_eq!(e.key(), "fabric.planes");
    }

    #[test]
    fn twin_plane_b300_on_sn5600_has_the_ra_counts_and_names_the_missing_nic_module() {
        use crate::{Planner, Spec};
        // RA-11337 Table 3 (pod-facts A.3): 1 SU of 64 DGX B300, twin-planar Spectrum-X: 16 leaves, 8 spines.
        let mut spec = Spec::builder("twin", "dgx-b300")
            .servers(64)
            .switch("sn5600")
            .planes(Planes::Split(2))
            .build();
        spec.facility.rack_power_limit_kw = Some(60.0);
        spec.compute.servers_per_su = crate::spec::ServersPerSu::Count(64);
        let p = Planner::new(gigapod_catalog::Catalog::builtin()).plan(&spec).unwrap();
        let s = p.fabric.summary();
        assert_eq!(
            (s.planes, s.switches.leaf, s.switches.spine, s.port_speed_gbps),
            (2, 16, 8, Gbps(400))
        );
        assert!(p.fabric_analysis.non_blocking);
        // The built-in catalog has no two-link 400G module for a ConnectX-8 cage: the verdict says so.
        let c = p.checks.iter().find(|c| c.id == "cables.split_nic").unwrap();
        assert_eq!(c.status, crate::Status::Fail, "{}", c.message);
        assert!(c.message.contains("module of 2 links"), "{}", c.message);
    }
}
