//! The one retry policy for transient failures (each API's "unavailable" statuses, see
//! [`super::rest::Flavour`]; throttling waits on the pacer instead): honour Retry-After
//! (seconds or HTTP date) when the service sends it, else capped exponential backoff with
//! jitter. Always bounded by the caller's deadline.

use std::time::{Duration, SystemTime};

#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }
}

/// Parses a Retry-After header: delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    httpdate::parse_http_date(v)
        .ok()
        .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
}

impl RetryPolicy {
    /// Delay before retry number `attempt` (0-based). `jitter` in [0, 1) spreads clients apart.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        if let Some(ra) = retry_after {
            // The service told us when; waiting longer than the cap would still be right, but the
            // deadline check in the caller decides whether we can afford it.
            return ra;
        }
        let exp = self.base.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.cap);
        // Full jitter on the upper half: between capped/2 and capped.
        capped / 2 + capped.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, None, 0.0), Duration::from_millis(250));
        assert_eq!(p.delay(0, None, 1.0), Duration::from_millis(500));
        assert!(p.delay(30, None, 1.0) <= p.cap);
        assert_eq!(
            p.delay(3, Some(Duration::from_secs(9)), 0.5),
            Duration::from_secs(9)
        );
    }
}
