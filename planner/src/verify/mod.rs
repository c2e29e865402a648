//! `gigapod verify`: the cluster as built against the plan (docs/verify.md).
//!
//! - [`ibnet`]: a streaming reader of `ibnetdiscover` output; the plan's own `ibnetdiscover.topo` reads with it
//!   too.
//! - [`PlannedFabric`]: what the plan says is cabled, read from a plan folder (`ibnetdiscover.topo` for the
//!   nodes, ports and rates, `cables.csv` for each link's cable label, rack, U and faceplate port) or from a
//!   [`Plan`] in memory, by the same code.
//! - [`verify_fabric`]: an observed [`ibnet::Topology`] against a [`PlannedFabric`]: missing, extra and
//!   miswired links and links at the wrong speed or width ([`Fault`]), each with both ends' rack, U and port
//!   label and the fix.
//! - [`smi`]: the `nvidia-smi topo -m` matrix of one server against its catalog internals.
//!
//! Observed nodes are matched to planned ones by node description, then by node GUID, then by the id string
//! (the planner's file uses `S-<guid>` / `H-<guid>`, which a round trip reads back), and links by both ends'
//! ports.

pub mod ibnet;
pub mod smi;

#[cfg(test)]
mod tests;

use crate::plan::Plan;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use ibnet::{NodeKind, Rate, Topology};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, Read};

/// Why a verify input cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// An ibnetdiscover file (the plan's or the observed one) cannot be read.
    #[error("{file}: {source}")]
    Topology {
        /// The file.
        file: String,
        /// What went wrong, with the line.
        source: ibnet::ReadError,
    },
    /// The plan's `cables.csv` cannot be read.
    #[error("{file}: line {line}: {message}")]
    Cables {
        /// The file.
        file: String,
        /// 1-based line (0 when unknown).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A file cannot be opened.
    #[error("{file}: cannot open: {source}")]
    Open {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The `nvidia-smi topo -m` matrix cannot be read.
    #[error("{file}: line {line}: {message}")]
    Smi {
        /// The file.
        file: String,
        /// 1-based line (0 when unknown).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Something the check needs is missing from the plan or the catalog.
    #[error("{0}")]
    Plan(String),
}

impl From<VerifyError> for crate::Error {
    fn from(e: VerifyError) -> Self {
        crate::Error::Verify(e.diagnostics())
    }
}

impl VerifyError {
    /// The error as a located diagnostic (file and line), with what would fix it.
    pub fn diagnostics(&self) -> gigapod_catalog::Diagnostics {
        use gigapod_catalog::Diagnostic;
        let (file, line, message, help) = match self {
            VerifyError::Topology { file, source } => (
                file.as_str(),
                source.line(),
                match source {
                    ibnet::ReadError::Io { source, .. } => format!("cannot read: {source}"),
                    ibnet::ReadError::LineTooLong { .. } => format!("a line longer than {} bytes", ibnet::MAX_LINE),
                    ibnet::ReadError::Binary { .. } => "a NUL byte: this is a binary file".to_string(),
                    ibnet::ReadError::NoNodes { lines } => {
                        format!("{lines} lines and not one `Switch` or `Ca` block")
                    }
                },
                "give the output of `ibnetdiscover > fabric.topo` run on a host of the fabric (docs/verify.md)",
            ),
            VerifyError::Cables { file, line, message } => (
                file.as_str(),
                *line,
                message.clone(),
                "PLAN_DIR must be a folder written by `gigapod plan` (it holds ibnetdiscover.topo and cables.csv)",
            ),
            VerifyError::Open { file, source } => (
                file.as_str(),
                0,
                format!("cannot open: {source}"),
                "check the path; PLAN_DIR must be a folder written by `gigapod plan`",
            ),
            VerifyError::Smi { file, line, message } => (
                file.as_str(),
                *line,
                message.clone(),
                "give the output of `nvidia-smi topo -m` run on the server (docs/verify.md)",
            ),
            VerifyError::Plan(m) => (
                "<plan>",
                0,
                m.clone(),
                "plan the cluster again with this gigapod, then verify against that folder",
            ),
        };
        let mut d = Diagnostic::file(file, message).with_help(help);
        d.line = line as usize;
        if line > 0 {
            d.column = 1;
        }
        gigapod_catalog::Diagnostics(vec![d])
    }
}

/// A node (index) and its 1-based port.
type PortEnd = (u32, u32);

/// A faceplate `cage/port`.
type CagePort = (u32, u32);

/// How a port is named on its faceplate, for ports the cable plan does not list (an extra link or a miswire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortNamer {
    /// `cage/port` with this many ports per cage.
    Cage(u32),
    /// `nicN`: the HCA's first port is NIC `first`.
    Nic(u32),
    /// `port N`.
    Plain,
}

#[derive(Debug, Clone)]
struct PNode {
    desc: String,
    id: String,
    guid: Option<u64>,
    kind: Option<NodeKind>,
    device: String,
    rack: String,
    u: u32,
    namer: PortNamer,
}

#[derive(Debug, Clone)]
struct PLink {
    a: (u32, u32),
    b: (u32, u32),
    rate: Option<Rate>,
    cable: Option<String>,
}

/// What the plan says is cabled in the compute fabric: every node with its description, GUID and place, and
/// every link with its ports, rate and cable label.
#[derive(Debug, Clone)]
pub struct PlannedFabric {
    nodes: Vec<PNode>,
    links: Vec<PLink>,
    by_end: HashMap<(u32, u32), u32>,
    labels: HashMap<(u32, u32), String>,
    by_desc: HashMap<String, u32>,
    by_guid: HashMap<u64, u32>,
    by_id: HashMap<String, u32>,
    /// The plan's topology file this was read from (`ibnetdiscover.topo`, `ibnetdiscover-pl2.topo`...).
    file: String,
    /// A multi-plane plan: one planned fabric per plane (this one's own nodes and links are then empty), and an
    /// observed file is checked against the plane it belongs to.
    planes: Vec<PlannedFabric>,
}

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens a file for reading a line at a time; a gzip file (by its first two bytes, whatever its name) is
/// decompressed as it is read, so a `.gz` topology is never whole in memory.
pub fn open_text(path: &std::path::Path) -> Result<Box<dyn BufRead>, VerifyError> {
    let open_err = |source| VerifyError::Open {
        file: path.display().to_string(),
        source,
    };
    let f = std::fs::File::open(path).map_err(open_err)?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, f);
    let gz = r.fill_buf().map_err(open_err)?.starts_with(&GZIP_MAGIC);
    Ok(if gz {
        Box::new(std::io::BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(r),
        ))
    } else {
        Box::new(r)
    })
}

