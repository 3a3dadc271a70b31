#!/usr/bin/env bash
# Runs every test. Installs what the tests need from Debian (once), builds, tests, and ends with
# the line "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# 1. Debian packages the tests drive as real peers. Installed only when missing.
packages=(openssl curl mosquitto-clients)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
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

# 3. Build once, then run every test project (they share the build).
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! dotnet build Rampart.slnx -c Release --nologo -v quiet -clp:ErrorsOnly; then
  echo "test.sh: the build failed"; echo "0 passed, 1 failed"; exit 1
fi
dotnet test Rampart.slnx -c Release --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# 4. One closing line summed over the test projects' own summaries.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: dotnet test exited with $status (a test host crashed or no tests ran)"
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
