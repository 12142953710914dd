#!/usr/bin/env bash
# Flood benchmark driver: floods a rill receiver over 127.0.0.1 with RTP in
# several ways and measures, once a second, its RSS, its CPU use and rill's
# own counters; writes one CSV per run under out/bench/flood/, a summary
# table (printed and out/bench/flood/summary.csv) and docs/flood_rss.png.
#
# Load levels: 1x is 345 packets/s, 10x and 100x multiply it (flood_gen,
# 221-frame L16 stereo packets by default: 884-byte payloads). A single
# stream at 345 packets/s of 221 frames carries 76,245 frames/s: 1.73x its
# real-time rate, so even the 1x floods of s1-s3 run ahead of playback. The
# legitimate streams of s4-s7 are sent at their real-time rate (44100/221 =
# 199.5 packets/s) and carry a continuous 440 Hz sine.
#
# Scenarios (each at 1x, 10x and 100x unless noted):
#   s1  library receiver that never reads (stalled_receiver --mode never)
#   s2  rill-recv -o - into a pipe whose reader reads 2 s of audio, stops
#       for two thirds of the flood, then reads again (rill-recv's RSS/CPU
#       sampled from /proc/PID)
#   s3  rill-recv reading normally (-o - > /dev/null, -v)
#   s4  burst (10x, 100x): one stream at its real-time rate (199.5
#       packets/s, a 440 Hz sine), then 10 s of the same stream at the
#       rate, then real time again; recovery is measured from the end of
#       the burst against the RSS just before it, and the audio must be
#       intact again from 2 s after the burst (stale audio dropped)
#   s5  fake senders (--random-ssrc) beside one legitimate real-time
#       stream that started first; the legitimate audio is checked per
#       second (stalled_receiver --mode read: RMS of a 440 Hz sine, runs of
#       exact silence)
#   s6  one unthrottled sender (as fast as flood_gen can send; its payload
#       is silence so that the mix stays checkable) beside a legitimate
#       stream, read normally; rate "max"
#   s7  (beyond the brief) fake senders first, the legitimate stream joins
#       2.37 s later: can a new sender still get a session during a flood,
#       and how long does it wait ("joined<=N s")?
#
# Every run has the same schedule: the receiver starts at t=0 and is sampled
# at once (the baseline) and then every second; the flood runs from t=0.5 s
# (before rill's default 1 s idle timeout could fire) for DURATION seconds,
# then TAIL seconds without traffic show whether memory goes back. Besides
# RSS (which excludes it), the kernel's receive queue and drop count for the
# receiver's socket are sampled from /proc/net/udp: datagrams the kernel
# dropped never reach rill's counters.
# Every process is started under `timeout`, every loop is bounded, and only
# processes started here are stopped (by PID).
#
# Summary columns: baseline RSS (first sample), max RSS, RSS at the end,
# least-squares slope of RSS from 10 s into the flood (half the flood in
# --quick mode) to its end (s2: to the end of the stall), mean CPU % of
# one core during the flood, seconds from the end of the flood (s4: of the
# burst) until RSS is back within 1 MiB of the baseline (s4: of the RSS
# before the burst), rill's peak charged memory against its budget, and
# notes (drops, sessions, audio check).
#
# usage: bench/flood_run.sh [--quick] [--duration SEC] [--tail SEC]
#          [--scenarios 1,2,...] [--rates 1,10,100] [--streams N]
#          [--build DIR] [--out DIR] [--recv-args ARGS] [--no-plot]
#          [--plot-to FILE]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
OUT=$ROOT/out/bench/flood
DURATION=30
TAIL=8
QUICK=0
SCENARIOS=1,2,3,4,5,6,7
RATES=1,10,100
STREAMS=1
PLOT=1
PLOT_TO=
BASE_PPS=345
LEAD=0.5           # receiver start -> flood start (before the 1 s idle timeout), seconds
RECV_ARGS=         # extra stalled_receiver options (--recv-args)
RECOVER_KIB=1024   # "back near baseline" means within this much
REPRO="bench/flood_run.sh$(printf ' %q' "$@")"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
  cat <<EOF

