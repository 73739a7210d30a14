# A tenant has one default policy: its import ID is the word `default`, imported through the
# provider of that tenant.
terraform import coexistence_cross_tenant_access_default.example default
