# A tenant pair, from low trust to high trust. Each tenant's objects are made through its own
# provider (coexistence.a, coexistence.b). What both trust levels share (the partner
# configurations, free/busy, the Conditional Access policies) is one object per tenant whose
# arguments depend on the level, so changing the level updates it in place; what only high trust
# has (sync jobs, the organization, connectors) is counted in and out.

locals {
  high = var.trust_level == "high"
}

# ---- the two tenants ----------------------------------------------------------------------

data "coexistence_tenant" "a" {
  provider    = coexistence.a
  domain_name = var.tenant_a.domain_name
  tenant_id   = var.tenant_a.tenant_id
}

data "coexistence_tenant" "b" {
  provider    = coexistence.b
  domain_name = var.tenant_b.domain_name
  tenant_id   = var.tenant_b.tenant_id
}

locals {
  a = {
    tenant_id = data.coexistence_tenant.a.tenant_id
    name      = coalesce(var.tenant_a.name, data.coexistence_tenant.a.display_name)
    # The initial domain (<name>.onmicrosoft.com, the MOERA).
    moera = data.coexistence_tenant.a.default_domain_name
  }
  b = {
    tenant_id = data.coexistence_tenant.b.tenant_id
    name      = coalesce(var.tenant_b.name, data.coexistence_tenant.b.display_name)
    moera     = data.coexistence_tenant.b.default_domain_name
  }

  # Cross-tenant synchronization directions (high trust only, and only with scoping groups).
  sync_a_to_b = local.high && length(var.sync.a_to_b_group_ids) > 0
  sync_b_to_a = local.high && length(var.sync.b_to_a_group_ids) > 0
}

# ---- partner configurations (both levels) -------------------------------------------------

locals {
  all_users_all_apps = {
    users_and_groups = { access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }
    applications     = { access_type = "allowed", targets = [{ target = "AllApplications", target_type = "application" }] }
  }
  office365_only = {
    users_and_groups = { access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }
    applications     = { access_type = "allowed", targets = [{ target = "Office365", target_type = "application" }] }
  }
  # High trust: Conditional Access in each tenant accepts the other's MFA and compliant devices.
  inbound_trust = local.high ? {
    mfa_accepted                  = true
    compliant_device_accepted     = true
    hybrid_joined_device_accepted = false
  } : null
}

# Tenant A's settings for tenant B.
resource "coexistence_cross_tenant_access_partner" "a" {
  provider  = coexistence.a
  tenant_id = local.b.tenant_id

  b2b_collaboration_inbound   = local.all_users_all_apps
  b2b_collaboration_outbound  = local.all_users_all_apps
  b2b_direct_connect_inbound  = var.b2b_direct_connect ? local.office365_only : null
  b2b_direct_connect_outbound = var.b2b_direct_connect ? local.office365_only : null
  inbound_trust               = local.inbound_trust

  # High trust redeems invitations without a consent prompt both ways (synchronization needs
  # it: outbound on the source, inbound on the target).
  automatic_user_consent = local.high ? { inbound_allowed = true, outbound_allowed = true } : null
  # A is the target of B's synchronization.
  identity_synchronization = local.sync_b_to_a ? { user_sync_inbound_allowed = true } : null
}

# Tenant B's settings for tenant A.
resource "coexistence_cross_tenant_access_partner" "b" {
  provider  = coexistence.b
  tenant_id = local.a.tenant_id

  b2b_collaboration_inbound   = local.all_users_all_apps
  b2b_collaboration_outbound  = local.all_users_all_apps
  b2b_direct_connect_inbound  = var.b2b_direct_connect ? local.office365_only : null
  b2b_direct_connect_outbound = var.b2b_direct_connect ? local.office365_only : null
  inbound_trust               = local.inbound_trust

  automatic_user_consent   = local.high ? { inbound_allowed = true, outbound_allowed = true } : null
  identity_synchronization = local.sync_a_to_b ? { user_sync_inbound_allowed = true } : null
}

# ---- consistency checks (checks/) ---------------------------------------------------------

module "checks" {
  source    = "./checks"
  count     = var.checks ? 1 : 0
  providers = { coexistence.a = coexistence.a, coexistence.b = coexistence.b }

  a           = { tenant_id = local.a.tenant_id, name = local.a.name }
  b           = { tenant_id = local.b.tenant_id, name = local.b.name }
  sync_a_to_b = local.sync_a_to_b
  sync_b_to_a = local.sync_b_to_a
  guard_a     = coexistence_cross_tenant_access_partner.a.id
  guard_b     = coexistence_cross_tenant_access_partner.b.id
}
