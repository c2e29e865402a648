//! `gigapod`: the command line. It parses arguments, calls the library and prints; all the work is in
//! `gigapod-planner` and `gigapod-catalog`.

mod spinner;

use clap::{Parser, Subcommand, ValueEnum};
use gigapod_catalog::{Catalog, Diagnostic, Diagnostics, PartKind, show};
use gigapod_planner::{Error, Report, Status, advise, compare, fabric, output, size, spec::Spec, summary};
use std::io::Write;
use std::path::{Path, PathBuf};
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
        /// The cluster spec (TOML; `-` reads it from stdin).
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
        /// Refuse, before writing anything, outputs larger than this many megabytes (10^6 bytes) in all.
        #[arg(long = "max-output-mb", value_name = "MB")]
        max_output_mb: Option<f64>,
        /// Outputs not to write, e.g. `--skip netbox-interfaces.csv,racks.svg` (the largest of a huge plan).
        #[arg(long, value_name = "FILE", value_delimiter = ',')]
        skip: Vec<String>,
        /// The size cap of one file, megabytes (default 100): over it a multi-hall plan's cables.csv and NetBox
        /// CSVs are written per hall, and ibnetdiscover topologies gzip-compressed (docs/outputs.md).
        #[arg(long = "max-file-mb", value_name = "MB")]
        max_file_mb: Option<f64>,
        /// What to print on stdout.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Plan in memory and print the checks; write nothing.
    Check {
        /// The cluster spec (TOML; `-` reads it from stdin).
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
        /// The cluster spec (TOML; `-` reads it from stdin).
        spec: PathBuf,
        /// Write GraphML to FILE (`-`: to stdout).
        #[arg(long, value_name = "FILE", required_unless_present = "dot", conflicts_with = "dot")]
        graphml: Option<PathBuf>,
        /// Write Graphviz DOT to FILE (`-`: to stdout): devices (servers, switches) as nodes, bundles as edges.
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
        /// Also write a bar chart of the designs as SVG (`-`: the chart to stdout, instead of the table).
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
    /// Compare the cluster as built with a plan folder: the fabric `ibnetdiscover` found (missing, extra and
    /// miswired links, wrong speed or width), or one server's `nvidia-smi topo -m` matrix. Exit 0 when they
    /// match, 1 when they differ, 2 when an input cannot be read.
    Verify {
        /// A folder written by `gigapod plan` (ibnetdiscover.topo, cables.csv, report.json).
        plan_dir: PathBuf,
        /// The output of `ibnetdiscover` run on a host of the fabric.
        #[arg(long, value_name = "FILE", required_unless_present = "nvidia_smi_topo")]
        ibnetdiscover: Option<PathBuf>,
        /// The output of `nvidia-smi topo -m` run on one server (with --server).
        #[arg(
            long = "nvidia-smi-topo",
            value_name = "FILE",
            conflicts_with = "ibnetdiscover",
            requires = "server"
        )]
        nvidia_smi_topo: Option<PathBuf>,
        /// The server the matrix was taken on (`srv12`).
        #[arg(long, value_name = "NAME")]
        server: Option<String>,
        /// Do not compare link widths and speeds (OpenSM's simulator brings every link up at 4xSDR).
        #[arg(long = "ignore-speed")]
        ignore_speed: bool,
        /// Extra catalog files (for the server internals the matrix is checked against).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
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
    let mut out = Stdout::new();
    let result = run(cli, &mut out).and_then(|code| {
        out.flush().map_err(Failure::Stdout)?;
        Ok(code)
    });
    match result {
        Ok(code) => code,
        Err(Failure::Planner(e)) => {
            let text = render_error(&e);
            let mut err = std::io::stderr().lock();
            // Nothing is left to tell a user whose stderr fails too: exit with the status alone.
            let _ = write!(err, "{text}");
            if !text.ends_with('\n') {
                let _ = writeln!(err);
            }
            ExitCode::from(e.exit_code() as u8)
        }
        Err(Failure::Stdout(e)) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "error: cannot write to stdout: {e}\n  = help: check where stdout goes (a full disk, a closed file)"
            );
            ExitCode::from(2)
        }
    }
}

