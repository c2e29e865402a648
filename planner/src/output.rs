//! Writing a plan's files: rendered whole in memory first, then each written to a temporary file in the target
//! folder and renamed into place, so a file appears whole or not at all; the set is described by a manifest in
//! the marker, marked `complete` only once every file is in place.
//!
//! A folder the planner made carries a marker file; any other non-empty folder is refused unless `force`. The
//! folder is locked while a run writes into it.

use crate::error::Error;
use crate::fsx;
use crate::plan::Plan;
use crate::report::Report;
use std::path::{Path, PathBuf};

/// Marks a folder as made by gigapod, so that re-planning into it needs no `--force`.
/// It holds the set's manifest (each file's name, size and fingerprint) and its state (see [`set_state`]).
pub const MARKER: &str = ".gigapod-plan";
#[cfg(test)]
use fsx::TEMP_PREFIX;

/// One output file, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// File name inside the output folder.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Renders every output of a plan, in memory (the outputs are rendered in parallel, one job per group of files,
/// and returned in their fixed order).
pub fn render(plan: &Plan) -> Result<Vec<OutputFile>, Error> {
    let mut files: Vec<(usize, OutputFile)> = Vec::new();
    for produced in run_jobs(plan, None)? {
        match produced {
            Produced::Bytes(i, f) => files.push((i, f)),
            Produced::Staged(..) => unreachable!("no folder to stage in"),
        }
    }
    files.sort_by_key(|(i, _)| *i);
    Ok(files.into_iter().map(|(_, f)| f).collect())
}

/// A rendered output: in memory, or already written to a synced temporary file in the output folder (with its
/// size and fingerprint), and its place in the fixed order.
enum Produced {
    Bytes(usize, OutputFile),
    Staged(usize, Staged),
}

/// A file written to a temporary file of the output folder, waiting to be renamed into place.
struct Staged {
    name: String,
    tmp: fsx::TempFile,
    len: u64,
    hash: u64,
}

/// Counts and fingerprints what passes through it.
struct Hashing<W> {
    inner: W,
    len: u64,
    hash: u64,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.len += n as u64;
        self.hash = fnv1a64_from(self.hash, &buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Where a job puts its files: in memory, or (with a folder) straight into synced temporary files there, so that
/// a file's bytes are dropped as soon as it is on disk.
struct Sink<'a> {
    dir: Option<&'a Path>,
    skip: &'a [String],
}

impl Sink<'_> {
    /// Where output `name` goes (for errors): in the folder, or the bare name when rendering in memory.
    fn target(&self, name: &str) -> PathBuf {
        self.dir.map_or_else(|| PathBuf::from(name), |d| d.join(name))
    }

    fn put(&self, order: usize, name: &str, bytes: Vec<u8>) -> Result<Option<Produced>, Error> {
        if self.skip.iter().any(|s| s == name) {
            return Ok(None);
        }
        let name = name.to_string();
        let Some(dir) = self.dir else {
            return Ok(Some(Produced::Bytes(order, OutputFile { name, bytes })));
        };
        let target = dir.join(&name);
        let mut tmp = fsx::TempFile::create_in(dir).map_err(|e| fsx::write_error(dir, e))?;
        tmp.write_synced(&bytes).map_err(|e| fsx::write_error(&target, e))?;
        Ok(Some(Produced::Staged(
            order,
            Staged {
                name,
                tmp,
                len: bytes.len() as u64,
                hash: fnv1a64(&bytes),
            },
        )))
    }

