//! Text and JSON views of catalog parts, for `gigapod catalog list` and `gigapod catalog show`.

use crate::catalog::{Catalog, Entry};
use crate::part::PartKind;
use serde_json::{Value, json};
use std::fmt::Write;

/// One line per part: id, kind, description.
pub fn list_text(cat: &Catalog, kind: Option<PartKind>) -> String {
    let entries: Vec<&Entry> = cat.iter(kind).collect();
    let width = entries
        .iter()
        .map(|e| e.part.id().as_str().len())
        .max()
        .unwrap_or(2)
        .max(2);
    let mut out = String::new();
    let _ = writeln!(out, "{:<width$}  {:<11}  description", "id", "kind");
    for e in entries {
        let origin = if e.origin.builtin {
            String::new()
        } else {
            format!("  (from {})", e.origin.file.name)
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<11}  {}{origin}",
            e.part.id().as_str(),
            e.part.kind(),
            e.part.description()
        );
    }
    for (a, k) in aliases_of(cat, kind) {
        let _ = writeln!(
            out,
            "{:<width$}  {:<11}  alias of `{}` for one release",
            a.id.as_str(),
            format!("{k} alias"),
            a.of
        );
    }
    out
}

/// The aliases whose part is of `kind` (or all), as `(alias, kind of the part it stands for)`.
fn aliases_of(cat: &Catalog, kind: Option<PartKind>) -> Vec<(&crate::parts::Alias, PartKind)> {
    cat.aliases()
        .filter_map(|a| cat.get(a.of.as_str()).map(|e| (a, e.part.kind())))
        .filter(|(_, k)| kind.is_none_or(|want| want == *k))
        .collect()
}

/// The alias line `catalog show` prints before the part an old id stands for, if `id` is an alias.
pub fn alias_text(cat: &Catalog, id: &str) -> Option<String> {
    cat.alias(id).map(|a| {
        format!(
            "`{id}` is an alias kept for one release: it stands for `{}`. {}\n",
            a.of, a.note
        )
    })
}

/// The listing as JSON: an array of `{id, kind, description, origin}`.
pub fn list_json(cat: &Catalog, kind: Option<PartKind>) -> Value {
    Value::Array(
        cat.iter(kind)
            .map(|e| json!({"id": e.part.id(), "kind": e.part.kind(), "description": e.part.description(), "origin": e.origin.file.name}))
            .collect(),
    )
}

/// [`show_json`] for the id asked: an alias adds `alias: {id, of, note}`.
pub fn show_json_for(cat: &Catalog, asked: &str, entry: &Entry) -> Value {
    let mut v = show_json(cat, entry);
    if let (Some(a), Value::Object(m)) = (cat.alias(asked), &mut v) {
        m.insert("alias".into(), json!({"id": a.id, "of": a.of, "note": a.note}));
    }
    v
}

/// [`show_text`] for the id asked: an alias is said first.
pub fn show_text_for(cat: &Catalog, asked: &str, entry: &Entry) -> String {
    let mut out = alias_text(cat, asked).unwrap_or_default();
    out.push_str(&show_text(cat, entry));
    out
}

/// A part as JSON: `{id, kind, origin, overrides, part: {...figures with value/source/estimate/note}, sources}`.
pub fn show_json(cat: &Catalog, entry: &Entry) -> Value {
    let sources: Vec<Value> = cited(cat, entry)
        .into_iter()
        .map(|id| match cat.source(&id) {
            Some(s) => json!({"id": s.id, "class": s.class, "title": s.title, "url": s.url}),
            None => json!({"id": id}),
        })
        .collect();
    json!({
        "id": entry.part.id(),
        "kind": entry.part.kind(),
        "origin": entry.origin.file.name,
        "overrides": entry.overrides,
        "part": entry.part,
        "sources": sources,
    })
}

