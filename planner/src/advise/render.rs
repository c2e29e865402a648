//! The strategies as text, CSV and an SVG chart.

use super::{Advice, Strategy};
use crate::text::{thousands, xml_escape};
use std::fmt::Write;

fn usd(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("${}", thousands(v.max(0.0).round() as u64)))
}

fn opt(x: Option<u64>) -> String {
    x.map_or("-".into(), |v| v.to_string())
}

/// The side-by-side table, each strategy's packing and checks, and the decision.
pub fn to_text(a: &Advice) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "advise    {} ({} x {} per server), {:.0} useful GPU-hours a year",
        a.server_id, a.gpus_per_server, a.gpu_id, a.useful_gpu_hours_per_year
    );
    let _ = writeln!(
        s,
        "\n{:<12} {:<9} {:>6} {:>7} {:>8} {:>16} {:>11} {:>6}",
        "strategy", "feasible", "GPUs", "bound", "servers", "TCO", "$/GPU-hour", "util"
    );
    for st in &a.strategies {
        let _ = writeln!(
            s,
            "{:<12} {:<9} {:>6} {:>7} {:>8} {:>16} {:>11} {:>6}",
            st.name.to_string() + &st.shared_mode.map_or(String::new(), |m| format!("+{m}")),
            if st.feasible { "yes" } else { "no" },
            opt(st.gpus),
            opt(st.gpus_lower_bound),
            opt(st.servers),
            usd(st.tco_usd) + if st.unpriced.is_empty() { " " } else { "*" },
            st.usd_per_gpu_hour.map_or("-".into(), |v| format!("{v:.2}")),
            st.utilisation.map_or("-".into(), |u| format!("{:.0} %", u * 100.0)),
        );
    }
    for st in &a.strategies {
        let _ = writeln!(s, "\n{}: {}", st.name, st.why);
        strategy_detail(&mut s, st);
    }
    if a.strategies.iter().any(|st| !st.unpriced.is_empty()) {
        let _ = writeln!(
            s,
            "* incomplete: parts without a price are left out of the TCO (see each strategy's cost line)"
        );
    }
    let _ = writeln!(
        s,
        "\ncheapest per useful GPU-hour: {}\ndecided by: {}",
        a.cheapest.map_or("none".into(), |n| n.to_string()),
        a.decided_by
    );
    s
}

fn strategy_detail(s: &mut String, st: &Strategy) {
    for p in &st.partitions {
        let _ = writeln!(
            s,
            "  {} servers in {} mode: {} GPUs (lower bound {}, {}{})",
            p.servers,
            p.mode,
            p.gpus,
            p.gpus_lower_bound,
            match p.method {
                super::Method::Exact => "exact integer program",
                super::Method::LpRounding => "LP rounded up",
            },
            if p.buffer_gpus > 0 {
                format!(", {} of them the burst buffer", p.buffer_gpus)
            } else {
                String::new()
            }
        );
        for c in &p.configs {
            let _ = writeln!(s, "    {:>6} GPUs as [{}]", c.gpus, c.layout);
        }
        for pl in &p.placements {
            let _ = writeln!(s, "    {:>6} x {:<18} {}", pl.units, pl.instance, pl.workload);
        }
    }
    if let Some(l) = &st.licences {
        let _ = writeln!(
            s,
            "  licences: NVIDIA AI Enterprise on {} GPUs at ${}/GPU/year, hypervisor on {} hosts: ${} a year, ${} once",
            l.nvaie_gpus,
            thousands(l.nvaie_usd_per_gpu_year.round() as u64),
            l.hypervisor_hosts,
            thousands(l.opex_usd_per_year.round() as u64),
            thousands(l.capex_usd.round() as u64)
        );
    }
    if let Some(p) = &st.plan {
        let _ = writeln!(
            s,
            "  plan: {} servers, {} fabric switches, {} racks, {:.1} kW IT; checks {} pass, {} warn, {} fail",
            p.servers, p.switches, p.racks, p.it_kw, p.checks[0], p.checks[1], p.checks[2]
        );
    }
    if let Some(c) = &st.cost {
        let _ = writeln!(
            s,
            "  cost: CapEx {} + OpEx {} a year (energy {}) over {} years{}",
            usd(Some(c.capex.total_usd)),
            usd(Some(c.opex_per_year.total_usd)),
            usd(Some(c.opex_per_year.energy_usd)),
            c.years,
            if c.complete {
                String::new()
            } else {
                format!("; incomplete: no price for {}", c.unpriced.join(", "))
            }
        );
    }
    for c in &st.checks {
        let _ = writeln!(s, "  {:<5} {:<22} {}", c.status, c.id, c.message);
    }
}

