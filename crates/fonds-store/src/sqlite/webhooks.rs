//! Webhook endpoints and the outbox of deliveries, in SQLite.

use fonds_domain::ClientId;
use serde_json::{Value, json};
use sqlx::{Row as _, Sqlite, SqlitePool};
use time::OffsetDateTime;

use super::{append_audit, codec, parse_stored};
use crate::audit::{AuditActor, NewAuditEvent, actions};
use crate::error::StoreError;
use crate::webhooks::{
    AttemptOutcome, DeliveryRow, EndpointRow, LeasedDelivery, NewEndpoint, NextStep,
};

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Writes one delivery per enabled endpoint of `client` that wants `event`, inside the caller's
/// transaction, so the event is announced exactly when the change it announces commits.
pub(super) async fn enqueue(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    client: Option<&str>,
    event: &str,
    data: Value,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let Some(client) = client else { return Ok(()) };
    let endpoints: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM webhook_endpoints WHERE client_id = $1 AND enabled = 1
           AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = $2)",
    )
    .bind(client)
    .bind(event)
    .fetch_all(&mut **tx)
    .await?;
    write_deliveries(tx, &endpoints, event, &data, at).await
}

/// Writes one delivery per enabled endpoint of any client that wants `event`: for events about
/// the archive as a whole (a fixity mismatch), which concern every system watching it.
pub(super) async fn broadcast(
    pool: &SqlitePool,
    event: &str,
    data: Value,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let endpoints: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM webhook_endpoints WHERE enabled = 1
           AND EXISTS (SELECT 1 FROM json_each(events) WHERE value = $1)",
    )
    .bind(event)
    .fetch_all(&mut *tx)
    .await?;
    write_deliveries(&mut tx, &endpoints, event, &data, at).await?;
    tx.commit().await?;
    Ok(())
}

async fn write_deliveries(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    endpoints: &[String],
    event: &str,
    data: &Value,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let occurred = codec::timestamp(at);
    for endpoint in endpoints {
        let id = uuid::Uuid::now_v7().to_string();
        let payload = json!({"id": id, "event": event, "occurred_at": occurred, "data": data});
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event, payload, state, attempts,
                next_attempt_at, window_start, created_at)
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $6)",
        )
        .bind(&id)
        .bind(endpoint)
        .bind(event)
        .bind(payload.to_string())
        .bind(millis(at))
        .bind(&occurred)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The client that sent the submission a record came in.
pub(super) async fn record_client(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    record: &str,
) -> Result<Option<String>, StoreError> {
    let client: Option<Option<String>> = sqlx::query_scalar(
        "SELECT s.client_id FROM records r JOIN submissions s ON s.id = r.submission_id WHERE r.id = $1",
    )
    .bind(record)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(client.flatten())
}

pub(super) async fn insert_endpoint(
    pool: &SqlitePool,
    e: &NewEndpoint,
    by: &AuditActor,
) -> Result<(), StoreError> {
    let events = Value::Array(e.events.iter().cloned().map(Value::String).collect()).to_string();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, client_id, url, events, enabled, created_at)
         VALUES ($1, $2, $3, $4, 1, $5)",
    )
    .bind(&e.id)
    .bind(e.client.as_str())
    .bind(&e.url)
    .bind(events)
    .bind(codec::timestamp(e.created_at))
    .execute(&mut *tx)
    .await?;
    let event = NewAuditEvent::success(
        by,
        actions::WEBHOOK_ENDPOINT_ADDED,
        Some(("webhook_endpoint", e.id.clone())),
        json!({ "client_id": e.client.as_str(), "url": e.url, "events": e.events }),
    )
    .at(e.created_at);
    super::append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn endpoints(
    pool: &SqlitePool,
    client: Option<&ClientId>,
) -> Result<Vec<EndpointRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, client_id, url, events, enabled, created_at FROM webhook_endpoints
         WHERE $1 IS NULL OR client_id = $1 ORDER BY created_at",
    )
    .bind(client.map(ClientId::as_str))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let client: String = row.try_get("client_id")?;
            let events: String = row.try_get("events")?;
            let created: String = row.try_get("created_at")?;
            Ok(EndpointRow {
                id: row.try_get("id")?,
                client: parse_stored("client id", &client)?,
                url: row.try_get("url")?,
                events: serde_json::from_str(&events)
                    .map_err(|_| StoreError::corrupt("events", &events))?,
                enabled: row.try_get("enabled")?,
                created_at: codec::parse_timestamp(&created)?,
            })
        })
        .collect()
}

pub(super) async fn lease(
    pool: &SqlitePool,
    now: OffsetDateTime,
    lease_ms: i64,
) -> Result<Option<LeasedDelivery>, StoreError> {
    // A lost lease only runs out: no need to wait for the disk.
    let mut relaxed = super::relaxed::Relaxed::acquire(pool).await?;
    let leased = lease_on(relaxed.conn(), now, lease_ms).await;
    relaxed.restore().await;
    leased
}

