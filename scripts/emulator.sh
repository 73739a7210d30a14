#!/usr/bin/env bash
# `make emulator`: the bundled emulator with the two demo tenants, kept running in the
# foreground (Ctrl-C stops it), with what to paste to point Terraform at it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=workdir.sh
. "$repo/scripts/workdir.sh"
# Its own directory: `make demo` (in .demo/demo/) never touches it while this runs.
dir="$repo/.demo/emulator"
claim_workdir "$dir" "make emulator"
"$repo/target/debug/coexistence-emulator" --demo --state-dir "$dir" >"$dir/stdout.log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT INT TERM
wait_for_emulator "$dir" "$dir/stdout.log" emulator
url="$(cat "$dir/url")"
write_cli_config "$dir/cli.tfrc" "$repo"
# The principals --demo seeded, as the emulator printed them (before it wrote its url).
seeded="$(sed -n '/^seeded principals/,$p' "$dir/stdout.log")"
cat <<TXT
Emulator running at $url (Ctrl-C stops it). In another shell:

  export TF_CLI_CONFIG_FILE=$dir/cli.tfrc SSL_CERT_FILE=$dir/ca.pem

and paste these provider blocks into a configuration:

provider "coexistence" {
  alias             = "contoso"
  tenant_id         = "6babcaad-604b-40ac-a9d7-9fd97c0b779f"
  client_id         = "0c0a11e5-c011-4a11-8c0a-000000000001"
  client_secret     = "contoso-demo-secret"
  authority_host    = "$url"
  graph_endpoint    = "$url"
  exchange_endpoint = "$url"
  teams_endpoint    = "$url"
}

provider "coexistence" {
  alias             = "fabrikam"
  tenant_id         = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"
  client_id         = "fab0a11e-fab1-4a11-8fab-000000000002"
  client_secret     = "fabrikam-demo-secret"
  authority_host    = "$url"
  graph_endpoint    = "$url"
  exchange_endpoint = "$url"
  teams_endpoint    = "$url"
}

$seeded

Control API (seed or change objects out of band, faults, clock, request log):
  acceptance-tests/EMULATOR.md
What each tenant holds:  curl -s --cacert $dir/ca.pem $url/_emulator/tenants/<tenant id>/summary
Requests, one JSON line each: $dir/emulator.log
TXT
wait $emu
