//! Group commit for the audit events of content reads (a record viewed, a file downloaded, a
//! print registered, a report or the trail read).
//!
//! A read is served only once its event is on disk, so every read costs a durable commit; a
//! sync costs the same for one event as for many, so reads that arrive while a commit is in
//! flight wait for the next one and share it. Events are appended in the order they reach the
//! committer: that order, not the `occurred_at` each request stamped, is the sequence order, so
//! two concurrent reads may carry times a few microseconds out of sequence order.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::audit::append_audit;
use crate::audit::NewAuditEvent;
use crate::error::StoreError;

/// The most events one commit carries.
const MAX_GROUP: usize = 256;

type Request = (NewAuditEvent, oneshot::Sender<Result<(), StoreError>>);

/// The handle through which read events are committed.
#[derive(Debug, Clone)]
pub(super) struct ReadEvents {
    queue: mpsc::Sender<Request>,
}

impl ReadEvents {
    /// Starts the committer on the writer pool; it stops when every handle is dropped.
    pub(super) fn start(writer: SqlitePool) -> Self {
        let (queue, requests) = mpsc::channel(4096);
        tokio::spawn(commit_groups(writer, requests));
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

async fn commit_groups(writer: SqlitePool, mut requests: mpsc::Receiver<Request>) {
    while let Some(first) = requests.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match requests.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        match commit(&writer, &group).await {
            Ok(()) => {
                for (_, reply) in group {
                    let _ = reply.send(Ok(()));
                }
            }
            Err(e) => {
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

async fn commit(writer: &SqlitePool, group: &[Request]) -> Result<(), StoreError> {
    // The write lock first, so that a writer in another process waits instead of racing.
    let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
    for (event, _) in group {
        append_audit(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(())
}
