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
    ("xdr.toml", include_str!("../data/xdr.toml")),
    ("facility.toml", include_str!("../data/facility.toml")),
    ("management.toml", include_str!("../data/management.toml")),
    ("boards.toml", include_str!("../data/boards.toml")),
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
    rules: BTreeMap<String, (MediaRule, Origin)>,
    boards: BTreeMap<PartId, (Board, Origin)>,
    aliases: BTreeMap<PartId, (Alias, Origin)>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    source: Vec<Source>,
    #[serde(default)]
    price: Vec<Price>,
    #[serde(default)]
    media_rule: Vec<MediaRule>,
    #[serde(default)]
    board: Vec<Board>,
    #[serde(default)]
    alias: Vec<Alias>,
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
    #[serde(default)]
    appliance: Vec<Appliance>,
}

/// A part with its kind and its index among the file's parts of that kind (for error positions).
type TaggedPart = (PartKind, usize, AnyPart);

/// A file's contents split by what the catalog does with them.
type FileParts = (
    Vec<Source>,
    Vec<Price>,
    Vec<TaggedPart>,
    Vec<MediaRule>,
    Vec<Alias>,
    Vec<Board>,
);

impl CatalogFile {
    fn into_parts(self) -> FileParts {
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
        tag(PartKind::Appliance, self.appliance, AnyPart::Appliance, &mut out);
        (self.source, self.price, out, self.media_rule, self.alias, self.board)
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
            let (sources, prices, parts, rules, aliases, boards) = parsed.into_parts();
            for (i, board) in boards.into_iter().enumerate() {
                let origin = Origin {
                    file: file.clone(),
                    path: KeyPath::root().key("board").index(i),
                    builtin: is_builtin,
                };
                cat.boards.insert(board.id.clone(), (board, origin));
            }
            // Rules and aliases are layered like parts: a later file's entry of the same id replaces the earlier.
            for (i, rule) in rules.into_iter().enumerate() {
                let origin = Origin {
                    file: file.clone(),
                    path: KeyPath::root().key("media_rule").index(i),
                    builtin: is_builtin,
                };
                cat.rules.insert(rule.id.clone(), (rule, origin));
            }
            for (i, alias) in aliases.into_iter().enumerate() {
                let path = KeyPath::root().key("alias").index(i);
                if let Some(why) = crate::ids::id_problem(alias.id.as_str()) {
                    diags.push(
                        file.at_key(&path.key("id"), format!("alias id: {why}"))
                            .with_help(format!(
                                "use 1 to {} of the characters {}",
                                crate::ids::MAX_ID_CHARS,
                                crate::ids::ID_CHARSET
                            )),
                    );
                    continue;
                }
                let origin = Origin {
                    file: file.clone(),
                    path,
                    builtin: is_builtin,
                };
                cat.aliases.insert(alias.id.clone(), (alias, origin));
            }
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
                // A user part named like a built-in alias replaces the alias: the user's part is what they mean.
                if !is_builtin && cat.aliases.get(&id).is_some_and(|(_, o)| o.builtin) {
                    cat.aliases.remove(&id);
                }
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
        for (id, (alias, origin)) in &self.aliases {
            if self.entries.contains_key(id) {
                diags.push(
                    origin
                        .file
                        .at_key(&origin.path.key("id"), format!("alias `{id}` is also the id of a part"))
                        .with_help("an alias names an old id that no part uses: remove the alias or the part"),
                );
            } else if !self.entries.contains_key(&alias.of) {
                let mut d = origin.file.at_key(
                    &origin.path.key("of"),
                    format!("alias `{id}` stands for unknown part `{}`", alias.of),
                );
                let suggestion = if shown(&diags) {
                    did_you_mean(alias.of.as_str(), self.ids(None))
                } else {
                    None
                };
                d.help = Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "name a part of the catalog (`gigapod catalog list`)".into(),
                });
                diags.push(d);
            }
        }
        for (rule, origin) in self.rules.values() {
            let figures = [
                ("speed_gbps", rule.speed_gbps.source.as_deref()),
                ("forbid", rule.forbid.source.as_deref()),
                ("no_downshift", rule.no_downshift.source.as_deref()),
            ];
            for (key, source) in figures {
                for id in source
                    .unwrap_or("")
                    .split([',', ';'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    if !self.sources.contains_key(id) {
                        diags.push(
                            origin
                                .file
                                .at_key(
                                    &origin.path.key(key),
                                    format!("media rule `{}`: unknown source id `{id}`", rule.id),
                                )
                                .with_help("cite an id of the [[source]] list or add a [[source]] entry"),
                        );
                    }
                }
            }
        }
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
        for (board, origin) in self.boards.values() {
            let json = serde_json::to_value(board).unwrap_or_default();
            let mut figures = Vec::new();
            crate::part::collect_sourced_pub(&json, &mut figures);
            for (key, source) in figures {
                for id in source.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
                    if !self.sources.contains_key(id) {
                        diags.push(
                            origin
                                .file
                                .at_key(
                                    &origin.path.key("id"),
                                    format!("board `{}`: unknown source id `{id}` in `{key}`", board.id),
                                )
                                .with_help("cite an id of the [[source]] list or add a [[source]] entry"),
                        );
                    }
                }
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
            if let AnyPart::Server(srv) = &entry.part
                && let Some(b) = &srv.board
                && !self.boards.contains_key(b)
            {
                diags.push(
                    file.at_key(
                        &entry.origin.path.key("board"),
                        format!("server `{}`: unknown board id `{b}`", srv.id),
                    )
                    .with_help(format!(
                        "define a [[board]] with that id, or name one of: {}",
                        self.boards.keys().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                );
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

    /// A part by id, with its origin. An [`Alias`] id gives the part it stands for.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        let id = PartId::from(id);
        self.entries
            .get(&id)
            .or_else(|| self.aliases.get(&id).and_then(|(a, _)| self.entries.get(&a.of)))
    }

    /// The alias of this id, when the id is an old name kept for a real part.
    pub fn alias(&self, id: &str) -> Option<&Alias> {
        self.aliases.get(&PartId::from(id)).map(|(a, _)| a)
    }

    /// Every alias, in id order.
    pub fn aliases(&self) -> impl Iterator<Item = &Alias> {
        self.aliases.values().map(|(a, _)| a)
    }

    /// Every board (server internals), in id order.
    pub fn boards(&self) -> impl Iterator<Item = &Board> {
        self.boards.values().map(|(b, _)| b)
    }

    /// A server's internals by board id.
    pub fn board(&self, id: &str) -> Option<&Board> {
        self.boards.get(&PartId::from(id)).map(|(b, _)| b)
    }

    /// Every media rule, in id order.
    pub fn media_rules(&self) -> impl Iterator<Item = &MediaRule> {
        self.rules.values().map(|(r, _)| r)
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
typed_getter!(appliance, Appliance, Appliance);

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
            "g893-sd1-b200",
            "g894-sd1-b200",
            "g4l3-sd1-b200",
            "g4l4-sd1-b300",
            "g893-zx1-mi325x",
            "g893-zx1-mi350x",
            "g4l3-zx1-mi355x",
            "hls-gaudi3",
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
        for r in cat.media_rules() {
            let figures = [
                ("speed_gbps", r.speed_gbps.source.is_some() || r.speed_gbps.estimate),
                ("forbid", r.forbid.source.is_some() || r.forbid.estimate),
                (
                    "no_downshift",
                    r.no_downshift.source.is_some() || r.no_downshift.estimate,
                ),
            ];
            missing.extend(
                figures
                    .iter()
                    .filter(|(_, ok)| !ok)
                    .map(|(k, _)| format!("media_rule {}.{k}", r.id)),
            );
        }
        assert!(missing.is_empty(), "figures without provenance: {missing:?}");
        // The test can fail: a bare user figure has neither.
        let user = user("[[psu]]\nid = \"p\"\ndescription = \"d\"\nvendor = \"v\"\nrating_w = 5\n").unwrap();
        let bare = user.get("p").unwrap().part.sourced_figures();
        assert_eq!(bare, vec![("rating_w".to_string(), None, false)]);
    }

    #[test]
    fn every_builtin_module_and_cage_says_its_heat_sink() {
        let cat = Catalog::builtin();
        for e in cat.iter(Some(PartKind::Transceiver)) {
            let t = cat.transceiver(e.part.id().as_str()).unwrap();
            assert!(
                t.form.starts_with("qsfp") || t.heat_sink.is_some(),
                "{} has no heat-sink form",
                t.id
            );
        }
        for e in cat.iter(Some(PartKind::Switch)) {
            let s = cat.switch(e.part.id().as_str()).unwrap();
            for g in s.port_group.iter().filter(|g| g.form.starts_with("osfp")) {
                assert!(g.heat_sink.is_some(), "{} cages have no heat-sink form", s.id);
            }
        }
        // DGX H100 / B200 cages take the flat-top system module, the switches the finned one (pod-facts C).
        for id in ["dgx-h100", "dgx-b200", "dgx-b300"] {
            let s = cat.server(id).unwrap();
            assert_eq!(s.fabric_cage_heat_sink.as_ref().unwrap().value, HeatSink::Flat, "{id}");
        }
        let flat = cat.transceiver("mma4z00-ns-flt").unwrap();
        assert_eq!(flat.heat_sink.as_ref().unwrap().value, HeatSink::Flat);
        assert!(flat.description.contains("980-9I51A-00NS00"));
        assert_eq!(
            cat.switch("q3400-ra")
                .unwrap()
                .cage_heat_sink_at(crate::units::Gbps(800)),
            Some(HeatSink::Finned)
        );
    }

    #[test]
    fn aliases_stand_for_real_models() {
        let cat = Catalog::builtin();
        let a = cat.alias("g593-b200").unwrap();
        assert_eq!(a.of.as_str(), "g893-sd1-b200");
        assert_eq!(cat.server("g593-b200").unwrap().id.as_str(), "g893-sd1-b200");
        let dlc = cat.server("g593-b200-dlc").unwrap();
        assert_eq!(dlc.id.as_str(), "g4l3-sd1-b200");
        assert!(dlc.description.contains("G4L3"));
        // The real ids that stayed are parts, not aliases.
        for id in ["g593-h200", "g593-mi300x"] {
            assert!(cat.alias(id).is_none() && cat.server(id).is_some(), "{id}");
        }
        let e = user("[[alias]]\nid = \"old\"\nof = \"g593-h20\"\nnote = \"n\"\n").unwrap_err();
        assert!(e.0[0].message.contains("unknown part `g593-h20`"), "{e}");
        assert_eq!((e.0[0].line, e.0[0].key.as_deref()), (3, Some("alias[0].of")));
        let e = user("[[alias]]\nid = \"qm9700\"\nof = \"qm9790\"\nnote = \"n\"\n").unwrap_err();
        assert!(e.0[0].message.contains("also the id of a part"), "{e}");
        // A user part with an alias's id replaces the alias.
        let own = user("[[psu]]\nid = \"g593-b200\"\ndescription = \"mine\"\nvendor = \"v\"\nrating_w = 5\n").unwrap();
        assert!(own.alias("g593-b200").is_none());
        assert_eq!(own.get("g593-b200").unwrap().part.description(), "mine");
    }

    #[test]
    fn liquid_cooled_switch_cages_take_flat_tops() {
        let sw = |sink: &str| {
            format!(
                "[[switch]]\nid = \"lq\"\ndescription = \"d\"\nvendor = \"v\"\nprotocol = \"infiniband\"\n\
                 rack_units = 1\nweight_kg = 15\ntypical_power_w = 700\nmax_power_w = 1000\ncooling = \"liquid\"\n\
                 [[switch.port_group]]\ncages = 32\nform = \"osfp-twin\"\nmodes = [{{ speed_gbps = 400, ports_per_cage = 2 }}]\n{sink}"
            )
        };
        let cat = user(&sw("")).unwrap();
        let s = cat.switch("lq").unwrap();
        assert_eq!(s.cage_heat_sink_at(crate::units::Gbps(400)), Some(HeatSink::Flat));
        let e = user(&sw("heat_sink = \"finned\"\n")).unwrap_err();
        assert!(e.0[0].message.contains("flat-top"), "{e}");
    }

    #[test]
    fn smaller_facts_of_issue_11() {
        let cat = Catalog::builtin();
        let h100 = cat.server("dgx-h100").unwrap();
        assert_eq!(h100.weight_kg.value.0, 130.45);
        assert!(h100.power_includes_pluggables());
        let b300 = cat.server("dgx-b300").unwrap();
        assert_eq!((b300.rack_units.value.0, b300.weight_kg.value.0), (10, 168.0));
        assert_eq!((b300.psu_count.value, b300.psu_redundant.value), (12, 6));
        assert!(
            b300.max_power_w
                .as_ref()
                .unwrap()
                .note
                .as_deref()
                .unwrap()
                .contains("14 kW")
        );
        let acc = cat.cable("acc-800g").unwrap();
        assert!(acc.description.contains("MCA4J80"));
        assert_eq!(acc.lengths_m.value[0].0, 3.0);
        assert_eq!(cat.transceiver("mms4x00-nm").unwrap().reach_m.value.0, 500.0);
        // Derived power never includes the modules.
        assert!(!cat.server("g593-h200").unwrap().power_includes_pluggables());
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

    #[test]
    fn every_builtin_server_names_a_board_and_an_unknown_board_is_located() {
        let cat = Catalog::builtin();
        for e in cat.iter(Some(PartKind::Server)) {
            let AnyPart::Server(s) = &e.part else { continue };
            let b = s.board.as_ref().unwrap_or_else(|| panic!("{} has no board", s.id));
            assert!(cat.board(b.as_str()).is_some(), "{}: {b}", s.id);
        }
        assert_eq!(cat.boards().count(), 8);
        let text = "[[server]]\nid = \"s\"\ndescription = \"d\"\nvendor = \"v\"\ngpu = \"h200-sxm\"\ngpu_count = 8\n\
                    cpu = \"c\"\ncpu_count = 2\ncpu_tdp_w = 350\nfabric_nic = \"cx7-400g-osfp\"\nfabric_nic_count = 8\n\
                    psu = \"psu-3000w\"\npsu_count = 6\npsu_redundant = 2\nrack_units = 5\nweight_kg = 80\n\
                    cooling = \"air\"\nmax_power_w = 10000\nboard = \"no-such-board\"\n";
        let e = Catalog::with_user_files(vec![SourceFile::new("u.toml", text)]).unwrap_err();
        let d = &e.0[0];
        assert_eq!(d.line, 19, "{e}");
        assert!(d.message.contains("unknown board id `no-such-board`"), "{e}");
        assert!(d.help.as_deref().unwrap().contains("hgx-8gpu-g593"), "{e}");
    }
}
