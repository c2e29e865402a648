//! The cluster spec: what the user asks for, parsed from TOML and checked against the catalog.
//!
//! Parsing ([`Spec::parse`]) catches syntax, types and unknown keys; resolving ([`SpecFile::resolve`]) catches
//! everything that needs the catalog (unknown ids, a GPU count that is not a whole number of servers, a
//! liquid-cooled server in an air-cooled hall). Both report [`Diagnostics`] that point at the file, line and key.

use crate::fabric::{Planes, Tiers};
use gigapod_catalog::diagnostic::{KeyPath, did_you_mean};
use gigapod_catalog::units::{Gbps, Kilowatts};
use gigapod_catalog::{
    Catalog, CoolingKind, Diagnostic, Diagnostics, Gpu, Nic, PartKind, Psu, Rack, Server, SourceFile, Switch,
};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// Largest oversubscription accepted: beyond it a leaf would have almost no uplinks.
pub const MAX_OVERSUBSCRIPTION: f64 = 64.0;
/// Largest rack power limit accepted, kW.
pub const MAX_RACK_KW: f64 = 1000.0;
/// Most fabric NIC ports (rails) a server may have.
pub const MAX_RAILS: u64 = 64;

/// Largest spec file accepted.
pub const MAX_SPEC_FILE_BYTES: u64 = 1024 * 1024;
/// Largest cluster accepted, in servers: beyond any three-tier fat-tree of the catalog's switches
/// (746,496 endpoints on a 144-port switch = 93,312 eight-GPU servers), and small enough that nothing the
/// planner allocates per server can exhaust memory.
pub const MAX_SERVERS: u64 = 1_000_000;

/// A cluster spec as written (see `docs/spec.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Spec {
    /// Names the plan and its output folder: `[A-Za-z0-9._-]+`.
    pub name: String,
    /// The GPU servers.
    pub compute: ComputeSpec,
    /// The compute (east-west) fabric.
    #[serde(default)]
    pub fabric: FabricSpec,
    /// Cooling, racks and power basis.
    #[serde(default)]
    pub facility: FacilitySpec,
    /// Economic inputs for CapEx, OpEx and TCO; without it the plan has no cost section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::cost::CostSpec>,
    /// The storage fabric (`fabric = "none"` opts out).
    #[serde(default)]
    pub storage: StorageSpec,
    /// The in-band management Ethernet.
    #[serde(default)]
    pub inband: InbandSpec,
    /// The out-of-band 1 GbE network.
    #[serde(default)]
    pub oob: OobSpec,
    /// UFM appliances and management nodes.
    #[serde(default)]
    pub management: ManagementSpec,
    /// `[[workload]]`: the work the cluster must carry, for `advise` (docs/workloads.md). With workloads the
    /// size may be left out of `[compute]`.
    #[serde(default, rename = "workload", skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<crate::advise::WorkloadSpec>,
    /// `[advise]`: the inputs of the strategies (queueing buffer, licences, platform); defaults documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advise: Option<crate::advise::AdviseSpec>,
    /// `[netbox]`: how the NetBox export names things (docs/outputs.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netbox: Option<NetboxSpec>,
}

/// `[netbox]`: the NetBox export's naming.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct NetboxSpec {
    /// Put before every device name (`<prefix>-srv1`), so that several plans live in one NetBox; the plan's
    /// name when left out. Same characters as the plan's name.
    pub prefix: Option<String>,
}

pub use crate::networks::{InbandSpec, ManagementSpec, OobSpec, StorageFabric, StorageLevel, StorageSpec};

/// `[compute]`: which server and how many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ComputeSpec {
    /// Catalog id of a GPU server.
    pub server: String,
    /// Size in scalable units (exactly one of `scalable_units`, `servers`, `gpus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scalable_units: Option<i64>,
    /// Size in servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<i64>,
    /// Size in GPUs: a multiple of the server's GPU count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<i64>,
    /// Servers per scalable unit: `"auto"` (the default: one leaf per rail, filled at the fabric's
    /// oversubscription) or a number.
    #[serde(default)]
    pub servers_per_su: ServersPerSu,
}

/// `compute.servers_per_su`: a number, or `"auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServersPerSu {
    /// One leaf per rail, filled at the chosen oversubscription: the leaf's downlinks at the NIC speed,
    /// `floor(k r / (1 + r))` for `k` ports at ratio `r` (32 on a 64-port leaf, 64 on an SN5600 at 400G, 72 on a
    /// Q3400-RA), see [`crate::fabric::leaf_downlink_capacity`].
    #[default]
    Auto,
    /// As many as given.
    Count(i64),
}

impl ServersPerSu {
    /// The servers per SU for a switch with `ports` logical ports at the NIC speed and leaf ratio `ratio`: the
    /// number given, or the `"auto"` fill. A switch that cannot run the speed gives 32 (the fabric then reports
    /// the speed it cannot take).
    pub fn resolve(self, ports: u32, ratio: f64) -> i64 {
        match self {
            ServersPerSu::Count(n) => n,
            ServersPerSu::Auto if ports < 2 => 32,
            ServersPerSu::Auto => {
                let r = if ratio.is_finite() && ratio >= 1.0 { ratio } else { 1.0 };
                i64::from(crate::fabric::leaf_downlink_capacity(ports, r))
            }
        }
    }
}

impl<'de> Deserialize<'de> for ServersPerSu {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ServersPerSu;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"auto\" or a whole number of servers")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ServersPerSu, E> {
                match v {
                    "auto" => Ok(ServersPerSu::Auto),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ServersPerSu, E> {
                Ok(ServersPerSu::Count(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ServersPerSu, E> {
                Ok(ServersPerSu::Count(i64::try_from(v).unwrap_or(i64::MAX)))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for ServersPerSu {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ServersPerSu::Auto => s.serialize_str("auto"),
            ServersPerSu::Count(n) => s.serialize_i64(*n),
        }
    }
}

/// `[fabric]`: the compute fabric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct FabricSpec {
    /// Catalog id of the fabric switch; default `qm9700`.
    pub switch: String,
    /// Leaf downlink:uplink bandwidth, at least 1.0 (1.0 = non-blocking).
    pub oversubscription: f64,
    /// NIC i of every server of an SU goes to leaf i of that SU.
    pub rail_optimized: bool,
    /// `"auto"`, 2 or 3.
    pub tiers: Tiers,
    /// Fabric planes: 1 (one fat-tree), `"per-rail"` (rail r of every server in plane r), or n >= 2 (every NIC
    /// port split n ways, sub-port p in plane p).
    #[serde(skip_serializing_if = "is_one_plane")]
    pub planes: Planes,
}

fn is_one_plane(p: &Planes) -> bool {
    *p == Planes::One
}

impl Default for FabricSpec {
    fn default() -> Self {
        Self {
            switch: "qm9700".into(),
            oversubscription: 1.0,
            rail_optimized: true,
            tiers: Tiers::Auto,
            planes: Planes::One,
        }
    }
}

/// Which power figure of the server the plan uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PowerBasis {
    /// Nameplate maximum: what PSUs, PDUs and feeds must carry.
    #[default]
    Max,
    /// Sustained typical draw: what the energy bill and the cooling see on average.
    Typical,
}

impl fmt::Display for PowerBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PowerBasis::Max => "max",
            PowerBasis::Typical => "typical",
        })
    }
}

