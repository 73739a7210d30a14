//! Every resource type the provider serves. Adding one: a folder here plus one line in `all()`.

use crate::framework::Resource;
use std::sync::Arc;

pub mod ca_block_external_members;
pub mod cross_tenant_access_default;
pub mod cross_tenant_access_partner;
pub mod mto_membership;
pub mod organization_relationship;
pub mod partner_connector;
pub mod shared;
pub mod teams_federation;
pub mod teams_federation_domain;
pub mod xts_job;

pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(ca_block_external_members::CaBlockExternalMembers),
        Arc::new(cross_tenant_access_default::CrossTenantAccessDefault),
        Arc::new(cross_tenant_access_partner::CrossTenantAccessPartner),
        Arc::new(mto_membership::MtoMembership),
        Arc::new(organization_relationship::OrganizationRelationship),
        Arc::new(xts_job::XtsJobResource),
        Arc::new(partner_connector::PartnerConnector),
        Arc::new(teams_federation::TeamsFederation),
        Arc::new(teams_federation_domain::TeamsFederationDomain),
    ]
}
