//! `gigapod verify PLAN_DIR --nvidia-smi-topo FILE --server NAME`: the matrix `nvidia-smi topo -m` prints on
//! one server, against the catalog internals (`[[board]]`) of the plan's server type.
//!
//! The matrix has a header of device columns (`GPU0 ... GPU7 NIC0 ... NIC9 CPU Affinity NUMA Affinity GPU NUMA
//! ID`), one row per GPU and NIC, then a `Legend:` and a `NIC Legend:` (`NIC0: mlx5_0`). Each GPU-NIC cell is
//! the path between them: `PIX` (one PCIe switch), `PXB` (several switches, no host bridge), `PHB` (through the
//! CPU's host bridge), `NODE` (host bridges of one NUMA node), `SYS` (across the socket interconnect); GPU-GPU
//! cells are `NV#` over NVLink. Older drivers name NIC columns `mlx5_0` directly; both read.
//!
//! Checks:
//! - **NIC affinity**: every GPU has a NIC at `PIX` or `PXB` (its rail NIC under its PCIe switch, as the board
//!   says), else GPUDirect RDMA crosses the CPU;
//! - **NUMA affinity**: each GPU's NUMA node is the socket of its PCIe switch in the catalog, and the GPUs per
//!   NUMA node are as many as the catalog puts on each socket;
//! - **GPU count**: as many GPU rows as the catalog server has GPUs.

use super::VerifyError;
use gigapod_catalog::{Board, Catalog, Server};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::BufRead;

/// A GPU-NIC or GPU-GPU path in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Path {
    /// The device itself.
    X,
    /// NVLink with this many links.
    Nv(u32),
    /// One PCIe switch.
    Pix,
    /// Several PCIe switches, no host bridge.
    Pxb,
    /// Through a PCIe host bridge.
    Phb,
    /// Host bridges within one NUMA node.
    Node,
    /// Across the socket interconnect.
    Sys,
}

impl Path {
    fn parse(s: &str) -> Option<Path> {
        Some(match s {
            "X" => Path::X,
            "PIX" => Path::Pix,
            "PXB" => Path::Pxb,
            "PHB" => Path::Phb,
            "NODE" => Path::Node,
            "SYS" | "SOC" => Path::Sys,
            _ => Path::Nv(s.strip_prefix("NV")?.parse().ok()?),
        })
    }

    /// `PIX`, `NODE`, ...
    pub fn name(self) -> String {
        match self {
            Path::X => "X".into(),
            Path::Nv(n) => format!("NV{n}"),
            Path::Pix => "PIX".into(),
            Path::Pxb => "PXB".into(),
            Path::Phb => "PHB".into(),
            Path::Node => "NODE".into(),
            Path::Sys => "SYS".into(),
        }
    }
}

/// One GPU row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuRow {
    /// `GPU3`.
    pub name: String,
    /// The path to each NIC column, in column order.
    pub nics: Vec<Path>,
    /// The `CPU Affinity` cell (`0-55,112-167`).
    pub cpu_affinity: Option<String>,
    /// The `NUMA Affinity` cell.
    pub numa: Option<u32>,
}

/// The matrix, read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmiTopology {
    /// The GPU rows, in order.
    pub gpus: Vec<GpuRow>,
    /// The NIC columns (`NIC0`, or `mlx5_0` on older drivers), with their legend name when given.
    pub nics: Vec<String>,
}

/// Strips ANSI escapes (nvidia-smi underlines the header on a terminal).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The header's columns: tab-separated, or by words with the three two- and three-word names joined.
fn columns(line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let two = words.get(i + 1).map(|n| format!("{w} {n}"));
        match two.as_deref() {
            Some("CPU Affinity") | Some("NUMA Affinity") => {
                out.push(two.unwrap_or_default());
                i += 2;
            }
            Some("GPU NUMA") if words.get(i + 2) == Some(&"ID") => {
                out.push("GPU NUMA ID".into());
                i += 3;
            }
            _ => {
                out.push(w.to_string());
                i += 1;
            }
        }
    }
    out
}

