#!/usr/bin/env bash
# Marching-cubes speed, side by side with VTK's vtkFlyingEdges3D, in one run on this machine.
#
#   tools/bench_mc.sh [VOLUME ...]       (default: ch2, ch2better, sphere:512:200)
#
# For each volume and thread count (1 and 2): VTK's flying edges through ../shared/peers/peers.py
# (median of 15 runs after a warm-up) and `meshpipe mesh --repeat 15 --warmup 5` (median of 15
# extractions after 5 warm-up ones, which give the JIT time to compile), both at the same isovalue, open borders, grid space; then the ratio
# meshpipe/VTK (below 1 means meshpipe is faster). Needs Debian's python3-vtk9, python3-skimage,
# python3-nibabel and mricron-data. MESHPIPE_JAVA_OPTS is passed to the JVM (default below).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
peers="${MESHPIPE_PEERS:-$root/../shared/peers}/peers.py"
export MESHPIPE_JAVA_OPTS="${MESHPIPE_JAVA_OPTS:--Xms4g -Xmx4g}"
volumes=("$@")
if [ ${#volumes[@]} -eq 0 ]; then
  volumes=(/usr/share/mricron/templates/ch2.nii.gz /usr/share/mricron/templates/ch2better.nii.gz sphere:512:200)
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/meshpipe" --version >/dev/null   # builds the jar if needed, outside the timings

printf '%-28s %7s %12s %12s %10s %12s %12s\n' volume threads vtk_fe_ms meshpipe_ms ratio vtk_tris meshpipe_tris
for v in "${volumes[@]}"; do
  case "$v" in sphere:*) iso=0 ;; *) iso=otsu ;; esac
  /usr/bin/python3 "$peers" "$v" --iso "$iso" --runs 15 --skip sk-lewiner,sk-lorensen,vtk-mc,vtk-mc+n,vtk-fe-STDThread-1t,vtk-fe-STDThread-2t,vtk-fe-Sequential-1t,vtk-fe-TBB-2t+n \
      --json "$tmp/peers.json" > "$tmp/peers.txt"
  isoval=$(python3 -c "import json;print(repr(json.load(open('$tmp/peers.json'))['iso']))")
  for t in 1 2; do
    vtk=$(python3 -c "
import json; d=json.load(open('$tmp/peers.json'))
m=[r for r in d['results'] if r['id']=='vtk-fe-TBB-${t}t'][0]
print(round(m['median_ms'], 1), m['tris'])")
    ours=$("$root/meshpipe" mesh "$v" --iso "$isoval" --borders open --space grid --formats stl --threads $t \
             --repeat 15 --warmup 5 --json --out "$tmp/out" 2>/dev/null \
           | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['timings']['extractMs'], d['triangles'])")
    set -- $vtk; vms=$1; vtr=$2
    set -- $ours; mms=$1; mtr=$2
    ratio=$(python3 -c "print(f'{$mms/$vms:.2f}')")
    printf '%-28s %7s %12s %12s %10s %12s %12s\n' "$(basename "$v")" "$t" "$vms" "$mms" "$ratio" "$vtr" "$mtr"
  done
done
