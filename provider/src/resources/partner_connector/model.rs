//! The Terraform model of a partner connector and its mapping to and from the cmdlets'
//! parameters and objects.
//!
//! Null means "Exchange's default" for every optional argument: a create sends the default
//! explicitly (so what Exchange stores never depends on an undocumented server default), an
//! update from a value to null sends the default, and a read shows a remote value equal to the
//! default as null when state had null (import included). Any other remote value shows as it
//! is, so drift on any attribute is a diff on that attribute.

use crate::framework::{typed, Diagnostics, Value};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

pub const INBOUND: &str = "inbound";
pub const OUTBOUND: &str = "outbound";
pub const PARTNER: &str = "Partner";

/// Defaults of the booleans (cmdlet reference, New-InboundConnector / New-OutboundConnector).
pub const ENABLED_DEFAULT: bool = true;
/// The reference lists `$true` as RequireTls's default.
pub const REQUIRE_TLS_DEFAULT: bool = true;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Connector {
    /// Computed: the connector's Guid.
    pub id: Option<String>,
    pub direction: String,
    pub name: String,
    pub enabled: Option<bool>,
    pub comment: Option<String>,
    /// Computed: always `Partner` once applied (modify_plan plans it).
    pub connector_type: Option<String>,
    // outbound
    pub recipient_domains: Option<Vec<String>>,
    pub smart_hosts: Option<Vec<String>>,
    pub use_mx_record: Option<bool>,
    pub tls_settings: Option<String>,
    pub tls_domain: Option<String>,
    // inbound
    pub sender_domains: Option<Vec<String>>,
    pub trusted_organizations: Option<Vec<String>>,
    pub require_tls: Option<bool>,
    pub restrict_domains_to_certificate: Option<bool>,
    pub tls_sender_certificate_name: Option<String>,
    pub sender_ip_addresses: Option<Vec<String>>,
    pub restrict_domains_to_ip_addresses: Option<bool>,
}

impl Connector {
    pub fn from_value(v: &Value) -> Result<Connector, Diagnostics> {
        typed::from_value(&super::schema(), v)
    }

    pub fn to_value(&self) -> Result<Value, Diagnostics> {
        typed::to_value(&super::schema(), self)
    }

    pub fn inbound(&self) -> bool {
        self.direction == INBOUND
    }

