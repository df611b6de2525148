//! `fonds audit verify`: recompute the audit chain and name the first broken event;
//! `fonds audit export`, `public-key` and `verify-export`: the signed export of the trail.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::audit::{Actor, AuditHead};
use fonds_core::{Settings, signing_key};

use crate::cli::AuditCommand;

/// `fonds audit …`.
pub async fn run(data: &Path, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { head } => verify(data, head.as_deref()).await,
        AuditCommand::Export { out, from } => export(data, &out, from).await,
        AuditCommand::PublicKey => public_key(data),
        AuditCommand::VerifyExport { file, public_key } => verify_export(file, &public_key).await,
    }
}

fn audit_key(data: &Path) -> anyhow::Result<signing_key::SigningKey> {
    let path = fonds_core::audit::signing_key_file(data);
    signing_key::load_or_create(&path, "audit exports")
        .map_err(|e| anyhow::anyhow!("{e}; keep the key file owner-only and unchanged"))
}

async fn export(data: &Path, out: &Path, from: i64) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    let key = audit_key(data)?;
    let report = archive
        .export_audit(out, from, &key, &Actor::cli())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    let c = &report.checkpoint;
    println!(
        "Exported {} events ({} to {}) to {}, head {} {} ({}), signed with ed25519 key {}",
        c.count,
        c.first_sequence,
        c.last_sequence,
        report.path.display(),
        c.last_sequence,
        c.head_hash,
        c.hash_algorithm,
        report.public_key
    );
    Ok(ExitCode::SUCCESS)
}

fn public_key(data: &Path) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        super::is_initialised(data),
        "{} is not a Fonds data directory; run `fonds init --data {}` first",
        data.display(),
        data.display()
    );
    let key = audit_key(data)?;
    println!("{}", signing_key::public_hex(&key.verifying_key()));
    Ok(ExitCode::SUCCESS)
}

async fn verify_export(file: PathBuf, public_key: &str) -> anyhow::Result<ExitCode> {
    let text = if public_key.trim().len() == 64 {
        public_key.to_owned()
    } else {
        std::fs::read_to_string(public_key).with_context(|| {
            format!("--public-key is neither 64 hex digits nor a readable file: {public_key}")
        })?
    };
    let key = signing_key::parse_public(&text).map_err(|e| anyhow::anyhow!("--public-key: {e}"))?;
    let checked =
        tokio::task::spawn_blocking(move || fonds_core::audit::verify_export(&file, &key))
            .await
            .context("the export check stopped")?;
    match checked {
        Ok(check) => {
            let c = &check.checkpoint;
            println!(
                "OK: {} events ({} to {}), head {} {} ({}), exported {}, signature valid",
                c.count,
                c.first_sequence,
                c.last_sequence,
                c.last_sequence,
                c.head_hash,
                c.hash_algorithm,
                c.exported_at
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(fault) => {
            println!("FAILED: {fault}. Do not rely on this export; obtain a fresh one.");
            Ok(ExitCode::from(1))
        }
    }
}

async fn verify(data: &Path, head: Option<&str>) -> anyhow::Result<ExitCode> {
    let anchor = head.map(parse_head).transpose()?;
    let archive = super::open(data, Settings::default()).await?;
    let report = archive.verify_audit_chain_from(anchor).await?;
    match (&report.broken, &report.head) {
        (None, Some(head)) => {
            println!(
                "OK: {} events, head {} {} ({})",
                report.events, head.sequence, head.hash, report.algorithm
            );
            Ok(ExitCode::SUCCESS)
        }
        (Some(broken), _) => {
            println!(
                "FAILED: the audit trail is broken at {broken}. {} events before it check out. \
                 Keep this data directory as evidence and compare it with the last backup \
                 (`fonds backup verify`).",
                report.events
            );
            Ok(ExitCode::from(1))
        }
        (None, None) => anyhow::bail!("the audit trail check ended without a head or a break"),
    }
}

/// `SEQUENCE:HASH`, as printed by `fonds audit verify`.
fn parse_head(text: &str) -> anyhow::Result<AuditHead> {
    let (sequence, hash) = text
        .split_once(':')
        .context("--head is SEQUENCE:HASH, e.g. 42:3f…(64 hex digits)")?;
    let sequence = sequence
        .trim()
        .parse()
        .context("--head: the sequence number before `:` is not a number")?;
    let hash = hash.trim().to_ascii_lowercase();
    anyhow::ensure!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "--head: the hash after `:` must be 64 hex digits"
    );
    Ok(AuditHead { sequence, hash })
}
