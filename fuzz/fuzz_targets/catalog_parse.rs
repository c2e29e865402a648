//! Any bytes as a user catalog file on top of the built-in catalog: the result is a catalog or a located error,
//! never a panic. A catalog that loads is listed and each of its user parts shown, as `gigapod catalog list`
//! and `catalog show` would, since those print whatever figures the file gave (NaN, huge, tiny).
#![no_main]

mod common;

use gigapod_catalog::{Catalog, SourceFile, show};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    match Catalog::with_user_files(vec![SourceFile::new("c.toml", text.as_str())]) {
        Err(d) => common::check_diagnostics(&d, &[("c.toml", &text)]),
        Ok(cat) => {
            let _ = show::list_text(&cat, None);
            let _ = show::list_json(&cat, None);
            for e in cat.iter(None).filter(|e| !e.origin.builtin) {
                let _ = show::show_text(&cat, e);
                let _ = show::show_json(&cat, e);
            }
        }
    }
});
