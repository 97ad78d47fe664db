#!/usr/bin/env bash
# Refreshes culture_cloud/web/static/jsQR.js (jsQR, the QR code reader the door page falls back
# to where the browser has no BarcodeDetector) from the npm registry at a pinned version, so
# the app serves it itself (no CDN; government intranets). Unmodified copy of the package's
# dist/jsQR.js; its licence (Apache-2.0) goes beside it, and culture_cloud/web/NOTICE says so.
# Needs node/npm and openssl. Usage: scripts/vendor_jsqr.sh
# To move to another version: change VERSION and EXPECTED_INTEGRITY (`npm view jsqr@X
# dist.integrity`), run the script, and commit the file with its new SHA256 below.
set -euo pipefail

VERSION="1.4.0"
EXPECTED_INTEGRITY="sha512-dxLob7q65Xg2DvstYkRpkYtmKm2sPJ9oFhrhmudT1dZvNFFTlroai3AWSpLey/w5vMcLBXRgOJsbXpdN9HzU/A=="
FILE_SHA256="bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859"

here="$(cd "$(dirname "$0")/.." && pwd)"
target="$here/culture_cloud/web/static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

integrity="$(npm view "jsqr@$VERSION" dist.integrity)"
if [[ "$integrity" != "$EXPECTED_INTEGRITY" ]]; then
  echo "vendor_jsqr: jsqr@$VERSION has integrity $integrity, expected $EXPECTED_INTEGRITY" >&2
  exit 1
fi
(cd "$work" && npm pack --silent "jsqr@$VERSION" >/dev/null && tar xzf ./*.tgz)
actual="$(openssl dgst -sha256 "$work/package/dist/jsQR.js" | awk '{print $NF}')"
if [[ "$actual" != "$FILE_SHA256" ]]; then
  echo "vendor_jsqr: dist/jsQR.js has sha256 $actual, expected $FILE_SHA256" >&2
  exit 1
fi
cp "$work/package/dist/jsQR.js" "$target/jsQR.js"
cp "$work/package/LICENSE" "$target/jsQR.LICENSE.txt"
echo "jsqr@$VERSION ($integrity) sha256 $actual -> culture_cloud/web/static/jsQR.js"
