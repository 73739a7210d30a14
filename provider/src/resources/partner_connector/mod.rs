//! `coexistence_partner_connector`: an Exchange Online Partner connector, inbound
//! (`*-InboundConnector`) or outbound (`*-OutboundConnector`), through the admin API's
//! `InvokeCommand` ([`crate::clients::exchange`]). One type for both directions: `direction`
//! picks the cmdlets and forces replacement; the other direction's arguments are rejected at
//! plan. Facts: the Exchange admin API notes (InboundConnector, OutboundConnector, validation).
//!
//! Reads top to bottom: schema, validation, CRUD. The model and its mapping to parameters are
//! in `model.rs`, cmdlet builders in `api.rs`.

mod api;
#[cfg(test)]
mod crud_tests;
mod list;
mod model;
#[cfg(test)]
mod tests;
mod validate;

use crate::clients::exchange::{is_not_found, Cmdlet};
use crate::clients::{create, ApiError};
use crate::framework::diag::{finish_create, Diagnostic};
use crate::framework::import_id::{self, ImportId, Name};
use crate::framework::lifecycle::already_exists;
use crate::framework::plan::{ModifyPlan, PlanRequest};
use crate::framework::refresh::ListedKey;
use crate::framework::schema::timeouts_attribute;
use crate::framework::validators::{object_name, one_of};
use crate::framework::{
    ApplyError, AttrPath, Attribute, Context, Ctx, Diagnostics, ImportCtx, Schema, Value,
};
use async_trait::async_trait;
use model::{Connector, INBOUND, OUTBOUND, PARTNER};
use serde_json::{Map, Value as Json};

pub const TYPE_NAME: &str = "coexistence_partner_connector";

pub struct PartnerConnector;

crate::tagged_import_id! {
    /// An outbound Exchange partner connector by name: `outbound/<connector name>`.
    pub struct OutboundConnector(Name) = "outbound" / "<connector name>", example "To Fabrikam";
}

crate::tagged_import_id! {
    /// An inbound Exchange partner connector by name: `inbound/<connector name>`.
    pub struct InboundConnector(Name) = "inbound" / "<connector name>", example "From Fabrikam";
}

/// A connector's import ID, either form: its direction and name, or its direction and Guid
/// (what its resource identity holds: a rename in place keeps it). A name in the form of a
/// GUID is taken as a Guid, as Exchange's `-Identity` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectorId {
    Inbound(InboundConnector),
    Outbound(OutboundConnector),
}

impl std::str::FromStr for ConnectorId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("inbound/") {
            s.parse().map(ConnectorId::Inbound)
        } else if s.starts_with("outbound/") {
            s.parse().map(ConnectorId::Outbound)
        } else {
            Err("it starts with neither \"inbound/\" nor \"outbound/\"".into())
        }
    }
}

impl std::fmt::Display for ConnectorId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectorId::Inbound(c) => c.fmt(f),
            ConnectorId::Outbound(c) => c.fmt(f),
        }
    }
}

impl ImportId for ConnectorId {
    const FORMAT: &'static str = "`outbound/<connector name>` or `inbound/<connector name>`, or the connector's Guid in place of its name (its identity holds the Guid, which a rename keeps)";
    const EXAMPLE: &'static str = OutboundConnector::EXAMPLE;
}

// ---- schema -------------------------------------------------------------------------------

pub const DIRECTIONS: &[&str] = &[OUTBOUND, INBOUND];
pub const TLS_SETTINGS: &[&str] = &[
    "EncryptionOnly",
    "CertificateValidation",
    "DomainValidation",
];
/// Arguments of one direction only: setting them on the other is an error at plan.
pub const OUTBOUND_ONLY: &[&str] = &[
    "recipient_domains",
    "smart_hosts",
    "use_mx_record",
    "tls_settings",
    "tls_domain",
    "is_transport_rule_scoped",
    "test_mode",
    "smtp_dane_mode",
    "mta_sts_mode",
];
/// `SmtpDaneMode` and `MtaStsMode` values (New-OutboundConnector; `Opportunistic` the default).
pub const SMTP_DANE_MODES: &[&str] = &["Opportunistic", "Mandatory", "None"];
pub const MTA_STS_MODES: &[&str] = &["Opportunistic", "None"];
pub const INBOUND_ONLY: &[&str] = &[
    "sender_domains",
    "trusted_organizations",
    "require_tls",
    "restrict_domains_to_certificate",
    "tls_sender_certificate_name",
    "sender_ip_addresses",
    "restrict_domains_to_ip_addresses",
    "associated_accepted_domains",
    "treat_messages_as_internal",
];

