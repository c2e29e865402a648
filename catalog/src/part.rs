//! One enum over every part kind, for listing, showing and validating parts without knowing their type.

use crate::diagnostic::KeyPath;
use crate::form::CageForm;
use crate::parts::*;
use serde::Serialize;
use std::fmt;

/// The kinds of part, as named in TOML (`[[server]]`) and on the command line (`--kind server`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartKind {
    /// [`Gpu`]
    Gpu,
    /// [`Server`]
    Server,
    /// [`Switch`]
    Switch,
    /// [`Nic`]
    Nic,
    /// [`Transceiver`]
    Transceiver,
    /// [`Cable`]
    Cable,
    /// [`Psu`]
    Psu,
    /// [`Rack`]
    Rack,
    /// [`Cooling`]
    Cooling,
    /// [`Pdu`]
    Pdu,
    /// [`Appliance`]
    Appliance,
}

impl PartKind {
    /// Every kind, in catalog order.
    pub const ALL: [PartKind; 11] = [
        PartKind::Server,
        PartKind::Gpu,
        PartKind::Switch,
        PartKind::Nic,
        PartKind::Transceiver,
        PartKind::Cable,
        PartKind::Psu,
        PartKind::Rack,
        PartKind::Cooling,
        PartKind::Pdu,
        PartKind::Appliance,
    ];

    /// The TOML table name and CLI name.
    pub fn name(self) -> &'static str {
        match self {
            PartKind::Gpu => "gpu",
            PartKind::Server => "server",
            PartKind::Switch => "switch",
            PartKind::Nic => "nic",
            PartKind::Transceiver => "transceiver",
            PartKind::Cable => "cable",
            PartKind::Psu => "psu",
            PartKind::Rack => "rack",
            PartKind::Cooling => "cooling",
            PartKind::Pdu => "pdu",
            PartKind::Appliance => "appliance",
        }
    }

    /// Parses a kind name.
    pub fn parse(s: &str) -> Option<PartKind> {
        PartKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

impl fmt::Display for PartKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Any part.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(missing_docs)]
// A catalog holds tens of parts: boxing the large variants would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
pub enum AnyPart {
    Gpu(Gpu),
    Server(Server),
    Switch(Switch),
    Nic(Nic),
    Transceiver(Transceiver),
    Cable(Cable),
    Psu(Psu),
    Rack(Rack),
    Cooling(Cooling),
    Pdu(Pdu),
    Appliance(Appliance),
}

/// A problem found in a part after parsing: where (relative to the part) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct PartProblem {
    /// Key path inside the part, e.g. `gpu_count`.
    pub key: KeyPath,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub help: Option<String>,
}

/// A reference from a part to another part, checked once every file is merged.
#[derive(Debug, Clone, PartialEq)]
pub struct PartRef<'a> {
    /// Key inside the part.
    pub key: &'static str,
    /// The id referred to.
    pub id: &'a PartId,
    /// The kind it must be.
    pub kind: PartKind,
}

impl AnyPart {
    /// Its id.
    pub fn id(&self) -> &PartId {
        match self {
            AnyPart::Gpu(p) => &p.id,
            AnyPart::Server(p) => &p.id,
            AnyPart::Switch(p) => &p.id,
            AnyPart::Nic(p) => &p.id,
            AnyPart::Transceiver(p) => &p.id,
            AnyPart::Cable(p) => &p.id,
            AnyPart::Psu(p) => &p.id,
            AnyPart::Rack(p) => &p.id,
            AnyPart::Cooling(p) => &p.id,
            AnyPart::Pdu(p) => &p.id,
            AnyPart::Appliance(p) => &p.id,
        }
    }

    /// Its kind.
    pub fn kind(&self) -> PartKind {
        match self {
            AnyPart::Gpu(_) => PartKind::Gpu,
            AnyPart::Server(_) => PartKind::Server,
            AnyPart::Switch(_) => PartKind::Switch,
            AnyPart::Nic(_) => PartKind::Nic,
            AnyPart::Transceiver(_) => PartKind::Transceiver,
            AnyPart::Cable(_) => PartKind::Cable,
            AnyPart::Psu(_) => PartKind::Psu,
            AnyPart::Rack(_) => PartKind::Rack,
            AnyPart::Cooling(_) => PartKind::Cooling,
            AnyPart::Pdu(_) => PartKind::Pdu,
            AnyPart::Appliance(_) => PartKind::Appliance,
        }
    }

