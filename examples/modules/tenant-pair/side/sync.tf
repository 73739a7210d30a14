# ---- cross-tenant synchronization (high trust), this tenant as the source ---------------------
# The job needs this tenant's partner configuration (outbound automatic redemption:
# target_tenant_id references it) and the target's (inbound sync and inbound redemption: the
# `target_partner_id` reference), so both exist before the job validates its credentials.

variable "sync_group_ids" {
  description = "Groups whose members this tenant synchronizes into the other (used when `sync_out`)."
  type        = set(string)
}

variable "user_type" {
  description = "`Member` or `Guest`: what synchronized users become in the other tenant."
  type        = string
}

variable "deprovision_on_destroy" {
  description = "Whether destroying the job first soft-deletes the users it synchronized (waiting for its cycle)."
  type        = bool
}

variable "target_partner_id" {
  description = "The ID of the other tenant's partner configuration for this one (orders the job after it)."
  type        = string
}

resource "coexistence_xts_job" "this" {
  count    = var.sync_out ? 1 : 0
  provider = coexistence.self
  # Always the other tenant's ID; written as a condition on the target's partner configuration
  # so Terraform creates that first.
  target_tenant_id  = var.target_partner_id != "" ? coexistence_cross_tenant_access_partner.this.tenant_id : coexistence_cross_tenant_access_partner.this.tenant_id
  display_name      = "Sync to ${var.other.name}"
  scoping_group_ids = var.sync_group_ids
  user_type         = var.user_type
  # The job's destroy runs before the other tenant's partner configuration loses its inbound
  # sync setting (the reference above orders it), so its last cycle is still allowed.
  deprovision_on_destroy = var.deprovision_on_destroy
}

output "sync_job" {
  description = "This tenant's sync job into the other (null without one): IDs and run status."
  value = one([for j in coexistence_xts_job.this : {
    id                   = j.id
    service_principal_id = j.service_principal_id
    job_id               = j.job_id
    status               = j.status
    quarantine_reason    = j.quarantine_reason
  }])
}
