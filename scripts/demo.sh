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
cp "$repo/examples/demo/main.tf" "$demo/work/"
export TF_CLI_CONFIG_FILE="$demo/cli.tfrc" SSL_CERT_FILE="$demo/emulator/ca.pem" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# The emulator's built-in demo tenants (fake credentials, printed by `coexistence-emulator --demo`).
export TF_VAR_endpoint="$url" \
  TF_VAR_contoso_tenant_id=6babcaad-604b-40ac-a9d7-9fd97c0b779f TF_VAR_contoso_client_id=0c0a11e5-c011-4a11-8c0a-000000000001 TF_VAR_contoso_client_secret=contoso-demo-secret \
  TF_VAR_fabrikam_tenant_id=9c5d131d-b1c3-4fc4-9e3f-c6557947d551 TF_VAR_fabrikam_client_id=fab0a11e-fab1-4a11-8fab-000000000002 TF_VAR_fabrikam_client_secret=fabrikam-demo-secret
cd "$demo/work"
# Captured whole: piping into head would let terraform die of SIGPIPE under pipefail.
tf_version="$("$tf" version)"
echo "== terraform apply (${tf_version%%$'\n'*}, emulator at $url)"
"$tf" apply -auto-approve -input=false
echo "== terraform plan (expect no changes)"
"$tf" plan -input=false -detailed-exitcode
echo
echo "state:        $demo/work/terraform.tfstate"
echo "emulator log: $demo/emulator/emulator.log (one JSON line per request)"
echo "emulator:     stopped on exit; re-run 'make demo' to start over"
