//! Errors that point into the user's file: `file:line:col`, the offending line, what is wrong and what to do.
//!
//! Both the catalog and the spec loader report through [`Diagnostic`], so every bad-input message has the same
//! shape as rustc's and cargo's.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use toml::de::{DeTable, DeValue};

/// A text file as loaded, kept so that errors found after parsing can still point at a line.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown in messages: the path as the user gave it, or `<built-in>/servers.toml`.
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
    /// Every key path of the document and where it stands, built on the first lookup: each diagnostic then
    /// costs a few hash lookups instead of a parse of the whole file (a file with thousands of errors stays fast).
    index: Arc<OnceLock<KeyIndex>>,
}

/// Key path (as displayed) to the span an error at it points to.
type KeyIndex = HashMap<String, Range<usize>>;

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySeg {
    /// A table key.
    Key(String),
    /// An index into an array (of tables).
    Index(usize),
}

/// A key path such as `server[3].gpu_count`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<KeySeg>);

impl KeyPath {
    /// The root path.
    pub fn root() -> Self {
        Self(Vec::new())
    }
    /// A path of plain keys from dotted text: `"compute.server"`.
    pub fn dotted(path: &str) -> Self {
        Self(path.split('.').map(|k| KeySeg::Key(k.to_string())).collect())
    }
    /// This path with a key appended.
    pub fn key(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(KeySeg::Key(k.to_string()));
        p
    }
    /// This path with an array index appended.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(KeySeg::Index(i));
        p
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                KeySeg::Key(k) if i == 0 => write!(f, "{k}")?,
                KeySeg::Key(k) => write!(f, ".{k}")?,
                KeySeg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One error in a user's input, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File name as given.
    pub file: String,
    /// 1-based line, 0 when the error has no position (for example a missing file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Dotted key path, when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub help: Option<String>,
    /// The offending line and the caret's extent on it.
    pub snippet: Option<(String, usize, usize)>,
}

impl Diagnostic {
    /// A diagnostic for a whole file (no line), e.g. one that cannot be read.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line: 0,
            column: 0,
            key: None,
            message: message.into(),
            help: None,
            snippet: None,
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        if self.line > 0 {
            writeln!(f, "  --> {}:{}:{}", self.file, self.line, self.column)?;
        } else {
            writeln!(f, "  --> {}", self.file)?;
        }
        if let Some((text, col, len)) = &self.snippet {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {text}")?;
            writeln!(
                f,
                "{pad} | {}{}",
                " ".repeat(col.saturating_sub(1)),
                "^".repeat((*len).max(1))
            )?;
        }
        if let Some(key) = &self.key {
            writeln!(f, "  = key: {key}")?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

/// One or more diagnostics: the error type of every loader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl SourceFile {
    /// A source file from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            index: Arc::default(),
        }
    }

    fn index(&self) -> &KeyIndex {
        self.index.get_or_init(|| {
            let mut index = KeyIndex::new();
            if let Ok(doc) = DeTable::parse(&self.text) {
                index.insert(String::new(), doc.span());
                index_table(doc.get_ref(), &KeyPath::root(), &mut index);
            }
            index
        })
    }

    /// A diagnostic at a byte span of this file.
    pub fn at(&self, span: Option<Range<usize>>, key: Option<String>, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::file(&self.name, message);
        d.key = key;
        if let Some(span) = span {
            let start = span.start.min(self.text.len());
            let before = &self.text[..start];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let line_end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
            let line_text = self.text[line_start..line_end].trim_end_matches('\r');
            let column = self.text[line_start..start].chars().count() + 1;
            let end = span.end.clamp(start, line_end);
            let len = self.text[start..end].chars().count();
            d.line = line;
            d.column = column;
            d.snippet = Some((line_text.to_string(), column, len));
        }
        d
    }

    /// A diagnostic at a key path: the value's span when the key exists, else the nearest enclosing table.
    pub fn at_key(&self, path: &KeyPath, message: impl Into<String>) -> Diagnostic {
        let span = self.locate(path);
        self.at(span, Some(path.to_string()), message)
    }

    /// A diagnostic from a toml parse or type error.
    pub fn from_toml(&self, err: &toml::de::Error) -> Diagnostic {
        let span = err.span();
        let key = span.clone().and_then(|s| self.key_at(s)).map(|p| p.to_string());
        let mut message = plain_types(&err.message().trim().replace('\n', " "));
        if message.starts_with("duplicate key")
            && let Some(name) = span.clone().and_then(|s| self.text.get(s)).map(str::trim)
            && !name.is_empty()
            && !message.contains(name)
        {
            message = format!("duplicate key `{name}`");
        }
        let help = help_for_toml_message(&message);
        let mut d = self.at(span, key, message);
        d.help = Some(help);
        d
    }

    /// The byte span of the value at `path`, or of the deepest existing ancestor.
    pub fn locate(&self, path: &KeyPath) -> Option<Range<usize>> {
        self.walk(path).map(|(span, _)| span)
    }

    /// True when every key of `path` is written in the file (not defaulted).
    pub fn has_key(&self, path: &KeyPath) -> bool {
        self.walk(path).is_some_and(|(_, whole)| whole)
    }

    /// Follows `path` into the document: the span of the deepest step found, and whether every step was.
    fn walk(&self, path: &KeyPath) -> Option<(Range<usize>, bool)> {
        let index = self.index();
        for depth in (0..=path.0.len()).rev() {
            let prefix = KeyPath(path.0[..depth].to_vec());
            if let Some(span) = index.get(&prefix.to_string()) {
                return Some((span.clone(), depth == path.0.len()));
            }
        }
        None
    }

    /// The deepest key path whose value contains the byte span.
    pub fn key_at(&self, span: Range<usize>) -> Option<KeyPath> {
        let doc = DeTable::parse(&self.text).ok()?;
        let mut path = KeyPath::root();
        walk_table(doc.get_ref(), &span, &mut path);
        if path.0.is_empty() { None } else { Some(path) }
    }
}

