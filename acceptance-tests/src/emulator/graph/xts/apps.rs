//! The configuration application: instantiate, `applications`, `servicePrincipals`, and the
//! deleted applications in `directory/deletedItems`. API-NOTES.md#xts-apps

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::query::{get_one, list, patch, select};
use super::types::{APPLICATION, SERVICE_PRINCIPAL};
use super::*;
use crate::emulator::graph::envelope::{
    context_url, no_content, odata_json, GraphCtx, GraphResult,
};
use crate::emulator::graph::odata::{project, single_option};
use crate::emulator::util::{new_guid, now_utc, Stamp};

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
/// `applicationtemplate-instantiate`: API-NOTES.md#xts-apps).
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
        "createdDateTime": now_utc(Stamp::Seconds), "deletedDateTime": null, "displayName": name,
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
        app["deletedDateTime"] = json!(now_utc(Stamp::Seconds));
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
