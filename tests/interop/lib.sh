# shellcheck shell=bash
# Helpers shared by the interop scripts; sourced, not run. Sets up a temp
# dir removed on exit (with every background process the script recorded in
# `pids`), and gives free-port, readiness and wavcheck helpers. All traffic
# stays on 127.0.0.1.

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rill-interop.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# need PROGRAM: the peer must be installed (scripts/deps.sh installs it).
need() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 not found: run scripts/deps.sh"
}

# value KEY FILE: a key=value line of wavcheck's output.
value() {
  grep -E "^$1=" "$2" | head -n 1 | cut -d= -f2
}

# between NAME VALUE LOW HIGH: integer range assertion that prints both sides.
between() {
  if [ -z "$2" ] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
    fail "$1 = '$2', expected $3..$4"
  fi
}

# free_udp_port [pair]: a UDP port on 127.0.0.1 that was free a moment ago
# (bound to port 0, then closed); with "pair", PORT+1 was free too (an RTP
# receiver that also binds RTCP there). A peer can still lose the race, so
# callers retry with a new port when the peer fails to bind.
free_udp_port() {
  timeout 10 python3 - "${1:-single}" <<'PY'
import socket, sys
pair = sys.argv[1] == "pair"
for _ in range(200):
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    port = a.getsockname()[1]
    if not pair:
        a.close()
        print(port)
        sys.exit(0)
    if port % 2 == 0 and port < 65535:
        b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            b.bind(("127.0.0.1", port + 1))
            b.close()
            a.close()
            print(port)
            sys.exit(0)
        except OSError:
            b.close()
    a.close()
sys.exit("no free UDP port found")
PY
}

# udp_bound PORT: some socket on this host is bound to UDP PORT (read from
# /proc, so checking takes nothing from the peer that is binding it).
udp_bound() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v h="$hex" 'NR > 1 { split($2, a, ":"); if (a[2] == h) found = 1 } END { exit !found }' \
    /proc/net/udp
}

# wait_bound PID PORT: wait up to 10 s until PORT is bound while PID lives.
# Returns 1 if PID died or the time ran out.
wait_bound() {
  local _
  for _ in $(seq 200); do
    kill -0 "$1" 2>/dev/null || return 1
    udp_bound "$2" && return 0
    sleep 0.05
  done
  return 1
}

# wait_port_file FILE: rill-recv --port-file wrote its port (10 s at most).
wait_port_file() {
  local _
  for _ in $(seq 200); do
    [ -s "$1" ] && return 0
    sleep 0.05
  done
  fail "no port written to $1"
}

# check NAME WAVCHECK ARGS...: run wavcheck, keep its output in
# $tmp/NAME.txt, print it, fail the test if wavcheck fails.
check() {
  local name=$1 wavcheck=$2
  shift 2
  timeout 60 "$wavcheck" "$@" >"$tmp/$name.txt" 2>&1 ||
    { cat "$tmp/$name.txt" >&2; fail "wavcheck ($name) failed"; }
  local keys='frames|leading_silence_frames|signal_frames|max_gap_frames|freq_hz|lag_frames'
  keys="$keys|gain|snr_db"
  grep -E "^($keys)=|^wavcheck:" "$tmp/$name.txt" | tr '\n' ' '
  echo "[$name]"
}
