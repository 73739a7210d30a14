# ---- free/busy sharing (both levels) ------------------------------------------------------
# An organization relationship for the other tenant's domains. High trust also shares mail
# tips, delivery reports and photos (updated in place).

variable "free_busy" {
  description = "The organization relationship: `enabled` and the free/busy `access_level`."
  type        = object({ enabled = bool, access_level = string })
}

variable "other_domains" {
  description = "The domains the other tenant is known by (initial, routing and SMTP domains)."
  type        = list(string)
}

resource "coexistence_organization_relationship" "this" {
  count                    = var.free_busy.enabled ? 1 : 0
  provider                 = coexistence.self
  name                     = var.other.name
  domain_names             = var.other_domains
  enabled                  = true
  free_busy_access_enabled = true
  free_busy_access_level   = var.free_busy.access_level
  target_application_uri   = "outlook.com"
  target_autodiscover_epr  = "https://autodiscover.outlook.com/autodiscover/autodiscover.svc/WSSecurity"
  mail_tips_access_enabled = var.high
  mail_tips_access_level   = var.high ? "All" : "None"
  delivery_report_enabled  = var.high
  photos_enabled           = var.high
}
