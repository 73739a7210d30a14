//! Creating an object exactly once over an unreliable network. A create POST is not
//! idempotent: when it gets no answer (connection reset, no answer in time) or a gateway's
//! 503/504, the service may or may not have created the object, and sending it again could
//! make a duplicate or answer 409 for an object we just made. The rule, for every object
//! family (and every API):
//!
//! 1. send the create; success or a plain error ends it;
//! 2. when the outcome is in doubt ([`ApiError::in_doubt`]), look the object up by its
//!    natural key (the attribute(s) the service keeps unique: a partner's tenant ID, an
//!    application's display name and template, a policy's display name, an Exchange object's
//!    name);
//!    - it exists and matches what was sent: adopt it (our earlier attempt made it);
//!    - it exists and differs: someone else's object, fail as "already exists";
//!    - it does not exist: the earlier attempt was not processed; send the create again;
//! 3. a 409 after an attempt in doubt goes through the same lookup (the earlier attempt made
//!    it); a 409 on a first, clean attempt is a plain "already exists";
//! 4. 429 is not in doubt (throttled requests are not processed): the client retries it.
//!
//! Everything runs under the operation's deadline; part of it is kept back while sending so
//! that a create that stalls until late still has time to find out what happened.

use super::consistency::poll_delay;
use super::deadline::{fmt_duration, Deadline};
use super::error::{ApiError, ErrorKind};
use super::retry::RetryPolicy;
use std::future::Future;
use std::time::Duration;

/// How a create ended.
#[derive(Debug)]
pub enum Created<R, O> {
    /// The create was answered with success.
    Sent(R),
    /// An earlier attempt's outcome was in doubt and the lookup found the object as sent.
    Adopted(O),
}

impl<R, O> Created<R, O> {
    /// The object made: read from the create's answer by `sent`, or the one adopted.
    pub fn object(self, sent: impl FnOnce(R) -> Option<O>) -> Option<O> {
        match self {
            Created::Sent(r) => sent(r),
            Created::Adopted(o) => Some(o),
        }
    }
}

#[derive(Debug)]
pub enum CreateError<O> {
    /// An object with the same natural key exists and is not the one we sent: the caller
    /// reports "already exists, import it". `existing` is what the lookup found (`None` for a
    /// 409 on a clean first attempt, which needs no lookup).
    AlreadyExists {
        existing: Option<O>,
        error: Option<ApiError>,
    },
    /// Any other failure (including the deadline). When an attempt was in doubt, the message
    /// says so.
    Api(ApiError),
}

impl<O> From<ApiError> for CreateError<O> {
    fn from(e: ApiError) -> Self {
        CreateError::Api(e)
    }
}

/// The part of the remaining time kept back from sending for the lookup that follows an
/// attempt in doubt: a quarter, at most 30 s (a lookup is one GET, retried while it fails).
fn lookup_reserve(remaining: Duration) -> Duration {
    (remaining / 4).min(Duration::from_secs(30))
}

