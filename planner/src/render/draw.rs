//! Small helpers shared by the drawings: numbers as SVG wants them, text metrics, colours, common elements.

use svg::Document;
use svg::node::element::{Rectangle, Text, Title};

/// The font every drawing asks for; DejaVu Sans is what resvg and Chromium find on a Debian machine.
pub(crate) const FONT: &str = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif";

/// A coordinate or length rounded to 0.1, without a trailing `.0`: short, stable output.
pub(crate) fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".into()
    } else if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Estimated width of `s` in DejaVu Sans at `size` px (its mean advance is ~0.6 em; bold ~0.66 em).
pub(crate) fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    s.chars().count() as f64 * size * if bold { 0.68 } else { 0.62 }
}

pub(crate) use crate::text::thousands as digits;

/// A text element at (`x`, `y`) with a class.
pub(crate) fn text(x: f64, y: f64, class: &str, content: impl Into<String>) -> Text {
    Text::new(content).set("x", n(x)).set("y", n(y)).set("class", class)
}

/// A rectangle with a class.
pub(crate) fn rect(x: f64, y: f64, w: f64, h: f64, class: &str) -> Rectangle {
    Rectangle::new()
        .set("x", n(x))
        .set("y", n(y))
        .set("width", n(w.max(0.0)))
        .set("height", n(h.max(0.0)))
        .set("class", class)
}

/// A tooltip (`<title>`), shown by browsers on hover.
pub(crate) fn title(s: impl Into<String>) -> Title {
    Title::new(s)
}

/// An empty document of the given size, with a white background, the font and the stylesheet.
pub(crate) fn document(width: f64, height: f64, label: &str, css: &str) -> Document {
    let style = format!("svg{{font-family:{FONT}}}{css}");
    Document::new()
        .set("width", n(width))
        .set("height", n(height))
        .set("viewBox", format!("0 0 {} {}", n(width), n(height)))
        .set("role", "img")
        .set("aria-label", label)
        .add(title(label))
        .add(svg::node::element::Style::new(style))
        .add(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "#ffffff"),
        )
}

/// The SVG text of a document, with a final newline.
pub(crate) fn finish(doc: Document) -> String {
    let mut s = doc.to_string();
    s.push('\n');
    s
}

/// Colour of rail `r` (0-based): a qualitative palette that stays apart in print and for most colour-blind
/// readers (Tableau 10), cycling past ten rails.
pub(crate) fn rail_colour(r: u32) -> &'static str {
    const PALETTE: [&str; 10] = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ];
    PALETTE[r as usize % PALETTE.len()]
}

/// Fill of a rack by its power against its limit: green below half, through yellow and orange, red at the
/// limit; a darker red above it.
pub(crate) fn load_colour(fraction: f64) -> &'static str {
    match fraction {
        f if f > 1.0 + 1e-9 => "#991b1b",
        f if f >= 0.95 => "#ef4444",
        f if f >= 0.85 => "#f97316",
        f if f >= 0.70 => "#facc15",
        f if f >= 0.50 => "#a3e635",
        f if f > 0.0 => "#4ade80",
        _ => "#e5e7eb",
    }
}

/// The bands of [`load_colour`], lowest first, for legends: (lower bound as a fraction, colour, label).
pub(crate) const LOAD_BANDS: [(f64, &str, &str); 6] = [
    (0.0, "#4ade80", "< 50 %"),
    (0.50, "#a3e635", "50-70 %"),
    (0.70, "#facc15", "70-85 %"),
    (0.85, "#f97316", "85-95 %"),
    (0.95, "#ef4444", "95-100 %"),
    (1.0, "#991b1b", "over limit"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(n(0.0), "0");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.34), "12.3");
        assert_eq!(n(0.1 + 0.2), "0.3");
        assert_eq!(digits(16_384), "16,384");
        assert_eq!(digits(7), "7");
    }

    #[test]
    fn load_colours_rise_with_the_load() {
        assert_eq!(load_colour(0.3), LOAD_BANDS[0].1);
        assert_eq!(load_colour(0.9), LOAD_BANDS[3].1);
        assert_eq!(load_colour(1.0), LOAD_BANDS[4].1);
        assert_eq!(load_colour(1.2), LOAD_BANDS[5].1);
    }
}
