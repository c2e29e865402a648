//! The fabric's checks: port budget, oversubscription per tier, bisection bandwidth, and resilience, all
//! measured on the graph.

use super::bisection::{Cut, balanced_cuts};
use super::error::thousands;
use super::flow::{FlowNetwork, Workspace};
use super::graph::Fabric;
use super::ports::port_budget_check;
use super::resilience::{leaf_failure, random_link_failures, switch_failure_candidates};
use super::wiring::wiring_check;
use crate::check::{Check, Status};
use gigapod_catalog::units::Gbps;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// How hard [`analyse`] looks.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// Seeded random balanced cuts tried besides `su-halves` and `rail-halves`.
    pub random_cuts: usize,
    /// Seed of the random cuts and link failures (ChaCha8; the same seed gives the same cuts and links).
    pub seed: u64,
    /// Random switch-to-switch links failed together for `fabric.link_failures` (`k`).
    pub link_failures: usize,
    /// Try every spine and core for `fabric.switch_failure`, instead of one per class of interchangeable
    /// switches (same result, see the symmetry argument in the module docs of `resilience`; for tests).
    pub exhaustive_switch_failures: bool,
    /// `fabric.switch_failure` and `fabric.link_failures` warn when the bisection after the failure keeps less
    /// than this fraction of the intact bisection.
    pub min_retained_fraction: f64,
    /// Threads for the max-flows; 0 = as many as the machine has (one for small fabrics).
    pub threads: usize,
}

impl Default for AnalysisOptions {
    /// 4 random cuts, seed 1, 8 link failures, one switch per class, warn below half, all cores.
    fn default() -> Self {
        Self {
            random_cuts: 4,
            seed: 1,
            link_failures: 8,
            exhaustive_switch_failures: false,
            min_retained_fraction: 0.5,
            threads: 0,
        }
    }
}

/// The bandwidth measured across one cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CutResult {
    /// `su-halves`, `rail-halves`, `random-1`, ...
    pub name: String,
    /// Max-flow from one half to the other.
    pub bisection_gbps: Gbps,
}

/// What [`analyse`] measured, with its checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FabricAnalysis {
    /// Bisection bandwidth: the smallest max-flow over the balanced cuts tried.
    pub bisection_gbps: Gbps,
    /// The cut that gave it.
    pub worst_cut: String,
    /// Every cut tried, intact fabric.
    pub cuts: Vec<CutResult>,
    /// `floor(endpoints / 2) x port speed`.
    pub full_bisection_gbps: Gbps,
    /// Non-blocking: the structure makes it so (`non_blocking_by_structure`) and max-flow on
    /// every cut tried confirms it (the bisection equals the full bisection). The cuts alone are a sample (their
    /// minimum is an upper bound on the true bisection); the structure is what makes it hold for every cut.
    pub non_blocking: bool,
    /// Uplinks at least downlinks at every switch below the top tier, with balanced wiring.
    pub non_blocking_by_structure: bool,
    /// What `non_blocking` rests on, in words: the structure, and the cuts that confirmed it.
    pub non_blocking_basis: String,
    /// Bisection (worst over the same cuts) after the worst single spine or core failure.
    pub bisection_after_worst_switch_failure_gbps: Gbps,
    /// The switch whose failure is worst.
    pub worst_failed_switch: Option<String>,
    /// Switch failures tried.
    pub switch_failures_tried: u32,
    /// Bisection (worst over the same cuts) after `failed_links` random switch-to-switch link failures.
    pub bisection_after_link_failures_gbps: Gbps,
    /// Links failed for that measure.
    pub failed_links: u32,
    /// Most endpoints one leaf failure disconnects (each endpoint has one link).
    pub endpoints_lost_per_leaf_failure: u32,
    /// Max-flow computations run.
    pub max_flows: u32,
    /// In this order: `fabric.port_budget`, `fabric.wiring` (balanced wiring), `fabric.oversubscription.leaf`,
    /// `.spine` and (three tiers) `.core`, `fabric.bisection`, `fabric.switch_failure`, `fabric.link_failures`,
    /// `fabric.leaf_failure`.
    pub checks: Vec<Check>,
    /// Planes of the fabric (1 for one fat-tree).
    pub planes: u32,
    /// For a multi-plane fabric, what one plane measures (every plane is the same fat-tree); the fields above are
    /// then the whole's: `planes x` the plane's, or after a failure the failed plane's plus the others intact.
    pub per_plane: Option<Box<FabricAnalysis>>,
}

