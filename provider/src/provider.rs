//! The provider block: schema, and `configure`, which turns it (plus ARM_* environment
//! variables, as the azuread and azurerm providers read them) into clients.
//! No request is made here: tokens are fetched lazily by the first API call, so a configuration
//! rejected at plan time never reaches the network.

use crate::clients::auth::{select_credential, CredentialToken};
use crate::clients::http::{build_client, ReqwestTransport};
use crate::clients::signin::SignInState;
use crate::clients::Clients;
use crate::framework::validators::{conflicts_with, guid, https_url, one_of};
use crate::framework::{AttrPath, Attribute, Diagnostic, Diagnostics, Schema, Value};
use std::sync::Arc;

mod settings;
use settings::{auth_config, Settings};

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
                .description("The cloud: `public` (default), `usgovernment`, `dod` or `china`. Sets the sign-in, Graph, Exchange and Teams endpoints. Env: `ARM_ENVIRONMENT`."),
            Attribute::string("authority_host").optional().validate(https_url()).description("Overrides the sign-in endpoint, e.g. `https://login.microsoftonline.com`. Env: `ARM_AUTHORITY_HOST`."),
            Attribute::string("graph_endpoint").optional().validate(https_url()).description("Overrides the Microsoft Graph endpoint, e.g. `https://graph.microsoft.com`. Tokens are requested for `<graph_endpoint>/.default`. Env: `ARM_GRAPH_ENDPOINT`."),
            Attribute::string("exchange_endpoint").optional().validate(https_url()).description("Overrides the Exchange Online admin API endpoint, e.g. `https://outlook.office365.com`. Env: `ARM_EXCHANGE_ENDPOINT`."),
            Attribute::string("teams_endpoint").optional().validate(https_url()).description("Overrides the Teams tenant admin API endpoint (used by the `coexistence_teams_federation*` resources), e.g. `https://api.interfaces.records.teams.microsoft.com`. Its tokens are always requested for the Skype and Teams Tenant Admin API (`48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default`), whatever the endpoint. Env: `ARM_TEAMS_ENDPOINT`."),
        ],
    )
}

/// Sign-in, Graph, Exchange and Teams endpoints of a national cloud. The Exchange ones are the
/// admin API hosts the Exchange Online Admin API documentation lists per cloud (not the OWA
/// hosts); the Teams ones are in API-NOTES.md#teams-host.
pub struct Endpoints {
    pub authority_host: &'static str,
    pub graph: &'static str,
    pub exchange: &'static str,
    pub teams: &'static str,
}

pub fn endpoints(environment: &str) -> Option<Endpoints> {
    Some(match environment {
        "public" => Endpoints {
            authority_host: "https://login.microsoftonline.com",
            graph: "https://graph.microsoft.com",
            exchange: "https://outlook.office365.com",
            teams: "https://api.interfaces.records.teams.microsoft.com",
        },
        "usgovernment" => Endpoints {
            authority_host: "https://login.microsoftonline.us",
            graph: "https://graph.microsoft.us",
            exchange: "https://outlook.office365.us",
            teams: "https://api.interfaces.records.gov.teams.microsoft.us",
        },
        "dod" => Endpoints {
            authority_host: "https://login.microsoftonline.us",
            graph: "https://dod-graph.microsoft.us",
            exchange: "https://outlook-dod.office365.us",
            teams: "https://api.interfaces.records.gov.teams.microsoft.us",
        },
        "china" => Endpoints {
            authority_host: "https://login.chinacloudapi.cn",
            graph: "https://microsoftgraph.chinacloudapi.cn",
            exchange: "https://outlook.office365.cn",
            teams: "https://api.interfaces.records.teams.microsoftonline.cn",
        },
        _ => return None,
    })
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
    let teams_endpoint = s
        .string("teams_endpoint", "ARM_TEAMS_ENDPOINT")
        .unwrap_or_else(|| cloud.teams.into());
    s.diags.clone().into_result()?;

    for (attr, v) in [
        ("authority_host", &auth.authority_host),
        ("graph_endpoint", &graph_endpoint),
        ("exchange_endpoint", &exchange_endpoint),
        ("teams_endpoint", &teams_endpoint),
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
    tracing::debug!(method = sign_in.method, tenant_id = auth.tenant_id.as_deref().unwrap_or(""), graph_endpoint = %graph_endpoint, exchange_endpoint = %exchange_endpoint, teams_endpoint = %teams_endpoint, "provider configured");
    // One credential, one token source per audience: Graph and Exchange Online are separate
    // resources, each with its own `<endpoint>/.default` scope; the Teams tenant admin API is
    // the Skype and Teams Tenant Admin API's app ID whatever its endpoint
    // (API-NOTES.md#teams-token). All share the sign-in, so a failure is reported once per
    // provider.
    let sign_in = Arc::new(SignInState::new(sign_in));
    let api = |endpoint: String, scope: String| crate::clients::Api {
        token: Arc::new(CredentialToken {
            credential: credential.clone(),
            scope,
            sign_in: sign_in.clone(),
        }),
        endpoint,
    };
    let own_scope = |endpoint: &str| format!("{}/.default", endpoint.trim_end_matches('/'));
    Ok(Clients::new(
        Arc::new(ReqwestTransport(http)),
        auth.tenant_id.clone(),
        api(graph_endpoint.clone(), own_scope(&graph_endpoint)),
        api(exchange_endpoint.clone(), own_scope(&exchange_endpoint)),
        api(teams_endpoint, crate::clients::teams::token_scope()),
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

    #[test]
    fn every_environment_has_endpoints() {
        for e in ENVIRONMENTS {
            assert!(endpoints(e).is_some());
        }
    }

    #[test]
    fn teams_hosts_per_cloud() {
        let teams = |e: &str| endpoints(e).unwrap().teams;
        assert_eq!(
            teams("public"),
            "https://api.interfaces.records.teams.microsoft.com"
        );
        assert_eq!(
            teams("usgovernment"),
            "https://api.interfaces.records.gov.teams.microsoft.us"
        );
        assert_eq!(teams("dod"), teams("usgovernment"));
    }

    #[test]
    fn a_plain_http_teams_endpoint_is_refused_naming_it() {
        let env = |k: &str| match k {
            "ARM_TENANT_ID" => Some("72f988bf-86f1-41af-91ab-2d7cd011db47".to_string()),
            "ARM_CLIENT_ID" => Some("app".to_string()),
            "ARM_CLIENT_SECRET" => Some("s".to_string()),
            "ARM_TEAMS_ENDPOINT" => Some("http://teams.example".to_string()),
            _ => None,
        };
        let e = configure(&cfg(&[]), &env).err().unwrap();
        assert_eq!(e.0[0].path, Some(AttrPath::root().attr("teams_endpoint")));
    }
}
