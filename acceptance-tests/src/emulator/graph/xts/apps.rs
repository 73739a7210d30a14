//! The configuration application: instantiate, `applications`, `servicePrincipals`, and the
//! deleted applications in `directory/deletedItems`. API-NOTES.md#xts-apps

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::types::{APPLICATION, SERVICE_PRINCIPAL};
use super::*;
use crate::emulator::graph::entity_set::with_context;
use crate::emulator::graph::odata::{parse_select_value, project, single_option};
use crate::emulator::graph::schema::{validate_body, ObjType, Op};
use crate::emulator::graph::{context_url, no_content, odata_json, GraphCtx, GraphResult};
use crate::emulator::util::{graph_date, new_guid};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v1.0/applicationTemplates/{id}/instantiate",
            post(instantiate),
        )
        .route("/v1.0/applications", get(list_apps))
        .route(
            "/v1.0/applications/{id}",
            get(get_app).patch(patch_app).delete(delete_app),
        )
        .route("/v1.0/servicePrincipals", get(list_sps))
        .route(
            "/v1.0/servicePrincipals/{id}",
            get(get_sp).patch(patch_sp).delete(delete_sp),
        )
        .route(
            "/v1.0/directory/deletedItems/{id}",
            get(get_deleted).delete(purge_deleted),
        )
}

/// `2023-07-31T23:26:24Z`.
fn timestamp() -> String {
    format!("{}Z", graph_date())
}

const HOMEPAGE: &str = "https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=aad2aadsync|ISV9.1|primary|z";

fn permission_scope(name: &str, id: &str) -> Value {
    json!({
        "adminConsentDescription": format!("Allow the application to access {name} on behalf of the signed-in user."),
        "adminConsentDisplayName": format!("Access {name}"),
        "id": id,
        "isEnabled": true,
        "type": "User",
        "userConsentDescription": format!("Allow the application to access {name} on your behalf."),
        "userConsentDisplayName": format!("Access {name}"),
        "value": "user_impersonation"
    })
}

/// The application and service principal instantiate makes (shape of the documented answer,
/// `examples/xts/instantiate.response.json`).
pub(super) fn instantiated(tenant: &str, name: &str) -> (Value, Value) {
    let (app_id, obj_id, sp_id, role_id, scope_id) =
        (new_guid(), new_guid(), new_guid(), new_guid(), new_guid());
    let role = json!({
        "allowedMemberTypes": ["User"], "displayName": "msiam_access", "id": role_id,
        "isEnabled": true, "description": "msiam_access", "value": null, "origin": "Application"
    });
    let info = json!({"logoUrl": null, "marketingUrl": null, "privacyStatementUrl": null, "supportUrl": null, "termsOfServiceUrl": null});
    let publisher =
        json!({"displayName": null, "verifiedPublisherId": null, "addedDateTime": null});
    let app = json!({
        "id": obj_id, "appId": app_id, "applicationTemplateId": XTS_TEMPLATE_ID,
        "createdDateTime": timestamp(), "deletedDateTime": null, "displayName": name,
        "description": null, "notes": null, "groupMembershipClaims": null, "identifierUris": [],
        "isFallbackPublicClient": false, "serviceManagementReference": null,
        "signInAudience": "AzureADMyOrg", "tags": [], "tokenEncryptionKeyId": null,
        "defaultRedirectUri": null, "optionalClaims": null, "addIns": [],
        "api": {
            "acceptMappedClaims": null, "knownClientApplications": [], "requestedAccessTokenVersion": null,
            "oauth2PermissionScopes": [permission_scope(name, &scope_id)], "preAuthorizedApplications": []
        },
        "appRoles": [role.clone()], "info": info.clone(), "keyCredentials": [],
        "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
        "passwordCredentials": [], "publicClient": {"redirectUris": []}, "requiredResourceAccess": [],
        "verifiedPublisher": publisher.clone(),
        "web": {"homePageUrl": HOMEPAGE, "redirectUris": [], "logoutUrl": null}
    });
    let sp = json!({
        "id": sp_id, "deletedDateTime": null, "accountEnabled": true, "appId": app_id,
        "applicationTemplateId": XTS_TEMPLATE_ID, "appDisplayName": name, "alternativeNames": [],
        "appOwnerOrganizationId": tenant, "displayName": name, "description": null, "notes": null,
        "appRoleAssignmentRequired": true, "loginUrl": null, "logoutUrl": null, "homepage": HOMEPAGE,
        "notificationEmailAddresses": [], "preferredSingleSignOnMode": null,
        "preferredTokenSigningKeyThumbprint": null, "replyUrls": [], "servicePrincipalNames": [app_id],
        "servicePrincipalType": "Application", "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
        "tokenEncryptionKeyId": null, "samlSingleSignOnSettings": null, "addIns": [],
        "appRoles": [role], "info": info, "keyCredentials": [],
        "oauth2PermissionScopes": [permission_scope(name, &scope_id)], "passwordCredentials": [],
        "verifiedPublisher": publisher
    });
    (app, sp)
}

