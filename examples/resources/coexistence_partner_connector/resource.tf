# Mail from Contoso to Fabrikam, both on Exchange Online: one connector in each tenant.

# In Contoso (the sending tenant): mail for Fabrikam's domains goes straight to Fabrikam's
# Exchange Online Protection, over TLS checked against its certificate.
resource "coexistence_partner_connector" "to_fabrikam" {
  direction = "outbound"
  name      = "To-Fabrikam"
  comment   = "Cross-tenant mail flow to Fabrikam"
  recipient_domains = [
    "fabrikam.com",                  # primary SMTP domain
    "fabrikam.onmicrosoft.com",      # MOERA
    "fabrikam.mail.onmicrosoft.com", # coexistence routing domain
  ]
  smart_hosts  = ["fabrikam-com.mail.protection.outlook.com"]
  tls_settings = "DomainValidation"
  tls_domain   = "mail.protection.outlook.com"
}

# In Fabrikam (the receiving tenant): accept Contoso's mail only over TLS from Exchange Online,
# attributed to this connector through Contoso's MOERA.
resource "coexistence_partner_connector" "from_contoso" {
  provider  = coexistence.fabrikam
  direction = "inbound"
  name      = "From-Contoso"
  comment   = "Cross-tenant mail flow from Contoso"
  sender_domains = [
    "contoso.com",
    "contoso.onmicrosoft.com",
    "contoso.mail.onmicrosoft.com",
  ]
  trusted_organizations           = ["contoso.onmicrosoft.com"]
  require_tls                     = true
  restrict_domains_to_certificate = true
  tls_sender_certificate_name     = "*.protection.outlook.com"
}
