# ---- Teams external access with the other tenant (optional, both levels; preview) ------------
# The other tenant's domains on this tenant's Teams federation allowed list, one resource per
# domain: the list is tenant-wide and shared with the tenant's other pairs, and each resource
# owns its own entry only. The list exists in allow-list mode, which this module does not set
# (a tenant-wide switch): manage `coexistence_teams_federation` once per tenant, outside the
# module, and pass its `id` (`teams_federation_switches`), which orders the domains after it.
# (A `depends_on` on the module call would defer the tenant lookups to apply, leaving the
# domains unknown at plan.)

variable "teams_federation_domains" {
  description = "The other tenant's domains to allow in this tenant's Teams federation (empty: none)."
  type        = list(string)
}

variable "teams_federation_switches" {
  description = "The `id` of this tenant's `coexistence_teams_federation` (null: managed elsewhere, already in allow-list mode)."
  type        = string
  default     = null
}

resource "coexistence_teams_federation_domain" "other" {
  for_each = toset(var.teams_federation_domains)
  provider = coexistence.self
  domain   = each.value

  lifecycle {
    # Referencing the switches' ID makes each domain wait for allow-list mode.
    precondition {
      condition     = var.teams_federation_switches == null || var.teams_federation_switches == "global"
      error_message = "teams_federation_switches is the id of a coexistence_teams_federation (always \"global\")."
    }
  }
}