/// A failure scenario: capacities removed before the max-flow.
enum Scenario {
    Intact,
    Switch(u32),
    Links(Vec<(u32, u32, u64)>),
}

/// Measures a fabric: port budget, balanced wiring, oversubscription per tier as built, bisection bandwidth over
/// balanced cuts (`su-halves`, `rail-halves` and `random_cuts` seeded random ones; the worst counts), the
/// bisection after the worst single spine or core failure and after `link_failures` random link failures, and
/// what one leaf failure cuts off.
///
/// Every bandwidth is a max-flow on the graph (Dinic over a compact array adjacency, `O(V^2 E)` worst case and a
/// few milliseconds on the largest qm9700 fabric): `1 + switch candidates + 1` failure scenarios x
/// `2 + random_cuts` cuts, spread over all cores. The switch candidates are one core and one spine per pod (one
/// spine in two tiers): the construction makes every other spine or core interchangeable with one of them by a
/// graph automorphism that fixes every endpoint (the argument is on `resilience::switch_failure_candidates`, and
/// [`AnalysisOptions::exhaustive_switch_failures`] tries them all). On a 65,536-endpoint three-tier fabric the
/// default options make 402 max-flows: about half a second on two cores.
///
/// ```
/// # use gigapod_planner::fabric::{self, AnalysisOptions, FabricRequest, Tiers};
/// # use gigapod_catalog::units::Gbps;
/// # let sw = fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
/// # let req = FabricRequest { switch: &sw, servers: 32, rails: 8, servers_per_su: 32, speed: Gbps(400),
/// #     oversubscription: 2.0, rail_optimized: true, tiers: Tiers::Auto };
/// let a = fabric::analyse(&fabric::build(&req)?, &AnalysisOptions::default());
/// assert_eq!(a.bisection_gbps, Gbps(25_600)); // half of 51,200 at 2:1
/// assert!(!a.non_blocking);
/// assert!(a.checks.iter().any(|c| c.id == "fabric.bisection"));
/// # Ok::<(), fabric::FabricError>(())
/// ```
pub fn analyse(f: &Fabric, opts: &AnalysisOptions) -> FabricAnalysis {
    if let Some(set) = f.plane_set() {
        return whole_of_planes(f, analyse(&set.plane, opts), set.count);
    }
    let mut checks = vec![port_budget_check(f), wiring_check(f)];
    checks.extend(oversubscription_checks(f));

    let net = FlowNetwork::new(f);
    let cuts = balanced_cuts(f, opts.random_cuts, opts.seed);
    let candidates = switch_failure_candidates(f, opts.exhaustive_switch_failures);
    let links = random_link_failures(f, opts.link_failures, opts.seed);
    let mut scenarios = vec![Scenario::Intact];
    if !links.is_empty() {
        scenarios.push(Scenario::Links(links.clone()));
    }
    let nc = cuts.len();
    let all: Vec<(usize, usize)> = (0..scenarios.len())
        .flat_map(|s| (0..nc).map(move |c| (s, c)))
        .collect();
    let flows = run_flows(&net, f.speed().0, &cuts, &scenarios, &all, opts.threads);
    let mut max_flows = flows.len();
    let row = |s: usize| &flows[s * nc..(s + 1) * nc];
    let argmin = |r: &[u64]| (0..r.len()).min_by_key(|&i| r[i]).unwrap_or(0);

    let intact = row(0).to_vec();
    let wc = argmin(&intact);
    let bisection = intact[wc];
    let full = f.full_bisection().0;
    let after_links = if links.is_empty() {
        bisection
    } else {
        *row(1).iter().min().unwrap_or(&0)
    };

    let (worst_switch, switch_flows) =
        worst_switch_failure(&net, f.speed().0, &cuts, &intact, &candidates, opts.threads);
    max_flows += switch_flows;
    let after_switch = worst_switch.map_or(bisection, |w| w.0);

    let wiring_balanced = checks
        .iter()
        .any(|c| c.id == "fabric.wiring" && c.status == Status::Pass);
    let structural = structurally_non_blocking(f, wiring_balanced);
    let cut_names: Vec<String> = cuts.iter().map(|c| c.name.clone()).collect();
    checks.push(bisection_check(
        f,
        bisection,
        full,
        &cuts[wc].name,
        &cut_names,
        structural,
    ));
    checks.push(switch_failure_check(
        f,
        opts,
        bisection,
        worst_switch,
        &candidates,
        &cuts,
    ));
    checks.push(link_failure_check(opts, bisection, after_links, links.len()));
    let lf = leaf_failure(f);
    checks.push(leaf_failure_check(f, lf));
    checks.push(growth_check(f));

    FabricAnalysis {
        bisection_gbps: Gbps(bisection),
        worst_cut: cuts[wc].name.clone(),
        cuts: cuts
            .iter()
            .zip(intact.iter().copied())
            .map(|(c, v)| CutResult {
                name: c.name.clone(),
                bisection_gbps: Gbps(v),
            })
            .collect(),
        full_bisection_gbps: Gbps(full),
        non_blocking: structural && bisection == full,
        non_blocking_by_structure: structural,
        non_blocking_basis: if structural {
            format!(
                "structure (uplinks >= downlinks at every leaf and spine, balanced wiring), confirmed by max-flow on the {} cuts tried: {}",
                cut_names.len(),
                cut_list(&cut_names)
            )
        } else {
            format!(
                "oversubscribed structure: not non-blocking whatever the {} cuts tried ({}) carry",
                cut_names.len(),
                cut_list(&cut_names)
            )
        },
        bisection_after_worst_switch_failure_gbps: Gbps(after_switch),
        worst_failed_switch: worst_switch.map(|(_, i, _)| f.graph()[candidates[i]].name.clone()),
        switch_failures_tried: candidates.len() as u32,
        bisection_after_link_failures_gbps: Gbps(after_links),
        failed_links: links.len() as u32,
        endpoints_lost_per_leaf_failure: lf.endpoints,
        max_flows: max_flows as u32,
        checks,
        planes: 1,
        per_plane: None,
    }
}