/// `[facility]`: cooling, racks and the power basis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct FacilitySpec {
    /// The cooling class: `air`, `liquid`, or another class a catalog file defines.
    pub cooling: CoolingClass,
    /// Catalog id of the rack.
    pub rack: String,
    /// Overrides the cooling class's default rack power limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rack_power_limit_kw: Option<f64>,
    /// `max` or `typical`.
    pub power_basis: PowerBasis,
    /// Catalog id of the rack PDU; each rack gets A and B feeds of these.
    pub pdu: String,
    /// Catalog id of the out-of-band management switch.
    pub management_switch: String,
    /// Racks per row at most (a scalable unit is never split across rows). When given, a scalable unit wider
    /// than this is an error; when not, [`DEFAULT_RACKS_PER_ROW`] shapes the floor and a wider SU takes a row
    /// of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub racks_per_row: Option<i64>,
    /// Power feeds per rack: 2 (A and B, each able to carry the whole rack alone; the default) or 1.
    pub feeds: i64,
    /// Most PDUs one feed of a rack may take (vertical PDUs per side of the rack); default
    /// [`DEFAULT_MAX_PDUS_PER_FEED`].
    pub max_pdus_per_feed: i64,
    /// Where the SU's leaf switches stand: in network racks (the reference designs), among the servers, or
    /// whichever the layout's objective finds cheaper.
    pub leaf_placement: crate::layout::LeafPlacement,
    /// Servers per rack at most, overriding the server's catalog densities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers_per_rack: Option<i64>,
    /// Heat one rack's coolant distribution unit (in-rack CDU) removes, kW; checked against each rack's liquid
    /// heat (`cooling.cdu`). Absent: not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdu_rack_kw: Option<f64>,
    /// Heat one row's CDU (in-row) removes, kW; checked against each row's liquid heat. Absent: not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdu_row_kw: Option<f64>,
    /// Racks per data hall at most: the floor splits into halls (docs/layout.md, halls).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hall_racks: Option<i64>,
    /// Floor area per hall at most, m².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hall_area_m2: Option<f64>,
    /// IT power per hall at most, MW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hall_mw: Option<f64>,
    /// Corridor between neighbouring halls, m (default 10, an estimate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hall_spacing_m: Option<f64>,
}

/// Corridor between neighbouring halls when the spec does not say, m: an estimate (a service corridor and the
/// walls on both sides).
pub const DEFAULT_HALL_SPACING_M: f64 = 10.0;

impl FacilitySpec {
    /// The hall limits the spec sets (MW as kW).
    pub fn hall_limits(&self) -> crate::layout::HallLimits {
        crate::layout::HallLimits {
            racks: self.hall_racks.and_then(|n| u32::try_from(n).ok()),
            area_m2: self.hall_area_m2,
            kw: self.hall_mw.map(|mw| mw * 1000.0),
            spacing_m: self.hall_spacing_m.unwrap_or(DEFAULT_HALL_SPACING_M),
        }
    }
}

/// Racks per row when the spec does not say.
pub const DEFAULT_RACKS_PER_ROW: u32 = 24;
/// PDUs one feed of a rack may take when the spec does not say: a 600 mm rack has room for about two vertical
/// PDUs on each side of its rear, and the densest reference racks run four per feed (an estimate of common
/// practice, not a catalog figure).
pub const DEFAULT_MAX_PDUS_PER_FEED: u32 = 4;

/// A cooling class of the catalog, by id. The built-in classes have their own variants; a class a catalog file
/// adds is [`CoolingClass::Catalog`]. In TOML it is the id as a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CoolingClass {
    /// `air`: air-cooled racks.
    #[default]
    Air,
    /// `liquid`: direct liquid cooling to the chips, the rest into room air.
    Liquid,
    /// Any other cooling class id (it must exist in the catalog).
    Catalog(String),
}

impl CoolingClass {
    /// The catalog id.
    pub fn id(&self) -> &str {
        match self {
            CoolingClass::Air => "air",
            CoolingClass::Liquid => "liquid",
            CoolingClass::Catalog(id) => id,
        }
    }
}

impl From<&str> for CoolingClass {
    fn from(id: &str) -> Self {
        match id {
            "air" => CoolingClass::Air,
            "liquid" => CoolingClass::Liquid,
            other => CoolingClass::Catalog(other.to_string()),
        }
    }
}

impl fmt::Display for CoolingClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for CoolingClass {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for CoolingClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|id| CoolingClass::from(id.as_str()))
    }
}

impl Default for FacilitySpec {
    fn default() -> Self {
        Self {
            cooling: CoolingClass::Air,
            rack: "rack-48u".into(),
            rack_power_limit_kw: None,
            power_basis: PowerBasis::Max,
            pdu: "pdu-3ph-415v-60a".into(),
            management_switch: "sn2201".into(),
            racks_per_row: None,
            feeds: 2,
            max_pdus_per_feed: i64::from(DEFAULT_MAX_PDUS_PER_FEED),
            leaf_placement: crate::layout::LeafPlacement::NetworkRack,
            servers_per_rack: None,
            cdu_rack_kw: None,
            cdu_row_kw: None,
            hall_racks: None,
            hall_area_m2: None,
            hall_mw: None,
            hall_spacing_m: None,
        }
    }
}

