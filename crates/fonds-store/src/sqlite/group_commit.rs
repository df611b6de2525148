//! Group commit for received submissions. Every receipt must be on disk before it is answered,
//! and a sync to disk costs the same for one row as for many; so submissions that arrive while
//! a commit is in flight wait for the next one and share it, each in its own savepoint, so that
//! one refused submission (a reused idempotency key) does not take the others with it.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::pipeline;
use crate::error::StoreError;
use crate::pipeline::ReceivedSubmission;

/// The most submissions one commit carries.
const MAX_GROUP: usize = 64;

type Request = (ReceivedSubmission, oneshot::Sender<Result<(), StoreError>>);

/// The handle through which receipts are committed.
#[derive(Debug, Clone)]
pub(super) struct Receipts {
    queue: mpsc::Sender<Request>,
}

impl Receipts {
    /// Starts the committer on the writer pool; it stops when every handle is dropped.
    pub(super) fn start(writer: SqlitePool) -> Self {
        let (queue, requests) = mpsc::channel(1024);
        tokio::spawn(commit_groups(writer, requests));
        Self { queue }
    }

    /// Stores a received submission durably; returns once its group has committed.
    pub(super) async fn receive(&self, submission: ReceivedSubmission) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((submission, reply))
            .await
            .map_err(|_| StoreError::GroupCommit("the receipt committer has stopped".into()))?;
        answer.await.map_err(|_| {
            StoreError::GroupCommit("the receipt committer stopped before answering".into())
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
        let outcomes = commit(&writer, &group).await;
        match outcomes {
            Ok(outcomes) => {
                for ((_, reply), outcome) in group.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                let message = e.to_string();
                tracing::error!(error = %message, submissions = group.len(), "a group of receipts failed to commit");
                for (_, reply) in group {
                    let _ = reply.send(Err(StoreError::GroupCommit(message.clone())));
                }
            }
        }
    }
}

async fn commit(
    writer: &SqlitePool,
    group: &[Request],
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let mut tx = writer.begin().await?;
    let mut outcomes = Vec::with_capacity(group.len());
    for (submission, _) in group {
        let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
        match pipeline::receive_on(&mut savepoint, submission).await {
            Ok(()) => {
                savepoint.commit().await?;
                outcomes.push(Ok(()));
            }
            Err(e) => {
                savepoint.rollback().await?;
                outcomes.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}
