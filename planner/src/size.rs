//! Reverse sizing: the largest cluster of a server that fits a power budget, with its full plan.
//!
//! The budget is IT power (servers, switches and optics, on the plan's power basis). A hall quoted in facility
//! power is converted with its PUE first. The search is a binary search over the number of servers, planning
//! each candidate in full: a candidate fits when its IT power is within the budget and it fails no check that
//! depends on the cluster (a server's own PSU check fails at every size, and is reported, not searched on). IT power
//! grows with servers (a larger fabric only adds switches), so the largest fitting size is found in
//! `O(log servers)` plans; the answer is then confirmed by planning it and its successor.

use crate::error::Error;
use crate::plan::Plan;
use crate::planner::Planner;
use crate::spec::{CoolingClass, Spec};
use gigapod_catalog::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use gigapod_catalog::units::Kilowatts;
use gigapod_catalog::{Catalog, PartKind};

/// What to size.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeRequest {
    /// Power budget in megawatts.
    pub power_mw: f64,
    /// When set, `power_mw` is facility power and the IT budget is `power_mw / pue`.
    pub pue: Option<f64>,
    /// Cooling class id.
    pub cooling: String,
    /// Server id.
    pub server: String,
    /// Fabric switch id (the spec default when `None`).
    pub switch: Option<String>,
    /// Rack power limit (the cooling class default when `None`).
    pub rack_power_limit_kw: Option<f64>,
}

/// How the search went.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SizeSearch {
    /// The IT budget searched against.
    pub it_budget_kw: f64,
    /// Plans made during the search.
    pub plans: u32,
    /// IT power of one more server than the answer (shows the budget binds), when it could be planned.
    pub next_it_kw: Option<f64>,
}

fn arg_error(message: String, help: &str) -> Error {
    Error::Argument(Diagnostics::from(
        Diagnostic::file("<command line>", message).with_help(help),
    ))
}

impl SizeRequest {
    /// The spec of a candidate with `servers` servers, built in code (no TOML is written).
    pub fn spec(&self, servers: u32) -> Spec {
        let name = format!(
            "{}-{}MW",
            self.server
                .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"),
            self.power_mw
        );
        let mut b = Spec::builder(name, self.server.clone())
            .servers(servers)
            .cooling(CoolingClass::from(self.cooling.as_str()));
        if let Some(sw) = &self.switch {
            b = b.switch(sw.clone());
        }
        if let Some(kw) = self.rack_power_limit_kw {
            b = b.rack_power_limit(Kilowatts(kw));
        }
        b.build()
    }

    /// The ids the request names must be catalog parts of the right kind: an argument error (naming the flag)
    /// otherwise, before any plan is made.
    fn check_ids(&self, catalog: &Catalog) -> Result<(), Error> {
        let ids = [
            ("--server", Some(self.server.as_str()), PartKind::Server),
            ("--cooling", Some(self.cooling.as_str()), PartKind::Cooling),
            ("--switch", self.switch.as_deref(), PartKind::Switch),
        ];
        for (flag, id, kind) in ids {
            let Some(id) = id else { continue };
            let found = catalog.get(id).is_some_and(|e| e.part.kind() == kind);
            if !found {
                let help = match did_you_mean(id, catalog.ids(Some(kind))) {
                    Some(s) => format!("did you mean `{s}`? (`gigapod catalog list --kind {kind}` lists them)"),
                    None => format!("`gigapod catalog list --kind {kind}` lists the ids"),
                };
                return Err(arg_error(
                    format!("{flag} {id:?} is not a {kind} of the catalog"),
                    &help,
                ));
            }
        }
        if let Some(kw) = self.rack_power_limit_kw
            && !(kw.is_finite() && kw > 0.0 && kw <= crate::spec::MAX_RACK_KW)
        {
            return Err(arg_error(
                format!("--rack-power-limit-kw {kw} is not a rack power limit"),
                &format!("give kilowatts above 0 and at most {}", crate::spec::MAX_RACK_KW),
            ));
        }
        Ok(())
    }
}

/// Checks of one server alone (its PSU redundancy) do not change with the cluster's size: a server that fails them
/// fails them at every size, so they do not bound the search; the chosen plan still reports them.
const PER_SERVER_CHECKS: &[&str] = &["power.psu_redundancy"];

fn fails_with_size(p: &Plan) -> bool {
    p.checks
        .iter()
        .any(|c| c.status == crate::check::Status::Fail && !PER_SERVER_CHECKS.contains(&c.id.as_str()))
}

/// Whether an error means "this size is past the largest that can be built": a fabric too large for the switch,
/// or runs longer than any cable reaches. Any other error (a bad server, cooling or switch, a spec the catalog
/// cannot resolve) is the caller's to see, at every size.
fn too_big(e: &Error) -> bool {
    matches!(
        e,
        Error::Fabric {
            source: crate::fabric::FabricError::TooLarge { .. },
            ..
        } | Error::Media { .. }
    )
}