/// The compute-fabric topology files of a plan folder, in plane order: `ibnetdiscover.topo` (or its `.gz`) of a
/// one-plane plan, or `ibnetdiscover-pl1.topo` ... (each possibly `.gz`) of a multi-plane one.
fn topology_files(dir: &std::path::Path) -> Vec<String> {
    for one in ["ibnetdiscover.topo", "ibnetdiscover.topo.gz"] {
        if dir.join(one).is_file() {
            return vec![one.to_string()];
        }
    }
    let mut planes: Vec<(u32, String)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            let rest = name.strip_prefix("ibnetdiscover-pl")?;
            let n = rest
                .strip_suffix(".gz")
                .unwrap_or(rest)
                .strip_suffix(".topo")?
                .parse()
                .ok()?;
            Some((n, name))
        })
        .collect();
    planes.sort();
    planes.into_iter().map(|(_, n)| n).collect()
}

/// The cable plan files of a plan folder: `cables.csv`, or, when a large plan wrote it in parts only, every
/// `cables-<part>.csv` (`cables-H1.csv` ..., `cables-between-halls.csv`, and their chunks `cables-H7-1.csv` ...).
fn cable_files(dir: &std::path::Path) -> Vec<String> {
    if dir.join("cables.csv").is_file() {
        return vec!["cables.csv".to_string()];
    }
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            (name.starts_with("cables-") && name.ends_with(".csv")).then_some(name)
        })
        .collect();
    files.sort();
    if files.is_empty() {
        // Nothing else: the error names the file a plan folder has.
        files.push("cables.csv".to_string());
    }
    files
}

/// One row of `cables.csv`, as verify needs it.
#[derive(Debug, Clone)]
struct CableRow {
    label: String,
    a_device: String,
    a_port: String,
    a_rack: String,
    a_u: u32,
    b_device: String,
    b_port: String,
    b_rack: String,
    b_u: u32,
}

/// An order key for a faceplate label: `3/2` -> (3, 2), `nic4` -> (4, 0).
fn label_key(label: &str) -> (u32, u32) {
    if let Some((c, p)) = label.split_once('/')
        && let (Ok(c), Ok(p)) = (c.parse(), p.parse())
    {
        return (c, p);
    }
    if let Some(n) = label.strip_prefix("nic").and_then(|n| n.parse().ok()) {
        return (n, 0);
    }
    (u32::MAX, u32::MAX)
}

