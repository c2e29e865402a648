//! Which cable or optics a link gets, from its length, its ends and the catalog.
//!
//! The choice is made per switch cage, not per link: a twin-port OSFP cage holds one module or one cable for
//! both of its logical ports, so both links of a cage share one medium, chosen by the longer of the two.
//! Preference order, cheapest and coolest first: passive copper (DAC), active copper (ACC), active optical
//! (AOC), then a transceiver at each end joined by fibre, multimode before single-mode, shortest reach first.
//! Every candidate comes from the catalog by its connector forms, speed and reach: nothing here names a part.
//!
//! The catalog also constrains the choice:
//! - heat-sink form: a module or cable plug must match what its cage takes (finned IHS in air-cooled switch
//!   cages, flat-top RHS in DGX, ConnectX and liquid-cooled switch cages), [`HeatSink::fits`];
//! - protocol: a part marked for one protocol (XDR parts are InfiniBand-only) serves only that fabric;
//! - media rules ([`gigapod_catalog::MediaRule`]): media a rule forbids at the link's speed and protocol are
//!   never chosen (XDR: no multimode, no AOC, no DAC), and a part rated faster than the link may run it slower
//!   only if no rule says parts at its rate cannot downshift (200G-PAM4 parts cannot);
//! - fibre between two modules is a straight patch cord (same connector at both ends); splitter fibres are
//!   catalogued for the bill of materials of other designs but never carry one link.

use gigapod_catalog::units::{Gbps, Meters};
use gigapod_catalog::{Cable, CableMedia, Catalog, FiberMedia, HeatSink, MediaClass, PartKind, Transceiver};
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
    /// The fabric's protocol (`infiniband`, `ethernet`), for protocol-bound parts and media rules.
    pub protocol: &'a str,
    /// The heat-sink form the cage takes (`None`: any).
    pub a_sink: Option<HeatSink>,
    /// The heat-sink form the far cages take (`None`: any).
    pub b_sink: Option<HeatSink>,
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
            MediaChoice::Cable {
                media: CableMedia::Cat6,
                ..
            } => "cat6",
            MediaChoice::Cable { .. } => "aoc",
            MediaChoice::Optics { .. } => "optic",
        }
    }
}

/// No catalog medium reaches.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "no cable or optics in the catalog joins `{a_form}`{} to `{b_form}`{} at {speed} over {length}{}{}: {}; the catalog lacks {}",
    sink_phrase(*a_sink), sink_phrase(*b_sink), link.as_ref().map_or(String::new(), |l| format!(" ({l})")),
    rule_phrase(forbidden), reach(*longest), missing_part(self)
)]
pub struct NoMedia {
    /// Heat-sink form of the cage.
    pub a_sink: Option<HeatSink>,
    /// Heat-sink form of the far cages.
    pub b_sink: Option<HeatSink>,
    /// Media the catalog's rules forbid for this link.
    pub forbidden: Vec<MediaClass>,
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
    /// The first link that needs it, both ends named, when the caller knows them.
    pub link: Option<Box<str>>,
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

fn sink_phrase(s: Option<HeatSink>) -> String {
    s.map(|s| format!(" ({s} top)")).unwrap_or_default()
}

fn rule_phrase(forbidden: &[MediaClass]) -> String {
    if forbidden.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = forbidden.iter().map(|m| m.to_string()).collect();
        format!(" (the catalog's media rules forbid {} here)", names.join(", "))
    }
}

/// The part that would make the link possible, in words.
fn missing_part(e: &NoMedia) -> String {
    let top = |s: Option<HeatSink>| s.map(|s| format!("{s}-top ")).unwrap_or_default();
    format!(
        "a {}`{}` transceiver and a {}`{}` one for {} links (or a cable joining the two), reaching {}",
        top(e.a_sink),
        e.a_form,
        top(e.b_sink),
        e.b_form,
        e.speed,
        e.length
    )
}

