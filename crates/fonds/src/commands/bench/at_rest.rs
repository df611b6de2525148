//! `fonds bench at-rest`: the same records ingested through the real pipeline (staging,
//! four-properties check, commit) and every file read back, with encryption at rest off, with
//! AES-256-GCM and with SM4-GCM; SHA-256 over the same bytes in the same run as the machine's
//! yardstick. The cost of encryption is printed as a ratio to the run without it.

use std::process::ExitCode;
use std::time::Instant;

use fonds_core::Settings;
use fonds_core::at_rest::{AtRest, Cipher};
use sha2::Digest as _;
use tokio::io::AsyncReadExt as _;

use super::checks::{Corpus, ingest};

/// How many times each mode runs.
const ROUNDS: usize = 3;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Throughput of one mode, in MB/s.
struct Figures {
    ingest: f64,
    read: f64,
}

/// `fonds bench at-rest`.
pub async fn run(files: usize, file_kib: usize) -> anyhow::Result<ExitCode> {
    // Each record carries two small documents and one attachment of `file_kib`.
    let corpus = Corpus {
        records: files,
        scan_every: 1,
        scan_size: file_kib * 1024,
    };
    let modes = [
        ("off", AtRest::default()),
        ("aes-256-gcm", super::throwaway_sealing(Cipher::Aes256Gcm)?),
        ("sm4-gcm", super::throwaway_sealing(Cipher::Sm4Gcm)?),
    ];
    // The modes take turns, ROUNDS times, and each figure is the median of its rounds: a
    // disk's fsync latency drifts over a run, and one pass per mode would credit the drift to
    // the cipher.
    let mut rounds: Vec<Vec<Figures>> = modes.iter().map(|_| Vec::new()).collect();
    for round in 1..=ROUNDS {
        for ((name, at_rest), figures) in modes.iter().zip(&mut rounds) {
            let measured = one_mode(corpus, at_rest.clone()).await?;
            println!(
                "round {round} {name:<12} ingest {:>7.1} MB/s   read {:>7.1} MB/s",
                measured.ingest, measured.read
            );
            figures.push(measured);
        }
    }
    let mut results = Vec::new();
    for ((name, _), figures) in modes.iter().zip(rounds) {
        let median = Figures {
            ingest: median(figures.iter().map(|f| f.ingest).collect()),
            read: median(figures.iter().map(|f| f.read).collect()),
        };
        println!(
            "median  {name:<12} ingest {:>7.1} MB/s   read {:>7.1} MB/s",
            median.ingest, median.read
        );
        results.push((*name, median));
    }
    let off = &results[0].1;
    for (name, figures) in &results[1..] {
        println!(
            "{name:<12} ingest cost {:>5.1} %   read cost {:>5.1} %   (target: under 15 %)",
            (1.0 - figures.ingest / off.ingest) * 100.0,
            (1.0 - figures.read / off.read) * 100.0
        );
        println!(
            "ratio: {:.3}   ({name} read ÷ off read)",
            figures.read / off.read
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn one_mode(corpus: Corpus, at_rest: AtRest) -> anyhow::Result<Figures> {
    let dir = tempfile::Builder::new()
        .prefix("fonds-bench-at-rest-")
        .tempdir_in(std::env::current_dir()?)?;
    let settings = Settings {
        at_rest,
        ..Settings::default()
    };
    let archive = super::bench_archive(dir.path(), settings).await?;
    let started = Instant::now();
    let (ids, contents) = ingest(&archive, corpus).await?;
    let ingest_took = started.elapsed();
    let bytes: u64 = contents.iter().map(|c| c.len() as u64).sum();

    let started = Instant::now();
    let mut read = 0u64;
    let mut buffer = Vec::new();
    for id in &ids {
        for file in archive
            .record(*id, &fonds_core::access::Scope::everything())
            .await?
            .files
        {
            let mut content = archive.open_file(file, None).await?;
            buffer.clear();
            content.reader.body.read_to_end(&mut buffer).await?;
            read += buffer.len() as u64;
        }
    }
    let read_took = started.elapsed();
    anyhow::ensure!(read == bytes, "read {read} bytes of {bytes}");

    let started = Instant::now();
    for content in &contents {
        std::hint::black_box(sha2::Sha256::digest(content));
    }
    let sha_rate = bytes as f64 / started.elapsed().as_secs_f64().max(1e-9) / 1e6;
    println!(
        "corpus       {} records, {} files, {:.1} MB; SHA-256 over the same bytes {sha_rate:.0} MB/s",
        ids.len(),
        contents.len(),
        bytes as f64 / 1e6
    );
    Ok(Figures {
        ingest: bytes as f64 / ingest_took.as_secs_f64().max(1e-9) / 1e6,
        read: bytes as f64 / read_took.as_secs_f64().max(1e-9) / 1e6,
    })
}
