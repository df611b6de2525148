//! The record lifecycle (DA/T 94 §5: 形成 → 收集 → 整理 → 归档 → 保管 → 利用 → 鉴定 → 处置) as the
//! states a record held by Fonds can be in, and the only moves between them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a record stands in its life in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleState {
    /// 收集: received from a source system, checked, not yet archived.
    Collected,
    /// 整理: arranged into items and volumes by the accounting department.
    Arranged,
    /// 归档 / 保管: archived under an archival code and frozen.
    Archived,
    /// 鉴定: under appraisal after its retention period has run.
    UnderAppraisal,
    /// 销毁: destroyed; the metadata stays for ever (DA/T 94 §13).
    Destroyed,
    /// 移交: handed over to another custodian (e.g. the state archives).
    TransferredOut,
}

/// A move the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The move is never legal.
    #[error("a record that is {from} cannot become {to}")]
    Illegal {
        /// Where the record is.
        from: LifecycleState,
        /// Where it was asked to go.
        to: LifecycleState,
    },
    /// The move is legal but the workflow that makes it has not been built.
    #[error("moving a record from {from} to {to} needs a workflow Fonds does not offer yet")]
    NotAvailable {
        /// Where the record is.
        from: LifecycleState,
        /// Where it was asked to go.
        to: LifecycleState,
    },
}

/// A string that names no state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a lifecycle state")]
pub struct UnknownLifecycleState(pub String);

impl LifecycleState {
    /// Every state.
    pub const ALL: [Self; 6] = [
        Self::Collected,
        Self::Arranged,
        Self::Archived,
        Self::UnderAppraisal,
        Self::Destroyed,
        Self::TransferredOut,
    ];

    /// The moves the lifecycle allows.
    const LEGAL: [(Self, Self); 8] = [
        (Self::Collected, Self::Arranged),
        (Self::Collected, Self::Archived),
        (Self::Arranged, Self::Collected),
        (Self::Arranged, Self::Archived),
        (Self::Archived, Self::UnderAppraisal),
        (Self::Archived, Self::TransferredOut),
        (Self::UnderAppraisal, Self::Archived),
        (Self::UnderAppraisal, Self::Destroyed),
    ];

    /// The moves that have a workflow today: archiving straight from collection.
    const AVAILABLE: [(Self, Self); 1] = [(Self::Collected, Self::Archived)];

    /// Checks a move.
    ///
    /// # Errors
    /// [`TransitionError::Illegal`] for a move the lifecycle forbids,
    /// [`TransitionError::NotAvailable`] for a legal move whose workflow does not exist yet.
    pub fn transition(self, to: Self) -> Result<Self, TransitionError> {
        if !Self::LEGAL.contains(&(self, to)) {
            return Err(TransitionError::Illegal { from: self, to });
        }
        if !Self::AVAILABLE.contains(&(self, to)) {
            return Err(TransitionError::NotAvailable { from: self, to });
        }
        Ok(to)
    }

    /// Whether records in this state are frozen: files never change, metadata changes are new
    /// versions.
    #[must_use]
    pub const fn is_frozen(self) -> bool {
        !matches!(self, Self::Collected | Self::Arranged)
    }

    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Collected => "collected",
            Self::Arranged => "arranged",
            Self::Archived => "archived",
            Self::UnderAppraisal => "under_appraisal",
            Self::Destroyed => "destroyed",
            Self::TransferredOut => "transferred_out",
        }
    }

    /// The Chinese name.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Collected => "已收集",
            Self::Arranged => "已整理",
            Self::Archived => "已归档",
            Self::UnderAppraisal => "鉴定中",
            Self::Destroyed => "已销毁",
            Self::TransferredOut => "已移交",
        }
    }
}

impl FromStr for LifecycleState {
    type Err = UnknownLifecycleState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownLifecycleState(s.chars().take(40).collect()))
    }
}

impl fmt::Display for LifecycleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleState as S;

    #[test]
    fn a_collected_record_can_be_archived() {
        assert_eq!(S::Collected.transition(S::Archived), Ok(S::Archived));
    }

    #[test]
    fn every_move_outside_the_lifecycle_is_refused_as_illegal() {
        for from in S::ALL {
            for to in S::ALL {
                let result = from.transition(to);
                if S::LEGAL.contains(&(from, to)) {
                    continue;
                }
                assert_eq!(
                    result,
                    Err(TransitionError::Illegal { from, to }),
                    "{from} → {to}"
                );
            }
        }
        // The ones an archivist would try first.
        assert!(S::Archived.transition(S::Collected).is_err());
        assert!(S::Collected.transition(S::Destroyed).is_err());
        assert!(S::Destroyed.transition(S::Archived).is_err());
    }

    #[test]
    fn legal_moves_without_a_workflow_are_refused_as_not_available() {
        assert!(matches!(
            S::Archived.transition(S::UnderAppraisal),
            Err(TransitionError::NotAvailable { .. })
        ));
        assert!(matches!(
            S::UnderAppraisal.transition(S::Destroyed),
            Err(TransitionError::NotAvailable { .. })
        ));
    }

    #[test]
    fn only_records_before_archiving_can_change() {
        assert!(!S::Collected.is_frozen());
        assert!(S::Archived.is_frozen());
        assert!(S::Destroyed.is_frozen());
        for state in S::ALL {
            assert_eq!(state.as_str().parse::<S>(), Ok(state));
        }
    }
}