options:
  --quick           ~5 s floods, 4 s tails: a smoke run (plot to out/ only)
  --duration SEC    flood length per run (default 30, at most 300)
  --tail SEC        quiet time after the flood (default 8, at most 60)
  --scenarios LIST  comma-separated scenario numbers (default $SCENARIOS)
  --rates LIST      multiples of $BASE_PPS packets/s (default $RATES)
  --streams N       SSRCs in the s1-s4 floods (default 1)
  --build DIR       build tree with bench/ and tools/ (default build/)
  --out DIR         where CSVs go (default out/bench/flood/)
  --recv-args ARGS  extra stalled_receiver options for s1 and s4-s7,
                    e.g. "--rcvbuf 4M --idle-timeout-ms never"
  --no-plot         no gnuplot
  --plot-to FILE    PNG path (default docs/flood_rss.png; --quick: OUT/flood_rss.png)
EOF
}

die() { echo "flood_run: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
  --quick) QUICK=1; DURATION=5; TAIL=4 ;;
  --duration) DURATION=${2:?}; shift ;;
  --tail) TAIL=${2:?}; shift ;;
  --scenarios) SCENARIOS=${2:?}; shift ;;
  --rates) RATES=${2:?}; shift ;;
  --streams) STREAMS=${2:?}; shift ;;
  --build) BUILD=$(cd "${2:?}" && pwd); shift ;;
  --out) OUT=${2:?}; shift ;;
  --recv-args) RECV_ARGS=${2?}; shift ;;
  --no-plot) PLOT=0 ;;
  --plot-to) PLOT_TO=${2:?}; shift ;;
  -h | --help) usage; exit 0 ;;
  *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
