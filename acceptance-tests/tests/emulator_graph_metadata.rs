//! The emulator's Graph types, its answers and the provider's Graph property names, held to the
//! Microsoft Graph v1.0 metadata (the CSDL subset in `tests/data/graph-v1.0-subset.txt`,
//! extracted by `scripts/extract-graph-metadata.py`; API-NOTES.md#graph-metadata).
//!
//! * Every type table the emulator validates bodies against (`graph/*/types.rs`): each property
//!   is declared with that name, type (enum members included), nullability and kind
//!   (navigation or structural); every declared property of a fully modelled type is in the
//!   table.
//! * What the emulator answers (partner, default, identity synchronization, multitenant
//!   organization and its members, Conditional Access, synchronization schema): every member is
//!   declared on its type, with a value of that type.
//!
//! (The provider's own Graph names are held to the same metadata in
//! `emulator_provider_graph_names.rs`.)
//!
//! Each deliberate difference is listed below with its reason; a listed difference that no
//! longer occurs fails too, so the list cannot go stale.

mod emulator_support;

use std::collections::BTreeSet;

use coexistence_acceptance::emulator::graph::schema::{Access, ObjType, Prop, Ty};
use coexistence_acceptance::emulator::graph::{ca, xtap, xts};
use emulator_support::graph_metadata::*;
use emulator_support::*;

// ---- deliberate differences --------------------------------------------------------------

/// Differences between a table and the metadata, as `"<type>.<property>: <kind>"`, with why.
const TABLE_DIFFERENCES: &[(&str, &str)] = &[
    (
        "application.displayName: nullable false but declared nullable",
        "required by the create page (an app without a name is refused); the emulator refuses null too (assumed for PATCH)",
    ),
    (
        "servicePrincipal.displayName: nullable false but declared nullable",
        "as for the application the service principal is instantiated with",
    ),
    (
        "crossTenantAccessPolicyConfigurationPartner.identitySynchronization: missing",
        "a navigation property served by its own singleton route (and `$expand`), not written in a partner body",
    ),
    (
        "crossTenantAccessPolicyConfigurationPartner.serviceProviderConstraints: missing",
        "a navigation property the emulator does not serve (the provider never uses it)",
    ),
    (
        "conditionalAccessGuestsOrExternalUsers.externalTenants: missing",
        "abstract (two derived types told apart by @odata.type): validated by hand in ca/validate.rs",
    ),
];

/// Types the emulator models only in part: the properties a table lists are checked, the
/// missing ones are not differences.
const PARTIAL: &[(&str, &str)] = &[
    (
        "application",
        "the properties an instantiated gallery app carries and the configuration writes",
    ),
    (
        "servicePrincipal",
        "the properties an instantiated gallery app carries and the configuration writes",
    ),
    (
        "appRoleAssignment",
        "the properties of an assignment to the synchronization app",
    ),
    (
        "authenticationStrengthPolicy",
        "a policy names its authentication strength by reference (`{\"id\": ...}`), the documented write form",
    ),
];

/// The read-only properties of these partial types are listed for `$select` only: a PATCH
/// refuses them (API-NOTES.md#xts-apps), so their value type and nullability are never checked.
const SELECT_ONLY: &[&str] = &["application", "servicePrincipal", "appRoleAssignment"];

/// Members of emulator answers the metadata does not declare, as `"<type>.<member>"`, with why.
const ANSWER_DIFFERENCES: &[(&str, &str)] = &[(
    "crossTenantAccessPolicyConfigurationPartner.crossCloudMeetingConfiguration",
    "beta-only, yet a documented v1.0 answer carries it (API-NOTES.md#xtap-v1-properties)",
)];

// ---- tables against the metadata ---------------------------------------------------------

struct Compare<'a> {
    meta: &'a Meta,
    out: BTreeSet<String>,
    seen: BTreeSet<String>,
}

