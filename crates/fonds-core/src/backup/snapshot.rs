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
/// submissions not processed yet — sorted by address.
///
/// # Errors
/// As [`catalogue`].
pub async fn referenced_blobs(path: &Path) -> Result<Vec<BlobEntry>, BackupError> {
    Ok(catalogue(path)
        .await?
        .into_iter()
        .map(|entry| BlobEntry {
            sha256: entry.sha256,
            size: entry.size,
        })
        .collect())
}

/// A connection to a snapshot, left in rollback-journal mode so that the snapshot stays one
/// self-contained file.
async fn connect(path: &Path) -> Result<SqliteConnection, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Delete);
    SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| BackupError::db("open the snapshot", path, e))
}

/// A stored file as the restored catalogue describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// Its address.
    pub sha256: Sha256Digest,
    /// Its SM3 digest.
    pub sm3: fonds_domain::Sm3Digest,
    /// Its size in bytes.
    pub size: u64,
}

/// Every stored file the snapshot at `path` references with both digests and size, sorted by
/// address: what a restored file must match.
///
/// # Errors
/// When the snapshot cannot be read, or it describes one address with two different digests or
/// sizes.
pub async fn catalogue(path: &Path) -> Result<Vec<CatalogueEntry>, BackupError> {
    let mut connection = connect(path).await?;
    let rows = sqlx::query(
        "SELECT sha256, MIN(sm3) AS sm3, MAX(sm3) AS sm3_max, MIN(size) AS size, MAX(size) AS size_max
         FROM (
             SELECT sha256, sm3, size FROM record_files
             UNION ALL
             SELECT sha256, sm3, size FROM submission_parts
         ) GROUP BY sha256 ORDER BY sha256",
    )
    .fetch_all(&mut connection)
    .await
    .map_err(|e| BackupError::db("list the files catalogued in the snapshot", path, e));
    let closed = connection
        .close()
        .await
        .map_err(|e| BackupError::db("close the snapshot", path, e));
    let rows = rows?;
    closed?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let column = |name: &str| -> Result<String, BackupError> {
            row.try_get(name)
                .map_err(|e| BackupError::db("read the catalogue of", path, e))
        };
        let (sha256, sm3, sm3_max) = (column("sha256")?, column("sm3")?, column("sm3_max")?);
        let size: i64 = row
            .try_get("size")
            .map_err(|e| BackupError::db("read a file size in", path, e))?;
        let size_max: i64 = row
            .try_get("size_max")
            .map_err(|e| BackupError::db("read a file size in", path, e))?;
        if sm3 != sm3_max || size != size_max {
            return Err(BackupError::Invalid(format!(
                "the snapshot describes file {sha256} with two different SM3 digests or sizes; \
                 restore from an older backup"
            )));
        }
        let malformed = |e: String| {
            BackupError::Invalid(format!(
                "the snapshot catalogues a malformed digest ({e}); restore from an older backup"
            ))
        };
        entries.push(CatalogueEntry {
            sha256: sha256.parse().map_err(|e| malformed(format!("{e}")))?,
            sm3: sm3.parse().map_err(|e| malformed(format!("{e}")))?,
            size: u64::try_from(size).unwrap_or_default(),
        });
    }
    Ok(entries)
}

/// The newest audit event in the snapshot at `path`; `None` when its archive has no audit trail
/// yet (no events, or a database from before the trail existed).
///
/// # Errors
/// When the snapshot cannot be read.
pub async fn audit_head(path: &Path) -> Result<Option<super::manifest::AuditHead>, BackupError> {
    let mut connection = connect(path).await?;
    let has_trail: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'",
    )
    .fetch_optional(&mut connection)
    .await
    .map_err(|e| BackupError::db("look for the audit trail in", path, e))?;
    let head = if has_trail.is_some() {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1",
        )
        .fetch_optional(&mut connection)
        .await
        .map_err(|e| BackupError::db("read the audit chain head of", path, e))?
    } else {
        None
    };
    connection
        .close()
        .await
        .map_err(|e| BackupError::db("close the snapshot", path, e))?;
    Ok(head.map(|(sequence, hash)| super::manifest::AuditHead { sequence, hash }))
}
