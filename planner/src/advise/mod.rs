//! From workloads to a cluster: passthrough, MIG, vGPU or a hybrid, packed, sized, planned and costed side by
//! side (`gigapod advise`; docs/workloads.md).
//!
//! ```
//! use gigapod_catalog::Catalog;
//! use gigapod_planner::advise::{Advisor, StrategyName, WorkloadSpec};
//! use gigapod_planner::spec::Spec;
//!
//! let spec = Spec::builder("mix", "g593-h200")
//!     .workload(WorkloadSpec::training("train", 2, 8))
//!     .workload(WorkloadSpec::inference("serve", 8, 20.0))
//!     .build();
//! let advice = Advisor::new(Catalog::builtin()).plans(false).advise(&spec).unwrap();
//! let mig = advice.strategy(StrategyName::Mig).unwrap();
//! // 16 whole GPUs (7g.141gb) for training; 8 replicas of 20 GB on 1g.35gb, 4 to a GPU: 2 GPUs.
//! assert_eq!(mig.gpus, Some(18));
//! ```

mod modes;
pub mod pack;
mod render;
mod workload;

pub use modes::{InstanceType, Mode};
pub use pack::{Config, Method, Packing};
pub use render::{chart_svg, to_csv, to_text};
pub use workload::{
    AdviseSpec, Demand, MAX_WORKLOADS, NVAIE_USD_PER_GPU_YEAR, Need, Sharing, WorkloadKind, WorkloadSpec,
};

use crate::check::{Check, Status};
use crate::cost::{CostReport, HOURS_PER_YEAR, Licences};
use crate::error::Error;
use crate::planner::{PlanOptions, Planner, SpecRef};
use gigapod_catalog::{Catalog, Diagnostics, Gpu};
use serde::Serialize;
use std::collections::BTreeMap;

/// The strategies, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StrategyName {
    /// Whole GPUs 1:1, with a queueing buffer for the bursty kinds.
    Passthrough,
    /// Every GPU in MIG mode.
    Mig,
    /// Every GPU time-sliced into equal vGPUs.
    Vgpu,
    /// Training on passthrough servers, the rest on MIG or vGPU servers.
    Hybrid,
}

impl std::fmt::Display for StrategyName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StrategyName::Passthrough => "passthrough",
            StrategyName::Mig => "mig",
            StrategyName::Vgpu => "vgpu",
            StrategyName::Hybrid => "hybrid",
        })
    }
}

/// How many units of a workload run on one instance type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// The workload.
    pub workload: String,
    /// The profile, vGPU type or `whole GPU`.
    pub instance: String,
    /// Units (GPUs of training jobs, replicas, active seats) on it.
    pub units: u64,
}

/// GPUs running one configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigUse {
    /// Which profile on which memory slice (MIG), `n x type` (vGPU) or `whole GPU`.
    pub layout: String,
    /// GPUs running it.
    pub gpus: u64,
}

/// The servers of one mode within a strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Partition {
    /// How these servers' GPUs are offered.
    pub mode: Mode,
    /// The workloads on them.
    pub workloads: Vec<String>,
    /// GPUs the packing uses, plus the buffer.
    pub gpus: u64,
    /// No packing of these workloads in this mode needs fewer GPUs (plus the same buffer).
    pub gpus_lower_bound: u64,
    /// Spare passthrough GPUs for bursts (`advise.passthrough_buffer`).
    pub buffer_gpus: u64,
    /// Servers: GPUs over GPUs per server, rounded up.
    pub servers: u64,
    /// Exact integer program or LP rounding.
    pub method: Method,
    /// GPUs per configuration.
    pub configs: Vec<ConfigUse>,
    /// Units per workload and instance type.
    pub placements: Vec<Placement>,
}

/// The plan of a strategy's cluster, in brief.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanBrief {
    /// Servers planned.
    pub servers: u32,
    /// Fabric switches (all tiers).
    pub switches: u32,
    /// Racks.
    pub racks: u32,
    /// IT power, kW.
    pub it_kw: f64,
    /// Design verdicts: pass, warn, fail.
    pub checks: [usize; 3],
    /// The plan's status.
    pub status: Status,
}

