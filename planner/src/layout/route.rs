//! Cable routes: up from a device to the overhead tray, along the tray, and down to the other device.
//!
//! Inside one rack a cable runs straight between the two devices. Between racks it climbs to the top of its rack,
//! rises to the tray, follows the tray along the row and across rows (a Manhattan route), and comes down the same
//! way. Every cable gets a fixed service slack at the ends. Lengths are measured between the devices' middles.

use super::{Placement, RackPlan};
use gigapod_catalog::units::Meters;
use serde::Serialize;

/// Geometry of racks, rows and trays. Defaults: 600 mm rack pitch and 1,200 mm deep racks (hardware-facts.md
/// section 8), 1.2 m aisles (two floor tiles); tray rise and slack are estimates of common practice.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Routing {
    /// Rack units of every rack.
    pub rack_units: u32,
    /// Height of one rack unit, m (44.45 mm).
    pub u_height_m: f64,
    /// Distance between neighbouring racks of a row, m.
    pub rack_pitch_m: f64,
    /// Rack depth, m.
    pub rack_depth_m: f64,
    /// Aisle width between rows, m.
    pub aisle_m: f64,
    /// From the top of a rack up to the tray, m (each end).
    pub tray_rise_m: f64,
    /// Service slack per cable, m.
    pub slack_m: f64,
}

/// The parts of the route geometry that are the site's choice, not the rack's: a planner option
/// ([`crate::Planner::routing`]).
/// Not `#[non_exhaustive]`, so that `RouteOptions { tray_rise: Meters(0.45), ..RouteOptions::default() }` works.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RouteOptions {
    /// From the top of a rack up to the overhead tray, at each end of an inter-rack cable. Default 0.3 m: an
    /// estimate of common practice (a tray a foot above 48U racks).
    pub tray_rise: Meters,
    /// Service slack added to every cable (dressing at both ends, a service loop). Default 0.5 m, an estimate.
    pub slack: Meters,
    /// Aisle between neighbouring rows (front to back of the next row). Default 1.2 m: two 600 mm floor tiles.
    pub aisle: Meters,
}

impl Default for RouteOptions {
    fn default() -> Self {
        RouteOptions {
            tray_rise: Meters(0.3),
            slack: Meters(0.5),
            aisle: Meters(1.2),
        }
    }
}

impl RouteOptions {
    /// The first figure that is not a finite length at or above zero (the aisle above zero), by name.
    pub fn invalid(&self) -> Option<(&'static str, f64)> {
        [
            ("tray_rise", self.tray_rise.0, 0.0),
            ("slack", self.slack.0, 0.0),
            ("aisle", self.aisle.0, 1e-3),
        ]
        .into_iter()
        .find(|(_, v, min)| !(v.is_finite() && *v >= *min && *v <= 100.0))
        .map(|(name, v, _)| (name, v))
    }
}

impl Routing {
    /// A routing for racks of `rack_units` U and the given footprint, with the default [`RouteOptions`].
    pub fn new(rack_units: u32, rack_width_m: f64, rack_depth_m: f64) -> Self {
        Self::with_options(rack_units, rack_width_m, rack_depth_m, &RouteOptions::default())
    }

    /// A routing for racks of `rack_units` U and the given footprint, with the site's route options.
    pub fn with_options(rack_units: u32, rack_width_m: f64, rack_depth_m: f64, o: &RouteOptions) -> Self {
        Self {
            rack_units,
            u_height_m: 0.044_45,
            rack_pitch_m: rack_width_m,
            rack_depth_m,
            aisle_m: o.aisle.0,
            tray_rise_m: o.tray_rise.0,
            slack_m: o.slack.0,
        }
    }

    /// The same racks with other route options.
    pub fn apply(&mut self, o: &RouteOptions) {
        *self = Self::with_options(self.rack_units, self.rack_pitch_m, self.rack_depth_m, o);
    }

    /// Distance between the fronts of neighbouring rows, m.
    pub fn row_pitch_m(&self) -> f64 {
        self.rack_depth_m + self.aisle_m
    }

    fn middle_m(&self, p: Placement) -> f64 {
        (f64::from(p.u) - 1.0 + f64::from(p.height) / 2.0) * self.u_height_m
    }

    pub(crate) fn climb_m(&self, p: Placement) -> f64 {
        f64::from(self.rack_units) * self.u_height_m - self.middle_m(p) + self.tray_rise_m
    }

    /// Routed length between two placed devices, with slack.
    pub fn length(&self, ra: &RackPlan, a: Placement, rb: &RackPlan, b: Placement) -> f64 {
        if a.rack == b.rack {
            return (self.middle_m(a) - self.middle_m(b)).abs() + self.slack_m;
        }
        let along = f64::from(ra.position.abs_diff(rb.position)) * self.rack_pitch_m;
        let across = f64::from(ra.row.abs_diff(rb.row)) * self.row_pitch_m();
        self.climb_m(a) + along + across + self.climb_m(b) + self.slack_m
    }

    /// Length of a representative link between racks `p` and `q` of one row: from a device at mid-rack to one
    /// at the top (where the network group stands). Used to price links before devices have their U.
    pub fn representative_m(&self, p: usize, q: usize) -> f64 {
        let top = f64::from(self.rack_units) * self.u_height_m;
        if p == q {
            top / 4.0 + self.slack_m
        } else {
            top / 2.0 + self.tray_rise_m + p.abs_diff(q) as f64 * self.rack_pitch_m + self.tray_rise_m + self.slack_m
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{RackKind, RackPlan};
    use approx::assert_relative_eq;

    fn rack(row: u32, position: u32) -> RackPlan {
        RackPlan {
            id: format!("R{row}-{position}"),
            kind: RackKind::Compute,
            row,
            position,
            su: None,
            devices: Vec::new(),
            u_used: 0,
        }
    }

    #[test]
    fn same_rack_is_the_vertical_distance_plus_slack() {
        let r = Routing::new(48, 0.6, 1.2);
        let a = Placement {
            rack: 0,
            u: 1,
            height: 5,
        };
        let b = Placement {
            rack: 0,
            u: 41,
            height: 1,
        };
        // middles at 2.5 U and 40.5 U: 38 U apart.
        assert_relative_eq!(
            r.length(&rack(0, 0), a, &rack(0, 0), b),
            38.0 * 0.044_45 + 0.5,
            epsilon = 1e-9
        );
    }

    #[test]
    fn between_rows_adds_the_row_pitch() {
        let r = Routing::new(48, 0.6, 1.2);
        let a = Placement {
            rack: 0,
            u: 48,
            height: 1,
        };
        let b = Placement {
            rack: 1,
            u: 48,
            height: 1,
        };
        let same_row = r.length(&rack(0, 0), a, &rack(0, 3), b);
        let next_row = r.length(&rack(0, 0), a, &rack(1, 3), b);
        assert_relative_eq!(next_row - same_row, 2.4, epsilon = 1e-9);
        assert_relative_eq!(same_row, 2.0 * (0.5 * 0.044_45 + 0.3) + 1.8 + 0.5, epsilon = 1e-9);
    }
}
