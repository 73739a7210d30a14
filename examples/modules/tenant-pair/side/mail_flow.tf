# ---- direct mail flow (high trust) --------------------------------------------------------
# Outbound: a Partner connector to the other tenant's domains, smart-hosted on its Exchange
# Online Protection. Inbound: a Partner connector trusting the other tenant's initial domain
# (MOERA), so its mail is attributed to the connector.

variable "mail_flow" {
  description = "Direct mail flow with the other tenant."
  type        = bool
}

variable "other_smart_host" {
  description = "The mail exchanger Exchange Online publishes for the other tenant's routing domain (read with the other tenant's provider, `coexistence_mail_routing`); null without mail flow."
  type        = string
}

locals {
  # The certificate domain the outbound connector validates: Exchange Online Protection's
  # hosts are under mail.protection.outlook.com, the DNSSEC-signed ones under mx.microsoft.
  other_tls_domain = var.other_smart_host != null && endswith(coalesce(var.other_smart_host, "-"), ".mx.microsoft") ? "mx.microsoft" : "mail.protection.outlook.com"
}

resource "coexistence_partner_connector" "to_other" {
  count             = var.mail_flow ? 1 : 0
  provider          = coexistence.self
  direction         = "outbound"
  name              = "To ${var.other.name}"
  enabled           = true
  comment           = "Cross-tenant mail flow to ${var.other.name} (tenant-pair module)"
  recipient_domains = var.other_domains
  smart_hosts       = [var.other_smart_host]
  tls_settings      = "DomainValidation"
  tls_domain        = local.other_tls_domain
}

resource "coexistence_partner_connector" "from_other" {
  count                           = var.mail_flow ? 1 : 0
  provider                        = coexistence.self
  direction                       = "inbound"
  name                            = "From ${var.other.name}"
  enabled                         = true
  comment                         = "Cross-tenant mail flow from ${var.other.name} (tenant-pair module)"
  sender_domains                  = var.other_domains
  trusted_organizations           = [var.other.moera]
  require_tls                     = true
  restrict_domains_to_certificate = true
  tls_sender_certificate_name     = "*.protection.outlook.com"
}

output "connector_names" {
  description = "The outbound and inbound connectors' names (null without mail flow)."
  value = var.mail_flow ? {
    outbound = one(coexistence_partner_connector.to_other[*].name)
    inbound  = one(coexistence_partner_connector.from_other[*].name)
  } : null
}