    /// A file streamed by `write` (into the temporary file, or into memory).
    fn stream(
        &self,
        order: usize,
        name: &str,
        write: &dyn Fn(&mut dyn std::io::Write) -> Result<(), Error>,
    ) -> Result<Option<Produced>, Error> {
        if self.skip.iter().any(|s| s == name) {
            return Ok(None);
        }
        let name = name.to_string();
        let Some(dir) = self.dir else {
            let mut bytes = Vec::new();
            write(&mut bytes)?;
            return Ok(Some(Produced::Bytes(order, OutputFile { name, bytes })));
        };
        let target = dir.join(&name);
        let mut tmp = fsx::TempFile::create_in(dir).map_err(|e| fsx::write_error(dir, e))?;
        let (len, hash) = {
            let mut w = Hashing {
                inner: std::io::BufWriter::with_capacity(1 << 20, tmp.file()),
                len: 0,
                hash: FNV_OFFSET,
            };
            write(&mut w)?;
            std::io::Write::flush(&mut w).map_err(|e| fsx::write_error(&target, e))?;
            (w.len, w.hash)
        };
        tmp.sync().map_err(|e| fsx::write_error(&target, e))?;
        Ok(Some(Produced::Staged(order, Staged { name, tmp, len, hash })))
    }
}

/// The fixed order of the outputs (netbox files follow, in the order the exporter gives them).
const ORDER: [&str; 10] = [
    "report.json",
    "bom.csv",
    "cables.csv",
    "bom.md",
    "topology.svg",
    "racks.svg",
    "floorplan.svg",
    "report.html",
    "topology.conf",
    "ibnetdiscover.topo",
];

/// Places apart in the fixed order of [`ORDER`]'s entries, so that the files of one entry (the planes'
/// topologies, the halls' cable plans) keep their own order between them.
const PARTS: usize = 1_000_000;

fn order_of(name: &str) -> usize {
    ORDER.iter().position(|n| *n == name).unwrap_or(ORDER.len()) * PARTS
}

type Job = fn(&Plan, &Sink<'_>) -> Result<Vec<Produced>, Error>;

/// The render jobs, largest first. Each renders a group of files (the HTML report embeds the three drawings).
const JOBS: [Job; 5] = [
    |plan, sink| {
        let mut out = Vec::new();
        for (i, (name, bytes)) in crate::render::netbox::files(plan).into_iter().enumerate() {
            out.extend(sink.put(ORDER.len() * PARTS + i, name, bytes)?);
        }
        Ok(out)
    },
    |plan, sink| {
        let mut out = Vec::new();
        let conf = crate::render::slurm::topology_conf(plan).into_bytes();
        out.extend(sink.put(order_of("topology.conf"), "topology.conf", conf)?);
        // One subnet per plane: `ibnetdiscover.topo`, or `ibnetdiscover-pl1.topo` ... of a multi-plane fabric.
        for (i, (name, plane)) in crate::render::ibnet::files(plan).into_iter().enumerate() {
            let target = sink.target(&name);
            let write = |w: &mut dyn std::io::Write| {
                crate::render::ibnet::write_topology(plan, plane, &name, w).map_err(Error::io(&target))
            };
            out.extend(sink.stream(order_of("ibnetdiscover.topo") + i, &name, &write)?);
        }
        Ok(out)
    },
    |plan, sink| {
        let topology = crate::render::topology::svg(plan);
        let racks = crate::render::racks::svg(plan);
        let floorplan = crate::render::floorplan::svg(plan);
        let html = crate::render::html::report(plan, &topology, &floorplan);
        let mut out = Vec::new();
        for (name, bytes) in [
            ("report.html", html.into_bytes()),
            ("topology.svg", topology.into_bytes()),
            ("racks.svg", racks.into_bytes()),
            ("floorplan.svg", floorplan.into_bytes()),
        ] {
            out.extend(sink.put(order_of(name), name, bytes)?);
        }
        Ok(out)
    },
    |plan, sink| {
        let write = |w: &mut dyn std::io::Write| {
            crate::cabling::write_csv(&plan.cables, w).map_err(|source| Error::Encode {
                what: "cables.csv",
                source,
            })
        };
        Ok(sink
            .stream(order_of("cables.csv"), "cables.csv", &write)?
            .into_iter()
            .collect())
    },
    |plan, sink| {
        let report = Report::new(plan).to_json().into_bytes();
        let bom = crate::bom::to_csv(&plan.bom).map_err(|source| Error::Encode {
            what: "bom.csv",
            source,
        })?;
        let md = crate::render::bom_md::markdown(plan).into_bytes();
        let mut out = Vec::new();
        for (name, bytes) in [("report.json", report), ("bom.csv", bom), ("bom.md", md)] {
            out.extend(sink.put(order_of(name), name, bytes)?);
        }
        Ok(out)
    },
];

/// Runs the render jobs on the machine's cores; with `stage`, each file goes to a temporary file of that folder as
/// soon as it is rendered.
fn run_jobs(plan: &Plan, stage: Option<(&Path, &[String])>) -> Result<Vec<Produced>, Error> {
    let sink = Sink {
        dir: stage.map(|(d, _)| d),
        skip: stage.map_or(&[], |(_, s)| s),
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Result<Vec<Produced>, Error>>> = std::sync::Mutex::new(Vec::new());
    let work = || {
        loop {
            let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(job) = JOBS.get(j) else { break };
            let r = job(plan, &sink);
            results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(JOBS.len());
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(work);
            }
        });
    }
    let mut out = Vec::new();
    for r in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        out.extend(r?);
    }
    Ok(out)
}

