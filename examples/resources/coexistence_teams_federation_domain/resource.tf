# Contoso allows Teams federation with Fabrikam's domain only. The allowed list exists in
# allow-list mode, which coexistence_teams_federation sets; each domain resource depends on it.
# Other entries of the list (other tenant pairs', or added by hand) are never touched.
resource "coexistence_teams_federation" "allow_list" {
  domain_mode                  = "allow_list"
  allow_teams_consumer         = false
  allow_teams_consumer_inbound = false
}

resource "coexistence_teams_federation_domain" "example" {
  domain     = "fabrikam.com"
  depends_on = [coexistence_teams_federation.allow_list]
}