    /// `InboundConnector` or `OutboundConnector`: the cmdlets' noun.
    pub fn noun(&self) -> &'static str {
        if self.inbound() {
            "InboundConnector"
        } else {
            "OutboundConnector"
        }
    }

    /// "the inbound connector \"From Contoso\"", for messages.
    pub fn what(&self) -> String {
        format!("the {} connector {:?}", self.direction, self.name)
    }

    /// `UseMXRecord` when `use_mx_record` is null: MX unless smart hosts are given.
    fn mx_default(smart_hosts: &Option<Vec<String>>) -> bool {
        smart_hosts.as_ref().is_none_or(Vec::is_empty)
    }

    /// Every parameter this resource manages, with the value Exchange should hold (defaults
    /// filled in; `null` for a cleared string; lists sorted, as sets). Create sends the
    /// non-empty ones, update the ones that changed.
    pub fn parameters(&self) -> Map<String, Json> {
        let mut m = Map::new();
        let list = |v: &Option<Vec<String>>| {
            let mut l = v.clone().unwrap_or_default();
            l.sort();
            Json::from(l)
        };
        let opt = |v: &Option<String>| v.clone().map_or(Json::Null, Json::String);
        m.insert("Name".into(), Json::from(self.name.clone()));
        m.insert(
            "ConnectorType".into(),
            Json::from(self.connector_type.as_deref().unwrap_or(PARTNER)),
        );
        m.insert(
            "Enabled".into(),
            Json::from(self.enabled.unwrap_or(ENABLED_DEFAULT)),
        );
        m.insert("Comment".into(), opt(&self.comment));
        if self.inbound() {
            m.insert("SenderDomains".into(), list(&self.sender_domains));
            m.insert(
                "TrustedOrganizations".into(),
                list(&self.trusted_organizations),
            );
            m.insert(
                "RequireTls".into(),
                Json::from(self.require_tls.unwrap_or(REQUIRE_TLS_DEFAULT)),
            );
            m.insert(
                "RestrictDomainsToCertificate".into(),
                Json::from(self.restrict_domains_to_certificate.unwrap_or(false)),
            );
            m.insert(
                "TlsSenderCertificateName".into(),
                opt(&self.tls_sender_certificate_name),
            );
            m.insert("SenderIPAddresses".into(), list(&self.sender_ip_addresses));
            m.insert(
                "RestrictDomainsToIPAddresses".into(),
                Json::from(self.restrict_domains_to_ip_addresses.unwrap_or(false)),
            );
        } else {
            m.insert("RecipientDomains".into(), list(&self.recipient_domains));
            m.insert("SmartHosts".into(), list(&self.smart_hosts));
            m.insert(
                "UseMXRecord".into(),
                Json::from(
                    self.use_mx_record
                        .unwrap_or_else(|| Self::mx_default(&self.smart_hosts)),
                ),
            );
            m.insert("TlsSettings".into(), opt(&self.tls_settings));
            m.insert("TlsDomain".into(), opt(&self.tls_domain));
        }
        m
    }

    /// `New-*` parameters: every managed one that holds something.
    pub fn create_parameters(&self) -> Map<String, Json> {
        self.parameters()
            .into_iter()
            .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
            .collect()
    }

    /// `Set-*` parameters (without `Identity`): only those whose value changes from `old`.
    /// Cleared lists are sent as `[]`, cleared strings as `null`.
    pub fn changed_parameters(&self, old: &Connector) -> Map<String, Json> {
        let before = old.parameters();
        self.parameters()
            .into_iter()
            .filter(|(k, v)| before.get(k) != Some(v))
            .collect()
    }

    /// The model of a connector Exchange returned. `prior` is what state held: an argument it
    /// held as null reads back as null while Exchange holds its default (module docs).
    pub fn from_exchange(o: &Json, direction: &str, prior: &Connector) -> Connector {
        let s = |k: &str| {
            o.get(k)
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let b = |k: &str| o.get(k).and_then(Json::as_bool);
        let l = |k: &str| -> Vec<String> {
            o.get(k)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(|d| bare_domain(d).to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        // An empty list is null when state had null; anything else as it is.
        let list = |k: &str, prior: &Option<Vec<String>>| {
            let v = l(k);
            (!(v.is_empty() && prior.is_none())).then_some(v)
        };
        let mut c = Connector {
            id: s("Guid").map(|g| g.to_ascii_lowercase()),
            direction: direction.to_string(),
            name: s("Name").unwrap_or_default(),
            enabled: defaulted(prior.enabled, b("Enabled"), ENABLED_DEFAULT),
            comment: s("Comment"),
            connector_type: s("ConnectorType"),
            ..Connector::default()
        };
        if direction == INBOUND {
            c.sender_domains = Some(l("SenderDomains"));
            c.trusted_organizations = list("TrustedOrganizations", &prior.trusted_organizations);
            c.require_tls = defaulted(prior.require_tls, b("RequireTls"), REQUIRE_TLS_DEFAULT);
            c.restrict_domains_to_certificate = defaulted(
                prior.restrict_domains_to_certificate,
                b("RestrictDomainsToCertificate"),
                false,
            );
            c.tls_sender_certificate_name = s("TlsSenderCertificateName");
            c.sender_ip_addresses = list("SenderIPAddresses", &prior.sender_ip_addresses);
            c.restrict_domains_to_ip_addresses = defaulted(
                prior.restrict_domains_to_ip_addresses,
                b("RestrictDomainsToIPAddresses"),
                false,
            );
        } else {
            c.recipient_domains = list("RecipientDomains", &prior.recipient_domains);
            c.smart_hosts = list("SmartHosts", &prior.smart_hosts);
            let mx = Self::mx_default(&Some(l("SmartHosts")));
            c.use_mx_record = defaulted(prior.use_mx_record, b("UseMXRecord"), mx);
            c.tls_settings = s("TlsSettings");
            c.tls_domain = s("TlsDomain");
        }
        c
    }
}

/// A remote boolean as the model holds it: null when state had null and Exchange holds the
/// default.
fn defaulted(prior: Option<bool>, remote: Option<bool>, default: bool) -> Option<bool> {
    match remote {
        Some(v) if prior.is_none() && v == default => None,
        other => other,
    }
}

/// `SenderDomains` read back in address-space form, `smtp:contoso.com;1`: the domain alone.
pub fn bare_domain(d: &str) -> &str {
    let d = d
        .strip_prefix("smtp:")
        .or_else(|| d.strip_prefix("SMTP:"))
        .unwrap_or(d);
    match d.rsplit_once(';') {
        Some((domain, cost)) if cost.chars().all(|c| c.is_ascii_digit()) => domain,
        _ => d,
    }
}
