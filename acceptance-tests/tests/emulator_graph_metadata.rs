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
//! * Every Graph JSON name the provider's Graph resources send or read is declared on the
//!   types that resource reads or writes. (The types of what it sends are held by the emulator:
//!   every acceptance scenario's body passes the strict tables checked here.)
//!
//! Each deliberate difference is listed below with its reason; a listed difference that no
//! longer occurs fails too, so the list cannot go stale.

mod emulator_support;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use coexistence_acceptance::emulator::graph::schema::{Access, ObjType, Prop, Ty};
use coexistence_acceptance::emulator::graph::{ca, xtap, xts};
use emulator_support::*;

// ---- the metadata subset -----------------------------------------------------------------

#[derive(Debug, Default)]
struct MType {
    kind: String,
    base: Option<String>,
    abstract_: bool,
    flags: bool,
    props: Vec<MProp>,
    members: Vec<String>,
}

#[derive(Debug)]
struct MProp {
    name: String,
    ty: String,
    notnull: bool,
    nav: bool,
}

#[derive(Debug, Default)]
struct Meta {
    types: HashMap<String, MType>,
    /// Bound actions by name: their parameters (binding parameter excluded).
    actions: HashMap<String, Vec<MProp>>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

const SUBSET: &str = include_str!("data/graph-v1.0-subset.txt");

fn meta() -> Meta {
    let mut meta = Meta::default();
    // Where the member lines go: a type or an action.
    enum Cur {
        None,
        Type(String),
        Action(String),
    }
    let mut cur = Cur::None;
    for line in SUBSET.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') {
            match words[0] {
                "entity" | "complex" | "enum" => {
                    let t = MType {
                        kind: words[0].to_string(),
                        base: words
                            .iter()
                            .find_map(|w| w.strip_prefix("base="))
                            .map(str::to_string),
                        abstract_: words.contains(&"abstract"),
                        flags: words.contains(&"flags"),
                        ..MType::default()
                    };
                    meta.types.insert(words[1].to_string(), t);
                    cur = Cur::Type(words[1].to_string());
                }
                "action" => {
                    meta.actions.insert(words[1].to_string(), Vec::new());
                    cur = Cur::Action(words[1].to_string());
                }
                other => panic!("unknown line kind {other}: {line}"),
            }
            continue;
        }
        let prop = || MProp {
            name: words[1].to_string(),
            ty: words[2].to_string(),
            notnull: words.contains(&"notnull"),
            nav: words[0] == "nav",
        };
        match (&cur, words[0]) {
            (Cur::Type(t), "prop" | "nav") => meta.types.get_mut(t).unwrap().props.push(prop()),
            (Cur::Type(t), "member") => meta
                .types
                .get_mut(t)
                .unwrap()
                .members
                .push(words[1].to_string()),
            (Cur::Action(a), "param") => meta.actions.get_mut(a).unwrap().push(prop()),
            _ => panic!("unexpected line: {line}"),
        }
    }
    meta
}

impl Meta {
    fn ty(&self, name: &str) -> &MType {
        self.types
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in the metadata subset"))
    }

    /// Whether `derived` is `base` or derives from it.
    fn derives(&self, derived: &str, base: &str) -> bool {
        let mut t = Some(derived.to_string());
        while let Some(name) = t {
            if name == base {
                return true;
            }
            t = self.types.get(&name).and_then(|m| m.base.clone());
        }
        false
    }
}

/// `unknownFutureValue` is the evolvable-enum sentinel: a client never sends it, and the
/// emulator refuses it (API-NOTES.md#graph-entity-sets), so no table lists it.
fn is_sentinel(member: &str) -> bool {
    member.eq_ignore_ascii_case("unknownFutureValue")
}

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

// ---- the provider's Graph names -----------------------------------------------------------

const PARTNER_TYPES: &[&str] = &[
    "crossTenantAccessPolicyConfigurationPartner",
    "crossTenantAccessPolicyConfigurationDefault",
];

/// The provider's Graph resources (the Exchange ones speak cmdlet parameters, not Graph), each
/// with the types it reads or writes: its names must be declared on those types or on the
/// types they reach (properties and navigation properties), or be parameters of their actions.
const GRAPH_RESOURCES: &[(&str, &[&str])] = &[
    ("ca_block_external_members", &["conditionalAccessPolicy"]),
    ("cross_tenant_access_partner", PARTNER_TYPES),
    (
        "cross_tenant_access_default",
        &["crossTenantAccessPolicyConfigurationDefault"],
    ),
    ("shared", PARTNER_TYPES),
    ("mto_membership", &["multiTenantOrganization"]),
    (
        "xts_job",
        &[
            "applicationServicePrincipal",
            "synchronization",
            "appRoleAssignment",
            // Its prerequisites read both tenants' partner settings.
            "crossTenantAccessPolicyConfigurationPartner",
        ],
    ),
];

