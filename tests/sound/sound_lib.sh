# shellcheck shell=bash
# Helpers shared by the sound-server tests (pw_lib.sh, pa_lib.sh); sourced
# after tests/interop/lib.sh ($tmp, $pids, fail, check, between).

# RT: the command prefix that runs a program at real-time priority when
# allowed (chrt -f 10), as a desktop runs PipeWire and its clients' data
# threads. Without it, a loaded machine delays a client's cycles, PipeWire
# skips them (xruns), and the reader's latency steps up.
RT=()
if chrt -f 10 true 2>/dev/null; then RT=(chrt -f 10); fi

# check_tone FILE REF FREQ MIN_SNR MIN_FRAMES MAX_FRAMES: both channels of
# FILE carry the tone of REF: FREQ +-2 Hz, no gap, MIN_FRAMES..MAX_FRAMES
# frames of signal, and a stretch of 1 s with SNR >= MIN_SNR dB against
# REF. One second, not the whole tone: a sound server whose daemon is held
# off the CPU for tens of milliseconds (a loaded machine) skips graph
# cycles and the sine's phase jumps there, with no packet lost and no gap
# (reproduced by stopping the PipeWire daemon for 60 ms: SNR 8 dB over 3 s).
check_tone() {
  local ch
  for ch in 0 1; do
    check "ch$ch" "$wavcheck" "$1" --channel "$ch" --skip-leading-silence --freq "$3" \
      --freq-tol 2 --max-gap-frames 2 --ref "$2" --ref-duration 1 --min-snr "$4"
    between "non-silent frames (channel $ch)" "$(value signal_frames "$tmp/ch$ch.txt")" "$5" "$6"
  done
}

# wait_log FILE TEXT SECONDS: wait until FILE holds a line with TEXT.
wait_log() {
  local _
  for _ in $(seq $(($3 * 10))); do
    grep -qF "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$1" >&2
  fail "no '$2' in $1 after $3 s"
}

# record_catch_up FILE BYTES_PER_SECOND: let a monitor recording grow by
# 0.3 s of audio from now: before it is stopped, so that what was played
# before the call is in it (the recorder runs a graph cycle or two behind
# the player, more on a loaded machine), and after it starts, so that its
# links are active. (pipewire_recv_tone's recording came up 10-20 ms
# short of the tone twice in full suites, clean otherwise, never in 60
# runs alone; which end was missing is not known.)
record_catch_up() {
  local size
  size=$(stat -c %s "$1" 2>/dev/null || echo 0)
  wait_size "$1" $((size + $2 * 3 / 10)) 10
}

# record_stop BYTES_PER_SECOND: stop the recorder $rec_pid (SIGINT: it
# finishes the file) once $rec_file holds what was played before the call.
record_stop() {
  record_catch_up "$rec_file" "$1"
  kill -INT "$rec_pid" 2>/dev/null || true
  wait "$rec_pid" 2>/dev/null || true
}

# wait_size FILE BYTES SECONDS: wait until FILE holds at least BYTES.
wait_size() {
  local _
  for _ in $(seq $(($3 * 10))); do
    [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "$1 is $(stat -c %s "$1" 2>/dev/null || echo 0) bytes after $3 s, expected >= $2"
}

# expect_reconnect NAME PID LOG MESSAGE: the sound server was just killed
# under tool NAME (PID, its stderr in LOG): it says why in one line holding
# MESSAGE and that it is reconnecting, and keeps running (no crash, no
# exit).
expect_reconnect() {
  wait_log "$3" "; reconnecting" 20
  grep -q "$4.*; reconnecting" "$3" || { cat "$3" >&2; fail "$1 did not say why ('$4')"; }
  kill -0 "$2" 2>/dev/null || fail "$1 exited when the server went away"
}

# expect_reconnected NAME PID LOG: the server is back: NAME says so, and
# stops cleanly on SIGINT (exit 0) with exactly the two lines on stderr.
expect_reconnected() {
  local rc=0
  kill -INT "$2"
  wait "$2" || rc=$?
  cat "$3"
  between "$1's exit status" "$rc" 0 0
  between "lines on $1's stderr (gone, reconnected)" "$(wc -l <"$3")" 2 2
  grep -q ": reconnected" "$3" || fail "$1 did not say it reconnected"
}

# start_file_receiver [ARGS]: rill-recv on a free port of 127.0.0.1 writing
# $tmp/out.wav (200 ms target, no drift compensation, 500 ms session
# timeout, ARGS), stats every 100 ms in $tmp/recv.jsonl. Sets recv_pid and
# port.
start_file_receiver() {
  timeout -k 5 60 "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o "$tmp/out.wav" \
    --target-latency 200ms --no-drift-compensation --session-timeout 500ms "$@" \
    --stats-json "$tmp/recv.jsonl" --stats-interval 100ms >"$tmp/recv.log" 2>&1 &
  recv_pid=$!
  pids+=("$recv_pid")
  wait_port_file "$tmp/port"
  port=$(cat "$tmp/port")
}

# stop_capture SEND_PID SEND_LOG RECV_PID RECV_LOG: stop a capturing
# rill-send with SIGINT; it and the --oneshot rill-recv it feeds exit 0.
stop_capture() {
  local rc=0
  kill -INT "$1"
  wait "$1" || rc=$?
  cat "$2"
  [ "$rc" -eq 0 ] || fail "rill-send exited $rc"
  rc=0
  wait "$3" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$4" >&2; fail "rill-recv exited $rc"; }
}

# json_last KEY FILE: KEY's value (an integer) on the last line of a JSON
# Lines stats file that has it ("" if none).
json_last() {
  { grep -o "\"$1\":-\?[0-9]*" "$2" 2>/dev/null || true; } | tail -n 1 | cut -d: -f2
}

# wait_json KEY MIN FILE SECONDS [MAX]: wait until MIN <= KEY (<= MAX) on
# the last line.
wait_json() {
  local _ v max=${5:-}
  for _ in $(seq $(($4 * 10))); do
    v=$(json_last "$1" "$3")
    if [ -n "$v" ] && [ "$v" -ge "$2" ] && { [ -z "$max" ] || [ "$v" -le "$max" ]; }; then
      return 0
    fi
    sleep 0.1
  done
  fail "$1 = '$(json_last "$1" "$3")' in $3 after $4 s, expected $2..${max:-}"
}

# rss_kib PID: resident set size in KiB.
rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}
