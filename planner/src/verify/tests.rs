//! The round trip and the injected faults (issue 17's "Done means").

use super::ibnet::{self, NodeKind};
use super::*;
use crate::fabric::{PortRef, Role};
use gigapod_catalog::{Catalog, SourceFile};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use std::fmt::Write;

/// One SU of 24 x G593-H200 (of 32): the leaf ports of servers 25-32 stay free for moved and added cables.
fn partial_su() -> Plan {
    let text = r#"
name = "verify-test"
[compute]
server = "g593-h200"
servers = 24
servers_per_su = 32
[fabric]
switch = "qm9700"
[facility]
cooling = "air"
rack = "rack-48u"
rack_power_limit_kw = 50.0
"#;
    let spec = crate::spec::Spec::parse(SourceFile::new("v.toml", text)).unwrap();
    crate::plan(&spec, Catalog::builtin()).unwrap()
}

/// A node as ibnetdiscover names it: description and port.
type End = (String, u32);

/// A link as its two ends.
type Pair = (End, End);

/// A planned link's cable label and its lower and upper ends.
type RunInfo = (String, FaultEnd, FaultEnd);

/// The plan's links from the fabric graph (not from verify's reading of the files): both ends as (node
/// description, InfiniBand port), and the cable run (label, lower end, upper end) from the cable plan.
fn planned(plan: &Plan) -> (Vec<Pair>, HashMap<Pair, RunInfo>) {
    let f = &plan.fabric;
    let nic_ports = plan.resolved.fabric_nic.ports.value.max(1);
    let desc = |p: PortRef| -> End {
        let n = f.node(p.node);
        if n.role == Role::Endpoint {
            let rail = n.rail.unwrap();
            (
                format!(
                    "{} HCA-{}",
                    crate::cabling::server_name(n.server.unwrap()),
                    rail / nic_ports + 1
                ),
                rail % nic_ports + 1,
            )
        } else {
            (n.name.clone(), p.port + 1)
        }
    };
    let mut runs: HashMap<(String, String, String, String), &crate::cabling::CableRun> = HashMap::new();
    for r in &plan.cables.runs {
        runs.insert(
            (
                r.a_device.clone(),
                r.a_port.clone(),
                r.b_device.clone(),
                r.b_port.clone(),
            ),
            r,
        );
    }
    let mut links = Vec::new();
    let mut info = HashMap::new();
    for e in f.graph().edge_references() {
        let l = e.weight();
        let (a, b) = (desc(l.a), desc(l.b));
        let key = (
            crate::cabling::device_name(f, l.a.node),
            f.port_label(l.a),
            crate::cabling::device_name(f, l.b.node),
            f.port_label(l.b),
        );
        let r = runs[&key];
        let end = |device: &str, port: &str, rack: &str, u: u32, e: &End| FaultEnd {
            device: device.to_string(),
            port: port.to_string(),
            rack: rack.to_string(),
            u,
            node: e.0.clone(),
            ib_port: e.1,
        };
        info.insert(
            (a.clone(), b.clone()),
            (
                r.label.clone(),
                end(&r.a_device, &r.a_port, &r.a_rack, r.a_u, &a),
                end(&r.b_device, &r.b_port, &r.b_rack, r.b_u, &b),
            ),
        );
        links.push((a, b));
    }
    (links, info)
}

