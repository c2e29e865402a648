//! Bounded property-based fuzzing of the spec parser, the catalog loader and the planner's entry point
//! (docs/hardening.md). Inputs are arbitrary text and near-valid files: the examples and a catalog of overrides,
//! mutated by deleting, duplicating and swapping lines, swapping values, and putting edge values in place (0,
//! negatives, 1e300, nan, inf, huge integers, unknown ids, wrong types).
//!
//! Each case asserts that the library returns `Ok` or `Err` and never panics (caught with `catch_unwind`), that
//! every error names its file with a line (`f.toml:4:`), and that a plan renders. Plans are capped at
//! `MAX_SERVERS` servers and `MAX_ENDPOINTS` fabric ports per case, so a valid large cluster does not make a slow
//! test (larger sizes are covered by tests/hardening_limits.rs and measured in docs/limits.md).
//!
//! The default case counts keep the file under about 20 s in debug. `PROPTEST_CASES=N` runs N cases in every
//! test instead (CI's bounded fuzz step sets it: see .ci/run).

use gigapod_catalog::{Catalog, Diagnostics, SourceFile};
use gigapod_planner::output;
use gigapod_planner::spec::Spec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// Largest resolved cluster planned per case.
const MAX_SERVERS: u32 = 256;
/// Largest fabric, in NIC ports, planned per case.
const MAX_ENDPOINTS: u64 = 2048;
/// A case taking longer than this is a hang (a capped plan takes well under a second in debug).
const HANG: Duration = Duration::from_secs(20);

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        // Shrinking a planner case can take long; the first failing input is reported as found.
        max_shrink_time: 30_000,
        ..ProptestConfig::default()
    }
}

/// Every key written, with its default where it has one.
const SPEC: &str = r#"name = "fuzz"
[compute]
server = "g593-h200"
scalable_units = 1
servers_per_su = 32
[fabric]
switch = "qm9700"
oversubscription = 1.0
rail_optimized = true
tiers = "auto"
[facility]
cooling = "air"
rack = "rack-48u"
rack_power_limit_kw = 50.0
power_basis = "max"
pdu = "pdu-3ph-415v-60a"
management_switch = "sn2201"
racks_per_row = 24
"#;

/// A user catalog that overrides every part the spec above uses, with its built-in figures (it loads and plans).
const CATALOG: &str = r#"[[server]]
id = "g593-h200"
description = "override"
vendor = "v"
gpu = "h200-sxm"
gpu_count = 8
cpu = "c"
cpu_count = 2
cpu_tdp_w = 350
fabric_nic = "cx7-400g-osfp"
fabric_nic_count = 8
psu = "psu-3000w"
psu_count = 6
psu_redundant = 2
rack_units = 5
weight_kg = 80
cooling = "air"
max_power_w = 10000
typical_power_w = 8000
[[switch]]
id = "qm9700"
description = "override"
vendor = "v"
protocol = "infiniband"
rack_units = 1
weight_kg = 14.8
typical_power_w = 700
max_power_w = 1100
cage_power_limit_w = 17
[[switch.port_group]]
cages = 32
form = "osfp-twin"
modes = [{ speed_gbps = 400, ports_per_cage = 2 }, { speed_gbps = 200, ports_per_cage = 4 }]
[[nic]]
id = "cx7-400g-osfp"
description = "override"
vendor = "v"
ports = 1
port_speed_gbps = 400
form = "osfp"
power_w = 24.9
[[psu]]
id = "psu-3000w"
description = "override"
vendor = "v"
rating_w = { value = 3000, source = "S12" }
[[rack]]
id = "rack-48u"
description = "override"
vendor = "v"
rack_units = 48
width_mm = 600
depth_mm = 1200
max_weight_kg = 1360
[[cooling]]
id = "air"
description = "override"
kind = "air"
rack_kw_min = 50
rack_kw_max = 100
default_rack_limit_kw = 50
[[pdu]]
id = "pdu-3ph-415v-60a"
description = "override"
vendor = "v"
phases = 3
voltage_v = 415
current_a = 60
continuous_fraction = 0.8
rack_units = 0
outlets = 42
"#;

