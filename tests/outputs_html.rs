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
  var first = document.querySelector('#racks .drawing [id^="rack-"] > title');
  d.setAttribute('data-firstrack', first ? first.textContent : '');
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
    // Topology, floor plan and one rack drawing per row.
    assert_eq!(svgs.len(), 2 + plan.layout.rows as usize, "{svgs:?}");
    for s in svgs {
        let nums: Vec<u32> = s.split(['x', '/']).map(|v| v.parse().unwrap()).collect();
        assert!(nums.iter().all(|&v| v > 100), "a drawing has no size: {s}");
    }
    assert!(attr(&dom, "data-tables").parse::<u32>().unwrap() >= 5);
    // The rack box opens on server racks (row 1's first rack), not on a lone network rack.
    let first = attr(&dom, "data-firstrack");
    assert!(first.contains("compute"), "the first rack drawn is {first:?}");
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

/// Prints `html` to PDF with Chromium's `--print-to-pdf` (the page's own `@page` size, no header or footer).
fn print_to_pdf(chromium: &Path, html: &str, dir: &Path) -> Vec<u8> {
    let page = dir.join("report.html");
    std::fs::write(&page, html).unwrap();
    let pdf = dir.join("report.pdf");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", dir.join("profile").display()),
            &format!("--print-to-pdf={}", pdf.display()),
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium did not start");
    assert!(
        out.status.success() && pdf.is_file(),
        "chromium could not print: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(pdf).unwrap()
}

/// A word of the PDF with its box in points: (x0, y0, x1, y1, text).
type Word = (f64, f64, f64, f64, String);

/// Every page's words, as poppler's `pdftotext -bbox` places them.
fn pdf_words(pdftotext: &Path, pdf: &[u8], dir: &Path) -> Vec<Vec<Word>> {
    let input = dir.join("words.pdf");
    std::fs::write(&input, pdf).unwrap();
    let out = Command::new(pdftotext)
        .arg("-bbox")
        .arg(&input)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let num = |tag: &str, key: &str| -> f64 {
        let k = format!("{key}=\"");
        let start = tag.find(&k).unwrap() + k.len();
        tag[start..start + tag[start..].find('"').unwrap()].parse().unwrap()
    };
    text.split("<page ")
        .skip(1)
        .map(|page| {
            page.split("<word ")
                .skip(1)
                .map(|w| {
                    let (tag, rest) = w.split_once('>').unwrap();
                    let word = rest.split('<').next().unwrap().to_string();
                    (
                        num(tag, "xMin"),
                        num(tag, "yMin"),
                        num(tag, "xMax"),
                        num(tag, "yMax"),
                        word,
                    )
                })
                .collect()
        })
        .collect()
}

/// Pairs of words on a page whose boxes share more than a fifth of the smaller box: text printed over text.
fn overlaps(words: &[Word]) -> Vec<(String, String)> {
    let mut sorted: Vec<&Word> = words.iter().collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    for (i, a) in sorted.iter().enumerate() {
        for b in &sorted[i + 1..] {
            if b.0 >= a.2 {
                break;
            }
            let ix = a.2.min(b.2) - a.0.max(b.0);
            let iy = a.3.min(b.3) - a.1.max(b.1);
            let area = |w: &Word| (w.2 - w.0) * (w.3 - w.1);
            if ix > 0.0 && iy > 0.0 && ix * iy > 0.2 * area(a).min(area(b)) {
                out.push((a.4.clone(), b.4.clone()));
            }
        }
    }
    out
}

/// The 64-SU report printed by Chromium: every page A4 landscape, each section starting a page of its own, each
/// row's rack drawing on one page, a page count within what the content needs, and no text printed over other
/// text anywhere (the report of before this test laid the power and rack tables over the drawings: thousands
/// of overlapping words on Letter, A4 and A4 landscape). Needs Chromium and poppler's `pdftotext`.
#[test]
fn report_html_of_64_sus_prints_on_a4_landscape_without_overlaps() {
    let test = "report_html_of_64_sus_prints_on_a4_landscape_without_overlaps";
    let Some(chromium) = chromium(test) else { return };
    let Some(pdftotext) = common::tool_or_skip(
        test,
        Some("GIGAPOD_PDFTOTEXT"),
        &["pdftotext"],
        "`apt-get install -y poppler-utils`, as .ci/run does",
    ) else {
        return;
    };
    let text = example()
        .replace("scalable_units = 1", "scalable_units = 64")
        .replace("name = \"gigapod-h200-air\"", "name = \"su64\"");
    let spec = Spec::parse(SourceFile::new("spec.toml", text)).unwrap();
    let plan = gigapod_planner::plan(&spec, Catalog::builtin()).unwrap();
    let files = output::render(&plan).unwrap();
    let html = String::from_utf8(files.iter().find(|f| f.name == "report.html").unwrap().bytes.clone()).unwrap();
    let t = tempfile::tempdir().unwrap();
    let pdf = print_to_pdf(&chromium, &html, t.path());

    // Every page is A4 landscape: 297 x 210 mm = 841.9 x 595.3 pt (Chromium rounds to whole CSS pixels).
    let raw = String::from_utf8_lossy(&pdf);
    let boxes: Vec<&str> = raw.match_indices("/MediaBox [").map(|(i, _)| &raw[i + 11..]).collect();
    assert!(!boxes.is_empty(), "no page in the PDF");
    for b in &boxes {
        let nums: Vec<f64> = b[..b.find(']').unwrap()]
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(
            (nums[2] - 841.9).abs() < 2.0 && (nums[3] - 595.3).abs() < 2.0,
            "a page is {} x {} pt, not A4 landscape",
            nums[2],
            nums[3]
        );
    }
    let pages = pdf_words(&pdftotext, &pdf, t.path());
    assert_eq!(pages.len(), boxes.len());

    // Nothing printed over anything else.
    for (i, words) in pages.iter().enumerate() {
        let o = overlaps(words);
        assert!(
            o.is_empty(),
            "page {}: {} overlapping words, e.g. {:?}",
            i + 1,
            o.len(),
            &o[..o.len().min(5)]
        );
    }
    // Each section starts a page: its heading is the first word there.
    let first: Vec<&str> = pages
        .iter()
        .map(|w| {
            w.iter()
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)))
                .map_or("", |w| w.4.as_str())
        })
        .collect();
    for heading in ["Checks", "Fabric", "Rack", "Floor", "Power", "Bill"] {
        assert!(
            first.contains(&heading),
            "no page starts with the {heading} section: {first:?}"
        );
    }
    // Each row's drawing is on one page: its title and its last rack's footer are on the same page.
    let rows = plan.layout.rows as usize;
    for row in 0..rows {
        let title = format!("row {}", row + 1);
        let page = pages.iter().position(|w| {
            w.windows(3)
                .any(|x| x[0].4 == "elevations," && format!("{} {}", x[1].4, x[2].4) == title)
        });
        let page = page.unwrap_or_else(|| panic!("no page has the drawing of {title}"));
        let last = plan
            .layout
            .racks
            .iter()
            .filter(|r| r.row as usize == row)
            .max_by_key(|r| r.position)
            .unwrap();
        assert!(
            pages[page].iter().any(|w| w.4 == last.id),
            "{title}: its last rack {} is not on the drawing's page {}",
            last.id,
            page + 1
        );
    }
    // Pages: a page per section and per row drawing at least; the tables add a page per ~20 rows at most.
    let sections = 7 + rows;
    let table_rows = plan.layout.racks.len() + rows + plan.bom.len() + plan.checks.len() + 60;
    let most = sections + table_rows.div_ceil(20);
    assert!(
        (sections..=most).contains(&pages.len()),
        "{} pages, expected {sections}..={most}",
        pages.len()
    );
    eprintln!(
        "report.html of 64 SUs: {} A4 landscape pages, no overlapping text",
        pages.len()
    );
}