/// One row per strategy.
pub fn to_csv(a: &Advice) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "name",
        "feasible",
        "why",
        "gpus",
        "gpus_lower_bound",
        "servers",
        "tco_usd",
        "usd_per_gpu_hour",
        "utilisation",
        "totals_complete",
    ])?;
    for st in &a.strategies {
        w.write_record([
            st.name.to_string(),
            st.feasible.to_string(),
            st.why.clone(),
            st.gpus.map_or(String::new(), |v| v.to_string()),
            st.gpus_lower_bound.map_or(String::new(), |v| v.to_string()),
            st.servers.map_or(String::new(), |v| v.to_string()),
            st.tco_usd.map_or(String::new(), |v| format!("{v:.2}")),
            st.usd_per_gpu_hour.map_or(String::new(), |v| format!("{v:.4}")),
            st.utilisation.map_or(String::new(), |v| format!("{v:.4}")),
            st.cost.as_ref().map_or(String::new(), |c| c.complete.to_string()),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Bars of GPUs (with the lower bound marked) and of cost per useful GPU-hour, per strategy.
pub fn chart_svg(a: &Advice) -> String {
    type Measure = (&'static str, fn(&Strategy) -> Option<f64>);
    let measures: [Measure; 3] = [
        ("GPUs (line: lower bound)", |s| s.gpus.map(|g| g as f64)),
        ("servers", |s| s.servers.map(|g| g as f64)),
        ("$ per useful GPU-hour", |s| s.usd_per_gpu_hour),
    ];
    let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"];
    let n = a.strategies.len().max(1) as f64;
    let (panel_w, panel_h, top, left) = (260.0, 200.0, 70.0, 30.0);
    let width = left * 2.0 + panel_w * measures.len() as f64;
    let height = top + panel_h + 60.0 + 20.0 * n;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="{}" y="24" text-anchor="middle" font-size="15">Strategies for the workloads on {}</text><text x="{}" y="44" text-anchor="middle">cheapest per useful GPU-hour: {}</text>"##,
        width / 2.0,
        xml_escape(&a.server_id),
        width / 2.0,
        xml_escape(&a.cheapest.map_or("none".into(), |c| c.to_string()))
    );
    if a.strategies.iter().any(|st| !st.unpriced.is_empty()) {
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#a00">costs incomplete: parts without a price are left out</text>"##,
            left + panel_w * 2.5,
            top - 24.0
        );
    }
    for (m, (name, f)) in measures.iter().enumerate() {
        let x0 = left + panel_w * m as f64;
        let max = a.strategies.iter().filter_map(f).fold(0.0, f64::max).max(1e-9);
        let bar_w = (panel_w - 40.0) / n;
        let base = top + panel_h;
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" text-anchor="middle" font-size="13">{name}</text><line x1="{}" y1="{base}" x2="{}" y2="{base}" stroke="#444"/>"##,
            x0 + panel_w / 2.0,
            top - 8.0,
            x0 + 10.0,
            x0 + panel_w - 10.0
        );
        for (i, st) in a.strategies.iter().enumerate() {
            let x = x0 + 20.0 + bar_w * i as f64;
            match f(st) {
                Some(v) => {
                    let h = v / max * (panel_h - 20.0);
                    let label = if v >= 100.0 || v.fract() == 0.0 {
                        format!("{v:.0}")
                    } else {
                        format!("{v:.2}")
                    };
                    let _ = write!(
                        s,
                        r##"<rect x="{x}" y="{}" width="{}" height="{h}" fill="{}"/><text x="{}" y="{}" text-anchor="middle">{label}</text>"##,
                        base - h,
                        bar_w * 0.8,
                        colours[i % colours.len()],
                        x + bar_w * 0.4,
                        base - h - 4.0
                    );
                    if m == 0
                        && let Some(lb) = st.gpus_lower_bound
                    {
                        let y = base - lb as f64 / max * (panel_h - 20.0);
                        let _ = write!(
                            s,
                            r##"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="black" stroke-width="2" stroke-dasharray="4 2"/>"##,
                            x + bar_w * 0.8
                        );
                    }
                }
                None => {
                    let _ = write!(
                        s,
                        r##"<text x="{}" y="{}" text-anchor="middle" fill="#888">n/a</text>"##,
                        x + bar_w * 0.4,
                        base - 6.0
                    );
                }
            }
        }
    }
    for (i, st) in a.strategies.iter().enumerate() {
        let y = top + panel_h + 30.0 + 20.0 * i as f64;
        let why = if st.why.chars().count() > 120 {
            format!("{}...", st.why.chars().take(120).collect::<String>())
        } else {
            st.why.clone()
        };
        let _ = write!(
            s,
            r##"<rect x="{left}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{y}">{}{}: {}</text>"##,
            y - 10.0,
            colours[i % colours.len()],
            left + 18.0,
            xml_escape(&st.name.to_string()),
            if st.feasible { "" } else { " (infeasible)" },
            xml_escape(&why)
        );
    }
    s.push_str("</svg>\n");
    s
}
