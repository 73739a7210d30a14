//! The injectable HTTP transport. Production uses reqwest (rustls); unit tests use a scripted
//! mock that fails on a missing or unexpected call instead of hanging.

use async_trait::async_trait;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// A header's value by case-insensitive name (HTTP/2 lowercases them, HTTP/1.1 may not).
pub fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[async_trait]
pub trait Transport: Send + Sync {
    /// Sends one request. `Err` means no HTTP answer at all (connection, TLS, DNS).
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, String>;
}

pub struct ReqwestTransport(pub reqwest::Client);

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, String> {
        let method =
            reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| e.to_string())?;
        let mut rb = self.0.request(method, &req.url);
        for (k, v) in &req.headers {
            rb = rb.header(k, v);
        }
        if let Some(b) = req.body {
            rb = rb.body(b);
        }
        let resp = rb.send().await.map_err(|e| error_chain(&e))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    v.to_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let body = resp.bytes().await.map_err(|e| error_chain(&e))?.to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// reqwest's top-level error says little ("error sending request"); the cause chain says why
/// (certificate unknown, connection refused).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Certificate bundles distributions keep their roots in.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
];

/// The HTTP client every API client shares: rustls, HTTP/2, proxies from HTTPS_PROXY/NO_PROXY,
/// trusting the system roots plus the bundle named by SSL_CERT_FILE (as Go-based providers do;
/// this is how a corporate TLS-inspecting proxy, or the bundled emulator, is trusted).
pub fn build_client() -> Result<reqwest::Client, String> {
    let mut extra = Vec::new();
    let mut files: Vec<String> = SYSTEM_BUNDLES.iter().map(|s| s.to_string()).collect();
    if let Ok(f) = std::env::var("SSL_CERT_FILE") {
        if !f.is_empty() {
            files.push(f);
        }
    }
    for f in files {
        let Ok(pem) = std::fs::read(&f) else { continue };
        match reqwest::Certificate::from_pem_bundle(&pem) {
            Ok(certs) => extra.extend(certs),
            Err(e) => {
                tracing::warn!(file = %f, error = %e, "ignoring unreadable certificate bundle")
            }
        }
    }
    reqwest::Client::builder()
        .user_agent(concat!(
            "terraform-provider-coexistence/",
            env!("CARGO_PKG_VERSION")
        ))
        .tls_certs_merge(extra)
        .connect_timeout(std::time::Duration::from_secs(30))
        // No overall request timeout here: every attempt is bounded by the operation's deadline
        // and the attempt cap in the API client. Pings find a dead HTTP/2 connection (one that
        // would hang every request multiplexed on it) so the pool stops handing it out.
        .http2_keep_alive_interval(std::time::Duration::from_secs(20))
        .http2_keep_alive_timeout(std::time::Duration::from_secs(10))
        .tcp_keepalive(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| error_chain(&e))
}

/// A transport for tests: answers from a script in order and panics on anything unexpected.
/// A step can also fail without an answer ([`fail`]) or never answer ([`stall`]).
pub mod mock {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::Mutex;
    use std::time::Duration;

