//! Exchange Online's admin API: every cmdlet is one
//! `POST {exchange_endpoint}/adminapi/beta/{tenantId}/InvokeCommand` with a `CmdletInput` body,
//! paged through `@odata.nextLink` (the same body sent to the next link), warnings in
//! `@adminapi.warnings`. Its error envelope nests the exception type and the parameter at
//! fault, and a plain-text "maximum number of concurrent requests" answer is throttling. The
//! wire facts (and which of them are assumptions) are in API-NOTES.md#exchange-invokecommand
//! and the notes after it; the token audience is `<exchange_endpoint>/.default`, given by the
//! caller.

use super::auth::TokenSource;
use super::deadline::Deadline;
use super::error::{ApiError, ErrorKind};
use super::http::Transport;
use super::pacer::{Pacers, Pacing};
use super::permission::Permission;
use super::request::Request;
use super::rest::{Flavour, RestClient};
use serde_json::{json, Map, Value as Json};
use std::sync::Arc;

/// The mailbox app-only calls are routed by (the V3 module and ExoHelper send it).
const ANCHOR_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
/// The largest page the API serves; fewer round trips for big lists.
const PAGE_SIZE: &str = "odata.maxpagesize=1000";
/// The code given to the plain-text concurrency throttle (which has none of its own).
pub const CONCURRENCY_THROTTLE: &str = "TooManyConcurrentRequests";

/// Exchange's answers; 408 is retried like 503/504 (as ExoHelper does).
pub const EXCHANGE: Flavour = Flavour {
    name: "exchange",
    parse_error,
    throttled: |e| e.code == CONCURRENCY_THROTTLE,
    unavailable: &[408, 503, 504],
};

/// Parses `{"error":{"code","message","details":[{"target","message":"code|type|message"}],
/// "innererror":{"type","message"}}}`; a non-JSON body is kept as the message. The code is the
/// exception type when there is one (e.g. `ManagementObjectNotFoundException`): it says more
/// than the envelope's generic code.
pub fn parse_error(status: u16, body: &[u8], request_id: Option<String>) -> ApiError {
    let text = String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned();
    if text.contains("maximum number of concurrent requests") {
        return ApiError::http(status, CONCURRENCY_THROTTLE, text.trim(), request_id);
    }
    let parsed: Option<Json> = serde_json::from_slice(body).ok();
    let Some(err) = parsed.as_ref().and_then(|v| v.get("error")) else {
        return ApiError::http(status, "", text.trim(), request_id);
    };
    let s = |v: Option<&Json>| v.and_then(Json::as_str).unwrap_or("").to_string();
    let detail = err.get("details").and_then(|d| d.get(0));
    // details[].message is "<errorCode>|<exceptionType>|<message>".
    let parts: Vec<String> = s(detail.and_then(|d| d.get("message")))
        .splitn(3, '|')
        .map(str::to_string)
        .collect();
    let exception = match s(err.get("innererror").and_then(|i| i.get("type"))) {
        t if !t.is_empty() => t,
        _ if parts.len() == 3 => parts[1].clone(),
        _ => String::new(),
    };
    let message = match s(err.get("message")) {
        m if !m.is_empty() => m,
        _ if parts.len() == 3 => parts[2].clone(),
        _ => text.trim().to_string(),
    };
    let target = s(detail.and_then(|d| d.get("target")));
    let code = if exception.is_empty() {
        s(err.get("code"))
    } else {
        exception.rsplit('.').next().unwrap_or_default().to_string()
    };
    let mut e = ApiError::http(status, &code, &message, request_id);
    e.target = (!target.is_empty()).then_some(target);
    e
}

/// Names the cmdlet (and the parameter the service blamed) in the message of a refusal, so a
/// diagnostic reads "New-OrganizationRelationship -DomainNames refused: ..." whatever the
/// object: the envelope itself names neither.
fn refused_by(cmdlet: &Cmdlet, mut e: ApiError) -> ApiError {
    if e.status.is_some() {
        let param = e
            .target
            .as_deref()
            .map(|t| format!(" -{t}"))
            .unwrap_or_default();
        e.message = format!("{}{param} refused: {}", cmdlet.name, e.message);
    }
    e
}

