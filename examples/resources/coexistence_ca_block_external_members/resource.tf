# Contoso's low-trust mitigation: members that Fabrikam's cross-tenant synchronization
# provisions into Contoso are blocked from every application, except a break-glass account.
# The policy starts in report-only mode (the default) so a first apply locks no one out;
# set state = "enabled" once the sign-in logs show what it would block.
resource "coexistence_ca_block_external_members" "partners" {
  display_name = "Block external members from partner tenants"

  # Fabrikam's tenant ID. Only know a domain? See the coexistence_tenant data source.
  external_tenant_ids = ["3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54"]

  # A break-glass account the policy never applies to.
  exclude_user_ids = ["8e2f4a1b-6c3d-4e5f-9a0b-1c2d3e4f5a6b"]
}
