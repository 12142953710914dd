#!/usr/bin/env bash
# Streams a 3 s sine (left) and frame counter (right) from rill-send to
# rill-recv over 127.0.0.1 (default settings but a 250 ms target latency, so
# that a loaded CI machine running sanitizer builds does not make packets
# late), optionally through
# udp_relay with loss and reordering, and checks what arrived: frequency,
# every frame, SNR against the input once aligned, and the
# receiver's counters (its --stats-json file) against the sender's and the
# relay's.
#
# usage: loopback_stream.sh RILL_SEND RILL_RECV WAVGEN WAVCHECK UDP_RELAY [clean|lossy|resample]
# (resample: a 48 kHz file that rill-send resamples to 44.1 kHz, received
# with default settings, drift compensation included.)
# The receiver runs with --no-drift-compensation: the SNR check compares
# against the input at one fixed alignment, which a drift-compensating
# resampler (correctly) does not keep when it steers the ratio; drift
# compensation has its own tests (tests/pipeline, tests/audio).
set -euo pipefail
send=$1 recv=$2 wavgen=$3 wavcheck=$4 relay=$5 mode=${6:-clean}
# shellcheck source=/dev/null
. "$(dirname "$0")/../../scripts/scratch.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
value() { grep -E "^$1=" "$2" | head -n 1 | cut -d= -f2; }
# shellcheck source=stats_json.sh
. "$(dirname "$0")/stats_json.sh"
recv_stat() { stats_json_value "$tmp/recv.jsonl" "$1" || fail "no $1 in rill-recv's stats"; }

if [ "$mode" = resample ]; then
  # A 48 kHz file: rill-send resamples it to the stream's 44.1 kHz (PT 10).
  "$wavgen" -o "$tmp/in.wav" --rate 48000 --duration 3 --freq 440
else
  "$wavgen" -o "$tmp/in.wav" --duration 3 --freq 440 --counter
fi
in_frames=132300
drift_args=(--no-drift-compensation)
[ "$mode" = resample ] && drift_args=()
packet=220 # 5 ms at 44100 Hz (rill-send's default packet length)
# Packets on the wire: the last, partial one is completed with silence.
packets=$(((in_frames + packet - 1) / packet))

timeout -k 5 30 "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o "$tmp/out.wav" \
  "${drift_args[@]}" \
  --target-latency 250ms \
  --oneshot --session-timeout 500ms --duration 20s -v --stats-json "$tmp/recv.jsonl" \
  2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || fail "rill-recv did not report its port"
port=$(cat "$tmp/port")
dest=$port

if [ "$mode" = lossy ]; then
  # 5% random loss and 10% reordering (a datagram held and sent after the
  # next), deterministic for the seed.
  timeout -k 5 30 "$relay" --listen 127.0.0.1:0 --forward "127.0.0.1:$port" --loss 5 --reorder 10 \
    --hold-ms 20 --seed 7 --duration 25 --port-file "$tmp/relay_port" 2>"$tmp/relay.log" &
  relay_pid=$!
  pids+=("$relay_pid")
  for _ in $(seq 100); do [ -s "$tmp/relay_port" ] && break; sleep 0.05; done
  [ -s "$tmp/relay_port" ] || fail "udp_relay did not report its port"
  dest=$(head -n 1 "$tmp/relay_port")
fi

timeout -k 5 30 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$dest" -v \
  --stats-json "$tmp/send.jsonl" 2>"$tmp/send.log" \
  || { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
wait "$recv_pid" || { cat "$tmp/recv.log" >&2; fail "rill-recv failed"; }
cat "$tmp/send.log" "$tmp/recv.log"
tail -n 1 "$tmp/send.jsonl" "$tmp/recv.jsonl"

# Counters from the final --stats-json lines. The sender's is taken before
# it closes, when the last, partial packet is still to be sent: it counts
# that one packet fewer (and up to two more may still be queued).
sent=$(stats_json_value "$tmp/send.jsonl" packets_sent) || fail "no packets_sent in rill-send's stats"
received=$(recv_stat packets_received)
lost=$(recv_stat packets_lost)
late=$(recv_stat packets_late)
echo "sent $sent, received $received, lost $lost, late $late (of $packets packets)"
[ "$(recv_stat sessions_created)" -eq 1 ] || fail "expected one session"
[ "$(recv_stat bad_packets)" -eq 0 ] || fail "the receiver counted bad packets"
[ "$sent" -ge $((packets - 3)) ] && [ "$sent" -le "$packets" ] \
  || fail "rill-send counted $sent packets sent, expected about $packets"

