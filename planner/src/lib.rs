//! The gigapod planner: from a cluster spec and the catalog to a checked plan and its outputs.
//!
//! ```
//! use gigapod_catalog::{Catalog, SourceFile};
//! use gigapod_planner::{plan, spec::Spec};
//!
//! let spec = Spec::parse(SourceFile::new("spec.toml", r#"
//! name = "demo"
//! [compute]
//! server = "dgx-h100"
//! servers = 4
//! "#)).unwrap();
//! let plan = plan(&spec, Catalog::builtin()).unwrap();
//! assert_eq!(plan.compute.gpus, 32);
//! assert!(plan.power.psu.ok);
//! ```
#![warn(missing_docs)]

pub mod advisories;
pub mod basis;
mod blame;
pub mod bom;
pub mod cabling;
pub mod check;
pub mod compare;
pub mod cost;
pub mod devices;
pub mod error;
pub mod fabric;
pub mod facility;
mod fsx;
pub mod layout;
pub mod media;
pub mod output;
pub mod plan;
pub mod power;
pub mod progress;
pub mod render;
pub mod report;
pub mod size;
pub mod spec;
pub mod summary;
pub mod text;

pub use check::{Check, Status};
pub use error::Error;
pub use plan::{Plan, plan, plan_with};
pub use progress::{Progress, Silent};
pub use report::Report;

/// The README's code blocks, compiled and run as doctests so the library example cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
