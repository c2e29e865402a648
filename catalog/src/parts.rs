//! The typed parts of the catalog.
//!
//! Every figure is a [`Sourced`] value: the number, its unit (in the type and the key name) and where it comes from.
//! Descriptive strings (vendor, model) are plain.

use crate::sourced::Sourced;
use crate::units::{Gbps, Gigabytes, Kilograms, Kilowatts, Meters, Millimeters, RackUnits, Watts};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A catalog id such as `g593-h200` or `qm9700`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartId(pub String);

impl PartId {
    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PartId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for PartId {
    fn from(s: &str) -> Self {
        PartId(s.to_string())
    }
}

/// How a device is cooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoolingKind {
    /// Fans push room air through the chassis.
    Air,
    /// Direct liquid cooling: cold plates carry most of the heat into a liquid loop.
    Liquid,
}

impl fmt::Display for CoolingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CoolingKind::Air => "air",
            CoolingKind::Liquid => "liquid",
        })
    }
}

/// The top of a pluggable module (or of a cable's plug), and the form a cage takes (pod-facts B.1, C).
///
/// A finned module (NVIDIA's IHS, "integrated heat sink") carries its own fins and goes only into air-cooled
/// switch cages; a flat-top module (RHS, "riding heat sink", or the legacy `-FLT` naming) goes into cages that
/// bring their own heat sink: DGX system cages, ConnectX-7 / ConnectX-8 NIC cages and liquid-cooled switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeatSink {
    /// Integrated finned heat sink (IHS): air-cooled switch cages.
    Finned,
    /// Flat top (RHS / `-FLT`): the cage's riding heat sink cools it.
    Flat,
}

impl HeatSink {
    /// Whether a module or plug of form `module` goes into a cage that takes `cage`. A side the catalog does not
    /// describe (`None`, as in a user catalog that gives no heat-sink form) fits anything.
    pub fn fits(module: Option<HeatSink>, cage: Option<HeatSink>) -> bool {
        match (module, cage) {
            (Some(m), Some(c)) => m == c,
            _ => true,
        }
    }
}

impl fmt::Display for HeatSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeatSink::Finned => "finned",
            HeatSink::Flat => "flat",
        })
    }
}

/// A GPU or accelerator module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gpu {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// Module form factor (SXM5, OAM, ...).
    pub form: String,
    /// Thermal design power of one module.
    pub tdp_w: Sourced<Watts>,
    /// High-bandwidth memory per module.
    pub memory_gb: Sourced<Gigabytes>,
    /// Memory bandwidth per module, TB/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bandwidth_tb_per_s: Option<Sourced<f64>>,
    /// Scale-up (NVLink / Infinity Fabric) bandwidth per module, GB/s bidirectional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up_gb_per_s: Option<Sourced<f64>>,
    /// Multi-Instance GPU: whether the module has it and its profiles with their placements. `None` when the
    /// catalog does not say (a strategy that needs it is then infeasible with that reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mig: Option<MigSupport>,
    /// NVIDIA vGPU (compute): whether the module runs it and its time-sliced profiles. `None` when the catalog
    /// does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vgpu: Option<VgpuSupport>,
    /// The host link the module is built for (`Gen5 x16`): the link its board must give it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcie: Option<Sourced<PcieLink>>,
}

/// Whether a GPU has a feature, as its vendor's documents say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    /// The vendor lists the GPU as supported.
    Supported,
    /// The GPU is not in the vendor's list of supported GPUs.
    Unsupported,
}

/// `[gpu.mig]`: Multi-Instance GPU partitioning of one module.
///
/// A MIG GPU has `memory_slots` memory slices (8 on Hopper and Blackwell); a GPU instance of a profile takes
/// `memory_slots` consecutive slices starting at one of its `placements`. A valid configuration of a GPU is a
/// set of instances whose slices do not overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigSupport {
    /// Supported or not (with the source that says so).
    pub support: Sourced<Support>,
    /// Memory slices of the whole GPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_slots: Option<u32>,
    /// The profiles and their placements; `None` (with `profiles_not_found`) when no source gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles: Option<Sourced<Vec<MigProfile>>>,
    /// Why the profiles are missing, when they are (e.g. "NOT FOUND in pod-facts.md F.1").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles_not_found: Option<String>,
}

