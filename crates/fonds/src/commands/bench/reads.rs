//! `fonds bench reads`: what authorisation and the audit trail cost on the read path (issue 5
//! item 8). The same records are read — the description, then every file's bytes — four ways:
//!
//! - **bare**: the same three requests with nobody to authorise or record: the description
//!   (`Archive::record` over every record), then each file looked up by its record and opened
//!   (`file`, `open_file`);
//! - **authorised**: as a request of a logged-in 档案管理员 is served, without its audit: the
//!   session is resolved from its secret, the person's live grants become their rights, the
//!   permission is required and its data scope applied inside the queries (`record`, `file`);
//! - **audited, durable** and **audited, relaxed**: authorised, and each content read appends its
//!   event before the content is handed back (`view_record`, `download_file`), with
//!   `audit_read_commit` durable (the default) and relaxed;
//!
//! by one reader and by several at once (whose events share commits). The costs are printed as
//! ratios to the bare run.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use fonds_core::access::{Access, Authority, GrantRequest, default_scope};
use fonds_core::audit::ReadCommit;
use fonds_core::{Actor, Archive, Settings};
use fonds_domain::RecordId;
use fonds_domain::access::{BuiltinRole, Permission, RecordScope};
use tokio::io::AsyncReadExt as _;

use super::checks::{Corpus, ingest};

/// How many times each mode runs; each figure is the median.
const ROUNDS: usize = 3;

/// The bench reader's password (the bench archive lives for one run in a temporary directory).
const PASSWORD: &str = "Orbit-Kettle-42-River";

/// How a record is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bare,
    Authorised,
    Audited,
}

