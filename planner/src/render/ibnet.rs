//! `ibnetdiscover.topo`: the compute fabric as an `ibnetdiscover`-style topology file, which OpenSM's simulator
//! `ibsim` loads as its net file (`ibsim -s ibnetdiscover.topo`, then OpenSM and the infiniband-diags tools run
//! against the simulated subnet).
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
use std::fmt::Write;

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

/// The cabled ports of a device: port -> (peer id, peer port, peer name).
type Ports = BTreeMap<u32, (String, u32, String)>;

/// Renders `ibnetdiscover.topo`.
pub fn topology(plan: &Plan) -> String {
    let f = &plan.fabric;
    let s = f.summary();
    let nic_ports = plan.resolved.fabric_nic.ports.value.max(1);
    let switches = f.switches().len();
    let ports = f.design().ports_per_switch;
    // Ids: switches by index, HCAs by (server, NIC).
    let switch_id = |n: NodeIndex| format!("S-{:016x}", switch_guid(n.index()));
    let hca_of = |n: NodeIndex| {
        let node = f.node(n);
        let rail = node.rail.unwrap_or(0);
        let server = node.server.unwrap_or(0);
        let nic = server * (s.rails / nic_ports).max(1) + rail / nic_ports;
        (nic, rail / nic_ports, rail % nic_ports + 1)
    };
    let hca_id = |nic: u32| format!("H-{:016x}", hca_guid(nic, nic_ports));

    // Every cabled port of every device: (device, port) -> (peer id, peer port, peer name).
    let mut switch_ports: BTreeMap<NodeIndex, Ports> = BTreeMap::new();
    let mut hca_ports: BTreeMap<u32, (u32, u32, Ports)> = BTreeMap::new();
    for e in f.graph().edge_references() {
        let l = e.weight();
        let upper = l.b.node;
        let upper_port = l.b.port + 1;
        let upper_name = f.node(upper).name.clone();
        if l.role == LinkRole::Endpoint {
            let (nic, nic_in_server, port) = hca_of(l.a.node);
            let server = f.node(l.a.node).server.unwrap_or(0);
            let label = format!("{} HCA-{}", crate::cabling::server_name(server), nic_in_server + 1);
            switch_ports
                .entry(upper)
                .or_default()
                .insert(upper_port, (hca_id(nic), port, label));
            hca_ports
                .entry(nic)
                .or_insert((server, nic_in_server, BTreeMap::new()))
                .2
                .insert(port, (switch_id(upper), upper_port, upper_name));
        } else {
            let lower = l.a.node;
            let lower_port = l.a.port + 1;
            let lower_name = f.node(lower).name.clone();
            switch_ports
                .entry(upper)
                .or_default()
                .insert(upper_port, (switch_id(lower), lower_port, lower_name.clone()));
            switch_ports
                .entry(lower)
                .or_default()
                .insert(lower_port, (switch_id(upper), upper_port, upper_name));
        }
    }

    let rate = rate(s.port_speed_gbps);
    let mut out = String::new();
    let hcas = hca_ports.len();
    let total_ports = switches * (ports as usize + 1) + hcas * (nic_ports as usize + 1);
    let _ = writeln!(
        out,
        "# {}: compute fabric as an ibnetdiscover topology, for ibsim ({} switches of {} ports, {} HCAs, {} links).",
        plan.name(),
        switches,
        ports,
        hcas,
        f.graph().edge_count()
    );
    let _ = writeln!(
        out,
        "# Written by gigapod {}. GUIDs are synthetic. Load with: ibsim -S {} -N {} -P {} -s ibnetdiscover.topo",
        env!("CARGO_PKG_VERSION"),
        switches.max(256),
        (switches + hcas).max(2048),
        total_ports.max(256 * 24 + 2048 * 2)
    );
    for sw in f.switches() {
        let node = f.node(sw);
        let what = match node.role {
            Role::Leaf => "leaf",
            Role::Spine => "spine",
            _ => "core",
        };
        let guid = switch_guid(sw.index());
        let _ = writeln!(out, "\nswitchguid=0x{guid:016x}({guid:x})");
        let _ = writeln!(
            out,
            "Switch\t{ports} \"{}\"\t\t# \"{}\" {what} {}",
            switch_id(sw),
            node.name,
            s.switch_id
        );
        if let Some(list) = switch_ports.get(&sw) {
            for (port, (peer, peer_port, peer_name)) in list {
                let face = f.port_label(crate::fabric::PortRef {
                    node: sw,
                    port: port - 1,
                });
                let _ = writeln!(
                    out,
                    "[{port}]\t\"{peer}\"[{peer_port}]\t\t# \"{peer_name}\" lid 0 {rate} (port {face})"
                );
            }
        }
    }
    for (nic, (server, nic_in_server, list)) in &hca_ports {
        let _ = writeln!(out, "\ncaguid=0x{:016x}", hca_guid(*nic, nic_ports));
        let _ = writeln!(
            out,
            "Ca\t{nic_ports} \"{}\"\t\t# \"{} HCA-{}\"",
            hca_id(*nic),
            crate::cabling::server_name(*server),
            nic_in_server + 1
        );
        for (port, (peer, peer_port, peer_name)) in list {
            let _ = writeln!(
                out,
                "[{port}]\t\"{peer}\"[{peer_port}]\t\t# \"{peer_name}\" lid 0 {rate}"
            );
        }
    }
    out
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
}