/// The default output folder of a plan: `./<name>-plan/`.
pub fn default_dir(plan: &Plan) -> PathBuf {
    PathBuf::from(format!("{}-plan", plan.name()))
}

/// Writes rendered files into `dir`, creating it if needed, as one set. Returns the paths written.
///
/// The folder is locked for the whole write (a second run gets [`Error::InUse`]). Every target is checked
/// first: something other than a regular file in an output's place is refused before anything is written.
/// Every file is then written to a locked temporary file and flushed; the marker is rewritten as a manifest in
/// state `writing`; the files are renamed into place; and the marker is rewritten in state `complete`. A run
/// killed in between leaves a marker that says `writing`, which [`set_state`] reports and the next run repairs.
pub fn write(dir: &Path, files: &[OutputFile], force: bool) -> Result<Vec<PathBuf>, Error> {
    let _lock = prepare_dir(dir, force)?;
    for f in files {
        fsx::replaceable(
            &dir.join(&f.name),
            "move it out of the output folder, or choose another folder with --out",
        )?;
    }
    let mut staged = Vec::with_capacity(files.len());
    for f in files {
        let target = dir.join(&f.name);
        let mut tmp = fsx::TempFile::create_in(dir).map_err(|e| fsx::write_error(dir, e))?;
        tmp.write_synced(&f.bytes).map_err(|e| fsx::write_error(&target, e))?;
        staged.push((tmp, target));
    }
    let marker = dir.join(MARKER);
    let write_marker = |state: &str| {
        fsx::write_atomic(&marker, manifest(state, files).as_bytes()).map_err(|e| fsx::write_error(&marker, e))
    };
    write_marker(STATE_WRITING)?;
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, target) in staged {
        tmp.persist(&target).map_err(|e| fsx::write_error(&target, e))?;
        written.push(target);
    }
    fsx::sync_dir(dir).map_err(|e| fsx::write_error(dir, e))?;
    write_marker(STATE_COMPLETE)?;
    Ok(written)
}

/// Writes one file atomically (temporary file in the same folder, then rename). An existing file is replaced only
/// with `force`, so nothing the user wrote is overwritten without asking; anything but a regular file (a device,
/// a FIFO, a folder, a symlink) is never replaced. Temporary files that killed runs left beside it are removed.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    let exists = fsx::replaceable(
        path,
        "choose another file name; to write to stdout, give `-` as the file name",
    )?;
    if exists && !force {
        return Err(Error::Exists(path.to_path_buf()));
    }
    let dir = fsx::parent(path);
    fsx::remove_stale_temps(&dir);
    let mut tmp = fsx::TempFile::create_in(&dir).map_err(|e| fsx::write_error(path, e))?;
    tmp.write_synced(bytes).map_err(|e| fsx::write_error(path, e))?;
    tmp.persist(path).map_err(|e| fsx::write_error(path, e))?;
    Ok(())
}

