# Contoso shares calendar free/busy (with subject and location), MailTips and photos with
# Fabrikam, another Microsoft 365 tenant. Fabrikam's side is the same resource in Fabrikam's
# provider, naming Contoso's domains.
resource "coexistence_organization_relationship" "fabrikam" {
  name = "Fabrikam"
  # Fabrikam's primary SMTP domain, its MOERA and its coexistence routing domain.
  domain_names = [
    "fabrikam.com",
    "fabrikam.onmicrosoft.com",
    "fabrikam.mail.onmicrosoft.com",
  ]
  enabled = true

  free_busy_access_enabled = true
  free_busy_access_level   = "LimitedDetails"

  # Fabrikam is in Exchange Online.
  target_application_uri  = "outlook.com"
  target_autodiscover_epr = "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity"

  mail_tips_access_enabled = true
  mail_tips_access_level   = "All"
  delivery_report_enabled  = true
  photos_enabled           = true

  # Cross-tenant mailbox migration: Contoso is the target of Fabrikam's mailbox moves. Fabrikam's
  # side (the source) sets mailbox_move_capability = ["RemoteOutbound"], the groups whose members
  # may move in mailbox_move_published_scopes, and the migration application in
  # oauth_application_id.
  mailbox_move_enabled    = true
  mailbox_move_capability = ["Inbound"]
}
