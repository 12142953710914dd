#!/usr/bin/env bash
# rill-send sends, ffmpeg receives: a 3 s sine (left) and frame counter
# (right) from wavgen, streamed by rill-send as L16 44100 Hz stereo (PT 10),
# received by ffmpeg from an SDP file that describes that stream and written
# to WAV, must arrive bit-exact: frequency 440 +-2 Hz, SNR >= 60 dB against
# the input aligned on the counter, starting at the first frame (lag 0), and
# no frame missing: rill-send completes its last packet with silence, so the
# file holds the input plus less than one packet of trailing silence.
#
# ffmpeg's SDP input never ends by itself; -listen_timeout 2 makes it stop
# (and finish the WAV) once no packet came for 2 s. A SIGINT instead would
# lose the frames still inside ffmpeg.
#
# usage: rill_to_ffmpeg.sh RILL_SEND WAVGEN WAVCHECK
set -euo pipefail
send=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need ffmpeg

in_frames=132300
packet=220 # 5 ms at 44100 Hz, rill-send's default packet length
timeout -k 5 30 "$wavgen" -o "$tmp/in.wav" --duration 3 --freq 440 --counter

# ffmpeg binds the SDP's port for RTP and the next one for RTCP. The ports
# were free a moment ago; if another process took one meanwhile, ffmpeg
# exits, and we try again with others.
ff_pid=""
for attempt in 1 2 3 4 5; do
  port=$(free_udp_port pair)
  cat >"$tmp/in.sdp" <<EOF
v=0
o=- 0 0 IN IP4 127.0.0.1
s=rill interop
c=IN IP4 127.0.0.1
t=0 0
m=audio $port RTP/AVP 10
a=rtpmap:10 L16/44100/2
EOF
  # shellcheck disable=SC2054 # file,udp,rtp is one argument
  cmd=(ffmpeg -nostdin -hide_banner -nostats -loglevel info -protocol_whitelist file,udp,rtp
    -listen_timeout 2 -i "$tmp/in.sdp" -c:a pcm_s16le -y "$tmp/out.wav")
  timeout -k 5 40 "${cmd[@]}" >"$tmp/ffmpeg.log" 2>&1 &
  ff_pid=$!
  if wait_bound "$ff_pid" "$port"; then
    break
  fi
  echo "attempt $attempt: ffmpeg did not bind port $port:"
  cat "$tmp/ffmpeg.log"
  kill -TERM "$ff_pid" 2>/dev/null || true
  wait "$ff_pid" 2>/dev/null || true
  ff_pid=""
done
[ -n "$ff_pid" ] || fail "ffmpeg could not bind a UDP port in 5 attempts"
pids+=("$ff_pid")
echo "${cmd[*]}"
cat "$tmp/in.sdp"

timeout -k 5 30 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$port" -v 2>"$tmp/send.log" ||
  { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
cat "$tmp/send.log"
rc=0
wait "$ff_pid" || rc=$?
cat "$tmp/ffmpeg.log"
[ "$rc" -eq 0 ] || fail "ffmpeg exited $rc"

check left "$wavcheck" "$tmp/out.wav" --freq 440 --freq-tol 2 --max-gap-frames 2 \
  --ref "$tmp/in.wav" --align-channel 1 --expect-lag 0 --min-snr 60
check counter "$wavcheck" "$tmp/out.wav" --channel 1 --ref "$tmp/in.wav" --align-channel 1 \
  --expect-lag 0 --min-snr 60
# Every input frame arrives; the last packet is completed with silence.
between "received frames" "$(value frames "$tmp/left.txt")" "$in_frames" \
  $((in_frames + packet - 1))
echo "PASS: rill-send -> ffmpeg SDP input (PT 10 L16/44100/2)"