/// Renders and writes a plan into `dir`.
pub fn write_plan(plan: &Plan, dir: &Path, force: bool) -> Result<Vec<PathBuf>, Error> {
    write_plan_with(plan, dir, force, &WriteOptions::default())
}

/// What to leave out of a plan's outputs, and how large they may be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Output names not to write (`netbox-interfaces.csv`, `racks.svg`...): an old file of that name in the
    /// folder is removed, so the folder still holds one plan's set.
    pub skip: Vec<String>,
    /// Refuse, before writing anything, a set larger than this many bytes.
    pub max_bytes: Option<u64>,
}

/// Renders and writes a plan into `dir`, leaving out `options.skip` and refusing a set over `options.max_bytes`.
pub fn write_plan_with(plan: &Plan, dir: &Path, force: bool, options: &WriteOptions) -> Result<Vec<PathBuf>, Error> {
    if options.max_bytes.is_none() {
        return write_streamed(plan, dir, force, &options.skip);
    }
    let mut files = render(plan)?;
    if let Some(unknown) = options
        .skip
        .iter()
        .find(|s| !files.iter().any(|f| f.name == s.as_str()))
    {
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        return Err(Error::Argument(
            gigapod_catalog::Diagnostic::file(
                "<command line>",
                format!("--skip `{unknown}` is not an output of the plan"),
            )
            .with_help(format!("skip one of: {}", names.join(", ")))
            .into(),
        ));
    }
    let skipped: Vec<String> = files
        .iter()
        .filter(|f| options.skip.contains(&f.name))
        .map(|f| f.name.clone())
        .collect();
    files.retain(|f| !skipped.contains(&f.name));
    if let Some(max) = options.max_bytes {
        let total: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
        if total > max {
            let mut by_size: Vec<&OutputFile> = files.iter().collect();
            by_size.sort_by_key(|f| std::cmp::Reverse(f.bytes.len()));
            let biggest: Vec<String> = by_size
                .iter()
                .take(3)
                .map(|f| format!("{} {:.1} MB", f.name, f.bytes.len() as f64 / 1e6))
                .collect();
            return Err(Error::Argument(
                gigapod_catalog::Diagnostic::file(
                    "<command line>",
                    format!(
                        "the outputs come to {:.1} MB, more than --max-output-mb {:.1}; nothing was written",
                        total as f64 / 1e6,
                        max as f64 / 1e6
                    ),
                )
                .with_help(format!(
                    "the largest are {}: leave some out with --skip NAME, or raise --max-output-mb",
                    biggest.join(", ")
                ))
                .into(),
            ));
        }
    }
    let written = write(dir, &files, force)?;
    // A skipped output left by an earlier plan would mix two plans in one folder: it goes (the folder is ours
    // now, and only a regular file of an output's name is removed).
    for name in skipped {
        let path = dir.join(name);
        if fsx::replaceable(&path, "").unwrap_or(false) {
            std::fs::remove_file(&path).map_err(|e| fsx::write_error(&path, e))?;
        }
    }
    Ok(written)
}

