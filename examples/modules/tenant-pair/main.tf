# A tenant pair, from low trust to high trust. Each tenant's objects are made through its own
# provider (coexistence.a, coexistence.b) by the same `side` module, called once per tenant.
# What both trust levels share (the partner configurations, free/busy, the Conditional Access
# policies) is one object per tenant whose arguments depend on the level, so changing the level
# updates it in place; what only high trust has (sync jobs, the organization, connectors) is
# counted in and out.

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

locals {
  # The domains each tenant is known by: its initial domain, its coexistence routing domain
  # (<name>.mail.onmicrosoft.com) and the SMTP domains given.
  a_domains = distinct(concat([local.a.moera, replace(local.a.moera, ".onmicrosoft.com", ".mail.onmicrosoft.com")], var.domains.a))
  b_domains = distinct(concat([local.b.moera, replace(local.b.moera, ".onmicrosoft.com", ".mail.onmicrosoft.com")], var.domains.b))
}

locals {
  mail_flow = local.high && var.mail_flow.enabled

  # The domains each tenant's users sign in with (Teams federation is by user domain): the
  # initial domain and the SMTP domains given (not the routing domain, which has no users).
  a_teams_domains = var.teams_federation ? distinct(concat([local.a.moera], var.domains.a)) : []
  b_teams_domains = var.teams_federation ? distinct(concat([local.b.moera], var.domains.b)) : []
}

# ---- where each tenant receives mail (mail flow only) ---------------------------------------
# Each tenant's smart host is the mail exchanger Exchange Online publishes for its first listed
# domain (its initial domain when none is listed), read with that tenant's own provider: the
# service names the host (contoso.onmicrosoft.com is received at
# contoso.mail.protection.outlook.com, newer domains at *.mx.microsoft), so it is never built
# from the domain name.

data "coexistence_mail_routing" "a" {
  count    = local.mail_flow ? 1 : 0
  provider = coexistence.a
  lifecycle {
    postcondition {
      condition     = anytrue([for d in self.domains : lower(d.id) == lower(coalesce(try(var.domains.a[0], null), self.initial_domain)) && length(d.mx) > 0])
      error_message = "Tenant A publishes no mail exchanger for ${coalesce(try(var.domains.a[0], null), self.initial_domain)}: list first in domains.a a verified domain of tenant A enabled for Email."
    }
  }
}

data "coexistence_mail_routing" "b" {
  count    = local.mail_flow ? 1 : 0
  provider = coexistence.b
  lifecycle {
    postcondition {
      condition     = anytrue([for d in self.domains : lower(d.id) == lower(coalesce(try(var.domains.b[0], null), self.initial_domain)) && length(d.mx) > 0])
      error_message = "Tenant B publishes no mail exchanger for ${coalesce(try(var.domains.b[0], null), self.initial_domain)}: list first in domains.b a verified domain of tenant B enabled for Email."
    }
  }
}

locals {
  # The most preferred MX host of the routing domain (null without mail flow).
  a_routing    = one(data.coexistence_mail_routing.a[*])
  b_routing    = one(data.coexistence_mail_routing.b[*])
  a_smart_host = local.a_routing == null ? null : one([for d in local.a_routing.domains : try(d.mx[0].host, null) if lower(d.id) == lower(coalesce(try(var.domains.a[0], null), local.a_routing.initial_domain))])
  b_smart_host = local.b_routing == null ? null : one([for d in local.b_routing.domains : try(d.mx[0].host, null) if lower(d.id) == lower(coalesce(try(var.domains.b[0], null), local.b_routing.initial_domain))])
}

# ---- each tenant's side (side/): its objects for the other tenant ---------------------------

module "a" {
  source    = "./side"
  providers = { coexistence.self = coexistence.a }

  self                   = local.a
  other                  = local.b
  high                   = local.high
  b2b_direct_connect     = var.b2b_direct_connect
  sync_in                = local.sync_b_to_a
  sync_out               = local.sync_a_to_b
  free_busy              = var.free_busy
  other_domains          = local.b_domains
  conditional_access     = merge(var.conditional_access.a, { enabled = var.conditional_access.enabled, state = var.conditional_access.state })
  sync_group_ids         = var.sync.a_to_b_group_ids
  user_type              = var.sync.user_type
  deprovision_on_destroy = var.sync.deprovision_on_lowering
  target_partner_id      = module.b.partner_id
  mail_flow              = local.mail_flow
  other_smart_host       = local.b_smart_host

