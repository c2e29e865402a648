//! `ibnetdiscover.topo`: the compute fabric as an `ibnetdiscover`-style topology file, which OpenSM's simulator
//! `ibsim` loads as its net file (`ibsim -s ibnetdiscover.topo`, then OpenSM and the infiniband-diags tools run
//! against the simulated subnet).
//!
//! A multi-plane fabric is one InfiniBand subnet per plane (each plane has its own subnet manager), so it is
//! written as `ibnetdiscover-pl1.topo` ... `ibnetdiscover-plN.topo` ([`files`]): plane `p`'s switches and the HCA
//! ports cabled into plane `p`, each file a subnet of its own that ibsim loads alone. GUIDs are those of the whole
//! fabric, so no switch GUID repeats across planes; an HCA is one node per physical NIC (its ports numbered
//! across the NIC, sub-ports of a split port included: NIC port `k`'s sub-port `s` is HCA port
//! `k x split + s + 1`), so a NIC whose ports sit in two planes appears in both files with its one node GUID and
//! different ports, as on real hardware.
//!
//! One `Switch <ports> "S-<guid>"  # "<name>"` block per switch with a `[port] "<peer id>"[peer port]` line per
//! cabled port (its comment ends `lid 0 4xNDR`, as ibnetdiscover's do, so that ibsim sets the link's width
//! and speed), then one `Ca <ports> "H-<guid>"  # "<server> HCA-<n>"` block per server NIC with its cabled ports.
//! Ports are 1-based: switch port `p + 1` is the plan's logical port `p` (faceplate `cage/port` in the comment);
//! a NIC's ports are 1.. in rail order. GUIDs are synthetic and stable: `0x0002c90300000000` plus the switch
//! index for switches ([`switch_guid`]), `0x0002c90400000000` plus the HCA index times a stride that leaves room
//! for the port GUIDs (node GUID + port number, as ibsim numbers them) for HCAs ([`hca_guid`]). Each block is
//! preceded by the `switchguid=0x...(...)` or `caguid=0x...` line that ibnetdiscover prints there, which ibsim
//! reads as the node's GUID: loaded into ibsim and discovered again by `ibnetdiscover` (through libumad2sim),
//! the fabric comes back with the same GUIDs. Both ends of every link are written, as `ibsim` checks that they
//! agree. Its default limits are 256 switches and 2,048 nodes: the header says which `-S`/`-N`/`-P` a larger
//! fabric needs.
//!
//! Speeds: the link rate after the peer's LID is the InfiniBand generation of the port speed (`4xNDR` at 400
//! Gb/s, `4xXDR` at 800), as ibnetdiscover prints it. ibsim 0.11 and later read NDR; Debian 12's ibsim 0.10
//! reads up to HDR and prints `parse_port_link_width_and_speed: cannot parse speed / invalid speed` once per
//! port line, keeping the port at its default speed (the topology loads whole all the same); no ibsim reads XDR
//! yet.

use crate::fabric::{LinkRole, Role};
use crate::plan::Plan;
use gigapod_catalog::units::Gbps;
use petgraph::graph::NodeIndex;
use std::collections::BTreeMap;
use std::io::Write;

const SWITCH_GUID: u64 = 0x0002_c903_0000_0000;
const HCA_GUID: u64 = 0x0002_c904_0000_0000;

/// The node GUID of fabric switch `index` (its node index); its ports share it, as on a real switch.
pub fn switch_guid(index: usize) -> u64 {
    SWITCH_GUID + index as u64
}

/// The node GUID of HCA `nic` (0-based across the fabric) with `ports` ports: HCAs are `stride` apart, the
/// smallest power of two above `ports`, so that the port GUIDs (node GUID + port) never meet the next HCA's.
pub fn hca_guid(nic: u32, ports: u32) -> u64 {
    let stride = u64::from(ports + 1).next_power_of_two();
    HCA_GUID + u64::from(nic) * stride
}

/// The link as ibnetdiscover writes it after the peer's LID (`4xNDR`), which ibsim reads to set the port's
/// width and speed: four lanes at the generation of the port speed.
fn rate(speed: Gbps) -> &'static str {
    match speed.0 {
        800.. => "4xXDR",
        400.. => "4xNDR",
        200.. => "4xHDR",
        100.. => "4xEDR",
        56.. => "4xFDR",
        40.. => "4xQDR",
        20.. => "4xDDR",
        _ => "4xSDR",
    }
}

/// A cabled port's far end.
#[derive(Debug, Clone, Copy)]
enum Peer {
    /// A switch (node index) and its 1-based port.
    Switch(NodeIndex, u32),
    /// An HCA (0-based across the fabric) and its 1-based port.
    Hca(u32, u32),
}

/// An HCA of the file: its server, its number in the server (0-based), and its cabled ports (1-based) with the
/// switch port each is cabled to.
struct Hca {
    server: u32,
    nic_in_server: u32,
    ports: BTreeMap<u32, (NodeIndex, u32)>,
}

