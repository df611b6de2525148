//! Outbound webhooks: client systems register endpoints for the events they want; each event is
//! written to the outbox in the same transaction as the change it announces, and the sender
//! delivers it, signed with the client's secret by the scheme of docs/integration.md, retrying
//! with exponential back-off and jitter until the retry window closes, when it becomes a dead
//! letter that an operator can replay.

mod sender;

use fonds_domain::ClientId;
use fonds_store::{DeliveryRow, EndpointRow, NewEndpoint};
use time::OffsetDateTime;

pub use sender::WebhookSender;

use crate::error::{CoreError, ErrorCode};
use crate::{Actor, Archive};

/// The events Fonds emits today.
pub const EMITTED: [&str; 4] = [
    "submission.accepted",
    "submission.rejected",
    "record.archived",
    crate::checks::FIXITY_MISMATCH_EVENT,
];

/// Events reserved for the lifecycle workflows still to come; endpoints may subscribe now.
pub const RESERVED: [&str; 6] = [
    "borrowing.requested",
    "borrowing.approved",
    "borrowing.returned",
    "transfer.completed",
    "appraisal.completed",
    "destruction.completed",
];

fn invalid(detail: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::RequestInvalid, detail)
}

impl Archive {
    /// Registers an endpoint of `client` for `events`.
    ///
    /// # Errors
    /// `request_invalid` for a URL that is not http(s) or an unknown event; `client_unknown`.
    pub async fn add_webhook(
        &self,
        client: &ClientId,
        url: &str,
        events: &[String],
        by: &Actor,
    ) -> Result<EndpointRow, CoreError> {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| invalid(format!("`{url}` is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(invalid(format!(
                "`{url}` must be an http or https URL with a host"
            )));
        }
        if events.is_empty() {
            return Err(invalid(format!(
                "name at least one event: {}",
                EMITTED.join(", ")
            )));
        }
        if let Some(unknown) = events
            .iter()
            .find(|e| !EMITTED.contains(&e.as_str()) && !RESERVED.contains(&e.as_str()))
        {
            return Err(invalid(format!(
                "`{unknown}` is not an event; known events: {}, {}",
                EMITTED.join(", "),
                RESERVED.join(", ")
            )));
        }
        if self.metadata.client(client).await?.is_none() {
            return Err(CoreError::new(
                ErrorCode::ClientUnknown,
                format!("no client `{client}` is registered"),
            ));
        }
        let endpoint = NewEndpoint {
            id: format!("wh_{}", uuid::Uuid::now_v7().simple()),
            client: client.clone(),
            url: parsed.to_string(),
            events: events.to_vec(),
            created_at: OffsetDateTime::now_utc(),
        };
        self.metadata.insert_endpoint(&endpoint, by).await?;
        tracing::info!(endpoint = %endpoint.id, client = %client, url = %endpoint.url, "webhook endpoint registered");
        let mut all = self.metadata.endpoints(Some(client)).await?;
        all.retain(|e| e.id == endpoint.id);
        all.pop().ok_or_else(|| {
            CoreError::new(
                ErrorCode::Internal,
                "the endpoint just registered is missing",
            )
        })
    }

    /// The endpoints of one client, or of all.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn webhooks(&self, client: Option<&ClientId>) -> Result<Vec<EndpointRow>, CoreError> {
        Ok(self.metadata.endpoints(client).await?)
    }

    /// Deliveries, newest first: all, or those `pending`, `delivered` or `dead`.
    ///
    /// # Errors
    /// `query_invalid` for an unknown state; a store failure.
    pub async fn webhook_deliveries(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, CoreError> {
        if state.is_some_and(|s| !["pending", "delivered", "dead"].contains(&s)) {
            return Err(CoreError::new(
                ErrorCode::QueryInvalid,
                "state must be pending, delivered or dead",
            ));
        }
        Ok(self
            .metadata
            .deliveries(state, limit.min(self.settings.max_page_size))
            .await?)
    }

    /// Replays a dead letter: it is delivered again with a fresh retry window.
    ///
    /// # Errors
    /// `request_invalid` when there is no dead letter with that id; a store failure.
    pub async fn replay_webhook(&self, delivery: &str, by: &Actor) -> Result<(), CoreError> {
        if !self
            .metadata
            .replay_delivery(delivery, OffsetDateTime::now_utc(), by)
            .await?
        {
            return Err(invalid(format!(
                "no dead letter `{delivery}`; list them with `fonds webhook deliveries --state dead`"
            )));
        }
        tracing::info!(delivery, "dead letter replayed");
        self.signals.deliveries.notify_one();
        Ok(())
    }
}
