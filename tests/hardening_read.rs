//! Hardening, round two, reading and printing (docs/hardening.md): inputs are read through a bound on the
//! bytes read (devices, FIFOs and stdin included), and stdout failures end the program cleanly: quietly on a
//! broken pipe, with a message and exit 2 on any other error, never with a panic.
//!
//! Device nodes are made with `mknod` and FIFOs with `mkfifo` inside each test's temporary folder; each test
//! skips with a printed reason where that is not permitted.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn gigapod() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gigapod"))
}

/// Makes a character device node with the given numbers inside `dir` (1:5 zero, 1:7 full, 1:9 urandom).
fn device(dir: &Path, name: &str, minor: u32) -> Option<PathBuf> {
    let p = dir.join(name);
    let ok = Command::new("mknod")
        .arg(&p)
        .args(["c", "1", &minor.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(p)
    } else {
        eprintln!("skipped: mknod is not available or not permitted here");
        None
    }
}

/// Waits for a child at most `limit`, killing it after: a read that does not stop is a failure, not a hang.
fn wait_bounded(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?} (killed): {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn run_bounded(cmd: &mut Command) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_bounded(child, Duration::from_secs(30))
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SPEC: &str = "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n";

// ---- bounded reads ----

/// The size limits checked only the metadata length, which is 0 for a device: `check /dev/zero` and
/// `--catalog /dev/zero` grew to 3-4 GB in seconds. Now the bound is on the bytes read.
#[test]
fn a_zero_device_as_spec_or_catalog_is_refused_at_the_limit() {
    let t = tempfile::tempdir().unwrap();
    let Some(zero) = device(t.path(), "zero", 5) else {
        return;
    };
    let spec = t.path().join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let o = run_bounded(gigapod().arg("check").arg(&zero));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("more than the 1048576 bytes accepted"), "{}", err(&o));
    let o = run_bounded(gigapod().arg("check").arg(&spec).arg("--catalog").arg(&zero));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("more than the 16777216 bytes accepted"), "{}", err(&o));
}

/// /dev/urandom: refused within the same bound (not UTF-8, or too long), never read without end.
#[test]
fn a_random_device_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let Some(random) = device(t.path(), "urandom", 9) else {
        return;
    };
    let o = run_bounded(gigapod().arg("check").arg(&random));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("not UTF-8") || err(&o).contains("bytes accepted"),
        "{}",
        err(&o)
    );
}

/// A FIFO fed by a writer that never stops (as `yes > fifo`) is read only up to the limit.
#[test]
fn an_endless_fifo_is_read_only_up_to_the_limit() {
    let t = tempfile::tempdir().unwrap();
    let fifo = t.path().join("fifo");
    if !Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available here");
        return;
    }
    let child = gigapod()
        .arg("check")
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let chunk = b"y\n".repeat(4096);
            let mut sent = 0usize;
            // Ends when the reader closes the pipe (EPIPE), or after 64 MiB if it never does.
            while sent < 64 << 20 && f.write_all(&chunk).is_ok() {
                sent += chunk.len();
            }
            sent
        })
    };
    let o = wait_bounded(child, Duration::from_secs(30));
    let sent = writer.join().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("more than the 1048576 bytes accepted"), "{}", err(&o));
    assert!(sent < 64 << 20, "the reader read all {sent} bytes");
}

/// Stdin is `-`: a spec read from it plans like a file; endless stdin stops at the limit.
#[test]
fn a_spec_on_stdin_is_read_with_a_dash_and_bounded() {
    let mut child = gigapod()
        .args(["check", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(SPEC.as_bytes()).unwrap();
    let o = wait_bounded(child, Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["compute"]["servers"], 4, "{v}");

    let mut child = gigapod()
        .args(["check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = [b'#'; 65536];
        let mut sent = 0usize;
        while sent < 64 << 20 && stdin.write_all(&chunk).is_ok() {
            sent += chunk.len();
        }
        sent
    });
    let o = wait_bounded(child, Duration::from_secs(30));
    assert!(writer.join().unwrap() < 64 << 20);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("<stdin>") && err(&o).contains("bytes accepted"),
        "{}",
        err(&o)
    );

    let o = run_bounded(gigapod().args(["check", "-", "--catalog", "-"]));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("more than one input"), "{}", err(&o));
}

/// A folder given as the spec says so.
#[test]
fn a_folder_as_spec_says_it_is_a_folder() {
    let t = tempfile::tempdir().unwrap();
    let o = run_bounded(gigapod().arg("check").arg(t.path()));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("is a folder"), "{}", err(&o));
}

// ---- stdout ----

/// A write failure on stdout panicked and exited 101: a broken pipe, as in `check big.toml --format json |
/// head -c 10`. Now the program ends quietly with the command's own status.
#[test]
fn a_broken_pipe_ends_quietly() {
    let t = tempfile::tempdir().unwrap();
    let spec = t.path().join("big.toml");
    // 16 scalable units: a report.json of several hundred KB, far more than a pipe buffers.
    std::fs::write(
        &spec,
        "name = \"big\"\n[compute]\nserver = \"g593-h200\"\nscalable_units = 16\n",
    )
    .unwrap();
    for args in [
        vec![
            "check".to_string(),
            spec.display().to_string(),
            "--format".into(),
            "json".into(),
        ],
        vec!["check".to_string(), spec.display().to_string()],
        vec!["catalog".into(), "list".into()],
    ] {
        let mut child = gigapod()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 10];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        // stdout is now closed: every later write fails with EPIPE.
        let o = wait_bounded(child, Duration::from_secs(60));
        let e = err(&o);
        assert!(!e.contains("panicked"), "{args:?}: {e}");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {e}");
        assert!(e.is_empty(), "{args:?}: not quiet: {e}");
    }
}

/// `--format json > /dev/full`: a clear message and exit 2, no panic.
#[test]
fn a_full_stdout_is_a_clear_error() {
    let t = tempfile::tempdir().unwrap();
    let Some(full) = device(t.path(), "full", 7) else {
        return;
    };
    let spec = t.path().join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    for args in [
        vec![
            "check".to_string(),
            spec.display().to_string(),
            "--format".into(),
            "json".into(),
        ],
        vec!["catalog".into(), "list".into()],
    ] {
        let out = std::fs::OpenOptions::new().write(true).open(&full).unwrap();
        let o = gigapod()
            .args(&args)
            .stdout(Stdio::from(out))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let e = err(&o);
        assert!(!e.contains("panicked"), "{args:?}: {e}");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains("cannot write to stdout"), "{args:?}: {e}");
    }
}