    /// Its one-line description.
    pub fn description(&self) -> &str {
        match self {
            AnyPart::Gpu(p) => &p.description,
            AnyPart::Server(p) => &p.description,
            AnyPart::Switch(p) => &p.description,
            AnyPart::Nic(p) => &p.description,
            AnyPart::Transceiver(p) => &p.description,
            AnyPart::Cable(p) => &p.description,
            AnyPart::Psu(p) => &p.description,
            AnyPart::Rack(p) => &p.description,
            AnyPart::Cooling(p) => &p.description,
            AnyPart::Pdu(p) => &p.description,
            AnyPart::Appliance(p) => &p.description,
        }
    }

    /// The ids this part refers to.
    pub fn references(&self) -> Vec<PartRef<'_>> {
        match self {
            AnyPart::Server(s) => {
                let mut v = vec![
                    PartRef {
                        key: "gpu",
                        id: &s.gpu,
                        kind: PartKind::Gpu,
                    },
                    PartRef {
                        key: "fabric_nic",
                        id: &s.fabric_nic,
                        kind: PartKind::Nic,
                    },
                    PartRef {
                        key: "psu",
                        id: &s.psu,
                        kind: PartKind::Psu,
                    },
                ];
                if let Some(n) = &s.storage_nic {
                    v.push(PartRef {
                        key: "storage_nic",
                        id: n,
                        kind: PartKind::Nic,
                    });
                }
                v
            }
            _ => Vec::new(),
        }
    }

    /// Checks that quantities are positive and internally consistent. References are checked by the catalog.
    pub fn problems(&self) -> Vec<PartProblem> {
        let mut c = Checker::default();
        match self {
            AnyPart::Gpu(g) => {
                c.positive("tdp_w", g.tdp_w.value.0);
                c.positive("memory_gb", g.memory_gb.value.0);
                c.gpu_sharing(g);
            }
            AnyPart::Server(s) => {
                c.positive("gpu_count", s.gpu_count.value.into());
                c.positive("cpu_count", s.cpu_count.value.into());
                c.positive("cpu_tdp_w", s.cpu_tdp_w.value.0);
                c.positive("fabric_nic_count", s.fabric_nic_count.value.into());
                c.positive("psu_count", s.psu_count.value.into());
                c.rack_units("rack_units", s.rack_units.value.0);
                c.positive("weight_kg", s.weight_kg.value.0);
                if s.psu_redundant.value >= s.psu_count.value {
                    c.problem(
                        "psu_redundant",
                        format!(
                            "{} redundant supplies out of {} leaves none to carry the load",
                            s.psu_redundant.value, s.psu_count.value
                        ),
                        "psu_redundant must be smaller than psu_count (a G593 is 4+2: psu_count = 6, psu_redundant = 2)",
                    );
                }
                if let Some(p) = &s.max_power_w {
                    c.positive("max_power_w", p.value.0);
                }
                if let Some(p) = &s.typical_power_w {
                    c.positive("typical_power_w", p.value.0);
                    if let Some(m) = &s.max_power_w
                        && p.value > m.value
                    {
                        c.problem(
                            "typical_power_w",
                            format!("typical power {} is above the maximum {}", p.value, m.value),
                            "typical power is the sustained draw and cannot exceed the maximum",
                        );
                    }
                }
                if let Some(p) = &s.platform_power_w {
                    c.non_negative("platform_power_w", p.value.0);
                }
                if s.max_power_w.is_none() && s.platform_power_w.is_none() {
                    c.problem(
                        "max_power_w",
                        "the server has neither max_power_w nor platform_power_w, so its power cannot be known".into(),
                        "give max_power_w (nameplate), or platform_power_w (fans, memory, drives, baseboard) to derive it from the parts",
                    );
                }
                if s.storage_nic.is_some() != s.storage_nic_count.is_some() {
                    c.problem(
                        "storage_nic",
                        "storage_nic and storage_nic_count must be given together".into(),
                        "give both keys or neither",
                    );
                }
                if s.fabric_cage_form.is_some() != s.fabric_ports_per_cage.is_some() {
                    c.problem(
                        "fabric_cage_form",
                        "fabric_cage_form and fabric_ports_per_cage must be given together".into(),
                        "give both keys (e.g. \"osfp-twin\" and 2) or neither",
                    );
                }
                if let Some(p) = &s.fabric_ports_per_cage {
                    c.positive("fabric_ports_per_cage", p.value.into());
                    if p.value > 0 && !s.fabric_nic_count.value.is_multiple_of(p.value) {
                        c.problem(
                            "fabric_ports_per_cage",
                            format!(
                                "{} fabric NICs do not fill cages of {} ports",
                                s.fabric_nic_count.value, p.value
                            ),
                            "fabric_nic_count must be a multiple of fabric_ports_per_cage",
                        );
                    }
                }
                if let Some(n) = &s.storage_nic_count {
                    c.positive("storage_nic_count", n.value.into());
                }
                if let Some(d) = &s.rack_densities
                    && (d.value.is_empty() || d.value.contains(&0))
                {
                    c.problem(
                        "rack_densities",
                        format!(
                            "rack_densities must list one or more positive counts, found {:?}",
                            d.value
                        ),
                        "give the servers per rack the vendor's designs use, e.g. [1, 2, 4], or leave the key out",
                    );
                }
                if s.power_includes_pluggables.as_ref().is_some_and(|f| f.value) && s.max_power_w.is_none() {
                    c.problem(
                        "power_includes_pluggables",
                        "a power derived from the parts cannot include the pluggable modules".into(),
                        "give the vendor's max_power_w, or leave power_includes_pluggables out",
                    );
                }
            }
            AnyPart::Switch(s) => {
                if s.port_group.is_empty() {
                    c.problem(
                        "port_group",
                        "a switch needs at least one port group".into(),
                        "add [[switch.port_group]]",
                    );
                }
                let mut ports = 0u64;
                for (i, g) in s.port_group.iter().enumerate() {
                    c.positive_at(
                        KeyPath::root().key("port_group").index(i),
                        "cages",
                        g.cages.value.into(),
                    );
                    let per_cage = g.modes.iter().map(|m| u64::from(m.ports_per_cage)).max().unwrap_or(0);
                    ports += u64::from(g.cages.value) * per_cage;
                    if g.modes.is_empty() {
                        c.problem(
                            "port_group",
                            format!("port group {i} has no modes"),
                            "add modes = [{ speed_gbps = 400, ports_per_cage = 2 }]",
                        );
                    }
                    for (j, m) in g.modes.iter().enumerate() {
                        let path = KeyPath::root().key("port_group").index(i).key("modes").index(j);
                        c.positive_at(path.clone(), "speed_gbps", m.speed_gbps.0 as f64);
                        c.positive_at(path, "ports_per_cage", m.ports_per_cage.into());
                    }
                }
                if ports > MAX_SWITCH_PORTS {
                    c.problem(
                        "port_group",
                        format!(
                            "{ports} logical ports is beyond any switch (the planner takes at most {MAX_SWITCH_PORTS})"
                        ),
                        "check the cages and ports_per_cage figures",
                    );
                }
                if s.cooling == Some(CoolingKind::Liquid)
                    && let Some(i) = s
                        .port_group
                        .iter()
                        .position(|g| g.heat_sink.as_ref().is_some_and(|h| h.value == HeatSink::Finned))
                {
                    c.problems.push(PartProblem {
                        key: KeyPath::root().key("port_group").index(i).key("heat_sink"),
                        message: "a liquid-cooled switch's cages take flat-top modules, not finned ones".into(),
                        help: Some(
                            "set heat_sink = \"flat\" (or leave it out: liquid-cooled cages default to flat)".into(),
                        ),
                    });
                }
                c.rack_units("rack_units", s.rack_units.value.0);
                c.positive("weight_kg", s.weight_kg.value.0);
                c.positive("typical_power_w", s.typical_power_w.value.0);
                c.positive("max_power_w", s.max_power_w.value.0);
                if s.typical_power_w.value > s.max_power_w.value {
                    c.problem(
                        "typical_power_w",
                        "typical power is above the maximum".into(),
                        "typical power cannot exceed max_power_w",
                    );
                }
            }
            AnyPart::Nic(n) => {
                c.positive("ports", n.ports.value.into());
                c.positive("port_speed_gbps", n.port_speed_gbps.value.0 as f64);
                // Zero for ports that belong to the accelerator (Gaudi 3): their power is in its TDP.
                c.non_negative("power_w", n.power_w.value.0);
            }
            AnyPart::Transceiver(t) => {
                c.positive("links", t.links.value.into());
                c.positive("speed_gbps", t.speed_gbps.value.0 as f64);
                c.positive("reach_m", t.reach_m.value.0);
                c.non_negative("power_w", t.power_w.value.0);
            }
            AnyPart::Cable(cb) => {
                c.positive("links", cb.links.value.into());
                c.positive("speed_gbps", cb.speed_gbps.value.0 as f64);
                c.non_negative("power_per_end_w", cb.power_per_end_w.value.0);
                if cb.lengths_m.value.is_empty() {
                    c.problem(
                        "lengths_m",
                        "a cable needs at least one orderable length".into(),
                        "lengths_m = [1.0, 2.0]",
                    );
                }
                for l in &cb.lengths_m.value {
                    c.positive("lengths_m", l.0);
                }
                if cb.media == CableMedia::Fiber && cb.fiber.is_none() {
                    c.problem(
                        "fiber",
                        "a fibre cable must say its fibre type".into(),
                        "fiber = \"multimode\" or \"singlemode\"",
                    );
                }
            }
            AnyPart::Psu(p) => c.positive("rating_w", p.rating_w.value.0),
            AnyPart::Rack(r) => {
                c.rack_units("rack_units", r.rack_units.value.0);
                c.positive("width_mm", r.width_mm.value.0);
                c.positive("depth_mm", r.depth_mm.value.0);
                c.positive("max_weight_kg", r.max_weight_kg.value.0);
            }
            AnyPart::Cooling(k) => {
                c.positive("rack_kw_min", k.rack_kw_min.value.0);
                c.positive("rack_kw_max", k.rack_kw_max.value.0);
                c.positive("default_rack_limit_kw", k.default_rack_limit_kw.value.0);
                if k.rack_kw_min.value > k.rack_kw_max.value {
                    c.problem(
                        "rack_kw_min",
                        "rack_kw_min is above rack_kw_max".into(),
                        "swap the two figures",
                    );
                }
                if let Some(f) = &k.liquid_heat_fraction
                    && !(f.value > 0.0 && f.value <= 1.0)
                {
                    c.problem(
                        "liquid_heat_fraction",
                        format!("{} is not a share in (0, 1]", f.value),
                        "give the share of heat into the liquid, e.g. 0.8",
                    );
                }
                if k.kind == CoolingKind::Liquid && k.liquid_heat_fraction.is_none() {
                    c.problem(
                        "liquid_heat_fraction",
                        "liquid cooling needs the share of heat that goes into the liquid".into(),
                        "add liquid_heat_fraction = 0.8",
                    );
                }
                if let Some(l) = &k.room_air_limit_kw {
                    c.positive("room_air_limit_kw", l.value.0);
                }
            }
            AnyPart::Appliance(a) => {
                c.rack_units("rack_units", a.rack_units.value.0);
                c.positive("weight_kg", a.weight_kg.value.0);
                c.positive("max_power_w", a.max_power_w.value.0);
                c.positive("psu_count", a.psu_count.value.into());
            }
            AnyPart::Pdu(p) => {
                if p.phases.value != 1 && p.phases.value != 3 {
                    c.problem("phases", format!("{} phases", p.phases.value), "phases is 1 or 3");
                }
                c.positive("voltage_v", p.voltage_v.value);
                c.positive("current_a", p.current_a.value);
                c.positive("outlets", p.outlets.value.into());
                if !(p.continuous_fraction.value > 0.0 && p.continuous_fraction.value <= 1.0) {
                    c.problem(
                        "continuous_fraction",
                        "not a share in (0, 1]".into(),
                        "e.g. 0.8 under the 80 % rule",
                    );
                }
            }
        }
        self.form_problems(&mut c);
        c.problems
    }

    /// Every cage and connector form the part names must be one of [`CageForm`]'s.
    fn form_problems(&self, c: &mut Checker) {
        let mut cage = |path: KeyPath, form: &str, end: bool| {
            let ok = if end {
                CageForm::parse_end(form).is_some()
            } else {
                CageForm::parse(form).is_some_and(|f| !f.is_fibre_connector())
            };
            if !ok {
                let names: Vec<&str> = CageForm::names().collect();
                let help = match crate::diagnostic::did_you_mean(form, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? The forms are: {}", names.join(", ")),
                    None => format!(
                        "use one of: {}{}",
                        names.join(", "),
                        if end {
                            " (or `2x mpo-12` for a breakout's ends)"
                        } else {
                            ""
                        }
                    ),
                };
                c.problems.push(PartProblem {
                    key: path,
                    message: format!("`{form}` is not a {} form", if end { "connector" } else { "cage" }),
                    help: Some(help),
                });
            }
        };
        match self {
            AnyPart::Switch(s) => {
                for (i, g) in s.port_group.iter().enumerate() {
                    cage(KeyPath::root().key("port_group").index(i).key("form"), &g.form, false);
                }
            }
            AnyPart::Nic(n) => cage(KeyPath::root().key("form"), &n.form, false),
            AnyPart::Transceiver(t) => cage(KeyPath::root().key("form"), &t.form, false),
            AnyPart::Server(s) => {
                if let Some(f) = &s.fabric_cage_form {
                    cage(KeyPath::root().key("fabric_cage_form"), f, false);
                }
            }
            AnyPart::Cable(cb) => {
                cage(KeyPath::root().key("end_a"), &cb.end_a, true);
                cage(KeyPath::root().key("end_b"), &cb.end_b, true);
            }
            _ => {}
        }
    }

    /// Every sourced figure of the part as `(key, source, estimate)`, for provenance checks and display.
    pub fn sourced_figures(&self) -> Vec<(String, Option<String>, bool)> {
        let json = serde_json::to_value(self).unwrap_or_default();
        let mut out = Vec::new();
        collect_sourced(&json, String::new(), &mut out);
        out
    }
}