[[ $DURATION =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 3 ] && [ "$DURATION" -le 300 ] \
  || die "--duration must be 3..300 seconds"
[[ $TAIL =~ ^[0-9]+$ ]] && [ "$TAIL" -ge 1 ] && [ "$TAIL" -le 60 ] || die "--tail must be 1..60"
[[ $STREAMS =~ ^[0-9]+$ ]] && [ "$STREAMS" -ge 1 ] && [ "$STREAMS" -le 1024 ] \
  || die "--streams must be 1..1024"
[[ $RATES =~ ^[1-9][0-9]{0,2}(,[1-9][0-9]{0,2})*$ ]] || die "--rates: expected e.g. 1,10,100 (each 1..999)"
[[ $SCENARIOS =~ ^[1-7](,[1-7])*$ ]] || die "--scenarios: expected numbers 1..7"
if [ -z "$PLOT_TO" ]; then
  if [ "$QUICK" = 1 ]; then PLOT_TO=$OUT/flood_rss.png; else PLOT_TO=$ROOT/docs/flood_rss.png; fi
fi

GEN=$BUILD/bench/flood_gen
SRECV=$BUILD/bench/stalled_receiver
RECV=$BUILD/tools/rill-recv
for b in "$GEN" "$SRECV" "$RECV"; do
  [ -x "$b" ] || die "$b is missing: cmake -S . -B build && cmake --build build -j2"
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# gnuplot only at bench time: installed on demand, never required by CI.
if [ "$PLOT" = 1 ] && ! command -v gnuplot >/dev/null; then
  echo "flood_run: gnuplot missing; installing gnuplot-nox" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  if ! { DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
      --no-install-recommends gnuplot-nox >/dev/null; }; then
    echo "flood_run: could not install gnuplot-nox: no plot" >&2
    PLOT=0
  fi
fi

RUN_S=$(awk -v l="$LEAD" -v d="$DURATION" -v t="$TAIL" 'BEGIN { x = l + d + t; print (x == int(x)) ? x : int(x) + 1 }')
FLOOD_START=$LEAD
FLOOD_END=$(awk -v l="$LEAD" -v d="$DURATION" 'BEGIN { print l + d }')
# Slopes start 10 s into the flood (half of it when shorter).
SLOPE_SKIP=$(( DURATION >= 20 ? 10 : DURATION / 2 ))
# s4: warm-up at 1x, then the burst.
BURST_WARM=$(( DURATION >= 25 ? 5 : (DURATION + 4) / 5 ))
BURST_LEN=$(( DURATION >= 25 ? 10 : DURATION * 2 / 5 ))
# s2: the reader reads 2 s of audio (s16le stereo 44.1 kHz), then stalls
# until two thirds of the flood.
STALL_END=$(awk -v l="$LEAD" -v d="$DURATION" 'BEGIN { printf "%.1f", l + d * 2 / 3 }')
STALL_S=$(awk -v e="$STALL_END" 'BEGIN { s = e - 2; printf "%.1f", (s > 0.5 ? s : 0.5) }')
STALL_BYTES=$(( 2 * 44100 * 4 ))

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
  local p keep=()
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

now() { echo "$EPOCHREALTIME"; }
# sleep_until T0 OFFSET: sleep until T0 + OFFSET seconds (no-op if past).
sleep_until() {
  local d
  d=$(awk -v t0="$1" -v o="$2" -v n="$EPOCHREALTIME" 'BEGIN { d = t0 + o - n; printf "%.3f", (d > 0 ? d : 0) }')
  [ "$d" = 0.000 ] || sleep "$d"
}

wait_port() { # FILE: prints the port once the file holds one
  local i
  for i in $(seq 100); do
    if [ -s "$1" ]; then head -n 1 "$1"; return 0; fi
    sleep 0.05
  done
  return 1
}

# sample_proc PID PORT T0 CSV LOG: at once and then once a second until
# RUN_S: RSS and CPU of PID from /proc, the kernel's queue and drops for
# 127.0.0.1:PORT, and rill's charged memory from the last rill-recv -v line
# (every 2 s; approximate: printed in MiB).
sample_proc() {
  local pid=$1 port=$2 t0=$3 csv=$4 log=$5 k hz prev_ticks prev_t ticks rss t mem kern
  local hexport
  hz=$(getconf CLK_TCK)
  hexport=$(printf '0100007F:%04X' "$port")
  echo "t_s,rss_kib,rss_peak_kib,cpu_pct,kernel_rx_queue,kernel_drops,mem_used,mem_budget" >"$csv"
  prev_ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || return 0
  prev_t=$t0
  for ((k = 0; k <= RUN_S; k++)); do
    sleep_until "$t0" "$k"
    [ -r "/proc/$pid/status" ] || break
    rss=$(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r "," h }' \
      "/proc/$pid/status" 2>/dev/null) || break
    ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || break
    t=$(now)
    # mawk cannot read hex strings: the queue size is converted by bash.
    kern=$(awk -v a="$hexport" '$2 == a { split($5, q, ":"); print q[2] "," $NF; exit }' \
      /proc/net/udp 2>/dev/null) || true
    if [ -n "$kern" ]; then kern="$((16#${kern%%,*})),${kern#*,}"; else kern=","; fi
    mem=$(grep -Eo 'mem [0-9.]+/[0-9.]+ MiB' "$log" 2>/dev/null | tail -n 1 \
      | awk '{ split($2, a, "/"); printf "%d,%d", a[1] * 1048576, a[2] * 1048576 }') || true
    [ -n "$mem" ] || mem=","
    awk -v t0="$t0" -v t="$t" -v pt="$prev_t" -v tk="$ticks" -v ptk="$prev_ticks" -v hz="$hz" \
      -v rss="$rss" -v kern="$kern" -v mem="$mem" \
      'BEGIN { c = (t > pt) ? 100 * (tk - ptk) / hz / (t - pt) : 0
               printf "%.3f,%s,%.1f,%s,%s\n", t - t0, rss, c, kern, mem }' >>"$csv"
    prev_ticks=$ticks
    prev_t=$t
  done
}

# gen NAME START_OFFSET DURATION ARGS...: flood_gen in the background at
# T0 + START_OFFSET; its summary goes to $RUN.NAME.log.
GEN_PIDS=()
gen() {
  local name=$1 start=$2 dur=$3
  shift 3
  (
    sleep_until "$T0" "$start"
    exec timeout $((${dur%.*} + 11)) "$GEN" --dest "127.0.0.1:$PORT" --duration "$dur" "$@"
  ) 2>"$RUN.$name.log" &
  GEN_PIDS+=($!)
  PIDS+=($!)
}

wait_gens() {
  local p
  for p in "${GEN_PIDS[@]}"; do
    wait "$p" || echo "flood_run: a generator of $RUN_NAME failed (see $RUN.*.log)" >&2
    forget_pid "$p"
  done
  GEN_PIDS=()
}

# start_lib MODE [ARGS...]: stalled_receiver; sets PORT, RECV_PID.
start_lib() {
  rm -f "$RUN.port"
  T0=$(now)
  # shellcheck disable=SC2086 # RECV_ARGS is a list of options
  timeout $((RUN_S + 15)) "$SRECV" --mode "$1" --duration "$RUN_S" --port-file "$RUN.port" \
    "${@:2}" $RECV_ARGS >"$RUN.csv" 2>"$RUN.recv.log" &
  RECV_PID=$!
  PIDS+=("$RECV_PID")
  PORT=$(wait_port "$RUN.port") || die "stalled_receiver did not start (see $RUN.recv.log)"
}

