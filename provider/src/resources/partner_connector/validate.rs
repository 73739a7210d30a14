//! Plan-time validation of a connector's configuration: every rule the cmdlet reference
//! documents, so a bad configuration fails at plan, naming the attribute, before any request.
//! Unknown values ("known after apply") are checked once they are known.

use super::model::INBOUND;
use super::{INBOUND_ONLY, OUTBOUND_ONLY};
use crate::framework::{AttrPath, Diagnostics, Value};
use std::net::Ipv4Addr;

/// Names: at most 64 characters (New-OutboundConnector; assumed for inbound too).
pub const MAX_NAME: usize = 64;

fn at(name: &str) -> AttrPath {
    AttrPath::root().attr(name)
}

/// A domain with at most a leading `*.` wildcard (`*.contoso.com`); `domain.*.contoso.com` and
/// `*contoso.com` are invalid.
pub fn is_connector_domain(s: &str, wildcard: bool) -> bool {
    let d = match s.strip_prefix("*.") {
        Some(rest) if wildcard => rest,
        _ => s,
    };
    crate::framework::validators::is_domain_name(d)
}

/// An IPv4 address, or an IPv4 CIDR range whose prefix length is within `bits`.
fn is_ipv4(s: &str, bits: std::ops::RangeInclusive<u8>) -> bool {
    match s.split_once('/') {
        None => s.parse::<Ipv4Addr>().is_ok(),
        Some((ip, len)) => {
            ip.parse::<Ipv4Addr>().is_ok() && len.parse::<u8>().is_ok_and(|b| bits.contains(&b))
        }
    }
}

/// The known strings of a set attribute (unknown elements skipped).
fn strings(v: &Value) -> Vec<&str> {
    v.elements().iter().filter_map(Value::as_str).collect()
}

fn check_domains(config: &Value, attr: &str, wildcard: bool, diags: &mut Diagnostics) {
    for d in strings(config.get(attr)) {
        if !is_connector_domain(d, wildcard) {
            let hint = if wildcard {
                "a domain such as fabrikam.com, or *.fabrikam.com for its subdomains (a wildcard only as the leading \"*.\")"
            } else {
                "a domain such as fabrikam.onmicrosoft.com, without wildcards"
            };
            diags.error_at(
                &at(attr),
                format!("Invalid value for {attr}"),
                format!("{d:?} is not {hint}."),
            );
        }
    }
}

fn set(config: &Value, attr: &str) -> bool {
    !config.get(attr).is_null()
}

fn is_true(config: &Value, attr: &str) -> bool {
    config.get(attr).as_bool() == Some(true)
}

