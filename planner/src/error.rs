//! The planner's error type. Every error is the user's to fix and maps to exit status 2.

use gigapod_catalog::Diagnostics;
use std::path::PathBuf;

/// Why a plan could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad spec, bad catalog, or constraints no design can meet: the diagnostics point into the input.
    #[error("{0}")]
    Input(#[from] Diagnostics),
    /// The output folder holds files the planner did not write.
    #[error(
        "error: the output folder {} is not empty and was not made by gigapod\n  = help: pass --force to write into it anyway, or choose another folder with --out",
        .0.display()
    )]
    OutputNotOurs(PathBuf),
    /// The output file exists and `force` was not given.
    #[error("error: {} exists\n  = help: pass --force to replace it, or choose another file name", .0.display())]
    Exists(PathBuf),
    /// Something other than a regular file stands where an output would go: it is never replaced, even with
    /// `--force`.
    #[error("error: {} is {what}, not a regular file: gigapod replaces only regular files, even with --force\n  = help: {help}", .path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What stands there, in words ("a character device").
        what: &'static str,
        /// What to do instead.
        help: String,
    },
    /// Another gigapod run holds the output folder's lock.
    #[error(
        "error: the output folder {} is in use by another gigapod run\n  = help: wait until it has finished, or choose another folder with --out",
        .0.display()
    )]
    InUse(PathBuf),
    /// Writing an output failed (disk full, permissions).
    #[error("error: cannot write {}: {message}\n  = help: check the folder's permissions and free space", .path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The system's message.
        message: String,
    },
}

impl Error {
    /// The process exit status for this error (the contract's 2: bad input or infeasible constraints).
    pub fn exit_code(&self) -> i32 {
        2
    }
}
