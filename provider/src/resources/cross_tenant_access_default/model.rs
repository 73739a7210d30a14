//! The Terraform model of the tenant's default cross-tenant access settings (a derived struct,
//! converted to and from Terraform values by the schema: [`crate::framework::typed`]), and its
//! mapping to and from Graph JSON. The blocks are the partner's
//! ([`crate::resources::shared::xtap_blocks::SharedBlocks`]): one definition, one mapping.

use crate::resources::shared::xtap_blocks::{jb, SharedBlocks};
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
    pub is_service_default: Option<bool>,
}

/// The singleton's ID, in state and on import.
pub const ID: &str = "default";

impl DefaultPolicy {
    /// The managed settings as Graph properties: the blocks the model holds. A block the model
    /// leaves `None` is not there: it is not managed.
    pub fn settings(&self) -> Map<String, Json> {
        self.blocks
            .to_graph()
            .into_iter()
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
            is_service_default: jb(v, "isServiceDefault"),
        }
    }

    /// The planned model completed by a read: the blocks the configuration left out (unknown
    /// in the plan, `None` here) take the live values.
    pub fn completed_by(self, live: DefaultPolicy) -> DefaultPolicy {
        DefaultPolicy {
            id: Some(ID.into()),
            blocks: self.blocks.or(live.blocks),
            is_service_default: live.is_service_default,
        }
    }
}
