#!/usr/bin/env bash
# On a machine with a GPU (and the .gpu/ bundle from tools/gpu_bundle.sh): the GPU tests, then the
# GPU benchmark, run in a copy of the checkout that carries .gpu/.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="$root/.gpu/jre/bin/java"
cp="$(ls "$root"/.gpu/lib/*.jar | grep -v console-standalone | tr '\n' ':')$root/.gpu/test-classes"
export MESHPIPE_MRI_DIR="$root/.gpu/mri"
nvidia-smi -L || true
cd "$root/mesh-gpu"   # tests read src/main/cuda from here
"$java" -Xmx24g -jar "$root"/.gpu/lib/junit-platform-console-standalone-*.jar execute \
  --class-path "$cp" --select-package dev.meshpipe.gpu --details=tree --disable-banner
tests=$?
# A pre-touched heap, as a long-running processor has: otherwise the first touch of each fresh
# array page (the mesh arrays of every run) is timed as if it were the transfer.
"$java" -Xms48g -Xmx48g -XX:+AlwaysPreTouch -Dmeshpipe.mri.dir="$MESHPIPE_MRI_DIR" -cp "$cp" dev.meshpipe.gpu.GpuBenchmark "$@"
exit $tests