/// The HCAs of a fabric: how many ports each has, and which HCA and port a server port is.
#[derive(Debug, Clone, Copy)]
struct HcaLayout {
    /// Ports per HCA: the NIC's ports times the plane split.
    ports: u32,
    /// Physical NIC ports of one NIC.
    nic_ports: u32,
    /// Sub-ports each NIC port is split into (1 unless the planes split ports).
    split: u32,
    /// NICs per server.
    nics_per_server: u32,
}

impl HcaLayout {
    fn of(plan: &Plan) -> Self {
        let f = &plan.fabric;
        let nic_ports = plan.resolved.fabric_nic.ports.value.max(1);
        let split = f.plane_mode().split();
        let rails = (f.summary().rails / split).max(1);
        HcaLayout {
            ports: nic_ports * split,
            nic_ports,
            split,
            nics_per_server: (rails / nic_ports).max(1),
        }
    }

    /// Server port `port` (0-based across the server, sub-ports included) of `server`: (HCA, HCA in the server,
    /// 1-based HCA port).
    fn hca(self, server: u32, port: u32) -> (u32, u32, u32) {
        let (rail, sub) = (port / self.split, port % self.split);
        let in_server = rail / self.nic_ports;
        (
            server * self.nics_per_server + in_server,
            in_server,
            (rail % self.nic_ports) * self.split + sub + 1,
        )
    }
}

/// The ibnetdiscover files of a plan: `ibnetdiscover.topo` (the whole fabric, plane `None`) with one plane, or
/// `ibnetdiscover-pl1.topo` ... `ibnetdiscover-plN.topo` (plane `Some(0..N)`), one subnet per plane.
pub fn files(plan: &Plan) -> Vec<(String, Option<u32>)> {
    match plan.fabric.plane_count() {
        1 => vec![("ibnetdiscover.topo".to_string(), None)],
        n => (0..n).map(|p| (plane_file(p), Some(p))).collect(),
    }
}

/// The file name of plane `plane` (0-based): `ibnetdiscover-pl<plane + 1>.topo`.
pub fn plane_file(plane: u32) -> String {
    format!("ibnetdiscover-pl{}.topo", plane + 1)
}

/// Renders `ibnetdiscover.topo`: the whole compute fabric (every plane of a multi-plane one).
pub fn topology(plan: &Plan) -> String {
    render(plan, None, "ibnetdiscover.topo")
}

/// Renders plane `plane` (0-based) alone, as `ibnetdiscover-pl<plane + 1>.topo`: its switches and the HCA ports
/// cabled to them, a subnet of its own.
pub fn plane_topology(plan: &Plan, plane: u32) -> String {
    render(plan, Some(plane), &plane_file(plane))
}

