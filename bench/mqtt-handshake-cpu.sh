#!/usr/bin/env bash
# Server CPU per MQTT mutual-TLS handshake (issue 12, item 4): `openssl s_time -new` (a full handshake
# per connection, no resumption) against a fresh node, node CPU from /proc/PID/stat (utime + stime)
# divided by the handshakes s_time completed. Three rounds on the same node: the OpenSSL adapter with
# the verified-certificate cache (a known device: its certificate verified once before), the same with
# the cache off (VerifiedCertificateCacheSize=0: every handshake a first contact), and SslStream.
# Then real clients: mqtt-idle (SslStream client, handshake + CONNECT + CONNACK) with N devices twice,
# the second round reconnecting known devices.
#
#   bench/mqtt-handshake-cpu.sh                       # 20 s of s_time per round, 500 real clients
#   SECONDS_PER_ROUND=10 CLIENTS=200 KEEP=/tmp/fleet bench/mqtt-handshake-cpu.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ROUND=${SECONDS_PER_ROUND:-20}
CLIENTS=${CLIENTS:-500}
PORT=${PORT:-18895}
work="${KEEP:-$(mktemp -d /tmp/rampart-handshake.XXXXXX)}"
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
provisioned=$(cat "$work/provisioned" 2>/dev/null || echo 0)
if [ "$provisioned" -lt "$CLIENTS" ]; then
  rm -rf "$work/data" "$work/certs"
  "${bench[@]}" mqtt-provision --data "$work/data" --out "$work/certs" --devices "$CLIENTS" >&2
  echo "$CLIENTS" >"$work/provisioned"
fi
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_node() { # implementation cache-size
  export RAMPART__GATEWAY__MAXUNAUTHENTICATEDPERSOURCE=1000 RAMPART__GATEWAY__DEVICECONNECTBURST=1000000 RAMPART__GATEWAY__DEVICECONNECTSPERMINUTE=1000000
  export RAMPART__GATEWAY__TLS__IMPLEMENTATION="$1" RAMPART__GATEWAY__TLS__VERIFIEDCERTIFICATECACHESIZE="$2"
  ./rampart serve --data "$work/data" --https 127.0.0.1:0 --mqtt "127.0.0.1:$PORT" >"$work/rampart-$1-$2.log" 2>&1 &
  node_pid=$!; pids+=("$node_pid")
  for _ in $(seq 1 240); do grep -q "node ready" "$work/rampart-$1-$2.log" && break; sleep 0.5; done
  node=$(pgrep -P "$node_pid" dotnet || echo "$node_pid")
}
stop_node() { kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; }

s_time() { # label
  local before after out n
  # Warm-up: the JIT, and (with the cache) the device's first contact.
  openssl s_time -connect "127.0.0.1:$PORT" -new -time 2 -cert "$work/certs/load-00000.crt" -key "$work/certs/load-00000.key" -CAfile "$work/certs/root.pem" >/dev/null 2>&1 || true
  before=$(ticks "$node")
  out=$(openssl s_time -connect "127.0.0.1:$PORT" -new -time "$ROUND" -cert "$work/certs/load-00000.crt" -key "$work/certs/load-00000.key" -CAfile "$work/certs/root.pem" 2>&1 || true)
  after=$(ticks "$node")
  n=$(echo "$out" | awk '/connections in/ && /real/ {print $1; exit}')
  echo "$1: $n handshakes, $(awk -v t=$((after - before)) -v n="${n:-0}" -v hz="$hz" 'BEGIN { if (n > 0) printf "%.2f", 1000 * t / hz / n; else print "n/a" }') ms server CPU each (load $(uptime | sed 's/.*load average: //'))"
}

real_clients() { # label
  local before after out
  before=$(ticks "$node")
  out=$("${bench[@]}" mqtt-idle --port "$PORT" --certs "$work/certs" --connections "$CLIENTS" --concurrency 8 --hold 0 2>&1 || true)
  after=$(ticks "$node")
  n=$(echo "$out" | grep -Eo 'connected [0-9]+' | awk '{print $2}')
  echo "$1: $n clients (handshake + CONNECT), $(awk -v t=$((after - before)) -v n="${n:-0}" -v hz="$hz" 'BEGIN { if (n > 0) printf "%.2f", 1000 * t / hz / n; else print "n/a" }') ms server CPU each (load $(uptime | sed 's/.*load average: //'))"
}

run_node OpenSsl 100000
s_time "s_time -new, OpenSSL adapter, known device (cache on)"
real_clients "real clients, OpenSSL adapter, first contact"
real_clients "real clients, OpenSSL adapter, known devices"
stop_node
run_node OpenSsl 0
s_time "s_time -new, OpenSSL adapter, cache off (first contact every time)"
stop_node
run_node SslStream 0
s_time "s_time -new, SslStream"
real_clients "real clients, SslStream"
stop_node
