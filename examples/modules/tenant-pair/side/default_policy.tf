# ---- this tenant's default cross-tenant access policy (optional, both levels) ---------------
# A baseline for every organization without a partner configuration: nobody is let in as a B2B
# guest by default, and the other tenant of the pair is allowed explicitly by this tenant's
# partner configuration (which sets b2b_collaboration_inbound itself, so it never inherits the
# block). Only the B2B collaboration inbound block is managed; the rest of the default policy is
# left as it is. The policy is tenant-wide: one module call per tenant may manage it.

variable "manage_default_policy" {
  description = "Set this tenant's default policy (B2B collaboration inbound blocked)."
  type        = bool
}

resource "coexistence_cross_tenant_access_default" "this" {
  count    = var.manage_default_policy ? 1 : 0
  provider = coexistence.self

  b2b_collaboration_inbound = {
    users_and_groups = { access_type = "blocked", targets = [{ target = "AllUsers", target_type = "user" }] }
    applications     = { access_type = "blocked", targets = [{ target = "AllApplications", target_type = "application" }] }
  }

  # The partner is allowed explicitly before the default blocks everyone else, so the pair never
  # loses B2B access in between; on destroy the default is reset before the partner goes.
  depends_on = [coexistence_cross_tenant_access_partner.this]
}
