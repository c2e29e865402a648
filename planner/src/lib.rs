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

pub mod bom;
pub mod cabling;
pub mod check;
pub mod compare;
pub mod cost;
pub mod devices;
pub mod error;
pub mod fabric;
pub mod facility;
pub mod layout;
pub mod media;
pub mod output;
pub mod plan;
mod planner;
pub mod power;
pub mod progress;
pub mod render;
pub mod report;
pub mod size;
pub mod spec;
pub mod summary;
pub mod text;

pub use check::{Check, Status};
pub use error::{Error, FacilityError};
pub use fabric::AnalysisOptions;
pub use fabric::FabricError;
pub use layout::LayoutError;
pub use layout::{CostWeights, RouteOptions};
pub use media::NoMedia;
pub use plan::{Plan, plan, plan_with};
pub use planner::{PlanOptions, Planner, SpecRef};
pub use progress::{Progress, Silent};
pub use report::Report;
pub use spec::{CoolingClass, PowerBasis, Spec, SpecBuilder, SpecFile};

/// The README's code blocks, compiled and run as doctests so the library example cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
