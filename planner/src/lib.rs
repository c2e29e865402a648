//! The gigapod planner: from a cluster spec and the catalog to a checked plan and its outputs.
//!
//! [`Planner`] is the entry point: `Planner::new(&catalog)`, options, then `.plan(&spec)` for a [`Spec`] built
//! in code or a [`SpecFile`] read from TOML. docs/architecture.md shows the stages.
//!
//! ```
//! use gigapod_catalog::Catalog;
//! use gigapod_planner::{Planner, Spec};
//!
//! let spec = Spec::builder("demo", "dgx-h100").servers(4).build();
//! let plan = Planner::new(Catalog::builtin()).plan(&spec).unwrap();
//! assert_eq!(plan.compute.gpus, 32);
//! assert!(plan.power.psu.ok);
//! ```
#![warn(missing_docs)]

// The public modules are the sub-APIs a caller uses by name: the fabric graph, the spec, the layout's types, the
// media chooser, the renderers and writers, and the CLI's comparison and sizing. Everything else is private and
// re-exported below by type. docs/architecture.md shows how they fit.
pub mod advise;
mod advisories;
mod basis;
mod blame;
mod bom;
mod cabling;
mod check;
pub mod compare;
mod cost;
#[cfg(feature = "test-helpers")]
pub mod devices;
#[cfg(not(feature = "test-helpers"))]
mod devices;
mod error;
pub mod fabric;
mod facility;
mod fsx;
pub mod layout;
pub mod media;
pub mod netwire;
pub mod networks;
pub mod output;
mod peak;
mod plan;
mod planner;
mod power;
mod progress;
pub mod render;
mod report;
pub mod server_checks;
pub mod size;
pub mod spec;
pub mod summary;
mod text;
pub mod verify;

pub use bom::{BomCategory, BomLine};
pub use cabling::{CablePlan, CableRole, CableRun, Medium, Side, device_name, server_name};
pub use check::{Check, CheckKind, Status};
pub use cost::{Capex, CostReport, CostSpec, Licences, Opex};
pub use error::{Error, FacilityError};
pub use fabric::{AnalysisOptions, Fabric, FabricAnalysis, FabricError};
pub use facility::{FacilityPower, RackPower};
pub use layout::{CostWeights, Layout, LayoutError, LeafPlacement, RouteOptions};
pub use media::NoMedia;
pub use plan::{ComputeSummary, Plan, PowerSummary, build_fabric, plan, plan_with};
pub use planner::{PlanOptions, Planner, SpecRef};
pub use power::{PsuCheck, ServerPower};
pub use progress::{Progress, Silent};
pub use report::{Report, SCHEMA_VERSION};
pub use spec::{CoolingClass, PowerBasis, Resolved, Spec, SpecBuilder, SpecFile};

/// The README's code blocks, compiled and run as doctests so the library example cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
