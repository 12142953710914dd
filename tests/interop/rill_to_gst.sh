#!/usr/bin/env bash
# rill-send sends, GStreamer receives: a 3 s sine (left) and frame counter
# (right) from wavgen, streamed by rill-send as L16 44100 Hz stereo (PT 10),
# received by udpsrc ! rtpjitterbuffer ! rtpL16depay and written by wavenc,
# must arrive bit-exact: frequency 440 +-2 Hz, SNR >= 60 dB against the
# input aligned on the counter, starting at the first frame (lag 0), and no
# frame missing: rill-send completes its last packet with silence, so the
# file holds the input plus less than one packet of trailing silence.
#
# usage: rill_to_gst.sh RILL_SEND WAVGEN WAVCHECK
set -euo pipefail
send=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need gst-launch-1.0

in_frames=132300
packet=220 # 5 ms at 44100 Hz, rill-send's default packet length
timeout -k 5 30 "$wavgen" -o "$tmp/in.wav" --duration 3 --freq 440 --counter

# rtpjitterbuffer gets 500 ms (default 200 ms), so that a stall of a loaded
# machine does not make it drop packets as too late: this test is about
# interop, not jitter. gst-launch-1.0 -e turns SIGINT into an EOS, so wavenc
# finishes the file (udpsrc never ends by itself). The pipeline is started
# on a port that was free a moment ago; if another process took it
# meanwhile, gst-launch fails to bind and exits, and we try again with
# another port.
gst_pid=""
for attempt in 1 2 3 4 5; do
  port=$(free_udp_port single)
  pipeline="udpsrc address=127.0.0.1 port=$port \
caps=application/x-rtp,media=audio,clock-rate=44100,encoding-name=L16,channels=2,payload=10 \
! rtpjitterbuffer latency=500 ! rtpL16depay ! audioconvert ! audio/x-raw,format=S16LE \
! wavenc ! filesink location=$tmp/out.wav"
  # --foreground: timeout passes a SIGINT to gst-launch only, not also to
  # its process group; a second SIGINT would kill gst-launch before the EOS
  # has finished the file.
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

timeout -k 5 30 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$port" -v 2>"$tmp/send.log" ||
  { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
cat "$tmp/send.log"
# Let the jitter buffer (500 ms) drain, then end the stream.
sleep 1.5
kill -INT "$gst_pid"
rc=0
wait "$gst_pid" || rc=$?
cat "$tmp/gst.log"
[ "$rc" -eq 0 ] || fail "gst-launch-1.0 exited $rc"
grep -q "Got EOS" "$tmp/gst.log" || fail "the pipeline did not finish on EOS"

check left "$wavcheck" "$tmp/out.wav" --freq 440 --freq-tol 2 --max-gap-frames 2 \
  --ref "$tmp/in.wav" --align-channel 1 --expect-lag 0 --min-snr 60
check counter "$wavcheck" "$tmp/out.wav" --channel 1 --ref "$tmp/in.wav" --align-channel 1 \
  --expect-lag 0 --min-snr 60
# Every input frame arrives; the last packet is completed with silence.
between "received frames" "$(value frames "$tmp/left.txt")" "$in_frames" \
  $((in_frames + packet - 1))
echo "PASS: rill-send -> GStreamer rtpL16depay (PT 10 stereo)"
