# One hub tenant (Contoso) connected to three subsidiaries at mixed trust levels with the
# tenant-pair module. The pairs are one map; each subsidiary has its own provider alias.
#
# Terraform cannot pass a different provider configuration to each instance of a module called
# with for_each (hashicorp/terraform#24476), so each pair is one module block reading its entry
# of `local.pairs`; everything built across the pairs (the hub's organization, the outputs) is a
# for expression over that map, so adding a subsidiary is one map entry, one provider block and
# one module block.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    coexistence = { source = "coexistence/coexistence" }
  }
}

variable "endpoint" {
  description = "Sign-in, Graph and Exchange endpoint override (an emulator's URL). null = Microsoft's public cloud."
  type        = string
  default     = null
}

variable "tenants" {
  description = "Per tenant (hub, fabrikam, tailspin, wingtip): its tenant ID and the client ID of its app registration."
  type = map(object({
    tenant_id = string
    client_id = string
  }))
}

variable "client_secrets" {
  description = "Per tenant: the client secret of its app registration (e.g. TF_VAR_client_secrets='{hub=\"...\",...}')."
  type        = map(string)
  sensitive   = true
}

locals {
  pairs = {
    fabrikam = { name = "Fabrikam", trust_level = "high", sync_groups = ["5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d"] }
    tailspin = { name = "Tailspin", trust_level = "low", sync_groups = [] }
    wingtip  = { name = "Wingtip", trust_level = "high", sync_groups = [] }
  }
}

provider "coexistence" {
  alias             = "hub"
  tenant_id         = var.tenants["hub"].tenant_id
  client_id         = var.tenants["hub"].client_id
  client_secret     = var.client_secrets["hub"]
  authority_host    = var.endpoint
  graph_endpoint    = var.endpoint
  exchange_endpoint = var.endpoint
  teams_endpoint    = var.endpoint
}

provider "coexistence" {
  alias             = "fabrikam"
  tenant_id         = var.tenants["fabrikam"].tenant_id
  client_id         = var.tenants["fabrikam"].client_id
  client_secret     = var.client_secrets["fabrikam"]
  authority_host    = var.endpoint
  graph_endpoint    = var.endpoint
  exchange_endpoint = var.endpoint
  teams_endpoint    = var.endpoint
}

provider "coexistence" {
  alias             = "tailspin"
  tenant_id         = var.tenants["tailspin"].tenant_id
  client_id         = var.tenants["tailspin"].client_id
  client_secret     = var.client_secrets["tailspin"]
  authority_host    = var.endpoint
  graph_endpoint    = var.endpoint
  exchange_endpoint = var.endpoint
  teams_endpoint    = var.endpoint
}

provider "coexistence" {
  alias             = "wingtip"
  tenant_id         = var.tenants["wingtip"].tenant_id
  client_id         = var.tenants["wingtip"].client_id
  client_secret     = var.client_secrets["wingtip"]
  authority_host    = var.endpoint
  graph_endpoint    = var.endpoint
  exchange_endpoint = var.endpoint
  teams_endpoint    = var.endpoint
}

# The hub owns one multitenant organization with every high-trust subsidiary in it; each
# high-trust pair only makes its subsidiary join (mto.owner_managed_elsewhere).
resource "coexistence_mto_membership" "hub" {
  provider     = coexistence.hub
  display_name = "Contoso Group"
  member_tenants = {
    for k, p in local.pairs : var.tenants[k].tenant_id => { display_name = p.name, role = "member" }
    if p.trust_level == "high"
  }
}

locals {
  # What every pair shares: the hub is tenant A, the subsidiary tenant B.
  hub_mto = { owner = "a", owner_managed_elsewhere = true, owner_tenant_id = coexistence_mto_membership.hub.tenant_id }
}

module "fabrikam" {
  source    = "../modules/tenant-pair"
  providers = { coexistence.a = coexistence.hub, coexistence.b = coexistence.fabrikam }

  tenant_a    = { tenant_id = var.tenants["hub"].tenant_id, name = "Contoso" }
  tenant_b    = { tenant_id = var.tenants["fabrikam"].tenant_id, name = local.pairs.fabrikam.name }
  trust_level = local.pairs.fabrikam.trust_level
  sync        = { a_to_b_group_ids = local.pairs.fabrikam.sync_groups }
  mto         = local.hub_mto
}

module "tailspin" {
  source    = "../modules/tenant-pair"
  providers = { coexistence.a = coexistence.hub, coexistence.b = coexistence.tailspin }

  tenant_a    = { tenant_id = var.tenants["hub"].tenant_id, name = "Contoso" }
  tenant_b    = { tenant_id = var.tenants["tailspin"].tenant_id, name = local.pairs.tailspin.name }
  trust_level = local.pairs.tailspin.trust_level
  sync        = { a_to_b_group_ids = local.pairs.tailspin.sync_groups }
  mto         = local.hub_mto
}

module "wingtip" {
  source    = "../modules/tenant-pair"
  providers = { coexistence.a = coexistence.hub, coexistence.b = coexistence.wingtip }

  tenant_a    = { tenant_id = var.tenants["hub"].tenant_id, name = "Contoso" }
  tenant_b    = { tenant_id = var.tenants["wingtip"].tenant_id, name = local.pairs.wingtip.name }
  trust_level = local.pairs.wingtip.trust_level
  sync        = { a_to_b_group_ids = local.pairs.wingtip.sync_groups }
  mto         = local.hub_mto
}

locals {
  modules = { fabrikam = module.fabrikam, tailspin = module.tailspin, wingtip = module.wingtip }
}

output "pairs" {
  description = "Per subsidiary: its trust level, the partner configuration IDs and its join state."
  value = {
    for k, m in local.modules : k => {
      trust_level  = local.pairs[k].trust_level
      partner_ids  = m.partner_ids
      organization = m.organization
    }
  }
}
