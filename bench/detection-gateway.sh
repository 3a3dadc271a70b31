#!/usr/bin/env bash
# The gateway's CPU per message with detection off and on, through real mutual TLS (issue 14:
# "detection adds <= 10 % to the gateway's CPU per message; compare with detection off, same run").
# One enrolled data directory; `rampart serve` is started with Rampart:Detection:Enabled false and
# true in alternation (ROUNDS of each, so slow drift of the machine's load hits both alike), the
# same mqtt-load fan-in (PUBLISHERS device identities -> 1 subscriber, QoS 0, 64 B) runs against
# it, and the node process's user+system CPU over the load is divided by the messages delivered.
#
#   bench/detection-gateway.sh                                # 4 publishers x 50k messages, 3 rounds each
#   PUBLISHERS=2 MESSAGES=20000 ROUNDS=2 bench/detection-gateway.sh   # quick
#   WINDOW=01:00:00 bench/detection-gateway.sh      # no window pass during the load: the per-message part alone
#   RAMPART=/path/to/other/rampart bench/detection-gateway.sh   # another build of the CLI
# Rounds start past one window (steady state); a round that delivered nothing is run again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PUBLISHERS=${PUBLISHERS:-4}
MESSAGES=${MESSAGES:-50000}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18893}
WINDOW=${WINDOW:-00:00:05}
RAMPART=${RAMPART:-./rampart}   # another build of the CLI to compare (same command line)

work="$(mktemp -d /tmp/rampart-detgw.XXXXXX)"
node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

bench=(dotnet bench/Rampart.Bench/bin/Release/net10.0/Rampart.Bench.dll)
[ -f bench/Rampart.Bench/bin/Release/net10.0/Rampart.Bench.dll ] || dotnet build bench/Rampart.Bench -c Release --nologo -v quiet -clp:ErrorsOnly >&2
"${bench[@]}" mqtt-provision --data "$work/data" --out "$work/certs" --devices "$PUBLISHERS" >&2

# The same settings as compare-mosquitto.sh: permissions, limits and the event tap on, limits above the load.
export RAMPART__GATEWAY__SERVICES__bench__CLIENTIDS='bench-*'
export RAMPART__GATEWAY__SERVICES__bench__SUBSCRIBE__0='devices/+/telemetry/#'
export RAMPART__GATEWAY__DEVICEMESSAGESPERSECOND=10000000 RAMPART__GATEWAY__DEVICEMESSAGEBURST=10000000
export RAMPART__GATEWAY__DEVICEBYTESPERSECOND=10000000000 RAMPART__GATEWAY__DEVICEBYTEBURST=10000000000
export RAMPART__DETECTION__WINDOW="$WINDOW"
ticks_per_second=$(getconf CLK_TCK)
window_seconds=$(awk -F: '{print ($1 * 3600) + ($2 * 60) + int($3)}' <<<"$WINDOW")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start() { # enabled
  RAMPART__DETECTION__ENABLED=$1 "$RAMPART" serve --data "$work/data" --https 127.0.0.1:0 --mqtt "127.0.0.1:$PORT" >"$work/node.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 240); do grep -q "node ready" "$work/node.log" && return 0; sleep 0.5; done
  echo "detection-gateway: the node did not start"; cat "$work/node.log"; exit 1
}
stop() { kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""; }
round() { # enabled -> "µs-per-message msgs/s"
  start "$1"
  "${bench[@]}" mqtt-load --port "$PORT" --certs "$work/certs" --publishers "$PUBLISHERS" --messages 5000 >/dev/null 2>&1 || true   # warm-up (JIT)
  # Steady state: past one window, so the first window pass (and its one-time JIT) is not billed to the
  # measured messages; both modes wait alike. The node's CPU is read only around the measured load.
  [ "$window_seconds" -le 30 ] && sleep $((window_seconds + 1))
  local before after
  before=$(cpu_ticks "$node_pid")
  "${bench[@]}" mqtt-load --label "detection=$1" --port "$PORT" --certs "$work/certs" --publishers "$PUBLISHERS" --messages "$MESSAGES" >"$work/load.log" 2>&1 || true
  after=$(cpu_ticks "$node_pid")
  stop
  local received rate
  received=$(awk '/^RESULT/ {print $6}' "$work/load.log"); rate=$(awk '/^RESULT/ {print $5}' "$work/load.log")
  # A round that delivered nothing (the load could not connect, say) measures nothing: it is run again, never counted.
  if [ -z "$received" ] || [ "$received" = 0 ]; then
    echo "detection-gateway: a round with detection=$1 delivered nothing; running it again:" >&2; tail -3 "$work/load.log" >&2
    echo fail; return
  fi
  awk -v t=$((after - before)) -v hz="$ticks_per_second" -v n="$received" -v r="$rate" 'BEGIN { printf "%.2f %s\n", t / hz * 1e6 / n, r }'
}

off=(); on=()
for i in $(seq 1 "$ROUNDS"); do
  for enabled in false true; do
    for _ in 1 2 3; do result=$(round "$enabled"); [ "$result" != fail ] && break; done
    [ "$result" = fail ] && { echo "detection-gateway: detection=$enabled failed three times"; exit 1; }
    if [ "$enabled" = false ]; then off+=("$result"); else on+=("$result"); fi
  done
  echo "detection-gateway: round $i: off ${off[-1]}  on ${on[-1]}  (µs CPU per message, msgs/s)" >&2
done
median() { printf '%s\n' "$@" | awk '{print $1}' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_off=$(median "${off[@]}"); m_on=$(median "${on[@]}")
awk -v a="$m_off" -v b="$m_on" -v p="$PUBLISHERS" -v m="$MESSAGES" -v r="$ROUNDS" -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
  printf "detection-gateway: %d publishers x %d messages, QoS 0 64 B over mTLS, %d rounds each, load average %s\n", p, m, r, l
  printf "  node CPU per delivered message: detection off %.2f µs, on %.2f µs (median): %+.1f %%\n", a, b, (b - a) / a * 100 }'
echo "  rounds (µs per message): off $(printf '%s ' "${off[@]}" | awk '{for (i = 1; i <= NF; i += 2) printf "%s ", $i}')| on $(printf '%s ' "${on[@]}" | awk '{for (i = 1; i <= NF; i += 2) printf "%s ", $i}')"
