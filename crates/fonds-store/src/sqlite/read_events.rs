//! Group commit for the audit events of content reads (a record viewed, a file downloaded, a
//! print registered, a report or the trail read).
//!
//! A read is served only once its event is committed. With [`ReadCommit::Durable`] (the
//! default) that commit is synced to disk, so every read costs a sync; a sync costs the same for
//! one event as for many, so reads that arrive while a commit is in flight wait for the next one
//! and share it. [`ReadCommit::Relaxed`] commits without the sync (`synchronous = NORMAL`, as
//! for leases): the event is in the database before the content leaves and survives a crash of
//! Fonds, but a power cut or an OS crash can lose the read events since the last synced commit.
//! Events are appended in the order they reach the committer: that order, not the
//! `occurred_at` each request stamped, is the sequence order, so two concurrent reads may carry
//! times a few microseconds out of sequence order.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::audit::{ChainEnd, is_chain_refusal};
use super::relaxed::Relaxed;
use crate::audit::NewAuditEvent;
use crate::error::StoreError;

/// The most events one commit carries.
const MAX_GROUP: usize = 256;

/// How the events of content reads are committed before the content is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadCommit {
    /// Synced to disk: no read is ever served without a trace that survives a power cut.
    #[default]
    Durable,
    /// Committed without a sync: survives a crash of Fonds, not a power cut or an OS crash
    /// before the next synced commit. Several times cheaper per read on most disks.
    Relaxed,
}

impl std::str::FromStr for ReadCommit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "durable" => Ok(Self::Durable),
            "relaxed" => Ok(Self::Relaxed),
            other => Err(format!(
                "`{other}` is not a read commit; use durable or relaxed"
            )),
        }
    }
}

type Request = (NewAuditEvent, oneshot::Sender<Result<(), StoreError>>);

/// The handle through which read events are committed.
#[derive(Debug, Clone)]
pub(super) struct ReadEvents {
    queue: mpsc::Sender<Request>,
}

impl ReadEvents {
    /// Starts the committer on the writer pool; it stops when every handle is dropped.
    pub(super) fn start(writer: SqlitePool, commit: ReadCommit) -> Self {
        let (queue, requests) = mpsc::channel(4096);
        tokio::spawn(commit_groups(writer, commit, requests));
        Self { queue }
    }

    /// Appends `event` durably; returns once its group has committed.
    pub(super) async fn append(&self, event: NewAuditEvent) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((event, reply)).await.map_err(|_| {
            StoreError::ReadNotRecorded("the audit committer for reads has stopped".into())
        })?;
        answer.await.map_err(|_| {
            StoreError::ReadNotRecorded(
                "the audit committer for reads stopped before answering".into(),
            )
        })?
    }
}

async fn commit_groups(writer: SqlitePool, how: ReadCommit, mut requests: mpsc::Receiver<Request>) {
    // Where this committer's last group left the chain: the next group is inserted right after
    // it in one statement, and read afresh only when another writer has appended since.
    let mut end: Option<ChainEnd> = None;
    while let Some(first) = requests.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match requests.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let committed = match how {
            ReadCommit::Durable => commit(&writer, &group, &mut end).await,
            ReadCommit::Relaxed => commit_relaxed(&writer, &group, &mut end).await,
        };
        match committed {
            Ok(()) => {
                for (_, reply) in group {
                    let _ = reply.send(Ok(()));
                }
            }
            Err(e) => {
                end = None;
                let message = e.to_string();
                tracing::error!(error = %message, reads = group.len(),
                    "the audit events of a group of reads failed to commit; the reads are refused");
                for (_, reply) in group {
                    let _ = reply.send(Err(StoreError::ReadNotRecorded(message.clone())));
                }
            }
        }
    }
}

async fn commit(
    writer: &SqlitePool,
    group: &[Request],
    end: &mut Option<ChainEnd>,
) -> Result<(), StoreError> {
    let mut conn = writer.acquire().await?;
    append_group(&mut conn, group, end).await
}

async fn commit_relaxed(
    writer: &SqlitePool,
    group: &[Request],
    end: &mut Option<ChainEnd>,
) -> Result<(), StoreError> {
    let mut relaxed = Relaxed::acquire(writer).await?;
    let committed = append_group(relaxed.conn(), group, end).await;
    relaxed.restore().await;
    committed
}

/// Appends a group's events and commits them. With the end of the chain known from the last
/// group, that is one statement committing on its own (the chain trigger refuses it whole if
/// another writer appended meanwhile); otherwise, or after such a refusal, a transaction that
/// takes the write lock, reads the end and inserts after it.
async fn append_group(
    conn: &mut sqlx::SqliteConnection,
    group: &[Request],
    end: &mut Option<ChainEnd>,
) -> Result<(), StoreError> {
    let events = || group.iter().map(|(event, _)| event);
    if let Some(known) = end.take() {
        let mut next = known;
        match next.append_all(conn, events()).await {
            Ok(_) => {
                *end = Some(next);
                return Ok(());
            }
            Err(e) if is_chain_refusal(&e) => {}
            Err(e) => return Err(e),
        }
    }
    let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
    let mut fresh = ChainEnd::read(&mut tx).await?;
    fresh.append_all(&mut tx, events()).await?;
    tx.commit().await?;
    *end = Some(fresh);
    Ok(())
}
