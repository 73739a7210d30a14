//! Pacing: one token bucket per API (per pacing class) per tenant, shared by every resource
//! instance of a provider instance (it lives in [`super::Clients`]; a provider instance manages
//! one tenant). Terraform applies up to ten resources at once; without a shared pace, ten
//! Conditional Access writes would all be throttled together. A bucket also backs off for
//! everyone when the service answers 429 without Retry-After (Conditional Access does): the
//! next requests wait, doubling the wait while the throttling goes on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Which pace a request keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pacing {
    /// Microsoft Graph in general: unpaced (its limits are per app per tenant and generous for
    /// a provider's volume), but still backing off together after a 429.
    Graph,
    /// Graph's Conditional Access policies: about one request per second per tenant, kept
    /// with a margin (one per 1.1 s): the service counts arrivals and the pacer departures, and
    /// a new connection's handshake can delay one request more than the next.
    ConditionalAccess,
    /// Exchange Online's admin API: a few requests at a time per tenant.
    Exchange,
    /// The Teams tenant admin API (API-NOTES.md#teams-errors).
    Teams,
}

/// Rate and burst of a bucket; `rate: None` paces nothing (only the 429 backoff applies).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub per_second: Option<f64>,
    pub burst: f64,
}

impl Pacing {
    pub fn rate(self) -> Rate {
        match self {
            Pacing::Graph => Rate {
                per_second: None,
                burst: 1.0,
            },
            Pacing::ConditionalAccess => Rate {
                per_second: Some(1.0 / CA_SPACING_SECONDS),
                burst: 1.0,
            },
            // Assumed: the service documents no rate, only "the maximum number of concurrent
            // requests per tenant"; three a second keeps a plan of a few Exchange objects quick.
            Pacing::Exchange => Rate {
                per_second: Some(3.0),
                burst: 3.0,
            },
            // Assumed: no limit is documented for the Teams tenant admin API; the admin center
            // sends a handful of requests per page, and a provider needs no more.
            Pacing::Teams => Rate {
                per_second: Some(3.0),
                burst: 3.0,
            },
        }
    }
}

/// Seconds between two Conditional Access requests of one tenant (limit: one a second).
pub const CA_SPACING_SECONDS: f64 = 1.1;

/// The first wait after a 429 without Retry-After, doubled while it repeats, at most
/// [`MAX_BACKOFF`]; a success resets it.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
pub const MAX_BACKOFF: Duration = Duration::from_secs(32);

#[derive(Debug)]
pub struct Pacer {
    rate: Rate,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// May go negative: each reservation takes one, and waits until it is paid back.
    tokens: f64,
    last: Instant,
    /// Nobody sends before this (a 429's Retry-After or our backoff).
    paused_until: Option<Instant>,
    /// The next backoff after a 429 without Retry-After.
    backoff: Duration,
}

impl Pacer {
    pub fn new(rate: Rate) -> Pacer {
        Pacer {
            rate,
            state: Mutex::new(State {
                tokens: rate.burst,
                last: Instant::now(),
                paused_until: None,
                backoff: FIRST_BACKOFF,
            }),
        }
    }

    /// Takes a slot for one request and says how long to wait before sending it. Taking the
    /// slot first (instead of waiting for a free one) keeps requests in arrival order without
    /// holding a lock across the wait.
    pub fn reserve(&self) -> Duration {
        let now = Instant::now();
        let mut s = self.state.lock().unwrap();
        let mut wait = Duration::ZERO;
        if let Some(rate) = self.rate.per_second {
            let refill = now.saturating_duration_since(s.last).as_secs_f64() * rate;
            s.tokens = (s.tokens + refill).min(self.rate.burst);
            s.last = now;
            s.tokens -= 1.0;
            if s.tokens < 0.0 {
                wait = Duration::from_secs_f64(-s.tokens / rate);
            }
        }
        if let Some(until) = s.paused_until {
            let pause = until.saturating_duration_since(now);
            if pause > wait {
                wait = pause;
                // This request goes out when the pause ends, not when its slot came up: the
                // next one keeps its distance from that (else it would follow within the
                // pace and be throttled again).
                if let Some(rate) = self.rate.per_second {
                    s.tokens = -pause.as_secs_f64() * rate;
                }
            }
        }
        wait
    }

