//! File-system steps that must not be fooled by what already stands at a path (docs/hardening.md).
//!
//! - Temporary files are created new (`O_CREAT | O_EXCL | O_NOFOLLOW`), so a symlink planted at their name is
//!   never followed, and each holds an exclusive `flock` for as long as its writer lives: a cleanup removes only
//!   a temporary file whose lock it can take, which is one a dead (killed) run left, never a live run's.
//! - Small files the planner owns (the folder marker) are written by temporary file and rename, which replaces
//!   a symlink itself instead of writing through it.
//! - A target is replaced only if nothing stands there or a regular file does: a device node, FIFO, socket,
//!   folder or symlink is refused and named, whatever `--force` says.
//! - An output folder is locked (`flock` on `.gigapod-lock` inside it, opened without following a symlink) for
//!   the whole write, and a second run is told it is in use.

use crate::error::Error;
use std::fs::{File, Metadata, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Prefix of every temporary file the planner makes; a cleanup considers only names that start with it.
pub(crate) const TEMP_PREFIX: &str = ".gigapod-tmp-";
/// The lock file of an output folder.
pub(crate) const LOCK: &str = ".gigapod-lock";

/// What a file-system object is, in words: "a folder", "a character device"...
pub(crate) fn what(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Whether `path` may be replaced: `Ok(false)` when nothing is there, `Ok(true)` for a regular file, and
/// [`Error::NotAFile`] for anything else (a symlink included: it is never followed nor replaced).
pub(crate) fn replaceable(path: &Path, help: &str) -> Result<bool, Error> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => Ok(true),
        Ok(m) => Err(Error::NotAFile {
            path: path.to_path_buf(),
            what: what(&m),
            help: help.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(write_error(path, e)),
    }
}

pub(crate) fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::io(path)(e)
}

fn try_flock(file: &File) -> std::io::Result<bool> {
    // SAFETY: flock on a file descriptor this `File` owns and keeps open for the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

/// A temporary file made new in a folder, locked while it lives, removed on drop unless persisted.
pub(crate) struct TempFile {
    path: PathBuf,
    file: File,
    persisted: bool,
}

impl TempFile {
    /// Creates a fresh temporary file in `dir` (never through a symlink) and locks it.
    pub(crate) fn create_in(dir: &Path) -> std::io::Result<TempFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for _ in 0..100 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!("{TEMP_PREFIX}{}-{n}-{nanos:08x}", std::process::id());
            let path = dir.join(name);
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&path)
            {
                Ok(file) => {
                    let t = TempFile {
                        path,
                        file,
                        persisted: false,
                    };
                    // A new file nobody else has opened: the lock cannot be contended.
                    try_flock(&t.file)?;
                    return Ok(t);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "no free temporary file name",
        ))
    }

    /// Writes all of `bytes` and flushes them to the disk.
    pub(crate) fn write_synced(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.file.sync_all()
    }

    /// The open file, for a writer that streams into it (call [`TempFile::sync`] when done).
    pub(crate) fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Its path (to read back what was written).
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes what was written to the disk.
    pub(crate) fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_all()
    }

    /// Renames the file to `target` (which replaces the directory entry itself: a symlink there is replaced, not
    /// followed).
    pub(crate) fn persist(mut self, target: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, target)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `target` by a temporary file beside it and a rename.
pub(crate) fn write_atomic(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = parent(target);
    let mut tmp = TempFile::create_in(&dir)?;
    tmp.write_synced(bytes)?;
    tmp.persist(target)
}

/// The folder a path is in (`.` for a bare file name).
pub(crate) fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes the temporary files of dead runs in `dir`: regular files named `.gigapod-tmp-*` whose lock can be
/// taken. A live run holds its lock, so its files stay. Returns how many were removed.
pub(crate) fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&path)
        else {
            continue;
        };
        if !file.metadata().is_ok_and(|m| m.file_type().is_file()) {
            continue;
        }
        if try_flock(&file).unwrap_or(false) && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Flushes a folder's entries (the renames into it) to the disk.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// An exclusive lock on an output folder, held until dropped.
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Locks `dir`, or answers [`Error::InUse`] when another run holds it.
    pub(crate) fn acquire(dir: &Path) -> Result<DirLock, Error> {
        let path = dir.join(LOCK);
        let help = "remove it: gigapod makes its lock file itself";
        replaceable(&path, help)?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    Error::NotAFile {
                        path: path.clone(),
                        what: "a symbolic link",
                        help: help.into(),
                    }
                } else {
                    write_error(&path, e)
                }
            })?;
        match file.metadata() {
            Ok(m) if m.file_type().is_file() => {}
            Ok(m) => {
                return Err(Error::NotAFile {
                    path,
                    what: what(&m),
                    help: help.into(),
                });
            }
            Err(e) => return Err(write_error(&path, e)),
        }
        match try_flock(&file) {
            Ok(true) => Ok(DirLock { _file: file }),
            Ok(false) => Err(Error::InUse(dir.to_path_buf())),
            Err(e) => Err(write_error(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_temporary_file_survives_a_cleanup_and_a_dead_one_does_not() {
        let t = tempfile::tempdir().unwrap();
        let live = TempFile::create_in(t.path()).unwrap();
        // A file of the prefix that nobody holds: what a killed run leaves.
        std::fs::write(t.path().join(format!("{TEMP_PREFIX}dead")), "partial").unwrap();
        assert_eq!(remove_stale_temps(t.path()), 1);
        assert!(live.path.exists(), "a live run's temporary file was removed");
        assert!(!t.path().join(format!("{TEMP_PREFIX}dead")).exists());
        drop(live);
        assert_eq!(
            std::fs::read_dir(t.path()).unwrap().count(),
            0,
            "dropped unpersisted file removed"
        );
    }

    #[test]
    fn a_second_lock_on_a_folder_is_refused_until_the_first_is_dropped() {
        let t = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(t.path()).unwrap();
        assert!(matches!(DirLock::acquire(t.path()), Err(Error::InUse(_))));
        drop(first);
        DirLock::acquire(t.path()).unwrap();
    }

    #[test]
    fn write_atomic_replaces_a_symlink_instead_of_following_it() {
        let t = tempfile::tempdir().unwrap();
        let victim = t.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let link = t.path().join("marker");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_file());
    }

    #[test]
    fn only_regular_files_are_replaceable() {
        let t = tempfile::tempdir().unwrap();
        assert!(!replaceable(&t.path().join("none"), "").unwrap());
        std::fs::write(t.path().join("f"), "x").unwrap();
        assert!(replaceable(&t.path().join("f"), "").unwrap());
        let e = replaceable(t.path(), "").unwrap_err();
        assert!(matches!(e, Error::NotAFile { what: "a folder", .. }), "{e}");
    }
}
