#!/usr/bin/env bash
# Build rill and run every test: a normal build (-Werror), an ASan+UBSan build,
# and a TSan build; each runs the whole suite (TSan all but two pure,
# single-threaded FEC vector tests). Prints ctest's summary of each.
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
# TSan looks for data races: the FEC codec vector tests are pure,
# single-threaded arithmetic that the other two suites run in full, and
# under TSan they alone took 70 s of CI's 20 minutes.
TSAN_OPTIONS=halt_on_error=1 \
  run_suite "tsan" out/build-tsan -E '^(fec_vectors|fec_rs8m)$' -- \
  -DCMAKE_BUILD_TYPE=Debug -DRILL_TSAN=ON -DRILL_BUILD_BENCH=OFF || status=1

if [ "$status" -eq 0 ]; then
  echo "=== all suites passed"
else
  echo "=== some suites FAILED"
fi
echo "${total_passed} passed, ${total_failed} failed"
exit "$status"