fn index_table(t: &DeTable<'_>, base: &KeyPath, index: &mut KeyIndex) {
    for (k, v) in t.iter() {
        let path = base.key(k.get_ref());
        // Point at `key = value`; at the key (the header) for a table or an array.
        let span = if matches!(v.get_ref(), DeValue::Table(_) | DeValue::Array(_)) {
            k.span()
        } else {
            k.span().start..v.span().end.max(k.span().end)
        };
        index.insert(path.to_string(), span);
        index_value(v.get_ref(), &path, index);
    }
}

fn index_value(v: &DeValue<'_>, base: &KeyPath, index: &mut KeyIndex) {
    match v {
        DeValue::Table(t) => index_table(t, base, index),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let path = base.index(i);
                index.insert(path.to_string(), item.span());
                index_value(item.get_ref(), &path, index);
            }
        }
        _ => {}
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end.max(outer.start + 1)
}

/// The bytes a value really covers. A table's own span is only its header (`[[server]]`), so its extent is
/// the union of the header and everything inside it.
fn extent(span: Range<usize>, v: &DeValue<'_>) -> Range<usize> {
    let mut r = span;
    let mut grow = |x: Range<usize>| {
        r.start = r.start.min(x.start);
        r.end = r.end.max(x.end);
    };
    match v {
        DeValue::Table(t) => {
            for (k, v) in t.iter() {
                grow(k.span());
                grow(extent(v.span(), v.get_ref()));
            }
        }
        DeValue::Array(a) => {
            for item in a.iter() {
                grow(extent(item.span(), item.get_ref()));
            }
        }
        _ => {}
    }
    r
}

fn walk_table(t: &DeTable<'_>, span: &Range<usize>, path: &mut KeyPath) {
    for (k, v) in t.iter() {
        if let DeValue::Array(a) = v.get_ref() {
            for (i, item) in a.iter().enumerate() {
                if matches!(item.get_ref(), DeValue::Table(_)) && contains(&extent(item.span(), item.get_ref()), span) {
                    path.0.push(KeySeg::Key(k.get_ref().to_string()));
                    path.0.push(KeySeg::Index(i));
                    walk_value(item.get_ref(), span, path);
                    return;
                }
            }
        }
        let whole = extent(k.span(), v.get_ref());
        let whole = whole.start.min(v.span().start)..whole.end.max(v.span().end);
        if contains(&whole, span) {
            path.0.push(KeySeg::Key(k.get_ref().to_string()));
            walk_value(v.get_ref(), span, path);
            return;
        }
    }
}