/// Whether a medium of class `m` is allowed for the run, and whether a part rated `part` may carry it.
struct Rules {
    forbidden: Vec<MediaClass>,
    no_downshift: Vec<Gbps>,
}

impl Rules {
    fn of(catalog: &Catalog, run: &CageRun<'_>) -> Self {
        let mut forbidden: Vec<MediaClass> = catalog
            .media_rules()
            .filter(|r| r.covers(run.speed, run.protocol))
            .flat_map(|r| r.forbid.value.iter().copied())
            .collect();
        forbidden.sort_unstable();
        forbidden.dedup();
        let no_downshift = catalog
            .media_rules()
            .filter(|r| r.no_downshift.value)
            .map(|r| r.speed_gbps.value)
            .collect();
        Self {
            forbidden,
            no_downshift,
        }
    }

    fn allows(&self, m: MediaClass) -> bool {
        !self.forbidden.contains(&m)
    }

    /// A part rated `part` carries a link at `link`: the same rate, or a faster part that may downshift.
    fn speed_ok(&self, part: Gbps, link: Gbps) -> bool {
        part == link || (part > link && !self.no_downshift.contains(&part))
    }
}

/// Whether a part rated `part` may carry a link at `link` under the catalog's media rules: the same rate, or a
/// faster part whose rate no rule forbids to downshift.
pub fn speed_fits(catalog: &Catalog, part: Gbps, link: Gbps) -> bool {
    part == link
        || (part > link
            && !catalog
                .media_rules()
                .any(|r| r.no_downshift.value && r.speed_gbps.value == part))
}

fn protocol_ok(part: Option<&str>, run: &CageRun<'_>) -> bool {
    part.is_none_or(|p| p == run.protocol)
}

fn class_of_cable(c: &Cable) -> MediaClass {
    match (c.media, c.fiber) {
        (CableMedia::Dac, _) => MediaClass::Dac,
        (CableMedia::Acc, _) => MediaClass::Acc,
        (CableMedia::Aoc, _) => MediaClass::Aoc,
        (CableMedia::Cat6, _) => MediaClass::Dac,
        (CableMedia::Fiber, Some(FiberMedia::Multimode)) => MediaClass::Multimode,
        (CableMedia::Fiber, _) => MediaClass::Singlemode,
    }
}

fn class_of_fiber(f: FiberMedia) -> MediaClass {
    match f {
        FiberMedia::Multimode => MediaClass::Multimode,
        FiberMedia::Singlemode => MediaClass::Singlemode,
    }
}

