#!/usr/bin/env bash
# Old against new smoothing stage in ONE JVM, on ch2 at iso 44.1: each build's classes in its own
# class loader, called in turn on every repetition, so both see the same load; prints per build the
# median CPU (all threads, ThreadMXBean) of the adjacency, the windowed sinc and the volume
# correction, and the largest coordinate difference of its output from the first build's.
#
#   tools/smooth_ab.sh OLD_CLASSES NEW_CLASSES [REPS [PASSBAND]]
#
# OLD_CLASSES and NEW_CLASSES are copies of mesh/target/classes (cp -r after a compile); the
# script compiles its probe (tools/smooth_ab/Part.java) into each, and runs both orders: the build
# called second in a pair can gain or lose (the adjacency moved by up to 20% with the order at load
# 4-6, the smoother and the correction by 2-5%), so trust only a difference seen in both orders.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
old="$1"; new="$2"; reps="${3:-21}"; pb="${4:-0.1}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for d in "$old" "$new"; do javac -nowarn -d "$d" -cp "$d" "$here/smooth_ab/Part.java" 2>&1 | grep -v '^warning\|^  reason\|^1 warning' || true; done
javac -d "$tmp" "$here/smooth_ab/AB.java"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xms6g -Xmx6g -cp "$tmp" AB "$old,$new" "$reps" "$pb"
java -Xms6g -Xmx6g -cp "$tmp" AB "$new,$old" "$reps" "$pb"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
