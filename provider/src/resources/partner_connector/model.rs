//! The Terraform model of a partner connector and its mapping to and from the cmdlets'
//! parameters and objects.
//!
//! Arguments with a documented default are optional and computed: left out, they plan the
//! default (declared with `Attribute::default` where it is one value; `modify_plan` for those
//! that depend on the direction or on `smart_hosts`), a create sends it explicitly (so what
//! Exchange stores never depends on an undocumented server default), and a read shows what
//! Exchange holds, so drift on any attribute is a diff on that attribute, and an import reads
//! every value.

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
/// `SmtpDaneMode` and `MtaStsMode`: `Opportunistic` is the documented default.
pub const OPPORTUNISTIC: &str = "Opportunistic";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Connector {
    /// Computed: the connector's Guid.
    pub id: Option<String>,
    pub direction: String,
    pub name: String,
    pub enabled: Option<bool>,
    pub comment: Option<String>,
    pub cloud_services_mail_enabled: Option<bool>,
    /// Computed: always `Partner` once applied (modify_plan plans it).
    pub connector_type: Option<String>,
    // outbound
    pub recipient_domains: Option<Vec<String>>,
    pub smart_hosts: Option<Vec<String>>,
    pub use_mx_record: Option<bool>,
    pub tls_settings: Option<String>,
    pub tls_domain: Option<String>,
    pub is_transport_rule_scoped: Option<bool>,
    pub test_mode: Option<bool>,
    pub smtp_dane_mode: Option<String>,
    pub mta_sts_mode: Option<String>,
    // inbound
    pub sender_domains: Option<Vec<String>>,
    pub trusted_organizations: Option<Vec<String>>,
    pub require_tls: Option<bool>,
    pub restrict_domains_to_certificate: Option<bool>,
    pub tls_sender_certificate_name: Option<String>,
    pub sender_ip_addresses: Option<Vec<String>>,
    pub restrict_domains_to_ip_addresses: Option<bool>,
    pub associated_accepted_domains: Option<Vec<String>>,
    pub treat_messages_as_internal: Option<bool>,
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
        m.insert(
            "CloudServicesMailEnabled".into(),
            Json::from(self.cloud_services_mail_enabled.unwrap_or(false)),
        );
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
            m.insert(
                "AssociatedAcceptedDomains".into(),
                list(&self.associated_accepted_domains),
            );
            m.insert(
                "TreatMessagesAsInternal".into(),
                Json::from(self.treat_messages_as_internal.unwrap_or(false)),
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
            m.insert(
                "IsTransportRuleScoped".into(),
                Json::from(self.is_transport_rule_scoped.unwrap_or(false)),
            );
            m.insert(
                "TestMode".into(),
                Json::from(self.test_mode.unwrap_or(false)),
            );
            let mode = |v: &Option<String>| Json::from(v.as_deref().unwrap_or(OPPORTUNISTIC));
            m.insert("SmtpDaneMode".into(), mode(&self.smtp_dane_mode));
            m.insert("MtaStsMode".into(), mode(&self.mta_sts_mode));
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
    /// A cleared string or list is sent as `null`, PowerShell's `$null`: a multi-valued
    /// property is emptied with `$null`, not an empty list (API-NOTES.md#exchange-clear-list).
    pub fn changed_parameters(&self, old: &Connector) -> Map<String, Json> {
        let before = old.parameters();
        self.parameters()
            .into_iter()
            .filter(|(k, v)| before.get(k) != Some(v))
            .map(|(k, v)| match v {
                Json::Array(a) if a.is_empty() => (k, Json::Null),
                v => (k, v),
            })
            .collect()
    }

    /// The model of a connector Exchange returned: every value as Exchange holds it (the
    /// arguments with defaults are computed, so what a configuration leaves out reads back as
    /// the default it planned, and anything else is drift on that attribute).
    pub fn from_exchange(o: &Json, direction: &str) -> Connector {
        let s = |k: &str| {
            o.get(k)
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let b = |k: &str| o.get(k).and_then(Json::as_bool);
        let l = |k: &str| -> Option<Vec<String>> {
            Some(
                o.get(k)
                    .and_then(Json::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Json::as_str)
                            .map(|d| bare_domain(d).to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        };
        let mut c = Connector {
            id: s("Guid").map(|g| g.to_ascii_lowercase()),
            direction: direction.to_string(),
            name: s("Name").unwrap_or_default(),
            enabled: b("Enabled"),
            comment: s("Comment"),
            connector_type: s("ConnectorType"),
            cloud_services_mail_enabled: b("CloudServicesMailEnabled"),
            ..Connector::default()
        };
        if direction == INBOUND {
            c.sender_domains = l("SenderDomains");
            c.trusted_organizations = l("TrustedOrganizations");
            c.require_tls = b("RequireTls");
            c.restrict_domains_to_certificate = b("RestrictDomainsToCertificate");
            c.tls_sender_certificate_name = s("TlsSenderCertificateName");
            c.sender_ip_addresses = l("SenderIPAddresses");
            c.restrict_domains_to_ip_addresses = b("RestrictDomainsToIPAddresses");
            c.associated_accepted_domains = l("AssociatedAcceptedDomains");
            c.treat_messages_as_internal = b("TreatMessagesAsInternal");
        } else {
            c.recipient_domains = l("RecipientDomains");
            c.smart_hosts = l("SmartHosts");
            c.use_mx_record = b("UseMXRecord");
            c.tls_settings = s("TlsSettings");
            c.tls_domain = s("TlsDomain");
            c.is_transport_rule_scoped = b("IsTransportRuleScoped");
            c.test_mode = b("TestMode");
            c.smtp_dane_mode = s("SmtpDaneMode");
            c.mta_sts_mode = s("MtaStsMode");
        }
        c
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
