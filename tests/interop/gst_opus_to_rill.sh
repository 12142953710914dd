#!/usr/bin/env bash
# GStreamer sends Opus, rill-recv receives: a 3 s, 440 Hz sine from
# audiotestsrc, coded by opusenc (128 kbit/s stereo, 20 ms frames),
# payloaded by rtpopuspay (RFC 7587, PT 96) and paced in real time by
# udpsink, must come out of rill-recv (--encoding 96:opus/48000/2) as that
# sine on both channels: frequency 440 +-2 Hz, SNR >= 20 dB against a
# reference sine (a lossy codec: Opus at 128 kbit/s gives about 40 dB on
# this tone, a wrong or garbled signal about 0 dB; L16 tests ask 60 dB),
# all 3 s of signal (less at most 30 ms: the codec's delay and a packet)
# and no gap inside it.
#
# usage: gst_opus_to_rill.sh RILL_RECV WAVGEN WAVCHECK
set -euo pipefail
recv=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need gst-launch-1.0
gst-inspect-1.0 opusenc >/dev/null 2>&1 || fail "GStreamer's opusenc is missing (gstreamer1.0-plugins-base)"

rate=48000
buffers=150 buffer_frames=960 # 20 ms each: 3 s
sent_frames=$((buffers * buffer_frames))
tolerance=1440 # 30 ms
timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate "$rate" --channels 2 --duration 3 \
  --freq 440 --amp 0.5

timeout -k 5 40 "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o "$tmp/out.wav" \
  --encoding 96:opus/48000/2 --rate "$rate" --no-drift-compensation \
  --target-latency 300ms --oneshot --session-timeout 500ms --duration 20s -v \
  >"$tmp/recv.out" 2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
wait_port_file "$tmp/port"
port=$(cat "$tmp/port")

pipeline="audiotestsrc wave=sine freq=440 volume=0.5 num-buffers=$buffers \
samplesperbuffer=$buffer_frames ! audio/x-raw,rate=$rate,channels=2 \
! opusenc bitrate=128000 frame-size=20 ! rtpopuspay pt=96 \
! udpsink host=127.0.0.1 port=$port sync=true"
echo "gst-launch-1.0 $pipeline"
# shellcheck disable=SC2086 # gst-launch takes the pipeline as separate words
timeout -k 5 30 gst-launch-1.0 -q $pipeline >"$tmp/gst.log" 2>&1 ||
  { cat "$tmp/gst.log" >&2; fail "gst-launch-1.0 failed"; }

rc=0
wait "$recv_pid" || rc=$?
cat "$tmp/recv.log"
[ "$rc" -eq 0 ] || fail "rill-recv exited $rc"

for ch in 0 1; do
  check "ch$ch" "$wavcheck" "$tmp/out.wav" --channel "$ch" --skip-leading-silence \
    --freq 440 --freq-tol 2 --max-gap-frames 2 --ref "$tmp/ref.wav" --ref-channel "$ch" \
    --min-snr 20
  between "non-silent frames (channel $ch)" "$(value signal_frames "$tmp/ch$ch.txt")" \
    $((sent_frames - tolerance)) $((sent_frames + tolerance))
done
echo "PASS: GStreamer opusenc ! rtpopuspay -> rill-recv (96:opus/48000/2)"