fn render(plan: &Plan, plane: Option<u32>, name: &str) -> String {
    let mut out = Vec::new();
    write_topology(plan, plane, name, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the topology is UTF-8")
}

/// Writes the topology of `plane` (`None`: the whole fabric) to `w`, the file to be named `name` (the header's
/// `ibsim -s` line names it).
///
/// # Errors
/// Any error of the writer.
pub fn write_topology(plan: &Plan, plane: Option<u32>, name: &str, w: &mut dyn Write) -> std::io::Result<()> {
    let f = &plan.fabric;
    let s = f.summary();
    let layout = HcaLayout::of(plan);
    let ports = f.design().ports_per_switch;
    let in_plane = |n: NodeIndex| plane.is_none() || f.node(n).plane == plane;
    let switch_id = |n: NodeIndex| format!("S-{:016x}", switch_guid(n.index()));
    let hca_id = |nic: u32| format!("H-{:016x}", hca_guid(nic, layout.ports));

    // Every cabled port of every device of the file: switch port -> peer, HCA port -> switch port.
    let mut switch_ports: BTreeMap<NodeIndex, BTreeMap<u32, Peer>> = BTreeMap::new();
    let mut hcas: BTreeMap<u32, Hca> = BTreeMap::new();
    let mut links = 0usize;
    for e in f.graph().edge_references() {
        let l = e.weight();
        let upper = l.b.node;
        if !in_plane(upper) {
            continue;
        }
        links += 1;
        let upper_port = l.b.port + 1;
        if l.role == LinkRole::Endpoint {
            let server = f.node(l.a.node).server.unwrap_or(0);
            let (nic, nic_in_server, port) = layout.hca(server, l.a.port);
            switch_ports
                .entry(upper)
                .or_default()
                .insert(upper_port, Peer::Hca(nic, port));
            hcas.entry(nic)
                .or_insert_with(|| Hca {
                    server,
                    nic_in_server,
                    ports: BTreeMap::new(),
                })
                .ports
                .insert(port, (upper, upper_port));
        } else {
            let (lower, lower_port) = (l.a.node, l.a.port + 1);
            switch_ports
                .entry(upper)
                .or_default()
                .insert(upper_port, Peer::Switch(lower, lower_port));
            switch_ports
                .entry(lower)
                .or_default()
                .insert(lower_port, Peer::Switch(upper, upper_port));
        }
    }
    let hca_label = |nic: u32| {
        hcas.get(&nic).map_or_else(String::new, |h| {
            format!("{} HCA-{}", crate::cabling::server_name(h.server), h.nic_in_server + 1)
        })
    };

    let rate = rate(s.port_speed_gbps);
    let switches: Vec<NodeIndex> = f.switches().filter(|&n| in_plane(n)).collect();
    let n_hcas = hcas.len();
    let total_ports = switches.len() * (ports as usize + 1) + n_hcas * (layout.ports as usize + 1);
    let what = match plane {
        None => "compute fabric".to_string(),
        Some(p) => format!("plane {} of {} of the compute fabric", p + 1, f.plane_count()),
    };
    writeln!(
        w,
        "# {}: {what} as an ibnetdiscover topology, for ibsim ({} switches of {} ports, {} HCAs, {} links).",
        plan.name(),
        switches.len(),
        ports,
        n_hcas,
        links
    )?;
    writeln!(
        w,
        "# Written by gigapod {}. GUIDs are synthetic. Load with: ibsim -S {} -N {} -P {} -s {name}",
        env!("CARGO_PKG_VERSION"),
        switches.len().max(256),
        (switches.len() + n_hcas).max(2048),
        total_ports.max(256 * 24 + 2048 * 2)
    )?;
    for &sw in &switches {
        let node = f.node(sw);
        let what = match node.role {
            Role::Leaf => "leaf",
            Role::Spine => "spine",
            _ => "core",
        };
        let guid = switch_guid(sw.index());
        writeln!(w, "\nswitchguid=0x{guid:016x}({guid:x})")?;
        writeln!(
            w,
            "Switch\t{ports} \"{}\"\t\t# \"{}\" {what} {}",
            switch_id(sw),
            node.name,
            s.switch_id
        )?;
        if let Some(list) = switch_ports.get(&sw) {
            for (port, peer) in list {
                let face = f.port_label(crate::fabric::PortRef {
                    node: sw,
                    port: port - 1,
                });
                let (peer, peer_port, peer_name) = match *peer {
                    Peer::Switch(n, p) => (switch_id(n), p, f.node(n).name.clone()),
                    Peer::Hca(nic, p) => (hca_id(nic), p, hca_label(nic)),
                };
                writeln!(
                    w,
                    "[{port}]\t\"{peer}\"[{peer_port}]\t\t# \"{peer_name}\" lid 0 {rate} (port {face})"
                )?;
            }
        }
    }
    for (nic, hca) in &hcas {
        writeln!(w, "\ncaguid=0x{:016x}", hca_guid(*nic, layout.ports))?;
        writeln!(
            w,
            "Ca\t{} \"{}\"\t\t# \"{}\"",
            layout.ports,
            hca_id(*nic),
            hca_label(*nic)
        )?;
        for (port, (sw, sw_port)) in &hca.ports {
            writeln!(
                w,
                "[{port}]\t\"{}\"[{sw_port}]\t\t# \"{}\" lid 0 {rate}",
                switch_id(*sw),
                f.node(*sw).name
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hca_port_guids_never_meet_the_next_hca() {
        // One port: stride 2 (node, port 1); two ports: stride 4 (node, ports 1-2, spare).
        assert_eq!(hca_guid(1, 1) - hca_guid(0, 1), 2);
        assert_eq!(hca_guid(1, 2) - hca_guid(0, 2), 4);
        assert!(hca_guid(0, 2) + 2 < hca_guid(1, 2));
        assert_eq!(switch_guid(5), 0x0002_c903_0000_0005);
    }

    #[test]
    fn split_sub_ports_are_ports_of_one_hca() {
        // 8 single-port NICs split 2 ways: server port 5 is rail 3's sub-port 2, HCA 3's port 2.
        let l = HcaLayout {
            ports: 2,
            nic_ports: 1,
            split: 2,
            nics_per_server: 8,
        };
        assert_eq!(l.hca(0, 5), (2, 2, 2));
        assert_eq!(l.hca(1, 4), (10, 2, 1));
        // Dual-port NICs, no split (a one-plane fabric): rails 1-2 are NIC 1's ports 1-2.
        let l = HcaLayout {
            ports: 2,
            nic_ports: 2,
            split: 1,
            nics_per_server: 4,
        };
        assert_eq!(
            (l.hca(0, 0), l.hca(0, 1), l.hca(3, 7)),
            ((0, 0, 1), (0, 0, 2), (15, 3, 2))
        );
    }
}
