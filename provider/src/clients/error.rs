//! Typed API errors: status, code, message and request-id, so a diagnostic can quote them.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service answered with a non-success status.
    Http,
    /// No answer: connection, TLS or DNS failure.
    Transport,
    /// No token could be obtained.
    Auth,
    /// The operation's deadline passed while retrying or waiting.
    Deadline,
    /// Terraform asked us to stop.
    Cancelled,
}

#[derive(Clone, Debug)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// The request was sent and its outcome is unknown (no answer, no answer in time, or a
    /// gateway's 503/504): the service may have processed it. Only set for requests that are
    /// not safe to repeat blindly (a create POST); see [`super::create`].
    pub in_doubt: bool,
    /// The parameter or property the service named as at fault, when it names one (Exchange's
    /// `details[].target`).
    pub target: Option<String>,
}

impl ApiError {
    pub fn http(status: u16, code: &str, message: &str, request_id: Option<String>) -> ApiError {
        ApiError {
            kind: ErrorKind::Http,
            status: Some(status),
            code: code.into(),
            message: message.into(),
            request_id,
            in_doubt: false,
            target: None,
        }
    }
    pub fn other(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            status: None,
            code: String::new(),
            message: message.into(),
            request_id: None,
            in_doubt: false,
            target: None,
        }
    }

    /// Parses Graph's error envelope `{"error":{"code","message","innerError":{"request-id"}}}`.
    pub fn from_graph(status: u16, body: &[u8], header_request_id: Option<String>) -> ApiError {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let err = parsed.as_ref().and_then(|v| v.get("error"));
        let code = err
            .and_then(|e| e.get("code"))
            .and_then(|c| c.as_str())
            .unwrap_or("");
        let message = err
            .and_then(|e| e.get("message"))
            .and_then(|c| c.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned());
        // `details[].message` says why in some answers whose `message` is generic (the
        // synchronization credential check: "invalid credentials" + which policy is missing).
        let details: Vec<&str> = err
            .and_then(|e| e.get("details"))
            .and_then(|d| d.as_array())
            .map(|d| {
                d.iter()
                    .filter_map(|x| x.get("message").and_then(|m| m.as_str()))
                    .filter(|m| !m.is_empty() && !message.contains(m))
                    .collect()
            })
            .unwrap_or_default();
        let message = if details.is_empty() {
            message
        } else {
            format!("{} {}", message.trim_end(), details.join(" "))
        };
        let request_id = header_request_id.or_else(|| {
            err.and_then(|e| e.get("innerError"))
                .and_then(|i| i.get("request-id"))
                .and_then(|r| r.as_str())
                .map(str::to_string)
        });
        ApiError::http(status, code, &message, request_id)
    }

    /// A 403 that says what to grant: the service only says "insufficient privileges".
    pub fn needing(mut self, permission: &super::permission::Permission) -> ApiError {
        let sep = if self.message.is_empty() {
            ""
        } else if self.message.trim_end().ends_with('.') {
            " "
        } else {
            ". "
        };
        self.message = format!(
            "{}{sep}This operation needs {}.",
            self.message.trim_end(),
            permission.describe()
        );
        self
    }

    /// Marks the outcome as unknown (see [`ApiError::in_doubt`]).
    pub fn mark_in_doubt(mut self) -> ApiError {
        self.in_doubt = true;
        self
    }

    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }
    /// A 409, or Exchange's "already exists" exception (its cmdlet errors are all 400s; the
    /// exchange client makes the exception type the code).
    pub fn is_conflict(&self) -> bool {
        self.status == Some(409) || self.code.ends_with("AlreadyExistsException")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.status, self.code.is_empty()) {
            (Some(s), false) => write!(f, "HTTP {s} {}: {}", self.code, self.message)?,
            (Some(s), true) => write!(f, "HTTP {s}: {}", self.message)?,
            (None, _) => write!(f, "{}", self.message)?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request-id: {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_graph_envelope() {
        let body = br#"{"error":{"code":"Request_MultipleObjectsWithSameKeyValue","message":"exists","innerError":{"request-id":"abc"}}}"#;
        let e = ApiError::from_graph(409, body, None);
        assert_eq!(e.code, "Request_MultipleObjectsWithSameKeyValue");
        assert_eq!(e.request_id.as_deref(), Some("abc"));
        assert_eq!(
            e.to_string(),
            "HTTP 409 Request_MultipleObjectsWithSameKeyValue: exists (request-id: abc)"
        );
        assert!(e.is_conflict());
    }

    #[test]
    fn a_403_names_the_permission_and_admin_consent() {
        let body = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#;
        let e =
            ApiError::from_graph(403, body, None).needing(&crate::clients::Permission::graph(&[
                "Policy.ReadWrite.CrossTenantAccess",
            ]));
        assert_eq!(
            e.to_string(),
            "HTTP 403 Authorization_RequestDenied: Insufficient privileges to complete the operation. This operation needs the Microsoft Graph application permission `Policy.ReadWrite.CrossTenantAccess`, granted with admin consent."
        );
    }

    #[test]
    fn detail_messages_follow_the_message() {
        let body = br#"{"error":{"code":"X","message":"Generic.","details":[{"code":"X","message":"The reason."}]}}"#;
        assert_eq!(
            ApiError::from_graph(400, body, None).message,
            "Generic. The reason."
        );
    }

    #[test]
    fn non_json_body_is_kept_as_message() {
        let e = ApiError::from_graph(502, b"bad gateway", Some("r1".into()));
        assert_eq!(e.message, "bad gateway");
        assert_eq!(e.request_id.as_deref(), Some("r1"));
    }
}
