//! Pure cmdlet builders: no IO, so unit tests assert the exact `CmdletInput`. Every cmdlet
//! names what it needs, so a 403 says what to grant.

use super::model::OrgRel;
use crate::clients::exchange::Cmdlet;
use crate::clients::Permission;
use serde_json::Value as Json;

/// The four OrganizationRelationship cmdlets are in the "Federated Sharing" role area, which
/// the Exchange Administrator role holds (API-NOTES.md#permissions-exchange; the narrower role is
/// unconfirmed).
pub const EXO: Permission = Permission::exchange("Exchange Administrator");
pub const PERMISSIONS: &[(&str, Permission)] = &[("read, create, update, delete", EXO)];

/// `Get-OrganizationRelationship -Identity <Guid or Name>`. The answer may hold other
/// relationships (an Identity that matches nothing returns all of them): callers filter.
pub fn get(identity: &str) -> Cmdlet {
    Cmdlet::new("Get-OrganizationRelationship")
        .param("Identity", identity)
        .needs(EXO)
}

/// `Get-Group -Identity <any identity form>`: the group a scope names, to compare the form
/// Exchange answers with the configured one (API-NOTES.md#exchange-groups). In the
/// Exchange Administrator role too.
pub fn get_group(identity: &str) -> Cmdlet {
    Cmdlet::new("Get-Group")
        .param("Identity", identity)
        .needs(EXO)
}

pub fn new(p: &OrgRel) -> Cmdlet {
    let mut c = Cmdlet::new("New-OrganizationRelationship").needs(EXO);
    c.parameters = p.new_params();
    c
}

/// `Set-OrganizationRelationship -Identity <Guid>` with only what changed from `old` to `new`;
/// `None` when nothing did. By Guid, so a rename in the same call is safe.
pub fn set(guid: &str, old: &OrgRel, new: &OrgRel) -> Option<Cmdlet> {
    let changed = new.changed_params(old);
    if changed.is_empty() {
        return None;
    }
    let mut c = Cmdlet::new("Set-OrganizationRelationship")
        .param("Identity", guid)
        .needs(EXO);
    c.parameters.extend(changed);
    Some(c)
}

pub fn remove(guid: &str) -> Cmdlet {
    Cmdlet::new("Remove-OrganizationRelationship")
        .param("Identity", guid)
        .needs(EXO)
}

/// The object among `objects` whose Guid is `guid` (never the first of a list).
pub fn with_guid(objects: Vec<Json>, guid: &str) -> Option<Json> {
    objects.into_iter().find(|o| {
        o.get("Guid")
            .and_then(Json::as_str)
            .is_some_and(|g| g.eq_ignore_ascii_case(guid))
    })
}

/// The object among `objects` named `name` (Exchange names are case-insensitive).
pub fn with_name(objects: Vec<Json>, name: &str) -> Option<Json> {
    objects.into_iter().find(|o| {
        o.get("Name")
            .and_then(Json::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}