impl Compare<'_> {
    fn table(&mut self, obj: &ObjType, declared: &[MProp], on: &str) {
        let partial = PARTIAL.iter().any(|(t, _)| *t == on);
        for p in obj.props {
            let Some(m) = declared.iter().find(|m| m.name == p.name) else {
                self.out.insert(format!("{on}.{}: unknown", p.name));
                continue;
            };
            self.prop(p, m, on);
        }
        if partial {
            return;
        }
        for m in declared {
            if !obj.props.iter().any(|p| p.name == m.name) {
                self.out.insert(format!("{on}.{}: missing", m.name));
            }
        }
    }

    fn prop(&mut self, p: &Prop, m: &MProp, on: &str) {
        let at = format!("{on}.{}", p.name);
        if p.nav != m.nav {
            let kind = if m.nav { "navigation" } else { "structural" };
            self.out.insert(format!("{at}: declared {kind}"));
        }
        if SELECT_ONLY.contains(&on) && p.access == Access::ReadOnly {
            return;
        }
        if p.nullable == m.notnull {
            self.out.insert(format!(
                "{at}: nullable {} but declared {}",
                p.nullable,
                if m.notnull { "notnull" } else { "nullable" }
            ));
        }
        self.ty(&p.ty, &m.ty, &at);
    }

    fn ty(&mut self, ty: &Ty, declared: &str, at: &str) {
        let inner = declared
            .strip_prefix("Collection(")
            .and_then(|s| s.strip_suffix(')'));
        let ok = match (ty, inner) {
            (Ty::Coll(t), Some(inner)) => return self.ty(t, inner, at),
            (Ty::Coll(_), None) | (_, Some(_)) => false,
            (Ty::Bool, None) => declared == "Edm.Boolean",
            (Ty::Int, None) => matches!(declared, "Edm.Int32" | "Edm.Int64"),
            // Strings on the wire.
            (Ty::Str, None) => matches!(
                declared,
                "Edm.String" | "Edm.Guid" | "Edm.DateTimeOffset" | "Edm.Duration"
            ),
            (Ty::Enum(e) | Ty::Flags(e), None) => {
                let flags = matches!(ty, Ty::Flags(_));
                match self.meta.types.get(declared) {
                    Some(m) if m.kind == "enum" && e.name == declared && m.flags == flags => {
                        let want: BTreeSet<&str> = m
                            .members
                            .iter()
                            .map(String::as_str)
                            .filter(|x| !is_sentinel(x))
                            .collect();
                        let got: BTreeSet<&str> = e.members.iter().copied().collect();
                        if want != got {
                            self.out.insert(format!(
                                "{at}: members {got:?}, declared {want:?} (sentinel aside)"
                            ));
                        }
                        true
                    }
                    _ => false,
                }
            }
            (Ty::Obj(o), None) => {
                if o.name != declared || !self.meta.types.contains_key(declared) {
                    false
                } else {
                    if self.seen.insert(o.name.to_string()) {
                        let m = self.meta.ty(declared);
                        self.table(o, &m.props, declared);
                    }
                    true
                }
            }
        };
        if !ok {
            self.out
                .insert(format!("{at}: type {ty:?} but declared {declared}"));
        }
    }
}

fn check_table(meta: &Meta, obj: &'static ObjType, declared_type: &str) -> BTreeSet<String> {
    let mut c = Compare {
        meta,
        out: BTreeSet::new(),
        seen: BTreeSet::new(),
    };
    c.ty(&Ty::Obj(obj), declared_type, declared_type);
    c.out
}

