//! A fresh Fonds on this machine for one benchmark run: a temporary data directory, fonds B001,
//! an admin token, workers and the webhook sender, serving on a loopback port.

use anyhow::Context as _;
use fonds_core::{Archive, Settings, Workers};
use fonds_domain::{ArchivalCodePattern, Fonds, RetentionScheme};

/// A running server; it stops when dropped.
pub struct BenchServer {
    /// Where it serves, e.g. `http://127.0.0.1:40123`.
    pub base: String,
    /// An admin token.
    pub token: String,
    /// The archive behind it.
    pub archive: Archive,
    /// Its data directory, removed when the server is dropped.
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _workers: Workers,
    _sender: fonds_core::webhooks::WebhookSender,
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts one.
pub async fn start() -> anyhow::Result<BenchServer> {
    let dir = tempfile::tempdir().context("cannot create a temporary data directory")?;
    let archive = Archive::open_embedded(dir.path(), Settings::default()).await?;
    archive
        .ensure_fonds(
            &Fonds {
                code: "B001".parse()?,
                name: "基准测试".into(),
                retention_scheme: RetentionScheme::Enterprise,
                code_pattern: ArchivalCodePattern::dat94(),
            },
            &fonds_core::Actor::cli(),
        )
        .await?;
    let token = archive
        .issue_token(
            "bench",
            &fonds_core::TokenGrant::operational(),
            &fonds_core::Actor::cli(),
        )
        .await?
        .secret;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = archive.spawn_workers(2);
    let sender = archive.spawn_webhook_sender()?;
    tokio::spawn(fonds_http::serve(listener, archive.clone(), async {
        let _ = stopped.await;
    }));
    Ok(BenchServer {
        base,
        token,
        archive,
        dir,
        stop: Some(stop),
        _workers: workers,
        _sender: sender,
    })
}
