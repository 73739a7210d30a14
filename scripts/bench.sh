#!/usr/bin/env bash
# `make bench`: speed of the release binary, measured (not asserted), in ONE interleaved run:
#  - handshake latency (spawn -> handshake line on stdout) with and without AutoMTLS, with a
#    Terraform-shaped P-521 client certificate in PLUGIN_CLIENT_CERT;
#  - idle memory of a served plugin (VmRSS, and the part that is private: RssAnon);
#  - binary size;
#  - wall time of apply / no-op plan / destroy of N = 1 and N = 100 partners against the
#    emulator, each as a ratio to the same command on N `terraform_data` resources (Terraform's
#    built-in resource: no provider process, the floor any provider is compared with);
#  - Graph requests per resource per command, from the emulator's request log.
# Commands of every variant are interleaved within each repetition and the median is taken,
# so the load of the machine hits all variants alike.
#
# Knobs: BENCH_RUNS (handshake spawns per variant, default 20), BENCH_REPS (repetitions of
# each terraform command, default 9), BENCH_SIZES (default "1 100"), BENCH_BASELINE (path to
# another provider binary, e.g. a build of an older commit: adds its "before" rows, measured
# in the same run), BENCH_OUT (default bench/results.md; empty = do not write).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tf="$(bash "$repo/scripts/require-terraform.sh")"
work="$repo/.demo-bench"
rm -rf "$work" && mkdir -p "$work"
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$repo/target/release/coexistence-emulator" --demo --state-dir "$work/emu" >"$work/emu.log" 2>&1 &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/emu/url" ] && break; sleep 0.1; done
[ -s "$work/emu/url" ] || { cat "$work/emu.log" >&2; echo "bench: the emulator did not start" >&2; exit 1; }

BENCH_OUT="${BENCH_OUT-$repo/bench/results.md}" python3 - "$repo" "$tf" "$work" <<'PY'
import json, os, platform, shutil, ssl, statistics, subprocess, sys, tempfile, time, urllib.request

repo, tf, work = sys.argv[1:4]
runs = int(os.environ.get("BENCH_RUNS", "20"))
reps = int(os.environ.get("BENCH_REPS", "9"))
sizes = [int(n) for n in os.environ.get("BENCH_SIZES", "1 100").split()]
baseline = os.environ.get("BENCH_BASELINE", "").strip()
out_path = os.environ.get("BENCH_OUT", "")
url = open(f"{work}/emu/url").read().strip()
ca = f"{work}/emu/ca.pem"
ctx = ssl.create_default_context(cafile=ca)

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CONTOSO = ("6babcaad-604b-40ac-a9d7-9fd97c0b779f", "0c0a11e5-c011-4a11-8c0a-000000000001", "contoso-demo-secret")

# Provider variants: "after" is this tree's release build, "before" the baseline binary.
# dev_overrides wants a directory holding terraform-provider-coexistence.
variants = {"after": f"{repo}/target/release"}
if baseline:
    d = f"{work}/baseline-bin"
    os.makedirs(d)
    shutil.copy2(baseline, f"{d}/terraform-provider-coexistence")
    variants["before"] = d

# ---- handshake latency, idle memory, size -------------------------------------------------
d = tempfile.mkdtemp(dir=work)
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1",
                "-nodes", "-keyout", f"{d}/k.pem", "-out", f"{d}/c.pem", "-days", "1", "-subj", "/CN=localhost"],
               check=True, capture_output=True)
client_pem = open(f"{d}/c.pem").read()

def status_kib(pid, key):
    for l in open(f"/proc/{pid}/status"):
        if l.startswith(key + ":"):
            return int(l.split()[1])
    return 0

def openssl_kib(pid):
    """RSS of the mapped OpenSSL libraries (libssl/libcrypto), pulled in by a dependency."""
    total, name = 0, ""
    for l in open(f"/proc/{pid}/smaps"):
        parts = l.split()
        if parts and "-" in parts[0] and len(parts) >= 5:
            name = parts[5] if len(parts) > 5 else ""
        elif l.startswith("Rss:") and ("libssl" in name or "libcrypto" in name):
            total += int(parts[1])
    return total