type ArgDefault = (&'static str, fn() -> Value);

fn no_values() -> Value {
    Value::Set(Vec::new())
}

/// Optional and computed arguments and the value planned when they are left out: the
/// defaults the cmdlet reference documents (`RequireTls` `$true` as it says). `use_mx_record`
/// (outbound) depends on `smart_hosts`: see `modify_plan`.
const OUTBOUND_DEFAULTS: &[ArgDefault] =
    &[("recipient_domains", no_values), ("smart_hosts", no_values)];
const INBOUND_DEFAULTS: &[ArgDefault] = &[
    ("trusted_organizations", no_values),
    ("require_tls", || Value::Bool(model::REQUIRE_TLS_DEFAULT)),
    ("restrict_domains_to_certificate", || Value::Bool(false)),
    ("sender_ip_addresses", no_values),
    ("restrict_domains_to_ip_addresses", || Value::Bool(false)),
];

fn schema() -> Schema {
    Schema::new(
        "An Exchange Online Partner connector for mail flow with another organization: `outbound` routes mail for the partner's domains, `inbound` accepts mail from them. One type for both directions; arguments of the other direction are rejected at plan. An argument with a default that is left out plans that default, so a value changed out of band shows as a diff either way.\n\nCross-tenant coexistence (two Microsoft 365 tenants of one organization) takes one pair per direction of mail flow: in the sending tenant an `outbound` connector scoped to the partner's domains (its MOERA `<partner>.onmicrosoft.com`, its coexistence routing domain `<partner>.mail.onmicrosoft.com` and its primary SMTP domains) with `smart_hosts` on the partner's Exchange Online Protection endpoint (`<domain>-<tld>.mail.protection.outlook.com`) and `tls_settings = \"DomainValidation\"` for `mail.protection.outlook.com`; in the receiving tenant (a second provider block, `provider = coexistence.<alias>`) an `inbound` connector for the sender's domains carrying the sender's MOERA in `trusted_organizations`, so its mail is attributed to the connector (and not treated as anonymous internet mail), with `require_tls` and `restrict_domains_to_certificate` against `*.protection.outlook.com`. The example below is the full pair for mail from Contoso to Fabrikam; mirror it for the other direction.\n\nThe provider needs the Exchange Online application permission `Exchange.ManageAsApp` and an Exchange role (Exchange Administrator) for its app; the Exchange token is requested for the `exchange_endpoint` audience.",
        vec![
            Attribute::string("id").computed().use_state_for_unknown().description("The connector's Guid (Exchange's immutable identity; a rename keeps it)."),
            Attribute::string("direction").required().requires_replace().validate(one_of(DIRECTIONS)).description("`outbound` (`*-OutboundConnector`: mail to the partner) or `inbound` (`*-InboundConnector`: mail from the partner). Changing it replaces the connector. The import ID's prefix."),
            Attribute::string("name").required().validate(object_name(validate::MAX_NAME)).description("The connector's name: unique among the tenant's connectors of this direction, at most 64 characters. Renamed in place (the Guid stays). The import ID's second part."),
            Attribute::bool("enabled").default(Value::Bool(model::ENABLED_DEFAULT)).description("Whether the connector is used."),
            Attribute::string("comment").optional().description("A free-text comment shown in the Exchange admin center. Omit it for none (an empty string is rejected)."),
            Attribute::bool("cloud_services_mail_enabled").default(Value::Bool(false)).description("Whether the connector carries hybrid mail flow, keeping Exchange's cross-premises headers (`CloudServicesMailEnabled`; `false` removes them). Microsoft recommends leaving it to the Hybrid Configuration wizard."),
            Attribute::string("connector_type").computed().description("Always `Partner` (mail with another organization). A connector changed to another type out of band shows a diff here and is set back to `Partner`."),
            Attribute::string_set("recipient_domains").optional().computed().description("Outbound only (default none): the recipient domains the connector routes mail for, e.g. the partner's primary SMTP domains, its coexistence routing domain and its MOERA (`fabrikam.onmicrosoft.com`). A leading `*.` wildcard covers subdomains; no other wildcard is allowed."),
            Attribute::string_set("smart_hosts").optional().computed().description("Outbound only (default none): where mail goes instead of the recipient domain's MX record: fully qualified domain names (the partner's Exchange Online Protection endpoint, `fabrikam-com.mail.protection.outlook.com`), IPv4 addresses or IPv4 CIDR ranges. Required when `use_mx_record` is `false`."),
            Attribute::bool("use_mx_record").optional().computed().description("Outbound only: deliver through the recipient domain's MX record instead of `smart_hosts`. Default: `false` when `smart_hosts` are given, else `true`. `false` requires `smart_hosts`; `true` conflicts with them."),
            Attribute::string("tls_settings").optional().validate(one_of(TLS_SETTINGS)).description("Outbound only: the TLS the connector requires of the receiving server: `EncryptionOnly`, `CertificateValidation` (a trusted certificate) or `DomainValidation` (a trusted certificate for `tls_domain`). Omit it for opportunistic TLS."),
            Attribute::string("tls_domain").optional().description("Outbound only: the domain the receiving server's certificate must be for, e.g. `mail.protection.outlook.com`; a leading `*.` wildcard is allowed. Needs `tls_settings = \"DomainValidation\"`."),
            Attribute::bool("is_transport_rule_scoped").default(Value::Bool(false)).description("Outbound only: the connector is used only by mail flow rules that route to it (`IsTransportRuleScoped`). A scoped connector is still read (Exchange lists it only when asked for scoped connectors)."),
            Attribute::bool("test_mode").default(Value::Bool(false)).description("Outbound only: the connector is in test mode (`TestMode`). A connector in test mode is still read (Exchange lists it only when asked for test-mode connectors)."),
            Attribute::string("smtp_dane_mode").default(Value::string(model::OPPORTUNISTIC)).validate(one_of(SMTP_DANE_MODES)).description("Outbound only: SMTP DANE validation of mail sent through the connector: `Opportunistic`, `Mandatory` or `None`."),
            Attribute::string("mta_sts_mode").default(Value::string(model::OPPORTUNISTIC)).validate(one_of(MTA_STS_MODES)).description("Outbound only: MTA-STS validation of mail sent through the connector: `Opportunistic` or `None`."),
            Attribute::string_set("sender_domains").optional().description("Inbound only (required there): the sender domains whose mail the connector accepts, e.g. the partner's primary SMTP domains. A leading `*.` wildcard covers subdomains; no other wildcard is allowed."),
            Attribute::string_set("trusted_organizations").optional().computed().description("Inbound only (default none): other Microsoft 365 organizations, by their `onmicrosoft.com` domain (the partner's MOERA), whose mail is attributed to this connector (tenant-to-tenant mail flow)."),
            Attribute::bool("require_tls").optional().computed().description("Inbound only: accept the partner's mail only over TLS. Default `true`."),
            Attribute::bool("restrict_domains_to_certificate").optional().computed().description("Inbound only: accept mail from `sender_domains` only when the sending server's certificate subject matches `tls_sender_certificate_name`. Default `false`; `true` needs `tls_sender_certificate_name`."),
            // A certificate domain is case-insensitive and Exchange may answer it in another
            // case (API-NOTES.md#exchange-connectors): the configured spelling is kept.
            Attribute::string("tls_sender_certificate_name").optional().case_insensitive().description("Inbound only: the certificate name the partner's servers present, e.g. `*.protection.outlook.com` for another Exchange Online tenant; a leading `*.` wildcard is allowed. Compared without regard to case."),
            Attribute::string_set("sender_ip_addresses").optional().computed().description("Inbound only (default none): the partner's sending IPv4 addresses, single or CIDR ranges from /24 to /32 (IPv6 is not supported). Used with `restrict_domains_to_ip_addresses`."),
            Attribute::bool("restrict_domains_to_ip_addresses").optional().computed().description("Inbound only: reject mail from `sender_domains` that comes from addresses outside `sender_ip_addresses`. Default `false`; `true` needs `sender_ip_addresses`."),
            Attribute::string_set("associated_accepted_domains").default(Value::Set(Vec::new())).description("Inbound only: accepted domains of this organization the connector is restricted to (`AssociatedAcceptedDomains`); each must be an accepted domain of the tenant."),
            Attribute::bool("treat_messages_as_internal").default(Value::Bool(false)).description("Inbound only: treat the partner's mail as internal (`TreatMessagesAsInternal`). Exchange allows `true` only on OnPremises connectors, so for a Partner connector it must stay `false`; it is managed so that a change made in the admin center shows."),
            timeouts_attribute(&["create", "read", "update", "delete"]),
        ],
    )
    .with_check(validate::config)
}

// ---- helpers ------------------------------------------------------------------------------

/// Gets by `identity` (Guid or name) until `found` holds for an answer, which is returned;
/// none when no answer holds it. An inbound connector takes one Get. `Get-OutboundConnector`
/// leaves out connectors in test mode or scoped to transport rules unless its filters ask for
/// exactly those (API-NOTES.md#exchange-outbound-filters), so an outbound connector is looked
/// for under each combination of the two, the one `c` last had first: a connector switched to
/// test mode out of band is still read (a diff on `test_mode`), never taken for deleted.
async fn get_until(
    ctx: &Ctx,
    c: &Connector,
    identity: &str,
    found: impl Fn(&[Json]) -> bool,
) -> Result<Vec<Json>, ApiError> {
    for filter in api::filters(c) {
        let objects = match ctx
            .exchange(&api::get(c, identity, filter), &ctx.deadline)
            .await
        {
            Ok(out) => out.objects,
            Err(e) if is_not_found(&e) => Vec::new(),
            Err(e) => return Err(e),
        };
        if found(&objects) {
            return Ok(objects);
        }
    }
    Ok(Vec::new())
}

/// The connector named like `c` (the natural key), if there is one.
async fn find_by_name(ctx: &Ctx, c: &Connector) -> Result<Option<Json>, ApiError> {
    let objects = get_until(ctx, c, &c.name, |o| !api::by_name(o, &c.name).is_empty()).await?;
    Ok(api::by_name(&objects, &c.name)
        .first()
        .map(|o| (*o).clone()))
}

/// Whether a connector found holds the parameters a create sent: the certificate name
/// compared without regard to case, as Exchange may answer it in another.
fn same_parameters(found: &Map<String, Json>, sent: &Map<String, Json>) -> bool {
    let key = |m: &Map<String, Json>| -> Map<String, Json> {
        let mut m = m.clone();
        if let Some(Json::String(c)) = m.get_mut("TlsSenderCertificateName") {
            *c = c.to_ascii_lowercase();
        }
        m
    };
    key(found) == key(sent)
}

fn import_id(c: &Connector) -> String {
    format!("{}/{}", c.direction, c.name)
}

fn duplicate(c: &Connector) -> Diagnostics {
    already_exists(
        TYPE_NAME,
        &import_id(c),
        &format!("A partner connector named {:?}", c.name),
    )
    .at(AttrPath::root().attr("name"))
    .into()
}

/// Exchange's answer to a New or a rename with a name in use (assumed: an `*AlreadyExists*`
/// exception type, e.g. `ADObjectAlreadyExistsException`).
fn is_duplicate(e: &ApiError) -> bool {
    e.code.contains("AlreadyExists")
}

// ---- the resource -------------------------------------------------------------------------

#[async_trait]
impl crate::framework::TypedResource for PartnerConnector {
    type Model = Connector;
    type Id = ConnectorId;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        schema()
    }

    /// Every connector this resource manages is a Partner connector: plan `Partner`, so one
    /// changed out of band shows as a diff and the update sets it back. Arguments left out
    /// plan their direction's default (the other direction's: null; `enabled`'s is declared), so drift on them shows too and
    /// removing one from the configuration sets the default again.
    fn modify_plan(&self, req: &PlanRequest<'_>, plan: &mut ModifyPlan) {
        plan.set(
            &AttrPath::root().attr("connector_type"),
            Value::string(PARTNER),
        );
        let Some(direction) = req.config.get("direction").as_str() else {
            return;
        };
        let (own, other) = if direction == INBOUND {
            (INBOUND_DEFAULTS, OUTBOUND_ONLY)
        } else {
            (OUTBOUND_DEFAULTS, INBOUND_ONLY)
        };
        for a in other {
            plan.set(&AttrPath::root().attr(a), Value::Null);
        }
        for (a, default) in own {
            if req.config.get(a).is_null() {
                plan.set(&AttrPath::root().attr(a), default());
            }
        }
        if direction == OUTBOUND && req.config.get("use_mx_record").is_null() {
            // MX unless smart hosts are given; decided once they are known.
            let hosts = req.config.get("smart_hosts");
            let mx = if hosts.is_wholly_known() {
                Value::Bool(hosts.elements().is_empty())
            } else {
                Value::Unknown
            };
            plan.set(&AttrPath::root().attr("use_mx_record"), mx);
        }
    }

    async fn create(&self, ctx: &Ctx, mut p: Connector) -> Result<Connector, ApplyError> {
        let what = p.what();
        let new = api::new(&p);
        let sent = p.parameters();
        let created = ctx
            .exchange_create_once(
                &what,
                &new,
                |_dl| {
                    let p = &p;
                    async move { find_by_name(ctx, p).await }
                },
                |found: &Json| {
                    same_parameters(
                        &Connector::from_exchange(found, &p.direction).parameters(),
                        &sent,
                    )
                },
            )
            .await;
        if let Err(create::CreateError::Api(e)) = &created {
            if is_duplicate(e) {
                return Err(duplicate(&p).into());
            }
        }
        let object = finish_create(created, &format!("creating {what}"), |_| duplicate(&p))?
            .object(|out| out.objects.into_iter().next());
        // New-* answers with the connector; should it not, its name finds it.
        let object = match object {
            Some(o) => Some(o),
            None => find_by_name(ctx, &p)
                .await
                .context(|| format!("reading {what} after creating it"))?,
        };
        p.id = object
            .as_ref()
            .and_then(|o| o.get("Guid"))
            .and_then(Json::as_str)
            .map(str::to_ascii_lowercase);
        if p.id.is_none() {
            return Err(Diagnostics::from(Diagnostic::error(
                format!("Error creating {what}"),
                format!("{} answered without the connector's Guid.", new.name),
            ))
            .into());
        }
        Ok(p)
    }

    async fn read(&self, ctx: &Ctx, s: Connector) -> Result<Option<Connector>, Diagnostics> {
        let what = || format!("reading {}", s.what());
        let found = match s.id.as_deref() {
            Some(guid) => {
                let objects = get_until(ctx, &s, guid, |o| api::by_guid(o, guid).is_some())
                    .await
                    .context(what)?;
                api::by_guid(&objects, guid).cloned()
            }
            // Just imported: by name, the import ID's second part.
            None => {
                let objects = get_until(ctx, &s, &s.name, |o| !api::by_name(o, &s.name).is_empty())
                    .await
                    .context(what)?;
                match api::by_name(&objects, &s.name).as_slice() {
                    [] => None,
                    [one] => Some((*one).clone()),
                    _ => {
                        return Err(Diagnostic::error(
                            format!("Error {}", what()),
                            format!("More than one {} connector is named {:?}; rename one in the Exchange admin center and import again.", s.direction, s.name),
                        )
                        .into())
                    }
                }
            }
        };
        let Some(found) = found else {
            return Ok(None);
        };
        Ok(Some(Connector::from_exchange(&found, &s.direction)))
    }

    /// Each direction apart (its part of the listing: a refresh of outbound connectors only
    /// lists those): `Get-InboundConnector` or `Get-OutboundConnector` without an identity,
    /// under the default filters, one call answering every connector it shows. A connector in
    /// test mode or scoped to transport rules is not shown
    /// (API-NOTES.md#exchange-outbound-filters), so it is read directly, under each filter as
    /// ever.
    async fn list_for_reads(
        &self,
        ctx: &Ctx,
        direction: &'static str,
    ) -> Result<Option<Vec<(String, Json)>>, Diagnostics> {
        let probe = Connector {
            direction: direction.into(),
            ..Connector::default()
        };
        let all = Cmdlet::new(&format!("Get-{}", probe.noun())).needs(api::MANAGE);
        let objects = ctx
            .exchange(&all, &ctx.deadline)
            .await
            .context(|| format!("listing the {direction} connectors"))?
            .objects;
        Ok(Some(
            objects
                .into_iter()
                .filter_map(|o| Some((o.get("Guid")?.as_str()?.to_string(), o)))
                .collect(),
        ))
    }

    /// By direction and Guid; a connector just imported (by name) has none yet and is read
    /// directly.
    fn listed_key(&self, s: &Connector) -> Option<ListedKey> {
        let part = [INBOUND, OUTBOUND]
            .into_iter()
            .find(|d| *d == s.direction)?;
        Some(ListedKey {
            part,
            key: s.id.clone()?,
        })
    }

    async fn read_listed(
        &self,
        _: &Ctx,
        s: Connector,
        found: &Json,
    ) -> Result<Option<Connector>, Diagnostics> {
        Ok(Some(Connector::from_exchange(found, &s.direction)))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        old: Connector,
        mut new: Connector,
    ) -> Result<Connector, ApplyError> {
        let guid = old.id.clone().unwrap_or_default();
        if let Some(set) = api::set(&old, &new, &guid) {
            match ctx.exchange(&set, &ctx.deadline).await {
                Err(e) if is_duplicate(&e) => return Err(duplicate(&new).into()),
                other => other.context(|| format!("updating {}", old.what()))?,
            };
        }
        new.id = Some(guid);
        Ok(new)
    }

    async fn delete(&self, ctx: &Ctx, s: Connector) -> Result<(), Diagnostics> {
        let guid = s.id.clone().unwrap_or_default();
        match ctx.exchange(&api::remove(&s, &guid), &ctx.deadline).await {
            // Gone already: that is what a delete wants.
            Err(e) if is_not_found(&e) => Ok(()),
            other => other
                .map(|_| ())
                .context(|| format!("deleting {}", s.what())),
        }
    }

    /// Each form's error quotes that form; an ID in neither quotes both.
    fn parse_import_id(&self, id: &str) -> Result<ConnectorId, Diagnostics> {
        if id.trim_start().starts_with("inbound/") {
            import_id::parse::<InboundConnector>(TYPE_NAME, id).map(ConnectorId::Inbound)
        } else if id.trim_start().starts_with("outbound/") {
            import_id::parse::<OutboundConnector>(TYPE_NAME, id).map(ConnectorId::Outbound)
        } else {
            Err(Diagnostic::error(
                "Invalid import ID",
                format!(
                    "{TYPE_NAME} import IDs have the form {} or {}, e.g. {}. Got {id:?}: it starts with neither \"inbound/\" nor \"outbound/\".",
                    InboundConnector::FORMAT,
                    OutboundConnector::FORMAT,
                    OutboundConnector::EXAMPLE
                ),
            )
            .into())
        }
    }

    fn import(&self, _: &ImportCtx, id: ConnectorId) -> Result<Connector, Diagnostics> {
        let (direction, name) = match id {
            ConnectorId::Inbound(c) => (INBOUND, c.0 .0),
            ConnectorId::Outbound(c) => (OUTBOUND, c.0 .0),
        };
        // By Guid (an identity's form): the read finds it by Guid and fills in the name.
        let id = crate::framework::validators::is_guid(&name).then(|| name.clone());
        Ok(Connector {
            direction: direction.into(),
            name,
            id,
            ..Connector::default()
        })
    }

    async fn list(
        &self,
        ctx: &Ctx,
        _: &crate::framework::ListOptions,
    ) -> Result<crate::framework::Listing<Connector>, Diagnostics> {
        list::list(ctx).await
    }

    fn import_id(&self, state: &Connector) -> Option<String> {
        Some(format!("{}/{}", state.direction, state.name))
    }

    /// The direction and Guid, which a rename in place keeps (the name is the import ID
    /// people write).
    fn identity_import_id(&self, state: &Connector) -> Option<String> {
        Some(format!("{}/{}", state.direction, state.id.as_deref()?))
    }

    fn natural_key(&self) -> &'static str {
        "`direction` and `name`: connector names are unique per direction in a tenant, so a create whose outcome is unknown looks the connector up by its name."
    }

    fn permissions(&self) -> &'static [(&'static str, crate::clients::Permission)] {
        api::PERMISSIONS
    }
}
