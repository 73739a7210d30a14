#!/usr/bin/env bash
# `make demo`: starts the bundled emulator, then `terraform apply` and `terraform plan` of
# examples/demo against it, through the locally built provider (dev_overrides, no init).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo="$repo/.demo"
tf="$(bash "$repo/scripts/require-terraform.sh")"
rm -rf "$demo" && mkdir -p "$demo/emulator" "$demo/work"

"$repo/target/debug/coexistence-emulator" --demo --state-dir "$demo/emulator" >"$demo/emulator/stdout.log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$demo/emulator/url" ] && break; sleep 0.1; done
[ -s "$demo/emulator/url" ] || { cat "$demo/emulator/stdout.log"; echo "demo: the emulator did not start" >&2; exit 1; }
url="$(cat "$demo/emulator/url")"

cat >"$demo/cli.tfrc" <<CFG
provider_installation {
  dev_overrides { "registry.terraform.io/coexistence/coexistence" = "$repo/target/debug" }
  direct {}
}
CFG
# The demo and the module keep their relative layout (the demo calls ../modules/tenant-pair).
mkdir -p "$demo/work/demo" "$demo/work/modules"
cp "$repo/examples/demo/main.tf" "$demo/work/demo/"
cp -R "$repo/examples/modules/tenant-pair" "$demo/work/modules/"
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
# The groups the demo synchronizes at high trust (a job can only be assigned existing groups).
seed_group() {
  curl -sf --cacert "$demo/emulator/ca.pem" -X PUT -H 'content-type: application/json' \
    "$url/_emulator/tenants/$1/object?path=%2Fgroups%2F$2" \
    -d "{\"id\": \"$2\", \"displayName\": \"$3\", \"@odata.type\": \"#microsoft.graph.group\"}"
}
seed_group $contoso 5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d "Contoso people in Fabrikam"
seed_group $fabrikam 0f9e8d7c-6b5a-4c3d-8e1f-a0b1c2d3e4f5 "Fabrikam people in Contoso"
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
