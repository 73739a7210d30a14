//! A request as data: method, path, query, headers, body, the permission it needs and the
//! pace it keeps. Built by pure functions in each resource's `api.rs` (no IO), so unit tests
//! assert the exact method, URL and body; the REST core ([`super::rest`]) sends it.

use super::pacer::Pacing;
use super::permission::Permission;
use serde_json::Value as Json;

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: &'static str,
    /// Path below the client's base URL (e.g. `/policies/crossTenantAccessPolicy/partners`
    /// below `https://graph.microsoft.com/v1.0`), or an absolute URL the service handed out
    /// (a paging `@odata.nextLink`), which must lie below the same base.
    pub path: String,
    /// Query parameters in order, unencoded (`("$expand", "identitySynchronization")`).
    pub query: Vec<(String, String)>,
    /// Headers besides the ones every request carries (auth, accept, request id).
    pub headers: Vec<(String, String)>,
    pub body: Option<Json>,
    /// What the app registration must be granted for this request; a 403 names it.
    pub permission: Option<Permission>,
    pub pacing: Pacing,
    /// Safe to repeat after an answer that may hide a processed request (no answer, 503/504).
    /// Defaults to "not a POST"; Exchange's read cmdlets are POSTs that are safe to repeat.
    pub idempotent: bool,
    /// What the request does when its method and path do not say it (the cmdlet behind
    /// Exchange's one `InvokeCommand` URL): shown after the path in messages and logs.
    pub label: Option<String>,
}

impl Request {
    pub fn new(method: &'static str, path: impl Into<String>, body: Option<Json>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body,
            permission: None,
            pacing: Pacing::Graph,
            idempotent: method != "POST",
            label: None,
        }
    }
    pub fn get(path: impl Into<String>) -> Request {
        Request::new("GET", path, None)
    }
    pub fn delete(path: impl Into<String>) -> Request {
        Request::new("DELETE", path, None)
    }
    pub fn post(path: impl Into<String>, body: Json) -> Request {
        Request::new("POST", path, Some(body))
    }
    pub fn patch(path: impl Into<String>, body: Json) -> Request {
        Request::new("PATCH", path, Some(body))
    }
    pub fn put(path: impl Into<String>, body: Json) -> Request {
        Request::new("PUT", path, Some(body))
    }

    /// Adds a query parameter (encoded when the URL is built).
    pub fn query(mut self, name: &str, value: &str) -> Request {
        self.query.push((name.to_string(), value.to_string()));
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    /// Optimistic concurrency: only apply if the object still has this ETag.
    pub fn if_match(self, etag: &str) -> Request {
        self.header("If-Match", etag)
    }
    /// The permission this request needs (a 403 says to grant it).
    pub fn needs(mut self, permission: Permission) -> Request {
        self.permission = Some(permission);
        self
    }
    pub fn paced(mut self, pacing: Pacing) -> Request {
        self.pacing = pacing;
        self
    }
    pub fn idempotent(mut self, idempotent: bool) -> Request {
        self.idempotent = idempotent;
        self
    }

    /// The full URL below `base` with the query encoded. An absolute `path` is used as is
    /// (its own query kept); `None` when it does not lie below `base`, so a token is never
    /// sent to a host the provider was not configured for.
    pub fn url(&self, base: &str) -> Option<String> {
        let mut url = if self.path.starts_with("https://") || self.path.starts_with("http://") {
            if !self
                .path
                .starts_with(&format!("{}/", base.trim_end_matches('/')))
            {
                return None;
            }
            self.path.clone()
        } else {
            format!("{}{}", base.trim_end_matches('/'), self.path)
        };
        for (i, (k, v)) in self.query.iter().enumerate() {
            let sep = if i == 0 && !url.contains('?') {
                '?'
            } else {
                '&'
            };
            url.push(sep);
            url.push_str(&encode(k));
            url.push('=');
            url.push_str(&encode(v));
        }
        Some(url)
    }

    pub fn label(mut self, label: &str) -> Request {
        self.label = Some(label.to_string());
        self
    }

    /// `GET /x?$expand=y` for messages: the path and query as sent, without the host, then the
    /// label if any (`POST /InvokeCommand (New-OrganizationRelationship)`).
    pub fn describe(&self) -> String {
        let mut s = format!("{} {}", self.method, self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(&format!("{}={}", encode(k), encode(v)));
        }
        s.push_str(&self.labelled(""));
        s
    }

    /// `text` followed by ` (<label>)` when the request has a label (for log lines).
    pub fn labelled(&self, text: &str) -> String {
        match &self.label {
            Some(l) => format!("{text} ({l})"),
            None => text.to_string(),
        }
    }
}

/// Percent-encodes a query name or value. OData's own punctuation (`$`, `,`, `'`, `(`, `)`,
/// `:`) stays readable: it is legal in a query and Graph's documentation spells it so.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'$'
            | b','
            | b'\''
            | b'('
            | b')'
            | b':'
            | b'/'
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_encoded_and_appended() {
        let r = Request::get("/users")
            .query("$filter", "displayName eq 'A&B'")
            .query("$select", "id,displayName");
        assert_eq!(
            r.url("https://graph.example/v1.0").unwrap(),
            "https://graph.example/v1.0/users?$filter=displayName%20eq%20'A%26B'&$select=id,displayName"
        );
        assert_eq!(
            r.describe(),
            "GET /users?$filter=displayName%20eq%20'A%26B'&$select=id,displayName"
        );
    }

    #[test]
    fn absolute_urls_must_stay_below_the_base() {
        let next = Request::post(
            "https://exo.example/adminapi/beta/t/InvokeCommand?$skiptoken=2",
            Json::Null,
        );
        assert_eq!(
            next.url("https://exo.example/adminapi/beta/t").unwrap(),
            "https://exo.example/adminapi/beta/t/InvokeCommand?$skiptoken=2"
        );
        let elsewhere = Request::get("https://evil.example/adminapi/beta/t/x");
        assert_eq!(elsewhere.url("https://exo.example/adminapi/beta/t"), None);
    }

    #[test]
    fn builders_set_headers_permission_and_idempotency() {
        let p = Permission::graph(&["Policy.Read.All"]);
        let r = Request::patch("/x", Json::Null)
            .if_match("W/\"1\"")
            .needs(p);
        assert_eq!(
            r.headers,
            vec![("If-Match".to_string(), "W/\"1\"".to_string())]
        );
        assert_eq!(r.permission, Some(p));
        assert!(r.idempotent);
        assert!(!Request::post("/x", Json::Null).idempotent);
        assert!(Request::post("/x", Json::Null).idempotent(true).idempotent);
    }

    #[test]
    fn a_label_follows_the_path_in_descriptions() {
        let r = Request::post("/InvokeCommand", Json::Null).label("New-InboundConnector");
        assert_eq!(r.describe(), "POST /InvokeCommand (New-InboundConnector)");
        assert_eq!(Request::get("/x").query("a", "b").describe(), "GET /x?a=b");
    }
}
