//! Reproducers for what the hardening work found (docs/hardening.md): one test per finding, through the binary
//! as a user runs it. Each asserts the behaviour the issue asks for (exit 2 with a located message and a hint,
//! never a panic), so it fails until the finding is fixed and guards it afterwards.

use std::path::Path;
use std::process::{Command, Output};

const SERVER: &str = r#"[[server]]
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
"#;

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
cages = 32
form = "osfp-twin"
modes = [{ speed_gbps = 400, ports_per_cage = 2 }]
"#;

const RACK: &str = r#"[[rack]]
id = "rack-48u"
description = "override"
vendor = "v"
rack_units = 48
width_mm = 600
depth_mm = 1200
max_weight_kg = 1360
"#;

const PDU: &str = r#"[[pdu]]
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

const NIC: &str = r#"[[nic]]
id = "cx7-400g-osfp"
description = "override"
vendor = "v"
ports = 1
port_speed_gbps = 400
form = "osfp"
power_w = 24.9
"#;

const SPEC4: &str = "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n";

/// Runs `gigapod check spec.toml [--catalog cat.toml]` on the given texts in a fresh folder.
fn check(spec: &str, catalog: Option<&str>) -> (Output, String) {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("spec.toml");
    std::fs::write(&spec_path, spec).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gigapod"));
    cmd.arg("check").arg(&spec_path);
    if let Some(c) = catalog {
        let p = dir.path().join("cat.toml");
        std::fs::write(&p, c).unwrap();
        cmd.arg("--catalog").arg(&p);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr)
}

/// Exit 2, no panic, a located message with a hint.
fn assert_input_error(out: &Output, stderr: &str, what: &str) {
    assert!(!stderr.contains("panicked"), "{what}: panicked:\n{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: exit {:?}:\n{stderr}",
        out.status.code()
    );
    assert!(stderr.starts_with("error: "), "{what}:\n{stderr}");
    assert!(
        stderr.contains("  --> ") && stderr.contains(".toml:"),
        "{what}: no file:line:\n{stderr}"
    );
    assert!(stderr.contains("= help: "), "{what}: no hint:\n{stderr}");
}

fn with(template: &str, from: &str, to: &str) -> String {
    assert!(template.contains(from), "{from}");
    template.replacen(from, to, 1)
}

// ---- panics ----

/// planner/src/spec.rs (resolve, `n * p` for scalable_units): scalable_units x servers_per_su overflows u64.
/// Debug: panics "attempt to multiply with overflow"; release: wraps to 0 and says "no servers to connect".
#[test]
fn su_times_servers_per_su_beyond_u64_is_over_the_limit() {
    let spec =
        "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nscalable_units = 4294967296\nservers_per_su = 4294967296\n";
    let (out, err) = check(spec, None);
    assert_input_error(&out, &err, "scalable_units x servers_per_su = 2^64");
    assert!(err.contains("beyond the planner's limit"), "{err}");
}

/// catalog/src/parts.rs (Switch::ports_at, `g.cages.value * m.ports_per_cage` and the u32 sum): a user switch
/// with 4,294,967,295 cages of 2 ports panics "attempt to multiply with overflow".
#[test]
fn switch_port_count_beyond_u32_is_an_error() {
    for (from, to) in [
        ("cages = 32", "cages = 4294967295"),
        ("ports_per_cage = 2", "ports_per_cage = 4294967295"),
    ] {
        let (out, err) = check(SPEC4, Some(&with(SWITCH, from, to)));
        assert_input_error(&out, &err, to);
    }
    // Two port groups whose port counts each fit in u32 but whose sum does not.
    let two = format!(
        "{SWITCH}[[switch.port_group]]\ncages = 2147483648\nform = \"osfp\"\nmodes = [{{ speed_gbps = 400, ports_per_cage = 1 }}]\n"
    );
    let two = with(&two, "cages = 32", "cages = 2147483648");
    let two = with(&two, "ports_per_cage = 2", "ports_per_cage = 1");
    let (out, err) = check(SPEC4, Some(&two));
    assert_input_error(&out, &err, "two groups of 2^31 ports");
}

/// planner/src/plan.rs (plan_steps, the progress line's `fabric_nic_count.value * fabric_nic.ports.value`):
/// 65,536 NICs of 65,536 ports per server overflows u32 and panics.
#[test]
fn nic_ports_per_server_beyond_u32_is_an_error() {
    let catalog = format!(
        "{}{}",
        with(SERVER, "fabric_nic_count = 8", "fabric_nic_count = 65536"),
        with(NIC, "ports = 1", "ports = 65536")
    );
    let (out, err) = check(SPEC4, Some(&catalog));
    assert_input_error(&out, &err, "65536 NICs x 65536 ports");
}

