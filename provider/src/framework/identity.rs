//! Resource identity (Terraform 1.12+): the data, stored beside a resource's state, that names
//! its remote object, and from which `import` blocks with `identity = { ... }` import it.
//!
//! Every resource has the same identity shape, built from what it already has: its import ID
//! ([`Resource::import_id_of`], in the form [`Resource::import`] takes) and the tenant the
//! provider signs in to. The tenant is part of it because Terraform wants an identity to name
//! at most one object across every instance of the provider, and several import IDs only mean
//! something within a tenant (`default`, a partner's GUID, a connector's name). So:
//!
//! - `tenant_id`: the provider's tenant; optional for import, and refused when it names another;
//! - `import_id`: the import ID; required for import.
//!
//! An identity is fixed once the object has one (created, imported, or first refreshed by a
//! Terraform that asks): Terraform refuses an identity that changes across reads. So a type
//! whose import ID can change in place names its object in the identity by what cannot
//! ([`Resource::identity_import_id_of`]): an Exchange organization relationship or connector
//! by its Guid, which its import also takes, so a rename keeps an identity that still names it.
//!
//! Plain values only: the server turns these into protocol messages.

use super::diag::{Diagnostic, Diagnostics};
use super::resource::{ImportCtx, Resource};
use super::value::{Type, Value};
use std::collections::BTreeMap;

/// The identity schema version. Version 0 is the only one: upgrading it is re-encoding it.
pub const VERSION: i64 = 0;

/// The identity attribute naming the provider's tenant.
pub const TENANT_ID: &str = "tenant_id";
/// The identity attribute holding the import ID.
pub const IMPORT_ID: &str = "import_id";

/// One attribute of an identity schema (all are strings, set by the provider).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityAttribute {
    pub name: &'static str,
    pub required_for_import: bool,
    pub optional_for_import: bool,
    pub description: String,
}

/// A resource type's identity schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// The identity's value type: an object of strings.
    pub fn ty(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.to_string(), Type::String))
                .collect::<BTreeMap<_, _>>(),
        )
    }
}

/// The identity schema of `res`: its tenant and its import ID, described with the ID's format.
pub fn schema(res: &dyn Resource) -> IdentitySchema {
    let (format, example) = res.import_id_format();
    let format = if format.contains('`') {
        format.to_string()
    } else {
        format!("`{format}`")
    };
    IdentitySchema {
        version: VERSION,
        attributes: vec![
            IdentityAttribute {
                name: TENANT_ID,
                required_for_import: false,
                optional_for_import: true,
                description: "The tenant the provider signs in to (its `tenant_id`), which holds the object. Optional for import; when given, it must be the importing provider's tenant.".into(),
            },
            IdentityAttribute {
                name: IMPORT_ID,
                required_for_import: true,
                optional_for_import: false,
                description: format!(
                    "The object's import ID, {format} (for example `{example}`): the ID `terraform import` takes."
                ),
            },
        ],
    }
}

/// The identity of the object `state` stands for, as the provider of `ctx`'s tenant sees it
/// (`None` while the state names no object yet).
pub fn of_state(
    res: &dyn Resource,
    ctx: &ImportCtx,
    state: &Value,
) -> Result<Option<Value>, Diagnostics> {
    if state.is_null() {
        return Ok(None);
    }
    let Some(id) = res.identity_import_id_of(state)? else {
        return Ok(None);
    };
    Ok(Some(Value::object([
        (
            TENANT_ID,
            ctx.tenant_id.clone().map_or(Value::Null, Value::String),
        ),
        (IMPORT_ID, Value::String(id)),
    ])))
}

/// The import ID an identity names, once its tenant (when it names one) is known to be the
/// provider's: an identity never imports another tenant's object, as an import ID never does.
pub fn import_id(
    res: &dyn Resource,
    ctx: &ImportCtx,
    identity: &Value,
) -> Result<String, Diagnostics> {
    let type_name = res.type_name();
    let Some(id) = identity
        .get(IMPORT_ID)
        .as_str()
        .filter(|s| !s.trim().is_empty())
    else {
        let (format, example) = res.import_id_format();
        return Err(Diagnostic::error(
            "Identity has no import_id",
            format!("Importing a {type_name} by identity needs `import_id`, its import ID ({format}, for example {example})."),
        )
        .at(super::AttrPath::root().attr(IMPORT_ID))
        .into());
    };
    if let Some(named) = identity.get(TENANT_ID).as_str() {
        let Some(me) = ctx.tenant_id.as_deref() else {
            return Err(Diagnostic::error(
                "Provider tenant_id not configured",
                format!("The identity of {type_name} names tenant {named}, which must be checked against the provider's own tenant, but the provider block sets no tenant_id. Set tenant_id (or ARM_TENANT_ID) in the provider block the import uses, or leave tenant_id out of the identity."),
            )
            .into());
        };
        if !named.eq_ignore_ascii_case(me) {
            return Err(Diagnostic::error(
                "Identity names another tenant",
                format!("The identity of {type_name} names tenant {named}, but this provider signs in to tenant {me}. Import it through the provider whose tenant_id is {named}, or name tenant {me}."),
            )
            .at(super::AttrPath::root().attr(TENANT_ID))
            .into());
        }
    }
    Ok(id.to_string())
}

