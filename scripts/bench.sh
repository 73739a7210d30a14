#!/usr/bin/env bash
# `make bench`: speed of the release binary, measured (not asserted), in ONE interleaved run:
#  - handshake latency (spawn -> handshake line on stdout) with and without AutoMTLS, with a
#    Terraform-shaped P-521 client certificate in PLUGIN_CLIENT_CERT;
#  - idle memory of a served plugin (VmRSS, and the part that is private: RssAnon);
#  - binary size;
#  - per resource type (partners, Conditional Access policies, organization relationships,
#    Partner connectors, synchronization jobs), wall time of apply / no-op plan / destroy of N
#    objects against the emulator with a per-API latency (`--latency`, default
#    graph=80ms,exchange=400ms: round trips, the cost users wait for), each as a ratio to the
#    same command on N `terraform_data` resources (Terraform's built-in resource: no provider
#    process, the floor any provider is compared with);
#  - Graph and Exchange requests per command, from the emulator's request log;
#  - the hub: examples/multi-pair grown to a hub tenant with BENCH_HUB subsidiaries, all at high
#    trust (each synchronizing one hub group), against an emulator per variant holding those
#    tenants (same latency): applied once by each variant's binary, then its no-op
#    `terraform plan` timed with every variant, interleaved, and its requests counted per type.
# Commands of every variant are interleaved within each repetition and the median is taken,
# so the load of the machine hits all variants alike.
#
# Knobs: BENCH_RUNS (handshake spawns per variant, default 20), BENCH_REPS (repetitions of
# each terraform command, default 5), BENCH_SIZES (default "1 20 100"; Conditional Access stops
# at 20: one request a second), BENCH_TYPES (default "partner ca orgrel connector xts"; xts =
# synchronization jobs, Contoso to Fabrikam, on two partner configurations applied once first),
# BENCH_HUB (subsidiaries of the hub, default 20; 0 = skip), BENCH_HUB_PARALLELISM (the hub's
# plan is also timed with this -parallelism, default 30; "" = skip; and always with no emulator
# latency: where the time goes), BENCH_HUB_MODULE (the tenant-pair
# module the hub uses, default examples/modules/tenant-pair; a baseline older than the module's
# resources needs its own commit's module, which this tree's binary also takes), BENCH_LATENCY
# (default "graph=80ms,exchange=400ms"; "" for none), BENCH_BIN (directory of the binaries,
# default target/release), BENCH_BASELINE (path to another provider binary, e.g. a build of an
# older commit: adds its "before" rows, measured in the same run), BENCH_OUT (default
# bench/results.md; empty = do not write).
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

bin="${BENCH_BIN:-$repo/target/release}"
latency="${BENCH_LATENCY-graph=80ms,exchange=400ms}"
"$bin/coexistence-emulator" --demo --state-dir "$work/emu" ${latency:+--latency "$latency"} >"$work/emu.log" 2>&1 &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/emu/url" ] && break; sleep 0.1; done
[ -s "$work/emu/url" ] || { cat "$work/emu.log" >&2; echo "bench: the emulator did not start" >&2; exit 1; }

BENCH_OUT="${BENCH_OUT-$repo/bench/results.md}" python3 - "$repo" "$tf" "$work" "$bin" "$latency" <<'PY'
import json, os, platform, shutil, ssl, statistics, subprocess, sys, tempfile, time, urllib.request, uuid, atexit

repo, tf, work, bin_dir, latency = sys.argv[1:6]
runs = int(os.environ.get("BENCH_RUNS", "20"))
reps = int(os.environ.get("BENCH_REPS", "5"))
sizes = [int(n) for n in os.environ.get("BENCH_SIZES", "1 20 100").split()]
types = os.environ.get("BENCH_TYPES", "partner ca orgrel connector xts").split()
hub_n = int(os.environ.get("BENCH_HUB", "20"))
# Conditional Access allows one request a second per tenant: 100 policies would take minutes.
MAX_N = {"ca": 20}
baseline = os.environ.get("BENCH_BASELINE", "").strip()
out_path = os.environ.get("BENCH_OUT", "")
url = open(f"{work}/emu/url").read().strip()
ca = f"{work}/emu/ca.pem"
ctx = ssl.create_default_context(cafile=ca)

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CONTOSO = ("6babcaad-604b-40ac-a9d7-9fd97c0b779f", "0c0a11e5-c011-4a11-8c0a-000000000001", "contoso-demo-secret")
FABRIKAM = ("9c5d131d-b1c3-4fc4-9e3f-c6557947d551", "fab0a11e-fab1-4a11-8fab-000000000002", "fabrikam-demo-secret")
CONTOSO_GROUP = "5a3b1c2d-0e4f-4a6b-8c7d-9e0f1a2b3c4d"  # seeded by --demo