finish_lib() {
  wait_gens
  wait "$RECV_PID" || echo "flood_run: stalled_receiver of $RUN_NAME failed" >&2
  forget_pid "$RECV_PID"
}

# start_recv OUTPUT_MODE: rill-recv -v writing raw audio to stdout, into
# /dev/null ("null") or through a FIFO to a reader that stalls ("stall").
# rill-recv is started directly (not under timeout) so that $! is the
# process sampled; its --duration bounds it, finish_recv stops it on time.
start_recv() {
  local fifo=$RUN.fifo
  rm -f "$RUN.port" "$fifo"
  T0=$(now)
  if [ "$1" = stall ]; then
    mkfifo "$fifo"
    timeout $((RUN_S + 15)) sh -c \
      "head -c $STALL_BYTES >/dev/null; sleep $STALL_S; exec cat >/dev/null" <"$fifo" &
    READER_PID=$!
    PIDS+=("$READER_PID")
    "$RECV" -s rtp://127.0.0.1:0 --port-file "$RUN.port" -o - -v --duration "$((RUN_S + 5))s" \
      >"$fifo" 2>"$RUN.recv.log" &
  else
    READER_PID=
    "$RECV" -s rtp://127.0.0.1:0 --port-file "$RUN.port" -o - -v --duration "$((RUN_S + 5))s" \
      >/dev/null 2>"$RUN.recv.log" &
  fi
  RECV_PID=$!
  PIDS+=("$RECV_PID")
  PORT=$(wait_port "$RUN.port") || die "rill-recv did not start (see $RUN.recv.log)"
  sample_proc "$RECV_PID" "$PORT" "$T0" "$RUN.csv" "$RUN.recv.log" &
  SAMPLER_PID=$!
  PIDS+=("$SAMPLER_PID")
}

finish_recv() {
  wait_gens
  wait "$SAMPLER_PID" || true
  forget_pid "$SAMPLER_PID"
  # rill-recv runs until stopped (a stalled pipe also stops its clock).
  kill -TERM "$RECV_PID" 2>/dev/null || true
  wait "$RECV_PID" || true
  forget_pid "$RECV_PID"
  if [ -n "$READER_PID" ]; then
    kill -TERM "$READER_PID" 2>/dev/null || true
    wait "$READER_PID" || true
    forget_pid "$READER_PID"
  fi
  rm -f "$RUN.fifo"
}

# ---- summary ----

# Each run leaves its row in $RUN.row (text) and $RUN.rowcsv; summary.txt
# and summary.csv are assembled from every run present in OUT at the end,
# so re-running a subset of scenarios updates only their rows.
SUMMARY_CSV=$OUT/summary.csv
SUMMARY_TXT=$OUT/summary.txt

