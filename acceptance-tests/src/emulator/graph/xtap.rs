//! Cross-tenant access settings (XTAP): partner configurations, the partner identity
//! synchronization policy, and the default configuration.
//! Facts: `shared/api/cross-tenant-access-partner.md` and `shared/api/examples/xtap/`.
//!
//! Store paths (per tenant):
//! * `/policies/crossTenantAccessPolicy/partners/<lowercase tenant guid>`
//! * `/policies/crossTenantAccessPolicy/partners/<guid>/identitySynchronization`
//! * `/policies/crossTenantAccessPolicy/default` — only while customised; otherwise the
//!   service default is served without being stored (so `objects()` stays empty).
//!
//! Assumptions (UNCONFIRMED in the facts file):
//! * PATCH semantics: a provided complex property REPLACES the stored one wholesale (OData
//!   4.0 default); explicit `null` resets a setting to "inherit from default"; properties not
//!   sent keep their value. `automaticUserConsentSettings` is never null itself: null (or a
//!   partial object) is stored with the missing members as null.
//! * POST duplicate partner → 409 (status not documented, code/message are).
//! * DELETE partner while it has an identity synchronization policy → 400
//!   `Request_BadRequest` (status/code not documented; only the ordering rule is).
//! * PATCH of a missing object → 404 `Directory_ObjectNotFound` (documented code/message,
//!   status inferred); GET/DELETE of a missing object → 404 `Request_ResourceNotFound`.
//! * A non-GUID partner key in the URL → 400 `Request_BadRequest`.
//! * `isInMultiTenantOrganization`, `crossCloudMeetingConfiguration`, `protectedContentSharing`
//!   are rejected in request bodies (set by other services / response-only here).
//! * A partner for the signed-in tenant itself is rejected with 400.
//! * PATCH default with `null` for a setting resets that setting to its service-default value.
//! * The service default also carries `automaticUserConsentSettings` (both false),
//!   `tenantRestrictions` (all blocked, per the overview) and
//!   `invitationRedemptionIdentityProviderConfiguration`, which the documented example omits.
//! * Partner creation does not check that the partner tenant exists.
//! * Replication lag hides a just-created object from GET of that object (and PUT/PATCH of its
//!   children) but not from the partner list.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::odata::{self, parse_select, project, Expand};
use super::schema::{validate_body, EnumType, ObjType, Op, Prop, Ty};
use super::{context_url, no_content, odata_json, GraphCtx, GraphError, GraphResult};
use crate::emulator::state::Shared;
use crate::emulator::util::is_guid;

// ---- types (v1.0 CSDL) ------------------------------------------------------------------

static ACCESS_TYPE: EnumType = EnumType {
    name: "crossTenantAccessPolicyTargetConfigurationAccessType",
    members: &["allowed", "blocked"],
};
static TARGET_TYPE: EnumType = EnumType {
    name: "crossTenantAccessPolicyTargetType",
    members: &["user", "group", "application"],
};
static IDP_TYPE: EnumType = EnumType {
    name: "b2bIdentityProvidersType",
    members: &[
        "azureActiveDirectory",
        "externalFederation",
        "socialIdentityProviders",
        "emailOneTimePasscode",
        "microsoftAccount",
        "defaultConfiguredIdp",
    ],
};
static IDP_TY: Ty = Ty::Enum(&IDP_TYPE);

