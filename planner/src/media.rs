//! Which cable or optics a link gets, from its length, its ends and the catalog.
//!
//! The choice is made per switch cage, not per link: a twin-port OSFP cage holds one module or one cable for
//! both of its logical ports, so both links of a cage share one medium, chosen by the longer of the two.
//! Preference order, cheapest and coolest first: passive copper (DAC), active copper (ACC), active optical
//! (AOC), then a transceiver at each end joined by fibre, multimode before single-mode, shortest reach first.
//! Every candidate comes from the catalog by its connector forms, speed and reach: nothing here names a part.

use gigapod_catalog::units::{Gbps, Meters};
use gigapod_catalog::{Cable, CableMedia, Catalog, FiberMedia, PartKind, Transceiver};
use serde::Serialize;

/// The links of one cage that must share a medium.
#[derive(Debug, Clone, PartialEq)]
pub struct CageRun<'a> {
    /// Connector form of the cage (`osfp-twin`).
    pub a_form: &'a str,
    /// Connector form at the far end (`osfp` for a NIC, `osfp-twin` for a switch cage).
    pub b_form: &'a str,
    /// Logical links through the cage (1 or 2).
    pub links: u32,
    /// True when every link of the cage ends in one far cage (so one twin-to-twin cable can carry them).
    pub one_far_cage: bool,
    /// Speed of each link.
    pub speed: Gbps,
    /// The longest link of the cage, routed, with slack.
    pub length: Meters,
}

/// The chosen medium for a cage's links.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum MediaChoice {
    /// One copper or active optical cable carries the cage's links (a breakout when it fans out).
    Cable {
        /// `dac`, `acc` or `aoc`.
        media: CableMedia,
        /// Catalog id of the cable family.
        cable_id: String,
        /// Orderable length: the shortest at least the run's length.
        length_m: Meters,
        /// Cables needed for the cage's links.
        cables: u32,
    },
    /// A transceiver in the cage, one at each far end, and a fibre per link.
    Optics {
        /// Multimode or single-mode.
        fiber: FiberMedia,
        /// Module in the cage.
        a_transceiver: String,
        /// Module at each far end.
        b_transceiver: String,
        /// Far-end modules: one per far cage.
        b_transceivers: u32,
        /// Fibre family.
        fiber_id: String,
        /// Orderable fibre length.
        length_m: Meters,
        /// Fibres: one per link.
        fibers: u32,
    },
}

impl MediaChoice {
    /// The contract's `cables.by_type` key: `dac`, `acc`, `aoc` or `optic`.
    pub fn kind(&self) -> &'static str {
        match self {
            MediaChoice::Cable {
                media: CableMedia::Dac, ..
            } => "dac",
            MediaChoice::Cable {
                media: CableMedia::Acc, ..
            } => "acc",
            MediaChoice::Cable { .. } => "aoc",
            MediaChoice::Optics { .. } => "optic",
        }
    }
}

/// No catalog medium reaches.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "no cable or optics in the catalog joins `{a_form}` to `{b_form}` at {speed} over {length}: {}",
    reach(*.longest)
)]
pub struct NoMedia {
    /// Cage form.
    pub a_form: String,
    /// Far form.
    pub b_form: String,
    /// Link speed.
    pub speed: Gbps,
    /// Required length.
    pub length: Meters,
    /// The longest reach any matching medium has.
    pub longest: Meters,
}

/// The end of the no-medium message: the longest reach, or that nothing of these forms and speed exists at all
/// (a "longest reach is 0 m" read as if the catalog's other, longer cables did not count).
fn reach(longest: Meters) -> String {
    if longest.0 > 0.0 {
        format!("the longest reach is {longest}")
    } else {
        "the catalog has no cable or optics of these two forms at this speed, of any length (check end_a, end_b and speed_gbps)".into()
    }
}