impl<'de> Deserialize<'de> for Tiers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Tiers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"auto\", 2 or 3")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tiers, E> {
                match v {
                    "auto" => Ok(Tiers::Auto),
                    "2" => Ok(Tiers::Two),
                    "3" => Ok(Tiers::Three),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tiers, E> {
                match v {
                    2 => Ok(Tiers::Two),
                    3 => Ok(Tiers::Three),
                    _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Planes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Planes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("1, \"per-rail\" or a number of planes from 2 to 16 (each NIC port split that many ways)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Planes, E> {
                match v {
                    "per-rail" => Ok(Planes::PerRail),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Planes, E> {
                match v {
                    1 => Ok(Planes::One),
                    2..=16 => Ok(Planes::Split(v as u32)),
                    _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Planes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Planes::One => s.serialize_u32(1),
            Planes::PerRail => s.serialize_str("per-rail"),
            Planes::Split(n) => s.serialize_u32(*n),
        }
    }
}

impl Serialize for Tiers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tiers::Auto => s.serialize_str("auto"),
            Tiers::Two => s.serialize_u8(2),
            Tiers::Three => s.serialize_u8(3),
        }
    }
}

/// A spec with the file it came from, so that later errors can point into it.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// The parsed spec.
    pub spec: Spec,
    /// Its text and name.
    pub source: SourceFile,
}

/// The spec resolved against the catalog: the parts it names and the sizes it implies.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The spec as written.
    pub spec: Spec,
    /// The server.
    pub server: Server,
    /// Its GPU.
    pub gpu: Gpu,
    /// Its fabric NIC.
    pub fabric_nic: Nic,
    /// Its storage NIC, when it has one.
    pub storage_nic: Option<Nic>,
    /// Its power supply.
    pub psu: Psu,
    /// The fabric switch.
    pub switch: Switch,
    /// The rack.
    pub rack: Rack,
    /// The cooling class.
    pub cooling: gigapod_catalog::Cooling,
    /// The rack PDU.
    pub pdu: gigapod_catalog::Pdu,
    /// The out-of-band management switch.
    pub management_switch: Switch,
    /// The storage fabric's switch (`None` with `storage.fabric = "none"`).
    pub storage_switch: Option<Switch>,
    /// The in-band switch.
    pub inband_switch: Switch,
    /// The out-of-band switch of `[oob]` (or `facility.management_switch`).
    pub oob_switch: Switch,
    /// The UFM appliance (`management.ufm_appliance`).
    pub ufm_appliance: gigapod_catalog::Appliance,
    /// The management node (`management.node`).
    pub management_node: gigapod_catalog::Appliance,
    /// Servers in the cluster.
    pub servers: u32,
    /// Servers per scalable unit.
    pub servers_per_su: u32,
    /// Scalable units, the last one possibly partial.
    pub scalable_units: u32,
    /// The rack power limit in force (spec, else the cooling class's default).
    pub rack_limit: Kilowatts,
    /// Fabric NIC ports per server (rails): NICs x ports per NIC.
    pub rails: u32,
    /// Speed of one fabric NIC port.
    pub nic_speed: Gbps,
    /// Racks per row the floor is laid out with.
    pub racks_per_row: u32,
    /// Whether the spec set `racks_per_row`, making it a hard limit for a scalable unit's width.
    pub racks_per_row_given: bool,
    /// Power feeds per rack (1, or 2 for A and B).
    pub feeds: u32,
    /// Most PDUs one feed of a rack may take.
    pub max_pdus_per_feed: u32,
}

impl Spec {
    /// A spec of `server` (a catalog id) named `name`, with every other key at its default. Give it a size
    /// (`compute.scalable_units`, `servers` or `gpus`) before planning it, or use [`Spec::builder`].
    pub fn new(name: impl Into<String>, server: impl Into<String>) -> Spec {
        Spec {
            name: name.into(),
            compute: ComputeSpec {
                server: server.into(),
                scalable_units: None,
                servers: None,
                gpus: None,
                servers_per_su: ServersPerSu::default(),
            },
            fabric: FabricSpec::default(),
            facility: FacilitySpec::default(),
            cost: None,
            storage: StorageSpec::default(),
            inband: InbandSpec::default(),
            oob: OobSpec::default(),
            management: ManagementSpec::default(),
            workloads: Vec::new(),
            advise: None,
            netbox: None,
        }
    }

    /// Builds a spec in code, key by key; every key not set keeps its default (docs/spec.md). Nothing is
    /// checked until it is planned (or resolved), where errors name the key.
    ///
    /// ```
    /// use gigapod_planner::spec::{CoolingClass, PowerBasis, Spec};
    /// let s = Spec::builder("pod", "g593-b200-dlc")
    ///     .scalable_units(2)
    ///     .cooling(CoolingClass::Liquid)
    ///     .power_basis(PowerBasis::Typical)
    ///     .build();
    /// assert_eq!(s.compute.scalable_units, Some(2));
    /// assert_eq!(s.facility.cooling.id(), "liquid");
    /// ```
    pub fn builder(name: impl Into<String>, server: impl Into<String>) -> SpecBuilder {
        SpecBuilder(Spec::new(name, server))
    }

    /// Parses a spec from a file on disk.
    pub fn from_path(path: &Path) -> Result<SpecFile, Diagnostics> {
        let source = gigapod_catalog::read_source(path, MAX_SPEC_FILE_BYTES)?;
        Spec::parse(source)
    }

    /// Parses a spec from text (the file name is used in messages).
    ///
    /// ```
    /// use gigapod_catalog::SourceFile;
    /// use gigapod_planner::spec::Spec;
    /// let f = Spec::parse(SourceFile::new("x.toml", "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n")).unwrap();
    /// assert_eq!(f.spec.compute.servers, Some(4));
    /// let err = Spec::parse(SourceFile::new("x.toml", "name = \"x\"\ncolour = 1\n")).unwrap_err();
    /// assert!(err.to_string().contains("unknown field `colour`"));
    /// ```
    pub fn parse(source: SourceFile) -> Result<SpecFile, Diagnostics> {
        match toml::from_str::<Spec>(&source.text) {
            Ok(spec) => Ok(SpecFile { spec, source }),
            Err(e) => Err(source.from_toml(&e).into()),
        }
    }
}

/// Where a spec came from, so that an error can point into it: a file (line, column and the offending text), or
/// code (the key alone, under a name such as `<spec>`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// Parsed from this file.
    File(&'a SourceFile),
    /// Built in code; errors name this instead of a file.
    Code(&'a str),
}

impl Origin<'_> {
    /// A diagnostic at a dotted key.
    pub(crate) fn at_key(&self, path: &KeyPath, message: impl Into<String>) -> Diagnostic {
        match self {
            Origin::File(f) => f.at_key(path, message),
            Origin::Code(name) => {
                let mut d = Diagnostic::file(name, message);
                d.key = Some(path.to_string());
                d
            }
        }
    }

    /// Whether the user wrote this key (always false for a spec built in code: errors then name the key the
    /// stage blames, or its section).
    pub(crate) fn has_key(&self, path: &KeyPath) -> bool {
        match self {
            Origin::File(f) => f.has_key(path),
            Origin::Code(_) => false,
        }
    }

    fn at_top(&self, message: &str) -> Diagnostic {
        match self {
            Origin::File(f) => f.at(None, None, message),
            Origin::Code(name) => Diagnostic::file(name, message),
        }
    }
}

/// The name errors give a spec built in code.
pub const CODE_SPEC: &str = "<spec>";

/// Builds a [`Spec`] in code: see [`Spec::builder`]. The size setters replace each other (a spec has exactly
/// one size).
#[derive(Debug, Clone)]
#[must_use]
pub struct SpecBuilder(Spec);

impl SpecBuilder {
    /// Size in scalable units.
    pub fn scalable_units(mut self, n: u32) -> Self {
        self.0.compute.set_size(Some(n), None, None);
        self
    }

    /// Size in servers.
    pub fn servers(mut self, n: u32) -> Self {
        self.0.compute.set_size(None, Some(n), None);
        self
    }