#[test]
fn emulator_type_tables_match_the_metadata() {
    let meta = meta();
    let mut found = BTreeSet::new();
    for (table, declared) in [
        (
            &xtap::types::PARTNER,
            "crossTenantAccessPolicyConfigurationPartner",
        ),
        (
            &xtap::types::DEFAULT,
            "crossTenantAccessPolicyConfigurationDefault",
        ),
        (
            &xtap::types::IDENTITY_SYNC,
            "crossTenantIdentitySyncPolicyPartner",
        ),
        (&ca::types::POLICY, "conditionalAccessPolicy"),
        (&xts::types::APPLICATION, "application"),
        (&xts::types::SERVICE_PRINCIPAL, "servicePrincipal"),
        (&xts::types::APP_ROLE_ASSIGNMENT, "appRoleAssignment"),
        (&xts::types::SCHEMA, "synchronizationSchema"),
        // The element type of `synchronization.secrets` (PUT .../secrets sends a list of them).
        (
            &xts::types::SECRET_PAIR,
            "synchronizationSecretKeyStringValuePair",
        ),
    ] {
        found.extend(check_table(&meta, table, declared));
    }
    // `validateCredentials` is an action: its body is the action's parameters.
    let mut c = Compare {
        meta: &meta,
        out: BTreeSet::new(),
        seen: BTreeSet::new(),
    };
    c.table(
        &xts::types::CREDENTIALS_BODY,
        &meta.actions["validateCredentials"],
        "validateCredentials",
    );
    found.extend(c.out);

    let listed: BTreeSet<String> = TABLE_DIFFERENCES
        .iter()
        .map(|(d, _)| d.to_string())
        .collect();
    let unexpected: Vec<&String> = found.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&found).collect();
    assert!(
        unexpected.is_empty(),
        "emulator types differ from the v1.0 metadata:\n{unexpected:#?}"
    );
    assert!(
        stale.is_empty(),
        "listed differences that no longer occur (remove them):\n{stale:#?}"
    );
}

/// The check itself finds each kind of difference (a table written wrong on purpose).
#[test]
fn the_table_check_finds_every_kind_of_difference() {
    use coexistence_acceptance::emulator::graph::schema::EnumType;
    static STATE: EnumType = EnumType {
        name: "conditionalAccessPolicyState",
        members: &["enabled", "disabled"],
    };
    static SESSION: ObjType = ObjType {
        name: "conditionalAccessSessionControl",
        props: &[Prop::rw("isEnabled", Ty::Bool)],
    };
    static CONTROLS: ObjType = ObjType {
        name: "conditionalAccessSessionControls",
        props: &[Prop::rw("secureSignInSession", Ty::Obj(&SESSION))],
    };
    static WRONG: ObjType = ObjType {
        name: "conditionalAccessPolicy",
        props: &[
            Prop::rw("displayName", Ty::Str),
            Prop::rw("state", Ty::Enum(&STATE)).non_null(),
            Prop::rw("conditions", Ty::Bool).non_null(),
            Prop::rw("sessionControls", Ty::Obj(&CONTROLS)),
            Prop::rw("protectedContentSharing", Ty::Bool),
        ],
    };
    let found = check_table(&meta(), &WRONG, "conditionalAccessPolicy");
    let has = |s: &str| found.iter().any(|f| f.starts_with(s));
    assert!(
        has("conditionalAccessPolicy.displayName: nullable true"),
        "{found:#?}"
    );
    assert!(has("conditionalAccessPolicy.state: members"), "{found:#?}");
    assert!(
        has("conditionalAccessPolicy.conditions: type"),
        "{found:#?}"
    );
    assert!(
        has("conditionalAccessSessionControls.secureSignInSession: type"),
        "{found:#?}"
    );
    assert!(
        has("conditionalAccessPolicy.protectedContentSharing: unknown"),
        "{found:#?}"
    );
    assert!(
        has("conditionalAccessPolicy.grantControls: missing"),
        "{found:#?}"
    );
    assert!(
        has("conditionalAccessSessionControls.cloudAppSecurity: missing"),
        "{found:#?}"
    );
}

// ---- answers against the metadata ---------------------------------------------------------

/// Every member of `v` (an answer of type `declared`) is declared, with a value of its type.
fn check_answer(meta: &Meta, v: &Value, declared: &str, at: &str, out: &mut BTreeSet<String>) {
    if let Some(inner) = declared
        .strip_prefix("Collection(")
        .and_then(|s| s.strip_suffix(')'))
    {
        match v.as_array() {
            Some(items) => items
                .iter()
                .for_each(|i| check_answer(meta, i, inner, &format!("{at}[]"), out)),
            None => {
                out.insert(format!("{at}: {v} is not a collection"));
            }
        }
        return;
    }
    if v.is_null() {
        return; // nullability of members is checked by the caller
    }
    let ok = match declared {
        "Edm.Boolean" => v.is_boolean(),
        "Edm.Int32" | "Edm.Int64" => v.is_i64(),
        "Edm.String" | "Edm.Guid" | "Edm.DateTimeOffset" | "Edm.Duration" => v.is_string(),
        name => {
            let m = meta.ty(name);
            if m.kind == "enum" {
                let member = |s: &str| m.members.iter().any(|x| x == s.trim());
                match v.as_str() {
                    Some(s) if m.flags => s.split(',').all(member),
                    Some(s) => member(s),
                    None => false,
                }
            } else {
                match v.as_object() {
                    Some(obj) => {
                        check_object(meta, obj, name, at, out);
                        true
                    }
                    None => false,
                }
            }
        }
    };
    if !ok {
        out.insert(format!("{at}: {v} is not a {declared}"));
    }
}

