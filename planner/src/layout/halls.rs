//! Halls: the floor split into data halls by the site's limits (`facility.hall_racks`, `hall_area_m2`,
//! `hall_mw`), and the distance model for links between halls.
//!
//! **Split.** Rows are taken in floor order (an SU block never straddles rows, so an SU never straddles halls)
//! and fill a hall until the next row would break one of its limits; then a new hall starts. A pod (the run of
//! rows whose first rack belongs to one fabric pod) that does not fit in what is left of the current hall but
//! fits in an empty one starts a new hall, so pods stay within a hall where they fit. A row that alone breaks a
//! limit is an error at the key.
//!
//! **Where the halls stand.** Each hall is a rectangle as wide as the longest row (`positions x rack pitch`) and
//! as deep as its rows (`rows x row pitch`); halls stand on a grid of `ceil(sqrt(halls x depth / width))` columns
//! (a campus about as deep as it is wide), `facility.hall_spacing_m` apart (a corridor between halls; default
//! 10 m, an estimate).
//!
//! **Routes between halls.** A link inside a hall is routed as before (`route.rs`). A link between halls climbs
//! to its tray, runs a Manhattan route through the halls' trays and the corridors (the sum of the east-west and
//! north-south distances between the two racks in site coordinates), comes down, and takes the same service
//! slack. The media chooser then gives it what reaches: single-mode FR4 optics with LC fibre up to 2 km.

use super::{Layout, LayoutError, Placement, RackPlan};
use serde::Serialize;

/// What one hall may hold: any of racks, floor area and IT power; `None` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct HallLimits {
    /// Racks per hall at most.
    pub racks: Option<u32>,
    /// Floor area per hall at most, m² (every floor position, open ones included, takes `rack pitch x row
    /// pitch`).
    pub area_m2: Option<f64>,
    /// IT power per hall at most, kW (the layout's rack loads: devices plus worst-case switch pluggables).
    pub kw: Option<f64>,
    /// Corridor between neighbouring halls, m.
    pub spacing_m: f64,
}

impl HallLimits {
    /// Whether any limit is set.
    pub fn any(&self) -> bool {
        self.racks.is_some() || self.area_m2.is_some() || self.kw.is_some()
    }
}

/// One hall.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hall {
    /// `H1`, `H2`, ...
    pub id: String,
    /// First row (0-based, floor-wide).
    pub first_row: u32,
    /// Rows in the hall.
    pub rows: u32,
    /// Racks in the hall.
    pub racks: u32,
    /// Floor area of its positions, m².
    pub area_m2: f64,
    /// IT power of its racks as laid out, kW.
    pub layout_kw: f64,
    /// Site coordinates of its corner, m (east, north).
    pub origin_m: (f64, f64),
    /// Width (along the rows) and depth (across them), m.
    pub size_m: (f64, f64),
}

/// The halls of a layout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Halls {
    /// Every hall, in floor order.
    pub halls: Vec<Hall>,
    /// The hall of every rack (index into `halls`), by rack index.
    pub rack_hall: Vec<u32>,
    /// The limits they were split by.
    pub limits: HallLimits,
}

impl Halls {
    /// Site coordinates of a rack, m.
    fn xy(&self, layout: &Layout, r: &RackPlan, hall: u32) -> (f64, f64) {
        let h = &self.halls[hall as usize];
        let rt = &layout.routing;
        (
            h.origin_m.0 + f64::from(r.position) * rt.rack_pitch_m,
            h.origin_m.1 + f64::from(r.row - h.first_row) * rt.row_pitch_m(),
        )
    }

    /// Routed length between two placed devices, m, with slack: as in one hall when both racks share one, else
    /// the Manhattan route between halls (module docs).
    pub fn length(&self, layout: &Layout, a: Placement, b: Placement) -> f64 {
        let (ra, rb) = (&layout.racks[a.rack], &layout.racks[b.rack]);
        let (ha, hb) = (self.rack_hall[a.rack], self.rack_hall[b.rack]);
        if ha == hb {
            return layout.routing.length(ra, a, rb, b);
        }
        let ((xa, ya), (xb, yb)) = (self.xy(layout, ra, ha), self.xy(layout, rb, hb));
        let rt = &layout.routing;
        rt.climb_m(a) + (xa - xb).abs() + (ya - yb).abs() + rt.climb_m(b) + rt.slack_m
    }
}

