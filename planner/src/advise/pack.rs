//! Packing slices onto GPUs whose profiles are fixed: a configuration program.
//!
//! A GPU in a sharing mode runs one **configuration** until a restart: a set of instances of the mode's
//! instance types (MIG: non-overlapping profile placements; vGPU: `n` equal-size vGPUs of one type). Demand
//! comes in **classes**: `count` units that may each take one instance of any admissible type. The program
//! chooses how many GPUs run each configuration (`x_c`) and how many units of each class go to each type
//! (`y_gt`):
//!
//! ```text
//! minimise  sum_c x_c
//! subject   sum_t y_gt = count_g                  for every class g (t admissible for g)
//!           sum_g y_gt <= sum_c a_ct x_c          for every type t (a_ct: instances of t in c)
//!           x, y >= 0 integer
//! ```
//!
//! Small programs ([`EXACT_UNITS`] units, [`EXACT_LIMIT`] variables) are solved exactly (microlp's branch and
//! bound). Beyond, the LP relaxation is rounded down and the rest packed again (see [`pack`]); the relaxation's
//! ceiling is a lower bound on every packing, reported beside the answer, and an answer that meets it is
//! reported as exact. Rounding keeps the assignment feasible: with integer capacities the assignment is a
//! transportation problem, whose LP has integer optima.

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable};
use serde::Serialize;

/// Variables up to which the program is solved exactly.
pub const EXACT_LIMIT: usize = 400;
/// Units up to which the program is solved exactly (microlp's branch and bound has no time limit, so larger
/// programs use the rounding below).
pub const EXACT_UNITS: u64 = 24;

/// A GPU configuration: instances per type, and a layout for people (e.g. `3g.71gb@0 + 3g.71gb@4`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// Instances of each type, indexed like the types.
    pub counts: Vec<u32>,
    /// Which profile at which memory slice.
    pub layout: String,
}

/// Units that may take one instance of any of `admissible` types.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Units.
    pub count: u64,
    /// Indices of the instance types a unit may take.
    pub admissible: Vec<usize>,
}

/// How the answer was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The integer program, solved to optimality.
    Exact,
    /// The LP relaxation rounded up (a heuristic; the lower bound says how far from optimal it can be).
    LpRounding,
}

/// A packing: GPUs per configuration and units per class and type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Packing {
    /// GPUs used.
    pub gpus: u64,
    /// No packing uses fewer GPUs (the LP relaxation's ceiling).
    pub lower_bound: u64,
    /// Exact or heuristic.
    pub method: Method,
    /// `(configuration index, GPUs running it)`, for configurations in use.
    pub gpus_per_config: Vec<(usize, u64)>,
    /// `assign[g][t]`: units of class `g` on instances of type `t`.
    pub assign: Vec<Vec<u64>>,
}

/// Why no packing exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// A class has no admissible type that some configuration offers.
    #[error("class {0} fits no instance type any configuration offers")]
    NoFit(usize),
    /// The solver failed.
    #[error("the packing program could not be solved: {0}")]
    Solver(String),
}

