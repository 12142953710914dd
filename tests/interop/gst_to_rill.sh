#!/usr/bin/env bash
# GStreamer sends, rill-recv receives: a 3 s, 440 Hz sine from audiotestsrc,
# payloaded by rtpL16pay as L16 44100 Hz (PT 10 stereo or PT 11 mono) and
# paced in real time by udpsink, must come out of rill-recv as that sine on
# both output channels: frequency 440 +-2 Hz, SNR >= 60 dB against a
# reference sine, all 3 s of signal (less at most 10 ms) and no gap inside it.
#
# usage: gst_to_rill.sh RILL_RECV WAVGEN WAVCHECK stereo|mono
# The receiver runs with --no-drift-compensation: the SNR check compares
# against the input at one fixed alignment, which a drift-compensating
# resampler (correctly) does not keep when it steers the ratio; drift
# compensation has its own tests (tests/pipeline, tests/audio).
set -euo pipefail
recv=$1 wavgen=$2 wavcheck=$3 mode=$4
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need gst-launch-1.0

case "$mode" in
  stereo) channels=2 pt=10 ;;
  mono) channels=1 pt=11 ;;
  *) fail "mode must be stereo or mono, not '$mode'" ;;
esac
rate=44100
# 150 buffers of 882 frames (20 ms): 132300 frames, 3 s.
buffers=150 buffer_frames=882
sent_frames=$((buffers * buffer_frames))
tolerance=441 # 10 ms

# audiotestsrc's sine starts at phase 0, like wavgen's: the reference.
timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate "$rate" --channels 2 --duration 3 \
  --freq 440 --amp 0.5

# The jitter buffer gets a wide margin (300 ms, default 100 ms): this test is
# about interop, and on a loaded 2-core machine a sender can stall for more
# than 100 ms, which rill-recv would rightly play as a gap.
timeout -k 5 40 "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o "$tmp/out.wav" \
  --no-drift-compensation \
  --target-latency 300ms --oneshot --session-timeout 500ms --duration 20s -v \
  >"$tmp/recv.out" 2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
wait_port_file "$tmp/port"
port=$(cat "$tmp/port")

caps="audio/x-raw,rate=$rate,channels=$channels,format=S16BE,layout=interleaved"
pipeline="audiotestsrc wave=sine freq=440 volume=0.5 num-buffers=$buffers \
samplesperbuffer=$buffer_frames ! $caps \
! rtpL16pay pt=$pt ! udpsink host=127.0.0.1 port=$port sync=true"
echo "gst-launch-1.0 $pipeline"
start_ns=$(date +%s%N)
# shellcheck disable=SC2086 # gst-launch takes the pipeline as separate words
timeout -k 5 30 gst-launch-1.0 -q $pipeline >"$tmp/gst.log" 2>&1 ||
  { cat "$tmp/gst.log" >&2; fail "gst-launch-1.0 failed"; }
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
# udpsink sync=true paces the stream by the clock: a burst would test
# nothing about real-time reception.
between "gst-launch-1.0 run time (ms)" "$elapsed_ms" 2800 20000

rc=0
wait "$recv_pid" || rc=$?
cat "$tmp/recv.log"
[ "$rc" -eq 0 ] || fail "rill-recv exited $rc"

# Mono is upmixed to both output channels; stereo carries the sine on both.
for ch in 0 1; do
  check "ch$ch" "$wavcheck" "$tmp/out.wav" --channel "$ch" --skip-leading-silence \
    --freq 440 --freq-tol 2 --max-gap-frames 2 --ref "$tmp/ref.wav" --ref-channel "$ch" \
    --min-snr 60
  # The sine's first sample is 0, so one frame less than sent is all of it.
  between "non-silent frames (channel $ch)" "$(value signal_frames "$tmp/ch$ch.txt")" \
    $((sent_frames - tolerance)) "$sent_frames"
done
echo "PASS: GStreamer rtpL16pay ($mode, PT $pt) -> rill-recv"
