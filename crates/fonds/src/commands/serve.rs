//! `fonds serve`: the API on the embedded default, zero configuration; settings from
//! `fonds.toml`, `FONDS_*` and the command line (see [`crate::config`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use fonds_core::audit::ReadCommit;
use fonds_core::checks::CheckSettings;
use fonds_core::scan::{ClamdAddress, ClamdScanner};
use fonds_core::{Archive, ReusePolicy, Settings};
use tokio::net::TcpListener;

use crate::cli::{InitArgs, ServeArgs};
use crate::config::{AuditReadCommit, Config, DuplicateInvoices};
use crate::tls::TlsFiles;

/// What `serve` runs beside the API.
#[derive(Debug, Clone)]
pub struct ServePlan {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The data directory, for scheduled backups.
    pub data: PathBuf,
    /// Scheduled backups: destination, interval, how many kept.
    pub backups: Option<(PathBuf, Duration, usize)>,
    /// The certificate and key, when serving HTTPS.
    pub tls: Option<TlsFiles>,
}

impl ServePlan {
    /// Serving `data` on a loopback address with no scheduled backups (the demo).
    #[must_use]
    pub fn local(data: &Path, listen: SocketAddr) -> Self {
        Self {
            listen,
            data: data.to_path_buf(),
            backups: None,
            tls: None,
        }
    }
}

/// `fonds serve`.
pub async fn run(
    data: &Path,
    config_file: Option<&Path>,
    args: ServeArgs,
) -> anyhow::Result<ExitCode> {
    let (file, explicit) = match config_file {
        Some(file) => (file.to_path_buf(), true),
        None => (data.join("fonds.toml"), false),
    };
    let config = Config::load(Some(&file), explicit, &args.overrides())?;
    check_exposure(&config)?;
    let tls = if config.tls {
        Some(crate::tls::prepare(&config, data)?)
    } else {
        None
    };
    let mut settings = settings_of(&config)?;
    // Before anything is created: a fresh data directory gets its master key first.
    settings.at_rest = super::at_rest_of(data, &config)?;
    let new_token = if super::is_initialised(data) {
        None
    } else {
        let defaults = InitArgs {
            fonds_code: "Z001".into(),
            fonds_name: "本单位".into(),
            scheme: "enterprise".into(),
            audit_hash: crate::cli::AuditHashArg::default(),
        };
        Some(super::init::initialise(data, &defaults).await?)
    };
    let archive = super::open(data, settings).await?;
    let plan = ServePlan {
        listen: config.listen,
        data: data.to_path_buf(),
        backups: config.backup_dir.clone().map(|dest| {
            (
                dest,
                Duration::from_secs(u64::from(config.backup_every_hours) * 3600),
                usize::try_from(config.backup_keep).unwrap_or(usize::MAX),
            )
        }),
        tls,
    };
    serve(archive, &plan, new_token.as_deref()).await
}

/// Plain HTTP leaves the machine only when asked for explicitly.
fn check_exposure(config: &Config) -> anyhow::Result<()> {
    if !config.tls && !config.listen.ip().is_loopback() {
        if !config.plain_http {
            anyhow::bail!(
                "refusing plain HTTP on {}, which other machines can reach: serve HTTPS with --tls, or put a TLS-terminating proxy in front and pass --plain-http (or plain_http = true), or listen on 127.0.0.1",
                config.listen
            );
        }
        tracing::warn!(
            address = %config.listen,
            "serving plain HTTP on a reachable address, as plain_http asks: only a TLS-terminating proxy in front keeps tokens and documents off the wire"
        );
    }
    Ok(())
}

