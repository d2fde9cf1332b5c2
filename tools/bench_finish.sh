#!/usr/bin/env bash
# Smoothing speed and volume change, side by side with VTK 9.1's vtkWindowedSincPolyDataFilter,
# in one run on this machine, on the same raw marching-cubes mesh.
#
#   tools/bench_finish.sh [VOLUME [ISO]]     (default: ch2 at nii2mesh's isovalue 44.1)
#
# meshpipe writes the raw surface (grid space, closed borders, so volumes are defined) as
# PLY; VTK reads that PLY and smooths it with 2 threads (vtkSMPTools), 20 iterations, at passband
# 0.1 and 0.01, boundary and feature-edge smoothing off, coordinates normalised (Slicer's settings);
# meshpipe smooths the same surface with `mesh --smoothing 20:PASSBAND --threads 2 --repeat N`,
# whose smoothMs is the median of the smoothing stage alone (adjacency, windowed sinc and the
# volume correction). Prints both medians, the ratio meshpipe/VTK (below 1: meshpipe faster) and
# each one's volume change against the raw surface, then VTK's median process CPU per run (both
# threads) and the load average: on a shared machine wall times compare only within one run, so
# compare builds by alternating runs of this script (A B A B). For meshpipe's CPU per part, run
# SmoothBench (docs/benchmarks.md). Needs Debian's python3-vtk9 and mricron-data.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
volume="${1:-/usr/share/mricron/templates/ch2.nii.gz}"
iso="${2:-44.1}"
runs="${RUNS:-15}"
export MESHPIPE_JAVA_OPTS="${MESHPIPE_JAVA_OPTS:--Xms4g -Xmx4g}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/meshpipe" --version >/dev/null   # builds the jar if needed, outside the timings

"$root/meshpipe" mesh "$volume" --iso "$iso" --borders closed --space grid --formats ply --preset raw \
    --json --out "$tmp/raw" > "$tmp/raw.json"

printf '%-10s %10s %12s %12s %8s %12s %12s %12s\n' passband triangles vtk_ms meshpipe_ms ratio vtk_dV% meshpipe_dV% vtk_cpu_ms
for pb in 0.1 0.01; do
  ours=$("$root/meshpipe" mesh "$volume" --iso "$iso" --borders closed --space grid --formats ply --threads 2 \
           --smoothing "20:$pb" --repeat "$runs" --warmup 5 --json --out "$tmp/smooth" \
         | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['timings']['smoothMs'], d['finishing']['volumeChangePercent'])")
  vtk=$(/usr/bin/python3 - "$tmp/raw/mesh.ply" "$pb" "$runs" <<'PY'
import statistics, sys, time
import vtk
path, pb, runs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
vtk.vtkSMPTools.Initialize(2)
reader = vtk.vtkPLYReader()
reader.SetFileName(path)
reader.Update()
raw = reader.GetOutput()

def volume(pd):
    m = vtk.vtkMassProperties()
    m.SetInputData(pd)
    m.Update()
    return m.GetVolume()

def smooth():
    f = vtk.vtkWindowedSincPolyDataFilter()
    f.SetInputData(raw)
    f.SetNumberOfIterations(20)
    f.SetPassBand(pb)
    f.BoundarySmoothingOff()
    f.FeatureEdgeSmoothingOff()
    f.NonManifoldSmoothingOn()
    f.NormalizeCoordinatesOn()
    f.Update()
    return f.GetOutput()

for _ in range(3):
    smooth()
times = []
cpu = []
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time()
    out = smooth()
    times.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
v0, v1 = volume(raw), volume(out)
print(round(statistics.median(times), 1), raw.GetNumberOfPolys(), (v1 - v0) / v0 * 100, round(statistics.median(cpu), 1))
PY
)
  set -- $vtk; vms=$1; tris=$2; vdv=$3; vcpu=$4
  set -- $ours; mms=$1; mdv=$2
  python3 -c "print(f'{\"$pb\":<10} {$tris:>10} {$vms:>12.1f} {$mms:>12} {$mms/$vms:>8.2f} {$vdv:>12.3f} {$mdv:>12.3f} {$vcpu:>12.1f}')"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
