//! Microsoft Graph client: auth header, JSON bodies, the retry policy, typed errors, and one
//! debug log line per HTTP request (method, URL, status, duration, request-id; never a token).

use super::auth::TokenSource;
use super::consistency::{fmt_duration, Bounded, Deadline};
use super::error::{ApiError, ErrorKind};
use super::http::{HttpRequest, Transport};
use super::retry::{is_retryable_status, parse_retry_after, RetryPolicy};
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

/// A Graph request, built by pure functions in each resource's `api.rs` (no IO), so unit tests
/// can assert method, path and body exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphRequest {
    pub method: &'static str,
    /// Path below the version segment, e.g. `/policies/crossTenantAccessPolicy/partners`.
    pub path: String,
    pub body: Option<Json>,
}

impl GraphRequest {
    pub fn get(path: impl Into<String>) -> Self {
        GraphRequest {
            method: "GET",
            path: path.into(),
            body: None,
        }
    }
    pub fn delete(path: impl Into<String>) -> Self {
        GraphRequest {
            method: "DELETE",
            path: path.into(),
            body: None,
        }
    }
    pub fn post(path: impl Into<String>, body: Json) -> Self {
        GraphRequest {
            method: "POST",
            path: path.into(),
            body: Some(body),
        }
    }
    pub fn patch(path: impl Into<String>, body: Json) -> Self {
        GraphRequest {
            method: "PATCH",
            path: path.into(),
            body: Some(body),
        }
    }
    pub fn put(path: impl Into<String>, body: Json) -> Self {
        GraphRequest {
            method: "PUT",
            path: path.into(),
            body: Some(body),
        }
    }
    fn idempotent(&self) -> bool {
        self.method != "POST"
    }
}

#[derive(Clone, Debug)]
pub struct GraphResponse {
    pub status: u16,
    pub body: Option<Json>,
    pub request_id: Option<String>,
}

pub struct GraphClient {
    transport: Arc<dyn Transport>,
    /// e.g. `https://graph.microsoft.com/v1.0`
    base: String,
    token: Arc<dyn TokenSource>,
    retry: RetryPolicy,
}

impl GraphClient {
    pub fn new(
        transport: Arc<dyn Transport>,
        endpoint: &str,
        token: Arc<dyn TokenSource>,
    ) -> GraphClient {
        GraphClient {
            transport,
            base: format!("{}/v1.0", endpoint.trim_end_matches('/')),
            token,
            retry: RetryPolicy::default(),
        }
    }

