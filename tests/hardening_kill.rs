//! Output writes are atomic (docs/hardening.md): a `gigapod plan` killed at any moment leaves every output file
//! either whole or absent, a later run clears the temporary files a killed one left, and files the user owns
//! are never replaced without `--force`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Outputs every plan writes; others (drawings) are checked against the reference run all the same.
const OUTPUTS: [&str; 3] = ["report.json", "bom.csv", "cables.csv"];
const MARKER: &str = ".gigapod-plan";
const TEMP_PREFIX: &str = ".gigapod-tmp-";
/// The folder's lock file (held with `flock` while a run writes; it stays, empty, afterwards).
const LOCK: &str = ".gigapod-lock";
/// Kills timed by the first temporary file of the write phase, then a short varied delay (0.1-20 ms, spread
/// evenly on a log scale: the write phase is short).
const KILLS_WHILE_WRITING: u64 = 4;
/// Kills the moment the first, second or third output name appears: a file that appears before it is whole (a
/// non-atomic write) is caught there.
const KILLS_ON_APPEARANCE: u64 = 3;
/// Kills at a varied time anywhere in the run.
const KILLS_ANY_TIME: u64 = 2;

fn gigapod() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gigapod"))
}

/// `gigapod plan SPEC --out DIR`.
fn plan(spec: &Path, dir: &Path) -> Command {
    let mut cmd = gigapod();
    cmd.arg("plan").arg(spec).arg("--out").arg(dir);
    cmd
}

/// 64 scalable units of G593 H200: 2,048 servers, about 5.5 MB of output (most of it cables.csv).
fn big_spec(dir: &Path) -> PathBuf {
    let p = dir.join("big.toml");
    std::fs::write(
        &p,
        "name = \"big\"\n[compute]\nserver = \"g593-h200\"\nscalable_units = 64\n",
    )
    .unwrap();
    p
}

fn small_spec(dir: &Path) -> PathBuf {
    let p = dir.join("small.toml");
    std::fs::write(&p, "name = \"small\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n").unwrap();
    p
}

/// A small xorshift generator seeded from the clock: delays vary from run to run and are printed on failure.
struct Rng(u64);
impl Rng {
    fn new() -> Self {
        let t = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap();
        Rng(t.as_nanos() as u64 | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Every finished file of an output folder (not the marker, not temporary files), by name.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .map(|n| {
                    let bytes = std::fs::read(dir.join(&n)).unwrap();
                    (n, bytes)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A file is whole by its own format: JSON parses, CSV records are complete, SVG closes.
fn check_format(name: &str, bytes: &[u8]) -> Result<(), String> {
    if name.ends_with(".json") {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .map(|_| ())
            .map_err(|e| format!("{name} ({} bytes) is not whole JSON: {e}", bytes.len()))
    } else if name.ends_with(".csv") {
        check_csv(name, bytes)
    } else if name.ends_with(".svg") && !String::from_utf8_lossy(bytes).trim_end().ends_with("</svg>") {
        Err(format!("{name} ({} bytes) does not close its <svg>", bytes.len()))
    } else {
        Ok(())
    }
}

/// How many finished output names (not the marker, not temporary files) a folder shows, without reading them.
fn output_names(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
        .unwrap_or(0)
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(TEMP_PREFIX))
                .collect()
        })
        .unwrap_or_default()
}

/// Every record of a CSV has the header's field count, and the text ends with a whole record.
fn check_csv(name: &str, bytes: &[u8]) -> Result<(), String> {
    if !bytes.ends_with(b"\n") {
        return Err(format!("{name} does not end with a newline"));
    }
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let width = r.headers().map_err(|e| format!("{name}: {e}"))?.len();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("{name} record {i}: {e}"))?;
        if rec.len() != width {
            return Err(format!(
                "{name} record {i} has {} fields, the header {width}",
                rec.len()
            ));
        }
    }
    Ok(())
}