def spawn(binary, mtls):
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS="6")
    env.pop("PLUGIN_CLIENT_CERT", None)
    if mtls:
        env["PLUGIN_CLIENT_CERT"] = client_pem
    t0 = time.perf_counter()
    p = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline()
    ms = (time.perf_counter() - t0) * 1000
    assert line.startswith(b"1|6|tcp|"), line
    return p, ms

hs = {(v, m): [] for v in variants for m in (True, False)}
mem = {v: [] for v in variants}
for i in range(runs):  # interleaved: every variant once per round
    for v, dirname in variants.items():
        for mtls in (True, False):
            p, ms = spawn(f"{dirname}/terraform-provider-coexistence", mtls)
            hs[(v, mtls)].append(ms)
            if mtls and i < 5:
                time.sleep(0.3)
                mem[v].append((status_kib(p.pid, "VmRSS") / 1024, status_kib(p.pid, "RssAnon") / 1024,
                               openssl_kib(p.pid) / 1024))
            p.terminate(); p.wait()

# ---- terraform wall time ------------------------------------------------------------------
def write_cli_config(path, provider_dir):
    with open(path, "w") as f:
        if provider_dir:
            f.write('provider_installation {\n  dev_overrides { "registry.terraform.io/coexistence/coexistence" = "%s" }\n  direct {}\n}\n' % provider_dir)

def partner_config(n, first):
    return f'''terraform {{
  required_providers {{
    coexistence = {{ source = "coexistence/coexistence" }}
  }}
}}
provider "coexistence" {{
  tenant_id      = "{CONTOSO[0]}"
  client_id      = "{CONTOSO[1]}"
  client_secret  = "{CONTOSO[2]}"
  authority_host = "{url}"
  graph_endpoint = "{url}"
}}
resource "coexistence_cross_tenant_access_partner" "p" {{
  count     = {n}
  tenant_id = format("00000000-0000-4000-8000-%012d", {first} + count.index)
}}
'''

def data_config(n, first):
    return f'''resource "terraform_data" "p" {{
  count = {n}
  input = format("00000000-0000-4000-8000-%012d", {first} + count.index)
}}
'''

# Workspaces: (kind, n). Each provider variant gets its own range of partner tenant ids, so
# their partners live side by side in the emulator's Contoso tenant.
spaces = {}
for n in sizes:
    kinds = [("terraform_data", None)] + [(v, variants[v]) for v in variants]
    for k, (kind, provider_dir) in enumerate(kinds):
        ws = f"{work}/ws-{kind}-{n}"
        os.makedirs(ws)
        write_cli_config(f"{ws}/cli.tfrc", provider_dir)
        first = (k + 1) * 1_000_000 + n * 1000
        with open(f"{ws}/main.tf", "w") as f:
            f.write(data_config(n, first) if kind == "terraform_data" else partner_config(n, first))
        spaces[(kind, n)] = ws

def control(method, path):
    req = urllib.request.Request(f"{url}/_emulator{path}", method=method)
    with urllib.request.urlopen(req, context=ctx) as r:
        body = r.read()
    return json.loads(body) if body else None

COMMANDS = [("apply", ["apply", "-auto-approve"], 0),
            ("plan", ["plan", "-detailed-exitcode"], 0),  # exit 0 = no changes
            ("destroy", ["destroy", "-auto-approve"], 0)]