    /// Size in GPUs (a multiple of the server's GPU count).
    pub fn gpus(mut self, n: u64) -> Self {
        self.0.compute.scalable_units = None;
        self.0.compute.servers = None;
        self.0.compute.gpus = Some(i64::try_from(n).unwrap_or(i64::MAX));
        self
    }

    /// Servers per scalable unit (default `"auto"`: one leaf per rail, filled).
    pub fn servers_per_su(mut self, n: u32) -> Self {
        self.0.compute.servers_per_su = ServersPerSu::Count(i64::from(n));
        self
    }

    /// Fabric switch, by catalog id (default `qm9700`).
    pub fn switch(mut self, id: impl Into<String>) -> Self {
        self.0.fabric.switch = id.into();
        self
    }

    /// Leaf downlink:uplink bandwidth, at least 1.0 (default 1.0, non-blocking).
    pub fn oversubscription(mut self, ratio: f64) -> Self {
        self.0.fabric.oversubscription = ratio;
        self
    }

    /// Rail-optimised wiring (default true).
    pub fn rail_optimized(mut self, yes: bool) -> Self {
        self.0.fabric.rail_optimized = yes;
        self
    }

    /// Fabric tiers (default auto).
    pub fn tiers(mut self, tiers: Tiers) -> Self {
        self.0.fabric.tiers = tiers;
        self
    }

    /// Fabric planes (default one).
    pub fn planes(mut self, planes: Planes) -> Self {
        self.0.fabric.planes = planes;
        self
    }

    /// Cooling class (default air).
    pub fn cooling(mut self, cooling: CoolingClass) -> Self {
        self.0.facility.cooling = cooling;
        self
    }

    /// Rack, by catalog id (default `rack-48u`).
    pub fn rack(mut self, id: impl Into<String>) -> Self {
        self.0.facility.rack = id.into();
        self
    }

    /// Rack power limit, overriding the cooling class's default.
    pub fn rack_power_limit(mut self, limit: Kilowatts) -> Self {
        self.0.facility.rack_power_limit_kw = Some(limit.0);
        self
    }

    /// Which power figure of the server the plan uses (default max).
    pub fn power_basis(mut self, basis: PowerBasis) -> Self {
        self.0.facility.power_basis = basis;
        self
    }

    /// Rack PDU, by catalog id.
    pub fn pdu(mut self, id: impl Into<String>) -> Self {
        self.0.facility.pdu = id.into();
        self
    }

    /// Out-of-band management switch, by catalog id.
    pub fn management_switch(mut self, id: impl Into<String>) -> Self {
        self.0.facility.management_switch = id.into();
        self
    }

    /// Racks per row at most; a scalable unit wider than this becomes an error.
    pub fn racks_per_row(mut self, n: u32) -> Self {
        self.0.facility.racks_per_row = Some(i64::from(n));
        self
    }

    /// Where the SU's leaves stand (default: network racks).
    pub fn leaf_placement(mut self, p: crate::layout::LeafPlacement) -> Self {
        self.0.facility.leaf_placement = p;
        self
    }

    /// Racks per data hall at most (the floor splits into halls).
    pub fn hall_racks(mut self, n: u32) -> Self {
        self.0.facility.hall_racks = Some(i64::from(n));
        self
    }

    /// Servers per rack at most (overrides the catalog's densities).
    pub fn servers_per_rack(mut self, n: u32) -> Self {
        self.0.facility.servers_per_rack = Some(i64::from(n));
        self
    }

    /// Power feeds per rack: 1, or 2 for A and B (default 2).
    pub fn feeds(mut self, n: u32) -> Self {
        self.0.facility.feeds = i64::from(n);
        self
    }

    /// Most PDUs one feed of a rack may take (default 4).
    pub fn max_pdus_per_feed(mut self, n: u32) -> Self {
        self.0.facility.max_pdus_per_feed = i64::from(n);
        self
    }

    /// Economic inputs: the plan then has a cost section.
    pub fn cost(mut self, cost: crate::cost::CostSpec) -> Self {
        self.0.cost = Some(cost);
        self
    }

    /// `[storage]`: the storage fabric.
    pub fn storage(mut self, storage: StorageSpec) -> Self {
        self.0.storage = storage;
        self
    }

    /// `storage.fabric`: `StorageFabric::None` plans no storage fabric.
    pub fn storage_fabric(mut self, fabric: StorageFabric) -> Self {
        self.0.storage.fabric = fabric;
        self
    }

    /// `storage.appliance_ports`: storage appliance ports on the storage fabric.
    pub fn storage_appliance_ports(mut self, ports: u32) -> Self {
        self.0.storage.appliance_ports = i64::from(ports);
        self
    }

    /// `storage.target`: the RA's good / better / best read level.
    pub fn storage_target(mut self, level: StorageLevel) -> Self {
        self.0.storage.target = level;
        self
    }

    /// `[inband]`: the in-band network.
    pub fn inband(mut self, inband: InbandSpec) -> Self {
        self.0.inband = inband;
        self
    }

    /// `[oob]`: the out-of-band network.
    pub fn oob(mut self, oob: OobSpec) -> Self {
        self.0.oob = oob;
        self
    }

    /// `[management]`: UFM appliances and management nodes.
    pub fn management(mut self, management: ManagementSpec) -> Self {
        self.0.management = management;
        self
    }

    /// Adds a workload (for `advise`).
    pub fn workload(mut self, w: crate::advise::WorkloadSpec) -> Self {
        self.0.workloads.push(w);
        self
    }

    /// The strategies' inputs (for `advise`).
    pub fn advise(mut self, a: crate::advise::AdviseSpec) -> Self {
        self.0.advise = Some(a);
        self
    }

    /// The spec.
    pub fn build(self) -> Spec {
        self.0
    }
}

impl ComputeSpec {
    fn set_size(&mut self, scalable_units: Option<u32>, servers: Option<u32>, gpus: Option<u64>) {
        self.scalable_units = scalable_units.map(i64::from);
        self.servers = servers.map(i64::from);
        self.gpus = gpus.map(|g| i64::try_from(g).unwrap_or(i64::MAX));
    }
}

impl SpecFile {
    /// Checks the spec against the catalog and derives the cluster's size; errors point into the file.
    pub fn resolve(&self, catalog: &Catalog) -> Result<Resolved, Diagnostics> {
        self.spec.resolve_at(Origin::File(&self.source), catalog)
    }
}

impl Spec {
    /// Checks a spec built in code against the catalog and derives the cluster's size. Errors name the key
    /// (`compute.server`, ...) in a file called [`CODE_SPEC`].
    pub fn resolve(&self, catalog: &Catalog) -> Result<Resolved, Diagnostics> {
        self.resolve_at(Origin::Code(CODE_SPEC), catalog)
    }