/// Packs `classes` onto GPUs of `configs` (over `types` instance types).
///
/// Up to [`EXACT_UNITS`] units the integer program is solved exactly. Beyond, the LP relaxation is solved,
/// its configuration counts rounded down, and the units those GPUs cannot carry (found by a transportation
/// program) are packed again the same way until few enough remain to solve exactly. The relaxation's ceiling
/// is the lower bound; an answer that meets it is optimal.
pub fn pack(types: usize, configs: &[Config], classes: &[Class]) -> Result<Packing, PackError> {
    for (g, c) in classes.iter().enumerate() {
        let offered = c
            .admissible
            .iter()
            .any(|&t| configs.iter().any(|k| k.counts.get(t).is_some_and(|&n| n > 0)));
        if c.count > 0 && !offered {
            return Err(PackError::NoFit(g));
        }
    }
    let empty = || Packing {
        gpus: 0,
        lower_bound: 0,
        method: Method::Exact,
        gpus_per_config: Vec::new(),
        assign: classes.iter().map(|_| vec![0; types]).collect(),
    };
    if classes.iter().all(|c| c.count == 0) {
        return Ok(empty());
    }
    let relaxed = solve(types, configs, classes, false, None)?;
    let lp: f64 = relaxed.0.iter().sum();
    let lower_bound = (lp - 1e-6).ceil().max(0.0) as u64;
    let units: u64 = classes.iter().map(|c| c.count).sum();
    let vars = configs.len() + classes.iter().map(|c| c.admissible.len()).sum::<usize>();
    let mut x = vec![0.0f64; configs.len()];
    let mut small = units <= EXACT_UNITS && vars <= EXACT_LIMIT;
    if small {
        x = solve(types, configs, classes, true, None)?.0;
    } else {
        let mut left: Vec<Class> = classes.to_vec();
        let mut relaxed_x = relaxed.0;
        for _ in 0..64 {
            let floor: Vec<f64> = relaxed_x.iter().map(|v| (v + 1e-6).floor().max(0.0)).collect();
            let unmet = residual(types, configs, &left, &floor)?;
            for (a, b) in x.iter_mut().zip(&floor) {
                *a += b;
            }
            left = left
                .iter()
                .zip(&unmet)
                .map(|(c, &u)| Class {
                    count: u,
                    admissible: c.admissible.clone(),
                })
                .collect();
            let rest: u64 = left.iter().map(|c| c.count).sum();
            if rest == 0 {
                break;
            }
            if rest <= EXACT_UNITS {
                let e = solve(types, configs, &left, true, None)?.0;
                for (a, b) in x.iter_mut().zip(&e) {
                    *a += b.round();
                }
                break;
            }
            relaxed_x = solve(types, configs, &left, false, None)?.0;
            if floor.iter().all(|v| *v == 0.0) {
                // No whole GPU in the relaxation: round up what is left (always feasible).
                for (a, b) in x.iter_mut().zip(&relaxed_x) {
                    *a += (b - 1e-6).ceil().max(0.0);
                }
                break;
            }
        }
        small = (x.iter().sum::<f64>().round() as u64) == lower_bound;
    }
    // The assignment for these GPUs: a transportation program (integral).
    let (_, assign) = solve(types, configs, classes, true, Some(&x))?;
    let gpus_per_config: Vec<(usize, u64)> = x
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0.5)
        .map(|(c, v)| (c, v.round() as u64))
        .collect();
    let gpus = gpus_per_config.iter().map(|(_, n)| n).sum();
    Ok(Packing {
        gpus,
        lower_bound: lower_bound.min(gpus),
        method: if small { Method::Exact } else { Method::LpRounding },
        gpus_per_config,
        assign,
    })
}

/// Units of each class that `x` GPUs per configuration cannot carry (a transportation program with unmet
/// demand, which has integer optima).
fn residual(types: usize, configs: &[Config], classes: &[Class], x: &[f64]) -> Result<Vec<u64>, PackError> {
    let mut vars = ProblemVariables::new();
    let u: Vec<Variable> = classes
        .iter()
        .map(|c| vars.add(variable().integer().min(0).max(c.count as f64)))
        .collect();
    let y: Vec<Vec<(usize, Variable)>> = classes
        .iter()
        .map(|c| {
            c.admissible
                .iter()
                .map(|&t| (t, vars.add(variable().integer().min(0).max(c.count as f64))))
                .collect()
        })
        .collect();
    let objective: Expression = u.iter().copied().sum();
    let mut model = vars.minimise(objective).using(microlp);
    for (g, c) in classes.iter().enumerate() {
        let e: Expression = y[g].iter().map(|(_, v)| *v).sum::<Expression>() + u[g];
        model = model.with(e.eq(c.count as f64));
    }
    for t in 0..types {
        let used: Expression = y.iter().flatten().filter(|(tt, _)| *tt == t).map(|(_, v)| *v).sum();
        let cap: f64 = configs
            .iter()
            .zip(x)
            .map(|(k, n)| f64::from(k.counts.get(t).copied().unwrap_or(0)) * n)
            .sum();
        model = model.with(used.leq(cap));
    }
    let s = model.solve().map_err(|e| PackError::Solver(e.to_string()))?;
    Ok(u.iter().map(|v| s.value(*v).round().max(0.0) as u64).collect())
}

