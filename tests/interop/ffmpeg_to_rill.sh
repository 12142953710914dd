#!/usr/bin/env bash
# ffmpeg sends, rill-recv receives: a 3 s, 440 Hz sine from ffmpeg's lavfi
# sine source, upmixed to stereo, sent by ffmpeg's RTP muxer as L16 in real
# time (-re), must come out of rill-recv as that sine: frequency 440 +-2 Hz,
# SNR >= 60 dB against a reference sine (gain fitted: ffmpeg's sine is 1/8
# of full scale and its -ac 2 upmix lowers it by 3 dB), all 3 s of signal
# (less at most 10 ms) and no gap inside it.
#   l16-44k: 44100 Hz stereo. ffmpeg uses the static payload type 10 there
#            (checked in the SDP it prints), which rill-recv accepts as is.
#   l16-48k: 48000 Hz stereo. ffmpeg's RTP muxer gives audio it has no static
#            type for the dynamic type 97 (RTP_PT_PRIVATE + 1 in libavformat;
#            checked in its SDP), so rill-recv gets --rate 48000
#            --encoding 97:s16/48000/2.
#
# usage: ffmpeg_to_rill.sh RILL_RECV WAVGEN WAVCHECK l16-44k|l16-48k
# The receiver runs with --no-drift-compensation: the SNR check compares
# against the input at one fixed alignment, which a drift-compensating
# resampler (correctly) does not keep when it steers the ratio; drift
# compensation has its own tests (tests/pipeline, tests/audio).
set -euo pipefail
recv=$1 wavgen=$2 wavcheck=$3 mode=$4
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
need ffmpeg

case "$mode" in
  l16-44k) rate=44100 recv_args=() sdp_line="m=audio %s RTP/AVP 10" ;;
  l16-48k)
    rate=48000 recv_args=(--rate 48000 --encoding 97:s16/48000/2)
    sdp_line="a=rtpmap:97 L16/48000/2"
    ;;
  *) fail "mode must be l16-44k or l16-48k, not '$mode'" ;;
esac
sent_frames=$((rate * 3))
tolerance=$((rate / 100)) # 10 ms

timeout -k 5 30 "$wavgen" -o "$tmp/ref.wav" --rate "$rate" --channels 2 --duration 3 \
  --freq 440 --amp 0.125

# The jitter buffer gets a wide margin (300 ms, default 100 ms): this test is
# about interop, and on a loaded 2-core machine a sender can stall for more
# than 100 ms, which rill-recv would rightly play as a gap.
timeout -k 5 40 "$recv" -s rtp://127.0.0.1:0 --port-file "$tmp/port" -o "$tmp/out.wav" \
  --no-drift-compensation \
  "${recv_args[@]}" --target-latency 300ms --oneshot --session-timeout 500ms --duration 20s -v \
  >"$tmp/recv.out" 2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
wait_port_file "$tmp/port"
port=$(cat "$tmp/port")

cmd=(ffmpeg -nostdin -hide_banner -loglevel error -re
  -f lavfi -i "sine=frequency=440:sample_rate=$rate:duration=3"
  -ac 2 -c:a pcm_s16be -f rtp "rtp://127.0.0.1:$port")
echo "${cmd[*]}"
start_ns=$(date +%s%N)
timeout -k 5 30 "${cmd[@]}" >"$tmp/sdp.txt" 2>"$tmp/ffmpeg.log" ||
  { cat "$tmp/ffmpeg.log" >&2; fail "ffmpeg failed"; }
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
cat "$tmp/sdp.txt"
# shellcheck disable=SC2059 # the SDP line is a format with the port
want=$(printf "$sdp_line" "$port")
grep -qxF "$want" <(tr -d '\r' <"$tmp/sdp.txt") ||
  fail "ffmpeg's SDP lacks '$want': its payload type choice changed"
# -re paces the stream by the clock: a burst would test nothing about
# real-time reception.
between "ffmpeg run time (ms)" "$elapsed_ms" 2800 20000

rc=0
wait "$recv_pid" || rc=$?
cat "$tmp/recv.log"
[ "$rc" -eq 0 ] || fail "rill-recv exited $rc"

for ch in 0 1; do
  check "ch$ch" "$wavcheck" "$tmp/out.wav" --channel "$ch" --skip-leading-silence \
    --freq 440 --freq-tol 2 --max-gap-frames 2 --ref "$tmp/ref.wav" --ref-channel "$ch" \
    --min-snr 60
  # The sine's first sample is 0, so one frame less than sent is all of it.
  between "non-silent frames (channel $ch)" "$(value signal_frames "$tmp/ch$ch.txt")" \
    $((sent_frames - tolerance)) "$sent_frames"
done
echo "PASS: ffmpeg RTP muxer ($mode) -> rill-recv"
