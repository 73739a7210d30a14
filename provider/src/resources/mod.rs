//! Every resource type the provider serves. Adding one: a folder here plus one line in `all()`.

use crate::framework::Resource;
use std::sync::Arc;

pub mod cross_tenant_access_partner;
pub mod mto_membership;
pub mod partner_connector;

pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(cross_tenant_access_partner::CrossTenantAccessPartner),
        Arc::new(mto_membership::MtoMembership),
        Arc::new(partner_connector::PartnerConnector),
    ]
}
