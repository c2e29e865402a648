//! Generated documentation stays in step with the data. Regenerate with `UPDATE_DOCS=1 cargo test --test docs`.

use std::path::Path;

#[test]
fn catalog_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/catalog.md");
    let want = gigapod_catalog::show::markdown_reference(gigapod_catalog::Catalog::builtin());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/catalog.md is stale: run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}
