//! `Get/New/Set/Remove-OrganizationRelationship`: free/busy, MailTips and photo sharing with
//! another organization. Facts: exo-cmdlets (the cmdlet pages);
//! API-NOTES.md#exchange-organization-relationship.
//!
//! * Stored at `/exchange/organizationRelationships/<guid>` as the object `Get` returns
//!   (every property, unset ones `null` or their service default).
//! * `Identity` is the Guid or the Name (case-insensitive). `Get` with an `Identity` matching
//!   nothing returns **every** relationship (the docs' caution), so a client must filter by
//!   Guid; `Set` / `Remove` with one answer `ManagementObjectNotFoundException`.
//! * `Name` is unique (case-insensitive) and at most 64 characters; each domain belongs to one
//!   relationship at most; `DomainNames` holds 1 to 238 domains or tenant IDs (GUIDs:
//!   API-NOTES.md#exchange-orgrel-tenant-id); the endpoint URIs must be absolute http(s) URIs;
//!   `OrganizationContact` is an SMTP address.
//! * Mailbox moves: `MailboxMoveCapability` is a flags enum (`"Inbound, RemoteOutbound"`),
//!   answered in declaration order, `None` when cleared; `MailboxMovePublishedScopes` are groups
//!   and need an outbound capability; `OAuthApplicationId` is a Guid
//!   (API-NOTES.md#exchange-orgrel-mailbox-move).
//! * The scopes are groups ([`group`]): resolved by any identity form, refused when they name
//!   none, stored and answered as the group's distinguished name; the endpoint URIs are stored
//!   normalised. So what a client reads back is the same thing in another spelling.
//! * A `Set` that changes nothing succeeds with the warning Exchange gives for it in
//!   `@adminapi.warnings`; `Set` refuses `$null` for `Name` and `DomainNames`.
//! * `-WhatIf` checks and changes nothing; `-Confirm` (and `-Force` on Set) are accepted.

use serde_json::{json, Map, Value};

use super::cmdlet::{flag_members, project, Cmdlet, Invocation, PTy, Param, SWITCHES};
use super::envelope::{objects_response, ExchangeError, ExchangeResult};
use super::group;
use crate::emulator::util::{is_domain_name, is_guid, new_guid};
use axum::http::StatusCode;
use axum::response::Response;

/// Where the relationships of a tenant live in its store.
pub const COLLECTION: &str = "/exchange/organizationRelationships";

const FREE_BUSY_LEVELS: &[&str] = &["None", "AvailabilityOnly", "LimitedDetails"];
const MAIL_TIPS_LEVELS: &[&str] = &["All", "Limited", "None"];
const MOVE_CAPABILITIES: &[&str] = &["Inbound", "Outbound", "RemoteInbound", "RemoteOutbound"];
/// Documented limit of `DomainNames` values per request.
const MAX_DOMAINS: usize = 238;
const MAX_NAME: usize = 64;

/// The parameters New and Set share (all optional), in the documented order. `DomainController`
/// is on-premises only: not listed, so it is an unknown parameter, as in Exchange Online.
macro_rules! shared_params {
    ($($extra:expr),* $(,)?) => {
        &[
            $($extra,)*
            Param::optional("ArchiveAccessEnabled", PTy::Bool),
            Param::optional("DeliveryReportEnabled", PTy::Bool),
            Param::optional("Enabled", PTy::Bool),
            Param::optional("FreeBusyAccessEnabled", PTy::Bool),
            Param::optional("FreeBusyAccessLevel", PTy::Enum(FREE_BUSY_LEVELS)),
            Param::optional("FreeBusyAccessScope", PTy::Str),
            Param::optional("MailboxMoveCapability", PTy::Flags(MOVE_CAPABILITIES)),
            Param::optional("MailboxMoveEnabled", PTy::Bool),
            Param::optional("MailboxMovePublishedScopes", PTy::Multi),
            Param::optional("MailTipsAccessEnabled", PTy::Bool),
            Param::optional("MailTipsAccessLevel", PTy::Enum(MAIL_TIPS_LEVELS)),
            Param::optional("MailTipsAccessScope", PTy::Str),
            Param::optional("OAuthApplicationId", PTy::Str),
            Param::optional("OrganizationContact", PTy::Str),
            Param::optional("PhotosEnabled", PTy::Bool),
            Param::optional("TargetApplicationUri", PTy::Str),
            Param::optional("TargetAutodiscoverEpr", PTy::Str),
            Param::optional("TargetOwaURL", PTy::Str),
            Param::optional("TargetSharingEpr", PTy::Str),
        ]
    };
}