    /// Sends a request under the deadline. Each attempt is raced against the time left, the
    /// stop signal and [`ATTEMPT_CAP`]. Idempotent requests are retried after a connection
    /// failure, an attempt that got no answer in time, and 429/503/504, while time remains.
    /// A POST is retried only after 429 (throttled: not processed); after a failure that may
    /// hide a processed request it returns the error marked [`ApiError::in_doubt`], so the
    /// caller can look the object up before sending it again ([`super::create`]).
    /// Non-2xx answers become [`ApiError`].
    pub async fn send(&self, req: &GraphRequest, dl: &Deadline) -> Result<GraphResponse, ApiError> {
        let url = format!("{}{}", self.base, req.path);
        let body = req
            .body
            .as_ref()
            .map(|b| serde_json::to_vec(b).expect("JSON serializes"));
        let idempotent = req.idempotent();
        let mut attempt = 0u32;
        loop {
            if dl.cancel.is_cancelled() {
                return Err(dl.cancelled(&format!("before {} {}", req.method, req.path)));
            }
            if dl.remaining().is_zero() {
                return Err(dl.expired(&format!(
                    "no time was left to send {} {}",
                    req.method, req.path
                )));
            }
            let token = self.token.token(dl).await?;
            let client_request_id = uuid::Uuid::new_v4().to_string();
            let mut headers = vec![
                ("Authorization".to_string(), format!("Bearer {token}")),
                ("Accept".to_string(), "application/json".to_string()),
                ("client-request-id".to_string(), client_request_id.clone()),
            ];
            if body.is_some() {
                headers.push(("Content-Type".to_string(), "application/json".to_string()));
            }
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
            let sent = match sent {
                Bounded::Done(r) => r,
                Bounded::Cancelled => {
                    let e = dl.cancelled(&format!(
                        "{} {} had not answered after {}",
                        req.method,
                        req.path,
                        fmt_duration(started.elapsed())
                    ));
                    return Err(if idempotent { e } else { e.mark_in_doubt() });
                }
                Bounded::Stalled {
                    waited,
                    out_of_time,
                } => {
                    let what = format!(
                        "{} {} had not answered after {}",
                        req.method,
                        req.path,
                        fmt_duration(waited)
                    );
                    tracing::debug!(method = req.method, url = %url, duration_ms = elapsed_ms, client_request_id = %client_request_id, out_of_time, "graph request got no answer in time");
                    if out_of_time {
                        let e = dl.expired(&what);
                        return Err(if idempotent { e } else { e.mark_in_doubt() });
                    }
                    if !idempotent {
                        return Err(ApiError::other(ErrorKind::Transport, what).mark_in_doubt());
                    }
                    let delay = self.retry.delay(attempt, None, rand::random());
                    dl.sleep(delay, &what).await?;
                    attempt += 1;
                    continue;
                }
            };
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    tracing::debug!(method = req.method, url = %url, error = %e, duration_ms = elapsed_ms, client_request_id = %client_request_id, "graph request failed without a response");
                    let what = format!("{} {} failed without an answer: {e}", req.method, req.path);
                    if idempotent {
                        let delay = self.retry.delay(attempt, None, rand::random());
                        dl.sleep(delay, &what).await?;
                        attempt += 1;
                        continue;
                    }
                    return Err(ApiError::other(ErrorKind::Transport, what).mark_in_doubt());
                }
            };
            let request_id = resp.header("request-id").map(str::to_string);
            tracing::debug!(
                method = req.method,
                url = %url,
                status = resp.status,
                duration_ms = elapsed_ms,
                request_id = request_id.as_deref().unwrap_or(""),
                client_request_id = %client_request_id,
                attempt,
                "graph request"
            );
            if (200..300).contains(&resp.status) {
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
                return Ok(GraphResponse {
                    status: resp.status,
                    body,
                    request_id,
                });
            }
            let err = ApiError::from_graph(resp.status, &resp.body, request_id);
            if is_retryable_status(resp.status) {
                // 429 means "not processed, come back later"; a gateway's 503/504 may hide a
                // request the service did process, so only idempotent requests repeat it blindly.
                if !idempotent && resp.status != 429 {
                    return Err(err.mark_in_doubt());
                }
                let retry_after = resp
                    .header("retry-after")
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                let delay = self.retry.delay(attempt, retry_after, rand::random());
                tracing::debug!(
                    status = resp.status,
                    delay_ms = delay.as_millis() as u64,
                    attempt,
                    "throttled or unavailable: retrying"
                );
                dl.sleep(
                    delay,
                    &format!("{} {} kept answering {}", req.method, req.path, err),
                )
                .await?;
                attempt += 1;
                continue;
            }
            return Err(err);
        }
    }

    /// GET that maps 404 to `None` (the object is gone).
    pub async fn get_optional(&self, path: &str, dl: &Deadline) -> Result<Option<Json>, ApiError> {
        match self.send(&GraphRequest::get(path), dl).await {
            Ok(r) => Ok(Some(r.body.unwrap_or(Json::Null))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::auth::StaticToken;
    use crate::clients::http::mock::{fail, stall, step, MockTransport};
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    fn client(m: Arc<MockTransport>) -> GraphClient {
        GraphClient::new(
            m,
            "https://graph.example",
            Arc::new(StaticToken("t0ken".into())),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn retries_throttling_honouring_retry_after() {
        let mut throttled = step(
            "POST",
            "/v1.0/x",
            429,
            Some(serde_json::json!({"error":{"code":"TooManyRequests","message":"slow down"}})),
        );
        throttled.headers.push(("Retry-After".into(), "3".into()));
        let m = MockTransport::new(vec![
            throttled,
            step("POST", "/v1.0/x", 429, None),
            step(
                "POST",
                "/v1.0/x",
                201,
                Some(serde_json::json!({"ok": true})),
            ),
        ]);
        let g = client(m.clone());
        let dl = Deadline::after(Duration::from_secs(60), CancellationToken::new());
        let started = tokio::time::Instant::now();
        let r = g
            .send(&GraphRequest::post("/x", serde_json::json!({"a":1})), &dl)
            .await
            .unwrap();
        assert_eq!(r.status, 201);
        assert!(
            started.elapsed() >= Duration::from_secs(3),
            "waited for Retry-After"
        );
        m.assert_done();
        let seen = m.seen.lock().unwrap();
        assert!(seen[0]
            .headers
            .iter()
            .any(|(k, v)| k == "Authorization" && v == "Bearer t0ken"));
        assert!(seen[0]
            .headers
            .iter()
            .any(|(k, v)| k == "Content-Type" && v == "application/json"));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_beyond_deadline_fails_fast() {
        let mut throttled = step("GET", "/v1.0/x", 429, None);
        throttled.headers.push(("Retry-After".into(), "120".into()));
        let m = MockTransport::new(vec![throttled]);
        let dl = Deadline::after(Duration::from_secs(10), CancellationToken::new());
        let e = client(m.clone())
            .send(&GraphRequest::get("/x"), &dl)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Deadline);
        assert!(e.message.contains("429"), "{e}");
    }

    #[tokio::test]
    async fn errors_are_typed() {
        let mut r = step(
            "GET",
            "/v1.0/x",
            404,
            Some(serde_json::json!({"error":{"code":"Request_ResourceNotFound","message":"gone"}})),
        );
        r.headers.push(("request-id".into(), "rid-1".into()));
        let m = MockTransport::new(vec![r]);
        let dl = Deadline::after(Duration::from_secs(10), CancellationToken::new());
        let e = client(m)
            .send(&GraphRequest::get("/x"), &dl)
            .await
            .unwrap_err();
        assert!(e.is_not_found());
        assert_eq!(e.request_id.as_deref(), Some("rid-1"));
        assert_eq!(e.code, "Request_ResourceNotFound");
    }

    #[tokio::test(start_paused = true)]
    async fn unavailable_is_retried_for_idempotent_requests() {
        let m = MockTransport::new(vec![
            step("PUT", "/v1.0/x", 503, None),
            step("PUT", "/v1.0/x", 504, None),
            step("PUT", "/v1.0/x", 204, None),
        ]);
        let dl = Deadline::after(Duration::from_secs(60), CancellationToken::new());
        let r = client(m.clone())
            .send(&GraphRequest::put("/x", serde_json::json!({})), &dl)
            .await
            .unwrap();
        assert_eq!(r.status, 204);
        m.assert_done();
    }

    #[tokio::test(start_paused = true)]
    async fn a_post_is_not_repeated_after_an_answer_that_may_hide_its_processing() {
        for s in [
            step("POST", "/v1.0/x", 503, None),
            step("POST", "/v1.0/x", 504, None),
            fail("POST", "/v1.0/x", "connection reset by peer"),
            stall("POST", "/v1.0/x"),
        ] {
            let m = MockTransport::new(vec![s]);
            let dl = Deadline::after(Duration::from_secs(600), CancellationToken::new());
            let e = client(m.clone())
                .send(&GraphRequest::post("/x", serde_json::json!({})), &dl)
                .await
                .unwrap_err();
            assert!(e.in_doubt, "{e}");
            m.assert_done();
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_attempt_is_abandoned_at_the_cap_and_sent_again() {
        let m = MockTransport::new(vec![
            stall("GET", "/v1.0/x"),
            fail("GET", "/v1.0/x", "connection reset by peer"),
            step("GET", "/v1.0/x", 200, Some(serde_json::json!({"a": 1}))),
        ]);
        let dl = Deadline::after(Duration::from_secs(300), CancellationToken::new());
        let started = tokio::time::Instant::now();
        let r = client(m.clone())
            .send(&GraphRequest::get("/x"), &dl)
            .await
            .unwrap();
        assert_eq!(r.body, Some(serde_json::json!({"a": 1})));
        let took = started.elapsed();
        assert!(
            took >= ATTEMPT_CAP && took < ATTEMPT_CAP + Duration::from_secs(5),
            "{took:?}"
        );
        m.assert_done();
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_request_fails_at_the_deadline_saying_what_it_waited_for() {
        let m = MockTransport::new(vec![stall("GET", "/v1.0/x")]);
        let dl = Deadline::after(Duration::from_secs(5), CancellationToken::new())
            .labelled("reading thing", "Raise `timeouts.read`.");
        let started = tokio::time::Instant::now();
        let e = client(m)
            .send(&GraphRequest::get("/x"), &dl)
            .await
            .unwrap_err();
        assert_eq!(started.elapsed(), Duration::from_secs(5));
        assert_eq!(e.kind, ErrorKind::Deadline);
        assert_eq!(
            e.to_string(),
            "reading thing timed out after 5s: GET /x had not answered after 5s. Raise `timeouts.read`."
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_interrupts_a_request_in_flight() {
        let m = MockTransport::new(vec![stall("GET", "/v1.0/x")]);
        let cancel = CancellationToken::new();
        let dl = Deadline::after(Duration::from_secs(300), cancel.clone());
        let stopper = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            stopper.cancel();
        });
        let started = tokio::time::Instant::now();
        let e = client(m)
            .send(&GraphRequest::get("/x"), &dl)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Cancelled);
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(e.message.contains("GET /x had not answered after 2"), "{e}");
    }

    #[tokio::test]
    async fn get_optional_maps_404_to_none() {
        let m = MockTransport::new(vec![step("GET", "/v1.0/x", 404, None)]);
        let dl = Deadline::after(Duration::from_secs(10), CancellationToken::new());
        assert!(client(m).get_optional("/x", &dl).await.unwrap().is_none());
    }
}
