//! What a catalog id may hold, checked when a catalog is loaded (docs/hardening.md, docs/catalog.md).
//!
//! Ids name parts in every output: file names of no kind, but Slurm `SwitchName=` lines, ibnetdiscover blocks,
//! CSV cells, Markdown tables, SVG and HTML. One small character set that every one of those formats holds
//! unescaped keeps an id from ever injecting a line, a formula or markup there.

/// Longest id accepted, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// The characters an id may hold, as documented.
pub const ID_CHARSET: &str = "A-Z a-z 0-9 . _ -, starting with a letter or a digit";

/// Why `id` is not a valid catalog id, or `None` when it is.
///
/// ```
/// use gigapod_catalog::ids::id_problem;
/// assert_eq!(id_problem("g593-h200"), None);
/// assert_eq!(id_problem("S12"), None);
/// assert!(id_problem("pwn\nSwitchName=x").is_some());
/// assert!(id_problem("-x").is_some());
/// assert!(id_problem(&"a".repeat(65)).is_some());
/// ```
pub fn id_problem(id: &str) -> Option<String> {
    let chars = id.chars().count();
    if chars == 0 {
        return Some("the id is empty".into());
    }
    if chars > MAX_ID_CHARS {
        return Some(format!(
            "the id is {chars} characters long, more than the {MAX_ID_CHARS} accepted"
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!(
            "the id holds {}, which ids may not",
            if c.is_control() || c.is_whitespace() {
                format!("the character {}", c.escape_unicode())
            } else {
                format!("`{c}`")
            }
        ));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some("the id does not start with a letter or a digit".into());
    }
    None
}