/// Values that have broken parsers and planners before: zero, negatives, the edges of i64 and u32, floats the
/// TOML grammar allows (nan, inf, 1e300), wrong types, and ids of the wrong kind or of no part.
const EDGE_VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "-0.0",
    "0.5",
    "1e300",
    "-1e300",
    "1e-300",
    "nan",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "65536",
    "1000000",
    "1000000000000",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "1e400",
    "true",
    "\"\"",
    "\"auto\"",
    "\"qm9700\"",
    "\"g593-h200\"",
    "\"dgx-b300\"",
    "\"sn5600\"",
    "\"q3400-ra\"",
    "\"rack-42u\"",
    "\"liquid\"",
    "\"typical\"",
    "\"no-such-part\"",
    "\"qm9070\"",
    "[]",
    "[1, 2]",
    "{}",
    "{ value = 0 }",
    "{ value = nan, source = \"S12\" }",
    "{ value = 8, source = \"S999\" }",
    "[{ speed_gbps = 800, ports_per_cage = 1 }]",
    "[{ speed_gbps = 0, ports_per_cage = 0 }]",
    "[{ speed_gbps = 400, ports_per_cage = 4294967295 }]",
    "[{ speed_gbps = 400, ports_per_cage = 65536 }, { speed_gbps = 400, ports_per_cage = 65536 }]",
    "'literal'",
    "\"unterminated",
    "1979-05-27",
];

/// Lines that are not in the templates: unknown keys and tables, headers of other sections, broken syntax.
const EXTRA_LINES: &[&str] = &[
    "colour = \"red\"",
    "[compute]",
    "[fabric]",
    "[facility]",
    "[[compute]]",
    "[storage]",
    "[[server]]",
    "[[switch.port_group]]",
    "[[fan]]",
    "servers = 4",
    "gpus = 64",
    "scalable_units = 4294967296",
    "servers_per_su = 4294967296",
    "tiers = 3",
    "cooling = \"liquid\"",
    "storage_nic = \"cx7-2x400g-qsfp112\"",
    "storage_nic_count = 1",
    "platform_power_w = 3650",
    "server = ",
    "= 4",
    "[",
    "\"",
    "# --- catalog ---",
    "x.y.z = 1",
    "compute.servers = 8",
];

/// One edit of a TOML text, line by line.
#[derive(Debug, Clone)]
/// Line numbers are taken modulo the text's line count.
enum Edit {
    Delete(usize),
    Duplicate(usize),
    SwapLines(usize, usize),
    SwapValues(usize, usize),
    SetValue(usize, String),
    Insert(usize, String),
    Truncate(usize),
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(EDGE_VALUES).prop_map(str::to_string),
        2 => any::<i64>().prop_map(|v| v.to_string()),
        2 => (0i64..5000).prop_map(|v| v.to_string()),
        1 => any::<f64>().prop_map(|v| format!("{v:?}")),
        1 => "\"[a-z0-9-]{0,12}\"",
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        2 => any::<usize>().prop_map(Edit::Delete),
        1 => any::<usize>().prop_map(Edit::Duplicate),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapValues(a, b)),
        6 => (any::<usize>(), value()).prop_map(|(i, v)| Edit::SetValue(i, v)),
        2 => (any::<usize>(), select(EXTRA_LINES)).prop_map(|(i, l)| Edit::Insert(i, l.to_string())),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn split_kv(line: &str) -> Option<(&str, &str)> {
    let (k, v) = line.split_once(" = ")?;
    (!k.starts_with('[')).then_some((k, v))
}

/// Applies edits to a template, line by line.
fn mutate(template: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = template.lines().map(str::to_string).collect();
    for e in edits {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        let at = |i: &usize| i % n;
        match e {
            Edit::Delete(i) => {
                lines.remove(at(i));
            }
            Edit::Duplicate(i) => {
                let l = lines[at(i)].clone();
                lines.insert(at(i), l);
            }
            Edit::SwapLines(a, b) => lines.swap(at(a), at(b)),
            Edit::SwapValues(a, b) => {
                let (a, b) = (at(a), at(b));
                if let (Some((ka, va)), Some((kb, vb))) = (split_kv(&lines[a]), split_kv(&lines[b])) {
                    let (na, nb) = (format!("{ka} = {vb}"), format!("{kb} = {va}"));
                    lines[a] = na;
                    lines[b] = nb;
                }
            }
            Edit::SetValue(i, v) => {
                let i = at(i);
                if let Some((k, _)) = split_kv(&lines[i]) {
                    lines[i] = format!("{k} = {v}");
                }
            }
            Edit::Insert(i, l) => lines.insert(i % (n + 1), l.clone()),
            Edit::Truncate(i) => {
                let i = at(i);
                let cut = lines[i].len() / 2;
                let cut = (0..=cut).rev().find(|c| lines[i].is_char_boundary(*c)).unwrap_or(0);
                lines[i].truncate(cut);
            }
        }
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// Every diagnostic that names one of `files` must point at a line inside it and display `file:line:`.
fn check_error(d: &Diagnostics, files: &[(&str, &str)]) -> Result<(), TestCaseError> {
    prop_assert!(!d.0.is_empty(), "an error without a diagnostic");
    for diag in &d.0 {
        let shown = diag.to_string();
        prop_assert!(shown.starts_with("error: "), "{}", shown);
        prop_assert!(!diag.message.trim().is_empty(), "empty message: {:?}", diag);
        if let Some((name, text)) = files.iter().find(|(name, _)| *name == diag.file) {
            let lines = text.split('\n').count();
            prop_assert!(
                diag.line >= 1 && diag.line <= lines,
                "an error in {} without a line inside it (line {} of {}):\n{}\n--- input ---\n{}",
                name,
                diag.line,
                lines,
                shown,
                text
            );
            let at = format!("{name}:{}:", diag.line);
            prop_assert!(shown.contains(&at), "{} lacks {}", shown, at);
        }
    }
    Ok(())
}

/// Runs `f`, turning a panic into a test failure that shows the input.
fn no_panic<T>(what: &str, input: &str, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let start = Instant::now();
    let out = catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        TestCaseError::fail(format!("{what} panicked: {msg}\n--- input ---\n{input}"))
    })?;
    let took = start.elapsed();
    prop_assert!(
        took < HANG,
        "{} took {:?} (a hang)\n--- input ---\n{}",
        what,
        took,
        input
    );
    Ok(out)
}