/// [`write_plan_with`] without a size limit: every file is written to a synced temporary file of the folder as
/// soon as it is rendered (cables.csv streamed line by line), so the plan's outputs are never all in memory at
/// once; then, as [`write`] does, the manifest says `writing`, the files are renamed into place and the manifest
/// says `complete`. A failure before the renames leaves the folder as it was (the temporary files are removed).
fn write_streamed(plan: &Plan, dir: &Path, force: bool, skip: &[String]) -> Result<Vec<PathBuf>, Error> {
    let _lock = prepare_dir(dir, force)?;
    let mut staged: Vec<(usize, Staged)> = Vec::new();
    for p in run_jobs(plan, Some((dir, skip)))? {
        if let Produced::Staged(i, s) = p {
            staged.push((i, s));
        }
    }
    staged.sort_by_key(|(i, _)| *i);
    let known = |name: &str| staged.iter().any(|(_, s)| s.name == name);
    let all_names: Vec<&str> = ORDER.iter().copied().chain(crate::render::netbox::FILES).collect();
    if let Some(unknown) = skip.iter().find(|s| !known(s) && !all_names.contains(&s.as_str())) {
        return Err(Error::Argument(
            gigapod_catalog::Diagnostic::file(
                "<command line>",
                format!("--skip `{unknown}` is not an output of the plan"),
            )
            .with_help(format!("skip one of: {}", all_names.join(", ")))
            .into(),
        ));
    }
    for (_, s) in &staged {
        fsx::replaceable(
            &dir.join(&s.name),
            "move it out of the output folder, or choose another folder with --out",
        )?;
    }
    let entries: Vec<(String, u64, u64)> = staged.iter().map(|(_, s)| (s.name.clone(), s.len, s.hash)).collect();
    let entries: Vec<(&str, u64, u64)> = entries.iter().map(|(n, l, h)| (n.as_str(), *l, *h)).collect();
    let marker = dir.join(MARKER);
    let write_marker = |state: &str| {
        fsx::write_atomic(&marker, manifest_of(state, &entries).as_bytes()).map_err(|e| fsx::write_error(&marker, e))
    };
    write_marker(STATE_WRITING)?;
    let mut written = Vec::with_capacity(staged.len());
    for (_, s) in staged {
        let target = dir.join(&s.name);
        s.tmp.persist(&target).map_err(|e| fsx::write_error(&target, e))?;
        written.push(target);
    }
    fsx::sync_dir(dir).map_err(|e| fsx::write_error(dir, e))?;
    write_marker(STATE_COMPLETE)?;
    for name in skip {
        let path = dir.join(name);
        if fsx::replaceable(&path, "").unwrap_or(false) {
            std::fs::remove_file(&path).map_err(|e| fsx::write_error(&path, e))?;
        }
    }
    Ok(written)
}

/// The files and memory a plan of this size is expected to take, before it is planned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizeEstimate {
    /// Bytes of all output files.
    pub output_bytes: f64,
    /// Peak memory of `gigapod plan`, bytes.
    pub memory_bytes: f64,
}

/// Output bytes per fabric endpoint and per server, fitted to the measured plans of docs/limits.md (65,536
/// endpoints on 8,192 servers: 115 MB; 746,496 on 93,312: 1.3 GB; 746,496 single-rail servers: 2.6 GB).
const OUTPUT_BYTES_PER: (f64, f64) = (1_493.0, 1_987.0);
/// Peak memory bytes per endpoint and per server, fitted to the same runs (306 MB, 3.7 GB, 8 GB).
const MEMORY_BYTES_PER: (f64, f64) = (4_134.0, 6_583.0);
/// Above these a plan warns before it starts (docs/limits.md).
pub const WARN_OUTPUT_BYTES: f64 = 1e9;
/// See [`WARN_OUTPUT_BYTES`].
pub const WARN_MEMORY_BYTES: f64 = 4e9;

impl SizeEstimate {
    /// The estimate for `servers` servers of `rails` fabric ports each.
    ///
    /// ```
    /// let e = gigapod_planner::output::SizeEstimate::of(8_192, 8);
    /// assert!((e.output_bytes / 1e6 - 114.1).abs() < 0.1);
    /// ```
    pub fn of(servers: u64, rails: u64) -> SizeEstimate {
        let (e, s) = ((servers * rails) as f64, servers as f64);
        SizeEstimate {
            output_bytes: OUTPUT_BYTES_PER.0 * e + OUTPUT_BYTES_PER.1 * s,
            memory_bytes: MEMORY_BYTES_PER.0 * e + MEMORY_BYTES_PER.1 * s,
        }
    }

    /// True when either figure is above the warning limits.
    pub fn is_huge(&self) -> bool {
        self.output_bytes > WARN_OUTPUT_BYTES || self.memory_bytes > WARN_MEMORY_BYTES
    }
}

const STATE_WRITING: &str = "writing";
const STATE_COMPLETE: &str = "complete";

