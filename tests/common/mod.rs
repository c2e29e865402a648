//! Shared by the integration tests that need a tool beyond the Rust toolchain (Chromium, ibsim, the DejaVu
//! fonts). Without the tool such a test prints that it skipped and why, and passes; with
//! `GIGAPOD_REQUIRE_TOOLS=1` (which `.ci/run` sets after installing them) a missing tool fails the test, so CI
//! cannot skip silently.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

/// The environment variable that turns a skip into a failure.
pub const REQUIRE: &str = "GIGAPOD_REQUIRE_TOOLS";

/// Whether a missing tool must fail the test instead of skipping it.
pub fn required() -> bool {
    std::env::var_os(REQUIRE).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Reports a skipped test on the real stderr (past the test harness's capture, so `cargo test` shows it), or
/// panics when [`REQUIRE`] is set.
pub fn skip(test: &str, why: &str) {
    assert!(
        !required(),
        "{test}: {why}, and {REQUIRE} is set (CI must run every test)"
    );
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {why} (set {REQUIRE}=1 to make this a failure)"
    );
}

/// The first of `names` found on PATH (or the path in `env`, when that variable is set).
pub fn find_tool(env: Option<&str>, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = env.and_then(std::env::var_os) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// [`find_tool`], or a printed skip (see [`skip`]) naming what to install.
pub fn tool_or_skip(test: &str, env: Option<&str>, names: &[&str], install: &str) -> Option<PathBuf> {
    let found = find_tool(env, names);
    if found.is_none() {
        skip(test, &format!("no {} on PATH ({install})", names.join(" / ")));
    }
    found
}

/// An SVG rendered to PNG by librsvg (`rsvg-convert`, or `GIGAPOD_RSVG_CONVERT`): the PNG's width and height in
/// pixels (from its IHDR chunk) and the time the render took; `None` after a printed skip when librsvg is absent.
/// Panics, with librsvg's message, when it refuses the file (a test failure).
pub fn rsvg_png(test: &str, name: &str, svg: &str) -> Option<(u32, u32, std::time::Duration)> {
    let rsvg = tool_or_skip(
        &format!("{test} (librsvg)"),
        Some("GIGAPOD_RSVG_CONVERT"),
        &["rsvg-convert"],
        "`apt-get install -y librsvg2-bin`, as .ci/run does",
    )?;
    let t = tempfile::tempdir().unwrap();
    let (input, png) = (t.path().join(name), t.path().join("out.png"));
    std::fs::write(&input, svg).unwrap();
    let t0 = std::time::Instant::now();
    let out = std::process::Command::new(rsvg)
        .arg(&input)
        .arg("-o")
        .arg(&png)
        .output()
        .unwrap();
    let took = t0.elapsed();
    assert!(
        out.status.success(),
        "rsvg-convert refused {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = std::fs::read(&png).unwrap();
    let w = u32::from_be_bytes(head[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(head[20..24].try_into().unwrap());
    Some((w, h, took))
}
