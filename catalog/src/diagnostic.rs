//! Errors that point into the user's file: `file:line:col`, the offending line, what is wrong and what to do.
//!
//! Both the catalog and the spec loader report through [`Diagnostic`], so every bad-input message has the same
//! shape as rustc's and cargo's.

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
    index: Arc<OnceLock<Option<KeyIndex>>>,
    /// Byte offset of every line's start, built on the first lookup: a diagnostic finds its line by binary
    /// search instead of counting the newlines before it (which made many diagnostics quadratic).
    lines: Arc<OnceLock<Vec<usize>>>,
}

/// The document's keys as a tree, each with the span an error at it points to. Built in one pass over the
/// parsed document; a lookup costs a binary search per table and an index per array.
#[derive(Debug, Default)]
struct KeyIndex {
    span: Range<usize>,
    /// A table's keys, sorted.
    keys: Vec<(Box<str>, KeyIndex)>,
    /// An array's items.
    items: Vec<KeyIndex>,
}

impl KeyIndex {
    fn key(&self, k: &str) -> Option<&KeyIndex> {
        self.keys
            .binary_search_by(|(x, _)| (**x).cmp(k))
            .ok()
            .map(|i| &self.keys[i].1)
    }
}

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
        writeln!(f, "error: {}", readable(&self.message))?;
        if self.line > 0 {
            writeln!(f, "  --> {}:{}:{}", printable(&self.file), self.line, self.column)?;
        } else {
            writeln!(f, "  --> {}", printable(&self.file))?;
        }
        if let Some((text, col, len)) = &self.snippet {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            // One character for one, so that the caret stays under its place.
            let text: String = text
                .chars()
                .map(|c| {
                    if c == '\t' {
                        ' '
                    } else if c.is_control() {
                        '\u{fffd}'
                    } else {
                        c
                    }
                })
                .collect();
            writeln!(f, "{num} | {text}")?;
            writeln!(
                f,
                "{pad} | {}{}",
                " ".repeat(col.saturating_sub(1)),
                "^".repeat((*len).max(1))
            )?;
        }
        if let Some(key) = &self.key {
            writeln!(f, "  = key: {}", printable(key))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {}", readable(help))?;
        }
        Ok(())
    }
}