/// The analysis of `count` identical, disjoint planes from one plane's. A balanced cut of the servers cuts every
/// plane alike, and max-flows of disjoint graphs add, so every intact figure is `count x` the plane's; a switch
/// or link failure hits one plane, so the whole keeps `count - 1` intact planes beside it. The checks are the
/// plane's, their messages saying that they hold for each plane, except the leaf failure, which is measured on
/// the whole (a server keeps its ports in the other planes).
fn whole_of_planes(f: &Fabric, p: FabricAnalysis, count: u32) -> FabricAnalysis {
    let n = u64::from(count);
    let others = (n - 1) * p.bisection_gbps.0;
    let lf = leaf_failure(f);
    let checks = p
        .checks
        .iter()
        .map(|c| {
            if c.id == "fabric.leaf_failure" {
                return leaf_failure_check(f, lf);
            }
            let mut c = c.clone();
            c.message = format!("each of the {count} identical planes: {}", c.message);
            c
        })
        .collect();
    FabricAnalysis {
        bisection_gbps: Gbps(n * p.bisection_gbps.0),
        worst_cut: p.worst_cut.clone(),
        cuts: p
            .cuts
            .iter()
            .map(|c| CutResult {
                name: c.name.clone(),
                bisection_gbps: Gbps(n * c.bisection_gbps.0),
            })
            .collect(),
        full_bisection_gbps: Gbps(n * p.full_bisection_gbps.0),
        non_blocking: p.non_blocking,
        non_blocking_by_structure: p.non_blocking_by_structure,
        non_blocking_basis: format!("in each of the {count} identical planes: {}", p.non_blocking_basis),
        bisection_after_worst_switch_failure_gbps: Gbps(others + p.bisection_after_worst_switch_failure_gbps.0),
        worst_failed_switch: p.worst_failed_switch.as_ref().map(|s| format!("pl1-{s}")),
        switch_failures_tried: p.switch_failures_tried,
        bisection_after_link_failures_gbps: Gbps(others + p.bisection_after_link_failures_gbps.0),
        failed_links: p.failed_links,
        endpoints_lost_per_leaf_failure: lf.endpoints,
        max_flows: p.max_flows,
        checks,
        planes: count,
        per_plane: Some(Box::new(p)),
    }
}