/// A large plan's page (here 6 SUs on 3 halls, drawn as large by lowering the rack threshold to 10): the
/// per-row drawings, the per-rack table and the floor drawing are links (`racks.svg`, `racks.csv`,
/// `floorplan.svg`), the floor is a table per hall and the cable files are linked; the page opens in Chromium
/// without errors and prints on A4 landscape without overlapping words.
#[test]
fn a_large_plans_report_links_its_tables_and_prints_without_overlaps() {
    let test = "a_large_plans_report_links_its_tables_and_prints_without_overlaps";
    let text = example()
        .replace("scalable_units = 1", "scalable_units = 6")
        .replace("name = \"gigapod-h200-air\"", "name = \"halls\"")
        .replace("[facility]\n", "[facility]\nhall_racks = 24\n");
    let spec = Spec::parse(SourceFile::new("spec.toml", text)).unwrap();
    let plan = gigapod_planner::plan(&spec, Catalog::builtin()).unwrap();
    let topology = gigapod_planner::render::topology::svg(&plan);
    let floorplan = gigapod_planner::render::floorplan::svg(&plan);
    let links = gigapod_planner::render::html::Linked {
        inline_racks: 10,
        cables: vec!["cables-H1.csv".into(), "cables-between-halls.csv".into()],
    };
    let html = gigapod_planner::render::html::report_linked(&plan, &topology, &floorplan, &links);
    let inline = gigapod_planner::render::html::report(&plan, &topology, &floorplan);
    assert!(plan.layout.racks.len() > 10 && plan.layout.racks.len() <= output::HTML_INLINE_RACKS);
    assert!(
        html.len() * 3 < inline.len(),
        "linked {} bytes, inline {}",
        html.len(),
        inline.len()
    );
    for link in [
        "href=\"racks.csv\"",
        "href=\"racks.svg\"",
        "href=\"floorplan.svg\"",
        "href=\"cables-H1.csv\"",
    ] {
        assert!(html.contains(link), "no {link}");
    }
    assert!(!html.contains("id=\"racks-row-1\""), "a row drawing is inline");
    for h in ["H1", "H2", "H3"] {
        assert!(
            html.contains(&format!("<tr><td><a href=\"racks-{h}.svg\">{h}</a></td>")),
            "no line for hall {h}"
        );
    }
    let Some(chromium) = chromium(test) else { return };
    let t = tempfile::tempdir().unwrap();
    let dom = open_in_chromium(&chromium, &html, t.path());
    assert_eq!(attr(&dom, "data-errors"), "0", "{}", attr(&dom, "data-messages"));
    assert_eq!(attr(&dom, "data-resources"), "0", "the page fetched something");
    // Only the topology is drawn inline.
    assert_eq!(attr(&dom, "data-svgs").split(' ').count(), 1);
    let Some(pdftotext) = common::tool_or_skip(
        test,
        Some("GIGAPOD_PDFTOTEXT"),
        &["pdftotext"],
        "`apt-get install -y poppler-utils`, as .ci/run does",
    ) else {
        return;
    };
    let pdf = print_to_pdf(&chromium, &html, t.path());
    let pages = pdf_words(&pdftotext, &pdf, t.path());
    assert!(!pages.is_empty());
    for (i, words) in pages.iter().enumerate() {
        let o = overlaps(words);
        assert!(
            o.is_empty(),
            "page {}: overlapping words {:?}",
            i + 1,
            &o[..o.len().min(5)]
        );
    }
}
