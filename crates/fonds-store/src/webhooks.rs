//! The contract for outbound webhooks: endpoints that client systems register, and the outbox
//! of deliveries written in the same transaction as the events they announce.

use fonds_domain::ClientId;
use time::OffsetDateTime;

/// An endpoint to register.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    /// Its id.
    pub id: String,
    /// The client it belongs to; deliveries are signed with this client's secret.
    pub client: ClientId,
    /// Where events are POSTed.
    pub url: String,
    /// The events it wants.
    pub events: Vec<String>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A registered endpoint.
#[derive(Debug, Clone)]
pub struct EndpointRow {
    /// Its id.
    pub id: String,
    /// The client it belongs to.
    pub client: ClientId,
    /// Where events are POSTed.
    pub url: String,
    /// The events it wants.
    pub events: Vec<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// When it was registered.
    pub created_at: OffsetDateTime,
}

/// A delivery leased by a sender.
#[derive(Debug, Clone)]
pub struct LeasedDelivery {
    /// The delivery id (`X-Fonds-Delivery`).
    pub id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// Its client.
    pub client: ClientId,
    /// Its URL.
    pub url: String,
    /// The event name (`X-Fonds-Event`).
    pub event: String,
    /// The JSON body.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// Attempts since the retry window started (a replay starts a new one); the back-off grows
    /// with these.
    pub window_attempts: u32,
    /// When the retry window started (Unix ms).
    pub window_start_ms: i64,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptOutcome {
    /// The HTTP status, if the endpoint answered.
    pub status: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u64,
}

/// What happens to a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// The endpoint took it.
    Delivered,
    /// Try again at this time (Unix ms).
    RetryAt(i64),
    /// Retries are exhausted: park it as a dead letter.
    Dead,
}

/// A delivery as listed.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    /// Id.
    pub id: String,
    /// Endpoint.
    pub endpoint_id: String,
    /// Event.
    pub event: String,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When the event happened.
    pub created_at: OffsetDateTime,
    /// When it was delivered or given up.
    pub finished_at: Option<OffsetDateTime>,
    /// The last attempt's status.
    pub last_status: Option<u16>,
    /// The last attempt's error.
    pub last_error: Option<String>,
}
