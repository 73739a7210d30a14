# The import ID is the direction and the connector's name: outbound/<name> or inbound/<name>
# (here outbound/To-Fabrikam; quote a name that holds spaces).
terraform import coexistence_partner_connector.to_fabrikam outbound/<name>
