# One tenant's consistency checks: its partner configuration for the other tenant, read as it
# is now (a check-scoped data source, read on every plan and again after apply), must still let
# the pair work. A warning names the tenant, the partner and the attribute: after a change in
# the portal, or on the plan that raises the trust level, until it is applied.
# A module of its own so the tenant-pair module can leave it out (`checks = false`): check-scoped
# data sources always show as "read during apply", so with them
# `terraform plan -detailed-exitcode` never exits 0 (hashicorp/terraform#35226).

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    coexistence = {
      source                = "coexistence/coexistence"
      configuration_aliases = [coexistence.self]
    }
  }
}

variable "self" {
  description = "This tenant: `tenant_id` and `name`."
  type        = object({ tenant_id = string, name = string })
}

variable "other" {
  description = "The other tenant: `tenant_id` and `name`."
  type        = object({ tenant_id = string, name = string })
}

variable "sync_in" {
  description = "The other tenant synchronizes users into this one."
  type        = bool
}

variable "sync_out" {
  description = "This tenant synchronizes users into the other one."
  type        = bool
}

variable "guard" {
  description = "The ID of this tenant's managed partner configuration: unknown while it is being created, which skips the assertions on that plan."
  type        = string
}

variable "sync_job" {
  description = "This tenant's sync job into the other (`status`, `quarantine_reason`), null without one. Its run status never shows as a diff, so only this check reports a quarantine."
  type        = any
  default     = null
}

check "sync_job" {
  assert {
    condition     = var.sync_job == null || try(var.sync_job.quarantine_reason, null) == null
    error_message = "${var.self.name}'s cross-tenant synchronization job to ${var.other.name} is quarantined: ${coalesce(try(var.sync_job.quarantine_reason, null), "no reason given")}. Users are not synchronized until the cause is fixed (often a partner setting on either side, see the other checks) and the job is restarted."
  }
}

check "partner_configuration" {
  data "coexistence_cross_tenant_access_partner" "live" {
    provider  = coexistence.self
    tenant_id = var.other.tenant_id
  }

  assert {
    condition = var.guard == "" || (
      data.coexistence_cross_tenant_access_partner.live.exists &&
      try(data.coexistence_cross_tenant_access_partner.live.b2b_collaboration_inbound.users_and_groups.access_type, "") == "allowed"
    )
    error_message = "${var.self.name} does not let ${var.other.name}'s users in as B2B guests: its partner configuration for ${var.other.tenant_id} is missing or has b2b_collaboration_inbound.users_and_groups.access_type other than \"allowed\"."
  }

  assert {
    condition = !var.sync_in || var.guard == "" || (
      try(data.coexistence_cross_tenant_access_partner.live.identity_synchronization.user_sync_inbound_allowed, false) &&
      try(data.coexistence_cross_tenant_access_partner.live.automatic_user_consent.inbound_allowed, false)
    )
    error_message = "${var.self.name} does not accept cross-tenant synchronization from ${var.other.name}: its partner configuration for ${var.other.tenant_id} needs identity_synchronization.user_sync_inbound_allowed = true and automatic_user_consent.inbound_allowed = true. ${var.other.name}'s sync job fails until an apply restores it."
  }

  assert {
    condition = !var.sync_out || var.guard == "" || (
      try(data.coexistence_cross_tenant_access_partner.live.automatic_user_consent.outbound_allowed, false)
    )
    error_message = "${var.self.name} does not redeem invitations to ${var.other.name} automatically: its partner configuration for ${var.other.tenant_id} needs automatic_user_consent.outbound_allowed = true for its sync job to ${var.other.name}."
  }
}
