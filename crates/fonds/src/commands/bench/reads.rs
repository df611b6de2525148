//! `fonds bench reads`: what recording content reads costs. The same records are read — the
//! description, then every file's bytes — unaudited (`Archive::record`, `open_file`: Fonds' own
//! reads) and audited (`view_record`, `download_file`: a person's reads, each appending its
//! event before the content is handed back) with `audit_read_commit` durable and relaxed, by
//! one reader and by several at once (whose events share commits). The cost is printed as a
//! ratio to the unaudited run.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use fonds_core::audit::ReadCommit;
use fonds_core::{Actor, Archive, Settings};
use fonds_domain::RecordId;
use fonds_domain::access::RecordScope;
use tokio::io::AsyncReadExt as _;

use super::checks::{Corpus, ingest};

/// How many times each mode runs; each figure is the median.
const ROUNDS: usize = 3;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Reads one record and all its files, audited or not.
async fn read_one(archive: &Archive, id: RecordId, audited: bool) -> anyhow::Result<u64> {
    let reader = Actor::user("bench").from_address("127.0.0.1");
    let everything = RecordScope::everything();
    let detail = if audited {
        archive.view_record(id, &everything, &reader).await?
    } else {
        archive.record(id, &everything).await?
    };
    let mut bytes = 0u64;
    let mut buffer = Vec::new();
    for file in detail.files {
        let mut content = if audited {
            archive.download_file(file, None, &reader).await?
        } else {
            archive.open_file(file, None).await?
        };
        buffer.clear();
        content.reader.body.read_to_end(&mut buffer).await?;
        bytes += buffer.len() as u64;
    }
    Ok(bytes)
}

/// Reads every record once with `readers` concurrent readers; answers milliseconds per record.
async fn one_pass(
    archive: &Archive,
    ids: &Arc<Vec<RecordId>>,
    readers: usize,
    audited: bool,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for reader in 0..readers {
        let (archive, ids) = (archive.clone(), Arc::clone(ids));
        tasks.push(tokio::spawn(async move {
            for id in ids.iter().skip(reader).step_by(readers) {
                read_one(&archive, *id, audited).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed().as_secs_f64() * 1e3 / ids.len().max(1) as f64)
}

/// A fresh archive holding the bench corpus, committing read events as `commit` says.
async fn corpus_archive(
    records: usize,
    commit: ReadCommit,
) -> anyhow::Result<(tempfile::TempDir, Archive, Arc<Vec<RecordId>>)> {
    let dir = tempfile::Builder::new()
        .prefix("fonds-bench-reads-")
        .tempdir_in(std::env::current_dir()?)?;
    let settings = Settings {
        audit_read_commit: commit,
        ..Settings::default()
    };
    let archive = super::bench_archive(dir.path(), settings).await?;
    let corpus = Corpus {
        records,
        scan_every: 0,
        scan_size: 0,
    };
    let (ids, _) = ingest(&archive, corpus).await?;
    Ok((dir, archive, Arc::new(ids)))
}

/// `fonds bench reads`.
pub async fn run(records: usize, readers: usize) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        records > 0 && readers > 0,
        "--records and --readers must be at least 1"
    );
    let (_durable_dir, durable, ids) = corpus_archive(records, ReadCommit::Durable).await?;
    let (_relaxed_dir, relaxed, relaxed_ids) = corpus_archive(records, ReadCommit::Relaxed).await?;
    println!(
        "corpus  {} records, each read whole (description and files)",
        ids.len()
    );
    for concurrency in [1, readers] {
        let mut figures = [Vec::new(), Vec::new(), Vec::new()];
        // The modes take turns so that drift in the disk's latency is not credited to any.
        for round in 1..=ROUNDS {
            let p = one_pass(&durable, &ids, concurrency, false).await?;
            let d = one_pass(&durable, &ids, concurrency, true).await?;
            let r = one_pass(&relaxed, &relaxed_ids, concurrency, true).await?;
            println!(
                "round {round} readers {concurrency:>2}  unaudited {p:>7.3}   durable {d:>7.3}   \
                 relaxed {r:>7.3} ms/record"
            );
            for (list, value) in figures.iter_mut().zip([p, d, r]) {
                list.push(value);
            }
        }
        let [p, d, r] = figures.map(median);
        println!(
            "median  readers {concurrency:>2}  unaudited {p:>7.3}   durable {d:>7.3} (cost {:>6.1} %)   \
             relaxed {r:>7.3} (cost {:>6.1} %) ms/record   (target with authorisation: under 15 %)",
            (d / p - 1.0) * 100.0,
            (r / p - 1.0) * 100.0
        );
    }
    for archive in [&durable, &relaxed] {
        let report = archive.verify_audit_chain().await?;
        anyhow::ensure!(report.is_ok(), "the audit trail broke during the run");
    }
    println!("audit trails whole");
    Ok(ExitCode::SUCCESS)
}