async fn instantiate(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(template): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    if !template.eq_ignore_ascii_case(XTS_TEMPLATE_ID) {
        // Only the cross-tenant synchronization template is emulated. API-NOTES.md#xts-apps
        return Err(GraphError::resource_not_found(&template));
    }
    let body = ctx.object_body()?;
    only_params(body, &["displayName"], "instantiate")?;
    let name = match body.get("displayName") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(GraphError::request_bad_request(
                "Property 'displayName' is required and cannot be empty.",
            ))
        }
        Some(v) => {
            return Err(GraphError::bad_request(format!(
                "Cannot convert the literal '{v}' to the expected type 'Edm.String'."
            )))
        }
    };
    let (app, sp) = instantiated(&ctx.tenant, &name);
    let sp_id = sp["id"].as_str().unwrap_or_default().to_string();
    let now = st.with_store(&ctx.tenant, |s| {
        s.create(
            &app_path(app["id"].as_str().unwrap_or_default()),
            app.clone(),
        );
        s.create(&sp_path(&sp_id), sp.clone());
        s.now()
    });
    note_instantiated(&st, &ctx.tenant, &sp_id, now);
    let body = json!({
        "@odata.context": context_url(&st, "microsoft.graph.applicationServicePrincipal"),
        "application": app,
        "servicePrincipal": sp,
    });
    Ok(odata_json(StatusCode::CREATED, body))
}

// ---- queries ---------------------------------------------------------------------------------

/// One `$filter` clause: `<property> eq '<value>'`.
struct Clause {
    prop: String,
    value: String,
}

/// `$filter` of `eq` clauses joined by `and`, on the properties in `filterable`.
/// API-NOTES.md#xts-queries
fn parse_filter(f: &str, filterable: &[&str], resource: &str) -> Result<Vec<Clause>, GraphError> {
    split_and(f)
        .into_iter()
        .map(|clause| parse_clause(clause.trim(), filterable, resource))
        .collect()
}

/// Splits on ` and ` outside quoted strings (a `''` inside quotes toggles twice, so stays in).
fn split_and(f: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    let bytes = f.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted && bytes[i..].len() >= 5 && bytes[i..i + 5].eq_ignore_ascii_case(b" and ")
        {
            out.push(&f[start..i]);
            start = i + 5;
            i += 5;
            continue;
        }
        i += 1;
    }
    out.push(&f[start..]);
    out
}

fn parse_clause(clause: &str, filterable: &[&str], resource: &str) -> Result<Clause, GraphError> {
    let mut parts = clause.splitn(3, ' ');
    let (Some(prop), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(GraphError::bad_request(format!(
            "Invalid filter clause: '{clause}'."
        )));
    };
    if !filterable.contains(&prop) || !op.eq_ignore_ascii_case("eq") {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            format!("Unsupported or invalid query filter clause specified for property '{prop}' of resource '{resource}'."),
        ));
    }
    let value = value.trim();
    let inner = value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .filter(|v| !v.replace("''", "").contains('\''));
    let Some(inner) = inner else {
        return Err(GraphError::bad_request(format!(
            "Invalid filter clause: the value {value} of '{prop}' must be a quoted string."
        )));
    };
    Ok(Clause {
        prop: prop.to_string(),
        value: inner.replace("''", "'"),
    })
}

fn matches(v: &Value, clauses: &[Clause]) -> bool {
    clauses.iter().all(|c| {
        v[&c.prop]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(&c.value))
    })
}

