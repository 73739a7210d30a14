# Contoso's baseline for every organization without a partner configuration: nobody from outside
# is invited as a B2B guest unless a partner configuration allows it, and MFA done elsewhere is
# not trusted. Blocks left out (outbound B2B collaboration, B2B direct connect, automatic
# consent, invitation redemption) are not managed: Terraform neither writes nor compares them.
# Destroying this resource resets the whole default policy to Microsoft's defaults.
resource "coexistence_cross_tenant_access_default" "example" {
  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "blocked"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    applications = {
      access_type = "blocked"
      targets = [
        { target = "AllApplications", target_type = "application" },
      ]
    }
  }

  # Tenant restrictions v2 (where deployed): this tenant's users may not sign in with other
  # organizations' accounts from its network or devices. Microsoft's default, kept explicit so a
  # change in the admin center shows in the plan.
  tenant_restrictions = {
    users_and_groups = {
      access_type = "blocked"
      targets = [
        { target = "AllUsers", target_type = "user" },
      ]
    }
    applications = {
      access_type = "blocked"
      targets = [
        { target = "AllApplications", target_type = "application" },
      ]
    }
  }

  inbound_trust = {
    mfa_accepted                  = false
    compliant_device_accepted     = false
    hybrid_joined_device_accepted = false
  }
}