/// One strategy, side by side with the others (`advise --format json`: `strategies[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strategy {
    /// `passthrough`, `mig`, `vgpu` or `hybrid`.
    pub name: StrategyName,
    /// Whether it can carry the workloads on this server.
    pub feasible: bool,
    /// Why not, or what it is made of.
    pub why: String,
    /// GPUs the workloads need (packing plus buffer); `None` when infeasible.
    pub gpus: Option<u64>,
    /// Servers.
    pub servers: Option<u64>,
    /// TCO over `[cost].years`, licences included; `None` without `[cost]`, without plans, or infeasible.
    pub tco_usd: Option<f64>,
    /// TCO per useful GPU-hour.
    pub usd_per_gpu_hour: Option<f64>,
    /// No packing needs fewer GPUs.
    pub gpus_lower_bound: Option<u64>,
    /// GPUs in the servers (servers x GPUs per server).
    pub gpus_installed: Option<u64>,
    /// Useful GPU-hours over installed GPU-hours.
    pub utilisation: Option<f64>,
    /// For a hybrid: the mode of its shared servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_mode: Option<Mode>,
    /// The servers of each mode and their packing.
    pub partitions: Vec<Partition>,
    /// Platform licences.
    pub licences: Option<Licences>,
    /// The plan for this count.
    pub plan: Option<PlanBrief>,
    /// The plan's cost (hardware, energy, support), before the licences.
    pub cost: Option<CostReport>,
    /// Parts without a price: the totals leave them out.
    pub unpriced: Vec<String>,
    /// Compatibility verdicts.
    pub checks: Vec<Check>,
}

/// The strategies for a spec's workloads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    /// The server.
    pub server_id: String,
    /// Its GPU.
    pub gpu_id: String,
    /// GPUs per server.
    pub gpus_per_server: u32,
    /// Useful GPU-hours a year the workloads do (the same under every strategy).
    pub useful_gpu_hours_per_year: f64,
    /// Passthrough, MIG, vGPU, hybrid.
    pub strategies: Vec<Strategy>,
    /// The cheapest per useful GPU-hour (or, without costs, the one with fewest servers).
    pub cheapest: Option<StrategyName>,
    /// Which constraint decided it.
    pub decided_by: String,
}

impl Advice {
    /// One strategy by name.
    pub fn strategy(&self, name: StrategyName) -> Option<&Strategy> {
        self.strategies.iter().find(|s| s.name == name)
    }

    /// The JSON of `advise --format json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// Advises on a spec's workloads: `Advisor::new(&catalog)`, options, then `.advise(&spec)`.
pub struct Advisor<'a> {
    catalog: &'a Catalog,
    plans: bool,
    options: PlanOptions,
}

impl<'a> Advisor<'a> {
    /// With plans and the default plan options.
    pub fn new(catalog: &'a Catalog) -> Self {
        Advisor {
            catalog,
            plans: true,
            options: PlanOptions::default(),
        }
    }

    /// Whether to make each strategy's full plan (fabric, racks, power, cost). Without, only the packing,
    /// servers and licences.
    pub fn plans(mut self, yes: bool) -> Self {
        self.plans = yes;
        self
    }

    /// The options of the plans.
    pub fn plan_options(mut self, options: PlanOptions) -> Self {
        self.options = options;
        self
    }

