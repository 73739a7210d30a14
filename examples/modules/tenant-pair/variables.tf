variable "tenant_a" {
  description = "The first tenant of the pair (managed through the `coexistence.a` provider): its `domain_name` or its `tenant_id`, and an optional display `name` used in object names (defaults to the tenant's display name)."
  type = object({
    domain_name = optional(string)
    tenant_id   = optional(string)
    name        = optional(string)
  })
  validation {
    condition     = (var.tenant_a.domain_name == null) != (var.tenant_a.tenant_id == null)
    error_message = "tenant_a: set exactly one of domain_name (e.g. \"contoso.onmicrosoft.com\") and tenant_id (a GUID)."
  }
  validation {
    condition     = var.tenant_a.tenant_id == null || can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", coalesce(var.tenant_a.tenant_id, "x")))
    error_message = "tenant_a.tenant_id must be a tenant GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47."
  }
}

variable "tenant_b" {
  description = "The second tenant of the pair (managed through the `coexistence.b` provider): its `domain_name` or its `tenant_id`, and an optional display `name`."
  type = object({
    domain_name = optional(string)
    tenant_id   = optional(string)
    name        = optional(string)
  })
  validation {
    condition     = (var.tenant_b.domain_name == null) != (var.tenant_b.tenant_id == null)
    error_message = "tenant_b: set exactly one of domain_name (e.g. \"fabrikam.onmicrosoft.com\") and tenant_id (a GUID)."
  }
  validation {
    condition     = var.tenant_b.tenant_id == null || can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", coalesce(var.tenant_b.tenant_id, "x")))
    error_message = "tenant_b.tenant_id must be a tenant GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47."
  }
}

variable "trust_level" {
  description = "`low`: B2B guests both ways, free/busy sharing, and a Conditional Access policy in each tenant blocking external members from the other. `high`: adds inbound trust of MFA and compliant devices, automatic redemption, cross-tenant synchronization of members, a multitenant organization and direct mail flow (and turns the member-blocking policies off). Raising or lowering it changes objects in place; it never replaces what both levels share."
  type        = string
  default     = "low"
  validation {
    condition     = contains(["low", "high"], var.trust_level)
    error_message = "trust_level must be \"low\" or \"high\"."
  }
}

variable "b2b_direct_connect" {
  description = "Allow B2B direct connect (Teams shared channels) both ways, for Office 365 only. Both trust levels."
  type        = bool
  default     = false
}

