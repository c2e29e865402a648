//! Every file under tests/bad-input/ is a bad spec or a bad catalog with its expectation on its first line
//! (or in a sidecar `.expect` file): `# expect: exit 2, line 5, "message fragment"`. The binary must exit with
//! that status, name the file and line, say the fragment, and never panic.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Expect {
    exit: i32,
    line: Option<usize>,
    fragment: String,
}

fn parse_expect(text: &str) -> Option<Expect> {
    let line = text.lines().find(|l| l.starts_with("# expect:"))?;
    let rest = line.trim_start_matches("# expect:").trim();
    let quote = rest.find('"')?;
    let fragment = rest[quote + 1..rest.rfind('"')?].replace("\\\"", "\"");
    let mut exit = None;
    let mut at = None;
    for part in rest[..quote].split(',').map(str::trim) {
        if let Some(n) = part.strip_prefix("exit ") {
            exit = n.parse().ok();
        } else if let Some(n) = part.strip_prefix("line ") {
            at = n.parse().ok();
        }
    }
    Some(Expect {
        exit: exit?,
        line: at,
        fragment,
    })
}

fn expectation(file: &Path) -> Expect {
    let sidecar = file.with_extension("expect");
    let text = std::fs::read(if sidecar.exists() { &sidecar } else { file }).unwrap();
    parse_expect(&String::from_utf8_lossy(&text))
        .unwrap_or_else(|| panic!("{} has no `# expect:` line", file.display()))
}

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input").join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

fn check_one(file: &Path, args: &[&str]) -> Result<(), String> {
    let want = expectation(file);
    let out = Command::new(env!("CARGO_BIN_EXE_gigapod"))
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let name = file.display().to_string();
    let code = out.status.code();
    let mut problems = Vec::new();
    if code != Some(want.exit) {
        problems.push(format!("exit {code:?}, expected {}", want.exit));
    }
    if stderr.contains("panicked") {
        problems.push("panicked".into());
    }
    if !stderr.contains(&want.fragment) {
        problems.push(format!("message lacks {:?}", want.fragment));
    }
    // A spec with a sidecar catalog may be refused for a figure of that catalog: then the catalog is the file.
    let catalog = file.with_extension("catalog");
    let names = [name.clone(), catalog.display().to_string()];
    let named = names.iter().take(if catalog.exists() { 2 } else { 1 });
    if !named.clone().any(|n| stderr.contains(n.as_str())) {
        problems.push("message does not name the file".into());
    }
    if let Some(line) = want.line
        && !named.clone().any(|n| stderr.contains(&format!("{n}:{line}:")))
    {
        problems.push(format!("message does not point at line {line}"));
    }
    if !stderr.contains("help:") {
        problems.push("message has no help line".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}\n{stderr}", problems.join("; ")))
    }
}

fn run_all(dir: &str, args: impl Fn(&str) -> Vec<String>) {
    let files = files(dir);
    assert!(files.len() >= 10, "too few bad inputs in {dir}");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let p = f.display().to_string();
            let a = args(&p);
            check_one(f, &a.iter().map(String::as_str).collect::<Vec<_>>()).err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn bad_specs_exit_2_with_a_located_message() {
    // A spec may come with a catalog of its own: `name.catalog` beside `name.toml`.
    run_all("spec", |p| {
        let mut args = vec!["check".to_string(), p.to_string()];
        let catalog = Path::new(p).with_extension("catalog");
        if catalog.exists() {
            args.extend(["--catalog".to_string(), catalog.display().to_string()]);
        }
        args
    });
}

#[test]
fn bad_catalogs_exit_2_with_a_located_message() {
    run_all("catalog", |p| {
        vec!["catalog".into(), "list".into(), "--catalog".into(), p.into()]
    });
}

#[test]
fn bad_catalog_also_stops_a_plan() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gigapod-h200-air.toml");
    let cat = files("catalog")
        .into_iter()
        .find(|p| p.ends_with("negative-rating.toml"))
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gigapod"))
        .args(["check", spec.to_str().unwrap(), "--catalog", cat.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_spec_file_is_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_gigapod"))
        .args(["check", "no/such/spec.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/spec.toml"));
}

#[test]
fn bad_arguments_are_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_gigapod"))
        .args(["plan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_gigapod"))
        .args(["catalog", "list", "--kind", "fans"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown part kind `fans`"));
}
