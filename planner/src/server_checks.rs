//! The pre-deployment checklist of one server type against its catalog internals (`[[board]]`,
//! gigapod-design.md "Checks a deployment must pass"): PCIe topology, NUMA alignment, NIC links, storage I/O per
//! GPU and the IOMMU for passthrough. Each verdict names the server type, the device and the fix.
//!
//! | id | fails when |
//! |---|---|
//! | `server.board` | the server names no board, or the board lists a GPU or NIC twice, not at all, or on a socket it lacks |
//! | `server.gpu_link` | a GPU's link is narrower than x16 or of an older generation than the GPU is built for |
//! | `server.rail_affinity` | GPU i and its rail NIC i are not under one PCIe switch (GPUDirect RDMA crosses the CPU) |
//! | `server.numa_balance` | the GPUs are not spread evenly over the CPU sockets |
//! | `server.nic_pcie` | a fabric NIC's ports carry more than its PCIe link (400G needs Gen5 x16; 800G Gen6 x16 or Socket Direct) |
//! | `server.storage_bandwidth` | the storage NICs (capped by their PCIe links) give less per GPU than the storage target |
//! | `server.iommu` | passthrough is chosen and the platform has no IOMMU |

use crate::check::Check;
use gigapod_catalog::{Board, Catalog, Nic, PcieLink, Server};

/// What the checks need beyond the catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServerCheckInputs {
    /// The storage read target per node, GB/s (`storage.target`, RA Table 6); `None`: no storage check.
    pub storage_gb_per_s_per_node: Option<f64>,
    /// Whether GPUs are passed through to VMs (the IOMMU check runs only then).
    pub passthrough: bool,
}

/// Where each device hangs: (switch index, socket) per GPU, fabric NIC and storage NIC.
struct Placement {
    gpu: Vec<Option<usize>>,
    nic: Vec<Option<usize>>,
    storage: Vec<Option<usize>>,
    problems: Vec<String>,
}

fn place(server: &Server, board: &Board) -> Placement {
    let gpus = server.gpu_count.value as usize;
    let nics = if board.integrated_fabric {
        0
    } else {
        server.fabric_nic_count.value as usize
    };
    let storage = server.storage_nic_count.as_ref().map_or(0, |c| c.value as usize);
    let mut p = Placement {
        gpu: vec![None; gpus],
        nic: vec![None; nics],
        storage: vec![None; storage],
        problems: Vec::new(),
    };
    for (si, sw) in board.pcie_switches.value.iter().enumerate() {
        if sw.socket >= board.numa_nodes.value {
            p.problems.push(format!(
                "{} goes up to socket {} of {}",
                sw.name, sw.socket, board.numa_nodes.value
            ));
        }
        for (what, list, slots) in [
            ("GPU", &sw.gpus, &mut p.gpu),
            ("fabric NIC", &sw.fabric_nics, &mut p.nic),
            ("storage NIC", &sw.storage_nics, &mut p.storage),
        ] {
            for &d in list {
                match slots.get_mut(d as usize) {
                    Some(slot @ None) => *slot = Some(si),
                    Some(Some(_)) => p.problems.push(format!("{what} {d} is listed under two switches")),
                    None => p.problems.push(format!(
                        "{} lists {what} {d}, but the server has {}",
                        sw.name,
                        slots.len()
                    )),
                }
            }
        }
    }
    for (what, slots) in [("GPU", &p.gpu), ("fabric NIC", &p.nic)] {
        let missing: Vec<String> = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| i.to_string())
            .collect();
        if !missing.is_empty() {
            p.problems
                .push(format!("{what} {} under no PCIe switch", missing.join(", ")));
        }
    }
    p
}

fn link_text(l: &PcieLink) -> String {
    format!("Gen{} x{} ({:.0} Gb/s)", l.generation, l.lanes, l.gbps())
}