/// planner/src/facility.rs (FacilityPower, `2 * r.pdus_per_feed`): a PDU of 1e-300 V needs more PDUs per feed
/// than u32 holds; the count saturates and doubling it panics "attempt to multiply with overflow".
#[test]
fn pdu_of_no_capacity_is_an_error() {
    for (from, to) in [
        ("voltage_v = 415", "voltage_v = 1e-300"),
        ("current_a = 60", "current_a = 1e-300"),
        ("continuous_fraction = 0.8", "continuous_fraction = 1e-300"),
    ] {
        let (out, err) = check(SPEC4, Some(&with(PDU, from, to)));
        assert_input_error(&out, &err, to);
    }
}

/// planner/src/layout/floor.rs (push_bottom, `self.bottom += h`): a rack of 4,294,967,295 U overflows the U
/// counter and panics "attempt to add with overflow".
#[test]
fn rack_of_four_billion_units_is_an_error() {
    let (out, err) = check(SPEC4, Some(&with(RACK, "rack_units = 48", "rack_units = 4294967295")));
    assert_input_error(&out, &err, "rack_units = 4294967295");
}

// ---- nonsense that plans ----

/// A PDU of 1 V x 1 A (0.8 W continuous) is planned as 127,890 PDUs in three racks with exit 0: the plan
/// should refuse a PDU that cannot feed one rack with the PDUs a rack holds.
#[test]
fn pdu_that_cannot_feed_a_rack_is_refused() {
    let pdu = with(
        &with(PDU, "voltage_v = 415", "voltage_v = 1"),
        "current_a = 60",
        "current_a = 1",
    );
    let (out, err) = check(SPEC4, Some(&pdu));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_input_error(&out, &err, &format!("1 V x 1 A PDU; planned:\n{stdout}"));
}

// ---- messages ----

/// Errors from the TOML parser itself must carry a hint like every other (tests/bad_input.rs requires one).
/// `duplicate key` (neither naming the key nor helping) and `floating-point number overflowed` have none.
#[test]
fn every_toml_error_has_a_hint() {
    for spec in [
        format!("{SPEC4}servers = 8\n"),
        format!("{SPEC4}[compute]\nserver = \"dgx-h100\"\n"),
        format!("{SPEC4}[facility]\nrack_power_limit_kw = 1e400\n"),
    ] {
        let (out, err) = check(&spec, None);
        assert_input_error(&out, &err, &spec);
    }
}

/// A duplicate key must say which key: `duplicate key` alone leaves the user to read the caret.
#[test]
fn duplicate_key_names_the_key() {
    let (_, err) = check(&format!("{SPEC4}servers = 8\n"), None);
    let first = err.lines().next().unwrap_or_default();
    assert!(first.contains("servers"), "{err}");
}

/// A value out of range, or an unknown variant, is not a syntax error: the hint must not say "syntax".
#[test]
fn out_of_range_value_is_not_called_a_syntax_error() {
    let (out, err) = check(SPEC4, Some(&with(SERVER, "gpu_count = 8", "gpu_count = 4294967296")));
    assert_input_error(&out, &err, "gpu_count = 4294967296");
    assert!(!err.contains("syntax"), "{err}");
    let (_, err) = check(&format!("{SPEC4}[fabric]\ntiers = \"two\"\n"), None);
    assert!(!err.contains("syntax"), "{err}");
}

/// catalog/src/part.rs (Checker::positive_at): the key of a port group's cages is shown as
/// `switch[0].port_group[0].cages.cages`.
#[test]
fn port_group_key_path_is_not_doubled() {
    let (out, err) = check(SPEC4, Some(&with(SWITCH, "cages = 32", "cages = 0")));
    assert_input_error(&out, &err, "cages = 0");
    assert!(err.contains("= key: switch[0].port_group[0].cages\n"), "{err}");
}

/// planner/src/spec.rs: `oversubscription = inf` is reported as "inf is below 1:1", which it is not.
#[test]
fn infinite_oversubscription_is_not_called_below_one() {
    let (out, err) = check(&format!("{SPEC4}[fabric]\noversubscription = inf\n"), None);
    assert_input_error(&out, &err, "oversubscription = inf");
    assert!(!err.contains("inf is below"), "{err}");
}

/// A rack too weak for one server because of a user catalog's rack is blamed on the spec's first line
/// (`name = "x"`, key `facility`, which the file does not have): the message must name the catalog file that
/// set the weight limit, where the fix is.
#[test]
fn catalog_caused_layout_error_names_the_catalog() {
    let (out, err) = check(SPEC4, Some(&with(RACK, "max_weight_kg = 1360", "max_weight_kg = 50")));
    assert_input_error(&out, &err, "max_weight_kg = 50");
    assert!(err.contains("cat.toml"), "{err}");
}

/// Figures of 1e300 print as 300-digit numbers ("8000000000000000141222411702...00 kW").
#[test]
fn absurd_figures_do_not_print_three_hundred_digits() {
    let gpu = "[[gpu]]\nid = \"h200-sxm\"\ndescription = \"d\"\nvendor = \"v\"\nform = \"sxm\"\ntdp_w = 1e300\nmemory_gb = 141\n";
    let (out, err) = check(SPEC4, Some(gpu));
    assert_input_error(&out, &err, "tdp_w = 1e300");
    assert!(err.lines().all(|l| l.len() < 400), "{err}");
}