/// `$select` names checked against the type's properties.
fn select(ctx: &GraphCtx, ty: &ObjType) -> Result<Option<Vec<String>>, GraphError> {
    match single_option(ctx, "$select")? {
        None => Ok(None),
        Some(sel) => parse_select_value(sel, ty),
    }
}

fn list(st: &Shared, ctx: &GraphCtx, prefix: &str, ty: &ObjType, resource: &str) -> GraphResult {
    ctx.only_query_options(&["$filter", "$select", "$top"])?;
    let clauses = match single_option(ctx, "$filter")? {
        Some(f) => parse_filter(
            f,
            &["id", "appId", "displayName", "applicationTemplateId"],
            resource,
        )?,
        None => Vec::new(),
    };
    let top = match single_option(ctx, "$top")? {
        None => usize::MAX,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => n,
            _ => {
                return Err(GraphError::bad_request(format!(
                    "Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."
                )))
            }
        },
    };
    let sel = select(ctx, ty)?;
    // Replication lag hides new objects from a GET of them, not from a list
    // (API-NOTES.md#replication-lag).
    let value: Vec<Value> = st.with_store(&ctx.tenant, |s| {
        s.children(prefix)
            .into_iter()
            .map(|(_, v)| v)
            .filter(|v| matches(v, &clauses))
            .take(top)
            .map(|v| Value::Object(project(&v, &sel)))
            .collect()
    });
    let fragment = prefix.trim_start_matches('/');
    Ok(odata_json(
        StatusCode::OK,
        json!({"@odata.context": context_url(st, fragment), "value": value}),
    ))
}

fn get_one(st: &Shared, ctx: &GraphCtx, prefix: &str, ty: &ObjType, raw: &str) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let id = guid_key(raw)?;
    let sel = select(ctx, ty)?;
    let path = format!("{prefix}/{id}");
    let v = st
        .with_store(&ctx.tenant, |s| s.visible(&path).cloned())
        .ok_or_else(|| GraphError::resource_not_found(&id))?;
    let fragment = format!("{}/$entity", prefix.trim_start_matches('/'));
    Ok(odata_json(
        StatusCode::OK,
        with_context(context_url(st, &fragment), project(&v, &sel)),
    ))
}

/// PATCH: validated against `ty`, `displayName` never empty, merged at the top level.
fn patch(
    st: &Shared,
    ctx: &GraphCtx,
    path: &str,
    ty: &ObjType,
) -> Result<Map<String, Value>, GraphError> {
    ctx.only_query_options(&[])?;
    let body = ctx.object_body()?.clone();
    validate_body(&body, ty, Op::Update)?;
    if body
        .get("displayName")
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim().is_empty())
    {
        return Err(GraphError::request_bad_request(
            "Property 'displayName' cannot be empty.",
        ));
    }
    st.with_store(&ctx.tenant, |s| {
        if s.visible(path).is_none() {
            return Err(GraphError::object_not_found());
        }
        let stored = s
            .get_mut(path)
            .and_then(Value::as_object_mut)
            .ok_or_else(GraphError::object_not_found)?;
        for (k, v) in &body {
            stored.insert(k.clone(), v.clone());
        }
        Ok(())
    })?;
    Ok(body)
}

// ---- applications ----------------------------------------------------------------------------

async fn list_apps(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    list(&st, &ctx, APPS_PATH, &APPLICATION, "application")
}

async fn get_app(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    get_one(&st, &ctx, APPS_PATH, &APPLICATION, &id)
}

async fn patch_app(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    let id = guid_key(&id)?;
    let body = patch(&st, &ctx, &app_path(&id), &APPLICATION)?;
    if let Some(name) = body.get("displayName") {
        // The service principal shows its application's name as `appDisplayName`; its own
        // `displayName` is separate. API-NOTES.md#xts-apps
        st.with_store(&ctx.tenant, |s| {
            let app_id = s.get(&app_path(&id)).map(|a| a["appId"].clone());
            for (path, sp) in s.children(SPS_PATH) {
                if Some(&sp["appId"]) == app_id.as_ref() {
                    if let Some(v) = s.get_mut(&path) {
                        v["appDisplayName"] = name.clone();
                    }
                }
            }
        });
    }
    Ok(no_content())
}

