//! `report.html` opened in a real headless browser (Chromium): it loads without a script or resource error,
//! fetches nothing, and its three drawings are in the DOM with a size. CI installs Chromium (`.ci/run`); without
//! it these tests print that they skipped (and fail under `GIGAPOD_REQUIRE_TOOLS=1`, as CI runs them). `GIGAPOD_CHROMIUM=/path/to/chrome` picks another browser binary.

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::output;
use gigapod_planner::spec::Spec;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

/// The browser, or `None` (the test then prints that it skipped; see tests/common).
fn chromium(test: &str) -> Option<PathBuf> {
    common::tool_or_skip(
        test,
        Some("GIGAPOD_CHROMIUM"),
        &["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"],
        "`apt-get install -y chromium`, as .ci/run does, or set GIGAPOD_CHROMIUM to a Chrome binary",
    )
}

/// Recorded into the DOM once the page has loaded: errors (script errors and failed loads, caught in the
/// capture phase), resources fetched, and each SVG's rendered size.
const PROBE: &str = r#"<script>
window.__gp_errors = [];
window.addEventListener('error', function (e) {
  window.__gp_errors.push((e.message || ('failed to load ' + ((e.target && (e.target.src || e.target.href)) || e.type))));
}, true);
window.addEventListener('load', function () {
  var d = document.createElement('div');
  d.id = 'gigapod-probe';
  var sizes = [];
  document.querySelectorAll('.drawing > svg').forEach(function (s) {
    var r = s.getBoundingClientRect();
    var b = s.getBBox();
    sizes.push(Math.round(r.width) + 'x' + Math.round(r.height) + '/' + Math.round(b.width) + 'x' + Math.round(b.height));
  });
  d.setAttribute('data-errors', String(window.__gp_errors.length));
  d.setAttribute('data-messages', window.__gp_errors.join(' | '));
  d.setAttribute('data-resources', String(performance.getEntriesByType('resource').length));
  d.setAttribute('data-svgs', sizes.join(' '));
  d.setAttribute('data-tables', String(document.querySelectorAll('table').length));
  document.body.appendChild(d);
});
</script>"#;

fn attr<'a>(dom: &'a str, name: &str) -> &'a str {
    let probe = dom.find("id=\"gigapod-probe\"").unwrap_or_else(|| {
        panic!(
            "the probe never ran (page did not load?):\n{}",
            &dom[..dom.len().min(2000)]
        )
    });
    let tag_end = probe + dom[probe..].find('>').unwrap();
    let tag = &dom[probe..tag_end];
    let key = format!("{name}=\"");
    let start = tag.find(&key).unwrap_or_else(|| panic!("no {name} in {tag}")) + key.len();
    &tag[start..start + tag[start..].find('"').unwrap()]
}

fn open_in_chromium(chromium: &Path, html: &str, dir: &Path) -> String {
    let page = dir.join("report.html");
    let probed = html.replacen("<head>", &format!("<head>\n{PROBE}"), 1);
    assert_ne!(probed, html, "report.html has no <head>");
    std::fs::write(&page, probed).unwrap();
    let profile = dir.join("profile");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=10000",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium did not start");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn check(test: &str, spec_text: &str) {
    let Some(chromium) = chromium(test) else { return };
    let spec = Spec::parse(SourceFile::new("spec.toml", spec_text)).unwrap();
    let plan = gigapod_planner::plan(&spec, Catalog::builtin()).unwrap();
    let files = output::render(&plan).unwrap();
    let html = String::from_utf8(files.iter().find(|f| f.name == "report.html").unwrap().bytes.clone()).unwrap();

    // Self-contained: nothing that would be fetched.
    for needle in [
        "src=",
        "<link",
        "@import",
        "url(http",
        "href=\"http",
        "<script",
        "<iframe",
        "<img",
    ] {
        assert!(!html.contains(needle), "report.html contains {needle}");
    }

    let t = tempfile::tempdir().unwrap();
    let dom = open_in_chromium(&chromium, &html, t.path());
    assert_eq!(attr(&dom, "data-errors"), "0", "{}", attr(&dom, "data-messages"));
    assert_eq!(attr(&dom, "data-resources"), "0", "the page fetched something");
    let svgs: Vec<&str> = attr(&dom, "data-svgs").split(' ').collect();
    assert_eq!(svgs.len(), 3, "{svgs:?}");
    for s in svgs {
        let nums: Vec<u32> = s.split(['x', '/']).map(|v| v.parse().unwrap()).collect();
        assert!(nums.iter().all(|&v| v > 100), "a drawing has no size: {s}");
    }
    assert!(attr(&dom, "data-tables").parse::<u32>().unwrap() >= 5);
    // The page carries the plan: its name, every check, the BOM.
    assert!(dom.contains(&format!("<h1>{}</h1>", plan.name())));
    for c in &plan.checks {
        assert!(dom.contains(&c.id), "check {} missing", c.id);
    }
    for l in &plan.bom {
        assert!(dom.contains(&l.part_id), "BOM line {} missing", l.part_id);
    }
}

fn example() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gigapod-h200-air.toml")).unwrap()
}

#[test]
fn report_html_renders_in_chromium_without_errors() {
    check("report_html_renders_in_chromium_without_errors", &example());
}

#[test]
fn report_html_of_64_sus_renders_in_chromium_without_errors() {
    check(
        "report_html_of_64_sus_renders_in_chromium_without_errors",
        &example().replace("scalable_units = 1", "scalable_units = 64"),
    );
}
