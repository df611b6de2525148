//! `fonds bench ingest`: vouchers with two files each, sent over HTTP by concurrent clients to a
//! fresh server on this machine, with the machine's own limits measured in the same run so the
//! figures can be read as ratios.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use sha2::Digest as _;

use crate::cli::{Bench, BenchArgs};

mod at_rest;
mod backup;
mod checks;
mod reads;
mod server;
mod signed;

/// File syncs one accepted voucher costs: two blobs (file and directory each) and the commit.
const FSYNCS_PER_RECORD: f64 = 5.0;

/// `fonds bench`.
pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.which {
        Bench::Ingest {
            records,
            clients,
            file_size,
        } => ingest(records, clients, file_size).await,
        Bench::Checks {
            records,
            scan_every,
            scan_kib,
            clamd,
        } => {
            let corpus = checks::Corpus {
                records,
                scan_every,
                scan_size: scan_kib * 1024,
            };
            checks::run(corpus, clamd).await
        }
        Bench::Backup { records, scan_kib } => {
            backup::run(checks::Corpus {
                records,
                scan_every: 1,
                scan_size: scan_kib * 1024,
            })
            .await
        }
        Bench::AtRest { files, file_kib } => at_rest::run(files, file_kib).await,
        Bench::Reads { records, readers } => reads::run(records, readers).await,
        Bench::Signed {
            records,
            clients,
            file_size,
        } => signed::run(records, clients, file_size).await,
    }
}

/// Deterministic, distinct content for file `n` (content-addressed storage would deduplicate
/// identical files and flatter the figures): lines of hexadecimal text, so that the
/// four-properties check at submission identifies it as plain text, an accepted format.
fn content(n: u64, size: usize) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut state = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut out = Vec::with_capacity(size + 17);
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for shift in (0..64).step_by(4) {
            out.push(HEX[usize::try_from((state >> shift) & 0xF).unwrap_or(0)]);
        }
        out.push(b'\n');
    }
    out.truncate(size);
    out
}

fn manifest(i: u32, files: [(&str, &[u8]); 2]) -> String {
    let month = i % 12 + 1;
    let file = |(part, bytes): (&str, &[u8]), role: &str| {
        serde_json::json!({
            "part": part, "role": role, "file_name": format!("{part}.txt"),
            "sha256": hex::encode(sha2::Sha256::digest(bytes)),
        })
    };
    serde_json::json!({
        "fonds": "B001",
        "records": [{
            "key": format!("bench-{i}"),
            "kind": "accounting_voucher",
            "fiscal_year": 2023,
            "period": month,
            "voucher_number": format!("记-{i:06}"),
            "date": format!("2023-{month:02}-15"),
            "title": format!("基准测试凭证 {i}"),
            "amount": "1280.00",
            "entries": [
                {"summary": "报销差旅费", "account_code": "6602.01", "account_name": "管理费用-差旅费", "debit": "1280.00"},
                {"summary": "报销差旅费", "account_code": "1002", "account_name": "银行存款", "credit": "1280.00"}
            ],
            "files": [file(files[0], "main"), file(files[1], "invoice")]
        }]
    })
    .to_string()
}

