# Find a partner's tenant ID from one of its domains (or look it up by tenant_id instead).
data "coexistence_tenant" "fabrikam" {
  domain_name = "fabrikam.onmicrosoft.com"
}

output "fabrikam_tenant_id" {
  value = data.coexistence_tenant.fabrikam.tenant_id
}

output "fabrikam_display_name" {
  value = data.coexistence_tenant.fabrikam.display_name
}
