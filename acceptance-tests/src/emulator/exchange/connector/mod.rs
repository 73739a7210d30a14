//! Inbound and outbound connectors: `Get/New/Set/Remove-InboundConnector` and
//! `-OutboundConnector` (facts: exo-cmdlets, the cmdlet pages;
//! API-NOTES.md#exchange-connectors).
//!
//! * Objects live at `/exchange/inboundConnectors/<Guid>` and `/exchange/outboundConnectors/<Guid>`
//!   in the tenant's store; `Identity` is the name or the Guid (case-insensitive).
//! * `Get` without `Identity`, with `$null` or with one that matches nothing returns every
//!   connector, as the docs warn; `Get-OutboundConnector` lists only the connectors whose
//!   `TestMode` / `IsTransportRuleScoped` equal its `IncludeTestModeConnectors` /
//!   `IsTransportRuleScoped` filters (`$false` by default). `Set` / `Remove` of an Identity
//!   matching nothing is `ManagementObjectNotFoundException`.
//! * `-WhatIf` checks and changes nothing; `-Confirm` is accepted and ignored.
//! * The documented rules are checked on the object as it would be after the cmdlet (so a `Set`
//!   cannot break them either): names unique per direction and at most 64 characters, domains
//!   with a leading `*.` wildcard only, IPv4 sender addresses with CIDR /24 to /32, smart hosts
//!   when `UseMXRecord` is false, OnPremises-only switches.
//! * `SenderDomains` read back in Exchange's address-space form, `smtp:<domain>;1` (assumed).
//! * An inbound Partner connector without `RequireTls` answers with a warning
//!   (`@adminapi.warnings`; the text is assumed).

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::cmdlet::{project, Cmdlet, Invocation, PTy, Param, SWITCHES};
use super::envelope::{objects_response, ExchangeError, ExchangeResult};
use crate::emulator::util::{is_domain_name, new_guid};

pub const INBOUND: &str = "/exchange/inboundConnectors";
pub const OUTBOUND: &str = "/exchange/outboundConnectors";

/// The warning an inbound Partner connector without TLS gets (assumed text).
pub const NO_TLS_WARNING: &str =
    "Mail from this partner can be received without TLS. Set RequireTls to $true to require an encrypted connection.";

const CONNECTOR_TYPES: &[&str] = &["Partner", "OnPremises"];
const CONNECTOR_SOURCES: &[&str] = &["Default", "HybridWizard", "Migrated"];
const TLS_SETTINGS: &[&str] = &[
    "EncryptionOnly",
    "CertificateValidation",
    "DomainValidation",
];
const MAX_NAME: usize = 64;

use PTy::{Bool, Enum, Multi, Str};

/// Parameters `New-` and `Set-` share; `Set-` adds `Identity`, `New-` its own extras.
macro_rules! params {
    ($($extra:expr),* ; inbound) => {
        &[
            $($extra,)*
            Param::optional("ConnectorType", Enum(CONNECTOR_TYPES)),
            Param::optional("ConnectorSource", Enum(CONNECTOR_SOURCES)),
            Param::optional("AssociatedAcceptedDomains", Multi),
            Param::optional("CloudServicesMailEnabled", Bool),
            Param::optional("Comment", Str),
            Param::optional("Enabled", Bool),
            Param::optional("RequireTls", Bool),
            Param::optional("RestrictDomainsToCertificate", Bool),
            Param::optional("RestrictDomainsToIPAddresses", Bool),
            Param::optional("SenderIPAddresses", Multi),
            Param::optional("TlsSenderCertificateName", Str),
            Param::optional("TreatMessagesAsInternal", Bool),
            Param::optional("TrustedOrganizations", Multi),
            Param::optional("EFSkipIPs", Multi),
            Param::optional("EFSkipLastIP", Bool),
            Param::optional("EFUsers", Multi),
            Param::switch("Confirm"),
            Param::switch("WhatIf"),
        ]
    };
    ($($extra:expr),* ; outbound) => {
        &[
            $($extra,)*
            Param::optional("ConnectorType", Enum(CONNECTOR_TYPES)),
            Param::optional("ConnectorSource", Enum(CONNECTOR_SOURCES)),
            Param::optional("RecipientDomains", Multi),
            Param::optional("SmartHosts", Multi),
            Param::optional("UseMXRecord", Bool),
            Param::optional("TlsSettings", Enum(TLS_SETTINGS)),
            Param::optional("TlsDomain", Str),
            Param::optional("IsTransportRuleScoped", Bool),
            Param::optional("RouteAllMessagesViaOnPremises", Bool),
            Param::optional("AllAcceptedDomains", Bool),
            Param::optional("SenderRewritingEnabled", Bool),
            Param::optional("CloudServicesMailEnabled", Bool),
            Param::optional("Comment", Str),
            Param::optional("Enabled", Bool),
            Param::optional("TestMode", Bool),
            Param::optional("MtaStsMode", Enum(&["Opportunistic", "None"])),
            Param::optional("SmtpDaneMode", Enum(&["Opportunistic", "Mandatory", "None"])),
            Param::switch("Confirm"),
            Param::switch("WhatIf"),
        ]
    };
}

