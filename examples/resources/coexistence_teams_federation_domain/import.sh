# An allowed domain is imported by the domain itself, through the provider of the tenant whose
# list holds it.
terraform import coexistence_teams_federation_domain.example fabrikam.com