impl PlannedFabric {
    /// Reads a plan folder's `ibnetdiscover.topo` and `cables.csv`; of a multi-plane plan, every plane's
    /// `ibnetdiscover-pl<N>.topo`; a `.gz` topology is read through gzip, and a cable plan written in parts (per
    /// hall) is read from its parts.
    pub fn read_dir(dir: &std::path::Path) -> Result<Self, VerifyError> {
        let mut topo_files = topology_files(dir);
        if topo_files.is_empty() {
            // Neither kind: the error names the file a one-plane plan has.
            topo_files.push("ibnetdiscover.topo".to_string());
        }
        // The topology is looked for first, so a folder that is no plan is named for it.
        open_text(&dir.join(&topo_files[0]))?;
        let mut rows = Vec::new();
        for name in cable_files(dir) {
            let path = dir.join(&name);
            rows.extend(read_cables(open_text(&path)?, &path.display().to_string())?);
        }
        let mut planes = Vec::with_capacity(topo_files.len());
        for name in topo_files {
            let path = dir.join(&name);
            let topo = ibnet::read(open_text(&path)?).map_err(|source| VerifyError::Topology {
                file: path.display().to_string(),
                source,
            })?;
            let mut p = Self::build(&topo, &rows);
            p.file = name;
            planes.push(p);
        }
        if planes.len() == 1 {
            return Ok(planes.pop().expect("one plane"));
        }
        let mut whole = Self::build(&Topology::default(), &[]);
        whole.file = "ibnetdiscover-pl*.topo".to_string();
        whole.planes = planes;
        Ok(whole)
    }

    /// The plan's topology file this was read from; of a multi-plane plan, `ibnetdiscover-pl*.topo`.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The planned planes of a multi-plane plan (empty for one plane).
    pub fn planes(&self) -> &[PlannedFabric] {
        &self.planes
    }

    /// The plane an observed fabric belongs to: the planned plane that knows most of its nodes (by description,
    /// then GUID, then id), the first on a tie; `self` for a one-plane plan.
    fn plane_of(&self, seen: &Topology) -> &PlannedFabric {
        let none = HashSet::new();
        self.planes
            .iter()
            .enumerate()
            .max_by_key(|(i, p)| {
                let known = seen.nodes.iter().filter(|n| p.resolve(n, &none).is_some()).count();
                (known, std::cmp::Reverse(*i))
            })
            .map_or(self, |(_, p)| p)
    }

    /// The planned fabric of a plan in memory: its `ibnetdiscover.topo` as rendered and its cable plan (the same
    /// code as [`PlannedFabric::read_dir`]).
    pub fn from_plan(plan: &Plan) -> Self {
        let rows = Self::rows_of(plan);
        let files = crate::render::ibnet::files(plan);
        let mut planes: Vec<Self> = files
            .iter()
            .map(|(name, plane)| {
                let text = match plane {
                    None => crate::render::ibnet::topology(plan),
                    Some(p) => crate::render::ibnet::plane_topology(plan, *p),
                };
                let topo = ibnet::read(text.as_bytes()).unwrap_or_default();
                let mut p = Self::build(&topo, &rows);
                p.file.clone_from(name);
                p
            })
            .collect();
        if planes.len() == 1 {
            return planes.pop().expect("one plane");
        }
        let mut whole = Self::build(&Topology::default(), &[]);
        whole.file = "ibnetdiscover-pl*.topo".to_string();
        whole.planes = planes;
        whole
    }

    fn rows_of(plan: &Plan) -> Vec<CableRow> {
        let rows: Vec<CableRow> = plan
            .cables
            .runs
            .iter()
            .map(|r| CableRow {
                label: r.label.clone(),
                a_device: r.a_device.clone(),
                a_port: r.a_port.clone(),
                a_rack: r.a_rack.clone(),
                a_u: r.a_u,
                b_device: r.b_device.clone(),
                b_port: r.b_port.clone(),
                b_rack: r.b_rack.clone(),
                b_u: r.b_u,
            })
            .collect();
        rows
    }

    /// Links in the plan (of a multi-plane plan, all planes').
    pub fn links(&self) -> usize {
        self.links.len() + self.planes.iter().map(|p| p.links.len()).sum::<usize>()
    }

