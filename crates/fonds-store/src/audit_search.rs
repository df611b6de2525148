//! What the auditor may ask of the audit trail: events by person, action, record, time and
//! outcome, a page at a time in sequence order (keyset paging on the sequence number), and the
//! use a record has seen (who viewed, downloaded, printed it).

use fonds_domain::RecordId;
use time::OffsetDateTime;

use crate::audit::{AuditEventRow, AuditOutcome, actions};

/// The actions that make up a record's use history.
pub const USE_ACTIONS: [&str; 3] = [
    actions::RECORD_VIEWED,
    actions::FILE_DOWNLOADED,
    actions::RECORD_PRINTED,
];

/// Which actions to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionFilter {
    /// Exactly this action, e.g. `record.viewed`.
    Exact(String),
    /// Every action of a family: `record` finds `record.viewed`, `record.archived`, …
    Family(String),
    /// Any of these actions.
    AnyOf(Vec<&'static str>),
}

impl ActionFilter {
    /// Reads `record.viewed` (exact) or `record.*` (the family).
    ///
    /// # Errors
    /// When the text is not an action name: lower-case letters, digits, `_` and `.`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, family) = match text.strip_suffix(".*") {
            Some(prefix) => (prefix, true),
            None => (text, false),
        };
        let well_formed = !name.is_empty()
            && !name.starts_with('.')
            && !name.ends_with('.')
            && name
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.'));
        if !well_formed {
            return Err(format!(
                "`{text}` is not an action; give one like `record.viewed`, or a family like \
                 `record.*`"
            ));
        }
        Ok(if family {
            Self::Family(name.to_owned())
        } else {
            Self::Exact(name.to_owned())
        })
    }
}

/// Which way a page runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchOrder {
    /// Oldest first.
    #[default]
    Ascending,
    /// Newest first.
    Descending,
}

/// A search of the audit trail. Every filter that is set must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditQuery {
    /// Who acted, exactly as recorded, e.g. `user alice` or `admin token ops`.
    pub actor: Option<String>,
    /// What was done.
    pub action: Option<ActionFilter>,
    /// The record acted on (the event's target).
    pub record: Option<RecordId>,
    /// The archival code recorded with the event.
    pub archival_code: Option<String>,
    /// Events at or after this second (UTC; fractions of a second are dropped).
    pub from: Option<OffsetDateTime>,
    /// Events before this second (UTC; fractions of a second are dropped).
    pub until: Option<OffsetDateTime>,
    /// How the act ended.
    pub outcome: Option<AuditOutcome>,
    /// Oldest or newest first.
    pub order: SearchOrder,
    /// The sequence number the previous page ended with.
    pub after: Option<i64>,
    /// The most events in the page.
    pub limit: u32,
}

/// A page of events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    /// The events, in the order asked for.
    pub events: Vec<AuditEventRow>,
    /// The cursor of the next page (the last event's sequence number), if there may be one.
    pub next: Option<i64>,
}

/// How much use a record has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UseSummary {
    /// How often its description was viewed.
    pub views: u64,
    /// How often its files were downloaded.
    pub downloads: u64,
    /// How often its files were printed (print registrations, not copies).
    pub prints: u64,
    /// The sequence number of the last use, if any.
    pub last_use: Option<i64>,
}
