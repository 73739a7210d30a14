# Contoso's side of a coexistence with Fabrikam: Fabrikam's users may be invited and synchronized
# into Contoso, Contoso trusts MFA and compliant devices from Fabrikam, and invitations are
# redeemed without a consent prompt. Settings left out (outbound B2B collaboration, B2B direct
# connect outbound) inherit Contoso's default cross-tenant access settings.
resource "coexistence_cross_tenant_access_partner" "example" {
  # Fabrikam's tenant ID. Only know a domain? See the coexistence_tenant data source.
  tenant_id = "3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54"

  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    applications = {
      access_type = "allowed"
      targets = [
        { target = "AllApplications", target_type = "application" },
      ]
    }
  }

  # Teams shared channels: Fabrikam users reach Office 365 only.
  b2b_direct_connect_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    applications = {
      access_type = "allowed"
      targets = [
        { target = "Office365", target_type = "application" },
      ]
    }
  }

  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = true
    hybrid_joined_device_accepted = false
  }

  # Contoso is the target of cross-tenant synchronization from Fabrikam.
  automatic_user_consent = {
    inbound_allowed  = true
    outbound_allowed = false
  }

  identity_synchronization = {
    user_sync_inbound_allowed = true
  }
}
