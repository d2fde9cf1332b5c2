#!/usr/bin/env bash
# Packaging speed next to Info-ZIP's `zip -6`, in one run on this machine, on a realistic result
# (a 512^3 sphere's four mesh formats, quality.json, preview.png): median wall time of 3 runs each,
# output sizes, and the JVM's peak heap. Then a memory check: packaging a result of more than 1 GB
# with the JVM limited to -Xmx128m.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/meshpipe" --version >/dev/null
"$root/meshpipe" mesh sphere:512:200 --out "$tmp/result" >/dev/null 2>&1
echo "result files: $(du -sb "$tmp/result" | cut -f1) bytes in $(ls "$tmp/result" | tr '\n' ' ')"

ours=() ; theirs=()
for i in 1 2 3; do
  j=$("$root/meshpipe" zip "$tmp/result" --out "$tmp/ours.zip" 2>/dev/null)
  ours+=("$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['ms'])" "$j")")
  peak=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['peakHeapBytes'])" "$j")
  rm -f "$tmp/info.zip"
  s=$(date +%s%N); (cd "$tmp/result" && zip -6 -q -r "$tmp/info.zip" .); e=$(date +%s%N)
  theirs+=("$(( (e - s) / 1000000 ))")
done
python3 - "$(stat -c %s "$tmp/ours.zip")" "$(stat -c %s "$tmp/info.zip")" "$peak" "${ours[@]}" "${theirs[@]}" <<'PY'
import sys, statistics
ob, ib, peak = (int(x) for x in sys.argv[1:4])
o = [int(x) for x in sys.argv[4:7]]; t = [int(x) for x in sys.argv[7:10]]
mo, mt = statistics.median(o), statistics.median(t)
print(f"meshpipe zip: {mo:.0f} ms (runs {o}), {ob:,} bytes, peak heap {peak/1e6:.1f} MB")
print(f"zip -6:       {mt:.0f} ms (runs {t}), {ib:,} bytes")
print(f"speed-up {mt/mo:.2f}x, size ratio {ob/ib:.4f}")
PY

# Memory: more than 1 GB of outputs, JVM limited to 128 MB of heap.
mkdir "$tmp/big"
for f in mesh.stl mesh.ply mesh.obj mesh.glb; do
  (set +o pipefail; yes "v 12.3456 -78.9012 345.678 $f" | head -c 300000000 > "$tmp/big/$f")
done
cp "$tmp/result/preview.png" "$tmp/result/quality.json" "$tmp/big/"
echo "big result: $(du -sb "$tmp/big" | cut -f1) bytes"
MESHPIPE_JAVA_OPTS="-Xmx128m" "$root/meshpipe" zip "$tmp/big" --out "$tmp/big.zip" 2>/dev/null
unzip -tq "$tmp/big.zip"
