#!/usr/bin/env bash
# Packages a built provider binary in the Terraform registry layout (what `make release` and the
# release workflow run):
#   <out>/terraform-provider-coexistence_<version>_<os>_<arch>.zip   (holds ..._v<version>[.exe])
#   <out>/terraform-provider-coexistence_<version>_manifest.json     (protocol_versions ["6.0"])
#   <out>/terraform-provider-coexistence_<version>_SHA256SUMS        (every zip + the manifest)
#   <out>/terraform-provider-coexistence_<version>_SHA256SUMS.sig    (only when RELEASE_GPG_KEY is set)
# The zip is reproducible: one entry, fixed timestamp (1980-01-01), fixed permissions, no extra
# fields, so the same binary always gives the same checksum.
#
# Environment: RELEASE_BINARY (default target/release/terraform-provider-coexistence),
# RELEASE_OS / RELEASE_ARCH (default linux / amd64), RELEASE_DIR (default dist),
# RELEASE_ZIP_LEVEL (deflate level, default 9; the install test packs the debug binary at 1),
# RELEASE_GPG_KEY (a key id or e-mail known to gpg: detach-signs SHA256SUMS, as the registry
# requires for publishing).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name=terraform-provider-coexistence
version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml")"
[[ -n "$version" ]] || { echo "release.sh: no version in Cargo.toml [workspace.package]" >&2; exit 1; }
os="${RELEASE_OS:-linux}"
arch="${RELEASE_ARCH:-amd64}"
exe=""; [[ "$os" == windows ]] && exe=".exe"
binary="${RELEASE_BINARY:-$repo/target/release/$name$exe}"
out="${RELEASE_DIR:-$repo/dist}"
[[ -x "$binary" ]] || { echo "release.sh: $binary is not a built binary (cargo build --release first)" >&2; exit 1; }
mkdir -p "$out"

zip="${name}_${version}_${os}_${arch}.zip"
python3 - "$binary" "$out/$zip" "${name}_v${version}${exe}" "${RELEASE_ZIP_LEVEL:-9}" <<'PY'
import sys, zipfile
src, dest, entry, level = sys.argv[1:]
info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
info.compress_type = zipfile.ZIP_DEFLATED
info.create_system = 3                      # unix, so the mode below is honoured
info.external_attr = (0o100755 & 0xFFFF) << 16
with open(src, "rb") as f, zipfile.ZipFile(dest + ".tmp", "w") as z:
    z.writestr(info, f.read(), compresslevel=int(level))
import os; os.replace(dest + ".tmp", dest)
PY

manifest="${name}_${version}_manifest.json"
cp "$repo/terraform-registry-manifest.json" "$out/$manifest"

# Every zip in the directory (the release workflow gathers all platforms here) + the manifest.
sums="${name}_${version}_SHA256SUMS"
( cd "$out" && LC_ALL=C ls "${name}_${version}"_*.zip "$manifest" | LC_ALL=C sort | xargs sha256sum > "$sums" )
if [[ -n "${RELEASE_GPG_KEY:-}" ]]; then
  rm -f "$out/$sums.sig"
  gpg --batch --yes --local-user "$RELEASE_GPG_KEY" --detach-sign --output "$out/$sums.sig" "$out/$sums"
fi
echo "$out/$zip"