    /// The service answered 429: pause everyone for its Retry-After, or else for the current
    /// backoff, which doubles for the next 429.
    pub fn throttled(&self, retry_after: Option<Duration>) -> Duration {
        let now = Instant::now();
        let mut s = self.state.lock().unwrap();
        let pause = match retry_after {
            Some(ra) => ra,
            None => {
                let b = s.backoff;
                s.backoff = (b * 2).min(MAX_BACKOFF);
                b
            }
        };
        let until = now + pause;
        s.paused_until = Some(s.paused_until.map_or(until, |u| u.max(until)));
        pause
    }

    /// A request went through: the throttling is over.
    pub fn succeeded(&self) {
        self.state.lock().unwrap().backoff = FIRST_BACKOFF;
    }
}

/// The pacers of one provider instance, one per pacing class, made on first use.
#[derive(Debug, Default)]
pub struct Pacers {
    by_class: Mutex<HashMap<Pacing, Arc<Pacer>>>,
}

impl Pacers {
    pub fn new() -> Arc<Pacers> {
        Arc::new(Pacers::default())
    }
    pub fn get(&self, pacing: Pacing) -> Arc<Pacer> {
        self.by_class
            .lock()
            .unwrap()
            .entry(pacing)
            .or_insert_with(|| Arc::new(Pacer::new(pacing.rate())))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reserves and waits like the REST core does.
    async fn take(p: &Pacer) {
        let w = p.reserve();
        tokio::time::sleep(w).await;
    }

    #[tokio::test(start_paused = true)]
    async fn conditional_access_keeps_under_one_request_per_second() {
        let p = Pacer::new(Pacing::ConditionalAccess.rate());
        let started = Instant::now();
        let mut at = Vec::new();
        for _ in 0..5 {
            take(&p).await;
            at.push(started.elapsed().as_millis());
        }
        assert_eq!(at, vec![0, 1100, 2200, 3300, 4400]);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_the_pace() {
        let pacers = Pacers::new();
        let started = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let p = pacers.get(Pacing::ConditionalAccess);
                tokio::spawn(async move {
                    take(&p).await;
                    Instant::now()
                })
            })
            .collect();
        let mut at = Vec::new();
        for t in tasks {
            at.push(t.await.unwrap().duration_since(started).as_millis());
        }
        at.sort();
        assert_eq!(at, vec![0, 1100, 2200, 3300]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_allowed_then_the_rate_holds_and_idle_time_refills() {
        let p = Pacer::new(Pacing::Exchange.rate());
        for _ in 0..3 {
            assert_eq!(p.reserve(), Duration::ZERO);
        }
        let w = p.reserve();
        assert!(
            w > Duration::from_millis(330) && w < Duration::from_millis(337),
            "{w:?}"
        );
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(p.reserve(), Duration::ZERO, "refilled while idle");
    }

    #[tokio::test(start_paused = true)]
    async fn backs_off_on_429_without_retry_after_and_resets_on_success() {
        let p = Pacer::new(Pacing::Graph.rate());
        assert_eq!(p.reserve(), Duration::ZERO, "Graph is unpaced");
        assert_eq!(p.throttled(None), FIRST_BACKOFF);
        assert_eq!(p.reserve(), FIRST_BACKOFF, "everyone waits out the backoff");
        tokio::time::sleep(FIRST_BACKOFF).await;
        assert_eq!(
            p.throttled(None),
            FIRST_BACKOFF * 2,
            "doubles while it repeats"
        );
        assert_eq!(p.reserve(), FIRST_BACKOFF * 2);
        for _ in 0..10 {
            p.throttled(None);
        }
        assert_eq!(p.throttled(None), MAX_BACKOFF);
        tokio::time::sleep(MAX_BACKOFF * 2).await;
        p.succeeded();
        assert_eq!(p.reserve(), Duration::ZERO);
        assert_eq!(p.throttled(None), FIRST_BACKOFF, "reset by the success");
    }

    #[tokio::test(start_paused = true)]
    async fn the_request_after_a_pause_keeps_the_pace_from_when_the_pause_ended() {
        let p = Pacer::new(Pacing::ConditionalAccess.rate());
        assert_eq!(p.reserve(), Duration::ZERO);
        p.throttled(Some(Duration::from_secs(5)));
        assert_eq!(p.reserve(), Duration::from_secs(5), "waits out the pause");
        let next = p.reserve();
        assert!(
            next.abs_diff(Duration::from_millis(6100)) < Duration::from_millis(2),
            "one pace after the paused request went out: {next:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_pauses_for_exactly_that_long() {
        let p = Pacer::new(Pacing::ConditionalAccess.rate());
        assert_eq!(p.reserve(), Duration::ZERO);
        p.throttled(Some(Duration::from_secs(7)));
        assert_eq!(p.reserve(), Duration::from_secs(7));
    }
}
