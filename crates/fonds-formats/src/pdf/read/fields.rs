//! Finding labelled values in an extracted text layer: `发票号码：2444…`, `开票日期：2024年03月05日`,
//! amounts such as `¥1,166.00` and dates.
//!
//! Extracted text keeps the reading order of the content stream only roughly: a label and its
//! value may share a line or the value may follow on the next line, and two columns may share
//! one line (`名称：甲公司 名称：乙公司`). The rules here take the rest of the label's line up to
//! the next label, or else the next line when that does not look like a label itself.

use fonds_domain::Money;
use time::{Date, Month};

/// The text of all pages, searchable by label.
#[derive(Debug, Clone)]
pub(super) struct TextFields {
    text: String,
}

/// One occurrence of a label and the value that follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Labelled<'t> {
    /// Byte offset of the label in the text.
    pub at: usize,
    /// The value, trimmed; empty when none follows.
    pub value: &'t str,
}

impl TextFields {
    /// Joins the pages' text, one page after another.
    pub(super) fn new(pages: &[String]) -> Self {
        Self {
            text: pages.join("\n"),
        }
    }

    /// The whole text.
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// Every occurrence of `label` followed by a colon (`:` or `：`, spaces allowed before it),
    /// with its value, in text order.
    pub(super) fn labelled(&self, label: &str) -> Vec<Labelled<'_>> {
        self.text
            .match_indices(label)
            .filter_map(|(at, _)| {
                let after = self.text.get(at + label.len()..)?;
                let after = after.trim_start_matches([' ', '\t', '\u{3000}']);
                let rest = after
                    .strip_prefix(':')
                    .or_else(|| after.strip_prefix('：'))?;
                Some(Labelled {
                    at,
                    value: value_of(rest),
                })
            })
            .collect()
    }
}

/// How far after a label its value is looked for, in characters. Values are names, numbers,
/// dates and amounts; the bound keeps a hostile text with many labels on one long line linear.
const VALUE_WINDOW: usize = 200;

/// The value at the start of `rest` (the text after a label's colon): the rest of the line up to
/// the next label, or the next non-blank line if this one has nothing and that one is no label.
fn value_of(rest: &str) -> &str {
    let window = prefix(rest, VALUE_WINDOW);
    let (line, _) = window.split_once('\n').unwrap_or((window, ""));
    let value = cut_at_next_label(line).trim();
    // A line with a value, or with only the next label, gives its value, even an empty one.
    if !value.is_empty() || !line.trim().is_empty() {
        return value;
    }
    let following = rest.get(line.len() + 1..).unwrap_or("");
    let next = prefix(following, 2 * VALUE_WINDOW)
        .lines()
        .take(3)
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if next.contains([':', '：']) {
        ""
    } else {
        next
    }
}

/// The first `chars` characters of `text`.
fn prefix(text: &str, chars: usize) -> &str {
    text.char_indices()
        .nth(chars)
        .map_or(text, |(end, _)| &text[..end])
}

/// `line` up to a following label: whitespace, then a word that ends in a colon.
fn cut_at_next_label(line: &str) -> &str {
    let mut word_start = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            word_start = None;
        } else if c == ':' || c == '：' {
            if let Some(start) = word_start {
                return line.get(..start).unwrap_or(line);
            }
        } else if word_start.is_none() && i > 0 && line[..i].ends_with(char::is_whitespace) {
            word_start = Some(i);
        }
    }
    line
}

/// The run of ASCII digits `value` starts with.
pub(super) fn leading_digits(value: &str) -> &str {
    let end = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    &value[..end]
}

