#!/usr/bin/env bash
# Memory per idle mutual-TLS MQTT connection, and where it goes (issue 12, item 2): a fresh node,
# N idle devices spread over generator processes of at most PER_PROCESS connections each (a process
# may hold 20,000 descriptors here) and over source addresses 127.0.1.1, 127.0.1.2, ...; then the
# node's RSS and anonymous memory (/proc/PID/status, smaps_rollup) and its live managed heap after a
# forced full GC (dotnet-gcdump), before and after. Managed per connection = live heap delta / N;
# the rest of the RSS delta is native (OpenSSL, sockets, malloc) plus GC heap not yet returned.
#
#   bench/mqtt-idle-memory.sh                                   # 10,000 connections, OpenSSL adapter
#   CONNECTIONS=18000 TLS=SslStream bench/mqtt-idle-memory.sh   # the fallback, at 18,000
#   KEEP=/tmp/idle-fleet bench/mqtt-idle-memory.sh              # reuse (or create) a provisioned fleet there
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CONNECTIONS=${CONNECTIONS:-10000}
PER_PROCESS=${PER_PROCESS:-6000}
TLS=${TLS:-OpenSsl}
PORT=${PORT:-18893}
HOLD=${HOLD:-120}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work="${KEEP:-$(mktemp -d /tmp/rampart-idle.XXXXXX)}"
mkdir -p "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

dotnet build bench/Rampart.Bench -c Release --nologo -v quiet -clp:ErrorsOnly >&2
bench=(dotnet bench/Rampart.Bench/bin/Release/net10.0/Rampart.Bench.dll)
./rampart --version >/dev/null
gcdump=$(command -v dotnet-gcdump || echo "$HOME/.dotnet/tools/dotnet-gcdump")

provisioned=$(cat "$work/provisioned" 2>/dev/null || echo 0)
if [ "$provisioned" -lt "$CONNECTIONS" ]; then
  rm -rf "$work/data" "$work/certs"
  echo "idle: enrolling $CONNECTIONS devices" >&2
  "${bench[@]}" mqtt-provision --data "$work/data" --out "$work/certs" --devices "$CONNECTIONS" >&2
  echo "$CONNECTIONS" >"$work/provisioned"
fi

export RAMPART__GATEWAY__MAXUNAUTHENTICATEDPERSOURCE=1000
export RAMPART__GATEWAY__TLS__IMPLEMENTATION="$TLS"
./rampart serve --data "$work/data" --https 127.0.0.1:0 --mqtt "127.0.0.1:$PORT" >"$work/rampart.log" 2>&1 &
rampart_pid=$!; pids+=("$rampart_pid")
for _ in $(seq 1 240); do grep -q "node ready" "$work/rampart.log" && break; sleep 0.5; done
grep -q "node ready" "$work/rampart.log" || { echo "idle: Rampart did not start"; cat "$work/rampart.log"; exit 1; }
node=$(pgrep -P "$rampart_pid" dotnet || echo "$rampart_pid")

rss() { awk '/VmRSS/ {print $2}' "/proc/$node/status"; }
anon() { awk '/^Anonymous/ {print $2}' "/proc/$node/smaps_rollup"; }
heap() { # live managed bytes after the full GC dotnet-gcdump forces
  local file="$work/heap-$1.gcdump"
  "$gcdump" collect -p "$node" -o "$file" >/dev/null 2>&1 || { echo 0; return; }
  "$gcdump" report "$file" 2>/dev/null | awk '/GC Heap bytes/ {gsub(/,/, "", $1); print $1; exit}' | grep -E '^[0-9]+$' || echo 0
}

# A short warm-up (JIT, pools, the first handshakes), so the deltas are per connection.
"${bench[@]}" mqtt-idle --port "$PORT" --certs "$work/certs" --connections 50 --hold 1 >/dev/null 2>&1 || true
sleep 2
heap_before=$(heap before); rss_before=$(rss); anon_before=$(anon)

generators=(); logs=(); first=0; index=1
while [ "$first" -lt "$CONNECTIONS" ]; do
  count=$(( CONNECTIONS - first < PER_PROCESS ? CONNECTIONS - first : PER_PROCESS ))
  log="$work/idle-$index.log"
  "${bench[@]}" mqtt-idle --port "$PORT" --certs "$work/certs" --connections "$count" --first "$first" --bind "127.0.1.$index" --hold "$HOLD" >"$log" 2>&1 &
  generators+=($!); pids+=($!); logs+=("$log")
  first=$(( first + count )); index=$(( index + 1 ))
done
for log in "${logs[@]}"; do
  for _ in $(seq 1 1800); do grep -q "holding" "$log" && break; sleep 0.5; done
done
sleep 5
rss_after=$(rss); anon_after=$(anon)
heap_after=$(heap after)
rss_after_gc=$(rss)
connected=0
for log in "${logs[@]}"; do
  cat "$log" >&2
  n=$(grep -Eo 'connected [0-9]+' "$log" | awk '{print $2}'); connected=$(( connected + ${n:-0} ))
done
"$gcdump" report "$work/heap-after.gcdump" 2>/dev/null | head -25 >&2 || true

per() { awk -v a="$1" -v b="$2" -v n="$connected" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "n/a" }'; }
echo "== idle mutual-TLS connections: $connected of $CONNECTIONS held, TLS=$TLS, load $(uptime | sed 's/.*load average: //') =="
echo "RSS per connection (KiB):            $(per "$rss_before" "$rss_after")"
echo "RSS per connection after GC (KiB):   $(per "$rss_before" "$rss_after_gc")"
echo "anonymous memory per connection (KiB): $(per "$anon_before" "$anon_after")"
echo "live managed heap per connection (KiB): $(awk -v a="$heap_before" -v b="$heap_after" -v n="$connected" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / 1024 / n; else print "n/a" }')"
echo "RESULT $TLS $connected $(per "$rss_before" "$rss_after") $(per "$rss_before" "$rss_after_gc") $(awk -v a="$heap_before" -v b="$heap_after" -v n="$connected" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / 1024 / n; else print 0 }')"
for pid in "${generators[@]}"; do kill "$pid" 2>/dev/null || true; done
