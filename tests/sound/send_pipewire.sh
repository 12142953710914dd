#!/usr/bin/env bash
# rill-send -i pipewire:// capturing in a headless PipeWire daemon started
# here: its node "rill-send" is linked by hand to the daemon's audiotestsrc
# (440 Hz, volume 0.5, clocked by the graph) and streams to rill-recv,
# which writes a file. The graph's clock drives rill-send's writes.
#
# mode tone: after 4 s of audio has arrived, rill-send is stopped (SIGINT);
#   it exits 0 and rill-recv (--oneshot) writes the tone on both channels:
#   440 +-2 Hz, no gap, SNR >= 25 dB against a sine (the graph runs at
#   48 kHz: the fractional-lag bound of source_tone.sh), at least 4 s.
# mode server-restart: while rill-send streams, the daemon is killed
#   (SIGKILL): rill-send says so in one line and keeps running; the daemon
#   is started again: rill-send reconnects (one line), its new node is
#   linked to the tone, and packets flow to rill-recv again (200 more);
#   SIGINT ends it with exit 0 and those two lines on stderr.
#
# usage: send_pipewire.sh tone|server-restart RILL_SEND RILL_RECV WAVGEN WAVCHECK MODULE_DIR
#        SYSTEM_MODULE_DIR [PRELOAD]
set -euo pipefail
mode=$1 send=$2 recv=$3 wavgen=$4 wavcheck=$5
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pw_lib.sh
. "$(dirname "$0")/pw_lib.sh"
pw_setup "$6" "$7" "${8:-}"
case "$mode" in
  tone) start_args=(--oneshot) ;;
  # The stream stops while the server is away: not --oneshot.
  server-restart) start_args=() ;;
  *) fail "mode must be tone or server-restart" ;;
esac

pw_conf "$tmp/pw.conf" "" "$(pw_test_tone)"
pw_start "$tmp/pw.conf"
pw_test_tone_start

start_file_receiver "${start_args[@]}"

PIPEWIRE_PROPS="{ node.name = rill-send $PW_NODE_PROPS }" timeout -k 5 60 "${RT[@]}" "$send" \
  -i pipewire:// -s "rtp://127.0.0.1:$port" >"$tmp/send.log" 2>&1 &
send_pid=$!
pids+=("$send_pid")
pw_link test-tone:capture_1 rill-send:input_FL
pw_link test-tone:capture_1 rill-send:input_FR
# 4 s of audio on both channels at the receiver (5 ms packets), counted
# from the second link on (the first channel's link is earlier by however
# long pw-link takes to start).
received=$(json_last packets_received "$tmp/recv.jsonl")
wait_json packets_received $((${received:-0} + 800)) "$tmp/recv.jsonl" 30

if [ "$mode" = server-restart ]; then
  kill -KILL "$pw_pid"
  wait "$pw_pid" 2>/dev/null || true
  expect_reconnect rill-send "$send_pid" "$tmp/send.log" "PipeWire server went away"
  pw_start "$tmp/pw.conf"
  pw_test_tone_start
  wait_log "$tmp/send.log" ": reconnected" 20
  received=$(json_last packets_received "$tmp/recv.jsonl")
  pw_link test-tone:capture_1 rill-send:input_FL
  pw_link test-tone:capture_1 rill-send:input_FR
  wait_json packets_received $((received + 200)) "$tmp/recv.jsonl" 20
  expect_reconnected rill-send "$send_pid" "$tmp/send.log"
  kill -INT "$recv_pid"
  wait "$recv_pid" || fail "rill-recv failed"
  exit 0
fi

stop_capture "$send_pid" "$tmp/send.log" "$recv_pid" "$tmp/recv.log"
pw_stop

timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate 44100 --channels 2 --duration 3 --freq 440 \
  --amp 0.5
# 4 s less 50 ms: the 800 packets counted include those captured between
# the two links, when the right channel was still silent.
check_tone "$tmp/out.wav" "$tmp/ref.wav" 440 25 $((4 * 44100 - 2205)) $((60 * 44100))
echo "PASS: audiotestsrc -> rill-send -i pipewire:// -> rill-recv: the tone"