    pub(crate) fn resolve_at(&self, origin: Origin<'_>, catalog: &Catalog) -> Result<Resolved, Diagnostics> {
        let mut r = Resolver {
            origin,
            catalog,
            diags: Vec::new(),
        };
        let s = self;
        r.check_name(&s.name);
        if let Some(prefix) = s.netbox.as_ref().and_then(|n| n.prefix.as_deref()) {
            let ok = !prefix.is_empty()
                && prefix.len() <= 40
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !ok {
                r.error(
                    "netbox.prefix",
                    &format!("`{prefix}` is not a valid NetBox name prefix"),
                    "use 1 to 40 of the characters A-Z a-z 0-9 . _ - (it starts every device name in NetBox)",
                );
            }
        }
        let server = r.part(&s.compute.server, "compute.server", PartKind::Server, |c, id| {
            c.server(id)
        });
        let switch = r.part(&s.fabric.switch, "fabric.switch", PartKind::Switch, |c, id| {
            c.switch(id)
        });
        let rack = r.part(&s.facility.rack, "facility.rack", PartKind::Rack, |c, id| c.rack(id));
        let cooling = r.part(
            s.facility.cooling.id(),
            "facility.cooling",
            PartKind::Cooling,
            |c, id| c.cooling(id),
        );
        let pdu = r.part(&s.facility.pdu, "facility.pdu", PartKind::Pdu, |c, id| c.pdu(id));
        let mgmt = r.part(
            &s.facility.management_switch,
            "facility.management_switch",
            PartKind::Switch,
            |c, id| c.switch(id),
        );
        let racks_per_row = match s.facility.racks_per_row {
            Some(n) => r.count("facility.racks_per_row", n),
            None => Some(u64::from(DEFAULT_RACKS_PER_ROW)),
        };
        if !matches!(s.facility.feeds, 1 | 2) {
            r.error(
                "facility.feeds",
                &format!("a rack takes 1 or 2 power feeds, not {}", s.facility.feeds),
                "give 2 for A and B feeds (the default), or 1 for a single feed",
            );
        }
        let _ = r.count("facility.max_pdus_per_feed", s.facility.max_pdus_per_feed);
        if s.facility.max_pdus_per_feed > 64 {
            r.error(
                "facility.max_pdus_per_feed",
                &format!("{} PDUs per feed do not fit in a rack", s.facility.max_pdus_per_feed),
                "give at most 64 (4 is usual)",
            );
        }
        if let Some(n) = s.facility.servers_per_rack {
            r.count("facility.servers_per_rack", n);
        }
        if let Some(n) = s.facility.hall_racks
            && r.count("facility.hall_racks", n).is_some_and(|n| n > 10_000_000)
        {
            r.error(
                "facility.hall_racks",
                "`facility.hall_racks` must be at most 10000000",
                "give racks per hall",
            );
        }
        for (key, v, max, what) in [
            (
                "facility.hall_area_m2",
                s.facility.hall_area_m2,
                1e9,
                "a floor area in m²",
            ),
            ("facility.hall_mw", s.facility.hall_mw, 1e6, "a hall's power in MW"),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0 && v <= max)
            {
                r.error(
                    key,
                    &format!("`{key}` must be above 0 and at most {max}, found {v}"),
                    &format!("give {what}"),
                );
            }
        }
        if let Some(v) = s.facility.hall_spacing_m
            && !(v.is_finite() && (0.0..=100_000.0).contains(&v))
        {
            r.error(
                "facility.hall_spacing_m",
                &format!("`facility.hall_spacing_m` must be 0 to 100000 m, found {v}"),
                "give the corridor between halls in metres",
            );
        }

        // "auto": the leaf's downlinks at the server's NIC speed (needs the server, its NIC and the switch).
        let leaf_ports = match (server, switch) {
            (Some(srv), Some(sw)) => catalog
                .nic(srv.fabric_nic.as_str())
                .map_or(0, |nic| sw.ports_at(nic.port_speed_gbps.value)),
            _ => 0,
        };
        let per_su = r.count(
            "compute.servers_per_su",
            s.compute.servers_per_su.resolve(leaf_ports, s.fabric.oversubscription),
        );
        let sizes = [
            ("scalable_units", s.compute.scalable_units),
            ("servers", s.compute.servers),
            ("gpus", s.compute.gpus),
        ];
        let given: Vec<_> = sizes.iter().filter(|(_, v)| v.is_some()).collect();
        let mut servers = None;
        match given.as_slice() {
            [] if !s.workloads.is_empty() => r.error(
                "compute",
                "the cluster has no size: it has [[workload]]s instead",
                "run `gigapod advise` to size it from the workloads, or give one of `scalable_units`, `servers` or `gpus` under [compute]",
            ),
            [] => r.error(
                "compute",
                "the cluster has no size",
                "give exactly one of `scalable_units`, `servers` or `gpus` under [compute]",
            ),
            [(key, Some(v))] => {
                let key = format!("compute.{key}");
                if let Some(n) = r.count(&key, *v) {
                    servers = match (*key).rsplit('.').next() {
                        // Sized by SUs: the UFM appliances take the slot of one server in SU 1 where the compute
                        // switch has no UFM port of its own (pod-facts A.1.7: 31 nodes + UFM).
                        Some("scalable_units") => per_su.map(|p| {
                            let displaced = match (server, switch) {
                                (Some(srv), Some(sw)) => crate::networks::ufm_displaced_slots(srv, sw, &s.management),
                                _ => 0,
                            };
                            n.saturating_mul(p).saturating_sub(u64::from(displaced)).max(1)
                        }),
                        Some("gpus") => server.and_then(|srv| {
                            let per = u64::from(srv.gpu_count.value);
                            if n % per != 0 {
                                let down = n / per * per;
                                r.error(
                                    &key,
                                    &format!(
                                        "{n} GPUs is not a whole number of `{}` servers ({per} GPUs each)",
                                        srv.id
                                    ),
                                    &format!(
                                        "use a multiple of {per}: {} or {}",
                                        if down == 0 { per } else { down },
                                        down + per
                                    ),
                                );
                                None
                            } else {
                                Some(n / per)
                            }
                        }),
                        _ => Some(n),
                    };
                }
            }
            _ => {
                let names: Vec<&str> = given.iter().map(|(k, _)| *k).collect();
                r.error(
                    &format!("compute.{}", names[1]),
                    &format!("the size is given more than once: {}", names.join(", ")),
                    "keep exactly one of `scalable_units`, `servers` or `gpus`",
                );
            }
        }
        if let Some(n) = servers
            && n > MAX_SERVERS
        {
            let key = given.first().map(|(k, _)| format!("compute.{k}")).unwrap_or_default();
            r.error(
                &key,
                &format!("{n} servers is beyond the planner's limit of {MAX_SERVERS} servers"),
                "plan a smaller cluster; docs/limits.md explains the limit",
            );
            servers = None;
        }

