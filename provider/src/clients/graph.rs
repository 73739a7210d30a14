//! Microsoft Graph: its error envelope, its base URL (`<endpoint>/v1.0`) and token audience
//! (`<endpoint>/.default`, given by the caller) over the REST core ([`super::rest`]).

use super::auth::TokenSource;
use super::deadline::Deadline;
use super::error::ApiError;
use super::http::Transport;
use super::pacer::Pacers;
use super::request::Request;
use super::rest::{Flavour, Response, RestClient};
use serde_json::Value as Json;
use std::borrow::Borrow;
use std::sync::Arc;

/// Graph requests are plain [`Request`]s (the default pacing is Graph's).
pub type GraphRequest = Request;
pub type GraphResponse = Response;

/// Graph's answers: `{"error":{"code","message","innerError"}}`; 503/504 come from its gateway.
pub const GRAPH: Flavour = Flavour {
    name: "graph",
    parse_error: ApiError::from_graph,
    throttled: |_| false,
    unavailable: &[503, 504],
};

pub struct GraphClient {
    rest: RestClient,
}

impl GraphClient {
    pub fn new(
        transport: Arc<dyn Transport>,
        endpoint: &str,
        token: Arc<dyn TokenSource>,
        pacers: Arc<Pacers>,
    ) -> GraphClient {
        let base = format!("{}/v1.0", endpoint.trim_end_matches('/'));
        GraphClient {
            rest: RestClient::new(transport, base, token, GRAPH, pacers),
        }
    }

    /// See [`RestClient::send`].
    pub async fn send(&self, req: &Request, dl: &Deadline) -> Result<Response, ApiError> {
        self.rest.send(req, dl).await
    }

    /// [`super::create::create_once`] with `post` as the create call: sent once, and an
    /// attempt in doubt followed by `lookup` (the object by its natural key) before any resend.
    pub async fn create_once<O, L, LF, M>(
        &self,
        dl: &Deadline,
        what: &str,
        post: &Request,
        lookup: L,
        matches: M,
    ) -> Result<super::create::Created<Response, O>, super::create::CreateError<O>>
    where
        L: FnMut(Deadline) -> LF,
        LF: std::future::Future<Output = Result<Option<O>, ApiError>>,
        M: Fn(&O) -> bool,
    {
        super::create::create_once(
            dl,
            what,
            |dl| async move { self.send(post, &dl).await },
            lookup,
            matches,
        )
        .await
    }

    /// [`Self::send`] for the body alone (`null` when the answer has none). Takes the request by
    /// value or by reference, so a retried closure can build it on each attempt.
    pub async fn send_json(
        &self,
        req: impl Borrow<Request>,
        dl: &Deadline,
    ) -> Result<Json, ApiError> {
        let r = self.rest.send(req.borrow(), dl).await?;
        Ok(r.body.unwrap_or(Json::Null))
    }

    /// [`Self::send`] for requests whose answer carries nothing the caller needs (a PATCH, a
    /// PUT, a start): only the success counts.
    pub async fn send_discarding_body(
        &self,
        req: impl Borrow<Request>,
        dl: &Deadline,
    ) -> Result<(), ApiError> {
        self.rest.send(req.borrow(), dl).await.map(|_| ())
    }

