//! `Get-AcceptedDomain`: the tenant's accepted domains (here only its default domain). The one
//! real cmdlet so far: it proves the InvokeCommand pipeline end to end (parameters, `$select`,
//! result envelope), and connectors will check `AssociatedAcceptedDomains` against it.
//! API-NOTES.md#exchange-accepted-domain

use super::cmdlet::{project, Cmdlet, Invocation, PTy, Param};
use super::envelope::{objects_response, ExchangeError, ExchangeResult};
use serde_json::json;

pub static CMDLETS: &[Cmdlet] = &[Cmdlet {
    name: "Get-AcceptedDomain",
    params: &[
        Param::optional("Identity", PTy::Str),
        Param::optional("ResultSize", PTy::Str),
    ],
    run: get,
}];

fn get(inv: &Invocation<'_>) -> ExchangeResult {
    let Some(t) = inv.st.signin_tenant(&inv.ctx.tenant) else {
        return Err(ExchangeError::not_found(&inv.ctx.tenant, "tenant"));
    };
    let domain = &t.default_domain;
    if let Some(id) = inv.params.get("Identity").and_then(|v| v.as_str()) {
        if !id.eq_ignore_ascii_case(domain) {
            return Err(ExchangeError::not_found(id, "accepted domains"));
        }
    }
    let value = vec![json!({
        "Identity": domain,
        "Name": domain,
        "DomainName": domain,
        "DomainType": "Authoritative",
        "Default": true,
    })];
    Ok(objects_response(
        inv.st,
        &inv.ctx.tenant,
        project(value, &inv.select),
        Vec::new(),
    ))
}
