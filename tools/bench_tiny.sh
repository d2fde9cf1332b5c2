#!/usr/bin/env bash
# Tiny jobs through `meshpipe up` (the "tiny jobs" issue): goals p50 <= 60 ms and p99 <= 150 ms
# from POST to SUCCEEDED seen by GET /jobs/{id}, and >= 100 jobs/s, each exactly once.
#   1. starts `./meshpipe up` on a free port and a temporary data directory, warms up (WARM jobs);
#   2. N jobs one at a time, {"input":{"synthetic":"sphere:16:5"},"params":{"formats":["stl"]}},
#      the client polling GET every 5 ms: p50/p90/p99 of POST start -> SUCCEEDED seen;
#   3. M jobs POSTed by C threads at once, one poller: jobs/s from the first POST to the last
#      SUCCEEDED seen;
#   4. tools/TinyJobsCheck.java reads meshpipe.jobs.completed and meshpipe.jobs.events
#      (read_committed): every job has exactly one completion record and one SUCCEEDED event;
#      and the sequential jobs' stage stamps (the events' `at`) as a table of medians.
#
#   tools/bench_tiny.sh [N] [M] [C] [WARM]     (default 200 500 16 100)
# MESHPIPE_JAVA_OPTS and other MESHPIPE_* variables pass through to `meshpipe up`; BENCH_JAR=path runs
# that jar instead of ./meshpipe's (to compare two builds in one sitting).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
n="${1:-200}"; m="${2:-500}"; conc="${3:-16}"; warm="${4:-100}"
tmp="$(mktemp -d)"
cleanup() { [ -n "${up_pid:-}" ] && kill "$up_pid" 2>/dev/null && wait "$up_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

if [ -n "${BENCH_JAR:-}" ]; then
  jar="$BENCH_JAR"; up=(java ${MESHPIPE_JAVA_OPTS:-} -jar "$jar")
else
  "$root/meshpipe" --version >/dev/null   # builds the jar the way ./meshpipe does, if needed
  jar="$root/standalone/target/meshpipe.jar"; up=("$root/meshpipe")
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; ${BENCH_JAR:-commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+dirty')}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${up[@]}" up --port "$port" --data "$tmp/data" > "$tmp/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 1 240); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "localhost:$port/health/ready" >/dev/null || { echo "meshpipe up did not get ready" >&2; tail "$tmp/up.log" >&2; exit 1; }
bootstrap=$(sed -n 's/.*(Kafka at \([^,]*\),.*/\1/p' "$tmp/up.log" | head -1)

python3 - "$port" "$n" "$m" "$conc" "$warm" "$tmp/jobs.tsv" "$up_pid" <<'PY'
import http.client, json, os, sys, threading, time
port, n, m, conc, warm, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
up_pid = sys.argv[7]

def server_cpu_s():
    """CPU seconds the meshpipe JVM used so far (user + system): what a job costs, whatever the load."""
    f = open(f"/proc/{up_pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
BODY = json.dumps({"input": {"synthetic": "sphere:16:5"}, "params": {"formats": ["stl"]}}).encode()
now_ms = lambda: time.time() * 1000.0

class Client:
    """One keep-alive connection, as a real client would hold."""
    def __init__(self):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"} if body else {}
        self.c.request(method, path, body=body, headers=headers)
        r = self.c.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
        return json.loads(data)
    def submit(self):
        return self.call("POST", "/jobs", BODY)["id"]
    def state(self, jid):
        st = self.call("GET", f"/jobs/{jid}")
        if st["state"] in ("FAILED", "CANCELLED"):
            sys.exit(f"job {jid} ended {st['state']}: {st.get('error')}")
        return st["state"]

rows = []
def sequential(cl, count, phase):
    lat = []
    for _ in range(count):
        t0 = now_ms(); p0 = time.perf_counter()
        jid = cl.submit()
        t1 = now_ms()
        while cl.state(jid) != "SUCCEEDED":
            time.sleep(0.005)
        lat.append((time.perf_counter() - p0) * 1000)
        rows.append(f"{jid} {phase} {int(t0)} {int(t1)} {int(now_ms())}")
    return lat

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]

cl = Client()
sequential(cl, warm, "warm")
cpu0 = server_cpu_s()
lat = sequential(cl, n, "seq")
cpu_seq = (server_cpu_s() - cpu0) * 1000 / n
p50, p90, p99 = pct(lat, 50), pct(lat, 90), pct(lat, 99)
print(f"sequential, {n} jobs, POST -> SUCCEEDED seen (ms): p50 {p50:.0f}, p90 {p90:.0f}, p99 {p99:.0f}, max {max(lat):.0f}; server CPU {cpu_seq:.0f} ms a job")

pending, done_at, lock = [], {}, threading.Lock()
def submitter(count):
    c = Client()
    for _ in range(count):
        t0 = now_ms()
        jid = c.submit()
        with lock:
            pending.append((jid, t0, now_ms()))
start = time.perf_counter()
cpu0 = server_cpu_s()
threads = [threading.Thread(target=submitter, args=(m // conc + (1 if i < m % conc else 0),)) for i in range(conc)]
for t in threads: t.start()
poller = Client()
seen_upto = 0   # the jobs before this index in submission order are all seen SUCCEEDED
while seen_upto < m:
    # In submission order, up to the first not finished: a few requests a sweep, so the client
    # takes little of the CPU the pipeline runs on. Jobs finished out of order wait their turn.
    with lock:
        todo = pending[seen_upto:]
    for jid, t0, t1 in todo:
        if poller.state(jid) != "SUCCEEDED":
            break
        done_at[jid] = now_ms()
        rows.append(f"{jid} conc {int(t0)} {int(t1)} {int(done_at[jid])}")
        seen_upto += 1
    time.sleep(0.01)
    if time.perf_counter() - start > 600:
        sys.exit(f"only {len(done_at)} of {m} jobs finished in 600 s")
wall = time.perf_counter() - start
cpu_conc = (server_cpu_s() - cpu0) * 1000 / m
submitted = max(p[2] for p in pending) - min(p[1] for p in pending)
rate = m / wall
print(f"concurrent, {m} jobs from {conc} threads: {wall:.2f} s = {rate:.1f} jobs/s (all POSTs answered after {submitted / 1000:.2f} s);"
      f" server CPU {cpu_conc:.0f} ms a job, so at most {2000 / cpu_conc:.0f} jobs/s on 2 idle cores")
print(f"against the goals: p50 {p50:.0f}/60 = {p50 / 60:.2f}, p99 {p99:.0f}/150 = {p99 / 150:.2f}, rate {rate:.1f}/100 = {rate / 100:.2f} (<= 1, <= 1, >= 1 meet them)")
open(out, "w").write("\n".join(rows) + "\n")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$jar" "$here/TinyJobsCheck.java" "$bootstrap" "$tmp/jobs.tsv" 2>/dev/null
