#!/usr/bin/env bash
# rill-send --sdp-out -> ffmpeg: rill-send streams a 3 s sine (left) and
# frame counter (right) as L24 48 kHz stereo on dynamic payload type 96 and
# writes its SDP file; ffmpeg reads nothing but that file (-protocol_whitelist
# file,udp,rtp -i FILE) and writes a WAV, which must hold the input (L24
# carries 16-bit audio exactly): 440 +-2 Hz, SNR >= 60 dB against the input
# aligned on the counter at lag 0, every frame.
#
# Order: rill-send writes the SDP at start and then reads raw audio from
# stdin, which is held back until ffmpeg (started on that SDP) has bound
# the port. ffmpeg stops 2 s after the last packet (-listen_timeout 2).
#
# usage: sdp_rill_to_ffmpeg.sh RILL_SEND WAVGEN WAVCHECK
set -euo pipefail
send=$1 wavgen=$2 wavcheck=$3
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need ffmpeg

in_frames=144000
packet=240 # 5 ms at 48 kHz
timeout -k 5 30 "$wavgen" -o "$tmp/in.wav" --rate 48000 --duration 3 --freq 440 --counter
timeout -k 5 30 ffmpeg -nostdin -hide_banner -loglevel error -i "$tmp/in.wav" -f s16le \
  "$tmp/in.raw"
mkfifo "$tmp/go"

ff_pid=""
for attempt in 1 2 3 4 5; do
  port=$(free_udp_port pair)
  rm -f "$tmp/rill.sdp"
  # stdin: nothing until "go" says ffmpeg listens.
  { read -r _ <"$tmp/go" && cat "$tmp/in.raw"; } |
    timeout -k 5 40 "$send" -i - --rate 48000 --channels 2 -s "rtp://127.0.0.1:$port" \
      --encoding 96:s24/48000/2 --sdp-out "$tmp/rill.sdp" --session-name "rill to ffmpeg" -v \
      2>"$tmp/send.log" &
  send_pid=$!
  for _ in $(seq 200); do [ -s "$tmp/rill.sdp" ] && break; sleep 0.05; done
  [ -s "$tmp/rill.sdp" ] || { cat "$tmp/send.log" >&2; fail "rill-send wrote no SDP"; }
  # shellcheck disable=SC2054 # file,udp,rtp is one argument
  cmd=(ffmpeg -nostdin -hide_banner -nostats -loglevel info -protocol_whitelist file,udp,rtp
    -listen_timeout 2 -i "$tmp/rill.sdp" -c:a pcm_s24le -y "$tmp/out.wav")
  timeout -k 5 40 "${cmd[@]}" >"$tmp/ffmpeg.log" 2>&1 &
  ff_pid=$!
  if wait_bound "$ff_pid" "$port"; then
    break
  fi
  echo "attempt $attempt: ffmpeg did not bind port $port:"
  cat "$tmp/ffmpeg.log"
  kill -TERM "$ff_pid" "$send_pid" 2>/dev/null || true
  echo go >"$tmp/go" &
  wait "$ff_pid" "$send_pid" 2>/dev/null || true
  ff_pid=""
done
[ -n "$ff_pid" ] || fail "ffmpeg could not bind a UDP port in 5 attempts"
pids+=("$ff_pid" "$send_pid")
cat "$tmp/rill.sdp"
grep -qx "a=rtpmap:96 L24/48000/2" "$tmp/rill.sdp" || fail "no rtpmap line for PT 96 L24"
echo go >"$tmp/go"
rc=0
wait "$send_pid" || rc=$?
cat "$tmp/send.log"
[ "$rc" -eq 0 ] || fail "rill-send exited $rc"
rc=0
wait "$ff_pid" || rc=$?
cat "$tmp/ffmpeg.log"
[ "$rc" -eq 0 ] || fail "ffmpeg exited $rc"

check left "$wavcheck" "$tmp/out.wav" --freq 440 --freq-tol 2 --max-gap-frames 2 \
  --ref "$tmp/in.wav" --align-channel 1 --expect-lag 0 --min-snr 60
check counter "$wavcheck" "$tmp/out.wav" --channel 1 --ref "$tmp/in.wav" --align-channel 1 \
  --expect-lag 0 --min-snr 60
between "received frames" "$(value frames "$tmp/left.txt")" "$in_frames" \
  $((in_frames + packet - 1))
echo "PASS: rill-send --sdp-out -> ffmpeg (PT 96 L24/48000/2 from the SDP file alone)"
