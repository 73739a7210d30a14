# The tenant pair's consistency checks: each reads a tenant's partner configuration as it is now
# (a check-scoped data source, read on every plan and again after apply) and warns, naming the
# tenant, the partner and the attribute, when the live pair does not work as configured: after a
# change in the portal, or on the plan that raises the trust level, until it is applied.
# A separate module so the caller can leave the checks out (`checks = false`): check-scoped data
# sources always show as "read during apply", so with them `terraform plan -detailed-exitcode`
# never exits 0 (hashicorp/terraform#35226).

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    coexistence = {
      source                = "coexistence/coexistence"
      configuration_aliases = [coexistence.a, coexistence.b]
    }
  }
}

variable "a" {
  description = "Tenant A: `tenant_id` and `name`."
  type        = object({ tenant_id = string, name = string })
}

variable "b" {
  description = "Tenant B: `tenant_id` and `name`."
  type        = object({ tenant_id = string, name = string })
}

variable "sync_a_to_b" {
  description = "Whether A synchronizes users into B."
  type        = bool
}

variable "sync_b_to_a" {
  description = "Whether B synchronizes users into A."
  type        = bool
}

variable "guard_a" {
  description = "The ID of A's managed partner configuration: unknown while it is being created, which skips A's assertions on that plan."
  type        = string
}

variable "guard_b" {
  description = "The ID of B's managed partner configuration (as guard_a)."
  type        = string
}

check "a_partner_configuration" {
  data "coexistence_cross_tenant_access_partner" "a_for_b" {
    provider  = coexistence.a
    tenant_id = var.b.tenant_id
  }

  assert {
    condition = var.guard_a == "" || (
      data.coexistence_cross_tenant_access_partner.a_for_b.exists &&
      try(data.coexistence_cross_tenant_access_partner.a_for_b.b2b_collaboration_inbound.users_and_groups.access_type, "") == "allowed"
    )
    error_message = "${var.a.name} does not let ${var.b.name}'s users in as B2B guests: its partner configuration for ${var.b.tenant_id} is missing or has b2b_collaboration_inbound.users_and_groups.access_type other than \"allowed\"."
  }

  assert {
    condition = !var.sync_b_to_a || var.guard_a == "" || (
      try(data.coexistence_cross_tenant_access_partner.a_for_b.identity_synchronization.user_sync_inbound_allowed, false) &&
      try(data.coexistence_cross_tenant_access_partner.a_for_b.automatic_user_consent.inbound_allowed, false)
    )
    error_message = "${var.a.name} does not accept cross-tenant synchronization from ${var.b.name}: its partner configuration for ${var.b.tenant_id} needs identity_synchronization.user_sync_inbound_allowed = true and automatic_user_consent.inbound_allowed = true. ${var.b.name}'s sync job fails until an apply restores it."
  }

  assert {
    condition = !var.sync_a_to_b || var.guard_a == "" || (
      try(data.coexistence_cross_tenant_access_partner.a_for_b.automatic_user_consent.outbound_allowed, false)
    )
    error_message = "${var.a.name} does not redeem invitations to ${var.b.name} automatically: its partner configuration for ${var.b.tenant_id} needs automatic_user_consent.outbound_allowed = true for its sync job to ${var.b.name}."
  }
}

check "b_partner_configuration" {
  data "coexistence_cross_tenant_access_partner" "b_for_a" {
    provider  = coexistence.b
    tenant_id = var.a.tenant_id
  }

  assert {
    condition = var.guard_b == "" || (
      data.coexistence_cross_tenant_access_partner.b_for_a.exists &&
      try(data.coexistence_cross_tenant_access_partner.b_for_a.b2b_collaboration_inbound.users_and_groups.access_type, "") == "allowed"
    )
    error_message = "${var.b.name} does not let ${var.a.name}'s users in as B2B guests: its partner configuration for ${var.a.tenant_id} is missing or has b2b_collaboration_inbound.users_and_groups.access_type other than \"allowed\"."
  }

  assert {
    condition = !var.sync_a_to_b || var.guard_b == "" || (
      try(data.coexistence_cross_tenant_access_partner.b_for_a.identity_synchronization.user_sync_inbound_allowed, false) &&
      try(data.coexistence_cross_tenant_access_partner.b_for_a.automatic_user_consent.inbound_allowed, false)
    )
    error_message = "${var.b.name} does not accept cross-tenant synchronization from ${var.a.name}: its partner configuration for ${var.a.tenant_id} needs identity_synchronization.user_sync_inbound_allowed = true and automatic_user_consent.inbound_allowed = true. ${var.a.name}'s sync job fails until an apply restores it."
  }

  assert {
    condition = !var.sync_b_to_a || var.guard_b == "" || (
      try(data.coexistence_cross_tenant_access_partner.b_for_a.automatic_user_consent.outbound_allowed, false)
    )
    error_message = "${var.b.name} does not redeem invitations to ${var.a.name} automatically: its partner configuration for ${var.a.tenant_id} needs automatic_user_consent.outbound_allowed = true for its sync job to ${var.a.name}."
  }
}