type Solved = (Vec<f64>, Vec<Vec<u64>>);

fn solve(
    types: usize,
    configs: &[Config],
    classes: &[Class],
    integer: bool,
    fixed: Option<&[f64]>,
) -> Result<Solved, PackError> {
    let mut vars = ProblemVariables::new();
    let big = classes.iter().map(|c| c.count).sum::<u64>() as f64;
    let x: Vec<Variable> = configs
        .iter()
        .enumerate()
        .map(|(c, _)| match fixed {
            Some(f) => vars.add(variable().min(f[c]).max(f[c])),
            None if integer => vars.add(variable().integer().min(0).max(big)),
            None => vars.add(variable().min(0).max(big)),
        })
        .collect();
    let y: Vec<Vec<(usize, Variable)>> = classes
        .iter()
        .map(|c| {
            c.admissible
                .iter()
                .map(|&t| {
                    let v = if integer {
                        vars.add(variable().integer().min(0).max(c.count as f64))
                    } else {
                        vars.add(variable().min(0).max(c.count as f64))
                    };
                    (t, v)
                })
                .collect()
        })
        .collect();
    let objective: Expression = x.iter().copied().sum();
    let mut model = vars.minimise(objective).using(microlp);
    for (g, c) in classes.iter().enumerate() {
        let e: Expression = y[g].iter().map(|(_, v)| *v).sum();
        model = model.with(e.eq(c.count as f64));
    }
    for t in 0..types {
        let used: Expression = y.iter().flatten().filter(|(tt, _)| *tt == t).map(|(_, v)| *v).sum();
        let mut cap = Expression::from(0.0);
        for (c, k) in configs.iter().enumerate() {
            let n = k.counts.get(t).copied().unwrap_or(0);
            if n > 0 {
                cap += f64::from(n) * x[c];
            }
        }
        model = model.with(used.leq(cap));
    }
    let s = model.solve().map_err(|e| PackError::Solver(e.to_string()))?;
    let xs = x.iter().map(|v| s.value(*v).max(0.0)).collect();
    let mut assign = vec![vec![0u64; types]; classes.len()];
    for (g, row) in y.iter().enumerate() {
        for (t, v) in row {
            assign[g][*t] += s.value(*v).round().max(0.0) as u64;
        }
    }
    Ok((xs, assign))
}

/// Whether `gpus_per_config` GPUs can carry the classes: Hall's condition for the transportation problem
/// (for every set of classes, their units fit the instances of the types any of them may take). Exponential in
/// the classes: for tests and small checks.
pub fn feasible(types: usize, configs: &[Config], classes: &[Class], gpus_per_config: &[u64]) -> bool {
    let mut cap = vec![0u64; types];
    for (c, n) in gpus_per_config.iter().enumerate() {
        for (t, k) in configs[c].counts.iter().enumerate() {
            cap[t] += u64::from(*k) * n;
        }
    }
    let g = classes.len();
    (1u32..(1 << g)).all(|mask| {
        let mut types_in = vec![false; types];
        let mut need = 0;
        for (i, c) in classes.iter().enumerate() {
            if mask & (1 << i) != 0 {
                need += c.count;
                for &t in &c.admissible {
                    types_in[t] = true;
                }
            }
        }
        let have: u64 = (0..types).filter(|&t| types_in[t]).map(|t| cap[t]).sum();
        need <= have
    })
}

