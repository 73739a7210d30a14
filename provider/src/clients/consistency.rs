//! Deadlines and eventual-consistency helpers. Every wait in the provider goes through a
//! [`Deadline`], so nothing retries past the resource's `timeouts` or after Terraform says stop.

use super::error::{ApiError, ErrorKind};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Debug)]
pub struct Deadline {
    pub at: Instant,
    pub cancel: CancellationToken,
}

impl Deadline {
    pub fn after(d: Duration, cancel: CancellationToken) -> Deadline {
        Deadline {
            at: Instant::now() + d,
            cancel,
        }
    }

    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// Sleeps for `d`, failing at once if that would pass the deadline or if the operation is
    /// cancelled while sleeping.
    pub async fn sleep(&self, d: Duration, why: &str) -> Result<(), ApiError> {
        if d > self.remaining() {
            return Err(ApiError::other(
                ErrorKind::Deadline,
                format!("timed out: {why}, and the next attempt would pass the operation's deadline (raise it with the resource's `timeouts`)"),
            ));
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = self.cancel.cancelled() => Err(ApiError::other(ErrorKind::Cancelled, "cancelled: Terraform asked the provider to stop")),
        }
    }
}

/// Poll interval for replication-lag waits: short first, then capped.
pub fn poll_delay(attempt: u32) -> Duration {
    Duration::from_millis((250u64 << attempt.min(4)).min(3_000))
}

/// Retries `op` while it fails with 404. Works around directory replication lag: an object just
/// created in one replica is briefly unknown to the replica serving the next request (children
/// such as a partner's identitySynchronization cannot be written until the partner is visible).
pub async fn retry_while_not_found<T, F, Fut>(
    dl: &Deadline,
    what: &str,
    mut op: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(e) if e.is_not_found() => {
                tracing::debug!(
                    what,
                    attempt,
                    "404 right after a write: waiting for replication"
                );
                dl.sleep(
                    poll_delay(attempt),
                    &format!("{what} still answered 404 ({e})"),
                )
                .await?;
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn retries_404_until_success() {
        let calls = AtomicU32::new(0);
        let dl = Deadline::after(Duration::from_secs(30), CancellationToken::new());
        let r = retry_while_not_found(&dl, "x", || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 3 {
                Err(ApiError::http(404, "NotFound", "", None))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(r.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_at_the_deadline() {
        let dl = Deadline::after(Duration::from_secs(2), CancellationToken::new());
        let r: Result<(), _> = retry_while_not_found(&dl, "x", || async {
            Err(ApiError::http(404, "NotFound", "", None))
        })
        .await;
        assert_eq!(r.unwrap_err().kind, ErrorKind::Deadline);
    }

    #[tokio::test(start_paused = true)]
    async fn other_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let dl = Deadline::after(Duration::from_secs(30), CancellationToken::new());
        let r: Result<(), _> = retry_while_not_found(&dl, "x", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(ApiError::http(400, "Bad", "", None))
        })
        .await;
        assert_eq!(r.unwrap_err().status, Some(400));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn cancellation_stops_a_wait() {
        let cancel = CancellationToken::new();
        let dl = Deadline::after(Duration::from_secs(30), cancel.clone());
        cancel.cancel();
        let e = dl.sleep(Duration::from_secs(10), "x").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Cancelled);
    }
}
