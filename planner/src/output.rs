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

/// Renders every output of a plan, in memory, under the default size cap ([`MAX_FILE_BYTES`]; see
/// [`render_with`]).
pub fn render(plan: &Plan) -> Result<Vec<OutputFile>, Error> {
    Ok(render_with(plan, &WriteOptions::default())?.0)
}

/// Renders every output of a plan, in memory (the outputs are rendered in parallel, one job per group of files,
/// and returned in their fixed order), with the size cap of `options` applied as [`write_plan_noted`] applies
/// it; and what the cap did.
pub fn render_with(plan: &Plan, options: &WriteOptions) -> Result<(Vec<OutputFile>, OutputNotes), Error> {
    let (produced, notes) = run_jobs(plan, None, &[], options.file_cap())?;
    let files = produced
        .into_iter()
        .map(|p| match p.body {
            Body::Bytes(bytes) => OutputFile { name: p.name, bytes },
            Body::Staged(_) => unreachable!("no folder to stage in"),
        })
        .collect();
    Ok((files, notes))
}

/// Largest size of one output file unless told otherwise (`--max-file-mb`), bytes: 100 MB, so that every file
/// opens in an editor, a spreadsheet, a browser or a NetBox import.
pub const MAX_FILE_BYTES: u64 = 100_000_000;

/// Above this many racks `report.html` links its per-rack tables (`racks.csv`, `cables.csv` or its parts) and
/// the drawings instead of inlining them, so that the page stays a few MB at any size.
pub const HTML_INLINE_RACKS: usize = 600;

/// What the size cap did to a plan's files: `outputs` in report.json, and the warnings `gigapod plan` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutputNotes {
    /// The cap, bytes.
    pub max_file_bytes: u64,
    /// Files written in parts instead of whole (the whole was over the cap).
    pub split: Vec<SplitNote>,
    /// Files written gzip-compressed instead (`<name>.gz`; the plain file was over the cap).
    pub compressed: Vec<CompressedNote>,
    /// Files written whole although over the cap (nothing splits them: one hall, no gzip form).
    pub over_cap: Vec<FileSize>,
}

/// A file written in parts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SplitNote {
    /// The file not written (`cables.csv`).
    pub file: String,
    /// Its size whole, bytes.
    pub bytes: u64,
    /// The parts written instead, in order (`cables-H1.csv` ... `cables-between-halls.csv`).
    pub parts: Vec<String>,
}

/// A file written gzip-compressed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CompressedNote {
    /// The plain file not written (`ibnetdiscover.topo`).
    pub file: String,
    /// Its size plain, bytes.
    pub bytes: u64,
    /// The file written (`ibnetdiscover.topo.gz`).
    pub written: String,
    /// Its size, bytes.
    pub written_bytes: u64,
}

/// A file and its size.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileSize {
    /// File name.
    pub file: String,
    /// Bytes.
    pub bytes: u64,
}

impl OutputNotes {
    /// One line per file the cap changed or could not hold.
    pub fn warnings(&self) -> Vec<String> {
        let mb = |b: u64| b as f64 / 1e6;
        let cap = mb(self.max_file_bytes);
        let mut out = Vec::new();
        for s in &self.split {
            out.push(format!(
                "{} would be {:.1} MB, over the {cap:.1} MB cap: not written; its {} parts are ({})",
                s.file,
                mb(s.bytes),
                s.parts.len(),
                s.parts.join(", ")
            ));
        }
        for c in &self.compressed {
            out.push(format!(
                "{} would be {:.1} MB, over the {cap:.1} MB cap: written as {} ({:.1} MB; `gigapod verify` reads it as is)",
                c.file,
                mb(c.bytes),
                c.written,
                mb(c.written_bytes)
            ));
        }
        for f in &self.over_cap {
            out.push(format!(
                "{} is {:.1} MB, over the {cap:.1} MB cap: it cannot be cut smaller (one record, or a file that is not a table)",
                f.file,
                mb(f.bytes)
            ));
        }
        out
    }

    /// The notes as report.json's `outputs` object.
    fn to_json_member(&self) -> String {
        let v = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string());
        // Indented one level, as a member of the report's top-level object.
        let body = v.replace('\n', "\n  ");
        format!("  \"outputs\": {body}")
    }
}