fn walk_value(v: &DeValue<'_>, span: &Range<usize>, path: &mut KeyPath) {
    match v {
        DeValue::Table(t) => walk_table(t, span, path),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                if contains(&extent(item.span(), item.get_ref()), span) {
                    path.0.push(KeySeg::Index(i));
                    walk_value(item.get_ref(), span, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// Says Rust's type names in words a spec author knows: `expected u32` is `expected a whole number`.
fn plain_types(message: &str) -> String {
    let mut m = message.to_string();
    for int in [
        "i128", "u128", "i64", "u64", "i32", "u32", "i16", "u16", "i8", "u8", "usize",
    ] {
        m = m.replace(&format!("expected {int}"), "expected a whole number");
        m = m.replace(&format!("as {int}"), "as a whole number");
    }
    for float in ["f64", "f32"] {
        m = m.replace(&format!("expected {float}"), "expected a number");
    }
    if let Some(i) = m.find("expected struct ") {
        let rest = &m[i + "expected struct ".len()..];
        let end = rest
            .find(|c: char| !c.is_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        m = format!("{}expected a table{}", &m[..i], &rest[end..]);
    }
    m.replace("expected a sequence", "expected an array")
}

fn help_for_toml_message(message: &str) -> String {
    let m = message;
    if m.starts_with("unknown field") {
        "remove the key or correct its spelling; the expected keys are listed above".into()
    } else if m.starts_with("missing field") {
        "add the key; docs/spec.md and docs/catalog.md list every key".into()
    } else if m.starts_with("invalid type") {
        "give the value the type named above (strings in quotes, numbers without)".into()
    } else if m.starts_with("unknown variant") {
        "use one of the values listed above".into()
    } else if m.starts_with("invalid value") || m.contains("out of range") {
        "give a value within the range the key takes (docs/spec.md, docs/catalog.md)".into()
    } else if m.contains("duplicate key") {
        "each key appears once per table: remove one of the two".into()
    } else if m.contains("overflow") {
        "the number is too large for its type: give a realistic value".into()
    } else {
        "fix the TOML at the caret (https://toml.io describes the syntax)".into()
    }
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
///
/// ```
/// use gigapod_catalog::diagnostic::did_you_mean;
/// assert_eq!(did_you_mean("qm9070", ["qm9700", "sn5600"]), Some("qm9700".to_string()));
/// assert_eq!(did_you_mean("zzz", ["qm9700"]), None);
/// ```
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name = \"x\"\n\n[compute]\nserver = \"g593\"\ncount = 3\n\n[[server]]\nid = \"a\"\n\n[[server]]\nid = \"b\"\ngpu_count = 0\n";

    #[test]
    fn locates_nested_keys() {
        let f = SourceFile::new("t.toml", DOC);
        let d = f.at_key(&KeyPath::root().key("compute").key("count"), "bad");
        assert_eq!((d.line, d.column), (5, 1));
        let d = f.at_key(&KeyPath::root().key("server").index(1).key("gpu_count"), "bad");
        assert_eq!(d.line, 12);
        assert_eq!(d.key.as_deref(), Some("server[1].gpu_count"));
    }

    #[test]
    fn key_at_span_finds_array_of_tables_item() {
        let f = SourceFile::new("t.toml", DOC);
        let start = DOC.find("gpu_count = 0").unwrap() + 12;
        let p = f.key_at(start..start + 1).unwrap();
        assert_eq!(p.to_string(), "server[1].gpu_count");
    }

    #[test]
    fn rust_type_names_are_said_in_words() {
        assert_eq!(
            plain_types("invalid type: string \"x\", expected u32"),
            "invalid type: string \"x\", expected a whole number"
        );
        assert_eq!(
            plain_types("invalid type: integer `3`, expected struct ComputeSpec"),
            "invalid type: integer `3`, expected a table"
        );
        assert_eq!(
            plain_types("invalid type: string, expected f64"),
            "invalid type: string, expected a number"
        );
    }

    #[test]
    fn display_is_rustc_like() {
        let f = SourceFile::new("t.toml", DOC);
        let d = f
            .at_key(&KeyPath::root().key("compute").key("server"), "unknown server `g593`")
            .with_help("did you mean `g593-h200`?");
        let s = d.to_string();
        assert!(s.contains("--> t.toml:4:1"), "{s}");
        assert!(s.contains("4 | server = \"g593\""), "{s}");
        assert!(s.contains("help: did you mean `g593-h200`?"), "{s}");
    }
}
