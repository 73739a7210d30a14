//! The Teams tenant admin API (`https://api.interfaces.records.teams.microsoft.com`), the
//! service behind the MicrosoftTeams PowerShell module's `*-CsTenantFederationConfiguration`,
//! over the REST core ([`super::rest`]). Its token is for the first-party application "Skype and
//! Teams Tenant Admin API" whatever the endpoint (API-NOTES.md#teams-token); its host per
//! cloud is in API-NOTES.md#teams-host. Microsoft documents no REST contract for it, so its error
//! parser takes every shape a service of this kind answers with (API-NOTES.md#teams-errors).
//!
//! Besides sending, the client owns the lock under which the provider process reads, changes
//! and writes the tenant's federation configuration: the service has no ETag, and many
//! resources share one allowed-domains list (API-NOTES.md#teams-federation-write).

use super::auth::TokenSource;
use super::deadline::Deadline;
use super::error::ApiError;
use super::http::Transport;
use super::pacer::Pacers;
use super::request::Request;
use super::rest::{Flavour, RestClient};
use serde_json::Value as Json;
use std::sync::Arc;

/// The application ID of "Skype and Teams Tenant Admin API": the token audience.
pub const TEAMS_APP_ID: &str = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239";

/// The scope app-only tokens for it are asked with (API-NOTES.md#teams-token).
pub fn token_scope() -> String {
    format!("{TEAMS_APP_ID}/.default")
}

/// The Teams API's answers: 503/504 from its front door, retried for idempotent requests.
pub const TEAMS: Flavour = Flavour {
    name: "teams",
    parse_error,
    throttled: |_| false,
    unavailable: &[503, 504],
};

/// Parses `{"error":{"code","message"}}`, a bare `{"code","message"}` (or `errorCode` /
/// `Message`), or keeps a non-JSON body as the message: no real error body of this service
/// was found, so every common shape reads as a message (API-NOTES.md#teams-errors).
pub fn parse_error(status: u16, body: &[u8], request_id: Option<String>) -> ApiError {
    let text = String::from_utf8_lossy(&body[..body.len().min(500)])
        .trim()
        .to_string();
    let parsed: Option<Json> = serde_json::from_slice(body).ok();
    let obj = parsed
        .as_ref()
        .map(|v| v.get("error").filter(|e| e.is_object()).unwrap_or(v));
    let field = |names: &[&str]| {
        names.iter().find_map(|n| {
            obj.and_then(|o| o.get(*n))
                .and_then(Json::as_str)
                .map(str::to_string)
        })
    };
    let code = field(&["code", "errorCode", "Code"]).unwrap_or_default();
    let message = field(&["message", "Message", "errorMessage"]).unwrap_or(text);
    ApiError::http(status, &code, &message, request_id)
}

pub struct TeamsClient {
    rest: RestClient,
    /// Held across a read-modify-write of the federation configuration (one per provider
    /// process, hence per tenant).
    federation: tokio::sync::Mutex<()>,
}

impl TeamsClient {
    pub fn new(
        transport: Arc<dyn Transport>,
        endpoint: &str,
        token: Arc<dyn TokenSource>,
        pacers: Arc<Pacers>,
    ) -> TeamsClient {
        let base = endpoint.trim_end_matches('/').to_string();
        TeamsClient {
            rest: RestClient::new(transport, base, token, TEAMS, pacers),
            federation: tokio::sync::Mutex::new(()),
        }
    }

    /// [`RestClient::send`], for the body alone (`null` when the answer has none).
    pub async fn send_json(&self, req: &Request, dl: &Deadline) -> Result<Json, ApiError> {
        let r = self.rest.send(req, dl).await?;
        Ok(r.body.unwrap_or(Json::Null))
    }

