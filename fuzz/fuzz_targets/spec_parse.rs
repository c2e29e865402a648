//! Any bytes as a spec file: `Spec::parse` returns a spec or a located error, never panics; a parsed spec is then
//! resolved against the built-in catalog (cheap: it looks up ids and checks sizes, allocating nothing per server),
//! which must likewise return `Resolved` or a located error.
#![no_main]

mod common;

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::spec::{MAX_SERVERS, Spec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    match Spec::parse(SourceFile::new("f.toml", text.as_str())) {
        Err(d) => common::check_diagnostics(&d, &[("f.toml", &text)]),
        Ok(spec) => match spec.resolve(Catalog::builtin()) {
            Err(d) => common::check_diagnostics(&d, &[("f.toml", &text)]),
            Ok(r) => {
                assert!(
                    r.servers >= 1 && u64::from(r.servers) <= MAX_SERVERS,
                    "{} servers",
                    r.servers
                );
                assert!(r.servers_per_su >= 1 && r.scalable_units >= 1);
            }
        },
    }
});
