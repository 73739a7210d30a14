//! The import IDs, one per side, and the import itself. Both name a tenant, so both are checked
//! against the provider's own tenant before anything enters the state: the owner side names
//! this tenant, the member side names another one.

use super::model::Membership;
use super::TYPE_NAME;
use crate::framework::import_id::{ImportId, TenantGuid};
use crate::framework::{Diagnostic, Diagnostics, ImportCtx};

crate::tagged_import_id! {
    /// The owner side, by this tenant (the organization's owner): `owner/<this tenant GUID>`.
    pub struct OwnerSide(TenantGuid) = "owner" / "<this tenant GUID>", example "72f988bf-86f1-41af-91ab-2d7cd011db47";
}

crate::tagged_import_id! {
    /// The member side, by the owner whose organization this tenant joins: `member/<owner tenant GUID>`.
    pub struct MemberSide(TenantGuid) = "member" / "<owner tenant GUID>", example "72f988bf-86f1-41af-91ab-2d7cd011db47";
}

/// Either side's import ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MtoImportId {
    Owner(OwnerSide),
    Member(MemberSide),
}

impl std::str::FromStr for MtoImportId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("member/") {
            s.parse().map(MtoImportId::Member)
        } else if s.starts_with("owner/") {
            s.parse().map(MtoImportId::Owner)
        } else {
            Err("it starts with neither \"owner/\" nor \"member/\"".into())
        }
    }
}

impl std::fmt::Display for MtoImportId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MtoImportId::Owner(o) => o.fmt(f),
            MtoImportId::Member(m) => m.fmt(f),
        }
    }
}

impl ImportId for MtoImportId {
    const FORMAT: &'static str =
        "`owner/<this tenant GUID>` (owner side) or `member/<owner tenant GUID>` (member side)";
    const EXAMPLE: &'static str = OwnerSide::EXAMPLE;
}

fn wrong_tenant(detail: String) -> Diagnostics {
    Diagnostic::error("Import ID names the wrong tenant", detail).into()
}

/// The state an import starts from: the identifying attributes, once the ID's tenant is known
/// to fit the provider's.
pub(super) fn import(ctx: &ImportCtx, parsed: MtoImportId) -> Result<Membership, Diagnostics> {
    let me = ctx.this_tenant(TYPE_NAME, &parsed.to_string())?;
    match parsed {
        MtoImportId::Owner(o) => {
            let named = o.0.to_string();
            if named != me {
                return Err(wrong_tenant(format!(
                    "{o} names tenant {named}, but this provider signs in to tenant {me}. The owner side is imported through the provider of the tenant it names, with its own GUID: import {o} with the provider whose tenant_id is {named}, or, to import this tenant's membership, use owner/{me} (it owns an organization) or member/<owner tenant GUID> (it joined one)."
                )));
            }
            Ok(Membership {
                id: Some(o.to_string()),
                tenant_id: Some(named),
                ..Membership::default()
            })
        }
        MtoImportId::Member(m) => {
            let owner = m.0.to_string();
            if owner == me {
                return Err(wrong_tenant(format!(
                    "{m} names tenant {owner} as the owner, and that is this provider's own tenant: a tenant is not a member of its own organization. Import it as owner/{me} (the owner side), or import {m} through the provider of the member tenant."
                )));
            }
            Ok(Membership {
                id: Some(m.to_string()),
                owner_tenant_id: Some(owner),
                tenant_id: Some(me.to_string()),
                ..Membership::default()
            })
        }
    }
}

/// The import ID of a membership: `member/<owner>` on the member side, `owner/<this tenant>`
/// on the owner side.
pub(super) fn import_id(state: &Membership) -> Option<String> {
    match (&state.owner_tenant_id, &state.tenant_id) {
        (Some(owner), _) => Some(format!("member/{owner}")),
        (None, Some(me)) => Some(format!("owner/{me}")),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::MtoMembership;
    use super::*;
    use crate::framework::{Resource, Value};

    /// The import as Terraform drives it: the ID parsed, then checked and turned into a state.
    fn import(ctx: &ImportCtx, id: &str) -> Result<Value, Diagnostics> {
        Resource::import(&MtoMembership, ctx, id)
    }

    const ME: &str = "0c4c5e6f-1a2b-4c3d-9e8f-7a6b5c4d3e2f";
    const OTHER: &str = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551";

    fn ctx() -> ImportCtx {
        ImportCtx::new(Some(&ME.to_ascii_uppercase()))
    }

    #[test]
    fn each_side_imports_through_the_right_provider() {
        let v = import(&ctx(), &format!("owner/{}", ME.to_ascii_uppercase())).unwrap();
        assert_eq!(v.get("id"), &Value::string(format!("owner/{ME}")));
        assert_eq!(v.get("tenant_id"), &Value::string(ME));
        let v = import(&ctx(), &format!(" member/{OTHER}")).unwrap();
        assert_eq!(v.get("owner_tenant_id"), &Value::string(OTHER));
        assert_eq!(v.get("tenant_id"), &Value::string(ME));
    }

    #[test]
    fn another_tenants_owner_side_is_refused_naming_what_to_use() {
        let e = import(&ctx(), &format!("owner/{OTHER}")).unwrap_err();
        let d = &e.0[0].detail;
        assert!(
            d.contains(&format!("this provider signs in to tenant {ME}"))
                && d.contains(&format!("the provider whose tenant_id is {OTHER}"))
                && d.contains(&format!("use owner/{ME}")),
            "{d}"
        );
    }

    #[test]
    fn a_member_of_its_own_organization_is_refused() {
        let e = import(&ctx(), &format!("member/{ME}")).unwrap_err();
        let d = &e.0[0].detail;
        assert!(
            d.contains("not a member of its own organization")
                && d.contains(&format!("owner/{ME}")),
            "{d}"
        );
    }

    #[test]
    fn without_the_providers_tenant_nothing_is_imported() {
        let e = import(&ImportCtx::default(), &format!("owner/{ME}")).unwrap_err();
        assert!(e.0[0].detail.contains("sets no tenant_id"), "{e}");
    }

    #[test]
    fn invalid_ids_quote_both_forms() {
        for (bad, why) in [
            (ME.to_string(), "neither \"owner/\" nor \"member/\""),
            ("owner/nope".to_string(), "after \"owner/\": not a GUID"),
            ("member/nope".to_string(), "after \"member/\": not a GUID"),
        ] {
            let e = import(&ctx(), &bad).unwrap_err();
            let d = &e.0[0].detail;
            assert!(
                d.contains("`owner/<this tenant GUID>` (owner side) or `member/<owner tenant GUID>` (member side)")
                    && d.contains(why),
                "{d}"
            );
        }
        let id: MtoImportId = MtoImportId::EXAMPLE.parse().unwrap();
        assert_eq!(id.to_string(), MtoImportId::EXAMPLE);
    }
}
