//! Write transactions whose commit need not wait for the disk.
//!
//! Most writes answer a caller and must be on disk before they return (`synchronous = FULL`).
//! Some are bookkeeping that is safe to lose in a power cut: a job's or a delivery's lease (it
//! would simply run out) and a retry's schedule. Those commit with `synchronous = NORMAL`, which
//! in WAL mode skips the sync; the next durable commit syncs the log, theirs included. SQLite
//! allows the setting to change only between transactions, so the writer connection is switched
//! before and restored after — or closed, if it cannot be restored, so that it never serves a
//! durable write relaxed.

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqlitePool};

use crate::error::StoreError;

/// The writer connection, switched to relaxed commits until [`Relaxed::restore`].
pub(super) struct Relaxed {
    conn: PoolConnection<Sqlite>,
    restored: bool,
}

impl Relaxed {
    /// Takes the writer connection and relaxes its commits.
    pub(super) async fn acquire(pool: &SqlitePool) -> Result<Self, StoreError> {
        let mut conn = pool.acquire().await?;
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut *conn)
            .await?;
        Ok(Self {
            conn,
            restored: false,
        })
    }

    /// The connection, to run one transaction on.
    pub(super) fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.conn
    }

    /// Makes commits durable again before the connection goes back to the pool.
    pub(super) async fn restore(mut self) {
        if sqlx::query("PRAGMA synchronous = FULL")
            .execute(&mut *self.conn)
            .await
            .is_ok()
        {
            self.restored = true;
        }
    }
}

impl Drop for Relaxed {
    fn drop(&mut self) {
        if !self.restored {
            // Cancelled or failed before restoring: never let this connection serve again.
            self.conn.close_on_drop();
        }
    }
}
