# One tenant's side of a tenant pair: everything this tenant holds for the other one. The
# tenant-pair module calls it twice, once per tenant (provider `coexistence.self`), so each
# object is written once for both directions. What the trust levels share is one object whose
# arguments depend on `high`, so changing the level updates it in place.

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
  description = "This tenant: `tenant_id`, `name` (used in object names) and `moera` (its initial domain)."
  type        = object({ tenant_id = string, name = string, moera = string })
}

variable "other" {
  description = "The other tenant of the pair, as `self`."
  type        = object({ tenant_id = string, name = string, moera = string })
}

variable "high" {
  description = "High trust (true) or low trust (false)."
  type        = bool
}

variable "b2b_direct_connect" {
  description = "Allow B2B direct connect (Teams shared channels) both ways, Office 365 only."
  type        = bool
}

variable "sync_in" {
  description = "The other tenant synchronizes users into this one (this tenant is a target)."
  type        = bool
}

variable "sync_out" {
  description = "This tenant synchronizes users into the other one (this tenant is a source)."
  type        = bool
}

variable "hybrid_joined_device_trust" {
  description = "High trust: also accept the other tenant's hybrid joined device claims."
  type        = bool
}

locals {
  all_users_all_apps = {
    users_and_groups = { access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }
    applications     = { access_type = "allowed", targets = [{ target = "AllApplications", target_type = "application" }] }
  }
  office365_only = {
    users_and_groups = { access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }
    applications     = { access_type = "allowed", targets = [{ target = "Office365", target_type = "application" }] }
  }
}

# This tenant's partner configuration for the other tenant.
resource "coexistence_cross_tenant_access_partner" "this" {
  provider  = coexistence.self
  tenant_id = var.other.tenant_id

  # Both levels: B2B guests both ways.
  b2b_collaboration_inbound   = local.all_users_all_apps
  b2b_collaboration_outbound  = local.all_users_all_apps
  b2b_direct_connect_inbound  = var.b2b_direct_connect ? local.office365_only : null
  b2b_direct_connect_outbound = var.b2b_direct_connect ? local.office365_only : null

  # High trust: Conditional Access here accepts the other tenant's MFA and compliant devices,
  # and invitations are redeemed without a consent prompt both ways (synchronization needs it:
  # outbound on the source, inbound on the target).
  inbound_trust = var.high ? {
    mfa_accepted                  = true
    compliant_device_accepted     = true
    hybrid_joined_device_accepted = var.hybrid_joined_device_trust
  } : null
  automatic_user_consent = var.high ? { inbound_allowed = true, outbound_allowed = true } : null

  # This tenant as the target of the other's synchronization.
  identity_synchronization = var.sync_in ? { user_sync_inbound_allowed = true } : null
}

output "partner_id" {
  description = "The partner configuration's ID (the other tenant's ID)."
  value       = coexistence_cross_tenant_access_partner.this.id
}
