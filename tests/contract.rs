//! The report keys of docs/contract.md exist in report.json: the key list is read from the contract itself, so
//! the contract and the code cannot drift apart silently.

use std::path::Path;
use std::process::Command;

/// Expands `fabric.switches.leaf / .spine / .core / .total` into four paths, `racks.list[] {id, kind}` into the
/// array path and its item keys.
fn contract_paths() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/contract.md")).unwrap();
    let block = text.split("## report.json").nth(1).unwrap();
    let block = block.split("```").nth(1).unwrap();
    let mut out = Vec::new();
    for line in block.lines().map(str::trim).filter(|l| !l.is_empty()) {
        // `path[, path...]` or `path / .alt / .alt`, then two spaces and a description.
        let head = line.split("  ").next().unwrap().trim();
        let head = head.split(" {").next().unwrap().trim();
        let brace = line.find("[]").and_then(|i| line[i..].find('{').map(|j| i + j));
        let item_keys: Vec<String> = match (brace, line.rfind('}')) {
            (Some(i), Some(j)) if j > i => line[i + 1..j]
                .split(',')
                .map(|k| k.split(':').next().unwrap().trim().trim_end_matches("[]").to_string())
                .collect(),
            _ => Vec::new(),
        };
        if head.contains(" / ") {
            let mut parts = head.split(" / ");
            let first = parts.next().unwrap().trim().to_string();
            let base = first.rsplit_once('.').map(|(b, _)| b.to_string()).unwrap_or_default();
            out.push((first, Vec::new()));
            for p in parts {
                out.push((format!("{base}{}", p.trim()), Vec::new()));
            }
        } else {
            for path in head.split(", ") {
                out.push((path.trim().trim_end_matches("{}").to_string(), item_keys.clone()));
            }
        }
    }
    out
}

fn lookup<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    let mut cur = v;
    for key in path.trim_end_matches("[]").split('.') {
        cur = cur.get(key)?;
    }
    Some(cur)
}

#[test]
fn every_contract_report_key_is_in_the_report() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gigapod-h200-air.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_gigapod"))
        .args(["check", spec.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let paths = contract_paths();
    assert!(paths.len() >= 35, "{paths:?}");
    assert!(
        paths
            .iter()
            .any(|(p, keys)| p == "racks.list[]" && keys.contains(&"devices".to_string()))
    );
    let mut missing = Vec::new();
    for (path, item_keys) in &paths {
        match lookup(&report, path) {
            None => missing.push(path.clone()),
            Some(v) if path.ends_with("[]") => {
                let items = v.as_array().unwrap_or_else(|| panic!("{path} is not an array"));
                assert!(!items.is_empty(), "{path} is empty");
                for k in item_keys {
                    if items[0].get(k).is_none() {
                        missing.push(format!("{path}.{k}"));
                    }
                }
            }
            Some(_) => {}
        }
    }
    assert!(missing.is_empty(), "report.json lacks contract keys: {missing:?}");
}
