#!/usr/bin/env bash
# Capacity: N concurrent senders, each a real-time 5 ms L16 stereo 44.1 kHz
# stream (221 frames, 199.5 packets/s) from its own socket and SSRC
# (flood_gen --realtime --socket-per-stream), into one rill-recv reading
# normally (10 ms periods, output discarded), for N = 1, 16, 64, 256.
#
# Per N it prints: sessions held at the end, sessions created (more than N
# is churn), loss+late % of the packets sent, rill-recv's CPU (% of one
# core, measured over the middle of the run from /proc), CPU per stream,
# peak RSS (VmHWM), and datagrams per receive system call (recvmmsg).
#
# Everything stays on 127.0.0.1 and every process is bounded in time.
# Usage: bench/capacity_run.sh [--build DIR] [--seconds S] [--counts "1 16 64 256"]
#                              [--recv-args "EXTRA rill-recv OPTIONS"] [--perf FILE]
# --perf FILE: also sample rill-recv with perf (cpu-clock, 999 Hz, call
# graphs) over the measured window of each N and append `perf report` to FILE
# (needs Debian's linux-perf; not installed by scripts/deps.sh).
# (default: no extra options: rill-recv's defaults, drift compensation on)
set -euo pipefail
cd "$(dirname "$0")/.."

build=out/build-release
seconds=20
counts="1 16 64 256"
recv_args=""
perf_out=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --counts) counts=$2; shift 2 ;;
    --recv-args) recv_args=$2; shift 2 ;;
    --perf) perf_out=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--seconds S] [--counts LIST]" >&2; exit 2 ;;
  esac
done
recv=$build/tools/rill-recv
gen=$build/bench/flood_gen
for b in "$recv" "$gen"; do
  [ -x "$b" ] || { echo "capacity_run: $b missing (build with -DRILL_BUILD_BENCH=ON)" >&2; exit 1; }
done
# shellcheck source=/dev/null
. scripts/scratch.sh

ticks=$(getconf CLK_TCK)
# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

echo "# capacity: N real-time senders (5 ms L16 stereo, own socket and SSRC) into one rill-recv"
echo "# reproduce: bench/capacity_run.sh --seconds $seconds --counts \"$counts\" --recv-args \"$recv_args\""
printf "%8s %6s %8s %10s %9s %11s %8s %11s\n" senders held created loss+late% recv_cpu% cpu/stream% rss_MiB dgrams/call

for n in $counts; do
  rm -f "$tmp/port" "$tmp/stats.jsonl"
  timeout -k 5 $((seconds + 15)) "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o - \
    --max-sessions "$n" --max-session-rate 100000 --duration "$((seconds + 2))s" \
    $recv_args --stats-json "$tmp/stats.jsonl" --stats-interval 1s >/dev/null 2>"$tmp/recv.log" &
  rpid=$!
  pids+=("$rpid")
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  [ -s "$tmp/port" ] || { cat "$tmp/recv.log" >&2; echo "capacity_run: no port" >&2; exit 1; }
  port=$(head -n 1 "$tmp/port")
  timeout -k 5 $((seconds + 10)) "$gen" --dest "127.0.0.1:$port" --streams "$n" --realtime \
    --socket-per-stream --sine --duration "$seconds" --seed "$n" 2>"$tmp/gen.log" &
  gpid=$!
  pids+=("$gpid")
  # CPU over the middle of the run: after 3 s (sessions up), for seconds - 5 s.
  sleep 3
  rpid_child=$(pgrep -P "$rpid" -x rill-recv || echo "$rpid")
  t0=$(cpu_ticks "$rpid_child")
  s0=$(date +%s.%N)
  if [ -n "$perf_out" ]; then
    perf record -q -e cpu-clock -F 999 -g -p "$rpid_child" -o "$tmp/perf.data" \
      -- sleep $((seconds - 5)) >/dev/null 2>&1 || true
  else
    sleep $((seconds - 5))
  fi
  t1=$(cpu_ticks "$rpid_child")
  s1=$(date +%s.%N)
  rss_kib=$(awk '/VmHWM/ { print $2 }' "/proc/$rpid_child/status")
  wait "$gpid" || true
  wait "$rpid" || true
  if [ -n "$perf_out" ] && [ -s "$tmp/perf.data" ]; then
    { echo "=== $n senders: rill-recv, perf report by object (self time)"
      perf report -i "$tmp/perf.data" --stdio --no-children --sort dso --percent-limit 0.5 \
        -g none 2>/dev/null | grep -v "^#" | grep -v "^$"
      echo "=== $n senders: rill-recv, perf report by symbol (self time, >= 0.5 %)"
      perf report -i "$tmp/perf.data" --stdio --no-children --sort dso,symbol --percent-limit 0.5 \
        -g none 2>/dev/null | grep -v "^#" | grep -v "^$"
    } >>"$perf_out"
  fi
  sent=$(grep -Eo "sent=[0-9]+" "$tmp/gen.log" | cut -d= -f2)
  python3 - "$tmp/stats.jsonl" "$n" "${sent:-0}" "$t0" "$t1" "$s0" "$s1" "$ticks" "$rss_kib" <<'PY'
import json, sys
path, n, sent, t0, t1, s0, s1, ticks, rss = sys.argv[1:]
n, sent = int(n), int(sent)
lines = [json.loads(l) for l in open(path) if l.strip()]
last = lines[-1]
# Sessions held: the most active at once, from the periodic lines.
held = max(l["sessions"] for l in lines)
lost_late = last["packets_lost"] + last["packets_late"]
loss = 100.0 * (sent - last["packets_played"]) / sent if sent else 0.0
cpu = 100.0 * (float(t1) - float(t0)) / float(ticks) / (float(s1) - float(s0))
# Datagrams per receive system call (recvmmsg batches), when reported.
batch = last["datagrams"] / last["receive_batches"] if last.get("receive_batches") else 1.0
print("%8d %6d %8d %10.3f %9.1f %11.2f %8.1f %11.2f" % (
    n, held, last["sessions_created"], max(loss, 100.0 * lost_late / max(sent, 1)), cpu,
    cpu / n, int(rss) / 1024.0, batch))
PY
done
