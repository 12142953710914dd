#!/usr/bin/env bash
# Opus over loopback: rill-send --encoding 96:opus/48000/2 -> (udp_relay with
# 5 % random loss) -> rill-recv, a 3 s 440 Hz tone checked on arrival.
#
# usage: loopback_opus.sh RILL_SEND RILL_RECV WAVGEN WAVCHECK UDP_RELAY MODE
#   MODE clean: no relay; the tone arrives (440 Hz), no gap, SNR >= 20 dB
#        against the input once aligned, nothing lost;
#   MODE plc: 5 % loss, plain RTP: every lost packet is concealed by libopus
#        (plc_frames + fec_inband_frames >= a packet, gap_frames 0) and the output has
#        no silent gap (max gap <= 2 frames: the sine's own zeros); SNR >= 10 dB
#        (concealment extrapolates the tone, it does not restore it);
#   MODE rs8m: 5 % loss with rs8m FEC (the Opus packets padded to one length):
#        the lost packets are restored (fec_recovered > 0, none lost), no gap,
#        SNR >= 20 dB.
# SNR thresholds suit a lossy codec at 128 kbit/s stereo: the codec alone gives
# about 40 dB on this tone (L16 passes bit for bit and is checked at 60 dB).
set -euo pipefail
send=$1 recv=$2 wavgen=$3 wavcheck=$4 relay=$5 mode=$6
# shellcheck source=/dev/null
. "$(dirname "$0")/../../scripts/scratch.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
value() { grep -E "^$1=" "$2" | head -n 1 | cut -d= -f2; }
# shellcheck source=stats_json.sh
. "$(dirname "$0")/stats_json.sh"
recv_stat() { stats_json_value "$tmp/recv.jsonl" "$1" || fail "no $1 in rill-recv's stats"; }

enc=96:opus/48000/2
# 3.06 s: 306 packets of 10 ms, 17 whole FEC blocks of 18 (a last, partial
# block would have no repair packets).
"$wavgen" -o "$tmp/in.wav" --rate 48000 --duration 3.06 --freq 440

case "$mode" in
  rs8m) src_uri=rtp+rs8m://127.0.0.1:0 ; rep_args=(-r rs8m://127.0.0.1:0) ; want=2 ;;
  *) src_uri=rtp://127.0.0.1:0 ; rep_args=() ; want=1 ;;
esac
timeout -k 5 30 "$recv" -s "$src_uri" "${rep_args[@]}" --port-file "$tmp/port" -o "$tmp/out.wav" \
  --encoding "$enc" --rate 48000 --no-drift-compensation --target-latency 250ms \
  --oneshot --session-timeout 500ms --duration 20s -v --stats-json "$tmp/recv.jsonl" \
  2>"$tmp/recv.log" &
recv_pid=$!
pids+=("$recv_pid")
for _ in $(seq 100); do [ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge $want ] && break; sleep 0.05; done
[ "$(grep -c '' "$tmp/port" 2>/dev/null || echo 0)" -ge $want ] || fail "rill-recv did not report its ports"
p1=$(sed -n 1p "$tmp/port")
send_args=(-s "rtp://127.0.0.1:$p1")
if [ "$mode" != clean ]; then
  relay_args=(--listen 127.0.0.1:0 --forward "127.0.0.1:$p1")
  [ "$mode" = rs8m ] && relay_args+=(--listen 127.0.0.1:0 --forward "127.0.0.1:$(sed -n 2p "$tmp/port")")
  timeout -k 5 30 "$relay" "${relay_args[@]}" --loss 5 --seed 11 --duration 25 \
    --port-file "$tmp/relay_port" 2>"$tmp/relay.log" &
  relay_pid=$!
  pids+=("$relay_pid")
  for _ in $(seq 100); do [ "$(grep -c '' "$tmp/relay_port" 2>/dev/null || echo 0)" -ge $want ] && break; sleep 0.05; done
  r1=$(sed -n 1p "$tmp/relay_port")
  send_args=(-s "rtp://127.0.0.1:$r1")
  [ "$mode" = rs8m ] && send_args=(-s "rtp+rs8m://127.0.0.1:$r1" -r "rs8m://127.0.0.1:$(sed -n 2p "$tmp/relay_port")")
fi
# 10 ms frames: a lost packet is 480 frames, a gap wavcheck would see.
timeout -k 5 30 "$send" -i "$tmp/in.wav" "${send_args[@]}" --encoding "$enc" --packet-len 10ms \
  --bitrate 128000 -v --stats-json "$tmp/send.jsonl" 2>"$tmp/send.log" \
  || { cat "$tmp/send.log" >&2; fail "rill-send failed"; }
wait "$recv_pid" || { cat "$tmp/recv.log" >&2; fail "rill-recv failed"; }
dropped=0
if [ "$mode" != clean ]; then
  kill -TERM "$relay_pid" 2>/dev/null || true
  wait "$relay_pid" 2>/dev/null || true
  cat "$tmp/relay.log"
  dropped=$(grep -Eo "dropped=[0-9]+" "$tmp/relay.log" | tail -n 1 | cut -d= -f2)
  [ "$dropped" -gt 5 ] || fail "the relay dropped only $dropped datagrams: the test lost its point"
fi
tail -n 1 "$tmp/send.jsonl" "$tmp/recv.jsonl"

# A session's counters: from the last stats line that still lists it (the
# final line comes after the session ended).
session() { grep -Eo "\"$1\":[0-9]+" "$tmp/recv.jsonl" | tail -n 1 | cut -d: -f2; }
lost=$(recv_stat packets_lost)
min_snr=20
[ "$mode" = plc ] && min_snr=10
"$wavcheck" "$tmp/out.wav" --skip-leading-silence --freq 440 --freq-tol 1 \
  --ref "$tmp/in.wav" --min-snr "$min_snr" --max-gap-frames 2 --min-frames 140000 \
  >"$tmp/check.txt" || { cat "$tmp/check.txt"; fail "audio check failed"; }
cat "$tmp/check.txt"
[ "$(recv_stat sessions_created)" -eq 1 ] || fail "expected one session"
[ "$(recv_stat bad_packets)" -eq 0 ] || fail "the receiver counted bad packets"
gaps=$(session gap_frames) plc=$(session plc_frames) ifec=$(session fec_inband_frames)
echo "dropped $dropped, lost $lost, gap_frames $gaps, plc_frames $plc, fec_inband_frames $ifec"
[ "$gaps" -eq 0 ] || fail "$gaps frames of silence were played for missing audio"
case "$mode" in
  clean)
    [ "$lost" -eq 0 ] || fail "receiver counted $lost losses on a clean path" ;;
  plc)
    [ "$lost" -ge 1 ] || fail "no loss counted"
    [ $((plc + ifec)) -ge 480 ] || fail "only $((plc + ifec)) frames concealed for $lost lost packets" ;;
  rs8m)
    recovered=$(recv_stat fec_recovered)
    [ "$recovered" -gt 0 ] || fail "nothing restored by FEC"
    [ "$lost" -eq 0 ] || fail "$lost packets lost despite FEC" ;;
esac
echo "PASS: loopback Opus ($mode)"
