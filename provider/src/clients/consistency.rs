//! Eventual-consistency and polling helpers, all under a [`Deadline`].

use super::deadline::Deadline;
use super::error::ApiError;
use std::future::Future;
use std::time::Duration;
// tokio's clock, so that tests on a paused clock see the window pass.
use tokio::time::Instant;

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

/// A window after a change during which some refusals are expected and mean "not yet", not
/// "no": the caller sends the request again until the window has passed (then the answer is
/// final) or the deadline comes.
pub struct Window {
    pub length: Duration,
    /// The answers that mean "not yet" within the window.
    pub retry_on: fn(&ApiError) -> bool,
    /// Why they are expected, as the end of "<what> still answered <error> ...", e.g. "right
    /// after the service principal was made".
    pub cause: &'static str,
}

/// Runs `op`, sending it again while it fails with an answer `window` retries, within
/// `window.length` of the first attempt and under the deadline. `what` names the request.
pub async fn retry_within<T, F, Fut>(
    dl: &Deadline,
    window: &Window,
    what: &str,
    mut op: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        match op().await {
            Err(e) if (window.retry_on)(&e) && started.elapsed() < window.length => {
                tracing::debug!(what, attempt, error = %e, cause = window.cause, "an expected refusal within its window: retrying");
                dl.sleep(
                    poll_delay(attempt),
                    &format!("{what} still answered {e} {}", window.cause),
                )
                .await?;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Polls `probe` until `done` holds for what it returns, under the deadline, and returns that
/// value. For asynchronous transitions (a job that starts, a membership that becomes active).
/// `what` names the awaited state ("the synchronization job to be running"); a timeout says it
/// and quotes the last value observed. Errors from `probe` end the wait as they are.
pub async fn poll_until<T, F, Fut>(
    dl: &Deadline,
    what: &str,
    mut probe: F,
    done: impl Fn(&T) -> bool,
) -> Result<T, ApiError>
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 0;
    loop {
        let seen = probe().await?;
        if done(&seen) {
            return Ok(seen);
        }
        tracing::debug!(what, attempt, seen = ?seen, "not there yet: polling again");
        dl.sleep(
            poll_delay(attempt),
            &format!("waiting for {what}; last observed: {seen:?}"),
        )
        .await?;
        attempt += 1;
    }
}

/// Polls `probe` until it returns `None` (the object is gone), under the deadline. For
/// deletions the service finishes after answering. A timeout names `what` ("the membership of
/// tenant X") and quotes the object as last seen.
pub async fn wait_for_deletion<T, F, Fut>(
    dl: &Deadline,
    what: &str,
    mut probe: F,
) -> Result<(), ApiError>
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    let mut attempt = 0;
    loop {
        let Some(seen) = probe().await? else {
            return Ok(());
        };
        dl.sleep(
            poll_delay(attempt),
            &format!("waiting for {what} to be deleted; it still existed: {seen:?}"),
        )
        .await?;
        attempt += 1;
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::error::ErrorKind;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio_util::sync::CancellationToken;

    #[tokio::test(start_paused = true)]
    async fn poll_until_returns_the_first_value_that_holds() {
        let calls = AtomicU32::new(0);
        let dl = Deadline::after(Duration::from_secs(30), CancellationToken::new());
        let started = Instant::now();
        let v = poll_until(
            &dl,
            "the job to run",
            || async { Ok(calls.fetch_add(1, Ordering::SeqCst)) },
            |n| *n == 3,
        )
        .await
        .unwrap();
        assert_eq!(v, 3);
        // Waited 250ms + 500ms + 1s between the four probes.
        assert_eq!(started.elapsed(), Duration::from_millis(1750));
    }

    #[tokio::test(start_paused = true)]
    async fn poll_until_times_out_naming_what_and_the_last_value() {
        let dl = Deadline::after(Duration::from_secs(5), CancellationToken::new())
            .labelled("creating job", "");
        let e = poll_until(
            &dl,
            "the job to be running",
            || async { Ok("Paused") },
            |s| *s == "Active",
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Deadline);
        assert!(
            e.message
                .starts_with("creating job timed out after 5s: waiting for the job to be running; last observed: \"Paused\""),
            "{e}"
        );
        assert!(Instant::now() <= dl.at, "never sleeps past the deadline");
    }

    #[tokio::test(start_paused = true)]
    async fn poll_until_passes_probe_errors_through() {
        let dl = Deadline::after(Duration::from_secs(30), CancellationToken::new());
        let e = poll_until(
            &dl,
            "x",
            || async { Err::<u32, _>(ApiError::http(403, "Denied", "no", None)) },
            |_| true,
        )
        .await
        .unwrap_err();
        assert_eq!(e.status, Some(403));
    }

    #[tokio::test(start_paused = true)]
    async fn wait_for_deletion_ends_when_the_object_is_gone() {
        let calls = AtomicU32::new(0);
        let dl = Deadline::after(Duration::from_secs(30), CancellationToken::new());
        wait_for_deletion(&dl, "the membership", || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Ok((n < 2).then_some(n))
        })
        .await
        .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn wait_for_deletion_times_out_quoting_the_object() {
        let dl = Deadline::after(Duration::from_secs(2), CancellationToken::new());
        let e = wait_for_deletion(&dl, "the membership of tenant X", || async {
            Ok(Some("pendingRemoval"))
        })
        .await
        .unwrap_err();
        assert_out_of_time(
            &e,
            "waiting for the membership of tenant X to be deleted; it still existed: \"pendingRemoval\"",
        );
    }

    /// `e` is the deadline's error and says `what` it waited for.
    fn assert_out_of_time(e: &ApiError, what: &str) {
        assert_eq!(e.kind, ErrorKind::Deadline);
        assert!(e.message.contains(what), "{e}");
    }

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

    const CONFLICTS: Window = Window {
        length: Duration::from_secs(10),
        retry_on: |e| e.is_conflict(),
        cause: "right after the parent was made",
    };

    #[tokio::test(start_paused = true)]
    async fn retry_within_retries_inside_the_window_only() {
        let calls = AtomicU32::new(0);
        let dl = Deadline::after(Duration::from_secs(300), CancellationToken::new());
        let started = Instant::now();
        let r: Result<(), _> = retry_within(&dl, &CONFLICTS, "the PUT", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(ApiError::http(409, "Conflict", "", None))
        })
        .await;
        assert_eq!(r.unwrap_err().status, Some(409), "final after the window");
        let took = started.elapsed();
        assert!(took >= CONFLICTS.length && took < CONFLICTS.length + Duration::from_secs(4));

        calls.store(0, Ordering::SeqCst);
        let r = retry_within(&dl, &CONFLICTS, "the PUT", || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(ApiError::http(409, "Conflict", "", None)),
                _ => Ok(5),
            }
        })
        .await;
        assert_eq!(r.unwrap(), 5);

        calls.store(0, Ordering::SeqCst);
        let r: Result<(), _> = retry_within(&dl, &CONFLICTS, "the PUT", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(ApiError::http(403, "Denied", "", None))
        })
        .await;
        assert_eq!(r.unwrap_err().status, Some(403));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "not retried");
    }

    #[tokio::test(start_paused = true)]
    async fn retry_within_stops_at_the_deadline_saying_why_it_waited() {
        let dl = Deadline::after(Duration::from_secs(2), CancellationToken::new());
        let e = retry_within(&dl, &CONFLICTS, "the PUT", || async {
            Err::<(), _>(ApiError::http(409, "Conflict", "busy", None))
        })
        .await
        .unwrap_err();
        assert_out_of_time(
            &e,
            "the PUT still answered HTTP 409 Conflict: busy right after the parent was made",
        );
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
}
