#!/usr/bin/env bash
# Bad arguments to libpipewire-module-rill-source / -sink: the module's load
# fails with one log line naming the key (PipeWire then refuses to start
# with that config: a module in context.modules must load), instead of
# running with a default the user did not ask for. A port already taken is
# named too. Each daemon is bounded by timeout; none may crash.
#
# usage: module_args.sh MODULE_DIR SYSTEM_MODULE_DIR [PRELOAD]
set -euo pipefail
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pw_lib.sh
. "$(dirname "$0")/pw_lib.sh"
pw_setup "$1" "$2" "${3:-}"

# A socket holds this port: the source cannot bind it.
busy=$(free_udp_port)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(60)' "$busy" &
pids+=($!)
wait_bound $! "$busy" || fail "could not hold port $busy"

# expect_load_failure NAME MODULE ARGS MESSAGE
expect_load_failure() {
  local rc=0
  pw_conf "$tmp/$1.conf" "{ name = libpipewire-module-rill-$2 args = { $3 } }"
  if [ -n "$PW_PRELOAD" ]; then
    LD_PRELOAD=$PW_PRELOAD ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0:detect_leaks=1 \
      timeout -k 5 20 pipewire -c "$tmp/$1.conf" >"$tmp/$1.log" 2>&1 || rc=$?
  else
    timeout -k 5 20 pipewire -c "$tmp/$1.conf" >"$tmp/$1.log" 2>&1 || rc=$?
  fi
  # 124: still running (the module loaded). PipeWire exits with the
  # module's negative errno (234 for -EINVAL) after saying why: a crash
  # would not say it.
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] ||
    ! grep -q "could not load mandatory module \"libpipewire-module-rill-$2\"" "$tmp/$1.log"; then
    cat "$tmp/$1.log" >&2
    fail "$1: pipewire exited $rc, expected a failed module load"
  fi
  grep -qF "$4" "$tmp/$1.log" || { cat "$tmp/$1.log" >&2; fail "$1: no '$4' in the log"; }
  if grep -qE "(Address|Leak|Thread|UndefinedBehavior)Sanitizer|runtime error:" "$tmp/$1.log"; then
    cat "$tmp/$1.log" >&2
    fail "$1: sanitizer report"
  fi
  echo "ok: $1: $(grep -F "$4" "$tmp/$1.log" | head -n 1)"
}

expect_load_failure fec source "fec.code = bogus" \
  "fec.code = 'bogus': expected disable, rs8m or ldpc"
expect_load_failure port source "local.source.port = 70000" \
  "local.source.port = '70000': expected 0..65535"
expect_load_failure latency source "sess.latency.msec = 0" "sess.latency.msec = '0'"
expect_load_failure size source "rill.mem.max = 12Q" "rill.mem.max = '12Q': expected a size"
expect_load_failure profile source "resampler.profile = fast" "resampler.profile = 'fast'"
expect_load_failure busy source "local.ip = 127.0.0.1 local.source.port = $busy fec.code = disable" \
  "rill-source: cannot receive on rtp://127.0.0.1:$busy"
expect_load_failure no-remote sink "remote.source.port = 10001" "rill-sink: remote.ip is required"
expect_load_failure channels sink "remote.ip = 127.0.0.1 audio.channels = 3" \
  "audio.channels = '3': expected 1..2"
echo "PASS: bad module arguments fail the load with one line naming them"