/// What a folder holds after a kill: only whole outputs (identical to an uninterrupted run's), the marker and
/// temporary files. Returns the number of temporary files.
fn check_after_kill(dir: &Path, reference: &BTreeMap<String, Vec<u8>>) -> Result<usize, String> {
    if !dir.exists() {
        return Ok(0);
    }
    let mut temps = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with(TEMP_PREFIX) {
            temps += 1;
            continue;
        }
        if name == MARKER || name == LOCK {
            continue;
        }
        let Some(want) = reference.get(&name) else {
            return Err(format!("unexpected file {name}"));
        };
        let got = std::fs::read(dir.join(&name)).unwrap();
        check_format(&name, &got)?;
        if &got != want {
            return Err(format!("{name} has {} bytes, a whole one {}", got.len(), want.len()));
        }
    }
    Ok(temps)
}

#[test]
fn a_killed_plan_leaves_whole_files_or_none_and_the_next_run_cleans_up() {
    let t = tempfile::tempdir().unwrap();
    let spec = big_spec(t.path());

    // An uninterrupted run: the reference outputs and the run's length.
    let reference_dir = t.path().join("reference");
    let start = Instant::now();
    let out = plan(&spec, &reference_dir).output().unwrap();
    let full = start.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reference = outputs(&reference_dir);
    for name in OUTPUTS {
        assert!(reference.contains_key(name), "the plan did not write {name}");
    }
    let total: usize = reference.values().map(Vec::len).sum();
    assert!(
        total > 2_000_000,
        "{total} bytes of output are too few to kill a run while it writes"
    );
    for (name, bytes) in &reference {
        check_format(name, bytes).unwrap();
    }

    let mut rng = Rng::new();
    let mut log = Vec::new();
    let mut left_temps = Vec::new();
    let mut failures = Vec::new();
    for attempt in 0..KILLS_WHILE_WRITING + KILLS_ON_APPEARANCE + KILLS_ANY_TIME {
        let dir = t.path().join(format!("attempt-{attempt}"));
        let mut child = plan(&spec, &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let what = if attempt < KILLS_WHILE_WRITING {
            // Poll for the first temporary file, then let the write run on.
            let extra = Duration::from_secs_f64(1e-4 * 200f64.powf(rng.below(1000) as f64 / 1000.0));
            loop {
                if child.try_wait().unwrap().is_some() {
                    break format!("finished before a temporary file was seen (extra {extra:?})");
                }
                if !temp_files(&dir).is_empty() {
                    std::thread::sleep(extra);
                    break format!("killed {extra:?} after the first temporary file");
                }
                assert!(start.elapsed() < full * 10 + Duration::from_secs(60), "the plan hangs");
                std::thread::sleep(Duration::from_micros(200));
            }
        } else if attempt < KILLS_WHILE_WRITING + KILLS_ON_APPEARANCE {
            let k = (attempt - KILLS_WHILE_WRITING + 1) as usize;
            loop {
                if child.try_wait().unwrap().is_some() {
                    break format!("finished before {k} output(s) appeared");
                }
                if output_names(&dir) >= k {
                    break format!("killed as output {k} appeared");
                }
                assert!(start.elapsed() < full * 10 + Duration::from_secs(60), "the plan hangs");
                std::thread::sleep(Duration::from_micros(100));
            }
        } else {
            let at = full.mul_f64(0.2 + rng.below(1000) as f64 / 1000.0);
            std::thread::sleep(at);
            format!("killed at {at:?} of a {full:?} run")
        };
        let _ = child.kill(); // SIGKILL: no handler, no cleanup of its own
        let status = child.wait().unwrap();
        match check_after_kill(&dir, &reference) {
            Ok(temps) => {
                let whole = outputs(&dir).len();
                log.push(format!(
                    "attempt {attempt}: {what}; {status}; {whole} whole, {temps} temporary"
                ));
                if temps > 0 {
                    left_temps.push(dir);
                }
            }
            Err(e) => failures.push(format!("attempt {attempt} ({what}): {e}")),
        }
    }
    let log = log.join("\n");
    eprintln!("{log}");
    assert!(failures.is_empty(), "partial outputs:\n{}\n{log}", failures.join("\n"));
    assert!(
        !left_temps.is_empty(),
        "no kill landed while a file was being written:\n{log}"
    );

    // The next run into a folder a killed run left: no --force needed, leftovers removed, outputs whole.
    let dir = &left_temps[0];
    let out = plan(&spec, dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        temp_files(dir),
        Vec::<String>::new(),
        "leftovers stay after a full run\n{log}"
    );
    assert_eq!(outputs(dir), reference);
}

#[test]
fn the_kill_check_sees_a_partial_file() {
    let t = tempfile::tempdir().unwrap();
    let mut reference = BTreeMap::new();
    reference.insert("report.json".to_string(), b"{\"a\": 1}\n".to_vec());
    reference.insert("cables.csv".to_string(), b"a,b\n1,2\n".to_vec());
    std::fs::write(t.path().join("report.json"), "{\"a\": ").unwrap();
    assert!(check_after_kill(t.path(), &reference).is_err());
    std::fs::write(t.path().join("report.json"), "{\"a\": 1}\n").unwrap();
    std::fs::write(t.path().join("cables.csv"), "a,b\n1,").unwrap();
    assert!(check_after_kill(t.path(), &reference).is_err());
    std::fs::write(t.path().join("cables.csv"), "a,b\n1,2\n").unwrap();
    std::fs::write(t.path().join(format!("{TEMP_PREFIX}x")), "a,b\n1,").unwrap();
    assert_eq!(check_after_kill(t.path(), &reference), Ok(1));
}

#[test]
fn a_users_folder_is_not_written_without_force() {
    let t = tempfile::tempdir().unwrap();
    let spec = small_spec(t.path());
    let dir = t.path().join("mine");
    std::fs::create_dir(&dir).unwrap();
    // The user's own report.json in a folder gigapod did not make.
    std::fs::write(dir.join("report.json"), "my notes").unwrap();
    let out = plan(&spec, &dir).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("report.json")).unwrap(), "my notes");
    assert!(!dir.join("cables.csv").exists() && !dir.join(MARKER).exists());

    let out = plan(&spec, &dir).arg("--force").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = outputs(&dir);
    assert!(OUTPUTS.iter().all(|n| written.contains_key(*n)), "{:?}", written.keys());
}