/// Splits the layout's rows into halls under `limits` (module docs). `rack_kw` is every rack's load as laid out;
/// `pod_of_su` gives the fabric pod of an SU; `cut_after[i]` says whether a hall may end after row `i` (false
/// where an SU's servers and its leaves stand on both sides, so that no server-to-leaf link leaves its hall).
/// Leaves the layout alone when no limit is set.
///
/// # Errors
/// [`LayoutError::HallTooSmall`] when the rows that must stay together alone break a limit.
pub fn split(
    layout: &mut Layout,
    limits: &HallLimits,
    rack_kw: &[f64],
    pod_of_su: &dyn Fn(u32) -> u32,
    cut_after: &[bool],
) -> Result<(), LayoutError> {
    if !limits.any() || layout.racks.is_empty() {
        return Ok(());
    }
    let rt = layout.routing;
    let positions = layout.racks.iter().map(|r| r.position + 1).max().unwrap_or(1);
    let cell_m2 = rt.rack_pitch_m * rt.row_pitch_m();
    let row_area = f64::from(positions) * cell_m2;
    #[derive(Clone, Copy, Default)]
    struct Load {
        racks: u32,
        area: f64,
        kw: f64,
    }
    // Per row: its load and the pod of its first rack.
    let mut rows: Vec<(Load, Option<u32>)> = Vec::new();
    for (i, r) in layout.racks.iter().enumerate() {
        if rows.len() <= r.row as usize {
            rows.push((
                Load {
                    area: row_area,
                    ..Load::default()
                },
                r.su.map(pod_of_su),
            ));
        }
        let row = &mut rows[r.row as usize].0;
        row.racks += 1;
        row.kw += rack_kw.get(i).copied().unwrap_or(0.0);
    }
    // Atoms: runs of rows no hall boundary may cut.
    struct Atom {
        rows: std::ops::Range<usize>,
        load: Load,
        pod: Option<u32>,
    }
    let add = |a: Load, b: Load| Load {
        racks: a.racks + b.racks,
        area: a.area + b.area,
        kw: a.kw + b.kw,
    };
    let mut atoms: Vec<Atom> = Vec::new();
    for (i, &(load, pod)) in rows.iter().enumerate() {
        match atoms.last_mut() {
            Some(a) if !cut_after.get(i - 1).copied().unwrap_or(true) => {
                a.rows.end = i + 1;
                a.load = add(a.load, load);
            }
            _ => atoms.push(Atom {
                rows: i..i + 1,
                load,
                pod,
            }),
        }
    }
    let fits = |l: Load| {
        limits.racks.is_none_or(|m| l.racks <= m)
            && limits.area_m2.is_none_or(|m| l.area <= m + 1e-9)
            && limits.kw.is_none_or(|m| l.kw <= m + 1e-9)
    };
    let mut hall_of_row = vec![0u32; rows.len()];
    let mut cur = Load::default();
    let mut hall = 0u32;
    for (i, atom) in atoms.iter().enumerate() {
        if !fits(atom.load) {
            return Err(LayoutError::HallTooSmall {
                row: atom.rows.start as u32 + 1,
                rows: atom.rows.len() as u32,
                racks: atom.load.racks,
                area_m2: atom.load.area,
                kw: atom.load.kw,
                limits: describe(limits),
            });
        }
        let started = i > 0;
        let mut new_hall = started && !fits(add(cur, atom.load));
        if started && !new_hall && atom.pod.is_some() && atom.pod != atoms[i - 1].pod {
            // The pod's rows: keep them together when an empty hall holds them and the rest of this one does not.
            let (mut whole, mut here) = (Load::default(), cur);
            let (mut fits_here, mut fits_empty) = (true, true);
            for a in atoms[i..].iter().take_while(|a| a.pod == atom.pod) {
                whole = add(whole, a.load);
                here = add(here, a.load);
                fits_here &= fits(here);
                fits_empty &= fits(whole);
            }
            new_hall = !fits_here && fits_empty;
        }
        if new_hall {
            hall += 1;
            cur = Load::default();
        }
        cur = add(cur, atom.load);
        for r in atom.rows.clone() {
            hall_of_row[r] = hall;
        }
    }
    let count = hall as usize + 1;
    let mut halls: Vec<Hall> = (0..count)
        .map(|h| Hall {
            id: format!("H{}", h + 1),
            first_row: u32::MAX,
            rows: 0,
            racks: 0,
            area_m2: 0.0,
            layout_kw: 0.0,
            origin_m: (0.0, 0.0),
            size_m: (0.0, 0.0),
        })
        .collect();
    for (i, (load, _)) in rows.iter().enumerate() {
        let h = &mut halls[hall_of_row[i] as usize];
        h.first_row = h.first_row.min(i as u32);
        h.rows += 1;
        h.racks += load.racks;
        h.area_m2 += load.area;
        h.layout_kw += load.kw;
    }
    let width = f64::from(positions) * rt.rack_pitch_m;
    let depth = halls.iter().map(|h| h.rows).max().unwrap_or(1) as f64 * rt.row_pitch_m();
    let cols = ((count as f64 * depth / width.max(1e-9)).sqrt().ceil() as usize).clamp(1, count);
    for (h, hall) in halls.iter_mut().enumerate() {
        let (c, g) = ((h % cols) as f64, (h / cols) as f64);
        hall.origin_m = (c * (width + limits.spacing_m), g * (depth + limits.spacing_m));
        hall.size_m = (width, f64::from(hall.rows) * rt.row_pitch_m());
    }
    let rack_hall = layout.racks.iter().map(|r| hall_of_row[r.row as usize]).collect();
    layout.halls = Some(Halls {
        halls,
        rack_hall,
        limits: *limits,
    });
    Ok(())
}