/// One MIG profile, e.g. `3g.71gb`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigProfile {
    /// NVIDIA's profile name.
    pub name: String,
    /// Compute slices (the `Ng` of the name), out of 7.
    pub compute_slices: u32,
    /// Memory of one instance (the `.NNgb` of the name).
    pub memory_gb: Gigabytes,
    /// Memory slices one instance takes.
    pub memory_slots: u32,
    /// First memory slice of each place an instance may start at.
    pub placements: Vec<u32>,
    /// Most instances of this profile on one GPU (as listed by the source).
    pub max_instances: u32,
    /// A profile with the media engines (`+me`): at most one per GPU, no more memory or compute.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub media_extensions: bool,
}

/// `[gpu.vgpu]`: NVIDIA vGPU for compute on one module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VgpuSupport {
    /// Supported or not (with the source that says so).
    pub support: Sourced<Support>,
    /// Time-sliced vGPU types; `None` (with `profiles_not_found`) when no source gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_sliced: Option<Sourced<Vec<VgpuProfile>>>,
    /// Why the profiles are missing, when they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles_not_found: Option<String>,
}

/// One time-sliced vGPU type, e.g. `H200X-17C`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VgpuProfile {
    /// NVIDIA's type name.
    pub name: String,
    /// Frame buffer of one vGPU.
    pub memory_gb: Gigabytes,
    /// Most vGPUs of this type on one GPU (equal-size mode: every vGPU on a GPU has the same type).
    pub max_per_gpu: u32,
}

/// An 8-GPU (or other) server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// GPU module, a catalog id.
    pub gpu: PartId,
    /// GPUs per server.
    pub gpu_count: Sourced<u32>,
    /// CPU model (descriptive).
    pub cpu: String,
    /// CPU sockets.
    pub cpu_count: Sourced<u32>,
    /// Thermal design power of one CPU.
    pub cpu_tdp_w: Sourced<Watts>,
    /// Compute-fabric NIC, a catalog id. One NIC port per rail.
    pub fabric_nic: PartId,
    /// Compute-fabric NICs, one per GPU in a rail-optimised design.
    pub fabric_nic_count: Sourced<u32>,
    /// When the fabric NICs sit behind the chassis's own cages (a DGX routes 8 ConnectX-7 to 4 twin-port OSFP
    /// cages): the cage form, which takes the pluggable modules instead of the NICs' own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fabric_cage_form: Option<String>,
    /// Fabric ports (rails) per such cage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fabric_ports_per_cage: Option<Sourced<u32>>,
    /// The heat-sink form the chassis's fabric cages take (`flat` on a DGX H100 / B200 / B300); without chassis
    /// cages, the NIC's own [`Nic::heat_sink`] applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fabric_cage_heat_sink: Option<Sourced<HeatSink>>,
    /// Storage / in-band NIC, a catalog id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_nic: Option<PartId>,
    /// Storage / in-band NICs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_nic_count: Option<Sourced<u32>>,
    /// Power supply, a catalog id.
    pub psu: PartId,
    /// Installed power supplies (N + M).
    pub psu_count: Sourced<u32>,
    /// Redundant supplies (M of N + M): the load must be carried by the other N.
    pub psu_redundant: Sourced<u32>,
    /// Height.
    pub rack_units: Sourced<RackUnits>,
    /// Mass, fully populated.
    pub weight_kg: Sourced<Kilograms>,
    /// Cooling of the chassis.
    pub cooling: CoolingKind,
    /// Nameplate maximum system power. When absent it is derived from the parts (GPUs, CPUs, NICs and
    /// `platform_power_w`) and reported as an estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_power_w: Option<Sourced<Watts>>,
    /// Sustained power under a typical training load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typical_power_w: Option<Sourced<Watts>>,
    /// Everything in the chassis that is not a GPU, CPU or NIC at maximum: fans, memory, drives, NVSwitch or
    /// PCIe switch baseboard, conversion losses. Required when `max_power_w` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_power_w: Option<Sourced<Watts>>,
    /// True when `max_power_w` and `typical_power_w` already cover the modules plugged into the server's fabric
    /// cages (a vendor's system maximum, such as the DGX 10.2 / 14.3 kW, covers what plugs into the system).
    /// When false or absent the plan adds the modules' power to the server's; a power derived from parts never
    /// includes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_includes_pluggables: Option<Sourced<bool>>,
    /// Servers per rack the vendor's rack designs use, e.g. `[1, 2, 4]` for a DGX H100 ("one, two, or four DGX
    /// H100 systems per rack"). The layout puts at most the highest of these that fits the rack's limits into a
    /// rack (`facility.servers_per_rack` overrides it); absent, any count the limits allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_densities: Option<Sourced<Vec<u32>>>,
    /// Its internals, a `[[board]]` id (CPU sockets, PCIe switches, links, IOMMU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<PartId>,
    /// Cooling air the chassis moves at full load, m3/h (1 CFM = 1.699 m3/h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub airflow_m3_per_h: Option<Sourced<f64>>,
    /// The reference design the server's vendor plans it in (`dgx-superpod`, `gigapod`); it sets the defaults
    /// of the networks around it, such as which InfiniBand fabrics get UFM appliances. Absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_design: Option<Sourced<ReferenceDesign>>,
}

