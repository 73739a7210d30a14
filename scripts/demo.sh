#!/usr/bin/env bash
# `make demo`: starts the bundled emulator, then `terraform apply` and `terraform plan` of
# examples/demo against it, through the locally built provider (dev_overrides, no init).
# Everything lives in .demo/demo/ (`make emulator` keeps its own .demo/emulator/).
# `--setup-only` starts the emulator, writes the files and stops there (no terraform).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=workdir.sh
. "$repo/scripts/workdir.sh"
demo="$repo/.demo/demo"
claim_workdir "$demo" "make demo"
mkdir -p "$demo/emulator" "$demo/work"

# The emulator's --demo tenants come seeded with the groups the demo synchronizes.
"$repo/target/debug/coexistence-emulator" --demo --state-dir "$demo/emulator" >"$demo/emulator/stdout.log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
wait_for_emulator "$demo/emulator" "$demo/emulator/stdout.log" demo
url="$(cat "$demo/emulator/url")"
write_cli_config "$demo/cli.tfrc" "$repo"
# The demo and the module keep their relative layout (the demo calls ../modules/tenant-pair).
mkdir -p "$demo/work/demo" "$demo/work/modules"
cp "$repo/examples/demo/main.tf" "$demo/work/demo/"
cp -R "$repo/examples/modules/tenant-pair" "$demo/work/modules/"
if [ "${1:-}" = --setup-only ]; then
  echo "demo: set up in $demo (emulator at $url); stopping there (--setup-only)"
  exit 0
fi
tf="$(bash "$repo/scripts/require-terraform.sh")"
export TF_CLI_CONFIG_FILE="$demo/cli.tfrc" SSL_CERT_FILE="$demo/emulator/ca.pem" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# The emulator's built-in demo tenants (fake credentials, printed by `coexistence-emulator --demo`).
contoso=6babcaad-604b-40ac-a9d7-9fd97c0b779f fabrikam=9c5d131d-b1c3-4fc4-9e3f-c6557947d551
export TF_VAR_endpoint="$url" \
  TF_VAR_contoso_tenant_id=$contoso TF_VAR_contoso_client_id=0c0a11e5-c011-4a11-8c0a-000000000001 TF_VAR_contoso_client_secret=contoso-demo-secret \
  TF_VAR_fabrikam_tenant_id=$fabrikam TF_VAR_fabrikam_client_id=fab0a11e-fab1-4a11-8fab-000000000002 TF_VAR_fabrikam_client_secret=fabrikam-demo-secret
cd "$demo/work/demo"
# Captured whole: piping into head would let terraform die of SIGPIPE under pipefail.
tf_version="$("$tf" version)"
log="$demo/terraform.log"
step() { echo; echo "== $*"; }
quiet() { "$@" >>"$log" 2>&1 || { cat "$log"; echo "demo: '$*' failed" >&2; exit 1; }; }
summary() {
  for t in "contoso:$contoso" "fabrikam:$fabrikam"; do
    echo "  ${t%%:*}:"
    curl -sf --cacert "$demo/emulator/ca.pem" "$url/_emulator/tenants/${t#*:}/summary" | sed 's/^/    /'
  done
}
start=$(date +%s)
step "${tf_version%%$'\n'*}, emulator at $url"
"$tf" get -no-color >>"$log"
step "terraform apply -var trust_level=low"
quiet "$tf" apply -auto-approve -input=false -no-color -var trust_level=low
summary
step "terraform plan -var trust_level=high (raising the pair: creates and in-place updates only)"
"$tf" plan -input=false -no-color -var trust_level=high | sed -n '/Terraform will perform/,/^Plan:/p' | grep -E '^  # module|^Plan:' | grep -v 'will be read during apply' || true
step "terraform apply -var trust_level=high"
quiet "$tf" apply -auto-approve -input=false -no-color -var trust_level=high
summary
step "users the sync jobs created (the emulator runs a cycle when a job starts)"
for t in "contoso:$contoso" "fabrikam:$fabrikam"; do
  echo "  ${t%%:*}:"
  curl -sf --cacert "$demo/emulator/ca.pem" "$url/_emulator/tenants/${t#*:}/xts/synchronized-users" | sed 's/^/    /'
done
step "terraform plan -var trust_level=high (expect no changes)"
plan="$("$tf" plan -input=false -no-color -var trust_level=high)"
echo "$plan" | grep -E '^(Plan:|No changes)' || true
[[ "$plan" == *"Plan: 0 to add, 0 to change, 0 to destroy"* || "$plan" == *"No changes"* ]] || { echo "$plan"; echo "demo: the pair did not converge" >&2; exit 1; }
echo
echo "done in $(( $(date +%s) - start ))s."
echo "state:        $demo/work/demo/terraform.tfstate"
echo "terraform:    $log"
echo "emulator log: $demo/emulator/emulator.log (one JSON line per request)"
echo "experiment:   'make emulator' keeps an emulator running and prints the provider blocks to paste"