/// Whether an Exchange error means the object does not exist: a 404, or the cmdlet's
/// `ManagementObjectNotFoundException` (status not documented; assumed to be any).
pub fn is_not_found(e: &ApiError) -> bool {
    e.is_not_found() || e.code.contains("NotFound")
}

/// One cmdlet call as data: name, parameters (PowerShell names, PascalCase) and the
/// permission it needs. Built without IO, so tests assert the body exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct Cmdlet {
    pub name: String,
    pub parameters: Map<String, Json>,
    pub permission: Option<Permission>,
}

impl Cmdlet {
    pub fn new(name: &str) -> Cmdlet {
        Cmdlet {
            name: name.to_string(),
            parameters: Map::new(),
            permission: None,
        }
    }
    pub fn param(mut self, name: &str, value: impl Into<Json>) -> Cmdlet {
        self.parameters.insert(name.to_string(), value.into());
        self
    }
    pub fn needs(mut self, permission: Permission) -> Cmdlet {
        self.permission = Some(permission);
        self
    }
    pub fn body(&self) -> Json {
        json!({"CmdletInput": {"CmdletName": self.name, "Parameters": self.parameters}})
    }
    /// `New-`/`Add-` make something each time they run; a repeated `Get-`, `Set-` (same
    /// values) or `Remove-` (then "not found") does no harm, so those are retried like a GET.
    pub fn idempotent(&self) -> bool {
        !(self.name.starts_with("New-") || self.name.starts_with("Add-"))
    }
}

/// What a cmdlet returned: its objects (all pages) and its warnings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CmdletOutput {
    pub objects: Vec<Json>,
    pub warnings: Vec<String>,
}

pub struct ExchangeClient {
    rest: RestClient,
    tenant: Option<String>,
}

impl ExchangeClient {
    /// `tenant`: the tenant ID the provider signs in to (`None` when it is not configured;
    /// every call then fails saying so, and Graph-only configurations still work).
    pub fn new(
        transport: Arc<dyn Transport>,
        endpoint: &str,
        tenant: Option<&str>,
        token: Arc<dyn TokenSource>,
        pacers: Arc<Pacers>,
    ) -> ExchangeClient {
        let t = tenant.unwrap_or_default();
        let base = format!("{}/adminapi/beta/{t}", endpoint.trim_end_matches('/'));
        let headers = vec![
            (
                "X-AnchorMailbox".to_string(),
                format!("APP:{ANCHOR_MAILBOX}@{t}"),
            ),
            ("Prefer".to_string(), PAGE_SIZE.to_string()),
            (
                "connection-id".to_string(),
                uuid::Uuid::new_v4().to_string(),
            ),
            (
                "X-ClientApplication".to_string(),
                "terraform-provider-coexistence".to_string(),
            ),
        ];
        ExchangeClient {
            rest: RestClient::new(transport, base, token, EXCHANGE, pacers).with_headers(headers),
            tenant: tenant.map(str::to_string),
        }
    }

    /// The request for one page of `cmdlet`: the first (`next: None`) or a `@odata.nextLink`.
    pub fn request(&self, cmdlet: &Cmdlet, next: Option<&str>) -> Request {
        let mut r = Request::post(next.unwrap_or("/InvokeCommand"), cmdlet.body())
            .header("X-CmdletName", &cmdlet.name)
            .label(&cmdlet.name)
            .paced(Pacing::Exchange)
            .idempotent(cmdlet.idempotent());
        r.permission = cmdlet.permission;
        r
    }