# Provider variants: "after" is this tree's release build, "before" the baseline binary.
# dev_overrides wants a directory holding terraform-provider-coexistence.
variants = {"after": bin_dir}
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

PROVIDER = f'''terraform {{
  required_providers {{
    coexistence = {{ source = "coexistence/coexistence" }}
  }}
}}
provider "coexistence" {{
  tenant_id         = "{CONTOSO[0]}"
  client_id         = "{CONTOSO[1]}"
  client_secret     = "{CONTOSO[2]}"
  authority_host    = "{url}"
  graph_endpoint    = "{url}"
  exchange_endpoint = "{url}"
}}
'''

# One configuration per type: N objects, told apart by `first + count.index` (each workspace
# has its own range, so the objects of every variant live side by side in Contoso).
BODIES = {
    "partner": '''resource "coexistence_cross_tenant_access_partner" "p" {{
  count     = {n}
  tenant_id = format("00000000-0000-4000-8000-%012d", {first} + count.index)
}}
''',
    "ca": '''resource "coexistence_ca_block_external_members" "p" {{
  count               = {n}
  display_name        = format("Block partner members %d", {first} + count.index)
  external_tenant_ids = [format("00000000-0000-4000-8000-%012d", {first} + count.index)]
}}
''',
    "orgrel": '''resource "coexistence_organization_relationship" "p" {{
  count        = {n}
  name         = format("Partner %d", {first} + count.index)
  domain_names = [format("p%d.example.com", {first} + count.index)]
  enabled      = true
}}
''',
    "connector": '''resource "coexistence_partner_connector" "p" {{
  count             = {n}
  direction         = "outbound"
  name              = format("To partner %d", {first} + count.index)
  recipient_domains = [format("p%d.example.com", {first} + count.index)]
  tls_settings      = "EncryptionOnly"
}}
''',
    # Every job synchronizes the demo group from Contoso to Fabrikam (the partner configurations
    # they need are applied once, below, by XTS_SETUP).
    "xts": '''resource "coexistence_xts_job" "p" {{
  count             = {n}
  target_tenant_id  = "FABRIKAM"
  display_name      = format("Sync %d", {first} + count.index)
  scoping_group_ids = ["GROUP"]
  user_type         = "Member"
}}
'''.replace("FABRIKAM", FABRIKAM[0]).replace("GROUP", CONTOSO_GROUP),
}

# What synchronization jobs need before their credential check: Fabrikam accepts users
# synchronized from Contoso and redeems their invitations, Contoso redeems its invitations.
XTS_SETUP = PROVIDER + f'''provider "coexistence" {{
  alias             = "fabrikam"
  tenant_id         = "{FABRIKAM[0]}"
  client_id         = "{FABRIKAM[1]}"
  client_secret     = "{FABRIKAM[2]}"
  authority_host    = "{url}"
  graph_endpoint    = "{url}"
  exchange_endpoint = "{url}"
}}
resource "coexistence_cross_tenant_access_partner" "contoso_in_fabrikam" {{
  provider                 = coexistence.fabrikam
  tenant_id                = "{CONTOSO[0]}"
  automatic_user_consent   = {{ inbound_allowed = true, outbound_allowed = false }}
  identity_synchronization = {{ user_sync_inbound_allowed = true }}
}}
resource "coexistence_cross_tenant_access_partner" "fabrikam" {{
  tenant_id              = "{FABRIKAM[0]}"
  automatic_user_consent = {{ inbound_allowed = false, outbound_allowed = true }}
}}
'''

def type_config(t, n, first):
    return PROVIDER + BODIES[t].format(n=n, first=first)

def data_config(n, first):
    return f'''resource "terraform_data" "p" {{
  count = {n}
  input = format("00000000-0000-4000-8000-%012d", {first} + count.index)
}}
'''

# Workspaces: (type, kind, n); `terraform_data` once per n, the floor of every type.
spaces = {}
cases = [(t, n) for t in types for n in sizes if n <= MAX_N.get(t, n)]
for n in sizes:
    ws = f"{work}/ws-terraform_data-{n}"
    os.makedirs(ws)
    write_cli_config(f"{ws}/cli.tfrc", None)
    with open(f"{ws}/main.tf", "w") as f:
        f.write(data_config(n, n * 1000))
    spaces[("terraform_data", n)] = ws