/// A vendor reference design a server belongs to (pod-facts A.1, D.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferenceDesign {
    /// NVIDIA DGX SuperPOD: UFM appliances on the compute and storage InfiniBand fabrics (pod-facts A.1.7).
    DgxSuperpod,
    /// GIGABYTE GIGAPOD: switches running their own subnet manager, no UFM by default (pod-facts D.1).
    Gigapod,
}

impl ReferenceDesign {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceDesign::DgxSuperpod => "dgx-superpod",
            ReferenceDesign::Gigapod => "gigapod",
        }
    }

    /// Whether the design puts UFM appliances on its InfiniBand fabrics.
    pub fn ufm(self) -> bool {
        matches!(self, ReferenceDesign::DgxSuperpod)
    }
}

/// A PCIe link: generation and lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PcieLink {
    /// PCIe generation (4, 5, 6).
    pub generation: u32,
    /// Lanes (x16 = 16).
    pub lanes: u32,
}

impl PcieLink {
    /// Usable bandwidth in each direction, Gb/s: 8 / 16 / 32 / 64 GT/s per lane for Gen 3 / 4 / 5 / 6, less the
    /// 128b/130b encoding (Gen 3-5) or the FLIT overhead (Gen 6: 242 payload bytes of 256). Gen5 x16 = 504 Gb/s.
    pub fn gbps(&self) -> f64 {
        let (gts, eff) = match self.generation {
            0..=2 => (2.5 * f64::from(1u32 << self.generation.saturating_sub(1)), 0.8),
            3 => (8.0, 128.0 / 130.0),
            4 => (16.0, 128.0 / 130.0),
            5 => (32.0, 128.0 / 130.0),
            _ => (64.0 * f64::from(1u32 << (self.generation - 6).min(4)), 242.0 / 256.0),
        };
        gts * eff * f64::from(self.lanes)
    }
}

/// One PCIe switch of a board, with what hangs off it. Devices are numbered from 0 in the server's order:
/// GPU `i` and fabric NIC `i` are rail `i`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PcieSwitch {
    /// Name on the board (`PEX0`).
    pub name: String,
    /// CPU socket (NUMA node, 0-based) its upstream port goes to.
    pub socket: u32,
    /// Its generation.
    pub generation: u32,
    /// Lanes of its upstream link to the socket.
    pub upstream_lanes: u32,
    /// GPUs below it.
    #[serde(default)]
    pub gpus: Vec<u32>,
    /// Compute-fabric NICs below it.
    #[serde(default)]
    pub fabric_nics: Vec<u32>,
    /// Storage / in-band NICs below it.
    #[serde(default)]
    pub storage_nics: Vec<u32>,
    /// NVMe drives below it.
    #[serde(default)]
    pub nvme: u32,
}

