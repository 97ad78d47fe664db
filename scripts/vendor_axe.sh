#!/usr/bin/env bash
# Refreshes tests/support/vendor/axe.min.js (axe-core, the accessibility rules engine the
# website's browser tests inject into each page) from the npm registry at a pinned version, so
# the tests run without internet access. Test-only: the app never serves it.
# Needs node/npm and openssl. Usage: scripts/vendor_axe.sh
# To move to another version: change VERSION and INTEGRITY (`npm view axe-core@X dist.integrity`),
# run the script, and commit the file with its new SHA256 below.
set -euo pipefail

VERSION="4.14.1"
# The tarball's integrity as the registry publishes it (npm pack checks it too).
INTEGRITY="sha512-$(npm view "axe-core@$VERSION" dist.integrity | sed 's/^sha512-//')"
EXPECTED_INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
FILE_SHA256="29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

here="$(cd "$(dirname "$0")/.." && pwd)"
target="$here/tests/support/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ "$INTEGRITY" != "$EXPECTED_INTEGRITY" ]]; then
  echo "vendor_axe: axe-core@$VERSION has integrity $INTEGRITY, expected $EXPECTED_INTEGRITY" >&2
  exit 1
fi
(cd "$work" && npm pack --silent "axe-core@$VERSION" >/dev/null && tar xzf ./*.tgz)
actual="$(openssl dgst -sha256 "$work/package/axe.min.js" | awk '{print $NF}')"
if [[ "$actual" != "$FILE_SHA256" ]]; then
  echo "vendor_axe: axe.min.js has sha256 $actual, expected $FILE_SHA256" >&2
  exit 1
fi
mkdir -p "$target"
cp "$work/package/axe.min.js" "$target/axe.min.js"
cp "$work/package/LICENSE" "$target/axe-core.LICENSE"
echo "axe-core@$VERSION ($INTEGRITY) sha256 $actual -> tests/support/vendor/axe.min.js"
