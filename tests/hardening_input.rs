//! Hardening, round two, bad input at scale and its messages (docs/hardening.md): diagnostics are bounded in
//! number, costs stay finite or are refused, an error caused by a catalog part points at that part's figure,
//! and the messages the first round left poor say what is wrong in words.
//!
//! The linear-time bound itself is measured by the benchmark `catalog/benches/bad_catalog.rs`, not here.

use std::path::Path;
use std::process::{Command, Output};

fn gigapod() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gigapod"))
}

const SPEC: &str = "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n";

fn check(dir: &Path, spec: &str, catalog: Option<&str>) -> Output {
    std::fs::write(dir.join("spec.toml"), spec).unwrap();
    let mut cmd = gigapod();
    cmd.arg("check").arg(dir.join("spec.toml"));
    if let Some(c) = catalog {
        std::fs::write(dir.join("cat.toml"), c).unwrap();
        cmd.arg("--catalog").arg(dir.join("cat.toml"));
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_exit_2(o: &Output) -> String {
    let e = stderr(o);
    assert!(!e.contains("panicked"), "{e}");
    assert_eq!(o.status.code(), Some(2), "{e}");
    e
}

// ---- bounded diagnostics ----

/// 100,000 bad parts printed 800,000 lines: no cap on the number of errors. Now at most 20 are shown, then a
/// count of the rest.
#[test]
fn thousands_of_bad_parts_print_a_bounded_report() {
    let t = tempfile::tempdir().unwrap();
    let catalog: String = (0..5000)
        .map(|i| format!("[[psu]]\nid = \"p{i}\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = -5\n\n"))
        .collect();
    let o = check(t.path(), SPEC, Some(&catalog));
    let e = assert_exit_2(&o);
    assert_eq!(
        e.matches("\nerror: psu").count() + usize::from(e.starts_with("error: psu")),
        20,
        "{e}"
    );
    assert!(e.contains("and 4980 more errors not shown"), "{e}");
    assert!(e.lines().count() < 200, "{} lines", e.lines().count());
    // The first errors are the file's first parts, each at its line.
    assert!(e.contains("cat.toml:5:"), "{e}");
}

/// The did-you-mean search had no length bound: a 10,000-character `server` against a catalog with a very long
/// id took 57 s. Ids are now at most 64 characters, and a word longer than that is not searched.
#[test]
fn a_huge_unknown_id_is_answered_without_a_search() {
    let t = tempfile::tempdir().unwrap();
    let spec = SPEC.replace("g593-h200", &"g".repeat(10_000));
    let o = check(t.path(), &spec, None);
    let e = assert_exit_2(&o);
    assert!(e.contains("unknown server"), "{}", &e[..e.len().min(300)]);
    assert!(e.len() < 4000, "the message echoes the whole id: {} bytes", e.len());
}

// ---- finite arithmetic ----

/// A price of 1e308 or a PUE of 1e308 printed "CapEx inf, TCO NaN" and exited 0.
#[test]
fn costs_that_would_overflow_are_refused_where_they_are_written() {
    let t = tempfile::tempdir().unwrap();
    let cost = "[cost]\nenergy_usd_per_kwh = 0.1\npue = 1.2\n";
    let o = check(
        t.path(),
        &format!("{SPEC}{cost}"),
        Some("[[price]]\npart = \"g593-h200\"\nusd = 1e308\n"),
    );
    let e = assert_exit_2(&o);
    assert!(e.contains("cat.toml:3:") && e.contains("not a sum of money"), "{e}");
    assert!(!e.contains("inf") && !e.contains("NaN"), "{e}");

    let o = check(
        t.path(),
        &format!("{SPEC}{}", cost.replace("pue = 1.2", "pue = 1e308")),
        None,
    );
    let e = assert_exit_2(&o);
    assert!(e.contains("spec.toml:7:") && e.contains("PUE of 1e308"), "{e}");

    let o = check(
        t.path(),
        &format!("{SPEC}{cost}software_usd_per_gpu_year = 1e300\n"),
        None,
    );
    let e = assert_exit_2(&o);
    assert!(e.contains("software_usd_per_gpu_year"), "{e}");
}

// ---- attribution ----

const GPU: &str =
    "[[gpu]]\nid = \"h200-sxm\"\ndescription = \"d\"\nvendor = \"v\"\nform = \"sxm\"\ntdp_w = 1e9\nmemory_gb = 141\n";
const RACK: &str = "[[rack]]\nid = \"rack-48u\"\ndescription = \"d\"\nvendor = \"v\"\nrack_units = 48\nwidth_mm = 1e9\ndepth_mm = 1200\nmax_weight_kg = 1360\n";
const SWITCH: &str = r#"[[switch]]
id = "qm9700"
description = "override"
vendor = "v"
protocol = "infiniband"
rack_units = 1
weight_kg = 14.8
typical_power_w = 700
max_power_w = 1100
[[switch.port_group]]
cages = 50000
form = "osfp-twin"
modes = [{ speed_gbps = 400, ports_per_cage = 2 }]
"#;

/// A GPU of 1e9 W, a rack 1e9 mm wide and a switch with 100,000 ports were blamed on spec line 1 (key
/// `facility`) or on `facility.racks_per_row`. Each now points at the catalog figure that causes it.
#[test]
fn errors_caused_by_a_catalog_part_point_at_its_figure() {
    let t = tempfile::tempdir().unwrap();
    for (catalog, at, key) in [
        (GPU, "cat.toml:6:", "gpu[0].tdp_w"),
        (RACK, "cat.toml:6:", "rack[0].width_mm"),
        (SWITCH, "cat.toml:10:", "switch[0].port_group"),
    ] {
        let o = check(t.path(), SPEC, Some(catalog));
        let e = assert_exit_2(&o);
        assert!(e.contains(at), "{key}: {e}");
        assert!(e.contains(&format!("= key: {key}")), "{key}: {e}");
        assert!(!e.contains("spec.toml"), "{key}: still blamed on the spec: {e}");
    }
}

// ---- messages ----

/// `racks_per_row = 1e308` and `oversubscription = 1e308` echoed 309-digit numbers.
#[test]
fn huge_numbers_are_shown_in_scientific_notation() {
    let t = tempfile::tempdir().unwrap();
    for extra in [
        "[facility]\nracks_per_row = 1e308\n",
        "[fabric]\noversubscription = 1e308\n",
        "[facility]\nrack_power_limit_kw = 1e308\n",
        "[cost]\nenergy_usd_per_kwh = 0.1\npue = 1.2\nutilisation = 1e308\n",
    ] {
        let o = check(t.path(), &format!("{SPEC}{extra}"), None);
        let e = assert_exit_2(&o);
        let longest = e.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0);
        assert!(longest <= 15, "{extra}: a {longest}-digit number: {e}");
        assert!(e.contains("1e308"), "{extra}: {e}");
    }
}

/// `[[compute]]` said "invalid type: map, expected a string".
#[test]
fn an_array_of_tables_for_a_table_says_so() {
    let t = tempfile::tempdir().unwrap();
    let o = check(
        t.path(),
        "name = \"x\"\n[[compute]]\nserver = \"g593-h200\"\nservers = 4\n",
        None,
    );
    let e = assert_exit_2(&o);
    assert!(!e.contains("map"), "{e}");
    assert!(e.contains("write `[compute]`"), "{e}");
}

/// "the longest reach is 0 m" while the catalog lists cables of other forms: said as what it is.
#[test]
fn no_medium_of_the_forms_is_not_a_reach_of_zero() {
    let t = tempfile::tempdir().unwrap();
    let switch = SWITCH
        .replace("cages = 50000", "cages = 32")
        .replace("form = \"osfp-twin\"", "form = \"qsfp-dd\"");
    let o = check(t.path(), SPEC, Some(&switch));
    let e = assert_exit_2(&o);
    assert!(!e.contains("reach is 0 m"), "{e}");
    assert!(e.contains("of these two forms at this speed, of any length"), "{e}");
}