/// Creates an object once, adopting the result of an earlier attempt whose outcome was in
/// doubt (see the module docs). `what` names the object for messages ("the partner
/// configuration for tenant X"); `send` makes one create call (its client retries throttling);
/// `lookup` finds the object by its natural key (`None`: not there); `matches` says whether a
/// found object is what `send` sends.
pub async fn create_once<R, O, S, SF, L, LF, M>(
    dl: &Deadline,
    what: &str,
    mut send: S,
    mut lookup: L,
    matches: M,
) -> Result<Created<R, O>, CreateError<O>>
where
    S: FnMut(Deadline) -> SF,
    SF: Future<Output = Result<R, ApiError>>,
    L: FnMut(Deadline) -> LF,
    LF: Future<Output = Result<Option<O>, ApiError>>,
    M: Fn(&O) -> bool,
{
    let retry = RetryPolicy::default();
    // Why an earlier attempt may have created the object, once one was in doubt.
    let mut doubt: Option<String> = None;
    let mut attempt = 0u32;
    loop {
        let sending = dl.reserving(lookup_reserve(dl.remaining()));
        let err = match send(sending).await {
            Ok(r) => return Ok(Created::Sent(r)),
            Err(e) => e,
        };
        let conflict = err.is_conflict();
        if conflict && doubt.is_none() {
            return Err(CreateError::AlreadyExists {
                existing: None,
                error: Some(err),
            });
        }
        if err.kind == ErrorKind::Cancelled {
            return Err(CreateError::Api(with_doubt(err, doubt.as_deref(), what)));
        }
        if !conflict && !err.in_doubt {
            return Err(CreateError::Api(err));
        }
        let why = if conflict {
            format!("the create was sent again and answered {err}")
        } else {
            err.to_string()
        };
        tracing::info!(what, why = %why, "create outcome unknown: looking the object up by its natural key");
        doubt = Some(why.clone());

        // A 409 proves the object exists; a replica may still not show it (replication lag),
        // so keep looking until it does.
        let mut look = 0u32;
        loop {
            match lookup(dl.clone()).await {
                Err(e) => return Err(CreateError::Api(with_doubt(e, doubt.as_deref(), what))),
                Ok(Some(found)) if matches(&found) => {
                    tracing::info!(what, "adopting the object an earlier create attempt made");
                    return Ok(Created::Adopted(found));
                }
                Ok(Some(found)) => {
                    return Err(CreateError::AlreadyExists {
                        existing: Some(found),
                        error: None,
                    })
                }
                Ok(None) if conflict => {
                    dl.sleep(
                        poll_delay(look),
                        &format!("{what} was reported to exist (409) but could not be found yet"),
                    )
                    .await
                    .map_err(|e| CreateError::Api(with_doubt(e, doubt.as_deref(), what)))?;
                    look += 1;
                }
                Ok(None) => break,
            }
        }
        // Not there: the attempt in doubt was not processed. Send it again.
        let delay = retry.delay(attempt, None, rand::random());
        dl.sleep(
            delay,
            &format!("{what} was not created ({why}); it was about to be sent again"),
        )
        .await?;
        tracing::debug!(
            what,
            delay = %fmt_duration(delay),
            "the object does not exist: sending the create again"
        );
        attempt += 1;
    }
}