static TARGET: ObjType = ObjType {
    name: "crossTenantAccessPolicyTarget",
    props: &[
        Prop::rw("target", Ty::Str),
        Prop::rw("targetType", Ty::Enum(&TARGET_TYPE)),
    ],
};
static TARGET_TY: Ty = Ty::Obj(&TARGET);
static TARGET_CONFIG: ObjType = ObjType {
    name: "crossTenantAccessPolicyTargetConfiguration",
    props: &[
        Prop::rw("accessType", Ty::Enum(&ACCESS_TYPE)),
        Prop::rw("targets", Ty::Coll(&TARGET_TY)),
    ],
};
static B2B_SETTING: ObjType = ObjType {
    name: "crossTenantAccessPolicyB2BSetting",
    props: &[
        Prop::rw("usersAndGroups", Ty::Obj(&TARGET_CONFIG)),
        Prop::rw("applications", Ty::Obj(&TARGET_CONFIG)),
    ],
};
static DEVICES_FILTER: ObjType = ObjType {
    name: "devicesFilter",
    props: &[
        Prop::rw("mode", Ty::Enum(&ACCESS_TYPE)),
        Prop::rw("rule", Ty::Str),
    ],
};
static TENANT_RESTRICTIONS: ObjType = ObjType {
    name: "crossTenantAccessPolicyTenantRestrictions",
    props: &[
        Prop::rw("usersAndGroups", Ty::Obj(&TARGET_CONFIG)),
        Prop::rw("applications", Ty::Obj(&TARGET_CONFIG)),
        Prop::rw("devices", Ty::Obj(&DEVICES_FILTER)),
    ],
};
static INBOUND_TRUST: ObjType = ObjType {
    name: "crossTenantAccessPolicyInboundTrust",
    props: &[
        Prop::rw("isMfaAccepted", Ty::Bool),
        Prop::rw("isCompliantDeviceAccepted", Ty::Bool),
        Prop::rw("isHybridAzureADJoinedDeviceAccepted", Ty::Bool),
    ],
};
static IN_OUT: ObjType = ObjType {
    name: "inboundOutboundPolicyConfiguration",
    props: &[
        Prop::rw("inboundAllowed", Ty::Bool),
        Prop::rw("outboundAllowed", Ty::Bool),
    ],
};
static USER_SYNC_INBOUND: ObjType = ObjType {
    name: "crossTenantUserSyncInbound",
    props: &[Prop::rw("isSyncAllowed", Ty::Bool)],
};
static IDP_CONFIG: ObjType = ObjType {
    name: "defaultInvitationRedemptionIdentityProviderConfiguration",
    props: &[
        Prop::rw("primaryIdentityProviderPrecedenceOrder", Ty::Coll(&IDP_TY)),
        Prop::rw("fallbackIdentityProvider", Ty::Enum(&IDP_TYPE)),
    ],
};

