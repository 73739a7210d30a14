//! The explicit registry: every resource and data source the provider serves, looked up by type
//! name. The lists themselves live in `resources::all()` and `data_sources::all()`.

use super::resource::{DataSource, Resource};
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Registry {
    pub resources: BTreeMap<&'static str, Arc<dyn Resource>>,
    pub data_sources: BTreeMap<&'static str, Arc<dyn DataSource>>,
}

impl Registry {
    pub fn new(
        resources: Vec<Arc<dyn Resource>>,
        data_sources: Vec<Arc<dyn DataSource>>,
    ) -> Registry {
        let mut r = BTreeMap::new();
        for res in resources {
            let name = res.type_name();
            assert!(
                r.insert(name, res).is_none(),
                "resource {name} registered twice"
            );
        }
        let mut d = BTreeMap::new();
        for ds in data_sources {
            let name = ds.type_name();
            assert!(
                d.insert(name, ds).is_none(),
                "data source {name} registered twice"
            );
        }
        Registry {
            resources: r,
            data_sources: d,
        }
    }
}
