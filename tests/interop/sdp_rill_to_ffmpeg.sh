#!/usr/bin/env bash
# rill-send --sdp-out -> ffmpeg: rill-send streams 3 s of 48 kHz stereo on
# dynamic payload type 96 and writes its SDP file; ffmpeg reads nothing but
# that file (-protocol_whitelist file,udp,rtp -i FILE) and writes a WAV,
# which must hold the input:
#   l24:  a 440 Hz sine (left) and a frame counter (right) as L24 ("a=rtpmap:96
#         L24/48000/2"), which carries 16-bit audio exactly: 440 +-2 Hz, SNR >=
#         60 dB against the input aligned on the counter at lag 0, every frame.
#   opus: 440 Hz left, 660 Hz right (the channels must stay apart), Opus at
#         128 kbit/s in 20 ms frames ("a=rtpmap:96 opus/48000/2", "a=fmtp:96
#         sprop-stereo=1"): each channel its frequency +-2 Hz, SNR >= 20 dB
#         against the input once aligned (a lossy codec: about 40 dB at that
#         rate, a wrong or garbled signal about 0 dB; as rill_opus_to_gst.sh),
#         no gap, every frame (the last packet is completed with silence).
#
# Order: rill-send writes the SDP at start and then reads raw audio from
# stdin, which is held back until ffmpeg (started on that SDP) has bound
# the port. ffmpeg stops 2 s after the last packet (-listen_timeout 2).
#
# usage: sdp_rill_to_ffmpeg.sh RILL_SEND WAVGEN WAVCHECK l24|opus
set -euo pipefail
send=$1 wavgen=$2 wavcheck=$3 codec=$4
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need ffmpeg

in_frames=144000
case "$codec" in
  l24)
    signal=(--counter) send_codec=(--encoding 96:s24/48000/2) ff_codec=pcm_s24le
    sdp_lines=("a=rtpmap:96 L24/48000/2")
    packet=240 # 5 ms at 48 kHz, the default
    ;;
  opus)
    signal=(--freq2 660) ff_codec=pcm_s16le
    send_codec=(--encoding 96:opus/48000/2 --packet-len 20ms --bitrate 128000)
    sdp_lines=("a=rtpmap:96 opus/48000/2" "a=fmtp:96 sprop-stereo=1")
    packet=960
    ;;
  *) fail "codec must be l24 or opus, not '$codec'" ;;
esac
timeout -k 5 30 "$wavgen" -o "$tmp/in.wav" --rate 48000 --duration 3 --freq 440 "${signal[@]}"
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
      "${send_codec[@]}" --sdp-out "$tmp/rill.sdp" --session-name "rill to ffmpeg" -v \
      2>"$tmp/send.log" &
  send_pid=$!
  for _ in $(seq 200); do [ -s "$tmp/rill.sdp" ] && break; sleep 0.05; done
  [ -s "$tmp/rill.sdp" ] || { cat "$tmp/send.log" >&2; fail "rill-send wrote no SDP"; }
  # shellcheck disable=SC2054 # file,udp,rtp is one argument
  cmd=(ffmpeg -nostdin -hide_banner -nostats -loglevel info -protocol_whitelist file,udp,rtp
    -listen_timeout 2 -i "$tmp/rill.sdp" -c:a "$ff_codec" -y "$tmp/out.wav")
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
for line in "${sdp_lines[@]}"; do
  grep -qx "$line" "$tmp/rill.sdp" || fail "rill-send's SDP has no line '$line'"
done
echo go >"$tmp/go"
rc=0
wait "$send_pid" || rc=$?
cat "$tmp/send.log"
[ "$rc" -eq 0 ] || fail "rill-send exited $rc"
rc=0
wait "$ff_pid" || rc=$?
cat "$tmp/ffmpeg.log"
[ "$rc" -eq 0 ] || fail "ffmpeg exited $rc"

if [ "$codec" = l24 ]; then
  check left "$wavcheck" "$tmp/out.wav" --freq 440 --freq-tol 2 --max-gap-frames 2 \
    --ref "$tmp/in.wav" --align-channel 1 --expect-lag 0 --min-snr 60
  check counter "$wavcheck" "$tmp/out.wav" --channel 1 --ref "$tmp/in.wav" --align-channel 1 \
    --expect-lag 0 --min-snr 60
else
  check left "$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 2 \
    --max-gap-frames 2 --ref "$tmp/in.wav" --min-snr 20
  check right "$wavcheck" "$tmp/out.wav" --channel 1 --skip-leading-silence --freq 660 \
    --freq-tol 2 --max-gap-frames 2 --ref "$tmp/in.wav" --min-snr 20
fi
between "received frames" "$(value frames "$tmp/left.txt")" "$in_frames" \
  $((in_frames + packet - 1))
echo "PASS: rill-send --sdp-out -> ffmpeg (${sdp_lines[*]}, from the SDP file alone)"