/// Why the command line stops: the planner's error, or stdout that cannot be written.
enum Failure {
    Planner(Error),
    Stdout(std::io::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Planner(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Stdout(e)
    }
}

/// Stdout, locked and buffered. A reader that goes away (EPIPE: `gigapod catalog list | head`) ends the output
/// quietly, as Unix tools do: the rest is discarded and the command keeps its own exit status. Any other write
/// error reaches `main`, which says so and exits 2.
struct Stdout {
    inner: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
}

impl Stdout {
    fn new() -> Self {
        Self {
            inner: std::io::BufWriter::new(std::io::stdout().lock()),
            closed: false,
        }
    }

    fn quiet_on_epipe<T>(&mut self, r: std::io::Result<T>, or: T) -> std::io::Result<T> {
        match r {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(or)
            }
            r => r,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.quiet_on_epipe(r, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.quiet_on_epipe(r, ())
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
        Error::NotAFile { help, .. } => help.as_str(),
        Error::InUse(_) => "wait until it has finished, or choose another folder with --out",
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

fn print_json(out: &mut Stdout, value: &serde_json::Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| argument_error(format!("cannot print JSON: {e}"), String::new()))?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// What a table command (`compare`, `advise`) can print: its chart and its table in each format.
struct TableOutput<'a> {
    svg: &'a dyn Fn() -> String,
    text: &'a dyn Fn() -> String,
    csv: &'a dyn Fn() -> Result<Vec<u8>, String>,
    json: &'a dyn Fn() -> serde_json::Value,
}

/// Writes the chart to its file (or to stdout for `-`, in place of the table), then the table in `format`.
fn emit_table(
    out: &mut Stdout,
    chart: Option<&Path>,
    force: bool,
    format: TableFormat,
    t: TableOutput<'_>,
) -> Result<(), Failure> {
    if let Some(path) = chart {
        let svg = (t.svg)();
        if is_dash(path) {
            out.write_all(svg.as_bytes())?;
            return Ok(());
        }
        output::write_file(path, svg.as_bytes(), force)?;
    }
    match format {
        TableFormat::Text => write!(out, "{}", (t.text)())?,
        TableFormat::Csv => {
            let bytes = (t.csv)().map_err(|e| argument_error(e, String::new()))?;
            out.write_all(&bytes)?;
        }
        TableFormat::Json => print_json(out, &(t.json)())?,
    }
    Ok(())
}

/// `-` as a file name: stdout (or stdin), never a file of that name.
fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Stdin can be read once: refuses a second `-` among the input files.
fn one_stdin<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) -> Result<(), Error> {
    if paths.into_iter().filter(|p| is_dash(p)).count() > 1 {
        return Err(argument_error(
            "`-` (stdin) is given as more than one input file".into(),
            "read one input from stdin and give the others as files".into(),
        ));
    }
    Ok(())
}

/// Before a plan: warns when its estimated outputs or memory pass the limits of docs/limits.md, and refuses one
/// whose estimated outputs are far (4x) beyond `--max-output-mb` (the exact size is checked after rendering).
fn size_guard(spec: &gigapod_planner::spec::SpecFile, catalog: &Catalog, max_bytes: Option<u64>) -> Result<(), Error> {
    // A spec that does not resolve fails in the plan itself, with its own message.
    let Ok(r) = spec.resolve(catalog) else {
        return Ok(());
    };
    let e = output::SizeEstimate::of(u64::from(r.servers), u64::from(r.rails));
    if e.is_huge() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: a plan of {} servers x {} rails is estimated at {:.1} GB of memory and {:.1} GB of files (docs/limits.md)\n  = help: --max-output-mb caps the files; --skip netbox-interfaces.csv,racks.svg leaves out the largest",
            r.servers,
            r.rails,
            e.memory_bytes / 1e9,
            e.output_bytes / 1e9
        );
    }
    if let Some(max) = max_bytes
        && e.output_bytes > 4.0 * max as f64
    {
        return Err(argument_error(
            format!(
                "the outputs of {} servers are estimated at {:.0} MB, far more than --max-output-mb {:.0}; nothing was planned",
                r.servers,
                e.output_bytes / 1e6,
                max as f64 / 1e6
            ),
            "leave the largest out with --skip netbox-interfaces.csv,racks.svg,report.html, or raise --max-output-mb"
                .into(),
        ));
    }
    Ok(())
}

