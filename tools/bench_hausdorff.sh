#!/usr/bin/env bash
# The print preset's Hausdorff distance to the raw surface alone (SurfaceMetrics.hausdorff, 2
# threads), RUNS times in one JVM, on the mesh module's compiled classes: CPU and wall time per run.
#
#   tools/bench_hausdorff.sh [VOLUME]     (default: ch2; RUNS=4; compile first: ./mvnw -o -pl mesh compile)
#
# CLASSES_BEFORE=DIR puts classes compiled from an older SurfaceMetrics/TriangleGrid first on the
# class path, for an A/B of the same search on the same machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
v="$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' "$root/pom.xml")"
repo="$HOME/.m2/repository/com/fasterxml/jackson/core"
jackson="$repo/jackson-core/$v/jackson-core-$v.jar:$repo/jackson-databind/$v/jackson-databind-$v.jar"
jackson="$jackson:$repo/jackson-annotations/${v%.*}/jackson-annotations-${v%.*}.jar"
cp="$root/mesh/target/classes:$jackson"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
javac -d "$tmp" -cp "$cp" "$root/tools/hausdorff/HausdorffCpu.java"
echo "# $(date -u +%Y-%m-%dT%H:%MZ) load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx4g -cp "${CLASSES_BEFORE:+$CLASSES_BEFORE:}$tmp:$cp" dev.meshpipe.mesh.finish.HausdorffCpu \
  "${1:-/usr/share/mricron/templates/ch2.nii.gz}" "${RUNS:-4}"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