/// `[[board]]`: a server's internals, shared by the servers built on one board design (an HGX 8-GPU board in a
/// G593, a DGX, ...): CPU sockets, the PCIe switches with what hangs off each, the links, the IOMMU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// Board id, named by servers' `board` key.
    pub id: PartId,
    /// One line.
    pub description: String,
    /// CPU sockets = NUMA nodes (one per socket, NPS1 / SNC off).
    pub numa_nodes: Sourced<u32>,
    /// The PCIe switches and what hangs off each; a device under none hangs off its socket's root port.
    pub pcie_switches: Sourced<Vec<PcieSwitch>>,
    /// The link of each GPU.
    pub gpu_link: Sourced<PcieLink>,
    /// The slot of each fabric NIC.
    pub nic_slot: Sourced<PcieLink>,
    /// The fabric NICs can take a second x16 link from the other socket (Socket Direct).
    #[serde(default)]
    pub nic_socket_direct: Option<Sourced<bool>>,
    /// The slot of each storage NIC.
    pub storage_slot: Sourced<PcieLink>,
    /// The fabric ports are on the accelerators themselves (Gaudi 3): no NIC and no PCIe hop on the rail.
    #[serde(default)]
    pub integrated_fabric: bool,
    /// The platform has an IOMMU (Intel VT-d / AMD-Vi) for GPU passthrough.
    pub iommu: Sourced<bool>,
}

impl Server {
    /// Whether the server's catalog power figures already include its pluggable modules (see
    /// [`Server::power_includes_pluggables`]); never for a power derived from the parts.
    pub fn power_includes_pluggables(&self) -> bool {
        self.max_power_w.is_some() && self.power_includes_pluggables.as_ref().is_some_and(|f| f.value)
    }
}

/// A fabric or management switch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// `infiniband` or `ethernet`.
    pub protocol: String,
    /// Front-panel port groups (cages and the speeds they split into).
    pub port_group: Vec<PortGroup>,
    /// Height.
    pub rack_units: Sourced<RackUnits>,
    /// Mass.
    pub weight_kg: Sourced<Kilograms>,
    /// Power with passive copper and typical traffic, without pluggable optics.
    pub typical_power_w: Sourced<Watts>,
    /// Maximum power without pluggable optics.
    pub max_power_w: Sourced<Watts>,
    /// Power class each cage can feed a pluggable module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cage_power_limit_w: Option<Sourced<Watts>>,
    /// Airflow direction, e.g. `P2C` (rear to front).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub airflow: Option<String>,
    /// Power supplies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psu_count: Option<Sourced<u32>>,
    /// Cooling of the chassis; absent means air. A liquid-cooled switch's cages take flat-top modules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooling: Option<CoolingKind>,
    /// The name of a port of its own for the UFM fabric manager (the Q3400-RA's `fnm1`, "In-band fabric node
    /// management (UFM)"): UFM takes it instead of a leaf port a server would use. Absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ufm_port: Option<Sourced<String>>,
}

/// A group of identical cages on a switch's front panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortGroup {
    /// Physical cages (twin-port OSFP cages count once).
    pub cages: Sourced<u32>,
    /// Cage form, e.g. `osfp-twin`, `osfp`, `qsfp28`, `rj45`.
    pub form: String,
    /// The logical ports each cage offers at each speed.
    pub modes: Vec<PortMode>,
    /// The heat-sink form the cages take: `finned` on an air-cooled switch, `flat` on a liquid-cooled one. When
    /// absent it follows the switch's [`Switch::cooling`] (liquid: flat), else any module fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat_sink: Option<Sourced<HeatSink>>,
}

/// One way to run a cage: `ports_per_cage` logical ports at `speed_gbps` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortMode {
    /// Speed of each logical port.
    pub speed_gbps: Gbps,
    /// Logical ports per cage at that speed.
    pub ports_per_cage: u32,
}

impl Switch {
    /// Logical ports available at `speed`, summed over the port groups that can run at that speed.
    ///
    /// ```
    /// # use gigapod_catalog::Catalog;
    /// # use gigapod_catalog::units::Gbps;
    /// let cat = Catalog::builtin();
    /// assert_eq!(cat.switch("qm9700").unwrap().ports_at(Gbps(400)), 64);
    /// ```
    pub fn ports_at(&self, speed: Gbps) -> u32 {
        // Saturating: validation caps a switch at MAX_SWITCH_PORTS, but this must not overflow on any input.
        self.port_group
            .iter()
            .filter_map(|g| {
                g.modes
                    .iter()
                    .find(|m| m.speed_gbps == speed)
                    .map(|m| g.cages.value.saturating_mul(m.ports_per_cage))
            })
            .fold(0u32, u32::saturating_add)
    }

