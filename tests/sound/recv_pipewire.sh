#!/usr/bin/env bash
# rill-recv -o pipewire:// playing to a headless PipeWire daemon started
# here; its node "rill-recv" is linked to the null sink by hand (no session
# manager; PIPEWIRE_PROPS gives the stream ports and the dummy driver's
# group). The graph's clock drives rill-recv's reads.
#
# mode tone: rill-send sends a 3 s, 440 Hz tone; the null sink's monitor,
#   recorded with pw-record at 48 kHz, carries it on both channels:
#   440 +-2 Hz, 3 s (-25/+10 ms) of signal, no gap, SNR >= 25 dB (the 44.1 ->
#   48 kHz fractional-lag bound: see source_tone.sh); rill-recv exits 0
#   (--oneshot) with every packet played, none lost or late, no latency
#   step dropped.
# mode server-restart: while rill-recv plays a live stream, the daemon is
#   killed (SIGKILL): rill-recv says so in one line and keeps running; the
#   daemon is started again: rill-recv reconnects (one line), and once its
#   new node is linked the live tone plays again (440 +-2 Hz, no gap, in the
#   monitor's recording); SIGINT ends it with exit 0, two lines on stderr.
# mode node-destroyed: the same, but rill-recv's node is destroyed
#   (pw-cli destroy) instead of the daemon: it opens a new stream.
#
# usage: recv_pipewire.sh tone|server-restart|node-destroyed RILL_SEND RILL_RECV WAVGEN WAVCHECK MODULE_DIR
#        SYSTEM_MODULE_DIR [PRELOAD]
set -euo pipefail
mode=$1 send=$2 recv=$3 wavgen=$4 wavcheck=$5
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
# shellcheck source=tests/sound/pw_lib.sh
. "$(dirname "$0")/pw_lib.sh"
pw_setup "$6" "$7" "${8:-}"
case "$mode" in
  tone) seconds=3 ;;
  server-restart | node-destroyed) seconds=30 ;;
  *) fail "mode must be tone, server-restart or node-destroyed, not '$mode'" ;;
esac

pw_conf "$tmp/pw.conf"
pw_start "$tmp/pw.conf"
timeout -k 5 30 "$wavgen" -o "$tmp/tone.wav" --rate 44100 --channels 2 --duration "$seconds" \
  --freq 440 --amp 0.5
timeout -k 5 30 "$wavgen" -o "$tmp/ref48.wav" --rate 48000 --channels 2 --duration 3 \
  --freq 440 --amp 0.5

# server-restart, node-destroyed: reads resume while the sender is live, and the session
# can start some 50 ms above the target; the drift controller then steers
# at its 0.5 % clamp for seconds (a pitch the tone check would reject).
# That is the receiver's business, not the reconnection's: off here.
extra=()
[ "$mode" != tone ] && extra=(--no-drift-compensation)
PIPEWIRE_PROPS="{ node.name = rill-recv $PW_NODE_PROPS }" timeout -k 5 60 "${RT[@]}" "$recv" \
  -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o pipewire:// --target-latency 200ms \
  --oneshot --session-timeout 500ms --stats-json "$tmp/stats.jsonl" --stats-interval 100ms \
  "${extra[@]}" >"$tmp/recv.out" 2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
wait_port_file "$tmp/port"
port=$(cat "$tmp/port")
pw_link rill-recv:output_FL null-sink:playback_FL
pw_link rill-recv:output_FR null-sink:playback_FR

if [ "$mode" != tone ]; then
  timeout -k 5 60 "$send" -i "$tmp/tone.wav" -s "rtp://127.0.0.1:$port" >/dev/null 2>&1 &
  pids+=($!)
  wait_json packets_played 100 "$tmp/stats.jsonl" 20
  if [ "$mode" = server-restart ]; then
    kill -KILL "$pw_pid"
    wait "$pw_pid" 2>/dev/null || true
    expect_reconnect rill-recv "$recv_pid" "$tmp/recv.log" "PipeWire server went away"
    pw_start "$tmp/pw.conf"
  else
    node=$(timeout -k 5 10 pw-cli ls Node |
      awk '/^[ \t]*id / { id = $2 } /node.name = "rill-recv"/ { print id }' | tr -d ,)
    [ -n "$node" ] || fail "no node rill-recv"
    timeout -k 5 10 pw-cli destroy "$node" >/dev/null || fail "pw-cli destroy $node"
    expect_reconnect rill-recv "$recv_pid" "$tmp/recv.log" "stream was disconnected"
  fi
  wait_log "$tmp/recv.log" ": reconnected" 20
  pw_link rill-recv:output_FL null-sink:playback_FL
  pw_link rill-recv:output_FR null-sink:playback_FR
  pw_record_start "$tmp/rec.wav"
  played=$(json_last packets_played "$tmp/stats.jsonl")
  wait_json packets_played $((played + 200)) "$tmp/stats.jsonl" 20
  pw_record_stop
  # The recording starts in silence and ends in the tone: a reference
  # shorter than the tone, so that it aligns inside it.
  timeout -k 5 30 "$wavgen" -o "$tmp/ref-short.wav" --rate 48000 --channels 2 --duration 0.25 \
    --freq 440 --amp 0.5
  # 200 packets played (1 s); the recording may stop before the last of it.
  check_tone "$tmp/rec.wav" "$tmp/ref-short.wav" 440 25 24000 2000000
  expect_reconnected rill-recv "$recv_pid" "$tmp/recv.log"
  exit 0
fi

pw_record_start "$tmp/rec.wav"
timeout -k 5 30 "$send" -i "$tmp/tone.wav" -s "rtp://127.0.0.1:$port" \
  --stats-json "$tmp/send.jsonl" || fail "rill-send failed"
sent=$(json_last packets_sent "$tmp/send.jsonl")
rc=0
wait "$recv_pid" || rc=$?
cat "$tmp/recv.log"
[ "$rc" -eq 0 ] || fail "rill-recv exited $rc"
pw_record_stop
# rill played every packet (rill-send's count is taken before its last,
# partly filled packet), none lost or late, and dropped no latency step.
between "packets played" "$(json_last packets_played "$tmp/stats.jsonl")" "$sent" $((sent + 1))
between "packets lost" "$(json_last packets_lost "$tmp/stats.jsonl")" 0 0
between "packets late" "$(json_last packets_late "$tmp/stats.jsonl")" 0 0
grep -q '"latency_steps":[1-9]' "$tmp/stats.jsonl" && fail "a latency step was dropped"
# The recording: 3 s of tone, less at most 25 ms (about a graph cycle; see
# record_catch_up), no more than 10 ms over.
check_tone "$tmp/rec.wav" "$tmp/ref48.wav" 440 25 $((144000 - 1200)) $((144000 + 480))
pw_stop
echo "PASS: rill-send -> rill-recv -o pipewire:// -> null sink: the tone, whole"
