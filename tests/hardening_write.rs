//! Hardening, round two, writing (docs/hardening.md): the marker and temporary files are never written through a
//! symlink, nothing but a regular file is ever replaced (even with `--force`), stdout is an explicit `-`, a
//! second run into a folder in use is refused with an "in use" message, and an output set is replaced whole.
//!
//! Device nodes and FIFOs are made with `mknod`/`mkfifo` inside each test's own temporary folder; symlinks point
//! only at files inside it. Nothing here touches a path outside its temporary folder.

use std::collections::BTreeMap;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn gigapod() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gigapod"))
}

fn spec(dir: &Path, name: &str, servers: u32) -> PathBuf {
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(
        &p,
        format!("name = \"{name}\"\n[compute]\nserver = \"g593-h200\"\nservers = {servers}\n"),
    )
    .unwrap();
    p
}

fn plan(spec: &Path, out: &Path, force: bool) -> Output {
    let mut cmd = gigapod();
    cmd.arg("plan").arg(spec).arg("--out").arg(out);
    if force {
        cmd.arg("--force");
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every visible file of a folder, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .map(|n| {
            let b = std::fs::read(dir.join(&n)).unwrap();
            (n, b)
        })
        .collect()
}

fn mknod_char(path: &Path) -> bool {
    // 1:3 are /dev/null's numbers: the node is a harmless null device, made inside the test's folder.
    let ok = Command::new("mknod")
        .arg(path)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: mknod is not available or not permitted here");
    }
    ok
}

fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

// ---- the marker ----

/// output.rs wrote the marker with `std::fs::write`, which follows a symlink: a marker symlinked to a user file
/// overwrote that file, and the folder then counted as the planner's own.
#[test]
fn a_symlinked_marker_is_not_followed_and_does_not_make_the_folder_ours() {
    let t = tempfile::tempdir().unwrap();
    let victim = t.path().join("victim.txt");
    std::fs::write(&victim, "the user's own file\n").unwrap();
    let out = t.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join(".gigapod-plan")).unwrap();
    let s = spec(t.path(), "a", 4);

    let o = plan(&s, &out, false);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not made by gigapod"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "the user's own file\n");

    let o = plan(&s, &out, true);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "the user's own file\n");
    let m = std::fs::symlink_metadata(out.join(".gigapod-plan")).unwrap();
    assert!(
        m.file_type().is_file(),
        "the marker is now a regular file of the folder"
    );
}

/// A dangling marker symlink made `std::fs::write` create its target outside the folder.
#[test]
fn a_dangling_marker_symlink_creates_nothing_outside_the_folder() {
    let t = tempfile::tempdir().unwrap();
    let outside = t.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let out = t.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(outside.join("created.txt"), out.join(".gigapod-plan")).unwrap();
    let o = plan(&spec(t.path(), "a", 4), &out, true);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !outside.join("created.txt").exists(),
        "the marker was written through the symlink"
    );
}

/// The folder lock is never opened through a symlink either.
#[test]
fn a_symlinked_lock_file_is_refused_and_its_target_untouched() {
    let t = tempfile::tempdir().unwrap();
    let victim = t.path().join("victim.txt");
    std::fs::write(&victim, "keep\n").unwrap();
    let out = t.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join(".gigapod-lock")).unwrap();
    let o = plan(&spec(t.path(), "a", 4), &out, true);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep\n");
}

// ---- non-regular targets ----

/// `export --graphml X --force` renamed a regular file over a character device (as root, `--dot /dev/null
/// --force` would have replaced the system's /dev/null).
#[test]
fn export_and_chart_refuse_to_replace_a_device_even_with_force() {
    let t = tempfile::tempdir().unwrap();
    let dev = t.path().join("null");
    if !mknod_char(&dev) {
        return;
    }
    let s = spec(t.path(), "a", 4);
    for args in [
        vec!["export".into(), s.display().to_string(), "--graphml".into()],
        vec!["export".into(), s.display().to_string(), "--dot".into()],
        vec!["compare".into(), s.display().to_string(), "--chart".into()],
    ] {
        let o = gigapod().args(&args).arg(&dev).arg("--force").output().unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains("character device"), "{args:?}: {e}");
        assert!(
            e.contains("`-`"),
            "{args:?}: the message says how to write to stdout: {e}"
        );
        assert!(is_char_device(&dev), "{args:?}: the device node was replaced");
    }
}