/// Writes links the way the real `ibnetdiscover` prints them: GUID lines, its own GUIDs (not the plan's),
/// nodes in a shuffled order, CA port lines with the port GUID first, `lid N 4xNDR` comments.
fn real_style(links: &[(End, End, &str)], ports_of: &HashMap<String, (NodeKind, u32)>, seed: u64) -> String {
    let mut names: Vec<&String> = ports_of.keys().collect();
    names.sort();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    names.shuffle(&mut rng);
    let guid: HashMap<&String, u64> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, 0x7cfe_9003_00a0_0000 + i as u64 * 4))
        .collect();
    let id = |n: &String| {
        let k = if ports_of[n].0 == NodeKind::Switch { 'S' } else { 'H' };
        format!("{k}-{:016x}", guid[n])
    };
    let mut by_node: HashMap<&String, Vec<(u32, &End, &str)>> = HashMap::new();
    for (a, b, rate) in links {
        by_node.entry(&a.0).or_default().push((a.1, b, rate));
        by_node.entry(&b.0).or_default().push((b.1, a, rate));
    }
    let mut s = String::from(
        "#\n# Topology file: generated on Tue Dec  1 11:15:05 2026\n#\n# Initiated from node 7cfe9003 port 7cfe9003\n\n",
    );
    for n in names {
        let (kind, ports) = ports_of[n];
        let g = guid[n];
        let _ = write!(s, "vendid=0x2c9\ndevid=0xd2f0\nsysimgguid={g:#x}\n");
        let mut list = by_node.remove(n).unwrap_or_default();
        list.sort_by_key(|(p, _, _)| *p);
        if kind == NodeKind::Switch {
            let _ = writeln!(s, "switchguid={g:#x}({g:x})");
            let _ = writeln!(
                s,
                "Switch\t{ports} \"{}\"\t\t# \"{n}\" enhanced port 0 lid 7 lmc 0",
                id(n)
            );
            for (p, peer, rate) in list {
                let _ = writeln!(
                    s,
                    "[{p}]\t\"{}\"[{}]\t\t# \"{}\" lid 9 {rate}",
                    id(&peer.0),
                    peer.1,
                    peer.0
                );
            }
        } else {
            let _ = writeln!(s, "caguid={g:#x}");
            let _ = writeln!(s, "Ca\t{ports} \"{}\"\t\t# \"{n}\"", id(n));
            for (p, peer, rate) in list {
                let _ = writeln!(
                    s,
                    "[{p}]({:x}) \t\"{}\"[{}]\t\t# lid 12 lmc 0 \"{}\" lid 7 {rate}",
                    g + u64::from(p),
                    id(&peer.0),
                    peer.1,
                    peer.0
                );
            }
        }
        s.push('\n');
    }
    s
}

fn node_ports(plan: &Plan) -> HashMap<String, (NodeKind, u32)> {
    let f = &plan.fabric;
    let mut m = HashMap::new();
    for sw in f.switches() {
        m.insert(f.node(sw).name.clone(), (NodeKind::Switch, f.design().ports_per_switch));
    }
    let nic_ports = plan.resolved.fabric_nic.ports.value.max(1);
    for ep in f.endpoints() {
        let n = f.node(ep);
        let name = format!(
            "{} HCA-{}",
            crate::cabling::server_name(n.server.unwrap()),
            n.rail.unwrap() / nic_ports + 1
        );
        m.insert(name, (NodeKind::Ca, nic_ports));
    }
    m
}

#[test]
fn the_plans_own_file_verifies_clean() {
    let plan = partial_su();
    let want = PlannedFabric::from_plan(&plan);
    assert_eq!(want.links(), plan.fabric.graph().edge_count());
    let text = crate::render::ibnet::topology(&plan);
    let seen = ibnet::read(text.as_bytes()).unwrap();
    let v = verify_fabric(&want, &seen, &VerifyOptions::default());
    assert_eq!(v.status, VerifyStatus::Match, "{}", v.to_text());
    assert_eq!(v.matched_links, want.links());
    assert_eq!(v.warnings_total, 0);
    // Every planned link carries its cable label.
    assert!(want.links.iter().all(|l| l.cable.is_some()));
}

#[test]
fn real_style_output_with_other_guids_verifies_clean() {
    let plan = partial_su();
    let (links, _) = planned(&plan);
    let all: Vec<(End, End, &str)> = links.into_iter().map(|(a, b)| (a, b, "4xNDR")).collect();
    let text = real_style(&all, &node_ports(&plan), 7);
    let v = verify_fabric(
        &PlannedFabric::from_plan(&plan),
        &ibnet::read(text.as_bytes()).unwrap(),
        &VerifyOptions::default(),
    );
    assert_eq!(v.status, VerifyStatus::Match, "{}", v.to_text());
}