for ti, (t, n) in enumerate(cases):
    for k, v in enumerate(variants):
        ws = f"{work}/ws-{t}-{v}-{n}"
        os.makedirs(ws)
        write_cli_config(f"{ws}/cli.tfrc", variants[v])
        first = (k + 1) * 10_000_000 + ti * 100_000
        with open(f"{ws}/main.tf", "w") as f:
            f.write(type_config(t, n, first))
        spaces[(t, v, n)] = ws

def control(method, path, body=None, base=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base or url}/_emulator{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, context=ctx) as r:
        body = r.read()
    return json.loads(body) if body else None

COMMANDS = [("apply", ["apply", "-auto-approve"], 0),
            ("plan", ["plan", "-detailed-exitcode"], 0),  # exit 0 = no changes
            ("destroy", ["destroy", "-auto-approve"], 0)]

def run_tf(ws, args, want_rc, cafile=None):
    env = dict(os.environ, TF_CLI_CONFIG_FILE=f"{ws}/cli.tfrc", SSL_CERT_FILE=cafile or ca,
               CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    for k in ("TF_LOG", "TF_LOG_PROVIDER", "TF_CLI_ARGS"):
        env.pop(k, None)
    t0 = time.perf_counter()
    flags = ["-no-color"] if args[0] == "get" else ["-input=false", "-no-color"]
    r = subprocess.run([tf, *args, *flags], cwd=ws, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ms = (time.perf_counter() - t0) * 1000
    out = r.stdout.decode(errors="replace")
    # The hub's plan: its check blocks' data sources are read again at apply ("read during
    # apply"), which -detailed-exitcode counts as a change (2); what must hold is no change to
    # any resource.
    if want_rc == "no-change" and r.returncode in (0, 2) and (
            "No changes." in out or "Plan: 0 to add, 0 to change, 0 to destroy." in out):
        return ms
    if r.returncode != want_rc:
        sys.exit(f"bench: terraform {' '.join(args)} in {os.path.basename(ws)} exited {r.returncode}:\n"
                 + r.stdout.decode(errors="replace")[-3000:])
    return ms

wall = {}      # (type or "terraform_data", variant, n, cmd) -> [ms]
calls = {}     # (type, variant, n, cmd) -> [(graph, exchange, token) requests]
def measure(key, ws, args, rc):
    control("DELETE", "/requests")
    wall.setdefault(key, []).append(run_tf(ws, args, rc))
    if key[0] != "terraform_data":
        recs = control("GET", "/requests")
        tok = sum(1 for r in recs if "/oauth2/" in r["path"])
        exo = sum(1 for r in recs if "/adminapi/" in r["path"])
        calls.setdefault(key, []).append((len(recs) - tok - exo, exo, tok))

if "xts" in types:
    ws = f"{work}/ws-xts-setup"
    os.makedirs(ws)
    write_cli_config(f"{ws}/cli.tfrc", variants["after"])
    with open(f"{ws}/main.tf", "w") as f:
        f.write(XTS_SETUP)
    run_tf(ws, ["apply", "-auto-approve"], 0)

for rep in range(reps):
    for name, args, rc in COMMANDS:
        for n in sizes:
            measure(("terraform_data", "", n, name), spaces[("terraform_data", n)], args, rc)
        for t, n in cases:
            order = list(variants)
            if rep % 2:
                order.reverse()  # alternate who goes first
            for v in order:
                measure((t, v, n, name), spaces[(t, v, n)], args, rc)

# ---- the hub: examples/multi-pair grown to BENCH_HUB subsidiaries at high trust -------------
# Per variant its own emulator (the hub and its subsidiaries as tenants, the same latency) and
# workspace, applied once with that variant's binary (a binary plans the state it wrote: an older
# one cannot read state holding attributes it predates), then a no-op plan per variant,
# interleaved. BENCH_HUB_MODULE: the tenant-pair module to use (default this tree's; an older
# baseline needs the module of its own commit, which the newer binary also takes).
def classify(r):
    """The object type a request of the log is for (by its path), for the hub's breakdown."""
    p = r["path"]
    if "/oauth2/" in p:
        return "token"
    if "/adminapi/" in p:
        cmd = (r.get("body") or {}).get("CmdletInput", {}).get("CmdletName", "") if isinstance(r.get("body"), dict) else ""
        return f"Exchange {cmd}".strip()
    if "/Skype.Policy/" in p:
        return "Teams"
    for needle, name in (("/crossTenantAccessPolicy/partners", "partner"),
                         ("/crossTenantAccessPolicy/default", "default policy"),
                         ("/conditionalAccess/", "Conditional Access"),
                         ("/multiTenantOrganization", "organization (MTO)"),
                         ("findTenantInformation", "tenant lookup (data source)"),
                         ("/domains", "domains (mail routing data source)"),
                         ("/organization", "organization (tenant data source)"),
                         ("/synchronization", "synchronization job"),
                         ("/servicePrincipals", "synchronization job"),
                         ("/applications", "synchronization job"),
                         ("/groups", "groups"), ("/users", "users")):
        if needle in p:
            return name
    return "other Graph /" + "/".join(p.split("/")[2:4])

hub = {}  # variant -> [(ms, graph, exchange, token, {type: count})]
hub_more = {}  # (variant, "-parallelism=N" or "no latency") -> [ms]
hub_par = os.environ.get("BENCH_HUB_PARALLELISM", "30").strip()
hub_apply_ms = {}
if hub_n:
    HUB_DIR = f"{work}/hub"
    module_dir = os.environ.get("BENCH_HUB_MODULE", "") or f"{repo}/examples/modules/tenant-pair"
    ns = uuid.UUID("4c7d2a1e-9b3f-4e6a-8d1c-5f0a2b3c4d5e")
    def tenant(i):
        name = "Contoso" if i == 0 else f"Subsidiary {i:02d}"
        key = "hub" if i == 0 else f"sub{i:02d}"
        return key, {"tenant_id": str(uuid.uuid5(ns, key + "-tenant")), "display_name": name,
                     "default_domain": ("contoso" if i == 0 else key) + ".onmicrosoft.com",
                     "client_id": str(uuid.uuid5(ns, key + "-client")), "client_secret": f"{key}-bench-secret"}
    tenants = dict(tenant(i) for i in range(hub_n + 1))
    subs = [k for k in tenants if k != "hub"]
    hub_tid = tenants["hub"]["tenant_id"]
    lat = {}
    for part in filter(None, latency.split(",")):
        api, val = part.split("=")
        lat[f"{api}_ms"] = int(val.removesuffix("ms"))

    P_ = ['''terraform {
  required_version = ">= 1.5.0"
  required_providers {
    coexistence = { source = "coexistence/coexistence" }
  }
}

variable "endpoint" { type = string }
variable "tenants" {
  type = map(object({ tenant_id = string, client_id = string }))
}
variable "client_secrets" {
  type      = map(string)
  sensitive = true
}

locals {
  pairs = {''']
    for k in subs:
        P_.append(f'    {k} = {{ name = "{tenants[k]["display_name"]}", trust_level = "high", sync_groups = ["{CONTOSO_GROUP}"] }}')
    P_.append("  }\n}\n")
    # No teams_endpoint: the module's Teams part is off by default (and older binaries lack it).
    for k in ["hub"] + subs:
        P_.append(f'''provider "coexistence" {{
  alias             = "{k}"
  tenant_id         = var.tenants["{k}"].tenant_id
  client_id         = var.tenants["{k}"].client_id
  client_secret     = var.client_secrets["{k}"]
  authority_host    = var.endpoint
  graph_endpoint    = var.endpoint
  exchange_endpoint = var.endpoint
}}
''')
    P_.append('''resource "coexistence_mto_membership" "hub" {
  provider     = coexistence.hub
  display_name = "Contoso Group"
  member_tenants = {
    for k, p in local.pairs : var.tenants[k].tenant_id => { display_name = p.name, role = "member" }
    if p.trust_level == "high"
  }
}

locals {
  hub_mto = { owner = "a", owner_managed_elsewhere = true, owner_tenant_id = coexistence_mto_membership.hub.tenant_id }
}
''')
    for k in subs:
        P_.append(f'''module "{k}" {{
  source    = "./tenant-pair"
  providers = {{ coexistence.a = coexistence.hub, coexistence.b = coexistence.{k} }}

  tenant_a    = {{ tenant_id = var.tenants["hub"].tenant_id, name = "Contoso" }}
  tenant_b    = {{ tenant_id = var.tenants["{k}"].tenant_id, name = local.pairs.{k}.name }}
  trust_level = local.pairs.{k}.trust_level
  sync        = {{ a_to_b_group_ids = local.pairs.{k}.sync_groups }}
  mto         = local.hub_mto
}}
''')
    hub_tf = "\n".join(P_)

    hub_env = {}  # variant -> (workspace, emulator URL, CA)
    for v, d in variants.items():
        vd = f"{HUB_DIR}/{v}"
        os.makedirs(f"{vd}/emu")
        with open(f"{vd}/emu.json", "w") as f:
            json.dump({"tenants": list(tenants.values()), "latency": lat}, f)
        proc = subprocess.Popen([f"{bin_dir}/coexistence-emulator", "--config", f"{vd}/emu.json",
                                 "--state-dir", f"{vd}/emu"], stdout=open(f"{vd}/emu.log", "w"),
                                stderr=subprocess.STDOUT)
        atexit.register(proc.terminate)  # also when a command fails (sys.exit)
        for _ in range(100):
            if os.path.exists(f"{vd}/emu/url") and os.path.getsize(f"{vd}/emu/url"):
                break
            time.sleep(0.1)
        h_url = open(f"{vd}/emu/url").read().strip()
        h_ca = f"{vd}/emu/ca.pem"
        ctx = ssl.create_default_context(cafile=h_ca)
        # The group the hub synchronizes into every subsidiary (multi-pair's Fabrikam shape).
        control("PUT", f"/tenants/{hub_tid}/object?path=/groups/{CONTOSO_GROUP}",
                {"@odata.type": "#microsoft.graph.group", "id": CONTOSO_GROUP,
                 "displayName": "Contoso people in the subsidiaries", "members": []}, base=h_url)
        ws = f"{vd}/ws"
        shutil.copytree(module_dir, f"{ws}/tenant-pair")
        with open(f"{ws}/main.tf", "w") as f:
            f.write(hub_tf)
        with open(f"{ws}/terraform.tfvars.json", "w") as f:
            json.dump({"endpoint": h_url,
                       "tenants": {k: {"tenant_id": t["tenant_id"], "client_id": t["client_id"]} for k, t in tenants.items()},
                       "client_secrets": {k: t["client_secret"] for k, t in tenants.items()}}, f, indent=2)
        write_cli_config(f"{ws}/cli.tfrc", d)
        run_tf(ws, ["get"], 0, cafile=h_ca)
        hub_apply_ms[v] = run_tf(ws, ["apply", "-auto-approve"], 0, cafile=h_ca)
        hub_env[v] = (ws, h_url, h_ca)
    for rep in range(reps):
        order = list(variants)
        if rep % 2:
            order.reverse()
        for v in order:
            ws, h_url, h_ca = hub_env[v]
            ctx = ssl.create_default_context(cafile=h_ca)
            control("DELETE", "/requests", base=h_url)
            ms = run_tf(ws, ["plan", "-detailed-exitcode"], "no-change", cafile=h_ca)
            recs = control("GET", "/requests", base=h_url)
            by = {}
            for r in recs:
                c = classify(r)
                by[c] = by.get(c, 0) + 1
            tok = by.get("token", 0)
            exo = sum(n for c, n in by.items() if c.startswith("Exchange"))
            hub.setdefault(v, []).append((ms, len(recs) - tok - exo, exo, tok, by))
            # Where the time goes: the same plan with more of Terraform's parallel operations
            # (it holds one for each read while the read waits on the network), and with no
            # emulator latency at all (Terraform's own work and the provider's CPU: the floor
            # no change to requests can go under).
            if hub_par:
                hub_more.setdefault((v, f"-parallelism={hub_par}"), []).append(
                    run_tf(ws, ["plan", "-detailed-exitcode", f"-parallelism={hub_par}"], "no-change", cafile=h_ca))
            control("POST", "/latency", {"graph_ms": 0, "exchange_ms": 0, "teams_ms": 0}, base=h_url)
            hub_more.setdefault((v, "no latency"), []).append(
                run_tf(ws, ["plan", "-detailed-exitcode"], "no-change", cafile=h_ca))
            control("POST", "/latency", lat, base=h_url)

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
P(f"- {tf_version}; emulator: `coexistence-emulator --demo{' --latency ' + latency if latency else ''}` from {os.path.relpath(bin_dir, repo)}")
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
P(f"## Terraform commands per resource type (emulator latency: {latency or 'none'})")
P("")
P("Wall time (median), its ratio to the same command on N `terraform_data`, and the requests the "
  "command sent (Graph / Exchange, token requests apart; median).")
P("")
P("| type | N | command | terraform_data | " + " | ".join(f"{v}: time | {v}: ratio | {v}: Graph / Exchange" for v in variants) + " |")
P("|---|---|---|---|" + "---|---|---|" * len(variants))
for t, n in cases:
    for name, _, _ in COMMANDS:
        floor = med(wall[("terraform_data", "", n, name)])
        cells = []
        for v in variants:
            ms = med(wall[(t, v, n, name)])
            g = med(c[0] for c in calls[(t, v, n, name)])
            x = med(c[1] for c in calls[(t, v, n, name)])
            cells.append(f"{ms:.0f} ms | **{ms / floor:.2f}x** | {g:.0f} / {x:.0f}")
        P(f"| {t} | {n} | {name} | {floor:.0f} ms | " + " | ".join(cells) + " |")
P("")
if hub:
    P(f"## The hub: examples/multi-pair grown to {hub_n} subsidiaries at high trust (emulator latency: {latency or 'none'})")
    P("")
    P(f"A hub tenant (Contoso) and {hub_n} subsidiaries, all at high trust, each pair the `tenant-pair` module as in "
      "`examples/multi-pair` (one provider block per tenant, one module block per subsidiary, the hub's organization "
      "with every subsidiary in it, each subsidiary synchronizing one hub group), against an emulator of its own "
      f"per variant (`--config` with those {hub_n + 1} tenants, the same latency). Each variant applied it once with its "
      f"own binary (apply: " + ", ".join(f"{v} {ms / 1000:.0f} s" for v, ms in hub_apply_ms.items()) + "), then "
      f"`terraform plan -detailed-exitcode` (no changes) of each, interleaved, {reps} repetition(s); wall time and "
      "requests per plan (median; token requests apart).")
    P("")
    P("| variant | plan: time (median) | all times | Graph / Exchange | token requests |")
    P("|---|---|---|---|---|")
    for v in variants:
        rows = hub[v]
        P(f"| {v} | {med(r[0] for r in rows) / 1000:.1f} s | {', '.join(f'{r[0] / 1000:.1f}' for r in rows)} s "
          f"| {med(r[1] for r in rows):.0f} / {med(r[2] for r in rows):.0f} | {med(r[3] for r in rows):.0f} |")
    if "before" in hub:
        P("")
        P(f"after / before: **{med(r[0] for r in hub['before']) / med(r[0] for r in hub['after']):.2f}x** faster.")
    P("")
    P("Where the time goes: the same no-op plan of each variant, interleaved with the rows above, "
      + (f"with `-parallelism={hub_par}` (Terraform holds one of its parallel operations, 10 by default, for each "
         "read while it waits on the network) and " if hub_par else "")
      + "with the emulator's latency set to 0 for that plan (Terraform's own work and the provider processes: "
      "the floor no change to requests can go under).")
    P("")
    P("| variant | default | " + " | ".join(k for k in ([f"-parallelism={hub_par}"] if hub_par else []) + ["no latency"]) + " |")
    P("|---|---|" + "---|" * ((1 if hub_par else 0) + 1))
    for v in variants:
        cells = [f"{med(r[0] for r in hub[v]) / 1000:.1f} s"]
        for k in ([f"-parallelism={hub_par}"] if hub_par else []) + ["no latency"]:
            cells.append(f"{med(hub_more[(v, k)]) / 1000:.1f} s")
        P(f"| {v} | " + " | ".join(cells) + " |")
    if "before" in hub and hub_par:
        b, a = med(hub_more[("before", f"-parallelism={hub_par}")]), med(hub_more[("after", f"-parallelism={hub_par}")])
        P("")
        P(f"after / before at `-parallelism={hub_par}`: **{b / a:.2f}x** faster.")
    P("")
    P("Requests per plan by object type (first repetition):")
    P("")
    kinds = sorted({k for v in variants for k in hub[v][0][4]})
    P("| requests for | " + " | ".join(variants) + " |")
    P("|---|" + "---|" * len(variants))
    for k in kinds:
        P(f"| {k} | " + " | ".join(str(hub[v][0][4].get(k, 0)) for v in variants) + " |")
    P("")
text = "\n".join(lines)
print(text)
if out_path:
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        f.write(text)
    print(f"\nwritten to {os.path.relpath(out_path, repo)}")
PY
