//! `fonds webhook …`: endpoints, deliveries and dead letters.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::Settings;

use crate::cli::WebhookCommand;

/// `fonds webhook`.
pub async fn run(data: &Path, command: WebhookCommand) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    match command {
        WebhookCommand::Add {
            client,
            url,
            events,
        } => {
            let client = client.parse().context("client id")?;
            let endpoint = archive
                .add_webhook(&client, &url, &events, &fonds_core::Actor::cli())
                .await?;
            println!(
                "Registered {} for {}: {} → {}",
                endpoint.id,
                endpoint.client,
                endpoint.events.join(","),
                endpoint.url
            );
        }
        WebhookCommand::List => {
            for e in archive.webhooks(None).await? {
                let state = if e.enabled { "enabled" } else { "disabled" };
                println!(
                    "{}  {}  {state:<8}  {}  {}",
                    e.id,
                    e.client,
                    e.events.join(","),
                    e.url
                );
            }
        }
        WebhookCommand::Deliveries { state, limit } => {
            for d in archive.webhook_deliveries(state.as_deref(), limit).await? {
                println!(
                    "{}  {:<20} {:<9} attempts {:<3} last {}  {}",
                    d.id,
                    d.event,
                    d.state,
                    d.attempts,
                    d.last_status
                        .map_or_else(|| "-".to_owned(), |s| s.to_string()),
                    d.last_error.unwrap_or_default()
                );
            }
        }
        WebhookCommand::Replay { id } => {
            archive
                .replay_webhook(&id, &fonds_core::Actor::cli())
                .await?;
            println!(
                "Delivery {id} is queued again; a running `fonds serve` sends it within a second."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
