//! The Terraform model of the tenant's default cross-tenant access settings (a derived struct,
//! converted to and from Terraform values by the schema: [`crate::framework::typed`]), and its
//! mapping to and from Graph JSON. The blocks are the partner's, from
//! [`crate::resources::shared::xtap_blocks`]: one definition, one mapping.

use crate::resources::shared::xtap_blocks::{
    jb, jobj, AutoConsent, B2bSetting, InboundTrust, B2B_SETTINGS,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// The default policy as Terraform sees it: field names are the schema's attribute names.
/// Every block is optional and computed: `None` in a plan is a block the configuration leaves
/// out, which is neither written nor compared; state always holds the live value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DefaultPolicy {
    pub id: Option<String>,
    pub b2b_collaboration_inbound: Option<B2bSetting>,
    pub b2b_collaboration_outbound: Option<B2bSetting>,
    pub b2b_direct_connect_inbound: Option<B2bSetting>,
    pub b2b_direct_connect_outbound: Option<B2bSetting>,
    pub inbound_trust: Option<InboundTrust>,
    pub automatic_user_consent: Option<AutoConsent>,
    pub is_service_default: Option<bool>,
}

/// The singleton's ID, in state and on import.
pub const ID: &str = "default";

impl DefaultPolicy {
    /// The managed settings, each `(Graph property, value)`: the blocks the model holds, as
    /// Graph JSON. A block the model leaves `None` is not there: it is not managed.
    pub fn settings(&self) -> Map<String, Json> {
        let mut m = Map::new();
        let b2b = [
            &self.b2b_collaboration_inbound,
            &self.b2b_collaboration_outbound,
            &self.b2b_direct_connect_inbound,
            &self.b2b_direct_connect_outbound,
        ];
        for ((_, graph), setting) in B2B_SETTINGS.iter().zip(b2b) {
            if let Some(s) = setting {
                m.insert(graph.to_string(), s.to_json());
            }
        }
        if let Some(t) = &self.inbound_trust {
            m.insert("inboundTrust".into(), t.to_json());
        }
        if let Some(c) = &self.automatic_user_consent {
            m.insert("automaticUserConsentSettings".into(), c.to_json());
        }
        m
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
        let b2b = |i: usize| jobj(v, B2B_SETTINGS[i].1).map(B2bSetting::from_json);
        DefaultPolicy {
            id: Some(ID.into()),
            b2b_collaboration_inbound: b2b(0),
            b2b_collaboration_outbound: b2b(1),
            b2b_direct_connect_inbound: b2b(2),
            b2b_direct_connect_outbound: b2b(3),
            inbound_trust: jobj(v, "inboundTrust").map(InboundTrust::from_json),
            automatic_user_consent: jobj(v, "automaticUserConsentSettings")
                .map(AutoConsent::from_json),
            is_service_default: jb(v, "isServiceDefault"),
        }
    }

    /// The planned model completed by a read: the blocks the configuration left out (unknown
    /// in the plan, `None` here) take the live values.
    pub fn completed_by(self, live: DefaultPolicy) -> DefaultPolicy {
        DefaultPolicy {
            id: Some(ID.into()),
            b2b_collaboration_inbound: self
                .b2b_collaboration_inbound
                .or(live.b2b_collaboration_inbound),
            b2b_collaboration_outbound: self
                .b2b_collaboration_outbound
                .or(live.b2b_collaboration_outbound),
            b2b_direct_connect_inbound: self
                .b2b_direct_connect_inbound
                .or(live.b2b_direct_connect_inbound),
            b2b_direct_connect_outbound: self
                .b2b_direct_connect_outbound
                .or(live.b2b_direct_connect_outbound),
            inbound_trust: self.inbound_trust.or(live.inbound_trust),
            automatic_user_consent: self.automatic_user_consent.or(live.automatic_user_consent),
            is_service_default: live.is_service_default,
        }
    }
}
