//! The archival code (档号): the unique, stable reference of an archived record.
//!
//! DA/T 94 8.7 writes it `[全宗号-]类别号-案卷号-件号`, with `·` joining the levels of the class
//! code, the year as 4 digits and volume and item numbers as 4 digits, zero-padded:
//! `Z001-PZ·2023·D30-0012-0057`. Each fonds may choose another pattern built from the same parts.
//! A pattern only ever writes codes it can parse back, so codes round-trip exactly.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::fonds::FondsCode;
use crate::period::FiscalYear;
use crate::retention::RetentionPeriod;

/// The parts an archival code is built from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArchivalCodeParts {
    /// 全宗号.
    pub fonds: FondsCode,
    /// The category level of the class code, e.g. `PZ`.
    pub category: String,
    /// The year level of the class code.
    pub year: FiscalYear,
    /// The retention level of the class code.
    pub retention: RetentionPeriod,
    /// 案卷号, from 1.
    pub volume: u32,
    /// 件号 (卷内序号), from 1.
    pub item: u32,
}

/// One piece of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Fonds,
    Category,
    Year,
    Retention,
    Volume { width: u8 },
    Item { width: u8 },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Token {
    Field(Field),
    Literal(String),
}

/// A way of writing archival codes, e.g. `{fonds}-{category}·{year}·{retention}-{volume:4}-{item:4}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArchivalCodePattern {
    source: String,
    tokens: Vec<Token>,
}

/// A pattern that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A `{…}` names no field.
    #[error(
        "unknown field `{{{0}}}` in archival-code pattern; use fonds, category, year, retention, \
         volume[:width] and item[:width]"
    )]
    UnknownField(String),
    /// A `{` without `}`.
    #[error("unclosed `{{` in archival-code pattern")]
    Unclosed,
    /// Two fields without a separator between them could not be told apart when parsing.
    #[error("fields `{0}` and `{1}` need a separator such as - or · between them")]
    AdjacentFields(String, String),
    /// A separator that begins or ends with a letter or digit would be confused with a field.
    #[error("separator `{0}` must begin and end with a character that is not a letter or digit")]
    AlphanumericSeparator(String),
    /// A required field is missing or a field appears twice.
    #[error(
        "archival-code pattern must contain {{category}}, {{year}}, {{retention}} and {{item}} \
         exactly once, and {{fonds}} and {{volume}} at most once"
    )]
    FieldCount,
    /// A width that is not 1 to 9.
    #[error("width `{0}` must be a digit from 1 to 9")]
    Width(String),
}

/// A code that does not fit the pattern, or parts that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchivalCodeError {
    /// The text does not follow the pattern.
    #[error("`{code}` does not follow the archival-code pattern `{pattern}`: {reason}")]
    Mismatch {
        /// The text.
        code: String,
        /// The pattern.
        pattern: String,
        /// What was wrong.
        reason: String,
    },
    /// A number does not fit the pattern's width.
    #[error("{field} number {value} does not fit in {width} digits")]
    NumberTooWide {
        /// Which number.
        field: &'static str,
        /// The number.
        value: u32,
        /// The width.
        width: u8,
    },
    /// A category code that is not upper-case letters and digits.
    #[error("category code `{0}` must be upper-case letters or digits")]
    Category(String),
}

impl ArchivalCodePattern {
    /// DA/T 94 8.7 with the D.1 classification (form · year · retention).
    pub const DAT94: &'static str = "{fonds}-{category}·{year}·{retention}-{volume:4}-{item:4}";

    /// The DA/T 94 default.
    #[must_use]
    pub fn dat94() -> Self {
        Self::parse(Self::DAT94).unwrap_or_else(|_| unreachable!("the default pattern is valid"))
    }