/// Parses, resolves and (when small enough) plans a spec against a catalog, checking every outcome.
fn run_spec(spec_text: &str, catalog: &Catalog, catalog_text: &str) -> Result<(), TestCaseError> {
    let files = [("f.toml", spec_text), ("c.toml", catalog_text)];
    let parsed = no_panic("Spec::parse", spec_text, || {
        Spec::parse(SourceFile::new("f.toml", spec_text))
    })?;
    let spec = match parsed {
        Ok(s) => s,
        Err(d) => return check_error(&d, &files),
    };
    let resolved = no_panic("resolve", spec_text, || spec.resolve(catalog))?;
    let r = match resolved {
        Ok(r) => r,
        Err(d) => return check_error(&d, &files),
    };
    let endpoints =
        u64::from(r.servers) * u64::from(r.server.fabric_nic_count.value) * u64::from(r.fabric_nic.ports.value);
    if r.servers > MAX_SERVERS || endpoints > MAX_ENDPOINTS {
        return Ok(());
    }
    let input = format!("{spec_text}# --- catalog ---\n{catalog_text}");
    match no_panic("plan", &input, || gigapod_planner::plan(&spec, catalog))? {
        Err(e) if e.diagnostics().is_some() => check_error(e.diagnostics().unwrap(), &files),
        Err(e) => Err(TestCaseError::fail(format!(
            "plan gave a non-input error: {e}\n{input}"
        ))),
        Ok(plan) => {
            let rendered = no_panic("render", &input, || output::render(&plan))?;
            let files = rendered.map_err(|e| TestCaseError::fail(format!("render failed: {e}\n{input}")))?;
            let report = files
                .iter()
                .find(|f| f.name == "report.json")
                .expect("report.json rendered");
            let json: Result<serde_json::Value, _> = serde_json::from_slice(&report.bytes);
            prop_assert!(json.is_ok(), "report.json is not JSON: {:?}\n{}", json.err(), input);
            no_panic("summary", &input, || gigapod_planner::summary::text(&plan))?;
            Ok(())
        }
    }
}

/// Loads a user catalog, checking the outcome; `Some` when it loaded.
fn run_catalog(text: &str) -> Result<Option<Catalog>, TestCaseError> {
    let loaded = no_panic("Catalog::with_user_files", text, || {
        Catalog::with_user_files(vec![SourceFile::new("c.toml", text)])
    })?;
    match loaded {
        Ok(cat) => {
            no_panic("catalog list", text, || gigapod_catalog::show::list_text(&cat, None))?;
            Ok(Some(cat))
        }
        Err(d) => check_error(&d, &[("c.toml", text)]).map(|()| None),
    }
}

#[test]
fn the_templates_are_valid_and_plan() {
    let cat = Catalog::with_user_files(vec![SourceFile::new("c.toml", CATALOG)]).unwrap();
    for catalog in [Catalog::builtin(), &cat] {
        let spec = Spec::parse(SourceFile::new("f.toml", SPEC)).unwrap();
        let plan = gigapod_planner::plan(&spec, catalog).unwrap();
        assert_eq!(plan.compute.servers, 32);
    }
}

/// Found by CI's bounded fuzzing (3,000 cases, after 668): a swap of two catalog values gave a fabric of many
/// small pods, whose spread-out spine boxes in topology.svg were narrower than their margins, and `f64::clamp`
/// panicked ("min = 488.0, max = 469.25").
#[test]
fn found_by_fuzzing_narrow_pod_boxes() {
    let text = mutate(CATALOG, &[Edit::SwapValues(4325548007874798813, 16519351597548348174)]);
    if let Some(cat) = run_catalog(&text).unwrap() {
        run_spec(SPEC, &cat, &text).unwrap();
    }
}