    fn build(topo: &Topology, rows: &[CableRow]) -> Self {
        let mut devices: HashMap<&str, (&str, u32)> = HashMap::new();
        for r in rows {
            devices.entry(&r.a_device).or_insert((&r.a_rack, r.a_u));
            devices.entry(&r.b_device).or_insert((&r.b_rack, r.b_u));
        }
        let mut nodes: Vec<PNode> = topo
            .nodes
            .iter()
            .map(|n| {
                let desc = n.desc.clone().unwrap_or_else(|| n.id.clone());
                let device = if devices.contains_key(desc.as_str()) {
                    desc.clone()
                } else {
                    desc.split_whitespace().next().unwrap_or(&desc).to_string()
                };
                let (rack, u) = devices
                    .get(device.as_str())
                    .map_or((String::new(), 0), |&(r, u)| (r.to_string(), u));
                PNode {
                    desc,
                    id: n.id.clone(),
                    guid: n.guid,
                    kind: n.kind,
                    device,
                    rack,
                    u,
                    namer: PortNamer::Plain,
                }
            })
            .collect();
        // Links, once each (both ends are written).
        let mut links: Vec<PLink> = Vec::with_capacity(topo.ports.len() / 2);
        let mut by_end: HashMap<(u32, u32), u32> = HashMap::with_capacity(topo.ports.len());
        let mut labels: HashMap<(u32, u32), String> = HashMap::new();
        for p in &topo.ports {
            let (a, b) = ((p.node, p.port), (p.peer, p.peer_port));
            if let Some((c, q)) = p.label {
                labels.insert(a, format!("{c}/{q}"));
            }
            if by_end.contains_key(&a) || by_end.contains_key(&b) {
                continue;
            }
            let i = links.len() as u32;
            by_end.insert(a, i);
            by_end.insert(b, i);
            links.push(PLink {
                a,
                b,
                rate: p.rate,
                cable: None,
            });
        }
        // Join with the cable plan: per device pair, links and rows in the order of the ports on one side.
        let switch_flags: Vec<bool> = nodes.iter().map(|n| n.kind == Some(NodeKind::Switch)).collect();
        let is_switch = |n: u32| switch_flags[n as usize];
        let mut groups: HashMap<(String, String), Vec<u32>> = HashMap::new();
        for (i, l) in links.iter().enumerate() {
            let (da, db) = (&nodes[l.a.0 as usize].device, &nodes[l.b.0 as usize].device);
            let key = if da <= db {
                (da.clone(), db.clone())
            } else {
                (db.clone(), da.clone())
            };
            groups.entry(key).or_default().push(i as u32);
        }
        let mut row_groups: HashMap<(&str, &str), Vec<&CableRow>> = HashMap::new();
        for r in rows {
            let key = if r.a_device <= r.b_device {
                (r.a_device.as_str(), r.b_device.as_str())
            } else {
                (r.b_device.as_str(), r.a_device.as_str())
            };
            row_groups.entry(key).or_default().push(r);
        }
        let mut cage_pairs: HashMap<u32, Vec<(u32, CagePort)>> = HashMap::new();
        let mut nic_namers: Vec<(u32, PortNamer)> = Vec::new();
        for ((d1, d2), ls) in groups.iter_mut() {
            let Some(rs) = row_groups.get_mut(&(d1.as_str(), d2.as_str())) else {
                continue;
            };
            // The side to order by: a switch end (the first device's when both are switches).
            let side_of = |l: &PLink| -> ((u32, u32), (u32, u32)) {
                let a_first = nodes[l.a.0 as usize].device == *d1;
                let (first, second) = if a_first { (l.a, l.b) } else { (l.b, l.a) };
                if is_switch(first.0) || !is_switch(second.0) {
                    (first, second)
                } else {
                    (second, first)
                }
            };
            let by_first = ls.first().is_some_and(|&i| {
                let (s, _) = side_of(&links[i as usize]);
                nodes[s.0 as usize].device == *d1
            });
            ls.sort_by_key(|&i| side_of(&links[i as usize]).0.1);
            let row_side = |r: &CableRow| -> ((String, String), (String, String)) {
                let (x, y) = (
                    (r.a_device.clone(), r.a_port.clone()),
                    (r.b_device.clone(), r.b_port.clone()),
                );
                if (x.0 == *d1) == by_first { (x, y) } else { (y, x) }
            };
            rs.sort_by_key(|r| label_key(&row_side(r).0.1));
            for (&li, r) in ls.iter().zip(rs.iter()) {
                let l = &mut links[li as usize];
                l.cable = Some(r.label.clone());
                // `b` is the cable plan's upper-tier end (the leaf of a server link, the spine of a leaf link).
                if nodes[l.a.0 as usize].device == r.b_device && nodes[l.b.0 as usize].device != r.b_device {
                    std::mem::swap(&mut l.a, &mut l.b);
                }
                let (s, o) = side_of(l);
                let ((_, s_label), (_, o_label)) = row_side(r);
                for (end, label) in [(s, s_label), (o, o_label)] {
                    match label_key(&label) {
                        (n, 0) if n != u32::MAX => {
                            nic_namers.push((end.0, PortNamer::Nic(n.saturating_sub(end.1 - 1))));
                        }
                        (c, p) if c != u32::MAX => cage_pairs.entry(end.0).or_default().push((end.1, (c, p))),
                        _ => {}
                    }
                    labels.entry(end).or_insert(label);
                }
            }
        }
        for (n, namer) in nic_namers {
            nodes[n as usize].namer = namer;
        }
        // Links the cable plan does not label: the switch end is the upper one.
        for l in &mut links {
            if l.cable.is_none() && !switch_flags[l.b.0 as usize] && switch_flags[l.a.0 as usize] {
                std::mem::swap(&mut l.a, &mut l.b);
            }
        }
        // Ports per cage: from a labelled port beyond the first cage (port - 1 = (cage - 1) x n + sub - 1).
        let mut fabric_cage: Option<u32> = None;
        for (node, pairs) in &cage_pairs {
            if let Some(n) = pairs
                .iter()
                .find(|(_, (c, _))| *c > 1)
                .map(|(port, (c, p))| port.saturating_sub(*p) / (c - 1))
                .filter(|n| *n > 0)
            {
                nodes[*node as usize].namer = PortNamer::Cage(n);
                fabric_cage.get_or_insert(n);
            }
        }
        if let Some(n) = fabric_cage {
            for node in &mut nodes {
                if node.namer == PortNamer::Plain && is_switch_kind(node.kind) {
                    node.namer = PortNamer::Cage(n);
                }
            }
        }
        let mut by_desc = HashMap::new();
        let mut by_guid = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            by_desc.entry(n.desc.clone()).or_insert(i as u32);
            if let Some(g) = n.guid {
                by_guid.entry(g).or_insert(i as u32);
            }
            by_id.entry(n.id.clone()).or_insert(i as u32);
        }
        Self {
            nodes,
            links,
            by_end,
            labels,
            by_desc,
            by_guid,
            by_id,
            file: "ibnetdiscover.topo".to_string(),
            planes: Vec::new(),
        }
    }

    fn port_label(&self, node: u32, port: u32) -> String {
        if let Some(l) = self.labels.get(&(node, port)) {
            return l.clone();
        }
        match self.nodes[node as usize].namer {
            PortNamer::Cage(n) => format!("{}/{}", (port - 1) / n + 1, (port - 1) % n + 1),
            PortNamer::Nic(first) => format!("nic{}", first + port - 1),
            PortNamer::Plain => format!("port {port}"),
        }
    }

    fn end(&self, (node, port): (u32, u32)) -> FaultEnd {
        let n = &self.nodes[node as usize];
        FaultEnd {
            device: n.device.clone(),
            port: self.port_label(node, port),
            rack: n.rack.clone(),
            u: n.u,
            node: n.desc.clone(),
            ib_port: port,
        }
    }

    fn resolve(&self, n: &ibnet::TopoNode, ambiguous: &HashSet<&str>) -> Option<u32> {
        n.desc
            .as_ref()
            .filter(|d| !ambiguous.contains(d.as_str()))
            .and_then(|d| self.by_desc.get(d))
            .or_else(|| n.guid.and_then(|g| self.by_guid.get(&g)))
            .or_else(|| self.by_id.get(&n.id))
            .copied()
    }
}

