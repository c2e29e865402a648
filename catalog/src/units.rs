//! Physical quantities as types, so that no bare number crosses a module boundary without its unit.
//!
//! Each type is a transparent newtype: in TOML and JSON it is the plain number, and the unit lives in the key
//! name (`max_power_w`, `port_speed_gbps`, ...).
//!
//! ```
//! use gigapod_catalog::units::{Watts, Kilowatts};
//! let server = Watts(10_200.0);
//! assert_eq!(Kilowatts::from(server * 4.0).0, 40.8);
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub};

macro_rules! float_unit {
    ($(#[$doc:meta])* $name:ident, $suffix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl Add for $name {
            type Output = Self;
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }
        impl AddAssign for $name {
            fn add_assign(&mut self, rhs: Self) {
                self.0 += rhs.0;
            }
        }
        impl Sub for $name {
            type Output = Self;
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 - rhs.0)
            }
        }
        impl Mul<f64> for $name {
            type Output = Self;
            fn mul(self, rhs: f64) -> Self {
                Self(self.0 * rhs)
            }
        }
        impl Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                Self(iter.map(|x| x.0).sum())
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", trim_float(self.0), $suffix)
            }
        }
    };
}

macro_rules! int_unit {
    ($(#[$doc:meta])* $name:ident, $inner:ty, $suffix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl Add for $name {
            type Output = Self;
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }
        impl AddAssign for $name {
            fn add_assign(&mut self, rhs: Self) {
                self.0 += rhs.0;
            }
        }
        impl Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                Self(iter.map(|x| x.0).sum())
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.0, $suffix)
            }
        }
    };
}

float_unit!(
    /// Electrical power in watts.
    Watts,
    "W"
);
float_unit!(
    /// Electrical power (or heat) in kilowatts.
    Kilowatts,
    "kW"
);
float_unit!(
    /// Length in metres (cable lengths, reach, floor distances).
    Meters,
    "m"
);
float_unit!(
    /// Length in millimetres (rack width and depth).
    Millimeters,
    "mm"
);
float_unit!(
    /// Mass in kilograms.
    Kilograms,
    "kg"
);
float_unit!(
    /// Memory capacity in gigabytes (10^9 bytes).
    Gigabytes,
    "GB"
);
int_unit!(
    /// Data rate in gigabits per second. Integral: link speeds are whole Gb/s, and max-flow runs on integers.
    Gbps,
    u64,
    "Gb/s"
);
int_unit!(
    /// Rack units (1U = 44.45 mm).
    RackUnits,
    u32,
    "U"
);

impl From<Watts> for Kilowatts {
    fn from(w: Watts) -> Self {
        Kilowatts(w.0 / 1000.0)
    }
}

impl From<Kilowatts> for Watts {
    fn from(kw: Kilowatts) -> Self {
        Watts(kw.0 * 1000.0)
    }
}

impl Watts {
    /// Heat in BTU per hour (1 W = 3.412142 BTU/h).
    pub fn btu_per_hour(self) -> f64 {
        self.0 * 3.412_141_633
    }
}

impl Mul<u64> for Gbps {
    type Output = Gbps;
    fn mul(self, rhs: u64) -> Gbps {
        Gbps(self.0 * rhs)
    }
}

/// Formats a float without a trailing `.0` and with at most three decimals.
pub fn trim_float(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn conversions_round_trip() {
        let w = Watts(10_200.0);
        let kw = Kilowatts::from(w);
        assert_relative_eq!(kw.0, 10.2);
        assert_relative_eq!(Watts::from(kw).0, 10_200.0);
    }

    #[test]
    fn display_carries_unit() {
        assert_eq!(Watts(24.9).to_string(), "24.9 W");
        assert_eq!(Gbps(400).to_string(), "400 Gb/s");
        assert_eq!(RackUnits(5).to_string(), "5 U");
        assert_eq!(Kilowatts(40.0).to_string(), "40 kW");
    }

    #[test]
    fn btu() {
        assert_relative_eq!(Watts(1000.0).btu_per_hour(), 3412.141633, epsilon = 1e-6);
    }
}