    /// The strategies side by side.
    pub fn advise<'s>(&self, spec: impl Into<SpecRef<'s>>) -> Result<Advice, Error> {
        let r: SpecRef<'s> = spec.into();
        let spec = r.spec;
        // The server, cooling and the rest must resolve; the size is the advisor's to find.
        let mut probe = spec.clone();
        probe.compute.scalable_units = None;
        probe.compute.gpus = None;
        probe.compute.servers = Some(1);
        probe.resolve_at(r.source, self.catalog).map_err(Error::Spec)?;
        let server = self
            .catalog
            .server(&spec.compute.server)
            .ok_or_else(|| Error::Spec(Diagnostics(Vec::new())))?;
        let gpu = self
            .catalog
            .gpu(server.gpu.as_str())
            .ok_or_else(|| Error::Spec(Diagnostics(Vec::new())))?;
        let inputs = spec.advise.clone().unwrap_or_default();
        let demands = workload::check(&spec.workloads, &inputs, r.source).map_err(|d| Error::Spec(Diagnostics(d)))?;
        let per_server = server.gpu_count.value.max(1);
        let useful = useful_gpu_hours(&demands, gpu);
        // The board's IOMMU (catalog internals), which passthrough needs beside the spec's advise.iommu.
        let iommu = crate::server_checks::server_checks(
            self.catalog,
            server,
            &crate::server_checks::ServerCheckInputs {
                storage_gb_per_s_per_node: None,
                passthrough: true,
            },
        )
        .into_iter()
        .find(|c| c.id == "server.iommu");
        let ctx = Ctx {
            gpu,
            per_server: u64::from(per_server),
            inputs: &inputs,
            useful,
            iommu,
        };

        let all: Vec<&Demand> = demands.iter().collect();
        let mut strategies = vec![
            ctx.strategy(StrategyName::Passthrough, &[(Mode::Passthrough, all.clone())]),
            ctx.strategy(StrategyName::Mig, &[(Mode::Mig, all.clone())]),
            ctx.strategy(StrategyName::Vgpu, &[(Mode::Vgpu, all.clone())]),
        ];
        let (dedicated, shared): (Vec<&Demand>, Vec<&Demand>) = demands.iter().partition(|d| {
            d.sharing == Sharing::Dedicated || (d.kind == WorkloadKind::Training && d.sharing == Sharing::Any)
        });
        let hybrid = if dedicated.is_empty() || shared.is_empty() {
            let mut h = ctx.strategy(StrategyName::Hybrid, &[]);
            h.feasible = false;
            h.why = if dedicated.is_empty() {
                "no training or dedicated workload for passthrough servers: the hybrid is the MIG or vGPU strategy"
                    .into()
            } else {
                "every workload is training or dedicated: the hybrid is the passthrough strategy".into()
            };
            vec![h]
        } else {
            [Mode::Mig, Mode::Vgpu]
                .into_iter()
                .map(|m| {
                    let mut h = ctx.strategy(
                        StrategyName::Hybrid,
                        &[(Mode::Passthrough, dedicated.clone()), (m, shared.clone())],
                    );
                    h.shared_mode = Some(m);
                    h
                })
                .collect()
        };
        let mut hybrids = hybrid;
        for s in strategies.iter_mut().chain(hybrids.iter_mut()) {
            if s.feasible && self.plans {
                self.plan_and_cost(spec, s, useful);
            }
        }
        // The hybrid's shared servers: the better of MIG and vGPU.
        hybrids.sort_by(|a, b| rank(a).partial_cmp(&rank(b)).unwrap_or(std::cmp::Ordering::Equal));
        let mut hybrid = hybrids.remove(0);
        if let Some(other) = hybrids.first()
            && let Some(m) = hybrid.shared_mode
        {
            hybrid.why.push_str(&format!(
                "; {m} for the shared servers ranks before {}{}",
                other.shared_mode.map_or(String::new(), |m| m.to_string()),
                if other.feasible {
                    String::new()
                } else {
                    format!(" ({})", other.why)
                }
            ));
        }
        strategies.push(hybrid);
        let (cheapest, decided_by) = decide(&strategies);
        Ok(Advice {
            server_id: server.id.to_string(),
            gpu_id: gpu.id.to_string(),
            gpus_per_server: per_server,
            useful_gpu_hours_per_year: useful,
            strategies,
            cheapest,
            decided_by,
        })
    }

    fn plan_and_cost(&self, spec: &crate::spec::Spec, s: &mut Strategy, useful: f64) {
        let Some(servers) = s.servers else { return };
        let mut one = spec.clone();
        one.compute.scalable_units = None;
        one.compute.gpus = None;
        one.compute.servers = Some(i64::try_from(servers).unwrap_or(i64::MAX));
        match Planner::new(self.catalog).options(self.options.clone()).plan(&one) {
            Err(e) => {
                s.feasible = false;
                s.why = format!("{} servers cannot be planned: {e}", servers);
            }
            Ok(plan) => {
                let count = |st: Status| plan.checks.iter().filter(|c| c.status == st).count();
                s.plan = Some(PlanBrief {
                    servers: plan.compute.servers,
                    switches: plan.fabric.summary().switches.total,
                    racks: plan.layout.racks.len() as u32,
                    it_kw: plan.facility.it_kw.0,
                    checks: [count(Status::Pass), count(Status::Warn), count(Status::Fail)],
                    status: plan.status(),
                });
                if let (Some(c), Some(l)) = (&plan.cost, &s.licences) {
                    let tco = c.tco_usd + l.total_usd(c.years);
                    s.tco_usd = Some(tco);
                    let hours = useful * c.years;
                    s.usd_per_gpu_hour = (hours > 0.0).then(|| tco / hours);
                    s.unpriced = c.unpriced.clone();
                }
                s.cost = plan.cost;
            }
        }
    }
}

