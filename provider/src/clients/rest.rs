//! The REST core every API client sends through: the token, the pace, each attempt raced
//! against the deadline, the stop signal and [`ATTEMPT_CAP`], the retry loop, create-in-doubt
//! marking, and one debug log line per HTTP request (API, method, URL, status, duration,
//! request-id; never a token). What differs between APIs is a [`Flavour`]: how errors are
//! parsed, which answers mean "throttled" and which "unavailable", and the base URL and token
//! audience the client is built with.

use super::auth::TokenSource;
use super::deadline::{fmt_duration, Bounded, Deadline};
use super::error::{ApiError, ErrorKind};
use super::http::{HttpRequest, Transport};
use super::pacer::Pacers;
use super::request::Request;
use super::retry::{parse_retry_after, RetryPolicy};
use serde_json::Value as Json;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

/// The longest one attempt may wait for an answer before it is abandoned (and, for an
/// idempotent request, sent again), however much of the operation's deadline is left. Graph
/// answers in well under a second when healthy, and its gateway answers 504 by itself when a
/// backend is slow; an attempt silent for a minute is on a connection that will never answer
/// (a half-open TCP connection, a proxy that dropped it). Without a cap one such connection
/// would eat a 10-minute create budget; with it, several fresh attempts still fit. The last
/// attempt is bounded by what remains of the deadline, so the operation ends on time.
pub const ATTEMPT_CAP: Duration = Duration::from_secs(60);

/// What one API's answers look like.
#[derive(Clone, Copy)]
pub struct Flavour {
    /// For logs: `graph`, `exchange`.
    pub name: &'static str,
    /// A non-2xx answer as a typed error.
    pub parse_error: fn(status: u16, body: &[u8], request_id: Option<String>) -> ApiError,
    /// Throttled besides 429 (not processed: safe to send again, whatever the method).
    pub throttled: fn(&ApiError) -> bool,
    /// Statuses of a gateway or service that may or may not have processed the request:
    /// repeated for idempotent requests, "in doubt" for the others.
    pub unavailable: &'static [u16],
}

#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Json>,
    pub request_id: Option<String>,
}

impl Response {
    /// A response header (`ETag`), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        super::http::find_header(&self.headers, name)
    }
}

pub struct RestClient {
    transport: Arc<dyn Transport>,
    /// Everything a request's path is below, e.g. `https://graph.microsoft.com/v1.0`.
    base: String,
    token: Arc<dyn TokenSource>,
    retry: RetryPolicy,
    flavour: Flavour,
    pacers: Arc<Pacers>,
    /// Sent with every request of this client (Exchange's routing headers).
    headers: Vec<(String, String)>,
}

impl RestClient {
    pub fn new(
        transport: Arc<dyn Transport>,
        base: String,
        token: Arc<dyn TokenSource>,
        flavour: Flavour,
        pacers: Arc<Pacers>,
    ) -> RestClient {
        RestClient {
            transport,
            base,
            token,
            retry: RetryPolicy::default(),
            flavour,
            pacers,
            headers: Vec::new(),
        }
    }

