//! What every target asserts about an error: it is located, it displays, it names the file it blames.

use gigapod_catalog::Diagnostics;

/// The input as text. Files on disk must be UTF-8 (`read_source` refuses the rest before any parser runs), so
/// invalid bytes are replaced rather than rejected: the mutator's byte flips still reach the parsers.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// An error must hold at least one diagnostic; a diagnostic in one of `files` (name, text) must point inside it;
/// the whole must display as `error: ...` with the file's name and a line number when it has one.
pub fn check_diagnostics(d: &Diagnostics, files: &[(&str, &str)]) {
    assert!(!d.0.is_empty(), "an error without any diagnostic");
    for diag in &d.0 {
        assert!(
            !diag.message.trim().is_empty(),
            "a diagnostic without a message: {diag:?}"
        );
        if let Some((_, text)) = files.iter().find(|(name, _)| *name == diag.file)
            && diag.line > 0
        {
            let lines = text.split('\n').count();
            assert!(
                diag.line <= lines,
                "line {} beyond the file's {lines} lines: {diag:?}",
                diag.line
            );
            assert!(diag.column >= 1, "column 0 with a line: {diag:?}");
        }
        let shown = diag.to_string();
        assert!(shown.starts_with("error: "), "{shown}");
        if diag.line > 0 {
            let at = format!("{}:{}:", diag.file, diag.line);
            assert!(shown.contains(&at), "{shown} lacks {at}");
        }
    }
    let _ = d.to_string();
}
