#!/usr/bin/env bash
# Server CPU per EST enrollment as a new user measures it (issue 12 item 3): a real `rampart serve`,
# devices registered over the admin socket, then every enrollment made by a new curl process on a
# new TLS connection with an openssl-made P-256 CSR. The node's CPU time comes from /proc/PID/stat;
# curl's own CPU is not counted. Also GET /healthz on new connections, for the cost of the
# connection alone.
#
#   bench/est-curl.sh            # 300 enrollments (after 50 for warm-up), 4 at a time
#   COUNT=100 bench/est-curl.sh
#   CURL_OPTS=--http1.1 bench/est-curl.sh   # curl offers h2 by default; compare HTTP/1.1
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT=${COUNT:-300}
WARMUP=${WARMUP:-50}
PARALLEL=${PARALLEL:-4}
CURL_OPTS=${CURL_OPTS:-}
rampart="$root/bench/Rampart.Bench/bin/Release/net10.0/rampart.dll"
[ -f "$rampart" ] || { echo "build first: dotnet build bench/Rampart.Bench -c Release" >&2; exit 2; }

work="$(mktemp -d /tmp/rampart-est-curl.XXXXXX)"
node=""
cleanup() { [ -n "$node" ] && kill "$node" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet "$rampart" serve --data "$work/data" --https 127.0.0.1:0 --mqtt 127.0.0.1:0 > "$work/node.log" 2>&1 &
node=$!
for _ in $(seq 1 600); do grep -q "node ready" "$work/node.log" && break; sleep 0.1; done
url=$(grep -o 'https=https://[0-9.:]*/' "$work/node.log" | head -1 | cut -d= -f2)
[ -n "$url" ] || { cat "$work/node.log" >&2; exit 1; }
ca="$work/data/ca-root.crt.pem"

# Not measured: devices, tokens, keys and CSRs.
total=$((COUNT + WARMUP))
for i in $(seq 1 "$total"); do
  id=$(printf "curl-%05d" "$i")
  curl -s --unix-socket "$work/data/admin.sock" -H 'Content-Type: application/json' \
    -d "{\"id\":\"$id\"}" http://rampart/api/v1/devices | grep -o '"token":"[^"]*"' | cut -d'"' -f4 > "$work/$id.token"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj "/CN=$id" -outform DER 2>/dev/null \
    | base64 -w0 > "$work/$id.csr"
done

enroll() {
  local id; id=$(printf "curl-%05d" "$1")
  curl $CURL_OPTS -s -o /dev/null -w '%{http_code}\n' --cacert "$ca" -u "$id:$(cat "$work/$id.token")" \
    -H 'Content-Type: application/pkcs10' --data-binary "@$work/$id.csr" "${url}.well-known/est/simpleenroll"
}
health() { curl $CURL_OPTS -s -o /dev/null -w '%{http_code}\n' --cacert "$ca" "${url}healthz"; }
export -f enroll health; export work url ca CURL_OPTS
cpu() { awk '{print $14 + $15}' "/proc/$node/stat"; }
measure() { # name count command...
  local name=$1 count=$2; shift 2
  local before; before=$(cpu); local start; start=$(date +%s%N)
  local ok; ok=$("$@" | grep -c '^200$' || true)
  local ticks=$(( $(cpu) - before )); local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  printf '%-44s %5d ok of %5d  %6.2f ms server CPU each  (%d/s)\n' "$name" "$ok" "$count" \
    "$(echo "$ticks * 10 / $count" | bc -l)" "$(( count * 1000 / (ms > 0 ? ms : 1) ))"
}
seq 1 "$WARMUP" | xargs -P "$PARALLEL" -I{} bash -c 'enroll {}' > /dev/null
measure "GET /healthz, new curl and connection each" "$COUNT" bash -c "seq 1 $COUNT | xargs -P $PARALLEL -I{} bash -c health"
measure "enrollment, new curl and connection each" "$COUNT" bash -c "seq $((WARMUP + 1)) $total | xargs -P $PARALLEL -I{} bash -c 'enroll {}'"
