#!/usr/bin/env bash
# Reading a 512x512x300 CT series: meshpipe against dcm2niix's conversion of the same files, on
# this machine, each run in a fresh process (what a user waits for). Per run it times:
#   dcm2niix   the whole conversion to an uncompressed NIfTI (wall clock);
#   readMs     meshpipe's read of the series inside `./meshpipe mesh DIR --json` (cold JVM: the
#              `timings.readMs` the command prints, from the start of the read to the volume);
#   meshpipe   the whole `./meshpipe mesh` process (JVM start, read, mesh at iso 300, STL written).
# and prints the medians and the ratios to dcm2niix. The series (int16, HU through
# RescaleIntercept, a few spheres of bone in soft tissue) is written once with pydicom under DIR
# (default /tmp/meshpipe-bench-ct). Extra JVM flags for meshpipe: MESHPIPE_JAVA_OPTS, as for ./meshpipe.
# The two sides do not do the same work: dcm2niix reads the series and writes a 157 MB NIfTI, from
# its process start (a native program starts in a few ms); readMs is meshpipe reading the series
# into its float volume (314 MB) in a JVM that has just started, timed from inside, so the JVM's own
# start (a few hundred ms) is not in it, but all the class loading, compiling and first touch of
# memory that the read causes is; the whole-process figure has everything. Both read the files from
# the page cache (each run follows the other's).
# BASELINE_JAR=path/to/meshpipe.jar also runs that jar (plain `java -jar`, no launcher flags) in
# each round, right after the current one, so a change can be judged against the code before it
# under the same load.
#
#   tools/bench_dicom.sh [DIR] [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="${1:-/tmp/meshpipe-bench-ct}"
runs="${2:-5}"
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
./meshpipe --help >/dev/null # builds the jar when it is missing or stale, outside the timing
echo "series: $(ls "$dir/series" | wc -l) files, $(du -sh "$dir/series" | cut -f1); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
d_all=() r_all=() m_all=() b_all=()
readms() { tail -1 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["timings"]["readMs"])'; }
for i in $(seq "$runs"); do
  rm -rf "$dir/nii" "$dir/mesh" && mkdir -p "$dir/nii"
  t0=$(date +%s%N)
  dcm2niix -z n -b n -f ct -o "$dir/nii" "$dir/series" >/dev/null
  t1=$(date +%s%N)
  out=$(./meshpipe mesh "$dir/series" --iso 300 --formats stl --out "$dir/mesh" --json 2>/dev/null)
  t2=$(date +%s%N)
  read_ms=$(echo "$out" | readms)
  d_all+=("$(ms "$t0" "$t1")") r_all+=("$read_ms") m_all+=("$(ms "$t1" "$t2")")
  base=""
  if [[ -n "${BASELINE_JAR:-}" ]]; then
    rm -rf "$dir/mesh"
    b_all+=("$(java -jar "$BASELINE_JAR" mesh "$dir/series" --iso 300 --formats stl --out "$dir/mesh" --json 2>/dev/null | readms)")
    base="; baseline jar's read ${b_all[-1]} ms"
  fi
  echo "run $i: dcm2niix ${d_all[-1]} ms; meshpipe read ${r_all[-1]} ms (cold JVM), whole meshpipe mesh process ${m_all[-1]} ms$base"
done
d=$(echo "${d_all[*]}" | median) r=$(echo "${r_all[*]}" | median) m=$(echo "${m_all[*]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
base=""
if [[ -n "${BASELINE_JAR:-}" ]]; then
  b=$(echo "${b_all[*]}" | median)
  base=" | baseline jar's read $b ms ($(ratio "$b" "$d")x dcm2niix)"
fi
echo "median of $runs: dcm2niix $d ms | meshpipe read $r ms ($(ratio "$r" "$d")x dcm2niix) | whole meshpipe mesh $m ms ($(ratio "$m" "$d")x dcm2niix)$base; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