        let ratio = s.fabric.oversubscription;
        if !ratio.is_finite() || ratio > MAX_OVERSUBSCRIPTION {
            r.error(
                "fabric.oversubscription",
                &format!("oversubscription {ratio} is not a ratio a fabric can be built to"),
                &format!("give a ratio from 1.0 (non-blocking) to {MAX_OVERSUBSCRIPTION}, e.g. 2.0 for 2:1"),
            );
        } else if ratio < 1.0 {
            r.error(
                "fabric.oversubscription",
                &format!("oversubscription {ratio} is below 1:1"),
                "give 1.0 for a non-blocking fabric, or a larger ratio such as 2.0 for 2:1",
            );
        }
        if let Some(kw) = s.facility.rack_power_limit_kw
            && kw.is_finite()
            && kw > MAX_RACK_KW
        {
            r.error(
                "facility.rack_power_limit_kw",
                &format!("a rack power limit of {kw} kW is beyond any rack"),
                &format!("give at most {MAX_RACK_KW} kW"),
            );
        }
        if let Some(kw) = s.facility.rack_power_limit_kw
            && !(kw.is_finite() && kw > 0.0)
        {
            r.error(
                "facility.rack_power_limit_kw",
                &format!("a rack power limit of {kw} kW cannot hold any device"),
                "give a positive limit, e.g. 50.0, or leave the key out to use the cooling class's default",
            );
        }

        for (key, v) in [
            ("facility.cdu_rack_kw", s.facility.cdu_rack_kw),
            ("facility.cdu_row_kw", s.facility.cdu_row_kw),
        ] {
            if let Some(kw) = v
                && !(kw.is_finite() && kw > 0.0 && kw <= 1e6)
            {
                r.error(
                    key,
                    &format!("a CDU capacity of {kw} kW is not a capacity"),
                    "give the heat the CDU removes in kW, e.g. 80.0 for an in-rack CDU or 1500.0 for an in-row one (hardware-facts.md 8), or leave the key out",
                );
            }
        }
        if let Some(c) = &s.cost {
            for (key, message) in c.problems() {
                r.error(
                    &format!("cost.{key}"),
                    &message,
                    "docs/spec.md describes the [cost] keys",
                );
            }
        }

        let parts = server.map(|srv| {
            (
                r.part(srv.gpu.as_str(), "compute.server", PartKind::Gpu, |c, id| c.gpu(id)),
                r.part(srv.fabric_nic.as_str(), "compute.server", PartKind::Nic, |c, id| {
                    c.nic(id)
                }),
                r.part(srv.psu.as_str(), "compute.server", PartKind::Psu, |c, id| c.psu(id)),
            )
        });
        if let (Some(srv), Some(cool)) = (server, cooling)
            && srv.cooling == CoolingKind::Liquid
            && cool.kind == CoolingKind::Air
        {
            r.error(
                "facility.cooling",
                &format!("`{}` is liquid-cooled and cannot run in an air-cooled hall", srv.id),
                "set facility.cooling = \"liquid\", or choose an air-cooled server",
            );
        }

        let net_switch = |r: &mut Resolver<'_>, id: &str, key: &str| {
            r.part(id, key, PartKind::Switch, |c, id| c.switch(id)).cloned()
        };
        let storage_switch = if s.storage.fabric == StorageFabric::None {
            None
        } else {
            net_switch(&mut r, &s.storage.switch, "storage.switch")
        };
        // A storage fabric of one protocol on a switch of the other plans, but is not a fabric anyone can build
        // (an InfiniBand fabric of SN5600s, with UFM on it): the switch must speak the fabric's protocol.
        if let (Some(protocol), Some(sw)) = (s.storage.fabric.protocol(), &storage_switch)
            && sw.protocol != protocol
        {
            let (name, other) = if protocol == "infiniband" {
                ("InfiniBand", "ethernet")
            } else {
                ("Ethernet", "infiniband")
            };
            let fitting: Vec<&str> = r
                .catalog
                .iter(Some(PartKind::Switch))
                .filter_map(|e| match &e.part {
                    gigapod_catalog::AnyPart::Switch(x) if x.protocol == protocol => Some(x.id.as_str()),
                    _ => None,
                })
                .collect();
            r.error(
                "storage.switch",
                &format!(
                    "storage.fabric = \"{protocol}\" needs an {name} switch, but `{}` is `{}`",
                    sw.id, sw.protocol
                ),
                &format!(
                    "choose an {name} switch for storage.switch ({}), or set storage.fabric = \"{}\"",
                    if fitting.is_empty() {
                        "the catalog has none".to_string()
                    } else {
                        fitting.join(", ")
                    },
                    if sw.protocol == other { other } else { "none" }
                ),
            );
        }
        let inband_switch = net_switch(&mut r, &s.inband.switch, "inband.switch");
        // `facility.management_switch` (the older key) names the OOB switch when `[oob]` leaves it at its default.
        let oob_id = if s.oob.switch == crate::networks::OobSpec::default().switch {
            &s.facility.management_switch
        } else {
            &s.oob.switch
        };
        let oob_key = if oob_id == &s.oob.switch {
            "oob.switch"
        } else {
            "facility.management_switch"
        };
        let oob_switch = net_switch(&mut r, oob_id, oob_key);
        // The management networks are Ethernet (the RAs' SN4600C and SN2201): an InfiniBand switch there is a typo.
        for (sw, key) in [(&inband_switch, "inband.switch"), (&oob_switch, oob_key)] {
            if let Some(sw) = sw
                && sw.protocol != "ethernet"
            {
                r.error(
                    key,
                    &format!("{key} needs an Ethernet switch, but `{}` is `{}`", sw.id, sw.protocol),
                    "choose an Ethernet switch (`gigapod catalog list --kind switch` lists them; the DGX SuperPOD \
                     RAs use sn4600c in-band and sn2201 out-of-band)",
                );
            }
        }
        let appliance = |r: &mut Resolver<'_>, id: &str, key: &str| {
            r.part(id, key, PartKind::Appliance, |c, id| c.appliance(id)).cloned()
        };
        let ufm_appliance = appliance(&mut r, &s.management.ufm_appliance, "management.ufm_appliance");
        let management_node = appliance(&mut r, &s.management.node, "management.node");
        r.network_numbers(s);
        if let (Some(srv), Some((_, Some(nic), _))) = (server, &parts) {
            let rails = u64::from(srv.fabric_nic_count.value) * u64::from(nic.ports.value);
            if rails > MAX_RAILS {
                r.error(
                    "compute.server",
                    &format!(
                        "`{}` has {rails} fabric ports ({} NICs x {} ports): the planner takes at most {MAX_RAILS}",
                        srv.id, srv.fabric_nic_count.value, nic.ports.value
                    ),
                    "check the server's fabric_nic_count and its NIC's ports in the catalog",
                );
            }
        }
        if !r.diags.is_empty() {
            return Err(Diagnostics(r.diags));
        }
        // Every Option below is Some when no diagnostic was recorded.
        let (server, switch, rack, cooling, servers, per_su) = match (server, switch, rack, cooling, servers, per_su) {
            (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f)) => (a, b, c, d, e, f),
            _ => return Err(r.origin.at_top("the spec is incomplete").into()),
        };
        let (Some(inband_switch), Some(oob_switch), Some(ufm_appliance), Some(management_node)) =
            (inband_switch, oob_switch, ufm_appliance, management_node)
        else {
            return Err(r.origin.at_top("the spec is incomplete").into());
        };
        let (Some(pdu), Some(mgmt), Some(racks_per_row)) = (pdu, mgmt, racks_per_row) else {
            return Err(r.origin.at_top("the spec is incomplete").into());
        };
        let Some((Some(gpu), Some(nic), Some(psu))) = parts else {
            return Err(r.origin.at_top("the server's parts are incomplete").into());
        };
        let storage_nic = server
            .storage_nic
            .as_ref()
            .and_then(|id| catalog.nic(id.as_str()))
            .cloned();
        let servers = u32::try_from(servers).unwrap_or(u32::MAX);
        let per_su = u32::try_from(per_su).unwrap_or(u32::MAX);
        Ok(Resolved {
            spec: s.clone(),
            server: server.clone(),
            gpu: gpu.clone(),
            fabric_nic: nic.clone(),
            storage_nic,
            psu: psu.clone(),
            switch: switch.clone(),
            rack: rack.clone(),
            cooling: cooling.clone(),
            pdu: pdu.clone(),
            management_switch: mgmt.clone(),
            storage_switch,
            inband_switch,
            oob_switch,
            ufm_appliance,
            management_node,
            servers,
            servers_per_su: per_su,
            scalable_units: servers.div_ceil(per_su),
            rack_limit: s
                .facility
                .rack_power_limit_kw
                .map(Kilowatts)
                .unwrap_or(cooling.default_rack_limit_kw.value),
            rails: (u64::from(server.fabric_nic_count.value) * u64::from(nic.ports.value)) as u32,
            nic_speed: nic.port_speed_gbps.value,
            racks_per_row: racks_per_row.min(10_000) as u32,
            racks_per_row_given: s.facility.racks_per_row.is_some(),
            feeds: s.facility.feeds.clamp(1, 2) as u32,
            max_pdus_per_feed: s.facility.max_pdus_per_feed.clamp(1, 64) as u32,
        })
    }
}