# summarize NAME RATE_LABEL SLOPE_TO EVENT_T REF_MODE AUDIO_FROM AUDIO_TO [LEGIT_START]
#   EVENT_T: time the load ended (recovery counts from there)
#   REF_MODE: "first" (baseline = first sample) or a time (last sample
#   before it is the reference, for the burst)
#   AUDIO_FROM..AUDIO_TO: samples whose audio (the previous second) must be
#   the legitimate sine, intact ("-": no check)
#   LEGIT_START: when the legitimate stream started; "joined" is the first
#   sample after it with its audio (an upper bound, 1 s resolution)
summarize() {
  local name=$1 rate=$2 slope_to=$3 event_t=$4 ref_mode=$5 afrom=$6 ato=$7 lstart=${8:--} pps
  # The flood's achieved rate (not the legitimate stream's; s4: the burst's).
  pps=$(ls "$RUN".gen*.log 2>/dev/null | grep -v gen-legit | head -n 1 | xargs -r cat \
    | awk '{ for (i = 1; i <= NF; i++) {
               if ($i ~ /^pps=/) { split($i, a, "="); p = a[2] }
               if ($i ~ /^segment_pps=/) { split($i, a, "="); n = split(a[2], b, ",")
                 for (j = 1; j <= n; j++) if (b[j] + 0 > m) m = b[j] + 0
                 p = sprintf("%.1f", m) } } }
           END { print p }') || true
  awk -F, -v name="$name" -v rate="$rate" -v pps="${pps:--}" -v fs="$FLOOD_START" \
    -v fe="$FLOOD_END" -v sfrom="$(awk -v a="$FLOOD_START" -v b="$SLOPE_SKIP" 'BEGIN { print a + b }')" \
    -v sto="$slope_to" -v ev="$event_t" -v refm="$ref_mode" -v afrom="$afrom" -v ato="$ato" \
    -v rkib="$RECOVER_KIB" -v lstart="$lstart" -v csvout="$RUN.rowcsv" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    function v(name) { return (name in col) && $col[name] != "" ? $col[name] + 0 : "" }
    {
      t = v("t_s"); rss = v("rss_kib"); n++
      T[n] = t; R[n] = rss
      if (n == 1) base = rss
      if (rss > max) max = rss
      last = rss
      if (refm != "first" && t < refm + 0) ref_burst = rss
      if (t >= sfrom && t <= sto + 0.01) { sn++; st += t; sy += rss; sty += t * rss; stt += t * t }
      if (t > fs + 1 && t <= fe + 0.01) { cn++; cs += v("cpu_pct") }
      p = v("mem_peak"); if (p == "") p = v("mem_used")
      if (p != "" && p > peak) peak = p
      b = v("mem_budget"); if (b != "") budget = b
      if ("sessions" in col && v("sessions") > smax) smax = v("sessions")
      if ("sessions_refused" in col) refused = v("sessions_refused")
      if ("socket_pauses" in col) pauses = v("socket_pauses")
      if ("packets_dropped" in col) dropped = v("packets_dropped")
      if ("no_memory" in col) nomem = v("no_memory")
      if ("datagrams" in col) dgrams = v("datagrams")
      k = v("kernel_drops"); if (k != "" && k >= 0) kdrops = k
      k = v("kernel_rx_queue"); if (k != "" && k > kq) kq = k
      if ("idle_entries" in col) idles = v("idle_entries")
      if ("sessions_rate_limited" in col) ratelim = v("sessions_rate_limited")
      if ("stale_flushed" in col) flushed = v("stale_flushed")
      if (lstart != "-" && join == "" && t > lstart + 0 && v("rms") > 0.3) join = t - lstart
      if (afrom != "-" && t >= afrom + 0 && t <= ato + 0.01 && "rms" in col) {
        an++; ag += v("gap_frames"); r = v("rms")
        if (an == 1 || r < rmin) rmin = r
        if (an == 1 || r > rmax) rmax = r
      }
    }
    END {
      if (n == 0) { printf "%-26s %-5s no samples\n", name, rate; exit }
      slope = "-"
      if (sn >= 3 && sn * stt - st * st > 0)
        slope = sprintf("%.1f", (sn * sty - st * sy) / (sn * stt - st * st))
      ref = (refm == "first") ? base : ref_burst
      rec = "never"
      for (i = 1; i <= n; i++) {
        if (T[i] + 0.01 < ev) continue
        if (R[i] <= ref + rkib) { d = T[i] - ev; rec = sprintf("%.1f", (d > 0 ? d : 0)); break }
      }
      cpu = cn ? sprintf("%.1f", cs / cn) : "-"
      notes = ""
      if (dgrams != "") notes = notes sprintf("dgrams=%d ", dgrams)
      if (dropped != "") notes = notes sprintf("dropped=%d ", dropped)
      if (nomem != "") notes = notes sprintf("no_mem=%d ", nomem)
      if (pauses != "") notes = notes sprintf("pauses=%d ", pauses)
      if ("sessions" in col) notes = notes sprintf("sess_max=%d refused=%d ", smax, refused)
      if (ratelim != "") notes = notes sprintf("rate_limited=%d ", ratelim)
      if (idles != "") notes = notes sprintf("idle_entries=%d flushed=%d ", idles, flushed)
      if (kdrops != "") notes = notes sprintf("kernel_drops=%d kernel_q_max=%dK ", kdrops, kq / 1024)
      if (lstart != "-") notes = notes (join == "" ? "legit never played " : sprintf("legit joined<=%.1fs ", join))
      if (an > 0) notes = notes sprintf("audio %s: gap_frames=%d rms=%.3f..%.3f",
                                        (ag == 0 && rmin > 0.35 && rmax < 0.357) ? "OK" : "BAD",
                                        ag, rmin, rmax)
      pk = peak != "" ? sprintf("%d", peak / 1024) : "-"
      bg = budget != "" ? sprintf("%d", budget / 1024) : "-"
      printf "%-24s %-5s %9s %8d %8d %8d %8s %6s %8s %9s/%-7s %s\n", name, rate, pps, base, max,
             last, slope, cpu, rec, pk, bg, notes
      printf "%s,%s,%s,%d,%d,%d,%s,%s,%s,%s,%s,%s\n", name, rate, pps, base, max, last, slope,
             cpu, rec, pk, bg, notes > csvout
    }' "$RUN.csv" | tee "$RUN.row"
  echo "$REPRO" >"$RUN.cmd"
}

