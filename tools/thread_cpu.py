#!/usr/bin/env python3
"""CPU time of a running JVM (say `meshpipe up` under tools/bench_tiny.sh) by component, over a window.

    python3 tools/thread_cpu.py PID SECONDS

Reads every thread's user + system time from /proc/PID/task/*/stat before and after the window
and sums the difference by thread name (Linux keeps the first 15 characters), then by component:
which part of the stack a thread belongs to is known from its name. Threads born during the
window count from zero; threads that died in it are missed (short-lived ones are rare here).
"""
import collections
import os
import re
import sys
import time

# First match wins; the names are those the JVM, Kafka, Jetty and meshpipe give their threads.
COMPONENTS = [
    (r"^C[12] CompilerThre|^Sweeper", "JIT compilers"),
    (r"^GC Thread|^G1 |^VM Thread|^VM Periodic|^Service Thread|^Monitor Deflati", "GC and VM"),
    (r"^data-plane-kafk", "broker: network and request handlers"),
    (r"^group-coordinat|^TxnMarkerSender|^AddPartitionsTo|^transaction-log|^ExpirationReape", "broker: group and transaction coordinators"),
    (r"^kafka-1-|^quorum-controll|^controller-|^broker-|^kafka-scheduler|^raft-|^share-|^executor-|^metrics-meter|^client-metrics|^kafka-1-metadat", "broker: KRaft, scheduler and the rest"),
    (r"^processor-", "processor worker (meshing, preview, its Kafka client)"),
    (r"^packager", "packager worker (ZIP, its Kafka client)"),
    (r"^meshpipe-ingest", "ingest Kafka Streams"),
    (r"^meshpipe-gatewa", "gateway status fold (Kafka Streams)"),
    (r"^kafka-producer-", "producers' sender threads"),
    (r"^kafka-coordinat", "consumers' heartbeat threads"),
    (r"^JettyServerThre|^Scheduler-|^qtp", "HTTP (Jetty)"),
    (r"^meshpipe-callba|^HttpClient", "callbacks"),
]


def ticks_by_thread(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
            name = open(f"/proc/{pid}/task/{tid}/comm").read().rstrip("\n")
        except OSError:
            continue  # ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        out[tid] = (int(fields[11]) + int(fields[12]), name)
    return out


def component(name):
    for pattern, label in COMPONENTS:
        if re.search(pattern, name):
            return label
    return "other"


def main():
    pid, seconds = sys.argv[1], float(sys.argv[2])
    hz = os.sysconf("SC_CLK_TCK")
    before = ticks_by_thread(pid)
    time.sleep(seconds)
    after = ticks_by_thread(pid)
    by_name, by_part = collections.Counter(), collections.Counter()
    for tid, (t, name) in after.items():
        d = t - before.get(tid, (0, name))[0]
        if d > 0:
            by_name[name] += d
            by_part[component(name)] += d
    total = sum(by_part.values()) or 1
    print(f"{total * 1000 / hz:.0f} ms of CPU in {seconds:.0f} s ({total / hz / seconds:.2f} cores)")
    for label, d in by_part.most_common():
        print(f"  {100 * d / total:5.1f}%  {d * 1000 / hz:8.0f} ms  {label}")
    print("by thread name:")
    for name, d in by_name.most_common(15):
        print(f"  {100 * d / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