/// The lesser of two links, lane by lane and generation by generation (a card in a slot trains to both).
fn min_link(a: PcieLink, b: Option<PcieLink>) -> PcieLink {
    match b {
        Some(b) => PcieLink {
            generation: a.generation.min(b.generation),
            lanes: a.lanes.min(b.lanes),
        },
        None => a,
    }
}

fn nic_gbps(nic: &Nic) -> f64 {
    f64::from(nic.ports.value) * nic.port_speed_gbps.value.0 as f64
}

/// Every check of one server type; `catalog` gives its board, GPU and NICs.
pub fn server_checks(catalog: &Catalog, server: &Server, inputs: &ServerCheckInputs) -> Vec<Check> {
    let id = server.id.as_str();
    let Some(board) = server.board.as_ref().and_then(|b| catalog.board(b.as_str())) else {
        return vec![Check::warn(
            "server.board",
            format!(
                "{id}: the catalog has no internals for this server (no `board`), so its PCIe, NUMA and IOMMU checks did not run; fix: add a [[board]] and name it with `board =` (docs/catalog.md)"
            ),
        )];
    };
    let bid = board.id.as_str();
    let mut est: Vec<String> = Vec::new();
    let mut note_est = |name: &str, e: bool| {
        if e && !est.iter().any(|x| x == name) {
            est.push(name.to_string());
        }
    };
    note_est(&format!("board {bid} pcie_switches"), board.pcie_switches.estimate);
    let topo_est = est.clone();
    let p = place(server, board);
    let mut out = Vec::new();
    if !p.problems.is_empty() {
        out.push(Check::fail(
            "server.board",
            format!(
                "{id} (board {bid}): {}; fix: list every GPU and fabric NIC under exactly one switch of an existing socket",
                p.problems.join("; ")
            ),
        ));
        return out;
    }
    let switch = |i: usize| &board.pcie_switches.value[i];
    // GPU links.
    let gpu = catalog.gpu(server.gpu.as_str());
    let want = gpu.and_then(|g| g.pcie.as_ref());
    let have = board.gpu_link.value;
    let mut gpu_est = topo_est.clone();
    if board.gpu_link.estimate {
        gpu_est.push(format!("board {bid} gpu_link"));
    }
    if want.is_some_and(|w| w.estimate) {
        gpu_est.push(format!("gpu {} pcie", server.gpu));
    }
    let mut bad = Vec::new();
    for (g, sw) in p.gpu.iter().enumerate() {
        let sw = switch(sw.unwrap_or(0));
        let generation = have.generation.min(sw.generation);
        let wanted = want.map_or(have.generation, |w| w.value.generation);
        if have.lanes < 16 || generation < wanted {
            bad.push(format!(
                "GPU {g} under {} at Gen{generation} x{} (wants Gen{wanted} x16)",
                sw.name, have.lanes
            ));
        }
    }
    out.push(
        if bad.is_empty() {
            Check::pass(
                "server.gpu_link",
                format!(
                    "{id}: all {} GPUs on x16 at Gen{} or better, as {} is built for",
                    p.gpu.len(),
                    want.map_or(have.generation, |w| w.value.generation),
                    server.gpu
                ),
            )
        } else {
            Check::fail(
                "server.gpu_link",
                format!(
                    "{id} (board {bid}): {}; fix: seat each GPU on a x16 link of its generation (a switch or root port of Gen{} or newer)",
                    bad.join("; "),
                    want.map_or(have.generation, |w| w.value.generation)
                ),
            )
        }
        .resting_on(gpu_est),
    );
    // Rail NIC beside its GPU.
    if board.integrated_fabric {
        out.push(
            Check::pass(
                "server.rail_affinity",
                format!(
                    "{id}: the scale-out ports are on the accelerators themselves (no NIC, no PCIe hop on the rail)"
                ),
            )
            .resting_on(topo_est.clone()),
        );
    } else {
        let mut bad = Vec::new();
        for (rail, nic_sw) in p.nic.iter().enumerate() {
            let (Some(Some(g)), Some(n)) = (p.gpu.get(rail), nic_sw) else {
                continue;
            };
            if g != n {
                let better = p
                    .nic
                    .iter()
                    .position(|x| *x == Some(*g))
                    .map(|o| format!(" (or swap it with NIC {o})"))
                    .unwrap_or_default();
                bad.push(format!(
                    "fabric NIC {rail} (rail {}) is under {} but GPU {rail} under {}: GPUDirect RDMA crosses the CPU; fix: move NIC {rail} to a slot under {}{better}",
                    rail + 1,
                    switch(*n).name,
                    switch(*g).name,
                    switch(*g).name
                ));
            }
        }
        let rails = p.nic.len().min(p.gpu.len());
        out.push(
            if bad.is_empty() {
                Check::pass(
                    "server.rail_affinity",
                    format!("{id}: each of the {rails} GPUs shares a PCIe switch with its rail NIC (GPUDirect RDMA without crossing the CPU)"),
                )
            } else {
                Check::fail("server.rail_affinity", format!("{id} (board {bid}): {}", bad.join("; ")))
            }
            .resting_on(topo_est.clone()),
        );
    }
    // NUMA balance.
    let sockets = board.numa_nodes.value.max(1) as usize;
    let mut per = vec![0usize; sockets];
    for g in p.gpu.iter().flatten() {
        per[(switch(*g).socket as usize).min(sockets - 1)] += 1;
    }
    let (lo, hi) = (
        per.iter().copied().min().unwrap_or(0),
        per.iter().copied().max().unwrap_or(0),
    );
    let spread = per
        .iter()
        .enumerate()
        .map(|(s, n)| format!("socket {s}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut numa_est = topo_est.clone();
    if board.numa_nodes.estimate {
        numa_est.push(format!("board {bid} numa_nodes"));
    }
    out.push(
        if hi - lo <= usize::from(!p.gpu.len().is_multiple_of(sockets)) {
            Check::pass("server.numa_balance", format!("{id}: GPUs balanced across NUMA nodes ({spread})"))
        } else {
            Check::fail(
                "server.numa_balance",
                format!(
                    "{id} (board {bid}): GPUs unbalanced across NUMA nodes ({spread}): jobs pinned to the fuller socket cross the socket link; fix: move {} GPU(s) to switches of the other socket",
                    (hi - lo) / 2
                ),
            )
        }
        .resting_on(numa_est),
    );
    // NIC bandwidth within its PCIe link.
    let nic = catalog.nic(server.fabric_nic.as_str());
    if board.integrated_fabric {
        out.push(Check::pass(
            "server.nic_pcie",
            format!("{id}: the fabric ports are on the accelerators: no NIC PCIe link to size"),
        ));
    } else if let Some(nic) = nic {
        let need = nic_gbps(nic);
        let slot = board.nic_slot.value;
        let card = nic.pcie.as_ref().map(|l| l.value);
        let link = min_link(slot, card);
        let direct = board.nic_socket_direct.as_ref().is_some_and(|d| d.value);
        let have = link.gbps() * if direct { 2.0 } else { 1.0 };
        let mut e = Vec::new();
        if board.nic_slot.estimate {
            e.push(format!("board {bid} nic_slot"));
        }
        if nic.pcie.as_ref().is_some_and(|l| l.estimate) {
            e.push(format!("nic {} pcie", nic.id));
        }
        let how = if direct {
            format!("Socket Direct 2x {}", link_text(&link))
        } else {
            link_text(&link)
        };
        out.push(
            if have + 1e-9 >= need {
                Check::pass(
                    "server.nic_pcie",
                    format!("{id}: each {} ({need:.0} Gb/s) fits its {how}", nic.id),
                )
            } else {
                let gen5_x16 = PcieLink { generation: 5, lanes: 16 };
                let fix = if need > gen5_x16.gbps() {
                    "a Gen6 x16 slot or Socket Direct (2x Gen5 x16)"
                } else {
                    "a Gen5 x16 slot"
                };
                Check::fail(
                    "server.nic_pcie",
                    format!(
                        "{id} (board {bid}): each fabric NIC {} carries {need:.0} Gb/s but its link is {how}: the NIC cannot run at line rate; fix: {fix}",
                        nic.id
                    ),
                )
            }
            .resting_on(e),
        );
    }
    // Storage bandwidth per GPU against the target.
    if let (Some(target), Some(count), Some(snic)) = (
        inputs.storage_gb_per_s_per_node,
        server.storage_nic_count.as_ref(),
        server.storage_nic.as_ref().and_then(|n| catalog.nic(n.as_str())),
    ) {
        let link = min_link(board.storage_slot.value, snic.pcie.as_ref().map(|l| l.value));
        let per_nic = nic_gbps(snic).min(link.gbps());
        let node = f64::from(count.value) * per_nic / 8.0;
        let gpus = f64::from(server.gpu_count.value.max(1));
        let mut e = Vec::new();
        if count.estimate {
            e.push(format!("server {id} storage_nic_count"));
        }
        if board.storage_slot.estimate {
            e.push(format!("board {bid} storage_slot"));
        }
        if snic.pcie.as_ref().is_some_and(|l| l.estimate) {
            e.push(format!("nic {} pcie", snic.id));
        }
        let capped = if nic_gbps(snic) > link.gbps() {
            format!(" ({:.0} Gb/s of ports capped by {})", nic_gbps(snic), link_text(&link))
        } else {
            String::new()
        };
        let msg = format!(
            "{id}: {} x {} give {:.1} GB/s per GPU ({node:.1} GB/s per node{capped}) against the storage target {:.2} GB/s per GPU ({target} GB/s per node)",
            count.value,
            snic.id,
            node / gpus,
            target / gpus
        );
        out.push(
            if node + 1e-9 >= target {
                Check::pass("server.storage_bandwidth", msg)
            } else {
                Check::fail(
                    "server.storage_bandwidth",
                    format!("{msg}; fix: more or faster storage NICs, or a lower storage.target"),
                )
            }
            .resting_on(e),
        );
    }
    if inputs.passthrough {
        let e = if board.iommu.estimate {
            vec![format!("board {bid} iommu")]
        } else {
            Vec::new()
        };
        out.push(
            if board.iommu.value {
                Check::pass(
                    "server.iommu",
                    format!("{id}: the platform has an IOMMU (VT-d / AMD-Vi) for GPU passthrough: enable it in the firmware and boot with intel_iommu=on / amd_iommu=on"),
                )
            } else {
                Check::fail(
                    "server.iommu",
                    format!("{id} (board {bid}): passthrough is chosen but the platform has no IOMMU; fix: a server with VT-d / AMD-Vi, or MIG / vGPU instead of passthrough"),
                )
            }
            .resting_on(e),
        );
    }
    out
}

/// The server checks of a plan: its server type against the spec's storage target (no passthrough: `plan`
/// does not choose one; `advise` checks the IOMMU per strategy).
pub(crate) fn for_plan(r: &crate::spec::Resolved, catalog: &Catalog) -> Vec<Check> {
    let storage = (r.spec.storage.fabric != crate::networks::StorageFabric::None)
        .then(|| r.spec.storage.target.read_gb_per_s().0);
    server_checks(
        catalog,
        &r.server,
        &ServerCheckInputs {
            storage_gb_per_s_per_node: storage,
            passthrough: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use gigapod_catalog::{PartKind, SourceFile};

    fn inputs() -> ServerCheckInputs {
        ServerCheckInputs {
            storage_gb_per_s_per_node: Some(40.0),
            passthrough: true,
        }
    }

    #[test]
    fn pcie_bandwidth_by_hand() {
        // Gen5: 32 GT/s x 16 lanes x 128/130 = 504.1 Gb/s; Gen6: 64 x 16 x 242/256 = 968 Gb/s.
        approx::assert_relative_eq!(
            PcieLink {
                generation: 5,
                lanes: 16
            }
            .gbps(),
            504.123,
            epsilon = 1e-3
        );
        approx::assert_relative_eq!(
            PcieLink {
                generation: 6,
                lanes: 16
            }
            .gbps(),
            968.0,
            epsilon = 1e-9
        );
        approx::assert_relative_eq!(
            PcieLink {
                generation: 4,
                lanes: 16
            }
            .gbps(),
            252.062,
            epsilon = 1e-3
        );
    }

    /// Every server of the built-in catalog has internals, and every check runs and passes on them.
    #[test]
    fn every_catalog_server_is_checked() {
        let cat = Catalog::builtin();
        let mut n = 0;
        for e in cat.iter(Some(PartKind::Server)) {
            let gigapod_catalog::AnyPart::Server(s) = &e.part else {
                continue;
            };
            n += 1;
            let checks = server_checks(cat, s, &inputs());
            let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
            for want in [
                "server.gpu_link",
                "server.rail_affinity",
                "server.numa_balance",
                "server.nic_pcie",
                "server.storage_bandwidth",
                "server.iommu",
            ] {
                assert!(ids.contains(&want), "{}: no {want} in {ids:?}", s.id);
            }
            for c in &checks {
                assert_ne!(c.status, Status::Fail, "{}: {}", s.id, c.message);
                assert!(c.message.starts_with(s.id.as_str()), "{}", c.message);
            }
        }
        assert_eq!(n, 14);
    }

    fn user_server(board: &str, nic: &str) -> (Catalog, Server) {
        let text = format!(
            r#"
[[board]]
id = "test-board"
description = "a board with NIC 3 behind the wrong switch"
numa_nodes = 2
gpu_link = {{ value = {{ generation = 5, lanes = 16 }} }}
nic_slot = {{ value = {{ generation = 5, lanes = 16 }} }}
storage_slot = {{ value = {{ generation = 5, lanes = 16 }} }}
iommu = false
[board.pcie_switches]
value = [
{board}
]

[[server]]
id = "test-server"
description = "t"
vendor = "v"
gpu = "h200-sxm"
gpu_count = 8
cpu = "c"
cpu_count = 2
cpu_tdp_w = 350
fabric_nic = "{nic}"
fabric_nic_count = 8
storage_nic = "cx7-2x400g-qsfp112"
storage_nic_count = 1
psu = "psu-3000w"
psu_count = 6
psu_redundant = 2
rack_units = 5
weight_kg = 80
cooling = "air"
max_power_w = 10000
board = "test-board"
"#
        );
        let cat = Catalog::with_user_files(vec![SourceFile::new("t.toml", text)]).unwrap();
        let s = cat.server("test-server").unwrap().clone();
        (cat, s)
    }

    const WRONG: &str = r#"
  { name = "PEX0", socket = 0, generation = 5, upstream_lanes = 16, gpus = [0, 1], fabric_nics = [0, 1], storage_nics = [0] },
  { name = "PEX1", socket = 0, generation = 5, upstream_lanes = 16, gpus = [2, 3], fabric_nics = [2, 4] },
  { name = "PEX2", socket = 1, generation = 5, upstream_lanes = 16, gpus = [4, 5], fabric_nics = [3, 5] },
  { name = "PEX3", socket = 1, generation = 5, upstream_lanes = 16, gpus = [6, 7], fabric_nics = [6, 7] },"#;

    #[test]
    fn a_nic_behind_the_wrong_switch_fails_with_the_fix() {
        let (cat, s) = user_server(WRONG, "cx7-400g-osfp");
        let checks = server_checks(&cat, &s, &inputs());
        let c = checks.iter().find(|c| c.id == "server.rail_affinity").unwrap();
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.message.contains(
                "test-server (board test-board): fabric NIC 3 (rail 4) is under PEX2 but GPU 3 under PEX1: GPUDirect RDMA crosses the CPU; fix: move NIC 3 to a slot under PEX1 (or swap it with NIC 2)"
            ),
            "{}",
            c.message
        );
        assert!(
            c.message
                .contains("fabric NIC 4 (rail 5) is under PEX1 but GPU 4 under PEX2")
        );
        // The same board without an IOMMU fails passthrough; without passthrough the check is not run.
        let io = checks.iter().find(|c| c.id == "server.iommu").unwrap();
        assert_eq!(io.status, Status::Fail);
        let plain = server_checks(
            &cat,
            &s,
            &ServerCheckInputs {
                passthrough: false,
                ..inputs()
            },
        );
        assert!(plain.iter().all(|c| c.id != "server.iommu"));
    }

    #[test]
    fn an_800g_nic_on_gen5_and_unbalanced_gpus_fail() {
        let unbalanced = r#"
  { name = "PEX0", socket = 0, generation = 5, upstream_lanes = 16, gpus = [0, 1, 2], fabric_nics = [0, 1, 2] },
  { name = "PEX1", socket = 0, generation = 5, upstream_lanes = 16, gpus = [3, 4], fabric_nics = [3, 4] },
  { name = "PEX2", socket = 0, generation = 5, upstream_lanes = 16, gpus = [5], fabric_nics = [5] },
  { name = "PEX3", socket = 1, generation = 5, upstream_lanes = 16, gpus = [6, 7], fabric_nics = [6, 7] },"#;
        let (cat, s) = user_server(unbalanced, "cx8-800g");
        let checks = server_checks(&cat, &s, &inputs());
        let nic = checks.iter().find(|c| c.id == "server.nic_pcie").unwrap();
        assert_eq!(nic.status, Status::Fail, "{}", nic.message);
        assert!(
            nic.message
                .contains("carries 800 Gb/s but its link is Gen5 x16 (504 Gb/s)"),
            "{}",
            nic.message
        );
        assert!(
            nic.message
                .contains("fix: a Gen6 x16 slot or Socket Direct (2x Gen5 x16)")
        );
        let numa = checks.iter().find(|c| c.id == "server.numa_balance").unwrap();
        assert_eq!(numa.status, Status::Fail);
        assert!(numa.message.contains("socket 0: 6, socket 1: 2"), "{}", numa.message);
        // The storage NIC (2 x 400G capped by Gen5 x16 = 63 GB/s) misses a 100 GB/s per-node target.
        let st = server_checks(
            &cat,
            &s,
            &ServerCheckInputs {
                storage_gb_per_s_per_node: Some(100.0),
                ..inputs()
            },
        );
        let c = st.iter().find(|c| c.id == "server.storage_bandwidth").unwrap();
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.message.contains(
                "give 7.9 GB/s per GPU (63.0 GB/s per node (800 Gb/s of ports capped by Gen5 x16 (504 Gb/s)))"
            ),
            "{}",
            c.message
        );
    }

    #[test]
    fn a_board_missing_a_gpu_is_refused_by_its_check() {
        let missing = r#"
  { name = "PEX0", socket = 0, generation = 5, upstream_lanes = 16, gpus = [0, 1], fabric_nics = [0, 1, 2, 3] },
  { name = "PEX3", socket = 2, generation = 5, upstream_lanes = 16, gpus = [6, 7, 9], fabric_nics = [4, 5, 6, 7] },"#;
        let (cat, s) = user_server(missing, "cx7-400g-osfp");
        let checks = server_checks(&cat, &s, &inputs());
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].status, Status::Fail);
        let m = &checks[0].message;
        assert!(m.contains("PEX3 goes up to socket 2 of 2"), "{m}");
        assert!(m.contains("PEX3 lists GPU 9, but the server has 8"), "{m}");
        assert!(m.contains("GPU 2, 3, 4, 5 under no PCIe switch"), "{m}");
    }
}
