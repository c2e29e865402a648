//! The instance types and configurations of each sharing mode, from the GPU's catalog data.

use super::pack::{self, Class, Config};
use super::workload::{Demand, Need, Sharing};
use gigapod_catalog::{Gpu, Support};

/// How the GPUs of a server are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Whole GPUs 1:1 to VMs.
    Passthrough,
    /// Multi-Instance GPU profiles, fixed per GPU until a restart.
    Mig,
    /// Time-sliced vGPUs, all of one type per GPU.
    Vgpu,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Passthrough => "passthrough",
            Mode::Mig => "mig",
            Mode::Vgpu => "vgpu",
        })
    }
}

/// One instance type of a mode.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceType {
    /// Profile or vGPU type name (vGPU types carry the density: `H200X-17C x8`).
    pub name: String,
    /// GPU memory of one instance, GB.
    pub memory_gb: f64,
    /// Share of the GPU's compute one instance has when every instance is busy.
    pub compute: f64,
    /// Takes the whole GPU.
    pub whole: bool,
}

/// A mode's types and the configurations a GPU may run.
#[derive(Debug, Clone)]
pub struct ModeTable {
    /// The mode.
    pub mode: Mode,
    /// Instance types.
    pub types: Vec<InstanceType>,
    /// Maximal configurations.
    pub configs: Vec<Config>,
}

/// Why a mode is not available on a GPU.
pub fn unavailable(gpu: &Gpu, mode: Mode) -> Option<String> {
    match mode {
        Mode::Passthrough => None,
        Mode::Mig => match &gpu.mig {
            None => Some(format!("the catalog does not say whether `{}` has MIG", gpu.id)),
            Some(m) if m.support.value == Support::Unsupported => Some(format!(
                "`{}` has no MIG: {} {}",
                gpu.id,
                m.support.note.as_deref().unwrap_or("not a MIG-capable GPU"),
                m.support.provenance()
            )),
            Some(m) if m.profiles.is_none() => Some(format!(
                "`{}` has MIG but its profile table is missing: {}",
                gpu.id,
                m.profiles_not_found.as_deref().unwrap_or("NOT FOUND")
            )),
            Some(_) => None,
        },
        Mode::Vgpu => match &gpu.vgpu {
            None => Some(format!(
                "the catalog does not say whether `{}` runs NVIDIA vGPU",
                gpu.id
            )),
            Some(v) if v.support.value == Support::Unsupported => Some(format!(
                "`{}` has no vGPU: {} {}",
                gpu.id,
                v.support.note.as_deref().unwrap_or("not a vGPU-capable GPU"),
                v.support.provenance()
            )),
            Some(v) if v.time_sliced.is_none() => Some(format!(
                "`{}` runs vGPU {} but its time-sliced vGPU types are missing: {}",
                gpu.id,
                v.support.provenance(),
                v.profiles_not_found.as_deref().unwrap_or("NOT FOUND")
            )),
            Some(_) => None,
        },
    }
}