async fn ingest(records: u32, clients: u32, file_size: usize) -> anyhow::Result<ExitCode> {
    if records == 0 || clients == 0 {
        bail!("--records and --clients must be at least 1");
    }
    let server = server::start().await?;
    let (base, token, dir) = (
        server.base.clone(),
        server.token.clone(),
        server.dir.path().to_owned(),
    );
    println!(
        "fonds bench ingest: {records} vouchers × 2 files × {file_size} bytes, {clients} clients, data in {}",
        dir.display()
    );
    let client = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, next, token, base) = (
            client.clone(),
            Arc::clone(&next),
            token.clone(),
            base.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= records {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let a = content(u64::from(i) * 2, file_size);
                let b = content(u64::from(i) * 2 + 1, file_size);
                let form = reqwest::multipart::Form::new()
                    .text("manifest", manifest(i, [("a", &a), ("b", &b)]))
                    .part("a", reqwest::multipart::Part::bytes(a))
                    .part("b", reqwest::multipart::Part::bytes(b));
                let sent = Instant::now();
                // The latency is the receipt's: received durably. Records/s below counts the
                // records the pipeline has accepted, waiting for the last one.
                let response = client
                    .post(format!("{base}/api/v1/submissions"))
                    .bearer_auth(&token)
                    .multipart(form)
                    .send()
                    .await?;
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                if status.as_u16() != 202 {
                    bail!("submission {i} answered {status}: {body}");
                }
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies = Vec::with_capacity(records as usize);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let receipts = started.elapsed();
    // Ingest ends when the pipeline has accepted every record.
    while server.archive.count_records().await? < u64::from(records) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let wall = started.elapsed();

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    let bytes = u64::from(records) * 2 * file_size as u64;
    let rate = f64::from(records) / wall.as_secs_f64();
    let mbps = bytes as f64 / wall.as_secs_f64() / 1e6;
    println!();
    println!(
        "ingest      {records} records in {:.2} s",
        wall.as_secs_f64()
    );
    println!("            {rate:.0} records/s accepted, {mbps:.1} MB/s of file content");
    println!(
        "receipts    all {records} received durably after {:.2} s ({:.0}/s)",
        receipts.as_secs_f64(),
        f64::from(records) / receipts.as_secs_f64()
    );
    println!(
        "latency     of the receipt: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(pct(1.0))
    );

    let (sha_mbps, fsyncs) = machine_limits(&dir, file_size)?;
    let ceiling = fsyncs / FSYNCS_PER_RECORD;
    println!();
    println!("machine     SHA-256 {sha_mbps:.0} MB/s over the same kind of bytes (one core)");
    println!("            {fsyncs:.0} fsync'd {file_size}-byte writes/s in the data directory");
    println!(
        "ratios      ingest bytes / SHA-256 = {:.2}",
        mbps / sha_mbps
    );
    println!(
        "            records/s / (fsync'd writes/s ÷ {FSYNCS_PER_RECORD}) = {:.2}   (1.00 = every record costs only its {FSYNCS_PER_RECORD} syncs)",
        rate / ceiling
    );
    Ok(ExitCode::SUCCESS)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// SHA-256 throughput over generated content, and fsync'd writes per second, each for about
/// two seconds.
fn machine_limits(dir: &std::path::Path, file_size: usize) -> anyhow::Result<(f64, f64)> {
    let sample = content(u64::MAX, 8 * 1024 * 1024);
    let started = Instant::now();
    let mut hashed = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        std::hint::black_box(sha2::Sha256::digest(&sample));
        hashed += sample.len() as u64;
    }
    let sha_mbps = hashed as f64 / started.elapsed().as_secs_f64() / 1e6;

    let payload = content(7, file_size);
    let path = dir.join("fsync-probe");
    let started = Instant::now();
    let mut writes = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        let mut file = std::fs::File::create(&path)?;
        file.write_all(&payload)?;
        file.sync_all()?;
        writes += 1;
    }
    std::fs::remove_file(&path)?;
    Ok((sha_mbps, writes as f64 / started.elapsed().as_secs_f64()))
}

/// Keys and sealing with a throwaway master key, as `serve` seals by default, for benchmarks.
pub fn throwaway_sealing(
    cipher: fonds_core::at_rest::Cipher,
) -> anyhow::Result<fonds_core::at_rest::AtRest> {
    let key = fonds_core::at_rest::MasterKey::generate()?;
    Ok(fonds_core::at_rest::AtRest {
        keys: Some(Arc::new(fonds_core::at_rest::Keyring::new(key, Vec::new()))),
        seal_with: Some(cipher),
    })
}

/// A fresh archive in `dir` with the benchmark fonds Z001.
pub async fn bench_archive(
    dir: &std::path::Path,
    settings: fonds_core::Settings,
) -> anyhow::Result<fonds_core::Archive> {
    let archive = fonds_core::Archive::open_embedded(dir, settings).await?;
    archive
        .ensure_fonds(
            &fonds_domain::Fonds {
                code: "Z001".parse()?,
                name: "基准测试".into(),
                retention_scheme: fonds_domain::RetentionScheme::Enterprise,
                code_pattern: fonds_domain::ArchivalCodePattern::dat94(),
            },
            &fonds_core::Actor::cli(),
        )
        .await?;
    Ok(archive)
}
