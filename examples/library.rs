//! Using gigapod as a library: build a spec in code, plan it against the built-in catalog extended by a user
//! part, and read the results from the typed plan rather than from the JSON.
//!
//! Run with `cargo run --example library`.

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::{Status, plan, spec::Spec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A user catalog entry: a 3.3 kW supply with the same id replaces the built-in 3 kW one.
    let extra = SourceFile::new(
        "site-parts.toml",
        r#"
[[psu]]
id = "psu-3000w"
description = "site standard 3.3 kW supply"
vendor = "example"
rating_w = 3300
"#,
    );
    let catalog = Catalog::with_user_files(vec![extra])?;

    for (server, cooling) in [("g593-h200", "air"), ("g593-b200-dlc", "liquid")] {
        let text = format!(
            "name = \"{server}-pod\"\n[compute]\nserver = \"{server}\"\nscalable_units = 2\n[facility]\ncooling = \"{cooling}\"\n"
        );
        let spec = Spec::parse(SourceFile::new(format!("{server}.toml"), text))?;
        let plan = plan(&spec, &catalog)?;
        let psu = &plan.power.psu;
        println!(
            "{server}: {} GPUs, {:.0} W per server, PSUs {} ({:.0} W of {:.0} W), plan {}",
            plan.compute.gpus,
            plan.power.server.server_w.0,
            if psu.ok { "ok" } else { "short" },
            psu.load_w.0,
            psu.capacity_w.0,
            match plan.status() {
                Status::Pass => "passes",
                Status::Warn => "passes with warnings",
                Status::Fail => "fails a check",
            }
        );
    }
    Ok(())
}