/// The amounts in `text`, in order: numbers with exactly two decimals, optionally with a
/// currency sign (`¥` or `￥`), thousands separators and a minus sign before or after the
/// currency sign, e.g. `¥1,166.00`, `-¥12.50`, `¥-12.50`, `0.06`.
pub(super) fn amounts(text: &str) -> Vec<Money> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let mut negative = false;
        let mut j = i;
        // Sign and currency sign, in either order.
        for _ in 0..2 {
            match chars.get(j) {
                Some('-' | '－') => {
                    negative = true;
                    j += 1;
                }
                Some('¥' | '￥') => j += 1,
                _ => {}
            }
        }
        let preceded_by_digit = start > 0 && chars[start - 1].is_ascii_digit();
        let mut digits = String::new();
        while let Some(c) = chars.get(j) {
            match c {
                '0'..='9' => digits.push(*c),
                ',' if chars.get(j + 1).is_some_and(char::is_ascii_digit) => {}
                _ => break,
            }
            j += 1;
        }
        let fraction = chars
            .get(j + 1..j + 3)
            .filter(|f| f.iter().all(char::is_ascii_digit));
        let is_amount = !digits.is_empty()
            && !preceded_by_digit
            && chars.get(j) == Some(&'.')
            && fraction.is_some()
            && !chars.get(j + 3).is_some_and(char::is_ascii_digit);
        if let (true, Some(fraction)) = (is_amount, fraction) {
            let sign = if negative { "-" } else { "" };
            let fraction: String = fraction.iter().collect();
            if let Ok(money) = format!("{sign}{digits}.{fraction}").parse::<Money>() {
                found.push(money);
            }
            i = j + 3;
        } else {
            // No amount starts inside the run just scanned: each later start there follows a
            // digit or a separator. Skipping it keeps a long run of digits linear.
            i = j.max(start + 1);
        }
    }
    found
}

/// A date written `2024年03月05日` (or `2024年3月5日`) or `2024-03-05`, at the start of `value`;
/// anything after it, such as a time, is ignored.
pub(super) fn date(value: &str) -> Option<Date> {
    let mut parts = [0u16; 3];
    let mut rest = value.trim_start();
    for (i, part) in parts.iter_mut().enumerate() {
        let digits = leading_digits(rest);
        if digits.is_empty() || digits.len() > 4 {
            return None;
        }
        *part = digits.parse().ok()?;
        rest = &rest[digits.len()..];
        let separators: &[&str] = match i {
            0 => &["年", "-", "/"],
            1 => &["月", "-", "/"],
            _ => &["日", ""],
        };
        rest = separators.iter().find_map(|s| rest.strip_prefix(s))?;
    }
    let [year, month, day] = parts;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn fields(text: &str) -> TextFields {
        TextFields::new(&[text.to_owned()])
    }

    #[test]
    fn a_value_is_the_rest_of_the_line_up_to_the_next_label() {
        let text = fields("名称：甲公司 名称：乙 公司\n纳税人识别号 : 9111\n");
        let names: Vec<_> = text.labelled("名称").iter().map(|l| l.value).collect();
        assert_eq!(names, ["甲公司", "乙 公司"]);
        assert_eq!(text.labelled("纳税人识别号")[0].value, "9111");
    }

    #[test]
    fn a_value_may_follow_on_the_next_line_unless_that_is_a_label() {
        let text = fields("发票号码：\n 24442000000123456789\n名称：\n纳税人识别号：91\n");
        assert_eq!(text.labelled("发票号码")[0].value, "24442000000123456789");
        assert_eq!(text.labelled("名称")[0].value, "");
        let text = fields("名称： 开票人：张三\n甲公司\n");
        assert_eq!(
            text.labelled("名称")[0].value,
            "",
            "the next label is on the line"
        );
        assert!(text.labelled("项目").is_empty(), "a label needs its colon");
    }

    #[test]
    fn amounts_take_signs_currency_and_separators() {
        let found =
            amounts("合 计 ¥1,100.00 ¥66.00 -¥5.50 ￥-0.06 数量 2 单价 12.345 税号 9111.00X");
        let fen: Vec<i64> = found.iter().map(|m| m.fen()).collect();
        assert_eq!(fen, [110_000, 6600, -550, -6, 911_100]);
    }

    #[test]
    fn dates_in_chinese_and_iso_form() {
        assert_eq!(date("2024年03月05日"), Some(date!(2024 - 03 - 05)));
        assert_eq!(date("2024年3月5日 09:30"), Some(date!(2024 - 03 - 05)));
        assert_eq!(date("2024-03-05 09:30:00"), Some(date!(2024 - 03 - 05)));
        assert_eq!(date("2024年13月05日"), None);
        assert_eq!(date("2024年"), None);
    }
}
