//! Application permissions: what each app registration is granted, and what each request
//! needs. An access token carries the roles its app held when it was issued (as a real token's
//! `roles` claim does: a grant changed later shows in the next token); a request that needs a
//! role the token does not carry is refused as the service refuses it (Graph 403
//! `Authorization_RequestDenied`, Exchange 403 `Forbidden`). Apps are granted everything
//! unless a test says otherwise. API-NOTES.md#permission-model

use super::vocab::Api;

/// Every role the emulator checks (what an app not restricted by a test holds).
pub const ALL: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.CrossTenantAccess",
    "Policy.ReadWrite.ConditionalAccess",
    "Application.Read.All",
    "Application.ReadWrite.OwnedBy",
    "Application.ReadWrite.All",
    "Synchronization.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "MultiTenantOrganization.Read.All",
    "MultiTenantOrganization.ReadWrite.All",
    "CrossTenantInformation.ReadBasic.All",
    "Domain.Read.All",
    "Exchange.ManageAsApp",
];

const XTAP_READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"];
const XTAP_WRITE: &[&str] = &["Policy.ReadWrite.CrossTenantAccess"];
const CA_READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"];
const CA_WRITE: &[&str] = &["Policy.ReadWrite.ConditionalAccess"];
const MTO_READ: &[&str] = &[
    "MultiTenantOrganization.Read.All",
    "MultiTenantOrganization.ReadWrite.All",
];
const MTO_WRITE: &[&str] = &["MultiTenantOrganization.ReadWrite.All"];
const XTS: &[&str] = &[
    "Application.ReadWrite.OwnedBy",
    "Synchronization.ReadWrite.All",
    "Application.ReadWrite.All",
];
const XTS_READ: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.OwnedBy",
    "Synchronization.ReadWrite.All",
    "Application.ReadWrite.All",
];
const ASSIGN: &[&str] = &["AppRoleAssignment.ReadWrite.All"];
const TENANT_LOOKUP: &[&str] = &["CrossTenantInformation.ReadBasic.All"];
const DOMAINS: &[&str] = &["Domain.Read.All"];
const EXCHANGE: &[&str] = &["Exchange.ManageAsApp"];

/// The roles of which a request needs any one (`None`: it needs none the emulator checks).
pub fn required(api: Api, method: &str, path: &str) -> Option<&'static [&'static str]> {
    match api {
        Api::Exchange => return Some(EXCHANGE),
        // The Teams admin API authorizes by the app's directory role, not an application
        // permission (API-NOTES.md#teams-role): no app role to check.
        Api::Teams => return None,
        _ => {}
    }
    let read = method == "GET";
    let pick = |r, w| Some(if read { r } else { w });
    if path.contains("/policies/crossTenantAccessPolicy") {
        pick(XTAP_READ, XTAP_WRITE)
    } else if path.contains("/identity/conditionalAccess") {
        pick(CA_READ, CA_WRITE)
    } else if path.contains("/tenantRelationships/multiTenantOrganization") {
        // Its tenants and join request read with ReadWrite only (the member-get page).
        let org_only = path
            .trim_end_matches('/')
            .ends_with("/multiTenantOrganization");
        pick(if org_only { MTO_READ } else { MTO_WRITE }, MTO_WRITE)
    } else if path.contains("/tenantRelationships/findTenantInformation") {
        Some(TENANT_LOOKUP)
    } else if path.contains("/domains") {
        Some(DOMAINS)
    } else if path.contains("/appRoleAssignedTo") {
        pick(XTS_READ, ASSIGN)
    } else if path.contains("/servicePrincipals")
        || path.contains("/applications")
        || path.contains("/applicationTemplates")
    {
        pick(XTS_READ, XTS)
    } else {
        None
    }
}

/// Whether a token carrying `roles` (`None`: every role) may make the request.
pub fn allowed(roles: Option<&[String]>, api: Api, method: &str, path: &str) -> bool {
    match (roles, required(api, method, path)) {
        (Some(held), Some(any)) => any.iter().any(|r| held.iter().any(|h| h == r)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_need_their_own_roles() {
        let read_only = vec!["Policy.Read.All".to_string()];
        let r = Some(read_only.as_slice());
        let ca = "/v1.0/identity/conditionalAccess/policies";
        assert!(allowed(r, Api::Graph, "GET", ca));
        assert!(!allowed(r, Api::Graph, "POST", ca));
        let xtap = "/v1.0/policies/crossTenantAccessPolicy/partners/x";
        assert!(allowed(r, Api::Graph, "GET", xtap));
        assert!(!allowed(r, Api::Graph, "PATCH", xtap));
        assert!(!allowed(
            r,
            Api::Exchange,
            "POST",
            "/adminapi/beta/t/InvokeCommand"
        ));
        assert!(allowed(r, Api::Graph, "GET", "/v1.0/organization"));
        assert!(allowed(None, Api::Graph, "DELETE", ca));
        let mto = "/v1.0/tenantRelationships/multiTenantOrganization";
        let mto_read = vec!["MultiTenantOrganization.Read.All".to_string()];
        let m = Some(mto_read.as_slice());
        assert!(allowed(m, Api::Graph, "GET", mto));
        assert!(!allowed(m, Api::Graph, "GET", &format!("{mto}/tenants")));
        assert!(!allowed(m, Api::Graph, "PATCH", mto));
        for roles in [
            XTAP_READ, XTAP_WRITE, CA_READ, MTO_READ, XTS_READ, ASSIGN, EXCHANGE,
        ] {
            assert!(roles.iter().all(|r| ALL.contains(r)), "{roles:?}");
        }
    }
}
