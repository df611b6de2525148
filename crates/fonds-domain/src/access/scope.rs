//! Data scope: which records a grant reaches — fonds, department subtrees, record kinds, a range
//! of fiscal years and the highest secrecy level. A caller's reach is the union of the scopes of
//! the grants that carry the permission in question ([`RecordScope`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::department::DepartmentRef;
use super::secrecy::SecrecyLevel;
use crate::fonds::FondsCode;
use crate::kind::RecordKind;
use crate::period::FiscalYear;

/// Every value, or only some.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection<T: Ord> {
    /// No restriction.
    All,
    /// Only these (never empty: see [`Selection::only`]).
    Only(BTreeSet<T>),
}

impl<T: Ord> Selection<T> {
    /// Only `items`; no items at all means no restriction, so an empty list can never silently
    /// select nothing (or everything by accident of a later edit).
    #[must_use]
    pub fn only(items: impl IntoIterator<Item = T>) -> Self {
        let set: BTreeSet<T> = items.into_iter().collect();
        if set.is_empty() {
            Self::All
        } else {
            Self::Only(set)
        }
    }

    /// Whether `item` is selected.
    #[must_use]
    pub fn contains(&self, item: &T) -> bool {
        match self {
            Self::All => true,
            Self::Only(set) => set.contains(item),
        }
    }

    /// The selected values, or `None` for all.
    #[must_use]
    pub fn listed(&self) -> Option<&BTreeSet<T>> {
        match self {
            Self::All => None,
            Self::Only(set) => Some(set),
        }
    }
}

/// An inclusive range of fiscal years, first ≤ last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "(FiscalYear, FiscalYear)",
    into = "(FiscalYear, FiscalYear)"
)]
pub struct YearRange {
    first: FiscalYear,
    last: FiscalYear,
}

/// A range whose first year is after its last.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the fiscal-year range {0}–{1} ends before it starts")]
pub struct YearRangeError(pub u16, pub u16);

impl YearRange {
    /// The years `first` to `last`, both included.
    ///
    /// # Errors
    /// When `first` is after `last`.
    pub fn new(first: FiscalYear, last: FiscalYear) -> Result<Self, YearRangeError> {
        if first <= last {
            Ok(Self { first, last })
        } else {
            Err(YearRangeError(first.get(), last.get()))
        }
    }

    /// The first year.
    #[must_use]
    pub fn first(self) -> FiscalYear {
        self.first
    }

    /// The last year.
    #[must_use]
    pub fn last(self) -> FiscalYear {
        self.last
    }

    /// Whether `year` is in the range.
    #[must_use]
    pub fn contains(self, year: FiscalYear) -> bool {
        (self.first..=self.last).contains(&year)
    }
}

impl TryFrom<(FiscalYear, FiscalYear)> for YearRange {
    type Error = YearRangeError;

    fn try_from((first, last): (FiscalYear, FiscalYear)) -> Result<Self, Self::Error> {
        Self::new(first, last)
    }
}

impl From<YearRange> for (FiscalYear, FiscalYear) {
    fn from(range: YearRange) -> Self {
        (range.first, range.last)
    }
}

/// The records one grant (or token) reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataScope {
    /// The fonds.
    pub fonds: Selection<FondsCode>,
    /// The department subtrees (a department and every department below it). Records that
    /// belong to no department are reached only when this is [`Selection::All`].
    pub departments: Selection<DepartmentRef>,
    /// The record kinds.
    pub kinds: Selection<RecordKind>,
    /// The fiscal years, or all.
    pub fiscal_years: Option<YearRange>,
    /// The most secret level reached.
    pub highest_secrecy: SecrecyLevel,
}

impl DataScope {
    /// Every record, up to the most secret level.
    #[must_use]
    pub fn everything() -> Self {
        Self {
            fonds: Selection::All,
            departments: Selection::All,
            kinds: Selection::All,
            fiscal_years: None,
            highest_secrecy: SecrecyLevel::Secret,
        }
    }

    /// Whether the scope is [`DataScope::everything`].
    #[must_use]
    pub fn is_everything(&self) -> bool {
        *self == Self::everything()
    }
}

/// What the scope rules look at in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFacts<'a> {
    /// Its fonds.
    pub fonds: &'a FondsCode,
    /// The departments from its own up to the root of its fonds' tree, or none.
    pub department_path: &'a [DepartmentRef],
    /// Its kind.
    pub kind: RecordKind,
    /// Its fiscal year.
    pub fiscal_year: FiscalYear,
    /// Its secrecy level.
    pub secrecy: SecrecyLevel,
}

impl DataScope {
    /// Whether the scope reaches a record. The store applies the same rule inside its queries;
    /// this is its definition, and the tests of both hold them together.
    #[must_use]
    pub fn covers(&self, record: &RecordFacts<'_>) -> bool {
        let department = match &self.departments {
            Selection::All => true,
            Selection::Only(roots) => record.department_path.iter().any(|d| roots.contains(d)),
        };
        self.fonds.contains(record.fonds)
            && department
            && self.kinds.contains(&record.kind)
            && self
                .fiscal_years
                .is_none_or(|years| years.contains(record.fiscal_year))
            && record.secrecy <= self.highest_secrecy
    }
}

/// The records a caller reaches for one permission: the union of some data scopes. No scope
/// reaches nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordScope(Vec<DataScope>);