// ---- hangs ----

/// catalog/src/diagnostic.rs (`SourceFile::at_key` -> `locate`, and `has_key`): every diagnostic parses the whole
/// file again, so N errors in a file of S bytes cost N x S. Measured in release: 1,000 bad parts (65 KB) 2 s,
/// 4,000 (263 KB) 24 s; a 16 MiB catalog of bad parts would run for hours. A bad catalog must be refused in
/// bounded time (parse once per file, or stop after the first few dozen errors as rustc does).
#[test]
fn many_errors_in_a_catalog_are_reported_in_bounded_time() {
    let bad: String = (0..2000)
        .map(|i| format!("[[psu]]\nid = \"p{i}\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = -1\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, bad).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gigapod"))
        .args([
            "catalog".as_ref(),
            "list".as_ref(),
            "--catalog".as_ref(),
            path.as_os_str(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let limit = std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("2,000 bad parts (130 KB) not reported within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(2));
}

// ---- contradictions accepted ----

/// planner/src/layout/floor.rs (`row_racks = input.row_racks.max(widest)`): `racks_per_row = 1` with a scalable
/// unit of 10 racks plans rows of 10 racks with exit 0, against docs/spec.md ("racks per row at most; a scalable
/// unit is never split across rows"). A row limit that no scalable unit fits is a contradiction: exit 2 at
/// `facility.racks_per_row` (or document that a row widens to one SU, and warn).
#[test]
fn racks_per_row_below_one_scalable_unit_is_refused() {
    let spec = "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nscalable_units = 2\n[facility]\nracks_per_row = 1\n";
    let (out, err) = check(spec, None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_input_error(&out, &err, &format!("racks_per_row = 1; planned:\n{stdout}"));
    assert!(err.contains("racks_per_row"), "{err}");
}

/// planner/src/layout/block.rs (`NetworkDoesNotFit`): the message listed U, kW and kg, which all fit, and not the
/// limit that bound (the liquid class's room-air limit, 30 kW). Since issue 13 an SU's switches no longer have to
/// share one rack: 32 leaves and 16 spines whose heat goes into the room air spread over network racks, each
/// within the room's 30 kW, and the plan succeeds.
#[test]
fn network_group_over_the_room_air_limit_spreads_over_network_racks() {
    let spec = "name = \"x\"\n[compute]\nserver = \"g593-b200-dlc\"\nscalable_units = 1\nservers_per_su = 128\n[facility]\ncooling = \"liquid\"\n";
    let (out, err) = check(spec, None);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("3 network"), "{text}");
    assert!(text.lines().any(|l| l.contains("pass cooling.room_air")), "{text}");
}

/// Fabric errors caused by a user catalog's switch or NIC point at `servers = 4` in the spec (key
/// `compute.servers`, hint "change the key above"), not at the catalog figure that causes them: a NIC overridden to
/// 300 Gb/s, a QM9700 overridden to 200G ports only or to one cage.
#[test]
fn catalog_caused_fabric_errors_point_into_the_catalog() {
    for catalog in [
        with(NIC, "port_speed_gbps = 400", "port_speed_gbps = 300"),
        with(
            SWITCH,
            "speed_gbps = 400, ports_per_cage = 2",
            "speed_gbps = 200, ports_per_cage = 4",
        ),
        with(SWITCH, "cages = 32", "cages = 1"),
    ] {
        let (out, err) = check(SPEC4, Some(&catalog));
        assert_input_error(&out, &err, &catalog);
        assert!(err.contains("cat.toml:"), "{catalog}\n{err}");
    }
}

/// A network group too tall for the rack because of a user catalog's switch (100 U each) is blamed on line 1
/// column 1 of the spec (key `facility`, which the spec does not have), and the hint speaks of the power limit:
/// "need 801 U of the rack's 48 U ... help: raise the rack power limit or choose a larger rack".
#[test]
fn network_group_too_tall_points_into_the_catalog_and_hints_at_height() {
    let (out, err) = check(SPEC4, Some(&with(SWITCH, "rack_units = 1", "rack_units = 100")));
    assert_input_error(&out, &err, "switch rack_units = 100");
    assert!(err.contains("cat.toml:"), "{err}");
    let help = err.lines().find(|l| l.contains("= help:")).unwrap_or_default();
    assert!(!help.contains("power"), "{err}");
}

#[test]
fn the_helpers_fail_on_a_panic_and_pass_an_input_error() {
    let (out, err) = check(&format!("{SPEC4}colour = 1\n"), None);
    assert_input_error(&out, &err, "colour");
    let r = std::panic::catch_unwind(|| {
        let (out, _) = check(SPEC4, None);
        assert_input_error(&out, "thread 'main' panicked", "a good spec")
    });
    assert!(r.is_err());
    assert!(Path::new(env!("CARGO_BIN_EXE_gigapod")).exists());
}
