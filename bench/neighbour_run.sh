#!/usr/bin/env bash
# A hostile neighbour: one legitimate real-time stream (5 ms L16 stereo,
# 440 Hz) and 5,000 datagrams/s of junk on the same port (flood_gen --junk:
# short headers, RTP version 1, lying CSRC counts, empty datagrams, an
# unmapped payload type, 60 KB datagrams), into one rill-recv reading
# normally; with the machine idle, and with both cores kept busy by
# spinning processes (--spinners, default 8: four per core). Each case runs twice: rill-recv's default kernel
# receive buffer (sized for the socket budget) and --rcvbuf 208K (the
# kernel's own default, what rill used before).
#
# Per case: packets the stream sent, received, lost to the kernel (sent -
# received), played, gaps (frames of silence), the drift controller's ratio
# at the end (ppm: it must stay near 0, loss is not drift), junk counted
# (bad + unknown payload type), and the kernel buffer granted.
#
# Everything stays on 127.0.0.1; every process is bounded in time.
# Usage: bench/neighbour_run.sh [--build DIR] [--seconds S] [--spinners N]
set -euo pipefail
cd "$(dirname "$0")/.."

build=out/build-release
seconds=15
spinners=8
while [ "$#" -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --spinners) spinners=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--seconds S] [--spinners N]" >&2; exit 2 ;;
  esac
done
recv=$build/tools/rill-recv
gen=$build/bench/flood_gen
for b in "$recv" "$gen"; do
  [ -x "$b" ] || { echo "neighbour_run: $b missing (build with -DRILL_BUILD_BENCH=ON)" >&2; exit 1; }
done
. scripts/scratch.sh

echo "# hostile neighbour: 1 real-time stream + 5000 junk datagrams/s on one port, $seconds s"
echo "# reproduce: bench/neighbour_run.sh --seconds $seconds --spinners $spinners"
printf "%-6s %-8s %7s %9s %6s %7s %9s %9s %8s %10s\n" \
  busy rcvbuf sent received lost played gap_ms drift_ppm junk rcvbuf_KiB

run_case() {
  local busy=$1 rcvbuf=$2 extra=()
  [ "$rcvbuf" = default ] || extra=(--rcvbuf "$rcvbuf")
  rm -f "$tmp/port" "$tmp/stats.jsonl"
  local spin=()
  if [ "$busy" = yes ]; then
    for _ in $(seq "$spinners"); do
      timeout -k 5 $((seconds + 8)) sh -c 'while :; do :; done' &
      spin+=("$!")
      pids+=("$!")
    done
  fi
  timeout -k 5 $((seconds + 15)) "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o - \
    --duration "$((seconds + 2))s" "${extra[@]}" --stats-json "$tmp/stats.jsonl" \
    >/dev/null 2>"$tmp/recv.log" &
  local rpid=$!
  pids+=("$rpid")
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  [ -s "$tmp/port" ] || { cat "$tmp/recv.log" >&2; echo "neighbour_run: no port" >&2; exit 1; }
  local port
  port=$(head -n 1 "$tmp/port")
  timeout -k 5 $((seconds + 10)) "$gen" --dest "127.0.0.1:$port" --junk --pps 5000 \
    --duration "$seconds" --quiet &
  local jpid=$!
  pids+=("$jpid")
  timeout -k 5 $((seconds + 10)) "$gen" --dest "127.0.0.1:$port" --realtime --sine \
    --duration "$seconds" --seed 5 2>"$tmp/legit.log"
  wait "$jpid" || true
  wait "$rpid" || true
  for p in "${spin[@]}"; do kill "$p" 2>/dev/null || true; done
  local sent
  sent=$(grep -Eo "sent=[0-9]+" "$tmp/legit.log" | cut -d= -f2)
  python3 - "$tmp/stats.jsonl" "$busy" "$rcvbuf" "${sent:-0}" <<'PY'
import json, sys
path, busy, rcvbuf, sent = sys.argv[1:]
sent = int(sent)
lines = [json.loads(l) for l in open(path) if l.strip()]
last = lines[-1]
# The legit session: the last periodic line that still had it.
sess = None
for l in reversed(lines):
    if l["session_metrics"]:
        sess = l["session_metrics"][0]
        break
recv = last["packets_received"]
played = last["packets_played"]
gaps = sess["gap_frames"] if sess else 0
drift = sess["drift_ppb"] / 1000.0 if sess else 0.0
junk = last["bad_packets"] + last["unknown_payload_type"]
print("%-6s %-8s %7d %9d %6d %7d %9.1f %9.1f %8d %10d" % (
    busy, rcvbuf, sent, recv, max(sent - recv, 0), played, gaps / 44.1, drift, junk,
    last.get("socket_rcvbuf_bytes", 0) // 2048))
PY
}

for busy in no yes; do
  for rcvbuf in default 208K; do
    run_case "$busy" "$rcvbuf"
  done
done