    /// Reads a pattern.
    ///
    /// # Errors
    /// When the pattern names an unknown field, misses `{item}`, repeats a field, puts two fields
    /// side by side, or uses a separator with letters or digits.
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        let mut tokens = Vec::new();
        let mut rest = source;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let end = after.find('}').ok_or(PatternError::Unclosed)?;
                tokens.push(Token::Field(parse_field(&after[..end])?));
                rest = &after[end + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                tokens.push(Token::Literal(rest[..end].to_owned()));
                rest = &rest[end..];
            }
        }
        for (i, token) in tokens.iter().enumerate() {
            // A literal may hold a constant level such as `KJ`, but where it touches a field its
            // edge must be a separator, or the field would swallow it when the code is read back.
            if let Token::Literal(l) = token {
                let touches_field_before = i > 0;
                let touches_field_after = i + 1 < tokens.len();
                let edge_is_alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                if (touches_field_before && edge_is_alnum(l.chars().next()))
                    || (touches_field_after && edge_is_alnum(l.chars().last()))
                {
                    return Err(PatternError::AlphanumericSeparator(l.clone()));
                }
            }
        }
        for pair in tokens.windows(2) {
            if let [Token::Field(a), Token::Field(b)] = pair {
                return Err(PatternError::AdjacentFields(
                    a.name().into(),
                    b.name().into(),
                ));
            }
        }
        let count = |want: fn(&Field) -> bool| {
            tokens
                .iter()
                .filter(|t| matches!(t, Token::Field(f) if want(f)))
                .count()
        };
        let required = [
            count(|f| matches!(f, Field::Category)),
            count(|f| matches!(f, Field::Year)),
            count(|f| matches!(f, Field::Retention)),
            count(|f| matches!(f, Field::Item { .. })),
        ];
        let optional = [
            count(|f| matches!(f, Field::Fonds)),
            count(|f| matches!(f, Field::Volume { .. })),
        ];
        if required.iter().any(|n| *n != 1) || optional.iter().any(|n| *n > 1) {
            return Err(PatternError::FieldCount);
        }
        Ok(Self {
            source: source.to_owned(),
            tokens,
        })
    }

    /// The pattern as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Writes the code for `parts`.
    ///
    /// # Errors
    /// When a volume or item number does not fit the pattern's width, or the category code is
    /// not upper-case letters and digits.
    pub fn format(&self, parts: &ArchivalCodeParts) -> Result<ArchivalCode, ArchivalCodeError> {
        let code = self.format_with(parts, true)?;
        Ok(ArchivalCode {
            code,
            parts: parts.clone(),
        })
    }

    /// The numbering sequence a code belongs to: the code written without its item number. Items
    /// are numbered 1, 2, 3 … within one sequence, which is what keeps codes unique and gap-free.
    ///
    /// # Errors
    /// As [`ArchivalCodePattern::format`].
    pub fn sequence_key(&self, parts: &ArchivalCodeParts) -> Result<String, ArchivalCodeError> {
        self.format_with(parts, false)
    }

    fn format_with(
        &self,
        parts: &ArchivalCodeParts,
        with_item: bool,
    ) -> Result<String, ArchivalCodeError> {
        if parts.category.is_empty()
            || !parts
                .category
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(ArchivalCodeError::Category(parts.category.clone()));
        }
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(l) => out.push_str(l),
                Token::Field(Field::Fonds) => out.push_str(parts.fonds.as_str()),
                Token::Field(Field::Category) => out.push_str(&parts.category),
                Token::Field(Field::Year) => out.push_str(&parts.year.to_string()),
                Token::Field(Field::Retention) => out.push_str(&parts.retention.code()),
                Token::Field(Field::Volume { width }) => {
                    out.push_str(&padded("volume", parts.volume, *width)?);
                }
                Token::Field(Field::Item { width }) => {
                    if with_item {
                        out.push_str(&padded("item", parts.item, *width)?);
                    } else {
                        out.push('#');
                    }
                }
            }
        }
        Ok(out)
    }

    /// Reads a code written with this pattern in the fonds `fonds` (which supplies the fonds
    /// number when the pattern leaves it out).
    ///
    /// # Errors
    /// When the text does not follow the pattern exactly (including zero-padding), or names
    /// another fonds.
    pub fn parse_code(
        &self,
        fonds: &FondsCode,
        code: &str,
    ) -> Result<ArchivalCode, ArchivalCodeError> {
        let mismatch = |reason: String| ArchivalCodeError::Mismatch {
            code: code.chars().take(80).collect(),
            pattern: self.source.clone(),
            reason,
        };
        let mut rest = code;
        let mut category = None;
        let mut year = None;
        let mut retention = None;
        let mut volume = None;
        let mut item = None;
        for token in &self.tokens {
            match token {
                Token::Literal(l) => {
                    rest = rest
                        .strip_prefix(l.as_str())
                        .ok_or_else(|| mismatch(format!("expected `{l}` before `{rest}`")))?;
                }
                Token::Field(field) => {
                    let end = rest
                        .find(|c: char| !c.is_ascii_alphanumeric())
                        .unwrap_or(rest.len());
                    let (value, after) = rest.split_at(end);
                    rest = after;
                    let bad = |what: &str| mismatch(format!("`{value}` is not a valid {what}"));
                    match field {
                        Field::Fonds => {
                            if value != fonds.as_str() {
                                return Err(bad(&format!("fonds code in fonds {fonds}")));
                            }
                        }
                        Field::Category => {
                            if value.is_empty()
                                || !value
                                    .bytes()
                                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                            {
                                return Err(bad("category code"));
                            }
                            category = Some(value.to_owned());
                        }
                        Field::Year => {
                            year = Some(
                                (value.len() == 4)
                                    .then(|| value.parse::<i64>().ok())
                                    .flatten()
                                    .and_then(|y| FiscalYear::new(y).ok())
                                    .ok_or_else(|| bad("4-digit year"))?,
                            );
                        }
                        Field::Retention => {
                            retention = Some(value.parse().map_err(|_| bad("retention code"))?);
                        }
                        Field::Volume { width } => {
                            volume =
                                Some(unpadded(value, *width).ok_or_else(|| bad("volume number"))?);
                        }
                        Field::Item { width } => {
                            item = Some(unpadded(value, *width).ok_or_else(|| bad("item number"))?);
                        }
                    }
                }
            }
        }
        if !rest.is_empty() {
            return Err(mismatch(format!("unexpected `{rest}` at the end")));
        }
        let missing = |what: &str| {
            mismatch(format!(
                "the pattern has no {what}, so this code cannot be read back"
            ))
        };
        let parts = ArchivalCodeParts {
            fonds: fonds.clone(),
            category: category.ok_or_else(|| missing("category"))?,
            year: year.ok_or_else(|| missing("year"))?,
            retention: retention.ok_or_else(|| missing("retention"))?,
            volume: volume.unwrap_or(1),
            item: item.ok_or_else(|| missing("item"))?,
        };
        let written = self.format(&parts)?;
        if written.as_str() != code {
            return Err(mismatch(format!("it would be written `{written}`")));
        }
        Ok(written)
    }
}