/// `crossTenantAccessPolicyConfigurationPartner`.
pub static PARTNER: ObjType = ObjType {
    name: "crossTenantAccessPolicyConfigurationPartner",
    props: &[
        Prop::rw("tenantId", Ty::Str).non_null().create_only(),
        Prop::rw("inboundTrust", Ty::Obj(&INBOUND_TRUST)),
        Prop::rw("b2bCollaborationInbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bCollaborationOutbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bDirectConnectInbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bDirectConnectOutbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("automaticUserConsentSettings", Ty::Obj(&IN_OUT)),
        Prop::rw("tenantRestrictions", Ty::Obj(&TENANT_RESTRICTIONS)),
        Prop::rw("isServiceProvider", Ty::Bool),
        Prop::ro("isInMultiTenantOrganization", Ty::Bool),
        Prop::ro("crossCloudMeetingConfiguration", Ty::Obj(&IN_OUT)),
        Prop::ro("protectedContentSharing", Ty::Obj(&IN_OUT)),
    ],
};

/// `crossTenantIdentitySyncPolicyPartner`.
pub static IDENTITY_SYNC: ObjType = ObjType {
    name: "crossTenantIdentitySyncPolicyPartner",
    props: &[
        Prop::ro("tenantId", Ty::Str),
        Prop::rw("displayName", Ty::Str),
        Prop::rw("userSyncInbound", Ty::Obj(&USER_SYNC_INBOUND)),
    ],
};

/// `crossTenantAccessPolicyConfigurationDefault`.
pub static DEFAULT: ObjType = ObjType {
    name: "crossTenantAccessPolicyConfigurationDefault",
    props: &[
        Prop::ro("id", Ty::Str),
        Prop::ro("isServiceDefault", Ty::Bool),
        Prop::rw("inboundTrust", Ty::Obj(&INBOUND_TRUST)),
        Prop::rw("b2bCollaborationInbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bCollaborationOutbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bDirectConnectInbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("b2bDirectConnectOutbound", Ty::Obj(&B2B_SETTING)),
        Prop::rw("automaticUserConsentSettings", Ty::Obj(&IN_OUT)),
        Prop::rw("tenantRestrictions", Ty::Obj(&TENANT_RESTRICTIONS)),
        Prop::rw(
            "invitationRedemptionIdentityProviderConfiguration",
            Ty::Obj(&IDP_CONFIG),
        ),
    ],
};

// ---- paths ------------------------------------------------------------------------------

pub const PARTNERS_PATH: &str = "/policies/crossTenantAccessPolicy/partners";
pub const DEFAULT_PATH: &str = "/policies/crossTenantAccessPolicy/default";

pub fn partner_path(id: &str) -> String {
    format!("{PARTNERS_PATH}/{id}")
}

pub fn sync_path(id: &str) -> String {
    format!("{PARTNERS_PATH}/{id}/identitySynchronization")
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/partners",
            get(list_partners).post(create_partner),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/partners/{id}",
            get(get_partner)
                .patch(update_partner)
                .delete(delete_partner),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization",
            get(get_sync)
                .put(put_sync)
                .patch(update_sync)
                .delete(delete_sync),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/default",
            get(get_default).patch(update_default),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/default/resetToSystemDefault",
            post(reset_default),
        )
}

/// Objects that exist without being stored: the service-default policy.
pub fn virtual_object(path: &str) -> Option<Value> {
    (path == DEFAULT_PATH).then(service_default)
}

// ---- values -----------------------------------------------------------------------------

fn in_out_null() -> Value {
    json!({"inboundAllowed": null, "outboundAllowed": null})
}

fn b2b_all(access: &str) -> Value {
    json!({
        "usersAndGroups": {"accessType": access, "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": access, "targets": [{"target": "AllApplications", "targetType": "application"}]},
    })
}

/// The service default (examples/xtap/default-get.response.json, plus the settings the
/// example omits — see the module docs).
pub fn service_default() -> Value {
    json!({
        "isServiceDefault": true,
        "inboundTrust": {
            "isMfaAccepted": false,
            "isCompliantDeviceAccepted": false,
            "isHybridAzureADJoinedDeviceAccepted": false
        },
        "b2bCollaborationOutbound": b2b_all("allowed"),
        "b2bCollaborationInbound": b2b_all("allowed"),
        "b2bDirectConnectOutbound": b2b_all("blocked"),
        "b2bDirectConnectInbound": b2b_all("blocked"),
        "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false},
        "tenantRestrictions": b2b_all("blocked"),
        "invitationRedemptionIdentityProviderConfiguration": {
            "primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"],
            "fallbackIdentityProvider": "defaultConfiguredIdp"
        }
    })
}

