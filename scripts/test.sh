#!/usr/bin/env bash
# Build rill and run every test: a normal build (-Werror) and an ASan+UBSan
# build each run the whole suite; a TSan build runs the tests that drive
# rill's threads (see below). Prints ctest's summary of each.
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

jobs=$(nproc)
status=0

run_suite() {
  local name=$1 dir=$2; shift 2
  local ctest_args=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do ctest_args+=("$1"); shift; done
  shift || true
  echo "=== $name: configure and build ($dir)"
  cmake -S . -B "$dir" -DRILL_WERROR=ON "$@" >"$dir.configure.log" 2>&1 \
    || { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1 \
    || { tail -n 60 "$dir.build.log"; return 1; }
  echo "=== $name: ctest"
  local rc=0
  (cd "$dir" && ctest --output-on-failure -j"$jobs" "${ctest_args[@]}") 2>&1 | tee "$dir.ctest.log" \
    || rc=1
  # "100% tests passed, 0 tests failed out of 7"
  local line failed total
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$dir.ctest.log" | tail -n 1 || true)
  if [ -z "$line" ]; then
    echo "=== $name: no ctest summary"; return 1
  fi
  failed=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
  return "$rc"
}
total_passed=0
total_failed=0

mkdir -p out
run_suite "release" out/build-release -- -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite "asan+ubsan" out/build-asan -- -DCMAKE_BUILD_TYPE=Debug -DRILL_ASAN=ON -DRILL_UBSAN=ON \
  || status=1
# TSan looks for data races in rill's threads, which the unit,
# concurrency, integration, PipeWire-module and sound-device tests drive.
# It leaves out what the other two suites run in full and TSan adds nothing
# to, to keep CI under 20 minutes: the FEC codec vector tests (pure
# single-threaded arithmetic, 70 s under TSan), and the wire tests against
# external peers (label interop, and roc_wire_*: the tools' threads as in
# the integration tests, talking to GStreamer, ffmpeg and roc-toolkit;
# 160 s under TSan).
TSAN_OPTIONS=halt_on_error=1 \
  run_suite "tsan" out/build-tsan -E '^(fec_vectors|fec_rs8m|roc_wire_.*)$' -LE '^interop$' -- \
  -DCMAKE_BUILD_TYPE=Debug -DRILL_TSAN=ON -DRILL_BUILD_BENCH=OFF || status=1

if [ "$status" -eq 0 ]; then
  echo "=== all suites passed"
else
  echo "=== some suites FAILED"
fi
echo "${total_passed} passed, ${total_failed} failed"
exit "$status"