struct Ctx<'a> {
    gpu: &'a Gpu,
    per_server: u64,
    inputs: &'a AdviseSpec,
    useful: f64,
    /// `server.iommu` of the server's board, for passthrough.
    iommu: Option<Check>,
}

impl Ctx<'_> {
    fn strategy(&self, name: StrategyName, parts: &[(Mode, Vec<&Demand>)]) -> Strategy {
        let mut s = Strategy {
            name,
            feasible: !parts.is_empty(),
            why: String::new(),
            gpus: None,
            servers: None,
            tco_usd: None,
            usd_per_gpu_hour: None,
            gpus_lower_bound: None,
            gpus_installed: None,
            utilisation: None,
            shared_mode: None,
            partitions: Vec::new(),
            licences: None,
            plan: None,
            cost: None,
            unpriced: Vec::new(),
            checks: Vec::new(),
        };
        let mut whys = Vec::new();
        for (mode, demands) in parts {
            s.checks.extend(self.compatibility(*mode));
            match self.partition(*mode, demands) {
                Ok(p) => {
                    whys.push(format!(
                        "{} GPUs {} ({})",
                        p.gpus,
                        match mode {
                            Mode::Passthrough => "passed through whole".to_string(),
                            m => format!("in {m} mode"),
                        },
                        if p.workloads.len() > 6 {
                            format!(
                                "{} and {} more workloads",
                                p.workloads[..5].join(", "),
                                p.workloads.len() - 5
                            )
                        } else {
                            p.workloads.join(", ")
                        }
                    ));
                    s.partitions.push(p);
                }
                Err(why) => {
                    s.feasible = false;
                    whys.clear();
                    whys.push(why);
                    break;
                }
            }
        }
        s.why = whys.join("; ");
        if !s.feasible {
            s.partitions.clear();
            return s;
        }
        let gpus: u64 = s.partitions.iter().map(|p| p.gpus).sum();
        let servers: u64 = s.partitions.iter().map(|p| p.servers).sum();
        s.gpus = Some(gpus);
        s.servers = Some(servers);
        s.gpus_lower_bound = Some(s.partitions.iter().map(|p| p.gpus_lower_bound).sum());
        s.gpus_installed = Some(servers * self.per_server);
        let installed_hours = (servers * self.per_server) as f64 * HOURS_PER_YEAR;
        s.utilisation = (installed_hours > 0.0).then(|| self.useful / installed_hours);
        let nvaie: u64 = s
            .partitions
            .iter()
            .filter(|p| p.mode == Mode::Vgpu)
            .map(|p| p.servers * self.per_server)
            .sum();
        let hosts: u64 = s
            .partitions
            .iter()
            .filter(|p| p.mode != Mode::Mig)
            .map(|p| p.servers)
            .sum();
        let a = self.inputs;
        s.licences = Some(Licences::new(
            nvaie,
            a.nvaie_usd_per_gpu_year,
            hosts,
            a.hypervisor_usd_per_host_year,
            a.hypervisor_usd_per_host_once,
        ));
        s
    }

    /// The compatibility verdicts of a mode.
    fn compatibility(&self, mode: Mode) -> Vec<Check> {
        let id = &self.gpu.id;
        match mode {
            Mode::Passthrough => self.iommu.iter().cloned().chain([

                if self.inputs.iommu {
                    Check::pass(
                        "advise.iommu",
                        "passthrough needs the hosts' IOMMU (VT-d / AMD-Vi): the spec says it is enabled (advise.iommu = true)",
                    )
                } else {
                    Check::fail(
                        "advise.iommu",
                        "passthrough needs the hosts' IOMMU (VT-d / AMD-Vi), and advise.iommu = false says it is off",
                    )
                },
                if self.inputs.live_migration_required {
                    Check::fail(
                        "advise.live_migration",
                        "a VM with a passed-through GPU cannot be live-migrated, and advise.live_migration_required = true",
                    )
                } else {
                    Check::warn(
                        "advise.live_migration",
                        "a VM with a passed-through GPU cannot be live-migrated: host maintenance stops its VMs",
                    )
                },
            ]).collect(),
            Mode::Mig => vec![match modes::unavailable(self.gpu, Mode::Mig) {
                Some(why) => Check::fail("advise.mig_capable", format!("MIG needs a MIG-capable GPU: {why}")),
                None => Check::pass(
                    "advise.mig_capable",
                    format!(
                        "`{id}` has MIG {}",
                        self.gpu.mig.as_ref().map_or(String::new(), |m| m.support.provenance())
                    ),
                ),
            }],
            Mode::Vgpu => vec![match modes::unavailable(self.gpu, Mode::Vgpu) {
                Some(why) => Check::fail("advise.vgpu_capable", format!("vGPU needs a supported GPU: {why}")),
                None => Check::pass(
                    "advise.vgpu_capable",
                    format!(
                        "`{id}` runs NVIDIA vGPU (compute) {}, licensed through NVIDIA AI Enterprise [P32]",
                        self.gpu.vgpu.as_ref().map_or(String::new(), |v| v.support.provenance())
                    ),
                ),
            }],
        }
    }

    fn partition(&self, mode: Mode, demands: &[&Demand]) -> Result<Partition, String> {
        let shares: Vec<f64> = demands
            .iter()
            .filter_map(|d| match d.need {
                Need::Slice { share, .. } => share,
                Need::Whole => None,
            })
            .collect();
        let table = modes::table(self.gpu, mode, &shares)
            .ok_or_else(|| modes::unavailable(self.gpu, mode).unwrap_or_else(|| format!("no {mode} table")))?;
        let mem = self.gpu.memory_gb.value.0;
        // Classes of the same admissible types are one class of the program.
        let mut groups: BTreeMap<Vec<usize>, Vec<(usize, u64)>> = BTreeMap::new();
        for (i, d) in demands.iter().enumerate() {
            let c = modes::class_of(d, &table, mem)?;
            groups.entry(c.admissible).or_default().push((i, c.count));
        }
        let keys: Vec<Vec<usize>> = groups.keys().cloned().collect();
        let classes: Vec<pack::Class> = keys
            .iter()
            .map(|k| pack::Class {
                count: groups[k].iter().map(|(_, n)| n).sum(),
                admissible: k.clone(),
            })
            .collect();
        let p = pack::pack(table.types.len(), &table.configs, &classes).map_err(|e| match e {
            pack::PackError::NoFit(_) => format!("no {mode} configuration fits the workloads"),
            other => other.to_string(),
        })?;
        // Spread each class's units over its workloads, in order.
        let mut placements = Vec::new();
        for (g, k) in keys.iter().enumerate() {
            let mut left: Vec<u64> = p.assign[g].clone();
            for &(i, n) in &groups[k] {
                let mut need = n;
                for t in k {
                    let take = need.min(left[*t]);
                    if take > 0 {
                        placements.push(Placement {
                            workload: demands[i].name.clone(),
                            instance: table.types[*t].name.clone(),
                            units: take,
                        });
                        left[*t] -= take;
                        need -= take;
                    }
                }
            }
        }
        let buffer_gpus: u64 = if mode == Mode::Passthrough {
            let b = self.inputs.passthrough_buffer;
            groups
                .values()
                .flatten()
                .filter(|(i, _)| demands[*i].bursty())
                .map(|(_, n)| ((*n as f64) * b - 1e-9).ceil().max(0.0) as u64)
                .sum()
        } else {
            0
        };
        let gpus = p.gpus + buffer_gpus;
        let mut seen = std::collections::HashSet::new();
        let names: Vec<String> = demands
            .iter()
            .filter(|d| seen.insert(d.name.as_str()))
            .map(|d| d.name.clone())
            .collect();
        Ok(Partition {
            mode,
            workloads: names,
            gpus,
            gpus_lower_bound: p.lower_bound + buffer_gpus,
            buffer_gpus,
            servers: gpus.div_ceil(self.per_server),
            method: p.method,
            configs: p
                .gpus_per_config
                .iter()
                .map(|(c, n)| ConfigUse {
                    layout: table.configs[*c].layout.clone(),
                    gpus: *n,
                })
                .collect(),
            placements,
        })
    }
}