# ---- scenarios ----

run_s1() { # never read
  local r=$1 pps=$(( $1 * BASE_PPS ))
  start_lib never
  gen gen "$LEAD" "$DURATION" --pps "$pps" --streams "$STREAMS"
  finish_lib
  summarize "$RUN_NAME" "${r}x" "$FLOOD_END" "$FLOOD_END" first - -
}

run_s2() { # rill-recv into a pipe that stalls
  local r=$1 pps=$(( $1 * BASE_PPS ))
  start_recv stall
  gen gen "$LEAD" "$DURATION" --pps "$pps" --streams "$STREAMS"
  finish_recv
  summarize "$RUN_NAME" "${r}x" "$STALL_END" "$FLOOD_END" first - -
}

run_s3() { # rill-recv reading normally
  local r=$1 pps=$(( $1 * BASE_PPS ))
  start_recv null
  gen gen "$LEAD" "$DURATION" --pps "$pps" --streams "$STREAMS"
  finish_recv
  summarize "$RUN_NAME" "${r}x" "$FLOOD_END" "$FLOOD_END" first - -
}

run_s4() { # real-time stream, burst of the same stream, real time again
  local r=$1 pps=$(( $1 * BASE_PPS )) bstart bend rt
  bstart=$(awk -v l="$LEAD" -v w="$BURST_WARM" 'BEGIN { print l + w }')
  bend=$(awk -v s="$bstart" -v b="$BURST_LEN" 'BEGIN { print s + b }')
  rt=$(awk -v n="$STREAMS" 'BEGIN { printf "%.4f", n * 44100 / 221 }')
  start_lib read
  gen gen "$LEAD" "$DURATION" --streams "$STREAMS" --sine \
    --profile "$BURST_WARM:$rt,$BURST_LEN:$pps,1:$rt"
  finish_lib
  # Audio is checked from 2 s after the burst: playback must be back.
  summarize "$RUN_NAME" "${r}x" "$bend" "$bend" "$bstart" \
    "$(awk -v e="$bend" 'BEGIN { print e + 2 }')" "$FLOOD_END"
}

run_s5() { # fake senders beside a legitimate stream that started first
  local r=$1 pps=$(( $1 * BASE_PPS )) fstart
  fstart=$(awk -v l="$LEAD" 'BEGIN { print l + 1 }')
  start_lib read
  gen gen-legit "$LEAD" "$DURATION" --realtime --sine --seed 11
  gen gen-fake "$fstart" $((DURATION - 1)) --pps "$pps" --random-ssrc --seed 12
  finish_lib
  summarize "$RUN_NAME" "${r}x" "$FLOOD_END" "$FLOOD_END" first \
    "$(awk -v l="$LEAD" 'BEGIN { print l + 2 }')" "$FLOOD_END" "$LEAD"
}

run_s6() { # one unthrottled sender beside a legitimate stream
  start_lib read
  gen gen-legit "$LEAD" "$DURATION" --realtime --sine --seed 21
  gen gen-flood "$LEAD" "$DURATION" --unthrottled --streams 1 --amplitude 0 --seed 22
  finish_lib
  summarize "$RUN_NAME" max "$FLOOD_END" "$FLOOD_END" first \
    "$(awk -v l="$LEAD" 'BEGIN { print l + 2 }')" "$FLOOD_END"
}

