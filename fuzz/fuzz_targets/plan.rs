//! The planner's entry point on any input: a spec, optionally followed by a line `# --- catalog ---` and a user
//! catalog file that adds or overrides parts (the built-in catalog alone when there is none). Whatever the input,
//! `plan` returns a plan or a located error, never panics, and a plan renders (report.json, CSVs, summary,
//! GraphML, DOT).
//!
//! Work per input is capped so that a valid but large cluster is not reported as a hang: a spec that resolves to
//! more than `MAX_FUZZ_SERVERS` servers or `MAX_FUZZ_ENDPOINTS` fabric ports is skipped before `plan` is called.
//! Sizes beyond that are covered by the size limits (`spec::MAX_SERVERS`, checked by `spec_parse` and by the
//! tests/hardening_* tests) and measured in docs/limits.md. Nothing else is capped: a user catalog with a
//! 4-billion-port switch or a 4-billion-U rack reaches the planner as it is, and must not exhaust memory.
#![no_main]

mod common;

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::{fabric, output, spec::Spec, summary};
use libfuzzer_sys::fuzz_target;

/// Largest resolved cluster planned per input (8 scalable units of 32).
const MAX_FUZZ_SERVERS: u32 = 256;
/// Largest fabric, in NIC ports, planned per input.
const MAX_FUZZ_ENDPOINTS: u64 = 2048;
/// Separates the spec from the user catalog in one input.
const CATALOG_MARK: &str = "# --- catalog ---";

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let (spec_text, catalog_text) = match text.split_once(CATALOG_MARK) {
        Some((s, c)) => (s, Some(c)),
        None => (text.as_str(), None),
    };
    let catalog = match catalog_text {
        None => Catalog::builtin().clone(),
        Some(c) => match Catalog::with_user_files(vec![SourceFile::new("c.toml", c)]) {
            Ok(cat) => cat,
            Err(d) => return common::check_diagnostics(&d, &[("c.toml", c)]),
        },
    };
    let files = [("f.toml", spec_text), ("c.toml", catalog_text.unwrap_or(""))];
    let spec = match Spec::parse(SourceFile::new("f.toml", spec_text)) {
        Ok(s) => s,
        Err(d) => return common::check_diagnostics(&d, &files),
    };
    let r = match spec.resolve(&catalog) {
        Ok(r) => r,
        Err(d) => return common::check_diagnostics(&d, &files),
    };
    let endpoints =
        u64::from(r.servers) * u64::from(r.server.fabric_nic_count.value) * u64::from(r.fabric_nic.ports.value);
    if r.servers > MAX_FUZZ_SERVERS || endpoints > MAX_FUZZ_ENDPOINTS {
        return;
    }
    match gigapod_planner::plan(&spec, &catalog) {
        // A located error may blame the spec or a catalog part: each is checked against the file it names.
        Err(e) if e.diagnostics().is_some() => common::check_diagnostics(e.diagnostics().unwrap(), &files),
        Err(e) => panic!("plan returned a non-input error: {e}"),
        Ok(plan) => {
            let files = output::render(&plan).expect("a plan renders");
            let report = files.iter().find(|f| f.name == "report.json").expect("report.json");
            let v: serde_json::Value = serde_json::from_slice(&report.bytes).expect("report.json is JSON");
            assert!(v.is_object());
            let _ = summary::text(&plan);
            let _ = fabric::to_graphml(&plan.fabric);
            let _ = fabric::to_dot(&plan.fabric);
        }
    }
});
