//! `halls[]` in report.json: racks, rows, kW and links per data hall, and the links between halls.

use crate::plan::Plan;
use gigapod_catalog::units::Kilowatts;
use serde::Serialize;
use std::collections::HashMap;

/// One entry of `halls[]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HallReport {
    /// `H1`, `H2`, ...
    pub id: String,
    /// Racks in the hall.
    pub racks: u32,
    /// Rows in the hall.
    pub rows: u32,
    /// IT power of its racks (devices and the pluggables the cable plan put in them).
    pub kw: Kilowatts,
    /// Floor area of its positions, m².
    pub area_m2: f64,
    /// Links with both ends in the hall.
    pub links: u64,
    /// Links with one end in the hall and the other in another.
    pub inter_hall_links: u64,
    /// Site coordinates of the hall's corner, m (east, north).
    pub origin_m: (f64, f64),
    /// Width and depth, m.
    pub size_m: (f64, f64),
}

/// The halls of a plan; `None` when the floor is one hall (no `facility.hall_*` limit).
pub fn halls(plan: &Plan) -> Option<Vec<HallReport>> {
    let h = plan.layout.halls.as_ref()?;
    let index: HashMap<&str, usize> = plan
        .layout
        .racks
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let hall = |rack: &str| index.get(rack).map(|&i| h.rack_hall[i] as usize);
    let mut links = vec![0u64; h.halls.len()];
    let mut inter = vec![0u64; h.halls.len()];
    for run in &plan.cables.runs {
        match (hall(&run.a_rack), hall(&run.b_rack)) {
            (Some(a), Some(b)) if a == b => links[a] += 1,
            (Some(a), Some(b)) => {
                inter[a] += 1;
                inter[b] += 1;
            }
            _ => {}
        }
    }
    let mut kw = vec![0.0f64; h.halls.len()];
    for (i, r) in plan.facility.racks.iter().enumerate() {
        if let Some(&x) = h.rack_hall.get(i) {
            kw[x as usize] += r.kw.0;
        }
    }
    Some(
        h.halls
            .iter()
            .enumerate()
            .map(|(i, x)| HallReport {
                id: x.id.clone(),
                racks: x.racks,
                rows: x.rows,
                kw: Kilowatts(kw[i]),
                area_m2: x.area_m2,
                links: links[i],
                inter_hall_links: inter[i],
                origin_m: x.origin_m,
                size_m: x.size_m,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cabling::{self, CageForms};
    use crate::media::MediaChoice;
    use crate::{Planner, Spec};
    use gigapod_catalog::Catalog;

    fn spec(hall_racks: Option<u32>, spacing: f64) -> Spec {
        let mut s = Spec::builder("halls", "g593-h200").scalable_units(16);
        if let Some(n) = hall_racks {
            s = s.hall_racks(n);
        }
        let mut s = s.build();
        s.facility.hall_spacing_m = Some(spacing);
        // The storage fabric's leaves stand in the management racks, in one hall: not what this test is about.
        s.storage.fabric = crate::networks::StorageFabric::None;
        s
    }

    /// The reach of a media choice, from its catalog parts alone: a cable's longest length; for optics the
    /// shorter module and the fibre's longest length.
    fn reach(c: &Catalog, choice: &MediaChoice) -> f64 {
        match choice {
            MediaChoice::Cable { cable_id, .. } => c.cable(cable_id).unwrap().max_length().0,
            MediaChoice::Optics {
                a_transceiver,
                b_transceiver,
                fiber_id,
                ..
            } => {
                let m = |id: &str| c.transceiver(id).unwrap().reach_m.value.0;
                m(a_transceiver)
                    .min(m(b_transceiver))
                    .min(c.cable(fiber_id).unwrap().max_length().0)
            }
        }
    }

    #[test]
    fn a_hall_split_never_puts_a_link_beyond_its_mediums_reach() {
        let catalog = Catalog::builtin();
        // 16 SUs (three tiers) in halls of at most 40 racks, 10 m apart: spine-core links cross halls. (The
        // in-band and OOB networks are wired to one management rack, in copper up to 100 m: halls much farther
        // apart fail on those runs until the networks are planned per hall.)
        let p = Planner::new(catalog).plan(&spec(Some(40), 10.0)).unwrap();
        let halls = halls(&p).expect("halls");
        assert!(halls.len() >= 4, "{} halls", halls.len());
        assert!(halls.iter().all(|h| h.racks <= 40));
        let r = &p.resolved;
        let forms = CageForms::of(r);
        let groups = cabling::group_links(&p.fabric, &p.layout, &forms);
        let choices = cabling::choose_media(&groups, catalog, &forms, p.fabric.speed()).unwrap();
        let mut crossing = 0;
        for (g, choice) in groups.groups.iter().zip(&choices) {
            let longest = g.links.iter().map(|(_, l)| *l).fold(0.0, f64::max);
            assert!(longest <= reach(catalog, choice) + 1e-9, "{longest} m on {choice:?}");
            crossing += g.links.len();
        }
        assert!(crossing > 0);
        assert!(
            halls.iter().map(|h| h.inter_hall_links).sum::<u64>() > 0,
            "links cross halls"
        );
        // A switch-to-switch run between halls beyond MPO single-mode's 500 m takes 2 km FR4 modules on LC fibre.
        let run = forms.run(
            false,
            2,
            true,
            p.fabric.speed(),
            gigapod_catalog::units::Meters(1_500.0),
        );
        let far = crate::media::choose(catalog, &run).unwrap();
        assert!(reach(catalog, &far) >= 1_500.0);
        assert!(
            matches!(&far, MediaChoice::Optics { fiber_id, a_transceiver, .. }
            if fiber_id == "fiber-lc-sm" && a_transceiver == "mms4x50-nm"),
            "{far:?}"
        );
        // Every run as cabled: routed within its orderable length, and the part reaches it.
        for run in &p.cables.runs {
            assert!(run.routed_m.0 <= run.length_m.0 + 1e-9);
            assert!(run.length_m.0 <= catalog.cable(&run.part_id).unwrap().max_length().0 + 1e-9);
        }
        // Kilowatts and links per hall add up to the plan's.
        let kw: f64 = halls.iter().map(|h| h.kw.0).sum();
        approx::assert_relative_eq!(kw, p.facility.racks.iter().map(|r| r.kw.0).sum::<f64>(), epsilon = 1e-6);
        let links: u64 = halls.iter().map(|h| h.links + h.inter_hall_links).sum::<u64>()
            - halls.iter().map(|h| h.inter_hall_links).sum::<u64>() / 2;
        assert_eq!(links, p.cables.runs.len() as u64);
        // SUs are never split across halls.
        for su in 0..16 {
            let hs: std::collections::BTreeSet<u32> = p
                .layout
                .racks
                .iter()
                .enumerate()
                .filter(|(_, r)| r.su == Some(su) && r.kind == crate::layout::RackKind::Compute)
                .map(|(i, _)| p.layout.hall_of_rack(i))
                .collect();
            assert_eq!(hs.len(), 1, "SU {su} in halls {hs:?}");
        }
    }

    #[test]
    fn no_hall_limit_is_one_hall_as_before() {
        let p = Planner::new(Catalog::builtin()).plan(&spec(None, 10.0)).unwrap();
        assert!(halls(&p).is_none());
        assert!(p.layout.halls.is_none());
    }

    #[test]
    fn a_row_larger_than_a_hall_is_refused_at_the_key() {
        let spec = Spec::parse(gigapod_catalog::SourceFile::new(
            "h.toml",
            "name = \"h\"\n[compute]\nserver = \"g593-h200\"\nscalable_units = 4\n[facility]\nhall_racks = 5\n",
        ))
        .unwrap();
        let e = Planner::new(Catalog::builtin()).plan(&spec).unwrap_err();
        let d = e.diagnostics().expect("diagnostics");
        assert_eq!(d.0[0].key.as_deref(), Some("facility.hall_racks"), "{d:?}");
        assert!(e.to_string().contains("more than a hall takes (5 racks)"), "{e}");
    }
}
