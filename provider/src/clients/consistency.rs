//! Deadlines and eventual-consistency helpers. Every wait in the provider goes through a
//! [`Deadline`], so nothing waits or retries past the operation's deadline or after a stop request.

use super::error::{ApiError, ErrorKind};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
// tokio's clock, so that tests on a paused clock see deadlines pass.
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// When an operation must be done by, the stop signal that cancels it, and how to describe
/// both to the user. The caller (the framework) supplies the words: `label` names the
/// operation and `hint` says how to give it more time; the clients only quote them.
#[derive(Clone, Debug)]
pub struct Deadline {
    pub at: Instant,
    pub cancel: CancellationToken,
    /// The operation's whole time budget (what "timed out after" reports).
    budget: Duration,
    /// e.g. "reading coexistence_cross_tenant_access_partner"; empty when unknown.
    label: Arc<str>,
    /// e.g. "The read timeout is 5s; raise it with `timeouts = { read = "10m" }`."
    hint: Arc<str>,
}

/// The outcome of one bounded wait (see [`Deadline::bound`]).
#[derive(Debug)]
pub enum Bounded<T> {
    Done(T),
    /// No result after `waited`. `out_of_time`: the operation's deadline has passed too (else
    /// only the per-attempt cap was reached and there is time for another attempt).
    Stalled {
        waited: Duration,
        out_of_time: bool,
    },
    Cancelled,
}

impl Deadline {
    pub fn after(d: Duration, cancel: CancellationToken) -> Deadline {
        Deadline {
            at: Instant::now() + d,
            cancel,
            budget: d,
            label: Arc::from(""),
            hint: Arc::from(""),
        }
    }

    /// The same deadline and stop signal, described for error messages.
    pub fn labelled(mut self, label: impl Into<String>, hint: impl Into<String>) -> Deadline {
        self.label = Arc::from(label.into());
        self.hint = Arc::from(hint.into());
        self
    }

    /// A deadline `reserve` earlier than this one (same budget, words and stop signal): work
    /// run under it leaves `reserve` for what must follow (e.g. looking up an object after a
    /// create whose outcome is unknown).
    pub fn reserving(&self, reserve: Duration) -> Deadline {
        let mut d = self.clone();
        let now = Instant::now();
        d.at = self
            .at
            .checked_sub(reserve)
            .map_or(now, |t| t.max(now))
            .min(self.at);
        d
    }

    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Races `fut` against the deadline, the stop signal and `cap` (whichever comes first).
    pub async fn bound<T>(&self, cap: Duration, fut: impl Future<Output = T>) -> Bounded<T> {
        if self.cancel.is_cancelled() {
            return Bounded::Cancelled;
        }
        let remaining = self.remaining();
        let limit = remaining.min(cap);
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Bounded::Cancelled,
            r = fut => Bounded::Done(r),
            _ = tokio::time::sleep(limit) => Bounded::Stalled { waited: limit, out_of_time: limit >= remaining },
        }
    }

    /// The error for an operation out of time; `what` is the last thing it was waiting for,
    /// e.g. "GET /x had not answered after 5s".
    pub fn expired(&self, what: &str) -> ApiError {
        let mut msg = if self.label.is_empty() {
            format!("timed out after {}: {what}.", fmt_duration(self.budget))
        } else {
            format!(
                "{} timed out after {}: {what}.",
                self.label,
                fmt_duration(self.budget)
            )
        };
        if !self.hint.is_empty() {
            msg.push(' ');
            msg.push_str(&self.hint);
        }
        ApiError::other(ErrorKind::Deadline, msg)
    }

    /// The error for an operation stopped on request; `what` is what it was doing.
    pub fn cancelled(&self, what: &str) -> ApiError {
        let op = if self.label.is_empty() {
            "the operation"
        } else {
            &self.label
        };
        ApiError::other(
            ErrorKind::Cancelled,
            format!("cancelled: a stop was requested while {op} was waiting ({what})"),
        )
    }

    /// Sleeps for `d`, failing at once if that would pass the deadline or if the operation is
    /// cancelled while sleeping. `why` says what is being waited out.
    pub async fn sleep(&self, d: Duration, why: &str) -> Result<(), ApiError> {
        if d > self.remaining() {
            return Err(self.expired(&format!(
                "{why}, and waiting {} more would pass the deadline",
                fmt_duration(d)
            )));
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = self.cancel.cancelled() => Err(self.cancelled(why)),
        }
    }
}