/// Useful GPU-hours a year: each unit's share of a GPU (1 for a training GPU; the compute share, else the memory
/// share, of a slice) times its hours.
fn useful_gpu_hours(demands: &[Demand], gpu: &Gpu) -> f64 {
    let mem = gpu.memory_gb.value.0;
    demands
        .iter()
        .map(|d| {
            let share = match d.need {
                Need::Whole => 1.0,
                // A slice larger than a GPU works its whole GPUs.
                Need::Slice { memory_gb, .. } if memory_gb > mem => (memory_gb / mem - 1e-9).ceil(),
                Need::Slice { memory_gb, share } => share.unwrap_or(memory_gb / mem),
            };
            d.units as f64 * share * d.hours_per_year.min(HOURS_PER_YEAR)
        })
        .sum()
}

/// Ranking key: feasible first, then cost per useful GPU-hour, then servers.
fn rank(s: &Strategy) -> (u8, f64, u64) {
    (
        u8::from(!s.feasible),
        s.usd_per_gpu_hour.unwrap_or(f64::INFINITY),
        s.servers.unwrap_or(u64::MAX),
    )
}

fn decide(strategies: &[Strategy]) -> (Option<StrategyName>, String) {
    let mut order: Vec<&Strategy> = strategies.iter().filter(|s| s.feasible).collect();
    order.sort_by(|a, b| rank(a).partial_cmp(&rank(b)).unwrap_or(std::cmp::Ordering::Equal));
    let Some(best) = order.first() else {
        return (None, "no strategy can carry the workloads on this server".into());
    };
    // Strategies that come to the same servers and cost tie with the best; the decision is against the first
    // one that differs.
    let same = |s: &Strategy| {
        s.servers == best.servers
            && match (s.usd_per_gpu_hour, best.usd_per_gpu_hour) {
                (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                (None, None) => true,
                _ => false,
            }
    };
    let ties: Vec<String> = order[1..]
        .iter()
        .filter(|s| same(s))
        .map(|s| s.name.to_string())
        .collect();
    let Some(next) = order[1..].iter().find(|s| !same(s)) else {
        return (
            Some(best.name),
            if ties.is_empty() {
                "it is the only feasible strategy".into()
            } else {
                format!("the feasible strategies tie ({} and {})", best.name, ties.join(", "))
            },
        );
    };
    let costed = order.iter().all(|s| s.usd_per_gpu_hour.is_some());
    let counts = format!(
        "{} needs {} servers ({} GPUs), {} needs {}",
        best.name,
        best.servers.unwrap_or(0),
        best.gpus.unwrap_or(0),
        next.name,
        next.servers.unwrap_or(0)
    );
    if !costed {
        return (
            Some(best.name),
            format!("fewest servers (no cost per GPU-hour: give [cost] and plans to rank by cost): {counts}"),
        );
    }
    let lic = |s: &Strategy| {
        s.licences
            .as_ref()
            .map_or(0.0, |l| l.total_usd(s.cost.as_ref().map_or(0.0, |c| c.years)))
    };
    let plan_tco = |s: &Strategy| s.cost.as_ref().map_or(0.0, |c| c.tco_usd);
    let d_lic = lic(next) - lic(best);
    let d_plan = plan_tco(next) - plan_tco(best);
    let mut why = if d_lic.abs() >= d_plan.abs() {
        format!(
            "licences: {} pays ${:.0} in platform licences over the TCO period, {} pays ${:.0} ({counts})",
            next.name,
            lic(next),
            best.name,
            lic(best)
        )
    } else {
        format!(
            "GPU count: {counts}; the hardware, energy and support that the packing saves outweigh the licence difference of ${:.0}",
            d_lic
        )
    };
    let unpriced: Vec<&str> = {
        let mut v: Vec<&str> = order
            .iter()
            .flat_map(|s| s.unpriced.iter().map(String::as_str))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if !ties.is_empty() {
        why.push_str(&format!("; {} ties with {}", ties.join(", "), best.name));
    }
    if !unpriced.is_empty() {
        why.push_str(&format!(
            "; the totals are incomplete: no price for {} (add [[price]] entries with --catalog)",
            unpriced.join(", ")
        ));
    }
    (Some(best.name), why)
}

#[cfg(test)]
mod tests;
