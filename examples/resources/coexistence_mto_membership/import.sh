terraform import coexistence_mto_membership.contoso owner/<tenant_id>
