//! Pure cmdlet builders for partner connectors (API-NOTES.md#exchange-connectors): no IO, so
//! unit tests assert the exact bodies.

use super::model::Connector;
use crate::clients::exchange::Cmdlet;
use crate::clients::Permission;
use serde_json::Value as Json;

/// Connector cmdlets need `Exchange.ManageAsApp` and an Exchange role that holds them
/// (Exchange Administrator does).
pub const MANAGE: Permission = Permission::exchange("Exchange Administrator");
pub const PERMISSIONS: &[(&str, Permission)] = &[("read, create, update, delete", MANAGE)];

fn cmdlet(verb: &str, c: &Connector) -> Cmdlet {
    Cmdlet::new(&format!("{verb}-{}", c.noun())).needs(MANAGE)
}

/// The filters of a `Get-OutboundConnector`: (`IncludeTestModeConnectors`,
/// `IsTransportRuleScoped`). Each value shows only the connectors with that `TestMode` /
/// `IsTransportRuleScoped` (both `$false` when left out; API-NOTES.md#exchange-outbound-filters).
pub type Filter = (bool, bool);

/// The filters to look for `c` under, in order: none for an inbound connector (one Get, no
/// filter), every combination for an outbound one, `c`'s own values first.
pub fn filters(c: &Connector) -> Vec<Option<Filter>> {
    if c.inbound() {
        return vec![None];
    }
    let own = (
        c.test_mode.unwrap_or(false),
        c.is_transport_rule_scoped.unwrap_or(false),
    );
    let mut all = vec![Some(own)];
    for f in [(false, false), (true, false), (false, true), (true, true)] {
        if f != own {
            all.push(Some(f));
        }
    }
    all
}

/// `Get-*Connector -Identity <Guid or name>`, with the outbound filters that are `$true` (a
/// `$false` one is the default). The answer is a list: the caller filters it.
pub fn get(c: &Connector, identity: &str, filter: Option<Filter>) -> Cmdlet {
    let mut cmd = cmdlet("Get", c).param("Identity", identity);
    if let Some((test_mode, rule_scoped)) = filter {
        if test_mode {
            cmd = cmd.param("IncludeTestModeConnectors", true);
        }
        if rule_scoped {
            cmd = cmd.param("IsTransportRuleScoped", true);
        }
    }
    cmd
}

pub fn new(c: &Connector) -> Cmdlet {
    let mut cmd = cmdlet("New", c);
    cmd.parameters = c.create_parameters();
    cmd
}

/// `Set-*Connector -Identity <Guid>` with the parameters that change; `None` when none do.
pub fn set(old: &Connector, new: &Connector, guid: &str) -> Option<Cmdlet> {
    let changed = new.changed_parameters(old);
    if changed.is_empty() {
        return None;
    }
    let mut cmd = cmdlet("Set", new).param("Identity", guid);
    cmd.parameters.extend(changed);
    Some(cmd)
}

pub fn remove(c: &Connector, guid: &str) -> Cmdlet {
    cmdlet("Remove", c).param("Identity", guid)
}

/// The one object of `objects` with this Guid: a Get by Identity may answer with others too
/// (an unmatched or `$null` Identity returns every connector).
pub fn by_guid<'a>(objects: &'a [Json], guid: &str) -> Option<&'a Json> {
    objects.iter().find(|o| {
        o.get("Guid")
            .and_then(Json::as_str)
            .is_some_and(|g| g.eq_ignore_ascii_case(guid))
    })
}

/// The objects of `objects` named `name` (names are unique per direction, case-insensitive).
pub fn by_name<'a>(objects: &'a [Json], name: &str) -> Vec<&'a Json> {
    objects
        .iter()
        .filter(|o| {
            o.get("Name")
                .and_then(Json::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .collect()
}
