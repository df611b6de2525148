//! `fonds init` and `fonds token`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::{Actor, Archive, Settings, TokenGrant};
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
    let token = archive
        .issue_token("admin", &TokenGrant::operational(), &Actor::cli())
        .await?;
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
    println!("  This token is for scripts (the operational permissions of docs/people.md).");
    println!("  People log in; appoint the three officers here, on the server's machine:");
    println!("    fonds user add admin --name 姓名 --role system_administrator < password.txt");
    println!("    fonds user add secoff --name 姓名 --role security_officer < password.txt");
    println!("    fonds user add auditor --name 姓名 --role security_auditor < password.txt");
    println!();
    Ok(ExitCode::SUCCESS)
}

/// `fonds token`.
pub async fn token(data: &Path, args: TokenArgs) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    let permissions = if args.permissions.is_empty() {
        fonds_core::access::OPERATIONAL_PERMISSIONS
    } else {
        args.permissions
            .iter()
            .map(|p| p.parse::<fonds_domain::access::Permission>())
            .collect::<Result<_, _>>()
            .context("--permission")?
    };
    let grant = TokenGrant {
        permissions,
        scope: super::access::scope_of(
            &args.scope,
            &fonds_domain::access::DataScope::everything(),
        )?,
        expires_at: super::access::expiry_of(args.expires.as_deref())?,
    };
    let token = archive
        .issue_token(&args.label, &grant, &Actor::cli())
        .await
        .map_err(|e| anyhow::anyhow!("{} ({})", e.detail, e.code))?;
    println!("New token labelled `{}`:", args.label);
    println!(
        "  permissions: {}",
        permissions
            .iter()
            .map(|p| p.code())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("  scope: {}", super::access::describe_scope(&grant.scope));
    if let Some(at) = grant.expires_at {
        println!("  expires: {at}");
    }
    super::print_token_help("http://127.0.0.1:8080", &token.secret);
    Ok(ExitCode::SUCCESS)
}
