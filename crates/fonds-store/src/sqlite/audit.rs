//! The audit trail in SQLite: appending inside the caller's transaction, starting the chain,
//! its head, and reading it in pages.
//!
//! An append reads the last event and inserts the next in the same transaction. Fonds' writes
//! go through one connection, so appends are serialised in the process; across processes,
//! SQLite's single write lock serialises them, and the `audit_events_continue_chain` trigger
//! refuses any insert that is not the next sequence linked to the last hash, so the chain can
//! never fork: a writer that raced fails instead.

use fonds_domain::{FondsCode, SubmissionId};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqliteConnection, SqlitePool};

use super::codec;
use crate::audit::{
    AuditActor, AuditEventRow, AuditHash, AuditHead, GENESIS_PREV_HASH, NewAuditEvent, actions,
};
use crate::error::StoreError;
use crate::metadata::NewRecord;

/// Appends `event` inside the transaction open on `conn`; it commits or rolls back with the
/// act it records.
///
/// # Errors
/// When the database fails, or refuses the event (see the triggers of migration 9).
pub async fn append_audit(
    conn: &mut SqliteConnection,
    event: &NewAuditEvent,
) -> Result<AuditEventRow, StoreError> {
    let mut chain = ChainEnd::read(conn).await?;
    let mut rows = chain.append_all(conn, std::iter::once(event)).await?;
    rows.pop()
        .ok_or_else(|| StoreError::corrupt("audit append", "no row"))
}

/// What the `audit_events_continue_chain` trigger (migration 9) says when it refuses an event.
const CHAIN_REFUSAL: &str = "an audit event must continue the chain";

/// Whether `error` is the database refusing an event that does not continue the stored chain.
pub(super) fn is_chain_refusal(error: &StoreError) -> bool {
    matches!(error, StoreError::Database(sqlx::Error::Database(db))
        if db.message().contains(CHAIN_REFUSAL))
}

/// The end of the chain: where the next event goes. Read once in a transaction, it lets a group
/// of events be appended with one read of the head instead of one per event; kept after a
/// commit, it is a guess the chain trigger checks.
#[derive(Debug, Clone)]
pub(super) struct ChainEnd {
    algorithm: AuditHash,
    last_sequence: i64,
    last_hash: String,
}

impl ChainEnd {
    /// The last event's sequence and hash, in the transaction open on `conn`.
    pub(super) async fn read(conn: &mut SqliteConnection) -> Result<Self, StoreError> {
        let (algorithm, last_sequence, last_hash): (String, Option<i64>, Option<String>) =
            sqlx::query_as(
                "SELECT s.hash_algorithm, e.sequence, e.hash FROM audit_settings s
                 LEFT JOIN (SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1) e
                   ON 1
                 WHERE s.id = 1",
            )
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::corrupt("audit settings", "missing"))?;
        Ok(Self {
            algorithm: super::parse_stored("audit hash algorithm", &algorithm)?,
            last_sequence: last_sequence.unwrap_or(0),
            last_hash: last_hash.unwrap_or_else(|| GENESIS_PREV_HASH.to_owned()),
        })
    }

    /// Appends `events` after the end in one statement and moves the end to the last of them.
    /// The trigger checks each row as it is inserted, in order.
    pub(super) async fn append_all<'a>(
        &mut self,
        conn: &mut SqliteConnection,
        events: impl Iterator<Item = &'a NewAuditEvent>,
    ) -> Result<Vec<AuditEventRow>, StoreError> {
        let rows: Vec<AuditEventRow> = events.map(|event| self.next(event)).collect();
        if rows.is_empty() {
            return Ok(rows);
        }
        let mut q: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new(
            "INSERT INTO audit_events (sequence, occurred_at, actor, client_address, action,
                target_kind, target_id, archival_code, outcome, detail, prev_hash, hash) ",
        );
        q.push_values(&rows, |mut b, row| {
            b.push_bind(row.sequence)
                .push_bind(&row.occurred_at)
                .push_bind(&row.actor)
                .push_bind(&row.client_address)
                .push_bind(&row.action)
                .push_bind(&row.target_kind)
                .push_bind(&row.target_id)
                .push_bind(&row.archival_code)
                .push_bind(&row.outcome)
                .push_bind(&row.detail)
                .push_bind(&row.prev_hash)
                .push_bind(&row.hash);
        });
        q.build().execute(&mut *conn).await?;
        Ok(rows)
    }

    /// The row of `event` after the end, which moves to it.
    fn next(&mut self, event: &NewAuditEvent) -> AuditEventRow {
        let mut row = AuditEventRow {
            sequence: self.last_sequence + 1,
            occurred_at: codec::timestamp(event.occurred_at),
            actor: event.actor.name.clone(),
            client_address: event.actor.address.clone(),
            action: event.action.clone(),
            target_kind: event.target_kind.clone(),
            target_id: event.target_id.clone(),
            archival_code: event.archival_code.clone(),
            outcome: event.outcome.as_str().to_owned(),
            detail: event.detail.to_string(),
            prev_hash: Some(self.last_hash.clone()),
            hash: None,
        };
        let hash = row.computed_hash(self.algorithm);
        self.last_sequence = row.sequence;
        self.last_hash.clone_from(&hash);
        row.hash = Some(hash);
        row
    }
}

