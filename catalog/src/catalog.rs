//! The merged catalog: built-in parts, then user files that add parts or replace built-in ones by id.

use crate::diagnostic::{Diagnostic, Diagnostics, KeyPath, MAX_SHOWN, SourceFile, did_you_mean};
use crate::part::{AnyPart, PartKind};
use crate::parts::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// The built-in data files, compiled into the library.
const BUILTIN: &[(&str, &str)] = &[
    ("sources.toml", include_str!("../data/sources.toml")),
    ("gpus.toml", include_str!("../data/gpus.toml")),
    ("servers.toml", include_str!("../data/servers.toml")),
    ("switches.toml", include_str!("../data/switches.toml")),
    ("nics.toml", include_str!("../data/nics.toml")),
    ("optics.toml", include_str!("../data/optics.toml")),
    ("facility.toml", include_str!("../data/facility.toml")),
];

/// Where a part was defined.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file it came from.
    pub file: SourceFile,
    /// Its place in that file, e.g. `server[2]`.
    pub path: KeyPath,
    /// True for the built-in data.
    pub builtin: bool,
}

/// A part with its origin.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The part.
    pub part: AnyPart,
    /// Where it was defined.
    pub origin: Origin,
    /// When a user file replaced a built-in part: the built-in file's name.
    pub overrides: Option<String>,
}

/// The hardware catalog.
///
/// ```
/// use gigapod_catalog::Catalog;
/// let cat = Catalog::builtin();
/// let server = cat.server("g593-h200").unwrap();
/// assert_eq!(server.gpu_count.value, 8);
/// assert_eq!(cat.gpu(server.gpu.as_str()).unwrap().tdp_w.value.0, 700.0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: BTreeMap<PartId, Entry>,
    sources: BTreeMap<String, (Source, SourceFile)>,
    prices: BTreeMap<PartId, (Price, Origin)>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    source: Vec<Source>,
    #[serde(default)]
    price: Vec<Price>,
    #[serde(default)]
    gpu: Vec<Gpu>,
    #[serde(default)]
    server: Vec<Server>,
    #[serde(default)]
    switch: Vec<Switch>,
    #[serde(default)]
    nic: Vec<Nic>,
    #[serde(default)]
    transceiver: Vec<Transceiver>,
    #[serde(default)]
    cable: Vec<Cable>,
    #[serde(default)]
    psu: Vec<Psu>,
    #[serde(default)]
    rack: Vec<Rack>,
    #[serde(default)]
    cooling: Vec<Cooling>,
    #[serde(default)]
    pdu: Vec<Pdu>,
}

/// A part with its kind and its index among the file's parts of that kind (for error positions).
type TaggedPart = (PartKind, usize, AnyPart);

impl CatalogFile {
    fn into_parts(self) -> (Vec<Source>, Vec<Price>, Vec<TaggedPart>) {
        fn tag<T>(kind: PartKind, v: Vec<T>, f: fn(T) -> AnyPart, out: &mut Vec<(PartKind, usize, AnyPart)>) {
            out.extend(v.into_iter().enumerate().map(|(i, p)| (kind, i, f(p))));
        }
        let mut out = Vec::new();
        tag(PartKind::Gpu, self.gpu, AnyPart::Gpu, &mut out);
        tag(PartKind::Server, self.server, AnyPart::Server, &mut out);
        tag(PartKind::Switch, self.switch, AnyPart::Switch, &mut out);
        tag(PartKind::Nic, self.nic, AnyPart::Nic, &mut out);
        tag(PartKind::Transceiver, self.transceiver, AnyPart::Transceiver, &mut out);
        tag(PartKind::Cable, self.cable, AnyPart::Cable, &mut out);
        tag(PartKind::Psu, self.psu, AnyPart::Psu, &mut out);
        tag(PartKind::Rack, self.rack, AnyPart::Rack, &mut out);
        tag(PartKind::Cooling, self.cooling, AnyPart::Cooling, &mut out);
        tag(PartKind::Pdu, self.pdu, AnyPart::Pdu, &mut out);
        (self.source, self.price, out)
    }
}

/// Largest price accepted for one part (or one metre of a cable), US dollars: beyond any real part, low enough
/// that a plan's totals stay finite.
pub const MAX_PRICE_USD: f64 = 1e9;

/// Largest catalog file accepted, so that a runaway generated file fails fast instead of exhausting memory.
pub const MAX_CATALOG_FILE_BYTES: u64 = 16 * 1024 * 1024;