/// A rendered output: its place in the fixed order, name, size and fingerprint, and its bytes (in memory, or
/// already written to a synced temporary file of the output folder).
struct Produced {
    order: usize,
    name: String,
    len: u64,
    hash: u64,
    body: Body,
}

enum Body {
    Bytes(Vec<u8>),
    Staged(fsx::TempFile),
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
/// a file's bytes are dropped as soon as it is on disk. `cap` is the size cap; what it did is noted in `notes`.
struct Sink<'a> {
    dir: Option<&'a Path>,
    skip: &'a [String],
    cap: u64,
    notes: std::sync::Mutex<OutputNotes>,
}

impl Sink<'_> {
    /// Where output `name` goes (for errors): in the folder, or the bare name when rendering in memory.
    fn target(&self, name: &str) -> PathBuf {
        self.dir.map_or_else(|| PathBuf::from(name), |d| d.join(name))
    }

    fn skipped(&self, name: &str) -> bool {
        self.skip.iter().any(|s| s == name)
    }

    fn note(&self, f: impl FnOnce(&mut OutputNotes)) {
        f(&mut self.notes.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn put(&self, order: usize, name: &str, bytes: Vec<u8>) -> Result<Option<Produced>, Error> {
        if self.skipped(name) {
            return Ok(None);
        }
        let (len, hash) = (bytes.len() as u64, fnv1a64(&bytes));
        let body = match self.dir {
            None => Body::Bytes(bytes),
            Some(dir) => {
                let mut tmp = fsx::TempFile::create_in(dir).map_err(|e| fsx::write_error(dir, e))?;
                tmp.write_synced(&bytes)
                    .map_err(|e| fsx::write_error(&dir.join(name), e))?;
                Body::Staged(tmp)
            }
        };
        Ok(Some(Produced {
            order,
            name: name.to_string(),
            len,
            hash,
            body,
        }))
    }

    /// A file streamed by `write` (into the temporary file, or into memory).
    fn stream(
        &self,
        order: usize,
        name: &str,
        write: &dyn Fn(&mut dyn std::io::Write) -> Result<(), Error>,
    ) -> Result<Option<Produced>, Error> {
        if self.skipped(name) {
            return Ok(None);
        }
        let Some(dir) = self.dir else {
            let mut bytes = Vec::new();
            write(&mut bytes)?;
            return self.put(order, name, bytes);
        };
        let target = dir.join(name);
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
        Ok(Some(Produced {
            order,
            name: name.to_string(),
            len,
            hash,
            body: Body::Staged(tmp),
        }))
    }

    /// [`Sink::stream`], and over the cap the file gzip-compressed as `<name>.gz` instead (compressed from the
    /// temporary file as it streams back, so it is never whole in memory).
    fn stream_or_gzip(
        &self,
        order: usize,
        name: &str,
        write: &dyn Fn(&mut dyn std::io::Write) -> Result<(), Error>,
    ) -> Result<Option<Produced>, Error> {
        let Some(plain) = self.stream(order, name, write)? else {
            return Ok(None);
        };
        if plain.len <= self.cap {
            return Ok(Some(plain));
        }
        let gz_name = format!("{name}.gz");
        let target = self.target(&gz_name);
        let compress = |input: &mut dyn std::io::Read, out: &mut dyn std::io::Write| -> std::io::Result<()> {
            let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
            std::io::copy(input, &mut enc)?;
            enc.finish()?;
            Ok(())
        };
        let gz = match plain.body {
            Body::Bytes(bytes) => {
                let mut out = Vec::new();
                compress(&mut bytes.as_slice(), &mut out).map_err(Error::io(&target))?;
                self.put(order, &gz_name, out)?
            }
            Body::Staged(tmp) => {
                let write = |w: &mut dyn std::io::Write| {
                    let f = std::fs::File::open(tmp.path()).map_err(Error::io(&target))?;
                    compress(&mut std::io::BufReader::with_capacity(1 << 20, f), w).map_err(Error::io(&target))
                };
                let gz = self.stream(order, &gz_name, &write)?;
                drop(tmp);
                gz
            }
        };
        if let Some(gz) = &gz {
            self.note(|n| {
                n.compressed.push(CompressedNote {
                    file: name.to_string(),
                    bytes: plain.len,
                    written: gz_name.clone(),
                    written_bytes: gz.len,
                })
            });
        }
        Ok(gz)
    }

    /// A CSV over the cap cut into `<stem>-1.csv`, `<stem>-2.csv` ... at record boundaries, each with the header
    /// and under the cap (read back from its temporary file, a chunk at a time); noted as split. A CSV under
    /// the cap, or one record longer than the cap, is returned as it is (the latter noted as over the cap).
    fn chunk_csv(&self, p: Produced) -> Result<Vec<Produced>, Error> {
        if p.len <= self.cap {
            return Ok(vec![p]);
        }
        let target = self.target(&p.name);
        let encode = |source| Error::Encode {
            what: "a CSV in parts",
            source,
        };
        let chunks = {
            let input: Box<dyn std::io::Read + '_> = match &p.body {
                Body::Bytes(b) => Box::new(b.as_slice()),
                Body::Staged(tmp) => Box::new(std::io::BufReader::with_capacity(
                    1 << 20,
                    std::fs::File::open(tmp.path()).map_err(Error::io(&target))?,
                )),
            };
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(input);
            let line = |rec: &csv::ByteRecord| -> Result<Vec<u8>, Error> {
                let mut w = csv::Writer::from_writer(Vec::new());
                w.write_byte_record(rec).map_err(encode)?;
                w.into_inner().map_err(|e| encode(e.into_error().into()))
            };
            let mut rec = csv::ByteRecord::new();
            if r.read_byte_record(&mut rec).map_err(encode)? {
                let header = line(&rec)?;
                let mut chunks: Vec<Vec<u8>> = Vec::new();
                let mut current = header.clone();
                let mut rows = 0usize;
                while r.read_byte_record(&mut rec).map_err(encode)? {
                    let l = line(&rec)?;
                    if rows > 0 && (current.len() + l.len()) as u64 > self.cap {
                        chunks.push(std::mem::replace(&mut current, header.clone()));
                        rows = 0;
                    }
                    current.extend_from_slice(&l);
                    rows += 1;
                }
                chunks.push(current);
                Some(chunks)
            } else {
                None
            }
        };
        let Some(chunks) = chunks else {
            return Ok(vec![p]);
        };
        let stem = p.name.strip_suffix(".csv").unwrap_or(&p.name).to_string();
        let mut out = Vec::new();
        for (i, bytes) in chunks.into_iter().enumerate() {
            let name = format!("{stem}-{}.csv", i + 1);
            if let Some(c) = self.put(p.order + i, &name, bytes)? {
                self.over_cap(&c);
                out.push(c);
            }
        }
        let (file, bytes) = (p.name.clone(), p.len);
        drop(p);
        let parts = out.iter().map(|c| c.name.clone()).collect();
        self.note(|n| n.split.push(SplitNote { file, bytes, parts }));
        Ok(out)
    }

    /// Notes a file kept whole over the cap.
    fn over_cap(&self, p: &Produced) {
        if p.len > self.cap {
            self.note(|n| {
                n.over_cap.push(FileSize {
                    file: p.name.clone(),
                    bytes: p.len,
                })
            });
        }
    }
}

