#!/usr/bin/env bash
# rill-send --announce -> PulseAudio 16.1's module-rtp-recv, in a headless
# PulseAudio started here (private HOME and runtime directory, only the
# modules loaded below: ../shared/peers/README.md). module-rtp-recv plays
# only what SAP announces, listens on port 9875 whatever its sap_address
# (127.0.0.1 here), and plays payload types 10, 11 and 127 only: rill-send
# streams a 6 s, 440 Hz sine as PT 10 (L16 44.1 kHz stereo, its default)
# and announces it there. module-rtp-recv plays it into a null sink whose
# monitor parec records; the recording must carry the tone: 440 +-2 Hz, at
# least 3 s of it, rms >= 0.2 (the sine's is 0.35), no gap inside. No SNR
# against a fixed sine: module-rtp-recv resamples to hold its own latency
# and moves the rate by far more than PipeWire does (measured over the run:
# 439.12 Hz, -0.2 %), which turns a one-alignment SNR into noise (0.6 dB).
# When rill-send exits, its SAP deletion removes the sink input.
#
# Port 9875 is fixed: the test runs alone (RUN_SERIAL, like every interop test).
#
# usage: sap_rill_to_pulseaudio.sh RILL_SEND WAVGEN WAVCHECK
set -euo pipefail
send=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need pulseaudio
need pactl
need parec

udp_bound 9875 && fail "UDP port 9875 is taken: module-rtp-recv needs it"
mkdir -p -m 700 "$tmp/home" "$tmp/run"
export HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/run PULSE_RUNTIME_PATH=$tmp/run/pulse
unset PULSE_SERVER DBUS_SESSION_BUS_ADDRESS
pulseaudio --daemonize=no -n --exit-idle-time=-1 --disable-shm=yes \
  --load="module-native-protocol-unix" \
  --load="module-null-sink sink_name=out rate=48000" \
  --load="module-rtp-recv sap_address=127.0.0.1 sink=out" >"$tmp/pulse.log" 2>&1 &
pa_pid=$!
pids+=("$pa_pid")
for _ in $(seq 100); do
  timeout -k 5 5 pactl info >/dev/null 2>&1 && break
  kill -0 "$pa_pid" 2>/dev/null || { cat "$tmp/pulse.log" >&2; fail "pulseaudio exited"; }
  sleep 0.1
done
timeout -k 5 5 pactl info >/dev/null 2>&1 || { cat "$tmp/pulse.log" >&2; fail "no pulseaudio"; }
wait_bound "$pa_pid" 9875 || fail "module-rtp-recv does not listen on 9875"

timeout -k 5 30 "$wavgen" -o "$tmp/in.wav" --rate 44100 --channels 2 --duration 6 --freq 440 \
  --amp 0.5
timeout -k 5 60 parec -d out.monitor --rate 48000 --channels 2 --format s16le \
  --file-format=wav "$tmp/rec.wav" 2>"$tmp/parec.log" &
rec_pid=$!
pids+=("$rec_pid")
rtp_port=$(free_udp_port)
timeout -k 5 40 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$rtp_port" \
  --announce=sap://127.0.0.1:9875 --session-name rill-pa -v 2>"$tmp/send.log" ||
  { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
cat "$tmp/send.log"
# The deletion removes the sink input (10 s at most).
gone=0
for _ in $(seq 100); do
  if [ -z "$(timeout -k 5 5 pactl list short sink-inputs 2>/dev/null)" ]; then
    gone=1
    break
  fi
  sleep 0.1
done
grep -E "rtp|sap|SDP" "$tmp/pulse.log" || true
[ "$gone" -eq 1 ] || fail "module-rtp-recv kept the sink input after the SAP deletion"
kill -INT "$rec_pid" 2>/dev/null || true
wait "$rec_pid" 2>/dev/null || true

for ch in 0 1; do
  check "ch$ch" "$wavcheck" "$tmp/rec.wav" --channel "$ch" --skip-leading-silence \
    --freq 440 --freq-tol 2 --max-gap-frames 2 --min-rms 0.2
  between "non-silent frames (channel $ch)" "$(value signal_frames "$tmp/ch$ch.txt")" \
    $((3 * 48000)) $((7 * 48000))
done
echo "PASS: rill-send --announce -> PulseAudio module-rtp-recv: the tone, sink input removed on exit"