if [ "$mode" = resample ]; then
  # Default receiver (drift compensation on): the tone keeps its pitch, no
  # gap, and 3 s of it arrive (within a packet at each end).
  "$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 1 \
    --max-gap-frames 2 --min-frames $((in_frames - 2 * packet)) >"$tmp/check.txt" \
    || { cat "$tmp/check.txt"; fail "audio check failed"; }
  cat "$tmp/check.txt"
  signal=$(value signal_frames "$tmp/check.txt")
  [ "$signal" -ge $((in_frames - 2 * packet)) ] && [ "$signal" -le $((in_frames + 2 * packet)) ] \
    || fail "received $signal frames of signal, expected about $in_frames"
  # Resampling may shift the packet count by one at the end.
  [ "$received" -ge "$sent" ] && [ "$received" -le $((packets + 1)) ] \
    || fail "received $received packets, sent $sent"
  [ "$lost" -eq 0 ] && [ "$late" -eq 0 ] || fail "receiver counted losses on a clean path"
elif [ "$mode" = clean ]; then
  # The sine itself has exact zeros (sin(2*pi*22) at frame 2205): a gap of
  # 1-2 frames is the signal, a lost packet would be 220.
  "$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 1 \
    --ref "$tmp/in.wav" --min-snr 60 --max-gap-frames 2 >"$tmp/check.txt" \
    || { cat "$tmp/check.txt"; fail "audio check failed"; }
  cat "$tmp/check.txt"
  # The counter channel aligns exactly and every frame is bit-exact (L16).
  "$wavcheck" "$tmp/out.wav" --skip-leading-silence --channel 1 --ref "$tmp/in.wav" \
    --ref-channel 1 --align-channel 1 --min-snr 100 >"$tmp/check1.txt" \
    || { cat "$tmp/check1.txt"; fail "counter channel check failed"; }
  signal=$(value signal_frames "$tmp/check.txt")
  # Every frame arrives (the last packet is completed with silence); the
  # sine's first sample is 0, so it counts as leading silence.
  [ "$signal" -le "$in_frames" ] && [ "$signal" -ge $((in_frames - 2)) ] \
    || fail "received $signal frames of signal, expected $in_frames"
  [ "$received" -eq "$packets" ] || fail "received $received packets, sent $packets"
  [ "$lost" -eq 0 ] && [ "$late" -eq 0 ] && [ "$(recv_stat packets_duplicate)" -eq 0 ] \
    || fail "receiver counted losses on a clean path"
else
  kill -TERM "$relay_pid" 2>/dev/null || true
  wait "$relay_pid" 2>/dev/null || true
  cat "$tmp/relay.log"
  dropped=$(grep -Eo "dropped=[0-9]+" "$tmp/relay.log" | cut -d= -f2)
  reordered=$(grep -Eo "reordered=[0-9]+" "$tmp/relay.log" | cut -d= -f2)
  [ "$dropped" -gt 5 ] || fail "the relay dropped only $dropped datagrams: the test lost its point"
  [ "$reordered" -gt 5 ] || fail "the relay reordered only $reordered datagrams"
  "$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 1 \
    --ref "$tmp/in.wav" --min-snr 60 --ignore-gaps >"$tmp/check.txt" \
    || { cat "$tmp/check.txt"; fail "audio check failed"; }
  cat "$tmp/check.txt"
  gaps=$(value gap_frames "$tmp/check.txt")
  # Every lost packet is filled with exactly its length of silence; drops
  # before the first or after the last received packet are not inside the
  # signal, so allow two packets of slack.
  [ $((gaps % packet)) -eq 0 ] || fail "gap frames $gaps is not a whole number of packets"
  [ "$gaps" -le $((dropped * packet)) ] && [ "$gaps" -ge $(((dropped - 2) * packet)) ] \
    || fail "gap frames $gaps do not match $dropped dropped packets"
  # Everything the relay did not drop arrives; reordering is absorbed by the
  # jitter buffer: nothing arrives too late.
  [ "$received" -eq $((packets - dropped)) ] \
    || fail "received $received packets: $packets sent, $dropped dropped by the relay"
  [ "$late" -eq 0 ] || fail "reordered packets were counted late"
  [ "$lost" -le "$dropped" ] && [ "$lost" -ge $((dropped - 2)) ] \
    || fail "receiver counted $lost lost packets, relay dropped $dropped"
fi
echo "PASS: loopback stream ($mode)"
