# Sourced by demo.sh and emulator.sh: each keeps its files in a directory of its own under
# .demo/ and empties only that one, and never while another live process holds it (its pid is
# in <dir>/pid), so `make demo` leaves a running `make emulator` alone and two of a kind do
# not delete each other's files.

# claim_workdir DIR WHAT: DIR emptied and recorded as this script's, or exit 1 when a running
# process holds it.
claim_workdir() {
  local dir="$1" what="$2" pid=""
  [ -f "$dir/pid" ] && pid="$(cat "$dir/pid")"
  if [ -n "$pid" ] && [ "$pid" != "$$" ] && kill -0 "$pid" 2>/dev/null; then
    echo "$what: $dir is in use by another running '$what' (pid $pid): stop that one first" >&2
    exit 1
  fi
  rm -rf "$dir" && mkdir -p "$dir" && echo "$$" >"$dir/pid"
}

# wait_for_emulator DIR LOG WHAT: waits until the emulator started with --state-dir DIR has
# written its url (after its banner), or shows LOG and exits 1.
wait_for_emulator() {
  local dir="$1" log="$2" what="$3"
  for _ in $(seq 100); do [ -s "$dir/url" ] && return 0; sleep 0.1; done
  cat "$log"
  echo "$what: the emulator did not start" >&2
  exit 1
}

# write_cli_config FILE REPO: a Terraform CLI configuration using REPO's freshly built provider.
write_cli_config() {
  cat >"$1" <<CFG
provider_installation {
  dev_overrides { "registry.terraform.io/coexistence/coexistence" = "$2/target/debug" }
  direct {}
}
CFG
}