impl Catalog {
    /// The built-in catalog. Its data is validated by the crate's tests, so this cannot fail at run time.
    pub fn builtin() -> &'static Catalog {
        static BUILT: OnceLock<Catalog> = OnceLock::new();
        BUILT.get_or_init(|| {
            let files = BUILTIN
                .iter()
                .map(|(name, text)| SourceFile::new(format!("<built-in>/{name}"), *text))
                .collect();
            match Catalog::from_files(Catalog::default(), files, true) {
                Ok(c) => c,
                // Only reachable if the shipped data is broken, which the test suite rules out.
                Err(e) => panic!("built-in catalog data is invalid:\n{e}"),
            }
        })
    }

    /// The built-in catalog extended by user catalog files, read from disk.
    pub fn load(user_paths: &[impl AsRef<Path>]) -> Result<Catalog, Diagnostics> {
        let mut files = Vec::new();
        for p in user_paths {
            files.push(read_source(p.as_ref(), MAX_CATALOG_FILE_BYTES)?);
        }
        Catalog::with_user_files(files)
    }

    /// The built-in catalog extended by user catalog texts (for library callers that hold the text in memory).
    pub fn with_user_files(files: Vec<SourceFile>) -> Result<Catalog, Diagnostics> {
        if files.is_empty() {
            return Ok(Catalog::builtin().clone());
        }
        // The built-in data is parsed once per process; user files are merged into a copy of it.
        Catalog::from_files(Catalog::builtin().clone(), files, false)
    }

    /// Merges `files` into `base` (all built-in, or all user files) and validates the result.
    fn from_files(base: Catalog, files: Vec<SourceFile>, is_builtin: bool) -> Result<Catalog, Diagnostics> {
        let mut cat = base;
        let mut diags = Vec::new();
        for file in files {
            let parsed: CatalogFile = match file.deserialize() {
                Ok((p, controls)) => {
                    diags.extend(controls);
                    p
                }
                Err(e) => {
                    diags.push(file.from_toml(&e));
                    continue;
                }
            };
            let (sources, prices, parts) = parsed.into_parts();
            for (i, p) in prices.into_iter().enumerate() {
                let path = KeyPath::root().key("price").index(i);
                let money = |x: f64| x.is_finite() && (0.0..=MAX_PRICE_USD).contains(&x);
                let bad = if !money(p.usd.value) {
                    Some(("usd", p.usd.value))
                } else {
                    p.usd_per_m
                        .as_ref()
                        .filter(|m| !money(m.value))
                        .map(|m| ("usd_per_m", m.value))
                };
                if let Some((key, value)) = bad {
                    diags.push(
                        file.at_key(
                            &path.key(key),
                            format!("price of `{}` is not a sum of money: {value:e}", p.part),
                        )
                        .with_help(format!(
                            "give zero or a positive number of US dollars, at most {MAX_PRICE_USD:e}"
                        )),
                    );
                    continue;
                }
                // A later file's price replaces an earlier one: price lists are layered like catalogs.
                let origin = Origin {
                    file: file.clone(),
                    path,
                    builtin: is_builtin,
                };
                cat.prices.insert(p.part.clone(), (p, origin));
            }
            for (i, s) in sources.into_iter().enumerate() {
                if let Some(why) = crate::ids::id_problem(&s.id) {
                    diags.push(
                        file.at_key(
                            &KeyPath::root().key("source").index(i).key("id"),
                            format!("source id: {why}"),
                        )
                        .with_help(format!(
                            "use 1 to {} of the characters {}",
                            crate::ids::MAX_ID_CHARS,
                            crate::ids::ID_CHARSET
                        )),
                    );
                    continue;
                }
                if let Some((_, first)) = cat.sources.get(&s.id)
                    && first.name == file.name
                {
                    diags.push(
                        file.at_key(
                            &KeyPath::root().key("source").index(i).key("id"),
                            format!("duplicate source id `{}`", s.id),
                        )
                        .with_help("each source id appears once per file"),
                    );
                    continue;
                }
                cat.sources.insert(s.id.clone(), (s, file.clone()));
            }
            for (kind, index, part) in parts {
                let path = KeyPath::root().key(kind.name()).index(index);
                if let Some(why) = crate::ids::id_problem(part.id().as_str()) {
                    diags.push(
                        file.at_key(&path.key("id"), format!("{kind} id: {why}"))
                            .with_help(format!(
                                "use 1 to {} of the characters {}",
                                crate::ids::MAX_ID_CHARS,
                                crate::ids::ID_CHARSET
                            )),
                    );
                    // Not added: an id no output can hold never reaches one.
                    continue;
                }
                for p in part.problems() {
                    let mut full = path.clone();
                    full.0.extend(p.key.0);
                    let mut d = file.at_key(&full, format!("{} `{}`: {}", kind, part.id(), p.message));
                    d.help = p.help;
                    diags.push(d);
                }
                let id = part.id().clone();
                let origin = Origin {
                    file: file.clone(),
                    path: path.clone(),
                    builtin: is_builtin,
                };
                match cat.entries.get(&id) {
                    Some(prev) if prev.part.kind() != kind => diags.push(
                        file.at_key(
                            &path.key("id"),
                            format!(
                                "id `{id}` is already a {} (in {})",
                                prev.part.kind(),
                                prev.origin.file.name
                            ),
                        )
                        .with_help("ids are unique across every kind of part: choose another id"),
                    ),
                    Some(prev) if prev.origin.builtin && !is_builtin => {
                        let overrides = Some(prev.origin.file.name.clone());
                        cat.entries.insert(
                            id,
                            Entry {
                                part,
                                origin,
                                overrides,
                            },
                        );
                    }
                    Some(prev) => diags.push(
                        file.at_key(
                            &path.key("id"),
                            format!(
                                "duplicate id `{id}`, first defined in {} at {}",
                                prev.origin.file.name, prev.origin.path
                            ),
                        )
                        .with_help("remove one of the two parts, or rename it"),
                    ),
                    None => {
                        cat.entries.insert(
                            id,
                            Entry {
                                part,
                                origin,
                                overrides: None,
                            },
                        );
                    }
                }
            }
        }
        let problems = cat.reference_problems(diags.len());
        diags.extend(problems);
        if diags.is_empty() {
            Ok(cat)
        } else {
            Err(Diagnostics(diags))
        }
    }

    /// Unknown references, prices and sources. `before` diagnostics come ahead of these; only the ones that will
    /// be shown (the first [`MAX_SHOWN`]) search for a "did you mean", so the work stays linear in the catalog.
    fn reference_problems(&self, before: usize) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let shown = |diags: &Vec<Diagnostic>| before + diags.len() < MAX_SHOWN;
        for (id, (_, origin)) in &self.prices {
            if !self.entries.contains_key(id) {
                let mut d = origin
                    .file
                    .at_key(&origin.path.key("part"), format!("price for unknown part `{id}`"));
                let suggestion = if shown(&diags) {
                    did_you_mean(id.as_str(), self.ids(None))
                } else {
                    None
                };
                d.help = Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "price a part of the catalog (`gigapod catalog list`)".into(),
                });
                diags.push(d);
            }
        }
        for entry in self.entries.values() {
            let file = &entry.origin.file;
            for r in entry.part.references() {
                let ok = self.entries.get(r.id).map(|e| e.part.kind());
                if ok != Some(r.kind) {
                    let what = match ok {
                        Some(k) => format!("`{}` is a {k}, not a {}", r.id, r.kind),
                        None => format!("unknown {} id `{}`", r.kind, r.id),
                    };
                    let mut d = file.at_key(
                        &entry.origin.path.key(r.key),
                        format!("{} `{}`: {what}", entry.part.kind(), entry.part.id()),
                    );
                    let suggestion = if shown(&diags) {
                        did_you_mean(r.id.as_str(), self.ids(Some(r.kind)))
                    } else {
                        None
                    };
                    d.help = Some(match suggestion {
                        Some(s) => format!(
                            "did you mean `{s}`? (`gigapod catalog list --kind {}` lists them)",
                            r.kind
                        ),
                        None => format!(
                            "define it in a catalog file, or pick one of `gigapod catalog list --kind {}`",
                            r.kind
                        ),
                    });
                    diags.push(d);
                }
            }
            for (key, source, _) in entry.part.sourced_figures() {
                let Some(source) = source else { continue };
                for id in source.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
                    if !self.sources.contains_key(id) {
                        let mut path = entry.origin.path.clone();
                        path.0.extend(
                            key.split('.')
                                .map(|k| crate::diagnostic::KeySeg::Key(k.split('[').next().unwrap_or(k).to_string())),
                        );
                        diags.push(
                            file.at_key(&path, format!("{} `{}`: unknown source id `{id}` in `{key}`", entry.part.kind(), entry.part.id()))
                                .with_help("cite an id of the [[source]] list (gigapod catalog show lists them) or add a [[source]] entry"),
                        );
                    }
                }
            }
        }
        diags
    }

    /// Every part of a kind (or all), in id order.
    pub fn iter(&self, kind: Option<PartKind>) -> impl Iterator<Item = &Entry> {
        self.entries
            .values()
            .filter(move |e| kind.is_none_or(|k| e.part.kind() == k))
    }

    /// Ids of a kind (or all), for listings and "did you mean".
    pub fn ids(&self, kind: Option<PartKind>) -> impl Iterator<Item = &str> {
        self.iter(kind).map(|e| e.part.id().as_str())
    }

    /// A part by id, with its origin.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.get(&PartId::from(id))
    }

    /// A cited source by id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.get(id).map(|(s, _)| s)
    }

    /// The price of a part, if a price list gives one.
    pub fn price(&self, id: &str) -> Option<&Price> {
        self.prices.get(&PartId::from(id)).map(|(p, _)| p)
    }

    /// Every cited source.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.sources.values().map(|(s, _)| s)
    }
}