    /// What a scripted call does besides answering.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Behaviour {
        /// Answers `status` / `headers` / `body`.
        Answer,
        /// Answers after this long (on tokio's clock, so paused-clock tests run instantly).
        Delay(Duration),
        /// No HTTP answer: a connection error with this message.
        Fail(String),
        /// Never answers (the caller must give up).
        Stall,
    }

    pub struct Step {
        pub method: &'static str,
        pub path: String,
        pub status: u16,
        pub headers: Vec<(String, String)>,
        pub body: Option<serde_json::Value>,
        pub behaviour: Behaviour,
    }

    /// A call answered with Graph's error envelope.
    pub fn graph_error(
        method: &'static str,
        path: &str,
        status: u16,
        code: &str,
        message: &str,
    ) -> Step {
        step(
            method,
            path,
            status,
            Some(serde_json::json!({"error": {"code": code, "message": message}})),
        )
    }

    /// Whether a request carried this header with this value.
    pub fn has_header(req: &HttpRequest, name: &str, value: &str) -> bool {
        req.headers.iter().any(|(k, v)| k == name && v == value)
    }

    /// A call that fails without an answer (connection reset).
    pub fn fail(method: &'static str, path: &str, message: &str) -> Step {
        Step {
            behaviour: Behaviour::Fail(message.to_string()),
            ..step(method, path, 0, None)
        }
    }

    /// A call that never answers.
    pub fn stall(method: &'static str, path: &str) -> Step {
        Step {
            behaviour: Behaviour::Stall,
            ..step(method, path, 0, None)
        }
    }

    /// Where [`crate::clients::Clients::for_tests`] sends Graph requests.
    pub const GRAPH_BASE: &str = "https://graph.example/v1.0";

    /// A call to what request builder `r` makes, answered with `status` and `body`: the script
    /// names the request the resource code builds, not a copy of its URL.
    pub fn answer(
        r: crate::clients::request::Request,
        status: u16,
        body: Option<serde_json::Value>,
    ) -> Step {
        let url = r
            .url(GRAPH_BASE)
            .expect("a request below the Graph endpoint");
        step(r.method, &path_and_query(&url), status, body)
    }

    /// A call to what request builder `r` makes, answered with Graph's error envelope.
    pub fn answer_error(
        r: crate::clients::request::Request,
        status: u16,
        code: &str,
        message: &str,
    ) -> Step {
        answer(
            r,
            status,
            Some(serde_json::json!({"error": {"code": code, "message": message}})),
        )
    }

    /// The path and query of `url` (`/v1.0/x?$expand=y`), as a step names it.
    fn path_and_query(url: &str) -> String {
        url::Url::parse(url)
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
            .unwrap_or_default()
    }

    pub fn step(
        method: &'static str,
        path: &str,
        status: u16,
        body: Option<serde_json::Value>,
    ) -> Step {
        Step {
            method,
            path: path.to_string(),
            status,
            headers: Vec::new(),
            body,
            behaviour: Behaviour::Answer,
        }
    }

    #[derive(Default)]
    pub struct MockTransport {
        script: Mutex<VecDeque<Step>>,
        pub seen: Mutex<Vec<HttpRequest>>,
    }

    impl MockTransport {
        pub fn new(steps: Vec<Step>) -> Arc<MockTransport> {
            Arc::new(MockTransport {
                script: Mutex::new(steps.into()),
                seen: Mutex::new(Vec::new()),
            })
        }
        /// Asserts that every scripted call happened.
        pub fn assert_done(&self) {
            let left = self.script.lock().unwrap();
            assert!(
                left.is_empty(),
                "scripted calls never made: {:?}",
                left.iter()
                    .map(|s| format!("{} {}", s.method, s.path))
                    .collect::<Vec<_>>()
            );
        }
        /// Method and path-with-query of every request sent so far, in order
        /// (`"GET /v1.0/x?$expand=y"`).
        pub fn sent(&self) -> Vec<String> {
            self.seen
                .lock()
                .unwrap()
                .iter()
                .map(|r| format!("{} {}", r.method, path_and_query(&r.url)))
                .collect()
        }
        pub fn bodies(&self) -> Vec<Option<serde_json::Value>> {
            self.seen
                .lock()
                .unwrap()
                .iter()
                .map(|r| r.body.as_ref().map(|b| serde_json::from_slice(b).unwrap()))
                .collect()
        }
    }

    #[async_trait]
    impl Transport for MockTransport {
        async fn send(&self, req: HttpRequest) -> Result<HttpResponse, String> {
            self.seen.lock().unwrap().push(req.clone());
            let next = self.script.lock().unwrap().pop_front();
            let Some(s) = next else {
                panic!("unexpected call {} {}", req.method, req.url)
            };
            // The query string is part of what a step asserts (`/x?$expand=y`).
            let path = path_and_query(&req.url);
            assert_eq!(
                (req.method.as_str(), path.as_str()),
                (s.method, s.path.as_str()),
                "call out of script"
            );
            match s.behaviour {
                Behaviour::Answer => {}
                Behaviour::Delay(d) => tokio::time::sleep(d).await,
                Behaviour::Fail(msg) => return Err(msg),
                Behaviour::Stall => std::future::pending::<()>().await,
            }
            Ok(HttpResponse {
                status: s.status,
                headers: s.headers,
                body: s
                    .body
                    .map(|b| serde_json::to_vec(&b).unwrap())
                    .unwrap_or_default(),
            })
        }
    }
}