/// The fixed order of the outputs (netbox files follow, in the order the exporter gives them).
const ORDER: [&str; 11] = [
    "report.json",
    "bom.csv",
    "cables.csv",
    "racks.csv",
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

/// The render jobs, largest first. Each renders a group of files (the HTML report embeds the drawings).
/// report.json is rendered after them, with what the size cap did.
const JOBS: [Job; 5] = [
    netbox_job,
    |plan, sink| {
        let mut out = Vec::new();
        let conf = crate::render::slurm::topology_conf(plan).into_bytes();
        out.extend(sink.put(order_of("topology.conf"), "topology.conf", conf)?);
        // One subnet per plane: `ibnetdiscover.topo`, or `ibnetdiscover-pl1.topo` ... of a multi-plane fabric;
        // over the cap gzip-compressed.
        for (i, (name, plane)) in crate::render::ibnet::files(plan).into_iter().enumerate() {
            let target = sink.target(&name);
            let write = |w: &mut dyn std::io::Write| {
                crate::render::ibnet::write_topology(plan, plane, &name, w).map_err(Error::io(&target))
            };
            out.extend(sink.stream_or_gzip(order_of("ibnetdiscover.topo") + i, &name, &write)?);
        }
        Ok(out)
    },
    |plan, sink| {
        let topology = crate::render::topology::svg(plan);
        let racks = crate::render::racks::svg(plan);
        let floorplan = crate::render::floorplan::svg(plan);
        let links = crate::render::html::Linked {
            inline_racks: HTML_INLINE_RACKS,
            cables: cable_files(plan),
        };
        let html = crate::render::html::report_linked(plan, &topology, &floorplan, &links);
        let mut out = Vec::new();
        for (name, bytes) in [
            ("report.html", html.into_bytes()),
            ("topology.svg", topology.into_bytes()),
            ("racks.svg", racks.into_bytes()),
            ("floorplan.svg", floorplan.into_bytes()),
        ] {
            if let Some(p) = sink.put(order_of(name), name, bytes)? {
                sink.over_cap(&p);
                out.push(p);
            }
        }
        // A multi-hall plan: each hall's floor plan and rack elevations as well.
        for (i, (name, svg)) in crate::render::floorplan::hall_svgs(plan).into_iter().enumerate() {
            if let Some(p) = sink.put(order_of("floorplan.svg") + 1 + i, &name, svg.into_bytes())? {
                sink.over_cap(&p);
                out.push(p);
            }
        }
        for (i, (name, svg)) in crate::render::racks::hall_svgs(plan).into_iter().enumerate() {
            if let Some(p) = sink.put(order_of("racks.svg") + 1 + i, &name, svg.into_bytes())? {
                sink.over_cap(&p);
                out.push(p);
            }
        }
        Ok(out)
    },
    cables_job,
    |plan, sink| {
        let bom = crate::bom::to_csv(&plan.bom).map_err(|source| Error::Encode {
            what: "bom.csv",
            source,
        })?;
        let racks = crate::render::split::racks_csv(plan).map_err(|source| Error::Encode {
            what: "racks.csv",
            source,
        })?;
        let md = crate::render::bom_md::markdown(plan).into_bytes();
        let mut out = Vec::new();
        for (name, bytes) in [("bom.csv", bom), ("racks.csv", racks), ("bom.md", md)] {
            out.extend(sink.put(order_of(name), name, bytes)?);
        }
        Ok(out)
    },
];

/// The cable plan files a plan writes, in order: `cables.csv` when it fits the default cap (or the plan is on one
/// hall), and the halls' parts of a multi-hall plan (for report.html's links; the cap given to a run may differ,
/// and report.json's `outputs` says what was written).
fn cable_files(plan: &Plan) -> Vec<String> {
    use crate::render::split::{HallIndex, Part};
    let Some(halls) = HallIndex::of(plan) else {
        return vec!["cables.csv".to_string()];
    };
    std::iter::once("cables.csv".to_string())
        .chain(Part::all(&halls).into_iter().map(|p| p.file(&halls, "cables")))
        .collect()
}

/// `cables.csv`, and of a multi-hall plan its parts per hall; over the cap, `cables.csv` is dropped for its
/// parts (never written partial).
fn cables_job(plan: &Plan, sink: &Sink<'_>) -> Result<Vec<Produced>, Error> {
    use crate::render::split::{HallIndex, Part, cables_part_header_len, run_parts, write_cables_part};
    let encode = |source| Error::Encode {
        what: "cables.csv",
        source,
    };
    let base = order_of("cables.csv");
    let write = |w: &mut dyn std::io::Write| crate::cabling::write_csv(&plan.cables, w).map_err(encode);
    let Some(halls) = HallIndex::of(plan) else {
        // One hall: over the cap, cables.csv is cut into cables-1.csv ... at line boundaries.
        return match sink.stream(base, "cables.csv", &write)? {
            Some(w) => sink.chunk_csv(w),
            None => Ok(Vec::new()),
        };
    };
    // The parts first: their sizes give the whole's exactly (each part line is the whole's line and `,<hall>`;
    // each part has a header), so a whole over the cap is never formatted and written only to be dropped.
    let of_run = run_parts(plan, &halls);
    let whole_header = {
        let mut b = Vec::new();
        crate::cabling::write_csv(&crate::cabling::CablePlan::empty(), &mut b).map_err(encode)?;
        b.len() as u64
    };
    let part_header = cables_part_header_len();
    let mut whole_len = Some(whole_header);
    let mut out = Vec::new();
    let mut parts = Vec::new();
    for (i, part) in Part::all(&halls).into_iter().enumerate() {
        let name = part.file(&halls, "cables");
        let lines = std::cell::Cell::new(0u64);
        let write = |w: &mut dyn std::io::Write| {
            lines.set(write_cables_part(plan, &halls, part, &of_run, w).map_err(encode)?);
            Ok(())
        };
        match sink.stream(base + (1 + i) * 1000, &name, &write)? {
            Some(p) => {
                let extra = lines.get() * (1 + part.label(&halls).len() as u64);
                whole_len = whole_len.map(|n| n + p.len.saturating_sub(part_header + extra));
                // A hall's part over the cap (the cables between halls of a large site) in chunks.
                for c in sink.chunk_csv(p)? {
                    parts.push(c.name.clone());
                    out.push(c);
                }
            }
            // A part left out (`--skip`): the whole's size is not known from the parts.
            None => whole_len = None,
        }
    }
    if let Some(bytes) = whole_len.filter(|&n| n > sink.cap) {
        if !sink.skipped("cables.csv") {
            sink.note(|n| {
                n.split.push(SplitNote {
                    file: "cables.csv".to_string(),
                    bytes,
                    parts,
                })
            });
        }
        return Ok(out);
    }
    match sink.stream(base, "cables.csv", &write)? {
        Some(w) if w.len > sink.cap => {
            sink.note(|n| {
                n.split.push(SplitNote {
                    file: w.name.clone(),
                    bytes: w.len,
                    parts,
                })
            });
            // Dropped: its temporary file is removed, and the whole is never in the folder.
        }
        Some(w) => out.insert(0, w),
        None => {}
    }
    Ok(out)
}

/// The NetBox CSVs in import order; of a multi-hall plan, a file over the cap in parts per hall (each part in
/// the file's place, hall by hall).
fn netbox_job(plan: &Plan, sink: &Sink<'_>) -> Result<Vec<Produced>, Error> {
    use crate::render::split::{HallIndex, netbox_device_halls, split_netbox};
    let files = crate::render::netbox::files(plan);
    let halls = HallIndex::of(plan);
    let device_halls = match &halls {
        Some(h) if files.iter().any(|(_, b)| b.len() as u64 > sink.cap) => files
            .iter()
            .find(|(n, _)| *n == "netbox-devices.csv")
            .map(|(_, b)| netbox_device_halls(h, b))
            .unwrap_or_default(),
        _ => Default::default(),
    };
    // Each file is split (over the cap) and written on its own: on the machine's cores, largest first, since at
    // the largest sizes these files are most of the set.
    let mut work: Vec<(usize, &'static str, Vec<u8>)> =
        files.into_iter().enumerate().map(|(i, (n, b))| (i, n, b)).collect();
    work.sort_by_key(|w| std::cmp::Reverse(w.2.len()));
    let work = std::sync::Mutex::new(work.into_iter());
    let one = |(i, name, bytes): (usize, &'static str, Vec<u8>)| -> Result<Vec<Produced>, Error> {
        let mut out = Vec::new();
        let order = ORDER.len() * PARTS + i * PARTS / 100;
        let len = bytes.len() as u64;
        let parts = match &halls {
            Some(h) if len > sink.cap && !sink.skipped(name) => {
                split_netbox(h, &device_halls, name, &bytes).map_err(|source| Error::Encode { what: name, source })?
            }
            _ => None,
        };
        let Some(parts) = parts else {
            // No halls to split by: over the cap, in chunks.
            if let Some(p) = sink.put(order, name, bytes)? {
                out.extend(sink.chunk_csv(p)?);
            }
            return Ok(out);
        };
        drop(bytes);
        let mut names = Vec::new();
        for (k, (part, part_bytes)) in parts.into_iter().enumerate() {
            if let Some(p) = sink.put(order + (1 + k) * 1000, &part, part_bytes)? {
                // A hall's part over the cap (the core switches' hall, the cables between halls) in chunks.
                for c in sink.chunk_csv(p)? {
                    names.push(c.name.clone());
                    out.push(c);
                }
            }
        }
        sink.note(|n| {
            n.split.push(SplitNote {
                file: name.to_string(),
                bytes: len,
                parts: names,
            })
        });
        Ok(out)
    };
    let results = std::sync::Mutex::new(Vec::new());
    let worker = || {
        loop {
            let next = work.lock().unwrap_or_else(|e| e.into_inner()).next();
            let Some(w) = next else { break };
            let r = one(w);
            results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(worker);
        }
        worker();
    });
    let mut out = Vec::new();
    for r in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        out.extend(r?);
    }
    // The notes in the files' import order, whichever thread finished first.
    sink.note(|n| n.split.sort_by_key(|x| order_of_netbox(&x.file)));
    Ok(out)
}

