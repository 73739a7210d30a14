//! When an operation must be done by: every wait in the provider goes through a [`Deadline`],
//! so nothing waits or retries past the operation's deadline or after a stop request.

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

#[cfg(test)]
mod tests {
    use super::*;

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