/// The worst single switch failure over every cut, by branch and bound.
///
/// Removing a switch lowers a max-flow by at most the flow that can cross it, which is at most half the capacity
/// of its links (what enters leaves again). So `intact[c] - capacity(s) / 2` bounds the flow after failing `s`
/// on cut `c` from below. The (switch, cut) pairs are taken in increasing order of that bound, in batches, and a
/// pair whose bound is not below the worst flow found so far cannot be the worst and is skipped. The answer is
/// exact; on non-blocking fabrics, where every spine's bound is tight, one batch settles it. Returns the worst
/// `(flow, candidate, cut)` and the max-flows run.
fn worst_switch_failure(
    net: &FlowNetwork,
    speed: u64,
    cuts: &[Cut],
    intact: &[u64],
    candidates: &[petgraph::graph::NodeIndex],
    threads: usize,
) -> (Option<(u64, usize, usize)>, usize) {
    let mut pairs: Vec<(u64, usize, usize)> = Vec::with_capacity(candidates.len() * cuts.len());
    for (i, n) in candidates.iter().enumerate() {
        let through = net.node_capacity(n.index() as u32) / 2;
        for (c, &flow) in intact.iter().enumerate() {
            pairs.push((flow.saturating_sub(through), i, c));
        }
    }
    pairs.sort_unstable();
    let scenarios: Vec<Scenario> = candidates.iter().map(|n| Scenario::Switch(n.index() as u32)).collect();
    let batch = 4 * threads.max(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut worst: Option<(u64, usize, usize)> = None;
    let mut runs = 0;
    let mut next = 0;
    while next < pairs.len() {
        let todo: Vec<(usize, usize)> = pairs[next..]
            .iter()
            .take_while(|(bound, _, _)| worst.is_none_or(|(w, _, _)| *bound < w))
            .take(batch)
            .map(|&(_, i, c)| (i, c))
            .collect();
        if todo.is_empty() {
            break;
        }
        next += todo.len();
        runs += todo.len();
        let flows = run_flows(net, speed, cuts, &scenarios, &todo, threads);
        for (&(i, c), flow) in todo.iter().zip(flows) {
            if worst.is_none_or(|(w, wi, wc)| (flow, i, c) < (w, wi, wc)) {
                worst = Some((flow, i, c));
            }
        }
    }
    (worst, runs)
}

/// Runs the (scenario, cut) max-flows of `tasks`, in parallel; results in task order.
fn run_flows(
    net: &FlowNetwork,
    speed: u64,
    cuts: &[Cut],
    scenarios: &[Scenario],
    tasks: &[(usize, usize)],
    threads: usize,
) -> Vec<u64> {
    let jobs = tasks;
    let tasks = jobs.len();
    let results: Vec<AtomicU64> = (0..tasks).map(|_| AtomicU64::new(0)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut ws = Workspace::default();
        loop {
            let t = next.fetch_add(1, Ordering::Relaxed);
            if t >= tasks {
                break;
            }
            let (s, c) = jobs[t];
            let (cut, scenario) = (&cuts[c], &scenarios[s]);
            ws.cap.clear();
            ws.cap.extend_from_slice(&net.base_cap);
            net.set_cut(&mut ws.cap, &cut.a, &cut.b, speed);
            match scenario {
                Scenario::Intact => {}
                Scenario::Switch(v) => net.fail_node(&mut ws.cap, *v),
                Scenario::Links(links) => {
                    for &(u, v, c) in links {
                        net.fail_link(&mut ws.cap, u, v, c);
                    }
                }
            }
            results[t].store(net.max_flow_in_place(&mut ws), Ordering::Relaxed);
        }
    };
    // Threads pay off from a few million arc visits; below that, spawning costs more than it saves.
    let threads = match threads {
        0 if net.arcs() * tasks < 1 << 22 => 1,
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(tasks)
    .max(1);
    if threads == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(work);
            }
        });
    }
    results.into_iter().map(AtomicU64::into_inner).collect()
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "n/a".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn gb(x: u64) -> String {
    format!("{} Gb/s", thousands(x))
}