/// Adds to an error that an earlier attempt's outcome is unknown, so the user knows the
/// object may exist.
fn with_doubt(mut e: ApiError, doubt: Option<&str>, what: &str) -> ApiError {
    if let Some(why) = doubt.or(e.in_doubt.then_some("")) {
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(" ({why})")
        };
        e.message = format!(
            "{}. A create of {what} got no clear answer{why}, so it may exist: if the next run reports that it already exists, import it",
            e.message.trim_end_matches('.')
        );
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use tokio_util::sync::CancellationToken;

    /// A scripted world: what each create call answers, and what each lookup finds.
    struct World {
        sends: RefCell<Vec<Result<&'static str, ApiError>>>,
        lookups: RefCell<Vec<Result<Option<&'static str>, ApiError>>>,
        sent: RefCell<u32>,
        looked: RefCell<u32>,
    }

    impl World {
        fn new(
            sends: Vec<Result<&'static str, ApiError>>,
            lookups: Vec<Result<Option<&'static str>, ApiError>>,
        ) -> World {
            World {
                sends: RefCell::new(sends.into_iter().rev().collect()),
                lookups: RefCell::new(lookups.into_iter().rev().collect()),
                sent: RefCell::new(0),
                looked: RefCell::new(0),
            }
        }

        async fn run(
            &self,
            dl: &Deadline,
        ) -> Result<Created<&'static str, &'static str>, CreateError<&'static str>> {
            create_once(
                dl,
                "the thing",
                |_| {
                    *self.sent.borrow_mut() += 1;
                    let r = self.sends.borrow_mut().pop().expect("unexpected create");
                    async move { r }
                },
                |_| {
                    *self.looked.borrow_mut() += 1;
                    let r = self.lookups.borrow_mut().pop().expect("unexpected lookup");
                    async move { r }
                },
                |found: &&str| *found == "ours",
            )
            .await
        }

        fn counts(&self) -> (u32, u32) {
            (*self.sent.borrow(), *self.looked.borrow())
        }
    }

    fn dl() -> Deadline {
        Deadline::after(Duration::from_secs(60), CancellationToken::new())
    }
    fn reset() -> ApiError {
        ApiError::other(
            ErrorKind::Transport,
            "POST /x failed without an answer: reset",
        )
        .mark_in_doubt()
    }
    fn gateway() -> ApiError {
        ApiError::http(504, "gatewayTimeout", "slow", None).mark_in_doubt()
    }
    fn conflict() -> ApiError {
        ApiError::http(409, "Conflict", "exists", None)
    }

    #[tokio::test(start_paused = true)]
    async fn clean_success_needs_no_lookup() {
        let w = World::new(vec![Ok("made")], vec![]);
        assert!(matches!(w.run(&dl()).await, Ok(Created::Sent("made"))));
        assert_eq!(w.counts(), (1, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn processed_attempt_in_doubt_is_adopted() {
        let w = World::new(vec![Err(gateway())], vec![Ok(Some("ours"))]);
        assert!(matches!(w.run(&dl()).await, Ok(Created::Adopted("ours"))));
        assert_eq!(w.counts(), (1, 1), "no second create");
    }

    #[tokio::test(start_paused = true)]
    async fn unprocessed_attempt_in_doubt_is_sent_again() {
        let w = World::new(vec![Err(reset()), Ok("made")], vec![Ok(None)]);
        assert!(matches!(w.run(&dl()).await, Ok(Created::Sent("made"))));
        assert_eq!(w.counts(), (2, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn conflict_after_doubt_waits_for_the_object_and_adopts_it() {
        // Reset, lookup misses (replication lag), resend answers 409, lookup misses once more,
        // then finds it.
        let w = World::new(
            vec![Err(reset()), Err(conflict())],
            vec![Ok(None), Ok(None), Ok(Some("ours"))],
        );
        assert!(matches!(w.run(&dl()).await, Ok(Created::Adopted("ours"))));
        assert_eq!(w.counts(), (2, 3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_different_object_is_already_exists() {
        let w = World::new(vec![Err(gateway())], vec![Ok(Some("theirs"))]);
        match w.run(&dl()).await {
            Err(CreateError::AlreadyExists {
                existing: Some("theirs"),
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_clean_conflict_is_already_exists_without_lookup() {
        let w = World::new(vec![Err(conflict())], vec![]);
        assert!(matches!(
            w.run(&dl()).await,
            Err(CreateError::AlreadyExists { existing: None, .. })
        ));
        assert_eq!(w.counts(), (1, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn plain_errors_are_not_looked_up() {
        let w = World::new(vec![Err(ApiError::http(400, "Bad", "no", None))], vec![]);
        match w.run(&dl()).await {
            Err(CreateError::Api(e)) => assert_eq!(e.status, Some(400)),
            other => panic!("{other:?}"),
        }
        assert_eq!(w.counts(), (1, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_at_the_deadline_saying_the_object_may_exist() {
        let dl = Deadline::after(Duration::from_secs(5), CancellationToken::new());
        // Every create resets and nothing is ever found: resend until the deadline.
        let mut sends = Vec::new();
        let mut lookups = Vec::new();
        for _ in 0..50 {
            sends.push(Err(reset()));
            lookups.push(Ok(None));
        }
        let w = World::new(sends, lookups);
        match w.run(&dl).await {
            Err(CreateError::Api(e)) => {
                assert_eq!(e.kind, ErrorKind::Deadline, "{e}");
                assert!(e.message.contains("the thing was not created"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        let (sent, looked) = w.counts();
        assert!(sent >= 2 && looked == sent, "sent {sent}, looked {looked}");
    }

    #[tokio::test(start_paused = true)]
    async fn cancelled_in_doubt_says_the_object_may_exist() {
        let cancelled = ApiError::other(ErrorKind::Cancelled, "cancelled: stop").mark_in_doubt();
        let w = World::new(vec![Err(cancelled)], vec![]);
        match w.run(&dl()).await {
            Err(CreateError::Api(e)) => {
                assert_eq!(e.kind, ErrorKind::Cancelled);
                assert!(e.message.contains("import it"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(w.counts(), (1, 0), "a stop is obeyed at once");
    }
}
