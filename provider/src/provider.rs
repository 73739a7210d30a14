//! The provider block: schema, and `configure`, which turns it (plus ARM_* environment
//! variables, as the azuread and azurerm providers read them) into clients.
//! No request is made here: tokens are fetched lazily by the first API call, so a configuration
//! rejected at plan time never reaches the network.

use crate::clients::auth::{select_credential, AuthConfig, CredentialToken};
use crate::clients::http::{build_client, ReqwestTransport};
use crate::clients::signin::SignInState;
use crate::clients::Clients;
use crate::framework::validators::{conflicts_with, guid, https_url, one_of};
use crate::framework::{AttrPath, Attribute, Diagnostic, Diagnostics, Schema, Value};
use std::sync::Arc;

pub const ENVIRONMENTS: &[&str] = &["public", "usgovernment", "dod", "china"];

pub fn schema() -> Schema {
    Schema::new(
        "Manages Microsoft Entra / Microsoft 365 cross-tenant coexistence. Configure one provider block per tenant (use `alias` for the others). Every argument can also come from the environment variable named in its description.",
        vec![
            Attribute::string("tenant_id").optional().validate(guid()).description("The tenant this provider manages (a GUID). Env: `ARM_TENANT_ID`."),
            Attribute::string("client_id").optional().description("Application (client) ID of the app registration or managed identity used to sign in. Env: `ARM_CLIENT_ID`."),
            Attribute::string("client_id_file_path").optional().description("A file holding the client ID (e.g. a mounted secret). When `client_id` is also set, both must agree. Env: `ARM_CLIENT_ID_FILE_PATH`."),
            Attribute::string("client_secret").optional().sensitive().description("Client secret of the app registration. Env: `ARM_CLIENT_SECRET`."),
            Attribute::string("client_secret_file_path").optional().description("A file holding the client secret. When `client_secret` is also set, both must agree. Env: `ARM_CLIENT_SECRET_FILE_PATH`."),
            Attribute::string("client_certificate").optional().sensitive().validate(conflicts_with(&["client_certificate_path"])).description("The client certificate inline: a base64-encoded PKCS#12 bundle with its RSA private key (e.g. `filebase64(\"app.pfx\")`). Env: `ARM_CLIENT_CERTIFICATE`."),
            Attribute::string("client_certificate_path").optional().description("Path to the client certificate with its RSA private key: PKCS#12 (.pfx, optionally password-protected) or PEM (certificate and unencrypted key in one file). Env: `ARM_CLIENT_CERTIFICATE_PATH`."),
            Attribute::string("client_certificate_password").optional().sensitive().description("Password of the PKCS#12 client certificate, if any. Env: `ARM_CLIENT_CERTIFICATE_PASSWORD`."),
            Attribute::bool("use_oidc").optional().description("Sign in with an OIDC federated token (workload identity federation, e.g. GitHub Actions, Azure DevOps). Env: `ARM_USE_OIDC`."),
            Attribute::string("oidc_token").optional().sensitive().validate(conflicts_with(&["oidc_token_file_path"])).description("The OIDC token itself. Env: `ARM_OIDC_TOKEN`."),
            Attribute::string("oidc_token_file_path").optional().description("A file holding the OIDC token, re-read at each sign-in. Env: `ARM_OIDC_TOKEN_FILE_PATH`."),
            Attribute::string("oidc_request_url").optional().validate(https_url()).description("The URL the OIDC token is requested from (GitHub Actions, Azure DevOps). Env: `ARM_OIDC_REQUEST_URL`, `ACTIONS_ID_TOKEN_REQUEST_URL` or `SYSTEM_OIDCREQUESTURI`."),
            Attribute::string("oidc_request_token").optional().sensitive().description("The bearer token for `oidc_request_url`. Env: `ARM_OIDC_REQUEST_TOKEN`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN` or `SYSTEM_ACCESSTOKEN`."),
            Attribute::string("ado_pipeline_service_connection_id").optional().description("Azure DevOps: the ID of the service connection (workload identity federation) whose OIDC token is requested from `oidc_request_url` (`SYSTEM_OIDCREQUESTURI`) with `oidc_request_token` (`SYSTEM_ACCESSTOKEN`). Needs `use_oidc`. Env: `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID` or `ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`."),
            Attribute::bool("use_aks_workload_identity").optional().description("Sign in with AKS workload identity: the token file, client ID, tenant ID and authority host come from `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and `AZURE_AUTHORITY_HOST` unless set here. Env: `ARM_USE_AKS_WORKLOAD_IDENTITY`."),
            Attribute::bool("use_msi").optional().description("Sign in with a managed identity (user-assigned when `client_id` is set). Env: `ARM_USE_MSI`."),
            Attribute::string("msi_endpoint").optional().description("The managed identity endpoint to ask for tokens (IMDS protocol), instead of the one the platform provides. Env: `ARM_MSI_ENDPOINT`."),
            Attribute::bool("use_cli").optional().description("Sign in with the Azure CLI's logged-in account. Env: `ARM_USE_CLI`."),
            Attribute::string("environment")
                .optional()
                .validate(one_of(ENVIRONMENTS))
                .description("The cloud: `public` (default), `usgovernment`, `dod` or `china`. Sets the sign-in, Graph and Exchange endpoints. Env: `ARM_ENVIRONMENT`."),
            Attribute::string("authority_host").optional().validate(https_url()).description("Overrides the sign-in endpoint, e.g. `https://login.microsoftonline.com`. Env: `ARM_AUTHORITY_HOST`."),
            Attribute::string("graph_endpoint").optional().validate(https_url()).description("Overrides the Microsoft Graph endpoint, e.g. `https://graph.microsoft.com`. Tokens are requested for `<graph_endpoint>/.default`. Env: `ARM_GRAPH_ENDPOINT`."),
            Attribute::string("exchange_endpoint").optional().validate(https_url()).description("Overrides the Exchange Online admin API endpoint, e.g. `https://outlook.office365.com`. Env: `ARM_EXCHANGE_ENDPOINT`."),
        ],
    )
}

