output "tenant_a" {
  description = "Tenant A as resolved: `tenant_id`, `name` and `moera` (its initial onmicrosoft.com domain)."
  value       = local.a
}

output "tenant_b" {
  description = "Tenant B as resolved: `tenant_id`, `name` and `moera`."
  value       = local.b
}

output "partner_ids" {
  description = "The partner configuration IDs: `a` is tenant A's configuration for B, `b` is tenant B's for A."
  value = {
    a = module.a.partner_id
    b = module.b.partner_id
  }
}

output "organization" {
  description = "The multitenant organization (high trust): the owner's tenant ID, its organization ID when this module owns it, and the joining tenant's state. null at low trust or with mto.enabled = false."
  value = local.mto_enabled ? {
    owner_tenant_id = local.mto_owner_tenant_id
    id              = one(concat(coexistence_mto_membership.owner_a[*].id, coexistence_mto_membership.owner_b[*].id))
    member_state    = one(concat(coexistence_mto_membership.member_a[*].state, coexistence_mto_membership.member_b[*].state))
  } : null
}

output "conditional_access_policy_ids" {
  description = "Each tenant's member-blocking Conditional Access policy ID (`a`, `b`); null with `conditional_access.enabled = false`."
  value = {
    a = module.a.conditional_access_policy_id
    b = module.b.conditional_access_policy_id
  }
}

output "sync_jobs" {
  description = "Per direction (`a_to_b`, `b_to_a`): the configuration's `id`, `service_principal_id` and `job_id`, the job's `status` and `quarantine_reason`; null where there is no job."
  value = {
    a_to_b = module.a.sync_job
    b_to_a = module.b.sync_job
  }
}

output "connector_names" {
  description = "Each tenant's outbound and inbound connector names at high trust (`a`, `b`); null without mail flow."
  value = {
    a = module.a.connector_names
    b = module.b.connector_names
  }
}
