#!/usr/bin/env bash
# Gateway throughput next to nginx on this machine, in one run (Debian packages wrk, nginx-light):
# status lookups per second, and download throughput of a ~100 MB result. nginx serves the same
# status JSON and the same ZIP file from disk. Prints both figures and the ratio gateway/nginx.
#
#   tools/bench_gateway.sh [seconds-per-run]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
secs="${1:-10}"
tmp="$(mktemp -d)"
gw_port=18181
nginx_port=18182
cleanup() { [ -n "${gw_pid:-}" ] && kill "$gw_pid" 2>/dev/null; [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$root/meshpipe" --version >/dev/null
"$root/meshpipe" up --port $gw_port --data "$tmp/data" > "$tmp/up.log" 2>&1 &
gw_pid=$!
for _ in $(seq 1 120); do curl -sf "localhost:$gw_port/health/ready" >/dev/null && break; sleep 0.5; done

submit() { curl -sf -X POST -H 'Content-Type: application/json' -d "{\"input\":{\"synthetic\":\"$1\"}}" "localhost:$gw_port/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
wait_done() { for _ in $(seq 1 600); do s=$(curl -sf "localhost:$gw_port/jobs/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'); [ "$s" = SUCCEEDED ] && return 0; sleep 0.5; done; return 1; }

small=$(submit sphere:32:12)
# A real result of about 100 MB: a 512^3 sphere of radius 250 in all four formats.
big=$(submit sphere:512:250)
wait_done "$small"; wait_done "$big"
size=$(curl -sfI "localhost:$gw_port/jobs/$big/download" | awk 'tolower($1)=="content-length:" {print $2}' | tr -d '\r')

mkdir -p "$tmp/www/jobs/$small" "$tmp/www/jobs/$big"
curl -sf "localhost:$gw_port/jobs/$small" > "$tmp/www/jobs/$small/index.json"
cp "$tmp/data/objects/results/$big.zip" "$tmp/www/jobs/$big/download.zip"
cat > "$tmp/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
    location = /jobs/$small { default_type application/json; try_files /jobs/$small/index.json =404; }
    location = /jobs/$big/download { default_type application/zip; try_files /jobs/$big/download.zip =404; }
  }
}
CONF
chmod 755 "$tmp"; chmod -R a+rX "$tmp/www"   # nginx workers run as www-data
nginx -c "$tmp/nginx.conf" -p "$tmp"

for url in "http://127.0.0.1:$gw_port/jobs/$small" "http://127.0.0.1:$nginx_port/jobs/$small" \
           "http://127.0.0.1:$gw_port/jobs/$big/download" "http://127.0.0.1:$nginx_port/jobs/$big/download"; do
  got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$url")
  echo "check: $url -> $got"
  case "$got" in 200\ *) ;; *) echo "unexpected answer; not measuring" >&2; exit 1 ;; esac
done
rps() { wrk -t2 -c"$2" -d"${secs}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
# Warm-up before measuring: a gateway is a long-running server, so its figures are the JIT's
# steady state (with 10 s of warm-up the empty route below still ran about 30% slower).
wrk -t2 -c32 -d"${MESHPIPE_BENCH_WARMUP:-30}s" "http://127.0.0.1:$gw_port/jobs/$small" >/dev/null
wrk -t2 -c32 -d10s "http://127.0.0.1:$gw_port/health/live" >/dev/null
wrk -t1 -c1 -d3s "http://127.0.0.1:$gw_port/jobs/$big/download" >/dev/null
# The ceiling of the HTTP stack itself: an empty route.
gw_live=$(rps "http://127.0.0.1:$gw_port/health/live" 32)
gw_status=$(rps "http://127.0.0.1:$gw_port/jobs/$small" 32)
ng_status=$(rps "http://127.0.0.1:$nginx_port/jobs/$small" 32)
gw_dl=$(rps "http://127.0.0.1:$gw_port/jobs/$big/download" 4)
ng_dl=$(rps "http://127.0.0.1:$nginx_port/jobs/$big/download" 4)
python3 - "$gw_status" "$ng_status" "$gw_dl" "$ng_dl" "$size" "$gw_live" <<'PY'
import sys
gs, ns, gd, nd, size, live = (float(x) for x in sys.argv[1:])
print(f"empty route (/health/live) on the gateway: {live:,.0f}/s, ratio to nginx's status {live/ns:.2f}")
mb = size / 1e6
print(f"status lookups/s: gateway {gs:,.0f}  nginx {ns:,.0f}  ratio {gs/ns:.2f}")
print(f"download of {mb:.1f} MB: gateway {gd*mb:,.0f} MB/s  nginx {nd*mb:,.0f} MB/s  ratio {gd/nd:.2f}")
PY