/// The archive's settings from the configuration.
fn settings_of(config: &Config) -> anyhow::Result<Settings> {
    let scanner = config
        .clamd
        .as_deref()
        .map(|address| {
            address
                .parse::<ClamdAddress>()
                .map(|a| ClamdScanner::new(a, Duration::from_secs(60)))
                .with_context(|| format!("clamd `{address}`"))
        })
        .transpose()?;
    let frame_ancestors = config
        .frame_ancestors
        .iter()
        .map(|origin| crate::config::parse_origin(origin))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Settings {
        hsts: config.tls,
        max_upload_bytes: config.max_upload_mib.saturating_mul(1024 * 1024),
        frame_ancestors,
        rate_limit_per_minute: config.rate_limit_per_minute,
        client_rate_limit_per_minute: config.client_rate_limit_per_minute,
        audit_read_commit: match config.audit_read_commit {
            AuditReadCommit::Durable => ReadCommit::Durable,
            AuditReadCommit::Relaxed => ReadCommit::Relaxed,
        },
        people: fonds_core::people::PeopleSettings {
            session_idle_timeout: Duration::from_secs(u64::from(config.session_idle_minutes) * 60),
            session_absolute_timeout: Duration::from_secs(
                u64::from(config.session_absolute_hours) * 3600,
            ),
            require_second_factor: config.require_second_factor.policy(),
            review: config.review(),
            ..fonds_core::people::PeopleSettings::default()
        },
        checks: CheckSettings {
            scanner,
            duplicate_invoices: match config.duplicate_invoices {
                DuplicateInvoices::Reject => ReusePolicy::Reject,
                DuplicateInvoices::Flag => ReusePolicy::Flag,
            },
            fixity_cycle_days: config.fixity_cycle_days,
            preservation_interval: Duration::from_secs(
                u64::from(config.preservation_interval_days) * 24 * 3600,
            ),
            ..CheckSettings::default()
        },
        ..Settings::default()
    })
}

/// Binds, prints where to go, and serves until Ctrl-C or SIGTERM, with the background work:
/// submission workers, webhook sender, the yearly preservation check, the daily fixity audit
/// and scheduled backups.
pub async fn serve(
    archive: Archive,
    plan: &ServePlan,
    token: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let listen = plan.listen;
    let listener = std::net::TcpListener::bind(listen).with_context(|| {
        format!(
            "cannot listen on {listen}; is another program using it? choose another with --listen"
        )
    })?;
    let local = listener.local_addr()?;
    let base = match &plan.tls {
        Some(files) => {
            let base = crate::tls::base_url(local);
            println!("Fonds is serving at {base}");
            println!(
                "  certificate {}, SHA-256 fingerprint {}",
                files.cert.display(),
                crate::tls::fingerprint(&files.cert)?
            );
            if let Some(ca) = &files.client_ca {
                println!(
                    "  client certificates asked for, verified against {}; clients pinned to one must present it",
                    ca.display()
                );
            }
            base
        }
        None => {
            let base = format!("http://{local}");
            println!("Fonds is serving at {base}");
            base
        }
    };
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
    // than the preservation interval (DA/T 92 9.4.1); the schedule looks for due records hourly.
    let mut background = vec![
        archive.spawn_preservation_checks(Duration::from_secs(3600)),
        // A slice of the archive re-hashed every day, the whole within the fixity cycle.
        archive.spawn_fixity_audit(Duration::from_secs(24 * 3600)),
        // A warning in the log, at start and daily, while the permission review is due.
        archive.spawn_permission_review_reminder(Duration::from_secs(24 * 3600)),
    ];
    if let Some((dest, every, keep)) = &plan.backups {
        tracing::info!(dest = %dest.display(), every_hours = every.as_secs() / 3600, keep, "scheduled backups on");
        background.push(fonds_core::backup::spawn_schedule(
            archive.clone(),
            plan.data.clone(),
            dest.clone(),
            *every,
            *keep,
        ));
    }
    match &plan.tls {
        None => {
            listener.set_nonblocking(true)?;
            let listener = TcpListener::from_std(listener)?;
            fonds_http::serve(listener, archive, shutdown_signal())
                .await
                .context("the server failed")?;
        }
        Some(files) => {
            let config = crate::tls::load(files).await?;
            background.push(crate::tls::reload_on_sighup(config.clone(), files.clone()));
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                stopper.graceful_shutdown(Some(Duration::from_secs(30)));
            });
            let app =
                fonds_http::router(archive).into_make_service_with_connect_info::<SocketAddr>();
            // The handshake's verified client certificate reaches the API as a request extension.
            axum_server::from_tcp(listener)?
                .acceptor(crate::peer_certificate::PeerCertificateAcceptor::new(
                    config,
                ))
                .handle(handle)
                .serve(app)
                .await
                .context("the server failed")?;
        }
    }
    for task in background {
        task.abort();
    }
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
