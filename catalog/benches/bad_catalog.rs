//! Bad catalogs at scale (docs/hardening.md): diagnostics are collected in linear time and shown bounded.
//! 100,000 bad parts must be reported (loaded, every problem found, the message formatted) in under 2 s.
//! Run with `cargo bench -p gigapod-catalog --bench bad_catalog`.

use gigapod_catalog::{Catalog, SourceFile};

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[10_000, 100_000];

/// `n` power supplies, each with a negative rating: one diagnostic per part.
fn bad_parts(n: usize) -> String {
    (0..n)
        .map(|i| format!("[[psu]]\nid = \"p{i}\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = -5\n\n"))
        .collect()
}

/// `n` copies of one part: `n - 1` duplicate ids.
fn duplicates(n: usize) -> String {
    "[[psu]]\nid = \"p\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = 5\n\n".repeat(n)
}

/// `n` servers, each naming a GPU that no catalog has: one unknown reference (with a "did you mean" search
/// for the ones shown) per part.
fn unknown_references(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "[[server]]\nid = \"s{i}\"\ndescription = \"d\"\nvendor = \"v\"\ngpu = \"nogpu{i}\"\ngpu_count = 8\n\
                 cpu = \"c\"\ncpu_count = 2\ncpu_tdp_w = 350\nfabric_nic = \"cx7-400g-osfp\"\nfabric_nic_count = 8\n\
                 psu = \"psu-3000w\"\npsu_count = 6\npsu_redundant = 2\nrack_units = 5\nweight_kg = 80\n\
                 cooling = \"air\"\nmax_power_w = 10000\n\n"
            )
        })
        .collect()
}

/// Loads the text as a user catalog and formats the error as the command line prints it.
fn report(text: &str) -> usize {
    let err = Catalog::with_user_files(vec![SourceFile::new("bad.toml", text)]).unwrap_err();
    err.to_string().len() + err.0.len()
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn bad_parts_reported(bencher: divan::Bencher, n: usize) {
    let text = bad_parts(n);
    Catalog::builtin();
    bencher.bench(|| report(&text));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn duplicate_ids_reported(bencher: divan::Bencher, n: usize) {
    let text = duplicates(n);
    Catalog::builtin();
    bencher.bench(|| report(&text));
}

#[divan::bench(args = [3_000, 30_000], sample_count = 5)]
fn unknown_references_reported(bencher: divan::Bencher, n: usize) {
    let text = unknown_references(n);
    Catalog::builtin();
    bencher.bench(|| report(&text));
}

/// The floor: parsing the same text into a plain TOML table, with no diagnostics at all.
#[divan::bench(args = SIZES, sample_count = 5)]
fn bad_parts_toml_parse_only(bencher: divan::Bencher, n: usize) {
    let text = bad_parts(n);
    bencher.bench(|| text.parse::<toml::Table>().map(|t| t.len()).unwrap_or(0));
}