async fn delete_app(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let id = guid_key(&id)?;
    let d = delete_delay(&st, &ctx.tenant);
    st.with_store(&ctx.tenant, |s| {
        let Some(mut app) = s.get(&app_path(&id)).cloned() else {
            return Err(GraphError::resource_not_found(&id));
        };
        // Deleting an application deletes its service principal in this tenant (with its
        // jobs, secrets and assignments) and keeps the application 30 days in deleted items.
        for (path, sp) in s.children(SPS_PATH) {
            if sp["appId"] == app["appId"] {
                remove_later(s, &path, d);
            }
        }
        remove_later(s, &app_path(&id), d);
        app["deletedDateTime"] = json!(timestamp());
        s.replace(&deleted_path(&id), app);
        Ok(no_content())
    })
}

// ---- service principals ----------------------------------------------------------------------

async fn list_sps(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    list(&st, &ctx, SPS_PATH, &SERVICE_PRINCIPAL, "servicePrincipal")
}

async fn get_sp(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    // `$expand=appRoleAssignedTo` reads the assignments with the service principal in one
    // request (graph-query; the only navigation property emulated).
    let expand = single_option(&ctx, "$expand")?.map(str::to_string);
    let Some(expand) = expand else {
        return get_one(&st, &ctx, SPS_PATH, &SERVICE_PRINCIPAL, &id);
    };
    if expand != "appRoleAssignedTo" {
        return Err(GraphError::bad_request(format!(
            "Could not find a navigation property named '{expand}' on type 'microsoft.graph.servicePrincipal' (only appRoleAssignedTo is emulated)."
        )));
    }
    ctx.only_query_options(&["$select", "$expand"])?;
    let id = guid_key(&id)?;
    let sel = select(&ctx, &SERVICE_PRINCIPAL)?;
    let mut body = st
        .with_store(&ctx.tenant, |s| {
            let sp = s.visible(&sp_path(&id))?;
            let mut m = project(sp, &sel);
            let assigned: Vec<Value> = s
                .children(&assignments_path(&id))
                .into_iter()
                .map(|(_, v)| v)
                .collect();
            m.insert("appRoleAssignedTo".into(), Value::Array(assigned));
            Some(m)
        })
        .ok_or_else(|| GraphError::resource_not_found(&id))?;
    let url = context_url(&st, "servicePrincipals(appRoleAssignedTo())/$entity");
    body.insert("@odata.context".into(), json!(url));
    Ok(odata_json(StatusCode::OK, Value::Object(body)))
}

async fn patch_sp(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    let id = guid_key(&id)?;
    patch(&st, &ctx, &sp_path(&id), &SERVICE_PRINCIPAL)?;
    Ok(no_content())
}

async fn delete_sp(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let id = guid_key(&id)?;
    st.with_store(&ctx.tenant, |s| {
        if !s.remove(&sp_path(&id)) {
            return Err(GraphError::resource_not_found(&id));
        }
        Ok(no_content())
    })
}

// ---- deleted items ---------------------------------------------------------------------------

const DELETED_APPS: &str = "microsoft.graph.application";

async fn get_deleted(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let sel = select(&ctx, &APPLICATION)?;
    let typed = |v: &Value| {
        let mut m = Map::new();
        m.insert("@odata.type".into(), json!("#microsoft.graph.application"));
        m.extend(project(v, &sel));
        Value::Object(m)
    };
    if id == DELETED_APPS {
        let value: Vec<Value> = st.with_store(&ctx.tenant, |s| {
            s.children(DELETED_PATH)
                .iter()
                .map(|(_, v)| typed(v))
                .collect()
        });
        let url = context_url(&st, "directory/deletedItems/microsoft.graph.application");
        return Ok(odata_json(
            StatusCode::OK,
            json!({"@odata.context": url, "value": value}),
        ));
    }
    let id = guid_key(&id)?;
    let v = st
        .with_store(&ctx.tenant, |s| s.get(&deleted_path(&id)).cloned())
        .ok_or_else(|| GraphError::resource_not_found(&id))?;
    let mut body = typed(&v);
    body["@odata.context"] = json!(context_url(&st, "directory/deletedItems/$entity"));
    Ok(odata_json(StatusCode::OK, body))
}

async fn purge_deleted(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let id = guid_key(&id)?;
    st.with_store(&ctx.tenant, |s| {
        if !s.remove(&deleted_path(&id)) {
            return Err(GraphError::resource_not_found(&id));
        }
        Ok(no_content())
    })
}