pub static CMDLETS: &[Cmdlet] = &[
    Cmdlet {
        name: "Get-OrganizationRelationship",
        params: &[Param::optional("Identity", PTy::Str)],
        run: get,
    },
    Cmdlet {
        name: "New-OrganizationRelationship",
        params: shared_params!(
            Param::required("Name", PTy::Str),
            Param::required("DomainNames", PTy::Multi),
            Param::switch("Confirm"),
            Param::switch("WhatIf"),
        ),
        run: new,
    },
    Cmdlet {
        name: "Set-OrganizationRelationship",
        params: shared_params!(
            Param::required("Identity", PTy::Str),
            // A relationship always has a name and domains: `$null` is refused
            // (API-NOTES.md#exchange-organization-relationship).
            Param::not_null("Name", PTy::Str),
            Param::not_null("DomainNames", PTy::Multi),
            Param::switch("Force"),
            Param::switch("Confirm"),
            Param::switch("WhatIf"),
        ),
        run: set,
    },
    Cmdlet {
        name: "Remove-OrganizationRelationship",
        params: &[
            Param::required("Identity", PTy::Str),
            Param::switch("Confirm"),
            Param::switch("WhatIf"),
        ],
        run: remove,
    },
];

/// A new relationship as `Get` shows it before any parameter is applied: the documented
/// defaults (`Enabled` true, other switches false, access levels `None`).
fn defaults(guid: &str) -> Value {
    json!({
        "Identity": null,
        "Name": null,
        "DomainNames": [],
        "ArchiveAccessEnabled": false,
        "DeliveryReportEnabled": false,
        "Enabled": true,
        "FreeBusyAccessEnabled": false,
        "FreeBusyAccessLevel": "None",
        "FreeBusyAccessScope": null,
        "MailboxMoveCapability": "None",
        "MailboxMoveEnabled": false,
        "MailboxMovePublishedScopes": [],
        "MailTipsAccessEnabled": false,
        "MailTipsAccessLevel": "None",
        "MailTipsAccessScope": null,
        "OAuthApplicationId": null,
        "OrganizationContact": null,
        "PhotosEnabled": false,
        "TargetApplicationUri": null,
        "TargetAutodiscoverEpr": null,
        "TargetOwaURL": null,
        "TargetSharingEpr": null,
        "Guid": guid,
        "ObjectClass": ["top", "msExchFedSharingRelationship"],
    })
}

/// A 200 answer with the objects (as `$select` projects them) and the warnings.
fn respond(inv: &Invocation<'_>, value: Vec<Value>, warnings: Vec<String>) -> Response {
    objects_response(
        inv.st,
        &inv.ctx.tenant,
        project(value, &inv.select),
        warnings,
    )
}

fn all(inv: &Invocation<'_>) -> Vec<(String, Value)> {
    inv.st
        .with_store(&inv.ctx.tenant, |s| s.children(COLLECTION))
}

/// The relationships `identity` names: by Guid, else by Name (case-insensitive).
fn matching(objects: &[(String, Value)], identity: &str) -> Vec<(String, Value)> {
    objects
        .iter()
        .filter(|(_, o)| {
            let by = if is_guid(identity) { "Guid" } else { "Name" };
            o[by]
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case(identity))
        })
        .cloned()
        .collect()
}

/// The one relationship `Set` / `Remove` act on.
fn one(inv: &Invocation<'_>) -> Result<(String, Value), ExchangeError> {
    let identity = inv.params["Identity"].as_str().unwrap_or_default();
    matching(&all(inv), identity)
        .into_iter()
        .next()
        .ok_or_else(|| ExchangeError::not_found(identity, "organization relationships"))
}

fn get(inv: &Invocation<'_>) -> ExchangeResult {
    let objects = all(inv);
    let found = match inv.params.get("Identity").and_then(Value::as_str) {
        // The docs' caution: an Identity that matches nothing returns every relationship.
        Some(id) => match matching(&objects, id) {
            m if m.is_empty() => objects,
            m => m,
        },
        None => objects,
    };
    Ok(respond(
        inv,
        found.into_iter().map(|(_, o)| o).collect(),
        Vec::new(),
    ))
}

fn is_domain(s: &str) -> bool {
    s.len() <= 253 && is_domain_name(s)
}

