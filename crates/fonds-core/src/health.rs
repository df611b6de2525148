//! Readiness: whether this process can do its work now — the database answers and the file
//! store can be read — and how much work waits. `/readyz` and `/metrics` read it.

use fonds_store::JobQueueStats;
use time::OffsetDateTime;

use crate::Archive;

/// What readiness found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// The database, or why it failed.
    pub database: Result<(), String>,
    /// The file store, or why it failed.
    pub blobs: Result<(), String>,
    /// The work queue, when the database answered.
    pub queue: JobQueueStats,
}

impl Readiness {
    /// Whether every dependency answered.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.database.is_ok() && self.blobs.is_ok()
    }
}

impl Archive {
    /// Asks the database and the file store, and publishes the queue's depth and age as the
    /// gauges `fonds_job_queue_depth` and `fonds_job_queue_oldest_age_seconds`.
    pub async fn readiness(&self) -> Readiness {
        let (database, queue) = match self.metadata.job_queue().await {
            Ok(queue) => (Ok(()), queue),
            Err(e) => (Err(e.to_string()), JobQueueStats::default()),
        };
        let blobs = self.blobs.probe().await.map_err(|e| e.to_string());
        #[allow(
            clippy::cast_precision_loss,
            reason = "a gauge; queue depths stay far below 2^52"
        )]
        metrics::gauge!("fonds_job_queue_depth").set(queue.depth as f64);
        let age = queue.oldest_queued_at.map_or(0.0, |at| {
            (OffsetDateTime::now_utc() - at).as_seconds_f64().max(0.0)
        });
        metrics::gauge!("fonds_job_queue_oldest_age_seconds").set(age);
        metrics::gauge!("fonds_ready").set(if database.is_ok() && blobs.is_ok() {
            1.0
        } else {
            0.0
        });
        Readiness {
            database,
            blobs,
            queue,
        }
    }
}
