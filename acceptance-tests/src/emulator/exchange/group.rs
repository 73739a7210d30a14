//! `Get-Group`: the tenant's groups, and how the other cmdlets resolve a group parameter
//! (`GroupIdParameter`: `FreeBusyAccessScope`, `MailTipsAccessScope`,
//! `MailboxMovePublishedScopes`). Facts: API-NOTES.md#exchange-groups.
//!
//! * Groups are seeded by tests ([`add_group`]), stored at `/exchange/groups/<guid>`; the
//!   emulated world has no cmdlet that makes them.
//! * An identity names a group by its Name, distinguished name, canonical DN or Guid
//!   (case-insensitive), as the pages list for `GroupIdParameter`.
//! * A group parameter is stored, and answered, as the group's distinguished name, whatever
//!   form was sent: a client must compare groups by identity, not by string.

use serde_json::{json, Value};

use super::cmdlet::{project, Cmdlet, Invocation, PTy, Param};
use super::envelope::{objects_response, ExchangeError, ExchangeResult};
use crate::emulator::state::Shared;
use crate::emulator::util::new_guid;
use axum::http::StatusCode;

/// Where a tenant's groups live in its store.
pub const COLLECTION: &str = "/exchange/groups";

/// The organizational units above a tenant's objects in Exchange Online (assumed layout).
const HOSTED: &str = "Microsoft Exchange Hosted Organizations";
const FOREST: &[&str] = &["NAMPR01A001", "PROD", "OUTLOOK", "COM"];

pub static CMDLETS: &[Cmdlet] = &[Cmdlet {
    name: "Get-Group",
    params: &[
        Param::optional("Identity", PTy::Str),
        Param::optional("ResultSize", PTy::Str),
    ],
    run: get,
}];

/// A mail-enabled security group `name` in `tenant`; the group as `Get-Group` shows it.
pub fn add_group(emu: &impl AsRef<Shared>, tenant: &str, name: &str) -> Value {
    add_group_of_type(emu, tenant, name, "MailUniversalSecurityGroup")
}

/// A group of another `RecipientTypeDetails` (e.g. `MailUniversalDistributionGroup`).
pub fn add_group_of_type(
    emu: &impl AsRef<Shared>,
    tenant: &str,
    name: &str,
    recipient_type: &str,
) -> Value {
    let st = emu.as_ref();
    let domain = st
        .signin_tenant(tenant)
        .map(|t| t.default_domain.clone())
        .unwrap_or_else(|| format!("{tenant}.onmicrosoft.com"));
    let guid = new_guid();
    let dn = distinguished_name(&domain, name);
    let g = json!({
        "Identity": name,
        "Name": name,
        "DisplayName": name,
        "DistinguishedName": dn,
        "Guid": guid,
        "ExternalDirectoryObjectId": new_guid(),
        "RecipientTypeDetails": recipient_type,
    });
    st.put_object(tenant, &format!("{COLLECTION}/{guid}"), g.clone());
    g
}

/// `CN=<name>,OU=<domain>,OU=Microsoft Exchange Hosted Organizations,DC=...`, the name
/// escaped as an RDN value.
pub fn distinguished_name(domain: &str, name: &str) -> String {
    let mut cn = String::new();
    for (i, c) in name.chars().enumerate() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && matches!(c, '#' | ' '))
        {
            cn.push('\\');
        }
        cn.push(c);
    }
    let dc: Vec<String> = FOREST.iter().map(|d| format!("DC={d}")).collect();
    format!("CN={cn},OU={domain},OU={HOSTED},{}", dc.join(","))
}

/// The canonical name of a distinguished name: the DC parts as a DNS name, then the other
/// RDN values from the top down, `/`-separated (a `/` in a value escaped as `\/`).
pub fn canonical_name(dn: &str) -> String {
    let mut rdns = Vec::new();
    let mut cur = String::new();
    let mut chars = dn.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' => rdns.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    rdns.push(cur);
    let (mut dcs, mut rest) = (Vec::new(), Vec::new());
    for r in rdns {
        match r.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("DC") => dcs.push(v.to_string()),
            Some((_, v)) => rest.push(v.replace('/', "\\/")),
            None => rest.push(r),
        }
    }
    rest.reverse();
    let mut out = dcs.join(".");
    for r in rest {
        out.push('/');
        out.push_str(&r);
    }
    out
}

/// Every form that names `g`.
fn forms(g: &Value) -> Vec<String> {
    let s = |k: &str| g[k].as_str().unwrap_or_default().to_string();
    let dn = s("DistinguishedName");
    vec![s("Name"), canonical_name(&dn), dn, s("Guid")]
}

/// The group of `tenant` that `identity` names, if any.
pub fn resolve(st: &Shared, tenant: &str, identity: &str) -> Option<Value> {
    let identity = identity.trim();
    let groups = st.with_store(tenant, |s| s.children(COLLECTION));
    groups.into_iter().map(|(_, g)| g).find(|g| {
        forms(g)
            .iter()
            .any(|f| !f.is_empty() && f.eq_ignore_ascii_case(identity))
    })
}

/// The value stored for the group parameter `param` sent as `identity`: the group's
/// distinguished name. An identity naming no group, or a group that is not a mail-enabled
/// security group, is refused on the parameter.
pub fn stored_form(
    inv: &Invocation<'_>,
    param: &str,
    identity: &str,
) -> Result<String, ExchangeError> {
    let Some(g) = resolve(inv.st, &inv.ctx.tenant, identity) else {
        let mut e = ExchangeError::new(
            StatusCode::BAD_REQUEST,
            "NotFound",
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
            format!("Couldn't find object \"{identity}\". Please make sure that it was spelled correctly or specify a different object."),
        );
        e.target = Some(param.to_string());
        return Err(e);
    };
    if g["RecipientTypeDetails"] != "MailUniversalSecurityGroup" {
        return Err(ExchangeError::invalid(
            param,
            format!("The group \"{identity}\" isn't a mail-enabled security group."),
        ));
    }
    Ok(g["DistinguishedName"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

fn get(inv: &Invocation<'_>) -> ExchangeResult {
    let found = match inv.params.get("Identity").and_then(Value::as_str) {
        Some(id) => match resolve(inv.st, &inv.ctx.tenant, id) {
            Some(g) => vec![g],
            None => return Err(ExchangeError::not_found(id, "groups")),
        },
        None => inv
            .st
            .with_store(&inv.ctx.tenant, |s| s.children(COLLECTION))
            .into_iter()
            .map(|(_, g)| g)
            .collect(),
    };
    Ok(objects_response(
        inv.st,
        &inv.ctx.tenant,
        project(found, &inv.select),
        Vec::new(),
    ))
}
