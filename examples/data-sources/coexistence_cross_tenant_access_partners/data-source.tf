# Every partner configuration Contoso holds, whoever made it (this configuration, another
# workspace, the admin center, a CSP relationship), and the ones nobody manages here. With
# Terraform 1.5+, a `check` block turns that into a warning on every plan:
#
#   check "no_unmanaged_partners" {
#     assert {
#       condition     = length(local.unmanaged_partners) == 0
#       error_message = "Partner configurations nobody manages here: ${join(", ", local.unmanaged_partners)}"
#     }
#   }
locals {
  # The partners this configuration manages (their coexistence_cross_tenant_access_partner
  # resources' tenant IDs, lowercase).
  managed_partners   = ["3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54"]
  unmanaged_partners = setsubtract(data.coexistence_cross_tenant_access_partners.all.tenant_ids, local.managed_partners)
}

data "coexistence_cross_tenant_access_partners" "all" {
}

output "unmanaged_partners" {
  value = local.unmanaged_partners
}
