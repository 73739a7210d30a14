# By the configuration's service principal object ID (Enterprise applications → the
# configuration → Object ID).
terraform import coexistence_xts_job.to_fabrikam <service_principal_object_id>