/// Per switch, the capacity of its links down (to the tier below) and up, from the graph.
fn down_up(f: &Fabric) -> (Vec<u64>, Vec<u64>) {
    let n = f.switch_counts.total as usize;
    let (mut down, mut up) = (vec![0u64; n], vec![0u64; n]);
    for e in f.graph().raw_edges() {
        let (a, b) = (e.weight.a.node.index(), e.weight.b.node.index());
        if a < n {
            up[a] += e.weight.capacity.0;
        }
        down[b] += e.weight.capacity.0;
    }
    (down, up)
}

/// Links cabled beyond what the servers present need: a partial last SU's leaves keep a full SU's uplinks, and
/// a partial last pod's spines keep a full pod's, so that the fabric grows to whole units without recabling. The
/// check says how many, so that a buyer can drop them.
fn growth_check(f: &Fabric) -> Check {
    let (down, up) = down_up(f);
    let speed = f.speed().0.max(1);
    let ratio = f.design().requested_oversubscription.max(1.0);
    let leaves = f.switch_counts.leaf as usize;
    let spines = leaves..leaves + f.switch_counts.spine as usize;
    let three_tiers = f.switch_counts.core > 0;
    let mut leaf_extra = 0u64;
    for l in 0..leaves {
        let needed = ((down[l] / speed) as f64 / ratio).ceil() as u64;
        leaf_extra += (up[l] / speed).saturating_sub(needed);
    }
    let spine_extra: u64 = if three_tiers {
        spines.map(|s| (up[s] / speed).saturating_sub(down[s] / speed)).sum()
    } else {
        0
    };
    if leaf_extra + spine_extra == 0 {
        Check::pass(
            "fabric.growth",
            "every uplink serves the servers present: no links cabled ahead for growth",
        )
    } else {
        Check::warn(
            "fabric.growth",
            format!(
                "the partial last scalable unit or pod is cabled like a full one, ready to grow: {} leaf-spine \
                 and {} spine-core links beyond what the servers present need (with their optics)",
                crate::text::thousands(leaf_extra),
                crate::text::thousands(spine_extra)
            ),
        )
    }
}

fn ratio_text(x: f64) -> String {
    format!("{}:1", gigapod_catalog::units::trim_float((x * 100.0).round() / 100.0))
}

/// `fabric.oversubscription.leaf`, `.spine`, and `.core` (three tiers): downlink:uplink capacity of the worst
/// switch of each tier, measured on the graph.
fn oversubscription_checks(f: &Fabric) -> Vec<Check> {
    let d = f.design();
    let (down, up) = down_up(f);
    let speed = f.speed().0.max(1);
    let worst = |nodes: &mut dyn Iterator<Item = usize>| -> Option<(u64, u64)> {
        nodes
            .map(|i| (down[i], up[i]))
            .max_by(|x, y| (x.0 as f64 / x.1.max(1) as f64).total_cmp(&(y.0 as f64 / y.1.max(1) as f64)))
    };
    let mut checks = Vec::new();
    let asked = d.requested_oversubscription;
    if let Some((dn, upc)) = worst(&mut f.leaves().map(|n| n.index())) {
        let built = dn as f64 / upc.max(1) as f64;
        let detail = format!(
            "leaf downlink:uplink as built {}:{} links = {} (asked {})",
            dn / speed,
            upc / speed,
            ratio_text(built),
            ratio_text(asked)
        );
        let check = if upc > 0 && built <= asked + 1e-9 {
            let note = if built < asked - 1e-9 {
                "; uplinks are rounded up to whole ports, so the leaves are no worse than asked"
            } else {
                ""
            };
            Check::invariant("fabric.oversubscription.leaf", true, format!("{detail}{note}"))
        } else {
            Check::invariant(
                "fabric.oversubscription.leaf",
                false,
                format!("{detail}: worse than asked"),
            )
        };
        checks.push(check);
    }
    let top = |id: &str, role: &str, nodes: &mut dyn Iterator<Item = usize>| -> Check {
        let most = nodes.map(|i| down[i]).max().unwrap_or(0) / speed;
        Check::invariant(
            id,
            true,
            format!(
                "{role}s are the top tier: every link faces down ({most} of {} ports used at most)",
                d.ports_per_switch
            ),
        )
    };
    if d.tiers == 2 {
        checks.push(top(
            "fabric.oversubscription.spine",
            "spine",
            &mut f.spines().map(|n| n.index()),
        ));
    } else {
        if let Some((dn, upc)) = worst(&mut f.spines().map(|n| n.index())) {
            let detail = format!("spine downlink:uplink as built {}:{} links", dn / speed, upc / speed);
            checks.push(Check::invariant(
                "fabric.oversubscription.spine",
                upc >= dn,
                if upc >= dn {
                    format!("{detail}: non-blocking")
                } else {
                    format!("{detail}: spines must be non-blocking")
                },
            ));
        }
        checks.push(top(
            "fabric.oversubscription.core",
            "core",
            &mut f.cores().map(|n| n.index()),
        ));
    }
    checks
}