fn sink(s: &Option<gigapod_catalog::Sourced<HeatSink>>) -> Option<HeatSink> {
    s.as_ref().map(|h| h.value)
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
/// let run = CageRun { a_form: "osfp-twin", b_form: "osfp", links: 2, one_far_cage: false, speed: Gbps(400),
///     length: Meters(2.2), protocol: "infiniband", a_sink: None, b_sink: None };
/// assert_eq!(choose(Catalog::builtin(), &run).unwrap().kind(), "dac");
/// let far = CageRun { length: Meters(30.0), ..run };
/// assert_eq!(choose(Catalog::builtin(), &far).unwrap().kind(), "optic");
/// ```
pub fn choose(catalog: &Catalog, run: &CageRun<'_>) -> Result<MediaChoice, NoMedia> {
    let mut longest = Meters(0.0);
    let rules = Rules::of(catalog, run);
    let cables: Vec<&Cable> = catalog
        .iter(Some(PartKind::Cable))
        .filter_map(|e| catalog.cable(e.part.id().as_str()))
        .collect();
    let rank = |m: CableMedia| match m {
        CableMedia::Dac => 0,
        CableMedia::Acc => 1,
        CableMedia::Aoc => 2,
        CableMedia::Fiber => 3,
        CableMedia::Cat6 => 0,
    };
    let mut copper: Vec<&Cable> = cables
        .iter()
        .copied()
        .filter(|c| c.media != CableMedia::Fiber && rules.speed_ok(c.speed_gbps.value, run.speed))
        .filter(|c| c.end_a == run.a_form && c.end_b == run.b_form)
        .filter(|c| rules.allows(class_of_cable(c)) && protocol_ok(c.protocol.as_deref(), run))
        .filter(|c| {
            HeatSink::fits(sink(&c.end_a_heat_sink), run.a_sink) && HeatSink::fits(sink(&c.end_b_heat_sink), run.b_sink)
        })
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
        .filter(|t| rules.speed_ok(t.speed_gbps.value, run.speed))
        .filter(|t| rules.allows(class_of_fiber(t.media)) && protocol_ok(t.protocol.as_deref(), run))
        .collect();
    let mut options = Vec::new();
    // The cage's module must carry every link of the cage (a twin-port module may leave one port idle); so must
    // a far switch cage's. A far NIC port's module carries its one link.
    let far_links = if run.b_form == run.a_form { run.links } else { 1 };
    for a in transceivers
        .iter()
        .filter(|t| t.form == run.a_form && t.links.value >= run.links)
        .filter(|t| HeatSink::fits(sink(&t.heat_sink), run.a_sink))
    {
        for b in transceivers
            .iter()
            .filter(|t| t.form == run.b_form && t.media == a.media && t.links.value >= far_links)
            .filter(|t| HeatSink::fits(sink(&t.heat_sink), run.b_sink))
        {
            // A straight patch cord: the same connector at both ends, one link each.
            for f in cables
                .iter()
                .filter(|c| c.media == CableMedia::Fiber && c.fiber == Some(a.media) && c.end_a == c.end_b)
                .filter(|c| c.end_a == a.fiber_connector() && c.end_a == b.fiber_connector())
                .filter(|c| protocol_ok(c.protocol.as_deref(), run))
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
        a_sink: run.a_sink,
        b_sink: run.b_sink,
        forbidden: rules.forbidden,
        a_form: run.a_form.into(),
        b_form: run.b_form.into(),
        speed: run.speed,
        length: run.length,
        longest,
        link: None,
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
            protocol: "infiniband",
            a_sink: Some(HeatSink::Finned),
            b_sink: Some(if b_form == "osfp" {
                HeatSink::Flat
            } else {
                HeatSink::Finned
            }),
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

    fn xdr(b_form: &'static str, one_far_cage: bool, length: f64) -> CageRun<'static> {
        CageRun {
            speed: Gbps(800),
            b_sink: Some(if b_form == "osfp" {
                HeatSink::Flat
            } else {
                HeatSink::Finned
            }),
            ..run(b_form, one_far_cage, length)
        }
    }

    #[test]
    fn xdr_server_links_are_lacc_splitters_or_single_mode_with_a_flat_top_at_connectx8() {
        match pick(&xdr("osfp", false, 1.6)) {
            MediaChoice::Cable { media, cable_id, .. } => {
                assert_eq!(media, CableMedia::Acc);
                let c = Catalog::builtin().cable(&cable_id).unwrap();
                assert_eq!(c.end_b_heat_sink.as_ref().unwrap().value, HeatSink::Flat);
            }
            other => panic!("{other:?}"),
        }
        match pick(&xdr("osfp", false, 12.0)) {
            MediaChoice::Optics {
                fiber,
                a_transceiver,
                b_transceiver,
                ..
            } => {
                assert_eq!(fiber, FiberMedia::Singlemode);
                let cat = Catalog::builtin();
                let sink = |id: &str| cat.transceiver(id).unwrap().heat_sink.as_ref().unwrap().value;
                assert_eq!(
                    (sink(&a_transceiver), sink(&b_transceiver)),
                    (HeatSink::Finned, HeatSink::Flat)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn xdr_switch_links_are_lacc_within_three_metres_then_single_mode() {
        assert_eq!(pick(&xdr("osfp-twin", true, 2.5)).kind(), "acc");
        for far in [false, true] {
            match pick(&xdr("osfp-twin", far, 30.0)) {
                MediaChoice::Optics { fiber, .. } => assert_eq!(fiber, FiberMedia::Singlemode),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn the_xdr_rule_keeps_dac_and_multimode_out_even_when_the_catalog_has_them() {
        // A user catalog offering an 800G DAC and an 800G multimode pair: the rule forbids both on XDR.
        let extra = r#"
[[cable]]
id = "dac-800g"
description = "d"
vendor = "v"
media = "dac"
end_a = "osfp-twin"
end_b = "osfp-twin"
links = 2
speed_gbps = 800
lengths_m = [1.0, 2.0]
power_per_end_w = 0.1

[[transceiver]]
id = "mm-800g"
description = "d"
vendor = "v"
form = "osfp-twin"
media = "multimode"
links = 2
speed_gbps = 800
reach_m = 50
power_w = 15
"#;
        let cat = Catalog::with_user_files(vec![gigapod_catalog::SourceFile::new("x.toml", extra)]).unwrap();
        let near = choose(&cat, &xdr("osfp-twin", true, 1.0)).unwrap();
        assert_eq!(near.kind(), "acc", "{near:?}");
        match choose(&cat, &xdr("osfp-twin", false, 20.0)).unwrap() {
            MediaChoice::Optics { fiber, .. } => assert_eq!(fiber, FiberMedia::Singlemode),
            other => panic!("{other:?}"),
        }
        // On Ethernet at 800G the InfiniBand rule does not apply, so the DAC is allowed there.
        let eth = CageRun {
            protocol: "ethernet",
            ..xdr("osfp-twin", true, 1.0)
        };
        assert_eq!(choose(&cat, &eth).unwrap().kind(), "dac");
    }

    #[test]
    fn parts_at_200g_pam4_cannot_downshift_but_ndr_parts_can() {
        // A 400G link between two twin-port cages could be carried by 800G XDR parts only by downshifting.
        let ndr_only_xdr = CageRun {
            speed: Gbps(400),
            ..xdr("osfp-twin", true, 2.5)
        };
        let c = pick(&ndr_only_xdr);
        let id = match &c {
            MediaChoice::Cable { cable_id, .. } => cable_id.clone(),
            MediaChoice::Optics { a_transceiver, .. } => a_transceiver.clone(),
        };
        let speed = Catalog::builtin()
            .cable(&id)
            .map(|c| c.speed_gbps.value)
            .or_else(|| Catalog::builtin().transceiver(&id).map(|t| t.speed_gbps.value));
        assert_eq!(speed, Some(Gbps(400)), "{c:?}");
        // A 200G single link may run on a 400G NDR module (it can downshift).
        let slow = CageRun {
            speed: Gbps(200),
            links: 1,
            ..run("osfp", false, 20.0)
        };
        assert_eq!(pick(&slow).kind(), "optic");
        // Beyond every XDR reach the error names the rule and the modules that are missing.
        let e = choose(Catalog::builtin(), &xdr("osfp", false, 3000.0)).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("forbid dac, aoc, multimode"), "{text}");
        assert!(text.contains("flat-top `osfp` one"), "{text}");
    }

    #[test]
    fn a_module_goes_only_into_a_cage_of_its_heat_sink() {
        // A flat-top switch cage (liquid-cooled switch) cannot take the finned NDR modules or DAC plugs.
        let flat = CageRun {
            a_sink: Some(HeatSink::Flat),
            b_sink: Some(HeatSink::Flat),
            ..run("osfp-twin", false, 20.0)
        };
        match pick(&flat) {
            MediaChoice::Optics {
                a_transceiver,
                b_transceiver,
                ..
            } => {
                assert_eq!(a_transceiver, "mma4z00-ns-flt");
                assert_eq!(b_transceiver, "mma4z00-ns-flt");
            }
            other => panic!("{other:?}"),
        }
        let near = CageRun {
            one_far_cage: true,
            length: Meters(1.0),
            ..flat
        };
        assert_eq!(pick(&near).kind(), "optic", "finned DAC plugs do not fit flat cages");
    }
}