/// Appends one event in a transaction of its own, for acts that happen outside the database
/// (a backup, a key rotation). `BEGIN IMMEDIATE` takes the write lock before the last event is
/// read, so a writer in another process waits instead of failing.
pub(super) async fn append_alone(
    pool: &SqlitePool,
    event: &NewAuditEvent,
) -> Result<AuditEventRow, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let row = append_audit(&mut tx, event).await?;
    tx.commit().await?;
    Ok(row)
}

/// Starts the chain of a database that has none yet: fixes the hash algorithm and appends the
/// `audit.started` event, so that an empty chain never passes for a complete one. Returns the
/// algorithm in force (an existing chain keeps its own).
pub(super) async fn start(pool: &SqlitePool, wanted: AuditHash) -> Result<AuditHash, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let started: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_events)")
        .fetch_one(&mut *tx)
        .await?;
    if started {
        let algorithm = algorithm_on(&mut tx).await?;
        tx.rollback().await?;
        return Ok(algorithm);
    }
    sqlx::query("UPDATE audit_settings SET hash_algorithm = $1 WHERE id = 1")
        .bind(wanted.as_str())
        .execute(&mut *tx)
        .await?;
    let event = NewAuditEvent::success(
        &AuditActor::system(),
        actions::AUDIT_STARTED,
        None,
        serde_json::json!({ "hash_algorithm": wanted.as_str() }),
    );
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(wanted)
}

async fn algorithm_on(conn: &mut SqliteConnection) -> Result<AuditHash, StoreError> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT hash_algorithm FROM audit_settings WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let name = name.ok_or_else(|| StoreError::corrupt("audit settings", "missing"))?;
    super::parse_stored("audit hash algorithm", &name)
}

pub(super) async fn algorithm(pool: &SqlitePool) -> Result<AuditHash, StoreError> {
    let mut conn = pool.acquire().await?;
    algorithm_on(&mut conn).await
}

pub(super) async fn head(pool: &SqlitePool) -> Result<Option<AuditHead>, StoreError> {
    let row: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    row.map(|(sequence, hash)| {
        Ok(AuditHead {
            sequence,
            hash: hash.ok_or_else(|| StoreError::corrupt("audit event hash", sequence))?,
        })
    })
    .transpose()
}

pub(super) async fn after(
    pool: &SqlitePool,
    after: i64,
    limit: u32,
) -> Result<Vec<AuditEventRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT sequence, occurred_at, actor, client_address, action, target_kind, target_id,
            archival_code, outcome, detail, prev_hash, hash
         FROM audit_events WHERE sequence > $1 ORDER BY sequence LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter().map(event_row).collect()
}

pub(super) fn event_row(row: &SqliteRow) -> Result<AuditEventRow, StoreError> {
    Ok(AuditEventRow {
        sequence: row.try_get("sequence")?,
        occurred_at: row.try_get("occurred_at")?,
        actor: row.try_get("actor")?,
        client_address: row.try_get("client_address")?,
        action: row.try_get("action")?,
        target_kind: row.try_get("target_kind")?,
        target_id: row.try_get("target_id")?,
        archival_code: row.try_get("archival_code")?,
        outcome: row.try_get("outcome")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// The event of a submission whose records entered the archive: the pipeline's (`system`)
/// decision, naming the records, their archival codes when they came with one, and who sent it.
pub(super) fn submission_accepted(
    id: SubmissionId,
    fonds: &FondsCode,
    source: Option<&str>,
    client: Option<&str>,
    records: &[NewRecord],
    at: time::OffsetDateTime,
) -> NewAuditEvent {
    let records: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id.to_string(),
                "archival_code": r.preset_code.as_ref().map(|p| p.code.to_string()),
            })
        })
        .collect();
    let mut event = NewAuditEvent::success(
        &AuditActor::system(),
        actions::SUBMISSION_ACCEPTED,
        Some(("submission", id.to_string())),
        serde_json::json!({
            "fonds": fonds.as_str(),
            "source": source,
            "client_id": client,
            "records": records,
        }),
    )
    .at(at);
    // A submission of one record names its code beside the record, as every record event does.
    if let [only] = records.as_slice()
        && let Some(code) = only["archival_code"].as_str()
    {
        event = event.with_archival_code(code);
    }
    event
}