fn run(cli: Cli, out: &mut Stdout) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Plan {
            spec,
            catalogs,
            out: out_dir,
            force,
            max_output_mb,
            skip,
            max_file_mb,
            format,
        } => {
            one_stdin(catalogs.iter().chain([&spec]))?;
            let max_file_bytes = match max_file_mb {
                Some(mb) if mb.is_finite() && mb > 0.0 && mb <= 1e9 => Some((mb * 1e6) as u64),
                Some(mb) => {
                    return Err(argument_error(
                        format!("--max-file-mb {mb} is not a size in megabytes"),
                        "give a positive number, e.g. --max-file-mb 100".into(),
                    )
                    .into());
                }
                None => None,
            };
            let max_bytes = match max_output_mb {
                Some(mb) if mb.is_finite() && mb > 0.0 && mb <= 1e9 => Some((mb * 1e6) as u64),
                Some(mb) => {
                    return Err(argument_error(
                        format!("--max-output-mb {mb} is not a size in megabytes"),
                        "give a positive number, e.g. --max-output-mb 500".into(),
                    )
                    .into());
                }
                None => None,
            };
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let spec = Spec::from_path(&spec).map_err(Error::Spec)?;
            size_guard(&spec, &catalog, max_bytes)?;
            let plan = gigapod_planner::plan_with(&spec, &catalog, &spinner::Spinner::new(format == Format::Text))?;
            let dir = out_dir.unwrap_or_else(|| output::default_dir(&plan));
            let options = output::WriteOptions {
                skip,
                max_bytes,
                max_file_bytes,
            };
            let written = output::write_plan_noted(&plan, &dir, force, &options)?;
            for w in written.notes.warnings() {
                let _ = writeln!(std::io::stderr(), "warning: {w}");
            }
            match format {
                Format::Text => {
                    write!(out, "{}", summary::text(&plan))?;
                    writeln!(out, "  written   {}", dir.display())?;
                }
                Format::Json => write!(out, "{}", output::report_json(&plan, &written.notes))?,
            }
            let code = status_code(plan.status());
            exit_without_freeing(plan);
            Ok(code)
        }
        Command::Verify {
            plan_dir,
            ibnetdiscover,
            nvidia_smi_topo,
            server,
            ignore_speed,
            catalogs,
            format,
        } => {
            use gigapod_planner::verify;
            if let (Some(file), Some(server)) = (nvidia_smi_topo, server) {
                let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
                let v = verify::smi::verify_dir(&plan_dir, &file, &server, &catalog).map_err(Error::from)?;
                match format {
                    Format::Text => write!(out, "{}", v.to_text())?,
                    Format::Json => print_json(out, &v.to_json())?,
                }
                return Ok(if v.faults.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                });
            }
            let Some(file) = ibnetdiscover else {
                return Err(argument_error(
                    "verify needs --ibnetdiscover FILE or --nvidia-smi-topo FILE --server NAME".into(),
                    "e.g. gigapod verify my-plan/ --ibnetdiscover fabric.topo".into(),
                )
                .into());
            };
            let planned = verify::PlannedFabric::read_dir(&plan_dir).map_err(Error::from)?;
            let mut opts = verify::VerifyOptions::default();
            opts.check_rate = !ignore_speed;
            let v = verify::verify_ibnetdiscover_file(&planned, &file, &opts).map_err(Error::from)?;
            match format {
                Format::Text => write!(out, "{}", v.to_text())?,
                Format::Json => print_json(out, &v.to_json())?,
            }
            Ok(match v.status {
                verify::VerifyStatus::Match => ExitCode::SUCCESS,
                verify::VerifyStatus::Differs => ExitCode::from(1),
            })
        }
        Command::Check { spec, catalogs, format } => {
            one_stdin(catalogs.iter().chain([&spec]))?;
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let spec = Spec::from_path(&spec).map_err(Error::Spec)?;
            let plan = gigapod_planner::plan_with(&spec, &catalog, &spinner::Spinner::new(format == Format::Text))?;
            match format {
                Format::Text => write!(out, "{}", summary::text(&plan))?,
                Format::Json => write!(out, "{}", Report::new(&plan).to_json())?,
            }
            let code = status_code(plan.status());
            exit_without_freeing(plan);
            Ok(code)
        }
        Command::Export {
            spec,
            graphml,
            dot,
            catalogs,
            force,
        } => {
            one_stdin(catalogs.iter().chain([&spec]))?;
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            let spec = Spec::from_path(&spec).map_err(Error::Spec)?;
            let resolved = spec.resolve(&catalog).map_err(Error::Spec)?;
            let fabric = gigapod_planner::build_fabric(&spec, &resolved, &catalog)?;
            let (path, text) = match (graphml, dot) {
                (Some(p), _) => (p, fabric::to_graphml(&fabric)),
                (None, Some(p)) => (p, gigapod_planner::render::dot::fabric(&fabric, &resolved.spec.name)),
                (None, None) => unreachable!("clap requires --graphml or --dot"),
            };
            let s = fabric.summary();
            let (nodes, links) = (s.endpoints + s.switches.total, s.links.total);
            if is_dash(&path) {
                // The graph is stdout's; the count goes to stderr, out of its way.
                out.write_all(text.as_bytes())?;
                let _ = writeln!(std::io::stderr(), "wrote stdout ({nodes} nodes, {links} links)");
            } else {
                output::write_file(&path, text.as_bytes(), force)?;
                writeln!(out, "wrote {} ({nodes} nodes, {links} links)", path.display())?;
            }
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
            one_stdin(catalogs.iter().chain(&specs))?;
            let specs = specs
                .iter()
                .map(|p| Spec::from_path(p))
                .collect::<Result<Vec<_>, _>>()
                .map_err(Error::Spec)?;
            let variants = compare::variants(&specs, &sweeps).map_err(Error::Argument)?;
            let rows = compare::compare(&variants, &catalog);
            emit_table(
                out,
                chart.as_deref(),
                force,
                format,
                TableOutput {
                    svg: &|| compare::chart_svg(&rows),
                    text: &|| compare::to_text(&rows),
                    csv: &|| compare::to_csv(&rows).map_err(|e| e.to_string()),
                    json: &|| serde_json::to_value(&rows).unwrap_or_default(),
                },
            )?;
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
            one_stdin(&catalogs)?;
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
                    writeln!(
                        out,
                        "largest cluster within {:.1} kW of IT power: {} x {} ({} GPUs), {:.1} kW; one more server needs {}",
                        search.it_budget_kw,
                        plan.compute.servers,
                        plan.compute.server_id,
                        plan.compute.gpus,
                        plan.facility.it_kw.0,
                        search
                            .next_it_kw
                            .map_or("a design that cannot be built".into(), |kw| format!("{kw:.1} kW"))
                    )?;
                    write!(out, "{}", summary::text(&plan))?;
                }
                Format::Json => write!(out, "{}", Report::new(&plan).to_json())?,
            }
            let code = status_code(plan.status());
            exit_without_freeing(plan);
            Ok(code)
        }
        Command::Advise {
            spec,
            catalogs,
            chart,
            force,
            format,
        } => {
            let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
            one_stdin(catalogs.iter().chain(std::iter::once(&spec)))?;
            let spec = Spec::from_path(&spec).map_err(Error::Spec)?;
            let advice = advise::Advisor::new(&catalog).advise(&spec)?;
            emit_table(
                out,
                chart.as_deref(),
                force,
                format,
                TableOutput {
                    svg: &|| advise::chart_svg(&advice),
                    text: &|| advise::to_text(&advice),
                    csv: &|| advise::to_csv(&advice).map_err(|e| e.to_string()),
                    json: &|| advice.to_json(),
                },
            )?;
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
                one_stdin(&catalogs)?;
                let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
                match format {
                    Format::Text => write!(out, "{}", show::list_text(&catalog, kind))?,
                    Format::Json => print_json(out, &show::list_json(&catalog, kind))?,
                }
                Ok(ExitCode::SUCCESS)
            }
            CatalogCommand::Show { id, catalogs, format } => {
                one_stdin(&catalogs)?;
                let catalog = Catalog::load(&catalogs).map_err(Error::Catalog)?;
                let entry = catalog.get(&id).ok_or_else(|| {
                    let help = match gigapod_catalog::diagnostic::did_you_mean(&id, catalog.ids(None)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "`gigapod catalog list` lists every id".into(),
                    };
                    argument_error(format!("unknown part id `{id}`"), help)
                })?;
                if let Some(a) = catalog.alias(&id) {
                    let _ = writeln!(
                        std::io::stderr(),
                        "warning: `{id}` is an old id kept for one release; it stands for `{}`",
                        a.of
                    );
                }
                match format {
                    Format::Text => write!(out, "{}", show::show_text_for(&catalog, &id, entry))?,
                    Format::Json => print_json(out, &show::show_json_for(&catalog, &id, entry))?,
                }
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}

/// The plan is the process's last large value: the command returns and the process exits, and the OS takes back
/// its memory at once. Freeing millions of cable records one by one first took about 1 s at 65,536 servers.
fn exit_without_freeing(plan: gigapod_planner::Plan) {
    std::mem::forget(plan);
}
