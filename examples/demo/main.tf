# Two tenants connected both ways, as a platform team would do it: one aliased provider per
# tenant, each configures the other as a partner. Fabrikam is the target of cross-tenant
# synchronization from Contoso: it allows inbound user sync and redeems invitations
# automatically; Contoso redeems automatically outbound.
#
# `make demo` runs this against the bundled emulator. Against real tenants, set the variables
# (or ARM_* environment variables) and drop `endpoint`.

terraform {
  required_providers {
    coexistence = { source = "coexistence/coexistence" }
  }
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
  alias          = "contoso"
  tenant_id      = var.contoso_tenant_id
  client_id      = var.contoso_client_id
  client_secret  = var.contoso_client_secret
  authority_host = var.endpoint
  graph_endpoint = var.endpoint
}

provider "coexistence" {
  alias          = "fabrikam"
  tenant_id      = var.fabrikam_tenant_id
  client_id      = var.fabrikam_client_id
  client_secret  = var.fabrikam_client_secret
  authority_host = var.endpoint
  graph_endpoint = var.endpoint
}

# Partners are named by domain; the lookup works from either tenant.
data "coexistence_tenant" "fabrikam" {
  provider    = coexistence.contoso
  domain_name = "fabrikam.onmicrosoft.com"
}

data "coexistence_tenant" "contoso" {
  provider    = coexistence.fabrikam
  domain_name = "contoso.onmicrosoft.com"
}

locals {
  everyone = {
    users_and_groups = { access_type = "allowed", targets = [{ target = "AllUsers", target_type = "user" }] }
    applications     = { access_type = "allowed", targets = [{ target = "AllApplications", target_type = "application" }] }
  }
}

# Source side (Contoso): its users may go to Fabrikam, invitations redeemed without a prompt.
resource "coexistence_cross_tenant_access_partner" "contoso_to_fabrikam" {
  provider                   = coexistence.contoso
  tenant_id                  = data.coexistence_tenant.fabrikam.tenant_id
  b2b_collaboration_outbound = local.everyone
  automatic_user_consent     = { inbound_allowed = false, outbound_allowed = true }
}

# Target side (Fabrikam): trusts Contoso's MFA and devices, accepts synchronized users.
resource "coexistence_cross_tenant_access_partner" "fabrikam_from_contoso" {
  provider                  = coexistence.fabrikam
  tenant_id                 = data.coexistence_tenant.contoso.tenant_id
  b2b_collaboration_inbound = local.everyone
  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = true
    hybrid_joined_device_accepted = true
  }
  automatic_user_consent   = { inbound_allowed = true, outbound_allowed = false }
  identity_synchronization = { user_sync_inbound_allowed = true }
}

output "partners" {
  value = {
    contoso_sees  = coexistence_cross_tenant_access_partner.contoso_to_fabrikam.id
    fabrikam_sees = coexistence_cross_tenant_access_partner.fabrikam_from_contoso.id
  }
}
