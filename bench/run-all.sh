#!/usr/bin/env bash
# The headline figures of docs/benchmarks.md from a fresh start, in one table: MQTT throughput (QoS 0
# 64 B and 1 KiB, QoS 1) and RSS per idle mTLS connection and server CPU per MQTT handshake, each next
# to mosquitto (bench/compare-mosquitto.sh); server CPU per HTTPS handshake and per enrollment
# (est-cpu); the broker core alone (mqtt-broker); bytes allocated per PUBLISH encode and decode
# (mqtt-codec); revocation latency to a live session (mqtt-revoke); then issue 12's own scripts: memory
# per idle connection on the OpenSSL adapter with its managed share (mqtt-idle-memory.sh), server CPU
# per MQTT handshake for a known and an unknown device (mqtt-handshake-cpu.sh), and a connection storm
# after a node restart (storm.sh). Every node, broker and client runs
# on loopback in a temporary directory that is removed at the end; every load is bounded by counts.
#
#   bench/run-all.sh              # the documented sizes (tens of minutes on 2 cores)
#   QUICK=1 bench/run-all.sh      # small counts: a few minutes, for checking that it all runs
#
# Individual sizes can be set as for compare-mosquitto.sh (PUBLISHERS, MESSAGES, IDLE) and with
# EST_DEVICES, EST_HANDSHAKES, CODEC_PACKETS, BROKER_MESSAGES, REVOKE_DEVICES, IDLE_CONNECTIONS,
# HANDSHAKE_SECONDS, HANDSHAKE_CLIENTS, STORM_DEVICES and STORM_PROCS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "${QUICK:-0}" = 1 ]; then
  defaults=(2 5000 500 300 200 200000 50000 5 500 5 100 300 1)
else
  defaults=(8 100000 10000 3000 1500 2000000 300000 20 10000 20 500 18000 3)
fi
export PUBLISHERS=${PUBLISHERS:-${defaults[0]}} MESSAGES=${MESSAGES:-${defaults[1]}} IDLE=${IDLE:-${defaults[2]}}
EST_DEVICES=${EST_DEVICES:-${defaults[3]}}
EST_HANDSHAKES=${EST_HANDSHAKES:-${defaults[4]}}
CODEC_PACKETS=${CODEC_PACKETS:-${defaults[5]}}
BROKER_MESSAGES=${BROKER_MESSAGES:-${defaults[6]}}
REVOKE_DEVICES=${REVOKE_DEVICES:-${defaults[7]}}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-${defaults[8]}}
HANDSHAKE_SECONDS=${HANDSHAKE_SECONDS:-${defaults[9]}}
HANDSHAKE_CLIENTS=${HANDSHAKE_CLIENTS:-${defaults[10]}}
STORM_DEVICES=${STORM_DEVICES:-${defaults[11]}}
STORM_PROCS=${STORM_PROCS:-${defaults[12]}}

work="$(mktemp -d /tmp/rampart-run-all.XXXXXX)"
trap 'rm -rf "$work"' EXIT
step() { echo "run-all: $*" >&2; }

step "building the bench and the CLI"
dotnet build bench/Rampart.Bench -c Release --nologo -v quiet -clp:ErrorsOnly >&2
./rampart --version >/dev/null
bench=(dotnet bench/Rampart.Bench/bin/Release/net10.0/Rampart.Bench.dll)

# Each step's full output goes to stderr as it runs (and to a file the table is read from).
run() { # name command...
  local name=$1; shift
  step "$name: $*"
  "$@" 2>&1 | tee "$work/$name.log" >&2
}

run compare bench/compare-mosquitto.sh
run est "${bench[@]}" est-cpu --devices "$EST_DEVICES" --warmup $((EST_DEVICES / 10)) --handshakes "$EST_HANDSHAKES"
run broker "${bench[@]}" mqtt-broker --publishers 4 --messages "$BROKER_MESSAGES"
run codec "${bench[@]}" mqtt-codec --packets "$CODEC_PACKETS"
run revoke "${bench[@]}" mqtt-revoke --devices "$REVOKE_DEVICES"
run idle env CONNECTIONS="$IDLE_CONNECTIONS" TLS=OpenSsl bench/mqtt-idle-memory.sh
run handshake env SECONDS_PER_ROUND="$HANDSHAKE_SECONDS" CLIENTS="$HANDSHAKE_CLIENTS" bench/mqtt-handshake-cpu.sh
run storm env DEVICES="$STORM_DEVICES" PROCS="$STORM_PROCS" bench/storm.sh

# compare: "QoS 0, 64 B (msgs/s)   212750   644117   3.03" — the label, then mosquitto, Rampart, ratio.
compare() { # label-prefix → "mosquitto rampart ratio"
  grep -F "$1" "$work/compare.log" | tail -1 | awk '{print $(NF-2), $(NF-1), $NF}'
}
# est-cpu: "<phase> ops ops/s server-ms client-ms".
est() { grep -F "$1" "$work/est.log" | tail -1 | awk '{print $(NF-1)}'; }
codec() { # "QoS 0   64 B" → "encode-bytes decode-bytes"
  grep -E "PUBLISH $1 B:" "$work/codec.log" | sed -E 's/.*\(([0-9,]+) B allocated each\), decode.*\(([0-9,]+) B allocated each\).*/\1 \2/'
}