struct Resolver<'a> {
    origin: Origin<'a>,
    catalog: &'a Catalog,
    diags: Vec<Diagnostic>,
}

impl<'a> Resolver<'a> {
    fn error(&mut self, key: &str, message: &str, help: &str) {
        self.diags
            .push(self.origin.at_key(&KeyPath::dotted(key), message).with_help(help));
    }

    fn check_name(&mut self, name: &str) {
        let ok = !name.is_empty()
            && name.len() <= 128
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && name != "."
            && name != "..";
        if !ok {
            self.error(
                "name",
                &format!("`{name}` is not a valid plan name"),
                "use 1 to 128 of the characters A-Z a-z 0-9 . _ - (it names the output folder)",
            );
        }
    }

    /// The numbers of `[storage]`, `[inband]` and `[management]`: in range, with a fix when not.
    fn network_numbers(&mut self, s: &Spec) {
        let st = &s.storage;
        if let Some(p) = st.ports_per_node
            && !(1..=16).contains(&p)
        {
            self.error(
                "storage.ports_per_node",
                &format!("`storage.ports_per_node` must be 1 to 16, found {p}"),
                "give the node's storage ports, e.g. 2 for a DGX H100",
            );
        }
        if !(1..=1600).contains(&st.port_speed_gbps) {
            self.error(
                "storage.port_speed_gbps",
                &format!(
                    "`storage.port_speed_gbps` must be 1 to 1600, found {}",
                    st.port_speed_gbps
                ),
                "give the storage port speed in Gb/s, e.g. 400",
            );
        }
        if !(0..=1_000_000).contains(&st.appliance_ports) {
            self.error(
                "storage.appliance_ports",
                &format!(
                    "`storage.appliance_ports` must be 0 to 1000000, found {}",
                    st.appliance_ports
                ),
                "give the storage appliances' ports on the fabric, or 0",
            );
        }
        if !(st.oversubscription.is_finite() && (1.0..=64.0).contains(&st.oversubscription)) {
            self.error(
                "storage.oversubscription",
                &format!(
                    "`storage.oversubscription` must be 1.0 to 64.0, found {}",
                    st.oversubscription
                ),
                "give the node leaves' downlink:uplink ratio, e.g. 1.333 for the RA's 4:3",
            );
        }
        let ib = &s.inband;
        if !(1..=1600).contains(&ib.port_speed_gbps) {
            self.error(
                "inband.port_speed_gbps",
                &format!(
                    "`inband.port_speed_gbps` must be 1 to 1600, found {}",
                    ib.port_speed_gbps
                ),
                "give the in-band port speed in Gb/s, e.g. 100",
            );
        }
        if !(1..=8).contains(&ib.bond) {
            self.error(
                "inband.bond",
                &format!("`inband.bond` must be 1 to 8, found {}", ib.bond),
                "give the bonded ports per node, e.g. 2",
            );
        }
        if !(0..=100_000).contains(&ib.user_storage_ports) {
            self.error(
                "inband.user_storage_ports",
                &format!(
                    "`inband.user_storage_ports` must be 0 to 100000, found {}",
                    ib.user_storage_ports
                ),
                "give the user (NFS) storage ports, or 0",
            );
        }
        let m = &s.management;
        for (key, v) in [
            ("management.ufm", m.ufm.unwrap_or(0)),
            ("management.head_nodes", m.head_nodes),
            ("management.login_nodes", m.login_nodes),
            ("management.kubernetes_nodes", m.kubernetes_nodes),
        ] {
            if !(0..=10_000).contains(&v) {
                self.error(
                    key,
                    &format!("`{key}` must be 0 to 10000, found {v}"),
                    "give a whole number of appliances or nodes",
                );
            }
        }
    }

    /// A positive count within the planner's limits.
    fn count(&mut self, key: &str, v: i64) -> Option<u64> {
        if v <= 0 {
            self.error(
                key,
                &format!("`{key}` must be at least 1, found {v}"),
                "give a positive whole number",
            );
            None
        } else {
            Some(v as u64)
        }
    }