/// The property names and action parameter names of `roots` and every type they reach.
fn names_reachable<'a>(meta: &'a Meta, roots: &[&str]) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
    let mut names = BTreeSet::new();
    while let Some(t) = queue.pop() {
        let Some((name, m)) = meta.types.get_key_value(t.as_str()) else {
            continue;
        };
        if !seen.insert(name.as_str()) {
            continue;
        }
        // Derived types are reached too (an abstract member names its concrete type).
        for (d, dm) in &meta.types {
            if dm.base.as_deref() == Some(name.as_str()) {
                queue.push(d.clone());
            }
        }
        for p in &m.props {
            names.insert(p.name.as_str());
            let target =
                p.ty.strip_prefix("Collection(")
                    .and_then(|x| x.strip_suffix(')'))
                    .unwrap_or(&p.ty);
            queue.push(target.to_string());
        }
    }
    for params in meta.actions.values() {
        for p in params {
            names.insert(p.name.as_str());
        }
    }
    names
}

/// Names in the provider's Graph code that are not properties, with why.
const PROVIDER_NON_PROPERTIES: &[(&str, &str)] = &[
    (
        "value",
        "the collection envelope of a list answer (odata-json)",
    ),
    ("error", "the error envelope (graph-errors)"),
    ("code", "the error envelope (graph-errors)"),
    ("message", "the error envelope (graph-errors)"),
    ("details", "the error envelope (graph-errors)"),
    ("innerError", "the error envelope (graph-errors)"),
];

/// The string literals used as JSON member names in `text`: `["name"]`, `"name":`,
/// `.get("name")`.
fn json_names(text: &str) -> BTreeSet<String> {
    let ident = |s: &str| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_lowercase() || c == '@')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '@' || c == '.')
    };
    let mut out = BTreeSet::new();
    for (open, close) in [("[\"", "\"]"), ("get(\"", "\")")] {
        for (i, _) in text.match_indices(open) {
            // `x["name"]` indexes; `["name"]` alone is an array literal.
            let indexed = text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ']' | ')' | '.'));
            if open.starts_with('[') && !indexed {
                continue;
            }
            let rest = &text[i + open.len()..];
            if let Some(end) = rest.find(close) {
                if ident(&rest[..end]) {
                    out.insert(rest[..end].to_string());
                }
            }
        }
    }
    for (i, _) in text.match_indices("\":") {
        if text[i + 2..].starts_with(':') {
            continue; // a path (`"a::b"`), not a member
        }
        let before = &text[..i];
        if let Some(start) = before.rfind('"') {
            let name = &before[start + 1..];
            if ident(name) {
                out.insert(name.to_string());
            }
        }
    }
    out
}

fn provider_files(resource: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    {
        let dir = repo_root().join("provider/src/resources").join(resource);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            // Tests build answers of their own; the code under test is what speaks Graph.
            if name.ends_with(".rs") && !name.contains("tests") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Every resource folder that sends Graph requests is in [`GRAPH_RESOURCES`]: a new one is
/// checked from its first commit.
#[test]
fn every_graph_resource_is_checked() {
    let dir = repo_root().join("provider/src/resources");
    let mut missing = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if !p.is_dir() {
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let speaks_graph = provider_files(&name)
            .iter()
            .any(|f| std::fs::read_to_string(f).unwrap().contains("GraphRequest"));
        if speaks_graph && !GRAPH_RESOURCES.iter().any(|(r, _)| *r == name) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "resources sending Graph requests but not in GRAPH_RESOURCES: {missing:?}"
    );
}

#[test]
fn provider_graph_names_are_declared() {
    let meta = meta();
    let mut unknown = Vec::new();
    let mut seen = 0;
    for (resource, roots) in GRAPH_RESOURCES {
        let declared = names_reachable(&meta, roots);
        let files = provider_files(resource);
        assert!(!files.is_empty(), "{resource}");
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            // A file's own test module builds answers of its own.
            let text = text.split("#[cfg(test)]\nmod ").next().unwrap();
            // A type the provider names (`@odata.type`) is a declared type of its subset.
            for (i, _) in text.match_indices("#microsoft.graph.") {
                let rest = &text[i + "#microsoft.graph.".len()..];
                let ty: String = rest
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                seen += 1;
                if !meta.types.contains_key(&ty) {
                    unknown.push(format!("{}: type {ty}", f.display()));
                }
            }
            for name in json_names(text) {
                seen += 1;
                if name.starts_with('@') || declared.contains(name.as_str()) {
                    continue;
                }
                if PROVIDER_NON_PROPERTIES.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                unknown.push(format!(
                    "{}: {name}",
                    f.strip_prefix(repo_root()).unwrap().display()
                ));
            }
        }
    }
    assert!(seen > 50, "the scan found only {seen} names");
    assert!(
        unknown.is_empty(),
        "Graph names in the provider that no v1.0 type it reads or writes declares:\n{unknown:#?}"
    );
    // The scope is each resource's own types: a partner name is not a policy's.
    let ca = names_reachable(&meta, &["conditionalAccessPolicy"]);
    assert!(ca.contains("guestOrExternalUserTypes") && !ca.contains("b2bCollaborationInbound"));
}

#[test]
fn the_name_scan_sees_each_form() {
    let names = json_names(
        r#"p["conditions"]["users"]; ["all"]; json!({"grantControls": {"builtInControls": x}}); m.get("tenantId"); "a::b"; format!("{x}: y")"#,
    );
    let want: BTreeSet<String> = [
        "conditions",
        "users",
        "grantControls",
        "builtInControls",
        "tenantId",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(names, want);
}
