//! The Exchange organization relationship: its HCL builder, where its object lives in the
//! emulator (by Guid) and how it is imported (by name).

use super::{q, Acc, ResourceType, Steps};
use coexistence_acceptance::emulator::exchange::group::add_group;
use coexistence_acceptance::emulator::exchange::organization_relationship::COLLECTION;

pub const ORGREL_TYPE: &str = coexistence::resources::organization_relationship::TYPE_NAME;
/// Address of the relationship most scenarios manage.
pub const ORGREL_ADDR: &str = "coexistence_organization_relationship.fabrikam";

/// Emulator path of the relationship with this Guid.
pub fn orgrel_path(guid: &str) -> String {
    format!("{COLLECTION}/{}", guid.to_ascii_lowercase())
}

/// Found by its Guid (`id`), imported by its name.
pub static ORGANIZATION_RELATIONSHIP: ResourceType = ResourceType {
    type_name: ORGREL_TYPE,
    path: |s| orgrel_path(s["id"].as_str().expect("id in state")),
    ..super::DESCRIPTION
};

/// The home tenant's mail-enabled security groups the builders name as scopes.
pub const GROUPS: &[&str] = &[
    "Fabrikam free/busy",
    "Sharing group",
    "MailTips group",
    "Migration group",
];

/// Steps tracking the relationship at [`ORGREL_ADDR`] in the home tenant, whose [`GROUPS`]
/// exist (a scope must name a group).
pub fn orgrel_steps(acc: &Acc) -> Steps<'_> {
    for g in GROUPS {
        add_group(&acc.emu, &acc.home.tenant_id, g);
    }
    Steps::new(acc).track(&ORGANIZATION_RELATIONSHIP, "fabrikam", &acc.home.tenant_id)
}

/// The home tenant's group named `name` (as `Get-Group` shows it).
pub fn group(acc: &Acc, name: &str) -> serde_json::Value {
    acc.emu
        .objects(&acc.home.tenant_id)
        .into_iter()
        .map(|(_, o)| o)
        .find(|o| o["RecipientTypeDetails"].is_string() && o["Name"] == name)
        .unwrap_or_else(|| panic!("no group {name:?}"))
}

/// The resource's configuration: `attrs` are `(attribute, HCL expression)` pairs written as
/// they are; left-out attributes take their defaults.
#[derive(Clone, Debug)]
pub struct OrgRel {
    pub resource_name: String,
    pub name: String,
    pub domains: Vec<String>,
    pub attrs: Vec<(&'static str, String)>,
}

impl OrgRel {
    pub fn minimal(name: &str, domains: &[&str]) -> OrgRel {
        OrgRel {
            resource_name: "fabrikam".into(),
            name: name.into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            attrs: Vec::new(),
        }
    }

    /// Every attribute set, as in the example.
    pub fn full(domains: &[&str]) -> OrgRel {
        OrgRel {
            attrs: vec![
                ("enabled", "true".into()),
                ("free_busy_access_enabled", "true".into()),
                ("free_busy_access_level", q("LimitedDetails")),
                ("free_busy_access_scope", q("Fabrikam free/busy")),
                ("target_application_uri", q("outlook.com")),
                (
                    "target_autodiscover_epr",
                    q("https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity"),
                ),
                (
                    "target_sharing_epr",
                    q("https://outlook.office365.com/EWS/Exchange.asmx"),
                ),
                ("mail_tips_access_enabled", "true".into()),
                ("mail_tips_access_level", q("All")),
                ("delivery_report_enabled", "true".into()),
                ("photos_enabled", "true".into()),
                ("organization_contact", q("admin@fabrikam.com")),
            ],
            ..OrgRel::minimal("Fabrikam", domains)
        }
    }

    /// Sets (or replaces) one attribute.
    pub fn with(mut self, attr: &'static str, hcl: impl Into<String>) -> OrgRel {
        self.attrs.retain(|(a, _)| *a != attr);
        self.attrs.push((attr, hcl.into()));
        self
    }

    pub fn without(mut self, attr: &str) -> OrgRel {
        self.attrs.retain(|(a, _)| *a != attr);
        self
    }

    pub fn address(&self) -> String {
        format!("{ORGREL_TYPE}.{}", self.resource_name)
    }

    pub fn hcl(&self) -> String {
        let domains = self
            .domains
            .iter()
            .map(|d| q(d))
            .collect::<Vec<_>>()
            .join(", ");
        let mut s = format!(
            "resource \"{ORGREL_TYPE}\" \"{}\" {{\n  name         = {}\n  domain_names = [{domains}]\n",
            self.resource_name,
            q(&self.name)
        );
        for (a, v) in &self.attrs {
            s.push_str(&format!("  {a} = {v}\n"));
        }
        s.push_str("}\n");
        s
    }
}
