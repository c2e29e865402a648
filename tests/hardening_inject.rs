//! Hardening, round two, injection (docs/hardening.md): ids are checked at load against a documented character
//! set and length, text with control characters is refused, and every export escapes or neutralises what its
//! format would otherwise run: no line injected into topology.conf or ibnetdiscover.topo, no spreadsheet formula
//! in a CSV cell, no markup in bom.md.

use std::path::Path;
use std::process::{Command, Output};

fn gigapod() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gigapod"))
}

const SPEC: &str = "name = \"x\"\n[compute]\nserver = \"g593-h200\"\nservers = 4\n";

/// The built-in QM9700 as a user catalog writes it, with `{id}`, `{description}` and `{vendor}` to fill in.
const SWITCH: &str = r#"[[switch]]
id = "{id}"
description = "{description}"
vendor = "{vendor}"
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

fn switch(id: &str, description: &str, vendor: &str) -> String {
    SWITCH
        .replace("{id}", id)
        .replace("{description}", description)
        .replace("{vendor}", vendor)
}

/// `gigapod plan` of `spec` with `catalog` into `dir/out`.
fn plan(dir: &Path, spec: &str, catalog: &str) -> Output {
    std::fs::write(dir.join("spec.toml"), spec).unwrap();
    std::fs::write(dir.join("cat.toml"), catalog).unwrap();
    gigapod()
        .arg("plan")
        .arg(dir.join("spec.toml"))
        .arg("--catalog")
        .arg(dir.join("cat.toml"))
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An id with a newline injected `SwitchName=pwn Nodes=ALL` into topology.conf and a line into
/// ibnetdiscover.topo. Now such an id is refused where it is defined.
#[test]
fn an_id_with_a_newline_is_refused_at_load_and_reaches_no_export() {
    let t = tempfile::tempdir().unwrap();
    let id = "qm9700\\nSwitchName=pwn Nodes=ALL";
    let spec = format!("{SPEC}[fabric]\nswitch = \"{id}\"\n");
    let o = plan(t.path(), &spec, &switch(id, "d", "v"));
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("cat.toml:2:"), "pointed at the id's line: {e}");
    assert!(e.contains("the id holds the character \\u{a}"), "{e}");
    assert!(e.contains("A-Z a-z 0-9 . _ -"), "the hint gives the character set: {e}");
    assert!(
        !e.contains("\nSwitchName=pwn"),
        "the message itself printed the injected line: {e}"
    );
    assert!(!t.path().join("out").exists(), "a plan was written");
}

/// Ids beyond the character set or the length limit are refused, with what is wrong.
#[test]
fn ids_outside_the_charset_or_too_long_are_refused() {
    let t = tempfile::tempdir().unwrap();
    for (id, why) in [
        ("my switch", "the character \\u{20}"),
        ("sw<script>", "`<`"),
        ("=cmd", "`=`"),
        ("-sw", "does not start with a letter or a digit"),
        (&"s".repeat(65), "65 characters long, more than the 64 accepted"),
    ] {
        let o = plan(t.path(), SPEC, &switch(id, "d", "v"));
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{id}: {e}");
        assert!(e.contains(why), "{id}: {e}");
    }
}

/// Raw ESC and NUL in a catalog's text were echoed to the terminal; now text with a control character is
/// refused, and the message shows the character escaped.
#[test]
fn control_characters_in_text_are_refused_and_never_echoed_raw() {
    let t = tempfile::tempdir().unwrap();
    let o = plan(t.path(), SPEC, &switch("qm9700", "a\\u001b[2Jb\\u0000", "v"));
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("control character"), "{e}");
    assert!(e.contains("cat.toml:3:"), "{e}");
    assert!(
        !e.chars().any(|c| c.is_control() && c != '\n'),
        "raw control characters: {e:?}"
    );
}

/// A description starting with `=` reached bom.csv and the NetBox CSVs as a spreadsheet formula, and bom.md
/// carried raw HTML. Now every CSV text cell that starts with `=`, `+`, `-` or `@` gets a leading `'`, and
/// bom.md escapes markup (report.html and the SVGs escaped already, and still do).
#[test]
fn formulas_and_markup_in_descriptions_are_neutralised_in_every_export() {
    let t = tempfile::tempdir().unwrap();
    let description = "=HYPERLINK(\\\"http://example.invalid\\\",\\\"x\\\") <img src=x onerror=alert(1)>";
    let o = plan(t.path(), SPEC, &switch("qm9700", description, "@SUM(1+1)"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = t.path().join("out");
    let mut csvs = 0;
    let mut seen = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        // Files read as markup; JSON and CSV carry the text as data (CSV cells are checked for formulas below).
        if [".md", ".html", ".svg"].iter().any(|x| name.ends_with(x)) {
            assert!(!text.contains("<img src=x"), "{name} carries raw markup");
        }
        if name.ends_with(".csv") {
            csvs += 1;
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(&path).unwrap();
            for rec in r.records() {
                for cell in rec.unwrap().iter() {
                    let formula =
                        cell.starts_with(['=', '+', '@']) || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                    assert!(!formula, "{name}: a cell a spreadsheet would run: {cell}");
                    if cell.starts_with("'=HYPERLINK") || cell == "'@SUM(1+1)" {
                        seen += 1;
                    }
                }
            }
        }
    }
    assert!(csvs >= 3, "{csvs} CSV files");
    assert!(
        seen >= 2,
        "the neutralised description and vendor appear ({seen} cells)"
    );
    let md = std::fs::read_to_string(out.join("bom.md")).unwrap();
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "bom.md");
}