/// Every sourced figure in a JSON value as `(key, source)` (figures without a source left out).
pub(crate) fn collect_sourced_pub(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    let mut all = Vec::new();
    collect_sourced(v, String::new(), &mut all);
    out.extend(all.into_iter().filter_map(|(k, s, _)| s.map(|s| (k, s))));
}

fn collect_sourced(v: &serde_json::Value, prefix: String, out: &mut Vec<(String, Option<String>, bool)>) {
    match v {
        serde_json::Value::Object(m) if m.contains_key("value") && !m.contains_key("id") => {
            let source = m.get("source").and_then(|s| s.as_str()).map(str::to_string);
            let estimate = m.get("estimate").and_then(|e| e.as_bool()).unwrap_or(false);
            out.push((prefix, source, estimate));
        }
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_sourced(v, key, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                collect_sourced(v, format!("{prefix}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// No catalog figure (watts, kilograms, metres, gigabytes...) reaches this: larger values are typing mistakes,
/// and refusing them keeps every sum and every printed figure sane.
pub const MAX_FIGURE: f64 = 1e9;
/// Taller than any rack or device.
pub const MAX_RACK_UNITS: u32 = 100;
/// More logical ports than any switch has (a 144-port XDR switch split to 200G has 576).
pub const MAX_SWITCH_PORTS: u64 = 100_000;

#[derive(Default)]
struct Checker {
    problems: Vec<PartProblem>,
}

impl Checker {
    fn problem(&mut self, key: &str, message: String, help: &str) {
        self.problems.push(PartProblem {
            key: KeyPath::root().key(key),
            message,
            help: Some(help.to_string()),
        });
    }

    fn problem_at(&mut self, dotted: &str, message: String, help: &str) {
        self.problems.push(PartProblem {
            key: KeyPath::dotted(dotted),
            message,
            help: Some(help.to_string()),
        });
    }

    fn positive(&mut self, key: &str, value: f64) {
        self.positive_at(KeyPath::root(), key, value);
    }

    fn positive_at(&mut self, base: KeyPath, key: &str, value: f64) {
        let path = base.key(key);
        if value.is_nan() || value <= 0.0 {
            self.problems.push(PartProblem {
                key: path,
                message: format!("`{key}` must be positive, found {value}"),
                help: Some("give a quantity greater than zero".into()),
            });
        } else if value > MAX_FIGURE {
            self.problems.push(PartProblem {
                key: path,
                message: format!("`{key}` = {value:e} is beyond any real part"),
                help: Some(format!(
                    "catalog figures are at most {MAX_FIGURE:e} in their unit: check the unit in the key name"
                )),
            });
        }
    }

    /// MIG and vGPU tables: slices within the GPU, placements inside it, sizes a packing can enumerate.
    fn gpu_sharing(&mut self, g: &crate::parts::Gpu) {
        const MOST: usize = 16;
        if let Some(m) = &g.mig
            && let Some(p) = &m.profiles
        {
            let slots = m.memory_slots.unwrap_or(0);
            if !(1..=16).contains(&slots) {
                self.problem_at(
                    "mig.memory_slots",
                    format!("a MIG GPU with profiles needs 1 to 16 memory slices, found {slots}"),
                    "give the GPU's memory slices (8 on Hopper and Blackwell)",
                );
            }
            if p.value.len() > MOST {
                self.problem_at(
                    "mig.profiles",
                    format!("{} MIG profiles; at most {MOST}", p.value.len()),
                    "list the GPU's profiles only",
                );
            }
            for prof in &p.value {
                let bad_place = prof.placements.iter().any(|&s| s + prof.memory_slots > slots);
                if prof.compute_slices == 0
                    || prof.compute_slices > 7
                    || prof.memory_slots == 0
                    || prof.max_instances == 0
                    || prof.placements.is_empty()
                    || prof.placements.len() > MOST
                    || bad_place
                    || !(prof.memory_gb.0.is_finite() && prof.memory_gb.0 > 0.0)
                {
                    self.problem_at(
                        "mig.profiles",
                        format!(
                            "MIG profile `{}` is not a partition of the GPU (compute 1 to 7, memory slices and placements inside the {slots} slices, at least one instance)",
                            prof.name
                        ),
                        "copy the profile from `nvidia-smi mig -lgip` / `-lgipp`",
                    );
                }
            }
        }
        if let Some(v) = &g.vgpu
            && let Some(p) = &v.time_sliced
        {
            if p.value.len() > MOST {
                self.problem_at(
                    "vgpu.time_sliced",
                    format!("{} vGPU types; at most {MOST}", p.value.len()),
                    "list the GPU's types only",
                );
            }
            for prof in &p.value {
                if prof.max_per_gpu == 0
                    || prof.max_per_gpu > 64
                    || !(prof.memory_gb.0.is_finite()
                        && prof.memory_gb.0 > 0.0
                        && prof.memory_gb.0 <= g.memory_gb.value.0)
                {
                    self.problem_at(
                        "vgpu.time_sliced",
                        format!(
                            "vGPU type `{}` needs a frame buffer within the GPU's memory and 1 to 64 per GPU",
                            prof.name
                        ),
                        "copy the type from NVIDIA's vGPU type table",
                    );
                }
            }
        }
    }

    fn rack_units(&mut self, key: &str, u: u32) {
        self.positive(key, u.into());
        if u > MAX_RACK_UNITS {
            self.problem(
                key,
                format!("{u} U is taller than any rack"),
                &format!("give at most {MAX_RACK_UNITS} U"),
            );
        }
    }

    fn non_negative(&mut self, key: &str, value: f64) {
        if value.is_nan() || value < 0.0 || value.is_infinite() {
            self.problem(
                key,
                format!("`{key}` must not be negative, found {value}"),
                "give zero or more",
            );
        }
    }
}
