terraform {
  required_providers {
    coexistence = {
      source = "coexistence/coexistence"
    }
  }
}

# One provider block per tenant, each with an alias. Every tenant has its own app registration
# with the Microsoft Graph application permission Policy.ReadWrite.CrossTenantAccess (plus
# CrossTenantInformation.ReadBasic.All for the coexistence_tenant data source).

variable "contoso_client_secret" {
  description = "Client secret of the Contoso app registration (e.g. export TF_VAR_contoso_client_secret)."
  type        = string
  sensitive   = true
}

variable "fabrikam_client_secret" {
  description = "Client secret of the Fabrikam app registration (e.g. export TF_VAR_fabrikam_client_secret)."
  type        = string
  sensitive   = true
}

provider "coexistence" {
  alias         = "contoso"
  tenant_id     = "6c1f3e2a-9b4d-4e8f-a2c7-5d0b8e91f346"
  client_id     = "0b7d9a52-3e1c-4f6a-8d2b-c94e7f105a38"
  client_secret = var.contoso_client_secret
}

provider "coexistence" {
  alias         = "fabrikam"
  tenant_id     = "3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54"
  client_id     = "e4a61c0f-72b8-4d95-b3e7-18f2c6d9a0b1"
  client_secret = var.fabrikam_client_secret
}

# Other ways to sign in (each argument also has an ARM_* environment variable; with a single
# provider block, ARM_TENANT_ID / ARM_CLIENT_ID / ARM_CLIENT_SECRET alone are enough):
#
#   Client certificate:  client_certificate_path = "contoso.pfx"
#                        client_certificate_password = var.contoso_certificate_password
#   OIDC federation:     use_oidc = true  (GitHub Actions: the token is requested automatically;
#                        elsewhere set oidc_token or oidc_token_file_path)
#   Managed identity:    use_msi = true   (client_id selects a user-assigned identity)
#   Azure CLI:           use_cli = true   (signs in as the `az login` account)
#
# Resources then choose the tenant they manage with `provider = coexistence.contoso`.