impl Default for ArchivalCodePattern {
    fn default() -> Self {
        Self::dat94()
    }
}

impl FromStr for ArchivalCodePattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for ArchivalCodePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Self::Fonds => "fonds",
            Self::Category => "category",
            Self::Year => "year",
            Self::Retention => "retention",
            Self::Volume { .. } => "volume",
            Self::Item { .. } => "item",
        }
    }
}

fn parse_field(spec: &str) -> Result<Field, PatternError> {
    let (name, width) = match spec.split_once(':') {
        Some((name, w)) => {
            let width = match w.as_bytes() {
                [d @ b'1'..=b'9'] => d - b'0',
                _ => return Err(PatternError::Width(w.to_owned())),
            };
            (name, Some(width))
        }
        None => (spec, None),
    };
    match (name, width) {
        ("fonds", None) => Ok(Field::Fonds),
        ("category", None) => Ok(Field::Category),
        ("year", None) => Ok(Field::Year),
        ("retention", None) => Ok(Field::Retention),
        ("volume", w) => Ok(Field::Volume {
            width: w.unwrap_or(4),
        }),
        ("item", w) => Ok(Field::Item {
            width: w.unwrap_or(4),
        }),
        _ => Err(PatternError::UnknownField(spec.to_owned())),
    }
}

fn padded(field: &'static str, value: u32, width: u8) -> Result<String, ArchivalCodeError> {
    let text = format!("{value:0width$}", width = usize::from(width));
    if value == 0 || text.len() > usize::from(width) {
        return Err(ArchivalCodeError::NumberTooWide {
            field,
            value,
            width,
        });
    }
    Ok(text)
}

fn unpadded(text: &str, width: u8) -> Option<u32> {
    (text.len() == usize::from(width) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|n| *n > 0)
}