    pub fn with_headers(mut self, headers: Vec<(String, String)>) -> RestClient {
        self.headers = headers;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request under the deadline, at its pace. Each attempt is raced against the time
    /// left, the stop signal and [`ATTEMPT_CAP`]. Throttled requests (429, or what the flavour
    /// calls throttling) are sent again after Retry-After or the pacer's backoff, whatever the
    /// method: they were not processed. Idempotent requests are also sent again after a
    /// connection failure, an attempt that got no answer in time, and an "unavailable" status,
    /// while time remains; other requests then fail marked [`ApiError::in_doubt`], so the caller
    /// can look the object up before sending it again ([`super::create`]). A 403 names the
    /// permission the request needs. Non-2xx answers become [`ApiError`].
    pub async fn send(&self, req: &Request, dl: &Deadline) -> Result<Response, ApiError> {
        let what = req.describe();
        let Some(url) = req.url(&self.base) else {
            return Err(ApiError::other(
                ErrorKind::Http,
                format!("{what}: the service pointed outside {}", self.base),
            ));
        };
        let body = req
            .body
            .as_ref()
            .map(|b| serde_json::to_vec(b).expect("JSON serializes"));
        let idempotent = req.idempotent;
        let pacer = self.pacers.get(req.pacing);
        let api = self.flavour.name;
        // The URL in log lines, with what the request does when the URL cannot say it.
        let shown = req.labelled(&url);
        let mut attempt = 0u32;
        // What the last attempt ran into, for the message if waiting for the next one fails.
        let mut last: Option<String> = None;
        loop {
            if dl.cancel.is_cancelled() {
                return Err(dl.cancelled(&format!("before {what}")));
            }
            if dl.remaining().is_zero() {
                return Err(dl.expired(&format!("no time was left to send {what}")));
            }
            // The token first: the pace is kept at the service, which counts arrivals, so the
            // slot is taken when the request is ready to go, not before a token fetch.
            let token = self.token.token(dl).await?;
            let wait = pacer.reserve();
            if !wait.is_zero() {
                let why = last.clone().unwrap_or_else(|| {
                    format!("{what} waited for its turn ({:?} pace)", req.pacing)
                });
                dl.sleep(wait, &why).await?;
            }
            let client_request_id = uuid::Uuid::new_v4().to_string();
            let mut headers = vec![
                ("Authorization".to_string(), format!("Bearer {token}")),
                ("Accept".to_string(), "application/json".to_string()),
                ("client-request-id".to_string(), client_request_id.clone()),
            ];
            if body.is_some() {
                headers.push(("Content-Type".to_string(), "application/json".to_string()));
            }
            headers.extend(self.headers.iter().cloned());
            headers.extend(req.headers.iter().cloned());
            let started = Instant::now();
            let sent = dl
                .bound(
                    ATTEMPT_CAP,
                    self.transport.send(HttpRequest {
                        method: req.method.to_string(),
                        url: url.clone(),
                        headers,
                        body: body.clone(),
                    }),
                )
                .await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let in_doubt = |e: ApiError| if idempotent { e } else { e.mark_in_doubt() };
            let sent = match sent {
                Bounded::Done(r) => r,
                Bounded::Cancelled => {
                    return Err(in_doubt(dl.cancelled(&format!(
                        "{what} had not answered after {}",
                        fmt_duration(started.elapsed())
                    ))));
                }
                Bounded::Stalled {
                    waited,
                    out_of_time,
                } => {
                    let w = format!("{what} had not answered after {}", fmt_duration(waited));
                    tracing::debug!(api, method = req.method, url = %shown, duration_ms = elapsed_ms, client_request_id = %client_request_id, out_of_time, "request got no answer in time");
                    if out_of_time {
                        return Err(in_doubt(dl.expired(&w)));
                    }
                    self.again_after_no_answer(idempotent, attempt, dl, w)
                        .await?;
                    attempt += 1;
                    continue;
                }
            };
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    tracing::debug!(api, method = req.method, url = %shown, error = %e, duration_ms = elapsed_ms, client_request_id = %client_request_id, "request failed without a response");
                    let w = format!("{what} failed without an answer: {e}");
                    self.again_after_no_answer(idempotent, attempt, dl, w)
                        .await?;
                    attempt += 1;
                    continue;
                }
            };
            let request_id = resp.header("request-id").map(str::to_string);
            tracing::debug!(
                api,
                method = req.method,
                url = %shown,
                status = resp.status,
                duration_ms = elapsed_ms,
                request_id = request_id.as_deref().unwrap_or(""),
                client_request_id = %client_request_id,
                attempt,
                "request"
            );
            if (200..300).contains(&resp.status) {
                pacer.succeeded();
                let body = if resp.body.is_empty() {
                    None
                } else {
                    Some(serde_json::from_slice(&resp.body).map_err(|e| {
                        ApiError::other(
                            ErrorKind::Http,
                            format!("{} {url}: response is not JSON: {e}", req.method),
                        )
                    })?)
                };
                return Ok(Response {
                    status: resp.status,
                    headers: resp.headers,
                    body,
                    request_id,
                });
            }
            let mut err = (self.flavour.parse_error)(resp.status, &resp.body, request_id);
            if let (403, Some(p)) = (resp.status, &req.permission) {
                err = err.needing(p);
            }
            let retry_after = resp
                .header("retry-after")
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            if resp.status == 429 || (self.flavour.throttled)(&err) {
                // Not processed, come back later: everyone on this pacer waits (the wait is
                // taken at the top of the loop, where it is bounded by the deadline).
                let pause = pacer.throttled(retry_after);
                tracing::debug!(
                    api,
                    status = resp.status,
                    pause_ms = pause.as_millis() as u64,
                    attempt,
                    "throttled: retrying"
                );
                last = Some(format!("{what} kept answering {err}"));
                attempt += 1;
                continue;
            }
            if self.flavour.unavailable.contains(&resp.status) {
                // A gateway's 503/504 may hide a request the service did process, so only
                // idempotent requests repeat it blindly.
                if !idempotent {
                    return Err(err.mark_in_doubt());
                }
                let delay = self.retry.delay(attempt, retry_after, rand::random());
                tracing::debug!(
                    api,
                    status = resp.status,
                    delay_ms = delay.as_millis() as u64,
                    attempt,
                    "unavailable: retrying"
                );
                dl.sleep(delay, &format!("{what} kept answering {err}"))
                    .await?;
                attempt += 1;
                continue;
            }
            return Err(err);
        }
    }

    /// After an attempt that got no answer (`what` says which): an idempotent request waits
    /// its backoff to be sent again; any other may have been processed, so it ends in doubt.
    async fn again_after_no_answer(
        &self,
        idempotent: bool,
        attempt: u32,
        dl: &Deadline,
        what: String,
    ) -> Result<(), ApiError> {
        if !idempotent {
            return Err(ApiError::other(ErrorKind::Transport, what).mark_in_doubt());
        }
        dl.sleep(self.retry.delay(attempt, None, rand::random()), &what)
            .await
    }

    /// Sends a request and maps 404 to `None` (the object is gone).
    pub async fn send_optional(
        &self,
        req: &Request,
        dl: &Deadline,
    ) -> Result<Option<Response>, ApiError> {
        match self.send(req, dl).await {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::clients::http::mock::{graph_error, has_header, step, MockTransport};
    use crate::clients::pacer::{Pacing, FIRST_BACKOFF};
    use crate::clients::{Clients, Deadline, Permission, Request};
    use serde_json::json;
    use std::time::Duration;
    use tokio::time::Instant;
    use tokio_util::sync::CancellationToken;

    const CA: &str = "/v1.0/identity/conditionalAccess/policies";

    fn dl() -> Deadline {
        Deadline::after(Duration::from_secs(120), CancellationToken::new())
    }

    fn ca_get() -> Request {
        Request::get("/identity/conditionalAccess/policies").paced(Pacing::ConditionalAccess)
    }

    #[tokio::test(start_paused = true)]
    async fn conditional_access_requests_go_at_one_per_second() {
        let m = MockTransport::new((0..4).map(|_| step("GET", CA, 200, None)).collect());
        let c = Clients::for_tests(m.clone());
        let started = Instant::now();
        for _ in 0..4 {
            c.graph.send(&ca_get(), &dl()).await.unwrap();
        }
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(3299) && took <= Duration::from_millis(3301),
            "three waits of 1.1 s: {took:?}"
        );
        // Other Graph requests are not held back by that pace.
        let m2 = MockTransport::new(vec![step("GET", "/v1.0/x", 200, None)]);
        let c2 = Clients::for_tests(m2);
        let t = Instant::now();
        c2.graph.send(&Request::get("/x"), &dl()).await.unwrap();
        assert_eq!(t.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn repeated_429s_without_retry_after_back_off_doubling() {
        let m = MockTransport::new(vec![
            step("GET", CA, 429, None),
            step("GET", CA, 429, None),
            step("GET", CA, 429, None),
            step("GET", CA, 200, None),
        ]);
        let c = Clients::for_tests(m.clone());
        let started = Instant::now();
        c.graph.send(&ca_get(), &dl()).await.unwrap();
        // 1.1 s (the pace is longer than the first backoff), then 2 s + 4 s of backoff.
        let took = started.elapsed();
        let want = FIRST_BACKOFF * 6 + Duration::from_millis(1100);
        assert!(
            took.abs_diff(want) <= Duration::from_millis(1),
            "{took:?}, want {want:?}"
        );
        m.assert_done();
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_holds_back_every_request_of_the_provider_instance() {
        let m = MockTransport::new(vec![
            step("GET", "/v1.0/a", 429, None),
            step("GET", "/v1.0/a", 200, None),
        ]);
        let c = std::sync::Arc::new(Clients::for_tests(m.clone()));
        let c2 = c.clone();
        let a = tokio::spawn(async move { c2.graph.send(&Request::get("/a"), &dl()).await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Another resource instance's request would wait out the same backoff.
        let wait = c.pacers.get(Pacing::Graph).reserve();
        assert_eq!(wait, FIRST_BACKOFF - Duration::from_millis(100));
        a.await.unwrap().unwrap();
        m.assert_done();
    }

    #[test]
    fn each_flavour_names_what_is_retried() {
        use crate::clients::{exchange::EXCHANGE, graph::GRAPH};
        assert_eq!(GRAPH.unavailable, &[503, 504]);
        assert_eq!(EXCHANGE.unavailable, &[408, 503, 504]);
        for f in [GRAPH, EXCHANGE] {
            for status in [400, 404, 409, 500] {
                assert!(!f.unavailable.contains(&status), "{} {status}", f.name);
            }
        }
        let busy = crate::clients::exchange::parse_error(
            503,
            b"You have reached the maximum number of concurrent requests per tenant.",
            None,
        );
        assert!((EXCHANGE.throttled)(&busy));
        assert!(!(GRAPH.throttled)(&busy));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_is_retried_even_for_a_post_and_500_is_final() {
        let m = MockTransport::new(vec![
            step("POST", "/v1.0/x", 429, None),
            step("POST", "/v1.0/x", 500, None),
        ]);
        let c = Clients::for_tests(m.clone());
        let e = c
            .graph
            .send(&Request::post("/x", json!({})), &dl())
            .await
            .unwrap_err();
        assert_eq!(e.status, Some(500));
        assert!(!e.in_doubt);
        m.assert_done();
    }

    #[tokio::test]
    async fn a_403_says_which_permission_to_grant() {
        let m = MockTransport::new(vec![graph_error(
            "POST",
            "/v1.0/x",
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )]);
        let c = Clients::for_tests(m);
        let req = Request::post("/x", json!({}))
            .needs(Permission::graph(&["Policy.ReadWrite.CrossTenantAccess"]));
        let e = c.graph.send(&req, &dl()).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "HTTP 403 Authorization_RequestDenied: Insufficient privileges to complete the operation. This operation needs the Microsoft Graph application permission `Policy.ReadWrite.CrossTenantAccess`, granted with admin consent."
        );
        assert!(!e.in_doubt);
    }

    #[tokio::test]
    async fn query_and_request_headers_are_sent() {
        let m = MockTransport::new(vec![step("PATCH", "/v1.0/x?$select=id,a", 204, None)]);
        let c = Clients::for_tests(m.clone());
        let req = Request::patch("/x", json!({"a": 1}))
            .query("$select", "id,a")
            .if_match("W/\"7\"");
        c.graph.send(&req, &dl()).await.unwrap();
        let seen = m.seen.lock().unwrap();
        assert_eq!(seen[0].url, "https://graph.example/v1.0/x?$select=id,a");
        assert!(has_header(&seen[0], "If-Match", "W/\"7\""));
        assert!(has_header(&seen[0], "Authorization", "Bearer graph-token"));
    }
}
