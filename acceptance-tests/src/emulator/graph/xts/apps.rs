//! The configuration application: instantiate, `applications` and `servicePrincipals` (entity
//! sets, [`APPLICATIONS`] and [`SERVICE_PRINCIPALS`]), and the deleted applications in
//! `directory/deletedItems`. API-NOTES.md#xts-apps

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::types::{APPLICATION, APP_ROLE_ASSIGNMENT, SERVICE_PRINCIPAL};
use super::*;
use crate::emulator::graph::entity_set::{
    Dialect, EntitySet, Hooks, Key, Object, Ops, Query, Scope,
};
use crate::emulator::graph::envelope::{
    context_url, no_content, odata_json, GraphCtx, GraphResult,
};
use crate::emulator::graph::odata::{parse_select, project, single_option, Expand};
use crate::emulator::graph::schema::{validate_body, ObjType, Op};
use crate::emulator::util::{new_guid, now_utc, Stamp};

pub(super) fn routes() -> Router<Arc<Shared>> {
    APPLICATIONS
        .routes()
        .merge(SERVICE_PRINCIPALS.routes())
        .route(
            "/v1.0/applicationTemplates/{id}/instantiate",
            post(instantiate),
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

// ---- applications and service principals --------------------------------------------------

/// How the directory answers on `applications` and `servicePrincipals`: context URLs without
/// `$select`; a PATCH checks the key first and answers 404 while the object replicates
/// (assumed: API-NOTES.md#graph-entity-sets).
pub(super) static DIALECT: Dialect = Dialect {
    select_in_context: false,
    update_key_before_query: true,
    update_sees_lag: true,
    ..Dialect::DIRECTORY
};

/// `$filter` / `$select` / `$top` on lists, `$select` on a GET. API-NOTES.md#xts-queries
const QUERY: Query = Query {
    list: &["$filter", "$select", "$top"],
    item: &["$select"],
    filter: &["id", "appId", "displayName", "applicationTemplateId"],
};

/// Read, patched and deleted here; made by instantiate (no POST).
const NO_CREATE: Ops = Ops {
    create: false,
    ..Ops::ALL
};

/// `applications`: a PATCH of `displayName` shows in the service principal's
/// `appDisplayName`; a DELETE deletes its service principal and keeps the application in
/// deleted items.
pub static APPLICATIONS: EntitySet = EntitySet {
    path: APPS_PATH,
    parent: None,
    ty: &APPLICATION,
    key: Key::Server,
    ops: NO_CREATE,
    query: &QUERY,
    navs: &[],
    collections: &[],
    unemulated: &[],
    hooks: Hooks {
        validate: validate_patch,
        merge: Some(replace_members),
        written: rename_service_principals,
        dispose: delete_application,
        ..Hooks::DEFAULT
    },
    dialect: &DIALECT,
};

/// `servicePrincipals`; `$expand=appRoleAssignedTo` reads the assignments with the service
/// principal in one request (graph-query; the only navigation property emulated).
pub static SERVICE_PRINCIPALS: EntitySet = EntitySet {
    path: SPS_PATH,
    parent: None,
    ty: &SERVICE_PRINCIPAL,
    key: Key::Server,
    ops: NO_CREATE,
    query: &Query {
        item: &["$select", "$expand"],
        ..QUERY
    },
    navs: &[],
    collections: &[("appRoleAssignedTo", &APP_ROLE_ASSIGNMENT)],
    unemulated: &[],
    hooks: Hooks {
        validate: validate_patch,
        expand: Some(expand_assignments),
        merge: Some(replace_members),
        ..Hooks::DEFAULT
    },
    dialect: &DIALECT,
};

/// `$expand=appRoleAssignedTo` exactly: no nested options, no other navigation property.
fn expand_assignments(ctx: &GraphCtx) -> Result<Expand, GraphError> {
    match single_option(ctx, "$expand")? {
        None => Ok(Expand::default()),
        Some("appRoleAssignedTo") => Ok(Expand::whole(&["appRoleAssignedTo"])),
        Some(other) => Err(GraphError::bad_request(format!(
            "Could not find a navigation property named '{other}' on type 'microsoft.graph.servicePrincipal' (only appRoleAssignedTo is emulated)."
        ))),
    }
}

/// A PATCH body: validated against the type, `displayName` never empty.
fn validate_patch(body: &Object, ty: &ObjType, op: Op) -> Result<(), GraphError> {
    validate_body(body, ty, op)?;
    if body
        .get("displayName")
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim().is_empty())
    {
        return Err(GraphError::request_bad_request(
            "Property 'displayName' cannot be empty.",
        ));
    }
    Ok(())
}

/// Members sent replace the stored ones as they are (no `null` mapping to apply).
fn replace_members(stored: &mut Object, body: &Object) {
    for (k, v) in body {
        stored.insert(k.clone(), v.clone());
    }
}

/// The service principal shows its application's name as `appDisplayName`; its own
/// `displayName` is separate. API-NOTES.md#xts-apps
fn rename_service_principals(s: &mut TenantStore<'_>, _: Op, path: &str, body: &Object) {
    let Some(name) = body.get("displayName") else {
        return;
    };
    let app_id = s.get(path).map(|a| a["appId"].clone());
    for (sp_path, sp) in s.children(SPS_PATH) {
        if Some(&sp["appId"]) == app_id.as_ref() {
            if let Some(v) = s.get_mut(&sp_path) {
                v["appDisplayName"] = name.clone();
            }
        }
    }
}

/// Deleting an application deletes its service principal in this tenant (with its jobs,
/// secrets and assignments) and keeps the application 30 days in deleted items.
fn delete_application(
    scope: &Scope<'_>,
    s: &mut TenantStore<'_>,
    path: &str,
    id: &str,
) -> Result<(), GraphError> {
    let d = delete_delay(scope);
    let Some(mut app) = s.get(path).cloned() else {
        return Err(GraphError::resource_not_found(id));
    };
    for (sp_path, sp) in s.children(SPS_PATH) {
        if sp["appId"] == app["appId"] {
            remove_later(s, &sp_path, d);
        }
    }
    remove_later(s, path, d);
    app["deletedDateTime"] = json!(now_utc(Stamp::Seconds));
    s.replace(&deleted_path(id), app);
    Ok(())
}

// ---- deleted items ---------------------------------------------------------------------------

const DELETED_APPS: &str = "microsoft.graph.application";

async fn get_deleted(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let sel = parse_select(&ctx, &APPLICATION)?;
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
