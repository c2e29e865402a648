//! The library's entry point: a [`Planner`] over a catalog, with options, plans a [`Spec`] built in code or a
//! [`SpecFile`] read from TOML.
//!
//! ```
//! use gigapod_catalog::Catalog;
//! use gigapod_planner::{AnalysisOptions, Planner, RouteOptions, spec::{CoolingClass, Spec}};
//! use gigapod_catalog::units::Meters;
//!
//! let spec = Spec::builder("demo", "dgx-h100").servers(4).cooling(CoolingClass::Air).build();
//! let plan = Planner::new(Catalog::builtin())
//!     .analysis(AnalysisOptions { random_cuts: 2, ..AnalysisOptions::default() })
//!     .routing(RouteOptions { tray_rise: Meters(0.45), ..RouteOptions::default() })
//!     .plan(&spec)
//!     .unwrap();
//! assert_eq!(plan.compute.gpus, 32);
//! ```

use crate::error::Error;
use crate::fabric::AnalysisOptions;
use crate::layout::{CostWeights, RouteOptions};
use crate::plan::Plan;
use crate::progress::{Progress, Silent};
use crate::spec::{Origin, Spec, SpecFile};
use gigapod_catalog::Catalog;

/// A spec to plan, with where it came from (so that errors can point into its file). Made from `&Spec` (built
/// in code) or `&SpecFile` (read from TOML) by `into()`.
#[derive(Debug, Clone, Copy)]
pub struct SpecRef<'a> {
    pub(crate) spec: &'a Spec,
    pub(crate) source: Origin<'a>,
}

impl<'a> SpecRef<'a> {
    /// The spec.
    pub fn spec(&self) -> &'a Spec {
        self.spec
    }

    /// Resolves the spec against the catalog (errors point into the file, when there is one).
    pub fn resolve(&self, catalog: &Catalog) -> Result<crate::spec::Resolved, gigapod_catalog::Diagnostics> {
        self.spec.resolve_at(self.source, catalog)
    }
}

impl<'a> From<&'a Spec> for SpecRef<'a> {
    fn from(spec: &'a Spec) -> Self {
        SpecRef {
            spec,
            source: Origin::Code(crate::spec::CODE_SPEC),
        }
    }
}

impl<'a> From<&'a SpecFile> for SpecRef<'a> {
    fn from(f: &'a SpecFile) -> Self {
        SpecRef {
            spec: &f.spec,
            source: Origin::File(&f.source),
        }
    }
}

/// How the planner works, apart from what the spec asks for. Every field has a documented default.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// The fabric's max-flow analysis: cuts tried, failures simulated, seed, threads.
    pub analysis: AnalysisOptions,
    /// What the layout minimises: racks against links of each medium and their length.
    pub layout_weights: CostWeights,
    /// Cable route geometry: tray rise, service slack, aisle width.
    pub routing: RouteOptions,
}

/// Plans specs against a catalog.
///
/// `Planner::new(&catalog)` takes the defaults; each option method replaces one of them; `.plan(&spec)` plans a
/// [`Spec`] or a [`SpecFile`]. A planner can plan many specs (it holds no state between them).
pub struct Planner<'a> {
    catalog: &'a Catalog,
    options: PlanOptions,
    progress: &'a dyn Progress,
}

impl<'a> Planner<'a> {
    /// A planner over `catalog` with the default options and no progress reporting.
    pub fn new(catalog: &'a Catalog) -> Self {
        Planner {
            catalog,
            options: PlanOptions::default(),
            progress: &Silent,
        }
    }

    /// Replaces every option at once.
    pub fn options(mut self, options: PlanOptions) -> Self {
        self.options = options;
        self
    }

    /// The fabric analysis options.
    pub fn analysis(mut self, analysis: AnalysisOptions) -> Self {
        self.options.analysis = analysis;
        self
    }

    /// The layout's cost weights.
    pub fn layout_weights(mut self, weights: CostWeights) -> Self {
        self.options.layout_weights = weights;
        self
    }

    /// The cable route geometry.
    pub fn routing(mut self, routing: RouteOptions) -> Self {
        self.options.routing = routing;
        self
    }

    /// Reports each stage to `progress` as it starts (and `finish` at the end, whatever the outcome).
    pub fn progress(mut self, progress: &'a dyn Progress) -> Self {
        self.progress = progress;
        self
    }

    /// The options in force.
    pub fn current_options(&self) -> &PlanOptions {
        &self.options
    }

    /// Plans a spec: `&Spec` built in code or `&SpecFile` read from TOML.
    pub fn plan<'s>(&self, spec: impl Into<SpecRef<'s>>) -> Result<Plan, Error> {
        let result = crate::plan::plan_steps(spec.into(), self.catalog, &self.options, self.progress);
        self.progress.finish();
        result
    }
}
