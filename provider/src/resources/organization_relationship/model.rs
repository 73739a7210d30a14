//! The Terraform model of an organization relationship and its mapping to and from the
//! cmdlets' parameters and `Get-OrganizationRelationship` objects. One table
//! ([`OrgRel::scalars`]) names every attribute's Exchange property, so New, Set and the read
//! can never disagree on a name.

#[cfg(test)]
use crate::framework::{typed, Diagnostics, Value};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// An organization relationship as Terraform sees it (field names = attribute names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgRel {
    /// The object's Guid (computed).
    pub id: Option<String>,
    pub name: String,
    /// Null only in an import's state (the read that follows fills it in).
    #[serde(deserialize_with = "crate::framework::typed::null_is_default")]
    pub domain_names: Vec<String>,
    pub archive_access_enabled: Option<bool>,
    pub enabled: Option<bool>,
    pub free_busy_access_enabled: Option<bool>,
    pub free_busy_access_level: Option<String>,
    pub free_busy_access_scope: Option<String>,
    pub target_application_uri: Option<String>,
    pub target_autodiscover_epr: Option<String>,
    pub target_sharing_epr: Option<String>,
    pub mail_tips_access_enabled: Option<bool>,
    pub mail_tips_access_level: Option<String>,
    pub mail_tips_access_scope: Option<String>,
    pub target_owa_url: Option<String>,
    pub delivery_report_enabled: Option<bool>,
    pub photos_enabled: Option<bool>,
    pub organization_contact: Option<String>,
    pub mailbox_move_enabled: Option<bool>,
    /// A set of `MOVE_CAPABILITIES`; empty (Exchange's `None`) by default.
    pub mailbox_move_capability: Option<Vec<String>>,
    /// Groups, by any identity form (read back keeping the configured spelling).
    pub mailbox_move_published_scopes: Option<Vec<String>>,
    pub oauth_application_id: Option<String>,
}

/// `MailboxMoveCapability`'s members in the reference's order, which is how a combination is
/// sent (`"Inbound, RemoteOutbound"`: API-NOTES.md#exchange-orgrel-mailbox-move).
pub const MOVE_CAPABILITIES: &[&str] = &["Inbound", "Outbound", "RemoteInbound", "RemoteOutbound"];

/// The capability set as one flags value, `null` when empty (cleared with `$null`; Exchange
/// shows `None`).
fn capability(v: &Option<Vec<String>>) -> Json {
    let set = v.as_deref().unwrap_or_default();
    let members: Vec<&str> = MOVE_CAPABILITIES
        .iter()
        .copied()
        .filter(|m| set.iter().any(|c| c == m))
        .collect();
    if members.is_empty() {
        Json::Null
    } else {
        Json::String(members.join(", "))
    }
}

/// A list sorted (a set), `null` when empty: a multi-valued property is cleared with `$null`
/// (API-NOTES.md#exchange-clear-list).
fn list(v: &Option<Vec<String>>) -> Json {
    let mut l = v.clone().unwrap_or_default();
    l.sort();
    l.dedup();
    if l.is_empty() {
        Json::Null
    } else {
        Json::from(l)
    }
}

/// The parameters that name a group (answered in another identity form than sent).
const GROUPS: &[&str] = &[
    "FreeBusyAccessScope",
    "MailTipsAccessScope",
    "MailboxMovePublishedScopes",
];
/// The parameters that are URLs (answered normalised).
const URIS: &[&str] = &["TargetAutodiscoverEpr", "TargetSharingEpr", "TargetOwaURL"];

fn b(v: Option<bool>) -> Json {
    v.map_or(Json::Null, Json::Bool)
}
fn s(v: &Option<String>) -> Json {
    v.clone().map_or(Json::Null, Json::String)
}

impl OrgRel {
    #[cfg(test)]
    pub fn from_value(v: &Value) -> Result<OrgRel, Diagnostics> {
        typed::from_value(&super::schema(), v)
    }

    #[cfg(test)]
    pub fn to_value(&self) -> Result<Value, Diagnostics> {
        typed::to_value(&super::schema(), self)
    }

    /// The state an import starts from: the name, everything else null (no domains) until the
    /// read that follows replaces it.
    pub fn imported(name: String) -> OrgRel {
        OrgRel {
            id: None,
            name,
            domain_names: Vec::new(),
            archive_access_enabled: None,
            enabled: None,
            free_busy_access_enabled: None,
            free_busy_access_level: None,
            free_busy_access_scope: None,
            target_application_uri: None,
            target_autodiscover_epr: None,
            target_sharing_epr: None,
            mail_tips_access_enabled: None,
            mail_tips_access_level: None,
            mail_tips_access_scope: None,
            target_owa_url: None,
            delivery_report_enabled: None,
            photos_enabled: None,
            organization_contact: None,
            mailbox_move_enabled: None,
            mailbox_move_capability: None,
            mailbox_move_published_scopes: None,
            oauth_application_id: None,
        }
    }

