//! Time in the emulated world: a clock tests can pause and move forward, the asynchronous
//! transitions wait for, and rate limits counted against it.
//!
//! * [`Clock`]: real time plus an offset; paused, only [`Clock::advance`] moves it. Replication
//!   lag, token lifetimes, the store's scheduled transitions and rate-limit windows all read it, so a test
//!   can say "ten minutes later" without sleeping.
//! * [`RateLimit`]: at most `per_second` requests per tenant per API (optionally only on paths
//!   containing a prefix), 429 beyond it, with or without `Retry-After`.
//!   API-NOTES.md#rate-limits

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::vocab::Api;

/// The emulator's clock.
#[derive(Debug, Default)]
pub struct Clock {
    inner: Mutex<ClockState>,
}

#[derive(Debug, Default)]
struct ClockState {
    /// While paused: the real instant the clock stopped at.
    paused_at: Option<Instant>,
    offset: Duration,
}

impl Clock {
    pub fn now(&self) -> Instant {
        let c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        c.paused_at.unwrap_or_else(Instant::now) + c.offset
    }

    /// Stops real time from moving the clock (idempotent).
    pub fn pause(&self) {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if c.paused_at.is_none() {
            c.paused_at = Some(Instant::now());
        }
    }

    /// Lets real time move the clock again, from where it stands.
    pub fn resume(&self) {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = c.paused_at.take() {
            // Keep the reading continuous: what real time would have added is taken off.
            let real = Instant::now();
            c.offset = (at + c.offset).saturating_duration_since(real);
        }
    }

    pub fn advance(&self, by: Duration) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).offset += by;
    }
}

/// A rate limit on one API: at most `per_second` requests per tenant in any one-second window
/// of the clock, on every path of the API or only on paths containing `path_contains`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct RateLimit {
    pub per_second: u32,
    #[serde(default)]
    pub path_contains: Option<String>,
    /// Send `Retry-After: 1` with the 429 (Conditional Access does not:
    /// API-NOTES.md#ca-throttling).
    #[serde(default = "yes")]
    pub retry_after: bool,
}

fn yes() -> bool {
    true
}

impl RateLimit {
    pub fn per_second(per_second: u32) -> RateLimit {
        RateLimit {
            per_second,
            path_contains: None,
            retry_after: true,
        }
    }
    /// Only requests whose path contains `path` count and are limited.
    pub fn on(mut self, path: &str) -> RateLimit {
        self.path_contains = Some(path.to_string());
        self
    }
    pub fn without_retry_after(mut self) -> RateLimit {
        self.retry_after = false;
        self
    }
    fn applies(&self, path: &str) -> bool {
        self.path_contains
            .as_deref()
            .is_none_or(|p| path.contains(p))
    }
}

/// The limits in force and, per (API, limit, tenant), when the admitted requests came.
#[derive(Debug, Default)]
pub struct RateLimiter {
    limits: Vec<(Api, RateLimit)>,
    seen: HashMap<(Api, Option<String>, String), VecDeque<Instant>>,
}

impl RateLimiter {
    /// Sets (replaces) the limit of `api` on the same path filter; `None` removes every limit
    /// of `api`.
    pub fn set(&mut self, api: Api, limit: Option<RateLimit>) {
        match limit {
            None => {
                self.limits.retain(|(a, _)| *a != api);
                self.seen.retain(|(a, _, _), _| *a != api);
            }
            Some(l) => {
                self.limits
                    .retain(|(a, x)| !(*a == api && x.path_contains == l.path_contains));
                self.limits.push((api, l));
            }
        }
    }

    pub fn admit(
        &mut self,
        api: Api,
        tenant: &str,
        path: &str,
        now: Instant,
    ) -> Result<(), RateLimit> {
        let window = Duration::from_secs(1);
        let applicable: Vec<RateLimit> = self
            .limits
            .iter()
            .filter(|(a, l)| *a == api && l.applies(path))
            .map(|(_, l)| l.clone())
            .collect();
        for l in &applicable {
            let key = (api, l.path_contains.clone(), tenant.to_string());
            let seen = self.seen.entry(key).or_default();
            while seen
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) >= window)
            {
                seen.pop_front();
            }
            if seen.len() >= l.per_second as usize {
                return Err(l.clone());
            }
        }
        for l in &applicable {
            let key = (api, l.path_contains.clone(), tenant.to_string());
            self.seen.entry(key).or_default().push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paused_clock_moves_only_when_advanced() {
        let c = Clock::default();
        c.pause();
        let t0 = c.now();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(c.now(), t0);
        c.advance(Duration::from_secs(90));
        assert_eq!(c.now(), t0 + Duration::from_secs(90));
        c.resume();
        assert!(c.now() >= t0 + Duration::from_secs(90));
    }

    #[test]
    fn rate_limit_window_per_tenant_and_path() {
        let mut r = RateLimiter::default();
        r.set(Api::Graph, Some(RateLimit::per_second(2).on("/identity/")));
        let t0 = Instant::now();
        assert!(r.admit(Api::Graph, "a", "/v1.0/identity/x", t0).is_ok());
        assert!(r.admit(Api::Graph, "a", "/v1.0/identity/x", t0).is_ok());
        assert!(r.admit(Api::Graph, "a", "/v1.0/identity/x", t0).is_err());
        // Another tenant, another path, another API: not limited.
        assert!(r.admit(Api::Graph, "b", "/v1.0/identity/x", t0).is_ok());
        assert!(r.admit(Api::Graph, "a", "/v1.0/policies/x", t0).is_ok());
        assert!(r.admit(Api::Exchange, "a", "/v1.0/identity/x", t0).is_ok());
        // One second later the window is free again.
        let t1 = t0 + Duration::from_secs(1);
        assert!(r.admit(Api::Graph, "a", "/v1.0/identity/x", t1).is_ok());
        r.set(Api::Graph, None);
        for _ in 0..10 {
            assert!(r.admit(Api::Graph, "a", "/v1.0/identity/x", t1).is_ok());
        }
    }
}