fn is_switch_kind(k: Option<NodeKind>) -> bool {
    k == Some(NodeKind::Switch)
}

fn read_cables(input: impl Read, file: &str) -> Result<Vec<CableRow>, VerifyError> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let err = |line: u64, message: String| VerifyError::Cables {
        file: file.to_string(),
        line,
        message,
    };
    let headers = r.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| err(1, format!("no `{name}` column")))
    };
    let cols = [
        col("label")?,
        col("a_device")?,
        col("a_port")?,
        col("a_rack")?,
        col("a_u")?,
        col("b_device")?,
        col("b_port")?,
        col("b_rack")?,
        col("b_u")?,
    ];
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(cols[i]).unwrap_or("").trim_start_matches('\'').to_string();
        let u = |i: usize| {
            get(i)
                .parse::<u32>()
                .map_err(|_| err(line, format!("`{}` is not a rack unit", get(i))))
        };
        rows.push(CableRow {
            label: get(0),
            a_device: get(1),
            a_port: get(2),
            a_rack: get(3),
            a_u: u(4)?,
            b_device: get(5),
            b_port: get(6),
            b_rack: get(7),
            b_u: u(8)?,
        });
    }
    Ok(rows)
}

/// What is wrong with one link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// A planned link is not there.
    Missing,
    /// A link the plan does not have.
    Extra,
    /// A planned cable with one end on the wrong port or switch.
    Miswired,
    /// A planned link at the wrong width or lane speed.
    Speed,
}

impl FaultKind {
    /// `missing`, `extra`, `miswired` or `speed`.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Missing => "missing",
            FaultKind::Extra => "extra",
            FaultKind::Miswired => "miswired",
            FaultKind::Speed => "speed",
        }
    }
}

