//! `[[workload]]` and `[advise]` in the spec, and their typed, checked form ([`Demand`]).

use crate::spec::Origin;
use gigapod_catalog::diagnostic::{Diagnostic, KeyPath};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Most workloads a spec may list (each is packed; the limit bounds time and memory).
pub const MAX_WORKLOADS: usize = 100_000;
/// Most jobs, replicas or seats of one workload, and GPUs per job.
pub const MAX_COUNT: i64 = 1_000_000;
/// Weeks in a year: 8,760 h / 168 h.
pub const WEEKS_PER_YEAR: f64 = 8_760.0 / 168.0;

/// What a workload does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadKind {
    /// Batch jobs of whole GPUs (`jobs`, `gpus_per_job`, optional `hours_per_week`).
    Training,
    /// Serving replicas (`replicas`, `gpu_memory_gb`, optional `gpu_share`).
    Inference,
    /// VDI and notebooks (`seats`, `gpu_memory_gb`, `concurrency`).
    Interactive,
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WorkloadKind::Training => "training",
            WorkloadKind::Inference => "inference",
            WorkloadKind::Interactive => "interactive",
        })
    }
}

/// How a workload may share a GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    /// Whole GPUs only (passthrough, or a profile that takes the whole GPU).
    Dedicated,
    /// MIG instances only.
    Mig,
    /// Time-sliced vGPUs only.
    Vgpu,
    /// Whatever the strategy offers (the default).
    #[default]
    Any,
}

/// One `[[workload]]` entry as written. Which keys apply depends on `kind` (docs/workloads.md); a key of
/// another kind is an error naming it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct WorkloadSpec {
    /// A name for the outputs.
    pub name: String,
    /// `training`, `inference` or `interactive`.
    pub kind: WorkloadKind,
    /// Training: jobs running at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<i64>,
    /// Training: GPUs of one job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus_per_job: Option<i64>,
    /// Training: hours a week the jobs run (default 168, always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_week: Option<f64>,
    /// Inference: replicas serving at the peak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    /// Inference and interactive: GPU memory one replica or seat needs, GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_memory_gb: Option<f64>,
    /// Inference: share of one GPU's compute a replica needs at the peak, in (0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_share: Option<f64>,
    /// Interactive: seats (users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<i64>,
    /// Interactive: share of the seats active at once, in (0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<f64>,
    /// How the workload may share a GPU (default `any`).
    #[serde(default)]
    pub sharing: Sharing,
}

impl WorkloadSpec {
    fn empty(name: impl Into<String>, kind: WorkloadKind) -> Self {
        WorkloadSpec {
            name: name.into(),
            kind,
            jobs: None,
            gpus_per_job: None,
            hours_per_week: None,
            replicas: None,
            gpu_memory_gb: None,
            gpu_share: None,
            seats: None,
            concurrency: None,
            sharing: Sharing::Any,
        }
    }

    /// `jobs` training jobs of `gpus_per_job` GPUs each.
    ///
    /// ```
    /// use gigapod_planner::advise::{Sharing, WorkloadSpec};
    /// let w = WorkloadSpec::training("llm", 20, 8).hours_per_week(100.0).sharing(Sharing::Dedicated);
    /// assert_eq!((w.jobs, w.gpus_per_job), (Some(20), Some(8)));
    /// ```
    pub fn training(name: impl Into<String>, jobs: u32, gpus_per_job: u32) -> Self {
        WorkloadSpec {
            jobs: Some(jobs.into()),
            gpus_per_job: Some(gpus_per_job.into()),
            ..Self::empty(name, WorkloadKind::Training)
        }
    }

    /// `replicas` inference replicas of `gpu_memory_gb` GB each.
    pub fn inference(name: impl Into<String>, replicas: u32, gpu_memory_gb: f64) -> Self {
        WorkloadSpec {
            replicas: Some(replicas.into()),
            gpu_memory_gb: Some(gpu_memory_gb),
            ..Self::empty(name, WorkloadKind::Inference)
        }
    }

    /// `seats` interactive seats of `gpu_memory_gb` GB, `concurrency` of them active at once.
    pub fn interactive(name: impl Into<String>, seats: u32, gpu_memory_gb: f64, concurrency: f64) -> Self {
        WorkloadSpec {
            seats: Some(seats.into()),
            gpu_memory_gb: Some(gpu_memory_gb),
            concurrency: Some(concurrency),
            ..Self::empty(name, WorkloadKind::Interactive)
        }
    }

    /// Training: hours a week.
    pub fn hours_per_week(mut self, h: f64) -> Self {
        self.hours_per_week = Some(h);
        self
    }

    /// Inference: compute share of one GPU per replica.
    pub fn gpu_share(mut self, share: f64) -> Self {
        self.gpu_share = Some(share);
        self
    }

    /// How it may share a GPU.
    pub fn sharing(mut self, sharing: Sharing) -> Self {
        self.sharing = sharing;
        self
    }
}

