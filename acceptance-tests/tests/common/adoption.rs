//! Tenants as adoption finds them: objects of every type made outside the adopting
//! configuration, in two tenants (what `export` and the list resources are tested against).

use super::*;
use coexistence_acceptance::emulator::graph::xts::{self, PortalConfiguration};
use coexistence_acceptance::harness::workspace_root;
use serde_json::json;

pub const SERVICE_PROVIDER: &str = "8e3a1c52-0d7b-4f6e-a1c9-2b5d7f0e4a63";
pub const OTHER_SHAPE_POLICY: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

/// A random tenant whose default domain is `<label>.onmicrosoft.com`, as the examples name it.
pub fn named_tenant(label: &str) -> Tenant {
    let mut t = Tenant::random(label);
    t.default_domain = format!("{}.onmicrosoft.com", label.to_ascii_lowercase());
    t
}

/// Every resource example, in both tenants (the examples' `coexistence.fabrikam`).
pub fn every_example() -> String {
    let dir = workspace_root().join("examples/resources");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|d| std::fs::read_to_string(d.join("resource.tf")).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Objects of every type in both tenants: the resource examples applied by another
/// configuration (whose state is then dropped, as if they had been made by hand), plus what
/// only the portal makes: a service-provider partner, a Conditional Access policy of another
/// shape, a connector of another type, and a synchronization configuration in the second
/// tenant.
pub async fn seed(acc: &Acc) {
    acc.config(&format!(
        "{}\n{}",
        acc.provider_block(&acc.partner, Some("fabrikam")),
        every_example()
    ));
    acc.tf
        .run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .await;
    std::fs::remove_file(acc.tf.dir().join("terraform.tfstate")).unwrap();
    let home = &acc.home.tenant_id;

    acc.emu.put_object(
        home,
        &format!("/policies/crossTenantAccessPolicy/partners/{SERVICE_PROVIDER}"),
        json!({"tenantId": SERVICE_PROVIDER, "isServiceProvider": true,
               "inboundTrust": null, "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": null},
               "b2bCollaborationInbound": null, "b2bCollaborationOutbound": null,
               "b2bDirectConnectInbound": null, "b2bDirectConnectOutbound": null,
               "crossCloudMeetingConfiguration": {"inboundAllowed": null, "outboundAllowed": null},
               "appServiceConnectInbound": null, "m365CollaborationInbound": null,
               "m365CollaborationOutbound": null, "isInMultiTenantOrganization": false,
               "tenantRestrictions": null}),
    );
    let objects = acc.emu.objects(home);
    let (_, ca) = objects
        .iter()
        .find(|(p, _)| p.starts_with("/identity/conditionalAccess/policies/"))
        .expect("the example's policy");
    let mut mfa = ca.clone();
    let mfa_id = OTHER_SHAPE_POLICY;
    mfa["id"] = json!(mfa_id);
    mfa["displayName"] = json!("Require MFA for guests");
    mfa["grantControls"]["builtInControls"] = json!(["mfa"]);
    acc.emu.put_object(
        home,
        &format!("/identity/conditionalAccess/policies/{mfa_id}"),
        mfa,
    );
    let (_, connector) = objects
        .iter()
        .find(|(p, _)| p.starts_with("/exchange/outboundConnectors/"))
        .expect("the example's connector");
    let mut hybrid = connector.clone();
    let hybrid_guid = "33333333-3333-4333-8333-333333333333";
    hybrid["Guid"] = json!(hybrid_guid);
    hybrid["Identity"] = json!("Hybrid");
    hybrid["Name"] = json!("Hybrid");
    hybrid["ConnectorType"] = json!("OnPremises");
    acc.emu.put_object(
        home,
        &format!("/exchange/outboundConnectors/{hybrid_guid}"),
        hybrid,
    );
    xts::portal_configuration(
        &acc.emu,
        &acc.partner.tenant_id,
        &PortalConfiguration {
            display_name: "Sync to Contoso".into(),
            target_tenant_id: acc.home.tenant_id.clone(),
            sync_all: true,
            ..PortalConfiguration::default()
        },
    );
}