    /// Every attribute but `id`, `name` and `domain_names`, as (Exchange parameter, value);
    /// null is "not set".
    pub fn scalars(&self) -> [(&'static str, Json); 19] {
        [
            ("ArchiveAccessEnabled", b(self.archive_access_enabled)),
            ("Enabled", b(self.enabled)),
            ("FreeBusyAccessEnabled", b(self.free_busy_access_enabled)),
            ("FreeBusyAccessLevel", s(&self.free_busy_access_level)),
            ("FreeBusyAccessScope", s(&self.free_busy_access_scope)),
            ("TargetApplicationUri", s(&self.target_application_uri)),
            ("TargetAutodiscoverEpr", s(&self.target_autodiscover_epr)),
            ("TargetSharingEpr", s(&self.target_sharing_epr)),
            ("MailTipsAccessEnabled", b(self.mail_tips_access_enabled)),
            ("MailTipsAccessLevel", s(&self.mail_tips_access_level)),
            ("MailTipsAccessScope", s(&self.mail_tips_access_scope)),
            ("TargetOwaURL", s(&self.target_owa_url)),
            ("DeliveryReportEnabled", b(self.delivery_report_enabled)),
            ("PhotosEnabled", b(self.photos_enabled)),
            ("OrganizationContact", s(&self.organization_contact)),
            ("MailboxMoveEnabled", b(self.mailbox_move_enabled)),
            (
                "MailboxMoveCapability",
                capability(&self.mailbox_move_capability),
            ),
            (
                "MailboxMovePublishedScopes",
                list(&self.mailbox_move_published_scopes),
            ),
            ("OAuthApplicationId", s(&self.oauth_application_id)),
        ]
    }

    /// `New-OrganizationRelationship`'s parameters: the key, the domains and every attribute
    /// that is set (null ones are left to the service's default, which is null).
    pub fn new_params(&self) -> Map<String, Json> {
        let mut m = Map::new();
        m.insert("Name".into(), Json::String(self.name.clone()));
        m.insert("DomainNames".into(), Json::from(self.sorted_domains()));
        for (k, v) in self.scalars() {
            if !v.is_null() {
                m.insert(k.into(), v);
            }
        }
        m
    }

    /// `Set-OrganizationRelationship`'s parameters from `old` to `self`: only what changed
    /// (a cleared string is sent as null). Empty when nothing did.
    pub fn changed_params(&self, old: &OrgRel) -> Map<String, Json> {
        let mut m = Map::new();
        if self.name != old.name {
            m.insert("Name".into(), Json::String(self.name.clone()));
        }
        if self.domain_key() != old.domain_key() {
            m.insert("DomainNames".into(), Json::from(self.sorted_domains()));
        }
        for ((k, new), (_, was)) in self.scalars().into_iter().zip(old.scalars()) {
            if new != was {
                m.insert(k.into(), new);
            }
        }
        m
    }

    /// The domains in a stable order (a set: the order never matters).
    pub fn sorted_domains(&self) -> Vec<String> {
        let mut d = self.domain_names.clone();
        d.sort();
        d.dedup();
        d
    }

    /// Domain names (DNS) and tenant IDs (GUIDs) compare case-insensitively.
    fn domain_key(&self) -> Vec<String> {
        let mut d: Vec<String> = self
            .domain_names
            .iter()
            .map(|x| x.to_ascii_lowercase())
            .collect();
        d.sort();
        d.dedup();
        d
    }

    /// Flattens a `Get-OrganizationRelationship` object.
    pub fn from_exchange(o: &Json) -> OrgRel {
        let st = |k: &str| o.get(k).and_then(Json::as_str).map(str::to_string);
        let bo = |k: &str| o.get(k).and_then(Json::as_bool);
        OrgRel {
            id: st("Guid").map(|g| g.to_ascii_lowercase()),
            name: st("Name").unwrap_or_default(),
            domain_names: o
                .get("DomainNames")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            archive_access_enabled: bo("ArchiveAccessEnabled"),
            enabled: bo("Enabled"),
            free_busy_access_enabled: bo("FreeBusyAccessEnabled"),
            free_busy_access_level: st("FreeBusyAccessLevel"),
            free_busy_access_scope: st("FreeBusyAccessScope"),
            target_application_uri: st("TargetApplicationUri"),
            target_autodiscover_epr: st("TargetAutodiscoverEpr"),
            target_sharing_epr: st("TargetSharingEpr"),
            mail_tips_access_enabled: bo("MailTipsAccessEnabled"),
            mail_tips_access_level: st("MailTipsAccessLevel"),
            mail_tips_access_scope: st("MailTipsAccessScope"),
            target_owa_url: st("TargetOwaURL"),
            delivery_report_enabled: bo("DeliveryReportEnabled"),
            photos_enabled: bo("PhotosEnabled"),
            organization_contact: st("OrganizationContact"),
            mailbox_move_enabled: bo("MailboxMoveEnabled"),
            // `None` (or nothing) is the empty set.
            mailbox_move_capability: Some(
                st("MailboxMoveCapability")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty() && *c != "None")
                    .map(str::to_string)
                    .collect(),
            ),
            mailbox_move_published_scopes: Some(
                o.get("MailboxMovePublishedScopes")
                    .and_then(Json::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Json::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            oauth_application_id: st("OAuthApplicationId"),
        }
    }

    /// Whether a relationship found by name is the one a create sent (an earlier attempt in
    /// doubt made it): same name, domains and every attribute the create set. Exchange
    /// answers a URI normalised (compared as URLs) and a group in another identity form (not
    /// compared: that takes a lookup, and the name and domains already single it out).
    pub fn made_by(&self, found: &OrgRel) -> bool {
        found.name.eq_ignore_ascii_case(&self.name)
            && found.domain_key() == self.domain_key()
            && self
                .scalars()
                .iter()
                .zip(found.scalars())
                .all(|((k, sent), (_, got))| match (sent, &got) {
                    (Json::Null, _) => true,
                    _ if GROUPS.contains(k) => true,
                    (Json::String(a), Json::String(b)) if URIS.contains(k) => {
                        super::identity::same_uri(a, b)
                    }
                    _ => *sent == got,
                })
    }
}