/// A split file's place in the notes: the other files first (cables.csv), then NetBox's in import order.
fn order_of_netbox(file: &str) -> usize {
    crate::render::netbox::FILES
        .iter()
        .position(|f| *f == file)
        .map_or(0, |p| p + 1)
}

/// Runs the render jobs on the machine's cores, then report.json with what the cap did; with `dir`, each file
/// goes to a temporary file of that folder as soon as it is rendered. Returns the files in their fixed order.
fn run_jobs(plan: &Plan, dir: Option<&Path>, skip: &[String], cap: u64) -> Result<(Vec<Produced>, OutputNotes), Error> {
    let sink = Sink {
        dir,
        skip,
        cap,
        notes: std::sync::Mutex::new(OutputNotes {
            max_file_bytes: cap,
            ..OutputNotes::default()
        }),
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
    let mut notes = sink.notes.lock().unwrap_or_else(|e| e.into_inner()).clone();
    // Fixed order, whatever order the threads finished in.
    notes.split.sort_by_key(|s| order_of(&s.file));
    notes.compressed.sort_by(|a, b| a.file.cmp(&b.file));
    notes.over_cap.sort_by(|a, b| a.file.cmp(&b.file));
    let report = report_json(plan, &notes);
    out.extend(sink.put(order_of("report.json"), "report.json", report.into_bytes())?);
    out.sort_by_key(|p| p.order);
    Ok((out, notes))
}

/// report.json as `gigapod plan` writes it: the report, with `outputs` (what the size cap did) as its last
/// member.
pub fn report_json(plan: &Plan, notes: &OutputNotes) -> String {
    with_outputs(Report::new(plan).to_json(), notes)
}

/// `json` with `outputs` as its last member.
fn with_outputs(mut json: String, notes: &OutputNotes) -> String {
    let Some(end) = json.rfind('}') else { return json };
    let body = json[..end].trim_end().len();
    let member = notes.to_json_member();
    json.replace_range(body..end, &format!(",\n{member}\n"));
    json
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
    /// The size cap of one file (`--max-file-mb`), bytes; `None` is [`MAX_FILE_BYTES`]. Over it, a multi-hall
    /// plan's `cables.csv` and NetBox CSVs are written in parts per hall instead, and `ibnetdiscover*.topo`
    /// gzip-compressed (docs/outputs.md, "Large plans").
    pub max_file_bytes: Option<u64>,
}

impl WriteOptions {
    fn file_cap(&self) -> u64 {
        self.max_file_bytes.unwrap_or(MAX_FILE_BYTES)
    }
}

/// What a write did: the paths written, and what the size cap did (also in report.json's `outputs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Every file written, in the fixed order.
    pub paths: Vec<PathBuf>,
    /// What the size cap did.
    pub notes: OutputNotes,
}

