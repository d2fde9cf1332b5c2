#!/usr/bin/env bash
# Re-vendors the web page's 3D viewer from the npm registry: @google/model-viewer's self-contained
# ES module build (it bundles three.js). The page never loads code from a CDN.
set -euo pipefail
version="${1:-4.4.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="$root/gateway/src/main/resources/web/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@google/model-viewer@$version" >/dev/null 2>&1 && tar xzf google-model-viewer-*.tgz)
rm -f "$dest"/model-viewer-*.min.js
cp "$tmp/package/dist/model-viewer.min.js" "$dest/model-viewer-$version.min.js"
cat > "$dest/VERSIONS" <<V
@google/model-viewer $version (Apache-2.0; bundles three.js, MIT), from the npm registry: dist/model-viewer.min.js
sha256 $(sha256sum "$dest/model-viewer-$version.min.js" | cut -d' ' -f1)
V
cat "$dest/VERSIONS"