/// A part as text: each figure on its own line with its source or its estimate mark, then the sources cited.
pub fn show_text(cat: &Catalog, entry: &Entry) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}): {}",
        entry.part.id(),
        entry.part.kind(),
        entry.part.description()
    );
    let _ = writeln!(out, "defined in {}", entry.origin.file.name);
    if let Some(o) = &entry.overrides {
        let _ = writeln!(out, "replaces the part of the same id in {o}");
    }
    let value = serde_json::to_value(&entry.part).unwrap_or_default();
    if let Value::Object(map) = value {
        for (k, v) in &map {
            if k == "id" || k == "description" {
                continue;
            }
            write_field(&mut out, k, v, 1);
        }
    }
    let cited = cited(cat, entry);
    if !cited.is_empty() {
        let _ = writeln!(out, "sources:");
        for id in cited {
            match cat.source(&id) {
                Some(s) => {
                    let url = s.url.as_deref().map(|u| format!(" <{u}>")).unwrap_or_default();
                    let _ = writeln!(out, "  {} [{}] {}{url}", s.id, s.class, s.title);
                }
                None => {
                    let _ = writeln!(out, "  {id} (not in the source list)");
                }
            }
        }
    }
    out
}

fn write_field(out: &mut String, key: &str, v: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    match v {
        Value::Object(m) if m.contains_key("value") => {
            let value = scalar(&m["value"]);
            let mut prov = Vec::new();
            if let Some(s) = m.get("source").and_then(Value::as_str) {
                prov.push(format!("source {s}"));
            }
            if m.get("estimate").and_then(Value::as_bool) == Some(true) {
                prov.push("ESTIMATE".to_string());
            }
            if prov.is_empty() {
                prov.push("no source given".to_string());
            }
            let note = m
                .get("note")
                .and_then(Value::as_str)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let _ = writeln!(out, "{pad}{key}: {value}  [{}]{note}", prov.join("; "));
        }
        Value::Object(m) => {
            let _ = writeln!(out, "{pad}{key}:");
            for (k, v) in m {
                write_field(out, k, v, depth + 1);
            }
        }
        Value::Array(a) if a.iter().all(Value::is_object) => {
            for (i, item) in a.iter().enumerate() {
                write_field(out, &format!("{key}[{i}]"), item, depth);
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{key}: {}", scalar(other));
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_f64()
            .map(crate::units::trim_float)
            .unwrap_or_else(|| n.to_string()),
        Value::Array(a) => format!("[{}]", a.iter().map(scalar).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// Sources in list order: `S..` (hardware-facts.md), `P..` (pod-facts.md), then the rest (`B..`), each by number.
fn source_order(id: &str) -> (u8, u32, String) {
    let class = match id.chars().next() {
        Some('S') => 0,
        Some('P') => 1,
        _ => 2,
    };
    let n = id.trim_start_matches(char::is_alphabetic).parse().unwrap_or(u32::MAX);
    (class, n, id.to_string())
}

fn cited(_cat: &Catalog, entry: &Entry) -> Vec<String> {
    let mut ids: Vec<String> = entry
        .part
        .sourced_figures()
        .into_iter()
        .filter_map(|(_, s, _)| s)
        .flat_map(|s| {
            s.split([',', ';'])
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    ids.sort_by_key(|s| source_order(s));
    ids.dedup();
    ids
}

/// The whole catalog as Markdown: a section per kind, each part with every figure and its provenance, then the
/// sources. `docs/catalog.md` is this text (a test keeps it in step with the data).
pub fn markdown_reference(cat: &Catalog) -> String {
    let mut out = String::from(
        "# Built-in catalog\n\nGenerated from `catalog/data/*.toml` by `gigapod_catalog::show::markdown_reference` \
         (regenerate: `UPDATE_DOCS=1 cargo test --test docs`). Each figure shows its source ids (see the list at \
         the end) or ESTIMATE with the reasoning. User catalogs (`--catalog FILE.toml`) use the same keys; a bare \
         value (`tdp_w = 700`) is accepted there, and a part with a built-in id replaces the built-in part whole.\n",
    );
    for kind in PartKind::ALL {
        let entries: Vec<&Entry> = cat.iter(Some(kind)).collect();
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {kind}\n");
        let _ = writeln!(out, "| id | description |\n|---|---|");
        for e in &entries {
            let _ = writeln!(
                out,
                "| `{}` | {} |",
                e.part.id(),
                e.part.description().replace('|', "/")
            );
        }
        for e in entries {
            let text = show_text(cat, e);
            let body = text.split("\nsources:").next().unwrap_or(&text);
            let _ = writeln!(out, "\n### `{}`\n\n```text\n{}\n```", e.part.id(), body.trim_end());
        }
    }
    let _ = writeln!(
        out,
        "\n## Aliases\n\nOld ids kept for one release; each stands for a real part, and a plan that uses one warns \
         (`catalog.alias`).\n\n| alias | stands for | why |\n|---|---|---|"
    );
    for a in cat.aliases() {
        let _ = writeln!(out, "| `{}` | `{}` | {} |", a.id, a.of, a.note.replace('|', "/"));
    }
    let _ = writeln!(
        out,
        "\n## Media rules\n\nVendor rules the media chooser obeys: at the rule's link speed (and protocol) the \
         forbidden media are never chosen, and with `no_downshift` parts rated at that speed never carry a slower link.\n"
    );
    for r in cat.media_rules() {
        let forbid: Vec<String> = r.forbid.value.iter().map(|m| m.to_string()).collect();
        let _ = writeln!(
            out,
            "### `{}`\n\n```text\n{}\nspeed_gbps: {}  {}\nprotocol: {}\nforbid: [{}]  {}{}\nno_downshift: {}  {}{}\n```\n",
            r.id,
            r.description,
            r.speed_gbps.value.0,
            r.speed_gbps.provenance(),
            r.protocol.as_deref().unwrap_or("any"),
            forbid.join(", "),
            r.forbid.provenance(),
            r.forbid.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default(),
            r.no_downshift.value,
            r.no_downshift.provenance(),
            r.no_downshift
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
        );
    }
    let _ = writeln!(
        out,
        "\n## Boards (server internals)\n\nA server's `board`: CPU sockets, PCIe switches with their upstream socket, \
         generation and lanes, and the GPUs, fabric NICs, storage NICs and NVMe drives below each (devices numbered \
         from 0; GPU i and fabric NIC i are rail i). The `server.*` checks (docs/checks.md) and `gigapod verify \
         --nvidia-smi-topo` (docs/verify.md) read them.\n"
    );
    for b in cat.boards() {
        let link = |l: &crate::Sourced<crate::PcieLink>| {
            format!(
                "Gen{} x{}  {}{}",
                l.value.generation,
                l.value.lanes,
                l.provenance(),
                l.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
            )
        };
        let _ = writeln!(
            out,
            "### `{}`\n\n```text\n{}\nnuma_nodes: {}  {}\ngpu_link: {}\nnic_slot: {}\nstorage_slot: {}\niommu: {}  {}{}\npcie_switches:  {}{}",
            b.id,
            b.description,
            b.numa_nodes.value,
            b.numa_nodes.provenance(),
            link(&b.gpu_link),
            link(&b.nic_slot),
            link(&b.storage_slot),
            b.iommu.value,
            b.iommu.provenance(),
            b.iommu.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default(),
            b.pcie_switches.provenance(),
            b.pcie_switches
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
        );
        for sw in &b.pcie_switches.value {
            let _ = writeln!(
                out,
                "  {}: socket {}, Gen{} x{} up; GPUs {:?}, fabric NICs {:?}, storage NICs {:?}, NVMe {}",
                sw.name, sw.socket, sw.generation, sw.upstream_lanes, sw.gpus, sw.fabric_nics, sw.storage_nics, sw.nvme
            );
        }
        if b.integrated_fabric {
            let _ = writeln!(out, "  (the fabric ports are on the accelerators)");
        }
        let _ = writeln!(out, "```\n");
    }
    let _ = writeln!(out, "\n## Sources\n\n| id | class | title | where |\n|---|---|---|---|");
    let mut sources: Vec<_> = cat.sources().collect();
    sources.sort_by_key(|s| {
        let class = match s.id.chars().next() {
            Some('S') => 0,
            Some('P') => 1,
            _ => 2,
        };
        (
            class,
            s.id.trim_start_matches(['S', 'B', 'P']).parse::<u32>().unwrap_or(0),
        )
    });
    for s in sources {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            s.id,
            s.class,
            s.title.replace('|', "/"),
            s.url.as_deref().unwrap_or("").replace('|', "/")
        );
    }
    out
}
