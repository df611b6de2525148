//! In-process protection around signature checks: nonces seen within the time window, and a
//! per-client brake on repeated bad signatures so that one misbehaving client is slowed without
//! slowing the others.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How far a request's timestamp may be from the server's clock.
pub const WINDOW: Duration = Duration::from_secs(300);

/// Failures within [`FAILURE_PERIOD`] after which a client is refused until the oldest expires.
pub const MAX_FAILURES: usize = 20;
/// The period failures are counted over.
pub const FAILURE_PERIOD: Duration = Duration::from_secs(60);

/// Nonces and failure counts, shared by all requests of the process.
///
/// LIMITATION: both live in memory, so a restart forgets them: a request captured before a
/// restart can be replayed within its 300-second window after it (a replayed submission is
/// then refused only if its voucher or idempotency key is already there). Cluster mode needs
/// this state in the database anyway, shared by every node.
#[derive(Debug, Default)]
pub struct Guard {
    nonces: Mutex<HashMap<(String, String), Instant>>,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Guard {
    /// Remembers a nonce; false when the client used it within the window.
    pub fn first_use(&self, client: &str, nonce: &str) -> bool {
        let now = Instant::now();
        let Ok(mut nonces) = self.nonces.lock() else {
            return false;
        };
        // Twice the window: a timestamp may be up to WINDOW in the past or the future.
        if nonces.len() > 10_000 {
            nonces.retain(|_, seen| now.duration_since(*seen) < WINDOW * 2);
        }
        let key = (client.to_owned(), nonce.to_owned());
        match nonces.get(&key) {
            Some(seen) if now.duration_since(*seen) < WINDOW * 2 => false,
            _ => {
                nonces.insert(key, now);
                true
            }
        }
    }

    /// How long the client must wait before it is heard again, if it is braked.
    pub fn braked_for(&self, client: &str) -> Option<Duration> {
        let now = Instant::now();
        let Ok(mut failures) = self.failures.lock() else {
            return None;
        };
        let recent = failures.get_mut(client)?;
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= FAILURE_PERIOD)
        {
            recent.pop_front();
        }
        if recent.len() >= MAX_FAILURES {
            recent
                .front()
                .map(|oldest| FAILURE_PERIOD.saturating_sub(now.duration_since(*oldest)))
        } else {
            None
        }
    }

    /// Counts one bad request from the client.
    pub fn failed(&self, client: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            let recent = failures.entry(client.to_owned()).or_default();
            recent.push_back(Instant::now());
            if recent.len() > MAX_FAILURES * 2 {
                recent.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_accepted_once_per_client() {
        let guard = Guard::default();
        assert!(guard.first_use("fc_a", "nonce-0000000001"));
        assert!(!guard.first_use("fc_a", "nonce-0000000001"));
        assert!(guard.first_use("fc_b", "nonce-0000000001"));
    }

    #[test]
    fn repeated_failures_brake_only_the_failing_client() {
        let guard = Guard::default();
        for _ in 0..MAX_FAILURES {
            assert!(guard.braked_for("fc_bad").is_none());
            guard.failed("fc_bad");
        }
        assert!(
            guard
                .braked_for("fc_bad")
                .is_some_and(|d| d <= FAILURE_PERIOD)
        );
        assert!(guard.braked_for("fc_good").is_none());
    }
}