    /// Runs a cmdlet and returns its objects from every page, with its warnings.
    pub async fn invoke(&self, cmdlet: &Cmdlet, dl: &Deadline) -> Result<CmdletOutput, ApiError> {
        if self.tenant.is_none() {
            return Err(ApiError::other(
                ErrorKind::Auth,
                format!(
                    "{} needs the tenant: set `tenant_id` in the provider block (or ARM_TENANT_ID).",
                    cmdlet.name
                ),
            ));
        }
        let mut out = CmdletOutput::default();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .rest
                .send(&self.request(cmdlet, next.as_deref()), dl)
                .await
                .map_err(|e| refused_by(cmdlet, e))?;
            let body = page.body.unwrap_or(Json::Null);
            if let Some(v) = body.get("value").and_then(Json::as_array) {
                out.objects.extend(v.iter().cloned());
            }
            if let Some(w) = body.get("@adminapi.warnings").and_then(Json::as_array) {
                out.warnings
                    .extend(w.iter().filter_map(Json::as_str).map(str::to_string));
            }
            match body.get("@odata.nextLink").and_then(Json::as_str) {
                Some(link) => next = Some(link.to_string()),
                None => return Ok(out),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::auth::StaticToken;
    use crate::clients::http::mock::{step, MockTransport};
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    const T: &str = "0c4c5e6f-1a2b-4c3d-9e8f-7a6b5c4d3e2f";
    const INVOKE: &str = "/adminapi/beta/0c4c5e6f-1a2b-4c3d-9e8f-7a6b5c4d3e2f/InvokeCommand";
    const ROLE: Permission = Permission::exchange("Exchange Administrator");

    fn client(m: Arc<MockTransport>) -> ExchangeClient {
        ExchangeClient::new(
            m,
            "https://exo.example/",
            Some(T),
            Arc::new(StaticToken("exo-token".into())),
            Pacers::new(),
        )
    }

    fn dl() -> Deadline {
        Deadline::after(Duration::from_secs(60), CancellationToken::new())
    }

    fn get_orgrel() -> Cmdlet {
        Cmdlet::new("Get-OrganizationRelationship")
            .param("Identity", "Fabrikam")
            .needs(ROLE)
    }

    fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
        h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    #[tokio::test]
    async fn invoke_posts_the_cmdlet_input_with_exchange_headers() {
        let m = MockTransport::new(vec![step(
            "POST",
            INVOKE,
            200,
            Some(json!({"value": [{"Name": "Fabrikam"}]})),
        )]);
        let out = client(m.clone())
            .invoke(&get_orgrel(), &dl())
            .await
            .unwrap();
        assert_eq!(out.objects, vec![json!({"Name": "Fabrikam"})]);
        assert!(out.warnings.is_empty());
        let seen = m.seen.lock().unwrap();
        let r = &seen[0];
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, format!("https://exo.example{INVOKE}"));
        let h = &r.headers;
        assert_eq!(header(h, "Authorization"), Some("Bearer exo-token"));
        assert_eq!(header(h, "Content-Type"), Some("application/json"));
        assert_eq!(
            header(h, "X-AnchorMailbox"),
            Some(format!("APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{T}").as_str())
        );
        assert_eq!(
            header(h, "X-CmdletName"),
            Some("Get-OrganizationRelationship")
        );
        assert_eq!(header(h, "Prefer"), Some("odata.maxpagesize=1000"));
        assert!(header(h, "client-request-id").is_some());
        assert!(header(h, "connection-id").is_some());
        drop(seen);
        assert_eq!(
            m.bodies(),
            vec![Some(json!({"CmdletInput": {
                "CmdletName": "Get-OrganizationRelationship",
                "Parameters": {"Identity": "Fabrikam"}
            }}))]
        );
    }

    #[tokio::test]
    async fn pages_through_next_links_with_the_same_body_and_returns_warnings() {
        let next = format!("https://exo.example{INVOKE}?$skiptoken=p2");
        let m = MockTransport::new(vec![
            step(
                "POST",
                INVOKE,
                200,
                Some(json!({"value": [{"Name": "a"}], "@odata.nextLink": next,
                            "@adminapi.warnings": ["first page warning"]})),
            ),
            step(
                "POST",
                &format!("{INVOKE}?$skiptoken=p2"),
                200,
                Some(json!({"value": [{"Name": "b"}], "@adminapi.warnings": ["second"]})),
            ),
        ]);
        let out = client(m.clone())
            .invoke(&get_orgrel(), &dl())
            .await
            .unwrap();
        m.assert_done();
        assert_eq!(
            out.objects,
            vec![json!({"Name": "a"}), json!({"Name": "b"})]
        );
        assert_eq!(out.warnings, vec!["first page warning", "second"]);
        let bodies = m.bodies();
        assert_eq!(bodies[0], bodies[1], "the same body to the next link");
    }

    #[tokio::test]
    async fn a_next_link_to_another_host_is_refused() {
        let m = MockTransport::new(vec![step(
            "POST",
            INVOKE,
            200,
            Some(
                json!({"value": [], "@odata.nextLink": "https://elsewhere.example/adminapi/beta/x/InvokeCommand"}),
            ),
        )]);
        let e = client(m).invoke(&get_orgrel(), &dl()).await.unwrap_err();
        assert!(e.message.contains("pointed outside"), "{e}");
    }

    #[tokio::test]
    async fn set_and_remove_answer_no_objects() {
        let m = MockTransport::new(vec![step("POST", INVOKE, 200, Some(json!({})))]);
        let set = Cmdlet::new("Set-OrganizationRelationship")
            .param("Identity", "Fabrikam")
            .param("Enabled", false);
        let out = client(m).invoke(&set, &dl()).await.unwrap();
        assert_eq!(out, CmdletOutput::default());
    }

    #[test]
    fn parses_the_nested_error_shape() {
        let body = json!({"error": {"code": "BadRequest", "message": "",
            "details": [{"code": "x", "target": "DomainNames",
                "message": "Ex6F9304|Microsoft.Exchange.Management.Tasks.ValidationException|The domain is invalid."}],
            "innererror": {"message": "inner", "type": "Microsoft.Exchange.Management.Tasks.ValidationException"}}});
        let e = parse_error(400, &serde_json::to_vec(&body).unwrap(), Some("r1".into()));
        assert_eq!(e.code, "ValidationException");
        assert_eq!(
            e.to_string(),
            "HTTP 400 ValidationException: The domain is invalid. (request-id: r1)"
        );
        assert_eq!(e.target.as_deref(), Some("DomainNames"));
        let nf = json!({"error": {"code": "NotFound", "message": "The operation couldn't be performed because object 'x' couldn't be found.",
            "innererror": {"type": "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"}}});
        assert!(is_not_found(&parse_error(
            400,
            &serde_json::to_vec(&nf).unwrap(),
            None
        )));
    }

    /// A captured log: `tracing`'s plain formatter writing into memory.
    #[derive(Clone, Default)]
    struct Log(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Log {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_refusal_names_the_cmdlet_and_parameter_and_the_log_names_the_cmdlet() {
        let refused = json!({"error": {"code": "BadRequest", "message": "",
            "details": [{"code": "x", "target": "DomainNames",
                "message": "Ex6F9304|Microsoft.Exchange.Management.Tasks.ValidationException|The domain is invalid."}],
            "innererror": {"type": "Microsoft.Exchange.Management.Tasks.ValidationException"}}});
        let m = MockTransport::new(vec![
            step("POST", INVOKE, 400, Some(refused)),
            step(
                "POST",
                INVOKE,
                400,
                Some(json!({"error": {"code": "BadRequest", "message": "No."}})),
            ),
        ]);
        let log = Log::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let c = client(m);
        let new = Cmdlet::new("New-OrganizationRelationship")
            .param("Name", "Fabrikam")
            .param("DomainNames", json!(["-bad-"]));
        let e = c.invoke(&new, &dl()).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "HTTP 400 ValidationException: New-OrganizationRelationship -DomainNames refused: The domain is invalid."
        );
        // No parameter named: the cmdlet alone.
        let e = c.invoke(&get_orgrel(), &dl()).await.unwrap_err();
        assert_eq!(e.message, "Get-OrganizationRelationship refused: No.");
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        assert!(
            text.contains(&format!(
                "url=https://exo.example{INVOKE} (New-OrganizationRelationship)"
            )),
            "{text}"
        );
        assert!(
            text.contains("InvokeCommand (Get-OrganizationRelationship)"),
            "{text}"
        );
    }

    #[test]
    fn non_json_bodies_are_kept_as_the_message() {
        let e = parse_error(502, b"<html>Bad Gateway</html>", None);
        assert_eq!(e.message, "<html>Bad Gateway</html>");
        assert_eq!(e.code, "");
    }

    #[tokio::test(start_paused = true)]
    async fn the_plain_text_concurrency_answer_is_throttling_even_for_new() {
        let m = MockTransport::new(vec![
            step("POST", INVOKE, 500, None),
            step("POST", INVOKE, 200, Some(json!({"value": [{"Name": "n"}]}))),
        ]);
        // The scripted step carries JSON bodies only: answer the throttle's text through a
        // transport that rewrites the first body.
        let text = PlainTextFirst {
            inner: m.clone(),
            text: "You have reached the maximum number of concurrent requests per tenant. Please wait and try again",
            done: std::sync::atomic::AtomicBool::new(false),
        };
        let c = ExchangeClient::new(
            Arc::new(text),
            "https://exo.example",
            Some(T),
            Arc::new(StaticToken("t".into())),
            Pacers::new(),
        );
        let new = Cmdlet::new("New-OrganizationRelationship").param("Name", "n");
        let started = tokio::time::Instant::now();
        let out = c.invoke(&new, &dl()).await.unwrap();
        assert_eq!(out.objects.len(), 1);
        assert!(started.elapsed() >= crate::clients::pacer::FIRST_BACKOFF);
        m.assert_done();
    }

    struct PlainTextFirst {
        inner: Arc<MockTransport>,
        text: &'static str,
        done: std::sync::atomic::AtomicBool,
    }

    #[async_trait::async_trait]
    impl Transport for PlainTextFirst {
        async fn send(
            &self,
            req: crate::clients::http::HttpRequest,
        ) -> Result<crate::clients::http::HttpResponse, String> {
            let mut r = self.inner.send(req).await?;
            if !self.done.swap(true, std::sync::atomic::Ordering::SeqCst) {
                r.body = self.text.as_bytes().to_vec();
            }
            Ok(r)
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_408_is_retried_for_get_and_in_doubt_for_new() {
        let m = MockTransport::new(vec![
            step("POST", INVOKE, 408, None),
            step("POST", INVOKE, 200, Some(json!({"value": []}))),
        ]);
        client(m.clone())
            .invoke(&get_orgrel(), &dl())
            .await
            .unwrap();
        m.assert_done();
        let m = MockTransport::new(vec![step("POST", INVOKE, 408, None)]);
        let new = Cmdlet::new("New-OrganizationRelationship").param("Name", "n");
        let e = client(m.clone()).invoke(&new, &dl()).await.unwrap_err();
        assert!(e.in_doubt, "{e}");
        m.assert_done();
    }

    #[tokio::test]
    async fn a_403_names_the_permission_and_the_exchange_role() {
        let m = MockTransport::new(vec![step(
            "POST",
            INVOKE,
            403,
            Some(json!({"error": {"code": "Forbidden", "message": "Access denied"}})),
        )]);
        let e = client(m).invoke(&get_orgrel(), &dl()).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "HTTP 403 Forbidden: Get-OrganizationRelationship refused: Access denied. This operation needs the Office 365 Exchange Online application permission `Exchange.ManageAsApp`, granted with admin consent, and the Exchange role `Exchange Administrator` assigned to the app's service principal."
        );
    }

    #[tokio::test]
    async fn without_a_tenant_nothing_is_sent() {
        let m = MockTransport::new(vec![]);
        let c = ExchangeClient::new(
            m,
            "https://exo.example",
            None,
            Arc::new(StaticToken("t".into())),
            Pacers::new(),
        );
        let e = c.invoke(&get_orgrel(), &dl()).await.unwrap_err();
        assert!(e.message.contains("tenant_id"), "{e}");
    }
}
