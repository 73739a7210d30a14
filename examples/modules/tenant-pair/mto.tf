# ---- multitenant organization (high trust) ------------------------------------------------

locals {
  mto_enabled  = local.high && var.mto.enabled
  mto_external = var.mto.owner_managed_elsewhere
  mto_owner    = var.mto.owner == "a" ? local.a : local.b
  mto_member   = var.mto.owner == "a" ? local.b : local.a
}

# The owner side in A, or ...
resource "coexistence_mto_membership" "owner_a" {
  count        = local.mto_enabled && !local.mto_external && var.mto.owner == "a" ? 1 : 0
  provider     = coexistence.a
  display_name = coalesce(var.mto.display_name, "${local.a.name} organization")
  member_tenants = {
    (local.b.tenant_id) = { display_name = local.b.name, role = "member" }
  }
}

# ... in B.
resource "coexistence_mto_membership" "owner_b" {
  count        = local.mto_enabled && !local.mto_external && var.mto.owner == "b" ? 1 : 0
  provider     = coexistence.b
  display_name = coalesce(var.mto.display_name, "${local.b.name} organization")
  member_tenants = {
    (local.a.tenant_id) = { display_name = local.a.name, role = "member" }
  }
}

locals {
  # The owner's tenant ID through a reference, so the join waits for the owner to add it.
  mto_owner_tenant_id = local.mto_external ? var.mto.owner_tenant_id : one(concat(
    coexistence_mto_membership.owner_a[*].tenant_id,
    coexistence_mto_membership.owner_b[*].tenant_id,
  ))
}

# The joining side: B when A owns, A when B owns.
resource "coexistence_mto_membership" "member_b" {
  count           = local.mto_enabled && var.mto.owner == "a" ? 1 : 0
  provider        = coexistence.b
  owner_tenant_id = local.mto_owner_tenant_id
}

resource "coexistence_mto_membership" "member_a" {
  count           = local.mto_enabled && var.mto.owner == "b" ? 1 : 0
  provider        = coexistence.a
  owner_tenant_id = local.mto_owner_tenant_id
}