/// A FIFO, a folder or a symlink in the target's place is refused too, each named for what it is.
#[test]
fn export_refuses_a_fifo_a_folder_and_a_symlink() {
    let t = tempfile::tempdir().unwrap();
    let s = spec(t.path(), "a", 4);
    let fifo = t.path().join("fifo");
    let fifo_ok = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let folder = t.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let target = t.path().join("target.txt");
    std::fs::write(&target, "keep\n").unwrap();
    let link = t.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut cases = vec![(folder.clone(), "folder"), (link.clone(), "symbolic link")];
    if fifo_ok {
        cases.push((fifo.clone(), "FIFO"));
    }
    for (path, what) in cases {
        let o = gigapod()
            .arg("export")
            .arg(&s)
            .arg("--graphml")
            .arg(&path)
            .arg("--force")
            .output()
            .unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {e}");
        assert!(e.contains(what), "{what}: {e}");
    }
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep\n");
}

/// Writing to stdout is the explicit `-`, not a device path.
#[test]
fn export_and_chart_write_to_stdout_with_a_dash() {
    let t = tempfile::tempdir().unwrap();
    let s = spec(t.path(), "a", 4);
    let o = gigapod()
        .current_dir(t.path())
        .args(["export", "a.toml", "--graphml", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("<?xml"), "{}", &text[..text.len().min(200)]);
    assert!(!t.path().join("-").exists(), "a file named `-` was written");
    let o = gigapod()
        .current_dir(t.path())
        .arg("compare")
        .arg(&s)
        .args(["--chart", "-", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("<svg"), "{text}");
    assert!(!t.path().join("-").exists());
}

/// An output name taken by a folder made `plan` fail half-way, the folder holding some new files and some old;
/// now every target is checked before anything is written.
#[test]
fn an_output_name_taken_by_a_folder_is_refused_before_anything_is_written() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let o = plan(&spec(t.path(), "a", 4), &out, false);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::remove_file(out.join("racks.svg")).unwrap();
    std::fs::create_dir(out.join("racks.svg")).unwrap();
    let before = files_but(&out, "racks.svg");
    let o = plan(&spec(t.path(), "b", 8), &out, false);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("racks.svg") && e.contains("folder"), "{e}");
    assert_eq!(
        files_but(&out, "racks.svg"),
        before,
        "files of the new plan were written"
    );
}

fn files_but(dir: &Path, skip: &str) -> BTreeMap<String, Vec<u8>> {
    let mut f = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let n = e.file_name().to_string_lossy().into_owned();
        if n != skip && !n.starts_with('.') {
            f.insert(n.clone(), std::fs::read(dir.join(&n)).unwrap());
        }
    }
    f
}

// ---- concurrent runs ----

/// Two `plan` runs into one folder raced: one's cleanup deleted the other's live temporary file, and a valid
/// spec then failed with "cannot write ... check the folder's permissions" (41 of 60 pairs). Now the folder is
/// locked: each run succeeds or is told the folder is in use, and after each pair the folder holds exactly one
/// plan's complete set, byte for byte as a lone run writes it.
#[test]
fn twenty_concurrent_pairs_into_one_folder_leave_one_complete_set() {
    let t = tempfile::tempdir().unwrap();
    // Two plans of one size (only the name differs), so that both reach the write phase together.
    let a = spec(t.path(), "a", 512);
    let b = spec(t.path(), "b", 512);
    let reference = |s: &Path, name: &str| {
        let dir = t.path().join(format!("ref-{name}"));
        let o = plan(s, &dir, false);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        files(&dir)
    };
    let (ref_a, ref_b) = (reference(&a, "a"), reference(&b, "b"));
    assert_ne!(ref_a, ref_b);
    let out = t.path().join("shared");
    let (mut in_use, mut ok) = (0, 0);
    for pair in 0..20 {
        let spawn = |s: &Path| {
            gigapod()
                .arg("plan")
                .arg(s)
                .arg("--out")
                .arg(&out)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = if pair % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let children = [spawn(first), spawn(second)];
        for c in children {
            let o = c.wait_with_output().unwrap();
            let e = stderr(&o);
            match o.status.code() {
                Some(0) => ok += 1,
                Some(2) if e.contains("in use") => in_use += 1,
                c => panic!("pair {pair}: exit {c:?}: {e}"),
            }
        }
        let now = files(&out);
        assert!(
            now == ref_a || now == ref_b,
            "pair {pair}: the folder holds a mix of two plans"
        );
        let temps: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".gigapod-tmp-"))
            .collect();
        assert!(temps.is_empty(), "pair {pair}: temporary files left: {temps:?}");
        assert_eq!(
            gigapod_planner::output::set_state(&out).unwrap(),
            gigapod_planner::output::SetState::Complete,
            "pair {pair}"
        );
    }
    eprintln!("20 pairs: {ok} runs wrote, {in_use} were told the folder is in use");
    assert!(ok >= 20, "each pair writes at least once");
}

// ---- kills during a replacement ----