impl RecordScope {
    /// Every record.
    #[must_use]
    pub fn everything() -> Self {
        Self(vec![DataScope::everything()])
    }

    /// No record.
    #[must_use]
    pub fn nothing() -> Self {
        Self(Vec::new())
    }

    /// The union of `scopes`.
    #[must_use]
    pub fn any_of(scopes: impl IntoIterator<Item = DataScope>) -> Self {
        let scopes: Vec<DataScope> = scopes.into_iter().collect();
        if scopes.iter().any(DataScope::is_everything) {
            Self::everything()
        } else {
            Self(scopes)
        }
    }

    /// The scopes whose union this is (none for nothing).
    #[must_use]
    pub fn scopes(&self) -> &[DataScope] {
        &self.0
    }

    /// Whether it reaches every record.
    #[must_use]
    pub fn is_everything(&self) -> bool {
        self.0.iter().any(DataScope::is_everything)
    }

    /// Whether it reaches a record.
    #[must_use]
    pub fn covers(&self, record: &RecordFacts<'_>) -> bool {
        self.0.iter().any(|s| s.covers(record))
    }

    /// Whether it reaches anything in `fonds` (for what belongs to a fonds as a whole).
    #[must_use]
    pub fn reaches_fonds(&self, fonds: &FondsCode) -> bool {
        self.0.iter().any(|s| s.fonds.contains(fonds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(y: i64) -> FiscalYear {
        FiscalYear::new(y).unwrap_or_else(|e| panic!("{e}"))
    }

    fn fonds(code: &str) -> FondsCode {
        code.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn dept(text: &str) -> DepartmentRef {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_scope_checks_every_axis() {
        let z001 = fonds("Z001");
        let path = [dept("Z001/FIN-AP"), dept("Z001/FIN")];
        let record = RecordFacts {
            fonds: &z001,
            department_path: &path,
            kind: RecordKind::AccountingVoucher,
            fiscal_year: year(2023),
            secrecy: SecrecyLevel::Internal,
        };
        let mut scope = DataScope {
            fonds: Selection::only([fonds("Z001")]),
            departments: Selection::only([dept("Z001/FIN")]),
            kinds: Selection::only([RecordKind::AccountingVoucher]),
            fiscal_years: Some(
                YearRange::new(year(2020), year(2023)).unwrap_or_else(|e| panic!("{e}")),
            ),
            highest_secrecy: SecrecyLevel::Internal,
        };
        assert!(scope.covers(&record), "a record in a subtree of FIN");
        scope.highest_secrecy = SecrecyLevel::Public;
        assert!(!scope.covers(&record), "too secret");
        scope.highest_secrecy = SecrecyLevel::Secret;
        scope.fiscal_years =
            Some(YearRange::new(year(2024), year(2025)).unwrap_or_else(|e| panic!("{e}")));
        assert!(!scope.covers(&record), "another year");
        scope.fiscal_years = None;
        scope.departments = Selection::only([dept("Z001/HR")]);
        assert!(!scope.covers(&record), "another department");
        scope.departments = Selection::All;
        scope.fonds = Selection::only([fonds("Z002")]);
        assert!(!scope.covers(&record), "another fonds");
    }

    #[test]
    fn a_department_scope_never_reaches_records_of_no_department() {
        let z001 = fonds("Z001");
        let record = RecordFacts {
            fonds: &z001,
            department_path: &[],
            kind: RecordKind::AccountingVoucher,
            fiscal_year: year(2023),
            secrecy: SecrecyLevel::Public,
        };
        let scope = DataScope {
            departments: Selection::only([dept("Z001/FIN")]),
            ..DataScope::everything()
        };
        assert!(!scope.covers(&record));
        assert!(DataScope::everything().covers(&record));
    }

    #[test]
    fn a_union_reaches_what_any_of_its_scopes_reaches_and_none_reaches_nothing() {
        let z002 = fonds("Z002");
        let record = RecordFacts {
            fonds: &z002,
            department_path: &[],
            kind: RecordKind::GeneralLedger,
            fiscal_year: year(2023),
            secrecy: SecrecyLevel::Public,
        };
        let only = |code: &str| DataScope {
            fonds: Selection::only([fonds(code)]),
            ..DataScope::everything()
        };
        assert!(RecordScope::any_of([only("Z001"), only("Z002")]).covers(&record));
        assert!(!RecordScope::any_of([only("Z001")]).covers(&record));
        assert!(!RecordScope::nothing().covers(&record));
        assert!(RecordScope::any_of([only("Z001"), DataScope::everything()]).is_everything());
    }

    #[test]
    fn an_empty_list_selects_everything_and_a_backwards_range_is_refused() {
        assert_eq!(Selection::<RecordKind>::only([]), Selection::All);
        assert!(YearRange::new(year(2024), year(2020)).is_err());
    }

    #[test]
    fn a_scope_survives_json() {
        let scope = DataScope {
            fonds: Selection::only([fonds("Z001")]),
            departments: Selection::only([dept("Z001/FIN")]),
            kinds: Selection::All,
            fiscal_years: Some(
                YearRange::new(year(2020), year(2021)).unwrap_or_else(|e| panic!("{e}")),
            ),
            highest_secrecy: SecrecyLevel::Confidential,
        };
        let json = serde_json::to_string(&scope).unwrap_or_else(|e| panic!("{e}"));
        let back: DataScope = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, scope);
    }
}