def run_tf(ws, args, want_rc):
    env = dict(os.environ, TF_CLI_CONFIG_FILE=f"{ws}/cli.tfrc", SSL_CERT_FILE=ca,
               CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    for k in ("TF_LOG", "TF_LOG_PROVIDER", "TF_CLI_ARGS"):
        env.pop(k, None)
    t0 = time.perf_counter()
    r = subprocess.run([tf, *args, "-input=false", "-no-color"], cwd=ws, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ms = (time.perf_counter() - t0) * 1000
    if r.returncode != want_rc:
        sys.exit(f"bench: terraform {' '.join(args)} in {os.path.basename(ws)} exited {r.returncode}:\n"
                 + r.stdout.decode(errors="replace")[-3000:])
    return ms

wall = {}      # (kind, n, cmd) -> [ms]
graph = {}     # (kind, n, cmd) -> [graph requests]
tokens = {}    # (kind, n, cmd) -> [token requests]
for rep in range(reps):
    for name, args, rc in COMMANDS:
        for n in sizes:
            order = ["terraform_data"] + list(variants)
            if rep % 2:
                order.reverse()  # alternate who goes first
            for kind in order:
                control("DELETE", "/requests")
                ms = run_tf(spaces[(kind, n)], args, rc)
                wall.setdefault((kind, n, name), []).append(ms)
                if kind != "terraform_data":
                    recs = control("GET", "/requests")
                    tok = sum(1 for r in recs if "/oauth2/" in r["path"])
                    graph.setdefault((kind, n, name), []).append(len(recs) - tok)
                    tokens.setdefault((kind, n, name), []).append(tok)

# ---- report -------------------------------------------------------------------------------
med = statistics.median
def cpu_model():
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            return l.split(":", 1)[1].strip()
    return platform.processor() or "unknown"

tf_version = subprocess.run([tf, "version"], capture_output=True, text=True,
                            env=dict(os.environ, CHECKPOINT_DISABLE="1")).stdout.splitlines()[0]
load = open("/proc/loadavg").read().split()[:3]
lines = []
P = lines.append
P("# Benchmark results (`make bench`)")
P("")
P(f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
P(f"- machine: {os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} {platform.release()}; load average at the end {' '.join(load)}")
P(f"- {tf_version}; emulator: release `coexistence-emulator --demo`")
P(f"- handshake: {runs} spawns per variant; terraform commands: median of {reps} interleaved repetitions")
if baseline:
    P("- `before` = the baseline binary given in BENCH_BASELINE, measured in the same run")
P("")
P("## Provider process")
P("")
P("| variant | handshake, AutoMTLS (median) | handshake, no mTLS (median) | idle VmRSS | of which private (RssAnon) | of which OpenSSL libs | binary size |")
P("|---|---|---|---|---|---|---|")
for v, dirname in variants.items():
    size = os.path.getsize(f"{dirname}/terraform-provider-coexistence") / (1 << 20)
    P(f"| {v} | {med(hs[(v, True)]):.1f} ms (min {min(hs[(v, True)]):.1f}) | {med(hs[(v, False)]):.1f} ms (min {min(hs[(v, False)]):.1f}) "
      f"| {med(m[0] for m in mem[v]):.1f} MiB | {med(m[1] for m in mem[v]):.1f} MiB | {med(m[2] for m in mem[v]):.1f} MiB | {size:.1f} MiB |")
P("")
P("## Terraform commands: wall time, and ratio to the same command on `terraform_data`")
P("")
P("| N | command | terraform_data | " + " | ".join(f"{v}: time | {v}: ratio" for v in variants) + " |")
P("|---|---|---|" + "---|---|" * len(variants))
for n in sizes:
    for name, _, _ in COMMANDS:
        floor = med(wall[("terraform_data", n, name)])
        cells = [f"{med(wall[(v, n, name)]):.0f} ms | **{med(wall[(v, n, name)]) / floor:.2f}x**" for v in variants]
        P(f"| {n} | {name} | {floor:.0f} ms | " + " | ".join(cells) + " |")
P("")
P("## Graph requests per resource per command (emulator request log; token requests apart)")
P("")
P("| N | command | " + " | ".join(f"{v}: Graph / resource | {v}: token requests" for v in variants) + " |")
P("|---|---|" + "---|---|" * len(variants))
for n in sizes:
    for name, _, _ in COMMANDS:
        cells = [f"{med(graph[(v, n, name)]) / n:.2f} | {med(tokens[(v, n, name)]):.0f}" for v in variants]
        P(f"| {n} | {name} | " + " | ".join(cells) + " |")
P("")
text = "\n".join(lines)
print(text)
if out_path:
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        f.write(text)
    print(f"\nwritten to {os.path.relpath(out_path, repo)}")
PY
