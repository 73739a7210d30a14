//! The provider block's values with their environment fallbacks, and the sign-in settings
//! built from them (files read, AKS workload identity's variables filled in, conflicts named).

use crate::clients::auth::AuthConfig;
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Value};

/// Reads configuration values with their environment fallbacks. `env` is injectable for tests.
pub(super) struct Settings<'a> {
    pub(super) config: &'a Value,
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) diags: Diagnostics,
}

impl Settings<'_> {
    pub(super) fn string(&mut self, attr: &str, var: &str) -> Option<String> {
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
    pub(super) fn flag(&mut self, attr: &str, var: &str) -> bool {
        match self.config.get(attr) {
            Value::Bool(b) => *b,
            _ => (self.env)(var)
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes")),
        }
    }
}

/// The sign-in settings: arguments, their variables, the files they name, and AKS workload
/// identity's variables. Conflicts are diagnostics naming the argument.
pub(super) fn auth_config(s: &mut Settings<'_>, authority_host: String) -> AuthConfig {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::null_object(&super::super::schema().ty());
        for (k, x) in pairs {
            v.set_attr(k, x.clone());
        }
        v
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
}
