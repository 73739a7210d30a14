//! The harness describes exactly the resources the provider registers: a resource added to
//! `all()` in `provider/src/resources/mod.rs` without its description in `RESOURCE_TYPES`
//! (tests/common/mod.rs) fails here, without running terraform. Each description's type name
//! is the provider's own `TYPE_NAME`.

mod common;

use common::RESOURCE_TYPES;

#[test]
fn every_registered_resource_has_a_harness_description() {
    let mut registered: Vec<&str> = coexistence::resources::all()
        .iter()
        .map(|r| r.type_name())
        .collect();
    let mut described: Vec<&str> = RESOURCE_TYPES.iter().map(|t| t.type_name).collect();
    registered.sort_unstable();
    described.sort_unstable();
    assert_eq!(
        described, registered,
        "RESOURCE_TYPES in tests/common/mod.rs must describe every resource of resources::all()"
    );
}
