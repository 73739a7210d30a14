# Contoso and Fabrikam connected as a tenant pair (examples/modules/tenant-pair), one aliased
# provider per tenant: `trust_level = "low"` first (B2B guests, free/busy, member-blocking
# Conditional Access), then `"high"` (trust, synchronization both ways, an organization, mail
# flow). `make demo` applies both levels against the bundled emulator. Against real tenants,
# set the variables (or ARM_* environment variables) and drop `endpoint`.

terraform {
  required_providers {
    coexistence = { source = "coexistence/coexistence" }
  }
}

variable "trust_level" {
  description = "\"low\" or \"high\"."
  type        = string
  default     = "low"
}

variable "endpoint" {
  description = "Sign-in and Graph endpoint override (the emulator's URL). null = Microsoft's public cloud."
  type        = string
  default     = null
}
variable "contoso_tenant_id" { type = string }
variable "contoso_client_id" { type = string }
variable "contoso_client_secret" {
  type      = string
  sensitive = true
}
variable "fabrikam_tenant_id" { type = string }
variable "fabrikam_client_id" { type = string }
variable "fabrikam_client_secret" {
  type      = string
  sensitive = true
}

provider "coexistence" {
  alias             = "contoso"
  tenant_id         = var.contoso_tenant_id
  client_id         = var.contoso_client_id
  client_secret     = var.contoso_client_secret
  authority_host    = var.endpoint
  graph_endpoint    = var.endpoint
  exchange_endpoint = var.endpoint
  teams_endpoint    = var.endpoint
}

provider "coexistence" {
  alias             = "fabrikam"
  tenant_id         = var.fabrikam_tenant_id
  client_id         = var.fabrikam_client_id
  client_secret     = var.fabrikam_client_secret
  authority_host    = var.endpoint
  graph_endpoint    = var.endpoint
  exchange_endpoint = var.endpoint
  teams_endpoint    = var.endpoint
}

module "pair" {
  source    = "../modules/tenant-pair"
  providers = { coexistence.a = coexistence.contoso, coexistence.b = coexistence.fabrikam }

  tenant_a    = { domain_name = "contoso.onmicrosoft.com", name = "Contoso" }
  tenant_b    = { domain_name = "fabrikam.onmicrosoft.com", name = "Fabrikam" }
  trust_level = var.trust_level

  # Members of these groups are synchronized into the other tenant at high trust.
  sync = {
    a_to_b_group_ids = ["5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d"]
    b_to_a_group_ids = ["0f9e8d7c-6b5a-4c3d-8e1f-a0b1c2d3e4f5"]
  }
}

output "pair" {
  value = {
    partners     = module.pair.partner_ids
    organization = module.pair.organization
  }
}
