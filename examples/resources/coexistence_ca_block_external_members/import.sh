# The import ID is the policy's ID (a GUID Graph assigned). Only a policy with the managed
# shape (block B2B collaboration members of enumerated external tenants from all applications)
# can be imported.
terraform import coexistence_ca_block_external_members.partners <policy-id>