fn is_nic(col: &str) -> bool {
    col.starts_with("NIC") || col.starts_with("mlx") || col.starts_with("bnxt") || col.starts_with("ib")
}

/// Reads `nvidia-smi topo -m` output.
pub fn read(input: impl BufRead, file: &str) -> Result<SmiTopology, VerifyError> {
    let err = |line: u64, message: String| VerifyError::Smi {
        file: file.to_string(),
        line,
        message,
    };
    let mut header: Option<Vec<String>> = None;
    let mut gpus = Vec::new();
    let mut legend: BTreeMap<String, String> = BTreeMap::new();
    let mut in_legend = false;
    let mut n = 0u64;
    for line in input.lines() {
        n += 1;
        let line = line.map_err(|e| err(n, format!("cannot read: {e}")))?;
        if line.len() > super::ibnet::MAX_LINE {
            return Err(err(
                n,
                "a line longer than 64 KiB: this is not nvidia-smi output".into(),
            ));
        }
        let line = strip_ansi(&line);
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t.starts_with("Legend") || t.starts_with("NIC Legend") {
            in_legend = true;
            continue;
        }
        if in_legend {
            if let Some((k, v)) = t.split_once(':')
                && is_nic(k.trim())
            {
                legend.insert(k.trim().to_string(), v.trim().to_string());
            }
            continue;
        }
        let Some(cols) = &header else {
            if t.contains("GPU0") {
                header = Some(columns(t));
            }
            continue;
        };
        let cells: Vec<&str> = t.split_whitespace().collect();
        let Some(&name) = cells.first() else { continue };
        if !name.starts_with("GPU") {
            continue;
        }
        let mut row = GpuRow {
            name: name.to_string(),
            nics: Vec::new(),
            cpu_affinity: None,
            numa: None,
        };
        for (c, col) in cols.iter().enumerate() {
            let Some(cell) = cells.get(c + 1) else { break };
            if is_nic(col) {
                row.nics.push(Path::parse(cell).ok_or_else(|| {
                    err(
                        n,
                        format!("`{cell}` in column {col} is not a path (PIX, PXB, PHB, NODE, SYS)"),
                    )
                })?);
            } else if col == "CPU Affinity" {
                row.cpu_affinity = Some(cell.to_string());
            } else if col == "NUMA Affinity" {
                row.numa = cell.parse().ok();
            } else if col.starts_with("GPU") && col != "GPU NUMA ID" && Path::parse(cell).is_none() {
                return Err(err(
                    n,
                    format!("`{cell}` in column {col} is not a path (X, NV#, PIX, ...)"),
                ));
            }
        }
        gpus.push(row);
    }
    let Some(cols) = header else {
        return Err(err(
            0,
            format!("{n} lines and no header with GPU0: this is not `nvidia-smi topo -m` output"),
        ));
    };
    if gpus.is_empty() {
        return Err(err(0, "a header but no GPU row".into()));
    }
    let nics = cols
        .iter()
        .filter(|c| is_nic(c))
        .map(|c| match legend.get(c) {
            Some(l) => format!("{c} ({l})"),
            None => c.clone(),
        })
        .collect();
    Ok(SmiTopology { gpus, nics })
}

/// One difference between the matrix and the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmiFault {
    /// `nic_affinity`, `numa` or `gpu_count`.
    pub kind: &'static str,
    /// The GPU (`GPU3`), when one.
    pub gpu: Option<String>,
    /// What is wrong and the fix.
    pub message: String,
}

/// The outcome for one server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmiVerification {
    /// The server name given.
    pub server: String,
    /// Its catalog type.
    pub server_type: String,
    /// Its board.
    pub board: String,
    /// GPUs in the matrix.
    pub gpus: usize,
    /// NICs in the matrix.
    pub nics: usize,
    /// Each GPU's nearest NIC path, in GPU order.
    pub nearest_nic: Vec<String>,
    /// Every fault.
    pub faults: Vec<SmiFault>,
    /// The catalog figures the expectation rests on that are estimates.
    pub estimated: Vec<String>,
}