/// Renders and writes a plan into `dir`, leaving out `options.skip` and refusing a set over `options.max_bytes`.
pub fn write_plan_with(plan: &Plan, dir: &Path, force: bool, options: &WriteOptions) -> Result<Vec<PathBuf>, Error> {
    Ok(write_plan_noted(plan, dir, force, options)?.paths)
}

/// [`write_plan_with`], returning what the size cap did as well.
pub fn write_plan_noted(plan: &Plan, dir: &Path, force: bool, options: &WriteOptions) -> Result<Written, Error> {
    if options.max_bytes.is_none() {
        return write_streamed(plan, dir, force, &options.skip, options.file_cap());
    }
    let (mut files, notes) = render_with(plan, options)?;
    if let Some(unknown) = options
        .skip
        .iter()
        .find(|s| !files.iter().any(|f| f.name == s.as_str()))
    {
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        return Err(unknown_skip(unknown, &names));
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
    let previous = previous_files(dir);
    let paths = write(dir, &files, force)?;
    // A skipped output, or one the earlier plan wrote and this one does not (a whole cables.csv now in parts),
    // would mix two plans in one folder: it goes (the folder is ours now, and only a regular file is removed).
    remove_stale(dir, previous.into_iter().chain(skipped), &paths)?;
    Ok(Written { paths, notes })
}

fn unknown_skip(unknown: &str, names: &[&str]) -> Error {
    Error::Argument(
        gigapod_catalog::Diagnostic::file(
            "<command line>",
            format!("--skip `{unknown}` is not an output of the plan"),
        )
        .with_help(format!("skip one of: {}", names.join(", ")))
        .into(),
    )
}

/// The files the folder's manifest lists (an earlier run's set); empty without one.
fn previous_files(dir: &Path) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(default)]
        file: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        name: String,
    }
    let marker = dir.join(MARKER);
    match std::fs::symlink_metadata(&marker) {
        Ok(m) if m.file_type().is_file() && m.len() <= 1 << 20 => {}
        _ => return Vec::new(),
    }
    std::fs::read_to_string(&marker)
        .ok()
        .and_then(|t| toml::from_str::<Manifest>(&t).ok())
        .map(|m| m.file.into_iter().map(|e| e.name).collect())
        .unwrap_or_default()
}

