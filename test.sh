#!/usr/bin/env bash
# Runs every test. Installs what the tests need from Debian (once), builds, tests, and ends with
# the line "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# 1. Debian packages the tests drive as real peers. Installed only when missing.
# postgresql backs the storage-provider tests; nats-server (2.9, JetStream) and haproxy (2.6, TCP mode)
# are for the cluster tests of issue 15 (nats-server: started once per run below; haproxy: checked to
# start as a plain process on loopback, no test drives it yet). The tests never use a system service
# of these packages: they run their own processes.
packages=(openssl curl mosquitto-clients python3 postgresql nats-server haproxy)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
# Each capability lists the Debian packages its tests drive in tests/packages/NAME.list (one per line,
# '#' starts a comment), so adding a capability never edits the line above.
for list in tests/packages/*.list; do
  [ -f "$list" ] || continue
  while read -r package _; do
    case "$package" in ''|'#'*) continue ;; esac
    packages+=("$package")
  done < "$list"
done
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "test.sh: could not install ${missing[*]}" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

# 2. npm packages the tests drive (MQTT.js, tuf-js), pinned by tests/interop/package-lock.json; installed once.
if [ ! -d tests/interop/node_modules/mqtt ] || [ ! -d tests/interop/node_modules/tuf-js ] \
   || [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then
  echo "test.sh: installing MQTT.js and tuf-js for the interop tests" >&2
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
    echo "test.sh: could not install tests/interop npm packages" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

# 3. PostgreSQL for the storage-provider tests: one server for the whole run, as a plain process
#    (initdb into a temporary directory, a free loopback port, its socket in that directory; as the
#    Debian package's postgres user when we are root, since PostgreSQL refuses root). Tests read
#    RAMPART_TEST_POSTGRES and create a database each; tests/Rampart.Testing/Servers/PostgresServer.cs
#    starts one the same way when this variable is absent (dotnet test alone).
log="$(mktemp)"
pg_dir=""
nats_dir=""
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  rm -f "$log"
  if [ -n "$pg_dir" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$pg_dir"
  fi
  if [ -n "$nats_dir" ]; then
    [ -f "$nats_dir/nats.pid" ] && kill "$(cat "$nats_dir/nats.pid")" 2>/dev/null
    rm -rf "$nats_dir"
  fi
}
trap cleanup EXIT
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$pg_bin" ]; then
  echo "test.sh: PostgreSQL's server programs are missing (/usr/lib/postgresql/*/bin)"; echo "0 passed, 1 failed"; exit 1
fi
pg_dir="$(mktemp -d /tmp/rt-pg-XXXXXX)"
pg_password="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$pg_password" > "$pg_dir/password"
mkdir -p "$pg_dir/socket"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$pg_dir"
pg_port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then pg_port=$candidate; break; fi
done
if [ -z "$pg_port" ] \
   || ! as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U rampart --auth=scram-sha-256 --pwfile="$pg_dir/password" --no-locale -E UTF8 --no-sync >/dev/null \
   || ! as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-p $pg_port -k $pg_dir/socket -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=32MB" start >/dev/null; then
  echo "test.sh: could not start PostgreSQL (see $pg_dir/server.log)"; echo "0 passed, 1 failed"; exit 1
fi
export RAMPART_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=rampart;Password=$pg_password;Database=postgres;Timeout=10"

# 3b. nats-server for the cluster tests: one core-NATS server for the whole run on a free loopback
#     port, its PID file and log in a temporary directory. Tests read RAMPART_TEST_NATS (and give
#     their nodes a subject prefix each); tests/Rampart.Testing/Servers/NatsServer.cs starts one the
#     same way when it is absent.
nats_dir="$(mktemp -d /tmp/rt-nats-XXXXXX)"
nats_port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if [ "$candidate" != "$pg_port" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then nats_port=$candidate; break; fi
done
[ -n "$nats_port" ] && nats-server -a 127.0.0.1 -p "$nats_port" -P "$nats_dir/nats.pid" -l "$nats_dir/server.log" >/dev/null 2>&1 &
for _ in $(seq 1 100); do
  [ -n "$nats_port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null && break
  sleep 0.1
done
if [ -z "$nats_port" ] || ! (exec 3<>"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null; then
  echo "test.sh: could not start nats-server (see $nats_dir/server.log)"; echo "0 passed, 1 failed"; exit 1
fi
export RAMPART_TEST_NATS="nats://127.0.0.1:$nats_port"

# 4. Build once, then run every test project (they share the build).
if ! dotnet build Rampart.slnx -c Release --nologo -v quiet -clp:ErrorsOnly; then
  echo "test.sh: the build failed"; echo "0 passed, 1 failed"; exit 1
fi
dotnet test Rampart.slnx -c Release --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# 5. One closing line summed over the test projects' own summaries.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: dotnet test exited with $status (a test host crashed or no tests ran)"
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