pub static CMDLETS: &[Cmdlet] = &[
    Cmdlet {
        name: "Get-InboundConnector",
        params: &[
            Param::optional("Identity", Str),
            Param::optional("ResultSize", Str),
        ],
        run: |inv| get(inv, Dir::Inbound),
    },
    Cmdlet {
        name: "New-InboundConnector",
        params: params!(
            Param::required("Name", Str),
            Param::required("SenderDomains", Multi),
            Param::optional("ClientHostNames", Multi);
            inbound
        ),
        run: |inv| new(inv, Dir::Inbound),
    },
    Cmdlet {
        name: "Set-InboundConnector",
        params: params!(
            Param::required("Identity", Str),
            Param::optional("Name", Str),
            Param::optional("SenderDomains", Multi);
            inbound
        ),
        run: |inv| set(inv, Dir::Inbound),
    },
    Cmdlet {
        name: "Remove-InboundConnector",
        params: &[
            Param::required("Identity", Str),
            Param::switch("Confirm"),
            Param::switch("WhatIf"),
        ],
        run: |inv| remove(inv, Dir::Inbound),
    },
    Cmdlet {
        name: "Get-OutboundConnector",
        params: &[
            Param::optional("Identity", Str),
            Param::optional("IncludeTestModeConnectors", Bool),
            Param::optional("IsTransportRuleScoped", Bool),
            Param::optional("ResultSize", Str),
        ],
        run: |inv| get(inv, Dir::Outbound),
    },
    Cmdlet {
        name: "New-OutboundConnector",
        params: params!(
            Param::required("Name", Str),
            Param::optional("LinkForModifiedConnector", Str);
            outbound
        ),
        run: |inv| new(inv, Dir::Outbound),
    },
    Cmdlet {
        name: "Set-OutboundConnector",
        params: params!(
            Param::required("Identity", Str),
            Param::optional("Name", Str),
            Param::optional("IsValidated", Bool),
            Param::optional("LastValidationTimestamp", Str),
            Param::optional("ValidationRecipients", Multi);
            outbound
        ),
        run: |inv| set(inv, Dir::Outbound),
    },
    Cmdlet {
        name: "Remove-OutboundConnector",
        params: &[
            Param::required("Identity", Str),
            Param::switch("Confirm"),
            Param::switch("WhatIf"),
        ],
        run: |inv| remove(inv, Dir::Outbound),
    },
];

#[derive(Clone, Copy, PartialEq)]
enum Dir {
    Inbound,
    Outbound,
}

impl Dir {
    fn prefix(self) -> &'static str {
        match self {
            Dir::Inbound => INBOUND,
            Dir::Outbound => OUTBOUND,
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Dir::Inbound => "InboundConnector",
            Dir::Outbound => "OutboundConnector",
        }
    }
}

/// The store path of a connector.
pub fn inbound_path(guid: &str) -> String {
    format!("{INBOUND}/{}", guid.to_ascii_lowercase())
}

pub fn outbound_path(guid: &str) -> String {
    format!("{OUTBOUND}/{}", guid.to_ascii_lowercase())
}

