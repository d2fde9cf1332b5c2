#!/usr/bin/env bash
# A real job against the offline command, in one run on this machine (issue 17's "real jobs" goal):
#   1. `meshpipe mesh INPUT` offline: median wall time of RUNS runs after a warm-up run;
#   2. the same input through `meshpipe up` on a free port: POST to SUCCEEDED (downloadable),
#      median of RUNS jobs after a warm-up job, with each job's stages (queued, processing,
#      packaging) from its status transitions and the processor's own timings from manifest.json;
#   3. the downloaded ZIP against Info-ZIP `zip -6` of the same files (size and time), checked by
#      `unzip -t` and Python's zipfile.
# Prints both ratios against the goals (job/offline <= 1.5, ZIP/zip -6 <= 1.05).
#
#   tools/bench_job.sh [INPUT] [RUNS]     (default /usr/share/mricron/templates/ch2.nii.gz 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
input="${1:-/usr/share/mricron/templates/ch2.nii.gz}"
runs="${2:-3}"
tmp="$(mktemp -d)"
cleanup() { [ -n "${up_pid:-}" ] && kill "$up_pid" 2>/dev/null && wait "$up_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$root/meshpipe" --version >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

offline=()
for i in $(seq 0 "$runs"); do
  rm -rf "$tmp/offline"
  s=$(date +%s%N)
  "$root/meshpipe" mesh "$input" --out "$tmp/offline" --json > "$tmp/offline.json" 2>/dev/null
  e=$(date +%s%N)
  [ "$i" -gt 0 ] && offline+=("$(( (e - s) / 1000000 ))")   # run 0 is the warm-up
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$root/meshpipe" up --port "$port" --data "$tmp/data" > "$tmp/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 1 240); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "localhost:$port/health/ready" >/dev/null || { echo "meshpipe up did not get ready" >&2; tail "$tmp/up.log" >&2; exit 1; }

python3 - "$port" "$input" "$runs" "$tmp" "$root" "${offline[@]}" <<'PY'
import json, os, resource, statistics, subprocess, sys, time, urllib.request, zipfile
port, path, runs, tmp, root = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
offline = [int(x) for x in sys.argv[6:]]
base = f"http://127.0.0.1:{port}"

def job():
    """POST the file, poll the status every 5 ms; the time of each state first seen, from the POST's start."""
    body = open(path, "rb").read()
    t0 = time.monotonic()
    req = urllib.request.Request(base + "/jobs", data=body, method="POST",
                                 headers={"Content-Type": "application/octet-stream"})
    jid = json.load(urllib.request.urlopen(req))["id"]
    seen = {}
    while True:
        st = json.load(urllib.request.urlopen(f"{base}/jobs/{jid}"))
        seen.setdefault(st["state"], time.monotonic() - t0)
        if st["state"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.005)
    if st["state"] != "SUCCEEDED":
        sys.exit(f"job {jid} ended {st['state']}: {st.get('error')}")
    return jid, seen

job()  # warm-up
jobs = [job() for _ in range(runs)]
print("job stages (s from POST; first seen by polling):")
for jid, seen in jobs:
    print("  " + ", ".join(f"{k} {v:.2f}" for k, v in seen.items()))
total = [seen["SUCCEEDED"] * 1000 for _, seen in jobs]
pack = [(seen["SUCCEEDED"] - seen.get("PACKAGING", seen["SUCCEEDED"])) * 1000 for _, seen in jobs]

jid = jobs[-1][0]
zpath = os.path.join(tmp, "job.zip")
urllib.request.urlretrieve(f"{base}/jobs/{jid}/download", zpath)
with zipfile.ZipFile(zpath) as z:
    bad = z.testzip()
    if bad:
        sys.exit(f"zipfile: bad entry {bad}")
    manifest = json.loads(z.read(f"{jid}/manifest.json"))
    print("processor timings (last job, ms): " + json.dumps(manifest.get("timingsMs")))
    print("entries: " + ", ".join(f"{i.filename.split('/')[-1]} {i.file_size:,}->{i.compress_size:,} "
                                  f"({'stored' if i.compress_type == 0 else 'deflate'})" for i in z.infolist()))
    z.extractall(os.path.join(tmp, "x"))
subprocess.run(["unzip", "-tq", zpath], check=True, stdout=subprocess.DEVNULL)
def timed(cmd, **kw):
    """Runs cmd; its wall time and its CPU time (user + system, all threads), in ms."""
    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (time.monotonic() - t0) * 1000, (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000

info = os.path.join(tmp, "info.zip")
zip_ms, zip_cpu = timed(["zip", "-6", "-q", "-r", info, jid], cwd=os.path.join(tmp, "x"))
# The packager's own code on the same files, as a command (JVM start included); its CPU time is the
# figure a loaded machine does not distort.
os.remove(os.path.join(tmp, "x", jid, "manifest.json"))
ours_ms, ours_cpu = timed([os.path.join(root, "meshpipe"), "zip", os.path.join(tmp, "x", jid), "--out", os.path.join(tmp, "again.zip")])
ours, theirs = os.path.getsize(zpath), os.path.getsize(info)

mo, mj, mp = statistics.median(offline), statistics.median(total), statistics.median(pack)
print(f"offline meshpipe mesh:  median {mo:.0f} ms (runs {offline})")
print(f"job POST to SUCCEEDED:  median {mj:.0f} ms (runs {[round(t) for t in total]}), "
      f"of which PACKAGING seen to SUCCEEDED median {mp:.0f} ms")
print(f"ratio job/offline:      {mj / mo:.2f} (goal <= 1.5: {'met' if mj / mo <= 1.5 else 'NOT met'})")
print(f"ZIP {ours:,} bytes; zip -6 of the same files {theirs:,} bytes in {zip_ms:.0f} ms, CPU {zip_cpu:.0f} ms")
print(f"meshpipe zip of the same files: {ours_ms:.0f} ms, CPU {ours_cpu:.0f} ms (JVM start included)")
print(f"ratio ZIP/zip -6:       {ours / theirs:.4f} (goal <= 1.05: {'met' if ours / theirs <= 1.05 else 'NOT met'})")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
