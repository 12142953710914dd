#!/usr/bin/env bash
# rill-send sends Opus, GStreamer receives: a 3 s, 440 Hz sine from wavgen
# at 48 kHz stereo, streamed by rill-send --encoding 96:opus/48000/2 (20 ms
# frames, 128 kbit/s), received by udpsrc ! rtpjitterbuffer ! rtpopusdepay
# ! opusdec and written by wavenc, must arrive as that sine: frequency 440
# +-2 Hz, SNR >= 20 dB against the input once aligned (a lossy codec: about
# 40 dB here; a wrong or garbled signal about 0 dB), no gap, and every frame
# (the last packet is completed with silence; opusdec adds nothing).
#
# usage: rill_opus_to_gst.sh RILL_SEND WAVGEN WAVCHECK
set -euo pipefail
send=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need gst-launch-1.0
gst-inspect-1.0 opusdec >/dev/null 2>&1 || fail "GStreamer's opusdec is missing (gstreamer1.0-plugins-base)"

in_frames=144000
packet=960
timeout -k 5 30 "$wavgen" -o "$tmp/in.wav" --rate 48000 --duration 3 --freq 440

gst_pid=""
for attempt in 1 2 3 4 5; do
  port=$(free_udp_port single)
  pipeline="udpsrc address=127.0.0.1 port=$port \
caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=96 \
! rtpjitterbuffer latency=500 ! rtpopusdepay ! opusdec ! audioconvert \
! audio/x-raw,format=S16LE,channels=2 ! wavenc ! filesink location=$tmp/out.wav"
  # shellcheck disable=SC2086 # gst-launch takes the pipeline as separate words
  timeout --foreground -k 5 -s INT 40 gst-launch-1.0 -e $pipeline >"$tmp/gst.log" 2>&1 &
  gst_pid=$!
  if wait_bound "$gst_pid" "$port"; then
    break
  fi
  echo "attempt $attempt: gst-launch-1.0 did not bind port $port:"
  cat "$tmp/gst.log"
  kill -TERM "$gst_pid" 2>/dev/null || true
  wait "$gst_pid" 2>/dev/null || true
  gst_pid=""
done
[ -n "$gst_pid" ] || fail "gst-launch-1.0 could not bind a UDP port in 5 attempts"
pids+=("$gst_pid")
echo "gst-launch-1.0 -e $pipeline"

timeout -k 5 30 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$port" \
  --encoding 96:opus/48000/2 --packet-len 20ms --bitrate 128000 -v 2>"$tmp/send.log" ||
  { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
cat "$tmp/send.log"
sleep 1.5
kill -INT "$gst_pid"
rc=0
wait "$gst_pid" || rc=$?
cat "$tmp/gst.log"
[ "$rc" -eq 0 ] || fail "gst-launch-1.0 exited $rc"
grep -q "Got EOS" "$tmp/gst.log" || fail "the pipeline did not finish on EOS"

check left "$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 2 \
  --max-gap-frames 2 --ref "$tmp/in.wav" --min-snr 20
check right "$wavcheck" "$tmp/out.wav" --channel 1 --skip-leading-silence --freq 440 \
  --freq-tol 2 --max-gap-frames 2 --ref "$tmp/in.wav" --ref-channel 1 --min-snr 20
between "received frames" "$(value frames "$tmp/left.txt")" "$in_frames" \
  $((in_frames + packet))
echo "PASS: rill-send (96:opus/48000/2) -> GStreamer rtpopusdepay ! opusdec"