fn check_object(
    meta: &Meta,
    obj: &serde_json::Map<String, Value>,
    declared: &str,
    at: &str,
    out: &mut BTreeSet<String>,
) {
    // A derived type names itself.
    let mut name = declared.to_string();
    if let Some(t) = obj.get("@odata.type").and_then(Value::as_str) {
        let t = t
            .trim_start_matches('#')
            .trim_start_matches("microsoft.graph.");
        if meta.types.contains_key(t) && meta.derives(t, declared) {
            name = t.to_string();
        } else {
            out.insert(format!(
                "{at}: @odata.type {t} does not derive from {declared}"
            ));
        }
    } else if meta.ty(declared).abstract_ {
        out.insert(format!("{at}: an abstract {declared} without @odata.type"));
    }
    let m = meta.ty(&name);
    for (k, v) in obj {
        // Control information and property annotations (`@odata.context`, `x@odata.context`).
        if k.contains('@') {
            continue;
        }
        let Some(p) = m.props.iter().find(|p| &p.name == k) else {
            out.insert(format!("{name}.{k}"));
            continue;
        };
        if v.is_null() && p.notnull {
            out.insert(format!("{at}.{k}: null, declared notnull"));
        }
        check_answer(meta, v, &p.ty, &format!("{at}.{k}"), out);
    }
}

/// The answer check itself finds each kind of difference.
#[test]
fn the_answer_check_finds_every_kind_of_difference() {
    let meta = meta();
    let mut out = BTreeSet::new();
    let answer = json!({
        "@odata.context": "ignored", "tenantId": null, "protectedContentSharing": {},
        "inboundTrust": {"isMfaAccepted": "yes"},
        "b2bCollaborationInbound": {"usersAndGroups": {"accessType": "unknownValue"}},
        "identitySynchronization@odata.context": "ignored",
    });
    let t = "crossTenantAccessPolicyConfigurationPartner";
    check_answer(&meta, &answer, t, t, &mut out);
    let want: BTreeSet<String> = [
        format!("{t}.protectedContentSharing"),
        format!("{t}.tenantId: null, declared notnull"),
        format!("{t}.inboundTrust.isMfaAccepted: \"yes\" is not a Edm.Boolean"),
        format!("{t}.b2bCollaborationInbound.usersAndGroups.accessType: \"unknownValue\" is not a crossTenantAccessPolicyTargetConfigurationAccessType"),
    ]
    .into_iter()
    .collect();
    assert_eq!(out, want);
}

