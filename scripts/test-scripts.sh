#!/usr/bin/env bash
# Tests of the shell scripts themselves (run by `make unit`; a few seconds, no network).
#
# The version check of install-terraform-1.0.3.sh once piped `terraform version` into
# `head -n1 | grep -qx` under pipefail: when head exited first, terraform died of SIGPIPE and
# a good binary was reported as the wrong version, at random. These tests drive the check with
# stand-in terraform binaries that make that race certain, many times over, and a lint makes
# sure no script pipes a producer into an early-exiting reader under pipefail again.
#
# TERRAFORM_VERSION_LIB points the tests at another implementation of the check (used to show
# that they fail on the old pipeline version).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=terraform-version.sh
. "${TERRAFORM_VERSION_LIB:-$repo/scripts/terraform-version.sh}"

failures=0
fail() { echo "test-scripts: FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "test-scripts: ok: $*"; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# stand_in NAME BODY: an executable "terraform" whose `version` runs BODY.
stand_in() {
  mkdir -p "$tmp/$1"
  printf '#!/usr/bin/env bash\n[ "${1:-}" = version ] || exit 64\n%s\n' "$2" >"$tmp/$1/terraform"
  chmod +x "$tmp/$1/terraform"
  echo "$tmp/$1/terraform"
}

# Right version, then far more output than a pipe buffer holds (64 KiB): a reader that stops
# after the first line always leaves this writer to die of SIGPIPE.
chatty="$(stand_in chatty 'printf "Terraform v1.0.3\non linux_amd64\n"; head -c 1048576 /dev/zero | tr "\0" x; echo')"
# Like the real Go binary: first line, a moment later the rest (in separate writes).
slow_tail="$(stand_in slow_tail 'echo "Terraform v1.0.3"; sleep 0.02; echo "on linux_amd64"; echo; echo "Your version of Terraform is out of date!"')"
plain="$(stand_in plain 'printf "Terraform v1.0.3\non linux_amd64\n"')"
newer="$(stand_in newer 'printf "Terraform v1.11.4\non linux_amd64\n"')"
prefix="$(stand_in prefix 'printf "Terraform v1.0.30\non linux_amd64\n"')"
not_first="$(stand_in not_first 'printf "Terraform v1.11.4\nTerraform v1.0.3\n"')"
failing="$(stand_in failing 'printf "Terraform v1.0.3\n"; exit 1')"
noexec="$(stand_in noexec 'printf "Terraform v1.0.3\n"')"
chmod -x "$noexec"

# expect_accept NAME BIN RUNS: the check must say yes every one of RUNS times.
expect_accept() {
  local name="$1" bin="$2" runs="$3" i bad=0
  for ((i = 0; i < runs; i++)); do
    terraform_reports_version "$bin" 1.0.3 || bad=$((bad + 1))
  done
  if [ "$bad" -eq 0 ]; then pass "$name: accepted $runs/$runs"; else fail "$name: rejected $bad of $runs runs"; fi
}

expect_reject() {
  local name="$1" bin="$2"
  if terraform_reports_version "$bin" 1.0.3; then fail "$name: accepted"; else pass "$name: rejected"; fi
}

expect_accept "chatty terraform (SIGPIPE certain with a pipeline)" "$chatty" 30
expect_accept "terraform writing after the first line" "$slow_tail" 20
expect_accept "plain terraform" "$plain" 200
# Twenty concurrent checks, as on a loaded CI machine.
pids=()
for ((j = 0; j < 20; j++)); do
  ( for ((i = 0; i < 5; i++)); do terraform_reports_version "$chatty" 1.0.3 || exit 1; done ) &
  pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
if [ "$bad" -eq 0 ]; then pass "20 concurrent checkers x 5: all accepted"; else fail "concurrent checks: $bad of 20 checkers saw a rejection"; fi

expect_reject "newer version" "$newer"
expect_reject "version with a longer patch number" "$prefix"
expect_reject "version not on the first line" "$not_first"
expect_reject "terraform exiting non-zero" "$failing"
expect_reject "non-executable file" "$noexec"
expect_reject "missing file" "$tmp/nowhere/terraform"

# Control: the stand-in really provokes the race (the old pipeline fails on it), so the
# acceptance above proves something.
old_pipeline() { "$1" version 2>/dev/null | head -n1 | grep -qx "Terraform v1.0.3"; }
if old_pipeline "$chatty"; then fail "control: the old pipeline passed on the chatty stand-in; the test is toothless"
else pass "control: the old pipeline fails on the chatty stand-in"; fi

# Lint: no script that sets pipefail pipes into head or grep -q (readers that exit early).
lint_failures=$failures
while IFS= read -r f; do
  grep -q pipefail "$f" || continue
  if hits="$(grep -nE '\|[[:space:]]*(head|grep[[:space:]]+-[A-Za-z]*q)' "$f" | grep -vE '^[0-9]+:[[:space:]]*#')"; then
    fail "$f pipes into an early-exiting reader under pipefail: $hits"
  fi
done < <(find "$repo/scripts" "$repo/.ci" -type f ! -name test-scripts.sh)
[ "$failures" -ne "$lint_failures" ] || pass "lint: no early-exiting pipeline under pipefail in scripts/ and .ci/"

# `make demo` beside a running `make emulator`: the demo once emptied all of .demo/, deleting
# the running emulator's CLI configuration and CA (Terraform then failed on an unrelated lock
# file). A copy of the scripts runs in a scratch repository against a stand-in emulator that
# writes what the real one does (ca.pem, then url once its banner is out) and records its pid;
# the demo runs its setup part only (no terraform).
fake="$tmp/repo"
mkdir -p "$fake/target/debug"
cp -R "$repo/scripts" "$repo/examples" "$fake/"
cat >"$fake/target/debug/coexistence-emulator" <<'EMU'
#!/usr/bin/env bash
while [ $# -gt 0 ]; do [ "$1" = --state-dir ] && dir="$2"; shift; done
echo "stand-in CA $$" >"$dir/ca.pem"
echo $$ >"$dir/standin.pid"
echo "coexistence-emulator listening on https://127.0.0.1:1"
echo "seeded principals (for a coexistence_xts_job's scoping_group_ids / scoping_user_ids):"
echo '  Contoso    group 5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d "Contoso people in Fabrikam"'
echo "https://127.0.0.1:1" >"$dir/url"
exec sleep 60
EMU
chmod +x "$fake/target/debug/coexistence-emulator"
live_dir="$fake/.demo/emulator"
bash "$fake/scripts/emulator.sh" >"$tmp/emulator.out" 2>&1 &
live=$!
for _ in $(seq 200); do grep -q '^Requests, one JSON line' "$tmp/emulator.out" && break; sleep 0.05; done
intact() {
  local f
  for f in cli.tfrc ca.pem url; do [ -s "$live_dir/$f" ] || { echo "$f is gone"; return; }; done
  [ "$(cat "$live_dir/ca.pem")" = "$before_ca" ] || { echo "ca.pem was replaced"; return; }
  kill -0 "$live" 2>/dev/null || { echo "make emulator stopped"; return; }
  kill -0 "$(cat "$live_dir/standin.pid")" 2>/dev/null || { echo "its emulator stopped"; return; }
}
before_ca="$(cat "$live_dir/ca.pem" 2>/dev/null || true)"
why="$(intact)"
if [ -z "$why" ]; then pass "make emulator: up, with its files"; else fail "make emulator did not start: $why; $(cat "$tmp/emulator.out")"; fi
if grep -q '5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d "Contoso people in Fabrikam"' "$tmp/emulator.out"; then
  pass "make emulator: its banner lists the seeded principals"
else fail "make emulator: the banner does not list the seeded principals: $(cat "$tmp/emulator.out")"; fi
for run in 1 2; do
  if out="$(bash "$fake/scripts/demo.sh" --setup-only 2>&1)"; then pass "demo setup run $run"; else fail "demo setup run $run failed: $out"; fi
  why="$(intact)"
  if [ -z "$why" ]; then pass "demo setup run $run: the running emulator's files and process intact"
  else fail "demo setup run $run: $why"; fi
done
# gone_within PID: true once PID has exited (a signalled process takes a moment), within 2 s.
gone_within() {
  for _ in $(seq 40); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
  return 1
}
if [ -s "$fake/.demo/demo/cli.tfrc" ] && [ -s "$fake/.demo/demo/work/demo/main.tf" ] \
  && gone_within "$(cat "$fake/.demo/demo/emulator/standin.pid")"; then
  pass "demo setup: its own files in .demo/demo, its emulator stopped on exit"
else fail "demo setup: files missing from .demo/demo or its emulator left running"; fi
if out="$(bash "$fake/scripts/emulator.sh" 2>&1)"; then fail "a second make emulator started beside the first: $out"
elif [ -z "$(intact)" ] && [[ "$out" == *"in use by another running"* ]]; then pass "a second make emulator refuses, the first intact"
else fail "a second make emulator: $out; $(intact)"; fi
standin="$(cat "$live_dir/standin.pid")"
kill -TERM "$live"; wait "$live" 2>/dev/null || true
if gone_within "$standin"; then pass "make emulator: stopping it stops its emulator"
else fail "make emulator left its emulator running"; kill "$standin"; fi

if [ "$failures" -ne 0 ]; then
  echo "test-scripts: $failures failure(s)" >&2
  exit 1
fi
echo "test-scripts: all passed"
