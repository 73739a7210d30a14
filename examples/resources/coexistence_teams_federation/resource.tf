# Contoso's Teams external access at low trust: federation only with the domains on the allowed
# list (one coexistence_teams_federation_domain per partner domain), no chat with Teams accounts
# not managed by an organization, trial-only tenants blocked. Switches left out hold the service
# defaults. Destroying this resource restores the defaults (allow-list mode stays while the list
# still holds domains). A tenant has one such configuration (import ID `global`).
resource "coexistence_teams_federation" "example" {
  domain_mode                  = "allow_list"
  allow_teams_consumer         = false
  allow_teams_consumer_inbound = false
}