/// After a kill mid-write the folder could hold some files of the new plan and some of the old, and nothing
/// marked it incomplete. Now the marker's manifest says `writing` until every file is in place: after each
/// kill the folder is either one plan's complete set or marked incomplete, never a mix that claims to be
/// whole; and the next run leaves a complete set.
#[test]
fn a_kill_during_a_replacement_leaves_the_old_set_the_new_set_or_an_incomplete_mark() {
    use gigapod_planner::output::{SetState, set_state};
    let t = tempfile::tempdir().unwrap();
    let a = spec(t.path(), "a", 1024);
    let b = spec(t.path(), "b", 1024);
    let ref_b = {
        let dir = t.path().join("ref-b");
        let o = plan(&b, &dir, false);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        files(&dir)
    };
    let out = t.path().join("out");
    let mut seen_incomplete = 0;
    for attempt in 0..6u64 {
        let o = plan(&a, &out, false);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let ref_a = files(&out);
        let mut child = gigapod()
            .arg("plan")
            .arg(&b)
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the write phase (the first temporary file), then kill at a varied point of it.
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            let writing = std::fs::read_dir(&out)
                .unwrap()
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().starts_with(".gigapod-tmp-"));
            if writing {
                std::thread::sleep(std::time::Duration::from_micros(200 + attempt * attempt * 700));
                break;
            }
            assert!(start.elapsed() < std::time::Duration::from_secs(120), "the plan hangs");
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        let now = files(&out);
        match set_state(&out).unwrap() {
            SetState::Complete => assert!(
                now == ref_a || now == ref_b,
                "attempt {attempt}: the marker says complete, the folder holds a mix"
            ),
            SetState::Incomplete(why) => {
                seen_incomplete += 1;
                eprintln!("attempt {attempt}: marked incomplete: {why}");
            }
            SetState::NotOurs => panic!("attempt {attempt}: the marker is gone"),
        }
        let o = plan(&b, &out, false);
        assert_eq!(o.status.code(), Some(0), "attempt {attempt}: {}", stderr(&o));
        assert_eq!(set_state(&out).unwrap(), SetState::Complete);
        assert_eq!(
            files(&out),
            ref_b,
            "attempt {attempt}: the next run did not leave a whole set"
        );
    }
    eprintln!("{seen_incomplete} of 6 kills left a set marked incomplete");
}

// ---- leftovers of killed exports ----

/// A killed `export` left `.gigapod-tmp-*` files (up to 140 MB) that nothing ever removed. Now an export
/// removes the leftovers beside its target: regular files of the prefix that no live run holds locked.
#[test]
fn an_export_removes_what_a_killed_export_left_beside_its_target() {
    let t = tempfile::tempdir().unwrap();
    let s = spec(t.path(), "a", 4);
    let left = t.path().join(".gigapod-tmp-12345-0-deadbeef");
    std::fs::write(&left, "half a graph").unwrap();
    // Not ours to judge: a folder of that name is left alone.
    std::fs::create_dir(t.path().join(".gigapod-tmp-folder")).unwrap();
    let o = gigapod()
        .arg("export")
        .arg(&s)
        .arg("--graphml")
        .arg(t.path().join("fabric.graphml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!left.exists(), "the leftover is still there");
    assert!(t.path().join(".gigapod-tmp-folder").is_dir());
    assert!(t.path().join("fabric.graphml").exists());
}

// ---- a full disk ----

/// Unmounts the small file system when the test ends, however it ends.
struct Mounted(PathBuf);
impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// After ENOSPC the folder could hold some files of the new plan and some of the old. Now every new file is
/// written to a temporary file first: a disk that fills up fails the run with exit 2 before any file is
/// replaced, and the folder still holds the old plan's complete set. The small disk is a 1 MiB tmpfs mounted on
/// a folder inside the test's temporary folder (skipped, with the reason, where mounting is not permitted).
#[test]
fn a_full_disk_leaves_the_old_set_whole() {
    use gigapod_planner::output::{SetState, set_state};
    let t = tempfile::tempdir().unwrap();
    let disk = t.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&disk)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (not root, or not permitted)");
        return;
    }
    let _guard = Mounted(disk.clone());
    let out = disk.join("out");
    let o = plan(&spec(t.path(), "a", 4), &out, false);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let old = files(&out);
    // 256 servers: about 3.5 MB of files, more than the disk holds.
    let o = plan(&spec(t.path(), "b", 256), &out, false);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("No space left on device"), "{e}");
    assert_eq!(files(&out), old, "the old set was touched");
    assert_eq!(set_state(&out).unwrap(), SetState::Complete);
    let temps = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".gigapod-tmp-"))
        .count();
    assert_eq!(temps, 0, "temporary files left on the full disk");
}