fn is_absolute_uri(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// The documented value rules of the parameters present in `p`.
fn check_values(p: &Map<String, Value>) -> Result<(), ExchangeError> {
    if let Some(name) = p.get("Name").and_then(Value::as_str) {
        if name.trim().is_empty() {
            return Err(ExchangeError::invalid(
                "Name",
                "The Name property can't be empty.".into(),
            ));
        }
        let n = name.chars().count();
        if n > MAX_NAME {
            return Err(ExchangeError::invalid(
                "Name",
                format!("The length of the property is too long. The maximum length is {MAX_NAME} and the length of the value provided is {n}."),
            ));
        }
    }
    if let Some(Value::Array(domains)) = p.get("DomainNames") {
        if domains.is_empty() {
            return Err(ExchangeError::invalid(
                "DomainNames",
                "The DomainNames property can't be empty.".into(),
            ));
        }
        if domains.len() > MAX_DOMAINS {
            return Err(ExchangeError::invalid(
                "DomainNames",
                format!(
                    "DomainNames can hold at most {MAX_DOMAINS} values; {} were given.",
                    domains.len()
                ),
            ));
        }
        for d in domains.iter().filter_map(Value::as_str) {
            if !(is_domain(d) || is_guid(d)) {
                return Err(ExchangeError::invalid(
                    "DomainNames",
                    format!("Cannot process argument transformation on parameter 'DomainNames'. \"{d}\" isn't a valid SMTP domain."),
                ));
            }
        }
    }
    for uri in ["TargetAutodiscoverEpr", "TargetSharingEpr", "TargetOwaURL"] {
        if let Some(s) = p.get(uri).and_then(Value::as_str) {
            if !is_absolute_uri(s) {
                return Err(ExchangeError::invalid(
                    uri,
                    format!("Cannot process argument transformation on parameter '{uri}'. Invalid URI: \"{s}\" is not an absolute http or https URI."),
                ));
            }
        }
    }
    if let Some(s) = p.get("TargetApplicationUri").and_then(Value::as_str) {
        if s.is_empty() || s.chars().any(char::is_whitespace) {
            return Err(ExchangeError::invalid(
                "TargetApplicationUri",
                format!("Cannot process argument transformation on parameter 'TargetApplicationUri'. Invalid URI: \"{s}\"."),
            ));
        }
    }
    if let Some(s) = p.get("OAuthApplicationId").and_then(Value::as_str) {
        if !is_guid(s) {
            return Err(ExchangeError::invalid(
                "OAuthApplicationId",
                format!("\"{s}\" isn't a valid application ID: use the Guid of the mailbox migration application."),
            ));
        }
    }
    if let Some(s) = p.get("OrganizationContact").and_then(Value::as_str) {
        let ok = s
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && is_domain(domain));
        if !ok {
            return Err(ExchangeError::invalid(
                "OrganizationContact",
                format!("Cannot process argument transformation on parameter 'OrganizationContact'. \"{s}\" isn't a valid SMTP address."),
            ));
        }
    }
    Ok(())
}

/// The mailbox-move settings of a relationship as a New or Set leaves it: published scopes
/// only with an outbound capability (API-NOTES.md#exchange-orgrel-mailbox-move).
fn check_mailbox_move(o: &Value) -> Result<(), ExchangeError> {
    let scoped = o["MailboxMovePublishedScopes"]
        .as_array()
        .is_some_and(|a| !a.is_empty());
    let capability = o["MailboxMoveCapability"].as_str().unwrap_or("None");
    let outbound = flag_members(capability)
        .iter()
        .any(|m| matches!(*m, "Outbound" | "RemoteOutbound"));
    if scoped && !outbound {
        return Err(ExchangeError::invalid(
            "MailboxMovePublishedScopes",
            format!("MailboxMovePublishedScopes can be set only when MailboxMoveCapability includes Outbound or RemoteOutbound; it is '{capability}'."),
        ));
    }
    Ok(())
}

/// Names and domains are unique across a tenant's relationships (`except`: the one being set).
fn check_unique(
    objects: &[(String, Value)],
    except: Option<&str>,
    p: &Map<String, Value>,
) -> Result<(), ExchangeError> {
    let others = objects
        .iter()
        .filter(|(path, _)| Some(path.as_str()) != except);
    for (_, o) in others {
        let other = o["Name"].as_str().unwrap_or_default();
        if let Some(name) = p.get("Name").and_then(Value::as_str) {
            if other.eq_ignore_ascii_case(name) {
                let mut e = ExchangeError::new(
                    StatusCode::BAD_REQUEST,
                    "ObjectAlreadyExists",
                    "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
                    format!("An organization relationship named '{name}' already exists. Choose another name."),
                );
                e.target = Some("Name".into());
                return Err(e);
            }
        }
        let theirs = o["DomainNames"].as_array().cloned().unwrap_or_default();
        for d in p
            .get("DomainNames")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if theirs
                .iter()
                .filter_map(Value::as_str)
                .any(|t| t.eq_ignore_ascii_case(d))
            {
                return Err(ExchangeError::invalid(
                    "DomainNames",
                    format!("The domain '{d}' is already used by the organization relationship '{other}'."),
                ));
            }
        }
    }
    Ok(())
}