/// Sign-in, Graph and Exchange endpoints of a national cloud. The Exchange ones are the admin
/// API hosts the Exchange Online Admin API documentation lists per cloud (not the OWA hosts).
pub struct Endpoints {
    pub authority_host: &'static str,
    pub graph: &'static str,
    pub exchange: &'static str,
}

pub fn endpoints(environment: &str) -> Option<Endpoints> {
    Some(match environment {
        "public" => Endpoints {
            authority_host: "https://login.microsoftonline.com",
            graph: "https://graph.microsoft.com",
            exchange: "https://outlook.office365.com",
        },
        "usgovernment" => Endpoints {
            authority_host: "https://login.microsoftonline.us",
            graph: "https://graph.microsoft.us",
            exchange: "https://outlook.office365.us",
        },
        "dod" => Endpoints {
            authority_host: "https://login.microsoftonline.us",
            graph: "https://dod-graph.microsoft.us",
            exchange: "https://outlook-dod.office365.us",
        },
        "china" => Endpoints {
            authority_host: "https://login.chinacloudapi.cn",
            graph: "https://microsoftgraph.chinacloudapi.cn",
            exchange: "https://outlook.office365.cn",
        },
        _ => return None,
    })
}

/// Reads configuration values with their environment fallbacks. `env` is injectable for tests.
struct Settings<'a> {
    config: &'a Value,
    env: &'a dyn Fn(&str) -> Option<String>,
    diags: Diagnostics,
}

impl Settings<'_> {
    fn string(&mut self, attr: &str, var: &str) -> Option<String> {
        match self.config.get(attr) {
            Value::String(s) => Some(s.clone()),
            Value::Unknown => {
                self.diags.push(
                    Diagnostic::error(
                        "Provider configuration depends on an unknown value",
                        format!("{attr} is only known after apply, but the provider needs it to sign in. Use a value known at plan time (a variable or a data source)."),
                    )
                    .at(AttrPath::root().attr(attr)),
                );
                None
            }
            _ => (self.env)(var).filter(|s| !s.is_empty()),
        }
    }
    /// Like [`Settings::string`], trying each variable in turn.
    fn string_any(&mut self, attr: &str, vars: &[&str]) -> Option<String> {
        let first = self.string(attr, vars[0]);
        first.or_else(|| {
            vars[1..]
                .iter()
                .find_map(|v| (self.env)(v).filter(|s| !s.is_empty()))
        })
    }
    /// A value that may also come from a file (`<attr>_file_path`); both must agree.
    fn string_or_file(&mut self, attr: &str, var: &str, file_var: &str) -> Option<String> {
        let file_attr = format!("{attr}_file_path");
        let direct = self.string(attr, var);
        let Some(path) = self.string(&file_attr, file_var) else {
            return direct;
        };
        let from_file = match std::fs::read_to_string(&path) {
            Ok(s) => s.trim().to_string(),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(format!("Cannot read {file_attr}"), format!("{path}: {e}"))
                        .at(AttrPath::root().attr(&file_attr)),
                );
                return None;
            }
        };
        match direct {
            Some(d) if d != from_file => {
                self.diags.push(
                    Diagnostic::error(
                        "Conflicting configuration arguments",
                        format!("{attr} and the content of {file_attr} ({path}) differ: set only one of them."),
                    )
                    .at(AttrPath::root().attr(&file_attr)),
                );
                None
            }
            _ => Some(from_file),
        }
    }
    fn flag(&mut self, attr: &str, var: &str) -> bool {
        match self.config.get(attr) {
            Value::Bool(b) => *b,
            _ => (self.env)(var)
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes")),
        }
    }
}