    /// Sends a request whose 404 means its goal is already reached: a DELETE ("it does not
    /// exist"), a pause or an unassignment of something gone.
    pub async fn send_unless_gone(
        &self,
        req: impl Borrow<Request>,
        dl: &Deadline,
    ) -> Result<(), ApiError> {
        match self.rest.send(req.borrow(), dl).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Every element of a collection: the `value` of each page, following `@odata.nextLink`.
    /// A next page is a GET of the link as given, with the first request's permission and
    /// pacing (the request builder's; a link to another host is refused by [`Request::url`]).
    pub async fn list_all(&self, req: &Request, dl: &Deadline) -> Result<Vec<Json>, ApiError> {
        let mut out = Vec::new();
        let mut next = req.clone();
        loop {
            let page = self.send_json(&next, dl).await?;
            if let Some(items) = page.get("value").and_then(Json::as_array) {
                out.extend(items.iter().cloned());
            }
            match page.get("@odata.nextLink").and_then(Json::as_str) {
                Some(link) => {
                    next = Request::get(link).paced(req.pacing);
                    next.permission = req.permission;
                }
                None => return Ok(out),
            }
        }
    }

    /// A GET that maps 404 to `None` (the object is gone); the body otherwise.
    pub async fn get_optional(
        &self,
        req: &Request,
        dl: &Deadline,
    ) -> Result<Option<Json>, ApiError> {
        Ok(self
            .rest
            .send_optional(req, dl)
            .await?
            .map(|r| r.body.unwrap_or(Json::Null)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::auth::StaticToken;
    use crate::clients::error::ErrorKind;
    use crate::clients::http::mock::{fail, has_header, stall, step, MockTransport};
    use crate::clients::rest::ATTEMPT_CAP;
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    fn client(m: Arc<MockTransport>) -> GraphClient {
        GraphClient::new(
            m,
            "https://graph.example",
            Arc::new(StaticToken("t0ken".into())),
            Pacers::new(),
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
        assert!(has_header(&seen[0], "Authorization", "Bearer t0ken"));
        assert!(has_header(&seen[0], "Content-Type", "application/json"));
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
    async fn list_all_follows_next_links_keeping_permission_and_pacing() {
        use crate::clients::pacer::Pacing;
        use crate::clients::Permission;
        let m = MockTransport::new(vec![
            step(
                "GET",
                "/v1.0/things",
                200,
                Some(serde_json::json!({"value": [{"id": "a"}, {"id": "b"}],
                    "@odata.nextLink": "https://graph.example/v1.0/things?$skiptoken=2"})),
            ),
            step(
                "GET",
                "/v1.0/things?$skiptoken=2",
                200,
                Some(serde_json::json!({"value": [{"id": "c"}]})),
            ),
        ]);
        let dl = Deadline::after(Duration::from_secs(10), CancellationToken::new());
        let first = GraphRequest::get("/things")
            .needs(Permission::graph(&["Policy.Read.All"]))
            .paced(Pacing::ConditionalAccess);
        let all = client(m.clone()).list_all(&first, &dl).await.unwrap();
        let ids: Vec<_> = all.iter().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        m.assert_done();

        // A refused next page names the permission the first request needs.
        let m = MockTransport::new(vec![
            step(
                "GET",
                "/v1.0/things",
                200,
                Some(serde_json::json!({"value": [],
                    "@odata.nextLink": "https://graph.example/v1.0/things?$skiptoken=2"})),
            ),
            step("GET", "/v1.0/things?$skiptoken=2", 403, None),
        ]);
        let e = client(m).list_all(&first, &dl).await.unwrap_err();
        assert!(e.to_string().contains("`Policy.Read.All`"), "{e}");
    }

    #[tokio::test]
    async fn send_unless_gone_takes_404_as_done_and_passes_other_errors() {
        let m = MockTransport::new(vec![
            step("DELETE", "/v1.0/x", 404, None),
            step("DELETE", "/v1.0/x", 204, None),
            step("DELETE", "/v1.0/x", 400, None),
        ]);
        let dl = Deadline::after(Duration::from_secs(10), CancellationToken::new());
        let g = client(m.clone());
        g.send_unless_gone(GraphRequest::delete("/x"), &dl)
            .await
            .unwrap();
        g.send_unless_gone(GraphRequest::delete("/x"), &dl)
            .await
            .unwrap();
        let e = g
            .send_unless_gone(GraphRequest::delete("/x"), &dl)
            .await
            .unwrap_err();
        assert_eq!(e.status, Some(400));
        m.assert_done();
    }

    #[tokio::test]
    async fn send_json_gives_null_for_an_empty_answer() {
        let m = MockTransport::new(vec![
            step("PATCH", "/v1.0/x", 204, None),
            step("GET", "/v1.0/x", 200, Some(serde_json::json!({"a": 1}))),
        ]);
        let dl = Deadline::after(Duration::from_secs(10), CancellationToken::new());
        let g = client(m.clone());
        let patch = GraphRequest::patch("/x", serde_json::json!({}));
        assert_eq!(g.send_json(&patch, &dl).await.unwrap(), Json::Null);
        assert_eq!(
            g.send_json(GraphRequest::get("/x"), &dl).await.unwrap(),
            serde_json::json!({"a": 1})
        );
        m.assert_done();
    }

    #[tokio::test]
    async fn get_optional_maps_404_to_none() {
        let m = MockTransport::new(vec![step("GET", "/v1.0/x", 404, None)]);
        let dl = Deadline::after(Duration::from_secs(10), CancellationToken::new());
        assert!(client(m)
            .get_optional(&GraphRequest::get("/x"), &dl)
            .await
            .unwrap()
            .is_none());
    }
}
