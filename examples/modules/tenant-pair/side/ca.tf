# ---- Conditional Access: block the other tenant's external members (both levels) ----------
# At low trust this tenant blocks B2B collaboration *members* from the other (members that
# cross-tenant synchronization could provision). High trust synchronizes members on purpose,
# so the same policy is switched off in place, never destroyed (lowering switches it back).

variable "conditional_access" {
  description = "The member-blocking policy: `enabled`, its `state` at low trust, and the users and groups it excludes (break-glass accounts)."
  type = object({
    enabled           = bool
    state             = string
    exclude_user_ids  = set(string)
    exclude_group_ids = set(string)
  })
}

resource "coexistence_ca_block_external_members" "this" {
  count               = var.conditional_access.enabled ? 1 : 0
  provider            = coexistence.self
  display_name        = "Block external members from ${var.other.name}"
  state               = var.high ? "disabled" : var.conditional_access.state
  external_tenant_ids = [var.other.tenant_id]
  exclude_user_ids    = var.conditional_access.exclude_user_ids
  exclude_group_ids   = var.conditional_access.exclude_group_ids
}

output "conditional_access_policy_id" {
  description = "The member-blocking policy's ID (null when disabled by `conditional_access.enabled`)."
  value       = one(coexistence_ca_block_external_members.this[*].id)
}