    fn part<T>(
        &mut self,
        id: &str,
        key: &str,
        kind: PartKind,
        get: impl Fn(&'a Catalog, &str) -> Option<&'a T>,
    ) -> Option<&'a T> {
        if let Some(p) = get(self.catalog, id) {
            return Some(p);
        }
        let message = match self.catalog.get(id) {
            Some(e) => format!("`{id}` is a {}, not a {kind}", e.part.kind()),
            None => format!("unknown {kind} `{id}`"),
        };
        let help = match did_you_mean(id, self.catalog.ids(Some(kind))) {
            Some(s) => format!("did you mean `{s}`? (`gigapod catalog list --kind {kind}` lists them)"),
            None => format!("`gigapod catalog list --kind {kind}` lists the ids, or add one with --catalog FILE.toml"),
        };
        self.error(key, &message, &help);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str) -> Result<Resolved, Diagnostics> {
        let f = Spec::parse(SourceFile::new("t.toml", text))?;
        f.resolve(Catalog::builtin())
    }

    const BASE: &str = "name = \"t\"\n[compute]\nserver = \"g593-h200\"\n";

    #[test]
    fn one_su_is_32_servers() {
        let r = resolve(&format!("{BASE}scalable_units = 1\n")).unwrap();
        assert_eq!((r.servers, r.scalable_units), (32, 1));
        assert_eq!(r.nic_speed, Gbps(400));
    }

    #[test]
    fn auto_su_fills_one_leaf_per_rail() {
        let su = |server: &str, switch: &str, ratio: f64| {
            let r = resolve(&format!(
                "name = \"t\"\n[compute]\nserver = \"{server}\"\nscalable_units = 1\n[fabric]\nswitch = \"{switch}\"\noversubscription = {ratio:?}\n"
            ))
            .unwrap();
            r.servers_per_su
        };
        // 64 ports at 400G: 32 down, 32 up; SN5600 128 ports at 400G: 64; Q3400-RA 144 at 800G: 72.
        assert_eq!(su("g593-h200", "qm9700", 1.0), 32);
        assert_eq!(su("g593-h200", "sn5600", 1.0), 64);
        assert_eq!(su("dgx-b300", "q3400-ra", 1.0), 72);
        // At 2:1 a 64-port leaf takes floor(64 x 2 / 3) = 42 servers.
        assert_eq!(su("g593-h200", "qm9700", 2.0), 42);
        // Explicit numbers and "auto" both parse; anything else is refused with the key.
        let r = resolve(&format!("{BASE}scalable_units = 1\nservers_per_su = \"auto\"\n")).unwrap();
        assert_eq!(r.servers_per_su, 32);
        let r = resolve(&format!("{BASE}scalable_units = 1\nservers_per_su = 16\n")).unwrap();
        assert_eq!(r.servers_per_su, 16);
        let e = resolve(&format!("{BASE}scalable_units = 1\nservers_per_su = \"many\"\n")).unwrap_err();
        assert!(e.to_string().contains("\"auto\" or a whole number"), "{e}");
    }

    #[test]
    fn gpus_must_fill_whole_servers() {
        let e = resolve(&format!("{BASE}gpus = 100\n")).unwrap_err();
        let d = &e.0[0];
        assert_eq!((d.line, d.key.as_deref()), (4, Some("compute.gpus")));
        assert!(d.help.as_deref().unwrap().contains("96 or 104"), "{d}");
        let r = resolve(&format!("{BASE}gpus = 512\n")).unwrap();
        assert_eq!((r.servers, r.scalable_units), (64, 2));
    }

    #[test]
    fn partial_su_rounds_up() {
        let r = resolve(&format!("{BASE}servers = 40\n")).unwrap();
        assert_eq!(r.scalable_units, 2);
    }

    #[test]
    fn size_given_twice() {
        let e = resolve(&format!("{BASE}servers = 4\ngpus = 32\n")).unwrap_err();
        assert!(e.0[0].message.contains("more than once"), "{e}");
    }

    #[test]
    fn unknown_switch_suggests() {
        let e = resolve(&format!("{BASE}servers = 4\n[fabric]\nswitch = \"qm9070\"\n")).unwrap_err();
        assert!(e.0[0].help.as_deref().unwrap().contains("`qm9700`"), "{e}");
        assert_eq!(e.0[0].line, 6);
    }

    #[test]
    fn huge_count_is_refused() {
        let e = resolve(&format!("{BASE}servers = 1000000000000\n")).unwrap_err();
        assert!(e.0[0].message.contains("limit"), "{e}");
    }

    #[test]
    fn dlc_server_needs_liquid() {
        let e = resolve("name = \"t\"\n[compute]\nserver = \"g593-b200-dlc\"\nservers = 4\n").unwrap_err();
        assert!(e.0[0].message.contains("liquid-cooled"), "{e}");
    }

    #[test]
    fn a_spec_built_in_code_resolves_and_its_errors_name_the_key() {
        let ok = Spec::builder("t", "g593-h200")
            .servers(4)
            .build()
            .resolve(Catalog::builtin())
            .unwrap();
        assert_eq!(
            (ok.servers, ok.feeds, ok.max_pdus_per_feed, ok.racks_per_row),
            (4, 2, 4, 24)
        );
        assert!(!ok.racks_per_row_given);
        let bad = Spec::builder("t", "g593-h2000")
            .servers(4)
            .cooling(CoolingClass::from("cold"))
            .feeds(3)
            .build();
        let e = bad.resolve(Catalog::builtin()).unwrap_err();
        let keys: Vec<&str> = e.0.iter().filter_map(|d| d.key.as_deref()).collect();
        assert_eq!(keys, ["compute.server", "facility.cooling", "facility.feeds"], "{e}");
        assert!(e.0.iter().all(|d| d.file == CODE_SPEC && d.line == 0), "{e}");
        assert!(e.0[0].help.as_deref().unwrap().contains("`g593-h200`"), "{e}");
        // No size: the same error as in TOML, at `compute`.
        let e = Spec::new("t", "g593-h200").resolve(Catalog::builtin()).unwrap_err();
        assert_eq!(e.0[0].key.as_deref(), Some("compute"));
    }

    #[test]
    fn cooling_classes_read_and_write_as_their_ids() {
        assert_eq!(CoolingClass::from("air"), CoolingClass::Air);
        assert_eq!(
            CoolingClass::from("rear-door"),
            CoolingClass::Catalog("rear-door".into())
        );
        let f = Spec::parse(SourceFile::new(
            "x.toml",
            "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = 1\n[facility]\ncooling = \"liquid\"\n",
        ))
        .unwrap();
        assert_eq!(f.spec.facility.cooling, CoolingClass::Liquid);
        let back = toml::to_string(&f.spec).unwrap();
        assert!(back.contains("cooling = \"liquid\""), "{back}");
    }

    #[test]
    fn tiers_accepts_auto_2_3_only() {
        assert!(resolve(&format!("{BASE}servers = 4\n[fabric]\ntiers = 3\n")).is_ok());
        assert!(resolve(&format!("{BASE}servers = 4\n[fabric]\ntiers = \"auto\"\n")).is_ok());
        let e = resolve(&format!("{BASE}servers = 4\n[fabric]\ntiers = 4\n")).unwrap_err();
        assert!(e.0[0].message.contains("\"auto\", 2 or 3"), "{e}");
    }
}
