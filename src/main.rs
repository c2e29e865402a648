//! `gigapod`: the command line. It parses arguments, calls the library and prints; all the work is in
//! `gigapod-planner` and `gigapod-catalog`.

mod spinner;

use clap::{Parser, Subcommand, ValueEnum};
use gigapod_catalog::{Catalog, Diagnostic, Diagnostics, PartKind, show};
use gigapod_planner::{Error, Report, Status, advise, compare, fabric, output, size, spec::Spec, summary};
use std::path::PathBuf;
use std::process::ExitCode;

/// Plan GPU cluster fabrics, racks, power and cabling.
#[derive(Parser)]
#[command(name = "gigapod", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    Text,
    Csv,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Plan a cluster and write its outputs.
    Plan {
        /// The cluster spec (TOML).
        spec: PathBuf,
        /// Extra catalog files; they add parts or replace built-in ones by id.
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output folder (default `./<name>-plan/`).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write into a non-empty folder that gigapod did not create.
        #[arg(long)]
        force: bool,
        /// What to print on stdout.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Plan in memory and print the checks; write nothing.
    Check {
        /// The cluster spec (TOML).
        spec: PathBuf,
        /// Extra catalog files.
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// What to print on stdout.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Export the compute fabric graph for networkx, Gephi, yEd (GraphML) or Graphviz (DOT).
    Export {
        /// The cluster spec (TOML).
        spec: PathBuf,
        /// Write GraphML to FILE.
        #[arg(long, value_name = "FILE", required_unless_present = "dot", conflicts_with = "dot")]
        graphml: Option<PathBuf>,
        /// Write Graphviz DOT to FILE.
        #[arg(long, value_name = "FILE")]
        dot: Option<PathBuf>,
        /// Extra catalog files.
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Compare designs side by side: several specs, and sweeps of spec keys.
    Compare {
        /// Cluster specs (TOML).
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// KEY=VALUES, e.g. scalable_units=1..8, cooling=air,liquid, oversubscription=1,2 (repeatable).
        #[arg(long = "sweep", value_name = "KEY=VALUES")]
        sweeps: Vec<String>,
        /// Extra catalog files (parts and `[[price]]` lists).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Also write a bar chart of the designs as SVG.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
        /// Replace the chart file if it exists.
        #[arg(long)]
        force: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: TableFormat,
    },
    /// The largest cluster of a server that fits a power budget, with its plan.
    Size {
        /// Power budget in MW: IT power, or facility power when --pue is given.
        #[arg(long = "power-mw", value_name = "MW")]
        power_mw: f64,
        /// Cooling class: air or liquid.
        #[arg(long)]
        cooling: String,
        /// Server id.
        #[arg(long)]
        server: String,
        /// Facility PUE: the budget is then facility power and the IT budget MW / PUE.
        #[arg(long)]
        pue: Option<f64>,
        /// Fabric switch id.
        #[arg(long)]
        switch: Option<String>,
        /// Rack power limit in kW.
        #[arg(long = "rack-power-limit-kw", value_name = "KW")]
        rack_power_limit_kw: Option<f64>,
        /// Extra catalog files.
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// What to print on stdout.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Strategies for the spec's `[[workload]]` entries side by side: passthrough, MIG, vGPU and a hybrid, packed,
    /// planned and costed.
    Advise {
        /// The cluster spec (TOML) with `[[workload]]` entries; the size may be left out of `[compute]`.
        spec: PathBuf,
        /// Extra catalog files (parts and `[[price]]` lists).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Also write a chart of the strategies as SVG.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
        /// Replace the chart file if it exists.
        #[arg(long)]
        force: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: TableFormat,
    },
    /// List or show catalog parts.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// List parts, optionally of one kind.
    List {
        /// server, gpu, switch, nic, transceiver, cable, psu, rack, cooling or pdu.
        #[arg(long)]
        kind: Option<String>,
        /// Extra catalog files.
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Show one part with every figure's source.
    Show {
        /// Part id, e.g. g593-h200.
        id: String,
        /// Extra catalog files.
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let text = render_error(&e);
            eprint!("{text}");
            if !text.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// An error as the command line shows it: the library's located diagnostics (rustc-style, with file, line, key
/// and a fix), or for the output errors the path and what the user can do about it.
fn render_error(e: &Error) -> String {
    if let Some(d) = e.diagnostics() {
        return d.to_string();
    }
    let help = match e {
        Error::OutputNotOurs(_) => "pass --force to write into it anyway, or choose another folder with --out",
        Error::Exists(_) => "pass --force to replace it, or choose another file name",
        Error::Io { .. } => "check the folder's permissions and free space",
        _ => "",
    };
    if help.is_empty() {
        format!("error: {e}\n")
    } else {
        format!("error: {e}\n  = help: {help}\n")
    }
}

fn argument_error(message: String, help: String) -> Error {
    Error::Argument(Diagnostics(vec![
        Diagnostic::file("<command line>", message).with_help(help),
    ]))
}

fn status_code(status: Status) -> ExitCode {
    match status {
        Status::Fail => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn print_json(value: &serde_json::Value) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: cannot print JSON: {e}"),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Plan {
            spec,
            catalogs,
            out,
            force,
            format,
        } => {
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let spec = Spec::from_path(&spec).map_err(Error::Spec)?;
            let plan = gigapod_planner::plan_with(&spec, &catalog, &spinner::Spinner::new(format == Format::Text))?;
            let dir = out.unwrap_or_else(|| output::default_dir(&plan));
            output::write_plan(&plan, &dir, force)?;
            match format {
                Format::Text => {
                    print!("{}", summary::text(&plan));
                    println!("  written   {}", dir.display());
                }
                Format::Json => print!("{}", Report::new(&plan).to_json()),
            }
            Ok(status_code(plan.status()))
        }
        Command::Check { spec, catalogs, format } => {
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let spec = Spec::from_path(&spec).map_err(Error::Spec)?;
            let plan = gigapod_planner::plan_with(&spec, &catalog, &spinner::Spinner::new(format == Format::Text))?;
            match format {
                Format::Text => print!("{}", summary::text(&plan)),
                Format::Json => print!("{}", Report::new(&plan).to_json()),
            }
            Ok(status_code(plan.status()))
        }
        Command::Export {
            spec,
            graphml,
            dot,
            catalogs,
            force,
        } => {
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let spec = Spec::from_path(&spec).map_err(Error::Spec)?;
            let resolved = spec.resolve(&catalog).map_err(Error::Spec)?;
            let fabric = gigapod_planner::build_fabric(&spec, &resolved, &catalog)?;
            let (path, text) = match (graphml, dot) {
                (Some(p), _) => (p, fabric::to_graphml(&fabric)),
                (None, Some(p)) => (p, fabric::to_dot(&fabric)),
                (None, None) => unreachable!("clap requires --graphml or --dot"),
            };
            output::write_file(&path, text.as_bytes(), force)?;
            let s = fabric.summary();
            println!(
                "wrote {} ({} nodes, {} links)",
                path.display(),
                s.endpoints + s.switches.total,
                s.links.total
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare {
            specs,
            sweeps,
            catalogs,
            chart,
            force,
            format,
        } => {
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let sweeps = sweeps
                .iter()
                .map(|s| compare::Sweep::parse(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(Error::Argument)?;
            let specs = specs
                .iter()
                .map(|p| Spec::from_path(p))
                .collect::<Result<Vec<_>, _>>()
                .map_err(Error::Spec)?;
            let variants = compare::variants(&specs, &sweeps).map_err(Error::Argument)?;
            let rows = compare::compare(&variants, &catalog);
            if let Some(path) = chart {
                output::write_file(&path, compare::chart_svg(&rows).as_bytes(), force)?;
            }
            match format {
                TableFormat::Text => print!("{}", compare::to_text(&rows)),
                TableFormat::Csv => {
                    let bytes = compare::to_csv(&rows).map_err(|e| argument_error(e.to_string(), String::new()))?;
                    print!("{}", String::from_utf8_lossy(&bytes));
                }
                TableFormat::Json => print_json(&serde_json::to_value(&rows).unwrap_or_default()),
            }
            // 2 when a design could not be planned (bad input or infeasible), else 1 when one fails a check.
            Ok(if rows.iter().any(|r| r.status == compare::DesignStatus::Error) {
                ExitCode::from(2)
            } else if rows.iter().any(|r| r.status == compare::DesignStatus::Fail) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Size {
            power_mw,
            cooling,
            server,
            pue,
            switch,
            rack_power_limit_kw,
            catalogs,
            format,
        } => {
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let req = size::SizeRequest {
                power_mw,
                pue,
                cooling,
                server,
                switch,
                rack_power_limit_kw,
            };
            let (plan, search) = size::size(&req, &catalog)?;
            match format {
                Format::Text => {
                    println!(
                        "largest cluster within {:.1} kW of IT power: {} x {} ({} GPUs), {:.1} kW; one more server needs {}",
                        search.it_budget_kw,
                        plan.compute.servers,
                        plan.compute.server_id,
                        plan.compute.gpus,
                        plan.facility.it_kw.0,
                        search
                            .next_it_kw
                            .map_or("a design that cannot be built".into(), |kw| format!("{kw:.1} kW"))
                    );
                    print!("{}", summary::text(&plan));
                }
                Format::Json => print!("{}", Report::new(&plan).to_json()),
            }
            Ok(status_code(plan.status()))
        }
        Command::Advise {
            spec,
            catalogs,
            chart,
            force,
            format,
        } => {
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let spec = Spec::from_path(&spec).map_err(Error::Spec)?;
            let advice = advise::Advisor::new(&catalog).advise(&spec)?;
            if let Some(path) = chart {
                output::write_file(&path, advise::chart_svg(&advice).as_bytes(), force)?;
            }
            match format {
                TableFormat::Text => print!("{}", advise::to_text(&advice)),
                TableFormat::Csv => {
                    let bytes = advise::to_csv(&advice).map_err(|e| argument_error(e.to_string(), String::new()))?;
                    print!("{}", String::from_utf8_lossy(&bytes));
                }
                TableFormat::Json => print_json(&advice.to_json()),
            }
            // 1 when no strategy is feasible, as a plan that fails a check.
            Ok(if advice.cheapest.is_none() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Catalog { command } => match command {
            CatalogCommand::List { kind, catalogs, format } => {
                let kind = match kind {
                    None => None,
                    Some(k) => Some(PartKind::parse(&k).ok_or_else(|| {
                        let names: Vec<&str> = PartKind::ALL.iter().map(|k| k.name()).collect();
                        argument_error(
                            format!("unknown part kind `{k}`"),
                            format!("use one of: {}", names.join(", ")),
                        )
                    })?),
                };
                let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
                match format {
                    Format::Text => print!("{}", show::list_text(&catalog, kind)),
                    Format::Json => print_json(&show::list_json(&catalog, kind)),
                }
                Ok(ExitCode::SUCCESS)
            }
            CatalogCommand::Show { id, catalogs, format } => {
                let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
                let entry = catalog.get(&id).ok_or_else(|| {
                    let help = match gigapod_catalog::diagnostic::did_you_mean(&id, catalog.ids(None)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "`gigapod catalog list` lists every id".into(),
                    };
                    argument_error(format!("unknown part id `{id}`"), help)
                })?;
                if let Some(a) = catalog.alias(&id) {
                    eprintln!(
                        "warning: `{id}` is an old id kept for one release; it stands for `{}`",
                        a.of
                    );
                }
                match format {
                    Format::Text => print!("{}", show::show_text_for(&catalog, &id, entry)),
                    Format::Json => print_json(&show::show_json_for(&catalog, &id, entry)),
                }
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}
