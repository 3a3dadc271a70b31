#!/usr/bin/env bash
# Rampart's MQTT gateway next to mosquitto 2.0 on loopback, driven by the same C# load generator
# with the same mutual-TLS identities (enrolled through Rampart's CA) and equivalent per-client ACLs.
# Prints msgs/s for QoS 0 64 B, QoS 0 1 KiB and QoS 1 64 B fan-in, RSS per idle mTLS connection and
# server CPU per handshake, with the ratios. Installs mosquitto if missing. Every load is bounded.
#
#   bench/compare-mosquitto.sh                 # full run: 8 publishers x 100k messages, 10k idle connections
#   PUBLISHERS=4 MESSAGES=20000 IDLE=1000 bench/compare-mosquitto.sh   # quick run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PUBLISHERS=${PUBLISHERS:-8}
MESSAGES=${MESSAGES:-100000}
IDLE=${IDLE:-10000}
RAMPART_PORT=${RAMPART_PORT:-18883}
MOSQUITTO_PORT=${MOSQUITTO_PORT:-18884}

if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  echo "compare: installing mosquitto" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq mosquitto >/dev/null
fi
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # as many descriptors as allowed; 10k idle connections need >10k

work="$(mktemp -d /tmp/rampart-compare.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "compare: building" >&2
dotnet build bench/Rampart.Bench -c Release --nologo -v quiet -clp:ErrorsOnly >&2
bench=(dotnet bench/Rampart.Bench/bin/Release/net10.0/Rampart.Bench.dll)
./rampart --version >/dev/null

echo "compare: enrolling $IDLE device identities and the subscriber's service identity" >&2
"${bench[@]}" mqtt-provision --data "$work/data" --out "$work/certs" --devices "$IDLE" >&2

# Rampart: permissions, limits and the event tap all on; the device limits are raised above what
# one load publisher sends so they are checked on every message without refusing any.
export RAMPART__GATEWAY__SERVICES__bench__CLIENTIDS='bench-*'
export RAMPART__GATEWAY__SERVICES__bench__SUBSCRIBE__0='devices/+/telemetry/#'
export RAMPART__GATEWAY__DEVICEMESSAGESPERSECOND=10000000 RAMPART__GATEWAY__DEVICEMESSAGEBURST=10000000
export RAMPART__GATEWAY__DEVICEBYTESPERSECOND=10000000000 RAMPART__GATEWAY__DEVICEBYTEBURST=10000000000
export RAMPART__GATEWAY__MAXUNAUTHENTICATEDPERSOURCE=1000
./rampart serve --data "$work/data" --https 127.0.0.1:0 --mqtt "127.0.0.1:$RAMPART_PORT" >"$work/rampart.log" 2>&1 &
rampart_pid=$!; pids+=("$rampart_pid")
for _ in $(seq 1 120); do grep -q "node ready" "$work/rampart.log" && break; sleep 0.5; done
grep -q "node ready" "$work/rampart.log" || { echo "compare: Rampart did not start"; cat "$work/rampart.log"; exit 1; }
# mosquitto started as root drops to its own user: it gets its own readable copies.
mq="$work/mosquitto"; mkdir -p "$mq"
cp "$work/data/tls-server.crt.pem" "$mq/server.crt"
cp "$work/data/keys/tls-server.key.pem" "$mq/server.key"
cp "$work/certs/ca.pem" "$mq/ca.pem"

# mosquitto: the same CA, server certificate and client identities; the certificate's CN is the
# user name, and the ACL gives each device only its own subtree, as Rampart's device template does.
cat >"$mq/acl" <<ACL
pattern write devices/%u/telemetry/#
pattern write devices/%u/events/#
pattern write devices/%u/state
pattern read devices/%u/commands/#
pattern read devices/%u/config
user bench
topic read devices/+/telemetry/#
ACL
cat >"$work/mosquitto.conf" <<CONF
per_listener_settings false
persistence false
log_dest stderr
log_type error
log_type warning
allow_anonymous false
acl_file $mq/acl
max_queued_messages 1000
listener $MOSQUITTO_PORT 127.0.0.1
cafile $mq/ca.pem
certfile $mq/server.crt
keyfile $mq/server.key
require_certificate true
use_identity_as_username true
tls_version tlsv1.2
CONF
if [ "$(id -u)" -eq 0 ] && id mosquitto >/dev/null 2>&1; then chmod 711 "$work"; chown -R mosquitto "$mq"; fi
"$mosquitto_bin" -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
mosquitto_pid=$!; pids+=("$mosquitto_pid")
sleep 1
kill -0 "$mosquitto_pid" 2>/dev/null || { echo "compare: mosquitto did not start"; cat "$work/mosquitto.log"; exit 1; }