/// Checks a matrix against a server type's board.
pub fn verify_topology(name: &str, server: &Server, board: &Board, topo: &SmiTopology) -> SmiVerification {
    let mut faults = Vec::new();
    let want = server.gpu_count.value as usize;
    if topo.gpus.len() != want {
        faults.push(SmiFault {
            kind: "gpu_count",
            gpu: None,
            message: format!(
                "{name}: the matrix has {} GPUs, {} has {want}; fix: check that every GPU is seated and visible (`nvidia-smi -L`)",
                topo.gpus.len(),
                server.id
            ),
        });
    }
    // The catalog: switch and socket of each GPU.
    let mut gpu_switch: BTreeMap<u32, (&str, u32, bool)> = BTreeMap::new();
    for sw in &board.pcie_switches.value {
        let has_nic = !sw.fabric_nics.is_empty();
        for &g in &sw.gpus {
            gpu_switch.insert(g, (sw.name.as_str(), sw.socket, has_nic));
        }
    }
    let mut nearest = Vec::new();
    for (i, g) in topo.gpus.iter().enumerate() {
        let best = g.nics.iter().copied().filter(|p| *p != Path::X).min();
        nearest.push(best.map_or("none".to_string(), Path::name));
        let Some(&(sw, socket, has_nic)) = gpu_switch.get(&(i as u32)) else {
            continue;
        };
        if has_nic && !board.integrated_fabric {
            match best {
                Some(Path::Pix | Path::Pxb) => {}
                Some(p) => {
                    let at = g.nics.iter().position(|q| *q == p).and_then(|c| topo.nics.get(c)).cloned().unwrap_or_default();
                    faults.push(SmiFault {
                        kind: "nic_affinity",
                        gpu: Some(g.name.clone()),
                        message: format!(
                            "{name}: {}'s nearest NIC is {at} at {} ({}): its rail NIC is not under its PCIe switch ({sw} in board {}), so GPUDirect RDMA crosses the CPU; fix: put rail NIC {i} in a slot under {sw} (check the riser and the slot's bifurcation)",
                            g.name,
                            p.name(),
                            match p {
                                Path::Phb => "through the host bridge",
                                Path::Node => "another host bridge of the socket",
                                _ => "across the sockets",
                            },
                            board.id
                        ),
                    });
                }
                None => faults.push(SmiFault {
                    kind: "nic_affinity",
                    gpu: Some(g.name.clone()),
                    message: format!(
                        "{name}: the matrix shows no NIC for {}; fix: check that the rail NICs are seated and their driver loaded (`ibstat`)",
                        g.name
                    ),
                }),
            }
        }
        if let Some(numa) = g.numa
            && numa != socket
            && board.numa_nodes.value > 1
        {
            faults.push(SmiFault {
                kind: "numa",
                gpu: Some(g.name.clone()),
                message: format!(
                    "{name}: {} is on NUMA node {numa}, the catalog puts it on socket {socket} (under {sw}); fix: check the GPU board's cabling to the sockets, or the BIOS NUMA-per-socket setting (NPS1 / SNC off)",
                    g.name
                ),
            });
        }
    }
    let mut estimated = Vec::new();
    if board.pcie_switches.estimate {
        estimated.push(format!("board {} pcie_switches", board.id));
    }
    SmiVerification {
        server: name.to_string(),
        server_type: server.id.to_string(),
        board: board.id.to_string(),
        gpus: topo.gpus.len(),
        nics: topo.nics.len(),
        nearest_nic: nearest,
        faults,
        estimated,
    }
}