/// One end of a link in a fault: the device, its faceplate port, rack and U from the cable plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultEnd {
    /// Device name as in cables.csv (`srv12`, `leaf-su1-r3`), or the node description of a device the plan
    /// does not have.
    pub device: String,
    /// Faceplate port (`nic3`, `12/1`).
    pub port: String,
    /// Rack id (empty for a device the plan does not place).
    pub rack: String,
    /// Lowest U (0 when unknown).
    pub u: u32,
    /// The node description (`srv12 HCA-3`).
    pub node: String,
    /// The 1-based InfiniBand port number.
    pub ib_port: u32,
}

impl FaultEnd {
    fn place(&self) -> String {
        if self.rack.is_empty() {
            format!("{} {}", self.device, self.port)
        } else {
            format!("{} {} ({} U{})", self.device, self.port, self.rack, self.u)
        }
    }
}

/// One difference between the fabric as built and the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// What is wrong.
    pub kind: FaultKind,
    /// The planned cable's label (`C000123`); none for an extra link.
    pub cable: Option<String>,
    /// The planned link's ends (for `extra`: the link found).
    pub a: FaultEnd,
    /// The other end.
    pub b: FaultEnd,
    /// For `miswired`: where the cable's `b` end was found instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<FaultEnd>,
    /// For `speed`: the rate planned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_rate: Option<String>,
    /// For `speed`: the rate found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_rate: Option<String>,
    /// What to do, e.g. `move cable C000123 from leaf-su1-r3 1/2 (R01-05 U48) to leaf-su1-r2 2/1 (R01-05 U46)`.
    pub fix: String,
}

/// Options of [`verify_fabric`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Compare each link's width and lane speed with the plan's (default true). OpenSM's simulator `ibsim`
    /// brings every link up at 4xSDR, so a test against it turns this off.
    pub check_rate: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self { check_rate: true }
    }
}

/// `match` or `differs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyStatus {
    /// Every planned link is there, on its ports, at its rate, and nothing else.
    Match,
    /// Some fault was found.
    Differs,
}

/// The outcome of [`verify_fabric`].
#[derive(Debug, Clone, Serialize)]
pub struct FabricVerification {
    /// `match` or `differs`.
    pub status: VerifyStatus,
    /// Links in the plan.
    pub planned_links: usize,
    /// Distinct links in the input.
    pub observed_links: usize,
    /// Planned links found on their ports.
    pub matched_links: usize,
    /// Faults by kind.
    pub counts: BTreeMap<FaultKind, usize>,
    /// Every fault, missing first, then miswired, speed, extra; each kind in plan order.
    pub faults: Vec<Fault>,
    /// Lines of the input passed over (the first few, with their line).
    pub warnings: Vec<ibnet::Warning>,
    /// All lines passed over.
    pub warnings_total: u64,
    /// Input nodes the plan does not have (their links are extra).
    pub unknown_nodes: usize,
    /// The plan's topology file the input was checked against: `ibnetdiscover.topo`, or of a multi-plane plan
    /// the plane's `ibnetdiscover-pl<N>.topo` (the plane that knows most of the input's nodes).
    pub plan_file: String,
}

