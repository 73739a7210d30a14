# Cross-tenant synchronization from Contoso (this tenant, where the users live) to Fabrikam
# (the target, through the aliased provider), converging in one apply: the references order
# the target's partner, the source's partner and the job.
data "coexistence_tenant" "source" {
  domain_name = "contoso.onmicrosoft.com"
}

data "coexistence_tenant" "target" {
  domain_name = "fabrikam.onmicrosoft.com"
}

# In the target tenant (Fabrikam): accept users synchronized from Contoso, and redeem their
# invitations automatically.
resource "coexistence_cross_tenant_access_partner" "contoso_in_fabrikam" {
  provider  = coexistence.fabrikam
  tenant_id = data.coexistence_tenant.source.tenant_id
  automatic_user_consent = {
    inbound_allowed  = true
    outbound_allowed = false
  }
  identity_synchronization = {
    user_sync_inbound_allowed = true
  }
}

# In the source tenant (Contoso): redeem invitations to Fabrikam automatically.
resource "coexistence_cross_tenant_access_partner" "fabrikam" {
  tenant_id = data.coexistence_tenant.target.tenant_id
  automatic_user_consent = {
    inbound_allowed  = false
    outbound_allowed = true
  }
}

# In the source tenant: the configuration, its job, and what it synchronizes.
resource "coexistence_xts_job" "to_fabrikam" {
  # The target's tenant ID through the source's partner: the job waits for it.
  target_tenant_id     = coexistence_cross_tenant_access_partner.fabrikam.tenant_id
  display_name         = "Sync to Fabrikam"
  scope                = "all"
  user_type            = "Member"
  show_in_address_list = true
  enabled              = true
  notification_email   = "ops@contoso.com"

  # Beyond the template's defaults: the department from the source's company name, and a
  # marker set only when the user is created. Every other mapping stays as the template has it.
  attribute_mappings = [
    { target_attribute = "department", source_type = "Attribute", source = "companyName", flow_type = "Always" },
    { target_attribute = "extensionAttribute1", source_type = "Constant", source = "Contoso", flow_type = "ObjectAddOnly" },
  ]

  # Destroy leaves the synchronized users in Fabrikam (as the portal's delete does); `true`
  # takes everyone out of scope and waits for the job to soft-delete them first.
  deprovision_on_destroy = false

  # Only Sales: the template's own group (no external users) narrowed by a second clause.
  # Groups are ORed, clauses in a group ANDed.
  scoping_filters = [
    {
      name = "Filter external users"
      clauses = [
        { attribute = "alternativeSecurityIds", operator = "EQUALS", values = ["None"] },
        { attribute = "department", operator = "EQUALS", values = ["Sales"] },
      ]
    },
  ]

  # The credential check needs the target's partner settings first.
  depends_on = [coexistence_cross_tenant_access_partner.contoso_in_fabrikam]
}