/// A stored identity brought to the current schema version: version 0 passes through (as the
/// value of the current type, which refuses a stored identity of another shape).
pub fn upgrade(
    res: &dyn Resource,
    version: i64,
    stored: &serde_json::Value,
) -> Result<Value, Diagnostics> {
    if version > VERSION {
        return Err(Diagnostic::error(
            "Identity written by a newer provider",
            format!("The identity of this {} has schema version {version}, newer than this provider's {VERSION}. Upgrade the provider.", res.type_name()),
        )
        .into());
    }
    super::value::json::decode(stored, &schema(res).ty()).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Stored identity does not match the identity schema",
            e,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::cross_tenant_access_partner::CrossTenantAccessPartner;
    use crate::resources::mto_membership::MtoMembership;

    const ME: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const OTHER: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";

    fn ctx() -> ImportCtx {
        ImportCtx::new(Some(ME))
    }

    fn identity(tenant: Option<&str>, id: &str) -> Value {
        Value::object([
            (TENANT_ID, tenant.map_or(Value::Null, Value::string)),
            (IMPORT_ID, Value::string(id)),
        ])
    }

    #[test]
    fn every_resource_has_an_identity_schema_describing_its_import_id() {
        for res in crate::resources::all() {
            let s = schema(res.as_ref());
            assert_eq!(s.version, 0);
            let names: Vec<_> = s.attributes.iter().map(|a| a.name).collect();
            assert_eq!(names, [TENANT_ID, IMPORT_ID], "{}", res.type_name());
            let id = &s.attributes[1];
            assert!(id.required_for_import && !id.optional_for_import);
            assert!(s.attributes[0].optional_for_import);
            let (_, example) = res.import_id_format();
            assert!(id.description.contains(example), "{}", id.description);
            assert!(s.attributes.iter().all(|a| !a.description.is_empty()));
        }
    }

    #[test]
    fn the_identity_of_a_state_holds_its_import_id_and_imports_it_back() {
        let res = CrossTenantAccessPartner;
        let state = crate::framework::lifecycle::import(&res, &ctx(), OTHER).unwrap();
        let id = of_state(&res, &ctx(), &state).unwrap().unwrap();
        assert_eq!(id, identity(Some(ME), OTHER));
        assert_eq!(import_id(&res, &ctx(), &id).unwrap(), OTHER);
        // Leaving the tenant out is allowed; the tenant is not the provider's own without it.
        assert_eq!(
            import_id(&res, &ctx(), &identity(None, OTHER)).unwrap(),
            OTHER
        );
        assert_eq!(of_state(&res, &ctx(), &Value::Null).unwrap(), None);
    }

    #[test]
    fn an_identity_naming_another_tenant_is_refused() {
        let res = MtoMembership;
        let e = import_id(
            &res,
            &ctx(),
            &identity(Some(OTHER), &format!("owner/{OTHER}")),
        )
        .unwrap_err();
        assert_eq!(e.0[0].summary, "Identity names another tenant");
        assert!(e.0[0].detail.contains(OTHER) && e.0[0].detail.contains(ME));
        // The same tenant in capitals is the same tenant.
        let upper = ME.to_ascii_uppercase();
        import_id(&res, &ctx(), &identity(Some(&upper), "member/x")).unwrap();
        // Without a configured tenant, a named tenant cannot be checked.
        let e = import_id(&res, &ImportCtx::default(), &identity(Some(ME), "x")).unwrap_err();
        assert_eq!(e.0[0].summary, "Provider tenant_id not configured");
        let e = import_id(&res, &ctx(), &identity(Some(ME), " ")).unwrap_err();
        assert!(e.0[0].detail.contains("owner/<this tenant GUID>"), "{e}");
    }

    #[test]
    fn version_0_upgrades_as_is_and_newer_versions_are_refused() {
        let res = CrossTenantAccessPartner;
        let stored = serde_json::json!({"tenant_id": ME, "import_id": OTHER});
        assert_eq!(
            upgrade(&res, 0, &stored).unwrap(),
            identity(Some(ME), OTHER)
        );
        let e = upgrade(&res, 1, &stored).unwrap_err();
        assert!(e.0[0].detail.contains("newer"), "{e}");
        let e = upgrade(&res, 0, &serde_json::json!({"import_id": 3})).unwrap_err();
        assert_eq!(
            e.0[0].summary,
            "Stored identity does not match the identity schema"
        );
    }
}
