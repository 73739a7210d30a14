#!/usr/bin/env bash
# Sourced helper: does a terraform binary report an exact version?
#
# Why capture-then-compare: a pipeline such as `terraform version | head -n1 | grep -qx ...`
# under `set -o pipefail` fails at random. `head`/`grep -q` exit as soon as they have the
# first line; terraform's next write then hits a closed pipe, terraform dies of SIGPIPE, and
# pipefail reports the pipeline as failed although the version matched. Reading the whole
# output into a variable never closes the pipe early. Do not "simplify" this back into a
# pipeline; scripts/test-scripts.sh fails when the race is reintroduced.

# terraform_reports_version BINARY VERSION: true when `BINARY version` succeeds and its first
# line is exactly `Terraform vVERSION`. CHECKPOINT_DISABLE keeps terraform off the network.
terraform_reports_version() {
  local bin="$1" want="$2" out
  [ -x "$bin" ] || return 1
  out="$(CHECKPOINT_DISABLE=1 "$bin" version 2>/dev/null)" || return 1
  [ "${out%%$'\n'*}" = "Terraform v${want}" ]
}