/// Removes the regular files `names` from `dir` unless just written; a name that is not a plain file name (a
/// hand-edited manifest's `../x`) is left alone.
fn remove_stale(dir: &Path, names: impl Iterator<Item = String>, written: &[PathBuf]) -> Result<(), Error> {
    for name in names {
        let plain = Path::new(&name).file_name().is_some_and(|f| f == name.as_str()) && name != MARKER;
        let path = dir.join(&name);
        if !plain || written.contains(&path) {
            continue;
        }
        if fsx::replaceable(&path, "").unwrap_or(false) {
            std::fs::remove_file(&path).map_err(|e| fsx::write_error(&path, e))?;
        }
    }
    Ok(())
}

/// [`write_plan_with`] without a size limit: every file is written to a synced temporary file of the folder as
/// soon as it is rendered (cables.csv and the topologies streamed line by line), so the plan's outputs are never
/// all in memory at once; then, as [`write`] does, the manifest says `writing`, the files are renamed into place
/// and the manifest says `complete`. A failure before the renames leaves the folder as it was (the temporary
/// files are removed).
fn write_streamed(plan: &Plan, dir: &Path, force: bool, skip: &[String], cap: u64) -> Result<Written, Error> {
    let _lock = prepare_dir(dir, force)?;
    let previous = previous_files(dir);
    let (produced, notes) = run_jobs(plan, Some(dir), skip, cap)?;
    let mut staged: Vec<(String, u64, u64, fsx::TempFile)> = Vec::new();
    for p in produced {
        if let Body::Staged(tmp) = p.body {
            staged.push((p.name, p.len, p.hash, tmp));
        }
    }
    let known = |name: &str| staged.iter().any(|s| s.0 == name);
    let mut all_names: Vec<String> = ORDER
        .iter()
        .chain(crate::render::netbox::FILES.iter())
        .map(|s| s.to_string())
        .collect();
    all_names.extend(crate::render::ibnet::files(plan).into_iter().map(|(n, _)| n));
    all_names.extend(cable_files(plan));
    if let Some(unknown) = skip.iter().find(|s| !known(s) && !all_names.contains(s)) {
        let names: Vec<&str> = all_names.iter().map(String::as_str).collect();
        return Err(unknown_skip(unknown, &names));
    }
    for s in &staged {
        fsx::replaceable(
            &dir.join(&s.0),
            "move it out of the output folder, or choose another folder with --out",
        )?;
    }
    let entries: Vec<(String, u64, u64)> = staged.iter().map(|s| (s.0.clone(), s.1, s.2)).collect();
    let entries: Vec<(&str, u64, u64)> = entries.iter().map(|(n, l, h)| (n.as_str(), *l, *h)).collect();
    let marker = dir.join(MARKER);
    let write_marker = |state: &str| {
        fsx::write_atomic(&marker, manifest_of(state, &entries).as_bytes()).map_err(|e| fsx::write_error(&marker, e))
    };
    write_marker(STATE_WRITING)?;
    let mut paths = Vec::with_capacity(staged.len());
    let mut tmps = Vec::with_capacity(staged.len());
    for (name, _, _, tmp) in staged {
        tmps.push((dir.join(&name), tmp));
    }
    for (target, tmp) in tmps {
        tmp.persist(&target).map_err(|e| fsx::write_error(&target, e))?;
        paths.push(target);
    }
    fsx::sync_dir(dir).map_err(|e| fsx::write_error(dir, e))?;
    write_marker(STATE_COMPLETE)?;
    remove_stale(dir, previous.into_iter().chain(skip.iter().cloned()), &paths)?;
    Ok(Written { paths, notes })
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