/// Compares an observed fabric with the plan: of a multi-plane plan, with the plane it belongs to (one subnet
/// is discovered at a time).
pub fn verify_fabric(plan: &PlannedFabric, seen: &Topology, opts: &VerifyOptions) -> FabricVerification {
    let plan = plan.plane_of(seen);
    // Observed node -> planned node, or an unknown node numbered past the plan's.
    let base = plan.nodes.len() as u32;
    // A description that two nodes of the input share (an unset node description, e.g. the HCA's default)
    // does not identify either: those match by GUID.
    let mut desc_count: HashMap<&str, u32> = HashMap::new();
    for n in &seen.nodes {
        if let Some(d) = &n.desc {
            *desc_count.entry(d.as_str()).or_insert(0) += 1;
        }
    }
    let ambiguous: HashSet<&str> = desc_count.into_iter().filter(|(_, c)| *c > 1).map(|(d, _)| d).collect();
    let mut unknown_nodes: Vec<u32> = Vec::new();
    let map: Vec<u32> = seen
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            plan.resolve(n, &ambiguous).unwrap_or_else(|| {
                unknown_nodes.push(i as u32);
                base + unknown_nodes.len() as u32 - 1
            })
        })
        .collect();
    let unknown = unknown_nodes.len() as u32;
    let unknown_end = |i: u32, port: u32| -> FaultEnd {
        let n = unknown_nodes.get((i - base) as usize).map(|&o| &seen.nodes[o as usize]);
        let name = n
            .and_then(|n| n.desc.clone())
            .or_else(|| n.map(|n| n.id.clone()))
            .unwrap_or_default();
        FaultEnd {
            device: name.clone(),
            port: format!("port {port}"),
            rack: String::new(),
            u: 0,
            node: name,
            ib_port: port,
        }
    };
    let end_of = |e: (u32, u32)| -> FaultEnd { if e.0 < base { plan.end(e) } else { unknown_end(e.0, e.1) } };
    // Observed links, once each, and each port's link (dense per node: no hashing on the hot path).
    let mut ends: Vec<Vec<u32>> = vec![Vec::new(); (base + unknown) as usize];
    const NONE: u32 = u32::MAX;
    let end_link = |ends: &Vec<Vec<u32>>, e: PortEnd| -> Option<u32> {
        ends.get(e.0 as usize)
            .and_then(|v| v.get(e.1 as usize))
            .copied()
            .filter(|&i| i != NONE)
    };
    let mut obs: Vec<(PortEnd, PortEnd, Option<Rate>)> = Vec::with_capacity(seen.ports.len() / 2);
    // A link is printed from both ends: the same two ends are one link. Two lines that claim one port for
    // different peers (a hand-edited or corrupt file) are two links; the port's first claim is the one matched.
    for p in &seen.ports {
        let a = (map[p.node as usize], p.port);
        let b = (map[p.peer as usize], p.peer_port);
        let same = |i: u32, obs: &Vec<(PortEnd, PortEnd, Option<Rate>)>| {
            let (x, y, _) = obs[i as usize];
            (x, y) == (a, b) || (x, y) == (b, a)
        };
        let dup = end_link(&ends, a)
            .filter(|&i| same(i, &obs))
            .or_else(|| end_link(&ends, b).filter(|&i| same(i, &obs)));
        if let Some(i) = dup {
            if obs[i as usize].2.is_none() {
                obs[i as usize].2 = p.rate;
            }
            continue;
        }
        let i = obs.len() as u32;
        for e in [a, b] {
            let v = &mut ends[e.0 as usize];
            if v.len() <= e.1 as usize {
                v.resize(e.1 as usize + 1, NONE);
            }
            if v[e.1 as usize] == NONE {
                v[e.1 as usize] = i;
            }
        }
        obs.push((a, b, p.rate));
    }
    let mut obs_used = vec![false; obs.len()];
    let mut planned_ok = vec![false; plan.links.len()];
    let mut faults: Vec<(FaultKind, usize, Fault)> = Vec::new();
    let mut matched = 0usize;
    for (oi, (a, b, rate)) in obs.iter().enumerate() {
        let Some(&li) = plan.by_end.get(a) else { continue };
        let l = &plan.links[li as usize];
        let other = if l.a == *a { l.b } else { l.a };
        if other != *b {
            continue;
        }
        obs_used[oi] = true;
        planned_ok[li as usize] = true;
        matched += 1;
        if opts.check_rate
            && let (Some(want), Some(got)) = (l.rate, rate)
            && want != *got
        {
            let (ea, eb) = (plan.end(l.a), plan.end(l.b));
            let cable = l.cable.clone().unwrap_or_else(|| "(unlabelled)".to_string());
            let fix = format!(
                "cable {cable} between {} and {} runs at {got}, the plan says {want}: reseat it, check both ports' speed and width settings, then replace the cable",
                ea.place(),
                eb.place()
            );
            faults.push((
                FaultKind::Speed,
                li as usize,
                Fault {
                    kind: FaultKind::Speed,
                    cable: l.cable.clone(),
                    a: ea,
                    b: eb,
                    found: None,
                    expected_rate: Some(want.to_string()),
                    observed_rate: Some(got.to_string()),
                    fix,
                },
            ));
        }
    }
    // Missing planned links: one end still on its planned port with the other elsewhere is a miswire.
    for (li, l) in plan.links.iter().enumerate() {
        if planned_ok[li] {
            continue;
        }
        let cable = l.cable.clone();
        let name = cable.clone().unwrap_or_else(|| "(unlabelled)".to_string());
        let mut wired = None;
        // The upper-tier end first: when both ends hold a wrong cable (two cables swapped), the fix moves the
        // lower ends (at the servers for server links, where rail swaps happen).
        for (keep, want) in [(l.b, l.a), (l.a, l.b)] {
            if let Some(oi) = end_link(&ends, keep)
                && !obs_used[oi as usize]
            {
                let (x, y, _) = obs[oi as usize];
                let found = if x == keep { y } else { x };
                obs_used[oi as usize] = true;
                wired = Some((keep, want, found));
                break;
            }
        }
        let fault = match wired {
            Some((keep, want, found)) => {
                let (ek, ew, ef) = (plan.end(keep), plan.end(want), end_of(found));
                let fix = format!(
                    "move cable {name} (at {}) from {} to {}",
                    ek.place(),
                    ef.place(),
                    ew.place()
                );
                Fault {
                    kind: FaultKind::Miswired,
                    cable,
                    a: ek,
                    b: ew,
                    found: Some(ef),
                    expected_rate: None,
                    observed_rate: None,
                    fix,
                }
            }
            None => {
                let (ea, eb) = (plan.end(l.a), plan.end(l.b));
                let fix = format!(
                    "connect cable {name} from {} to {} (check both ends: nothing is on either port)",
                    ea.place(),
                    eb.place()
                );
                Fault {
                    kind: FaultKind::Missing,
                    cable,
                    a: ea,
                    b: eb,
                    found: None,
                    expected_rate: None,
                    observed_rate: None,
                    fix,
                }
            }
        };
        faults.push((fault.kind, li, fault));
    }
    let mut unknown_seen: HashSet<u32> = HashSet::new();
    for (oi, (a, b, _)) in obs.iter().enumerate() {
        if obs_used[oi] {
            continue;
        }
        for e in [a, b] {
            if e.0 >= base {
                unknown_seen.insert(e.0);
            }
        }
        let (ea, eb) = (end_of(*a), end_of(*b));
        let fix = format!(
            "remove the cable between {} and {}: the plan has no link there",
            ea.place(),
            eb.place()
        );
        faults.push((
            FaultKind::Extra,
            plan.links.len() + oi,
            Fault {
                kind: FaultKind::Extra,
                cable: None,
                a: ea,
                b: eb,
                found: None,
                expected_rate: None,
                observed_rate: None,
                fix,
            },
        ));
    }
    faults.sort_by_key(|(k, i, _)| (*k, *i));
    let mut counts = BTreeMap::new();
    for (k, _, _) in &faults {
        *counts.entry(*k).or_insert(0) += 1;
    }
    let faults: Vec<Fault> = faults.into_iter().map(|(_, _, f)| f).collect();
    FabricVerification {
        status: if faults.is_empty() {
            VerifyStatus::Match
        } else {
            VerifyStatus::Differs
        },
        planned_links: plan.links.len(),
        observed_links: obs.len(),
        matched_links: matched,
        counts,
        faults,
        warnings: seen.warnings.clone(),
        warnings_total: seen.warnings_total,
        unknown_nodes: unknown as usize,
        plan_file: plan.file.clone(),
    }
}

