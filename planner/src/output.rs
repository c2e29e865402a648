//! Writing a plan's files: rendered whole in memory first, then each written to a temporary file in the target
//! folder and renamed into place, so a file appears whole or not at all.
//!
//! A folder the planner made carries a marker file; any other non-empty folder is refused unless `force`.

use crate::error::Error;
use crate::plan::Plan;
use crate::report::Report;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Marks a folder as made by gigapod, so that re-planning into it needs no `--force`.
pub const MARKER: &str = ".gigapod-plan";
const TEMP_PREFIX: &str = ".gigapod-tmp-";

/// One output file, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// File name inside the output folder.
    pub name: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Renders every output of a plan, in memory.
pub fn render(plan: &Plan) -> Result<Vec<OutputFile>, Error> {
    let report = Report::new(plan).to_json().into_bytes();
    let bom = crate::bom::to_csv(&plan.bom).map_err(|source| Error::Encode {
        what: "bom.csv",
        source,
    })?;
    let cables = crate::cabling::to_csv(&plan.cables).map_err(|source| Error::Encode {
        what: "cables.csv",
        source,
    })?;
    let topology = crate::render::topology::svg(plan);
    let racks = crate::render::racks::svg(plan);
    let floorplan = crate::render::floorplan::svg(plan);
    let report_html = crate::render::html::report(plan, &topology, &racks, &floorplan);
    let mut files = vec![
        OutputFile {
            name: "report.json",
            bytes: report,
        },
        OutputFile {
            name: "bom.csv",
            bytes: bom,
        },
        OutputFile {
            name: "cables.csv",
            bytes: cables,
        },
        OutputFile {
            name: "bom.md",
            bytes: crate::render::bom_md::markdown(plan).into_bytes(),
        },
        OutputFile {
            name: "topology.svg",
            bytes: topology.into_bytes(),
        },
        OutputFile {
            name: "racks.svg",
            bytes: racks.into_bytes(),
        },
        OutputFile {
            name: "floorplan.svg",
            bytes: floorplan.into_bytes(),
        },
        OutputFile {
            name: "report.html",
            bytes: report_html.into_bytes(),
        },
        OutputFile {
            name: "topology.conf",
            bytes: crate::render::slurm::topology_conf(plan).into_bytes(),
        },
        OutputFile {
            name: "ibnetdiscover.topo",
            bytes: crate::render::ibnet::topology(plan).into_bytes(),
        },
    ];
    files.extend(
        crate::render::netbox::files(plan)
            .into_iter()
            .map(|(name, bytes)| OutputFile { name, bytes }),
    );
    Ok(files)
}

/// The default output folder of a plan: `./<name>-plan/`.
pub fn default_dir(plan: &Plan) -> PathBuf {
    PathBuf::from(format!("{}-plan", plan.name()))
}

/// Writes rendered files into `dir`, creating it if needed. Returns the paths written.
pub fn write(dir: &Path, files: &[OutputFile], force: bool) -> Result<Vec<PathBuf>, Error> {
    let io = |path: &Path| Error::io(path);
    prepare_dir(dir, force)?;
    let mut written = Vec::new();
    for f in files {
        let target = dir.join(f.name);
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)
            .map_err(io(dir))?;
        tmp.write_all(&f.bytes).map_err(io(&target))?;
        tmp.as_file().sync_all().map_err(io(&target))?;
        publish(tmp, &target).map_err(io(&target))?;
        written.push(target);
    }
    Ok(written)
}

/// Writes one file atomically (temporary file in the same folder, then rename). An existing file is replaced only
/// with `force`, so nothing the user wrote is overwritten without asking.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    let err = |e: std::io::Error| Error::io(path)(e);
    if path.exists() && !force {
        return Err(Error::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(&dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    publish(tmp, path).map_err(err)?;
    Ok(())
}

/// Gives a finished temporary file the permissions of an ordinary file (temporary files are created private)
/// and renames it into place.
fn publish(tmp: tempfile::NamedTempFile, target: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

/// Renders and writes a plan into `dir`.
pub fn write_plan(plan: &Plan, dir: &Path, force: bool) -> Result<Vec<PathBuf>, Error> {
    let files = render(plan)?;
    write(dir, &files, force)
}

fn prepare_dir(dir: &Path, force: bool) -> Result<(), Error> {
    let err = |e: std::io::Error| Error::io(dir)(e);
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::io(dir)(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "it exists and is not a folder",
            )));
        }
        let mut ours = false;
        let mut empty = true;
        for entry in std::fs::read_dir(dir).map_err(err)? {
            let entry = entry.map_err(err)?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name == MARKER {
                ours = true;
            } else if name.starts_with(TEMP_PREFIX) {
                // Left by a run that was killed mid-write: never a finished file, safe to remove.
                let _ = std::fs::remove_file(entry.path());
            } else {
                empty = false;
            }
        }
        if !ours && !empty && !force {
            return Err(Error::OutputNotOurs(dir.to_path_buf()));
        }
    } else {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(
        dir.join(MARKER),
        "This folder was written by gigapod; `gigapod plan` may replace its files.\n",
    )
    .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<OutputFile> {
        vec![OutputFile {
            name: "a.txt",
            bytes: b"hello".to_vec(),
        }]
    }

    #[test]
    fn creates_marks_and_rewrites_its_own_folder() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("out");
        write(&dir, &files(), false).unwrap();
        assert!(dir.join(MARKER).exists());
        assert_eq!(std::fs::read(dir.join("a.txt")).unwrap(), b"hello");
        write(&dir, &files(), false).unwrap();
    }

    #[test]
    fn refuses_a_users_folder_without_force() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("mine.txt"), "keep").unwrap();
        assert!(matches!(write(t.path(), &files(), false), Err(Error::OutputNotOurs(_))));
        assert!(!t.path().join("a.txt").exists());
        write(t.path(), &files(), true).unwrap();
        assert_eq!(std::fs::read_to_string(t.path().join("mine.txt")).unwrap(), "keep");
    }

    #[test]
    fn stale_temporary_files_are_cleared() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), &files(), false).unwrap();
        std::fs::write(t.path().join(format!("{TEMP_PREFIX}x")), "partial").unwrap();
        write(t.path(), &files(), false).unwrap();
        assert!(!t.path().join(format!("{TEMP_PREFIX}x")).exists());
    }
}
