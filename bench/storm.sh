#!/usr/bin/env bash
# Connection storm (issue 12 item 6): DEVICES enrolled devices, run by the device SDK's own client in
# PROCS generator processes (a process may hold 20,000 descriptors here), connect to one
# `rampart serve`; then the node is restarted under them (SIGTERM, start again on the same data) and
# every device reconnects at once with the SDK's jittered backoff. Prints the time from the restart
# until every device is back, the "server busy" refusals (MaxPendingConnects), the new node's peak
# memory (VmHWM) and its CPU per reconnect. Bounded: DEADLINE seconds per phase.
#
#   bench/storm.sh                       # 18,000 devices in 3 processes
#   DEVICES=2000 PROCS=2 bench/storm.sh  # quick run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
DEVICES=${DEVICES:-18000}
PROCS=${PROCS:-3}
DEADLINE=${DEADLINE:-1500}
PORT=${PORT:-18893}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work="$(mktemp -d /tmp/rampart-storm.XXXXXX)"
pids=()
node_pid=""
cleanup() {
  for pid in "${pids[@]}" $node_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build bench/Rampart.Bench -c Release --nologo -v quiet -clp:ErrorsOnly >&2
bench=(dotnet bench/Rampart.Bench/bin/Release/net10.0/Rampart.Bench.dll)
./rampart --version >/dev/null
echo "storm: enrolling $DEVICES devices" >&2
"${bench[@]}" mqtt-provision --data "$work/data" --out "$work/certs" --devices "$DEVICES" >&2

# Many devices share one loopback source address here; in the field each has its own.
export RAMPART__GATEWAY__MAXUNAUTHENTICATEDPERSOURCE=100000
start_node() {
  ./rampart serve --data "$work/data" --https 127.0.0.1:0 --mqtt "127.0.0.1:$PORT" >"$work/node-$1.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 240); do grep -q "node ready" "$work/node-$1.log" && break; sleep 0.5; done
  grep -q "node ready" "$work/node-$1.log" || { echo "storm: the node did not start"; cat "$work/node-$1.log"; exit 1; }
  dotnet_pid=$(pgrep -P "$node_pid" dotnet || echo "$node_pid")
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
all_say() { # phase
  local n; n=$(cat "$work"/gen-*.log 2>/dev/null | grep -c "^STORM $1" || true); [ "$n" -ge "$PROCS" ]
}

start_node 1
per=$(( (DEVICES + PROCS - 1) / PROCS ))
for i in $(seq 0 $((PROCS - 1))); do
  from=$((i * per)); count=$per; [ $((from + count)) -gt "$DEVICES" ] && count=$((DEVICES - from))
  "${bench[@]}" mqtt-storm --port "$PORT" --certs "$work/certs" --from "$from" --count "$count" \
    --local "127.0.0.$((i + 2))" --deadline "$DEADLINE" >"$work/gen-$i.log" 2>&1 &
  pids+=($!)
done
s=$(date +%s%N)
until all_say connected || all_say deadline; do sleep 0.5; [ $(( ($(date +%s%N) - s) / 1000000000 )) -lt "$DEADLINE" ] || break; done
first_ms=$(( ($(date +%s%N) - s) / 1000000 ))
grep -h "^STORM" "$work"/gen-*.log >&2
all_say connected || { echo "storm: the fleet did not come up"; exit 1; }
rss_before=$(status_kib "$dotnet_pid" VmRSS)
echo "storm: $DEVICES devices up in $((first_ms / 1000)) s; node RSS $((rss_before / 1024)) MiB; restarting the node" >&2

# The restart: every device loses its link at once and comes back with the SDK's backoff.
kill -TERM "$node_pid"; wait "$node_pid" 2>/dev/null || true
restart=$(date +%s%N)
start_node 2
cpu0=$(cpu_ticks "$dotnet_pid")
peak=0
until all_say reconnected || all_say deadline; do
  hwm=$(status_kib "$dotnet_pid" VmHWM); [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
  sleep 0.5
  [ $(( ($(date +%s%N) - restart) / 1000000000 )) -lt "$DEADLINE" ] || break
done
back_ms=$(( ($(date +%s%N) - restart) / 1000000 ))
cpu1=$(cpu_ticks "$dotnet_pid")
hwm=$(status_kib "$dotnet_pid" VmHWM); [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
rss_after=$(status_kib "$dotnet_pid" VmRSS)
grep -h "^STORM" "$work"/gen-*.log >&2
busy=$(grep -h "^STORM reconnected" "$work"/gen-*.log | grep -Eo 'busy refusals so far [0-9]+' | awk '{s+=$5} END {print s+0}')
hz=$(getconf CLK_TCK)
echo
echo "== connection storm: $DEVICES devices (SDK clients in $PROCS processes), node restarted under them (load average $(cut -d' ' -f1-3 /proc/loadavg)) =="
all_say reconnected || echo "NOT ALL BACK within $DEADLINE s"
echo "restart to every device back (node start included): $(awk -v m="$back_ms" 'BEGIN {printf "%.1f", m / 1000}') s"
echo "busy refusals (0x89, retried by the SDK with jitter): $busy"
echo "new node: peak RSS $((peak / 1024)) MiB, RSS when all back $((rss_after / 1024)) MiB (first node with the fleet: $((rss_before / 1024)) MiB)"
echo "new node CPU per reconnect (TLS handshake + CONNECT + session): $(awk -v t=$((cpu1 - cpu0)) -v n="$DEVICES" -v hz="$hz" 'BEGIN {printf "%.2f", 1000 * t / hz / n}') ms"