fn new_partner(tenant_id: &str) -> Map<String, Value> {
    let v = json!({
        "tenantId": tenant_id,
        "isServiceProvider": null,
        "isInMultiTenantOrganization": false,
        "inboundTrust": null,
        "b2bCollaborationInbound": null,
        "b2bCollaborationOutbound": null,
        "b2bDirectConnectInbound": null,
        "b2bDirectConnectOutbound": null,
        "tenantRestrictions": null,
        "automaticUserConsentSettings": in_out_null(),
        "crossCloudMeetingConfiguration": in_out_null(),
        "protectedContentSharing": in_out_null(),
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// Removes `@odata.type` annotations (validated already; not stored).
fn strip_annotations(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('@'))
                .map(|(k, v)| (k.clone(), strip_annotations(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_annotations).collect()),
        other => other.clone(),
    }
}

/// `inboundOutboundPolicyConfiguration` is always an object with both members.
fn normalize_in_out(v: &Value) -> Value {
    let mut out = in_out_null();
    if let Some(m) = v.as_object() {
        for k in ["inboundAllowed", "outboundAllowed"] {
            if let Some(x) = m.get(k) {
                out[k] = x.clone();
            }
        }
    }
    out
}

/// Top-level merge of a validated body into a stored object. Complex values replace the
/// stored value wholesale (assumption: OData default); `null` is mapped by `on_null`.
fn apply(
    stored: &mut Map<String, Value>,
    body: &Map<String, Value>,
    skip: &[&str],
    on_null: impl Fn(&str) -> Value,
) {
    for (k, v) in body {
        if k.starts_with('@') || skip.contains(&k.as_str()) {
            continue;
        }
        let mut value = if v.is_null() {
            on_null(k)
        } else {
            strip_annotations(v)
        };
        if k == "automaticUserConsentSettings" {
            value = normalize_in_out(&value);
        }
        stored.insert(k.clone(), value);
    }
}

/// The partner key from the URL: a GUID, matched case-insensitively, stored lowercase.
fn partner_key(raw: &str) -> Result<String, GraphError> {
    if is_guid(raw) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(GraphError::request_bad_request(format!(
            "Invalid object identifier '{raw}'."
        )))
    }
}

/// `$expand` of a partner: `identitySynchronization` is the one navigation property emulated.
fn parse_expand(ctx: &GraphCtx) -> Result<Expand, GraphError> {
    odata::parse_expand(
        ctx,
        &PARTNER,
        &[("identitySynchronization", &IDENTITY_SYNC)],
        UNEMULATED_NAV,
    )
}

/// Navigation properties of `crossTenantAccessPolicyConfigurationPartner` (v1.0 CSDL) that the
/// emulator does not serve: expanding them is refused rather than answered wrongly.
const UNEMULATED_NAV: &[&str] = &["serviceProviderConstraints"];

fn with_context(ctx_url: String, body: Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("@odata.context".into(), Value::String(ctx_url));
    out.extend(body);
    Value::Object(out)
}

// ---- partners ---------------------------------------------------------------------------

async fn list_partners(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&["$select", "$expand"])?;
    let select = parse_select(&ctx, &PARTNER)?;
    let expand = parse_expand(&ctx)?;
    let value: Vec<Value> = st.with_store(&ctx.tenant, |s| {
        s.children(PARTNERS_PATH)
            .into_iter()
            .map(|(path, v)| {
                let mut m = project(&v, &select);
                if let Some(sel) = expand.get("identitySynchronization") {
                    let sync = s.get(&format!("{path}/identitySynchronization"));
                    m.insert("identitySynchronization".into(), odata::expanded(sync, sel));
                }
                Value::Object(m)
            })
            .collect()
    });
    let fragment = format!(
        "policies/crossTenantAccessPolicy/partners{}",
        odata::context_select(&select, &expand)
    );
    Ok(odata_json(
        StatusCode::OK,
        json!({
            "@odata.context": context_url(&st, &fragment),
            "value": value,
        }),
    ))
}

async fn create_partner(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let body = ctx.object_body()?;
    validate_body(body, &PARTNER, Op::Create)?;
    let tenant_id = match body.get("tenantId") {
        None => {
            return Err(GraphError::request_bad_request(
                "Required property 'tenantId' is missing from the request body.",
            ))
        }
        Some(Value::String(t)) if is_guid(t) => t.to_ascii_lowercase(),
        Some(_) => {
            return Err(GraphError::request_bad_request(
                "Invalid value specified for property 'tenantId' of resource 'CrossTenantAccessPolicyConfigurationPartner'.",
            ))
        }
    };
    if tenant_id == ctx.tenant {
        return Err(GraphError::request_bad_request(
            "A partner configuration cannot be created for the tenant itself.",
        ));
    }
    let path = partner_path(&tenant_id);
    let created = st.with_store(&ctx.tenant, |s| {
        if s.get(&path).is_some() {
            return Err(GraphError::new(
                StatusCode::CONFLICT,
                "Request_MultipleObjectsWithSameKeyValue",
                "Another object with the same value for property tenantId already exists.",
            ));
        }
        let mut obj = new_partner(&tenant_id);
        apply(&mut obj, body, &["tenantId"], |k| {
            if k == "automaticUserConsentSettings" {
                in_out_null()
            } else {
                Value::Null
            }
        });
        s.create(&path, Value::Object(obj.clone()));
        Ok(obj)
    })?;
    let mut resp = odata_json(
        StatusCode::CREATED,
        with_context(
            context_url(&st, "policies/crossTenantAccessPolicy/partners/$entity"),
            created,
        ),
    );
    if let Ok(v) = format!("{}/v1.0{path}", st.base_url).parse() {
        resp.headers_mut().insert("location", v);
    }
    Ok(resp)
}

