//! What a failed sign-in says. The identity libraries report a connection, DNS or TLS failure
//! as "retry policy expired" and an answer of the token endpoint as its `error_description`;
//! this module digs the real cause out of the error chain and adds what the user can do about
//! it: the URL contacted, which roots TLS trusted, and a hint chosen by the AADSTS code (a
//! secret hint only for the codes that mean a bad secret).
//!
//! A provider instance reports its sign-in failure once: [`SignInState`] remembers it, and
//! every later request of the same provider gets a short error instead of the long one.

use super::deadline::{fmt_duration, Bounded, Deadline};
use super::error::{ApiError, ErrorKind};
use std::error::Error as StdError;

/// AADSTS codes that mean "this tenant does not exist (in this cloud)".
const UNKNOWN_TENANT: &[&str] = &["90002"];
/// AADSTS codes that mean "no such application in the tenant".
const UNKNOWN_CLIENT: &[&str] = &["700016"];
/// AADSTS codes tied to the requested resource, not to the sign-in itself (another API of the
/// same provider may still sign in).
const SCOPE_SPECIFIC: &[&str] = &["500011", "1002012"];

/// When the method's hint applies.
#[derive(Clone, Debug)]
pub enum Hint {
    /// After any failure (managed identity, Azure CLI: the method's host is the whole story).
    Always(String),
    /// Only when the token endpoint refused the credential with one of these AADSTS codes
    /// (empty: any code except the unknown-tenant and unknown-client ones).
    Refused(&'static [&'static str], String),
}

/// A chosen sign-in method, as a failure message names it.
#[derive(Clone, Debug)]
pub struct SignIn {
    /// "a client secret", "OIDC federation", ...
    pub method: &'static str,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    /// The token endpoint (`<authority>/<tenant>/oauth2/v2.0/token`), or the identity host.
    pub url: Option<String>,
    pub hint: Hint,
}

/// The AADSTS codes that mean a bad client secret: invalid (7000215), expired (7000222).
pub const BAD_SECRET: &[&str] = &["7000215", "7000222"];

impl SignIn {
    fn subject(&self) -> String {
        match &self.tenant_id {
            Some(t) => format!("Sign-in to tenant {t} with {}", self.method),
            None => format!("Sign-in with {}", self.method),
        }
    }

    /// The message for a failed token request, from the identity library's error.
    pub fn explain(&self, e: &azure_core::Error) -> String {
        let found = Found::walk(e);
        let url = found
            .url
            .clone()
            .or_else(|| self.url.clone())
            .unwrap_or_default();
        let mut msg = self.subject() + " failed: ";
        if let Some(code) = &found.aadsts {
            let said = found.description.clone().unwrap_or_else(|| e.to_string());
            msg += &format!("{url} refused it: {}", said.trim_end_matches('.'));
            let t = self.tenant_id.as_deref().unwrap_or("");
            let c = self.client_id.as_deref().unwrap_or("");
            if UNKNOWN_TENANT.contains(&code.as_str()) {
                msg += &format!(". No tenant {t} exists in this cloud: check tenant_id (ARM_TENANT_ID) and environment (or authority_host)");
            } else if UNKNOWN_CLIENT.contains(&code.as_str()) {
                msg += &format!(". No application with client ID {c} is registered in tenant {t}: check client_id (ARM_CLIENT_ID), and that the app is multitenant and consented to in that tenant");
            } else if let Some(h) = self.hint_for(Some(code)) {
                msg += &format!(". {h}");
            }
        } else if let Some(cause) = &found.transport {
            msg += &format!(
                "{url} could not be reached: {}",
                transport_cause(cause, &url)
            );
            if let Hint::Always(h) = &self.hint {
                msg += &format!(". {h}");
            }
        } else {
            msg += e.to_string().trim_end_matches('.');
            if let Some(h) = self.hint_for(None) {
                msg += &format!(". {h}");
            }
        }
        msg
    }

    fn hint_for(&self, code: Option<&String>) -> Option<&str> {
        match (&self.hint, code) {
            (Hint::Always(h), _) => Some(h),
            (Hint::Refused(codes, h), Some(c))
                if codes.is_empty() || codes.contains(&c.as_str()) =>
            {
                Some(h)
            }
            _ => None,
        }
    }

    /// Whether a failure with this message is about the sign-in itself (so every request of
    /// the provider would fail the same way), not about one API's resource.
    fn is_sign_in_wide(e: &azure_core::Error) -> bool {
        !Found::walk(e)
            .aadsts
            .is_some_and(|c| SCOPE_SPECIFIC.contains(&c.as_str()))
    }
}

/// What the error chain holds.
#[derive(Default)]
struct Found {
    aadsts: Option<String>,
    description: Option<String>,
    /// The transport error's chain, when no HTTP answer came back.
    transport: Option<String>,
    url: Option<String>,
}

