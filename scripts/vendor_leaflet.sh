#!/usr/bin/env bash
# Refreshes culture_cloud/web/static/leaflet/ (Leaflet, the map of the console's place form,
# /console/places/.../edit) from the npm registry at a pinned version, so the app serves it
# itself (no CDN; government intranets). Unmodified copies of the package's dist/leaflet.js,
# dist/leaflet.css and dist/images/ (which the CSS names relative to itself); its licence
# (BSD-2-Clause) goes beside them, and culture_cloud/web/NOTICE says so.
# Needs node/npm and openssl. Usage: scripts/vendor_leaflet.sh
# To move to another version: change VERSION and EXPECTED_INTEGRITY (`npm view leaflet@X
# dist.integrity`), run the script, and commit the files with their new SHA256 below.
set -euo pipefail

VERSION="1.9.4"
EXPECTED_INTEGRITY="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
# path in the package -> its SHA-256
declare -A FILE_SHA256=(
  [dist/leaflet.js]="db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a"
  [dist/leaflet.css]="a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6"
  [dist/images/layers.png]="1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6"
  [dist/images/layers-2x.png]="066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf"
  [dist/images/marker-icon.png]="574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437"
  [dist/images/marker-icon-2x.png]="00179c4c1ee830d3a108412ae0d294f55776cfeb085c60129a39aa6fc4ae2528"
  [dist/images/marker-shadow.png]="264f5c640339f042dd729062cfc04c17f8ea0f29882b538e3848ed8f10edb4da"
  [LICENSE]="53e8dc25862014e4324741ca18fbe3611e11d42ef69f59f86ea8c5389647d4cb"
)

here="$(cd "$(dirname "$0")/.." && pwd)"
target="$here/culture_cloud/web/static/leaflet"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

integrity="$(npm view "leaflet@$VERSION" dist.integrity)"
if [[ "$integrity" != "$EXPECTED_INTEGRITY" ]]; then
  echo "vendor_leaflet: leaflet@$VERSION has integrity $integrity, expected $EXPECTED_INTEGRITY" >&2
  exit 1
fi
(cd "$work" && npm pack --silent "leaflet@$VERSION" >/dev/null && tar xzf ./*.tgz)
for file in "${!FILE_SHA256[@]}"; do
  actual="$(openssl dgst -sha256 "$work/package/$file" | awk '{print $NF}')"
  if [[ "$actual" != "${FILE_SHA256[$file]}" ]]; then
    echo "vendor_leaflet: $file has sha256 $actual, expected ${FILE_SHA256[$file]}" >&2
    exit 1
  fi
done
rm -rf "$target"
mkdir -p "$target/images"
for file in "${!FILE_SHA256[@]}"; do
  case "$file" in
    LICENSE) cp "$work/package/LICENSE" "$target/LICENSE.txt" ;;
    dist/*) cp "$work/package/$file" "$target/${file#dist/}" ;;
  esac
done
echo "leaflet@$VERSION ($integrity) -> culture_cloud/web/static/leaflet/"
