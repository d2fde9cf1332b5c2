#!/usr/bin/env bash
# Fuzzes the input parsers for real with Jazzer (coverage-guided), each target for DURATION
# (default 2m): the volume readers (NIfTI-1, NRRD, gzip) and the gateway's request parsing (JSON
# body, query parameters, Range headers, job ids). `./mvnw verify` only replays the seeds and past
# findings; this explores. A finding is written under src/test/resources/.../*Inputs/ and from
# then on replayed by every build.
#
#   tools/fuzz.sh [DURATION]      e.g. tools/fuzz.sh 10m
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration="${1:-2m}"
./mvnw -q -B -ntp install -DskipTests -pl mesh,gateway -am
status=0
run() {
  local module=$1 test=$2
  echo "== $module $test for $duration"
  JAZZER_FUZZ=1 ./mvnw -B -ntp -pl "$module" test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.max_duration="$duration" -Djazzer.instrumentation_includes="dev.meshpipe.**:com.fasterxml.jackson.**" 2>&1 | grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs|== Java Exception|FuzzTest|Tests run:|ERROR\]" | grep -v "^\[INFO\] Tests run: 0"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}
run mesh 'VolumeReaderFuzzTest#anyBytesReadOrFailWithADocumentedCode'
run mesh 'DicomFuzzTest#anyDicomBytesReadOrFailWithADocumentedCode'
run gateway 'HttpInputFuzzTest#jsonRequests'
run gateway 'HttpInputFuzzTest#uploadQueryParameters'
run gateway 'HttpInputFuzzTest#rangeHeaders'
run gateway 'HttpInputFuzzTest#jobIdsNeverEscapeTheirKeys'
exit $status