    /// Logical ports per cage at `speed` in the first group that runs that speed (2 for a twin-port OSFP at
    /// 400G NDR). Used to name ports as on the faceplate.
    pub fn ports_per_cage_at(&self, speed: Gbps) -> Option<u32> {
        self.port_group
            .iter()
            .find_map(|g| g.modes.iter().find(|m| m.speed_gbps == speed).map(|m| m.ports_per_cage))
    }

    /// Every speed the switch's ports can run at, highest first.
    pub fn speeds(&self) -> Vec<Gbps> {
        let mut v: Vec<Gbps> = self
            .port_group
            .iter()
            .flat_map(|g| g.modes.iter().map(|m| m.speed_gbps))
            .collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.dedup();
        v
    }

    /// The heat-sink form of the cages that run `speed` (see [`PortGroup::heat_sink`]).
    pub fn cage_heat_sink_at(&self, speed: Gbps) -> Option<HeatSink> {
        let group = self
            .port_group
            .iter()
            .find(|g| g.modes.iter().any(|m| m.speed_gbps == speed))?;
        match &group.heat_sink {
            Some(h) => Some(h.value),
            None if self.cooling == Some(CoolingKind::Liquid) => Some(HeatSink::Flat),
            None => None,
        }
    }

    /// Physical cages across all groups.
    pub fn cages(&self) -> u32 {
        self.port_group.iter().map(|g| g.cages.value).sum()
    }
}

/// A network adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nic {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// Network ports.
    pub ports: Sourced<u32>,
    /// Speed of each port.
    pub port_speed_gbps: Sourced<Gbps>,
    /// Cage form, e.g. `osfp`, `qsfp112`.
    pub form: String,
    /// The heat-sink form its cages take (`flat`: ConnectX-7 OSFP and ConnectX-8 cages ride their own heat sink).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat_sink: Option<Sourced<HeatSink>>,
    /// Power with passive cables (zero for ports that are part of the accelerator, as on Gaudi 3).
    pub power_w: Sourced<Watts>,
    /// Its host link (`Gen5 x16`), when the card has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcie: Option<Sourced<PcieLink>>,
}

/// Optical medium of a transceiver or a fibre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FiberMedia {
    /// Multimode fibre (OM4), short reach.
    Multimode,
    /// Single-mode fibre.
    Singlemode,
}

/// A pluggable optical transceiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transceiver {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// Cage form it plugs into (`osfp-twin` on a switch, `osfp` or `qsfp112` on a NIC).
    pub form: String,
    /// Multimode or single-mode.
    pub media: FiberMedia,
    /// Only for fabrics of this protocol (`infiniband`, `ethernet`); absent: either.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Logical links it carries (2 for a twin-port module).
    pub links: Sourced<u32>,
    /// Speed of each link.
    pub speed_gbps: Sourced<Gbps>,
    /// Longest supported fibre run.
    pub reach_m: Sourced<Meters>,
    /// Power drawn from the cage.
    pub power_w: Sourced<Watts>,
    /// Finned (IHS) or flat-top (RHS / `-FLT`): which cages it fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat_sink: Option<Sourced<HeatSink>>,
}

/// How a cable carries the signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CableMedia {
    /// Passive direct-attach copper.
    Dac,
    /// Active copper (retimed).
    Acc,
    /// Active optical cable (optics built in).
    Aoc,
    /// Passive fibre between two transceivers.
    Fiber,
    /// Twisted-pair copper patch cord (Cat6, RJ45), for 1 GbE management ports.
    Cat6,
}

impl fmt::Display for CableMedia {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CableMedia::Dac => "dac",
            CableMedia::Acc => "acc",
            CableMedia::Aoc => "aoc",
            CableMedia::Fiber => "fiber",
            CableMedia::Cat6 => "cat6",
        })
    }
}

