//! The Terraform model of the tenant's default cross-tenant access settings (a derived struct,
//! converted to and from Terraform values by the schema: [`crate::framework::typed`]), and its
//! mapping to and from Graph JSON. The blocks are the partner's
//! ([`crate::resources::shared::xtap_blocks::SharedBlocks`]): one definition, one mapping.

use crate::resources::shared::xtap_blocks::{jb, jobj, js, B2bSetting, SharedBlocks};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// The default policy as Terraform sees it: field names are the schema's attribute names.
/// Every block is optional and computed: `None` in a plan is a block the configuration leaves
/// out, which is neither written nor compared; state always holds the live value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DefaultPolicy {
    pub id: Option<String>,
    #[serde(flatten)]
    pub blocks: SharedBlocks,
    /// Tenant restrictions v2: a B2B setting's shape (`devices` is not sent: v1.0 documents it
    /// as not supported by the service yet, API-NOTES.md#xtap-default).
    pub tenant_restrictions: Option<B2bSetting>,
    pub invitation_redemption: Option<InvitationRedemption>,
    pub is_service_default: Option<bool>,
}

/// Which identity providers a B2B guest from another organization redeems an invitation with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvitationRedemption {
    pub primary_identity_provider_precedence_order: Vec<String>,
    pub fallback_identity_provider: Option<String>,
}

const INVITATION_REDEMPTION: &str = "invitationRedemptionIdentityProviderConfiguration";
const TENANT_RESTRICTIONS: &str = "tenantRestrictions";

impl InvitationRedemption {
    fn to_json(&self) -> Json {
        serde_json::json!({
            "primaryIdentityProviderPrecedenceOrder": self.primary_identity_provider_precedence_order,
            "fallbackIdentityProvider": self.fallback_identity_provider,
        })
    }

    fn from_json(v: &Json) -> InvitationRedemption {
        InvitationRedemption {
            primary_identity_provider_precedence_order: v
                .get("primaryIdentityProviderPrecedenceOrder")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            fallback_identity_provider: js(v, "fallbackIdentityProvider"),
        }
    }
}

/// The singleton's ID, in state and on import.
pub const ID: &str = "default";

impl DefaultPolicy {
    /// The managed settings as Graph properties: the blocks the model holds. A block the model
    /// leaves `None` is not there: it is not managed.
    pub fn settings(&self) -> Map<String, Json> {
        let redemption = (
            INVITATION_REDEMPTION,
            self.invitation_redemption
                .as_ref()
                .map(InvitationRedemption::to_json),
        );
        let restrictions = (
            TENANT_RESTRICTIONS,
            self.tenant_restrictions.as_ref().map(B2bSetting::to_json),
        );
        self.blocks
            .to_graph()
            .into_iter()
            .chain([restrictions, redemption])
            .filter_map(|(k, v)| Some((k.to_string(), v?)))
            .collect()
    }

    /// The PATCH body of an update: the managed settings that differ from `prior`'s. A setting
    /// whole: PATCH replaces each complex property.
    pub fn changed_since(&self, prior: &DefaultPolicy) -> Map<String, Json> {
        let before = prior.settings();
        self.settings()
            .into_iter()
            .filter(|(k, v)| before.get(k) != Some(v))
            .collect()
    }

    /// Every setting of a Graph answer: what state holds after each read.
    pub fn from_graph(v: &Json) -> DefaultPolicy {
        DefaultPolicy {
            id: Some(ID.into()),
            blocks: SharedBlocks::from_graph(v),
            tenant_restrictions: jobj(v, TENANT_RESTRICTIONS).map(B2bSetting::from_json),
            invitation_redemption: jobj(v, INVITATION_REDEMPTION)
                .map(InvitationRedemption::from_json),
            is_service_default: jb(v, "isServiceDefault"),
        }
    }

    /// The planned model completed by a read: the blocks the configuration left out (unknown
    /// in the plan, `None` here) take the live values.
    pub fn completed_by(self, live: DefaultPolicy) -> DefaultPolicy {
        DefaultPolicy {
            id: Some(ID.into()),
            blocks: self.blocks.or(live.blocks),
            tenant_restrictions: self.tenant_restrictions.or(live.tenant_restrictions),
            invitation_redemption: self.invitation_redemption.or(live.invitation_redemption),
            is_service_default: live.is_service_default,
        }
    }
}