/// The sign-in settings: arguments, their variables, the files they name, and AKS workload
/// identity's variables. Conflicts are diagnostics naming the argument.
fn auth_config(s: &mut Settings<'_>, authority_host: String) -> AuthConfig {
    let aks = s.flag("use_aks_workload_identity", "ARM_USE_AKS_WORKLOAD_IDENTITY");
    // AKS workload identity fills in only what the configuration leaves unset.
    let aks_var = |s: &Settings<'_>, var: &str| {
        if aks {
            (s.env)(var).filter(|v| !v.is_empty())
        } else {
            None
        }
    };
    let mut tenant_id = s.string("tenant_id", "ARM_TENANT_ID");
    tenant_id = tenant_id.or_else(|| aks_var(s, "AZURE_TENANT_ID"));
    let mut client_id = s.string_or_file("client_id", "ARM_CLIENT_ID", "ARM_CLIENT_ID_FILE_PATH");
    client_id = client_id.or_else(|| aks_var(s, "AZURE_CLIENT_ID"));
    let mut oidc_token_file_path = s.string("oidc_token_file_path", "ARM_OIDC_TOKEN_FILE_PATH");
    oidc_token_file_path =
        oidc_token_file_path.or_else(|| aks_var(s, "AZURE_FEDERATED_TOKEN_FILE"));
    let authority_unset =
        s.config.get("authority_host").is_null() && (s.env)("ARM_AUTHORITY_HOST").is_none();
    let authority_host = match aks_var(s, "AZURE_AUTHORITY_HOST") {
        Some(a) if authority_unset => a,
        _ => authority_host,
    };
    if aks && oidc_token_file_path.is_none() {
        s.diags.push(
            Diagnostic::error(
                "AKS workload identity has no token file",
                "use_aks_workload_identity is set but AZURE_FEDERATED_TOKEN_FILE is not (the workload identity webhook sets it in pods whose service account is labelled azure.workload.identity/use: \"true\"); or set oidc_token_file_path.",
            )
            .at(AttrPath::root().attr("use_aks_workload_identity")),
        );
    }
    let client_certificate = s
        .string("client_certificate", "ARM_CLIENT_CERTIFICATE")
        .and_then(|b64| {
            use base64::Engine as _;
            let clean: String = b64.split_whitespace().collect();
            match base64::engine::general_purpose::STANDARD.decode(clean) {
                Ok(bytes) => Some(bytes),
                Err(_) => {
                    s.diags.push(
                        Diagnostic::error(
                            "Invalid client_certificate",
                            "client_certificate must be the base64 encoding of a PKCS#12 (.pfx) bundle, e.g. filebase64(\"app.pfx\").",
                        )
                        .at(AttrPath::root().attr("client_certificate")),
                    );
                    None
                }
            }
        });
    let client_certificate_path =
        s.string("client_certificate_path", "ARM_CLIENT_CERTIFICATE_PATH");
    if client_certificate.is_some() && client_certificate_path.is_some() {
        s.diags.push(
            Diagnostic::error(
                "Conflicting configuration arguments",
                "client_certificate (ARM_CLIENT_CERTIFICATE) and client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) are both set: set only one of them.",
            )
            .at(AttrPath::root().attr("client_certificate")),
        );
    }
    let msi_endpoint = s.string("msi_endpoint", "ARM_MSI_ENDPOINT");
    if let Some(e) = &msi_endpoint {
        if !matches!(url::Url::parse(e), Ok(u) if u.scheme() == "http" || u.scheme() == "https") {
            s.diags.push(
                Diagnostic::error(
                    "Invalid msi_endpoint",
                    format!("{e:?} is not an http(s) URL."),
                )
                .at(AttrPath::root().attr("msi_endpoint")),
            );
        }
    }
    AuthConfig {
        tenant_id,
        client_id,
        client_secret: s.string_or_file(
            "client_secret",
            "ARM_CLIENT_SECRET",
            "ARM_CLIENT_SECRET_FILE_PATH",
        ),
        client_certificate_path,
        client_certificate,
        client_certificate_password: s.string(
            "client_certificate_password",
            "ARM_CLIENT_CERTIFICATE_PASSWORD",
        ),
        use_oidc: s.flag("use_oidc", "ARM_USE_OIDC") || aks,
        oidc_token: s.string("oidc_token", "ARM_OIDC_TOKEN"),
        oidc_token_file_path,
        oidc_request_url: s.string_any(
            "oidc_request_url",
            &[
                "ARM_OIDC_REQUEST_URL",
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "SYSTEM_OIDCREQUESTURI",
            ],
        ),
        oidc_request_token: s.string_any(
            "oidc_request_token",
            &[
                "ARM_OIDC_REQUEST_TOKEN",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                "SYSTEM_ACCESSTOKEN",
            ],
        ),
        ado_service_connection_id: s.string_any(
            "ado_pipeline_service_connection_id",
            &[
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
            ],
        ),
        use_msi: s.flag("use_msi", "ARM_USE_MSI"),
        msi_endpoint,
        use_cli: s.flag("use_cli", "ARM_USE_CLI"),
        authority_host,
    }
}