/// Keeps the configurations no other one dominates (at least as many instances of every type).
pub fn maximal(mut configs: Vec<Config>) -> Vec<Config> {
    configs.sort_by(|a, b| {
        b.counts
            .iter()
            .sum::<u32>()
            .cmp(&a.counts.iter().sum::<u32>())
            .then(a.layout.cmp(&b.layout))
    });
    let mut out: Vec<Config> = Vec::new();
    for c in configs {
        let dominated = out.iter().any(|o| o.counts.iter().zip(&c.counts).all(|(a, b)| a >= b));
        if !dominated {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(counts: &[u32]) -> Config {
        Config {
            counts: counts.to_vec(),
            layout: format!("{counts:?}"),
        }
    }

    /// The smallest GPU count any multiset of configurations carrying the classes has, by enumeration.
    fn brute_force(types: usize, configs: &[Config], classes: &[Class], max: u64) -> u64 {
        fn rec(types: usize, configs: &[Config], classes: &[Class], n: &mut Vec<u64>, i: usize, left: u64) -> bool {
            if i == configs.len() {
                return feasible(types, configs, classes, n);
            }
            for k in 0..=left {
                n[i] = k;
                if rec(types, configs, classes, n, i + 1, left - k) {
                    return true;
                }
            }
            n[i] = 0;
            false
        }
        (0..=max)
            .find(|&g| {
                let mut n = vec![0; configs.len()];
                // Exactly g GPUs: spend all but allow idle ones by the <= of rec (left unspent = fewer GPUs found earlier).
                rec(types, configs, classes, &mut n, 0, g)
            })
            .unwrap_or(u64::MAX)
    }

    #[test]
    fn hand_computed_two_types() {
        // Type 0 holds a big unit, type 1 a small one. Config A: 4 small; B: 1 big + 2 small; C: 2 big.
        let configs = vec![cfg(&[0, 4]), cfg(&[1, 2]), cfg(&[2, 0])];
        // 3 big units (type 0 only), 6 small ones (type 0 or 1): B + C carries 3 big + 2 small, A the other 4:
        // 3 GPUs. Capacity alone says 3 big need 1.5 GPUs of C and 6 small 1.5 of A, so 3 is also the bound.
        let classes = vec![
            Class {
                count: 3,
                admissible: vec![0],
            },
            Class {
                count: 6,
                admissible: vec![0, 1],
            },
        ];
        let p = pack(2, &configs, &classes).unwrap();
        assert_eq!((p.gpus, p.lower_bound, p.method), (3, 3, Method::Exact));
        let n: Vec<u64> = (0..3)
            .map(|c| p.gpus_per_config.iter().find(|(i, _)| *i == c).map_or(0, |x| x.1))
            .collect();
        assert!(feasible(2, &configs, &classes, &n));
        assert_eq!(p.assign[0][0], 3);
        assert_eq!(p.assign[1].iter().sum::<u64>(), 6);
    }

    #[test]
    fn integer_program_matches_brute_force_on_small_mixes() {
        let configs = vec![
            cfg(&[7, 0, 0]),
            cfg(&[3, 2, 0]),
            cfg(&[1, 1, 1]),
            cfg(&[0, 0, 2]),
            cfg(&[0, 4, 0]),
        ];
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            seed >> 33
        };
        for _ in 0..40 {
            let classes: Vec<Class> = (0..3)
                .map(|g| {
                    let lo = g.min(2);
                    Class {
                        count: next() % 9,
                        admissible: (lo..3).collect(),
                    }
                })
                .collect();
            let p = pack(3, &configs, &classes).unwrap();
            let bf = brute_force(3, &configs, &classes, 12);
            assert_eq!(p.gpus, bf, "{classes:?}");
            assert!(p.lower_bound <= p.gpus);
        }
    }

    #[test]
    fn a_class_that_fits_nothing_is_an_error() {
        let e = pack(
            2,
            &[cfg(&[1, 0])],
            &[Class {
                count: 1,
                admissible: vec![1],
            }],
        )
        .unwrap_err();
        assert_eq!(e, PackError::NoFit(0));
    }

    #[test]
    fn dominated_configurations_are_dropped() {
        let m = maximal(vec![cfg(&[1, 0]), cfg(&[1, 1]), cfg(&[0, 2])]);
        let counts: Vec<Vec<u32>> = m.into_iter().map(|c| c.counts).collect();
        assert_eq!(counts, vec![vec![0, 2], vec![1, 1]]);
    }
}