/// Text safe to print on a terminal: control characters (ESC, NUL, newlines inside a value...) are written as
/// escapes (`\u{1b}`), so an input cannot move the cursor, recolour the terminal or forge a line of output.
///
/// ```
/// use gigapod_catalog::diagnostic::printable;
/// assert_eq!(printable("a\u{1b}[2Jb\0"), "a\\u{1b}[2Jb\\u{0}");
/// assert_eq!(printable("plain"), "plain");
/// ```
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`printable`] text with every number of more than 15 integer digits written in scientific notation, so that
/// `1e308` read back from an input is shown as `1e308`, not as 309 digits; a word longer than 120 characters is
/// cut to its first 60, with its length.
///
/// ```
/// use gigapod_catalog::diagnostic::readable;
/// let big = format!("a limit of {} kW", 1e308);
/// assert_eq!(readable(&big), "a limit of 1e308 kW");
/// assert_eq!(readable("65,536 ports of 400 Gb/s, 12.5 m"), "65,536 ports of 400 Gb/s, 12.5 m");
/// ```
pub fn readable(s: &str) -> String {
    let s = printable(s);
    let mut out = String::with_capacity(s.len());
    let mut rest: &str = &s;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let int_len = tail.find(|c: char| !c.is_ascii_digit()).unwrap_or(tail.len());
        let mut len = int_len;
        if tail[len..].starts_with('.') {
            let frac = tail[len + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(tail.len() - len - 1);
            if frac > 0 {
                len += 1 + frac;
            }
        }
        let number = &tail[..len];
        match number.parse::<f64>() {
            Ok(x) if int_len > 15 => out.push_str(&format!("{x:e}")),
            _ => out.push_str(number),
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    // A word too long to read (a 10,000-character id echoed back) is cut, with its length said.
    if out.split(' ').any(|w| w.chars().count() > LONGEST_WORD) {
        out = out
            .split(' ')
            .map(|w| {
                let n = w.chars().count();
                if n > LONGEST_WORD {
                    let head: String = w.chars().take(LONGEST_WORD / 2).collect();
                    format!("{head}…({n} characters)")
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    out
}

/// Longest word of a message shown whole, in characters.
const LONGEST_WORD: usize = 120;

/// At most this many diagnostics are shown; the rest are counted ("and 99,980 more errors").
pub const MAX_SHOWN: usize = 20;

/// One or more diagnostics: the error type of every loader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().take(MAX_SHOWN).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        let more = self.0.len().saturating_sub(MAX_SHOWN);
        if more > 0 {
            writeln!(
                f,
                "\nerror: and {more} more error{} not shown (the first {MAX_SHOWN} are above)\n  = help: fix these and run again",
                if more == 1 { "" } else { "s" }
            )?;
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
            lines: Arc::default(),
        }
    }

    /// The 1-based line of a byte offset, and the offset where that line starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let starts = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let i = starts.partition_point(|&s| s <= offset).max(1) - 1;
        (i + 1, starts[i])
    }

    /// The key index, `None` when the text does not parse.
    fn index(&self) -> Option<&KeyIndex> {
        self.index
            .get_or_init(|| DeTable::parse(&self.text).ok().map(|doc| index_document(&doc)))
            .as_ref()
    }

    /// Parses the file as TOML and deserializes it, building the key index from the same parse (one parse of
    /// the text instead of two when diagnostics follow). Also returns a diagnostic for every string value that
    /// holds a control character (an escape such as `\n` or `\u001b`): no text of a catalog may carry one into
    /// an output or onto a terminal.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<(T, Vec<Diagnostic>), toml::de::Error> {
        let doc = DeTable::parse(&self.text)?;
        let _ = self.index.set(Some(index_document(&doc)));
        let mut controls = Vec::new();
        control_table(doc.get_ref(), &KeyPath::root(), &mut controls);
        let diags = controls
            .into_iter()
            .map(|path| {
                self.at_key(
                    &path,
                    "the text holds a control character (a newline, tab, escape or NUL)",
                )
                .with_help("write it on one line, with printable characters only")
            })
            .collect();
        Ok((T::deserialize(toml::de::Deserializer::from(doc))?, diags))
    }

    /// A diagnostic at a byte span of this file.
    pub fn at(&self, span: Option<Range<usize>>, key: Option<String>, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::file(&self.name, message);
        d.key = key;
        if let Some(span) = span {
            let mut start = span.start.min(self.text.len());
            while !self.text.is_char_boundary(start) {
                start -= 1;
            }
            let (line, line_start) = self.line_of(start);
            let line_end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
            let line_text = self.text[line_start..line_end].trim_end_matches('\r');
            let column = self.text[line_start..start].chars().count() + 1;
            let end = span.end.clamp(start, line_end);
            let len = self.text[start..end].chars().count();
            d.line = line;
            d.column = column;
            d.snippet = Some(snippet_window(line_text, column, len));
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
        let mut help = help_for_toml_message(&message);
        let header = span.clone().and_then(|s| self.text.get(s)).unwrap_or("").trim_start();
        if message.starts_with("invalid type") && header.starts_with("[[") {
            let name = header.trim_start_matches('[').split(']').next().unwrap_or("").trim();
            message = format!("`[[{name}]]` makes an array of tables, and `{name}` is one table");
            help = format!("write `[{name}]` (single brackets)");
        } else if message.starts_with("invalid type: sequence") && header.starts_with('[') {
            help = "this key takes one table, not an array of them: write it once, with single brackets".into();
        }
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
        let mut node = self.index()?;
        for seg in &path.0 {
            let next = match seg {
                KeySeg::Key(k) => node.key(k),
                KeySeg::Index(i) => node.items.get(*i),
            };
            match next {
                Some(n) => node = n,
                None => return Some((node.span.clone(), false)),
            }
        }
        Some((node.span.clone(), true))
    }

    /// The deepest key path whose value contains the byte span.
    pub fn key_at(&self, span: Range<usize>) -> Option<KeyPath> {
        let doc = DeTable::parse(&self.text).ok()?;
        let mut path = KeyPath::root();
        walk_table(doc.get_ref(), &span, &mut path);
        if path.0.is_empty() { None } else { Some(path) }
    }
}

/// Longest snippet line shown, in characters: a longer line is cut to a window around the caret, so that a
/// megabyte-long line is not copied into every diagnostic on it.
const SNIPPET_CHARS: usize = 160;

/// The line (or a window of it around the caret, with `…` where it is cut), the caret's column in it and its
/// length.
fn snippet_window(line: &str, column: usize, len: usize) -> (String, usize, usize) {
    let total = line.chars().count();
    if total <= SNIPPET_CHARS {
        return (line.to_string(), column, len);
    }
    let first = column.saturating_sub(1).saturating_sub(SNIPPET_CHARS / 4);
    let mut text: String = line.chars().skip(first).take(SNIPPET_CHARS).collect();
    let mut col = column - first;
    if first > 0 {
        text.insert(0, '…');
        col += 1;
    }
    if first + SNIPPET_CHARS < total {
        text.push('…');
    }
    let len = len.min(SNIPPET_CHARS + 2 - col.min(SNIPPET_CHARS + 1));
    (text, col, len)
}

/// Key paths of string values (keys included) holding a control character, at most [`MAX_SHOWN`] + 1 of them.
fn control_table(t: &DeTable<'_>, path: &KeyPath, out: &mut Vec<KeyPath>) {
    for (k, v) in t.iter() {
        if out.len() > MAX_SHOWN {
            return;
        }
        let p = path.key(k.get_ref());
        if k.get_ref().chars().any(char::is_control) {
            out.push(p.clone());
        }
        control_value(v.get_ref(), &p, out);
    }
}

fn control_value(v: &DeValue<'_>, path: &KeyPath, out: &mut Vec<KeyPath>) {
    match v {
        DeValue::String(s) if s.chars().any(char::is_control) => out.push(path.clone()),
        DeValue::Table(t) => control_table(t, path, out),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                control_value(item.get_ref(), &path.index(i), out);
            }
        }
        _ => {}
    }
}

fn index_document(doc: &toml::Spanned<DeTable<'_>>) -> KeyIndex {
    let mut root = index_table(doc.get_ref());
    root.span = doc.span();
    root
}

fn index_table(t: &DeTable<'_>) -> KeyIndex {
    let mut keys: Vec<(Box<str>, KeyIndex)> = t
        .iter()
        .map(|(k, v)| {
            let mut node = index_value(v.get_ref());
            // Point at `key = value`; at the key (the header) for a table or an array.
            node.span = if matches!(v.get_ref(), DeValue::Table(_) | DeValue::Array(_)) {
                k.span()
            } else {
                k.span().start..v.span().end.max(k.span().end)
            };
            (Box::from(k.get_ref().as_ref()), node)
        })
        .collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    KeyIndex {
        span: 0..0,
        keys,
        items: Vec::new(),
    }
}

fn index_value(v: &DeValue<'_>) -> KeyIndex {
    match v {
        DeValue::Table(t) => index_table(t),
        DeValue::Array(a) => KeyIndex {
            span: 0..0,
            keys: Vec::new(),
            items: a
                .iter()
                .map(|item| {
                    let mut node = index_value(item.get_ref());
                    node.span = item.span();
                    node
                })
                .collect(),
        },
        _ => KeyIndex::default(),
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
        .replace("invalid type: map", "invalid type: a table")
        .replace("invalid type: sequence", "invalid type: an array")
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

/// Longest word (and candidate) the "did you mean" search compares, in bytes: ids are at most 64 characters
/// (see `MAX_ID_CHARS`), and a longer word is no typo of one.
pub const MAX_SUGGEST_LEN: usize = 64;

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
///
/// Bounded whatever the input: words or candidates longer than [`MAX_SUGGEST_LEN`] are skipped, a candidate
/// whose length or letters already differ by more than the allowed distance is skipped before any edit distance
/// is computed, and the search stops after about 20 million cells of edit-distance work (the best so far).
///
/// ```
/// use gigapod_catalog::diagnostic::did_you_mean;
/// assert_eq!(did_you_mean("qm9070", ["qm9700", "sn5600"]), Some("qm9700".to_string()));
/// assert_eq!(did_you_mean("zzz", ["qm9700"]), None);
/// ```
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    const BUDGET: usize = 20_000_000;
    if word.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let letters = histogram(word);
    let mut work = 0usize;
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.len() > MAX_SUGGEST_LEN {
            continue;
        }
        let allowed = 2.max(c.len() / 3).min(best.map_or(usize::MAX, |(d, _)| d));
        if word.len().abs_diff(c.len()) > allowed || letter_distance(&letters, &histogram(c)) > allowed {
            continue;
        }
        work += (word.len() + 1) * (c.len() + 1);
        if work > BUDGET {
            break;
        }
        let d = strsim::osa_distance(word, c);
        if d <= 2.max(c.len() / 3) && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Byte counts in 64 buckets.
fn histogram(s: &str) -> [i16; 64] {
    let mut h = [0i16; 64];
    for b in s.bytes() {
        h[usize::from(b % 64)] += 1;
    }
    h
}

/// A lower bound of the edit distance from the letter counts: an insertion, deletion or substitution changes the
/// surplus of either side by at most one, and a transposition changes neither.
fn letter_distance(a: &[i16; 64], b: &[i16; 64]) -> usize {
    let (mut plus, mut minus) = (0usize, 0usize);
    for (x, y) in a.iter().zip(b) {
        let d = i32::from(*x) - i32::from(*y);
        if d > 0 {
            plus += d as usize;
        } else {
            minus += (-d) as usize;
        }
    }
    plus.max(minus)
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

    #[test]
    fn at_most_max_shown_diagnostics_are_displayed_and_the_rest_counted() {
        let f = SourceFile::new("t.toml", DOC);
        let many = Diagnostics(
            (0..1000)
                .map(|i| f.at_key(&KeyPath::dotted("name"), format!("bad {i}")))
                .collect(),
        );
        let text = many.to_string();
        assert_eq!(text.matches("error: bad ").count(), MAX_SHOWN);
        assert!(text.contains("and 980 more errors not shown"), "{text}");
        let one = Diagnostics(vec![f.at_key(&KeyPath::dotted("name"), "bad")]);
        assert!(!one.to_string().contains("more error"));
    }

    #[test]
    fn control_characters_are_never_printed_raw() {
        let f = SourceFile::new("t\u{1b}.toml", "name = \"a\u{1b}[31mb\0\"\n");
        let d = f
            .at_key(&KeyPath::dotted("name"), "bad `a\u{1b}[31mb\0`")
            .with_help("\u{7}");
        let text = d.to_string();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
        assert!(text.contains("\\u{1b}[31m"), "{text}");
    }

    #[test]
    fn a_huge_line_is_shown_as_a_window_around_the_caret() {
        let text = format!("name = \"{}\"\nx = 1\n", "a".repeat(1_000_000));
        let f = SourceFile::new("t.toml", text);
        let d = f.at_key(&KeyPath::dotted("x"), "bad");
        assert_eq!(d.line, 2);
        let d = f.at(Some(500_000..500_001), None, "bad");
        let (snippet, col, len) = d.snippet.clone().unwrap();
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 2, "{}", snippet.len());
        assert_eq!(snippet.chars().nth(col - 1), Some('a'));
        assert_eq!(len, 1);
        assert_eq!((d.line, d.column), (1, 500_001));
    }

    #[test]
    fn did_you_mean_is_bounded_on_long_and_many_candidates() {
        // A 10,000-character word against a 1,000,000-character id took 57 s: now neither is compared.
        let long = "x".repeat(1_000_000);
        assert_eq!(did_you_mean(&"x".repeat(10_000), [long.as_str()]), None);
        assert_eq!(did_you_mean("qm9700", [long.as_str(), "qm9701"]), Some("qm9701".into()));
        // Many near candidates: the first closest still wins.
        let ids: Vec<String> = (0..200_000).map(|i| format!("part-{i:06}")).collect();
        assert_eq!(
            did_you_mean("part-00001x", ids.iter().map(String::as_str)),
            Some("part-000010".into())
        );
    }
}