impl Found {
    fn walk(e: &azure_core::Error) -> Found {
        let mut f = Found::default();
        let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
        while let Some(err) = cur {
            if let Some(az) = err.downcast_ref::<azure_core::Error>() {
                if let azure_core::error::ErrorKind::HttpResponse { error_code, .. } = az.kind() {
                    if f.description.is_none() {
                        f.description = Some(az.to_string());
                    }
                    if let Some(c) = error_code.as_deref().and_then(|c| c.split(',').next()) {
                        if c.chars().all(|ch| ch.is_ascii_digit()) && !c.is_empty() {
                            f.aadsts.get_or_insert_with(|| c.to_string());
                        }
                    }
                }
            }
            if let Some(r) = err.downcast_ref::<reqwest::Error>() {
                if let Some(u) = r.url() {
                    let mut u = u.clone();
                    u.set_query(None);
                    f.url = Some(u.to_string());
                }
                f.transport = Some(chain(r));
            }
            cur = err.source();
        }
        if f.aadsts.is_none() {
            f.aadsts = aadsts_in(&e.to_string());
        }
        f
    }
}

fn aadsts_in(s: &str) -> Option<String> {
    let i = s.find("AADSTS")? + "AADSTS".len();
    let digits: String = s[i..].chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

fn chain(e: &dyn StdError) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

/// The transport failure in words, from reqwest's error chain.
fn transport_cause(chain: &str, url: &str) -> String {
    let l = chain.to_ascii_lowercase();
    let parsed = url::Url::parse(url).ok();
    let host = parsed
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let port = parsed
        .as_ref()
        .and_then(|u| u.port_or_known_default())
        .unwrap_or(443);
    if l.contains("dns error")
        || l.contains("failed to lookup address")
        || l.contains("name or service not known")
        || l.contains("name resolution")
    {
        format!("unknown host: the name {host} could not be resolved (DNS). Check the host name in authority_host (ARM_AUTHORITY_HOST) or environment [{chain}]")
    } else if l.contains("connection refused") {
        format!("connection refused: nothing listens on {host} port {port}. Check the port in authority_host (ARM_AUTHORITY_HOST), and any HTTPS_PROXY [{chain}]")
    } else if l.contains("certificate") || l.contains("unknownissuer") || l.contains("tls") {
        let bundle = match std::env::var("SSL_CERT_FILE") {
            Ok(f) if !f.is_empty() => format!("plus the bundle in SSL_CERT_FILE ({f})"),
            _ => "(SSL_CERT_FILE is not set)".to_string(),
        };
        format!("the server's TLS certificate is not trusted. The provider trusts the system's root certificates {bundle}: behind a TLS-inspecting proxy, or for a private endpoint, set SSL_CERT_FILE to a PEM bundle holding its CA [{chain}]")
    } else if l.contains("timed out") {
        format!("the connection to {host} port {port} timed out [{chain}]")
    } else {
        chain.to_string()
    }
}

/// One provider instance's sign-in: the method, and its failure once there was one.
pub struct SignInState {
    pub info: SignIn,
    /// Held while a token is fetched, so concurrent requests wait for one answer instead of
    /// each reporting the same failure.
    failed: tokio::sync::Mutex<bool>,
}

impl SignInState {
    pub fn new(info: SignIn) -> SignInState {
        SignInState {
            info,
            failed: tokio::sync::Mutex::new(false),
        }
    }

    /// Runs `fetch` unless the sign-in already failed; a failure is explained once and
    /// remembered, and every later call gets a short error that does not repeat it.
    ///
    /// Waiting for another request's fetch is bounded like a request: by `dl` (what is left of
    /// the operation) and its stop signal.
    pub async fn fetch<T>(
        &self,
        dl: &Deadline,
        fetch: impl std::future::Future<Output = Result<Result<T, azure_core::Error>, ApiError>>,
    ) -> Result<T, ApiError> {
        let waiting = |waited: std::time::Duration| {
            format!(
                "another request's sign-in with {} had not finished after {}",
                self.info.method,
                fmt_duration(waited)
            )
        };
        let mut failed = match dl.bound(dl.remaining(), self.failed.lock()).await {
            Bounded::Done(guard) => guard,
            Bounded::Stalled { waited, .. } => return Err(dl.expired(&waiting(waited))),
            Bounded::Cancelled => return Err(dl.cancelled(&waiting(Default::default()))),
        };
        if *failed {
            return Err(ApiError::other(
                ErrorKind::Auth,
                format!(
                    "Not sent: this provider could not sign in{} (the cause is in the sign-in error reported for it).",
                    self.info
                        .tenant_id
                        .as_deref()
                        .map(|t| format!(" to {t}"))
                        .unwrap_or_default()
                ),
            ));
        }
        match fetch.await? {
            Ok(t) => Ok(t),
            Err(e) => {
                if SignIn::is_sign_in_wide(&e) {
                    *failed = true;
                }
                Err(ApiError::other(ErrorKind::Auth, self.info.explain(&e)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::error::ErrorKind as AzKind;

    fn secret() -> SignIn {
        SignIn {
            method: "a client secret",
            tenant_id: Some("t1".into()),
            client_id: Some("c1".into()),
            url: Some("https://login.example/t1/oauth2/v2.0/token".into()),
            hint: Hint::Refused(
                BAD_SECRET,
                "Check that client_secret is the secret's value".into(),
            ),
        }
    }

    fn refused(code: &str, description: &str) -> azure_core::Error {
        let inner = azure_core::Error::with_message(
            AzKind::HttpResponse {
                status: azure_core::http::StatusCode::BadRequest,
                error_code: Some(code.into()),
                raw_response: None,
            },
            description.to_string(),
        );
        azure_core::Error::with_error(
            AzKind::Credential,
            inner,
            format!("ClientSecretCredential authentication failed. {description}"),
        )
    }

    #[test]
    fn the_secret_hint_only_for_bad_secret_codes() {
        let m = secret().explain(&refused(
            "7000215",
            "AADSTS7000215: Invalid client secret provided.",
        ));
        assert!(m.starts_with("Sign-in to tenant t1 with a client secret failed: https://login.example/t1/oauth2/v2.0/token refused it: AADSTS7000215"), "{m}");
        assert!(m.contains("client_secret is the secret's value"), "{m}");
        let m = secret().explain(&refused(
            "7000222",
            "AADSTS7000222: The provided client secret keys for app 'c1' are expired.",
        ));
        assert!(m.contains("client_secret is the secret's value"), "{m}");
        let m = secret().explain(&refused(
            "700016",
            "AADSTS700016: Application with identifier 'c1' was not found.",
        ));
        assert!(!m.contains("client_secret"), "{m}");
        assert!(m.contains("No application with client ID c1"), "{m}");
        let m = secret().explain(&refused("90002", "AADSTS90002: Tenant 't1' not found."));
        assert!(!m.contains("client_secret"), "{m}");
        assert!(m.contains("No tenant t1 exists"), "{m}");
    }

    #[test]
    fn transport_causes_are_named() {
        let u = "https://login.example:8443/t1/oauth2/v2.0/token";
        assert!(transport_cause("error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)", u).starts_with("connection refused: nothing listens on login.example port 8443"));
        assert!(transport_cause("error sending request: client error (Connect): dns error: failed to lookup address information", u).starts_with("unknown host: the name login.example"));
        assert!(transport_cause("error sending request: client error (Connect): invalid peer certificate: UnknownIssuer", u).contains("TLS certificate is not trusted"));
    }

    #[tokio::test]
    async fn a_failure_is_explained_once() {
        let st = SignInState::new(secret());
        let dl = Deadline::after(
            std::time::Duration::from_secs(30),
            tokio_util::sync::CancellationToken::new(),
        );
        let first = st
            .fetch(&dl, async {
                Ok::<Result<(), _>, ApiError>(Err(refused("7000215", "AADSTS7000215: bad")))
            })
            .await
            .unwrap_err();
        assert!(first.message.contains("Sign-in to tenant t1"));
        let second = st
            .fetch(&dl, async { Ok::<Result<(), _>, ApiError>(Ok(())) })
            .await
            .unwrap_err();
        assert!(!second.message.contains("Sign-in to tenant"), "{second}");
        assert!(
            second.message.contains("could not sign in to t1"),
            "{second}"
        );
    }

    /// A request waiting behind another's sign-in gives up at its own deadline, and at once on
    /// a stop, instead of waiting as long as the other request's deadline.
    #[tokio::test(start_paused = true)]
    async fn waiting_for_another_sign_in_is_bounded() {
        let st = std::sync::Arc::new(SignInState::new(secret()));
        let stuck = st.clone();
        tokio::spawn(async move {
            let long = Deadline::after(
                std::time::Duration::from_secs(3600),
                tokio_util::sync::CancellationToken::new(),
            );
            let _ = stuck
                .fetch(&long, async {
                    tokio::time::sleep(std::time::Duration::from_secs(3000)).await;
                    Ok::<Result<(), _>, ApiError>(Ok(()))
                })
                .await;
        });
        tokio::task::yield_now().await;
        let short = Deadline::after(
            std::time::Duration::from_secs(5),
            tokio_util::sync::CancellationToken::new(),
        );
        let started = tokio::time::Instant::now();
        let e = st
            .fetch(&short, async { Ok::<Result<(), _>, ApiError>(Ok(())) })
            .await
            .unwrap_err();
        assert_eq!(started.elapsed(), std::time::Duration::from_secs(5));
        assert!(e.message.contains("another request's sign-in"), "{e}");
        let stop = tokio_util::sync::CancellationToken::new();
        let cancelled = Deadline::after(std::time::Duration::from_secs(60), stop.clone());
        stop.cancel();
        let e = st
            .fetch(&cancelled, async { Ok::<Result<(), _>, ApiError>(Ok(())) })
            .await
            .unwrap_err();
        assert!(e.message.contains("cancelled"), "{e}");
    }
}