fn shortest_fit(lengths: &[Meters], need: Meters) -> Option<Meters> {
    lengths
        .iter()
        .copied()
        .filter(|l| l.0 + 1e-9 >= need.0)
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

/// Chooses the medium for a cage's links.
///
/// ```
/// use gigapod_catalog::{Catalog, units::{Gbps, Meters}};
/// use gigapod_planner::media::{choose, CageRun};
/// let run = CageRun { a_form: "osfp-twin", b_form: "osfp", links: 2, one_far_cage: false, speed: Gbps(400), length: Meters(2.2) };
/// assert_eq!(choose(Catalog::builtin(), &run).unwrap().kind(), "dac");
/// let far = CageRun { length: Meters(30.0), ..run };
/// assert_eq!(choose(Catalog::builtin(), &far).unwrap().kind(), "optic");
/// ```
pub fn choose(catalog: &Catalog, run: &CageRun<'_>) -> Result<MediaChoice, NoMedia> {
    let mut longest = Meters(0.0);
    let cables: Vec<&Cable> = catalog
        .iter(Some(PartKind::Cable))
        .filter_map(|e| catalog.cable(e.part.id().as_str()))
        .collect();
    let rank = |m: CableMedia| match m {
        CableMedia::Dac => 0,
        CableMedia::Acc => 1,
        CableMedia::Aoc => 2,
        CableMedia::Fiber => 3,
    };
    let mut copper: Vec<&Cable> = cables
        .iter()
        .copied()
        .filter(|c| c.media != CableMedia::Fiber && c.speed_gbps.value == run.speed)
        .filter(|c| c.end_a == run.a_form && c.end_b == run.b_form)
        .collect();
    copper.sort_by_key(|c| (rank(c.media), c.id.clone()));
    for c in copper {
        // A twin-to-twin cable carries both links only if they end in one far cage; a breakout fans out to
        // one far connector per link; a single-link cable (AOC) serves one link each.
        let per_cable = c.links.value;
        let fits_shape = if c.end_b == run.a_form {
            run.one_far_cage && per_cable >= run.links
        } else {
            per_cable >= run.links || per_cable == 1
        };
        if !fits_shape {
            continue;
        }
        longest = Meters(longest.0.max(c.max_length().0));
        if let Some(length_m) = shortest_fit(&c.lengths_m.value, run.length) {
            return Ok(MediaChoice::Cable {
                media: c.media,
                cable_id: c.id.to_string(),
                length_m,
                cables: run.links.div_ceil(per_cable),
            });
        }
    }
    let transceivers: Vec<&Transceiver> = catalog
        .iter(Some(PartKind::Transceiver))
        .filter_map(|e| catalog.transceiver(e.part.id().as_str()))
        .filter(|t| t.speed_gbps.value == run.speed)
        .collect();
    let mut options = Vec::new();
    // The cage's module must carry every link of the cage (a twin-port module may leave one port idle); so must
    // a far switch cage's. A far NIC port's module carries its one link.
    let far_links = if run.b_form == run.a_form { run.links } else { 1 };
    for a in transceivers
        .iter()
        .filter(|t| t.form == run.a_form && t.links.value >= run.links)
    {
        for b in transceivers
            .iter()
            .filter(|t| t.form == run.b_form && t.media == a.media && t.links.value >= far_links)
        {
            for f in cables
                .iter()
                .filter(|c| c.media == CableMedia::Fiber && c.fiber == Some(a.media))
            {
                let reach = Meters(a.reach_m.value.0.min(b.reach_m.value.0).min(f.max_length().0));
                longest = Meters(longest.0.max(reach.0));
                if reach.0 + 1e-9 < run.length.0 {
                    continue;
                }
                if let Some(length_m) = shortest_fit(&f.lengths_m.value, run.length) {
                    let media_rank = u8::from(a.media == FiberMedia::Singlemode);
                    options.push(((media_rank, reach.0), a, b, f, length_m));
                }
            }
        }
    }
    options.sort_by(|x, y| x.0.0.cmp(&y.0.0).then(x.0.1.total_cmp(&y.0.1)));
    if let Some((_, a, b, f, length_m)) = options.into_iter().next() {
        let b_transceivers = if run.one_far_cage {
            1
        } else {
            run.links.div_ceil(b.links.value)
        };
        return Ok(MediaChoice::Optics {
            fiber: a.media,
            a_transceiver: a.id.to_string(),
            b_transceiver: b.id.to_string(),
            b_transceivers,
            fiber_id: f.id.to_string(),
            length_m,
            fibers: run.links,
        });
    }
    Err(NoMedia {
        a_form: run.a_form.into(),
        b_form: run.b_form.into(),
        speed: run.speed,
        length: run.length,
        longest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(b_form: &'static str, one_far_cage: bool, length: f64) -> CageRun<'static> {
        CageRun {
            a_form: "osfp-twin",
            b_form,
            links: 2,
            one_far_cage,
            speed: Gbps(400),
            length: Meters(length),
        }
    }

    fn pick(r: &CageRun<'_>) -> MediaChoice {
        choose(Catalog::builtin(), r).unwrap()
    }

    #[test]
    fn server_links_use_a_breakout_dac_within_three_metres() {
        match pick(&run("osfp", false, 2.3)) {
            MediaChoice::Cable {
                media,
                length_m,
                cables,
                ..
            } => {
                assert_eq!(media, CableMedia::Dac);
                assert_eq!(length_m, Meters(2.5));
                assert_eq!(cables, 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn server_links_beyond_copper_use_multimode_optics() {
        match pick(&run("osfp", false, 12.0)) {
            MediaChoice::Optics {
                fiber,
                b_transceivers,
                fibers,
                length_m,
                ..
            } => {
                assert_eq!(fiber, FiberMedia::Multimode);
                assert_eq!((b_transceivers, fibers), (2, 2));
                assert_eq!(length_m, Meters(15.0));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn switch_to_switch_copper_needs_one_far_cage() {
        assert_eq!(pick(&run("osfp-twin", true, 1.8)).kind(), "dac");
        assert_eq!(pick(&run("osfp-twin", true, 4.5)).kind(), "acc");
        // Two far cages: no twin-to-twin cable can split, so optics even at 1.8 m.
        assert_eq!(pick(&run("osfp-twin", false, 1.8)).kind(), "optic");
    }

    #[test]
    fn beyond_multimode_reach_is_single_mode() {
        match pick(&run("osfp-twin", false, 80.0)) {
            MediaChoice::Optics { fiber, .. } => assert_eq!(fiber, FiberMedia::Singlemode),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_cage_module_must_carry_both_of_its_links() {
        // Two 400G links in one cage take the twin-port module, never the single-port NIC-side one.
        match pick(&run("osfp", false, 20.0)) {
            MediaChoice::Optics { a_transceiver, .. } => assert_eq!(a_transceiver, "mma4z00-ns"),
            other => panic!("{other:?}"),
        }
        let one = CageRun {
            links: 1,
            ..run("osfp", false, 20.0)
        };
        assert_eq!(pick(&one).kind(), "optic");
    }

    #[test]
    fn nothing_reaches_three_kilometres() {
        let e = choose(Catalog::builtin(), &run("osfp-twin", false, 3000.0)).unwrap_err();
        assert!(e.longest.0 >= 500.0, "{e}");
    }
}