/// Swaps, deletes, moves and adds 10 random links (and slows one): every fault is reported with the right
/// cable, rack, U, port and fix, and nothing else.
#[test]
fn ten_random_faults_are_each_reported_and_nothing_else() {
    let plan = partial_su();
    let want = PlannedFabric::from_plan(&plan);
    let ports_of = node_ports(&plan);
    let (links, info) = planned(&plan);
    for seed in 0..5u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut used: HashSet<End> = links.iter().flat_map(|(a, b)| [a.clone(), b.clone()]).collect();
        // Free switch ports (the missing servers' leaf ports).
        let mut free: Vec<End> = ports_of
            .iter()
            .filter(|(_, (k, _))| *k == NodeKind::Switch)
            .flat_map(|(n, (_, p))| (1..=*p).map(move |p| (n.clone(), p)))
            .filter(|e| !used.contains(e))
            .collect();
        free.sort();
        free.shuffle(&mut rng);
        // Nine distinct planned links (each port carries one link, so no two faults touch one port) and two
        // added ones: eleven links changed.
        let mut order: Vec<usize> = (0..links.len()).collect();
        order.shuffle(&mut rng);
        let picked: Vec<usize> = order[..9].to_vec();
        let mut observed: Vec<(End, End, &str)> = links.iter().map(|(a, b)| (a.clone(), b.clone(), "4xNDR")).collect();
        let mut expected: Vec<Fault> = Vec::new();
        let fault = |kind, cable: Option<String>, a: FaultEnd, b: FaultEnd, found, fix: String| Fault {
            kind,
            cable,
            a,
            b,
            found,
            expected_rate: None,
            observed_rate: None,
            fix,
        };
        let place = |e: &FaultEnd| {
            if e.rack.is_empty() {
                format!("{} {}", e.device, e.port)
            } else {
                format!("{} {} ({} U{})", e.device, e.port, e.rack, e.u)
            }
        };
        // The free port's place: same device as some planned end.
        let free_end = |e: &End| -> FaultEnd {
            let (_, _, upper) = info
                .iter()
                .find(|((_, b), _)| b.0 == e.0)
                .map(|(_, v)| v)
                .expect("a switch with links");
            let ppc = plan.fabric.design().ports_per_cage.max(1);
            FaultEnd {
                device: upper.device.clone(),
                port: format!("{}/{}", (e.1 - 1) / ppc + 1, (e.1 - 1) % ppc + 1),
                rack: upper.rack.clone(),
                u: upper.u,
                node: e.0.clone(),
                ib_port: e.1,
            }
        };
        // 0-1: swap the lower ends of two links (pairs 0+1 and 2+3); 4-5: delete; 6-7: move the upper end to a
        // free port; 8: slow; then 2 extra links between free ports.
        let link = |i: usize| &links[picked[i]];
        let idx = |obs: &Vec<(End, End, &str)>, i: usize| {
            obs.iter()
                .position(|(a, b, _)| (a, b) == (&link(i).0, &link(i).1))
                .unwrap()
        };
        for (x, y) in [(0, 1), (2, 3)] {
            let (ix, iy) = (idx(&observed, x), idx(&observed, y));
            let (ax, ay) = (observed[ix].0.clone(), observed[iy].0.clone());
            observed[ix].0 = ay;
            observed[iy].0 = ax;
            for (me, other) in [(x, y), (y, x)] {
                let (label, lower, upper) = info[link(me)].clone();
                let (_, other_lower, _) = info[link(other)].clone();
                let fix = format!(
                    "move cable {label} (at {}) from {} to {}",
                    place(&upper),
                    place(&other_lower),
                    place(&lower)
                );
                expected.push(fault(
                    FaultKind::Miswired,
                    Some(label),
                    upper,
                    lower,
                    Some(other_lower),
                    fix,
                ));
            }
        }
        for i in [4, 5] {
            let ix = idx(&observed, i);
            observed.remove(ix);
            let (label, lower, upper) = info[link(i)].clone();
            let fix = format!(
                "connect cable {label} from {} to {} (check both ends: nothing is on either port)",
                place(&lower),
                place(&upper)
            );
            expected.push(fault(FaultKind::Missing, Some(label), lower, upper, None, fix));
        }
        for i in [6, 7] {
            let ix = idx(&observed, i);
            let to = free.pop().unwrap();
            used.insert(to.clone());
            observed[ix].1 = to.clone();
            let (label, lower, upper) = info[link(i)].clone();
            let found = free_end(&to);
            let fix = format!(
                "move cable {label} (at {}) from {} to {}",
                place(&lower),
                place(&found),
                place(&upper)
            );
            expected.push(fault(FaultKind::Miswired, Some(label), lower, upper, Some(found), fix));
        }
        {
            let ix = idx(&observed, 8);
            observed[ix].2 = "4xHDR";
            let (label, lower, upper) = info[link(8)].clone();
            let fix = format!(
                "cable {label} between {} and {} runs at 4xHDR, the plan says 4xNDR: reseat it, check both ports' speed and width settings, then replace the cable",
                place(&lower),
                place(&upper)
            );
            let mut f = fault(FaultKind::Speed, Some(label), lower, upper, None, fix);
            f.expected_rate = Some("4xNDR".into());
            f.observed_rate = Some("4xHDR".into());
            expected.push(f);
        }
        for _ in 0..2 {
            let (a, b) = (free.pop().unwrap(), free.pop().unwrap());
            let (ea, eb) = (free_end(&a), free_end(&b));
            let fix = format!(
                "remove the cable between {} and {}: the plan has no link there",
                place(&ea),
                place(&eb)
            );
            expected.push(fault(FaultKind::Extra, None, ea, eb, None, fix));
            observed.push((a, b, "4xNDR"));
        }
        let text = real_style(&observed, &ports_of, seed);
        let v = verify_fabric(&want, &ibnet::read(text.as_bytes()).unwrap(), &VerifyOptions::default());
        // An extra link's two ends may come in either order: put them in one.
        let norm = |f: &mut Fault| {
            if f.kind == FaultKind::Extra && (&f.a.device, f.a.ib_port) > (&f.b.device, f.b.ib_port) {
                std::mem::swap(&mut f.a, &mut f.b);
                f.fix = format!(
                    "remove the cable between {} and {}: the plan has no link there",
                    place(&f.a),
                    place(&f.b)
                );
            }
        };
        let key = |f: &Fault| (f.kind, f.cable.clone(), f.fix.clone());
        let mut got = v.faults.clone();
        got.iter_mut().for_each(norm);
        expected.iter_mut().for_each(norm);
        got.sort_by_key(key);
        expected.sort_by_key(key);
        assert_eq!(got.len(), expected.len(), "seed {seed}:\n{}", v.to_text());
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e, "seed {seed}:\n{}", v.to_text());
        }
        assert_eq!(v.status, VerifyStatus::Differs);
        assert_eq!(v.counts[&FaultKind::Miswired], 6);
        assert_eq!(v.counts[&FaultKind::Missing], 2);
        assert_eq!(v.counts[&FaultKind::Speed], 1);
        assert_eq!(v.counts[&FaultKind::Extra], 2);
    }
}

