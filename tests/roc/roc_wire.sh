#!/usr/bin/env bash
# roc-toolkit 0.4 API on the wire, between programs written against roc's
# API (roc_file_send, roc_file_recv: linked against librill-roc.so, packet
# encoding left 0) and rill's own tools, over 127.0.0.1. A 3 s 440 Hz sine
# (left) and frame counter (right) go through and are checked: frequency,
# SNR against the input (L16: every frame exact), no gap.
#
# usage: roc_wire.sh MODE ROC_FILE_SEND ROC_FILE_RECV RILL_SEND RILL_RECV WAVGEN WAVCHECK
#   roc_to_rill      roc API sender -> rill-recv, rtp://
#   roc_to_rill_fec  roc API sender -> rill-recv, rtp+rs8m:// + rs8m://
#   rill_to_roc      rill-send -> roc API receiver, rtp://
set -euo pipefail
mode=$1 roc_send=$2 roc_recv=$3 send=$4 recv=$5 wavgen=$6 wavcheck=$7
# shellcheck source=/dev/null
. "$(dirname "$0")/../../scripts/scratch.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
value() { grep -E "^$1=" "$2" | head -n 1 | cut -d= -f2; }
lines() { grep -c '' "$1" 2>/dev/null || echo 0; }
# wait_lines FILE N: FILE has N lines (ports), within 10 s.
wait_lines() {
  for _ in $(seq 200); do [ "$(lines "$1")" -ge "$2" ] && return 0; sleep 0.05; done
  fail "no port reported in $1"
}

"$wavgen" -o "$tmp/in.wav" --duration 3 --freq 440 --counter
in_frames=132300

case "$mode" in
roc_to_rill | roc_to_rill_fec)
  src=rtp://127.0.0.1:0 rep=() want=1
  if [ "$mode" = roc_to_rill_fec ]; then src=rtp+rs8m://127.0.0.1:0 rep=(-r rs8m://127.0.0.1:0) want=2; fi
  timeout -k 5 30 "$recv" -s "$src" "${rep[@]}" --port-file "$tmp/port" -o "$tmp/out.wav" \
    --no-drift-compensation --target-latency 250ms --oneshot --session-timeout 500ms \
    --duration 20s -v 2>"$tmp/recv.log" &
  recv_pid=$!
  pids+=("$recv_pid")
  wait_lines "$tmp/port" $want
  p1=$(sed -n 1p "$tmp/port")
  if [ "$mode" = roc_to_rill_fec ]; then
    p2=$(sed -n 2p "$tmp/port")
    args=("rtp+rs8m://127.0.0.1:$p1" "rs8m://127.0.0.1:$p2")
  else
    args=("rtp://127.0.0.1:$p1")
  fi
  timeout -k 5 30 "$roc_send" "$tmp/in.wav" "${args[@]}" 2>"$tmp/send.log" \
    || { cat "$tmp/send.log" >&2; fail "roc_file_send failed"; }
  wait "$recv_pid" || { cat "$tmp/recv.log" >&2; fail "rill-recv failed"; }
  cat "$tmp/recv.log"
  ;;
rill_to_roc)
  timeout -k 5 30 "$roc_recv" rtp://127.0.0.1:0 "$tmp/out.wav" 7 - "$tmp/port" \
    2>"$tmp/recv.log" &
  recv_pid=$!
  pids+=("$recv_pid")
  wait_lines "$tmp/port" 1
  p1=$(sed -n 1p "$tmp/port")
  timeout -k 5 30 "$send" -i "$tmp/in.wav" -s "rtp://127.0.0.1:$p1" -v 2>"$tmp/send.log" \
    || { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
  wait "$recv_pid" || { cat "$tmp/recv.log" >&2; fail "roc_file_recv failed"; }
  cat "$tmp/send.log"
  ;;
*)
  fail "unknown mode $mode"
  ;;
esac

# The sine has exact zeros (1-2 frames); a lost packet would leave 220.
"$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 1 \
  --ref "$tmp/in.wav" --min-snr 60 --max-gap-frames 2 >"$tmp/check.txt" \
  || { cat "$tmp/check.txt"; fail "audio check failed"; }
cat "$tmp/check.txt"
# The counter channel aligns exactly and every frame is bit-exact (L16).
"$wavcheck" "$tmp/out.wav" --skip-leading-silence --channel 1 --ref "$tmp/in.wav" \
  --ref-channel 1 --align-channel 1 --min-snr 100 >"$tmp/check1.txt" \
  || { cat "$tmp/check1.txt"; fail "counter channel check failed"; }
signal=$(value signal_frames "$tmp/check.txt")
[ "$signal" -le "$in_frames" ] && [ "$signal" -ge $((in_frames - 2)) ] \
  || fail "received $signal frames of signal, expected $in_frames"
echo "roc wire $mode: OK ($signal frames)"
