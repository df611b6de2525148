//! `fonds bench backup`: a backup and a restore of a fresh archive, each beside `cp -a` of the
//! same files followed by `sync`, on the same disk in the same run, so the figures read as a
//! ratio of what the machine can copy. The backup hashes what it copies and fsyncs every file;
//! the restore also verifies every restored file, which is timed apart.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use fonds_core::Settings;
use fonds_core::backup;

use super::checks::{Corpus, ingest};

/// `cp -a from to` then `sync`: the machine's plain copy of the same bytes.
fn copy_and_sync(from: &Path, to: &Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .context("cannot run cp")?;
    anyhow::ensure!(status.success(), "cp -a failed");
    let status = Command::new("sync").status().context("cannot run sync")?;
    anyhow::ensure!(status.success(), "sync failed");
    Ok(started.elapsed())
}

fn rate(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / took.as_secs_f64().max(1e-9) / 1e6
}

/// `fonds bench backup`.
pub async fn run(corpus: Corpus) -> anyhow::Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("fonds-bench-backup-")
        .tempdir_in(std::env::current_dir()?)?;
    let data = dir.path().join("data");
    // As `serve` runs by default: every file sealed with AES-256-GCM under a master key.
    let at_rest = super::throwaway_sealing(fonds_core::at_rest::Cipher::Aes256Gcm)?;
    let settings = Settings {
        at_rest: at_rest.clone(),
        ..Settings::default()
    };
    let archive = super::bench_archive(&data, settings).await?;
    let (ids, contents) = ingest(&archive, corpus).await?;
    drop(archive);
    let file_bytes: u64 = contents.iter().map(|c| c.len() as u64).sum();
    let database_bytes = std::fs::metadata(data.join("fonds.sqlite"))?.len();
    let bytes = file_bytes + database_bytes;
    println!(
        "corpus      {} records, {} files, {:.1} MB of files + {:.1} MB database, in {}",
        ids.len(),
        contents.len(),
        file_bytes as f64 / 1e6,
        database_bytes as f64 / 1e6,
        dir.path().display()
    );

    let cp = copy_and_sync(&data, &dir.path().join("cp-of-data"))?;
    let cp_rate = rate(bytes, cp);
    println!("machine     cp -a + sync of the data directory: {cp_rate:.0} MB/s");

    let dest = dir.path().join("backups");
    let started = Instant::now();
    let report = backup::backup(&data, &dest, 2, &at_rest).await?;
    let took = started.elapsed();
    anyhow::ensure!(report.problems.is_empty(), "the backup found problems");
    let backup_rate = rate(bytes, took);
    println!(
        "backup      {:.1} s, {backup_rate:.0} MB/s, {} files copied (hashed and fsynced)",
        took.as_secs_f64(),
        report.blobs_copied
    );
    println!(
        "ratio: {:.3}   (backup ÷ cp -a + sync; target ≥ 0.5)",
        backup_rate / cp_rate
    );

    let started = Instant::now();
    let again = backup::backup(&data, &dest, 2, &at_rest).await?;
    println!(
        "incremental {:.2} s for a second backup: {} files copied",
        started.elapsed().as_secs_f64(),
        again.blobs_copied
    );

    let cp = copy_and_sync(&dest, &dir.path().join("cp-of-backups"))?;
    let cp_rate = rate(bytes, cp);
    println!("machine     cp -a + sync of the backup destination: {cp_rate:.0} MB/s");
    let restored = dir.path().join("restored");
    let started = Instant::now();
    let report = backup::restore(
        &dest,
        &restored,
        at_rest.clone(),
        &fonds_core::audit::Actor::cli(),
    )
    .await?;
    let took = started.elapsed();
    anyhow::ensure!(
        report.fixity.problems.is_empty(),
        "the restored archive does not verify"
    );
    let restore_rate = rate(bytes, took);
    println!(
        "restore     {:.1} s, {restore_rate:.0} MB/s, {} records, {} files, then verified (included)",
        took.as_secs_f64(),
        report.records,
        report.blobs_copied
    );
    println!(
        "ratio: {:.3}   (restore with verification ÷ cp -a + sync; target ≥ 0.5)",
        restore_rate / cp_rate
    );
    Ok(ExitCode::SUCCESS)
}