fn bisection_check(f: &Fabric, bisection: u64, full: u64, worst: &str, cuts: &[String], structural: bool) -> Check {
    let asked = f.design().requested_oversubscription;
    let target = full as f64 / asked;
    let tried = cut_list(cuts);
    let head = format!(
        "max-flow over the {} balanced cuts tried ({tried}): the worst ({worst}) carries {} of the {} full bisection ({})",
        cuts.len(),
        gb(bisection),
        gb(full),
        pct(bisection, full)
    );
    if bisection == full && structural {
        Check::pass(
            "fabric.bisection",
            format!(
                "non-blocking by structure (uplinks at least downlinks at every leaf and spine, balanced wiring), \
                 confirmed by {head}"
            ),
        )
    } else if bisection == full {
        // The cuts tried found no bottleneck, but the structure does not rule one out: not a proof.
        Check::pass(
            "fabric.bisection",
            format!(
                "{head}; the structure is oversubscribed, so an untried cut may carry less (at least the {} that {} \
                 allows)",
                gb(target.ceil() as u64),
                ratio_text(asked)
            ),
        )
    } else if bisection as f64 + 0.5 >= target {
        Check::pass(
            "fabric.bisection",
            format!(
                "{head}: at least the {} that {} oversubscription allows (an untried cut may carry less, down to that)",
                gb(target.ceil() as u64),
                ratio_text(asked)
            ),
        )
    } else {
        Check::fail(
            "fabric.bisection",
            format!(
                "{head}: below the {} that {} oversubscription should give",
                gb(target.ceil() as u64),
                ratio_text(asked)
            ),
        )
    }
}

/// `su-halves, rail-halves and 4 random`: the cuts tried, in words.
fn cut_list(cuts: &[String]) -> String {
    let named: Vec<&str> = cuts
        .iter()
        .map(String::as_str)
        .filter(|c| !c.starts_with("random"))
        .collect();
    let random = cuts.len() - named.len();
    let mut parts: Vec<String> = named.iter().map(|s| s.to_string()).collect();
    if random > 0 {
        parts.push(format!("{random} random"));
    }
    parts.join(", ")
}

/// Whether the structure alone makes the fabric non-blocking: at every leaf (and, in three tiers, every spine)
/// the uplink capacity is at least the downlink capacity, and the wiring is balanced (each leaf has as many links
/// to every spine of its pod, each spine to every core of its group). A flow can then split evenly over the
/// spines (and cores), so every balanced cut carries the full bisection.
fn structurally_non_blocking(f: &Fabric, wiring_balanced: bool) -> bool {
    let (down, up) = down_up(f);
    let leaves = f.switch_counts.leaf as usize;
    let below_top = if f.switch_counts.core > 0 {
        leaves + f.switch_counts.spine as usize
    } else {
        leaves
    };
    wiring_balanced && (0..below_top).all(|i| up[i] >= down[i])
}

fn retained_status(opts: &AnalysisOptions, after: u64, before: u64) -> Status {
    if before == 0 || (after > 0 && after as f64 >= opts.min_retained_fraction * before as f64) {
        Status::Pass
    } else {
        Status::Warn
    }
}