/// A duration as people write it: `250ms`, `5s`, `1m30s`, `2h`.
pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    if ms < 10_000 {
        let tenths = (ms + 50) / 100;
        return if tenths % 10 == 0 {
            format!("{}s", tenths / 10)
        } else {
            format!("{}.{}s", tenths / 10, tenths % 10)
        };
    }
    // Whole seconds from here on, rounded (a wait of 59.996 s reads "1m").
    let s = ((ms + 500) / 1000) as u64;
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 || out.is_empty() {
        out.push_str(&format!("{sec}s"));
    }
    out
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
    use std::sync::atomic::{AtomicU32, Ordering};

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
        assert_eq!(e.kind, ErrorKind::Deadline);
        assert!(
            e.message.contains(
                "waiting for the membership of tenant X to be deleted; it still existed: \"pendingRemoval\""
            ),
            "{e}"
        );
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

    #[tokio::test(start_paused = true)]
    async fn bound_reports_stall_cap_and_cancel() {
        let cancel = CancellationToken::new();
        let dl = Deadline::after(Duration::from_secs(10), cancel.clone());
        match dl
            .bound(Duration::from_secs(3), std::future::pending::<()>())
            .await
        {
            Bounded::Stalled {
                waited,
                out_of_time,
            } => {
                assert_eq!(waited, Duration::from_secs(3));
                assert!(!out_of_time, "7s were left");
            }
            other => panic!("{other:?}"),
        }
        match dl
            .bound(Duration::from_secs(60), std::future::pending::<()>())
            .await
        {
            Bounded::Stalled { out_of_time, .. } => assert!(out_of_time),
            other => panic!("{other:?}"),
        }
        let dl = Deadline::after(Duration::from_secs(10), cancel.clone());
        let stopper = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            stopper.cancel();
        });
        let started = Instant::now();
        assert!(matches!(
            dl.bound(Duration::from_secs(60), std::future::pending::<()>())
                .await,
            Bounded::Cancelled
        ));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn messages_name_the_operation_the_timeout_and_the_hint() {
        let dl = Deadline::after(Duration::from_secs(5), CancellationToken::new())
            .labelled("reading thing", "Raise it with `x = 1`.");
        assert_eq!(
            dl.expired("GET /a had not answered after 5s").to_string(),
            "reading thing timed out after 5s: GET /a had not answered after 5s. Raise it with `x = 1`."
        );
        assert!(dl.cancelled("GET /a").to_string().contains("reading thing"));
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(fmt_duration(Duration::from_millis(3750)), "3.8s");
        assert_eq!(fmt_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(fmt_duration(Duration::from_secs(600)), "10m");
        assert_eq!(fmt_duration(Duration::from_millis(4996)), "5s");
        assert_eq!(fmt_duration(Duration::from_millis(59_996)), "1m");
    }

    #[tokio::test(start_paused = true)]
    async fn reserving_moves_the_deadline_earlier() {
        let dl = Deadline::after(Duration::from_secs(8), CancellationToken::new());
        let sub = dl.reserving(Duration::from_secs(2));
        assert_eq!(sub.remaining(), Duration::from_secs(6));
        assert_eq!(sub.budget(), Duration::from_secs(8));
        assert_eq!(
            dl.reserving(Duration::from_secs(20)).remaining(),
            Duration::ZERO
        );
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
