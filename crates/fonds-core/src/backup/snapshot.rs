//! The database snapshot: SQLite's `VACUUM INTO` on a connection to the live database writes a
//! consistent copy of it as of one read transaction, while a server keeps writing (in WAL mode
//! readers and the writer do not block each other).

use std::path::Path;
use std::time::Duration;

use fonds_domain::Sha256Digest;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Connection as _, Row as _, SqliteConnection};

use super::BackupError;
use super::manifest::BlobEntry;

/// Writes a snapshot of the live database `live` to `target`, which must not exist.
pub async fn vacuum_into(live: &Path, target: &Path) -> Result<(), BackupError> {
    let target_text = target.to_str().ok_or_else(|| {
        BackupError::Invalid(format!(
            "the backup path {} is not valid UTF-8, which SQLite needs; choose another destination",
            target.display()
        ))
    })?;
    // No journal mode is set: the live database stays in the WAL mode its server chose.
    let options = SqliteConnectOptions::new()
        .filename(live)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30));
    let mut connection = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| BackupError::db("open the live database", live, e))?;
    let vacuumed = sqlx::query("VACUUM INTO ?1")
        .bind(target_text)
        .execute(&mut connection)
        .await
        .map_err(|e| BackupError::db("snapshot the live database", live, e));
    let closed = connection
        .close()
        .await
        .map_err(|e| BackupError::db("close the live database", live, e));
    vacuumed?;
    closed
}

/// Every stored file the snapshot at `path` references — the files of records and the parts of
/// submissions not processed yet — sorted by address. The snapshot is left in rollback-journal
/// mode, so it is one self-contained file.
pub async fn referenced_blobs(path: &Path) -> Result<Vec<BlobEntry>, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Delete);
    let mut connection = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| BackupError::db("open the snapshot", path, e))?;
    let rows = sqlx::query(
        "SELECT sha256, MAX(size) AS size FROM (
             SELECT sha256, size FROM record_files
             UNION ALL
             SELECT sha256, size FROM submission_parts
         ) GROUP BY sha256 ORDER BY sha256",
    )
    .fetch_all(&mut connection)
    .await
    .map_err(|e| BackupError::db("list the files referenced by the snapshot", path, e));
    let closed = connection
        .close()
        .await
        .map_err(|e| BackupError::db("close the snapshot", path, e));
    let rows = rows?;
    closed?;
    let mut blobs = Vec::with_capacity(rows.len());
    for row in rows {
        let text: String = row
            .try_get("sha256")
            .map_err(|e| BackupError::db("read a file address in", path, e))?;
        let size: i64 = row
            .try_get("size")
            .map_err(|e| BackupError::db("read a file size in", path, e))?;
        let sha256: Sha256Digest = text.parse().map_err(|e| {
            BackupError::Invalid(format!(
                "the database references a file by the malformed address {text:?} ({e}); run \
                 `fonds verify` on the data directory"
            ))
        })?;
        blobs.push(BlobEntry {
            sha256,
            size: u64::try_from(size).unwrap_or_default(),
        });
    }
    Ok(blobs)
}
