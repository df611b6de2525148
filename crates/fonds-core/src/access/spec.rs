//! A data scope and an expiry as people write them (command-line options, JSON fields), turned
//! into fonds-domain's types with every problem reported at once.

use fonds_domain::FiscalYear;
use fonds_domain::access::{DataScope, SecrecyLevel, Selection, YearRange};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{CoreError, ErrorCode, FieldError};

/// A data scope as written: lists of codes (empty means all), a year range and a level.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSpec {
    /// Fonds codes.
    #[serde(default)]
    pub fonds: Vec<String>,
    /// Department subtrees as `FONDS/CODE`.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Record kinds (codes or Chinese names).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// `FIRST-LAST` or one year.
    #[serde(default)]
    pub years: Option<String>,
    /// The most secret level reached (code or Chinese name).
    #[serde(default)]
    pub secrecy: Option<String>,
}

fn problem(pointer: &str, detail: String) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        code: ErrorCode::RequestInvalid.as_str().to_owned(),
        detail,
    }
}

fn list<T: Ord, E: std::fmt::Display>(
    items: &[String],
    pointer: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    errors: &mut Vec<FieldError>,
) -> Selection<T> {
    let mut parsed = Vec::with_capacity(items.len());
    for item in items {
        match parse(item.trim()) {
            Ok(value) => parsed.push(value),
            Err(e) => errors.push(problem(pointer, e.to_string())),
        }
    }
    Selection::only(parsed)
}

fn years(text: &str) -> Result<YearRange, String> {
    let year = |s: &str| -> Result<FiscalYear, String> {
        let n: i64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a year"))?;
        FiscalYear::new(n).map_err(|e| e.to_string())
    };
    let (first, last) = match text.split_once('-') {
        Some((first, last)) => (year(first)?, year(last)?),
        None => (year(text)?, year(text)?),
    };
    YearRange::new(first, last).map_err(|e| e.to_string())
}

impl ScopeSpec {
    /// The scope, with `default_secrecy` when no level is written.
    ///
    /// # Errors
    /// `request_invalid` with a field error for each value that does not parse.
    pub fn parse(
        &self,
        pointer: &str,
        default_secrecy: SecrecyLevel,
    ) -> Result<DataScope, CoreError> {
        let mut errors = Vec::new();
        let scope = DataScope {
            fonds: list(
                &self.fonds,
                &format!("{pointer}/fonds"),
                str::parse,
                &mut errors,
            ),
            departments: list(
                &self.departments,
                &format!("{pointer}/departments"),
                str::parse,
                &mut errors,
            ),
            kinds: list(
                &self.kinds,
                &format!("{pointer}/kinds"),
                str::parse,
                &mut errors,
            ),
            fiscal_years: match self.years.as_deref() {
                None => None,
                Some(text) => years(text)
                    .map_err(|e| errors.push(problem(&format!("{pointer}/years"), e)))
                    .ok(),
            },
            highest_secrecy: match self.secrecy.as_deref() {
                None => default_secrecy,
                Some(text) => text
                    .trim()
                    .parse()
                    .map_err(|e: fonds_domain::access::UnknownSecrecyLevel| {
                        errors.push(problem(&format!("{pointer}/secrecy"), e.to_string()));
                    })
                    .unwrap_or(default_secrecy),
            },
        };
        if errors.is_empty() {
            Ok(scope)
        } else {
            Err(CoreError::fields(errors))
        }
    }
}

/// An expiry as written: a date (the grant stops at 00:00 UTC of that day) or an RFC 3339 time.
///
/// # Errors
/// `request_invalid` naming `pointer` when it is neither.
pub fn parse_expiry(text: &str, pointer: &str) -> Result<OffsetDateTime, CoreError> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map(|date| date.midnight().assume_utc())
        .map_err(|_| {
            CoreError::fields(vec![problem(
                pointer,
                format!("`{text}` is neither a date (YYYY-MM-DD) nor an RFC 3339 time"),
            )])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_scope_parses_and_every_bad_value_is_named() {
        let spec = ScopeSpec {
            fonds: vec!["Z001".into()],
            departments: vec!["Z001/FIN".into()],
            kinds: vec!["记账凭证".into()],
            years: Some("2020-2023".into()),
            secrecy: Some("秘密".into()),
        };
        let scope = spec
            .parse("/scope", SecrecyLevel::Internal)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(scope.highest_secrecy, SecrecyLevel::Confidential);
        assert!(scope.fiscal_years.is_some());
        let bad = ScopeSpec {
            fonds: vec!["z1".into()],
            years: Some("2024-2020".into()),
            secrecy: Some("绝密".into()),
            ..ScopeSpec::default()
        };
        let error = bad
            .parse("/scope", SecrecyLevel::Internal)
            .err()
            .unwrap_or_else(|| panic!("a bad scope parsed"));
        let pointers: Vec<_> = error.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/scope/fonds", "/scope/years", "/scope/secrecy"]);
    }

    #[test]
    fn an_expiry_is_a_date_at_midnight_utc_or_a_time() {
        let at = parse_expiry("2027-01-31", "/expires").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(at.to_string(), "2027-01-31 0:00:00.0 +00:00:00");
        assert!(parse_expiry("2027-01-31T08:00:00+08:00", "/expires").is_ok());
        assert!(parse_expiry("next week", "/expires").is_err());
    }
}
