//! The Exchange Online admin API: `POST /adminapi/beta/{tenantId}/InvokeCommand`, over the shared
//! [`pipeline`](super::pipeline) with Exchange's own error envelope.
//! Facts: API-NOTES.md#exchange-invokecommand.
//!
//! * Tokens must be for Exchange Online (`https://outlook.office365.com`, or the emulator's URL,
//!   which is what `<exchange_endpoint>/.default` asks for in tests); a Graph token is 401.
//! * `{tenantId}` (GUID or default domain) must be the token's tenant (403 otherwise; assumed).
//! * The body is a strict `CmdletInput` ([`cmdlet`]); the cmdlet is looked up in [`FAMILIES`]
//!   (one line per cmdlet family module); an unknown cmdlet is a `CommandNotFoundException`.
//!   The families: [`accepted_domain`] (`Get-AcceptedDomain`), [`organization_relationship`]
//!   (`*-OrganizationRelationship`), [`connector`] (`*-InboundConnector`,
//!   `*-OutboundConnector`), [`group`] (`Get-Group`, and the group parameters' resolution);
//!   they answer through [`envelope`].
//! * Errors: `{"error":{"code","message","details":[{"code","target","message":
//!   "<code>|<exception type>|<message>"}],"innererror":{"message","type",
//!   "internalexception":{"message"}}}}` (API-NOTES.md#exchange-errors).
//! * Throttling: JSON 429 `TooManyRequests` (faults, rate limits), or the plain-text concurrency
//!   throttle ([`Fault::exchange_concurrency`](super::Fault::exchange_concurrency)).

pub mod accepted_domain;
pub mod cmdlet;
pub mod connector;
pub mod envelope;
pub mod group;
pub mod organization_relationship;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{any, post};
use axum::{Extension, Router};

use super::pipeline::{self, RequestCtx};
use super::state::Shared;
use cmdlet::{Cmdlet, Invocation};

/// Every emulated cmdlet, one line per cmdlet family (a module beside this one).
pub static FAMILIES: &[&[Cmdlet]] = &[
    accepted_domain::CMDLETS,
    organization_relationship::CMDLETS,
    connector::CMDLETS,
    group::CMDLETS,
];

pub use envelope::{
    objects_response, Exchange, ExchangeError, ExchangeResult, CONCURRENCY_THROTTLE, EXO_JSON,
};

pub fn routes(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let routes = Router::new()
        .route("/adminapi/beta/{tenant}/InvokeCommand", post(invoke))
        .route("/adminapi/{*rest}", any(unknown_endpoint));
    pipeline::wrap::<Exchange>(routes, shared)
}

async fn unknown_endpoint(Path(rest): Path<String>) -> ExchangeError {
    // `$batch` and the v2.0 preview endpoints are not emulated: the provider must not use them.
    ExchangeError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        "Microsoft.Exchange.Admin.OData.Core.ODataException",
        format!("The admin API endpoint '/adminapi/{rest}' is not emulated; use /adminapi/beta/{{tenantId}}/InvokeCommand."),
    )
}

async fn invoke(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<RequestCtx>,
    Path(tenant): Path<String>,
) -> ExchangeResult {
    let own = st
        .signin_tenant(&tenant)
        .is_some_and(|t| t.tenant_id == ctx.tenant);
    if !own {
        return Err(ExchangeError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Microsoft.Exchange.Admin.OData.Core.AuthorizationException",
            format!(
                "The tenant '{tenant}' in the request URL is not the tenant of the access token."
            ),
        ));
    }
    if let Some((k, _)) = ctx.query.iter().find(|(k, _)| k != "$select") {
        return Err(ExchangeError::bad_input(format!(
            "Query option '{k}' is not supported. Supported query options: $select."
        )));
    }
    let select = ctx.query_param("$select").map(|s| {
        s.split(',')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect()
    });
    let (name, params) = cmdlet::parse_input(ctx.body.as_ref())?;
    let Some(c) = FAMILIES
        .iter()
        .flat_map(|f| f.iter())
        .find(|c| c.name.eq_ignore_ascii_case(&name))
    else {
        return Err(ExchangeError::new(
            StatusCode::BAD_REQUEST,
            "CommandNotFound",
            "System.Management.Automation.CommandNotFoundException",
            format!("The term '{name}' is not recognized as a name of a cmdlet, function, script file, or executable program."),
        ));
    };
    cmdlet::validate(c, &params)?;
    (c.run)(&Invocation {
        st: &st,
        ctx: &ctx,
        params: &params,
        select,
    })
}
