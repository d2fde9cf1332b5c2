#!/usr/bin/env bash
# Reading a 512x512x300 CT series: meshpipe's DICOM reader against dcm2niix's conversion of the
# same files, on this machine. The series (int16, HU through RescaleIntercept, a few spheres of
# bone in soft tissue) is written once with pydicom under DIR (default /tmp/meshpipe-bench-ct).
#
#   tools/bench_dicom.sh [DIR] [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="${1:-/tmp/meshpipe-bench-ct}"
runs="${2:-3}"
if [[ ! -f "$dir/series/IM00300.dcm" ]]; then
  mkdir -p "$dir/series"
  /usr/bin/python3 - "$dir/series" <<'PY'
import sys
import numpy as np
sys.path.insert(0, "tools")
from make_dicom_series import write_series
n, z = 512, 300
y, x = np.mgrid[0:n, 0:n]
stack = np.empty((z, n, n), dtype=np.int32)
for k in range(z):
    s = np.full((n, n), 1024 - 1000, dtype=np.int32)             # air
    s[(x - 256) ** 2 + (y - 256) ** 2 < 220 ** 2] = 1024 + 40      # soft tissue
    for cx, cy, cz, r in ((200, 230, 120, 60), (320, 280, 180, 45), (256, 200, 60, 30)):
        rr = r * r - (k - cz) ** 2
        if rr > 0:
            s[(x - cx) ** 2 + (y - cy) ** 2 < rr] = 1024 + 700     # bone
    stack[k] = s
write_series(sys.argv[1], stack, row_dir=(1, 0, 0), col_dir=(0, 1, 0), pixel_spacing=(0.7, 0.7), slice_gap=1.0,
             origin=(-179.2, -179.2, -150), modality="CT", slope=1, intercept=-1024)
PY
fi
jar=standalone/target/meshpipe.jar
[[ -f "$jar" ]] || ./meshpipe mesh --help >/dev/null
echo "series: $(ls "$dir/series" | wc -l) files, $(du -sh "$dir/series" | cut -f1)"
for i in $(seq "$runs"); do
  rm -rf "$dir/nii" && mkdir -p "$dir/nii"
  t0=$(date +%s%N)
  dcm2niix -z n -b n -f ct -o "$dir/nii" "$dir/series" >/dev/null
  t1=$(date +%s%N)
  out=$(java -jar "$jar" mesh "$dir/series" --iso 300 --formats stl --out "$dir/mesh" --json 2>/dev/null)
  t2=$(date +%s%N)
  read_ms=$(echo "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["timings"]["readMs"])')
  echo "run $i: dcm2niix conversion $(( (t1 - t0) / 1000000 )) ms (wall); meshpipe read $read_ms ms (in-process, of a $(( (t2 - t1) / 1000000 )) ms mesh command)"
done