read -r m64 r64 x64 < <(compare "QoS 0, 64 B")
read -r m1k r1k x1k < <(compare "QoS 0, 1024 B")
read -r mq1 rq1 xq1 < <(compare "QoS 1, 64 B")
read -r mrss rrss xrss < <(compare "RSS/idle conn")
read -r mcpu rcpu xcpu < <(compare "CPU/handshake")
read -r e64 d64 < <(codec "QoS 0   64")
read -r e1k d1k < <(codec "QoS 0 1024")
broker_rate=$(grep -Eo '[0-9]+ msgs/s through the broker core' "$work/broker.log" | awk '{print $1}')
revoke=$(grep -Eo 'median [0-9.]+ ms, max [0-9.]+ ms' "$work/revoke.log" | head -1)
# mqtt-idle-memory.sh: "RESULT TLS connected rss-KiB rss-after-gc-KiB managed-KiB".
read -r _ _ idle_n idle_rss _ idle_managed < <(grep '^RESULT' "$work/idle.log" | tail -1)
# mqtt-handshake-cpu.sh: "<label>: N handshakes, X ms server CPU each (load …)".
handshake() { grep -F "$1" "$work/handshake.log" | tail -1 | grep -Eo '[0-9.]+ ms server CPU' | awk '{print $1}'; }
storm_back=$(grep -Eo 'every device back \(node start included\): [0-9.]+ s' "$work/storm.log" | grep -Eo '[0-9.]+ s$')
storm_cpu=$(grep -Eo 'CPU per reconnect \(TLS handshake \+ CONNECT \+ session\): [0-9.]+ ms' "$work/storm.log" | grep -Eo '[0-9.]+ ms$')

echo
echo "## Headline figures ($(date -u +%Y-%m-%d), $(nproc) cores, loopback)"
echo
echo "PUBLISHERS=$PUBLISHERS MESSAGES=$MESSAGES IDLE=$IDLE EST_DEVICES=$EST_DEVICES EST_HANDSHAKES=$EST_HANDSHAKES"
echo "CODEC_PACKETS=$CODEC_PACKETS BROKER_MESSAGES=$BROKER_MESSAGES REVOKE_DEVICES=$REVOKE_DEVICES"
echo "IDLE_CONNECTIONS=$IDLE_CONNECTIONS HANDSHAKE_SECONDS=$HANDSHAKE_SECONDS HANDSHAKE_CLIENTS=$HANDSHAKE_CLIENTS STORM_DEVICES=$STORM_DEVICES STORM_PROCS=$STORM_PROCS bench/run-all.sh"
echo
echo "| figure | Rampart | mosquitto | ratio | from |"
echo "| --- | --- | --- | --- | --- |"
echo "| QoS 0, 64 B fan-in, mTLS (msgs/s received) | $r64 | $m64 | $x64 | compare-mosquitto.sh |"
echo "| QoS 0, 1 KiB fan-in, mTLS (msgs/s received) | $r1k | $m1k | $x1k | compare-mosquitto.sh |"
echo "| QoS 1, 64 B fan-in, mTLS (msgs/s received) | $rq1 | $mq1 | $xq1 | compare-mosquitto.sh |"
echo "| RSS per idle mTLS connection (KiB) | $rrss | $mrss | $xrss | compare-mosquitto.sh (mqtt-idle) |"
echo "| server CPU per mTLS handshake + CONNECT (ms) | $rcpu | $mcpu | $xcpu | compare-mosquitto.sh (mqtt-idle) |"
echo "| server CPU per HTTPS TLS 1.3 handshake (ms) | $(est "tls-handshake again") | | | est-cpu |"
echo "| server CPU per enrollment, new TLS connection each (ms) | $(est "enroll, new TLS connection each") | | | est-cpu |"
echo "| server CPU per enrollment, kept-alive connection (ms) | $(est "enroll, kept-alive connections") | | | est-cpu |"
echo "| broker core alone, QoS 0 64 B fan-in (msgs/s) | $broker_rate | | | mqtt-broker |"
echo "| bytes allocated per PUBLISH encode / decode, 64 B | $e64 / $d64 | | | mqtt-codec |"
echo "| bytes allocated per PUBLISH encode / decode, 1 KiB | $e1k / $d1k | | | mqtt-codec |"
echo "| revocation to DISCONNECT of the live session | $revoke | | | mqtt-revoke |"
echo "| RSS / live managed heap per idle mTLS connection, OpenSSL adapter, $idle_n held (KiB) | $idle_rss / $idle_managed | | | mqtt-idle-memory.sh |"
echo "| server CPU per MQTT handshake, known device / first contact (ms, s_time -new) | $(handshake "known device (cache on)") / $(handshake "cache off") | | | mqtt-handshake-cpu.sh |"
echo "| restart to all $STORM_DEVICES devices back; CPU per reconnect | ${storm_back:-n/a}; ${storm_cpu:-n/a} | | | storm.sh |"
