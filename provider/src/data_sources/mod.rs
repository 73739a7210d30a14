//! Every data source the provider serves: a folder here plus one line in `all()`.

use crate::framework::DataSource;
use std::sync::Arc;

pub mod mail_routing;
pub mod tenant;

pub fn all() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(tenant::Tenant),
        Arc::new(mail_routing::MailRouting),
        // Beside its resource, whose schema, model and read it shares.
        Arc::new(crate::resources::cross_tenant_access_partner::data_source::PartnerDataSource),
        Arc::new(
            crate::resources::cross_tenant_access_partner::partners_data_source::PartnersDataSource,
        ),
    ]
}