/// An archive holding the corpus, with a logged-in reader's session secret.
struct Subject {
    _dir: tempfile::TempDir,
    archive: Archive,
    session: Arc<str>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn cost(value: f64, base: f64) -> f64 {
    (value / base - 1.0) * 100.0
}

/// The caller of one request with this session secret, resolved as the HTTP extractor does: the
/// session (which must be fully open) and the person's live grants.
async fn resolve_caller(archive: &Archive, session: &str) -> anyhow::Result<Access> {
    let user = archive.session(session).await?;
    user.require_full()?;
    let actor = Actor::user(&user.user.login).from_address("127.0.0.1");
    Ok(Access::of_session(user, actor))
}

/// Reads one record and all its files the way `mode` says; answers the bytes read.
async fn read_one(
    archive: &Archive,
    session: &str,
    id: RecordId,
    mode: Mode,
) -> anyhow::Result<u64> {
    let mut bytes = 0u64;
    let mut buffer = Vec::new();
    if mode == Mode::Bare {
        // The same requests with nobody to authorise: each file is looked up by its record,
        // as the download route does.
        let everything = RecordScope::everything();
        let detail = archive.record(id, &everything).await?;
        for listed in detail.files {
            let file = archive.file(id, listed.id, &everything).await?;
            let mut content = archive.open_file(file, None).await?;
            buffer.clear();
            content.reader.body.read_to_end(&mut buffer).await?;
            bytes += buffer.len() as u64;
        }
        return Ok(bytes);
    }
    // One request for the description, one per file, each resolving its caller.
    let caller = resolve_caller(archive, session).await?;
    caller.require(Permission::RecordRead)?;
    let scope = caller.scope_for(Permission::RecordRead);
    let detail = if mode == Mode::Audited {
        archive.view_record(id, &scope, &caller.actor).await?
    } else {
        archive.record(id, &scope).await?
    };
    for listed in detail.files {
        let caller = resolve_caller(archive, session).await?;
        caller.require(Permission::FileDownload)?;
        let scope = caller.scope_for(Permission::FileDownload);
        let file = archive.file(id, listed.id, &scope).await?;
        let mut content = if mode == Mode::Audited {
            archive.download_file(file, None, &caller.actor).await?
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
    subject: &Subject,
    ids: &Arc<Vec<RecordId>>,
    readers: usize,
    mode: Mode,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for reader in 0..readers {
        let (archive, session, ids) = (
            subject.archive.clone(),
            Arc::clone(&subject.session),
            Arc::clone(ids),
        );
        tasks.push(tokio::spawn(async move {
            for id in ids.iter().skip(reader).step_by(readers) {
                read_one(&archive, &session, *id, mode).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed().as_secs_f64() * 1e3 / ids.len().max(1) as f64)
}

/// A fresh archive holding the bench corpus, committing read events as `commit` says, with a
/// 档案管理员 of fonds Z001 logged in.
async fn subject(
    records: usize,
    commit: ReadCommit,
) -> anyhow::Result<(Subject, Arc<Vec<RecordId>>)> {
    let dir = tempfile::Builder::new()
        .prefix("fonds-bench-reads-")
        .tempdir_in(std::env::current_dir()?)?;
    let settings = Settings {
        audit_read_commit: commit,
        ..Settings::default()
    };
    let archive = super::bench_archive(dir.path(), settings).await?;
    // The mixed corpus of `fonds bench checks`: a PDF voucher and an invoice or bank receipt
    // each, every tenth record with a 1 MiB scanned original.
    let corpus = Corpus {
        records,
        scan_every: 10,
        scan_size: 1024 * 1024,
    };
    let (ids, _) = ingest(&archive, corpus).await?;
    let cli = Actor::cli();
    archive
        .create_user("bench-reader", "基准读者", PASSWORD, &cli)
        .await?;
    let role = BuiltinRole::Archivist;
    let mut scope = default_scope(role);
    scope.fonds = fonds_domain::access::Selection::only(["Z001".parse()?]);
    archive
        .grant(
            &GrantRequest {
                login: "bench-reader".into(),
                role,
                scope,
                expires_at: None,
            },
            Authority::Console,
            &cli,
        )
        .await?;
    let login = archive
        .login("bench-reader", PASSWORD, Some("127.0.0.1"), None)
        .await?;
    Ok((
        Subject {
            _dir: dir,
            archive,
            session: Arc::from(login.secret.as_str()),
        },
        Arc::new(ids),
    ))
}

/// `fonds bench reads`.
pub async fn run(records: usize, readers: usize) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        records > 0 && readers > 0,
        "--records and --readers must be at least 1"
    );
    let (durable, ids) = subject(records, ReadCommit::Durable).await?;
    let (relaxed, relaxed_ids) = subject(records, ReadCommit::Relaxed).await?;
    println!(
        "corpus  {} records of two files (every tenth with a third, a 1 MiB scan), each read \
         whole: the description and each file, one request and one audit event each",
        ids.len()
    );
    for concurrency in [1, readers] {
        let mut figures = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        // The modes take turns so that drift in the disk's latency is not credited to any.
        for round in 1..=ROUNDS {
            let b = one_pass(&durable, &ids, concurrency, Mode::Bare).await?;
            let a = one_pass(&durable, &ids, concurrency, Mode::Authorised).await?;
            let d = one_pass(&durable, &ids, concurrency, Mode::Audited).await?;
            let r = one_pass(&relaxed, &relaxed_ids, concurrency, Mode::Audited).await?;
            println!(
                "round {round} readers {concurrency:>2}  bare {b:>7.3}   authorised {a:>7.3}   \
                 audited durable {d:>7.3}   audited relaxed {r:>7.3} ms/record"
            );
            for (list, value) in figures.iter_mut().zip([b, a, d, r]) {
                list.push(value);
            }
        }
        let [b, a, d, r] = figures.map(median);
        println!(
            "median  readers {concurrency:>2}  bare {b:>7.3}   authorised {a:>7.3} (cost {:>6.1} %)   \
             audited durable {d:>7.3} (cost {:>6.1} %)   audited relaxed {r:>7.3} (cost {:>6.1} %) \
             ms/record",
            cost(a, b),
            cost(d, b),
            cost(r, b)
        );
        println!(
            "ratio   readers {concurrency:>2}  authorisation and audit (durable) over bare: {:.3}   \
             (target: under 1.15)",
            d / b
        );
    }
    for subject in [&durable, &relaxed] {
        let report = subject.archive.verify_audit_chain().await?;
        anyhow::ensure!(report.is_ok(), "the audit trail broke during the run");
    }
    println!("audit trails whole");
    Ok(ExitCode::SUCCESS)
}
