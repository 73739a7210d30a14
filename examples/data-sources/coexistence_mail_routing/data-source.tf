# This tenant's domains and the mail exchangers Exchange Online publishes for them: give
# another tenant's outbound connector the host the service names, not one built from a domain.
data "coexistence_mail_routing" "this" {
  # No arguments: it reads the tenant this provider block signs in to.
}

output "initial_domain_mx" {
  value = data.coexistence_mail_routing.this.initial_domain_mx
}

output "mx_by_domain" {
  value = { for d in data.coexistence_mail_routing.this.domains : d.id => [for m in d.mx : m.host] }
}
