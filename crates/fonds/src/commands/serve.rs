//! `fonds serve`: the API on the embedded default, zero configuration.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::checks::CheckSettings;
use fonds_core::scan::{ClamdAddress, ClamdScanner};
use fonds_core::{Archive, ReusePolicy, Settings};
use tokio::net::TcpListener;

use crate::cli::{InitArgs, ServeArgs};

/// `fonds serve`.
pub async fn run(data: &Path, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings {
        max_upload_bytes: args.max_upload_mib * 1024 * 1024,
        checks: check_settings(&args)?,
        ..Settings::default()
    };
    let new_token = if super::is_initialised(data) {
        None
    } else {
        let defaults = InitArgs {
            fonds_code: "Z001".into(),
            fonds_name: "本单位".into(),
            scheme: "enterprise".into(),
        };
        Some(super::init::initialise(data, &defaults).await?)
    };
    let archive = super::open(data, settings).await?;
    serve(archive, args.listen, new_token.as_deref()).await
}

/// The check settings from the command line.
fn check_settings(args: &ServeArgs) -> anyhow::Result<CheckSettings> {
    let scanner = args
        .clamd
        .as_deref()
        .map(|address| {
            address
                .parse::<ClamdAddress>()
                .map(|a| ClamdScanner::new(a, std::time::Duration::from_secs(60)))
                .with_context(|| format!("--clamd {address}"))
        })
        .transpose()?;
    let duplicate_invoices = match args.duplicate_invoices.as_str() {
        "reject" => ReusePolicy::Reject,
        "flag" => ReusePolicy::Flag,
        other => anyhow::bail!("--duplicate-invoices {other}: use reject or flag"),
    };
    Ok(CheckSettings {
        scanner,
        duplicate_invoices,
        ..CheckSettings::default()
    })
}

/// Binds, prints where to go, and serves until Ctrl-C or SIGTERM.
pub async fn serve(
    archive: Archive,
    listen: std::net::SocketAddr,
    token: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let listener = TcpListener::bind(listen).await.with_context(|| {
        format!(
            "cannot listen on {listen}; is another program using it? choose another with --listen"
        )
    })?;
    let local = listener.local_addr()?;
    let base = format!("http://{local}");
    println!("Fonds is serving at {base}");
    match token {
        Some(token) => super::print_token_help(&base, token),
        None => println!(
            "  Authenticate with the token `fonds init` printed; `fonds token` issues another.\n"
        ),
    }
    tracing::info!(address = %local, "serving");
    // Received submissions are processed by these workers, also those a crash interrupted.
    archive.recover_interrupted_jobs().await?;
    let _workers = archive.spawn_workers(2);
    let _sender = archive.spawn_webhook_sender()?;
    // The long-term stage: archived records are checked again once their last check is older
    // than a year (DA/T 92 9.4.1); the schedule looks for due records every hour.
    let preservation = archive.spawn_preservation_checks(std::time::Duration::from_secs(3600));
    fonds_http::serve(listener, archive, shutdown_signal())
        .await
        .context("the server failed")?;
    preservation.abort();
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