/// Every rule on a resource's configuration (see the module docs).
pub fn config(config: &Value, diags: &mut Diagnostics) {
    let Some(direction) = config.get("direction").as_str() else {
        return;
    };
    let inbound = direction == INBOUND;
    let (other, other_direction) = if inbound {
        (OUTBOUND_ONLY, "outbound")
    } else {
        (INBOUND_ONLY, "inbound")
    };
    for a in other {
        if set(config, a) {
            diags.error_at(
                &at(a),
                "Argument of the other direction",
                format!("\"{a}\" applies only to {other_direction} connectors; this one has direction = \"{direction}\". Remove it, or use another coexistence_partner_connector for the {other_direction} side."),
            );
        }
    }

    if config.get("comment").as_str() == Some("") {
        diags.error_at(
            &at("comment"),
            "Invalid value for comment",
            "An empty comment reads back as none: omit comment instead.",
        );
    }

    if inbound {
        let domains = config.get("sender_domains");
        if domains.is_null() || (domains.is_wholly_known() && domains.elements().is_empty()) {
            diags.error_at(
                &at("sender_domains"),
                "Missing required argument",
                "An inbound connector needs sender_domains: the partner's domains whose mail it accepts (New-InboundConnector requires SenderDomains).",
            );
        }
        check_domains(config, "sender_domains", true, diags);
        check_domains(config, "trusted_organizations", false, diags);
        check_domains(config, "associated_accepted_domains", false, diags);
        if is_true(config, "treat_messages_as_internal") {
            diags.error_at(
                &at("treat_messages_as_internal"),
                "Invalid value for treat_messages_as_internal",
                "Exchange accepts treat_messages_as_internal = true only on OnPremises connectors (and without cloud_services_mail_enabled); this resource manages Partner connectors, so it must be false.",
            );
        }
        if let Some(c) = config.get("tls_sender_certificate_name").as_str() {
            if !is_connector_domain(c, true) {
                diags.error_at(
                    &at("tls_sender_certificate_name"),
                    "Invalid value for tls_sender_certificate_name",
                    format!("{c:?} is not a certificate name such as *.protection.outlook.com (a wildcard only as the leading \"*.\")."),
                );
            }
        }
        for ip in strings(config.get("sender_ip_addresses")) {
            if !is_ipv4(ip, 24..=32) {
                diags.error_at(
                    &at("sender_ip_addresses"),
                    "Invalid value for sender_ip_addresses",
                    format!("{ip:?} is not an IPv4 address or an IPv4 CIDR range from /24 to /32 (IPv6 and address ranges are not supported)."),
                );
            }
        }
        if is_true(config, "restrict_domains_to_certificate")
            && config.get("tls_sender_certificate_name").is_null()
        {
            diags.error_at(
                &at("tls_sender_certificate_name"),
                "Missing required argument",
                "restrict_domains_to_certificate = true checks the sender's certificate against tls_sender_certificate_name: set it.",
            );
        }
        let ips = config.get("sender_ip_addresses");
        if is_true(config, "restrict_domains_to_ip_addresses")
            && (ips.is_null() || (ips.is_wholly_known() && ips.elements().is_empty()))
        {
            diags.error_at(
                &at("sender_ip_addresses"),
                "Missing required argument",
                "restrict_domains_to_ip_addresses = true rejects mail from addresses outside sender_ip_addresses: list the partner's addresses.",
            );
        }
    } else {
        check_domains(config, "recipient_domains", true, diags);
        for h in strings(config.get("smart_hosts")) {
            let fqdn = crate::framework::validators::is_domain_name(h);
            if !(fqdn || is_ipv4(h, 0..=32)) {
                diags.error_at(
                    &at("smart_hosts"),
                    "Invalid value for smart_hosts",
                    format!("{h:?} is not a fully qualified domain name, an IPv4 address or an IPv4 CIDR range."),
                );
            }
        }
        let hosts = config.get("smart_hosts");
        let no_hosts = hosts.is_null() || (hosts.is_wholly_known() && hosts.elements().is_empty());
        let has_hosts = !hosts.is_null() && hosts.is_wholly_known() && !hosts.elements().is_empty();
        match config.get("use_mx_record").as_bool() {
            Some(false) if no_hosts => diags.error_at(
                &at("smart_hosts"),
                "Missing required argument",
                "smart_hosts is required when use_mx_record is false (mail has to go somewhere).",
            ),
            Some(true) if has_hosts => diags.error_at(
                &at("use_mx_record"),
                "Conflicting configuration arguments",
                "use_mx_record = true delivers through MX records, so smart_hosts would be ignored: remove one of them.",
            ),
            _ => {}
        }
        if let Some(d) = config.get("tls_domain").as_str() {
            if !is_connector_domain(d, true) {
                diags.error_at(
                    &at("tls_domain"),
                    "Invalid value for tls_domain",
                    format!("{d:?} is not a domain such as mail.protection.outlook.com (a wildcard only as the leading \"*.\")."),
                );
            }
            let tls = config.get("tls_settings");
            if tls.is_known() && tls.as_str() != Some("DomainValidation") {
                diags.error_at(
                    &at("tls_domain"),
                    "tls_domain needs DomainValidation",
                    "tls_domain is used only with tls_settings = \"DomainValidation\": set that, or remove tls_domain.",
                );
            }
        }
    }
}
