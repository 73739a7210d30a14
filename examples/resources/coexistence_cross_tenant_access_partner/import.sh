# The import ID is the partner's tenant ID (a GUID).
terraform import coexistence_cross_tenant_access_partner.example 3f2a8c91-5d4e-4b7a-9c1f-6e8d2b0a7c54