/// A cable family (one id, several lengths).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cable {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// Copper (passive, active), active optical or plain fibre.
    pub media: CableMedia,
    /// For fibre: the fibre type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiber: Option<FiberMedia>,
    /// Only for fabrics of this protocol (`infiniband`, `ethernet`); absent: either.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Connector form at the first end (the switch side of a breakout), e.g. `osfp-twin`.
    pub end_a: String,
    /// Connector form at the other end(s), e.g. `osfp`: a cable whose `links` exceed what one `end_b` connector
    /// carries is a breakout (one twin-port cage to two single-port NICs).
    pub end_b: String,
    /// Logical links one cable carries (2 for twin-port switch-to-switch, 2 for a 1-to-2 splitter).
    pub links: Sourced<u32>,
    /// Speed of each link.
    pub speed_gbps: Sourced<Gbps>,
    /// Orderable lengths, shortest first.
    pub lengths_m: Sourced<Vec<Meters>>,
    /// Power drawn per end.
    pub power_per_end_w: Sourced<Watts>,
    /// Outer diameter, for tray fill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diameter_mm: Option<Sourced<Millimeters>>,
    /// Mass per metre, for tray load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mass_kg_per_m: Option<Sourced<Kilograms>>,
    /// Heat-sink form of the plug at `end_a` (copper and AOC plugs are modules in their cage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_a_heat_sink: Option<Sourced<HeatSink>>,
    /// Heat-sink form of the plug(s) at `end_b`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_b_heat_sink: Option<Sourced<HeatSink>>,
}

impl Cable {
    /// The longest orderable length.
    pub fn max_length(&self) -> Meters {
        self.lengths_m
            .value
            .iter()
            .copied()
            .fold(Meters(0.0), |a, b| if b > a { b } else { a })
    }
}

/// A power supply unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Psu {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// Continuous output rating.
    pub rating_w: Sourced<Watts>,
    /// Efficiency class, e.g. `80 PLUS Titanium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efficiency: Option<String>,
}

/// A rack cabinet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rack {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// Usable height.
    pub rack_units: Sourced<RackUnits>,
    /// Footprint width.
    pub width_mm: Sourced<Millimeters>,
    /// Footprint depth.
    pub depth_mm: Sourced<Millimeters>,
    /// Static load rating (equipment).
    pub max_weight_kg: Sourced<Kilograms>,
}

/// A cooling class for racks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cooling {
    /// Catalog id: `air` or `liquid`.
    pub id: PartId,
    /// One line for tables.
    pub description: String,
    /// Kind of cooling.
    pub kind: CoolingKind,
    /// Lowest rack power of the class's range.
    pub rack_kw_min: Sourced<Kilowatts>,
    /// Highest rack power of the class's range.
    pub rack_kw_max: Sourced<Kilowatts>,
    /// Rack power limit used when the spec gives none.
    pub default_rack_limit_kw: Sourced<Kilowatts>,
    /// For liquid: the share of heat that goes into the liquid; the rest goes into the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liquid_heat_fraction: Option<Sourced<f64>>,
    /// For liquid: how much residual heat the room air can take per rack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_air_limit_kw: Option<Sourced<Kilowatts>>,
    /// Cooling air the room delivers to one rack, m3/h (the cold aisle's supply per rack position).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub air_m3_per_h_per_rack: Option<Sourced<f64>>,
}

/// What an appliance does in the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplianceRole {
    /// A UFM fabric-management appliance.
    Ufm,
    /// A management node (Base Command head, login, Kubernetes control).
    Management,
    /// A storage appliance.
    Storage,
}

/// A rack-mounted appliance beside the GPU servers: UFM, management node or storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appliance {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// What it does.
    pub role: ApplianceRole,
    /// Height.
    pub rack_units: Sourced<RackUnits>,
    /// Mass.
    pub weight_kg: Sourced<Kilograms>,
    /// Maximum power.
    pub max_power_w: Sourced<Watts>,
    /// Typical power; the maximum when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typical_power_w: Option<Sourced<Watts>>,
    /// Power supplies (one cord each).
    pub psu_count: Sourced<u32>,
}