async fn get_partner(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&["$select", "$expand"])?;
    let key = partner_key(&id)?;
    let select = parse_select(&ctx, &PARTNER)?;
    let expand = parse_expand(&ctx)?;
    let body = st.with_store(&ctx.tenant, |s| {
        let v = s
            .visible(&partner_path(&key))
            .ok_or_else(|| GraphError::resource_not_found(&key))?;
        let mut m = project(v, &select);
        if let Some(sel) = expand.get("identitySynchronization") {
            // Assumption: the replica answering sees the policy as a GET of the policy would
            // (replication lag applies to it), unlike the partner list.
            let sync = s.visible(&sync_path(&key));
            m.insert("identitySynchronization".into(), odata::expanded(sync, sel));
        }
        Ok::<_, GraphError>(m)
    })?;
    let fragment = format!(
        "policies/crossTenantAccessPolicy/partners{}/$entity",
        odata::context_select(&select, &expand)
    );
    Ok(odata_json(
        StatusCode::OK,
        with_context(context_url(&st, &fragment), body),
    ))
}

async fn update_partner(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let key = partner_key(&id)?;
    let body = ctx.object_body()?;
    validate_body(body, &PARTNER, Op::Update)?;
    st.with_store(&ctx.tenant, |s| {
        let stored = s
            .get_mut(&partner_path(&key))
            .and_then(Value::as_object_mut)
            .ok_or_else(GraphError::object_not_found)?;
        apply(stored, body, &[], |k| {
            if k == "automaticUserConsentSettings" {
                in_out_null()
            } else {
                Value::Null
            }
        });
        Ok(no_content())
    })
}

async fn delete_partner(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let key = partner_key(&id)?;
    st.with_store(&ctx.tenant, |s| {
        let path = partner_path(&key);
        if s.get(&path).is_none() {
            return Err(GraphError::resource_not_found(&key));
        }
        if s.get(&sync_path(&key)).is_some() {
            // Documented ordering rule; status/code are an assumption (UNCONFIRMED).
            return Err(GraphError::request_bad_request(
                "The partner configuration has a user synchronization policy (identitySynchronization). You must first delete the identity synchronization policy before you can delete the partner-specific configuration.",
            ));
        }
        s.remove(&path);
        Ok(no_content())
    })
}

// ---- identitySynchronization ------------------------------------------------------------

async fn put_sync(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let key = partner_key(&id)?;
    let mut body = ctx.object_body()?.clone();
    // tenantId comes from the URL; tolerated in the body only when it is the same tenant.
    if let Some(t) = body.remove("tenantId") {
        if !t.as_str().is_some_and(|t| t.eq_ignore_ascii_case(&key)) {
            return Err(GraphError::request_bad_request(
                "Property 'tenantId' is read-only and must match the tenant id in the request URL.",
            ));
        }
    }
    validate_body(&body, &IDENTITY_SYNC, Op::Create)?;
    st.with_store(&ctx.tenant, |s| {
        if s.visible(&partner_path(&key)).is_none() {
            return Err(GraphError::object_not_found());
        }
        let path = sync_path(&key);
        if s.get(&path).is_some() {
            let msg = "A conflicting object with one or more of the specified property values is present in the directory.";
            return Err(GraphError::new(
                StatusCode::CONFLICT,
                "Request_MultipleObjectsWithSameKeyValue",
                msg,
            )
            .with_details(json!([{"code": "ConflictingObjects", "message": msg}])));
        }
        let mut obj = Map::new();
        obj.insert("tenantId".into(), Value::String(key.clone()));
        obj.insert("displayName".into(), Value::Null);
        obj.insert("userSyncInbound".into(), Value::Null);
        apply(&mut obj, &body, &[], |_| Value::Null);
        s.create(&path, Value::Object(obj));
        Ok(no_content())
    })
}

