#!/usr/bin/env bash
# Refreshes culture_cloud/graphiql/static/ from the npm registry, so GraphiQL works without
# internet access (government intranets). Versions and hashes are those of strawberry's own
# GraphiQL page (strawberry/static/graphiql.html); when strawberry moves, update both here
# and check culture_cloud/graphiql/page.html still matches its script.
# Needs node/npm. Usage: scripts/vendor_graphiql.sh
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
target="$here/culture_cloud/graphiql/static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# package@version  path-in-package  file-name-here  sha384 (the SRI hash strawberry pins)
ASSETS=(
  "react@18.2.0 umd/react.production.min.js react.production.min.js tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8"
  "react-dom@18.2.0 umd/react-dom.production.min.js react-dom.production.min.js bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh"
  "graphiql@3.8.3 graphiql.min.js graphiql.min.js HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie"
  "graphiql@3.8.3 graphiql.min.css graphiql.min.css Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM"
  "@graphiql/plugin-explorer@1.0.2 dist/index.umd.js plugin-explorer.umd.js 2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9"
  "@graphiql/plugin-explorer@1.0.2 dist/style.css plugin-explorer.css 5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi"
)

unpack() {  # unpack PACKAGE@VERSION -> prints the unpacked package directory
  local spec="$1" dir="$work/${1//[@\/]/_}"
  if [[ ! -d "$dir" ]]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  fi
  echo "$dir/package"
}

mkdir -p "$target"
for line in "${ASSETS[@]}"; do
  read -r spec inner name sha <<<"$line"
  package_dir="$(unpack "$spec")"
  actual="$(openssl dgst -sha384 -binary "$package_dir/$inner" | base64 -w0)"
  if [[ "$actual" != "$sha" ]]; then
    echo "vendor_graphiql: $spec $inner has sha384-$actual, expected sha384-$sha" >&2
    exit 1
  fi
  cp "$package_dir/$inner" "$target/$name"
  echo "$spec/$inner -> static/$name"
done