/// The table of a mode on a GPU (`None` when [`unavailable`]). `shares` are the compute shares the demands ask
/// for: vGPU types get a density for each (fewer vGPUs on a GPU give each a larger time slice).
pub fn table(gpu: &Gpu, mode: Mode, shares: &[f64]) -> Option<ModeTable> {
    if unavailable(gpu, mode).is_some() {
        return None;
    }
    let mem = gpu.memory_gb.value.0;
    match mode {
        Mode::Passthrough => Some(ModeTable {
            mode,
            types: vec![InstanceType {
                name: "whole GPU".into(),
                memory_gb: mem,
                compute: 1.0,
                whole: true,
            }],
            configs: vec![Config {
                counts: vec![1],
                layout: "whole GPU".into(),
            }],
        }),
        Mode::Mig => {
            let m = gpu.mig.as_ref()?;
            let slots = m.memory_slots.unwrap_or(8);
            let profiles: Vec<_> = m
                .profiles
                .as_ref()?
                .value
                .iter()
                .filter(|p| !p.media_extensions)
                .collect();
            let types: Vec<InstanceType> = profiles
                .iter()
                .map(|p| InstanceType {
                    name: p.name.clone(),
                    memory_gb: p.memory_gb.0,
                    compute: f64::from(p.compute_slices) / 7.0,
                    whole: p.memory_slots >= slots,
                })
                .collect();
            // Every set of non-overlapping placements (instances within their profile's maximum, compute within
            // 7 slices), kept if no other dominates it.
            let mut found = Vec::new();
            let mut used = vec![0u32; profiles.len()];
            let mut placed: Vec<(usize, u32)> = Vec::new();
            #[allow(clippy::too_many_arguments)]
            fn rec(
                profiles: &[&gigapod_catalog::MigProfile],
                slots: u32,
                start: u32,
                occupied: u32,
                compute: u32,
                used: &mut Vec<u32>,
                placed: &mut Vec<(usize, u32)>,
                found: &mut Vec<Config>,
            ) {
                if !placed.is_empty() {
                    let layout = placed
                        .iter()
                        .map(|(p, s)| format!("{}@{s}", profiles[*p].name))
                        .collect::<Vec<_>>()
                        .join(" + ");
                    found.push(Config {
                        counts: used.clone(),
                        layout,
                    });
                }
                for first in start..slots {
                    for (i, p) in profiles.iter().enumerate() {
                        let mask = ((1u32 << p.memory_slots) - 1) << first;
                        if p.placements.contains(&first)
                            && occupied & mask == 0
                            && used[i] < p.max_instances
                            && compute + p.compute_slices <= 7
                        {
                            used[i] += 1;
                            placed.push((i, first));
                            rec(
                                profiles,
                                slots,
                                first + 1,
                                occupied | mask,
                                compute + p.compute_slices,
                                used,
                                placed,
                                found,
                            );
                            placed.pop();
                            used[i] -= 1;
                        }
                    }
                }
            }
            rec(&profiles, slots, 0, 0, 0, &mut used, &mut placed, &mut found);
            Some(ModeTable {
                mode,
                types,
                configs: pack::maximal(found),
            })
        }
        Mode::Vgpu => {
            let v = gpu.vgpu.as_ref()?;
            let mut types = Vec::new();
            let mut configs = Vec::new();
            let profiles = &v.time_sliced.as_ref()?.value;
            for p in profiles {
                let mut densities: Vec<u32> = vec![p.max_per_gpu];
                for s in shares {
                    let n = ((1.0 / s) + 1e-9).floor() as u32;
                    if n >= 1 && n < p.max_per_gpu && !densities.contains(&n) {
                        densities.push(n);
                    }
                }
                for n in densities {
                    types.push(InstanceType {
                        name: format!("{} x{n}", p.name),
                        memory_gb: p.memory_gb.0,
                        compute: 1.0 / f64::from(n),
                        whole: n == 1 && p.memory_gb.0 >= mem - 1e-9,
                    });
                    configs.push(Config {
                        counts: vec![],
                        layout: format!("{n} x {}", p.name),
                    });
                }
            }
            let k = types.len();
            for (i, c) in configs.iter_mut().enumerate() {
                c.counts = vec![0; k];
                c.counts[i] = types[i]
                    .name
                    .rsplit('x')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
            }
            Some(ModeTable { mode, types, configs })
        }
    }
}