    /// Waits (under the deadline) for the federation configuration's lock: the caller then
    /// reads, changes and writes it without another resource of this provider in between.
    pub async fn lock_federation(
        &self,
        dl: &Deadline,
    ) -> Result<tokio::sync::MutexGuard<'_, ()>, ApiError> {
        use super::deadline::Bounded;
        match dl.bound(dl.remaining(), self.federation.lock()).await {
            Bounded::Done(g) => Ok(g),
            Bounded::Cancelled => {
                Err(dl.cancelled("waiting for the Teams federation configuration's lock"))
            }
            Bounded::Stalled { .. } => {
                Err(dl.expired("waiting for the Teams federation configuration's lock"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::auth::StaticToken;
    use crate::clients::http::mock::{has_header, step, MockTransport};
    use crate::clients::pacer::Pacing;
    use crate::clients::Permission;
    use serde_json::json;
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    const PATH: &str = "/Skype.Policy/configurations/TenantFederationSettings/configuration/global";
    const ROLE: Permission = Permission::teams("Teams Administrator");

    fn client(m: Arc<MockTransport>) -> TeamsClient {
        TeamsClient::new(
            m,
            "https://teams.example/",
            Arc::new(StaticToken("teams-token".into())),
            Pacers::new(),
        )
    }

    fn dl() -> Deadline {
        Deadline::after(Duration::from_secs(120), CancellationToken::new())
    }

    fn get() -> Request {
        Request::get(PATH).paced(Pacing::Teams).needs(ROLE)
    }

    #[test]
    fn the_token_is_for_the_teams_admin_api_whatever_the_endpoint() {
        assert_eq!(
            token_scope(),
            "48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default"
        );
    }

    #[test]
    fn errors_read_in_every_shape() {
        let e = parse_error(
            400,
            br#"{"error":{"code":"BadRequest","message":"no"}}"#,
            None,
        );
        assert_eq!((e.code.as_str(), e.message.as_str()), ("BadRequest", "no"));
        let e = parse_error(400, br#"{"errorCode":"X","Message":"why"}"#, None);
        assert_eq!((e.code.as_str(), e.message.as_str()), ("X", "why"));
        let e = parse_error(502, b"Bad Gateway\n", None);
        assert_eq!((e.code.as_str(), e.message.as_str()), ("", "Bad Gateway"));
    }

    #[tokio::test(start_paused = true)]
    async fn sends_below_the_endpoint_with_its_token_and_retries_throttling_and_503() {
        let m = MockTransport::new(vec![
            step("GET", PATH, 429, None),
            step("GET", PATH, 503, None),
            step("GET", PATH, 200, Some(json!({"Identity": "Global"}))),
        ]);
        let c = client(m.clone());
        let v = c.send_json(&get(), &dl()).await.unwrap();
        assert_eq!(v["Identity"], json!("Global"));
        let seen = m.seen.lock().unwrap();
        assert_eq!(seen[0].url, format!("https://teams.example{PATH}"));
        assert!(has_header(&seen[0], "Authorization", "Bearer teams-token"));
        m.assert_done();
    }

    #[tokio::test]
    async fn a_403_names_the_role() {
        let m = MockTransport::new(vec![step(
            "GET",
            PATH,
            403,
            Some(json!({"error": {"code": "Forbidden", "message": "Access denied."}})),
        )]);
        let e = client(m).send_json(&get(), &dl()).await.unwrap_err();
        let text = e.to_string();
        assert!(text.contains("Access denied."), "{text}");
        assert!(
            text.contains("Microsoft Entra role `Teams Administrator`"),
            "{text}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_federation_lock_is_exclusive_and_bounded_by_the_deadline() {
        let c = client(MockTransport::new(vec![]));
        let held = c.lock_federation(&dl()).await.unwrap();
        let short = Deadline::after(Duration::from_secs(1), CancellationToken::new());
        let e = c.lock_federation(&short).await.unwrap_err();
        assert!(e.to_string().contains("lock"), "{e}");
        drop(held);
        let _again = c.lock_federation(&short).await.unwrap();
    }
}
