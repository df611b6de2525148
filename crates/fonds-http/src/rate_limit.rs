//! Request rate limits: a token bucket per caller, so that one script or one misbehaving OA
//! client cannot starve the others. At the edge a caller is its network address: what it claims
//! in its headers is not authenticated yet there, and a key built from a claim would let one
//! address mint fresh budgets by varying it. Client systems behind one NAT share that budget.
//! Once a request's signature is verified, the client system has a budget of its own too, however
//! many addresses it sends from. Over a limit the answer is 429 `rate_limited` with
//! `Retry-After`, before any work is done.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use fonds_core::ErrorCode;

use crate::AppState;
use crate::problem::ApiError;

/// Buckets kept before idle ones are dropped.
const MAX_TRACKED_CALLERS: usize = 10_000;

/// A token bucket per caller, callers told apart by `K` (an address, a client system).
#[derive(Debug)]
pub(crate) struct RateLimiter<K = IpAddr> {
    /// Tokens added per second.
    rate: f64,
    /// The most tokens a bucket holds: the burst a caller may send at once.
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// `per_minute` requests a minute per caller, with bursts of a tenth of that (at least 10);
    /// `None` for 0, which turns limiting off.
    pub(crate) fn new(per_minute: u32) -> Option<Self> {
        (per_minute > 0).then(|| Self {
            rate: f64::from(per_minute) / 60.0,
            burst: f64::from((per_minute / 10).max(10)),
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a token for `caller` at `now`; when none is left, how long until one is.
    pub(crate) fn take(&self, caller: &K, now: Instant) -> Result<(), Duration> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED_CALLERS && !buckets.contains_key(caller) {
            // A bucket that has refilled completely carries no information: drop those. Should
            // every caller still be mid-burst (a flood from many addresses), start afresh rather
            // than grow without bound.
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
            if buckets.len() >= MAX_TRACKED_CALLERS {
                tracing::warn!(
                    callers = buckets.len(),
                    "rate limiter tracking too many callers at once; forgetting them all"
                );
                buckets.clear();
            }
        }
        let bucket = buckets.entry(caller.clone()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refilled = bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * self.rate;
        bucket.tokens = refilled.min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }
}

/// The middleware: refuses a caller over its limit with 429 and `Retry-After`.
pub(crate) async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(limiter) = state.rate_limiter.as_deref() else {
        return next.run(request).await;
    };
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    match limiter.take(&address, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => refusal(
            "address",
            wait,
            "too many requests from this caller; slow down and retry after the pause",
        )
        .into_response(),
    }
}

/// The 429 answer for a caller over its limit, counted by what kind of caller it was.
pub(crate) fn refusal(caller: &'static str, wait: Duration, detail: &str) -> ApiError {
    metrics::counter!("fonds_rate_limited_total", "caller" => caller).increment(1);
    let mut error = ApiError::new(ErrorCode::RateLimited, detail);
    error.0.retry_after = Some(wait.as_secs().max(1));
    error
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;
    use std::time::{Duration, Instant};

    use super::RateLimiter;

    #[test]
    fn a_caller_gets_its_burst_then_the_rate_and_others_are_unaffected() {
        let limiter = RateLimiter::<IpAddr>::new(600).expect("on"); // 10 a second, bursts of 60
        let start = Instant::now();
        let me = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..60 {
            assert!(limiter.take(&me, start).is_ok());
        }
        let wait = limiter.take(&me, start).expect_err("over");
        assert!(
            wait <= Duration::from_millis(100) && wait > Duration::ZERO,
            "{wait:?}"
        );
        // Another address has its own budget.
        assert!(limiter.take(&IpAddr::from([10, 0, 0, 2]), start).is_ok());
        // A tenth of a second later one more request is allowed, and only one.
        let later = start + Duration::from_millis(100);
        assert!(limiter.take(&me, later).is_ok());
        assert!(limiter.take(&me, later).is_err());
    }

    #[test]
    fn zero_turns_limiting_off() {
        assert!(RateLimiter::<IpAddr>::new(0).is_none());
    }
}
