//! Searching the audit trail in SQLite. Each filter maps onto an index of migration 14, and
//! SQLite keeps a secondary index's rows in sequence (rowid) order within one key, so a page in
//! sequence order is read straight off the index without sorting.
//!
//! Times are compared to the second on `substr(occurred_at, 1, 19)`: stored times are RFC 3339
//! in UTC with a variable number of fractional digits, which do not sort as text within one
//! second (`…05Z` sorts after `…05.5Z`), while their first 19 characters always do.
//!
//! LIMITATION: a range filter on its own (an action family, a time range) reads its index in
//! key order, so SQLite sorts every match by sequence for each page; on a long trail, narrow a
//! wide range with an equality filter (actor, record, action). Turning a time range into a
//! sequence range would avoid the sort, but `occurred_at` is not strictly monotonic in the
//! sequence (concurrent reads stamp their own times), so it would be inexact.

use fonds_domain::RecordId;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use time::OffsetDateTime;
use time::macros::format_description;

use super::audit::event_row;
use crate::audit::actions;
use crate::audit_search::{
    ActionFilter, AuditPage, AuditQuery, SearchOrder, USE_ACTIONS, UseSummary,
};
use crate::error::StoreError;

const COLUMNS: &str = "SELECT sequence, occurred_at, actor, client_address, action, target_kind, \
     target_id, archival_code, outcome, detail, prev_hash, hash FROM audit_events WHERE 1 = 1";

/// The first 19 characters of a stored time: `YYYY-MM-DDTHH:MM:SS`.
fn second(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}

/// The query for one page.
fn build(query: &AuditQuery) -> QueryBuilder<Sqlite> {
    build_after("", query)
}

/// The query for one page after `prefix` (the tests' `EXPLAIN QUERY PLAN`).
fn build_after(prefix: &str, query: &AuditQuery) -> QueryBuilder<Sqlite> {
    let mut sql = QueryBuilder::new(format!("{prefix}{COLUMNS}"));
    if let Some(actor) = &query.actor {
        sql.push(" AND actor = ").push_bind(actor.clone());
    }
    match &query.action {
        None => {}
        Some(ActionFilter::Exact(action)) => {
            sql.push(" AND action = ").push_bind(action.clone());
        }
        Some(ActionFilter::Family(family)) => {
            // `record.` up to, not including, `record/`: the next byte after `.`.
            sql.push(" AND action >= ")
                .push_bind(format!("{family}."))
                .push(" AND action < ")
                .push_bind(format!("{family}/"));
        }
        Some(ActionFilter::AnyOf(list)) => {
            sql.push(" AND action IN (");
            let mut names = sql.separated(", ");
            for action in list {
                names.push_bind(*action);
            }
            sql.push(")");
        }
    }
    if let Some(record) = query.record {
        sql.push(" AND target_kind = 'record' AND target_id = ")
            .push_bind(record.to_string());
    }
    if let Some(code) = &query.archival_code {
        sql.push(" AND archival_code = ").push_bind(code.clone());
    }
    if let Some(from) = query.from {
        sql.push(" AND substr(occurred_at, 1, 19) >= ")
            .push_bind(second(from));
    }
    if let Some(until) = query.until {
        sql.push(" AND substr(occurred_at, 1, 19) < ")
            .push_bind(second(until));
    }
    if let Some(outcome) = query.outcome {
        sql.push(" AND outcome = ").push_bind(outcome.as_str());
    }
    let (after, order) = match query.order {
        SearchOrder::Ascending => (" AND sequence > ", " ORDER BY sequence LIMIT "),
        SearchOrder::Descending => (" AND sequence < ", " ORDER BY sequence DESC LIMIT "),
    };
    if let Some(cursor) = query.after {
        sql.push(after).push_bind(cursor);
    }
    // One more than asked for tells whether another page follows.
    sql.push(order).push_bind(i64::from(query.limit) + 1);
    sql
}

pub(super) async fn search(pool: &SqlitePool, query: &AuditQuery) -> Result<AuditPage, StoreError> {
    let mut sql = build(query);
    let rows = sql.build().fetch_all(pool).await?;
    let mut events = rows.iter().map(event_row).collect::<Result<Vec<_>, _>>()?;
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let next = if events.len() > limit {
        events.truncate(limit);
        events.last().map(|e| e.sequence)
    } else {
        None
    };
    Ok(AuditPage { events, next })
}