#[test]
fn an_output_path_that_is_a_file_is_left_alone() {
    let t = tempfile::tempdir().unwrap();
    let spec = small_spec(t.path());
    let file = t.path().join("out");
    std::fs::write(&file, "keep").unwrap();
    for force in [false, true] {
        let mut cmd = gigapod();
        cmd.args(["plan".as_ref(), spec.as_os_str(), "--out".as_ref(), file.as_os_str()]);
        if force {
            cmd.arg("--force");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    }
}

#[test]
fn an_export_does_not_replace_a_file_without_force() {
    let t = tempfile::tempdir().unwrap();
    let spec = small_spec(t.path());
    let file = t.path().join("fabric.graphml");
    std::fs::write(&file, "keep").unwrap();
    let out = gigapod()
        .args([
            "export".as_ref(),
            spec.as_os_str(),
            "--graphml".as_ref(),
            file.as_os_str(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    let out = gigapod()
        .args([
            "export".as_ref(),
            spec.as_os_str(),
            "--graphml".as_ref(),
            file.as_os_str(),
            "--force".as_ref(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&file).unwrap().contains("<graphml"));
    assert!(temp_files(t.path()).is_empty());
}

#[test]
fn a_plan_that_fails_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let spec = t.path().join("bad.toml");
    std::fs::write(
        &spec,
        "name = \"bad\"\n[compute]\nserver = \"g593-h200\"\nservers = 0\n",
    )
    .unwrap();
    let dir = t.path().join("out");
    let out = plan(&spec, &dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.exists(), "a failed plan made its output folder");
}
