#!/usr/bin/env bash
# ffmpeg's SDP file -> rill-recv --sdp: ffmpeg's RTP muxer sends a 3 s,
# 440 Hz sine at 48 kHz stereo on its dynamic payload type 97 and writes
# the SDP of that stream (-sdp_file); rill-recv is given only that file: no
# -s, no --encoding (the SDP's c=, m= and a=rtpmap say it all). The output
# must be the sine on both channels: frequency 440 +-2 Hz, SNR against a
# reference sine, all 3 s of it, no gap inside.
#   l16:  pcm_s16be, "a=rtpmap:97 L16/48000/2"; SNR >= 60 dB (bit-exact
#         transport), 3 s less at most 10 ms.
#   opus: libopus at 128 kbit/s, "a=rtpmap:97 opus/48000/2" and "a=fmtp:97
#         sprop-stereo=1" (RFC 7587); SNR >= 20 dB: a lossy codec, about
#         40 dB on this tone at that rate, a wrong or garbled signal about
#         0 dB (as in gst_opus_to_rill.sh); 3 s +-30 ms (the codec's delay
#         and a packet).
#
# ffmpeg writes the SDP when it starts sending, so the file is taken from a
# first, 10 ms run of the same command line to the same port (ffmpeg's SDP
# depends on its arguments only: "o=- 0 0"); rill-recv binds what that file
# says, then the real run starts.
#
# usage: sdp_ffmpeg_to_rill.sh RILL_RECV WAVGEN WAVCHECK l16|opus
set -euo pipefail
recv=$1 wavgen=$2 wavcheck=$3 codec=$4
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need ffmpeg

rate=48000
sent_frames=$((rate * 3))
case "$codec" in
  l16)
    ff_codec=(-c:a pcm_s16be) sdp_lines=("a=rtpmap:97 L16/$rate/2")
    min_snr=60 below=$((rate / 100)) above=0 # 10 ms
    ;;
  opus)
    ff_codec=(-c:a libopus -b:a 128k)
    sdp_lines=("a=rtpmap:97 opus/48000/2" "a=fmtp:97 sprop-stereo=1")
    min_snr=20 below=1440 above=1440 # 30 ms
    ;;
  *) fail "codec must be l16 or opus, not '$codec'" ;;
esac
timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate "$rate" --channels 2 --duration 3 \
  --freq 440 --amp 0.125

ffmpeg_to() { # PORT SECONDS SDP_FILE
  timeout -k 5 30 ffmpeg -nostdin -hide_banner -loglevel error -re \
    -f lavfi -i "sine=frequency=440:sample_rate=$rate:duration=$2" \
    -ac 2 "${ff_codec[@]}" -f rtp -sdp_file "$3" "rtp://127.0.0.1:$1" \
    >/dev/null 2>"$tmp/ffmpeg.log" ||
    { cat "$tmp/ffmpeg.log" >&2; fail "ffmpeg failed"; }
}

recv_pid=""
for attempt in 1 2 3 4 5; do
  port=$(free_udp_port single)
  ffmpeg_to "$port" 0.01 "$tmp/ff.sdp"
  tr -d '\r' <"$tmp/ff.sdp"
  for line in "${sdp_lines[@]}"; do
    tr -d '\r' <"$tmp/ff.sdp" | grep -qx "$line" || fail "ffmpeg's SDP has no line '$line'"
  done
  timeout -k 5 40 "$recv" --sdp "$tmp/ff.sdp" -o "$tmp/out.wav" --rate "$rate" \
    --no-drift-compensation --target-latency 300ms --oneshot --session-timeout 500ms \
    --duration 20s -v >"$tmp/recv.out" 2>"$tmp/recv.log" &
  recv_pid=$!
  if wait_bound "$recv_pid" "$port"; then
    break
  fi
  echo "attempt $attempt: rill-recv did not bind port $port:"
  cat "$tmp/recv.log"
  wait "$recv_pid" 2>/dev/null || true
  recv_pid=""
done
[ -n "$recv_pid" ] || fail "rill-recv could not bind the SDP's port in 5 attempts"
pids+=("$recv_pid")

ffmpeg_to "$port" 3 "$tmp/ff2.sdp"
cmp -s "$tmp/ff.sdp" "$tmp/ff2.sdp" || fail "ffmpeg's SDP changed between the two runs"
rc=0
wait "$recv_pid" || rc=$?
cat "$tmp/recv.log"
[ "$rc" -eq 0 ] || fail "rill-recv exited $rc"
grep -q "unknown-pt 0 " "$tmp/recv.log" || fail "packets of an unknown payload type"

for ch in 0 1; do
  check "ch$ch" "$wavcheck" "$tmp/out.wav" --channel "$ch" --skip-leading-silence \
    --freq 440 --freq-tol 2 --max-gap-frames 2 --ref "$tmp/ref.wav" --ref-channel "$ch" \
    --min-snr "$min_snr"
  between "non-silent frames (channel $ch)" "$(value signal_frames "$tmp/ch$ch.txt")" \
    $((sent_frames - below)) $((sent_frames + above))
done
echo "PASS: ffmpeg -sdp_file -> rill-recv --sdp (${sdp_lines[*]}, no --encoding)"