impl FabricVerification {
    /// The JSON `gigapod verify --format json` prints (docs/contract.md).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("schema_version".into(), "1".into());
            o.insert("input".into(), "ibnetdiscover".into());
        }
        v
    }

    /// The text `gigapod verify` prints: a summary line, then one line per fault with its fix.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let counts = self
            .counts
            .iter()
            .map(|(k, n)| format!("{n} {}", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            s,
            "verify  {}: {} planned links, {} found, {} on their ports{}",
            match self.status {
                VerifyStatus::Match => "match",
                VerifyStatus::Differs => "differs",
            },
            self.planned_links,
            self.observed_links,
            self.matched_links,
            if counts.is_empty() {
                String::new()
            } else {
                format!("; {counts}")
            }
        );
        for f in &self.faults {
            let _ = writeln!(
                s,
                "  {:<8} {}: {}",
                f.kind.as_str(),
                f.cable.as_deref().unwrap_or("-"),
                gigapod_catalog::diagnostic::printable(&f.fix)
            );
        }
        if self.warnings_total > 0 {
            let _ = writeln!(s, "  input: {} lines passed over", self.warnings_total);
            for w in &self.warnings {
                let _ = writeln!(s, "    line {}: {}", w.line, w.message);
            }
        }
        s
    }
}

/// Reads the observed file (a path) and verifies it against the plan folder.
pub fn verify_ibnetdiscover_file(
    plan: &PlannedFabric,
    file: &std::path::Path,
    opts: &VerifyOptions,
) -> Result<FabricVerification, VerifyError> {
    let name = file.display().to_string();
    let seen = ibnet::read(open_text(file)?).map_err(|source| VerifyError::Topology { file: name, source })?;
    Ok(verify_fabric(plan, &seen, opts))
}

/// Reads an observed topology from any reader.
pub fn read_topology(input: impl BufRead, name: &str) -> Result<Topology, VerifyError> {
    ibnet::read(input).map_err(|source| VerifyError::Topology {
        file: name.to_string(),
        source,
    })
}
