# What Contoso's partner configuration for Fabrikam allows right now, wherever it was made
# (the portal, another workspace). In a `check` block it watches a prerequisite on every plan.
data "coexistence_cross_tenant_access_partner" "fabrikam" {
  tenant_id = "3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54"
}

output "fabrikam_inbound_trust" {
  value = data.coexistence_cross_tenant_access_partner.fabrikam.inbound_trust
}

output "fabrikam_identity_synchronization" {
  value = data.coexistence_cross_tenant_access_partner.fabrikam.identity_synchronization
}