macro_rules! typed_getter {
    ($name:ident, $variant:ident, $ty:ty) => {
        impl Catalog {
            #[doc = concat!("The ", stringify!($name), " with this id, if the id exists and is one.")]
            pub fn $name(&self, id: &str) -> Option<&$ty> {
                match self.get(id).map(|e| &e.part) {
                    Some(AnyPart::$variant(p)) => Some(p),
                    _ => None,
                }
            }
        }
    };
}
typed_getter!(gpu, Gpu, Gpu);
typed_getter!(server, Server, Server);
typed_getter!(switch, Switch, Switch);
typed_getter!(nic, Nic, Nic);
typed_getter!(transceiver, Transceiver, Transceiver);
typed_getter!(cable, Cable, Cable);
typed_getter!(psu, Psu, Psu);
typed_getter!(rack, Rack, Rack);
typed_getter!(cooling, Cooling, Cooling);
typed_getter!(pdu, Pdu, Pdu);

/// Reads a text file for a loader, refusing input over `max_bytes` and non-UTF-8 text with a clear error.
///
/// The bound applies to the bytes read, not to the file's metadata: a device (`/dev/zero`), a FIFO or stdin
/// (the path `-`) is read through the same limit and refused as soon as it passes it, so no input can make the
/// reader hold more than `max_bytes + 1` bytes. A regular file larger than the limit is refused unread.
pub fn read_source(path: &Path, max_bytes: u64) -> Result<SourceFile, Diagnostics> {
    use std::io::Read;
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let cannot =
        |e: std::io::Error| Diagnostic::file(&name, format!("cannot read the file: {e}")).with_help("check the path");
    let too_long = |what: String| {
        Diagnostics::from(
            Diagnostic::file(&name, format!("{what} more than the {max_bytes} bytes accepted"))
                .with_help("split it, or check that it is the file you meant"),
        )
    };
    let (reader, kind): (Box<dyn Read>, &str) = if stdin {
        (Box::new(std::io::stdin().lock()), "stdin")
    } else {
        let meta = std::fs::metadata(path).map_err(cannot)?;
        let t = meta.file_type();
        if t.is_dir() {
            return Err(Diagnostic::file(&name, "this is a folder, not a file")
                .with_help("give the path of a TOML file")
                .into());
        }
        if t.is_file() && meta.len() > max_bytes {
            return Err(too_long(format!("the file is {} bytes,", meta.len())));
        }
        let kind = if t.is_file() { "the file" } else { "the device or pipe" };
        (Box::new(std::fs::File::open(path).map_err(cannot)?), kind)
    };
    let mut bytes = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_long(format!("{kind} gives")));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Diagnostic::file(&name, format!("the file is not UTF-8 text: {e}")).with_help("save it as UTF-8")
    })?;
    Ok(SourceFile::new(name, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: &str) -> Result<Catalog, Diagnostics> {
        Catalog::with_user_files(vec![SourceFile::new("user.toml", text)])
    }

    #[test]
    fn builtin_loads_with_required_ids() {
        let cat = Catalog::builtin();
        for id in [
            "g593-h200",
            "g593-b200",
            "g593-b200-dlc",
            "g593-mi300x",
            "dgx-h100",
            "dgx-b200",
            "dgx-b300",
        ] {
            assert!(cat.server(id).is_some(), "missing server {id}");
        }
        for id in ["qm9700", "qm9790", "q3400-ra", "sn5600", "sn2201"] {
            assert!(cat.switch(id).is_some(), "missing switch {id}");
        }
        for id in ["rack-42u", "rack-48u"] {
            assert!(cat.rack(id).is_some(), "missing rack {id}");
        }
        for id in ["air", "liquid"] {
            assert!(cat.cooling(id).is_some(), "missing cooling {id}");
        }
    }

    #[test]
    fn every_builtin_figure_has_a_source_or_an_estimate_mark() {
        let cat = Catalog::builtin();
        let mut missing = Vec::new();
        for e in cat.iter(None) {
            for (key, source, estimate) in e.part.sourced_figures() {
                if source.is_none() && !estimate {
                    missing.push(format!("{}.{key}", e.part.id()));
                }
            }
        }
        assert!(missing.is_empty(), "figures without provenance: {missing:?}");
    }

    #[test]
    fn contract_figures() {
        let cat = Catalog::builtin();
        let qm = cat.switch("qm9700").unwrap();
        assert_eq!(qm.ports_at(crate::units::Gbps(400)), 64);
        assert_eq!(qm.rack_units.value.0, 1);
        let q3 = cat.switch("q3400-ra").unwrap();
        assert_eq!(q3.ports_at(crate::units::Gbps(800)), 144);
        assert_eq!(q3.rack_units.value.0, 4);
        let sn = cat.switch("sn5600").unwrap();
        assert_eq!(sn.ports_at(crate::units::Gbps(800)), 64);
        assert_eq!(sn.ports_at(crate::units::Gbps(400)), 128);
        let g = cat.server("g593-h200").unwrap();
        assert_eq!((g.psu_count.value, g.psu_redundant.value), (6, 2));
        assert_eq!(cat.psu(g.psu.as_str()).unwrap().rating_w.value.0, 3000.0);
        assert_eq!(g.rack_units.value.0, 5);
        let dlc = cat.server("g593-b200-dlc").unwrap();
        assert_eq!(dlc.rack_units.value.0, 4);
        assert_eq!(dlc.cooling, CoolingKind::Liquid);
        let dgx = cat.server("dgx-h100").unwrap();
        assert_eq!(dgx.max_power_w.as_ref().unwrap().value.0, 10_200.0);
        assert_eq!(dgx.rack_units.value.0, 8);
        let b200 = cat.server("dgx-b200").unwrap();
        assert_eq!((b200.psu_count.value, b200.psu_redundant.value), (6, 1));
        assert_eq!(b200.rack_units.value.0, 10);
        let rack = cat.rack("rack-48u").unwrap();
        assert_eq!(rack.width_mm.value.0, 600.0);
        assert_eq!(rack.depth_mm.value.0, 1200.0);
    }

    #[test]
    fn user_file_adds_and_overrides() {
        let cat = user(
            r#"
[[psu]]
id = "psu-3000w"
description = "override"
vendor = "x"
rating_w = 3200
"#,
        )
        .unwrap();
        let e = cat.get("psu-3000w").unwrap();
        assert_eq!(cat.psu("psu-3000w").unwrap().rating_w.value.0, 3200.0);
        assert!(e.overrides.is_some());
    }

    #[test]
    fn unknown_reference_names_line_and_suggests() {
        let text = r#"
[[server]]
id = "my-server"
description = "d"
vendor = "v"
gpu = "h20-sxm"
gpu_count = 8
cpu = "c"
cpu_count = 2
cpu_tdp_w = 350
fabric_nic = "cx7-400g-osfp"
fabric_nic_count = 8
psu = "psu-3000w"
psu_count = 6
psu_redundant = 2
rack_units = 5
weight_kg = 80
cooling = "air"
max_power_w = 10000
"#;
        let e = user(text).unwrap_err();
        let d = &e.0[0];
        assert_eq!(d.file, "user.toml");
        assert_eq!(d.line, 6);
        assert!(d.message.contains("unknown gpu id `h20-sxm`"), "{d}");
        assert!(d.help.as_deref().unwrap().contains("did you mean `h200-sxm`"), "{d}");
    }

    #[test]
    fn duplicate_within_a_file_is_an_error() {
        let p = "[[psu]]\nid = \"p\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = 1\n";
        let e = user(&format!("{p}{p}")).unwrap_err();
        assert!(e.0[0].message.contains("duplicate id `p`"), "{e}");
        assert_eq!(e.0[0].line, 7);
    }

    #[test]
    fn non_positive_quantity_is_an_error() {
        let e = user("[[psu]]\nid = \"p\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = -5\n").unwrap_err();
        assert!(e.0[0].message.contains("must be positive"), "{e}");
        assert_eq!(e.0[0].line, 5);
    }

    #[test]
    fn unknown_field_is_an_error() {
        let e =
            user("[[psu]]\nid = \"p\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = 5\ncolour = 1\n").unwrap_err();
        assert!(e.0[0].message.contains("unknown field `colour`"), "{e}");
        assert_eq!(e.0[0].line, 6);
    }

    #[test]
    fn id_reused_across_kinds_is_an_error() {
        let e = user("[[psu]]\nid = \"qm9700\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = 5\n").unwrap_err();
        assert!(e.0[0].message.contains("already a switch"), "{e}");
    }
}
