//! The Terraform model of a partner configuration (a derived struct, converted to and from
//! Terraform values by the schema: [`crate::framework::typed`]), and its mapping to and from
//! Graph JSON. The blocks it shares with the default policy (B2B settings, inbound trust,
//! automatic consent) and their mapping are in [`crate::resources::shared::xtap_blocks`]. Every attribute maps both ways, so what Graph stores reads back faithfully (drift shows on the
//! attribute that changed) and nothing the user did not write is ever sent.

use crate::framework::{typed, Diagnostics, Value};
use crate::resources::shared::xtap_blocks::{jb, js, AutoConsent, SharedBlocks};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

/// The partner's identity synchronization policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentitySync {
    pub user_sync_inbound_allowed: Option<bool>,
}

/// A partner configuration as Terraform sees it: field names are the schema's attribute names
/// (checked by `model_fields_match_schema`), `None` is null.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    /// Computed: the canonical (lowercase) `tenant_id`, filled in by [`Partner::to_value`].
    pub id: Option<String>,
    pub tenant_id: String,
    /// A `None` block inherits the default policy.
    #[serde(flatten)]
    pub blocks: SharedBlocks,
    pub identity_synchronization: Option<IdentitySync>,
}

// ---- Terraform value <-> model (by the schema) --------------------------------------------

impl Partner {
    pub fn from_value(v: &Value) -> Result<Partner, Diagnostics> {
        typed::from_value(&super::schema(), v)
    }

    /// The Terraform state value (`timeouts` null: the framework carries it over), for what
    /// the framework does not encode itself: a half-done create's step, a comparison.
    pub fn to_value(&self) -> Result<Value, Diagnostics> {
        typed::to_value(&super::schema(), &self.clone().with_id())
    }

    /// The same partner with its computed `id`: the canonical (lowercase) GUID, stable however
    /// `tenant_id` is spelled.
    pub fn with_id(self) -> Partner {
        Partner {
            id: Some(self.tenant_id.to_ascii_lowercase()),
            ..self
        }
    }

    /// The state an import starts from: the key, every setting null until the read.
    pub fn imported(tenant_id: String) -> Partner {
        Partner {
            id: Some(tenant_id.clone()),
            tenant_id,
            blocks: SharedBlocks::default(),
            identity_synchronization: None,
        }
    }
}

// ---- model -> Graph JSON ------------------------------------------------------------------

impl Partner {
    /// Every setting, whole: PATCH replaces each complex property, and a removed block is sent
    /// as null so the partner inherits the default policy again.
    pub fn settings_json(&self) -> serde_json::Map<String, Json> {
        self.blocks
            .to_graph()
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Some(v) => v,
                    // Graph never returns this property as null, only as an object of nulls:
                    // send that shape to reset it.
                    None if k == "automaticUserConsentSettings" => AutoConsent {
                        inbound_allowed: None,
                        outbound_allowed: None,
                    }
                    .to_json(),
                    None => Json::Null,
                };
                (k.to_string(), v)
            })
            .collect()
    }

    /// POST body: the key plus every setting.
    pub fn create_json(&self) -> Json {
        let mut m = self.settings_json();
        m.insert("tenantId".into(), Json::String(self.tenant_id.clone()));
        Json::Object(m)
    }
}

impl IdentitySync {
    pub fn to_json(&self) -> Json {
        json!({"userSyncInbound": {"isSyncAllowed": self.user_sync_inbound_allowed}})
    }
}

// ---- Graph JSON -> model ------------------------------------------------------------------

impl Partner {
    /// Flattens a partner GET (and the identitySynchronization GET, when it exists).
    pub fn from_graph(partner: &Json, sync: Option<&Json>) -> Partner {
        let mut blocks = SharedBlocks::from_graph(partner);
        // Graph returns {inboundAllowed: null, outboundAllowed: null} for "not configured":
        // that is our null.
        blocks.automatic_user_consent = blocks
            .automatic_user_consent
            .filter(|c| c.inbound_allowed.is_some() || c.outbound_allowed.is_some());
        Partner {
            id: None,
            tenant_id: js(partner, "tenantId").unwrap_or_default(),
            blocks,
            identity_synchronization: sync.map(|s| IdentitySync {
                user_sync_inbound_allowed: s
                    .get("userSyncInbound")
                    .and_then(|u| jb(u, "isSyncAllowed")),
            }),
        }
    }
}