pub(super) async fn use_summary(
    pool: &SqlitePool,
    record: RecordId,
) -> Result<UseSummary, StoreError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT action, COUNT(*), MAX(sequence) FROM audit_events
         WHERE target_kind = 'record' AND target_id = $1 AND action IN ($2, $3, $4)
         GROUP BY action",
    )
    .bind(record.to_string())
    .bind(USE_ACTIONS[0])
    .bind(USE_ACTIONS[1])
    .bind(USE_ACTIONS[2])
    .fetch_all(pool)
    .await?;
    let mut summary = UseSummary::default();
    for (action, count, last) in rows {
        let count = u64::try_from(count).unwrap_or_default();
        match action.as_str() {
            actions::RECORD_VIEWED => summary.views = count,
            actions::FILE_DOWNLOADED => summary.downloads = count,
            actions::RECORD_PRINTED => summary.prints = count,
            _ => {}
        }
        summary.last_use = summary.last_use.max(Some(last));
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use sqlx::Row as _;

    use super::*;
    use crate::audit::AuditOutcome;
    use crate::sqlite::SqliteStore;

    async fn plan(store: &SqliteStore, query: &AuditQuery) -> String {
        let rows = build_after("EXPLAIN QUERY PLAN ", query)
            .build()
            .fetch_all(&store.reader)
            .await
            .expect("explain");
        rows.iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Each equality filter is answered from its own index in sequence order, without sorting:
    /// the page costs the same however long the trail grows.
    #[tokio::test]
    async fn each_filter_reads_its_index_in_sequence_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("fonds.sqlite"))
            .await
            .expect("open");
        let base = AuditQuery {
            limit: 50,
            after: Some(10),
            ..AuditQuery::default()
        };
        let cases = [
            (
                AuditQuery {
                    actor: Some("user alice".into()),
                    ..base.clone()
                },
                "audit_events_by_actor",
            ),
            (
                AuditQuery {
                    record: Some(RecordId::new()),
                    action: Some(ActionFilter::AnyOf(USE_ACTIONS.to_vec())),
                    order: SearchOrder::Descending,
                    ..base.clone()
                },
                "audit_events_by_target",
            ),
            (
                AuditQuery {
                    archival_code: Some("Z001-PZ·2023·D30-0012-0001".into()),
                    ..base.clone()
                },
                "audit_events_by_archival_code",
            ),
            (
                AuditQuery {
                    action: Some(ActionFilter::Exact("record.viewed".into())),
                    outcome: Some(AuditOutcome::Refused),
                    ..base.clone()
                },
                "audit_events_by_action",
            ),
        ];
        for (query, index) in cases {
            let plan = plan(&store, &query).await;
            assert!(plan.contains(index), "{index} not used: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "sorted: {plan}");
        }
        let by_time = AuditQuery {
            from: Some(time::macros::datetime!(2026-12-04 08:00 UTC)),
            until: Some(time::macros::datetime!(2026-12-04 09:00 UTC)),
            ..base.clone()
        };
        let plan = plan(&store, &by_time).await;
        assert!(
            plan.contains("audit_events_by_second") || plan.contains("INTEGER PRIMARY KEY"),
            "a time range neither uses its index nor walks the sequence: {plan}"
        );
    }

    #[test]
    fn action_filters_take_names_and_families_only() {
        assert_eq!(
            ActionFilter::parse("record.viewed"),
            Ok(ActionFilter::Exact("record.viewed".into()))
        );
        assert_eq!(
            ActionFilter::parse("record.*"),
            Ok(ActionFilter::Family("record".into()))
        );
        for bad in [
            "",
            "*",
            ".*",
            "Record.viewed",
            "record.",
            "record'--",
            "record.%",
        ] {
            assert!(ActionFilter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_compare_to_the_second_whatever_their_fraction() {
        let at = time::macros::datetime!(2026-12-04 08:00:05.5 +08:00);
        assert_eq!(second(at), "2026-12-04T00:00:05");
    }
}