/// A new connector as Exchange creates it: every property, with its default. The
/// `ConnectorType` default is not documented; OnPremises is assumed, so a client that means a
/// Partner connector has to say so.
fn defaults(dir: Dir, guid: &str) -> Value {
    let common = json!({
        "Guid": guid,
        "Enabled": true,
        "Comment": null,
        "ConnectorType": "OnPremises",
        "ConnectorSource": "Default",
        "CloudServicesMailEnabled": false,
    });
    let own = match dir {
        Dir::Inbound => json!({
            "SenderDomains": [],
            "SenderIPAddresses": [],
            "TrustedOrganizations": [],
            "AssociatedAcceptedDomains": [],
            "RequireTls": true,
            "RestrictDomainsToCertificate": false,
            "RestrictDomainsToIPAddresses": false,
            "TlsSenderCertificateName": null,
            "TreatMessagesAsInternal": false,
            "EFSkipIPs": [],
            "EFSkipLastIP": false,
            "EFUsers": [],
            "ClientHostNames": [],
        }),
        Dir::Outbound => json!({
            "RecipientDomains": [],
            "SmartHosts": [],
            "UseMXRecord": true,
            "TlsSettings": null,
            "TlsDomain": null,
            "IsTransportRuleScoped": false,
            "RouteAllMessagesViaOnPremises": false,
            "AllAcceptedDomains": false,
            "SenderRewritingEnabled": false,
            "TestMode": false,
            "MtaStsMode": "Opportunistic",
            "SmtpDaneMode": "Opportunistic",
            "IsValidated": false,
            "LastValidationTimestamp": null,
            "ValidationRecipients": [],
            "LinkForModifiedConnector": null,
        }),
    };
    let mut m = common.as_object().cloned().unwrap_or_default();
    m.extend(own.as_object().cloned().unwrap_or_default());
    Value::Object(m)
}

mod rules;
use rules::*;

/// Connectors of `dir` whose Guid or Name is `identity` (case-insensitive); every one for `None`.
fn matching(inv: &Invocation<'_>, dir: Dir, identity: Option<&str>) -> Vec<(String, Value)> {
    inv.st
        .with_store(&inv.ctx.tenant, |s| s.children(dir.prefix()))
        .into_iter()
        .filter(|(_, o)| {
            identity.is_none_or(|id| {
                o["Guid"]
                    .as_str()
                    .is_some_and(|g| g.eq_ignore_ascii_case(id))
                    || o["Name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(id))
            })
        })
        .collect()
}

fn identity<'a>(inv: &'a Invocation<'_>) -> Option<&'a str> {
    inv.params.get("Identity").and_then(Value::as_str)
}

fn not_found(dir: Dir, id: &str) -> ExchangeError {
    ExchangeError::not_found(id, dir.noun())
}

fn duplicate(name: &str) -> ExchangeError {
    let mut e = ExchangeError::new(
        StatusCode::BAD_REQUEST,
        "AlreadyExists",
        "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
        format!("A connector with the name '{name}' already exists. Choose another name."),
    );
    e.target = Some("Name".into());
    e
}

/// The connector with `params` (every one but `Identity`) applied. `SenderDomains` are stored
/// in address-space form; a `null` clears a property.
fn apply(mut o: Value, params: &Map<String, Value>) -> Value {
    for (k, v) in params {
        if k == "Identity" || SWITCHES.contains(&k.as_str()) {
            continue;
        }
        let v = match (k.as_str(), v) {
            ("SenderDomains", Value::Array(a)) => Value::Array(
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|d| Value::String(address_space(d)))
                    .collect(),
            ),
            // A list cleared with $null reads back as an empty list.
            (_, Value::Null) if o[k].is_array() => json!([]),
            // A certificate domain reads back lowercase (API-NOTES.md#exchange-connectors).
            ("TlsSenderCertificateName", Value::String(c)) => json!(c.to_ascii_lowercase()),
            _ => v.clone(),
        };
        o[k] = v;
    }
    if let Some(n) = o["Name"].as_str() {
        o["Identity"] = json!(n);
    }
    o
}

fn warnings(dir: Dir, o: &Value) -> Vec<String> {
    if dir == Dir::Inbound && o["ConnectorType"] == "Partner" && o["RequireTls"] == false {
        vec![NO_TLS_WARNING.to_string()]
    } else {
        Vec::new()
    }
}

