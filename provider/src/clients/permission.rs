//! What an operation needs from the app registration. Each request names it, so a 403 can say
//! what to grant instead of "Insufficient privileges"; each resource lists the same values on
//! its docs page (`Resource::permissions`), so docs and errors never disagree.

/// The application permissions (all of them, each granted with admin consent) and, for
/// Exchange Online, the Exchange role one API operation needs; for the Teams tenant admin API,
/// the Microsoft Entra role alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    pub api: Api,
    /// Application permissions on `api`, all needed together, e.g.
    /// `["Policy.ReadWrite.CrossTenantAccess"]`. Least privileged, as the API's docs list them.
    pub application: &'static [&'static str],
    /// Exchange Online and Teams: the role the app's service principal must hold
    /// (Exchange RBAC and Entra roles are separate from application permissions).
    pub role: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Graph,
    Exchange,
    Teams,
}

impl Api {
    /// The API's name as the app registration's "API permissions" page shows it.
    pub fn display_name(self) -> &'static str {
        match self {
            Api::Graph => "Microsoft Graph",
            Api::Exchange => "Office 365 Exchange Online",
            Api::Teams => "Skype and Teams Tenant Admin API",
        }
    }
}

impl Permission {
    pub const fn graph(application: &'static [&'static str]) -> Permission {
        Permission {
            api: Api::Graph,
            application,
            role: None,
        }
    }

    /// Exchange Online cmdlets: `Exchange.ManageAsApp` plus an Exchange role.
    pub const fn exchange(role: &'static str) -> Permission {
        Permission {
            api: Api::Exchange,
            application: &["Exchange.ManageAsApp"],
            role: Some(role),
        }
    }

    /// The Teams tenant admin API: a Microsoft Entra role assigned to the app, no application
    /// permission (API-NOTES.md#teams-role).
    pub const fn teams(role: &'static str) -> Permission {
        Permission {
            api: Api::Teams,
            application: &[],
            role: Some(role),
        }
    }

    /// One sentence for a 403 diagnostic and for the docs page: what to grant.
    pub fn describe(&self) -> String {
        if let (Api::Teams, Some(role)) = (self.api, self.role) {
            return format!(
                "the Microsoft Entra role `{role}` assigned to the app's service principal (the {}: no application permission is documented for it)",
                self.api.display_name()
            );
        }
        let names = self
            .application
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let plural = if self.application.len() > 1 { "s" } else { "" };
        let mut s = format!(
            "the {} application permission{plural} {names}, granted with admin consent",
            self.api.display_name()
        );
        if let Some(role) = self.role {
            s.push_str(&format!(
                ", and the Exchange role `{role}` assigned to the app's service principal"
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_what_to_grant() {
        assert_eq!(
            Permission::graph(&["Policy.Read.All", "Application.Read.All"]).describe(),
            "the Microsoft Graph application permissions `Policy.Read.All` and `Application.Read.All`, granted with admin consent"
        );
        assert_eq!(
            Permission::exchange("Exchange Administrator").describe(),
            "the Office 365 Exchange Online application permission `Exchange.ManageAsApp`, granted with admin consent, and the Exchange role `Exchange Administrator` assigned to the app's service principal"
        );
        assert_eq!(
            Permission::teams("Teams Administrator").describe(),
            "the Microsoft Entra role `Teams Administrator` assigned to the app's service principal (the Skype and Teams Tenant Admin API: no application permission is documented for it)"
        );
    }
}
