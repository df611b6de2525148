//! Line breaking and pagination: turns the document's lines into positioned marks on A4 pages.

use super::PdfLine;
use super::font;

/// A4 in points.
pub(super) const PAGE_WIDTH: f32 = 595.28;
pub(super) const PAGE_HEIGHT: f32 = 841.89;
/// About 20 mm on every side.
pub(super) const MARGIN: f32 = 56.0;
/// The baseline of the page number, inside the bottom margin.
pub(super) const FOOTER_BASELINE: f32 = 30.0;
pub(super) const FOOTER_SIZE: f32 = 9.0;

const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f32 = PAGE_HEIGHT - MARGIN;
const BOTTOM: f32 = MARGIN;
/// The width of the key column of key–value lines; the value starts after it.
const KEY_COLUMN: f32 = 150.0;
const KEY_GAP: f32 = 10.0;

const HEADING: Style = Style {
    size: 16.0,
    leading: 24.0,
    space_before: 8.0,
};
const BODY: Style = Style {
    size: 10.5,
    leading: 16.0,
    space_before: 0.0,
};
/// The vertical space a rule takes; the line is drawn in its middle.
const RULE_HEIGHT: f32 = 12.0;

#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    leading: f32,
    space_before: f32,
}

/// Something drawn on a page, in points from the bottom-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Mark {
    /// One line of text whose baseline starts at (`x`, `y`).
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    /// A horizontal line across the content width at height `y`.
    Rule { y: f32 },
}

/// Lays out the lines on as many pages as they need; a document always has at least one page.
pub(super) fn paginate(lines: &[PdfLine]) -> Vec<Vec<Mark>> {
    let mut layout = Layout {
        pages: Vec::new(),
        current: Vec::new(),
        cursor: TOP,
    };
    for line in lines {
        match line {
            PdfLine::Heading(text) => {
                for (i, part) in wrap(text, HEADING.size, CONTENT_WIDTH)
                    .into_iter()
                    .enumerate()
                {
                    let space = if i == 0 { HEADING.space_before } else { 0.0 };
                    layout.text_row(HEADING, space, &[(MARGIN, part)]);
                }
            }
            PdfLine::Text(text) => {
                for part in wrap(text, BODY.size, CONTENT_WIDTH) {
                    layout.text_row(BODY, 0.0, &[(MARGIN, part)]);
                }
            }
            PdfLine::KeyValue(key, value) => {
                let keys = wrap(key, BODY.size, KEY_COLUMN - KEY_GAP);
                let values = wrap(value, BODY.size, CONTENT_WIDTH - KEY_COLUMN);
                for i in 0..keys.len().max(values.len()) {
                    let key = keys.get(i).cloned().unwrap_or_default();
                    let value = values.get(i).cloned().unwrap_or_default();
                    layout.text_row(BODY, 0.0, &[(MARGIN, key), (MARGIN + KEY_COLUMN, value)]);
                }
            }
            PdfLine::Rule => layout.rule(),
        }
    }
    layout.finish()
}

struct Layout {
    pages: Vec<Vec<Mark>>,
    current: Vec<Mark>,
    /// The top of the next row.
    cursor: f32,
}

impl Layout {
    /// Makes room for a row of `height`, starting a new page when this one is full. Space
    /// before a row is dropped at the top of a page, where it would only shift the content.
    fn make_room(&mut self, space_before: f32, height: f32) {
        let space = if self.current.is_empty() {
            0.0
        } else {
            space_before
        };
        if self.cursor - space - height < BOTTOM && !self.current.is_empty() {
            self.pages.push(std::mem::take(&mut self.current));
            self.cursor = TOP;
        } else {
            self.cursor -= space;
        }
    }