/// An archival code, as written, with the parts it was written from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArchivalCode {
    code: String,
    parts: ArchivalCodeParts,
}

impl ArchivalCode {
    /// The code as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The parts.
    #[must_use]
    pub fn parts(&self) -> &ArchivalCodeParts {
        &self.parts
    }
}

impl fmt::Display for ArchivalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl Serialize for ArchivalCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(volume: u32, item: u32) -> ArchivalCodeParts {
        ArchivalCodeParts {
            fonds: "Z001".parse().expect("fonds"),
            category: "PZ".to_owned(),
            year: FiscalYear::new(2023).expect("year"),
            retention: RetentionPeriod::Years(30),
            volume,
            item,
        }
    }

    #[test]
    fn the_default_writes_the_dat94_example() {
        let code = ArchivalCodePattern::dat94()
            .format(&parts(12, 57))
            .expect("formats");
        assert_eq!(code.as_str(), "Z001-PZ·2023·D30-0012-0057");
    }

    #[test]
    fn every_code_a_pattern_writes_parses_back_to_the_same_parts() {
        let patterns = [
            ArchivalCodePattern::DAT94,
            "{category}·{year}·{retention}-{volume}-{item}",
            "{fonds}-KJ·{category}·{year}·{retention}-{item:5}",
            "{year}/{fonds}/{retention}/{category}/{volume:3}.{item:6}",
        ];
        let retentions = [
            RetentionPeriod::Permanent,
            RetentionPeriod::Years(10),
            RetentionPeriod::YearsAfterScrapping(5),
        ];
        for source in patterns {
            let pattern = ArchivalCodePattern::parse(source).expect(source);
            for retention in retentions {
                for (volume, item) in [(1, 1), (12, 57), (999, 999)] {
                    let mut p = parts(volume, item);
                    p.retention = retention;
                    if !source.contains("{volume") {
                        p.volume = 1;
                    }
                    let code = pattern.format(&p).expect("formats");
                    let back = pattern.parse_code(&p.fonds, code.as_str()).expect("parses");
                    assert_eq!(back, code, "{source}");
                    assert_eq!(back.parts(), &p, "{source}");
                }
            }
        }
    }

    #[test]
    fn codes_that_do_not_follow_the_pattern_are_refused() {
        let pattern = ArchivalCodePattern::dat94();
        for bad in [
            "Z001-PZ·2023·D30-12-0057",
            "Z001-PZ·2023·D30-0012-0057-",
            "Z001-PZ-2023·D30-0012-0057",
            "z001-PZ·2023·D30-0012-0057",
            "Z001-PZ·23·D30-0012-0057",
            "Z001-PZ·2023·X30-0012-0057",
            "Z001-PZ·2023·D30-0012-0000",
            "Z002-PZ·2023·D30-0012-0057",
        ] {
            assert!(
                pattern.parse_code(&parts(1, 1).fonds, bad).is_err(),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn numbers_that_do_not_fit_are_refused_rather_than_widened() {
        let pattern = ArchivalCodePattern::dat94();
        assert!(matches!(
            pattern.format(&parts(1, 10_000)),
            Err(ArchivalCodeError::NumberTooWide { field: "item", .. })
        ));
    }

    #[test]
    fn the_sequence_key_is_the_code_without_its_item_number() {
        let pattern = ArchivalCodePattern::dat94();
        let key = pattern.sequence_key(&parts(12, 57)).expect("key");
        assert_eq!(key, "Z001-PZ·2023·D30-0012-#");
        assert_eq!(pattern.sequence_key(&parts(12, 1)), Ok(key));
    }

    #[test]
    fn unusable_patterns_are_refused() {
        for bad in [
            "{fonds}{category}-{item}",
            "{fonds}-{category}",
            "{fonds}-{item}-{item}",
            "{fonds}-{colour}-{item}",
            "{fonds}-{item:0}",
            "{category}·{year}-{item}",
            "{fonds}-{category}·{year}·{retention}-{item}X",
            "{category}·{year}·{retention}X{item}",
            "{fonds}-{item",
        ] {
            assert!(
                ArchivalCodePattern::parse(bad).is_err(),
                "{bad} was accepted"
            );
        }
    }
}
