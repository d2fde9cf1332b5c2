#!/usr/bin/env bash
# Rebuilds the committed GPU kernel image from marching_cubes.cu (needs nvcc; CUDA 13 was used).
# Output: a fatbin with sm_90 code (H100/H200) plus compute_90 PTX, which newer GPUs' drivers
# compile at load. -fmad=false keeps the vertex arithmetic identical to the CPU path (Java never
# fuses a multiply and an add). The sha256 of the source goes beside the image, so a test can
# tell when the image is older than its source.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../resources/dev/meshpipe/gpu"
mkdir -p "$out"
nvcc -fatbin -O3 -fmad=false \
  -gencode arch=compute_90,code=[sm_90,compute_90] \
  -o "$out/marching_cubes.fatbin" "$here/marching_cubes.cu"
sha256sum "$here/marching_cubes.cu" | cut -d' ' -f1 > "$out/marching_cubes.fatbin.source-sha256"
echo "wrote $out/marching_cubes.fatbin ($(stat -c %s "$out/marching_cubes.fatbin") bytes) from $(nvcc --version | tail -1)"
