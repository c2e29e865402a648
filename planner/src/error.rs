//! The planner's error type: one variant per stage that can fail, each keeping its cause.
//!
//! A library caller matches on the variant (and on its `source`, the stage's own error); the CLI renders the
//! located [`Diagnostics`] the variant carries (file, line, key and a fix, rustc-style) and adds its own advice
//! for the output variants. `Display` is a plain sentence with no command-line wording.
//!
//! ```
//! use gigapod_catalog::{Catalog, SourceFile};
//! use gigapod_planner::{Error, FabricError, spec::Spec};
//! let spec = Spec::parse(SourceFile::new("big.toml", r#"
//! name = "big"
//! [compute]
//! server = "g593-h200"
//! scalable_units = 4000
//! "#)).unwrap();
//! match gigapod_planner::plan(&spec, Catalog::builtin()) {
//!     Err(Error::Fabric { source: FabricError::TooLarge { .. }, diagnostics }) => {
//!         assert_eq!(diagnostics.0[0].key.as_deref(), Some("compute.scalable_units"));
//!     }
//!     other => panic!("expected a fabric too large, got {other:?}"),
//! }
//! ```

use crate::fabric::FabricError;
use crate::layout::LayoutError;
use crate::media::NoMedia;
use gigapod_catalog::Diagnostics;
use std::path::PathBuf;

/// Why a plan could not be made or written. Every variant maps to exit status 2 in the CLI.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec does not parse, or names what the catalog lacks, or asks for sizes it cannot take.
    #[error("invalid spec: {}", first(.0))]
    Spec(Diagnostics),
    /// A catalog file does not load or validate.
    #[error("invalid catalog: {}", first(.0))]
    Catalog(Diagnostics),
    /// A caller's argument (a size request, a sweep) is not valid. The diagnostics name `<command line>`.
    #[error("invalid argument: {}", first(.0))]
    Argument(Diagnostics),
    /// The compute fabric cannot be built as asked (too large for the switch, a speed it lacks, ...).
    #[error("{source}")]
    Fabric {
        /// The fabric builder's reason.
        source: FabricError,
        /// Where in the spec or catalog the fix is.
        diagnostics: Diagnostics,
    },
    /// No rack layout exists under the limits.
    #[error("{source}")]
    Layout {
        /// The layout's reason.
        source: LayoutError,
        /// Where in the spec or catalog the fix is.
        diagnostics: Diagnostics,
    },
    /// No cable or transceiver in the catalog joins two cages at the speed and length needed.
    #[error("{source}")]
    Media {
        /// The media chooser's reason (boxed: it names the forms and the missing parts).
        source: Box<NoMedia>,
        /// Where in the spec or catalog the fix is.
        diagnostics: Diagnostics,
    },
    /// Power cannot be delivered to a rack (its PDUs, outlets or feeds).
    #[error("{source}")]
    Facility {
        /// What is short.
        source: FacilityError,
        /// Where in the spec or catalog the fix is.
        diagnostics: Diagnostics,
    },
    /// The output folder holds files the planner did not write (and writing into it was not forced).
    #[error("the output folder {} is not empty and was not made by gigapod", .0.display())]
    OutputNotOurs(PathBuf),
    /// The output file exists (and replacing it was not forced).
    #[error("{} exists", .0.display())]
    Exists(PathBuf),
    /// Something other than a regular file stands where an output would go: it is never replaced, even when
    /// replacing is forced.
    #[error("{} is {what}, not a regular file, and only regular files are replaced", .path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What stands there, in words ("a character device").
        what: &'static str,
        /// What to do instead.
        help: String,
    },
    /// Another gigapod run holds the output folder's lock.
    #[error("the output folder {} is in use by another gigapod run", .0.display())]
    InUse(PathBuf),
    /// Reading or writing a file failed (disk full, permissions).
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// `gigapod verify` cannot read an input (the plan folder, the ibnetdiscover file or the nvidia-smi
    /// matrix): the diagnostics name the file and the line.
    #[error("cannot verify: {}", first(.0))]
    Verify(Diagnostics),
    /// An output could not be encoded (a CSV writer's error).
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// Which output.
        what: &'static str,
        /// The encoder's error.
        source: csv::Error,
    },
}

/// Why power cannot be delivered to a rack.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FacilityError {
    /// A rack needs more PDUs per feed than it holds.
    #[error(
        "PDU `{pdu}` carries {pdu_kw:.2} kW continuously on {outlets} outlets: rack {rack} ({rack_kw:.1} kW) would need {needed} of them per feed, more than the {max} a rack holds"
    )]
    PduTooSmall {
        /// Catalog id of the PDU.
        pdu: String,
        /// Its continuous capacity, kW.
        pdu_kw: f64,
        /// Its outlets.
        outlets: u32,
        /// The rack at fault.
        rack: String,
        /// That rack's power, kW.
        rack_kw: f64,
        /// PDUs per feed it would need.
        needed: u32,
        /// PDUs per feed a rack holds.
        max: u32,
    },
}

fn first(d: &Diagnostics) -> &str {
    d.0.first().map_or("(no detail)", |d| d.message.as_str())
}

impl Error {
    /// The process exit status for this error (the contract's 2: bad input or infeasible constraints).
    pub fn exit_code(&self) -> i32 {
        2
    }

    /// The located diagnostics (file, line, key, fix) of an input error; `None` for the output errors, which
    /// name a path instead.
    pub fn diagnostics(&self) -> Option<&Diagnostics> {
        match self {
            Error::Spec(d) | Error::Catalog(d) | Error::Argument(d) | Error::Verify(d) => Some(d),
            Error::Fabric { diagnostics, .. }
            | Error::Layout { diagnostics, .. }
            | Error::Media { diagnostics, .. }
            | Error::Facility { diagnostics, .. } => Some(diagnostics),
            Error::OutputNotOurs(_)
            | Error::Exists(_)
            | Error::Io { .. }
            | Error::Encode { .. }
            | Error::NotAFile { .. }
            | Error::InUse(_) => None,
        }
    }

    /// An I/O error on `path`, keeping the system's error as the source.
    pub fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gigapod_catalog::Diagnostic;
    use std::error::Error as _;

    #[test]
    fn io_errors_keep_their_source_and_say_no_cli_words() {
        let e = Error::io(std::path::Path::new("out/bom.csv"))(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "disk full",
        ));
        assert_eq!(e.to_string(), "cannot write out/bom.csv: disk full");
        let src = e.source().and_then(|s| s.downcast_ref::<std::io::Error>()).unwrap();
        assert_eq!(src.kind(), std::io::ErrorKind::StorageFull);
        for e in [e, Error::OutputNotOurs("x".into()), Error::Exists("y".into())] {
            assert!(
                !e.to_string().contains("--force") && !e.to_string().starts_with("error:"),
                "{e}"
            );
            assert!(e.diagnostics().is_none());
        }
    }

    #[test]
    fn input_errors_show_their_first_message_and_carry_diagnostics() {
        let d = Diagnostics::from(Diagnostic::file("spec.toml", "unknown server `x`"));
        let e = Error::Spec(d);
        assert_eq!(e.to_string(), "invalid spec: unknown server `x`");
        assert_eq!(e.diagnostics().unwrap().0.len(), 1);
    }
}
