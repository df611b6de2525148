//! `fonds init` and `fonds token`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::{Actor, Archive, Settings};
use fonds_domain::{ArchivalCodePattern, Fonds, RetentionScheme};

use crate::cli::{InitArgs, TokenArgs};

/// Creates the data directory, its fonds and an admin token; returns the token.
pub async fn initialise(data: &Path, args: &InitArgs) -> anyhow::Result<String> {
    let fonds = Fonds {
        code: args.fonds_code.parse().context("--fonds")?,
        name: args.fonds_name.clone(),
        retention_scheme: args
            .scheme
            .parse::<RetentionScheme>()
            .map_err(anyhow::Error::msg)?,
        code_pattern: ArchivalCodePattern::dat94(),
    };
    let settings = Settings {
        audit_hash: args.audit_hash.into(),
        ..super::settings(data)?
    };
    let archive = Archive::open_embedded(data, settings).await?;
    archive.ensure_fonds(&fonds, &Actor::cli()).await?;
    let token = archive.issue_token("admin", &Actor::cli()).await?;
    tracing::info!(data = %data.display(), fonds = %fonds.code, "data directory initialised");
    Ok(token.secret)
}

/// `fonds init`.
pub async fn run(data: &Path, args: InitArgs) -> anyhow::Result<ExitCode> {
    if super::is_initialised(data) {
        anyhow::bail!(
            "{} is already initialised; to get another token run `fonds token --data {}`",
            data.display(),
            data.display()
        );
    }
    let token = initialise(data, &args).await?;
    println!(
        "Initialised {} with fonds {} ({}).",
        data.display(),
        args.fonds_code,
        args.fonds_name
    );
    super::print_token_help("http://127.0.0.1:8080", &token);
    Ok(ExitCode::SUCCESS)
}

/// `fonds token`.
pub async fn token(data: &Path, args: TokenArgs) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    let token = archive.issue_token(&args.label, &Actor::cli()).await?;
    println!("New token labelled `{}`:", args.label);
    super::print_token_help("http://127.0.0.1:8080", &token.secret);
    Ok(ExitCode::SUCCESS)
}