impl SmiVerification {
    /// The JSON `verify --format json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("schema_version".into(), "1".into());
            o.insert("input".into(), "nvidia-smi-topo".into());
            o.insert(
                "status".into(),
                if self.faults.is_empty() { "match" } else { "differs" }.into(),
            );
        }
        v
    }

    /// The text `verify` prints.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "verify  {}: {} ({}, board {}): {} GPUs, {} NICs; nearest NIC per GPU: {}\n",
            if self.faults.is_empty() { "match" } else { "differs" },
            self.server,
            self.server_type,
            self.board,
            self.gpus,
            self.nics,
            self.nearest_nic.join(" ")
        );
        for f in &self.faults {
            s.push_str(&format!("  {:<12} {}\n", f.kind, f.message));
        }
        if !self.estimated.is_empty() {
            s.push_str(&format!(
                "  the expectation rests on estimated catalog figures: {}\n",
                self.estimated.join(", ")
            ));
        }
        s
    }
}

/// Reads the plan folder's server type (report.json `compute.server_id`), checks that `server` is one of its
/// servers (`srv1` ... `srvN`), and verifies the matrix in `file`.
pub fn verify_dir(
    dir: &std::path::Path,
    file: &std::path::Path,
    server: &str,
    catalog: &Catalog,
) -> Result<SmiVerification, VerifyError> {
    let report_path = dir.join("report.json");
    let rname = report_path.display().to_string();
    let text = std::fs::read_to_string(&report_path).map_err(|source| VerifyError::Open {
        file: rname.clone(),
        source,
    })?;
    let report: serde_json::Value = serde_json::from_str(&text).map_err(|e| VerifyError::Cables {
        file: rname.clone(),
        line: e.line() as u64,
        message: format!("not JSON: {e}"),
    })?;
    let compute = &report["compute"];
    let (Some(type_id), Some(count)) = (compute["server_id"].as_str(), compute["servers"].as_u64()) else {
        return Err(VerifyError::Cables {
            file: rname,
            line: 0,
            message: "no compute.server_id / compute.servers".into(),
        });
    };
    let index: Option<u64> = server.strip_prefix("srv").and_then(|n| n.parse().ok());
    if !index.is_some_and(|i| (1..=count).contains(&i)) {
        return Err(VerifyError::Plan(format!(
            "`{server}` is not a server of this plan: its servers are srv1 ... srv{count}"
        )));
    }
    let srv = catalog
        .server(type_id)
        .ok_or_else(|| VerifyError::Plan(format!("the plan's server type `{type_id}` is not in the catalog")))?;
    let board = srv
        .board
        .as_ref()
        .and_then(|b| catalog.board(b.as_str()))
        .ok_or_else(|| {
            VerifyError::Plan(format!(
                "`{type_id}` has no internals (`board`) in the catalog to check against"
            ))
        })?;
    let fname = file.display().to_string();
    let f = std::fs::File::open(file).map_err(|source| VerifyError::Open {
        file: fname.clone(),
        source,
    })?;
    let topo = read(std::io::BufReader::new(f), &fname)?;
    Ok(verify_topology(server, srv, board, &topo))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A G593-style matrix (two GPUs and their rail NICs per switch), as nvidia-smi prints it with tabs.
    fn matrix(numa_of_gpu3: u32, gpu3_nic: &str) -> String {
        let mut s = String::from(
            "\t\u{1b}[4mGPU0\tGPU1\tGPU2\tGPU3\tGPU4\tGPU5\tGPU6\tGPU7\tNIC0\tNIC1\tNIC2\tNIC3\tNIC4\tNIC5\tNIC6\tNIC7\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\u{1b}[0m\n",
        );
        for g in 0..8u32 {
            let mut row = format!("GPU{g}");
            for h in 0..8u32 {
                row.push_str(if g == h { "\t X " } else { "\tNV18" });
            }
            for n in 0..8u32 {
                let cell = if g == 3 && n == 3 {
                    gpu3_nic.to_string()
                } else if n / 2 == g / 2 {
                    "PIX".into()
                } else if n / 4 == g / 4 {
                    "NODE".into()
                } else {
                    "SYS".into()
                };
                row.push('\t');
                row.push_str(&cell);
            }
            let numa = if g == 3 { numa_of_gpu3 } else { g / 4 };
            row.push_str(&format!(
                "\t{}\t{numa}\t\tN/A\n",
                if g < 4 { "0-55,112-167" } else { "56-111,168-223" }
            ));
            s.push_str(&row);
        }
        s.push_str("\nLegend:\n\n  X    = Self\n  SYS  = Connection traversing PCIe as well as the SMP interconnect between NUMA nodes (e.g., QPI/UPI)\n  PIX  = Connection traversing at most a single PCIe bridge\n\nNIC Legend:\n\n  NIC0: mlx5_0\n  NIC1: mlx5_1\n");
        s
    }

    fn g593() -> (&'static Server, &'static Board) {
        let cat = Catalog::builtin();
        let s = cat.server("g593-h200").unwrap();
        (s, cat.board(s.board.as_ref().unwrap().as_str()).unwrap())
    }

    #[test]
    fn a_g593_matrix_matches_its_board() {
        let t = read(matrix(0, "PIX").as_bytes(), "m.txt").unwrap();
        assert_eq!(t.gpus.len(), 8);
        assert_eq!(t.nics.len(), 8);
        assert_eq!(t.nics[0], "NIC0 (mlx5_0)");
        assert_eq!(t.gpus[5].numa, Some(1));
        assert_eq!(t.gpus[5].cpu_affinity.as_deref(), Some("56-111,168-223"));
        let (s, b) = g593();
        let v = verify_topology("srv7", s, b, &t);
        assert!(v.faults.is_empty(), "{}", v.to_text());
        assert_eq!(v.nearest_nic, vec!["PIX"; 8]);
    }

    #[test]
    fn a_gpu_whose_nic_is_across_the_socket_and_on_the_wrong_numa_node_is_reported() {
        // GPU3's two PIX NICs (NIC2, NIC3) are gone from its switch: NIC3 shows SYS, NIC2 NODE; and GPU3
        // reports NUMA node 1 where the board puts it on socket 0.
        let mut text = matrix(1, "SYS");
        let row = text.lines().find(|l| l.starts_with("GPU3")).unwrap().to_string();
        let mut cells: Vec<&str> = row.split('\t').collect();
        cells[1 + 8 + 2] = "NODE";
        text = text.replace(&row, &cells.join("\t"));
        let t = read(text.as_bytes(), "m.txt").unwrap();
        let (s, b) = g593();
        let v = verify_topology("srv7", s, b, &t);
        assert_eq!(v.faults.len(), 2, "{}", v.to_text());
        assert_eq!(v.faults[0].kind, "nic_affinity");
        assert!(
            v.faults[0]
                .message
                .starts_with("srv7: GPU3's nearest NIC is NIC0 (mlx5_0) at NODE (another host bridge of the socket)"),
            "{}",
            v.faults[0].message
        );
        assert!(v.faults[0].message.contains("fix: put rail NIC 3 in a slot under PEX1"));
        assert_eq!(v.faults[1].kind, "numa");
        assert!(
            v.faults[1]
                .message
                .contains("GPU3 is on NUMA node 1, the catalog puts it on socket 0 (under PEX1)")
        );
    }

    #[test]
    fn not_a_matrix_is_an_error_with_the_line() {
        let e = read(&b"hello\nworld\n"[..], "m.txt").unwrap_err();
        assert!(e.to_string().contains("no header with GPU0"), "{e}");
        let e = read(&b"\tGPU0\tNIC0\nGPU0\t X \tFAST\n"[..], "m.txt").unwrap_err();
        assert!(e.to_string().starts_with("m.txt: line 2: `FAST` in column NIC0"), "{e}");
    }
}