variable "sync" {
  description = "High trust: cross-tenant synchronization. `a_to_b_group_ids`: groups in tenant A whose members are provisioned into B as members (a sync job in A); `b_to_a_group_ids` the reverse. An empty set means no job in that direction. `user_type`: `Member` (default) or `Guest`. `deprovision_on_lowering` (default `false`): lowering the trust level (or removing a direction) first has each job soft-delete the users it synchronized, waiting for its cycle (the jobs' `deprovision_on_destroy`; set it, and apply, while at high trust). Without it the users stay in the other tenant: at low trust, groups still listed here then make every plan warn that the users they synchronized may remain: set them when raising, and empty them after lowering once the target is cleaned up."
  type = object({
    a_to_b_group_ids        = optional(set(string), [])
    b_to_a_group_ids        = optional(set(string), [])
    user_type               = optional(string, "Member")
    deprovision_on_lowering = optional(bool, false)
  })
  default = {}
  validation {
    condition     = contains(["Member", "Guest"], var.sync.user_type)
    error_message = "sync.user_type must be \"Member\" or \"Guest\"."
  }
  validation {
    condition = alltrue([for g in setunion(var.sync.a_to_b_group_ids, var.sync.b_to_a_group_ids) :
    can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", g))])
    error_message = "sync: every group ID must be a group object ID (a GUID)."
  }
}

variable "mto" {
  description = "High trust: a multitenant organization. `owner` (`a` or `b`) owns it and the other tenant joins. `display_name` names it (default: \"<owner name> organization\"). When the owner's organization is managed outside this module (a hub owning one organization for many pairs), set `owner_managed_elsewhere = true` and pass that owner resource's `tenant_id` as `owner_tenant_id`: the module then only makes the other tenant join (the reference orders the join after the owner's resource), and the owner resource must list the joining tenant in `member_tenants`."
  type = object({
    enabled                 = optional(bool, true)
    owner                   = optional(string, "a")
    display_name            = optional(string)
    owner_managed_elsewhere = optional(bool, false)
    owner_tenant_id         = optional(string)
  })
  default = {}
  validation {
    condition     = contains(["a", "b"], var.mto.owner)
    error_message = "mto.owner must be \"a\" or \"b\": the tenant that owns the multitenant organization."
  }
  validation {
    condition     = !var.mto.owner_managed_elsewhere || var.mto.owner_tenant_id != null
    error_message = "mto.owner_managed_elsewhere = true needs mto.owner_tenant_id: the tenant_id of the coexistence_mto_membership owner resource managed elsewhere."
  }
}

variable "checks" {
  description = "Warn on every plan when the live tenants no longer form a working pair (check blocks reading each tenant's partner configuration). Check-scoped data sources are always shown as \"read during apply\", so `terraform plan -detailed-exitcode` exits 2 even when nothing changes (hashicorp/terraform#35226): set `false` where a pipeline gates on that exit code."
  type        = bool
  default     = true
}

variable "domains" {
  description = "Each tenant's accepted SMTP domains beyond its initial (onmicrosoft.com) and routing (mail.onmicrosoft.com) domains, primary first: `a` and `b`. Free/busy shares with all of them; mail flow routes them to the mail exchanger Exchange Online publishes for the first one (read with that tenant's provider; the initial domain's when none is listed)."
  type = object({
    a = optional(list(string), [])
    b = optional(list(string), [])
  })
  default = {}
  validation {
    condition = alltrue([for d in concat(var.domains.a, var.domains.b) :
    can(regex("^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$", d))])
    error_message = "domains: every entry must be a domain name such as fabrikam.com (no wildcards, no trailing dot)."
  }
}

variable "free_busy" {
  description = "Both levels: free/busy sharing through an organization relationship in each tenant (`coexistence_organization_relationship`). `access_level`: `AvailabilityOnly` or `LimitedDetails` (default). High trust also shares mail tips, delivery reports and photos."
  type = object({
    enabled      = optional(bool, true)
    access_level = optional(string, "LimitedDetails")
  })
  default = {}
  validation {
    condition     = contains(["AvailabilityOnly", "LimitedDetails"], var.free_busy.access_level)
    error_message = "free_busy.access_level must be \"AvailabilityOnly\" or \"LimitedDetails\"."
  }
}

variable "conditional_access" {
  description = "Both levels: a Conditional Access policy in each tenant blocking B2B collaboration members from the other (`coexistence_ca_block_external_members`), switched to `disabled` at high trust. `state` at low trust: `enabled` (default, enforced) or `enabledForReportingButNotEnforced` (report-only, for a first rollout: while report-only, members synchronized during an earlier high trust, or provisioned by the partner, keep member access). Per tenant (`a`, `b`): `exclude_user_ids` and `exclude_group_ids` (break-glass accounts)."
  type = object({
    enabled = optional(bool, true)
    state   = optional(string, "enabled")
    a = optional(object({
      exclude_user_ids  = optional(set(string), [])
      exclude_group_ids = optional(set(string), [])
    }), {})
    b = optional(object({
      exclude_user_ids  = optional(set(string), [])
      exclude_group_ids = optional(set(string), [])
    }), {})
  })
  default = {}
  validation {
    condition     = contains(["enabled", "enabledForReportingButNotEnforced"], var.conditional_access.state)
    error_message = "conditional_access.state must be \"enabled\" or \"enabledForReportingButNotEnforced\" (report-only); high trust turns the policies off by itself."
  }
  validation {
    condition = alltrue([for id in setunion(var.conditional_access.a.exclude_user_ids, var.conditional_access.a.exclude_group_ids, var.conditional_access.b.exclude_user_ids, var.conditional_access.b.exclude_group_ids) :
    can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", id))])
    error_message = "conditional_access: every excluded user or group must be an object ID (a GUID)."
  }
}

variable "mail_flow" {
  description = "High trust: direct mail flow both ways through Partner connectors (`coexistence_partner_connector`): outbound in the sender to the recipient's domains and Exchange Online Protection, inbound in the recipient trusting the sender's initial domain."
  type = object({
    enabled = optional(bool, true)
  })
  default = {}
}

variable "hybrid_joined_device_trust" {
  description = "High trust: Conditional Access in each tenant also accepts the other tenant's hybrid Microsoft Entra joined device claims (`inbound_trust.hybrid_joined_device_accepted`). MFA and compliant devices are always trusted at high trust."
  type        = bool
  default     = false
}

variable "manage_default_policy" {
  description = "Both levels: also set each tenant's default cross-tenant access policy (`coexistence_cross_tenant_access_default`) to block B2B collaboration inbound for every organization without a partner configuration; the other tenant stays allowed through its partner configuration. A tenant-wide setting: every other organization is affected, destroying resets the whole default policy to Microsoft's defaults, and a default policy already changed in the portal must be imported first (the resource refuses to overwrite it). Leave it off where a tenant is in several pairs (manage its default policy once, outside the module)."
  type        = bool
  default     = false
}

variable "teams_federation" {
  description = "Both levels (preview): allow each tenant's domains (its initial domain and the SMTP domains in `domains`) in the other tenant's Teams federation allowed list (`coexistence_teams_federation_domain`). Off by default: the allowed list exists only in allow-list mode, a tenant-wide switch the module does not set; manage `coexistence_teams_federation` (`domain_mode = \"allow_list\"`) once per tenant outside the module and pass its `id` in `teams_federation_switches`."
  type        = bool
  default     = false
}

variable "teams_federation_switches" {
  description = "With `teams_federation`: the `id` of each tenant's `coexistence_teams_federation` (allow-list mode), so that the domains are added after it; leave a tenant out when its switches are managed elsewhere and already in allow-list mode."
  type = object({
    a = optional(string)
    b = optional(string)
  })
  default = {}
}
