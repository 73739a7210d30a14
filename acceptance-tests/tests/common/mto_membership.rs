//! The multitenant organization membership: where its objects live and how it is imported.

use super::ResourceType;
use coexistence_acceptance::emulator::graph::mto::{JOIN_PATH, MTO_PATH};

pub const MTO_TYPE: &str = coexistence::resources::mto_membership::TYPE_NAME;

/// The owner side: the organization (and its tenants below it) in the owner's store, imported
/// as `owner/<this tenant id>`. A member side (`owner_tenant_id` in state) is its join request.
pub static MTO_MEMBERSHIP: ResourceType = ResourceType {
    type_name: MTO_TYPE,
    path: |s| {
        if s["owner_tenant_id"].is_string() {
            JOIN_PATH.to_string()
        } else {
            MTO_PATH.to_string()
        }
    },
    // `member_states` moves on its own: the owner's state was read before the member joined
    // (pending), an import reads it after (active). `wait_for_active` is create-time only.
    import_ignore: &["timeouts", "wait_for_active", "member_states"],
    ..super::DESCRIPTION
};