fn switch_failure_check(
    f: &Fabric,
    opts: &AnalysisOptions,
    bisection: u64,
    worst: Option<(u64, usize, usize)>,
    candidates: &[petgraph::graph::NodeIndex],
    cuts: &[Cut],
) -> Check {
    let Some((after, i, c)) = worst else {
        return Check::pass("fabric.switch_failure", "no spine or core to fail");
    };
    let name = &f.graph()[candidates[i]].name;
    let how = if opts.exhaustive_switch_failures {
        format!("{} spines and cores tried", candidates.len())
    } else {
        format!(
            "{} tried, standing for all {} spines and cores by symmetry",
            candidates.len(),
            thousands((f.switch_counts.spine + f.switch_counts.core) as u64)
        )
    };
    let status = retained_status(opts, after, bisection);
    let mut msg = format!(
        "after the worst single switch failure ({name}, cut {}) the bisection is {} of {} ({}); {how}",
        cuts[c].name,
        gb(after),
        gb(bisection),
        pct(after, bisection)
    );
    if status == Status::Warn {
        msg.push_str(&format!(
            "; below {:.0}%: add spines (a larger fabric.oversubscription or switch changes their number)",
            opts.min_retained_fraction * 100.0
        ));
    }
    Check::new("fabric.switch_failure", status, msg)
}

fn link_failure_check(opts: &AnalysisOptions, bisection: u64, after: u64, failed: usize) -> Check {
    if failed == 0 {
        return Check::pass("fabric.link_failures", "no link failures tried");
    }
    let status = retained_status(opts, after, bisection);
    Check::new(
        "fabric.link_failures",
        status,
        format!(
            "after {failed} random switch-to-switch link failures (seed {}) the bisection is {} of {} ({})",
            opts.seed,
            gb(after),
            gb(bisection),
            pct(after, bisection)
        ),
    )
}

fn leaf_failure_check(f: &Fabric, lf: super::resilience::LeafFailure) -> Check {
    let rails = f.design().rails;
    let head = format!(
        "one leaf failure disconnects up to {} endpoints ({} servers, up to {} of each server's {} fabric ports)",
        lf.endpoints, lf.servers, lf.nics_per_server, rails
    );
    if lf.servers_isolated == 0 {
        Check::pass(
            "fabric.leaf_failure",
            format!("{head}; every server keeps a path on its other rails"),
        )
    } else {
        let advice = if rails > 1 {
            "spread each server's NICs over several leaves (rail_optimized = true)"
        } else {
            "each server has a single fabric port"
        };
        Check::warn(
            "fabric.leaf_failure",
            format!(
                "{head}; {} servers lose every fabric port: {advice}",
                lf.servers_isolated
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fabric::{FabricRequest, Tiers, build, synthetic_switch};

    /// Branch and bound finds the same worst failure as running every (switch, cut) pair.
    #[test]
    fn bounded_search_equals_brute_force() {
        let sw = synthetic_switch("k16", 8, &[(400, 2)]);
        for (servers, per_su, ratio, tiers) in [
            (40, 8, 1.0, Tiers::Auto),
            (44, 8, 2.0, Tiers::Auto),
            (37, 6, 1.5, Tiers::Three),
            (64, 8, 3.0, Tiers::Three),
            (21, 8, 1.0, Tiers::Two),
        ] {
            let f = build(&FabricRequest {
                switch: &sw,
                servers,
                rails: 2,
                servers_per_su: per_su,
                speed: Gbps(400),
                oversubscription: ratio,
                rail_optimized: true,
                tiers,
            })
            .unwrap();
            let net = FlowNetwork::new(&f);
            let cuts = balanced_cuts(&f, 4, 7);
            let intact_tasks: Vec<(usize, usize)> = (0..cuts.len()).map(|c| (0, c)).collect();
            let intact = run_flows(&net, 400, &cuts, &[Scenario::Intact], &intact_tasks, 1);
            let candidates = switch_failure_candidates(&f, true);
            let scenarios: Vec<Scenario> = candidates.iter().map(|n| Scenario::Switch(n.index() as u32)).collect();
            let all: Vec<(usize, usize)> = (0..scenarios.len())
                .flat_map(|s| (0..cuts.len()).map(move |c| (s, c)))
                .collect();
            let brute = run_flows(&net, 400, &cuts, &scenarios, &all, 1).into_iter().min();
            let (bounded, runs) = worst_switch_failure(&net, 400, &cuts, &intact, &candidates, 1);
            assert_eq!(bounded.map(|w| w.0), brute, "{servers} servers at {ratio}:1");
            assert!(runs <= all.len());
        }
    }
}