/// `[advise]`: the inputs of the strategies. Every key has a documented default (docs/workloads.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct AdviseSpec {
    /// Passthrough: spare whole GPUs for the bursty kinds (inference, interactive), as a share of their peak
    /// demand. Default 0.25: an assumption, not a sourced figure; set it from the service's queueing target.
    pub passthrough_buffer: f64,
    /// NVIDIA AI Enterprise per GPU per year, US dollars: needed for vGPU (P32). Default $4,500, the public
    /// list price (P34).
    pub nvaie_usd_per_gpu_year: f64,
    /// Hypervisor subscription per host per year (passthrough and vGPU hosts). Default 0: give your quote.
    pub hypervisor_usd_per_host_year: f64,
    /// One-time hypervisor licence per host (passthrough and vGPU hosts), in CapEx. Default 0.
    pub hypervisor_usd_per_host_once: f64,
    /// The hosts' IOMMU (Intel VT-d / AMD-Vi) is enabled, which GPU passthrough needs. Default true.
    pub iommu: bool,
    /// The service needs VMs to move between hosts live. Default false.
    pub live_migration_required: bool,
}

/// The default NVIDIA AI Enterprise price per GPU per year (P34: "$4,500 per GP\[U\] per year").
pub const NVAIE_USD_PER_GPU_YEAR: f64 = 4_500.0;

impl Default for AdviseSpec {
    fn default() -> Self {
        AdviseSpec {
            passthrough_buffer: 0.25,
            nvaie_usd_per_gpu_year: NVAIE_USD_PER_GPU_YEAR,
            hypervisor_usd_per_host_year: 0.0,
            hypervisor_usd_per_host_once: 0.0,
            iommu: true,
            live_migration_required: false,
        }
    }
}

/// What one unit of a workload needs of a GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Need {
    /// Whole GPUs (a training job's GPUs count one unit each).
    Whole,
    /// A slice: this much GPU memory (GB) and, if given, this share of the GPU's compute.
    Slice {
        /// GB of GPU memory.
        memory_gb: f64,
        /// Compute share in (0, 1].
        share: Option<f64>,
    },
}

/// A checked workload: `units` of `need` at the peak.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    /// The workload's name.
    pub name: String,
    /// Its kind.
    pub kind: WorkloadKind,
    /// Its sharing preference.
    pub sharing: Sharing,
    /// Units at the peak: GPUs for training, replicas, active seats.
    pub units: u64,
    /// What each unit needs.
    pub need: Need,
    /// Hours a year each unit works.
    pub hours_per_year: f64,
}

impl Demand {
    /// Bursty kinds get the passthrough queueing buffer.
    pub fn bursty(&self) -> bool {
        self.kind != WorkloadKind::Training
    }
}

