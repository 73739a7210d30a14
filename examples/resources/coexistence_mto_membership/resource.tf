# The partner tenant's ID, looked up by its domain.
data "coexistence_tenant" "member" {
  domain_name = "fabrikam.onmicrosoft.com"
}

# In the owner tenant (Contoso): create the organization and add Fabrikam.
resource "coexistence_mto_membership" "contoso" {
  display_name = "Contoso Group"
  description  = "All Contoso tenants"
  member_tenants = {
    (data.coexistence_tenant.member.tenant_id) = { display_name = "Fabrikam", role = "member" }
  }
}

# In the member tenant (Fabrikam): ask to join Contoso's organization.
resource "coexistence_mto_membership" "fabrikam" {
  provider        = coexistence.fabrikam
  owner_tenant_id = coexistence_mto_membership.contoso.tenant_id
  wait_for_active = true
}