async fn get_sync(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let key = partner_key(&id)?;
    let select = parse_select(&ctx, &IDENTITY_SYNC)?;
    let body = st.with_store(&ctx.tenant, |s| {
        if s.visible(&partner_path(&key)).is_none() {
            return Err(GraphError::resource_not_found(&key));
        }
        s.visible(&sync_path(&key))
            .map(|v| project(v, &select))
            .ok_or_else(|| GraphError::resource_not_found(&key))
    })?;
    Ok(odata_json(
        StatusCode::OK,
        with_context(
            context_url(
                &st,
                &format!(
                    "policies/crossTenantAccessPolicy/partners('{key}')/identitySynchronization/$entity"
                ),
            ),
            body,
        ),
    ))
}

async fn update_sync(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let key = partner_key(&id)?;
    let body = ctx.object_body()?;
    validate_body(body, &IDENTITY_SYNC, Op::Update)?;
    st.with_store(&ctx.tenant, |s| {
        if s.visible(&partner_path(&key)).is_none() {
            return Err(GraphError::object_not_found());
        }
        let stored = s
            .get_mut(&sync_path(&key))
            .and_then(Value::as_object_mut)
            .ok_or_else(GraphError::object_not_found)?;
        apply(stored, body, &[], |_| Value::Null);
        Ok(no_content())
    })
}

async fn delete_sync(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
    Path(id): Path<String>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let key = partner_key(&id)?;
    st.with_store(&ctx.tenant, |s| {
        if !s.remove(&sync_path(&key)) {
            return Err(GraphError::resource_not_found(&key));
        }
        Ok(no_content())
    })
}

// ---- default ----------------------------------------------------------------------------

async fn get_default(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&["$select"])?;
    let select = parse_select(&ctx, &DEFAULT)?;
    let current = st
        .with_store(&ctx.tenant, |s| s.get(DEFAULT_PATH).cloned())
        .unwrap_or_else(service_default);
    Ok(odata_json(
        StatusCode::OK,
        with_context(
            context_url(&st, "policies/crossTenantAccessPolicy/default/$entity"),
            project(&current, &select),
        ),
    ))
}

async fn update_default(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    let body = ctx.object_body()?;
    validate_body(body, &DEFAULT, Op::Update)?;
    if body.keys().all(|k| k.starts_with('@')) {
        return Ok(no_content());
    }
    st.with_store(&ctx.tenant, |s| {
        let mut current = match s.get(DEFAULT_PATH).cloned().unwrap_or_else(service_default) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let defaults = service_default();
        apply(&mut current, body, &[], |k| {
            defaults.get(k).cloned().unwrap_or(Value::Null)
        });
        current.insert("isServiceDefault".into(), Value::Bool(false));
        s.replace(DEFAULT_PATH, Value::Object(current));
    });
    Ok(no_content())
}

async fn reset_default(
    State(st): State<Arc<Shared>>,
    Extension(ctx): Extension<GraphCtx>,
) -> GraphResult {
    ctx.only_query_options(&[])?;
    // An action without parameters: no body, or an empty JSON object.
    if let Some(body) = &ctx.body {
        match body.as_object() {
            Some(m) if m.is_empty() => {}
            Some(m) => {
                let k = m.keys().next().cloned().unwrap_or_default();
                return Err(GraphError::request_bad_request(format!(
                    "Invalid property '{k}'."
                )));
            }
            None => return Err(GraphError::bad_request("The action takes no parameters.")),
        }
    }
    st.with_store(&ctx.tenant, |s| s.remove(DEFAULT_PATH));
    Ok(no_content())
}
