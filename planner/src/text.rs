//! Small text helpers every output shares: escaping for XML and HTML, CSV cells safe for spreadsheets, Markdown
//! table cells, thousands separators and counted nouns.

/// Escapes text for XML and HTML, in content and in attribute values (`'` as `&#39;`, valid in both).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `65536` -> `"65,536"`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with its noun in the right number, thousands separated: `counted(1, "rack", "racks")` is
/// `"1 rack"`, `counted(2048, "rack", "racks")` is `"2,048 racks"`. Output text says "1 spine", never
/// "1 spines" or "1 rack(s)".
pub fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A CSV text cell that a spreadsheet will not run as a formula. A cell that starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'`, as OWASP advises for CSV injection; the CSV writer quotes the
/// rest. Use it for text from a catalog or a spec (descriptions, vendors, names), not for numbers.
pub fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A Markdown table cell: HTML escaped (a cell carries no markup), Markdown's own punctuation backslash-escaped
/// (`|` cannot end the cell, `*`, `_`, `` ` ``, `[` cannot format or link), newlines flattened.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '*' | '_' | '`' | '[' | ']' | '\\' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_separators() {
        assert_eq!(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(thousands(2048), "2,048");
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(counted(0, "spine", "spines"), "0 spines");
        assert_eq!(counted(1, "spine", "spines"), "1 spine");
        assert_eq!(counted(4096, "row", "rows"), "4,096 rows");
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("+1"), "'+1");
        assert_eq!(csv_text("-2+3"), "'-2+3");
        assert_eq!(csv_text("\tx"), "'\tx");
        assert_eq!(csv_text("NVIDIA QM9700"), "NVIDIA QM9700");
    }

    #[test]
    fn markdown_cells_carry_no_markup() {
        assert_eq!(md_cell("a|b <script>"), "a\\|b &lt;script&gt;");
        assert_eq!(md_cell("[x](javascript:y)"), "\\[x\\](javascript:y)");
        assert_eq!(md_cell("two\nlines"), "two lines");
    }
}