/// The marker's text: a TOML manifest of the set, with its state.
fn manifest(state: &str, files: &[OutputFile]) -> String {
    let entries: Vec<(&str, u64, u64)> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.len() as u64, fnv1a64(&f.bytes)))
        .collect();
    manifest_of(state, &entries)
}

/// The manifest of `(name, bytes, fingerprint)` entries.
fn manifest_of(state: &str, files: &[(&str, u64, u64)]) -> String {
    let mut s = String::from(
        "# This folder was written by gigapod; `gigapod plan` may replace its files.\n\
         # state: \"writing\" while a run replaces the files, \"complete\" once every file below is in place.\n",
    );
    s.push_str(&format!("state = \"{state}\"\n"));
    for (name, len, hash) in files {
        s.push_str(&format!(
            "\n[[file]]\nname = \"{name}\"\nbytes = {len}\nfnv1a64 = \"{hash:016x}\"\n"
        ));
    }
    s
}

/// The 64-bit FNV-1a hash: a cheap fingerprint that tells one plan's file from another's.
fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_from(FNV_OFFSET, bytes)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a continued from `h` over `bytes` (so a streamed file hashes as its whole bytes would).
fn fnv1a64_from(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// What an output folder holds, by its marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetState {
    /// The marker says `complete` and every file it lists is there with its size and fingerprint.
    Complete,
    /// A run did not finish (its marker says `writing`), or a listed file is missing or differs: why.
    Incomplete(String),
    /// No marker (or one that is not a regular file): not a folder gigapod wrote.
    NotOurs,
}

/// Checks an output folder against its manifest, for readers and for the next run.
pub fn set_state(dir: &Path) -> Result<SetState, Error> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        state: String,
        #[serde(default)]
        file: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        name: String,
        bytes: u64,
        fnv1a64: String,
    }
    let marker = dir.join(MARKER);
    match std::fs::symlink_metadata(&marker) {
        Ok(m) if m.file_type().is_file() && m.len() <= 1 << 20 => {}
        Ok(_) => return Ok(SetState::NotOurs),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SetState::NotOurs),
        Err(e) => return Err(fsx::write_error(&marker, e)),
    }
    let text = std::fs::read_to_string(&marker).map_err(|e| fsx::write_error(&marker, e))?;
    let Ok(m) = toml::from_str::<Manifest>(&text) else {
        return Ok(SetState::Incomplete("the marker holds no manifest".into()));
    };
    if m.state != STATE_COMPLETE {
        return Ok(SetState::Incomplete(format!("the marker's state is `{}`", m.state)));
    }
    for e in &m.file {
        let path = dir.join(&e.name);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_file() && meta.len() == e.bytes => {}
            _ => {
                return Ok(SetState::Incomplete(format!(
                    "{} is missing or of another size",
                    e.name
                )));
            }
        }
        let bytes = std::fs::read(&path).map_err(|err| fsx::write_error(&path, err))?;
        if format!("{:016x}", fnv1a64(&bytes)) != e.fnv1a64 {
            return Ok(SetState::Incomplete(format!(
                "{} is not the file the manifest lists",
                e.name
            )));
        }
    }
    Ok(SetState::Complete)
}

/// Checks, creates and locks the output folder, and clears what killed runs left in it.
fn prepare_dir(dir: &Path, force: bool) -> Result<fsx::DirLock, Error> {
    let err = |e: std::io::Error| fsx::write_error(dir, e);
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
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            if name == MARKER && regular {
                // Only a regular file is the marker: a symlink of that name does not make the folder ours.
                ours = true;
            } else if (name.starts_with(fsx::TEMP_PREFIX) || name == fsx::LOCK) && regular {
                // Ours too: temporary files (cleared below, under the lock) and the lock file.
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
    let lock = fsx::DirLock::acquire(dir)?;
    // Under the lock, so no other plan is writing here; an export's live file keeps its own lock.
    fsx::remove_stale_temps(dir);
    Ok(lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<OutputFile> {
        vec![OutputFile {
            name: "a.txt".to_string(),
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
