//! Hardening, round two, the size guard (docs/hardening.md, docs/limits.md): a plan whose estimated outputs or
//! memory pass the documented limits warns before it starts; `--max-output-mb` refuses a set that is too large
//! before anything is written; `--skip` leaves out the largest files.

use std::path::Path;
use std::process::{Command, Output};

fn gigapod() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gigapod"))
}

fn spec(dir: &Path, servers: u32) -> std::path::PathBuf {
    let p = dir.join("spec.toml");
    std::fs::write(
        &p,
        format!("name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = {servers}\n"),
    )
    .unwrap();
    p
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A plan of 746,496 endpoints took 109 s and 8 GB and wrote 2.6 GB with no warning. Now the estimate is
/// given first; with `--max-output-mb` far below it, nothing is planned.
#[test]
fn a_huge_plan_warns_first_and_a_cap_far_below_refuses_it_unplanned() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let start = std::time::Instant::now();
    let o = gigapod()
        .arg("plan")
        .arg(spec(t.path(), 100_000))
        .arg("--out")
        .arg(&out)
        .args(["--max-output-mb", "1"])
        .output()
        .unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("warning: a plan of 100000 servers x 8 rails is estimated at"),
        "{e}"
    );
    assert!(
        e.contains("estimated at 1393 MB, far more than --max-output-mb 1"),
        "{e}"
    );
    assert!(!out.exists());
    eprintln!("refused in {:?}", start.elapsed());
}

/// The exact size is checked after rendering, before the first file is written.
#[test]
fn outputs_over_the_cap_are_refused_before_anything_is_written() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    // 256 servers: about 3.5 MB of files, more than 2 MB, less than four times it (not refused unplanned).
    let o = gigapod()
        .arg("plan")
        .arg(spec(t.path(), 256))
        .arg("--out")
        .arg(&out)
        .args(["--max-output-mb", "2"])
        .output()
        .unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("more than --max-output-mb 2.0; nothing was written"), "{e}");
    assert!(e.contains("the largest are "), "{e}");
    assert!(!out.exists(), "a folder was made");
    let o = gigapod()
        .arg("plan")
        .arg(spec(t.path(), 256))
        .arg("--out")
        .arg(&out)
        .args(["--max-output-mb", "50"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `--skip` leaves files out; one an earlier plan wrote is removed, so the folder holds one plan's set.
#[test]
fn skipped_outputs_are_not_written_and_old_ones_removed() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let s = spec(t.path(), 4);
    let o = gigapod().arg("plan").arg(&s).arg("--out").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join("netbox-interfaces.csv").exists() && out.join("racks.svg").exists());
    let o = gigapod()
        .arg("plan")
        .arg(&s)
        .arg("--out")
        .arg(&out)
        .args(["--skip", "netbox-interfaces.csv,racks.svg"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!out.join("netbox-interfaces.csv").exists() && !out.join("racks.svg").exists());
    assert!(out.join("report.json").exists() && out.join("netbox-cables.csv").exists());
    assert_eq!(
        gigapod_planner::output::set_state(&out).unwrap(),
        gigapod_planner::output::SetState::Complete
    );
    let o = gigapod()
        .arg("plan")
        .arg(&s)
        .arg("--out")
        .arg(&out)
        .args(["--skip", "nothing.txt"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not an output of the plan"), "{}", stderr(&o));
}