#[tokio::test(flavor = "multi_thread")]
async fn emulator_answers_match_the_metadata() {
    let meta = meta();
    let env = Env::new().await;
    let token = env.token().await;
    let mut out = BTreeSet::new();
    let mut get = |v: Value, declared: &str| {
        check_answer(&meta, &v, declared, declared, &mut out);
    };

    // Cross-tenant access: a partner, its identity synchronization policy, the default.
    let (s, created) = env
        .graph(
            Method::POST,
            PARTNERS,
            &token,
            Some(json!({"tenantId": FABRIKAM, "inboundTrust": {"isMfaAccepted": true},
                "m365CollaborationInbound": {"users": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]}}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    get(created, "crossTenantAccessPolicyConfigurationPartner");
    let partner = format!("{PARTNERS}/{FABRIKAM}");
    let (s, sync) = env.put_sync_policy(&token, FABRIKAM).await;
    assert!(s.is_success(), "{sync}");
    let (_, got) = env
        .graph(
            Method::GET,
            &format!("{partner}?$expand=identitySynchronization"),
            &token,
            None,
        )
        .await;
    get(got, "crossTenantAccessPolicyConfigurationPartner");
    let (_, got) = env
        .graph(
            Method::GET,
            "/v1.0/policies/crossTenantAccessPolicy/default",
            &token,
            None,
        )
        .await;
    get(got, "crossTenantAccessPolicyConfigurationDefault");

    // The multitenant organization: inactive, then created with a member.
    let mto = "/v1.0/tenantRelationships/multiTenantOrganization";
    let (_, got) = env.graph(Method::GET, mto, &token, None).await;
    get(got, "multiTenantOrganization");
    let (s, body) = env
        .graph(
            Method::PUT,
            mto,
            &token,
            Some(json!({"displayName": "Coexistence"})),
        )
        .await;
    assert!(s.is_success(), "{body}");
    let (s, body) = env
        .graph(
            Method::POST,
            &format!("{mto}/tenants"),
            &token,
            Some(json!({"tenantId": FABRIKAM, "displayName": "Fabrikam"})),
        )
        .await;
    assert!(s.is_success(), "{body}");
    let (_, got) = env.graph(Method::GET, mto, &token, None).await;
    get(got, "multiTenantOrganization");
    let (_, list) = env
        .graph(Method::GET, &format!("{mto}/tenants"), &token, None)
        .await;
    assert!(!list["value"].as_array().unwrap().is_empty(), "{list}");
    get(
        list["value"].clone(),
        "Collection(multiTenantOrganizationMember)",
    );
    let fabrikam = env.tenant_token(FABRIKAM, GRAPH_SCOPE).await;
    let (_, join) = env
        .graph(Method::GET, &format!("{mto}/joinRequest"), &fabrikam, None)
        .await;
    get(join, "multiTenantOrganizationJoinRequestRecord");

    // Conditional Access: a policy with every kind of member the emulator keeps.
    let (s, policy) = env
        .graph(
            Method::POST,
            "/v1.0/identity/conditionalAccess/policies",
            &token,
            Some(json!({
                "displayName": "metadata", "state": "disabled",
                "conditions": {
                    "clientAppTypes": ["all"],
                    "applications": {"includeApplications": ["All"]},
                    "users": {"includeUsers": ["All"], "excludeGuestsOrExternalUsers": {
                        "guestOrExternalUserTypes": "b2bCollaborationMember,internalGuest",
                        "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                            "membershipKind": "enumerated", "members": [FABRIKAM]}}},
                    "devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}},
                    "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"},
                },
                "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
                "sessionControls": {"signInFrequency": {"isEnabled": true, "value": 4, "type": "hours",
                    "authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "timeBased"},
                    "applicationEnforcedRestrictions": {"@odata.type": "#microsoft.graph.applicationEnforcedRestrictionsSessionControl", "isEnabled": true}},
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{policy}");
    get(policy, "conditionalAccessPolicy");

    // Cross-tenant synchronization: the instantiated app, its job and the job's schema.
    let (s, made) = env
        .graph(
            Method::POST,
            emulator_support::xts::INSTANTIATE,
            &token,
            Some(json!({"displayName": "metadata"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    get(made.clone(), "applicationServicePrincipal");
    let sp = made["servicePrincipal"]["id"].as_str().unwrap();
    let job = emulator_support::xts::create_job(&env, &token, sp).await;
    let jobs = format!("/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}");
    let (_, got) = env.graph(Method::GET, &jobs, &token, None).await;
    get(got, "synchronizationJob");
    let (_, schema) = env
        .graph(Method::GET, &format!("{jobs}/schema"), &token, None)
        .await;
    assert!(schema["directories"].is_array(), "{schema}");
    get(schema, "synchronizationSchema");

    let listed: BTreeSet<String> = ANSWER_DIFFERENCES
        .iter()
        .map(|(d, _)| d.to_string())
        .collect();
    let unexpected: Vec<&String> = out.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&out).collect();
    assert!(
        unexpected.is_empty(),
        "emulator answers differ from the v1.0 metadata:\n{unexpected:#?}"
    );
    assert!(
        stale.is_empty(),
        "listed differences no longer occur:\n{stale:#?}"
    );
}
