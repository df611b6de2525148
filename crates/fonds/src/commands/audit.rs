//! `fonds audit verify`: recompute the audit chain and name the first broken event.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::Settings;
use fonds_core::audit::AuditHead;

use crate::cli::AuditCommand;

/// `fonds audit …`.
pub async fn run(data: &Path, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { head } => verify(data, head.as_deref()).await,
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
