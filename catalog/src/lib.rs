//! The gigapod hardware catalog: typed parts with sourced figures, built-in data and user catalog files.
//!
//! Every figure in the built-in data carries the id of the reference it comes from (`S12`, ...) or an
//! estimate mark with its reasoning; user catalogs may add parts or replace built-in ones by id.
//!
//! ```
//! use gigapod_catalog::{Catalog, PartKind};
//! let cat = Catalog::builtin();
//! let switch = cat.switch("qm9700").unwrap();
//! assert_eq!(switch.rack_units.value.0, 1);
//! assert!(cat.ids(Some(PartKind::Server)).any(|id| id == "g593-h200"));
//! ```
#![warn(missing_docs)]

mod catalog;
pub mod diagnostic;
mod form;
pub mod ids;
mod part;
pub mod parts;
pub mod show;
pub mod sourced;
pub mod units;

pub use catalog::{Catalog, Entry, MAX_CATALOG_FILE_BYTES, MAX_PRICE_USD, Origin, read_source};
pub use diagnostic::{Diagnostic, Diagnostics, SourceFile};
pub use form::CageForm;
pub use part::{AnyPart, PartKind, PartProblem, PartRef};
pub use parts::*;
pub use sourced::Sourced;
