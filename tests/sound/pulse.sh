#!/usr/bin/env bash
# The tools with a headless PulseAudio daemon started here (pa_lib.sh: a
# null sink "null" at 44.1 kHz stereo, its monitor "null.monitor").
#
# mode recv-tone: rill-send sends a 3 s, 440 Hz tone to rill-recv -o
#   pulse://null; the sink's monitor, recorded with parecord, carries it on
#   both channels: 440 +-2 Hz, 3 s (+-10 ms) of signal, no gap, SNR >= 40 dB
#   (no rate conversion anywhere), none lost; rill-recv exits 0 (--oneshot).
# mode send-monitor: paplay plays the tone into the null sink while
#   rill-send -i pulse://null.monitor (what the machine plays) streams to
#   rill-recv, which writes a file: the tone, >= 2.9 s of it, no gap,
#   SNR >= 40 dB; rill-send stops on SIGINT and exits 0.
# mode recv-server-restart: while rill-recv -o pulse://null plays a live
#   stream, the daemon is killed (SIGKILL): one line on stderr, and it keeps
#   running; the daemon is started again: rill-recv reconnects (one line)
#   and the live tone plays again (the monitor's recording: 440 +-2 Hz at
#   the tone's level); SIGINT ends it with exit 0.
#
# usage: pulse.sh MODE RILL_SEND RILL_RECV WAVGEN WAVCHECK
set -euo pipefail
mode=$1 send=$2 recv=$3 wavgen=$4 wavcheck=$5
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pa_lib.sh
. "$(dirname "$0")/pa_lib.sh"
case "$mode" in
  recv-tone | send-monitor) seconds=3 ;;
  recv-server-restart) seconds=30 ;;
  *) fail "mode must be recv-tone, send-monitor or recv-server-restart, not '$mode'" ;;
esac

pa_start
timeout -k 5 30 "$wavgen" -o "$tmp/tone.wav" --rate 44100 --channels 2 --duration "$seconds" \
  --freq 440 --amp 0.5
timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate 44100 --channels 2 --duration 3 \
  --freq 440 --amp 0.5

if [ "$mode" = send-monitor ]; then
  need paplay
  start_file_receiver --oneshot
  timeout -k 5 60 "${RT[@]}" "$send" -i pulse://null.monitor -s "rtp://127.0.0.1:$port" \
    >"$tmp/send.log" 2>&1 &
  send_pid=$!
  pids+=("$send_pid")
  # The monitor carries silence until paplay plays: the session is live.
  wait_json packets_received 20 "$tmp/recv.jsonl" 20
  timeout -k 5 30 paplay -d null "$tmp/tone.wav" || fail "paplay failed"
  # What paplay wrote is played within the sink's latency; then stop.
  played=$(json_last packets_received "$tmp/recv.jsonl")
  wait_json packets_received $((played + 100)) "$tmp/recv.jsonl" 20
  stop_capture "$send_pid" "$tmp/send.log" "$recv_pid" "$tmp/recv.log"
  # paplay's start and end on the null sink are not sample-exact: 3 s
  # less at most 50 ms.
  check_tone "$tmp/out.wav" "$tmp/ref.wav" 440 40 $((132300 - 2205)) $((132300 + 441))
  echo "PASS: paplay -> null sink -> rill-send -i pulse://null.monitor -> rill-recv: the tone"
  exit 0
fi

# recv-server-restart: drift compensation off, as in recv_pipewire.sh.
extra=()
[ "$mode" = recv-server-restart ] && extra=(--no-drift-compensation)
# A 100 ms device buffer, not the default 20 ms: under TSan rill-recv's
# writes can come that late, and PulseAudio then plays zeros in place of
# the late audio (seen once under TSan: a 2.6 ms run of zeros in the
# recording, the tone's length unchanged). The path tested is the same.
timeout -k 5 60 "${RT[@]}" "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" \
  -o pulse://null --io-latency 100ms --target-latency 200ms --oneshot --session-timeout 500ms \
  "${extra[@]}" \
  --stats-json "$tmp/stats.jsonl" --stats-interval 100ms >"$tmp/recv.out" 2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
wait_port_file "$tmp/port"
port=$(cat "$tmp/port")
# The null sink starts with a 2 s block before it honours the stream's
# latency, so rill-recv's first reads can be seconds apart (it may even go
# idle). A stream of silence first, until its packets play (the device
# reads); it goes on under the tone, so that the session count never drops
# to 0 before the tone's end (--oneshot).
timeout -k 5 30 "$wavgen" -o "$tmp/silence.wav" --rate 44100 --channels 2 --duration 4 --amp 0
timeout -k 5 30 "$send" -i "$tmp/silence.wav" -s "rtp://127.0.0.1:$port" \
  >/dev/null 2>&1 &
silence_pid=$!
pids+=("$silence_pid")
wait_json packets_played 20 "$tmp/stats.jsonl" 20

if [ "$mode" = recv-server-restart ]; then
  timeout -k 5 60 "$send" -i "$tmp/tone.wav" -s "rtp://127.0.0.1:$port" >/dev/null 2>&1 &
  pids+=($!)
  wait_json packets_played 300 "$tmp/stats.jsonl" 20
  kill -KILL "$pa_pid"
  wait "$pa_pid" 2>/dev/null || true
  expect_reconnect rill-recv "$recv_pid" "$tmp/recv.log" "PulseAudio server went away"
  pa_start
  wait_log "$tmp/recv.log" ": reconnected" 20
  pa_record_start "$tmp/rec.wav"
  played=$(json_last packets_played "$tmp/stats.jsonl")
  wait_json packets_played $((played + 200)) "$tmp/stats.jsonl" 20
  # A new null sink hands its monitor over in blocks of up to 2 s at first:
  # wait for 1.5 s of recording (44.1 kHz stereo s16).
  wait_size "$tmp/rec.wav" $((44 + 66150 * 4)) 20
  pa_record_stop
  # The tone is back. (Not checked for gaps: a new null sink consumes in
  # bursts at first, and a burst that empties the jitter buffer re-primes
  # it, as it should; recv-tone checks the steady state.)
  for ch in 0 1; do
    check "ch$ch" "$wavcheck" "$tmp/rec.wav" --channel "$ch" --skip-leading-silence \
      --freq 440 --freq-tol 2 --min-rms 0.2
  done
  expect_reconnected rill-recv "$recv_pid" "$tmp/recv.log"
  exit 0
fi

pa_record_start "$tmp/rec.wav"
timeout -k 5 30 "$send" -i "$tmp/tone.wav" -s "rtp://127.0.0.1:$port" \
  || fail "rill-send failed"
wait "$silence_pid" || fail "rill-send (silence) failed"
rc=0
wait "$recv_pid" || rc=$?
cat "$tmp/recv.log"
[ "$rc" -eq 0 ] || fail "rill-recv exited $rc"
pa_record_stop
between "packets lost" "$(json_last packets_lost "$tmp/stats.jsonl")" 0 0
check_tone "$tmp/rec.wav" "$tmp/ref.wav" 440 40 $((132300 - 441)) $((132300 + 441))
echo "PASS: rill-send -> rill-recv -o pulse://null -> null.monitor: the tone, whole"
