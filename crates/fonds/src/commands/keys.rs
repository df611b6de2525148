//! `fonds keys status` and `fonds keys rotate`: the master keys of encryption at rest.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::at_rest::{self, KeyProvider as _, KeySource};
use fonds_core::{Actor, Settings};

use crate::cli::KeysCommand;

/// `fonds keys …`.
pub async fn run(data: &Path, command: KeysCommand) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        super::is_initialised(data),
        "{} is not a Fonds data directory; run `fonds init --data {}` first",
        data.display(),
        data.display()
    );
    let config = super::config(data)?;
    let source = KeySource::new(data, config.master_key_file.as_deref());
    match command {
        KeysCommand::Status => status(&source, &config),
        KeysCommand::Rotate => rotate(data, &source).await,
    }
}

fn status(source: &KeySource, config: &crate::config::Config) -> anyhow::Result<ExitCode> {
    let keyring = source
        .keyring()
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    match config.encryption.cipher() {
        Some(cipher) => println!("new files are sealed with {cipher}"),
        None => println!("new files are stored in the clear (encryption = \"off\")"),
    }
    let from = if source.env_key.is_some() {
        at_rest::MASTER_KEY_ENV.to_owned()
    } else {
        source.key_file.display().to_string()
    };
    match keyring {
        Some(keyring) => {
            println!("current master key {} (from {from})", keyring.current());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            println!("no master key at {from}: sealed files cannot be read");
            Ok(ExitCode::from(1))
        }
    }
}

async fn rotate(data: &Path, source: &KeySource) -> anyhow::Result<ExitCode> {
    let rotation = at_rest::rotate(data, source).map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    // The rotation touched files, not the database, so its event follows it on its own.
    super::open(data, Settings::default())
        .await?
        .audit_key_rotation(&Actor::cli(), &rotation)
        .await
        .context("the key was rotated, but recording the rotation in the audit trail failed")?;
    println!(
        "Rotated the master key {} -> {}: {} files rewrapped, {} already under the new key, {} stored in the clear.",
        rotation.old_key,
        rotation.new_key,
        rotation.counts.rewrapped,
        rotation.counts.already_current,
        rotation.counts.not_sealed
    );
    println!(
        "The new key is in {}. Copy it somewhere apart from this machine and its backups now.",
        source.key_file.display()
    );
    println!(
        "The old key was kept as {}: backups taken before this rotation need it. Destroy it only \
         when those backups have expired.",
        rotation.retired_to.display()
    );
    Ok(ExitCode::SUCCESS)
}