async fn lease_on(
    conn: &mut sqlx::SqliteConnection,
    now: OffsetDateTime,
    lease_ms: i64,
) -> Result<Option<LeasedDelivery>, StoreError> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    let now_ms = millis(now);
    let row = sqlx::query(
        "SELECT d.id, d.endpoint_id, d.event, d.payload, d.attempts, d.window_attempts, d.window_start,
            e.client_id, e.url
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE d.state = 'pending' AND d.next_attempt_at <= $1
           AND (d.lease_until IS NULL OR d.lease_until < $1)
         ORDER BY d.next_attempt_at LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: String = row.try_get("id")?;
    let attempts: i64 = row.try_get::<i64, _>("attempts")? + 1;
    let window_attempts: i64 = row.try_get::<i64, _>("window_attempts")? + 1;
    sqlx::query(
        "UPDATE webhook_deliveries SET attempts = $1, window_attempts = window_attempts + 1,
            lease_until = $2 WHERE id = $3",
    )
    .bind(attempts)
    .bind(now_ms + lease_ms)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let client: String = row.try_get("client_id")?;
    Ok(Some(LeasedDelivery {
        id,
        endpoint_id: row.try_get("endpoint_id")?,
        client: parse_stored("client id", &client)?,
        url: row.try_get("url")?,
        event: row.try_get("event")?,
        payload: row.try_get("payload")?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        window_attempts: u32::try_from(window_attempts).unwrap_or(u32::MAX),
        window_start_ms: row.try_get("window_start")?,
    }))
}

pub(super) async fn record_attempt(
    pool: &SqlitePool,
    delivery: &LeasedDelivery,
    outcome: &AttemptOutcome,
    next: NextStep,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    // Losing an outcome in a power cut means the delivery is made again: receivers deduplicate
    // by X-Fonds-Delivery, so the attempt log need not wait for the disk.
    let mut relaxed = super::relaxed::Relaxed::acquire(pool).await?;
    let recorded = record_attempt_on(relaxed.conn(), delivery, outcome, next, at).await;
    relaxed.restore().await;
    recorded
}

async fn record_attempt_on(
    conn: &mut sqlx::SqliteConnection,
    delivery: &LeasedDelivery,
    outcome: &AttemptOutcome,
    next: NextStep,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    let when = codec::timestamp(at);
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&delivery.id)
    .bind(i64::from(delivery.attempts))
    .bind(&when)
    .bind(outcome.status.map(i64::from))
    .bind(&outcome.error)
    .bind(i64::try_from(outcome.duration_ms).unwrap_or(i64::MAX))
    .execute(&mut *tx)
    .await?;
    let (state, next_at, finished) = match next {
        NextStep::Delivered => ("delivered", None, Some(when.clone())),
        NextStep::RetryAt(ms) => ("pending", Some(ms), None),
        NextStep::Dead => ("dead", None, Some(when.clone())),
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at),
            finished_at = $3, lease_until = NULL WHERE id = $4",
    )
    .bind(state)
    .bind(next_at)
    .bind(finished)
    .bind(&delivery.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn deliveries(
    pool: &SqlitePool,
    state: Option<&str>,
    limit: u32,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.id, d.endpoint_id, d.event, d.state, d.attempts, d.created_at, d.finished_at,
            (SELECT status FROM webhook_attempts a WHERE a.delivery_id = d.id ORDER BY attempt DESC LIMIT 1) AS last_status,
            (SELECT error FROM webhook_attempts a WHERE a.delivery_id = d.id ORDER BY attempt DESC LIMIT 1) AS last_error
         FROM webhook_deliveries d WHERE $1 IS NULL OR d.state = $1
         ORDER BY d.created_at DESC LIMIT $2",
    )
    .bind(state)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let attempts: i64 = row.try_get("attempts")?;
            let created: String = row.try_get("created_at")?;
            let finished: Option<String> = row.try_get("finished_at")?;
            let status: Option<i64> = row.try_get("last_status")?;
            Ok(DeliveryRow {
                id: row.try_get("id")?,
                endpoint_id: row.try_get("endpoint_id")?,
                event: row.try_get("event")?,
                state: row.try_get("state")?,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                created_at: codec::parse_timestamp(&created)?,
                finished_at: finished
                    .as_deref()
                    .map(codec::parse_timestamp)
                    .transpose()?,
                last_status: status.and_then(|s| u16::try_from(s).ok()),
                last_error: row.try_get("last_error")?,
            })
        })
        .collect()
}

pub(super) async fn replay(
    pool: &SqlitePool,
    id: &str,
    now: OffsetDateTime,
    by: &AuditActor,
) -> Result<bool, StoreError> {
    let now_ms = millis(now);
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET state = 'pending', window_attempts = 0, next_attempt_at = $1, window_start = $1,
            finished_at = NULL, lease_until = NULL WHERE id = $2 AND state = 'dead'",
    )
    .bind(now_ms)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let event = NewAuditEvent::success(
        by,
        actions::WEBHOOK_REPLAYED,
        Some(("webhook_delivery", id.to_owned())),
        serde_json::json!({}),
    )
    .at(now);
    append_audit(&mut tx, &event).await?;
    tx.commit().await?;
    Ok(true)
}