run_s7() { # fake senders first, the legitimate stream joins during the flood
  local r=$1 pps=$(( $1 * BASE_PPS )) lstart
  # 2.37 s: not on a whole second of the fake flood, whose session churn
  # (creation windows, 2 s timeouts) runs on whole seconds from its start.
  lstart=$(awk -v l="$LEAD" 'BEGIN { print l + 2.37 }')
  start_lib read
  gen gen-fake "$LEAD" "$DURATION" --pps "$pps" --random-ssrc --seed 31
  gen gen-legit "$lstart" "$(awk -v d="$DURATION" 'BEGIN { print d - 2.37 }')" --realtime --sine \
    --seed 32
  finish_lib
  # Audio is checked from 5 s after the join attempt: by then it must play.
  summarize "$RUN_NAME" "${r}x" "$FLOOD_END" "$FLOOD_END" first \
    "$(awk -v s="$lstart" 'BEGIN { print s + 5 }')" "$FLOOD_END" "$lstart"
}

scenario_name() {
  case $1 in
  1) echo s1-lib-never-read ;;
  2) echo s2-recv-pipe-stall ;;
  3) echo s3-recv-reading ;;
  4) echo s4-burst-then-1x ;;
  5) echo s5-fake-ssrc+legit ;;
  6) echo s6-unthrottled+legit ;;
  7) echo s7-legit-joins-fakes ;;
  esac
}

# The rill being measured: the git state of the build tree's source.
BUILD_SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt" 2>/dev/null) || true
VERSION="$(git -C "${BUILD_SRC:-$ROOT}" describe --always --dirty 2>/dev/null || echo '?') (source ${BUILD_SRC:-?})"
header() {
  echo "# reproduce: $REPRO"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores; rill $VERSION"
  echo "# 1x = $BASE_PPS packets/s of 221-frame L16 stereo (884 B payload); flood $DURATION s from t=${LEAD} s, tail $TAIL s; streams $STREAMS (s1-s4)"
  echo "# RSS in KiB; slope over [flood+${SLOPE_SKIP}s, end of load]; cpu = mean % of one core during the flood;"
  echo "# recover = s after the load until RSS <= baseline + $RECOVER_KIB KiB (s4: pre-burst RSS); rill peak/budget = charged memory, KiB"
  printf "%-24s %-5s %9s %8s %8s %8s %8s %6s %8s %17s %s\n" scenario rate pps_sent base max end \
    slope cpu recover "rill peak/budget" notes
}
header

IFS=, read -r -a scen_list <<<"$SCENARIOS"
IFS=, read -r -a rate_list <<<"$RATES"
for s in "${scen_list[@]}"; do
  if [ "$s" = 6 ]; then
    RUN_NAME=$(scenario_name 6)
    RUN=$OUT/${RUN_NAME}_max
    rm -f "$RUN".*
    run_s6
    continue
  fi
  for r in "${rate_list[@]}"; do
    # A burst at 1x is no burst.
    if [ "$s" = 4 ] && [ "$r" -le 1 ]; then continue; fi
    RUN_NAME=$(scenario_name "$s")
    RUN=$OUT/${RUN_NAME}_${r}x
    rm -f "$RUN".*
    "run_s$s" "$r"
  done
done

# Every run present in OUT, in scenario and rate order.
rows=$(ls "$OUT"/*.row 2>/dev/null | sort -V) || true
{
  header
  for f in $rows; do cat "$f"; done
  for f in $rows; do
    if [ "$(cat "${f%.row}.cmd" 2>/dev/null)" != "$REPRO" ]; then
      echo "# some rows come from other invocations: see their .cmd files"
      break
    fi
  done
} >"$SUMMARY_TXT"
{
  echo "scenario,rate,pps_sent,base_kib,max_kib,end_kib,slope_kib_s,cpu_pct,recover_s,rill_peak_kib,rill_budget_kib,notes"
  for f in $rows; do cat "${f%.row}.rowcsv"; done
} >"$SUMMARY_CSV"

if [ "$PLOT" = 1 ]; then
  mkdir -p "$(dirname "$PLOT_TO")"
  if gnuplot -e "dir='$OUT'; out='$PLOT_TO'; flood_start=$FLOOD_START; flood_end=$FLOOD_END; run_s=$RUN_S; title_note='${DURATION} s floods from t=${LEAD} s (dashed), then ${TAIL} s quiet; rill ${VERSION%% *}, $(nproc) cores'" \
    "$ROOT/bench/flood_plot.gp"; then
    echo "plot: $PLOT_TO"
  else
    echo "flood_run: gnuplot failed" >&2
  fi
fi
echo "summary: $SUMMARY_TXT"
echo "csv: $OUT"