#[test]
fn the_mutator_makes_what_it_says() {
    let t = mutate(SPEC, &[Edit::SetValue(3, "nan".into())]);
    assert!(t.contains("scalable_units = nan\n"), "{t}");
    let t = mutate(SPEC, &[Edit::SwapValues(2, 3)]);
    assert!(t.contains("server = 1\nscalable_units = \"g593-h200\"\n"), "{t}");
    let t = mutate(SPEC, &[Edit::Delete(0), Edit::Insert(0, "colour = 1".into())]);
    assert!(t.starts_with("colour = 1\n[compute]\n"), "{t}");
    // A case that fails must fail the harness: a missing `name` is an error with a line, so this passes...
    assert!(run_spec(&t, Catalog::builtin(), "").is_ok());
    // ...and an error that points outside its file does not.
    let d = Diagnostics(vec![gigapod_catalog::Diagnostic::file("f.toml", "no line")]);
    assert!(check_error(&d, &[("f.toml", "x = 1\n")]).is_err());
    assert!(no_panic("a panic", "", || panic!("boom")).is_err());
}

/// The numbers every numeric key is set to, one key at a time, by the exhaustive sweeps below.
const EDGE_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "65536",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "1e300",
    "1e-300",
    "nan",
    "inf",
];

/// Indices of the lines of `template` whose value is a number (or a number with a source).
fn numeric_lines(template: &str) -> Vec<usize> {
    template
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            split_kv(l).is_some_and(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit() || c == '{' || c == '-'))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Every numeric key of the catalog at every edge value, one at a time; each catalog that loads plans the spec.
#[test]
fn every_catalog_number_at_every_edge() {
    let lines = numeric_lines(CATALOG);
    assert!(lines.len() >= 30, "{lines:?}");
    let mut failures = Vec::new();
    for &i in &lines {
        for v in EDGE_NUMBERS {
            let text = mutate(CATALOG, &[Edit::SetValue(i, (*v).to_string())]);
            let outcome = run_catalog(&text).and_then(|cat| match cat {
                Some(cat) => run_spec(SPEC, &cat, &text),
                None => Ok(()),
            });
            if let Err(e) = outcome {
                failures.push(format!("line {} = {v}: {e}", i + 1));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every pair of numeric keys of the spec at every pair of edge values (sizes multiply, so pairs matter).
#[test]
fn every_pair_of_spec_numbers_at_the_edges() {
    let lines = numeric_lines(SPEC);
    assert!(lines.len() >= 4, "{lines:?}");
    let values = ["0", "-1", "1", "65536", "4294967296", "9223372036854775807", "nan"];
    let mut failures = Vec::new();
    for (n, &a) in lines.iter().enumerate() {
        for &b in &lines[n..] {
            for va in values {
                for vb in values {
                    let text = mutate(SPEC, &[Edit::SetValue(a, va.into()), Edit::SetValue(b, vb.into())]);
                    if let Err(e) = run_spec(&text, Catalog::builtin(), "") {
                        failures.push(e.to_string());
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

proptest! {
    #![proptest_config(cases(200))]

    /// Any printable text, and any text at all, as a spec: parsed and, if it parses, resolved and planned.
    #[test]
    fn any_text_as_a_spec(text in prop_oneof!["[ -~\n]{0,300}", any::<String>()]) {
        run_spec(&text, Catalog::builtin(), "")?;
    }

    /// Any text as a user catalog.
    #[test]
    fn any_text_as_a_catalog(text in prop_oneof!["[ -~\n]{0,300}", any::<String>()]) {
        run_catalog(&text)?;
    }
}

proptest! {
    #![proptest_config(cases(250))]

    /// The full example spec with edits, planned on the built-in catalog.
    #[test]
    fn mutated_specs(edits in prop::collection::vec(edit(), 1..6)) {
        let text = mutate(SPEC, &edits);
        run_spec(&text, Catalog::builtin(), "")?;
    }

    /// A catalog overriding every part the spec uses, with edits; when it loads, the spec is planned on it.
    #[test]
    fn mutated_catalogs(edits in prop::collection::vec(edit(), 1..6)) {
        let text = mutate(CATALOG, &edits);
        if let Some(cat) = run_catalog(&text)? {
            run_spec(SPEC, &cat, &text)?;
        }
    }

    /// Both at once: a mutated spec on a mutated catalog.
    #[test]
    fn mutated_spec_on_mutated_catalog(
        spec_edits in prop::collection::vec(edit(), 0..4),
        catalog_edits in prop::collection::vec(edit(), 1..4),
    ) {
        let catalog = mutate(CATALOG, &catalog_edits);
        if let Some(cat) = run_catalog(&catalog)? {
            run_spec(&mutate(SPEC, &spec_edits), &cat, &catalog)?;
        }
    }
}
