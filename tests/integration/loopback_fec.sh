#!/usr/bin/env bash
# FEC over loopback: rill-send -> udp_relay (random loss) -> rill-recv.
# Source and repair go through one relay socket (two --listen/--forward
# pairs), so the receiver sees both from the same address, as from roc.
#
# usage: loopback_fec.sh RILL_SEND RILL_RECV WAVGEN WAVCHECK UDP_RELAY MODE LOSS_PCT
#   MODE rs8m | ldpc: the lost packets are restored: no gap (max gap <= 2
#        frames: the sine's own zeros), SNR >= 60 dB against the input, and
#        rill-recv's --stats-json shows fec_recovered > 0 and no loss;
#   MODE none: the same loss without FEC leaves gaps (the contrast).
set -euo pipefail
send=$1 recv=$2 wavgen=$3 wavcheck=$4 relay=$5 mode=$6 loss=$7
# shellcheck source=/dev/null
. "$(dirname "$0")/../../scripts/scratch.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
value() { grep -E "^$1=" "$2" | head -n 1 | cut -d= -f2; }
# shellcheck source=stats_json.sh
. "$(dirname "$0")/stats_json.sh"
recv_stat() { stats_json_value "$tmp/recv.jsonl" "$1" || fail "no $1 in rill-recv's stats"; }

"$wavgen" -o "$tmp/in.wav" --duration 3 --freq 440 --counter

if [ "$mode" = none ]; then
  src_uri=rtp://127.0.0.1:0 ; rep_args=()
else
  src_uri=rtp+$mode://127.0.0.1:0 ; rep_args=(-r "$mode://127.0.0.1:0")
fi
# 250 ms target: a whole 18-packet block (90 ms) plus its repair packets
# arrive well before the lost packet's play time.
timeout -k 5 30 "$recv" -s "$src_uri" "${rep_args[@]}" --port-file "$tmp/port" -o "$tmp/out.wav" \
  --no-drift-compensation --target-latency 250ms \
  --oneshot --session-timeout 500ms --duration 20s -v --stats-json "$tmp/recv.jsonl" \
  2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
want=1; [ "$mode" = none ] || want=2
for _ in $(seq 100); do [ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge $want ] && break; sleep 0.05; done
[ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge $want ] || fail "rill-recv did not report its ports"
p1=$(sed -n 1p "$tmp/port")
relay_args=(--listen 127.0.0.1:0 --forward "127.0.0.1:$p1")
if [ "$mode" != none ]; then
  p2=$(sed -n 2p "$tmp/port")
  relay_args+=(--listen 127.0.0.1:0 --forward "127.0.0.1:$p2")
fi
timeout -k 5 30 "$relay" "${relay_args[@]}" --loss "$loss" --seed 11 --duration 25 \
  --port-file "$tmp/relay_port" 2>"$tmp/relay.log" &
relay_pid=$!
pids+=("$relay_pid")
for _ in $(seq 100); do [ "$(grep -c '' "$tmp/relay_port" 2>/dev/null || echo 0)" -ge $want ] && break; sleep 0.05; done
r1=$(sed -n 1p "$tmp/relay_port")
if [ "$mode" = none ]; then
  send_args=(-s "rtp://127.0.0.1:$r1")
else
  r2=$(sed -n 2p "$tmp/relay_port")
  send_args=(-s "rtp+$mode://127.0.0.1:$r1" -r "$mode://127.0.0.1:$r2")
fi
timeout -k 5 30 "$send" -i "$tmp/in.wav" "${send_args[@]}" -v 2>"$tmp/send.log" \
  || { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
wait "$recv_pid" || { cat "$tmp/recv.log" >&2; fail "rill-recv failed"; }
kill -TERM "$relay_pid" 2>/dev/null || true
wait "$relay_pid" 2>/dev/null || true
cat "$tmp/send.log" "$tmp/recv.log" "$tmp/relay.log"
dropped=$(grep -Eo "^received=[0-9]+ forwarded=[0-9]+ dropped=[0-9]+" "$tmp/relay.log" \
  | grep -Eo "dropped=[0-9]+" | cut -d= -f2)
[ "$dropped" -gt 5 ] || fail "the relay dropped only $dropped datagrams: the test lost its point"

if [ "$mode" = none ]; then
  "$wavcheck" "$tmp/out.wav" --skip-leading-silence --ref "$tmp/in.wav" --ignore-gaps \
    >"$tmp/check.txt" || true
  cat "$tmp/check.txt"
  gaps=$(value gap_frames "$tmp/check.txt")
  [ "$gaps" -ge 220 ] || fail "without FEC, $loss% loss left no gap ($gaps frames)"
  echo "PASS: loopback without FEC at $loss% loss: $gaps frames of gaps"
  exit 0
fi
"$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 1 \
  --ref "$tmp/in.wav" --min-snr 60 --max-gap-frames 2 >"$tmp/check.txt" \
  || { cat "$tmp/check.txt"; fail "audio check failed"; }
cat "$tmp/check.txt"
"$wavcheck" "$tmp/out.wav" --skip-leading-silence --channel 1 --ref "$tmp/in.wav" \
  --ref-channel 1 --align-channel 1 --min-snr 100 >"$tmp/check1.txt" \
  || { cat "$tmp/check1.txt"; fail "counter channel check failed"; }
recovered=$(recv_stat fec_recovered)
[ "$recovered" -gt 0 ] || fail "rill-recv restored no packet"
[ "$recovered" -le "$dropped" ] || fail "rill-recv restored $recovered packets of $dropped dropped"
[ "$(recv_stat packets_lost)" -eq 0 ] || fail "rill-recv counted lost packets despite FEC"
echo "PASS: loopback $mode at $loss% loss: relay dropped $dropped, receiver restored $recovered"
