//! The layout's checks: racks against the bound and the first-fit baseline, against what a person would build
//! by hand, the density in force, and the open positions that need blanking panels.

use super::{Layout, RackKind};
use crate::check::Check;
use crate::text::thousands;

/// The layout's checks.
pub fn checks(layout: &Layout) -> Vec<Check> {
    let st = &layout.stats;
    let b = &st.bounds;
    let mut out = Vec::new();
    let network = layout.racks.iter().filter(|r| r.kind == RackKind::Network).count() as u32;
    let server_racks = st.racks - network;
    let room = if b.room_kw > 0 {
        format!(", room air {}", b.room_kw)
    } else {
        String::new()
    };
    out.push(Check::invariant(
        "layout.solver",
        st.racks <= st.first_fit_racks && st.racks >= st.lower_bound,
        format!(
            "{} racks ({server_racks} with servers, {network} network; leaves {}) against a lower bound of {} \
             (kW {}, U {}, weight {}{room}, servers at {} per rack {}, network U {}): {}; first-fit decreasing \
             with network racks uses {}",
            st.racks,
            st.leaf_placement,
            st.lower_bound,
            b.kw,
            b.u,
            b.kg,
            st.servers_per_rack,
            b.servers,
            b.network_u,
            if st.optimal {
                "proven optimal in racks (gap 0)".to_string()
            } else {
                format!(
                    "gap {:.1} % ({} above the bound)",
                    st.gap * 100.0,
                    crate::text::counted(u64::from(st.racks - st.lower_bound), "rack", "racks")
                )
            },
            st.first_fit_racks
        ),
    ));
    // Against the hand layout, SU by SU.
    let mut worse = Vec::new();
    let mut used = vec![0u32; st.hand.server_racks.len()];
    for r in layout.racks.iter().filter(|r| r.kind == RackKind::Compute) {
        if let Some(n) = r.su.and_then(|su| used.get_mut(su as usize)) {
            *n += 1;
        }
    }
    let over: Vec<(usize, u32, u32)> = st
        .hand
        .server_racks
        .iter()
        .zip(&used)
        .enumerate()
        .filter(|(_, (hand, used))| used > hand)
        .map(|(su, (&hand, &used))| (su, used, hand))
        .collect();
    // At most 5 named: a 2,048-SU plan would otherwise list every SU.
    for &(su, used, hand) in over.iter().take(5) {
        worse.push(format!("SU {} uses {used} server racks where {hand} would do", su + 1));
    }
    if over.len() > 5 {
        worse.push(format!("and {} more SUs", thousands((over.len() - 5) as u64)));
    }
    // The hand count's network racks hold the management devices too (their racks of their own).
    let switch_racks = st.racks - layout.racks.iter().filter(|r| r.kind == RackKind::Compute).count() as u32;
    if switch_racks > st.hand.network_racks {
        worse.push(format!(
            "{} network and management racks where the switches' summed U, kW and weight need {} (whole \
             switches do not pack to the sum)",
            thousands(u64::from(switch_racks)),
            thousands(u64::from(st.hand.network_racks))
        ));
    }
    let hand_servers: u32 = st.hand.server_racks.iter().sum();
    if st.racks > st.hand.total {
        out.push(Check::warn(
            "layout.vs_hand",
            format!(
                "the plan uses {} racks, a hand layout {} ({} server racks at the highest density that fits, {} \
                 network): {}",
                thousands(u64::from(st.racks)),
                thousands(u64::from(st.hand.total)),
                thousands(u64::from(hand_servers)),
                thousands(u64::from(st.hand.network_racks)),
                if worse.is_empty() {
                    "the switches spread over more racks".to_string()
                } else {
                    worse.join("; ")
                }
            ),
        ));
    } else {
        out.push(Check::pass(
            "layout.vs_hand",
            format!(
                "{} racks, no more than a hand layout's {} ({} server racks at the highest density that fits, {} \
                 network)",
                thousands(u64::from(st.racks)),
                thousands(u64::from(st.hand.total)),
                thousands(u64::from(hand_servers)),
                thousands(u64::from(st.hand.network_racks))
            ),
        ));
    }
    if st.servers_per_rack_basis.contains("fewer than every catalog density") {
        out.push(Check::warn(
            "layout.density",
            format!(
                "{} servers per rack: {}; the vendor's rack designs do not cover this",
                st.servers_per_rack, st.servers_per_rack_basis
            ),
        ));
    }
    if !layout.open_positions.is_empty() {
        let mut rows: Vec<u32> = layout.open_positions.iter().map(|p| p.row + 1).collect();
        rows.dedup();
        out.push(Check::pass(
            "layout.blanking",
            format!(
                "{} in partial {} {}: fit blanking panels (or empty racks) to keep the hot and cold aisles apart",
                crate::text::counted(layout.open_positions.len() as u64, "open position", "open positions"),
                if rows.len() == 1 { "row" } else { "rows" },
                rows.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    out
}
