//! Delivering webhook events: lease the next due delivery, POST it signed, record the attempt,
//! and schedule the next one or park it as a dead letter.

use std::time::{Duration, Instant};

use fonds_store::{AttemptOutcome, LeasedDelivery, NextStep};
use sha2::Digest as _;
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::Archive;
use crate::clients::signing::{SignedParts, sign};
use crate::error::CoreError;

/// How long a sender owns a delivery before another may take it.
const LEASE_MS: i64 = 60_000;
/// How long an idle sender sleeps when nothing wakes it.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// The running sender; it stops when dropped.
///
/// LIMITATION: one sender makes one delivery at a time, so a slow endpoint (up to the timeout,
/// 10 s) delays every other client's deliveries; per-endpoint concurrency comes with need.
#[derive(Debug)]
pub struct WebhookSender {
    handle: JoinHandle<()>,
}

impl Drop for WebhookSender {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The pause before attempt `attempts + 1`: `base` doubled per attempt, capped at six hours,
/// plus up to a quarter at random so that many failing deliveries spread out.
fn backoff(base: Duration, attempts: u32) -> Duration {
    let pause = base
        .saturating_mul(2u32.saturating_pow(attempts.saturating_sub(1).min(20)))
        .min(Duration::from_secs(6 * 3600));
    let mut byte = [0u8; 1];
    let jitter = if getrandom::fill(&mut byte).is_ok() {
        u32::from(byte[0])
    } else {
        128
    };
    pause + pause.mul_f64(f64::from(jitter) / 1024.0)
}

impl Archive {
    /// Starts the webhook sender.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn spawn_webhook_sender(&self) -> Result<WebhookSender, CoreError> {
        let client = http_client(self.settings.webhook_timeout)?;
        let archive = self.clone();
        let handle = tokio::spawn(async move {
            loop {
                match archive.deliver_next(&client).await {
                    Ok(true) => continue,
                    Ok(false) => {
                        let _ =
                            tokio::time::timeout(IDLE_POLL, archive.signals.deliveries.notified())
                                .await;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, cause = ?e.cause, "the webhook sender failed; retrying in a second");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(WebhookSender { handle })
    }

    /// Makes the next due delivery, if any; returns whether there was one.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn deliver_next(&self, http: &reqwest::Client) -> Result<bool, CoreError> {
        let Some(delivery) = self
            .metadata
            .lease_delivery(OffsetDateTime::now_utc(), LEASE_MS)
            .await?
        else {
            return Ok(false);
        };
        let outcome = self.attempt(http, &delivery).await;
        let now = OffsetDateTime::now_utc();
        let next = if outcome.error.is_none() {
            NextStep::Delivered
        } else {
            let give_up_ms =
                i64::try_from(self.settings.webhook_give_up_after.as_millis()).unwrap_or(i64::MAX);
            let retry_at = millis(now)
                + i64::try_from(
                    backoff(self.settings.webhook_retry_base, delivery.window_attempts).as_millis(),
                )
                .unwrap_or(i64::MAX);
            if retry_at > delivery.window_start_ms.saturating_add(give_up_ms) {
                NextStep::Dead
            } else {
                NextStep::RetryAt(retry_at)
            }
        };
        match (&next, &outcome.error) {
            (NextStep::Delivered, _) => {
                tracing::info!(delivery = %delivery.id, event = %delivery.event, attempt = delivery.attempts, "webhook delivered")
            }
            (NextStep::Dead, error) => {
                tracing::error!(delivery = %delivery.id, event = %delivery.event, attempts = delivery.attempts, error = ?error,
                "webhook delivery given up: parked as a dead letter; replay it with `fonds webhook replay`")
            }
            (NextStep::RetryAt(_), error) => {
                tracing::warn!(delivery = %delivery.id, event = %delivery.event, attempt = delivery.attempts, error = ?error, "webhook delivery failed; will retry")
            }
        }
        crate::telemetry::webhook(match next {
            NextStep::Delivered => "delivered",
            NextStep::RetryAt(_) => "retry",
            NextStep::Dead => "dead",
        });
        self.metadata
            .record_attempt(&delivery, &outcome, next, now)
            .await?;
        Ok(true)
    }

    async fn attempt(&self, http: &reqwest::Client, delivery: &LeasedDelivery) -> AttemptOutcome {
        let started = Instant::now();
        let result = self.post(http, delivery).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(status) if (200..300).contains(&status) => AttemptOutcome {
                status: Some(status),
                error: None,
                duration_ms,
            },
            Ok(status) => AttemptOutcome {
                status: Some(status),
                error: Some(format!("the endpoint answered {status}")),
                duration_ms,
            },
            Err(error) => AttemptOutcome {
                status: None,
                error: Some(error),
                duration_ms,
            },
        }
    }

    async fn post(&self, http: &reqwest::Client, delivery: &LeasedDelivery) -> Result<u16, String> {
        let client = self
            .metadata
            .client(&delivery.client)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("client {} no longer exists", delivery.client))?;
        let now = OffsetDateTime::now_utc();
        let secret = client
            .secrets
            .iter()
            .find(|s| s.expires_at.is_none_or(|until| until > now))
            .ok_or_else(|| format!("client {} has no live secret to sign with", client.id))?;
        let url = reqwest::Url::parse(&delivery.url).map_err(|e| e.to_string())?;
        let body = delivery.payload.as_bytes().to_vec();
        let content_sha256 = hex::encode(sha2::Sha256::digest(&body));
        let timestamp = now.unix_timestamp().to_string();
        let nonce = format!("wh-{}", uuid::Uuid::now_v7().simple());
        let signature = sign(
            &SignedParts {
                algorithm: client.algorithm,
                client: client.id.as_str(),
                method: "POST",
                path: url.path(),
                query: url.query(),
                timestamp: &timestamp,
                nonce: &nonce,
                content_sha256: &content_sha256,
            },
            &secret.secret,
        );
        let response = http
            .post(url)
            .header("content-type", "application/json")
            .header("x-fonds-client", client.id.as_str())
            .header("x-fonds-timestamp", timestamp)
            .header("x-fonds-nonce", nonce)
            .header("x-fonds-content-sha256", content_sha256)
            .header("x-fonds-signature", signature)
            .header("x-fonds-event", &delivery.event)
            .header("x-fonds-delivery", &delivery.id)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("cannot reach the endpoint: {e}"))?;
        Ok(response.status().as_u16())
    }
}

/// The HTTP client deliveries go through: rustls on ring, the system's roots, a timeout.
fn http_client(timeout: Duration) -> Result<reqwest::Client, CoreError> {
    crate::install_tls_provider();
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("fonds-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(CoreError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_the_base_with_at_most_a_quarter_of_jitter() {
        let base = Duration::from_secs(10);
        for (attempts, expected) in [(1, 10), (2, 20), (3, 40), (8, 1280)] {
            let pause = backoff(base, attempts);
            let expected = Duration::from_secs(expected);
            assert!(
                pause >= expected && pause <= expected + expected / 4,
                "{attempts}: {pause:?}"
            );
        }
        assert!(backoff(base, 40) <= Duration::from_secs(6 * 3600) * 5 / 4);
    }
}
