//! Why a fabric cannot be built, and the nearest design that can.

use gigapod_catalog::units::Gbps;
use thiserror::Error;

/// A request the fabric builder cannot satisfy. `Display` gives the reason and the nearest design that works;
/// [`FabricError::key`] names the spec key at fault.
///
/// ```
/// use gigapod_planner::fabric::{self, FabricRequest, Tiers};
/// use gigapod_catalog::units::Gbps;
/// let qm9700 = fabric::synthetic_switch("qm9700", 32, &[(800, 1), (400, 2)]);
/// let req = FabricRequest {
///     switch: &qm9700, servers: 320, rails: 8, servers_per_su: 32, speed: Gbps(400),
///     oversubscription: 1.0, rail_optimized: true, tiers: Tiers::Two,
/// };
/// let err = fabric::build(&req).unwrap_err();
/// assert_eq!(err.key(), "fabric.tiers");
/// assert!(err.to_string().contains(
///     "qm9700 builds at most 2,048 endpoints in two tiers (8 scalable units of 32 x 8)"));
/// ```
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FabricError {
    /// There are no servers to connect.
    #[error("no servers to connect: the compute section must give at least one server")]
    NoServers,
    /// `servers_per_su` is zero.
    #[error("servers_per_su = 0: a scalable unit needs at least one server (32 is the usual size)")]
    ZeroServersPerSu,
    /// The server has no fabric NIC ports.
    #[error("the server has no compute-fabric NIC ports (rails = 0): choose a server with fabric NICs")]
    NoRails,
    /// The oversubscription is below 1, or not a number.
    #[error(
        "fabric.oversubscription = {value} is not a ratio >= 1 (downlink:uplink at the leaf); use 1.0 for a non-blocking fabric or e.g. 2.0 for 2:1"
    )]
    Oversubscription {
        /// The value asked for.
        value: f64,
    },
    /// The switch has no ports at the NIC speed.
    #[error(
        "{switch} cannot take {speed} NIC ports: its ports run at {}; choose a switch with {speed} ports, or a server whose NICs run at one of those speeds",
        list_speeds(speeds)
    )]
    SpeedUnsupported {
        /// Switch id.
        switch: String,
        /// NIC port speed asked for.
        speed: Gbps,
        /// The speeds the switch runs at, highest first.
        speeds: Vec<Gbps>,
    },
    /// The switch has too few ports at that speed to split into downlinks and uplinks.
    #[error(
        "{switch} has only {ports} port(s) at {speed}: a leaf needs at least one downlink and one uplink; choose a larger switch"
    )]
    TooFewPorts {
        /// Switch id.
        switch: String,
        /// NIC port speed.
        speed: Gbps,
        /// Ports at that speed.
        ports: u32,
    },
    /// The fabric is larger than the switch can build in the tiers asked (or in three tiers).
    #[error("{reason}")]
    TooLarge {
        /// `fabric.tiers` when two tiers were asked and three would work, else `fabric.switch`.
        key: &'static str,
        /// The reason and the nearest design that works.
        reason: String,
        /// Endpoints asked for.
        endpoints: u64,
        /// The most endpoints the switch builds in those tiers.
        max_endpoints: u64,
    },
    /// `fabric.planes = n` does not split the NIC speed into whole Gb/s sub-ports, or is 0.
    #[error(
        "fabric.planes = {planes} cannot split {speed} NIC ports evenly: give 1, \"per-rail\", or a number of planes that divides the NIC speed (2 for 2 x 400G from 800G)"
    )]
    PlaneSplit {
        /// Planes asked for.
        planes: u32,
        /// The NIC port speed.
        speed: Gbps,
    },
}

impl FabricError {
    /// The spec key at fault: `fabric.switch`, `fabric.tiers`, `fabric.oversubscription`, `compute.servers`,
    /// `compute.servers_per_su` or `compute.server`.
    pub fn key(&self) -> &'static str {
        match self {
            FabricError::NoServers => "compute.servers",
            FabricError::ZeroServersPerSu => "compute.servers_per_su",
            FabricError::NoRails => "compute.server",
            FabricError::Oversubscription { .. } => "fabric.oversubscription",
            FabricError::SpeedUnsupported { .. } | FabricError::TooFewPorts { .. } => "fabric.switch",
            FabricError::TooLarge { key, .. } => key,
            FabricError::PlaneSplit { .. } => "fabric.planes",
        }
    }
}

fn list_speeds(speeds: &[Gbps]) -> String {
    if speeds.is_empty() {
        return "no speed at all".into();
    }
    let v: Vec<String> = speeds.iter().map(|s| s.0.to_string()).collect();
    format!("{} Gb/s", v.join(", "))
}

pub(crate) use crate::text::thousands;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2048), "2,048");
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn keys() {
        assert_eq!(
            FabricError::Oversubscription { value: 0.5 }.key(),
            "fabric.oversubscription"
        );
        assert_eq!(FabricError::NoRails.key(), "compute.server");
        let e = FabricError::SpeedUnsupported {
            switch: "qm9700".into(),
            speed: Gbps(800),
            speeds: vec![Gbps(400), Gbps(200)],
        };
        assert_eq!(e.key(), "fabric.switch");
        assert_eq!(
            e.to_string(),
            "qm9700 cannot take 800 Gb/s NIC ports: its ports run at 400, 200 Gb/s; choose a switch with 800 Gb/s \
             ports, or a server whose NICs run at one of those speeds"
        );
    }
}