/// `Get-OutboundConnector`'s filters: a connector is listed only when its `TestMode` is
/// `IncludeTestModeConnectors` and its `IsTransportRuleScoped` is `IsTransportRuleScoped`, each
/// `$false` when left out (API-NOTES.md#exchange-outbound-filters).
fn listed(inv: &Invocation<'_>, dir: Dir, o: &Value) -> bool {
    if dir == Dir::Inbound {
        return true;
    }
    let wants = |k: &str| inv.params.get(k).and_then(Value::as_bool).unwrap_or(false);
    o["TestMode"].as_bool().unwrap_or(false) == wants("IncludeTestModeConnectors")
        && o["IsTransportRuleScoped"].as_bool().unwrap_or(false) == wants("IsTransportRuleScoped")
}

fn get(inv: &Invocation<'_>, dir: Dir) -> ExchangeResult {
    let id = identity(inv);
    let mut found: Vec<(String, Value)> = matching(inv, dir, id);
    // The reference's caution: a `$null` or non-existent Identity returns every connector, as
    // a Get without Identity does (API-NOTES.md#exchange-connectors).
    if found.is_empty() {
        found = matching(inv, dir, None);
    }
    let found: Vec<Value> = found
        .into_iter()
        .map(|(_, o)| o)
        .filter(|o| listed(inv, dir, o))
        .collect();
    Ok(objects_response(
        inv.st,
        &inv.ctx.tenant,
        project(found, &inv.select),
        vec![],
    ))
}

fn name_taken(inv: &Invocation<'_>, dir: Dir, name: &str, except: Option<&str>) -> bool {
    matching(inv, dir, None).iter().any(|(_, o)| {
        o["Name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && except.is_none_or(|g| o["Guid"].as_str() != Some(g))
    })
}

fn new(inv: &Invocation<'_>, dir: Dir) -> ExchangeResult {
    let guid = new_guid();
    let o = apply(defaults(dir, &guid), inv.params);
    check(dir, &o)?;
    check_accepted(inv, &o)?;
    let name = o["Name"].as_str().unwrap_or_default().to_string();
    let path = match dir {
        Dir::Inbound => inbound_path(&guid),
        Dir::Outbound => outbound_path(&guid),
    };
    // Check and create under one lock: two concurrent News of one name make one connector.
    let created = inv.st.with_store(&inv.ctx.tenant, |s| {
        let taken = s.children(dir.prefix()).iter().any(|(_, c)| {
            c["Name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        });
        if !taken && !inv.what_if() {
            s.create(&path, o.clone());
        }
        !taken
    });
    if !created {
        return Err(duplicate(&name));
    }
    if inv.what_if() {
        return Ok(objects_response(inv.st, &inv.ctx.tenant, vec![], vec![]));
    }
    let w = warnings(dir, &o);
    Ok(objects_response(
        inv.st,
        &inv.ctx.tenant,
        project(vec![o], &inv.select),
        w,
    ))
}

fn set(inv: &Invocation<'_>, dir: Dir) -> ExchangeResult {
    let id = identity(inv).unwrap_or_default();
    let found = matching(inv, dir, Some(id));
    let [(path, old)] = found.as_slice() else {
        return Err(not_found(dir, id));
    };
    let o = apply(old.clone(), inv.params);
    check(dir, &o)?;
    check_accepted(inv, &o)?;
    let name = o["Name"].as_str().unwrap_or_default();
    if name_taken(inv, dir, name, old["Guid"].as_str()) {
        return Err(duplicate(name));
    }
    if !inv.what_if() {
        inv.st
            .with_store(&inv.ctx.tenant, |s| s.replace(path, o.clone()));
    }
    let w = warnings(dir, &o);
    Ok(objects_response(inv.st, &inv.ctx.tenant, vec![], w))
}

fn remove(inv: &Invocation<'_>, dir: Dir) -> ExchangeResult {
    let id = identity(inv).unwrap_or_default();
    let found = matching(inv, dir, Some(id));
    let [(path, _)] = found.as_slice() else {
        return Err(not_found(dir, id));
    };
    if !inv.what_if() {
        inv.st.with_store(&inv.ctx.tenant, |s| s.remove(path));
    }
    Ok(objects_response(inv.st, &inv.ctx.tenant, vec![], vec![]))
}