/// Builds the clients for one provider instance.
pub fn configure(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Clients, Diagnostics> {
    let mut s = Settings {
        config,
        env,
        diags: Diagnostics::new(),
    };
    let environment = s
        .string("environment", "ARM_ENVIRONMENT")
        .unwrap_or_else(|| "public".into());
    let Some(cloud) = endpoints(&environment) else {
        return Err(Diagnostic::error(
            "Unknown environment",
            format!("{environment:?} is not one of {}.", ENVIRONMENTS.join(", ")),
        )
        .at(AttrPath::root().attr("environment"))
        .into());
    };
    let authority_host = s
        .string("authority_host", "ARM_AUTHORITY_HOST")
        .unwrap_or_else(|| cloud.authority_host.into());
    let graph_endpoint = s
        .string("graph_endpoint", "ARM_GRAPH_ENDPOINT")
        .unwrap_or_else(|| cloud.graph.into());
    let auth = auth_config(&mut s, authority_host);
    let exchange_endpoint = s
        .string("exchange_endpoint", "ARM_EXCHANGE_ENDPOINT")
        .unwrap_or_else(|| cloud.exchange.into());
    s.diags.clone().into_result()?;

    for (attr, v) in [
        ("authority_host", &auth.authority_host),
        ("graph_endpoint", &graph_endpoint),
        ("exchange_endpoint", &exchange_endpoint),
    ] {
        if !v.starts_with("https://") {
            return Err(Diagnostic::error(
                "Endpoints must use HTTPS",
                format!("{attr} = {v:?}: tokens are never sent over plain HTTP."),
            )
            .at(AttrPath::root().attr(attr))
            .into());
        }
    }
    let http = build_client()
        .map_err(|e| Diagnostics::from(Diagnostic::error("Could not build the HTTP client", e)))?;
    let (credential, sign_in) = select_credential(&auth, &http)
        .map_err(|e| Diagnostics::from(Diagnostic::error("No usable authentication method", e)))?;
    tracing::debug!(method = sign_in.method, tenant_id = auth.tenant_id.as_deref().unwrap_or(""), graph_endpoint = %graph_endpoint, exchange_endpoint = %exchange_endpoint, "provider configured");
    // One credential, one token source per audience: Graph and Exchange Online are separate
    // resources, each with its own `<endpoint>/.default` scope. Both share the sign-in, so a
    // failure is reported once per provider.
    let sign_in = Arc::new(SignInState::new(sign_in));
    let api = |endpoint: String| crate::clients::Api {
        token: Arc::new(CredentialToken {
            credential: credential.clone(),
            scope: format!("{}/.default", endpoint.trim_end_matches('/')),
            sign_in: sign_in.clone(),
        }),
        endpoint,
    };
    Ok(Clients::new(
        Arc::new(ReqwestTransport(http)),
        auth.tenant_id.clone(),
        api(graph_endpoint),
        api(exchange_endpoint),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::null_object(&schema().ty());
        for (k, x) in pairs {
            v.set_attr(k, x.clone());
        }
        v
    }

    #[test]
    fn environment_variables_fill_in() {
        let env = |k: &str| match k {
            "ARM_TENANT_ID" => Some("72f988bf-86f1-41af-91ab-2d7cd011db47".to_string()),
            "ARM_CLIENT_ID" => Some("app".to_string()),
            "ARM_CLIENT_SECRET" => Some("s".to_string()),
            _ => None,
        };
        assert!(configure(&cfg(&[]), &env).is_ok());
    }

    #[test]
    fn nothing_configured_lists_methods() {
        let e = configure(&cfg(&[]), &|_| None).err().unwrap();
        assert!(e.0[0].detail.contains("managed identity"), "{}", e);
    }

    #[test]
    fn unknown_values_are_named() {
        let e = configure(&cfg(&[("tenant_id", Value::Unknown)]), &|_| None)
            .err()
            .unwrap();
        assert_eq!(e.0[0].path, Some(AttrPath::root().attr("tenant_id")));
    }

    #[test]
    fn http_endpoints_are_refused() {
        let env = |_: &str| None;
        let c = cfg(&[
            (
                "tenant_id",
                Value::string("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            ),
            ("client_id", Value::string("a")),
            ("client_secret", Value::string("s")),
            ("graph_endpoint", Value::string("http://x")),
        ]);
        assert!(configure(&c, &env).is_err());
        // And the schema validator catches it at plan time already.
        assert!(schema().validate(&c).has_errors());
    }

    fn auth(
        pairs: &[(&str, Value)],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> (AuthConfig, Diagnostics) {
        let config = cfg(pairs);
        let mut s = Settings {
            config: &config,
            env,
            diags: Diagnostics::new(),
        };
        let a = auth_config(&mut s, "https://login.example".into());
        (a, s.diags)
    }

    #[test]
    fn a_file_disagreeing_with_its_argument_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("id");
        std::fs::write(&f, "from-file\n").unwrap();
        let path = Value::string(f.display().to_string());
        let (a, d) = auth(&[("client_id_file_path", path.clone())], &|_| None);
        assert_eq!(a.client_id.as_deref(), Some("from-file"));
        assert!(!d.has_errors());
        let (_, d) = auth(
            &[
                ("client_id", Value::string("other")),
                ("client_id_file_path", path),
            ],
            &|_| None,
        );
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::root().attr("client_id_file_path"))
        );
    }

    #[test]
    fn aks_workload_identity_fills_in_from_its_variables() {
        let env = |k: &str| {
            Some(
                match k {
                    "ARM_USE_AKS_WORKLOAD_IDENTITY" => "true",
                    "AZURE_CLIENT_ID" => "aks-client",
                    "AZURE_TENANT_ID" => "aks-tenant",
                    "AZURE_FEDERATED_TOKEN_FILE" => {
                        "/var/run/secrets/azure/tokens/azure-identity-token"
                    }
                    "AZURE_AUTHORITY_HOST" => "https://login.aks.example/",
                    _ => return None,
                }
                .to_string(),
            )
        };
        let (a, d) = auth(&[("client_id", Value::string("mine"))], &env);
        assert!(!d.has_errors());
        assert!(a.use_oidc);
        assert_eq!(
            a.client_id.as_deref(),
            Some("mine"),
            "the configuration wins"
        );
        assert_eq!(a.tenant_id.as_deref(), Some("aks-tenant"));
        assert_eq!(a.authority_host, "https://login.aks.example/");
        assert!(a.oidc_token_file_path.is_some());
        // Without the token file: refused, naming the argument.
        let (_, d) = auth(&[], &|k| {
            (k == "ARM_USE_AKS_WORKLOAD_IDENTITY").then(|| "1".into())
        });
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::root().attr("use_aks_workload_identity"))
        );
    }

    #[test]
    fn oidc_request_falls_back_to_github_then_azure_devops_variables() {
        let env = |k: &str| match k {
            "SYSTEM_OIDCREQUESTURI" => Some("https://ado.example/oidc".to_string()),
            "SYSTEM_ACCESSTOKEN" => Some("ado-token".to_string()),
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID" => Some("sc".to_string()),
            _ => None,
        };
        let (a, _) = auth(&[], &env);
        assert_eq!(
            a.oidc_request_url.as_deref(),
            Some("https://ado.example/oidc")
        );
        assert_eq!(a.oidc_request_token.as_deref(), Some("ado-token"));
        assert_eq!(a.ado_service_connection_id.as_deref(), Some("sc"));
        let gh = |k: &str| match k {
            "ACTIONS_ID_TOKEN_REQUEST_URL" => Some("https://gh.example".to_string()),
            _ => env(k),
        };
        assert_eq!(
            auth(&[], &gh).0.oidc_request_url.as_deref(),
            Some("https://gh.example")
        );
    }

    #[test]
    fn client_certificate_must_be_base64() {
        let (_, d) = auth(
            &[("client_certificate", Value::string("not base64!"))],
            &|_| None,
        );
        assert_eq!(
            d.0[0].path,
            Some(AttrPath::root().attr("client_certificate"))
        );
    }

    #[test]
    fn every_environment_has_endpoints() {
        for e in ENVIRONMENTS {
            assert!(endpoints(e).is_some());
        }
    }
}