load() { # broker port qos payload
  "${bench[@]}" mqtt-load --label "$1" --port "$2" --certs "$work/certs" --publishers "$PUBLISHERS" --messages "$MESSAGES" --qos "$3" --payload "$4" \
    >"$work/load.log" 2>&1 || true
  grep -v '^RESULT' "$work/load.log" >&2
  awk '/^RESULT/ {print $5}' "$work/load.log"
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Warm-up (not reported): the JIT compiles Rampart's hot path on first use; mosquitto gets the same round.
load mosquitto "$MOSQUITTO_PORT" 0 64 >/dev/null 2>&1 || true
load rampart "$RAMPART_PORT" 0 64 >/dev/null 2>&1 || true

declare -A results
for scenario in "0 64" "0 1024" "1 64"; do
  set -- $scenario
  results["mosquitto $1 $2"]=$(load mosquitto "$MOSQUITTO_PORT" "$1" "$2")
  results["rampart $1 $2"]=$(load rampart "$RAMPART_PORT" "$1" "$2")
done

idle() { # name pid port
  local before_rss before_cpu after_rss after_cpu log="$work/idle-$1.log"
  before_rss=$(rss_kib "$2"); before_cpu=$(cpu_ticks "$2")
  "${bench[@]}" mqtt-idle --port "$3" --certs "$work/certs" --connections "$IDLE" --hold 20 >"$log" 2>&1 &
  local generator=$!
  for _ in $(seq 1 600); do grep -q "holding" "$log" && break; sleep 0.5; done
  after_cpu=$(cpu_ticks "$2")
  sleep 5
  after_rss=$(rss_kib "$2")
  cat "$log" >&2
  wait "$generator" || true
  local connected; connected=$(grep -Eo 'connected [0-9]+' "$log" | awk '{print $2}')
  local hz; hz=$(getconf CLK_TCK)
  echo "$(( (after_rss - before_rss) / (connected > 0 ? connected : 1) )) $(awk -v t=$((after_cpu - before_cpu)) -v n="$connected" -v hz="$hz" 'BEGIN {printf "%.2f", 1000 * t / hz / (n > 0 ? n : 1)}') $connected"
}
read -r m_rss m_cpu m_n < <(idle mosquitto "$mosquitto_pid" "$MOSQUITTO_PORT")
rampart_dotnet=$(pgrep -P "$rampart_pid" dotnet || echo "$rampart_pid")
read -r r_rss r_cpu r_n < <(idle rampart "$rampart_dotnet" "$RAMPART_PORT")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "== Rampart vs mosquitto $("$mosquitto_bin" -h 2>/dev/null | head -1 | awk '{print $3}') — loopback, mutual TLS, $PUBLISHERS publishers -> 1 subscriber, $MESSAGES messages each =="
printf "%-22s %14s %14s %8s\n" "scenario" "mosquitto" "rampart" "ratio"
for scenario in "0 64" "0 1024" "1 64"; do
  set -- $scenario
  printf "%-22s %14s %14s %8s\n" "QoS $1, $2 B (msgs/s)" "${results["mosquitto $1 $2"]}" "${results["rampart $1 $2"]}" "$(ratio "${results["rampart $1 $2"]}" "${results["mosquitto $1 $2"]}")"
done
printf "%-22s %14s %14s %8s\n" "RSS/idle conn (KiB)" "$m_rss" "$r_rss" "$(ratio "$r_rss" "$m_rss")"
printf "%-22s %14s %14s %8s\n" "CPU/handshake (ms)" "$m_cpu" "$r_cpu" "$(ratio "$r_cpu" "$m_cpu")"
echo "(idle connections held: mosquitto $m_n, rampart $r_n of $IDLE)"