/// Units of one demand on a mode: which types they may take, and how many units (a slice larger than the GPU
/// takes whole GPUs). `Err` says why the demand cannot run in the mode.
pub fn class_of(d: &Demand, t: &ModeTable, gpu_memory_gb: f64) -> Result<Class, String> {
    let wanted = matches!(
        (d.sharing, t.mode),
        (Sharing::Mig, Mode::Mig) | (Sharing::Vgpu, Mode::Vgpu) | (Sharing::Any, _) | (Sharing::Dedicated, _)
    );
    if !wanted {
        return Err(format!(
            "workload `{}` asks for sharing = \"{}\"",
            d.name,
            sharing_name(d.sharing)
        ));
    }
    let whole: Vec<usize> = (0..t.types.len()).filter(|&i| t.types[i].whole).collect();
    let whole_class = |units: u64| -> Result<Class, String> {
        if whole.is_empty() {
            Err(format!("no {} profile takes the whole GPU for `{}`", t.mode, d.name))
        } else {
            Ok(Class {
                count: units,
                admissible: whole.clone(),
            })
        }
    };
    match d.need {
        Need::Whole => whole_class(d.units),
        Need::Slice { memory_gb, .. } if memory_gb > gpu_memory_gb + 1e-9 => {
            let per = (memory_gb / gpu_memory_gb - 1e-9).ceil() as u64;
            whole_class(d.units * per)
        }
        Need::Slice { .. } if d.sharing == Sharing::Dedicated || t.mode == Mode::Passthrough => whole_class(d.units),
        Need::Slice { memory_gb, share } => {
            let admissible: Vec<usize> = (0..t.types.len())
                .filter(|&i| {
                    let ty = &t.types[i];
                    ty.memory_gb + 1e-9 >= memory_gb && share.is_none_or(|s| ty.compute + 1e-9 >= s)
                })
                .collect();
            if admissible.is_empty() {
                Err(format!(
                    "no {} type gives `{}` {memory_gb} GB{}",
                    t.mode,
                    d.name,
                    share.map_or(String::new(), |s| format!(" and {s} of the compute"))
                ))
            } else {
                Ok(Class {
                    count: d.units,
                    admissible,
                })
            }
        }
    }
}

/// The spec's word for a sharing preference.
pub fn sharing_name(s: Sharing) -> &'static str {
    match s {
        Sharing::Dedicated => "dedicated",
        Sharing::Mig => "mig",
        Sharing::Vgpu => "vgpu",
        Sharing::Any => "any",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gigapod_catalog::Catalog;

    fn counts_of(t: &ModeTable, names: &[(&str, u32)]) -> Vec<u32> {
        let mut v = vec![0; t.types.len()];
        for (n, k) in names {
            v[t.types.iter().position(|x| x.name == *n).unwrap()] = *k;
        }
        v
    }

    #[test]
    fn h200_mig_configurations_are_the_valid_placements() {
        let gpu = Catalog::builtin().gpu("h200-sxm").unwrap();
        let t = table(gpu, Mode::Mig, &[]).unwrap();
        let has = |c: &[(&str, u32)]| t.configs.iter().any(|k| k.counts == counts_of(&t, c));
        // Maximal valid configurations (memory slices 0..7, NVIDIA's layouts).
        assert!(has(&[("1g.18gb", 7)]));
        assert!(has(&[("1g.35gb", 4)]));
        assert!(has(&[("7g.141gb", 1)]));
        assert!(has(&[("3g.71gb", 2)]));
        assert!(has(&[("4g.71gb", 1), ("3g.71gb", 1)]));
        assert!(has(&[("2g.35gb", 3), ("1g.18gb", 1)]));
        assert!(has(&[("1g.35gb", 3), ("1g.18gb", 2)]));
        assert!(has(&[("1g.35gb", 1), ("1g.18gb", 6)]));
        // Not valid: a 3g instance only starts at slice 0 or 4, so 3g + 3g + 1g does not fit; 8 x 1g.18gb
        // exceeds the 7 instances.
        assert!(!t.configs.iter().any(
            |k| k.counts[t.types.iter().position(|x| x.name == "3g.71gb").unwrap()] == 2
                && k.counts.iter().sum::<u32>() > 2
        ));
        assert!(!t.configs.iter().any(|k| k.counts[0] > 7));
        // Every configuration keeps within 7 compute slices.
        let slices = [1, 1, 2, 3, 4, 7];
        for k in &t.configs {
            assert!(
                k.counts.iter().zip(slices).map(|(n, s)| n * s).sum::<u32>() <= 7,
                "{}",
                k.layout
            );
        }
    }

    #[test]
    fn amd_and_blackwell_say_why() {
        let cat = Catalog::builtin();
        let mi = cat.gpu("mi300x").unwrap();
        assert!(
            unavailable(mi, Mode::Vgpu)
                .unwrap()
                .contains("NVIDIA vGPU runs on NVIDIA GPUs only")
        );
        assert!(unavailable(mi, Mode::Mig).unwrap().contains("no MIG"));
        let b200 = cat.gpu("b200-sxm").unwrap();
        assert!(unavailable(b200, Mode::Vgpu).unwrap().contains("NOT FOUND"));
        assert!(unavailable(b200, Mode::Mig).is_none());
    }
}