/// Checks the workloads and the `[advise]` inputs; errors name `workload[i].key` or `advise.key`.
pub(crate) fn check(
    workloads: &[WorkloadSpec],
    advise: &AdviseSpec,
    origin: Origin<'_>,
) -> Result<Vec<Demand>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut out = Vec::new();
    if workloads.is_empty() {
        diags.push(
            origin
                .at_key(&KeyPath::root().key("workload"), "the spec has no [[workload]]")
                .with_help("add [[workload]] entries (name, kind and the kind's keys; docs/workloads.md) for `advise`"),
        );
    }
    if workloads.len() > MAX_WORKLOADS {
        diags.push(
            origin
                .at_key(
                    &KeyPath::root().key("workload"),
                    format!("{} workloads; at most {MAX_WORKLOADS}", workloads.len()),
                )
                .with_help("merge workloads of the same shape"),
        );
        return Err(diags);
    }
    for (i, w) in workloads.iter().enumerate() {
        let at = |key: &str| KeyPath::root().key("workload").index(i).key(key);
        let errs = std::cell::RefCell::new(Vec::<(String, String, String)>::new());
        let err = |key: &str, message: String, help: &str| {
            errs.borrow_mut().push((key.to_string(), message, help.to_string()));
        };
        let allowed: &[&str] = match w.kind {
            WorkloadKind::Training => &["jobs", "gpus_per_job", "hours_per_week"],
            WorkloadKind::Inference => &["replicas", "gpu_memory_gb", "gpu_share"],
            WorkloadKind::Interactive => &["seats", "gpu_memory_gb", "concurrency"],
        };
        let present = [
            ("jobs", w.jobs.is_some()),
            ("gpus_per_job", w.gpus_per_job.is_some()),
            ("hours_per_week", w.hours_per_week.is_some()),
            ("replicas", w.replicas.is_some()),
            ("gpu_memory_gb", w.gpu_memory_gb.is_some()),
            ("gpu_share", w.gpu_share.is_some()),
            ("seats", w.seats.is_some()),
            ("concurrency", w.concurrency.is_some()),
        ];
        for (key, there) in present {
            if there && !allowed.contains(&key) {
                err(
                    key,
                    format!("`{key}` is not a key of {} workload", a_kind(w.kind)),
                    &format!("{} workload takes {}", a_kind(w.kind), allowed.join(", ")),
                );
            }
        }
        let count = |key: &str, v: Option<i64>| -> Option<u64> {
            match v {
                None => {
                    err(
                        key,
                        format!("{} workload needs `{key}`", a_kind(w.kind)),
                        "give a whole number of at least 1",
                    );
                    None
                }
                Some(n) if !(1..=MAX_COUNT).contains(&n) => {
                    err(
                        key,
                        format!("`{key}` = {n} is not between 1 and {MAX_COUNT}"),
                        "give a whole number of at least 1",
                    );
                    None
                }
                Some(n) => Some(n as u64),
            }
        };
        let (units, need, hours) = match w.kind {
            WorkloadKind::Training => {
                let jobs = count("jobs", w.jobs);
                let per = count("gpus_per_job", w.gpus_per_job);
                (jobs.zip(per).map(|(j, p)| j * p), Some(Need::Whole), w.hours_per_week)
            }
            WorkloadKind::Inference => (count("replicas", w.replicas), None, None),
            WorkloadKind::Interactive => (count("seats", w.seats), None, None),
        };
        let hours_per_week = hours.unwrap_or(168.0);
        if !(hours_per_week.is_finite() && hours_per_week > 0.0 && hours_per_week <= 168.0) {
            err(
                "hours_per_week",
                format!("{hours_per_week} hours a week is not between 0 and 168"),
                "give the hours a week the jobs run, at most 168",
            );
        }
        let share_of = |key: &str, v: Option<f64>, needed: bool| -> Option<f64> {
            match v {
                None if needed => {
                    err(
                        key,
                        format!("{} workload needs `{key}`", a_kind(w.kind)),
                        "give a share in (0, 1], e.g. 0.5",
                    );
                    None
                }
                None => None,
                Some(x) if !(x.is_finite() && x > 0.0 && x <= 1.0) => {
                    err(
                        key,
                        format!("`{key}` = {x} is not a share in (0, 1]"),
                        "give a share in (0, 1], e.g. 0.5",
                    );
                    None
                }
                Some(x) => Some(x),
            }
        };
        let (need, units) = match w.kind {
            WorkloadKind::Training => (need, units),
            kind => {
                let memory = match w.gpu_memory_gb {
                    None => {
                        err(
                            "gpu_memory_gb",
                            format!("{} workload needs `gpu_memory_gb`", a_kind(kind)),
                            "give the GB of GPU memory one unit needs",
                        );
                        None
                    }
                    Some(m) if !(m.is_finite() && m > 0.0 && m <= 1.0e6) => {
                        err(
                            "gpu_memory_gb",
                            format!("`gpu_memory_gb` = {m} is not a memory size"),
                            "give GB above 0",
                        );
                        None
                    }
                    Some(m) => Some(m),
                };
                if kind == WorkloadKind::Inference {
                    let share = share_of("gpu_share", w.gpu_share, false);
                    (memory.map(|m| Need::Slice { memory_gb: m, share }), units)
                } else {
                    let c = share_of("concurrency", w.concurrency, true);
                    // Active seats: a seat is a unit while its session is open.
                    let active = units
                        .zip(c)
                        .map(|(s, c)| ((s as f64) * c - 1e-9).ceil().max(1.0) as u64);
                    (
                        memory.map(|m| Need::Slice {
                            memory_gb: m,
                            share: None,
                        }),
                        active,
                    )
                }
            }
        };
        for (key, message, help) in errs.into_inner() {
            diags.push(origin.at_key(&at(&key), message).with_help(help));
        }
        if let (Some(units), Some(need)) = (units, need) {
            out.push(Demand {
                name: w.name.clone(),
                kind: w.kind,
                sharing: w.sharing,
                units,
                need,
                hours_per_year: hours_per_week * WEEKS_PER_YEAR,
            });
        }
    }
    let a = advise;
    let at = |key: &str| KeyPath::root().key("advise").key(key);
    if !(a.passthrough_buffer.is_finite() && (0.0..=10.0).contains(&a.passthrough_buffer)) {
        diags.push(
            origin
                .at_key(
                    &at("passthrough_buffer"),
                    format!("a buffer of {} is not a share from 0 to 10", a.passthrough_buffer),
                )
                .with_help("give spare GPUs as a share of the peak, e.g. 0.25"),
        );
    }
    for (key, v) in [
        ("nvaie_usd_per_gpu_year", a.nvaie_usd_per_gpu_year),
        ("hypervisor_usd_per_host_year", a.hypervisor_usd_per_host_year),
        ("hypervisor_usd_per_host_once", a.hypervisor_usd_per_host_once),
    ] {
        if !(v.is_finite() && (0.0..=1.0e9).contains(&v)) {
            diags.push(
                origin
                    .at_key(&at(key), format!("`{key}` = {v} is not a price"))
                    .with_help("give zero or a positive number of US dollars"),
            );
        }
    }
    if diags.is_empty() { Ok(out) } else { Err(diags) }
}

/// "a training", "an inference", "an interactive".
fn a_kind(k: WorkloadKind) -> String {
    match k {
        WorkloadKind::Training => "a training".into(),
        other => format!("an {other}"),
    }
}