/// Finds the largest cluster that fits, and returns its plan.
pub fn size(req: &SizeRequest, catalog: &Catalog) -> Result<(Plan, SizeSearch), Error> {
    if !(req.power_mw.is_finite() && req.power_mw > 0.0) {
        return Err(arg_error(
            format!("--power-mw {} is not a power budget", req.power_mw),
            "give megawatts above 0",
        ));
    }
    let pue = req.pue.unwrap_or(1.0);
    if !(pue.is_finite() && pue >= 1.0) {
        return Err(arg_error(
            format!("--pue {pue} is below 1"),
            "a PUE is facility power over IT power, at least 1",
        ));
    }
    req.check_ids(catalog)?;
    let budget_kw = req.power_mw * 1000.0 / pue;
    let planner = Planner::new(catalog);
    let mut plans = 0u32;
    let mut attempt = |n: u32| -> Result<Option<Plan>, Error> {
        plans += 1;
        let spec = req.spec(n);
        match planner.plan(&spec) {
            Ok(p) if p.facility.it_kw.0 <= budget_kw && !fails_with_size(&p) => Ok(Some(p)),
            Ok(_) => Ok(None),
            Err(e) if n > 1 && too_big(&e) => Ok(None),
            Err(e) => Err(e),
        }
    };
    // One server first: if it does not fit, nothing does (and its error is the user's to see).
    let Some(mut best) = attempt(1)? else {
        return Err(arg_error(
            format!(
                "not even one `{}` fits {} MW: its IT power exceeds the budget or a check that depends on the cluster fails",
                req.server, req.power_mw
            ),
            "raise the budget, or run `gigapod check` on a one-server spec to see which check fails (a server's own \
             PSU check does not stop the search: the chosen plan reports it)",
        ));
    };
    let server_kw = best.power.server.server_w.0 / 1000.0;
    // Servers alone, without their network, bound the answer from above.
    // Beyond the planner's limit no spec resolves: the search stays within it.
    let cap = crate::spec::MAX_SERVERS.min(u64::from(u32::MAX / 2));
    let mut hi = ((budget_kw / server_kw).floor() as u64).clamp(1, cap) as u32 + 1;
    let mut lo = 1u32;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match attempt(mid)? {
            Some(p) => {
                lo = mid;
                best = p;
            }
            None => hi = mid,
        }
    }
    let next_it_kw = planner.plan(&req.spec(lo + 1)).ok().map(|p| p.facility.it_kw.0);
    Ok((
        best,
        SizeSearch {
            it_budget_kw: budget_kw,
            plans: plans + 1,
            next_it_kw,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(mw: f64) -> SizeRequest {
        SizeRequest {
            power_mw: mw,
            pue: None,
            cooling: "liquid".into(),
            server: "dgx-b200".into(),
            switch: None,
            rack_power_limit_kw: None,
        }
    }

    #[test]
    fn the_answer_fits_and_one_more_server_does_not() {
        let (p, s) = size(&req(0.5), Catalog::builtin()).unwrap();
        assert!(p.facility.it_kw.0 <= 500.0);
        assert!(s.next_it_kw.is_none_or(|kw| kw > 500.0), "{s:?}");
        // 14.3 kW servers: at most 34 in 500 kW before any switch is counted.
        assert!(
            p.compute.servers <= 34 && p.compute.servers >= 25,
            "{}",
            p.compute.servers
        );
    }

    #[test]
    fn pue_shrinks_the_it_budget() {
        let (a, _) = size(&req(0.5), Catalog::builtin()).unwrap();
        let mut r = req(0.5);
        r.pue = Some(1.25);
        let (b, s) = size(&r, Catalog::builtin()).unwrap();
        assert!((s.it_budget_kw - 400.0).abs() < 1e-9);
        assert!(b.compute.servers < a.compute.servers);
    }

    #[test]
    fn only_a_fabric_too_large_or_a_run_too_long_reads_as_too_big() {
        let d = || Diagnostics::from(Diagnostic::file("x", "m"));
        let large = Error::Fabric {
            source: crate::fabric::FabricError::TooLarge {
                key: "fabric.switch",
                reason: "too many".into(),
                endpoints: 10,
                max_endpoints: 5,
            },
            diagnostics: d(),
        };
        assert!(too_big(&large));
        let speed = Error::Fabric {
            source: crate::fabric::FabricError::NoRails,
            diagnostics: d(),
        };
        assert!(!too_big(&speed));
        assert!(!too_big(&Error::Spec(d())));
        assert!(!too_big(&Error::Layout {
            source: crate::layout::LayoutError::RowTooShort {
                su_racks: 10,
                racks_per_row: 4
            },
            diagnostics: d()
        }));
    }

    #[test]
    fn a_quote_in_an_id_is_an_argument_error_not_a_spec() {
        let mut r = req(0.5);
        r.cooling = "air\"".into();
        let e = size(&r, Catalog::builtin()).unwrap_err();
        assert!(matches!(e, Error::Argument(_)), "{e:?}");
        assert!(e.to_string().contains("--cooling \"air\\\"\" is not a cooling"), "{e}");
        r.cooling = "liquid".into();
        r.switch = Some("qm9070".into());
        let e = size(&r, Catalog::builtin()).unwrap_err();
        assert!(
            e.diagnostics().unwrap().0[0]
                .help
                .as_deref()
                .unwrap()
                .contains("`qm9700`"),
            "{e}"
        );
    }

    #[test]
    fn a_budget_below_one_server_is_an_error() {
        assert!(size(&req(0.001), Catalog::builtin()).is_err());
        assert!(size(&req(-1.0), Catalog::builtin()).is_err());
    }
}