  hybrid_joined_device_trust = var.hybrid_joined_device_trust
  manage_default_policy      = var.manage_default_policy
  teams_federation_domains   = local.b_teams_domains
  teams_federation_switches  = var.teams_federation_switches.a
}

module "b" {
  source    = "./side"
  providers = { coexistence.self = coexistence.b }

  self                   = local.b
  other                  = local.a
  high                   = local.high
  b2b_direct_connect     = var.b2b_direct_connect
  sync_in                = local.sync_a_to_b
  sync_out               = local.sync_b_to_a
  free_busy              = var.free_busy
  other_domains          = local.a_domains
  conditional_access     = merge(var.conditional_access.b, { enabled = var.conditional_access.enabled, state = var.conditional_access.state })
  sync_group_ids         = var.sync.b_to_a_group_ids
  user_type              = var.sync.user_type
  deprovision_on_destroy = var.sync.deprovision_on_lowering
  target_partner_id      = module.a.partner_id
  mail_flow              = local.mail_flow
  other_smart_host       = local.a_smart_host

  hybrid_joined_device_trust = var.hybrid_joined_device_trust
  manage_default_policy      = var.manage_default_policy
  teams_federation_domains   = local.a_teams_domains
  teams_federation_switches  = var.teams_federation_switches.b
}

# ---- consistency checks (checks/), one per tenant ---------------------------------------------

module "checks_a" {
  source    = "./checks"
  count     = var.checks ? 1 : 0
  providers = { coexistence.self = coexistence.a }

  self     = { tenant_id = local.a.tenant_id, name = local.a.name }
  other    = { tenant_id = local.b.tenant_id, name = local.b.name }
  sync_in  = local.sync_b_to_a
  sync_out = local.sync_a_to_b
  guard    = module.a.partner_id
  sync_job = module.a.sync_job
}

module "checks_b" {
  source    = "./checks"
  count     = var.checks ? 1 : 0
  providers = { coexistence.self = coexistence.b }

  self     = { tenant_id = local.b.tenant_id, name = local.b.name }
  other    = { tenant_id = local.a.tenant_id, name = local.a.name }
  sync_in  = local.sync_a_to_b
  sync_out = local.sync_b_to_a
  guard    = module.b.partner_id
  sync_job = module.b.sync_job
}

# ---- lowering: synchronized users stay unless deprovisioned --------------------------------
# Lowering the level destroys the sync jobs. With sync.deprovision_on_lowering each job's destroy
# first soft-deletes the users it synchronized; without it they stay in the target tenant. Member access ends with the enforced
# member-blocking policy; this check says on every plan at low trust, naming the target tenant,
# that those users may remain and what to do. The module keeps no history of its levels (state
# cannot remember "was high" without the objects that are gone), so the groups still in `sync` at
# low trust are the record of what was synchronized: emptying a direction's groups, once its
# users are removed, ends the warning.
# No data source here, so the check does not touch `terraform plan -detailed-exitcode`.

locals {
  # Whether each tenant's member-blocking policy is enforced at low trust.
  members_blocked = var.conditional_access.enabled && var.conditional_access.state == "enabled"
  synchronized_remain = [for d in [
    { source = local.a, target = local.b, groups = var.sync.a_to_b_group_ids, input = "sync.a_to_b_group_ids" },
    { source = local.b, target = local.a, groups = var.sync.b_to_a_group_ids, input = "sync.b_to_a_group_ids" },
  ] : d if !local.high && length(d.groups) > 0 && !var.sync.deprovision_on_lowering]
}

check "synchronized_users_remain" {
  assert {
    condition = length(local.synchronized_remain) == 0
    error_message = join(" ", [for d in local.synchronized_remain : format(
      "%s may still hold users %s synchronized into it as %s while the pair was at high trust (members of %s): lowering the trust level stopped the synchronization job without deprovisioning what it made (sync.deprovision_on_lowering was not set). %s Delete those users in %s, then empty %s to end this warning (empty it now if the pair was never at high trust).",
      d.target.name, d.source.name, var.sync.user_type == "Member" ? "members" : "guests", d.input,
      local.members_blocked ? "${d.target.name}'s enforced member-blocking policy blocks their member access meanwhile." : "They keep member access: ${d.target.name}'s member-blocking policy is not enforced (conditional_access).",
      d.target.name, d.input,
    )])
  }
}