#[test]
fn a_truncated_file_reports_what_it_lost_and_reads_the_rest() {
    let plan = partial_su();
    let want = PlannedFabric::from_plan(&plan);
    let (links, _) = planned(&plan);
    let all: Vec<(End, End, &str)> = links.into_iter().map(|(a, b)| (a, b, "4xNDR")).collect();
    let text = real_style(&all, &node_ports(&plan), 3);
    let cut = &text[..text.len() * 2 / 3 + 7];
    let seen = ibnet::read(cut.as_bytes()).unwrap();
    let v = verify_fabric(&want, &seen, &VerifyOptions::default());
    // Each link is printed from both ends: a link is lost only when both ends' blocks are past the cut.
    assert!(v.matched_links > want.links() / 2, "{}", v.to_text());
    assert_eq!(v.counts.get(&FaultKind::Extra), None, "{}", v.to_text());
    assert!(v.faults.iter().all(|f| f.kind == FaultKind::Missing));
}

#[test]
fn unknown_and_unnamed_nodes_are_extra_and_shared_descriptions_match_by_guid() {
    let plan = partial_su();
    let want = PlannedFabric::from_plan(&plan);
    let mut text = crate::render::ibnet::topology(&plan);
    // An unplanned switch cabled to a free leaf port, and two HCAs of the plan whose descriptions are unset
    // (both the driver default): they still match by the plan's GUIDs.
    text = text.replacen("# \"srv1 HCA-1\"\n", "# \"MT4129 ConnectX7\"\n", 1);
    text = text.replacen("# \"srv1 HCA-2\"\n", "# \"MT4129 ConnectX7\"\n", 1);
    text.push_str("\nSwitch\t64 \"S-00000000deadbeef\"\t\t# \"stray-switch\"\n[1]\t\"S-0002c90300000000\"[30]\t\t# \"leaf-su1-r1\" lid 0 4xNDR\n");
    let seen = ibnet::read(text.as_bytes()).unwrap();
    let v = verify_fabric(&want, &seen, &VerifyOptions::default());
    assert_eq!(
        v.faults.len(),
        1,
        "{}\n{:?}\n{}",
        v.to_text(),
        seen.warnings,
        &text[text.len() - 300..]
    );
    assert_eq!(v.unknown_nodes, 1);
    let f = &v.faults[0];
    assert_eq!(f.kind, FaultKind::Extra);
    assert_eq!(f.a.device, "stray-switch");
    assert_eq!(f.b.device, "leaf-su1-r1");
    assert_eq!(f.b.port, "15/2");
}
