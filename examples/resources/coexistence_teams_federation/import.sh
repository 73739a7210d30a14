# A tenant has one Teams federation configuration: its import ID is the word `global`, imported
# through the provider of that tenant.
terraform import coexistence_teams_federation.example global