    fn text_row(&mut self, style: Style, space_before: f32, cells: &[(f32, String)]) {
        self.make_room(space_before, style.leading);
        let y = self.cursor - style.size;
        for (x, text) in cells {
            if !text.is_empty() {
                self.current.push(Mark::Text {
                    x: *x,
                    y,
                    size: style.size,
                    text: text.clone(),
                });
            }
        }
        // A blank row still marks the page as started, so the space it takes is kept.
        if cells.iter().all(|(_, text)| text.is_empty()) {
            self.current.push(Mark::Text {
                x: MARGIN,
                y,
                size: style.size,
                text: String::new(),
            });
        }
        self.cursor -= style.leading;
    }

    fn rule(&mut self) {
        self.make_room(0.0, RULE_HEIGHT);
        self.current.push(Mark::Rule {
            y: self.cursor - RULE_HEIGHT / 2.0,
        });
        self.cursor -= RULE_HEIGHT;
    }

    fn finish(mut self) -> Vec<Vec<Mark>> {
        if !self.current.is_empty() || self.pages.is_empty() {
            self.pages.push(self.current);
        }
        self.pages
    }
}

/// Breaks `text` into lines no wider than `width` points at `size`. Explicit line breaks are
/// kept; a Latin word that does not fit moves whole to the next line when the line has an
/// earlier space, and everything else breaks between any two characters, as Chinese text does.
pub(super) fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.strip_suffix('\r').unwrap_or(paragraph);
        let mut line = String::new();
        let mut line_width = 0.0;
        // Byte index in `line` just after its last space.
        let mut after_space: Option<usize> = None;
        for c in paragraph.chars().map(font::printable) {
            let advance = f32::from(font::advance(c)) * size / 1000.0;
            if line_width + advance > width && !line.is_empty() {
                // Only a Latin word (a run of printable ASCII) is moved whole to the next line.
                let in_word =
                    c.is_ascii_graphic() && line.ends_with(|p: char| p.is_ascii_graphic());
                let head_has_text = |i: usize| line.get(..i).is_some_and(|h| !h.trim().is_empty());
                match after_space.filter(|&i| in_word && head_has_text(i)) {
                    Some(i) => {
                        let rest = line.split_off(i);
                        lines.push(line.trim_end().to_owned());
                        line = rest;
                    }
                    None => lines.push(std::mem::take(&mut line)),
                }
                line_width = font::text_width(&line, size);
                after_space = None;
                if c == ' ' && line.is_empty() {
                    continue;
                }
            }
            line.push(c);
            line_width += advance;
            if c == ' ' {
                after_space = Some(line.len());
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_breaks_between_characters_and_latin_between_words() {
        // 10 pt characters are 10 pt wide: five fit in 50 pt.
        assert_eq!(wrap("一二三四五六七", 10.0, 50.0), ["一二三四五", "六七"]);
        let lines = wrap("pay the supplier invoice", 10.0, 60.0);
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with(' ') && !l.ends_with(' ')),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), "pay the supplier invoice");
        // Chinese after a space still fills the line instead of moving to the next one.
        assert_eq!(wrap("ab 一二三四五六", 10.0, 50.0), ["ab 一二三", "四五六"]);
    }

    #[test]
    fn explicit_breaks_and_empty_text_are_kept() {
        assert_eq!(wrap("a\r\nb", 10.0, 100.0), ["a", "b"]);
        assert_eq!(wrap("", 10.0, 100.0), [""]);
    }

    #[test]
    fn an_empty_document_still_has_a_page() {
        assert_eq!(paginate(&[]).len(), 1);
    }

    #[test]
    fn long_documents_flow_onto_more_pages_and_stay_inside_the_margins() {
        let lines: Vec<_> = (0..120)
            .map(|i| PdfLine::Text(format!("第{i}行")))
            .collect();
        let pages = paginate(&lines);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for mark in pages.iter().flatten() {
            if let Mark::Text { y, .. } = mark {
                assert!(
                    *y >= BOTTOM && *y <= TOP,
                    "baseline {y} outside the margins"
                );
            }
        }
    }
}