/// A rack power distribution unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pdu {
    /// Catalog id.
    pub id: PartId,
    /// One line for tables and the BOM.
    pub description: String,
    /// Maker.
    pub vendor: String,
    /// 1 or 3.
    pub phases: Sourced<u32>,
    /// Line-to-line voltage (3-phase) or line voltage (1-phase).
    pub voltage_v: Sourced<f64>,
    /// Input current rating per phase.
    pub current_a: Sourced<f64>,
    /// Share of the rating usable continuously (0.8 under the North-American 80 % rule).
    pub continuous_fraction: Sourced<f64>,
    /// Height (0 for a vertical zero-U PDU).
    pub rack_units: Sourced<RackUnits>,
    /// Outlets.
    pub outlets: Sourced<u32>,
}

impl Pdu {
    /// Continuous capacity: `sqrt(3) x V x I` for three phases, `V x I` for one, times the continuous fraction,
    /// at unity power factor.
    pub fn continuous_capacity(&self) -> Kilowatts {
        let phase_factor = if self.phases.value == 3 { 3f64.sqrt() } else { 1.0 };
        Kilowatts(phase_factor * self.voltage_v.value * self.current_a.value * self.continuous_fraction.value / 1000.0)
    }
}

/// A class of medium a [`MediaRule`] can forbid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaClass {
    /// Passive direct-attach copper.
    Dac,
    /// Active (or linear active) copper.
    Acc,
    /// Active optical cable.
    Aoc,
    /// Multimode transceivers and fibre.
    Multimode,
    /// Single-mode transceivers and fibre.
    Singlemode,
}

impl fmt::Display for MediaClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaClass::Dac => "dac",
            MediaClass::Acc => "acc",
            MediaClass::Aoc => "aoc",
            MediaClass::Multimode => "multimode",
            MediaClass::Singlemode => "singlemode",
        })
    }
}

/// A vendor rule on which media a link generation may use, obeyed by the media chooser (e.g. NVIDIA's XDR
/// rules: no multimode, no AOC, no DAC at 200G-PAM4, and 200G-PAM4 parts cannot downshift).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaRule {
    /// Rule id, e.g. `xdr-200g-pam4`.
    pub id: String,
    /// What the rule is.
    pub description: String,
    /// The link speed the rule covers: links at this speed, and parts rated at it.
    pub speed_gbps: Sourced<Gbps>,
    /// Only on fabrics of this protocol (`infiniband`, `ethernet`); absent: every fabric at that speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Media not used for links the rule covers.
    pub forbid: Sourced<Vec<MediaClass>>,
    /// When true, parts rated at `speed_gbps` cannot run a slower link.
    pub no_downshift: Sourced<bool>,
}

impl MediaRule {
    /// Whether the rule covers links at `speed` on a fabric of `protocol`.
    pub fn covers(&self, speed: Gbps, protocol: &str) -> bool {
        self.speed_gbps.value == speed && self.protocol.as_deref().is_none_or(|p| p == protocol)
    }
}

/// An old catalog id kept for a while so that existing specs still resolve: it stands for a real part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    /// The old id.
    pub id: PartId,
    /// The id of the part it stands for.
    pub of: PartId,
    /// Why it exists and what it stands for (shown by `catalog show` and in the plan's warning).
    pub note: String,
}

/// A reference cited by catalog figures (the `S..` ids of `hardware-facts.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Id such as `S12`.
    pub id: String,
    /// `V` vendor, `D` dataset, `T` third party, `B` project brief.
    pub class: String,
    /// What it is.
    pub title: String,
    /// Where to find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A price for a part, from a user's price list (the built-in catalog carries none: no public list prices are in
/// the reference set). Prices live apart from parts so that a price list is a file of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// The part priced.
    pub part: PartId,
    /// Price of one unit in US dollars (for a cable family: the fixed part of one cable).
    pub usd: Sourced<f64>,
    /// For cables and fibres: dollars per metre of length, added to `usd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usd_per_m: Option<Sourced<f64>>,
}

impl Price {
    /// The price of one unit, for a cable of `length` (ignored for parts without a per-metre price).
    pub fn of(&self, length: Option<Meters>) -> f64 {
        self.usd.value
            + self
                .usd_per_m
                .as_ref()
                .map_or(0.0, |p| p.value * length.map_or(0.0, |l| l.0))
    }
}
