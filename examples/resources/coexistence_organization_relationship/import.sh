# The import ID is the relationship's name (quote a name with spaces).
terraform import coexistence_organization_relationship.fabrikam Fabrikam
