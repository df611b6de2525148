//! The audit trail in a real SQLite file: appends chain, the database refuses to change or
//! remove events or to fork the chain, and concurrent writers keep one unbroken chain.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly at the first broken step"
)]

use std::path::Path;
use std::sync::Arc;

use fonds_store::audit::{GENESIS_PREV_HASH, actions};
use fonds_store::{
    AuditActor, AuditEventRow, AuditHash, MetadataStore, NewAuditEvent, SqliteStore,
};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

fn event(n: usize) -> NewAuditEvent {
    NewAuditEvent::success(
        &AuditActor::admin_token("admin").from_address("127.0.0.1"),
        actions::TOKEN_ISSUED,
        Some(("token", format!("t{n}"))),
        serde_json::json!({ "n": n, "note": "测试 \"quoted\"" }),
    )
}

async fn all_events(store: &SqliteStore) -> Vec<AuditEventRow> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store.audit_events_after(after, 7).await.expect("page");
        let Some(last) = page.last() else { break };
        after = last.sequence;
        out.extend(page);
    }
    out
}

/// Asserts what `fonds audit verify` checks, directly: sequence 1.., links and hashes.
fn assert_unbroken(events: &[AuditEventRow], algorithm: AuditHash) {
    let mut prev = GENESIS_PREV_HASH.to_owned();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.sequence, i64::try_from(i + 1).expect("count"), "sequence");
        assert_eq!(
            e.prev_hash.as_deref(),
            Some(prev.as_str()),
            "link at {}",
            e.sequence
        );
        let hash = e.hash.clone().expect("hash");
        assert_eq!(hash, e.computed_hash(algorithm), "hash at {}", e.sequence);
        prev = hash;
    }
}

async fn raw(path: &Path) -> SqlitePool {
    SqlitePool::connect_with(SqliteConnectOptions::new().filename(path))
        .await
        .expect("raw connection")
}

#[tokio::test]
async fn a_new_database_starts_its_chain_and_appends_link_to_it() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("fonds.sqlite"))
        .await
        .expect("open");
    let head = store
        .audit_head()
        .await
        .expect("head")
        .expect("a started chain");
    assert_eq!(head.sequence, 1);
    for n in 0..20 {
        let row = store.append_audit_event(&event(n)).await.expect("append");
        assert_eq!(row.sequence, i64::try_from(n).expect("n") + 2);
    }
    let events = all_events(&store).await;
    assert_eq!(
        events.len(),
        21,
        "the start event and twenty more, read in pages of 7"
    );
    assert_eq!(events[0].action, actions::AUDIT_STARTED);
    assert_eq!(events[0].actor, "system");
    assert_eq!(events[1].actor, "admin token admin");
    assert_eq!(events[1].client_address.as_deref(), Some("127.0.0.1"));
    assert_eq!(events[1].outcome, "success");
    assert_unbroken(&events, AuditHash::Sha256);
    let head = store.audit_head().await.expect("head").expect("head");
    assert_eq!(head.sequence, 21);
    assert_eq!(Some(head.hash), events[20].hash.clone());

    // Reopening neither restarts the chain nor changes it.
    store.close().await;
    let again = SqliteStore::open(&dir.path().join("fonds.sqlite"))
        .await
        .expect("reopen");
    assert_eq!(all_events(&again).await, events);
}

#[tokio::test]
async fn the_hash_is_chosen_when_the_chain_starts_and_kept_after() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("fonds.sqlite");
    let store = SqliteStore::open_with_audit_hash(&path, AuditHash::Sm3)
        .await
        .expect("open");
    store.append_audit_event(&event(1)).await.expect("append");
    assert_eq!(store.audit_hash().await.expect("hash"), AuditHash::Sm3);
    assert_unbroken(&all_events(&store).await, AuditHash::Sm3);
    store.close().await;

    let reopened = SqliteStore::open_with_audit_hash(&path, AuditHash::Sha256)
        .await
        .expect("reopen");
    assert_eq!(
        reopened.audit_hash().await.expect("hash"),
        AuditHash::Sm3,
        "an existing chain keeps its hash"
    );
    let pool = raw(&path).await;
    let changed = sqlx::query("UPDATE audit_settings SET hash_algorithm = 'sha256'")
        .execute(&pool)
        .await;
    assert!(
        changed.is_err_and(|e| e.to_string().contains("cannot change")),
        "the database refuses to switch the hash of a started chain"
    );
}

#[tokio::test]
async fn the_database_refuses_to_change_remove_or_fork_events() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("fonds.sqlite");
    let store = SqliteStore::open(&path).await.expect("open");
    for n in 0..3 {
        store.append_audit_event(&event(n)).await.expect("append");
    }
    let before = all_events(&store).await;
    let pool = raw(&path).await;

    let edit = sqlx::query("UPDATE audit_events SET actor = 'someone else' WHERE sequence = 2")
        .execute(&pool)
        .await;
    assert!(edit.is_err_and(|e| e.to_string().contains("audit events cannot be changed")));
    let delete = sqlx::query("DELETE FROM audit_events WHERE sequence = 4")
        .execute(&pool)
        .await;
    assert!(delete.is_err_and(|e| e.to_string().contains("audit events cannot be deleted")));

    let mut fork = before[2].clone();
    fork.actor = "a second writer".into();
    let forked = sqlx::query(
        "INSERT INTO audit_events (sequence, occurred_at, actor, action, outcome, detail,
            prev_hash, hash) VALUES (5, $1, $2, $3, 'success', '{}', $4, $5)",
    )
    .bind(&fork.occurred_at)
    .bind(&fork.actor)
    .bind(&fork.action)
    .bind(&fork.prev_hash)
    .bind(fork.computed_hash(AuditHash::Sha256))
    .execute(&pool)
    .await;
    assert!(
        forked.is_err_and(|e| e.to_string().contains("must continue the chain")),
        "an event linked to anything but the last one is refused"
    );
    assert_eq!(all_events(&store).await, before, "nothing changed");
}

#[tokio::test]
async fn concurrent_appends_from_many_tasks_and_two_processes_make_one_chain() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("fonds.sqlite");
    let first = Arc::new(SqliteStore::open(&path).await.expect("open"));
    // A second store on the same file has its own writer, as another process would.
    let second = Arc::new(SqliteStore::open(&path).await.expect("open again"));
    let mut tasks = Vec::new();
    for task in 0..16 {
        let store = if task % 2 == 0 {
            Arc::clone(&first)
        } else {
            Arc::clone(&second)
        };
        tasks.push(tokio::spawn(async move {
            for n in 0..10 {
                store
                    .append_audit_event(&event(task * 100 + n))
                    .await
                    .expect("append");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let events = all_events(&first).await;
    assert_eq!(events.len(), 1 + 16 * 10);
    assert_unbroken(&events, AuditHash::Sha256);
}