/// The parameters as Exchange stores them: a group by its distinguished name, whatever form
/// named it (API-NOTES.md#exchange-groups); a URI normalised as .NET's `Uri` prints it
/// (scheme and host lowercase, no default port, `/` for an empty path:
/// API-NOTES.md#exchange-orgrel-uri).
fn stored_values(
    inv: &Invocation<'_>,
    p: &Map<String, Value>,
) -> Result<Map<String, Value>, ExchangeError> {
    let mut out = p.clone();
    for k in ["FreeBusyAccessScope", "MailTipsAccessScope"] {
        if let Some(id) = p.get(k).and_then(Value::as_str) {
            out.insert(k.into(), Value::String(group::stored_form(inv, k, id)?));
        }
    }
    if let Some(Value::Array(scopes)) = p.get("MailboxMovePublishedScopes") {
        let mut dns = Vec::new();
        for id in scopes.iter().filter_map(Value::as_str) {
            dns.push(Value::String(group::stored_form(
                inv,
                "MailboxMovePublishedScopes",
                id,
            )?));
        }
        out.insert("MailboxMovePublishedScopes".into(), Value::Array(dns));
    }
    match p.get("MailboxMoveCapability") {
        // Printed as .NET prints a flags enum: the members in declaration order.
        Some(Value::String(c)) => {
            let given = flag_members(c);
            let members: Vec<&str> = MOVE_CAPABILITIES
                .iter()
                .copied()
                .filter(|m| given.contains(m))
                .collect();
            out.insert("MailboxMoveCapability".into(), json!(members.join(", ")));
        }
        Some(Value::Null) => {
            out.insert("MailboxMoveCapability".into(), json!("None"));
        }
        _ => {}
    }
    if p.get("MailboxMovePublishedScopes") == Some(&Value::Null) {
        out.insert("MailboxMovePublishedScopes".into(), json!([]));
    }
    for k in ["TargetAutodiscoverEpr", "TargetSharingEpr", "TargetOwaURL"] {
        if let Some(u) = p
            .get(k)
            .and_then(Value::as_str)
            .and_then(|s| url::Url::parse(s).ok())
        {
            out.insert(k.into(), Value::String(u.to_string()));
        }
    }
    Ok(out)
}

/// Applies parameters to a stored object; `true` if any property changed.
fn apply(obj: &mut Value, p: &Map<String, Value>) -> bool {
    let mut changed = false;
    for (k, v) in p {
        if k == "Identity" || SWITCHES.contains(&k.as_str()) {
            continue;
        }
        if obj[k.as_str()] != *v {
            obj[k.as_str()] = v.clone();
            changed = true;
        }
    }
    obj["Identity"] = obj["Name"].clone();
    changed
}

fn new(inv: &Invocation<'_>) -> ExchangeResult {
    check_values(inv.params)?;
    let objects = all(inv);
    check_unique(&objects, None, inv.params)?;
    let params = stored_values(inv, inv.params)?;
    let guid = new_guid();
    let mut obj = defaults(&guid);
    apply(&mut obj, &params);
    check_mailbox_move(&obj)?;
    if inv.what_if() {
        return Ok(respond(inv, Vec::new(), Vec::new()));
    }
    let path = format!("{COLLECTION}/{guid}");
    inv.st
        .with_store(&inv.ctx.tenant, |s| s.create(&path, obj.clone()));
    Ok(respond(inv, vec![obj], Vec::new()))
}

fn set(inv: &Invocation<'_>) -> ExchangeResult {
    check_values(inv.params)?;
    let (path, mut obj) = one(inv)?;
    check_unique(&all(inv), Some(&path), inv.params)?;
    let params = stored_values(inv, inv.params)?;
    let identity = obj["Identity"].as_str().unwrap_or_default().to_string();
    let changed = apply(&mut obj, &params);
    check_mailbox_move(&obj)?;
    if !changed {
        return Ok(respond(
            inv,
            Vec::new(),
            vec![format!("The command completed successfully but no settings of '{identity}' have been modified.")],
        ));
    }
    if !inv.what_if() {
        inv.st
            .with_store(&inv.ctx.tenant, |s| s.replace(&path, obj));
    }
    Ok(respond(inv, Vec::new(), Vec::new()))
}

fn remove(inv: &Invocation<'_>) -> ExchangeResult {
    let (path, _) = one(inv)?;
    if !inv.what_if() {
        inv.st.with_store(&inv.ctx.tenant, |s| s.remove(&path));
    }
    Ok(respond(inv, Vec::new(), Vec::new()))
}
