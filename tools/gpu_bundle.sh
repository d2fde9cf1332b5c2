#!/usr/bin/env bash
# Packs what the GPU tests and benchmark need into .gpu/ (git-ignored), for a lent GPU machine
# that has no Java, no Maven repository and no network: a jlinked Java runtime, the mesh-gpu
# classes, tests and dependencies, JUnit's console launcher and the MRI templates. Under the
# 64 MiB. Then, on the GPU machine, in a copy of the checkout with .gpu/: bash tools/gpu_check.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$root/.gpu"
rm -rf "$out"
mkdir -p "$out/lib" "$out/mri"
./mvnw -q -B -ntp -pl mesh-gpu -am install -DskipTests
./mvnw -q -B -ntp -pl mesh-gpu dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$out/lib"
./mvnw -q -B -ntp dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.13.4 -DoutputDirectory="$out/lib" -N
cp mesh-gpu/target/meshpipe-mesh-gpu-*.jar "$out/lib/"
# JCuda's natives jar holds every library of the toolkit; the driver binding is the one used.
natives=$(ls "$out"/lib/jcuda-natives-*.jar)
(mkdir -p "$out/n" && cd "$out/n" && unzip -q "$natives" 'lib/libJCudaDriver-*' && rm "$natives" && jar cf "$natives" lib) && rm -rf "$out/n"
cp -r mesh-gpu/target/test-classes "$out/test-classes"
cp /usr/share/mricron/templates/ch2.nii.gz /usr/share/mricron/templates/ch2better.nii.gz "$out/mri/"
jlink --add-modules java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.unsupported,jdk.zipfs \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/jre"
du -sh "$out"