fn describe(l: &HallLimits) -> String {
    let mut v = Vec::new();
    if let Some(r) = l.racks {
        v.push(format!("{r} racks"));
    }
    if let Some(a) = l.area_m2 {
        v.push(format!("{a} m²"));
    }
    if let Some(k) = l.kw {
        v.push(format!("{} MW", k / 1000.0));
    }
    v.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{RackKind, RackPlan, Routing};
    use approx::assert_relative_eq;

    fn layout(rows: u32, per_row: u32, sus_per_row: u32) -> Layout {
        let mut racks = Vec::new();
        for r in 0..rows {
            for p in 0..per_row {
                racks.push(RackPlan {
                    id: format!("R{:02}-{:02}", r + 1, p + 1),
                    kind: RackKind::Compute,
                    row: r,
                    position: p,
                    su: Some(r * sus_per_row + p * sus_per_row / per_row),
                    devices: Vec::new(),
                    u_used: 0,
                });
            }
        }
        Layout {
            racks,
            rows,
            placements: Default::default(),
            stats: Default::default(),
            routing: Routing::new(48, 0.6, 1.2),
            open_positions: Vec::new(),
            halls: None,
        }
    }

    fn limits(racks: u32) -> HallLimits {
        HallLimits {
            racks: Some(racks),
            spacing_m: 10.0,
            ..HallLimits::default()
        }
    }

    #[test]
    fn rows_fill_halls_up_to_the_limit() {
        // 10 rows of 20 racks, at most 50 racks a hall: 2 rows per hall, 5 halls.
        let mut l = layout(10, 20, 2);
        split(&mut l, &limits(50), &vec![10.0; 200], &|su| su, &[]).unwrap();
        let h = l.halls.as_ref().unwrap();
        assert_eq!(h.halls.len(), 5);
        assert!(h.halls.iter().all(|x| x.racks == 40 && x.rows == 2));
        assert_relative_eq!(h.halls[0].layout_kw, 400.0);
        assert_eq!(h.rack_hall[39], 0);
        assert_eq!(h.rack_hall[40], 1);
    }

    #[test]
    fn a_pod_that_fits_an_empty_hall_is_not_split() {
        // Rows 1-3 pod 0, rows 4-6 pod 1 (3 rows of 20 each); 100 racks a hall: pod 1 fits no more after pod 0's
        // 60 racks (60 + 60 > 100), so it starts hall 2 rather than leaving 2 of its rows in hall 1.
        let mut l = layout(6, 20, 1);
        split(&mut l, &limits(100), &vec![1.0; 120], &|su| su / 3, &[]).unwrap();
        let h = l.halls.as_ref().unwrap();
        assert_eq!(h.halls.iter().map(|x| x.rows).collect::<Vec<_>>(), vec![3, 3]);
        // Without pods, rows fill the hall: 5 rows, then 1.
        let mut l = layout(6, 20, 1);
        split(&mut l, &limits(100), &vec![1.0; 120], &|_| 0, &[]).unwrap();
        let h = l.halls.as_ref().unwrap();
        assert_eq!(h.halls.iter().map(|x| x.rows).collect::<Vec<_>>(), vec![5, 1]);
    }

    #[test]
    fn power_and_area_limits_split_too() {
        let mut l = layout(4, 10, 1);
        let kw = vec![50.0; 40];
        // 1 MW a hall: two rows of 10 x 50 kW.
        let lim = HallLimits {
            kw: Some(1000.0),
            spacing_m: 10.0,
            ..HallLimits::default()
        };
        split(&mut l, &lim, &kw, &|su| su, &[]).unwrap();
        assert_eq!(l.halls.as_ref().unwrap().halls.len(), 2);
        // A row of 10 positions takes 10 x 0.6 x 2.4 = 14.4 m²; 30 m² holds two rows.
        let mut l = layout(4, 10, 1);
        let lim = HallLimits {
            area_m2: Some(30.0),
            spacing_m: 10.0,
            ..HallLimits::default()
        };
        split(&mut l, &lim, &kw, &|su| su, &[]).unwrap();
        assert_eq!(l.halls.as_ref().unwrap().halls.len(), 2);
        // A row that alone breaks the limit is an error.
        let mut l = layout(4, 10, 1);
        let e = split(&mut l, &limits(5), &kw, &|su| su, &[]).unwrap_err();
        assert!(e.to_string().contains("row 1 alone"), "{e}");
        // Rows that must stay together (an SU's servers and leaves in rows 1 and 2) count as one.
        let mut l = layout(4, 10, 1);
        split(&mut l, &limits(20), &kw, &|su| su, &[false, true, true]).unwrap();
        assert_eq!(l.halls.as_ref().unwrap().halls.len(), 2);
        let mut l = layout(4, 10, 1);
        let e = split(&mut l, &limits(15), &kw, &|su| su, &[false, true, true]).unwrap_err();
        assert!(e.to_string().contains("rows 1 to 2"), "{e}");
    }

    #[test]
    fn links_between_halls_follow_the_manhattan_route() {
        let mut l = layout(4, 10, 1);
        split(&mut l, &limits(20), &vec![1.0; 40], &|su| su, &[]).unwrap();
        let h = l.halls.clone().unwrap();
        // 2 halls of 2 rows: 6 m wide, 4.8 m deep: sqrt(2 x 4.8 / 6) -> 2 columns, side by side, 10 m apart.
        assert_eq!(h.halls[1].origin_m, (16.0, 0.0));
        let top = |rack| Placement { rack, u: 48, height: 1 };
        // Rack 0 (hall 1, row 1, position 1) to rack 20 (hall 2, row 3 = its first, position 1): 16 m east.
        let climb = 0.5 * 0.044_45 + 0.3;
        assert_relative_eq!(h.length(&l, top(0), top(20)), 2.0 * climb + 16.0 + 0.5, epsilon = 1e-9);
        // Within a hall: the row route.
        assert_relative_eq!(
            h.length(&l, top(0), top(1)),
            l.routing.length(&l.racks[0], top(0), &l.racks[1], top(1))
        );
    }
}
