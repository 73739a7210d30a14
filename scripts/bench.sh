#!/usr/bin/env bash
# `make bench`: speed of the release binary, measured (not asserted):
#  - handshake latency: spawn -> handshake line on stdout, with AutoMTLS as Terraform runs it;
#  - idle memory of a served plugin (VmRSS);
#  - wall time of apply / no-op plan / destroy of examples/demo against the emulator.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo/target/release/terraform-provider-coexistence"
runs="${BENCH_RUNS:-20}"
python3 - "$bin" "$runs" <<'PY'
import os, subprocess, sys, time, statistics, tempfile
binary, runs = sys.argv[1], int(sys.argv[2])
# A throwaway client certificate, as Terraform passes one (its own is ECDSA P-521).
d = tempfile.mkdtemp()
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1",
                "-nodes", "-keyout", f"{d}/k.pem", "-out", f"{d}/c.pem", "-days", "1", "-subj", "/CN=localhost"],
               check=True, capture_output=True)
env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE="d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
           PLUGIN_PROTOCOL_VERSIONS="6", PLUGIN_CLIENT_CERT=open(f"{d}/c.pem").read())
lat, rss = [], []
for i in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline()
    lat.append((time.perf_counter() - t0) * 1000)
    assert line.startswith(b"1|6|tcp|"), line
    if i < 5:
        time.sleep(0.5)
        for l in open(f"/proc/{p.pid}/status"):
            if l.startswith("VmRSS"):
                rss.append(int(l.split()[1]) / 1024)
    p.terminate(); p.wait()
print(f"handshake latency: median {statistics.median(lat):.1f} ms, min {min(lat):.1f}, max {max(lat):.1f} ({runs} runs)")
print(f"idle RSS after handshake: median {statistics.median(rss):.1f} MiB")
PY
# Apply / plan / destroy of the two-tenant demo, through the real CLI.
demo="$repo/.demo-bench"
rm -rf "$demo" && mkdir -p "$demo/emu" "$demo/work"
"$repo/target/release/coexistence-emulator" --demo --state-dir "$demo/emu" >/dev/null 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -rf "$demo"' EXIT
for _ in $(seq 100); do [ -s "$demo/emu/url" ] && break; sleep 0.1; done
printf 'provider_installation {\n  dev_overrides { "registry.terraform.io/coexistence/coexistence" = "%s" }\n  direct {}\n}\n' "$repo/target/release" >"$demo/cli.tfrc"
cp "$repo/examples/demo/main.tf" "$demo/work/"
export TF_CLI_CONFIG_FILE="$demo/cli.tfrc" SSL_CERT_FILE="$demo/emu/ca.pem" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export TF_VAR_endpoint="$(cat "$demo/emu/url")" \
  TF_VAR_contoso_tenant_id=6babcaad-604b-40ac-a9d7-9fd97c0b779f TF_VAR_contoso_client_id=0c0a11e5-c011-4a11-8c0a-000000000001 TF_VAR_contoso_client_secret=contoso-demo-secret \
  TF_VAR_fabrikam_tenant_id=9c5d131d-b1c3-4fc4-9e3f-c6557947d551 TF_VAR_fabrikam_client_id=fab0a11e-fab1-4a11-8fab-000000000002 TF_VAR_fabrikam_client_secret=fabrikam-demo-secret
tf="$(bash "$repo/scripts/require-terraform.sh")"
cd "$demo/work"
for step in "apply -auto-approve" "plan -detailed-exitcode" "destroy -auto-approve"; do
  t0=$(date +%s%N)
  $tf $step -input=false >/dev/null
  echo "demo terraform $step: $(( ($(date +%s%N) - t0) / 1000000 )) ms (2 tenants, 2 partners, 2 lookups)"
done
