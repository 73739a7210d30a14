//! The documented rules a connector must keep, checked on the object as it would be after the
//! cmdlet (so a `Set` cannot break them either): names, domains with a leading `*.` wildcard
//! only, IPv4 sender addresses with CIDR /24 to /32, smart hosts when `UseMXRecord` is false,
//! OnPremises-only switches, accepted domains (API-NOTES.md#exchange-connectors).

use std::net::Ipv4Addr;

use serde_json::Value;

use super::super::cmdlet::Invocation;
use super::super::envelope::ExchangeError;
use super::*;

/// A domain as connectors take it: `contoso.com` or `*.contoso.com`; a wildcard anywhere else
/// (`domain.*.contoso.com`) is invalid. `star` also allows `*` alone (every domain,
/// the historical default of `SenderDomains`).
pub(super) fn domain_ok(s: &str, star: bool) -> bool {
    if star && s == "*" {
        return true;
    }
    is_domain_name(s.strip_prefix("*.").unwrap_or(s))
}

/// IPv4, single or CIDR /24 to /32 (`SenderIPAddresses`: IPv6 and ranges unsupported).
pub(super) fn sender_ip_ok(s: &str) -> bool {
    match s.split_once('/') {
        None => s.parse::<Ipv4Addr>().is_ok(),
        Some((ip, bits)) => {
            ip.parse::<Ipv4Addr>().is_ok()
                && bits.parse::<u8>().is_ok_and(|b| (24..=32).contains(&b))
        }
    }
}

/// A smart host: FQDN, single IPv4 or IPv4 CIDR.
pub(super) fn smart_host_ok(s: &str) -> bool {
    let ip = match s.split_once('/') {
        None => s.parse::<Ipv4Addr>().is_ok(),
        Some((ip, bits)) => {
            ip.parse::<Ipv4Addr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 32)
        }
    };
    ip || (domain_ok(s, false) && !s.starts_with("*."))
}

pub(super) fn strings(o: &Value, k: &str) -> Vec<String> {
    o[k].as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `SenderDomains` in the address-space form Exchange reads them back in: `smtp:<domain>;1`.
pub(super) fn address_space(d: &str) -> String {
    if d.starts_with("smtp:") {
        d.to_string()
    } else {
        format!("smtp:{d};1")
    }
}

pub(super) fn bare_domain(d: &str) -> &str {
    let d = d.strip_prefix("smtp:").unwrap_or(d);
    d.rsplit_once(';').map_or(d, |(d, _)| d)
}

/// The documented rules, on the connector as it would be stored.
pub(super) fn check(dir: Dir, o: &Value) -> Result<(), ExchangeError> {
    let name = o["Name"].as_str().unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ExchangeError::invalid(
            "Name",
            "The Name can't be empty.".into(),
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ExchangeError::invalid(
            "Name",
            format!("The length of the property is too long. The maximum length is {MAX_NAME} and the length of the value provided is {}.", name.chars().count()),
        ));
    }
    let on_prem = o["ConnectorType"] == "OnPremises";
    let domains = |k: &str, star: bool| -> Result<(), ExchangeError> {
        for d in strings(o, k) {
            if !domain_ok(bare_domain(&d), star) {
                return Err(ExchangeError::invalid(
                    k,
                    format!("'{d}' isn't a valid domain. Only a leading wildcard is allowed, e.g. *.contoso.com."),
                ));
            }
        }
        Ok(())
    };
    match dir {
        Dir::Inbound => {
            if strings(o, "SenderDomains").is_empty() {
                return Err(ExchangeError::invalid(
                    "SenderDomains",
                    "SenderDomains can't be empty.".into(),
                ));
            }
            domains("SenderDomains", true)?;
            domains("TrustedOrganizations", false)?;
            domains("AssociatedAcceptedDomains", false)?;
            if let Some(c) = o["TlsSenderCertificateName"].as_str() {
                if !domain_ok(c, false) {
                    return Err(ExchangeError::invalid(
                        "TlsSenderCertificateName",
                        format!("'{c}' isn't a valid certificate name. Only a leading wildcard is allowed, e.g. *.contoso.com."),
                    ));
                }
            }
            for ip in strings(o, "SenderIPAddresses") {
                if !sender_ip_ok(&ip) {
                    return Err(ExchangeError::invalid(
                        "SenderIPAddresses",
                        format!("'{ip}' isn't valid. Use an IPv4 address or an IPv4 CIDR range from /24 to /32; IPv6 isn't supported."),
                    ));
                }
            }
            if o["TreatMessagesAsInternal"] == true
                && (!on_prem || o["CloudServicesMailEnabled"] == true)
            {
                return Err(ExchangeError::invalid(
                    "TreatMessagesAsInternal",
                    "TreatMessagesAsInternal can be $true only on an OnPremises connector without CloudServicesMailEnabled.".into(),
                ));
            }
        }
        Dir::Outbound => {
            domains("RecipientDomains", false)?;
            if let Some(d) = o["TlsDomain"].as_str() {
                if !domain_ok(d, false) {
                    return Err(ExchangeError::invalid(
                        "TlsDomain",
                        format!("'{d}' isn't a valid domain."),
                    ));
                }
            }
            let hosts = strings(o, "SmartHosts");
            if let Some(h) = hosts.iter().find(|h| !smart_host_ok(h)) {
                return Err(ExchangeError::invalid(
                    "SmartHosts",
                    format!("'{h}' isn't a valid smart host. Use a fully qualified domain name, an IPv4 address or an IPv4 CIDR range."),
                ));
            }
            if o["UseMXRecord"] == false && hosts.is_empty() {
                return Err(ExchangeError::invalid(
                    "SmartHosts",
                    "SmartHosts is required when UseMXRecord is $false.".into(),
                ));
            }
            for k in [
                "RouteAllMessagesViaOnPremises",
                "AllAcceptedDomains",
                "SenderRewritingEnabled",
            ] {
                if o[k] == true && !on_prem {
                    return Err(ExchangeError::invalid(
                        k,
                        format!("{k} can be $true only when ConnectorType is OnPremises."),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `AssociatedAcceptedDomains` must be accepted domains of the tenant (the reference), which
/// here is its default domain alone (API-NOTES.md#exchange-accepted-domain).
pub(super) fn check_accepted(inv: &Invocation<'_>, o: &Value) -> Result<(), ExchangeError> {
    let accepted = inv
        .st
        .signin_tenant(&inv.ctx.tenant)
        .map(|t| t.default_domain.clone())
        .unwrap_or_default();
    match strings(o, "AssociatedAcceptedDomains")
        .into_iter()
        .find(|d| !d.eq_ignore_ascii_case(&accepted))
    {
        Some(d) => Err(ExchangeError::invalid(
            "AssociatedAcceptedDomains",
            format!("'{d}' isn't an accepted domain of this organization."),
        )),
        None => Ok(()),
    }
}
